//! The UI's state: plain data. `update` (app.rs) changes it; `draw` only reads it.

use chrono::NaiveDate;

use super::forms::{Ask, Choose, ContactForm, GoalForm, MeasureForm, ReferralForm};
use super::theme::Theme;
use crate::storage::caseload::{CaseRow, View};
use crate::storage::client::ClientDetail;
use crate::storage::directory::{ServiceDetail, ServiceRow};
use crate::storage::referrals::Undo;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Caseload,
    Client,
    Directory,
    Dashboard,
    /// The day's agenda: what the program opens on.
    Today,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Caseload, Pane::Client, Pane::Directory, Pane::Dashboard, Pane::Today];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Caseload => "Caseload",
            Pane::Client => "Client assessment",
            Pane::Directory => "Service directory",
            Pane::Dashboard => "Dashboard",
            Pane::Today => "Today",
        }
    }

    pub fn number(self) -> usize {
        match self {
            Pane::Caseload => 1,
            Pane::Client => 2,
            Pane::Directory => 3,
            Pane::Dashboard => 4,
            Pane::Today => 5,
        }
    }

    pub fn next(self) -> Pane {
        Pane::ALL[self.number() % Pane::ALL.len()]
    }
}

/// A long list seen through a window: `total` rows in the database, a cache of
/// `rows` starting at `cached_from`, and the `height` rows from `top` on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct ListWindow<T> {
    pub total: usize,
    pub selected: usize,
    pub top: usize,
    pub height: usize,
    pub cached_from: usize,
    pub rows: Vec<T>,
}

impl<T> Default for ListWindow<T> {
    fn default() -> Self {
        ListWindow { total: 0, selected: 0, top: 0, height: 1, cached_from: 0, rows: Vec::new() }
    }
}

impl<T> ListWindow<T> {
    /// Move the selection by `delta` rows, keeping it on screen.
    pub fn move_by(&mut self, delta: isize) {
        if self.total == 0 {
            return;
        }
        let target = self.selected as isize + delta;
        self.select(target.clamp(0, self.total as isize - 1) as usize);
    }

    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.total.saturating_sub(1));
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + self.height {
            self.top = self.selected + 1 - self.height;
        }
        // Never leave empty rows at the bottom when the list could fill them.
        let max_top = self.total.saturating_sub(self.height);
        self.top = self.top.min(max_top);
    }

    pub fn set_height(&mut self, height: usize) {
        self.height = height.max(1);
        let selected = self.selected;
        self.select(selected);
    }

    /// The rows to fetch so the screen is covered, if the cache does not cover it:
    /// (offset, limit), with a screen's worth either side so paging stays cheap.
    pub fn missing(&self) -> Option<(usize, usize)> {
        let want_end = (self.top + self.height).min(self.total);
        let cached_end = self.cached_from + self.rows.len();
        if self.total == 0 || (self.top >= self.cached_from && want_end <= cached_end) {
            return None;
        }
        let from = self.top.saturating_sub(self.height);
        Some((from, self.height * 3))
    }

    pub fn fill(&mut self, from: usize, rows: Vec<T>) {
        self.cached_from = from;
        self.rows = rows;
    }

    /// The rows on screen with their list index.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &T)> {
        let start = self.top.saturating_sub(self.cached_from);
        self.rows.iter().enumerate().skip(start).take(self.height).map(move |(i, r)| (self.cached_from + i, r))
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.selected.checked_sub(self.cached_from).and_then(|i| self.rows.get(i))
    }

    /// Start again after the list changed underneath (new filter or view).
    pub fn reset(&mut self, total: usize) {
        self.total = total;
        self.rows.clear();
        self.cached_from = 0;
        self.top = 0;
        self.selected = 0;
    }
}

/// A one-line text field: the text and the cursor as a character index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    pub cursor: usize,
    pub max_chars: usize,
}

impl LineInput {
    pub fn new(max_chars: usize) -> Self {
        LineInput { text: String::new(), cursor: 0, max_chars }
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text.char_indices().nth(char_index).map_or(self.text.len(), |(b, _)| b)
    }

    /// Apply an editing key; returns true if the text changed.
    pub fn edit(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
        use ratatui::crossterm::event::{KeyCode, KeyModifiers};
        let len = self.text.chars().count();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let b = self.byte_at(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
                true
            }
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                false
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = len;
                false
            }
            // Alt+letter is a shortcut in some terminals, never text.
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) && !c.is_control() => {
                if len >= self.max_chars {
                    return false;
                }
                let b = self.byte_at(self.cursor);
                self.text.insert(b, c);
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let b = self.byte_at(self.cursor - 1);
                self.text.remove(b);
                self.cursor -= 1;
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let b = self.byte_at(self.cursor);
                self.text.remove(b);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }

    /// Text before the cursor (for placing the terminal cursor by width).
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte_at(self.cursor)]
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseloadState {
    pub view: View,
    pub filter: LineInput,
    pub editing_filter: bool,
    pub list: ListWindow<CaseRow>,
    /// The filter matches more rows than the list holds (see `FILTER_CAP`).
    pub more: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientState {
    /// The record shown, for the client selected in the caseload.
    pub detail: Option<ClientDetail>,
    /// Services in the directory matched to the person's needs, read with the record.
    pub matched: Vec<crate::storage::search::NeedMatch>,
    pub scroll: usize,
    /// The record's audit trail, when shown (`h`).
    pub history: Option<Vec<crate::storage::audit::Entry>>,
    /// The client whose record is open: reading it again after a save or a
    /// refresh is the same opening, audited once.
    pub opened: Option<i64>,
    /// A record opened from Today or Find (not the caseload's selected row),
    /// and the pane Esc goes back to.
    pub chosen: Option<(i64, Pane)>,
    /// The next booked appointment and the follow-up date and note, read with
    /// the record.
    pub next_appointment: Option<crate::storage::appointments::Appointment>,
    pub follow_up: Option<(NaiveDate, Option<String>)>,
}

/// Today's agenda, read when the pane is shown and after each change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TodayState {
    pub agenda: Option<crate::storage::today::Agenda>,
    /// The selected item, counted over every section's items.
    pub selected: usize,
    pub top: usize,
}

impl TodayState {
    pub fn items(&self) -> Vec<&crate::storage::today::Item> {
        self.agenda.as_ref().map(|a| a.items().collect()).unwrap_or_default()
    }

    pub fn selected_item(&self) -> Option<&crate::storage::today::Item> {
        self.agenda.as_ref().and_then(|a| a.items().nth(self.selected))
    }
}

/// The find box: every person, open or closed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindState {
    pub input: LineInput,
    pub found: Vec<crate::storage::find::Found>,
    pub selected: usize,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirectoryState {
    pub filter: LineInput,
    pub editing_filter: bool,
    pub list: ListWindow<ServiceRow>,
    pub detail: Option<ServiceDetail>,
    /// Demand against capacity for the selected service.
    pub demand: Option<crate::storage::directory::Demand>,
    /// Only active services accepting referrals (`a`).
    pub accepting_only: bool,
    /// Only services open to this age: the selected client's (`f`).
    pub age: Option<i64>,
    /// How far the selected service's details are scrolled (`J`/`K`).
    pub detail_scroll: usize,
    /// Only services free of charge (`F`); open on a day (`O`); in a postcode
    /// district or area (`D`).
    pub free_only: bool,
    pub open_on: Option<chrono::Weekday>,
    pub district: Option<String>,
    /// The services the search found, best first (the list shows a window of them).
    pub found: Vec<i64>,
    /// What the search did that was not what was typed (a synonym, a close spelling).
    pub note: Option<String>,
}

impl DirectoryState {
    /// The search the pane shows.
    pub fn search(&self) -> crate::storage::directory::Search {
        crate::storage::directory::Search {
            text: self.filter.text.clone(),
            accepting_only: self.accepting_only,
            age: self.age,
            free_only: self.free_only,
            open_on: self.open_on,
            district: self.district.clone(),
            ..Default::default()
        }
    }
}

/// A modal popup: it takes keys before the panes under it.
#[derive(Clone, Debug)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    /// A yes/no question; "no" goes back to the popup under it, if any.
    Confirm {
        question: Question,
        under: Option<Box<Popup>>,
    },
    /// Who is using linkwork (asked once, on the first start of a new database).
    WorkerPrompt {
        input: LineInput,
    },
    /// The new-referral form.
    NewReferral(Box<ReferralForm>),
    /// A wellbeing measure for the client on screen.
    Measure(Box<MeasureForm>),
    /// A contact or session for the client on screen.
    Contact(Box<ContactForm>),
    /// A new goal for the client on screen.
    Goal(Box<GoalForm>),
    /// The client's details, to correct.
    Details(Box<super::forms::DetailsForm>),
    /// A safeguarding concern about the client on screen.
    Safeguarding(Box<super::forms::SafeguardingForm>),
    /// A local service added by hand.
    Service(Box<super::forms::ServiceForm>),
    /// Which goal's status to change: (goal id, title).
    GoalPick {
        goals: Vec<(i64, String)>,
    },
    /// The new status of one goal.
    GoalStatus {
        goal_id: i64,
        title: String,
    },
    /// A social prescription: the client to a service.
    Prescribe(Box<super::forms::PrescribeForm>),
    /// Which of the client's prescriptions: (id, label).
    PrescriptionPick {
        items: Vec<(i64, String)>,
    },
    /// What to do next to one prescription.
    PrescriptionStep {
        id: i64,
        service: String,
        state: crate::domain::prescription::State,
        steps: Vec<(super::forms::Step, String)>,
    },
    /// Save the weekly summary to a file.
    SaveSummary(Box<super::forms::SummaryForm>),
    /// A (re)assessment of the client on screen.
    Assessment(Box<super::forms::assessment::AssessmentForm>),
    /// A line of text for a triage decision on one referral, or an unmet need.
    Prompt {
        ask: Ask,
        /// The referral it decides on, or the client an unmet need is about (0: none).
        subject: i64,
        who: String,
        input: LineInput,
        error: Option<String>,
    },
    /// Which recent contact to read in full: (a line about it, all of it).
    ContactPick {
        items: Vec<(String, String)>,
    },
    /// Unmet needs by code, for commissioners.
    Unmet(Vec<crate::storage::directory::UnmetCount>),
    /// Find anyone.
    Find(Box<FindState>),
    /// A message too long for the bottom line, in full (closed with Esc;
    /// `j`/`k` scroll it when it is longer than the screen).
    Notice {
        title: String,
        text: String,
        scroll: usize,
    },
    /// A numbered choice: a triage decision, or which measure to record.
    Choice {
        choose: Choose,
        /// The referral it decides on, or the client a measure is for.
        subject: i64,
        who: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// Quit although a form has input that is not saved?
    Quit,
    /// Close the form and lose what was typed?
    Discard,
    /// The NHS number is on file with another name and date of birth: is it the
    /// same person? (The referral form under it says who is on file.)
    SamePerson,
}

impl Popup {
    /// The form of one-line fields this popup is, if it is one.
    pub fn line_form(&mut self) -> Option<&mut dyn super::forms::LineForm> {
        match self {
            Popup::NewReferral(f) => Some(f.as_mut()),
            Popup::Measure(f) => Some(f.as_mut()),
            Popup::Contact(f) => Some(f.as_mut()),
            Popup::Goal(f) => Some(f.as_mut()),
            Popup::Details(f) => Some(f.as_mut()),
            Popup::Safeguarding(f) => Some(f.as_mut()),
            Popup::Service(f) => Some(f.as_mut()),
            Popup::Prescribe(f) => Some(f.as_mut()),
            Popup::SaveSummary(f) => Some(f.as_mut()),
            // Exhaustive on purpose: a new popup must say whether it is a form.
            Popup::Assessment(_)
            | Popup::Help { .. }
            | Popup::Confirm { .. }
            | Popup::WorkerPrompt { .. }
            | Popup::GoalPick { .. }
            | Popup::GoalStatus { .. }
            | Popup::PrescriptionPick { .. }
            | Popup::PrescriptionStep { .. }
            | Popup::ContactPick { .. }
            | Popup::Prompt { .. }
            | Popup::Unmet(_)
            | Popup::Notice { .. }
            | Popup::Find(_)
            | Popup::Choice { .. } => None,
        }
    }

    /// Where a form keeps the refusal of its last save, if this popup is such
    /// a form (the new-referral form keeps its errors by field instead).
    pub fn form_error(&mut self) -> Option<&mut Option<String>> {
        match self {
            Popup::Measure(f) => Some(&mut f.error),
            Popup::Contact(f) => Some(&mut f.error),
            Popup::Goal(f) => Some(&mut f.error),
            Popup::Prescribe(f) => Some(&mut f.error),
            Popup::SaveSummary(f) => Some(&mut f.error),
            Popup::Assessment(f) => Some(&mut f.error),
            Popup::Details(f) => Some(&mut f.error),
            Popup::Safeguarding(f) => Some(&mut f.error),
            Popup::Service(f) => Some(&mut f.error),
            Popup::NewReferral(_)
            | Popup::Find(_)
            | Popup::Help { .. }
            | Popup::Confirm { .. }
            | Popup::WorkerPrompt { .. }
            | Popup::GoalPick { .. }
            | Popup::GoalStatus { .. }
            | Popup::PrescriptionPick { .. }
            | Popup::PrescriptionStep { .. }
            | Popup::ContactPick { .. }
            | Popup::Prompt { .. }
            | Popup::Unmet(_)
            | Popup::Notice { .. }
            | Popup::Choice { .. } => None,
        }
    }

    /// Input typed here that is not saved.
    pub fn is_dirty(&self) -> bool {
        match self {
            Popup::WorkerPrompt { input } | Popup::Prompt { input, .. } => !input.text.trim().is_empty(),
            Popup::NewReferral(form) => form.is_dirty(),
            Popup::Measure(form) => form.is_dirty(),
            Popup::Contact(form) => form.is_dirty(),
            Popup::Goal(form) => form.is_dirty(),
            Popup::Details(form) => form.is_dirty(),
            Popup::Safeguarding(form) => form.is_dirty(),
            Popup::Service(form) => form.is_dirty(),
            Popup::Prescribe(form) => form.is_dirty(),
            Popup::SaveSummary(_) => false,
            Popup::GoalPick { .. }
            | Popup::GoalStatus { .. }
            | Popup::PrescriptionPick { .. }
            | Popup::PrescriptionStep { .. }
            | Popup::ContactPick { .. } => false,
            Popup::Assessment(form) => form.is_dirty(),
            Popup::Confirm { under, .. } => under.as_ref().is_some_and(|p| p.is_dirty()),
            Popup::Help { .. } | Popup::Choice { .. } | Popup::Unmet(_) | Popup::Notice { .. } | Popup::Find(_) => {
                false
            }
        }
    }
}

/// A line for the person at the bottom of the screen until the next key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// Everything drawing needs.
#[derive(Clone, Debug)]
pub struct State {
    pub pane: Pane,
    pub popup: Option<Popup>,
    pub caseload: CaseloadState,
    pub client: ClientState,
    pub directory: DirectoryState,
    pub today_list: TodayState,
    /// The dashboard's figures, read when it is shown.
    pub dashboard: Option<crate::storage::summary::Dashboard>,
    pub message: Option<Message>,
    /// The last messages, oldest first, to read again (`L`).
    pub recent: Vec<Message>,
    pub today: NaiveDate,
    /// The database file name shown in the header.
    pub db_label: String,
    pub is_demo: bool,
    pub worker: String,
    /// Working days after which an uncontacted referral is highlighted.
    pub contact_within_days: i64,
    pub theme: Theme,
    /// The last triage decision, for `u`.
    pub undo: Option<Undo>,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(total: usize, height: usize) -> ListWindow<usize> {
        let mut l = ListWindow { total, height, ..Default::default() };
        if let Some((from, limit)) = l.missing() {
            l.fill(from, (from..(from + limit).min(total)).collect());
        }
        l
    }

    #[test]
    fn selection_scrolls_the_window_minimally() {
        let mut l = list(100, 10);
        l.move_by(9);
        assert_eq!((l.selected, l.top), (9, 0));
        l.move_by(1);
        assert_eq!((l.selected, l.top), (10, 1));
        l.move_by(-5);
        assert_eq!((l.selected, l.top), (5, 1));
        l.move_by(-50);
        assert_eq!((l.selected, l.top), (0, 0));
        l.move_by(1000);
        assert_eq!((l.selected, l.top), (99, 90));
    }

    #[test]
    fn window_asks_only_for_rows_it_lacks() {
        let mut l = list(1000, 10);
        assert_eq!(l.missing(), None);
        l.move_by(15); // within the cached 30 rows
        assert_eq!(l.missing(), None);
        l.select(500);
        let (from, limit) = l.missing().expect("must fetch");
        assert!(from <= l.top && from + limit >= l.top + l.height);
        l.fill(from, (from..from + limit).collect());
        let shown: Vec<usize> = l.visible().map(|(_, r)| *r).collect();
        assert_eq!(shown, (491..501).collect::<Vec<_>>());
        assert_eq!(l.selected_row(), Some(&500));
    }

    #[test]
    fn short_list_does_not_scroll() {
        let mut l = list(3, 10);
        l.move_by(5);
        assert_eq!((l.selected, l.top), (2, 0));
        let empty = list(0, 10);
        assert_eq!(empty.selected_row(), None);
    }

    #[test]
    fn line_input_edits_by_character_not_byte() {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut i = LineInput::new(5);
        for c in "Łódź!".chars() {
            i.edit(&k(KeyCode::Char(c)));
        }
        assert_eq!(i.text, "Łódź!");
        assert!(!i.edit(&k(KeyCode::Char('x'))), "length limit");
        i.edit(&k(KeyCode::Left));
        i.edit(&k(KeyCode::Backspace));
        assert_eq!(i.text, "Łód!");
        assert_eq!(i.before_cursor(), "Łód");
        i.edit(&k(KeyCode::Home));
        i.edit(&k(KeyCode::Delete));
        assert_eq!(i.text, "ód!");
        // Esc then a letter arrives as Alt+letter: not text.
        assert!(!i.edit(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::ALT)));
        assert_eq!(i.text, "ód!");
    }
}

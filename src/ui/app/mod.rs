//! The application: state plus the store it reads from, and `update`, the one
//! place state changes. Data is read from the store here, when something changed,
//! never while drawing.
//!
//! Where keys are handled, from the top popup down:
//! - `forms.rs`: typing, moving and saving in forms (the forms are `ui/forms/`);
//! - `popups.rs`: help, confirmations, prompts and numbered choices;
//! - `caseload.rs`, `client.rs`, `directory.rs`, `dashboard.rs`, `today.rs`: each pane's keys;
//! - `find.rs`: the find box (Ctrl+F from anywhere);
//! - `sync.rs`: another program's writes, and reading the store into state.

mod caseload;
mod client;
mod dashboard;
mod directory;
mod find;
mod forms;
mod popups;
mod sync;
mod today;

use anyhow::Result;
use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};

use crate::storage::{Store, referrals};
use crate::ui::keymap::{self, Action, Context};
use crate::ui::state::{LineInput, Message, Pane, Popup, Question, State};
use crate::ui::theme::Theme;
use crate::ui::{client as record, draw};

/// How many characters a filter or name field takes.
pub(super) const FIELD_MAX: usize = 100;

/// How many messages `L` shows again.
const RECENT_MESSAGES: usize = 10;

/// Who is on screen: the selected row (referral, client, NHS number) and the
/// open record (client, NHS number).
pub(super) type OnScreen = (Option<(i64, i64, String)>, Option<(i64, String)>);

pub struct App {
    pub state: State,
    store: Store,
    /// The person a row-acting key was pressed on: (referral id, NHS number).
    /// A decision is made only if the referral still belongs to them.
    target: Option<(i64, String)>,
    /// The database's generation when last read (a restore changes it).
    generation: Option<String>,
    /// Views of records whose audit record could not be written at once
    /// (another program was writing): (client id, episodes, when).
    pending_views: Vec<(i64, usize, String)>,
    /// The thread that reads the dashboard's figures, once started
    /// ([`App::compute_in_background`]); without it they are read here.
    background: Option<super::jobs::Background>,
}

impl App {
    /// Build the first screen's state from the store. `ask_worker` opens the
    /// one-time "who are you" prompt when the database has no worker's name yet.
    pub fn new(store: Store, today: NaiveDate, theme: Theme, size: (u16, u16), ask_worker: bool) -> Result<Self> {
        let db_label = store
            .path()
            .file_name()
            .map_or_else(|| store.path().display().to_string(), |n| n.to_string_lossy().into_owned());
        let is_demo = store.setting("is_demo")?.as_deref() == Some("1");
        let contact_within_days =
            store.setting("first_contact_working_days")?.and_then(|v| v.parse().ok()).unwrap_or(5);
        let popup =
            (ask_worker && !store.has_worker()?).then(|| Popup::WorkerPrompt { input: LineInput::new(FIELD_MAX) });
        let state = State {
            pane: Pane::Caseload,
            popup,
            caseload: Default::default(),
            client: Default::default(),
            directory: Default::default(),
            today_list: Default::default(),
            dashboard: None,
            message: None,
            recent: Vec::new(),
            today,
            db_label,
            is_demo,
            worker: store.actor().worker.clone(),
            contact_within_days,
            theme,
            undo: None,
            width: size.0,
            height: size.1,
            quit: false,
        };
        let generation = store.generation()?;
        let mut app = App { state, store, target: None, generation, pending_views: Vec::new(), background: None };
        app.state.caseload.filter = LineInput::new(FIELD_MAX);
        app.state.directory.filter = LineInput::new(FIELD_MAX);
        app.resize(size.0, size.1);
        app.mark_no_response();
        app.reload_all();
        app.show_open_duplicates();
        Ok(app)
    }

    /// People with two open referrals (stored before one person had one open
    /// episode) are shown at the start, with how to merge them.
    /// People with two open referrals (stored before one person had one open
    /// episode) are shown at the start, with how to merge them.
    fn show_open_duplicates(&mut self) {
        if self.state.popup.is_some() {
            return;
        }
        let twice = match referrals::open_duplicates(self.store.conn()) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => return,
            Err(e) => return self.error(&format!("Could not look for people with two open referrals: {e:#}")),
        };
        let mut text = String::from(
            "These people have more than one open referral, from before one person had one open episode. \
             Merge each into the first (its log, measures and prescriptions move with it):",
        );
        for d in twice.iter().take(8) {
            let ids: Vec<String> = d.referral_ids.iter().map(i64::to_string).collect();
            text.push_str(&format!(
                "\n{} (NHS {}): referrals {}; linkwork referral merge {} {}",
                d.name,
                crate::domain::nhs::format_digits(&d.nhs_number),
                ids.join(", "),
                d.referral_ids[0],
                d.referral_ids[1]
            ));
        }
        if twice.len() > 8 {
            text.push_str(&format!("\n... and {} more: linkwork referral duplicates lists them all.", twice.len() - 8));
        }
        self.state.popup =
            Some(Popup::Notice { title: "Two open referrals for one person".to_owned(), text, scroll: 0 });
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where keys go now: the top popup, a text field being typed in, or the pane.
    pub fn context(&self) -> Context {
        match &self.state.popup {
            Some(p) => draw::popup_context(p),
            None if self.editing_filter() => Context::FilterInput,
            None => Context::Pane(self.state.pane),
        }
    }

    pub(super) fn editing_filter(&self) -> bool {
        match self.state.pane {
            Pane::Caseload => self.state.caseload.editing_filter,
            Pane::Directory => self.state.directory.editing_filter,
            Pane::Client | Pane::Dashboard | Pane::Today => false,
        }
    }

    /// Is there typed input that would be lost by quitting?
    pub fn has_unsaved_input(&self) -> bool {
        self.state.popup.as_ref().is_some_and(Popup::is_dirty)
    }

    /// Handle a terminal event; true if the screen must be drawn again.
    pub fn handle_event(&mut self, ev: &Event) -> bool {
        match ev {
            Event::Key(key) => self.handle_key(key),
            Event::Resize(w, h) => {
                self.resize(*w, *h);
                true
            }
            Event::FocusGained => {
                // Another linkwork may have written while we were away.
                self.reload_all();
                true
            }
            _ => false,
        }
    }

    /// Handle one key. Only presses count: Windows also reports releases.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind != KeyEventKind::Press {
            return false;
        }
        if draw::too_small(&self.state) {
            // Below 80x24 the screen shows nothing to act on: only quitting acts
            // (and resizing, which is not a key).
            if matches!(keymap::lookup(Context::Pane(self.state.pane), key), Some(Action::Quit | Action::ForceQuit)) {
                self.request_quit();
            }
            return true;
        }
        self.state.message = None;
        self.write_pending_views(std::time::Duration::ZERO);
        if !self.sync_with_database() {
            // What was on screen is not what the key would act on: it is shown
            // again, and the key is not acted on.
            return true;
        }
        let ctx = self.context();
        match keymap::lookup(ctx, key) {
            Some(action) => self.update(action),
            None => self.type_into_field(ctx, key),
        }
        true
    }

    /// The one place state changes in answer to the person: the top popup takes
    /// the key first; then keys that work anywhere; then the pane's own.
    pub fn update(&mut self, action: Action) {
        match self.context() {
            Context::Help => return self.update_help(action),
            Context::Confirm => return self.update_confirm(action),
            Context::WorkerPrompt => return self.update_worker_prompt(action),
            Context::Form => return self.update_form(action),
            Context::Prompt => return self.update_prompt(action),
            Context::Choice => return self.update_choice(action),
            Context::LongForm => return self.update_form(action),
            Context::Find => return self.update_find(action),
            Context::Pane(_) | Context::FilterInput => {}
        }
        let page = self.page_rows() as isize;
        match action {
            Action::Quit | Action::ForceQuit => self.request_quit(),
            Action::Focus(p) => self.focus(p),
            Action::NextPane => self.focus(self.state.pane.next()),
            Action::Help => self.state.popup = Some(Popup::Help { scroll: 0 }),
            Action::Messages => self.show_recent_messages(),
            Action::Refresh => {
                let swept = self.mark_no_response();
                self.reload_all();
                if swept.is_none() {
                    self.info("Refreshed from the database.");
                }
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::First => self.move_by(isize::MIN / 2),
            Action::Last => self.move_by(isize::MAX / 2),
            Action::Open if self.state.pane == Pane::Today => self.open_today_item(),
            Action::Open => {
                if self.state.pane == Pane::Caseload {
                    if self.state.caseload.list.selected_row().is_some() {
                        // The caseload's row is the record now, not one found elsewhere.
                        self.state.client.chosen = None;
                        self.focus(Pane::Client);
                    } else {
                        self.info("No referral selected.");
                    }
                }
            }
            Action::Filter => match self.state.pane {
                Pane::Caseload => self.state.caseload.editing_filter = true,
                Pane::Directory => self.state.directory.editing_filter = true,
                Pane::Client | Pane::Dashboard | Pane::Today => {}
            },
            Action::Submit => match self.state.pane {
                Pane::Caseload => self.state.caseload.editing_filter = false,
                Pane::Directory => self.state.directory.editing_filter = false,
                Pane::Client | Pane::Dashboard | Pane::Today => {}
            },
            Action::Back => self.back(),
            Action::CloseEpisode if self.state.pane == Pane::Client => self.update_client(action),
            // caseload.rs
            Action::NextView
            | Action::NewReferral
            | Action::Accept
            | Action::UnableToContact
            | Action::Attempt
            | Action::CloseEpisode
            | Action::Book
            | Action::Decline
            | Action::Transfer
            | Action::Undo => self.update_caseload(action),
            Action::Find => self.open_find(),
            // today.rs
            Action::Attended | Action::Missed | Action::Reschedule | Action::CancelAppointment => {
                self.update_today(action)
            }
            Action::LogContact if self.state.pane == Pane::Today => self.update_today(action),
            // client.rs
            Action::FollowUp | Action::BookAppointment | Action::EditDetails | Action::Safeguarding => {
                self.update_client(action)
            }
            Action::NewService | Action::ToggleAccepting | Action::FreeOnly | Action::OpenOn | Action::District => {
                self.update_directory(action)
            }
            Action::DetailDown => {
                let max = crate::ui::directory::detail_line_count(&self.state).saturating_sub(1);
                let s = &mut self.state.directory.detail_scroll;
                *s = (*s + 1).min(max);
            }
            Action::DetailUp => {
                let s = &mut self.state.directory.detail_scroll;
                *s = s.saturating_sub(1);
            }
            Action::History
            | Action::Assess
            | Action::NewGoal
            | Action::HandOver
            | Action::GoalStatus
            | Action::LogContact
            | Action::ReadContact
            | Action::Measure => self.update_client(action),
            Action::Prescribe => self.prescribe(),
            // directory.rs
            Action::Unmet => self.ask_unmet_need(),
            Action::AcceptingOnly | Action::FitsClient | Action::Capacity | Action::WaitingList | Action::UnmetView => {
                self.update_directory(action)
            }
            // dashboard.rs
            Action::SaveSummary => self.update_dashboard(action),
            Action::Yes | Action::No | Action::NextField | Action::PrevField | Action::Choose(_) => {}
        }
    }

    /// A new day while the program is open: dates, overdue marks and "no
    /// response" prescriptions follow it.
    pub fn new_day(&mut self, today: NaiveDate) {
        self.state.today = today;
        self.mark_no_response();
        self.reload_all();
    }

    pub(super) fn request_quit(&mut self) {
        if self.has_unsaved_input() {
            let under = self.state.popup.take().map(Box::new);
            self.state.popup = Some(Popup::Confirm { question: Question::Quit, under });
        } else {
            self.state.quit = true;
        }
    }

    pub(super) fn back(&mut self) {
        match self.state.pane {
            Pane::Caseload => {
                let c = &mut self.state.caseload;
                c.editing_filter = false;
                if !c.filter.text.is_empty() {
                    c.filter = LineInput::new(FIELD_MAX);
                    self.reload_list();
                }
            }
            Pane::Directory => {
                let d = &mut self.state.directory;
                d.editing_filter = false;
                if !d.filter.text.is_empty() {
                    d.filter = LineInput::new(FIELD_MAX);
                    self.reload_list();
                }
            }
            Pane::Client => {
                let to = self.state.client.chosen.map_or(Pane::Caseload, |(_, from)| from);
                self.focus(to)
            }
            Pane::Dashboard => self.focus(Pane::Caseload),
            Pane::Today => {}
        }
    }

    pub(super) fn focus(&mut self, pane: Pane) {
        if pane != Pane::Client && self.state.pane == Pane::Client {
            // Leaving the record closes it: coming back is a new opening, read and audited.
            self.state.client.opened = None;
            self.state.client.detail = None;
        }
        self.state.pane = pane;
        match pane {
            Pane::Client => self.load_client(),
            Pane::Dashboard => self.load_dashboard(),
            Pane::Today => self.reload_today(),
            _ => {}
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        match self.state.pane {
            Pane::Caseload => {
                self.state.client.chosen = None;
                self.state.caseload.list.move_by(delta);
                self.fill_caseload();
            }
            Pane::Directory => {
                self.state.directory.list.move_by(delta);
                self.state.directory.detail_scroll = 0;
                self.fill_directory();
            }
            Pane::Client => {
                let lines = record::line_count(&self.state);
                let max = lines.saturating_sub(self.page_rows()) as isize;
                let s = &mut self.state.client.scroll;
                *s = (*s as isize).saturating_add(delta).clamp(0, max.max(0)) as usize;
            }
            Pane::Dashboard => {}
            Pane::Today => self.move_today(delta),
        }
    }

    pub(super) fn page_rows(&self) -> usize {
        match self.state.pane {
            Pane::Caseload => self.state.caseload.list.height,
            Pane::Directory => self.state.directory.list.height,
            Pane::Client | Pane::Dashboard | Pane::Today => draw::body_rows(&self.state),
        }
        .saturating_sub(1)
        .max(1)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.state.width = width;
        self.state.height = height;
        self.state.caseload.list.set_height(draw::caseload_rows(&self.state));
        self.state.directory.list.set_height(draw::directory_rows(&self.state));
        // The record's lines wrap to the new width: never scroll past its end,
        // so a record that now fits shows from its header.
        let lines = record::line_count(&self.state);
        let max = lines.saturating_sub(draw::body_rows(&self.state).saturating_sub(1).max(1));
        self.state.client.scroll = self.state.client.scroll.min(max);
        self.fill_caseload();
        self.fill_directory();
    }

    /// Show word from background work until the next key.
    pub fn notice(&mut self, text: String, is_error: bool) {
        let m = Message { text, is_error };
        self.state.recent.push(m.clone());
        if self.state.recent.len() > RECENT_MESSAGES {
            self.state.recent.remove(0);
        }
        self.state.message = Some(m);
    }

    pub(super) fn info(&mut self, text: &str) {
        self.notice(text.to_owned(), false);
    }

    pub(super) fn error(&mut self, text: &str) {
        self.notice(text.to_owned(), true);
    }

    /// `L`: the last messages again, newest first, in full.
    fn show_recent_messages(&mut self) {
        if self.state.recent.is_empty() {
            return self.info("No messages yet.");
        }
        let text = self
            .state
            .recent
            .iter()
            .rev()
            .map(|m| if m.is_error { format!("! {}", m.text) } else { format!("· {}", m.text) })
            .collect::<Vec<_>>()
            .join("\n");
        self.state.popup = Some(Popup::Notice { title: "Last messages, newest first".to_owned(), text, scroll: 0 });
    }
}

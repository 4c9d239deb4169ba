//! The one key map. Dispatch, the bottom bar and the help overlay all read it, so
//! what the screen says a key does is what the key does.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::Pane;

/// Everything a key can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    ForceQuit,
    Focus(Pane),
    NextPane,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Back,
    Filter,
    NextView,
    Refresh,
    Help,
    /// In a text field: keep what was typed.
    Submit,
    /// In a confirmation: yes / no.
    Yes,
    No,
    /// Forms: the next or previous field.
    NextField,
    PrevField,
    /// A numbered choice (1-based).
    Choose(usize),
    /// Caseload: take in a new referral.
    NewReferral,
    /// Triage decisions on the selected referral.
    Accept,
    Attempt,
    Book,
    Decline,
    UnableToContact,
    Transfer,
    CloseEpisode,
    Undo,
    /// Client record: show or hide its audit trail.
    History,
    /// Record a need no local service meets.
    Unmet,
    /// Unmet needs by code.
    UnmetView,
    /// Client record: record a wellbeing measure.
    Measure,
    /// Client record: log a contact or session.
    LogContact,
    /// Client record: read one of the recent contacts in full.
    ReadContact,
    /// Anywhere: the last messages again, in full.
    Messages,
    /// Client record: assess or reassess.
    Assess,
    /// Client record: set a goal.
    NewGoal,
    /// Client record: change a goal's status.
    GoalStatus,
    /// Client record: choose a service to prescribe; directory: prescribe this one.
    Prescribe,
    /// Client record: a prescription's consent, export or hand-over state.
    HandOver,
    /// Directory: the selected service's capacity; its waiting list.
    Capacity,
    WaitingList,
    /// Dashboard: save the weekly summary.
    SaveSummary,
    /// Directory: only services accepting referrals, or all.
    AcceptingOnly,
    /// Directory: only services open to the selected client's age, or all.
    FitsClient,
    /// Find anyone, from anywhere.
    Find,
    /// Today: the selected appointment was attended / missed.
    Attended,
    Missed,
    /// Today: move the selected appointment or follow-up to another time.
    Reschedule,
    /// Today: cancel the selected appointment (asks why).
    CancelAppointment,
    /// Client record: set the next follow-up; book an appointment.
    FollowUp,
    BookAppointment,
    /// Client record: correct the person's details.
    EditDetails,
    /// Client record: raise a safeguarding concern, or close the open one.
    Safeguarding,
    /// Directory: add a local service by hand; accepting referrals on or off.
    NewService,
    ToggleAccepting,
    /// Directory: scroll the selected service's details.
    DetailDown,
    DetailUp,
    /// Directory: only services free of charge; open on a day; in a district.
    FreeOnly,
    OpenOn,
    District,
}

/// A key as the map spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: false }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}
const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true }
}

impl Key {
    /// Does a key event from the terminal match? Shift is part of the character
    /// (`G`, `?`), so it is not compared; Control is.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ev_ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        if self.ctrl != ev_ctrl {
            return false;
        }
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
            (a, b) => a == b,
        }
    }
}

/// One line of the key map: the keys, how they are written on screen, what they do.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// The few words the bottom bar shows; empty for bindings only the help
    /// overlay lists.
    pub bar: &'static str,
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    help: &'static str,
    bar: &'static str,
) -> Binding {
    Binding { keys, label, action, help, bar }
}

/// Where keys go right now: the top popup, a text field, or a pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Pane(Pane),
    FilterInput,
    Help,
    Confirm,
    WorkerPrompt,
    /// The new-referral form.
    Form,
    /// A one-line prompt (decline reason, transfer, booking date).
    Prompt,
    /// A numbered choice (contact attempt outcome, closing outcome).
    Choice,
    /// A form with multi-line text: Enter is a new line, Ctrl+S saves.
    LongForm,
    /// The find box: typing searches everyone.
    Find,
}

const MOVE: &[Binding] = &[
    bind(&[ch('j'), code(KeyCode::Down)], "j/k ↓/↑", Action::Down, "move down / up", ""),
    bind(&[ch('k'), code(KeyCode::Up)], "", Action::Up, "", ""),
    bind(&[code(KeyCode::PageDown)], "PgDn/PgUp", Action::PageDown, "page down / up", ""),
    bind(&[code(KeyCode::PageUp)], "", Action::PageUp, "", ""),
    bind(&[ch('g'), code(KeyCode::Home)], "g/G", Action::First, "first / last", ""),
    bind(&[ch('G'), code(KeyCode::End)], "", Action::Last, "", ""),
];

const CASELOAD: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Open, "open the client's record", "open"),
    bind(&[ch('n')], "n", Action::NewReferral, "new referral", "new"),
    bind(&[ch('/')], "/", Action::Filter, "filter by name or NHS number", "filter"),
    bind(&[ch('v')], "v", Action::NextView, "next list: triage, mine, waiting, follow-ups, closed, all", "list"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "clear the filter", ""),
];

/// One key per triage decision on the selected referral; each moves on to the
/// next. Most used first: the bottom bar shows as many as fit, in this order.
const TRIAGE: &[Binding] = &[
    bind(&[ch('a')], "a", Action::Accept, "accept onto my caseload", "accept"),
    bind(&[ch('c')], "c", Action::Attempt, "log a contact attempt (reached, no answer...)", "contact"),
    bind(&[ch('b')], "b", Action::Book, "book the first appointment", "book"),
    bind(&[ch('d')], "d", Action::Decline, "declined (records SNOMED 871711000000103)", "decline"),
    bind(&[ch('o')], "o", Action::CloseEpisode, "close with an outcome", "close"),
    bind(&[ch('t')], "t", Action::Transfer, "transfer elsewhere", "transfer"),
    bind(&[ch('x')], "x", Action::UnableToContact, "unable to contact (after the set attempts)", "unable"),
    bind(&[ch('u')], "u", Action::Undo, "undo the last triage decision", "undo"),
];

const CLIENT: &[Binding] = &[
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "back to where the record was opened from", "back"),
    bind(&[ch('h')], "h", Action::History, "show or hide the record's history (audit trail)", "history"),
    bind(&[ch('w')], "w", Action::Measure, "record a wellbeing measure (ONS4, SWEMWBS, UCLA-3)", "measure"),
    bind(&[ch('a')], "a", Action::Assess, "assess or reassess: what matters, needs, strengths", "assess"),
    bind(&[ch('o')], "o", Action::NewGoal, "set a goal with the steps agreed", ""),
    bind(&[ch('s')], "s", Action::GoalStatus, "change a goal's status", ""),
    bind(&[ch('l')], "l", Action::LogContact, "log a contact or session", "log"),
    bind(&[ch('n')], "n", Action::ReadContact, "read a recent contact in full", ""),
    bind(&[ch('m')], "m", Action::Unmet, "record a need no local service meets", ""),
    bind(&[ch('p')], "p", Action::Prescribe, "prescribe: choose a service in the directory", "prescribe"),
    bind(&[ch('e')], "e", Action::HandOver, "a prescription: consent, signed export, next state", ""),
    bind(&[ch('f')], "f", Action::FollowUp, "set the next follow-up date (and a note)", "follow-up"),
    bind(&[ch('b')], "b", Action::BookAppointment, "book an appointment", "book"),
    bind(&[ch('E')], "E", Action::EditDetails, "correct the person's details (each change audited)", "edit"),
    bind(&[ch('S')], "S", Action::Safeguarding, "raise a safeguarding concern, or close the open one", "safeguarding"),
    bind(&[ch('x')], "x", Action::CloseEpisode, "close the episode with an outcome (as o in the caseload)", "close"),
];

const DIRECTORY: &[Binding] = &[
    bind(&[ch('/')], "/", Action::Filter, "search services", "search"),
    bind(&[ch('p')], "p", Action::Prescribe, "prescribe this service for the client on screen", "prescribe"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "clear the search", ""),
    bind(&[ch('m')], "m", Action::Unmet, "record a need no local service meets (for the client in the caseload)", ""),
    bind(&[ch('M')], "M", Action::UnmetView, "unmet needs by code, with counts", ""),
    bind(&[ch('a')], "a", Action::AcceptingOnly, "only services accepting referrals (again: all)", "accepting"),
    bind(&[ch('f')], "f", Action::FitsClient, "only services open to the selected client's age (again: all)", "fits"),
    bind(&[ch('c')], "c", Action::Capacity, "set capacity: places a week, month, quarter or year", ""),
    bind(&[ch('w')], "w", Action::WaitingList, "set how many are on its waiting list", ""),
    bind(&[ch('n')], "n", Action::NewService, "add a local service by hand (imports never touch it)", "new"),
    bind(
        &[ch('t')],
        "t",
        Action::ToggleAccepting,
        "accepting referrals: on or off for the selected service",
        "accepting on/off",
    ),
    bind(&[ch('F')], "F", Action::FreeOnly, "only services free of charge (again: all)", "free"),
    bind(&[ch('O')], "O", Action::OpenOn, "only services open on a day of the week (asks which; blank: any)", ""),
    bind(
        &[ch('D')],
        "D",
        Action::District,
        "only services in a postcode district or area, e.g. LS6 (blank: anywhere)",
        "",
    ),
    bind(&[ch('J')], "J/K", Action::DetailDown, "scroll the service's details down / up", ""),
    bind(&[ch('K')], "", Action::DetailUp, "", ""),
];

const TODAY: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Open, "open the person's record", "open"),
    bind(&[ch('l')], "l", Action::LogContact, "log a contact with the person", "log"),
    bind(&[ch('a')], "a", Action::Attended, "appointment attended: logged as a contact", "attended"),
    bind(&[ch('d')], "d", Action::Missed, "appointment missed: did not attend", "missed"),
    bind(
        &[ch('m')],
        "m",
        Action::Reschedule,
        "move: the appointment to another time, the follow-up to another day",
        "move",
    ),
    bind(&[ch('x')], "x", Action::CancelAppointment, "cancel the appointment (asks why)", "cancel"),
];

const DASHBOARD: &[Binding] = &[
    bind(&[ch('s')], "s", Action::SaveSummary, "save the weekly summary (HTML, Markdown, CSV or JSON)", "save summary"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "back to the caseload", "back"),
];

const GLOBAL: &[Binding] = &[
    bind(&[ch('1')], "1-5", Action::Focus(Pane::Caseload), "caseload / client / directory / dashboard / today", ""),
    bind(&[ch('2')], "", Action::Focus(Pane::Client), "", ""),
    bind(&[ch('3')], "", Action::Focus(Pane::Directory), "", ""),
    bind(&[ch('4')], "", Action::Focus(Pane::Dashboard), "", ""),
    bind(&[ch('5')], "", Action::Focus(Pane::Today), "", ""),
    bind(&[ctrl('f')], "Ctrl+F", Action::Find, "find anyone: name, NHS number or phone, open or closed", "find"),
    bind(&[code(KeyCode::Tab)], "Tab", Action::NextPane, "next pane", ""),
    bind(&[ch('r')], "r", Action::Refresh, "refresh from the database", ""),
    bind(&[ch('L')], "L", Action::Messages, "the last messages again, in full", ""),
    bind(&[ch('?')], "?", Action::Help, "help: all keys", "help"),
    bind(&[ch('q')], "q", Action::Quit, "quit", "quit"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit from anywhere", ""),
];

const FILTER_INPUT: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Submit, "keep the filter", "keep"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "clear it", "clear"),
    bind(&[code(KeyCode::Down)], "↓/↑", Action::Down, "move in the list", "move"),
    bind(&[code(KeyCode::Up)], "", Action::Up, "", ""),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const HELP: &[Binding] = &[
    bind(&[code(KeyCode::Esc), ch('?'), ch('q')], "Esc", Action::Back, "close help", "close"),
    bind(&[ch('j'), code(KeyCode::Down)], "j/k", Action::Down, "scroll", "scroll"),
    bind(&[ch('k'), code(KeyCode::Up)], "", Action::Up, "", ""),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const FORM: &[Binding] = &[
    bind(&[code(KeyCode::Tab), code(KeyCode::Down)], "Tab/↓ ↑", Action::NextField, "next / previous field", "field"),
    bind(&[code(KeyCode::BackTab), code(KeyCode::Up)], "", Action::PrevField, "", ""),
    bind(&[code(KeyCode::Enter)], "Enter", Action::Submit, "save the referral", "save"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "cancel (asks if you typed anything)", "cancel"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const PROMPT: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Submit, "save", "save"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "cancel", "cancel"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const CHOICE: &[Binding] = &[
    bind(&[ch('1')], "1-9", Action::Choose(1), "choose", "choose"),
    bind(&[ch('2')], "", Action::Choose(2), "", ""),
    bind(&[ch('3')], "", Action::Choose(3), "", ""),
    bind(&[ch('4')], "", Action::Choose(4), "", ""),
    bind(&[ch('5')], "", Action::Choose(5), "", ""),
    bind(&[ch('6')], "", Action::Choose(6), "", ""),
    bind(&[ch('7')], "", Action::Choose(7), "", ""),
    bind(&[ch('8')], "", Action::Choose(8), "", ""),
    bind(&[ch('9')], "", Action::Choose(9), "", ""),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "cancel", "cancel"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const LONG_FORM: &[Binding] = &[
    bind(&[code(KeyCode::Tab)], "Tab", Action::NextField, "next field / previous (Shift+Tab)", "next"),
    bind(&[code(KeyCode::BackTab)], "", Action::PrevField, "", ""),
    bind(&[ctrl('s')], "Ctrl+S", Action::Submit, "save", "save"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "cancel (asks if you changed anything)", "cancel"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const FIND: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Open, "open the record", "open"),
    bind(&[code(KeyCode::Down)], "↓/↑", Action::Down, "move in the list", "move"),
    bind(&[code(KeyCode::Up)], "", Action::Up, "", ""),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "close", "close"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

const CONFIRM: &[Binding] = &[
    bind(&[ch('y')], "y", Action::Yes, "yes", "yes"),
    bind(&[ch('n'), code(KeyCode::Esc)], "n/Esc", Action::No, "no", "no"),
];

const WORKER_PROMPT: &[Binding] = &[
    bind(&[code(KeyCode::Enter)], "Enter", Action::Submit, "save your name", "save"),
    bind(&[code(KeyCode::Esc)], "Esc", Action::Back, "not now", "not now"),
    bind(&[ctrl('c')], "Ctrl+C", Action::ForceQuit, "quit", ""),
];

/// The groups of bindings that work in a context, in the order they are looked up
/// and shown.
pub fn groups(ctx: Context) -> Vec<(&'static str, &'static [Binding])> {
    match ctx {
        Context::Pane(Pane::Caseload) => {
            vec![("Caseload", CASELOAD), ("Triage the selected referral", TRIAGE), ("Move", MOVE), ("Anywhere", GLOBAL)]
        }
        Context::Pane(Pane::Client) => vec![("Client record", CLIENT), ("Scroll", MOVE), ("Anywhere", GLOBAL)],
        Context::Pane(Pane::Directory) => {
            vec![("Service directory", DIRECTORY), ("Move", MOVE), ("Anywhere", GLOBAL)]
        }
        Context::Pane(Pane::Dashboard) => vec![("Dashboard", DASHBOARD), ("Anywhere", GLOBAL)],
        Context::Pane(Pane::Today) => vec![("Today", TODAY), ("Move", MOVE), ("Anywhere", GLOBAL)],
        Context::Find => vec![("Find anyone", FIND)],
        Context::FilterInput => vec![("Typing a filter", FILTER_INPUT)],
        Context::Help => vec![("Help", HELP)],
        Context::Confirm => vec![("Confirm", CONFIRM)],
        Context::WorkerPrompt => vec![("Your name", WORKER_PROMPT)],
        Context::Form => vec![("Form", FORM)],
        Context::Prompt => vec![("Prompt", PROMPT)],
        Context::Choice => vec![("Choose", CHOICE)],
        Context::LongForm => vec![("Assessment", LONG_FORM)],
    }
}

/// The action a key asks for in a context, if any.
pub fn lookup(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    groups(ctx).into_iter().flat_map(|(_, b)| b.iter()).find(|b| b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action)
}

/// The bottom bar's hints for a context, most wanted first: (keys, what they
/// do). On the caseload the triage keys come first: they are pressed most.
pub fn bar(ctx: Context) -> Vec<(&'static str, &'static str)> {
    let mut groups = groups(ctx);
    if ctx == Context::Pane(Pane::Caseload) {
        groups.swap(0, 1);
    }
    groups.into_iter().flat_map(|(_, b)| b.iter()).filter(|b| !b.bar.is_empty()).map(|b| (b.label, b.bar)).collect()
}

/// The help overlay's lines for the pane under it: (group, keys, what they do).
/// Bindings with an empty label are folded into the line before them.
pub fn help_lines(pane: Pane) -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    groups(Context::Pane(pane))
        .into_iter()
        .map(|(name, b)| (name, b.iter().filter(|b| !b.label.is_empty()).map(|b| (b.label, b.help)).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn shift_is_part_of_the_character() {
        let ev = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Pane(Pane::Caseload), &ev), Some(Action::Last));
        let ev = key(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Pane(Pane::Directory), &ev), Some(Action::Help));
    }

    #[test]
    fn control_is_compared() {
        let ev = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Pane(Pane::Caseload), &ev), Some(Action::ForceQuit));
        let ev = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Pane(Pane::Caseload), &ev), Some(Action::Attempt), "plain c is a contact attempt");
    }

    #[test]
    fn popups_see_only_their_own_keys() {
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Confirm, &q), None);
        assert_eq!(lookup(Context::Help, &q), Some(Action::Back));
        assert_eq!(lookup(Context::FilterInput, &q), None, "typed into the filter");
    }

    #[test]
    fn every_bar_hint_is_a_bound_key() {
        for ctx in [
            Context::Pane(Pane::Caseload),
            Context::Pane(Pane::Client),
            Context::Pane(Pane::Directory),
            Context::FilterInput,
            Context::Help,
            Context::Confirm,
            Context::WorkerPrompt,
            Context::Form,
            Context::Prompt,
            Context::Choice,
            Context::LongForm,
            Context::Find,
            Context::Pane(Pane::Today),
        ] {
            for (label, _) in bar(ctx) {
                assert!(!label.is_empty(), "{ctx:?}");
            }
        }
    }
}

//! The application: state plus the store it reads from, and `update`, the one
//! place state changes. Data is read from the store here, when something changed,
//! never while drawing.

use anyhow::Result;
use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::forms::{Ask, CLOSE_OUTCOMES, Choose, ContactForm, GoalForm, LineForm, MeasureForm, ReferralForm};
use super::keymap::{self, Action, Context};
use super::state::{LineInput, Message, Pane, Popup, Question, State};
use super::theme::Theme;
use super::{client, draw};
use crate::domain::intake::{parse_date, validate};
use crate::domain::triage::{self, Attempt};
use crate::storage::caseload::{self, Filter};
use crate::storage::{self, Store, directory};
use crate::storage::{prescriptions, referrals};

/// How many characters a filter or name field takes.
const FIELD_MAX: usize = 100;

/// Who is on screen: the selected row (referral, client, NHS number) and the
/// open record (client, NHS number).
type OnScreen = (Option<(i64, i64, String)>, Option<(i64, String)>);

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
            dashboard: None,
            message: None,
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
        self.state.popup = Some(Popup::Notice { title: "Two open referrals for one person".to_owned(), text });
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Where keys go now: the top popup, a text field being typed in, or the pane.
    pub fn context(&self) -> Context {
        match &self.state.popup {
            Some(p) => super::draw::popup_context(p),
            None if self.editing_filter() => Context::FilterInput,
            None => Context::Pane(self.state.pane),
        }
    }

    fn editing_filter(&self) -> bool {
        match self.state.pane {
            Pane::Caseload => self.state.caseload.editing_filter,
            Pane::Directory => self.state.directory.editing_filter,
            Pane::Client | Pane::Dashboard => false,
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

    /// Who is on screen: the selected row's referral, client and NHS number, and
    /// the open record's client and NHS number.
    fn on_screen(&self) -> OnScreen {
        let row = self.state.caseload.list.selected_row().map(|r| (r.referral_id, r.client_id, r.nhs_number.clone()));
        let record = self.state.client.detail.as_ref().map(|d| (d.client.id, d.client.nhs_number.clone()));
        (row, record)
    }

    /// Before acting on a key: has another program changed the database? If it
    /// was replaced (a restore), everything is read again, open forms and the
    /// undo are dropped (their ids may now name other people) and the key is not
    /// acted on. After another program's ordinary writes, the lists are read
    /// again; the key goes ahead only if the same people are still on screen.
    /// Returns whether the key may be acted on.
    pub fn sync_with_database(&mut self) -> bool {
        let outside = match self.store.changed_outside() {
            Ok(o) => o,
            Err(e) => {
                self.error(&format!("Could not read the database again: {e:#}"));
                return false;
            }
        };
        if outside == storage::Outside::Unchanged {
            return true;
        }
        // A restore into the same file changes the generation as well.
        let generation = self.store.generation().ok().flatten();
        let replaced = outside == storage::Outside::Replaced || generation != self.generation;
        let before = self.on_screen();
        self.generation = generation;
        if replaced {
            self.state.undo = None;
            self.target = None;
            self.state.popup = None;
            self.state.client.detail = None;
            self.state.client.opened = None;
            self.state.client.history = None;
            self.state.directory.detail = None;
            self.reload_all();
            // At most 80 columns: the whole sentence must show on the smallest screen.
            self.error("Restored by another program: read again, undo cleared. Check who is selected.");
            return false;
        }
        self.reload_all();
        if self.state.pane == Pane::Client && before.1.is_some() {
            self.state.client.detail = None;
            self.load_client();
        }
        if self.on_screen() != before {
            self.info("Another linkwork changed the list: read again. Check who is selected.");
            return false;
        }
        true
    }

    /// Write the view records that had to wait for another program's write,
    /// waiting at most `wait` for it.
    fn write_pending_views(&mut self, wait: std::time::Duration) {
        while let Some((client, episodes, at)) = self.pending_views.first().cloned() {
            match storage::client::record_view(&self.store, client, episodes, Some(&at), wait) {
                Ok(true) => {
                    self.pending_views.remove(0);
                }
                Ok(false) => return,
                Err(e) => return self.error(&format!("Could not record viewing a record: {e:#}")),
            }
        }
    }

    /// On quit: the views still waiting are written, waiting for the other
    /// writer as long as any write would. An error says how many could not be.
    pub fn finish(&mut self) -> Result<()> {
        self.write_pending_views(storage::BUSY_TIMEOUT);
        if !self.pending_views.is_empty() {
            anyhow::bail!(
                "{} opening(s) of a record could not be written to the audit trail: another program held \
                 the database for too long",
                self.pending_views.len()
            );
        }
        Ok(())
    }

    /// Keys no binding claims go to the text field of the context, if it has one.
    fn type_into_field(&mut self, ctx: Context, key: &KeyEvent) {
        match ctx {
            Context::FilterInput => {
                let changed = match self.state.pane {
                    Pane::Caseload => self.state.caseload.filter.edit(key),
                    Pane::Directory => self.state.directory.filter.edit(key),
                    Pane::Client | Pane::Dashboard => false,
                };
                if changed {
                    self.reload_list();
                }
            }
            Context::LongForm => {
                if let Some(Popup::Assessment(form)) = &mut self.state.popup {
                    form.key(key);
                }
            }
            Context::WorkerPrompt | Context::Prompt | Context::Form => match &mut self.state.popup {
                Some(Popup::WorkerPrompt { input }) | Some(Popup::Prompt { input, .. }) => {
                    input.edit(key);
                }
                Some(Popup::Measure(form)) => {
                    let focus = form.focus;
                    let changed = form.edit(key);
                    // Single-digit items move on by themselves (ONS4 goes to 10).
                    let is_item = focus + 1 < form.fields.len();
                    if changed
                        && is_item
                        && form.instrument != crate::domain::referral::Instrument::Ons4
                        && form.fields[focus].text.chars().count() == 1
                        && form.item_problem(focus).is_none()
                    {
                        form.move_focus(1);
                    }
                }
                Some(p) => {
                    if let Some(form) = p.line_form() {
                        form.edit(key);
                    }
                }
                None => {}
            },
            _ => {}
        }
    }

    /// The one place state changes in answer to the person.
    pub fn update(&mut self, action: Action) {
        match self.context() {
            Context::Help => return self.update_help(action),
            Context::Confirm => return self.update_confirm(action),
            Context::WorkerPrompt => return self.update_worker_prompt(action),
            Context::Form => return self.update_form(action),
            Context::Prompt => return self.update_prompt(action),
            Context::Choice => return self.update_choice(action),
            Context::LongForm => return self.update_form(action),
            _ => {}
        }
        let page = self.page_rows() as isize;
        match action {
            Action::Quit | Action::ForceQuit => self.request_quit(),
            Action::Focus(p) => self.focus(p),
            Action::NextPane => self.focus(self.state.pane.next()),
            Action::Help => self.state.popup = Some(Popup::Help { scroll: 0 }),
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
            Action::Open => {
                if self.state.pane == Pane::Caseload {
                    if self.state.caseload.list.selected_row().is_some() {
                        self.focus(Pane::Client);
                    } else {
                        self.info("No referral selected.");
                    }
                }
            }
            Action::Filter => match self.state.pane {
                Pane::Caseload => self.state.caseload.editing_filter = true,
                Pane::Directory => self.state.directory.editing_filter = true,
                Pane::Client | Pane::Dashboard => {}
            },
            Action::Submit => match self.state.pane {
                Pane::Caseload => self.state.caseload.editing_filter = false,
                Pane::Directory => self.state.directory.editing_filter = false,
                Pane::Client | Pane::Dashboard => {}
            },
            Action::Back => self.back(),
            Action::NextView => {
                self.state.caseload.view = self.state.caseload.view.next();
                self.reload_list();
            }
            Action::NewReferral => match referrals::reason_codes(self.store.conn()) {
                Ok(codes) => {
                    self.state.popup = Some(Popup::NewReferral(Box::new(ReferralForm::new(codes, self.state.today))))
                }
                Err(e) => self.error(&format!("Could not read the reason codes: {e:#}")),
            },
            Action::Accept => self.on_selected(|app, id, _| {
                let _ = app.triage(id, triage::Action::Accept);
            }),
            Action::UnableToContact => self.on_selected(|app, id, _| {
                let _ = app.triage(id, triage::Action::UnableToContact);
            }),
            Action::Attempt => self.on_selected(|app, id, who| {
                app.state.popup = Some(Popup::Choice { choose: Choose::Attempt, subject: id, who });
            }),
            Action::CloseEpisode => self.on_selected(|app, id, who| {
                app.state.popup = Some(Popup::Choice { choose: Choose::Outcome, subject: id, who });
            }),
            Action::Book => self.on_selected(|app, id, who| {
                let mut input = LineInput::new(10);
                input.text = next_working_day(app.state.today).to_string();
                input.cursor = 10;
                app.state.popup = Some(Popup::Prompt { ask: Ask::BookOn, subject: id, who, input, error: None });
            }),
            Action::Decline | Action::Transfer => self.on_selected(|app, id, who| {
                let ask = if action == Action::Decline { Ask::DeclineReason } else { Ask::TransferTo };
                let input = LineInput::new(500);
                app.state.popup = Some(Popup::Prompt { ask, subject: id, who, input, error: None });
            }),
            Action::Undo => self.undo(),
            Action::History => self.toggle_history(),
            Action::Unmet => {
                // About the person on screen, or the one selected in the caseload.
                let client = match self.state.pane {
                    Pane::Client => self.state.client.detail.as_ref().map(|d| d.client.id),
                    _ => self.state.caseload.list.selected_row().map(|r| r.client_id),
                };
                let who = match (&self.state.client.detail, client) {
                    (Some(d), Some(id)) if d.client.id == id => format!("For {} (kept by id only)", d.client.name),
                    (_, Some(id)) => format!("For client {id} (kept by id only)"),
                    _ => "Not about a particular person".to_owned(),
                };
                let codes = crate::storage::referrals::need_codes(self.store.conn()).unwrap_or_default();
                self.state.popup = Some(Popup::Prompt {
                    ask: Ask::UnmetNeed,
                    subject: client.unwrap_or(0),
                    who,
                    input: LineInput::new(500),
                    error: Some(format!("codes: {}", codes.join(" "))),
                });
            }
            Action::Assess => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                let id = d.client.id;
                match crate::storage::referrals::need_labels(self.store.conn()) {
                    Ok(codes) => {
                        let form = super::assessment::AssessmentForm::new(id, &codes, d.assessment.as_ref());
                        self.state.popup = Some(Popup::Assessment(Box::new(form)));
                    }
                    Err(e) => self.error(&format!("Could not read the need codes: {e:#}")),
                }
            }
            Action::NewGoal => {
                if self.state.pane != Pane::Client {
                    return;
                }
                match self.state.client.detail.as_ref().map(|d| d.client.id) {
                    Some(id) => self.state.popup = Some(Popup::Goal(Box::new(GoalForm::new(id)))),
                    None => self.info("No client on screen."),
                }
            }
            Action::Prescribe => self.prescribe(),
            Action::SaveSummary => {
                if self.state.pane == Pane::Dashboard {
                    self.state.popup =
                        Some(Popup::SaveSummary(Box::new(super::forms::SummaryForm::new(self.state.today))));
                }
            }
            Action::HandOver => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let items: Vec<(i64, String)> = self
                    .state
                    .client
                    .detail
                    .as_ref()
                    .map(|d| {
                        d.prescriptions
                            .iter()
                            .take(9)
                            .map(|p| (p.id, format!("{} ({})", p.service_name, p.state.label())))
                            .collect()
                    })
                    .unwrap_or_default();
                match items.as_slice() {
                    [] => self.info("No social prescriptions yet: p chooses a service."),
                    [(id, _)] => self.prescription_steps(*id),
                    _ => self.state.popup = Some(Popup::PrescriptionPick { items }),
                }
            }
            Action::GoalStatus => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let goals: Vec<(i64, String)> = self
                    .state
                    .client
                    .detail
                    .as_ref()
                    .map(|d| d.goals.iter().take(9).map(|g| (g.id, g.title.clone())).collect())
                    .unwrap_or_default();
                if goals.is_empty() {
                    return self.info("No goals yet: o sets one.");
                }
                self.state.popup = Some(Popup::GoalPick { goals });
            }
            Action::LogContact => {
                if self.state.pane != Pane::Client {
                    return;
                }
                match self.state.client.detail.as_ref().map(|d| d.client.id) {
                    Some(id) => {
                        self.state.popup = Some(Popup::Contact(Box::new(ContactForm::new(id, self.state.today))))
                    }
                    None => self.info("No client on screen."),
                }
            }
            Action::Measure => {
                if self.state.pane != Pane::Client {
                    return;
                }
                match &self.state.client.detail {
                    Some(d) => {
                        let (id, who) = (d.client.id, d.client.name.clone());
                        self.state.popup = Some(Popup::Choice { choose: Choose::Instrument, subject: id, who });
                    }
                    None => self.info("No client on screen."),
                }
            }
            Action::AcceptingOnly => {
                let d = &mut self.state.directory;
                d.accepting_only = !d.accepting_only;
                let on = d.accepting_only;
                self.reload_directory();
                self.info(if on { "Showing only services accepting referrals." } else { "Showing all services." });
            }
            Action::FitsClient => {
                if self.state.directory.age.take().is_some() {
                    self.reload_directory();
                    return self.info("Showing services for any age.");
                }
                let Some(row) = self.state.caseload.list.selected_row() else {
                    return self.info("Select a client in the caseload first.");
                };
                let (id, name) = (row.client_id, row.name.clone());
                match crate::storage::client::age(self.store.conn(), id, self.state.today) {
                    Ok(Some(age)) => {
                        self.state.directory.age = Some(age);
                        self.reload_directory();
                        self.info(&format!("Showing services open to {name}, aged {age}."));
                    }
                    Ok(None) => self.info("That client has no record."),
                    Err(e) => self.error(&format!("Could not read the client: {e:#}")),
                }
            }
            Action::Capacity | Action::WaitingList => {
                if self.state.pane != Pane::Directory {
                    return;
                }
                let Some(d) = &self.state.directory.detail else { return self.info("No service selected.") };
                let (ask, text) = if action == Action::Capacity {
                    let now = d.capacity_places.zip(d.capacity_period.as_ref()).map(|(n, p)| format!("{n} a {p}"));
                    (Ask::Capacity, now.unwrap_or_default())
                } else {
                    (Ask::WaitingList, d.waiting_list.map(|n| n.to_string()).unwrap_or_default())
                };
                let mut input = LineInput::new(40);
                input.cursor = text.chars().count();
                input.text = text;
                let who = d.row.name.clone();
                self.state.popup = Some(Popup::Prompt { ask, subject: d.row.id, who, input, error: None });
            }
            Action::UnmetView => match directory::unmet_by_code(self.store.conn()) {
                Ok(rows) => self.state.popup = Some(Popup::Unmet(rows)),
                Err(e) => self.error(&format!("Could not read unmet needs: {e:#}")),
            },
            Action::Yes | Action::No | Action::NextField | Action::PrevField | Action::Choose(_) => {}
        }
    }

    /// Run a triage step on the referral selected in the caseload, if there is one.
    fn on_selected(&mut self, f: impl FnOnce(&mut App, i64, String)) {
        if self.state.pane != Pane::Caseload {
            return;
        }
        match self.state.caseload.list.selected_row() {
            Some(row) => {
                let (id, who) = (row.referral_id, format!("{} (referral {})", row.name, row.referral_id));
                self.target = Some((row.referral_id, row.nhs_number.clone()));
                f(self, id, who);
            }
            None => self.info("No referral selected."),
        }
    }

    /// Apply a triage decision, then move on to the next referral. On refusal the
    /// reason is returned (and shown) and nothing changes.
    fn triage(&mut self, referral_id: i64, action: triage::Action) -> Result<(), String> {
        let expected = self.target.as_ref().filter(|(id, _)| *id == referral_id).map(|(_, nhs)| nhs.clone());
        let Some(expected) = expected else {
            let why = "the person it was meant for is no longer on screen; select them again".to_owned();
            self.error(&format!("Not done: {why}"));
            return Err(why);
        };
        match referrals::decide_for(&mut self.store, referral_id, Some(&expected), &action, self.state.today) {
            Ok((t, undo)) => {
                let name = self.state.caseload.list.selected_row().map(|r| r.name.clone()).unwrap_or_default();
                self.state.undo = Some(undo);
                self.state.client.detail = None;
                self.reload_caseload();
                // Still on the same row (it stayed in this list)? Move on.
                if self.state.caseload.list.selected_row().map(|r| r.referral_id) == Some(referral_id) {
                    self.state.caseload.list.move_by(1);
                    self.fill_caseload();
                }
                self.info(&format!("{name}: {} ({} → {}). u undoes.", action.label(), t.from, t.to));
                Ok(())
            }
            Err(e) => {
                let why = format!("{e:#}");
                self.error(&format!("Not done: {why}"));
                Err(why)
            }
        }
    }

    /// Show the audit trail of the record on screen, scrolled to it; or hide it.
    fn toggle_history(&mut self) {
        if self.state.pane != Pane::Client {
            return;
        }
        if self.state.client.history.take().is_some() {
            self.state.client.scroll = 0;
            return;
        }
        let Some(id) = self.state.client.detail.as_ref().map(|d| d.client.id) else { return };
        match crate::storage::audit::list(self.store.conn(), Some(id), None, 50) {
            Ok(entries) => {
                let start = client::line_count(&self.state);
                self.state.client.history = Some(entries);
                let max = client::line_count(&self.state).saturating_sub(self.page_rows());
                self.state.client.scroll = start.min(max);
            }
            Err(e) => self.error(&format!("Could not read the record's history: {e:#}")),
        }
    }

    fn undo(&mut self) {
        let Some(u) = self.state.undo.take() else {
            return self.info("Nothing to undo.");
        };
        match referrals::undo(&mut self.store, &u) {
            Ok(()) => {
                self.state.client.detail = None;
                self.reload_caseload();
                // Back onto the referral the decision was about, when it is the one above.
                let list = &mut self.state.caseload.list;
                if list.selected > 0 && list.selected > list.cached_from {
                    let above = list.rows.get(list.selected - 1 - list.cached_from).map(|r| r.referral_id);
                    if above == Some(u.referral_id) {
                        list.move_by(-1);
                    }
                }
                self.info(&format!("Undone: {}.", u.label));
            }
            Err(e) => self.error(&format!("Could not undo: {e:#}")),
        }
    }

    /// Keys every form shares: moving between fields, leaving (asking first if
    /// anything was typed) and quitting. Saving is each form's own.
    fn update_form(&mut self, action: Action) {
        match action {
            Action::NextField | Action::PrevField => {
                let delta = if action == Action::NextField { 1 } else { -1 };
                match &mut self.state.popup {
                    Some(Popup::Assessment(f)) => f.move_focus(delta),
                    Some(p) => {
                        if let Some(f) = p.line_form() {
                            f.move_focus(delta);
                        }
                    }
                    None => {}
                }
            }
            Action::Back => {
                if self.has_unsaved_input() {
                    let under = self.state.popup.take().map(Box::new);
                    self.state.popup = Some(Popup::Confirm { question: Question::Discard, under });
                } else {
                    self.state.popup = None;
                }
            }
            Action::ForceQuit => self.request_quit(),
            Action::Submit if matches!(self.state.popup, Some(Popup::NewReferral(_))) => self.submit_referral(),
            Action::Submit if matches!(self.state.popup, Some(Popup::SaveSummary(_))) => self.save_summary(),
            Action::Submit => self.submit_client_form(),
            _ => {}
        }
    }

    /// Save a form about the client on screen: on success close it and read the
    /// record again; on refusal keep it open with the reason.
    fn submit_client_form(&mut self) {
        let today = self.state.today;
        let store = &mut self.store;
        let result: Result<String, String> = match &self.state.popup {
            Some(Popup::Measure(form)) => {
                let date = form.fields.last().map(|f| f.text.clone()).unwrap_or_default();
                form.items()
                    .and_then(|items| parse_date("date", &date).map(|d| (items, d)).map_err(|e| e.to_string()))
                    .and_then(|(items, day)| {
                        crate::storage::measures::add(
                            store,
                            form.client_id,
                            form.instrument,
                            &items,
                            day,
                            form.follow_up,
                            today,
                        )
                        .map_err(|e| format!("{e:#}"))
                    })
                    .map(|r| {
                        let score = match (r.score.raw, r.score.metric) {
                            (Some(raw), Some(metric)) => format!(": raw {raw}, metric {metric:.2}"),
                            (Some(raw), None) => format!(": total {raw}"),
                            _ => String::new(),
                        };
                        format!("{} recorded{score}.", form.instrument.label())
                    })
            }
            Some(Popup::Contact(form)) => form.contact().and_then(|c| {
                crate::storage::contacts::add(store, form.client_id, &c, today)
                    .map(|_| format!("{} on {} logged.", c.kind.label(), c.on))
                    .map_err(|e| format!("{e:#}"))
            }),
            Some(Popup::Goal(form)) => form.goal().and_then(|g| {
                crate::storage::goals::add(store, form.client_id, &g)
                    .map(|_| "Goal set.".to_owned())
                    .map_err(|e| format!("{e:#}"))
            }),
            Some(Popup::Prescribe(form)) => form.prescription().and_then(|p| {
                prescriptions::create(store, &p)
                    .map(|created| {
                        // A warning about the service first: the line is cut at the screen's edge.
                        let mut text: String = created.warnings.iter().map(|w| format!("Note: {w}. ")).collect();
                        text.push_str(&format!("Prescription {} saved as a draft.", created.id));
                        if p.consent.is_none() {
                            text.push_str(" Record consent before sending (e on the client record).");
                        } else {
                            text.push_str(" e on the client record exports it signed.");
                        }
                        text
                    })
                    .map_err(|e| format!("{e:#}"))
            }),
            Some(Popup::Assessment(form)) => {
                crate::storage::assessments::add(store, form.client_id, &form.entered(), today)
                    .map(|(_, version)| format!("Assessment version {version} saved."))
                    .map_err(|e| format!("{e:#}"))
            }
            _ => return,
        };
        match result {
            Ok(message) => {
                self.state.popup = None;
                self.state.client.detail = None;
                self.load_client();
                self.info(&message);
            }
            Err(why) => match &mut self.state.popup {
                Some(Popup::Measure(f)) => f.error = Some(why),
                Some(Popup::Contact(f)) => f.error = Some(why),
                Some(Popup::Goal(f)) => f.error = Some(why),
                Some(Popup::Prescribe(f)) => f.error = Some(why),
                Some(Popup::Assessment(f)) => f.error = Some(why),
                _ => {}
            },
        }
    }

    fn submit_referral(&mut self) {
        let Some(Popup::NewReferral(form)) = &mut self.state.popup else { return };
        match validate(&form.input(), &form.reason_codes, self.state.today) {
            Err(errors) => {
                form.errors = Some(errors);
                form.focus_first_error();
            }
            Ok(valid) => match referrals::add_confirmed(&mut self.store, &valid, form.same_person) {
                Ok(added) => {
                    self.state.popup = None;
                    self.reload_caseload();
                    if added.intake == referrals::Intake::Opened && added.warnings.is_empty() {
                        self.info(&format!("Referral {} added for {}.", added.referral_id, added.name));
                    } else {
                        // Said in full: the bottom line is cut at the screen's edge.
                        let mut text = added.describe();
                        for w in &added.warnings {
                            text.push_str(&format!("\nCheck: {w}."));
                        }
                        let title = match added.intake {
                            referrals::Intake::Opened => "Referral added",
                            referrals::Intake::Joined => "Referral joined the open episode",
                            referrals::Intake::AlreadyTaken => "Already taken in",
                        };
                        self.state.popup = Some(Popup::Notice { title: title.to_owned(), text });
                    }
                }
                Err(e) => match e.downcast_ref::<referrals::DifferentPerson>() {
                    Some(d) => {
                        form.on_file = Some(format!(
                            "NHS number {} is on file for {}, born {} (client {}), not {}, born {}. \
                             A different name and date of birth most often means a mistyped number.",
                            crate::domain::nhs::format_digits(&d.nhs_number),
                            d.on_file_name,
                            d.on_file_dob,
                            d.client_id,
                            d.given_name,
                            d.given_dob
                        ));
                        let under = self.state.popup.take().map(Box::new);
                        self.state.popup = Some(Popup::Confirm { question: Question::SamePerson, under });
                    }
                    None => self.error(&format!("Could not save the referral: {e:#}")),
                },
            },
        }
    }

    fn update_prompt(&mut self, action: Action) {
        let Some(Popup::Prompt { ask, subject, input, error, .. }) = &mut self.state.popup else {
            return;
        };
        match action {
            Action::Back => self.state.popup = None,
            Action::ForceQuit => self.request_quit(),
            Action::Submit => {
                let text = input.text.trim().to_owned();
                let id = *subject;
                if *ask == Ask::UnmetNeed {
                    let (code, description) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
                    let client = (id > 0).then_some(id);
                    let result = directory::record_unmet(&mut self.store, code, client, description, self.state.today);
                    match result {
                        Ok(_) => {
                            self.state.popup = None;
                            self.info(&format!("Unmet need recorded: {code}."));
                        }
                        Err(e) => {
                            if let Some(Popup::Prompt { error, .. }) = &mut self.state.popup {
                                *error = Some(format!("{e:#}"));
                            }
                        }
                    }
                    return;
                }
                if matches!(*ask, Ask::Capacity | Ask::WaitingList) {
                    let change = if *ask == Ask::Capacity {
                        super::forms::parse_capacity(&text)
                            .map(|c| directory::LocalChange { capacity: Some(c), ..Default::default() })
                    } else if text.is_empty() {
                        Ok(directory::LocalChange { waiting_list: Some(None), ..Default::default() })
                    } else {
                        text.parse::<i64>()
                            .map_err(|_| format!("'{text}' is not a number of people"))
                            .map(|n| directory::LocalChange { waiting_list: Some(Some(n)), ..Default::default() })
                    };
                    match change
                        .and_then(|c| directory::set_local(&mut self.store, id, &c).map_err(|e| format!("{e:#}")))
                    {
                        Ok(()) => {
                            self.state.popup = None;
                            self.refresh_directory();
                            self.info("Service changed.");
                        }
                        Err(why) => *error = Some(why),
                    }
                    return;
                }
                if *ask == Ask::ServiceDeclined {
                    let to = crate::domain::prescription::State::Declined;
                    match prescriptions::set_state(&mut self.store, id, to, Some(&text)) {
                        Ok(_) => {
                            self.state.popup = None;
                            self.reload_client_record();
                            self.info(&format!("Prescription {id}: declined. You still hold the duty of care."));
                        }
                        Err(e) => *error = Some(format!("{e:#}")),
                    }
                    return;
                }
                let decision = match ask {
                    Ask::DeclineReason => Ok(triage::Action::Decline(text)),
                    Ask::TransferTo => Ok(triage::Action::Transfer(text)),
                    Ask::BookOn => {
                        parse_date("appointment", &text).map(triage::Action::Book).map_err(|e| e.to_string())
                    }
                    Ask::UnmetNeed | Ask::ServiceDeclined | Ask::Capacity | Ask::WaitingList => return,
                };
                match decision {
                    Err(why) => *error = Some(why),
                    Ok(decision) => match self.triage(id, decision) {
                        Ok(()) => self.state.popup = None,
                        Err(why) => {
                            if let Some(Popup::Prompt { error, .. }) = &mut self.state.popup {
                                *error = Some(why);
                            }
                        }
                    },
                }
            }
            _ => {}
        }
    }

    /// `p`: on the client record, go to the directory to choose a service; in the
    /// directory, open the prescription form for the selected service.
    fn prescribe(&mut self) {
        match self.state.pane {
            Pane::Client => match &self.state.client.detail {
                Some(d) => {
                    let name = d.client.name.clone();
                    self.state.pane = Pane::Directory;
                    self.info(&format!("Choose a service for {name} (/ searches), then press p."));
                }
                None => self.info("No client on screen."),
            },
            Pane::Directory => {
                let Some(service) = self.state.directory.list.selected_row() else {
                    return self.info("No service selected.");
                };
                let (service_id, service) = (service.id, service.name.clone());
                let client = match &self.state.client.detail {
                    Some(d) => Some((d.client.id, d.client.name.clone())),
                    None => self.state.caseload.list.selected_row().map(|r| (r.client_id, r.name.clone())),
                };
                let Some((client_id, name)) = client else {
                    return self.info("Open a client's record first (1, then Enter), then choose the service.");
                };
                let form = super::forms::PrescribeForm::new(client_id, &name, service_id, &service);
                self.state.popup = Some(Popup::Prescribe(Box::new(form)));
            }
            Pane::Caseload | Pane::Dashboard => {}
        }
    }

    /// Offer what can be done next to prescription `id`.
    fn prescription_steps(&mut self, id: i64) {
        let row = self.state.client.detail.as_ref().and_then(|d| d.prescriptions.iter().find(|p| p.id == id));
        let Some(row) = row else { return };
        let steps = super::forms::steps(row);
        let (service, state) = (row.service_name.clone(), row.state);
        if steps.is_empty() {
            let said = format!("{service}: {}: it cannot change any more (p makes a new prescription).", state.label());
            return self.info(&said);
        }
        self.state.popup = Some(Popup::PrescriptionStep { id, service, state, steps });
    }

    fn update_prescription_choice(&mut self, action: Action) {
        use super::forms::Step;
        match (action, self.state.popup.take()) {
            (Action::Choose(n), Some(Popup::PrescriptionPick { items })) => match items.get(n - 1) {
                Some((id, _)) => self.prescription_steps(*id),
                None => self.state.popup = Some(Popup::PrescriptionPick { items }),
            },
            (Action::Choose(n), Some(Popup::PrescriptionStep { id, service, state, steps })) => {
                let Some((step, _)) = steps.get(n - 1).cloned() else {
                    self.state.popup = Some(Popup::PrescriptionStep { id, service, state, steps });
                    return;
                };
                let done = match step {
                    Step::Consent(c) => prescriptions::record_consent(&mut self.store, id, c)
                        .map(|()| format!("Prescription {id}: {c} consent recorded. e exports it.")),
                    Step::Export => self.export_referral(id),
                    Step::To(crate::domain::prescription::State::Declined) => {
                        self.state.popup = Some(Popup::Prompt {
                            ask: Ask::ServiceDeclined,
                            subject: id,
                            who: service,
                            input: LineInput::new(500),
                            error: None,
                        });
                        return;
                    }
                    Step::To(to) => prescriptions::set_state(&mut self.store, id, to, None).map(|from| {
                        let duty = crate::domain::prescription::duty_of_care(to, &service);
                        format!("Prescription {id}: {} → {}. {duty}", from.label(), to.label())
                    }),
                };
                self.reload_client_record();
                match done {
                    Ok(text) => self.info(&text),
                    Err(e) => self.error(&format!("Not done: {e:#}")),
                }
            }
            (Action::ForceQuit, _) => self.request_quit(),
            (Action::Back, _) => {}
            (_, popup) => self.state.popup = popup,
        }
    }

    /// Export a signed referral into the exports folder beside the database.
    fn export_referral(&mut self, id: i64) -> Result<String> {
        let dir = self.store.path().parent().unwrap_or(std::path::Path::new(".")).join("exports");
        storage::create_data_dir(&dir)?;
        let path = dir.join(crate::exports::default_export_name(id));
        let done = crate::exports::export_referral(&mut self.store, id, crate::exports::to_file(&path))?;
        Ok(format!(
            "Signed referral saved: {} (sha256 {}…). Send it to the service securely (e.g. NHSmail).",
            path.display(),
            &done.sha256[..12]
        ))
    }

    /// A new day while the program is open: dates, overdue marks and "no
    /// response" prescriptions follow it.
    pub fn new_day(&mut self, today: NaiveDate) {
        self.state.today = today;
        self.mark_no_response();
        self.reload_all();
    }

    /// Sent prescriptions with no answer in time become "no response"; says so.
    fn mark_no_response(&mut self) -> Option<usize> {
        match prescriptions::mark_no_response(&mut self.store, self.state.today) {
            Ok(0) => None,
            Ok(n) => {
                self.error(&format!(
                    "{n} prescription{} had no answer in time: marked no response (see the Waiting list).",
                    if n == 1 { "" } else { "s" }
                ));
                Some(n)
            }
            Err(e) => {
                self.error(&format!("Could not check for unanswered prescriptions: {e:#}"));
                None
            }
        }
    }

    /// Read the record on screen again after a change.
    fn reload_client_record(&mut self) {
        self.state.client.detail = None;
        self.load_client();
    }

    fn update_goal_choice(&mut self, action: Action) {
        match (action, self.state.popup.take()) {
            (Action::Choose(n), Some(Popup::GoalPick { goals })) => match goals.get(n - 1) {
                Some((goal_id, title)) => {
                    self.state.popup = Some(Popup::GoalStatus { goal_id: *goal_id, title: title.clone() })
                }
                None => self.state.popup = Some(Popup::GoalPick { goals }),
            },
            (Action::Choose(n), Some(Popup::GoalStatus { goal_id, title })) => {
                match crate::storage::goals::STATUSES.get(n - 1) {
                    Some(status) => match crate::storage::goals::set_status(&mut self.store, goal_id, status) {
                        Ok(()) => {
                            self.state.client.detail = None;
                            self.load_client();
                            self.info(&format!("{title}: {}.", status.replace('_', " ")));
                        }
                        Err(e) => self.error(&format!("Could not change the goal: {e:#}")),
                    },
                    None => self.state.popup = Some(Popup::GoalStatus { goal_id, title }),
                }
            }
            (Action::ForceQuit, _) => self.request_quit(),
            (Action::Back, _) => {}
            (_, popup) => self.state.popup = popup,
        }
    }

    fn update_choice(&mut self, action: Action) {
        if matches!(self.state.popup, Some(Popup::GoalPick { .. }) | Some(Popup::GoalStatus { .. })) {
            return self.update_goal_choice(action);
        }
        if matches!(self.state.popup, Some(Popup::PrescriptionPick { .. }) | Some(Popup::PrescriptionStep { .. })) {
            return self.update_prescription_choice(action);
        }
        let Some(Popup::Choice { choose, subject, .. }) = &self.state.popup else {
            return;
        };
        let (choose, id) = (*choose, *subject);
        match action {
            Action::Back => self.state.popup = None,
            Action::ForceQuit => self.request_quit(),
            Action::Choose(n) => {
                if choose == Choose::Instrument {
                    if let Some(inst) = crate::domain::referral::Instrument::ALL.get(n - 1).copied() {
                        // A follow-up when this episode already has a baseline of it.
                        let follow_up = self.state.client.detail.as_ref().is_some_and(|d| {
                            let since = d.episodes.first().map(|e| e.received_on);
                            d.measures
                                .iter()
                                .any(|m| m.instrument == inst && !m.follow_up && since.is_none_or(|s| m.taken_on >= s))
                        });
                        let form = MeasureForm::new(id, inst, follow_up, self.state.today);
                        self.state.popup = Some(Popup::Measure(Box::new(form)));
                    }
                    return;
                }
                let decision = match choose {
                    Choose::Instrument => None,
                    Choose::Attempt => Attempt::ALL.get(n - 1).map(|a| triage::Action::Attempt(*a)),
                    Choose::Outcome => CLOSE_OUTCOMES.get(n - 1).map(|o| triage::Action::Close(*o)),
                };
                if let Some(decision) = decision {
                    self.state.popup = None;
                    let _ = self.triage(id, decision);
                }
            }
            _ => {}
        }
    }

    fn update_help(&mut self, action: Action) {
        match action {
            Action::Back | Action::Help => self.state.popup = None,
            Action::ForceQuit => self.request_quit(),
            Action::Down | Action::Up => {
                let max = draw::help_max_scroll(&self.state);
                if let Some(Popup::Help { scroll }) = &mut self.state.popup {
                    *scroll = if action == Action::Down { (*scroll + 1).min(max) } else { scroll.saturating_sub(1) };
                }
            }
            _ => {}
        }
    }

    fn update_confirm(&mut self, action: Action) {
        let Some(Popup::Confirm { question, under }) = self.state.popup.take() else {
            return;
        };
        match action {
            Action::Yes if question == Question::Quit => self.state.quit = true,
            Action::Yes if question == Question::SamePerson => {
                self.state.popup = under.map(|b| *b);
                if let Some(Popup::NewReferral(form)) = &mut self.state.popup {
                    form.same_person = true;
                }
                self.submit_referral();
            }
            Action::No if question == Question::SamePerson => {
                self.state.popup = under.map(|b| *b);
                if let Some(Popup::NewReferral(form)) = &mut self.state.popup {
                    let said = form.on_file.take().unwrap_or_default();
                    // Shown after the field's own name: "NHS number: 999 ... is on file for ...".
                    let said = said.strip_prefix("NHS number ").map_or_else(|| said.clone(), str::to_owned);
                    form.errors = Some(crate::domain::intake::IntakeErrors(vec![crate::domain::intake::FieldError {
                        field: "NHS number",
                        message: said,
                    }]));
                    form.focus = 0;
                }
            }
            Action::Yes => self.state.popup = None,
            Action::No => self.state.popup = under.map(|b| *b),
            _ => self.state.popup = Some(Popup::Confirm { question, under }),
        }
    }

    fn update_worker_prompt(&mut self, action: Action) {
        let Some(Popup::WorkerPrompt { input }) = &self.state.popup else {
            return;
        };
        match action {
            Action::Submit => {
                let name = input.text.trim().to_owned();
                if name.is_empty() {
                    self.error("Type your name, or press Esc to do it later.");
                    return;
                }
                match self.store.set_worker(&name) {
                    Ok(()) => {
                        self.state.worker = name.clone();
                        self.state.popup = None;
                        self.info(&format!("Welcome, {name}. Your name is recorded with every change you make."));
                    }
                    Err(e) => self.error(&format!("Could not save your name: {e:#}")),
                }
            }
            Action::Back => {
                self.state.popup = None;
                self.info("You will be asked for your name next time.");
            }
            Action::ForceQuit => self.request_quit(),
            _ => {}
        }
    }

    fn request_quit(&mut self) {
        if self.has_unsaved_input() {
            let under = self.state.popup.take().map(Box::new);
            self.state.popup = Some(Popup::Confirm { question: Question::Quit, under });
        } else {
            self.state.quit = true;
        }
    }

    fn back(&mut self) {
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
            Pane::Client | Pane::Dashboard => self.focus(Pane::Caseload),
        }
    }

    fn focus(&mut self, pane: Pane) {
        if pane != Pane::Client && self.state.pane == Pane::Client {
            // Leaving the record closes it: coming back is a new opening, read and audited.
            self.state.client.opened = None;
            self.state.client.detail = None;
        }
        self.state.pane = pane;
        match pane {
            Pane::Client => self.load_client(),
            Pane::Dashboard => self.load_dashboard(),
            _ => {}
        }
    }

    /// Read the dashboard's figures (each time it is shown: they change with
    /// every decision): on the background thread when there is one, the pane
    /// saying so until they come.
    fn load_dashboard(&mut self) {
        if let Some(background) = &mut self.background {
            self.state.dashboard = None;
            background.dashboard(self.state.today);
            return;
        }
        let figures = crate::storage::summary::dashboard(self.store.conn(), self.state.today);
        self.show_dashboard(figures.map_err(|e| format!("{e:#}")));
    }

    fn show_dashboard(&mut self, figures: Result<crate::storage::summary::Dashboard, String>) {
        match figures {
            Ok(d) => self.state.dashboard = Some(d),
            Err(e) => self.error(&format!("Could not read the dashboard's figures: {e}")),
        }
    }

    /// From now on read the dashboard's figures on a thread of their own, with
    /// its own connection; `wake` is called when figures are ready (the event
    /// loop then calls [`App::background_done`]).
    pub fn compute_in_background_with(&mut self, wake: impl Fn() + Send + 'static) {
        let worker = self.store.actor().worker.clone();
        let worker = (worker != storage::UNNAMED_WORKER).then_some(worker);
        self.background = Some(super::jobs::Background::start(self.store.path().to_owned(), worker, wake));
    }

    /// [`App::compute_in_background_with`], without a wake-up.
    pub fn compute_in_background(&mut self) {
        self.compute_in_background_with(|| {});
    }

    /// Take the background thread's figures if they have come; true if so.
    pub fn background_done(&mut self) -> bool {
        match self.background.as_mut().and_then(|b| b.take()) {
            Some(figures) => {
                self.show_dashboard(figures);
                true
            }
            None => false,
        }
    }

    /// Wait until the figures asked for have come, and show them.
    pub fn wait_for_background(&mut self) {
        if let Some(figures) = self.background.as_mut().and_then(|b| b.wait()) {
            self.show_dashboard(figures);
        }
    }

    /// Save the weekly summary as the dialog says.
    fn save_summary(&mut self) {
        let Some(Popup::SaveSummary(form)) = &self.state.popup else { return };
        let dir = self.store.path().parent().unwrap_or(std::path::Path::new(".")).join("exports");
        let result = form.request(&dir).map_err(anyhow::Error::msg).and_then(|(req, file)| {
            if file.parent().is_some_and(|p| p == dir) {
                storage::create_data_dir(&dir)?;
            }
            crate::exports::export_summary(&mut self.store, &req, crate::exports::to_file(&file))
                .map(|()| (req.period.label(), file))
        });
        match result {
            Ok((label, file)) => {
                self.state.popup = None;
                let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let folder = file.parent().map_or_else(String::new, |p| p.display().to_string());
                self.info(&format!("Summary for {label} saved: {name} in {folder}"));
            }
            Err(e) => {
                if let Some(Popup::SaveSummary(form)) = &mut self.state.popup {
                    form.error = Some(format!("{e:#}"));
                }
            }
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.state.pane {
            Pane::Caseload => {
                self.state.caseload.list.move_by(delta);
                self.fill_caseload();
            }
            Pane::Directory => {
                self.state.directory.list.move_by(delta);
                self.fill_directory();
            }
            Pane::Client => {
                let lines = client::line_count(&self.state);
                let max = lines.saturating_sub(self.page_rows()) as isize;
                let s = &mut self.state.client.scroll;
                *s = (*s as isize).saturating_add(delta).clamp(0, max.max(0)) as usize;
            }
            Pane::Dashboard => {}
        }
    }

    fn page_rows(&self) -> usize {
        match self.state.pane {
            Pane::Caseload => self.state.caseload.list.height,
            Pane::Directory => self.state.directory.list.height,
            Pane::Client | Pane::Dashboard => draw::body_rows(&self.state),
        }
        .saturating_sub(1)
        .max(1)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.state.width = width;
        self.state.height = height;
        self.state.caseload.list.set_height(draw::caseload_rows(&self.state));
        self.state.directory.list.set_height(draw::directory_rows(&self.state));
        self.fill_caseload();
        self.fill_directory();
    }

    /// Read everything shown again (after a refresh, or another program's write).
    pub fn reload_all(&mut self) {
        self.reload_caseload();
        self.reload_directory();
        if self.state.pane == Pane::Client {
            self.state.client.detail = None;
            self.load_client();
        }
        if self.state.pane == Pane::Dashboard {
            self.load_dashboard();
        }
    }

    fn reload_list(&mut self) {
        match self.state.pane {
            Pane::Directory => self.reload_directory(),
            _ => self.reload_caseload(),
        }
    }

    fn reload_caseload(&mut self) {
        let c = &self.state.caseload;
        let filter = Filter::new(&c.filter.text);
        let keep = c.list.selected_row().map(|r| r.referral_id);
        match caseload::count(self.store.conn(), c.view, &filter) {
            Ok(total) => {
                let more = !filter.is_empty() && total > caseload::FILTER_CAP;
                let total = if more { caseload::FILTER_CAP } else { total };
                self.state.caseload.more = more;
                let selected = self.state.caseload.list.selected;
                self.state.caseload.list.reset(total);
                // After a refresh, stay near where the person was.
                if keep.is_some() {
                    self.state.caseload.list.select(selected);
                }
                self.fill_caseload();
            }
            Err(e) => self.error(&format!("Could not read the caseload: {e:#}")),
        }
    }

    fn fill_caseload(&mut self) {
        let c = &self.state.caseload;
        let Some((from, limit)) = c.list.missing() else {
            return;
        };
        let filter = Filter::new(&c.filter.text);
        match caseload::window(self.store.conn(), c.view, &filter, from, limit) {
            Ok(rows) => self.state.caseload.list.fill(from, rows),
            Err(e) => self.error(&format!("Could not read the caseload: {e:#}")),
        }
    }

    fn reload_directory(&mut self) {
        match directory::search_count(self.store.conn(), &self.state.directory.search()) {
            Ok(total) => {
                self.state.directory.list.reset(total);
                self.fill_directory();
            }
            Err(e) => self.error(&format!("Could not read the directory: {e:#}")),
        }
    }

    /// Read the directory again after a change, staying on the same service.
    fn refresh_directory(&mut self) {
        let selected = self.state.directory.list.selected;
        self.state.directory.detail = None;
        self.reload_directory();
        self.state.directory.list.select(selected);
        self.fill_directory();
    }

    fn fill_directory(&mut self) {
        let d = &self.state.directory;
        if let Some((from, limit)) = d.list.missing() {
            match directory::search_window(self.store.conn(), &d.search(), self.state.today, from, limit) {
                Ok(rows) => self.state.directory.list.fill(from, rows),
                Err(e) => return self.error(&format!("Could not read the directory: {e:#}")),
            }
        }
        let id = self.state.directory.list.selected_row().map(|r| r.id);
        if self.state.directory.detail.as_ref().map(|d| d.row.id) == id {
            return;
        }
        self.state.directory.detail = match id {
            None => None,
            Some(id) => match directory::detail(self.store.conn(), id) {
                Ok(d) => d,
                Err(e) => return self.error(&format!("Could not read the service: {e:#}")),
            },
        };
        self.state.directory.demand = match id {
            None => None,
            Some(id) => directory::demand(self.store.conn(), id, self.state.today).ok(),
        };
    }

    /// Load the record of the client selected in the caseload, if not already shown.
    fn load_client(&mut self) {
        let id = self.state.caseload.list.selected_row().map(|r| r.client_id);
        if self.state.client.detail.as_ref().map(|d| d.client.id) == id {
            return;
        }
        self.state.client.scroll = 0;
        self.state.client.history = None;
        // One view audit per opening: a read after a save or refresh is not a new look.
        let again = id.is_some() && self.state.client.opened == id;
        self.state.client.opened = id;
        self.state.client.detail = match id {
            None => None,
            Some(id) if again => match storage::client::load(self.store.conn(), id) {
                Ok(d) => d,
                Err(e) => {
                    self.state.client.detail = None;
                    return self.error(&format!("Could not read the record again: {e:#}"));
                }
            },
            Some(id) => match storage::client::view(&self.store, id) {
                Ok(viewed) => {
                    if let Some(at) = viewed.audit_waiting {
                        let episodes = viewed.detail.as_ref().map_or(0, |d| d.episodes.len());
                        self.pending_views.push((id, episodes, at));
                    }
                    viewed.detail
                }
                Err(e) => {
                    self.state.client.detail = None;
                    return self.error(&format!("Could not open the record: {e:#}"));
                }
            },
        };
    }

    /// Show word from background work until the next key.
    pub fn notice(&mut self, text: String, is_error: bool) {
        self.state.message = Some(Message { text, is_error });
    }

    fn info(&mut self, text: &str) {
        self.state.message = Some(Message { text: text.to_owned(), is_error: false });
    }

    fn error(&mut self, text: &str) {
        self.state.message = Some(Message { text: text.to_owned(), is_error: true });
    }
}

/// The next weekday after `today`: the default day offered for a first appointment.
fn next_working_day(today: NaiveDate) -> NaiveDate {
    use chrono::{Datelike, Weekday};
    let mut d = today + chrono::Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += chrono::Duration::days(1);
    }
    d
}

//! Keeping the screen true to the database: another program's writes, the
//! view records that had to wait, and reading what is shown into state (only
//! here, when something changed; never while drawing).

use anyhow::Result;

use super::{App, OnScreen};
use crate::storage::caseload::{self, Filter};
use crate::storage::prescriptions;
use crate::storage::{self, directory};
use crate::ui::state::Pane;

impl App {
    /// Who is on screen: the selected row's referral, client and NHS number, and
    /// the open record's client and NHS number.
    pub(super) fn on_screen(&self) -> OnScreen {
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
    pub(super) fn write_pending_views(&mut self, wait: std::time::Duration) {
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
        if self.state.pane == Pane::Today {
            self.reload_today();
        }
    }

    pub(super) fn reload_list(&mut self) {
        match self.state.pane {
            Pane::Directory => self.reload_directory(),
            _ => self.reload_caseload(),
        }
    }

    pub(super) fn reload_caseload(&mut self) {
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

    pub(super) fn fill_caseload(&mut self) {
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

    pub(super) fn reload_directory(&mut self) {
        match directory::find(self.store.conn(), &self.state.directory.search()) {
            Ok(found) => {
                self.state.directory.list.reset(found.ids.len());
                self.state.directory.found = found.ids;
                self.state.directory.note = found.note;
                self.fill_directory();
            }
            Err(e) => self.error(&format!("Could not read the directory: {e:#}")),
        }
    }

    /// Read the directory again after a change, staying on the same service.
    pub(super) fn refresh_directory(&mut self) {
        let selected = self.state.directory.list.selected;
        self.state.directory.detail = None;
        self.reload_directory();
        self.state.directory.list.select(selected);
        self.fill_directory();
    }

    pub(super) fn fill_directory(&mut self) {
        let d = &self.state.directory;
        if let Some((from, limit)) = d.list.missing() {
            let ids = &d.found[from.min(d.found.len())..from.saturating_add(limit).min(d.found.len())];
            match directory::rows(self.store.conn(), ids, self.state.today) {
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
    pub(super) fn load_client(&mut self) {
        let id = match self.state.client.chosen {
            Some((id, _)) => Some(id),
            None => self.state.caseload.list.selected_row().map(|r| r.client_id),
        };
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
        self.load_day_for_record();
        self.state.client.matched = match &self.state.client.detail {
            Some(d) => crate::storage::search::matched_to_needs(
                self.store.conn(),
                &storage::client::need_codes(d),
                storage::client::age(self.store.conn(), d.client.id, self.state.today).ok().flatten(),
                3,
            )
            .unwrap_or_default(),
            None => Vec::new(),
        };
    }

    /// The record's next appointment and follow-up, read with it.
    fn load_day_for_record(&mut self) {
        let c = &mut self.state.client;
        c.next_appointment = None;
        c.follow_up = None;
        let Some(d) = &c.detail else { return };
        let id = d.client.id;
        let conn = self.store.conn();
        // From the start of the day: an appointment this morning is still "next".
        let from = self.state.today.and_hms_opt(0, 0, 0).expect("midnight exists");
        c.next_appointment = storage::appointments::next_for_client(conn, id, from).ok().flatten();
        c.follow_up = storage::follow_ups::of_client(conn, id).ok().flatten();
    }

    /// Read the record on screen again after a change.
    pub(super) fn reload_client_record(&mut self) {
        self.state.client.detail = None;
        self.load_client();
    }

    /// Read the dashboard's figures (each time it is shown: they change with every decision).
    pub(super) fn load_dashboard(&mut self) {
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
        self.background = Some(crate::ui::jobs::Background::start(self.store.path().to_owned(), worker, wake));
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

    /// Sent prescriptions with no answer in time become "no response"; says so.
    pub(super) fn mark_no_response(&mut self) -> Option<usize> {
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
}

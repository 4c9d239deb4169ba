//! The service directory's keys: filters, capacity and waiting list, unmet needs.

use super::App;
use crate::storage::directory;
use crate::ui::forms::Ask;
use crate::ui::keymap::Action;
use crate::ui::state::{LineInput, Pane, Popup};

impl App {
    /// Keys in the service directory.
    pub(super) fn update_directory(&mut self, action: Action) {
        match action {
            Action::NewService if self.state.pane == crate::ui::state::Pane::Directory => {
                self.state.popup = Some(Popup::Service(Box::default()));
            }
            Action::ToggleAccepting => {
                if self.state.pane != crate::ui::state::Pane::Directory {
                    return;
                }
                let Some(row) = self.state.directory.list.selected_row() else {
                    return self.info("No service selected.");
                };
                let (id, now, name) = (row.id, !row.accepting_referrals, row.name.clone());
                let change = directory::LocalChange { accepting: Some(now), ..Default::default() };
                match directory::set_local(&mut self.store, id, &change) {
                    Ok(()) => {
                        self.refresh_directory();
                        let said =
                            if now { "accepting referrals again (t)" } else { "not accepting referrals (t undoes)" };
                        self.info(&format!("{name}: {said}."));
                    }
                    Err(e) => self.error(&format!("Not done: {e:#}")),
                }
            }
            Action::FreeOnly if self.state.pane == crate::ui::state::Pane::Directory => {
                let d = &mut self.state.directory;
                d.free_only = !d.free_only;
                let on = d.free_only;
                self.reload_directory();
                self.info(if on {
                    "Showing only services free of charge."
                } else {
                    "Showing services whatever they cost."
                });
            }
            Action::OpenOn | Action::District if self.state.pane == crate::ui::state::Pane::Directory => {
                // Asked afresh each time (the title shows the one in force); blank clears it.
                let ask = if action == Action::OpenOn { Ask::OpenOn } else { Ask::District };
                let input = crate::ui::state::LineInput::new(20);
                self.state.popup =
                    Some(Popup::Prompt { ask, subject: 0, who: "Service directory".to_owned(), input, error: None });
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
            _ => {}
        }
    }

    /// `m`: ask for a need no local service meets, about the person on screen or
    /// the one selected in the caseload.
    pub(super) fn ask_unmet_need(&mut self) {
        // About the person on screen, or the one selected in the caseload.
        let client = self.person_in_mind().map(|(id, _)| id);
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
}

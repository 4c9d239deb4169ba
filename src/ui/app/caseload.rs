//! The caseload pane's keys: the list, a new referral, and the triage
//! decisions (`a` accept, `c` contact attempt, `b` book, `d` decline, `x`,
//! `t`, `o`, `u` undo) on the selected referral.

use anyhow::Result;

use super::App;
use crate::domain::triage;
use crate::storage::referrals;
use crate::ui::forms::{Ask, Choose, ReferralForm};
use crate::ui::keymap::Action;
use crate::ui::state::{LineInput, Pane, Popup};

impl App {
    /// Keys on the caseload: the list, a new referral, and one key per triage decision.
    pub(super) fn update_caseload(&mut self, action: Action) {
        match action {
            Action::NextView => {
                self.state.caseload.view = self.state.caseload.view.next();
                self.reload_list();
            }
            Action::NewReferral => match referrals::reason_codes(self.store.conn()) {
                Ok(codes) => {
                    let mut form = ReferralForm::new(codes, self.state.today);
                    form.practices = crate::storage::practices::list(self.store.conn())
                        .map(|ps| ps.into_iter().map(|p| p.name).collect())
                        .unwrap_or_default();
                    self.state.popup = Some(Popup::NewReferral(Box::new(form)))
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
                // The next working day at the usual time, ready to change.
                let mut input = LineInput::new(60);
                input.text = crate::domain::appointment::default_start(app.state.today)
                    .format(crate::domain::appointment::START_FORMAT)
                    .to_string();
                input.cursor = input.text.chars().count();
                app.state.popup = Some(Popup::Prompt { ask: Ask::BookOn, subject: id, who, input, error: None });
            }),
            Action::Decline | Action::Transfer => self.on_selected(|app, id, who| {
                let ask = if action == Action::Decline { Ask::DeclineReason } else { Ask::TransferTo };
                let input = LineInput::new(500);
                app.state.popup = Some(Popup::Prompt { ask, subject: id, who, input, error: None });
            }),
            Action::Undo => self.undo(),
            _ => {}
        }
    }

    /// Run a triage step on the referral selected in the caseload, if there is one.
    pub(super) fn on_selected(&mut self, f: impl FnOnce(&mut App, i64, String)) {
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
    pub(super) fn triage(&mut self, referral_id: i64, action: triage::Action) -> Result<(), String> {
        self.triage_noted(referral_id, action, None)
    }

    /// As `triage`, keeping the worker's note in the log entry.
    pub(super) fn triage_noted(
        &mut self,
        referral_id: i64,
        action: triage::Action,
        note: Option<&str>,
    ) -> Result<(), String> {
        let today = self.state.today;
        let label = action.label();
        self.decide(referral_id, &label, |store, expected| {
            referrals::decide_noted(store, referral_id, Some(expected), &action, note, today)
        })
    }

    /// Book the first appointment from triage: the decision "book" and the
    /// appointment, in one transaction.
    pub(super) fn book(
        &mut self,
        referral_id: i64,
        appointment: crate::storage::appointments::NewAppointment,
    ) -> Result<(), String> {
        let today = self.state.today;
        if let Err(e) = appointment.check(crate::storage::appointments::uk_now()) {
            return Err(format!("{e:#}"));
        }
        let label = format!(
            "appointment booked for {}, {} min, {}",
            appointment.start.format("%a %-d %b %H:%M"),
            appointment.minutes,
            appointment.kind.label()
        );
        self.decide(referral_id, &label, |store, expected| {
            referrals::decide_booking(store, referral_id, Some(expected), &appointment, today)
        })
    }

    /// Make a triage decision on the person on screen, and move on.
    fn decide(
        &mut self,
        referral_id: i64,
        label: &str,
        make: impl FnOnce(
            &mut crate::storage::Store,
            &str,
        ) -> anyhow::Result<(triage::Transition, crate::storage::referrals::Undo)>,
    ) -> Result<(), String> {
        let expected = self.target.as_ref().filter(|(id, _)| *id == referral_id).map(|(_, nhs)| nhs.clone());
        let Some(expected) = expected else {
            let why = "the person it was meant for is no longer on screen; select them again".to_owned();
            self.error(&format!("Not done: {why}"));
            return Err(why);
        };
        match make(&mut self.store, &expected) {
            Ok((t, undo)) => {
                // Named by the referral decided on, not by whatever row is selected.
                let name = crate::storage::client::of_referral(self.store.conn(), referral_id)
                    .map(|p| p.name)
                    .unwrap_or_default();
                self.state.undo = Some(undo);
                self.state.client.detail = None;
                self.reload_caseload();
                // Still on the same row (it stayed in this list)? Move on.
                if self.state.caseload.list.selected_row().map(|r| r.referral_id) == Some(referral_id) {
                    self.state.caseload.list.move_by(1);
                    self.fill_caseload();
                }
                if self.state.pane == Pane::Client {
                    self.load_client();
                }
                self.info(&format!("{name}: {label} ({} → {}). u undoes.", t.from, t.to));
                Ok(())
            }
            Err(e) => {
                let why = format!("{e:#}");
                self.error(&format!("Not done: {why}"));
                Err(why)
            }
        }
    }

    pub(super) fn undo(&mut self) {
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
}

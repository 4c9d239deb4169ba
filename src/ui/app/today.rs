//! Today's keys: open the record, log a contact, mark an appointment attended
//! or missed, move an appointment or a follow-up. Every action names its record
//! by id (the item's appointment or client), never by its place in the list.

use super::App;
use crate::storage::appointments::{self, Went, uk_now};
use crate::storage::follow_ups;
use crate::storage::today::{Kind, agenda};
use crate::ui::forms::{Ask, ContactForm};
use crate::ui::keymap::Action;
use crate::ui::state::{LineInput, Pane, Popup};

impl App {
    /// Show Today: what the program opens on.
    pub fn open_today(&mut self) {
        self.focus(Pane::Today);
    }

    /// Read the day's agenda again (on showing the pane, and after each change).
    pub(super) fn reload_today(&mut self) {
        match agenda(self.store.conn(), self.state.today, uk_now()) {
            Ok(a) => {
                let n = a.items().count();
                let t = &mut self.state.today_list;
                t.agenda = Some(a);
                t.selected = t.selected.min(n.saturating_sub(1));
            }
            Err(e) => self.error(&format!("Could not read today's agenda: {e:#}")),
        }
    }

    pub(super) fn move_today(&mut self, delta: isize) {
        let n = self.state.today_list.items().len();
        if n == 0 {
            return;
        }
        let t = &mut self.state.today_list;
        t.selected = (t.selected as isize).saturating_add(delta).clamp(0, n as isize - 1) as usize;
    }

    /// Open the record of the person on the selected line.
    pub(super) fn open_today_item(&mut self) {
        let Some(item) = self.state.today_list.selected_item() else { return self.info("Nothing selected.") };
        self.open_record(item.client_id, Pane::Today);
    }

    /// Open a person's record, chosen from Today or Find; Esc goes back to `from`.
    pub(super) fn open_record(&mut self, client_id: i64, from: Pane) {
        self.focus(Pane::Client);
        self.state.client.chosen = Some((client_id, from));
        self.load_client();
    }

    pub(super) fn update_today(&mut self, action: Action) {
        if self.state.pane != Pane::Today {
            return;
        }
        let Some(item) = self.state.today_list.selected_item().cloned() else {
            return self.info("Nothing selected.");
        };
        let now = uk_now();
        match (action, item.kind) {
            (Action::LogContact, _) => {
                let mut form = ContactForm::new(item.client_id, self.state.today);
                form.who = item.name.clone();
                self.state.popup = Some(Popup::Contact(Box::new(form)));
            }
            (Action::Attended | Action::Missed, Kind::Appointment) => {
                let Some(id) = item.record_id else { return };
                let went = if action == Action::Attended { Went::Attended } else { Went::Missed };
                match appointments::record_outcome(&mut self.store, id, went, None, None, now) {
                    Ok(contact) => {
                        self.reload_today();
                        let what = if went == Went::Attended { "attended" } else { "did not attend" };
                        self.info(&format!("{}: {what}, logged as contact {contact}.", item.name));
                    }
                    Err(e) => self.error(&format!("Not done: {e:#}")),
                }
            }
            (Action::Attended | Action::Missed, _) => self.info("Attended and missed are for appointments."),
            (Action::Reschedule, Kind::Appointment) => {
                let Some(id) = item.record_id else { return };
                let text = appointments::get(self.store.conn(), id)
                    .ok()
                    .flatten()
                    .map(|a| a.start.format(crate::domain::appointment::START_FORMAT).to_string())
                    .unwrap_or_default();
                let mut input = LineInput::new(40);
                input.text = text;
                input.cursor = input.text.chars().count();
                self.state.popup =
                    Some(Popup::Prompt { ask: Ask::MoveAppointment, subject: id, who: item.name, input, error: None });
            }
            (Action::CancelAppointment, Kind::Appointment) => {
                let Some(id) = item.record_id else { return };
                // Only a booked one can be cancelled: say so before asking why.
                match appointments::get(self.store.conn(), id) {
                    Ok(Some(a)) if a.status != crate::domain::appointment::AppointmentStatus::Booked => {
                        return self.info(&format!(
                            "That appointment is {} already; it cannot be cancelled.",
                            a.status.label()
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => return self.error(&format!("Could not read the appointment: {e:#}")),
                }
                let input = LineInput::new(500);
                self.state.popup = Some(Popup::Prompt {
                    ask: Ask::CancelAppointment,
                    subject: id,
                    who: item.name,
                    input,
                    error: None,
                });
            }
            (Action::CancelAppointment, _) => self.info("x cancels an appointment; this line is not one."),
            (Action::Reschedule, _) => {
                let mut input = LineInput::new(500);
                let note = follow_ups::of_client(self.store.conn(), item.client_id).ok().flatten().and_then(|(_, n)| n);
                input.text = format!("{} {}", self.state.today + chrono::Duration::days(7), note.unwrap_or_default());
                input.cursor = input.text.chars().count();
                self.state.popup = Some(Popup::Prompt {
                    ask: Ask::FollowUpOn,
                    subject: item.client_id,
                    who: item.name,
                    input,
                    error: None,
                });
            }
            _ => {}
        }
    }

    /// Save what a day prompt asked for: a follow-up, an appointment booked from
    /// the record, an appointment moved. Returns what to tell the person.
    pub(super) fn day_prompt(&mut self, ask: Ask, subject: i64, text: &str) -> Result<String, String> {
        let now = uk_now();
        match ask {
            Ask::FollowUpOn => {
                let (day, note) = text.trim().split_once(char::is_whitespace).unwrap_or((text.trim(), ""));
                let on = crate::domain::intake::parse_date("follow-up", day).map_err(|e| e.to_string())?;
                let note = Some(note.trim()).filter(|n| !n.is_empty());
                follow_ups::set(&mut self.store, subject, on, note, self.state.today).map_err(|e| format!("{e:#}"))?;
                Ok(format!("Next follow-up set for {}.", on.format("%a %-d %b")))
            }
            Ask::BookAppointment => {
                let a = crate::ui::forms::parse_booking(text)?;
                let booked = appointments::book(&mut self.store, subject, &a, now).map_err(|e| format!("{e:#}"))?;
                self.reload_caseload();
                Ok(format!("Appointment {} booked for {}.", booked.appointment_id, a.start.format("%a %-d %b %H:%M")))
            }
            Ask::MoveAppointment => {
                let start = crate::domain::appointment::parse_start(text)?;
                let a =
                    appointments::move_to(&mut self.store, subject, start, None, now).map_err(|e| format!("{e:#}"))?;
                Ok(format!("Appointment moved to {}.", a.when_and_how()))
            }
            Ask::CancelAppointment => {
                let reason = Some(text.trim()).filter(|r| !r.is_empty());
                let a = appointments::cancel(&mut self.store, subject, reason).map_err(|e| format!("{e:#}"))?;
                Ok(format!("Appointment for {} cancelled.", a.start.format("%a %-d %b %H:%M")))
            }
            Ask::CloseConcern => {
                let note = Some(text.trim()).filter(|n| !n.is_empty());
                crate::storage::safeguarding::close(&mut self.store, subject, note, self.state.today)
                    .map_err(|e| format!("{e:#}"))?;
                self.reload_caseload();
                Ok(format!("Safeguarding concern {subject} closed."))
            }
            _ => Err("not a day prompt".to_owned()),
        }
    }
}

//! Keys in the other popups: help, confirmations, the name prompt, one-line
//! prompts and numbered choices.

use super::App;
use crate::domain::triage::{self, Attempt};
use crate::storage::directory;
use crate::storage::prescriptions;
use crate::ui::draw;
use crate::ui::forms::{Ask, CLOSE_OUTCOMES, Choose, MeasureForm};
use crate::ui::keymap::Action;
use crate::ui::state::{LineInput, Popup, Question};

impl App {
    pub(super) fn update_help(&mut self, action: Action) {
        match action {
            Action::Back | Action::Help => self.state.popup = None,
            Action::ForceQuit => self.request_quit(),
            Action::Down | Action::Up => {
                let max = match &self.state.popup {
                    Some(Popup::Notice { text, .. }) => crate::ui::forms::notice::max_scroll(&self.state, text),
                    _ => draw::help_max_scroll(&self.state),
                };
                if let Some(Popup::Help { scroll } | Popup::Notice { scroll, .. }) = &mut self.state.popup {
                    *scroll = if action == Action::Down { (*scroll + 1).min(max) } else { scroll.saturating_sub(1) };
                }
            }
            _ => {}
        }
    }

    pub(super) fn update_confirm(&mut self, action: Action) {
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

    pub(super) fn update_worker_prompt(&mut self, action: Action) {
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

    pub(super) fn update_prompt(&mut self, action: Action) {
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
                        crate::ui::forms::parse_capacity(&text)
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
                if matches!(
                    *ask,
                    Ask::FollowUpOn
                        | Ask::BookAppointment
                        | Ask::MoveAppointment
                        | Ask::CloseConcern
                        | Ask::CancelAppointment
                ) {
                    let ask = *ask;
                    match self.day_prompt(ask, id, &text) {
                        Ok(said) => {
                            self.state.popup = None;
                            self.reload_client_record();
                            self.reload_today();
                            self.info(&said);
                        }
                        Err(why) => {
                            if let Some(Popup::Prompt { error, .. }) = &mut self.state.popup {
                                *error = Some(why);
                            }
                        }
                    }
                    return;
                }
                if matches!(*ask, Ask::OpenOn | Ask::District) {
                    let ask = *ask;
                    let d = &mut self.state.directory;
                    if ask == Ask::OpenOn {
                        if text.is_empty() {
                            d.open_on = None;
                        } else {
                            match crate::storage::search::parse_weekday(&text) {
                                Some(day) => d.open_on = Some(day),
                                None => {
                                    *error = Some(format!("'{text}' is not a day of the week"));
                                    return;
                                }
                            }
                        }
                    } else {
                        let district = text.to_ascii_uppercase();
                        let ok = district.is_empty()
                            || (district.len() <= 4
                                && district.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                                && district.chars().all(|c| c.is_ascii_alphanumeric()));
                        if !ok {
                            *error = Some(format!("'{text}' is not a postcode district (LS6) or area (LS)"));
                            return;
                        }
                        d.district = Some(district).filter(|s| !s.is_empty());
                    }
                    self.state.popup = None;
                    self.state.directory.detail_scroll = 0;
                    self.reload_directory();
                    return;
                }
                if *ask == Ask::BookOn {
                    let booked = crate::ui::forms::parse_booking(&text).and_then(|a| self.book(id, a));
                    match booked {
                        Ok(()) => self.state.popup = None,
                        Err(why) => {
                            if let Some(Popup::Prompt { error, .. }) = &mut self.state.popup {
                                *error = Some(why);
                            }
                        }
                    }
                    return;
                }
                let mut note = None;
                let decision = match ask {
                    Ask::ReachedNote => {
                        note = Some(text);
                        Ok(triage::Action::Attempt(Attempt::Reached))
                    }
                    Ask::DeclineReason => Ok(triage::Action::Decline(text)),
                    Ask::TransferTo => Ok(triage::Action::Transfer(text)),
                    Ask::BookOn
                    | Ask::FollowUpOn
                    | Ask::BookAppointment
                    | Ask::MoveAppointment
                    | Ask::CloseConcern
                    | Ask::CancelAppointment
                    | Ask::OpenOn
                    | Ask::District
                    | Ask::UnmetNeed
                    | Ask::ServiceDeclined
                    | Ask::Capacity
                    | Ask::WaitingList => return,
                };
                match decision {
                    Err(why) => *error = Some(why),
                    Ok(decision) => match self.triage_noted(id, decision, note.as_deref()) {
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

    pub(super) fn update_choice(&mut self, action: Action) {
        if matches!(self.state.popup, Some(Popup::GoalPick { .. }) | Some(Popup::GoalStatus { .. })) {
            return self.update_goal_choice(action);
        }
        if matches!(self.state.popup, Some(Popup::PrescriptionPick { .. }) | Some(Popup::PrescriptionStep { .. })) {
            return self.update_prescription_choice(action);
        }
        if matches!(self.state.popup, Some(Popup::ContactPick { .. })) {
            return self.update_contact_choice(action);
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
                if decision == Some(triage::Action::Attempt(Attempt::Reached)) {
                    // Reached: what was said is worth a note, as a decline or a transfer asks why.
                    let who = match &self.state.popup {
                        Some(Popup::Choice { who, .. }) => who.clone(),
                        _ => String::new(),
                    };
                    let input = LineInput::new(crate::storage::contacts::NOTE_MAX);
                    self.state.popup =
                        Some(Popup::Prompt { ask: Ask::ReachedNote, subject: id, who, input, error: None });
                    return;
                }
                if let Some(decision) = decision {
                    self.state.popup = None;
                    let _ = self.triage(id, decision);
                }
            }
            _ => {}
        }
    }
}

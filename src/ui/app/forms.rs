//! Keys in forms (`ui/forms/`): typing into the field in focus, moving
//! between fields, leaving, and saving each form.

use anyhow::Result;
use ratatui::crossterm::event::KeyEvent;

use super::App;
use crate::domain::intake::{parse_date, validate};
use crate::storage::{prescriptions, referrals};
use crate::ui::keymap::{Action, Context};
use crate::ui::state::{Pane, Popup, Question};

impl App {
    /// Keys no binding claims go to the text field of the context, if it has one.
    pub(super) fn type_into_field(&mut self, ctx: Context, key: &KeyEvent) {
        match ctx {
            Context::FilterInput => {
                let changed = match self.state.pane {
                    Pane::Caseload => self.state.caseload.filter.edit(key),
                    Pane::Directory => self.state.directory.filter.edit(key),
                    Pane::Client | Pane::Dashboard | Pane::Today => false,
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
            Context::Find => {
                if let Some(Popup::Find(f)) = &mut self.state.popup
                    && f.input.edit(key)
                {
                    self.search_people();
                }
            }
            Context::WorkerPrompt | Context::Prompt | Context::Form => match &mut self.state.popup {
                Some(Popup::WorkerPrompt { input }) | Some(Popup::Prompt { input, .. }) => {
                    input.edit(key);
                }
                Some(p) => {
                    if let Some(form) = p.line_form() {
                        form.edit(key);
                    }
                }
                None => {}
            },
            // No text field: keys no binding claims are not typed anywhere.
            Context::Pane(_) | Context::Help | Context::Confirm | Context::Choice => {}
        }
    }

    /// Keys every form shares: moving between fields, leaving (asking first if
    /// anything was typed) and quitting. Saving is each form's own.
    pub(super) fn update_form(&mut self, action: Action) {
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
            // Each form's save: a new form is added here (the match is exhaustive).
            Action::Submit => match &self.state.popup {
                Some(Popup::NewReferral(_)) => self.submit_referral(),
                Some(Popup::SaveSummary(_)) => self.save_summary(),
                Some(Popup::Service(_)) => self.submit_service(),
                Some(
                    Popup::Measure(_)
                    | Popup::Contact(_)
                    | Popup::Goal(_)
                    | Popup::Prescribe(_)
                    | Popup::Assessment(_)
                    | Popup::Details(_)
                    | Popup::Safeguarding(_),
                ) => self.submit_client_form(),
                Some(
                    Popup::Help { .. }
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
                    | Popup::Choice { .. },
                )
                | None => {}
            },
            _ => {}
        }
    }

    /// Save a form about the client on screen: on success close it and read the
    /// record again; on refusal keep it open with the reason.
    pub(super) fn submit_client_form(&mut self) {
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
            Some(Popup::Details(form)) => form.corrections().and_then(|c| {
                crate::storage::client_details::correct(store, form.client_id, &c, today)
                    .map(|changed| match changed.len() {
                        0 => "Nothing changed.".to_owned(),
                        _ => format!("Corrected: {}.", changed.iter().map(|c| c.field).collect::<Vec<_>>().join(", ")),
                    })
                    .map_err(|e| format!("{e:#}"))
            }),
            Some(Popup::Safeguarding(form)) => {
                let day = form.fields[2].text.clone();
                parse_date("date", &day).map_err(|e| e.to_string()).and_then(|on| {
                    let told = Some(form.fields[1].text.as_str()).filter(|t| !t.trim().is_empty());
                    crate::storage::safeguarding::raise(store, form.client_id, &form.fields[0].text, told, on, today)
                        .map(|id| format!("Safeguarding concern {id} raised. Follow your practice's procedure."))
                        .map_err(|e| format!("{e:#}"))
                })
            }
            Some(
                Popup::NewReferral(_)
                | Popup::SaveSummary(_)
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
                | Popup::Service(_)
                | Popup::Find(_)
                | Popup::Choice { .. },
            )
            | None => return,
        };
        let after_contact = match (&self.state.popup, &result) {
            (Some(Popup::Contact(form)), Ok(_)) => Some(form.client_id),
            _ => None,
        };
        match result {
            Ok(message) => {
                self.state.popup = None;
                self.state.client.detail = None;
                self.load_client();
                self.reload_today();
                self.info(&message);
                // A contact logged: offer to set the next follow-up (Esc skips it).
                if let Some(client_id) = after_contact {
                    self.offer_follow_up(client_id);
                }
            }
            Err(why) => {
                if let Some(error) = self.state.popup.as_mut().and_then(Popup::form_error) {
                    *error = Some(why);
                }
            }
        }
    }

    /// After a contact: the next follow-up, offered two weeks on (Esc: not now).
    pub(super) fn offer_follow_up(&mut self, client_id: i64) {
        // Named by the id the contact was logged for, never by what is selected elsewhere.
        let who = crate::storage::client::resolve(self.store.conn(), &client_id.to_string())
            .map(|p| p.name)
            .unwrap_or_default();
        let mut input = crate::ui::state::LineInput::new(500);
        let (on, note) = crate::storage::follow_ups::of_client(self.store.conn(), client_id).ok().flatten().unzip();
        let on = on.filter(|on| *on > self.state.today);
        input.text = format!(
            "{} {}",
            on.unwrap_or(self.state.today + chrono::Duration::days(14)),
            if on.is_some() { note.flatten().unwrap_or_default() } else { String::new() }
        );
        input.cursor = input.text.chars().count();
        self.state.popup = Some(Popup::Prompt {
            ask: crate::ui::forms::Ask::FollowUpOn,
            subject: client_id,
            who: format!("{who}: contact logged. Set the next follow-up? (Esc: not now)"),
            input,
            error: None,
        });
    }

    /// Save a service added by hand.
    pub(super) fn submit_service(&mut self) {
        let Some(Popup::Service(form)) = &self.state.popup else { return };
        let result = form
            .service()
            .and_then(|s| crate::storage::local_services::add(&mut self.store, &s).map_err(|e| format!("{e:#}")));
        match result {
            Ok(id) => {
                self.state.popup = None;
                self.refresh_directory();
                self.info(&format!("Service {id} added by hand; a feed import never changes it."));
            }
            Err(why) => {
                if let Some(Popup::Service(f)) = &mut self.state.popup {
                    f.error = Some(why);
                }
            }
        }
    }

    pub(super) fn submit_referral(&mut self) {
        let Some(Popup::NewReferral(form)) = &mut self.state.popup else { return };
        match validate(&form.input(), &form.reason_codes, self.state.today) {
            Err(errors) => {
                form.errors = Some(errors);
                form.focus_first_error();
            }
            Ok(valid) => {
                match referrals::add_confirmed(&mut self.store, &valid, form.same_person) {
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
                            self.state.popup = Some(Popup::Notice { title: title.to_owned(), text, scroll: 0 });
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
                        None => match format!("{e:#}").strip_prefix("practice: ") {
                            // Said beside the field, which keeps the focus.
                            Some(why) => {
                                form.errors = Some(crate::domain::intake::IntakeErrors(vec![
                                    crate::domain::intake::FieldError { field: "practice", message: why.to_owned() },
                                ]));
                                form.focus_first_error();
                            }
                            None => self.error(&format!("Could not save the referral: {e:#}")),
                        },
                    },
                }
            }
        }
    }
}

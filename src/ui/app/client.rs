//! The client record's keys: history, measures, contacts, goals, the
//! assessment, and social prescriptions (choosing a service, consent, export,
//! hand-over state).

use anyhow::Result;

use super::App;
use crate::storage;
use crate::storage::prescriptions;
use crate::ui::client;
use crate::ui::forms::{Ask, Choose, ContactForm, GoalForm};
use crate::ui::keymap::Action;
use crate::ui::state::{LineInput, Pane, Popup};

impl App {
    /// `n`: read one of the recent contacts in full (the record cuts each to a line).
    fn read_contact(&mut self) {
        let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
        let items: Vec<(String, String)> = d
            .contacts
            .iter()
            .take(9)
            .map(|c| {
                let when = c.at.get(..16).unwrap_or(&c.at).replace('T', " ");
                let mut head = format!("{when} {}", c.kind.label());
                if let Some(o) = &c.outcome {
                    head.push_str(&format!(", {}", o.replace('_', " ")));
                }
                if let Some(m) = c.duration_min {
                    head.push_str(&format!(", {m} min"));
                }
                let note = c.note.as_deref().unwrap_or("");
                let label = if note.is_empty() { head.clone() } else { format!("{head}: {note}") };
                let full = if note.is_empty() { format!("{head}\n\nNo note.") } else { format!("{head}\n\n{note}") };
                (label, full)
            })
            .collect();
        match items.len() {
            0 => self.info("No contacts yet: l logs one."),
            1 => self.open_contact(&items[0].1),
            _ => self.state.popup = Some(Popup::ContactPick { items }),
        }
    }

    fn open_contact(&mut self, full: &str) {
        self.state.popup = Some(Popup::Notice { title: "Contact".to_owned(), text: full.to_owned(), scroll: 0 });
    }

    pub(super) fn update_contact_choice(&mut self, action: Action) {
        match (action, self.state.popup.take()) {
            (Action::Choose(n), Some(Popup::ContactPick { items })) => match items.get(n - 1) {
                Some((_, full)) => self.open_contact(&full.clone()),
                None => self.state.popup = Some(Popup::ContactPick { items }),
            },
            (Action::ForceQuit, _) => self.request_quit(),
            (Action::Back, _) => {}
            (_, popup) => self.state.popup = popup,
        }
    }

    /// Keys on the client record.
    pub(super) fn update_client(&mut self, action: Action) {
        match action {
            Action::History => self.toggle_history(),
            Action::Assess => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                let id = d.client.id;
                match crate::storage::referrals::need_labels(self.store.conn()) {
                    Ok(codes) => {
                        let form = crate::ui::forms::assessment::AssessmentForm::new(id, &codes, d.assessment.as_ref());
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
            Action::EditDetails => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                self.state.popup = Some(Popup::Details(Box::new(crate::ui::forms::DetailsForm::new(&d.client))));
            }
            Action::Safeguarding => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                let (id, who) = (d.client.id, d.client.name.clone());
                match storage::safeguarding::of_client(self.store.conn(), id) {
                    Ok(concerns) => match concerns.into_iter().find(|c| c.closed_on.is_none()) {
                        // One is open: S closes it, with why.
                        Some(open) => {
                            let input = LineInput::new(2000);
                            self.state.popup = Some(Popup::Prompt {
                                ask: Ask::CloseConcern,
                                subject: open.id,
                                who: format!("{who}: concern raised {}: {}", open.raised_on, open.note),
                                input,
                                error: None,
                            });
                        }
                        None => {
                            let form = crate::ui::forms::SafeguardingForm::new(id, self.state.today);
                            self.state.popup = Some(Popup::Safeguarding(Box::new(form)));
                        }
                    },
                    Err(e) => self.error(&format!("Could not read the concerns: {e:#}")),
                }
            }
            Action::CloseEpisode => {
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                let Some(e) = d.episodes.first() else { return self.info("No referral to close.") };
                if e.status == crate::domain::referral::Status::Closed {
                    return self.info("The episode is closed already.");
                }
                // The decision names the referral and the person on screen, as in the caseload;
                // the record stays on them afterwards, whatever the caseload's row.
                self.target = Some((e.referral_id, d.client.nhs_number.clone()));
                let from = self.state.client.chosen.map_or(Pane::Caseload, |(_, from)| from);
                self.state.client.chosen = Some((d.client.id, from));
                let (referral, who) = (e.referral_id, d.client.name.clone());
                self.state.popup = Some(Popup::Choice { choose: Choose::Outcome, subject: referral, who });
            }
            Action::FollowUp | Action::BookAppointment => {
                if self.state.pane != Pane::Client {
                    return;
                }
                let Some(d) = &self.state.client.detail else { return self.info("No client on screen.") };
                let (id, who) = (d.client.id, d.client.name.clone());
                let (ask, text) = if action == Action::FollowUp {
                    let (on, note) = self.state.client.follow_up.clone().unzip();
                    let on = on.unwrap_or(self.state.today + chrono::Duration::days(14));
                    (Ask::FollowUpOn, format!("{on} {}", note.flatten().unwrap_or_default()))
                } else {
                    let start = crate::domain::appointment::default_start(self.state.today);
                    (Ask::BookAppointment, start.format(crate::domain::appointment::START_FORMAT).to_string())
                };
                let mut input = LineInput::new(500);
                input.text = text;
                input.cursor = input.text.chars().count();
                self.state.popup = Some(Popup::Prompt { ask, subject: id, who, input, error: None });
            }
            Action::ReadContact => self.read_contact(),
            Action::LogContact => {
                if self.state.pane != Pane::Client {
                    return;
                }
                match self.state.client.detail.as_ref().map(|d| d.client.id) {
                    Some(id) => {
                        let mut form = ContactForm::new(id, self.state.today);
                        form.who = self.state.client.detail.as_ref().map(|d| d.client.name.clone()).unwrap_or_default();
                        self.state.popup = Some(Popup::Contact(Box::new(form)))
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
            _ => {}
        }
    }

    /// Show the audit trail of the record on screen, scrolled to it; or hide it.
    pub(super) fn toggle_history(&mut self) {
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

    /// `p`: on the client record, go to the directory to choose a service; in the
    /// directory, open the prescription form for the selected service.
    pub(super) fn prescribe(&mut self) {
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
                let client = self.person_in_mind();
                let Some((client_id, name)) = client else {
                    return self.info("Open a client's record first (1, then Enter), then choose the service.");
                };
                let form = crate::ui::forms::PrescribeForm::new(client_id, &name, service_id, &service);
                self.state.popup = Some(Popup::Prescribe(Box::new(form)));
            }
            Pane::Caseload | Pane::Dashboard | Pane::Today => {}
        }
    }

    /// The person the worker has in mind away from their record: the record on
    /// screen, else the last one opened from Today or Find, else the caseload's
    /// selected row.
    pub(super) fn person_in_mind(&self) -> Option<(i64, String)> {
        if let Some(d) = &self.state.client.detail {
            return Some((d.client.id, d.client.name.clone()));
        }
        if let Some((id, _)) = self.state.client.chosen {
            let name = storage::client::resolve(self.store.conn(), &id.to_string()).map(|p| p.name).ok()?;
            return Some((id, name));
        }
        self.state.caseload.list.selected_row().map(|r| (r.client_id, r.name.clone()))
    }

    /// Offer what can be done next to prescription `id`.
    pub(super) fn prescription_steps(&mut self, id: i64) {
        let row = self.state.client.detail.as_ref().and_then(|d| d.prescriptions.iter().find(|p| p.id == id));
        let Some(row) = row else { return };
        let steps = crate::ui::forms::steps(row);
        let (service, state) = (row.service_name.clone(), row.state);
        if steps.is_empty() {
            let said = format!("{service}: {}: it cannot change any more (p makes a new prescription).", state.label());
            return self.info(&said);
        }
        self.state.popup = Some(Popup::PrescriptionStep { id, service, state, steps });
    }

    pub(super) fn update_prescription_choice(&mut self, action: Action) {
        use crate::ui::forms::Step;
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
    pub(super) fn export_referral(&mut self, id: i64) -> Result<String> {
        let dir = self.store.path().parent().unwrap_or(std::path::Path::new(".")).join("exports");
        storage::create_data_dir(&dir)?;
        let path = dir.join(crate::exports::default_export_name(id));
        let done = crate::exports::export_referral(&mut self.store, id, crate::exports::to_file(&path))?;
        // The letter beside it, made from the file just written.
        let format = crate::formats::letter::Format::Html;
        let letter = dir.join(crate::exports::default_letter_name(id, format));
        let signed = std::fs::read(&path)?;
        crate::exports::export_letter(&mut self.store, id, &signed, format, crate::exports::to_file(&letter))?;
        Ok(format!(
            "Saved in {}: {} (signed, sha256 {}…) and {} (the letter to read). Send both to the service securely \
             (e.g. NHSmail).",
            dir.display(),
            path.file_name().unwrap_or_default().to_string_lossy(),
            &done.sha256[..12],
            letter.file_name().unwrap_or_default().to_string_lossy(),
        ))
    }

    pub(super) fn update_goal_choice(&mut self, action: Action) {
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
}

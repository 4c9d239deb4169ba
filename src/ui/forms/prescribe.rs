//! A social prescription (one client to one service), and the steps that
//! can be taken next on one.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::ui::state::{LineInput, State};
use crate::ui::text::truncate;

/// The fields of the prescription form: (label, hint).
pub const PRESCRIBE_FIELDS: [(&str, &str); 5] = [
    ("Wants", "What the person wants from this service, in their words (sent to the service)"),
    ("Needs", "Need codes it addresses, separated by ';' (blank: the referral's reasons)"),
    ("Consent", "verbal or written: how the person agreed to their details going to this service (blank: not yet)"),
    ("Share NHS no", "yes to include the NHS number in the referral (only if the service needs it)"),
    ("Note", "A note for the record (stays here; not sent)"),
];

/// A social prescription: one client to one service.
#[derive(Clone, Debug, PartialEq)]
pub struct PrescribeForm {
    pub client_id: i64,
    pub service_id: i64,
    pub title: String,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl PrescribeForm {
    pub fn new(client_id: i64, client: &str, service_id: i64, service: &str) -> Self {
        let fields = [2000, 300, 10, 3, 2000].iter().map(|m| LineInput::new(*m)).collect();
        let title = format!("Prescribe {} for {}", truncate(service, 30), truncate(client, 24));
        PrescribeForm { client_id, service_id, title, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| !f.text.trim().is_empty())
    }

    pub fn prescription(&self) -> Result<crate::storage::prescriptions::NewPrescription, String> {
        use crate::domain::prescription::Consent;
        let f = |i: usize| self.fields[i].text.trim().to_owned();
        let consent = match f(2).to_lowercase().as_str() {
            "" => None,
            c => Some(Consent::parse(c)?),
        };
        let share_nhs_number = match f(3).to_lowercase().as_str() {
            "" | "n" | "no" => false,
            "y" | "yes" => true,
            other => return Err(format!("share NHS number: '{other}' is not yes or no")),
        };
        Ok(crate::storage::prescriptions::NewPrescription {
            client_id: self.client_id,
            service_id: self.service_id,
            needs: f(1).split([';', ',', ' ']).filter(|n| !n.is_empty()).map(str::to_lowercase).collect(),
            wants: f(0),
            note: f(4),
            consent,
            share_nhs_number,
        })
    }
}

pub fn draw_prescribe_form(frame: &mut Frame, area: Rect, state: &State, form: &PrescribeForm) {
    let fields: Vec<(&str, &LineInput)> = PRESCRIBE_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = PRESCRIBE_FIELDS[form.focus].1;
    draw_fields(frame, area, state, &form.title, &fields, form.focus, hint, form.error.as_deref());
}

/// One thing that can be done to a prescription from the client record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Consent(crate::domain::prescription::Consent),
    Export,
    To(crate::domain::prescription::State),
}

/// What can be done next to a prescription, with a label for each.
pub fn steps(row: &crate::storage::prescriptions::Row) -> Vec<(Step, String)> {
    use crate::domain::prescription::{Consent, State, next_states};
    let state = row.state;
    let mut out = Vec::new();
    if state == State::Draft && row.consent.is_none() {
        for c in Consent::ALL {
            out.push((Step::Consent(*c), format!("record {c} consent to share with the service")));
        }
    }
    if row.consent.is_some() && matches!(state, State::Draft | State::Sent | State::Acknowledged | State::NoResponse) {
        let label = if state == State::Draft {
            "export the signed referral to send (it becomes sent)"
        } else {
            "export the signed referral again"
        };
        out.push((Step::Export, label.to_owned()));
    }
    // Without consent a draft cannot be sent: offer only recording it.
    let may_send = row.consent.is_some();
    for to in next_states(state).iter().filter(|to| **to != State::Sent || may_send) {
        let label = match to {
            State::Sent if state == State::Draft => "mark sent (handed over another way)".to_owned(),
            State::Sent => "sent again".to_owned(),
            State::Declined => "declined by the service (asks why)".to_owned(),
            s => s.label().to_owned(),
        };
        out.push((Step::To(*to), label));
    }
    out
}

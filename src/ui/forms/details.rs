//! Correcting a person's details from their record. The form opens with what is
//! on file; only the fields changed are saved, each audited with before and
//! after. A new NHS number needs a reason and "yes" typed to confirm it.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::domain::details::Corrections;
use crate::storage::client::ClientRecord;
use crate::ui::state::{LineInput, State};

/// The fields: (label, hint).
pub const DETAILS_FIELDS: [(&str, &str); 11] = [
    ("Name", "as the person wants it written"),
    ("Born", "date of birth, YYYY-MM-DD"),
    ("Phone", "10 to 13 digits"),
    ("Address", ""),
    ("Postcode", "e.g. LS1 4AP"),
    ("Language", "the language the person prefers"),
    ("Interpreter", "yes or no"),
    ("Access needs", "step-free access, a hearing loop, large print..."),
    ("NHS number", "change only if it was wrong: it moves the record"),
    ("Reason", "why the NHS number changes (kept in the audit trail)"),
    ("Confirm", "type yes to change the NHS number"),
];

#[derive(Clone, Debug, PartialEq)]
pub struct DetailsForm {
    pub client_id: i64,
    pub fields: Vec<LineInput>,
    /// What the fields held when the form opened.
    pub original: Vec<String>,
    pub focus: usize,
    pub error: Option<String>,
}

impl DetailsForm {
    pub fn new(c: &ClientRecord) -> Self {
        let values = [
            c.name.clone(),
            c.date_of_birth.to_string(),
            c.phone.clone().unwrap_or_default(),
            c.address.clone().unwrap_or_default(),
            c.postcode.clone().unwrap_or_default(),
            c.interpreter_language.clone().unwrap_or_default(),
            if c.interpreter_needed { "yes" } else { "no" }.to_owned(),
            c.access_needs.clone().unwrap_or_default(),
            crate::domain::nhs::format_digits(&c.nhs_number),
            String::new(),
            String::new(),
        ];
        let fields = values
            .iter()
            .map(|v| {
                let mut f = LineInput::new(500);
                f.text = v.clone();
                f.cursor = v.chars().count();
                f
            })
            .collect();
        DetailsForm { client_id: c.id, fields, original: values.to_vec(), focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().zip(&self.original).any(|(f, o)| f.text != *o)
    }

    /// The corrections: only the fields that changed.
    pub fn corrections(&self) -> Result<Corrections, String> {
        let changed =
            |i: usize| (self.fields[i].text.trim() != self.original[i].trim()).then(|| self.fields[i].text.clone());
        let text = |i: usize| changed(i).map(Some);
        let interpreter = match changed(6).map(|s| s.trim().to_ascii_lowercase()) {
            None => None,
            Some(s) if matches!(s.as_str(), "yes" | "y") => Some(true),
            Some(s) if matches!(s.as_str(), "no" | "n" | "") => Some(false),
            Some(s) => return Err(format!("interpreter: '{s}' is not yes or no")),
        };
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let nhs = if compact(&self.fields[8].text) != compact(&self.original[8]) {
            if !self.fields[10].text.trim().eq_ignore_ascii_case("yes") {
                return Err(
                    "NHS number: type yes in Confirm to change it (it moves the record to another number)".to_owned()
                );
            }
            Some((self.fields[8].text.clone(), self.fields[9].text.clone()))
        } else {
            None
        };
        Ok(Corrections {
            name: changed(0),
            date_of_birth: changed(1),
            phone: text(2),
            address: text(3),
            postcode: text(4),
            language: text(5),
            interpreter_needed: interpreter,
            access_needs: text(7),
            nhs_number: nhs,
        })
    }
}

pub fn draw_details_form(frame: &mut Frame, area: Rect, state: &State, form: &DetailsForm) {
    let fields: Vec<(&str, &LineInput)> = DETAILS_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = DETAILS_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Correct the person's details", &fields, form.focus, hint, form.error.as_deref());
}

//! Raising a safeguarding concern from the record: what, who was told, when.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::ui::state::{LineInput, State};

pub const SAFEGUARDING_FIELDS: [(&str, &str); 3] = [
    ("Concern", "what was seen or said (facts, not opinions)"),
    ("Who was told", "the practice safeguarding lead, the local authority..."),
    ("Date", "YYYY-MM-DD"),
];

#[derive(Clone, Debug, PartialEq)]
pub struct SafeguardingForm {
    pub client_id: i64,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl SafeguardingForm {
    pub fn new(client_id: i64, today: chrono::NaiveDate) -> Self {
        let mut fields: Vec<LineInput> = [2000, 200, 10].iter().map(|m| LineInput::new(*m)).collect();
        fields[2].text = today.to_string();
        fields[2].cursor = 10;
        SafeguardingForm { client_id, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields[..2].iter().any(|f| !f.text.trim().is_empty())
    }
}

pub fn draw_safeguarding_form(frame: &mut Frame, area: Rect, state: &State, form: &SafeguardingForm) {
    let fields: Vec<(&str, &LineInput)> = SAFEGUARDING_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = SAFEGUARDING_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Raise a safeguarding concern", &fields, form.focus, hint, form.error.as_deref());
}

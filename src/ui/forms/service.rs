//! A local service added by hand in the directory (a feed import never touches it).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::storage::local_services::HandMade;
use crate::ui::state::{LineInput, State};

pub const SERVICE_FIELDS: [(&str, &str); 7] = [
    ("Name", "what the service is called"),
    ("Organisation", "who runs it (optional)"),
    ("Category", "e.g. Walking groups; several separated by ;"),
    ("Phone", ""),
    ("Email", ""),
    ("Postcode", ""),
    ("Capacity", "places, e.g. 12 a month (optional)"),
];

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceForm {
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl ServiceForm {
    pub fn new() -> Self {
        ServiceForm { fields: (0..SERVICE_FIELDS.len()).map(|_| LineInput::new(500)).collect(), focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| !f.text.trim().is_empty())
    }

    pub fn service(&self) -> Result<HandMade, String> {
        let opt = |i: usize| Some(self.fields[i].text.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(HandMade {
            name: self.fields[0].text.clone(),
            organisation: opt(1),
            description: None,
            categories: self.fields[2].text.split(';').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect(),
            phone: opt(3),
            email: opt(4),
            address: None,
            postcode: opt(5),
            capacity: super::parse_capacity(&self.fields[6].text)?,
        })
    }
}

impl Default for ServiceForm {
    fn default() -> Self {
        Self::new()
    }
}

pub fn draw_service_form(frame: &mut Frame, area: Rect, state: &State, form: &ServiceForm) {
    let fields: Vec<(&str, &LineInput)> = SERVICE_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = SERVICE_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Add a local service by hand", &fields, form.focus, hint, form.error.as_deref());
}

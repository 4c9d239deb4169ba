//! A contact or session for the client on screen.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::ui::state::{LineInput, State};

/// The fields of the contact form: (label, hint).
pub const CONTACT_FIELDS: [(&str, &str); 5] = [
    ("Kind", "phone, face_to_face, video, home_visit, group, text, email, letter"),
    ("Date", "YYYY-MM-DD"),
    ("Minutes", "how long, in minutes (optional)"),
    ("Attended", "y, or n if the person did not attend"),
    ("Note", "what happened (optional)"),
];

/// A contact or session for the client on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactForm {
    pub client_id: i64,
    /// Whose contact it is, named in the form's title.
    pub who: String,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl ContactForm {
    pub fn new(client_id: i64, today: NaiveDate) -> Self {
        let mut fields: Vec<LineInput> =
            [20, 10, 4, 1, crate::storage::contacts::NOTE_MAX].iter().map(|m| LineInput::new(*m)).collect();
        for (i, text) in [(0, "face_to_face".to_owned()), (1, today.to_string()), (3, "y".to_owned())] {
            fields[i].text = text;
            fields[i].cursor = fields[i].text.chars().count();
        }
        ContactForm { client_id, who: String::new(), fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        !self.fields[2].text.trim().is_empty() || !self.fields[4].text.trim().is_empty()
    }

    /// The contact, or what is wrong with the field that is wrong.
    pub fn contact(&self) -> Result<crate::storage::contacts::NewContact, String> {
        let kind =
            crate::domain::referral::ContactKind::parse(&self.fields[0].text.trim().to_lowercase().replace(' ', "_"))?;
        let on = crate::domain::intake::parse_date("date", &self.fields[1].text).map_err(|e| e.to_string())?;
        let minutes = match self.fields[2].text.trim() {
            "" => None,
            m => Some(m.parse::<i64>().map_err(|_| format!("minutes: '{m}' is not a whole number"))?),
        };
        let did_not_attend = match self.fields[3].text.trim().to_lowercase().as_str() {
            "y" | "yes" | "" => false,
            "n" | "no" => true,
            other => return Err(format!("attended: '{other}' is not y or n")),
        };
        let note = Some(self.fields[4].text.trim().to_owned()).filter(|n| !n.is_empty());
        Ok(crate::storage::contacts::NewContact { kind, on, minutes, did_not_attend, note })
    }
}

pub fn draw_contact_form(frame: &mut Frame, area: Rect, state: &State, form: &ContactForm) {
    let fields: Vec<(&str, &LineInput)> = CONTACT_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = CONTACT_FIELDS[form.focus].1;
    let title = if form.who.is_empty() {
        "Log a contact or session".to_owned()
    } else {
        format!("Log a contact: {}", form.who)
    };
    draw_fields(frame, area, state, &title, &fields, form.focus, hint, form.error.as_deref());
}

//! A goal for the client on screen: the smallest form, the one to copy.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::ui::state::{LineInput, State};

/// The fields of the goal form: (label, hint).
pub const GOAL_FIELDS: [(&str, &str); 4] = [
    ("Goal", "what the person wants to achieve, in their words"),
    ("Steps", "the steps agreed"),
    ("Who", "who does what"),
    ("Target date", "YYYY-MM-DD (optional)"),
];

/// A goal for the client on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalForm {
    pub client_id: i64,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl GoalForm {
    pub fn new(client_id: i64) -> Self {
        let fields = [crate::storage::goals::TITLE_MAX, 2000, 2000, 10].iter().map(|m| LineInput::new(*m)).collect();
        GoalForm { client_id, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| !f.text.trim().is_empty())
    }

    pub fn goal(&self) -> Result<crate::storage::goals::NewGoal, String> {
        let target_on = match self.fields[3].text.trim() {
            "" => None,
            d => Some(crate::domain::intake::parse_date("target date", d).map_err(|e| e.to_string())?),
        };
        Ok(crate::storage::goals::NewGoal {
            title: self.fields[0].text.clone(),
            steps: self.fields[1].text.clone(),
            who: self.fields[2].text.clone(),
            target_on,
        })
    }
}

pub fn draw_goal_form(frame: &mut Frame, area: Rect, state: &State, form: &GoalForm) {
    let fields: Vec<(&str, &LineInput)> = GOAL_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = GOAL_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "New goal", &fields, form.focus, hint, form.error.as_deref());
}

//! The dashboard's save-summary dialog: which week, in what form, where.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::draw_fields;
use crate::ui::state::{LineInput, State};

/// The fields of the save-summary dialog: (label, hint).
pub const SUMMARY_FIELDS: [(&str, &str); 4] = [
    ("Week", "An ISO week, YYYY-Www (the default is the last complete week)"),
    ("Format", "html (a page to read and print), md, csv (for a spreadsheet) or json"),
    (
        "Suppress",
        "yes: 1 to 7 shown as *, others rounded to 5 (NHS Digital's method), for reports leaving the practice",
    ),
    ("File", "Where to save it (blank: exports/summary-WEEK.FORMAT beside the database)"),
];

/// Save the weekly summary: which week, in what form, where.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryForm {
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl SummaryForm {
    pub fn new(today: NaiveDate) -> Self {
        let week = crate::domain::summary::Period::last_complete_week(today).week.unwrap_or_default();
        let mut fields: Vec<LineInput> = [8, 4, 3, 500].iter().map(|m| LineInput::new(*m)).collect();
        for (f, text) in fields.iter_mut().zip([week.as_str(), "md", "yes"]) {
            f.text = text.to_owned();
            f.cursor = text.chars().count();
        }
        SummaryForm { fields, focus: 0, error: None }
    }

    /// The request and the file, or what is wrong. `dir` is the default folder.
    pub fn request(
        &self,
        dir: &std::path::Path,
    ) -> Result<(crate::exports::SummaryRequest, std::path::PathBuf), String> {
        use crate::formats::summary::Format;
        let f = |i: usize| self.fields[i].text.trim().to_owned();
        let period = crate::domain::summary::Period::week(&f(0))?;
        let format = Format::parse(&f(1))?;
        let suppress_small = match f(2).to_lowercase().as_str() {
            "y" | "yes" => true,
            "n" | "no" => false,
            other => return Err(format!("suppress: '{other}' is not yes or no")),
        };
        let file = match f(3) {
            name if name.is_empty() => {
                dir.join(format!("summary-{}.{}", period.week.clone().unwrap_or_default(), format.extension()))
            }
            name => std::path::PathBuf::from(name),
        };
        Ok((crate::exports::SummaryRequest { period, format, suppress_small, signed: false }, file))
    }
}

pub fn draw_summary_form(frame: &mut Frame, area: Rect, state: &State, form: &SummaryForm) {
    let fields: Vec<(&str, &LineInput)> = SUMMARY_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = SUMMARY_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Save the weekly summary", &fields, form.focus, hint, form.error.as_deref());
}

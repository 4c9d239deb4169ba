//! A wellbeing measure (ONS4, SWEMWBS, UCLA-3): a field per item, then the date.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::form_keys;
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{LineInput, State};
use crate::ui::text::{fit, truncate, width};

/// The form for one wellbeing measure: a field per item, then the date, and
/// whether it is the baseline or a follow-up.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureForm {
    pub client_id: i64,
    pub instrument: crate::domain::referral::Instrument,
    /// One per item, then the date.
    pub fields: Vec<LineInput>,
    pub follow_up: bool,
    pub focus: usize,
    /// The refusal of the last save, if any.
    pub error: Option<String>,
}

impl MeasureForm {
    pub fn new(
        client_id: i64,
        instrument: crate::domain::referral::Instrument,
        follow_up: bool,
        today: NaiveDate,
    ) -> Self {
        let n = crate::domain::measures::item_labels(instrument).len();
        let mut fields: Vec<LineInput> = (0..n).map(|_| LineInput::new(2)).collect();
        let mut date = LineInput::new(10);
        date.text = today.to_string();
        date.cursor = 10;
        fields.push(date);
        MeasureForm { client_id, instrument, fields, follow_up, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields[..self.fields.len() - 1].iter().any(|f| !f.text.trim().is_empty())
    }

    /// The items as typed: empty is unanswered, anything else must be a number.
    pub fn items(&self) -> Result<Vec<Option<i64>>, String> {
        let n = self.fields.len() - 1;
        let text: Vec<&str> = self.fields[..n].iter().map(|f| f.text.as_str()).collect();
        crate::domain::measures::parse_items(self.instrument, &text.join(","))
    }

    /// What is wrong with the item being typed, as soon as it is typed.
    pub fn item_problem(&self, i: usize) -> Option<String> {
        let f = self.fields.get(i)?;
        if i + 1 == self.fields.len() || f.text.trim().is_empty() {
            return None;
        }
        let (lo, hi) = crate::domain::measures::item_range(self.instrument);
        match f.text.trim().parse::<i64>() {
            Ok(v) if (i64::from(lo)..=i64::from(hi)).contains(&v) => None,
            _ => Some(format!("{} to {}", lo, hi)),
        }
    }
}

pub fn draw_measure_form(frame: &mut Frame, area: Rect, state: &State, form: &MeasureForm) {
    let t = &state.theme;
    let labels = crate::domain::measures::item_labels(form.instrument);
    let rect =
        centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 64, labels.len() as u16 + 9);
    clear_popup(frame, rect);
    let title = format!("{} {}", form.instrument.label(), if form.follow_up { "follow-up" } else { "baseline" });
    let block = popup_block(state, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let (lo, hi) = crate::domain::measures::item_range(form.instrument);
    let mut lines = vec![Line::from(Span::styled(format!("Each item {lo} to {hi}."), t.dim()))];
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let label = labels.get(i).map_or("Date (YYYY-MM-DD)".to_owned(), |l| format!("{}. {l}", i + 1));
        let focused = i == form.focus;
        let problem = form.item_problem(i);
        let mark = if problem.is_some() {
            "!"
        } else if focused {
            "▶"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(mark.to_owned(), if problem.is_some() { t.error() } else { t.key() }),
            Span::raw(format!("{} ", fit(&label, 26))),
            Span::styled(fit(&f.text, 10), if focused { Style::new().underlined() } else { t.base() }),
        ];
        if let Some(p) = problem {
            spans.push(Span::styled(format!(" expected {p}"), t.error()));
        }
        if focused {
            cursor = Some((inner.x + 28 + width(f.before_cursor()) as u16, inner.y + 1 + i as u16));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        truncate(form.error.as_deref().unwrap_or(""), usize::from(inner.width)),
        t.error(),
    )));
    lines.push(form_keys(t));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}

//! A wellbeing measure (ONS4, SWEMWBS, UCLA-3): a field per item, then the date.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{LineForm, form_keys};
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{LineInput, State};
use crate::ui::text::{fit, truncate, width, wrap};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
        let mut fields: Vec<LineInput> = (0..n).map(|_| LineInput::new(ITEM_MAX_CHARS)).collect();
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

/// An item holds a few characters more than its longest answer, so a wrong
/// digit on the last item is shown (and refused on saving), not lost.
const ITEM_MAX_CHARS: usize = 4;

/// The one rule for typing answers, said on the form.
pub const DIGIT_RULE: &str =
    "Type the answers: a digit that cannot add to an answer starts the next item. Tab moves on.";

impl MeasureForm {
    /// Would `text` be an answer to the items? A leading 0 starts no longer answer.
    fn is_answer(&self, text: &str) -> bool {
        let (lo, hi) = crate::domain::measures::item_range(self.instrument);
        (text == "0" || !text.starts_with('0'))
            && text.parse::<i64>().is_ok_and(|v| (i64::from(lo)..=i64::from(hi)).contains(&v))
    }
}

/// The measure's one rule for digits, the same for ONS4 (0-10), SWEMWBS (1-5)
/// and UCLA-3 (1-3): a digit typed at the end of an item that holds an answer,
/// and that would not make a longer answer, starts the next item (replacing
/// what it held). So `7865` is four ONS4 answers, `10` is one, `2 Tab 2 Tab`
/// puts 2 on the first two items, and no digit is dropped: on the last item it
/// stays, marked as not an answer.
impl LineForm for MeasureForm {
    fn parts(&mut self) -> (&mut [LineInput], &mut usize) {
        (&mut self.fields, &mut self.focus)
    }

    fn clear_error(&mut self) {
        self.error = None;
    }

    fn edit(&mut self, key: &KeyEvent) -> bool {
        self.clear_error();
        let i = self.focus;
        let items = self.fields.len() - 1;
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if let KeyCode::Char(c) = key.code
            && plain
            && c.is_ascii_digit()
            && i + 1 < items
        {
            let f = &self.fields[i];
            let at_end = f.cursor == f.text.chars().count();
            let answer = f.text.trim().to_owned();
            if at_end && self.is_answer(&answer) && !self.is_answer(&format!("{answer}{c}")) {
                let next = &mut self.fields[i + 1];
                next.text = c.to_string();
                next.cursor = 1;
                self.focus = i + 1;
                return true;
            }
        }
        self.fields[i].edit(key)
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
    let rule = format!("Each item {lo} to {hi}. {DIGIT_RULE}");
    let mut lines: Vec<Line> = wrap(&rule, usize::from(inner.width))
        .into_iter()
        .take(3)
        .map(|l| Line::from(Span::styled(l, t.dim())))
        .collect();
    let top = lines.len() as u16;
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let label = labels.get(i).map_or("Date (YYYY-MM-DD)".to_owned(), |l| format!("{}. {l}", i + 1));
        let focused = i == form.focus;
        let problem = form.item_problem(i);
        // The focus is always shown; a wrong item elsewhere is marked !.
        let mark = if focused {
            "▶"
        } else if problem.is_some() {
            "!"
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
            cursor = Some((inner.x + 28 + width(f.before_cursor()) as u16, inner.y + top + i as u16));
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

//! A message in full: what the bottom line cannot hold.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::State;
use crate::ui::text::wrap;

/// The popup's width on a screen `area` wide, and the text wrapped to it.
fn layout(area: Rect, text: &str) -> (u16, Vec<String>) {
    let w = area.width.saturating_sub(4).min(72);
    (w, text.split('\n').flat_map(|p| wrap(p, usize::from(w.saturating_sub(2)))).collect())
}

/// The popup's rectangle, and how many lines of text it shows.
fn rect_and_rows(area: Rect, text: &str) -> (Rect, Vec<String>, usize) {
    let (w, body) = layout(area, text);
    let rect = centred(area, w, (body.len() as u16 + 4).min(area.height.saturating_sub(2)));
    let rows = usize::from(rect.height.saturating_sub(2)).saturating_sub(2);
    (rect, body, rows)
}

/// How far a notice of `text` can scroll on the screen the state describes.
pub fn max_scroll(state: &State, text: &str) -> usize {
    let (_, body, rows) = rect_and_rows(Rect::new(0, 0, state.width, state.height), text);
    body.len().saturating_sub(rows)
}

/// A message in full, wrapped to the popup's width, from line `scroll` on.
pub fn draw_notice(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    (title, text, scroll): (&str, &str, usize),
    keys: &[(&str, &str)],
) {
    let t = &state.theme;
    let (rect, body, rows) = rect_and_rows(area, text);
    let more = body.len() > scroll + rows;
    let title = if more { format!("{title} (j for more)") } else { title.to_owned() };
    clear_popup(frame, rect);
    let block = popup_block(state, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut lines: Vec<Line> = body.into_iter().skip(scroll).take(rows).map(Line::from).collect();
    lines.push(Line::from(""));
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(key.to_string(), t.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), inner);
}

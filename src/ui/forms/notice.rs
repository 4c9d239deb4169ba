//! A message in full: what the bottom line cannot hold.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::State;
use crate::ui::text::wrap;

/// A message in full, wrapped to the popup's width.
pub fn draw_notice(frame: &mut Frame, area: Rect, state: &State, title: &str, text: &str, keys: &[(&str, &str)]) {
    let t = &state.theme;
    let w = area.width.saturating_sub(4).min(72);
    let body: Vec<String> = text.split('\n').flat_map(|p| wrap(p, usize::from(w.saturating_sub(2)))).collect();
    let rect = centred(area, w, (body.len() as u16 + 4).min(area.height.saturating_sub(2)));
    clear_popup(frame, rect);
    let block = popup_block(state, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let rows = usize::from(inner.height).saturating_sub(2);
    let mut lines: Vec<Line> = body.into_iter().take(rows).map(Line::from).collect();
    lines.push(Line::from(""));
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(key.to_string(), t.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), inner);
}

//! Unmet needs by code, for commissioners.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::State;
use crate::ui::text::{fit, truncate};

pub fn draw_unmet(frame: &mut Frame, area: Rect, state: &State, rows: &[crate::storage::directory::UnmetCount]) {
    let t = &state.theme;
    let rect =
        centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 64, rows.len() as u16 + 5);
    clear_popup(frame, rect);
    let block = popup_block(state, "Unmet needs by code");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let mut lines =
        vec![Line::from(Span::styled(format!("{:>6}  {} ", "count", fit("need", 26)) + "latest", t.header()))];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled("None recorded. m on a client or a service records one.", t.dim())));
    }
    for r in rows {
        lines.push(Line::from(truncate(&format!("{:>6}  {} {}", r.count, fit(&r.label, 26), r.latest), w)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![Span::styled("Esc", t.key()), Span::raw(" close")]));
    frame.render_widget(Paragraph::new(lines), inner);
}

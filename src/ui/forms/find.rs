//! The find box: what was typed, and the people it finds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::nhs::format_digits;
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{FindState, State};
use crate::ui::text::{fit, truncate, truncate_left};

pub fn draw_find(frame: &mut Frame, area: Rect, state: &State, f: &FindState) {
    let t = &state.theme;
    let w = area.width.saturating_sub(4).min(90);
    let rect = centred(area, w, area.height.saturating_sub(4).min(20));
    clear_popup(frame, rect);
    let block = popup_block(state, "Find anyone: name, NHS number or phone");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let width = usize::from(inner.width);
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", t.key()),
        Span::raw(truncate_left(&f.input.text, width.saturating_sub(3))),
        Span::styled("▏", t.key()),
    ])];
    let rows = usize::from(inner.height).saturating_sub(2);
    if let Some(e) = &f.error {
        lines.push(Line::styled(truncate(e, width), t.error()));
    } else if f.input.text.trim().is_empty() {
        lines.push(Line::styled("Type part of a name (accents optional), an NHS number or a phone number.", t.dim()));
    } else if f.found.is_empty() {
        lines.push(Line::styled("Nobody on file matches.", t.dim()));
    } else {
        let top = f.selected.saturating_sub(rows.saturating_sub(1));
        let name_w = width.saturating_sub(2 + 13 + 11 + 14 + 11 + 3).max(10);
        for (i, p) in f.found.iter().enumerate().skip(top).take(rows) {
            let line = Line::from(vec![
                Span::raw(if i == f.selected { "▶ " } else { "  " }),
                Span::raw(fit(&p.name, name_w)),
                Span::raw(" "),
                Span::raw(fit(&format_digits(&p.nhs_number), 13)),
                Span::raw(fit(&p.date_of_birth, 11)),
                Span::raw(fit(p.phone.as_deref().unwrap_or(""), 14)),
                Span::styled(fit(p.status.as_deref().unwrap_or("none"), 11), t.dim()),
            ]);
            lines.push(if i == f.selected { line.style(t.selected()) } else { line });
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

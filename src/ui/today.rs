//! Today's pane: each section with its count, each line with when, who and why.
//! Only the lines that fit are drawn; the selection stays on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state::State;
use super::text::{fit, truncate};

/// One screen line: a section title, or an item (its index over all items).
enum Row<'a> {
    Title(&'a str, usize, usize),
    Item(usize, &'a crate::storage::today::Item),
    Blank,
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let Some(agenda) = &state.today_list.agenda else {
        frame.render_widget(Paragraph::new(Line::styled("Reading today's agenda...", t.dim())), area);
        return;
    };
    if agenda.is_empty() {
        let lines = vec![
            Line::from("Nothing due today: no appointments, follow-ups, overdue goals or first contacts,"),
            Line::from("and every service has answered in time."),
            Line::from(""),
            Line::styled("1 opens the caseload; Ctrl+F finds anyone.", t.dim()),
        ];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let mut rows = Vec::new();
    let mut index = 0;
    for (n, s) in agenda.sections.iter().enumerate() {
        if n > 0 {
            rows.push(Row::Blank);
        }
        rows.push(Row::Title(s.title, s.total, s.items.len()));
        for item in &s.items {
            rows.push(Row::Item(index, item));
            index += 1;
        }
    }
    let height = usize::from(area.height);
    let selected_row =
        rows.iter().position(|r| matches!(r, Row::Item(i, _) if *i == state.today_list.selected)).unwrap_or(0);
    // Keep the selection on screen, with its section's title when it fits.
    let top = selected_row.saturating_sub(height.saturating_sub(1));
    let width = usize::from(area.width);
    let when_w = 10;
    let name_w = (width / 4).clamp(12, 28);
    let why_w = width.saturating_sub(when_w + name_w + 4);
    let lines: Vec<Line> = rows
        .iter()
        .skip(top)
        .take(height)
        .map(|r| match r {
            Row::Blank => Line::from(""),
            Row::Title(title, total, shown) => {
                let more = if total > shown { format!(" (showing {shown})") } else { String::new() };
                Line::styled(truncate(&format!("{title} ({total}){more}"), width), t.title())
            }
            Row::Item(i, item) => {
                let selected = *i == state.today_list.selected;
                let marker = if selected { "▶ " } else { "  " };
                let line = Line::from(vec![
                    Span::raw(marker),
                    Span::raw(fit(&item.when, when_w)),
                    Span::raw(" "),
                    Span::raw(fit(&item.name, name_w)),
                    Span::raw(" "),
                    Span::styled(
                        truncate(&item.why, why_w),
                        if item.kind == crate::storage::today::Kind::Safeguarding { t.alert() } else { t.base() },
                    ),
                ]);
                if selected { line.style(t.selected()) } else { line }
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

//! The Service directory pane: services on the left, the selected one's details
//! on the right. Read-only until the directory work lands.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::draw::draw_filter;
use super::state::State;
use super::text::{fit, truncate, wrap};
use crate::storage::directory::ServiceDetail;

/// How many lines the selected service's details take, at the current width
/// (the pane is the screen less its borders; the details take what the list leaves).
pub fn detail_line_count(state: &State) -> usize {
    let width = state.width.saturating_sub(2);
    let list_w = (width * 45 / 100).max(30);
    let w = usize::from(width.saturating_sub(list_w).saturating_sub(2));
    state.directory.detail.as_ref().map_or(0, |s| detail_lines(state, s, w).len())
}
/// The mark of a service slow to answer: a referral waiting over 14 days.
/// Not `…`, which marks text cut short.
pub const SLOW_MARK: &str = "~";

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let d = &state.directory;
    let list_w = (area.width * 45 / 100).max(30);
    let [left, right] = Layout::horizontal([Constraint::Length(list_w), Constraint::Fill(1)]).areas(area);
    // What the search did that was not what was typed, said above the list.
    let note_lines: Vec<String> = d.note.as_deref().map_or_else(Vec::new, |n| wrap(n, usize::from(left.width)));
    let note_h = (note_lines.len().min(3)) as u16;
    let [filter_area, note_area, rows_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(note_h), Constraint::Fill(1)]).areas(left);
    draw_filter(frame, filter_area, state, "/", &d.filter, d.editing_filter, "search services");
    if note_h > 0 {
        let lines: Vec<Line> = note_lines.into_iter().take(3).map(|l| Line::from(Span::styled(l, t.warn()))).collect();
        frame.render_widget(Paragraph::new(lines), note_area);
    }

    let w = usize::from(left.width);
    if d.list.total == 0 {
        let filtered =
            d.accepting_only || d.age.is_some() || d.free_only || d.open_on.is_some() || d.district.is_some();
        let msg = if filtered {
            "No service matches the search and filters in the title: a, f, F, O and D turn them off."
        } else if d.filter.text.is_empty() {
            "No services yet. Import a directory with: linkwork services import FILE"
        } else {
            "No service matches. Esc clears the search; linkwork services synonyms adds words."
        };
        let lines: Vec<Line> = wrap(msg, w).into_iter().map(|l| Line::from(Span::styled(l, t.dim()))).collect();
        frame.render_widget(Paragraph::new(lines), rows_area);
    }
    for (row_y, (index, row)) in d.list.visible().enumerate() {
        if row_y >= usize::from(rows_area.height) {
            break;
        }
        let selected = index == d.list.selected;
        let mark = if row.status != "active" {
            Span::styled("× ", t.warn())
        } else if !row.accepting_referrals {
            Span::styled("– ", t.warn())
        } else if row.over_capacity {
            Span::styled("+ ", t.alert())
        } else if row.slow_to_answer {
            Span::styled(format!("{SLOW_MARK} "), t.warn())
        } else {
            Span::raw("  ")
        };
        let mut line = Line::from(vec![
            Span::raw(if selected { "▶ " } else { "  " }),
            mark,
            Span::raw(fit(&row.name, w.saturating_sub(5))),
        ]);
        if selected {
            line = line.style(t.selected());
        }
        frame.render_widget(
            line,
            Rect { x: rows_area.x, y: rows_area.y + row_y as u16, width: rows_area.width, height: 1 },
        );
    }

    let block = Block::new().borders(Borders::LEFT).border_style(t.dim());
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(1), ..inner };
    let lines = match &d.detail {
        Some(s) => detail_lines(state, s, usize::from(inner.width)),
        None => vec![Line::from(Span::styled("No service selected.", t.dim()))],
    };
    // Details longer than the pane scroll with J/K; the last line says so.
    let height = usize::from(inner.height);
    let total = lines.len();
    let top = d.detail_scroll.min(total.saturating_sub(height));
    let mut lines: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    if top + height < total && height > 1 {
        lines.pop();
        lines.push(Line::from(Span::styled(
            format!("↓ {} more lines: J scrolls, K back", total - top - height + 1),
            t.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn detail_lines(state: &State, s: &ServiceDetail, w: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let mut out = Vec::new();
    for l in wrap(&s.row.name, w) {
        out.push(Line::from(Span::styled(l, t.header())));
    }
    if let Some(o) = &s.row.organisation {
        out.push(Line::from(truncate(&format!("by {o}"), w)));
    }
    if let Some(c) = &s.row.categories {
        out.push(Line::from(Span::styled(truncate(c, w), t.dim())));
    }
    let status = if s.row.status != "active" {
        Span::styled(format!("Status: {}", s.row.status), t.warn())
    } else if s.row.accepting_referrals {
        Span::styled("Accepting referrals", t.good())
    } else {
        Span::styled("Not accepting referrals", t.warn())
    };
    out.push(Line::from(status));
    let mut capacity = match (s.capacity_places, &s.capacity_period) {
        (Some(n), Some(p)) => format!("Capacity {n} a {p}"),
        _ => "Capacity not recorded".to_owned(),
    };
    if let Some(wl) = s.waiting_list {
        capacity.push_str(&format!(" · waiting list {wl}"));
    }
    capacity.push_str(&format!(" · awaiting answer {}", s.awaiting_answer));
    out.push(Line::from(truncate(&capacity, w)));
    if let Some(d) = &state.directory.demand {
        let answer =
            d.median_days_to_answer.map_or("no answers yet".to_owned(), |m| format!("median {m:.0} days to answer"));
        let line = format!(
            "Last 4 weeks: {} sent{} · {} accepted, {} declined · {answer}",
            d.sent_4_weeks,
            d.capacity_4_weeks.map_or(String::new(), |c| format!(" of {c} places")),
            d.accepted,
            d.declined
        );
        let style = if d.over_capacity || d.slow_to_answer { t.warn() } else { t.base() };
        for l in wrap(&line, w) {
            out.push(Line::from(Span::styled(l, style)));
        }
        let mut flags = Vec::new();
        if d.over_capacity {
            flags.push("OVER CAPACITY");
        }
        if d.slow_to_answer {
            flags.push("SLOW TO ANSWER");
        }
        if !flags.is_empty() {
            out.push(Line::from(Span::styled(flags.join(" · "), t.alert())));
        }
    }
    out.push(Line::from(""));
    let fields: [(&str, Option<String>); 7] = [
        ("When", s.schedule.clone()),
        (
            "Where",
            match (&s.address, &s.postcode) {
                (Some(a), Some(p)) => Some(format!("{a} {p}")),
                (a, p) => a.clone().or_else(|| p.clone()),
            },
        ),
        ("Phone", s.phone.clone()),
        ("Email", s.email.clone()),
        ("Web", s.url.clone()),
        (
            "Ages",
            match (s.min_age, s.max_age) {
                (None, None) => None,
                (Some(a), None) => Some(format!("{a} and over")),
                (None, Some(b)) => Some(format!("up to {b}")),
                (Some(a), Some(b)) => Some(format!("{a} to {b}")),
            },
        ),
        ("Fees", s.fees.clone()),
    ];
    for (label, value) in fields {
        if let Some(v) = value {
            out.push(Line::from(vec![
                Span::styled(format!("{label:<6}"), t.key()),
                Span::raw(truncate(&v, w.saturating_sub(6))),
            ]));
        }
    }
    if let Some(e) = &s.eligibility {
        for l in wrap(&format!("Who for: {e}"), w) {
            out.push(Line::from(l));
        }
    }
    if let Some(desc) = &s.description {
        out.push(Line::from(""));
        for l in wrap(desc, w) {
            out.push(Line::from(l));
        }
    }
    if let Some(n) = &s.local_notes {
        out.push(Line::from(""));
        for l in wrap(&format!("Our notes: {n}"), w) {
            out.push(Line::from(Span::styled(l, t.warn())));
        }
    }
    out
}

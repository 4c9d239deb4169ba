//! The Caseload pane: the day's list of referrals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::draw::draw_filter;
use super::state::State;
use super::text::{fit, fit_right};
use crate::domain::nhs::format_digits;
use crate::domain::referral::{Priority, contact_overdue};
use crate::storage::caseload::View;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let c = &state.caseload;
    let [tabs_area, head_area, rows_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Fill(1)]).areas(area);

    // The views, then the filter on the same line.
    let mut spans = Vec::new();
    for v in View::ALL {
        let style = if v == c.view { t.active_tab() } else { t.dim() };
        spans.push(Span::styled(format!(" {} ", v.label()), style));
        spans.push(Span::raw(" "));
    }
    let tabs_w: u16 = spans.iter().map(|s| s.width() as u16).sum();
    let [tabs, filter] = Layout::horizontal([Constraint::Length(tabs_w), Constraint::Fill(1)]).areas(tabs_area);
    frame.render_widget(Line::from(spans), tabs);
    draw_filter(frame, filter, state, "/", &c.filter, c.editing_filter, "filter: name or NHS number");

    let w = usize::from(area.width);
    let wide = w >= 100;
    // marker 2, flag 2, name, nhs 12, status 11, priority 8, waiting 7, next 12, received 12 when wide
    let fixed = 2 + 2 + 1 + 12 + 1 + 10 + 1 + 8 + 1 + 7 + 12 + if wide { 12 } else { 0 };
    let name_w = w.saturating_sub(fixed).max(8);
    let mut head = format!(
        "    {} {} {} {} {}",
        fit("Name", name_w),
        fit("NHS number", 12),
        fit("Status", 10),
        fit("Priority", 8),
        fit_right("Waiting", 7),
    );
    head.push_str(&fit_right("Next", 12));
    if wide {
        head.push_str(&fit_right("Received", 12));
    }
    frame.render_widget(Line::from(Span::styled(head, t.header())), head_area);

    if c.list.total == 0 {
        let msg = if c.filter.text.is_empty() {
            format!("No referrals in \"{}\". Press v for another list.", c.view.label())
        } else {
            "Nothing matches the filter. Esc clears it.".to_owned()
        };
        frame.render_widget(Line::from(Span::styled(msg, t.dim())), rows_area);
        return;
    }

    for (row_y, (index, row)) in c.list.visible().enumerate() {
        if row_y >= usize::from(rows_area.height) {
            break;
        }
        let selected = index == c.list.selected;
        let overdue =
            contact_overdue(row.status, row.received_on, row.first_contact_on, state.today, state.contact_within_days);
        let waiting = format!("{} d{}", row.days_waiting(state.today), if overdue { "!" } else { " " });
        let mut spans = vec![
            Span::raw(if selected { "▶ " } else { "  " }),
            Span::styled(if row.safeguarding { "S" } else { " " }, t.alert()),
            Span::styled(if row.no_response { "?" } else { " " }, t.warn()),
            Span::raw(fit(&row.name, name_w)),
            Span::raw(" "),
            Span::raw(fit(&format_digits(&row.nhs_number), 12)),
            Span::raw(" "),
            Span::raw(fit(row.status.label(), 10)),
            Span::raw(" "),
            Span::styled(
                fit(row.priority.label(), 8),
                match row.priority {
                    Priority::Urgent => t.alert(),
                    Priority::Soon => t.warn(),
                    Priority::Routine => t.base(),
                },
            ),
            Span::raw(" "),
            Span::styled(fit_right(&waiting, 7), if overdue { t.warn() } else { t.base() }),
            Span::raw(fit_right(&row.next(state.today).unwrap_or_default(), 12)),
        ];
        if wide {
            spans.push(Span::raw(fit_right(&row.received_on.format("%-d %b %Y").to_string(), 12)));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(t.selected());
        }
        let y = rows_area.y + row_y as u16;
        frame.render_widget(line, Rect { x: rows_area.x, y, width: rows_area.width, height: 1 });
    }
}

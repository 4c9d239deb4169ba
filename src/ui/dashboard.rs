//! The Dashboard pane: referrals per week, the caseload by status, top reasons,
//! services over capacity and wellbeing change. Drawn from figures read when the
//! pane is shown (`storage::summary::dashboard`); nothing is queried here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::state::State;
use super::text::{fit, truncate};
use crate::domain::summary::{Count, Summary};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let Some(d) = &state.dashboard else {
        frame.render_widget(Paragraph::new(Span::styled("Reading the figures...", t.dim())), area);
        return;
    };
    let [top, bottom, foot] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1), Constraint::Length(3)]).areas(area);
    let [chart, status] = Layout::horizontal([Constraint::Length(50), Constraint::Fill(1)]).spacing(2).areas(top);
    let [reasons, capacity] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).spacing(2).areas(bottom);

    // New referrals per ISO week: 12 bars of 3 columns and a gap.
    let [chart_title, chart_body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(chart);
    let total: u64 = d.weeks.iter().map(|(_, n)| n).sum();
    frame.render_widget(
        Paragraph::new(title(state, &format!("New referrals per week (12 weeks: {total})"), chart.width)),
        chart_title,
    );
    let bars: Vec<Bar> = d
        .weeks
        .iter()
        .map(|(label, n)| {
            Bar::default().value(*n).label(Line::from(label.clone())).style(t.key()).value_style(t.selected())
        })
        .collect();
    frame.render_widget(
        BarChart::default().data(BarGroup::default().bars(&bars)).bar_width(3).bar_gap(1).style(t.base()),
        chart_body,
    );

    // Open episodes by status, with a bar each.
    let w = usize::from(status.width);
    let most = d.by_status.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut lines = vec![title(state, "Open episodes now", status.width)];
    for (s, n) in &d.by_status {
        let room = w.saturating_sub(17);
        let len = (*n as usize * room).div_ceil(most as usize).min(room);
        lines.push(Line::from(vec![
            Span::raw(format!("{} {n:>5} ", fit(s.label(), 10))),
            Span::styled("█".repeat(len), t.key()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), status);

    let recent = &d.recent;
    frame.render_widget(Paragraph::new(top_reasons(state, recent, reasons)), reasons);
    frame.render_widget(Paragraph::new(over_capacity(state, recent, capacity)), capacity);
    frame.render_widget(Paragraph::new(wellbeing(state, recent, foot.width)), foot);
}

fn title(state: &State, text: &str, width: u16) -> Line<'static> {
    Line::from(Span::styled(truncate(text, usize::from(width)), state.theme.title()))
}

fn top_reasons(state: &State, s: &Summary, area: Rect) -> Vec<Line<'static>> {
    let w = usize::from(area.width);
    let mut lines = vec![title(state, "Top reasons (12 weeks)", area.width)];
    let rows = usize::from(area.height).saturating_sub(1);
    for (code, n) in s.referrals.by_reason.0.iter().take(rows) {
        lines.push(Line::from(format!("{} {:>5}", fit(&code.replace('_', " "), w.saturating_sub(6)), n.to_string())));
    }
    if s.referrals.by_reason.0.is_empty() {
        lines.push(Line::from(Span::styled("No referrals in 12 weeks.", state.theme.dim())));
    }
    lines
}

fn over_capacity(state: &State, s: &Summary, area: Rect) -> Vec<Line<'static>> {
    let w = usize::from(area.width);
    let mut lines = vec![title(state, "Over capacity (12 weeks): sent / places", area.width)];
    let rows = usize::from(area.height).saturating_sub(1);
    if s.services_over_capacity.is_empty() {
        lines.push(Line::from(Span::styled("No service over its places.", state.theme.dim())));
    }
    let shown = s.services_over_capacity.len().min(rows);
    for (i, o) in s.services_over_capacity.iter().take(shown).enumerate() {
        let more = s.services_over_capacity.len() - shown;
        if i + 1 == shown && more > 0 {
            lines.push(Line::from(Span::styled(format!("and {} more", more + 1), state.theme.dim())));
            break;
        }
        let figures = format!(" {}/{:.0}", o.sent, o.places);
        lines.push(Line::from(vec![
            Span::raw(fit(&o.service, w.saturating_sub(figures.chars().count()))),
            Span::styled(figures, state.theme.warn()),
        ]));
    }
    lines
}

fn change(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| if v > 0.0 { format!("+{v:.1}") } else { format!("{v:.1}") })
}

fn n(c: Count) -> String {
    format!("n {c}")
}

fn wellbeing(state: &State, s: &Summary, width: u16) -> Vec<Line<'static>> {
    let w = &s.wellbeing;
    let width = usize::from(width);
    let ons = format!(
        "ONS4 ({}): life sat. {}, worthwhile {}, happy {}, anxious {}",
        n(w.ons4.n),
        change(w.ons4.life_satisfaction),
        change(w.ons4.worthwhile),
        change(w.ons4.happiness),
        change(w.ons4.anxiety),
    );
    let other = format!(
        "SWEMWBS metric {} ({}) · UCLA-3 loneliness {} ({})",
        change(w.swemwbs_metric.value),
        n(w.swemwbs_metric.n),
        change(w.ucla3.value),
        n(w.ucla3.n)
    );
    vec![
        title(state, "Wellbeing change (12 weeks, follow-up against baseline)", width as u16),
        Line::from(truncate(&ons, width)),
        Line::from(truncate(&other, width)),
    ]
}

//! The Client assessment pane: one person's record, read-only until the
//! assessment work lands. The lines are built from state alone and only the
//! ones that fit are drawn.

use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::draw::body_rows;
use super::state::State;
use super::text::{fit, truncate, wrap};
use super::theme::Theme;
use crate::domain::measures::{item_labels, ons4_band};
use crate::domain::nhs::format_digits;
use crate::domain::referral::Instrument;
use crate::storage::client::{ClientDetail, Measure};

/// The guidance on contacts per person (DOMAIN.md).
const CONTACT_GUIDANCE: (i64, i64) = (6, 12);

pub fn line_count(state: &State) -> usize {
    lines(state, usize::from(state.width).saturating_sub(2)).len()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let all = lines(state, usize::from(area.width));
    let h = usize::from(area.height).min(body_rows(state).max(1));
    let start = state.client.scroll.min(all.len().saturating_sub(1));
    let visible: Vec<Line> = all.into_iter().skip(start).take(h).collect();
    frame.render_widget(Paragraph::new(visible), area);
}

fn age(dob: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn section(t: &Theme, title: &str, w: usize) -> Line<'static> {
    let rule = "─".repeat(w.saturating_sub(title.len() + 4));
    Line::from(vec![Span::styled(format!("── {title} "), t.title()), Span::styled(rule, t.dim())])
}

/// The record as lines `w` columns wide.
pub fn lines(state: &State, w: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let Some(d) = &state.client.detail else {
        return vec![
            Line::from("No client selected."),
            Line::from(Span::styled("Choose a referral in the Caseload (1) and press Enter.", t.dim())),
        ];
    };
    let mut out = Vec::new();
    identity(&mut out, d, state, w);
    episode(&mut out, d, state, w);
    assessment(&mut out, d, t, w);
    goals(&mut out, d, state, w);
    prescriptions(&mut out, d, state, w);
    matched_services(&mut out, state, w);
    measures(&mut out, d, t, w);
    contacts(&mut out, d, t, w);
    earlier(&mut out, d, t, w);
    earlier_assessments(&mut out, d, t, w);
    if let Some(entries) = &state.client.history {
        history(&mut out, entries, t, w);
    }
    out
}

/// Earlier versions of the assessment, as they were written.
fn earlier_assessments(out: &mut Vec<Line<'static>>, d: &ClientDetail, t: &Theme, w: usize) {
    if d.earlier_assessments.is_empty() {
        return;
    }
    out.push(Line::from(""));
    out.push(section(t, "Earlier assessments", w));
    for a in &d.earlier_assessments {
        out.push(Line::from(Span::styled(format!("Assessment {} of {}", a.version, day(a.assessed_on)), t.header())));
        if let Some(wm) = &a.what_matters {
            for l in wrap(&format!("“{wm}”"), w.saturating_sub(2)) {
                out.push(Line::from(format!("  {l}")));
            }
        }
        if let Some(s) = &a.strengths {
            for l in wrap(&format!("Strengths: {s}"), w.saturating_sub(2)) {
                out.push(Line::from(format!("  {l}")));
            }
        }
        if !a.needs.is_empty() {
            let needs: Vec<String> =
                a.needs.iter().map(|n| format!("{} ({})", n.code.replace('_', " "), n.level)).collect();
            for l in wrap(&format!("Needs: {}", needs.join(", ")), w.saturating_sub(2)) {
                out.push(Line::from(Span::styled(format!("  {l}"), t.dim())));
            }
        }
    }
}

/// The audit trail of this record: who looked at or changed it, and when.
fn history(out: &mut Vec<Line<'static>>, entries: &[crate::storage::audit::Entry], t: &Theme, w: usize) {
    out.push(Line::from(""));
    out.push(section(t, "Record history (audit trail, newest first)", w));
    if entries.is_empty() {
        out.push(Line::from(Span::styled("Nothing recorded.", t.dim())));
    }
    for e in entries {
        let when = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
        let line = format!("  {when}  {} {}: {}", e.worker, e.action, e.summary);
        out.push(Line::from(truncate(&line, w)));
    }
}

fn identity(out: &mut Vec<Line<'static>>, d: &ClientDetail, state: &State, w: usize) {
    let t = &state.theme;
    let c = &d.client;
    let nhs = format!("NHS {}", format_digits(&c.nhs_number));
    let name_w = w.saturating_sub(nhs.len() + 1);
    out.push(Line::from(vec![Span::styled(fit(&c.name, name_w), t.header()), Span::raw(" "), Span::raw(nhs)]));
    let mut born = format!("Born {} (age {})", day(c.date_of_birth), age(c.date_of_birth, state.today));
    if let Some(p) = &c.practice {
        born.push_str(&format!(" · {p}"));
    }
    out.push(Line::from(truncate(&born, w)));
    let contact: Vec<&str> = [c.phone.as_deref(), c.email.as_deref()].into_iter().flatten().collect();
    if !contact.is_empty() {
        out.push(Line::from(truncate(&contact.join(" · "), w)));
    }
    let address: Vec<&str> = [c.address.as_deref(), c.postcode.as_deref()].into_iter().flatten().collect();
    if !address.is_empty() {
        out.push(Line::from(truncate(&address.join(" "), w)));
    }
    let mut flags = Vec::new();
    if c.safeguarding {
        flags.push(Span::styled("SAFEGUARDING CONCERN", t.alert()));
    }
    if c.interpreter_needed {
        let lang = c.interpreter_language.as_deref().unwrap_or("language not recorded");
        flags.push(Span::styled(format!("interpreter: {lang}"), t.warn()));
    }
    if c.is_carer {
        flags.push(Span::raw("carer"));
    }
    if let Some(a) = c.access_needs.as_deref().filter(|a| !a.is_empty()) {
        flags.push(Span::styled(format!("access: {a}"), t.warn()));
    }
    if !flags.is_empty() {
        let mut spans = vec![Span::raw("Flags: ")];
        for (i, f) in flags.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            spans.push(f);
        }
        out.push(Line::from(spans));
    }
    // What comes next, at the top where it is seen first.
    let next = match &state.client.next_appointment {
        Some(a) => format!("Next appointment: {}", a.when_and_how()),
        None => "Next appointment: none booked (b books one)".to_owned(),
    };
    out.push(Line::from(Span::styled(truncate(&next, w), t.title())));
    let follow = match &state.client.follow_up {
        Some((on, note)) => {
            let late = (state.today - *on).num_days();
            let when = if late > 0 { format!("{} ({late} d overdue)", day(*on)) } else { day(*on) };
            match note {
                Some(n) => format!("Follow-up: {when}: {n}"),
                None => format!("Follow-up: {when}"),
            }
        }
        None => "Follow-up: none set (f sets one)".to_owned(),
    };
    out.push(Line::from(Span::styled(truncate(&follow, w), t.title())));
}

fn episode(out: &mut Vec<Line<'static>>, d: &ClientDetail, state: &State, w: usize) {
    let t = &state.theme;
    out.push(Line::from(""));
    out.push(section(t, "Current episode", w));
    let Some(e) = d.episodes.first() else {
        out.push(Line::from(Span::styled("No referrals.", t.dim())));
        return;
    };
    let days = (state.today - e.received_on).num_days();
    let from = match &e.referrer_name {
        Some(n) => format!("{} ({n})", e.referrer_role.label()),
        None => e.referrer_role.label().to_owned(),
    };
    out.push(Line::from(truncate(
        &format!("Referral {} received {} ({days} days ago) from {from}", e.referral_id, day(e.received_on)),
        w,
    )));
    let mut status = format!("Status: {} · priority {}", e.status.label(), e.priority.label());
    if let (Some(o), Some(c)) = (e.outcome, e.closed_on) {
        status.push_str(&format!(" · closed {} ({})", day(c), o.label()));
    }
    out.push(Line::from(truncate(&status, w)));
    for l in wrap(&format!("Reasons: {}", e.reasons.join(", ").replace('_', " ")), w) {
        out.push(Line::from(l));
    }
    if let Some(notes) = &e.notes {
        for l in wrap(&format!("Referral notes: {notes}"), w) {
            out.push(Line::from(l));
        }
    }
    for j in &d.joined {
        let from = match &j.referrer_name {
            Some(n) => format!("{} ({n})", j.referrer_role.label()),
            None => j.referrer_role.label().to_owned(),
        };
        let text = format!(
            "Also referred {} by {from}, {}: {}{}",
            day(j.received_on),
            j.priority.label(),
            j.reasons.join(", ").replace('_', " "),
            j.notes.as_deref().map(|n| format!(". Notes: {n}")).unwrap_or_default()
        );
        for l in wrap(&text, w) {
            out.push(Line::from(l));
        }
    }
    let (lo, hi) = CONTACT_GUIDANCE;
    let n = e.contact_count;
    let style = if n > hi { t.warn() } else { t.base() };
    out.push(Line::from(Span::styled(format!("Contacts this episode: {n} (guidance {lo} to {hi})"), style)));
}

fn assessment(out: &mut Vec<Line<'static>>, d: &ClientDetail, t: &Theme, w: usize) {
    out.push(Line::from(""));
    let Some(a) = &d.assessment else {
        out.push(section(t, "What matters to me", w));
        out.push(Line::from(Span::styled("Not assessed yet.", t.dim())));
        return;
    };
    out.push(section(t, &format!("What matters to me (assessment {}, {})", a.version, day(a.assessed_on)), w));
    if let Some(wm) = &a.what_matters {
        for l in wrap(&format!("“{wm}”"), w) {
            out.push(Line::from(l));
        }
    }
    if let Some(s) = &a.strengths {
        for l in wrap(&format!("Strengths: {s}"), w) {
            out.push(Line::from(l));
        }
    }
    if !a.needs.is_empty() {
        out.push(Line::from(Span::styled("Needs", t.header())));
        for n in &a.needs {
            let style = if n.level == "significant" { t.warn() } else { t.base() };
            let mut spans = vec![
                Span::raw(format!("  {}", fit(&n.code.replace('_', " "), 22))),
                Span::styled(n.level.clone(), style),
            ];
            if let Some(note) = &n.note {
                spans.push(Span::raw(format!("  {}", truncate(note, w.saturating_sub(40)))));
            }
            out.push(Line::from(spans));
        }
    }
}

fn goals(out: &mut Vec<Line<'static>>, d: &ClientDetail, state: &State, w: usize) {
    let t = &state.theme;
    out.push(Line::from(""));
    out.push(section(t, "Goals and action plan", w));
    if d.goals.is_empty() {
        out.push(Line::from(Span::styled("No goals yet (o sets one).", t.dim())));
        return;
    }
    for (i, g) in d.goals.iter().enumerate() {
        let overdue = g.overdue(state.today);
        let target = g.target_on.map_or(String::new(), |t| format!(" · by {}", day(t)));
        let head = format!("{}. {} [{}{target}]", i + 1, g.title, g.status.replace('_', " "));
        let mut spans = vec![Span::raw(truncate(&head, w.saturating_sub(if overdue { 9 } else { 0 })))];
        if overdue {
            spans.push(Span::styled(" OVERDUE", t.alert()));
        }
        out.push(Line::from(spans));
        for (label, text) in [("steps", &g.steps), ("who", &g.who)] {
            if let Some(text) = text {
                for l in wrap(&format!("{label}: {text}"), w.saturating_sub(3)) {
                    out.push(Line::from(Span::styled(format!("   {l}"), t.dim())));
                }
            }
        }
    }
}

/// Social prescriptions: where each hand-over stands, and who holds the duty of care.
/// Services in the directory for the person's needs (accepting referrals, open
/// to their age), read with the record.
fn matched_services(out: &mut Vec<Line<'static>>, state: &State, w: usize) {
    let t = &state.theme;
    if state.client.matched.is_empty() {
        return;
    }
    out.push(Line::from(""));
    out.push(section(t, "Services for their needs", w));
    for m in &state.client.matched {
        let names: Vec<String> = m.services.iter().map(|(id, name)| format!("{name} [{id}]")).collect();
        let text = if names.is_empty() {
            format!("{}: no service in the directory (m records an unmet need)", m.label)
        } else {
            format!("{}: {}", m.label, names.join(" · "))
        };
        for l in wrap(&text, w) {
            out.push(Line::from(Span::styled(l, if m.services.is_empty() { t.dim() } else { t.base() })));
        }
    }
}

fn prescriptions(out: &mut Vec<Line<'static>>, d: &ClientDetail, state: &State, w: usize) {
    use crate::domain::prescription::{duty_of_care, worker_holds_duty};
    let t = &state.theme;
    out.push(Line::from(""));
    out.push(section(t, "Social prescriptions", w));
    if d.prescriptions.is_empty() {
        out.push(Line::from(Span::styled("None yet (p chooses a service in the directory).", t.dim())));
        return;
    }
    for (i, p) in d.prescriptions.iter().enumerate() {
        let s = p.state;
        let since = p.state_at.get(..10).and_then(|d| d.parse().ok()).map_or_else(|| p.state_at.clone(), day);
        let consent = p.consent.as_deref().map_or("no consent yet".to_owned(), |c| format!("{c} consent"));
        let head = format!("{}. {}: {} {since}, {consent}", i + 1, p.service_name, s.label());
        out.push(Line::from(Span::raw(truncate(&head, w))));
        if let Some(r) = &p.decline_reason {
            for l in wrap(&format!("declined: {r}"), w.saturating_sub(3)) {
                out.push(Line::from(Span::styled(format!("   {l}"), t.dim())));
            }
        }
        let duty = duty_of_care(s, &p.service_name);
        let style = if worker_holds_duty(s) { t.alert() } else { t.dim() };
        for l in wrap(&duty, w.saturating_sub(3)) {
            out.push(Line::from(Span::styled(format!("   {l}"), style)));
        }
    }
}

/// Eight levels of block, for a sparkline in text.
fn sparkline(values: &[f64], lo: f64, hi: f64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| {
            let x = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
            BARS[((x * 7.0).round() as usize).min(7)]
        })
        .collect()
}

/// One row per reported score: baseline, latest, change and the history.
fn measures(out: &mut Vec<Line<'static>>, d: &ClientDetail, t: &Theme, w: usize) {
    out.push(Line::from(""));
    out.push(section(t, "Wellbeing", w));
    if d.measures.is_empty() {
        out.push(Line::from(Span::styled("No measures recorded.", t.dim())));
        return;
    }
    out.push(Line::from(Span::styled(
        format!("  {} {} {} {}  history", fit("", 28), fit("baseline", 14), fit("latest", 14), fit("change", 7)),
        t.header(),
    )));
    for inst in Instrument::ALL {
        let history: Vec<&Measure> = d.measures.iter().filter(|m| m.instrument == *inst).collect();
        let (Some(first), Some(last)) = (history.first(), history.last()) else {
            continue;
        };
        for row in score_rows(*inst, &history) {
            let (Some(&b), Some(&l)) = (row.values.first(), row.values.last()) else {
                continue;
            };
            let show = |v: f64| {
                let num = if *inst == Instrument::Swemwbs { format!("{v:.2}") } else { format!("{v:.0}") };
                match row.ons_item.and_then(|i| ons4_band(i, v as u8)) {
                    Some(band) => format!("{num} {}", band.label()),
                    None => num,
                }
            };
            let single = row.values.len() == 1;
            let change = l - b;
            let better = if row.lower_is_better { change < 0.0 } else { change > 0.0 };
            let change_text = if single {
                "-".to_owned()
            } else if *inst == Instrument::Swemwbs {
                format!("{change:+.2}")
            } else {
                format!("{change:+.0}")
            };
            let change_style = if single || change == 0.0 {
                t.base()
            } else if better {
                t.good()
            } else {
                t.warn()
            };
            out.push(Line::from(vec![
                Span::raw(format!("  {} ", fit(&row.label, 28))),
                Span::raw(format!("{} ", fit(&show(b), 14))),
                Span::raw(format!("{} ", fit(&if single { String::new() } else { show(l) }, 14))),
                Span::styled(fit(&change_text, 7), change_style),
                Span::raw(format!("  {}", sparkline(&row.values, row.range.0, row.range.1))),
            ]));
        }
        let dates = if history.len() > 1 {
            format!(
                "    {}: baseline {}, latest {} ({} in all)",
                inst.label(),
                day(first.taken_on),
                day(last.taken_on),
                history.len()
            )
        } else {
            format!("    {}: baseline {}, no follow-up yet", inst.label(), day(first.taken_on))
        };
        out.push(Line::from(Span::styled(truncate(&dates, w), t.dim())));
    }
}

/// One reported score of an instrument over time.
struct ScoreRow {
    label: String,
    values: Vec<f64>,
    range: (f64, f64),
    lower_is_better: bool,
    /// The ONS4 item number, for its band.
    ons_item: Option<usize>,
}

/// ONS4 reports its four items separately (never summed); SWEMWBS its metric
/// score; UCLA-3 its total.
fn score_rows(inst: Instrument, history: &[&Measure]) -> Vec<ScoreRow> {
    match inst {
        Instrument::Ons4 => item_labels(inst)
            .iter()
            .enumerate()
            .map(|(i, label)| ScoreRow {
                label: format!("ONS4 {label}"),
                values: history.iter().filter_map(|m| m.items.get(i).map(|&v| v as f64)).collect(),
                range: (0.0, 10.0),
                lower_is_better: i == 3,
                ons_item: Some(i + 1),
            })
            .collect(),
        Instrument::Swemwbs => vec![ScoreRow {
            label: "SWEMWBS metric score".to_owned(),
            values: history.iter().filter_map(|m| m.metric_score).collect(),
            range: (7.0, 35.0),
            lower_is_better: false,
            ons_item: None,
        }],
        Instrument::Ucla3 => vec![ScoreRow {
            label: "UCLA-3 loneliness (3-9)".to_owned(),
            values: history.iter().filter_map(|m| m.raw_score.map(|v| v as f64)).collect(),
            range: (3.0, 9.0),
            lower_is_better: true,
            ons_item: None,
        }],
    }
}

fn contacts(out: &mut Vec<Line<'static>>, d: &ClientDetail, t: &Theme, w: usize) {
    out.push(Line::from(""));
    out.push(section(t, "Recent contacts (n reads one in full)", w));
    if d.contacts.is_empty() {
        out.push(Line::from(Span::styled("No contacts yet.", t.dim())));
        return;
    }
    for c in &d.contacts {
        let when = c.at.get(..16).unwrap_or(&c.at).replace('T', " ");
        let what = match (&c.outcome, c.duration_min) {
            (Some(o), Some(m)) => format!("{} {m} min", o.replace('_', " ")),
            (Some(o), None) => o.replace('_', " "),
            (None, _) => String::new(),
        };
        let style = if c.outcome.as_deref() == Some("dna") { t.warn() } else { t.base() };
        let head = format!("  {when}  {} {} ", fit(c.kind.label(), 12), fit(&what, 16));
        let room = w.saturating_sub(super::text::width(&head));
        out.push(Line::from(vec![
            Span::styled(head, style),
            Span::styled(truncate(c.note.as_deref().unwrap_or(""), room), t.dim()),
        ]));
    }
}

fn earlier(out: &mut Vec<Line<'static>>, d: &ClientDetail, t: &Theme, w: usize) {
    if d.episodes.len() < 2 {
        return;
    }
    out.push(Line::from(""));
    out.push(section(t, "Earlier episodes", w));
    for e in &d.episodes[1..] {
        let end = match (e.closed_on, e.outcome) {
            (Some(c), Some(o)) => format!("closed {} ({})", day(c), o.label()),
            _ => e.status.label().to_owned(),
        };
        out.push(Line::from(truncate(
            &format!("  Referral {} received {} · {end} · {}", e.referral_id, day(e.received_on), e.reasons.join(", ")),
            w,
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_spans_the_range() {
        assert_eq!(sparkline(&[0.0, 5.0, 10.0], 0.0, 10.0), "▁▅█");
        assert_eq!(sparkline(&[-3.0, 99.0], 0.0, 10.0), "▁█");
    }

    #[test]
    fn age_counts_birthdays() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age(d("1950-11-24"), d("2026-11-23")), 75);
        assert_eq!(age(d("1950-11-23"), d("2026-11-23")), 76);
    }
}

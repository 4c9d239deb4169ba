//! The weekly summary written out: Markdown to read and print, CSV (one row per
//! figure: `section,measure,breakdown,value`) to pivot in a spreadsheet, JSON for
//! programs (and, signed, for commissioners' systems).

use std::fmt::Write as _;

use crate::domain::summary::{Breakdown, Count, Summary};

/// The formats `linkwork summary` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Csv,
    Json,
    /// One self-contained page with charts, to read and print ([`super::summary_html`]).
    Html,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "html" | "htm" => Ok(Format::Html),
            other => Err(format!("format: '{other}' is not one of md, csv, json, html")),
        }
    }

    /// The format a file name asks for by its extension, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        path.extension().and_then(|e| Format::parse(&e.to_string_lossy()).ok())
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

pub fn render(s: &Summary, format: Format) -> String {
    match format {
        Format::Markdown => markdown(s),
        Format::Csv => csv(s),
        Format::Json => json(s),
        // Without the page's metadata (PCN, who made it, the 12 weeks): the
        // export gathers those and calls `summary_html::render` itself.
        Format::Html => super::summary_html::render(
            s,
            &super::summary_html::Meta { pcn: None, made_at: String::new(), made_by: String::new(), weeks: Vec::new() },
        ),
    }
}

pub fn json(s: &Summary) -> String {
    serde_json::to_string_pretty(s).unwrap_or_default() + "\n"
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v}"))
}

fn signed_num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| if v > 0.0 { format!("+{v}") } else { format!("{v}") })
}

/// A mean or median: `*` when withheld under disclosure control.
fn stat(x: Option<f64>, withheld: bool) -> String {
    if withheld && x.is_none() { "*".to_owned() } else { num(x) }
}

fn signed_stat(x: Option<f64>, withheld: bool) -> String {
    if withheld && x.is_none() { "*".to_owned() } else { signed_num(x) }
}

/// Whether the answers' median was withheld.
pub fn answers_withheld(s: &Summary) -> bool {
    s.suppressed && (s.answers.accepted == Count::Hidden || s.answers.declined == Count::Hidden)
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// A table cell: pipes would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "/")
}

fn table(out: &mut String, what: &str, unit: &str, b: &Breakdown) {
    if b.0.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n| {what} | {unit} |\n| --- | ---: |");
    for (k, v) in &b.0 {
        let _ = writeln!(out, "| {} | {v} |", cell(&words(k)));
    }
}

fn figures(out: &mut String, rows: &[(&str, String)]) {
    let _ = writeln!(out, "\n| measure | value |\n| --- | ---: |");
    for (k, v) in rows {
        let _ = writeln!(out, "| {k} | {v} |");
    }
}

pub fn markdown(s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Social prescribing summary: {}", s.period.label());
    if s.suppressed {
        let _ = writeln!(
            o,
            "\nDisclosure control (NHS Digital's method for sub-national counts): counts of 1 to 7 are \
             shown as *, every other count is rounded to the nearest 5 (0 stays 0), totals are rounded from \
             the unrounded counts, so a total need not equal the sum of its rows, and a mean or median over \
             1 to 7 values is shown as *. Rows shown as * are listed by name after the others."
        );
    }
    let r = &s.referrals;
    let _ = writeln!(o, "\n## Referrals\n\nNew referrals: **{}**", r.new);
    table(&mut o, "reason", "referrals", &r.by_reason);
    table(&mut o, "referrer role", "referrals", &r.by_referrer_role);
    table(&mut o, "practice", "referrals", &r.by_practice);

    let _ = writeln!(o, "\n## Contact and assessment");
    figures(
        &mut o,
        &[
            ("first contacts made", s.first_contacts.made.to_string()),
            (
                "median days from referral to first contact",
                stat(s.first_contacts.median_days, s.first_contacts.made == Count::Hidden),
            ),
            ("assessments done", s.assessments.done.to_string()),
            ("contacts and sessions", s.contacts.total.to_string()),
            ("did not attend", s.contacts.did_not_attend.to_string()),
        ],
    );
    table(&mut o, "contact kind", "contacts", &s.contacts.by_kind);

    let p = &s.prescriptions;
    let _ = writeln!(o, "\n## Social prescriptions\n\nSent to services: **{}**", p.sent);
    table(&mut o, "service", "sent", &p.by_service);
    table(&mut o, "category", "sent", &p.by_category);
    let a = &s.answers;
    let _ = writeln!(o, "\n### Services' answers");
    figures(
        &mut o,
        &[
            ("accepted", a.accepted.to_string()),
            ("declined", a.declined.to_string()),
            ("no response within the set days", a.no_response.to_string()),
            ("median days to accept or decline", stat(a.median_days_to_answer, answers_withheld(s))),
        ],
    );

    let _ = writeln!(o, "\n## Episodes closed\n\nClosed: **{}**", s.closed.total);
    table(&mut o, "outcome", "episodes", &s.closed.by_outcome);
    let _ = writeln!(o, "\n## Caseload on {}", s.period.to);
    figures(
        &mut o,
        &[
            ("people with an open episode", s.caseload.active_at_end.to_string()),
            ("of whom waiting for first contact", s.caseload.waiting_first_contact.to_string()),
        ],
    );

    let w = &s.wellbeing;
    let _ = writeln!(
        o,
        "\n## Wellbeing change\n\nPeople with a follow-up in the period, against their baseline. ONS4 items \
         are reported separately (anxiety: lower is better); UCLA-3: lower is less lonely.\n\n\
         | measure | people | mean change |\n| --- | ---: | ---: |"
    );
    for (label, v) in [
        ("ONS4 life satisfaction", w.ons4.life_satisfaction),
        ("ONS4 worthwhile", w.ons4.worthwhile),
        ("ONS4 happiness", w.ons4.happiness),
        ("ONS4 anxiety", w.ons4.anxiety),
    ] {
        let _ = writeln!(o, "| {label} | {} | {} |", w.ons4.n, signed_stat(v, w.ons4.n == Count::Hidden));
    }
    let (sw, uc) = (&w.swemwbs_metric, &w.ucla3);
    let _ = writeln!(o, "| SWEMWBS metric score | {} | {} |", sw.n, signed_stat(sw.value, sw.n == Count::Hidden));
    let _ = writeln!(o, "| UCLA-3 loneliness | {} | {} |", uc.n, signed_stat(uc.value, uc.n == Count::Hidden));

    let _ = writeln!(o, "\n## Unmet needs\n\nRecorded: **{}**", s.unmet_needs.total);
    table(&mut o, "need", "recorded", &s.unmet_needs.by_code);

    let _ = writeln!(o, "\n## Services over capacity");
    if s.services_over_capacity.is_empty() {
        let _ = writeln!(o, "\nNone: no service was sent more people than its places in the period.");
    } else {
        let _ = writeln!(o, "\n| service | sent | places in the period |\n| --- | ---: | ---: |");
        for c in &s.services_over_capacity {
            let _ = writeln!(o, "| {} | {} | {} |", cell(&c.service), c.sent, c.places);
        }
    }

    let i = &s.indicator;
    let _ = writeln!(o, "\n## Referral indicator (SNOMED CT {})", i.code);
    figures(
        &mut o,
        &[
            ("people referred", i.people.to_string()),
            (
                "registered patients (practices with a list size)",
                i.registered_patients.map_or("—".into(), |n| n.to_string()),
            ),
            ("per 1,000 registered patients", num(i.per_1000)),
        ],
    );
    o
}

/// One row per figure: `section,measure,breakdown,value`; every cell safe to
/// open in a spreadsheet (see [`super::spreadsheet`]).
pub fn csv(s: &Summary) -> String {
    let mut w = super::spreadsheet::Writer::default();
    let mut row = |section: &str, measure: &str, breakdown: &str, value: String| {
        w.row([section, measure, breakdown, value.as_str()]);
    };
    row("section", "measure", "breakdown", "value".into());
    let c = |n: Count| n.to_string();
    let f = |x: Option<f64>| x.map_or_else(String::new, |v| v.to_string());
    row("period", "from", "", s.period.from.to_string());
    row("period", "to", "", s.period.to.to_string());
    row("period", "week", "", s.period.week.clone().unwrap_or_default());
    row("period", "suppressed", "", s.suppressed.to_string());
    row("period", "method", "", s.method.unwrap_or_default().to_owned());
    fn breakdown(row: &mut dyn FnMut(&str, &str, &str, String), section: &str, measure: &str, b: &Breakdown) {
        for (k, v) in &b.0 {
            row(section, measure, k, v.to_string());
        }
    }
    let r = &s.referrals;
    row("referrals", "new", "", c(r.new));
    breakdown(&mut row, "referrals", "by_reason", &r.by_reason);
    breakdown(&mut row, "referrals", "by_referrer_role", &r.by_referrer_role);
    breakdown(&mut row, "referrals", "by_practice", &r.by_practice);
    row("first_contacts", "made", "", c(s.first_contacts.made));
    row("first_contacts", "median_days", "", f(s.first_contacts.median_days));
    row("assessments", "done", "", c(s.assessments.done));
    row("contacts", "total", "", c(s.contacts.total));
    breakdown(&mut row, "contacts", "by_kind", &s.contacts.by_kind);
    row("contacts", "did_not_attend", "", c(s.contacts.did_not_attend));
    let p = &s.prescriptions;
    row("prescriptions", "sent", "", c(p.sent));
    breakdown(&mut row, "prescriptions", "by_service", &p.by_service);
    breakdown(&mut row, "prescriptions", "by_category", &p.by_category);
    let a = &s.answers;
    row("answers", "total", "", c(a.total));
    row("answers", "accepted", "", c(a.accepted));
    row("answers", "declined", "", c(a.declined));
    row("answers", "no_response", "", c(a.no_response));
    row("answers", "median_days_to_answer", "", f(a.median_days_to_answer));
    row("closed", "total", "", c(s.closed.total));
    breakdown(&mut row, "closed", "by_outcome", &s.closed.by_outcome);
    row("caseload", "active_at_end", "", c(s.caseload.active_at_end));
    row("caseload", "waiting_first_contact", "", c(s.caseload.waiting_first_contact));
    let wb = &s.wellbeing;
    row("wellbeing", "ons4", "n", c(wb.ons4.n));
    row("wellbeing", "ons4", "life_satisfaction", f(wb.ons4.life_satisfaction));
    row("wellbeing", "ons4", "worthwhile", f(wb.ons4.worthwhile));
    row("wellbeing", "ons4", "happiness", f(wb.ons4.happiness));
    row("wellbeing", "ons4", "anxiety", f(wb.ons4.anxiety));
    row("wellbeing", "swemwbs_metric", "n", c(wb.swemwbs_metric.n));
    row("wellbeing", "swemwbs_metric", "mean_change", f(wb.swemwbs_metric.value));
    row("wellbeing", "ucla3", "n", c(wb.ucla3.n));
    row("wellbeing", "ucla3", "mean_change", f(wb.ucla3.value));
    row("unmet_needs", "total", "", c(s.unmet_needs.total));
    breakdown(&mut row, "unmet_needs", "by_code", &s.unmet_needs.by_code);
    for o in &s.services_over_capacity {
        row("services_over_capacity", "sent", &o.service, c(o.sent));
        row("services_over_capacity", "places", &o.service, o.places.to_string());
    }
    let i = &s.indicator;
    row("indicator", "people", i.code, c(i.people));
    row("indicator", "registered_patients", "", i.registered_patients.map_or_else(String::new, |n| n.to_string()));
    row("indicator", "per_1000", "", f(i.per_1000));
    w.finish()
}

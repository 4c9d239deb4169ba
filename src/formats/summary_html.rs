//! The weekly summary as one self-contained HTML page for commissioners: the
//! same figures as the other formats (disclosure control included), with inline
//! SVG charts drawn from those figures, each with a title and description for
//! screen readers and the table it is drawn from. Prints on A4. Every figure
//! taken from the summary carries `data-figure="section.measure[.row]"`, the
//! JSON's path, so that it can be checked against the JSON.

use std::fmt::Write as _;

use super::html::{escape, page};
use crate::domain::summary::{Breakdown, Count, Summary, Week, disclose_new_referrals};

/// What the page says about itself besides the figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    /// The PCN(s) of the practices, if recorded.
    pub pcn: Option<String>,
    /// When it was made (UTC, `YYYY-MM-DDTHH:MM:SSZ`) and by whom.
    pub made_at: String,
    pub made_by: String,
    /// New referrals in the 12 ISO weeks to the period's end, oldest first
    /// (true counts; disclosure control is applied here when the summary has
    /// it, each week's total judged as that week's summary judges it).
    pub weeks: Vec<Week>,
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v}"))
}

fn signed(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| if v > 0.0 { format!("+{v}") } else { format!("{v}") })
}

/// A figure cell for a count.
fn fig(key: &str, c: Count) -> String {
    format!("<td class=\"n\" data-figure=\"{}\">{}</td>", escape(key), escape(&c.to_string()))
}

/// A figure cell for a mean or median; `*` when withheld.
fn fig_f(key: &str, x: Option<f64>, withheld: bool, sign: bool) -> String {
    let text = if withheld && x.is_none() {
        "*".to_owned()
    } else if sign {
        signed(x)
    } else {
        num(x)
    };
    format!("<td class=\"n\" data-figure=\"{}\">{}</td>", escape(key), escape(&text))
}

fn figures(o: &mut String, caption: &str, rows: &[(&str, String)]) {
    let _ = write!(
        o,
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">measure</th><th class=\"n\" \
         scope=\"col\">value</th></tr></thead>\n<tbody>\n",
        escape(caption)
    );
    for (label, cell) in rows {
        let _ = writeln!(o, "<tr><th scope=\"row\">{}</th>{cell}</tr>", escape(label));
    }
    o.push_str("</tbody>\n</table>\n");
}

fn breakdown(o: &mut String, key: &str, caption: &str, what: &str, unit: &str, b: &Breakdown) {
    if b.0.is_empty() {
        let _ = writeln!(o, "<p>{}: none in the period.</p>", escape(caption));
        return;
    }
    let _ = write!(
        o,
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th class=\"n\" \
         scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        escape(caption),
        escape(what),
        escape(unit)
    );
    for (k, v) in &b.0 {
        let _ = writeln!(o, "<tr><th scope=\"row\">{}</th>{}</tr>", escape(&words(k)), fig(&format!("{key}.{k}"), *v));
    }
    o.push_str("</tbody>\n</table>\n");
}

/// One bar of a chart: its label, the figure shown, its length (None: no bar,
/// the figure is withheld) and an optional second value drawn as an outline.
struct Bar {
    label: String,
    shown: String,
    value: Option<f64>,
    outline: Option<f64>,
}

const W: f64 = 600.0;

/// Horizontal bars: label at the left, bar, figure at its end. Sent figures are
/// solid dark grey; places (capacity) an unfilled dashed outline, so the two
/// stay apart in greyscale. Values below zero extend left of a middle axis.
fn hbars(id: &str, title: &str, desc: &str, bars: &[Bar], legend: Option<(&str, &str)>) -> String {
    let row = 22.0;
    let top = if legend.is_some() { 26.0 } else { 6.0 };
    let h = top + row * bars.len().max(1) as f64 + 6.0;
    let label_w = 210.0;
    let figure_w = 110.0;
    let span = W - label_w - figure_w;
    let max = bars.iter().flat_map(|b| [b.value.map(f64::abs), b.outline]).flatten().fold(0.0_f64, f64::max).max(1e-9);
    let negative = bars.iter().any(|b| b.value.is_some_and(|v| v < 0.0));
    let zero = if negative { label_w + span / 2.0 } else { label_w };
    let scale = if negative { span / 2.0 / max } else { span / max };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, Arial, sans-serif\" font-size=\"12\">\n\
         <title id=\"{id}-t\">{}</title>\n<desc id=\"{id}-d\">{}</desc>\n",
        escape(title),
        escape(desc)
    );
    if let Some((solid, outline)) = legend {
        let _ = writeln!(
            s,
            "<rect x=\"{label_w}\" y=\"6\" width=\"14\" height=\"10\" fill=\"#333\"/>\
             <text x=\"{}\" y=\"15\">{}</text>\
             <rect x=\"{}\" y=\"6\" width=\"14\" height=\"10\" fill=\"none\" stroke=\"#000\" stroke-dasharray=\"3 2\"/>\
             <text x=\"{}\" y=\"15\">{}</text>",
            label_w + 18.0,
            escape(solid),
            label_w + 130.0,
            label_w + 148.0,
            escape(outline)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            escape(&clip(&b.label, 30))
        );
        let mut end = zero;
        if let Some(v) = b.value {
            let len = (v.abs() * scale).max(if v != 0.0 { 1.0 } else { 0.0 });
            let x = if v < 0.0 { zero - len } else { zero };
            end = if v < 0.0 { zero } else { zero + len };
            let _ = write!(s, "<rect x=\"{x:.1}\" y=\"{}\" width=\"{len:.1}\" height=\"14\" fill=\"#333\"/>", y + 3.0);
        }
        if let Some(p) = b.outline {
            let len = p * scale;
            end = end.max(zero + len);
            let _ = write!(
                s,
                "<rect x=\"{zero:.1}\" y=\"{}\" width=\"{len:.1}\" height=\"18\" fill=\"none\" stroke=\"#000\" \
                 stroke-dasharray=\"3 2\"/>",
                y + 1.0
            );
        }
        let _ = writeln!(s, "<text x=\"{:.1}\" y=\"{}\">{}</text>", end + 6.0, y + 15.0, escape(&b.shown));
    }
    if negative {
        let _ = writeln!(s, "<line x1=\"{zero}\" y1=\"{top}\" x2=\"{zero}\" y2=\"{}\" stroke=\"#000\"/>", h - 6.0);
    }
    s.push_str("</svg>\n");
    s
}

/// Vertical bars for the weeks, each labelled with its figure.
fn weekly(id: &str, weeks: &[(String, Count)]) -> String {
    let h = 190.0;
    let (left, bottom, top) = (10.0, 150.0, 20.0);
    let step = (W - 2.0 * left) / weeks.len().max(1) as f64;
    let max = weeks.iter().filter_map(|(_, c)| c.value()).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let listing: Vec<String> = weeks.iter().map(|(w, c)| format!("{w}: {c}")).collect();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, Arial, sans-serif\" font-size=\"11\">\n\
         <title id=\"{id}-t\">New referrals per week, 12 weeks</title>\n<desc id=\"{id}-d\">{}</desc>\n",
        escape(&listing.join("; "))
    );
    for (i, (week, c)) in weeks.iter().enumerate() {
        let x = left + step * i as f64;
        let cx = x + step / 2.0;
        if let Some(n) = c.value() {
            let len = n as f64 / max * (bottom - top);
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{len:.1}\" fill=\"#333\"/>",
                x + 4.0,
                bottom - len,
                step - 8.0
            );
            let _ = write!(s, "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>", bottom - len - 4.0);
        } else if *c == Count::Hidden {
            let _ = write!(s, "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">*</text>", bottom - 4.0);
        } else {
            // "withheld", upright along the bar's place so that it fits.
            let y = bottom - 6.0;
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{y:.1}\" transform=\"rotate(-90 {:.1} {y:.1})\">{c}</text>",
                cx + 4.0,
                cx + 4.0
            );
        }
        let label = week.split_once('-').map_or(week.as_str(), |(_, w)| w);
        let _ = writeln!(
            s,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 16.0,
            escape(label)
        );
    }
    let _ = writeln!(s, "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"#000\"/>", W - left);
    s.push_str("</svg>\n");
    s
}

fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n { text.to_owned() } else { text.chars().take(n - 1).collect::<String>() + "…" }
}

fn figure(o: &mut String, svg: &str, caption: &str) {
    let _ = write!(o, "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n", escape(caption));
}

fn count_bars(b: &Breakdown) -> Vec<Bar> {
    b.0.iter()
        .map(|(k, c)| Bar { label: words(k), shown: c.to_string(), value: c.value().map(|n| n as f64), outline: None })
        .collect()
}

fn describe(b: &Breakdown) -> String {
    if b.0.is_empty() {
        return "None in the period.".to_owned();
    }
    b.0.iter().map(|(k, c)| format!("{}: {c}", words(k))).collect::<Vec<_>>().join("; ")
}

/// The page.
pub fn render(s: &Summary, meta: &Meta) -> String {
    let mut o = String::new();
    let title = format!("Social prescribing summary: {}", s.period.label());
    let _ = writeln!(o, "<header>\n<h1>{}</h1>\n<dl class=\"meta\">", escape(&title));
    let mut meta_row = |k: &str, v: &str| {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    };
    meta_row("Period", &format!("{} to {} (both days included)", s.period.from, s.period.to));
    meta_row("Primary care network", meta.pcn.as_deref().unwrap_or("not recorded"));
    meta_row("Made", &format!("{} (UTC) by {}, with linkwork", meta.made_at, meta.made_by));
    meta_row(
        "Disclosure control",
        s.method.unwrap_or("none: exact figures, for use inside the practice only (not to be shared)"),
    );
    o.push_str("</dl>\n");
    if s.suppressed {
        o.push_str(
            "<p class=\"note\">* means 1 to 7. Every other figure is rounded to the nearest 5, and 0 is 0. A total \
             is rounded from the exact counts, so it may differ from the sum of its rows; \"withheld\" marks a \
             total that could give a * row away. Rows shown as * are listed by name after the others.</p>\n",
        );
    }
    o.push_str("</header>\n");

    // Referrals.
    let r = &s.referrals;
    let weeks: Vec<(String, Count)> = meta
        .weeks
        .iter()
        .map(|w| {
            let shown = if s.suppressed {
                disclose_new_referrals(w.new, w.by_referrer_role.clone(), w.by_practice.clone())
            } else {
                Count::N(w.new)
            };
            (w.week.clone(), shown)
        })
        .collect();
    o.push_str("<section>\n<h2>Referrals</h2>\n");
    let _ = writeln!(
        o,
        "<p>New referrals in the period: <strong data-figure=\"referrals.new\">{}</strong></p>",
        escape(&r.new.to_string())
    );
    figure(
        &mut o,
        &weekly("weeks", &weeks),
        "New referrals in each of the 12 weeks to the end of the period (table below).",
    );
    let _ = write!(
        o,
        "<table>\n<caption>New referrals per week</caption>\n<thead><tr><th scope=\"col\">ISO week</th><th \
         class=\"n\" scope=\"col\">referrals</th></tr></thead>\n<tbody>\n"
    );
    for (w, c) in &weeks {
        let _ =
            writeln!(o, "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>", escape(w), escape(&c.to_string()));
    }
    o.push_str("</tbody>\n</table>\n");
    breakdown(
        &mut o,
        "referrals.by_reason",
        "By reason (a referral with two reasons counts under each)",
        "reason",
        "referrals",
        &r.by_reason,
    );
    breakdown(&mut o, "referrals.by_referrer_role", "By who referred", "referrer", "referrals", &r.by_referrer_role);
    breakdown(&mut o, "referrals.by_practice", "By practice", "practice", "referrals", &r.by_practice);
    let i = &s.indicator;
    figures(
        &mut o,
        &format!("Referral indicator (SNOMED CT {}: referral to social prescribing service)", i.code),
        &[
            ("people referred", fig("indicator.people", i.people)),
            (
                "registered patients (practices with a list size)",
                format!(
                    "<td class=\"n\" data-figure=\"indicator.registered_patients\">{}</td>",
                    i.registered_patients.map_or("—".into(), |n| n.to_string())
                ),
            ),
            ("per 1,000 registered patients", fig_f("indicator.per_1000", i.per_1000, false, false)),
        ],
    );
    o.push_str("</section>\n");

    // Contact, assessment and prescriptions.
    o.push_str("<section>\n<h2>Contact and social prescriptions</h2>\n");
    let fc = &s.first_contacts;
    let a = &s.answers;
    figures(
        &mut o,
        "Contact and assessment",
        &[
            ("first contacts made", fig("first_contacts.made", fc.made)),
            (
                "median days from referral to first contact",
                fig_f("first_contacts.median_days", fc.median_days, s.suppressed && fc.made == Count::Hidden, false),
            ),
            ("assessments done", fig("assessments.done", s.assessments.done)),
            ("contacts and sessions", fig("contacts.total", s.contacts.total)),
            ("of which the person did not attend", fig("contacts.did_not_attend", s.contacts.did_not_attend)),
        ],
    );
    breakdown(&mut o, "contacts.by_kind", "Contacts by kind", "kind", "contacts", &s.contacts.by_kind);
    let p = &s.prescriptions;
    let _ = writeln!(
        o,
        "<h3>Social prescriptions</h3>\n<p>Sent to services: <strong data-figure=\"prescriptions.sent\">{}</strong></p>",
        escape(&p.sent.to_string())
    );
    let mut cat_bars = count_bars(&p.by_category);
    for b in &mut cat_bars {
        let code =
            p.by_category.0.iter().find(|(k, _)| words(k) == b.label).map(|(k, _)| k.clone()).unwrap_or_default();
        b.outline = s.places.by_category.get(&code).copied();
        if let Some(pl) = b.outline {
            b.shown = format!("{} / {pl:.0} places", b.shown);
        }
    }
    let cat_desc = p
        .by_category
        .0
        .iter()
        .map(|(k, c)| match s.places.by_category.get(k) {
            Some(pl) => format!("{}: {c} sent, {pl} places", words(k)),
            None => format!("{}: {c} sent, no capacity recorded", words(k)),
        })
        .collect::<Vec<_>>()
        .join("; ");
    figure(
        &mut o,
        &hbars(
            "categories",
            "Social prescriptions by category against places",
            if cat_desc.is_empty() { "None in the period." } else { &cat_desc },
            &cat_bars,
            Some(("sent", "places in the period")),
        ),
        "Prescriptions sent by the service's first category (solid) against the places of services with a \
         capacity set in that category (dashed outline).",
    );
    breakdown(&mut o, "prescriptions.by_category", "Sent by category", "category", "sent", &p.by_category);
    breakdown(&mut o, "prescriptions.by_service", "Sent by service", "service", "sent", &p.by_service);
    figures(
        &mut o,
        "Services' answers",
        &[
            ("accepted", fig("answers.accepted", a.accepted)),
            ("declined", fig("answers.declined", a.declined)),
            ("no response within the set days", fig("answers.no_response", a.no_response)),
            ("all answers", fig("answers.total", a.total)),
            (
                "median days to accept or decline",
                fig_f(
                    "answers.median_days_to_answer",
                    a.median_days_to_answer,
                    super::summary::answers_withheld(s),
                    false,
                ),
            ),
        ],
    );
    if s.services_over_capacity.is_empty() {
        o.push_str("<p>No service was sent more people than its places in the period.</p>\n");
    } else {
        o.push_str(
            "<table>\n<caption>Services over capacity</caption>\n<thead><tr><th scope=\"col\">service</th><th \
             class=\"n\" scope=\"col\">sent</th><th class=\"n\" scope=\"col\">places</th></tr></thead>\n<tbody>\n",
        );
        for c in &s.services_over_capacity {
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}</th>{}<td class=\"n\">{}</td></tr>",
                escape(&c.service),
                fig(&format!("services_over_capacity.{}", c.service), c.sent),
                c.places
            );
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("</section>\n");

    // Outcomes and caseload.
    o.push_str("<section>\n<h2>Outcomes and caseload</h2>\n");
    let _ = writeln!(
        o,
        "<p>Episodes closed: <strong data-figure=\"closed.total\">{}</strong></p>",
        escape(&s.closed.total.to_string())
    );
    figure(
        &mut o,
        &hbars(
            "outcomes",
            "Episodes closed by outcome",
            &describe(&s.closed.by_outcome),
            &count_bars(&s.closed.by_outcome),
            None,
        ),
        "Episodes closed in the period by outcome (table below).",
    );
    breakdown(&mut o, "closed.by_outcome", "Closed by outcome", "outcome", "episodes", &s.closed.by_outcome);
    figures(
        &mut o,
        &format!("Caseload on {}", s.period.to),
        &[
            ("people with an open episode", fig("caseload.active_at_end", s.caseload.active_at_end)),
            (
                "of whom waiting for first contact",
                fig("caseload.waiting_first_contact", s.caseload.waiting_first_contact),
            ),
        ],
    );
    let _ = writeln!(
        o,
        "<p>Unmet needs recorded: <strong data-figure=\"unmet_needs.total\">{}</strong></p>",
        escape(&s.unmet_needs.total.to_string())
    );
    breakdown(&mut o, "unmet_needs.by_code", "Unmet needs", "need", "recorded", &s.unmet_needs.by_code);
    o.push_str("</section>\n");

    // Wellbeing.
    let w = &s.wellbeing;
    o.push_str(
        "<section>\n<h2>Wellbeing change</h2>\n<p>People with a follow-up in the period, against their baseline. \
                ONS4 items are reported separately (for anxiety lower is better); UCLA-3: lower is less lonely.</p>\n",
    );
    let ons_hidden = s.suppressed && w.ons4.n == Count::Hidden;
    let rows: Vec<(&str, &str, Count, Option<f64>, bool)> = vec![
        ("ONS4 life satisfaction", "life_satisfaction", w.ons4.n, w.ons4.life_satisfaction, ons_hidden),
        ("ONS4 worthwhile", "worthwhile", w.ons4.n, w.ons4.worthwhile, ons_hidden),
        ("ONS4 happiness", "happiness", w.ons4.n, w.ons4.happiness, ons_hidden),
        ("ONS4 anxiety", "anxiety", w.ons4.n, w.ons4.anxiety, ons_hidden),
        (
            "SWEMWBS metric score",
            "swemwbs_metric",
            w.swemwbs_metric.n,
            w.swemwbs_metric.value,
            s.suppressed && w.swemwbs_metric.n == Count::Hidden,
        ),
        ("UCLA-3 loneliness", "ucla3", w.ucla3.n, w.ucla3.value, s.suppressed && w.ucla3.n == Count::Hidden),
    ];
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, _, n, v, withheld)| Bar {
            label: (*label).to_owned(),
            shown: format!("{} (n {n})", if *withheld { "*".to_owned() } else { signed(*v) }),
            value: *v,
            outline: None,
        })
        .collect();
    let desc = bars.iter().map(|b| format!("{}: {}", b.label, b.shown)).collect::<Vec<_>>().join("; ");
    figure(
        &mut o,
        &hbars("wellbeing", "Mean change in wellbeing measures, with the number of people", &desc, &bars, None),
        "Mean change from baseline to follow-up; bars right of the line are increases (table below).",
    );
    o.push_str(
        "<table>\n<caption>Wellbeing change</caption>\n<thead><tr><th scope=\"col\">measure</th><th class=\"n\" \
         scope=\"col\">people</th><th class=\"n\" scope=\"col\">mean change</th></tr></thead>\n<tbody>\n",
    );
    for (label, key, n, v, withheld) in &rows {
        let (nkey, vkey) = if key.starts_with("swemwbs") || key.starts_with("ucla") {
            (format!("wellbeing.{key}.n"), format!("wellbeing.{key}.value"))
        } else {
            ("wellbeing.ons4.n".to_owned(), format!("wellbeing.ons4.{key}"))
        };
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th>{}{}</tr>",
            escape(label),
            fig(&nkey, *n),
            fig_f(&vkey, *v, *withheld, true)
        );
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
    let _ = writeln!(
        o,
        "<footer><p class=\"note\">Definitions of every figure: the linkwork README, \"The weekly summary\". Made \
         {} by {}.</p></footer>",
        escape(&meta.made_at),
        escape(&meta.made_by)
    );
    page(&title, &o)
}

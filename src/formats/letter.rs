//! The referral letter: the signed referral document (README: "The referral
//! document") written for people at the service to read, as a self-contained
//! HTML page for print or attachment, or as plain text that pastes into an
//! email. It is made from the signed file's own payload, so it carries exactly
//! what the signed referral carries and nothing else, and it ends with the
//! line that ties it to that file: the referral's id, the file's SHA-256 and
//! the signing key's thumbprint.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::{escape, page};

/// The forms a letter is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Text,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" | "htm" => Ok(Format::Html),
            "text" | "txt" => Ok(Format::Text),
            other => Err(format!("format: '{other}' is not one of html, text")),
        }
    }

    /// The format a file name asks for by its extension, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        path.extension().and_then(|e| Format::parse(&e.to_string_lossy()).ok())
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Text => "txt",
        }
    }
}

/// What ties the letter to the signed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seal {
    pub sha256: String,
    pub kid: String,
}

/// A section of the letter: a heading and its lines, or a list of (label, value).
struct Part {
    heading: String,
    rows: Vec<(String, String)>,
    paragraphs: Vec<String>,
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn consent_words(method: &str) -> &str {
    match method {
        "verbal" => "agreed out loud (verbal consent)",
        "written" => "agreed in writing (written consent)",
        other => other,
    }
}

/// The date of an RFC 3339 moment, as people write it: 25 November 2026.
fn long_date(moment: &str) -> String {
    let day = moment.get(..10).unwrap_or(moment);
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_or_else(|_| day.to_owned(), |d| d.format("%-d %B %Y").to_string())
}

/// The letter's parts, from the signed document's payload.
fn parts(doc: &Value, id: i64, seal: &Seal) -> (String, String, Vec<Part>) {
    let person = &doc["person"];
    let service = &doc["service"];
    let issuer = &doc["issuer"];
    let consent = &doc["consent"];
    let name = text(&person["name"]).unwrap_or_else(|| "the person".to_owned());
    let service_name = text(&service["name"]).unwrap_or_else(|| "your service".to_owned());
    let worker = text(&issuer["link_worker"]).unwrap_or_else(|| "the Link Worker".to_owned());
    let title = format!("Referral to {service_name}: {name}");
    let date = text(&doc["issued_at"]).map(|d| long_date(&d)).unwrap_or_default();

    let mut to = vec![("Service".to_owned(), service_name.clone())];
    if let Some(org) = text(&service["organisation"]) {
        to.push(("Organisation".to_owned(), org));
    }
    to.push(("Date".to_owned(), date));

    let mut who = vec![("Name".to_owned(), name.clone())];
    if let Some(dob) = text(&person["date_of_birth"]) {
        who.push(("Date of birth".to_owned(), long_date(&dob)));
    }
    for (label, key) in [("Phone", "phone"), ("Email", "email"), ("Postcode", "postcode")] {
        if let Some(v) = text(&person[key]) {
            who.push((label.to_owned(), v));
        }
    }
    if let Some(nhs) = text(&person["nhs_number"]) {
        who.push(("NHS number".to_owned(), nhs));
    }

    let mut by = vec![("Link Worker".to_owned(), worker.clone())];
    if let Some(p) = text(&issuer["practice"]) {
        by.push(("GP practice".to_owned(), p));
    }
    if let Some(p) = text(&issuer["pcn"]) {
        by.push(("Primary care network".to_owned(), p));
    }
    let reach = text(&issuer["email"]);
    match &reach {
        Some(e) => by.push(("Email".to_owned(), e.clone())),
        None => by.push((
            "Contact".to_owned(),
            format!("through {}", text(&issuer["practice"]).unwrap_or_else(|| "the GP practice".to_owned())),
        )),
    }

    let needs: Vec<String> = doc["needs"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| text(&n["display"]).or_else(|| text(&n["code"]))).collect())
        .unwrap_or_default();
    let mut matters = Vec::new();
    if let Some(w) = text(&doc["what_matters"]) {
        matters.push(format!("In their words: \u{201c}{w}\u{201d}"));
    }
    if !needs.is_empty() {
        matters.push(format!("They would like help with: {}.", needs.join("; ")));
    }
    if matters.is_empty() {
        matters.push("Nothing more was written down; please ask them.".to_owned());
    }

    let access = match text(&person["interpreter_language"]) {
        Some(lang) => vec![format!("Needs an interpreter: {lang}.")],
        None => vec!["None recorded.".to_owned()],
    };

    let mut shared = vec![format!(
        "{name} {} on {}, recorded by {}, to these details being sent to {service_name}: the ones in this letter \
         and nothing else.",
        consent_words(text(&consent["method"]).as_deref().unwrap_or("")),
        text(&consent["recorded_at"]).map(|d| long_date(&d)).unwrap_or_default(),
        text(&consent["recorded_by"]).unwrap_or_else(|| worker.clone()),
    )];
    shared.push(if consent["share_nhs_number"].as_bool() == Some(true) {
        "They agreed to their NHS number being shared.".to_owned()
    } else {
        "Their NHS number is not shared.".to_owned()
    });

    let how = reach.as_deref().map_or_else(|| "through the GP practice".to_owned(), |e| format!("by email to {e}"));
    let answer = vec![
        format!("Please tell {worker} {how}, quoting referral {id}, whether you:"),
        "• accept the referral (you can offer a place);".to_owned(),
        "• decline it, and why (for example full, or not the right service), so another can be found;".to_owned(),
        format!("• and later, when {name} has started."),
    ];

    let verify = vec![
        "This letter is not the signed record: the signed file sent with it is. Anyone holding both can check \
         that they match."
            .to_owned(),
        format!("Referral {id} · signed file SHA-256 {} · signing key {}", seal.sha256, seal.kid),
    ];

    let list =
        |heading: &str, rows: Vec<(String, String)>| Part { heading: heading.to_owned(), rows, paragraphs: vec![] };
    let prose = |heading: &str, paragraphs: Vec<String>| Part { heading: heading.to_owned(), rows: vec![], paragraphs };
    let intro = format!(
        "{worker}, Link Worker (social prescribing), refers {name} to {service_name}. This is a referral to a social \
         prescribing service."
    );
    (
        title,
        intro,
        vec![
            list("To", to),
            list("Who is referred", who),
            list("Referred by", by),
            prose("What matters to them", matters),
            prose("Access needs", access),
            prose("What they agreed to share", shared),
            prose("Your answer", answer),
            prose("Checking this letter", verify),
        ],
    )
}

/// The letter as a self-contained HTML page.
pub fn html(doc: &Value, id: i64, seal: &Seal) -> String {
    let (title, intro, parts) = parts(doc, id, seal);
    let mut o = String::new();
    let _ = writeln!(o, "<h1>{}</h1>\n<p>{}</p>", escape(&title), escape(&intro));
    for p in parts {
        let verify = p.heading == "Checking this letter";
        let _ = writeln!(o, "<section class=\"letter\">\n<h2>{}</h2>", escape(&p.heading));
        if !p.rows.is_empty() {
            o.push_str("<dl class=\"meta\">\n");
            for (k, v) in &p.rows {
                let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
            }
            o.push_str("</dl>\n");
        }
        for (i, para) in p.paragraphs.iter().enumerate() {
            if verify && i == 1 {
                let _ = writeln!(o, "<p class=\"note\" id=\"verification\"><code>{}</code></p>", escape(para));
            } else {
                let _ = writeln!(o, "<p>{}</p>", escape(para));
            }
        }
        o.push_str("</section>\n");
    }
    // A letter prints as one document: no page break between its sections.
    page(&title, &o).replace("section + section { break-before: page; }", "section { break-inside: avoid; }")
}

/// Wrap a paragraph at `width` characters.
fn wrap(out: &mut String, para: &str, width: usize, indent: &str) {
    let mut line = String::new();
    for word in para.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{line}");
            line = indent.to_owned();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        let _ = writeln!(out, "{line}");
    }
}

/// The letter as plain text (72 characters wide, for an email).
pub fn text_letter(doc: &Value, id: i64, seal: &Seal) -> String {
    let (title, intro, parts) = parts(doc, id, seal);
    let mut o = String::new();
    let _ = writeln!(o, "{title}\n{}\n", "=".repeat(title.chars().count().min(72)));
    wrap(&mut o, &intro, 72, "");
    for p in parts {
        let _ = writeln!(o, "\n{}\n{}", p.heading, "-".repeat(p.heading.chars().count()));
        for (k, v) in &p.rows {
            let _ = writeln!(o, "{k}: {v}");
        }
        for para in &p.paragraphs {
            if para.contains(" · signed file SHA-256 ") {
                // One line, never wrapped: it is copied and compared.
                let _ = writeln!(o, "{para}");
            } else {
                let indent = if para.starts_with('•') { "  " } else { "" };
                wrap(&mut o, para, 72, indent);
            }
        }
    }
    crate::domain::text::strip_controls(&o).into_owned()
}

/// The letter in `format`.
pub fn render(doc: &Value, id: i64, seal: &Seal, format: Format) -> String {
    match format {
        Format::Html => html(doc, id, seal),
        Format::Text => text_letter(doc, id, seal),
    }
}

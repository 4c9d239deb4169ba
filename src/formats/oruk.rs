//! Open Referral UK: reading service directories in every shape in use (v3 paged
//! lists, v3 single services, organisations with their services, v1 paged
//! lists, bare arrays, and the tabular CSV form), and writing them back as v3.
//!
//! Real feeds are messy: HTML in descriptions, `data:` images, entities, missing
//! names and organisations, vendor fields, duplicated ids. A record that cannot
//! be used is skipped with its reason; unknown fields are ignored.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::domain::text::strip_controls;

pub use crate::domain::directory::{Organisation, Service};

/// What a file held: the usable services, and each record skipped with why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub services: Vec<Service>,
    /// Organisations given on their own (an `organizations.csv` without services).
    pub organisations: Vec<Organisation>,
    /// (the record's id, or its position as "#N", and the reason)
    pub skipped: Vec<(String, String)>,
}

/// The statuses a service may have (Open Referral UK v3).
pub const STATUSES: [&str; 4] = ["active", "inactive", "defunct", "temporarily closed"];

/// How much of a feed is read: files beyond this are refused before reading (a
/// directory that large comes as pages), and a line of the tabular form (not of
/// JSON, often all on one line) may be at most `max_line` long.
pub const FEED_LIMITS: crate::input::Limits = crate::input::Limits { max_bytes: 32 << 20, max_line: 1 << 20 };

/// The deepest HTML nesting a description may have. Real descriptions nest a few
/// levels; rendering thousands costs time that grows with depth times length.
pub const MAX_NESTING: usize = 100;

/// The longest any one text of a record may be as it comes (HTML, images and all).
pub const MAX_RAW_TEXT: usize = 1 << 20;

/// The longest a service's fields may be once cleaned, in characters: beyond
/// these a record is skipped with the reason, not stored to slow every screen.
pub const MAX_NAME: usize = 300;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_FIELD: usize = 2_000;

/// HTML as found in feeds, as plain text: paragraphs and line breaks kept,
/// entities decoded, tags, scripts and images (including `data:` images) gone,
/// control characters dropped. HTML nested deeper than [`MAX_NESTING`] has its
/// tags stripped instead of being rendered (linear time, whatever the depth).
pub fn clean_html(html: &str) -> String {
    if !looks_like_html(html) {
        return tidy(html);
    }
    if html_depth(html) > MAX_NESTING {
        return tidy(&strip_tags(html));
    }
    // Most feeds' HTML is paragraphs, emphasis and links: read directly, it
    // costs a fraction of a full HTML parse (most of a large import's time).
    if let Some(text) = simple_html_text(html) {
        return tidy(&text);
    }
    html2text_render(html)
}

/// HTML as plain text by a full HTML parse and render.
fn html2text_render(html: &str) -> String {
    let text = html2text::config::with_decorator(html2text::render::TrivialDecorator::new())
        .link_footnotes(false)
        .string_from_read(html.as_bytes(), 10_000)
        .unwrap_or_else(|_| html.to_owned());
    tidy(&strip_image_marks(&text))
}

/// Elements that start and end a block of text (a blank line around them).
const SIMPLE_BLOCKS: [&str; 13] =
    ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "main"];
/// Elements that only style their words.
const SIMPLE_INLINE: [&str; 12] = ["b", "strong", "i", "em", "u", "span", "a", "font", "small", "sup", "sub", "abbr"];

/// The text of HTML made only of paragraphs, headings, line breaks, emphasis,
/// links and images, with the common entities: as the full render gives it once
/// tidied (a test compares the two). `None` for anything else (lists, tables,
/// scripts, other entities...), which the full render reads.
fn simple_html_text(html: &str) -> Option<String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Runs of white space are one space; none at the start of a block.
    let mut pending_space = false;
    let push_text = |out: &mut String, text: &str, pending_space: &mut bool| -> Option<()> {
        let mut t = text;
        while !t.is_empty() {
            let next = t.find(['&', ' ', '\t', '\n', '\r', '\u{c}']).unwrap_or(t.len());
            if next > 0 {
                if *pending_space && !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                *pending_space = false;
                out.push_str(&t[..next]);
            }
            t = &t[next..];
            let Some(c) = t.chars().next() else { break };
            if c == '&' {
                let end = t.find(';').filter(|e| *e <= 10)?;
                let decoded = match &t[1..end] {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" | "#39" => '\'',
                    "nbsp" | "#160" => '\u{a0}',
                    e if e.starts_with("#x") || e.starts_with("#X") => {
                        char::from_u32(u32::from_str_radix(&e[2..], 16).ok()?).filter(|c| !c.is_control())?
                    }
                    e if e.starts_with('#') => char::from_u32(e[1..].parse().ok()?).filter(|c| !c.is_control())?,
                    _ => return None,
                };
                if *pending_space && !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                *pending_space = false;
                out.push(decoded);
                t = &t[end + 1..];
            } else {
                *pending_space = true;
                t = &t[c.len_utf8()..];
            }
        }
        Some(())
    };
    // A paragraph or heading has a blank line around it; a div a line break.
    let block_break = |out: &mut String, pending_space: &mut bool, blank: bool| {
        *pending_space = false;
        while out.ends_with(' ') {
            out.pop();
        }
        if out.is_empty() {
            return;
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if blank && !out.ends_with("\n\n") {
            out.push('\n');
        }
    };
    // Open elements: only well-formed HTML is read here (each element closed in
    // order, no block inside a paragraph, heading or inline element), where the
    // full parse's repairs have nothing to do.
    // (element, the length of the text when it opened): an empty block is the
    // full render's to place.
    let mut open: Vec<(String, usize)> = Vec::new();
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        push_text(&mut out, &rest[..lt], &mut pending_space)?;
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
            continue;
        }
        // The tag's end: the first '>' outside a quoted attribute.
        let mut quote = None;
        let end = rest.char_indices().skip(1).find_map(|(i, c)| match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                None
            }
            (Some(q), c) if c == q => {
                quote = None;
                None
            }
            (None, '>') => Some(i),
            _ => None,
        })?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "br" {
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
            pending_space = false;
        } else if SIMPLE_BLOCKS.contains(&name.as_str()) {
            let blank = (name == "p" || name.starts_with('h')) && name != "header";
            if closing {
                let (opened, at) = open.pop()?;
                (opened == name && out.trim_end().len() > at).then_some(())?;
            } else {
                // Only a div (or the like) may hold blocks.
                let holds_blocks = |(e, _): &(String, usize)| {
                    ["div", "section", "article", "header", "footer", "main"].contains(&e.as_str())
                };
                open.iter().all(holds_blocks).then_some(())?;
                open.push((name, out.trim_end().len()));
            }
            block_break(&mut out, &mut pending_space, blank);
        } else if name == "img" {
            // An image's words (its alt text) are the full render's to place.
            let lower = tag.to_ascii_lowercase();
            if lower.contains("alt=") && !lower.contains("alt=\"\"") && !lower.contains("alt=''") {
                return None;
            }
        } else if SIMPLE_INLINE.contains(&name.as_str()) {
            // An inline element's own start or end is no space.
            if closing {
                (open.pop()?.0 == name).then_some(())?;
            } else if !tag.ends_with('/') {
                open.push((name, out.len()));
            }
        } else {
            return None;
        }
    }
    open.is_empty().then_some(out)
}

/// A tag (`<p`, `</`, `<!--`) or an entity (`&amp;`, `&#39;`): plain text with
/// a bare `&` or `<` is left as it is, line breaks and all.
fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'<' => b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/' || *n == b'!'),
        b'&' => {
            let rest = &b[i + 1..b.len().min(i + 12)];
            rest.first().is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'#')
                && rest
                    .iter()
                    .position(|c| *c == b';')
                    .is_some_and(|end| rest[..end].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'#'))
        }
        _ => false,
    })
}

/// Tags that never hold others (void elements) or that close themselves when
/// the next one opens: they add no depth.
const NO_DEPTH: [&str; 24] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li",
    "dt", "dd", "tr", "td", "th", "option", "optgroup", "param", "keygen",
];

/// How deeply HTML nests its elements, estimated in one pass: each opening tag
/// goes one deeper, each closing tag one back (comments, void and self-closing
/// elements do not count).
pub fn html_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if b[i + 1..].starts_with(b"!--") {
            i = html[i + 4..].find("-->").map_or(b.len(), |end| i + 4 + end + 3);
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let start = i + 1 + usize::from(closing);
        // A tag's name starts with a letter: "a <3 b" is text.
        if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let name_end = b[start..].iter().position(|c| !c.is_ascii_alphanumeric()).map_or(b.len(), |n| start + n);
        let end = b[name_end..].iter().position(|c| *c == b'>').map_or(b.len(), |n| name_end + n);
        let name = &b[start..name_end];
        let self_closing = end > name_end && b[end - 1] == b'/';
        if !self_closing && !NO_DEPTH.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(name)) {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        i = end + 1;
    }
    deepest
}

/// Text with every tag removed, for HTML too deep to render.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// An image is not text a Link Worker reads, and `data:` URIs must never reach
/// the database, even as an image's title.
fn strip_image_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut rest = line;
        let mut kept = String::new();
        while let Some(start) = rest.find("[data:") {
            kept.push_str(&rest[..start]);
            rest = rest[start..].find(']').map_or("", |end| &rest[start + end + 1..]);
        }
        kept.push_str(rest);
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Trim each line, drop runs of blank lines, control characters, and any
/// `data:` URI left over.
fn tidy(text: &str) -> String {
    let text = strip_controls(text);
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line: String = line
            .split_whitespace()
            .filter(|w| !w.starts_with("data:") && !w.contains("base64,"))
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// A field as text: strings trimmed and without control characters, numbers
/// written out, anything else absent.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(strip_controls(s).trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|a| (0..=150).contains(a))
}

/// A collection under any of its names (v3 `addresses`, v1 `physical_addresses`...).
fn list<'a>(v: &'a Value, keys: &[&str]) -> Vec<&'a Value> {
    keys.iter().filter_map(|k| v.get(*k)).filter_map(Value::as_array).flatten().collect()
}

fn organisation(v: &Value) -> Option<Organisation> {
    let name = text(v, "name").map(|n| clean_html(&n)).filter(|n| !n.is_empty())?;
    let unsaid = [
        ("description", &["description"][..]),
        ("email", &["email"]),
        ("url", &["website", "url"]),
        ("phone", &["phones"]),
    ]
    .into_iter()
    .filter(|(_, keys)| !keys.iter().any(|k| v.get(*k).is_some()))
    .map(|(field, _)| field)
    .collect();
    Some(Organisation {
        id: text(v, "id"),
        name,
        description: text(v, "description").map(|d| clean_html(&d)).filter(|d| !d.is_empty()),
        email: text(v, "email"),
        url: text(v, "website").or_else(|| text(v, "url")),
        phone: list(v, &["phones"]).into_iter().find_map(|p| text(p, "number")),
        unsaid,
    })
}

/// The keys under which a record says something about each of a service's
/// fields ([`Service::FIELDS`]): when none is there, the field is unsaid.
const SAID_BY: [(&str, &[&str]); 15] = [
    ("organisation", &["organization"]),
    ("description", &["description"]),
    ("status", &["status"]),
    ("url", &["url"]),
    ("email", &["email"]),
    ("phone", &["phones", "contacts"]),
    ("location", &["service_at_locations", "locations", "physical_addresses", "addresses"]),
    ("schedule", &["schedules", "regular_schedules"]),
    ("min_age", &["minimum_age", "eligibilitys", "eligibilities"]),
    ("max_age", &["maximum_age", "eligibilitys", "eligibilities"]),
    ("eligibility", &["eligibilitys", "eligibilities", "eligibility_description"]),
    ("fees", &["fees", "fees_description", "cost_options"]),
    ("categories", &["attributes", "service_taxonomys", "service_taxonomies", "taxonomy_terms", "categories"]),
    ("assured_date", &["assured_date"]),
    ("last_modified", &["last_modified"]),
];

fn unsaid(v: &Value, inherited: bool) -> Vec<&'static str> {
    SAID_BY
        .iter()
        .filter(|(field, keys)| {
            let said = keys.iter().any(|k| v.get(*k).is_some());
            // Services listed inside their organisation are under it: said.
            let under_organisation = inherited && *field == "organisation";
            !said && !under_organisation
        })
        .map(|(field, _)| *field)
        .collect()
}

fn first_address(v: &Value) -> (Option<String>, Option<String>) {
    let mut places: Vec<&Value> = Vec::new();
    for sal in list(v, &["service_at_locations"]) {
        if let Some(loc) = sal.get("location") {
            places.extend(list(loc, &["addresses", "physical_addresses"]));
        }
        places.extend(list(sal, &["physical_addresses"]));
    }
    for loc in list(v, &["locations"]) {
        places.extend(list(loc, &["addresses", "physical_addresses"]));
    }
    places.extend(list(v, &["physical_addresses", "addresses"]));
    let Some(a) = places.first() else { return (None, None) };
    let parts: Vec<String> = ["address_1", "address_2", "city", "region"].iter().filter_map(|k| text(a, k)).collect();
    let address = (!parts.is_empty()).then(|| parts.join(", "));
    (address, text(a, "postal_code").or_else(|| text(a, "postcode")))
}

fn schedule(v: &Value) -> Option<String> {
    let mut parts = Vec::new();
    for s in list(v, &["schedules", "regular_schedules"]) {
        let day = text(s, "byday").or_else(|| text(s, "weekday"));
        let times = match (text(s, "opens_at"), text(s, "closes_at")) {
            (Some(o), Some(c)) => Some(format!("{}-{}", short_time(&o), short_time(&c))),
            _ => None,
        };
        let line = [day, times].into_iter().flatten().collect::<Vec<_>>().join(" ");
        match text(s, "description").map(|d| clean_html(&d)) {
            Some(d) if line.is_empty() => parts.push(d),
            Some(d) => parts.push(format!("{line} ({d})")),
            None if !line.is_empty() => parts.push(line),
            None => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "10:00:00" as "10:00".
fn short_time(t: &str) -> &str {
    if t.len() == 8 && t.ends_with(":00") { &t[..5] } else { t }
}

fn categories(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: Option<String>| {
        if let Some(n) = name.map(|n| clean_html(&n)).filter(|n| !n.is_empty())
            && !out.contains(&n)
        {
            out.push(n);
        }
    };
    for a in list(v, &["attributes"]) {
        if let Some(t) = a.get("taxonomy_term") {
            push(text(t, "name").or_else(|| text(t, "term")));
        }
    }
    for st in list(v, &["service_taxonomys", "service_taxonomies"]) {
        if let Some(t) = st.get("taxonomy").or_else(|| st.get("taxonomy_term")) {
            push(text(t, "name").or_else(|| text(t, "vocabulary")));
        }
    }
    for t in list(v, &["taxonomy_terms", "categories"]) {
        push(if t.is_string() { t.as_str().map(str::to_owned) } else { text(t, "name") });
    }
    out
}

fn status(v: &Value) -> Result<String, String> {
    let Some(raw) = text(v, "status") else { return Ok("active".to_owned()) };
    let s = raw.to_lowercase().replace(['_', '-'], " ");
    STATUSES
        .iter()
        .find(|k| **k == s)
        .map(|k| (*k).to_owned())
        .ok_or_else(|| format!("status '{raw}' is not one of {}", STATUSES.join(", ")))
}

/// Every text in a record within [`MAX_RAW_TEXT`], and any HTML in it nested at
/// most [`MAX_NESTING`] deep: the reason otherwise, naming the field.
fn raw_texts_fit(v: &Value, key: &str) -> Result<(), String> {
    match v {
        Value::String(s) if s.len() > MAX_RAW_TEXT => {
            Err(format!("{key} is {} bytes; at most {} MiB", s.len(), MAX_RAW_TEXT >> 20))
        }
        Value::String(s) if s.contains('<') && html_depth(s) > MAX_NESTING => {
            Err(format!("{key}: its HTML is nested more than {MAX_NESTING} deep"))
        }
        Value::Array(items) => items.iter().try_for_each(|i| raw_texts_fit(i, key)),
        Value::Object(o) => o.iter().try_for_each(|(k, i)| raw_texts_fit(i, k)),
        _ => Ok(()),
    }
}

/// A cleaned service's fields within their lengths: the reason otherwise.
fn fields_fit(s: &Service) -> Result<(), String> {
    let org = s.organisation.as_ref();
    let fields: [(&str, Option<&String>, usize); 15] = [
        ("id", Some(&s.id), MAX_NAME),
        ("name", Some(&s.name), MAX_NAME),
        ("description", s.description.as_ref(), MAX_DESCRIPTION),
        ("url", s.url.as_ref(), MAX_FIELD),
        ("email", s.email.as_ref(), MAX_NAME),
        ("phone", s.phone.as_ref(), MAX_NAME),
        ("address", s.address.as_ref(), MAX_FIELD),
        ("postcode", s.postcode.as_ref(), MAX_NAME),
        ("schedule", s.schedule.as_ref(), MAX_FIELD),
        ("eligibility", s.eligibility.as_ref(), MAX_FIELD),
        ("fees", s.fees.as_ref(), MAX_FIELD),
        ("assured_date", s.assured_date.as_ref(), MAX_NAME),
        ("last_modified", s.last_modified.as_ref(), MAX_NAME),
        ("organization name", org.map(|o| &o.name), MAX_NAME),
        ("organization description", org.and_then(|o| o.description.as_ref()), MAX_DESCRIPTION),
    ];
    for (field, value, max) in fields {
        if let Some(n) = value.map(|v| v.chars().count()).filter(|n| *n > max) {
            return Err(format!("{field} is {n} characters; at most {max}"));
        }
    }
    if let Some(c) = s.categories.iter().find(|c| c.chars().count() > MAX_NAME) {
        return Err(format!("a category is {} characters; at most {MAX_NAME}", c.chars().count()));
    }
    if s.categories.len() > MAX_NAME {
        return Err(format!("{} categories; at most {MAX_NAME}", s.categories.len()));
    }
    Ok(())
}

/// Read one service record; `inherited` is the organisation of a file that
/// lists its services inside it. Records with fields too long or HTML too deep
/// are refused with the reason.
fn service(v: &Value, inherited: Option<&Organisation>) -> Result<Service, String> {
    let s = service_fields(v, inherited)?;
    fields_fit(&s)?;
    Ok(s)
}

fn service_fields(v: &Value, inherited: Option<&Organisation>) -> Result<Service, String> {
    if !v.is_object() {
        return Err("not a JSON object".to_owned());
    }
    raw_texts_fit(v, "record")?;
    let id = text(v, "id").ok_or("no id")?;
    let name = text(v, "name").map(|n| clean_html(&n)).filter(|n| !n.is_empty()).ok_or("no name")?;
    let status = status(v)?;
    let (address, postcode) = first_address(v);
    let eligibility: Vec<String> = list(v, &["eligibilitys", "eligibilities"])
        .into_iter()
        .filter_map(|e| text(e, "eligibility").or_else(|| text(e, "description")))
        .chain(text(v, "eligibility_description"))
        .map(|e| clean_html(&e))
        .filter(|e| !e.is_empty())
        .collect();
    let min_age = int(v, "minimum_age")
        .or_else(|| list(v, &["eligibilitys", "eligibilities"]).into_iter().find_map(|e| int(e, "minimum_age")));
    let max_age = int(v, "maximum_age")
        .or_else(|| list(v, &["eligibilitys", "eligibilities"]).into_iter().find_map(|e| int(e, "maximum_age")));
    let fees = text(v, "fees_description").or_else(|| text(v, "fees")).or_else(|| {
        let options: Vec<String> = list(v, &["cost_options"])
            .into_iter()
            .filter_map(|c| text(c, "option").or_else(|| text(c, "amount_description")))
            .collect();
        (!options.is_empty()).then(|| options.join("; "))
    });
    let phone = list(v, &["phones"])
        .into_iter()
        .chain(list(v, &["contacts"]).into_iter().flat_map(|c| list(c, &["phones"])))
        .find_map(|p| text(p, "number"));
    Ok(Service {
        id,
        name,
        organisation: v.get("organization").and_then(organisation).or_else(|| inherited.cloned()),
        description: text(v, "description").map(|d| clean_html(&d)).filter(|d| !d.is_empty()),
        status,
        url: text(v, "url"),
        email: text(v, "email"),
        phone,
        address,
        postcode,
        schedule: schedule(v),
        min_age,
        max_age: max_age.filter(|m| min_age.is_none_or(|a| *m >= a)),
        eligibility: (!eligibility.is_empty()).then(|| eligibility.join("; ")),
        fees: fees.map(|f| clean_html(&f)),
        categories: categories(v),
        assured_date: text(v, "assured_date"),
        last_modified: text(v, "last_modified"),
        unsaid: unsaid(v, inherited.is_some()),
    })
}

/// Read many records at once, on every core: cleaning their HTML is most of
/// the time an import takes. Results are in the records' order.
fn read_services(records: &[Value], inherited: Option<&Organisation>) -> Vec<Option<Result<Service, String>>> {
    let one = |r: &Value| {
        let nested = r.get("services").is_some_and(Value::is_array);
        let taxonomy = r.get("term_uri").is_some() || (r.get("taxonomy").is_some() && r.get("status").is_none());
        (!nested && !taxonomy).then(|| service(r, inherited))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || records.len() < 64 {
        return records.iter().map(one).collect();
    }
    let chunk = records.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            records.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Collect services from a list, skipping what cannot be used and repeated ids.
fn collect(records: &[Value], inherited: Option<&Organisation>, out: &mut Parsed) {
    let mut seen: HashSet<String> = out.services.iter().map(|s| s.id.clone()).collect();
    let read = read_services(records, inherited);
    for (i, (r, result)) in records.iter().zip(read).enumerate() {
        let at = text(r, "id").unwrap_or_else(|| format!("#{}", i + 1));
        // An organisation listing its services: take them, under it.
        if let Some(inner) = r.get("services").and_then(Value::as_array) {
            let org = organisation(r);
            collect(inner, org.as_ref(), out);
            seen = out.services.iter().map(|s| s.id.clone()).collect();
            continue;
        }
        match result {
            None => out.skipped.push((at, "a taxonomy term, not a service".into())),
            Some(Ok(s)) if !seen.insert(s.id.clone()) => {
                out.skipped.push((at, "the same id appears earlier in the file".into()))
            }
            Some(Ok(s)) => out.services.push(s),
            Some(Err(why)) => out.skipped.push((at, why)),
        }
    }
}

/// Read an Open Referral UK JSON document of any of the shapes in use.
pub fn parse_json(bytes: &[u8]) -> Result<Parsed> {
    // A byte order mark is how some Windows tools start UTF-8: not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).context("not valid JSON")?;
    let mut out = Parsed::default();
    match &doc {
        Value::Array(items) => collect(items, None, &mut out),
        Value::Object(o) => {
            if let Some(items) = o.get("contents").or_else(|| o.get("content")).and_then(Value::as_array) {
                collect(items, None, &mut out);
            } else if let Some(items) = o.get("services").and_then(Value::as_array) {
                // An organisation with its services inside it.
                let org = organisation(&doc);
                collect(items, org.as_ref(), &mut out);
            } else if o.contains_key("id") || o.contains_key("name") {
                collect(std::slice::from_ref(&doc), None, &mut out);
            } else {
                bail!(
                    "no services found: expected a service, a list of services, or a page with \"contents\" or \"content\""
                );
            }
        }
        _ => bail!("no services found: the file holds neither an object nor a list"),
    }
    Ok(out)
}

/// Read the tabular form: `services.csv`, with `organizations.csv` beside it when
/// there is one.
pub fn parse_csv(services_csv: &Path) -> Result<Parsed> {
    let read = |path: &Path| -> Result<Vec<Value>> {
        let limit = |e: csv::Error| {
            let passed = match e.kind() {
                csv::ErrorKind::Io(io) => crate::input::exceeded(io).cloned(),
                _ => None,
            };
            match passed {
                Some(x) => anyhow::anyhow!("{}: {x}", path.display()),
                None => anyhow::Error::new(e),
            }
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(crate::input::open(path, FEED_LIMITS)?);
        let headers: Vec<String> = reader
            .headers()
            .map_err(limit)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record
                .map_err(limit)
                .with_context(|| format!("{}: row {} could not be read", path.display(), i + 2))?;
            let mut obj = Map::new();
            for (h, v) in headers.iter().zip(record.iter()) {
                obj.insert(h.clone(), Value::String(v.to_owned()));
            }
            rows.push(Value::Object(obj));
        }
        Ok(rows)
    };
    if is_organisations_file(services_csv) {
        // Organisations alone: they are added or updated, and no service is made of them.
        let mut out = Parsed::default();
        let mut seen = HashSet::new();
        for (i, row) in read(services_csv)?.iter().enumerate() {
            let at = text(row, "id").unwrap_or_else(|| format!("#{}", i + 1));
            match organisation(row) {
                None => out.skipped.push((at, "no name".into())),
                Some(o) if o.id.is_none() => out.skipped.push((at, "no id".into())),
                Some(o) if !seen.insert(o.id.clone()) => {
                    out.skipped.push((at, "the same id appears earlier in the file".into()))
                }
                Some(o) => out.organisations.push(o),
            }
        }
        return Ok(out);
    }
    let mut rows = read(services_csv)?;
    let orgs_path = services_csv.with_file_name(
        services_csv
            .file_name()
            .and_then(|n| n.to_str())
            .map_or("organizations.csv".to_owned(), |n| n.replacen("services", "organizations", 1)),
    );
    if orgs_path != services_csv && orgs_path.exists() {
        let orgs = read(&orgs_path)?;
        for row in &mut rows {
            let org =
                text(row, "organization_id").and_then(|id| orgs.iter().find(|o| text(o, "id").as_deref() == Some(&id)));
            if let (Some(org), Some(obj)) = (org.cloned(), row.as_object_mut()) {
                obj.insert("organization".to_owned(), org);
            }
        }
    }
    let mut out = Parsed::default();
    collect(&rows, None, &mut out);
    Ok(out)
}

/// `organizations.csv` (or `organisations.csv`, with any prefix): a table of
/// organisations, not of services.
fn is_organisations_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_lowercase)
        .is_some_and(|n| n.ends_with("organizations.csv") || n.ends_with("organisations.csv"))
}

/// Read a file by its kind: `.csv` is the tabular form, anything else JSON.
pub fn parse_file(path: &Path) -> Result<Parsed> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        parse_csv(path)
    } else {
        // JSON is often one long line: only its size is bounded.
        let bytes = crate::input::read(path, crate::input::Limits { max_line: usize::MAX, ..FEED_LIMITS })?;
        parse_json(&bytes).with_context(|| format!("{}", path.display()))
    }
}

/// Whether `s` is a UUID as the profile's `uuid` format has it (8-4-4-4-12 hex).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// A stable UUID for `name` (RFC 9562 version 8, from SHA-256): the same name
/// always gives the same id, in every export.
pub fn derived_uuid(name: &str) -> String {
    let mut h: [u8; 16] = Sha256::digest(format!("linkwork:{name}").as_bytes())[..16].try_into().expect("16 bytes");
    h[6] = (h[6] & 0x0f) | 0x80;
    h[8] = (h[8] & 0x3f) | 0x80;
    let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The profile's id for a record: its own when it is a UUID, else one derived
/// from it (a feed's "101" is always the same UUID).
pub fn profile_id(raw: &str) -> String {
    if is_uuid(raw) { raw.to_owned() } else { derived_uuid(raw) }
}

/// The id of an object nested in `parent` (a UUID): derived from the parent's
/// id and what the object is, so it is the same in every export.
fn nested_id(parent: &str, what: &str) -> String {
    derived_uuid(&format!("{parent}/{what}"))
}

/// An email address as the profile's `email` format accepts it, or nothing.
fn profile_email(e: &str) -> Option<String> {
    let e = e.trim();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !e.contains("..")
        && e.is_ascii()
        && e.chars().all(|c| c.is_ascii_graphic() && !"()<>[]:;,\\\"".contains(c));
    ok.then(|| e.to_owned())
}

/// A web address as the profile's `uri` format accepts it: `www.x.org` is read
/// as `https://www.x.org`; anything else that is not an http(s) address, nothing.
fn profile_url(u: &str) -> Option<String> {
    let u = u.trim();
    let u =
        if u.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) { format!("https://{u}") } else { u.to_owned() };
    let lower = u.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && !rest.starts_with('/')
        && u.is_ascii()
        && u.chars().all(|c| c.is_ascii_graphic() && !"<>\"{}|\\^`".contains(c));
    ok.then_some(u)
}

/// A time as the profile's `date-time` format (RFC 3339) has it. A date alone
/// is its midnight; a time without a zone is taken as UTC (linkwork's own are).
fn profile_date_time(t: &str) -> Option<String> {
    let t = t.trim();
    if chrono::DateTime::parse_from_rfc3339(t).is_ok() {
        return Some(t.to_owned());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, f) {
            return Some(d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(|d| format!("{d}T00:00:00Z"))
}

/// The organisation as the profile has it: id, name and description are
/// required (an organisation that says nothing of itself has an empty one).
fn profile_organisation(org: &Organisation) -> Value {
    let id = profile_id(org.id.as_deref().unwrap_or(&format!("organisation:{}", org.name)));
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("name".into(), org.name.clone().into());
    m.insert("description".into(), org.description.clone().unwrap_or_default().into());
    if let Some(e) = org.email.as_deref().and_then(profile_email) {
        m.insert("email".into(), e.into());
    }
    if let Some(u) = org.url.as_deref().and_then(profile_url) {
        m.insert("website".into(), u.into());
    }
    Value::Object(m)
}

/// The fields a service list item and a full service share.
fn profile_common(s: &Service) -> (String, Map<String, Value>) {
    let id = profile_id(&s.id);
    let mut m = Map::new();
    m.insert("id".into(), id.clone().into());
    m.insert("name".into(), s.name.clone().into());
    m.insert("status".into(), s.status.clone().into());
    let mut put = |k: &str, val: Option<Value>| {
        if let Some(val) = val {
            m.insert(k.to_owned(), val);
        }
    };
    put("description", s.description.clone().map(Value::String));
    put("url", s.url.as_deref().and_then(profile_url).map(Value::String));
    put("email", s.email.as_deref().and_then(profile_email).map(Value::String));
    put("fees", s.fees.clone().map(Value::String));
    put("minimum_age", s.min_age.map(Value::from));
    put("maximum_age", s.max_age.map(Value::from));
    put("assured_date", s.assured_date.clone().map(Value::String));
    put("last_modified", s.last_modified.as_deref().and_then(profile_date_time).map(Value::String));
    put("organization", s.organisation.as_ref().map(profile_organisation));
    (id, m)
}

/// A service as an item of an Open Referral UK list (`service_list.json`):
/// its own fields and its organisation, without nested lists.
pub fn to_v3_list_item(s: &Service) -> Value {
    Value::Object(profile_common(s).1)
}

/// A service in full as Open Referral UK v3 has it (`service.json`): every
/// nested object with a stable id derived from the service's. Only profile
/// fields are written; the profile has no place for phone numbers or
/// eligibility text, so those stay in linkwork.
pub fn to_v3(s: &Service) -> Value {
    let (id, mut m) = profile_common(s);
    if let Some(d) = &s.schedule {
        m.insert("schedules".into(), json!([{ "id": nested_id(&id, "schedule"), "service_id": id, "description": d }]));
    }
    if s.address.is_some() || s.postcode.is_some() {
        let sal = nested_id(&id, "service_at_location");
        let location = nested_id(&id, "location");
        m.insert(
            "service_at_locations".into(),
            json!([{
                "id": sal,
                "service_id": id,
                "location_id": location,
                "location": {
                    "id": location,
                    "location_type": "physical",
                    "addresses": [{
                        "id": nested_id(&location, "address"),
                        "location_id": location,
                        "address_1": s.address.clone().unwrap_or_default(),
                        "city": "",
                        "state_province": "",
                        "postal_code": s.postcode.clone().unwrap_or_default(),
                        "country": "",
                        "address_type": "physical",
                    }],
                },
            }]),
        );
    }
    if !s.categories.is_empty() {
        let attributes = s
            .categories
            .iter()
            .map(|c| {
                let term = derived_uuid(&format!("taxonomy_term:{c}"));
                json!({
                    "id": nested_id(&id, &format!("attribute/{c}")),
                    "link_id": id,
                    "taxonomy_term_id": term,
                    "taxonomy_term": { "id": term, "name": c, "description": "" },
                })
            })
            .collect();
        m.insert("attributes".into(), Value::Array(attributes));
    }
    Value::Object(m)
}

/// A whole directory as one v3 page holding every service, in full or as list items.
pub fn to_v3_page(services: &[Service], full: bool) -> Value {
    let contents: Vec<Value> = services.iter().map(|s| if full { to_v3(s) } else { to_v3_list_item(s) }).collect();
    json!({
        "total_items": contents.len(),
        "total_pages": 1,
        "page_number": 1,
        "size": contents.len(),
        "first_page": true,
        "last_page": true,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        let html = r#"<p>Friendly <b>walking</b> group &amp; caf&eacute;.</p><p>Second&nbsp;para<br>next line</p>
            <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==" alt="logo">
            <script>alert(1)</script><a href="http://x.example">Find us</a>"#;
        let text = clean_html(html);
        assert!(text.contains("Friendly walking group & café."), "{text}");
        assert!(text.contains("Second\u{a0}para") || text.contains("Second para"), "{text}");
        assert!(text.contains("next line"), "{text}");
        assert!(text.contains("Find us"), "{text}");
        for bad in ["<", ">", "&amp;", "&nbsp;", "data:", "base64", "alert(1)", "iVBOR"] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }
        assert!(text.lines().count() >= 2, "paragraphs kept: {text:?}");
    }

    #[test]
    fn simple_html_is_read_as_the_full_render_reads_it() {
        let samples = [
            "<h2>Walking group 7</h2><p>Paragraph 0: friendly &amp; welcoming sessions for adults in ward 7, with <b>tea</b>, <a href=\"https://example.org/7\">details</a> and a warm room&nbsp;to meet.</p><p>Second</p>",
            "<p>Friendly <b>walking</b> group &amp; caf&#233;.</p><p>Second&nbsp;para<br>next line</p><img src=\"data:image/png;base64,iVBOR\" alt=\"\">",
            "Tea <i>and</i>\n\n  chat<br/><br/>Thursdays &lt;10am&gt; &quot;all&quot; it&#39;s <span class=\"x\">fine</span>",
            "<div><p>Nested <strong>block</strong></p><div>again</div></div><p>  spaced   out  </p>",
            "<p>See <a href=\"https://x.example?a=1&amp;b=2\" title='a > b'>our site</a>.</p><!-- note <p> -->end",
            "<h1>Title</h1>text after<h3>Sub</h3><p>para</p>tail &#x2764; done",
            "<p>a<br>b<br><br>c</p><p>d</p>",
        ];
        for html in samples {
            let fast = simple_html_text(html).map(|t| tidy(&t)).expect(html);
            assert_eq!(fast, html2text_render(html), "{html}");
        }
        for not_simple in [
            "<ul><li>a</li></ul>",
            "<table><tr><td>x</td></tr></table>",
            "a &eacute; b",
            "<script>x</script>",
            "<img src=x alt=\"logo\">",
            "a<p></p>b",
        ] {
            assert_eq!(simple_html_text(not_simple), None, "{not_simple}");
        }
    }

    proptest::proptest! {
        /// Any mix of the simple elements and entities reads the same both ways.
        #[test]
        fn simple_html_reads_as_the_full_render_for_any_mix(parts in proptest::collection::vec(0usize..22, 0..40)) {
            const BITS: [&str; 22] = ["<p>", "</p>", "<b>", "</b>", "<br>", "<h2>", "</h2>", "<div>", "</div>",
                "Tea", "chat", " ", "  ", "\n", "&amp;", "&nbsp;", "<a href=\"x\">", "</a>", "caf\u{e9}", "&#39;",
                "<span>", "</span>"];
            let html: String = parts.iter().map(|i| BITS[*i]).collect();
            if looks_like_html(&html) && let Some(fast) = simple_html_text(&html) {
                proptest::prop_assert_eq!(tidy(&fast), html2text_render(&html), "{:?}", html);
            }
        }
    }

    #[test]
    fn links_keep_their_words_without_brackets() {
        assert_eq!(clean_html("<p>See <a href=\"https://x.example\">our site</a>.</p>"), "See our site.");
    }

    #[test]
    fn only_markup_is_treated_as_html() {
        assert!(
            looks_like_html("a <b>bold</b> move") && looks_like_html("fish &amp; chips") && looks_like_html("it&#39;s")
        );
        assert!(!looks_like_html("debt & benefits") && !looks_like_html("age < 18"));
        assert_eq!(clean_html("debt & benefits\nline two"), "debt & benefits\nline two");
    }

    #[test]
    fn nesting_is_measured_in_one_pass() {
        assert_eq!(html_depth("<div><p>a<p>b<br><img src=x/></div><!-- <div><div> -->"), 1);
        assert_eq!(html_depth("<ul><li><ul><li>x</ul></ul>"), 2);
        assert_eq!(html_depth(&"<span>".repeat(500)), 500);
        assert_eq!(html_depth("a < b and c <3 d"), 0);
        assert_eq!(html_depth("<div"), 1);
        // Too deep to render: the tags go, the words stay.
        let deep = format!("{}Tea &amp; chat{}", "<div>".repeat(MAX_NESTING + 1), "</div>".repeat(MAX_NESTING + 1));
        assert_eq!(clean_html(&deep), "Tea &amp; chat");
    }

    #[test]
    fn plain_text_is_only_tidied() {
        assert_eq!(clean_html("  Tea   and chat \n\n\n Thursdays "), "Tea and chat\n\nThursdays");
    }

    #[test]
    fn statuses_are_normalised_or_refused() {
        assert_eq!(status(&json!({"status": "Temporarily_Closed"})), Ok("temporarily closed".to_owned()));
        assert_eq!(status(&json!({})), Ok("active".to_owned()));
        assert!(status(&json!({"status": "paused"})).unwrap_err().contains("'paused'"));
    }
}

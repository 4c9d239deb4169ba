//! The diary as an iCalendar file (RFC 5545) that Outlook (NHSmail) and every
//! other calendar imports. Times are written in UTC, converted from UK
//! wall-clock time, so 10:30 stays 10:30 across the clock changes. Calendars
//! are shared and synced to phones: without `full`, an event names the person
//! by first name and initial only, and a home visit's place is left out.

use chrono::{DateTime, Duration, Utc};

use crate::domain::appointment::{Appointment, AppointmentKind, AppointmentStatus, first_name_and_initial, uk_to_utc};
use crate::domain::text::strip_controls;

/// How much an event says about the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// First name and initial; no phone, no NHS number, no home address.
    Least,
    /// Full name, phone and the place, for a calendar nobody else sees.
    Full,
}

/// Escape a TEXT value (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let s = strip_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Fold a content line at 75 octets, never inside a UTF-8 character (3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar: one VEVENT per appointment. `uid_domain` makes each event's
/// UID unique to this database, so importing again updates, not duplicates.
pub fn calendar(appointments: &[Appointment], detail: Detail, now: DateTime<Utc>, uid_domain: &str) -> String {
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//linkwork//diary//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    {
        fold(l, &mut out);
    }
    for a in appointments {
        let start = uk_to_utc(a.start);
        let end = start + Duration::minutes(a.minutes);
        let who = match detail {
            Detail::Least => first_name_and_initial(&a.name),
            Detail::Full => a.name.clone(),
        };
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:appointment-{}@{}", a.id, text(uid_domain)), &mut out);
        fold(&format!("DTSTAMP:{}", stamp(now)), &mut out);
        fold(&format!("DTSTART:{}", stamp(start)), &mut out);
        fold(&format!("DTEND:{}", stamp(end)), &mut out);
        fold(&format!("SUMMARY:{}", text(&format!("{} with {who}", capitalised(a.kind.label())))), &mut out);
        let place = match (detail, a.kind) {
            (Detail::Least, AppointmentKind::HomeVisit) => Some("home visit".to_owned()),
            _ => a.place.clone().filter(|p| !p.trim().is_empty()),
        };
        if let Some(p) = place {
            fold(&format!("LOCATION:{}", text(&p)), &mut out);
        }
        if detail == Detail::Full {
            let mut d = format!("Client {}", a.client_id);
            if let Some(phone) = a.phone.as_deref().filter(|p| !p.is_empty()) {
                d.push_str(&format!("\nPhone: {phone}"));
            }
            fold(&format!("DESCRIPTION:{}", text(&d)), &mut out);
        }
        let status = match a.status {
            AppointmentStatus::Cancelled => "CANCELLED",
            _ => "CONFIRMED",
        };
        fold(&format!("STATUS:{status}"), &mut out);
        fold("CLASS:PRIVATE", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "ŵ".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "ŵ".repeat(60)));
    }

    #[test]
    fn text_is_escaped_and_stripped_of_controls() {
        assert_eq!(text("a,b;c\\d\ne\u{1b}[2J"), "a\\,b\\;c\\\\d\\ne[2J");
    }
}

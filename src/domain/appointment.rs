//! Appointments and follow-ups: what a booking is, when it may be, and what it
//! becomes in the contacts log. Times are UK wall-clock times (Europe/London),
//! as a Link Worker books them and as the person will turn up: 10:30 stays 10:30
//! across the clock changes.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use serde::Serialize;

use super::referral::{ContactKind, code_enum};

code_enum!(
    /// How an appointment happens.
    AppointmentKind, "kind" {
        Phone => "phone", "phone";
        FaceToFace => "face_to_face", "face to face";
        Video => "video", "video";
        HomeVisit => "home_visit", "home visit";
        Group => "group", "group";
    }
);

impl AppointmentKind {
    /// The kind of contact an attended appointment is logged as.
    pub fn contact_kind(self) -> ContactKind {
        match self {
            AppointmentKind::Phone => ContactKind::Phone,
            AppointmentKind::FaceToFace => ContactKind::FaceToFace,
            AppointmentKind::Video => ContactKind::Video,
            AppointmentKind::HomeVisit => ContactKind::HomeVisit,
            AppointmentKind::Group => ContactKind::Group,
        }
    }
}

code_enum!(
    /// Where an appointment stands.
    AppointmentStatus, "appointment status" {
        Booked => "booked", "booked";
        Attended => "attended", "attended";
        Missed => "missed", "did not attend";
        Cancelled => "cancelled", "cancelled";
    }
);

/// How long an appointment is when nobody says.
pub const DEFAULT_MINUTES: i64 = 30;
/// The shortest and longest appointment that can be booked.
pub const MINUTES: std::ops::RangeInclusive<i64> = 5..=480;
/// The time offered for a new booking.
pub const DEFAULT_TIME: (u32, u32) = (10, 0);
/// How far ahead an appointment or follow-up can be set.
pub const MAX_DAYS_AHEAD: i64 = 366;
/// The stored and typed shape of a start: UK local time.
pub const START_FORMAT: &str = "%Y-%m-%d %H:%M";

/// The next Monday-to-Friday after `day` (bank holidays are not known).
pub fn next_working_day(day: NaiveDate) -> NaiveDate {
    let mut d = day + Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

/// The start offered for a new booking made on `today`: the next working day
/// at the default time.
pub fn default_start(today: NaiveDate) -> NaiveDateTime {
    let (h, m) = DEFAULT_TIME;
    next_working_day(today).and_time(NaiveTime::from_hms_opt(h, m, 0).expect("a valid default time"))
}

/// Parse a start as typed: `YYYY-MM-DD HH:MM` (a `T` between them is taken too).
pub fn parse_start(s: &str) -> Result<NaiveDateTime, String> {
    let t = s.trim().replacen('T', " ", 1);
    NaiveDateTime::parse_from_str(&t, START_FORMAT)
        .map_err(|_| format!("'{}' is not a date and time; expected YYYY-MM-DD HH:MM (UK time)", s.trim()))
}

/// Parse a time of day as typed: `HH:MM` or `HHMM`.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    let t = s.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H%M"))
        .map_err(|_| format!("'{t}' is not a time; expected HH:MM"))
}

/// Whether a booking can start at `start`, seen at `now` (local time): not on
/// a day gone by (earlier today is allowed: an appointment recorded after a
/// walk-in), not more than a year ahead. The error says why, for the person.
pub fn check_start(start: NaiveDateTime, now: NaiveDateTime) -> Result<(), String> {
    if start.date() < now.date() {
        return Err(format!("{} is in the past", start.format(START_FORMAT)));
    }
    if start.date() > now.date() + Duration::days(MAX_DAYS_AHEAD) {
        return Err(format!("{} is more than a year ahead", start.format(START_FORMAT)));
    }
    Ok(())
}

/// Whether a length in minutes can be booked.
pub fn check_minutes(minutes: i64) -> Result<(), String> {
    if MINUTES.contains(&minutes) {
        Ok(())
    } else {
        Err(format!("minutes: {minutes} is not between {} and {}", MINUTES.start(), MINUTES.end()))
    }
}

/// Whether a follow-up can be due on `on`, set on `today`.
pub fn check_follow_up(on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if on < today {
        return Err(format!("{on} is in the past"));
    }
    if on > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(format!("{on} is more than a year ahead"));
    }
    Ok(())
}

/// The UTC moment a UK wall-clock time names. In the hour the clocks go back
/// (which happens twice) the first is taken; in the hour they go forward (which
/// does not happen) the time an hour later.
pub fn uk_to_utc(local: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    let london = chrono_tz::Europe::London;
    match london.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&chrono::Utc),
        chrono::LocalResult::None => uk_to_utc(local + chrono::Duration::hours(1)),
    }
}

/// One appointment with whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub id: i64,
    pub referral_id: i64,
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    pub phone: Option<String>,
    #[serde(serialize_with = "serialize_start")]
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: AppointmentKind,
    pub place: Option<String>,
    pub status: AppointmentStatus,
    pub note: Option<String>,
}

fn serialize_start<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format(START_FORMAT).to_string())
}

impl Appointment {
    /// "Thu 26 Nov 10:30, 30 min, phone" (and where, if said).
    pub fn when_and_how(&self) -> String {
        let mut s = format!("{}, {} min, {}", self.start.format("%a %-d %b %H:%M"), self.minutes, self.kind.label());
        if let Some(p) = self.place.as_deref().filter(|p| !p.is_empty()) {
            s.push_str(&format!(" at {p}"));
        }
        s
    }
}

/// The least a shared calendar needs to say who: the first name and the
/// initial of the last ("Siân Ll." is still more than needed; "Siân L.").
pub fn first_name_and_initial(name: &str) -> String {
    let mut words = name.split_whitespace();
    let Some(first) = words.next() else { return String::new() };
    match words.last().and_then(|w| w.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_next_working_day_skips_the_weekend() {
        assert_eq!(next_working_day(d("2026-11-25")), d("2026-11-26")); // Wednesday -> Thursday
        assert_eq!(next_working_day(d("2026-11-27")), d("2026-11-30")); // Friday -> Monday
        assert_eq!(next_working_day(d("2026-11-28")), d("2026-11-30")); // Saturday -> Monday
        assert_eq!(default_start(d("2026-11-27")).to_string(), "2026-11-30 10:00:00");
    }

    #[test]
    fn starts_are_typed_as_uk_time_and_checked() {
        let now = parse_start("2026-11-25 09:00").unwrap();
        assert_eq!(parse_start("2026-11-26T10:30").unwrap(), parse_start(" 2026-11-26 10:30 ").unwrap());
        assert!(parse_start("2026-11-26").unwrap_err().contains("YYYY-MM-DD HH:MM"));
        assert!(parse_start("2026-11-26 25:00").is_err());
        assert!(check_start(parse_start("2026-11-24 23:59").unwrap(), now).unwrap_err().contains("past"));
        assert!(check_start(parse_start("2026-11-25 08:59").unwrap(), now).is_ok(), "earlier today");
        assert!(check_start(parse_start("2026-11-25 09:00").unwrap(), now).is_ok());
        assert!(check_start(parse_start("2027-11-27 09:00").unwrap(), now).unwrap_err().contains("year"));
        assert_eq!(parse_time("1030").unwrap(), parse_time("10:30").unwrap());
        assert!(parse_time("10.3x").is_err());
        assert!(check_minutes(4).is_err() && check_minutes(30).is_ok() && check_minutes(481).is_err());
        assert!(check_follow_up(d("2026-11-24"), d("2026-11-25")).is_err());
        assert!(check_follow_up(d("2026-11-25"), d("2026-11-25")).is_ok());
    }

    #[test]
    fn a_calendar_gets_the_first_name_and_an_initial() {
        assert_eq!(first_name_and_initial("Siân Llewellyn-Jones"), "Siân L.");
        assert_eq!(first_name_and_initial("  Amina   Begum Khan "), "Amina K.");
        assert_eq!(first_name_and_initial("Cher"), "Cher");
        assert_eq!(first_name_and_initial(""), "");
    }
}

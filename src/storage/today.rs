//! Today: the day's agenda, read in one go. Appointments today, follow-ups due
//! or overdue, goals past their target date, new referrals nobody has contacted
//! within the limit, prescriptions a service has not answered in time, and
//! safeguarding concerns raised since yesterday. Each item says why it is there
//! and names its record by id.
//!
//! Every section reads from an index and at most [`SECTION_LIMIT`] rows, with
//! its full count, so the agenda costs the same at 5,000 clients as at 200,000.

use anyhow::Result;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::appointments::{self, Appointment};
use crate::domain::referral::{contact_overdue, working_days};

/// Held by this worker (the one named in settings), or by nobody yet: as "My
/// caseload" reads it. `r` is the referral.
pub const MINE: &str = "(r.link_worker_id IS NULL OR r.link_worker_id =
     (SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name))";

/// The most rows one section holds; its count says how many there are.
pub const SECTION_LIMIT: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Appointment,
    FollowUp,
    Goal,
    FirstContact,
    Unanswered,
    Safeguarding,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::Appointment, Kind::FollowUp, Kind::Goal, Kind::FirstContact, Kind::Unanswered, Kind::Safeguarding];

    pub fn title(self) -> &'static str {
        match self {
            Kind::Appointment => "Appointments today",
            Kind::FollowUp => "Follow-ups due",
            Kind::Goal => "Goals past their date",
            Kind::FirstContact => "Waiting for first contact",
            Kind::Unanswered => "Services not answering",
            Kind::Safeguarding => "Safeguarding raised since yesterday",
        }
    }
}

/// One thing to do today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: Kind,
    pub client_id: i64,
    pub referral_id: Option<i64>,
    pub name: String,
    pub nhs_number: String,
    /// A time (appointments) or a date.
    pub when: String,
    /// Why it is on today's list, for the person reading it.
    pub why: String,
    /// The appointment, prescription, goal or concern it is about.
    pub record_id: Option<i64>,
}

/// One section: its items (at most [`SECTION_LIMIT`]) and how many there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub kind: Kind,
    pub title: &'static str,
    pub total: usize,
    pub items: Vec<Item>,
}

/// The day's agenda: only sections with something in them, in a fixed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agenda {
    pub date: NaiveDate,
    pub sections: Vec<Section>,
}

impl Agenda {
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// Every item, in order (sections one after another).
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

fn setting_days(conn: &Connection, key: &str, default: i64) -> Result<i64> {
    let v: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT value FROM setting WHERE key = ?1",
        [key],
        |r| r.get(0),
    ))?;
    Ok(v.and_then(|v| v.trim().parse().ok()).filter(|d: &i64| *d >= 0).unwrap_or(default))
}

fn section(kind: Kind, total: usize, items: Vec<Item>) -> Option<Section> {
    (total > 0).then_some(Section { kind, title: kind.title(), total, items })
}

/// The agenda for `date`, seen at `now` (UK time).
pub fn agenda(conn: &Connection, date: NaiveDate, now: NaiveDateTime) -> Result<Agenda> {
    let mut sections = Vec::new();
    let limit = SECTION_LIMIT as i64;

    // Appointments today, cancelled ones left out.
    let appts: Vec<Appointment> = appointments::mine_between(conn, date, date)?;
    let items: Vec<Item> = appts
        .iter()
        .take(SECTION_LIMIT)
        .map(|a| Item {
            kind: Kind::Appointment,
            client_id: a.client_id,
            referral_id: Some(a.referral_id),
            name: a.name.clone(),
            nhs_number: a.nhs_number.clone(),
            when: a.start.format("%H:%M").to_string(),
            why: {
                let mut why = format!("{} min, {}", a.minutes, a.kind.label());
                if let Some(p) = a.place.as_deref().filter(|p| !p.is_empty()) {
                    why.push_str(&format!(", {p}"));
                }
                match a.status {
                    crate::domain::appointment::AppointmentStatus::Booked if a.start < now => {
                        why.push_str(": started, mark attended or missed")
                    }
                    crate::domain::appointment::AppointmentStatus::Booked => {}
                    s => why.push_str(&format!(": {}", s.label())),
                }
                why
            },
            record_id: Some(a.id),
        })
        .collect();
    sections.extend(section(Kind::Appointment, appts.len(), items));

    // Follow-ups due or overdue, in open episodes: the oldest first.
    let total: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM referral r WHERE r.status IN ('new', 'contacting', 'booked', 'active')
             AND r.follow_up_on <= ?1 AND {MINE}"
        ),
        [date],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.follow_up_on,
                (SELECT f.note FROM follow_up f WHERE f.referral_id = r.id AND f.due_on = r.follow_up_on
                 ORDER BY f.id DESC LIMIT 1)
         FROM referral r JOIN client c ON c.id = r.client_id
         WHERE r.status IN ('new', 'contacting', 'booked', 'active') AND r.follow_up_on <= ?1 AND {MINE}
         ORDER BY r.follow_up_on, r.id LIMIT ?2"
    ))?;
    let items = stmt
        .query_map(params![date, limit], |r| {
            let due: NaiveDate = r.get(4)?;
            let note: Option<String> = r.get(5)?;
            let late = (date - due).num_days();
            let mut why = match late {
                0 => "follow-up due today".to_owned(),
                1 => "follow-up 1 day overdue".to_owned(),
                n => format!("follow-up {n} days overdue"),
            };
            if let Some(n) = note.filter(|n| !n.is_empty()) {
                why.push_str(&format!(": {n}"));
            }
            Ok(Item {
                kind: Kind::FollowUp,
                client_id: r.get(1)?,
                referral_id: Some(r.get(0)?),
                name: r.get(2)?,
                nhs_number: r.get(3)?,
                when: due.to_string(),
                why,
                record_id: None,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    sections.extend(section(Kind::FollowUp, total as usize, items));

    // Goals past their target date, not achieved or dropped, in open episodes.
    let goals_sql = "FROM goal g JOIN referral r ON r.id = g.referral_id JOIN client c ON c.id = r.client_id
         WHERE g.status IN ('not_started', 'in_progress') AND g.target_on < ?1
           AND r.status IN ('new', 'contacting', 'booked', 'active')";
    let goals_sql = format!("{goals_sql} AND {MINE}");
    let total: i64 = conn.query_row(&format!("SELECT count(*) {goals_sql}"), [date], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.id, r.id, c.id, c.name, c.nhs_number, g.target_on, g.title {goals_sql}
         ORDER BY g.target_on, g.id LIMIT ?2"
    ))?;
    let items = stmt
        .query_map(params![date, limit], |r| {
            let target: NaiveDate = r.get(5)?;
            let title: String = r.get(6)?;
            Ok(Item {
                kind: Kind::Goal,
                client_id: r.get(2)?,
                referral_id: Some(r.get(1)?),
                name: r.get(3)?,
                nhs_number: r.get(4)?,
                when: target.to_string(),
                why: format!("goal past its date ({} days): {title}", (date - target).num_days()),
                record_id: Some(r.get(0)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    sections.extend(section(Kind::Goal, total as usize, items));

    // New referrals nobody has contacted within the limit (working days). A
    // referral received more than `limit` calendar days ago is a candidate;
    // the working-day rule decides.
    let within = setting_days(conn, "first_contact_working_days", 5)?;
    let before = date - Duration::days(within);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.received_on, r.priority
         FROM referral r JOIN client c ON c.id = r.client_id
         WHERE r.status IN ('new', 'contacting') AND r.first_contact_on IS NULL AND r.received_on < ?1 AND {MINE}
         ORDER BY r.received_on, r.id"
    ))?;
    let mut items = Vec::new();
    let mut total = 0;
    let mut rows = stmt.query([before])?;
    while let Some(r) = rows.next()? {
        let received: NaiveDate = r.get(4)?;
        if !contact_overdue(crate::domain::referral::Status::New, received, None, date, within) {
            continue;
        }
        total += 1;
        if items.len() < SECTION_LIMIT {
            let priority: String = r.get(5)?;
            items.push(Item {
                kind: Kind::FirstContact,
                client_id: r.get(1)?,
                referral_id: Some(r.get(0)?),
                name: r.get(2)?,
                nhs_number: r.get(3)?,
                when: received.to_string(),
                why: format!(
                    "no contact yet, {} working days since referral (limit {within}){}",
                    working_days(received, date),
                    if priority == "routine" { String::new() } else { format!(", {priority}") }
                ),
                record_id: None,
            });
        }
    }
    drop(rows);
    sections.extend(section(Kind::FirstContact, total, items));

    // Prescriptions a service has not answered in time, in open episodes.
    let days = super::prescriptions::no_response_days(conn)?;
    let cutoff = format!("{}", date - Duration::days(days));
    // From the open episodes (few) to their prescriptions, not from every
    // prescription never answered (many, most in closed episodes).
    let unanswered_sql = "FROM referral r CROSS JOIN prescription p ON p.referral_id = r.id
         JOIN client c ON c.id = p.client_id JOIN service s ON s.id = p.service_id
         WHERE r.status IN ('new', 'contacting', 'booked', 'active')
           AND (p.state = 'no_response' OR (p.state IN ('sent', 'acknowledged') AND p.sent_at < ?1))";
    let unanswered_sql = format!("{unanswered_sql} AND {MINE}");
    let total: i64 = conn.query_row(&format!("SELECT count(*) {unanswered_sql}"), [&cutoff], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.id, r.id, c.id, c.name, c.nhs_number, p.sent_at, s.name {unanswered_sql}
         ORDER BY p.sent_at, p.id LIMIT ?2"
    ))?;
    let items = stmt
        .query_map(params![cutoff, limit], |r| {
            let sent: Option<String> = r.get(5)?;
            let sent_day = sent.as_deref().map(|s| s.get(..10).unwrap_or(s).to_owned()).unwrap_or_default();
            let service: String = r.get(6)?;
            Ok(Item {
                kind: Kind::Unanswered,
                client_id: r.get(2)?,
                referral_id: Some(r.get(1)?),
                name: r.get(3)?,
                nhs_number: r.get(4)?,
                when: sent_day.clone(),
                why: format!("no answer in over {days} days from {service}"),
                record_id: Some(r.get(0)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    sections.extend(section(Kind::Unanswered, total as usize, items));

    // Safeguarding concerns raised since yesterday and still open.
    let yesterday = date - Duration::days(1);
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, c.id, c.name, c.nhs_number, s.raised_on, s.told, s.raised_by
         FROM safeguarding_concern s JOIN client c ON c.id = s.client_id
         WHERE s.closed_on IS NULL AND (s.created_at >= ?1 OR s.raised_on >= ?1)
         ORDER BY s.raised_on, s.id",
    )?;
    let items = stmt
        .query_map([yesterday.to_string()], |r| {
            let told: Option<String> = r.get(5)?;
            let by: String = r.get(6)?;
            Ok(Item {
                kind: Kind::Safeguarding,
                client_id: r.get(1)?,
                referral_id: None,
                name: r.get(2)?,
                nhs_number: r.get(3)?,
                when: r.get::<_, NaiveDate>(4)?.to_string(),
                why: match told.filter(|t| !t.is_empty()) {
                    Some(t) => format!("safeguarding: told {t} (raised by {by})"),
                    None => format!("safeguarding: nobody told yet (raised by {by})"),
                },
                record_id: Some(r.get(0)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = items.len();
    sections.extend(section(Kind::Safeguarding, total, items.into_iter().take(SECTION_LIMIT).collect()));

    Ok(Agenda { date, sections })
}

//! Appointments: booked in an episode, moved, cancelled, attended or missed.
//! Each change is one transaction with its audit record; attended and missed
//! write their entry in the contacts log in the same transaction.
//!
//! Times are UK wall-clock times (see `domain::appointment`); "now" is read in
//! Europe/London whatever the computer's own time zone.

use anyhow::{Result, bail};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::audit::{self, Action, Actor};
use super::caseload::parse_col;
use super::{Store, now_utc};
use crate::domain::appointment::{
    self as rules, AppointmentKind, AppointmentStatus, DEFAULT_MINUTES, START_FORMAT, check_minutes, check_start,
};
use crate::domain::referral::Status;
use crate::domain::text::has_controls;

/// The longest place or note.
pub const TEXT_MAX: usize = 500;

/// Now in the UK, to the minute, as appointments are booked.
pub fn uk_now() -> NaiveDateTime {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).naive_local()
}

/// An appointment as booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: AppointmentKind,
    pub place: Option<String>,
}

impl NewAppointment {
    /// At `start`, for the usual length, by phone, nowhere said.
    pub fn at(start: NaiveDateTime) -> Self {
        NewAppointment { start, minutes: DEFAULT_MINUTES, kind: AppointmentKind::Phone, place: None }
    }

    /// The checks every booking passes, seen at `now` (UK time).
    pub fn check(&self, now: NaiveDateTime) -> Result<()> {
        check_start(self.start, now).map_err(|e| anyhow::anyhow!("when: {e}"))?;
        check_minutes(self.minutes).map_err(anyhow::Error::msg)?;
        check_text("where", self.place.as_deref())
    }
}

pub(crate) fn check_text(field: &str, text: Option<&str>) -> Result<()> {
    if let Some(t) = text {
        if t.chars().count() > TEXT_MAX {
            bail!("{field}: {} characters is too long; at most {TEXT_MAX}", t.chars().count());
        }
        if has_controls(t, false) {
            bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
        }
    }
    Ok(())
}

pub use crate::domain::appointment::{Appointment, uk_to_utc};

const SELECT: &str = "SELECT a.id, a.referral_id, c.id, c.name, c.nhs_number, c.phone, a.starts_at, a.minutes, a.kind,
        a.place, a.status, a.note
     FROM appointment a JOIN referral r ON r.id = a.referral_id JOIN client c ON c.id = r.client_id";

fn read(r: &Row<'_>) -> rusqlite::Result<Appointment> {
    let start: String = r.get(6)?;
    Ok(Appointment {
        id: r.get(0)?,
        referral_id: r.get(1)?,
        client_id: r.get(2)?,
        name: r.get(3)?,
        nhs_number: r.get(4)?,
        phone: r.get(5)?,
        start: NaiveDateTime::parse_from_str(&start, START_FORMAT)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e)))?,
        minutes: r.get(7)?,
        kind: parse_col(r, 8, AppointmentKind::parse)?,
        place: r.get(9)?,
        status: parse_col(r, 10, AppointmentStatus::parse)?,
        note: r.get(11)?,
    })
}

/// One appointment by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Appointment>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?.query_row([id], read).optional()?)
}

/// Appointments starting on the days `from` to `to` (UK time), earliest first;
/// cancelled ones left out.
pub fn between(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Appointment>> {
    starting(conn, from, to, "1")
}

/// As [`between`], only this worker's (or nobody's): the diary and Today.
pub fn mine_between(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Appointment>> {
    starting(
        conn,
        from,
        to,
        "(a.link_worker_id IS NULL OR a.link_worker_id =
          (SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name))",
    )
}

fn starting(conn: &Connection, from: NaiveDate, to: NaiveDate, whose: &str) -> Result<Vec<Appointment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.status IN ('booked', 'attended', 'missed') AND a.starts_at >= ?1 AND a.starts_at < ?2
           AND {whose} ORDER BY a.starts_at, a.id"
    ))?;
    let end = to.succ_opt().unwrap_or(to);
    let rows = stmt.query_map(params![from.to_string(), end.to_string()], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A client's appointments, latest first (at most `limit`).
pub fn of_client(conn: &Connection, client_id: i64, limit: usize) -> Result<Vec<Appointment>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} WHERE r.client_id = ?1 ORDER BY a.starts_at DESC, a.id DESC LIMIT ?2"))?;
    let rows = stmt.query_map(params![client_id, limit as i64], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The client's next booked appointment from `now` on.
pub fn next_for_client(conn: &Connection, client_id: i64, now: NaiveDateTime) -> Result<Option<Appointment>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE r.client_id = ?1 AND a.status = 'booked' AND a.starts_at >= ?2
             ORDER BY a.starts_at, a.id LIMIT 1"
        ))?
        .query_row(params![client_id, now.format(START_FORMAT).to_string()], read)
        .optional()?)
}

/// Insert a booked appointment in `referral_id` (inside the caller's
/// transaction, which also writes the audit record).
pub(crate) fn insert(tx: &Transaction<'_>, actor: &Actor, referral_id: i64, a: &NewAppointment) -> Result<i64> {
    let now = now_utc();
    tx.prepare_cached(
        "INSERT INTO appointment (referral_id, starts_at, minutes, kind, place, link_worker_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT id FROM link_worker WHERE name = ?6), ?7, ?7)",
    )?
    .execute(params![
        referral_id,
        a.start.format(START_FORMAT).to_string(),
        a.minutes,
        a.kind.code(),
        a.place.as_deref().map(str::trim).filter(|p| !p.is_empty()),
        actor.worker,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

/// What booking did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    pub appointment_id: i64,
    pub referral_id: i64,
    /// The triage step it made (a new or contacting referral becomes booked).
    pub status: Option<(Status, Status)>,
}

/// Book an appointment in the client's current episode. A referral still being
/// triaged becomes booked (the triage decision "book", in the same
/// transaction); a closed episode cannot have one.
pub fn book(store: &mut Store, client_id: i64, a: &NewAppointment, now: NaiveDateTime) -> Result<Booked> {
    a.check(now)?;
    let (referral_id, status) = {
        let conn = store.conn();
        let Some((referral_id, _)) = super::current_referral(conn, client_id)? else {
            bail!("client {client_id} has no referral to book an appointment in")
        };
        let status: String =
            conn.query_row("SELECT status FROM referral WHERE id = ?1", [referral_id], |r| r.get(0))?;
        (referral_id, Status::parse(&status).map_err(anyhow::Error::msg)?)
    };
    match status {
        Status::New | Status::Contacting | Status::Booked => {
            let (t, undo) = super::referrals::decide_booking(store, referral_id, None, a, now.date())?;
            Ok(Booked {
                appointment_id: undo.appointment_id.expect("a booking made an appointment"),
                referral_id,
                status: Some((t.from, t.to)),
            })
        }
        Status::Active => {
            let actor = store.actor().clone();
            let tx = store.write()?;
            let id = insert(&tx, &actor, referral_id, a)?;
            audit::record(
                &tx,
                &actor,
                Action::Create,
                "appointment",
                Some(id),
                Some(client_id),
                &format!("appointment booked for {} ({} min, {})", a.start.format(START_FORMAT), a.minutes, a.kind),
            )?;
            tx.commit()?;
            Ok(Booked { appointment_id: id, referral_id, status: None })
        }
        Status::Closed => bail!("the episode is closed (referral {referral_id}): take in a new referral to book"),
    }
}

/// The appointment and the client it belongs to, read in the transaction;
/// refused unless it is still booked.
fn booked(tx: &Transaction<'_>, id: i64, doing: &str) -> Result<Appointment> {
    let Some(a) = tx.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?.query_row([id], read).optional()? else {
        bail!("there is no appointment {id}")
    };
    if a.status != AppointmentStatus::Booked {
        bail!("appointment {id} is {} already; it cannot be {doing}", a.status.label());
    }
    Ok(a)
}

/// Move a booked appointment to a new start (and length, if given).
pub fn move_to(
    store: &mut Store,
    id: i64,
    start: NaiveDateTime,
    minutes: Option<i64>,
    now: NaiveDateTime,
) -> Result<Appointment> {
    let actor = store.actor().clone();
    let tx = store.write()?;
    let before = booked(&tx, id, "moved")?;
    let new = NewAppointment { start, minutes: minutes.unwrap_or(before.minutes), kind: before.kind, place: None };
    new.check(now)?;
    tx.execute(
        "UPDATE appointment SET starts_at = ?2, minutes = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, start.format(START_FORMAT).to_string(), new.minutes, now_utc()],
    )?;
    // The booked episode's first appointment day follows it.
    tx.execute(
        "UPDATE referral SET appointment_on = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'booked'",
        params![before.referral_id, start.date(), now_utc()],
    )?;
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "appointment",
        Some(id),
        Some(before.client_id),
        &format!(
            "appointment moved from {} to {} ({} min)",
            before.start.format(START_FORMAT),
            start.format(START_FORMAT),
            new.minutes
        ),
    )?;
    let after = tx.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?.query_row([id], read)?;
    tx.commit()?;
    Ok(after)
}

/// Cancel a booked appointment, with why.
pub fn cancel(store: &mut Store, id: i64, reason: Option<&str>) -> Result<Appointment> {
    check_text("reason", reason)?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let before = booked(&tx, id, "cancelled")?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    tx.execute(
        "UPDATE appointment SET status = 'cancelled', note = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, reason, now_utc()],
    )?;
    // A referral booked for this appointment alone is not booked any more: it
    // goes back to contacting (and so back on To triage), said in its log.
    let (status, others): (String, i64) = tx.query_row(
        "SELECT r.status, (SELECT count(*) FROM appointment a WHERE a.referral_id = r.id AND a.status = 'booked')
         FROM referral r WHERE r.id = ?1",
        [before.referral_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let unbooked = status == "booked" && others == 0;
    if unbooked {
        let now = now_utc();
        tx.execute(
            "UPDATE referral SET status = 'contacting', appointment_on = NULL, updated_at = ?2 WHERE id = ?1",
            params![before.referral_id, now],
        )?;
        tx.execute(
            "INSERT INTO contact (referral_id, at, kind, status_from, status_to, note, link_worker_id, created_at)
             VALUES (?1, ?2, 'note', 'booked', 'contacting', ?3, (SELECT id FROM link_worker WHERE name = ?4), ?2)",
            params![before.referral_id, now, "appointment cancelled: back to contacting", actor.worker],
        )?;
    }
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "appointment",
        Some(id),
        Some(before.client_id),
        &format!(
            "appointment for {} cancelled{}{}",
            before.start.format(START_FORMAT),
            reason.map(|r| format!(": {r}")).unwrap_or_default(),
            if unbooked { " (referral back to contacting: nothing else booked)" } else { "" }
        ),
    )?;
    tx.commit()?;
    Ok(Appointment { status: AppointmentStatus::Cancelled, note: reason.map(str::to_owned), ..before })
}

/// How a booked appointment went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Went {
    Attended,
    Missed,
}

/// Record that a booked appointment happened (or that the person did not
/// come): its status, and its entry in the contacts log, in one transaction.
/// An appointment that has not started yet cannot have happened. Returns the
/// contact's id.
pub fn record_outcome(
    store: &mut Store,
    id: i64,
    went: Went,
    minutes: Option<i64>,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<i64> {
    check_text("note", note)?;
    if let Some(m) = minutes {
        check_minutes(m).map_err(anyhow::Error::msg)?;
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let a = booked(&tx, id, if went == Went::Attended { "marked attended" } else { "marked missed" })?;
    if a.start > now {
        bail!("appointment {id} is at {}, which has not come yet", a.start.format(START_FORMAT));
    }
    // Stamped when it started, in UTC as the log keeps times; never later than now.
    let at = uk_to_utc(a.start).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let at = std::cmp::min(at, now_utc());
    let (outcome, dna, status) = match went {
        Went::Attended => ("attended", false, "attended"),
        Went::Missed => ("dna", true, "missed"),
    };
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    tx.execute(
        "INSERT INTO contact (referral_id, at, kind, outcome, duration_min, did_not_attend, note, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT id FROM link_worker WHERE name = ?8), ?9)",
        params![
            a.referral_id,
            at,
            a.kind.contact_kind().code(),
            outcome,
            if dna { None } else { Some(minutes.unwrap_or(a.minutes)) },
            dna,
            note,
            actor.worker,
            now_utc()
        ],
    )?;
    let contact_id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE appointment SET status = ?2, contact_id = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, status, contact_id, now_utc()],
    )?;
    if went == Went::Attended {
        // Seen is reached: the first contact is made, if it was not before.
        tx.execute(
            "UPDATE referral SET first_contact_on = coalesce(first_contact_on, ?2), updated_at = ?3 WHERE id = ?1",
            params![a.referral_id, a.start.date(), now_utc()],
        )?;
    }
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "appointment",
        Some(id),
        Some(a.client_id),
        &format!(
            "appointment for {} {} (contact {contact_id})",
            a.start.format(START_FORMAT),
            if dna { "missed: did not attend" } else { "attended" }
        ),
    )?;
    tx.commit()?;
    Ok(contact_id)
}

/// The default start offered for a new booking made now: the next working day
/// at the usual time.
pub fn offered_start(now: NaiveDateTime) -> NaiveDateTime {
    rules::default_start(now.date())
}

//! The contacts and sessions log of an episode: one row per contact, in one
//! transaction with its audit record.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::params;

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::referral::ContactKind;

/// A contact or session as entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContact {
    pub kind: ContactKind,
    pub on: NaiveDate,
    pub minutes: Option<i64>,
    pub did_not_attend: bool,
    pub note: Option<String>,
}

pub const NOTE_MAX: usize = 2000;

/// When a contact on `day` is stamped: midday of a day gone by, but never later
/// than `now` (a contact logged at 11:08 today is not stamped at 12:00).
pub fn stamp(day: NaiveDate, now: &str) -> String {
    let midday = format!("{day}T12:00:00Z");
    if midday.as_str() > now { now.to_owned() } else { midday }
}

/// Log a contact in the client's current episode; returns its id.
pub fn add(store: &mut Store, client_id: i64, c: &NewContact, today: NaiveDate) -> Result<i64> {
    if c.on > today {
        bail!("date: {} is in the future", c.on);
    }
    if let Some(m) = c.minutes
        && !(0..=1440).contains(&m)
    {
        bail!("minutes: {m} is not between 0 and 1440");
    }
    if let Some(n) = &c.note
        && n.chars().count() > NOTE_MAX
    {
        bail!("note: {} characters is too long; at most {NOTE_MAX}", n.chars().count());
    }
    if c.note.as_deref().is_some_and(|n| crate::domain::text::has_controls(n, true)) {
        bail!("note: contains a control character (an escape sequence or similar); type it again without");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let referral = super::current_referral(&tx, client_id)?;
    let Some((referral_id, received)) = referral else {
        bail!("client {client_id} has no referral to log a contact in")
    };
    if c.on < received {
        bail!("date: {} is before the referral arrived ({received})", c.on);
    }
    let outcome = if c.did_not_attend { "dna" } else { "attended" };
    tx.execute(
        "INSERT INTO contact (referral_id, at, kind, outcome, duration_min, did_not_attend, note, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT id FROM link_worker WHERE name = ?8), ?9)",
        params![
            referral_id,
            stamp(c.on, &now_utc()),
            c.kind.code(),
            outcome,
            c.minutes,
            c.did_not_attend,
            c.note,
            actor.worker,
            now_utc()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "contact",
        Some(id),
        Some(client_id),
        &format!("{} on {} ({outcome})", c.kind.label(), c.on),
    )?;
    tx.commit()?;
    Ok(id)
}

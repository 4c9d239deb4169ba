//! Safeguarding concerns: raised (when, what, who was told) and closed, each
//! audited. The person's `S` mark (client.safeguarding) is on while one is
//! open, kept in the same transaction.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::text::has_controls;

pub const NOTE_MAX: usize = 2000;

/// One concern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Concern {
    pub id: i64,
    pub client_id: i64,
    pub raised_on: NaiveDate,
    pub note: String,
    pub told: Option<String>,
    pub raised_by: String,
    pub closed_on: Option<NaiveDate>,
    pub close_note: Option<String>,
}

fn check(field: &str, text: &str, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        bail!("{field}: missing; say what the concern is");
    }
    if text.chars().count() > NOTE_MAX {
        bail!("{field}: {} characters is too long; at most {NOTE_MAX}", text.chars().count());
    }
    if has_controls(text, true) {
        bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
    }
    Ok(())
}

/// Raise a concern about client `client_id`, on `on` (today or earlier).
pub fn raise(
    store: &mut Store,
    client_id: i64,
    note: &str,
    told: Option<&str>,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<i64> {
    check("concern", note, true)?;
    check("who was told", told.unwrap_or(""), false)?;
    if on > today {
        bail!("date: {on} is in the future");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let exists: Option<i64> =
        tx.query_row("SELECT id FROM client WHERE id = ?1", [client_id], |r| r.get(0)).optional()?;
    if exists.is_none() {
        bail!("there is no client {client_id}");
    }
    let now = now_utc();
    let told = told.map(str::trim).filter(|t| !t.is_empty());
    tx.execute(
        "INSERT INTO safeguarding_concern (client_id, raised_on, note, told, raised_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![client_id, on, note.trim(), told, actor.worker, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute("UPDATE client SET safeguarding = 1, updated_at = ?2 WHERE id = ?1", params![client_id, now])?;
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "safeguarding_concern",
        Some(id),
        Some(client_id),
        &format!("safeguarding concern raised ({on}){}", told.map(|t| format!("; told: {t}")).unwrap_or_default()),
    )?;
    tx.commit()?;
    Ok(id)
}

/// Close a concern; the person's mark goes when no other is open. Returns the
/// client's id.
pub fn close(store: &mut Store, concern_id: i64, note: Option<&str>, today: NaiveDate) -> Result<i64> {
    check("note", note.unwrap_or(""), false)?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let found: Option<(i64, Option<String>)> = tx
        .query_row("SELECT client_id, closed_on FROM safeguarding_concern WHERE id = ?1", [concern_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((client_id, closed)) = found else { bail!("there is no safeguarding concern {concern_id}") };
    if let Some(closed) = closed {
        bail!("safeguarding concern {concern_id} was closed on {closed} already");
    }
    let now = now_utc();
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    tx.execute(
        "UPDATE safeguarding_concern SET closed_on = ?2, close_note = ?3, updated_at = ?4 WHERE id = ?1",
        params![concern_id, today, note, now],
    )?;
    tx.execute(
        "UPDATE client SET safeguarding = EXISTS (SELECT 1 FROM safeguarding_concern
             WHERE client_id = ?1 AND closed_on IS NULL), updated_at = ?2 WHERE id = ?1",
        params![client_id, now],
    )?;
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "safeguarding_concern",
        Some(concern_id),
        Some(client_id),
        &format!("safeguarding concern closed{}", note.map(|n| format!(": {n}")).unwrap_or_default()),
    )?;
    tx.commit()?;
    Ok(client_id)
}

/// A client's concerns, open first, then newest first.
pub fn of_client(conn: &Connection, client_id: i64) -> Result<Vec<Concern>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, client_id, raised_on, note, told, raised_by, closed_on, close_note FROM safeguarding_concern
         WHERE client_id = ?1 ORDER BY closed_on IS NOT NULL, raised_on DESC, id DESC",
    )?;
    let rows = stmt.query_map([client_id], |r| {
        Ok(Concern {
            id: r.get(0)?,
            client_id: r.get(1)?,
            raised_on: r.get(2)?,
            note: r.get(3)?,
            told: r.get(4)?,
            raised_by: r.get(5)?,
            closed_on: r.get(6)?,
            close_note: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

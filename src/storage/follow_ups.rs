//! Follow-up dates: set in the client's open episode, with a note; every one
//! kept, the current one on the referral (for the Follow-ups list and Today).

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::appointment::check_follow_up;

/// What setting a follow-up did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpSet {
    pub id: i64,
    pub referral_id: i64,
    pub previous: Option<NaiveDate>,
}

/// Set the next follow-up of the client's open episode to `on`.
pub fn set(
    store: &mut Store,
    client_id: i64,
    on: NaiveDate,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<FollowUpSet> {
    check_follow_up(on, today).map_err(|e| anyhow::anyhow!("follow-up: {e}"))?;
    super::appointments::check_text("note", note)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let actor = store.actor().clone();
    let tx = store.write()?;
    let Some((referral_id, _)) = super::current_referral(&tx, client_id)? else {
        bail!("client {client_id} has no referral to set a follow-up in")
    };
    let (status, previous): (String, Option<NaiveDate>) =
        tx.query_row("SELECT status, follow_up_on FROM referral WHERE id = ?1", [referral_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if status == "closed" {
        bail!("the episode is closed (referral {referral_id}): a follow-up needs an open one");
    }
    let now = now_utc();
    tx.execute(
        "INSERT INTO follow_up (referral_id, due_on, note, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, (SELECT id FROM link_worker WHERE name = ?4), ?5)",
        params![referral_id, on, note, actor.worker, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute("UPDATE referral SET follow_up_on = ?2, updated_at = ?3 WHERE id = ?1", params![referral_id, on, now])?;
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "referral",
        Some(referral_id),
        Some(client_id),
        &format!(
            "follow-up set for {on}{}{}",
            previous.map(|p| format!(" (was {p})")).unwrap_or_default(),
            note.map(|n| format!(": {n}")).unwrap_or_default()
        ),
    )?;
    tx.commit()?;
    Ok(FollowUpSet { id, referral_id, previous })
}

/// The follow-up date and note of the client's current episode, if it is open
/// and has one.
pub fn of_client(conn: &Connection, client_id: i64) -> Result<Option<(NaiveDate, Option<String>)>> {
    let Some((referral, _)) = super::current_referral(conn, client_id)? else { return Ok(None) };
    let (on, status): (Option<NaiveDate>, String) =
        conn.query_row("SELECT follow_up_on, status FROM referral WHERE id = ?1", [referral], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    match on {
        Some(on) if status != "closed" => Ok(Some((on, current_note(conn, referral)?))),
        _ => Ok(None),
    }
}

/// The note of the follow-up currently set on a referral, if any.
pub fn current_note(conn: &Connection, referral_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT f.note FROM follow_up f JOIN referral r ON r.id = f.referral_id
             WHERE f.referral_id = ?1 AND f.due_on = r.follow_up_on ORDER BY f.id DESC LIMIT 1",
        )?
        .query_row([referral_id], |r| r.get(0))
        .optional()?
        .flatten())
}

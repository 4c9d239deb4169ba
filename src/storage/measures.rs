//! Wellbeing measures recorded for a person: checked and scored by the domain
//! rules, stored with their items, in one transaction with an audit record.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::measures::{Score, score};
use crate::domain::referral::Instrument;

/// A measure as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub id: i64,
    pub score: Score,
    pub follow_up: bool,
    pub taken_on: NaiveDate,
}

/// The setting that holds the fewest days between a baseline and its follow-up.
pub const FOLLOW_UP_MIN_DAYS_SETTING: &str = "follow_up_min_days";
/// A follow-up measures change over the work: four weeks after the baseline at least, unless set otherwise.
pub const FOLLOW_UP_MIN_DAYS: i64 = 28;

/// The fewest days between a baseline and its follow-up (setting
/// `follow_up_min_days`, default 28).
pub fn follow_up_min_days(conn: &rusqlite::Connection) -> Result<i64> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM setting WHERE key = ?1", [FOLLOW_UP_MIN_DAYS_SETTING], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.trim().parse().ok()).filter(|d| *d >= 0).unwrap_or(FOLLOW_UP_MIN_DAYS))
}

/// Record a measure for a client's current episode. A follow-up needs a
/// baseline of the same instrument in the episode; a second baseline is refused.
pub fn add(
    store: &mut Store,
    client_id: i64,
    instrument: Instrument,
    items: &[Option<i64>],
    taken_on: NaiveDate,
    follow_up: bool,
    today: NaiveDate,
) -> Result<Recorded> {
    let scored = score(instrument, items)?;
    if taken_on > today {
        bail!("date: {taken_on} is in the future");
    }
    let min_days = follow_up_min_days(store.conn())?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let client: Option<NaiveDate> =
        tx.query_row("SELECT date_of_birth FROM client WHERE id = ?1", [client_id], |r| r.get(0)).optional()?;
    let Some(dob) = client else { bail!("client: there is no client {client_id}") };
    if taken_on < dob {
        bail!("date: {taken_on} is before the person was born");
    }
    let referral = super::current_referral(&tx, client_id)?.map(|(id, _)| id);
    let baseline: Option<NaiveDate> = tx
        .query_row(
            "SELECT taken_on FROM measure WHERE client_id = ?1 AND instrument = ?2 AND timing = 'baseline'
             AND referral_id IS ?3 ORDER BY taken_on LIMIT 1",
            params![client_id, instrument.code(), referral],
            |r| r.get(0),
        )
        .optional()?;
    match (follow_up, baseline) {
        (true, None) => bail!(
            "there is no baseline {} in this episode yet; record the baseline first (without --follow-up)",
            instrument.label()
        ),
        (true, Some(b)) if taken_on < b => bail!("date: a follow-up cannot come before the baseline of {b}"),
        (true, Some(b)) if (taken_on - b).num_days() < min_days => bail!(
            "date: a follow-up must come at least {min_days} days after the baseline of {b}, so on {} or later \
             (setting {FOLLOW_UP_MIN_DAYS_SETTING})",
            b + chrono::Duration::days(min_days)
        ),
        (false, Some(b)) => bail!(
            "a baseline {} was recorded on {b} in this episode; record this one as a follow-up (--follow-up)",
            instrument.label()
        ),
        _ => {}
    }
    tx.execute(
        "INSERT INTO measure (client_id, referral_id, instrument, timing, taken_on, items, raw_score, metric_score, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            client_id,
            referral,
            instrument.code(),
            if follow_up { "follow_up" } else { "baseline" },
            taken_on,
            serde_json::to_string(&scored.items)?,
            scored.raw,
            scored.metric,
            now_utc()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "measure",
        Some(id),
        Some(client_id),
        &format!("{} {} recorded for {taken_on}", instrument.label(), if follow_up { "follow-up" } else { "baseline" }),
    )?;
    tx.commit()?;
    Ok(Recorded { id, score: scored, follow_up, taken_on })
}

//! Goals and the action plan agreed with a person: steps, who does what, a
//! target date and a status.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Action};
use super::{Store, now_utc};

pub const STATUSES: [&str; 4] = ["not_started", "in_progress", "achieved", "dropped"];
pub const TITLE_MAX: usize = 500;
pub const TEXT_MAX: usize = 2000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewGoal {
    pub title: String,
    pub steps: String,
    pub who: String,
    pub target_on: Option<NaiveDate>,
}

/// Add a goal to the client's current episode; returns its id.
pub fn add(store: &mut Store, client_id: i64, g: &NewGoal) -> Result<i64> {
    let title = g.title.trim();
    if title.is_empty() {
        bail!("goal: missing; say what the person wants to achieve");
    }
    for (field, text, max) in
        [("goal", title, TITLE_MAX), ("steps", g.steps.as_str(), TEXT_MAX), ("who", g.who.as_str(), TEXT_MAX)]
    {
        let n = text.chars().count();
        if n > max {
            bail!("{field}: {n} characters is too long; at most {max}");
        }
        if crate::domain::text::has_controls(text, true) {
            bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
        }
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let referral = super::current_referral(&tx, client_id)?.map(|(id, _)| id);
    let Some(referral) = referral else { bail!("client {client_id} has no referral to set goals in") };
    let now = now_utc();
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    tx.execute(
        "INSERT INTO goal (referral_id, title, steps, who, target_on, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'not_started', ?6, ?6)",
        params![referral, title, text(&g.steps), text(&g.who), g.target_on, now],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(&tx, &actor, Action::Create, "goal", Some(id), Some(client_id), &format!("goal set: {title}"))?;
    tx.commit()?;
    Ok(id)
}

/// Change a goal's status.
pub fn set_status(store: &mut Store, goal_id: i64, status: &str) -> Result<()> {
    if !STATUSES.contains(&status) {
        bail!("goal status: '{status}' is not one of {}", STATUSES.join(", "));
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let client: Option<i64> = tx
        .query_row(
            "SELECT r.client_id FROM goal g JOIN referral r ON r.id = g.referral_id WHERE g.id = ?1",
            [goal_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(client) = client else { bail!("there is no goal {goal_id}") };
    tx.execute("UPDATE goal SET status = ?2, updated_at = ?3 WHERE id = ?1", params![goal_id, status, now_utc()])?;
    audit::record(&tx, &actor, Action::Update, "goal", Some(goal_id), Some(client), &format!("goal status: {status}"))?;
    tx.commit()?;
    Ok(())
}

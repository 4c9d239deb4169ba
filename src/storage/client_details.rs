//! Correcting a person's details: every changed field audited with its value
//! before and after, in one transaction. The NHS number changes only with a
//! reason, and never to one another record already has.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::details::{self, Corrections, Value};
use crate::domain::text::name_key;

/// One field changed: its label, before and after (as shown to people).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Changed {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn show(v: &Value) -> String {
    match v {
        Value::Text(Some(t)) => t.clone(),
        Value::Text(None) => "(none)".to_owned(),
        Value::Flag(true) => "yes".to_owned(),
        Value::Flag(false) => "no".to_owned(),
    }
}

/// Apply the corrections to client `client_id`; returns what changed (fields
/// already holding the value are left out). Nothing changed is not an error.
pub fn correct(store: &mut Store, client_id: i64, c: &Corrections, today: NaiveDate) -> Result<Vec<Changed>> {
    let checked = details::check(c, today).map_err(anyhow::Error::msg)?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let exists: Option<i64> =
        tx.query_row("SELECT id FROM client WHERE id = ?1", [client_id], |r| r.get(0)).optional()?;
    if exists.is_none() {
        bail!("there is no client {client_id}");
    }
    let mut changed = Vec::new();
    for (column, label, value) in &checked {
        // The column names come from `details::check`, never from input.
        let before: Value = if *column == "interpreter_needed" {
            Value::Flag(tx.query_row("SELECT interpreter_needed FROM client WHERE id = ?1", [client_id], |r| r.get(0))?)
        } else {
            Value::Text(tx.query_row(&format!("SELECT {column} FROM client WHERE id = ?1"), [client_id], |r| r.get(0))?)
        };
        if &before == value {
            continue;
        }
        if *column == "nhs_number" {
            let Value::Text(Some(new)) = value else { unreachable!("an NHS number is text") };
            let other: Option<i64> = tx
                .query_row("SELECT id FROM client WHERE nhs_number = ?1 AND id <> ?2", params![new, client_id], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(other) = other {
                bail!(
                    "NHS number: {} is already client {other}'s; nothing was changed. If they are one person, \
                     their records need merging, not a new number",
                    crate::domain::nhs::format_digits(new)
                );
            }
        }
        match value {
            Value::Text(t) => {
                tx.execute(
                    &format!("UPDATE client SET {column} = ?2, updated_at = ?3 WHERE id = ?1"),
                    params![client_id, t, now_utc()],
                )?;
            }
            Value::Flag(f) => {
                tx.execute(
                    "UPDATE client SET interpreter_needed = ?2, updated_at = ?3 WHERE id = ?1",
                    params![client_id, f, now_utc()],
                )?;
            }
        }
        if *column == "name"
            && let Value::Text(Some(n)) = value
        {
            tx.execute("UPDATE client SET name_key = ?2 WHERE id = ?1", params![client_id, name_key(n)])?;
        }
        changed.push(Changed { field: label, before: show(&before), after: show(value) });
    }
    for ch in &changed {
        let why = match (&c.nhs_number, ch.field) {
            (Some((_, reason)), "NHS number") => format!(" (reason: {})", reason.trim()),
            _ => String::new(),
        };
        audit::record(
            &tx,
            &actor,
            Action::Update,
            "client",
            Some(client_id),
            Some(client_id),
            &format!("{} corrected: '{}' -> '{}'{why}", ch.field, ch.before, ch.after),
        )?;
    }
    tx.commit()?;
    Ok(changed)
}

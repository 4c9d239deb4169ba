//! Practices (and their PCN): names for referrals and the summary, and the list
//! sizes the referral indicator is measured against.

use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::audit::{self, Action};

/// A practice as listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Practice {
    pub id: i64,
    pub name: String,
    pub ods_code: Option<String>,
    pub list_size: Option<i64>,
    pub pcn: Option<String>,
}

/// What to set; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PracticeChange {
    pub name: String,
    pub ods_code: Option<String>,
    pub list_size: Option<i64>,
    pub pcn: Option<String>,
}

/// Add a practice, or change the one with this name (any case); returns its id.
pub fn set(store: &mut Store, p: &PracticeChange) -> Result<i64> {
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("practice name: expected 1 to 200 characters");
    }
    if crate::domain::text::has_controls(name, false)
        || p.pcn.as_deref().is_some_and(|n| crate::domain::text::has_controls(n, false))
    {
        bail!(
            "practice or PCN name: contains a control character (an escape sequence or similar); type it again without"
        );
    }
    if let Some(n) = p.list_size
        && !(0..=1_000_000).contains(&n)
    {
        bail!("list size: {n} is not a number of registered patients (0 to 1,000,000)");
    }
    let ods = p.ods_code.as_deref().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    if let Some(c) = &ods
        && (c.len() > 10 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()))
    {
        bail!("ODS code: '{c}' is not an ODS code (letters and digits, e.g. B86001)");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let pcn: Option<i64> = match p.pcn.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(pcn) => {
            tx.execute("INSERT INTO pcn (name) SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM pcn WHERE name = ?1)", [pcn])?;
            Some(tx.query_row("SELECT id FROM pcn WHERE name = ?1", [pcn], |r| r.get(0))?)
        }
    };
    let existing: Option<i64> =
        tx.query_row("SELECT id FROM practice WHERE name = ?1 COLLATE NOCASE", [name], |r| r.get(0)).optional()?;
    let id = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE practice SET ods_code = coalesce(?2, ods_code), list_size = coalesce(?3, list_size),
                        pcn_id = coalesce(?4, pcn_id) WHERE id = ?1",
                params![id, ods, p.list_size, pcn],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO practice (name, ods_code, list_size, pcn_id) VALUES (?1, ?2, ?3, ?4)",
                params![name, ods, p.list_size, pcn],
            )
            .map_err(|e| super::explain(e, "could not add the practice (is its ODS code already used?)"))?;
            tx.last_insert_rowid()
        }
    };
    let what = match (existing, p.list_size) {
        (None, Some(n)) => format!("practice {name} added, list size {n}"),
        (None, None) => format!("practice {name} added"),
        (Some(_), Some(n)) => format!("practice {name} changed, list size {n}"),
        (Some(_), None) => format!("practice {name} changed"),
    };
    audit::record(&tx, &actor, Action::Update, "practice", Some(id), None, &what)?;
    tx.commit()?;
    Ok(id)
}

pub fn list(conn: &Connection) -> Result<Vec<Practice>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.name, p.ods_code, p.list_size, n.name FROM practice p LEFT JOIN pcn n ON n.id = p.pcn_id
         ORDER BY p.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Practice { id: r.get(0)?, name: r.get(1)?, ods_code: r.get(2)?, list_size: r.get(3)?, pcn: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

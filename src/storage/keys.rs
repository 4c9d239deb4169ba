//! The public halves of this installation's signing keys, current and retired, so
//! that old exports still verify after a rotation. Private keys never enter the
//! database: they live in the key folder (see `crate::signing`).

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::audit::{self, Action, Actor};
use super::now_utc;

/// A public key the database knows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyRow {
    pub kid: String,
    pub public_jwk: String,
    pub created_at: String,
    pub retired_at: Option<String>,
}

/// Every key, the current one first, then the retired ones newest first.
pub fn list(conn: &Connection) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kid, public_jwk, created_at, retired_at FROM signing_key
         ORDER BY retired_at IS NOT NULL, coalesce(retired_at, created_at) DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(KeyRow { kid: r.get(0)?, public_jwk: r.get(1)?, created_at: r.get(2)?, retired_at: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The public JWK of `kid`, if the database knows it.
pub fn find(conn: &Connection, kid: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT public_jwk FROM signing_key WHERE kid = ?1", [kid], |r| r.get(0)).optional()?)
}

/// Add a key (if new) as the current one, retiring any other current key.
pub fn make_current(tx: &Transaction, actor: &Actor, kid: &str, public_jwk: &str, why: &str) -> Result<()> {
    let now = now_utc();
    let known: Option<Option<String>> =
        tx.query_row("SELECT retired_at FROM signing_key WHERE kid = ?1", [kid], |r| r.get(0)).optional()?;
    if known == Some(None) {
        return Ok(());
    }
    let retired =
        tx.execute("UPDATE signing_key SET retired_at = ?2 WHERE retired_at IS NULL AND kid <> ?1", params![kid, now])?;
    tx.execute(
        "INSERT INTO signing_key (kid, public_jwk, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (kid) DO UPDATE SET retired_at = NULL",
        params![kid, public_jwk, now],
    )?;
    let retired = if retired > 0 { format!("; {retired} earlier key(s) retired") } else { String::new() };
    audit::record(tx, actor, Action::Generate, "signing_key", None, None, &format!("{why}: key {kid}{retired}"))?;
    Ok(())
}

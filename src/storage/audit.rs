//! The audit trail: who did what to which record, written in the same transaction
//! as the change.
//!
//! It proves itself: every record carries `hash`, the SHA-256 of the record
//! before's hash and its own content ([`chain_hash`]), so changing, removing or
//! reordering a record breaks every hash after it, and [`verify_chain`] names the
//! first broken one. The table refuses UPDATE, DELETE, REPLACE, a record that
//! does not follow the last one, and one dated before it (triggers in schema.sql).
//! The chain's head is written into each backup's and each signed export's
//! record, so a trail cut short can be seen too. See README, "The audit trail".

use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::now_utc;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who is acting: the link worker's name and the operating-system account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub worker: String,
    pub os_user: String,
}

impl Actor {
    pub fn new(worker: impl Into<String>) -> Self {
        Actor { worker: worker.into(), os_user: os_user() }
    }
}

/// The operating-system account running this program.
pub fn os_user() -> String {
    // From the operating system, not the environment: $USER is whatever the
    // caller set, or nothing. (The effective user's password entry on Unix, the
    // logon session's account on Windows.)
    whoami::username().ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "unknown".to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    View,
    Export,
    Import,
    Generate,
    Migrate,
    Backup,
    Restore,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::View => "view",
            Action::Export => "export",
            Action::Import => "import",
            Action::Generate => "generate",
            Action::Migrate => "migrate",
            Action::Backup => "backup",
            Action::Restore => "restore",
        }
    }
}

/// Append one audit record. Call it inside the transaction that makes the change
/// (a write transaction: the record follows the last one, read in the same
/// transaction). Its time is now, or the last record's if the clock has gone
/// back, so times never go backwards.
pub fn record(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    table: &str,
    record_id: Option<i64>,
    client_id: Option<i64>,
    summary: &str,
) -> Result<()> {
    let head = head(conn)?;
    let now = now_utc();
    let (id, at, prev) = match &head {
        Some(h) => (h.id + 1, if h.at.as_str() > now.as_str() { h.at.clone() } else { now }, h.hash.as_str()),
        None => (1, now, GENESIS),
    };
    let entry = Entry {
        id,
        at,
        worker: actor.worker.clone(),
        os_user: actor.os_user.clone(),
        action: action.code().to_owned(),
        table: table.to_owned(),
        record_id,
        client_id,
        summary: summary.to_owned(),
    };
    let hash = chain_hash(prev, &entry);
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at, worker, os_user, action, table_name, record_id, client_id, summary, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        entry.id,
        entry.at,
        entry.worker,
        entry.os_user,
        entry.action,
        entry.table,
        entry.record_id,
        entry.client_id,
        entry.summary,
        prev,
        hash
    ])?;
    Ok(())
}

/// The last record of the trail: where the chain stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub id: i64,
    pub at: String,
    pub hash: String,
}

impl Head {
    /// How the head is written into a backup's record or a signed export: `id:hash`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.id, self.hash)
    }
}

/// The chain's head, or `None` for an empty trail.
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .prepare_cached("SELECT id, at, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok(Head { id: r.get(0)?, at: r.get(1)?, hash: r.get(2)? }))
        .optional()?)
}

/// A record's hash: SHA-256, in lower-case hex, over the previous record's hash
/// (64 hex characters) followed by the record's content as a JSON array
/// `[id, at, worker, os_user, action, table_name, record_id, client_id, summary]`
/// (serde_json's compact form: strings escaped, no spaces). Anyone can recompute it.
pub fn chain_hash(prev_hash: &str, e: &Entry) -> String {
    let content =
        serde_json::json!([e.id, e.at, e.worker, e.os_user, e.action, e.table, e.record_id, e.client_id, e.summary]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(content.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain first breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The first record that does not follow from the one before.
    pub id: i64,
    pub why: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit record {}: {}", self.id, self.why)
    }
}

/// Walk the whole trail in order and check every link: ids 1, 2, 3, ... with no
/// gap, each `prev_hash` the hash before it, each `hash` recomputed from the
/// content, times never going backwards. Returns the head, or the first break.
pub fn verify_chain(conn: &Connection) -> Result<std::result::Result<Option<Head>, Broken>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, worker, os_user, action, table_name, record_id, client_id, summary, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev_hash = GENESIS.to_owned();
    let mut prev_at = String::new();
    let mut expected_id = 1;
    let mut head = None;
    while let Some(r) = rows.next()? {
        let e = entry(r)?;
        let (stored_prev, stored_hash): (String, String) = (r.get(9)?, r.get(10)?);
        let broken = |why: String| Ok(Err(Broken { id: e.id, why }));
        if e.id != expected_id {
            return broken(format!("expected record {expected_id} here: {} record(s) are missing", e.id - expected_id));
        }
        if stored_prev != prev_hash {
            return broken("its link to the record before does not match (a record was removed or changed)".into());
        }
        if e.at < prev_at {
            return broken(format!("it is dated {}, before the record before it ({prev_at})", e.at));
        }
        let hash = chain_hash(&prev_hash, &e);
        if hash != stored_hash {
            return broken("its content does not match its hash (the record was changed)".into());
        }
        expected_id += 1;
        prev_at = e.at.clone();
        head = Some(Head { id: e.id, at: e.at, hash: hash.clone() });
        prev_hash = hash;
    }
    Ok(Ok(head))
}

/// Refuse unless the chain verifies; the error names the first broken record.
pub fn require_chain(conn: &Connection) -> Result<Option<Head>> {
    match verify_chain(conn)? {
        Ok(head) => Ok(head),
        Err(b) => bail!("the audit trail does not verify: {b}"),
    }
}

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub worker: String,
    pub os_user: String,
    pub action: String,
    pub table: String,
    pub record_id: Option<i64>,
    pub client_id: Option<i64>,
    pub summary: String,
}

impl Entry {
    /// What the entry is about: "referral 7 (client 3)", or "client 3" when the
    /// record is the client itself (never "client 3 (client 3)").
    pub fn target(&self) -> String {
        match (self.record_id, self.client_id) {
            (Some(r), Some(c)) if self.table == "client" && r == c => format!("client {c}"),
            (Some(r), Some(c)) => format!("{} {r} (client {c})", self.table),
            (Some(r), None) => format!("{} {r}", self.table),
            (None, Some(c)) => format!("{} (client {c})", self.table),
            (None, None) => self.table.clone(),
        }
    }
}

/// The audit trail, newest first: all of it, or about one person, or since a day.
pub fn list(conn: &Connection, client_id: Option<i64>, since: Option<&str>, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, worker, os_user, action, table_name, record_id, client_id, summary FROM audit_log
         WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR at >= ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![client_id, since, limit as i64], entry)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An entry from a row whose first nine columns are `id, at, worker, os_user,
/// action, table_name, record_id, client_id, summary`.
fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        worker: r.get(2)?,
        os_user: r.get(3)?,
        action: r.get(4)?,
        table: r.get(5)?,
        record_id: r.get(6)?,
        client_id: r.get(7)?,
        summary: r.get(8)?,
    })
}

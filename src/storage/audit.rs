//! The audit trail: who did what to which record, written in the same transaction
//! as the change. The table refuses UPDATE and DELETE (triggers in schema.sql).

use anyhow::Result;
use rusqlite::{Connection, params};

use super::now_utc;

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
    // caller set, or nothing. On Unix, the password entry of the effective user
    // id (getpwuid_r); an id without an entry is named by its number.
    #[cfg(unix)]
    {
        let uid = unsafe { libc::geteuid() };
        let mut buf = vec![0 as libc::c_char; 1024];
        loop {
            let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
            let mut found: *mut libc::passwd = std::ptr::null_mut();
            // SAFETY: every pointer is valid for the call and buf's length is passed with it.
            let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 4, 0);
                continue;
            }
            if rc == 0 && !found.is_null() && !pwd.pw_name.is_null() {
                // SAFETY: on success pw_name points to a NUL-terminated string inside buf.
                let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }.to_string_lossy().into_owned();
                if !name.is_empty() {
                    return name;
                }
            }
            return format!("uid {uid}");
        }
    }
    // Elsewhere (Windows), the account name the system sets for the logon session.
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").ok().filter(|v| !v.is_empty()).unwrap_or_else(|| "unknown".to_owned())
    }
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

/// Append one audit record. Call it inside the transaction that makes the change.
pub fn record(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    table: &str,
    record_id: Option<i64>,
    client_id: Option<i64>,
    summary: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, worker, os_user, action, table_name, record_id, client_id, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![now_utc(), actor.worker, actor.os_user, action.code(), table, record_id, client_id, summary],
    )?;
    Ok(())
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

/// The audit trail, newest first: all of it, or about one person, or since a day.
pub fn list(conn: &Connection, client_id: Option<i64>, since: Option<&str>, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, worker, os_user, action, table_name, record_id, client_id, summary FROM audit_log
         WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR at >= ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![client_id, since, limit as i64], |r| {
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
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

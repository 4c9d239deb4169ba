//! Schema versions. `schema.sql` is the whole current model: a new database gets
//! it in one go. An existing database at an older version gets the steps in
//! [`STEPS`] from its version up. Either way, one transaction, then
//! `PRAGMA user_version` says where the file stands.

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, TransactionBehavior};

use super::audit::{self, Action, Actor};

/// The whole data model, as in the repository's top-level `schema.sql`.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// Steps from version N to N+1 for databases made before the latest schema:
/// `STEPS[i]` takes version `i + 1` to `i + 2`. Version 1 is the first release,
/// so there are none yet.
pub const STEPS: &[&str] = &[];

/// The schema version this program writes.
pub const LATEST_VERSION: i64 = 1 + STEPS.len() as i64;

/// Bring the database to [`LATEST_VERSION`]. Doing it again is a no-op.
pub fn migrate(conn: &mut Connection, actor: &Actor) -> Result<()> {
    // Most opens find the schema current: check without taking the write lock,
    // so opening never waits for another linkwork's write.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == LATEST_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == LATEST_VERSION {
        return Ok(());
    }
    if version > LATEST_VERSION {
        bail!("schema version {version} is newer than this program's {LATEST_VERSION}");
    }
    if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
        if tables > 0 {
            bail!("this SQLite file has tables but is not a linkwork database; it has not been changed");
        }
        tx.execute_batch(SCHEMA).context("applying schema.sql")?;
    } else {
        for (i, step) in STEPS.iter().enumerate().skip((version - 1) as usize) {
            tx.execute_batch(step).with_context(|| format!("migrating the schema to version {}", i + 2))?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    audit::record(
        &tx,
        actor,
        Action::Migrate,
        "schema",
        None,
        None,
        &format!("schema version {version} -> {LATEST_VERSION}"),
    )?;
    tx.commit()?;
    Ok(())
}

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
/// `STEPS[i]` takes version `i + 1` to `i + 2`. Version 1 is the first release
/// (kept as `tests/fixtures/schema-v1.sql`; a test checks both roads meet).
pub const STEPS: &[&str] = &[
    // 2: indexes for the weekly summary (two of version 1's widened to cover it)
    "DROP INDEX referral_received;
     CREATE INDEX referral_received ON referral(received_on, client_id, referrer_role, practice_id, snomed_code);
     DROP INDEX referral_closed;
     CREATE INDEX referral_closed ON referral(status, closed_on, outcome);
     CREATE INDEX referral_first_contact ON referral(first_contact_on, received_on);
     CREATE INDEX contact_summary ON contact(kind, at, did_not_attend, outcome);
     CREATE INDEX measure_follow_up ON measure(timing, taken_on, client_id, instrument, raw_score, metric_score, items);
     CREATE INDEX measure_baseline ON measure(client_id, instrument, timing, taken_on);
     DROP INDEX prescription_event_prescription;
     CREATE INDEX prescription_event_prescription ON prescription_event(prescription_id, state, at);
     CREATE INDEX prescription_event_state ON prescription_event(state, at, prescription_id);",
    // 3: every referral that arrived, including those that joined an open episode
    "CREATE TABLE referral_intake (
         id            INTEGER PRIMARY KEY,
         referral_id   INTEGER NOT NULL REFERENCES referral(id),
         received_on   TEXT NOT NULL CHECK (date(received_on) IS received_on),
         reasons       TEXT NOT NULL,
         referrer_role TEXT NOT NULL CHECK (referrer_role IN
                       ('gp', 'nurse', 'pharmacist', 'practice_staff', 'self', 'vcso', 'hospital', 'other')),
         referrer_name TEXT,
         priority      TEXT NOT NULL CHECK (priority IN ('routine', 'soon', 'urgent')),
         notes         TEXT,
         joined        INTEGER NOT NULL CHECK (joined IN (0, 1)),
         created_at    TEXT NOT NULL
     ) STRICT;
     CREATE INDEX referral_intake_referral ON referral_intake(referral_id, received_on);",
];

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

//! Backups and restore with SQLite's online backup API: a consistent copy while
//! the database is in use, checked before it is called done.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::audit::{self, Action};
use super::{Store, create_data_dir, create_private_file, migrate};

/// What a checked backup holds: rows per table, the same in the copy as in the
/// source at the moment it was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub path: PathBuf,
    pub tables: Vec<(String, i64)>,
}

impl Copied {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// The tables whose rows are counted (the full-text indexes' own tables are
/// rebuilt from these and are not).
fn table_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_data' AND name NOT LIKE '%_idx'
             AND name NOT LIKE '%_docsize' AND name NOT LIKE '%_config' AND name NOT LIKE '%_content'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|n| {
            let count: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0))?;
            Ok((n, count))
        })
        .collect()
}

fn copy(from: &Connection, to: &mut Connection) -> Result<()> {
    Backup::new(from, to)?.run_to_completion(512, Duration::ZERO, None)?;
    Ok(())
}

/// Integrity check of a database file, opened read-only.
pub fn verify(path: &Path) -> Result<Vec<(String, i64)>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("could not open {}", path.display()))?;
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if result != "ok" {
        bail!("{} failed its integrity check: {result}", path.display());
    }
    table_counts(&conn)
}

/// Copy the database to `out` (which must not exist), check the copy's integrity
/// and that every table holds as many rows as the source did, and record the
/// backup in the audit trail.
pub fn backup_to(store: &Store, out: &Path) -> Result<Copied> {
    if out.exists() {
        bail!("{} already exists; choose a new file name", out.display());
    }
    create_private_file(out)?;
    let result = (|| {
        let mut dst = Connection::open(out).with_context(|| format!("could not open {}", out.display()))?;
        // One read snapshot for both the counts and the copy.
        let snapshot = store.conn().unchecked_transaction()?;
        let expected = table_counts(&snapshot)?;
        copy(&snapshot, &mut dst)?;
        snapshot.finish()?;
        dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
        drop(dst);
        let found = verify(out)?;
        if found != expected {
            bail!("the copy's row counts differ from the database's; the backup is not usable");
        }
        Ok(Copied { path: out.to_owned(), tables: found })
    })();
    match result {
        Ok(copied) => {
            audit::record(
                store.conn(),
                store.actor(),
                Action::Backup,
                "database",
                None,
                None,
                &format!("backup to {} ({} rows, checked)", out.display(), copied.rows()),
            )?;
            Ok(copied)
        }
        Err(e) => {
            let _ = std::fs::remove_file(out);
            Err(e)
        }
    }
}

/// The folder backups go in: `backups/` beside the database.
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("backups")
}

/// How many daily backups are kept.
pub const KEEP_DAILY: usize = 14;

/// The first start of each day makes a backup in `backups/`, keeping the last
/// [`KEEP_DAILY`]. Returns the new backup, or `None` if today's exists.
pub fn daily(store: &Store, today: chrono::NaiveDate) -> Result<Option<Copied>> {
    let dir = backup_dir(store.path());
    create_data_dir(&dir)?;
    let stem = store.path().file_stem().map_or_else(|| "linkwork".to_owned(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}-{today}.db");
    let out = dir.join(&name);
    if out.exists() {
        return Ok(None);
    }
    let copied = backup_to(store, &out)?;
    // Keep the newest KEEP_DAILY of this database's daily backups.
    let prefix = format!("{stem}-");
    let mut daily: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&prefix)
                    && n.ends_with(".db")
                    && n.len() == prefix.len() + 13
                    && chrono::NaiveDate::parse_from_str(&n[prefix.len()..prefix.len() + 10], "%Y-%m-%d").is_ok()
            })
        })
        .collect();
    daily.sort();
    let excess = daily.len().saturating_sub(KEEP_DAILY);
    for old in &daily[..excess] {
        std::fs::remove_file(old).with_context(|| format!("removing the old backup {}", old.display()))?;
    }
    Ok(Some(copied))
}

/// Replace the database's contents with a backup: the file is checked first
/// (integrity, a linkwork schema this program can read), the current contents
/// are kept as a backup, then the copy goes in through the backup API (readers
/// see the old or the new database, never a mix) and is brought up to date.
pub fn restore(store: &mut Store, from: &Path) -> Result<(Copied, PathBuf)> {
    let counts = verify(from)?;
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 || !counts.iter().any(|(n, _)| n == "audit_log") {
        bail!("{} is not a linkwork database; nothing was changed", from.display());
    }
    if version > migrate::LATEST_VERSION {
        bail!(
            "{} was written by a newer linkwork (schema {version}, this program knows up to {}); nothing was changed",
            from.display(),
            migrate::LATEST_VERSION
        );
    }
    let dir = backup_dir(store.path());
    create_data_dir(&dir)?;
    let kept = dir.join(format!("before-restore-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    backup_to(store, &kept).context("keeping the current database before the restore")?;
    copy(&src, store.conn_mut()).context("copying the backup into the database")?;
    drop(src);
    store.conn().query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    // The restored file may be older than this program: bring it up to date.
    let actor = store.actor().clone();
    migrate::migrate(store.conn_mut(), &actor)?;
    let tables = table_counts(store.conn())?;
    audit::record(
        store.conn(),
        store.actor(),
        Action::Restore,
        "database",
        None,
        None,
        &format!("restored from {}; the previous contents kept in {}", from.display(), kept.display()),
    )?;
    Ok((Copied { path: store.path().to_owned(), tables }, kept))
}

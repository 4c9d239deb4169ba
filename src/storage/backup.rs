//! Backups and restore with SQLite's online backup API: a consistent copy while
//! the database is in use, checked before it is called done.
//!
//! A backup is written under a temporary name, checked (integrity, schema, the
//! audit chain, row counts) and only then renamed into place: a file with a
//! backup's name is always a checked backup. A restore checks the file as
//! thoroughly before it touches anything, prepares the restored database beside
//! the live one, and only then replaces the live contents in one step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::audit::{self, Action};
use super::{Store, create_data_dir, create_private_file, files, migrate};
use crate::faults;

/// What a checked backup holds: rows per table, the same in the copy as in the
/// source at the moment it was taken, and where its audit trail ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub path: PathBuf,
    pub tables: Vec<(String, i64)>,
    pub head: Option<audit::Head>,
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

/// Copy `from` into `to`, `pages` at a time (-1: all in one step); `cancel`
/// stops it between steps.
fn copy(from: &Connection, to: &mut Connection, pages: i32, cancel: Option<&AtomicBool>) -> Result<()> {
    let backup = Backup::new(from, to)?;
    // Another program's write holds up the copy for as long as any write waits.
    let mut waited = std::time::Duration::ZERO;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            bail!("stopped before it was finished");
        }
        match backup.step(pages)? {
            StepResult::Done => return Ok(()),
            StepResult::Busy | StepResult::Locked => {
                if waited >= super::busy_timeout() {
                    bail!(
                        "another linkwork (or another program) held the database for too long; try again when it \
                         has finished"
                    );
                }
                let pause = std::time::Duration::from_millis(20);
                std::thread::sleep(pause);
                waited += pause;
            }
            _ => {}
        }
    }
}

/// Open a file that should be a linkwork database, read-only.
fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        bail!("{} is not a file", path.display());
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| super::explain(e, &format!("could not open {}", path.display())))?;
    Ok(conn)
}

/// What [`verify`] found in a sound file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sound {
    pub version: i64,
    pub tables: Vec<(String, i64)>,
    pub head: Option<audit::Head>,
}

/// Everything [`super::check_database`] checks, on a file, opened read-only: a
/// backup or a file about to be restored.
pub fn verify(path: &Path) -> Result<Sound> {
    let conn = open_read_only(path)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| super::explain(e, &format!("{} is not a SQLite database", path.display())))?;
    if version > migrate::LATEST_VERSION {
        bail!(
            "{} was written by a newer linkwork (schema {version}, this program knows up to {})",
            path.display(),
            migrate::LATEST_VERSION
        );
    }
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log'", [], |r| r.get(0))
        .map_err(|e| super::explain(e, &format!("{} is not a SQLite database", path.display())))?;
    if version == 0 || tables == 0 {
        bail!("{} is not a linkwork database", path.display());
    }
    let problems = super::check_database(&conn)?
        .into_iter()
        .filter(|p| !p.starts_with("schema version ")) // an older version is brought up to date
        .collect::<Vec<_>>();
    if let Some(first) = problems.first() {
        bail!(
            "{} did not pass its checks: {first}{}",
            path.display(),
            if problems.len() > 1 { format!(" (and {} more problems)", problems.len() - 1) } else { String::new() }
        );
    }
    let head = if version >= migrate::FIRST_CHAINED_VERSION { audit::head(&conn)? } else { None };
    Ok(Sound { version, tables: table_counts(&conn)?, head })
}

/// Copy the database to `out` (which must not exist), check the copy (its
/// integrity, its schema, its audit chain, and that every table holds as many
/// rows as the source did) and record the backup, with the head of the audit
/// chain it holds, in the audit trail.
pub fn backup_to(store: &Store, out: &Path) -> Result<Copied> {
    let copied = copy_checked(store, out, None)?;
    record_backup(store, "backup", &copied)?;
    Ok(copied)
}

/// The audit record of a backup made (`what`: "backup" or "daily backup"),
/// naming the head of the audit chain it holds (see [`recorded_head`]).
fn record_backup(store: &Store, what: &str, copied: &Copied) -> Result<()> {
    let tx = rusqlite::Transaction::new_unchecked(store.conn(), rusqlite::TransactionBehavior::Immediate)?;
    audit::record(
        &tx,
        store.actor(),
        Action::Backup,
        "database",
        None,
        None,
        &format!("{what} to {} ({} rows, checked){}", copied.path.display(), copied.rows(), head_note(&copied.head)),
    )?;
    tx.commit()?;
    Ok(())
}

/// How a backup's record names the end of the audit trail it holds.
fn head_note(head: &Option<audit::Head>) -> String {
    head.as_ref().map_or_else(String::new, |h| format!("; audit head {}", h.label()))
}

/// The copy itself, checked, under a temporary name until it is whole. Nothing
/// is recorded. On failure (or `cancel`) nothing is left behind.
fn copy_checked(store: &Store, out: &Path, cancel: Option<&AtomicBool>) -> Result<Copied> {
    if out.exists() {
        bail!("{} already exists; choose a new file name", out.display());
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("the folder {} does not exist", parent.display());
    }
    let tmp = files::partial_path(out);
    files::remove_database(&tmp);
    create_private_file(&tmp)?;
    let result = (|| {
        let mut dst = Connection::open(&tmp).with_context(|| format!("could not open {}", tmp.display()))?;
        // One read snapshot for the counts, the chain's head and the copy.
        let snapshot = store.conn().unchecked_transaction()?;
        let expected = table_counts(&snapshot)?;
        let head = audit::head(&snapshot)?;
        copy(&snapshot, &mut dst, 1024, cancel)?;
        snapshot.finish()?;
        dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
        drop(dst);
        faults::point("backup:copied");
        let Sound { tables: found, head: found_head, .. } = verify(&tmp)?;
        if found != expected || found_head != head {
            bail!("the copy does not hold what the database held; the backup is not usable");
        }
        std::fs::File::open(&tmp).and_then(|f| f.sync_all())?;
        faults::point("backup:checked");
        // Never over a file that appeared meanwhile: link, then drop the temporary name.
        std::fs::hard_link(&tmp, out)
            .with_context(|| format!("could not put the backup in place at {}", out.display()))?;
        let _ = std::fs::remove_file(&tmp);
        files::sync_dir(out);
        faults::point("backup:renamed");
        Ok(Copied { path: out.to_owned(), tables: found, head })
    })();
    if result.is_err() {
        files::remove_database(&tmp);
    }
    result.map_err(|e| e.context(format!("the backup to {} was not made; nothing was changed", out.display())))
}

/// The folder backups go in: `backups/` beside the database.
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("backups")
}

/// How many daily backups are kept.
pub const KEEP_DAILY: usize = 14;

/// The daily backups of this database in `dir`, oldest first.
fn daily_backups(dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
    let prefix = format!("{stem}-");
    let mut daily: Vec<PathBuf> = std::fs::read_dir(dir)?
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
    Ok(daily)
}

/// The first start of each day makes a backup in `backups/`, keeping the last
/// [`KEEP_DAILY`]. Returns the new backup, or `None` if today's exists. Only
/// checked files count: one that does not pass its checks (cut off by an older
/// linkwork) is removed and made again. `cancel` (set when the person quits)
/// stops it, leaving nothing behind.
pub fn daily(store: &Store, today: chrono::NaiveDate, cancel: Option<&AtomicBool>) -> Result<Option<Copied>> {
    let dir = backup_dir(store.path());
    create_data_dir(&dir)?;
    files::sweep(&dir)?;
    let stem = store.path().file_stem().map_or_else(|| "linkwork".to_owned(), |s| s.to_string_lossy().into_owned());
    let out = dir.join(format!("{stem}-{today}.db"));
    // Unchecked files never count among those kept.
    for old in daily_backups(&dir, &stem)? {
        let unusable = files::companion(&old, "-journal").exists() || (old == out && verify(&old).is_err());
        if unusable {
            std::fs::remove_file(&old).with_context(|| format!("removing the unusable backup {}", old.display()))?;
            files::remove_database(&old);
        }
    }
    if out.exists() {
        return Ok(None);
    }
    let copied = copy_checked(store, &out, cancel)?;
    record_backup(store, "daily backup", &copied)?;
    let daily = daily_backups(&dir, &stem)?;
    let excess = daily.len().saturating_sub(KEEP_DAILY);
    for old in &daily[..excess] {
        std::fs::remove_file(old).with_context(|| format!("removing the old backup {}", old.display()))?;
    }
    Ok(Some(copied))
}

/// The head a backup of `path` had when this database recorded making it, if it did.
fn recorded_head(store: &Store, path: &Path) -> Result<Option<String>> {
    let mut stmt = store.conn().prepare(
        "SELECT summary FROM audit_log WHERE action = 'backup' AND instr(summary, ?1) > 0 ORDER BY id DESC LIMIT 1",
    )?;
    let named = format!(" to {} (", path.display());
    let summary: Option<String> =
        rusqlite::OptionalExtension::optional(stmt.query_row([&named], |r| r.get::<_, String>(0)))?;
    Ok(summary.and_then(|s| s.rsplit_once("; audit head ").map(|(_, h)| h.trim_end_matches(')').to_owned())))
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub copied: Copied,
    /// The replaced contents, kept as a checked backup.
    pub kept: PathBuf,
}

/// Replace the database's contents with a backup. Nothing is touched until the
/// file has passed every check: it opens, its integrity, a linkwork schema
/// exactly as its version defines it, an audit trail whose chain verifies (and,
/// if this database recorded making that backup, ends where it did then). The
/// restored database is then prepared beside the live one (brought up to date,
/// its restore recorded), the current contents are kept as a checked backup,
/// and the prepared copy goes in through the backup API in one transaction:
/// readers see the old or the new database, never a mix, and a failure at any
/// step leaves the live database as it was.
pub fn restore(store: &mut Store, from: &Path) -> Result<Restored> {
    let unchanged = |e: anyhow::Error| e.context("nothing was restored; the database is unchanged");
    let Sound { version, head, .. } = verify(from).map_err(unchanged)?;
    if let (Some(recorded), Some(head)) = (recorded_head(store, from).map_err(unchanged)?, &head)
        && recorded != head.label()
    {
        return Err(unchanged(anyhow::anyhow!(
            "{}'s audit trail ends at record {}, but when this backup was made it ended at {}: \
             the file was cut short or changed",
            from.display(),
            head.id,
            recorded.split(':').next().unwrap_or("?")
        )));
    }
    faults::point("restore:checked");

    // Prepare the restored database beside the live one.
    let staged = files::partial_path(store.path());
    let cleanup = || files::remove_database(&staged);
    cleanup();
    let prepared = (|| -> Result<Connection> {
        create_private_file(&staged)?;
        let src = open_read_only(from)?;
        let mut dst = Connection::open(&staged)?;
        copy(&src, &mut dst, 1024, None)?;
        drop(src);
        dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
        // The live database's page size, or the backup API cannot copy into it.
        let live_page: i64 = store.conn().query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let page: i64 = dst.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        if page != live_page {
            dst.execute_batch(&format!("PRAGMA page_size = {live_page}; VACUUM;"))?;
        }
        dst.execute_batch("PRAGMA foreign_keys = ON;")?;
        migrate::migrate(&mut dst, store.actor())?;
        Ok(dst)
    })();
    let mut dst = match prepared {
        Ok(c) => c,
        Err(e) => {
            cleanup();
            return Err(unchanged(e.context(format!("{} could not be prepared for restoring", from.display()))));
        }
    };
    faults::point("restore:staged");

    // Keep the current contents (not recorded in them: they must stay as they are).
    let dir = backup_dir(store.path());
    let kept = (|| -> Result<Copied> {
        create_data_dir(&dir)?;
        let kept = dir.join(format!("before-restore-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
        copy_checked(store, &kept, None)
    })();
    let kept = match kept {
        Ok(k) => k,
        Err(e) => {
            cleanup();
            return Err(unchanged(e.context("the current database could not be kept before the restore")));
        }
    };
    faults::point("restore:kept");
    let kept_path = kept.path.clone();
    let with_kept = |e: anyhow::Error| {
        e.context(format!(
            "nothing was restored; the database is unchanged (a copy of it was also kept in {})",
            kept_path.display()
        ))
    };

    // Record the restore in the restored database, with a new generation so a
    // program holding the file open can tell it was replaced.
    let recorded = (|| -> Result<()> {
        let tx = dst.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [super::GENERATION_SETTING, &super::new_generation()?],
        )?;
        audit::record(
            &tx,
            store.actor(),
            Action::Restore,
            "database",
            None,
            None,
            &format!(
                "restored from {} (schema {version}{}); the previous contents kept in {}{}",
                from.display(),
                head.as_ref().map_or_else(String::new, |h| format!(", audit head {}", h.label())),
                kept.path.display(),
                head_note(&kept.head)
            ),
        )?;
        tx.commit()?;
        let problems = super::check_database(&dst)?;
        if let Some(p) = problems.first() {
            bail!("the prepared database did not pass its checks: {p}");
        }
        Ok(())
    })();
    if let Err(e) = recorded {
        drop(dst);
        cleanup();
        return Err(with_kept(e));
    }

    faults::point("restore:copying");
    let copied = copy(&dst, store.conn_mut(), -1, None);
    drop(dst);
    cleanup();
    copied.map_err(with_kept)?;
    faults::point("restore:copied");
    store.conn().query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    let tables = table_counts(store.conn())?;
    let head = audit::head(store.conn())?;
    Ok(Restored { copied: Copied { path: store.path().to_owned(), tables, head }, kept: kept.path })
}

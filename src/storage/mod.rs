//! Storage: the SQLite database behind linkwork. One function per query, every
//! change in one transaction with its audit record. Depends on `domain`, never on
//! the UI.

pub mod appointments;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod capacity;
pub mod caseload;
pub mod client;
pub mod client_details;
pub mod contacts;
pub mod directory;
pub mod files;
pub mod find;
pub mod follow_ups;
pub mod goals;
pub mod invariants;
pub mod keys;
pub mod local_services;
pub mod measures;
pub mod migrate;
pub mod practices;
pub mod prescriptions;
pub mod referrals;
pub mod report;
pub mod safeguarding;
pub mod search;
pub mod summary;
pub mod today;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use audit::Actor;

/// How long a write waits for another linkwork process to finish its own before
/// giving up with a clear message.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The setting that holds the link worker's name.
pub const WORKER_SETTING: &str = "worker_name";
/// Who the audit trail names before a worker's name is set.
pub const UNNAMED_WORKER: &str = "(worker not set)";

/// The busy timeout, which `$LINKWORK_BUSY_TIMEOUT_MS` may shorten or lengthen.
pub(crate) fn busy_timeout() -> Duration {
    std::env::var("LINKWORK_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// An open linkwork database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    actor: Actor,
    notices: Vec<String>,
    /// The file's (device, inode) when opened: another program may swap the file.
    identity: Option<(u64, u64)>,
    /// SQLite's `PRAGMA data_version` when last looked at.
    data_version: i64,
}

/// What [`Store::changed_outside`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outside {
    Unchanged,
    Changed,
    Replaced,
}

/// The setting a restore changes (see [`Store::generation`]).
pub const GENERATION_SETTING: &str = "database_generation";

/// Raised when a database was written by a newer linkwork; the file is left as it is.
#[derive(Debug)]
pub struct NewerSchema {
    pub found: i64,
    pub supported: i64,
}

impl fmt::Display for NewerSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this database was written by a newer version of linkwork (schema {}, this program knows up to {}); \
             it has not been changed. Install the newer linkwork to open it",
            self.found, self.supported
        )
    }
}

impl std::error::Error for NewerSchema {}

impl Store {
    /// Open (creating if missing) the database at `path`, check its schema version
    /// and bring it up to date. A missing parent folder is an error: see
    /// [`create_data_dir`] for the default location.
    ///
    /// `worker` names the link worker acting (from `--worker` or
    /// `$LINKWORK_WORKER`); without it, the name saved in the database's settings.
    pub fn open(path: &Path, worker: Option<&str>) -> Result<Self> {
        Self::open_with(path, worker, false)
    }

    /// Open a database to check it: as [`Store::open`], but a schema that is not
    /// exactly linkwork's (a trigger dropped, an index added) is reported by
    /// [`Store::check`] instead of refused.
    pub fn open_to_check(path: &Path, worker: Option<&str>) -> Result<Self> {
        Self::open_with(path, worker, true)
    }

    fn open_with(path: &Path, worker: Option<&str>, tolerate_schema: bool) -> Result<Self> {
        let actor = Actor::new(worker.unwrap_or(UNNAMED_WORKER));
        let mut notices = Vec::new();
        if !path.exists() {
            // Several processes may make a new database at once: the first
            // creates the file, the others use it.
            match create_private_file(path) {
                Ok(()) => {}
                Err(_) if path.is_file() => {}
                Err(e) => return Err(e),
            }
        } else if path.is_dir() {
            bail!("{} is a folder, not a database file", path.display());
        }
        notices.extend(tighten_permissions(path)?);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| explain(e, &format!("could not open the database {}", path.display())))?;
        // Wait for another linkwork making or changing the file, from the first read.
        conn.busy_timeout(busy_timeout())?;
        // Room for every statement of the busiest paths (a CSV import runs a
        // dozen per row, the caseload's lists one per filter plan): a statement
        // pushed out of the cache is compiled again on its next use.
        conn.set_prepared_statement_cache_capacity(64);

        // Read the version before anything writes to the file: a database from a
        // newer program, or another program's, must not be touched, not even by
        // switching on WAL. The version and the schema are read in one snapshot:
        // another linkwork may be making or migrating the file at this moment.
        let not_ours = |e| explain(e, &format!("{} is not a linkwork database (or is damaged)", path.display()));
        let snapshot = conn.unchecked_transaction().map_err(not_ours)?;
        let found = user_version(&snapshot).map_err(not_ours)?;
        if found > migrate::LATEST_VERSION {
            return Err(NewerSchema { found, supported: migrate::LATEST_VERSION }.into());
        }
        let schema_problems = if found == 0 {
            let tables: i64 =
                snapshot.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(not_ours)?;
            if tables > 0 {
                bail!(
                    "{} is not a linkwork database (another program's SQLite file); it has not been changed",
                    path.display()
                );
            }
            Vec::new()
        } else {
            migrate::schema_differences(&snapshot, found)
                .map_err(|e| explain_any(e, &format!("{} could not be read", path.display())))?
        };
        snapshot.finish().map_err(not_ours)?;
        if !schema_problems.is_empty() && (found < migrate::LATEST_VERSION || !tolerate_schema) {
            bail!(
                "{} is not a linkwork database, or its schema was changed by another program ({}{}); \
                 it has not been changed. Run `linkwork check` for every difference, and restore a backup",
                path.display(),
                schema_problems[0],
                if schema_problems.len() > 1 {
                    format!(", and {} more", schema_problems.len() - 1)
                } else {
                    String::new()
                }
            );
        }

        // Switching to WAL needs the file to itself for a moment, and SQLite does
        // not wait for that: several linkworks starting on a new file at once
        // take turns, for as long as a write would wait.
        let started = std::time::Instant::now();
        let mode: String = loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
                Err(e)
                    if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy))
                        && started.elapsed() < busy_timeout() =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => {
                    break other.map_err(|e| explain(e, "could not switch the database to write-ahead logging"))?;
                }
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("the database could not use write-ahead logging (journal mode is {mode}); is it on a network drive?");
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        if fk != 1 {
            bail!("SQLite refused to enforce foreign keys; the database cannot be used safely");
        }
        // SQLite makes the -wal and -shm files now: they hold the same data.
        notices.extend(tighten_permissions(path)?);

        let identity = file_identity(path);
        let mut store = Store { conn, path: path.to_owned(), actor, notices, identity, data_version: 0 };
        migrate::migrate(&mut store.conn, &store.actor)?;
        if worker.is_none()
            && let Some(name) = store.setting(WORKER_SETTING)?
        {
            store.actor.worker = name;
        }
        store.data_version = store.read_data_version()?;
        Ok(store)
    }

    /// What opening found and put right, for the person to read (permissions tightened).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    fn read_data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Has another program changed the database since this store last looked?
    /// [`Outside::Replaced`] when the file was swapped or restored (nothing this
    /// program holds about its rows can be trusted), [`Outside::Changed`] for
    /// another linkwork's ordinary writes. A replaced file is reopened.
    pub fn changed_outside(&mut self) -> Result<Outside> {
        if file_identity(&self.path) != self.identity {
            let reopened = Store::open(&self.path, Some(&self.actor.worker))?;
            *self = reopened;
            return Ok(Outside::Replaced);
        }
        let now = self.read_data_version()?;
        if now == self.data_version {
            return Ok(Outside::Unchanged);
        }
        self.data_version = now;
        Ok(Outside::Changed)
    }

    /// The database's generation: a value a restore changes, so that a program
    /// holding the file open can tell a restore from an ordinary write.
    pub fn generation(&self) -> Result<Option<String>> {
        self.setting(GENERATION_SETTING)
    }

    /// Save the link worker's name (the person the audit trail names) and act as them.
    pub fn set_worker(&mut self, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            bail!("worker name: expected 1 to 200 characters");
        }
        self.actor.worker = name.to_owned();
        let actor = self.actor.clone();
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [WORKER_SETTING, name],
        )?;
        tx.execute("INSERT OR IGNORE INTO link_worker (name) VALUES (?1)", [name])?;
        audit::record(&tx, &actor, audit::Action::Update, "setting", None, None, "worker name set")?;
        tx.commit()?;
        Ok(())
    }

    /// True once a link worker's name is saved in the settings.
    pub fn has_worker(&self) -> Result<bool> {
        Ok(self.setting(WORKER_SETTING)?.is_some())
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Begin a transaction that will write. It takes the write lock at once
    /// (BEGIN IMMEDIATE), waiting up to the busy timeout for another writer:
    /// a transaction that read first and asked to write later could find that
    /// another program wrote in between, and fail without waiting.
    pub fn write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("could not start writing to the database")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(user_version(&self.conn)?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Every check of the database (see [`check_database`]): an empty list means
    /// all is well.
    pub fn check(&self) -> Result<Vec<String>> {
        check_database(&self.conn)
    }
}

/// Every check a linkwork database must pass: SQLite's integrity and foreign-key
/// checks; the schema version; every table, column, index and trigger exactly as
/// this program defines them at that version; the audit trail's hash chain from
/// its first record to its last. An empty list means all is well. Used by
/// `check`, and on a file before it is restored.
pub fn check_database(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let row = row?;
        if row != "ok" {
            problems.push(format!("integrity: {row}"));
        }
    }
    if !problems.is_empty() {
        // A damaged file: what follows would only repeat it.
        return Ok(problems);
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "foreign key: {} row {} refers to a missing {} row",
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?.map_or("?".into(), |v| v.to_string()),
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        problems.push(row?);
    }
    let version = user_version(conn)?;
    if !(1..=migrate::LATEST_VERSION).contains(&version) {
        problems.push(format!("schema version {version}: not a linkwork database this program knows"));
        return Ok(problems);
    }
    if version != migrate::LATEST_VERSION {
        problems.push(format!("schema version {version}, expected {}", migrate::LATEST_VERSION));
    }
    let differences = migrate::schema_differences(conn, version)?;
    let schema_as_defined = differences.is_empty();
    problems.extend(differences);
    // The Waiting list's table (kept by triggers) against its definition.
    if version == migrate::LATEST_VERSION && schema_as_defined {
        problems.extend(caseload::waiting_problems(conn)?);
    }
    if version >= migrate::FIRST_CHAINED_VERSION {
        match audit::verify_chain(conn) {
            Ok(Ok(_)) => {}
            Ok(Err(broken)) => {
                problems.push(format!("audit trail: {broken}; the trail was changed after it was written"))
            }
            Err(e) => problems.push(format!("audit trail: could not be read ({e:#})")),
        }
    }
    Ok(problems)
}

/// The file's (device, inode) on Unix; `None` elsewhere or if it is gone.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The database and its `-wal` and `-shm` files hold personal data: on Unix,
/// anything readable or writable by others is made owner-only (0600), and said.
/// A `-wal`/`-shm` this account cannot write (left by an earlier read-only use)
/// is made writable if it is ours; otherwise the message says what to do.
fn tighten_permissions(db: &Path) -> Result<Vec<String>> {
    let mut notices = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in [db.to_owned(), files::companion(db, "-wal"), files::companion(db, "-shm")] {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let mode = meta.permissions().mode() & 0o777;
            if mode == 0o600 {
                continue;
            }
            match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
                Ok(()) if mode & 0o077 != 0 => notices.push(format!(
                    "{} could be read or written by other accounts (mode {mode:o}); it is now yours only (600)",
                    path.display()
                )),
                Ok(()) => {}
                Err(e) if mode & 0o200 == 0 => bail!(
                    "{} is read-only and could not be made writable ({e}); it was left by another account: \
                     close every linkwork on this database and remove that file, or ask its owner",
                    path.display()
                ),
                Err(e) => notices.push(format!(
                    "{} can be read by other accounts (mode {mode:o}) and could not be made private: {e}",
                    path.display()
                )),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(notices)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Create an empty file readable and writable by its owner only. SQLite then
/// gives its -wal and -shm files the same permissions.
pub fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("the folder {} does not exist; create it first or choose another --db path", parent.display());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).with_context(|| format!("could not create the file {}", path.display()))?;
    Ok(())
}

/// Write a file only its owner can read (it may hold personal data or a private
/// key), whole or not at all: a temporary file beside it is written, flushed to
/// disk, then renamed over `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("the folder {} does not exist", parent.display());
    }
    let _ = name;
    let tmp = files::partial_path(path);
    let _ = std::fs::remove_file(&tmp);
    create_private_file(&tmp)?;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("could not write {}", path.display()));
    }
    files::sync_dir(path);
    Ok(())
}

/// Create the data folder (owner-only on Unix) if it is missing.
pub fn create_data_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).with_context(|| format!("could not create the data folder {}", dir.display()))
}

/// As [`explain`], for an error that may or may not come from SQLite.
fn explain_any(err: anyhow::Error, what: &str) -> anyhow::Error {
    match err.downcast::<rusqlite::Error>() {
        Ok(e) => explain(e, what),
        Err(e) => e.context(what.to_owned()),
    }
}

/// Turn a SQLite error into a sentence a person can act on, with SQLite's own
/// words after it.
pub fn explain(err: rusqlite::Error, what: &str) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    let advice = match err.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked) => "another linkwork is writing to this database; try again in a moment",
        Some(ReadOnly) => "the database file is read-only; check its permissions",
        Some(DiskFull) => "the disk is full; free some space and try again",
        Some(NotADatabase) => "the file is not a SQLite database",
        Some(DatabaseCorrupt) => "the database is damaged; restore it from a backup",
        Some(CannotOpen) => "the file could not be opened; check the path and permissions",
        Some(PermissionDenied) => "permission denied; check the file's permissions",
        _ => "",
    };
    if advice.is_empty() { anyhow!("{what} (SQLite: {err})") } else { anyhow!("{what}: {advice} (SQLite: {err})") }
}

/// Did this fail because another program held the database?
pub fn is_busy(err: &anyhow::Error) -> bool {
    use rusqlite::ErrorCode::*;
    sqlite_code(err).is_some_and(|c| matches!(c, DatabaseBusy | DatabaseLocked))
}

/// The SQLite error code `err` carries, if it comes from SQLite.
fn sqlite_code(err: &anyhow::Error) -> Option<rusqlite::ErrorCode> {
    err.chain().find_map(|e| e.downcast_ref::<rusqlite::Error>()).and_then(|e| e.sqlite_error_code())
}

/// Say what a SQLite error means for the person, if `err` carries one: the
/// advice first, SQLite's own words after.
pub fn advice_for(err: &anyhow::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode::*;
    let code = sqlite_code(err)?;
    Some(match code {
        DatabaseBusy | DatabaseLocked => {
            "another linkwork (or another program) held the database for too long; nothing was changed. \
             Wait for it to finish and try again"
        }
        ReadOnly => "the database file is read-only; check its permissions",
        DiskFull => "the disk is full; free some space and try again (nothing was changed)",
        NotADatabase => "the file is not a SQLite database",
        DatabaseCorrupt => "the database is damaged; run `linkwork check` and restore from a backup",
        CannotOpen => "the file could not be opened; check the path and permissions",
        PermissionDenied => "permission denied; check the file's permissions",
        SystemIoFailure => "the disk reported an error; check it and run `linkwork check`",
        ConstraintViolation => "the change broke one of the database's rules and was not made",
        _ => return None,
    })
}

/// A client's current episode: their latest referral, as (id, received day).
pub(crate) fn current_referral(conn: &Connection, client_id: i64) -> Result<Option<(i64, chrono::NaiveDate)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, received_on FROM referral WHERE client_id = ?1 ORDER BY received_on DESC, id DESC LIMIT 1",
        )?
        .query_row([client_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A new random value for [`GENERATION_SETTING`].
pub fn new_generation() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("the system gave no random numbers: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The current moment as stored: UTC, whole seconds, RFC 3339.
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

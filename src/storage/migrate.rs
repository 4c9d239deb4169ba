//! Schema versions. `schema.sql` is the whole current model: a new database gets
//! it in one go. An existing database at an older version gets the steps in
//! [`STEPS`] from its version up. Either way, one transaction, then
//! `PRAGMA user_version` says where the file stands.
//!
//! The schema a version must have is known exactly: version 1 as released
//! (`schema-v1.sql`), then each step. [`expected_schema`] builds it in memory so
//! that `check`, opening and restore can compare a file object by object.

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, TransactionBehavior};

use super::audit::{self, Action, Actor};

/// The whole data model, as in the repository's top-level `schema.sql`.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The first released schema, kept as it was: every older file is this plus steps.
pub const SCHEMA_V1: &str = include_str!("schema-v1.sql");

/// One step from version N to N+1.
pub enum Step {
    Sql(&'static str),
    /// A step that needs code as well (computing the audit trail's hashes).
    Code(fn(&Connection) -> Result<()>),
}

/// Steps from version N to N+1 for databases made before the latest schema:
/// `STEPS[i]` takes version `i + 1` to `i + 2`. A test checks that a version 1
/// database brought up step by step has exactly `schema.sql`'s schema.
pub const STEPS: &[Step] = &[
    // 2: indexes for the weekly summary (two of version 1's widened to cover it)
    Step::Sql(
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
    ),
    // 3: the audit trail hash-chained, append-only in order; files on their way out
    Step::Code(version_3),
    // 4: every referral that arrived, including those that joined an open episode
    Step::Sql(
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
     CREATE INDEX referral_intake_referral ON referral_intake(referral_id, received_on);
     CREATE INDEX referral_open ON referral(status, client_id);",
    ),
    // 5: the day's work: appointments, follow-ups with their notes, safeguarding
    // concerns, a person's access needs
    Step::Sql(
        "ALTER TABLE client ADD COLUMN access_needs TEXT;
     CREATE TABLE appointment (
         id             INTEGER PRIMARY KEY,
         referral_id    INTEGER NOT NULL REFERENCES referral(id),
         starts_at      TEXT NOT NULL CHECK (datetime(starts_at || ':00') IS starts_at || ':00'),
         minutes        INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
         kind           TEXT NOT NULL CHECK (kind IN ('phone', 'face_to_face', 'video', 'home_visit', 'group')),
         place          TEXT,
         status         TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'attended', 'missed', 'cancelled')),
         contact_id     INTEGER REFERENCES contact(id),
         note           TEXT,
         link_worker_id INTEGER REFERENCES link_worker(id),
         created_at     TEXT NOT NULL,
         updated_at     TEXT NOT NULL,
         CHECK ((status IN ('attended', 'missed')) = (contact_id IS NOT NULL))
     ) STRICT;

     CREATE INDEX appointment_starts ON appointment(status, starts_at);
     CREATE INDEX appointment_referral ON appointment(referral_id, status, starts_at);

     CREATE TABLE follow_up (
         id             INTEGER PRIMARY KEY,
         referral_id    INTEGER NOT NULL REFERENCES referral(id),
         due_on         TEXT NOT NULL CHECK (date(due_on) IS due_on),
         note           TEXT,
         link_worker_id INTEGER REFERENCES link_worker(id),
         created_at     TEXT NOT NULL
     ) STRICT;

     CREATE INDEX follow_up_referral ON follow_up(referral_id, id);

     CREATE TABLE safeguarding_concern (
         id          INTEGER PRIMARY KEY,
         client_id   INTEGER NOT NULL REFERENCES client(id),
         raised_on   TEXT NOT NULL CHECK (date(raised_on) IS raised_on),
         note        TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
         told        TEXT,
         raised_by   TEXT NOT NULL,
         closed_on   TEXT CHECK (closed_on IS NULL OR date(closed_on) IS closed_on),
         close_note  TEXT,
         created_at  TEXT NOT NULL,
         updated_at  TEXT NOT NULL
     ) STRICT;

     CREATE INDEX safeguarding_client ON safeguarding_concern(client_id, closed_on);
     CREATE INDEX safeguarding_created ON safeguarding_concern(created_at);
     CREATE INDEX client_phone ON client(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+44', '0'));",
    ),
    // 6: the directory's words unstemmed and their vocabulary, the
    // search triggers writing only on a change, and the thesaurus
    Step::Code(version_6_directory_search),
    // 7: the caseload lists read from indexes in their own order; the Waiting list kept as a table
    Step::Sql(
        "-- Each caseload list reads its first screen from an index in its own order,
     -- whatever the number of clients (issue 18). To triage: most urgent, then
     -- longest waiting; My caseload: booked and active, longest waiting first;
     -- Closed: most recently closed first; All: newest first.
     CREATE INDEX referral_triage ON referral(CASE priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, received_on)
         WHERE status IN ('new', 'contacting');
     CREATE INDEX referral_mine ON referral(received_on) WHERE status IN ('booked', 'active');
     CREATE INDEX referral_closed_list ON referral(closed_on) WHERE status = 'closed';
     CREATE INDEX referral_received_on ON referral(received_on);
     -- Open episodes by person, holding what the start-up check for people with two
     -- open referrals and the summary's open caseload read (no table reads, no sort).
     CREATE INDEX referral_open_client ON referral(client_id, status, first_contact_on, received_on) WHERE status <> 'closed';
     -- A service's answers of the last four weeks, for the directory's demand
     -- figures (read when the first frame is made): without table reads.
     CREATE INDEX prescription_answered ON prescription(service_id, answered_at, sent_at);

     -- The Waiting list: open referrals with a social prescription the service has
     -- not answered (sent, acknowledged or no response). Kept by the triggers below
     -- in the same statement as every change to a prescription or a referral, so the
     -- list and its count cost what the list holds, not every open referral.
     -- `linkwork check` and the tests compare it with the definition.
     CREATE TABLE referral_waiting (
         referral_id INTEGER PRIMARY KEY,
         received_on TEXT NOT NULL
     ) STRICT;
     CREATE INDEX referral_waiting_received ON referral_waiting(received_on);

     CREATE TRIGGER referral_waiting_prescription_insert AFTER INSERT ON prescription BEGIN
         DELETE FROM referral_waiting WHERE referral_id = NEW.referral_id;
         INSERT INTO referral_waiting (referral_id, received_on)
             SELECT r.id, r.received_on FROM referral r WHERE r.id = NEW.referral_id AND r.status <> 'closed'
             AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                         AND p.state IN ('sent', 'acknowledged', 'no_response'));
     END;
     CREATE TRIGGER referral_waiting_prescription_update AFTER UPDATE OF state, referral_id ON prescription BEGIN
         DELETE FROM referral_waiting WHERE referral_id IN (OLD.referral_id, NEW.referral_id);
         INSERT INTO referral_waiting (referral_id, received_on)
             SELECT r.id, r.received_on FROM referral r WHERE r.id IN (OLD.referral_id, NEW.referral_id)
             AND r.status <> 'closed'
             AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                         AND p.state IN ('sent', 'acknowledged', 'no_response'));
     END;
     CREATE TRIGGER referral_waiting_prescription_delete AFTER DELETE ON prescription BEGIN
         DELETE FROM referral_waiting WHERE referral_id = OLD.referral_id;
         INSERT INTO referral_waiting (referral_id, received_on)
             SELECT r.id, r.received_on FROM referral r WHERE r.id = OLD.referral_id AND r.status <> 'closed'
             AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                         AND p.state IN ('sent', 'acknowledged', 'no_response'));
     END;
     CREATE TRIGGER referral_waiting_referral_update AFTER UPDATE OF status, received_on ON referral BEGIN
         DELETE FROM referral_waiting WHERE referral_id = NEW.id;
         INSERT INTO referral_waiting (referral_id, received_on)
             SELECT r.id, r.received_on FROM referral r WHERE r.id = NEW.id AND r.status <> 'closed'
             AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                         AND p.state IN ('sent', 'acknowledged', 'no_response'));
     END;
     CREATE TRIGGER referral_waiting_referral_delete AFTER DELETE ON referral BEGIN
         DELETE FROM referral_waiting WHERE referral_id = OLD.id;
     END;
     INSERT INTO referral_waiting (referral_id, received_on)
         SELECT r.id, r.received_on FROM referral r WHERE r.status <> 'closed'
         AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                     AND p.state IN ('sent', 'acknowledged', 'no_response'));",
    ),
];

/// The first version whose audit trail is hash-chained.
pub const FIRST_CHAINED_VERSION: i64 = 3;

/// The schema version this program writes.
pub const LATEST_VERSION: i64 = 1 + STEPS.len() as i64;

/// The audit table, its indexes and triggers as version 3 defines them: taken
/// from schema.sql, so that there is one text of them.
fn audit_table_sql() -> Result<&'static str> {
    let start = SCHEMA.find("CREATE TABLE audit_log (").context("schema.sql has no audit_log")?;
    let last = SCHEMA.find("CREATE TRIGGER audit_log_no_delete").context("schema.sql has no audit_log_no_delete")?;
    let end = last + SCHEMA[last..].find("END;").context("schema.sql's audit_log_no_delete has no END")? + 4;
    Ok(&SCHEMA[start..end])
}

/// The statement of schema.sql that starts with `start`, up to its `;` at a line's end.
fn schema_statement(start: &str) -> Result<&'static str> {
    let at = SCHEMA.find(start).with_context(|| format!("schema.sql has no {start}"))?;
    let len = SCHEMA[at..].find(";\n").with_context(|| format!("schema.sql's {start} has no end"))? + 1;
    Ok(&SCHEMA[at..at + len])
}

/// The directory's search as version 6 made it (frozen: `schema.sql` holds the
/// same between its "schema version 6 begin" and "end" lines, and a test
/// checks that both roads end in the same schema): the search triggers made
/// again, the unstemmed index filled from the services there are, the
/// thesaurus seeded.
fn version_6_directory_search(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP TRIGGER service_fts_insert; DROP TRIGGER service_fts_update;
         DROP TRIGGER service_fts_delete; DROP TRIGGER service_fts_organisation;",
    )?;
    conn.execute_batch(VERSION_6_SQL)?;
    conn.execute_batch(
        "INSERT INTO service_words (rowid, name, organisation, description, categories)
         SELECT s.id, s.name, o.name, s.description, s.categories
         FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id;",
    )?;
    Ok(())
}

/// Version 6's search tables, triggers and thesaurus, as released.
const VERSION_6_SQL: &str = r#"
-- schema version 6 begin: search that finds what a Link Worker types
-- The same words unstemmed, so that an exact word ranks above a word that only
-- shares its stem ("housing" above "house"), and their vocabulary, for close
-- spellings ("bereavment" finds "bereavement").
CREATE VIRTUAL TABLE service_words USING fts5(
    name, organisation, description, categories,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE service_words_vocab USING fts5vocab(service_words, 'row');

-- While a directory import writes many services it fills both indexes itself,
-- once, at its end (an index written row by row is several times slower): the
-- row here says so, and only ever inside that import's own transaction.
-- The directory in name order with what its list filters on, read without the
-- rows themselves (a service's row holds its whole description).
CREATE INDEX service_list ON service(name COLLATE NOCASE, id, status, accepting_referrals, min_age, max_age);

CREATE TABLE search_index_deferred (
    one INTEGER PRIMARY KEY CHECK (one = 1)
) STRICT;

-- Both indexes are written only when a searched field changed: an import that
-- says the same again, or an organisation written with the same name, leaves them be.
CREATE TRIGGER service_fts_insert AFTER INSERT ON service
WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    INSERT INTO service_fts (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
    INSERT INTO service_words (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
END;

CREATE TRIGGER service_fts_update AFTER UPDATE OF name, organisation_id, description, categories ON service
WHEN (old.name IS NOT new.name OR old.organisation_id IS NOT new.organisation_id
      OR old.description IS NOT new.description OR old.categories IS NOT new.categories)
     AND NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    DELETE FROM service_fts WHERE rowid = old.id;
    INSERT INTO service_fts (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
    DELETE FROM service_words WHERE rowid = old.id;
    INSERT INTO service_words (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
END;

CREATE TRIGGER service_fts_delete AFTER DELETE ON service
WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    DELETE FROM service_fts WHERE rowid = old.id;
    DELETE FROM service_words WHERE rowid = old.id;
END;

CREATE TRIGGER service_fts_organisation AFTER UPDATE OF name ON organisation
WHEN old.name IS NOT new.name AND NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    UPDATE service_fts SET organisation = new.name
    WHERE rowid IN (SELECT id FROM service WHERE organisation_id = new.id);
    UPDATE service_words SET organisation = new.name
    WHERE rowid IN (SELECT id FROM service WHERE organisation_id = new.id);
END;

-- The thesaurus: words Link Workers type that services' own text often lacks.
-- A word that no service mentions is searched as its alternatives (words or
-- phrases), and the directory says so. Local data: `linkwork services synonyms`.
CREATE TABLE search_synonym (
    word        TEXT NOT NULL CHECK (length(word) BETWEEN 1 AND 60 AND word = lower(trim(word))),
    alternative TEXT NOT NULL CHECK (length(alternative) BETWEEN 1 AND 60 AND alternative = lower(trim(alternative))),
    PRIMARY KEY (word, alternative)
) STRICT, WITHOUT ROWID;

INSERT INTO search_synonym (word, alternative) VALUES
    ('grief', 'bereavement'), ('grief', 'bereaved'), ('grieving', 'bereavement'), ('loss', 'bereavement'),
    ('bereavement', 'grief'), ('bereaved', 'bereavement'),
    ('singing', 'choir'), ('singing', 'singers'), ('sing', 'choir'), ('choir', 'singing'), ('choirs', 'choir'),
    ('mould', 'mold'), ('mould', 'damp'), ('mould', 'housing conditions'),
    ('mold', 'mould'), ('mold', 'damp'), ('mold', 'housing conditions'),
    ('damp', 'mould'), ('damp', 'housing conditions'),
    ('lonely', 'befriending'), ('lonely', 'loneliness'), ('lonely', 'isolation'),
    ('loneliness', 'befriending'), ('loneliness', 'lonely'), ('isolation', 'befriending'),
    ('isolated', 'befriending'), ('isolated', 'loneliness'), ('befriending', 'loneliness'),
    ('debt', 'money advice'), ('debt', 'benefits'), ('debts', 'money advice'),
    ('money', 'debt'), ('money', 'benefits'), ('benefits', 'money advice'), ('benefits', 'welfare'),
    ('carer', 'carers'), ('carers', 'carer'), ('caring', 'carers'),
    ('exercise', 'physical activity'), ('exercise', 'walking'), ('exercise', 'fitness'),
    ('fitness', 'exercise'), ('fitness', 'physical activity'), ('activity', 'exercise'),
    ('allotment', 'gardening'), ('allotment', 'garden'), ('gardening', 'allotment'), ('garden', 'allotment'),
    ('dementia', 'memory'), ('memory', 'dementia'), ('alzheimers', 'dementia'), ('alzheimer''s', 'dementia'),
    ('mood', 'mental wellbeing'), ('mood', 'wellbeing'), ('depression', 'low mood'), ('depression', 'wellbeing'),
    ('anxiety', 'wellbeing'), ('anxiety', 'mental health'), ('wellbeing', 'mental health'),
    ('mental', 'wellbeing'),
    ('homeless', 'housing'), ('homelessness', 'housing'), ('housing', 'homelessness'),
    ('condition', 'long-term condition'), ('diabetes', 'long-term condition'), ('pain', 'long-term condition'),
    ('employment', 'work'), ('employment', 'jobs'), ('job', 'employment'), ('jobs', 'employment'),
    ('work', 'employment'),
    ('alcohol', 'substance use'), ('alcohol', 'drinking'), ('drinking', 'alcohol'), ('drugs', 'substance use'),
    ('substance', 'alcohol'), ('substance', 'drugs'),
    ('digital', 'computer'), ('digital', 'online'), ('computer', 'digital'), ('internet', 'digital'),
    ('transport', 'travel'), ('transport', 'bus'), ('travel', 'transport'),
    ('food', 'food bank'), ('food', 'meals'), ('hungry', 'food bank'), ('meals', 'food'),
    ('relationships', 'family'), ('relationship', 'family'), ('family', 'relationships'),
    ('learning', 'courses'), ('learning', 'education'), ('courses', 'learning'), ('education', 'learning');
"#;

fn version_3(conn: &Connection) -> Result<()> {
    conn.execute_batch(schema_statement("CREATE TABLE pending_file (")?)?;
    chain_the_audit_trail(conn)
}

/// Version 3: the old audit table is renamed, the new one made as schema.sql has
/// it, and every record copied over in order with its hash computed.
fn chain_the_audit_trail(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DROP INDEX audit_client; DROP INDEX audit_at;
         ALTER TABLE audit_log RENAME TO audit_log_v2;",
    )?;
    conn.execute_batch(audit_table_sql()?)?;
    let mut read = conn.prepare(
        "SELECT at, worker, os_user, action, table_name, record_id, client_id, summary FROM audit_log_v2 ORDER BY id",
    )?;
    let mut rows = read.query([])?;
    let mut insert = conn.prepare(
        "INSERT INTO audit_log (id, at, worker, os_user, action, table_name, record_id, client_id, summary, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut prev = audit::GENESIS.to_owned();
    let mut last_at = String::new();
    let mut id = 0;
    while let Some(r) = rows.next()? {
        id += 1;
        let at: String = r.get(0)?;
        // Times never go backwards in the chain: an older record out of order
        // (a clock set back) keeps the time before it; its own stays in the summary.
        let (at, summary) = if at < last_at {
            (last_at.clone(), format!("{} [recorded at {at}]", r.get::<_, String>(7)?))
        } else {
            (at, r.get(7)?)
        };
        let e = audit::Entry {
            id,
            at,
            worker: r.get(1)?,
            os_user: r.get(2)?,
            action: r.get(3)?,
            table: r.get(4)?,
            record_id: r.get(5)?,
            client_id: r.get(6)?,
            summary,
        };
        let hash = audit::chain_hash(&prev, &e);
        insert.execute(rusqlite::params![
            e.id,
            e.at,
            e.worker,
            e.os_user,
            e.action,
            e.table,
            e.record_id,
            e.client_id,
            e.summary,
            prev,
            hash
        ])?;
        last_at = e.at;
        prev = hash;
    }
    drop(rows);
    conn.execute_batch("DROP TABLE audit_log_v2;")?;
    Ok(())
}

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
        apply_steps(&tx, version)?;
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

/// Run the steps from `version` to the latest on `conn` (inside a transaction).
fn apply_steps(conn: &Connection, version: i64) -> Result<()> {
    for (i, step) in STEPS.iter().enumerate().skip((version - 1) as usize) {
        let to = i + 2;
        match step {
            Step::Sql(sql) => conn.execute_batch(sql).map_err(anyhow::Error::from),
            Step::Code(f) => f(conn),
        }
        .with_context(|| format!("migrating the schema to version {to}"))?;
    }
    Ok(())
}

/// One schema object as SQLite keeps it: (type, name, the table it belongs to,
/// its SQL with white space folded).
pub type Object = (String, String, String, String);

/// The schema objects of a database (SQLite's own `sqlite_*` objects left out),
/// sorted by type and name.
pub fn objects(conn: &Connection) -> Result<Vec<Object>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema
         WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let sql: String = r.get(3)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, fold_sql(&sql)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// SQL with comments removed and white space folded, so that the same statement
/// compares equal however it was laid out.
fn fold_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_string = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            in_string = !in_string;
        }
        if !in_string && c == '-' && chars.peek() == Some(&'-') {
            for n in chars.by_ref() {
                if n == '\n' {
                    break;
                }
            }
            out.push(' ');
            continue;
        }
        out.push(c);
    }
    // White space next to brackets and commas does not count either: a column
    // added by ALTER TABLE is stored as "..., new TEXT)" after the table's text.
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    words.replace(" ,", ",").replace(", ", ",").replace("( ", "(").replace(" )", ")")
}

/// The latest schema's objects as [`fingerprint`] gives them, with the version
/// they are of. Opening a file at that version compares its fingerprint with
/// this one instead of building the expected schema in memory (5 ms of every
/// start; issue 18). A test checks the value (and prints the right one); a
/// value left stale costs only the time: the full comparison runs instead.
const LATEST_FINGERPRINT: (i64, &str) = (7, "cc54f12c9bfc675abc1227ac0eb4768f15804b82772c171027724bac129e4d14");

/// The SHA-256 of schema objects (type, name, table and folded SQL of each, in
/// order), in hex: equal fingerprints, equal objects.
pub fn fingerprint(objects: &[Object]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (kind, name, table, sql) in objects {
        for part in [kind, name, table, sql] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The exact schema objects a linkwork database at `version` has: version 1 as
/// released, then each step, built in memory once per version and run.
pub fn expected_schema(version: i64) -> Result<Vec<Object>> {
    use std::sync::{Mutex, OnceLock};
    type Built = Mutex<Vec<(i64, Vec<Object>)>>;
    static BUILT: OnceLock<Built> = OnceLock::new();
    if !(1..=LATEST_VERSION).contains(&version) {
        bail!("schema version {version} is not one this program knows (1 to {LATEST_VERSION})");
    }
    let built = BUILT.get_or_init(Mutex::default);
    if let Some((_, objects)) =
        built.lock().map_err(|_| anyhow::anyhow!("schema cache poisoned"))?.iter().find(|(v, _)| *v == version)
    {
        return Ok(objects.clone());
    }
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA_V1)?;
    for (i, step) in STEPS.iter().enumerate().take((version - 1) as usize) {
        match step {
            Step::Sql(sql) => conn.execute_batch(sql)?,
            Step::Code(f) => f(&conn).with_context(|| format!("building schema version {}", i + 2))?,
        }
    }
    let objects = objects(&conn)?;
    built.lock().map_err(|_| anyhow::anyhow!("schema cache poisoned"))?.push((version, objects.clone()));
    Ok(objects)
}

/// How the schema of `conn` differs from what its version should have: an empty
/// list means exactly the same objects (tables, columns, indexes, triggers).
pub fn schema_differences(conn: &Connection, version: i64) -> Result<Vec<String>> {
    let found = objects(conn)?;
    if version == LATEST_VERSION && version == LATEST_FINGERPRINT.0 && fingerprint(&found) == LATEST_FINGERPRINT.1 {
        return Ok(Vec::new());
    }
    let expected = expected_schema(version)?;
    let mut problems = Vec::new();
    for e in &expected {
        match found.iter().find(|f| f.0 == e.0 && f.1 == e.1) {
            None => problems.push(format!("schema: {} {} is missing", e.0, e.1)),
            Some(f) if f != e => problems.push(format!("schema: {} {} is not as linkwork defines it", e.0, e.1)),
            Some(_) => {}
        }
    }
    for f in &found {
        if !expected.iter().any(|e| e.0 == f.0 && e.1 == f.1) {
            problems.push(format!("schema: {} {} is not part of linkwork's schema", f.0, f.1));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint that lets a start skip building the expected schema is
    /// the latest schema's, at the latest version.
    #[test]
    fn the_latest_fingerprint_is_the_latest_schemas() {
        let expected = fingerprint(&expected_schema(LATEST_VERSION).unwrap());
        assert_eq!(
            LATEST_FINGERPRINT,
            (LATEST_VERSION, expected.as_str()),
            "set LATEST_FINGERPRINT in storage/migrate.rs to ({LATEST_VERSION}, \"{expected}\")"
        );
    }

    /// A file whose schema differs in one object has another fingerprint, so it
    /// gets the full comparison (and is refused on opening).
    #[test]
    fn a_changed_schema_has_another_fingerprint() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        assert!(schema_differences(&conn, LATEST_VERSION).unwrap().is_empty());
        let before = fingerprint(&objects(&conn).unwrap());
        conn.execute_batch("DROP TRIGGER referral_waiting_referral_delete;").unwrap();
        assert_ne!(fingerprint(&objects(&conn).unwrap()), before);
        let problems = schema_differences(&conn, LATEST_VERSION).unwrap();
        assert_eq!(problems, vec!["schema: trigger referral_waiting_referral_delete is missing".to_owned()]);
    }
}

//! The store on real temporary databases: schema, migrations, pragmas, file
//! permissions, the append-only audit log and the checks.

use linkwork::domain::referral::{ContactKind, Instrument, Outcome, PrescriptionState, Priority, ReferrerRole, Status};
use linkwork::storage::{Store, migrate};
use rusqlite::Connection;

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.db");
    (dir, path)
}

fn table_names(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn schema_applies_to_an_empty_file() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, Some("Tester")).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrate::LATEST_VERSION);
    let tables = table_names(store.conn());
    for t in [
        "client",
        "referral",
        "contact",
        "assessment",
        "measure",
        "service",
        "prescription",
        "audit_log",
        "unmet_need",
        "signing_key",
        "setting",
    ] {
        assert!(tables.iter().any(|n| n == t), "missing table {t}: {tables:?}");
    }
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn an_existing_empty_file_is_given_the_schema() {
    let (_dir, path) = temp_db();
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path, None).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrate::LATEST_VERSION);
}

#[test]
fn migrating_twice_is_a_no_op() {
    let (_dir, path) = temp_db();
    drop(Store::open(&path, Some("Tester")).unwrap());
    let schema_of = |p: &std::path::Path| -> Vec<(String, Option<String>)> {
        let c = Connection::open(p).unwrap();
        let mut s = c.prepare("SELECT name, sql FROM sqlite_schema ORDER BY name").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let audit_count = |p: &std::path::Path| -> i64 {
        Connection::open(p).unwrap().query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap()
    };
    let before = schema_of(&path);
    let audits = audit_count(&path);
    drop(Store::open(&path, Some("Tester")).unwrap());
    assert_eq!(schema_of(&path), before);
    assert_eq!(audit_count(&path), audits, "a second open migrates nothing, so audits nothing");
}

#[test]
fn a_newer_schema_is_refused_and_the_file_left_untouched() {
    let (_dir, path) = temp_db();
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = match Store::open(&path, None) {
        Ok(_) => panic!("a newer schema must be refused"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("newer version of linkwork"), "{err}");
    assert!(err.contains("schema 99"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
    assert!(!path.with_extension("db-wal").exists(), "WAL not switched on");
}

#[test]
fn a_foreign_sqlite_file_is_refused() {
    let (_dir, path) = temp_db();
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE notes (x);").unwrap();
    let err = Store::open(&path, None).err().expect("refused");
    assert!(format!("{err:#}").contains("not a linkwork database"), "{err:#}");
}

#[test]
fn a_file_that_is_not_a_database_gets_a_sentence() {
    let (_dir, path) = temp_db();
    std::fs::write(&path, "name,nhs\nsomeone,123\n".repeat(100)).unwrap();
    let err = format!("{:#}", Store::open(&path, None).err().expect("refused"));
    assert!(err.contains("is not a linkwork database"), "{err}");
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let (dir, _) = temp_db();
    let path = dir.path().join("no/such/folder/x.db");
    let err = format!("{:#}", Store::open(&path, None).err().expect("refused"));
    assert!(err.contains("does not exist"), "{err}");
    assert!(!path.exists());
}

#[test]
fn pragmas_are_set() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, None).unwrap();
    let c = store.conn();
    let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!((fk, mode.as_str(), sync), (1, "wal", 2));
    // Foreign keys really are enforced.
    let err = c
        .execute(
            "INSERT INTO referral (client_id, received_on, created_at, updated_at) VALUES (12345, '2026-01-01', 'x', 'x')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[cfg(unix)]
#[test]
fn new_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = temp_db();
    let store = Store::open(&path, None).unwrap();
    store.conn().execute("INSERT INTO setting (key, value) VALUES ('x', 'y')", []).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "database mode {mode:o}");
    let wal = path.with_extension("db-wal");
    if wal.exists() {
        let mode = std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "WAL mode {mode:o}");
    }
}

#[cfg(unix)]
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _) = temp_db();
    let data = dir.path().join("a/linkwork");
    linkwork::storage::create_data_dir(&data).unwrap();
    assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn the_audit_log_rejects_update_and_delete() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, Some("Tester")).unwrap();
    let c = store.conn();
    let n: i64 = c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    assert!(n >= 1, "migration was audited");
    let err = c.execute("UPDATE audit_log SET worker = 'someone else'", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = c.execute("DELETE FROM audit_log", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let after: i64 = c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    assert_eq!(after, n);
    let who: String = c.query_row("SELECT worker FROM audit_log ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(who, "Tester");
}

#[test]
fn worker_name_is_saved_and_used() {
    let (_dir, path) = temp_db();
    let mut store = Store::open(&path, None).unwrap();
    assert!(!store.has_worker().unwrap());
    store.set_worker("Siân Llywelyn").unwrap();
    drop(store);
    let store = Store::open(&path, None).unwrap();
    assert_eq!(store.actor().worker, "Siân Llywelyn");
    assert!(Store::open(&path, None).unwrap().set_worker("   ").is_err());
}

#[test]
fn check_finds_a_broken_foreign_key() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, None).unwrap();
    assert!(store.check().unwrap().is_empty());
    let c = store.conn();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO referral (client_id, received_on, created_at, updated_at) VALUES (777, '2026-01-01', 'x', 'x');
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    let problems = store.check().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("referral") && problems[0].contains("client"), "{problems:?}");
}

/// The codes the domain knows are exactly the ones the schema's CHECKs accept.
#[test]
fn domain_codes_match_schema_checks() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path, None).unwrap();
    let c = store.conn();
    c.execute_batch(
        "INSERT INTO client (id, nhs_number, name, name_key, date_of_birth, created_at, updated_at)
         VALUES (1, '9997654323', 'A', 'a', '1950-01-01', 'x', 'x');
         INSERT INTO organisation (id, name, updated_at) VALUES (1, 'O', 'x');
         INSERT INTO service (id, organisation_id, name, created_at, updated_at) VALUES (1, 1, 'S', 'x', 'x');",
    )
    .unwrap();
    let try_referral = |status: &str, outcome: Option<&str>, role: &str, priority: &str| {
        c.execute(
            "INSERT INTO referral (client_id, received_on, status, outcome, closed_on, referrer_role, priority, created_at, updated_at)
             VALUES (1, '2026-01-01', ?1, ?2, CASE WHEN ?2 IS NULL THEN NULL ELSE '2026-02-01' END, ?3, ?4, 'x', 'x')",
            rusqlite::params![status, outcome, role, priority],
        )
    };
    for s in Status::ALL.iter().filter(|s| **s != Status::Closed) {
        try_referral(s.code(), None, "gp", "routine").unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    for o in Outcome::ALL {
        try_referral("closed", Some(o.code()), "gp", "routine").unwrap_or_else(|e| panic!("{o}: {e}"));
    }
    for r in ReferrerRole::ALL {
        try_referral("new", None, r.code(), "routine").unwrap_or_else(|e| panic!("{r}: {e}"));
    }
    for p in Priority::ALL {
        try_referral("new", None, "gp", p.code()).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    assert!(try_referral("lost", None, "gp", "routine").is_err());
    assert!(try_referral("closed", None, "gp", "routine").is_err(), "closed needs an outcome");
    assert!(try_referral("new", None, "doctor", "routine").is_err());
    assert!(try_referral("new", None, "gp", "asap").is_err());

    for k in ContactKind::ALL {
        c.execute(
            "INSERT INTO contact (referral_id, at, kind, created_at) VALUES (1, '2026-01-02T10:00:00Z', ?1, 'x')",
            [k.code()],
        )
        .unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    for s in PrescriptionState::ALL {
        c.execute(
            "INSERT INTO prescription (client_id, referral_id, service_id, consent, consent_at, state, state_at, created_at)
             VALUES (1, 1, 1, 'verbal', 'x', ?1, 'x', 'x')",
            [s.code()],
        )
        .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    let no_consent = c.execute(
        "INSERT INTO prescription (client_id, referral_id, service_id, state, state_at, created_at)
         VALUES (1, 1, 1, 'sent', 'x', 'x')",
        [],
    );
    assert!(no_consent.is_err(), "a prescription without consent cannot leave draft");
    for (inst, items, raw) in [
        (Instrument::Ons4, "[1,2,3,4]", None),
        (Instrument::Swemwbs, "[3,3,3,3,3,3,3]", Some(21)),
        (Instrument::Ucla3, "[1,2,3]", Some(6)),
    ] {
        c.execute(
            "INSERT INTO measure (client_id, instrument, timing, taken_on, items, raw_score, created_at)
             VALUES (1, ?1, 'baseline', '2026-01-05', ?2, ?3, 'x')",
            rusqlite::params![inst.code(), items, raw],
        )
        .unwrap_or_else(|e| panic!("{inst}: {e}"));
    }
    let bad_date = c.execute(
        "INSERT INTO client (nhs_number, name, name_key, date_of_birth, created_at, updated_at)
         VALUES ('9992468130', 'B', 'b', '1950-02-30', 'x', 'x')",
        [],
    );
    assert!(bad_date.is_err(), "30 February is not a date");
}

#[test]
fn a_version_1_database_migrates_to_the_same_schema_as_a_new_one_and_keeps_its_rows() {
    // As `check` compares them: comments, and white space about brackets and
    // commas (a column added by ALTER TABLE is stored as ", name TEXT)"), do not count.
    let schema_of = |c: &Connection| migrate::objects(c).unwrap();
    let (_dir, new) = temp_db();
    let fresh = Store::open(&new, None).unwrap();

    let old = new.with_file_name("v1.db");
    {
        let c = Connection::open(&old).unwrap();
        c.execute_batch(include_str!("../src/storage/schema-v1.sql")).unwrap();
        c.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO setting (key, value) VALUES ('worker_name', 'Old Hand');",
        )
        .unwrap();
    }
    let migrated = Store::open(&old, None).unwrap();
    assert_eq!(migrated.schema_version().unwrap(), migrate::LATEST_VERSION);
    assert_eq!(schema_of(migrated.conn()), schema_of(fresh.conn()));
    assert_eq!(migrated.actor().worker, "Old Hand");
    let audited: String =
        migrated.conn().query_row("SELECT summary FROM audit_log WHERE action = 'migrate'", [], |r| r.get(0)).unwrap();
    assert_eq!(audited, format!("schema version 1 -> {}", migrate::LATEST_VERSION));
    assert!(migrated.check().unwrap().is_empty());
}

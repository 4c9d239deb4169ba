//! The audit trail proves itself: a hash chain over every record, append-only
//! triggers that refuse REPLACE, out-of-order ids and back-dating, and `check`
//! naming the first broken record.

use std::path::Path;
use std::process::{Command, Output};

use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LINKWORK_WORKER", "Chain Tester")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("live.db");
    let o = cli(&db, &["demo", "--clients", "60", "--seed", "9"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // A few more records, made the ordinary way.
    for _ in 0..3 {
        let o = cli(&db, &["backup", "--out", dir.join(format!("b{}.db", rand_name())).to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    db
}

fn rand_name() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn refused(conn: &Connection, sql: &str) -> String {
    match conn.execute_batch(sql) {
        Ok(()) => panic!("accepted: {sql}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_record_is_chained_and_check_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let conn = Connection::open(&db).unwrap();
    let head = linkwork::storage::audit::verify_chain(&conn).unwrap().expect("the chain verifies");
    let n: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    assert_eq!(head.unwrap().id, n);
    // Anyone can recompute a record's hash from the README's definition.
    let (prev, id, at, hash): (String, i64, String, String) = conn
        .query_row("SELECT prev_hash, id, at, hash FROM audit_log WHERE id = 2", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    let e =
        linkwork::storage::audit::list(&conn, None, None, 100_000).unwrap().into_iter().find(|e| e.id == id).unwrap();
    assert_eq!(e.at, at);
    use sha2::Digest;
    let content =
        serde_json::json!([e.id, e.at, e.worker, e.os_user, e.action, e.table, e.record_id, e.client_id, e.summary]);
    let mut h = sha2::Sha256::new();
    h.update(prev.as_bytes());
    h.update(content.to_string().as_bytes());
    let recomputed: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(recomputed, hash);
    let o = cli(&db, &["check"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains(&format!("{n} records")), "{}", text(&o.stdout));
}

#[test]
fn rows_can_only_be_appended_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let conn = Connection::open(&db).unwrap();
    let zeros = "0".repeat(64);
    // REPLACE over an existing record (whose delete fires no trigger).
    refused(
        &conn,
        &format!(
            "REPLACE INTO audit_log (id, at, worker, os_user, action, table_name, summary, prev_hash, hash)
             VALUES (1, '2020-01-01T00:00:00Z', 'x', 'x', 'view', 'client', 'rewritten', '{zeros}', '{zeros}')"
        ),
    );
    refused(
        &conn,
        &format!(
            "INSERT OR REPLACE INTO audit_log (id, at, worker, os_user, action, table_name, summary, prev_hash, hash)
             VALUES (2, '2020-01-01T00:00:00Z', 'x', 'x', 'view', 'client', 'rewritten', '{zeros}', '{zeros}')"
        ),
    );
    // Appended, but not linked to the last record.
    refused(
        &conn,
        &format!(
            "INSERT INTO audit_log (at, worker, os_user, action, table_name, summary, prev_hash, hash)
             VALUES (strftime('%Y-%m-%dT%H:%M:%SZ','now'), 'x', 'x', 'view', 'client', 'forged', '{zeros}', '{zeros}')"
        ),
    );
    // Linked, but back-dated.
    let (last, hash): (i64, String) = conn
        .query_row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let e = refused(
        &conn,
        &format!(
            "INSERT INTO audit_log (id, at, worker, os_user, action, table_name, summary, prev_hash, hash)
             VALUES ({}, '2020-01-01T00:00:00Z', 'x', 'x', 'view', 'client', 'back-dated', '{hash}', '{zeros}')",
            last + 1
        ),
    );
    assert!(e.contains("back in time"), "{e}");
    // Dated in the future.
    let e = refused(
        &conn,
        &format!(
            "INSERT INTO audit_log (id, at, worker, os_user, action, table_name, summary, prev_hash, hash)
             VALUES ({}, '2999-01-01T00:00:00Z', 'x', 'x', 'view', 'client', 'future', '{hash}', '{zeros}')",
            last + 1
        ),
    );
    assert!(e.contains("future"), "{e}");
    refused(&conn, "UPDATE audit_log SET summary = 'changed' WHERE id = 1");
    refused(&conn, "DELETE FROM audit_log WHERE id = 1");
    let o = cli(&db, &["check"]);
    assert!(o.status.success(), "{}", text(&o.stdout));
}

/// Tamper with a copy of the database with the triggers out of the way, as
/// someone with the file could; `check` must name what is wrong.
fn tampered(dir: &Path, db: &Path, name: &str, sql: &str) -> (std::path::PathBuf, String) {
    let copy = dir.join(name);
    let o = cli(db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    Connection::open(&copy).unwrap().execute_batch(sql).unwrap();
    let o = cli(&copy, &["check"]);
    assert!(!o.status.success(), "check passed a tampered file: {sql}");
    (copy, text(&o.stdout))
}

const UNGUARD: &str = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";
const REGUARD: &str = "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its records cannot be deleted');
END;";

#[test]
fn check_names_the_first_broken_record_and_restore_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());

    let (changed, said) = tampered(
        dir.path(),
        &db,
        "changed.db",
        &format!("{UNGUARD} UPDATE audit_log SET worker = 'Someone Else' WHERE id = 3; {REGUARD}"),
    );
    assert!(said.contains("audit record 3") && said.contains("changed"), "{said}");

    let (deleted, said) = tampered(
        dir.path(),
        &db,
        "deleted.db",
        &format!("{UNGUARD} DELETE FROM audit_log WHERE id IN (4, 5); {REGUARD}"),
    );
    assert!(said.contains("audit record 6") && said.contains("missing"), "{said}");

    let (dropped, said) = tampered(dir.path(), &db, "dropped.db", "DROP TRIGGER audit_log_no_delete;");
    assert!(said.contains("trigger audit_log_no_delete is missing"), "{said}");

    let (rehashed_middle, said) = tampered(
        dir.path(),
        &db,
        "relinked.db",
        &format!("{UNGUARD} UPDATE audit_log SET hash = '{}' WHERE id = 2; {REGUARD}", "a".repeat(64)),
    );
    assert!(said.contains("audit record 2"), "{said}");

    let (extra, said) = tampered(dir.path(), &db, "extra.db", "CREATE INDEX sneaky ON client(name);");
    assert!(said.contains("index sneaky is not part of linkwork's schema"), "{said}");

    // Restore refuses every one of them, and the live database is unchanged to the byte.
    let live = std::fs::read(&db).unwrap();
    for bad in [&changed, &deleted, &dropped, &rehashed_middle, &extra] {
        let o = cli(&db, &["restore", bad.to_str().unwrap()]);
        assert!(!o.status.success(), "restored {}", bad.display());
        let e = text(&o.stderr);
        assert!(e.contains("did not pass its checks") && e.contains("unchanged"), "{e}");
        assert_eq!(std::fs::read(&db).unwrap(), live, "{} changed the live file", bad.display());
    }
    assert!(!dir.path().join("backups").exists(), "nothing kept, because nothing was replaced");
}

#[test]
fn flipped_bytes_inside_a_record_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let copy = dir.path().join("flipped.db");
    assert!(cli(&db, &["backup", "--out", copy.to_str().unwrap()]).status.success());
    // Find a record's summary in the file and flip 16 bytes of it.
    let mut bytes = std::fs::read(&copy).unwrap();
    let needle = b"backup to ";
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("a record's text in the file");
    for b in &mut bytes[at + 10..at + 26] {
        *b = if b.is_ascii_lowercase() { b.to_ascii_uppercase() } else { b'x' };
    }
    std::fs::write(&copy, &bytes).unwrap();
    let o = cli(&copy, &["check"]);
    assert!(!o.status.success());
    assert!(text(&o.stdout).contains("audit record"), "{}", text(&o.stdout));
    let live = std::fs::read(&db).unwrap();
    let o = cli(&db, &["restore", copy.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", text(&o.stdout));
    assert_eq!(std::fs::read(&db).unwrap(), live);
}

#[test]
fn a_backup_cut_short_is_caught_by_the_head_recorded_when_it_was_made() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let copy = dir.path().join("cut.db");
    let o = cli(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(o.status.success());
    // Cut the last records off the copy, triggers put back: the chain itself still verifies...
    Connection::open(&copy)
        .unwrap()
        .execute_batch(&format!(
            "{UNGUARD} DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log); {REGUARD}"
        ))
        .unwrap();
    assert!(cli(&copy, &["check"]).status.success(), "a shorter chain is still a chain");
    // ...but this database recorded where the backup's trail ended.
    let live = std::fs::read(&db).unwrap();
    let o = cli(&db, &["restore", copy.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("cut short"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(&db).unwrap(), live);
}

#[test]
fn a_version_2_trail_is_chained_by_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v2.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(linkwork::storage::migrate::SCHEMA_V1).unwrap();
        c.execute_batch(match &linkwork::storage::migrate::STEPS[0] {
            linkwork::storage::migrate::Step::Sql(s) => s,
            _ => unreachable!(),
        })
        .unwrap();
        c.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO audit_log (at, worker, os_user, action, table_name, summary)
             VALUES ('2026-01-02T10:00:00Z', 'Old', 'u', 'create', 'client', 'one'),
                    ('2026-01-01T09:00:00Z', 'Old', 'u', 'view', 'client', 'clock set back'),
                    ('2026-01-03T10:00:00Z', 'Old', 'u', 'view', 'client', 'three');",
        )
        .unwrap();
    }
    let o = cli(&db, &["check"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    let c = Connection::open(&db).unwrap();
    let kept: String = c.query_row("SELECT summary FROM audit_log WHERE id = 2", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, "clock set back [recorded at 2026-01-01T09:00:00Z]");
    let migrated: i64 =
        c.query_row("SELECT count(*) FROM audit_log WHERE action = 'migrate'", [], |r| r.get(0)).unwrap();
    assert_eq!(migrated, 1);
}

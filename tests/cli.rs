//! The command line, run as a person or a script would run it.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn run(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("LINKWORK_DB").env_remove("LINKWORK_WORKER");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_creates_and_prints_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lw.db");
    let o = run(&["init", "--db", db.to_str().unwrap(), "--worker", "Rhian Evans"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), db.to_str().unwrap());
    let o = run(&["check"], &[("LINKWORK_DB", &db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = format!("ok (schema version {}", linkwork::storage::migrate::LATEST_VERSION);
    assert!(stdout(&o).starts_with(&expected), "{}", stdout(&o));
    assert!(stdout(&o).contains("audit trail verified"), "{}", stdout(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let worker: String =
        conn.query_row("SELECT value FROM setting WHERE key = 'worker_name'", [], |r| r.get(0)).unwrap();
    assert_eq!(worker, "Rhian Evans");
}

#[test]
fn check_reports_each_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lw.db");
    assert!(run(&["--db", db.to_str().unwrap(), "init"], &[]).status.success());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO referral (client_id, received_on, created_at, updated_at) VALUES (4242, '2026-01-01', 'x', 'x');",
    )
    .unwrap();
    drop(conn);
    let o = run(&["--db", db.to_str().unwrap(), "check"], &[]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("foreign key: referral row 1 refers to a missing client row"), "{}", stdout(&o));
}

#[test]
fn a_newer_schema_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let newer = linkwork::storage::migrate::LATEST_VERSION + 1;
    rusqlite::Connection::open(&db).unwrap().execute_batch(&format!("PRAGMA user_version = {newer};")).unwrap();
    let o = run(&["--db", db.to_str().unwrap(), "check"], &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("linkwork: ") && err.contains("newer version of linkwork"), "{err}");
}

#[test]
fn demo_fills_once_and_refuses_to_mix() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let o = run(&["--db", db.to_str().unwrap(), "demo", "--clients", "50", "--seed", "3", "--weeks", "26"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("50 clients"), "{}", stdout(&o));
    let o = run(&["--db", db.to_str().unwrap(), "demo", "--clients", "50"], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("empty database"), "{}", stderr(&o));
    let o = run(&["--db", db.to_str().unwrap(), "demo", "--clients", "0"], &[]);
    assert!(!o.status.success());
}

#[test]
fn the_demo_flag_makes_demo_db_beside_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let main_db = dir.path().join("linkwork.db");
    let o = run(&["--demo", "check"], &[("LINKWORK_DB", &main_db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("demo.db").exists());
    assert!(!main_db.exists(), "the real database is not touched by --demo");
    assert!(!dir.path().join("demo.db.partial").exists());
    // The demo database has its worker already set.
    let conn = rusqlite::Connection::open(dir.path().join("demo.db")).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM setting WHERE key = 'worker_name'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn bad_arguments_are_explained() {
    let o = run(&["demo", "--today", "23/11/2026"], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("expected YYYY-MM-DD"), "{}", stderr(&o));
}

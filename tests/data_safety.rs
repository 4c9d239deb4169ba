//! Backups, restore, the audit trail and two programs on one database.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cli(db: &Path, args: &[&str]) -> Output {
    cli_env(db, args, &[])
}

fn cli_env(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).args(args).env("LINKWORK_WORKER", "Safety Tester").env_remove("LINKWORK_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("live.db");
    let o = cli(&db, &["demo", "--clients", "200", "--seed", "4"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    db
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = count(&db, "SELECT count(*) FROM referral");
    let copy = dir.path().join("copy.db");

    let o = cli(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("integrity ok"), "{}", text(&o.stdout));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(count(&copy, "SELECT count(*) FROM referral"), before);
    // A backup never overwrites a file.
    let again = cli(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again.stderr).contains("already exists"));

    // Change the live database, then restore the copy.
    let add = cli(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9997654323",
            "--name",
            "After Backup",
            "--dob",
            "1960-01-01",
            "--reason",
            "money",
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), before + 1);
    let o = cli(&db, &["restore", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), before, "the copy's contents are back");
    assert_eq!(count(&db, "SELECT count(*) FROM client WHERE name = 'After Backup'"), 0);

    // The replaced contents were kept, with the referral made after the backup.
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(count(&kept[0], "SELECT count(*) FROM client WHERE name = 'After Backup'"), 1);
    // The restore is in the restored database's audit trail, and it is sound.
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log WHERE action = 'restore' AND worker = 'Safety Tester'"), 1);
    let check = cli(&db, &["check"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    let mode: String = Connection::open(&db).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn restore_refuses_bad_files_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = count(&db, "SELECT count(*) FROM referral");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "this is not a database at all, just text ".repeat(200)).unwrap();
    let o = cli(&db, &["restore", junk.to_str().unwrap()]);
    assert!(!o.status.success());
    let foreign = dir.path().join("foreign.db");
    Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let o = cli(&db, &["restore", foreign.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o.stderr).contains("not a linkwork database"), "{}", text(&o.stderr));
    let newer = dir.path().join("newer.db");
    std::fs::copy(&db, &newer).unwrap();
    Connection::open(&newer).unwrap().execute_batch("PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;").unwrap();
    let o = cli(&db, &["restore", newer.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o.stderr).contains("newer linkwork"), "{}", text(&o.stderr));
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), before);
    assert!(!dir.path().join("backups").exists(), "nothing kept because nothing was replaced");
}

#[test]
fn daily_backups_keep_the_last_fourteen() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    // Sixteen old daily backups and one unrelated file.
    for day in 1..=16 {
        std::fs::write(backups.join(format!("live-2026-01-{day:02}.db")), b"old").unwrap();
    }
    std::fs::write(backups.join("keep-me.txt"), b"x").unwrap();
    let store = linkwork::storage::Store::open(&db, Some("T")).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let made = linkwork::storage::backup::daily(&store, today, None).unwrap().expect("a backup today");
    assert!(made.path.ends_with("backups/live-2026-11-23.db"));
    assert!(linkwork::storage::backup::daily(&store, today, None).unwrap().is_none(), "once a day");
    let mut names: Vec<String> =
        std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 15, "{names:?}");
    assert!(names.contains(&"keep-me.txt".to_owned()));
    assert!(!names.contains(&"live-2026-01-01.db".to_owned()) && !names.contains(&"live-2026-01-03.db".to_owned()));
    assert!(names.contains(&"live-2026-01-04.db".to_owned()));
}

#[test]
fn audit_cli_lists_by_client_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let o = cli(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9997654323",
            "--name",
            "Audit Person",
            "--dob",
            "1960-01-01",
            "--reason",
            "money",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let client: i64 = count(&db, "SELECT id FROM client");
    let o = cli(&db, &["audit", "--client", &client.to_string(), "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "the person and the referral were created: {entries:?}");
    assert!(entries.iter().all(|e| e["worker"] == "Safety Tester" && e["client_id"] == client));
    let o = cli(&db, &["audit", "--since", "2999-01-01"]);
    assert!(o.status.success() && o.stdout.is_empty());
    let o = cli(&db, &["audit"]);
    assert!(text(&o.stdout).contains("create  referral 1 (client 1): referral received"), "{}", text(&o.stdout));
}

const ADD_WAITING_PERSON: [&str; 10] =
    ["referral", "add", "--nhs", "9997654323", "--name", "Waiting Person", "--dob", "1960-01-01", "--reason", "money"];

#[test]
fn a_write_lock_held_too_long_gives_a_clear_message_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    assert!(cli(&db, &["init"]).status.success());
    let holder = Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE; INSERT INTO setting (key, value) VALUES ('held', '1');").unwrap();
    let t = Instant::now();
    let o = cli_env(&db, &ADD_WAITING_PERSON, &[("LINKWORK_BUSY_TIMEOUT_MS", "300")]);
    assert!(t.elapsed() < Duration::from_secs(5), "the wait is bounded");
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("held the database for too long") && err.contains("nothing was changed"), "{err}");
    holder.execute_batch("COMMIT;").unwrap();
    // Reading never waited: the list worked while the lock was held? Now the add works.
    let o = cli(&db, &ADD_WAITING_PERSON);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(count(&db, "SELECT count(*) FROM referral"), 1);
}

#[test]
fn reading_never_waits_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(
        cli(
            &db,
            &["referral", "add", "--nhs", "9997654323", "--name", "P", "--dob", "1960-01-01", "--reason", "money"]
        )
        .status
        .success()
    );
    let holder = Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE; UPDATE referral SET notes = 'in progress';").unwrap();
    let o = cli_env(&db, &["referral", "list", "--json"], &[("LINKWORK_BUSY_TIMEOUT_MS", "300")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    holder.execute_batch("ROLLBACK;").unwrap();
}

#[test]
fn a_network_share_path_is_refused() {
    let o = Command::new(BIN).args(["--db", r"\\practice-nas\shared\linkwork.db", "check"]).output().unwrap();
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("network share"), "{}", text(&o.stderr));
}

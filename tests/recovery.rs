//! Data safety, round two: restore checks everything before it touches the live
//! database; backups are whole or absent; a signed export and its record exist
//! both or neither; a program holding the database open notices when another
//! replaces it; leftovers of a killed linkwork are put right at the next start;
//! and the errors say plainly what is wrong. The process is killed at every
//! named step of restore, backup and export (see `linkwork::faults`).

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cli_env(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).args(args).env("LINKWORK_WORKER", "Recovery Tester").env_remove("LINKWORK_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn cli(db: &Path, args: &[&str]) -> Output {
    cli_env(db, args, &[])
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn demo(dir: &Path, name: &str, seed: &str) -> PathBuf {
    let db = dir.join(name);
    ok(&cli(&db, &["demo", "--clients", "80", "--seed", seed]));
    db
}

fn add_person(db: &Path, nhs: &str, name: &str) {
    ok(&cli(db, &["referral", "add", "--nhs", nhs, "--name", name, "--dob", "1960-01-01", "--reason", "money"]));
}

/// Every file in `dir` and below whose name says it is unfinished.
fn partials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(partials(&p));
        } else if p.file_name().unwrap().to_string_lossy().contains(".partial") {
            found.push(p);
        }
    }
    found
}

fn killed(o: &Output) -> bool {
    use std::os::unix::process::ExitStatusExt;
    o.status.signal().is_some()
}

#[test]
fn a_file_that_is_not_a_sound_linkwork_database_is_refused_and_the_live_one_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let live = std::fs::read(&db).unwrap();
    for version in [1, 2, 3] {
        let fake = dir.path().join(format!("fake{version}.db"));
        Connection::open(&fake)
            .unwrap()
            .execute_batch(&format!("CREATE TABLE audit_log(x); PRAGMA user_version = {version};"))
            .unwrap();
        let o = cli(&db, &["restore", fake.to_str().unwrap()]);
        assert!(!o.status.success());
        let e = text(&o.stderr);
        assert!(e.contains("nothing was restored; the database is unchanged"), "{e}");
        assert_eq!(std::fs::read(&db).unwrap(), live, "version {version}");
        ok(&cli(&db, &["check"]));
        ok(&cli(&db, &["referral", "list"]));
    }
    assert!(!dir.path().join("backups").exists());
}

#[test]
fn a_backup_with_another_page_size_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let copy = dir.path().join("copy.db");
    ok(&cli(&db, &["backup", "--out", copy.to_str().unwrap()]));
    Connection::open(&copy).unwrap().execute_batch("PRAGMA page_size = 8192; VACUUM;").unwrap();
    assert_eq!(count(&copy, "PRAGMA page_size"), 8192);
    add_person(&db, "9997654323", "After Backup");
    let said = ok(&cli(&db, &["restore", copy.to_str().unwrap()]));
    assert!(said.contains("previous contents are kept in"), "{said}");
    assert_eq!(count(&db, "SELECT count(*) FROM client WHERE name = 'After Backup'"), 0);
    ok(&cli(&db, &["check"]));
    // The restore is the last record of the restored trail, and names what was kept.
    let summary: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT summary FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(summary.starts_with("restored from") && summary.contains("before-restore-"), "{summary}");
}

#[test]
fn daily_backups_count_only_checked_files_and_a_cancelled_one_leaves_nothing() {
    use linkwork::storage::{Store, backup};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "5");
    let store = Store::open(&db, Some("t")).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    // An older linkwork cut off today's backup half way: a partial file with a hot journal.
    let cut = backups.join("lw-2026-11-25.db");
    std::fs::write(&cut, b"SQLite format 3\0 and then nothing").unwrap();
    std::fs::write(backups.join("lw-2026-11-25.db-journal"), b"journal").unwrap();
    // And a temporary file of a linkwork that was killed.
    let dead = {
        let mut c = Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    };
    let leftover = backups.join(format!(".lw-2026-11-24.db.{dead}.partial"));
    std::fs::write(&leftover, b"personal data").unwrap();

    // Quitting at once: nothing is left behind, nothing counts.
    let cancel = std::sync::atomic::AtomicBool::new(true);
    assert!(backup::daily(&store, today, Some(&cancel)).is_err());
    assert!(!cut.exists(), "the unchecked file was removed");
    assert!(!leftover.exists(), "the dead process's partial file was removed");
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 0, "nothing half-made is left");

    let made = backup::daily(&store, today, None).unwrap().expect("made again");
    assert_eq!(made.path, cut);
    assert!(backup::verify(&cut).is_ok());
    assert!(!backups.join("lw-2026-11-25.db-journal").exists());
    assert!(backup::daily(&store, today, None).unwrap().is_none(), "a checked one is kept");
}

#[test]
fn killed_at_every_step_of_backup_restore_and_export_nothing_is_half_done() {
    use linkwork::faults::POINTS;
    let dir = tempfile::tempdir().unwrap();
    let base = demo(dir.path(), "base.db", "7");
    // A prescription with consent, ready to export.
    let client: i64 = Connection::open(&base)
        .unwrap()
        .query_row(
            "SELECT r.client_id FROM referral r WHERE r.status IN ('active', 'booked') ORDER BY r.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let service: i64 = count(&base, "SELECT id FROM service WHERE status = 'active' ORDER BY id LIMIT 1");
    let out = ok(&cli(
        &base,
        &["prescribe", "--client", &client.to_string(), "--service", &service.to_string(), "--consent", "verbal"],
    ));
    let prescription = out.trim().to_owned();
    let backup_file = dir.path().join("before.db");
    ok(&cli(&base, &["backup", "--out", backup_file.to_str().unwrap()]));
    add_person(&base, "9997654323", "After Backup");

    for point in POINTS {
        let case = dir.path().join(point.replace(':', "-"));
        std::fs::create_dir(&case).unwrap();
        let db = case.join("lw.db");
        ok(&cli(&base, &["backup", "--out", db.to_str().unwrap()]));
        let (args, kind): (Vec<String>, &str) = match point.split(':').next().unwrap() {
            "backup" => (vec!["backup".into(), "--out".into(), case.join("b.db").to_string_lossy().into()], "backup"),
            "restore" => (vec!["restore".into(), backup_file.to_string_lossy().into()], "restore"),
            _ => (
                vec![
                    "export".into(),
                    "referral".into(),
                    prescription.clone(),
                    "--out".into(),
                    case.join("r.jws.json").to_string_lossy().into(),
                ],
                "export",
            ),
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = cli_env(&db, &args, &[(linkwork::faults::ENV, point)]);
        assert!(killed(&o), "{point}: not killed: {}{}", text(&o.stdout), text(&o.stderr));

        // The next start puts right what was left, and the database is sound.
        let check = cli(&db, &["check"]);
        assert!(check.status.success(), "{point}: {}{}", text(&check.stdout), text(&check.stderr));
        assert_eq!(partials(&case), Vec::<PathBuf>::new(), "{point}: temporary files left");
        match kind {
            "backup" => {
                let b = case.join("b.db");
                if b.exists() {
                    ok(&cli(&b, &["check"]));
                }
            }
            "restore" => {
                // Entirely the old contents or entirely the backup's.
                let after = count(&db, "SELECT count(*) FROM client WHERE name = 'After Backup'");
                let restored = count(&db, "SELECT count(*) FROM audit_log WHERE action = 'restore'");
                assert!((after, restored) == (1, 0) || (after, restored) == (0, 1), "{point}: {after} {restored}");
            }
            _ => {
                let file = case.join("r.jws.json");
                let state: String = Connection::open(&db)
                    .unwrap()
                    .query_row("SELECT state FROM prescription WHERE id = ?1", [&prescription], |r| r.get(0))
                    .unwrap();
                let audited = count(
                    &db,
                    "SELECT count(*) FROM audit_log WHERE action = 'export' AND table_name = 'prescription'",
                );
                if file.exists() {
                    assert_eq!((state.as_str(), audited), ("sent", 1), "{point}: a file without its record");
                    ok(&cli(&db, &["verify", file.to_str().unwrap()]));
                } else {
                    assert_eq!((state.as_str(), audited), ("draft", 0), "{point}: a record without its file");
                }
            }
        }
    }
}

#[test]
fn loose_permissions_are_tightened_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let shm = dir.path().join("lw.db-shm");
    std::fs::write(&shm, b"").unwrap();
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = cli(&db, &["referral", "list"]);
    ok(&o);
    let said = text(&o.stderr);
    assert!(
        said.contains("lw.db could be read or written by other accounts") && said.contains("now yours only (600)"),
        "{said}"
    );
    assert!(said.contains("lw.db-shm could be read"), "{said}");
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
    // Writing works after a read-only -shm.
    add_person(&db, "9997654323", "After Shm");
}

#[test]
fn another_programs_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for version in [0, 1] {
        let foreign = dir.path().join(format!("foreign{version}.db"));
        Connection::open(&foreign)
            .unwrap()
            .execute_batch(&format!("CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = {version};"))
            .unwrap();
        let before = std::fs::read(&foreign).unwrap();
        let o = cli(&foreign, &["referral", "list"]);
        assert!(!o.status.success());
        let e = text(&o.stderr);
        assert!(e.contains("not a linkwork database") && e.contains("not been changed"), "{e}");
        assert!(!e.contains("no such"), "{e}");
        assert_eq!(std::fs::read(&foreign).unwrap(), before, "not even switched to WAL");
        assert!(!dir.path().join(format!("foreign{version}.db-wal")).exists());
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_full_disk_during_a_backup_leaves_no_file_to_block_the_retry() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let out = dir.path().join("b.db");
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(&db).args(["backup", "--out", out.to_str().unwrap()]).env("LINKWORK_WORKER", "t");
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // Files may not grow past 64 KiB: as a full disk, writes fail.
            let limit = libc::rlimit { rlim_cur: 64 * 1024, rlim_max: 64 * 1024 };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("nothing was changed"), "{}", text(&o.stderr));
    assert!(!out.exists(), "no file is left to block the retry");
    assert_eq!(partials(dir.path()), Vec::<PathBuf>::new());
    ok(&cli(&db, &["backup", "--out", out.to_str().unwrap()]));
}

/// Start `n` linkworks with `args` at once; every one must succeed.
fn all_succeed(n: usize, db: &Path, args: &[&str]) {
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(BIN)
                .arg("--db")
                .arg(db)
                .args(args)
                .env("LINKWORK_WORKER", "t")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
}

#[test]
fn many_first_uses_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    all_succeed(20, &db, &["referral", "list"]);
    ok(&cli(&db, &["check"]));
}

#[test]
fn several_demo_starts_at_once_make_one_sound_demo() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = dir.path().join("lw.db");
    all_succeed(3, &anchor, &["--demo", "referral", "list"]);
    let demo = dir.path().join("demo.db");
    assert_eq!(
        Connection::open(&demo)
            .unwrap()
            .query_row("SELECT value FROM setting WHERE key = 'is_demo'", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "1"
    );
    assert!(count(&demo, "SELECT count(*) FROM client") > 0);
    assert_eq!(partials(dir.path()), Vec::<PathBuf>::new());
    // A file at the demo's name that is not a demo is never used as one.
    let fake = tempfile::tempdir().unwrap();
    let anchor = fake.path().join("lw.db");
    ok(&cli(&fake.path().join("demo.db"), &["init"]));
    let o = cli(&anchor, &["--demo", "referral", "list"]);
    assert!(!o.status.success() && text(&o.stderr).contains("not a demo database"), "{}", text(&o.stderr));
}

#[test]
fn opening_a_record_never_waits_for_another_writer() {
    use linkwork::storage::{Store, client};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let store = Store::open(&db, Some("t")).unwrap();
    let id: i64 = count(&db, "SELECT min(id) FROM client");
    let views = || count(&db, "SELECT count(*) FROM audit_log WHERE action = 'view'");
    let before = views();
    // Another program holds the write lock.
    let other = Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; INSERT INTO setting (key, value) VALUES ('x', 'y');").unwrap();
    let viewed = client::view(&store, id).unwrap();
    assert!(viewed.detail.is_some(), "the record is shown at once");
    let at = viewed.audit_waiting.expect("its view record waits for the other writer");
    other.execute_batch("COMMIT").unwrap();
    assert!(client::record_view(&store, id, 1, Some(&at), std::time::Duration::ZERO).unwrap());
    assert_eq!(views(), before + 1);
    let summary: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT summary FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(summary.contains(&format!("viewed at {at}")), "{summary}");
}

#[test]
fn the_terminal_ui_notices_a_restore_and_never_acts_on_the_wrong_person() {
    use linkwork::storage::Store;
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    // Another database with other people at the same ids.
    let other = demo(dir.path(), "other.db", "99");
    let press = |app: &mut App, c: char| {
        app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    };
    let today = chrono::Local::now().date_naive();
    let mut app =
        App::new(Store::open(&db, Some("t")).unwrap(), today, Theme { colour: false }, (100, 30), false).unwrap();
    let shown = app.state.caseload.list.selected_row().cloned().expect("someone to triage");
    press(&mut app, 'a');
    assert!(app.state.undo.is_some(), "{:?}", app.state.message);

    // Another program restores a different database over this one.
    ok(&cli(&db, &["restore", other.to_str().unwrap()]));
    let status_of = |referral: i64| -> String {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT status FROM referral WHERE id = ?1", [referral], |r| r.get(0))
            .unwrap_or_default()
    };
    let now_selected = app.state.caseload.list.selected_row().cloned().unwrap();
    let before = status_of(now_selected.referral_id);
    press(&mut app, 'a');
    assert_eq!(status_of(now_selected.referral_id), before, "the key was not acted on");
    let said = app.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("Restored by another program") && said.chars().count() <= 80, "{said}");
    assert!(app.state.undo.is_none(), "undo dropped");
    press(&mut app, 'u');
    assert_eq!(status_of(shown.referral_id), status_of(shown.referral_id));
    // What is shown now is read from the restored database.
    let row = app.state.caseload.list.selected_row().cloned().unwrap();
    let nhs: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT nhs_number FROM client WHERE id = ?1", [row.client_id], |r| r.get(0))
        .unwrap();
    assert_eq!(row.nhs_number, nhs);
}

#[test]
fn a_decision_checks_the_referral_is_still_the_person_on_screen() {
    use linkwork::domain::triage::Action;
    use linkwork::storage::{Store, referrals};
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let mut store = Store::open(&db, Some("t")).unwrap();
    let (referral, nhs): (i64, String) = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT r.id, c.nhs_number FROM referral r JOIN client c ON c.id = r.client_id WHERE r.status = 'new' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let today = chrono::Local::now().date_naive();
    let wrong = referrals::decide_for(&mut store, referral, Some("9990000018"), &Action::Accept, today);
    assert!(format!("{:#}", wrong.unwrap_err()).contains("no longer the one on screen"));
    assert_eq!(count(&db, &format!("SELECT count(*) FROM referral WHERE id = {referral} AND status = 'new'")), 1);
    referrals::decide_for(&mut store, referral, Some(&nhs), &Action::Accept, today).unwrap();
}

#[test]
fn a_restore_that_fails_after_keeping_a_copy_names_it_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "lw.db", "3");
    let copy = dir.path().join("copy.db");
    ok(&cli(&db, &["backup", "--out", copy.to_str().unwrap()]));
    add_person(&db, "9997654323", "After Backup");
    let live = std::fs::read(&db).unwrap();
    // Another program holds the write lock through the whole restore.
    let other = Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let o = cli_env(&db, &["restore", copy.to_str().unwrap()], &[("LINKWORK_BUSY_TIMEOUT_MS", "300")]);
    other.execute_batch("ROLLBACK").unwrap();
    assert!(!o.status.success(), "{}", text(&o.stdout));
    let e = text(&o.stderr);
    assert!(e.contains("nothing was restored; the database is unchanged"), "{e}");
    let kept: Vec<PathBuf> =
        std::fs::read_dir(dir.path().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 1);
    assert!(e.contains(&kept[0].display().to_string()), "the message names the kept copy: {e}");
    assert_eq!(std::fs::read(&db).unwrap(), live);
    assert_eq!(count(&db, "SELECT count(*) FROM client WHERE name = 'After Backup'"), 1);
    assert_eq!(partials(dir.path()), Vec::<PathBuf>::new());
}

//! End-to-end: the real binary in a pseudo-terminal, its screen read back with
//! the vt100 crate, as a person would see it.

#![cfg(unix)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use linkwork::storage::Store;
use linkwork::storage::caseload::{self, Filter, View};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");
const COLS: u16 = 100;
const ROWS: u16 = 30;

struct Session {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("LINKWORK_DB");
        cmd.env("LINKWORK_WORKER", "Pty Tester");
        let child = pty.slave.spawn_command(cmd).expect("spawn linkwork");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session { master: pty.master, child, writer, screen, raw }
    }

    /// Change the terminal's size, as dragging the window does (SIGWINCH).
    fn resize(&mut self, cols: u16, rows: u16) {
        self.screen.lock().unwrap().screen_mut().set_size(rows, cols);
        self.master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Wait until the screen shows `needle`, or fail with what it shows.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {needle:?}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_until_gone(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if !text.contains(needle) {
                return text;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {needle:?} to go; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn keys(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the program read the keys one burst at a time.
        std::thread::sleep(Duration::from_millis(60));
    }

    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Give the reader a moment to take the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            if start.elapsed() > Duration::from_secs(15) {
                let _ = self.child.kill();
                panic!("linkwork did not exit; the screen shows:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";

fn demo_db(dir: &Path) -> PathBuf {
    let path = dir.join("e2e.db");
    let out = std::process::Command::new(BIN)
        .args(["--db", path.to_str().unwrap(), "demo", "--clients", "300", "--seed", "9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    path
}

#[test]
fn switch_panes_help_filter_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // What the screen should show, read from the database the same way.
    let store = Store::open(&db, Some("check")).unwrap();
    let triage = caseload::count(store.conn(), View::ToTriage, &Filter::default()).unwrap();
    let first = caseload::window(store.conn(), View::ToTriage, &Filter::default(), 0, 1).unwrap().remove(0);
    let services: i64 = store.conn().query_row("SELECT count(*) FROM service", [], |r| r.get(0)).unwrap();
    let fragment: String = first.name.chars().take(4).collect();
    let filtered = caseload::count(store.conn(), View::ToTriage, &Filter::new(&fragment)).unwrap();
    drop(store);

    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    let screen = s.wait_for(&format!("Caseload: To triage ({triage})"));
    assert!(screen.contains(&first.name), "{screen}");
    assert!(screen.contains("q quit"), "bottom bar: {screen}");

    s.keys("2");
    let screen = s.wait_for("Client assessment:");
    assert!(screen.contains(&first.name), "{screen}");
    assert!(screen.contains("Current episode"), "{screen}");

    s.keys("3");
    s.wait_for(&format!("Service directory ({services})"));

    s.keys("?");
    let screen = s.wait_for("Help: Service directory");
    assert!(screen.contains("search services"), "{screen}");
    s.keys("\x1b");
    s.wait_until_gone("Help: Service directory");

    s.keys("\t"); // Tab: the dashboard, Today, then round to the caseload
    let screen = s.wait_for("New referrals per week");
    assert!(screen.contains("Open episodes now") && screen.contains("Wellbeing change"), "{screen}");
    s.keys("\t");
    s.wait_for("Today, ");
    s.keys("\t");
    s.wait_for("Caseload: To triage");
    s.keys("/");
    s.keys(&fragment);
    let screen = s.wait_for(&format!("Caseload: To triage ({filtered})"));
    assert!(screen.contains(&first.name), "{screen}");
    s.keys("\r");
    s.keys("v");
    s.wait_for("Caseload: My caseload (");

    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    let raw = s.raw();
    assert!(contains(&raw, ENTER_ALT) && contains(&raw, LEAVE_ALT), "alternate screen left");
    assert!(!s.screen.lock().unwrap().screen().alternate_screen());

    // The record opened in pane 2 was audited as a view by the worker.
    let store = Store::open(&db, None).unwrap();
    let views: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'view' AND worker = 'Pty Tester' AND client_id = ?1",
            [first.client_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(views, 1);
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    s.wait_for("Caseload: To triage");
    let pid = s.child.process_id().expect("pid");
    let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    s.wait_exit();
    assert!(contains(&s.raw(), LEAVE_ALT), "terminal restored after SIGTERM");
    assert!(!s.screen.lock().unwrap().screen().alternate_screen());
}

#[test]
fn a_bad_db_path_fails_before_touching_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("no/such/folder/x.db");
    let mut s = Session::start(&["--db", bad.to_str().unwrap()]);
    let code = s.wait_exit();
    assert_ne!(code, 0);
    let raw = s.raw();
    assert!(!contains(&raw, ENTER_ALT), "the terminal was never switched");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("does not exist"), "{text}");
}

#[test]
fn resize_below_minimum_says_so_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    s.wait_for("Caseload: To triage");
    s.resize(70, 20);
    let screen = s.wait_for("too small");
    assert!(screen.contains("70x20") && screen.contains("80x24"), "{screen}");
    s.resize(80, 24);
    s.wait_for("Caseload: To triage");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// Five referrals triaged with single keys, the way a worker goes down the list;
/// then the database says what the keys did.
#[test]
fn triage_five_referrals_with_single_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("triage.db");
    let today = chrono::Local::now().date_naive();
    let mut ids = Vec::new();
    let mut k = 0u32;
    while ids.len() < 6 {
        k += 1;
        let nine: [u8; 9] = [9, 9, 9, 1, 0, 0, 0, (k / 10) as u8, (k % 10) as u8];
        let Some(nhs) = linkwork::domain::NhsNumber::complete(nine) else { continue };
        let n = ids.len();
        let received = (today - chrono::Duration::days(10 - n as i64)).to_string();
        let out = std::process::Command::new(BIN)
            .args(["--db", db.to_str().unwrap(), "referral", "add", "--nhs", &nhs.digits()])
            .args(["--name", &format!("Person {}", n + 1), "--dob", "1960-01-01", "--reason", "loneliness"])
            .args(["--received", &received])
            .env("LINKWORK_WORKER", "Pty Tester")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        ids.push(String::from_utf8_lossy(&out.stdout).trim().parse::<i64>().unwrap());
    }

    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    s.wait_for("Caseload: To triage (6)");
    s.keys("a"); // Person 1: accepted, leaves the list
    s.wait_for("Caseload: To triage (5)");
    s.keys("c");
    s.wait_for("Contact attempt");
    s.keys("2"); // Person 2: no answer, stays (contacting), selection moves on
    s.wait_for("no answer");
    s.keys("b");
    s.wait_for("First appointment: YYYY-MM-DD HH:MM");
    s.keys("\r"); // Person 3: booked for the next working day at 10:00
    s.wait_for("Caseload: To triage (4)");
    s.keys("t");
    s.wait_for("Transfer to");
    s.keys("Community mental health team\r"); // Person 4: transferred
    s.wait_for("Caseload: To triage (3)");
    s.keys("c");
    s.wait_for("Contact attempt");
    s.keys("1"); // Person 5: reached, with a note of what was said
    s.wait_for("Reached: a note");
    s.keys("Rang back; happy to meet\r");
    s.wait_for("reached");
    s.keys("u"); // ... and undone
    s.wait_for("Undone");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);

    let store = Store::open(&db, None).unwrap();
    let state = |id: i64| -> (String, Option<String>, Option<String>, Option<String>) {
        store
            .conn()
            .query_row("SELECT status, outcome, appointment_on, close_note FROM referral WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
    };
    assert_eq!(state(ids[0]).0, "active");
    assert_eq!(state(ids[1]).0, "contacting");
    let booked = state(ids[2]);
    assert_eq!(booked.0, "booked");
    let day: chrono::NaiveDate = booked.2.unwrap().parse().unwrap();
    assert!(day > today && (day - today).num_days() <= 3, "{day}");
    let (starts, kind): (String, String) = store
        .conn()
        .query_row("SELECT starts_at, kind FROM appointment WHERE referral_id = ?1", [ids[2]], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((starts, kind.as_str()), (format!("{day} 10:00"), "phone"), "the appointment itself is booked");
    assert_eq!(
        state(ids[3]),
        ("closed".into(), Some("transferred".into()), None, Some("Community mental health team".into()))
    );
    assert_eq!(state(ids[4]).0, "new", "undone");
    assert_eq!(state(ids[5]).0, "new");
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE worker = 'Pty Tester' AND summary LIKE 'triage%'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 6, "five decisions and one undo, each audited by name");
    let log: i64 = store.conn().query_row("SELECT count(*) FROM contact", [], |r| r.get(0)).unwrap();
    assert_eq!(log, 4, "one log entry per decision that stands");
}

/// The TUI open while a command-line import writes to the same database: both
/// work, and the TUI shows the new referrals on `r` and when it regains focus.
#[test]
fn tui_and_cli_import_share_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    assert!(
        std::process::Command::new(BIN)
            .args(["--db", db.to_str().unwrap(), "init", "--worker", "A"])
            .status()
            .unwrap()
            .success()
    );
    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    s.wait_for("Caseload: To triage (0)");

    let mut csv = String::from("nhs_number,name,date_of_birth,reason\n");
    let mut n = 0;
    for k in 0..200u32 {
        let nine = [9, 9, 9, 3, 0, 0, (k / 100) as u8, (k / 10 % 10) as u8, (k % 10) as u8];
        if let Some(nhs) = linkwork::domain::NhsNumber::complete(nine) {
            csv.push_str(&format!("{},Imported {n},1970-01-01,loneliness\n", nhs.digits()));
            n += 1;
        }
    }
    let file = dir.path().join("in.csv");
    std::fs::write(&file, csv).unwrap();
    let import = std::process::Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "referral", "import", file.to_str().unwrap()])
        .env("LINKWORK_WORKER", "B")
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    // The TUI is still at work while the import ran; it shows the import on request.
    s.keys("j");
    s.keys("r");
    s.wait_for(&format!("Caseload: To triage ({n})"));

    // A second import, then the terminal reports focus regained (CSI I).
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "nhs_number,name,date_of_birth,reason\n9997654323,One More,1970-01-01,money\n").unwrap();
    let import = std::process::Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "referral", "import", more.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(import.status.success());
    s.keys("\x1b[I");
    s.wait_for(&format!("Caseload: To triage ({})", n + 1));
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// A SWEMWBS follow-up recorded through the form, and the change it makes on
/// the client's record.
#[test]
fn record_a_swemwbs_follow_up_through_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("measure.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("LINKWORK_WORKER", "Pty Tester")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    run(&[
        "referral",
        "add",
        "--nhs",
        "9997654323",
        "--name",
        "Gwen Measure",
        "--dob",
        "1950-01-01",
        "--reason",
        "loneliness",
        "--received",
        &(chrono::Local::now().date_naive() - chrono::Duration::days(40)).to_string(),
    ]);
    // The baseline five weeks ago: a follow-up comes at least 28 days after it.
    let baseline = (chrono::Local::now().date_naive() - chrono::Duration::days(35)).to_string();
    run(&[
        "measure",
        "add",
        "--client",
        "1",
        "--instrument",
        "swemwbs",
        "--items",
        "3,3,3,3,3,3,3",
        "--when",
        &baseline,
    ]);

    let mut s = Session::start(&["--db", db.to_str().unwrap()]);
    s.wait_for("Today, ");
    s.keys("1");
    s.wait_for("Gwen Measure");
    s.keys("\r");
    s.wait_for("SWEMWBS metric score");
    s.keys("w");
    s.wait_for("Record a wellbeing measure");
    s.keys("2");
    s.wait_for("SWEMWBS follow-up");
    s.keys("9"); // out of range: said at once, and the cursor stays
    s.wait_for("expected 1 to 5");
    s.keys("\x7f"); // backspace
    s.keys("4444444");
    s.keys("\r");
    let screen = s.wait_for("SWEMWBS recorded: raw 28, metric 25.03");
    assert!(screen.contains("19.25") && screen.contains("25.03") && screen.contains("+5.78"), "{screen}");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    let store = Store::open(&db, None).unwrap();
    let (timing, metric): (String, f64) = store
        .conn()
        .query_row("SELECT timing, metric_score FROM measure ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((timing.as_str(), metric), ("follow_up", 25.03));
}

/// A Link Worker's morning (issue 16), key by key on a real terminal: the
/// program opens on Today; a referral is booked for 10:30 from triage and marked
/// attended; a follow-up is set; a closed client is found by phone number, their
/// postcode corrected and a safeguarding concern raised. The database afterwards
/// holds each change with its audit record.
#[test]
fn a_morning_from_today_to_a_safeguarding_concern() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("morning.db");
    let d = db.to_str().unwrap();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .args(["--db", d])
            .args(args)
            .env("LINKWORK_WORKER", "Pty Tester")
            .env_remove("LINKWORK_DB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    cli(&[
        "referral",
        "add",
        "--nhs",
        "9990000018",
        "--name",
        "Morning Person",
        "--dob",
        "1950-01-01",
        "--reason",
        "loneliness",
    ]);
    cli(&[
        "referral",
        "add",
        "--nhs",
        "9990000026",
        "--name",
        "Closed Person",
        "--dob",
        "1960-02-02",
        "--reason",
        "money",
        "--phone",
        "07700 900555",
        "--postcode",
        "LS1 4AP",
    ]);
    cli(&["referral", "decide", "2", "reached"]);
    cli(&["referral", "decide", "2", "decline", "Not now"]);
    // 10:30 today if it has come (so it can be attended), else this very minute.
    let now = linkwork::storage::appointments::uk_now();
    let half_ten = chrono::NaiveTime::from_hms_opt(10, 30, 0).unwrap();
    let time = if now.time() >= half_ten { half_ten } else { now.time() };
    let when = format!("{} {}", now.date(), time.format("%H:%M"));

    let mut s = Session::start(&["--db", d]);
    s.wait_for("Today, ");
    s.wait_for("Nothing due today"); // an empty day says so
    s.keys("1");
    s.wait_for("Caseload: To triage (1)");
    s.keys("b");
    s.wait_for("First appointment: YYYY-MM-DD HH:MM");
    s.keys("\x15"); // Ctrl+U clears the offered time
    s.keys(&format!("{when} 45 face to face\r"));
    s.wait_for("appointment booked for");
    s.keys("5");
    s.wait_for("Appointments today (1)");
    s.keys("a");
    s.wait_for("attended, logged as contact");
    s.keys("\r");
    s.wait_for("Client assessment: Morning Person");
    s.keys("f");
    s.wait_for("Next follow-up");
    s.keys("\x15");
    let follow_up = now.date() + chrono::Duration::days(14);
    s.keys(&format!("{follow_up} ring about the choir\r"));
    s.wait_for("Next follow-up set for");
    s.keys("\x06"); // Ctrl+F
    s.wait_for("Find anyone");
    s.keys("07700900555");
    s.wait_for("Closed Person");
    s.keys("\r");
    s.wait_for("Client assessment: Closed Person");
    s.keys("E");
    s.wait_for("Correct the person's details");
    s.keys("\t\t\t\t"); // to the postcode
    s.keys("\x15CF10 1AA\r");
    s.wait_for("Corrected: postcode");
    s.keys("S");
    s.wait_for("Raise a safeguarding concern");
    s.keys("Says a neighbour takes her pension\tPractice safeguarding lead\r");
    s.wait_for("SAFEGUARDING CONCERN");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);

    let store = Store::open(&db, None).unwrap();
    let c = store.conn();
    let (starts, status, minutes, kind): (String, String, i64, String) = c
        .query_row("SELECT starts_at, status, minutes, kind FROM appointment WHERE referral_id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((starts, status.as_str(), minutes, kind.as_str()), (when.clone(), "attended", 45, "face_to_face"));
    let attended: i64 = c
        .query_row("SELECT count(*) FROM contact WHERE referral_id = 1 AND outcome = 'attended'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(attended, 1, "the appointment is a contact in the log");
    let (on, note): (String, String) = c
        .query_row("SELECT due_on, note FROM follow_up WHERE referral_id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((on, note.as_str()), (follow_up.to_string(), "ring about the choir"));
    let (postcode, flag): (String, i64) = c
        .query_row("SELECT postcode, safeguarding FROM client WHERE id = 2", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((postcode.as_str(), flag), ("CF10 1AA", 1));
    let told: String =
        c.query_row("SELECT told FROM safeguarding_concern WHERE client_id = 2", [], |r| r.get(0)).unwrap();
    assert_eq!(told, "Practice safeguarding lead");
    let trail: Vec<String> = c
        .prepare("SELECT summary FROM audit_log WHERE worker = 'Pty Tester' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in [
        &format!("triage: appointment 1 booked for {when} (45 min, face to face) (new -> booked)") as &str,
        "attended (contact",
        &format!("follow-up set for {follow_up}: ring about the choir"),
        "postcode corrected: 'LS1 4AP' -> 'CF10 1AA'",
        "safeguarding concern raised",
    ] {
        assert!(trail.iter().any(|t| t.contains(expected)), "{expected}: {trail:#?}");
    }
}

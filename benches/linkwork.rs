//! linkwork's benchmarks: `cargo bench` (all), or `cargo bench -- NAME...` for
//! some of: hostile, demo, open, frame, navigate, views, filter, client, import,
//! triage, services, search, export, summary, chain, day, process, lists, floor,
//! dashboard, bulk, binary, report, oruk10k, relevance.
//!
//! Each scenario runs at the scale its issue states (a 50,000-client, five-year
//! demo database) and prints the median, with the minimum and maximum, as a
//! Markdown table row for BENCHMARKS.md. The 50,000-client database is made once
//! and kept under target/bench-data/ for the day.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use linkwork::demo::{DemoOptions, generate};
use linkwork::storage::Store;
use linkwork::storage::caseload::{self, Filter, View};
use linkwork::ui::App;
use linkwork::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How many clients the demo database has: 50,000 unless
/// `LINKWORK_BENCH_CLIENTS` says otherwise.
fn clients() -> usize {
    std::env::var("LINKWORK_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000)
}

const WEEKS: u32 = 260;
const SEED: u64 = 1;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
    n: usize,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 };
    Stats { median, min: v[0], max: v[n - 1], n }
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1e6 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.0} µs")
    }
}

fn row(name: &str, s: &Stats, target: &str) {
    println!("| {name} | {} | {} | {} | {} | {target} |", fmt(s.median), fmt(s.min), fmt(s.max), s.n);
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The 50,000-client database for today, made once.
fn big_db() -> PathBuf {
    let path = bench_dir().join(format!("demo-{}-{}.db", clients(), today()));
    if !path.exists() {
        let tmp = path.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        let mut store = Store::open(&tmp, Some("bench")).unwrap();
        generate(&mut store, &DemoOptions { clients: clients(), seed: SEED, weeks: WEEKS, today: today() }).unwrap();
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        drop(store);
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|f| linkwork::ui::draw::draw(f, &app.state)).unwrap();
}

fn demo_generation() {
    let mut times = Vec::new();
    for i in 0..3 {
        let path = bench_dir().join(format!("gen-{i}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let mut store = Store::open(&path, Some("bench")).unwrap();
        let t = Instant::now();
        generate(&mut store, &DemoOptions { clients: clients(), seed: SEED + i, weeks: WEEKS, today: today() })
            .unwrap();
        times.push(t.elapsed());
        drop(store);
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
    }
    row(&format!("demo generation, {} clients, 260 weeks", clients()), &stats(times), "< 30 s");
}

fn open_to_first_rows(db: &Path) {
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let store = Store::open(db, Some("bench")).unwrap();
        let total = caseload::count(store.conn(), View::ToTriage, &Filter::default()).unwrap();
        let rows = caseload::window(store.conn(), View::ToTriage, &Filter::default(), 0, 60).unwrap();
        times.push(t.elapsed());
        assert!(total > 0 && !rows.is_empty());
    }
    row("open the database and load the first screen's caseload rows", &stats(times), "< 50 ms");
}

fn start_to_first_frame(db: &Path) {
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let store = Store::open(db, Some("bench")).unwrap();
        let app = App::new(store, today(), Theme { colour: true }, (80, 24), false).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        draw(&mut terminal, &app);
        times.push(t.elapsed());
    }
    row("start to first full frame, in-process (open, load, draw 80x24)", &stats(times), "< 100 ms");
}

/// One navigation key and the redraw, over the whole 55,000-row "All" list.
fn navigate(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    for _ in 0..5 {
        app.handle_key(&key(KeyCode::Char('v')));
    }
    assert!(app.state.caseload.list.total >= clients(), "all referrals: {}", app.state.caseload.list.total);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    draw(&mut terminal, &app);
    let mut keys = Vec::new();
    let mut pages = Vec::new();
    for i in 0..2000 {
        let code = if i % 500 < 250 { KeyCode::Char('j') } else { KeyCode::Char('k') };
        let t = Instant::now();
        app.handle_key(&key(code));
        draw(&mut terminal, &app);
        keys.push(t.elapsed());
    }
    for i in 0..400 {
        let code = match i {
            0 => KeyCode::Char('G'),
            200 => KeyCode::Char('g'),
            i if i < 200 => KeyCode::PageUp,
            _ => KeyCode::PageDown,
        };
        let t = Instant::now();
        app.handle_key(&key(code));
        draw(&mut terminal, &app);
        pages.push(t.elapsed());
    }
    row("one navigation key (j/k) and redraw, 120x40, 55,000-row list", &stats(keys), "< 2 ms");
    row("page or jump (PgUp/PgDn/g/G) and redraw, 120x40, fetches a window", &stats(pages), "< 2 ms");
}

/// Switching between the caseload's lists: each switch counts and reads a window.
fn views(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        app.handle_key(&key(KeyCode::Char('v')));
        draw(&mut terminal, &app);
        times.push(t.elapsed());
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            eprintln!("{:>10} {:?}", fmt(*times.last().unwrap()), app.state.caseload.view);
        }
    }
    row("switch caseload list (v) and redraw, each of the six lists", &stats(times), "< 10 ms");
}

/// Filtering the caseload per keystroke: each key re-counts and re-reads a window.
fn filter(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    for _ in 0..5 {
        app.handle_key(&key(KeyCode::Char('v')));
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    for word in ["smith", "wójcik", "siân", "999 12", "ahmed-khan", "chen", "o'brien", "zzzz"] {
        app.handle_key(&key(KeyCode::Char('/')));
        let verbose = std::env::var_os("BENCH_VERBOSE").is_some();
        let keys = word.chars().map(KeyCode::Char).chain(word.chars().map(|_| KeyCode::Backspace));
        for k in keys {
            let t = Instant::now();
            app.handle_key(&key(k));
            draw(&mut terminal, &app);
            let took = t.elapsed();
            if verbose {
                eprintln!(
                    "{:>10} {:?} -> {} rows",
                    fmt(took),
                    app.state.caseload.filter.text,
                    app.state.caseload.list.total
                );
            }
            times.push(took);
        }
        app.handle_key(&key(KeyCode::Esc));
    }
    row("filter the 55,000-row caseload, per keystroke (typing and deleting)", &stats(times), "< 10 ms");
}

/// Opening the record of the client with the most history.
fn open_client(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let busiest: i64 = store
        .conn()
        .query_row(
            "SELECT r.client_id FROM contact k JOIN referral r ON r.id = k.referral_id
             GROUP BY r.client_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let d = linkwork::storage::client::load(store.conn(), busiest).unwrap().unwrap();
        times.push(t.elapsed());
        assert!(!d.episodes.is_empty());
    }
    row("load one client's record (the one with most contacts)", &stats(times), "< 10 ms");
    drop(store);
    // Opening it in the pane: the read and its audit record ("view"), written
    // with synchronous=FULL, on a copy so the kept database stays as generated.
    let copy = bench_dir().join("open-copy.db");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(db, &copy).unwrap();
    let store = Store::open(&copy, Some("bench")).unwrap();
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let d = linkwork::storage::client::view(&store, busiest).unwrap().detail.unwrap();
        times.push(t.elapsed());
        assert!(!d.episodes.is_empty());
    }
    row("open a client's record in the pane: read plus audit write (five-year history)", &stats(times), "< 10 ms");
    drop(store);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
}

/// Exporting one signed referral: the database read, canonical JSON, Ed25519
/// signature, then the recorded export (SHA-256 and audit, synchronous=FULL) and
/// the file written and flushed. On a copy, so the kept database stays as made.
fn export_referral(db: &Path) {
    let copy = bench_dir().join("export-copy.db");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(db, &copy).unwrap();
    let mut store = Store::open(&copy, Some("bench")).unwrap();
    let id: i64 = store
        .conn()
        .query_row("SELECT id FROM prescription WHERE state = 'sent' ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let out = bench_dir().join("referral.jws.json");
    linkwork::exports::export_referral(&mut store, id, linkwork::exports::to_file(&out)).unwrap(); // makes the key
    let key = linkwork::exports::current_key(&mut store).unwrap();
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let doc = linkwork::storage::prescriptions::document(store.conn(), id, "bench").unwrap();
        let value = serde_json::to_value(&doc).unwrap();
        let signed = linkwork::formats::jws::sign(&value, &key, linkwork::formats::jws::TYP_REFERRAL).unwrap();
        times.push(t.elapsed());
        assert!(signed.len() > 100);
    }
    row("build and sign one referral (database read, canonical JSON, Ed25519)", &stats(times), "< 5 ms");
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        linkwork::exports::export_referral(&mut store, id, linkwork::exports::to_file(&out)).unwrap();
        times.push(t.elapsed());
    }
    row("export one signed referral: read, sign, record (audit), write the file with fsync", &stats(times), "< 5 ms");
    drop(store);
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_dir_all(bench_dir().join("keys"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
}

/// The weekly summary on the 50,000-client database: one week and a whole year,
/// read and written as Markdown (as `linkwork summary` does), and the dashboard.
fn summary(db: &Path) {
    use linkwork::domain::summary::Period;
    let store = Store::open(db, Some("bench")).unwrap();
    let week = Period::last_complete_week(today());
    let year = Period::days(week.to - chrono::Duration::days(364), week.to).unwrap();
    for (what, period) in [("one week", &week), ("a whole year", &year)] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let mut s = linkwork::storage::summary::compute(store.conn(), period).unwrap();
            s.suppress();
            let md = linkwork::formats::summary::markdown(&s);
            times.push(t.elapsed());
            assert!(md.contains("## Referrals"));
        }
        row(
            &format!("weekly summary for {what} ({}), suppressed, as Markdown", period.label()),
            &stats(times),
            "< 200 ms",
        );
    }
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let d = linkwork::storage::summary::dashboard(store.conn(), today()).unwrap();
        times.push(t.elapsed());
        assert_eq!(d.weeks.len(), 12);
    }
    row("dashboard figures (12 weekly counts, open episodes, 12-week summary)", &stats(times), "< 200 ms");
}

/// The weekly summary as the HTML report against the JSON summary, each as
/// `linkwork summary --suppress-small --format html|json` makes it (figures,
/// disclosure control, and for the report its PCN, 12 weekly counts and page
/// with charts), one week and a whole year, the two taken in turn.
fn report(db: &Path) {
    use linkwork::domain::summary::Period;
    use linkwork::formats::summary_html::{Meta, render};
    let store = Store::open(db, Some("bench")).unwrap();
    let week = Period::last_complete_week(today());
    let year = Period::days(week.to - chrono::Duration::days(364), week.to).unwrap();
    for (what, period) in [("one week", &week), ("a whole year", &year)] {
        let (mut json_times, mut html_times, mut meta_times, mut page_times) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..30 {
            let t = Instant::now();
            let mut s = linkwork::storage::summary::compute(store.conn(), period).unwrap();
            s.suppress();
            let json = linkwork::formats::summary::json(&s);
            json_times.push(t.elapsed());
            assert!(json.contains("\"referrals\""));

            let t = Instant::now();
            let mut s = linkwork::storage::summary::compute(store.conn(), period).unwrap();
            s.suppress();
            let m = Instant::now();
            let meta = Meta {
                pcn: linkwork::storage::report::pcn(store.conn()).unwrap(),
                made_at: linkwork::storage::now_utc(),
                made_by: "bench".into(),
                weeks: linkwork::storage::report::referrals_by_week(store.conn(), period.to).unwrap(),
            };
            meta_times.push(m.elapsed());
            let p = Instant::now();
            let html = render(&s, &meta);
            page_times.push(p.elapsed());
            html_times.push(t.elapsed());
            assert!(html.contains("<svg"));
        }
        let label = period.label();
        row(&format!("summary for {what} ({label}), suppressed, as JSON"), &stats(json_times), "(the baseline)");
        row(
            &format!("summary for {what} ({label}), suppressed, as the HTML report"),
            &stats(html_times),
            "< 1.2x JSON",
        );
        row("of which the PCN and the 12 weekly counts", &stats(meta_times), "");
        row("of which the page (tables and charts)", &stats(page_times), "");
    }
}

/// Every caseload list (issue 18): its first screen read as a switch reads it
/// (count and window, on a warm connection), and the switch to it in the App
/// with the redraw, 120x40. Each list in `View::ALL` is measured: the Today
/// list (the day issue, built on another branch) is measured here once it is
/// one of them.
fn lists(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    for view in View::ALL {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..50 {
            let t = Instant::now();
            total = caseload::count(store.conn(), view, &Filter::default()).unwrap();
            let rows = caseload::window(store.conn(), view, &Filter::default(), 0, 38).unwrap();
            times.push(t.elapsed());
            assert_eq!(rows.len(), total.min(38));
        }
        row(&format!("{} list: count and first screen ({total} rows)", view.label()), &stats(times), "< 5 ms");
    }
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    draw(&mut terminal, &app);
    let mut per_view: Vec<(View, Vec<Duration>)> = View::ALL.iter().map(|v| (*v, Vec::new())).collect();
    for _ in 0..30 * View::ALL.len() {
        let t = Instant::now();
        app.handle_key(&key(KeyCode::Char('v')));
        draw(&mut terminal, &app);
        let took = t.elapsed();
        let view = app.state.caseload.view;
        per_view.iter_mut().find(|(v, _)| *v == view).unwrap().1.push(took);
    }
    for (view, times) in per_view {
        row(&format!("switch to {} (v) and redraw, 120x40", view.label()), &stats(times), "< 5 ms");
    }
}

/// The Today list (issue 16): the day's agenda, every section, as the pane and
/// `linkwork today` read it.
fn list_today(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let now = linkwork::storage::appointments::uk_now();
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let a = linkwork::storage::today::agenda(store.conn(), today(), now).unwrap();
        times.push(t.elapsed());
        items = a.items().count();
    }
    row(&format!("Today list: the agenda, every section ({items} lines)"), &stats(times), "< 5 ms");
}

/// The floor for the first frame (issue 18): the sqlite3 command line running
/// the first screen's queries (To triage: its count and its page), as a whole
/// process, measured in the same run as the real program's first frame in a
/// pseudo-terminal.
#[cfg(target_os = "linux")]
fn floor(db: &Path) {
    // Opened once by the program first: a file at an older schema is brought up to date.
    drop(Store::open(db, Some("bench")).unwrap());
    let [count, page] = View::ToTriage.first_screen_sql();
    let sql = format!("{count};\n{};", page.replace("?1", "''").replace("?2", "38").replace("?3", "0"));
    let mut sqlite = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let out = std::process::Command::new("sqlite3").arg("-readonly").arg(db).arg(&sql).output().unwrap();
        sqlite.push(t.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        ours.push(process::first_frame(db));
    }
    let (sqlite, ours) = (stats(sqlite), stats(ours));
    row("first screen's queries in the sqlite3 command line, whole process (the floor)", &sqlite, "");
    row("start to first full frame, real process in a pseudo-terminal, 80x24", &ours, "< 1.2x the floor");
    println!(
        "| ratio of the medians: {:.2}x the sqlite3 floor | | | | | < 1.2x |",
        ours.median.as_secs_f64() / sqlite.median.as_secs_f64()
    );
}

/// The dashboard (issue 18): computed off the UI thread. Timed: the key that
/// opens it (the UI thread's share), the figures' arrival, and a key handled
/// while they are being read.
fn dashboard(db: &Path) {
    let store = Store::open(db, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    app.compute_in_background();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let (mut opening, mut ready, mut during) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        let t = Instant::now();
        app.handle_key(&key(KeyCode::Char('4')));
        draw(&mut terminal, &app);
        opening.push(t.elapsed());
        // Keys while the figures are read: back to the caseload and a row down.
        let k = Instant::now();
        app.handle_key(&key(KeyCode::Char('1')));
        draw(&mut terminal, &app);
        app.handle_key(&key(KeyCode::Char('j')));
        draw(&mut terminal, &app);
        during.push(k.elapsed() / 2);
        app.wait_for_background();
        ready.push(t.elapsed());
        assert!(app.state.dashboard.is_some());
    }
    row("open the dashboard: the UI thread's time for the key and a redraw", &stats(opening), "< 5 ms");
    row("a key and redraw while the dashboard's figures are being read", &stats(during), "< 5 ms");
    row("open the dashboard until its figures are ready (read off the UI thread)", &stats(ready), "< 50 ms");
}

/// Importing 100,000 referrals from CSV (issue 18) against the sqlite3 command
/// line's `.import` of the same file into a plain table, in the same run.
fn bulk_import() {
    let dir = bench_dir();
    let csv = referrals_csv(100_000);
    let mut ours = Vec::new();
    let mut sqlite = Vec::new();
    for i in 0..3 {
        let path = dir.join(format!("bulk-{i}.db"));
        let plain = dir.join(format!("bulk-plain-{i}.db"));
        for p in [&path, &plain] {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
            }
        }
        let t = Instant::now();
        let out = std::process::Command::new("sqlite3")
            .arg(&plain)
            .arg(format!(".import --csv {} referral", csv.display()))
            .output()
            .unwrap();
        sqlite.push(t.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // The program as a person runs it (`linkwork referral import`), a
        // whole process like sqlite3's, into a new database.
        let t = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
            .args(["--db", path.to_str().unwrap(), "referral", "import", csv.to_str().unwrap()])
            .env("LINKWORK_WORKER", "bench")
            .output()
            .unwrap();
        ours.push(t.elapsed());
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && said.contains(": imported 100000 referrals"), "{said}");
        for p in [&path, &plain] {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
            }
        }
    }
    let (ours, sqlite) = (stats(ours), stats(sqlite));
    row("sqlite3 .import of the same 100,000-row CSV into a plain table (the floor)", &sqlite, "");
    row("linkwork referral import of 100,000 referrals into a new database, whole process", &ours, "< 5x the floor");
    println!(
        "| ratio of the medians: {:.2}x the sqlite3 floor | | | | | < 5x |",
        ours.median.as_secs_f64() / sqlite.median.as_secs_f64()
    );
}

/// The size of the program as built by this profile (the bench profile is the
/// release profile: `cargo build --release` builds the same).
fn binary() {
    let size = std::fs::metadata(env!("CARGO_BIN_EXE_linkwork")).unwrap().len();
    println!("| the linkwork binary, release profile | {:.1} MB | | | 1 | < 10 MB |", size as f64 / 1e6);
}

/// A CSV file of `n` valid referrals for new people, made once.
fn referrals_csv(n: u32) -> PathBuf {
    let csv = bench_dir().join(format!("referrals-{n}.csv"));
    let mut text = String::from(
        "nhs_number,name,date_of_birth,reason,received,referrer_role,referrer_name,priority,phone,postcode,notes\n",
    );
    let (mut k, mut rows) = (0u32, 0);
    let reasons = ["loneliness", "money;housing", "mental_wellbeing", "carer;bereavement", "physical_activity"];
    while rows < n {
        k += 1;
        let d = |n: u32| (n % 10) as u8;
        let nine = [9, 9, 9, 2 + d(k / 100_000), d(k / 10_000), d(k / 1000), d(k / 100), d(k / 10), d(k)];
        let Some(nhs) = linkwork::domain::NhsNumber::complete(nine) else { continue };
        text.push_str(&format!(
            "{},Person {rows} Ó Súilleabháin,19{}-0{}-1{},{},{},gp,Dr Example,routine,07700 900{:03},LS1 4AP,imported\n",
            nhs.digits(),
            40 + rows % 50,
            1 + rows % 9,
            rows % 10,
            reasons[rows as usize % reasons.len()],
            today() - chrono::Duration::days(i64::from(rows % 30)),
            rows % 1000
        ));
        rows += 1;
    }
    std::fs::write(&csv, text).unwrap();
    csv
}

/// Importing 10,000 referrals from a CSV file into a new database.
fn import_csv() {
    let dir = bench_dir();
    let csv = referrals_csv(10_000);
    let mut times = Vec::new();
    for i in 0..3 {
        let path = dir.join(format!("import-{i}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let mut store = Store::open(&path, Some("bench")).unwrap();
        let t = Instant::now();
        let report = linkwork::storage::referrals::import_csv(&mut store, &csv, today()).unwrap();
        times.push(t.elapsed());
        assert_eq!((report.imported, report.rejected.len()), (10_000, 0));
    }
    row("import 10,000 referrals from CSV into a new database", &stats(times), "< 2 s");
}

/// One triage decision, its write (synchronous=FULL) and the redraw, on a copy
/// of the 50,000-client database.
fn triage(db: &Path) {
    let copy = bench_dir().join("triage-copy.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
    std::fs::copy(db, &copy).unwrap();
    let store = Store::open(&copy, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    draw(&mut terminal, &app);
    let mut times = Vec::new();
    for _ in 0..100 {
        // A contact attempt (choice 2: no answer), timed from the deciding key.
        app.handle_key(&key(KeyCode::Char('c')));
        let t = Instant::now();
        app.handle_key(&key(KeyCode::Char('2')));
        draw(&mut terminal, &app);
        times.push(t.elapsed());
        assert!(app.state.message.as_ref().is_some_and(|m| !m.is_error), "{:?}", app.state.message);
        // And its undo, which is a triage write too.
        let t = Instant::now();
        app.handle_key(&key(KeyCode::Char('u')));
        draw(&mut terminal, &app);
        times.push(t.elapsed());
    }
    row("one triage decision or undo: write, reload, redraw (50,000 clients)", &stats(times), "< 5 ms");
    drop(app);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
}

/// The audit chain's cost: one record appended (read the head, hash, insert)
/// against the same insert with a hash given, inside a transaction, on a copy
/// of the 50,000-client database; and `check` (integrity, schema, the whole
/// chain) on it.
fn chain(db: &Path) {
    use linkwork::storage::audit::{self, Action, Actor};
    let copy = bench_dir().join("chain-copy.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
    std::fs::copy(db, &copy).unwrap();
    let mut store = Store::open(&copy, Some("bench")).unwrap();
    let actor = Actor::new("bench");
    let mut chained = Vec::new();
    let mut hash_only = Vec::new();
    for i in 0..2000 {
        let tx = store.write().unwrap();
        let t = Instant::now();
        audit::record(&tx, &actor, Action::Update, "referral", Some(i), Some(i), "triage: accepted (new → active)")
            .unwrap();
        chained.push(t.elapsed());
        let head = audit::head(&tx).unwrap().unwrap();
        let e = audit::Entry {
            id: head.id + 1,
            at: head.at.clone(),
            worker: "bench".into(),
            os_user: "bench".into(),
            action: "update".into(),
            table: "referral".into(),
            record_id: Some(i),
            client_id: Some(i),
            summary: "triage: accepted (new → active)".into(),
        };
        let t = Instant::now();
        std::hint::black_box(audit::chain_hash(&head.hash, &e));
        hash_only.push(t.elapsed());
        tx.commit().unwrap();
    }
    row("audit record appended: read the head, hash, insert (in a transaction)", &stats(chained), "");
    row("of which the SHA-256 of one record", &stats(hash_only), "");
    drop(store);
    let store = Store::open(&copy, Some("bench")).unwrap();
    let records: i64 = store.conn().query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let problems = store.check().unwrap();
        times.push(t.elapsed());
        assert!(problems.is_empty(), "{problems:?}");
    }
    row(&format!("check: integrity, schema, the whole chain ({records} audit records)"), &stats(times), "");
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        audit::require_chain(store.conn()).unwrap();
        times.push(t.elapsed());
    }
    row("of which verifying the chain", &stats(times), "");
    drop(store);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
    }
}

/// A feed of `n` services with long HTML descriptions, some with embedded images.
fn oruk_feed(n: usize) -> PathBuf {
    let path = bench_dir().join(format!("oruk-{n}.json"));
    if path.exists() {
        return path;
    }
    let kinds = ["Walking group", "Befriending", "Debt advice", "Community garden", "Men's shed", "Choir", "Food bank"];
    let image = format!("<img src=\"data:image/png;base64,{}\" alt=\"\">", "iVBORw0KGgo".repeat(300));
    let services: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let mut html = format!("<h2>{kind} {i}</h2>");
            for p in 0..12 {
                html.push_str(&format!(
                    "<p>Paragraph {p}: friendly &amp; welcoming sessions for adults in ward {i}, with <b>tea</b>, \
                     <a href=\"https://example.org/{i}\">more details</a> and a warm room&nbsp;to meet others.</p>"
                ));
            }
            if i % 5 == 0 {
                html.push_str(&image);
            }
            serde_json::json!({
                "id": format!("svc-{i}"),
                "name": format!("{kind} {i}"),
                "description": html,
                "status": "active",
                "organization": { "id": format!("org-{}", i % 400), "name": format!("Voluntary Organisation {}", i % 400) },
                "attributes": [ { "taxonomy_term": { "name": kind } } ],
                "minimum_age": 18,
            })
        })
        .collect();
    let page = serde_json::json!({ "total_items": n, "contents": services });
    std::fs::write(&path, serde_json::to_vec(&page).unwrap()).unwrap();
    path
}

/// Importing 5,000 services with long HTML descriptions.
fn import_services() {
    let feed = oruk_feed(5000);
    let size = std::fs::metadata(&feed).unwrap().len();
    let mut times = Vec::new();
    for i in 0..3 {
        let path = bench_dir().join(format!("services-{i}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let mut store = Store::open(&path, Some("bench")).unwrap();
        let t = Instant::now();
        let parsed = linkwork::formats::oruk::parse_file(&feed).unwrap();
        let c = linkwork::storage::directory::import(&mut store, &parsed.services, parsed.skipped, "bench").unwrap();
        times.push(t.elapsed());
        assert_eq!(c.imported, 5000);
    }
    row(
        &format!("import 5,000 services with long HTML descriptions ({:.1} MB of JSON)", size as f64 / 1e6),
        &stats(times),
        "< 5 s",
    );
}

/// A feed of 10,000 services with about 16 MB of HTML descriptions. With
/// `shared_organisation`, every service names one organisation under one of
/// five ids, each record giving it a description of its own (as feeds do when
/// each service carries a copy of its organisation).
fn oruk_feed_10k(shared_organisation: bool) -> PathBuf {
    let path = bench_dir().join(format!("oruk-10k-{}.json", if shared_organisation { "shared-org" } else { "plain" }));
    if path.exists() {
        return path;
    }
    let kinds = ["Walking group", "Befriending", "Debt advice", "Community garden", "Men's shed", "Choir", "Food bank"];
    let services: Vec<serde_json::Value> = (0..10_000)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let mut html = format!("<h2>{kind} {i}</h2>");
            for p in 0..10 {
                html.push_str(&format!(
                    "<p>Paragraph {p}: friendly &amp; welcoming sessions for adults in ward {i}, with <b>tea</b>, \
                     <a href=\"https://example.org/{i}\">details</a> and a warm room&nbsp;to meet.</p>"
                ));
            }
            let organization = if shared_organisation {
                serde_json::json!({ "id": format!("council-{}", i % 5), "name": "Fictional Borough Council",
                    "description": format!("<p>The council (record {i}).</p>") })
            } else {
                serde_json::json!({ "id": format!("org-{}", i % 400), "name": format!("Voluntary Organisation {}", i % 400) })
            };
            serde_json::json!({
                "id": format!("svc-{i}"),
                "name": format!("{kind} {i}"),
                "description": html,
                "status": "active",
                "organization": organization,
                "attributes": [ { "taxonomy_term": { "name": kind } } ],
                "minimum_age": 18,
            })
        })
        .collect();
    let page = serde_json::json!({ "total_items": 10_000, "contents": services });
    std::fs::write(&path, serde_json::to_vec(&page).unwrap()).unwrap();
    path
}

/// Importing 10,000 services (16 MB of descriptions) into a new database, plain
/// and with one organisation named under several ids (issue 18).
fn import_services_10k() {
    for shared in [false, true] {
        let feed = oruk_feed_10k(shared);
        let size = std::fs::metadata(&feed).unwrap().len();
        let mut times = Vec::new();
        for i in 0..3 {
            let path = bench_dir().join(format!("services-10k-{i}.db"));
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
            }
            let mut store = Store::open(&path, Some("bench")).unwrap();
            let t = Instant::now();
            let parsed = linkwork::formats::oruk::parse_file(&feed).unwrap();
            let read = t.elapsed();
            let c =
                linkwork::storage::directory::import(&mut store, &parsed.services, parsed.skipped, "bench").unwrap();
            times.push(t.elapsed());
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!("read {} then stored in {}", fmt(read), fmt(t.elapsed() - read));
            }
            assert_eq!(c.imported, 10_000);
        }
        let what = if shared { "one organisation under 5 ids, a description each" } else { "400 organisations" };
        row(
            &format!("import 10,000 services, {what} ({:.1} MB of JSON) into a new database", size as f64 / 1e6),
            &stats(times),
            "< 2 s",
        );
    }
}

/// Searching 10,000 services as a person types, in the directory pane.
fn search_services() {
    let path = bench_dir().join("services-10000.db");
    if !path.exists() {
        let mut store = Store::open(&path, Some("bench")).unwrap();
        let parsed = linkwork::formats::oruk::parse_file(&oruk_feed(10_000)).unwrap();
        linkwork::storage::directory::import(&mut store, &parsed.services, parsed.skipped, "bench").unwrap();
    }
    let store = Store::open(&path, Some("bench")).unwrap();
    let mut app = App::new(store, today(), Theme { colour: true }, (120, 40), false).unwrap();
    app.handle_key(&key(KeyCode::Char('3')));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    // Typed as they are, through the thesaurus (singing, lonely: no service
    // says them), and misspelt (befreinding, gardne).
    for word in [
        "walking",
        "befriend",
        "debt advice",
        "garden ward 12",
        "choirs",
        "zzz",
        "singing",
        "lonely",
        "befreinding",
        "gardne",
    ] {
        app.handle_key(&key(KeyCode::Char('/')));
        let keys = word.chars().map(KeyCode::Char).chain(word.chars().map(|_| KeyCode::Backspace));
        for k in keys {
            let t = Instant::now();
            app.handle_key(&key(k));
            draw(&mut terminal, &app);
            times.push(t.elapsed());
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                let d = &app.state.directory;
                eprintln!("{:>10} {:?} -> {}", fmt(*times.last().unwrap()), d.filter.text, d.list.total);
            }
        }
        app.handle_key(&key(KeyCode::Esc));
    }
    row("search 10,000 services per keystroke, with the redraw", &stats(times), "< 5 ms");
}

#[cfg(target_os = "linux")]
mod process {
    use super::*;
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    use std::sync::{Arc, Mutex};

    struct Running {
        child: Box<dyn portable_pty::Child + Send + Sync>,
        out: Arc<Mutex<Vec<u8>>>,
        writer: Box<dyn std::io::Write + Send>,
        _master: Box<dyn portable_pty::MasterPty + Send>,
    }

    fn spawn(db: &Path) -> (Running, Instant) {
        let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_linkwork"));
        cmd.args(["--db", db.to_str().unwrap()]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LINKWORK_WORKER", "bench");
        let start = Instant::now();
        let child = pty.slave.spawn_command(cmd).unwrap();
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let o = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                o.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        (Running { child, out, writer, _master: pty.master }, start)
    }

    fn wait_for(r: &Running, needle: &[u8]) {
        let t = Instant::now();
        while !r.out.lock().unwrap().windows(needle.len()).any(|w| w == needle) {
            assert!(t.elapsed() < Duration::from_secs(20), "no {:?}", String::from_utf8_lossy(needle));
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn proc_field(pid: u32, file: &str, key: &str) -> Option<String> {
        let s = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
        s.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_owned())
    }

    /// utime + stime in clock ticks.
    fn cpu_ticks(pid: u32) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after = &s[s.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = after.split_whitespace().collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }

    fn quit(mut r: Running) {
        let _ = r.writer.write_all(b"q");
        let _ = r.writer.flush();
        let _ = r.child.wait();
    }

    /// Start to first frame, as a person sees it: process start until the
    /// caseload's title is on the terminal.
    pub fn first_frame(db: &Path) -> Duration {
        let (r, start) = spawn(db);
        wait_for(&r, b"Caseload: To triage");
        let took = start.elapsed();
        quit(r);
        took
    }

    pub fn run(db: &Path) {
        let times = (0..15).map(|_| first_frame(db)).collect();
        row("start to first full frame, real process in a pseudo-terminal, 80x24", &stats(times), "< 100 ms");

        // Peak memory after working through the largest list, and CPU while idle.
        let (mut r, _) = spawn(db);
        wait_for(&r, b"Caseload: To triage");
        let pid = r.child.process_id().unwrap();
        for keys in ["v", "v", "v", "v", "v", "G", "g", "/smith", "\x1b", "2", "3", "/walk", "\x1b", "4", "1"] {
            r.writer.write_all(keys.as_bytes()).unwrap();
            r.writer.flush().unwrap();
            std::thread::sleep(Duration::from_millis(150));
            if keys == "4" {
                wait_for(&r, b"New referrals per week");
            }
        }
        std::thread::sleep(Duration::from_millis(500));
        let hwm = proc_field(pid, "status", "VmHWM:").unwrap_or_default();
        let rss = proc_field(pid, "status", "VmRSS:").unwrap_or_default();
        println!("| peak memory (VmHWM) after every list, last row, filters, all panes | {hwm} | | | 1 | < 20 MB |");
        println!("| resident memory afterwards (VmRSS) | {rss} | | | 1 | |");
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(10));
        let after = cpu_ticks(pid);
        println!("| CPU used over 10 s idle (clock ticks of 10 ms, user + system) | {} | | | 1 | 0 |", after - before);
        quit(r);
    }
}

/// Hostile input (issue 13): wrapping a huge service name for the directory
/// pane, and reading a feed whose description nests 200,000 elements. Before,
/// the first cost 1.3 s per frame at 300,000 characters and froze the program at
/// 20 million; the second took 182 s.
fn hostile() {
    use linkwork::ui::text::wrap;
    let name = "x".repeat(300_000);
    let times = (0..20)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(wrap(&name, 60));
            t.elapsed()
        })
        .collect();
    row("wrap a 300,000-character service name at 60 columns", &stats(times), "< 20 ms");
    let name = "x".repeat(20_000_000);
    let times = (0..3)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(wrap(&name, 60));
            t.elapsed()
        })
        .collect();
    row("wrap a 20,000,000-character service name at 60 columns", &stats(times), "< 1 s");
    let deep = format!("{}text{}", "<div>".repeat(200_000), "</div>".repeat(200_000));
    let feed = serde_json::to_vec(&serde_json::json!({ "contents": [
        { "id": "deep", "name": "Deep", "description": deep },
    ] }))
    .unwrap();
    let times = (0..3)
        .map(|_| {
            let t = Instant::now();
            let parsed = linkwork::formats::oruk::parse_json(&feed).unwrap();
            assert_eq!(parsed.skipped.len(), 1);
            t.elapsed()
        })
        .collect();
    row("read a feed whose description nests 200,000 <div>s (skipped with its reason)", &stats(times), "< 1 s");
}

/// Issue 16: find anyone, per keystroke, at 50,000 clients (Today is `lists`).
fn day(db: &Path) {
    use linkwork::storage::find;
    let store = Store::open(db, Some("bench")).unwrap();
    let conn = store.conn();
    // Everything a person might type, one keystroke at a time: a name, an
    // accented name without its accent, an NHS number with spaces, a phone number.
    let (name, nhs, phone): (String, String, String) = conn
        .query_row("SELECT name, nhs_number, phone FROM client WHERE id = 4242", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let nhs_spaced = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
    for (what, typed) in
        [("a name", name.as_str()), ("an NHS number", &nhs_spaced), ("a phone number", &phone), ("sian", "sian")]
    {
        let mut times = Vec::new();
        for _ in 0..20 {
            for n in 1..=typed.chars().count() {
                let prefix: String = typed.chars().take(n).collect();
                let t = Instant::now();
                let found = find::people(conn, &prefix, 50).unwrap();
                times.push(t.elapsed());
                std::hint::black_box(found);
            }
        }
        row(
            &format!("find anyone, per keystroke, typing {what} ({} keys)", typed.chars().count()),
            &stats(times),
            "< 10 ms",
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    println!("| scenario | median | min | max | runs | target |");
    println!("| --- | --- | --- | --- | --- | --- |");
    if want("hostile") {
        hostile();
    }
    if want("bulk") {
        bulk_import();
    }
    if want("binary") {
        binary();
    }
    if want("oruk10k") {
        import_services_10k();
    }
    // These need no 50,000-client database.
    if !args.is_empty()
        && args
            .iter()
            .all(|a| ["hostile", "oruk10k", "services", "search", "relevance", "bulk", "binary"].contains(&a.as_str()))
    {
        if want("services") {
            import_services();
        }
        if want("search") {
            search_services();
        }
        return;
    }
    if want("demo") {
        demo_generation();
    }
    let db = big_db();
    if want("open") {
        open_to_first_rows(&db);
    }
    if want("frame") {
        start_to_first_frame(&db);
    }
    if want("navigate") {
        navigate(&db);
    }
    if want("views") {
        views(&db);
    }
    if want("filter") {
        filter(&db);
    }
    if want("client") {
        open_client(&db);
    }
    if want("summary") {
        summary(&db);
    }
    if want("report") {
        report(&db);
    }
    if want("export") {
        export_referral(&db);
    }
    if want("import") {
        import_csv();
    }
    if want("lists") {
        lists(&db);
        list_today(&db);
    }
    #[cfg(target_os = "linux")]
    if want("floor") {
        floor(&db);
    }
    if want("dashboard") {
        dashboard(&db);
    }
    if want("triage") {
        triage(&db);
    }
    if want("chain") {
        chain(&db);
    }
    if want("services") {
        import_services();
    }
    if want("search") {
        search_services();
    }
    if want("day") {
        day(&db);
    }
    #[cfg(target_os = "linux")]
    if want("process") {
        process::run(&db);
    }
}

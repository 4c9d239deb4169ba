//! Crash safety, proven: `linkwork` is killed with SIGKILL at random moments
//! while it writes, again and again; afterwards the database passes SQLite's
//! integrity check and every write the program reported as done is there, and
//! no write is there in part.
//!
//! `cargo test` runs 30 kills; `LINKWORK_KILLS=200 cargo test --release --test
//! crash -- --nocapture` runs more (BENCHMARKS.md records such a run).

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use linkwork::domain::NhsNumber;
use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");
const ROWS_PER_FILE: usize = 400;

/// A small fixed-sequence generator for the kill delays (seed printed on failure).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// A CSV of `ROWS_PER_FILE` new people whose NHS numbers belong to block `b`.
fn csv_for_block(dir: &Path, b: usize) -> std::path::PathBuf {
    let mut text = String::from("nhs_number,name,date_of_birth,reason,notes\n");
    let mut made = 0;
    let mut k = 0;
    while made < ROWS_PER_FILE {
        let n = b * 1000 + k;
        k += 1;
        let d = |x: usize| (x % 10) as u8;
        let nine = [9, 9, 9, d(n / 100_000), d(n / 10_000), d(n / 1000), d(n / 100), d(n / 10), d(n)];
        if let Some(nhs) = NhsNumber::complete(nine) {
            text.push_str(&format!("{},Block {b} Person {made},1960-01-01,loneliness,block {b}\n", nhs.digits()));
            made += 1;
        }
    }
    let path = dir.join(format!("block-{b}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

fn block_count(conn: &Connection, b: usize) -> i64 {
    conn.query_row("SELECT count(*) FROM referral WHERE notes = ?1", [format!("block {b}")], |r| r.get(0)).unwrap()
}

#[test]
fn killed_writers_never_corrupt_or_lose_reported_writes() {
    let kills: usize = std::env::var("LINKWORK_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut rng = Lcg(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    assert!(
        Command::new(BIN)
            .args(["--db", db.to_str().unwrap(), "init", "--worker", "Crash Test"])
            .status()
            .unwrap()
            .success()
    );

    // How long one import takes here, to spread the kills across it.
    let probe = csv_for_block(dir.path(), 0);
    let t = Instant::now();
    assert!(
        Command::new(BIN)
            .args(["--db", db.to_str().unwrap(), "referral", "import", probe.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let span = t.elapsed().as_micros().max(1000) as u64;
    let mut reported_done = vec![0usize];
    let mut killed = 0;

    for b in 1..=kills {
        let file = csv_for_block(dir.path(), b);
        // One in three writers is a single `referral add`, the rest whole imports.
        let mut child = if b % 3 == 0 {
            let nine = [9, 9, 8, 0, 0, 0, (b / 100 % 10) as u8, (b / 10 % 10) as u8, (b % 10) as u8];
            let nhs = NhsNumber::complete(nine).or_else(|| {
                NhsNumber::complete([9, 9, 8, 1, 0, 0, (b / 100 % 10) as u8, (b / 10 % 10) as u8, (b % 10) as u8])
            });
            let Some(nhs) = nhs else { continue };
            Command::new(BIN)
                .args(["--db", db.to_str().unwrap(), "referral", "add", "--nhs", &nhs.digits()])
                .args([
                    "--name",
                    "Single Add",
                    "--dob",
                    "1970-01-01",
                    "--reason",
                    "money",
                    "--notes",
                    &format!("block {b}"),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        } else {
            Command::new(BIN)
                .args(["--db", db.to_str().unwrap(), "referral", "import", file.to_str().unwrap()])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let delay = rng.next() % (span * 3 / 2);
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        let said_done = out.status.success() && !out.stdout.is_empty();
        if !out.status.success() {
            killed += 1;
        }
        let conn = Connection::open(&db).unwrap();
        let n = block_count(&conn, b);
        let whole = if b % 3 == 0 { 1 } else { ROWS_PER_FILE as i64 };
        if said_done {
            assert_eq!(n, whole, "block {b} was reported done but {n} of {whole} rows are there (seed {seed})");
            reported_done.push(b);
        } else {
            assert!(n == 0 || n == whole, "block {b} is there in part: {n} of {whole} (seed {seed})");
        }
    }

    let conn = Connection::open(&db).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "seed {seed}");
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 0);
    for b in &reported_done {
        assert!(block_count(&conn, *b) > 0, "block {b} lost after later kills (seed {seed})");
    }
    let check = Command::new(BIN).args(["--db", db.to_str().unwrap(), "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    eprintln!(
        "crash test: {kills} writers, {killed} killed mid-run, {} reported done, seed {seed}: integrity ok",
        reported_done.len() - 1
    );
    assert!(killed > 0, "no writer was killed mid-run; the delays are too long (seed {seed})");
}

//! `linkwork measure add` for each instrument, and the input it refuses.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LINKWORK_WORKER", "Measure Tester")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn refused(o: &Output) -> String {
    assert!(!o.status.success(), "expected a refusal: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with one client; returns the client's id.
fn with_client(db: &Path) -> String {
    ok(&cli(
        db,
        &[
            "referral",
            "add",
            "--nhs",
            "9997654323",
            "--name",
            "Measured Person",
            "--dob",
            "1950-01-01",
            "--reason",
            "loneliness",
            "--received",
            "2026-01-05",
        ],
    ));
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT id FROM client", [], |r| r.get::<_, i64>(0)).unwrap().to_string()
}

#[test]
fn each_instrument_is_scored_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let c = with_client(&db);
    let out = ok(&cli(
        &db,
        &["measure", "add", "--client", &c, "--instrument", "ons4", "--items", "7,8,6,3", "--when", "2026-01-10"],
    ));
    assert_eq!(
        out,
        "ONS4 baseline 2026-01-10 for Measured Person (NHS 999 765 4323, client 1): life satisfaction 7 (high), worthwhile 8 (high), happy yesterday 6 (medium), anxious yesterday 3 (low)"
    );
    let out = ok(&cli(
        &db,
        &[
            "measure",
            "add",
            "--client",
            &c,
            "--instrument",
            "swemwbs",
            "--items",
            "3,3,3,3,3,3,3",
            "--when",
            "2026-01-10",
        ],
    ));
    assert_eq!(
        out,
        "SWEMWBS baseline 2026-01-10 for Measured Person (NHS 999 765 4323, client 1): raw 21 metric 19.25"
    );
    let out = ok(&cli(
        &db,
        &[
            "measure",
            "add",
            "--client",
            &c,
            "--instrument",
            "SWEMWBS",
            "--items",
            "4,4,3,4,4,3,4",
            "--when",
            "2026-03-01",
            "--follow-up",
        ],
    ));
    assert_eq!(
        out,
        "SWEMWBS follow-up 2026-03-01 for Measured Person (NHS 999 765 4323, client 1): raw 26 metric 23.21"
    );
    let out = ok(&cli(
        &db,
        &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "3,2,3", "--when", "2026-01-10"],
    ));
    assert_eq!(
        out,
        "UCLA-3 baseline 2026-01-10 for Measured Person (NHS 999 765 4323, client 1): total 8 (3-9, higher is lonelier)"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    type Row = (String, String, String, Option<i64>, Option<f64>);
    let rows: Vec<Row> = conn
        .prepare("SELECT instrument, timing, items, raw_score, metric_score FROM measure ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows[0], ("ons4".into(), "baseline".into(), "[7,8,6,3]".into(), None, None));
    assert_eq!(rows[2], ("swemwbs".into(), "follow_up".into(), "[4,4,3,4,4,3,4]".into(), Some(26), Some(23.21)));
    let audits: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE table_name = 'measure' AND worker = 'Measure Tester'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audits, 4);
}

#[test]
fn bad_measures_are_refused_naming_the_item_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let c = with_client(&db);
    let err = refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "1,4,1"]));
    assert!(err.contains("UCLA-3 item 2 (left out): 4 is out of range; expected 1 to 3"), "{err}");
    let err =
        refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "swemwbs", "--items", "3,3,3,3,,3,3"]));
    assert!(err.contains("item 5 (thinking clearly): missing; a partly answered SWEMWBS is not scored"), "{err}");
    let err = refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "ons4", "--items", "7,8,6"]));
    assert!(err.contains("ONS4: expected 4 item scores, found 3"), "{err}");
    let err = refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "ons4", "--items", "7,x,6,1"]));
    assert!(err.contains("ONS4 item 2: 'x' is not a whole number"), "{err}");
    let err = refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "wemwbs", "--items", "1"]));
    assert!(err.contains("wemwbs"), "{err}");
    let err = refused(&cli(&db, &["measure", "add", "--client", "999", "--instrument", "ucla3", "--items", "1,1,1"]));
    assert!(err.contains("there is no client 999"), "{err}");
    let err = refused(&cli(
        &db,
        &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "1,1,1", "--follow-up"],
    ));
    assert!(err.contains("no baseline UCLA-3"), "{err}");
    let err = refused(&cli(
        &db,
        &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "1,1,1", "--when", "2999-01-01"],
    ));
    assert!(err.contains("in the future"), "{err}");
    ok(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "1,1,1"]));
    let err = refused(&cli(&db, &["measure", "add", "--client", &c, "--instrument", "ucla3", "--items", "2,2,2"]));
    assert!(err.contains("record this one as a follow-up"), "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM measure", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "only the one good measure");
}

#[test]
fn a_follow_up_comes_at_least_the_set_number_of_days_after_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let c = with_client(&db);
    let add = |when: &str, follow_up: bool| {
        let mut args = vec!["measure", "add", "--client", &c, "--instrument", "swemwbs", "--items", "3,3,3,3,3,3,3"];
        args.extend(["--when", when]);
        if follow_up {
            args.push("--follow-up");
        }
        cli(&db, &args)
    };
    ok(&add("2026-01-10", false));
    let err = refused(&add("2026-01-10", true));
    assert!(
        err.contains(
            "a follow-up must come at least 28 days after the baseline of 2026-01-10, so on 2026-02-07 or later"
        ),
        "{err}"
    );
    refused(&add("2026-02-06", true));
    // A setting changes the rule.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("INSERT INTO setting (key, value) VALUES ('follow_up_min_days', '42')", [])
        .unwrap();
    let err = refused(&add("2026-02-07", true));
    assert!(err.contains("at least 42 days"), "{err}");
    ok(&add("2026-02-21", true));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM measure WHERE timing = 'follow_up'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

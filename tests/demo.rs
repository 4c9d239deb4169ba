//! The synthetic demo data set.

use chrono::NaiveDate;
use linkwork::demo::{DemoOptions, generate};
use linkwork::domain::NhsNumber;
use linkwork::storage::Store;

fn opts(clients: usize, seed: u64) -> DemoOptions {
    DemoOptions { clients, seed, weeks: 52, today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() }
}

fn make(dir: &tempfile::TempDir, name: &str, o: &DemoOptions) -> Store {
    let mut store = Store::open(&dir.path().join(name), None).unwrap();
    generate(&mut store, o).unwrap();
    store
}

fn dump(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

const CLIENTS: &str =
    "SELECT nhs_number, name, date_of_birth, phone, postcode, practice_id, safeguarding FROM client ORDER BY id";
const REFERRALS: &str = "SELECT client_id, received_on, referrer_role, priority, status, outcome, closed_on,
    (SELECT group_concat(code) FROM referral_reason WHERE referral_id = referral.id) FROM referral ORDER BY id";

#[test]
fn same_seed_and_day_give_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = make(&dir, "a.db", &opts(300, 42));
    let b = make(&dir, "b.db", &opts(300, 42));
    assert_eq!(dump(&a, CLIENTS), dump(&b, CLIENTS));
    assert_eq!(dump(&a, REFERRALS), dump(&b, REFERRALS));
    assert_eq!(dump(&a, "SELECT * FROM measure ORDER BY id"), dump(&b, "SELECT * FROM measure ORDER BY id"));
    let c = make(&dir, "c.db", &opts(300, 43));
    assert_ne!(dump(&a, CLIENTS), dump(&c, CLIENTS), "another seed, other people");
}

#[test]
fn every_nhs_number_is_synthetic_valid_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let store = make(&dir, "a.db", &opts(2000, 7));
    let mut stmt = store.conn().prepare("SELECT nhs_number FROM client").unwrap();
    let numbers: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(numbers.len(), 2000);
    let unique: std::collections::HashSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), 2000);
    for digits in &numbers {
        let parsed = NhsNumber::parse(digits).unwrap_or_else(|e| panic!("{digits}: {e}"));
        assert!(parsed.is_synthetic(), "{digits} does not begin 999");
    }
}

#[test]
fn the_data_covers_the_whole_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let store = make(&dir, "a.db", &opts(800, 1));
    let c = store.conn();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    for status in ["new", "contacting", "booked", "active", "closed"] {
        assert!(count(&format!("SELECT count(*) FROM referral WHERE status = '{status}'")) > 0, "no {status}");
    }
    for state in ["draft", "sent", "accepted", "declined", "started", "completed", "dropped_out", "no_response"] {
        assert!(
            count(&format!("SELECT count(*) FROM prescription WHERE state = '{state}'")) > 0,
            "no {state} prescription"
        );
    }
    for inst in ["ons4", "swemwbs", "ucla3"] {
        for timing in ["baseline", "follow_up"] {
            assert!(
                count(&format!("SELECT count(*) FROM measure WHERE instrument = '{inst}' AND timing = '{timing}'")) > 0,
                "no {inst} {timing}"
            );
        }
    }
    assert!(count("SELECT count(*) FROM service") >= 100);
    assert!(count("SELECT count(*) FROM unmet_need") > 0);
    assert!(count("SELECT count(*) FROM assessment") > 0);
    assert!(count("SELECT count(*) FROM client WHERE name GLOB '*[^ -~]*'") > 0, "names beyond ASCII");
    assert!(count("SELECT count(*) FROM referral WHERE received_on > '2026-11-23'") == 0, "nothing in the future");
    assert!(store.check().unwrap().is_empty());
    assert_eq!(store.setting("worker_name").unwrap().as_deref(), Some("Alex Morgan"));
    let audits = count("SELECT count(*) FROM audit_log WHERE action = 'generate'");
    assert_eq!(audits, 1);
}

#[test]
fn demo_refuses_a_database_that_holds_people() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = make(&dir, "a.db", &opts(10, 1));
    let err = generate(&mut store, &opts(10, 2)).unwrap_err();
    assert!(err.to_string().contains("only written to an empty database"), "{err}");
    let n: i64 = store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 10);
    // The bulk-load settings never outlive the generation.
    let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = store.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2));
}

//! The state-machine property test of issue 14: random sequences of intake (the
//! form's and the command line's path, and CSV files), triage decisions, undo,
//! contacts, measures, prescriptions and their state changes, each run against a
//! fresh database. After every step the invariants are checked:
//!
//! * at most one open episode per person;
//! * no time in the future, no step before the record it belongs to began
//!   (`storage::invariants`, the checks the demo's data also goes through);
//! * every change has exactly one audit record per record it creates or changes,
//!   and a refused step changes nothing and records nothing;
//! * only allowed transitions: each triage step is one the rules allow, the
//!   referral's status is its last step's, each prescription's steps follow the
//!   hand-over rules;
//! * the weekly summary's counts equal a recount in plain SQL;
//! * the Waiting list's table (kept by triggers) holds exactly the referrals its
//!   definition names.
//!
//! `sequences_keep_the_invariants` runs 1,000 sequences by default
//! (`PROPTEST_CASES` sets more or fewer). `a_planted_bug_is_caught` shows the
//! checker failing on sequences run with a bug put back in: the old intake that
//! opened a second episode, a status change without its audit record, and the
//! Waiting list not kept when a prescription changes state.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::domain::prescription::{Consent, State, next_states};
use linkwork::domain::referral::{ContactKind, Instrument, Outcome, Status};
use linkwork::domain::summary::Period;
use linkwork::domain::triage::{self, Action, Attempt, Standing};
use linkwork::storage::referrals::{self, Intake, Undo};
use linkwork::storage::{self, Store, contacts, measures, prescriptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The people referrals are about: NHS number, name, date of birth.
const PEOPLE: [(&str, &str, &str); 3] = [
    ("9990000018", "Ann Test", "1950-01-01"),
    ("9990000026", "Bob Test", "1961-06-30"),
    ("9990000034", "Cai Test", "1979-12-12"),
];
const REASONS: [&str; 4] = ["loneliness", "housing", "money", "carer"];

#[derive(Clone, Copy, Debug)]
enum Path {
    /// The form and `referral add`: one referral through validate and add_confirmed.
    One,
    /// A CSV file of one or two rows.
    Csv,
}

#[derive(Clone, Debug)]
enum Op {
    Intake {
        path: Path,
        person: usize,
        /// 0: as on file; 1: another name; 2: another name and date of birth.
        variant: u8,
        same_person: bool,
        reasons: u8,
        days_ago: i64,
        urgent: bool,
        twice: bool,
    },
    Decide {
        person: usize,
        action: u8,
        days: i64,
    },
    Undo,
    Contact {
        person: usize,
        days_ago: i64,
        dna: bool,
    },
    Measure {
        person: usize,
        instrument: u8,
        follow_up: bool,
        days_ago: i64,
    },
    Prescribe {
        person: usize,
        consent: bool,
    },
    Consent {
        which: usize,
    },
    SetState {
        which: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let person = 0..PEOPLE.len();
    prop_oneof![
        4 => (prop_oneof![Just(Path::One), Just(Path::Csv)], person.clone(), 0u8..3, any::<bool>(), 1u8..16, 0i64..60,
              any::<bool>(), any::<bool>())
            .prop_map(|(path, person, variant, same_person, reasons, days_ago, urgent, twice)| Op::Intake {
                path, person, variant, same_person, reasons, days_ago, urgent, twice
            }),
        6 => (person.clone(), 0u8..13, 0i64..400).prop_map(|(person, action, days)| Op::Decide { person, action, days }),
        1 => Just(Op::Undo),
        2 => (person.clone(), 0i64..70, any::<bool>()).prop_map(|(person, days_ago, dna)| Op::Contact { person, days_ago, dna }),
        2 => (person.clone(), 0u8..3, any::<bool>(), 0i64..70)
            .prop_map(|(person, instrument, follow_up, days_ago)| Op::Measure { person, instrument, follow_up, days_ago }),
        2 => (person, any::<bool>()).prop_map(|(person, consent)| Op::Prescribe { person, consent }),
        1 => (0usize..4).prop_map(|which| Op::Consent { which }),
        3 => (0usize..4, 0usize..State::ALL.len()).prop_map(|(which, to)| Op::SetState { which, to }),
    ]
}

/// A bug put back in, to show the checker catches it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Plant {
    None,
    /// The old intake: a referral for someone with an open episode opens another.
    SecondEpisode,
    /// A status changed without its audit record (and without its log entry).
    SilentStatus,
    /// The Waiting list not kept when a prescription changes state.
    StaleWaiting,
}

/// A folder for one sequence's database: in memory where the system offers it.
fn scratch() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap())
    } else {
        tempfile::tempdir().unwrap()
    }
}

/// A fresh database with a worker and one service, made once and copied for each sequence.
fn template() -> &'static std::path::Path {
    static TEMPLATE: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> = std::sync::OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("template.db");
            let mut store = Store::open(&path, None).unwrap();
            store.set_worker("Machine Tester").unwrap();
            store
                .conn()
                .execute_batch(
                    "INSERT INTO service (name, created_at, updated_at)
                     VALUES ('Walking group', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
                     PRAGMA wal_checkpoint(TRUNCATE);",
                )
                .unwrap();
            drop(store);
            (dir, path)
        })
        .1
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    undo: Option<Undo>,
    prescriptions: Vec<i64>,
    csv: std::path::PathBuf,
    plant: Plant,
}

impl World {
    fn new(plant: Plant) -> World {
        let dir = scratch();
        let path = dir.path().join("sm.db");
        std::fs::copy(template(), &path).unwrap();
        let store = Store::open(&path, None).unwrap();
        // Speed only: the rules under test do not depend on waiting for the disk.
        store.conn().execute_batch("PRAGMA synchronous = OFF;").unwrap();
        if plant == Plant::StaleWaiting {
            store.conn().execute_batch("DROP TRIGGER referral_waiting_prescription_update;").unwrap();
        }
        let csv = dir.path().join("in.csv");
        World { _dir: dir, store, undo: None, prescriptions: Vec::new(), csv, plant }
    }

    fn conn(&self) -> &rusqlite::Connection {
        self.store.conn()
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn audits(&self) -> i64 {
        self.count("SELECT count(*) FROM audit_log")
    }

    /// Everything a step could change, in one string.
    fn fingerprint(&self) -> String {
        self.conn()
            .query_row(
                "SELECT (SELECT count(*) FROM client) || '|' || (SELECT count(*) FROM referral_reason) || '|' ||
                        (SELECT count(*) FROM referral_intake) || '|' || (SELECT count(*) FROM contact) || '|' ||
                        (SELECT count(*) FROM measure) || '|' || (SELECT count(*) FROM prescription_event) || '|' ||
                        coalesce((SELECT group_concat(id || status || priority || coalesce(closed_on, '') ||
                                  coalesce(appointment_on, '') || updated_at, ',') FROM referral), '') || '|' ||
                        coalesce((SELECT group_concat(id || state || coalesce(consent, ''), ',') FROM prescription), '')",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn client(&self, person: usize) -> Option<i64> {
        self.conn().query_row("SELECT id FROM client WHERE nhs_number = ?1", [PEOPLE[person].0], |r| r.get(0)).ok()
    }

    fn current_referral(&self, person: usize) -> Option<i64> {
        let client = self.client(person)?;
        self.conn()
            .query_row(
                "SELECT id FROM referral WHERE client_id = ?1 ORDER BY received_on DESC, id DESC LIMIT 1",
                [client],
                |r| r.get(0),
            )
            .ok()
    }

    fn input(person: usize, variant: u8, reasons: u8, days_ago: i64, urgent: bool) -> ReferralInput {
        let (nhs, name, dob) = PEOPLE[person];
        let chosen: Vec<&str> =
            REASONS.iter().enumerate().filter(|(i, _)| reasons & (1 << i) != 0).map(|(_, r)| *r).collect();
        ReferralInput {
            nhs_number: nhs.into(),
            name: if variant >= 1 { "Zed Other".into() } else { name.into() },
            date_of_birth: if variant >= 2 { "1990-02-02".into() } else { dob.into() },
            reasons: chosen.join(";"),
            received: (today() - Duration::days(days_ago)).to_string(),
            priority: if urgent { "urgent".into() } else { String::new() },
            referrer_name: "Dr Jones".into(),
            ..Default::default()
        }
    }

    /// Apply one step: Ok(audit records it should have added), or Err when refused.
    fn apply(&mut self, op: &Op) -> Result<i64, String> {
        let t = today();
        let e = |e: anyhow::Error| format!("{e:#}");
        match *op {
            Op::Intake { path: Path::One, person, variant, same_person, reasons, days_ago, urgent, .. } => {
                let codes = referrals::reason_codes(self.conn()).unwrap();
                let valid = validate(&Self::input(person, variant, reasons, days_ago, urgent), &codes, t)
                    .map_err(|e| e.to_string())?;
                let open_before = self.current_open(person);
                let added = referrals::add_confirmed(&mut self.store, &valid, same_person).map_err(e)?;
                if self.plant == Plant::SecondEpisode && added.intake == Intake::Joined {
                    // The old behaviour: a second episode beside the open one.
                    self.conn()
                        .execute(
                            "INSERT INTO referral (client_id, received_on, status, created_at, updated_at)
                             VALUES (?1, ?2, 'new', ?3, ?3)",
                            rusqlite::params![added.client_id, valid.received, storage::now_utc()],
                        )
                        .unwrap();
                }
                assert!(
                    added.intake != Intake::Joined || open_before == Some(added.referral_id),
                    "joined referral {} although the person's open episode was {open_before:?}",
                    added.referral_id
                );
                Ok(match (added.intake, added.new_client) {
                    (Intake::AlreadyTaken, _) => 0,
                    (_, true) => 2,
                    _ => 1,
                })
            }
            Op::Intake { path: Path::Csv, person, variant, reasons, days_ago, urgent, twice, .. } => {
                let mut text = String::from("nhs_number,name,date_of_birth,reason,received,priority\n");
                let rows = if twice { 2 } else { 1 };
                for k in 0..rows {
                    let i = Self::input((person + k) % PEOPLE.len(), variant, reasons, days_ago, urgent);
                    text.push_str(&format!(
                        "{},{},{},{},{},{}\n",
                        i.nhs_number, i.name, i.date_of_birth, i.reasons, i.received, i.priority
                    ));
                }
                std::fs::write(&self.csv, text).unwrap();
                let clients = self.count("SELECT count(*) FROM client");
                let report = referrals::import_csv(&mut self.store, &self.csv, t).map_err(e)?;
                let new_clients = self.count("SELECT count(*) FROM client") - clients;
                Ok(1 + report.imported as i64 + new_clients)
            }
            Op::Decide { person, action, days } => {
                let Some(r) = self.current_referral(person) else { return Err("nobody to decide on".into()) };
                let action = match action {
                    0 => Action::Accept,
                    1 => Action::Attempt(Attempt::Reached),
                    2 => Action::Attempt(Attempt::NoAnswer),
                    3 => Action::Attempt(Attempt::Voicemail),
                    4 => Action::Attempt(Attempt::WrongNumber),
                    5 => Action::Book(t + Duration::days(days)),
                    6 => Action::Decline("not now".into()),
                    7 => Action::UnableToContact,
                    8 => Action::Transfer("community mental health team".into()),
                    9 => Action::Close(Outcome::Completed),
                    10 => Action::Close(Outcome::Disengaged),
                    11 => Action::Close(Outcome::Other),
                    _ => Action::Attempt(Attempt::NoAnswer),
                };
                let (_, undo) = referrals::decide(&mut self.store, r, &action, t).map_err(e)?;
                self.undo = Some(undo);
                if self.plant == Plant::SilentStatus && matches!(action, Action::Accept) {
                    self.conn().execute("UPDATE referral SET status = 'booked' WHERE id = ?1", [r]).unwrap();
                }
                Ok(1)
            }
            Op::Undo => {
                let Some(u) = self.undo.take() else { return Err("nothing to undo".into()) };
                referrals::undo(&mut self.store, &u).map_err(e)?;
                Ok(1)
            }
            Op::Contact { person, days_ago, dna } => {
                let Some(c) = self.client(person) else { return Err("nobody".into()) };
                let contact = contacts::NewContact {
                    kind: ContactKind::FaceToFace,
                    on: t - Duration::days(days_ago),
                    minutes: Some(30),
                    did_not_attend: dna,
                    note: None,
                };
                contacts::add(&mut self.store, c, &contact, t).map_err(e)?;
                Ok(1)
            }
            Op::Measure { person, instrument, follow_up, days_ago } => {
                let Some(c) = self.client(person) else { return Err("nobody".into()) };
                let (inst, items): (Instrument, Vec<Option<i64>>) = match instrument {
                    0 => (Instrument::Ons4, vec![Some(5), Some(6), Some(7), Some(3)]),
                    1 => (Instrument::Swemwbs, vec![Some(3); 7]),
                    _ => (Instrument::Ucla3, vec![Some(2); 3]),
                };
                measures::add(&mut self.store, c, inst, &items, t - Duration::days(days_ago), follow_up, t)
                    .map_err(e)?;
                Ok(1)
            }
            Op::Prescribe { person, consent } => {
                let Some(c) = self.client(person) else { return Err("nobody".into()) };
                let p = prescriptions::NewPrescription {
                    client_id: c,
                    service_id: 1,
                    needs: Vec::new(),
                    wants: "Company".into(),
                    note: String::new(),
                    consent: consent.then_some(Consent::Verbal),
                    share_nhs_number: false,
                };
                let created = prescriptions::create(&mut self.store, &p).map_err(e)?;
                self.prescriptions.push(created.id);
                Ok(1)
            }
            Op::Consent { which } => {
                let Some(&id) = self.prescriptions.get(which) else { return Err("no prescription".into()) };
                prescriptions::record_consent(&mut self.store, id, Consent::Written).map_err(e)?;
                Ok(1)
            }
            Op::SetState { which, to } => {
                let Some(&id) = self.prescriptions.get(which) else { return Err("no prescription".into()) };
                prescriptions::set_state(&mut self.store, id, State::ALL[to], Some("No places")).map_err(e)?;
                Ok(1)
            }
        }
    }

    fn current_open(&self, person: usize) -> Option<i64> {
        let client = self.client(person)?;
        self.conn()
            .query_row(
                "SELECT id FROM referral WHERE client_id = ?1 AND status <> 'closed' ORDER BY received_on, id LIMIT 1",
                [client],
                |r| r.get(0),
            )
            .ok()
    }

    /// Every invariant; the first broken one, in words.
    fn check(&self) -> Result<(), String> {
        let t = today();
        let twice = self.count(
            "SELECT count(*) FROM (SELECT client_id FROM referral WHERE status <> 'closed' GROUP BY client_id HAVING count(*) > 1)",
        );
        if twice > 0 {
            return Err(format!("{twice} people have more than one open episode"));
        }
        let problems = storage::invariants::time_problems(self.conn(), &storage::now_utc(), t).unwrap();
        if !problems.is_empty() {
            return Err(format!("times: {problems:?}"));
        }
        // The Waiting list's table, kept by triggers, against its definition.
        let waiting = storage::caseload::waiting_problems(self.conn()).unwrap();
        if !waiting.is_empty() {
            return Err(format!("waiting list: {waiting:?}"));
        }
        // Triage steps: each one the rules allow; the status is the last step's.
        let allowed = allowed_steps();
        let steps: Vec<(i64, String, String)> = self
            .conn()
            .prepare("SELECT referral_id, status_from, status_to FROM contact WHERE status_to IS NOT NULL ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (_, from, to) in &steps {
            if !allowed.contains(&(from.clone(), to.clone())) {
                return Err(format!("a triage step {from} -> {to} the rules do not allow"));
            }
        }
        let statuses: Vec<(i64, String)> = self
            .conn()
            .prepare("SELECT id, status FROM referral")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (id, status) in statuses {
            let last = steps.iter().rev().find(|(r, _, _)| *r == id).map_or("new", |(_, _, to)| to.as_str());
            if last != status {
                return Err(format!("referral {id} is {status}, but its last triage step left it {last}"));
            }
        }
        // Prescriptions: the hand-over steps in order of the rules.
        for &id in &self.prescriptions {
            let events: Vec<String> = self
                .conn()
                .prepare("SELECT state FROM prescription_event WHERE prescription_id = ?1 ORDER BY id")
                .unwrap()
                .query_map([id], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let states: Vec<State> = events.iter().map(|s| State::parse(s).unwrap()).collect();
            if states.first() != Some(&State::Draft) {
                return Err(format!("prescription {id} did not begin as a draft: {events:?}"));
            }
            if let Some(w) = states.windows(2).find(|w| !next_states(w[0]).contains(&w[1])) {
                return Err(format!("prescription {id}: {} -> {} is not a hand-over step", w[0].code(), w[1].code()));
            }
            let now: String =
                self.conn().query_row("SELECT state FROM prescription WHERE id = ?1", [id], |r| r.get(0)).unwrap();
            if Some(now.as_str()) != events.last().map(String::as_str) {
                return Err(format!("prescription {id} is {now}, its last step {events:?}"));
            }
        }
        // The weekly summary's counts against a recount in plain SQL.
        let (from, to) = (t - Duration::days(90), t);
        let s = storage::summary::compute(self.conn(), &Period::days(from, to).unwrap()).unwrap();
        let recount = |sql: &str| -> i64 {
            self.conn().query_row(sql, rusqlite::params![from.to_string(), to.to_string()], |r| r.get(0)).unwrap()
        };
        let pairs = [
            (
                "new referrals",
                s.referrals.new.value(),
                recount("SELECT count(*) FROM referral WHERE received_on BETWEEN ?1 AND ?2"),
            ),
            (
                "first contacts",
                s.first_contacts.made.value(),
                recount("SELECT count(*) FROM referral WHERE first_contact_on BETWEEN ?1 AND ?2"),
            ),
            (
                "contacts",
                s.contacts.total.value(),
                recount("SELECT count(*) FROM contact WHERE kind <> 'note' AND substr(at, 1, 10) BETWEEN ?1 AND ?2"),
            ),
            (
                "closed",
                s.closed.total.value(),
                recount("SELECT count(*) FROM referral WHERE status = 'closed' AND closed_on BETWEEN ?1 AND ?2"),
            ),
            (
                "open at the end",
                s.caseload.active_at_end.value(),
                recount("SELECT count(DISTINCT client_id) FROM referral WHERE status <> 'closed' AND ?1 <= ?2"),
            ),
        ];
        for (what, summary, plain) in pairs {
            if summary != Some(plain) {
                return Err(format!("summary {what}: {summary:?}, a recount says {plain}"));
            }
        }
        Ok(())
    }
}

/// Every (from, to) a triage decision can make, from the rules themselves.
fn allowed_steps() -> BTreeSet<(String, String)> {
    let t = today();
    let actions = [
        Action::Accept,
        Action::Attempt(Attempt::Reached),
        Action::Attempt(Attempt::NoAnswer),
        Action::Book(t),
        Action::Decline("x".into()),
        Action::UnableToContact,
        Action::Transfer("x".into()),
        Action::Close(Outcome::Completed),
        Action::Close(Outcome::Disengaged),
        Action::Close(Outcome::Other),
    ];
    let mut out = BTreeSet::new();
    for status in Status::ALL {
        for a in &actions {
            let standing = Standing { status: *status, failed_attempts: 99, last_reached: None };
            if let Ok(tr) = triage::plan(standing, a, 3, t) {
                out.insert((tr.from.code().to_owned(), tr.to.code().to_owned()));
            }
        }
    }
    out
}

/// Run one sequence; the first broken invariant, with the step that broke it.
fn run(ops: &[Op], plant: Plant) -> Result<(), String> {
    let mut w = World::new(plant);
    for (i, op) in ops.iter().enumerate() {
        let (audits, before) = (w.audits(), w.fingerprint());
        let result = w.apply(op);
        let added = w.audits() - audits;
        match result {
            Ok(expected) if added != expected => {
                return Err(format!("step {i} {op:?}: {added} audit records, expected {expected}"));
            }
            Err(why) if added != 0 || w.fingerprint() != before => {
                return Err(format!("step {i} {op:?} was refused ({why}) but changed something"));
            }
            _ => {}
        }
        w.check().map_err(|e| format!("after step {i} {op:?}: {e}"))?;
    }
    Ok(())
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn sequences_keep_the_invariants() {
    let mut runner = TestRunner::new(Config { cases: cases(1000), failure_persistence: None, ..Config::default() });
    let result =
        runner.run(&proptest::collection::vec(op(), 1..30), |ops| run(&ops, Plant::None).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn a_planted_bug_is_caught() {
    for (plant, says) in [
        (Plant::SecondEpisode, "more than one open episode"),
        (Plant::SilentStatus, "last triage step"),
        (Plant::StaleWaiting, "waiting list"),
    ] {
        let mut runner = TestRunner::new(Config { cases: 500, failure_persistence: None, ..Config::default() });
        let result =
            runner.run(&proptest::collection::vec(op(), 1..30), |ops| run(&ops, plant).map_err(TestCaseError::fail));
        match result {
            Err(proptest::test_runner::TestError::Fail(why, ops)) => {
                assert!(why.to_string().contains(says), "{plant:?}: {why}");
                // Shrunk to the few steps that show it.
                assert!(ops.len() <= 4, "{plant:?} shrank to {} steps: {ops:?}", ops.len());
            }
            other => panic!("{plant:?} was not caught: {other:?}"),
        }
    }
}

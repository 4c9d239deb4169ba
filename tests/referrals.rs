//! Taking in referrals (one, or a CSV file) and triage decisions, through the
//! store and through the command line.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, NaiveDate};
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::domain::referral::Outcome;
use linkwork::domain::triage::{Action, Attempt};
use linkwork::storage::Store;
use linkwork::storage::referrals::{self, reason_codes};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LINKWORK_WORKER", "Test Worker")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn add(store: &mut Store, nhs: &str, name: &str, dob: &str) -> referrals::Added {
    add_for(store, nhs, name, dob, "loneliness")
}

fn add_for(store: &mut Store, nhs: &str, name: &str, dob: &str, reasons: &str) -> referrals::Added {
    let input = ReferralInput {
        nhs_number: nhs.into(),
        name: name.into(),
        date_of_birth: dob.into(),
        reasons: reasons.into(),
        ..Default::default()
    };
    let codes = reason_codes(store.conn()).unwrap();
    let valid = validate(&input, &codes, today()).unwrap();
    referrals::add(store, &valid).unwrap()
}

#[test]
fn cli_refuses_a_bad_nhs_number_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let o = cli(
        &db,
        &["referral", "add", "--nhs", "999 765 4320", "--name", "A Person", "--dob", "1950-01-01", "--reason", "money"],
    );
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("NHS number") && err.contains("Modulus 11"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 0);
}

#[test]
fn cli_same_nhs_number_twice_is_one_person_with_one_open_episode() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let a = cli(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9997654323",
            "--name",
            "Siân Llywelyn",
            "--dob",
            "1950-03-14",
            "--reason",
            "loneliness;housing",
            "--priority",
            "soon",
            "--referrer-role",
            "gp",
            "--referrer",
            "Dr Jones",
            "--phone",
            "07700 900123",
            "--postcode",
            "ls1 4ap",
        ],
    );
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert!(
        text(&a.stderr).contains("opened a new episode for Siân Llywelyn (NHS 999 765 4323)"),
        "{}",
        text(&a.stderr)
    );
    let b = cli(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "999 765 4323",
            "--name",
            "Sian Llewellyn",
            "--dob",
            "1950-03-14",
            "--reason",
            "money",
            "--priority",
            "urgent",
            "--referrer-role",
            "pharmacist",
            "--referrer",
            "Ms Patel",
            "--notes",
            "Arrears letter",
        ],
    );
    assert!(b.status.success(), "{}", text(&b.stderr));
    let (id_a, id_b): (i64, i64) = (text(&a.stdout).trim().parse().unwrap(), text(&b.stdout).trim().parse().unwrap());
    assert_eq!(id_a, id_b, "the second referral joined the open episode");
    let said = text(&b.stderr);
    assert!(said.contains("on file as \"Siân Llywelyn\""), "{said}");
    assert!(
        said.contains(&format!("Siân Llywelyn (NHS 999 765 4323) already has an open episode (referral {id_a})"))
            && said.contains("reasons added: money")
            && said.contains("No second episode was opened"),
        "{said}"
    );
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM client"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE postcode = 'LS1 4AP' AND name = 'Siân Llywelyn'"), 1);
    let listed = cli(&db, &["referral", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["priority"], "urgent", "a more urgent referral raises the episode's priority");
    assert_eq!(rows[0]["reasons"], serde_json::json!(["housing", "loneliness", "money"]));
    // The joining referral is kept with the day it came, its referrer and notes.
    let record = linkwork::storage::client::load(store.conn(), 1).unwrap().unwrap();
    assert_eq!(record.joined.len(), 1);
    let j = &record.joined[0];
    assert_eq!(
        (j.received_on, j.reasons.clone(), j.referrer_name.as_deref(), j.notes.as_deref()),
        (today(), vec!["money".to_owned()], Some("Ms Patel"), Some("Arrears letter"))
    );
    assert_eq!(record.episodes[0].referrer_name.as_deref(), Some("Dr Jones"), "the episode keeps its first referrer");
    let audit = count(
        &store,
        "SELECT count(*) FROM audit_log WHERE table_name = 'referral' AND worker = 'Test Worker'
         AND (action = 'create' OR summary LIKE '%joined this open episode%')",
    );
    assert_eq!(audit, 2);
}

#[test]
fn a_known_nhs_number_with_another_name_and_birth_date_is_refused_unless_the_same_person() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let ann =
        ["referral", "add", "--nhs", "9990000018", "--name", "Ann Test", "--dob", "1950-01-01", "--reason", "housing"];
    assert!(cli(&db, &ann).status.success());
    let bob =
        ["referral", "add", "--nhs", "9990000018", "--name", "Bob Other", "--dob", "1960-01-01", "--reason", "money"];
    let o = cli(&db, &bob);
    assert!(!o.status.success(), "a different name and date of birth is refused");
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("NHS number 999 000 0018 is on file for Ann Test (born 1950-01-01, client 1), not Bob Other")
            && err.contains("--same-person"),
        "{err}"
    );
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM referral_reason WHERE code = 'money'"), 0);
    drop(store);
    // One of the two differing is a warning, not a refusal.
    let o = cli(
        &db,
        &["referral", "add", "--nhs", "9990000018", "--name", "Ann Test", "--dob", "1950-01-02", "--reason", "carer"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("date of birth 1950-01-01, not 1950-01-02"), "{}", text(&o.stderr));
    // Confirmed: it joins the person on file.
    let mut confirmed = bob.to_vec();
    confirmed.push("--same-person");
    let o = cli(&db, &confirmed);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Ann Test (NHS 999 000 0018) already has an open episode"), "{}", text(&o.stderr));
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE name = 'Ann Test'"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM referral_reason WHERE code = 'money'"), 1);
}

#[test]
fn importing_the_same_csv_twice_stores_each_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let file = dir.path().join("in.csv");
    std::fs::write(
        &file,
        "nhs_number,name,date_of_birth,reason,received\n\
         9990000018,Ann Test,1950-01-01,housing,2026-01-05\n\
         9990000026,Bob Test,1951-01-01,money;carer,2026-01-06\n\
         9990000026,Bob Test,1951-01-01,loneliness,2026-01-07\n\
         9997654320,Bad Number,1960-01-01,money,2026-01-07\n",
    )
    .unwrap();
    let first = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    assert!(
        text(&first.stdout).contains("imported 3 referrals (1 joined an open episode), rejected 1"),
        "{}",
        text(&first.stdout)
    );
    // Fixed the bad line and imported the whole file again.
    let fixed = std::fs::read_to_string(&file).unwrap().replace("9997654320,Bad Number", "9997654323,Good Number");
    std::fs::write(&file, fixed).unwrap();
    let again = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let err = text(&again.stderr);
    assert!(err.contains("line 2: already imported (referral 1)"), "{err}");
    assert!(err.contains("line 3: already imported (referral 2)"), "{err}");
    assert!(err.contains("line 4: already imported (referral 2)"), "{err}");
    assert!(!err.contains("line 5"), "{err}");
    assert!(
        text(&again.stdout).contains("imported 1 referral, rejected 0, already imported 3"),
        "{}",
        text(&again.stdout)
    );
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 3);
    assert_eq!(count(&store, "SELECT count(*) FROM referral_intake"), 4);
    assert_eq!(count(&store, "SELECT count(*) FROM client"), 3);
}

#[test]
fn two_open_referrals_from_before_are_shown_and_merged_with_an_audit_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let mut store = Store::open(&db, Some("Merger")).unwrap();
    let first = add_for(&mut store, "9990000018", "Ann Test", "1950-01-01", "housing");
    referrals::decide(&mut store, first.referral_id, &Action::Attempt(Attempt::Reached), today()).unwrap();
    // A second open referral, as the old program stored it.
    store
        .conn()
        .execute_batch(
            "INSERT INTO referral (client_id, received_on, priority, status, created_at, updated_at)
             VALUES (1, date('now'), 'urgent', 'new', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO referral_reason (referral_id, code) VALUES (2, 'money');
             INSERT INTO contact (referral_id, at, kind, outcome, created_at)
             VALUES (2, '2026-01-02T10:00:00Z', 'phone', 'no_answer', '2026-01-02T10:00:00Z');",
        )
        .unwrap();
    drop(store);
    let listed = cli(&db, &["referral", "list"]);
    assert!(text(&listed.stderr).contains("1 person has more than one open referral"), "{}", text(&listed.stderr));
    let shown = cli(&db, &["referral", "duplicates"]);
    let out = text(&shown.stdout);
    assert!(
        out.contains(
            "client 1 Ann Test (NHS 999 000 0018): open referrals 1, 2; merge with: linkwork referral merge 1 2"
        ),
        "{out}"
    );
    let merged = cli(&db, &["referral", "merge", "1", "2"]);
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    assert!(
        text(&merged.stdout).contains("referral 2 merged into referral 1 of Ann Test (NHS 999 000 0018"),
        "{}",
        text(&merged.stdout)
    );
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM contact WHERE referral_id = 1"), 2, "the log moved");
    assert_eq!(count(&store, "SELECT count(*) FROM referral_reason WHERE referral_id = 1"), 2);
    assert_eq!(count(&store, "SELECT count(*) FROM referral WHERE priority = 'urgent' AND status = 'contacting'"), 1);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_log WHERE record_id = 1 AND summary LIKE 'merged the open referral 2%'"
        ),
        1
    );
    assert!(store.check().unwrap().is_empty());
    assert!(text(&cli(&db, &["referral", "duplicates"]).stdout).contains("nobody has more than one open referral"));
    // Only two open referrals of one person merge.
    let o = cli(&db, &["referral", "merge", "1", "1"]);
    assert!(!o.status.success());
}

#[test]
fn cli_csv_import_takes_exactly_the_good_rows_and_names_each_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let future = (today() + Duration::days(3)).to_string();
    let csv = format!(
        "nhs_number,name,date_of_birth,reason,received,referrer_role,referrer_name,priority,phone,postcode,notes\n\
         999 246 8130,Łucja Wójcik,1961-02-03,money;housing,,gp,Dr Who,soon,07700 900123,ls1 4ap,\"two\nlines\"\n\
         9997654320,Bad Number,1960-01-01,money,,,,,,,\n\
         9997654323,Good Person,1970-05-05,loneliness,,nurse,,,,,\n\
         9997654323,Good Person,1970-05-05,bereavement,,,,,,,\n\
         9992468130,Future Date,1961-02-03,money,{future},,,,,,\n\
         ,,,,,,,,,,\n\
         9990000018,No Reason,1970-05-05,,,,,,,,\n\
         9990000018,Bad Role,1970-05-05,carer,,doctor,,,,,\n"
    );
    let file = dir.path().join("in.csv");
    std::fs::write(&file, csv).unwrap();
    let o = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    assert!(!o.status.success(), "some rows were rejected");
    let out = text(&o.stdout);
    assert!(out.contains("imported 3 referrals (1 joined an open episode), rejected 4"), "{out}");
    let err = text(&o.stderr);
    assert!(err.contains("line 6: Good Person (NHS 999 765 4323) already has an open episode"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("warning") && !l.starts_with("line 6:")).collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(lines[0].starts_with("line 4: NHS number"), "{err}");
    assert!(lines[1].starts_with("line 7: received") && lines[1].contains("future"), "{err}");
    assert!(lines[2].starts_with("line 9: reason: missing"), "{err}");
    assert!(lines[3].starts_with("line 10: referrer role"), "{err}");
    let store = Store::open(&db, None).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM referral"), 2, "the repeated NHS number joined the open episode");
    assert_eq!(count(&store, "SELECT count(*) FROM client"), 2, "the repeated NHS number joined its person");
    assert_eq!(
        count(&store, "SELECT count(*) FROM referral_reason WHERE code IN ('loneliness', 'bereavement')"),
        2,
        "the joining referral's reasons were added to the episode"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM client WHERE name IN ('Bad Number', 'Future Date', 'No Reason', 'Bad Role')"
        ),
        0
    );
    assert_eq!(count(&store, "SELECT count(*) FROM referral WHERE notes = 'two\nlines'"), 1);
}

#[test]
fn csv_without_the_required_header_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let file = dir.path().join("in.csv");
    std::fs::write(&file, "nhs,name,dob\n9997654323,A,1950-01-01\n").unwrap();
    let o = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("line 1") && err.contains("nhs_number, date_of_birth, reason"), "{err}");
    let o = cli(&db, &["referral", "import", dir.path().join("missing.csv").to_str().unwrap()]);
    assert!(text(&o.stderr).contains("could not open"), "{}", text(&o.stderr));
}

#[test]
fn csv_with_bad_encoding_reports_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let file = dir.path().join("in.csv");
    let mut bytes = b"nhs_number,name,date_of_birth,reason\n9997654323,Good,1950-01-01,money\n9992468130,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'x']);
    bytes.extend_from_slice(b",1950-01-01,money\n");
    std::fs::write(&file, bytes).unwrap();
    let o = cli(&db, &["referral", "import", file.to_str().unwrap()]);
    assert!(text(&o.stderr).contains("line 3: not valid UTF-8"), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("imported 1 referral, rejected 1"), "{}", text(&o.stdout));
}

#[test]
fn triage_writes_status_log_and_audit_together_and_undo_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db"), Some("Triage Tester")).unwrap();
    let r = add(&mut store, "9997654323", "Ann Example", "1950-01-01").referral_id;
    let log = |s: &Store| count(s, &format!("SELECT count(*) FROM contact WHERE referral_id = {r}"));
    let audits =
        |s: &Store| count(s, "SELECT count(*) FROM audit_log WHERE action = 'update' AND worker = 'Triage Tester'");
    let status = |s: &Store| -> String {
        s.conn().query_row("SELECT status FROM referral WHERE id = ?1", [r], |row| row.get(0)).unwrap()
    };

    let (t, undo) = referrals::decide(&mut store, r, &Action::Attempt(Attempt::NoAnswer), today()).unwrap();
    assert_eq!((t.from.code(), t.to.code()), ("new", "contacting"));
    assert_eq!((status(&store), log(&store), audits(&store)), ("contacting".into(), 1, 1));
    let entry: (String, String, String) = store
        .conn()
        .query_row("SELECT kind, outcome, status_to FROM contact WHERE referral_id = ?1", [r], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap();
    assert_eq!(entry, ("phone".into(), "no_answer".into(), "contacting".into()));

    referrals::undo(&mut store, &undo).unwrap();
    assert_eq!((status(&store), log(&store), audits(&store)), ("new".into(), 0, 2));

    // Closing as unable to contact needs three failed attempts.
    for _ in 0..2 {
        referrals::decide(&mut store, r, &Action::Attempt(Attempt::Voicemail), today()).unwrap();
    }
    let refused = referrals::decide(&mut store, r, &Action::UnableToContact, today()).unwrap_err();
    assert!(refused.to_string().contains("2 failed contact attempts"), "{refused}");
    assert_eq!(status(&store), "contacting", "a refused decision changes nothing");
    referrals::decide(&mut store, r, &Action::Attempt(Attempt::WrongNumber), today()).unwrap();
    let (t, _) = referrals::decide(&mut store, r, &Action::UnableToContact, today()).unwrap();
    assert_eq!(t.outcome, Some(Outcome::UnableToContact));
    let closed: (String, String, String) = store
        .conn()
        .query_row("SELECT status, outcome, closed_on FROM referral WHERE id = ?1", [r], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap();
    assert_eq!(closed, ("closed".into(), "unable_to_contact".into(), today().to_string()));
    assert!(referrals::decide(&mut store, r, &Action::Accept, today()).is_err());
}

#[test]
fn decline_records_the_snomed_code_and_a_new_referral_opens_a_new_episode() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db"), Some("T")).unwrap();
    let first = add(&mut store, "9997654323", "Ann Example", "1950-01-01");
    referrals::decide(&mut store, first.referral_id, &Action::Attempt(Attempt::Reached), today()).unwrap();
    referrals::decide(&mut store, first.referral_id, &Action::Decline("not now".into()), today()).unwrap();
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM contact WHERE referral_id = {} AND snomed_code = '871711000000103'",
                first.referral_id
            )
        ),
        1
    );
    let first_contact: String = store
        .conn()
        .query_row("SELECT first_contact_on FROM referral WHERE id = ?1", [first.referral_id], |r| r.get(0))
        .unwrap();
    assert_eq!(first_contact, today().to_string());
    let second = add_for(&mut store, "9997654323", "Ann Example", "1950-01-01", "housing");
    assert_eq!(second.intake, referrals::Intake::Opened, "the first episode is closed: a new one opens");
    assert_eq!(second.client_id, first.client_id);
    assert!(!second.new_client);
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    assert_ne!(second.referral_id, first.referral_id);
}

#[test]
fn referrals_name_their_practice_and_an_unknown_one_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let mut s = Store::open(&db, Some("Practice Tester")).unwrap();
    let change = linkwork::storage::practices::PracticeChange {
        name: "Canal Street Surgery".into(),
        ods_code: Some("y00001".into()),
        list_size: Some(4000),
        pcn: Some("Riverside PCN".into()),
    };
    let id = linkwork::storage::practices::set(&mut s, &change).unwrap();
    // Setting it again by name (any case) changes the same practice.
    let again = linkwork::storage::practices::PracticeChange {
        name: "canal street surgery".into(),
        list_size: Some(4100),
        ..Default::default()
    };
    assert_eq!(linkwork::storage::practices::set(&mut s, &again).unwrap(), id);
    let listed = linkwork::storage::practices::list(s.conn()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].ods_code.as_deref(), listed[0].list_size, listed[0].pcn.as_deref()),
        (Some("Y00001"), Some(4100), Some("Riverside PCN"))
    );

    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "nhs_number,name,date_of_birth,reason,practice\n\
         9990000018,Aled Ap Rhys,1955-05-05,loneliness,Y00001\n\
         9990000026,Bożena Nowak,1955-05-05,money,Nowhere Surgery\n\
         9990000034,Chidi Okafor,1955-05-05,money,\n",
    )
    .unwrap();
    let report = referrals::import_csv(&mut s, &csv, today()).unwrap();
    assert_eq!(report.imported, 2);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].0, 3);
    assert!(report.rejected[0].1.contains("'Nowhere Surgery' is not known"), "{:?}", report.rejected);
    let practices: Vec<(String, Option<i64>, Option<i64>)> = s
        .conn()
        .prepare("SELECT c.name, c.practice_id, r.practice_id FROM referral r JOIN client c ON c.id = r.client_id ORDER BY r.id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(practices, [("Aled Ap Rhys".to_owned(), Some(id), Some(id)), ("Chidi Okafor".to_owned(), None, None)]);
    // A later referral without a practice takes the person's.
    let input = ReferralInput {
        nhs_number: "9990000018".into(),
        name: "Aled Ap Rhys".into(),
        date_of_birth: "1955-05-05".into(),
        reasons: "housing".into(),
        ..Default::default()
    };
    let valid = validate(&input, &reason_codes(s.conn()).unwrap(), today()).unwrap();
    let added = referrals::add(&mut s, &valid).unwrap();
    let p: Option<i64> = s
        .conn()
        .query_row("SELECT practice_id FROM referral WHERE id = ?1", [added.referral_id], |r| r.get(0))
        .unwrap();
    assert_eq!(p, Some(id));
}

/// A CSV import sets the names' search trigger aside and indexes the new people
/// in one statement (issue 18): afterwards the index holds exactly every
/// person's name, the trigger is back as it was (the schema check passes), and
/// a person added later is found too. An import that fails part way leaves
/// the trigger and the index as they were.
#[test]
fn a_csv_import_indexes_the_new_names_and_puts_the_trigger_back() {
    use linkwork::storage::caseload::{self, Filter, View};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let mut store = Store::open(&db, Some("t")).unwrap();
    add(&mut store, "9990000018", "Ann Test", "1950-01-01");
    let file = dir.path().join("in.csv");
    std::fs::write(
        &file,
        "nhs_number,name,date_of_birth,reason,received\n\
         9990000018,Ann Test,1950-01-01,money,2026-01-05\n\
         9990000026,Bob Wójcik,1951-01-01,money;carer,2026-01-06\n\
         9990000034,Cai Ó Súilleabháin,1979-12-12,loneliness,2026-01-07\n",
    )
    .unwrap();
    let report = referrals::import_csv(&mut store, &file, today()).unwrap();
    assert_eq!(report.imported, 3);
    let pairs = |store: &Store, sql: &str| -> Vec<(i64, String)> {
        store
            .conn()
            .prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        pairs(&store, "SELECT rowid, name_key FROM client_search ORDER BY rowid"),
        pairs(&store, "SELECT id, name_key FROM client ORDER BY id")
    );
    assert!(store.check().unwrap().is_empty(), "{:?}", store.check().unwrap());
    let found = |store: &Store, text: &str| caseload::count(store.conn(), View::All, &Filter::new(text)).unwrap();
    assert_eq!(found(&store, "wójcik"), 1);
    assert_eq!(found(&store, "suilleabhain"), 1);
    add(&mut store, "9990000042", "Dee Later", "1980-02-02");
    assert_eq!(found(&store, "later"), 1, "the trigger is back");

    // An import refused part way (a line over the input limits) changes nothing.
    let before = pairs(&store, "SELECT rowid, name_key FROM client_search ORDER BY rowid");
    let long = format!(
        "nhs_number,name,date_of_birth,reason,received\n9990000050,Eve New,1950-01-01,money,2026-01-05\n9990000069,{},1950-01-01,money,2026-01-05\n",
        "x".repeat(2_000_000)
    );
    std::fs::write(&file, long).unwrap();
    assert!(referrals::import_csv(&mut store, &file, today()).is_err());
    assert_eq!(pairs(&store, "SELECT rowid, name_key FROM client_search ORDER BY rowid"), before);
    assert!(store.check().unwrap().is_empty());
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE nhs_number = '9990000050'"), 0);
}

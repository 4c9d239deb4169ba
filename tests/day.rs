//! The Link Worker's day (issue 16): appointments, follow-ups, Today, the
//! diary as iCalendar, corrections, safeguarding, find anyone, services by hand.
//! Every change is checked in the database with its audit record.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use linkwork::domain::appointment::{AppointmentKind, AppointmentStatus, parse_start};
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::storage::appointments::{self, NewAppointment, Went};
use linkwork::storage::{Store, follow_ups, referrals, safeguarding, today as agenda};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("LINKWORK_DB")
        .env_remove("LINKWORK_WORKER")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    parse_start(s).unwrap()
}

/// A store with one person referred on `received`: returns (store, client id, referral id).
fn person(dir: &tempfile::TempDir, nhs: &str, name: &str, received: &str) -> (Store, i64, i64) {
    let mut s = Store::open(&dir.path().join("day.db"), Some("Day Worker")).unwrap();
    let (c, r) = refer(&mut s, nhs, name, received, "0113 496 0001");
    (s, c, r)
}

fn refer(s: &mut Store, nhs: &str, name: &str, received: &str, phone: &str) -> (i64, i64) {
    let input = ReferralInput {
        nhs_number: nhs.into(),
        name: name.into(),
        date_of_birth: "1950-05-05".into(),
        reasons: "loneliness".into(),
        received: received.into(),
        phone: phone.into(),
        notes: "Lives alone, recently widowed. Prefers Welsh.".into(),
        ..Default::default()
    };
    let codes = referrals::reason_codes(s.conn()).unwrap();
    let added = referrals::add(s, &validate(&input, &codes, d("2026-11-25")).unwrap()).unwrap();
    (added.client_id, added.referral_id)
}

fn audit_summaries(s: &Store, table: &str) -> Vec<String> {
    let mut stmt = s.conn().prepare("SELECT summary FROM audit_log WHERE table_name = ?1 ORDER BY id").unwrap();
    stmt.query_map([table], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn status(s: &Store, referral: i64) -> String {
    s.conn().query_row("SELECT status FROM referral WHERE id = ?1", [referral], |r| r.get(0)).unwrap()
}

#[test]
fn booking_a_new_referral_books_it_and_the_appointment_lives_its_life_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, referral) = person(&dir, "9990000018", "Siân Llewellyn", "2026-11-02");
    let now = t("2026-11-09 09:00");
    let mut a = NewAppointment::at(t("2026-11-10 10:30"));
    a.kind = AppointmentKind::FaceToFace;
    a.place = Some("Surgery room 2".into());
    let booked = appointments::book(&mut s, client, &a, now).unwrap();
    assert_eq!(booked.status.map(|(f, t)| (f.code(), t.code())), Some(("new", "booked")));
    assert_eq!(status(&s, referral), "booked");
    let got = appointments::get(s.conn(), booked.appointment_id).unwrap().unwrap();
    assert_eq!(
        (got.start, got.minutes, got.kind, got.status),
        (a.start, 30, AppointmentKind::FaceToFace, AppointmentStatus::Booked)
    );

    // Not in the past; not attended before it starts.
    let e = appointments::book(&mut s, client, &NewAppointment::at(t("2026-11-08 10:00")), now).unwrap_err();
    assert!(format!("{e:#}").contains("past"), "{e:#}");
    let e = appointments::record_outcome(&mut s, booked.appointment_id, Went::Attended, None, None, now).unwrap_err();
    assert!(format!("{e:#}").contains("has not come yet"), "{e:#}");

    // Moved: the booked day follows.
    let moved = appointments::move_to(&mut s, booked.appointment_id, t("2026-11-11 14:00"), Some(45), now).unwrap();
    assert_eq!((moved.start, moved.minutes), (t("2026-11-11 14:00"), 45));
    let day: String =
        s.conn().query_row("SELECT appointment_on FROM referral WHERE id = ?1", [referral], |r| r.get(0)).unwrap();
    assert_eq!(day, "2026-11-11");

    // Attended: one key, one contact in the log, first contact made.
    let later = t("2026-11-11 15:00");
    let contact = appointments::record_outcome(
        &mut s,
        booked.appointment_id,
        Went::Attended,
        None,
        Some("Talked about the choir"),
        later,
    )
    .unwrap();
    let (kind, outcome, minutes, note, at): (String, String, i64, String, String) = s
        .conn()
        .query_row("SELECT kind, outcome, duration_min, note, at FROM contact WHERE id = ?1", [contact], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    assert_eq!(
        (kind.as_str(), outcome.as_str(), minutes, note.as_str()),
        ("face_to_face", "attended", 45, "Talked about the choir")
    );
    assert_eq!(at, "2026-11-11T14:00:00Z", "14:00 in November is 14:00 UTC");
    let first: String =
        s.conn().query_row("SELECT first_contact_on FROM referral WHERE id = ?1", [referral], |r| r.get(0)).unwrap();
    assert_eq!(first, "2026-11-09", "booking on the 9th was the first contact; attending keeps it");
    let e = appointments::cancel(&mut s, booked.appointment_id, None).unwrap_err();
    assert!(format!("{e:#}").contains("attended already"), "{e:#}");

    // Another, missed: did-not-attend recorded.
    let second = appointments::book(&mut s, client, &NewAppointment::at(t("2026-11-18 10:00")), later).unwrap();
    let c2 =
        appointments::record_outcome(&mut s, second.appointment_id, Went::Missed, None, None, t("2026-11-18 11:00"))
            .unwrap();
    let (dna, outcome): (bool, String) = s
        .conn()
        .query_row("SELECT did_not_attend, outcome FROM contact WHERE id = ?1", [c2], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((dna, outcome.as_str()), (true, "dna"));

    // A third, cancelled with its reason.
    let third =
        appointments::book(&mut s, client, &NewAppointment::at(t("2026-11-30 10:00")), t("2026-11-18 11:00")).unwrap();
    let c = appointments::cancel(&mut s, third.appointment_id, Some("Person in hospital")).unwrap();
    assert_eq!(c.status, AppointmentStatus::Cancelled);

    let trail = audit_summaries(&s, "appointment");
    assert!(trail.iter().any(|a| a.contains("moved from 2026-11-10 10:30 to 2026-11-11 14:00")), "{trail:?}");
    assert!(trail.iter().any(|a| a.contains("attended (contact")), "{trail:?}");
    assert!(trail.iter().any(|a| a.contains("missed: did not attend")), "{trail:?}");
    assert!(trail.iter().any(|a| a.contains("cancelled: Person in hospital")), "{trail:?}");
    assert!(audit_summaries(&s, "referral").iter().any(|a| a.contains("appointment 1 booked for 2026-11-10 10:30")));
    assert!(s.check().unwrap().is_empty(), "{:?}", s.check().unwrap());
}

#[test]
fn undoing_a_booking_takes_its_appointment_away_and_a_closed_episode_cannot_book() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, referral) = person(&dir, "9990000018", "Amina Khan", "2026-11-20");
    let a = NewAppointment::at(t("2026-11-30 10:00"));
    let (_, undo) = referrals::decide_booking(&mut s, referral, Some("9990000018"), &a, d("2026-11-25")).unwrap();
    assert_eq!(appointments::of_client(s.conn(), client, 10).unwrap().len(), 1);
    referrals::undo(&mut s, &undo).unwrap();
    assert_eq!(appointments::of_client(s.conn(), client, 10).unwrap().len(), 0);
    assert_eq!(status(&s, referral), "new");

    let reached = linkwork::domain::triage::Action::Attempt(linkwork::domain::triage::Attempt::Reached);
    referrals::decide(&mut s, referral, &reached, d("2026-11-25")).unwrap();
    let close = linkwork::domain::triage::Action::Decline("Does not want it".into());
    referrals::decide(&mut s, referral, &close, d("2026-11-25")).unwrap();
    let e = appointments::book(&mut s, client, &a, t("2026-11-25 09:00")).unwrap_err();
    assert!(format!("{e:#}").contains("closed"), "{e:#}");
    let e = follow_ups::set(&mut s, client, d("2026-12-01"), None, d("2026-11-25")).unwrap_err();
    assert!(format!("{e:#}").contains("closed"), "{e:#}");
}

#[test]
fn today_lists_what_is_due_and_why_and_an_empty_day_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, referral) = person(&dir, "9990000018", "Siân Llewellyn", "2026-11-02");
    let today = d("2026-11-25");
    let now = t("2026-11-25 08:00");
    assert!(agenda::agenda(s.conn(), d("2026-10-01"), t("2026-10-01 08:00")).unwrap().is_empty());

    // Received 2026-11-02, no contact: past the 5 working days.
    let a = agenda::agenda(s.conn(), today, now).unwrap();
    let first = a.items().find(|i| i.kind == agenda::Kind::FirstContact).expect("a first contact overdue");
    assert_eq!(first.referral_id, Some(referral));
    assert!(first.why.contains("no contact yet, 17 working days"), "{}", first.why);

    let mut appt = NewAppointment::at(t("2026-11-25 10:30"));
    appt.place = Some("Surgery".into());
    let booked = appointments::book(&mut s, client, &appt, now).unwrap();
    referrals::decide(&mut s, referral, &linkwork::domain::triage::Action::Accept, today).unwrap();
    follow_ups::set(&mut s, client, today, Some("Ring about the choir"), today).unwrap();
    safeguarding::raise(&mut s, client, "Bruising noticed", Some("practice lead"), today, today).unwrap();

    let a = agenda::agenda(s.conn(), today, now).unwrap();
    let kinds: Vec<agenda::Kind> = a.sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec![agenda::Kind::Appointment, agenda::Kind::FollowUp, agenda::Kind::Safeguarding]);
    let appt_item = &a.sections[0].items[0];
    assert_eq!((appt_item.when.as_str(), appt_item.record_id), ("10:30", Some(booked.appointment_id)));
    assert_eq!(a.sections[1].items[0].why, "follow-up due today: Ring about the choir");
    assert_eq!(a.sections[2].items[0].why, "safeguarding: told practice lead (raised by Day Worker)");
    // Tomorrow the follow-up is a day overdue, and the concern is still shown.
    let tomorrow = agenda::agenda(s.conn(), d("2026-11-26"), t("2026-11-26 08:00")).unwrap();
    assert!(tomorrow.items().any(|i| i.why.starts_with("follow-up 1 day overdue")));
}

#[test]
fn a_follow_up_is_set_with_its_note_and_shown_as_current() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, referral) = person(&dir, "9990000018", "Nia Jones", "2026-11-20");
    let today = d("2026-11-25");
    assert!(follow_ups::set(&mut s, client, d("2026-11-24"), None, today).is_err(), "not in the past");
    follow_ups::set(&mut s, client, d("2026-12-01"), Some("first"), today).unwrap();
    let set = follow_ups::set(&mut s, client, d("2026-12-08"), Some("after the group starts"), today).unwrap();
    assert_eq!(set.previous, Some(d("2026-12-01")));
    let on: String =
        s.conn().query_row("SELECT follow_up_on FROM referral WHERE id = ?1", [referral], |r| r.get(0)).unwrap();
    assert_eq!(on, "2026-12-08");
    assert_eq!(follow_ups::current_note(s.conn(), referral).unwrap().as_deref(), Some("after the group starts"));
    let trail = audit_summaries(&s, "referral");
    assert!(
        trail.iter().any(|a| a == "follow-up set for 2026-12-08 (was 2026-12-01): after the group starts"),
        "{trail:?}"
    );
}

#[test]
fn the_diary_as_icalendar_parses_and_keeps_uk_times_across_the_october_clock_change() {
    use icalendar::{Calendar, CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, _) = person(&dir, "9990000018", "Siân Llewellyn-Jones", "2026-10-01");
    let now = t("2026-10-20 08:00");
    // Friday before the change (BST, UTC+1) and Monday after it (GMT).
    let mut before = NewAppointment::at(t("2026-10-23 10:30"));
    before.kind = AppointmentKind::HomeVisit;
    before.place = Some("12 Heol y Coed, Cardiff".into());
    appointments::book(&mut s, client, &before, now).unwrap();
    appointments::book(&mut s, client, &NewAppointment::at(t("2026-10-26 10:30")), now).unwrap();
    let db = s.path().to_owned();
    drop(s);

    let text = ok(&run(&db, &["diary", "--ics", "--from", "2026-10-19", "--to", "2026-10-30"]));
    assert!(text.contains("\r\n"), "lines end in CRLF");
    let cal: Calendar = text.parse().unwrap_or_else(|e| panic!("not iCalendar: {e}\n{text}"));
    let events: Vec<_> = cal
        .components
        .iter()
        .filter_map(|c| if let CalendarComponent::Event(e) = c { Some(e) } else { None })
        .collect();
    assert_eq!(events.len(), 2);
    let london = chrono_tz::Europe::London;
    let mut starts = Vec::new();
    for e in &events {
        let Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(start))) = e.get_start() else {
            panic!("a UTC start: {:?}", e.get_start())
        };
        starts.push((
            start.format("%H:%M").to_string(),
            london.from_utc_datetime(&start.naive_utc()).format("%Y-%m-%d %H:%M").to_string(),
        ));
        let summary = e.get_summary().unwrap();
        assert!(summary.ends_with("with Siân L."), "first name and initial only: {summary}");
        assert!(!text.contains("Llewellyn"), "no surname in a shared calendar");
        assert!(!text.contains("0113"), "no phone in a shared calendar");
    }
    starts.sort();
    assert_eq!(
        starts,
        vec![("09:30".into(), "2026-10-23 10:30".into()), ("10:30".into(), "2026-10-26 10:30".into())],
        "10:30 UK time both days: 09:30 UTC in summer time, 10:30 UTC after"
    );
    assert!(!text.contains("Heol y Coed"), "a home address stays out of a shared calendar");

    let full = ok(&run(&db, &["diary", "--ics", "--full", "--from", "2026-10-19", "--to", "2026-10-30"]));
    assert!(full.contains("Siân Llewellyn-Jones") && full.contains("Heol y Coed"), "{full}");
    let list = ok(&run(&db, &["diary", "--from", "2026-10-19", "--to", "2026-10-30"]));
    assert!(list.contains("Fri 23 Oct 10:30, 30 min, home visit") && list.contains("Mon 26 Oct 10:30"), "{list}");
}

#[test]
fn the_command_line_books_sets_corrects_flags_and_finds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let db_s = db.to_str().unwrap();
    ok(&run(&db, &["init", "--worker", "Cli Worker"]));
    ok(&run(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "999 000 0018",
            "--name",
            "Siân Llewellyn",
            "--dob",
            "1950-01-02",
            "--reason",
            "loneliness",
            "--phone",
            "0113 496 0001",
        ],
    ));
    ok(&run(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9990000026",
            "--name",
            "Amina Khan",
            "--dob",
            "1970-03-04",
            "--reason",
            "money",
            "--phone",
            "07700 900123",
        ],
    ));
    ok(&run(&db, &["referral", "decide", "2", "reached"]));
    ok(&run(&db, &["referral", "decide", "2", "decline", "Not now"]));

    let at = (chrono::Local::now() + chrono::Duration::days(2)).format("%Y-%m-%d 10:30").to_string();
    let id = ok(&run(
        &db,
        &["appointment", "add", "--client", "999 000 0018", "--at", &at, "--kind", "face to face", "--where", "Room 2"],
    ));
    assert_eq!(id.trim(), "1");
    let bad = run(&db, &["appointment", "add", "--client", "1", "--at", "2020-01-01 10:00"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("past"));
    ok(&run(&db, &["follow-up", "set", "--client", "1", "--on", &at[..10], "--note", "ring"]));

    // Found by phone (with or without spaces), NHS number, and name without accents; closed too.
    for q in ["07700900123", "07700 900123", "999 000 0018", "9990000018", "sian", "amina"] {
        let found = ok(&run(&db, &["client", "find", q]));
        assert_eq!(found.lines().count(), 1, "{q}: {found}");
    }
    assert!(ok(&run(&db, &["client", "find", "07700 900123"])).contains("Amina Khan"));
    assert!(ok(&run(&db, &["client", "find", "amina"])).contains("closed"));

    // Corrections, audited with before and after.
    let out = ok(&run(&db, &["client", "edit", "--client", "2", "--postcode", "ls1 4ap", "--phone", "07700 900124"]));
    assert!(out.contains("postcode '(none)' → 'LS1 4AP'"), "{out}");
    let no_confirm = run(&db, &["client", "edit", "--client", "2", "--nhs", "9990000034"]);
    assert!(!no_confirm.status.success(), "an NHS number changes only with a confirmation and a reason");
    let taken = run(
        &db,
        &["client", "edit", "--client", "2", "--nhs", "9990000018", "--confirm-nhs-change", "--reason", "typo"],
    );
    assert!(
        String::from_utf8_lossy(&taken.stderr).contains("already client 1's"),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    ok(&run(
        &db,
        &[
            "client",
            "edit",
            "--client",
            "2",
            "--nhs",
            "9990000034",
            "--confirm-nhs-change",
            "--reason",
            "typed wrongly at referral",
        ],
    ));

    // Safeguarding: the S mark follows the open concern.
    let concern = ok(&run(
        &db,
        &[
            "client",
            "flag",
            "--client",
            "2",
            "--safeguarding",
            "Says partner takes her money",
            "--told",
            "practice safeguarding lead",
        ],
    ));
    let mark = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT safeguarding FROM client WHERE id = 2", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(mark(&db), 1);
    ok(&run(&db, &["client", "flag", "--close", concern.trim(), "--note", "Referred to adult social care"]));
    assert_eq!(mark(&db), 0);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let trail: Vec<String> = conn
        .prepare("SELECT summary FROM audit_log WHERE client_id = 2 ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in [
        "postcode corrected: '(none)' -> 'LS1 4AP'",
        "phone corrected: '07700 900123' -> '07700 900124'",
        "NHS number corrected: '9990000026' -> '9990000034' (reason: typed wrongly at referral)",
        "safeguarding concern raised",
        "safeguarding concern closed: Referred to adult social care",
    ] {
        assert!(trail.iter().any(|t| t.starts_with(expected)), "{expected}: {trail:?}");
    }
    assert!(ok(&run(&db, &["check"])).starts_with("ok"), "{db_s}");
}

#[test]
fn a_service_added_by_hand_is_never_touched_by_a_feed_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dir.db");
    ok(&run(&db, &["init", "--worker", "Dir Worker"]));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oruk/uk-profile-service_full.json");
    ok(&run(&db, &["services", "import", fixture.to_str().unwrap()]));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let feed_name: String = conn.query_row("SELECT name FROM service LIMIT 1", [], |r| r.get(0)).unwrap();
    // Same name as the feed's service, on purpose.
    let id = ok(&run(
        &db,
        &[
            "services",
            "add",
            "--name",
            &feed_name,
            "--organisation",
            "Local Church",
            "--category",
            "Befriending",
            "--capacity",
            "12/month",
            "--postcode",
            "cf10 1aa",
        ],
    ));
    let row = |c: &rusqlite::Connection| -> (String, Option<String>, Option<String>, Option<i64>, String) {
        c.query_row(
            "SELECT name, categories, postcode, capacity_places, updated_at FROM service WHERE id = ?1",
            [id.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
    };
    let before = row(&conn);
    assert_eq!((before.1.as_deref(), before.2.as_deref(), before.3), (Some("Befriending"), Some("CF10 1AA"), Some(12)));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = ok(&run(&db, &["services", "import", fixture.to_str().unwrap()]));
    assert!(again.contains("0 imported"), "{again}");
    assert_eq!(row(&conn), before);
    let hand_made: i64 =
        conn.query_row("SELECT count(*) FROM service WHERE source_id IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(hand_made, 1);
    let bad = run(&db, &["services", "add", "--name", "X", "--capacity", "12/fortnight"]);
    assert!(!bad.status.success());
}

#[test]
fn the_caseload_shows_each_persons_next_date() {
    use linkwork::storage::caseload::{self, Filter, View};
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let received = (today - chrono::Duration::days(3)).to_string();
    let (mut s, client, referral) = person(&dir, "9990000018", "Next Person", &received);
    let next_row = |s: &Store| {
        caseload::window(s.conn(), View::All, &Filter::default(), 0, 10)
            .unwrap()
            .into_iter()
            .find(|r| r.referral_id == referral)
            .unwrap()
    };
    assert_eq!(next_row(&s).next(today), None, "nothing booked, nothing set");
    let in_three = today + chrono::Duration::days(3);
    let now = today.and_hms_opt(8, 0, 0).unwrap();
    appointments::book(&mut s, client, &NewAppointment::at(in_three.and_hms_opt(10, 30, 0).unwrap()), now).unwrap();
    let shown = next_row(&s).next(today).unwrap();
    assert_eq!(shown, format!("{} appt", in_three.format("%-d %b")));
    // A follow-up sooner than the appointment is what comes next.
    let tomorrow = today + chrono::Duration::days(1);
    referrals::decide(&mut s, referral, &linkwork::domain::triage::Action::Accept, today).unwrap();
    follow_ups::set(&mut s, client, tomorrow, None, today).unwrap();
    assert_eq!(next_row(&s).next(today).unwrap(), format!("{} f-up", tomorrow.format("%-d %b")));
    // The day after tomorrow, that follow-up has passed: marked.
    let later = today + chrono::Duration::days(2);
    assert_eq!(next_row(&s).next(later).unwrap(), format!("{} f-up!", tomorrow.format("%-d %b")));
}

#[test]
fn today_cancels_and_moves_an_appointment_by_its_id() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let (mut s, client, _) = person(&dir, "9990000018", "Cancel Person", &today.to_string());
    let late = today.and_hms_opt(23, 30, 0).unwrap();
    let booked =
        appointments::book(&mut s, client, &NewAppointment::at(late), today.and_hms_opt(0, 0, 0).unwrap()).unwrap();
    let mut a = App::new(s, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    a.open_today();
    assert_eq!(a.state.today_list.selected_item().and_then(|i| i.record_id), Some(booked.appointment_id));
    key(&mut a, KeyCode::Char('x'));
    for c in "Person rang: in hospital".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none(), "{:?}", a.state.popup);
    let got = appointments::get(a.store().conn(), booked.appointment_id).unwrap().unwrap();
    assert_eq!((got.status, got.note.as_deref()), (AppointmentStatus::Cancelled, Some("Person rang: in hospital")));
    let trail = audit_summaries(a.store(), "appointment");
    assert!(
        trail
            .iter()
            .any(|s| s
                .ends_with("cancelled: Person rang: in hospital (referral back to contacting: nothing else booked)")),
        "{trail:?}"
    );
    assert_eq!(status(a.store(), 1), "contacting", "booked for nothing no more: back on To triage");
    assert!(!a.state.today_list.items().iter().any(|i| i.record_id == Some(booked.appointment_id)), "gone from today");
}

#[test]
fn the_record_closes_its_episode_and_the_directory_adds_and_toggles_by_hand() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let (mut s, _client, referral) =
        person(&dir, "9990000018", "Close Person", &(today - chrono::Duration::days(20)).to_string());
    referrals::decide(&mut s, referral, &linkwork::domain::triage::Action::Accept, today).unwrap();
    let mut a = App::new(s, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let typ = |a: &mut App, t: &str| {
        for c in t.chars() {
            a.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    };
    // Close from the record: x, then 2 (disengaged), as o does in the caseload.
    a.handle_key(&KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL));
    typ(&mut a, "close person");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.state.pane, linkwork::ui::state::Pane::Client);
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(status(a.store(), referral), "closed");
    let outcome: String =
        a.store().conn().query_row("SELECT outcome FROM referral WHERE id = ?1", [referral], |r| r.get(0)).unwrap();
    assert_eq!(outcome, "disengaged");
    // A service by hand (n), then not accepting (t), each audited.
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('n'));
    typ(&mut a, "Tuesday Knit and Natter");
    key(&mut a, KeyCode::Tab);
    typ(&mut a, "St Mary's Church");
    for _ in 0..5 {
        key(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "12 a month");
    key(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none(), "{:?}", a.state.popup);
    let (id, accepting, places): (i64, bool, i64) = a
        .store()
        .conn()
        .query_row("SELECT id, accepting_referrals, capacity_places FROM service WHERE source_id IS NULL", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((accepting, places), (true, 12));
    assert_eq!(a.state.directory.list.selected_row().map(|r| r.id), Some(id));
    key(&mut a, KeyCode::Char('t'));
    let accepting: bool = a
        .store()
        .conn()
        .query_row("SELECT accepting_referrals FROM service WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert!(!accepting);
    let trail = audit_summaries(a.store(), "service");
    assert!(trail.iter().any(|t| t == "Tuesday Knit and Natter: added by hand"), "{trail:?}");
    assert!(trail.iter().any(|t| t == "Tuesday Knit and Natter: not accepting referrals"), "{trail:?}");
}

#[test]
fn closing_an_episode_cancels_its_booked_appointments_and_undo_books_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, client, referral) = person(&dir, "9990000018", "Closing Person", "2026-11-02");
    let now = t("2026-11-09 09:00");
    let booked = appointments::book(&mut s, client, &NewAppointment::at(t("2026-12-01 10:00")), now).unwrap();
    referrals::decide(&mut s, referral, &linkwork::domain::triage::Action::Accept, d("2026-11-10")).unwrap();
    let close = linkwork::domain::triage::Action::Close(linkwork::domain::referral::Outcome::Disengaged);
    let (_, undo) = referrals::decide(&mut s, referral, &close, d("2026-11-25")).unwrap();
    let a = appointments::get(s.conn(), booked.appointment_id).unwrap().unwrap();
    assert_eq!((a.status, a.note.as_deref()), (AppointmentStatus::Cancelled, Some("the episode was closed")));
    let trail = audit_summaries(&s, "referral");
    assert!(
        trail.last().unwrap().ends_with(&format!("1 booked appointment cancelled ({})", booked.appointment_id)),
        "{trail:?}"
    );
    referrals::undo(&mut s, &undo).unwrap();
    let a = appointments::get(s.conn(), booked.appointment_id).unwrap().unwrap();
    assert_eq!((a.status, a.note), (AppointmentStatus::Booked, None), "undone: booked again");
    assert!(s.check().unwrap().is_empty());
}

/// Found in a walk through the program: the person named is always the one
/// acted on, whatever row the caseload has selected; and below 80x24 only
/// quitting acts.
#[test]
fn the_person_named_is_the_one_acted_on_and_a_small_screen_acts_on_nothing() {
    use linkwork::ui::App;
    use linkwork::ui::state::{Pane, Popup};
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let (mut s, first, _) = person(&dir, "9990000018", "Ann First", &(today - chrono::Duration::days(20)).to_string());
    let (second, second_ref) =
        refer(&mut s, "9990000026", "Bob Second", &(today - chrono::Duration::days(1)).to_string(), "07700 900777");
    // Bob has an appointment today, so he is on Today; Ann is the caseload's first row.
    let start = today.and_hms_opt(23, 0, 0).unwrap();
    appointments::book(&mut s, second, &NewAppointment::at(start), today.and_hms_opt(0, 0, 0).unwrap()).unwrap();
    let mut a = App::new(s, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    assert_eq!(a.state.caseload.list.selected_row().map(|r| r.client_id), Some(first));
    a.open_today();
    assert_eq!(a.state.today_list.selected_item().map(|i| i.client_id), Some(second));
    key(&mut a, KeyCode::Char('l'));
    match &a.state.popup {
        Some(Popup::Contact(f)) => assert_eq!((f.client_id, f.who.as_str()), (second, "Bob Second")),
        other => panic!("{other:?}"),
    }
    key(&mut a, KeyCode::Enter);
    match &a.state.popup {
        Some(Popup::Prompt { subject, who, .. }) => {
            assert_eq!(*subject, second);
            assert!(who.starts_with("Bob Second: contact logged"), "{who}");
        }
        other => panic!("{other:?}"),
    }
    key(&mut a, KeyCode::Esc);
    // Bob opened from Today, then the directory: p prescribes for Bob, not Ann.
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.state.pane, Pane::Client);
    key(&mut a, KeyCode::Char('3'));
    let services = a.store().conn().query_row("SELECT count(*) FROM service", [], |r| r.get::<_, i64>(0)).unwrap();
    if services == 0 {
        linkwork::storage::local_services::add(
            &mut linkwork::storage::Store::open(a.store().path(), None).unwrap(),
            &linkwork::storage::local_services::HandMade { name: "Walking Group".into(), ..Default::default() },
        )
        .unwrap();
        key(&mut a, KeyCode::Char('r'));
    }
    key(&mut a, KeyCode::Char('p'));
    match &a.state.popup {
        Some(Popup::Prescribe(f)) => assert_eq!(f.client_id, second),
        other => panic!("{other:?}"),
    }
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('y'));
    // Too small: a triage key does nothing; q still quits.
    key(&mut a, KeyCode::Char('1'));
    a.resize(70, 20);
    let before = status(a.store(), second_ref);
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(status(a.store(), second_ref), before);
    assert_eq!(status(a.store(), 1), "new", "Ann untouched");
    key(&mut a, KeyCode::Char('q'));
    assert!(a.state.quit);
}

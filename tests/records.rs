//! Records that stay right (issue 14): one person, one open episode through the
//! form; whose record a change touched; honest times; one view per opening.

use chrono::NaiveDate;
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::storage::Store;
use linkwork::ui::App;
use linkwork::ui::state::{Popup, Question};
use linkwork::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(&dir.path().join("r.db"), Some("Record Keeper")).unwrap();
    let input = ReferralInput {
        nhs_number: "9997654323".into(),
        name: "Nia Contact".into(),
        date_of_birth: "1960-05-05".into(),
        reasons: "loneliness".into(),
        referrer_name: "Dr Jones".into(),
        ..Default::default()
    };
    let codes = linkwork::storage::referrals::reason_codes(s.conn()).unwrap();
    linkwork::storage::referrals::add(&mut s, &validate(&input, &codes, today()).unwrap()).unwrap();
    s
}

fn app(dir: &tempfile::TempDir) -> App {
    App::new(store(dir), today(), Theme { colour: false }, (80, 24), false).unwrap()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The words on screen, in reading order, with the popup's borders taken out.
fn words_on_screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.state.width, app.state.height)).unwrap();
    terminal.draw(|f| linkwork::ui::draw::draw(f, &app.state)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut words = Vec::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect();
        words.extend(
            line.replace(['│', '╭', '╮', '╰', '╯', '─', '║', '═', '╔', '╗', '╚', '╝'], " ")
                .split_whitespace()
                .map(str::to_owned),
        );
    }
    words.join(" ")
}

/// Fill the new-referral form's first four fields.
fn fill_form(a: &mut App, nhs: &str, name: &str, dob: &str, reasons: &str) {
    press(a, KeyCode::Char('n'));
    assert!(matches!(a.state.popup, Some(Popup::NewReferral(_))));
    for (i, text) in [nhs, name, dob, reasons].into_iter().enumerate() {
        if i > 0 {
            press(a, KeyCode::Tab);
        }
        typ(a, text);
    }
}

fn count(s: &Store, sql: &str) -> i64 {
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_form_joins_the_open_episode_and_says_so_in_full_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    fill_form(&mut a, "999 765 4323", "Nia Contact", "1960-05-05", "money;housing");
    press(&mut a, KeyCode::Enter);
    let Some(Popup::Notice { text, .. }) = &a.state.popup else { panic!("no notice: {:?}", a.state.popup) };
    let said = text.clone();
    assert_eq!(
        said,
        "Nia Contact (NHS 999 765 4323) already has an open episode (referral 1): this referral joined it \
         (reasons added: money, housing; its referrer and notes are kept with the day it came). \
         No second episode was opened."
    );
    let screen = words_on_screen(&a);
    let expected = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(screen.contains(&expected), "cut off at 80 columns:\n{screen}");
    press(&mut a, KeyCode::Esc);
    assert!(a.state.popup.is_none());
    let s = Store::open(&dir.path().join("r.db"), None).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM referral"), 1);
    assert_eq!(count(&s, "SELECT count(*) FROM referral_reason"), 3);
}

#[test]
fn the_form_asks_before_a_known_nhs_number_with_another_name_and_birth_date_joins() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    fill_form(&mut a, "9997654323", "Bob Other", "1970-01-01", "money");
    press(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.state.popup, Some(Popup::Confirm { question: Question::SamePerson, .. })),
        "{:?}",
        a.state.popup
    );
    let screen = words_on_screen(&a);
    assert!(
        screen
            .contains("NHS number 999 765 4323 is on file for Nia Contact, born 1960-05-05 (client 1), not Bob Other")
            && screen.contains("Is it the same person?"),
        "{screen}"
    );
    // No: back to the form, the number marked, nothing saved.
    press(&mut a, KeyCode::Char('n'));
    let Some(Popup::NewReferral(form)) = &a.state.popup else { panic!("{:?}", a.state.popup) };
    assert!(form.errors.as_ref().unwrap().for_field("NHS number").unwrap().contains("on file for Nia Contact"));
    assert_eq!(form.focus, 0);
    let s = Store::open(&dir.path().join("r.db"), None).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM referral_reason WHERE code = 'money'"), 0);
    // Yes: it joins the person on file.
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('y'));
    assert!(matches!(a.state.popup, Some(Popup::Notice { .. })), "{:?}", a.state.popup);
    assert_eq!(count(&s, "SELECT count(*) FROM referral_reason WHERE code = 'money'"), 1);
    assert_eq!(count(&s, "SELECT count(*) FROM client"), 1);
    assert_eq!(count(&s, "SELECT count(*) FROM referral"), 1);
}

#[test]
fn two_open_referrals_from_before_are_shown_when_the_program_starts() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    s.conn()
        .execute_batch(
            "INSERT INTO referral (client_id, received_on, status, created_at, updated_at)
             VALUES (1, '2026-01-01', 'new', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z');",
        )
        .unwrap();
    let a = App::new(s, today(), Theme { colour: false }, (80, 24), false).unwrap();
    let Some(Popup::Notice { text, .. }) = &a.state.popup else { panic!("{:?}", a.state.popup) };
    assert!(text.contains("Nia Contact (NHS 999 765 4323): referrals 2, 1; linkwork referral merge 2 1"), "{text}");
}

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn cli(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LINKWORK_WORKER", "Record Keeper")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap()
}

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn commands_take_a_client_id_or_an_nhs_number_and_say_whose_record_they_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ids.db");
    for (nhs, name) in [("9990000018", "Ann Test"), ("9990000026", "Bob Test")] {
        let o =
            cli(&db, &["referral", "add", "--nhs", nhs, "--name", name, "--dob", "1950-01-01", "--reason", "money"]);
        assert!(o.status.success(), "{}", err(&o));
    }
    // The list names both ids.
    let listed = out(&cli(&db, &["referral", "list"]));
    let header = listed.lines().next().unwrap();
    assert!(header.contains("referral") && header.contains("client") && header.contains("NHS number"), "{listed}");
    // By NHS number, with spaces: the contact goes on Bob's record, and says so.
    let o = cli(&db, &["contact", "add", "--client", "999 000 0026", "--kind", "phone"]);
    assert!(o.status.success(), "{}", err(&o));
    let id: i64 = out(&o).trim().parse().unwrap();
    assert!(err(&o).contains(&format!("contact {id} (")), "{}", err(&o));
    assert!(err(&o).contains("logged for Bob Test (NHS 999 000 0026, client 2)"), "{}", err(&o));
    // A referral id where a client is meant is refused when nobody has that id.
    let o = cli(&db, &["contact", "add", "--client", "60", "--kind", "phone"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("there is no client 60"), "{}", err(&o));
    // --referral names the episode instead.
    let o = cli(&db, &["measure", "add", "--referral", "1", "--instrument", "ucla3", "--items", "2,2,2"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("for Ann Test (NHS 999 000 0018, client 1)"), "{}", out(&o));
    let o = cli(&db, &["measure", "add", "--client", "9990000026", "--instrument", "ucla3", "--items", "2,2,2"]);
    assert!(out(&o).contains("for Bob Test (NHS 999 000 0026, client 2)"), "{}", out(&o));
    let o = cli(&db, &["referral", "decide", "2", "no_answer"]);
    assert!(out(&o).contains("referral 2 of Bob Test (NHS 999 000 0026, client 2)"), "{}", out(&o));
    let o = cli(&db, &["audit", "--client", "999 000 0018"]);
    assert!(o.status.success(), "{}", err(&o));
    // Every line is about client 1: "referral 1 (client 1)", or "client 1" for the client's own row.
    assert!(out(&o).lines().all(|l| l.contains("(client 1)") || l.contains(" client 1: ")), "{}", out(&o));
    assert!(!out(&o).contains("client 1 (client 1)"), "{}", out(&o));
    // An NHS number nobody has, and one that fails its check digit.
    let o = cli(&db, &["contact", "add", "--client", "9997654323", "--kind", "phone"]);
    assert!(err(&o).contains("nobody on file has NHS number 999 765 4323"), "{}", err(&o));
    let o = cli(&db, &["contact", "add", "--client", "9997654320", "--kind", "phone"]);
    assert!(err(&o).contains("Modulus 11"), "{}", err(&o));
}

#[test]
fn unable_to_contact_counts_only_failed_attempts_since_the_person_was_last_reached() {
    use linkwork::domain::triage::{Action, Attempt};
    use linkwork::storage::referrals::decide;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    for a in [Attempt::NoAnswer, Attempt::Voicemail, Attempt::Reached, Attempt::NoAnswer] {
        decide(&mut s, 1, &Action::Attempt(a), today()).unwrap();
    }
    let refused = decide(&mut s, 1, &Action::UnableToContact, today()).unwrap_err().to_string();
    assert!(
        refused.contains(&format!("the person was reached on {}; 1 failed contact attempt since then", today())),
        "{refused}"
    );
    assert_eq!(count(&s, "SELECT count(*) FROM referral WHERE status = 'closed'"), 0);
    decide(&mut s, 1, &Action::Attempt(Attempt::WrongNumber), today()).unwrap();
    decide(&mut s, 1, &Action::Attempt(Attempt::NoAnswer), today()).unwrap();
    decide(&mut s, 1, &Action::UnableToContact, today()).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM referral WHERE outcome = 'unable_to_contact'"), 1);
}

#[test]
fn dates_and_free_text_have_limits_with_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limits.db");
    let o = cli(
        &db,
        &["referral", "add", "--nhs", "9990000018", "--name", "Ann Test", "--dob", "1950-01-01", "--reason", "money"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = cli(&db, &["referral", "decide", "1", "book", "9999-12-31"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("9999-12-31 is more than a year ahead"), "{}", err(&o));
    let long = "x".repeat(100_000);
    let o = cli(&db, &["referral", "decide", "1", "transfer", &long]);
    assert!(!o.status.success());
    assert!(err(&o).contains("100000 characters is too long; at most 500"), "{}", err(&o).len());
    let o = cli(&db, &["unmet", "add", "--code", "transport", "--description", &"y".repeat(501)]);
    assert!(err(&o).contains("description: 501 characters is too long; at most 500"), "{}", err(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let status: String = conn.query_row("SELECT status FROM referral", [], |r| r.get(0)).unwrap();
    assert_eq!(status, "new", "nothing was changed");
}

#[test]
fn a_contact_logged_today_is_not_stamped_in_the_future() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('l'));
    // The form's defaults: a phone call today (then Esc: no follow-up now).
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Esc);
    assert!(a.state.popup.is_none(), "{:?}", a.state.popup);
    let now = linkwork::storage::now_utc();
    let s = Store::open(&dir.path().join("r.db"), None).unwrap();
    let at: String = s.conn().query_row("SELECT at FROM contact", [], |r| r.get(0)).unwrap();
    assert!(at <= now, "stamped {at}, later than now ({now})");
    // A day gone by is stamped at its midday; today never after now.
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    assert_eq!(linkwork::storage::contacts::stamp(day, "2026-03-05T08:00:00Z"), "2026-03-01T12:00:00Z");
    assert_eq!(linkwork::storage::contacts::stamp(day, "2026-03-01T11:08:00Z"), "2026-03-01T11:08:00Z");
}

#[test]
fn a_record_opened_once_is_audited_once_however_often_it_is_saved_and_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    let views = |a: &App| count(a.store(), "SELECT count(*) FROM audit_log WHERE action = 'view'");
    press(&mut a, KeyCode::Enter);
    assert_eq!(views(&a), 1);
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('l'));
        press(&mut a, KeyCode::Enter);
        press(&mut a, KeyCode::Esc); // no follow-up now
        assert!(a.state.popup.is_none(), "{:?}", a.state.popup);
        press(&mut a, KeyCode::Char('r'));
    }
    assert_eq!(a.state.client.detail.as_ref().unwrap().episodes[0].contact_count, 3, "read again after each save");
    assert_eq!(views(&a), 1, "one view per opening");
    // Back to the caseload and in again: a new opening.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Enter);
    assert_eq!(views(&a), 2);
}

#[test]
fn the_audit_names_the_operating_system_account_not_the_user_variable() {
    let whoami = std::process::Command::new("id").arg("-un").output().unwrap();
    let account = String::from_utf8_lossy(&whoami.stdout).trim().to_owned();
    assert!(!account.is_empty());
    assert_eq!(linkwork::storage::audit::os_user(), account);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("who.db");
    for user in [Some("someone-else"), None] {
        let mut cmd = std::process::Command::new(BIN);
        cmd.arg("--db").arg(&db).args(["init", "--worker", "Record Keeper"]);
        cmd.env_remove("LINKWORK_DB").env_remove("USER").env_remove("LOGNAME").env_remove("USERNAME");
        if let Some(u) = user {
            cmd.env("USER", u).env("LOGNAME", u);
        }
        assert!(cmd.output().unwrap().status.success());
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT DISTINCT os_user FROM audit_log")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, vec![account]);
}

#[test]
fn the_demo_never_stamps_the_future_nor_a_step_before_its_record_began() {
    use linkwork::demo::{DemoOptions, generate};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("demo.db"), None).unwrap();
    let before = linkwork::storage::now_utc();
    generate(&mut s, &DemoOptions { clients: 400, seed: 3, weeks: 30, today: today() }).unwrap();
    let problems =
        linkwork::storage::invariants::time_problems(s.conn(), &before.max(linkwork::storage::now_utc()), today())
            .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    // Closed today, and prescriptions made today, are not stamped later than now.
    let now = linkwork::storage::now_utc();
    assert_eq!(count(&s, &format!("SELECT count(*) FROM referral WHERE updated_at > '{now}'")), 0);
    assert_eq!(count(&s, &format!("SELECT count(*) FROM prescription WHERE created_at > '{now}'")), 0);
    // The demo's follow-ups obey the program's rule too.
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM measure f JOIN measure b ON b.referral_id = f.referral_id AND b.instrument = f.instrument
             AND b.timing = 'baseline' WHERE f.timing = 'follow_up' AND julianday(f.taken_on) - julianday(b.taken_on) < 28"
        ),
        0
    );
    assert!(count(&s, "SELECT count(*) FROM measure WHERE timing = 'follow_up'") > 0);
    // A day to come is refused.
    let mut s2 = Store::open(&dir.path().join("later.db"), None).unwrap();
    let later = today() + chrono::Duration::days(1);
    let e = generate(&mut s2, &DemoOptions { clients: 5, seed: 3, weeks: 2, today: later }).unwrap_err();
    assert!(e.to_string().contains("is in the future"), "{e}");
}

#[test]
fn init_with_a_worker_then_demo_works_and_keeps_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sam.db");
    let o = cli(&db, &["init", "--worker", "Sam Test"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["demo", "--clients", "60"])
        .env_remove("LINKWORK_WORKER")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let s = Store::open(&db, None).unwrap();
    assert_eq!(s.setting("worker_name").unwrap().as_deref(), Some("Sam Test"));
    assert!(
        count(
            &s,
            "SELECT count(*) FROM referral r JOIN link_worker w ON w.id = r.link_worker_id WHERE w.name = 'Sam Test'"
        ) > 0
    );
    // Practices set up by hand: refused with a sentence, nothing written.
    let db2 = dir.path().join("set-up.db");
    assert!(cli(&db2, &["practice", "set", "--name", "Canal Street Surgery"]).status.success());
    let o = cli(&db2, &["demo", "--clients", "10"]);
    assert!(!o.status.success());
    assert!(err(&o).contains("already has practices or services set up"), "{}", err(&o));
}

#[test]
fn the_directorys_last_4_weeks_figures_are_all_from_the_same_28_days() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let t = today();
    let at = |days_ago: i64| format!("{}T10:00:00Z", t - chrono::Duration::days(days_ago));
    s.conn()
        .execute("INSERT INTO service (name, created_at, updated_at) VALUES ('Walking group', ?1, ?1)", [at(400)])
        .unwrap();
    // (sent, answered, final state, answer): two answered long ago, one this month.
    for (sent, answered, state) in [(70, 60, "accepted"), (45, 40, "declined"), (5, 3, "accepted")] {
        s.conn()
            .execute(
                "INSERT INTO prescription (client_id, referral_id, service_id, consent, consent_at, state, sent_at,
                     answered_at, state_at, created_at, decline_reason)
                 VALUES (1, 1, 1, 'verbal', ?1, ?3, ?1, ?2, ?2, ?1, CASE WHEN ?3 = 'declined' THEN 'Full' END)",
                rusqlite::params![at(sent), at(answered), state],
            )
            .unwrap();
        let id = s.conn().last_insert_rowid();
        for (step, when) in [("sent", at(sent)), (state, at(answered))] {
            s.conn()
                .execute(
                    "INSERT INTO prescription_event (prescription_id, state, at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![id, step, when],
                )
                .unwrap();
        }
    }
    let d = linkwork::storage::directory::demand(s.conn(), 1, t).unwrap();
    assert_eq!((d.sent_4_weeks, d.accepted, d.declined), (1, 1, 0), "{d:?}");
    assert_eq!(d.median_days_to_answer, Some(2.0), "only this month's answer: {d:?}");
}

/// The DER inside a PEM file.
fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

#[test]
fn the_signing_key_is_written_as_pkcs8_v1_and_the_old_form_is_still_read() {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use linkwork::exports;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let key = exports::current_key(&mut s).unwrap();
    let file = exports::key_dir(&s).join("signing-key.pem");
    let pem = std::fs::read_to_string(&file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    // RFC 8410 section 7: SEQUENCE { INTEGER 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }
    let der = pem_der(&pem);
    let prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    assert_eq!(der.len(), 48);
    assert_eq!(der[..16], prefix);
    assert_eq!(der[16..], key.to_bytes());
    // OpenSSL reads it, where it is installed.
    if let Ok(o) = std::process::Command::new("openssl").args(["pkey", "-noout", "-in"]).arg(&file).output() {
        assert!(o.status.success(), "openssl: {}", String::from_utf8_lossy(&o.stderr));
    }
    // The form written before (PKCS#8 v2, with the public key) is still read as the same key.
    let old = key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).unwrap();
    assert_eq!(pem_der(&old)[4], 0x01, "the old form is version 2 (v2 encodes 1)");
    std::fs::write(&file, old.as_bytes()).unwrap();
    assert_eq!(exports::current_key(&mut s).unwrap().to_bytes(), key.to_bytes());
}

#[test]
fn verify_checks_typ_against_the_kind_of_document() {
    use linkwork::formats::jws;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let doc = serde_json::json!({"schema": "linkwork-referral/1", "referral_id": 1});
    for (typ, ok) in [(jws::TYP_REFERRAL, true), (jws::TYP_SUMMARY, false)] {
        let signed = linkwork::exports::sign_document(&mut s, &doc, typ).unwrap();
        let got = linkwork::exports::verify(s.conn(), signed.as_bytes());
        assert_eq!(got.is_ok(), ok, "{typ}: {got:?}");
        if let Err(e) = got {
            assert!(e.to_string().contains("the document is a linkwork-referral/1"), "{e}");
        }
    }
    // No typ at all: signed by hand with the installation's key.
    let key = linkwork::exports::current_key(&mut s).unwrap();
    let header = format!(r#"{{"alg":"EdDSA","kid":"{}"}}"#, jws::thumbprint(&key.verifying_key()));
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let (protected, payload) = (b64(header.as_bytes()), b64(doc.to_string().as_bytes()));
    use ed25519_dalek::Signer as _;
    let sig = key.sign(format!("{protected}.{payload}").as_bytes());
    let file = serde_json::json!({"protected": protected, "payload": payload, "signature": b64(&sig.to_bytes())});
    let e = linkwork::exports::verify(s.conn(), file.to_string().as_bytes()).unwrap_err();
    assert!(e.to_string().contains("the header has no typ"), "{e}");
}

/// Found by the state-machine property test: undoing a close after the person
/// was referred again gave them two open episodes.
#[test]
fn undoing_a_close_never_gives_a_person_a_second_open_episode() {
    use linkwork::domain::triage::Action;
    use linkwork::storage::referrals;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let (_, undo) = referrals::decide(&mut s, 1, &Action::Transfer("CMHT".into()), today()).unwrap();
    let codes = referrals::reason_codes(s.conn()).unwrap();
    let input = ReferralInput {
        nhs_number: "9997654323".into(),
        name: "Nia Contact".into(),
        date_of_birth: "1960-05-05".into(),
        reasons: "money".into(),
        ..Default::default()
    };
    let again = referrals::add(&mut s, &validate(&input, &codes, today()).unwrap()).unwrap();
    assert_eq!(again.intake, referrals::Intake::Opened);
    let e = referrals::undo(&mut s, &undo).unwrap_err().to_string();
    assert!(e.contains(&format!("open episode since (referral {})", again.referral_id)), "{e}");
    assert_eq!(count(&s, "SELECT count(*) FROM referral WHERE status <> 'closed'"), 1);
}

#[test]
fn a_signed_demo_referral_never_has_consent_after_it_was_issued() {
    use linkwork::demo::{DemoOptions, generate};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("consent.db"), None).unwrap();
    generate(&mut s, &DemoOptions { clients: 200, seed: 9, weeks: 8, today: today() }).unwrap();
    // The most recent consented prescriptions still waiting: made today or lately.
    let ids: Vec<i64> = s
        .conn()
        .prepare("SELECT id FROM prescription WHERE consent IS NOT NULL AND state IN ('draft', 'sent') ORDER BY created_at DESC LIMIT 5")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!ids.is_empty());
    for id in ids {
        let out = dir.path().join(format!("referral-{id}.jws.json"));
        linkwork::exports::export_referral(&mut s, id, linkwork::exports::to_file(&out)).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let doc = linkwork::exports::verify(s.conn(), &bytes).unwrap().document;
        let (consent, issued) = (doc["consent"]["recorded_at"].as_str().unwrap(), doc["issued_at"].as_str().unwrap());
        assert!(consent <= issued, "prescription {id}: consent {consent} after issue {issued}");
    }
}

#[test]
fn a_follow_up_stored_too_soon_before_the_rule_is_not_counted_as_change() {
    use linkwork::domain::summary::Period;
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let t = today();
    // As the old program stored it: a follow-up on the day of the baseline, and one five weeks on.
    for follow in [0, 35] {
        let base = t - chrono::Duration::days(40);
        let taken = base + chrono::Duration::days(follow);
        s.conn()
            .execute_batch(&format!(
                "INSERT INTO measure (client_id, referral_id, instrument, timing, taken_on, items, raw_score, metric_score, created_at)
                 SELECT 1, 1, 'swemwbs', 'baseline', '{base}', '[3,3,3,3,3,3,3]', 21, 19.25, '{base}T10:00:00Z'
                 WHERE NOT EXISTS (SELECT 1 FROM measure WHERE timing = 'baseline');
                 INSERT INTO measure (client_id, referral_id, instrument, timing, taken_on, items, raw_score, metric_score, created_at)
                 VALUES (1, 1, 'swemwbs', 'follow_up', '{taken}', '[4,4,4,4,4,4,4]', 28, 25.03, '{taken}T10:00:00Z');"
            ))
            .unwrap();
        let period = Period::days(taken, taken).unwrap();
        let summary = linkwork::storage::summary::compute(s.conn(), &period).unwrap();
        let n = summary.wellbeing.swemwbs_metric.n.value();
        assert_eq!(n, Some(if follow == 0 { 0 } else { 1 }), "follow-up {follow} days after the baseline");
    }
}

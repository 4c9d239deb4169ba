//! Social prescriptions and their signed export: consent, hand-over states, the
//! document a service receives, signing, verifying, key rotation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::NaiveDate;
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::domain::prescription::{Consent, State};
use linkwork::formats::jws;
use linkwork::storage::prescriptions::{self, NewPrescription};
use linkwork::storage::{Store, referrals};
use linkwork::{exports, formats::oruk};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A database with one client (a current episode) and the fixture directory.
fn setup(dir: &Path) -> Store {
    let mut s = Store::open(&dir.join("p.db"), Some("Rhian Evans")).unwrap();
    s.set_worker("Rhian Evans").unwrap();
    let input = ReferralInput {
        nhs_number: "999 000 0018".into(),
        name: "Siân Llŷr-Kowalska".into(),
        date_of_birth: "1950-02-03".into(),
        reasons: "loneliness;housing".into(),
        phone: "07700 900123".into(),
        ..Default::default()
    };
    let codes = referrals::reason_codes(s.conn()).unwrap();
    referrals::add(&mut s, &validate(&input, &codes, today()).unwrap()).unwrap();
    let parsed = oruk::parse_file(Path::new("tests/fixtures/oruk/uk-profile-service_list.json")).unwrap();
    linkwork::storage::directory::import(&mut s, &parsed.services, parsed.skipped, "fixture").unwrap();
    s
}

fn prescribe(s: &mut Store, consent: Option<Consent>, share_nhs_number: bool) -> i64 {
    let p = NewPrescription {
        client_id: 1,
        service_id: 1,
        wants: "To meet people on Tuesdays".into(),
        note: "Prefers afternoons (not sent)".into(),
        consent,
        share_nhs_number,
        ..Default::default()
    };
    prescriptions::create(s, &p).unwrap().id
}

fn export(s: &mut Store, id: i64, out: &Path) -> anyhow::Result<exports::Exported> {
    exports::export_referral(s, id, exports::to_file(out))
}

fn envelope(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn payload(path: &Path) -> Vec<u8> {
    B64.decode(envelope(path)["payload"].as_str().unwrap()).unwrap()
}

fn run(args: &[&str], db: &Path) -> Output {
    Command::new(BIN).args(args).env("LINKWORK_DB", db).env_remove("LINKWORK_WORKER").output().unwrap()
}

#[test]
fn without_consent_it_stays_a_draft_and_cannot_be_exported() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, None, false);
    let out = dir.path().join("r.json");
    let err = export(&mut s, id, &out).unwrap_err().to_string();
    assert!(err.contains("consent") && err.contains("not recorded"), "{err}");
    assert!(!out.exists());
    let err = prescriptions::set_state(&mut s, id, State::Sent, None).unwrap_err().to_string();
    assert!(err.contains("consent"), "{err}");
    let row = &prescriptions::list(s.conn(), Some(1), None).unwrap()[0];
    assert_eq!((row.state, row.export_sha256.as_deref()), (State::Draft, None));

    prescriptions::record_consent(&mut s, id, Consent::Written).unwrap();
    export(&mut s, id, &out).unwrap();
    let row = &prescriptions::list(s.conn(), Some(1), None).unwrap()[0];
    assert_eq!(row.state, State::Sent);
}

#[test]
fn export_verifies_and_records_its_sha256_in_the_prescription_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    let out = dir.path().join("r.json");
    let done = export(&mut s, id, &out).unwrap();

    let bytes = std::fs::read(&out).unwrap();
    let sha = exports::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(done.sha256, sha);
    let stored: String =
        s.conn().query_row("SELECT export_sha256 FROM prescription WHERE id = ?1", [id], |r| r.get(0)).unwrap();
    assert_eq!(stored, sha);
    let audited: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'export' AND table_name = 'prescription'
             AND record_id = ?1 AND client_id = 1 AND summary LIKE '%' || ?2 || '%'",
            rusqlite::params![id, sha],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        let key = dir.path().join("keys/signing-key.pem");
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let v = exports::verify(s.conn(), &bytes).unwrap();
    assert_eq!(v.typ.as_deref(), Some(jws::TYP_REFERRAL));
    let doc = &v.document;
    assert_eq!(doc["schema"], "linkwork-referral/1");
    assert_eq!(doc["referral_id"], id);
    assert_eq!(doc["code"]["code"], "871731000000106");
    assert_eq!(doc["person"]["name"], "Siân Llŷr-Kowalska");
    assert_eq!(doc["person"]["date_of_birth"], "1950-02-03");
    assert_eq!(doc["issuer"]["link_worker"], "Rhian Evans");
    assert_eq!(doc["what_matters"], "To meet people on Tuesdays");
    assert_eq!(doc["consent"]["method"], "verbal");
    assert_eq!(doc["consent"]["recorded_by"], "Rhian Evans");
    let needs: Vec<&str> = doc["needs"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert_eq!(needs, ["housing", "loneliness"]);
    let issued = doc["issued_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(issued).is_ok() && issued.ends_with('Z'), "{issued}");
    // Minimal: the note for the record stays here.
    assert!(!String::from_utf8_lossy(&payload(&out)).contains("afternoons"));
}

#[test]
fn no_nhs_number_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let without = prescribe(&mut s, Some(Consent::Verbal), false);
    let with = prescribe(&mut s, Some(Consent::Verbal), true);
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    export(&mut s, without, &a).unwrap();
    export(&mut s, with, &b).unwrap();
    let a = String::from_utf8(payload(&a)).unwrap();
    let b = String::from_utf8(payload(&b)).unwrap();
    assert!(!a.contains(r#""nhs_number""#) && !a.contains("9990000018") && !a.contains("999 000 0018"), "{a}");
    assert!(b.contains(r#""nhs_number":"999 000 0018""#), "{b}");
}

#[test]
fn the_payload_is_rfc8785_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    let out = dir.path().join("r.json");
    export(&mut s, id, &out).unwrap();
    let bytes = payload(&out);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    // Known bytes: the document rebuilt by hand, members in sorted order, no whitespace.
    let expected = format!(
        concat!(
            r#"{{"code":{{"code":"871731000000106","display":"Referral to social prescribing service (procedure)"}},"#,
            r#""consent":{{"method":"verbal","recorded_at":"{at}","recorded_by":"Rhian Evans","share_nhs_number":false}},"#,
            r#""issued_at":"{issued}","issuer":{{"link_worker":"Rhian Evans"}},"#,
            r#""needs":[{{"code":"housing","display":"Housing"}},{{"code":"loneliness","display":"Loneliness and isolation"}}],"#,
            r#""person":{{"date_of_birth":"1950-02-03","name":"Siân Llŷr-Kowalska","phone":"07700 900123"}},"#,
            r#""referral_id":{id},"schema":"linkwork-referral/1","#,
            r#""service":{{"id":1,"name":"{service}","open_referral_id":"{oruk}","organisation":"{org}"}},"what_matters":"To meet people on Tuesdays"}}"#
        ),
        at = doc["consent"]["recorded_at"].as_str().unwrap(),
        issued = doc["issued_at"].as_str().unwrap(),
        id = id,
        service = doc["service"]["name"].as_str().unwrap(),
        oruk = doc["service"]["open_referral_id"].as_str().unwrap(),
        org = doc["service"]["organisation"].as_str().unwrap(),
    );
    assert_eq!(text, expected);
    assert_eq!(jws::canonical(&doc).unwrap(), text);
}

#[test]
fn tampering_with_payload_or_header_or_using_another_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    let out = dir.path().join("r.json");
    export(&mut s, id, &out).unwrap();
    let env = envelope(&out);
    assert!(exports::verify(s.conn(), &std::fs::read(&out).unwrap()).is_ok());

    // One byte of the decoded payload changed, re-encoded.
    let mut doc = payload(&out);
    let at = doc.iter().position(|b| *b == b'T').unwrap(); // "Tuesdays"
    doc[at] = b'W';
    let mut changed = env.clone();
    changed["payload"] = Value::String(B64.encode(&doc));
    let e = exports::verify(s.conn(), changed.to_string().as_bytes()).unwrap_err();
    assert_eq!(e, jws::VerifyError::BadSignature);
    assert!(e.to_string().starts_with("tampered"), "{e}");

    // One byte of the header changed: typ renamed.
    let header = B64.decode(env["protected"].as_str().unwrap()).unwrap();
    let header = String::from_utf8(header).unwrap().replace("referral", "referrax");
    let mut changed = env.clone();
    changed["protected"] = Value::String(B64.encode(header));
    let e = exports::verify(s.conn(), changed.to_string().as_bytes()).unwrap_err();
    assert_eq!(e, jws::VerifyError::BadSignature);

    // Another key given on the command line.
    let other = ed25519_dalek::SigningKey::from_bytes(&[42; 32]).verifying_key();
    let e = exports::verify_with_key(&std::fs::read(&out).unwrap(), &other).unwrap_err();
    assert!(matches!(e, jws::VerifyError::UnknownKey(_)), "{e}");
    // Another database that never knew this key.
    let elsewhere = tempfile::tempdir().unwrap();
    let s2 = Store::open(&elsewhere.path().join("x.db"), None).unwrap();
    let e = exports::verify(s2.conn(), &std::fs::read(&out).unwrap()).unwrap_err();
    assert!(matches!(e, jws::VerifyError::UnknownKey(_)), "{e}");
    // Same kid, other key bytes: the signature fails.
    let forged = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let sig = ed25519_dalek::Signer::sign(
        &forged,
        format!("{}.{}", env["protected"].as_str().unwrap(), env["payload"].as_str().unwrap()).as_bytes(),
    );
    let mut changed = env.clone();
    changed["signature"] = Value::String(B64.encode(sig.to_bytes()));
    assert_eq!(exports::verify(s.conn(), changed.to_string().as_bytes()).unwrap_err(), jws::VerifyError::BadSignature);
}

#[test]
fn a_rotated_away_key_still_verifies_its_old_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let first = prescribe(&mut s, Some(Consent::Verbal), false);
    let old = dir.path().join("old.json");
    let before = export(&mut s, first, &old).unwrap();
    let (retired, new_kid) = exports::rotate(&mut s).unwrap();
    assert_eq!(retired, before.kid);
    assert_ne!(new_kid, before.kid);

    let second = prescribe(&mut s, Some(Consent::Verbal), false);
    let new = dir.path().join("new.json");
    let after = export(&mut s, second, &new).unwrap();
    assert_eq!(after.kid, new_kid);
    assert_eq!(exports::verify(s.conn(), &std::fs::read(&old).unwrap()).unwrap().kid, before.kid);
    assert_eq!(exports::verify(s.conn(), &std::fs::read(&new).unwrap()).unwrap().kid, new_kid);

    let keys = linkwork::storage::keys::list(s.conn()).unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!((keys[0].kid.as_str(), keys[0].retired_at.is_none()), (new_kid.as_str(), true));
    assert!(keys[1].retired_at.is_some());
    // The old private key is gone: only the current one is on disk.
    let pem = std::fs::read_to_string(dir.path().join("keys/signing-key.pem")).unwrap();
    let on_disk = <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(jws::thumbprint(&on_disk.verifying_key()), new_kid);
    assert_eq!(std::fs::read_dir(dir.path().join("keys")).unwrap().count(), 1);
}

#[test]
fn hand_over_states_follow_the_rules_with_events_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    for to in [State::Sent, State::Acknowledged, State::Accepted, State::Started, State::Completed] {
        prescriptions::set_state(&mut s, id, to, None).unwrap();
    }
    let err = prescriptions::set_state(&mut s, id, State::Started, None).unwrap_err().to_string();
    assert!(err.contains("cannot change state"), "{err}");
    let events: Vec<String> = s
        .conn()
        .prepare("SELECT state FROM prescription_event WHERE prescription_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events, ["draft", "sent", "acknowledged", "accepted", "started", "completed"]);
    let audited: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE table_name = 'prescription' AND record_id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(audited, 6);

    let declined = prescribe(&mut s, Some(Consent::Verbal), false);
    prescriptions::set_state(&mut s, declined, State::Sent, None).unwrap();
    assert!(prescriptions::set_state(&mut s, declined, State::Declined, None).is_err());
    prescriptions::set_state(&mut s, declined, State::Declined, Some("No places until spring")).unwrap();
    let (reason, answered): (String, Option<String>) = s
        .conn()
        .query_row("SELECT decline_reason, answered_at FROM prescription WHERE id = ?1", [declined], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(reason, "No places until spring");
    assert!(answered.is_some());
}

#[test]
fn unanswered_after_the_set_days_becomes_no_response_and_waits_in_triage() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    prescriptions::set_state(&mut s, id, State::Sent, None).unwrap();
    assert_eq!(prescriptions::mark_no_response(&mut s, today() + chrono::Duration::days(13)).unwrap(), 0);
    assert_eq!(prescriptions::mark_no_response(&mut s, today() + chrono::Duration::days(14)).unwrap(), 1);
    let row = &prescriptions::list(s.conn(), None, None).unwrap()[0];
    assert_eq!(row.state, State::NoResponse);
    // The setting changes the wait.
    s.conn().execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('no_response_days', '3')", []).unwrap();
    let second = prescribe(&mut s, Some(Consent::Verbal), false);
    prescriptions::set_state(&mut s, second, State::Sent, None).unwrap();
    assert_eq!(prescriptions::mark_no_response(&mut s, today() + chrono::Duration::days(3)).unwrap(), 1);
    // The episode shows in the Waiting list of the caseload.
    use linkwork::storage::caseload::{Filter, View, count, window};
    assert_eq!(count(s.conn(), View::Waiting, &Filter::default()).unwrap(), 1);
    // Marked in the row, for the "?" on the caseload.
    let rows = window(s.conn(), View::All, &Filter::default(), 0, 10).unwrap();
    assert!(rows.iter().all(|r| r.no_response), "{rows:?}");
}

#[test]
fn the_cli_prescribes_exports_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    drop(setup(dir.path()));
    let db = dir.path().join("p.db");
    let o = run(&["prescribe", "--client", "1", "--service", "1", "--wants", "Company"], &db);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "1");
    assert!(String::from_utf8_lossy(&o.stderr).contains("draft"));

    let o = run(&["export", "referral", "1"], &db);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("linkwork: prescription 1 cannot be exported") && err.lines().count() == 1, "{err}");

    assert!(run(&["prescribe", "--record-consent", "1", "--consent", "verbal"], &db).status.success());
    let file = dir.path().join("out.json");
    let o = run(&["export", "referral", "1", "--out", file.to_str().unwrap()], &db);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = run(&["verify", file.to_str().unwrap()], &db);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["what_matters"], "Company");

    // With the public key as a JWK file, no database needed.
    let o = run(&["keys", "public", "--jwk"], &db);
    let jwk_file: PathBuf = dir.path().join("pub.jwk");
    std::fs::write(&jwk_file, &o.stdout).unwrap();
    let o = Command::new(BIN)
        .args(["verify", file.to_str().unwrap(), "--key", jwk_file.to_str().unwrap()])
        .env("LINKWORK_DB", dir.path().join("missing-folder/none.db"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Tampered: non-zero and the reason.
    let mut text = std::fs::read_to_string(&file).unwrap();
    let p = text.find("\"payload\":\"").unwrap() + 20;
    let c = text.as_bytes()[p];
    text.replace_range(p..p + 1, if c == b'A' { "B" } else { "A" });
    std::fs::write(&file, text).unwrap();
    let o = run(&["verify", file.to_str().unwrap()], &db);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not verify"), "{}", String::from_utf8_lossy(&o.stderr));

    let o = run(&["prescribe", "--set-state", "1", "accepted"], &db);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("now holds the duty of care"));
    let o = run(&["prescribe", "--set-state", "1", "bogus"], &db);
    assert!(!o.status.success());
}

mod tui {
    use super::*;
    use linkwork::ui::App;
    use linkwork::ui::state::{Pane, Popup};
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn press(app: &mut App, code: KeyCode) {
        app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn typ(app: &mut App, text: &str) {
        text.chars().for_each(|c| press(app, KeyCode::Char(c)));
    }

    fn message(app: &App) -> String {
        app.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
    }

    #[test]
    fn prescribe_record_consent_export_and_decline_from_the_keyboard() {
        let dir = tempfile::tempdir().unwrap();
        let s = setup(dir.path());
        let mut a = App::new(s, today(), Theme { colour: false }, (100, 30), false).unwrap();
        press(&mut a, KeyCode::Enter); // open the client's record
        press(&mut a, KeyCode::Char('p'));
        assert_eq!(a.state.pane, Pane::Directory);
        assert!(message(&a).contains("Choose a service for Siân"), "{}", message(&a));
        press(&mut a, KeyCode::Char('p'));
        assert!(matches!(a.state.popup, Some(Popup::Prescribe(_))));
        typ(&mut a, "Company on Tuesdays");
        press(&mut a, KeyCode::Tab);
        press(&mut a, KeyCode::Tab);
        typ(&mut a, "nod"); // not a consent
        press(&mut a, KeyCode::Enter);
        match &a.state.popup {
            Some(Popup::Prescribe(f)) => assert!(f.error.as_deref().unwrap_or("").contains("consent")),
            other => panic!("form closed: {other:?}"),
        }
        for _ in 0..3 {
            press(&mut a, KeyCode::Backspace);
        }
        press(&mut a, KeyCode::Enter);
        assert!(a.state.popup.is_none());
        assert!(message(&a).contains("Record consent before sending"), "{}", message(&a));

        press(&mut a, KeyCode::Char('2'));
        let d = a.state.client.detail.as_ref().unwrap();
        assert_eq!(d.prescriptions.len(), 1);
        assert_eq!(d.prescriptions[0].state, State::Draft);
        let id = d.prescriptions[0].id;

        // e: one prescription, so its steps at once: consent first.
        press(&mut a, KeyCode::Char('e'));
        match &a.state.popup {
            Some(Popup::PrescriptionStep { steps, .. }) => {
                assert!(steps[0].1.contains("verbal consent"), "{steps:?}");
                assert!(!steps.iter().any(|(_, l)| l.contains("export")), "no export before consent: {steps:?}");
                assert_eq!(steps.len(), 2, "only recording consent, no sending without it: {steps:?}");
            }
            other => panic!("{other:?}"),
        }
        press(&mut a, KeyCode::Char('1'));
        assert!(message(&a).contains("verbal consent recorded"), "{}", message(&a));
        press(&mut a, KeyCode::Char('e'));
        press(&mut a, KeyCode::Char('1')); // export
        // Both files, and where.
        let said = message(&a);
        assert!(said.contains(&format!("referral-{id}.jws.json (signed")), "{said}");
        assert!(said.contains(&format!("referral-{id}.letter.html (the letter")), "{said}");
        assert!(said.contains(&dir.path().join("exports").display().to_string()), "{said}");
        let file = dir.path().join(format!("exports/referral-{id}.jws.json"));
        let signed = std::fs::read(&file).unwrap();
        let v = exports::verify(a.store().conn(), &signed).unwrap();
        assert_eq!(v.document["what_matters"], "Company on Tuesdays");
        let letter = std::fs::read_to_string(dir.path().join(format!("exports/referral-{id}.letter.html"))).unwrap();
        use sha2::Digest as _;
        let sha = exports::hex(&sha2::Sha256::digest(&signed));
        assert!(letter.contains(&format!("signed file SHA-256 {sha}")), "the letter names the signed file");
        assert!(letter.contains("Company on Tuesdays"));
        let d = a.state.client.detail.as_ref().unwrap();
        assert_eq!(d.prescriptions[0].state, State::Sent);

        // Declined: asks why; an empty reason is refused.
        press(&mut a, KeyCode::Char('e'));
        let declined = match &a.state.popup {
            Some(Popup::PrescriptionStep { steps, .. }) => steps.iter().position(|(_, l)| l.starts_with("declined")),
            other => panic!("{other:?}"),
        };
        press(&mut a, KeyCode::Char(char::from(b'1' + declined.unwrap() as u8)));
        press(&mut a, KeyCode::Enter);
        assert!(matches!(&a.state.popup, Some(Popup::Prompt { error: Some(e), .. }) if e.contains("reason")));
        typ(&mut a, "Full until spring");
        press(&mut a, KeyCode::Enter);
        assert!(a.state.popup.is_none());
        assert!(message(&a).contains("still hold the duty of care"), "{}", message(&a));
        let d = a.state.client.detail.as_ref().unwrap();
        assert_eq!(d.prescriptions[0].decline_reason.as_deref(), Some("Full until spring"));
        // Final: nothing more to do.
        press(&mut a, KeyCode::Char('e'));
        assert!(a.state.popup.is_none());
        assert!(message(&a).contains("cannot change any more"), "{}", message(&a));
    }
}

#[test]
fn a_demo_database_signs_with_a_key_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut real = setup(dir.path());
    let real_kid = jws::thumbprint(&exports::current_key(&mut real).unwrap().verifying_key());
    let mut demo = Store::open(&dir.path().join("demo.db"), Some("Demo")).unwrap();
    linkwork::demo::generate(
        &mut demo,
        &linkwork::demo::DemoOptions { clients: 20, seed: 1, weeks: 8, today: today() },
    )
    .unwrap();
    let demo_kid = jws::thumbprint(&exports::current_key(&mut demo).unwrap().verifying_key());
    assert_ne!(demo_kid, real_kid);
    assert!(dir.path().join("demo-keys/signing-key.pem").exists());
    // An export from the demo does not verify against the real database's keys.
    let id: i64 = demo
        .conn()
        .query_row("SELECT id FROM prescription WHERE consent IS NOT NULL AND state <> 'declined' LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let out = dir.path().join("demo-referral.json");
    exports::export_referral(&mut demo, id, exports::to_file(&out)).unwrap();
    let e = exports::verify(real.conn(), &std::fs::read(&out).unwrap()).unwrap_err();
    assert!(matches!(e, jws::VerifyError::UnknownKey(_)), "{e}");
}

#[test]
fn exporting_into_a_missing_folder_says_so_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    let err = export(&mut s, id, &dir.path().join("no/such/folder/r.json")).unwrap_err().to_string();
    assert!(err.contains("does not exist"), "{err}");
    let row = &prescriptions::list(s.conn(), Some(1), None).unwrap()[0];
    assert_eq!((row.state, row.export_sha256.as_deref()), (State::Draft, None));
}

#[test]
fn a_new_day_in_an_open_program_marks_unanswered_prescriptions() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    let dir = tempfile::tempdir().unwrap();
    let mut s = setup(dir.path());
    let id = prescribe(&mut s, Some(Consent::Verbal), false);
    prescriptions::set_state(&mut s, id, State::Sent, None).unwrap();
    let mut a = App::new(s, today(), Theme { colour: false }, (100, 30), false).unwrap();
    assert_eq!(prescriptions::list(a.store().conn(), None, None).unwrap()[0].state, State::Sent);
    a.new_day(today() + chrono::Duration::days(14));
    assert_eq!(a.state.today, today() + chrono::Duration::days(14));
    assert_eq!(prescriptions::list(a.store().conn(), None, None).unwrap()[0].state, State::NoResponse);
    let message = a.state.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("no answer in time"), "{message}");
}

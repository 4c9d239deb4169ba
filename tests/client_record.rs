//! Working on a client's record in the terminal UI, in-process: logging a
//! contact, and the checks that refuse bad entries.

use chrono::NaiveDate;
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::storage::Store;
use linkwork::ui::App;
use linkwork::ui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn app(dir: &tempfile::TempDir) -> App {
    let mut s = Store::open(&dir.path().join("c.db"), Some("Record Tester")).unwrap();
    let input = ReferralInput {
        nhs_number: "9997654323".into(),
        name: "Nia Contact".into(),
        date_of_birth: "1960-05-05".into(),
        reasons: "loneliness".into(),
        received: "2026-11-02".into(),
        ..Default::default()
    };
    let codes = linkwork::storage::referrals::reason_codes(s.conn()).unwrap();
    linkwork::storage::referrals::add(&mut s, &validate(&input, &codes, today()).unwrap()).unwrap();
    App::new(s, today(), Theme { colour: false }, (100, 30), false).unwrap()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn clear(app: &mut App) {
    app.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
}

#[test]
fn log_a_contact_from_the_client_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.state.client.detail.as_ref().unwrap().episodes[0].contact_count, 0);
    press(&mut a, KeyCode::Char('l'));
    assert!(!a.has_unsaved_input());
    // Kind: a wrong one first.
    clear(&mut a);
    typ(&mut a, "carrier pigeon");
    press(&mut a, KeyCode::Enter);
    let err = match &a.state.popup {
        Some(linkwork::ui::state::Popup::Contact(f)) => f.error.clone().unwrap_or_default(),
        other => panic!("form closed: {other:?}"),
    };
    assert!(err.contains("contact kind: 'carrier_pigeon' is not one of"), "{err}");
    clear(&mut a);
    typ(&mut a, "home visit");
    press(&mut a, KeyCode::Tab);
    clear(&mut a);
    typ(&mut a, "2026-11-20");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "45");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "Talked about the lunch club; Łucja's café idea.");
    assert!(a.has_unsaved_input());
    press(&mut a, KeyCode::Enter);
    // Saved, and the next follow-up offered: Enter takes the date offered (two weeks on).
    assert!(
        matches!(
            &a.state.popup,
            Some(linkwork::ui::state::Popup::Prompt { ask: linkwork::ui::forms::Ask::FollowUpOn, .. })
        ),
        "{:?}",
        a.state.popup
    );
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none(), "saved and closed");
    let offered = a.state.today + chrono::Duration::days(14);
    assert_eq!(a.state.client.follow_up.as_ref().map(|(on, _)| *on), Some(offered), "the follow-up set");
    let ep = &a.state.client.detail.as_ref().unwrap().episodes[0];
    assert_eq!(ep.contact_count, 1, "the record was read again");
    let c = &a.state.client.detail.as_ref().unwrap().contacts[0];
    assert_eq!(
        (c.kind.code(), c.duration_min, c.note.as_deref()),
        ("home_visit", Some(45), Some("Talked about the lunch club; Łucja's café idea."))
    );
    let audits: i64 = a
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE table_name = 'contact' AND worker = 'Record Tester'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audits, 1);
}

#[test]
fn a_contact_before_the_referral_or_in_the_future_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    for (date, says) in [
        ("2026-10-01", "before the referral arrived"),
        ("2026-12-01", "in the future"),
        ("yesterday", "expected YYYY-MM-DD"),
    ] {
        press(&mut a, KeyCode::Char('l'));
        press(&mut a, KeyCode::Tab);
        clear(&mut a);
        typ(&mut a, date);
        press(&mut a, KeyCode::Enter);
        let err = match &a.state.popup {
            Some(linkwork::ui::state::Popup::Contact(f)) => f.error.clone().unwrap_or_default(),
            other => panic!("{date}: form closed: {other:?}"),
        };
        assert!(err.contains(says), "{date}: {err}");
        press(&mut a, KeyCode::Esc);
        if a.state.popup.is_some() {
            press(&mut a, KeyCode::Char('y'));
        }
        assert!(a.state.popup.is_none());
    }
    let n: i64 = a.store().conn().query_row("SELECT count(*) FROM contact", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn assess_then_reassess_keeps_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('a'));
    typ(&mut a, "Getting back to the choir.");
    press(&mut a, KeyCode::Enter); // a new line in the text area, not "save"
    typ(&mut a, "Seeing my grandchildren — Siân and Łucja 🌻.");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "Loves singing");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('2')); // loneliness: significant
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "Lives alone since March");
    a.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(a.state.popup.is_none(), "saved: {:?}", a.state.message);
    let shown = a.state.client.detail.as_ref().unwrap().assessment.clone().unwrap();
    assert_eq!(shown.version, 1);
    assert_eq!(
        shown.what_matters.as_deref(),
        Some("Getting back to the choir.\nSeeing my grandchildren — Siân and Łucja 🌻.")
    );
    assert_eq!(shown.needs.len(), 1);
    assert_eq!((shown.needs[0].code.as_str(), shown.needs[0].level.as_str()), ("loneliness", "significant"));

    // A reassessment starts from the last one and adds version 2.
    press(&mut a, KeyCode::Char('a'));
    assert!(!a.has_unsaved_input(), "nothing changed yet");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Char('1')); // loneliness: some
    assert!(a.has_unsaved_input());
    a.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(a.state.client.detail.as_ref().unwrap().assessment.as_ref().unwrap().version, 2);
    let levels: Vec<(i64, String)> = a
        .store()
        .conn()
        .prepare("SELECT a.version, n.level FROM assessment a JOIN assessment_need n ON n.assessment_id = a.id ORDER BY a.version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(levels, vec![(1, "significant".to_owned()), (2, "some".to_owned())], "version 1 stays as it was");
    let earlier = &a.state.client.detail.as_ref().unwrap().earlier_assessments;
    assert_eq!(earlier.len(), 1);
    assert_eq!((earlier[0].version, earlier[0].needs[0].level.as_str()), (1, "significant"), "and stays readable");
}

#[test]
fn too_long_or_empty_assessments_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('a'));
    a.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let err = match &a.state.popup {
        Some(linkwork::ui::state::Popup::Assessment(f)) => f.error.clone().unwrap_or_default(),
        other => panic!("form closed: {other:?}"),
    };
    assert!(err.contains("the assessment is empty"), "{err}");
    typ(&mut a, &"x".repeat(4001));
    a.handle_key(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let err = match &a.state.popup {
        Some(linkwork::ui::state::Popup::Assessment(f)) => f.error.clone().unwrap_or_default(),
        other => panic!("form closed: {other:?}"),
    };
    assert!(err.contains("what matters: 4001 characters is too long; at most 4000"), "{err}");
    let n: i64 = a.store().conn().query_row("SELECT count(*) FROM assessment", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn goals_are_set_marked_overdue_and_moved_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('o'));
    press(&mut a, KeyCode::Enter);
    let err = match &a.state.popup {
        Some(linkwork::ui::state::Popup::Goal(f)) => f.error.clone().unwrap_or_default(),
        other => panic!("form closed: {other:?}"),
    };
    assert!(err.contains("goal: missing"), "{err}");
    typ(&mut a, "Join the community choir");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "Visit once with a volunteer, then go alone");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "Link Worker finds the times; Nia goes");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "2026-11-16");
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none());
    let g = a.state.client.detail.as_ref().unwrap().goals[0].clone();
    assert_eq!((g.title.as_str(), g.status.as_str()), ("Join the community choir", "not_started"));
    assert!(g.overdue(today()), "a week past its target");
    let buf = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        t.draw(|f| linkwork::ui::draw::draw(f, &a.state)).unwrap();
        t.backend().buffer().clone()
    };
    let screen: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("OVERDUE"), "overdue goals are marked");

    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('1')); // the first goal
    press(&mut a, KeyCode::Char('3')); // achieved
    let g = a.state.client.detail.as_ref().unwrap().goals[0].clone();
    assert_eq!(g.status, "achieved");
    assert!(!g.overdue(today()));
    let audits: i64 = a
        .store()
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE table_name = 'goal'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audits, 2);
}

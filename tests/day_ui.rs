//! Issue 16 in the terminal UI, in-process: notes and the full story (the
//! referral's notes on the record, a contact read in full, a note when a person
//! is reached, messages that do not fit), and the smaller things seen.

use chrono::NaiveDate;
use linkwork::domain::intake::{ReferralInput, validate};
use linkwork::storage::Store;
use linkwork::ui::App;
use linkwork::ui::state::Popup;
use linkwork::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

const NOTES: &str = "Lives alone, recently widowed. Prefers Welsh.";

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(&dir.path().join("d.db"), Some("Day Tester")).unwrap();
    let input = ReferralInput {
        nhs_number: "9997654323".into(),
        name: "Nia Stori".into(),
        date_of_birth: "1960-05-05".into(),
        reasons: "loneliness".into(),
        received: "2026-11-02".into(),
        notes: NOTES.into(),
        ..Default::default()
    };
    let codes = linkwork::storage::referrals::reason_codes(s.conn()).unwrap();
    linkwork::storage::referrals::add(&mut s, &validate(&input, &codes, today()).unwrap()).unwrap();
    s
}

fn app_sized(dir: &tempfile::TempDir, w: u16, h: u16) -> App {
    App::new(store(dir), today(), Theme { colour: false }, (w, h), false).unwrap()
}

fn app(dir: &tempfile::TempDir) -> App {
    app_sized(dir, 80, 24)
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The screen as plain text, a line per row.
fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.state.width, app.state.height)).unwrap();
    terminal.draw(|f| linkwork::ui::draw::draw(f, &app.state)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The screen's words in order, whatever the wrapping: to find a sentence.
fn words(app: &App) -> String {
    screen(app).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words inside the popup (between its double borders), in order.
fn popup_words(app: &App) -> String {
    let inside: Vec<String> = screen(app)
        .lines()
        .filter_map(|l| {
            let (a, b) = (l.find('║')?, l.rfind('║')?);
            (b > a).then(|| l[a + '║'.len_utf8()..b].to_owned())
        })
        .collect();
    inside.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_referrals_notes_are_shown_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    let ep = &a.state.client.detail.as_ref().unwrap().episodes[0];
    assert_eq!(ep.notes.as_deref(), Some(NOTES));
    assert!(words(&a).contains("Lives alone, recently widowed. Prefers Welsh."), "{}", screen(&a));
}

#[test]
fn a_contact_note_is_read_in_full_from_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('l'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    let long = "Talked through the week at length: the lunch club on Tuesdays, her daughter in Cardiff who rings \
                on Sundays, the bus pass renewal, and the walking group she might try if the weather holds. \
                Ends with the word zebra.";
    typ(&mut a, long);
    press(&mut a, KeyCode::Enter);
    // Saved; the next follow-up is offered, and Esc says not now.
    assert!(
        matches!(a.state.popup, Some(Popup::Prompt { ask: linkwork::ui::forms::Ask::FollowUpOn, .. })),
        "{:?}",
        a.state.popup
    );
    press(&mut a, KeyCode::Esc);
    assert!(a.state.popup.is_none(), "saved");
    assert!(!words(&a).contains("zebra"), "the record's contact list cuts the note");
    // Second contact so the list is a choice.
    press(&mut a, KeyCode::Char('l'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "Short one.");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('n'));
    assert!(matches!(a.state.popup, Some(Popup::ContactPick { .. })), "{:?}", a.state.popup);
    let text = words(&a);
    assert!(text.contains("Short one."), "{text}");
    press(&mut a, KeyCode::Char('2'));
    match &a.state.popup {
        Some(Popup::Notice { text, .. }) => assert!(text.contains(long), "{text}"),
        other => panic!("no contact shown: {other:?}"),
    }
    let shown = popup_words(&a);
    assert!(shown.contains(&long.split_whitespace().collect::<Vec<_>>().join(" ")), "the whole note:\n{}", screen(&a));
    press(&mut a, KeyCode::Esc);
    assert!(a.state.popup.is_none());
}

#[test]
fn reached_asks_for_an_optional_note_as_other_outcomes_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('1'));
    assert!(
        matches!(a.state.popup, Some(Popup::Prompt { ask: linkwork::ui::forms::Ask::ReachedNote, .. })),
        "{:?}",
        a.state.popup
    );
    typ(&mut a, "Happy to meet on Thursday; prefers mornings.");
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none(), "{:?}", a.state.message);
    press(&mut a, KeyCode::Char('u'));
    // Undone: reached again with nothing typed is still a contact.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('1'));
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none());
    let mut s = a.store().conn().prepare("SELECT outcome, note FROM contact ORDER BY id").unwrap();
    let rows: Vec<(Option<String>, Option<String>)> =
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "the undone one is gone: {rows:?}");
    assert_eq!(rows[0].0.as_deref(), Some("reached"));
    drop(s);
    // The first, with its note, was undone; do it again and keep it.
    press(&mut a, KeyCode::Char('u'));
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('1'));
    typ(&mut a, "Happy to meet on Thursday; prefers mornings.");
    press(&mut a, KeyCode::Enter);
    let note: String = a
        .store()
        .conn()
        .query_row("SELECT note FROM contact WHERE outcome = 'reached' ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(note.contains("Happy to meet on Thursday; prefers mornings."), "{note}");
}

#[test]
fn a_note_with_a_control_character_is_refused_and_nothing_is_done() {
    use linkwork::domain::triage::{Action, Attempt};
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let reached = Action::Attempt(Attempt::Reached);
    let err = linkwork::storage::referrals::decide_noted(&mut s, 1, None, &reached, Some("bad \u{1b}[2J"), today())
        .unwrap_err();
    assert!(format!("{err:#}").contains("control character"), "{err:#}");
    let n: i64 = s.conn().query_row("SELECT count(*) FROM contact", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    let long = "x".repeat(linkwork::storage::contacts::NOTE_MAX + 1);
    assert!(linkwork::storage::referrals::decide_noted(&mut s, 1, None, &reached, Some(&long), today()).is_err());
    linkwork::storage::referrals::decide_noted(&mut s, 1, None, &reached, Some("Spoke at last."), today()).unwrap();
    let note: String = s.conn().query_row("SELECT note FROM contact", [], |r| r.get(0)).unwrap();
    assert_eq!(note, "contact attempt: reached: Spoke at last.");
}

#[test]
fn a_message_too_long_for_the_bar_can_be_read_again_with_the_last_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    // A new referral cannot be closed as "other": the refusal is long.
    press(&mut a, KeyCode::Char('o'));
    press(&mut a, KeyCode::Char('3'));
    let said = a.state.message.clone().expect("refused").text;
    assert!(said.chars().count() > 80, "{said}");
    let bottom = screen(&a).lines().last().unwrap().to_owned();
    assert!(bottom.trim_end().ends_with(" L all"), "the bar says how to read it all: {bottom}");
    // A message that fits leaves whole hints after it, never half of one.
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('1'));
    press(&mut a, KeyCode::Enter);
    let bottom = screen(&a).lines().last().unwrap().to_owned();
    assert!(bottom.contains("contact attempt: reached") && !bottom.contains('…'), "{bottom}");
    press(&mut a, KeyCode::Char('u'));
    press(&mut a, KeyCode::Char('o'));
    press(&mut a, KeyCode::Char('3'));
    press(&mut a, KeyCode::Char('L'));
    match &a.state.popup {
        Some(Popup::Notice { text, .. }) => assert!(text.contains(&said), "{text}"),
        other => panic!("{other:?}"),
    }
    assert!(popup_words(&a).contains(&said.split_whitespace().collect::<Vec<_>>().join(" ")), "{}", screen(&a));
    press(&mut a, KeyCode::Esc);
    // The last messages, newest first.
    press(&mut a, KeyCode::Char('r'));
    press(&mut a, KeyCode::Char('L'));
    match &a.state.popup {
        Some(Popup::Notice { text, .. }) => {
            let refreshed = text.find("Refreshed from the database.").expect("the newest");
            let refused = text.find(&said).expect("the older one");
            assert!(refreshed < refused, "{text}");
        }
        other => panic!("{other:?}"),
    }
    // The help overlay lists the key.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('?'));
    let help: Vec<String> = linkwork::ui::keymap::help_lines(linkwork::ui::state::Pane::Caseload)
        .into_iter()
        .flat_map(|(_, b)| b.into_iter().map(|(k, w)| format!("{k} {w}")))
        .collect();
    assert!(help.iter().any(|l| l.starts_with("L ") && l.contains("messages")), "{help:?}");
    ctrl(&mut a, 'c');
}

// ---- Smaller things seen ----

fn measure_form(a: &mut App, which: char) -> linkwork::ui::forms::MeasureForm {
    match &a.state.popup {
        Some(Popup::Measure(f)) => (**f).clone(),
        other => panic!("no measure form for {which}: {other:?}"),
    }
}

fn open_measure(which: char) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('w'));
    press(&mut a, KeyCode::Char(which));
    (dir, a)
}

fn items(f: &linkwork::ui::forms::MeasureForm) -> Vec<String> {
    f.fields[..f.fields.len() - 1].iter().map(|f| f.text.clone()).collect()
}

#[test]
fn wellbeing_forms_take_digits_by_one_rule() {
    // 1 ONS4 (0-10), 2 SWEMWBS (1-5), 3 UCLA-3 (1-3).
    for which in ['1', '2', '3'] {
        // Tab after each answer: every value on its own item.
        let (_d, mut a) = open_measure(which);
        typ(&mut a, "2");
        press(&mut a, KeyCode::Tab);
        typ(&mut a, "2");
        press(&mut a, KeyCode::Tab);
        let f = measure_form(&mut a, which);
        assert_eq!(&items(&f)[..2], ["2", "2"], "{which}");
        assert_eq!(f.focus, 2, "{which}: on the third item");
        // The hint says the rule.
        let text = popup_words(&a);
        assert!(text.contains("cannot add to an answer starts the next"), "{which}: {text}");
        assert!(text.contains("Tab moves on"), "{which}: {text}");
    }
    // Digits alone: a digit that cannot add to the answer starts the next item.
    let (_d, mut a) = open_measure('1');
    typ(&mut a, "7865");
    assert_eq!(items(&measure_form(&mut a, '1')), ["7", "8", "6", "5"]);
    let (_d, mut a) = open_measure('1');
    typ(&mut a, "10");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "0");
    typ(&mut a, "105");
    assert_eq!(items(&measure_form(&mut a, '1')), ["10", "0", "10", "5"]);
    let (_d, mut a) = open_measure('2');
    typ(&mut a, "1234512");
    assert_eq!(items(&measure_form(&mut a, '2')), ["1", "2", "3", "4", "5", "1", "2"]);
    // A digit is never dropped: on the last item it stays, and the item says what it expects.
    let (_d, mut a) = open_measure('3');
    typ(&mut a, "1237");
    let f = measure_form(&mut a, '3');
    assert_eq!(items(&f), ["1", "2", "37"]);
    assert_eq!(f.item_problem(2).as_deref(), Some("1 to 3"));
    // A wrong first digit stays where it was typed, with its problem shown.
    let (_d, mut a) = open_measure('2');
    typ(&mut a, "9");
    let f = measure_form(&mut a, '2');
    assert_eq!((items(&f)[0].as_str(), f.focus), ("9", 0));
}

#[test]
fn after_a_failed_save_the_focus_stays_visible_and_fixed_fields_clear() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Char('n'));
    press(&mut a, KeyCode::Enter);
    let errors = |a: &App| match &a.state.popup {
        Some(Popup::NewReferral(f)) => {
            (f.focus, f.errors.as_ref().map(|e| e.0.iter().map(|e| e.field).collect::<Vec<_>>()))
        }
        other => panic!("{other:?}"),
    };
    let (focus, before) = errors(&a);
    let before = before.expect("refused");
    assert_eq!(focus, 0);
    assert!(before.contains(&"NHS number") && before.contains(&"name"), "{before:?}");
    let rows: Vec<String> = screen(&a).lines().map(str::to_owned).collect();
    let nhs_row = rows.iter().find(|l| l.contains("NHS number")).unwrap();
    assert!(nhs_row.contains('▶'), "the field in focus is marked although it is wrong: {nhs_row}");
    let name_row = rows.iter().find(|l| l.contains("║!Name") || l.contains("! Name") || l.contains("!Name")).cloned();
    assert!(name_row.is_some(), "a wrong field not in focus is marked !:\n{}", screen(&a));
    // Fixing the NHS number clears its error; the name's stays.
    typ(&mut a, "999 000 0018");
    let (_, after) = errors(&a);
    let after = after.unwrap_or_default();
    assert!(!after.contains(&"NHS number"), "{after:?}");
    assert!(after.contains(&"name"), "{after:?}");
    // A wrong value typed does not clear it.
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "1960-13-40");
    let (_, after) = errors(&a);
    assert!(after.unwrap_or_default().contains(&"name"));
}

#[test]
fn the_bottom_bar_shows_the_triage_keys_that_fit_most_used_first() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let dir = tempfile::tempdir().unwrap();
        let a = app_sized(&dir, w, h);
        let bottom = screen(&a).lines().last().unwrap().to_owned();
        for hint in ["a accept", "c contact", "b book", "d decline", "o close", "? help", "q quit"] {
            assert!(bottom.contains(hint), "{w}x{h}: {hint} missing from {bottom}");
        }
        // No hint is cut in half.
        assert!(!bottom.contains('…'), "{bottom}");
        let at = |s: &str| bottom.find(s).unwrap();
        assert!(at("a accept") < at("c contact") && at("c contact") < at("b book") && at("b book") < at("d decline"));
    }
    let dir = tempfile::tempdir().unwrap();
    let a = app_sized(&dir, 120, 40);
    let bottom = screen(&a).lines().last().unwrap().to_owned();
    for hint in ["t transfer", "x unable", "u undo", "Enter open"] {
        assert!(bottom.contains(hint), "120 columns: {hint} missing from {bottom}");
    }
}

#[test]
fn slow_to_answer_has_its_own_mark_not_the_truncation_mark() {
    use linkwork::ui::state::Pane;
    let marks = linkwork::ui::draw::marks(Pane::Directory);
    let slow = marks.iter().find(|(_, what)| what.starts_with("slow")).expect("slow listed");
    assert_ne!(slow.0, "…");
    assert_eq!(slow.0, linkwork::ui::directory::SLOW_MARK);
}

#[test]
fn after_a_resize_the_record_shows_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_sized(&dir, 80, 24);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('G'));
    assert!(a.state.client.scroll > 0, "the record is longer than 24 rows");
    a.handle_event(&ratatui::crossterm::event::Event::Resize(120, 60));
    assert_eq!(a.state.client.scroll, 0, "it all fits now");
    let rows: Vec<String> = screen(&a).lines().map(str::to_owned).collect();
    assert!(rows[2].contains("Nia Stori") && rows[2].contains("NHS 999 765 4323"), "{}", rows.join("\n"));
    // Smaller again: the scroll is never past the end.
    press(&mut a, KeyCode::Char('G'));
    a.handle_event(&ratatui::crossterm::event::Event::Resize(80, 24));
    let max = linkwork::ui::client::line_count(&a.state).saturating_sub(linkwork::ui::draw::body_rows(&a.state) - 1);
    assert!(a.state.client.scroll <= max, "{} > {max}", a.state.client.scroll);
}

#[test]
fn the_audit_trail_names_a_client_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Enter); // a view of the record: table client, record 1, client 1
    drop(a);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
        .args(["audit", "--db", dir.path().join("d.db").to_str().unwrap()])
        .env_remove("LINKWORK_DB")
        .env_remove("LINKWORK_WORKER")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("client 1:"), "{out}");
    assert!(!out.contains("client 1 (client 1)"), "{out}");
    assert!(out.contains("referral 1 (client 1)"), "other tables still name the client: {out}");
}

// ---- The new-referral form's practice field ----

#[test]
fn the_new_referral_form_takes_the_practice() {
    use linkwork::ui::forms::REFERRAL_FIELDS;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let change = linkwork::storage::practices::PracticeChange {
        name: "Canton Surgery".into(),
        ods_code: Some("W97001".into()),
        list_size: Some(9000),
        pcn: None,
    };
    linkwork::storage::practices::set(&mut s, &change).unwrap();
    let mut a = App::new(s, today(), Theme { colour: false }, (80, 24), false).unwrap();
    let practice = REFERRAL_FIELDS.iter().position(|(label, _, _)| *label == "Practice").expect("a practice field");
    let fill = |a: &mut App, practice_text: &str| {
        press(a, KeyCode::Char('n'));
        for (i, text) in ["999 000 0018", "Gwen Practice", "1950-02-03", "loneliness"].into_iter().enumerate() {
            if i > 0 {
                press(a, KeyCode::Tab);
            }
            typ(a, text);
        }
        for _ in 3..practice {
            press(a, KeyCode::Tab);
        }
        typ(a, practice_text);
    };
    // The hint names the practices on file.
    fill(&mut a, "Nowhere Medical");
    assert!(popup_words(&a).contains("Canton Surgery"), "{}", screen(&a));
    // An unknown one is said beside the field, and the form stays.
    press(&mut a, KeyCode::Enter);
    match &a.state.popup {
        Some(Popup::NewReferral(f)) => {
            assert_eq!(f.focus, practice);
            let why = f.errors.as_ref().and_then(|e| e.for_field("practice")).unwrap_or_default().to_owned();
            assert!(why.contains("'Nowhere Medical' is not known"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    ctrl(&mut a, 'u');
    typ(&mut a, "w97001");
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none(), "saved: {:?} {:?}", a.state.popup, a.state.message);
    let (practice_name, referral_practice): (Option<String>, Option<String>) = a
        .store()
        .conn()
        .query_row(
            "SELECT (SELECT name FROM practice WHERE id = c.practice_id),
                    (SELECT p.name FROM referral r JOIN practice p ON p.id = r.practice_id WHERE r.client_id = c.id)
             FROM client c WHERE c.nhs_number = '9990000018'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(practice_name.as_deref(), Some("Canton Surgery"));
    assert_eq!(referral_practice.as_deref(), Some("Canton Surgery"));
}

#[test]
fn the_last_messages_scroll_when_they_do_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir);
    press(&mut a, KeyCode::Char('r')); // the oldest: "Refreshed from the database."
    for _ in 0..9 {
        press(&mut a, KeyCode::Char('o'));
        press(&mut a, KeyCode::Char('3'));
    }
    press(&mut a, KeyCode::Char('L'));
    let text = match &a.state.popup {
        Some(Popup::Notice { text, .. }) => text.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(text.lines().count(), 10, "the last ten: {text}");
    assert!(screen(&a).contains("(j for more)"), "{}", screen(&a));
    assert!(!popup_words(&a).contains("Refreshed from the database."), "the oldest is below");
    for _ in 0..30 {
        press(&mut a, KeyCode::Char('j'));
    }
    assert!(popup_words(&a).contains("Refreshed from the database."), "{}", screen(&a));
    assert!(!screen(&a).contains("(j for more)"));
    let at = |a: &App| match &a.state.popup {
        Some(Popup::Notice { scroll, .. }) => *scroll,
        other => panic!("{other:?}"),
    };
    let bottom = at(&a);
    assert!(bottom > 0);
    press(&mut a, KeyCode::Char('k'));
    assert_eq!(at(&a), bottom - 1);
    press(&mut a, KeyCode::Esc);
    assert!(a.state.popup.is_none());
}

#[test]
fn the_demo_has_referral_notes_to_read_on_the_record() {
    use linkwork::demo::{DemoOptions, generate};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("demo.db"), None).unwrap();
    generate(&mut s, &DemoOptions { clients: 30, seed: 5, weeks: 52, today: today() }).unwrap();
    let (with, all): (i64, i64) =
        s.conn().query_row("SELECT count(notes), count(*) FROM referral", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(with > 0 && with < all, "{with} of {all}");
    let d = linkwork::storage::client::load(s.conn(), 3).unwrap().unwrap();
    assert!(d.episodes.iter().any(|e| e.notes.is_some()), "client 3 has a referral with notes");
}

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
        nhs_number: "9434765919".into(),
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
    assert!(a.state.popup.is_none(), "saved");
    assert!(!words(&a).contains("zebra"), "the record's contact list cuts the note");
    // Second contact so the list is a choice.
    press(&mut a, KeyCode::Char('l'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "Short one.");
    press(&mut a, KeyCode::Enter);
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

//! Filters that matter in the room (accepting referrals, free of charge, open on
//! a weekday, in a postcode district, for the person's age) and the services a
//! client's record offers for their needs.

use chrono::Weekday;
use linkwork::formats::oruk;
use linkwork::storage::Store;
use linkwork::storage::directory::{self, Search};
use serde_json::json;

fn directory(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(&dir.path().join("f.db"), Some("T")).unwrap();
    let svc = |id: &str, name: &str, fees: &str, day: &str, postcode: &str, min: i64, max: i64| {
        json!({"id": id, "name": name, "status": "active", "fees": fees, "minimum_age": min, "maximum_age": max,
               "description": "A walking group.",
               "schedules": [{"byday": day, "opens_at": "10:00:00", "closes_at": "12:00:00"}],
               "service_at_locations": [{"location": {"addresses": [{"address_1": "1 Road", "postal_code": postcode}]}}]})
    };
    let feed = json!({"contents": [
        svc("1", "Monday Walk", "Free", "MO", "LS6 2AB", 18, 120),
        svc("2", "Tuesday Walk", "£3 a session", "TU", "LS6 3CD", 18, 120),
        svc("3", "Wednesday Walk", "Free of charge", "WE", "LS16 1AA", 18, 120),
        svc("4", "Young People's Walk", "Free", "MO,TU", "BD1 1AA", 11, 17),
        {"id": "5", "name": "Online Walk Club", "status": "active", "description": "A walking group."},
    ]});
    let file = dir.path().join("feed.json");
    std::fs::write(&file, serde_json::to_vec(&feed).unwrap()).unwrap();
    let parsed = oruk::parse_file(&file).unwrap();
    directory::import(&mut store, &parsed.services, parsed.skipped, "test").unwrap();
    store
}

fn names(store: &Store, search: &Search) -> Vec<String> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut n: Vec<String> =
        directory::search_window(store.conn(), search, today, 0, 100).unwrap().into_iter().map(|r| r.name).collect();
    n.sort();
    n
}

#[test]
fn free_open_on_a_day_in_a_district_and_for_an_age() {
    let dir = tempfile::tempdir().unwrap();
    let s = directory(&dir);
    let free = Search { free_only: true, ..Search::text("walk") };
    assert_eq!(names(&s, &free), ["Monday Walk", "Wednesday Walk", "Young People's Walk"]);
    let monday = Search { open_on: Some(Weekday::Mon), ..Default::default() };
    assert_eq!(names(&s, &monday), ["Monday Walk", "Young People's Walk"]);
    let ls6 = Search { district: Some("ls6".into()), ..Default::default() };
    assert_eq!(names(&s, &ls6), ["Monday Walk", "Tuesday Walk"]);
    let ls = Search { district: Some("LS".into()), ..Default::default() };
    assert_eq!(names(&s, &ls), ["Monday Walk", "Tuesday Walk", "Wednesday Walk"]);
    let teen = Search { age: Some(15), ..Default::default() };
    assert_eq!(names(&s, &teen), ["Online Walk Club", "Young People's Walk"]);
    let all = Search {
        age: Some(40),
        free_only: true,
        open_on: Some(Weekday::Mon),
        district: Some("LS6".into()),
        ..Default::default()
    };
    assert_eq!(names(&s, &all), ["Monday Walk"]);
    // Unknown is not a yes: the online club says no fees, days or place.
    for s2 in [free, monday, ls6] {
        assert!(!names(&s, &s2).contains(&"Online Walk Club".to_owned()));
    }
}

#[test]
fn the_command_line_filters_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    drop(directory(&dir));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
        .args(["--db", dir.path().join("f.db").to_str().unwrap(), "services", "list", "--free", "--open", "mon"])
        .args(["--district", "LS6", "--age", "40", "--accepting"])
        .env("LINKWORK_WORKER", "T")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("Monday Walk") && out.lines().count() == 1, "{out}");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
        .args(["--db", dir.path().join("f.db").to_str().unwrap(), "services", "list", "--open", "someday"])
        .env("LINKWORK_WORKER", "T")
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("not a day of the week"));
}

#[test]
fn the_clients_record_offers_services_matched_to_their_needs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db"), Some("T")).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    linkwork::demo::generate(&mut store, &linkwork::demo::DemoOptions { clients: 30, seed: 3, weeks: 8, today })
        .unwrap();
    let matched = linkwork::storage::search::matched_to_needs(
        store.conn(),
        &["bereavement".to_owned(), "money".to_owned(), "loneliness".to_owned()],
        Some(70),
        3,
    )
    .unwrap();
    assert_eq!(matched.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(), ["bereavement", "money", "loneliness"]);
    let money = &matched[1];
    assert!(!money.services.is_empty() && money.services.len() <= 3);
    for (id, name) in matched.iter().flat_map(|m| &m.services) {
        let d = directory::detail(store.conn(), *id).unwrap().unwrap();
        assert!(d.row.accepting_referrals && d.row.status == "active", "{name}");
        assert!(d.min_age.is_none_or(|a| a <= 70) && d.max_age.is_none_or(|a| a >= 70), "{name}");
    }
    assert!(
        money.services.iter().any(|(_, n)| n.contains("Debt") || n.contains("Money") || n.contains("Benefits")),
        "{money:?}"
    );
    let lonely = &matched[2];
    assert!(lonely.services.iter().all(|(_, n)| !n.is_empty()) && !lonely.services.is_empty(), "{lonely:?}");

    // The record in the terminal UI shows them, for the client's own needs.
    let mut app =
        linkwork::ui::App::new(store, today, linkwork::ui::theme::Theme { colour: false }, (120, 40), false).unwrap();
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let d = app.state.client.detail.as_ref().expect("a record open");
    let codes = linkwork::storage::client::need_codes(d);
    assert!(!codes.is_empty());
    assert_eq!(app.state.client.matched.iter().map(|m| m.code.clone()).collect::<Vec<_>>(), codes);
    let lines: Vec<String> = linkwork::ui::client::lines(&app.state, 100)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    assert!(lines.iter().any(|l| l.contains("Services for their needs")), "{lines:#?}");
}

/// The same filters from the directory pane's keys: F free, O a day, D a district.
#[test]
fn the_directory_pane_filters_by_cost_day_and_district() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let store = directory(&dir);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut a = App::new(store, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let typ = |a: &mut App, s: &str| {
        for c in s.chars() {
            a.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    };
    let shown = |a: &App| -> Vec<String> {
        let mut n: Vec<String> = a.state.directory.list.rows.iter().map(|r| r.name.clone()).collect();
        n.sort();
        n
    };
    key(&mut a, KeyCode::Char('3'));
    assert_eq!(a.state.directory.list.total, 5);
    key(&mut a, KeyCode::Char('F'));
    assert_eq!(shown(&a), ["Monday Walk", "Wednesday Walk", "Young People's Walk"]);
    key(&mut a, KeyCode::Char('O'));
    typ(&mut a, "mon");
    key(&mut a, KeyCode::Enter);
    assert_eq!(shown(&a), ["Monday Walk", "Young People's Walk"]);
    key(&mut a, KeyCode::Char('D'));
    typ(&mut a, "ls6");
    key(&mut a, KeyCode::Enter);
    assert_eq!(shown(&a), ["Monday Walk"]);
    // A district that is not one is refused, and the filter stays as it was.
    key(&mut a, KeyCode::Char('D'));
    for _ in 0..3 {
        key(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "L S 6!");
    key(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_some(), "refused, still asking");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.state.directory.district.as_deref(), Some("LS6"));
    // Blank clears the day; F again clears free.
    key(&mut a, KeyCode::Char('O'));
    for _ in 0..3 {
        key(&mut a, KeyCode::Backspace);
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('F'));
    assert_eq!(shown(&a), ["Monday Walk", "Tuesday Walk"]);
}

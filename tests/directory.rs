//! The service directory: Open Referral UK import in every shape, messy feeds,
//! idempotent upserts, all-or-nothing files, search, export, demand and unmet need.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use linkwork::formats::oruk;
use linkwork::storage::Store;
use linkwork::storage::directory::{self, Search};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oruk").join(name)
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LINKWORK_WORKER", "Dir Tester")
        .env_remove("LINKWORK_DB")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn import(store: &mut Store, file: &Path) -> directory::ImportCounts {
    let parsed = oruk::parse_file(file).unwrap();
    directory::import(store, &parsed.services, parsed.skipped, "test").unwrap()
}

fn names(store: &Store, search: &Search) -> Vec<String> {
    directory::search_window(store.conn(), search, chrono::Local::now().date_naive(), 0, 1000)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("d.db"), Some("T")).unwrap()
}

#[test]
fn every_example_fixture_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    for f in ["uk-profile-service_list.json", "uk-profile-service_full.json", "uk-profile-organization_full.json"] {
        let parsed = oruk::parse_file(&fixture(f)).unwrap();
        assert_eq!(parsed.services.len(), 1, "{f}");
        assert_eq!(parsed.services[0].name, "Community Counselling");
    }
    let full = oruk::parse_file(&fixture("uk-profile-service_full.json")).unwrap().services.remove(0);
    assert_eq!(full.organisation.as_ref().map(|o| o.name.as_str()), Some("Example Organization Inc."));
    assert_eq!(full.postcode.as_deref(), Some("ABC 1234"));
    assert_eq!((full.min_age, full.max_age), (Some(12), Some(100)));
    assert!(full.schedule.as_deref().unwrap().starts_with("TH,FR 10:00-18:00"), "{:?}", full.schedule);
    assert_eq!(full.categories, vec!["name"]);
    let csv = oruk::parse_file(&fixture("uk-profile-services.csv")).unwrap();
    assert_eq!(csv.services.len(), 1);
    assert_eq!(
        csv.services[0].organisation.as_ref().unwrap().name,
        "Example Organization Inc.",
        "organizations.csv beside"
    );
    let terms = oruk::parse_file(&fixture("uk-profile-taxonomy_term_list.json")).unwrap();
    assert!(terms.services.is_empty());
    assert_eq!(terms.skipped[0].1, "a taxonomy term, not a service");

    let c = import(&mut s, &fixture("uk-profile-service_full.json"));
    assert_eq!((c.imported, c.updated, c.unchanged), (1, 0, 0));
}

#[test]
fn messy_v1_feed_is_cleaned_and_bad_records_skipped_with_reasons() {
    let parsed = oruk::parse_file(&fixture("messy-v1-paged.json")).unwrap();
    let ids: Vec<&str> = parsed.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["101", "103"]);
    let skipped: Vec<(String, String)> = parsed.skipped.clone();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert!(skipped.iter().any(|(at, why)| at == "102" && why == "no name"));
    assert!(skipped.iter().any(|(at, why)| at == "#3" && why == "no id"));
    assert!(skipped.iter().any(|(at, why)| at == "101" && why.contains("same id")));
    assert!(skipped.iter().any(|(at, why)| at == "104" && why.contains("'paused'")));

    let walk = &parsed.services[0];
    assert_eq!(walk.name, "Riverside Walking Group");
    let d = walk.description.as_deref().unwrap();
    assert!(d.contains("Gentle walks for all abilities") && d.contains("& a cuppa after."), "{d}");
    assert!(d.contains("Meet at the library.\nWear good shoes."), "line break kept: {d:?}");
    assert_eq!(walk.categories, vec!["Physical activity"]);
    assert_eq!(walk.eligibility.as_deref(), Some("Adults 18+"));
    assert_eq!(walk.min_age, Some(18));
    assert_eq!(walk.schedule.as_deref(), Some("Tuesday 10:00-12:00"));
    assert_eq!(
        (walk.address.as_deref(), walk.postcode.as_deref()),
        (Some("1 Library Way, Riverside"), Some("ZZ1 1AA"))
    );
    assert_eq!(walk.phone.as_deref(), Some("01632 960001"));
    assert_eq!(walk.fees.as_deref(), Some("Free"));
    assert_eq!(parsed.services[1].status, "temporarily closed");
}

#[test]
fn html_entities_and_images_never_reach_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    import(&mut s, &fixture("messy-v1-paged.json"));
    import(&mut s, &fixture("messy-bare-array.json"));
    let mut stmt =
        s.conn().prepare("SELECT coalesce(description, '') || name || coalesce(eligibility, '') FROM service").unwrap();
    let all: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(all.len(), 5);
    for t in &all {
        for bad in ["<", ">", "&amp;", "&nbsp;", "&#39;", "data:", "base64", "track()", "iVBOR"] {
            assert!(!t.contains(bad), "{bad} in {t:?}");
        }
    }
    assert!(all.iter().any(|t| t.contains("Men's Shed")));
}

#[test]
fn reimport_is_idempotent_and_a_newer_file_updates_only_feed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let first = import(&mut s, &fixture("messy-bare-array.json"));
    assert_eq!((first.imported, first.updated, first.unchanged), (3, 0, 0));
    let stamp = |s: &Store| -> Vec<String> {
        let mut stmt = s.conn().prepare("SELECT updated_at || source_hash FROM service ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let before = stamp(&s);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = import(&mut s, &fixture("messy-bare-array.json"));
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(stamp(&s), before, "nothing written");

    // Local fields, set here, survive a newer file.
    s.conn()
        .execute_batch(
            "UPDATE service SET accepting_referrals = 0, local_notes = 'Full until spring', capacity_places = 6,
             capacity_period = 'week', waiting_list = 4 WHERE source_id = '201';",
        )
        .unwrap();
    let newer = dir.path().join("newer.json");
    let body = std::fs::read_to_string(fixture("messy-bare-array.json"))
        .unwrap()
        .replace("Woodwork, tea", "Woodwork, metalwork, tea");
    std::fs::write(&newer, body).unwrap();
    let c = import(&mut s, &newer);
    assert_eq!((c.imported, c.updated, c.unchanged), (0, 1, 2));
    let (desc, accepting, notes, places, waiting): (String, bool, String, i64, i64) = s
        .conn()
        .query_row(
            "SELECT description, accepting_referrals, local_notes, capacity_places, waiting_list FROM service WHERE source_id = '201'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert!(desc.contains("metalwork"));
    assert_eq!((accepting, notes.as_str(), places, waiting), (false, "Full until spring", 6, 4));
}

#[test]
fn a_file_that_fails_midway_leaves_the_directory_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let o = cli(&db, &["services", "import", fixture("messy-v1-paged.json").to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let count = || -> i64 {
        rusqlite::Connection::open(&db).unwrap().query_row("SELECT count(*) FROM service", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(count(), 2);
    // The database refuses the third service of the next file. (A linkwork
    // opening a database with a trigger it does not know refuses it, so the
    // trigger is added under a store already open.)
    let mut store = linkwork::storage::Store::open(&db, Some("Tester")).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TRIGGER poison BEFORE INSERT ON service WHEN new.source_id = '203' BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        .unwrap();
    let parsed = linkwork::formats::oruk::parse_file(&fixture("messy-bare-array.json")).unwrap();
    let result = linkwork::storage::directory::import(&mut store, &parsed.services, parsed.skipped, "bare.json");
    assert!(format!("{:#}", result.unwrap_err()).contains("refused"));
    drop(store);
    assert_eq!(count(), 2, "the first two services of the file were not kept either");
    rusqlite::Connection::open(&db).unwrap().execute_batch("DROP TRIGGER poison").unwrap();
    // A file cut off half way is refused before anything is written.
    let cut = dir.path().join("cut.json");
    let body = std::fs::read_to_string(fixture("messy-bare-array.json")).unwrap();
    std::fs::write(&cut, &body[..body.len() / 2]).unwrap();
    let o = cli(&db, &["services", "import", cut.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o.stderr).contains("not valid JSON"), "{}", text(&o.stderr));
    assert_eq!(count(), 2);
}

#[test]
fn cli_reports_counts_and_each_skipped_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let o = cli(
        &db,
        &[
            "services",
            "import",
            fixture("messy-v1-paged.json").to_str().unwrap(),
            fixture("messy-bare-array.json").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("messy-v1-paged.json: 2 imported, 0 updated, 0 unchanged, 4 skipped"), "{out}");
    assert!(out.contains("messy-bare-array.json: 3 imported"), "{out}");
    let err = text(&o.stderr);
    assert!(err.contains("skipped 102: no name") && err.contains("skipped #3: no id"), "{err}");
}

#[test]
fn search_folds_case_and_word_endings_ranks_names_first_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    import(&mut s, &fixture("messy-v1-paged.json"));
    import(&mut s, &fixture("messy-bare-array.json"));
    // "walks" finds "Walking" (Porter stemming), in any case.
    assert_eq!(names(&s, &Search::text("WALKS"))[0], "Riverside Walking Group");
    // A name match ranks above a description match.
    let found = names(&s, &Search::text("walking"));
    assert_eq!(found, vec!["Riverside Walking Group", "Community Gardening"], "{found:?}");
    // Prefixes while typing.
    assert_eq!(names(&s, &Search::text("garde")), vec!["Community Gardening"]);
    // The organisation's name and the categories are searched too.
    assert_eq!(names(&s, &Search::text("ramblers")), vec!["Riverside Walking Group"]);
    assert_eq!(names(&s, &Search::text("peer support")), vec!["Men's Shed"]);
    // Odd input is words, never FTS syntax.
    assert!(names(&s, &Search::text("\"AND OR NOT ( * :")).is_empty());
    // Filters: category, accepting, a client's age.
    let arts = Search { category: Some("arts".into()), ..Default::default() };
    assert_eq!(names(&s, &arts), vec!["Young People's Art Club"]);
    let accepting = Search { accepting_only: true, ..Default::default() };
    assert!(!names(&s, &accepting).contains(&"Debt Advice Drop-in".to_owned()), "temporarily closed");
    let adult = Search { age: Some(40), ..Default::default() };
    let for_adult = names(&s, &adult);
    assert!(!for_adult.contains(&"Young People's Art Club".to_owned()) && for_adult.contains(&"Men's Shed".to_owned()));
    let child = Search { age: Some(12), ..Default::default() };
    assert!(names(&s, &child).contains(&"Young People's Art Club".to_owned()));
    assert_eq!(directory::search_count(s.conn(), &Search::text("walking")).unwrap(), 2);
}

#[test]
fn export_is_open_referral_v3_and_reimports_to_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let o = cli(
        &db,
        &[
            "services",
            "import",
            fixture("messy-v1-paged.json").to_str().unwrap(),
            fixture("messy-bare-array.json").to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let out = dir.path().join("export.json");
    let o = cli(&db, &["services", "export", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(page["total_items"], 5);
    // Ids that are not UUIDs are written as the UUID derived from them (the profile's format).
    let walk = page["contents"].as_array().unwrap().iter().find(|s| s["id"] == oruk::derived_uuid("101")).unwrap();
    assert_eq!(walk["organization"]["name"], "Riverside Ramblers");
    assert_eq!(walk["attributes"][0]["taxonomy_term"]["name"], "Physical activity");
    let other = dir.path().join("other.db");
    let o = cli(&other, &["services", "import", out.to_str().unwrap()]);
    assert!(text(&o.stdout).contains("5 imported"), "{}", text(&o.stdout));
    let a = Store::open(&db, None).unwrap();
    let b = Store::open(&other, None).unwrap();
    assert_eq!(
        oruk::to_v3_page(&directory::export(a.conn()).unwrap(), true),
        oruk::to_v3_page(&directory::export(b.conn()).unwrap(), true)
    );
}

#[test]
fn demand_against_capacity_and_unmet_need() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    assert!(cli(&db, &["demo", "--clients", "300", "--seed", "2"]).status.success());
    let s = Store::open(&db, None).unwrap();
    let today = chrono::Local::now().date_naive();
    // Make one service tiny and busy.
    let id: i64 = s
        .conn()
        .query_row("SELECT service_id FROM prescription GROUP BY service_id ORDER BY count(*) DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    s.conn().execute("UPDATE service SET capacity_places = 0, capacity_period = 'month' WHERE id = ?1", [id]).unwrap();
    s.conn()
        .execute("UPDATE prescription SET sent_at = ?2, state = 'sent', answered_at = NULL WHERE id = (SELECT min(id) FROM prescription WHERE service_id = ?1)", rusqlite::params![id, format!("{}T10:00:00Z", today - chrono::Duration::days(20))])
        .unwrap();
    let d = directory::demand(s.conn(), id, today).unwrap();
    assert!(d.awaiting_answer >= 1 && d.slow_to_answer, "{d:?}");
    let row = directory::search_window(s.conn(), &Search::default(), today, 0, 1000)
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert!(row.slow_to_answer);
    // Marked "no response" when the program starts, it is still waiting: still slow.
    let mut s = s;
    assert!(linkwork::storage::prescriptions::mark_no_response(&mut s, today).unwrap() >= 1);
    let state: String = s
        .conn()
        .query_row(
            "SELECT state FROM prescription WHERE id = (SELECT min(id) FROM prescription WHERE service_id = ?1)",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "no_response");
    assert!(directory::demand(s.conn(), id, today).unwrap().slow_to_answer);
    let row = directory::search_window(s.conn(), &Search::default(), today, 0, 1000)
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert!(row.slow_to_answer);

    let client: i64 = s.conn().query_row("SELECT min(id) FROM client", [], |r| r.get(0)).unwrap();
    let o = cli(
        &db,
        &[
            "unmet",
            "add",
            "--code",
            "transport",
            "--client",
            &client.to_string(),
            "--description",
            "No evening transport to the lunch club",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Whose record it was is said, so a wrong id is seen at once.
    let name: String = s.conn().query_row("SELECT name FROM client WHERE id = ?1", [client], |r| r.get(0)).unwrap();
    assert!(text(&o.stderr).contains(&format!("recorded for {name}")), "{}", text(&o.stderr));
    let o = cli(&db, &["unmet", "add", "--code", "teleportation"]);
    assert!(!o.status.success() && text(&o.stderr).contains("need code: 'teleportation'"), "{}", text(&o.stderr));
    let o = cli(&db, &["unmet", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let transport = rows.as_array().unwrap().iter().find(|r| r["code"] == "transport").unwrap();
    assert!(transport["count"].as_i64().unwrap() >= 1);
}

#[test]
fn the_directory_pane_filters_by_accepting_and_the_clients_age() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    import(&mut s, &fixture("messy-bare-array.json"));
    import(&mut s, &fixture("messy-v1-paged.json"));
    // A 40-year-old in the caseload.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let input = linkwork::domain::intake::ReferralInput {
        nhs_number: "9997654323".into(),
        name: "Forty Years".into(),
        date_of_birth: "1986-01-01".into(),
        reasons: "loneliness".into(),
        received: "2026-11-20".into(),
        ..Default::default()
    };
    let codes = linkwork::storage::referrals::reason_codes(s.conn()).unwrap();
    let valid = linkwork::domain::intake::validate(&input, &codes, today).unwrap();
    linkwork::storage::referrals::add(&mut s, &valid).unwrap();
    let mut app = App::new(s, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |app: &mut App, c: char| app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    key(&mut app, '3');
    assert_eq!(app.state.directory.list.total, 5);
    key(&mut app, 'a');
    assert_eq!(app.state.directory.list.total, 4, "the temporarily closed service is hidden");
    key(&mut app, 'f');
    assert_eq!(app.state.directory.age, Some(40));
    let names: Vec<String> = app.state.directory.list.rows.iter().map(|r| r.name.clone()).collect();
    assert!(!names.contains(&"Young People's Art Club".to_owned()), "{names:?}");
    key(&mut app, 'a');
    key(&mut app, 'f');
    assert_eq!((app.state.directory.list.total, app.state.directory.age), (5, None));
}

#[test]
fn capacity_and_waiting_list_are_set_from_the_directory_and_kept_by_imports() {
    use linkwork::ui::App;
    use linkwork::ui::state::Popup;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let typ = |a: &mut App, s: &str| {
        for c in s.chars() {
            a.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    };
    let clear = |a: &mut App| {
        a.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    };
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    import(&mut s, &fixture("messy-bare-array.json"));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut a = App::new(s, today, Theme { colour: false }, (100, 30), false).unwrap();
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('j'));
    let id = a.state.directory.detail.as_ref().unwrap().row.id;

    key(&mut a, KeyCode::Char('c'));
    typ(&mut a, "lots");
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(&a.state.popup, Some(Popup::Prompt { error: Some(e), .. }) if e.contains("expected places and a period"))
    );
    clear(&mut a);
    typ(&mut a, "12 a month");
    key(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none());
    let d = a.state.directory.detail.as_ref().unwrap();
    assert_eq!((d.row.id, d.capacity_places, d.capacity_period.as_deref()), (id, Some(12), Some("month")));

    key(&mut a, KeyCode::Char('w'));
    typ(&mut a, "3");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.state.directory.detail.as_ref().unwrap().waiting_list, Some(3));
    // The prompt starts from what is set; blank clears it.
    key(&mut a, KeyCode::Char('c'));
    match &a.state.popup {
        Some(Popup::Prompt { input, .. }) => assert_eq!(input.text, "12 a month"),
        other => panic!("{other:?}"),
    }
    key(&mut a, KeyCode::Esc);

    // Audited, and a re-import of the feed leaves the local fields alone.
    let audited: i64 = a
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE table_name = 'service' AND record_id = ?1 AND action = 'update'",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
    drop(a);
    let mut s = Store::open(&dir.path().join("d.db"), None).unwrap();
    directory::import(&mut s, &oruk::parse_file(&fixture("messy-bare-array.json")).unwrap().services, vec![], "again")
        .unwrap();
    let d = directory::detail(s.conn(), id).unwrap().unwrap();
    assert_eq!((d.capacity_places, d.waiting_list), (Some(12), Some(3)));
}

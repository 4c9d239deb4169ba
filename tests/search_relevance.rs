//! Search relevance: a judged set of what Link Workers type, against a fixture
//! directory of 50 invented services, scored by mean reciprocal rank (MRR: the
//! mean over queries of 1 / the rank of the first relevant service, 0 when
//! none is in the first 10). The score must stay above a floor set from the
//! first measurement (BENCHMARKS.md has it before and after this work).

use std::path::Path;

use linkwork::formats::oruk;
use linkwork::storage::Store;
use linkwork::storage::directory::{self, Search};

/// (what is typed, the services a Link Worker would want from it)
const JUDGED: &[(&str, &[&str])] = &[
    ("housing", &["Housing Advice", "Tenant and Landlord Mediation", "Damp Home Repairs Service"]),
    ("mould", &["Damp Home Repairs Service", "Housing Advice"]),
    ("mold", &["Damp Home Repairs Service", "Housing Advice"]),
    ("damp", &["Damp Home Repairs Service"]),
    ("grief", &["Bereavement Support Group", "Cruse Listening Service"]),
    ("bereavment", &["Bereavement Support Group", "Cruse Listening Service"]),
    ("singing", &["Community Choir", "Silver Voices Choir", "Sing for Your Lungs Choir"]),
    ("choir", &["Community Choir", "Silver Voices Choir", "Sing for Your Lungs Choir"]),
    ("dementa", &["Memory Cafe", "Dementia Carers Support"]),
    ("dementia", &["Memory Cafe", "Dementia Carers Support"]),
    ("memory", &["Memory Cafe", "Dementia Carers Support"]),
    ("alotment", &["Community Allotment"]),
    ("allotment", &["Community Allotment"]),
    ("gardening", &["Therapeutic Gardening", "Community Allotment"]),
    ("lonely", &["Telephone Befriending", "Good Neighbours Scheme", "Friendship Cafe"]),
    ("loneliness", &["Telephone Befriending", "Good Neighbours Scheme", "Friendship Cafe"]),
    ("isolated", &["Telephone Befriending", "Good Neighbours Scheme", "Friendship Cafe"]),
    ("befriending", &["Telephone Befriending", "Good Neighbours Scheme"]),
    ("debt", &["Debt Advice Clinic", "Money Matters Drop-in"]),
    ("money advice", &["Money Matters Drop-in", "Debt Advice Clinic", "Benefits Check Service"]),
    ("benefits", &["Benefits Check Service"]),
    ("carer", &["Carers' Centre", "Young Carers Group", "Dementia Carers Support"]),
    ("young carers", &["Young Carers Group"]),
    ("exercise", &["Chair-Based Exercise", "Strength and Balance Class"]),
    ("walking", &["Health Walks", "Nordic Walking Group"]),
    ("walki", &["Nordic Walking Group", "Health Walks"]),
    ("swimming", &["Swim for Health"]),
    ("falls", &["Strength and Balance Class"]),
    ("tai chi", &["Tai Chi in the Park"]),
    ("yoga", &["Yoga for Beginners"]),
    ("anxiety", &["Anxiety Peer Support", "Talking Therapies"]),
    ("depression", &["Talking Therapies"]),
    ("counselling", &["Talking Therapies", "Relate Relationship Counselling"]),
    ("men's shed", &["Men's Shed"]),
    ("art", &["Arts on Prescription", "Pottery for Wellbeing"]),
    ("pottery", &["Pottery for Wellbeing"]),
    ("food bank", &["Food Bank"]),
    ("cooking", &["Community Cooking Club"]),
    ("job", &["Job Club"]),
    ("computer", &["Digital Skills Drop-in"]),
    ("transport", &["Community Transport"]),
    ("alcohol", &["Alcohol Support Service"]),
    ("diabetes", &["Diabetes Education Course"]),
    ("pain", &["Chronic Pain Group"]),
    ("smoking", &["Stop Smoking Service"]),
    ("warm space", &["Hawkes House Warm Space"]),
    ("care home", &["Katherine House"]),
];

/// Set from the first measurement of this search (1.000 over the 47 queries;
/// before this work the directory scored 0.862 on the same set, finding nothing
/// for mold, grief, alotment and loneliness): a change that ranks worse fails.
const MRR_FLOOR: f64 = 0.95;

fn directory() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db"), Some("T")).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oruk/relevance-directory.json");
    let parsed = oruk::parse_file(&file).unwrap();
    directory::import(&mut store, &parsed.services, parsed.skipped, "test").unwrap();
    (dir, store)
}

fn names(store: &Store, text: &str) -> Vec<String> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    directory::search_window(store.conn(), &Search::text(text), today, 0, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

#[test]
fn mean_reciprocal_rank_of_the_judged_queries_stays_above_its_floor() {
    let (_dir, store) = directory();
    assert!(JUDGED.len() >= 30);
    let mut total = 0.0;
    let mut misses = Vec::new();
    for (query, relevant) in JUDGED {
        let found = names(&store, query);
        let rank = found.iter().position(|n| relevant.contains(&n.as_str()));
        total += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        if rank != Some(0) {
            misses.push(format!("{query}: {:?} -> {found:?}", rank.map(|r| r + 1)));
        }
    }
    let mrr = total / JUDGED.len() as f64;
    println!("MRR over {} judged queries: {mrr:.3}", JUDGED.len());
    for m in &misses {
        println!("  not first: {m}");
    }
    assert!(mrr >= MRR_FLOOR, "MRR {mrr:.3} is below the floor {MRR_FLOOR}:\n{}", misses.join("\n"));
}

#[test]
fn an_exact_word_in_the_name_outranks_a_stem_and_a_description() {
    let (_dir, store) = directory();
    let found = names(&store, "housing");
    assert_eq!(found[0], "Housing Advice", "{found:?}");
    let advice = found.iter().position(|n| n == "Housing Advice").unwrap();
    for stem_only in ["Hawkes House Warm Space", "Katherine House"] {
        assert!(found.iter().position(|n| n == stem_only).is_none_or(|p| p > advice), "{found:?}");
    }
    // A category match ("Housing") ranks above a word deep in a description.
    let mediation = found.iter().position(|n| n == "Tenant and Landlord Mediation").unwrap();
    let benefits_in_description = found.iter().position(|n| n == "Housebound Library Service");
    assert!(benefits_in_description.is_none_or(|p| p > mediation), "{found:?}");
}

#[test]
fn a_synonym_is_used_only_when_the_word_finds_nothing_and_the_search_says_so() {
    let (_dir, store) = directory();
    let found = directory::find(store.conn(), &Search::text("mould")).unwrap();
    let rows = directory::rows(store.conn(), &found.ids, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).unwrap();
    let found_names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert!(!found_names.contains(&"TV Wall Mounting"), "no silent widening to mou*: {found_names:?}");
    assert_eq!(found_names.first(), Some(&"Damp Home Repairs Service"), "{found_names:?}");
    assert_eq!(
        found.note.as_deref(),
        Some("no service mentions mould; showing services for damp and housing conditions")
    );
    // A word services do use is searched as it is, and nothing is said.
    let choir = directory::find(store.conn(), &Search::text("choir")).unwrap();
    assert_eq!((choir.ids.len(), choir.note), (3, None));
    // "Moulding" starts with "mould": typing "mould" is not a prefix search of it
    // once the word is complete? It is the word being typed, so it is, and that
    // is what was typed: no note.
    let moulding = directory::find(store.conn(), &Search::text("mouldi")).unwrap();
    assert_eq!((moulding.ids.len(), moulding.note), (1, None));
}

#[test]
fn close_spellings_are_found_after_exact_and_stemmed_words_and_said() {
    let (_dir, store) = directory();
    // "bereavment" and "bereavement" share their stem (bereav): found as a word
    // ending, like "walks" for "walking", with nothing to say.
    assert_eq!(names(&store, "bereavment")[0], "Bereavement Support Group");
    for (typed, meant, first) in [
        ("bereavmnt", "bereavement", "Bereavement Support Group"),
        ("dementa", "dementia", "Dementia Carers Support"),
        ("alotment", "allotment", "Community Allotment"),
    ] {
        let found = directory::find(store.conn(), &Search::text(typed)).unwrap();
        let note = found.note.unwrap_or_default();
        assert!(note.contains(&format!("no service mentions {typed}; showing close spellings: {meant}")), "{note}");
        assert_eq!(names(&store, typed)[0], first, "{typed}");
    }
    // Short words are never taken as typos of others.
    assert!(names(&store, "yogi").is_empty());
}

#[test]
fn the_thesaurus_is_data_edited_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("LINKWORK_WORKER", "T")
            .env_remove("LINKWORK_DB")
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oruk/relevance-directory.json");
    assert!(run(&["services", "import", file.to_str().unwrap()]).0);
    let (ok, out, _) = run(&["services", "synonyms"]);
    assert!(ok && out.contains("grief: bereaved, bereavement") && out.contains("singing: choir"), "{out}");
    // "clay" is a word services use; "ceramics" is not: until the thesaurus says.
    let (_, out, err) = run(&["services", "list", "--search", "ceramics"]);
    assert!(out.trim().is_empty() && err.contains("no service mentions ceramics"), "{out} {err}");
    let (ok, out, _) = run(&["services", "synonyms", "add", "Ceramics", "pottery", "clay"]);
    assert!(ok && out.contains("2 alternatives added"), "{out}");
    let (_, out, err) = run(&["services", "list", "--search", "ceramics"]);
    assert!(out.contains("Pottery for Wellbeing"), "{out}");
    assert!(err.contains("no service mentions ceramics; showing services for clay and pottery"), "{err}");
    let (ok, _, _) = run(&["services", "synonyms", "remove", "ceramics", "clay"]);
    assert!(ok);
    let (_, out, _) = run(&["services", "synonyms", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ceramics"], serde_json::json!(["pottery"]));
    let (ok, _, err) = run(&["services", "synonyms", "add", "x;drop", "y"]);
    assert!(!ok && err.contains("only letters"), "{err}");
    let (_, out, _) = run(&["audit"]);
    assert!(out.contains("thesaurus: ceramics -> pottery, clay"), "{out}");
}

#[test]
fn the_directory_pane_says_when_a_synonym_or_a_close_spelling_is_used() {
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (_dir, store) = directory();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut app = App::new(store, today, Theme { colour: false }, (100, 30), false).unwrap();
    let key = |app: &mut App, k: KeyCode| app.handle_key(&KeyEvent::new(k, KeyModifiers::NONE));
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('/'));
    for c in "grief".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let d = &app.state.directory;
    assert_eq!(d.note.as_deref(), Some("no service mentions grief; showing services for bereaved and bereavement"));
    assert_eq!(d.list.rows.first().map(|r| r.name.as_str()), Some("Bereavement Support Group"));
    let backend = ratatui::backend::TestBackend::new(100, 30);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(|f| linkwork::ui::draw::draw(f, &app.state)).unwrap();
    let screen: String = terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("no service mentions grief"), "{screen}");
    // Typing on: a word services use clears the note.
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace);
    }
    for c in "choir".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.state.directory.note, None);
    assert_eq!(app.state.directory.list.total, 3);
}

#[test]
fn a_directory_from_before_the_thesaurus_is_searchable_after_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(include_str!("../src/storage/schema-v1.sql")).unwrap();
        c.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO organisation (id, source_id, name, updated_at) VALUES (1, 'o1', 'Fictional Hospice', '2026-01-01');
             INSERT INTO service (source_id, organisation_id, name, description, categories, created_at, updated_at)
             VALUES ('s1', 1, 'Bereavement Group', 'For those who have lost someone.', 'Bereavement', '2026-01-01', '2026-01-01');",
        )
        .unwrap();
    }
    let store = Store::open(&path, Some("T")).unwrap();
    assert!(store.check().unwrap().is_empty());
    let found = directory::find(store.conn(), &Search::text("grief")).unwrap();
    assert_eq!(found.ids.len(), 1, "{found:?}");
    assert!(
        found.note.unwrap().starts_with("no service mentions grief; showing services for bereaved and bereavement")
    );
    // The exact word index was filled from the services already there.
    let exact: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM service_words WHERE service_words MATCH 'hospice'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(exact, 1);
}

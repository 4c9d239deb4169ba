//! Open Referral UK both ways, exactly: the export validates against the UK
//! profile's own JSON Schemas (format checks on) and carries only profile fields,
//! nested ids are stable, and an import keeps what a record does not speak of.

use std::path::{Path, PathBuf};

use linkwork::formats::oruk;
use linkwork::storage::Store;
use linkwork::storage::directory;
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oruk").join(name)
}

fn schema(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(&format!("schema/{name}"))).unwrap()).unwrap()
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::options().should_validate_formats(true).build(&schema(name)).unwrap()
}

fn store(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name), Some("T")).unwrap()
}

fn import(store: &mut Store, file: &Path) -> directory::ImportCounts {
    let parsed = oruk::parse_file(file).unwrap();
    directory::import_with_organisations(store, &parsed.services, &parsed.organisations, parsed.skipped, "test")
        .unwrap()
}

/// Every error of `value` against `v`, as text.
fn errors(v: &jsonschema::Validator, value: &Value) -> Vec<String> {
    v.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// Keys of `value` that its schema does not define, with their paths.
fn not_in_profile(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            let props = &schema["properties"];
            for (k, v) in m {
                match props.get(k) {
                    None => out.push(format!("{path}/{k}")),
                    Some(s) => not_in_profile(s, v, &format!("{path}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                not_in_profile(&schema["items"], v, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The page validates as a page; each of its services as a full service or a
/// list item, with only the profile's fields.
fn assert_exact(page: &Value, full: bool, what: &str) {
    let page_errors = errors(&validator("page.json"), page);
    assert!(page_errors.is_empty(), "{what}: {page_errors:?}");
    let name = if full { "service.json" } else { "service_list.json" };
    let (v, s) = (validator(name), schema(name));
    let items = page["contents"].as_array().unwrap();
    assert!(!items.is_empty(), "{what}: nothing exported");
    for item in items {
        let e = errors(&v, item);
        assert!(e.is_empty(), "{what}: {} fails {name}: {e:?}\n{item:#}", item["name"]);
        let mut extra = Vec::new();
        not_in_profile(&s, item, "", &mut extra);
        assert!(extra.is_empty(), "{what}: not profile fields: {extra:?}");
    }
}

fn demo_store(dir: &tempfile::TempDir) -> Store {
    let mut s = store(dir, "demo.db");
    linkwork::demo::generate(
        &mut s,
        &linkwork::demo::DemoOptions {
            clients: 10,
            seed: 7,
            weeks: 4,
            today: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        },
    )
    .unwrap();
    s
}

#[test]
fn the_export_validates_against_the_uk_profile_for_the_demo_and_both_shapes_of_real_feed() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_store(&dir);
    let mut v3 = store(&dir, "v3.db");
    import(&mut v3, &fixture("council-v3-shape.json"));
    import(&mut v3, &fixture("uk-profile-service_full.json"));
    let mut v1 = store(&dir, "v1.db");
    import(&mut v1, &fixture("messy-v1-paged.json"));
    import(&mut v1, &fixture("messy-bare-array.json"));
    for (what, s) in [("demo", &demo), ("v3 feed", &v3), ("v1 feed", &v1)] {
        let services = directory::export(s.conn()).unwrap();
        assert_exact(&oruk::to_v3_page(&services, true), true, what);
        assert_exact(&oruk::to_v3_page(&services, false), false, what);
    }
    // The checks bite: formats are checked, required fields required.
    let v = validator("service_list.json");
    assert!(!errors(&v, &json!({"id": "101", "name": "x", "status": "active"})).is_empty(), "uuid format");
    assert!(
        !errors(&v, &json!({"id": oruk::derived_uuid("x"), "name": "x", "status": "active", "email": "no"})).is_empty()
    );
    let org_without_description = json!({"id": oruk::derived_uuid("x"), "name": "x", "status": "active",
        "organization": {"id": oruk::derived_uuid("o"), "name": "o"}});
    assert!(!errors(&v, &org_without_description).is_empty());
    // The organisation with an empty description still has the field.
    let page = oruk::to_v3_page(&directory::export(v3.conn()).unwrap(), false);
    let housing = page["contents"].as_array().unwrap().iter().find(|s| s["name"] == "Housing Advice").unwrap();
    assert_eq!(housing["organization"]["description"], "");
    assert_eq!(housing["url"], "https://www.housing-advice.example");
    assert_eq!(housing["last_modified"], "2025-06-01T00:00:00Z");
    let warm = page["contents"].as_array().unwrap().iter().find(|s| s["name"] == "Hawkes House Warm Space").unwrap();
    assert!(warm.get("email").is_none() && warm.get("url").is_none(), "invalid values are left out: {warm}");
}

#[test]
fn the_cli_export_is_exact_in_full_and_as_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("LINKWORK_WORKER", "T")
            .env_remove("LINKWORK_DB")
            .output()
            .unwrap()
    };
    assert!(run(&["services", "import", fixture("council-v3-shape.json").to_str().unwrap()]).status.success());
    let full = run(&["services", "export"]);
    assert!(full.status.success());
    assert_exact(&serde_json::from_slice(&full.stdout).unwrap(), true, "cli full");
    let list = run(&["services", "export", "--list"]);
    assert_exact(&serde_json::from_slice(&list.stdout).unwrap(), false, "cli list");
}

/// Every `id` in a value, with its path.
fn ids(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "id" {
                    out.push((path.to_owned(), x.as_str().unwrap_or_default().to_owned()));
                }
                ids(x, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, x)| ids(x, &format!("{path}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn nested_ids_are_stable_across_exports_and_a_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = store(&dir, "a.db");
    import(&mut a, &fixture("messy-v1-paged.json"));
    import(&mut a, &fixture("council-v3-shape.json"));
    let first = oruk::to_v3_page(&directory::export(a.conn()).unwrap(), true);
    let second = oruk::to_v3_page(&directory::export(a.conn()).unwrap(), true);
    assert_eq!(first, second);
    let mut found = Vec::new();
    ids(&first, "", &mut found);
    let nested: Vec<_> = found.iter().filter(|(p, _)| p.matches('/').count() > 2).collect();
    assert!(nested.len() > 10, "{nested:?}");
    assert!(found.iter().all(|(_, id)| oruk::is_uuid(id)), "{found:?}");
    // Through a file into another database and out again: the same document.
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_vec(&first).unwrap()).unwrap();
    let mut b = store(&dir, "b.db");
    let c = import(&mut b, &file);
    assert_eq!((c.imported, c.skipped.len()), (first["total_items"].as_u64().unwrap() as usize, 0));
    assert_eq!(oruk::to_v3_page(&directory::export(b.conn()).unwrap(), true), first);
    // Our own export imported where it came from finds the same services.
    // (the first time, web addresses and times written the profile's way are updates)
    let c = import(&mut a, &file);
    assert_eq!(c.imported, 0, "{c:?}");
    let c = import(&mut a, &file);
    assert_eq!((c.imported, c.updated), (0, 0), "{c:?}");
}

fn one(store: &Store) -> linkwork::domain::directory::Service {
    let mut all = directory::export(store.conn()).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn a_list_item_after_the_full_service_keeps_what_it_does_not_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.db");
    import(&mut s, &fixture("uk-profile-service_full.json"));
    let full = one(&s);
    assert!(full.address.is_some() && full.postcode.is_some() && full.schedule.is_some());
    assert!(!full.categories.is_empty());
    let c = import(&mut s, &fixture("uk-profile-service_list.json"));
    assert_eq!((c.imported, c.updated, c.unchanged), (0, 0, 1), "{c:?}");
    let after = one(&s);
    assert_eq!(after, full);
    // An explicit empty value clears; a newer full record replaces.
    let file = dir.path().join("cleared.json");
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(fixture("uk-profile-service_full.json")).unwrap()).unwrap();
    doc["schedules"] = json!([]);
    doc["description"] = Value::Null;
    doc["name"] = json!("Community Counselling (new name)");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let c = import(&mut s, &file);
    assert_eq!(c.updated, 1);
    let cleared = one(&s);
    assert_eq!((cleared.schedule, cleared.description), (None, None));
    assert_eq!(cleared.name, "Community Counselling (new name)");
    assert_eq!((cleared.address, cleared.postcode), (full.address, full.postcode));
}

#[test]
fn a_csv_without_a_column_keeps_that_field_and_an_empty_cell_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.db");
    import(&mut s, &fixture("uk-profile-service_full.json"));
    let full = one(&s);
    let csv = dir.path().join("services.csv");
    std::fs::write(&csv, "id,name,url\nac148810-d857-441c-9679-408f346de14b,Community Counselling,\n").unwrap();
    let c = import(&mut s, &csv);
    assert_eq!(c.updated, 1, "{c:?}");
    let after = one(&s);
    assert_eq!(after.url, None, "an empty cell says: no web address");
    assert_eq!(
        (after.description, after.email, after.address, after.schedule, after.min_age, after.organisation),
        (full.description, full.email, full.address, full.schedule, full.min_age, full.organisation)
    );
}

#[test]
fn organisations_csv_alone_adds_organisations_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.db");
    let csv = dir.path().join("organizations.csv");
    std::fs::copy(fixture("uk-profile-organizations.csv"), &csv).unwrap();
    let c = import(&mut s, &csv);
    assert_eq!((c.imported, c.organisations), (0, 1), "{c:?}");
    assert!(directory::export(s.conn()).unwrap().is_empty());
    let (name, description): (String, Option<String>) = s
        .conn()
        .query_row(
            "SELECT name, description FROM organisation WHERE source_id = 'd9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(name, "Example Organization Inc.");
    assert!(description.unwrap().starts_with("Example Org is a non-profit"));
    // Its services, imported after, are under it.
    let services = dir.path().join("services.csv");
    std::fs::copy(fixture("uk-profile-services.csv"), &services).unwrap();
    import(&mut s, &services);
    assert_eq!(one(&s).organisation.unwrap().name, "Example Organization Inc.");
    // Through the command line, the report says what was added.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linkwork"))
        .args(["--db", dir.path().join("cli.db").to_str().unwrap(), "services", "import", csv.to_str().unwrap()])
        .env("LINKWORK_WORKER", "T")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("1 organisations added or updated") && out.contains("0 imported"),
        "{out}"
    );
}

#[test]
fn organisation_phone_numbers_are_kept_when_a_later_record_does_not_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.db");
    let file = dir.path().join("with-phone.json");
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(fixture("uk-profile-service_full.json")).unwrap()).unwrap();
    doc["organization"]["phones"] = json!([{ "number": "01632 960000" }]);
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    import(&mut s, &file);
    import(&mut s, &fixture("uk-profile-service_list.json"));
    assert_eq!(one(&s).organisation.unwrap().phone.as_deref(), Some("01632 960000"));
}

#[test]
fn a_json_file_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(fixture("uk-profile-service_list.json")).unwrap());
    std::fs::write(&file, bytes).unwrap();
    let parsed = oruk::parse_file(&file).unwrap();
    assert_eq!(parsed.services.len(), 1);
}

//! The weekly summary, checked number by number on a small dataset built through
//! the command line: referrals received in two weeks, triage decisions, contacts,
//! measures, prescriptions and their hand-over, an unmet need. Everything the
//! command line stamps with "now" lands in the current ISO week, so that is the
//! week summarised; the dates the test chooses are relative to it.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Datelike, Duration, NaiveDate};
use linkwork::domain::measures::swemwbs_metric;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

fn run(db: &Path, args: &[&str]) -> Output {
    let o =
        Command::new(BIN).args(args).env("LINKWORK_DB", db).env("LINKWORK_WORKER", "Summary Tester").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn out(db: &Path, args: &[&str]) -> String {
    String::from_utf8(run(db, args).stdout).unwrap()
}

struct Days {
    today: NaiveDate,
    monday: NaiveDate,
    week: String,
    last_week: String,
}

fn days() -> Days {
    let today = chrono::Local::now().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let label = |d: NaiveDate| format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week());
    Days { today, monday, week: label(monday), last_week: label(monday - Duration::days(7)) }
}

/// The dataset; returns (service names of ids 1 and 2, first categories of ids 1 and 2).
fn build(db: &Path, d: &Days) -> ([String; 2], [String; 2]) {
    run(db, &["init", "--worker", "Summary Tester"]);
    // This week's follow-ups come days after their baselines: allow it here (the
    // rule and its setting are tested in tests/measures.rs).
    rusqlite::Connection::open(db)
        .unwrap()
        .execute("INSERT INTO setting (key, value) VALUES ('follow_up_min_days', '0')", [])
        .unwrap();
    run(
        db,
        &[
            "services",
            "import",
            "tests/fixtures/oruk/uk-profile-service_list.json",
            "tests/fixtures/oruk/messy-bare-array.json",
        ],
    );
    let last_tuesday = (d.monday - Duration::days(6)).to_string();
    let monday = d.monday.to_string();
    // (NHS number, name, reasons, role, received): client ids 1 to 7 in this order.
    // A practice with its list size, for five of this week's referrals; the
    // services' capacity (local fields an import never touches).
    run(db, &["practice", "set", "--name", "Canal Street Surgery", "--ods", "Y00001", "--list-size", "4000"]);
    run(db, &["services", "set", "1", "--capacity", "10", "--per", "week"]);
    run(db, &["services", "set", "2", "--capacity", "1", "--per", "month"]);
    let people = [
        ("9990000018", "Aled Ap Rhys", "loneliness", "gp", last_tuesday.as_str(), ""),
        ("9990000026", "Bożena Nowak", "loneliness;housing", "gp", monday.as_str(), "Canal Street Surgery"),
        ("9990000034", "Chidi Okafor", "money", "nurse", monday.as_str(), "canal street surgery"),
        ("9990000042", "Dilnoza Karimova", "loneliness", "self", monday.as_str(), "Y00001"),
        ("9990000050", "Eilidh Ross", "bereavement", "gp", monday.as_str(), "Canal Street Surgery"),
        ("9990000069", "Farhan Qureshi", "loneliness", "pharmacist", monday.as_str(), "Canal Street Surgery"),
        ("9990000077", "Gwen Hughes", "loneliness", "gp", monday.as_str(), ""),
    ];
    for (nhs, name, reason, role, received, practice) in people {
        let mut args = vec![
            "referral",
            "add",
            "--nhs",
            nhs,
            "--name",
            name,
            "--dob",
            "1955-05-05",
            "--reason",
            reason,
            "--referrer-role",
            role,
            "--received",
            received,
        ];
        if !practice.is_empty() {
            args.extend(["--practice", practice]);
        }
        run(db, &args);
    }
    // Triage: three reached (first contacts), one no answer; one of those reached declined (closed).
    run(db, &["referral", "decide", "1", "reached"]);
    run(db, &["referral", "decide", "2", "reached"]);
    run(db, &["referral", "decide", "3", "no_answer"]);
    run(db, &["referral", "decide", "5", "reached"]);
    run(db, &["referral", "decide", "5", "decline", "Not ready just now"]);
    // Contacts and sessions: one face to face, one group session not attended.
    let today = d.today.to_string();
    run(db, &["contact", "add", "--client", "1", "--kind", "face_to_face", "--when", &today, "--minutes", "45"]);
    run(db, &["contact", "add", "--client", "1", "--kind", "group", "--when", &today, "--dna"]);
    // Measures: ONS4 baseline and follow-up for two people, SWEMWBS for one.
    run(
        db,
        &["measure", "add", "--client", "1", "--instrument", "ons4", "--items", "5,5,5,6", "--when", &last_tuesday],
    );
    run(db, &["measure", "add", "--client", "1", "--instrument", "ons4", "--items", "7,6,8,2", "--follow-up"]);
    run(db, &["measure", "add", "--client", "2", "--instrument", "ons4", "--items", "4,4,4,8", "--when", &monday]);
    run(db, &["measure", "add", "--client", "2", "--instrument", "ons4", "--items", "6,6,6,4", "--follow-up"]);
    run(
        db,
        &[
            "measure",
            "add",
            "--client",
            "1",
            "--instrument",
            "swemwbs",
            "--items",
            "3,3,3,3,3,3,3",
            "--when",
            &last_tuesday,
        ],
    );
    run(db, &["measure", "add", "--client", "1", "--instrument", "swemwbs", "--items", "4,4,4,4,4,4,4", "--follow-up"]);
    // Prescriptions: exported (sent) then accepted; sent then declined; sent; a draft without consent.
    run(db, &["prescribe", "--client", "1", "--service", "1", "--consent", "verbal"]);
    let dir = db.parent().unwrap();
    run(db, &["export", "referral", "1", "--out", dir.join("r1.json").to_str().unwrap()]);
    run(db, &["prescribe", "--set-state", "1", "accepted"]);
    run(db, &["prescribe", "--client", "2", "--service", "1", "--consent", "written"]);
    run(db, &["prescribe", "--set-state", "2", "sent"]);
    run(db, &["prescribe", "--set-state", "2", "declined", "--reason", "Full"]);
    run(db, &["prescribe", "--client", "4", "--service", "2", "--consent", "verbal"]);
    run(db, &["prescribe", "--set-state", "3", "sent"]);
    run(db, &["prescribe", "--client", "3", "--service", "2"]);
    run(db, &["unmet", "add", "--code", "transport", "--client", "3", "--description", "No bus in the evening"]);

    let conn = rusqlite::Connection::open(db).unwrap();
    let name =
        |id: i64| -> String { conn.query_row("SELECT name FROM service WHERE id = ?1", [id], |r| r.get(0)).unwrap() };
    let category = |id: i64| -> String {
        let c: Option<String> =
            conn.query_row("SELECT categories FROM service WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        c.and_then(|c| c.split(';').map(|s| s.trim().to_owned()).find(|s| !s.is_empty()))
            .unwrap_or_else(|| "uncategorised".to_owned())
    };
    ([name(1), name(2)], [category(1), category(2)])
}

/// Every CSV row against the JSON of the same summary: the same figure, written
/// the same way (a number as JSON writes it, null as an empty cell).
fn csv_matches_json(csv: &str, json: &Value) {
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut rows = 0;
    for r in csv::Reader::from_reader(csv.as_bytes()).records() {
        let r = r.unwrap();
        let (section, measure, breakdown, value) = (&r[0], &r[1], &r[2], &r[3]);
        let expected = match (section, measure, breakdown) {
            ("period", "suppressed", _) => json["suppressed"].clone(),
            ("period", "method", _) => json["method"].clone(),
            ("period", m, _) => json["period"][m].clone(),
            ("wellbeing", m, "mean_change") => json["wellbeing"][m]["value"].clone(),
            ("wellbeing", m, b) => json["wellbeing"][m][b].clone(),
            ("services_over_capacity", m, service) => json["services_over_capacity"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["service"] == service)
                .unwrap_or_else(|| panic!("no service {service}"))[m]
                .clone(),
            ("indicator", "people", _) => json["indicator"]["people"].clone(),
            (s, m, "") => json[s][m].clone(),
            (s, m, b) => json[s][m][b].clone(),
        };
        let expected = text(&expected);
        match (value.parse::<f64>(), expected.parse::<f64>()) {
            // 0 and 0.0, 2 and 2.0: the same number.
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{section},{measure},{breakdown}"),
            _ => assert_eq!(value, expected, "{section},{measure},{breakdown}"),
        }
        rows += 1;
    }
    assert!(rows > 40, "{rows} rows");
}

/// Every breakdown cell of the JSON stands in the Markdown's tables.
fn markdown_has_every_breakdown(md: &str, json: &Value) {
    for (section, measure) in [
        ("referrals", "by_reason"),
        ("referrals", "by_referrer_role"),
        ("referrals", "by_practice"),
        ("contacts", "by_kind"),
        ("prescriptions", "by_service"),
        ("prescriptions", "by_category"),
        ("closed", "by_outcome"),
        ("unmet_needs", "by_code"),
    ] {
        for (k, v) in json[section][measure].as_object().unwrap() {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            let line = format!("| {} | {v} |", k.replace('_', " "));
            assert!(md.contains(&line), "missing {line:?} ({section}.{measure}) in\n{md}");
        }
    }
}

/// A breakdown as the JSON has it.
fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

#[test]
fn every_number_of_a_week_in_every_format_with_and_without_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = days();
    let (services, categories) = build(&db, &d);
    let to_contact = (d.today - d.monday).num_days() as f64;
    let median_first_contact = to_contact; // of to_contact + 6, to_contact and to_contact
    let swemwbs_change = ((swemwbs_metric(28).unwrap() - swemwbs_metric(21).unwrap()) * 100.0).round() / 100.0;
    let by_service = if services[0] == services[1] {
        object(&[(services[0].as_str(), json!(3))])
    } else {
        object(&[(services[0].as_str(), json!(2)), (services[1].as_str(), json!(1))])
    };
    let mut cats = std::collections::BTreeMap::<&str, i64>::new();
    *cats.entry(&categories[0]).or_default() += 2;
    *cats.entry(&categories[1]).or_default() += 1;
    let by_category = Value::Object(cats.iter().map(|(k, v)| (k.to_string(), json!(v))).collect());

    let s: Value = serde_json::from_str(&out(&db, &["summary", "--week", &d.week, "--format", "json"])).unwrap();
    let sunday = d.monday + Duration::days(6);
    assert_eq!(s["period"], json!({"from": d.monday.to_string(), "to": sunday.to_string(), "week": d.week}));
    assert_eq!(s["suppressed"], false);
    assert_eq!(s["referrals"]["new"], 6);
    assert_eq!(s["referrals"]["by_reason"], json!({"loneliness": 4, "bereavement": 1, "housing": 1, "money": 1}));
    assert_eq!(s["referrals"]["by_referrer_role"], json!({"gp": 3, "nurse": 1, "pharmacist": 1, "self": 1}));
    assert_eq!(s["referrals"]["by_practice"], json!({"Canal Street Surgery": 5, "not recorded": 1}));
    assert_eq!(s["first_contacts"], json!({"made": 3, "median_days": median_first_contact}));
    assert_eq!(s["assessments"], json!({"done": 0}));
    assert_eq!(
        s["contacts"],
        json!({"total": 6, "by_kind": {"phone": 4, "face_to_face": 1, "group": 1}, "did_not_attend": 1})
    );
    assert_eq!(s["prescriptions"]["sent"], 3);
    assert_eq!(s["prescriptions"]["by_service"], by_service);
    assert_eq!(s["prescriptions"]["by_category"], by_category);
    assert_eq!(
        s["answers"],
        json!({"total": 2, "accepted": 1, "declined": 1, "no_response": 0, "median_days_to_answer": 0.0})
    );
    assert_eq!(s["closed"], json!({"total": 1, "by_outcome": {"declined": 1}}));
    assert_eq!(s["caseload"], json!({"active_at_end": 6, "waiting_first_contact": 4}));
    assert_eq!(
        s["wellbeing"],
        json!({
            "ons4": {"n": 2, "life_satisfaction": 2.0, "worthwhile": 1.5, "happiness": 2.5, "anxiety": -4.0},
            "swemwbs_metric": {"n": 1, "value": swemwbs_change},
            "ucla3": {"n": 0, "value": null}
        })
    );
    assert_eq!(s["unmet_needs"], json!({"total": 1, "by_code": {"transport": 1}}));
    // Service 2 has 1 place a month: 1 * 7 / 30.44 places in a week, and 1 sent.
    assert_eq!(s["services_over_capacity"], json!([{"service": services[1], "sent": 1, "places": 0.23}]));
    assert_eq!(
        s["indicator"],
        json!({"code": "871731000000106", "people": 6, "registered_patients": 4000, "per_1000": 1.25})
    );

    // The week before: only Aled's referral was received then.
    let before: Value =
        serde_json::from_str(&out(&db, &["summary", "--week", &d.last_week, "--format", "json"])).unwrap();
    assert_eq!(before["referrals"]["new"], 1);
    assert_eq!(before["referrals"]["by_reason"], json!({"loneliness": 1}));
    assert_eq!(before["caseload"], json!({"active_at_end": 1, "waiting_first_contact": 1}));
    assert_eq!(before["prescriptions"]["sent"], 0);

    // Disclosure control (NHS Digital's method): 1 to 7 become "*", the rest are
    // rounded to the nearest 5, rows shown as "*" are listed by name. The referrer
    // roles (four "*" rows, at most 28) could be pinned by a total of 30, so the
    // total of new referrals is withheld.
    let s: Value =
        serde_json::from_str(&out(&db, &["summary", "--week", &d.week, "--format", "json", "--suppress-small"]))
            .unwrap();
    let star = json!("*");
    assert_eq!(s["suppressed"], true);
    assert!(s["method"].as_str().unwrap().starts_with("NHS Digital HES/ECDS disclosure control"), "{}", s["method"]);
    assert_eq!(s["referrals"]["new"], "withheld");
    let by_reason = s["referrals"]["by_reason"].as_object().unwrap();
    assert_eq!(by_reason.keys().collect::<Vec<_>>(), ["bereavement", "housing", "loneliness", "money"], "by name");
    assert!(by_reason.values().all(|v| *v == star));
    assert_eq!(s["referrals"]["by_practice"], json!({"Canal Street Surgery": "*", "not recorded": "*"}));
    assert_eq!(s["first_contacts"], json!({"made": star, "median_days": null}));
    assert_eq!(s["contacts"]["total"], star);
    let kinds = s["contacts"]["by_kind"].as_object().unwrap();
    assert_eq!(kinds.keys().collect::<Vec<_>>(), ["face_to_face", "group", "phone"], "by name, not phone (4) first");
    assert_eq!(s["contacts"]["did_not_attend"], star);
    assert_eq!(s["prescriptions"]["sent"], star);
    assert_eq!(
        s["answers"],
        json!({"total": star, "accepted": star, "declined": star, "no_response": 0, "median_days_to_answer": null})
    );
    assert_eq!(s["closed"], json!({"total": star, "by_outcome": {"declined": star}}));
    assert_eq!(s["caseload"], json!({"active_at_end": star, "waiting_first_contact": star}));
    assert_eq!(s["wellbeing"]["ons4"]["n"], star);
    assert_eq!(s["wellbeing"]["ons4"]["life_satisfaction"], Value::Null);
    assert_eq!(s["wellbeing"]["swemwbs_metric"], json!({"n": star, "value": null}));
    assert_eq!(s["unmet_needs"], json!({"total": star, "by_code": {"transport": star}}));
    // Over capacity is judged on the figure shown: a "*" is not compared.
    assert_eq!(s["services_over_capacity"], json!([]));
    assert_eq!(s["indicator"]["people"], star);
    assert_eq!(s["indicator"]["per_1000"], Value::Null);
    // No count from 1 to 7 survives anywhere, and every other count is a multiple of 5.
    fn no_small(v: &Value, path: &str) {
        match v {
            Value::Number(n)
                if path.contains("per_1000")
                    || path.contains("places")
                    || path.contains("days")
                    || path.contains("registered") =>
            {
                let _ = n;
            }
            Value::Number(n) => assert!(n.as_i64().is_some_and(|n| n % 5 == 0), "{path} = {n}"),
            Value::Object(m) => m.iter().for_each(|(k, v)| no_small(v, &format!("{path}.{k}"))),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| no_small(v, &format!("{path}[{i}]"))),
            _ => {}
        }
    }
    no_small(&s, "");

    // CSV and Markdown: every figure as the JSON has it, with and without suppression.
    for flags in [&[][..], &["--suppress-small"][..]] {
        let args = |format: &str| {
            let mut a = vec!["summary", "--week", d.week.as_str(), "--format"];
            a.push(if format == "json" {
                "json"
            } else if format == "csv" {
                "csv"
            } else {
                "md"
            });
            a.extend_from_slice(flags);
            a.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let call = |format: &str| {
            let a = args(format);
            out(&db, &a.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let json: Value = serde_json::from_str(&call("json")).unwrap();
        csv_matches_json(&call("csv"), &json);
        markdown_has_every_breakdown(&call("md"), &json);
    }

    // CSV: one row per figure, the same numbers.
    let csv = out(&db, &["summary", "--week", &d.week, "--format", "csv"]);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let cell = |section: &str, measure: &str, breakdown: &str| -> String {
        rows.iter()
            .find(|r| r[0] == section && r[1] == measure && r[2] == breakdown)
            .unwrap_or_else(|| panic!("no row {section},{measure},{breakdown}:\n{csv}"))[3]
            .clone()
    };
    assert_eq!(cell("period", "week", ""), d.week);
    assert_eq!(cell("referrals", "new", ""), "6");
    assert_eq!(cell("referrals", "by_reason", "loneliness"), "4");
    assert_eq!(cell("referrals", "by_referrer_role", "gp"), "3");
    assert_eq!(cell("first_contacts", "made", ""), "3");
    assert_eq!(cell("first_contacts", "median_days", ""), median_first_contact.to_string());
    assert_eq!(cell("contacts", "by_kind", "phone"), "4");
    assert_eq!(cell("contacts", "did_not_attend", ""), "1");
    assert_eq!(cell("prescriptions", "sent", ""), "3");
    assert_eq!(cell("answers", "declined", ""), "1");
    assert_eq!(cell("closed", "by_outcome", "declined"), "1");
    assert_eq!(cell("caseload", "active_at_end", ""), "6");
    assert_eq!(cell("caseload", "waiting_first_contact", ""), "4");
    assert_eq!(cell("wellbeing", "ons4", "anxiety"), "-4");
    assert_eq!(cell("wellbeing", "ons4", "worthwhile"), "1.5");
    assert_eq!(cell("unmet_needs", "by_code", "transport"), "1");
    assert_eq!(cell("services_over_capacity", "sent", &services[1]), "1");
    assert_eq!(cell("indicator", "per_1000", ""), "1.25");
    assert!(rows.iter().all(|r| r.len() == 4));
    let csv = out(&db, &["summary", "--week", &d.week, "--format", "csv", "--suppress-small"]);
    assert!(csv.contains("referrals,by_reason,loneliness,*\n"), "{csv}");
    assert!(csv.contains("referrals,by_practice,Canal Street Surgery,*\n"), "{csv}");
    assert!(csv.contains("referrals,new,,withheld\n"), "{csv}");
    assert!(csv.contains("period,method,,\"NHS Digital HES/ECDS disclosure control"), "{csv}");

    // Markdown: headed sections and tables.
    let md = out(&db, &["summary", "--week", &d.week]);
    assert!(md.starts_with(&format!("# Social prescribing summary: {} (", d.week)), "{md}");
    for line in [
        "New referrals: **6**",
        "| loneliness | 4 |",
        "| gp | 3 |",
        "| Canal Street Surgery | 5 |",
        "| first contacts made | 3 |",
        "| face to face | 1 |",
        "| did not attend | 1 |",
        "Sent to services: **3**",
        "| accepted | 1 |",
        "| declined | 1 |",
        "| people with an open episode | 6 |",
        "| of whom waiting for first contact | 4 |",
        "| ONS4 anxiety | 2 | -4 |",
        "| ONS4 worthwhile | 2 | +1.5 |",
        "| transport | 1 |",
        "| per 1,000 registered patients | 1.25 |",
        "## Wellbeing change",
        "## Services over capacity",
    ] {
        assert!(md.contains(line), "missing {line:?} in\n{md}");
    }
    let md = out(&db, &["summary", "--week", &d.week, "--suppress-small"]);
    for line in [
        "| loneliness | * |",
        "| Canal Street Surgery | * |",
        "| ONS4 anxiety | * | * |",
        "New referrals: **withheld**",
        "Disclosure control (NHS Digital's method",
    ] {
        assert!(md.contains(line), "missing {line:?} in\n{md}");
    }
}

#[test]
fn signed_summary_verifies_and_files_take_their_format_from_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = days();
    build(&db, &d);
    let signed = dir.path().join("week.jws.json");
    run(&db, &["summary", "--week", &d.week, "--signed", "--suppress-small", "--out", signed.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&run(&db, &["verify", signed.to_str().unwrap()]).stdout).unwrap();
    assert_eq!(v["schema"], "linkwork-summary/1");
    assert_eq!(v["suppressed"], true);
    assert_eq!(v["referrals"]["new"], "withheld");
    assert_eq!(v["referrals"]["by_practice"], json!({"Canal Street Surgery": "*", "not recorded": "*"}));
    let o =
        Command::new(BIN).args(["summary", "--signed", "--format", "csv"]).env("LINKWORK_DB", &db).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("signed summary is JSON"));

    let csv = dir.path().join("week.csv");
    run(&db, &["summary", "--week", &d.week, "--out", csv.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("section,measure,breakdown,value\n"));
    // Each summary produced is in the audit trail.
    let audit = out(&db, &["audit", "--json"]);
    assert!(audit.contains("weekly summary") && audit.contains("as csv"), "{audit}");
    // A week that does not exist is refused with the reason.
    let o = Command::new(BIN).args(["summary", "--week", "2027-W53"]).env("LINKWORK_DB", &db).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("2027 has no week 53"));
}

#[test]
fn the_default_is_the_last_complete_week_and_year_end_weeks_are_right() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    run(&db, &["init"]);
    let d = days();
    let s: Value = serde_json::from_str(&out(&db, &["summary", "--format", "json"])).unwrap();
    assert_eq!(s["period"]["from"], (d.monday - Duration::days(7)).to_string());
    assert_eq!(s["period"]["week"], d.last_week);
    let s: Value = serde_json::from_str(&out(&db, &["summary", "--week", "2026-W53", "--format", "json"])).unwrap();
    assert_eq!(s["period"], json!({"from": "2026-12-28", "to": "2027-01-03", "week": "2026-W53"}));
    let s: Value = serde_json::from_str(&out(&db, &["summary", "--week", "2027-W01", "--format", "json"])).unwrap();
    assert_eq!(s["period"], json!({"from": "2027-01-04", "to": "2027-01-10", "week": "2027-W01"}));
    let s: Value =
        serde_json::from_str(&out(&db, &["summary", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json"]))
            .unwrap();
    assert_eq!(s["period"], json!({"from": "2026-01-01", "to": "2026-03-31", "week": null}));
}

#[test]
fn the_dashboard_saves_the_summary_from_its_dialog() {
    use linkwork::storage::Store;
    use linkwork::ui::App;
    use linkwork::ui::state::{Pane, Popup};
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let clear = |a: &mut App| {
        a.handle_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    };
    let typ = |a: &mut App, s: &str| {
        for c in s.chars() {
            a.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    };

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = days();
    build(&db, &d);
    let mut a = App::new(Store::open(&db, None).unwrap(), d.today, Theme { colour: false }, (80, 24), false).unwrap();
    press(&mut a, KeyCode::Char('4'));
    assert_eq!(a.state.pane, Pane::Dashboard);
    let dash = a.state.dashboard.as_ref().unwrap();
    assert_eq!(dash.weeks.len(), 12);
    assert_eq!(dash.weeks.last().unwrap().1, 6, "this week's referrals are the last bar");
    assert_eq!(dash.weeks[10].1, 1, "last week's");
    assert_eq!(dash.recent.referrals.new, linkwork::domain::summary::Count::N(7));

    // A week that does not exist is refused in the dialog.
    press(&mut a, KeyCode::Char('s'));
    clear(&mut a);
    typ(&mut a, "2027-W53");
    press(&mut a, KeyCode::Enter);
    match &a.state.popup {
        Some(Popup::SaveSummary(f)) => assert!(f.error.as_deref().unwrap_or("").contains("no week 53")),
        other => panic!("dialog closed: {other:?}"),
    }
    clear(&mut a);
    typ(&mut a, &d.week);
    press(&mut a, KeyCode::Tab);
    clear(&mut a);
    typ(&mut a, "csv");
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none());
    let file = dir.path().join(format!("exports/summary-{}.csv", d.week));
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.contains("referrals,new,,withheld\n"), "{csv}");
    assert!(csv.contains("referrals,by_reason,loneliness,*\n"), "suppressed by default: {csv}");
    assert!(a.state.message.as_ref().unwrap().text.contains(&format!("summary-{}.csv", d.week)));

    // The dialog offers the HTML report, disclosure control on by default there too.
    press(&mut a, KeyCode::Char('s'));
    clear(&mut a);
    typ(&mut a, &d.week);
    press(&mut a, KeyCode::Tab);
    clear(&mut a);
    typ(&mut a, "html");
    press(&mut a, KeyCode::Enter);
    assert!(a.state.popup.is_none());
    let html = std::fs::read_to_string(dir.path().join(format!("exports/summary-{}.html", d.week))).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"), "{html}");
    assert!(html.contains("NHS Digital HES/ECDS disclosure control"));
    assert!(html.contains("by Summary Tester"));
}

#[test]
fn triage_and_contacts_from_the_command_line_refuse_what_they_should() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    run(&db, &["init", "--worker", "Summary Tester"]);
    run(
        &db,
        &[
            "referral",
            "add",
            "--nhs",
            "9990000018",
            "--name",
            "Aled Ap Rhys",
            "--dob",
            "1955-05-05",
            "--reason",
            "loneliness",
        ],
    );
    let fail = |args: &[&str]| -> String {
        let o = Command::new(BIN).args(args).env("LINKWORK_DB", &db).output().unwrap();
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    assert!(fail(&["referral", "decide", "1", "hug"]).contains("is not one of accept, reached"));
    assert!(fail(&["referral", "decide", "1", "decline"]).contains("decline needs the person's reason"));
    assert!(fail(&["referral", "decide", "1", "close", "completed"]).contains("cannot be closed as completed"));
    assert!(fail(&["referral", "decide", "9", "reached"]).contains("no referral 9"));
    let tomorrow = (chrono::Local::now().date_naive() + Duration::days(1)).to_string();
    assert!(fail(&["contact", "add", "--client", "1", "--kind", "phone", "--when", &tomorrow]).contains("future"));
    assert!(fail(&["contact", "add", "--client", "1", "--kind", "pigeon"]).contains("contact kind"));
    let unknown = fail(&[
        "referral",
        "add",
        "--nhs",
        "9990000026",
        "--name",
        "B N",
        "--dob",
        "1955-05-05",
        "--reason",
        "money",
        "--practice",
        "Nowhere Surgery",
    ]);
    assert!(unknown.contains("practice: 'Nowhere Surgery' is not known; add it first"), "{unknown}");
    assert!(fail(&["services", "set", "1", "--capacity", "5", "--per", "fortnight"]).contains("not one of week"));
    assert!(fail(&["services", "set", "99", "--accepting", "no"]).contains("no service 99"));
    assert!(fail(&["practice", "set", "--name", "X", "--list-size=-4"]).contains("list size"));
    assert!(out(&db, &["referral", "decide", "1", "reached"]).contains("new → contacting"));
    let id = out(&db, &["contact", "add", "--client", "1", "--kind", "face_to_face", "--minutes", "30"]);
    assert!(id.trim().parse::<i64>().is_ok(), "{id}");
}

/// The dashboard's figures are read on a thread of their own (issue 18): the
/// key that opens it returns at once with the pane saying the figures are being
/// read, other keys work meanwhile, and the figures that come are those read
/// on the UI's own connection; a change made meanwhile is in the next figures.
#[test]
fn the_dashboard_is_read_off_the_ui_thread() {
    use linkwork::storage::Store;
    use linkwork::ui::App;
    use linkwork::ui::state::Pane;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = days();
    build(&db, &d);
    let expected = {
        let store = Store::open(&db, None).unwrap();
        linkwork::storage::summary::dashboard(store.conn(), d.today).unwrap()
    };
    let mut a = App::new(Store::open(&db, None).unwrap(), d.today, Theme { colour: false }, (80, 24), false).unwrap();
    let (woken_tx, woken) = std::sync::mpsc::channel();
    a.compute_in_background_with(move || {
        let _ = woken_tx.send(());
    });
    press(&mut a, KeyCode::Char('4'));
    assert_eq!(a.state.pane, Pane::Dashboard);
    assert!(a.state.dashboard.is_none(), "the key returned before the figures were read");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| linkwork::ui::draw::draw(f, &a.state)).unwrap();
    let screen: String = terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("Reading the figures"), "{screen}");
    // Keys work meanwhile: to the caseload and down a row, and back.
    press(&mut a, KeyCode::Char('1'));
    assert_eq!(a.state.pane, Pane::Caseload);
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('4'));
    // The event loop is woken when they are ready, and takes them.
    woken.recv_timeout(std::time::Duration::from_secs(20)).expect("woken when the figures are ready");
    let mut tries = 0;
    while !a.background_done() {
        woken.recv_timeout(std::time::Duration::from_secs(20)).expect("woken for the latest request");
        tries += 1;
        assert!(tries < 3);
    }
    assert_eq!(a.state.dashboard.as_ref(), Some(&expected));
    assert!(a.state.message.as_ref().is_none_or(|m| !m.is_error), "{:?}", a.state.message);
}

/// The dashboard's thread keeps its own connection: when the file is replaced
/// (as a restore does), the next figures are the new file's, never the old's.
#[test]
fn the_dashboards_thread_follows_a_replaced_file() {
    use linkwork::storage::Store;
    use linkwork::ui::App;
    use linkwork::ui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |a: &mut App, c: KeyCode| {
        a.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let other = dir.path().join("other.db");
    let d = days();
    build(&db, &d);
    {
        let mut store = Store::open(&other, Some("t")).unwrap();
        let opts = linkwork::demo::DemoOptions { clients: 200, seed: 3, weeks: 20, today: d.today };
        linkwork::demo::generate(&mut store, &opts).unwrap();
    }
    let expected = |path: &Path| {
        let store = Store::open(path, None).unwrap();
        linkwork::storage::summary::dashboard(store.conn(), d.today).unwrap()
    };
    let (first, second) = (expected(&db), expected(&other));
    assert_ne!(first, second);
    let mut a = App::new(Store::open(&db, None).unwrap(), d.today, Theme { colour: false }, (80, 24), false).unwrap();
    a.compute_in_background();
    press(&mut a, KeyCode::Char('4'));
    a.wait_for_background();
    assert_eq!(a.state.dashboard.as_ref(), Some(&first));
    // The file replaced under the running program, as a restore replaces it.
    std::fs::rename(&other, &db).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    press(&mut a, KeyCode::Char('1'));
    press(&mut a, KeyCode::Char('4'));
    a.wait_for_background();
    assert_eq!(a.state.dashboard.as_ref(), Some(&second));
}

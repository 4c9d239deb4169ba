//! The caseload's views, windows and filter against a plain reference: every
//! query plan (index range, trigram, name scan; few or many matches) must give
//! exactly the rows a naive filter of the whole list gives, in the same order.

use chrono::NaiveDate;
use linkwork::demo::{DemoOptions, generate};
use linkwork::domain::text::{fold_query, name_key};
use linkwork::storage::Store;
use linkwork::storage::caseload::{self, CaseRow, FILTER_CAP, Filter, View};

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(&dir.path().join("c.db"), Some("t")).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    generate(&mut s, &DemoOptions { clients: 3000, seed: 11, weeks: 104, today }).unwrap();
    s
}

fn all(s: &Store, view: View, filter: &Filter) -> Vec<CaseRow> {
    caseload::window(s.conn(), view, filter, 0, 1_000_000).unwrap()
}

fn reference(s: &Store, view: View, text: &str) -> Vec<i64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let folded = fold_query(text);
    all(s, view, &Filter::default())
        .into_iter()
        .filter(|r| {
            if compact.bytes().all(|b| b.is_ascii_digit()) {
                r.nhs_number.starts_with(&compact)
            } else {
                name_key(&r.name).contains(&folded)
            }
        })
        .map(|r| r.referral_id)
        .collect()
}

#[test]
fn windows_are_slices_of_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    for view in View::ALL {
        let whole = all(&s, view, &Filter::default());
        assert_eq!(caseload::count(s.conn(), view, &Filter::default()).unwrap(), whole.len());
        for (offset, limit) in [(0, 10), (7, 33), (whole.len().saturating_sub(5), 60)] {
            let w = caseload::window(s.conn(), view, &Filter::default(), offset, limit).unwrap();
            let expect: Vec<_> = whole.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(w, expect, "{view:?} at {offset}");
        }
    }
}

#[test]
fn triage_order_is_most_urgent_then_longest_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let rows = all(&s, View::ToTriage, &Filter::default());
    assert!(rows.len() > 5);
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.status.is_open() && matches!(a.status.code(), "new" | "contacting"));
        assert!(
            a.priority.rank() > b.priority.rank() || (a.priority == b.priority && a.received_on <= b.received_on),
            "{a:?} before {b:?}"
        );
    }
}

#[test]
fn every_filter_plan_matches_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let queries = [
        "a",
        "sm",
        "zz",
        "wó",
        "o'",
        "999",
        "9",
        "999 0",
        "99901",
        "smith",
        "SMITH",
        "wójcik",
        "wojcik",
        "siân",
        "sian",
        "ahmed-khan",
        "li",
        "王",
        "王芳",
        "عائشہ",
        "o'brien",
        "100%",
        "a_b",
        "\"",
        "son",
        "an",
        "e",
    ];
    for view in [View::All, View::ToTriage, View::Closed] {
        for q in queries {
            let filter = Filter::new(q);
            let expect = reference(&s, view, q);
            let got: Vec<i64> = all(&s, view, &filter).into_iter().map(|r| r.referral_id).collect();
            assert_eq!(got, expect, "{view:?} {q:?}");
            let n = caseload::count(s.conn(), view, &filter).unwrap();
            assert_eq!(n, expect.len().min(FILTER_CAP + 1), "count {view:?} {q:?}");
            // A window in the middle is the same slice of the reference.
            let w: Vec<i64> =
                caseload::window(s.conn(), view, &filter, 3, 20).unwrap().into_iter().map(|r| r.referral_id).collect();
            assert_eq!(w, expect.iter().skip(3).take(20).copied().collect::<Vec<_>>(), "window {view:?} {q:?}");
        }
    }
}

#[test]
fn name_search_follows_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let id: i64 = s.conn().query_row("SELECT min(id) FROM client", [], |r| r.get(0)).unwrap();
    s.conn()
        .execute(
            "UPDATE client SET name = 'Xanthe Quibble', name_key = ?1 WHERE id = ?2",
            rusqlite::params![name_key("Xanthe Quibble"), id],
        )
        .unwrap();
    let rows = all(&s, View::All, &Filter::new("quibb"));
    assert!(!rows.is_empty() && rows.iter().all(|r| r.client_id == id));
}

/// Each list, read through its index (or the Waiting table), holds exactly the
/// referrals its definition names, in its order: the definitions written out
/// plainly here, for the planner to answer however it likes.
#[test]
fn every_list_matches_its_plain_definition() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let me = "(SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name)";
    let waiting = "EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                   AND p.state IN ('sent', 'acknowledged', 'no_response'))";
    for (view, cond, order) in [
        (
            View::ToTriage,
            "status IN ('new', 'contacting')".to_owned(),
            "CASE priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, received_on, id",
        ),
        (
            View::Mine,
            format!("status IN ('booked', 'active') AND (link_worker_id IS NULL OR link_worker_id = {me})"),
            "received_on, id",
        ),
        (View::Waiting, format!("status <> 'closed' AND {waiting}"), "received_on, id"),
        (
            View::FollowUps,
            "status = 'active' AND follow_up_on <= date('now', 'localtime')".to_owned(),
            "follow_up_on, id",
        ),
        (View::Closed, "status = 'closed'".to_owned(), "closed_on DESC, id DESC"),
        (View::All, "1".to_owned(), "received_on DESC, id DESC"),
    ] {
        let expect: Vec<i64> = s
            .conn()
            .prepare(&format!("SELECT id FROM referral r WHERE {cond} ORDER BY {order}"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!expect.is_empty(), "{view:?}");
        let got: Vec<i64> = all(&s, view, &Filter::default()).iter().map(|r| r.referral_id).collect();
        assert_eq!(got, expect, "{view:?}");
        assert_eq!(caseload::count(s.conn(), view, &Filter::default()).unwrap(), expect.len(), "{view:?}");
    }
}

/// The query plans of every list's first screen (issue 18): each reads an index
/// in the list's order, so no temporary B-tree sorts the list, and nothing
/// scans a table without an index.
#[test]
fn list_queries_use_an_index_and_never_sort() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    for view in View::ALL {
        for sql in view.first_screen_sql() {
            let mut stmt = s.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let n = stmt.parameter_count();
            let params: Vec<rusqlite::types::Value> = [
                rusqlite::types::Value::Text(String::new()),
                rusqlite::types::Value::Integer(60),
                rusqlite::types::Value::Integer(0),
            ][..n]
                .to_vec();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(params.clone()), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let text = plan.join("\n");
            if std::env::var_os("LINKWORK_PRINT_PLANS").is_some() {
                eprintln!("{}:\n{sql}\n{text}\n", view.label());
            }
            assert!(!text.contains("TEMP B-TREE"), "{view:?} sorts:\n{sql}\n{text}");
            // A whole table counted (`SELECT count(*) FROM t`) shows as SCAN,
            // but SQLite answers it with its Count opcode, from the b-tree's
            // pages without reading a row.
            let whole_count = {
                let mut explain = s.conn().prepare(&format!("EXPLAIN {sql}")).unwrap();
                let ops: Vec<String> = explain
                    .query_map(rusqlite::params_from_iter(params.clone()), |r| r.get::<_, String>(1))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                ops.iter().filter(|o| *o == "Count").count()
            };
            let bare_scans = plan
                .iter()
                .filter(|l| l.starts_with("SCAN ") && !l.contains("USING") && *l != "SCAN CONSTANT ROW")
                .count();
            assert!(bare_scans <= whole_count, "{view:?} scans a table:\n{sql}\n{text}");
            for line in &plan {
                if line == "SCAN CONSTANT ROW" || (line.starts_with("SCAN ") && !line.contains("USING")) {
                    continue; // counted above
                }
                if line.starts_with("SCAN") || line.starts_with("SEARCH") {
                    assert!(
                        line.contains("USING") && (line.contains("INDEX") || line.contains("PRIMARY KEY")),
                        "{view:?} reads a table without an index: {line}\n{sql}\n{text}"
                    );
                }
            }
        }
    }
}

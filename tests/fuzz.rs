//! Fuzz runs on the three readers of outside input: the referral CSV import, the
//! Open Referral import and `verify`. Zero panics, and the work and memory each
//! takes grow with the input's size: every case counts what it allocates (in
//! total, a measure of work, and at its peak) against a bound linear in the
//! input. Inputs mix what real files hold with what breaks parsers: endless
//! lines, deep nesting, long words, floods of one character, control characters.
//!
//! `cargo test` runs a few cases per property; for a longer run:
//! `LINKWORK_FUZZ_CASES=5000 cargo test --release --test fuzz`.
//! Regressions found are kept as the plain tests at the end.

mod counting;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn cases(default: u32) -> u32 {
    std::env::var("LINKWORK_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn config(default: u32) -> Config {
    Config { cases: cases(default), failure_persistence: None, ..Config::default() }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Work and memory within `per_byte` times the input plus `fixed` bytes.
fn within(what: &str, len: usize, cost: counting::Cost, per_byte: usize, fixed: usize) -> Result<(), TestCaseError> {
    let bound = fixed + per_byte * len;
    prop_assert!(
        cost.allocated <= bound && cost.peak <= bound,
        "{}: {} bytes in: {} allocated, peak {} (bound {})",
        what,
        len,
        cost.allocated,
        cost.peak,
        bound
    );
    Ok(())
}

/// Text that breaks parsers: long runs, deep nesting, controls, markup.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        (
            prop::sample::select(vec!["x", "é", "王", "<", ">", "&amp;", "\"", ",", "\r", "\0", "\u{1b}[2J", " "]),
            0..80_000usize
        )
            .prop_map(|(s, n)| s.repeat(n / s.len().max(1))),
        (prop::sample::select(vec!["div", "span", "p", "li", "ul", "table", "td", "b", "a"]), 0..4000usize)
            .prop_map(|(tag, n)| format!("{}text{}", format!("<{tag}>").repeat(n), format!("</{tag}>").repeat(n / 2))),
        "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}a-z ]{0,60}",
        Just("<!--".to_owned()),
        Just("<p>Tea &amp; chat<br>Mondays<img src=\"data:image/png;base64,AAAA\"></p>".to_owned()),
    ]
}

// ---------------------------------------------------------------------------
// The referral CSV import.

fn csv_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9 ]{9,12},\\PC{0,12},(19[0-9]{2}-0[1-9]-1[0-9]|\\PC{0,6}),(loneliness|money;housing|\\PC{0,6})\n",
        Just("9997654323,Ann Example,1950-01-01,money,,,,,,,\"two\nlines\"\n".to_owned()),
        hostile_text().prop_map(|t| format!("9997654323,{t},1950-01-01,money,,,{t},,,,{t}\n")),
        hostile_text().prop_map(|t| t + "\n"),
        (0..70_000usize).prop_map(|n| ",".repeat(n) + "\n"),
        (0..3usize).prop_map(|n| "\"".repeat(n * 7 + 1)),
    ]
}

proptest! {
    #![proptest_config(config(24))]

    /// Any file given to `referral import`: an answer or an error, never a panic;
    /// a sound database after; work and memory linear in the file's size.
    #[test]
    fn referral_csv_import(
        header in prop_oneof![
            Just("nhs_number,name,date_of_birth,reason,received,referrer_role,referrer_name,priority,phone,postcode,notes\n".to_owned()),
            hostile_text(),
        ],
        lines in prop::collection::vec(csv_line(), 0..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in.csv");
        let bytes = header + &lines.concat();
        std::fs::write(&file, &bytes).unwrap();
        let mut store = linkwork::storage::Store::open(&dir.path().join("f.db"), Some("fuzz")).unwrap();
        let (result, cost) = counting::cost(|| linkwork::storage::referrals::import_csv(&mut store, &file, today()));
        if let Ok(report) = &result {
            let n: i64 = store.conn().query_row("SELECT count(*) FROM referral", [], |r| r.get(0)).unwrap();
            prop_assert_eq!(n as usize, report.imported);
        }
        // A database write costs a few pages of SQLite's cache: the fixed part.
        within("referral import", bytes.len(), cost, 64, 8 << 20)?;
        prop_assert!(store.check().unwrap().is_empty());
    }
}

// ---------------------------------------------------------------------------
// The Open Referral import.

fn feed_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        hostile_text().prop_map(serde_json::Value::from),
    ];
    let keys = prop::sample::select(vec![
        "id",
        "name",
        "description",
        "status",
        "organization",
        "contents",
        "services",
        "attributes",
        "taxonomy_term",
        "eligibilitys",
        "eligibility",
        "schedules",
        "service_at_locations",
        "location",
        "addresses",
        "address_1",
        "minimum_age",
        "phones",
        "number",
        "fees_description",
        "categories",
    ]);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..7)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A service record with hostile text in its fields, so that records are not
/// mostly refused for want of an id or a name.
fn feed_service() -> impl Strategy<Value = serde_json::Value> {
    (hostile_text(), hostile_text(), hostile_text(), "[a-z0-9]{1,8}").prop_map(|(name, description, fees, id)| {
        serde_json::json!({ "id": id, "name": format!("S {name}"), "description": description, "fees_description": fees,
                            "organization": { "name": "Org", "description": description } })
    })
}

proptest! {
    #![proptest_config(config(64))]

    /// Any Open Referral UK-like document: services that keep the rules (no
    /// control characters, fields within their caps), skipped records, or an
    /// error; never a panic; work and memory linear in the document's size.
    #[test]
    fn open_referral_import(doc in prop_oneof![
        feed_value(),
        prop::collection::vec(feed_service(), 0..4).prop_map(|s| serde_json::json!({ "contents": s })),
    ]) {
        use linkwork::formats::oruk;
        let bytes = serde_json::to_vec(&doc).unwrap();
        let (parsed, cost) = counting::cost(|| oruk::parse_json(&bytes));
        within("open referral import", bytes.len(), cost, 400, 1 << 20)?;
        if let Ok(parsed) = parsed {
            for s in &parsed.services {
                prop_assert!(s.name.chars().count() <= oruk::MAX_NAME);
                prop_assert!(s.description.as_ref().is_none_or(|d| d.chars().count() <= oruk::MAX_DESCRIPTION));
                for text in [Some(&s.name), s.description.as_ref(), s.fees.as_ref()].into_iter().flatten() {
                    prop_assert!(!text.chars().any(linkwork::domain::text::is_unsafe_control), "{:?}", text);
                }
            }
        }
    }

    #[test]
    fn open_referral_bytes(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        (0..20_000usize).prop_map(|n| "[".repeat(n).into_bytes()),
        (0..20_000usize).prop_map(|n| format!("{{\"contents\":[{}", "{\"services\":[".repeat(n)).into_bytes()),
    ]) {
        let (_, cost) = counting::cost(|| linkwork::formats::oruk::parse_json(&bytes));
        within("open referral bytes", bytes.len(), cost, 400, 1 << 20)?;
    }
}

// ---------------------------------------------------------------------------
// verify.

fn key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7; 32])
}

fn verify(bytes: &[u8]) -> Result<linkwork::formats::jws::Verified, linkwork::formats::jws::VerifyError> {
    linkwork::exports::verify_with_key(bytes, &key().verifying_key())
}

/// A flattened JWS whose parts are given, signed properly over them.
fn envelope(header: &str, payload: &[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer as _;
    use linkwork::formats::jws::b64;
    let (protected, payload) = (b64(header.as_bytes()), b64(payload));
    let signature = key().sign(format!("{protected}.{payload}").as_bytes());
    serde_json::to_vec(&serde_json::json!({
        "protected": protected, "payload": payload, "signature": b64(&signature.to_bytes())
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(config(64))]

    /// Any file given to `verify`: a verified document or the reason it is not,
    /// never a panic; work and memory linear in the file's size. Payloads that
    /// are signed properly but hold hostile JSON (deep nesting) included.
    #[test]
    fn verify_of_any_file(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..400),
            (0..50_000usize).prop_map(|n| "[".repeat(n).into_bytes()),
            (0..50_000usize, prop::sample::select(vec!["[", "{\"a\":", "\"\\u0000", "1e999999"]))
                .prop_map(|(n, open)| {
                    let kid = linkwork::formats::jws::thumbprint(&key().verifying_key());
                    envelope(&format!("{{\"alg\":\"EdDSA\",\"kid\":\"{kid}\"}}"), open.repeat(n).as_bytes())
                }),
            hostile_text().prop_map(|h| envelope(&h, b"{}")),
        ],
        flip in any::<prop::sample::Index>(),
        to in any::<u8>(),
        change in any::<bool>(),
    ) {
        let mut bytes = bytes;
        if change && !bytes.is_empty() {
            let i = flip.index(bytes.len());
            bytes[i] = to;
        }
        let (_, cost) = counting::cost(|| verify(&bytes));
        within("verify", bytes.len(), cost, 64, 1 << 20)?;
    }
}

/// A good signed document still verifies under the bounds (the properties above
/// would pass if everything were refused).
#[test]
fn a_signed_document_verifies() {
    let doc =
        serde_json::json!({ "schema": "linkwork-referral/1", "service": "Walking group", "notes": "Tea\u{1b}[2J" });
    let signed = linkwork::formats::jws::sign(&doc, &key(), linkwork::formats::jws::TYP_REFERRAL).unwrap();
    assert_eq!(verify(signed.as_bytes()).unwrap().document, doc);
}

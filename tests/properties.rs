//! Property tests: bad input of every shape gets an error, never a panic, and
//! good input keeps its promises. Cases per property are set below: 5,000 for
//! the text rules, 3,000 for whole referrals, 150 files for the CSV import.

use chrono::NaiveDate;
use linkwork::domain::NhsNumber;
use linkwork::domain::intake::{ReferralInput, normalise_phone, normalise_postcode, parse_date, validate};
use linkwork::domain::measures::{parse_items, score};
use linkwork::domain::nhs::check_digit;
use linkwork::domain::referral::Instrument;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The NHS Data Dictionary's rule, written out plainly as a reference.
fn reference_valid(s: &str) -> bool {
    let digits: Vec<u32> =
        s.chars().filter(|c| *c != ' ' && *c != '-' && *c != '\u{a0}').map(|c| c.to_digit(10).unwrap_or(99)).collect();
    if digits.len() != 10 || digits.iter().any(|d| *d > 9) || digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = (0..9).map(|i| digits[i] * (10 - i as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == digits[9]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn nhs_numbers_of_any_text(s in "\\PC{0,24}") {
        let parsed = NhsNumber::parse(&s);
        prop_assert_eq!(parsed.is_ok(), reference_valid(&s));
        if let Err(e) = parsed {
            prop_assert!(e.to_string().starts_with("NHS number: "));
        }
    }

    #[test]
    fn nhs_numbers_of_digits_and_spaces(s in "[0-9 ]{0,16}") {
        prop_assert_eq!(NhsNumber::parse(&s).is_ok(), reference_valid(&s));
    }

    #[test]
    fn completed_numbers_are_valid(nine in proptest::array::uniform9(0u8..10)) {
        match NhsNumber::complete(nine) {
            Some(n) => {
                prop_assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
                prop_assert_eq!(NhsNumber::parse(&n.digits()), Ok(n));
            }
            None => prop_assert!(check_digit(&nine).is_none() || nine.iter().all(|d| *d == nine[0])),
        }
    }

    #[test]
    fn dates_of_any_text(s in "\\PC{0,16}") {
        if let Ok(d) = parse_date("date", &s) {
            prop_assert_eq!(d.to_string(), s.trim());
        }
    }

    #[test]
    fn postcodes_of_any_text(s in "\\PC{0,12}") {
        if let Some(p) = normalise_postcode(&s) {
            prop_assert_eq!(normalise_postcode(&p), Some(p.clone()), "normalising twice changes nothing");
            prop_assert!(p.len() <= 8 && p.contains(' '));
        }
        let _ = normalise_phone(&s);
    }

    #[test]
    fn postcode_shapes_are_accepted(s in "[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}") {
        let p = normalise_postcode(&s.to_lowercase());
        prop_assert!(p.is_some(), "{} refused", s);
    }

    #[test]
    fn measures_of_any_text(s in "\\PC{0,30}", i in 0usize..3) {
        let inst = Instrument::ALL[i];
        if let Ok(items) = parse_items(inst, &s)
            && let Ok(scored) = score(inst, &items)
        {
            let (lo, hi) = linkwork::domain::measures::item_range(inst);
            prop_assert!(scored.items.iter().all(|v| (lo..=hi).contains(v)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever is typed into the referral form, validation answers with a
    /// referral that keeps every rule, or with errors that name their fields.
    #[test]
    fn referral_intake_of_any_input(
        nhs in "\\PC{0,14}|[0-9 ]{10,12}",
        name in "\\PC{0,30}",
        dob in "\\PC{0,12}|(18|19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        reasons in "\\PC{0,20}|(loneliness|money|housing|other)(;(carer|money))?",
        received in "\\PC{0,12}|20[0-9]{2}-[01][0-9]-[0-3][0-9]|",
        role in "\\PC{0,10}|gp|nurse|self|",
        priority in "\\PC{0,8}|routine|urgent|",
        phone in "\\PC{0,14}|07700 9[0-9]{5}|",
        postcode in "\\PC{0,9}|[A-Z]{2}[0-9] [0-9][A-Z]{2}|",
        practice in "\\PC{0,20}|",
    ) {
        let input = ReferralInput {
            nhs_number: nhs, name, date_of_birth: dob, reasons, received, referrer_role: role,
            referrer_name: String::new(), priority, phone, postcode, notes: String::new(), practice,
        };
        let codes: Vec<String> = ["loneliness", "money", "housing", "carer", "other"].map(String::from).to_vec();
        match validate(&input, &codes, today()) {
            Ok(r) => {
                prop_assert!(r.date_of_birth <= today() && r.received <= today());
                prop_assert!(r.received >= r.date_of_birth);
                prop_assert!(!r.name.is_empty() && !r.reasons.is_empty());
                prop_assert!(r.reasons.iter().all(|c| codes.contains(c)));
            }
            Err(e) => {
                prop_assert!(!e.0.is_empty());
                prop_assert!(e.0.iter().all(|f| !f.message.is_empty()));
            }
        }
    }
}

proptest! {
    // Each case makes a database: fewer cases.
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any file given to `referral import`: an answer (imported and rejected
    /// rows, or an error), never a panic, and a sound database after.
    #[test]
    fn csv_import_of_any_bytes(
        body in proptest::collection::vec(
            prop_oneof![
                "[0-9 ]{9,12},\\PC{0,12},(19[0-9]{2}-0[1-9]-1[0-9]|\\PC{0,6}),(loneliness|money;housing|\\PC{0,6})\n",
                "\\PC{0,40}\n",
                "\"[^\"]{0,20}\",\"\",,,,,,\n",
                proptest::collection::vec(any::<u8>(), 0..30).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ],
            0..12,
        ),
        header in prop_oneof![
            Just("nhs_number,name,date_of_birth,reason\n".to_owned()),
            Just("nhs_number,name,date_of_birth,reason,received,referrer_role,referrer_name,priority,phone,postcode,notes\n".to_owned()),
            "\\PC{0,30}\n",
        ],
        raw_tail in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in.csv");
        let mut bytes = header.into_bytes();
        for line in &body {
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.extend_from_slice(&raw_tail);
        std::fs::write(&file, &bytes).unwrap();
        let mut store = linkwork::storage::Store::open(&dir.path().join("p.db"), Some("prop")).unwrap();
        if let Ok(report) = linkwork::storage::referrals::import_csv(&mut store, &file, today()) {
            // CSV ends a record at \n or \r.
            let lines = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
            prop_assert!(report.imported + report.rejected.len() <= lines);
            let n: i64 = store.conn().query_row("SELECT count(*) FROM referral", [], |r| r.get(0)).unwrap();
            prop_assert_eq!(n as usize, report.imported);
        }
        prop_assert!(store.check().unwrap().is_empty());
    }
}

/// A JSON value of any shape, with the keys and markup feeds really carry.
fn feed_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
        "<p>[a-z &;#0-9]{0,20}</p>(<img src=\"data:image/png;base64,[A-Za-z0-9+/]{0,30}\">)?"
            .prop_map(serde_json::Value::from),
    ];
    let keys = prop_oneof![
        Just("id"),
        Just("name"),
        Just("description"),
        Just("status"),
        Just("organization"),
        Just("contents"),
        Just("content"),
        Just("services"),
        Just("attributes"),
        Just("taxonomy_term"),
        Just("service_taxonomys"),
        Just("eligibilitys"),
        Just("regular_schedules"),
        Just("schedules"),
        Just("service_at_locations"),
        Just("location"),
        Just("addresses"),
        Just("physical_addresses"),
        Just("minimum_age"),
        Just("maximum_age"),
        Just("phones"),
        Just("number"),
        Just("contacts"),
        Just("cost_options"),
        Just("pc_metadata"),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..8)
                .prop_map(|kv| { serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()) }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any Open Referral UK-like document: services that keep the rules, or
    /// skipped records with reasons, or an error; never a panic, never markup or
    /// embedded images in what would be stored.
    #[test]
    fn open_referral_documents_of_any_shape(doc in feed_value()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(parsed) = linkwork::formats::oruk::parse_json(&bytes) {
            for s in &parsed.services {
                prop_assert!(!s.id.is_empty() && !s.name.trim().is_empty());
                prop_assert!(linkwork::formats::oruk::STATUSES.contains(&s.status.as_str()));
                for text in [Some(&s.name), s.description.as_ref(), s.eligibility.as_ref()].into_iter().flatten() {
                    prop_assert!(!text.contains("data:") && !text.contains("<p>") && !text.contains("<img"), "{}", text);
                }
                if let (Some(a), Some(b)) = (s.min_age, s.max_age) {
                    prop_assert!(a <= b);
                }
            }
            let ids: std::collections::HashSet<&str> = parsed.services.iter().map(|s| s.id.as_str()).collect();
            prop_assert_eq!(ids.len(), parsed.services.len(), "ids are unique");
        }
    }

    #[test]
    fn open_referral_bytes_of_any_kind(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = linkwork::formats::oruk::parse_json(&bytes);
    }
}

/// A JSON document of any shape with any text, and numbers canonical JSON can hold.
fn document() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (-(1i64 << 53)..=(1i64 << 53)).prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
        "[\\x00-\\x1f\"\\\\/]{0,6}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever is signed verifies to the same document, its canonical form is a
    /// fixed point, and changing any one character of the file makes it fail
    /// (or not parse): never a panic, never a changed document accepted.
    #[test]
    fn signed_documents_verify_and_any_change_is_caught(doc in document(), at in any::<prop::sample::Index>(),
                                                         to in any::<u8>()) {
        use linkwork::formats::jws;
        // Any content, inside a document that says what it is (verify checks typ against it).
        let doc = serde_json::json!({"schema": "linkwork-referral/1", "content": doc});
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let public = key.verifying_key();
        let find = |kid: &str| {
            if kid == jws::thumbprint(&public) { Ok(public) } else { Err(jws::VerifyError::UnknownKey(kid.to_owned())) }
        };
        let canonical = jws::canonical(&doc).unwrap();
        let reparsed: serde_json::Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(jws::canonical(&reparsed).unwrap(), canonical.clone());

        let signed = jws::sign(&doc, &key, jws::TYP_REFERRAL).unwrap();
        let verified = jws::verify(signed.as_bytes(), find).unwrap();
        prop_assert_eq!(jws::canonical(&verified.document).unwrap(), canonical);

        let mut bytes = signed.into_bytes();
        let i = at.index(bytes.len());
        if bytes[i] != to {
            let before = bytes[i];
            bytes[i] = to;
            // A changed byte that still decodes to the same thing is impossible
            // except in the unused low bits of the signature's last character
            // and in JSON whitespace, neither of which change the content.
            if let Ok(v) = jws::verify(&bytes, find) {
                prop_assert_eq!(jws::canonical(&v.document).unwrap(), jws::canonical(&verified.document).unwrap(),
                    "byte {} changed {} -> {} and still verified", i, before, to);
            }
        }
    }
}

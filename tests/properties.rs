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
    ) {
        let input = ReferralInput {
            nhs_number: nhs, name, date_of_birth: dob, reasons, received, referrer_role: role,
            referrer_name: String::new(), priority, phone, postcode, notes: String::new(),
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

//! Taking in a referral: one set of rules for the TUI form, `referral add` and
//! `referral import`. Every error names the field and what is expected.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::NhsNumber;
use super::referral::{Priority, ReferrerRole};
use super::text::has_controls;

/// A referral as typed: every field a string, as the form, the command line and
/// the CSV file all give it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralInput {
    pub nhs_number: String,
    pub name: String,
    pub date_of_birth: String,
    /// Reason codes separated by `;` (or `,`).
    pub reasons: String,
    pub received: String,
    pub referrer_role: String,
    pub referrer_name: String,
    pub priority: String,
    pub phone: String,
    pub postcode: String,
    pub notes: String,
    /// The person's practice: its name or ODS code, as kept in the database.
    pub practice: String,
}

/// A referral that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReferral {
    pub nhs_number: NhsNumber,
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub reasons: Vec<String>,
    pub received: NaiveDate,
    pub referrer_role: ReferrerRole,
    pub referrer_name: Option<String>,
    pub priority: Priority,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub notes: Option<String>,
    /// The practice as typed; storage finds it by name or ODS code.
    pub practice: Option<String>,
}

/// One field's problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// All the problems of one referral, in field order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntakeErrors(pub Vec<FieldError>);

impl fmt::Display for IntakeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for IntakeErrors {}

impl IntakeErrors {
    /// The message for one field, if it has a problem.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

/// Control characters (escape sequences among them) are refused in every
/// free-text field: they would reach a terminal or a file as they are.
const CONTROLS: &str = "contains control characters (such as escape sequences); remove them";

pub const NAME_MAX: usize = 200;
pub const NOTES_MAX: usize = 2000;
pub const REFERRER_MAX: usize = 200;
/// The oldest a person can be.
pub const MAX_AGE_YEARS: i32 = 120;

/// Parse a date typed as YYYY-MM-DD.
pub fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| FieldError {
        field,
        message: format!("'{}' is not a date; expected YYYY-MM-DD, e.g. 1956-03-14", s.trim()),
    })
}

/// A UK postcode's shape (not whether it exists): outward code A9, A99, AA9,
/// AA99, A9A or AA9A, then inward code 9AA. Returned upper case with one space.
pub fn normalise_postcode(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if compact == "GIR0AA" {
        return Some("GIR 0AA".to_owned());
    }
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let b = inward.as_bytes();
    let inward_ok = b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic();
    let shape: String = outward.chars().map(|c| if c.is_ascii_digit() { '9' } else { 'A' }).collect();
    let outward_ok = matches!(shape.as_str(), "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A");
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// A phone number: digits with the usual separators, 10 to 13 digits (UK
/// numbers, with or without +44).
pub fn normalise_phone(s: &str) -> Option<String> {
    let t = s.trim();
    if !t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return None;
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    (10..=13).contains(&digits).then(|| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn too_long(field: &'static str, s: &str, max: usize) -> Option<FieldError> {
    let n = s.chars().count();
    (n > max).then(|| FieldError { field, message: format!("{n} characters is too long; at most {max}") })
}

/// Check a referral against every rule. `reason_codes` is the list kept in the
/// database; `today` decides what is in the future.
pub fn validate(input: &ReferralInput, reason_codes: &[String], today: NaiveDate) -> Result<NewReferral, IntakeErrors> {
    let mut errors = Vec::new();
    let mut err = |field: &'static str, message: String| errors.push(FieldError { field, message });

    let nhs = NhsNumber::parse(&input.nhs_number)
        .map_err(|e| err("NHS number", e.to_string().trim_start_matches("NHS number: ").to_owned()))
        .ok();

    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        err("name", "missing; expected the person's name".to_owned());
    } else if let Some(e) = too_long("name", &name, NAME_MAX) {
        err(e.field, e.message);
    } else if has_controls(&name, false) {
        err("name", CONTROLS.to_owned());
    }

    let dob = if input.date_of_birth.trim().is_empty() {
        err("date of birth", "missing; expected YYYY-MM-DD".to_owned());
        None
    } else {
        match parse_date("date of birth", &input.date_of_birth) {
            Err(e) => {
                err(e.field, e.message);
                None
            }
            Ok(d) if d > today => {
                err("date of birth", format!("{d} is in the future"));
                None
            }
            Ok(d)
                if today.year() - d.year() > MAX_AGE_YEARS
                    || (today.year() - d.year() == MAX_AGE_YEARS
                        && (d.month(), d.day()) < (today.month(), today.day())) =>
            {
                err("date of birth", format!("{d} is over {MAX_AGE_YEARS} years ago"));
                None
            }
            Ok(d) => Some(d),
        }
    };

    let mut reasons: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    for code in input.reasons.split([';', ',']).map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_lowercase();
        if !reason_codes.contains(&code) {
            unknown.push(code);
        } else if !reasons.contains(&code) {
            reasons.push(code);
        }
    }
    if !unknown.is_empty() {
        err(
            "reason",
            format!(
                "'{}' is not a reason code; expected one or more of {}",
                unknown.join(";"),
                reason_codes.join(", ")
            ),
        );
    } else if reasons.is_empty() {
        err("reason", format!("missing; expected one or more of {}", reason_codes.join(", ")));
    }

    let received = if input.received.trim().is_empty() {
        Some(today)
    } else {
        match parse_date("received", &input.received) {
            Err(e) => {
                err(e.field, e.message);
                None
            }
            Ok(d) if d > today => {
                err("received", format!("{d} is in the future"));
                None
            }
            Ok(d) => Some(d),
        }
    };
    if let (Some(r), Some(b)) = (received, dob)
        && r < b
    {
        err("received", format!("{r} is before the date of birth"));
    }

    let role = if input.referrer_role.trim().is_empty() {
        Some(ReferrerRole::Other)
    } else {
        ReferrerRole::parse(&input.referrer_role.to_ascii_lowercase())
            .map_err(|e| err("referrer role", e.trim_start_matches("referrer role: ").to_owned()))
            .ok()
    };
    let priority = if input.priority.trim().is_empty() {
        Some(Priority::Routine)
    } else {
        Priority::parse(&input.priority.to_ascii_lowercase())
            .map_err(|e| err("priority", e.trim_start_matches("priority: ").to_owned()))
            .ok()
    };
    if let Some(e) = too_long("referrer", &input.referrer_name, REFERRER_MAX) {
        err(e.field, e.message);
    } else if has_controls(&input.referrer_name, false) {
        err("referrer", CONTROLS.to_owned());
    }

    let phone = match optional(&input.phone) {
        None => None,
        Some(p) => match normalise_phone(&p) {
            Some(p) => Some(p),
            None => {
                err("phone", format!("'{p}' is not a phone number; expected 10 to 13 digits, e.g. 07700 900123"));
                None
            }
        },
    };
    let postcode = match optional(&input.postcode) {
        None => None,
        Some(p) => match normalise_postcode(&p) {
            Some(p) => Some(p),
            None => {
                err("postcode", format!("'{p}' is not a UK postcode; expected e.g. LS1 4AP or SW1A 1AA"));
                None
            }
        },
    };
    if let Some(e) = too_long("notes", &input.notes, NOTES_MAX) {
        err(e.field, e.message);
    } else if has_controls(&input.notes, true) {
        err("notes", format!("{CONTROLS} (only line breaks and tabs are kept)"));
    }
    if let Some(e) = too_long("practice", &input.practice, 200) {
        err(e.field, e.message);
    } else if has_controls(&input.practice, false) {
        err("practice", CONTROLS.to_owned());
    }

    if !errors.is_empty() {
        return Err(IntakeErrors(errors));
    }
    match (nhs, dob, received, role, priority) {
        (Some(nhs_number), Some(date_of_birth), Some(received), Some(referrer_role), Some(priority)) => {
            Ok(NewReferral {
                nhs_number,
                name,
                date_of_birth,
                reasons,
                received,
                referrer_role,
                referrer_name: optional(&input.referrer_name),
                priority,
                phone,
                postcode,
                notes: optional(&input.notes.replace("\r\n", "\n")),
                practice: optional(&input.practice),
            })
        }
        _ => Err(IntakeErrors(vec![FieldError { field: "referral", message: "incomplete".to_owned() }])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn codes() -> Vec<String> {
        ["loneliness", "mental_wellbeing", "housing", "money", "other"].map(String::from).to_vec()
    }

    fn good() -> ReferralInput {
        ReferralInput {
            nhs_number: "999 765 4323".into(),
            name: "  Siân   Llywelyn ".into(),
            date_of_birth: "1950-03-14".into(),
            reasons: "loneliness; housing".into(),
            ..Default::default()
        }
    }

    fn errors(input: &ReferralInput) -> IntakeErrors {
        validate(input, &codes(), today()).unwrap_err()
    }

    #[test]
    fn a_good_referral_passes_with_defaults() {
        let r = validate(&good(), &codes(), today()).unwrap();
        assert_eq!(r.nhs_number.digits(), "9997654323");
        assert_eq!(r.name, "Siân Llywelyn");
        assert_eq!(r.reasons, vec!["loneliness", "housing"]);
        assert_eq!(r.received, today());
        assert_eq!(r.priority, Priority::Routine);
        assert_eq!(r.referrer_role, ReferrerRole::Other);
        assert_eq!((r.phone, r.postcode, r.notes), (None, None, None));
    }

    #[test]
    fn nhs_numbers_from_the_domain_reference() {
        for ok in ["999 765 4323", "999 246 8130", "9992468130"] {
            let i = ReferralInput { nhs_number: ok.into(), ..good() };
            assert!(validate(&i, &codes(), today()).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("999 765 4320", "Modulus 11"),
            ("1111111111", "repeated"),
            ("99976543", "found 8"),
            ("", "missing"),
            ("943-476-591x", "other characters"),
        ] {
            let e = errors(&ReferralInput { nhs_number: bad.into(), ..good() });
            let m = e.for_field("NHS number").unwrap_or_else(|| panic!("{bad}: {e}"));
            assert!(m.contains(says), "{bad}: {m}");
        }
    }

    #[test]
    fn date_of_birth_rules() {
        let e = errors(&ReferralInput { date_of_birth: "2026-11-24".into(), ..good() });
        assert!(e.for_field("date of birth").unwrap().contains("future"));
        let e = errors(&ReferralInput { date_of_birth: "1906-11-22".into(), ..good() });
        assert!(e.for_field("date of birth").unwrap().contains("over 120 years"), "{e}");
        assert!(validate(&ReferralInput { date_of_birth: "1906-11-23".into(), ..good() }, &codes(), today()).is_ok());
        assert!(validate(&ReferralInput { date_of_birth: "2026-11-23".into(), ..good() }, &codes(), today()).is_ok());
        let e = errors(&ReferralInput { date_of_birth: "14/03/1950".into(), ..good() });
        assert!(e.for_field("date of birth").unwrap().contains("expected YYYY-MM-DD"));
        let e = errors(&ReferralInput { date_of_birth: "1950-02-30".into(), ..good() });
        assert!(e.for_field("date of birth").is_some());
        let e = errors(&ReferralInput { date_of_birth: " ".into(), ..good() });
        assert!(e.for_field("date of birth").unwrap().contains("missing"));
    }

    #[test]
    fn received_date_rules() {
        let e = errors(&ReferralInput { received: "2026-11-24".into(), ..good() });
        assert!(e.for_field("received").unwrap().contains("future"));
        let e = errors(&ReferralInput { received: "1949-01-01".into(), ..good() });
        assert!(e.for_field("received").unwrap().contains("before the date of birth"));
        let r = validate(&ReferralInput { received: "2026-11-20".into(), ..good() }, &codes(), today()).unwrap();
        assert_eq!(r.received, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    }

    #[test]
    fn postcode_shapes() {
        for (ok, norm) in [
            ("ls1 4ap", "LS1 4AP"),
            ("SW1A1AA", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir 0aa", "GIR 0AA"),
        ] {
            assert_eq!(normalise_postcode(ok).as_deref(), Some(norm), "{ok}");
        }
        for bad in ["", "12345", "LS1", "LS1 4A", "LS14 APP", "1S1 4AP", "LS1 AAP", "ŁS1 4AP", "LS1 4AP X"] {
            assert_eq!(normalise_postcode(bad), None, "{bad}");
        }
        let e = errors(&ReferralInput { postcode: "not a postcode".into(), ..good() });
        assert!(e.for_field("postcode").unwrap().contains("UK postcode"));
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(normalise_phone("07700  900123").as_deref(), Some("07700 900123"));
        assert_eq!(normalise_phone("+44 (0)7700 900123").as_deref(), Some("+44 (0)7700 900123"));
        assert_eq!(normalise_phone("12345"), None);
        assert_eq!(normalise_phone("07700 9OO123"), None);
        let e = errors(&ReferralInput { phone: "call me".into(), ..good() });
        assert!(e.for_field("phone").is_some());
    }

    #[test]
    fn reasons_come_from_the_list() {
        let e = errors(&ReferralInput { reasons: "loneliness;boredom".into(), ..good() });
        let m = e.for_field("reason").unwrap();
        assert!(m.contains("'boredom'") && m.contains("loneliness, mental_wellbeing"), "{m}");
        let e = errors(&ReferralInput { reasons: " ; ".into(), ..good() });
        assert!(e.for_field("reason").unwrap().contains("missing"));
        let r = validate(&ReferralInput { reasons: "MONEY,money;other".into(), ..good() }, &codes(), today()).unwrap();
        assert_eq!(r.reasons, vec!["money", "other"]);
    }

    #[test]
    fn coded_fields_and_lengths() {
        let e = errors(&ReferralInput { referrer_role: "doctor".into(), priority: "asap".into(), ..good() });
        assert!(e.for_field("referrer role").unwrap().contains("gp, nurse"));
        assert!(e.for_field("priority").unwrap().contains("routine, soon, urgent"));
        let r = validate(
            &ReferralInput { referrer_role: "GP".into(), priority: "Urgent".into(), ..good() },
            &codes(),
            today(),
        )
        .unwrap();
        assert_eq!((r.referrer_role, r.priority), (ReferrerRole::Gp, Priority::Urgent));
        let e = errors(&ReferralInput { name: "x".repeat(201), notes: "y".repeat(2001), ..good() });
        assert!(e.for_field("name").unwrap().contains("at most 200"));
        assert!(e.for_field("notes").unwrap().contains("at most 2000"));
        let e = errors(&ReferralInput { name: "  ".into(), ..good() });
        assert!(e.for_field("name").unwrap().contains("missing"));
    }

    #[test]
    fn control_characters_are_refused_in_every_text_field() {
        let e = errors(&ReferralInput {
            name: "Ann\u{1b}[2J".into(),
            referrer_name: "Dr \u{7}Who".into(),
            notes: "see \u{1b}]0;title\u{7}".into(),
            practice: "Leeds\u{9b}1m".into(),
            ..good()
        });
        for field in ["name", "referrer", "notes", "practice"] {
            assert!(e.for_field(field).is_some_and(|m| m.contains("control characters")), "{field}: {e}");
        }
        // Notes keep their lines (CRLF as LF) and tabs; a bare CR is refused.
        let r =
            validate(&ReferralInput { notes: "two\r\nlines\tand a tab".into(), ..good() }, &codes(), today()).unwrap();
        assert_eq!(r.notes.as_deref(), Some("two\nlines\tand a tab"));
        assert!(errors(&ReferralInput { notes: "carriage\rreturn".into(), ..good() }).for_field("notes").is_some());
    }

    #[test]
    fn all_problems_are_reported_together() {
        let e = errors(&ReferralInput::default());
        let fields: Vec<&str> = e.0.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["NHS number", "name", "date of birth", "reason"]);
        assert!(e.to_string().starts_with("NHS number: missing"));
    }
}

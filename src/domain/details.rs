//! Correcting a person's details: which changes are allowed and in what shape.
//! Each field is checked as intake checks it; a change to the NHS number needs a
//! reason, because it moves a record from one person to another.

use chrono::{Datelike, NaiveDate};

use super::intake::{MAX_AGE_YEARS, NAME_MAX, normalise_phone, normalise_postcode, parse_date};
use super::nhs::NhsNumber;
use super::text::has_controls;

/// The longest address, language or access-needs text.
pub const TEXT_MAX: usize = 500;

/// One field to change: `Some(None)` clears it, `Some(Some(v))` sets it.
pub type Change = Option<Option<String>>;

/// The corrections asked for, as typed. Fields left `None` are not touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Corrections {
    pub name: Option<String>,
    pub date_of_birth: Option<String>,
    pub phone: Change,
    pub address: Change,
    pub postcode: Change,
    pub language: Change,
    pub interpreter_needed: Option<bool>,
    pub access_needs: Change,
    /// A new NHS number, with the reason it is changed.
    pub nhs_number: Option<(String, String)>,
}

/// A field as stored after checking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(Option<String>),
    Flag(bool),
}

/// Checked corrections: (column, label, new value), in a fixed order.
pub type Checked = Vec<(&'static str, &'static str, Value)>;

/// Check every correction; the error names each field that is wrong.
pub fn check(c: &Corrections, today: NaiveDate) -> Result<Checked, String> {
    let mut out: Checked = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    if let Some(name) = &c.name {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            errors.push("name: cannot be empty".to_owned());
        } else if name.chars().count() > NAME_MAX {
            errors.push(format!("name: {} characters is too long; at most {NAME_MAX}", name.chars().count()));
        } else if has_controls(&name, false) {
            errors.push("name: contains a control character; type it again without".to_owned());
        } else {
            out.push(("name", "name", Value::Text(Some(name))));
        }
    }
    if let Some(dob) = &c.date_of_birth {
        match parse_date("date of birth", dob) {
            Err(e) => errors.push(format!("date of birth: {}", e.message)),
            Ok(d) if d > today => errors.push(format!("date of birth: {d} is in the future")),
            Ok(d) if today.year() - d.year() > MAX_AGE_YEARS => {
                errors.push(format!("date of birth: {d} is over {MAX_AGE_YEARS} years ago"))
            }
            Ok(d) => out.push(("date_of_birth", "date of birth", Value::Text(Some(d.to_string())))),
        }
    }
    let mut text =
        |column: &'static str, label: &'static str, change: &Change, shape: &dyn Fn(&str) -> Option<String>| {
            match change {
                None => {}
                Some(None) => out.push((column, label, Value::Text(None))),
                Some(Some(v)) if v.trim().is_empty() => out.push((column, label, Value::Text(None))),
                Some(Some(v)) if v.chars().count() > TEXT_MAX => {
                    errors.push(format!("{label}: {} characters is too long; at most {TEXT_MAX}", v.chars().count()))
                }
                Some(Some(v)) if has_controls(v, false) => {
                    errors.push(format!("{label}: contains a control character; type it again without"))
                }
                Some(Some(v)) => match shape(v) {
                    Some(s) => out.push((column, label, Value::Text(Some(s)))),
                    None => errors.push(format!("{label}: '{}' is not {}", v.trim(), expected(column))),
                },
            }
        };
    let tidy = |s: &str| Some(s.split_whitespace().collect::<Vec<_>>().join(" "));
    text("phone", "phone", &c.phone, &normalise_phone);
    text("address", "address", &c.address, &tidy);
    text("postcode", "postcode", &c.postcode, &normalise_postcode);
    text("interpreter_language", "language", &c.language, &tidy);
    text("access_needs", "access needs", &c.access_needs, &tidy);
    if let Some(flag) = c.interpreter_needed {
        out.push(("interpreter_needed", "interpreter needed", Value::Flag(flag)));
    }
    if let Some((nhs, reason)) = &c.nhs_number {
        match NhsNumber::parse(nhs) {
            Err(e) => errors.push(e.to_string()),
            Ok(_) if reason.trim().is_empty() => {
                errors.push("NHS number: a change needs a reason (for example: typed wrongly at referral)".to_owned())
            }
            Ok(_) if has_controls(reason, false) || reason.chars().count() > TEXT_MAX => {
                errors.push("NHS number: the reason is too long or holds a control character".to_owned())
            }
            Ok(n) => out.push(("nhs_number", "NHS number", Value::Text(Some(n.digits())))),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    if out.is_empty() {
        return Err("nothing to change: say which details to correct".to_owned());
    }
    Ok(out)
}

fn expected(column: &str) -> &'static str {
    match column {
        "phone" => "a phone number (10 to 13 digits)",
        "postcode" => "a UK postcode (for example LS1 4AP)",
        _ => "valid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn each_field_is_checked_as_intake_checks_it() {
        let c = Corrections {
            postcode: Some(Some("ls1 4ap".into())),
            phone: Some(Some("0113 496 0000".into())),
            ..Default::default()
        };
        let got = check(&c, today()).unwrap();
        assert!(got.contains(&("postcode", "postcode", Value::Text(Some("LS1 4AP".into())))));
        let bad = Corrections { postcode: Some(Some("nowhere".into())), name: Some(" ".into()), ..Default::default() };
        let e = check(&bad, today()).unwrap_err();
        assert!(e.contains("name: cannot be empty") && e.contains("postcode: 'nowhere'"), "{e}");
        let e = check(&Corrections { date_of_birth: Some("2027-01-01".into()), ..Default::default() }, today());
        assert!(e.unwrap_err().contains("future"));
        assert!(check(&Corrections::default(), today()).unwrap_err().contains("nothing to change"));
        let cleared = check(&Corrections { phone: Some(Some("  ".into())), ..Default::default() }, today()).unwrap();
        assert_eq!(cleared, vec![("phone", "phone", Value::Text(None))]);
    }

    #[test]
    fn an_nhs_number_changes_only_with_a_reason() {
        let without = Corrections { nhs_number: Some(("999 000 0018".into(), " ".into())), ..Default::default() };
        assert!(check(&without, today()).unwrap_err().contains("needs a reason"));
        let bad = Corrections { nhs_number: Some(("9990000017".into(), "typo".into())), ..Default::default() };
        assert!(check(&bad, today()).is_err());
        let ok = Corrections { nhs_number: Some(("999 000 0018".into(), "typo".into())), ..Default::default() };
        assert_eq!(check(&ok, today()).unwrap()[0].2, Value::Text(Some("9990000018".into())));
    }
}

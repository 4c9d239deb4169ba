//! What several commands share: value parsers for clap, today's date, and
//! finding a client from `--client ID|NHS_NUMBER`.

use anyhow::Result;

use crate::domain::referral::{Consent, Instrument, PrescriptionState, Status};
use crate::storage::{self, Store};

pub fn parse_instrument(s: &str) -> Result<Instrument, String> {
    Instrument::parse(&s.to_ascii_lowercase())
}

pub fn parse_prescription_state(s: &str) -> Result<PrescriptionState, String> {
    PrescriptionState::parse(s)
}

pub fn parse_consent(s: &str) -> Result<Consent, String> {
    Consent::parse(&s.to_ascii_lowercase())
}

pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        other => Err(format!("'{other}' is not yes or no")),
    }
}

pub fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s)
}

pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date; expected YYYY-MM-DD"))
}

/// The client id a `--client ID|NHS_NUMBER` names, if given.
pub fn client_id(store: &Store, given: Option<&str>) -> Result<Option<i64>> {
    given.map(|c| storage::client::resolve(store.conn(), c).map(|p| p.id)).transpose()
}

/// Today on this computer's clock, in its time zone.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

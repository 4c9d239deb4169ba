//! Social prescriptions: a person handed on to a service. The hand-over states,
//! the moves between them, who holds the duty of care, and the document a service
//! receives (minimal by design: DOMAIN.md, information governance).

use serde::Serialize;

pub use super::referral::{Consent, PrescriptionState as State};

/// Days a service has to answer before a sent prescription becomes "no response"
/// (DOMAIN.md: a VCSO should answer within two weeks); the setting `no_response_days`.
pub const NO_RESPONSE_DAYS: i64 = 14;

/// Where a prescription may go from `from`. Declined, completed and dropped out
/// are final; a late answer after "no response" is still taken.
pub fn next_states(from: State) -> &'static [State] {
    use State::*;
    match from {
        Draft => &[Sent],
        Sent => &[Acknowledged, Accepted, Declined, NoResponse],
        Acknowledged => &[Accepted, Declined, NoResponse],
        NoResponse => &[Accepted, Declined, Sent],
        Accepted => &[Started, DroppedOut],
        Started => &[Completed, DroppedOut],
        Declined | Completed | DroppedOut => &[],
    }
}

/// Why a move is refused, in words for the Link Worker.
pub fn check_move(from: State, to: State, has_consent: bool, reason: Option<&str>) -> Result<(), String> {
    if to == State::Sent && !has_consent {
        return Err("the person's consent to share their details with this service is not recorded: \
                    it stays a draft until it is (record verbal or written consent first)"
            .to_owned());
    }
    if !next_states(from).contains(&to) {
        let allowed: Vec<&str> = next_states(from).iter().map(|s| s.code()).collect();
        return Err(if allowed.is_empty() {
            format!("a prescription that is {} cannot change state", from.label())
        } else {
            let (last, rest) = allowed.split_last().unwrap_or((&"", &[]));
            let choices = if rest.is_empty() { (*last).to_owned() } else { format!("{} or {last}", rest.join(", ")) };
            format!("a prescription that is {} can become {choices}, not {}", from.label(), to.code())
        });
    }
    if to == State::Declined && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err("a declined prescription needs the service's reason".to_owned());
    }
    Ok(())
}

/// Until the service has accepted, the Link Worker still holds the duty of care.
pub fn worker_holds_duty(state: State) -> bool {
    matches!(state, State::Draft | State::Sent | State::Acknowledged | State::NoResponse | State::Declined)
}

/// The line the screen shows about the duty of care.
pub fn duty_of_care(state: State, service: &str) -> String {
    match state {
        State::Draft => format!("Not sent yet: you hold the duty of care until {service} accepts."),
        State::Sent | State::Acknowledged => {
            format!("Waiting for {service} to accept: you still hold the duty of care.")
        }
        State::NoResponse => format!("{service} has not answered: you still hold the duty of care; chase or refer on."),
        State::Declined => format!("{service} declined: you still hold the duty of care; find another service."),
        State::Accepted | State::Started => format!("{service} accepted: it now holds the duty of care."),
        State::Completed | State::DroppedOut => format!("Finished with {service}."),
    }
}

// ---------------------------------------------------------------------------
// The document a service receives
// ---------------------------------------------------------------------------

/// The version of the referral document's shape; a service's importer checks it.
pub const DOCUMENT_SCHEMA: &str = "linkwork-referral/1";

/// A referral to a service, as exported (README: "The referral document").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReferralDocument {
    pub schema: &'static str,
    pub referral_id: i64,
    pub issued_at: String,
    pub issuer: Issuer,
    pub code: Coding,
    pub person: Person,
    pub service: ServiceRef,
    pub needs: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_matters: Option<String>,
    pub consent: ConsentRecord,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issuer {
    pub link_worker: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coding {
    pub code: String,
    pub display: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    pub name: String,
    pub date_of_birth: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpreter_language: Option<String>,
    /// Only when the Link Worker chose to share it (`--share-nhs-number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRef {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_referral_id: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsentRecord {
    pub method: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub share_nhs_number: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sending_needs_consent() {
        let e = check_move(State::Draft, State::Sent, false, None).unwrap_err();
        assert!(e.contains("consent"), "{e}");
        assert!(check_move(State::Draft, State::Sent, true, None).is_ok());
    }

    #[test]
    fn declining_needs_a_reason_and_final_states_stay() {
        assert!(check_move(State::Sent, State::Declined, true, Some(" ")).is_err());
        assert!(check_move(State::Sent, State::Declined, true, Some("full")).is_ok());
        let e = check_move(State::Completed, State::Started, true, None).unwrap_err();
        assert!(e.contains("cannot change"), "{e}");
        let e = check_move(State::Sent, State::Completed, true, None).unwrap_err();
        assert!(e.contains("can become acknowledged, accepted, declined or no_response, not completed"), "{e}");
    }

    #[test]
    fn duty_of_care_passes_on_acceptance() {
        for s in State::ALL {
            let before_acceptance =
                matches!(s, State::Draft | State::Sent | State::Acknowledged | State::NoResponse | State::Declined);
            assert_eq!(worker_holds_duty(*s), before_acceptance, "{s}");
        }
        assert!(duty_of_care(State::Sent, "Walk & Talk").contains("you still hold the duty of care"));
    }
}

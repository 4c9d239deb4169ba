//! The triage workflow: which decisions a referral in each status allows, and
//! what each one changes. Storage applies the plan; nothing here touches it.
//!
//! ```text
//! new ──attempt──▶ contacting ──book──▶ booked ──accept──▶ active ──close──▶ closed
//!  │                   │                  │                  │
//!  └── accept / book ──┴── decline / transfer (any open) ────┴──▶ closed
//!                      └── unable to contact (after N failed attempts) ──▶ closed
//! ```

use chrono::NaiveDate;

use super::referral::{Outcome, SNOMED_DECLINED, Status};

/// What happened on a contact attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    Reached,
    NoAnswer,
    Voicemail,
    WrongNumber,
}

impl Attempt {
    pub const ALL: [Attempt; 4] = [Attempt::Reached, Attempt::NoAnswer, Attempt::Voicemail, Attempt::WrongNumber];

    pub fn code(self) -> &'static str {
        match self {
            Attempt::Reached => "reached",
            Attempt::NoAnswer => "no_answer",
            Attempt::Voicemail => "voicemail",
            Attempt::WrongNumber => "wrong_number",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Attempt::Reached => "reached",
            Attempt::NoAnswer => "no answer",
            Attempt::Voicemail => "left voicemail",
            Attempt::WrongNumber => "wrong number",
        }
    }
}

/// One triage decision on a referral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Take onto the caseload.
    Accept,
    /// A contact attempt and how it went.
    Attempt(Attempt),
    /// First appointment booked for a day.
    Book(NaiveDate),
    /// The person declined social prescribing (records SNOMED 871711000000103).
    Decline(String),
    /// Given up after the set number of failed attempts.
    UnableToContact,
    /// Passed to another service or team.
    Transfer(String),
    /// The episode ends with an outcome.
    Close(Outcome),
}

impl Action {
    pub fn label(&self) -> String {
        match self {
            Action::Accept => "accepted onto the caseload".to_owned(),
            Action::Attempt(a) => format!("contact attempt: {}", a.label()),
            Action::Book(d) => format!("first appointment booked for {d}"),
            Action::Decline(r) => format!("declined: {r}"),
            Action::UnableToContact => "closed: unable to contact".to_owned(),
            Action::Transfer(to) => format!("transferred to {to}"),
            Action::Close(o) => format!("closed: {}", o.label()),
        }
    }
}

/// What a decision changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
    pub outcome: Option<Outcome>,
    /// A SNOMED CT concept the decision records.
    pub snomed: Option<&'static str>,
    /// The person was spoken to: the first contact date is set if not yet.
    pub reached: bool,
    pub appointment: Option<NaiveDate>,
}

/// Where a referral stands, as the rules need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// Contact attempts that did not reach the person since they were last
    /// reached (or since the episode began, if never).
    pub failed_attempts: u32,
    /// The day the person was last reached (spoken to or attended), if ever.
    pub last_reached: Option<NaiveDate>,
}

/// The longest free text a triage decision takes (a reason, a place).
pub const TEXT_MAX: usize = 500;
/// How far ahead an appointment can be booked.
pub const BOOK_AHEAD_DAYS: i64 = 365;

/// Plan a decision, or say plainly why it is not allowed now.
pub fn plan(
    standing: Standing,
    action: &Action,
    attempts_before_giving_up: u32,
    today: NaiveDate,
) -> Result<Transition, String> {
    use Status::*;
    let from = standing.status;
    let t = |to: Status| Transition { from, to, outcome: None, snomed: None, reached: false, appointment: None };
    if from == Closed {
        return Err("this referral is closed; refer the person again to start a new episode".to_owned());
    }
    if let Action::Decline(text) | Action::Transfer(text) = action {
        let field = if matches!(action, Action::Decline(_)) { "the reason" } else { "where to" };
        let n = text.trim().chars().count();
        if n > TEXT_MAX {
            return Err(format!("{field}: {n} characters is too long; at most {TEXT_MAX}"));
        }
        if super::text::has_controls(text, false) {
            return Err(format!(
                "{field}: contains a control character (an escape sequence or similar); type it again without"
            ));
        }
    }
    match action {
        Action::Accept => match from {
            New | Contacting | Booked => Ok(Transition { reached: true, ..t(Active) }),
            _ => Err("already on the caseload".to_owned()),
        },
        Action::Attempt(a) => {
            let to = if from == New { Contacting } else { from };
            Ok(Transition { reached: *a == Attempt::Reached, ..t(to) })
        }
        Action::Book(day) => match from {
            _ if *day < today => Err(format!("{day} is in the past; book a day from today on")),
            _ if (*day - today).num_days() > BOOK_AHEAD_DAYS => Err(format!(
                "{day} is more than a year ahead; book a day up to {}",
                today + chrono::Duration::days(BOOK_AHEAD_DAYS)
            )),
            New | Contacting | Booked => Ok(Transition { reached: true, appointment: Some(*day), ..t(Booked) }),
            _ => Err("already on the caseload; book sessions in the client's record".to_owned()),
        },
        Action::Decline(reason) => {
            match from {
                _ if reason.trim().is_empty() => Err("say why the person declined".to_owned()),
                New => Err("nobody has spoken to the person yet: log the contact first (c), then record the decline"
                    .to_owned()),
                _ => Ok(Transition {
                    outcome: Some(Outcome::Declined),
                    snomed: Some(SNOMED_DECLINED),
                    reached: true,
                    ..t(Closed)
                }),
            }
        }
        Action::UnableToContact => match from {
            Contacting if standing.failed_attempts >= attempts_before_giving_up => {
                Ok(Transition { outcome: Some(Outcome::UnableToContact), ..t(Closed) })
            }
            New | Contacting => Err(match standing.last_reached {
                Some(day) => format!(
                    "the person was reached on {day}; {} failed contact attempt{} since then, and \
                     {attempts_before_giving_up} are needed before closing as unable to contact",
                    standing.failed_attempts,
                    if standing.failed_attempts == 1 { "" } else { "s" }
                ),
                None => format!(
                    "{} failed contact attempt{} logged; {attempts_before_giving_up} are needed before closing as unable to contact",
                    standing.failed_attempts,
                    if standing.failed_attempts == 1 { "" } else { "s" }
                ),
            }),
            _ => Err("the person has been reached; close with an outcome instead (o)".to_owned()),
        },
        Action::Transfer(to) => {
            if to.trim().is_empty() {
                Err("say where the referral is transferred to".to_owned())
            } else {
                Ok(Transition { outcome: Some(Outcome::Transferred), ..t(Closed) })
            }
        }
        Action::Close(outcome) => match (from, outcome) {
            (_, Outcome::Declined | Outcome::UnableToContact | Outcome::Transferred) => {
                Err(format!("use the {} decision for that", outcome.label()))
            }
            (Active, _) | (Booked, Outcome::Disengaged | Outcome::Other) => {
                Ok(Transition { outcome: Some(*outcome), ..t(Closed) })
            }
            (Booked, Outcome::Completed) => Err("the work has not started: accept onto the caseload first".to_owned()),
            _ => Err(format!(
                "a {} referral cannot be closed as {}: contact the person and take them onto the caseload first",
                from.label(),
                outcome.label()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn go(status: Status, failed: u32, action: Action) -> Result<Transition, String> {
        plan(Standing { status, failed_attempts: failed, last_reached: None }, &action, 3, today())
    }

    fn to(status: Status, action: Action) -> Option<Status> {
        go(status, 0, action).ok().map(|t| t.to)
    }

    #[test]
    fn accept_from_every_pre_caseload_status() {
        assert_eq!(to(New, Action::Accept), Some(Active));
        assert_eq!(to(Contacting, Action::Accept), Some(Active));
        assert_eq!(to(Booked, Action::Accept), Some(Active));
        assert_eq!(to(Active, Action::Accept), None);
        assert_eq!(to(Closed, Action::Accept), None);
    }

    #[test]
    fn attempts_move_new_to_contacting_and_leave_others() {
        for a in Attempt::ALL {
            let t = go(New, 0, Action::Attempt(a)).unwrap();
            assert_eq!(t.to, Contacting);
            assert_eq!(t.reached, a == Attempt::Reached);
        }
        assert_eq!(to(Contacting, Action::Attempt(Attempt::NoAnswer)), Some(Contacting));
        assert_eq!(to(Booked, Action::Attempt(Attempt::Voicemail)), Some(Booked));
        assert_eq!(to(Active, Action::Attempt(Attempt::Reached)), Some(Active));
        assert_eq!(to(Closed, Action::Attempt(Attempt::Reached)), None);
    }

    #[test]
    fn booking_needs_a_day_from_today() {
        let tomorrow = today().succ_opt().unwrap();
        let t = go(New, 0, Action::Book(tomorrow)).unwrap();
        assert_eq!((t.to, t.appointment, t.reached), (Booked, Some(tomorrow), true));
        assert_eq!(to(Contacting, Action::Book(today())), Some(Booked));
        assert_eq!(to(Booked, Action::Book(tomorrow)), Some(Booked), "rebooking");
        assert!(go(New, 0, Action::Book(today().pred_opt().unwrap())).unwrap_err().contains("past"));
        assert_eq!(to(Active, Action::Book(tomorrow)), None);
    }

    #[test]
    fn decline_records_the_snomed_code_after_contact() {
        let t = go(Contacting, 0, Action::Decline("does not want it".into())).unwrap();
        assert_eq!((t.to, t.outcome, t.snomed), (Closed, Some(Outcome::Declined), Some("871711000000103")));
        assert_eq!(to(Booked, Action::Decline("x".into())), Some(Closed));
        assert_eq!(to(Active, Action::Decline("x".into())), Some(Closed));
        assert!(go(New, 0, Action::Decline("x".into())).unwrap_err().contains("log the contact first"));
        assert!(go(Contacting, 0, Action::Decline(" ".into())).unwrap_err().contains("why"));
    }

    #[test]
    fn unable_to_contact_only_after_enough_attempts() {
        assert!(go(Contacting, 2, Action::UnableToContact).unwrap_err().contains("2 failed contact attempts"));
        assert!(go(New, 0, Action::UnableToContact).is_err());
        let t = go(Contacting, 3, Action::UnableToContact).unwrap();
        assert_eq!((t.to, t.outcome), (Closed, Some(Outcome::UnableToContact)));
        assert!(go(Active, 5, Action::UnableToContact).is_err());
    }

    #[test]
    fn unable_to_contact_names_the_last_success() {
        let standing = Standing { status: Contacting, failed_attempts: 1, last_reached: Some(today()) };
        let e = plan(standing, &Action::UnableToContact, 3, today()).unwrap_err();
        assert!(e.contains(&format!("reached on {}", today())) && e.contains("1 failed contact attempt since"), "{e}");
    }

    #[test]
    fn a_booking_is_within_a_year_and_free_text_has_a_limit() {
        let limit = today() + chrono::Duration::days(BOOK_AHEAD_DAYS);
        assert_eq!(to(New, Action::Book(limit)), Some(Booked));
        let e = go(New, 0, Action::Book(limit.succ_opt().unwrap())).unwrap_err();
        assert!(e.contains("more than a year ahead"), "{e}");
        let e = go(New, 0, Action::Book(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())).unwrap_err();
        assert!(e.contains("more than a year ahead"), "{e}");
        let e = go(New, 0, Action::Transfer("x".repeat(100_000))).unwrap_err();
        assert!(e.contains("where to: 100000 characters is too long; at most 500"), "{e}");
        let e = go(Contacting, 0, Action::Decline("y".repeat(501))).unwrap_err();
        assert!(e.contains("the reason: 501 characters") && e.contains("at most 500"), "{e}");
        assert!(go(Contacting, 0, Action::Decline("y".repeat(500))).is_ok());
    }

    #[test]
    fn transfer_from_any_open_status() {
        for s in [New, Contacting, Booked, Active] {
            let t = go(s, 0, Action::Transfer("community mental health team".into())).unwrap();
            assert_eq!((t.to, t.outcome), (Closed, Some(Outcome::Transferred)));
        }
        assert!(go(New, 0, Action::Transfer("".into())).is_err());
        assert_eq!(to(Closed, Action::Transfer("x".into())), None);
    }

    #[test]
    fn closing_with_an_outcome_needs_the_steps_before_it() {
        for o in [Outcome::Completed, Outcome::Disengaged, Outcome::Other] {
            assert_eq!(to(Active, Action::Close(o)), Some(Closed), "{o:?}");
            assert_eq!(to(New, Action::Close(o)), None, "new straight to {o:?}");
            assert_eq!(to(Contacting, Action::Close(o)), None, "contacting straight to {o:?}");
        }
        assert_eq!(to(Booked, Action::Close(Outcome::Disengaged)), Some(Closed));
        assert_eq!(to(Booked, Action::Close(Outcome::Completed)), None);
        for o in [Outcome::Declined, Outcome::UnableToContact, Outcome::Transferred] {
            assert!(go(Active, 0, Action::Close(o)).unwrap_err().contains("use the"));
        }
        assert!(go(New, 0, Action::Close(Outcome::Completed)).unwrap_err().contains("cannot be closed as completed"));
    }

    #[test]
    fn nothing_moves_a_closed_referral() {
        let actions = [
            Action::Accept,
            Action::Attempt(Attempt::Reached),
            Action::Book(today()),
            Action::Decline("x".into()),
            Action::UnableToContact,
            Action::Transfer("x".into()),
            Action::Close(Outcome::Completed),
        ];
        for a in actions {
            assert!(go(Closed, 9, a.clone()).unwrap_err().contains("closed"), "{a:?}");
        }
    }
}

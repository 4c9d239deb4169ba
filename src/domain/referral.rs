//! Referrals in: the coded values of a referral and its episode of care.

/// Declares a closed set of codes stored as text, with its parse, its stored
/// form and a label for people. The stored forms match the CHECK constraints in
/// schema.sql (a storage test keeps them in step).
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as stored in the database and typed on the command line.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// A short label for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parse a stored or typed code; the error names the field and the
            /// codes it accepts.
            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err(format!(
                        "{}: '{}' is not one of {}",
                        $what,
                        other,
                        [$($code),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.code()) // honours widths such as {:<12}
            }
        }

        /// Written as the stored code, as the command line types it.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    };
}

pub(crate) use code_enum;

code_enum!(
    /// How soon the referrer asks for contact.
    Priority, "priority" {
        Routine => "routine", "routine";
        Soon => "soon", "soon";
        Urgent => "urgent", "urgent";
    }
);

code_enum!(
    /// Where a referral came from.
    ReferrerRole, "referrer role" {
        Gp => "gp", "GP";
        Nurse => "nurse", "nurse";
        Pharmacist => "pharmacist", "pharmacist";
        PracticeStaff => "practice_staff", "practice staff";
        SelfReferral => "self", "self-referral";
        Vcso => "vcso", "VCSO";
        Hospital => "hospital", "hospital";
        Other => "other", "other";
    }
);

code_enum!(
    /// Where an episode stands in the triage workflow.
    Status, "status" {
        New => "new", "new";
        Contacting => "contacting", "contacting";
        Booked => "booked", "booked";
        Active => "active", "active";
        Closed => "closed", "closed";
    }
);

code_enum!(
    /// How an episode ended.
    Outcome, "outcome" {
        Completed => "completed", "completed";
        Declined => "declined", "declined";
        UnableToContact => "unable_to_contact", "unable to contact";
        Transferred => "transferred", "transferred";
        Disengaged => "disengaged", "disengaged";
        Other => "other", "other";
    }
);

code_enum!(
    /// The validated wellbeing instruments (DOMAIN.md); licensed ones are not offered.
    Instrument, "instrument" {
        Ons4 => "ons4", "ONS4";
        Swemwbs => "swemwbs", "SWEMWBS";
        Ucla3 => "ucla3", "UCLA-3";
    }
);

code_enum!(
    /// The kinds of contact in the contacts and sessions log.
    ContactKind, "contact kind" {
        Phone => "phone", "phone";
        FaceToFace => "face_to_face", "face to face";
        Video => "video", "video";
        HomeVisit => "home_visit", "home visit";
        Group => "group", "group";
        Text => "text", "text message";
        Email => "email", "email";
        Letter => "letter", "letter";
        Note => "note", "note";
    }
);

code_enum!(
    /// Hand-over states of a social prescription.
    PrescriptionState, "prescription state" {
        Draft => "draft", "draft";
        Sent => "sent", "sent";
        Acknowledged => "acknowledged", "acknowledged";
        Accepted => "accepted", "accepted";
        Declined => "declined", "declined";
        Started => "started", "started";
        Completed => "completed", "completed";
        DroppedOut => "dropped_out", "dropped out";
        NoResponse => "no_response", "no response";
    }
);

code_enum!(
    /// How a person agreed to their details going to a service.
    Consent, "consent" {
        Verbal => "verbal", "verbal";
        Written => "written", "written";
    }
);

impl Priority {
    /// Higher is more urgent: the order of the triage list.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Routine => 0,
            Priority::Soon => 1,
            Priority::Urgent => 2,
        }
    }
}

impl Status {
    /// Open episodes are those not closed.
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

/// SNOMED CT concept: referral to social prescribing service (procedure).
pub const SNOMED_REFERRAL: &str = "871731000000106";
/// SNOMED CT concept: social prescribing declined (situation).
pub const SNOMED_DECLINED: &str = "871711000000103";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Ok(*s));
        }
        for r in ReferrerRole::ALL {
            assert_eq!(ReferrerRole::parse(r.code()), Ok(*r));
        }
    }

    #[test]
    fn codes_print_padded_and_serialize_as_their_code() {
        assert_eq!(format!("[{:<8}]", Status::New), "[new     ]");
        assert_eq!(serde_json::to_string(&PrescriptionState::NoResponse).unwrap(), "\"no_response\"");
    }

    #[test]
    fn unknown_code_names_field_and_choices() {
        let e = Priority::parse("asap").unwrap_err();
        assert_eq!(e, "priority: 'asap' is not one of routine, soon, urgent");
    }
}

/// Working days (Monday to Friday) after `from` up to and including `to`; bank
/// holidays are not known to the program and count as working days.
pub fn working_days(from: chrono::NaiveDate, to: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    if to <= from {
        return 0;
    }
    let days = (to - from).num_days();
    let (weeks, rest) = (days / 7, days % 7);
    let mut count = weeks * 5;
    let mut wd = from.weekday().num_days_from_monday() as i64; // 0 = Monday
    for _ in 0..rest {
        wd = (wd + 1) % 7;
        if wd < 5 {
            count += 1;
        }
    }
    count
}

/// Should this referral stand out because nobody has contacted the person within
/// `limit` working days of it arriving?
pub fn contact_overdue(
    status: Status,
    received: chrono::NaiveDate,
    first_contact: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    limit: i64,
) -> bool {
    first_contact.is_none() && status.is_open() && working_days(received, today) > limit
}

#[cfg(test)]
mod day_tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-20 is a Friday.
        assert_eq!(working_days(d("2026-11-20"), d("2026-11-23")), 1);
        assert_eq!(working_days(d("2026-11-20"), d("2026-11-27")), 5);
        assert_eq!(working_days(d("2026-11-21"), d("2026-11-22")), 0);
        assert_eq!(working_days(d("2026-11-16"), d("2026-11-30")), 10);
        assert_eq!(working_days(d("2026-11-23"), d("2026-11-23")), 0);
    }

    #[test]
    fn overdue_only_when_uncontacted_and_open() {
        let (rec, today) = (d("2026-11-13"), d("2026-11-23")); // 6 working days
        assert!(contact_overdue(Status::New, rec, None, today, 5));
        assert!(!contact_overdue(Status::New, rec, None, today, 6));
        assert!(!contact_overdue(Status::New, rec, Some(d("2026-11-16")), today, 5));
        assert!(!contact_overdue(Status::Closed, rec, None, today, 5));
    }
}

//! Rules about time every stored record obeys, checked in plain SQL over the
//! whole database: nothing stamped in the future, no step before the record it
//! belongs to began. The demo's data goes through them before it is kept, and
//! the state-machine property test checks them after every step.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::Connection;

/// Moments (`YYYY-MM-DDTHH:MM:SSZ`, UTC) the program writes: none may be later than now.
pub const MOMENTS: &[(&str, &str)] = &[
    ("client", "created_at"),
    ("client", "updated_at"),
    ("referral", "created_at"),
    ("referral", "updated_at"),
    ("referral_intake", "created_at"),
    ("contact", "at"),
    ("contact", "created_at"),
    ("assessment", "created_at"),
    ("goal", "created_at"),
    ("goal", "updated_at"),
    ("measure", "created_at"),
    ("prescription", "created_at"),
    ("prescription", "consent_at"),
    ("prescription", "sent_at"),
    ("prescription", "answered_at"),
    ("prescription", "state_at"),
    ("prescription_event", "at"),
    ("unmet_need", "created_at"),
    ("organisation", "updated_at"),
    ("service", "created_at"),
    ("service", "updated_at"),
    ("appointment", "created_at"),
    ("appointment", "updated_at"),
    ("follow_up", "created_at"),
    ("safeguarding_concern", "created_at"),
    ("safeguarding_concern", "updated_at"),
];

/// Days things happened on (not days planned ahead): none may be after today.
const DAYS: &[(&str, &str)] = &[
    ("referral", "received_on"),
    ("referral", "first_contact_on"),
    ("referral", "closed_on"),
    ("referral_intake", "received_on"),
    ("measure", "taken_on"),
    ("assessment", "assessed_on"),
    ("unmet_need", "recorded_on"),
    ("safeguarding_concern", "raised_on"),
    ("safeguarding_concern", "closed_on"),
];

/// Steps that cannot come before the record they belong to began: (what, SQL
/// counting the rows that break it).
const ORDER: &[(&str, &str)] = &[
    (
        "prescription hand-over steps before the prescription was created",
        "SELECT count(*) FROM prescription_event e JOIN prescription p ON p.id = e.prescription_id
         WHERE e.at < p.created_at",
    ),
    (
        "prescriptions whose state began before they were created",
        "SELECT count(*) FROM prescription WHERE state_at < created_at",
    ),
    ("prescriptions sent before they were created", "SELECT count(*) FROM prescription WHERE sent_at < created_at"),
    ("prescriptions answered before they were sent", "SELECT count(*) FROM prescription WHERE answered_at < sent_at"),
    (
        "prescriptions whose consent is later than their sending",
        "SELECT count(*) FROM prescription WHERE consent_at > sent_at",
    ),
    ("referrals closed before they were received", "SELECT count(*) FROM referral WHERE closed_on < received_on"),
    (
        "referrals first contacted before they were received",
        "SELECT count(*) FROM referral WHERE first_contact_on < received_on",
    ),
    ("referrals changed before they were created", "SELECT count(*) FROM referral WHERE updated_at < created_at"),
    (
        "triage steps before their referral was taken in",
        "SELECT count(*) FROM contact c JOIN referral r ON r.id = c.referral_id
         WHERE c.status_to IS NOT NULL AND c.at < r.created_at",
    ),
    (
        "contacts dated before their referral was received",
        "SELECT count(*) FROM contact c JOIN referral r ON r.id = c.referral_id WHERE substr(c.at, 1, 10) < r.received_on",
    ),
];

/// Every way the stored times break the rules, as sentences; empty when all is well.
/// `now` is the current moment as stored (see [`super::now_utc`]); `today` the local day.
pub fn time_problems(conn: &Connection, now: &str, today: NaiveDate) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (table, column) in MOMENTS {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {table} WHERE {column} > ?1"), [now], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!("{table}.{column}: {n} in the future (after {now})"));
        }
    }
    for (table, column) in DAYS {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {table} WHERE {column} > ?1"), [today], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!("{table}.{column}: {n} after today ({today})"));
        }
    }
    for (what, sql) in ORDER {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!("{n} {what}"));
        }
    }
    Ok(problems)
}

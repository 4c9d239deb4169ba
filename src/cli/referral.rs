//! `linkwork referral`: take in referrals (one, or a CSV file), triage
//! decisions, duplicates and merges, and the caseload list.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::common::{parse_date, parse_status, today};
use crate::domain::intake::{ReferralInput, validate};
use crate::domain::nhs::format_digits;
use crate::domain::referral::Status;
use crate::storage::{self, Store, referrals};

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ReferralCommand {
    /// Take in one referral; prints the new referral's id
    Add {
        /// NHS number, 10 digits (spaces allowed)
        #[arg(long, value_name = "N")]
        nhs: String,
        /// The person's name
        #[arg(long)]
        name: String,
        /// Date of birth, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        dob: String,
        /// Reason codes separated by ';': loneliness, mental_wellbeing, housing, money, physical_activity,
        /// long_term_condition, carer, bereavement, employment, substance_use, other
        #[arg(long, value_name = "CODE[;CODE]")]
        reason: String,
        /// Date received, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        received: Option<String>,
        /// gp, nurse, pharmacist, practice_staff, self, vcso, hospital, other [default: other]
        #[arg(long, value_name = "ROLE")]
        referrer_role: Option<String>,
        /// The referrer's name
        #[arg(long, value_name = "NAME")]
        referrer: Option<String>,
        /// routine, soon or urgent [default: routine]
        #[arg(long)]
        priority: Option<String>,
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        #[arg(long, value_name = "PC")]
        postcode: Option<String>,
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// The person's practice, by name or ODS code (see `linkwork practice list`)
        #[arg(long, value_name = "NAME")]
        practice: Option<String>,
        /// The NHS number is on file with a different name and date of birth, and
        /// you have checked that it is the same person
        #[arg(long)]
        same_person: bool,
    },
    /// Take in many referrals from a CSV file; reports each bad row by its line number
    ///
    /// Header: nhs_number,name,date_of_birth,reason,received,referrer_role,referrer_name,priority,phone,postcode,notes,practice
    /// (only the first four are required; reasons separated by ';').
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// One triage decision on a referral, as the caseload's keys make them
    ///
    /// DECISION: accept, reached, no_answer, voicemail, wrong_number, book DATE,
    /// decline REASON, unable_to_contact, transfer WHERE, close OUTCOME
    /// (completed, declined, unable_to_contact, transferred, disengaged, other)
    #[command(verbatim_doc_comment)]
    Decide {
        /// The referral's id (the `referral` column of `referral list`)
        #[arg(value_name = "REFERRAL_ID")]
        id: i64,
        #[arg(value_name = "DECISION")]
        decision: String,
        /// The date, reason, place or outcome the decision needs
        #[arg(value_name = "DETAIL")]
        detail: Option<String>,
    },
    /// People with more than one open referral (from before one person had one
    /// open episode), with the command that merges them
    Duplicates {
        #[arg(long)]
        json: bool,
    },
    /// Merge one person's open referral OTHER into their open referral KEEP: its
    /// reasons, log, assessments, goals, measures and prescriptions move to KEEP (audited)
    Merge {
        #[arg(value_name = "KEEP")]
        keep: i64,
        #[arg(value_name = "OTHER")]
        other: i64,
    },
    /// The caseload: open referrals, most urgent and longest waiting first
    List {
        /// Only referrals in this status: new, contacting, booked, active, closed
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        /// One JSON array, for programs
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: ReferralCommand) -> Result<ExitCode> {
    match command {
        ReferralCommand::Add {
            nhs,
            name,
            dob,
            reason,
            received,
            referrer_role,
            referrer,
            priority,
            phone,
            postcode,
            notes,
            practice,
            same_person,
        } => {
            let input = ReferralInput {
                nhs_number: nhs,
                name,
                date_of_birth: dob,
                reasons: reason,
                received: received.unwrap_or_default(),
                referrer_role: referrer_role.unwrap_or_default(),
                referrer_name: referrer.unwrap_or_default(),
                priority: priority.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                postcode: postcode.unwrap_or_default(),
                notes: notes.unwrap_or_default(),
                practice: practice.unwrap_or_default(),
            };
            let codes = referrals::reason_codes(store.conn())?;
            let valid = validate(&input, &codes, today()).map_err(|e| anyhow::anyhow!("referral not added: {e}"))?;
            let added = referrals::add_confirmed(store, &valid, same_person).context("referral not added")?;
            for w in &added.warnings {
                eprintln!("linkwork: warning: {w}");
            }
            // The id for scripts on standard output; what happened, and to whom, for people.
            eprintln!("linkwork: {}", added.describe());
            println!("{}", added.referral_id);
            Ok(ExitCode::SUCCESS)
        }
        ReferralCommand::Import { file } => {
            let report = referrals::import_csv(store, &file, today())?;
            for (line, why) in &report.rejected {
                eprintln!("line {line}: {why}");
            }
            for (line, what) in &report.warnings {
                eprintln!("line {line}: warning: {what}");
            }
            for (line, what) in &report.joined {
                eprintln!("line {line}: {what}");
            }
            for (line, referral) in &report.already {
                eprintln!("line {line}: already imported (referral {referral})");
            }
            println!(
                "{}: imported {} referral{}{}, rejected {}{}",
                file.display(),
                report.imported,
                if report.imported == 1 { "" } else { "s" },
                if report.joined.is_empty() {
                    String::new()
                } else {
                    format!(" ({} joined an open episode)", report.joined.len())
                },
                report.rejected.len(),
                if report.already.is_empty() {
                    String::new()
                } else {
                    format!(", already imported {}", report.already.len())
                }
            );
            Ok(if report.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        ReferralCommand::Decide { id, decision, detail } => {
            use crate::domain::triage::{Action, Attempt};
            let detail = detail.unwrap_or_default();
            let need = |what: &str| -> Result<String> {
                if detail.trim().is_empty() {
                    anyhow::bail!("{decision} needs {what}")
                }
                Ok(detail.clone())
            };
            let action = match decision.to_ascii_lowercase().replace('-', "_").as_str() {
                "accept" => Action::Accept,
                "reached" => Action::Attempt(Attempt::Reached),
                "no_answer" => Action::Attempt(Attempt::NoAnswer),
                "voicemail" => Action::Attempt(Attempt::Voicemail),
                "wrong_number" => Action::Attempt(Attempt::WrongNumber),
                "book" => Action::Book(parse_date(&need("the appointment's date")?).map_err(anyhow::Error::msg)?),
                "decline" => Action::Decline(need("the person's reason")?),
                "unable_to_contact" => Action::UnableToContact,
                "transfer" => Action::Transfer(need("where to")?),
                "close" => Action::Close(
                    crate::domain::referral::Outcome::parse(&need("an outcome")?).map_err(anyhow::Error::msg)?,
                ),
                other => anyhow::bail!(
                    "decision: '{other}' is not one of accept, reached, no_answer, voicemail, wrong_number, book, \
                     decline, unable_to_contact, transfer, close"
                ),
            };
            let who = storage::client::of_referral(store.conn(), id)?;
            let (t, _) = referrals::decide(store, id, &action, today())?;
            println!("referral {id} of {}: {} ({} → {})", who.describe(), action.label(), t.from, t.to);
            Ok(ExitCode::SUCCESS)
        }
        ReferralCommand::Duplicates { json } => {
            let rows = referrals::open_duplicates(store.conn())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if rows.is_empty() {
                println!("nobody has more than one open referral");
            } else {
                for d in &rows {
                    let ids: Vec<String> = d.referral_ids.iter().map(i64::to_string).collect();
                    println!(
                        "client {} {} (NHS {}): open referrals {}; merge with: linkwork referral merge {} {}",
                        d.client_id,
                        d.name,
                        format_digits(&d.nhs_number),
                        ids.join(", "),
                        d.referral_ids[0],
                        d.referral_ids[1]
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReferralCommand::Merge { keep, other } => {
            let m = referrals::merge(store, keep, other)?;
            println!(
                "referral {} merged into referral {} of {} (NHS {}, client {}), now {}",
                m.merged,
                m.kept,
                m.name,
                format_digits(&m.nhs_number),
                m.client_id,
                m.status
            );
            Ok(ExitCode::SUCCESS)
        }
        ReferralCommand::List { status, json } => {
            let rows = referrals::list(store.conn(), status, today())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:>8} {:>6}  {:<28} {:<12}  {:<10} {:<8} {:>5}  reasons",
                    "referral", "client", "name", "NHS number", "status", "priority", "days"
                );
                for r in &rows {
                    println!(
                        "{:>8} {:>6}  {} {:<12}  {:<10} {:<8} {:>5}  {}",
                        r.referral_id,
                        r.client_id,
                        crate::ui::text::fit(&r.name, 28),
                        format_digits(&r.nhs_number),
                        r.status,
                        r.priority,
                        r.days_waiting,
                        r.reasons.join(";")
                    );
                }
            }
            let twice = referrals::open_duplicates(store.conn())?;
            if !twice.is_empty() {
                eprintln!(
                    "linkwork: {} {} more than one open referral (from before one person had one open episode): \
                     see linkwork referral duplicates",
                    twice.len(),
                    if twice.len() == 1 { "person has" } else { "people have" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

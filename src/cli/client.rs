//! `linkwork client`: correct a person's details, raise and close
//! safeguarding concerns, and find anyone.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::common::{parse_date, parse_yes_no, today};
use crate::domain::details::Corrections;
use crate::domain::nhs::format_digits;
use crate::storage::{self, Store, client_details, safeguarding};

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Correct a person's details (each change audited with before and after).
    /// An empty value clears a field
    Edit {
        /// The client: a client id or an NHS number (spaces allowed)
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: String,
        #[arg(long)]
        name: Option<String>,
        /// YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        dob: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
        /// The language the person prefers
        #[arg(long)]
        language: Option<String>,
        /// yes or no
        #[arg(long, value_name = "YES|NO", value_parser = parse_yes_no)]
        interpreter: Option<bool>,
        /// What the person needs to take part (step-free access, a hearing loop...)
        #[arg(long, value_name = "TEXT")]
        access_needs: Option<String>,
        /// A new NHS number: only with --confirm-nhs-change and --reason
        #[arg(long, value_name = "N", requires_all = ["confirm_nhs_change", "reason"])]
        nhs: Option<String>,
        /// Confirms that the NHS number is to change (it moves the record to another number)
        #[arg(long, requires = "nhs")]
        confirm_nhs_change: bool,
        /// Why the NHS number changes (kept in the audit trail)
        #[arg(long, value_name = "TEXT", requires = "nhs")]
        reason: Option<String>,
    },
    /// Raise a safeguarding concern (the S mark), or close one with --close ID
    Flag {
        /// The client: a client id or an NHS number
        #[arg(long, value_name = "ID|NHS_NUMBER", required_unless_present = "close")]
        client: Option<String>,
        /// What the concern is
        #[arg(long, value_name = "NOTE", required_unless_present = "close", conflicts_with = "close")]
        safeguarding: Option<String>,
        /// Who was told (the practice safeguarding lead, the local authority...)
        #[arg(long, value_name = "WHO", conflicts_with = "close")]
        told: Option<String>,
        /// The day it was raised [default: today]
        #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "close")]
        on: Option<chrono::NaiveDate>,
        /// Close this concern (see `linkwork client show`)
        #[arg(long, value_name = "CONCERN_ID")]
        close: Option<i64>,
        /// Why it is closed
        #[arg(long, value_name = "TEXT", requires = "close")]
        note: Option<String>,
    },
    /// Find anyone, open or closed: part of a name (accents optional), an NHS
    /// number or a phone number
    Find {
        #[arg(value_name = "TEXT")]
        text: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: ClientCommand) -> Result<ExitCode> {
    match command {
        ClientCommand::Edit {
            client,
            name,
            dob,
            phone,
            address,
            postcode,
            language,
            interpreter,
            access_needs,
            nhs,
            confirm_nhs_change,
            reason,
        } => {
            let who = storage::client::resolve(store.conn(), &client)?;
            let c = Corrections {
                name,
                date_of_birth: dob,
                phone: phone.map(Some),
                address: address.map(Some),
                postcode: postcode.map(Some),
                language: language.map(Some),
                interpreter_needed: interpreter,
                access_needs: access_needs.map(Some),
                nhs_number: nhs.filter(|_| confirm_nhs_change).map(|n| (n, reason.unwrap_or_default())),
            };
            let changed = client_details::correct(store, who.id, &c, today()).context("nothing was changed")?;
            if changed.is_empty() {
                println!("{}: the details already say that; nothing changed", who.describe());
            }
            for ch in &changed {
                println!("{}: {} '{}' → '{}'", who.describe(), ch.field, ch.before, ch.after);
            }
        }
        ClientCommand::Flag { client, safeguarding: note, told, on, close, note: close_note } => {
            if let Some(id) = close {
                let client_id = safeguarding::close(store, id, close_note.as_deref(), today())?;
                let who = storage::client::resolve(store.conn(), &client_id.to_string())?;
                let open =
                    safeguarding::of_client(store.conn(), client_id)?.iter().filter(|c| c.closed_on.is_none()).count();
                println!(
                    "safeguarding concern {id} of {} closed; {}",
                    who.describe(),
                    if open == 0 { "no concern is open".to_owned() } else { format!("{open} still open") }
                );
            } else {
                let who = storage::client::resolve(store.conn(), client.as_deref().unwrap_or_default())?;
                let day = on.unwrap_or_else(today);
                let id = safeguarding::raise(
                    store,
                    who.id,
                    note.as_deref().unwrap_or_default(),
                    told.as_deref(),
                    day,
                    today(),
                )?;
                eprintln!("linkwork: safeguarding concern {id} raised for {}", who.describe());
                println!("{id}");
            }
        }
        ClientCommand::Find { text, json } => {
            let found = storage::find::people(store.conn(), &text, 50)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else if found.is_empty() {
                println!("nobody matches '{}'", text.trim());
            } else {
                for p in &found {
                    println!(
                        "{:>6}  {} {:<12}  {:<12}  {}",
                        p.client_id,
                        crate::ui::text::fit(&p.name, 30),
                        format_digits(&p.nhs_number),
                        p.phone.as_deref().unwrap_or(""),
                        p.status.as_deref().unwrap_or("no referral")
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

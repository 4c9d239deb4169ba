//! `linkwork contact`: the contacts and sessions log.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::common::{parse_date, today};
use crate::storage::{self, Store};

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Log a contact or session in a client's current episode; prints its id
    Add {
        /// The client: a client id or an NHS number (spaces allowed)
        #[arg(long, value_name = "ID|NHS_NUMBER", required_unless_present = "referral")]
        client: Option<String>,
        /// Or the referral (the client's current episode)
        #[arg(long, value_name = "ID", conflicts_with = "client")]
        referral: Option<i64>,
        /// phone, face_to_face, video, home_visit, group, text, email, letter, note
        #[arg(long, value_parser = |s: &str| crate::domain::referral::ContactKind::parse(&s.to_ascii_lowercase()))]
        kind: crate::domain::referral::ContactKind,
        /// The day, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        when: Option<chrono::NaiveDate>,
        #[arg(long, value_name = "N")]
        minutes: Option<i64>,
        /// The person did not attend
        #[arg(long)]
        dna: bool,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

pub fn run(store: &mut Store, command: ContactCommand) -> Result<ExitCode> {
    let ContactCommand::Add { client, referral, kind, when, minutes, dna, note } = command;
    let who = storage::client::resolve_either(store.conn(), client.as_deref(), referral)?;
    let c = storage::contacts::NewContact {
        kind,
        on: when.unwrap_or_else(today),
        minutes,
        did_not_attend: dna,
        note: note.filter(|n| !n.trim().is_empty()),
    };
    let id = storage::contacts::add(store, who.id, &c, today())?;
    eprintln!("linkwork: contact {id} ({} on {}) logged for {}", c.kind.label(), c.on, who.describe());
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

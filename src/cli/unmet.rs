//! `linkwork unmet`: needs no local service meets, for commissioners.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::common::today;
use crate::storage::{self, Store};

#[derive(Debug, Subcommand)]
pub enum UnmetCommand {
    /// Record a need no local service meets (the client is kept by id only)
    Add {
        /// The need: a reason code, or digital, transport, food, relationships, learning
        #[arg(long)]
        code: String,
        /// The client it is about: a client id or an NHS number (kept by id only)
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: Option<String>,
        /// What was needed and not found (do not name the person)
        #[arg(long, value_name = "TEXT", default_value = "")]
        description: String,
    },
    /// Unmet needs by code, with counts, for commissioners
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: UnmetCommand) -> Result<ExitCode> {
    match command {
        UnmetCommand::Add { code, client, description } => {
            let who = client.as_deref().map(|c| storage::client::resolve(store.conn(), c)).transpose()?;
            let client = who.as_ref().map(|p| p.id);
            let id = storage::directory::record_unmet(store, &code, client, &description, today())?;
            if let Some(who) = &who {
                eprintln!("linkwork: unmet need {id} recorded for {}", who.describe());
            }
            println!("{id}");
        }
        UnmetCommand::List { json } => {
            let rows = storage::directory::unmet_by_code(store.conn())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!("{:>5}  {:<20} {} (latest {})", r.count, r.code, r.label, r.latest);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `linkwork practice`: the practices referrals come from and their list sizes.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::storage::{self, Store};

#[derive(Debug, Subcommand)]
pub enum PracticeCommand {
    /// Add a practice, or change the one with this name
    Set {
        #[arg(long)]
        name: String,
        /// Its ODS code, e.g. B86001
        #[arg(long, value_name = "CODE")]
        ods: Option<String>,
        /// Registered patients
        #[arg(long, value_name = "N")]
        list_size: Option<i64>,
        /// The Primary Care Network it belongs to
        #[arg(long, value_name = "NAME")]
        pcn: Option<String>,
    },
    /// The practices, with their list sizes and PCN
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Store, command: PracticeCommand) -> Result<ExitCode> {
    match command {
        PracticeCommand::Set { name, ods, list_size, pcn } => {
            let change = storage::practices::PracticeChange { name, ods_code: ods, list_size, pcn };
            println!("{}", storage::practices::set(store, &change)?);
        }
        PracticeCommand::List { json } => {
            let rows = storage::practices::list(store.conn())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for p in rows {
                    println!(
                        "{:>4}  {:<40} {:<8} {:>8}  {}",
                        p.id,
                        crate::ui::text::fit(&p.name, 40),
                        p.ods_code.unwrap_or_default(),
                        p.list_size.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                        p.pcn.unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

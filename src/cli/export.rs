//! `linkwork export`: signed files for services.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::exports;
use crate::storage::Store;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The signed referral of one social prescription, for the service; a draft
    /// becomes sent. Refused without the person's recorded consent
    Referral {
        /// The prescription's id (see `linkwork prescriptions`)
        #[arg(value_name = "ID")]
        id: i64,
        /// The file to write (readable by you only) [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(store: &mut Store, command: ExportCommand) -> Result<ExitCode> {
    let ExportCommand::Referral { id, out } = command;
    match out {
        Some(out) => {
            let done = exports::export_referral(store, id, exports::to_file(&out))?;
            eprintln!("linkwork: {}: signed with key {}, sha256 {}", out.display(), done.kid, done.sha256);
        }
        None => {
            exports::export_referral(store, id, exports::Destination::Stdout)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

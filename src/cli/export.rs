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
    /// The same referral as a letter for the service to read (HTML to print or
    /// attach, or plain text for an email), ending with the signed file's
    /// SHA-256 and key. Made from the signed file; refused as its export is
    Letter {
        /// The prescription's id
        #[arg(value_name = "ID")]
        id: i64,
        /// html or text [default: the --out file's extension, else html for a file and text to standard output]
        #[arg(long, value_parser = crate::formats::letter::Format::parse)]
        format: Option<crate::formats::letter::Format>,
        /// The file to write (readable by you only) [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The signed file the letter goes with [default: exports/referral-ID.jws.json beside the database]
        #[arg(long, value_name = "FILE")]
        signed: Option<PathBuf>,
    },
}

pub fn run(store: &mut Store, command: ExportCommand) -> Result<ExitCode> {
    let (id, out) = match command {
        ExportCommand::Referral { id, out } => (id, out),
        ExportCommand::Letter { id, format, out, signed } => {
            return super::letter::export(store, id, format, out, signed);
        }
    };
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

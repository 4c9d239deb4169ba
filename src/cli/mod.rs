//! The command line (see README and the CLI contract): parse, open the database,
//! run one command. With no command, the terminal UI.
//!
//! One file per command group, each holding its clap definitions and its
//! handler: `referral.rs` is `linkwork referral ...`, `services.rs` is
//! `linkwork services ...`, and so on. `open.rs` opens the chosen database,
//! `common.rs` holds what several commands share, `output.rs` how everything is
//! printed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::paths;
use crate::storage;

// Everything the command line prints goes through `output`: control characters
// stripped, and a closed pipe a quiet exit instead of a panic. These shadow the
// standard macros of the same names here and in every command module below.
macro_rules! println {
    () => { $crate::cli::output::out(format_args!(""), true) };
    ($($arg:tt)*) => { $crate::cli::output::out(format_args!($($arg)*), true) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { $crate::cli::output::err(format_args!($($arg)*), true) };
}

mod client;
mod common;
mod contact;
mod database;
mod day;
mod export;
mod keys;
mod letter;
mod measure;
mod open;
mod output;
mod practice;
mod prescribe;
mod referral;
mod services;
mod summary;
mod synonyms;
mod unmet;

pub use open::open;

#[derive(Debug, Parser)]
#[command(
    name = "linkwork",
    version,
    about = "Caseload manager for social prescribing Link Workers",
    long_about = "Caseload manager for social prescribing Link Workers.\n\n\
                  With no command, opens the terminal UI. All data stays in a local SQLite file."
)]
pub struct Cli {
    /// The database file [default: $LINKWORK_DB, else linkwork.db in the local data folder]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Use the demo database (demo.db beside the default one), generating it first if missing
    #[arg(long, global = true)]
    pub demo: bool,

    /// Allow a database on a network share (SQLite is not safe there: keep the
    /// database on the local disk and send backups to the share instead)
    #[arg(long, global = true)]
    pub allow_network_path: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once per run: the size of the largest variant does not matter.

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if missing, apply migrations, print its path
    Init(database::InitArgs),
    /// Fill an empty database with deterministic synthetic data (same seed and date, same data)
    Demo(database::DemoArgs),
    /// Integrity and foreign-key checks and the schema version; prints ok or each problem
    Check,
    /// A consistent copy of the database, checked (integrity and row counts) before it says done
    Backup(database::BackupArgs),
    /// Replace the database with a backup: the file is checked first, and the current
    /// database is kept in backups/ before it is replaced
    Restore(database::RestoreArgs),
    /// The audit trail: who did what, when, to which record (newest first)
    Audit(database::AuditArgs),
    /// The service directory: import Open Referral UK files, list and search, export
    Services {
        #[command(subcommand)]
        command: services::ServicesCommand,
    },
    /// Needs for which no suitable local service was found
    Unmet {
        #[command(subcommand)]
        command: unmet::UnmetCommand,
    },
    /// The practices referrals come from, and their list sizes (for the referral indicator)
    Practice {
        #[command(subcommand)]
        command: practice::PracticeCommand,
    },
    /// The contacts and sessions log
    Contact {
        #[command(subcommand)]
        command: contact::ContactCommand,
    },
    /// Wellbeing measures (ONS4, SWEMWBS, UCLA-3)
    Measure {
        #[command(subcommand)]
        command: measure::MeasureCommand,
    },
    /// Take in referrals and list the caseload
    Referral {
        #[command(subcommand)]
        command: referral::ReferralCommand,
    },
    /// Social prescriptions: refer a client to a service, record consent, change state
    ///
    /// Create:        linkwork prescribe --client ID --service ID [--consent verbal|written]
    ///
    /// Consent later: linkwork prescribe --record-consent ID --consent verbal|written
    ///
    /// Hand-over:     linkwork prescribe --set-state ID STATE [--reason TEXT]
    #[command(verbatim_doc_comment)]
    Prescribe(prescribe::PrescribeArgs),
    /// Social prescriptions and their hand-over states (newest first)
    Prescriptions(prescribe::ListArgs),
    /// Signed exports (flattened JWS, Ed25519) for services and commissioners
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// This installation's signing keys
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// The weekly summary for the PCN and commissioners [default: the last complete
    /// ISO week, Markdown, to standard output]
    Summary(summary::SummaryArgs),
    /// Check a signed export (structure, header, signature) and print its document;
    /// exits non-zero with the reason if it does not verify
    Verify(keys::VerifyArgs),
    /// The day's agenda: appointments, follow-ups due, overdue goals and first
    /// contacts, services not answering, safeguarding raised since yesterday
    Today(day::TodayArgs),
    /// Appointments: add, move, cancel, attended, missed
    Appointment {
        #[command(subcommand)]
        command: day::AppointmentCommand,
    },
    /// Follow-up dates
    #[command(name = "follow-up")]
    FollowUp {
        #[command(subcommand)]
        command: day::FollowUpCommand,
    },
    /// My appointments, as a list or an iCalendar file (--ics)
    Diary(day::DiaryArgs),
    /// A person's details: correct them, raise or close a safeguarding concern, find anyone
    Client {
        #[command(subcommand)]
        command: client::ClientCommand,
    },
}

/// Run the program; the exit code follows the CLI contract.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if output::is_closed_pipe(&e) => ExitCode::from(output::CLOSED_PIPE),
        Err(e) => {
            // One line: what failed, what to do, then the detail.
            let detail = format!("{e:#}").replace('\n', " ");
            match storage::advice_for(&e) {
                Some(advice) => eprintln!("linkwork: {advice} ({detail})"),
                None => eprintln!("linkwork: {detail}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let env_db = std::env::var_os(paths::DB_ENV).map(PathBuf::from);
    let choice = paths::choose(cli.db.as_deref(), cli.demo, env_db)?;
    if paths::is_network_path(&choice.path) && !cli.allow_network_path {
        anyhow::bail!(
            "{} is on a network share, where SQLite can lose or damage data; keep the database on this \
             computer's disk and put backups on the share (or pass --allow-network-path if you must)",
            choice.path.display()
        );
    }
    let worker_env = std::env::var(paths::WORKER_ENV).ok().filter(|w| !w.trim().is_empty());
    let worker = match &cli.command {
        Some(Command::Init(database::InitArgs { worker: Some(w) })) => Some(w.clone()),
        _ => worker_env,
    };
    let worker = worker.as_deref();
    let Some(command) = cli.command else {
        crate::ui::require_terminal()?;
        crate::ui::run(open(&choice, worker)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    if let Command::Check = command {
        return database::check(&open::open_to_check(&choice, worker)?);
    }
    if let Command::Verify(args) = command {
        return keys::verify(args, || open(&choice, worker));
    }
    let mut store = open(&choice, worker)?;
    let store = &mut store;
    match command {
        Command::Init(_) => database::init(store, worker),
        Command::Demo(args) => database::demo(store, args),
        Command::Backup(args) => database::backup(store, args),
        Command::Restore(args) => database::restore(store, args),
        Command::Audit(args) => database::audit(store, args),
        Command::Services { command } => services::run(store, command),
        Command::Unmet { command } => unmet::run(store, command),
        Command::Practice { command } => practice::run(store, command),
        Command::Contact { command } => contact::run(store, command),
        Command::Measure { command } => measure::run(store, command),
        Command::Referral { command } => referral::run(store, command),
        Command::Prescribe(args) => prescribe::run(store, args),
        Command::Prescriptions(args) => prescribe::list(store, args),
        Command::Export { command } => export::run(store, command),
        Command::Keys { command } => keys::run(store, command),
        Command::Summary(args) => summary::run(store, args),
        Command::Today(args) => day::today_agenda(store, args),
        Command::Appointment { command } => day::appointment(store, command),
        Command::FollowUp { command } => day::follow_up(store, command),
        Command::Diary(args) => day::diary(store, args),
        Command::Client { command } => client::run(store, command),
        Command::Check | Command::Verify(_) => unreachable!("handled above"),
    }
}

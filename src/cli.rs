//! The command line (see README and the CLI contract): parse, open the database,
//! run one command. With no command, the terminal UI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::demo::{self, DemoOptions};
use crate::domain::intake::{ReferralInput, validate};
use crate::domain::nhs::format_digits;
use crate::domain::referral::{Consent, PrescriptionState, Status};
use crate::exports;
use crate::paths::{self, DbChoice};
use crate::storage::{self, Store};
use crate::storage::{prescriptions, referrals};

mod output;

// Everything this file prints goes through `output`: control characters
// stripped, and a closed pipe a quiet exit instead of a panic. These shadow the
// standard macros of the same names for the whole file.
macro_rules! println {
    () => { output::out(format_args!(""), true) };
    ($($arg:tt)*) => { output::out(format_args!($($arg)*), true) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { output::err(format_args!($($arg)*), true) };
}

mod synonyms;

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
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if missing, apply migrations, print its path
    Init {
        /// The link worker's name, recorded in the audit trail [or $LINKWORK_WORKER]
        #[arg(long, value_name = "NAME")]
        worker: Option<String>,
    },
    /// Fill an empty database with deterministic synthetic data (same seed and date, same data)
    Demo {
        /// How many people
        #[arg(long, default_value_t = DemoOptions::DEFAULT_CLIENTS)]
        clients: usize,
        /// The seed of the generator
        #[arg(long, default_value_t = DemoOptions::DEFAULT_SEED)]
        seed: u64,
        /// How many weeks of referrals, ending today
        #[arg(long, default_value_t = DemoOptions::DEFAULT_WEEKS)]
        weeks: u32,
        /// Generate as if today were this date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<chrono::NaiveDate>,
    },
    /// Integrity and foreign-key checks and the schema version; prints ok or each problem
    Check,
    /// A consistent copy of the database, checked (integrity and row counts) before it says done
    Backup {
        /// The new file (must not exist)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Replace the database with a backup: the file is checked first, and the current
    /// database is kept in backups/ before it is replaced
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// The audit trail: who did what, when, to which record (newest first)
    Audit {
        /// Only records about this client: a client id or an NHS number
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: Option<String>,
        /// Only records from this day on (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<chrono::NaiveDate>,
        /// At most this many records
        #[arg(long, default_value_t = 200)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The service directory: import Open Referral UK files, list and search, export
    Services {
        #[command(subcommand)]
        command: ServicesCommand,
    },
    /// Needs for which no suitable local service was found
    Unmet {
        #[command(subcommand)]
        command: UnmetCommand,
    },
    /// The practices referrals come from, and their list sizes (for the referral indicator)
    Practice {
        #[command(subcommand)]
        command: PracticeCommand,
    },
    /// The contacts and sessions log
    Contact {
        #[command(subcommand)]
        command: ContactCommand,
    },
    /// Wellbeing measures (ONS4, SWEMWBS, UCLA-3)
    Measure {
        #[command(subcommand)]
        command: MeasureCommand,
    },
    /// Take in referrals and list the caseload
    Referral {
        #[command(subcommand)]
        command: ReferralCommand,
    },
    /// Social prescriptions: refer a client to a service, record consent, change state
    ///
    /// Create:        linkwork prescribe --client ID --service ID [--consent verbal|written]
    ///
    /// Consent later: linkwork prescribe --record-consent ID --consent verbal|written
    ///
    /// Hand-over:     linkwork prescribe --set-state ID STATE [--reason TEXT]
    #[command(verbatim_doc_comment)]
    Prescribe(PrescribeArgs),
    /// Social prescriptions and their hand-over states (newest first)
    Prescriptions {
        /// Only this client's: a client id or an NHS number
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: Option<String>,
        /// draft, sent, acknowledged, accepted, declined, started, completed, dropped_out, no_response
        #[arg(long, value_parser = parse_prescription_state)]
        state: Option<PrescriptionState>,
        #[arg(long)]
        json: bool,
    },
    /// Signed exports (flattened JWS, Ed25519) for services and commissioners
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// This installation's signing keys
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The weekly summary for the PCN and commissioners [default: the last complete
    /// ISO week, Markdown, to standard output]
    Summary {
        /// An ISO week, YYYY-Www (e.g. 2026-W47)
        #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["from", "to"])]
        week: Option<String>,
        /// The first day of a period (with --to)
        #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// The last day of a period (with --from)
        #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// md, csv or json [default: md; json with --signed; or the --out file's extension]
        #[arg(long, value_parser = crate::formats::summary::Format::parse)]
        format: Option<crate::formats::summary::Format>,
        /// Show counts of 1 to 4 as <5 (for reports that leave the practice)
        #[arg(long)]
        suppress_small: bool,
        /// Sign the JSON (the same JWS envelope as referral exports)
        #[arg(long)]
        signed: bool,
        /// The file to write (readable by you only) [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a signed export (structure, header, signature) and print its document;
    /// exits non-zero with the reason if it does not verify
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The signer's public key as a JWK file [default: the keys this database knows]
        #[arg(long, value_name = "JWK_FILE")]
        key: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct PrescribeArgs {
    /// The client to prescribe for (their current, open episode): a client id or an NHS number
    #[arg(long, value_name = "ID|NHS_NUMBER", requires = "service", conflicts_with_all = ["set_state", "record_consent", "referral"])]
    client: Option<String>,
    /// Or the referral (the client's current, open episode) to prescribe in
    #[arg(long, value_name = "ID", requires = "service", conflicts_with_all = ["set_state", "record_consent"])]
    referral: Option<i64>,
    /// The service in the directory
    #[arg(long, value_name = "ID")]
    service: Option<i64>,
    /// How the person agreed to their details going to the service: verbal or written.
    /// Without it the prescription stays a draft and cannot be exported
    #[arg(long, value_parser = parse_consent)]
    consent: Option<Consent>,
    /// Include the NHS number in the referral sent to the service
    #[arg(long)]
    share_nhs_number: bool,
    /// A need it addresses (repeat for more) [default: the referral's reasons]
    #[arg(long = "need", value_name = "CODE")]
    needs: Vec<String>,
    /// What the person wants from the service (sent to it as "what matters")
    #[arg(long, value_name = "TEXT", default_value = "")]
    wants: String,
    /// A note for the record (not sent to the service)
    #[arg(long, value_name = "TEXT", default_value = "")]
    note: String,
    /// Record consent for a draft: --record-consent ID --consent verbal|written
    #[arg(long, value_name = "ID", requires = "consent", conflicts_with = "set_state")]
    record_consent: Option<i64>,
    /// Change a prescription's hand-over state: --set-state ID STATE
    #[arg(long, num_args = 2, value_names = ["ID", "STATE"])]
    set_state: Option<Vec<String>>,
    /// Why the service declined (needed with --set-state ID declined)
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

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

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print the public signing key (made on first use), for services to verify with
    Public {
        /// As a JWK with its kid (the default)
        #[arg(long, conflicts_with = "pem")]
        jwk: bool,
        /// As PEM (SubjectPublicKeyInfo)
        #[arg(long)]
        pem: bool,
    },
    /// Make a new signing key; the old private key is deleted, its public key kept
    /// so that what it signed still verifies
    Rotate,
    /// Every key this database knows, current first
    List,
}

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

#[derive(Debug, Subcommand)]
pub enum ServicesCommand {
    /// Import Open Referral UK files: JSON (v1 or v3; a page, a list or one service) or
    /// services.csv (with organizations.csv beside it). Each file is one transaction.
    Import {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// The directory, or a search of it (ranked: name matches first)
    List {
        /// Words to look for in names, organisations, descriptions and categories
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only services in a category (part of its name)
        #[arg(long)]
        category: Option<String>,
        /// Only active services accepting referrals
        #[arg(long)]
        accepting: bool,
        /// Only services open to a person of this age
        #[arg(long)]
        age: Option<i64>,
        /// Only services whose fees say they are free of charge
        #[arg(long)]
        free: bool,
        /// Only services whose schedule says they are open on this day (mon, tuesday...)
        #[arg(long, value_name = "DAY", value_parser = parse_weekday)]
        open: Option<chrono::Weekday>,
        /// Only services in this postcode district (LS6) or area (LS)
        #[arg(long, value_name = "DISTRICT")]
        district: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The search thesaurus: words people type and what services call them
    /// (with no subcommand: list it)
    Synonyms {
        #[command(subcommand)]
        command: Option<SynonymsCommand>,
    },
    /// Change a service's local fields (an import never touches them)
    Set {
        #[arg(value_name = "ID")]
        id: i64,
        /// Places it can take, per --per
        #[arg(long, value_name = "N", requires = "per", conflicts_with = "no_capacity")]
        capacity: Option<i64>,
        /// week, month, quarter or year
        #[arg(long, value_name = "PERIOD", requires = "capacity")]
        per: Option<String>,
        /// Forget the capacity
        #[arg(long)]
        no_capacity: bool,
        /// People on its waiting list
        #[arg(long, value_name = "N")]
        waiting_list: Option<i64>,
        /// yes or no
        #[arg(long, value_name = "YES|NO", value_parser = parse_yes_no)]
        accepting: Option<bool>,
        /// Local notes (empty clears them)
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// When its details were last checked, YYYY-MM-DD
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        checked: Option<chrono::NaiveDate>,
    },
    /// Write the directory as Open Referral UK v3 JSON (one page holding every service,
    /// in full; valid against the UK profile's schemas)
    Export {
        /// The file to write [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Services as list items (the profile's service_list: no nested lists)
        #[arg(long)]
        list: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SynonymsCommand {
    /// Every word and its alternatives
    List {
        #[arg(long)]
        json: bool,
    },
    /// Search for ALTERNATIVE... when no service mentions WORD (an alternative may be a phrase)
    Add {
        word: String,
        #[arg(required = true)]
        alternatives: Vec<String>,
    },
    /// Forget alternatives of WORD (all of them when none is named)
    Remove { word: String, alternatives: Vec<String> },
}

fn parse_weekday(s: &str) -> std::result::Result<chrono::Weekday, String> {
    crate::storage::search::parse_weekday(s).ok_or_else(|| format!("'{s}' is not a day of the week"))
}

#[derive(Debug, Subcommand)]
pub enum MeasureCommand {
    /// Record a measure for a client's current episode; prints its score
    Add {
        /// The client: a client id or an NHS number (spaces allowed)
        #[arg(long, value_name = "ID|NHS_NUMBER", required_unless_present = "referral")]
        client: Option<String>,
        /// Or the referral (the client's current episode)
        #[arg(long, value_name = "ID", conflicts_with = "client")]
        referral: Option<i64>,
        /// ons4 (4 items 0-10), swemwbs (7 items 1-5) or ucla3 (3 items 1-3)
        #[arg(long, value_parser = parse_instrument)]
        instrument: crate::domain::referral::Instrument,
        /// The item scores in order, separated by commas
        #[arg(long, value_name = "a,b,c,...")]
        items: String,
        /// When it was taken, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        when: Option<chrono::NaiveDate>,
        /// A follow-up (the default is the baseline)
        #[arg(long)]
        follow_up: bool,
    },
}

fn parse_instrument(s: &str) -> Result<crate::domain::referral::Instrument, String> {
    crate::domain::referral::Instrument::parse(&s.to_ascii_lowercase())
}

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

fn parse_prescription_state(s: &str) -> Result<PrescriptionState, String> {
    PrescriptionState::parse(s)
}

fn parse_consent(s: &str) -> Result<Consent, String> {
    Consent::parse(&s.to_ascii_lowercase())
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        other => Err(format!("'{other}' is not yes or no")),
    }
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s)
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date; expected YYYY-MM-DD"))
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
        Some(Command::Init { worker: Some(w) }) => Some(w.clone()),
        _ => worker_env,
    };
    match cli.command {
        None => {
            crate::ui::require_terminal()?;
            let store = open(&choice, worker.as_deref())?;
            crate::ui::run(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Init { .. }) => {
            let mut store = open(&choice, worker.as_deref())?;
            if let Some(w) = &worker {
                store.set_worker(w)?;
            }
            println!("{}", store.path().display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo { clients, seed, weeks, today }) => {
            let mut store = open(&choice, worker.as_deref())?;
            let opts =
                DemoOptions { clients, seed, weeks, today: today.unwrap_or_else(|| chrono::Local::now().date_naive()) };
            let report = demo::generate(&mut store, &opts)?;
            println!(
                "{}: {} clients, {} referrals, {} contacts, {} measures, {} services, {} prescriptions",
                store.path().display(),
                report.clients,
                report.referrals,
                report.contacts,
                report.measures,
                report.services,
                report.prescriptions
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Services { command }) => {
            let mut store = open(&choice, worker.as_deref())?;
            services(&mut store, command)
        }
        Some(Command::Measure {
            command: MeasureCommand::Add { client, referral, instrument, items, when, follow_up },
        }) => {
            use crate::domain::measures::{item_labels, ons4_band, parse_items};
            use crate::domain::referral::Instrument;
            let mut store = open(&choice, worker.as_deref())?;
            let items = parse_items(instrument, &items).map_err(anyhow::Error::msg)?;
            let day = when.unwrap_or_else(today);
            let who = storage::client::resolve_either(store.conn(), client.as_deref(), referral)?;
            let r = storage::measures::add(&mut store, who.id, instrument, &items, day, follow_up, today())?;
            let who = who.describe();
            let kind = if r.follow_up { "follow-up" } else { "baseline" };
            match instrument {
                Instrument::Ons4 => {
                    let parts: Vec<String> = item_labels(instrument)
                        .iter()
                        .zip(&r.score.items)
                        .enumerate()
                        .map(|(i, (label, v))| {
                            let band = ons4_band(i + 1, *v).map_or("", |b| b.label());
                            format!("{label} {v} ({band})")
                        })
                        .collect();
                    println!("ONS4 {kind} {day} for {who}: {}", parts.join(", "));
                }
                Instrument::Swemwbs => println!(
                    "SWEMWBS {kind} {day} for {who}: raw {} metric {:.2}",
                    r.score.raw.unwrap_or_default(),
                    r.score.metric.unwrap_or_default()
                ),
                Instrument::Ucla3 => {
                    println!(
                        "UCLA-3 {kind} {day} for {who}: total {} (3-9, higher is lonelier)",
                        r.score.raw.unwrap_or_default()
                    )
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Practice { command }) => {
            let mut store = open(&choice, worker.as_deref())?;
            match command {
                PracticeCommand::Set { name, ods, list_size, pcn } => {
                    let change = storage::practices::PracticeChange { name, ods_code: ods, list_size, pcn };
                    println!("{}", storage::practices::set(&mut store, &change)?);
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
        Some(Command::Contact {
            command: ContactCommand::Add { client, referral, kind, when, minutes, dna, note },
        }) => {
            let mut store = open(&choice, worker.as_deref())?;
            let who = storage::client::resolve_either(store.conn(), client.as_deref(), referral)?;
            let c = storage::contacts::NewContact {
                kind,
                on: when.unwrap_or_else(today),
                minutes,
                did_not_attend: dna,
                note: note.filter(|n| !n.trim().is_empty()),
            };
            let id = storage::contacts::add(&mut store, who.id, &c, today())?;
            eprintln!("linkwork: contact {id} ({} on {}) logged for {}", c.kind.label(), c.on, who.describe());
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Unmet { command }) => {
            let mut store = open(&choice, worker.as_deref())?;
            match command {
                UnmetCommand::Add { code, client, description } => {
                    let who = client.as_deref().map(|c| storage::client::resolve(store.conn(), c)).transpose()?;
                    let client = who.as_ref().map(|p| p.id);
                    let id = storage::directory::record_unmet(&mut store, &code, client, &description, today())?;
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
        Some(Command::Referral { command }) => {
            let mut store = open(&choice, worker.as_deref())?;
            referral(&mut store, command)
        }
        Some(Command::Prescribe(args)) => {
            let mut store = open(&choice, worker.as_deref())?;
            prescribe(&mut store, args)
        }
        Some(Command::Prescriptions { client, state, json }) => {
            let mut store = open(&choice, worker.as_deref())?;
            prescriptions::mark_no_response(&mut store, today())?;
            let client = client_id(&store, client.as_deref())?;
            let rows = prescriptions::list(store.conn(), client, state)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:>12} {:>6}  {:<24} {:<30} {:<12} {:<8} since",
                    "prescription", "client", "name", "service", "state", "consent"
                );
                for r in &rows {
                    println!(
                        "{:>12} {:>6}  {} {} {:<12} {:<8} {}",
                        r.id,
                        r.client_id,
                        crate::ui::text::fit(&r.client_name, 24),
                        crate::ui::text::fit(&r.service_name, 30),
                        r.state,
                        r.consent.as_deref().unwrap_or("none"),
                        &r.state_at[..10.min(r.state_at.len())]
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { command: ExportCommand::Referral { id, out } }) => {
            let mut store = open(&choice, worker.as_deref())?;
            match out {
                Some(out) => {
                    let done = exports::export_referral(&mut store, id, exports::to_file(&out))?;
                    eprintln!("linkwork: {}: signed with key {}, sha256 {}", out.display(), done.kid, done.sha256);
                }
                None => {
                    exports::export_referral(&mut store, id, exports::Destination::Stdout)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Keys { command }) => {
            let mut store = open(&choice, worker.as_deref())?;
            match command {
                KeysCommand::Public { pem, .. } => {
                    let key = exports::current_key(&mut store)?.verifying_key();
                    if pem {
                        println!("{}", exports::public_pem(&key)?.trim_end());
                    } else {
                        println!("{}", serde_json::to_string_pretty(&crate::formats::jws::public_jwk(&key))?);
                    }
                }
                KeysCommand::Rotate => {
                    let (old, new) = exports::rotate(&mut store)?;
                    println!("new signing key {new}; key {old} retired (its public key is kept for verifying)");
                }
                KeysCommand::List => {
                    exports::current_key(&mut store)?;
                    for k in storage::keys::list(store.conn())? {
                        match &k.retired_at {
                            None => println!("{}  current since {}", k.kid, k.created_at),
                            Some(r) => println!("{}  retired {} (made {})", k.kid, r, k.created_at),
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Summary { week, from, to, format, suppress_small, signed, out }) => {
            use crate::domain::summary::Period;
            use crate::formats::summary::Format;
            let period = match (week, from, to) {
                (Some(w), _, _) => Period::week(&w).map_err(anyhow::Error::msg)?,
                (None, Some(f), Some(t)) => Period::days(f, t).map_err(anyhow::Error::msg)?,
                _ => Period::last_complete_week(today()),
            };
            let format = format.or_else(|| out.as_deref().and_then(Format::from_extension)).unwrap_or(if signed {
                Format::Json
            } else {
                Format::Markdown
            });
            let mut store = open(&choice, worker.as_deref())?;
            let req = exports::SummaryRequest { period, format, suppress_small, signed };
            match out {
                Some(out) => {
                    exports::export_summary(&mut store, &req, exports::to_file(&out))?;
                    eprintln!("linkwork: {}: summary for {}", out.display(), req.period.label());
                }
                None => exports::export_summary(&mut store, &req, exports::Destination::Stdout)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Verify { file, key }) => {
            let bytes = crate::input::read(&file, crate::formats::jws::FILE_LIMITS)?;
            let key = match key {
                Some(k) => {
                    let bytes = crate::input::read(&k, crate::formats::jws::FILE_LIMITS)?;
                    let text = String::from_utf8(bytes).with_context(|| format!("{} is not text", k.display()))?;
                    Some(crate::formats::jws::parse_jwk(&text).map_err(|e| anyhow::anyhow!("{}: {e}", k.display()))?)
                }
                None => None,
            };
            // With a key file no database is touched; without one, its known keys are used.
            let verified = match &key {
                Some(key) => exports::verify_with_key(&bytes, key),
                None => exports::verify(open(&choice, worker.as_deref())?.conn(), &bytes),
            };
            match verified {
                Ok(v) => {
                    eprintln!(
                        "linkwork: {}: signature ok (key {}{})",
                        file.display(),
                        v.kid,
                        v.typ.as_deref().map(|t| format!(", {t}")).unwrap_or_default()
                    );
                    println!("{}", serde_json::to_string_pretty(&v.document)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => anyhow::bail!("{}: does not verify: {e}", file.display()),
            }
        }
        Some(Command::Backup { out }) => {
            let store = open(&choice, worker.as_deref())?;
            let copied = storage::backup::backup_to(&store, &out)?;
            println!(
                "{}: backup checked: integrity ok, schema ok, audit trail ok{}, {} rows in {} tables, as in the \
                 database",
                copied.path.display(),
                copied.head.as_ref().map(|h| format!(" (to record {})", h.id)).unwrap_or_default(),
                copied.rows(),
                copied.tables.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { file }) => {
            let mut store = open(&choice, worker.as_deref())?;
            let restored = storage::backup::restore(&mut store, &file)?;
            println!(
                "{}: restored from {} ({} rows, checked); the previous contents are kept in {}",
                restored.copied.path.display(),
                file.display(),
                restored.copied.rows(),
                restored.kept.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit { client, since, limit, json }) => {
            let store = open(&choice, worker.as_deref())?;
            let since = since.map(|d| d.to_string());
            let client = client_id(&store, client.as_deref())?;
            let entries = storage::audit::list(store.conn(), client, since.as_deref(), limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for e in &entries {
                    let record = match (e.record_id, e.client_id) {
                        (Some(r), Some(c)) => format!("{} {r} (client {c})", e.table),
                        (Some(r), None) => format!("{} {r}", e.table),
                        (None, Some(c)) => format!("{} (client {c})", e.table),
                        (None, None) => e.table.clone(),
                    };
                    println!("{}  {} ({})  {}  {}: {}", e.at, e.worker, e.os_user, e.action, record, e.summary);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check) => {
            let store = open_with(&choice, worker.as_deref(), true)?;
            let problems = store.check()?;
            if problems.is_empty() {
                let head = storage::audit::head(store.conn())?;
                println!(
                    "ok (schema version {}; audit trail verified: {} records, head {})",
                    store.schema_version()?,
                    head.as_ref().map_or(0, |h| h.id),
                    head.as_ref().map_or_else(|| "none".to_owned(), |h| h.hash[..16].to_owned())
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &problems {
                    println!("{p}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// The client id a `--client ID|NHS_NUMBER` names, if given.
fn client_id(store: &Store, given: Option<&str>) -> Result<Option<i64>> {
    given.map(|c| storage::client::resolve(store.conn(), c).map(|p| p.id)).transpose()
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn services(store: &mut Store, command: ServicesCommand) -> Result<ExitCode> {
    use crate::formats::oruk;
    use crate::storage::directory::{self, Search};
    match command {
        ServicesCommand::Import { files } => {
            let mut failed = false;
            for file in files {
                let result = oruk::parse_file(&file).and_then(|parsed| {
                    let source = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    directory::import_with_organisations(
                        store,
                        &parsed.services,
                        &parsed.organisations,
                        parsed.skipped,
                        &source,
                    )
                });
                match result {
                    Ok(c) => {
                        for (at, why) in &c.skipped {
                            eprintln!("{}: skipped {at}: {why}", file.display());
                        }
                        if c.organisations > 0 {
                            println!("{}: {} organisations added or updated", file.display(), c.organisations);
                        }
                        println!(
                            "{}: {} imported, {} updated, {} unchanged, {} skipped",
                            file.display(),
                            c.imported,
                            c.updated,
                            c.unchanged,
                            c.skipped.len()
                        );
                    }
                    Err(e) => {
                        failed = true;
                        eprintln!("linkwork: {}: not imported, the directory is unchanged: {e:#}", file.display());
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        ServicesCommand::Synonyms { command } => synonyms::run(store, command),
        ServicesCommand::List { search, category, accepting, age, free, open, district, json } => {
            let search = Search {
                text: search.unwrap_or_default(),
                category,
                accepting_only: accepting,
                age,
                free_only: free,
                open_on: open,
                district,
            };
            let found = directory::find(store.conn(), &search)?;
            if let Some(note) = &found.note {
                eprintln!("{note}");
            }
            let rows = directory::rows(store.conn(), &found.ids, today())?;
            if json {
                let today = today();
                let out: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        let demand = directory::demand(store.conn(), r.id, today).ok();
                        serde_json::json!({
                            "id": r.id, "name": r.name, "organisation": r.organisation, "status": r.status,
                            "categories": r.categories, "accepting_referrals": r.accepting_referrals,
                            "demand": demand,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for r in &rows {
                    let mark = if r.status != "active" {
                        "×"
                    } else if !r.accepting_referrals {
                        "–"
                    } else {
                        " "
                    };
                    println!(
                        "{:>5} {mark} {}  {}",
                        r.id,
                        crate::ui::text::fit(&r.name, 48),
                        r.organisation.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ServicesCommand::Set { id, capacity, per, no_capacity, waiting_list, accepting, notes, checked } => {
            let change = directory::LocalChange {
                capacity: if no_capacity {
                    Some(None)
                } else {
                    capacity.zip(per.map(|p| p.to_ascii_lowercase())).map(Some)
                },
                waiting_list: waiting_list.map(Some),
                accepting,
                notes: notes.map(|n| Some(n).filter(|n| !n.trim().is_empty())),
                checked_on: checked,
            };
            directory::set_local(store, id, &change)?;
            println!("service {id} changed");
            Ok(ExitCode::SUCCESS)
        }
        ServicesCommand::Export { out, list } => {
            let page = oruk::to_v3_page(&directory::export(store.conn())?, !list);
            let text = serde_json::to_string_pretty(&page)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
                    eprintln!("{}: {} services", path.display(), page["total_items"]);
                }
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn referral(store: &mut Store, command: ReferralCommand) -> Result<ExitCode> {
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

fn prescribe(store: &mut Store, args: PrescribeArgs) -> Result<ExitCode> {
    use crate::domain::prescription::duty_of_care;
    let today = today();
    prescriptions::mark_no_response(store, today)?;
    if let Some(pair) = args.set_state {
        let id: i64 = pair[0].trim().parse().map_err(|_| anyhow::anyhow!("'{}' is not a prescription id", pair[0]))?;
        let to = PrescriptionState::parse(&pair[1].to_ascii_lowercase()).map_err(anyhow::Error::msg)?;
        let who = storage::client::of_prescription(store.conn(), id)?;
        let from = prescriptions::set_state(store, id, to, args.reason.as_deref())?;
        let service =
            prescriptions::get(store.conn(), id)?.map_or_else(|| "the service".to_owned(), |r| r.service_name);
        println!(
            "prescription {id} of {}: {} → {}. {}",
            who.describe(),
            from.code(),
            to.code(),
            duty_of_care(to, &service)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(id) = args.record_consent {
        let consent = args.consent.context("--record-consent needs --consent verbal|written")?;
        let who = storage::client::of_prescription(store.conn(), id)?;
        prescriptions::record_consent(store, id, consent)?;
        println!("prescription {id} of {}: {consent} consent recorded; it can now be exported", who.describe());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(service_id) = args.service.filter(|_| args.client.is_some() || args.referral.is_some()) else {
        anyhow::bail!(
            "say what to do: --client ID|NHS_NUMBER (or --referral ID) --service ID, --record-consent ID or --set-state ID STATE"
        );
    };
    let who = storage::client::resolve_either(store.conn(), args.client.as_deref(), args.referral)?;
    let client_id = who.id;
    let new = prescriptions::NewPrescription {
        client_id,
        service_id,
        needs: args.needs.iter().map(|n| n.trim().to_ascii_lowercase()).collect(),
        wants: args.wants,
        note: args.note,
        consent: args.consent,
        share_nhs_number: args.share_nhs_number,
    };
    let created = prescriptions::create(store, &new)?;
    for w in &created.warnings {
        eprintln!("linkwork: warning: {w}");
    }
    eprintln!("linkwork: prescription {} created for {}", created.id, who.describe());
    if args.consent.is_none() {
        eprintln!(
            "linkwork: prescription {} is a draft: record the person's consent before it can be exported \
             (linkwork prescribe --record-consent {} --consent verbal|written)",
            created.id, created.id
        );
    }
    println!("{}", created.id);
    Ok(ExitCode::SUCCESS)
}

/// Open the chosen database: create the default data folder when needed, and
/// make the demo database on first use.
pub fn open(choice: &DbChoice, worker: Option<&str>) -> Result<Store> {
    open_with(choice, worker, false)
}

/// As [`open`]; `to_check` opens a database whose schema is not exactly
/// linkwork's, for `check` to report on.
fn open_with(choice: &DbChoice, worker: Option<&str>, to_check: bool) -> Result<Store> {
    if choice.in_data_dir
        && let Some(dir) = choice.path.parent()
    {
        storage::create_data_dir(dir)?;
    }
    if choice.demo && !choice.path.exists() {
        make_demo_db(&choice.path)?;
    }
    let mut store =
        if to_check { Store::open_to_check(&choice.path, worker)? } else { Store::open(&choice.path, worker)? };
    if choice.demo && store.setting("is_demo")?.as_deref() != Some("1") {
        anyhow::bail!(
            "{} is not a demo database (it has no demo marker), so --demo will not use it; move it away and \
             run again to make a new demo",
            choice.path.display()
        );
    }
    for notice in store.notices() {
        eprintln!("linkwork: {notice}");
    }
    for said in exports::recover(&mut store)? {
        eprintln!("linkwork: {said}");
    }
    Ok(store)
}

/// Generate the demo database beside its final name (under a name of this
/// process's own) and move it into place only when complete, so an interrupted
/// first start never leaves half a demo, and several first starts at once each
/// make one and the first finished is kept.
fn make_demo_db(path: &Path) -> Result<()> {
    eprintln!("linkwork: making the demo database {} ...", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        storage::files::sweep(dir)?;
    }
    let tmp = storage::files::partial_path(path);
    let made = (|| -> Result<()> {
        let mut store = Store::open(&tmp, None)?;
        let opts = DemoOptions {
            clients: DemoOptions::DEFAULT_CLIENTS,
            seed: DemoOptions::DEFAULT_SEED,
            weeks: DemoOptions::DEFAULT_WEEKS,
            today: chrono::Local::now().date_naive(),
        };
        demo::generate(&mut store, &opts)?;
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(store);
        // Never over a demo another start finished first: link, then drop our name.
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => storage::files::sync_dir(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).with_context(|| format!("moving the demo database into place at {}", path.display()));
            }
        }
        Ok(())
    })();
    storage::files::remove_database(&tmp);
    made
}

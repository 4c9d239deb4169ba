//! Looking after the database itself: `init`, `demo`, `check`, `backup`,
//! `restore` and the `audit` trail.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::common::{client_id, parse_date};
use crate::demo::{self, DemoOptions};
use crate::storage::{self, Store};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The link worker's name, recorded in the audit trail [or $LINKWORK_WORKER]
    #[arg(long, value_name = "NAME")]
    pub worker: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
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
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The new file (must not exist)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
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
}

pub fn init(store: &mut Store, worker: Option<&str>) -> Result<ExitCode> {
    if let Some(w) = worker {
        store.set_worker(w)?;
    }
    println!("{}", store.path().display());
    Ok(ExitCode::SUCCESS)
}

pub fn demo(store: &mut Store, args: DemoArgs) -> Result<ExitCode> {
    let DemoArgs { clients, seed, weeks, today } = args;
    let opts = DemoOptions { clients, seed, weeks, today: today.unwrap_or_else(|| chrono::Local::now().date_naive()) };
    let report = demo::generate(store, &opts)?;
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

/// `check`: the store was opened with `open_to_check`, so a schema that is not
/// exactly linkwork's is reported rather than refused.
pub fn check(store: &Store) -> Result<ExitCode> {
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

pub fn backup(store: &Store, args: BackupArgs) -> Result<ExitCode> {
    let copied = storage::backup::backup_to(store, &args.out)?;
    println!(
        "{}: backup checked: integrity ok, schema ok, audit trail ok{}, {} rows in {} tables, as in the database",
        copied.path.display(),
        copied.head.as_ref().map(|h| format!(" (to record {})", h.id)).unwrap_or_default(),
        copied.rows(),
        copied.tables.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(store: &mut Store, args: RestoreArgs) -> Result<ExitCode> {
    let restored = storage::backup::restore(store, &args.file)?;
    println!(
        "{}: restored from {} ({} rows, checked); the previous contents are kept in {}",
        restored.copied.path.display(),
        args.file.display(),
        restored.copied.rows(),
        restored.kept.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn audit(store: &Store, args: AuditArgs) -> Result<ExitCode> {
    let since = args.since.map(|d| d.to_string());
    let client = client_id(store, args.client.as_deref())?;
    let entries = storage::audit::list(store.conn(), client, since.as_deref(), args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        for e in &entries {
            let record = e.target();
            println!("{}  {} ({})  {}  {}: {}", e.at, e.worker, e.os_user, e.action, record, e.summary);
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `linkwork summary`: the weekly summary for the PCN and commissioners.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::common::{parse_date, today};
use crate::exports;
use crate::storage::Store;

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// An ISO week, YYYY-Www (e.g. 2026-W47)
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["from", "to"])]
    week: Option<String>,
    /// The first day of a period (with --to)
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "to")]
    from: Option<chrono::NaiveDate>,
    /// The last day of a period (with --from)
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "from")]
    to: Option<chrono::NaiveDate>,
    /// md, csv, json or html [default: md; json with --signed; or the --out file's extension]
    #[arg(long, value_parser = crate::formats::summary::Format::parse)]
    format: Option<crate::formats::summary::Format>,
    /// Disclosure control, NHS Digital's HES/ECDS method: 1 to 7 shown as *, others rounded to
    /// the nearest 5 (for reports that leave the practice)
    #[arg(long)]
    suppress_small: bool,
    /// Sign the JSON (the same JWS envelope as referral exports)
    #[arg(long)]
    signed: bool,
    /// The file to write (readable by you only) [default: standard output]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(store: &mut Store, args: SummaryArgs) -> Result<ExitCode> {
    let SummaryArgs { week, from, to, format, suppress_small, signed, out } = args;
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
    let req = exports::SummaryRequest { period, format, suppress_small, signed };
    match out {
        Some(out) => {
            exports::export_summary(store, &req, exports::to_file(&out))?;
            eprintln!("linkwork: {}: summary for {}", out.display(), req.period.label());
        }
        None => exports::export_summary(store, &req, exports::Destination::Stdout)?,
    }
    Ok(ExitCode::SUCCESS)
}

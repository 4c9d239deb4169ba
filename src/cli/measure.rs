//! `linkwork measure`: wellbeing measures (ONS4, SWEMWBS, UCLA-3).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::common::{parse_date, parse_instrument, today};
use crate::storage::{self, Store};

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

pub fn run(store: &mut Store, command: MeasureCommand) -> Result<ExitCode> {
    let MeasureCommand::Add { client, referral, instrument, items, when, follow_up } = command;
    use crate::domain::measures::{item_labels, ons4_band, parse_items};
    use crate::domain::referral::Instrument;
    let items = parse_items(instrument, &items).map_err(anyhow::Error::msg)?;
    let day = when.unwrap_or_else(today);
    let who = storage::client::resolve_either(store.conn(), client.as_deref(), referral)?;
    let r = storage::measures::add(store, who.id, instrument, &items, day, follow_up, today())?;
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

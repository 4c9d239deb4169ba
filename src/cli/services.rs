//! `linkwork services`: the service directory (Open Referral UK import and
//! export, list and search, local fields).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::common::{parse_date, parse_yes_no, today};
use crate::storage::Store;

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
        command: Option<super::synonyms::SynonymsCommand>,
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
    /// Add a local service by hand (a feed import never touches it); prints its id
    Add {
        #[arg(long)]
        name: String,
        /// The organisation that runs it (found by name, or added)
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// A category (repeat for more), e.g. "Walking groups"
        #[arg(long = "category", value_name = "NAME")]
        categories: Vec<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
        /// Places it can take: N/PERIOD, e.g. 12/month (week, month, quarter or year)
        #[arg(long, value_name = "N/PERIOD", value_parser = parse_capacity)]
        capacity: Option<(i64, String)>,
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

fn parse_weekday(s: &str) -> std::result::Result<chrono::Weekday, String> {
    crate::storage::search::parse_weekday(s).ok_or_else(|| format!("'{s}' is not a day of the week"))
}

fn parse_capacity(s: &str) -> Result<(i64, String), String> {
    let (n, per) = s.split_once('/').ok_or_else(|| format!("'{s}' is not N/PERIOD, e.g. 12/month"))?;
    let n: i64 = n.trim().parse().map_err(|_| format!("'{n}' is not a number of places"))?;
    let per = per.trim().to_ascii_lowercase();
    if !["week", "month", "quarter", "year"].contains(&per.as_str()) {
        return Err(format!("'{per}' is not one of week, month, quarter, year"));
    }
    Ok((n, per))
}

pub fn run(store: &mut Store, command: ServicesCommand) -> Result<ExitCode> {
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
        ServicesCommand::Synonyms { command } => super::synonyms::run(store, command),
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
        ServicesCommand::Add {
            name,
            organisation,
            description,
            categories,
            phone,
            email,
            address,
            postcode,
            capacity,
        } => {
            let s = crate::storage::local_services::HandMade {
                name,
                organisation,
                description,
                categories,
                phone,
                email,
                address,
                postcode,
                capacity,
            };
            let id = crate::storage::local_services::add(store, &s).context("service not added")?;
            eprintln!("linkwork: service {id} added by hand: {}", s.name.trim());
            println!("{id}");
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

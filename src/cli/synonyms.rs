//! `linkwork services synonyms`: the search thesaurus, listed and edited.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::storage::Store;
use crate::storage::search;

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

pub fn run(store: &mut Store, command: Option<SynonymsCommand>) -> Result<ExitCode> {
    match command {
        None | Some(SynonymsCommand::List { json: false }) => {
            for (word, alts) in search::synonyms(store.conn())? {
                println!("{word}: {}", alts.join(", "));
            }
        }
        Some(SynonymsCommand::List { json: true }) => {
            let out: serde_json::Map<String, serde_json::Value> =
                search::synonyms(store.conn())?.into_iter().map(|(w, a)| (w, serde_json::json!(a))).collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Some(SynonymsCommand::Add { word, alternatives }) => {
            let n = search::add_synonyms(store, &word, &alternatives)?;
            println!("{word}: {n} alternatives added");
        }
        Some(SynonymsCommand::Remove { word, alternatives }) => {
            let n = search::remove_synonyms(store, &word, &alternatives)?;
            println!("{word}: {n} alternatives removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `linkwork keys` and `linkwork verify`: this installation's signing keys,
//! and checking a signed file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::exports;
use crate::storage::{self, Store};

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

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The signer's public key as a JWK file [default: the keys this database knows]
    #[arg(long, value_name = "JWK_FILE")]
    key: Option<PathBuf>,
}

pub fn run(store: &mut Store, command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Public { pem, .. } => {
            let key = exports::current_key(store)?.verifying_key();
            if pem {
                println!("{}", exports::public_pem(&key)?.trim_end());
            } else {
                println!("{}", serde_json::to_string_pretty(&crate::formats::jws::public_jwk(&key))?);
            }
        }
        KeysCommand::Rotate => {
            let (old, new) = exports::rotate(store)?;
            println!("new signing key {new}; key {old} retired (its public key is kept for verifying)");
        }
        KeysCommand::List => {
            exports::current_key(store)?;
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

/// `verify`: with a key file no database is opened; without one, `open` gives
/// the database whose known keys are used.
pub fn verify(args: VerifyArgs, open: impl FnOnce() -> Result<Store>) -> Result<ExitCode> {
    let VerifyArgs { file, key } = args;
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
        None => exports::verify(open()?.conn(), &bytes),
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

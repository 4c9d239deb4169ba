//! `linkwork export letter ID`: the referral letter beside its signed file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::exports;
use crate::formats::letter::Format;
use crate::storage::Store;

pub fn export(
    store: &mut Store,
    id: i64,
    format: Option<Format>,
    out: Option<PathBuf>,
    signed: Option<PathBuf>,
) -> Result<ExitCode> {
    // Refused as the signed export is (no consent, declined), before anything else.
    let worker = store.actor().worker.clone();
    crate::storage::prescriptions::document(store.conn(), id, &worker)?;
    let signed = signed.unwrap_or_else(|| {
        let dir = store.path().parent().unwrap_or(std::path::Path::new(".")).join("exports");
        dir.join(exports::default_export_name(id))
    });
    let bytes = std::fs::read(&signed).with_context(|| {
        format!(
            "could not read the signed referral {} (export it first: linkwork export referral {id} --out {}, or \
             give --signed FILE)",
            signed.display(),
            signed.display()
        )
    })?;
    let format = format.or_else(|| out.as_deref().and_then(Format::from_extension)).unwrap_or(if out.is_some() {
        Format::Html
    } else {
        Format::Text
    });
    match out {
        Some(out) => {
            let done = exports::export_letter(store, id, &bytes, format, exports::to_file(&out))?;
            eprintln!(
                "linkwork: {}: the letter for {} (sha256 {}, key {})",
                out.display(),
                signed.display(),
                done.sha256,
                done.kid
            );
        }
        None => {
            exports::export_letter(store, id, &bytes, format, exports::Destination::Stdout)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

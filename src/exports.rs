//! What leaves the computer, end to end: this installation's Ed25519 signing key
//! (made on first use, kept as PKCS#8 PEM in the key folder beside the database,
//! owner-only) and its rotation; the signed referral to a service; the weekly
//! summary; verifying a signed file. It ties storage (the records, the public
//! keys, the audit trail) to formats (the JWS envelope, the summary's forms).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, spki::der::pem::LineEnding};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::formats::jws::{self, Verified, VerifyError};
use crate::storage::{self, Store, keys, prescriptions};

const KEY_FILE: &str = "signing-key.pem";

/// The key folder: `keys/` beside the database (the data folder by default). A
/// demo database signs with a key of its own in `demo-keys/`, so that nothing
/// about invented people can carry the installation's real signature.
pub fn key_dir(store: &Store) -> PathBuf {
    let demo = store.setting("is_demo").ok().flatten().as_deref() == Some("1");
    store.path().parent().unwrap_or(Path::new(".")).join(if demo { "demo-keys" } else { "keys" })
}

fn key_path(store: &Store) -> PathBuf {
    key_dir(store).join(KEY_FILE)
}

fn generate() -> Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("the system gave no random numbers for a key: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Written as PKCS#8 v1 (RFC 8410 section 7: the private key alone), the form
/// OpenSSL 3 and Python's cryptography read, so a PCN can back up and inspect its
/// key with standard tools. (The v2 form with the public key, written before, is
/// still read: see [`current_key`].)
fn write_key(path: &Path, key: &SigningKey) -> Result<()> {
    let v1 = ed25519_dalek::pkcs8::KeypairBytes { secret_key: key.to_bytes(), public_key: None };
    let pem = v1.to_pkcs8_pem(LineEnding::LF).map_err(|e| anyhow::anyhow!("could not encode the key: {e}"))?;
    storage::write_private(path, pem.as_bytes())
}

/// The current signing key, made on first use. Its public half is recorded in
/// the database (with an audit record) if the database does not know it yet.
pub fn current_key(store: &mut Store) -> Result<SigningKey> {
    let path = key_path(store);
    let key = if path.exists() {
        let pem = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
        SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow::anyhow!("{} is not an Ed25519 PKCS#8 key ({e})", path.display()))?
    } else {
        storage::create_data_dir(&key_dir(store))?;
        let key = generate()?;
        write_key(&path, &key)?;
        key
    };
    let public = key.verifying_key();
    let kid = jws::thumbprint(&public);
    if keys::find(store.conn(), &kid)?.is_none() {
        let actor = store.actor().clone();
        let tx = store.write()?;
        keys::make_current(&tx, &actor, &kid, &jws::public_jwk(&public).to_string(), "signing key in use")?;
        tx.commit()?;
    }
    Ok(key)
}

/// Make a new key and retire the current one: its private half is deleted, its
/// public half stays in the database so that what it signed still verifies.
/// Returns (the retired kid, the new kid).
pub fn rotate(store: &mut Store) -> Result<(String, String)> {
    let old = jws::thumbprint(&current_key(store)?.verifying_key());
    let new_key = generate()?;
    let public = new_key.verifying_key();
    let kid = jws::thumbprint(&public);
    let path = key_path(store);
    let staged = path.with_extension("pem.new");
    write_key(&staged, &new_key)?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    keys::make_current(&tx, &actor, &kid, &jws::public_jwk(&public).to_string(), "signing key rotated")?;
    if let Err(e) = std::fs::rename(&staged, &path) {
        let _ = std::fs::remove_file(&staged);
        return Err(e).context("could not put the new key in place; the old key is still in use");
    }
    tx.commit()?;
    Ok((old, kid))
}

/// The public key in PEM (`SubjectPublicKeyInfo`) form.
pub fn public_pem(key: &VerifyingKey) -> Result<String> {
    key.to_public_key_pem(LineEnding::LF).map_err(|e| anyhow::anyhow!("could not encode the public key: {e}"))
}

/// A signed referral, written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    pub sha256: String,
    pub kid: String,
}

/// The file name an export gets in the TUI.
pub fn default_export_name(prescription_id: i64) -> String {
    format!("referral-{prescription_id}.jws.json")
}

/// Where a signed export goes.
#[derive(Clone, Copy, Debug)]
pub enum Destination<'a> {
    /// A file only its owner can read: written under a temporary name, recorded,
    /// then renamed (see [`deliver`]).
    File(&'a Path),
    /// Standard output, written inside the transaction that records it.
    Stdout,
}

/// A file destination.
pub fn to_file(out: &Path) -> Destination<'_> {
    Destination::File(out)
}

/// The header member that carries the audit chain's head in a signed export.
pub const AUDIT_HEAD_HEADER: &str = "lw_audit_head";

/// Sign prescription `id`'s referral document and deliver it with its record:
/// its SHA-256 on the prescription and in the audit trail; a draft becomes
/// sent. The protected header carries the audit chain's head at signing
/// (`lw_audit_head`, `id:hash`), so the trail cannot later be cut short
/// unseen. Refused without consent.
pub fn export_referral(store: &mut Store, id: i64, dest: Destination<'_>) -> Result<Exported> {
    let key = current_key(store)?;
    let issuer = store.actor().worker.clone();
    let document = prescriptions::document(store.conn(), id, &issuer)?;
    let value = serde_json::to_value(&document)?;
    let head = storage::audit::head(store.conn())?.map(|h| h.label()).unwrap_or_default();
    let signed = jws::sign_with(&value, &key, jws::TYP_REFERRAL, &[(AUDIT_HEAD_HEADER, head.into())])
        .map_err(anyhow::Error::msg)?;
    let sha256 = hex(&Sha256::digest(signed.as_bytes()));
    let kid = jws::thumbprint(&key.verifying_key());
    deliver(store, dest, signed.as_bytes(), |tx, actor| prescriptions::record_export(tx, actor, id, &sha256, &kid))?;
    Ok(Exported { sha256, kid })
}

/// The file name of a referral's letter beside its signed file in the TUI.
pub fn default_letter_name(prescription_id: i64, format: crate::formats::letter::Format) -> String {
    format!("referral-{prescription_id}.letter.{}", format.extension())
}

/// Write prescription `id`'s referral letter (formats/letter.rs) from its signed
/// file `signed`, delivered as safely as the signed file and audited. The
/// letter is made from the signed file's own payload, so it carries what that
/// file carries and nothing more. Refused exactly as the signed export is
/// (no consent, declined), and when `signed` is not this installation's
/// signature, not prescription `id`'s referral, or not its latest export.
pub fn export_letter(
    store: &mut Store,
    id: i64,
    signed: &[u8],
    format: crate::formats::letter::Format,
    dest: Destination<'_>,
) -> Result<Exported> {
    use crate::formats::letter;
    let issuer = store.actor().worker.clone();
    // The same refusals as the signed export, before anything is read from the file.
    prescriptions::document(store.conn(), id, &issuer)?;
    let Some(row) = prescriptions::get(store.conn(), id)? else { bail!("there is no prescription {id}") };
    let verified = verify(store.conn(), signed).map_err(|e| anyhow::anyhow!("the signed file does not verify: {e}"))?;
    if verified.typ.as_deref() != Some(jws::TYP_REFERRAL) || verified.document["referral_id"].as_i64() != Some(id) {
        bail!("the signed file is not the referral of prescription {id}");
    }
    let sha256 = hex(&Sha256::digest(signed));
    if row.export_sha256.as_deref() != Some(sha256.as_str()) {
        bail!(
            "the signed file is not prescription {id}'s latest export (sha256 {}); write the letter from the file              that was sent",
            row.export_sha256.as_deref().unwrap_or("none recorded")
        );
    }
    let seal = letter::Seal { sha256: sha256.clone(), kid: verified.kid.clone() };
    let text = letter::render(&verified.document, id, &seal, format);
    let what = format!("referral letter ({}) written for signed file sha256 {sha256}", format.extension());
    deliver(store, dest, text.as_bytes(), |tx, actor| {
        storage::audit::record(
            tx,
            actor,
            storage::audit::Action::Export,
            "prescription",
            Some(id),
            Some(row.client_id),
            &what,
        )
    })?;
    Ok(Exported { sha256, kid: verified.kid })
}

/// Deliver `bytes` and record it (`record`, in one transaction) so that a crash
/// at any moment leaves both or neither:
/// 1. a `pending_file` row says where the file is going (committed);
/// 2. the file is written under a temporary name and flushed;
/// 3. the record is made and the row marked recorded, in one transaction;
/// 4. the file is renamed into place, and the row removed.
///
/// After a crash, [`finish_pending`] at the next start renames a recorded file
/// into place and removes an unrecorded one (it may hold personal data).
pub fn deliver(
    store: &mut Store,
    dest: Destination<'_>,
    bytes: &[u8],
    record: impl FnOnce(&rusqlite::Transaction<'_>, &storage::Actor) -> Result<()>,
) -> Result<()> {
    let actor = store.actor().clone();
    let out = match dest {
        Destination::Stdout => {
            let tx = store.write()?;
            record(&tx, &actor)?;
            to_stdout(bytes)?;
            tx.commit()?;
            return Ok(());
        }
        Destination::File(out) => out,
    };
    if out.is_dir() {
        bail!("{} is a folder; give a file name", out.display());
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("the folder {} does not exist", parent.display());
    }
    let partial = storage::files::partial_path(out);
    let sha256 = hex(&Sha256::digest(bytes));
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO pending_file (partial, final, sha256, pid, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            partial.to_string_lossy(),
            out.to_string_lossy(),
            sha256,
            std::process::id(),
            storage::now_utc()
        ],
    )?;
    let pending = tx.last_insert_rowid();
    tx.commit()?;
    crate::faults::point("export:pending");
    let forget = |store: &mut Store| {
        let _ = std::fs::remove_file(&partial);
        let _ = store.conn().execute("DELETE FROM pending_file WHERE id = ?1", [pending]);
    };

    let written = (|| -> Result<()> {
        let _ = std::fs::remove_file(&partial);
        storage::create_private_file(&partial)?;
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().write(true).open(&partial)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        forget(store);
        return Err(e.context(format!("could not write {}; nothing was recorded", out.display())));
    }
    crate::faults::point("export:written");

    let recorded = (|| -> Result<()> {
        let tx = store.write()?;
        record(&tx, &actor)?;
        tx.execute("UPDATE pending_file SET recorded = 1 WHERE id = ?1", [pending])?;
        tx.commit()?;
        Ok(())
    })();
    if let Err(e) = recorded {
        forget(store);
        return Err(e.context("the export could not be recorded, so it was not written"));
    }
    crate::faults::point("export:recorded");

    std::fs::rename(&partial, out).with_context(|| {
        format!(
            "the export is recorded but could not be put in place at {}; it is kept as {} and will be moved there \
             at the next start",
            out.display(),
            partial.display()
        )
    })?;
    storage::files::sync_dir(out);
    crate::faults::point("export:renamed");
    store.conn().execute("DELETE FROM pending_file WHERE id = ?1", [pending])?;
    Ok(())
}

/// After a crash: finish every export whose writer has died. A recorded one is
/// renamed into place (if its temporary file is whole); an unrecorded one is
/// removed. Returns a line for each, for the person to read.
pub fn finish_pending(store: &mut Store) -> Result<Vec<String>> {
    let rows: Vec<(i64, String, String, String, i64, bool)> = store
        .conn()
        .prepare("SELECT id, partial, final, sha256, pid, recorded FROM pending_file ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut said = Vec::new();
    for (id, partial, final_, sha256, pid, recorded) in rows {
        if storage::files::alive(u32::try_from(pid).unwrap_or(0)) {
            continue;
        }
        let (partial, final_) = (PathBuf::from(partial), PathBuf::from(final_));
        let whole = std::fs::read(&partial).is_ok_and(|b| hex(&Sha256::digest(&b)) == sha256);
        if recorded && whole {
            std::fs::rename(&partial, &final_)
                .with_context(|| format!("moving the interrupted export {} into place", final_.display()))?;
            storage::files::sync_dir(&final_);
            said.push(format!("an export interrupted earlier was finished: {}", final_.display()));
        } else {
            let _ = std::fs::remove_file(&partial);
            if recorded && !final_.exists() {
                said.push(format!(
                    "an export recorded earlier never reached {} (its file was lost); export it again",
                    final_.display()
                ));
            }
        }
        store.conn().execute("DELETE FROM pending_file WHERE id = ?1", [id])?;
    }
    Ok(said)
}

/// Put right what a process that died left behind, at the start of the next:
/// partial files (they may hold personal data) beside the database, in
/// `exports/` and in `backups/`, and exports cut off half way
/// ([`finish_pending`]). Returns a line for each thing done worth saying.
pub fn recover(store: &mut Store) -> Result<Vec<String>> {
    let mut said = finish_pending(store)?;
    let dir = store.path().parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
    for folder in [dir.clone(), dir.join("exports"), storage::backup::backup_dir(store.path())] {
        for removed in storage::files::sweep(&folder)? {
            said.push(format!("removed {}, left unfinished by a linkwork that stopped", removed.display()));
        }
    }
    Ok(said)
}

/// Write bytes to standard output, text stripped of control characters as
/// everything printed is (JSON escapes its own, so a signed document is
/// unchanged). A closed pipe comes back as the error, for the command line to
/// end quietly.
fn to_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match std::str::from_utf8(bytes) {
        Ok(text) => out.write_all(crate::domain::text::strip_controls(text).as_bytes()),
        Err(_) => out.write_all(bytes),
    }
    .and_then(|()| out.flush())
    .context("could not write to standard output")
}

/// Sign any document (the weekly summary) with the current key.
pub fn sign_document(store: &mut Store, document: &serde_json::Value, typ: &str) -> Result<String> {
    let key = current_key(store)?;
    jws::sign(document, &key, typ).map_err(anyhow::Error::msg)
}

/// Verify a signed file with the signer's public key (from `--key`): the file's
/// `kid` must be that key's thumbprint.
pub fn verify_with_key(bytes: &[u8], key: &VerifyingKey) -> Result<Verified, VerifyError> {
    jws::verify(bytes, |kid| {
        if jws::thumbprint(key) == kid {
            Ok(*key)
        } else {
            Err(VerifyError::UnknownKey(format!(
                "the file was signed by key {kid}, not by the key given ({})",
                jws::thumbprint(key)
            )))
        }
    })
}

/// Verify a signed file with the keys this database knows, retired ones included.
pub fn verify(conn: &Connection, bytes: &[u8]) -> Result<Verified, VerifyError> {
    jws::verify(bytes, |kid| {
        let jwk = keys::find(conn, kid)
            .map_err(|e| VerifyError::UnknownKey(format!("could not read the known keys: {e}")))?
            .ok_or_else(|| {
                VerifyError::UnknownKey(format!(
                    "key {kid} is not one of this installation's keys; verify with the sender's public key (--key FILE)"
                ))
            })?;
        jws::parse_jwk(&jwk).map_err(VerifyError::Malformed)
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a summary is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRequest {
    pub period: crate::domain::summary::Period,
    pub format: crate::formats::summary::Format,
    pub suppress_small: bool,
    /// Wrap the JSON in the same JWS envelope as referrals.
    pub signed: bool,
}

/// Make the summary's bytes and deliver them with the export's audit record
/// (see [`deliver`]). A signed summary carries the audit chain's head.
pub fn export_summary(store: &mut Store, req: &SummaryRequest, dest: Destination<'_>) -> Result<()> {
    use crate::formats::summary::{self, Format};
    if req.signed && req.format != Format::Json {
        bail!("a signed summary is JSON: use --format json (or leave --format out)");
    }
    let mut s = storage::summary::compute(store.conn(), &req.period)?;
    if req.suppress_small {
        s.suppress();
    }
    let text = if req.signed {
        let key = current_key(store)?;
        let head = storage::audit::head(store.conn())?.map(|h| h.label()).unwrap_or_default();
        jws::sign_with(&serde_json::to_value(&s)?, &key, jws::TYP_SUMMARY, &[(AUDIT_HEAD_HEADER, head.into())])
            .map_err(anyhow::Error::msg)?
    } else if req.format == Format::Html {
        let meta = crate::formats::summary_html::Meta {
            pcn: storage::report::pcn(store.conn())?,
            made_at: storage::now_utc(),
            made_by: store.actor().worker.clone(),
            weeks: storage::report::referrals_by_week(store.conn(), req.period.to)?,
        };
        crate::formats::summary_html::render(&s, &meta)
    } else {
        summary::render(&s, req.format)
    };
    let what = format!(
        "weekly summary {} as {}{}{}",
        req.period.label(),
        req.format.extension(),
        if req.suppress_small { ", small numbers suppressed" } else { "" },
        if req.signed { ", signed" } else { "" }
    );
    deliver(store, dest, text.as_bytes(), |tx, actor| {
        storage::audit::record(tx, actor, storage::audit::Action::Export, "summary", None, None, &what)
    })
}

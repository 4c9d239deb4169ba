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

/// Sign prescription `id`'s referral document and hand the bytes to `write`
/// (a private file, or standard output) inside the transaction that records the
/// export: its SHA-256 on the prescription and in the audit trail; a draft
/// becomes sent. If `write` fails nothing is recorded. Refused without consent.
pub fn export_referral(store: &mut Store, id: i64, write: impl FnOnce(&[u8]) -> Result<()>) -> Result<Exported> {
    let key = current_key(store)?;
    let issuer = store.actor().worker.clone();
    let document = prescriptions::document(store.conn(), id, &issuer)?;
    let value = serde_json::to_value(&document)?;
    let signed = jws::sign(&value, &key, jws::TYP_REFERRAL).map_err(anyhow::Error::msg)?;
    let sha256 = hex(&Sha256::digest(signed.as_bytes()));
    let kid = jws::thumbprint(&key.verifying_key());
    let actor = store.actor().clone();
    let tx = store.write()?;
    prescriptions::record_export(&tx, &actor, id, &sha256, &kid)?;
    write(signed.as_bytes())?;
    tx.commit().context("the export was written but could not be recorded")?;
    Ok(Exported { sha256, kid })
}

/// Write a signed export to a file only its owner can read.
pub fn to_file(out: &Path) -> impl FnOnce(&[u8]) -> Result<()> + '_ {
    move |bytes| {
        if out.is_dir() {
            bail!("{} is a folder; give a file name", out.display());
        }
        storage::write_private(out, bytes)
    }
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

/// Make the summary's bytes and record the export in the audit trail; `write`
/// receives them inside that transaction (nothing is recorded if it fails).
pub fn export_summary(store: &mut Store, req: &SummaryRequest, write: impl FnOnce(&[u8]) -> Result<()>) -> Result<()> {
    use crate::formats::summary::{self, Format};
    if req.signed && req.format != Format::Json {
        bail!("a signed summary is JSON: use --format json (or leave --format out)");
    }
    let mut s = storage::summary::compute(store.conn(), &req.period)?;
    if req.suppress_small {
        s.suppress();
    }
    let text = if req.signed {
        sign_document(store, &serde_json::to_value(&s)?, jws::TYP_SUMMARY)?
    } else {
        summary::render(&s, req.format)
    };
    let actor = store.actor().clone();
    let tx = store.write()?;
    let what = format!(
        "weekly summary {} as {}{}{}",
        req.period.label(),
        req.format.extension(),
        if req.suppress_small { ", small numbers suppressed" } else { "" },
        if req.signed { ", signed" } else { "" }
    );
    storage::audit::record(&tx, &actor, storage::audit::Action::Export, "summary", None, None, &what)?;
    write(text.as_bytes())?;
    tx.commit()?;
    Ok(())
}

//! Holistic assessments: what matters to the person, needs by domain, strengths.
//! A reassessment adds a new version; earlier ones stay as they were.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::params;

use super::audit::{self, Action};
use super::{Store, now_utc};

pub const WHAT_MATTERS_MAX: usize = 4000;
pub const STRENGTHS_MAX: usize = 2000;
pub const NEED_NOTE_MAX: usize = 300;
pub const LEVELS: [&str; 3] = ["none", "some", "significant"];

/// An assessment as entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAssessment {
    pub what_matters: String,
    pub strengths: String,
    /// (need code, level, note); needs at level "none" without a note are not stored.
    pub needs: Vec<(String, String, String)>,
}

fn check_len(field: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        bail!("{field}: {n} characters is too long; at most {max}");
    }
    if crate::domain::text::has_controls(text, true) {
        bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
    }
    Ok(())
}

/// Store a new version of the client's assessment in their current episode;
/// returns (id, version).
pub fn add(store: &mut Store, client_id: i64, a: &NewAssessment, today: NaiveDate) -> Result<(i64, i64)> {
    check_len("what matters", &a.what_matters, WHAT_MATTERS_MAX)?;
    check_len("strengths", &a.strengths, STRENGTHS_MAX)?;
    for (code, level, note) in &a.needs {
        if !LEVELS.contains(&level.as_str()) {
            bail!("need {code}: level '{level}' is not one of {}", LEVELS.join(", "));
        }
        check_len(&format!("need {code}: note"), note, NEED_NOTE_MAX)?;
    }
    if a.what_matters.trim().is_empty() && a.strengths.trim().is_empty() && a.needs.iter().all(|n| n.1 == "none") {
        bail!("the assessment is empty: write what matters to the person, or mark a need");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let referral = super::current_referral(&tx, client_id)?.map(|(id, _)| id);
    let Some(referral) = referral else { bail!("client {client_id} has no referral to assess in") };
    let version: i64 =
        tx.query_row("SELECT coalesce(max(version), 0) + 1 FROM assessment WHERE client_id = ?1", [client_id], |r| {
            r.get(0)
        })?;
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    tx.execute(
        "INSERT INTO assessment (referral_id, client_id, version, assessed_on, what_matters, strengths, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT id FROM link_worker WHERE name = ?7), ?8)",
        params![referral, client_id, version, today, text(&a.what_matters), text(&a.strengths), actor.worker, now_utc()],
    )?;
    let id = tx.last_insert_rowid();
    for (code, level, note) in &a.needs {
        if level == "none" && note.trim().is_empty() {
            continue;
        }
        tx.execute(
            "INSERT INTO assessment_need (assessment_id, code, level, note) VALUES (?1, ?2, ?3, ?4)",
            params![id, code, level, text(note)],
        )?;
    }
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "assessment",
        Some(id),
        Some(client_id),
        &format!("assessment version {version}"),
    )?;
    tx.commit()?;
    Ok((id, version))
}

//! Social prescriptions: create one for a client's current episode, record
//! consent, move it through the hand-over states (each move an event and an audit
//! record), mark unanswered ones "no response", and read the document a service
//! receives.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::audit::{self, Action, Actor};
use super::{Store, now_utc};
use crate::domain::nhs::format_digits;
use crate::domain::prescription::{
    self, Coding, Consent, ConsentRecord, DOCUMENT_SCHEMA, Issuer, Person, ReferralDocument, ServiceRef, State,
};
use crate::domain::referral::SNOMED_REFERRAL;

pub const TEXT_MAX: usize = 2000;
/// The longest reason a service gives for declining.
pub const REASON_MAX: usize = 500;

/// What a Link Worker asks for when prescribing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPrescription {
    pub client_id: i64,
    pub service_id: i64,
    /// Need codes it addresses; empty means the episode's referral reasons.
    pub needs: Vec<String>,
    /// What the person wants from it (goes to the service as "what matters").
    pub wants: String,
    /// A note for the record (stays here; not sent).
    pub note: String,
    pub consent: Option<Consent>,
    pub share_nhs_number: bool,
}

/// A prescription made, with what the Link Worker should know about the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub warnings: Vec<String>,
}

/// The days a service has to answer (setting `no_response_days`, default 14).
pub fn no_response_days(conn: &Connection) -> Result<i64> {
    let v: Option<String> =
        conn.query_row("SELECT value FROM setting WHERE key = 'no_response_days'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| v.trim().parse().ok()).filter(|d| *d > 0).unwrap_or(prescription::NO_RESPONSE_DAYS))
}

/// Create a social prescription in the client's current (open) episode.
pub fn create(store: &mut Store, p: &NewPrescription) -> Result<Created> {
    for (field, text) in [("what the person wants", &p.wants), ("note", &p.note)] {
        let n = text.chars().count();
        if n > TEXT_MAX {
            bail!("{field}: {n} characters is too long; at most {TEXT_MAX}");
        }
        if crate::domain::text::has_controls(text, true) {
            bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
        }
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let name: Option<String> =
        tx.query_row("SELECT name FROM client WHERE id = ?1", [p.client_id], |r| r.get(0)).optional()?;
    if name.is_none() {
        bail!("there is no client {}", p.client_id);
    }
    let episode: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, status FROM referral WHERE client_id = ?1 ORDER BY received_on DESC, id DESC LIMIT 1",
            [p.client_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let referral_id = match episode {
        None => bail!("client {} has no referral to prescribe in", p.client_id),
        Some((_, status)) if status == "closed" => {
            bail!("client {}'s episode is closed; take in a new referral before prescribing", p.client_id)
        }
        Some((id, _)) => id,
    };
    let service: Option<(String, String, bool)> = tx
        .query_row("SELECT name, status, accepting_referrals FROM service WHERE id = ?1", [p.service_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((service_name, service_status, accepting)) = service else {
        bail!("there is no service {} in the directory", p.service_id)
    };
    if service_status == "defunct" {
        bail!("{service_name} is marked defunct in the directory; choose another service");
    }
    let mut warnings = Vec::new();
    if service_status != "active" {
        warnings.push(format!("{service_name} is {service_status}"));
    }
    if !accepting {
        warnings.push(format!("{service_name} is not accepting referrals at the moment"));
    }

    let needs = if p.needs.is_empty() {
        let mut stmt = tx.prepare("SELECT code FROM referral_reason WHERE referral_id = ?1 ORDER BY code")?;
        stmt.query_map([referral_id], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        let known = super::referrals::need_codes(&tx)?;
        for n in &p.needs {
            if !known.contains(n) {
                bail!("need: '{n}' is not one of {}", known.join(", "));
            }
        }
        p.needs.clone()
    };

    let now = now_utc();
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let consent = p.consent.map(Consent::code);
    tx.execute(
        "INSERT INTO prescription (client_id, referral_id, service_id, needs, wants, note, consent, consent_by,
                                   consent_at, share_nhs_number, state, state_at, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'draft', ?11,
                 (SELECT id FROM link_worker WHERE name = ?12), ?11)",
        params![
            p.client_id,
            referral_id,
            p.service_id,
            serde_json::to_string(&needs)?,
            text(&p.wants),
            text(&p.note),
            consent,
            consent.map(|_| actor.worker.as_str()),
            consent.map(|_| now.as_str()),
            p.share_nhs_number,
            now,
            actor.worker,
        ],
    )?;
    let id = tx.last_insert_rowid();
    event(&tx, id, State::Draft, &now, None, &actor)?;
    let consent_words = consent.map_or_else(|| "no consent recorded yet".to_owned(), |c| format!("{c} consent"));
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "prescription",
        Some(id),
        Some(p.client_id),
        &format!("social prescription to {service_name} (service {}): draft, {consent_words}", p.service_id),
    )?;
    tx.commit()?;
    Ok(Created { id, warnings })
}

fn event(tx: &Transaction, id: i64, state: State, at: &str, note: Option<&str>, actor: &Actor) -> Result<()> {
    tx.execute(
        "INSERT INTO prescription_event (prescription_id, state, at, note, by_worker) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, state.code(), at, note, actor.worker],
    )?;
    Ok(())
}

/// Record the person's consent to share their details with the service (drafts only).
pub fn record_consent(store: &mut Store, id: i64, consent: Consent) -> Result<()> {
    let actor = store.actor().clone();
    let tx = store.write()?;
    let (state, client_id) = head(&tx, id)?;
    if state != State::Draft {
        bail!("prescription {id} is {}: consent is recorded before it is sent", state.label());
    }
    let now = now_utc();
    tx.execute(
        "UPDATE prescription SET consent = ?2, consent_by = ?3, consent_at = ?4 WHERE id = ?1",
        params![id, consent.code(), actor.worker, now],
    )?;
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "prescription",
        Some(id),
        Some(client_id),
        &format!("{consent} consent to share with the service recorded"),
    )?;
    tx.commit()?;
    Ok(())
}

fn head(conn: &Connection, id: i64) -> Result<(State, i64)> {
    let row: Option<(String, i64)> = conn
        .query_row("SELECT state, client_id FROM prescription WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((state, client)) = row else { bail!("there is no prescription {id}") };
    Ok((State::parse(&state).map_err(anyhow::Error::msg)?, client))
}

/// Move a prescription to `to`, checked against the hand-over rules; returns the
/// state it left.
pub fn set_state(store: &mut Store, id: i64, to: State, reason: Option<&str>) -> Result<State> {
    if let Some(n) = reason.map(|r| r.trim().chars().count()).filter(|n| *n > REASON_MAX) {
        bail!("reason: {n} characters is too long; at most {REASON_MAX}");
    }
    if reason.is_some_and(|r| crate::domain::text::has_controls(r, true)) {
        bail!("reason: contains a control character (an escape sequence or similar); type it again without");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let from = move_in(&tx, &actor, id, to, reason, &now_utc())?;
    tx.commit()?;
    Ok(from)
}

fn move_in(tx: &Transaction, actor: &Actor, id: i64, to: State, reason: Option<&str>, now: &str) -> Result<State> {
    let (from, client_id) = head(tx, id)?;
    let has_consent: bool =
        tx.query_row("SELECT consent IS NOT NULL FROM prescription WHERE id = ?1", [id], |r| r.get(0))?;
    prescription::check_move(from, to, has_consent, reason).map_err(|e| anyhow::anyhow!("prescription {id}: {e}"))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let answer = matches!(to, State::Accepted | State::Declined | State::NoResponse);
    tx.execute(
        "UPDATE prescription SET state = ?2, state_at = ?3,
                sent_at = CASE WHEN ?2 = 'sent' THEN ?3 ELSE sent_at END,
                answered_at = CASE WHEN ?2 = 'sent' THEN NULL
                                   WHEN ?4 AND answered_at IS NULL THEN ?3 ELSE answered_at END,
                decline_reason = CASE WHEN ?2 = 'declined' THEN ?5 ELSE decline_reason END
         WHERE id = ?1",
        params![id, to.code(), now, answer, reason],
    )?;
    event(tx, id, to, now, reason, actor)?;
    let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    audit::record(
        tx,
        actor,
        Action::Update,
        "prescription",
        Some(id),
        Some(client_id),
        &format!("hand-over state {} → {}{why}", from.code(), to.code()),
    )?;
    Ok(from)
}

/// Mark "no response" every prescription sent (or acknowledged) `no_response_days`
/// or more before `today` without an answer; one transaction; returns how many.
pub fn mark_no_response(store: &mut Store, today: NaiveDate) -> Result<usize> {
    const WAITING: &str =
        "SELECT id FROM prescription WHERE state IN ('sent', 'acknowledged') AND date(sent_at) <= ?1 ORDER BY id";
    let days = no_response_days(store.conn())?;
    let cutoff = (today - chrono::Duration::days(days)).to_string();
    let ids = |conn: &Connection| -> Result<Vec<i64>> {
        let mut stmt = conn.prepare_cached(WAITING)?;
        let ids = stmt.query_map([&cutoff], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    };
    // Most starts find none: look without taking the write lock.
    if ids(store.conn())?.is_empty() {
        return Ok(0);
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    // Read again under the lock: another linkwork may have recorded an answer since.
    let waiting = ids(&tx)?;
    let now = now_utc();
    let note = format!("no answer within {days} days");
    for id in &waiting {
        move_in(&tx, &actor, *id, State::NoResponse, Some(&note), &now)?;
    }
    tx.commit()?;
    Ok(waiting.len())
}

/// One prescription as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub service_id: i64,
    pub service_name: String,
    pub state: State,
    pub consent: Option<String>,
    pub share_nhs_number: bool,
    pub needs: Vec<String>,
    pub wants: Option<String>,
    pub decline_reason: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub state_at: String,
    pub export_sha256: Option<String>,
}

/// Prescriptions, newest first: one client's, or all in a state, or all.
pub fn list(conn: &Connection, client_id: Option<i64>, state: Option<State>) -> Result<Vec<Row>> {
    // One statement per filter, so that each reads its index (a client's few
    // prescriptions must not cost a scan of them all).
    let filter = match (client_id, state) {
        (Some(_), Some(_)) => "p.client_id = ?1 AND p.state = ?2",
        (Some(_), None) => "p.client_id = ?1 AND ?2 IS NULL",
        (None, Some(_)) => "?1 IS NULL AND p.state = ?2",
        (None, None) => "?1 IS NULL AND ?2 IS NULL",
    };
    select(conn, filter, params![client_id, state.map(State::code)])
}

/// One prescription.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Row>> {
    Ok(select(conn, "p.id = ?1", params![id])?.pop())
}

fn select(conn: &Connection, filter: &str, params: impl rusqlite::Params) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.id, p.client_id, c.name, p.service_id, s.name, p.state, p.consent, p.share_nhs_number, p.needs,
                p.wants, p.decline_reason, p.created_at, p.sent_at, p.state_at, p.export_sha256
         FROM prescription p JOIN client c ON c.id = p.client_id JOIN service s ON s.id = p.service_id
         WHERE {filter}
         ORDER BY p.created_at DESC, p.id DESC"
    ))?;
    let rows = stmt.query_map(params, |r| {
        let needs: String = r.get(8)?;
        Ok(Row {
            id: r.get(0)?,
            client_id: r.get(1)?,
            client_name: r.get(2)?,
            service_id: r.get(3)?,
            service_name: r.get(4)?,
            state: super::caseload::parse_col(r, 5, State::parse)?,
            consent: r.get(6)?,
            share_nhs_number: r.get(7)?,
            needs: serde_json::from_str(&needs).unwrap_or_default(),
            wants: r.get(9)?,
            decline_reason: r.get(10)?,
            created_at: r.get(11)?,
            sent_at: r.get(12)?,
            state_at: r.get(13)?,
            export_sha256: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The document a service receives for prescription `id`, issued now by `issuer`.
/// Refused without recorded consent.
pub fn document(conn: &Connection, id: i64, issuer: &str) -> Result<ReferralDocument> {
    let Some(p) = get(conn, id)? else { bail!("there is no prescription {id}") };
    let Some(method) = p.consent else {
        bail!(
            "prescription {id} cannot be exported: the person's consent to share their details with {} is not \
             recorded. Ask them, then record it (linkwork prescribe --record-consent {id} --consent verbal|written)",
            p.service_name
        )
    };
    if p.state == State::Declined {
        bail!("prescription {id} was declined by {}; make a new prescription to refer again", p.service_name);
    }
    let (mut person, service, consent_by, recorded_at, practice) = conn.query_row(
        "SELECT c.name, c.date_of_birth, c.phone, c.email, c.postcode, c.nhs_number,
                CASE WHEN c.interpreter_needed THEN c.interpreter_language END,
                s.id, s.source_id, s.name, o.name, p.consent_by, p.consent_at, r.practice_id
         FROM prescription p JOIN client c ON c.id = p.client_id JOIN service s ON s.id = p.service_id
         LEFT JOIN organisation o ON o.id = s.organisation_id JOIN referral r ON r.id = p.referral_id
         WHERE p.id = ?1",
        [id],
        |r| {
            let person = Person {
                name: r.get(0)?,
                date_of_birth: r.get(1)?,
                phone: r.get(2)?,
                email: r.get(3)?,
                postcode: r.get(4)?,
                nhs_number: r.get(5)?,
                interpreter_language: r.get(6)?,
            };
            let service =
                ServiceRef { id: r.get(7)?, open_referral_id: r.get(8)?, name: r.get(9)?, organisation: r.get(10)? };
            Ok((
                person,
                service,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, String>(12)?,
                r.get::<_, Option<i64>>(13)?,
            ))
        },
    )?;
    person.nhs_number = if p.share_nhs_number { person.nhs_number.map(|n| format_digits(&n)) } else { None };

    let labels = super::referrals::need_labels(conn)?;
    let needs = p
        .needs
        .into_iter()
        .map(|code| {
            let display = labels.iter().find(|(c, _)| *c == code).map_or_else(|| code.clone(), |(_, l)| l.clone());
            Coding { code, display }
        })
        .collect();

    let worker: Option<(Option<String>, Option<i64>, Option<i64>)> = conn
        .query_row("SELECT email, practice_id, pcn_id FROM link_worker WHERE name = ?1", [issuer], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (email, worker_practice, worker_pcn) = worker.unwrap_or_default();
    let practice_id = practice.or(worker_practice);
    let practice: Option<(String, Option<i64>)> = match practice_id {
        Some(pid) => conn
            .query_row("SELECT name, pcn_id FROM practice WHERE id = ?1", [pid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
        None => None,
    };
    let pcn_id = practice.as_ref().and_then(|p| p.1).or(worker_pcn);
    let pcn: Option<String> = match pcn_id {
        Some(id) => conn.query_row("SELECT name FROM pcn WHERE id = ?1", [id], |r| r.get(0)).optional()?,
        None => None,
    };

    Ok(ReferralDocument {
        schema: DOCUMENT_SCHEMA,
        referral_id: id,
        issued_at: now_utc(),
        issuer: Issuer { link_worker: issuer.to_owned(), email, practice: practice.map(|p| p.0), pcn },
        code: Coding {
            code: SNOMED_REFERRAL.to_owned(),
            display: "Referral to social prescribing service (procedure)".to_owned(),
        },
        person,
        service,
        needs,
        what_matters: p.wants,
        consent: ConsentRecord {
            method,
            recorded_by: consent_by.unwrap_or_else(|| issuer.to_owned()),
            recorded_at,
            share_nhs_number: p.share_nhs_number,
        },
    })
}

/// Record an export in the same transaction as the caller's file write: the
/// SHA-256 on the prescription, a draft becomes sent, and an audit record.
pub fn record_export(tx: &Transaction, actor: &Actor, id: i64, sha256: &str, kid: &str) -> Result<()> {
    let (state, client_id) = head(tx, id)?;
    if state == State::Draft {
        move_in(tx, actor, id, State::Sent, None, &now_utc())?;
    }
    tx.execute("UPDATE prescription SET export_sha256 = ?2 WHERE id = ?1", params![id, sha256])?;
    audit::record(
        tx,
        actor,
        Action::Export,
        "prescription",
        Some(id),
        Some(client_id),
        &format!("signed referral exported (sha256 {sha256}, key {kid})"),
    )?;
    Ok(())
}

//! Referrals in: intake (one, or many from a CSV file) and triage decisions, each
//! in one transaction with its audit records.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::audit::{self, Action as AuditAction, Actor};
use super::caseload::parse_col;
use super::{Store, now_utc};
use crate::domain::intake::{NewReferral, ReferralInput, validate};
use crate::domain::referral::{Outcome, Priority, SNOMED_REFERRAL, Status};
use crate::domain::text::name_key;
use crate::domain::triage::{self, Action, Standing, Transition};

/// The reason codes offered for new referrals, from the database's list.
pub fn reason_codes(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT code FROM need_code WHERE is_reason = 1 AND active = 1 ORDER BY sort, code")?;
    let codes = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(codes)
}

/// Every need code (reasons and the assessment's other domains), for unmet needs.
pub fn need_codes(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT code FROM need_code WHERE active = 1 ORDER BY sort, code")?;
    let codes = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(codes)
}

/// Every need domain with its label, in the assessment's order.
pub fn need_labels(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT code, label FROM need_code WHERE active = 1 ORDER BY sort, code")?;
    let codes = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(codes)
}

/// How many failed contact attempts allow closing as "unable to contact".
pub fn attempts_before_giving_up(conn: &Connection) -> Result<u32> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM setting WHERE key = 'unable_to_contact_attempts'", [], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(3))
}

/// A referral taken in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Added {
    pub referral_id: i64,
    pub client_id: i64,
    /// False when the NHS number was already known and the referral joined that person.
    pub new_client: bool,
    /// Things a person should look at: a different name or date of birth on file
    /// for the same NHS number, an episode still open.
    pub warnings: Vec<String>,
}

/// Take in one validated referral.
pub fn add(store: &mut Store, referral: &NewReferral) -> Result<Added> {
    let actor = store.actor().clone();
    let tx = store.write()?;
    let added = insert(&tx, &actor, referral)?;
    tx.commit()?;
    Ok(added)
}

/// The practice named by its name (any case) or ODS code; an unknown one is an
/// error that says how to add it.
pub fn practice_id(conn: &Connection, practice: Option<&str>) -> Result<Option<i64>> {
    let Some(p) = practice.map(str::trim).filter(|p| !p.is_empty()) else { return Ok(None) };
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM practice WHERE name = ?1 COLLATE NOCASE OR ods_code = upper(?1) ORDER BY id LIMIT 1",
        )?
        .query_row([p], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => Ok(Some(id)),
        None => bail!("practice: '{p}' is not known; add it first (linkwork practice set --name \"{p}\")"),
    }
}

/// Write one referral (and its person, when new) inside the caller's transaction.
fn insert(tx: &Transaction<'_>, actor: &Actor, r: &NewReferral) -> Result<Added> {
    let practice = practice_id(tx, r.practice.as_deref())?;
    let now = now_utc();
    let nhs = r.nhs_number.digits();
    let existing: Option<(i64, String, NaiveDate)> = tx
        .prepare_cached("SELECT id, name, date_of_birth FROM client WHERE nhs_number = ?1")?
        .query_row([&nhs], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let mut warnings = Vec::new();
    let (client_id, new_client) = match existing {
        Some((id, name, dob)) => {
            if name_key(&name) != name_key(&r.name) {
                warnings.push(format!(
                    "NHS number {} is on file as \"{name}\", not \"{}\": the referral was added to the person on file; check the name",
                    r.nhs_number, r.name
                ));
            }
            if dob != r.date_of_birth {
                warnings.push(format!(
                    "NHS number {} is on file with date of birth {dob}, not {}: check it",
                    r.nhs_number, r.date_of_birth
                ));
            }
            let open: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM referral WHERE client_id = ?1 AND status <> 'closed' ORDER BY id DESC LIMIT 1",
                )?
                .query_row([id], |row| row.get(0))
                .optional()?;
            if let Some(open) = open {
                warnings.push(format!("this person already has an open referral ({open})"));
            }
            // Fill in contact details the record lacks; never overwrite them.
            tx.prepare_cached(
                "UPDATE client SET phone = coalesce(phone, ?2), postcode = coalesce(postcode, ?3), updated_at = ?4
                 WHERE id = ?1 AND ((phone IS NULL AND ?2 IS NOT NULL) OR (postcode IS NULL AND ?3 IS NOT NULL))",
            )?
            .execute(params![id, r.phone, r.postcode, now])?;
            if let Some(p) = practice {
                tx.prepare_cached("UPDATE client SET practice_id = ?2 WHERE id = ?1 AND practice_id IS NOT ?2")?
                    .execute(params![id, p])?;
            }
            (id, false)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO client (nhs_number, name, name_key, date_of_birth, phone, postcode, practice_id,
                                     created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                nhs,
                r.name,
                name_key(&r.name),
                r.date_of_birth,
                r.phone,
                r.postcode,
                practice,
                now
            ])?;
            let id = tx.last_insert_rowid();
            audit::record(tx, actor, AuditAction::Create, "client", Some(id), Some(id), "new person from a referral")?;
            (id, true)
        }
    };
    tx.prepare_cached(
        "INSERT INTO referral (client_id, received_on, referrer_role, referrer_name, priority, status,
             snomed_code, link_worker_id, notes, practice_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'new', ?6, (SELECT id FROM link_worker WHERE name = ?7), ?8,
                 coalesce(?9, (SELECT practice_id FROM client WHERE id = ?1)), ?10, ?10)",
    )?
    .execute(params![
        client_id,
        r.received,
        r.referrer_role.code(),
        r.referrer_name,
        r.priority.code(),
        SNOMED_REFERRAL,
        actor.worker,
        r.notes,
        practice,
        now
    ])?;
    let referral_id = tx.last_insert_rowid();
    let mut reason = tx.prepare_cached("INSERT INTO referral_reason (referral_id, code) VALUES (?1, ?2)")?;
    for code in &r.reasons {
        reason.execute(params![referral_id, code])?;
    }
    audit::record(
        tx,
        actor,
        AuditAction::Create,
        "referral",
        Some(referral_id),
        Some(client_id),
        &format!("referral received {} ({}), {}", r.received, r.reasons.join(";"), r.priority),
    )?;
    Ok(Added { referral_id, client_id, new_client, warnings })
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    /// (line in the file, why), for rows not stored.
    pub rejected: Vec<(u64, String)>,
    /// (line in the file, what to check), for rows stored.
    pub warnings: Vec<(u64, String)>,
}

const REQUIRED: [&str; 4] = ["nhs_number", "name", "date_of_birth", "reason"];
const OPTIONAL: [&str; 8] =
    ["received", "referrer_role", "referrer_name", "priority", "phone", "postcode", "notes", "practice"];

/// The largest referral file, and its longest line: far beyond any real list
/// (a referral is a few hundred bytes), and `/dev/zero` ends quickly.
pub const CSV_LIMITS: crate::input::Limits = crate::input::Limits { max_bytes: 64 << 20, max_line: 64 << 10 };

/// Take in every good row of a CSV file in one transaction; each bad row is
/// reported by its line in the file (the header is line 1) and nothing of it is
/// stored.
pub fn import_csv(store: &mut Store, path: &Path, today: NaiveDate) -> Result<ImportReport> {
    let file = crate::input::open(path, CSV_LIMITS).map_err(|e| anyhow::anyhow!("{e:#}; nothing was imported"))?;
    // A limit passed (or the file unreadable) while reading ends the import,
    // dropping its transaction.
    let limit = |e: &csv::Error| match e.kind() {
        csv::ErrorKind::Io(io) => Some(match crate::input::exceeded(io) {
            Some(x) => anyhow::anyhow!("{}: {x}; nothing was imported", path.display()),
            None => anyhow::anyhow!("could not read {}: {io}; nothing was imported", path.display()),
        }),
        _ => None,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(file);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => match limit(&e) {
            Some(refused) => return Err(refused),
            None => {
                return Err(e).with_context(|| format!("could not read the header line of {}", path.display()));
            }
        },
    };
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|r| !names.iter().any(|n| n == r)).collect();
    if !missing.is_empty() {
        bail!(
            "{}: line 1: the header lacks {}; expected {}",
            path.display(),
            missing.join(", "),
            REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect::<Vec<_>>().join(",")
        );
    }
    let col = |name: &str| names.iter().position(|n| n == name);
    let cols: Vec<Option<usize>> = REQUIRED.iter().chain(OPTIONAL.iter()).map(|n| col(n)).collect();

    let codes = reason_codes(store.conn())?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let mut report = ImportReport::default();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let Some(refused) = limit(&e) {
                    return Err(refused);
                }
                report.rejected.push((line, format!("could not be read ({e})")));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let mut fields = Vec::with_capacity(cols.len());
        let mut bad_text = false;
        for c in &cols {
            let raw = c.and_then(|i| record.get(i)).unwrap_or(b"");
            match std::str::from_utf8(raw) {
                Ok(s) => fields.push(s.to_owned()),
                Err(_) => {
                    bad_text = true;
                    break;
                }
            }
        }
        if bad_text {
            report.rejected.push((line, "not valid UTF-8 text; save the file as UTF-8 CSV".to_owned()));
            continue;
        }
        let input = ReferralInput {
            nhs_number: fields[0].clone(),
            name: fields[1].clone(),
            date_of_birth: fields[2].clone(),
            reasons: fields[3].clone(),
            received: fields[4].clone(),
            referrer_role: fields[5].clone(),
            referrer_name: fields[6].clone(),
            priority: fields[7].clone(),
            phone: fields[8].clone(),
            postcode: fields[9].clone(),
            notes: fields[10].clone(),
            practice: fields[11].clone(),
        };
        match validate(&input, &codes, today) {
            Err(e) => report.rejected.push((line, e.to_string())),
            Ok(r) => match practice_id(&tx, r.practice.as_deref()) {
                Err(e) => report.rejected.push((line, e.to_string())),
                Ok(_) => {
                    let added = insert(&tx, &actor, &r).with_context(|| format!("line {line}"))?;
                    report.warnings.extend(added.warnings.into_iter().map(|w| (line, w)));
                    report.imported += 1;
                }
            },
        }
    }
    audit::record(
        &tx,
        &actor,
        AuditAction::Import,
        "referral",
        None,
        None,
        &format!(
            "imported {} referrals from {} ({} rows rejected)",
            report.imported,
            path.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
            report.rejected.len()
        ),
    )?;
    tx.commit()?;
    Ok(report)
}

/// One line of `referral list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub referral_id: i64,
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    pub status: String,
    pub priority: String,
    pub received_on: NaiveDate,
    pub reasons: Vec<String>,
    pub days_waiting: i64,
}

/// The caseload for the command line: open referrals (or those of one status),
/// most urgent then longest waiting first.
pub fn list(conn: &Connection, status: Option<Status>, today: NaiveDate) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.status, r.priority, r.received_on, r.closed_on,
                (SELECT group_concat(code, ';') FROM (SELECT code FROM referral_reason WHERE referral_id = r.id ORDER BY code))
         FROM referral r JOIN client c ON c.id = r.client_id
         WHERE (?1 IS NULL AND r.status <> 'closed') OR r.status = ?1
         ORDER BY CASE r.priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, r.received_on, r.id",
    )?;
    let rows = stmt.query_map([status.map(Status::code)], |r| {
        let received: NaiveDate = r.get(6)?;
        let closed: Option<NaiveDate> = r.get(7)?;
        Ok(Listed {
            referral_id: r.get(0)?,
            client_id: r.get(1)?,
            name: r.get(2)?,
            nhs_number: r.get(3)?,
            status: parse_col(r, 4, Status::parse)?.code().to_owned(),
            priority: parse_col(r, 5, Priority::parse)?.code().to_owned(),
            received_on: received,
            reasons: r
                .get::<_, Option<String>>(8)?
                .map(|s| s.split(';').map(str::to_owned).collect())
                .unwrap_or_default(),
            days_waiting: (closed.unwrap_or(today) - received).num_days().max(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a triage decision changed, kept so `u` can put it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undo {
    pub referral_id: i64,
    pub client_id: i64,
    pub contact_id: i64,
    pub label: String,
    pub to: Status,
    before: Before,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Before {
    status: Status,
    outcome: Option<String>,
    first_contact_on: Option<NaiveDate>,
    appointment_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    close_note: Option<String>,
}

fn read_before(tx: &Transaction<'_>, referral_id: i64) -> Result<Option<(i64, Before)>> {
    Ok(tx
        .prepare_cached(
            "SELECT client_id, status, outcome, first_contact_on, appointment_on, closed_on, close_note
             FROM referral WHERE id = ?1",
        )?
        .query_row([referral_id], |r| {
            Ok((
                r.get(0)?,
                Before {
                    status: parse_col(r, 1, Status::parse)?,
                    outcome: r.get(2)?,
                    first_contact_on: r.get(3)?,
                    appointment_on: r.get(4)?,
                    closed_on: r.get(5)?,
                    close_note: r.get(6)?,
                },
            ))
        })
        .optional()?)
}

/// Apply one triage decision: the referral's new status, a timestamped entry in
/// its contact log and an audit record with the worker's name, in one transaction.
pub fn decide(store: &mut Store, referral_id: i64, action: &Action, today: NaiveDate) -> Result<(Transition, Undo)> {
    decide_for(store, referral_id, None, action, today)
}

/// As [`decide`], only if the referral is the person's with NHS number
/// `expected_nhs` (the person on screen): checked in the same transaction, so
/// a list read before another program changed the database cannot send a
/// decision to someone else.
pub fn decide_for(
    store: &mut Store,
    referral_id: i64,
    expected_nhs: Option<&str>,
    action: &Action,
    today: NaiveDate,
) -> Result<(Transition, Undo)> {
    let actor = store.actor().clone();
    let give_up_after = attempts_before_giving_up(store.conn())?;
    let tx = store.write()?;
    let Some((client_id, before)) = read_before(&tx, referral_id)? else {
        bail!("there is no referral {referral_id}");
    };
    if let Some(expected) = expected_nhs {
        let nhs: String = tx.query_row("SELECT nhs_number FROM client WHERE id = ?1", [client_id], |r| r.get(0))?;
        if nhs != expected {
            bail!(
                "referral {referral_id} is no longer the one on screen (the database was changed by another \
                 program); nothing was done. Read the list again (r) and check who is selected"
            );
        }
    }
    let failed: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM contact WHERE referral_id = ?1 AND outcome IN ('no_answer', 'voicemail', 'wrong_number')",
        )?
        .query_row([referral_id], |r| r.get(0))?;
    let standing = Standing { status: before.status, failed_attempts: failed as u32 };
    let t = triage::plan(standing, action, give_up_after, today).map_err(anyhow::Error::msg)?;
    let now = now_utc();
    let note = match action {
        Action::Decline(s) | Action::Transfer(s) => Some(s.trim().to_owned()),
        _ => None,
    };
    tx.prepare_cached(
        "UPDATE referral SET status = ?2, outcome = ?3,
             first_contact_on = CASE WHEN ?4 THEN coalesce(first_contact_on, ?5) ELSE first_contact_on END,
             appointment_on = coalesce(?6, appointment_on),
             closed_on = CASE WHEN ?2 = 'closed' THEN ?5 ELSE closed_on END,
             close_note = coalesce(?7, close_note),
             updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        referral_id,
        t.to.code(),
        t.outcome.map(Outcome::code),
        t.reached,
        today,
        t.appointment,
        note,
        now
    ])?;
    let (kind, outcome) = match action {
        Action::Attempt(a) => ("phone", Some(a.code())),
        _ => ("note", None),
    };
    tx.prepare_cached(
        "INSERT INTO contact (referral_id, at, kind, outcome, status_from, status_to, snomed_code, note,
             link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT id FROM link_worker WHERE name = ?9), ?2)",
    )?
    .execute(params![
        referral_id,
        now,
        kind,
        outcome,
        t.from.code(),
        t.to.code(),
        t.snomed,
        action.label(),
        actor.worker
    ])?;
    let contact_id = tx.last_insert_rowid();
    let label = action.label();
    audit::record(
        &tx,
        &actor,
        AuditAction::Update,
        "referral",
        Some(referral_id),
        Some(client_id),
        &format!("triage: {label} ({} -> {})", t.from, t.to),
    )?;
    tx.commit()?;
    let undo = Undo { referral_id, client_id, contact_id, label, to: t.to, before };
    Ok((t, undo))
}

/// Put back what a triage decision changed, if nothing has moved the referral
/// since. The log entry it wrote is removed; the audit trail keeps both.
pub fn undo(store: &mut Store, u: &Undo) -> Result<()> {
    let actor = store.actor().clone();
    let tx = store.write()?;
    let Some((client_id, now_state)) = read_before(&tx, u.referral_id)? else {
        bail!("referral {} no longer exists", u.referral_id);
    };
    let ours: i64 = tx.query_row(
        "SELECT count(*) FROM contact WHERE id = ?1 AND referral_id = ?2",
        params![u.contact_id, u.referral_id],
        |r| r.get(0),
    )?;
    if client_id != u.client_id || ours != 1 {
        bail!("referral {} is not the one the decision was made on any more; nothing was undone", u.referral_id);
    }
    let later: i64 = tx.query_row(
        "SELECT count(*) FROM contact WHERE referral_id = ?1 AND id > ?2",
        params![u.referral_id, u.contact_id],
        |r| r.get(0),
    )?;
    if now_state.status != u.to || later > 0 {
        bail!("referral {} has changed since; nothing was undone", u.referral_id);
    }
    let b = &u.before;
    tx.execute(
        "UPDATE referral SET status = ?2, outcome = ?3, first_contact_on = ?4, appointment_on = ?5,
             closed_on = ?6, close_note = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            u.referral_id,
            b.status.code(),
            b.outcome,
            b.first_contact_on,
            b.appointment_on,
            b.closed_on,
            b.close_note,
            now_utc()
        ],
    )?;
    tx.execute("DELETE FROM contact WHERE id = ?1", [u.contact_id])?;
    audit::record(
        &tx,
        &actor,
        AuditAction::Update,
        "referral",
        Some(u.referral_id),
        Some(u.client_id),
        &format!("triage undone: {} ({} -> {})", u.label, u.to, b.status),
    )?;
    tx.commit()?;
    Ok(())
}

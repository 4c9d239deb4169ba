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
use crate::domain::appointment::DEFAULT_TIME;
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

/// What became of a referral taken in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intake {
    /// It opened a new episode.
    Opened,
    /// The person already had an open episode: the referral joined it (its
    /// reasons, referrer and notes were added, with the day it came).
    Joined,
    /// The same referral (person, received day and reasons) was already taken
    /// in: nothing was stored.
    AlreadyTaken,
}

/// A referral taken in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Added {
    /// The episode it opened or joined (or that already holds it).
    pub referral_id: i64,
    pub client_id: i64,
    /// The person's name and NHS number (10 digits) as on file.
    pub name: String,
    pub nhs_number: String,
    pub intake: Intake,
    /// False when the NHS number was already known and the referral joined that person.
    pub new_client: bool,
    /// Reasons the episode did not have before (when it joined one).
    pub added_reasons: Vec<String>,
    /// Things a person should look at: a different name or date of birth on file
    /// for the same NHS number.
    pub warnings: Vec<String>,
}

impl Added {
    /// One sentence saying what happened, for the command line and the form.
    pub fn describe(&self) -> String {
        let who = format!("{} (NHS {})", self.name, crate::domain::nhs::format_digits(&self.nhs_number));
        match self.intake {
            Intake::Opened if self.new_client => {
                format!("Referral {} opened a new episode for {who}, a new person.", self.referral_id)
            }
            Intake::Opened => format!("Referral {} opened a new episode for {who}.", self.referral_id),
            Intake::Joined => {
                let reasons = if self.added_reasons.is_empty() {
                    "no new reasons".to_owned()
                } else {
                    format!("reasons added: {}", self.added_reasons.join(", "))
                };
                format!(
                    "{who} already has an open episode (referral {}): this referral joined it ({reasons}; \
                     its referrer and notes are kept with the day it came). No second episode was opened.",
                    self.referral_id
                )
            }
            Intake::AlreadyTaken => format!(
                "Already taken in: referral {} of {who} holds this referral (same received day and reasons); \
                 nothing was added.",
                self.referral_id
            ),
        }
    }
}

/// Refused: the NHS number is on file for someone with a different name and a
/// different date of birth, which most often means a mistyped number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DifferentPerson {
    pub client_id: i64,
    pub nhs_number: String,
    pub on_file_name: String,
    pub on_file_dob: NaiveDate,
    pub given_name: String,
    pub given_dob: NaiveDate,
}

impl std::fmt::Display for DifferentPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NHS number {} is on file for {} (born {}, client {}), not {} (born {}): check the number. \
             If it is the same person, confirm it (--same-person on the command line)",
            crate::domain::nhs::format_digits(&self.nhs_number),
            self.on_file_name,
            self.on_file_dob,
            self.client_id,
            self.given_name,
            self.given_dob
        )
    }
}

impl std::error::Error for DifferentPerson {}

/// Take in one validated referral. A known NHS number with a different name
/// and date of birth is refused ([`DifferentPerson`]).
pub fn add(store: &mut Store, referral: &NewReferral) -> Result<Added> {
    add_confirmed(store, referral, false)
}

/// Take in one referral; `same_person` is the worker's confirmation that a
/// known NHS number with a different name and date of birth is the same person.
pub fn add_confirmed(store: &mut Store, referral: &NewReferral, same_person: bool) -> Result<Added> {
    let actor = store.actor().clone();
    let tx = store.write()?;
    let added = insert(&tx, &actor, referral, same_person)?;
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

/// Reason codes as the intake log keeps them: sorted, `;` between.
fn reason_key(reasons: &[String]) -> String {
    let mut r: Vec<&str> = reasons.iter().map(String::as_str).collect();
    r.sort_unstable();
    r.dedup();
    r.join(";")
}

/// The episode that already holds this referral (same person, received day and
/// reasons), if any: from the intake log, or for referrals taken in before it
/// existed, an episode received that day with exactly these reasons.
fn already_taken(tx: &Transaction<'_>, client_id: i64, received: NaiveDate, key: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached(
            "SELECT i.referral_id FROM referral_intake i JOIN referral r ON r.id = i.referral_id
             WHERE r.client_id = ?1 AND i.received_on = ?2 AND i.reasons = ?3
             UNION ALL
             SELECT r.id FROM referral r
             WHERE r.client_id = ?1 AND r.received_on = ?2
               AND NOT EXISTS (SELECT 1 FROM referral_intake i WHERE i.referral_id = r.id AND i.joined = 0)
               AND (SELECT group_concat(code, ';') FROM
                       (SELECT code FROM referral_reason WHERE referral_id = r.id ORDER BY code)) = ?3
             LIMIT 1",
        )?
        .query_row(params![client_id, received, key], |r| r.get(0))
        .optional()?)
}

/// Write one referral (and its person, when new) inside the caller's transaction.
fn insert(tx: &Transaction<'_>, actor: &Actor, r: &NewReferral, same_person: bool) -> Result<Added> {
    let practice = practice_id(tx, r.practice.as_deref())?;
    let now = now_utc();
    let nhs = r.nhs_number.digits();
    let key = reason_key(&r.reasons);
    let existing: Option<(i64, String, NaiveDate)> = tx
        .prepare_cached("SELECT id, name, date_of_birth FROM client WHERE nhs_number = ?1")?
        .query_row([&nhs], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let mut warnings = Vec::new();
    let (client_id, name, new_client) = match existing {
        Some((id, name, dob)) => {
            let other_name = name_key(&name) != name_key(&r.name);
            let other_dob = dob != r.date_of_birth;
            if other_name && other_dob && !same_person {
                return Err(DifferentPerson {
                    client_id: id,
                    nhs_number: nhs,
                    on_file_name: name,
                    on_file_dob: dob,
                    given_name: r.name.clone(),
                    given_dob: r.date_of_birth,
                }
                .into());
            }
            if let Some(taken) = already_taken(tx, id, r.received, &key)? {
                return Ok(Added {
                    referral_id: taken,
                    client_id: id,
                    name,
                    nhs_number: nhs,
                    intake: Intake::AlreadyTaken,
                    new_client: false,
                    added_reasons: Vec::new(),
                    warnings,
                });
            }
            if other_name {
                warnings.push(format!(
                    "NHS number {} is on file as \"{name}\", not \"{}\": the referral was added to the person on file; check the name",
                    r.nhs_number, r.name
                ));
            }
            if other_dob {
                warnings.push(format!(
                    "NHS number {} is on file with date of birth {dob}, not {}: check it",
                    r.nhs_number, r.date_of_birth
                ));
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
            (id, name, false)
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
            (id, r.name.clone(), true)
        }
    };
    // One person, one open episode: the oldest open one takes the referral.
    let open: Option<(i64, String)> = if new_client {
        None
    } else {
        tx.prepare_cached(
            "SELECT id, priority FROM referral WHERE client_id = ?1 AND status <> 'closed'
             ORDER BY received_on, id LIMIT 1",
        )?
        .query_row([client_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
    };
    let log_intake = |referral_id: i64, joined: bool| -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO referral_intake (referral_id, received_on, reasons, referrer_role, referrer_name, priority,
                 notes, joined, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            referral_id,
            r.received,
            key,
            r.referrer_role.code(),
            r.referrer_name,
            r.priority.code(),
            r.notes,
            joined,
            now
        ])?;
        Ok(())
    };
    if let Some((open_id, priority)) = open {
        let mut added_reasons = Vec::new();
        let mut reason =
            tx.prepare_cached("INSERT OR IGNORE INTO referral_reason (referral_id, code) VALUES (?1, ?2)")?;
        for code in &r.reasons {
            if reason.execute(params![open_id, code])? > 0 {
                added_reasons.push(code.clone());
            }
        }
        // A more urgent referral makes the episode more urgent; never less.
        let before = Priority::parse(&priority).map_err(anyhow::Error::msg)?;
        let raised = r.priority.rank() > before.rank();
        tx.prepare_cached(
            "UPDATE referral SET priority = CASE WHEN ?2 THEN ?3 ELSE priority END, updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![open_id, raised, r.priority.code(), now])?;
        log_intake(open_id, true)?;
        audit::record(
            tx,
            actor,
            AuditAction::Update,
            "referral",
            Some(open_id),
            Some(client_id),
            &format!(
                "a referral received {} ({}) from {} joined this open episode{}",
                r.received,
                r.reasons.join(";"),
                r.referrer_role,
                if raised { format!("; priority raised to {}", r.priority) } else { String::new() }
            ),
        )?;
        return Ok(Added {
            referral_id: open_id,
            client_id,
            name,
            nhs_number: nhs,
            intake: Intake::Joined,
            new_client: false,
            added_reasons,
            warnings,
        });
    }
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
    log_intake(referral_id, false)?;
    audit::record(
        tx,
        actor,
        AuditAction::Create,
        "referral",
        Some(referral_id),
        Some(client_id),
        &format!("referral received {} ({}), {}", r.received, r.reasons.join(";"), r.priority),
    )?;
    Ok(Added {
        referral_id,
        client_id,
        name,
        nhs_number: nhs,
        intake: Intake::Opened,
        new_client,
        added_reasons: Vec::new(),
        warnings,
    })
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    /// (line in the file, why), for rows not stored.
    pub rejected: Vec<(u64, String)>,
    /// (line in the file, what to check), for rows stored.
    pub warnings: Vec<(u64, String)>,
    /// (line in the file, the episode that holds it), for rows already taken in
    /// before (same NHS number, received day and reasons): not stored again.
    pub already: Vec<(u64, i64)>,
    /// (line in the file, what happened), for rows that joined an open episode
    /// instead of opening a second one.
    pub joined: Vec<(u64, String)>,
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
    // A larger page cache for the import, so that its pages stay in memory
    // until the commit instead of spilling to the log midway; as before after.
    let cache: i64 = store.conn().query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    store.conn().execute_batch(&format!("PRAGMA cache_size = {IMPORT_CACHE_KIB};"))?;
    let result = import_rows(store, &mut reader, &cols, &codes, &actor, path, today, &limit);
    store.conn().execute_batch(&format!("PRAGMA cache_size = {cache};"))?;
    result
}

/// The page cache during a CSV import, in KiB (SQLite's negative cache_size).
const IMPORT_CACHE_KIB: i64 = -65536;

/// The rows of a CSV import, in one transaction with its audit records. The
/// trigger that keeps the names' search index in step is set aside for the
/// import (it would update the index row by row) and the new people are added
/// to the index in one statement before the commit: same transaction, same
/// index, as a test checks.
#[allow(clippy::too_many_arguments)]
fn import_rows(
    store: &mut Store,
    reader: &mut csv::Reader<crate::input::Bounded<std::fs::File>>,
    cols: &[Option<usize>],
    codes: &[String],
    actor: &Actor,
    path: &Path,
    today: NaiveDate,
    limit: &dyn Fn(&csv::Error) -> Option<anyhow::Error>,
) -> Result<ImportReport> {
    let tx = store.write()?;
    let last_client: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM client", [], |r| r.get(0))?;
    let search_trigger: String = tx.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'client_search_insert'",
        [],
        |r| r.get(0),
    )?;
    tx.execute_batch("DROP TRIGGER client_search_insert;")?;
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
        for c in cols {
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
        match validate(&input, codes, today) {
            Err(e) => report.rejected.push((line, e.to_string())),
            Ok(r) => match practice_id(&tx, r.practice.as_deref()) {
                Err(e) => report.rejected.push((line, e.to_string())),
                Ok(_) => match insert(&tx, actor, &r, false) {
                    Err(e) if e.downcast_ref::<DifferentPerson>().is_some() => {
                        report.rejected.push((line, e.to_string()));
                    }
                    Err(e) => return Err(e.context(format!("line {line}"))),
                    Ok(added) if added.intake == Intake::AlreadyTaken => {
                        report.already.push((line, added.referral_id));
                    }
                    Ok(added) => {
                        if added.intake == Intake::Joined {
                            report.joined.push((line, added.describe()));
                        }
                        report.warnings.extend(added.warnings.into_iter().map(|w| (line, w)));
                        report.imported += 1;
                    }
                },
            },
        }
    }
    // The new people into the names' search index, as the trigger would have.
    tx.execute(
        "INSERT INTO client_search (rowid, name_key) SELECT id, name_key FROM client WHERE id > ?1 ORDER BY id",
        [last_client],
    )?;
    tx.execute_batch(&format!("{search_trigger};"))?;
    audit::record(
        &tx,
        actor,
        AuditAction::Import,
        "referral",
        None,
        None,
        &format!(
            "imported {} referrals from {} ({} joined an open episode, {} already imported, {} rows rejected)",
            report.imported,
            path.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
            report.joined.len(),
            report.already.len(),
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

/// Why an appointment was cancelled when its episode was closed.
const CLOSED_NOTE: &str = "the episode was closed";

/// What a triage decision changed, kept so `u` can put it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undo {
    pub referral_id: i64,
    pub client_id: i64,
    pub contact_id: i64,
    /// The appointment a booking made.
    pub appointment_id: Option<i64>,
    /// The booked appointments a closing cancelled.
    pub cancelled: Vec<i64>,
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

/// Failed contact attempts since the person was last reached (spoken to or
/// attended), and the day they were last reached, if ever.
fn failed_since_reached(conn: &Connection, referral_id: i64) -> Result<(u32, Option<NaiveDate>)> {
    let last: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT at, id FROM contact WHERE referral_id = ?1 AND outcome IN ('reached', 'attended')
             ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row([referral_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let failed: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM contact WHERE referral_id = ?1
                 AND outcome IN ('no_answer', 'voicemail', 'wrong_number')
                 AND (?2 IS NULL OR (at, id) > (?2, ?3))",
        )?
        .query_row(params![referral_id, last.as_ref().map(|l| &l.0), last.as_ref().map(|l| l.1)], |r| r.get(0))?;
    let day = last.and_then(|(at, _)| NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d").ok());
    Ok((failed as u32, day))
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
    decide_noted(store, referral_id, expected_nhs, action, None, today)
}

/// As [`decide_for`], with the worker's own note kept in the log entry after the
/// decision (for example what was agreed when the person was reached). A blank
/// note is none; a note is refused, and nothing done, when it is too long or
/// holds a control character.
pub fn decide_noted(
    store: &mut Store,
    referral_id: i64,
    expected_nhs: Option<&str>,
    action: &Action,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<(Transition, Undo)> {
    let booking = match action {
        // Booked on the command line by day: at the usual time, by phone.
        Action::Book(day) => Some(super::appointments::NewAppointment::at(day.and_time(
            chrono::NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).expect("a valid default time"),
        ))),
        _ => None,
    };
    decide_inner(store, referral_id, expected_nhs, action, note, today, booking.as_ref())
}

/// The triage decision "book", with the appointment it makes (a day, time,
/// length, kind and place), in one transaction.
pub fn decide_booking(
    store: &mut Store,
    referral_id: i64,
    expected_nhs: Option<&str>,
    appointment: &super::appointments::NewAppointment,
    today: NaiveDate,
) -> Result<(Transition, Undo)> {
    let book = Action::Book(appointment.start.date());
    decide_inner(store, referral_id, expected_nhs, &book, None, today, Some(appointment))
}

fn decide_inner(
    store: &mut Store,
    referral_id: i64,
    expected_nhs: Option<&str>,
    action: &Action,
    note: Option<&str>,
    today: NaiveDate,
    booking: Option<&super::appointments::NewAppointment>,
) -> Result<(Transition, Undo)> {
    let worker_note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = worker_note {
        let max = super::contacts::NOTE_MAX;
        if n.chars().count() > max {
            bail!("note: {} characters is too long; at most {max}", n.chars().count());
        }
        if crate::domain::text::has_controls(n, true) {
            bail!("note: contains a control character (an escape sequence or similar); type it again without");
        }
    }
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
    let (failed, last_reached) = failed_since_reached(&tx, referral_id)?;
    let standing = Standing { status: before.status, failed_attempts: failed, last_reached };
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
    // An episode closed keeps no appointment booked: each is cancelled, saying why.
    let cancelled: Vec<i64> = if t.to == Status::Closed {
        let ids: Vec<i64> = tx
            .prepare_cached("SELECT id FROM appointment WHERE referral_id = ?1 AND status = 'booked' ORDER BY id")?
            .query_map([referral_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "UPDATE appointment SET status = 'cancelled', note = ?2, updated_at = ?3
             WHERE referral_id = ?1 AND status = 'booked'",
            params![referral_id, CLOSED_NOTE, now],
        )?;
        ids
    } else {
        Vec::new()
    };
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
        match worker_note {
            Some(n) => format!("{}: {n}", action.label()),
            None => action.label(),
        },
        actor.worker
    ])?;
    let contact_id = tx.last_insert_rowid();
    let appointment_id = match (action, booking) {
        (Action::Book(_), Some(a)) => Some(super::appointments::insert(&tx, &actor, referral_id, a)?),
        _ => None,
    };
    let label = match (appointment_id, booking) {
        (Some(id), Some(a)) => format!(
            "appointment {id} booked for {} ({} min, {})",
            a.start.format(crate::domain::appointment::START_FORMAT),
            a.minutes,
            a.kind.label()
        ),
        _ => action.label(),
    };
    audit::record(
        &tx,
        &actor,
        AuditAction::Update,
        "referral",
        Some(referral_id),
        Some(client_id),
        &format!(
            "triage: {label} ({} -> {}){}",
            t.from,
            t.to,
            match cancelled.len() {
                0 => String::new(),
                n => format!(
                    "; {n} booked appointment{} cancelled ({})",
                    if n == 1 { "" } else { "s" },
                    cancelled.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
            }
        ),
    )?;
    tx.commit()?;
    let undo = Undo { referral_id, client_id, contact_id, appointment_id, cancelled, label, to: t.to, before };
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
    // Reopening a closed episode must not give the person a second open one.
    if !u.to.is_open() && b.status.is_open() {
        let newer: Option<i64> = tx
            .query_row(
                "SELECT id FROM referral WHERE client_id = ?1 AND id <> ?2 AND status <> 'closed' LIMIT 1",
                params![u.client_id, u.referral_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(open) = newer {
            bail!(
                "referral {} cannot be reopened: the person has an open episode since (referral {open}); \
                 nothing was undone",
                u.referral_id
            );
        }
    }
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
    if let Some(a) = u.appointment_id
        && tx.execute("DELETE FROM appointment WHERE id = ?1 AND status = 'booked'", [a])? != 1
    {
        bail!("appointment {a} has changed since it was booked; nothing was undone");
    }
    // Appointments the closing cancelled are booked again.
    for a in &u.cancelled {
        tx.execute(
            "UPDATE appointment SET status = 'booked', note = NULL, updated_at = ?2
             WHERE id = ?1 AND status = 'cancelled' AND note = ?3",
            params![a, now_utc(), CLOSED_NOTE],
        )?;
    }
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

/// A person with more than one open episode (taken in before one person had
/// one open episode): the worker merges them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenDuplicate {
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    /// The open referrals, oldest first: the first is the one to keep.
    pub referral_ids: Vec<i64>,
}

/// Every person with two or more open referrals.
pub fn open_duplicates(conn: &Connection) -> Result<Vec<OpenDuplicate>> {
    // Only open referrals are read (the `referral_open_client` index, in
    // person order), not every client: the terminal UI asks at each start.
    let mut stmt = conn.prepare_cached(
        "SELECT r.client_id, c.name, c.nhs_number, r.id FROM referral r JOIN client c ON c.id = r.client_id
         WHERE r.status <> 'closed'
           AND r.client_id IN (SELECT client_id FROM referral INDEXED BY referral_open_client
                               WHERE status <> 'closed' GROUP BY client_id HAVING count(*) > 1)
         ORDER BY r.client_id, r.received_on, r.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<OpenDuplicate> = Vec::new();
    while let Some(r) = rows.next()? {
        let (client_id, referral_id): (i64, i64) = (r.get(0)?, r.get(3)?);
        match out.last_mut() {
            Some(d) if d.client_id == client_id => d.referral_ids.push(referral_id),
            _ => out.push(OpenDuplicate {
                client_id,
                name: r.get(1)?,
                nhs_number: r.get(2)?,
                referral_ids: vec![referral_id],
            }),
        }
    }
    Ok(out)
}

/// What a merge did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Merged {
    pub kept: i64,
    pub merged: i64,
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    pub status: Status,
}

fn progress(s: Status) -> u8 {
    match s {
        Status::New => 0,
        Status::Contacting => 1,
        Status::Booked => 2,
        Status::Active => 3,
        Status::Closed => 4,
    }
}

/// Merge the open referral `other` into the open referral `keep` of the same
/// person: its reasons, log, assessments, goals, measures and prescriptions move
/// to `keep`, it is kept in the intake log as a referral that joined, and then
/// removed; one transaction, one audit record.
pub fn merge(store: &mut Store, keep: i64, other: i64) -> Result<Merged> {
    if keep == other {
        bail!("a referral cannot be merged into itself");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    type Row = (i64, Status, NaiveDate, String, String, Option<String>, Option<String>);
    let read = |id: i64| -> Result<Row> {
        tx.prepare_cached(
            "SELECT client_id, status, received_on, priority, referrer_role, referrer_name, notes
             FROM referral WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get(0)?, parse_col(r, 1, Status::parse)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .optional()?
        .with_context(|| format!("there is no referral {id}"))
    };
    let (client_a, status_a, received_a, priority_a, ..) = read(keep)?;
    let (client_b, status_b, received_b, priority_b, role_b, referrer_b, notes_b) = read(other)?;
    if client_a != client_b {
        bail!(
            "referrals {keep} and {other} are about different people (clients {client_a} and {client_b}); nothing was merged"
        );
    }
    if !status_a.is_open() || !status_b.is_open() {
        bail!("only two open referrals of one person are merged; nothing was merged");
    }
    let (name, nhs_number): (String, String) =
        tx.query_row("SELECT name, nhs_number FROM client WHERE id = ?1", [client_a], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let reasons_b: String = tx.query_row(
        "SELECT coalesce(group_concat(code, ';'), '') FROM (SELECT code FROM referral_reason WHERE referral_id = ?1 ORDER BY code)",
        [other],
        |r| r.get(0),
    )?;
    let now = now_utc();
    // The merged referral stays readable as one that joined, with the day it came.
    let logged: i64 =
        tx.query_row("SELECT count(*) FROM referral_intake WHERE referral_id = ?1", [other], |r| r.get(0))?;
    if logged == 0 {
        tx.execute(
            "INSERT INTO referral_intake (referral_id, received_on, reasons, referrer_role, referrer_name, priority,
                 notes, joined, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)",
            params![keep, received_b, reasons_b, role_b, referrer_b, priority_b, notes_b, now],
        )?;
    }
    tx.execute("UPDATE referral_intake SET referral_id = ?1, joined = 1 WHERE referral_id = ?2", [keep, other])?;
    tx.execute(
        "INSERT OR IGNORE INTO referral_reason (referral_id, code) SELECT ?1, code FROM referral_reason WHERE referral_id = ?2",
        [keep, other],
    )?;
    for table in ["contact", "assessment", "goal", "measure", "prescription"] {
        tx.execute(&format!("UPDATE {table} SET referral_id = ?1 WHERE referral_id = ?2"), [keep, other])?;
    }
    let status = if progress(status_b) > progress(status_a) { status_b } else { status_a };
    let rank = |p: &str| Priority::parse(p).map(Priority::rank).unwrap_or(0);
    let priority = if rank(&priority_b) > rank(&priority_a) { priority_b } else { priority_a };
    tx.execute(
        "UPDATE referral SET
             status = ?2, priority = ?3, received_on = min(referral.received_on, ?4),
             first_contact_on = CASE WHEN referral.first_contact_on IS NULL THEN o.first_contact_on
                                     WHEN o.first_contact_on IS NULL THEN referral.first_contact_on
                                     ELSE min(referral.first_contact_on, o.first_contact_on) END,
             appointment_on = coalesce(referral.appointment_on, o.appointment_on),
             follow_up_on = coalesce(referral.follow_up_on, o.follow_up_on),
             updated_at = ?5
         FROM (SELECT first_contact_on, appointment_on, follow_up_on FROM referral WHERE id = ?6) AS o
         WHERE referral.id = ?1",
        params![keep, status.code(), priority, received_a.min(received_b), now, other],
    )?;
    tx.execute("DELETE FROM referral WHERE id = ?1", [other])?;
    audit::record(
        &tx,
        &actor,
        AuditAction::Update,
        "referral",
        Some(keep),
        Some(client_a),
        &format!(
            "merged the open referral {other} (received {received_b}, {}) into this episode; status {status}",
            reasons_b
        ),
    )?;
    tx.commit()?;
    Ok(Merged { kept: keep, merged: other, client_id: client_a, name, nhs_number, status })
}

//! The service directory as the Service directory pane lists it.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub name: String,
    pub organisation: Option<String>,
    pub status: String,
    pub categories: Option<String>,
    pub accepting_referrals: bool,
    /// More prescriptions sent in the last 4 weeks than its places.
    pub over_capacity: bool,
    /// A prescription sent to it has waited over 14 days for an answer.
    pub slow_to_answer: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceDetail {
    pub row: ServiceRow,
    pub description: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub schedule: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub eligibility: Option<String>,
    pub fees: Option<String>,
    pub capacity_places: Option<i64>,
    pub capacity_period: Option<String>,
    pub waiting_list: Option<i64>,
    pub local_notes: Option<String>,
    /// Prescriptions sent to it and not yet answered.
    pub awaiting_answer: i64,
}

fn service_row(r: &Row<'_>) -> rusqlite::Result<ServiceRow> {
    Ok(ServiceRow {
        id: r.get(0)?,
        name: r.get(1)?,
        organisation: r.get(2)?,
        status: r.get(3)?,
        categories: r.get(4)?,
        accepting_referrals: r.get(5)?,
        over_capacity: r.get(6)?,
        slow_to_answer: r.get(7)?,
    })
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<ServiceDetail>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.name, o.name, s.status, s.categories, s.accepting_referrals, 0, 0,
                    s.description, s.url, s.email, s.phone, s.address, s.postcode, s.schedule,
                    s.min_age, s.max_age, s.eligibility, s.fees, s.capacity_places,
                    s.capacity_period, s.waiting_list, s.local_notes,
                    (SELECT count(*) FROM prescription p
                     WHERE p.service_id = s.id AND p.state IN ('sent', 'acknowledged'))
             FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id WHERE s.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(ServiceDetail {
                row: service_row(r)?,
                description: r.get(8)?,
                url: r.get(9)?,
                email: r.get(10)?,
                phone: r.get(11)?,
                address: r.get(12)?,
                postcode: r.get(13)?,
                schedule: r.get(14)?,
                min_age: r.get(15)?,
                max_age: r.get(16)?,
                eligibility: r.get(17)?,
                fees: r.get(18)?,
                capacity_places: r.get(19)?,
                capacity_period: r.get(20)?,
                waiting_list: r.get(21)?,
                local_notes: r.get(22)?,
                awaiting_answer: r.get(23)?,
            })
        })
        .optional()?)
}

// ---------------------------------------------------------------------------
// Import and export (Open Referral UK), search, demand against capacity
// ---------------------------------------------------------------------------

use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::directory::{Organisation, Service};

/// What importing one file did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Organisations given on their own (an organisations file), added or updated.
    pub organisations: usize,
    /// (id or position, reason): from reading the file.
    pub skipped: Vec<(String, String)>,
}

/// A stable fingerprint of what a feed says about a service, so a re-import of
/// the same file changes nothing and a newer one updates only what changed.
fn fingerprint(s: &Service) -> String {
    let bytes = serde_json::to_vec(s).unwrap_or_default();
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The key an organisation is known by in one file: its id, or its name when it has none.
fn organisation_key(org: &Organisation) -> (bool, &str) {
    match &org.id {
        Some(id) => (true, id),
        None => (false, &org.name),
    }
}

/// Each organisation of a file once: services that name the same organisation
/// (by id, or by name when it has none) share one record, its fields taken from
/// the first that says each. An organisation is written once per file, not once
/// per service: writing it again for each (with fields that differ between
/// services) would rewrite the search rows of every one of its services each time.
fn organisations_of<'a>(services: &'a [Service], alone: &'a [Organisation]) -> Vec<Organisation> {
    let mut out: Vec<Organisation> = Vec::new();
    let mut at: std::collections::HashMap<(bool, &str), usize> = std::collections::HashMap::new();
    for org in alone.iter().chain(services.iter().filter_map(|s| s.organisation.as_ref())) {
        match at.get(&organisation_key(org)) {
            None => {
                at.insert(organisation_key(org), out.len());
                out.push(org.clone());
            }
            Some(&i) => {
                let known = &mut out[i];
                for field in ["description", "email", "url", "phone"] {
                    if !known.said(field) && org.said(field) {
                        match field {
                            "description" => known.description = org.description.clone(),
                            "email" => known.email = org.email.clone(),
                            "url" => known.url = org.url.clone(),
                            _ => known.phone = org.phone.clone(),
                        }
                        known.unsaid.retain(|f| *f != field);
                    }
                }
            }
        }
    }
    out
}

/// Add or update one organisation, keyed by the feed's id (by name for one
/// without). Fields the feed left unsaid keep what is known. The row is written
/// only when something changed.
fn upsert_organisation(tx: &rusqlite::Transaction<'_>, org: &Organisation, now: &str) -> Result<(i64, bool)> {
    let existing: Option<i64> = match &org.id {
        Some(id) => tx
            .prepare_cached("SELECT id FROM organisation WHERE source_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .map_or_else(|| organisation_by_profile_id(tx, id), |found| Ok(Some(found)))?,
        None => tx
            .prepare_cached("SELECT id FROM organisation WHERE source_id IS NULL AND name = ?1")?
            .query_row([&org.name], |r| r.get(0))
            .optional()?,
    };
    let keep = |field: &str| !org.said(field);
    match existing {
        Some(id) => {
            let changed = tx
                .prepare_cached(
                    "UPDATE organisation SET name = ?2,
                         description = iif(?8, description, ?3), email = iif(?9, email, ?4),
                         url = iif(?10, url, ?5), phone = iif(?11, phone, ?6), updated_at = ?7
                     WHERE id = ?1 AND (name, coalesce(description, ''), coalesce(email, ''), coalesce(url, ''),
                                        coalesce(phone, ''))
                       IS NOT (?2, coalesce(iif(?8, description, ?3), ''), coalesce(iif(?9, email, ?4), ''),
                               coalesce(iif(?10, url, ?5), ''), coalesce(iif(?11, phone, ?6), ''))",
                )?
                .execute(params![
                    id,
                    org.name,
                    org.description,
                    org.email,
                    org.url,
                    org.phone,
                    now,
                    keep("description"),
                    keep("email"),
                    keep("url"),
                    keep("phone")
                ])?;
            Ok((id, changed > 0))
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO organisation (source_id, name, description, email, url, phone, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![org.id, org.name, org.description, org.email, org.url, org.phone, now])?;
            Ok((tx.last_insert_rowid(), true))
        }
    }
}

/// An organisation whose feed id is not a UUID, found by the UUID an export
/// gave it (importing linkwork's own export finds the same organisation).
fn organisation_by_profile_id(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<Option<i64>> {
    if !crate::formats::oruk::is_uuid(id) {
        return Ok(None);
    }
    let mut stmt = tx.prepare_cached("SELECT id, source_id FROM organisation WHERE source_id IS NOT NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let source: String = r.get(1)?;
        if crate::formats::oruk::derived_uuid(&source) == id {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
}

/// Write the search rows of these services again, in one statement per index
/// (an import defers them: see `search_index_deferred` in schema.sql).
fn refresh_search_rows(tx: &rusqlite::Transaction<'_>, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(ids)?;
    for table in ["service_fts", "service_words"] {
        tx.execute(&format!("DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(?1))"), [&ids])?;
        tx.execute(
            &format!(
                "INSERT INTO {table} (rowid, name, organisation, description, categories)
                 SELECT s.id, s.name, o.name, s.description, s.categories
                 FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id
                 WHERE s.id IN (SELECT value FROM json_each(?1)) ORDER BY s.id"
            ),
            [&ids],
        )?;
    }
    Ok(())
}

/// What writing one service did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Upserted {
    New,
    Updated,
    Unchanged,
}

/// The feed's columns of a service row, as one value to compare before and after.
const FEED_COLUMNS: &str =
    "json_array(organisation_id, name, description, status, url, email, phone, address, postcode,
    schedule, min_age, max_age, eligibility, fees, categories, assured_on, last_modified)";

/// Write one service from a feed: the one place an import decides what a
/// record changes. A new id is inserted; a known one has the fields the record
/// said written and those it left unsaid kept (an explicit empty value clears);
/// local fields are never touched. `row` is the service's row when known.
fn upsert_service(
    tx: &rusqlite::Transaction<'_>,
    s: &Service,
    row: Option<i64>,
    org_id: Option<i64>,
    hash: &str,
    now: &str,
) -> Result<(Upserted, i64)> {
    let categories = (!s.categories.is_empty()).then(|| s.categories.join("; "));
    // One bit per field of Service::FIELDS: set when the record left it unsaid.
    let keep: i64 = Service::FIELDS.iter().enumerate().filter(|(_, f)| !s.said(f)).map(|(i, _)| 1i64 << i).sum();
    let Some(row) = row else {
        tx.prepare_cached(
            "INSERT INTO service (source_id, organisation_id, name, description, status, url, email, phone, address,
                 postcode, schedule, min_age, max_age, eligibility, fees, categories, assured_on, last_modified,
                 source_hash, imported_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, ?20)",
        )?
        .execute(params![
            s.id,
            org_id,
            s.name,
            s.description,
            s.status,
            s.url,
            s.email,
            s.phone,
            s.address,
            s.postcode,
            s.schedule,
            s.min_age,
            s.max_age,
            s.eligibility,
            s.fees,
            categories,
            s.assured_date,
            s.last_modified,
            hash,
            now,
        ])?;
        return Ok((Upserted::New, tx.last_insert_rowid()));
    };
    let before: String = tx
        .prepare_cached(&format!("SELECT {FEED_COLUMNS} FROM service WHERE id = ?1"))?
        .query_row([row], |r| r.get(0))?;
    // Bits: 0 organisation, 1 description, 2 status, 3 url, 4 email, 5 phone,
    // 6 location, 7 schedule, 8 min_age, 9 max_age, 10 eligibility, 11 fees,
    // 12 categories, 13 assured_date, 14 last_modified (Service::FIELDS).
    tx.prepare_cached(
        "UPDATE service SET
             organisation_id = iif(?21 & 1, organisation_id, ?2),
             name = ?3,
             description = iif(?21 & 2, description, ?4),
             status = iif(?21 & 4, status, ?5),
             url = iif(?21 & 8, url, ?6),
             email = iif(?21 & 16, email, ?7),
             phone = iif(?21 & 32, phone, ?8),
             address = iif(?21 & 64, address, ?9),
             postcode = iif(?21 & 64, postcode, ?10),
             schedule = iif(?21 & 128, schedule, ?11),
             min_age = iif(?21 & 256, min_age, ?12),
             max_age = iif(?21 & 512, max_age, ?13),
             eligibility = iif(?21 & 1024, eligibility, ?14),
             fees = iif(?21 & 2048, fees, ?15),
             categories = iif(?21 & 4096, categories, ?16),
             assured_on = iif(?21 & 8192, assured_on, ?17),
             last_modified = iif(?21 & 16384, last_modified, ?18),
             source_hash = ?19, imported_at = ?20
         WHERE id = ?1",
    )?
    .execute(params![
        row,
        org_id,
        s.name,
        s.description,
        s.status,
        s.url,
        s.email,
        s.phone,
        s.address,
        s.postcode,
        s.schedule,
        s.min_age,
        s.max_age,
        s.eligibility,
        s.fees,
        categories,
        s.assured_date,
        s.last_modified,
        hash,
        now,
        keep,
    ])?;
    let after: String = tx
        .prepare_cached(&format!("SELECT {FEED_COLUMNS} FROM service WHERE id = ?1"))?
        .query_row([row], |r| r.get(0))?;
    if before == after {
        return Ok((Upserted::Unchanged, row));
    }
    tx.prepare_cached("UPDATE service SET updated_at = ?2 WHERE id = ?1")?.execute(params![row, now])?;
    Ok((Upserted::Updated, row))
}

/// Upsert every service of one file in one transaction, by the feed's id. Only
/// the fields from the feed are written; local fields are never touched.
pub fn import(
    store: &mut Store,
    services: &[Service],
    skipped: Vec<(String, String)>,
    source: &str,
) -> Result<ImportCounts> {
    import_with_organisations(store, services, &[], skipped, source)
}

/// [`import`], with organisations given on their own (an `organizations.csv`):
/// these are added or updated, and no service is made of them.
pub fn import_with_organisations(
    store: &mut Store,
    services: &[Service],
    organisations: &[Organisation],
    skipped: Vec<(String, String)>,
    source: &str,
) -> Result<ImportCounts> {
    let actor = store.actor().clone();
    // A feed's thousands of pages fit in memory until the commit (the default
    // cache of 2 MB spills them to the log mid-import).
    store.conn().execute_batch("PRAGMA cache_size = -65536;")?;
    let result = import_in_one_transaction(store, &actor, services, organisations, skipped, source);
    store.conn().execute_batch("PRAGMA cache_size = -2000;")?;
    result
}

fn import_in_one_transaction(
    store: &mut Store,
    actor: &audit::Actor,
    services: &[Service],
    organisations: &[Organisation],
    skipped: Vec<(String, String)>,
    source: &str,
) -> Result<ImportCounts> {
    let tx = store.write()?;
    let now = now_utc();
    let mut counts = ImportCounts { skipped, ..Default::default() };
    // Services already known, by the feed's id, and by the UUID an export gave
    // an id that is not one (importing linkwork's own export finds the same service).
    let mut by_source: std::collections::HashMap<String, (i64, Option<String>)> = std::collections::HashMap::new();
    let mut by_profile_id: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, source_id, source_hash FROM service WHERE source_id IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        let looks_for_uuids = services.iter().any(|s| crate::formats::oruk::is_uuid(&s.id));
        while let Some(r) = rows.next()? {
            let source_id: String = r.get(1)?;
            if looks_for_uuids && !crate::formats::oruk::is_uuid(&source_id) {
                by_profile_id.insert(crate::formats::oruk::derived_uuid(&source_id), source_id.clone());
            }
            by_source.insert(source_id, (r.get(0)?, r.get(2)?));
        }
    }
    // The search indexes are filled once, at the end, for the services written.
    tx.execute("INSERT INTO search_index_deferred (one) VALUES (1)", [])?;
    let mut reindex: Vec<i64> = Vec::new();
    let mut org_rows: std::collections::HashMap<(bool, String), i64> = std::collections::HashMap::new();
    let mut organisations_changed = 0;
    for org in organisations_of(services, organisations) {
        let (row, changed) = upsert_organisation(&tx, &org, &now)?;
        organisations_changed += usize::from(changed);
        if changed {
            // Its name may be new: its services' search rows carry it.
            let mut stmt = tx.prepare_cached("SELECT id FROM service WHERE organisation_id = ?1")?;
            reindex.extend(stmt.query_map([row], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        let (by_id, key) = organisation_key(&org);
        org_rows.insert((by_id, key.to_owned()), row);
    }
    for s in services {
        let hash = fingerprint(s);
        let existing =
            by_source.get(&s.id).or_else(|| by_profile_id.get(&s.id).and_then(|source| by_source.get(source))).cloned();
        if let Some((_, Some(old))) = &existing
            && *old == hash
        {
            counts.unchanged += 1;
            continue;
        }
        let org_id = s.organisation.as_ref().and_then(|o| {
            let (by_id, key) = organisation_key(o);
            org_rows.get(&(by_id, key.to_owned())).copied()
        });
        match upsert_service(&tx, s, existing.map(|(row, _)| row), org_id, &hash, &now)? {
            (Upserted::New, row) => {
                counts.imported += 1;
                reindex.push(row);
            }
            (Upserted::Updated, row) => {
                counts.updated += 1;
                reindex.push(row);
            }
            (Upserted::Unchanged, _) => counts.unchanged += 1,
        }
    }
    reindex.sort_unstable();
    reindex.dedup();
    refresh_search_rows(&tx, &reindex)?;
    tx.execute("DELETE FROM search_index_deferred", [])?;
    let organisations_said = if organisations.is_empty() {
        String::new()
    } else {
        format!(", {} organisations given ({organisations_changed} new or changed)", organisations.len())
    };
    audit::record(
        &tx,
        actor,
        Action::Import,
        "service",
        None,
        None,
        &format!(
            "directory import from {source}: {} new, {} updated, {} unchanged, {} skipped{organisations_said}",
            counts.imported,
            counts.updated,
            counts.unchanged,
            counts.skipped.len()
        ),
    )?;
    tx.commit()?;
    counts.organisations = organisations.len();
    Ok(counts)
}

/// Every service as its feed fields, for export.
pub fn export(conn: &Connection) -> Result<Vec<Service>> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(s.source_id, 'linkwork-' || s.id), s.name, s.description, s.status, s.url, s.email, s.phone,
                s.address, s.postcode, s.schedule, s.min_age, s.max_age, s.eligibility, s.fees, s.categories,
                s.assured_on, s.last_modified, o.source_id, o.name, o.description, o.email, o.url, o.phone
         FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id ORDER BY s.name COLLATE NOCASE, s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let org_name: Option<String> = r.get(18)?;
        Ok(Service {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            status: r.get(3)?,
            url: r.get(4)?,
            email: r.get(5)?,
            phone: r.get(6)?,
            address: r.get(7)?,
            postcode: r.get(8)?,
            schedule: r.get(9)?,
            min_age: r.get(10)?,
            max_age: r.get(11)?,
            eligibility: r.get(12)?,
            fees: r.get(13)?,
            categories: r
                .get::<_, Option<String>>(14)?
                .map(|c| c.split("; ").map(str::to_owned).collect())
                .unwrap_or_default(),
            assured_date: r.get(15)?,
            last_modified: r.get(16)?,
            unsaid: Vec::new(),
            organisation: match org_name {
                Some(name) => Some(Organisation {
                    id: r.get(17)?,
                    name,
                    description: r.get(19)?,
                    email: r.get(20)?,
                    url: r.get(21)?,
                    phone: r.get(22)?,
                    unsaid: Vec::new(),
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub use super::search::{Found, Search, find};

/// A search is counted up to this many services: a person narrows a search
/// rather than scrolls through a thousand.
pub const COUNT_AT_MOST: usize = 1000;

const ROW_COLUMNS: &str = "s.id, s.name, o.name, s.status, s.categories, s.accepting_referrals,
    (s.capacity_places IS NOT NULL AND
        (SELECT count(*) FROM prescription p WHERE p.service_id = s.id AND p.sent_at >= ?1)
        > CASE s.capacity_period WHEN 'week' THEN s.capacity_places * 4 WHEN 'month' THEN s.capacity_places
          WHEN 'quarter' THEN (s.capacity_places + 2) / 3 ELSE (s.capacity_places + 12) / 13 END),
    EXISTS (SELECT 1 FROM prescription p WHERE p.service_id = s.id
        AND p.state IN ('sent', 'acknowledged', 'no_response') AND p.sent_at < ?2)";

/// How many services a search finds.
pub fn search_count(conn: &Connection, search: &Search) -> Result<usize> {
    Ok(find(conn, search)?.ids.len())
}

/// A page of the search's results, best first. `today` dates the
/// over-capacity (4 weeks) and slow-to-answer (14 days) marks.
pub fn search_window(
    conn: &Connection,
    search: &Search,
    today: chrono::NaiveDate,
    offset: usize,
    limit: usize,
) -> Result<Vec<ServiceRow>> {
    let found = find(conn, search)?;
    let from = offset.min(found.ids.len());
    let to = offset.saturating_add(limit).min(found.ids.len());
    rows(conn, &found.ids[from..to], today)
}

/// The list rows of these services, in the order given.
pub fn rows(conn: &Connection, ids: &[i64], today: chrono::NaiveDate) -> Result<Vec<ServiceRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id
         WHERE s.id IN (SELECT value FROM json_each(?3))"
    );
    let mut by_id: std::collections::HashMap<i64, ServiceRow> = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                (today - chrono::Duration::days(28)).to_string(),
                (today - chrono::Duration::days(14)).to_string(),
                serde_json::to_string(ids)?
            ],
            service_row,
        )?
        .map(|r| r.map(|row| (row.id, row)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Demand against capacity for one service.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Demand {
    /// Prescriptions sent to it in the last 4 weeks (the 28 days to today).
    pub sent_4_weeks: i64,
    /// Waiting for its answer now.
    pub awaiting_answer: i64,
    /// Prescriptions it accepted in the same 28 days.
    pub accepted: i64,
    /// Prescriptions it declined in the same 28 days.
    pub declined: i64,
    /// Over the answers it gave in the same 28 days.
    pub median_days_to_answer: Option<f64>,
    /// Places over 4 weeks, from the local capacity.
    pub capacity_4_weeks: Option<i64>,
    pub over_capacity: bool,
    /// A prescription has waited over 14 days without an answer (sent, acknowledged
    /// or marked "no response"), or its median answer takes longer.
    pub slow_to_answer: bool,
}

/// Days a service should take to answer (DOMAIN.md: two weeks).
pub const ANSWER_DAYS: f64 = 14.0;

pub fn demand(conn: &Connection, service_id: i64, today: chrono::NaiveDate) -> Result<Demand> {
    // Every "last 4 weeks" figure is from the same 28 days: today and the 27 before.
    let since = (today - chrono::Duration::days(27)).to_string();
    let overdue_since = (today - chrono::Duration::days(14)).to_string();
    let (sent, awaiting, accepted, declined, places, period, overdue): (
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<String>,
        i64,
    ) = conn
        .prepare_cached(
            "SELECT
                (SELECT count(*) FROM prescription WHERE service_id = s.id AND sent_at >= ?2),
                (SELECT count(*) FROM prescription WHERE service_id = s.id AND state IN ('sent', 'acknowledged')),
                (SELECT count(DISTINCT e.prescription_id) FROM prescription_event e
                    JOIN prescription p ON p.id = e.prescription_id
                    WHERE p.service_id = s.id AND e.state = 'accepted' AND e.at >= ?2),
                (SELECT count(DISTINCT e.prescription_id) FROM prescription_event e
                    JOIN prescription p ON p.id = e.prescription_id
                    WHERE p.service_id = s.id AND e.state = 'declined' AND e.at >= ?2),
                s.capacity_places, s.capacity_period,
                (SELECT count(*) FROM prescription WHERE service_id = s.id
                    AND state IN ('sent', 'acknowledged', 'no_response') AND sent_at < ?3)
             FROM service s WHERE s.id = ?1",
        )?
        .query_row(params![service_id, since, overdue_since], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?;
    let mut days: Vec<f64> = conn
        .prepare_cached(
            "SELECT julianday(answered_at) - julianday(sent_at) FROM prescription
             WHERE service_id = ?1 AND sent_at IS NOT NULL AND answered_at >= ?2",
        )?
        .query_map(params![service_id, since], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let median = crate::domain::summary::median(&mut days);
    let capacity = match (places, period.as_deref()) {
        (Some(p), Some("week")) => Some(p * 4),
        (Some(p), Some("month")) => Some(p),
        (Some(p), Some("quarter")) => Some((p + 2) / 3),
        (Some(p), Some("year")) => Some((p + 12) / 13),
        _ => None,
    };
    Ok(Demand {
        sent_4_weeks: sent,
        awaiting_answer: awaiting,
        accepted,
        declined,
        median_days_to_answer: median,
        capacity_4_weeks: capacity,
        over_capacity: capacity.is_some_and(|c| sent > c),
        slow_to_answer: overdue > 0 || median.is_some_and(|m| m > ANSWER_DAYS),
    })
}

/// A change to a service's local fields (never touched by an import). `None`
/// leaves a field as it is; `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalChange {
    /// Places and the period they are per: week, month, quarter or year.
    pub capacity: Option<Option<(i64, String)>>,
    pub waiting_list: Option<Option<i64>>,
    pub accepting: Option<bool>,
    pub notes: Option<Option<String>>,
    pub checked_on: Option<chrono::NaiveDate>,
}

/// Change a service's local fields, with an audit record naming what changed.
pub fn set_local(store: &mut Store, service_id: i64, c: &LocalChange) -> Result<()> {
    if let Some(Some((places, per))) = &c.capacity {
        if *places < 0 {
            anyhow::bail!("capacity: {places} places is not a number of places");
        }
        if !["week", "month", "quarter", "year"].contains(&per.as_str()) {
            anyhow::bail!("capacity period: '{per}' is not one of week, month, quarter, year");
        }
    }
    if let Some(Some(n)) = c.waiting_list
        && n < 0
    {
        anyhow::bail!("waiting list: {n} is not a number of people");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let name: Option<String> =
        tx.query_row("SELECT name FROM service WHERE id = ?1", [service_id], |r| r.get(0)).optional()?;
    let Some(name) = name else { anyhow::bail!("there is no service {service_id} in the directory") };
    let mut said = Vec::new();
    if let Some(cap) = &c.capacity {
        let (places, per) = cap.clone().unzip();
        tx.execute(
            "UPDATE service SET capacity_places = ?2, capacity_period = ?3 WHERE id = ?1",
            params![service_id, places, per],
        )?;
        said.push(cap.as_ref().map_or("capacity cleared".to_owned(), |(n, p)| format!("capacity {n} a {p}")));
    }
    if let Some(w) = c.waiting_list {
        tx.execute("UPDATE service SET waiting_list = ?2 WHERE id = ?1", params![service_id, w])?;
        said.push(w.map_or("waiting list cleared".to_owned(), |n| format!("waiting list {n}")));
    }
    if let Some(a) = c.accepting {
        tx.execute("UPDATE service SET accepting_referrals = ?2 WHERE id = ?1", params![service_id, a])?;
        said.push(if a { "accepting referrals" } else { "not accepting referrals" }.to_owned());
    }
    if let Some(n) = &c.notes {
        let n = n.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if n.is_some_and(|n| n.chars().count() > 2000) {
            anyhow::bail!("notes: at most 2000 characters");
        }
        if n.is_some_and(|n| crate::domain::text::has_controls(n, true)) {
            anyhow::bail!("notes: contains a control character (an escape sequence or similar); type it again without");
        }
        tx.execute("UPDATE service SET local_notes = ?2 WHERE id = ?1", params![service_id, n])?;
        said.push("notes changed".to_owned());
    }
    if let Some(d) = c.checked_on {
        tx.execute("UPDATE service SET last_checked_on = ?2 WHERE id = ?1", params![service_id, d])?;
        said.push(format!("checked {d}"));
    }
    if said.is_empty() {
        anyhow::bail!("nothing to change: give --capacity, --waiting-list, --accepting, --notes or --checked");
    }
    tx.execute("UPDATE service SET updated_at = ?2 WHERE id = ?1", params![service_id, now_utc()])?;
    audit::record(
        &tx,
        &actor,
        Action::Update,
        "service",
        Some(service_id),
        None,
        &format!("{name}: {}", said.join(", ")),
    )?;
    tx.commit()?;
    Ok(())
}

/// Record that a need found no suitable local service. The person is kept by
/// their id only; the description should not name them.
pub fn record_unmet(
    store: &mut Store,
    code: &str,
    client_id: Option<i64>,
    description: &str,
    today: chrono::NaiveDate,
) -> Result<i64> {
    let description = description.trim();
    let n = description.chars().count();
    if n > 500 {
        anyhow::bail!("description: {n} characters is too long; at most 500");
    }
    if crate::domain::text::has_controls(description, true) {
        anyhow::bail!(
            "description: contains a control character (an escape sequence or similar); type it again without"
        );
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let known: Option<String> = tx
        .query_row("SELECT code FROM need_code WHERE code = ?1 AND active = 1", [code.trim()], |r| r.get(0))
        .optional()?;
    let Some(code) = known else {
        let codes: Vec<String> = tx
            .prepare("SELECT code FROM need_code WHERE active = 1 ORDER BY sort")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        anyhow::bail!("need code: '{}' is not one of {}", code.trim(), codes.join(", "));
    };
    if let Some(id) = client_id {
        let exists: i64 = tx.query_row("SELECT count(*) FROM client WHERE id = ?1", [id], |r| r.get(0))?;
        if exists == 0 {
            anyhow::bail!("client: there is no client {id}");
        }
    }
    tx.execute(
        "INSERT INTO unmet_need (client_id, code, description, recorded_on, link_worker_id, created_at)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM link_worker WHERE name = ?5), ?6)",
        params![client_id, code, (!description.is_empty()).then_some(description), today, actor.worker, now_utc()],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        &actor,
        Action::Create,
        "unmet_need",
        Some(id),
        client_id,
        &format!("unmet need recorded: {code}"),
    )?;
    tx.commit()?;
    Ok(id)
}

/// Unmet needs by code, most first: (code, label, count, latest recorded day).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnmetCount {
    pub code: String,
    pub label: String,
    pub count: i64,
    pub latest: String,
}

pub fn unmet_by_code(conn: &Connection) -> Result<Vec<UnmetCount>> {
    let rows = conn
        .prepare_cached(
            "SELECT u.code, n.label, count(*), max(u.recorded_on) FROM unmet_need u JOIN need_code n ON n.code = u.code
             GROUP BY u.code ORDER BY count(*) DESC, u.code",
        )?
        .query_map([], |r| Ok(UnmetCount { code: r.get(0)?, label: r.get(1)?, count: r.get(2)?, latest: r.get(3)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

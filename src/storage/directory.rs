//! The service directory as the Service directory pane lists it.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::text::fold_query;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub name: String,
    pub organisation: Option<String>,
    pub status: String,
    pub categories: Option<String>,
    pub accepting_referrals: bool,
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

const FROM: &str = "FROM service s LEFT JOIN organisation o ON o.id = s.organisation_id
     WHERE (?1 = '' OR lower(s.name) LIKE ?1 OR lower(o.name) LIKE ?1 OR lower(s.categories) LIKE ?1)";

fn like(filter: &str) -> String {
    let q = fold_query(filter);
    if q.is_empty() { q } else { format!("%{q}%") }
}

pub fn count(conn: &Connection, filter: &str) -> Result<usize> {
    let n: i64 = conn.prepare_cached(&format!("SELECT count(*) {FROM}"))?.query_row([like(filter)], |r| r.get(0))?;
    Ok(n as usize)
}

pub fn window(conn: &Connection, filter: &str, offset: usize, limit: usize) -> Result<Vec<ServiceRow>> {
    let sql = format!(
        "SELECT s.id, s.name, o.name, s.status, s.categories, s.accepting_referrals {FROM}
         ORDER BY s.name COLLATE NOCASE, s.id LIMIT ?2 OFFSET ?3"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![like(filter), limit as i64, offset as i64], service_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn service_row(r: &Row<'_>) -> rusqlite::Result<ServiceRow> {
    Ok(ServiceRow {
        id: r.get(0)?,
        name: r.get(1)?,
        organisation: r.get(2)?,
        status: r.get(3)?,
        categories: r.get(4)?,
        accepting_referrals: r.get(5)?,
    })
}

pub fn detail(conn: &Connection, id: i64) -> Result<Option<ServiceDetail>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.name, o.name, s.status, s.categories, s.accepting_referrals,
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
                description: r.get(6)?,
                url: r.get(7)?,
                email: r.get(8)?,
                phone: r.get(9)?,
                address: r.get(10)?,
                postcode: r.get(11)?,
                schedule: r.get(12)?,
                min_age: r.get(13)?,
                max_age: r.get(14)?,
                eligibility: r.get(15)?,
                fees: r.get(16)?,
                capacity_places: r.get(17)?,
                capacity_period: r.get(18)?,
                waiting_list: r.get(19)?,
                local_notes: r.get(20)?,
                awaiting_answer: r.get(21)?,
            })
        })
        .optional()?)
}

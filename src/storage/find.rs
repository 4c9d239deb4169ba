//! Find anyone: every person on file, open or closed, by any part of the name
//! (accents optional), the NHS number (with or without spaces) or a phone
//! number. Each form reads an index: the trigram index over names, the NHS
//! number's unique index, the index over phone digits.

use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::text::fold_query;

/// One person found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    pub date_of_birth: String,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// The status of their latest referral ("closed", "active"...), if any.
    pub status: Option<String>,
}

/// The phone digits as the index keeps them (`+44` read as a leading 0).
const PHONE_KEY: &str =
    "replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+44', '0')";

/// People matching `text`, at most `limit`, in name order.
pub fn people(conn: &Connection, text: &str, limit: usize) -> Result<Vec<Found>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && !"-()".contains(*c)).collect();
    if compact.is_empty() {
        return Ok(Vec::new());
    }
    let select = "SELECT c.id, c.name, c.nhs_number, c.date_of_birth, c.phone, c.postcode,
            (SELECT status FROM referral r WHERE r.client_id = c.id ORDER BY r.received_on DESC, r.id DESC LIMIT 1)
         FROM client c";
    let limit = limit as i64;
    let digits = compact.strip_prefix("+44").map(|d| format!("0{d}")).unwrap_or_else(|| compact.clone());
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        // An NHS number or a phone number, or the start of one: two index
        // ranges, each read in its own order and stopped at the limit (the
        // first digits of a phone number match nearly everyone).
        let mut found = Vec::new();
        for key in ["c.nhs_number", PHONE_KEY] {
            let sql = format!("{select} WHERE {key} >= ?1 AND {key} < ?1 || ':' ORDER BY {key} LIMIT ?2");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![digits, limit], read)?;
            for r in rows {
                let r = r?;
                if !found.iter().any(|f: &Found| f.client_id == r.client_id) {
                    found.push(r);
                }
            }
        }
        found.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.client_id.cmp(&b.client_id)));
        found.truncate(limit as usize);
        return Ok(found);
    }
    let sql = if fold_query(text).chars().count() >= 3 {
        format!(
            "{select} WHERE c.id IN (SELECT rowid FROM client_search WHERE client_search MATCH ?1)
             ORDER BY c.name_key, c.id LIMIT ?2"
        )
    } else {
        // One or two letters: the start of a name, from the name index.
        format!(
            "{select} WHERE c.name_key >= ?1 AND c.name_key < ?1 || '\u{10ffff}' ORDER BY c.name_key, c.id LIMIT ?2"
        )
    };
    let param = if fold_query(text).chars().count() >= 3 {
        format!("\"{}\"", fold_query(text).replace('"', "\"\""))
    } else {
        fold_query(text)
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![param, limit], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Found> {
    Ok(Found {
        client_id: r.get(0)?,
        name: r.get(1)?,
        nhs_number: r.get(2)?,
        date_of_birth: r.get(3)?,
        phone: r.get(4)?,
        postcode: r.get(5)?,
        status: r.get(6)?,
    })
}

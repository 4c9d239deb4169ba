//! Services added by hand: a local group that no feed lists. A hand-made service
//! has no feed id (`source_id` is NULL), so no import ever matches, changes or
//! removes it; its capacity and other local fields are set as any service's.

use anyhow::{Result, bail};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, Action};
use super::{Store, now_utc};
use crate::domain::text::has_controls;

/// A service as typed by a worker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandMade {
    pub name: String,
    pub organisation: Option<String>,
    pub description: Option<String>,
    /// Category names, as the directory shows them.
    pub categories: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// Places and the period they are per.
    pub capacity: Option<(i64, String)>,
}

fn check(field: &str, text: Option<&str>, max: usize) -> Result<()> {
    if let Some(t) = text {
        if t.chars().count() > max {
            bail!("{field}: {} characters is too long; at most {max}", t.chars().count());
        }
        if has_controls(t, field == "description") {
            bail!("{field}: contains a control character (an escape sequence or similar); type it again without");
        }
    }
    Ok(())
}

fn tidy(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Add a service by hand; returns its id.
pub fn add(store: &mut Store, s: &HandMade) -> Result<i64> {
    let name = s.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        bail!("name: missing; say what the service is called");
    }
    check("name", Some(&name), 200)?;
    check("organisation", s.organisation.as_deref(), 200)?;
    check("description", s.description.as_deref(), 4000)?;
    for (f, v) in [("phone", &s.phone), ("email", &s.email), ("address", &s.address), ("postcode", &s.postcode)] {
        check(f, v.as_deref(), 500)?;
    }
    for c in &s.categories {
        check("category", Some(c), 100)?;
    }
    if let Some((n, per)) = &s.capacity {
        if *n < 0 {
            bail!("capacity: {n} places is not a number of places");
        }
        if !["week", "month", "quarter", "year"].contains(&per.as_str()) {
            bail!("capacity period: '{per}' is not one of week, month, quarter, year");
        }
    }
    let postcode = match tidy(&s.postcode) {
        Some(p) => Some(
            crate::domain::intake::normalise_postcode(&p)
                .ok_or_else(|| anyhow::anyhow!("postcode: '{p}' is not a UK postcode"))?,
        ),
        None => None,
    };
    let actor = store.actor().clone();
    let tx = store.write()?;
    let now = now_utc();
    let organisation_id = match tidy(&s.organisation) {
        None => None,
        Some(org) => {
            let found: Option<i64> = tx
                .query_row(
                    "SELECT id FROM organisation WHERE name = ?1 ORDER BY source_id IS NOT NULL, id LIMIT 1",
                    [&org],
                    |r| r.get(0),
                )
                .optional()?;
            match found {
                Some(id) => Some(id),
                None => {
                    tx.execute("INSERT INTO organisation (name, updated_at) VALUES (?1, ?2)", params![org, now])?;
                    Some(tx.last_insert_rowid())
                }
            }
        }
    };
    let categories: Vec<String> = s.categories.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
    let (places, per) = s.capacity.clone().unzip();
    tx.execute(
        "INSERT INTO service (organisation_id, name, description, email, phone, address, postcode, categories,
             capacity_places, capacity_period, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            organisation_id,
            name,
            tidy(&s.description),
            tidy(&s.email),
            tidy(&s.phone),
            tidy(&s.address),
            postcode,
            (!categories.is_empty()).then(|| categories.join("; ")),
            places,
            per,
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(&tx, &actor, Action::Create, "service", Some(id), None, &format!("{name}: added by hand"))?;
    tx.commit()?;
    Ok(id)
}

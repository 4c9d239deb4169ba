//! Places at services, for the summary's "sent against capacity": each service's
//! places (per week, month, quarter or year) scaled to a period's length, by
//! service name and by the service's first category (as the summary counts
//! prescriptions by category). Service data, not personal data.

use anyhow::Result;
use rusqlite::Connection;

use crate::domain::summary::{Places, round2};

/// Days in a capacity period.
pub fn period_days(per: &str) -> f64 {
    match per {
        "week" => 7.0,
        "month" => 365.25 / 12.0,
        "quarter" => 365.25 / 4.0,
        _ => 365.25,
    }
}

/// The places of every service with a capacity set, scaled to `days`.
pub fn places(conn: &Connection, days: i64) -> Result<Places> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, categories, capacity_places, capacity_period FROM service
         WHERE capacity_places IS NOT NULL AND capacity_period IS NOT NULL",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Places::default();
    while let Some(r) = rows.next()? {
        let (name, categories, places, per): (String, Option<String>, i64, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let scaled = places as f64 * days as f64 / period_days(&per);
        let first = categories.as_deref().and_then(|c| c.split(';').map(str::trim).find(|c| !c.is_empty()));
        *out.by_service.entry(name).or_default() += scaled;
        *out.by_category.entry(first.unwrap_or("uncategorised").to_owned()).or_default() += scaled;
    }
    for v in out.by_service.values_mut().chain(out.by_category.values_mut()) {
        *v = round2(*v);
    }
    Ok(out)
}

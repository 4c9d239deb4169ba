//! What the printed weekly report needs beside the summary's figures: the PCN
//! it is for, and new referrals in each of the 12 ISO weeks to the period's end.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::Connection;

use crate::domain::summary::{Breakdown, Period, Week};

/// The PCNs of the practices (names, joined with " and "), if any is recorded.
pub fn pcn(conn: &Connection) -> Result<Option<String>> {
    let names: Vec<String> = conn
        .prepare_cached("SELECT name FROM pcn WHERE id IN (SELECT pcn_id FROM practice) ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((!names.is_empty()).then(|| names.join(" and ")))
}

/// New referrals in each of the 12 ISO weeks ending with the one holding `last`,
/// oldest first, with the breakdowns that add up to them (by referrer role and
/// by practice), which disclosure control needs to judge each week's total as
/// the summary of that week does.
pub fn referrals_by_week(conn: &Connection, last: NaiveDate) -> Result<Vec<Week>> {
    use std::collections::BTreeMap;
    let first = Period::of_week(last).from - Duration::weeks(11);
    let end = first + Duration::weeks(12) - Duration::days(1);
    type Tally = (String, i64, BTreeMap<String, i64>, BTreeMap<String, i64>);
    let mut weeks: Vec<Tally> = (0..12)
        .map(|i| {
            let iso = (first + Duration::weeks(i)).iso_week();
            (format!("{}-W{:02}", iso.year(), iso.week()), 0, BTreeMap::new(), BTreeMap::new())
        })
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT r.received_on, r.referrer_role, p.name FROM referral r LEFT JOIN practice p ON p.id = r.practice_id
         WHERE r.received_on BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query([first.to_string(), end.to_string()])?;
    while let Some(r) = rows.next()? {
        let (on, role, practice): (NaiveDate, String, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let i = usize::try_from((on - first).num_days() / 7).unwrap_or(0).min(11);
        let w = &mut weeks[i];
        w.1 += 1;
        *w.2.entry(role).or_default() += 1;
        *w.3.entry(practice.unwrap_or_else(|| "not recorded".to_owned())).or_default() += 1;
    }
    Ok(weeks
        .into_iter()
        .map(|(week, new, roles, practices)| Week {
            week,
            new,
            by_referrer_role: Breakdown::from_counts(roles.into_iter().collect()),
            by_practice: Breakdown::from_counts(practices.into_iter().collect()),
        })
        .collect())
}

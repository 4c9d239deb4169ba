//! The weekly summary's figures, read from the database for a period, and the
//! dashboard's. Days are compared as dates; moments (contacts, hand-over events)
//! by their UTC day. Definitions are in the README ("The weekly summary").

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{Connection, params};

use crate::domain::referral::{SNOMED_REFERRAL, Status};
use crate::domain::summary::*;

/// Read the summary of `period` (unsuppressed).
pub fn compute(conn: &Connection, period: &Period) -> Result<Summary> {
    let from = period.from.to_string();
    let to = period.to.to_string();
    // Moments are text 'YYYY-MM-DDTHH:MM:SSZ': the period's moments are >= from and < the day after.
    let end = (period.to + Duration::days(1)).to_string();
    let q = Query { conn, from: &from, to: &to, end: &end };

    let (referrals, indicator) = referrals(&q)?;

    let mut waits = q.values(
        "SELECT julianday(first_contact_on) - julianday(received_on) FROM referral
         WHERE first_contact_on BETWEEN ?1 AND ?2",
    )?;
    let first_contacts = FirstContacts { made: Count::N(waits.len() as i64), median_days: median(&mut waits) };

    let assessments =
        Assessments { done: q.count("SELECT count(*) FROM assessment WHERE assessed_on BETWEEN ?1 AND ?2")? };

    let contacts = contacts(&q)?;
    let (prescriptions, services_over_capacity) = sent_prescriptions(&q, period.length())?;
    let answers = answers(&q)?;

    let by_outcome = q.breakdown(
        "SELECT outcome, count(*) FROM referral WHERE status = 'closed' AND closed_on BETWEEN ?1 AND ?2 GROUP BY outcome",
    )?;
    let closed = Closed { total: Count::N(by_outcome.total()), by_outcome };

    // Open at the end: open now and received by then, or closed since. Each half
    // reads its own index (open episodes by person; status with closed_on).
    let (active, waiting): (i64, i64) = q
        .conn
        .prepare_cached(
            "SELECT count(DISTINCT client_id),
                count(DISTINCT CASE WHEN first_contact_on IS NULL OR first_contact_on > ?1 THEN client_id END)
         FROM (SELECT client_id, first_contact_on FROM referral INDEXED BY referral_open_client
               WHERE status <> 'closed' AND received_on <= ?1
               UNION ALL
               SELECT client_id, first_contact_on FROM referral
               WHERE status = 'closed' AND closed_on > ?1 AND received_on <= ?1)",
        )?
        .query_row([q.to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let caseload = Caseload { active_at_end: Count::N(active), waiting_first_contact: Count::N(waiting) };

    let wellbeing = wellbeing(&q)?;

    let by_code =
        q.breakdown("SELECT code, count(*) FROM unmet_need WHERE recorded_on BETWEEN ?1 AND ?2 GROUP BY code")?;
    let unmet_needs = Unmet { total: Count::N(by_code.total()), by_code };

    Ok(Summary {
        schema: SUMMARY_SCHEMA,
        period: period.clone(),
        suppressed: false,
        method: None,
        referrals,
        first_contacts,
        assessments,
        contacts,
        prescriptions,
        answers,
        closed,
        caseload,
        wellbeing,
        unmet_needs,
        services_over_capacity,
        indicator,
        places: super::capacity::places(conn, period.length())?,
    })
}

/// The period's bounds, bound as ?1 (first day), ?2 (last day), ?3 (the day after).
struct Query<'a> {
    conn: &'a Connection,
    from: &'a str,
    to: &'a str,
    end: &'a str,
}

impl Query<'_> {
    fn count(&self, sql: &str) -> Result<Count> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let params = self.params(stmt.parameter_count());
        let n: i64 = stmt.query_row(params, |r| r.get(0))?;
        Ok(Count::N(n))
    }

    fn breakdown(&self, sql: &str) -> Result<Breakdown> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let params = self.params(stmt.parameter_count());
        let rows = stmt.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(Breakdown::from_counts(rows.collect::<rusqlite::Result<_>>()?))
    }

    fn values(&self, sql: &str) -> Result<Vec<f64>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let params = self.params(stmt.parameter_count());
        let rows = stmt.query_map(params, |r| r.get::<_, f64>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The first `n` of ?1, ?2, ?3 (a statement binds up to its highest number).
    fn params(&self, n: usize) -> rusqlite::ParamsFromIter<Vec<&str>> {
        rusqlite::params_from_iter([self.from, self.to, self.end][..n.min(3)].to_vec())
    }
}

/// Contacts and sessions in the period (not the triage notes), by kind, and how
/// many the person did not attend: one seek per kind into the `contact_summary`
/// index, which holds all it needs.
fn contacts(q: &Query) -> Result<Contacts> {
    use crate::domain::referral::ContactKind;
    let mut stmt = q.conn.prepare_cached(
        "SELECT count(*), coalesce(sum(did_not_attend = 1 OR outcome = 'dna'), 0) FROM contact
         WHERE kind = ?1 AND at >= ?2 AND at < ?3",
    )?;
    let mut by_kind = Vec::new();
    let (mut total, mut dna) = (0, 0);
    for kind in ContactKind::ALL.iter().filter(|k| **k != ContactKind::Note) {
        let (n, d): (i64, i64) = stmt.query_row([kind.code(), q.from, q.end], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if n > 0 {
            by_kind.push((kind.code().to_owned(), n));
        }
        total += n;
        dna += d;
    }
    Ok(Contacts { total: Count::N(total), by_kind: Breakdown::from_counts(by_kind), did_not_attend: Count::N(dna) })
}

/// New referrals in the period by reason, referrer role and practice, and the
/// PCN indicator: people coded 871731000000106, and per 1,000 registered
/// patients of the practices whose list size is set. One pass over the period's
/// referrals (the `referral_received` index covers it).
fn referrals(q: &Query) -> Result<(Referrals, Indicator)> {
    use std::collections::{BTreeMap, HashSet};
    let mut stmt = q.conn.prepare_cached(
        "SELECT r.client_id, r.referrer_role, p.name, p.list_size, r.snomed_code = ?3
         FROM referral r LEFT JOIN practice p ON p.id = r.practice_id
         WHERE r.received_on BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(params![q.from, q.to, SNOMED_REFERRAL])?;
    let (mut new, mut roles, mut practices) = (0, BTreeMap::<String, i64>::new(), BTreeMap::<String, i64>::new());
    let (mut people, mut at_listed) = (HashSet::new(), HashSet::new());
    while let Some(r) = rows.next()? {
        let (client, role, practice, list_size, coded): (i64, String, Option<String>, Option<i64>, bool) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        new += 1;
        *roles.entry(role).or_default() += 1;
        *practices.entry(practice.unwrap_or_else(|| "not recorded".to_owned())).or_default() += 1;
        if coded {
            people.insert(client);
            if list_size.is_some_and(|n| n > 0) {
                at_listed.insert(client);
            }
        }
    }
    let registered: Option<i64> =
        q.conn.query_row("SELECT sum(list_size) FROM practice WHERE list_size > 0", [], |r| r.get(0))?;
    let referrals = Referrals {
        new: Count::N(new),
        by_reason: q.breakdown(
            "SELECT rr.code, count(*) FROM referral r JOIN referral_reason rr ON rr.referral_id = r.id
             WHERE r.received_on BETWEEN ?1 AND ?2 GROUP BY rr.code",
        )?,
        by_referrer_role: Breakdown::from_counts(roles.into_iter().collect()),
        by_practice: Breakdown::from_counts(practices.into_iter().collect()),
    };
    let indicator = Indicator {
        code: SNOMED_REFERRAL,
        people: Count::N(people.len() as i64),
        at_listed: at_listed.len() as i64,
        registered_patients: registered,
        per_1000: registered.map(|n| round2(at_listed.len() as f64 * 1000.0 / n as f64)),
    };
    Ok((referrals, indicator))
}

/// Prescriptions handed over in the period (those with a "sent" event in it) by
/// service and category, and the services sent more than their places allow
/// (places per week, month, quarter or year, scaled to the period's `days`).
fn sent_prescriptions(q: &Query, days: i64) -> Result<(Prescriptions, Vec<OverCapacity>)> {
    use std::collections::BTreeMap;
    let mut stmt = q.conn.prepare_cached(
        "SELECT s.id, s.name, s.categories, s.capacity_places, s.capacity_period, count(*)
         FROM prescription p JOIN service s ON s.id = p.service_id
         WHERE p.id IN (SELECT prescription_id FROM prescription_event WHERE state = 'sent' AND at >= ?1 AND at < ?2)
         GROUP BY s.id",
    )?;
    type Row = (i64, String, Option<String>, Option<i64>, Option<String>, i64);
    let rows: Vec<Row> = stmt
        .query_map([q.from, q.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_service = BTreeMap::<String, i64>::new();
    let mut by_category = BTreeMap::<String, i64>::new();
    let mut over = Vec::new();
    for (_, service, categories, places, per, sent) in &rows {
        *by_service.entry(service.clone()).or_default() += sent;
        let first = categories.as_deref().and_then(|c| c.split(';').map(str::trim).find(|c| !c.is_empty()));
        *by_category.entry(first.unwrap_or("uncategorised").to_owned()).or_default() += sent;
        if let (Some(places), Some(per)) = (places, per) {
            let period_days = match per.as_str() {
                "week" => 7.0,
                "month" => 365.25 / 12.0,
                "quarter" => 365.25 / 4.0,
                _ => 365.25,
            };
            let scaled = round2(*places as f64 * days as f64 / period_days);
            if *sent as f64 > scaled {
                over.push(OverCapacity { service: service.clone(), sent: Count::N(*sent), places: scaled });
            }
        }
    }
    over.sort_by(|a, b| {
        let ratio = |o: &OverCapacity| o.sent.value().unwrap_or(0) as f64 / o.places.max(0.01);
        ratio(b).total_cmp(&ratio(a)).then_with(|| a.service.cmp(&b.service))
    });
    let prescriptions = Prescriptions {
        sent: Count::N(rows.iter().map(|r| r.5).sum()),
        by_service: Breakdown::from_counts(by_service.into_iter().collect()),
        by_category: Breakdown::from_counts(by_category.into_iter().collect()),
    };
    Ok((prescriptions, over))
}

/// Services' answers in the period (each accepted, declined or no-response
/// event), and the median days from the hand-over to an accept or decline.
fn answers(q: &Query) -> Result<Answers> {
    let mut stmt = q.conn.prepare_cached(
        "SELECT e.state,
                julianday(e.at) - julianday((SELECT max(s.at) FROM prescription_event s
                                             WHERE s.prescription_id = e.prescription_id AND s.state = 'sent'
                                               AND s.at <= e.at))
         FROM prescription_event e
         WHERE e.state IN ('accepted', 'declined', 'no_response') AND e.at >= ?1 AND e.at < ?2",
    )?;
    let rows: Vec<(String, Option<f64>)> =
        stmt.query_map([q.from, q.end], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let count = |s: &str| rows.iter().filter(|(state, _)| state == s).count() as i64;
    let mut days: Vec<f64> = rows
        .iter()
        .filter(|(state, _)| state != "no_response")
        .filter_map(|(_, d)| d.map(|d| (d * 10.0).round() / 10.0))
        .collect();
    Ok(Answers {
        total: Count::N(rows.len() as i64),
        accepted: Count::N(count("accepted")),
        declined: Count::N(count("declined")),
        no_response: Count::N(count("no_response")),
        median_days_to_answer: median(&mut days),
    })
}

/// Wellbeing change for people with a baseline and a follow-up: each follow-up
/// taken in the period (the latest per person and instrument) against the most
/// recent baseline before it.
fn wellbeing(q: &Query) -> Result<Wellbeing> {
    let mut stmt = q.conn.prepare_cached(
        "SELECT f.client_id, f.instrument, f.taken_on, f.id, f.items, f.raw_score, f.metric_score,
                b.items, b.raw_score, b.metric_score, julianday(f.taken_on) - julianday(b.taken_on)
         FROM measure f
         JOIN measure b ON b.id = (SELECT id FROM measure x WHERE x.client_id = f.client_id
                                   AND x.instrument = f.instrument AND x.timing = 'baseline'
                                   AND x.taken_on <= f.taken_on ORDER BY x.taken_on DESC, x.id DESC LIMIT 1)
         WHERE f.timing = 'follow_up' AND f.taken_on BETWEEN ?1 AND ?2",
    )?;
    type Row = (String, String, Option<i64>, Option<f64>, String, Option<i64>, Option<f64>);
    // The latest follow-up in the period for each person and instrument.
    let mut latest: std::collections::BTreeMap<(i64, String), ((String, i64), Row)> = Default::default();
    // A follow-up too soon after its baseline (stored before the rule) measures no change over the work.
    let min_days = super::measures::follow_up_min_days(q.conn)? as f64;
    let mut rows = stmt.query([q.from, q.to])?;
    while let Some(r) = rows.next()? {
        if r.get::<_, f64>(10)? < min_days {
            continue;
        }
        let key = (r.get::<_, i64>(0)?, r.get::<_, String>(1)?);
        let when = (r.get::<_, String>(2)?, r.get::<_, i64>(3)?);
        if latest.get(&key).is_some_and(|(seen, _)| *seen >= when) {
            continue;
        }
        let row: Row = (key.1.clone(), r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?);
        latest.insert(key, (when, row));
    }
    let rows = latest.into_values().map(|(_, row)| row);
    let mut ons4: [Vec<f64>; 4] = Default::default();
    let mut ons4_people = 0;
    let (mut swemwbs, mut ucla3) = (Vec::new(), Vec::new());
    for (instrument, after, raw_after, metric_after, before, raw_before, metric_before) in rows {
        match instrument.as_str() {
            "ons4" => {
                let items = |s: &str| serde_json::from_str::<Vec<Option<f64>>>(s).unwrap_or_default();
                let (a, b) = (items(&after), items(&before));
                let mut any = false;
                for (i, change) in ons4.iter_mut().enumerate() {
                    if let (Some(Some(x)), Some(Some(y))) = (a.get(i), b.get(i)) {
                        change.push(x - y);
                        any = true;
                    }
                }
                ons4_people += i64::from(any);
            }
            "swemwbs" => {
                if let (Some(x), Some(y)) = (metric_after, metric_before) {
                    swemwbs.push(x - y);
                }
            }
            "ucla3" => {
                if let (Some(x), Some(y)) = (raw_after, raw_before) {
                    ucla3.push((x - y) as f64);
                }
            }
            _ => {}
        }
    }
    let m = |v: &[f64]| mean(v).map(round2);
    Ok(Wellbeing {
        ons4: Ons4Change {
            n: Count::N(ons4_people),
            life_satisfaction: m(&ons4[0]),
            worthwhile: m(&ons4[1]),
            happiness: m(&ons4[2]),
            anxiety: m(&ons4[3]),
        },
        swemwbs_metric: Stat::new(swemwbs.len() as i64, mean(&swemwbs)),
        ucla3: Stat::new(ucla3.len() as i64, mean(&ucla3)),
    })
}

// ---------------------------------------------------------------------------
// The dashboard
// ---------------------------------------------------------------------------

/// What the dashboard shows, read when it opens or refreshes.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    /// New referrals in each of the last 12 ISO weeks, oldest first: (week label, count).
    pub weeks: Vec<(String, u64)>,
    /// Open episodes by status.
    pub by_status: Vec<(Status, u64)>,
    /// The summary of the last 12 weeks (to today): reasons, capacity, wellbeing.
    pub recent: Summary,
}

pub fn dashboard(conn: &Connection, today: NaiveDate) -> Result<Dashboard> {
    let this_week = Period::of_week(today);
    let first = this_week.from - Duration::weeks(11);
    let mut weeks = Vec::with_capacity(12);
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM referral WHERE received_on BETWEEN ?1 AND ?2")?;
    for i in 0..12 {
        let monday = first + Duration::weeks(i);
        let n: i64 = stmt.query_row([monday.to_string(), (monday + Duration::days(6)).to_string()], |r| r.get(0))?;
        weeks.push((format!("W{:02}", monday.iso_week().week()), n as u64));
    }
    let mut by_status = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM referral WHERE status = ?1")?;
    for s in Status::ALL.iter().filter(|s| s.is_open()) {
        let n: i64 = stmt.query_row([s.code()], |r| r.get(0))?;
        by_status.push((*s, n as u64));
    }
    let recent = compute(conn, &Period::days(first, today).map_err(anyhow::Error::msg)?)?;
    Ok(Dashboard { weeks, by_status, recent })
}

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

    let referrals = Referrals {
        new: q.count("SELECT count(*) FROM referral WHERE received_on BETWEEN ?1 AND ?2")?,
        by_reason: q.breakdown(
            "SELECT rr.code, count(*) FROM referral r JOIN referral_reason rr ON rr.referral_id = r.id
             WHERE r.received_on BETWEEN ?1 AND ?2 GROUP BY rr.code",
        )?,
        by_referrer_role: q.breakdown(
            "SELECT referrer_role, count(*) FROM referral WHERE received_on BETWEEN ?1 AND ?2 GROUP BY referrer_role",
        )?,
        by_practice: q.breakdown(
            "SELECT coalesce(p.name, 'not recorded'), count(*) FROM referral r LEFT JOIN practice p ON p.id = r.practice_id
             WHERE r.received_on BETWEEN ?1 AND ?2 GROUP BY 1",
        )?,
    };

    let mut waits = q.values(
        "SELECT julianday(first_contact_on) - julianday(received_on) FROM referral
         WHERE first_contact_on BETWEEN ?1 AND ?2",
    )?;
    let first_contacts = FirstContacts { made: Count::N(waits.len() as i64), median_days: median(&mut waits) };

    let assessments =
        Assessments { done: q.count("SELECT count(*) FROM assessment WHERE assessed_on BETWEEN ?1 AND ?2")? };

    let by_kind = q.breakdown(
        "SELECT kind, count(*) FROM contact WHERE at >= ?1 AND at < ?3 AND kind <> 'note'
         GROUP BY kind",
    )?;
    let contacts = Contacts {
        total: Count::N(by_kind.0.iter().filter_map(|(_, c)| c.value()).sum()),
        by_kind,
        did_not_attend: q.count(
            "SELECT count(*) FROM contact WHERE at >= ?1 AND at < ?3 AND kind <> 'note'
             AND (did_not_attend = 1 OR outcome = 'dna')",
        )?,
    };

    let prescriptions = sent_prescriptions(&q)?;
    let answers = answers(&q)?;

    let by_outcome = q.breakdown(
        "SELECT outcome, count(*) FROM referral WHERE closed_on BETWEEN ?1 AND ?2 AND outcome IS NOT NULL GROUP BY outcome",
    )?;
    let closed = Closed { total: Count::N(by_outcome.0.iter().filter_map(|(_, c)| c.value()).sum()), by_outcome };

    let caseload = Caseload {
        active_at_end: q.count(
            "SELECT count(DISTINCT client_id) FROM referral
             WHERE received_on <= ?2 AND (closed_on IS NULL OR closed_on > ?2)",
        )?,
        waiting_first_contact: q.count(
            "SELECT count(DISTINCT client_id) FROM referral
             WHERE received_on <= ?2 AND (closed_on IS NULL OR closed_on > ?2)
               AND (first_contact_on IS NULL OR first_contact_on > ?2)",
        )?,
    };

    let wellbeing = wellbeing(&q)?;

    let by_code =
        q.breakdown("SELECT code, count(*) FROM unmet_need WHERE recorded_on BETWEEN ?1 AND ?2 GROUP BY code")?;
    let unmet_needs = Unmet { total: Count::N(by_code.0.iter().filter_map(|(_, c)| c.value()).sum()), by_code };

    let services_over_capacity = over_capacity(&q, period.length())?;
    let indicator = indicator(&q)?;

    Ok(Summary {
        schema: SUMMARY_SCHEMA,
        period: period.clone(),
        suppressed: false,
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

/// Prescriptions handed over in the period: those with a "sent" event in it.
fn sent_prescriptions(q: &Query) -> Result<Prescriptions> {
    let mut stmt = q.conn.prepare_cached(
        "SELECT s.name, s.categories FROM prescription p JOIN service s ON s.id = p.service_id
         WHERE p.id IN (SELECT prescription_id FROM prescription_event WHERE state = 'sent' AND at >= ?1 AND at < ?2)",
    )?;
    let rows: Vec<(String, Option<String>)> =
        stmt.query_map([q.from, q.end], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut by_service = std::collections::BTreeMap::<String, i64>::new();
    let mut by_category = std::collections::BTreeMap::<String, i64>::new();
    for (service, categories) in &rows {
        *by_service.entry(service.clone()).or_default() += 1;
        let first = categories.as_deref().and_then(|c| c.split(';').map(str::trim).find(|c| !c.is_empty()));
        *by_category.entry(first.unwrap_or("uncategorised").to_owned()).or_default() += 1;
    }
    Ok(Prescriptions {
        sent: Count::N(rows.len() as i64),
        by_service: Breakdown::from_counts(by_service.into_iter().collect()),
        by_category: Breakdown::from_counts(by_category.into_iter().collect()),
    })
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
        "SELECT f.instrument, f.items, f.raw_score, f.metric_score, b.items, b.raw_score, b.metric_score
         FROM measure f
         JOIN measure b ON b.id = (SELECT id FROM measure x WHERE x.client_id = f.client_id
                                   AND x.instrument = f.instrument AND x.timing = 'baseline'
                                   AND x.taken_on <= f.taken_on ORDER BY x.taken_on DESC, x.id DESC LIMIT 1)
         WHERE f.timing = 'follow_up' AND f.taken_on BETWEEN ?1 AND ?2
           AND NOT EXISTS (SELECT 1 FROM measure later WHERE later.client_id = f.client_id
                           AND later.instrument = f.instrument AND later.timing = 'follow_up'
                           AND later.taken_on BETWEEN ?1 AND ?2
                           AND (later.taken_on > f.taken_on OR (later.taken_on = f.taken_on AND later.id > f.id)))",
    )?;
    type Row = (String, String, Option<i64>, Option<f64>, String, Option<i64>, Option<f64>);
    let rows: Vec<Row> = stmt
        .query_map([q.from, q.to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
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

/// Services sent more prescriptions in the period than their places allow
/// (places per week, month, quarter or year, scaled to the period's length).
fn over_capacity(q: &Query, days: i64) -> Result<Vec<OverCapacity>> {
    let mut stmt = q.conn.prepare_cached(
        "SELECT s.name, s.capacity_places, s.capacity_period, count(DISTINCT e.prescription_id)
         FROM prescription_event e JOIN prescription p ON p.id = e.prescription_id JOIN service s ON s.id = p.service_id
         WHERE e.state = 'sent' AND e.at >= ?1 AND e.at < ?2 AND s.capacity_places IS NOT NULL
         GROUP BY s.id",
    )?;
    let rows: Vec<(String, i64, String, i64)> = stmt
        .query_map([q.from, q.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut over: Vec<OverCapacity> = rows
        .into_iter()
        .filter_map(|(service, places, per, sent)| {
            let period_days = match per.as_str() {
                "week" => 7.0,
                "month" => 365.25 / 12.0,
                "quarter" => 365.25 / 4.0,
                _ => 365.25,
            };
            let scaled = round2(places as f64 * days as f64 / period_days);
            (sent as f64 > scaled).then_some(OverCapacity { service, sent: Count::N(sent), places: scaled })
        })
        .collect();
    over.sort_by(|a, b| {
        let ratio = |o: &OverCapacity| o.sent.value().unwrap_or(0) as f64 / o.places.max(0.01);
        ratio(b).total_cmp(&ratio(a)).then_with(|| a.service.cmp(&b.service))
    });
    Ok(over)
}

/// The PCN indicator: people coded 871731000000106 in the period, and per 1,000
/// registered patients of the practices whose list size is set.
fn indicator(q: &Query) -> Result<Indicator> {
    let people: i64 = q
        .conn
        .prepare_cached(
            "SELECT count(DISTINCT client_id) FROM referral WHERE received_on BETWEEN ?1 AND ?2 AND snomed_code = ?3",
        )?
        .query_row(params![q.from, q.to, SNOMED_REFERRAL], |r| r.get(0))?;
    let (registered, at_listed): (Option<i64>, i64) = q
        .conn
        .prepare_cached(
            "SELECT (SELECT sum(list_size) FROM practice WHERE list_size > 0),
                (SELECT count(DISTINCT r.client_id) FROM referral r JOIN practice p ON p.id = r.practice_id
                 WHERE p.list_size > 0 AND r.received_on BETWEEN ?1 AND ?2 AND r.snomed_code = ?3)",
        )?
        .query_row(params![q.from, q.to, SNOMED_REFERRAL], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Indicator {
        code: SNOMED_REFERRAL,
        people: Count::N(people),
        registered_patients: registered,
        per_1000: registered.map(|n| round2(at_listed as f64 * 1000.0 / n as f64)),
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

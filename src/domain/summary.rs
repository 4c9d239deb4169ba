//! The weekly summary for the PCN and commissioners: the reporting period (ISO
//! weeks), the figures, and small-number suppression (DOMAIN.md: counts of 1 to 4
//! in reports that leave the practice are shown as "<5" when asked for).
//!
//! Storage fills a [`Summary`] with plain counts; [`Summary::suppress`] then
//! hides the small ones, and formats render it.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// The period a summary covers, both days included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `YYYY-Www` when the period is one ISO week.
    pub week: Option<String>,
}

impl Period {
    /// An ISO 8601 week, `YYYY-Www` (Monday to Sunday). Week 53 exists only in
    /// years that have it (2026 does; 2027 does not).
    pub fn week(text: &str) -> Result<Period, String> {
        let bad = || format!("week: '{text}' is not an ISO week; expected YYYY-Www, e.g. 2026-W47");
        let upper = text.trim().to_ascii_uppercase();
        let (y, w) = upper.split_once('W').ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) || !digits(w, 2) {
            return Err(bad());
        }
        let (year, week): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
        if !(1..=53).contains(&week) {
            return Err(bad());
        }
        let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .ok_or_else(|| format!("week: {year} has no week {week} (it has {} ISO weeks)", weeks_in(year)))?;
        Ok(Period::of_week(monday))
    }

    /// The ISO week holding `day`.
    pub fn of_week(day: NaiveDate) -> Period {
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let iso = monday.iso_week();
        Period {
            from: monday,
            to: monday + Duration::days(6),
            week: Some(format!("{}-W{:02}", iso.year(), iso.week())),
        }
    }

    /// The last complete ISO week before `today` (the one before this week).
    pub fn last_complete_week(today: NaiveDate) -> Period {
        Period::of_week(today - Duration::days(7))
    }

    /// Any run of days; a whole ISO week is labelled as one.
    pub fn days(from: NaiveDate, to: NaiveDate) -> Result<Period, String> {
        if to < from {
            return Err(format!("period: {to} is before {from}"));
        }
        if (to - from).num_days() > 366 * 5 {
            return Err("period: at most five years".to_owned());
        }
        let week = Period::of_week(from);
        Ok(if week.to == to && week.from == from { week } else { Period { from, to, week: None } })
    }

    /// Days in the period.
    pub fn length(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// A short label: the ISO week, or the two dates.
    pub fn label(&self) -> String {
        match &self.week {
            Some(w) => format!("{w} ({} to {})", self.from, self.to),
            None => format!("{} to {}", self.from, self.to),
        }
    }
}

/// How many ISO weeks `year` has (52 or 53).
pub fn weeks_in(year: i32) -> u32 {
    NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |d| d.iso_week().week())
}

// ---------------------------------------------------------------------------
// Counts that may be suppressed
// ---------------------------------------------------------------------------

/// A count as published: the number, "<5" (1 to 4, suppressed), or "*" (hidden
/// so that a "<5" cell cannot be worked out from its total).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    N(i64),
    Small,
    Hidden,
}

impl Count {
    pub fn value(self) -> Option<i64> {
        match self {
            Count::N(n) => Some(n),
            _ => None,
        }
    }

    fn primary(self) -> Count {
        match self {
            Count::N(n) if (1..=4).contains(&n) => Count::Small,
            c => c,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that widths such as {:>5} line figures up.
        match self {
            Count::N(n) => f.pad(&n.to_string()),
            Count::Small => f.pad("<5"),
            Count::Hidden => f.pad("*"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::N(n) => s.serialize_i64(*n),
            other => s.serialize_str(&other.to_string()),
        }
    }
}

impl From<i64> for Count {
    fn from(n: i64) -> Self {
        Count::N(n)
    }
}

/// Counts by a category, largest first; serialized as a JSON object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breakdown(pub Vec<(String, Count)>);

impl Serialize for Breakdown {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Breakdown {
    /// From (name, count) pairs: largest first, then by name.
    pub fn from_counts(mut pairs: Vec<(String, i64)>) -> Self {
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Breakdown(pairs.into_iter().map(|(k, v)| (k, Count::N(v))).collect())
    }

    /// The sum of the cells that are numbers.
    pub fn total(&self) -> i64 {
        self.0.iter().filter_map(|(_, c)| c.value()).sum()
    }

    pub fn get(&self, key: &str) -> Option<Count> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Suppress 1 to 4 in each cell; if a published total would then reveal a
    /// single suppressed cell, hide the next smallest cell too (or, with none,
    /// the total).
    fn suppress(&mut self, total: &mut Count) {
        for (_, c) in &mut self.0 {
            *c = c.primary();
        }
        *total = total.primary();
        let small = self.0.iter().filter(|(_, c)| *c == Count::Small).count();
        if small == 1 && matches!(total, Count::N(_)) {
            let next = self
                .0
                .iter_mut()
                .filter(|(_, c)| matches!(c, Count::N(n) if *n > 0))
                .min_by_key(|(_, c)| c.value().unwrap_or(i64::MAX));
            match next {
                Some((_, c)) => *c = Count::Hidden,
                None => *total = Count::Hidden,
            }
        }
    }
}

/// A mean or median with the number of people or events behind it; the value is
/// withheld when suppression is on and `n` is 1 to 4.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stat {
    pub n: Count,
    pub value: Option<f64>,
}

impl Stat {
    pub fn new(n: i64, value: Option<f64>) -> Self {
        Stat { n: Count::N(n), value: value.map(round2) }
    }

    fn suppress(&mut self) {
        self.n = self.n.primary();
        if self.n == Count::Small {
            self.value = None;
        }
    }
}

/// Mean changes in the ONS4 items (never summed: DOMAIN.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ons4Change {
    pub n: Count,
    pub life_satisfaction: Option<f64>,
    pub worthwhile: Option<f64>,
    pub happiness: Option<f64>,
    pub anxiety: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OverCapacity {
    pub service: String,
    pub sent: Count,
    /// Its places scaled to the period's length.
    pub places: f64,
}

/// Everything the summary reports (README: "The weekly summary").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub period: Period,
    pub suppressed: bool,
    pub referrals: Referrals,
    pub first_contacts: FirstContacts,
    pub assessments: Assessments,
    pub contacts: Contacts,
    pub prescriptions: Prescriptions,
    pub answers: Answers,
    pub closed: Closed,
    pub caseload: Caseload,
    pub wellbeing: Wellbeing,
    pub unmet_needs: Unmet,
    pub services_over_capacity: Vec<OverCapacity>,
    pub indicator: Indicator,
}

pub const SUMMARY_SCHEMA: &str = "linkwork-summary/1";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Referrals {
    pub new: Count,
    pub by_reason: Breakdown,
    pub by_referrer_role: Breakdown,
    pub by_practice: Breakdown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirstContacts {
    pub made: Count,
    pub median_days: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessments {
    pub done: Count,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contacts {
    pub total: Count,
    pub by_kind: Breakdown,
    pub did_not_attend: Count,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prescriptions {
    pub sent: Count,
    pub by_service: Breakdown,
    pub by_category: Breakdown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answers {
    pub total: Count,
    pub accepted: Count,
    pub declined: Count,
    pub no_response: Count,
    pub median_days_to_answer: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Closed {
    pub total: Count,
    pub by_outcome: Breakdown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Caseload {
    pub active_at_end: Count,
    pub waiting_first_contact: Count,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Wellbeing {
    pub ons4: Ons4Change,
    pub swemwbs_metric: Stat,
    pub ucla3: Stat,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmet {
    pub total: Count,
    pub by_code: Breakdown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    pub code: &'static str,
    pub people: Count,
    /// Registered patients of the practices with a list size set.
    pub registered_patients: Option<i64>,
    /// People referred at those practices per 1,000 registered patients.
    pub per_1000: Option<f64>,
}

impl Summary {
    /// Show counts of 1 to 4 as "<5", hide what would let them be worked out,
    /// and withhold means and medians of fewer than 5.
    pub fn suppress(&mut self) {
        self.suppressed = true;
        let r = &mut self.referrals;
        let mut total = r.new;
        r.by_reason.suppress(&mut total);
        let mut t2 = r.new;
        r.by_referrer_role.suppress(&mut t2);
        let mut t3 = r.new;
        r.by_practice.suppress(&mut t3);
        r.new = worst([total, t2, t3]);

        let fc = &mut self.first_contacts;
        fc.made = fc.made.primary();
        if fc.made == Count::Small {
            fc.median_days = None;
        }
        self.assessments.done = self.assessments.done.primary();

        let c = &mut self.contacts;
        c.by_kind.suppress(&mut c.total);
        c.did_not_attend = c.did_not_attend.primary();

        let p = &mut self.prescriptions;
        let mut t1 = p.sent;
        p.by_service.suppress(&mut t1);
        let mut t2 = p.sent;
        p.by_category.suppress(&mut t2);
        p.sent = worst([t1, t2, p.sent]);

        let a = &mut self.answers;
        let mut cells = Breakdown(vec![
            ("accepted".into(), a.accepted),
            ("declined".into(), a.declined),
            ("no_response".into(), a.no_response),
        ]);
        cells.suppress(&mut a.total);
        (a.accepted, a.declined, a.no_response) = (cells.0[0].1, cells.0[1].1, cells.0[2].1);
        let answered = a.accepted.value().zip(a.declined.value()).map(|(x, y)| x + y);
        if answered.is_some_and(|n| (1..=4).contains(&n)) || a.accepted == Count::Small || a.declined == Count::Small {
            a.median_days_to_answer = None;
        }

        let cl = &mut self.closed;
        cl.by_outcome.suppress(&mut cl.total);
        self.caseload.active_at_end = self.caseload.active_at_end.primary();
        self.caseload.waiting_first_contact = self.caseload.waiting_first_contact.primary();

        let w = &mut self.wellbeing;
        w.ons4.n = w.ons4.n.primary();
        if w.ons4.n == Count::Small {
            (w.ons4.life_satisfaction, w.ons4.worthwhile, w.ons4.happiness, w.ons4.anxiety) = (None, None, None, None);
        }
        w.swemwbs_metric.suppress();
        w.ucla3.suppress();

        let u = &mut self.unmet_needs;
        u.by_code.suppress(&mut u.total);
        for s in &mut self.services_over_capacity {
            s.sent = s.sent.primary();
        }
        let i = &mut self.indicator;
        i.people = i.people.primary();
        if i.people == Count::Small {
            i.per_1000 = None;
        }
    }
}

/// The most hidden of several views of one total.
fn worst(counts: [Count; 3]) -> Count {
    if counts.contains(&Count::Hidden) {
        Count::Hidden
    } else if counts.contains(&Count::Small) {
        Count::Small
    } else {
        counts[0]
    }
}

/// Round to two decimals for publishing.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

/// The mean of some values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        let w53 = Period::week("2026-W53").unwrap();
        assert_eq!((w53.from, w53.to), (day(2026, 12, 28), day(2027, 1, 3)));
        let w1 = Period::week("2027-W01").unwrap();
        assert_eq!((w1.from, w1.to), (day(2027, 1, 4), day(2027, 1, 10)));
        let e = Period::week("2027-W53").unwrap_err();
        assert!(e.contains("2027 has no week 53"), "{e}");
        // 1 January 2027 is in 2026's week 53; 29 December 2025 starts 2026-W01.
        assert_eq!(Period::of_week(day(2027, 1, 1)).week.as_deref(), Some("2026-W53"));
        assert_eq!(Period::of_week(day(2025, 12, 29)).week.as_deref(), Some("2026-W01"));
        assert_eq!(weeks_in(2026), 53);
        assert_eq!(weeks_in(2027), 52);
        for bad in ["2026-W00", "2026-W54", "2026-47", "26-W47", "2026-W4", "week 47", ""] {
            assert!(Period::week(bad).is_err(), "{bad}");
        }
        assert_eq!(Period::week("2026w47").unwrap().from, day(2026, 11, 16));
    }

    #[test]
    fn last_complete_week() {
        // Monday 23 November 2026: the last complete week is 16 to 22 November.
        let p = Period::last_complete_week(day(2026, 11, 23));
        assert_eq!((p.from, p.to, p.week.as_deref()), (day(2026, 11, 16), day(2026, 11, 22), Some("2026-W47")));
        // Sunday 22 November is still in W47, which is not over.
        assert_eq!(Period::last_complete_week(day(2026, 11, 22)).week.as_deref(), Some("2026-W46"));
        // In the first days of 2027 the last complete week is 2026-W52.
        assert_eq!(Period::last_complete_week(day(2027, 1, 2)).week.as_deref(), Some("2026-W52"));
    }

    #[test]
    fn periods_of_days() {
        assert!(Period::days(day(2026, 11, 2), day(2026, 11, 1)).is_err());
        assert_eq!(Period::days(day(2026, 11, 16), day(2026, 11, 22)).unwrap().week.as_deref(), Some("2026-W47"));
        let p = Period::days(day(2026, 1, 1), day(2026, 12, 31)).unwrap();
        assert_eq!((p.week.clone(), p.length()), (None, 365));
    }

    #[test]
    fn small_counts_and_their_totals() {
        // One small cell: the next smallest is hidden so the total gives nothing away.
        let mut b = Breakdown::from_counts(vec![("a".into(), 9), ("b".into(), 3), ("c".into(), 6), ("d".into(), 0)]);
        let mut total = Count::N(18);
        b.suppress(&mut total);
        assert_eq!(b.get("a"), Some(Count::N(9)));
        assert_eq!(b.get("b"), Some(Count::Small));
        assert_eq!(b.get("c"), Some(Count::Hidden));
        assert_eq!(b.get("d"), Some(Count::N(0)));
        assert_eq!(total, Count::N(18));
        // Two small cells: they hide each other.
        let mut b = Breakdown::from_counts(vec![("a".into(), 9), ("b".into(), 3), ("c".into(), 2)]);
        let mut total = Count::N(14);
        b.suppress(&mut total);
        assert_eq!(b.0.iter().map(|(_, c)| c.to_string()).collect::<Vec<_>>(), ["9", "<5", "<5"]);
        // One small cell and nothing else to hide: the total goes.
        let mut b = Breakdown::from_counts(vec![("a".into(), 3)]);
        let mut total = Count::N(5); // (a multi-valued breakdown)
        b.suppress(&mut total);
        assert_eq!(total, Count::Hidden);
        let mut small_total = Count::N(4);
        Breakdown::default().suppress(&mut small_total);
        assert_eq!(small_total, Count::Small);
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
        assert_eq!(serde_json::to_string(&Count::Small).unwrap(), "\"<5\"");
        assert_eq!(serde_json::to_string(&Count::N(7)).unwrap(), "7");
    }
}

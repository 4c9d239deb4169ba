//! The weekly summary for the PCN and commissioners: the reporting period (ISO
//! weeks), the figures, and disclosure control (DOMAIN.md: NHS Digital's method
//! for sub-national counts, [`METHOD`], for reports that leave the practice).
//!
//! Storage fills a [`Summary`] with plain counts; [`Summary::suppress`] then
//! applies disclosure control, and formats render it.

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
// Disclosure control
// ---------------------------------------------------------------------------

/// The disclosure-control method, named in every summary that uses it.
pub const METHOD: &str = "NHS Digital HES/ECDS disclosure control: 0 stays 0; 1 to 7 shown as *; every other count \
rounded to the nearest 5; totals from the unrounded counts, then rounded (withheld where the rows' figures could \
let a total pin a * row down); a mean or median over 1 to 7 values shown \
as *; rates from the rounded figures; suppressed rows listed by name after the others";

/// A count as published: a number (exact, or rounded to the nearest 5 when
/// disclosure control is on), or `*` (1 to 7, suppressed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    N(i64),
    Hidden,
    /// A total withheld because, with its rows' figures, some value of it would
    /// pin a hidden row down (see [`Breakdown::could_pin`]).
    Withheld,
}

/// One count under disclosure control (DOMAIN.md; NHS Digital's method for
/// sub-national counts from HES and ECDS): 0 stays 0, 1 to 7 become `*`, every
/// other count is rounded to the nearest 5 (8 to 12 are 10; 13 to 17 are 15).
pub fn disclose(n: i64) -> Count {
    match n {
        i64::MIN..=0 => Count::N(n),
        1..=7 => Count::Hidden,
        _ => Count::N((n + 2) / 5 * 5),
    }
}

/// The true counts a published count may stand for, both ends included.
pub fn interval(published: Count) -> (i64, i64) {
    match published {
        Count::Hidden => (1, 7),
        Count::Withheld => (0, i64::MAX),
        Count::N(0) => (0, 0),
        Count::N(n) => (n - 2, n + 2),
    }
}

impl Count {
    pub fn value(self) -> Option<i64> {
        match self {
            Count::N(n) => Some(n),
            Count::Hidden | Count::Withheld => None,
        }
    }

    /// This count under disclosure control (a hidden one stays hidden).
    pub fn disclosed(self) -> Count {
        match self {
            Count::N(n) => disclose(n),
            other => other,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that widths such as {:>5} line figures up.
        match self {
            Count::N(n) => f.pad(&n.to_string()),
            Count::Hidden => f.pad("*"),
            Count::Withheld => f.pad("withheld"),
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
    pub fn from_counts(pairs: Vec<(String, i64)>) -> Self {
        let mut b = Breakdown(pairs.into_iter().map(|(k, v)| (k, Count::N(v))).collect());
        b.sort();
        b
    }

    /// Largest first, then by name; hidden cells after all the others, by name.
    /// Applied to published figures, the order carries nothing they do not.
    fn sort(&mut self) {
        self.0.sort_by(|a, b| match (a.1.value(), b.1.value()) {
            (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.0.cmp(&b.0)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.0.cmp(&b.0),
        });
    }

    /// The sum of the cells that are numbers.
    pub fn total(&self) -> i64 {
        self.0.iter().filter_map(|(_, c)| c.value()).sum()
    }

    pub fn get(&self, key: &str) -> Option<Count> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Every cell under disclosure control, then listed again by the published
    /// figures alone (so that where a row stands says nothing about its count).
    pub fn disclose(&mut self) {
        for (_, c) in &mut self.0 {
            *c = c.disclosed();
        }
        self.sort();
    }

    /// Whether, for some total it could be published with, these published rows
    /// would pin a hidden row to one value. Rows that add up to a total can be
    /// pinned only at the ends of their range: when the total's rounding
    /// interval ends where the rows' least possible sum is (every row at its
    /// least, a hidden row 1) or begins where their greatest is. Judged on the
    /// published rows alone, so that withholding the total says nothing more.
    pub fn could_pin(&self) -> bool {
        if !self.0.iter().any(|(_, c)| *c == Count::Hidden) {
            return false;
        }
        let (lo, hi) = self.0.iter().map(|(_, c)| interval(*c)).fold((0, 0), |(l, h), (a, b)| (l + a, h + b));
        // Intervals of published totals: * is 1 to 7, 5k is 5k-2 to 5k+2 (k >= 2).
        let top = lo == 7 || (lo >= 12 && lo % 5 == 2);
        let bottom = hi >= 8 && hi % 5 == 3;
        top || bottom
    }
}

/// One week's new referrals, with the breakdowns that add up to them (for the
/// weekly chart of the printed report).
#[derive(Clone, Debug, PartialEq)]
pub struct Week {
    /// `YYYY-Www`.
    pub week: String,
    pub new: i64,
    pub by_referrer_role: Breakdown,
    pub by_practice: Breakdown,
}

/// New referrals as the summary publishes them under disclosure control, from
/// the true count and its breakdowns by referrer role and by practice (so that
/// another page, such as the weekly chart, shows a week's total exactly as that
/// week's summary does).
pub fn disclose_new_referrals(new: i64, mut by_referrer_role: Breakdown, mut by_practice: Breakdown) -> Count {
    by_referrer_role.disclose();
    by_practice.disclose();
    disclose_total(Count::N(new), &[&by_referrer_role, &by_practice])
}

/// A total under disclosure control, and withheld if any breakdown that adds up
/// to it could be pinned down by it ([`Breakdown::could_pin`]).
fn disclose_total(total: Count, parts: &[&Breakdown]) -> Count {
    if parts.iter().any(|b| b.could_pin()) { Count::Withheld } else { total.disclosed() }
}

/// A mean or median with the number of people or events behind it; under
/// disclosure control the value is withheld (`*`) when `n` is 1 to 7.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stat {
    pub n: Count,
    pub value: Option<f64>,
}

impl Stat {
    pub fn new(n: i64, value: Option<f64>) -> Self {
        Stat { n: Count::N(n), value: value.map(round2) }
    }

    fn disclose(&mut self) {
        self.n = self.n.disclosed();
        if self.n == Count::Hidden {
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
    /// The disclosure-control method applied, when `suppressed`.
    pub method: Option<&'static str>,
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
    /// Places at services with a capacity set, for "sent against capacity".
    pub places: Places,
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
    /// Of them, people referred at practices with a list size (behind
    /// `per_1000`; not published itself).
    #[serde(skip)]
    pub at_listed: i64,
    /// Registered patients of the practices with a list size set.
    pub registered_patients: Option<i64>,
    /// People referred at those practices per 1,000 registered patients.
    pub per_1000: Option<f64>,
}

impl Summary {
    /// Disclosure control on every figure (DOMAIN.md; [`METHOD`]): each count
    /// on its own from its true value (so a total is its unrounded self,
    /// rounded), breakdowns listed again by the published figures, means and
    /// medians over 1 to 7 values withheld, rates from the rounded figures, and
    /// services over capacity judged on the published figure, so that neither a
    /// row's place nor its presence says more than the figures do.
    pub fn suppress(&mut self) {
        self.suppressed = true;
        self.method = Some(METHOD);
        let r = &mut self.referrals;
        r.by_reason.disclose();
        r.by_referrer_role.disclose();
        r.by_practice.disclose();
        r.new = disclose_total(r.new, &[&r.by_referrer_role, &r.by_practice]);

        let fc = &mut self.first_contacts;
        fc.made = fc.made.disclosed();
        if fc.made == Count::Hidden {
            fc.median_days = None;
        }
        self.assessments.done = self.assessments.done.disclosed();

        let c = &mut self.contacts;
        c.by_kind.disclose();
        c.total = disclose_total(c.total, &[&c.by_kind]);
        c.did_not_attend = c.did_not_attend.disclosed();

        let p = &mut self.prescriptions;
        p.by_service.disclose();
        p.by_category.disclose();
        p.sent = disclose_total(p.sent, &[&p.by_service, &p.by_category]);

        let a = &mut self.answers;
        // The median is over the accepted and declined answers.
        let answered = a.accepted.value().unwrap_or(0) + a.declined.value().unwrap_or(0);
        if disclose(answered) == Count::Hidden {
            a.median_days_to_answer = None;
        }
        a.accepted = a.accepted.disclosed();
        a.declined = a.declined.disclosed();
        a.no_response = a.no_response.disclosed();
        let parts = Breakdown(vec![
            ("accepted".into(), a.accepted),
            ("declined".into(), a.declined),
            ("no_response".into(), a.no_response),
        ]);
        a.total = disclose_total(a.total, &[&parts]);

        let cl = &mut self.closed;
        cl.by_outcome.disclose();
        cl.total = disclose_total(cl.total, &[&cl.by_outcome]);
        self.caseload.active_at_end = self.caseload.active_at_end.disclosed();
        self.caseload.waiting_first_contact = self.caseload.waiting_first_contact.disclosed();

        let w = &mut self.wellbeing;
        w.ons4.n = w.ons4.n.disclosed();
        if w.ons4.n == Count::Hidden {
            (w.ons4.life_satisfaction, w.ons4.worthwhile, w.ons4.happiness, w.ons4.anxiety) = (None, None, None, None);
        }
        w.swemwbs_metric.disclose();
        w.ucla3.disclose();

        let u = &mut self.unmet_needs;
        u.by_code.disclose();
        u.total = disclose_total(u.total, &[&u.by_code]);

        self.services_over_capacity = over_capacity(&self.prescriptions.by_service, &self.places);

        let i = &mut self.indicator;
        i.people = i.people.disclosed();
        let at_listed = disclose(i.at_listed);
        i.at_listed = at_listed.value().unwrap_or(0);
        i.per_1000 = match (at_listed, i.registered_patients) {
            (Count::N(n), Some(r)) if r > 0 => Some(round2(n as f64 * 1000.0 / r as f64)),
            _ => None,
        };
    }
}

/// The services sent more people than their places in the period, judged on the
/// figures given (rounded, under disclosure control): most over first, then by
/// name. A hidden count is not compared.
pub fn over_capacity(by_service: &Breakdown, places: &Places) -> Vec<OverCapacity> {
    let mut over: Vec<OverCapacity> = by_service
        .0
        .iter()
        .filter_map(|(service, sent)| {
            let (n, places) = (sent.value()?, *places.by_service.get(service)?);
            (n as f64 > places).then(|| OverCapacity { service: service.clone(), sent: *sent, places })
        })
        .collect();
    over.sort_by(|a, b| {
        let ratio = |o: &OverCapacity| o.sent.value().unwrap_or(0) as f64 / o.places.max(0.01);
        ratio(b).total_cmp(&ratio(a)).then_with(|| a.service.cmp(&b.service))
    });
    over
}

/// Places at services in the period (each service's places per week, month,
/// quarter or year, scaled to the period's length): not personal data.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Places {
    /// By service name (services with the same name added together).
    #[serde(skip)]
    pub by_service: std::collections::BTreeMap<String, f64>,
    /// By the service's first category, as `prescriptions.by_category` counts.
    pub by_category: std::collections::BTreeMap<String, f64>,
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
    fn counts_under_disclosure_control() {
        let shown: Vec<String> = [0, 1, 5, 7, 8, 10, 12, 13, 17, 18, 102, 103].map(|n| disclose(n).to_string()).into();
        assert_eq!(shown, ["0", "*", "*", "*", "10", "10", "10", "15", "15", "20", "100", "105"]);
        // Every true count lies in the interval its published figure stands for.
        for n in 0..500 {
            let (lo, hi) = interval(disclose(n));
            assert!((lo..=hi).contains(&n), "{n}");
        }
        // Hidden rows go after the others, by name; the others by published figure, then name.
        let mut b = Breakdown::from_counts(vec![
            ("zinc".into(), 7),
            ("apple".into(), 1),
            ("mid".into(), 12),
            ("low".into(), 8),
            ("big".into(), 40),
            ("none".into(), 0),
        ]);
        assert_eq!(b.0[0], ("big".into(), Count::N(40)));
        b.disclose();
        let order: Vec<String> = b.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(order, ["big=40", "low=10", "mid=10", "none=0", "apple=*", "zinc=*"]);
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"big":40,"low":10,"mid":10,"none":0,"apple":"*","zinc":"*"}"#
        );
    }

    #[test]
    fn over_capacity_is_judged_on_the_published_figure() {
        let mut places = Places::default();
        places.by_service.insert("walk".into(), 9.0);
        places.by_service.insert("choir".into(), 11.0);
        places.by_service.insert("art".into(), 2.0);
        let mut b = Breakdown::from_counts(vec![("walk".into(), 8), ("choir".into(), 12), ("art".into(), 5)]);
        b.disclose();
        // walk: 8 sent (not over 9), shown as 10, over 9; choir: 12 (over 11) shown as 10, not over;
        // art: hidden, not compared. The list follows from what is shown.
        let over = over_capacity(&b, &places);
        assert_eq!(over.iter().map(|o| o.service.as_str()).collect::<Vec<_>>(), ["walk"]);
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
        assert_eq!(serde_json::to_string(&Count::Hidden).unwrap(), "\"*\"");
        assert_eq!(serde_json::to_string(&Count::N(7)).unwrap(), "7");
    }
}

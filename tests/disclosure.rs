//! Disclosure control tried as an attacker would: for every breakdown of every
//! week of the demo year, and of the year, every assignment of true counts
//! consistent with the published figures (each figure's rounding interval, the
//! published total, and the order of the rows) is considered, and no hidden or
//! rounded cell may be pinned to a single value. The same attacker is run on the
//! rule used before (1 to 4 shown as "<5", exact otherwise, largest first) and
//! must find cells there, so the attack is one that can succeed.

use chrono::{Duration, NaiveDate};
use linkwork::demo::{DemoOptions, generate};
use linkwork::domain::summary::{Breakdown, Count, Period, Summary, disclose, interval};
use linkwork::storage::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// One breakdown: its rows' true counts, the total they add up to (if any),
/// and the table as the suppressed summary publishes it.
struct Table {
    name: String,
    rows: Vec<(String, i64)>,
    total: Option<i64>,
    published: Vec<(String, Count)>,
    published_total: Option<Count>,
}

fn tables(label: &str, s: &Summary, p: &Summary) -> Vec<Table> {
    let v = |c: Count| c.value().expect("unsuppressed");
    let t = |name: &str, b: &Breakdown, pb: &Breakdown, total: Option<(Count, Count)>| Table {
        name: format!("{label} {name}"),
        rows: b.0.iter().map(|(k, c)| (k.clone(), v(*c))).collect(),
        total: total.map(|t| v(t.0)),
        published: pb.0.clone(),
        published_total: total.map(|t| t.1),
    };
    let answers = |s: &Summary| {
        let a = &s.answers;
        Breakdown(vec![
            ("accepted".into(), a.accepted),
            ("declined".into(), a.declined),
            ("no_response".into(), a.no_response),
        ])
    };
    let mut raw_answers = answers(s);
    raw_answers.0.sort_by(|x, y| y.1.value().cmp(&x.1.value()).then_with(|| x.0.cmp(&y.0)));
    // The answers are fields, not a list: put them in the published order (disclosing twice changes nothing).
    let mut published_answers = answers(p);
    published_answers.disclose();
    let (r, pr) = (&s.referrals, &p.referrals);
    let new = Some((r.new, pr.new));
    let sent = Some((s.prescriptions.sent, p.prescriptions.sent));
    vec![
        // A referral with two reasons counts under each: no total.
        t("referrals.by_reason", &r.by_reason, &pr.by_reason, None),
        t("referrals.by_referrer_role", &r.by_referrer_role, &pr.by_referrer_role, new),
        t("referrals.by_practice", &r.by_practice, &pr.by_practice, new),
        t("contacts.by_kind", &s.contacts.by_kind, &p.contacts.by_kind, Some((s.contacts.total, p.contacts.total))),
        t("prescriptions.by_service", &s.prescriptions.by_service, &p.prescriptions.by_service, sent),
        t("prescriptions.by_category", &s.prescriptions.by_category, &p.prescriptions.by_category, sent),
        t("answers", &raw_answers, &published_answers, Some((s.answers.total, p.answers.total))),
        t("closed.by_outcome", &s.closed.by_outcome, &p.closed.by_outcome, Some((s.closed.total, p.closed.total))),
        t(
            "unmet_needs.by_code",
            &s.unmet_needs.by_code,
            &p.unmet_needs.by_code,
            Some((s.unmet_needs.total, p.unmet_needs.total)),
        ),
    ]
}

/// A way of publishing one table: each cell's figure and the rows' order.
trait Rule {
    fn publish(&self, rows: &[(String, i64)]) -> Vec<(String, Count)>;
    /// The total as published with these published rows.
    fn total(&self, n: i64, rows: &[(String, Count)]) -> Count;
    /// The true counts a published figure may stand for.
    fn interval(&self, c: Count) -> (i64, i64);
}

/// The method in use.
struct Hes;
impl Rule for Hes {
    fn publish(&self, rows: &[(String, i64)]) -> Vec<(String, Count)> {
        let mut b = Breakdown::from_counts(rows.to_vec());
        b.disclose();
        b.0
    }
    fn total(&self, n: i64, rows: &[(String, Count)]) -> Count {
        if Breakdown(rows.to_vec()).could_pin() { Count::Withheld } else { disclose(n) }
    }
    fn interval(&self, c: Count) -> (i64, i64) {
        interval(c)
    }
}

/// The rule before: 1 to 4 hidden, the rest exact, largest first then by name
/// (without the secondary "*", which only hid one more cell in some tables).
struct Old;
impl Rule for Old {
    fn publish(&self, rows: &[(String, i64)]) -> Vec<(String, Count)> {
        Breakdown::from_counts(rows.to_vec())
            .0
            .into_iter()
            .map(|(k, c)| (k, self.total(c.value().unwrap(), &[])))
            .collect()
    }
    fn total(&self, n: i64, _: &[(String, Count)]) -> Count {
        if (1..=4).contains(&n) { Count::Hidden } else { Count::N(n) }
    }
    fn interval(&self, c: Count) -> (i64, i64) {
        match c {
            Count::Hidden => (1, 4),
            Count::N(n) => (n, n),
            Count::Withheld => unreachable!(),
        }
    }
}

/// The attacker: for each published row that is not 0, the values it can take in
/// an assignment of the rows that (a) lies in every figure's interval, (b) adds up
/// to a value the published total stands for, and (c) published again gives the
/// very same rows in the very same order. Returns the rows pinned to one value.
///
/// The search: for row i and value x, the other rows can reach every sum between
/// the sums of their lower and upper ends (integer intervals), so whether x fits
/// the total is exact arithmetic; a witness assignment is then built (x, the
/// others raised from their lower ends as far as needed) and published again to
/// check (c) (when `order`). Values that pass are counted; a row with one is
/// determined.
fn determined(rule: &dyn Rule, table: &Table, order: bool) -> Vec<(String, i64)> {
    let published = rule.publish(&table.rows);
    let total = table.total.map(|n| rule.interval(rule.total(n, &published)));
    let bounds: Vec<(i64, i64)> = published.iter().map(|(_, c)| rule.interval(*c)).collect();
    let mut found = Vec::new();
    for (i, (name, c)) in published.iter().enumerate() {
        if *c == Count::N(0) {
            continue;
        }
        let (lo, hi) = bounds[i];
        let mut fits = Vec::new();
        for x in lo..=hi {
            let mut witness: Vec<i64> = bounds.iter().map(|b| b.0).collect();
            witness[i] = x;
            if let Some((tlo, thi)) = total {
                let (min, max): (i64, i64) = (
                    witness.iter().sum(),
                    x + bounds.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, b)| b.1).sum::<i64>(),
                );
                if max < tlo || min > thi {
                    continue;
                }
                // Raise the others from their lower ends until the sum reaches the total's lower end.
                let mut short = tlo - min;
                for (j, w) in witness.iter_mut().enumerate() {
                    if j != i && short > 0 {
                        let up = (bounds[j].1 - bounds[j].0).min(short);
                        *w += up;
                        short -= up;
                    }
                }
            }
            let rows: Vec<(String, i64)> = published.iter().map(|(k, _)| k.clone()).zip(witness).collect();
            if !order || rule.publish(&rows) == published {
                fits.push(x);
            }
        }
        assert!(!fits.is_empty(), "{}: the true value of {name} fails the attacker's own checks", table.name);
        if fits.len() == 1 {
            found.push((name.clone(), fits[0]));
        }
    }
    found
}

#[test]
fn no_cell_of_the_demo_year_can_be_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db"), None).unwrap();
    let opts = DemoOptions {
        clients: DemoOptions::DEFAULT_CLIENTS,
        seed: DemoOptions::DEFAULT_SEED,
        weeks: DemoOptions::DEFAULT_WEEKS,
        today: today(),
    };
    generate(&mut store, &opts).unwrap();

    let last = Period::last_complete_week(today());
    let mut periods: Vec<Period> = (0..52).map(|i| Period::of_week(last.from - Duration::weeks(i))).collect();
    periods.push(Period::days(periods[51].from, last.to).unwrap());

    let (mut tables_seen, mut hidden_seen, mut old_found) = (0, 0, 0);
    let mut withheld = 0;
    for period in &periods {
        let s = linkwork::storage::summary::compute(store.conn(), period).unwrap();
        let mut p = s.clone();
        p.suppress();
        for table in tables(&period.label(), &s, &p) {
            if let Some(total) = table.total {
                let sum: i64 = table.rows.iter().map(|r| r.1).sum();
                assert_eq!(sum, total, "{}: the rows add up to the total (the attacker relies on it)", table.name);
            }
            // The summary publishes what the attacker is shown.
            assert_eq!(table.published, Hes.publish(&table.rows), "{}", table.name);
            if let (Some(n), Some(t)) = (table.total, table.published_total) {
                // A total shared by two breakdowns is withheld if either could pin a row.
                let own = Hes.total(n, &table.published);
                assert!(own == t || t == Count::Withheld, "{}: {own:?} {t:?}", table.name);
                withheld += usize::from(t == Count::Withheld);
            }
            let found = determined(&Hes, &table, true);
            assert!(found.is_empty(), "{}: recovered {found:?} from {:?}", table.name, table.published);
            tables_seen += 1;
            hidden_seen += table.published.iter().filter(|(_, c)| *c == Count::Hidden).count();
            // From the totals alone (not the order), so a lower bound of what was given away.
            old_found += determined(&Old, &table, false).iter().filter(|(_, v)| (1..=4).contains(v)).count();
        }
    }
    assert!(tables_seen >= 53 * 9, "{tables_seen}");
    assert!(hidden_seen > 500, "the demo year has hidden cells to attack: {hidden_seen}");
    assert!(old_found > 100, "the attacker recovers cells under the old rule: {old_found}");
    eprintln!(
        "disclosure: {tables_seen} tables, {hidden_seen} hidden cells, none recovered ({withheld} totals withheld); \
         the old rule gave away {old_found}"
    );
}

//! The caseload: referrals with their person, in the views a Link Worker works
//! through, fetched a window at a time so a list of 50,000 costs what a screen costs.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, Row, params};

use crate::domain::referral::{Priority, Status};
use crate::domain::text::fold_query;

/// The lists the Caseload pane offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    /// New referrals and those being contacted: most urgent, then longest waiting, first.
    #[default]
    ToTriage,
    /// Booked and active episodes: the worker's current caseload.
    Caseload,
    /// Closed episodes, most recently closed first.
    Closed,
    /// Every referral, newest first.
    All,
}

impl View {
    pub const ALL: [View; 4] = [View::ToTriage, View::Caseload, View::Closed, View::All];

    pub fn label(self) -> &'static str {
        match self {
            View::ToTriage => "To triage",
            View::Caseload => "Caseload",
            View::Closed => "Closed",
            View::All => "All referrals",
        }
    }

    fn where_sql(self) -> &'static str {
        match self {
            View::ToTriage => "r.status IN ('new', 'contacting')",
            View::Caseload => "r.status IN ('booked', 'active')",
            View::Closed => "r.status = 'closed'",
            View::All => "1",
        }
    }

    fn order_sql(self) -> &'static str {
        match self {
            View::ToTriage => {
                "CASE r.priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, r.received_on, r.id"
            }
            View::Caseload => "r.received_on, r.id",
            View::Closed => "r.closed_on DESC, r.id DESC",
            View::All => "r.received_on DESC, r.id DESC",
        }
    }

    pub fn next(self) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        View::ALL[(i + 1) % View::ALL.len()]
    }
}

/// What a person typed to narrow the list: digits match the start of the NHS
/// number (spaces ignored); anything else matches part of the name, ignoring case
/// and accents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
}

impl Filter {
    pub fn new(text: &str) -> Self {
        Filter {
            text: text.to_owned(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The SQL condition and its one parameter.
    fn sql(&self) -> (&'static str, String) {
        let compact: String = self.text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            ("?1 = ''", String::new())
        } else if compact.bytes().all(|b| b.is_ascii_digit()) {
            ("c.nhs_number LIKE ?1 ESCAPE '\\'", format!("{compact}%"))
        } else {
            (
                "c.name_key LIKE ?1 ESCAPE '\\'",
                format!("%{}%", escape_like(&fold_query(&self.text))),
            )
        }
    }
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One line of the caseload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub referral_id: i64,
    pub client_id: i64,
    pub name: String,
    pub nhs_number: String,
    pub status: Status,
    pub priority: Priority,
    pub received_on: NaiveDate,
    pub first_contact_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub safeguarding: bool,
}

impl CaseRow {
    /// Days since the referral was received, to `today` (or to its closing).
    pub fn days_waiting(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on.unwrap_or(today);
        (end - self.received_on).num_days().max(0)
    }
}

/// How many rows the view has under the filter.
pub fn count(conn: &Connection, view: View, filter: &Filter) -> Result<usize> {
    let (cond, param) = filter.sql();
    let sql = format!(
        "SELECT count(*) FROM referral r JOIN client c ON c.id = r.client_id WHERE {} AND {}",
        view.where_sql(),
        cond
    );
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row([param], |r| r.get(0))?;
    Ok(n as usize)
}

/// The rows from `offset`, at most `limit` of them, in the view's order.
pub fn window(
    conn: &Connection,
    view: View,
    filter: &Filter,
    offset: usize,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    let (cond, param) = filter.sql();
    let sql = format!(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.status, r.priority, r.received_on,
                r.first_contact_on, r.closed_on, c.safeguarding
         FROM referral r JOIN client c ON c.id = r.client_id
         WHERE {} AND {}
         ORDER BY {} LIMIT ?2 OFFSET ?3",
        view.where_sql(),
        cond,
        view.order_sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![param, limit as i64, offset as i64], case_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn case_row(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        referral_id: r.get(0)?,
        client_id: r.get(1)?,
        name: r.get(2)?,
        nhs_number: r.get(3)?,
        status: parse_col(r, 4, Status::parse)?,
        priority: parse_col(r, 5, Priority::parse)?,
        received_on: r.get(6)?,
        first_contact_on: r.get(7)?,
        closed_on: r.get(8)?,
        safeguarding: r.get(9)?,
    })
}

/// Read a coded text column through its domain parser.
pub(crate) fn parse_col<T>(
    r: &Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Result<T, String>,
) -> rusqlite::Result<T> {
    let s: String = r.get(idx)?;
    parse(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
    })
}

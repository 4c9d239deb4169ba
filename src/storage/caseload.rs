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
    /// Booked and active episodes held by this worker (or by nobody yet).
    Mine,
    /// Open episodes with a social prescription the service has not answered.
    Waiting,
    /// Active episodes whose follow-up date has come.
    FollowUps,
    /// Closed episodes, most recently closed first.
    Closed,
    /// Every referral, newest first.
    All,
}

impl View {
    pub const ALL: [View; 6] = [View::ToTriage, View::Mine, View::Waiting, View::FollowUps, View::Closed, View::All];

    pub fn label(self) -> &'static str {
        match self {
            View::ToTriage => "To triage",
            View::Mine => "My caseload",
            View::Waiting => "Waiting",
            View::FollowUps => "Follow-ups",
            View::Closed => "Closed",
            View::All => "All",
        }
    }

    fn where_sql(self) -> &'static str {
        match self {
            View::ToTriage => "r.status IN ('new', 'contacting')",
            View::Mine => {
                "r.status IN ('booked', 'active') AND (r.link_worker_id IS NULL OR r.link_worker_id =
                 (SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name))"
            }
            View::Waiting => {
                "r.status <> 'closed' AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                 AND p.state IN ('sent', 'acknowledged', 'no_response'))"
            }
            View::FollowUps => "r.status = 'active' AND r.follow_up_on <= date('now', 'localtime')",
            View::Closed => "r.status = 'closed'",
            View::All => "1",
        }
    }

    fn order_sql(self) -> &'static str {
        match self {
            View::ToTriage => "CASE r.priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, r.received_on, r.id",
            View::Mine | View::Waiting => "r.received_on, r.id",
            View::FollowUps => "r.follow_up_on, r.id",
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
        Filter { text: text.to_owned() }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The SQL condition on referral `r` and its one parameter.
    ///
    /// Each form finds the matching people through an index (the NHS number's
    /// unique index, or the trigram index over names), then picks its plan by how
    /// many match: few, and the page is read from those people's referrals;
    /// many, and the view is walked in its own order, testing each row against
    /// the matching set, so the page fills within a few rows either way.
    fn sql(&self, conn: &Connection) -> Result<(String, String)> {
        let compact: String = self.text.chars().filter(|c| !c.is_whitespace()).collect();
        let folded = fold_query(&self.text);
        let like = format!("%{}%", escape_like(&folded));
        // Per row: the person's own record, by primary key.
        let name_row = "(SELECT name_key FROM client WHERE id = r.client_id) LIKE ?1 ESCAPE '\\'";
        let (set, set_param, row_cond, row_param) = if compact.is_empty() {
            return Ok(("?1 = ''".to_owned(), String::new()));
        } else if compact.bytes().all(|b| b.is_ascii_digit()) {
            // The start of an NHS number: a range of the unique index (':' sorts after '9').
            (
                "SELECT id FROM client WHERE nhs_number >= ?1 AND nhs_number < ?1 || ':'",
                compact.clone(),
                "(SELECT nhs_number FROM client WHERE id = r.client_id) BETWEEN ?1 AND ?1 || ':'",
                compact,
            )
        } else if folded.chars().count() >= 3 {
            // Any part of the name, as a quoted phrase for the trigram index.
            (
                "SELECT rowid FROM client_search WHERE client_search MATCH ?1",
                format!("\"{}\"", folded.replace('"', "\"\"")),
                name_row,
                like,
            )
        } else {
            // One or two letters: too short for trigrams, so names are scanned.
            ("SELECT id FROM client WHERE name_key LIKE ?1 ESCAPE '\\'", like.clone(), name_row, like)
        };
        let matching: i64 = conn
            .prepare_cached(&format!("SELECT count(*) FROM ({set} LIMIT {DENSE})"))?
            .query_row([&set_param], |r| r.get(0))?;
        Ok(if matching as usize >= DENSE {
            (row_cond.to_owned(), row_param)
        } else {
            (format!("r.client_id IN ({set})"), set_param)
        })
    }
}

/// From how many matching people on a filter walks the view instead of reading
/// their referrals.
const DENSE: usize = 2000;

/// A filtered list is counted up to this many and shown as "more than" beyond:
/// a person narrows a filter rather than scrolls thousands of matches.
pub const FILTER_CAP: usize = 1000;

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
    /// A social prescription in this episode had no answer in time ("no response").
    pub no_response: bool,
}

impl CaseRow {
    /// Days since the referral was received, to `today` (or to its closing).
    pub fn days_waiting(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on.unwrap_or(today);
        (end - self.received_on).num_days().max(0)
    }
}

/// How many rows the view has under the filter: exact without a filter, and at
/// most [`FILTER_CAP`] + 1 with one.
pub fn count(conn: &Connection, view: View, filter: &Filter) -> Result<usize> {
    let (cond, param) = filter.sql(conn)?;
    let sql = if filter.is_empty() {
        format!("SELECT count(*) FROM referral r WHERE {} AND {cond}", view.where_sql())
    } else {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM referral r WHERE {} AND {cond} LIMIT {})",
            view.where_sql(),
            FILTER_CAP + 1
        )
    };
    let n: i64 = conn.prepare_cached(&sql)?.query_row([param], |r| r.get(0))?;
    Ok(n as usize)
}

/// The rows from `offset`, at most `limit` of them, in the view's order.
pub fn window(conn: &Connection, view: View, filter: &Filter, offset: usize, limit: usize) -> Result<Vec<CaseRow>> {
    let (cond, param) = filter.sql(conn)?;
    // Find the page's referral ids first, from the view's index alone, then read
    // those rows: skipping 50,000 rows to reach the end costs an index walk, not
    // 50,000 joins.
    let sql = format!(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.status, r.priority, r.received_on,
                r.first_contact_on, r.closed_on, c.safeguarding,
                EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id AND p.state = 'no_response')
         FROM (SELECT r.id FROM referral r WHERE {where_} AND {cond} ORDER BY {order} LIMIT ?2 OFFSET ?3) page
         JOIN referral r ON r.id = page.id
         JOIN client c ON c.id = r.client_id
         ORDER BY {order}",
        where_ = view.where_sql(),
        order = view.order_sql(),
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
        no_response: r.get(10)?,
    })
}

/// Read a coded text column through its domain parser.
pub(crate) fn parse_col<T>(r: &Row<'_>, idx: usize, parse: impl Fn(&str) -> Result<T, String>) -> rusqlite::Result<T> {
    let s: String = r.get(idx)?;
    parse(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into()))
}

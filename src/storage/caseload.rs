//! The caseload: referrals with their person, in the views a Link Worker works
//! through, fetched a window at a time so a list of 50,000 costs what a screen costs.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

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

    /// The rows the list walks, in its own order: every list has an index (or,
    /// for Waiting, a table kept by triggers) that holds its rows in the order
    /// shown, so a screen costs a screen whatever the number of clients. With a
    /// filter that matches few people (`walk` false) the planner is left to
    /// start from those people instead.
    fn rows_sql(self, walk: bool) -> &'static str {
        match (self, walk) {
            (View::ToTriage, true) => "referral r INDEXED BY referral_triage",
            (View::Mine, true) => "referral r INDEXED BY referral_mine",
            (View::Waiting, true) => {
                "referral_waiting w INDEXED BY referral_waiting_received CROSS JOIN referral r ON r.id = w.referral_id"
            }
            (View::Waiting, false) => "referral_waiting w JOIN referral r ON r.id = w.referral_id",
            (View::FollowUps, true) => "referral r INDEXED BY referral_follow_up",
            (View::Closed, true) => "referral r INDEXED BY referral_closed_list",
            (View::All, true) => "referral r INDEXED BY referral_received_on",
            (_, false) => "referral r",
        }
    }

    fn where_sql(self) -> &'static str {
        match self {
            View::ToTriage => "r.status IN ('new', 'contacting')",
            View::Mine => {
                "r.status IN ('booked', 'active') AND (r.link_worker_id IS NULL OR r.link_worker_id = (SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name))"
            }
            // The table holds exactly the open referrals with a social
            // prescription the service has not answered (sent, acknowledged or
            // no response); see schema.sql.
            View::Waiting => "1",
            View::FollowUps => "r.status = 'active' AND r.follow_up_on <= date('now', 'localtime')",
            View::Closed => "r.status = 'closed'",
            View::All => "1",
        }
    }

    fn order_sql(self) -> &'static str {
        match self {
            View::ToTriage => "CASE r.priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, r.received_on, r.id",
            View::Mine => "r.received_on, r.id",
            View::Waiting => "w.received_on, w.referral_id",
            View::FollowUps => "r.follow_up_on, r.id",
            View::Closed => "r.closed_on DESC, r.id DESC",
            View::All => "r.received_on DESC, r.id DESC",
        }
    }

    /// The whole list's count, unfiltered, in a shape that reads no more than
    /// the list: Closed as every referral less the open ones (SQLite counts a
    /// whole table from its pages, without reading the rows); My caseload as
    /// the unassigned and the worker's own, each a range of `referral_worker`.
    fn count_sql(self) -> &'static str {
        match self {
            View::ToTriage => {
                "SELECT count(*) FROM referral r INDEXED BY referral_triage WHERE r.status IN ('new', 'contacting')"
            }
            View::Mine => {
                "SELECT (SELECT count(*) FROM referral WHERE link_worker_id IS NULL AND status IN ('booked', 'active'))
                      + (SELECT count(*) FROM referral WHERE status IN ('booked', 'active') AND link_worker_id =
                          (SELECT w.id FROM link_worker w JOIN setting s ON s.key = 'worker_name' AND s.value = w.name))"
            }
            View::Waiting => "SELECT count(*) FROM referral_waiting",
            View::FollowUps => {
                "SELECT count(*) FROM referral r INDEXED BY referral_follow_up
                 WHERE r.status = 'active' AND r.follow_up_on <= date('now', 'localtime')"
            }
            View::Closed => {
                "SELECT (SELECT count(*) FROM referral)
                      - (SELECT count(*) FROM referral WHERE status IN ('new', 'contacting', 'booked', 'active'))"
            }
            View::All => "SELECT count(*) FROM referral",
        }
    }

    /// The page query: the ids of one screen's rows, in the list's order.
    fn page_sql(self, cond: &str, walk: bool) -> String {
        format!(
            "SELECT r.id FROM {from} WHERE {where_} AND {cond} ORDER BY {order} LIMIT ?2 OFFSET ?3",
            from = self.rows_sql(walk),
            where_ = self.where_sql(),
            order = self.order_sql(),
        )
    }

    /// The statements an unfiltered list runs for its first screen (count, then
    /// the page's ids): for the query-plan test, the benchmarks and BENCHMARKS.md.
    /// `?1` is the empty filter (`''`), `?2` the screen's rows, `?3` the offset.
    pub fn first_screen_sql(self) -> [String; 2] {
        [self.count_sql().to_owned(), self.page_sql("?1 = ''", true)]
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
    /// The third value says whether the list is walked in its own order (no
    /// filter, or one matching many people) rather than read from the few
    /// matching people's referrals.
    fn sql(&self, conn: &Connection) -> Result<(String, String, bool)> {
        let compact: String = self.text.chars().filter(|c| !c.is_whitespace()).collect();
        let folded = fold_query(&self.text);
        let like = format!("%{}%", escape_like(&folded));
        // Per row: the person's own record, by primary key.
        let name_row = "(SELECT name_key FROM client WHERE id = r.client_id) LIKE ?1 ESCAPE '\\'";
        let (set, set_param, row_cond, row_param) = if compact.is_empty() {
            return Ok(("?1 = ''".to_owned(), String::new(), true));
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
            (row_cond.to_owned(), row_param, true)
        } else {
            (format!("r.client_id IN ({set})"), set_param, false)
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
    /// The day of the next booked appointment, from today on.
    pub next_appointment: Option<NaiveDate>,
    /// The follow-up date set, in an open episode.
    pub follow_up_on: Option<NaiveDate>,
}

impl CaseRow {
    /// What comes next for this person, as the list's Next column says it: the
    /// sooner of the next appointment and the follow-up ("26 Nov appt"); a
    /// follow-up whose day has passed is marked `!`.
    pub fn next(&self, today: NaiveDate) -> Option<String> {
        let show = |d: NaiveDate, what: &str| format!("{} {what}", d.format("%-d %b"));
        let follow_up = |f: NaiveDate| {
            let mark = if f < today { "!" } else { "" };
            format!("{}{mark}", show(f, "f-up"))
        };
        match (self.next_appointment, self.follow_up_on) {
            (Some(a), Some(f)) if f < a => Some(follow_up(f)),
            (Some(a), _) => Some(show(a, "appt")),
            (None, Some(f)) => Some(follow_up(f)),
            (None, None) => None,
        }
    }

    /// Days since the referral was received, to `today` (or to its closing).
    pub fn days_waiting(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on.unwrap_or(today);
        (end - self.received_on).num_days().max(0)
    }
}

/// How many rows the view has under the filter: exact without a filter, and at
/// most [`FILTER_CAP`] + 1 with one.
pub fn count(conn: &Connection, view: View, filter: &Filter) -> Result<usize> {
    if filter.is_empty() {
        let n: i64 = conn.prepare_cached(view.count_sql())?.query_row([], |r| r.get(0))?;
        return Ok(n as usize);
    }
    // Counted in no particular order: the planner picks the index (one that
    // holds the person's id saves a table read per row).
    let (cond, param, _) = filter.sql(conn)?;
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} AND {cond} LIMIT {})",
        view.rows_sql(false),
        view.where_sql(),
        FILTER_CAP + 1
    );
    let n: i64 = conn.prepare_cached(&sql)?.query_row([param], |r| r.get(0))?;
    Ok(n as usize)
}

/// The rows from `offset`, at most `limit` of them, in the view's order.
pub fn window(conn: &Connection, view: View, filter: &Filter, offset: usize, limit: usize) -> Result<Vec<CaseRow>> {
    let (cond, param, walk) = filter.sql(conn)?;
    // The page's referral ids first, from the view's index alone, then each of
    // those rows by its id: skipping 50,000 rows to reach the end costs an
    // index walk, not 50,000 joins, and nothing is sorted.
    let ids: Vec<i64> = conn
        .prepare_cached(&view.page_sql(&cond, walk))?
        .query_map(params![param, limit as i64, offset as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut row = conn.prepare_cached(
        "SELECT r.id, c.id, c.name, c.nhs_number, r.status, r.priority, r.received_on,
                r.first_contact_on, r.closed_on, c.safeguarding,
                EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id AND p.state = 'no_response'),
                (SELECT substr(a.starts_at, 1, 10) FROM appointment a
                 WHERE a.referral_id = r.id AND a.status = 'booked' AND a.starts_at >= date('now', 'localtime')
                 ORDER BY a.starts_at LIMIT 1),
                CASE WHEN r.status <> 'closed' THEN r.follow_up_on END
         FROM referral r JOIN client c ON c.id = r.client_id
         WHERE r.id = ?1",
    )?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        // A row gone between the two reads (another program's write) is left out.
        if let Some(r) = row.query_row([id], case_row).optional()? {
            rows.push(r);
        }
    }
    Ok(rows)
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
        next_appointment: r.get(11)?,
        follow_up_on: r.get(12)?,
    })
}

/// Read a coded text column through its domain parser.
pub(crate) fn parse_col<T>(r: &Row<'_>, idx: usize, parse: impl Fn(&str) -> Result<T, String>) -> rusqlite::Result<T> {
    let s: String = r.get(idx)?;
    parse(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into()))
}

/// The Waiting list's definition: open referrals with a social prescription
/// the service has not answered. `referral_waiting` holds exactly these rows
/// (kept by triggers, see schema.sql).
const WAITING_DEFINITION: &str = "SELECT r.id, r.received_on FROM referral r WHERE r.status <> 'closed'
     AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                 AND p.state IN ('sent', 'acknowledged', 'no_response'))";

/// Fill `referral_waiting` again from its definition: after a bulk load that
/// set its triggers aside (the demo), in the same transaction.
pub fn rebuild_waiting(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM referral_waiting", [])?;
    conn.execute(&format!("INSERT INTO referral_waiting (referral_id, received_on) {WAITING_DEFINITION}"), [])?;
    Ok(())
}

/// Where `referral_waiting` and its definition disagree: nothing, unless the
/// file was changed by something other than linkwork.
pub fn waiting_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut missing = conn.prepare(&format!(
        "SELECT id FROM ({WAITING_DEFINITION}) d WHERE NOT EXISTS
             (SELECT 1 FROM referral_waiting w WHERE w.referral_id = d.id AND w.received_on = d.received_on)"
    ))?;
    for id in missing.query_map([], |r| r.get::<_, i64>(0))? {
        problems.push(format!("the Waiting list lacks referral {}", id?));
    }
    let mut extra = conn.prepare(&format!(
        "SELECT referral_id FROM referral_waiting w WHERE NOT EXISTS
             (SELECT 1 FROM ({WAITING_DEFINITION}) d WHERE d.id = w.referral_id AND d.received_on = w.received_on)"
    ))?;
    for id in extra.query_map([], |r| r.get::<_, i64>(0))? {
        problems.push(format!("the Waiting list holds referral {}, which is not waiting", id?));
    }
    Ok(problems)
}

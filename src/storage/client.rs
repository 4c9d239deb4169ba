//! One person's record as the Client assessment pane shows it.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::caseload::parse_col;
use crate::domain::referral::{ContactKind, Instrument, Outcome, Priority, ReferrerRole, Status};

#[derive(Clone, Debug, PartialEq)]
pub struct ClientRecord {
    pub id: i64,
    pub name: String,
    pub nhs_number: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub practice: Option<String>,
    pub safeguarding: bool,
    pub interpreter_needed: bool,
    pub interpreter_language: Option<String>,
    pub is_carer: bool,
    /// What the person needs to take part (step-free access, a hearing loop...).
    pub access_needs: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub referral_id: i64,
    pub received_on: NaiveDate,
    pub status: Status,
    pub priority: Priority,
    pub referrer_role: ReferrerRole,
    pub referrer_name: Option<String>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    pub reasons: Vec<String>,
    pub contact_count: i64,
    /// The referral's notes, from the form or the CSV.
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    pub code: String,
    pub level: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    pub version: i64,
    pub assessed_on: NaiveDate,
    pub what_matters: Option<String>,
    pub strengths: Option<String>,
    pub needs: Vec<Need>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub instrument: Instrument,
    pub follow_up: bool,
    pub taken_on: NaiveDate,
    pub items: Vec<i64>,
    pub raw_score: Option<i64>,
    pub metric_score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub at: String,
    pub kind: ContactKind,
    pub outcome: Option<String>,
    pub duration_min: Option<i64>,
    pub note: Option<String>,
}

/// Everything the pane shows of one person, read in one go.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientDetail {
    pub client: ClientRecord,
    /// Newest first; the first is the current episode.
    pub episodes: Vec<Episode>,
    pub assessment: Option<Assessment>,
    /// Earlier versions of the assessment, newest first.
    pub earlier_assessments: Vec<Assessment>,
    /// Oldest first, all instruments.
    pub measures: Vec<Measure>,
    /// Newest first, at most [`RECENT_CONTACTS`].
    pub contacts: Vec<Contact>,
    /// The current episode's goals, oldest first.
    pub goals: Vec<Goal>,
    /// Every social prescription of the person, newest first.
    pub prescriptions: Vec<super::prescriptions::Row>,
    /// Referrals that joined the current episode after it opened, oldest first.
    pub joined: Vec<JoinedReferral>,
}

/// A referral that arrived while the person's episode was open and joined it.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinedReferral {
    pub received_on: NaiveDate,
    pub reasons: Vec<String>,
    pub referrer_role: ReferrerRole,
    pub referrer_name: Option<String>,
    pub priority: Priority,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub id: i64,
    pub title: String,
    pub steps: Option<String>,
    pub who: Option<String>,
    pub target_on: Option<NaiveDate>,
    pub status: String,
}

impl Goal {
    /// Past its target and neither achieved nor dropped.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.target_on.is_some_and(|t| t < today) && matches!(self.status.as_str(), "not_started" | "in_progress")
    }
}

pub const RECENT_CONTACTS: usize = 20;

/// Read a person's record; `None` if there is no such client.
pub fn load(conn: &Connection, client_id: i64) -> Result<Option<ClientDetail>> {
    let client = conn
        .prepare_cached(
            "SELECT c.id, c.name, c.nhs_number, c.date_of_birth, c.phone, c.email, c.address,
                    c.postcode, p.name, c.safeguarding, c.interpreter_needed,
                    c.interpreter_language, c.is_carer, c.access_needs
             FROM client c LEFT JOIN practice p ON p.id = c.practice_id WHERE c.id = ?1",
        )?
        .query_row([client_id], |r| {
            Ok(ClientRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                nhs_number: r.get(2)?,
                date_of_birth: r.get(3)?,
                phone: r.get(4)?,
                email: r.get(5)?,
                address: r.get(6)?,
                postcode: r.get(7)?,
                practice: r.get(8)?,
                safeguarding: r.get(9)?,
                interpreter_needed: r.get(10)?,
                interpreter_language: r.get(11)?,
                is_carer: r.get(12)?,
                access_needs: r.get(13)?,
            })
        })
        .optional()
        .context("reading the client record")?;
    let Some(client) = client else {
        return Ok(None);
    };

    let mut episodes: Vec<Episode> = conn
        .prepare_cached(
            "SELECT r.id, r.received_on, r.status, r.priority, r.referrer_role, r.referrer_name,
                    r.outcome, r.closed_on,
                    (SELECT group_concat(code, ', ') FROM
                        (SELECT code FROM referral_reason WHERE referral_id = r.id ORDER BY code)),
                    (SELECT count(*) FROM contact WHERE referral_id = r.id AND kind <> 'note'),
                    r.notes
             FROM referral r WHERE r.client_id = ?1 ORDER BY r.received_on DESC, r.id DESC",
        )?
        .query_map([client_id], |r| {
            let outcome: Option<String> = r.get(6)?;
            Ok(Episode {
                referral_id: r.get(0)?,
                received_on: r.get(1)?,
                status: parse_col(r, 2, Status::parse)?,
                priority: parse_col(r, 3, Priority::parse)?,
                referrer_role: parse_col(r, 4, ReferrerRole::parse)?,
                referrer_name: r.get(5)?,
                outcome: outcome.as_deref().map(Outcome::parse).transpose().ok().flatten(),
                closed_on: r.get(7)?,
                reasons: r
                    .get::<_, Option<String>>(8)?
                    .map(|s| s.split(", ").map(str::to_owned).collect())
                    .unwrap_or_default(),
                contact_count: r.get(9)?,
                notes: r.get::<_, Option<String>>(10)?.filter(|n| !n.trim().is_empty()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    episodes.shrink_to_fit();

    // Every version, newest first: the first is current, the rest stay readable.
    let versions: Vec<(i64, Assessment)> = conn
        .prepare_cached(
            "SELECT id, version, assessed_on, what_matters, strengths FROM assessment
             WHERE client_id = ?1 ORDER BY version DESC",
        )?
        .query_map([client_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Assessment {
                    version: r.get(1)?,
                    assessed_on: r.get(2)?,
                    what_matters: r.get(3)?,
                    strengths: r.get(4)?,
                    needs: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut all = Vec::with_capacity(versions.len());
    for (id, mut a) in versions {
        a.needs = conn
            .prepare_cached(
                "SELECT an.code, an.level, an.note FROM assessment_need an
                 JOIN need_code n ON n.code = an.code
                 WHERE an.assessment_id = ?1 ORDER BY n.sort",
            )?
            .query_map([id], |r| Ok(Need { code: r.get(0)?, level: r.get(1)?, note: r.get(2)? }))?
            .collect::<rusqlite::Result<_>>()?;
        all.push(a);
    }
    let mut all = all.into_iter();
    let assessment = all.next();
    let earlier_assessments: Vec<Assessment> = all.collect();

    let measures = conn
        .prepare_cached(
            "SELECT instrument, timing, taken_on, items, raw_score, metric_score FROM measure
             WHERE client_id = ?1 ORDER BY taken_on, id",
        )?
        .query_map([client_id], |r| {
            let items: String = r.get(3)?;
            Ok(Measure {
                instrument: parse_col(r, 0, Instrument::parse)?,
                follow_up: r.get::<_, String>(1)? == "follow_up",
                taken_on: r.get(2)?,
                items: serde_json::from_str(&items).unwrap_or_default(),
                raw_score: r.get(4)?,
                metric_score: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;

    let contacts = conn
        .prepare_cached(
            "SELECT k.at, k.kind, k.outcome, k.duration_min, k.note FROM contact k
             JOIN referral r ON r.id = k.referral_id
             WHERE r.client_id = ?1 ORDER BY k.at DESC, k.id DESC LIMIT ?2",
        )?
        .query_map(params![client_id, RECENT_CONTACTS as i64], |r| {
            Ok(Contact {
                at: r.get(0)?,
                kind: parse_col(r, 1, ContactKind::parse)?,
                outcome: r.get(2)?,
                duration_min: r.get(3)?,
                note: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;

    let goals = match episodes.first() {
        None => Vec::new(),
        Some(e) => conn
            .prepare_cached(
                "SELECT id, title, steps, who, target_on, status FROM goal WHERE referral_id = ?1 ORDER BY id",
            )?
            .query_map([e.referral_id], |r| {
                Ok(Goal {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    steps: r.get(2)?,
                    who: r.get(3)?,
                    target_on: r.get(4)?,
                    status: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?,
    };

    let prescriptions = super::prescriptions::list(conn, Some(client_id), None)?;

    let joined = match episodes.first() {
        None => Vec::new(),
        Some(e) => conn
            .prepare_cached(
                "SELECT received_on, reasons, referrer_role, referrer_name, priority, notes FROM referral_intake
                 WHERE referral_id = ?1 AND joined = 1 ORDER BY received_on, id",
            )?
            .query_map([e.referral_id], |r| {
                Ok(JoinedReferral {
                    received_on: r.get(0)?,
                    reasons: r.get::<_, String>(1)?.split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
                    referrer_role: parse_col(r, 2, ReferrerRole::parse)?,
                    referrer_name: r.get(3)?,
                    priority: parse_col(r, 4, Priority::parse)?,
                    notes: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?,
    };

    Ok(Some(ClientDetail {
        client,
        episodes,
        assessment,
        earlier_assessments,
        measures,
        contacts,
        goals,
        prescriptions,
        joined,
    }))
}

/// A record opened: what it holds, and whether its view record is still to be
/// written (when, if so).
pub struct Viewed {
    pub detail: Option<ClientDetail>,
    pub audit_waiting: Option<String>,
}

/// Open a person's record for reading, never waiting: the record is read from a
/// snapshot, and its audit record ("view") is written at once unless another
/// program is writing; then `audit_waiting` says when it was viewed, and the
/// caller writes it with [`record_view`] as soon as it can.
pub fn view(store: &super::Store, client_id: i64) -> Result<Viewed> {
    let tx = store.conn().unchecked_transaction()?;
    let detail = load(&tx, client_id)?;
    tx.finish()?;
    let Some(d) = &detail else { return Ok(Viewed { detail, audit_waiting: None }) };
    let at = super::now_utc();
    let written = record_view(store, client_id, d.episodes.len(), None, std::time::Duration::ZERO)?;
    Ok(Viewed { audit_waiting: (!written).then_some(at), detail })
}

/// Write the audit record of a view of client `client_id`'s record (with
/// `viewed_at` in its summary when written late), waiting at most `wait` for
/// another writer. Returns false if the database stayed busy.
pub fn record_view(
    store: &super::Store,
    client_id: i64,
    episodes: usize,
    viewed_at: Option<&str>,
    wait: std::time::Duration,
) -> Result<bool> {
    let conn = store.conn();
    conn.busy_timeout(wait)?;
    let result = (|| -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        super::audit::record(
            &tx,
            store.actor(),
            super::audit::Action::View,
            "client",
            Some(client_id),
            Some(client_id),
            &format!(
                "opened the record ({episodes} episode{}){}",
                if episodes == 1 { "" } else { "s" },
                viewed_at.map(|at| format!(", viewed at {at}")).unwrap_or_default()
            ),
        )?;
        tx.commit()?;
        Ok(())
    })();
    conn.busy_timeout(super::busy_timeout())?;
    match result {
        Ok(()) => Ok(true),
        Err(e) if super::is_busy(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The needs of a person's current episode: its referral reasons, then the
/// needs of the current assessment, each once.
pub fn need_codes(d: &ClientDetail) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    let current = d.episodes.first().filter(|e| e.closed_on.is_none());
    let reasons = current.map(|e| e.reasons.iter()).into_iter().flatten();
    let needs = d.assessment.iter().flat_map(|a| a.needs.iter().map(|n| &n.code));
    for code in reasons.chain(needs) {
        if !codes.contains(code) {
            codes.push(code.clone());
        }
    }
    codes
}

/// A client's age in whole years on `today`.
pub fn age(conn: &Connection, client_id: i64, today: NaiveDate) -> Result<Option<i64>> {
    use chrono::Datelike;
    let dob: Option<NaiveDate> =
        conn.query_row("SELECT date_of_birth FROM client WHERE id = ?1", [client_id], |r| r.get(0)).optional()?;
    Ok(dob.map(|d| {
        let mut years = i64::from(today.year() - d.year());
        if (today.month(), today.day()) < (d.month(), d.day()) {
            years -= 1;
        }
        years
    }))
}

/// A person as the command line names them: id, name and NHS number.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    /// 10 digits, as stored.
    pub nhs_number: String,
}

impl Person {
    /// "Ann Test (NHS 999 000 0018, client 3)": whose record, so a wrong id is seen at once.
    pub fn describe(&self) -> String {
        format!("{} (NHS {}, client {})", self.name, crate::domain::nhs::format_digits(&self.nhs_number), self.id)
    }
}

fn person_by(conn: &Connection, sql: &str, key: &dyn rusqlite::ToSql) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |r| Ok(Person { id: r.get(0)?, name: r.get(1)?, nhs_number: r.get(2)? }))
        .optional()?)
}

/// The person `given` names: a client id, or an NHS number (10 digits, spaces
/// allowed). Anything else, or nobody on file, is an error that says which.
pub fn resolve(conn: &Connection, given: &str) -> Result<Person> {
    let compact: String = given.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        anyhow::bail!("client: missing; expected a client id or an NHS number");
    }
    if compact.len() == 10 && compact.bytes().all(|b| b.is_ascii_digit()) {
        let nhs = crate::domain::NhsNumber::parse(&compact).map_err(|e| anyhow::anyhow!("client: {e}"))?;
        return person_by(conn, "SELECT id, name, nhs_number FROM client WHERE nhs_number = ?1", &nhs.digits())?
            .with_context(|| format!("client: nobody on file has NHS number {nhs}"));
    }
    let id: i64 = compact.parse().map_err(|_| {
        anyhow::anyhow!("client: '{}' is neither a client id nor an NHS number (10 digits)", given.trim())
    })?;
    person_by(conn, "SELECT id, name, nhs_number FROM client WHERE id = ?1", &id)?.with_context(|| {
        format!("client: there is no client {id} (the client column of `linkwork referral list`, or an NHS number)")
    })
}

/// The person a referral is about.
pub fn of_referral(conn: &Connection, referral_id: i64) -> Result<Person> {
    person_by(
        conn,
        "SELECT c.id, c.name, c.nhs_number FROM referral r JOIN client c ON c.id = r.client_id WHERE r.id = ?1",
        &referral_id,
    )?
    .with_context(|| format!("referral: there is no referral {referral_id}"))
}

/// The person a social prescription is for.
pub fn of_prescription(conn: &Connection, prescription_id: i64) -> Result<Person> {
    person_by(
        conn,
        "SELECT c.id, c.name, c.nhs_number FROM prescription p JOIN client c ON c.id = p.client_id WHERE p.id = ?1",
        &prescription_id,
    )?
    .with_context(|| format!("prescription: there is no prescription {prescription_id}"))
}

/// The person named by `--client` or `--referral` (which must be their current
/// episode, the one a new entry goes in).
pub fn resolve_either(conn: &Connection, client: Option<&str>, referral: Option<i64>) -> Result<Person> {
    match (client, referral) {
        (Some(c), None) => resolve(conn, c),
        (None, Some(r)) => {
            let p = of_referral(conn, r)?;
            let current = super::current_referral(conn, p.id)?.map(|(id, _)| id);
            if current != Some(r) {
                anyhow::bail!(
                    "referral {r} is not the current episode of {}; the current one is {}",
                    p.describe(),
                    current.map_or_else(|| "none".to_owned(), |c| c.to_string())
                );
            }
            Ok(p)
        }
        (Some(_), Some(_)) => anyhow::bail!("give --client or --referral, not both"),
        (None, None) => anyhow::bail!("say whose record: --client ID|NHS_NUMBER or --referral ID"),
    }
}

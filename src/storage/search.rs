//! Searching the service directory the way a Link Worker types: every word must
//! match; an exact word ranks above one that only shares its stem, and a match
//! in a service's name or category above one in its organisation or description.
//! A word no service mentions is never silently widened: it is looked up in the
//! thesaurus (`search_synonym`), then as a close spelling, and the search says
//! which it did. Filters: accepting referrals, free of charge, open on a weekday,
//! in a postcode district, for a person's age, in a category.

use std::collections::HashMap;

use anyhow::Result;
use chrono::Weekday;
use rusqlite::{Connection, params};

use crate::domain::search::{edit_distance, in_district, is_free, opens_on, typo_allowance, words};

/// What to look for in the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    pub category: Option<String>,
    pub accepting_only: bool,
    /// Only services open to a person of this age.
    pub age: Option<i64>,
    /// Only services whose fees say they are free of charge.
    pub free_only: bool,
    /// Only services whose schedule says they are open on this day.
    pub open_on: Option<Weekday>,
    /// Only services in this postcode district ("LS6") or area ("LS").
    pub district: Option<String>,
}

impl Search {
    pub fn text(text: &str) -> Self {
        Search { text: text.to_owned(), ..Default::default() }
    }

    /// The words searched for: none until two letters or digits are typed.
    fn words(&self) -> Vec<String> {
        let w = words(&self.text);
        let letters: usize = w.iter().map(|w| w.chars().filter(|c| c.is_alphanumeric()).count()).sum();
        if letters < 2 { Vec::new() } else { w }
    }
}

/// The services found, best first, and what the search did that was not
/// what was typed (a synonym, a close spelling), in words for the person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub ids: Vec<i64>,
    pub note: Option<String>,
}

/// How well a service matched one word: lower is better.
type Tier = u32;

/// Where a word matched, best first: the name, a category, then the
/// organisation's name or the description.
const COLUMNS: [&str; 3] = ["name", "categories", "{organisation description}"];

/// A word or phrase as an FTS5 string: quotes make any input plain words.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', " "))
}

fn ids(conn: &Connection, table: &str, query: &str) -> Result<Vec<i64>> {
    let sql = format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1");
    let rows = conn.prepare_cached(&sql)?.query_map([query], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Tiers below anything that matched the word itself: a synonym's matches,
/// then a close spelling's.
const SYNONYM: Tier = 10;
const CLOSE_SPELLING: Tier = 20;
const PREFIX_AFTER_SYNONYMS: Tier = 30;

/// Services matching `text` (a word or a phrase), each with its best tier:
/// in the name 0 for the exact word, 1 for a word sharing its stem; in a
/// category 2 and 3; in the organisation or description 4 and 5.
fn matches(conn: &Connection, text: &str) -> Result<HashMap<i64, Tier>> {
    let q = quoted(text);
    let mut best: HashMap<i64, Tier> = HashMap::new();
    for (i, columns) in COLUMNS.iter().enumerate() {
        let tier = 2 * i as Tier;
        add(&mut best, ids(conn, "service_words", &format!("{columns} : {q}"))?, tier);
        add(&mut best, ids(conn, "service_fts", &format!("{columns} : {q}"))?, tier + 1);
    }
    Ok(best)
}

/// Services with a word that starts with `text` (the word being typed): 6 in
/// the name, 7 in a category, 8 elsewhere. Up to 3 letters, from the stemmed
/// index's prefix index (a stem keeps a word's first letters); longer, from the
/// words as written ("walki" for "walking", whose stem is "walk").
fn prefix_matches(conn: &Connection, text: &str) -> Result<HashMap<i64, Tier>> {
    let q = quoted(text);
    let table = if text.chars().count() <= 3 { "service_fts" } else { "service_words" };
    let mut best: HashMap<i64, Tier> = HashMap::new();
    for (i, columns) in COLUMNS.iter().enumerate() {
        add(&mut best, ids(conn, table, &format!("{columns} : {q}*"))?, 6 + i as Tier);
    }
    Ok(best)
}

/// Keep each service's best tier.
fn add(best: &mut HashMap<i64, Tier>, found: impl IntoIterator<Item = i64>, tier: Tier) {
    for id in found {
        best.entry(id).and_modify(|t| *t = (*t).min(tier)).or_insert(tier);
    }
}

/// The thesaurus's alternatives for a word.
pub fn alternatives(conn: &Connection, word: &str) -> Result<Vec<String>> {
    let rows = conn
        .prepare_cached("SELECT alternative FROM search_synonym WHERE word = ?1 ORDER BY alternative")?
        .query_map([word], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Words the services use that are a close spelling of `word` (within
/// [`typo_allowance`]), closest first, the most used first among equals; at most 3.
fn close_spellings(conn: &Connection, word: &str) -> Result<Vec<String>> {
    let allowed = typo_allowance(word);
    let Some(first) = word.chars().next().filter(|_| allowed > 0) else { return Ok(Vec::new()) };
    let n = word.chars().count();
    // The vocabulary is in order: only words with the same first letter are read.
    let after = char::from_u32(first as u32 + 1).map_or_else(|| "\u{10ffff}".to_owned(), String::from);
    let mut stmt = conn.prepare_cached(
        "SELECT term, doc FROM service_words_vocab WHERE term >= ?1 AND term < ?2
         AND length(term) BETWEEN ?3 AND ?4",
    )?;
    let mut rows = stmt.query(params![first.to_string(), after, (n - allowed) as i64, (n + allowed) as i64])?;
    let mut close: Vec<(usize, i64, String)> = Vec::new();
    while let Some(r) = rows.next()? {
        let term: String = r.get(0)?;
        if let Some(d) = edit_distance(word, &term, allowed).filter(|d| *d > 0) {
            close.push((d, -r.get::<_, i64>(1)?, term));
        }
    }
    close.sort();
    Ok(close.into_iter().take(3).map(|(_, _, t)| t).collect())
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The services matching every word of the text, each with its score (the sum
/// of its tiers: lower is better), and a note for each word searched otherwise.
///
/// For each word: the word itself (exact, then its stem); and, for the word
/// being typed (the last), words starting with it. A word that no service
/// mentions exactly is looked up in the thesaurus: a word the thesaurus knows is
/// a whole word, so its alternatives rank above words that only share its stem
/// or start with it. Then, if still nothing, close spellings (words of 5
/// letters or more).
fn text_matches(conn: &Connection, words: &[String]) -> Result<(HashMap<i64, Tier>, Vec<String>)> {
    let mut total: Option<HashMap<i64, Tier>> = None;
    let mut notes = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        let mut found = matches(conn, word)?;
        // Exact words have even tiers; odd ones only share the word's stem.
        if !found.values().any(|t| t % 2 == 0) {
            let mut used = Vec::new();
            let mut by_synonym = HashMap::new();
            for alt in alternatives(conn, word)? {
                let m = matches(conn, &alt)?;
                if !m.is_empty() {
                    used.push(alt);
                }
                for (id, t) in m {
                    add(&mut by_synonym, [id], t + SYNONYM);
                }
            }
            if last {
                for (id, t) in prefix_matches(conn, word)? {
                    add(&mut found, [id], t);
                }
            }
            if !used.is_empty() {
                notes.push(format!("no service mentions {word}; showing services for {}", and_list(&used)));
                // What the thesaurus says the word means ranks above words that
                // only share its stem or start with it ("moulding" for "mould").
                found = found.into_iter().map(|(id, t)| (id, t + PREFIX_AFTER_SYNONYMS)).collect();
                for (id, t) in by_synonym {
                    add(&mut found, [id], t);
                }
            }
        } else if last {
            for (id, t) in prefix_matches(conn, word)? {
                add(&mut found, [id], t);
            }
        }
        if found.is_empty() {
            let close = close_spellings(conn, word)?;
            for term in &close {
                for (id, t) in matches(conn, term)? {
                    add(&mut found, [id], t + CLOSE_SPELLING);
                }
            }
            if !close.is_empty() {
                notes.push(format!("no service mentions {word}; showing close spellings: {}", close.join(", ")));
            }
        }
        if found.is_empty() {
            notes.push(format!("no service mentions {word}"));
            return Ok((HashMap::new(), notes));
        }
        total = Some(match total {
            None => found,
            Some(so_far) => so_far.into_iter().filter_map(|(id, t)| found.get(&id).map(|u| (id, t + u))).collect(),
        });
    }
    Ok((total.unwrap_or_default(), notes))
}

/// The services a search finds, best first (by score, then name), and its note.
pub fn find(conn: &Connection, search: &Search) -> Result<Found> {
    use rusqlite::types::Value as V;
    let words = search.words();
    let mut conds = vec!["1".to_owned()];
    let mut params: Vec<V> = Vec::new();
    let mut scores = None;
    let mut note = None;
    if !words.is_empty() {
        let (found, notes) = text_matches(conn, &words)?;
        note = (!notes.is_empty()).then(|| notes.join("; "));
        if found.is_empty() {
            return Ok(Found { ids: Vec::new(), note });
        }
        scores = Some(found);
    }
    if let Some(c) = search.category.as_ref().filter(|c| !c.trim().is_empty()) {
        conds.push("lower(s.categories) LIKE ?".to_owned());
        params.push(V::Text(format!("%{}%", c.trim().to_lowercase())));
    }
    if search.accepting_only {
        conds.push("s.accepting_referrals = 1 AND s.status = 'active'".to_owned());
    }
    if let Some(age) = search.age {
        conds.push("(s.min_age IS NULL OR s.min_age <= ?) AND (s.max_age IS NULL OR s.max_age >= ?)".to_owned());
        params.push(V::Integer(age));
        params.push(V::Integer(age));
    }
    if search.free_only {
        conds.push("s.fees IS NOT NULL".to_owned());
    }
    if search.open_on.is_some() {
        conds.push("s.schedule IS NOT NULL".to_owned());
    }
    let district = search.district.as_deref().map(str::trim).filter(|d| !d.is_empty());
    if district.is_some() {
        conds.push("s.postcode IS NOT NULL".to_owned());
    }
    // In name order from the `service_list` index alone, unless a filter needs
    // the rows (fees, schedule, postcode, categories).
    let reads_rows = search.free_only || search.open_on.is_some() || district.is_some() || search.category.is_some();
    let columns = if reads_rows { "s.id, s.fees, s.schedule, s.postcode" } else { "s.id" };
    let sql = format!(
        "SELECT {columns} FROM service s INDEXED BY service_list WHERE {} ORDER BY s.name COLLATE NOCASE, s.id",
        conds.join(" AND ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut ids = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if scores.as_ref().is_some_and(|s: &HashMap<i64, Tier>| !s.contains_key(&id)) {
            continue;
        }
        if reads_rows {
            if search.free_only && !r.get_ref(1)?.as_str_or_null()?.is_some_and(is_free) {
                continue;
            }
            if let Some(day) = search.open_on
                && !r.get_ref(2)?.as_str_or_null()?.is_some_and(|s| opens_on(s, day))
            {
                continue;
            }
            if let Some(d) = district
                && !r.get_ref(3)?.as_str_or_null()?.is_some_and(|p| in_district(p, d))
            {
                continue;
            }
        }
        ids.push(id);
    }
    if let Some(scores) = scores {
        // Name order within a score: the rows came in name order, and the sort is stable.
        ids.sort_by_key(|id| scores.get(id).copied().unwrap_or(Tier::MAX));
    }
    Ok(Found { ids, note })
}

/// A weekday from what a person types: "mon", "Monday", "tues"...
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_lowercase();
    if s.len() < 2 {
        return None;
    }
    [
        (Weekday::Mon, "monday"),
        (Weekday::Tue, "tuesday"),
        (Weekday::Wed, "wednesday"),
        (Weekday::Thu, "thursday"),
        (Weekday::Fri, "friday"),
        (Weekday::Sat, "saturday"),
        (Weekday::Sun, "sunday"),
    ]
    .into_iter()
    .find(|(_, name)| name.starts_with(&s))
    .map(|(d, _)| d)
}

/// The thesaurus, word by word: (word, its alternatives).
pub fn synonyms(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut stmt = conn.prepare("SELECT word, alternative FROM search_synonym ORDER BY word, alternative")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (word, alt): (String, String) = (r.get(0)?, r.get(1)?);
        match out.last_mut() {
            Some((w, alts)) if *w == word => alts.push(alt),
            _ => out.push((word, vec![alt])),
        }
    }
    Ok(out)
}

/// A word or phrase for the thesaurus, as it is kept: lower case, single
/// spaces, letters, digits, apostrophes and hyphens, 1 to 60 characters.
fn thesaurus_text(what: &str, text: &str) -> Result<String> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if t.is_empty() || t.chars().count() > 60 {
        anyhow::bail!("{what}: '{}' must be 1 to 60 characters", crate::domain::text::strip_controls(text));
    }
    if let Some(c) = t.chars().find(|c| !(c.is_alphanumeric() || " '-".contains(*c))) {
        anyhow::bail!(
            "{what}: '{}' holds '{}'; only letters, digits, spaces, apostrophes and hyphens",
            crate::domain::text::strip_controls(&t),
            crate::domain::text::strip_controls(&c.to_string())
        );
    }
    Ok(t)
}

/// Add alternatives for a word (a single word: what a person types) to the
/// thesaurus, with its audit record. Returns how many were new.
pub fn add_synonyms(store: &mut super::Store, word: &str, alternatives: &[String]) -> Result<usize> {
    let word = thesaurus_text("word", word)?;
    if word.contains(' ') {
        anyhow::bail!("word: '{word}' is more than one word; its alternatives may be phrases");
    }
    let alts = alternatives.iter().map(|a| thesaurus_text("alternative", a)).collect::<Result<Vec<_>>>()?;
    if alts.is_empty() {
        anyhow::bail!("give at least one alternative for '{word}'");
    }
    let actor = store.actor().clone();
    let tx = store.write()?;
    let mut added = Vec::new();
    for alt in alts.iter().filter(|a| **a != word) {
        if tx.execute("INSERT OR IGNORE INTO search_synonym (word, alternative) VALUES (?1, ?2)", [&word, alt])? > 0 {
            added.push(alt.clone());
        }
    }
    if !added.is_empty() {
        super::audit::record(
            &tx,
            &actor,
            super::audit::Action::Create,
            "search_synonym",
            None,
            None,
            &format!("thesaurus: {word} -> {}", added.join(", ")),
        )?;
    }
    tx.commit()?;
    Ok(added.len())
}

/// Remove alternatives of a word (all of them when none is named), with its
/// audit record. Returns how many were removed.
pub fn remove_synonyms(store: &mut super::Store, word: &str, alternatives: &[String]) -> Result<usize> {
    let word = thesaurus_text("word", word)?;
    let alts = alternatives.iter().map(|a| thesaurus_text("alternative", a)).collect::<Result<Vec<_>>>()?;
    let actor = store.actor().clone();
    let tx = store.write()?;
    let removed: Vec<String> = if alts.is_empty() {
        let all: Vec<String> = tx
            .prepare("SELECT alternative FROM search_synonym WHERE word = ?1 ORDER BY alternative")?
            .query_map([&word], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute("DELETE FROM search_synonym WHERE word = ?1", [&word])?;
        all
    } else {
        let mut gone = Vec::new();
        for alt in &alts {
            if tx.execute("DELETE FROM search_synonym WHERE word = ?1 AND alternative = ?2", [&word, alt])? > 0 {
                gone.push(alt.clone());
            }
        }
        gone
    };
    if removed.is_empty() {
        anyhow::bail!("the thesaurus has no such alternative for '{word}'");
    }
    super::audit::record(
        &tx,
        &actor,
        super::audit::Action::Update,
        "search_synonym",
        None,
        None,
        &format!("thesaurus: {word} no longer -> {}", removed.join(", ")),
    )?;
    tx.commit()?;
    Ok(removed.len())
}

/// The services offered for one of a person's needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedMatch {
    pub code: String,
    pub label: String,
    /// (service id, name), best first.
    pub services: Vec<(i64, String)>,
}

/// Words of a need's label that say nothing of it on their own.
const NEED_STOPWORDS: [&str; 8] = ["and", "of", "use", "support", "other", "low", "long", "term"];

/// For each of a person's needs (need codes, in the order given), the active
/// services accepting referrals and open to their age that a search for the
/// need's own words finds (the thesaurus helps as in any search), best first,
/// at most `per_need` each. A need no service matches is listed with none.
pub fn matched_to_needs(
    conn: &Connection,
    codes: &[String],
    age: Option<i64>,
    per_need: usize,
) -> Result<Vec<NeedMatch>> {
    let mut out = Vec::new();
    for code in codes {
        let Some(label): Option<String> = conn
            .prepare_cached("SELECT label FROM need_code WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?
        else {
            continue;
        };
        let mut best: HashMap<i64, usize> = HashMap::new();
        let terms = words(&label).into_iter().filter(|w| !NEED_STOPWORDS.contains(&w.as_str()) && w.len() > 2);
        for term in terms {
            let search = Search { text: term, accepting_only: true, age, ..Default::default() };
            for (rank, id) in find(conn, &search)?.ids.into_iter().enumerate() {
                best.entry(id).and_modify(|r| *r = (*r).min(rank)).or_insert(rank);
            }
        }
        let mut ranked: Vec<(usize, i64)> = best.into_iter().map(|(id, r)| (r, id)).collect();
        ranked.sort_unstable();
        let mut services = Vec::new();
        for (_, id) in ranked.into_iter().take(per_need) {
            let name: String =
                conn.prepare_cached("SELECT name FROM service WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
            services.push((id, name));
        }
        out.push(NeedMatch { code: code.clone(), label, services });
    }
    Ok(out)
}

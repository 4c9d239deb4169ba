//! Synthetic demo data: a fictional Primary Care Network's caseload that looks like
//! the real thing, deterministic for a given seed, size and date. Every person is
//! invented; every NHS number begins 999 (the range reserved for testing) and
//! passes the Modulus 11 check.

use anyhow::{Result, bail};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::domain::NhsNumber;
use crate::domain::measures::{score, swemwbs_metric};
use crate::domain::referral::{Instrument, SNOMED_DECLINED};
use crate::domain::text::name_key;
use crate::storage::Store;
use crate::storage::audit::{self, Action};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub clients: usize,
    pub seed: u64,
    /// How many weeks of referrals, ending today.
    pub weeks: u32,
    /// The day the data is generated for: the same seed and day give the same data.
    pub today: NaiveDate,
}

impl DemoOptions {
    pub const DEFAULT_CLIENTS: usize = 600;
    pub const DEFAULT_SEED: u64 = 1;
    pub const DEFAULT_WEEKS: u32 = 52;
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub clients: usize,
    pub referrals: usize,
    pub contacts: usize,
    pub measures: usize,
    pub services: usize,
    pub prescriptions: usize,
}

/// SplitMix64: a tiny, well-studied generator whose output is fixed forever for a
/// seed, which a general-purpose crate's default generator does not promise.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn range(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        lo + self.below((hi_inclusive - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }
}

// Names from many of the communities a PCN serves: combined at random, so no
// generated person is anyone real.
const GIVEN: &[&str] = &[
    "Margaret",
    "John",
    "Susan",
    "David",
    "Patricia",
    "Michael",
    "Jean",
    "Peter",
    "Linda",
    "Brian",
    "Karen",
    "Stephen",
    "Jacqueline",
    "Gary",
    "Chloe",
    "Jack",
    "Olivia",
    "Noah",
    "Siân",
    "Rhys",
    "Gwenllian",
    "Dafydd",
    "Llinos",
    "Iolo",
    "Cerys",
    "Gethin",
    "Eleri",
    "Łucja",
    "Wojciech",
    "Małgorzata",
    "Krzysztof",
    "Agnieszka",
    "Paweł",
    "Zofia",
    "Jędrzej",
    "Ayesha",
    "Imran",
    "Farah",
    "Bilal",
    "Nasreen",
    "Tariq",
    "Zainab",
    "Usman",
    "Wei",
    "Mei Ling",
    "Xiaoling",
    "Jun",
    "Hui Min",
    "Siobhán",
    "Niamh",
    "Pádraig",
    "José",
    "Zoë",
    "Chloé",
    "Renée",
    "Amara",
    "Kwame",
    "Adaeze",
    "Tendai",
    "Priya",
    "Arjun",
    "Mehmet",
    "Elif",
    "Ana-Maria",
    "Jean-Luc",
    "Björn",
    "Aleksandra",
];

const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Llywelyn",
    "ap Rhys",
    "Pritchard",
    "Prydderch",
    "Gruffudd",
    "Vaughan",
    "Wójcik",
    "Kowalczyk",
    "Szymańska",
    "Zieliński",
    "Wiśniewska",
    "Dąbrowski",
    "Łukaszewicz",
    "Qureshi",
    "Siddiqui",
    "Chaudhry",
    "Hussain",
    "Rahman",
    "Malik",
    "Akhtar",
    "Zhang",
    "Chen",
    "Wong",
    "Li",
    "Liu",
    "Ó Súilleabháin",
    "O'Brien",
    "McCarthy",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Moyo",
    "Patel",
    "Sharma",
    "Yılmaz",
    "Popescu",
    "Smith-Jones",
    "Ahmed-Khan",
    "Fernández",
    "Müller",
    "Nguyễn",
];

/// A few names written in their own scripts, as a practice system may hold them.
const OWN_SCRIPT: &[&str] = &["王芳", "李伟", "عائشہ خان", "محمد علی", "Αλέξανδρος Παππάς", "Ольга Іваненко"];

const PRACTICES: &[(&str, &str, i64)] = &[
    ("Y99001", "Riverside Medical Centre", 14_200),
    ("Y99002", "Canal Street Surgery", 9_800),
    ("Y99003", "Hillview Family Practice", 11_500),
    ("Y99004", "Abbey Fields Health Centre", 7_600),
    ("Y99005", "Millbrook Surgery", 12_900),
];

const WORKERS: &[&str] = &[
    "Alex Morgan",
    "Bethan Hughes",
    "Sam Okoro",
    "Kasia Nowak",
    "Rizwan Iqbal",
    "Jo Fairweather",
    "Ling Chen",
    "Dewi Price",
    "Maya Patel",
    "Tom Eastwood",
    "Aoife Byrne",
    "Femi Adebayo",
];

const REASONS: &[(&str, u32)] = &[
    ("loneliness", 25),
    ("mental_wellbeing", 20),
    ("long_term_condition", 12),
    ("money", 10),
    ("housing", 9),
    ("physical_activity", 8),
    ("carer", 5),
    ("bereavement", 5),
    ("employment", 3),
    ("substance_use", 1),
    ("other", 2),
];

const ROLES: &[(&str, u32)] = &[
    ("gp", 45),
    ("practice_staff", 15),
    ("nurse", 12),
    ("self", 10),
    ("vcso", 6),
    ("hospital", 5),
    ("pharmacist", 4),
    ("other", 3),
];

const OUTCOMES: &[(&str, u32)] = &[
    ("completed", 60),
    ("disengaged", 12),
    ("declined", 10),
    ("unable_to_contact", 10),
    ("transferred", 5),
    ("other", 3),
];

const WHAT_MATTERS: &[&str] = &[
    "Getting out of the house more and seeing people.",
    "Being able to look after my garden again.",
    "Sorting out the damp in the flat so my chest gets better.",
    "Not worrying about money every day.",
    "Feeling useful, maybe volunteering.",
    "Having someone to talk to since my wife died.",
    "Getting fitter so I can play with the grandchildren.",
    "A break from caring for Mum now and then.",
    "Finding work that fits around my health.",
    "Learning to use the tablet to video call my family.",
    "Meeting other people who speak Polish.",
    "Walking to the shops without getting out of breath.",
];

const STRENGTHS: &[&str] = &[
    "Close to a neighbour; enjoys cooking.",
    "Good sense of humour; used to sing in a choir.",
    "Keen gardener; supportive daughter nearby.",
    "Organised and determined; has a bus pass.",
    "Was a carpenter; likes working with his hands.",
    "Speaks three languages; active in her faith community.",
];

const CONTACT_NOTES: &[&str] = &[
    "Talked through options; agreed next steps.",
    "Reviewed progress towards goals.",
    "Went with them to the first session.",
    "Low this week; agreed a call in a few days.",
    "Feeling more confident going out.",
    "Discussed benefits check; forms started.",
];

/// Service categories with services in each: (category, need it meets, names).
const SERVICE_KINDS: &[(&str, &str, &[&str])] = &[
    (
        "Befriending",
        "loneliness",
        &["Telephone Befriending", "Home Visiting Befrienders", "Friendship Calls", "Good Neighbours Scheme"],
    ),
    (
        "Walking groups",
        "physical_activity",
        &["Health Walks", "Nordic Walking Group", "Buggy Walks", "Canal Towpath Walkers"],
    ),
    (
        "Gardening",
        "mental_wellbeing",
        &["Community Allotment", "Green Gym", "Therapeutic Gardening", "Orchard Volunteers"],
    ),
    (
        "Debt advice",
        "money",
        &["Debt Advice Clinic", "Money Matters Drop-in", "Benefits Check Service", "Energy Bill Help"],
    ),
    (
        "Housing advice",
        "housing",
        &["Housing Advice Line", "Tenant and Landlord Mediation", "Damp and Mould Help", "Home Repairs Handyperson"],
    ),
    (
        "Arts and creativity",
        "mental_wellbeing",
        &["Arts on Prescription", "Community Choir", "Creative Writing Circle", "Pottery for Wellbeing"],
    ),
    (
        "Exercise",
        "physical_activity",
        &["Chair-Based Exercise", "Swim for Health", "Tai Chi", "Strength and Balance Class"],
    ),
    (
        "Carers support",
        "carer",
        &["Carers' Centre Support", "Young Carers Group", "Carers' Respite Breaks", "Carers' Coffee Morning"],
    ),
    (
        "Bereavement support",
        "bereavement",
        &["Bereavement Support Group", "Listening Service", "Widows and Widowers Club"],
    ),
    (
        "Employment support",
        "employment",
        &["Work and Health Coaching", "CV and Interview Help", "Volunteering Gateway"],
    ),
    ("Digital skills", "digital", &["Digital Buddies", "Tablet Lending Library", "Online Safety Sessions"]),
    ("Food", "food", &["Community Pantry", "Lunch Club", "Cook and Eat Sessions"]),
    (
        "Peer support",
        "mental_wellbeing",
        &["Men's Shed", "Women's Wellbeing Circle", "Mental Health Peer Support", "Recovery Cafe"],
    ),
    (
        "Long-term conditions",
        "long_term_condition",
        &["Breathe Easy Group", "Diabetes Peer Support", "Chronic Pain Self-Management", "Stroke Club"],
    ),
    (
        "Community cafes",
        "loneliness",
        &["Memory Cafe", "Chatty Cafe", "Intergenerational Tea Party", "Welsh Language Cafe"],
    ),
    ("Substance use", "substance_use", &["Alcohol Advice Service", "Recovery Community"]),
    ("Transport", "transport", &["Community Car Scheme", "Dial-a-Ride"]),
];

const PLACES: &[&str] = &[
    "Riverside",
    "Canal Street",
    "Hillview",
    "Abbey Fields",
    "Millbrook",
    "Northgate",
    "Eastfield",
    "Westbury",
    "Southmead",
];

const POSTCODE_AREAS: &[&str] = &["ZZ1", "ZZ2", "ZZ3", "ZZ4", "ZZ5", "ZZ9"];

/// Fill an empty database with synthetic data, in one transaction with one audit
/// record. A database that already holds people is refused: synthetic people must
/// never be mixed with real ones.
pub fn generate(store: &mut Store, opts: &DemoOptions) -> Result<DemoReport> {
    if opts.clients == 0 {
        bail!("--clients must be at least 1");
    }
    if opts.weeks == 0 || opts.weeks > 52 * 20 {
        bail!("--weeks must be between 1 and 1040");
    }
    if opts.clients > 1_000_000 {
        bail!("--clients must be at most 1,000,000");
    }
    let existing: i64 = store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0))?;
    if existing > 0 {
        bail!(
            "this database already holds {existing} people; demo data is only written to an empty database \
             (use --db with a new file, or --demo)"
        );
    }
    // A large page cache keeps the indexes in memory while a big data set is
    // written in one transaction, instead of spilling pages and reading them back.
    store.conn().execute_batch("PRAGMA cache_size = -65536;")?;
    // The database is empty and only synthetic data goes in: write it once
    // through a rollback journal (a write-ahead log would hold the whole data set
    // a second time), without waiting for the disk at each step. If another
    // connection holds the file, the switch is refused and WAL stays.
    let bulk = store
        .conn()
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0))
        .is_ok_and(|m| m.eq_ignore_ascii_case("delete"));
    if bulk {
        store.conn().execute_batch("PRAGMA synchronous = OFF;")?;
    }
    let result = fill(store, opts);
    // Back to the settings every other write relies on, whatever happened.
    store.conn().execute_batch("PRAGMA cache_size = -2000; PRAGMA synchronous = FULL;")?;
    if bulk {
        store.conn().query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    }
    result
}

/// Write the data set in one transaction with one audit record.
fn fill(store: &mut Store, opts: &DemoOptions) -> Result<DemoReport> {
    let real_today = chrono::Local::now().date_naive();
    if opts.today > real_today {
        bail!("--today {} is in the future; demo data is never dated after today ({real_today})", opts.today);
    }
    // The latest moment the data may carry: now, or the end of the day asked for.
    let now = if opts.today == real_today { crate::storage::now_utc() } else { format!("{}T23:59:59Z", opts.today) };
    let actor = store.actor().clone();
    let tx = store.write()?;
    let existing: i64 = tx.query_row("SELECT count(*) FROM client", [], |r| r.get(0))?;
    if existing > 0 {
        bail!("this database already holds people; demo data is only written to an empty database");
    }
    // Bulk load: set the schema's secondary indexes aside and build them again
    // at the end, by sorting, which is several times faster than keeping them in
    // step row by row. All inside the one transaction.
    let indexes: Vec<(String, String)> = tx
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{}\";", name.replace('"', "\"\"")))?;
    }
    // The triggers that keep the Waiting list would look for each referral's
    // prescriptions without their index: set aside too, and the list filled
    // from its definition at the end.
    let triggers: Vec<(String, String)> = tx
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'referral\\_waiting\\_%' ESCAPE '\\'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER \"{}\";", name.replace('"', "\"\"")))?;
    }
    // Set up by hand already (practices, services): demo data would mix with it.
    let set_up: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM pcn) + (SELECT count(*) FROM practice) + (SELECT count(*) FROM service)",
        [],
        |r| r.get(0),
    )?;
    if set_up > 0 {
        bail!(
            "this database already has practices or services set up; demo data is only written to a new database \
             (use --db with a new file, or --demo)"
        );
    }
    let mut g =
        Generator { rng: Rng::new(opts.seed), opts: opts.clone(), report: DemoReport::default(), workers: Vec::new() };
    g.organisation(&tx)?;
    let services = g.services(&tx)?;
    g.people(&tx, &services)?;
    day_work(&tx)?;
    // Times are drawn for whole days; on today, none may be later than now.
    for (table, column) in crate::storage::invariants::MOMENTS {
        tx.execute(&format!("UPDATE {table} SET {column} = ?1 WHERE {column} > ?1"), [&now])?;
    }
    for (_, sql) in indexes.iter().chain(&triggers) {
        tx.execute_batch(sql)?;
    }
    crate::storage::caseload::rebuild_waiting(&tx)?;
    // The demo obeys the program's rules: its data goes through the same checks.
    let problems = crate::storage::invariants::time_problems(&tx, &now, opts.today)?;
    if !problems.is_empty() {
        bail!("the demo data breaks the rules about time, so none of it was kept: {}", problems.join("; "));
    }
    let summary = format!(
        "demo data: {} clients, {} referrals, {} services (seed {}, {} weeks to {})",
        g.report.clients, g.report.referrals, g.report.services, opts.seed, opts.weeks, opts.today
    );
    audit::record(&tx, &actor, Action::Generate, "database", None, None, &summary)?;
    tx.commit()?;
    Ok(g.report)
}

/// The day's work, derived from the people already made (without drawing from
/// the generator, so the same seed gives the same people as before): an
/// appointment for every booked episode (between 9:00 and 16:30 on its booked
/// day, moved off the weekend), each follow-up date with its note, a concern behind each safeguarding
/// mark.
fn day_work(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "UPDATE referral SET appointment_on = date(appointment_on, CASE strftime('%w', appointment_on)
                WHEN '0' THEN '+1 day' WHEN '6' THEN '+2 days' ELSE '+0 days' END)
         WHERE appointment_on IS NOT NULL;
         INSERT INTO appointment (referral_id, starts_at, minutes, kind, place, link_worker_id, created_at, updated_at)
         SELECT id, appointment_on || ' ' || printf('%02d:%s', 9 + id % 8, CASE WHEN id % 2 = 0 THEN '00' ELSE '30' END),
                30 + 15 * (id % 3),
                CASE id % 5 WHEN 0 THEN 'face_to_face' WHEN 3 THEN 'video' WHEN 4 THEN 'home_visit' ELSE 'phone' END,
                CASE id % 5 WHEN 0 THEN 'Surgery, room 2' ELSE NULL END,
                link_worker_id, created_at, created_at
         FROM referral WHERE status = 'booked' AND appointment_on IS NOT NULL;
         INSERT INTO follow_up (referral_id, due_on, note, link_worker_id, created_at)
         SELECT id, follow_up_on,
                CASE id % 4 WHEN 0 THEN 'Ring to ask how the first session went'
                            WHEN 1 THEN 'Check the benefits form went in'
                            WHEN 2 THEN 'Review goals together' END,
                link_worker_id, updated_at
         FROM referral WHERE follow_up_on IS NOT NULL;
         INSERT INTO safeguarding_concern (client_id, raised_on, note, told, raised_by, created_at, updated_at)
         SELECT c.id, substr(c.created_at, 1, 10), 'Concern noted with the referral', 'Practice safeguarding lead',
                coalesce((SELECT w.name FROM referral r JOIN link_worker w ON w.id = r.link_worker_id
                          WHERE r.client_id = c.id ORDER BY r.id LIMIT 1), 'Demo'),
                c.created_at, c.created_at
         FROM client c WHERE c.safeguarding = 1;",
    )?;
    Ok(())
}

struct Generator {
    rng: Rng,
    opts: DemoOptions,
    report: DemoReport,
    /// The link workers' ids and names, in the order the generator picks them.
    workers: Vec<(i64, String)>,
}

/// A service as the generator needs it for prescriptions.
struct DemoService {
    id: i64,
    need: &'static str,
}

fn at(day: NaiveDate, hour: i64, minute: i64) -> String {
    format!("{day}T{hour:02}:{minute:02}:00Z")
}

/// The next weekday on or after `d`.
fn weekday_on_or_after(mut d: NaiveDate) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

impl Generator {
    fn workers(&self) -> usize {
        // About 225 people a year each (DOMAIN.md), at least one.
        let per_year = self.opts.clients as f64 * 52.0 / f64::from(self.opts.weeks);
        ((per_year / 225.0).ceil() as usize).clamp(1, WORKERS.len())
    }

    fn organisation(&mut self, tx: &Transaction<'_>) -> Result<()> {
        tx.execute("INSERT INTO pcn (id, code, name) VALUES (1, 'U99999', 'Riverside and Millbrook PCN')", [])?;
        for (i, (code, name, size)) in PRACTICES.iter().enumerate() {
            tx.execute(
                "INSERT INTO practice (id, pcn_id, ods_code, name, list_size) VALUES (?1, 1, ?2, ?3, ?4)",
                params![i as i64 + 1, code, name, size],
            )?;
        }
        // A worker named already (`linkwork init --worker NAME`) is the demo's
        // first link worker, and stays the one using the program.
        let me: Option<String> =
            tx.query_row("SELECT value FROM setting WHERE key = 'worker_name'", [], |r| r.get(0)).optional()?;
        let mut names: Vec<String> = me.iter().cloned().collect();
        for w in WORKERS {
            if names.len() < self.workers() && !names.iter().any(|n| n == w) {
                names.push((*w).to_owned());
            }
        }
        for (i, name) in names.into_iter().enumerate() {
            let id: i64 = tx.query_row(
                "INSERT INTO link_worker (name, pcn_id, practice_id) VALUES (?1, 1, ?2)
                 ON CONFLICT (name) DO UPDATE SET pcn_id = excluded.pcn_id, practice_id = excluded.practice_id
                 RETURNING id",
                params![name, (i % PRACTICES.len()) as i64 + 1],
                |r| r.get(0),
            )?;
            self.workers.push((id, name));
        }
        let settings = [
            ("worker_name", self.workers[0].1.clone()),
            ("is_demo", "1".to_owned()),
            ("demo_seed", self.opts.seed.to_string()),
            ("first_contact_working_days", "5".to_owned()),
            ("no_response_days", "14".to_owned()),
        ];
        for (k, v) in settings {
            tx.execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        Ok(())
    }

    fn services(&mut self, tx: &Transaction<'_>) -> Result<Vec<DemoService>> {
        let created = at(self.opts.today - Duration::days(400), 9, 0);
        let mut out = Vec::new();
        let mut org = tx.prepare(
            "INSERT INTO organisation (source_id, name, description, email, url, phone, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut svc = tx.prepare(
            "INSERT INTO service (source_id, organisation_id, name, description, status, url, email, phone,
                 address, postcode, schedule, min_age, max_age, eligibility, fees, categories,
                 assured_on, last_modified, capacity_places, capacity_period, waiting_list,
                 accepting_referrals, last_checked_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                     ?19, ?20, ?21, ?22, ?23, ?24, ?24)",
        )?;
        let mut n = 0;
        for (category, need, names) in SERVICE_KINDS {
            for base in names.iter() {
                // Each kind of service is run in two or three places.
                let copies = 2 + self.rng.below(2) as usize;
                for _ in 0..copies {
                    n += 1;
                    let place = self.rng.pick(PLACES);
                    let org_name = format!(
                        "{place} {}",
                        self.rng.pick(&[
                            "Community Trust",
                            "Together",
                            "Voluntary Action",
                            "Age Well",
                            "Wellbeing Hub",
                            "Neighbourhood Network"
                        ])
                    );
                    let org_id = format!("demo-org-{n:04}");
                    let slug: String = org_name.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
                    org.execute(params![
                        org_id,
                        org_name,
                        format!("A fictional voluntary organisation in {place}."),
                        format!("hello@{slug}.example"),
                        format!("https://{slug}.example"),
                        format!("01632 {:06}", self.rng.below(1_000_000)),
                        created,
                    ])?;
                    let org_row = tx.last_insert_rowid();
                    let name = format!("{base} ({place})");
                    let places = [5i64, 8, 10, 12, 15, 20, 30][self.rng.below(7) as usize];
                    let period = self.rng.pick(&["week", "month"]);
                    let status = if self.rng.chance(4) { "temporarily closed" } else { "active" };
                    let accepting = status == "active" && !self.rng.chance(8);
                    let day = self.rng.pick(&["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
                    let hour = self.rng.range(9, 15);
                    let description = format!(
                        "{base} for adults in and around {place}. Friendly, free or low-cost, run by local volunteers. \
                         Referral from a social prescribing link worker or self-referral welcome."
                    );
                    svc.execute(params![
                        format!("demo-svc-{n:04}"),
                        org_row,
                        name,
                        description,
                        status,
                        format!("https://{slug}.example/{}", base.to_lowercase().replace([' ', '\''], "-")),
                        format!("referrals@{slug}.example"),
                        format!("01632 {:06}", self.rng.below(1_000_000)),
                        format!("{} {place} Road, {place}", self.rng.range(1, 180)),
                        format!(
                            "{} {}{}",
                            self.rng.pick(POSTCODE_AREAS),
                            self.rng.range(1, 9),
                            self.rng.pick(&["AA", "AB", "BD", "HT", "NP", "QS", "WX"])
                        ),
                        format!("{day}s {hour}:00-{}:00", hour + 2),
                        18i64,
                        Option::<i64>::None,
                        if *need == "carer" { Some("Unpaid carers") } else { None },
                        if self.rng.chance(80) { "Free" } else { "£2 a session" },
                        category,
                        (self.opts.today - Duration::days(self.rng.range(10, 300))).to_string(),
                        at(self.opts.today - Duration::days(self.rng.range(10, 300)), 10, 0),
                        places,
                        period,
                        self.rng.range(0, 12),
                        accepting,
                        (self.opts.today - Duration::days(self.rng.range(1, 90))).to_string(),
                        created,
                    ])?;
                    let id = tx.last_insert_rowid();
                    out.push(DemoService { id, need });
                }
            }
        }
        self.report.services = out.len();
        Ok(out)
    }

    /// Unique synthetic NHS numbers: 999 followed by six digits walked through a
    /// bijection of 0..1,000,000 chosen by the seed, skipping prefixes with no
    /// valid check digit.
    fn nhs_numbers(&mut self, count: usize) -> Result<Vec<String>> {
        let multiplier = 7_919 * 2 + 1; // odd and not a multiple of 5: coprime to 10^6
        let offset = self.rng.below(1_000_000);
        let mut out = Vec::with_capacity(count);
        for k in 0..1_000_000u64 {
            if out.len() == count {
                break;
            }
            let six = (k * multiplier + offset) % 1_000_000;
            let mut nine = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
            let mut v = six;
            for slot in nine[3..].iter_mut().rev() {
                *slot = (v % 10) as u8;
                v /= 10;
            }
            if let Some(n) = NhsNumber::complete(nine) {
                out.push(n.digits());
            }
        }
        if out.len() < count {
            bail!("at most {} synthetic NHS numbers exist; ask for fewer clients", out.len());
        }
        Ok(out)
    }

    fn person_name(&mut self) -> String {
        if self.rng.chance(2) {
            return (self.rng.pick(OWN_SCRIPT)).to_owned();
        }
        let given = self.rng.pick(GIVEN);
        let family = self.rng.pick(FAMILY);
        if self.rng.chance(8) {
            let middle = self.rng.pick(GIVEN);
            format!("{given} {middle} {family}")
        } else {
            format!("{given} {family}")
        }
    }

    fn people(&mut self, tx: &Transaction<'_>, services: &[DemoService]) -> Result<()> {
        let today = self.opts.today;
        let span_days = i64::from(self.opts.weeks) * 7;
        let workers = self.workers.len();
        let numbers = self.nhs_numbers(self.opts.clients)?;

        let mut ins_client = tx.prepare(
            "INSERT INTO client (nhs_number, name, name_key, date_of_birth, phone, email, address, postcode,
                 practice_id, safeguarding, interpreter_needed, interpreter_language, is_carer,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        )?;
        let mut ins_referral = tx.prepare(
            "INSERT INTO referral (client_id, received_on, referrer_role, referrer_name, priority, status,
                 outcome, link_worker_id, practice_id, notes, first_contact_on, appointment_on,
                 follow_up_on, closed_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let mut ins_reason = tx.prepare("INSERT INTO referral_reason (referral_id, code) VALUES (?1, ?2)")?;
        let mut ins_contact = tx.prepare(
            "INSERT INTO contact (referral_id, at, kind, outcome, duration_min, did_not_attend, status_from,
                 status_to, snomed_code, note, link_worker_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?2)",
        )?;
        let mut ins_assessment = tx.prepare(
            "INSERT INTO assessment (referral_id, client_id, version, assessed_on, what_matters, strengths,
                 link_worker_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut ins_need =
            tx.prepare("INSERT INTO assessment_need (assessment_id, code, level, note) VALUES (?1, ?2, ?3, ?4)")?;
        let mut ins_goal = tx.prepare(
            "INSERT INTO goal (referral_id, title, steps, who, target_on, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )?;
        let mut ins_measure = tx.prepare(
            "INSERT INTO measure (client_id, referral_id, instrument, timing, taken_on, items, raw_score,
                 metric_score, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut ins_prescription = tx.prepare(
            "INSERT INTO prescription (client_id, referral_id, service_id, needs, wants, consent, consent_by,
                 consent_at, share_nhs_number, state, decline_reason, sent_at, answered_at, state_at,
                 link_worker_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let mut ins_event = tx.prepare(
            "INSERT INTO prescription_event (prescription_id, state, at, note, by_worker) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut ins_unmet = tx.prepare(
            "INSERT INTO unmet_need (client_id, code, description, recorded_on, link_worker_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;

        for nhs in numbers {
            let name = self.person_name();
            let age = if self.rng.chance(55) { self.rng.range(65, 96) } else { self.rng.range(18, 64) };
            let dob = today - Duration::days(age * 365 + self.rng.range(0, 364));
            let practice = self.rng.range(1, PRACTICES.len() as i64);
            let picked = self.rng.below(workers as u64) as usize;
            let (worker, by) = self.workers[picked].clone();
            // Most people are referred once; some come back after an episode closes.
            let mut first_received = weekday_on_or_after(today - Duration::days(self.rng.range(0, span_days - 1)));
            if first_received > today {
                first_received = today;
            }
            // Some people are referred again after their first episode closed,
            // when the second referral still falls before today.
            let again = self.rng.chance(12).then(|| first_received + Duration::days(self.rng.range(150, 400)));
            let second = again.filter(|d| *d <= today).map(|d| weekday_on_or_after(d).min(today));
            let episodes = if second.is_some() { 2 } else { 1 };
            let interpreter = self.rng.chance(6);
            ins_client.execute(params![
                nhs,
                name,
                name_key(&name),
                dob,
                format!("07700 9{:05}", self.rng.below(100_000)),
                if self.rng.chance(40) { Some(format!("person{}@example.org", self.report.clients + 1)) } else { None },
                format!(
                    "{} {} Street, {}",
                    self.rng.range(1, 240),
                    self.rng.pick(&["Mill", "Church", "High", "Station", "Park", "Chapel", "Victoria"]),
                    self.rng.pick(PLACES)
                ),
                format!(
                    "{} {}{}",
                    self.rng.pick(POSTCODE_AREAS),
                    self.rng.range(1, 9),
                    self.rng.pick(&["AB", "CD", "EF", "GH", "JL", "NP", "QR", "ST", "UW", "XY"])
                ),
                practice,
                self.rng.chance(3),
                interpreter,
                interpreter
                    .then(|| self.rng.pick(&["Polish", "Urdu", "Mandarin", "Welsh", "Bengali", "Arabic", "Romanian"])),
                self.rng.chance(9),
                at(first_received, 8, 30),
            ])?;
            let client_id = tx.last_insert_rowid();
            self.report.clients += 1;

            let mut received = first_received;
            let mut assessments_so_far: i64 = 0;
            for episode in 0..episodes {
                if let (1, Some(day)) = (episode, second) {
                    received = day;
                }
                let last_episode = episode + 1 == episodes;
                let age_days = (today - received).num_days();
                let status = self.status_for(age_days, last_episode);
                let priority = self.rng.weighted(&[("routine", 80), ("soon", 15), ("urgent", 5)]);
                let role = self.rng.weighted(ROLES);
                let outcome = (status == "closed").then(|| self.rng.weighted(OUTCOMES));
                let reached = !matches!(outcome, Some("unable_to_contact")) && status != "new";
                let first_contact = (status != "new")
                    .then(|| (received + Duration::days(self.rng.range(1, 8).min(age_days.max(1)))).min(today));
                let appointment = first_contact
                    .filter(|_| reached && status != "contacting")
                    .map(|d| (d + Duration::days(self.rng.range(2, 10))).min(today + Duration::days(14)));
                let closed_on = outcome.map(|o| {
                    let len = match o {
                        "completed" => self.rng.range(42, 120),
                        "unable_to_contact" | "declined" => self.rng.range(7, 21),
                        _ => self.rng.range(14, 90),
                    };
                    (received + Duration::days(len)).min(today)
                });
                let follow_up = (status == "active").then(|| today + Duration::days(self.rng.range(-10, 21)));
                let referrer_name = match role {
                    "gp" => Some(format!("Dr {}", self.rng.pick(FAMILY))),
                    "nurse" => Some(format!("Nurse {}", self.rng.pick(FAMILY))),
                    "self" => None,
                    _ => Some((self.rng.pick(FAMILY)).to_owned()),
                };
                // Taken in before the day's first contact (from 9:00).
                let created = at(received, 8, self.rng.range(0, 59));
                ins_referral.execute(params![
                    client_id,
                    received,
                    role,
                    referrer_name,
                    priority,
                    status,
                    outcome,
                    worker,
                    practice,
                    referral_note(client_id),
                    first_contact,
                    appointment,
                    follow_up,
                    closed_on,
                    created,
                    closed_on.map_or_else(|| created.clone(), |d| at(d, 16, 0)),
                ])?;
                let referral_id = tx.last_insert_rowid();
                self.report.referrals += 1;

                let mut reasons: Vec<&str> = Vec::new();
                for _ in 0..(1 + self.rng.below(3)) {
                    let r = self.rng.weighted(REASONS);
                    if !reasons.contains(&r) {
                        reasons.push(r);
                    }
                }
                for r in &reasons {
                    ins_reason.execute(params![referral_id, r])?;
                }

                // Contacts: first attempts, then sessions for those engaged.
                let mut contact = |g: &mut Generator,
                                   day: NaiveDate,
                                   kind: &str,
                                   outcome: Option<&str>,
                                   minutes: Option<i64>,
                                   from: Option<&str>,
                                   to: Option<&str>,
                                   snomed: Option<&str>,
                                   note: Option<&str>|
                 -> Result<()> {
                    let dna = outcome == Some("dna");
                    ins_contact.execute(params![
                        referral_id,
                        at(day, g.rng.range(9, 16), g.rng.range(0, 59)),
                        kind,
                        outcome,
                        minutes,
                        dna,
                        from,
                        to,
                        snomed,
                        note,
                        worker,
                    ])?;
                    g.report.contacts += 1;
                    Ok(())
                };
                if let Some(first) = first_contact {
                    let attempts = if reached { self.rng.range(0, 2) } else { 3 };
                    for a in 0..attempts {
                        let o = self.rng.pick(&["no_answer", "voicemail"]);
                        let day = (first - Duration::days(attempts - a)).max(received);
                        contact(
                            self,
                            day,
                            "phone",
                            Some(o),
                            None,
                            (a == 0).then_some("new"),
                            (a == 0).then_some("contacting"),
                            None,
                            None,
                        )?;
                    }
                    if reached {
                        let to = if status == "contacting" { "contacting" } else { "booked" };
                        let minutes = self.rng.range(5, 20);
                        contact(
                            self,
                            first,
                            "phone",
                            Some("reached"),
                            Some(minutes),
                            Some("new"),
                            Some(to),
                            None,
                            Some("Introduced the service; agreed to meet."),
                        )?;
                    }
                }
                if outcome == Some("declined") {
                    let day = closed_on.unwrap_or(today);
                    contact(
                        self,
                        day,
                        "note",
                        None,
                        None,
                        Some("booked"),
                        Some("closed"),
                        Some(SNOMED_DECLINED),
                        Some("Thanked us; does not want support at the moment."),
                    )?;
                }

                let engaged = matches!(status, "active" | "closed")
                    && reached
                    && !matches!(outcome, Some("declined") | Some("unable_to_contact"));
                let Some(start) = appointment.filter(|_| engaged) else {
                    continue;
                };
                let end = closed_on.unwrap_or(today);
                if start > end {
                    continue;
                }
                let sessions = if outcome == Some("completed") { self.rng.range(5, 11) } else { self.rng.range(1, 6) };
                let gap = ((end - start).num_days() / sessions.max(1)).max(1);
                for s in 0..sessions {
                    let day = start + Duration::days(s * gap);
                    if day > end {
                        break;
                    }
                    let kind = self.rng.weighted(&[
                        ("face_to_face", 45),
                        ("phone", 30),
                        ("home_visit", 10),
                        ("video", 8),
                        ("group", 7),
                    ]);
                    let dna = self.rng.chance(8);
                    let note = (!dna).then(|| self.rng.pick(CONTACT_NOTES));
                    let minutes = self.rng.range(15, 60);
                    contact(
                        self,
                        day,
                        kind,
                        Some(if dna { "dna" } else { "attended" }),
                        (!dna).then_some(minutes),
                        (s == 0).then_some("booked"),
                        (s == 0).then_some("active"),
                        None,
                        note,
                    )?;
                }

                // Assessment at the first session, with a reassessment for some.
                let versions = if outcome == Some("completed") && self.rng.chance(20) { 2 } else { 1 };
                let prior = assessments_so_far;
                assessments_so_far += versions;
                for v in 0..versions {
                    let day = if v == 0 { start } else { (start + Duration::days(42)).min(end) };
                    ins_assessment.execute(params![
                        referral_id,
                        client_id,
                        prior + v + 1,
                        day,
                        self.rng.pick(WHAT_MATTERS),
                        self.rng.pick(STRENGTHS),
                        worker,
                        at(day, 11, 0),
                    ])?;
                    let aid = tx.last_insert_rowid();
                    let mut codes: Vec<&str> = reasons.clone();
                    for extra in ["digital", "transport", "food", "relationships", "learning"] {
                        if self.rng.chance(12) {
                            codes.push(extra);
                        }
                    }
                    for code in codes {
                        let level =
                            if reasons.contains(&code) { self.rng.pick(&["some", "significant"]) } else { "some" };
                        ins_need.execute(params![aid, code, level, Option::<String>::None])?;
                    }
                }
                let goal_status = match outcome {
                    Some("completed") => "achieved",
                    Some(_) => "dropped",
                    None => self.rng.pick(&["not_started", "in_progress"]),
                };
                ins_goal.execute(params![
                    referral_id,
                    self.rng.pick(&[
                        "Join a local group",
                        "Sort out the bills",
                        "Walk to the park twice a week",
                        "Get the damp looked at",
                        "Meet new people"
                    ]),
                    "Link Worker to find options; person to try one session.",
                    "Link Worker and person together",
                    start + Duration::days(42),
                    goal_status,
                    at(start, 11, 30),
                ])?;

                // Wellbeing measures: a baseline at assessment, a follow-up at the end.
                let improves = outcome == Some("completed");
                let follow_day = closed_on.filter(|_| improves && self.rng.chance(75));
                // A follow-up comes at least the program's days after the baseline.
                let too_soon = |d: NaiveDate| (d - start).num_days() < crate::storage::measures::FOLLOW_UP_MIN_DAYS;
                let mut instruments = vec![Instrument::Ons4, Instrument::Swemwbs];
                if reasons.contains(&"loneliness") {
                    instruments.push(Instrument::Ucla3);
                }
                for inst in instruments {
                    let base = self.measure_items(inst, 0);
                    self.write_measure(&mut ins_measure, client_id, referral_id, inst, "baseline", start, &base)?;
                    if let Some(day) = follow_day {
                        // Drawn either way, so that the rest of the data set stays as it was.
                        let later = self.measure_items(inst, 2);
                        if !too_soon(day) {
                            self.write_measure(
                                &mut ins_measure,
                                client_id,
                                referral_id,
                                inst,
                                "follow_up",
                                day,
                                &later,
                            )?;
                        }
                    }
                }

                // Social prescriptions to services that meet one of the reasons.
                let count = if self.rng.chance(70) { 1 } else { 2 };
                for _ in 0..count {
                    let wanted = self.rng.pick(&reasons);
                    let fitting: Vec<&DemoService> = services.iter().filter(|s| s.need == wanted).collect();
                    let service = if fitting.is_empty() {
                        &services[self.rng.below(services.len() as u64) as usize]
                    } else {
                        self.rng.pick(&fitting)
                    };
                    let created_day = (start + Duration::days(self.rng.range(0, 7))).min(end);
                    let sent_day = created_day;
                    let age = (today - sent_day).num_days();
                    let (state, answer_days) = self.prescription_state(age, outcome);
                    let consent = if self.rng.chance(70) { "verbal" } else { "written" };
                    let created = at(created_day, 13, 0);
                    let sent = (state != "draft").then(|| at(sent_day, 14, 0));
                    let answered = answer_days.map(|d| at((sent_day + Duration::days(d)).min(today), 10, 0));
                    let state_day = answer_days.map_or(sent_day, |d| {
                        (sent_day
                            + Duration::days(
                                d + if matches!(state, "started" | "completed" | "dropped_out") { 7 } else { 0 },
                            ))
                        .min(today)
                    });
                    // Every step in order: none before the one it follows (a clamp to
                    // today can bring two onto the same moment, never reverse them).
                    let mut trail = vec![("draft", created.clone())];
                    if let Some(s) = &sent {
                        trail.push(("sent", s.clone()));
                    }
                    if let Some(a) = &answered {
                        let first_answer = match state {
                            "declined" => "declined",
                            "no_response" => "no_response",
                            _ => "accepted",
                        };
                        trail.push((first_answer, a.clone()));
                        if matches!(state, "started" | "completed" | "dropped_out") {
                            trail.push(("started", at(state_day, 10, 0)));
                            if state != "started" {
                                trail.push((state, at(state_day, 10, 0)));
                            }
                        }
                    }
                    for i in 1..trail.len() {
                        if trail[i].1 < trail[i - 1].1 {
                            trail[i].1 = trail[i - 1].1.clone();
                        }
                    }
                    let moment = |s: &str| trail.iter().find(|(k, _)| *k == s).map(|(_, t)| t.clone());
                    let sent = sent.and(moment("sent"));
                    let answered = answered.and_then(|_| trail.get(2).map(|(_, t)| t.clone()));
                    let state_at = trail.last().map(|(_, t)| t.clone()).unwrap_or_else(|| created.clone());
                    ins_prescription.execute(params![
                        client_id,
                        referral_id,
                        service.id,
                        serde_json::to_string(&[wanted])?,
                        "To get out and meet people",
                        consent,
                        by,
                        created,
                        self.rng.chance(20),
                        state,
                        (state == "declined").then_some("No places until next term"),
                        sent,
                        answered,
                        state_at,
                        worker,
                        created,
                    ])?;
                    let pid = tx.last_insert_rowid();
                    self.report.prescriptions += 1;
                    for (s, when) in trail {
                        ins_event.execute(params![pid, s, when, Option::<String>::None, by])?;
                    }
                }

                if self.rng.chance(4) {
                    let code = self.rng.pick(&["transport", "housing", "digital", "money", "loneliness"]);
                    ins_unmet.execute(params![
                        client_id,
                        code,
                        match code {
                            "transport" => "No accessible transport to groups in the evening",
                            "housing" => "No damp and mould help for private tenants",
                            "digital" => "No one-to-one digital help in Urdu",
                            "money" => "Debt advice waiting list closed",
                            _ => "No befriending for men under 50",
                        },
                        start,
                        worker,
                        at(start, 15, 0),
                    ])?;
                }
            }
        }
        Ok(())
    }

    fn status_for(&mut self, age_days: i64, last_episode: bool) -> &'static str {
        if !last_episode {
            return "closed";
        }
        let choices: &[(&'static str, u32)] = match age_days {
            0..=3 => &[("new", 85), ("contacting", 15)],
            4..=10 => &[("new", 20), ("contacting", 45), ("booked", 35)],
            11..=30 => &[("contacting", 10), ("booked", 25), ("active", 55), ("closed", 10)],
            31..=120 => &[("active", 65), ("closed", 35)],
            121..=200 => &[("active", 15), ("closed", 85)],
            _ => &[("active", 1), ("closed", 99)],
        };
        self.rng.weighted(choices)
    }

    /// A prescription's state given how long ago it was sent: (state, days to answer).
    fn prescription_state(&mut self, age: i64, outcome: Option<&str>) -> (&'static str, Option<i64>) {
        if age < 3 && self.rng.chance(30) {
            return ("draft", None);
        }
        let answer = self.rng.range(1, 16);
        if age < answer.min(14) {
            return (self.rng.pick(&["sent", "acknowledged"]), None);
        }
        if answer > 14 || self.rng.chance(6) {
            return ("no_response", Some(14));
        }
        if self.rng.chance(10) {
            return ("declined", Some(answer));
        }
        if age < answer + 7 {
            return ("accepted", Some(answer));
        }
        let state = match outcome {
            Some("completed") => self.rng.weighted(&[("completed", 75), ("dropped_out", 25)]),
            Some(_) => self.rng.weighted(&[("dropped_out", 50), ("started", 30), ("accepted", 20)]),
            None => self.rng.weighted(&[("started", 70), ("accepted", 30)]),
        };
        (state, Some(answer))
    }

    /// Item scores, shifted towards better wellbeing by `lift` points at follow-up.
    fn measure_items(&mut self, inst: Instrument, lift: i64) -> Vec<Option<i64>> {
        match inst {
            Instrument::Ons4 => vec![
                Some((self.rng.range(2, 7) + lift).min(10)),
                Some((self.rng.range(3, 7) + lift).min(10)),
                Some((self.rng.range(2, 7) + lift).min(10)),
                Some((self.rng.range(3, 9) - lift).max(0)),
            ],
            Instrument::Swemwbs => (0..7)
                .map(|_| Some((self.rng.range(1, 4) + i64::from(lift > 0 && self.rng.chance(55))).min(5)))
                .collect(),
            Instrument::Ucla3 => (0..3)
                .map(|_| Some((self.rng.range(2, 3) - i64::from(lift > 0 && self.rng.chance(50))).max(1)))
                .collect(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn write_measure(
        &mut self,
        stmt: &mut rusqlite::Statement<'_>,
        client_id: i64,
        referral_id: i64,
        inst: Instrument,
        timing: &str,
        day: NaiveDate,
        items: &[Option<i64>],
    ) -> Result<()> {
        let scored = score(inst, items)?;
        debug_assert_eq!(scored.metric, scored.raw.filter(|_| inst == Instrument::Swemwbs).and_then(swemwbs_metric));
        stmt.execute(params![
            client_id,
            referral_id,
            inst.code(),
            timing,
            day,
            serde_json::to_string(&scored.items)?,
            scored.raw,
            scored.metric,
            at(day, 12, 0),
        ])?;
        self.report.measures += 1;
        Ok(())
    }
}

/// What a referrer writes in the notes of one referral in three (chosen by the
/// client id, not the random stream, so the rest of the demo is unchanged).
const REFERRAL_NOTES: [&str; 6] = [
    "Lives alone, recently widowed. Prefers Welsh.",
    "Carer for her husband; can only talk in the mornings.",
    "Hard of hearing: text first, then a face-to-face visit.",
    "Moved here last year, knows nobody nearby. Keen on walking.",
    "Lost his job in the spring; money worries behind the low mood.",
    "Daughter rang on his behalf; he is happy to be contacted.",
];

fn referral_note(client_id: i64) -> Option<&'static str> {
    (client_id % 3 == 0).then(|| REFERRAL_NOTES[(client_id as usize / 3) % REFERRAL_NOTES.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_fixed_for_a_seed() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next(), xs[0]);
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(3);
        for n in [1u64, 2, 7, 100] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
    }
}

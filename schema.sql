-- linkwork: the whole data model, the one source of truth.
--
-- Applied as one transaction to a new database, which is then marked with
-- PRAGMA user_version = <latest schema version> (see src/storage/migrate.rs).
-- Existing databases reach the same shape through the numbered migration steps
-- in src/storage/migrate.rs; a test checks that both roads end in the same schema.
--
-- Conventions
--   * Every table is STRICT; every coded value has a CHECK constraint or a
--     foreign key to a code list kept in the database.
--   * Dates are ISO 8601 text: 'YYYY-MM-DD' for days, 'YYYY-MM-DDTHH:MM:SSZ' (UTC)
--     for moments. CHECKs keep their shape.
--   * Booleans are INTEGER 0/1 with a CHECK.
--   * The audit log is append-only and hash-chained: triggers refuse UPDATE,
--     DELETE, REPLACE, a record out of order or dated before the last one;
--     `linkwork check` verifies every hash.

-- ---------------------------------------------------------------------------
-- Settings and organisation
-- ---------------------------------------------------------------------------

-- Key/value settings: worker name, working-day thresholds, demo marker...
CREATE TABLE setting (
    key   TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    value TEXT NOT NULL
) STRICT;

CREATE TABLE pcn (
    id   INTEGER PRIMARY KEY,
    code TEXT UNIQUE,                      -- ODS code of the PCN, when known
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
) STRICT;

CREATE TABLE practice (
    id        INTEGER PRIMARY KEY,
    pcn_id    INTEGER REFERENCES pcn(id),
    ods_code  TEXT UNIQUE,
    name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    list_size INTEGER CHECK (list_size IS NULL OR list_size >= 0)  -- registered patients
) STRICT;

CREATE TABLE link_worker (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    email       TEXT,
    pcn_id      INTEGER REFERENCES pcn(id),
    practice_id INTEGER REFERENCES practice(id),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- ---------------------------------------------------------------------------
-- Code lists kept in the database (local settings, not constants: DOMAIN.md)
-- ---------------------------------------------------------------------------

-- Needs a person can have. Referral reasons are the needs with is_reason = 1;
-- the assessment uses all of them.
CREATE TABLE need_code (
    code      TEXT PRIMARY KEY NOT NULL CHECK (code GLOB '[a-z]*' AND code NOT GLOB '*[^a-z_]*'),
    label     TEXT NOT NULL,
    is_reason INTEGER NOT NULL DEFAULT 1 CHECK (is_reason IN (0, 1)),
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort      INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO need_code (code, label, is_reason, sort) VALUES
    ('loneliness',          'Loneliness and isolation', 1, 10),
    ('mental_wellbeing',    'Low mood, mental wellbeing', 1, 20),
    ('housing',             'Housing', 1, 30),
    ('money',               'Money, debt, benefits', 1, 40),
    ('physical_activity',   'Physical activity', 1, 50),
    ('long_term_condition', 'Long-term condition', 1, 60),
    ('carer',               'Carer support', 1, 70),
    ('bereavement',         'Bereavement', 1, 80),
    ('employment',          'Employment', 1, 90),
    ('substance_use',       'Alcohol and substance use', 1, 100),
    ('other',               'Other', 1, 110),
    ('digital',             'Digital inclusion', 0, 120),
    ('transport',           'Transport', 0, 130),
    ('food',                'Food', 0, 140),
    ('relationships',       'Relationships', 0, 150),
    ('learning',            'Learning', 0, 160);

-- ---------------------------------------------------------------------------
-- People and their episodes of care
-- ---------------------------------------------------------------------------

CREATE TABLE client (
    id                   INTEGER PRIMARY KEY,
    nhs_number           TEXT NOT NULL UNIQUE
                         CHECK (length(nhs_number) = 10 AND nhs_number NOT GLOB '*[^0-9]*'),
    name                 TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- case- and accent-folded name, kept by the program for filtering
    name_key             TEXT NOT NULL,
    date_of_birth        TEXT NOT NULL CHECK (date(date_of_birth) IS date_of_birth),
    phone                TEXT,
    email                TEXT,
    address              TEXT,
    postcode             TEXT,
    practice_id          INTEGER REFERENCES practice(id),
    safeguarding         INTEGER NOT NULL DEFAULT 0 CHECK (safeguarding IN (0, 1)),
    interpreter_needed   INTEGER NOT NULL DEFAULT 0 CHECK (interpreter_needed IN (0, 1)),
    interpreter_language TEXT,
    is_carer             INTEGER NOT NULL DEFAULT 0 CHECK (is_carer IN (0, 1)),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    -- schema version 5: what the person needs to take part (step-free, hearing loop...)
    access_needs         TEXT
) STRICT;

CREATE INDEX client_name_key ON client(name_key);

-- Substring search over names as the caseload filter types them: a trigram index
-- over name_key, kept in step with client by the triggers below.
CREATE VIRTUAL TABLE client_search USING fts5(
    name_key, content = 'client', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER client_search_insert AFTER INSERT ON client BEGIN
    INSERT INTO client_search (rowid, name_key) VALUES (new.id, new.name_key);
END;

CREATE TRIGGER client_search_delete AFTER DELETE ON client BEGIN
    INSERT INTO client_search (client_search, rowid, name_key) VALUES ('delete', old.id, old.name_key);
END;

CREATE TRIGGER client_search_update AFTER UPDATE OF name_key ON client BEGIN
    INSERT INTO client_search (client_search, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    INSERT INTO client_search (rowid, name_key) VALUES (new.id, new.name_key);
END;

-- A referral in, and the episode of care that follows it. A person referred again
-- after an episode closed gets a new row; the client row is shared.
CREATE TABLE referral (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES client(id),
    received_on     TEXT NOT NULL CHECK (date(received_on) IS received_on),
    referrer_role   TEXT NOT NULL DEFAULT 'other' CHECK (referrer_role IN
                    ('gp', 'nurse', 'pharmacist', 'practice_staff', 'self', 'vcso', 'hospital', 'other')),
    referrer_name   TEXT,
    priority        TEXT NOT NULL DEFAULT 'routine' CHECK (priority IN ('routine', 'soon', 'urgent')),
    -- the triage workflow; the allowed moves are enforced in src/domain
    status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN
                    ('new', 'contacting', 'booked', 'active', 'closed')),
    outcome         TEXT CHECK (outcome IN
                    ('completed', 'declined', 'unable_to_contact', 'transferred', 'disengaged', 'other')),
    -- SNOMED CT: 871731000000106 referral to social prescribing service (first
    -- referral in an episode; counts for the PCN indicator), 871711000000103 declined
    snomed_code     TEXT NOT NULL DEFAULT '871731000000106'
                    CHECK (snomed_code IN ('871731000000106', '871711000000103', '871691000000100')),
    link_worker_id  INTEGER REFERENCES link_worker(id),
    practice_id     INTEGER REFERENCES practice(id),
    notes           TEXT,
    first_contact_on TEXT CHECK (first_contact_on IS NULL OR date(first_contact_on) IS first_contact_on),
    appointment_on  TEXT CHECK (appointment_on IS NULL OR date(appointment_on) IS appointment_on),
    follow_up_on    TEXT CHECK (follow_up_on IS NULL OR date(follow_up_on) IS follow_up_on),
    closed_on       TEXT CHECK (closed_on IS NULL OR date(closed_on) IS closed_on),
    close_note      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((status = 'closed') = (outcome IS NOT NULL AND closed_on IS NOT NULL))
) STRICT;

CREATE INDEX referral_client ON referral(client_id, received_on);
CREATE INDEX referral_status ON referral(status, received_on);
-- received_on and closed_on indexes cover what the weekly summary reads (schema version 2)
CREATE INDEX referral_received ON referral(received_on, client_id, referrer_role, practice_id, snomed_code);
CREATE INDEX referral_closed ON referral(status, closed_on, outcome);
CREATE INDEX referral_follow_up ON referral(status, follow_up_on);
CREATE INDEX referral_worker ON referral(link_worker_id, status);
-- schema version 2: the weekly summary counts first contacts by their day
CREATE INDEX referral_first_contact ON referral(first_contact_on, received_on);

CREATE TABLE referral_reason (
    referral_id INTEGER NOT NULL REFERENCES referral(id) ON DELETE CASCADE,
    code        TEXT NOT NULL REFERENCES need_code(code),
    PRIMARY KEY (referral_id, code)
) WITHOUT ROWID, STRICT;

CREATE INDEX referral_reason_code ON referral_reason(code);

-- Contacts and sessions: every contact attempt, session and triage step, timestamped.
CREATE TABLE contact (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referral(id),
    at             TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*'),
    kind           TEXT NOT NULL CHECK (kind IN
                   ('phone', 'face_to_face', 'video', 'home_visit', 'group', 'text', 'email', 'letter', 'note')),
    outcome        TEXT CHECK (outcome IN ('reached', 'no_answer', 'voicemail', 'wrong_number', 'attended', 'dna')),
    duration_min   INTEGER CHECK (duration_min IS NULL OR duration_min BETWEEN 0 AND 1440),
    did_not_attend INTEGER NOT NULL DEFAULT 0 CHECK (did_not_attend IN (0, 1)),
    -- the triage step this entry records, if any (status changes are logged here too)
    status_from    TEXT,
    status_to      TEXT,
    -- SNOMED CT concept this event records, e.g. 871711000000103 when the person declined
    snomed_code    TEXT CHECK (snomed_code IN ('871731000000106', '871711000000103', '871691000000100')),
    note           TEXT,
    link_worker_id INTEGER REFERENCES link_worker(id),
    created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX contact_referral ON contact(referral_id, at);
CREATE INDEX contact_at ON contact(at);
-- schema version 2: the weekly summary counts contacts of each kind and attendance from the index alone
CREATE INDEX contact_summary ON contact(kind, at, did_not_attend, outcome);

-- Holistic assessments: dated and versioned. A reassessment adds a row.
CREATE TABLE assessment (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referral(id),
    client_id      INTEGER NOT NULL REFERENCES client(id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    assessed_on    TEXT NOT NULL CHECK (date(assessed_on) IS assessed_on),
    what_matters   TEXT,
    strengths      TEXT,
    link_worker_id INTEGER REFERENCES link_worker(id),
    created_at     TEXT NOT NULL,
    UNIQUE (client_id, version)
) STRICT;

CREATE INDEX assessment_referral ON assessment(referral_id);
CREATE INDEX assessment_on ON assessment(assessed_on);

CREATE TABLE assessment_need (
    assessment_id INTEGER NOT NULL REFERENCES assessment(id) ON DELETE CASCADE,
    code          TEXT NOT NULL REFERENCES need_code(code),
    level         TEXT NOT NULL CHECK (level IN ('none', 'some', 'significant')),
    note          TEXT,
    PRIMARY KEY (assessment_id, code)
) WITHOUT ROWID, STRICT;

CREATE TABLE goal (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referral(id),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    steps       TEXT,
    who         TEXT,
    target_on   TEXT CHECK (target_on IS NULL OR date(target_on) IS target_on),
    status      TEXT NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'achieved', 'dropped')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE INDEX goal_referral ON goal(referral_id);

-- Wellbeing measures. items is a JSON array of the item scores in the instrument's
-- order; raw_score is the SWEMWBS or UCLA-3 total (ONS4 items are never summed);
-- metric_score is the SWEMWBS metric score from the conversion table.
CREATE TABLE measure (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES client(id),
    referral_id  INTEGER REFERENCES referral(id),
    instrument   TEXT NOT NULL CHECK (instrument IN ('ons4', 'swemwbs', 'ucla3')),
    timing       TEXT NOT NULL CHECK (timing IN ('baseline', 'follow_up')),
    taken_on     TEXT NOT NULL CHECK (date(taken_on) IS taken_on),
    items        TEXT NOT NULL CHECK (json_valid(items) AND json_type(items) = 'array'),
    raw_score    INTEGER,
    metric_score REAL,
    created_at   TEXT NOT NULL,
    CHECK (instrument <> 'swemwbs' OR raw_score BETWEEN 7 AND 35),
    CHECK (instrument <> 'ucla3' OR raw_score BETWEEN 3 AND 9),
    CHECK (instrument <> 'ons4' OR (raw_score IS NULL AND metric_score IS NULL))
) STRICT;

CREATE INDEX measure_client ON measure(client_id, instrument, taken_on);
-- schema version 2: the weekly summary reads a period's follow-ups from one index and
-- finds each one's baseline in one step
CREATE INDEX measure_follow_up ON measure(timing, taken_on, client_id, instrument, raw_score, metric_score, items);
CREATE INDEX measure_baseline ON measure(client_id, instrument, timing, taken_on);
CREATE INDEX measure_taken ON measure(taken_on);

-- ---------------------------------------------------------------------------
-- Service directory (Open Referral UK fields plus local fields)
-- ---------------------------------------------------------------------------

CREATE TABLE organisation (
    id          INTEGER PRIMARY KEY,
    source_id   TEXT UNIQUE,                -- the feed's id; NULL when entered locally
    name        TEXT NOT NULL CHECK (length(name) >= 1),
    description TEXT,
    email       TEXT,
    url         TEXT,
    phone       TEXT,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE service (
    id                   INTEGER PRIMARY KEY,
    source_id            TEXT UNIQUE,       -- the feed's id; upserts key on it
    organisation_id      INTEGER REFERENCES organisation(id),
    -- fields from Open Referral UK; an import may overwrite these
    name                 TEXT NOT NULL CHECK (length(name) >= 1),
    description          TEXT,
    status               TEXT NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
    url                  TEXT,
    email                TEXT,
    phone                TEXT,
    address              TEXT,
    postcode             TEXT,
    schedule             TEXT,
    min_age              INTEGER CHECK (min_age IS NULL OR min_age BETWEEN 0 AND 150),
    max_age              INTEGER CHECK (max_age IS NULL OR max_age BETWEEN 0 AND 150),
    eligibility          TEXT,
    fees                 TEXT,
    categories           TEXT,              -- taxonomy terms, '; ' separated, for display and search
    assured_on           TEXT,
    last_modified        TEXT,
    source_hash          TEXT,              -- hash of the imported fields: unchanged re-imports are no-ops
    imported_at          TEXT,
    -- local fields: never overwritten by an import
    capacity_places      INTEGER CHECK (capacity_places IS NULL OR capacity_places >= 0),
    capacity_period      TEXT CHECK (capacity_period IN ('week', 'month', 'quarter', 'year')),
    waiting_list         INTEGER CHECK (waiting_list IS NULL OR waiting_list >= 0),
    accepting_referrals  INTEGER NOT NULL DEFAULT 1 CHECK (accepting_referrals IN (0, 1)),
    local_notes          TEXT,
    last_checked_on      TEXT CHECK (last_checked_on IS NULL OR date(last_checked_on) IS last_checked_on),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK ((capacity_places IS NULL) = (capacity_period IS NULL))
) STRICT;

CREATE INDEX service_name ON service(name COLLATE NOCASE);
CREATE INDEX service_organisation ON service(organisation_id);

-- Full-text search over the directory: ranked, case-insensitive, word endings
-- folded. Kept in step with service and organisation by the triggers below.
CREATE VIRTUAL TABLE service_fts USING fts5(
    name, organisation, description, categories,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- schema version 6 begin: search that finds what a Link Worker types
-- The same words unstemmed, so that an exact word ranks above a word that only
-- shares its stem ("housing" above "house"), and their vocabulary, for close
-- spellings ("bereavment" finds "bereavement").
CREATE VIRTUAL TABLE service_words USING fts5(
    name, organisation, description, categories,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE service_words_vocab USING fts5vocab(service_words, 'row');

-- While a directory import writes many services it fills both indexes itself,
-- once, at its end (an index written row by row is several times slower): the
-- row here says so, and only ever inside that import's own transaction.
-- The directory in name order with what its list filters on, read without the
-- rows themselves (a service's row holds its whole description).
CREATE INDEX service_list ON service(name COLLATE NOCASE, id, status, accepting_referrals, min_age, max_age);

CREATE TABLE search_index_deferred (
    one INTEGER PRIMARY KEY CHECK (one = 1)
) STRICT;

-- Both indexes are written only when a searched field changed: an import that
-- says the same again, or an organisation written with the same name, leaves them be.
CREATE TRIGGER service_fts_insert AFTER INSERT ON service
WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    INSERT INTO service_fts (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
    INSERT INTO service_words (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
END;

CREATE TRIGGER service_fts_update AFTER UPDATE OF name, organisation_id, description, categories ON service
WHEN (old.name IS NOT new.name OR old.organisation_id IS NOT new.organisation_id
      OR old.description IS NOT new.description OR old.categories IS NOT new.categories)
     AND NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    DELETE FROM service_fts WHERE rowid = old.id;
    INSERT INTO service_fts (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
    DELETE FROM service_words WHERE rowid = old.id;
    INSERT INTO service_words (rowid, name, organisation, description, categories)
    VALUES (new.id, new.name, (SELECT name FROM organisation WHERE id = new.organisation_id),
            new.description, new.categories);
END;

CREATE TRIGGER service_fts_delete AFTER DELETE ON service
WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    DELETE FROM service_fts WHERE rowid = old.id;
    DELETE FROM service_words WHERE rowid = old.id;
END;

CREATE TRIGGER service_fts_organisation AFTER UPDATE OF name ON organisation
WHEN old.name IS NOT new.name AND NOT EXISTS (SELECT 1 FROM search_index_deferred) BEGIN
    UPDATE service_fts SET organisation = new.name
    WHERE rowid IN (SELECT id FROM service WHERE organisation_id = new.id);
    UPDATE service_words SET organisation = new.name
    WHERE rowid IN (SELECT id FROM service WHERE organisation_id = new.id);
END;

-- The thesaurus: words Link Workers type that services' own text often lacks.
-- A word that no service mentions is searched as its alternatives (words or
-- phrases), and the directory says so. Local data: `linkwork services synonyms`.
CREATE TABLE search_synonym (
    word        TEXT NOT NULL CHECK (length(word) BETWEEN 1 AND 60 AND word = lower(trim(word))),
    alternative TEXT NOT NULL CHECK (length(alternative) BETWEEN 1 AND 60 AND alternative = lower(trim(alternative))),
    PRIMARY KEY (word, alternative)
) STRICT, WITHOUT ROWID;

INSERT INTO search_synonym (word, alternative) VALUES
    ('grief', 'bereavement'), ('grief', 'bereaved'), ('grieving', 'bereavement'), ('loss', 'bereavement'),
    ('bereavement', 'grief'), ('bereaved', 'bereavement'),
    ('singing', 'choir'), ('singing', 'singers'), ('sing', 'choir'), ('choir', 'singing'), ('choirs', 'choir'),
    ('mould', 'mold'), ('mould', 'damp'), ('mould', 'housing conditions'),
    ('mold', 'mould'), ('mold', 'damp'), ('mold', 'housing conditions'),
    ('damp', 'mould'), ('damp', 'housing conditions'),
    ('lonely', 'befriending'), ('lonely', 'loneliness'), ('lonely', 'isolation'),
    ('loneliness', 'befriending'), ('loneliness', 'lonely'), ('isolation', 'befriending'),
    ('isolated', 'befriending'), ('isolated', 'loneliness'), ('befriending', 'loneliness'),
    ('debt', 'money advice'), ('debt', 'benefits'), ('debts', 'money advice'),
    ('money', 'debt'), ('money', 'benefits'), ('benefits', 'money advice'), ('benefits', 'welfare'),
    ('carer', 'carers'), ('carers', 'carer'), ('caring', 'carers'),
    ('exercise', 'physical activity'), ('exercise', 'walking'), ('exercise', 'fitness'),
    ('fitness', 'exercise'), ('fitness', 'physical activity'), ('activity', 'exercise'),
    ('allotment', 'gardening'), ('allotment', 'garden'), ('gardening', 'allotment'), ('garden', 'allotment'),
    ('dementia', 'memory'), ('memory', 'dementia'), ('alzheimers', 'dementia'), ('alzheimer''s', 'dementia'),
    ('mood', 'mental wellbeing'), ('mood', 'wellbeing'), ('depression', 'low mood'), ('depression', 'wellbeing'),
    ('anxiety', 'wellbeing'), ('anxiety', 'mental health'), ('wellbeing', 'mental health'),
    ('mental', 'wellbeing'),
    ('homeless', 'housing'), ('homelessness', 'housing'), ('housing', 'homelessness'),
    ('condition', 'long-term condition'), ('diabetes', 'long-term condition'), ('pain', 'long-term condition'),
    ('employment', 'work'), ('employment', 'jobs'), ('job', 'employment'), ('jobs', 'employment'),
    ('work', 'employment'),
    ('alcohol', 'substance use'), ('alcohol', 'drinking'), ('drinking', 'alcohol'), ('drugs', 'substance use'),
    ('substance', 'alcohol'), ('substance', 'drugs'),
    ('digital', 'computer'), ('digital', 'online'), ('computer', 'digital'), ('internet', 'digital'),
    ('transport', 'travel'), ('transport', 'bus'), ('travel', 'transport'),
    ('food', 'food bank'), ('food', 'meals'), ('hungry', 'food bank'), ('meals', 'food'),
    ('relationships', 'family'), ('relationship', 'family'), ('family', 'relationships'),
    ('learning', 'courses'), ('learning', 'education'), ('courses', 'learning'), ('education', 'learning');
-- schema version 6 end

-- ---------------------------------------------------------------------------
-- Social prescriptions: a person handed on to a service
-- ---------------------------------------------------------------------------

CREATE TABLE prescription (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES client(id),
    referral_id         INTEGER NOT NULL REFERENCES referral(id),
    service_id          INTEGER NOT NULL REFERENCES service(id),
    needs               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(needs)),  -- need codes
    wants               TEXT,               -- what the person wants from it
    note                TEXT,
    consent             TEXT CHECK (consent IN ('verbal', 'written')),
    consent_by          TEXT,
    consent_at          TEXT,
    share_nhs_number    INTEGER NOT NULL DEFAULT 0 CHECK (share_nhs_number IN (0, 1)),
    state               TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
                        ('draft', 'sent', 'acknowledged', 'accepted', 'declined', 'started',
                         'completed', 'dropped_out', 'no_response')),
    decline_reason      TEXT,
    sent_at             TEXT,
    answered_at         TEXT,               -- first accepted/declined/no_response
    state_at            TEXT NOT NULL,      -- when the current state began
    export_sha256       TEXT CHECK (export_sha256 IS NULL OR length(export_sha256) = 64),
    link_worker_id      INTEGER REFERENCES link_worker(id),
    created_at          TEXT NOT NULL,
    CHECK (state = 'draft' OR consent IS NOT NULL),
    CHECK ((consent IS NULL) = (consent_at IS NULL))
) STRICT;

CREATE INDEX prescription_client ON prescription(client_id);
CREATE INDEX prescription_referral ON prescription(referral_id, state);
CREATE INDEX prescription_service ON prescription(service_id, state, sent_at);
CREATE INDEX prescription_service_sent ON prescription(service_id, sent_at);
CREATE INDEX prescription_sent ON prescription(sent_at);
CREATE INDEX prescription_state ON prescription(state, sent_at);

-- Every hand-over state a prescription passed through, with its time.
CREATE TABLE prescription_event (
    id              INTEGER PRIMARY KEY,
    prescription_id INTEGER NOT NULL REFERENCES prescription(id),
    state           TEXT NOT NULL,
    at              TEXT NOT NULL,
    note            TEXT,
    by_worker       TEXT
) STRICT;

-- schema version 2: (prescription_id, state, at) and (state, at, prescription_id) let the weekly
-- summary count hand-overs and answers in a period, and find when each was sent, from indexes alone
CREATE INDEX prescription_event_prescription ON prescription_event(prescription_id, state, at);
CREATE INDEX prescription_event_state ON prescription_event(state, at, prescription_id);

-- Needs for which no suitable local service was found. The client is kept by id only.
CREATE TABLE unmet_need (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER REFERENCES client(id),
    code           TEXT NOT NULL REFERENCES need_code(code),
    description    TEXT,
    recorded_on    TEXT NOT NULL CHECK (date(recorded_on) IS recorded_on),
    link_worker_id INTEGER REFERENCES link_worker(id),
    created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX unmet_need_code ON unmet_need(code, recorded_on);

-- ---------------------------------------------------------------------------
-- Signing keys (public halves only: private keys live in the data folder)
-- ---------------------------------------------------------------------------

CREATE TABLE signing_key (
    kid        TEXT PRIMARY KEY NOT NULL,   -- RFC 7638 JWK thumbprint
    public_jwk TEXT NOT NULL CHECK (json_valid(public_jwk)),
    created_at TEXT NOT NULL,
    retired_at TEXT
) STRICT;

-- ---------------------------------------------------------------------------
-- Files on their way out: a signed export is written under a temporary name,
-- recorded, then renamed. A row here says where such a file was going, so that
-- after a crash the next start finishes it (recorded) or removes it (not).
-- ---------------------------------------------------------------------------

CREATE TABLE pending_file (
    id         INTEGER PRIMARY KEY,
    partial    TEXT NOT NULL,                -- the temporary file, written first
    final      TEXT NOT NULL,                -- where it goes once its export is recorded
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    pid        INTEGER NOT NULL,             -- the process writing it
    recorded   INTEGER NOT NULL DEFAULT 0 CHECK (recorded IN (0, 1)),
    started_at TEXT NOT NULL
) STRICT;

-- ---------------------------------------------------------------------------
-- The audit trail: append-only
-- ---------------------------------------------------------------------------

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,         -- 1, 2, 3, ...: every record follows the last
    at         TEXT NOT NULL,
    worker     TEXT NOT NULL,               -- the link worker's name from settings
    os_user    TEXT NOT NULL,               -- the operating-system account
    action     TEXT NOT NULL CHECK (action IN
               ('create', 'update', 'delete', 'view', 'export', 'import', 'generate', 'migrate', 'backup', 'restore')),
    table_name TEXT NOT NULL,
    record_id  INTEGER,
    client_id  INTEGER,                     -- the person the record is about, if any
    summary    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),  -- the hash of the record before (64 zeros for the first)
    hash       TEXT NOT NULL CHECK (length(hash) = 64)        -- SHA-256 over prev_hash and this record (storage/audit.rs)
) STRICT;

CREATE INDEX audit_client ON audit_log(client_id, at);
CREATE INDEX audit_at ON audit_log(at);

CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: a record must follow the last one (id and prev_hash)')
    WHERE NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM audit_log)
       OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
                                        '0000000000000000000000000000000000000000000000000000000000000000');
    SELECT RAISE(ABORT, 'the audit log cannot go back in time: a record is dated before the one before it')
    WHERE NEW.at < (SELECT at FROM audit_log ORDER BY id DESC LIMIT 1);
    SELECT RAISE(ABORT, 'the audit log cannot be dated in the future')
    WHERE NEW.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+5 minutes');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its records cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its records cannot be deleted');
END;

-- ---------------------------------------------------------------------------
-- schema version 3: every referral that arrived, including those that joined
-- an episode already open (one person, one open episode)
-- ---------------------------------------------------------------------------

-- A referral as it came: the episode it opened or joined, what it said and when.
-- The episode's own row keeps the first referral's details; later ones that
-- joined it are kept here, shown with the day they came, and a CSV row already
-- taken in (same person, received day and reasons) is found here. reasons: the
-- codes it gave, sorted, ';' between; joined = 1: it joined an episode already open.
CREATE TABLE referral_intake (
    id            INTEGER PRIMARY KEY,
    referral_id   INTEGER NOT NULL REFERENCES referral(id),
    received_on   TEXT NOT NULL CHECK (date(received_on) IS received_on),
    reasons       TEXT NOT NULL,
    referrer_role TEXT NOT NULL CHECK (referrer_role IN
                  ('gp', 'nurse', 'pharmacist', 'practice_staff', 'self', 'vcso', 'hospital', 'other')),
    referrer_name TEXT,
    priority      TEXT NOT NULL CHECK (priority IN ('routine', 'soon', 'urgent')),
    notes         TEXT,
    joined        INTEGER NOT NULL CHECK (joined IN (0, 1)),
    created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX referral_intake_referral ON referral_intake(referral_id, received_on);

-- People with more than one open referral (from before one person had one open
-- episode) are looked for at every start: read from this index alone.
CREATE INDEX referral_open ON referral(status, client_id);

-- ---------------------------------------------------------------------------
-- The day's work (schema version 5): appointments, follow-ups, safeguarding
-- ---------------------------------------------------------------------------

-- An appointment in an episode. starts_at is UK wall-clock time (Europe/London),
-- 'YYYY-MM-DD HH:MM', as booked and as the person will turn up. Attended or
-- missed, it has its entry in the contacts log.
CREATE TABLE appointment (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referral(id),
    starts_at      TEXT NOT NULL CHECK (datetime(starts_at || ':00') IS starts_at || ':00'),
    minutes        INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    kind           TEXT NOT NULL CHECK (kind IN ('phone', 'face_to_face', 'video', 'home_visit', 'group')),
    place          TEXT,
    status         TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'attended', 'missed', 'cancelled')),
    contact_id     INTEGER REFERENCES contact(id),
    note           TEXT,
    link_worker_id INTEGER REFERENCES link_worker(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((status IN ('attended', 'missed')) = (contact_id IS NOT NULL))
) STRICT;

CREATE INDEX appointment_starts ON appointment(status, starts_at);
CREATE INDEX appointment_referral ON appointment(referral_id, status, starts_at);

-- Every follow-up date set in an episode, with its note; referral.follow_up_on
-- holds the current one (kept in the same transaction).
CREATE TABLE follow_up (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referral(id),
    due_on         TEXT NOT NULL CHECK (date(due_on) IS due_on),
    note           TEXT,
    link_worker_id INTEGER REFERENCES link_worker(id),
    created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX follow_up_referral ON follow_up(referral_id, id);

-- Safeguarding concerns: raised (when, what, who was told) and closed.
-- client.safeguarding is 1 while one is open (kept in the same transaction).
CREATE TABLE safeguarding_concern (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES client(id),
    raised_on   TEXT NOT NULL CHECK (date(raised_on) IS raised_on),
    note        TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    told        TEXT,
    raised_by   TEXT NOT NULL,
    closed_on   TEXT CHECK (closed_on IS NULL OR date(closed_on) IS closed_on),
    close_note  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE INDEX safeguarding_client ON safeguarding_concern(client_id, closed_on);
CREATE INDEX safeguarding_created ON safeguarding_concern(created_at);

-- Find anyone by phone number, typed with or without spaces.
CREATE INDEX client_phone ON client(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+44', '0'));

-- schema version 7
-- Each caseload list reads its first screen from an index in its own order,
-- whatever the number of clients (issue 18). To triage: most urgent, then
-- longest waiting; My caseload: booked and active, longest waiting first;
-- Closed: most recently closed first; All: newest first.
CREATE INDEX referral_triage ON referral(CASE priority WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, received_on)
    WHERE status IN ('new', 'contacting');
CREATE INDEX referral_mine ON referral(received_on) WHERE status IN ('booked', 'active');
CREATE INDEX referral_closed_list ON referral(closed_on) WHERE status = 'closed';
CREATE INDEX referral_received_on ON referral(received_on);
-- Open episodes by person, holding what the start-up check for people with two
-- open referrals and the summary's open caseload read (no table reads, no sort).
CREATE INDEX referral_open_client ON referral(client_id, status, first_contact_on, received_on) WHERE status <> 'closed';
-- A service's answers of the last four weeks, for the directory's demand
-- figures (read when the first frame is made): without table reads.
CREATE INDEX prescription_answered ON prescription(service_id, answered_at, sent_at);

-- The Waiting list: open referrals with a social prescription the service has
-- not answered (sent, acknowledged or no response). Kept by the triggers below
-- in the same statement as every change to a prescription or a referral, so the
-- list and its count cost what the list holds, not every open referral.
-- `linkwork check` and the tests compare it with the definition.
CREATE TABLE referral_waiting (
    referral_id INTEGER PRIMARY KEY,
    received_on TEXT NOT NULL
) STRICT;
CREATE INDEX referral_waiting_received ON referral_waiting(received_on);

CREATE TRIGGER referral_waiting_prescription_insert AFTER INSERT ON prescription BEGIN
    DELETE FROM referral_waiting WHERE referral_id = NEW.referral_id;
    INSERT INTO referral_waiting (referral_id, received_on)
        SELECT r.id, r.received_on FROM referral r WHERE r.id = NEW.referral_id AND r.status <> 'closed'
        AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                    AND p.state IN ('sent', 'acknowledged', 'no_response'));
END;
CREATE TRIGGER referral_waiting_prescription_update AFTER UPDATE OF state, referral_id ON prescription BEGIN
    DELETE FROM referral_waiting WHERE referral_id IN (OLD.referral_id, NEW.referral_id);
    INSERT INTO referral_waiting (referral_id, received_on)
        SELECT r.id, r.received_on FROM referral r WHERE r.id IN (OLD.referral_id, NEW.referral_id)
        AND r.status <> 'closed'
        AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                    AND p.state IN ('sent', 'acknowledged', 'no_response'));
END;
CREATE TRIGGER referral_waiting_prescription_delete AFTER DELETE ON prescription BEGIN
    DELETE FROM referral_waiting WHERE referral_id = OLD.referral_id;
    INSERT INTO referral_waiting (referral_id, received_on)
        SELECT r.id, r.received_on FROM referral r WHERE r.id = OLD.referral_id AND r.status <> 'closed'
        AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                    AND p.state IN ('sent', 'acknowledged', 'no_response'));
END;
CREATE TRIGGER referral_waiting_referral_update AFTER UPDATE OF status, received_on ON referral BEGIN
    DELETE FROM referral_waiting WHERE referral_id = NEW.id;
    INSERT INTO referral_waiting (referral_id, received_on)
        SELECT r.id, r.received_on FROM referral r WHERE r.id = NEW.id AND r.status <> 'closed'
        AND EXISTS (SELECT 1 FROM prescription p WHERE p.referral_id = r.id
                    AND p.state IN ('sent', 'acknowledged', 'no_response'));
END;
CREATE TRIGGER referral_waiting_referral_delete AFTER DELETE ON referral BEGIN
    DELETE FROM referral_waiting WHERE referral_id = OLD.id;
END;

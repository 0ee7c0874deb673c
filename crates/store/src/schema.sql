-- Watershed store schema (SQLite). Governance tables first, then the governed dataset.
-- Money and decimals are TEXT (exact decimal strings); dates are ISO TEXT.

CREATE TABLE IF NOT EXISTS runs (
    run_id        INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL,            -- running | succeeded | failed | up_to_date
    fingerprint   TEXT,                     -- hash of configuration + mapping tables
    summary       TEXT                      -- JSON: per-source conservation counts
);

CREATE TABLE IF NOT EXISTS inputs (
    input_id      INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    locator       TEXT NOT NULL,            -- file path relative to the project, or API pull id
    sha256        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES runs(run_id),
    entity        TEXT NOT NULL,
    encoding      TEXT,
    delimiter     TEXT,
    header_line   INTEGER,
    headers       TEXT NOT NULL,            -- JSON array of the header cells as received
    rows_read     INTEGER NOT NULL,
    UNIQUE (source, sha256)
);

CREATE TABLE IF NOT EXISTS raw_records (
    record_id     INTEGER PRIMARY KEY,
    input_id      INTEGER NOT NULL REFERENCES inputs(input_id),
    line          INTEGER NOT NULL,
    kind          TEXT NOT NULL,            -- row | error | skipped
    note          TEXT,                     -- parse error or skip reason
    values_json   TEXT NOT NULL             -- JSON array of the cells as received
);
CREATE INDEX IF NOT EXISTS raw_records_input ON raw_records(input_id);

-- record_lineage has a secondary index too (by golden id): DATASET_INDEXES in lib.rs.
-- The golden opportunities' source records. A row of any other entity is one source
-- record, kept with its record_id in the entity's table: that column is its lineage.
CREATE TABLE IF NOT EXISTS record_lineage (
    golden_id     TEXT NOT NULL,
    entity        TEXT NOT NULL,
    record_id     INTEGER NOT NULL REFERENCES raw_records(record_id),
    relation      TEXT NOT NULL,            -- survivor | version | link | duplicate
    tie           TEXT                      -- the key that tied a duplicate to the golden record
);

CREATE TABLE IF NOT EXISTS quarantine (
    record_id     INTEGER PRIMARY KEY REFERENCES raw_records(record_id),
    run_id        INTEGER NOT NULL,
    source        TEXT NOT NULL,
    locator       TEXT NOT NULL,
    line          INTEGER NOT NULL,
    field         TEXT,
    value         TEXT,
    reason        TEXT NOT NULL,
    suggestions   TEXT NOT NULL,            -- JSON array of {id, label, score}
    status        TEXT NOT NULL             -- open (recomputed every run: a fixed record leaves)
);

CREATE TABLE IF NOT EXISTS match_decisions (
    run_id        INTEGER NOT NULL,
    left_key      TEXT NOT NULL,            -- source:external id of one side
    right_key     TEXT NOT NULL,
    left_record   INTEGER NOT NULL,
    right_record  INTEGER NOT NULL,
    score         REAL NOT NULL,
    parts         TEXT NOT NULL,            -- the score's parts, e.g. "8.5 (customer +4.5, amount +3.5, …)"
    decision      TEXT NOT NULL             -- merged | review | human_merged | human_split | superseded | kept_apart (recomputed every run)
);

CREATE TABLE IF NOT EXISTS review_decisions (
    left_key      TEXT NOT NULL,
    right_key     TEXT NOT NULL,
    same          INTEGER NOT NULL,         -- 1: the same deal, 0: different deals
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (left_key, right_key)       -- a person's decision persists across runs and beats the score
);

CREATE TABLE IF NOT EXISTS audit_log (
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    object        TEXT NOT NULL,
    old_value     TEXT,
    new_value     TEXT
);

CREATE TABLE IF NOT EXISTS partners (
    partner_id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT, segment TEXT, region TEXT, partner_type TEXT,
    partner_manager TEXT, account_manager TEXT, start_date TEXT, contract_end_date TEXT, status TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
    product_id TEXT PRIMARY KEY, name TEXT NOT NULL, family TEXT
);

CREATE TABLE IF NOT EXISTS opportunities (
    opportunity_id TEXT PRIMARY KEY, name TEXT, customer_name TEXT NOT NULL, customer_country TEXT, region TEXT,
    industry TEXT, product_id TEXT, product_family TEXT, amount TEXT NOT NULL, amount_original TEXT NOT NULL,
    currency TEXT NOT NULL, stage TEXT NOT NULL, created_date TEXT, close_date TEXT NOT NULL,
    deal_registration_id TEXT, updated_at TEXT
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS opportunity_partners (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(opportunity_id),
    partner_id TEXT NOT NULL,
    role TEXT NOT NULL,
    split TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, partner_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS quality_violations (
    run_id        INTEGER NOT NULL,
    rule          TEXT NOT NULL,
    severity      TEXT NOT NULL,            -- error (the row is quarantined) | warn (flagged)
    source        TEXT NOT NULL,
    locator       TEXT NOT NULL,
    line          INTEGER,
    record_id     INTEGER,
    golden_id     TEXT,
    field         TEXT,
    message       TEXT NOT NULL
);

//! The store: the raw layer, the governance tables and the governed dataset, written one
//! run per transaction, on SQLite (the embedded default) or PostgreSQL.
//!
//! The store's logic is written once against [`Backend`], the small SQL surface both
//! databases offer; `tests/conformance.rs` runs the same suite on both. A run either
//! commits everything it computed or nothing: [`RunWriter`] holds the one writing
//! transaction, and dropping it without [`RunWriter::commit`] rolls back, so a crash or a
//! failed conservation check leaves the previous good state readable.

use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

pub mod backend;
pub mod postgres;
mod read;
pub mod sqlite;
mod writer;

pub use backend::{Backend, BackendKind, Cell, Param, RowSource};
use backend::{Row, query, query_opt};
pub use writer::{RAW_PART, RawRow, RunWriter, SharedRows, in_parts};

use watershed_model::{Cells, Entity, FieldKind, Opportunity, OpportunityPartner, Partner, PartnerRole, PartnerStatus, Stage};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("store: {0}")]
    Sqlite(rusqlite::Error),
    /// Another connection holds the SQLite store's write lock past the busy timeout.
    #[error(
        "store: the store is locked by another process writing it ({0})\n  help: a run holds the lock until it commits (a new store's first run keeps readers out too); try again when it has finished"
    )]
    Locked(rusqlite::Error),
    /// PostgreSQL reported an error.
    #[error("store (PostgreSQL): {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// An earlier write of this transaction failed (and was reported): nothing more of it
    /// can succeed; it must be rolled back.
    #[error("store: an earlier insert of this transaction failed (reported before); roll it back")]
    TransactionFailed,
    /// The store cannot be opened as configured.
    #[error("store: {0}")]
    Config(String),
    /// A column held another type than the store wrote there.
    #[error("store: column {column} of a result is not {expected} ({found})")]
    Type {
        /// Position in the result row.
        column: usize,
        /// What the store expected.
        expected: &'static str,
        /// What it found.
        found: String,
    },
    /// Rows refer to rows that do not exist (a bug: the transaction is rolled back).
    #[error(
        "store: {count} row(s) refer to rows that do not exist (first: {table} row {rowid} → {parent}); nothing was committed\n  help: this is a bug in Watershed; please report it with the output of `watershed status`"
    )]
    BrokenReference {
        /// The referring table of the first broken reference.
        table: String,
        /// Its row id.
        rowid: i64,
        /// The table it refers to.
        parent: String,
        /// How many rows refer to missing rows.
        count: usize,
    },
    /// A stored value could not be read back (the file was edited by hand?).
    #[error("store: corrupt value in {table}.{column}: `{value}`")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// The value.
        value: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if is_locked(&e) { StoreError::Locked(e) } else { StoreError::Sqlite(e) }
    }
}

/// Whether SQLite refused for a lock another connection holds.
pub(crate) fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// An input held by the raw layer, with its rows as received.
#[derive(Debug, Clone)]
pub struct StoredInput {
    /// Id (also its arrival order).
    pub input_id: i64,
    /// The source it came from.
    pub source: String,
    /// Path or pull id.
    pub locator: String,
    /// The run that first read it.
    pub run_id: i64,
    /// Header cells as received.
    pub headers: Vec<String>,
    /// Data rows: (record id, line, cells).
    pub rows: Vec<(i64, u64, Cells)>,
    /// Rows that could not be parsed: (record id, line, error, cells).
    pub errors: Vec<(i64, u64, String, Vec<String>)>,
}

/// A quarantined record to write.
#[derive(Debug, Clone)]
pub struct QuarantineEntry {
    /// The raw record.
    pub record_id: i64,
    /// Source name.
    pub source: String,
    /// Input path.
    pub locator: String,
    /// Line in the input.
    pub line: u64,
    /// Field at fault.
    pub field: Option<String>,
    /// Its value.
    pub value: Option<String>,
    /// Why.
    pub reason: String,
    /// JSON array of suggestions.
    pub suggestions_json: String,
}

/// A quarantined record as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantinedRow {
    /// The raw record.
    pub record_id: i64,
    /// Source name.
    pub source: String,
    /// Input path.
    pub locator: String,
    /// Line.
    pub line: u64,
    /// Field at fault.
    pub field: Option<String>,
    /// Its value.
    pub value: Option<String>,
    /// Why.
    pub reason: String,
    /// The row's cells as received.
    pub values: Vec<String>,
    /// The input's header cells.
    pub headers: Vec<String>,
    /// Suggestions: (id, label, score), best first.
    pub suggestions: Vec<(String, String, f64)>,
}

/// A row of `runs`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Id.
    pub run_id: i64,
    /// Start (UTC, ISO).
    pub started_at: String,
    /// Status.
    pub status: String,
    /// JSON summary.
    pub summary: Option<String>,
}

/// A source record behind a golden record.
#[derive(Debug, Clone, PartialEq)]
pub struct LineageRow {
    /// Source name.
    pub source: String,
    /// Input file or pull.
    pub locator: String,
    /// Line in the input.
    pub line: u64,
    /// survivor, version, link or duplicate.
    pub relation: String,
    /// The key that tied a duplicate.
    pub tie: Option<String>,
    /// The run that first read the input.
    pub run_id: i64,
    /// The raw record.
    pub record_id: i64,
    /// The input it belongs to.
    pub input_id: i64,
}

/// A data-quality rule violation to store.
#[derive(Debug, Clone, Copy)]
pub struct ViolationEntry<'a> {
    /// The rule.
    pub rule: &'a str,
    /// error or warn.
    pub severity: &'a str,
    /// Source name ("" for golden-level rules).
    pub source: &'a str,
    /// Input ("" for golden-level rules).
    pub locator: &'a str,
    /// Line in the input.
    pub line: Option<u64>,
    /// The raw record.
    pub record_id: Option<i64>,
    /// The golden record, for golden-level rules.
    pub golden_id: Option<&'a str>,
    /// The field at fault.
    pub field: Option<&'a str>,
    /// What is wrong.
    pub message: &'a str,
}

/// An audit-log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// When (UTC, ISO).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`run`, `map add`, `map accept`, `quarantine export`, …).
    pub action: String,
    /// On what.
    pub object: String,
    /// Old value.
    pub old_value: Option<String>,
    /// New value.
    pub new_value: Option<String>,
}

/// One `partner_kpis` row: every catalog metric of a partner for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRecord {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter (`FY2026-Q3`).
    pub period: String,
    /// The as-of date used.
    pub as_of: String,
    /// One value per metric column (decimal text), None for null.
    pub values: Vec<Option<String>>,
    /// The health level.
    pub health_level: String,
}

/// One `health_scores` row: the score with the points of each component.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthRecord {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: String,
    /// The score (None below 50 % coverage).
    pub score: Option<String>,
    /// The level.
    pub level: String,
    /// Sum of the weights present.
    pub coverage_pct: String,
    /// (component, points) for revenue, pipeline, engagement, satisfaction, velocity.
    pub points: Vec<(String, Option<String>)>,
    /// Every component with its inputs and ratios, as JSON, so a QBR can show why.
    pub components_json: String,
}

/// One `alerts` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: String,
    /// The rule that fired.
    pub rule: String,
    /// high, medium or low.
    pub severity: String,
    /// The numbers that triggered it.
    pub message: String,
    /// The recommended action.
    pub action: String,
}

/// One `tier_status` row.
#[derive(Debug, Clone, PartialEq)]
pub struct TierRecord {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: String,
    /// Tier in the master data.
    pub recorded_tier: Option<String>,
    /// Tier the partner qualifies for.
    pub qualified_tier: Option<String>,
    /// The tier above.
    pub next_tier: Option<String>,
    /// The gap in words.
    pub gap_text: String,
    /// Recorded and qualified tier differ.
    pub mismatch: bool,
}

/// The persisted `partner_kpis` rows of a period, as the last run computed them.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKpis {
    /// The metric columns, in table order.
    pub columns: Vec<String>,
    /// One row per partner, by partner id.
    pub rows: Vec<StoredKpiRow>,
}

/// One persisted `partner_kpis` row.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKpiRow {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: String,
    /// The as-of date the run used.
    pub as_of: String,
    /// One value per metric column.
    pub values: Vec<Option<Decimal>>,
    /// The health level.
    pub health_level: Option<String>,
}

/// A raw record with its provenance: (source, file, line, the input's headers, cells).
pub type RawRecordView = (String, String, u64, Vec<String>, Vec<String>);

/// A stored matching decision: (left key, right key, left record, right record,
/// score, parts, decision).
pub type StoredMatch = (String, String, i64, i64, f64, String, String);

/// Where an opportunity record ended: (golden id, record id, source, file, line).
pub type Placement = (String, i64, String, String, u64);

/// A source's freshness: (source, inputs held, last new input at, rows read).
pub type SourceFreshness = (String, i64, Option<String>, i64);

/// The store: one [`Backend`] and the store's logic over it.
pub struct Store {
    db: Box<dyn Backend>,
}

const SCHEMA: &str = include_str!("schema.sql");

/// DDL written for SQLite, in the types PostgreSQL names differently. The dataset's
/// keyed tables are `WITHOUT ROWID` on SQLite: the rows live in their primary key's
/// B-tree instead of a rowid table plus a second tree for the key (one insert per row,
/// not two).
fn dialect_ddl(kind: BackendKind, sql: &str) -> String {
    match kind {
        BackendKind::Sqlite => sql.to_string(),
        // Byte order for text, as SQLite's: both backends sort ids the same way.
        BackendKind::Postgres => sql
            .replace(" WITHOUT ROWID", "")
            .replace(" INTEGER", " BIGINT")
            .replace(" REAL", " DOUBLE PRECISION")
            .replace(" TEXT", " TEXT COLLATE \"C\""),
    }
}

fn entity_table_sql(entity: Entity) -> String {
    let columns: Vec<String> = entity
        .fields()
        .iter()
        .map(|f| {
            let ty = match f.kind {
                FieldKind::Integer | FieldKind::Bool => "INTEGER",
                _ => "TEXT",
            };
            format!("{} {ty}", f.name)
        })
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({}, record_id INTEGER NOT NULL REFERENCES raw_records(record_id));",
        entity.name(),
        columns.join(", ")
    )
}

/// The secondary indexes of the rebuilt dataset tables. On SQLite a run drops them before
/// it rewrites the dataset and builds them again before it commits: building an index
/// from a full table is several times faster than growing it row by row. (PostgreSQL
/// keeps them: dropping one would lock readers out for the whole run.) Only what the
/// store is asked needs one: lineage by golden id (`explain`). A record's golden id is
/// never asked for, nor a partner's links (the metrics read every link in key order; BI
/// tools read the reporting schema `publish` builds), and raw records and opportunities
/// are never deleted row by row, so their references need no index either.
pub(crate) const DATASET_INDEXES: &str = "CREATE INDEX IF NOT EXISTS record_lineage_golden ON record_lineage(golden_id);";

/// The dataset tables that reference another table. With foreign keys on, SQLite empties
/// such a table row by row (checking each row and keeping every index up to date: 24 s
/// for a 1M program's 2.6M lineage rows); a run on SQLite drops and re-creates them from
/// the schema instead (1.2 s), children before the parent they reference.
pub(crate) const DATASET_CHILD_TABLES: [&str; 3] = ["opportunity_partners", "record_lineage", "quarantine"];

/// The `CREATE TABLE` statement of `table` in the store's schema (SQLite dialect).
pub(crate) fn schema_table(table: &str) -> Option<&'static str> {
    let start = SCHEMA.find(&format!("CREATE TABLE IF NOT EXISTS {table} ("))?;
    // The `;` that ends a line (also in a checkout with CRLF line ends).
    let rest = &SCHEMA[start..];
    let (end, _) = rest.match_indices(';').find(|(i, _)| matches!(rest.as_bytes().get(i + 1), Some(b'\n' | b'\r')))?;
    Some(&rest[..=end])
}

/// The version of the store's tables; a store holding another one is set up again
/// (`CREATE … IF NOT EXISTS`, then [`SCHEMA_CHANGES`]) when opened.
const STORE_SCHEMA_VERSION: i64 = 2;

/// What a store set up by an earlier version loses: 2 dropped two indexes no query used,
/// lineage by record id and links by partner (1.1 s of every 1M run, at its end). The
/// first command to open an older store does it, once; on PostgreSQL it waits for a
/// running run, and readers wait for it, as for any schema change. (An older binary
/// opening the store afterwards builds them again and writes its version back.)
const SCHEMA_CHANGES: &str = "DROP INDEX IF EXISTS record_lineage_record; DROP INDEX IF EXISTS opportunity_partners_partner;";

/// The store's own tables (the scorecard tables appear with the first run).
const TABLES: [&str; 16] = [
    "runs",
    "inputs",
    "raw_records",
    "record_lineage",
    "quarantine",
    "opportunities",
    "opportunity_partners",
    "partners",
    "products",
    "match_decisions",
    "audit_log",
    "quality_violations",
    "partner_kpis",
    "health_scores",
    "alerts",
    "tier_status",
];

impl Store {
    /// Opens (creating if needed) the SQLite store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::on(Box::new(sqlite::SqliteBackend::open(path)?))
    }

    /// Connects to the PostgreSQL store in schema `schema` of the database at `url`
    /// (the schema and its tables are created if missing).
    pub fn connect_postgres(url: &str, schema: &str) -> Result<Store> {
        Store::on(Box::new(postgres::PostgresBackend::connect(url, schema)?))
    }

    /// A store on `db`, its tables created if missing.
    pub fn on(db: Box<dyn Backend>) -> Result<Store> {
        let kind = db.kind();
        // Set up once per schema version: even a no-op CREATE INDEX IF NOT EXISTS takes a
        // lock that would make every reader wait for a running run.
        if db.has_table("store_meta")?
            && query_opt(&*db, "SELECT version FROM store_meta", &[], |r| r.int(0))? == Some(STORE_SCHEMA_VERSION)
        {
            return Ok(Store { db });
        }
        let mut ddl = SCHEMA.to_string();
        for entity in Entity::ALL.iter().filter(|e| **e != Entity::Opportunities) {
            ddl.push_str(&entity_table_sql(*entity));
        }
        ddl.push_str(DATASET_INDEXES);
        ddl.push_str(SCHEMA_CHANGES);
        ddl.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS store_meta (version INTEGER NOT NULL); DELETE FROM store_meta; INSERT INTO store_meta VALUES ({STORE_SCHEMA_VERSION});"
        ));
        let mut ddl = dialect_ddl(kind, &ddl);
        if kind == BackendKind::Postgres {
            // PostgreSQL tables have no rowid: the audit log keeps its order in `seq`.
            ddl.push_str("ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS seq BIGSERIAL;");
        }
        in_write_transaction(&*db, || db.batch(&ddl))?;
        Ok(Store { db })
    }

    /// Which database holds this store.
    pub fn kind(&self) -> BackendKind {
        self.db.kind()
    }

    /// Every (source, content hash) the raw layer holds: what a run checks its files
    /// against, read once instead of asked for each file.
    pub fn input_hashes(&self) -> Result<std::collections::HashSet<(String, String)>> {
        Ok(query(&*self.db, "SELECT source, sha256 FROM inputs", &[], |r| Ok((r.text(0)?, r.text(1)?)))?.into_iter().collect())
    }

    /// The fingerprint of the last run that changed the dataset.
    pub fn last_fingerprint(&self) -> Result<Option<String>> {
        Ok(query_opt(&*self.db, "SELECT fingerprint FROM runs WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1", &[], |r| {
            r.opt_text(0)
        })?
        .flatten())
    }

    /// Every stored input with its data rows, in arrival order.
    pub fn load_inputs(&self) -> Result<Vec<StoredInput>> {
        self.load_inputs_filtered(None)
    }

    /// One stored input with its rows.
    pub fn load_input(&self, input_id: i64) -> Result<Option<StoredInput>> {
        Ok(self.load_inputs_filtered(Some(input_id))?.pop())
    }

    fn load_inputs_filtered(&self, only: Option<i64>) -> Result<Vec<StoredInput>> {
        let db = &*self.db;
        // The records in record id order: a scan of the table (by input id, SQLite would
        // look every row up through the input index). An input's records are in that
        // order, whatever the order of the inputs.
        let (inputs_sql, records_sql, params): (&str, &str, Vec<Param>) = match only {
            None => (
                "SELECT input_id, source, locator, run_id, headers FROM inputs ORDER BY input_id",
                "SELECT input_id, record_id, line, values_json, kind, note FROM raw_records WHERE kind <> 'skipped' ORDER BY record_id",
                vec![],
            ),
            Some(id) => (
                "SELECT input_id, source, locator, run_id, headers FROM inputs WHERE input_id = ?1",
                "SELECT input_id, record_id, line, values_json, kind, note FROM raw_records WHERE kind <> 'skipped' AND input_id = ?1 ORDER BY record_id",
                vec![Param::Int(id)],
            ),
        };
        let mut inputs = query(db, inputs_sql, &params, |r| {
            Ok(StoredInput {
                input_id: r.int(0)?,
                source: r.text(1)?,
                locator: r.text(2)?,
                run_id: r.int(3)?,
                headers: parse_json_cells("inputs", "headers", &r.text(4)?)?,
                rows: Vec::new(),
                errors: Vec::new(),
            })
        })?;
        let position: std::collections::HashMap<i64, usize> = inputs.iter().enumerate().map(|(i, input)| (input.input_id, i)).collect();
        db.for_each(records_sql, &params, &mut |cells| {
            let r = Row { cells };
            if let Some(&index) = position.get(&r.int(0)?) {
                let input = &mut inputs[index];
                let (record_id, line) = (r.int(1)?, r.int(2)? as u64);
                let json = r.str(3)?;
                if r.str(4)? == "row" {
                    input.rows.push((record_id, line, parse_json_row(json)?));
                } else {
                    let values = parse_json_cells("raw_records", "values_json", json)?;
                    input.errors.push((record_id, line, r.opt_text(5)?.unwrap_or_default(), values));
                }
            }
            Ok(())
        })?;
        Ok(inputs)
    }

    /// Starts a run: the one writing transaction, which [`RunWriter::commit`] makes
    /// durable (another run waits for it).
    pub fn begin_run(&mut self, started_at: &str) -> Result<RunWriter<'_>> {
        RunWriter::begin(&*self.db, started_at)
    }

    /// Adds a finished run that wrote nothing else; returns its id.
    fn insert_finished_run(
        &self,
        started_at: &str,
        finished_at: &str,
        status: &str,
        fingerprint: Option<&str>,
        summary: Option<&str>,
    ) -> Result<i64> {
        // Under the write lock, like a run: two processes never take the same id.
        in_write_transaction(&*self.db, || {
            query_opt(
                &*self.db,
                "INSERT INTO runs (run_id, started_at, finished_at, status, fingerprint, summary)
                 SELECT COALESCE(MAX(run_id), 0) + 1, ?1, ?2, ?3, ?4, ?5 FROM runs RETURNING run_id",
                &[started_at.into(), finished_at.into(), status.into(), fingerprint.into(), summary.into()],
                |r| r.int(0),
            )?
            .ok_or_else(|| StoreError::Config("the database returned no run id".into()))
        })
    }

    /// Records a run that found nothing to do (inputs and mappings unchanged).
    pub fn record_up_to_date(&self, started_at: &str, finished_at: &str, fingerprint: &str) -> Result<i64> {
        self.insert_finished_run(started_at, finished_at, "up_to_date", Some(fingerprint), None)
    }

    /// Records a run that failed and committed nothing, with the reason.
    pub fn record_failed(&self, started_at: &str, finished_at: &str, reason: &str) -> Result<i64> {
        let summary = serde_json::json!({ "error": reason }).to_string();
        self.insert_finished_run(started_at, finished_at, "failed", None, Some(&summary))
    }

    /// The most recent runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunRow>> {
        query(
            &*self.db,
            "SELECT run_id, started_at, status, summary FROM runs ORDER BY run_id DESC LIMIT ?1",
            &[Param::Int(i64::try_from(limit).unwrap_or(i64::MAX))],
            |r| Ok(RunRow { run_id: r.int(0)?, started_at: r.text(1)?, status: r.text(2)?, summary: r.opt_text(3)? }),
        )
    }

    /// Partner master data as last written.
    pub fn partners(&self) -> Result<Vec<Partner>> {
        partners_of(&*self.db)
    }

    /// Every golden opportunity.
    pub fn opportunities(&self) -> Result<Vec<Opportunity>> {
        opportunities_of(&*self.db)
    }

    /// Every partner link.
    pub fn opportunity_partners(&self) -> Result<Vec<OpportunityPartner>> {
        links_of(&*self.db)
    }

    /// Rows of a non-opportunity entity, as text cells in [`Entity::fields`] order.
    pub fn entity_rows(&self, entity: Entity) -> Result<Vec<Vec<Option<String>>>> {
        let rows = read::entity_rows(&*self.db, entity)?;
        Ok(rows.into_iter().map(|row| row.into_iter().map(|cell| cell.map(String::from)).collect()).collect())
    }

    /// The whole governed dataset, typed.
    pub fn dataset(&self) -> Result<watershed_model::Dataset> {
        read::dataset(&*self.db)
    }

    /// Every quarantined record with its raw cells, its input's headers and suggestions.
    pub fn quarantine(&self) -> Result<Vec<QuarantinedRow>> {
        query(
            &*self.db,
            "SELECT q.record_id, q.source, q.locator, q.line, q.field, q.value, q.reason, r.values_json, i.headers, q.suggestions
             FROM quarantine q JOIN raw_records r ON r.record_id = q.record_id JOIN inputs i ON i.input_id = r.input_id ORDER BY q.source, q.locator, q.line",
            &[],
            |r| {
                let parsed: Vec<serde_json::Value> = serde_json::from_str(&r.text(9)?).unwrap_or_default();
                Ok(QuarantinedRow {
                    record_id: r.int(0)?,
                    source: r.text(1)?,
                    locator: r.text(2)?,
                    line: r.int(3)? as u64,
                    field: r.opt_text(4)?,
                    value: r.opt_text(5)?,
                    reason: r.text(6)?,
                    values: parse_json_cells("raw_records", "values_json", &r.text(7)?)?,
                    headers: parse_json_cells("inputs", "headers", &r.text(8)?)?,
                    suggestions: parsed
                        .iter()
                        .map(|v| {
                            (
                                v["id"].as_str().unwrap_or("").to_string(),
                                v["label"].as_str().unwrap_or("").to_string(),
                                v["score"].as_f64().unwrap_or(0.0),
                            )
                        })
                        .collect(),
                })
            },
        )
    }

    /// Where a raw record came from and its cells: (source, file, line, headers, cells).
    pub fn record(&self, record_id: i64) -> Result<Option<RawRecordView>> {
        query_opt(
            &*self.db,
            "SELECT i.source, i.locator, r.line, i.headers, r.values_json FROM raw_records r JOIN inputs i ON i.input_id = r.input_id WHERE r.record_id = ?1",
            &[Param::Int(record_id)],
            |r| {
                Ok((
                    r.text(0)?,
                    r.text(1)?,
                    r.int(2)? as u64,
                    parse_json_cells("inputs", "headers", &r.text(3)?)?,
                    parse_json_cells("raw_records", "values_json", &r.text(4)?)?,
                ))
            },
        )
    }

    /// The source row of a partner's target for a period (the last loaded wins): (file, line).
    pub fn target_source(&self, partner_id: &str, period: &str) -> Result<Option<(String, u64)>> {
        query_opt(
            &*self.db,
            "SELECT i.locator, r.line FROM targets t JOIN raw_records r ON r.record_id = t.record_id JOIN inputs i ON i.input_id = r.input_id
             WHERE t.partner_id = ?1 AND t.period = ?2 ORDER BY t.record_id DESC LIMIT 1",
            &[partner_id.into(), period.into()],
            |r| Ok((r.text(0)?, r.int(1)? as u64)),
        )
    }

    /// People's match decisions: (left key, right key, same deal).
    pub fn review_decisions(&self) -> Result<Vec<(String, String, bool)>> {
        query(&*self.db, "SELECT left_key, right_key, same FROM review_decisions ORDER BY left_key, right_key", &[], |r| {
            Ok((r.text(0)?, r.text(1)?, r.int(2)? != 0))
        })
    }

    /// Records a person's decision on a pair (replacing an earlier one).
    pub fn set_review_decision(&self, left_key: &str, right_key: &str, same: bool, actor: &str, at: &str) -> Result<()> {
        let (a, b) = if left_key <= right_key { (left_key, right_key) } else { (right_key, left_key) };
        self.db.execute(
            "INSERT INTO review_decisions (left_key, right_key, same, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (left_key, right_key) DO UPDATE SET same = excluded.same, actor = excluded.actor, at = excluded.at",
            &[a.into(), b.into(), same.into(), actor.into(), at.into()],
        )?;
        Ok(())
    }

    /// The scored-matching decisions of the dataset: (left key, right key, left record,
    /// right record, score, parts, decision), best score first.
    pub fn match_decisions(&self) -> Result<Vec<StoredMatch>> {
        query(
            &*self.db,
            "SELECT left_key, right_key, left_record, right_record, score, parts, decision FROM match_decisions ORDER BY score DESC, left_key, right_key",
            &[],
            |r| Ok((r.text(0)?, r.text(1)?, r.int(2)?, r.int(3)?, r.real(4)?, r.text(5)?, r.text(6)?)),
        )
    }

    /// Appends to the audit log (append-only: there is no update or delete).
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        insert_audit(&*self.db, entry)
    }

    /// The audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let sql = match self.db.kind() {
            BackendKind::Sqlite => "SELECT at, actor, action, object, old_value, new_value FROM audit_log ORDER BY rowid DESC LIMIT ?1",
            BackendKind::Postgres => "SELECT at, actor, action, object, old_value, new_value FROM audit_log ORDER BY seq DESC LIMIT ?1",
        };
        query(&*self.db, sql, &[Param::Int(i64::try_from(limit).unwrap_or(i64::MAX))], |r| {
            Ok(AuditEntry {
                at: r.text(0)?,
                actor: r.text(1)?,
                action: r.text(2)?,
                object: r.text(3)?,
                old_value: r.opt_text(4)?,
                new_value: r.opt_text(5)?,
            })
        })
    }

    /// Violations by (rule, severity) in the current dataset.
    pub fn violation_counts(&self) -> Result<Vec<(String, String, i64)>> {
        query(
            &*self.db,
            "SELECT rule, severity, COUNT(*) FROM quality_violations GROUP BY rule, severity ORDER BY rule, severity",
            &[],
            |r| Ok((r.text(0)?, r.text(1)?, r.int(2)?)),
        )
    }

    /// Per source: inputs held, last time a new input arrived (UTC), rows read.
    pub fn source_freshness(&self) -> Result<Vec<SourceFreshness>> {
        query(
            &*self.db,
            "SELECT i.source, COUNT(*), MAX(r.started_at), CAST(SUM(i.rows_read) AS BIGINT) FROM inputs i JOIN runs r ON r.run_id = i.run_id GROUP BY i.source ORDER BY i.source",
            &[],
            |r| Ok((r.text(0)?, r.int(1)?, r.opt_text(2)?, r.int(3)?)),
        )
    }

    /// Whether table `name` exists (the scorecard tables appear with the first run).
    pub fn has_table(&self, name: &str) -> Result<bool> {
        self.db.has_table(name)
    }

    /// The source records behind golden record `golden_id`: source, file, line,
    /// relation, tie and the run that first read them; survivor first.
    pub fn lineage(&self, golden_id: &str) -> Result<Vec<LineageRow>> {
        query(
            &*self.db,
            "SELECT i.source, i.locator, r.line, l.relation, l.tie, i.run_id, r.record_id, i.input_id FROM record_lineage l
             JOIN raw_records r ON r.record_id = l.record_id JOIN inputs i ON i.input_id = r.input_id
             WHERE l.golden_id = ?1 ORDER BY CASE l.relation WHEN 'survivor' THEN 0 ELSE 1 END, r.record_id",
            &[golden_id.into()],
            |r| {
                Ok(LineageRow {
                    source: r.text(0)?,
                    locator: r.text(1)?,
                    line: r.int(2)? as u64,
                    relation: r.text(3)?,
                    tie: r.opt_text(4)?,
                    run_id: r.int(5)?,
                    record_id: r.int(6)?,
                    input_id: r.int(7)?,
                })
            },
        )
    }

    /// Where every opportunity record of the dataset ended: (golden id, record id,
    /// source, file, line), in record order — what the resolution benchmark compares
    /// with the ground truth.
    pub fn opportunity_placements(&self) -> Result<Vec<Placement>> {
        query(
            &*self.db,
            "SELECT l.golden_id, r.record_id, i.source, i.locator, r.line FROM record_lineage l
             JOIN raw_records r ON r.record_id = l.record_id JOIN inputs i ON i.input_id = r.input_id
             WHERE l.entity = 'opportunities' ORDER BY r.record_id",
            &[],
            |r| Ok((r.text(0)?, r.int(1)?, r.text(2)?, r.text(3)?, r.int(4)? as u64)),
        )
    }

    /// The persisted `partner_kpis` rows of `period` (every period when `None`), by
    /// partner; empty before the first run. What `watershed kpis` serves without
    /// recomputing when the as-of date matches.
    pub fn partner_kpis(&self, period: Option<&str>) -> Result<StoredKpis> {
        let all = self.db.columns("partner_kpis")?;
        let fixed = ["partner_id", "period", "as_of", "health_level"];
        let columns: Vec<String> = all.into_iter().filter(|c| !fixed.contains(&c.as_str())).collect();
        if columns.is_empty() {
            return Ok(StoredKpis { columns, rows: Vec::new() });
        }
        let selected: Vec<String> = columns.iter().map(|c| format!("CAST({c} AS TEXT)")).collect();
        let sql = format!(
            "SELECT partner_id, period, as_of, health_level, {} FROM partner_kpis WHERE CAST(?1 AS TEXT) IS NULL OR period = CAST(?1 AS TEXT) ORDER BY period, partner_id",
            selected.join(", ")
        );
        let rows = query(&*self.db, &sql, &[period.into()], |r| {
            let values = (0..columns.len())
                .map(|i| r.opt_text(4 + i)?.map(|t| decimal("partner_kpis", "value", &t)).transpose())
                .collect::<Result<Vec<_>>>()?;
            Ok(StoredKpiRow { partner_id: r.text(0)?, period: r.text(1)?, as_of: r.text(2)?, values, health_level: r.opt_text(3)? })
        })?;
        Ok(StoredKpis { columns, rows })
    }

    /// Row count of a table of the store (for status and tests).
    pub fn count(&self, table: &str) -> Result<i64> {
        let allowed = TABLES.contains(&table) || Entity::ALL.iter().any(|e| e.name() == table);
        if !allowed {
            return Err(StoreError::Corrupt { table: "tables", column: "name", value: table.to_string() });
        }
        query_opt(&*self.db, &format!("SELECT COUNT(*) FROM {table}"), &[], |r| r.int(0)).map(|n| n.unwrap_or(0))
    }
}

/// Partner master data as last written.
pub(crate) fn partners_of(db: &dyn Backend) -> Result<Vec<Partner>> {
    query(
        db,
        "SELECT partner_id, name, tier, segment, region, partner_type, partner_manager, account_manager, start_date, contract_end_date, status FROM partners ORDER BY partner_id",
        &[],
        |r| {
            Ok(Partner {
                partner_id: r.text(0)?,
                name: r.text(1)?,
                tier: r.opt_text(2)?,
                segment: r.opt_text(3)?,
                region: r.opt_text(4)?,
                partner_type: r.opt_text(5)?,
                partner_manager: r.opt_text(6)?,
                account_manager: r.opt_text(7)?,
                start_date: r.opt_text(8)?.and_then(|s| read::stored_date(&s)),
                contract_end_date: r.opt_text(9)?.and_then(|s| read::stored_date(&s)),
                status: PartnerStatus::parse(&r.text(10)?).unwrap_or(PartnerStatus::Active),
            })
        },
    )
}

/// Every golden opportunity.
pub(crate) fn opportunities_of(db: &dyn Backend) -> Result<Vec<Opportunity>> {
    query(
        db,
        "SELECT opportunity_id, name, customer_name, customer_country, region, industry, product_id, product_family, amount, amount_original, currency, stage, created_date, close_date, deal_registration_id, updated_at FROM opportunities ORDER BY opportunity_id",
        &[],
        |r| {
            let stage_text = r.text(11)?;
            let close_text = r.text(13)?;
            Ok(Opportunity {
                opportunity_id: r.text(0)?.into(),
                name: r.opt_text(1)?.map(Into::into),
                customer_name: r.text(2)?.into(),
                customer_country: r.opt_text(3)?.map(Into::into),
                region: r.opt_text(4)?.map(Into::into),
                industry: r.opt_text(5)?.map(Into::into),
                product_id: r.opt_text(6)?.map(Into::into),
                product_family: r.opt_text(7)?.map(Into::into),
                amount: decimal("opportunities", "amount", &r.text(8)?)?,
                amount_original: decimal("opportunities", "amount_original", &r.text(9)?)?,
                currency: r.text(10)?.into(),
                stage: Stage::from_str(&stage_text).map_err(|_| StoreError::Corrupt {
                    table: "opportunities",
                    column: "stage",
                    value: stage_text.clone(),
                })?,
                created_date: r.opt_text(12)?.and_then(|s| read::stored_date(&s)),
                close_date: read::stored_date(&close_text).ok_or_else(|| StoreError::Corrupt {
                    table: "opportunities",
                    column: "close_date",
                    value: close_text.clone(),
                })?,
                deal_registration_id: r.opt_text(14)?.map(Into::into),
                updated_at: r.opt_text(15)?.and_then(|s| read::stored_datetime(&s)),
            })
        },
    )
}

/// Every partner link.
pub(crate) fn links_of(db: &dyn Backend) -> Result<Vec<OpportunityPartner>> {
    query(db, "SELECT opportunity_id, partner_id, role, split FROM opportunity_partners ORDER BY opportunity_id, partner_id", &[], |r| {
        let role = r.text(2)?;
        Ok(OpportunityPartner {
            opportunity_id: r.text(0)?.into(),
            partner_id: r.text(1)?.into(),
            role: PartnerRole::from_str(&role).map_err(|_| StoreError::Corrupt {
                table: "opportunity_partners",
                column: "role",
                value: role.clone(),
            })?,
            split: decimal("opportunity_partners", "split", &r.text(3)?)?,
        })
    })
}

/// Runs `work` in the one writing transaction: committed when it succeeds, rolled back
/// when it or the commit fails.
fn in_write_transaction<T>(db: &dyn Backend, work: impl FnOnce() -> Result<T>) -> Result<T> {
    db.begin_write()?;
    match work().and_then(|value| db.commit().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}

pub(crate) fn insert_audit(db: &dyn Backend, e: &AuditEntry) -> Result<()> {
    db.execute(
        "INSERT INTO audit_log (at, actor, action, object, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[(&e.at).into(), (&e.actor).into(), (&e.action).into(), (&e.object).into(), (&e.old_value).into(), (&e.new_value).into()],
    )?;
    Ok(())
}

pub(crate) fn decimal(table: &'static str, column: &'static str, text: &str) -> Result<Decimal> {
    Decimal::from_str(text).map_err(|_| StoreError::Corrupt { table, column, value: text.to_string() })
}

/// A raw row's cells from its JSON array: straight into [`Cells`] when no cell has an
/// escape (the common case: no `String` per cell), through [`parse_json_cells`] otherwise.
fn parse_json_row(json: &str) -> Result<Cells> {
    match serde_json::from_str::<Vec<&str>>(json) {
        Ok(cells) => Ok(Cells::new(cells)),
        Err(_) => parse_json_cells("raw_records", "values_json", json).map(Cells::from),
    }
}

pub(crate) fn parse_json_cells(table: &'static str, column: &'static str, json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt { table, column, value: json.chars().take(80).collect() })
}

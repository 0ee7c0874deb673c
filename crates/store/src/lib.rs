//! The embedded store (SQLite): the raw layer, the governance tables and the governed
//! dataset, written one run per transaction.
//!
//! A run either commits everything it computed or nothing: [`RunWriter`] wraps one
//! SQLite transaction, and dropping it without [`RunWriter::commit`] rolls back, so a
//! crash or a failed conservation check leaves the previous good state readable.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
pub mod read;

use watershed_model::{Entity, FieldKind, Opportunity, OpportunityPartner, Partner, PartnerRole, PartnerStatus, Stage, Value};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
    pub rows: Vec<(i64, u64, Vec<String>)>,
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
    /// survivor, version, link, duplicate or loaded.
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

/// A raw record with its provenance: (source, file, line, the input's headers, cells).
pub type RawRecordView = (String, String, u64, Vec<String>, Vec<String>);

/// A stored matching decision: (left key, right key, left record, right record,
/// score, parts, decision).
pub type StoredMatch = (String, String, i64, i64, f64, String, String);

/// Where an opportunity record ended: (golden id, record id, source, file, line).
pub type Placement = (String, i64, String, String, u64);

/// A source's freshness: (source, inputs held, last new input at, rows read).
pub type SourceFreshness = (String, i64, Option<String>, i64);

/// The store.
pub struct Store {
    conn: Connection,
}

const SCHEMA: &str = include_str!("schema.sql");

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

impl Store {
    /// Opens (creating if needed) the SQLite store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")?;
        conn.execute_batch(SCHEMA)?;
        for entity in Entity::ALL.iter().filter(|e| **e != Entity::Opportunities) {
            conn.execute_batch(&entity_table_sql(*entity))?;
        }
        Ok(Store { conn })
    }

    /// The underlying connection, for read-only reports.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Whether the raw layer holds an input of `source` with this content hash.
    pub fn has_input(&self, source: &str, sha256: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM inputs WHERE source = ?1 AND sha256 = ?2", params![source, sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The fingerprint of the last run that changed the dataset.
    pub fn last_fingerprint(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT fingerprint FROM runs WHERE status = 'succeeded' ORDER BY run_id DESC LIMIT 1", [], |r| r.get(0))
            .optional()?
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
        let mut inputs = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT input_id, source, locator, run_id, headers FROM inputs WHERE ?1 IS NULL OR input_id = ?1 ORDER BY input_id")?;
        let rows = stmt.query_map([only], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, String>(4)?))
        })?;
        for row in rows {
            let (input_id, source, locator, run_id, headers) = row?;
            inputs.push(StoredInput {
                input_id,
                source,
                locator,
                run_id,
                headers: parse_json_cells("inputs", "headers", &headers)?,
                rows: Vec::new(),
                errors: Vec::new(),
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT input_id, record_id, line, values_json, kind, note FROM raw_records WHERE kind <> 'skipped' AND (?1 IS NULL OR input_id = ?1) ORDER BY input_id, record_id",
        )?;
        let rows = stmt.query_map([only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut index = 0;
        for row in rows {
            let (input_id, record_id, line, json, kind, note) = row?;
            while index < inputs.len() && inputs[index].input_id != input_id {
                index += 1;
            }
            if let Some(input) = inputs.get_mut(index) {
                let cells = parse_json_cells("raw_records", "values_json", &json)?;
                if kind == "row" {
                    input.rows.push((record_id, line as u64, cells));
                } else {
                    input.errors.push((record_id, line as u64, note.unwrap_or_default(), cells));
                }
            }
        }
        Ok(inputs)
    }

    /// Starts a run: one transaction that [`RunWriter::commit`] makes durable.
    pub fn begin_run(&mut self, started_at: &str) -> Result<RunWriter<'_>> {
        let tx = self.conn.transaction()?;
        tx.execute("INSERT INTO runs (started_at, status) VALUES (?1, 'running')", params![started_at])?;
        let run_id = tx.last_insert_rowid();
        Ok(RunWriter { tx, run_id })
    }

    /// Records a run that found nothing to do (inputs and mappings unchanged).
    pub fn record_up_to_date(&self, started_at: &str, finished_at: &str, fingerprint: &str) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO runs (started_at, finished_at, status, fingerprint, summary) VALUES (?1, ?2, 'up_to_date', ?3, NULL)",
            params![started_at, finished_at, fingerprint],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records a run that failed and committed nothing, with the reason.
    pub fn record_failed(&self, started_at: &str, finished_at: &str, reason: &str) -> Result<i64> {
        let summary = serde_json::json!({ "error": reason }).to_string();
        self.conn.execute(
            "INSERT INTO runs (started_at, finished_at, status, fingerprint, summary) VALUES (?1, ?2, 'failed', NULL, ?3)",
            params![started_at, finished_at, summary],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The most recent runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunRow>> {
        let mut stmt = self.conn.prepare("SELECT run_id, started_at, status, summary FROM runs ORDER BY run_id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(RunRow { run_id: r.get(0)?, started_at: r.get(1)?, status: r.get(2)?, summary: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Partner master data as last written.
    pub fn partners(&self) -> Result<Vec<Partner>> {
        partners_of(&self.conn)
    }

    /// Every golden opportunity.
    pub fn opportunities(&self) -> Result<Vec<Opportunity>> {
        opportunities_of(&self.conn)
    }

    /// Every partner link.
    pub fn opportunity_partners(&self) -> Result<Vec<OpportunityPartner>> {
        links_of(&self.conn)
    }

    /// Rows of a non-opportunity entity, as text cells in [`Entity::fields`] order.
    pub fn entity_rows(&self, entity: Entity) -> Result<Vec<Vec<Option<String>>>> {
        read::entity_rows(&self.conn, entity)
    }

    /// The whole governed dataset, typed.
    pub fn dataset(&self) -> Result<watershed_model::Dataset> {
        read::dataset(&self.conn)
    }

    /// Every quarantined record with its raw cells, its input's headers and suggestions.
    pub fn quarantine(&self) -> Result<Vec<QuarantinedRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT q.record_id, q.source, q.locator, q.line, q.field, q.value, q.reason, r.values_json, i.headers, q.suggestions
             FROM quarantine q JOIN raw_records r USING (record_id) JOIN inputs i ON i.input_id = r.input_id ORDER BY q.source, q.locator, q.line",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let json: String = r.get(7)?;
            let headers: String = r.get(8)?;
            let suggestions: String = r.get(9)?;
            let parsed: Vec<serde_json::Value> = serde_json::from_str(&suggestions).unwrap_or_default();
            out.push(QuarantinedRow {
                record_id: r.get(0)?,
                source: r.get(1)?,
                locator: r.get(2)?,
                line: r.get::<_, i64>(3)? as u64,
                field: r.get(4)?,
                value: r.get(5)?,
                reason: r.get(6)?,
                values: parse_json_cells("raw_records", "values_json", &json)?,
                headers: parse_json_cells("inputs", "headers", &headers)?,
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
            });
        }
        Ok(out)
    }

    /// Where a raw record came from and its cells: (source, file, line, headers, cells).
    pub fn record(&self, record_id: i64) -> Result<Option<RawRecordView>> {
        let row = self
            .conn
            .query_row(
                "SELECT i.source, i.locator, r.line, i.headers, r.values_json FROM raw_records r JOIN inputs i USING (input_id) WHERE r.record_id = ?1",
                [record_id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?)),
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((source, locator, line, headers, values)) => Ok(Some((
                source,
                locator,
                line as u64,
                parse_json_cells("inputs", "headers", &headers)?,
                parse_json_cells("raw_records", "values_json", &values)?,
            ))),
        }
    }

    /// The source row of a partner's target for a period (the last loaded wins): (file, line).
    pub fn target_source(&self, partner_id: &str, period: &str) -> Result<Option<(String, u64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT i.locator, r.line FROM targets t JOIN raw_records r ON r.record_id = t.record_id JOIN inputs i ON i.input_id = r.input_id
                 WHERE t.partner_id = ?1 AND t.period = ?2 ORDER BY t.record_id DESC LIMIT 1",
                params![partner_id, period],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)),
            )
            .optional()?)
    }

    /// People's match decisions: (left key, right key, same deal).
    pub fn review_decisions(&self) -> Result<Vec<(String, String, bool)>> {
        let mut stmt = self.conn.prepare("SELECT left_key, right_key, same FROM review_decisions ORDER BY left_key, right_key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a person's decision on a pair (replacing an earlier one).
    pub fn set_review_decision(&self, left_key: &str, right_key: &str, same: bool, actor: &str, at: &str) -> Result<()> {
        let (a, b) = if left_key <= right_key { (left_key, right_key) } else { (right_key, left_key) };
        self.conn.execute("INSERT OR REPLACE INTO review_decisions VALUES (?1, ?2, ?3, ?4, ?5)", params![a, b, same, actor, at])?;
        Ok(())
    }

    /// The scored-matching decisions of the dataset: (left key, right key, left record,
    /// right record, score, parts, decision), best score first.
    pub fn match_decisions(&self) -> Result<Vec<StoredMatch>> {
        let mut stmt = self.conn.prepare(
            "SELECT left_key, right_key, left_record, right_record, score, parts, decision FROM match_decisions ORDER BY score DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Appends to the audit log (append-only: there is no update or delete).
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        insert_audit(&self.conn, entry)
    }

    /// The audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt =
            self.conn.prepare("SELECT at, actor, action, object, old_value, new_value FROM audit_log ORDER BY rowid DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                object: r.get(3)?,
                old_value: r.get(4)?,
                new_value: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Violations by (rule, severity) in the current dataset.
    pub fn violation_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt =
            self.conn.prepare("SELECT rule, severity, COUNT(*) FROM quality_violations GROUP BY rule, severity ORDER BY rule")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Per source: inputs held, last time a new input arrived (UTC), rows read.
    pub fn source_freshness(&self) -> Result<Vec<SourceFreshness>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.source, COUNT(*), MAX(r.started_at), SUM(i.rows_read) FROM inputs i JOIN runs r ON r.run_id = i.run_id GROUP BY i.source ORDER BY i.source",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether table `name` exists (the scorecard tables appear with the first run).
    pub fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |_| Ok(())).optional()?.is_some())
    }

    /// The source records behind golden record `golden_id`: source, file, line,
    /// relation, tie and the run that first read them; survivor first.
    pub fn lineage(&self, golden_id: &str) -> Result<Vec<LineageRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.source, i.locator, r.line, l.relation, l.tie, i.run_id, r.record_id, i.input_id FROM record_lineage l
             JOIN raw_records r ON r.record_id = l.record_id JOIN inputs i ON i.input_id = r.input_id
             WHERE l.golden_id = ?1 ORDER BY CASE l.relation WHEN 'survivor' THEN 0 ELSE 1 END, r.record_id",
        )?;
        let rows = stmt.query_map([golden_id], |r| {
            Ok(LineageRow {
                source: r.get(0)?,
                locator: r.get(1)?,
                line: r.get::<_, i64>(2)? as u64,
                relation: r.get(3)?,
                tie: r.get(4)?,
                run_id: r.get(5)?,
                record_id: r.get(6)?,
                input_id: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Where every opportunity record of the dataset ended: (golden id, record id,
    /// source, file, line), in record order — what the resolution benchmark compares
    /// with the ground truth.
    pub fn opportunity_placements(&self) -> Result<Vec<Placement>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.golden_id, r.record_id, i.source, i.locator, r.line FROM record_lineage l
             JOIN raw_records r ON r.record_id = l.record_id JOIN inputs i ON i.input_id = r.input_id
             WHERE l.entity = 'opportunities' ORDER BY r.record_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Row count of a table of the store (for status and tests).
    pub fn count(&self, table: &str) -> Result<i64> {
        let known = [
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
        let allowed = known.contains(&table) || Entity::ALL.iter().any(|e| e.name() == table);
        if !allowed {
            return Err(StoreError::Corrupt { table: "sqlite_master", column: "name", value: table.to_string() });
        }
        Ok(self.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    }
}

/// Partner master data as last written.
pub(crate) fn partners_of(conn: &Connection) -> Result<Vec<Partner>> {
    let mut stmt = conn.prepare(
        "SELECT partner_id, name, tier, segment, region, partner_type, partner_manager, account_manager, start_date, contract_end_date, status FROM partners ORDER BY partner_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            Partner {
                partner_id: r.get(0)?,
                name: r.get(1)?,
                tier: r.get(2)?,
                segment: r.get(3)?,
                region: r.get(4)?,
                partner_type: r.get(5)?,
                partner_manager: r.get(6)?,
                account_manager: r.get(7)?,
                start_date: None,
                contract_end_date: None,
                status: PartnerStatus::Active,
            },
            r.get::<_, Option<String>>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, String>(10)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut p, start, end, status) = row?;
        p.start_date = start.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        p.contract_end_date = end.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        p.status = PartnerStatus::parse(&status).unwrap_or(PartnerStatus::Active);
        out.push(p);
    }
    Ok(out)
}

/// Every golden opportunity.
pub(crate) fn opportunities_of(conn: &Connection) -> Result<Vec<Opportunity>> {
    let mut stmt = conn.prepare(
        "SELECT opportunity_id, name, customer_name, customer_country, region, industry, product_id, product_family, amount, amount_original, currency, stage, created_date, close_date, deal_registration_id, updated_at FROM opportunities ORDER BY opportunity_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let stage_text: String = r.get(11)?;
        let close_text: String = r.get(13)?;
        out.push(Opportunity {
            opportunity_id: r.get(0)?,
            name: r.get(1)?,
            customer_name: r.get(2)?,
            customer_country: r.get(3)?,
            region: r.get(4)?,
            industry: r.get(5)?,
            product_id: r.get(6)?,
            product_family: r.get(7)?,
            amount: decimal("opportunities", "amount", &r.get::<_, String>(8)?)?,
            amount_original: decimal("opportunities", "amount_original", &r.get::<_, String>(9)?)?,
            currency: r.get(10)?,
            stage: Stage::from_str(&stage_text).map_err(|_| StoreError::Corrupt {
                table: "opportunities",
                column: "stage",
                value: stage_text.clone(),
            })?,
            created_date: r.get::<_, Option<String>>(12)?.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()),
            close_date: chrono::NaiveDate::parse_from_str(&close_text, "%Y-%m-%d").map_err(|_| StoreError::Corrupt {
                table: "opportunities",
                column: "close_date",
                value: close_text.clone(),
            })?,
            deal_registration_id: r.get(14)?,
            updated_at: r.get::<_, Option<String>>(15)?.and_then(|s| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S").ok()),
        });
    }
    Ok(out)
}

/// Every partner link.
pub(crate) fn links_of(conn: &Connection) -> Result<Vec<OpportunityPartner>> {
    let mut stmt =
        conn.prepare("SELECT opportunity_id, partner_id, role, split FROM opportunity_partners ORDER BY opportunity_id, partner_id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let role: String = r.get(2)?;
        out.push(OpportunityPartner {
            opportunity_id: r.get(0)?,
            partner_id: r.get(1)?,
            role: PartnerRole::from_str(&role).map_err(|_| StoreError::Corrupt {
                table: "opportunity_partners",
                column: "role",
                value: role.clone(),
            })?,
            split: decimal("opportunity_partners", "split", &r.get::<_, String>(3)?)?,
        });
    }
    Ok(out)
}

fn insert_audit(conn: &Connection, e: &AuditEntry) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![e.at, e.actor, e.action, e.object, e.old_value, e.new_value],
    )?;
    Ok(())
}

pub(crate) fn decimal(table: &'static str, column: &'static str, text: &str) -> Result<Decimal> {
    Decimal::from_str(text).map_err(|_| StoreError::Corrupt { table, column, value: text.to_string() })
}

fn parse_json_cells(table: &'static str, column: &'static str, json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt { table, column, value: json.chars().take(80).collect() })
}

/// One run's writes, inside one transaction.
pub struct RunWriter<'a> {
    tx: Transaction<'a>,
    run_id: i64,
}

impl RunWriter<'_> {
    /// The transaction's connection, to read back what this run wrote.
    pub fn connection(&self) -> &Connection {
        &self.tx
    }

    /// This run's id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Adds an input to the raw layer; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_input(
        &self,
        source: &str,
        locator: &str,
        sha256: &str,
        size: u64,
        entity: Entity,
        encoding: &str,
        delimiter: u8,
        header_line: u64,
        headers: &[String],
        rows_read: u64,
    ) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO inputs (source, locator, sha256, size_bytes, run_id, entity, encoding, delimiter, header_line, headers, rows_read) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                source,
                locator,
                sha256,
                size as i64,
                self.run_id,
                entity.name(),
                encoding,
                (delimiter as char).to_string(),
                header_line as i64,
                serde_json::to_string(headers).unwrap_or_else(|_| "[]".into()),
                rows_read as i64
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Adds a raw record (`kind` row, error or skipped); returns its id.
    pub fn insert_raw(&self, input_id: i64, line: u64, kind: &str, note: Option<&str>, values: &[String]) -> Result<i64> {
        let mut stmt =
            self.tx.prepare_cached("INSERT INTO raw_records (input_id, line, kind, note, values_json) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        stmt.execute(params![input_id, line as i64, kind, note, serde_json::to_string(values).unwrap_or_else(|_| "[]".into())])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records a data-quality rule violation.
    pub fn insert_violation(&self, v: &ViolationEntry) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO quality_violations VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?;
        stmt.execute(params![
            self.run_id,
            v.rule,
            v.severity,
            v.source,
            v.locator,
            v.line.map(|l| l as i64),
            v.record_id,
            v.golden_id,
            v.field,
            v.message
        ])?;
        Ok(())
    }

    /// Stores one decision of the scored matching.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_match_decision(
        &self,
        left_key: &str,
        right_key: &str,
        left_record: i64,
        right_record: i64,
        score: f64,
        parts: &str,
        decision: &str,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO match_decisions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        stmt.execute(params![self.run_id, left_key, right_key, left_record, right_record, score, parts, decision])?;
        Ok(())
    }

    /// Appends to the audit log inside this run.
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        insert_audit(&self.tx, entry)
    }

    /// Removes the derived dataset (everything but the raw layer and governance
    /// history) so that it can be rebuilt from the raw records.
    pub fn clear_dataset(&self) -> Result<()> {
        let mut sql = String::from(
            "DELETE FROM match_decisions; DELETE FROM quality_violations; DELETE FROM record_lineage; DELETE FROM quarantine; DELETE FROM opportunity_partners; DELETE FROM opportunities; DELETE FROM partners; DELETE FROM products;",
        );
        for e in Entity::ALL.iter().filter(|e| **e != Entity::Opportunities) {
            sql.push_str(&format!("DELETE FROM {};", e.name()));
        }
        self.tx.execute_batch(&sql)?;
        Ok(())
    }

    /// Writes the partner dimension.
    pub fn insert_partners(&self, partners: &[Partner]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO partners VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?;
        for p in partners {
            stmt.execute(params![
                p.partner_id,
                p.name,
                p.tier,
                p.segment,
                p.region,
                p.partner_type,
                p.partner_manager,
                p.account_manager,
                p.start_date.map(|d| d.to_string()),
                p.contract_end_date.map(|d| d.to_string()),
                p.status.as_str()
            ])?;
        }
        Ok(())
    }

    /// Writes the product dimension: (id, name, family).
    pub fn insert_products(&self, products: &[(String, String, Option<String>)]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO products VALUES (?1, ?2, ?3)")?;
        for (id, name, family) in products {
            stmt.execute(params![id, name, family])?;
        }
        Ok(())
    }

    /// Writes a golden opportunity and its partner links.
    pub fn insert_opportunity(&self, o: &Opportunity, partners: &[OpportunityPartner]) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("INSERT INTO opportunities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")?;
        stmt.execute(params![
            o.opportunity_id,
            o.name,
            o.customer_name,
            o.customer_country,
            o.region,
            o.industry,
            o.product_id,
            o.product_family,
            o.amount.to_string(),
            o.amount_original.to_string(),
            o.currency,
            o.stage.as_str(),
            o.created_date.map(|d| d.to_string()),
            o.close_date.to_string(),
            o.deal_registration_id,
            o.updated_at.map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
        ])?;
        let mut link = self.tx.prepare_cached("INSERT INTO opportunity_partners VALUES (?1, ?2, ?3, ?4)")?;
        for p in partners {
            link.execute(params![p.opportunity_id, p.partner_id, p.role.as_str(), p.split.normalize().to_string()])?;
        }
        Ok(())
    }

    /// Writes a row of a non-opportunity entity (values in [`Entity::fields`] order).
    pub fn insert_entity_row(&self, entity: Entity, values: &[Value], record_id: i64) -> Result<()> {
        let n = entity.fields().len();
        let placeholders: Vec<String> = (1..=n + 1).map(|i| format!("?{i}")).collect();
        let sql = format!("INSERT INTO {} VALUES ({})", entity.name(), placeholders.join(", "));
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut params: Vec<rusqlite::types::Value> = values
            .iter()
            .map(|v| match v {
                Value::Null => rusqlite::types::Value::Null,
                Value::Integer(i) => rusqlite::types::Value::Integer(*i),
                Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
                other => rusqlite::types::Value::Text(other.to_string()),
            })
            .collect();
        params.push(rusqlite::types::Value::Integer(record_id));
        stmt.execute(rusqlite::params_from_iter(params))?;
        Ok(())
    }

    /// Records that `record_id` contributed to golden record `golden_id`.
    pub fn insert_lineage(&self, golden_id: &str, entity: Entity, record_id: i64, relation: &str, tie: Option<&str>) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO record_lineage VALUES (?1, ?2, ?3, ?4, ?5)")?;
        stmt.execute(params![golden_id, entity.name(), record_id, relation, tie])?;
        Ok(())
    }

    /// Quarantines a record.
    pub fn insert_quarantine(&self, q: &QuarantineEntry) -> Result<()> {
        let mut stmt = self.tx.prepare_cached("INSERT INTO quarantine VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open')")?;
        stmt.execute(params![
            q.record_id,
            self.run_id,
            q.source,
            q.locator,
            q.line as i64,
            q.field,
            q.value,
            q.reason,
            q.suggestions_json
        ])?;
        Ok(())
    }

    /// Record ids quarantined before this run (to count recoveries).
    pub fn quarantined_ids(&self) -> Result<Vec<i64>> {
        let mut stmt = self.tx.prepare("SELECT record_id FROM quarantine")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Replaces the scorecard tables (`partner_kpis`, `health_scores`, `alerts`,
    /// `tier_status`). `metric_names` are the metric columns of `partner_kpis`, in order.
    pub fn replace_scorecards(
        &self,
        metric_names: &[&str],
        kpis: &[KpiRecord],
        health: &[HealthRecord],
        alerts: &[AlertRecord],
        tiers: &[TierRecord],
    ) -> Result<()> {
        let metric_columns: Vec<String> = metric_names.iter().map(|m| format!("{m} NUMERIC")).collect();
        let point_columns: Vec<String> =
            health.first().map(|h| h.points.iter().map(|(c, _)| format!("{c}_points NUMERIC")).collect()).unwrap_or_default();
        let mut ddl = format!(
            "DROP TABLE IF EXISTS partner_kpis; DROP TABLE IF EXISTS health_scores; DROP TABLE IF EXISTS alerts; DROP TABLE IF EXISTS tier_status;
             CREATE TABLE partner_kpis (partner_id TEXT NOT NULL, period TEXT NOT NULL, as_of TEXT NOT NULL, {}, health_level TEXT, PRIMARY KEY (partner_id, period));
             CREATE TABLE alerts (partner_id TEXT NOT NULL, period TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, action TEXT NOT NULL);
             CREATE TABLE tier_status (partner_id TEXT NOT NULL, period TEXT NOT NULL, recorded_tier TEXT, qualified_tier TEXT, next_tier TEXT, gap_text TEXT NOT NULL, mismatch INTEGER NOT NULL, PRIMARY KEY (partner_id, period));",
            metric_columns.join(", ")
        );
        let health_extra = if point_columns.is_empty() { String::new() } else { format!("{}, ", point_columns.join(", ")) };
        ddl.push_str(&format!(
            "CREATE TABLE health_scores (partner_id TEXT NOT NULL, period TEXT NOT NULL, score NUMERIC, level TEXT NOT NULL, coverage_pct NUMERIC NOT NULL, {health_extra}components TEXT NOT NULL, PRIMARY KEY (partner_id, period));"
        ));
        self.tx.execute_batch(&ddl)?;
        let placeholders = |n: usize| (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let mut stmt = self.tx.prepare(&format!("INSERT INTO partner_kpis VALUES ({})", placeholders(metric_names.len() + 4)))?;
        for k in kpis {
            let mut params: Vec<rusqlite::types::Value> =
                vec![k.partner_id.clone().into(), k.period.clone().into(), k.as_of.clone().into()];
            params.extend(k.values.iter().map(|v| v.clone().map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Text)));
            params.push(k.health_level.clone().into());
            stmt.execute(rusqlite::params_from_iter(params))?;
        }
        let n_points = point_columns.len();
        let mut stmt = self.tx.prepare(&format!("INSERT INTO health_scores VALUES ({})", placeholders(n_points + 6)))?;
        for h in health {
            let mut params: Vec<rusqlite::types::Value> = vec![
                h.partner_id.clone().into(),
                h.period.clone().into(),
                h.score.clone().map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Text),
                h.level.clone().into(),
                h.coverage_pct.clone().into(),
            ];
            params.extend(h.points.iter().map(|(_, p)| p.clone().map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Text)));
            params.push(h.components_json.clone().into());
            stmt.execute(rusqlite::params_from_iter(params))?;
        }
        let mut stmt = self.tx.prepare("INSERT INTO alerts VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for a in alerts {
            stmt.execute(params![a.partner_id, a.period, a.rule, a.severity, a.message, a.action])?;
        }
        let mut stmt = self.tx.prepare("INSERT INTO tier_status VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for t in tiers {
            stmt.execute(params![t.partner_id, t.period, t.recorded_tier, t.qualified_tier, t.next_tier, t.gap_text, t.mismatch])?;
        }
        Ok(())
    }

    /// Marks the run finished with its summary and makes everything durable.
    pub fn commit(self, finished_at: &str, fingerprint: &str, summary_json: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE runs SET finished_at = ?1, status = 'succeeded', fingerprint = ?2, summary = ?3 WHERE run_id = ?4",
            params![finished_at, fingerprint, summary_json, self.run_id],
        )?;
        self.tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

//! One run's writes, inside the one writing transaction.
//!
//! The writer assigns the ids of runs, inputs and raw records itself (the next free id,
//! read under the write lock), so that the rows of a run can be appended in bulk —
//! COPY on PostgreSQL — without a round trip per row to learn an id.

use crate::backend::{Backend, BackendKind, Param, RowSource, query, query_opt};
use crate::{
    AlertRecord, AuditEntry, DATASET_CHILD_TABLES, DATASET_INDEXES, HealthRecord, KpiRecord, QuarantineEntry, Result, StoreError,
    TierRecord, ViolationEntry, dialect_ddl, insert_audit, read, schema_table,
};
use chrono::Timelike;
use compact_str::ToCompactString;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use watershed_model::{Cells, Entity, Opportunity, OpportunityPartner, Partner, Text, Value};

/// One run's writes, inside one transaction. Dropping it without [`RunWriter::commit`]
/// rolls everything back.
pub struct RunWriter<'a> {
    db: &'a dyn Backend,
    run_id: i64,
    next_input_id: Cell<i64>,
    next_record_id: Cell<i64>,
    inputs_held: i64,
    /// What this run wrote to the dataset since [`RunWriter::clear_dataset`], so that
    /// [`RunWriter::dataset`] need not read a million rows back.
    written: RefCell<Option<Written>>,
    committed: bool,
}

/// A data row of an input with its record id: (record id, line, cells as received).
pub type RawRow = (i64, u64, Cells);

/// An input's data rows in parts of [`RAW_PART`] rows, each shared with the backend until
/// it has written that part: a part is freed as soon as both the run and the backend are
/// done with it, not when the whole input is.
pub type SharedRows = Vec<Arc<Vec<RawRow>>>;

/// Rows per part of [`SharedRows`].
pub const RAW_PART: usize = 65_536;

/// `rows` in parts of [`RAW_PART`], in order.
pub fn in_parts(rows: impl Iterator<Item = RawRow>) -> SharedRows {
    let mut rows = rows.peekable();
    let mut parts = Vec::new();
    while rows.peek().is_some() {
        parts.push(Arc::new(rows.by_ref().take(RAW_PART).collect()));
    }
    parts
}

/// The `raw_records` rows of a part of an input's data rows, produced where the backend
/// inserts them.
struct RawRows {
    input_id: i64,
    rows: Arc<Vec<RawRow>>,
}

impl RowSource for RawRows {
    fn rows(&self, row: &mut dyn FnMut(&[Param]) -> Result<()>) -> Result<()> {
        // One buffer for every row's JSON.
        let mut json = String::new();
        for (record_id, line, values) in self.rows.iter() {
            json.clear();
            cells_json(&mut json, values)?;
            row(&raw_record(*record_id, self.input_id, *line, "row", None, &json))?;
        }
        Ok(())
    }
}

/// Appends `cells` to `json` as a JSON array of strings, byte for byte what `serde_json`
/// writes, but copying a cell that needs no escaping (most) in one piece. Built from
/// `str` pieces, the text needs no UTF-8 check afterwards.
fn cells_json(json: &mut String, cells: &Cells) -> Result<()> {
    json.push('[');
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        if cell.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            json.push('"');
            json.push_str(cell);
            json.push('"');
        } else {
            let escaped = serde_json::to_string(cell).map_err(|e| StoreError::Config(format!("cannot encode raw cells as JSON: {e}")))?;
            json.push_str(&escaped);
        }
    }
    json.push(']');
    Ok(())
}

/// A `raw_records` row, in the table's column order: the one place that knows it.
fn raw_record<'a>(record_id: i64, input_id: i64, line: u64, kind: &'a str, note: Option<&'a str>, cells_json: &'a str) -> [Param<'a>; 6] {
    [record_id.into(), input_id.into(), Param::Int(line as i64), kind.into(), note.into(), cells_json.into()]
}

/// The partners, golden opportunities and links a run wrote, as the store would read them
/// back. The other entities' rows are not kept: they are read back (holding them through
/// resolution and the store loop was 220 MB at 1M opportunities, at the run's peak).
#[derive(Default)]
struct Written {
    partners: Vec<Partner>,
    opportunities: Vec<Opportunity>,
    links: Vec<OpportunityPartner>,
}

/// A value the database takes as text formatted (dates, timestamps, amounts), as the
/// store holds it; `None` for the values bound as they are (null, integers, flags, text).
/// Short results (dates, amounts) need no allocation.
fn formatted(value: &Value) -> Option<Text> {
    match value {
        Value::Null | Value::Integer(_) | Value::Bool(_) | Value::Text(_) => None,
        other => Some(other.to_compact_string()),
    }
}

fn next_id(db: &dyn Backend, sql: &str) -> Result<i64> {
    Ok(query_opt(db, sql, &[], |r| r.opt_int(0))?.flatten().unwrap_or(0) + 1)
}

impl<'a> RunWriter<'a> {
    /// Takes the write lock and records the run as running.
    pub(crate) fn begin(db: &'a dyn Backend, started_at: &str) -> Result<RunWriter<'a>> {
        db.begin_bulk_write()?;
        let mut writer = RunWriter {
            db,
            run_id: 0,
            next_input_id: Cell::new(0),
            next_record_id: Cell::new(0),
            inputs_held: 0,
            written: RefCell::new(None),
            committed: false,
        };
        writer.run_id = next_id(db, "SELECT MAX(run_id) FROM runs")?;
        writer.next_input_id.set(next_id(db, "SELECT MAX(input_id) FROM inputs")?);
        writer.inputs_held = writer.next_input_id.get() - 1;
        writer.next_record_id.set(next_id(db, "SELECT MAX(record_id) FROM raw_records")?);
        db.execute("INSERT INTO runs (run_id, started_at, status) VALUES (?1, ?2, 'running')", &[writer.run_id.into(), started_at.into()])?;
        Ok(writer)
    }

    /// This run's id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// The highest input id the raw layer held when this run took the write lock (0 when
    /// empty): a run that loaded the raw layer before it waited for the lock compares it
    /// with what it loaded, to notice another run that committed in between.
    pub fn inputs_held(&self) -> i64 {
        self.inputs_held
    }

    /// The governed dataset as this run has written it so far: after
    /// [`RunWriter::clear_dataset`] its partners, golden opportunities and links from what
    /// it wrote (exactly what reading them back would give, without the read) and the other
    /// entities read back inside the transaction; otherwise all read inside the transaction.
    pub fn dataset(&self) -> Result<watershed_model::Dataset> {
        let Some(written) = self.written.borrow_mut().take() else { return read::dataset(self.db) };
        let Written { mut partners, mut opportunities, mut links } = written;
        partners.sort_by(|a, b| a.partner_id.cmp(&b.partner_id));
        opportunities.sort_by(|a, b| a.opportunity_id.cmp(&b.opportunity_id));
        links.sort_by(|a, b| (&a.opportunity_id, &a.partner_id).cmp(&(&b.opportunity_id, &b.partner_id)));
        let data = read::dataset_from(partners, opportunities, links, &mut |entity| read::entity_rows(self.db, entity))?;
        // Later writes are no longer mirrored: a second call reads the database.
        Ok(data)
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
        let input_id = self.next_input_id.get();
        let delimiter = (delimiter as char).to_string();
        let headers = serde_json::to_string(headers).unwrap_or_else(|_| "[]".into());
        self.db.append(
            "inputs",
            &[
                input_id.into(),
                source.into(),
                locator.into(),
                sha256.into(),
                Param::Int(size as i64),
                self.run_id.into(),
                entity.name().into(),
                encoding.into(),
                (&delimiter).into(),
                Param::Int(header_line as i64),
                (&headers).into(),
                Param::Int(rows_read as i64),
            ],
        )?;
        self.next_input_id.set(input_id + 1);
        Ok(input_id)
    }

    /// Adds an input's data rows (line, cells as received) to the raw layer, numbered from
    /// the next record id. Returns them with their record ids in parts, shared with the
    /// backend, which may write them in the background (SQLite does) while the run
    /// normalizes them.
    pub fn insert_raw_rows(&self, input_id: i64, rows: impl Iterator<Item = (u64, Cells)>) -> Result<SharedRows> {
        let first = self.next_record_id.get();
        let parts = in_parts(rows.zip(first..).map(|((line, values), record_id)| (record_id, line, values)));
        let count: usize = parts.iter().map(|part| part.len()).sum();
        self.next_record_id.set(first + count as i64);
        for part in &parts {
            self.db.append_from("raw_records", Box::new(RawRows { input_id, rows: Arc::clone(part) }))?;
        }
        Ok(parts)
    }

    /// Adds a raw record (`kind` row, error or skipped); returns its id.
    pub fn insert_raw(&self, input_id: i64, line: u64, kind: &str, note: Option<&str>, values: &[String]) -> Result<i64> {
        let record_id = self.next_record_id.get();
        let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
        self.db.append("raw_records", &raw_record(record_id, input_id, line, kind, note, &json))?;
        self.next_record_id.set(record_id + 1);
        Ok(record_id)
    }

    /// Records a data-quality rule violation.
    pub fn insert_violation(&self, v: &ViolationEntry) -> Result<()> {
        self.db.append(
            "quality_violations",
            &[
                self.run_id.into(),
                v.rule.into(),
                v.severity.into(),
                v.source.into(),
                v.locator.into(),
                v.line.map(|l| l as i64).into(),
                v.record_id.into(),
                v.golden_id.into(),
                v.field.into(),
                v.message.into(),
            ],
        )
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
        self.db.append(
            "match_decisions",
            &[
                self.run_id.into(),
                left_key.into(),
                right_key.into(),
                left_record.into(),
                right_record.into(),
                score.into(),
                parts.into(),
                decision.into(),
            ],
        )
    }

    /// Appends to the audit log inside this run.
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        insert_audit(self.db, entry)
    }

    /// Removes the derived dataset (everything but the raw layer and governance
    /// history) so that it can be rebuilt from the raw records.
    pub fn clear_dataset(&self) -> Result<()> {
        let sqlite = self.db.kind() == BackendKind::Sqlite;
        let mut sql = String::new();
        if sqlite {
            // The tables that reference others go first, as a whole, their indexes with
            // them (see DATASET_CHILD_TABLES); the parent they referenced then empties at
            // once too.
            for table in DATASET_CHILD_TABLES {
                sql.push_str(&format!("DROP TABLE IF EXISTS {table};"));
            }
        }
        let tables = [
            "match_decisions",
            "quality_violations",
            "record_lineage",
            "quarantine",
            "opportunity_partners",
            "opportunities",
            "partners",
            "products",
        ];
        let entities = Entity::ALL.iter().filter(|e| **e != Entity::Opportunities).map(|e| e.name());
        for table in tables.into_iter().chain(entities) {
            if !(sqlite && DATASET_CHILD_TABLES.contains(&table)) {
                sql.push_str(&format!("DELETE FROM {table};"));
            }
        }
        if sqlite {
            for table in DATASET_CHILD_TABLES {
                let ddl = schema_table(table)
                    .ok_or_else(|| StoreError::Config(format!("internal error: no `CREATE TABLE {table}` in the store's schema")))?;
                sql.push_str(ddl);
            }
        }
        *self.written.borrow_mut() = Some(Written::default());
        // After the raw layer's rows, which SQLite may still be inserting: the run goes on.
        self.db.batch_in_background(&sql)
    }

    /// Writes the partner dimension.
    pub fn insert_partners(&self, partners: &[Partner]) -> Result<()> {
        if let Some(w) = self.written.borrow_mut().as_mut() {
            w.partners.extend_from_slice(partners);
        }
        for p in partners {
            let start = p.start_date.map(|d| d.to_string());
            let end = p.contract_end_date.map(|d| d.to_string());
            self.db.append(
                "partners",
                &[
                    (&p.partner_id).into(),
                    (&p.name).into(),
                    (&p.tier).into(),
                    (&p.segment).into(),
                    (&p.region).into(),
                    (&p.partner_type).into(),
                    (&p.partner_manager).into(),
                    (&p.account_manager).into(),
                    (&start).into(),
                    (&end).into(),
                    p.status.as_str().into(),
                ],
            )?;
        }
        Ok(())
    }

    /// Writes the product dimension: (id, name, family).
    pub fn insert_products(&self, products: &[(String, String, Option<String>)]) -> Result<()> {
        for (id, name, family) in products {
            self.db.append("products", &[id.into(), name.into(), family.into()])?;
        }
        Ok(())
    }

    /// Says how many golden opportunities and partner links are about to be written, so
    /// that the run's in-memory copy of them is allocated once instead of growing (at 1M
    /// opportunities every doubling copies hundreds of MB into fresh memory).
    pub fn reserve_opportunities(&self, opportunities: usize, links: usize) {
        if let Some(w) = self.written.borrow_mut().as_mut() {
            w.opportunities.reserve(opportunities);
            w.links.reserve(links);
        }
    }

    /// Writes a golden opportunity and its partner links.
    pub fn insert_opportunity(&self, o: &Opportunity, partners: &[OpportunityPartner]) -> Result<()> {
        self.insert_golden(o.clone(), partners.to_vec())
    }

    /// [`RunWriter::insert_opportunity`], taking the record: the run's in-memory copy of
    /// the dataset keeps it instead of a clone (a million of them at 1M opportunities).
    pub fn insert_golden(&self, o: Opportunity, partners: Vec<OpportunityPartner>) -> Result<()> {
        let amount = o.amount.to_string();
        let amount_original = o.amount_original.to_string();
        let created = o.created_date.map(|d| d.to_string());
        let close = o.close_date.to_string();
        let updated = o.updated_at.as_ref().map(watershed_model::value::iso_datetime);
        self.db.append(
            "opportunities",
            &[
                (&o.opportunity_id).into(),
                (&o.name).into(),
                (&o.customer_name).into(),
                (&o.customer_country).into(),
                (&o.region).into(),
                (&o.industry).into(),
                (&o.product_id).into(),
                (&o.product_family).into(),
                (&amount).into(),
                (&amount_original).into(),
                (&o.currency).into(),
                o.stage.as_str().into(),
                (&created).into(),
                (&close).into(),
                (&o.deal_registration_id).into(),
                (&updated).into(),
            ],
        )?;
        for p in &partners {
            let split = p.split.normalize().to_string();
            self.db.append(
                "opportunity_partners",
                &[(&p.opportunity_id).into(), (&p.partner_id).into(), p.role.as_str().into(), (&split).into()],
            )?;
        }
        if let Some(w) = self.written.borrow_mut().as_mut() {
            // As read back: updated_at is stored to the second, splits normalized.
            let updated_at = o.updated_at.and_then(|t| t.with_nanosecond(0));
            w.opportunities.push(Opportunity { updated_at, ..o });
            w.links.extend(partners.into_iter().map(|p| OpportunityPartner { split: p.split.normalize(), ..p }));
        }
        Ok(())
    }

    /// Writes a row of a non-opportunity entity (values in [`Entity::fields`] order).
    pub fn insert_entity_row(&self, entity: Entity, values: &[Value], record_id: i64) -> Result<()> {
        // Integers and flags go to the database as integers, text as it is; the other values
        // as the text the store holds (formatted first: the row borrows it).
        let texts: Vec<Option<Text>> = values.iter().map(formatted).collect();
        let mut row: Vec<Param> = values
            .iter()
            .zip(&texts)
            .map(|(v, text)| match v {
                Value::Null => Param::Null,
                Value::Integer(i) => Param::Int(*i),
                Value::Bool(b) => Param::Int(i64::from(*b)),
                Value::Text(s) => Param::Text(s),
                _ => text.as_deref().map_or(Param::Null, Param::Text),
            })
            .collect();
        row.push(Param::Int(record_id));
        self.db.append(entity.name(), &row)?;
        Ok(())
    }

    /// Records that `record_id` contributed to golden record `golden_id`.
    pub fn insert_lineage(&self, golden_id: &str, entity: Entity, record_id: i64, relation: &str, tie: Option<&str>) -> Result<()> {
        self.db.append("record_lineage", &[golden_id.into(), entity.name().into(), record_id.into(), relation.into(), tie.into()])
    }

    /// Quarantines a record.
    pub fn insert_quarantine(&self, q: &QuarantineEntry) -> Result<()> {
        self.db.append(
            "quarantine",
            &[
                q.record_id.into(),
                self.run_id.into(),
                (&q.source).into(),
                (&q.locator).into(),
                Param::Int(q.line as i64),
                (&q.field).into(),
                (&q.value).into(),
                (&q.reason).into(),
                (&q.suggestions_json).into(),
                "open".into(),
            ],
        )
    }

    /// Record ids quarantined before this run (to count recoveries).
    pub fn quarantined_ids(&self) -> Result<Vec<i64>> {
        query(self.db, "SELECT record_id FROM quarantine", &[], |r| r.int(0))
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
        // Exact decimals: PostgreSQL's NUMERIC; on SQLite text (its NUMERIC keeps 15 digits).
        let numeric = match self.db.kind() {
            BackendKind::Sqlite => "TEXT",
            BackendKind::Postgres => "NUMERIC",
        };
        let metric_columns: Vec<String> = metric_names.iter().map(|m| format!("{m} {numeric}")).collect();
        let point_columns: Vec<String> =
            health.first().map(|h| h.points.iter().map(|(c, _)| format!("{c}_points {numeric}")).collect()).unwrap_or_default();
        let mut ddl = format!(
            "DROP TABLE IF EXISTS partner_kpis; DROP TABLE IF EXISTS health_scores; DROP TABLE IF EXISTS alerts; DROP TABLE IF EXISTS tier_status;
             CREATE TABLE partner_kpis (partner_id TEXT NOT NULL, period TEXT NOT NULL, as_of TEXT NOT NULL, {}, health_level TEXT, PRIMARY KEY (partner_id, period));
             CREATE TABLE alerts (partner_id TEXT NOT NULL, period TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, action TEXT NOT NULL);
             CREATE TABLE tier_status (partner_id TEXT NOT NULL, period TEXT NOT NULL, recorded_tier TEXT, qualified_tier TEXT, next_tier TEXT, gap_text TEXT NOT NULL, mismatch INTEGER NOT NULL, PRIMARY KEY (partner_id, period));",
            metric_columns.join(", ")
        );
        let health_extra = if point_columns.is_empty() { String::new() } else { format!("{}, ", point_columns.join(", ")) };
        ddl.push_str(&format!(
            "CREATE TABLE health_scores (partner_id TEXT NOT NULL, period TEXT NOT NULL, score {numeric}, level TEXT NOT NULL, coverage_pct {numeric} NOT NULL, {health_extra}components TEXT NOT NULL, PRIMARY KEY (partner_id, period));"
        ));
        self.db.batch(&dialect_ddl(self.db.kind(), &ddl))?;
        for k in kpis {
            let mut row: Vec<Param> = vec![(&k.partner_id).into(), (&k.period).into(), (&k.as_of).into()];
            row.extend(k.values.iter().map(Param::from));
            row.push((&k.health_level).into());
            self.db.append("partner_kpis", &row)?;
        }
        for h in health {
            let mut row: Vec<Param> =
                vec![(&h.partner_id).into(), (&h.period).into(), (&h.score).into(), (&h.level).into(), (&h.coverage_pct).into()];
            row.extend(h.points.iter().map(|(_, p)| Param::from(p)));
            row.push((&h.components_json).into());
            self.db.append("health_scores", &row)?;
        }
        for a in alerts {
            self.db.append(
                "alerts",
                &[
                    (&a.partner_id).into(),
                    (&a.period).into(),
                    (&a.rule).into(),
                    (&a.severity).into(),
                    (&a.message).into(),
                    (&a.action).into(),
                ],
            )?;
        }
        for t in tiers {
            self.db.append(
                "tier_status",
                &[
                    (&t.partner_id).into(),
                    (&t.period).into(),
                    (&t.recorded_tier).into(),
                    (&t.qualified_tier).into(),
                    (&t.next_tier).into(),
                    (&t.gap_text).into(),
                    t.mismatch.into(),
                ],
            )?;
        }
        Ok(())
    }

    /// Starts writing what the run has stored so far to disk, in the background where the
    /// backend can, so that the commit waits for less.
    pub fn flush_in_background(&self) -> Result<()> {
        self.db.flush_in_background()
    }

    /// Checks the references of the rows written so far, in the background where the
    /// backend can: called when the raw layer and the other entities are written and
    /// resolution begins, it keeps the writer busy while it would otherwise wait.
    pub fn check_references(&self) -> Result<()> {
        self.db.check_references_in_background()
    }

    /// Builds the dataset's secondary indexes and checks its references, in the
    /// background where the backend can (SQLite drops the indexes while a run rewrites
    /// the dataset, and checks foreign keys once instead of per row): call it once the
    /// golden records and their lineage are written, so both overlap with the metrics.
    /// [`RunWriter::commit`] builds whatever is still missing and checks what was
    /// appended since.
    pub fn build_indexes(&self) -> Result<()> {
        self.db.batch_in_background(DATASET_INDEXES)?;
        self.db.check_references_in_background()
    }

    /// Marks the run finished with its summary and makes everything durable.
    pub fn commit(mut self, finished_at: &str, fingerprint: &str, summary_json: &str) -> Result<()> {
        self.db.batch(DATASET_INDEXES)?;
        self.db.execute(
            "UPDATE runs SET finished_at = ?1, status = 'succeeded', fingerprint = ?2, summary = ?3 WHERE run_id = ?4",
            &[finished_at.into(), fingerprint.into(), summary_json.into(), self.run_id.into()],
        )?;
        self.db.commit()?;
        self.committed = true;
        // The run is committed whatever this answers: a store that cannot switch now (say,
        // another connection holds it) switches when it is next opened.
        let _ = self.db.run_committed();
        Ok(())
    }
}

impl Drop for RunWriter<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing to report to: the caller already has the error that stopped the run.
            let _ = self.db.rollback();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_cells_are_written_as_serde_json_writes_them() {
        let tricky =
            ["", "plain", "Zürich – 北京 🙂", "quote \" and \\ backslash", "tab\there\nnew line\r", "\u{0}\u{1f}\u{7f}", "\u{8}\u{c}"];
        let reversed: Vec<&str> = tricky.iter().rev().copied().collect();
        let cases: Vec<Vec<&str>> = vec![vec![], vec![""], tricky.to_vec(), reversed, vec!["a", "b", "c"]];
        for values in cases {
            let mut json = String::new();
            cells_json(&mut json, &Cells::new(&values)).unwrap();
            // Against the plain strings, not the cells: the expectation does not go through `Cells`.
            assert_eq!(json, serde_json::to_string(&values).unwrap(), "{values:?}");
        }
    }
}

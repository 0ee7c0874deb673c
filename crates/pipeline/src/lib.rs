//! The run: sources → raw layer → parse & detect → normalize → resolve → store.
//!
//! The governed dataset is a pure function of (raw records, mapping tables,
//! configuration): every run that has something to do stores its new inputs in the
//! raw layer and rebuilds the dataset from all raw records, inside one transaction.
//! Fixing a mapping and re-running is how quarantined records are retried. A run
//! whose inputs and mappings are unchanged does nothing.

mod classify;
mod progress;
mod report;
pub mod scorecard;

pub use progress::{NoProgress, Progress};
pub use report::{RunReport, RunStatus, SourceSummary};

use chrono::Utc;
use std::collections::{BTreeMap, HashMap, HashSet};
use watershed_config::{PartnerAssignment, Project, SourceConfig};
use watershed_ingest::{FilesSource, InputFile, ParsedInput, Source, bind_columns, parse_delimited};
use watershed_model::{Entity, FieldKind};
use watershed_normalize::{InputContext, Lookups, Rejection, normalize_entity_row, normalize_opportunity};
use watershed_resolve::{ResolveRecord, resolve};
use watershed_store::{QuarantineEntry, Store, StoreError};

/// Why a run failed. Nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store URL is not one this build can open.
    #[error("store url `{0}` is not supported by this build (use sqlite://PATH)")]
    UnsupportedStore(String),
    /// Rows were lost between reading and the dataset: a bug, never committed.
    #[error(
        "conservation failed for source `{source_name}`: read {read} ≠ loaded new {new} + updated {updated} + merged {merged} + quarantined {quarantined} + skipped {skipped}; nothing was committed"
    )]
    Conservation {
        /// The source.
        source_name: String,
        /// Rows read.
        read: u64,
        /// Loaded as new.
        new: u64,
        /// Updated existing records.
        updated: u64,
        /// Merged as duplicates.
        merged: u64,
        /// Quarantined.
        quarantined: u64,
        /// Skipped lines.
        skipped: u64,
    },
}

/// Opens the project's store (SQLite).
pub fn open_store(project: &Project) -> Result<Store, PipelineError> {
    let path =
        project.config.sqlite_path(&project.root).ok_or_else(|| PipelineError::UnsupportedStore(project.config.store.url.clone()))?;
    Ok(Store::open(&path)?)
}

/// A new input read and parsed in this run.
struct NewInput {
    source: usize,
    file: InputFile,
    parsed: ParsedInput,
}

/// An input's rows as the rebuild sees them (old or new).
struct InputRows {
    source: usize,
    locator: String,
    input_seq: i64,
    is_new: bool,
    headers: Vec<String>,
    rows: Vec<(i64, u64, Vec<String>)>,
    errors: Vec<(i64, u64, String, Vec<String>)>,
}

/// Formats that the files source reads in this version.
fn is_delimited_text(locator: &str) -> bool {
    let lower = locator.to_ascii_lowercase();
    [".csv", ".tsv", ".txt", ".tab", ".psv"].iter().any(|ext| lower.ends_with(ext))
}

/// Runs the pipeline once. Returns what happened, per source; fails (committing
/// nothing) when the store fails or a conservation equation does not hold.
pub fn run(project: &Project, progress: &mut dyn Progress) -> Result<RunReport, PipelineError> {
    let started = Utc::now();
    let started_text = started.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut store = open_store(project)?;
    let config = &project.config;
    let mut report = RunReport::new(config);

    // 1. Sources: list and hash every input; parse only the new ones.
    let mut new_inputs: Vec<NewInput> = Vec::new();
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    progress.stage("read", config.sources.len() as u64);
    for (index, source_config) in config.sources.iter().enumerate() {
        let source = FilesSource::new(source_config.clone());
        match source.inputs(&project.root) {
            Ok(files) => {
                for file in files {
                    if store.has_input(&source_config.name, &file.sha256)? || !seen.insert((index, file.sha256.clone())) {
                        report.sources[index].inputs_unchanged += 1;
                        continue;
                    }
                    let parsed = if is_delimited_text(&file.locator) {
                        parse_delimited(&file.bytes, source_config.delimiter_byte())
                    } else {
                        unreadable_input(&file.locator)
                    };
                    new_inputs.push(NewInput { source: index, file, parsed });
                }
            }
            Err(e) => report.sources[index].error = Some(e.to_string()),
        }
        progress.advance(1);
    }
    progress.finish();

    if new_inputs.is_empty() && store.last_fingerprint()?.as_deref() == Some(project.fingerprint.as_str()) {
        let finished = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        report.run_id = Some(store.record_up_to_date(&started_text, &finished, &project.fingerprint)?);
        report.status = RunStatus::UpToDate;
        report.elapsed_ms = (Utc::now() - started).num_milliseconds();
        return Ok(report);
    }

    // 2. Everything the raw layer already holds, from before this run.
    let source_index: HashMap<&str, usize> = config.sources.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let mut all_inputs: Vec<InputRows> = Vec::new();
    for stored in store.load_inputs()? {
        if let Some(&source) = source_index.get(stored.source.as_str()) {
            all_inputs.push(InputRows {
                source,
                locator: stored.locator,
                input_seq: stored.input_id,
                is_new: false,
                headers: stored.headers,
                rows: stored.rows,
                errors: stored.errors,
            });
        }
    }

    let outcome = rebuild(project, &mut store, &started_text, new_inputs, all_inputs, &mut report, progress);
    match outcome {
        Ok(()) => {
            report.status = RunStatus::Succeeded;
            report.elapsed_ms = (Utc::now() - started).num_milliseconds();
            Ok(report)
        }
        Err(e) => {
            let finished = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            // The transaction was rolled back; remember the failure for `status`.
            let _ = store.record_failed(&started_text, &finished, &e.to_string());
            Err(e)
        }
    }
}

/// An input the files source cannot parse: one error record for the whole file.
fn unreadable_input(locator: &str) -> ParsedInput {
    let ext = locator.rsplit('.').next().unwrap_or("");
    ParsedInput {
        encoding: "binary",
        delimiter: b',',
        header_line: 0,
        headers: Vec::new(),
        rows: Vec::new(),
        skipped: Vec::new(),
        errors: vec![watershed_ingest::RowError {
            line: 0,
            values: Vec::new(),
            message: format!("cannot read `.{ext}` files yet: save the file as CSV (UTF-8) or narrow the source's path glob"),
        }],
    }
}

fn rebuild(
    project: &Project,
    store: &mut Store,
    started_text: &str,
    new_inputs: Vec<NewInput>,
    mut all_inputs: Vec<InputRows>,
    report: &mut RunReport,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    let config = &project.config;
    let writer = store.begin_run(started_text)?;
    let previously_quarantined: HashSet<i64> = writer.quarantined_ids()?.into_iter().collect();

    // 3. Raw layer: store the new inputs, row by row, as received.
    let total_rows: u64 = new_inputs.iter().map(|i| (i.parsed.rows.len() + i.parsed.errors.len() + i.parsed.skipped.len()) as u64).sum();
    progress.stage("store raw", total_rows);
    for input in new_inputs {
        let source = &config.sources[input.source];
        let p = &input.parsed;
        let read = (p.rows.len() + p.errors.len() + p.skipped.len()) as u64;
        let input_id = writer.insert_input(
            &source.name,
            &input.file.locator,
            &input.file.sha256,
            input.file.size,
            source.entity(),
            p.encoding,
            p.delimiter,
            p.header_line,
            &p.headers,
            read,
        )?;
        let mut rows = Vec::with_capacity(p.rows.len());
        for row in &p.rows {
            let id = writer.insert_raw(input_id, row.line, "row", None, &row.values)?;
            rows.push((id, row.line, row.values.clone()));
        }
        let mut errors = Vec::with_capacity(p.errors.len());
        for e in &p.errors {
            let id = writer.insert_raw(input_id, e.line, "error", Some(&e.message), &e.values)?;
            errors.push((id, e.line, e.message.clone(), e.values.clone()));
        }
        for s in &p.skipped {
            writer.insert_raw(input_id, s.line, "skipped", Some(s.reason), &[])?;
        }
        let summary = &mut report.sources[input.source];
        summary.inputs_new += 1;
        summary.read += read;
        summary.skipped += p.skipped.len() as u64;
        summary.encodings.insert(p.encoding.to_string());
        progress.advance(read);
        all_inputs.push(InputRows {
            source: input.source,
            locator: input.file.locator,
            input_seq: input_id,
            is_new: true,
            headers: p.headers.clone(),
            rows,
            errors,
        });
    }
    progress.finish();

    // 4. Normalize every raw record (old and new) through the current mappings.
    let lookups = Lookups::new(&project.mappings, &config.program.reporting_currency);
    writer.clear_dataset()?;
    writer.insert_partners(&project.mappings.partners)?;
    let products: Vec<(String, String, Option<String>)> =
        project.mappings.products.iter().map(|p| (p.product_id.clone(), p.name.clone(), p.family.clone())).collect();
    writer.insert_products(&products)?;

    let mut opportunity_records: Vec<ResolveRecord> = Vec::new();
    let mut record_info: HashMap<i64, classify::RecordInfo> = HashMap::new();
    let total: u64 = all_inputs.iter().map(|i| i.rows.len() as u64).sum();
    progress.stage("normalize", total);
    let mut quarantined_now: HashSet<i64> = HashSet::new();
    for input in &all_inputs {
        let source = &config.sources[input.source];
        let entity = source.entity();
        let (binding, bound) = bind_columns(&input.headers, entity, &source.columns);
        if input.is_new {
            warn_unbound(report, input, source, entity, &bound);
        }
        let cells: Vec<Vec<String>> = input.rows.iter().map(|(_, _, c)| c.clone()).collect();
        let fixed_partner = match source.partner_assignment() {
            PartnerAssignment::Fixed(p) => Some(p),
            PartnerAssignment::FromColumn => None,
        };
        let ctx = InputContext::infer(
            &source.name,
            entity,
            binding,
            &cells,
            source.date_format.as_deref(),
            fixed_partner,
            source.currency.clone(),
        );
        let rank = config.precedence_rank(&source.name);
        let sha_tag = format!("{}#{}", input.input_seq, source.name);
        for (record_id, line, values) in &input.rows {
            let rejection: Option<Rejection> = if entity == Entity::Opportunities {
                match normalize_opportunity(&ctx, &lookups, values) {
                    Ok(row) => {
                        record_info.insert(*record_id, classify::RecordInfo::new(input.source, input.is_new, &row, &sha_tag, *line));
                        opportunity_records.push(ResolveRecord {
                            record_id: *record_id,
                            source: source.name.clone(),
                            source_rank: rank,
                            arrival: (input.input_seq, *line),
                            fallback_key: format!("{}:{}:{}", source.name, input.input_seq, line),
                            row,
                        });
                        None
                    }
                    Err(r) => Some(r),
                }
            } else {
                match normalize_entity_row(&ctx, &lookups, values) {
                    Ok(row) => {
                        writer.insert_entity_row(entity, &row, *record_id)?;
                        writer.insert_lineage(&format!("{}:{record_id}", entity.name()), entity, *record_id, "loaded", None)?;
                        if input.is_new {
                            report.sources[input.source].new += 1;
                        }
                        None
                    }
                    Err(r) => Some(r),
                }
            };
            if let Some(r) = rejection {
                let suggestions = serde_json::to_string(
                    &r.suggestions.iter().map(|s| serde_json::json!({"id": s.id, "label": s.label, "score": s.score})).collect::<Vec<_>>(),
                )
                .unwrap_or_else(|_| "[]".into());
                writer.insert_quarantine(&QuarantineEntry {
                    record_id: *record_id,
                    source: source.name.clone(),
                    locator: input.locator.clone(),
                    line: *line,
                    field: Some(r.field.clone()),
                    value: r.value.clone(),
                    reason: r.reason.clone(),
                    suggestions_json: suggestions,
                })?;
                quarantined_now.insert(*record_id);
                if input.is_new {
                    report.sources[input.source].quarantined += 1;
                    *report.sources[input.source].reasons.entry(r.field).or_default() += 1;
                }
            }
            progress.advance(1);
        }
        for (record_id, line, message, _) in &input.errors {
            writer.insert_quarantine(&QuarantineEntry {
                record_id: *record_id,
                source: source.name.clone(),
                locator: input.locator.clone(),
                line: *line,
                field: None,
                value: None,
                reason: message.clone(),
                suggestions_json: "[]".into(),
            })?;
            quarantined_now.insert(*record_id);
            if input.is_new {
                report.sources[input.source].quarantined += 1;
                *report.sources[input.source].reasons.entry("parse".into()).or_default() += 1;
            }
        }
    }
    progress.finish();

    // 5. Resolve opportunities into golden records and store them with lineage.
    progress.stage("resolve", opportunity_records.len() as u64);
    let golden = resolve(&opportunity_records);
    progress.finish();
    progress.stage("store", golden.len() as u64);
    for g in &golden {
        writer.insert_opportunity(&g.opportunity, &g.partners)?;
        let ties: HashMap<i64, &str> = g.ties.iter().map(|(id, t)| (*id, t.as_str())).collect();
        for (record_id, relation) in &g.members {
            writer.insert_lineage(
                &g.opportunity.opportunity_id,
                Entity::Opportunities,
                *record_id,
                relation.as_str(),
                ties.get(record_id).copied(),
            )?;
        }
        classify::count(g, &record_info, report);
        progress.advance(1);
    }
    progress.finish();
    report.golden_opportunities = golden.len() as u64;
    report.recovered = previously_quarantined.difference(&quarantined_now).count() as u64;
    report.quarantine_open = quarantined_now.len() as u64;
    progress.stage("metrics", 1);
    report.scorecard_periods = scorecard::write(&writer, project, Utc::now().date_naive())? as u64;
    progress.finish();

    // 6. Conservation, per source: every row read this run is accounted for.
    for s in &report.sources {
        if !s.balanced() {
            return Err(PipelineError::Conservation {
                source_name: s.name.clone(),
                read: s.read,
                new: s.new,
                updated: s.updated,
                merged: s.merged,
                quarantined: s.quarantined,
                skipped: s.skipped,
            });
        }
    }
    let finished = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    report.run_id = Some(writer.run_id());
    writer.commit(&finished, &project.fingerprint, &report.to_json().to_string())?;
    Ok(())
}

/// Warns once per new input about required fields no column feeds.
fn warn_unbound(
    report: &mut RunReport,
    input: &InputRows,
    source: &SourceConfig,
    entity: Entity,
    bound: &[watershed_ingest::detect::BoundColumn],
) {
    let fixed = matches!(source.partner_assignment(), PartnerAssignment::Fixed(_));
    let missing: Vec<&str> = entity
        .fields()
        .iter()
        .filter(|f| f.required && !(fixed && f.kind == FieldKind::Partner))
        .filter(|f| !bound.iter().any(|b| b.field == Some(f.name)))
        .map(|f| f.name)
        .collect();
    if input.headers.is_empty() || missing.is_empty() {
        return;
    }
    let unmapped: Vec<&str> = bound.iter().filter(|b| b.field.is_none()).map(|b| b.header.as_str()).collect();
    report.warnings.push(format!(
        "{}: no column for {} (unmapped headers: {}); map them in [sources.columns] of source `{}`",
        input.locator,
        missing.join(", "),
        if unmapped.is_empty() { "none".to_string() } else { unmapped.join(", ") },
        source.name
    ));
}

/// Convenience for callers that only need counts by table (tests, status).
pub fn table_counts(store: &Store) -> Result<BTreeMap<String, i64>, PipelineError> {
    let mut out = BTreeMap::new();
    for t in ["inputs", "raw_records", "opportunities", "opportunity_partners", "record_lineage", "quarantine"] {
        out.insert(t.to_string(), store.count(t)?);
    }
    for e in Entity::ALL.iter().filter(|e| **e != Entity::Opportunities) {
        out.insert(e.name().to_string(), store.count(e.name())?);
    }
    for t in ["partner_kpis", "health_scores", "alerts", "tier_status"] {
        if store.has_table(t)? {
            out.insert(t.to_string(), store.count(t)?);
        }
    }
    Ok(out)
}

//! The run: sources → raw layer → parse & detect → normalize → resolve → store.
//!
//! The governed dataset is a pure function of (raw records, mapping tables,
//! configuration): every run that has something to do stores its new inputs in the
//! raw layer and rebuilds the dataset from all raw records, inside one transaction.
//! Fixing a mapping and re-running is how quarantined records are retried. A run
//! whose inputs and mappings are unchanged does nothing.

mod classify;
pub mod explain;
mod progress;
mod report;
mod rows;
pub mod scorecard;

pub use progress::{NoProgress, Progress, StageClock};
pub use report::{RunReport, RunStatus, SourceSummary};

use chrono::Utc;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use watershed_config::{PartnerAssignment, Project, SourceConfig};
use watershed_ingest::{FileRead, FilesSource, Input, OfferedFile, ReadOptions, Source, SourceError, bind_columns, read_files};
use watershed_model::{Cells, Entity};
use watershed_normalize::{InputContext, Lookups, Rejection};
use watershed_resolve::{HumanDecision, MatchSettings, Records, ResolveRecord, resolve_with};
use watershed_store::{QuarantineEntry, RawRow, Store, StoreError, ViolationEntry};
use watershed_validate::Severity;

/// Why a run failed. Nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store URL is not one this build can open.
    #[error("store url `{0}` is not supported (use sqlite://PATH or postgres://user@host/db)")]
    UnsupportedStore(String),
    /// Another run committed while this one waited for the store's write lock.
    #[error("another `watershed run` committed new inputs while this one waited for the store; nothing was written\n  help: run again")]
    ConcurrentRun,
    /// The configured PostgreSQL store could not be opened.
    #[error(
        "cannot open the store at {0} (schema {1}): {2}\n  help: check [store] url in watershed.toml and that the server accepts connections"
    )]
    StoreUnavailable(String, String, #[source] StoreError),
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

/// What the governed dataset is a function of besides the raw records: the
/// configuration, the mapping tables, people's match decisions and Watershed's version.
fn fingerprint(project: &Project, store: &Store) -> Result<String, PipelineError> {
    let reviews = store.review_decisions()?;
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut hasher, project.fingerprint.as_bytes());
    // A new version of Watershed may compute differently: it rebuilds, and `kpis` does not
    // serve an older version's stored scorecards.
    sha2::Digest::update(&mut hasher, concat!("watershed ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
    for (a, b, same) in &reviews {
        sha2::Digest::update(&mut hasher, format!("{a}\u{1}{b}\u{1}{same}\n").as_bytes());
    }
    Ok(format!("{:x}", sha2::Digest::finalize(hasher)))
}

/// Whether the stored dataset (and the scorecards stored with it) was built from the
/// current configuration, mapping tables and match decisions — what a run over the same
/// raw records would rebuild identically.
pub fn dataset_is_current(project: &Project, store: &Store) -> Result<bool, PipelineError> {
    Ok(store.last_fingerprint()?.as_deref() == Some(fingerprint(project, store)?.as_str()))
}

/// The scored matcher's settings from `[resolve]`, or None when matching is off.
pub fn match_settings(config: &watershed_config::ResolveConfig) -> Option<MatchSettings> {
    let d = MatchSettings::default();
    config.matching.then(|| MatchSettings {
        merge_threshold: config.merge_threshold.unwrap_or(d.merge_threshold),
        review_threshold: config.review_threshold.unwrap_or(d.review_threshold),
        date_window_days: config.date_window_days.unwrap_or(d.date_window_days),
        threads: d.threads,
    })
}

/// Who is acting, for the audit log: `WATERSHED_ACTOR`, else the login name.
pub fn actor() -> String {
    ["WATERSHED_ACTOR", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Opens the project's store: the SQLite file, or the PostgreSQL schema `[store] url`
/// and `schema` name.
pub fn open_store(project: &Project) -> Result<Store, PipelineError> {
    let store = &project.config.store;
    if let Some(path) = project.config.sqlite_path(&project.root) {
        return Ok(Store::open(&path)?);
    }
    if store.url.starts_with("postgres://") || store.url.starts_with("postgresql://") {
        return Store::connect_postgres(&store.url, &store.schema)
            .map_err(|e| PipelineError::StoreUnavailable(store.display_url(), store.schema.clone(), e));
    }
    Err(PipelineError::UnsupportedStore(store.display_url()))
}

/// A new input read and parsed in this run (a file, a workbook sheet or an archive member).
struct NewInput {
    source: usize,
    input: Input,
}

/// An input's rows as the rebuild sees them (old or new).
struct InputRows {
    source: usize,
    locator: String,
    input_seq: i64,
    is_new: bool,
    headers: Vec<String>,
    /// Shared with the store, which may still be writing them to the raw layer.
    rows: watershed_store::SharedRows,
    errors: Vec<(i64, u64, String, Vec<String>)>,
}

impl InputRows {
    /// How many data rows the input has.
    fn len(&self) -> usize {
        self.rows.iter().map(|part| part.len()).sum()
    }
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
    let options: Vec<ReadOptions> = config
        .sources
        .iter()
        .map(|s| ReadOptions { delimiter: s.delimiter_byte(), sheets: s.sheets.clone(), ..ReadOptions::default() })
        .collect();
    // Every source's files listed, then read, hashed and parsed on all cores, one file
    // at a time where large; a file the raw layer holds is dropped as soon as it is hashed.
    let known = store.input_hashes()?;
    let mut files: Vec<(OfferedFile, &ReadOptions)> = Vec::new();
    let mut sources_of: Vec<usize> = Vec::new();
    for (index, source) in config.sources.iter().enumerate() {
        match FilesSource::new(source.clone()).offers(&project.root) {
            Ok(offered) => {
                for file in offered {
                    sources_of.push(index);
                    files.push((file, &options[index]));
                }
            }
            Err(e) => report.sources[index].error = Some(e.to_string()),
        }
    }
    progress.stage("read", files.len() as u64);
    let paths: Vec<String> = files.iter().map(|(file, _)| file.path.display().to_string()).collect();
    let outcomes = read_files(files, |i, sha256| known.contains(&(config.sources[sources_of[i]].name.clone(), sha256.to_string())));
    progress.advance(outcomes.len() as u64);
    new_inputs.extend(sort_out_files(&sources_of, &paths, outcomes, &mut report.sources, &mut report.warnings));
    progress.finish();

    let current = fingerprint(project, &store)?;
    if new_inputs.is_empty() && store.last_fingerprint()?.as_deref() == Some(current.as_str()) {
        let finished = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        report.run_id = Some(store.record_up_to_date(&started_text, &finished, &current)?);
        report.status = RunStatus::UpToDate;
        report.elapsed_ms = (Utc::now() - started).num_milliseconds();
        return Ok(report);
    }

    // 2. Everything the raw layer already holds, from before this run.
    let source_index: HashMap<&str, usize> = config.sources.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let mut all_inputs: Vec<InputRows> = Vec::new();
    progress.stage("load raw layer", 1);
    let stored_inputs = store.load_inputs()?;
    let inputs_loaded = stored_inputs.iter().map(|i| i.input_id).max().unwrap_or(0);
    progress.finish();
    for stored in stored_inputs {
        if let Some(&source) = source_index.get(stored.source.as_str()) {
            all_inputs.push(InputRows {
                source,
                locator: stored.locator,
                input_seq: stored.input_id,
                is_new: false,
                headers: stored.headers,
                // In the parts a new input's rows come in: each freed once normalized.
                rows: watershed_store::in_parts(stored.rows.into_iter()),
                errors: stored.errors,
            });
        }
    }

    let outcome = rebuild(project, &mut store, &started_text, new_inputs, (all_inputs, inputs_loaded), &mut report, progress);
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

/// Sorts what reading the listed files gave (`outcomes`, file `i` of source
/// `sources_of[i]` at `paths[i]`) into the run's new inputs, in listing order, and each
/// source's counts: a file whose content the raw layer holds, or came earlier in the same
/// source, is an unchanged input; a file that cannot be read fails its source, none of
/// whose files is then taken this run (as when its glob is invalid).
fn sort_out_files(
    sources_of: &[usize],
    paths: &[String],
    outcomes: Vec<FileRead>,
    summaries: &mut [SourceSummary],
    warnings: &mut Vec<String>,
) -> Vec<NewInput> {
    for ((&index, path), outcome) in sources_of.iter().zip(paths).zip(&outcomes) {
        if let FileRead::Failed(error) = outcome
            && summaries[index].error.is_none()
        {
            let error = std::io::Error::new(error.kind(), error.to_string());
            let failure = SourceError::Read { source_name: summaries[index].name.clone(), path: path.clone(), error };
            summaries[index].error = Some(failure.to_string());
        }
    }
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    let mut new_inputs = Vec::new();
    for (&index, outcome) in sources_of.iter().zip(outcomes) {
        if summaries[index].error.is_some() {
            continue;
        }
        match outcome {
            FileRead::Known { .. } => summaries[index].inputs_unchanged += 1,
            // The same content twice in one source is one input.
            FileRead::New { sha256, .. } if !seen.insert((index, sha256.clone())) => summaries[index].inputs_unchanged += 1,
            FileRead::New { inputs, .. } => {
                for input in inputs {
                    for warning in &input.parsed.warnings {
                        warnings.push(format!("{}: {warning}", input.locator));
                    }
                    new_inputs.push(NewInput { source: index, input });
                }
            }
            FileRead::Failed(_) => {}
        }
    }
    new_inputs
}

fn rebuild(
    project: &Project,
    store: &mut Store,
    started_text: &str,
    new_inputs: Vec<NewInput>,
    (mut all_inputs, inputs_loaded): (Vec<InputRows>, i64),
    report: &mut RunReport,
    progress: &mut dyn Progress,
) -> Result<(), PipelineError> {
    let config = &project.config;
    let current_fingerprint = fingerprint(project, store)?;
    let human_decisions = store.review_decisions()?;
    let writer = store.begin_run(started_text)?;
    if writer.inputs_held() != inputs_loaded {
        // Another run committed new inputs while this one waited for the lock: rebuilding
        // from what was loaded before would drop them.
        return Err(PipelineError::ConcurrentRun);
    }
    let previously_quarantined: HashSet<i64> = writer.quarantined_ids()?.into_iter().collect();

    // 3. Raw layer: store the new inputs, row by row, as received. The rows are shared
    // with the store, which writes them while the run goes on to normalize them (SQLite:
    // on its writer thread).
    let total_rows: u64 = new_inputs.iter().map(|i| i.input.parsed.read_count()).sum();
    progress.stage("store raw", total_rows);
    for input in new_inputs {
        let source = &config.sources[input.source];
        // Owned: the rows move on to the rebuild instead of being copied (a copy of every
        // cell of a 1M-row program is hundreds of MB).
        let p = input.input.parsed;
        let read = p.read_count();
        let input_id = writer.insert_input(
            &source.name,
            &input.input.locator,
            &input.input.key,
            input.input.size,
            source.entity(),
            p.encoding,
            p.delimiter.unwrap_or(0),
            p.header_line,
            &p.headers,
            read,
        )?;
        let rows = writer.insert_raw_rows(input_id, p.rows.into_iter().map(|row| (row.line, row.values)))?;
        let mut errors = Vec::with_capacity(p.errors.len());
        for e in p.errors {
            let id = writer.insert_raw(input_id, e.line, "error", Some(&e.message), &e.values)?;
            errors.push((id, e.line, e.message, e.values));
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
            locator: input.input.locator,
            input_seq: input_id,
            is_new: true,
            headers: p.headers,
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

    // In parts allocated at their full size (a million records are ~500 MB): no copying
    // as they grow, and resolution frees them a part at a time.
    let mut opportunity_records = Records::new();
    let total: u64 = all_inputs.iter().map(|i| i.len() as u64).sum();
    progress.stage("normalize", total);
    let mut quarantined_now: HashSet<i64> = HashSet::new();
    let rules = config.quality.rules();
    let corrections = corrections_by_row(&project.mappings.corrections);
    // Each part of an input's raw rows is dropped once it is normalized (and, for a new
    // input, written to the raw layer): nothing later reads them.
    for input in all_inputs {
        let source = &config.sources[input.source];
        let entity = source.entity();
        let (binding, bound) = bind_columns(&input.headers, entity, &source.columns);
        if input.is_new {
            warn_unbound(report, &input, source, entity, &bound);
        }
        let (ctx, mut corrected) = {
            let rows: Vec<&RawRow> = input.rows.iter().flat_map(|part| part.iter()).collect();
            let (ctx, cells) = input_context(source, binding, &corrections, &input.locator, &rows);
            (ctx, corrected_only(cells))
        };
        let rank = config.precedence_rank(&source.name);
        // Interned once per input, copied into each of its records.
        let source_symbol = watershed_model::Symbol::from(source.name.as_str());
        // Normalized and validated a part at a time (a million rows' outcomes at once would
        // be half a GB), uniqueness checked across the whole input as the rows go by.
        // Sized for the input's rows only where the rule applies (opportunity inputs).
        let keys_expected = if entity == Entity::Opportunities { input.len() } else { 0 };
        let mut duplicates = watershed_validate::DuplicateCheck::new(&rules, keys_expected);
        let mut row_index = 0usize;
        for part_rows in input.rows {
            let part_cells = cells_of_part(&part_rows, row_index, &mut corrected);
            let outcomes = rows::normalize_rows(&ctx, &lookups, &rules, &part_cells);
            drop(part_cells);
            for ((record_id, line, _), mut outcome) in part_rows.iter().zip(outcomes) {
                if let Outcome::Opportunity(row, list) = &mut outcome {
                    list.extend(duplicates.check(row_index, row.external_id.as_deref(), &row.partner_id));
                }
                row_index += 1;
                let (violations, rejection) = match outcome {
                    Outcome::Rejected(r) => (Vec::new(), Some(r)),
                    Outcome::Opportunity(row, violations) => {
                        let error = violations.iter().find(|v| v.severity == Severity::Error).map(rule_rejection);
                        if error.is_none() {
                            opportunity_records.push(ResolveRecord {
                                record_id: *record_id,
                                source: source_symbol,
                                source_rank: rank,
                                arrival: (input.input_seq, *line),
                                fallback_key: fallback_key(&row, &source.name, input.input_seq, *line),
                                row: *row,
                            });
                        }
                        (violations, error)
                    }
                    Outcome::Entity(row, violations) => {
                        let error = violations.iter().find(|v| v.severity == Severity::Error).map(rule_rejection);
                        if error.is_none() {
                            // The row keeps its record id: that is its lineage (one row,
                            // one source record), so record_lineage does not repeat it.
                            writer.insert_entity_row(entity, &row, *record_id)?;
                            if input.is_new {
                                report.sources[input.source].new += 1;
                            }
                        }
                        (violations, error)
                    }
                };
                for v in &violations {
                    writer.insert_violation(&ViolationEntry {
                        rule: v.rule,
                        severity: v.severity.as_str(),
                        source: &source.name,
                        locator: &input.locator,
                        line: Some(*line),
                        record_id: Some(*record_id),
                        golden_id: None,
                        field: v.field,
                        message: &v.message,
                    })?;
                    *report.violations.entry(v.rule.to_string()).or_default() += 1;
                }
                if let Some(r) = rejection {
                    let suggestions = serde_json::to_string(
                        &r.suggestions
                            .iter()
                            .map(|s| serde_json::json!({"id": s.id, "label": s.label, "score": s.score}))
                            .collect::<Vec<_>>(),
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
            }
            progress.advance(part_rows.len() as u64);
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
    // The raw layer's and the other entities' references are checked while resolution runs.
    writer.check_references()?;

    // 5. Resolve opportunities into golden records and store them with lineage.
    progress.stage("resolve", opportunity_records.len() as u64);
    let matcher = match_settings(&config.resolve);
    let humans: Vec<HumanDecision> = human_decisions.into_iter().map(|(left, right, same)| HumanDecision { left, right, same }).collect();
    let resolution = resolve_with(opportunity_records, matcher.as_ref(), &humans);
    progress.finish();
    // Storing: the matcher's decisions, then the golden records with their lineage.
    progress.stage("store", resolution.golden.len() as u64);
    for d in &resolution.decisions {
        writer.insert_match_decision(
            &d.left,
            &d.right,
            d.records.0,
            d.records.1,
            d.score.total,
            &d.score.describe(),
            d.decision.as_str(),
        )?;
        *report.matching.entry(d.decision.as_str().to_string()).or_default() += 1;
    }
    report.comparisons = resolution.comparisons;
    let golden = resolution.golden;
    let today = Utc::now().date_naive();
    writer.reserve_opportunities(golden.len(), golden.partner_links());
    let golden_count = golden.len() as u64;
    // What the golden-level rules and the run's counts need of each member, besides its
    // record.
    let member_sources = classify::MemberSources::new(config.sources.iter().map(|s| s.name.as_str()), inputs_loaded);
    // Each golden record is built (a part at a time, on every core) as the loop reaches it,
    // stored and let go: they are never all in memory. They come in the order of their
    // first record, so the normalized records go a part at a time as they are used up
    // (in id order they would all be needed to the end). The price: the opportunities'
    // primary key is inserted in that order, not ascending, and the metrics' copy is
    // sorted by id — neither measurable in the run's time at 1M.
    golden.drain_by_first_record(|g, member_records| -> Result<(), PipelineError> {
        let member_infos: Vec<(classify::MemberInfo, watershed_resolve::Relation)> =
            member_records.iter().zip(&g.members).filter_map(|(r, (_, relation))| Some((member_sources.info(r)?, *relation))).collect();
        let members: Vec<watershed_validate::Member> = member_infos
            .iter()
            .map(|(r, _)| watershed_validate::Member { source: &config.sources[r.source].name, amount: r.amount, stage: r.stage })
            .collect();
        for v in watershed_validate::check_golden(&rules, &g.opportunity, &members, today) {
            writer.insert_violation(&ViolationEntry {
                rule: v.rule,
                severity: v.severity.as_str(),
                source: "",
                locator: "",
                line: None,
                record_id: g.members.first().map(|(id, _)| *id),
                golden_id: Some(&g.opportunity.opportunity_id),
                field: v.field,
                message: &v.message,
            })?;
            *report.violations.entry(v.rule.to_string()).or_default() += 1;
        }
        // A golden record has a handful of members: a scan beats building a map for each.
        let tie_of = |record_id: i64| g.ties.iter().find(|(id, _)| *id == record_id).map(|(_, t)| t.as_str());
        for (record_id, relation) in &g.members {
            writer.insert_lineage(
                &g.opportunity.opportunity_id,
                Entity::Opportunities,
                *record_id,
                relation.as_str(),
                tie_of(*record_id),
            )?;
        }
        classify::count(&member_infos, report);
        // Last, by value: the run's in-memory dataset keeps the record instead of a copy.
        writer.insert_golden(g.opportunity, g.partners)?;
        progress.advance(1);
        Ok(())
    })?;
    progress.finish();
    drop(member_sources);
    report.golden_opportunities = golden_count;
    report.recovered = previously_quarantined.difference(&quarantined_now).count() as u64;
    report.quarantine_open = quarantined_now.len() as u64;
    drop((quarantined_now, previously_quarantined));
    progress.stage("metrics", 1);
    // The dataset first: the other entities' rows are read back from the store, which
    // then builds its indexes while the scorecards are computed.
    let data = writer.dataset()?;
    // Everything but the scorecards and the index is written: its sync starts now.
    writer.flush_in_background()?;
    writer.build_indexes()?;
    report.scorecard_periods = scorecard::write(&writer, project, &data, Utc::now().date_naive())? as u64;
    drop(data);
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
    let read: u64 = report.sources.iter().map(|s| s.read).sum();
    writer.audit(&watershed_store::AuditEntry {
        at: finished.clone(),
        actor: actor(),
        action: "run".into(),
        object: format!("run {}", writer.run_id()),
        old_value: None,
        new_value: Some(format!(
            "{read} rows read, {} golden opportunities, {} in quarantine",
            report.golden_opportunities, report.quarantine_open
        )),
    })?;
    // Committing builds the dataset's indexes and makes the transaction durable.
    progress.stage("commit", 1);
    writer.commit(&finished, &current_fingerprint, &report.to_json().to_string())?;
    progress.finish();
    Ok(())
}

/// A record's key when it has no external id (`sheets:3:17`: source, input, line); a
/// record with one does not need it (see `ResolveRecord::fallback_key`).
pub(crate) fn fallback_key(row: &watershed_model::SourceOpportunity, source: &str, input: i64, line: u64) -> watershed_model::Text {
    match row.external_id {
        Some(_) => watershed_model::Text::default(),
        None => watershed_model::format_text!("{source}:{input}:{line}"),
    }
}

/// A row after normalization and validation.
enum Outcome {
    /// An opportunity row with its rule violations.
    Opportunity(Box<watershed_model::SourceOpportunity>, Vec<watershed_validate::Violation>),
    /// Another entity's row with its rule violations.
    Entity(Vec<watershed_model::Value>, Vec<watershed_validate::Violation>),
    /// Rejected by normalization.
    Rejected(Rejection),
}

/// The rejection for a violated `error` rule.
fn rule_rejection(v: &watershed_validate::Violation) -> Rejection {
    Rejection {
        field: v.field.unwrap_or("row").to_string(),
        value: None,
        reason: format!("rule {} (error): {}; fix the source or set [quality] {} = \"warn\"", v.rule, v.message, v.rule),
        suggestions: Vec::new(),
    }
}

/// The corrected cells of an input by row index: what is left of its cells once the
/// context is inferred (the other rows' cells are read from the raw rows themselves).
fn corrected_only(cells: Vec<Cow<'_, Cells>>) -> HashMap<usize, Cells> {
    cells
        .into_iter()
        .enumerate()
        .filter_map(|(i, cells)| match cells {
            Cow::Owned(cells) => Some((i, cells)),
            Cow::Borrowed(_) => None,
        })
        .collect()
}

/// The cells of a part of an input's rows whose first row is row `first` of the input:
/// the corrected cells where `corrected` has them (taken out), the raw rows' otherwise.
fn cells_of_part<'a>(part: &'a [RawRow], first: usize, corrected: &mut HashMap<usize, Cells>) -> Vec<Cow<'a, Cells>> {
    part.iter().enumerate().map(|(i, (_, _, cells))| corrected.remove(&(first + i)).map_or(Cow::Borrowed(cells), Cow::Owned)).collect()
}

/// The normalization context of an input, with its cells after the governed
/// corrections (which replace cells before anything is inferred from them). Rows
/// without corrections are borrowed, not copied.
pub(crate) fn input_context<'a>(
    source: &SourceConfig,
    mut binding: watershed_normalize::ColumnBinding,
    corrections: &CorrectionIndex,
    locator: &str,
    rows: &[&'a RawRow],
) -> (InputContext, Vec<Cow<'a, Cells>>) {
    let mut cells: Vec<Cow<'a, Cells>> = rows.iter().map(|(_, _, c)| Cow::Borrowed(c)).collect();
    apply_corrections(corrections, &source.name, locator, rows, &mut binding, &mut cells);
    let fixed_partner = match source.partner_assignment() {
        PartnerAssignment::Fixed(p) => Some(p),
        PartnerAssignment::FromColumn => None,
    };
    let ctx = InputContext::infer(
        &source.name,
        source.entity(),
        binding,
        &cells,
        source.date_format.as_deref(),
        fixed_partner,
        source.currency.clone(),
    );
    (ctx, cells)
}

/// Corrections by (source, file, line): (field, value).
type CorrectionIndex = HashMap<(String, String, u64), Vec<(String, String)>>;

fn corrections_by_row(list: &[watershed_config::Correction]) -> CorrectionIndex {
    let mut out: CorrectionIndex = HashMap::new();
    for c in list {
        out.entry((c.source.clone(), c.file.clone(), c.line)).or_default().push((c.field.clone(), c.value.clone()));
    }
    out
}

/// Replaces the corrected cells of an input's rows; a corrected field no column feeds
/// gets a column of its own.
fn apply_corrections(
    corrections: &CorrectionIndex,
    source: &str,
    locator: &str,
    rows: &[&RawRow],
    binding: &mut watershed_normalize::ColumnBinding,
    cells: &mut [Cow<'_, Cells>],
) {
    if corrections.is_empty() {
        return;
    }
    for (i, (_, line, _)) in rows.iter().enumerate() {
        let Some(list) = corrections.get(&(source.to_string(), locator.to_string(), *line)) else { continue };
        for (field, value) in list {
            let Some(spec) = watershed_model::Entity::ALL.iter().flat_map(|e| e.fields()).find(|f| f.name == field.as_str()) else {
                continue;
            };
            let column = match binding.columns.iter().position(|c| *c == Some(spec.name)) {
                Some(c) => c,
                None => {
                    binding.columns.push(Some(spec.name));
                    binding.columns.len() - 1
                }
            };
            cells[i].to_mut().set(column, value);
        }
    }
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
    let missing = watershed_ingest::missing_required(entity, bound, fixed);
    if input.headers.is_empty() || missing.is_empty() {
        return;
    }
    let problem = watershed_ingest::UnmappedFields { locator: input.locator.clone(), source: source.name.clone(), entity, missing };
    report.warnings.push(problem.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_rows(count: usize) -> Vec<RawRow> {
        (0..count).map(|i| (i as i64 + 1, i as u64 + 2, Cells::new([format!("v{i}")]))).collect()
    }

    #[test]
    fn an_inputs_rows_are_normalized_in_parts_with_their_corrections_in_place() {
        let count = 2 * watershed_store::RAW_PART + 3;
        assert!(watershed_store::in_parts(std::iter::empty()).is_empty(), "no rows, no parts");
        let parts = watershed_store::in_parts(raw_rows(count).into_iter());
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![watershed_store::RAW_PART, watershed_store::RAW_PART, 3]);
        // Corrections in the first part, just past a part boundary and in the last row.
        let fixed = [5, watershed_store::RAW_PART + 1, count - 1];
        let all: Vec<&RawRow> = parts.iter().flat_map(|p| p.iter()).collect();
        let cells: Vec<Cow<'_, Cells>> = all
            .iter()
            .enumerate()
            .map(|(i, (_, _, c))| if fixed.contains(&i) { Cow::Owned(Cells::new([format!("fixed {i}")])) } else { Cow::Borrowed(c) })
            .collect();
        let mut corrected = corrected_only(cells);
        assert_eq!(corrected.len(), 3);
        let mut first = 0;
        let mut seen = Vec::new();
        for part in &parts {
            for (i, cells) in cells_of_part(part, first, &mut corrected).iter().enumerate() {
                let row = first + i;
                let expected = if fixed.contains(&row) { format!("fixed {row}") } else { format!("v{row}") };
                assert_eq!(cells.get(0), Some(expected.as_str()), "row {row}");
                seen.push(part[i].0);
            }
            first += part.len();
        }
        assert!(corrected.is_empty(), "every correction was used once");
        assert_eq!(seen, (1..=count as i64).collect::<Vec<_>>(), "every row once, in order");
    }

    #[test]
    fn read_outcomes_give_new_inputs_in_order_and_an_unreadable_file_fails_its_source() {
        let input = |locator: &str, warning: Option<&str>| {
            let mut parsed = watershed_ingest::ParsedInput::empty(watershed_ingest::Format::Delimited, "UTF-8");
            parsed.warnings.extend(warning.map(str::to_string));
            Input { locator: locator.into(), key: locator.into(), size: 1, parsed }
        };
        let new = |sha: &str, inputs: Vec<Input>| FileRead::New { sha256: sha.into(), inputs };
        let outcomes = vec![
            new("x", vec![input("a/1.csv", Some("odd bytes"))]),
            FileRead::Failed(std::io::Error::new(std::io::ErrorKind::NotFound, "gone")),
            new("y", vec![input("b/1.csv", Some("first"))]),
            new("y", vec![input("b/copy.csv", Some("never seen"))]),
            FileRead::Known { sha256: "k".into() },
            new("z", vec![input("b/book.xlsx#One", None), input("b/book.xlsx#Two", None)]),
        ];
        let sources_of = [0, 0, 1, 1, 1, 1];
        let paths: Vec<String> =
            ["/p/a/1.csv", "/p/a/gone.csv", "/p/b/1.csv", "/p/b/copy.csv", "/p/b/old.csv", "/p/b/book.xlsx"].map(String::from).into();
        let mut summaries = vec![
            SourceSummary { name: "a".into(), ..SourceSummary::default() },
            SourceSummary { name: "b".into(), ..SourceSummary::default() },
        ];
        let mut warnings = Vec::new();
        let taken = sort_out_files(&sources_of, &paths, outcomes, &mut summaries, &mut warnings);
        let taken: Vec<(usize, &str)> = taken.iter().map(|n| (n.source, n.input.locator.as_str())).collect();
        assert_eq!(taken, [(1, "b/1.csv"), (1, "b/book.xlsx#One"), (1, "b/book.xlsx#Two")]);
        assert_eq!(summaries[0].error.as_deref(), Some("source `a`: cannot read /p/a/gone.csv: gone"));
        assert_eq!((summaries[0].inputs_unchanged, summaries[1].inputs_unchanged), (0, 2));
        assert!(summaries[1].error.is_none());
        assert_eq!(warnings, ["b/1.csv: first"]);
    }
}

//! `explain --opportunity`: a golden record's members, and which member each field
//! survived from — recomputed from the raw layer with the rules of the run.

use crate::PipelineError;
use std::collections::BTreeMap;
use watershed_config::Project;
use watershed_ingest::bind_columns;
use watershed_normalize::{Lookups, normalize_opportunity};
use watershed_resolve::{FieldSource, ResolveRecord, survivorship};
use watershed_store::{LineageRow, Store};

/// Everything `explain --opportunity` shows.
#[derive(Debug, Clone)]
pub struct OpportunityExplanation {
    /// The golden record's id.
    pub opportunity_id: String,
    /// Its member records with their provenance, survivor first.
    pub members: Vec<LineageRow>,
    /// Each member's cells as received, by header.
    pub rows: BTreeMap<i64, Vec<(String, String)>>,
    /// The survivorship decision per field.
    pub fields: Vec<FieldSource>,
}

/// Explains golden opportunity `opportunity_id`; `None` when there is no such record.
pub fn explain_opportunity(
    project: &Project,
    store: &Store,
    opportunity_id: &str,
) -> Result<Option<OpportunityExplanation>, PipelineError> {
    let members = store.lineage(opportunity_id)?;
    if members.is_empty() {
        return Ok(None);
    }
    let lookups = Lookups::new(&project.mappings, &project.config.program.reporting_currency);
    let mut inputs: Vec<i64> = members.iter().map(|m| m.input_id).collect();
    inputs.sort_unstable();
    inputs.dedup();
    let corrections = crate::corrections_by_row(&project.mappings.corrections);
    let mut records = Vec::new();
    let mut rows = BTreeMap::new();
    for input_id in inputs {
        let Some(input) = store.load_input(input_id)? else { continue };
        let Some(source) = project.config.sources.iter().find(|s| s.name == input.source) else { continue };
        let entity = source.entity();
        let (binding, _) = bind_columns(&input.headers, entity, &source.columns);
        let raw_rows: Vec<&watershed_store::RawRow> = input.rows.iter().collect();
        let (ctx, cells) = crate::input_context(source, binding, &corrections, &input.locator, &raw_rows);
        for ((record_id, line, _), values) in input.rows.iter().zip(&cells) {
            if !members.iter().any(|m| m.record_id == *record_id) {
                continue;
            }
            rows.insert(*record_id, input.headers.iter().cloned().zip(values.iter().map(str::to_string)).collect());
            if let Ok(row) = normalize_opportunity(&ctx, &lookups, values) {
                records.push(ResolveRecord {
                    record_id: *record_id,
                    source: source.name.as_str().into(),
                    source_rank: project.config.precedence_rank(&source.name),
                    arrival: (input.input_id, *line),
                    fallback_key: crate::fallback_key(&row, &source.name, input.input_id, *line),
                    row,
                });
            }
        }
    }
    Ok(Some(OpportunityExplanation { opportunity_id: opportunity_id.to_string(), fields: survivorship(&records), members, rows }))
}

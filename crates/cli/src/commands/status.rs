//! `watershed status` and `watershed quarantine list`.

use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::path::Path;

/// Runs, dataset counts and the quarantine size.
pub fn status(dir: &Path, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let runs = store.runs(10).map_err(Failure::run)?;
    let counts = watershed_pipeline::table_counts(&store).map_err(Failure::run)?;
    if format == OutputFormat::Json {
        let runs: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| serde_json::json!({"run_id": r.run_id, "started_at": r.started_at, "status": r.status, "summary": r.summary.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({"runs": runs, "counts": counts})).unwrap_or_default());
        return Ok(());
    }
    println!("{} — store {}", project.config.program.name, project.config.store.url);
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["run", "started (UTC)", "status"]);
    for r in &runs {
        table.add_row(vec![r.run_id.to_string(), r.started_at.clone(), r.status.clone()]);
    }
    println!("{table}");
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["table", "rows"]);
    for (name, n) in &counts {
        table.add_row(vec![name.clone(), n.to_string()]);
    }
    println!("{table}");
    Ok(())
}

/// Quarantined records, optionally of one source.
pub fn quarantine_list(dir: &Path, source: Option<&str>, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let rows: Vec<_> = store.quarantine().map_err(Failure::run)?.into_iter().filter(|q| source.is_none_or(|s| q.source == s)).collect();
    match format {
        OutputFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|q| serde_json::json!({"record_id": q.record_id, "source": q.source, "file": q.locator, "line": q.line, "field": q.field, "value": q.value, "reason": q.reason, "row": q.values}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["record_id", "source", "file", "line", "field", "value", "reason", "row"]).map_err(Failure::run)?;
            for q in &rows {
                let line = q.line.to_string();
                let id = q.record_id.to_string();
                let raw = q.values.join(" | ");
                w.write_record([
                    id.as_str(),
                    &q.source,
                    &q.locator,
                    &line,
                    q.field.as_deref().unwrap_or(""),
                    q.value.as_deref().unwrap_or(""),
                    &q.reason,
                    &raw,
                ])
                .map_err(Failure::run)?;
            }
            w.flush().map_err(Failure::run)?;
        }
        OutputFormat::Table => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            table.set_header(vec!["source", "file:line", "field", "value", "reason"]);
            for q in &rows {
                table.add_row(vec![
                    q.source.clone(),
                    format!("{}:{}", q.locator, q.line),
                    q.field.clone().unwrap_or_default(),
                    q.value.clone().unwrap_or_default(),
                    q.reason.clone(),
                ]);
            }
            println!("{table}");
            println!(
                "{} quarantined records. Fix the mapping tables (or the source file) and run again; fixed records leave quarantine.",
                rows.len()
            );
        }
    }
    Ok(())
}

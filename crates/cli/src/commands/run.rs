//! `watershed run` and its closing summary.

use crate::commands::load_project;
use crate::progress::Bars;
use crate::{Failure, OutputFormat};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use std::path::Path;
use watershed_pipeline::{RunReport, RunStatus};

/// Runs the pipeline and prints the summary.
pub fn run(dir: &Path, format: OutputFormat, quiet: bool) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let mut bars = Bars::new(quiet || format != OutputFormat::Table);
    let report = watershed_pipeline::run(&project, &mut bars).map_err(Failure::run)?;
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()),
        _ => print!("{}", summary_text(&report)),
    }
    Ok(())
}

/// The closing summary: one line per source with the conservation equation.
pub fn summary_text(report: &RunReport) -> String {
    let mut out = String::new();
    if report.status == RunStatus::UpToDate {
        out.push_str(&format!("Up to date: no new input and unchanged mappings ({} ms). Nothing to do.\n", report.elapsed_ms));
        return out;
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "source",
        "entity",
        "inputs new/same",
        "read",
        "new",
        "updated",
        "merged",
        "quarantined",
        "skipped",
        "read = sum",
    ]);
    for s in &report.sources {
        let check = if s.error.is_some() {
            "source failed".to_string()
        } else if s.balanced() {
            "✓".to_string()
        } else {
            "✗".to_string()
        };
        let right = |n: u64| Cell::new(n).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            Cell::new(&s.name),
            Cell::new(&s.entity),
            Cell::new(format!("{}/{}", s.inputs_new, s.inputs_unchanged)).set_alignment(CellAlignment::Right),
            right(s.read),
            right(s.new),
            right(s.updated),
            right(s.merged),
            right(s.quarantined),
            right(s.skipped),
            Cell::new(check),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out.push_str(&format!(
        "Run {} committed in {} ms: {} golden opportunities; {} records in quarantine",
        report.run_id.unwrap_or_default(),
        report.elapsed_ms,
        report.golden_opportunities,
        report.quarantine_open
    ));
    if report.recovered > 0 {
        out.push_str(&format!(" ({} recovered by mapping changes)", report.recovered));
    }
    out.push_str(".\n");
    for s in &report.sources {
        if let Some(e) = &s.error {
            out.push_str(&format!("warning: {e}\n"));
        }
    }
    for w in &report.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    if report.quarantine_open > 0 {
        out.push_str("See why: watershed quarantine list\n");
    }
    out
}

//! `watershed inspect FILE`: what ingestion detects in a file, before any run.

use crate::{Failure, OutputFormat};
use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::path::Path;
use watershed_ingest::{bind_columns, parse_delimited};
use watershed_model::Entity;

/// How many parsed rows to show.
const SAMPLE_ROWS: usize = 10;

/// Prints the encoding, dialect, header, column → field binding and the first rows of `file`.
pub fn inspect(file: &Path, entity: &str, format: OutputFormat) -> Result<(), Failure> {
    let entity: Entity = entity.parse().map_err(|e: String| Failure::usage(anyhow::anyhow!(e)))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display())).map_err(Failure::usage)?;
    let parsed = parse_delimited(&bytes, None);
    let (_, bound) = bind_columns(&parsed.headers, entity, &BTreeMap::new());
    let delimiter = match parsed.delimiter {
        b'\t' => "\\t".to_string(),
        d => (d as char).to_string(),
    };
    let sample: Vec<&Vec<String>> = parsed.rows.iter().take(SAMPLE_ROWS).map(|r| &r.values).collect();
    if format == OutputFormat::Json {
        let fields: serde_json::Map<String, serde_json::Value> =
            bound.iter().map(|b| (b.header.clone(), b.field.map_or(serde_json::Value::Null, |f| f.into()))).collect();
        let detection: Vec<serde_json::Value> =
            bound.iter().map(|b| serde_json::json!({"header": b.header, "field": b.field, "how": b.how})).collect();
        let skipped: Vec<serde_json::Value> =
            parsed.skipped.iter().map(|s| serde_json::json!({"line": s.line, "reason": s.reason})).collect();
        let errors: Vec<serde_json::Value> =
            parsed.errors.iter().map(|e| serde_json::json!({"line": e.line, "message": e.message})).collect();
        let out = serde_json::json!({
            "file": file.display().to_string(),
            "entity": entity.name(),
            "encoding": parsed.encoding,
            "delimiter": delimiter,
            "quote": "\"",
            "header_row": parsed.header_line,
            "columns": parsed.headers,
            "fields": fields,
            "detection": detection,
            "row_count": parsed.rows.len(),
            "skipped": skipped,
            "errors": errors,
            "rows": sample,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!("{}", file.display());
    println!(
        "  encoding {} · delimiter `{delimiter}` · quote `\"` · header on line {} · {} data rows · {} skipped lines · {} unreadable rows",
        parsed.encoding,
        parsed.header_line,
        parsed.rows.len(),
        parsed.skipped.len(),
        parsed.errors.len()
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["column", "→ field", "how"]);
    for b in &bound {
        table.add_row(vec![b.header.clone(), b.field.unwrap_or("(unused)").to_string(), b.how.to_string()]);
    }
    println!("{table}");
    for s in &parsed.skipped {
        println!("  line {}: skipped ({})", s.line, s.reason);
    }
    for e in &parsed.errors {
        println!("  line {}: {}", e.line, e.message);
    }
    if !sample.is_empty() {
        let mut rows = Table::new();
        rows.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        rows.set_header(parsed.headers.clone());
        for r in &sample {
            rows.add_row((*r).clone());
        }
        println!("First {} rows as parsed:\n{rows}", sample.len());
    }
    Ok(())
}

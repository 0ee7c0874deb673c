//! `watershed inspect FILE`: what ingestion detects in a file, before any run — the
//! same readers and detector a run uses, so what it shows is what a run will read.
//!
//! When FILE lies in a project folder (a `watershed.toml` above it) and a source's path
//! glob matches it, that source's settings apply (delimiter, sheets, `[sources.columns]`,
//! date_format, fixed partner, entity unless `--entity` names another).

use crate::{Failure, OutputFormat};
use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use watershed_config::{PartnerAssignment, SourceConfig};
use watershed_ingest::dialect::delimiter_name;
use watershed_ingest::{
    BoundColumn, ColumnType, FilesSource, MissingField, ParsedInput, ReadOptions, bind_columns, infer_column_type, missing_required,
    read_bytes,
};
use watershed_model::Entity;

/// How many parsed rows to show.
const SAMPLE_ROWS: usize = 10;

/// The project source a file belongs to, if any: the project folder and the source.
fn project_source(file: &Path) -> Option<(PathBuf, SourceConfig)> {
    let absolute = file.canonicalize().ok()?;
    for dir in absolute.ancestors().skip(1) {
        let config_path = dir.join(watershed_config::CONFIG_FILE);
        if config_path.is_file() {
            let config = watershed_config::load_config(&config_path).ok()?;
            return config
                .sources
                .into_iter()
                .find(|s| FilesSource::new(s.clone()).matches(dir, &absolute))
                .map(|s| (dir.to_path_buf(), s));
        }
    }
    None
}

/// What inspect found in one input.
struct Inspected<'a> {
    locator: &'a str,
    parsed: &'a ParsedInput,
    bound: Vec<BoundColumn>,
    types: Vec<ColumnType>,
    missing: Vec<MissingField>,
}

/// Prints the encoding, dialect, header, column → field binding with confidence,
/// column types, skipped lines, unreadable rows and the first rows of `file`.
pub fn inspect(file: &Path, entity: &str, format: OutputFormat) -> Result<(), Failure> {
    let requested: Entity = entity.parse().map_err(|e: String| Failure::usage(anyhow::anyhow!(e)))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display())).map_err(Failure::usage)?;
    let source = project_source(file);
    let config = source.as_ref().map(|(_, s)| s);
    // `--entity` wins when given; otherwise the source's entity.
    let entity = match config {
        Some(s) if requested == Entity::Opportunities => s.entity(),
        _ => requested,
    };
    let options = ReadOptions {
        delimiter: config.and_then(SourceConfig::delimiter_byte),
        sheets: config.and_then(|s| s.sheets.clone()),
        ..ReadOptions::default()
    };
    let columns: BTreeMap<String, String> = config.map(|s| s.columns.clone()).unwrap_or_default();
    let fixed_partner = config.is_some_and(|s| matches!(s.partner_assignment(), PartnerAssignment::Fixed(_)));
    let date_format = config.and_then(|s| s.date_format.as_deref());
    let locator = match &source {
        Some((root, _)) => file
            .canonicalize()
            .ok()
            .and_then(|f| root.canonicalize().ok().and_then(|r| f.strip_prefix(r).ok().map(|p| p.to_string_lossy().replace('\\', "/"))))
            .unwrap_or_else(|| file.display().to_string()),
        None => file.display().to_string(),
    };
    let inputs = read_bytes(&locator, &bytes, &options);
    let inspected: Vec<Inspected<'_>> = inputs
        .iter()
        .map(|(locator, parsed)| {
            let (_, bound) = bind_columns(&parsed.headers, entity, &columns);
            let types = (0..parsed.headers.len())
                .map(|j| {
                    let values: Vec<&str> = parsed.rows.iter().map(|r| r.values.get(j).unwrap_or_default()).collect();
                    let hint = bound.get(j).and_then(|b| b.field).and_then(|f| entity.field(f)).map(|f| f.kind);
                    infer_column_type(&values, hint, date_format)
                })
                .collect();
            let missing = if parsed.headers.is_empty() { Vec::new() } else { missing_required(entity, &bound, fixed_partner) };
            Inspected { locator, parsed, bound, types, missing }
        })
        .collect();
    let source_name = config.map(|s| s.name.as_str());
    if format == OutputFormat::Json {
        let mut first = inspected.first().map(|i| to_json(i, entity, source_name)).unwrap_or_else(|| json!({}));
        if let Some(object) = first.as_object_mut() {
            object.insert("file".into(), file.display().to_string().into());
            object.insert("inputs".into(), Value::Array(inspected.iter().map(|i| to_json(i, entity, source_name)).collect()));
        }
        println!("{}", serde_json::to_string_pretty(&first).unwrap_or_default());
        return Ok(());
    }
    println!("{}", file.display());
    if let Some(name) = source_name {
        println!("  read as source `{name}` of the project (entity {entity})");
    }
    for i in &inspected {
        print_table(i);
    }
    Ok(())
}

fn printable(byte: Option<u8>) -> Value {
    byte.map_or(Value::Null, |b| delimiter_name(b).into())
}

/// One input as the JSON object of `inspect --format json`.
fn to_json(i: &Inspected<'_>, entity: Entity, source: Option<&str>) -> Value {
    let p = i.parsed;
    let fields: serde_json::Map<String, Value> =
        i.bound.iter().map(|b| (b.header.clone(), b.field.map_or(Value::Null, |f| f.into()))).collect();
    let detection: Vec<Value> = i
        .bound
        .iter()
        .zip(&i.types)
        .map(|(b, t)| {
            json!({"header": b.header, "field": b.field, "how": b.how, "confidence": b.confidence, "type": t.kind, "type_detail": t.describe()})
        })
        .collect();
    let types: serde_json::Map<String, Value> =
        i.bound.iter().zip(&i.types).map(|(b, t)| (b.header.clone(), t.describe().into())).collect();
    let missing: Vec<Value> = i
        .missing
        .iter()
        .map(|m| json!({"field": m.field, "candidates": m.candidates.iter().map(|(h, s)| json!({"header": h, "score": s})).collect::<Vec<_>>()}))
        .collect();
    let skipped: Vec<Value> = p.skipped.iter().map(|s| json!({"line": s.line, "reason": s.reason})).collect();
    let errors: Vec<Value> =
        p.errors.iter().map(|e| json!({"line": e.line, "column": e.column, "message": e.message, "raw": e.raw})).collect();
    let rows: Vec<&watershed_model::Cells> = p.rows.iter().take(SAMPLE_ROWS).map(|r| &r.values).collect();
    let row_lines: Vec<u64> = p.rows.iter().take(SAMPLE_ROWS).map(|r| r.line).collect();
    json!({
        "locator": i.locator,
        "source": source,
        "entity": entity.name(),
        "format": p.format.name(),
        "encoding": p.encoding,
        "bom": p.bom,
        "delimiter": printable(p.delimiter),
        "quote": printable(p.quote),
        "escape": if p.delimiter.is_some() { p.escape.map_or_else(|| Value::from("doubled quotes"), |e| delimiter_name(e).into()) } else { Value::Null },
        "header_row": p.header_line,
        "header_rows": p.header_lines,
        "columns": p.headers,
        "fields": fields,
        "detection": detection,
        "types": types,
        "missing_required": missing,
        "row_count": p.rows.len(),
        "skipped": skipped,
        "errors": errors,
        "notes": p.notes,
        "warnings": p.warnings,
        "rows": rows,
        "row_lines": row_lines,
    })
}

/// Consecutive lines of one reason as ranges: `1–2 preamble, 40 blank`.
fn skipped_summary(p: &ParsedInput) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < p.skipped.len() {
        let start = &p.skipped[i];
        let mut end = start.line;
        while i + 1 < p.skipped.len() && p.skipped[i + 1].reason == start.reason && p.skipped[i + 1].line == end + 1 {
            i += 1;
            end = p.skipped[i].line;
        }
        parts.push(if end == start.line {
            format!("{} {}", start.line, start.reason)
        } else {
            format!("{}–{end} {}", start.line, start.reason)
        });
        i += 1;
    }
    parts.join(", ")
}

fn print_table(i: &Inspected<'_>) {
    let p = i.parsed;
    println!();
    println!("{} — {}", i.locator, p.format.name());
    let mut facts = vec![format!("encoding {}{}", p.encoding, if p.bom { " (with BOM)" } else { "" })];
    if let (Some(d), Some(q)) = (p.delimiter, p.quote) {
        facts.push(format!("delimiter `{}`", delimiter_name(d)));
        facts.push(format!("quote `{}`", delimiter_name(q)));
        facts.push(match p.escape {
            Some(e) => format!("escape `{}`", delimiter_name(e)),
            None => "quotes doubled".to_string(),
        });
    }
    facts.push(match p.header_lines.as_slice() {
        [] => "no header".to_string(),
        [one] => format!("header on line {one}"),
        lines => format!("header on lines {}", lines.iter().map(u64::to_string).collect::<Vec<_>>().join(" and ")),
    });
    facts.push(format!("{} data rows", p.rows.len()));
    facts.push(format!("{} skipped", p.skipped.len()));
    facts.push(format!("{} unreadable", p.errors.len()));
    println!("  {}", facts.join(" · "));
    for note in &p.notes {
        println!("  note: {note}");
    }
    for warning in &p.warnings {
        println!("  warning: {warning}");
    }
    if !p.headers.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["column", "→ field", "how", "confidence", "values"]);
        for (b, t) in i.bound.iter().zip(&i.types) {
            table.add_row(vec![
                b.header.clone(),
                b.field.unwrap_or("(unused)").to_string(),
                b.how.to_string(),
                format!("{:.2}", b.confidence),
                t.describe(),
            ]);
        }
        println!("{table}");
    }
    for m in &i.missing {
        let candidates: Vec<String> = m.candidates.iter().map(|(h, s)| format!("\"{h}\" ({s:.2})")).collect();
        println!(
            "  missing: no column for required field {}{}; map one in [sources.columns]",
            m.field,
            if candidates.is_empty() { String::new() } else { format!(" (candidates: {})", candidates.join(", ")) }
        );
    }
    if !p.skipped.is_empty() {
        println!("  skipped lines: {}", skipped_summary(p));
    }
    for e in &p.errors {
        println!("  line {}: {}", e.line, e.message);
    }
    let sample: Vec<&watershed_ingest::RawRow> = p.rows.iter().take(SAMPLE_ROWS).collect();
    if !sample.is_empty() {
        let mut rows = Table::new();
        rows.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        let mut header = vec!["line".to_string()];
        header.extend(p.headers.iter().cloned());
        rows.set_header(header);
        for r in &sample {
            let mut cells = vec![r.line.to_string()];
            cells.extend(r.values.iter().take(p.headers.len()).map(str::to_string));
            rows.add_row(cells);
        }
        println!("First {} rows as parsed:\n{rows}", sample.len());
    }
}

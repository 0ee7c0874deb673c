//! `watershed map`: review the suggestions for quarantined values and write accepted
//! ones into the mapping tables (the CSV files stay the human-editable truth). Every
//! change is recorded in the audit log.

use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use watershed_config::{MAPPINGS_DIR, Project};
use watershed_store::{AuditEntry, QuarantinedRow, Store};

/// A value that resolves nothing, with how many quarantined rows carry it.
struct Unresolved {
    field: String,
    value: String,
    rows: usize,
    suggestion: Option<(String, String, f64)>,
    sources: Vec<String>,
}

fn unresolved(rows: &[QuarantinedRow]) -> Vec<Unresolved> {
    let mut groups: BTreeMap<(String, String), Unresolved> = BTreeMap::new();
    for q in rows {
        let (Some(field), Some(value)) = (&q.field, &q.value) else { continue };
        if !matches!(field.as_str(), "partner" | "partner_id" | "product" | "customer_country" | "region" | "stage" | "currency") {
            continue;
        }
        let entry = groups.entry((field.clone(), value.clone())).or_insert_with(|| Unresolved {
            field: field.clone(),
            value: value.clone(),
            rows: 0,
            suggestion: q.suggestions.first().cloned(),
            sources: Vec::new(),
        });
        entry.rows += 1;
        if !entry.sources.contains(&q.source) {
            entry.sources.push(q.source.clone());
        }
    }
    groups.into_values().collect()
}

/// The mapping table and row that maps `value` of `field` to `target`.
fn mapping_row(field: &str, source: &str, value: &str, target: &str) -> Option<(&'static str, Vec<String>)> {
    match field {
        "partner" | "partner_id" => Some(("partner_aliases.csv", vec![value.into(), target.into()])),
        "product" => Some(("product_aliases.csv", vec![value.into(), target.into()])),
        "customer_country" | "region" => Some(("regions.csv", vec![value.into(), target.into()])),
        "stage" => Some(("stages.csv", vec![source.into(), value.into(), target.into()])),
        _ => None,
    }
}

const HEADERS: &[(&str, &str)] = &[
    ("partner_aliases.csv", "alias,partner_id"),
    ("product_aliases.csv", "alias,product_id"),
    ("regions.csv", "alias,region"),
    ("stages.csv", "source,raw_stage,stage"),
    ("fx_rates.csv", "currency,month,rate"),
    ("corrections.csv", "source,file,line,field,value"),
];

/// Appends `record` to mapping table `table` (creating it with its header) and audits it.
fn append(project: &Project, store: &Store, table: &str, record: &[String], action: &str) -> Result<(), Failure> {
    let path = project.root.join(MAPPINGS_DIR).join(table);
    let existing = std::fs::read(&path).unwrap_or_default();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
        .map_err(Failure::run)?;
    if existing.is_empty() {
        let header = HEADERS.iter().find(|(t, _)| *t == table).map_or("", |(_, h)| h);
        writeln!(file, "{header}").map_err(|e| Failure::run(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    } else if !existing.ends_with(b"\n") {
        writeln!(file).map_err(|e| Failure::run(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(record).map_err(Failure::run)?;
    let line = w.into_inner().map_err(|e| Failure::run(anyhow::anyhow!("{e}")))?;
    file.write_all(&line).map_err(|e| Failure::run(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    store
        .audit(&AuditEntry {
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            actor: watershed_pipeline::actor(),
            action: action.into(),
            object: format!("mappings/{table}"),
            old_value: None,
            new_value: Some(record.join(",")),
        })
        .map_err(Failure::run)?;
    println!("mappings/{table}: added {}", record.join(","));
    Ok(())
}

/// `watershed map suggest`.
pub fn suggest(dir: &Path, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let rows = store.quarantine().map_err(Failure::run)?;
    let list = unresolved(&rows);
    if format == OutputFormat::Json {
        let out: Vec<serde_json::Value> = list
            .iter()
            .map(|u| {
                serde_json::json!({"field": u.field, "value": u.value, "rows": u.rows, "sources": u.sources,
                    "suggestion": u.suggestion.as_ref().map(|(id, label, score)| serde_json::json!({"id": id, "label": label, "score": score}))})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["field", "value", "rows", "best suggestion", "score", "to accept"]);
    for u in &list {
        let (sugg, score, cmd) = match &u.suggestion {
            Some((id, label, score)) => (format!("{id} ({label})"), format!("{score:.2}"), format!("watershed map accept \"{}\"", u.value)),
            None => ("–".into(), "–".into(), hint(&u.field, &u.value, u.sources.first().map_or("", String::as_str))),
        };
        t.add_row(vec![u.field.clone(), u.value.clone(), u.rows.to_string(), sugg, score, cmd]);
    }
    println!("{t}");
    let data_errors = rows.len() - list.iter().map(|u| u.rows).sum::<usize>();
    println!(
        "{} unresolved values in {} rows; {data_errors} more rows hold data errors (fix with `watershed map correct RECORD_ID FIELD VALUE`, see `watershed quarantine list`).",
        list.len(),
        rows.len() - data_errors
    );
    Ok(())
}

fn hint(field: &str, value: &str, source: &str) -> String {
    match field {
        "stage" => format!("watershed map add stage {source} \"{value}\" STAGE"),
        "currency" => format!("watershed map add fx {value} YYYY-MM RATE"),
        "product" => format!("watershed map add product-alias \"{value}\" PRODUCT_ID"),
        "customer_country" | "region" => format!("watershed map add region \"{value}\" REGION"),
        _ => format!("watershed map add partner-alias \"{value}\" PARTNER_ID"),
    }
}

/// `watershed map accept VALUE… | --all [--min-score S]`.
pub fn accept(dir: &Path, values: &[String], all: bool, min_score: f64) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let list = unresolved(&store.quarantine().map_err(Failure::run)?);
    if values.is_empty() && !all {
        return Err(Failure::usage(anyhow::anyhow!(
            "name the values to accept, or pass --all (with --min-score to accept only close matches)"
        )));
    }
    let mut accepted = 0;
    for u in &list {
        if !all && !values.iter().any(|v| v == &u.value) {
            continue;
        }
        let Some((id, _, score)) = &u.suggestion else {
            if !all {
                eprintln!(
                    "`{}` has no suggestion; add a mapping: {}",
                    u.value,
                    hint(&u.field, &u.value, u.sources.first().map_or("", String::as_str))
                );
            }
            continue;
        };
        if *score < min_score {
            continue;
        }
        // A stage mapping is per source: one row for every source that sent the value.
        for source in &u.sources {
            if let Some((table, record)) = mapping_row(&u.field, source, &u.value, id) {
                append(&project, &store, table, &record, "map accept")?;
                accepted += 1;
                if u.field != "stage" {
                    break;
                }
            }
        }
    }
    println!("{accepted} suggestions accepted. Run `watershed run` to replay the quarantined rows.");
    Ok(())
}

/// What `map add` can add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MappingKind {
    /// alias,partner_id
    PartnerAlias,
    /// alias,product_id
    ProductAlias,
    /// alias,region
    Region,
    /// source,raw_stage,stage
    Stage,
    /// currency,month,rate
    Fx,
}

/// `watershed map add KIND VALUES…`.
pub fn add(dir: &Path, kind: MappingKind, values: &[String]) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let (table, arity, usage) = match kind {
        MappingKind::PartnerAlias => ("partner_aliases.csv", 2, "partner-alias ALIAS PARTNER_ID"),
        MappingKind::ProductAlias => ("product_aliases.csv", 2, "product-alias ALIAS PRODUCT_ID"),
        MappingKind::Region => ("regions.csv", 2, "region ALIAS REGION"),
        MappingKind::Stage => ("stages.csv", 3, "stage SOURCE RAW_STAGE STAGE"),
        MappingKind::Fx => ("fx_rates.csv", 3, "fx CURRENCY YYYY-MM RATE"),
    };
    if values.len() != arity {
        return Err(Failure::usage(anyhow::anyhow!("usage: watershed map add {usage}")));
    }
    let m = &project.mappings;
    let bad = |msg: String| Err(Failure::usage(anyhow::anyhow!(msg)));
    match kind {
        MappingKind::PartnerAlias if !m.partners.iter().any(|p| p.partner_id == values[1]) => {
            return bad(format!("no partner_id `{}` in mappings/partners.csv", values[1]));
        }
        MappingKind::ProductAlias if !m.products.iter().any(|p| p.product_id == values[1]) => {
            return bad(format!("no product_id `{}` in mappings/products.csv", values[1]));
        }
        MappingKind::Stage if values[2].parse::<watershed_model::Stage>().is_err() => {
            return bad(format!(
                "`{}` is not a canonical stage (prospecting, qualification, proposal, negotiation, closed_won, closed_lost)",
                values[2]
            ));
        }
        MappingKind::Stage if values[0] != "*" && !project.config.sources.iter().any(|s| s.name == values[0]) => {
            return bad(format!("no source `{}` in watershed.toml (or use *)", values[0]));
        }
        MappingKind::Fx if chrono::NaiveDate::parse_from_str(&format!("{}-01", values[1]), "%Y-%m-%d").is_err() => {
            return bad(format!("month `{}` is not YYYY-MM", values[1]));
        }
        MappingKind::Fx if values[2].parse::<rust_decimal::Decimal>().map_or(true, |r| r <= rust_decimal::Decimal::ZERO) => {
            return bad(format!("rate `{}` is not a positive number", values[2]));
        }
        _ => {}
    }
    append(&project, &store, table, values, "map add")
}

/// `watershed map correct RECORD_ID FIELD VALUE`: a governed correction of one cell.
pub fn correct(dir: &Path, record_id: i64, field: &str, value: &str) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let rows = store.quarantine().map_err(Failure::run)?;
    let Some(q) = rows.iter().find(|q| q.record_id == record_id) else {
        return Err(Failure::usage(anyhow::anyhow!("record {record_id} is not in quarantine; see `watershed quarantine list`")));
    };
    let known = watershed_model::Entity::ALL.iter().flat_map(|e| e.fields()).any(|f| f.name == field);
    if !known {
        return Err(Failure::usage(anyhow::anyhow!("`{field}` is not a canonical field")));
    }
    append(
        &project,
        &store,
        "corrections.csv",
        &[q.source.clone(), q.locator.clone(), q.line.to_string(), field.to_string(), value.to_string()],
        "map correct",
    )
}

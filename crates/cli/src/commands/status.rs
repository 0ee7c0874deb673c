//! `watershed status` (the quality report), `watershed quarantine …` and `watershed audit`.

use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::path::Path;
use watershed_store::{AuditEntry, QuarantinedRow};

/// Runs, freshness and last counts per source, rule violations, dataset counts.
pub fn status(dir: &Path, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let runs = store.runs(10).map_err(Failure::run)?;
    let counts = watershed_pipeline::table_counts(&store).map_err(Failure::run)?;
    let freshness = store.source_freshness().map_err(Failure::run)?;
    let violations = store.violation_counts().map_err(Failure::run)?;
    let last_summary: Option<serde_json::Value> =
        runs.iter().find(|r| r.status == "succeeded").and_then(|r| r.summary.as_deref()).and_then(|s| serde_json::from_str(s).ok());
    let now = chrono::Utc::now().naive_utc();
    let sources: Vec<serde_json::Value> = project
        .config
        .sources
        .iter()
        .map(|s| {
            let fresh = freshness.iter().find(|f| f.0 == s.name);
            let last_input = fresh.and_then(|f| f.2.clone());
            let age_days = last_input
                .as_deref()
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S").ok())
                .map(|t| (now - t).num_days());
            let late = matches!((s.expected_cadence_days, age_days), (Some(c), Some(a)) if a > i64::from(c))
                || (s.expected_cadence_days.is_some() && last_input.is_none());
            let last_run = last_summary
                .as_ref()
                .and_then(|sum| sum["sources"].as_array().and_then(|list| list.iter().find(|x| x["name"] == s.name.as_str()).cloned()));
            serde_json::json!({
                "source": s.name, "entity": s.entity, "inputs": fresh.map_or(0, |f| f.1), "rows_read": fresh.map_or(0, |f| f.3),
                "last_new_input": last_input, "age_days": age_days, "expected_cadence_days": s.expected_cadence_days, "late": late,
                "last_run": last_run,
            })
        })
        .collect();
    let by_rule: Vec<serde_json::Value> =
        violations.iter().map(|(rule, severity, n)| serde_json::json!({"rule": rule, "severity": severity, "count": n})).collect();
    if format == OutputFormat::Json {
        let runs: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| serde_json::json!({"run_id": r.run_id, "started_at": r.started_at, "status": r.status, "summary": r.summary.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"sources": sources, "violations": by_rule, "runs": runs, "counts": counts}))
                .unwrap_or_default()
        );
        return Ok(());
    }
    println!("{} — store {}", project.config.program.name, project.config.store.display_url());
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "source",
        "inputs",
        "last new input (UTC)",
        "age",
        "cadence",
        "last run: read / new / updated / merged / quarantined / skipped",
    ]);
    for s in &sources {
        let last = &s["last_run"];
        let counts = if last.is_null() {
            "–".to_string()
        } else {
            ["read", "new", "updated", "merged", "quarantined", "skipped"]
                .iter()
                .map(|k| last[k].as_u64().unwrap_or(0).to_string())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let cadence = match (s["expected_cadence_days"].as_u64(), s["late"].as_bool()) {
            (Some(c), Some(true)) => format!("{c} d — LATE"),
            (Some(c), _) => format!("{c} d"),
            _ => "–".into(),
        };
        t.add_row(vec![
            s["source"].as_str().unwrap_or("").to_string(),
            s["inputs"].to_string(),
            s["last_new_input"].as_str().unwrap_or("never").to_string(),
            s["age_days"].as_i64().map_or("–".into(), |d| format!("{d} d")),
            cadence,
            counts,
        ]);
    }
    println!("{t}");
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["quality rule", "severity", "violations"]);
    for (rule, severity, n) in &violations {
        t.add_row(vec![rule.clone(), severity.clone(), n.to_string()]);
    }
    t.add_row(vec!["quarantine (all reasons)".to_string(), "error".into(), counts.get("quarantine").copied().unwrap_or(0).to_string()]);
    println!("{t}");
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["run", "started (UTC)", "status"]);
    for r in runs.iter().take(5) {
        t.add_row(vec![r.run_id.to_string(), r.started_at.clone(), r.status.clone()]);
    }
    println!("{t}");
    let main: Vec<String> = ["opportunities", "opportunity_partners", "raw_records", "quarantine", "partner_kpis"]
        .iter()
        .filter_map(|k| counts.get(*k).map(|n| format!("{k} {n}")))
        .collect();
    println!("dataset: {} (all counts: --format json)", main.join(" · "));
    Ok(())
}

/// Filters of `quarantine list` and `export`.
#[derive(Debug, Clone, Default)]
pub struct QuarantineFilter {
    /// Only this source.
    pub source: Option<String>,
    /// Only inputs whose path contains this.
    pub input: Option<String>,
    /// Only this field.
    pub field: Option<String>,
    /// Only reasons containing this.
    pub reason: Option<String>,
}

impl QuarantineFilter {
    fn keeps(&self, q: &QuarantinedRow) -> bool {
        self.source.as_deref().is_none_or(|s| q.source == s)
            && self.input.as_deref().is_none_or(|i| q.locator.contains(i))
            && self.field.as_deref().is_none_or(|f| q.field.as_deref() == Some(f))
            && self.reason.as_deref().is_none_or(|r| q.reason.to_lowercase().contains(&r.to_lowercase()))
    }
}

fn quarantined(
    dir: &Path,
    filter: &QuarantineFilter,
) -> Result<(watershed_config::Project, watershed_store::Store, Vec<QuarantinedRow>), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let rows: Vec<_> = store.quarantine().map_err(Failure::run)?.into_iter().filter(|q| filter.keeps(q)).collect();
    Ok((project, store, rows))
}

/// `watershed quarantine list`.
pub fn quarantine_list(dir: &Path, filter: &QuarantineFilter, format: OutputFormat) -> Result<(), Failure> {
    let (_, _, rows) = quarantined(dir, filter)?;
    match format {
        OutputFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|q| {
                    serde_json::json!({"record_id": q.record_id, "source": q.source, "file": q.locator, "line": q.line, "field": q.field, "value": q.value, "reason": q.reason,
                    "suggestions": q.suggestions.iter().map(|(id, label, score)| serde_json::json!({"id": id, "label": label, "score": score})).collect::<Vec<_>>(), "row": q.values})
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        OutputFormat::Csv => export_csv(&rows, &mut std::io::stdout())?,
        OutputFormat::Table => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            table.set_header(vec!["record", "source", "file:line", "field", "value", "reason"]);
            for q in &rows {
                table.add_row(vec![
                    q.record_id.to_string(),
                    q.source.clone(),
                    format!("{}:{}", q.locator, q.line),
                    q.field.clone().unwrap_or_default(),
                    q.value.clone().unwrap_or_default(),
                    q.reason.clone(),
                ]);
            }
            println!("{table}");
            println!(
                "{} quarantined records. `watershed quarantine show RECORD` for one; `watershed map suggest` to fix mappings; fixed records leave quarantine on the next run.",
                rows.len()
            );
        }
    }
    Ok(())
}

/// `watershed quarantine show RECORD`.
pub fn quarantine_show(dir: &Path, record_id: i64, format: OutputFormat) -> Result<(), Failure> {
    let (_, _, rows) = quarantined(dir, &QuarantineFilter::default())?;
    let Some(q) = rows.into_iter().find(|q| q.record_id == record_id) else {
        return Err(Failure::usage(anyhow::anyhow!("record {record_id} is not in quarantine")));
    };
    if format == OutputFormat::Json {
        let cells: serde_json::Map<String, serde_json::Value> =
            q.headers.iter().cloned().zip(q.values.iter().map(|v| serde_json::Value::from(v.clone()))).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"record_id": q.record_id, "source": q.source, "file": q.locator, "line": q.line, "field": q.field, "value": q.value, "reason": q.reason, "row": cells,
                "suggestions": q.suggestions.iter().map(|(id, label, score)| serde_json::json!({"id": id, "label": label, "score": score})).collect::<Vec<_>>()}))
            .unwrap_or_default()
        );
        return Ok(());
    }
    println!("record {} — {} {}:{}", q.record_id, q.source, q.locator, q.line);
    println!("reason: {}", q.reason);
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["column", "value as received"]);
    for (i, v) in q.values.iter().enumerate() {
        let header = q.headers.get(i).cloned().unwrap_or_else(|| format!("(column {})", i + 1));
        t.add_row(vec![header, v.clone()]);
    }
    println!("{t}");
    for (id, label, score) in &q.suggestions {
        println!("suggestion: {id} ({label}), score {score:.2}");
    }
    Ok(())
}

/// The whole rows as received, with their reasons: fixed columns, then the union of
/// every input's headers.
fn export_csv(rows: &[QuarantinedRow], out: &mut dyn std::io::Write) -> Result<(), Failure> {
    let mut columns: Vec<String> = Vec::new();
    for q in rows {
        for h in &q.headers {
            if !columns.contains(h) {
                columns.push(h.clone());
            }
        }
    }
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["record_id", "source", "file", "line", "field", "value", "reason", "suggestion"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    header.extend(columns.iter().cloned());
    w.write_record(&header).map_err(Failure::run)?;
    for q in rows {
        let by_header: BTreeMap<&str, &str> = q.headers.iter().map(String::as_str).zip(q.values.iter().map(String::as_str)).collect();
        let mut record = vec![
            q.record_id.to_string(),
            q.source.clone(),
            q.locator.clone(),
            q.line.to_string(),
            q.field.clone().unwrap_or_default(),
            q.value.clone().unwrap_or_default(),
            q.reason.clone(),
            q.suggestions.first().map(|(id, label, score)| format!("{id} ({label}) {score:.2}")).unwrap_or_default(),
        ];
        record.extend(columns.iter().map(|c| by_header.get(c.as_str()).map(|v| v.to_string()).unwrap_or_default()));
        w.write_record(&record).map_err(Failure::run)?;
    }
    w.flush().map_err(Failure::run)?;
    Ok(())
}

/// `watershed quarantine export --out FILE`.
pub fn quarantine_export(dir: &Path, filter: &QuarantineFilter, out: &Path) -> Result<(), Failure> {
    let (_, store, rows) = quarantined(dir, filter)?;
    let mut file = std::fs::File::create(out).map_err(|e| Failure::usage(anyhow::anyhow!("cannot write {}: {e}", out.display())))?;
    export_csv(&rows, &mut file)?;
    store
        .audit(&AuditEntry {
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            actor: watershed_pipeline::actor(),
            action: "quarantine export".into(),
            object: out.display().to_string(),
            old_value: None,
            new_value: Some(format!("{} records", rows.len())),
        })
        .map_err(Failure::run)?;
    println!("Wrote {} quarantined records to {}", rows.len(), out.display());
    Ok(())
}

/// `watershed audit`: the audit log, newest first.
pub fn audit(dir: &Path, limit: usize, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let log = store.audit_log(limit).map_err(Failure::run)?;
    if format == OutputFormat::Json {
        let list: Vec<serde_json::Value> =
            log.iter().map(|e| serde_json::json!({"at": e.at, "actor": e.actor, "action": e.action, "object": e.object, "old": e.old_value, "new": e.new_value})).collect();
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic).set_header(vec![
        "at (UTC)",
        "actor",
        "action",
        "object",
        "old → new",
    ]);
    for e in &log {
        t.add_row(vec![
            e.at.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.object.clone(),
            format!("{} → {}", e.old_value.as_deref().unwrap_or("–"), e.new_value.as_deref().unwrap_or("–")),
        ]);
    }
    println!("{t}");
    Ok(())
}

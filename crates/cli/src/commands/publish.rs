//! `watershed publish`, `watershed export` and `watershed scorecard`: the governed
//! dataset and the scorecards for BI tools, files and the board.

use crate::commands::kpis::{period_and_as_of, scorecard};
use crate::commands::load_project;
use crate::{ExportFormat, Failure, OutputFormat};
use std::path::Path;
use watershed_config::Project;
use watershed_publish::reporting::{ReportTable, reporting_tables};
use watershed_store::AuditEntry;

fn tables(project: &Project) -> Result<Vec<ReportTable>, Failure> {
    let store = watershed_pipeline::open_store(project).map_err(Failure::run)?;
    let data = store.dataset().map_err(Failure::run)?;
    if data.partners.is_empty() {
        return Err(Failure::usage(anyhow::anyhow!("the store is empty: run `watershed run` first")));
    }
    let cards = watershed_pipeline::scorecard::compute(project, &data, chrono::Local::now().date_naive());
    Ok(reporting_tables(&project.config.program.calendar(), &data, &cards))
}

/// `watershed publish --to postgres://… [--schema NAME]`.
pub fn publish(dir: &Path, to: &str, schema: &str, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    if !to.starts_with("postgres://") && !to.starts_with("postgresql://") {
        return Err(Failure::usage(anyhow::anyhow!("--to must be a postgres:// URL")));
    }
    let store = &project.config.store;
    let store_is_postgres = project.config.sqlite_path(&project.root).is_none();
    // A publish replaces `schema` and uses `schema__staging` and `schema__previous`.
    let touched = [schema.to_string(), format!("{schema}__staging"), format!("{schema}__previous")];
    if store_is_postgres && touched.contains(&store.schema) {
        return Err(Failure::usage(anyhow::anyhow!(
            "--schema {schema} would replace the store's own schema `{}` ([store] schema); publish to another schema, e.g. --schema reporting",
            store.schema
        )));
    }
    let tables = tables(&project)?;
    // Test hook: stop after N tables, as an interrupted publish would.
    let fail_after = std::env::var("WATERSHED_PUBLISH_FAIL_AFTER").ok().and_then(|v| v.parse().ok());
    let report = watershed_publish::postgres::publish_postgres(to, schema, &tables, fail_after).map_err(Failure::run)?;
    let rows: usize = report.tables.iter().map(|(_, n)| n).sum();
    if format == OutputFormat::Json {
        let t: Vec<serde_json::Value> = report.tables.iter().map(|(name, n)| serde_json::json!({"table": name, "rows": n})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"schema": report.schema, "tables": t, "views": report.views, "rows": rows, "seconds": report.seconds})
            )
            .unwrap_or_default()
        );
    } else {
        println!(
            "Published {} tables and {} views ({rows} rows) to schema `{}` in {:.2} s ({:.0} rows/s). BI guide: docs/BI.md",
            report.tables.len(),
            report.views,
            report.schema,
            report.seconds,
            rows as f64 / report.seconds.max(1e-9)
        );
    }
    Ok(())
}

/// `watershed export --format csv|parquet --out DIR`: every reporting table as files,
/// recorded in the audit log.
pub fn export(dir: &Path, format: ExportFormat, out: &Path) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let tables = tables(&project)?;
    std::fs::create_dir_all(out).map_err(|e| Failure::usage(anyhow::anyhow!("cannot create {}: {e}", out.display())))?;
    let started = std::time::Instant::now();
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    let (summary, message) = match format {
        ExportFormat::Csv => {
            export_csv(&tables, out)?;
            (format!("csv: {} tables, {rows} rows", tables.len()), format!("Wrote {} CSV files to {}", tables.len(), out.display()))
        }
        ExportFormat::Parquet => {
            let options = watershed_publish::parquet::ParquetOptions::default();
            let report = watershed_publish::parquet::write_parquet(out, &tables, &options).map_err(Failure::run)?;
            let mb = report.bytes() as f64 / 1e6;
            (
                format!("parquet: {} tables, {} rows, {} files, {mb:.1} MB", report.tables, report.rows(), report.files.len()),
                format!(
                    "Wrote {} tables ({} rows) as {} Parquet files, {mb:.1} MB, to {} in {:.2} s; per-quarter tables are partitioned by period (hive-style)",
                    report.tables,
                    report.rows(),
                    report.files.len(),
                    out.display(),
                    started.elapsed().as_secs_f64()
                ),
            )
        }
    };
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    store
        .audit(&AuditEntry {
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            actor: watershed_pipeline::actor(),
            action: "export".into(),
            object: out.display().to_string(),
            old_value: None,
            new_value: Some(summary),
        })
        .map_err(Failure::run)?;
    println!("{message}");
    Ok(())
}

/// One CSV file per table, `DIR/<table>.csv`.
fn export_csv(tables: &[ReportTable], out: &Path) -> Result<(), Failure> {
    for t in tables {
        let path = out.join(format!("{}.csv", t.name));
        let mut w = csv::Writer::from_path(&path).map_err(|e| Failure::run(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
        w.write_record(t.columns.iter().map(|c| c.name.as_str())).map_err(Failure::run)?;
        for row in &t.rows {
            w.write_record(row.iter().map(|c| c.to_csv())).map_err(Failure::run)?;
        }
        w.flush().map_err(Failure::run)?;
    }
    Ok(())
}

/// `watershed scorecard --period P --out F.xlsx`.
pub fn scorecard_xlsx(dir: &Path, period: Option<&str>, as_of: Option<&str>, out: &Path) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let (period, as_of) = period_and_as_of(&project, period, as_of)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let data = store.dataset().map_err(Failure::run)?;
    let card = scorecard(&project, &data, period, as_of);
    let calendar = project.config.program.calendar();
    let program = watershed_metrics::program(&calendar, &data, period, as_of, None);
    let by_tier = watershed_metrics::program(&calendar, &data, period, as_of, Some(watershed_metrics::Segment::Tier));
    let title = format!("{} — partner scorecard {period} (as of {as_of})", project.config.program.name);
    watershed_publish::xlsx::write_scorecard(
        out,
        &title,
        &project.config.program.reporting_currency,
        &card.rows,
        &data.partners,
        &program,
        &by_tier,
    )
    .map_err(Failure::run)?;
    println!("Wrote {} ({} partners, {period})", out.display(), card.rows.len());
    Ok(())
}

/// `watershed docs bi`: the BI guide's schema section, generated from the reporting model.
pub fn bi_schema(schema: &str) -> String {
    let data = watershed_model::Dataset::default();
    let cards = watershed_metrics::Scorecards::default();
    let tables = reporting_tables(&watershed_model::FiscalCalendar::default(), &data, &cards);
    watershed_publish::reporting::schema_markdown(&tables, schema)
}

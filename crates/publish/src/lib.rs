//! Publishing metrics for people and machines: terminal tables, CSV and JSON.
//!
//! Machine formats carry every metric of the catalog with its catalog name, money and
//! percentages rounded to two decimals, null as empty (CSV) or `null` (JSON). The
//! terminal table is a readable scorecard of the headline metrics.
//!
//! The reporting model ([`reporting`]) is written by [`postgres`] (a reporting schema),
//! [`parquet`] (typed files for DuckDB, pandas, Spark) and [`xlsx`] (the board workbook).

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use rust_decimal::Decimal;
use std::collections::HashMap;
use watershed_metrics::{Alert, CATALOG, MetricKind, MetricRow, PeerStat, ProgramRow, TierStatus};
use watershed_model::Partner;

pub mod parquet;
pub mod postgres;
pub mod reporting;
pub mod xlsx;

/// Output formats of report commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for people.
    Table,
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Why output could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// CSV writing failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// The CSV writer could not be flushed into a string.
    #[error("csv: {0}")]
    Utf8(String),
    /// PostgreSQL refused or the connection failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A file could not be written.
    #[error("{0}")]
    Io(String),
    /// The request cannot be carried out as given.
    #[error("{0}")]
    Invalid(String),
    /// The workbook could not be written.
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

fn kind_of(name: &str) -> MetricKind {
    watershed_metrics::catalog::metric(name).map_or(MetricKind::Number, |m| m.kind)
}

/// A value as machines get it: two decimals (counts as integers), or None for null.
pub fn machine_text(value: Option<Decimal>) -> Option<String> {
    value.map(|d| d.round_dp(2).normalize().to_string())
}

/// Groups thousands: 1234567.8 → "1,234,568" (no decimals).
pub fn format_money(amount: Decimal) -> String {
    watershed_metrics::group_thousands(amount)
}

/// A value as people read it: grouped money, one-decimal percentages, `–` for null.
pub fn human_text(name: &str, value: Option<Decimal>) -> String {
    match value {
        None => "–".into(),
        Some(d) => match kind_of(name) {
            MetricKind::Money => format_money(d),
            MetricKind::Count => d.round_dp(0).to_string(),
            MetricKind::Percent => format!("{:.1}%", d.round_dp(1)),
            MetricKind::Days | MetricKind::Number => format!("{:.1}", d.round_dp(1)),
        },
    }
}

/// The headline columns of the terminal scorecard.
const HEADLINE: &[&str] = &[
    "revenue",
    "revenue_sourced",
    "revenue_influenced",
    "attainment_pct",
    "growth_pct",
    "pipeline_value",
    "coverage_pct",
    "win_rate_pct",
    "health_score",
];

fn csv_string(w: csv::Writer<Vec<u8>>) -> Result<String, PublishError> {
    let bytes = w.into_inner().map_err(|e| PublishError::Utf8(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| PublishError::Utf8(e.to_string()))
}

/// Renders catalog rows: every metric for machines (`partner_id`, `period`, the catalog
/// in order, `health_level`), a headline scorecard (several partners) or every metric
/// with its tier peers (one partner) for people.
pub fn render_metrics(
    rows: &[MetricRow],
    partners: &[Partner],
    peers: &[Vec<PeerStat>],
    tiers: &[TierStatus],
    format: Format,
) -> Result<String, PublishError> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["partner_id", "period"];
            header.extend(CATALOG.iter().map(|m| m.name));
            header.push("health_level");
            w.write_record(&header)?;
            for r in rows {
                let mut record = vec![r.partner_id.clone(), r.period.to_string()];
                record.extend(r.values.iter().map(|v| machine_text(*v).unwrap_or_default()));
                record.push(r.health.level.to_string());
                w.write_record(&record)?;
            }
            csv_string(w)
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let mut object = serde_json::Map::new();
                    object.insert("partner_id".into(), r.partner_id.clone().into());
                    object.insert("period".into(), r.period.to_string().into());
                    for (m, v) in CATALOG.iter().zip(&r.values) {
                        object.insert(m.name.into(), v.map_or(serde_json::Value::Null, json_number));
                    }
                    object.insert("health_level".into(), r.health.level.into());
                    serde_json::Value::Object(object)
                })
                .collect();
            Ok(serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into()) + "\n")
        }
        Format::Table => Ok(render_table(rows, partners, peers, tiers)),
    }
}

/// A JSON number from a decimal rounded to cents, or null if it cannot be one.
fn json_number(d: Decimal) -> serde_json::Value {
    serde_json::from_str::<serde_json::Number>(&d.round_dp(2).normalize().to_string())
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn render_table(rows: &[MetricRow], partners: &[Partner], peers: &[Vec<PeerStat>], tiers: &[TierStatus]) -> String {
    let names: HashMap<&str, &Partner> = partners.iter().map(|p| (p.partner_id.as_str(), p)).collect();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if rows.len() == 1 {
        // One partner: every metric, its tier median and percentile.
        let r = &rows[0];
        let p = names.get(r.partner_id.as_str());
        let name = p.map_or("", |p| p.name.as_str());
        let tier = p.and_then(|p| p.tier.as_deref()).unwrap_or("no tier");
        table.set_header(vec![
            format!("{} {name} ({tier})", r.partner_id),
            r.period.to_string(),
            "tier median".into(),
            "percentile in tier".into(),
        ]);
        for (i, m) in CATALOG.iter().enumerate() {
            let stat = peers.first().and_then(|p| p.get(i)).copied().unwrap_or_default();
            table.add_row(vec![
                Cell::new(m.name),
                Cell::new(human_text(m.name, r.values[i])).set_alignment(CellAlignment::Right),
                Cell::new(human_text(m.name, stat.tier_median)).set_alignment(CellAlignment::Right),
                Cell::new(stat.percentile.map_or("–".into(), |p| format!("{}", p.round_dp(0)))).set_alignment(CellAlignment::Right),
            ]);
        }
        let mut out = table.to_string() + "\n";
        out.push_str(&format!("health: {} ({})", human_text("health_score", r.health.score), r.health.level));
        for c in &r.health.components {
            out.push_str(&format!(" · {} {}", c.name, c.points.map_or("dropped".to_string(), |p| format!("{:.1}", p.round_dp(1)))));
        }
        out.push('\n');
        if let Some(t) = tiers.first() {
            out.push_str(&format!(
                "tier: recorded {}, qualifies for {}{}; next: {}\n",
                t.recorded_tier.as_deref().unwrap_or("none"),
                t.qualified_tier.as_deref().unwrap_or("none"),
                if t.mismatch { " (mismatch)" } else { "" },
                t.gap_text
            ));
        }
        return out;
    }
    let mut header = vec!["partner".to_string(), "tier".to_string()];
    header.extend(HEADLINE.iter().map(|h| h.replace("_pct", " %").replace('_', " ")));
    header.push("health".into());
    table.set_header(header);
    for r in rows {
        let p = names.get(r.partner_id.as_str());
        let label = p.map_or(r.partner_id.clone(), |p| format!("{} {}", r.partner_id, p.name));
        let mut cells = vec![Cell::new(label), Cell::new(p.and_then(|p| p.tier.clone()).unwrap_or_default())];
        for h in HEADLINE {
            cells.push(Cell::new(human_text(h, r.get(h))).set_alignment(CellAlignment::Right));
        }
        cells.push(Cell::new(r.health.level));
        table.add_row(cells);
    }
    table.to_string() + "\n"
}

/// A program column: name, kind, and how to read it from a row.
type ProgramColumn = (&'static str, MetricKind, fn(&ProgramRow) -> Option<Decimal>);

/// The columns of program views, in order.
const PROGRAM_COLUMNS: &[ProgramColumn] = &[
    ("partners", MetricKind::Count, |r| Some(Decimal::from(r.partners as i64))),
    ("revenue", MetricKind::Money, |r| Some(r.revenue)),
    ("revenue_sourced", MetricKind::Money, |r| Some(r.revenue_sourced)),
    ("revenue_influenced", MetricKind::Money, |r| Some(r.revenue_influenced)),
    ("revenue_ytd", MetricKind::Money, |r| Some(r.revenue_ytd)),
    ("won_count", MetricKind::Count, |r| Some(Decimal::from(r.won_count))),
    ("lost_count", MetricKind::Count, |r| Some(Decimal::from(r.lost_count))),
    ("win_rate_pct", MetricKind::Percent, |r| r.win_rate_pct),
    ("avg_contract_value", MetricKind::Money, |r| r.avg_contract_value),
    ("pipeline_count", MetricKind::Count, |r| Some(Decimal::from(r.pipeline_count))),
    ("pipeline_value", MetricKind::Money, |r| Some(r.pipeline_value)),
    ("pipeline_sourced", MetricKind::Money, |r| Some(r.pipeline_sourced)),
    ("pipeline_influenced", MetricKind::Money, |r| Some(r.pipeline_influenced)),
];

/// Renders program (or segmented) rows; sourced and influenced stay separate columns.
pub fn render_program(rows: &[ProgramRow], format: Format) -> Result<String, PublishError> {
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let mut o = serde_json::Map::new();
                    o.insert("segment".into(), r.segment.clone().into());
                    for (name, _, f) in PROGRAM_COLUMNS {
                        o.insert((*name).into(), f(r).map_or(serde_json::Value::Null, json_number));
                    }
                    serde_json::Value::Object(o)
                })
                .collect();
            Ok(serde_json::to_string_pretty(&list).unwrap_or_default() + "\n")
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["segment"];
            header.extend(PROGRAM_COLUMNS.iter().map(|(n, _, _)| *n));
            w.write_record(&header)?;
            for r in rows {
                let mut record = vec![r.segment.clone()];
                record.extend(PROGRAM_COLUMNS.iter().map(|(_, _, f)| machine_text(f(r)).unwrap_or_default()));
                w.write_record(&record)?;
            }
            csv_string(w)
        }
        Format::Table => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
            let mut header = vec!["segment".to_string()];
            header.extend(PROGRAM_COLUMNS.iter().map(|(n, _, _)| n.replace("_pct", " %").replace('_', " ")));
            table.set_header(header);
            for r in rows {
                let mut cells = vec![Cell::new(&r.segment)];
                for (_, kind, f) in PROGRAM_COLUMNS {
                    let text = match (kind, f(r)) {
                        (_, None) => "–".to_string(),
                        (MetricKind::Money, Some(d)) => format_money(d),
                        (MetricKind::Percent, Some(d)) => format!("{:.1}%", d.round_dp(1)),
                        (_, Some(d)) => d.round_dp(0).to_string(),
                    };
                    cells.push(Cell::new(text).set_alignment(CellAlignment::Right));
                }
                table.add_row(cells);
            }
            Ok(table.to_string() + "\n")
        }
    }
}

/// Renders alerts, already ranked.
pub fn render_alerts(alerts: &[Alert], partners: &[Partner], format: Format) -> Result<String, PublishError> {
    let names: HashMap<&str, &str> = partners.iter().map(|p| (p.partner_id.as_str(), p.name.as_str())).collect();
    match format {
        Format::Json => Ok(serde_json::to_string_pretty(alerts).unwrap_or_default() + "\n"),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["partner_id", "period", "severity", "rule", "message", "action"])?;
            for a in alerts {
                w.write_record([a.partner_id.as_str(), &a.period, a.severity.as_str(), a.rule, &a.message, a.action])?;
            }
            csv_string(w)
        }
        Format::Table => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
            table.set_header(vec!["#", "severity", "partner", "what", "do"]);
            for (i, a) in alerts.iter().enumerate() {
                let name = names.get(a.partner_id.as_str()).copied().unwrap_or("");
                table.add_row(vec![
                    (i + 1).to_string(),
                    a.severity.as_str().to_string(),
                    format!("{} {name}", a.partner_id),
                    a.message.clone(),
                    a.action.to_string(),
                ]);
            }
            Ok(table.to_string() + "\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;
    use watershed_metrics::catalog::index_of;

    fn row() -> MetricRow {
        let mut values = vec![None; CATALOG.len()];
        for (name, value) in [("revenue", "1234567.891"), ("won_count", "2"), ("win_rate_pct", "66.666666666"), ("sales_cycle_days", "52")]
        {
            values[index_of(name).unwrap()] = Some(Decimal::from_str(value).unwrap());
        }
        MetricRow {
            partner_id: "P001".into(),
            period: "FY2026-Q3".parse().unwrap(),
            as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            values,
            health: Default::default(),
        }
    }

    #[test]
    fn csv_has_catalog_columns_and_empty_nulls() {
        let text = render_metrics(&[row()], &[], &[], &[], Format::Csv).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(
            header.starts_with("partner_id,period,revenue,revenue_sourced,revenue_influenced,revenue_prev,revenue_ytd,target,growth_pct"),
            "{header}"
        );
        assert!(header.ends_with("health_score,health_coverage_pct,health_level"), "{header}");
        assert_eq!(header.split(',').count(), CATALOG.len() + 3);
        let values = lines.next().unwrap();
        assert!(values.starts_with("P001,FY2026-Q3,1234567.89,,,,,,,"), "{values}");
    }

    #[test]
    fn json_keeps_nulls_and_exact_numbers() {
        let text = render_metrics(&[row()], &[], &[], &[], Format::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = &v[0];
        assert_eq!(first["partner_id"], "P001");
        assert_eq!(first["revenue"].to_string(), "1234567.89");
        assert!(first["target"].is_null());
        assert_eq!(first["won_count"], 2);
        assert_eq!(first.as_object().unwrap().len(), CATALOG.len() + 3);
    }

    #[test]
    fn money_groups_thousands() {
        for (input, expected) in [("0", "0"), ("999.5", "1,000"), ("1234567.891", "1,234,568"), ("-1500", "-1,500"), ("100", "100")] {
            assert_eq!(format_money(Decimal::from_str(input).unwrap()), expected);
        }
    }

    #[test]
    fn table_shows_dashes_for_null_and_one_partner_in_full() {
        let text = render_metrics(&[row(), row()], &[], &[], &[], Format::Table).unwrap();
        assert!(text.contains("1,234,568") && text.contains('–'), "{text}");
        let single = render_metrics(&[row()], &[], &[], &[], Format::Table).unwrap();
        assert!(single.contains("sales_cycle_days") && single.contains("66.7%") && single.contains("health:"), "{single}");
    }
}

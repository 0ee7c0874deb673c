//! Publishing metrics for people and machines: terminal tables, CSV and JSON.
//!
//! Machine formats carry every metric of the catalog with its catalog name, money and
//! percentages rounded to two decimals, null as empty (CSV) or `null` (JSON). The
//! terminal table is a readable scorecard of the headline metrics.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use rust_decimal::Decimal;
use std::collections::HashMap;
use watershed_metrics::{KpiRow, MetricKind, OPPORTUNITY_METRICS, opportunity::MetricValue};
use watershed_model::Partner;

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
}

fn kind_of(name: &str) -> MetricKind {
    OPPORTUNITY_METRICS.iter().find(|m| m.name == name).map_or(MetricKind::Money, |m| m.kind)
}

/// A value as machines get it: two decimals, or an integer count.
fn machine_text(value: MetricValue) -> Option<String> {
    match value {
        MetricValue::Count(n) => Some(n.to_string()),
        MetricValue::Decimal(d) => d.map(|d| d.round_dp(2).normalize().to_string()),
    }
}

/// Groups thousands: 1234567.8 → "1,234,568" (no decimals).
pub fn format_money(amount: Decimal) -> String {
    let rounded = amount.round_dp(0);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = rounded.abs().trunc().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if negative { format!("-{out}") } else { out }
}

/// A value as people read it: grouped money, one-decimal percentages, `–` for null.
fn human_text(name: &str, value: MetricValue) -> String {
    match value {
        MetricValue::Count(n) => n.to_string(),
        MetricValue::Decimal(None) => "–".into(),
        MetricValue::Decimal(Some(d)) => match kind_of(name) {
            MetricKind::Money => format_money(d),
            MetricKind::Percent => format!("{:.1}%", d.round_dp(1)),
            MetricKind::Days | MetricKind::Count => format!("{:.1}", d.round_dp(1)),
        },
    }
}

/// The headline columns of the terminal scorecard.
const HEADLINE: &[&str] = &[
    "revenue",
    "revenue_sourced",
    "revenue_influenced",
    "target",
    "attainment_pct",
    "growth_pct",
    "pipeline_value",
    "coverage_pct",
    "win_rate_pct",
    "sales_cycle_days",
];

/// Renders KPI rows. `partners` adds names and tiers to the table.
pub fn render_kpis(rows: &[KpiRow], partners: &[Partner], format: Format) -> Result<String, PublishError> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["partner_id", "period"];
            header.extend(OPPORTUNITY_METRICS.iter().map(|m| m.name));
            w.write_record(&header)?;
            for r in rows {
                let mut record = vec![r.partner_id.clone(), r.period.to_string()];
                record.extend(r.values().into_iter().map(|(_, v)| machine_text(v).unwrap_or_default()));
                w.write_record(&record)?;
            }
            let bytes = w.into_inner().map_err(|e| PublishError::Utf8(e.to_string()))?;
            String::from_utf8(bytes).map_err(|e| PublishError::Utf8(e.to_string()))
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let mut object = serde_json::Map::new();
                    object.insert("partner_id".into(), r.partner_id.clone().into());
                    object.insert("period".into(), r.period.to_string().into());
                    for (name, value) in r.values() {
                        let json = match value {
                            MetricValue::Count(n) => serde_json::Value::from(n),
                            MetricValue::Decimal(None) => serde_json::Value::Null,
                            MetricValue::Decimal(Some(d)) => json_number(d),
                        };
                        object.insert(name.into(), json);
                    }
                    serde_json::Value::Object(object)
                })
                .collect();
            Ok(serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into()) + "\n")
        }
        Format::Table => Ok(render_table(rows, partners)),
    }
}

/// A JSON number from a decimal rounded to cents, or null if it cannot be one.
fn json_number(d: Decimal) -> serde_json::Value {
    serde_json::from_str::<serde_json::Number>(&d.round_dp(2).normalize().to_string())
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn render_table(rows: &[KpiRow], partners: &[Partner]) -> String {
    let names: HashMap<&str, &Partner> = partners.iter().map(|p| (p.partner_id.as_str(), p)).collect();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if rows.len() == 1 {
        // One partner: every metric, one per line.
        let r = &rows[0];
        let name = names.get(r.partner_id.as_str()).map_or("", |p| p.name.as_str());
        table.set_header(vec![format!("{} {name}", r.partner_id), r.period.to_string()]);
        for (metric, value) in r.values() {
            table.add_row(vec![Cell::new(metric), Cell::new(human_text(metric, value)).set_alignment(CellAlignment::Right)]);
        }
        return table.to_string() + "\n";
    }
    let mut header = vec!["partner".to_string(), "tier".to_string()];
    header.extend(HEADLINE.iter().map(|h| h.replace("_pct", " %").replace('_', " ")));
    table.set_header(header);
    for r in rows {
        let p = names.get(r.partner_id.as_str());
        let label = p.map_or(r.partner_id.clone(), |p| format!("{} {}", r.partner_id, p.name));
        let mut cells = vec![Cell::new(label), Cell::new(p.and_then(|p| p.tier.clone()).unwrap_or_default())];
        let values = r.values();
        for h in HEADLINE {
            let value = values.iter().find(|(n, _)| n == h).map_or(MetricValue::Decimal(None), |(_, v)| *v);
            cells.push(Cell::new(human_text(h, value)).set_alignment(CellAlignment::Right));
        }
        table.add_row(cells);
    }
    table.to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn row() -> KpiRow {
        let dec = |s: &str| Decimal::from_str(s).unwrap();
        KpiRow {
            partner_id: "P001".into(),
            period: "FY2026-Q3".parse().unwrap(),
            as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            revenue: dec("1234567.891"),
            revenue_sourced: dec("1000"),
            revenue_influenced: dec("234567.891"),
            revenue_prev: dec("0"),
            revenue_ytd: dec("1234567.891"),
            target: None,
            growth_pct: None,
            attainment_pct: None,
            pipeline_count: 3,
            pipeline_value: dec("10"),
            pipeline_sourced: dec("10"),
            pipeline_influenced: dec("0"),
            coverage_pct: None,
            avg_deal_size: Some(dec("3.333333333")),
            won_count: 2,
            lost_count: 1,
            win_rate_pct: Some(dec("66.666666666")),
            conversion_rate_pct: Some(dec("66.666666666")),
            sales_cycle_days: Some(dec("52")),
        }
    }

    #[test]
    fn csv_has_catalog_columns_and_empty_nulls() {
        let text = render_kpis(&[row()], &[], Format::Csv).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(
            header.starts_with("partner_id,period,revenue,revenue_sourced,revenue_influenced,revenue_prev,revenue_ytd,target,growth_pct"),
            "{header}"
        );
        assert_eq!(header.split(',').count(), 21);
        let values = lines.next().unwrap();
        assert!(
            values.starts_with("P001,FY2026-Q3,1234567.89,1000,234567.89,0,1234567.89,,,,3,10,10,0,,3.33,2,1,66.67,66.67,52"),
            "{values}"
        );
    }

    #[test]
    fn json_keeps_nulls_and_exact_numbers() {
        let text = render_kpis(&[row()], &[], Format::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = &v[0];
        assert_eq!(first["partner_id"], "P001");
        assert_eq!(first["period"], "FY2026-Q3");
        assert_eq!(first["revenue"].to_string(), "1234567.89");
        assert!(first["target"].is_null());
        assert_eq!(first["won_count"], 2);
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 21);
    }

    #[test]
    fn money_groups_thousands() {
        for (input, expected) in [("0", "0"), ("999.5", "1,000"), ("1234567.891", "1,234,568"), ("-1500", "-1,500"), ("100", "100")] {
            assert_eq!(format_money(Decimal::from_str(input).unwrap()), expected);
        }
    }

    #[test]
    fn table_shows_names_and_dashes_for_null() {
        let text = render_kpis(&[row(), row()], &[], Format::Table).unwrap();
        assert!(text.contains("1,234,568"), "{text}");
        assert!(text.contains('–'), "{text}");
        let single = render_kpis(&[row()], &[], Format::Table).unwrap();
        assert!(single.contains("sales_cycle_days") && single.contains("66.7%"), "{single}");
    }
}

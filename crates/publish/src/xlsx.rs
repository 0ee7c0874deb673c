//! The program scorecard workbook: one row per partner with the headline metrics
//! (sourced and influenced in separate columns), program totals, and the definitions.

use crate::PublishError;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::collections::HashMap;
use std::path::Path;
use watershed_metrics::{CATALOG, MetricKind, MetricRow, ProgramRow};
use watershed_model::Partner;

/// The scorecard's partner columns, in order.
const COLUMNS: &[&str] = &[
    "health_score",
    "revenue_sourced",
    "revenue_influenced",
    "target",
    "attainment_pct",
    "growth_pct",
    "pipeline_sourced",
    "pipeline_influenced",
    "coverage_pct",
    "win_rate_pct",
    "sales_cycle_days",
    "dealreg_submitted",
    "approval_rate_pct",
    "active_certifications",
    "training_rate_pct",
    "csat",
    "nps",
    "mdf_utilization_pct",
    "partner_margin",
];

fn heading(name: &str) -> String {
    let text = name.replace("_pct", " %").replace('_', " ");
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().collect::<String>() + chars.as_str())
}

fn number(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn level_color(level: &str) -> Color {
    match level {
        "Excellent" => Color::RGB(0x1E8449),
        "Good" => Color::RGB(0x7DCEA0),
        "At Risk" => Color::RGB(0xF5B041),
        "Critical" => Color::RGB(0xE74C3C),
        _ => Color::RGB(0xD5D8DC),
    }
}

/// A program-sheet column: heading, number format, and how to read it from a row.
type ProgramColumn<'a> = (&'static str, &'a Format, fn(&ProgramRow) -> Option<Decimal>);

/// Writes the scorecard of `rows` (one period) to `out`.
pub fn write_scorecard(
    out: &Path,
    title: &str,
    currency: &str,
    rows: &[MetricRow],
    partners: &[Partner],
    program: &[ProgramRow],
    by_tier: &[ProgramRow],
) -> Result<(), PublishError> {
    let mut book = Workbook::new();
    let names: HashMap<&str, &Partner> = partners.iter().map(|p| (p.partner_id.as_str(), p)).collect();
    let title_format = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0x1F3864))
        .set_font_color(Color::White)
        .set_border_bottom(FormatBorder::Thin);
    let money = Format::new().set_num_format(format!("#,##0 \"{currency}\";-#,##0 \"{currency}\""));
    let pct = Format::new().set_num_format("0.0\"%\"");
    let count = Format::new().set_num_format("0");
    let one = Format::new().set_num_format("0.0");
    let format_of = |name: &str| match watershed_metrics::catalog::metric(name).map(|m| m.kind) {
        Some(MetricKind::Money) => &money,
        Some(MetricKind::Percent) => &pct,
        Some(MetricKind::Count) => &count,
        _ => &one,
    };

    let sheet = book.add_worksheet().set_name("Scorecard")?;
    sheet.write_with_format(0, 0, title, &title_format)?;
    sheet.write(1, 0, "Sourced and influenced are separate columns and are never added. Empty cells: no data or a zero denominator.")?;
    let fixed = ["Partner ID", "Partner", "Tier", "Region", "Health"];
    for (c, h) in fixed.iter().enumerate() {
        sheet.write_with_format(3, c as u16, *h, &header)?;
    }
    for (i, name) in COLUMNS.iter().enumerate() {
        sheet.write_with_format(3, (fixed.len() + i) as u16, heading(name), &header)?;
    }
    sheet.set_row_height(3, 32)?;
    let level_formats: HashMap<&str, Format> = ["Excellent", "Good", "At Risk", "Critical", "Insufficient data"]
        .iter()
        .map(|l| {
            let font = if matches!(*l, "Excellent" | "Critical") { Color::White } else { Color::Black };
            (*l, Format::new().set_background_color(level_color(l)).set_font_color(font).set_align(FormatAlign::Center))
        })
        .collect();
    for (r, row) in rows.iter().enumerate() {
        let y = 4 + r as u32;
        let p = names.get(row.partner_id.as_str());
        sheet.write(y, 0, &row.partner_id)?;
        sheet.write(y, 1, p.map_or("", |p| p.name.as_str()))?;
        sheet.write(y, 2, p.and_then(|p| p.tier.as_deref()).unwrap_or(""))?;
        sheet.write(y, 3, p.and_then(|p| p.region.as_deref()).unwrap_or(""))?;
        let level = row.health.level;
        match level_formats.get(level) {
            Some(f) => sheet.write_with_format(y, 4, level, f)?,
            None => sheet.write(y, 4, level)?,
        };
        for (i, name) in COLUMNS.iter().enumerate() {
            if let Some(v) = row.get(name) {
                sheet.write_with_format(y, (fixed.len() + i) as u16, number(v), format_of(name))?;
            }
        }
    }
    let last_row = 3 + rows.len() as u32;
    let last_col = (fixed.len() + COLUMNS.len() - 1) as u16;
    sheet.autofilter(3, 0, last_row, last_col)?;
    sheet.set_freeze_panes(4, 2)?;
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 34)?;
    sheet.set_column_width(2, 10)?;
    sheet.set_column_width(3, 14)?;
    sheet.set_column_width(4, 16)?;
    for i in 0..COLUMNS.len() {
        sheet.set_column_width((fixed.len() + i) as u16, 14)?;
    }
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(3, 3)?;

    let totals = book.add_worksheet().set_name("Program")?;
    totals.write_with_format(0, 0, title, &title_format)?;
    totals.write(1, 0, "Each opportunity counted once per row; sourced and influenced side by side, never added.")?;
    let cols: [ProgramColumn; 11] = [
        ("Partners", &count, |r| Some(Decimal::from(r.partners as i64))),
        ("Revenue (each deal once)", &money, |r| Some(r.revenue)),
        ("Revenue sourced", &money, |r| Some(r.revenue_sourced)),
        ("Revenue influenced", &money, |r| Some(r.revenue_influenced)),
        ("Revenue YTD", &money, |r| Some(r.revenue_ytd)),
        ("Won", &count, |r| Some(Decimal::from(r.won_count))),
        ("Lost", &count, |r| Some(Decimal::from(r.lost_count))),
        ("Win rate %", &pct, |r| r.win_rate_pct),
        ("Avg contract value", &money, |r| r.avg_contract_value),
        ("Pipeline sourced", &money, |r| Some(r.pipeline_sourced)),
        ("Pipeline influenced", &money, |r| Some(r.pipeline_influenced)),
    ];
    totals.write_with_format(3, 0, "Segment", &header)?;
    for (i, (h, _, _)) in cols.iter().enumerate() {
        totals.write_with_format(3, 1 + i as u16, *h, &header)?;
    }
    totals.set_row_height(3, 32)?;
    for (r, row) in program.iter().chain(by_tier).enumerate() {
        let y = 4 + r as u32;
        let label = if r < program.len() { "Program".to_string() } else { format!("Tier {}", row.segment) };
        totals.write(y, 0, label)?;
        for (i, (_, f, get)) in cols.iter().enumerate() {
            if let Some(v) = get(row) {
                totals.write_with_format(y, 1 + i as u16, number(v), f)?;
            }
        }
    }
    totals.set_column_width(0, 18)?;
    for i in 0..cols.len() {
        totals.set_column_width(1 + i as u16, 16)?;
    }

    let defs = book.add_worksheet().set_name("Definitions")?;
    defs.write_with_format(0, 0, "Metric", &header)?;
    defs.write_with_format(0, 1, "Definition", &header)?;
    for (i, m) in CATALOG.iter().enumerate() {
        defs.write(1 + i as u32, 0, m.name)?;
        defs.write(1 + i as u32, 1, m.definition)?;
    }
    defs.write(1 + CATALOG.len() as u32, 0, "health_level")?;
    defs.write(
        1 + CATALOG.len() as u32,
        1,
        "Excellent ≥ 85, Good ≥ 70, At Risk ≥ 55, else Critical; Insufficient data below 50 % coverage",
    )?;
    defs.set_column_width(0, 26)?;
    defs.set_column_width(1, 110)?;
    book.save(out)?;
    Ok(())
}

//! `watershed explain`: the arithmetic and the records behind a number.

use crate::commands::kpis::{period_and_as_of, resolve_partner, scorecard};
use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use watershed_metrics::catalog::metric;
use watershed_model::{PartnerRole, Stage};
use watershed_publish::{format_money, human_text};

/// Metrics whose value is a sum or count over opportunities, explainable record by record.
const OPPORTUNITY_SUMS: &[&str] = &[
    "revenue",
    "revenue_sourced",
    "revenue_influenced",
    "revenue_prev",
    "revenue_ytd",
    "pipeline_count",
    "pipeline_value",
    "pipeline_sourced",
    "pipeline_influenced",
    "won_count",
    "lost_count",
];

/// Ratios of the opportunity family: (metric, formula, the sums it is made of).
const RATIOS: &[(&str, &str, &[&str])] = &[
    ("attainment_pct", "revenue / target × 100", &["revenue"]),
    ("growth_pct", "(revenue − revenue_prev) / revenue_prev × 100", &["revenue", "revenue_prev"]),
    ("coverage_pct", "pipeline_value / target × 100", &["pipeline_value"]),
    ("avg_deal_size", "pipeline_value / pipeline_count", &["pipeline_value", "pipeline_count"]),
    ("win_rate_pct", "won_count / (won_count + lost_count) × 100", &["won_count", "lost_count"]),
    ("partner_margin", "revenue − partner_cost", &["revenue"]),
];

/// Explains `metric` of `partner` in `period`.
pub fn explain(
    dir: &Path,
    partner: &str,
    metric_name: &str,
    period: Option<&str>,
    as_of: Option<&str>,
    format: OutputFormat,
) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let def = metric(metric_name).ok_or_else(|| {
        Failure::usage(anyhow::anyhow!("unknown metric `{metric_name}`; see `watershed kpis --format csv` for the catalog's names"))
    })?;
    let (period, as_of) = period_and_as_of(&project, period, as_of)?;
    let partner_id = resolve_partner(&project, partner)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let data = store.dataset().map_err(Failure::run)?;
    let card = scorecard(&project, &data, period, as_of);
    let Some(row) = card.rows.iter().find(|r| r.partner_id == partner_id) else {
        return Err(Failure::usage(anyhow::anyhow!("partner {partner_id} is not in the master data")));
    };
    let value = row.get(def.name);
    let calendar = project.config.program.calendar();

    if def.name == "health_score" {
        if format == OutputFormat::Json {
            println!("{}", serde_json::to_string_pretty(&row.health).unwrap_or_default());
            return Ok(());
        }
        println!(
            "health_score of {partner_id} in {period} (as of {as_of}) = {} ({})",
            human_text("health_score", row.health.score),
            row.health.level
        );
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
            "component",
            "weight",
            "input",
            "value",
            "ratio (clamped 0–1)",
            "component value",
            "points",
        ]);
        for c in &row.health.components {
            for (i, input) in c.inputs.iter().enumerate() {
                let first = i == 0;
                t.add_row(vec![
                    Cell::new(if first { c.name } else { "" }),
                    Cell::new(if first { c.weight.to_string() } else { String::new() }),
                    Cell::new(input.formula),
                    Cell::new(human_text(input.metric, input.value)).set_alignment(CellAlignment::Right),
                    Cell::new(input.ratio.map_or("no data".into(), |r| format!("{:.4}", r.round_dp(4))))
                        .set_alignment(CellAlignment::Right),
                    Cell::new(if first { c.value.map_or("dropped".into(), |v| format!("{:.4}", v.round_dp(4))) } else { String::new() })
                        .set_alignment(CellAlignment::Right),
                    Cell::new(if first { c.points.map_or("–".into(), |p| format!("{:.2}", p.round_dp(2))) } else { String::new() })
                        .set_alignment(CellAlignment::Right),
                ]);
            }
        }
        println!("{t}");
        println!(
            "coverage = Σ weights with data = {}; points = component value × weight × 100 / coverage; score = Σ points{}",
            row.health.coverage_pct,
            if row.health.score.is_none() { " (null: coverage below 50)" } else { "" }
        );
        println!("levels: ≥ 85 Excellent, ≥ 70 Good, ≥ 55 At Risk, else Critical (on the unrounded score)");
        return Ok(());
    }

    if let Some((_, formula, parts)) = RATIOS.iter().find(|(m, _, _)| *m == def.name) {
        // A ratio: its formula with the values, the target's source row, then each part's records.
        let target =
            if formula.contains("target") { store.target_source(&partner_id, &period.to_string()).map_err(Failure::run)? } else { None };
        if format == OutputFormat::Json {
            let components: Vec<serde_json::Value> =
                parts.iter().map(|m| serde_json::json!({"metric": m, "value": row.get(m).map(|v| v.round_dp(2).to_string())})).collect();
            let out = serde_json::json!({"partner_id": partner_id, "period": period.to_string(), "metric": def.name, "value": value.map(|v| v.round_dp(2).to_string()), "formula": formula,
                "components": components, "target": row.get("target").map(|v| v.to_string()), "target_source": target.as_ref().map(|(f, l)| format!("{f}:{l}"))});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            return Ok(());
        }
        let shown: Vec<String> = parts
            .iter()
            .chain(formula.contains("target").then_some(&"target"))
            .map(|m| format!("{m} = {}", human_text(m, row.get(m))))
            .collect();
        println!(
            "{} of {partner_id} in {period} (as of {as_of}) = {} = {formula}, with {}",
            def.name,
            human_text(def.name, value),
            shown.join(", ")
        );
        if let Some((file, line)) = target {
            println!("target from {file}:{line}");
        }
        for part in parts.iter() {
            println!();
            explain(dir, &partner_id, part, Some(&period.to_string()), Some(&as_of.to_string()), format)?;
        }
        return Ok(());
    }
    if !OPPORTUNITY_SUMS.contains(&def.name) {
        println!("{} of {partner_id} in {period} (as of {as_of}) = {}", def.name, human_text(def.name, value));
        println!("definition: {}", def.definition);
        return Ok(());
    }

    // The golden records the number is computed from, with their source records.
    let (start, end) = if def.name == "revenue_prev" {
        (calendar.start(period.prev()), calendar.end(period.prev()))
    } else {
        (calendar.start(period), calendar.end(period))
    };
    let ytd_start = calendar.year_start(period.year);
    let by_id: HashMap<&str, &watershed_model::Opportunity> = data.opportunities.iter().map(|o| (o.opportunity_id.as_str(), o)).collect();
    let mut lines = Vec::new();
    for link in data.links.iter().filter(|l| l.partner_id == partner_id) {
        let Some(o) = by_id.get(link.opportunity_id.as_str()) else { continue };
        let in_window = start <= o.close_date && o.close_date <= end;
        let role_ok = match def.name {
            "revenue_sourced" | "pipeline_sourced" => link.role == PartnerRole::Sourced,
            "revenue_influenced" | "pipeline_influenced" => link.role == PartnerRole::Influenced,
            _ => true,
        };
        let counted = role_ok
            && match def.name {
                "revenue" | "revenue_sourced" | "revenue_influenced" | "revenue_prev" | "won_count" => {
                    o.stage == Stage::ClosedWon && in_window
                }
                "revenue_ytd" => o.stage == Stage::ClosedWon && ytd_start <= o.close_date && o.close_date <= end.min(as_of),
                "lost_count" => o.stage == Stage::ClosedLost && in_window,
                _ => !o.stage.is_closed() && o.created_date.is_none_or(|c| c <= as_of),
            };
        if counted {
            lines.push((*o, link));
        }
    }
    lines.sort_by(|a, b| a.0.close_date.cmp(&b.0.close_date).then_with(|| a.0.opportunity_id.cmp(&b.0.opportunity_id)));
    let counting = def.name.ends_with("_count");
    let total: Decimal = if counting { Decimal::from(lines.len() as i64) } else { lines.iter().map(|(o, l)| o.amount * l.split).sum() };
    if format == OutputFormat::Json {
        let mut records = Vec::new();
        for (o, l) in &lines {
            let sources: Vec<serde_json::Value> = store
                .lineage(&o.opportunity_id)
                .map_err(Failure::run)?
                .iter()
                .map(|s| serde_json::json!({"source": s.source, "file": s.locator, "line": s.line, "relation": s.relation, "tie": s.tie, "run": s.run_id}))
                .collect();
            records.push(serde_json::json!({
                "opportunity_id": o.opportunity_id, "customer_name": o.customer_name, "stage": o.stage.as_str(), "close_date": o.close_date.to_string(),
                "amount": o.amount.to_string(), "role": l.role.as_str(), "split": l.split.normalize().to_string(), "credited": (o.amount * l.split).round_dp(2).to_string(),
                "sources": sources,
            }));
        }
        let out = serde_json::json!({"partner_id": partner_id, "period": period.to_string(), "as_of": as_of.to_string(), "metric": def.name, "value": value.map(|v| v.round_dp(2).to_string()), "total": total.round_dp(2).to_string(), "records": records});
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    if format == OutputFormat::Csv {
        // One line per source record behind each golden record.
        let mut w = csv::Writer::from_writer(std::io::stdout());
        w.write_record([
            "opportunity_id",
            "customer_name",
            "stage",
            "close_date",
            "amount",
            "role",
            "split",
            "credited",
            "source",
            "file",
            "line",
            "relation",
            "run",
        ])
        .map_err(Failure::run)?;
        for (o, l) in &lines {
            for s in store.lineage(&o.opportunity_id).map_err(Failure::run)? {
                w.write_record([
                    o.opportunity_id.to_string(),
                    o.customer_name.to_string(),
                    o.stage.as_str().to_string(),
                    o.close_date.to_string(),
                    o.amount.to_string(),
                    l.role.as_str().to_string(),
                    l.split.normalize().to_string(),
                    (o.amount * l.split).round_dp(2).to_string(),
                    s.source,
                    s.locator,
                    s.line.to_string(),
                    s.relation,
                    s.run_id.to_string(),
                ])
                .map_err(Failure::run)?;
            }
        }
        w.flush().map_err(Failure::run)?;
        return Ok(());
    }
    println!("{} of {partner_id} in {period} (as of {as_of}) = {}", def.name, human_text(def.name, value));
    println!("definition: {}", def.definition);
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "opportunity",
        "customer",
        "stage",
        "close",
        "amount",
        "role",
        "split",
        "credited",
        "source records (file:line, relation)",
    ]);
    for (o, l) in &lines {
        let sources = store.lineage(&o.opportunity_id).map_err(Failure::run)?;
        let shown: Vec<String> = sources.iter().map(|s| format!("{} {}:{} {}", s.source, s.locator, s.line, s.relation)).collect();
        t.add_row(vec![
            Cell::new(&o.opportunity_id),
            Cell::new(&o.customer_name),
            Cell::new(o.stage.as_str()),
            Cell::new(o.close_date),
            Cell::new(format_money(o.amount)).set_alignment(CellAlignment::Right),
            Cell::new(l.role.as_str()),
            Cell::new(l.split.normalize()),
            Cell::new(format_money(o.amount * l.split)).set_alignment(CellAlignment::Right),
            Cell::new(shown.join("\n")),
        ]);
    }
    println!("{t}");
    println!("{} records; total {} = the metric", lines.len(), if counting { total.to_string() } else { format_money(total) });
    Ok(())
}

/// `watershed explain --opportunity ID`: source records, relations and the
/// survivorship decision per field.
pub fn explain_opportunity(dir: &Path, opportunity_id: &str, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let Some(x) = watershed_pipeline::explain::explain_opportunity(&project, &store, opportunity_id).map_err(Failure::run)? else {
        return Err(Failure::usage(anyhow::anyhow!(
            "no golden opportunity `{opportunity_id}`; ids look like crm:006… (see `watershed explain --partner P --metric revenue`)"
        )));
    };
    let locate = |id: i64| x.members.iter().find(|m| m.record_id == id).map(|m| format!("{} {}:{}", m.source, m.locator, m.line));
    if format == OutputFormat::Json {
        let members: Vec<serde_json::Value> = x
            .members
            .iter()
            .map(|m| {
                let cells: serde_json::Map<String, serde_json::Value> = x.rows.get(&m.record_id).map(|r| r.iter().map(|(h, v)| (h.clone(), v.clone().into())).collect()).unwrap_or_default();
                serde_json::json!({"record_id": m.record_id, "source": m.source, "file": m.locator, "line": m.line, "relation": m.relation, "tie": m.tie, "run": m.run_id, "row": cells})
            })
            .collect();
        let fields: Vec<serde_json::Value> =
            x.fields.iter().map(|f| serde_json::json!({"field": f.field, "record_id": f.record_id, "rule": f.rule})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"opportunity_id": x.opportunity_id, "members": members, "survivorship": fields})
            )
            .unwrap_or_default()
        );
        return Ok(());
    }
    println!("{} — {} source records", x.opportunity_id, x.members.len());
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["record", "relation", "source file:line", "run", "tied by"]);
    for m in &x.members {
        t.add_row(vec![
            m.record_id.to_string(),
            m.relation.clone(),
            format!("{} {}:{}", m.source, m.locator, m.line),
            m.run_id.to_string(),
            m.tie.clone().unwrap_or_default(),
        ]);
    }
    println!("{t}");
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["field", "taken from", "because"]);
    for f in &x.fields {
        t.add_row(vec![
            f.field.to_string(),
            f.record_id.and_then(locate).unwrap_or_else(|| "(no member has a value)".into()),
            f.rule.to_string(),
        ]);
    }
    println!("{t}");
    println!("Survivorship: [resolve] precedence first, then the latest update (updated_at), then the latest arrival.");
    Ok(())
}

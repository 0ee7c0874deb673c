//! After the dataset is rebuilt: every partner's scorecard for every quarter present,
//! persisted in the same transaction (`partner_kpis`, `health_scores`, `alerts`,
//! `tier_status`) for BI tools.

use crate::PipelineError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use watershed_config::Project;
use watershed_metrics::{CATALOG, Index, ScorecardSettings, scorecards};
use watershed_store::{AlertRecord, HealthRecord, KpiRecord, RunWriter, TierRecord};

fn text(d: Decimal) -> String {
    d.round_dp(6).normalize().to_string()
}

/// The scorecard settings of a project.
pub fn settings(project: &Project) -> ScorecardSettings {
    ScorecardSettings {
        metrics: project.config.metric_settings(),
        tiers: project.config.tier_rules(),
        alerts: project.config.alerts.settings(),
    }
}

/// The scorecards of every quarter `data` has data in, each as of its default date.
pub fn compute(project: &Project, data: &watershed_model::Dataset, today: NaiveDate) -> watershed_metrics::Scorecards {
    let calendar = project.config.program.calendar();
    let periods = Index::new(data).periods(&calendar);
    scorecards(&calendar, data, &periods, today, None, &settings(project))
}

/// Computes and stores the scorecards of every quarter `data` (the dataset the run
/// wrote) has data in.
pub(crate) fn write(
    writer: &RunWriter,
    project: &Project,
    data: &watershed_model::Dataset,
    today: NaiveDate,
) -> Result<usize, PipelineError> {
    let cards = compute(project, data, today);
    let periods: std::collections::BTreeSet<_> = cards.rows.iter().map(|r| r.period).collect();
    let names: Vec<&str> = CATALOG.iter().map(|m| m.name).collect();
    let kpis: Vec<KpiRecord> = cards
        .rows
        .iter()
        .map(|r| KpiRecord {
            partner_id: r.partner_id.clone(),
            period: r.period.to_string(),
            as_of: r.as_of.to_string(),
            // Exact (not rounded): `watershed kpis` serves these without recomputing.
            values: r.values.iter().map(|v| v.map(|d| d.normalize().to_string())).collect(),
            health_level: r.health.level.to_string(),
        })
        .collect();
    let health: Vec<HealthRecord> = cards
        .rows
        .iter()
        .map(|r| HealthRecord {
            partner_id: r.partner_id.clone(),
            period: r.period.to_string(),
            score: r.health.score.map(text),
            level: r.health.level.to_string(),
            coverage_pct: text(r.health.coverage_pct),
            points: r.health.components.iter().map(|c| (c.name.to_string(), c.points.map(text))).collect(),
            components_json: serde_json::to_string(&r.health.components).unwrap_or_else(|_| "[]".into()),
        })
        .collect();
    let alerts: Vec<AlertRecord> = cards
        .alerts
        .iter()
        .map(|a| AlertRecord {
            partner_id: a.partner_id.clone(),
            period: a.period.clone(),
            rule: a.rule.to_string(),
            severity: a.severity.as_str().to_string(),
            message: a.message.clone(),
            action: a.action.to_string(),
        })
        .collect();
    let tiers: Vec<TierRecord> = cards
        .tiers
        .iter()
        .zip(cards.rows.iter())
        .map(|(t, r)| TierRecord {
            partner_id: t.partner_id.clone(),
            period: r.period.to_string(),
            recorded_tier: t.recorded_tier.clone(),
            qualified_tier: t.qualified_tier.clone(),
            next_tier: t.next_tier.clone(),
            gap_text: t.gap_text.clone(),
            mismatch: t.mismatch,
        })
        .collect();
    writer.replace_scorecards(&names, &kpis, &health, &alerts, &tiers)?;
    Ok(periods.len())
}

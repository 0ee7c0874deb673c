//! Everything the scorecard needs for a set of periods in one pass: every partner's
//! catalog row, its tier standing and the alerts.

use crate::alerts::{Alert, AlertSettings, alerts};
use crate::compute::{Index, MetricRow, MetricSettings, partner_metrics};
use crate::tiers::{TierRule, TierStatus, tier_status};
use crate::{default_as_of, trailing_revenue};
use chrono::NaiveDate;
use std::collections::HashMap;
use watershed_model::{Dataset, FiscalCalendar, FiscalPeriod};

/// What to compute scorecards with.
#[derive(Debug, Clone)]
pub struct ScorecardSettings {
    /// Metric settings.
    pub metrics: MetricSettings,
    /// Tier rules (may be empty).
    pub tiers: Vec<TierRule>,
    /// Alert thresholds.
    pub alerts: AlertSettings,
}

/// Rows, tier standings and alerts for some periods.
#[derive(Debug, Clone, Default)]
pub struct Scorecards {
    /// Catalog rows, period by period, partners in master-data order.
    pub rows: Vec<MetricRow>,
    /// Tier standing per row (same order as `rows`), when tiers are configured.
    pub tiers: Vec<TierStatus>,
    /// Alerts, ranked within each period.
    pub alerts: Vec<Alert>,
}

/// Computes scorecards of every partner of the master data for `periods`, each as of
/// its default as-of date for `today` (or `as_of` when given).
pub fn scorecards(
    calendar: &FiscalCalendar,
    data: &Dataset,
    periods: &[FiscalPeriod],
    today: NaiveDate,
    as_of: Option<NaiveDate>,
    settings: &ScorecardSettings,
) -> Scorecards {
    let index = Index::new(data);
    let ids: Vec<String> = data.partners.iter().map(|p| p.partner_id.clone()).collect();
    let tier_of: HashMap<&str, Option<&str>> = data.partners.iter().map(|p| (p.partner_id.as_str(), p.tier.as_deref())).collect();
    let mut out = Scorecards::default();
    let mut cache: HashMap<FiscalPeriod, Vec<MetricRow>> = HashMap::new();
    let mut rows_of = |p: FiscalPeriod| -> Vec<MetricRow> {
        cache
            .entry(p)
            .or_insert_with(|| {
                partner_metrics(calendar, &index, &ids, p, as_of.unwrap_or_else(|| default_as_of(calendar, p, today)), settings.metrics)
            })
            .clone()
    };
    for &period in periods {
        let rows = rows_of(period);
        let previous = rows_of(period.prev());
        let prev_by: HashMap<&str, &MetricRow> = previous.iter().map(|r| (r.partner_id.as_str(), r)).collect();
        out.alerts.extend(alerts(&rows, &prev_by, &index, &settings.alerts));
        if !settings.tiers.is_empty() {
            let t4q = trailing_revenue(calendar, data, period);
            for r in &rows {
                let revenue = t4q.get(&r.partner_id).copied().unwrap_or_default();
                out.tiers.push(tier_status(&settings.tiers, r, revenue, tier_of.get(r.partner_id.as_str()).copied().flatten()));
            }
        }
        out.rows.extend(rows);
    }
    out
}

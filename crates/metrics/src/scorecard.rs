//! Everything the scorecard needs for a set of periods in one pass: every partner's
//! catalog row, its tier standing and the alerts.

use crate::alerts::{Alert, AlertSettings, alerts};
use crate::compute::{Index, MetricRow, MetricSettings, partner_metrics};
use crate::default_as_of;
use crate::tiers::{TierRule, TierStatus, tier_status};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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
///
/// The dataset is indexed once; the periods (and the quarters before them, for the
/// trend alerts) are computed on every available core.
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
    let with_tiers = !settings.tiers.is_empty();

    // Every quarter needed: the periods and the one before each (trend rules).
    let mut needed: Vec<(FiscalPeriod, bool)> = Vec::new();
    for &period in periods {
        for (p, is_period) in [(period, true), (period.prev(), false)] {
            match needed.iter_mut().find(|(q, _)| *q == p) {
                Some(entry) => entry.1 |= is_period,
                None => needed.push((p, is_period)),
            }
        }
    }
    let work = |&(p, is_period): &(FiscalPeriod, bool)| {
        let rows = partner_metrics(calendar, &index, &ids, p, as_of.unwrap_or_else(|| default_as_of(calendar, p, today)), settings.metrics);
        let t4q = (with_tiers && is_period).then(|| index.trailing_revenue(calendar, p));
        (rows, t4q)
    };
    if needed.len() > 1 {
        index.build_all(with_tiers);
    }
    let computed = on_threads(&needed, work);
    let by_period: HashMap<FiscalPeriod, &Quarter> = needed.iter().map(|(p, _)| *p).zip(computed.iter()).collect();

    let mut out = Scorecards::default();
    let empty_rows = Vec::new();
    let empty_t4q = HashMap::new();
    for &period in periods {
        let (rows, t4q) = by_period.get(&period).map_or((&empty_rows, None), |(r, t)| (r, t.as_ref()));
        let previous = by_period.get(&period.prev()).map_or(&empty_rows, |(r, _)| r);
        let prev_by: HashMap<&str, &MetricRow> = previous.iter().map(|r| (r.partner_id.as_str(), r)).collect();
        out.alerts.extend(alerts(rows, &prev_by, &index, &settings.alerts));
        if with_tiers {
            let t4q = t4q.unwrap_or(&empty_t4q);
            for r in rows {
                let revenue = t4q.get(&r.partner_id).copied().unwrap_or_default();
                out.tiers.push(tier_status(&settings.tiers, r, revenue, tier_of.get(r.partner_id.as_str()).copied().flatten()));
            }
        }
    }
    drop(by_period);
    // The rows last, moved rather than copied (a period's rows are its partners' full
    // catalogs: 70 MB for 2,500 partners over 9 quarters); a period asked for twice is
    // copied for all but its last mention.
    let mut quarters: Vec<Option<Vec<MetricRow>>> = computed.into_iter().map(|(rows, _)| Some(rows)).collect();
    for (k, period) in periods.iter().enumerate() {
        let Some(i) = needed.iter().position(|(p, _)| p == period) else { continue };
        let again = periods[k + 1..].contains(period);
        match &mut quarters[i] {
            Some(rows) if again => out.rows.extend(rows.iter().cloned()),
            slot => out.rows.extend(slot.take().unwrap_or_default()),
        }
    }
    out
}

/// One quarter's catalog rows, with its partners' trailing revenue when tiers need it.
type Quarter = (Vec<MetricRow>, Option<HashMap<String, Decimal>>);

/// `work` over every item, on as many threads as there are cores (at most one per
/// item), results in the order of `items`.
fn on_threads<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        return items.iter().map(&work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, work(item)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

//! The metric catalog (DESIGN "Metric catalog"), computed from plain data.
//!
//! Pure: a [`watershed_model::Dataset`] in, one row per partner and period out. A
//! metric whose denominator is zero or missing is `None` (null), never 0. Percentages
//! are 0–100 numbers. Values keep full decimal precision; presentation rounds. Beside
//! the catalog: the health score with its components, peers within tiers, tier
//! qualification, program and segmented views, and alerts.

pub mod alerts;
pub mod catalog;
pub mod compute;
pub mod health;
pub mod opportunity;
pub mod peers;
pub mod program;
pub mod scorecard;
pub mod tiers;

pub use alerts::{Alert, AlertSettings, Severity, alerts};
pub use catalog::CATALOG;
pub use compute::{Index, MetricRow, MetricSettings, partner_metrics};
pub use health::{Health, HealthComponent, LEVELS as HEALTH_LEVELS};
pub use opportunity::{KpiRow, opportunity_kpis};
pub use peers::{PeerStat, peers};
pub use program::{ProgramRow, Segment, program};
pub use scorecard::{ScorecardSettings, Scorecards, scorecards};
pub use tiers::{REVENUE_T4Q, TierRule, TierStatus, tier_status};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use watershed_model::{Dataset, FiscalCalendar, FiscalPeriod, Stage};

/// The as-of date when none is given: the end of `period`, or `today` while the
/// period is still running.
pub fn default_as_of(calendar: &FiscalCalendar, period: FiscalPeriod, today: NaiveDate) -> NaiveDate {
    let end = calendar.end(period);
    if calendar.start(period) <= today && today <= end { today } else { end }
}

/// Closed-won credited revenue per partner over the four quarters ending with `period`.
pub fn trailing_revenue(calendar: &FiscalCalendar, data: &Dataset, period: FiscalPeriod) -> HashMap<String, Decimal> {
    let start = calendar.start(period.prev().prev().prev());
    let end = calendar.end(period);
    let won: foldhash::HashMap<&str, Decimal> = data
        .opportunities
        .iter()
        .filter(|o| o.stage == Stage::ClosedWon && start <= o.close_date && o.close_date <= end)
        .map(|o| (o.opportunity_id.as_str(), o.amount))
        .collect();
    // Summed by borrowed id (no String per link), owned once per partner at the end.
    let mut sums: foldhash::HashMap<&str, Decimal> = HashMap::default();
    for l in &data.links {
        if let Some(amount) = won.get(l.opportunity_id.as_str()) {
            *sums.entry(l.partner_id.as_str()).or_default() += *amount * l.split;
        }
    }
    sums.into_iter().map(|(partner_id, sum)| (partner_id.to_string(), sum)).collect()
}

/// An amount with its thousands grouped, rounded to whole units: 1234567.8 → "1,234,568".
pub fn group_thousands(amount: Decimal) -> String {
    let rounded = amount.round_dp(0);
    let digits = rounded.abs().trunc().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// An amount for people: `$1,234,568` (whole units, thousands grouped).
pub fn money_text(amount: Decimal) -> String {
    let grouped = group_thousands(amount);
    match grouped.strip_prefix('-') {
        Some(positive) => format!("-${positive}"),
        None => format!("${grouped}"),
    }
}

/// The kind of a metric's value, for formatting and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// An amount in the reporting currency.
    Money,
    /// A count.
    Count,
    /// A percentage, 0–100.
    Percent,
    /// A number of days.
    Days,
    /// Any other number (hours, scores, ratios).
    Number,
}

/// A metric of the catalog: its name (the column name) and a one-line definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    /// Column name, as in the catalog.
    pub name: &'static str,
    /// Value kind.
    pub kind: MetricKind,
    /// The definition, for people (help, BI comments, workbook).
    pub definition: &'static str,
}

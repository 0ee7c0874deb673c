//! The metric catalog: every metric's name (its column name everywhere), kind and definition.

use crate::{MetricDef, MetricKind};

const fn m(name: &'static str, kind: MetricKind, definition: &'static str) -> MetricDef {
    MetricDef { name, kind, definition }
}

use MetricKind::*;

/// Every per-partner metric of DESIGN's catalog, in output order. `health_level` is
/// text and travels beside these numbers.
pub const CATALOG: &[MetricDef] = &[
    m("revenue", Money, "Σ credited amount (amount × split) of won opportunities with close_date in the period"),
    m("revenue_sourced", Money, "revenue where the partner's role is sourced"),
    m("revenue_influenced", Money, "revenue where the partner's role is influenced"),
    m("revenue_prev", Money, "revenue of the previous quarter"),
    m("revenue_ytd", Money, "won, close_date from the start of the fiscal year to min(end of period, as-of)"),
    m("target", Money, "the partner's target for the period"),
    m("growth_pct", Percent, "(revenue − revenue_prev) / revenue_prev × 100"),
    m("attainment_pct", Percent, "revenue / target × 100"),
    m("pipeline_count", Count, "opportunities open as of the as-of date (stage not closed, created_date ≤ as-of)"),
    m("pipeline_value", Money, "Σ credited amount of the open opportunities"),
    m("pipeline_sourced", Money, "pipeline_value where the partner's role is sourced"),
    m("pipeline_influenced", Money, "pipeline_value where the partner's role is influenced"),
    m("coverage_pct", Percent, "pipeline_value / target × 100"),
    m("avg_deal_size", Money, "pipeline_value / pipeline_count"),
    m("won_count", Count, "opportunities won with close_date in the period"),
    m("lost_count", Count, "opportunities lost with close_date in the period"),
    m("win_rate_pct", Percent, "won_count / (won_count + lost_count) × 100"),
    m("conversion_rate_pct", Percent, "won_count / all opportunities with close_date in the period × 100"),
    m("sales_cycle_days", Days, "mean (close_date − created_date) in days over won opportunities in the period"),
    m("dealreg_submitted", Count, "deal registrations with submitted_at in the period"),
    m("dealreg_approved", Count, "of those, ever approved (status approved or won, or approved_at set)"),
    m("dealreg_won", Count, "of those, status won or linked to a won opportunity"),
    m("approval_rate_pct", Percent, "dealreg_approved / dealreg_submitted × 100"),
    m("dealreg_win_rate_pct", Percent, "dealreg_won / dealreg_submitted × 100"),
    m("time_to_approval_hours", Number, "mean (approved_at − submitted_at) in hours over the period's approved registrations"),
    m("training_rate_pct", Percent, "trainings completed by the end of the period / trainings assigned by the end of the period × 100"),
    m("active_certifications", Count, "certifications issued ≤ end of period and (no expiry or expiry > end of period)"),
    m("portal_logins_per_month", Number, "portal logins in the period / 3"),
    m("portal_activity_pct", Percent, "min(100, logins per month / 4 × 100)"),
    m("events_attended", Count, "events dated in the period"),
    m("mdf_allocated", Money, "MDF allocated for the period"),
    m("mdf_spent", Money, "Σ amount_spent of MDF requests submitted in the period"),
    m("mdf_utilization_pct", Percent, "mdf_spent / mdf_allocated × 100"),
    m("mdf_roi", Number, "Σ attributed_revenue / Σ amount_spent of MDF requests submitted in the period"),
    m("csat", Number, "mean score (1–5) of CSAT responses dated in the period"),
    m("nps", Number, "% promoters (9–10) − % detractors (0–6) of NPS responses dated in the period"),
    m("implementation_days", Days, "mean (go_live_date − contract_date) in days over go-lives in the period"),
    m("fcr_rate_pct", Percent, "tickets opened in the period resolved on first contact / tickets opened with a known outcome × 100"),
    m("escalation_rate_pct", Percent, "tickets opened in the period that were escalated / tickets opened with a known outcome × 100"),
    m("partner_cost", Money, "Σ partner_costs for the period"),
    m("partner_margin", Money, "revenue − partner_cost"),
    m(
        "health_score",
        Number,
        "weighted health score 0–100 (revenue 30, pipeline 25, engagement 20, satisfaction 15, velocity 10), null below 50 % coverage",
    ),
    m("health_coverage_pct", Percent, "sum of the weights of the health components that had data"),
];

/// Position of `name` in [`CATALOG`].
pub fn index_of(name: &str) -> Option<usize> {
    CATALOG.iter().position(|m| m.name == name)
}

/// The definition of metric `name`.
pub fn metric(name: &str) -> Option<&'static MetricDef> {
    CATALOG.iter().find(|m| m.name == name)
}

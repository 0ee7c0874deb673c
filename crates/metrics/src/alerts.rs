//! Alerts and coaching: seed 001's benchmarks as rules, each firing with its numbers,
//! a severity and a recommended action.

use crate::compute::{Index, MetricRow, expiring_certifications};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// Thresholds of the alert rules (`[alerts]` in watershed.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSettings {
    /// Pipeline coverage below this (%) alerts.
    pub coverage_min_pct: Decimal,
    /// Deal-registration approval rate below this (%) alerts.
    pub approval_rate_min_pct: Decimal,
    /// CSAT below this alerts.
    pub csat_min: Decimal,
    /// MDF utilization below this (%) alerts.
    pub mdf_utilization_min_pct: Decimal,
    /// MDF utilization above this (%) alerts.
    pub mdf_utilization_max_pct: Decimal,
    /// Fewer active certifications than this alerts.
    pub certifications_min: Decimal,
    /// Certifications expiring within this many days of the as-of date alert.
    pub certification_expiry_days: i64,
    /// A health score this many points below the previous quarter's alerts.
    pub health_drop_points: Decimal,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            coverage_min_pct: Decimal::from(150),
            approval_rate_min_pct: Decimal::from(75),
            csat_min: Decimal::new(45, 1),
            mdf_utilization_min_pct: Decimal::from(70),
            mdf_utilization_max_pct: Decimal::from(85),
            certifications_min: Decimal::from(2),
            certification_expiry_days: 90,
            health_drop_points: Decimal::from(10),
        }
    }
}

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Act this quarter.
    Medium,
    /// Act now.
    High,
}

impl Severity {
    /// `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One alert for one partner and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The partner.
    pub partner_id: String,
    /// The period.
    pub period: String,
    /// The rule that fired (`low_coverage`, …).
    pub rule: &'static str,
    /// How urgent.
    pub severity: Severity,
    /// The numbers that triggered it, in words.
    pub message: String,
    /// What to do about it.
    pub action: &'static str,
    /// The partner's revenue in the period, to rank alerts of equal severity by impact.
    pub revenue: Decimal,
}

fn num(d: Decimal) -> String {
    d.round_dp(1).normalize().to_string()
}

/// Evaluates every rule for `rows` (one period), with `previous` (the period before,
/// by partner) for trend rules. Returns alerts ranked: severity, then revenue at stake.
pub fn alerts(rows: &[MetricRow], previous: &HashMap<&str, &MetricRow>, index: &Index, settings: &AlertSettings) -> Vec<Alert> {
    let mut out = Vec::new();
    for r in rows {
        let revenue = r.get("revenue").unwrap_or_default();
        let mut fire = |rule: &'static str, severity: Severity, message: String, action: &'static str| {
            out.push(Alert { partner_id: r.partner_id.clone(), period: r.period.to_string(), rule, severity, message, action, revenue });
        };
        if let Some(c) = r.get("coverage_pct")
            && c < settings.coverage_min_pct
        {
            let severity = if c < settings.coverage_min_pct / Decimal::TWO { Severity::High } else { Severity::Medium };
            fire(
                "low_coverage",
                severity,
                format!(
                    "pipeline coverage {}% < {}% (pipeline {} vs target {})",
                    num(c),
                    num(settings.coverage_min_pct),
                    crate::money_text(r.get("pipeline_value").unwrap_or_default()),
                    crate::money_text(r.get("target").unwrap_or_default())
                ),
                "Build pipeline with the partner: joint account planning, a targeted campaign, more deal registrations.",
            );
        }
        if let Some(a) = r.get("approval_rate_pct")
            && a < settings.approval_rate_min_pct
        {
            fire(
                "low_approval_rate",
                Severity::Medium,
                format!(
                    "deal registration approval rate {}% < {}% ({} of {} approved)",
                    num(a),
                    num(settings.approval_rate_min_pct),
                    num(r.get("dealreg_approved").unwrap_or_default()),
                    num(r.get("dealreg_submitted").unwrap_or_default())
                ),
                "Review the rejected registrations with the partner and coach on the ideal customer profile.",
            );
        }
        if let Some(c) = r.get("csat")
            && c < settings.csat_min
        {
            let severity = if c < settings.csat_min - Decimal::ONE / Decimal::TWO { Severity::High } else { Severity::Medium };
            fire(
                "low_csat",
                severity,
                format!("CSAT {} < {}", c.round_dp(2).normalize(), num(settings.csat_min)),
                "Review delivery quality with the partner; schedule customer success check-ins on recent projects.",
            );
        }
        if let Some(u) = r.get("mdf_utilization_pct") {
            if u < settings.mdf_utilization_min_pct {
                fire(
                    "mdf_underused",
                    Severity::Low,
                    format!(
                        "MDF utilization {}% < {}% ({} spent of {})",
                        num(u),
                        num(settings.mdf_utilization_min_pct),
                        crate::money_text(r.get("mdf_spent").unwrap_or_default()),
                        crate::money_text(r.get("mdf_allocated").unwrap_or_default())
                    ),
                    "Help the partner plan MDF activities now, or reallocate the unused funds.",
                );
            } else if u > settings.mdf_utilization_max_pct {
                fire(
                    "mdf_overspent",
                    Severity::Low,
                    format!("MDF utilization {}% > {}%", num(u), num(settings.mdf_utilization_max_pct)),
                    "Check MDF claims against approvals and the ROI of the activities.",
                );
            }
        }
        if let Some(c) = r.get("active_certifications")
            && c < settings.certifications_min
        {
            fire(
                "few_certifications",
                Severity::Medium,
                format!("{} active certifications < {}", num(c), num(settings.certifications_min)),
                "Enroll the partner's consultants in the certification track.",
            );
        }
        let expiring = expiring_certifications(index, &r.partner_id, r.as_of, settings.certification_expiry_days);
        if !expiring.is_empty() {
            let first = expiring[0].2;
            fire(
                "certifications_expiring",
                Severity::Low,
                format!(
                    "{} certification(s) expire within {} days of {} (first on {first})",
                    expiring.len(),
                    settings.certification_expiry_days,
                    r.as_of
                ),
                "Remind the holders to renew before expiry.",
            );
        }
        if r.get("dealreg_submitted").is_some_and(|n| n.is_zero()) {
            fire(
                "no_deal_registration",
                Severity::Medium,
                "no deal registration submitted this quarter".into(),
                "Re-engage the partner's sellers: registration incentives and a pipeline review.",
            );
        }
        if let Some(prev) = previous.get(r.partner_id.as_str()) {
            if let (Some(now), Some(before)) = (r.get("health_score"), prev.get("health_score"))
                && before - now >= settings.health_drop_points
            {
                fire(
                    "health_drop",
                    Severity::High,
                    format!("health score {} → {} ({} points) since {}", num(before), num(now), num(now - before), prev.period),
                    "Schedule a business review: find the component that fell (see `watershed explain --metric health_score`).",
                );
            }
            if let (Some(g), Some(g_prev)) = (r.get("growth_pct"), prev.get("growth_pct"))
                && g < Decimal::ZERO
                && g_prev < Decimal::ZERO
            {
                fire(
                    "revenue_decline",
                    Severity::High,
                    format!("revenue growth negative two quarters running ({}% in {}, {}% now)", num(g_prev), prev.period, num(g)),
                    "Agree a recovery plan with the partner: target accounts, enablement and executive sponsorship.",
                );
            }
        }
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.revenue.cmp(&a.revenue))
            .then_with(|| a.partner_id.cmp(&b.partner_id))
            .then_with(|| a.rule.cmp(b.rule))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CATALOG, index_of};
    use crate::health::Health;
    use std::str::FromStr;
    use watershed_model::Dataset;

    fn row(id: &str, period: &str, values: &[(&str, &str)]) -> MetricRow {
        let mut v = vec![None; CATALOG.len()];
        for (name, value) in values {
            v[index_of(name).unwrap()] = Some(Decimal::from_str(value).unwrap());
        }
        MetricRow {
            partner_id: id.into(),
            period: period.parse().unwrap(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            values: v,
            health: Health::default(),
        }
    }

    #[test]
    fn each_rule_fires_on_its_threshold_and_alerts_are_ranked() {
        let data = Dataset::default();
        let index = Index::new(&data);
        let current = vec![
            row(
                "A",
                "FY2026-Q3",
                &[("coverage_pct", "149.9"), ("target", "1000"), ("pipeline_value", "1499"), ("revenue", "10"), ("dealreg_submitted", "0")],
            ),
            row(
                "B",
                "FY2026-Q3",
                &[
                    ("coverage_pct", "60"),
                    ("approval_rate_pct", "74"),
                    ("dealreg_submitted", "4"),
                    ("dealreg_approved", "3"),
                    ("revenue", "500"),
                    ("csat", "4.5"),
                ],
            ),
            row(
                "C",
                "FY2026-Q3",
                &[
                    ("csat", "3.9"),
                    ("mdf_utilization_pct", "86"),
                    ("active_certifications", "1"),
                    ("health_score", "60"),
                    ("growth_pct", "-5"),
                    ("revenue", "50"),
                ],
            ),
            row(
                "D",
                "FY2026-Q3",
                &[
                    ("coverage_pct", "150"),
                    ("approval_rate_pct", "75"),
                    ("csat", "4.5"),
                    ("mdf_utilization_pct", "70"),
                    ("active_certifications", "2"),
                    ("health_score", "61"),
                ],
            ),
        ];
        let prev_rows = [
            row("C", "FY2026-Q2", &[("health_score", "70"), ("growth_pct", "-1")]),
            row("D", "FY2026-Q2", &[("health_score", "70"), ("growth_pct", "-1")]),
        ];
        let previous: HashMap<&str, &MetricRow> = prev_rows.iter().map(|r| (r.partner_id.as_str(), r)).collect();
        let list = alerts(&current, &previous, &index, &AlertSettings::default());
        let fired: Vec<(&str, &str, &str)> = list.iter().map(|a| (a.partner_id.as_str(), a.rule, a.severity.as_str())).collect();
        assert_eq!(
            fired,
            vec![
                ("B", "low_coverage", "high"),
                ("C", "health_drop", "high"),
                ("C", "low_csat", "high"),
                ("C", "revenue_decline", "high"),
                ("B", "low_approval_rate", "medium"),
                ("C", "few_certifications", "medium"),
                ("A", "low_coverage", "medium"),
                ("A", "no_deal_registration", "medium"),
                ("C", "mdf_overspent", "low"),
            ],
            "D sits exactly on every threshold and fires nothing; a 9-point drop is not 10"
        );
        assert!(list.iter().find(|a| a.partner_id == "A" && a.rule == "low_coverage").unwrap().message.contains("$1,499 vs target $1,000"));
    }
}

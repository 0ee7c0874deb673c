//! Tier qualification: what each tier requires, what a partner qualifies for, and the
//! gap to the next tier in plain words and numbers.

use crate::MetricKind;
use crate::catalog::metric;
use crate::compute::MetricRow;
use rust_decimal::Decimal;
use serde::Serialize;

/// The trailing-four-quarter revenue requirement's metric name.
pub const REVENUE_T4Q: &str = "revenue_t4q";

/// One tier of the program and what it requires (each value: at least).
#[derive(Debug, Clone, PartialEq)]
pub struct TierRule {
    /// Tier name (matches partners.csv `tier`).
    pub name: String,
    /// Higher is better.
    pub rank: i64,
    /// (metric, minimum): catalog metrics or `revenue_t4q`.
    pub requires: Vec<(String, Decimal)>,
}

/// One unmet requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The metric.
    pub metric: String,
    /// The minimum the tier requires.
    pub required: Decimal,
    /// The partner's value (None: no data).
    pub actual: Option<Decimal>,
    /// How much is missing.
    pub missing: Decimal,
}

/// A partner's tier standing in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierStatus {
    /// The partner.
    pub partner_id: String,
    /// The tier in the master data.
    pub recorded_tier: Option<String>,
    /// The highest tier whose requirements are all met.
    pub qualified_tier: Option<String>,
    /// The tier above the qualified one.
    pub next_tier: Option<String>,
    /// What is missing for the next tier.
    pub gaps: Vec<Gap>,
    /// The gaps in words ("needs $120,000 more closed-won revenue …").
    pub gap_text: String,
    /// The recorded tier differs from the qualified one.
    pub mismatch: bool,
}

fn value_of(row: &MetricRow, revenue_t4q: Decimal, name: &str) -> Option<Decimal> {
    if name == REVENUE_T4Q { Some(revenue_t4q) } else { row.get(name) }
}

fn unmet(rule: &TierRule, row: &MetricRow, revenue_t4q: Decimal) -> Vec<Gap> {
    rule.requires
        .iter()
        .filter_map(|(name, required)| {
            let actual = value_of(row, revenue_t4q, name);
            let missing = *required - actual.unwrap_or(Decimal::ZERO);
            (actual.is_none() || missing > Decimal::ZERO).then(|| Gap {
                metric: name.clone(),
                required: *required,
                actual,
                missing: missing.max(Decimal::ZERO),
            })
        })
        .collect()
}

/// Words for one gap.
pub fn describe(gap: &Gap) -> String {
    let money = crate::money_text;
    match gap.metric.as_str() {
        REVENUE_T4Q => format!("{} more closed-won revenue (trailing four quarters)", money(gap.missing)),
        "revenue" => format!("{} more closed-won revenue this quarter", money(gap.missing)),
        "active_certifications" => {
            let n = gap.missing.ceil();
            format!("{n} more active certification{}", if n == Decimal::ONE { "" } else { "s" })
        }
        name => {
            let kind = metric(name).map_or(MetricKind::Number, |m| m.kind);
            let shown = |d: Decimal| match kind {
                MetricKind::Money => money(d),
                MetricKind::Percent => format!("{}%", d.round_dp(1).normalize()),
                _ => d.round_dp(2).normalize().to_string(),
            };
            match gap.actual {
                Some(a) => format!("{name} of at least {} (now {})", shown(gap.required), shown(a)),
                None => format!("{name} of at least {} (no data yet)", shown(gap.required)),
            }
        }
    }
}

/// The tier standing of `row`'s partner under `rules` (any order).
pub fn tier_status(rules: &[TierRule], row: &MetricRow, revenue_t4q: Decimal, recorded_tier: Option<&str>) -> TierStatus {
    let mut sorted: Vec<&TierRule> = rules.iter().collect();
    sorted.sort_by_key(|r| r.rank);
    let qualified = sorted.iter().rev().find(|r| unmet(r, row, revenue_t4q).is_empty()).copied();
    let next = match qualified {
        Some(q) => sorted.iter().find(|r| r.rank > q.rank).copied(),
        None => sorted.first().copied(),
    };
    let gaps = next.map(|n| unmet(n, row, revenue_t4q)).unwrap_or_default();
    let gap_text = match next {
        Some(n) if !gaps.is_empty() => {
            let parts: Vec<String> = gaps.iter().map(describe).collect();
            format!("{}: needs {}", n.name, join_words(&parts))
        }
        _ => "top tier".to_string(),
    };
    let qualified_tier = qualified.map(|q| q.name.clone());
    TierStatus {
        partner_id: row.partner_id.clone(),
        recorded_tier: recorded_tier.map(str::to_string),
        mismatch: !rules.is_empty() && recorded_tier.map(str::to_lowercase) != qualified_tier.as_deref().map(str::to_lowercase),
        qualified_tier,
        next_tier: next.map(|n| n.name.clone()),
        gaps,
        gap_text,
    }
}

fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CATALOG, index_of};
    use crate::health::Health;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rules() -> Vec<TierRule> {
        vec![
            TierRule { name: "Silver".into(), rank: 1, requires: vec![] },
            TierRule {
                name: "Platinum".into(),
                rank: 3,
                requires: vec![
                    (REVENUE_T4Q.into(), dec("4000000")),
                    ("active_certifications".into(), dec("5")),
                    ("csat".into(), dec("4.3")),
                ],
            },
            TierRule {
                name: "Gold".into(),
                rank: 2,
                requires: vec![(REVENUE_T4Q.into(), dec("1000000")), ("active_certifications".into(), dec("2"))],
            },
        ]
    }

    fn row(certs: &str, csat: Option<&str>) -> MetricRow {
        let mut values = vec![None; CATALOG.len()];
        values[index_of("active_certifications").unwrap()] = Some(dec(certs));
        values[index_of("csat").unwrap()] = csat.map(dec);
        MetricRow {
            partner_id: "P1".into(),
            period: "FY2026-Q3".parse().unwrap(),
            as_of: chrono::NaiveDate::MIN,
            values,
            health: Health::default(),
        }
    }

    #[test]
    fn qualification_and_gap_in_words() {
        let s = tier_status(&rules(), &row("4", Some("4.4")), dec("3880000"), Some("Platinum"));
        assert_eq!(s.qualified_tier.as_deref(), Some("Gold"));
        assert_eq!(s.next_tier.as_deref(), Some("Platinum"));
        assert_eq!(s.gap_text, "Platinum: needs $120,000 more closed-won revenue (trailing four quarters) and 1 more active certification");
        assert!(s.mismatch, "recorded Platinum, qualifies for Gold");
    }

    #[test]
    fn missing_data_is_a_gap_and_top_tier_has_none() {
        let s = tier_status(&rules(), &row("6", None), dec("5000000"), Some("gold"));
        assert_eq!(s.qualified_tier.as_deref(), Some("Gold"));
        assert!(!s.mismatch, "tier names compare case-insensitively");
        assert_eq!(s.gap_text, "Platinum: needs csat of at least 4.3 (no data yet)");
        let top = tier_status(&rules(), &row("6", Some("4.9")), dec("5000000"), Some("Platinum"));
        assert_eq!((top.qualified_tier.as_deref(), top.gap_text.as_str()), (Some("Platinum"), "top tier"));
        let bottom = tier_status(&rules(), &row("0", None), dec("10"), None);
        assert_eq!(bottom.qualified_tier.as_deref(), Some("Silver"));
        assert_eq!(
            bottom.gap_text,
            "Gold: needs $999,990 more closed-won revenue (trailing four quarters) and 2 more active certifications"
        );
    }
}

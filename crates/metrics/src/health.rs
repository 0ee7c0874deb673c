//! The health score (seed 001's weights): five components, each ratio clamped to
//! [0, 1], components without data dropped and the rest re-weighted to 100.

use crate::compute::MetricRow;
use rust_decimal::Decimal;
use serde::Serialize;

/// One input ratio of a health component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthInput {
    /// The metric it comes from.
    pub metric: &'static str,
    /// The metric's value (None: no data).
    pub value: Option<Decimal>,
    /// How the ratio is formed, for people ("coverage_pct / 200").
    pub formula: &'static str,
    /// The ratio after clamping to [0, 1].
    pub ratio: Option<Decimal>,
}

/// One weighted component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthComponent {
    /// revenue, pipeline, engagement, satisfaction, velocity.
    pub name: &'static str,
    /// Its nominal weight (sums to 100 over the five).
    pub weight: Decimal,
    /// Its inputs.
    pub inputs: Vec<HealthInput>,
    /// Mean of the non-null input ratios (None: dropped).
    pub value: Option<Decimal>,
    /// Points it contributes after re-weighting (value × weight × 100 / coverage).
    pub points: Option<Decimal>,
}

/// A partner's health for a period, with everything needed to recompute it by hand.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    /// 0–100; None when coverage is below 50.
    pub score: Option<Decimal>,
    /// Excellent, Good, At Risk, Critical or Insufficient data.
    pub level: &'static str,
    /// Sum of the weights of the components that had data.
    pub coverage_pct: Decimal,
    /// The five components.
    pub components: Vec<HealthComponent>,
}

/// Every health level, best first, then the one for too little data.
pub const LEVELS: [&str; 5] = ["Excellent", "Good", "At Risk", "Critical", "Insufficient data"];

/// The level of a score (on the unrounded score).
pub fn level(score: Option<Decimal>) -> &'static str {
    match score {
        None => LEVELS[4],
        Some(s) if s >= Decimal::from(85) => LEVELS[0],
        Some(s) if s >= Decimal::from(70) => LEVELS[1],
        Some(s) if s >= Decimal::from(55) => LEVELS[2],
        Some(_) => LEVELS[3],
    }
}

fn clamp(ratio: Decimal) -> Decimal {
    ratio.max(Decimal::ZERO).min(Decimal::ONE)
}

/// Computes the health score of `row` from its catalog values.
pub fn health(row: &MetricRow, cycle_ceiling_days: u32) -> Health {
    let ceiling = Decimal::from(cycle_ceiling_days.max(1));
    let ratio = |metric: &'static str, formula: &'static str, f: &dyn Fn(Decimal) -> Decimal| {
        let value = row.get(metric);
        HealthInput { metric, value, formula, ratio: value.map(|v| clamp(f(v))) }
    };
    let spec: Vec<(&'static str, i64, Vec<HealthInput>)> = vec![
        ("revenue", 30, vec![ratio("attainment_pct", "attainment_pct / 100", &|v| v / Decimal::ONE_HUNDRED)]),
        (
            "pipeline",
            25,
            vec![
                ratio("coverage_pct", "coverage_pct / 200", &|v| v / Decimal::from(200)),
                ratio("conversion_rate_pct", "conversion_rate_pct / 50", &|v| v / Decimal::from(50)),
            ],
        ),
        (
            "engagement",
            20,
            vec![
                ratio("training_rate_pct", "training_rate_pct / 100", &|v| v / Decimal::ONE_HUNDRED),
                ratio("portal_activity_pct", "portal_activity_pct / 100", &|v| v / Decimal::ONE_HUNDRED),
            ],
        ),
        ("satisfaction", 15, vec![ratio("csat", "csat / 5", &|v| v / Decimal::from(5))]),
        (
            "velocity",
            10,
            vec![
                ratio("win_rate_pct", "win_rate_pct / 40", &|v| v / Decimal::from(40)),
                ratio("sales_cycle_days", "1 − sales_cycle_days / cycle_ceiling_days", &|v| Decimal::ONE - v / ceiling),
            ],
        ),
    ];
    let mut components: Vec<HealthComponent> = spec
        .into_iter()
        .map(|(name, weight, inputs)| {
            let present: Vec<Decimal> = inputs.iter().filter_map(|i| i.ratio).collect();
            let value = (!present.is_empty()).then(|| present.iter().sum::<Decimal>() / Decimal::from(present.len() as i64));
            HealthComponent { name, weight: Decimal::from(weight), inputs, value, points: None }
        })
        .collect();
    let coverage: Decimal = components.iter().filter(|c| c.value.is_some()).map(|c| c.weight).sum();
    let score = if coverage >= Decimal::from(50) {
        for c in &mut components {
            c.points = c.value.map(|v| v * c.weight * Decimal::ONE_HUNDRED / coverage);
        }
        Some(components.iter().filter_map(|c| c.points).sum())
    } else {
        None
    };
    Health { score, level: level(score), coverage_pct: coverage, components }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CATALOG, index_of};
    use std::str::FromStr;

    fn row(values: &[(&str, &str)]) -> MetricRow {
        let mut v = vec![None; CATALOG.len()];
        for (name, value) in values {
            v[index_of(name).unwrap()] = Some(Decimal::from_str(value).unwrap());
        }
        MetricRow {
            partner_id: "P".into(),
            period: "FY2026-Q1".parse().unwrap(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            values: v,
            health: Health::default(),
        }
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn every_component_present() {
        // revenue 80/100 = 0.8 → 24; pipeline mean(150/200, 25/50) = 0.625 → 15.625;
        // engagement mean(0.5, 1.0 (clamped from 1.5)) = 0.75 → 15; satisfaction 4.5/5 = 0.9 → 13.5;
        // velocity mean(20/40, 1 − 90/180) = 0.5 → 5. Total 73.125: Good.
        let h = health(
            &row(&[
                ("attainment_pct", "80"),
                ("coverage_pct", "150"),
                ("conversion_rate_pct", "25"),
                ("training_rate_pct", "50"),
                ("portal_activity_pct", "150"),
                ("csat", "4.5"),
                ("win_rate_pct", "20"),
                ("sales_cycle_days", "90"),
            ]),
            180,
        );
        assert_eq!(h.coverage_pct, dec("100"));
        assert_eq!(h.score, Some(dec("73.125")));
        assert_eq!(h.level, "Good");
        let points: Vec<Decimal> = h.components.iter().map(|c| c.points.unwrap()).collect();
        assert_eq!(points, vec![dec("24"), dec("15.625"), dec("15"), dec("13.5"), dec("5")]);
    }

    #[test]
    fn missing_components_are_dropped_and_the_rest_reweighted() {
        // Only revenue (30) and satisfaction (15): coverage 45 < 50 → null.
        let h = health(&row(&[("attainment_pct", "100"), ("csat", "5")]), 180);
        assert_eq!((h.score, h.level, h.coverage_pct), (None, "Insufficient data", dec("45")));
        // Revenue (30) + pipeline with one input (25): coverage 55; (1 × 30 + 0.5 × 25) / 55 × 100.
        let h = health(&row(&[("attainment_pct", "120"), ("coverage_pct", "100")]), 180);
        assert_eq!(h.coverage_pct, dec("55"));
        let expected = (dec("30") + dec("12.5")) / dec("55") * dec("100");
        assert_eq!(h.score.map(|s| s.round_dp(10)), Some(expected.round_dp(10)));
        assert_eq!(h.level, "Good", "77.27");
    }

    #[test]
    fn ratios_are_clamped_and_long_cycles_score_zero() {
        let h = health(
            &row(&[("attainment_pct", "-20"), ("win_rate_pct", "80"), ("sales_cycle_days", "400"), ("csat", "1"), ("coverage_pct", "0")]),
            180,
        );
        let velocity = &h.components[4];
        assert_eq!(velocity.inputs[0].ratio, Some(dec("1")));
        assert_eq!(velocity.inputs[1].ratio, Some(dec("0")));
        assert_eq!(h.components[0].value, Some(dec("0")));
        assert_eq!(h.level, "Critical");
    }

    #[test]
    fn levels_on_the_unrounded_score() {
        for (score, expected) in
            [("85", "Excellent"), ("84.999", "Good"), ("70", "Good"), ("69.99", "At Risk"), ("55", "At Risk"), ("54.9", "Critical")]
        {
            assert_eq!(level(Some(dec(score))), expected, "{score}");
        }
    }
}

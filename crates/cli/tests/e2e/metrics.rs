//! The whole catalog on the example program: every column, the health score recomputed
//! by hand from `explain`, alerts ranked, program totals counting each deal once.

use crate::common::*;
use rust_decimal::Decimal;
use std::collections::HashSet;

#[test]
fn the_catalog_on_the_example_program() {
    let (_tmp, dir) = example_run();
    let rows = json(&dir, &["kpis", "--period", "FY2026-Q3"]);
    let rows = rows.as_array().expect("array");
    assert!(rows.len() >= 25);
    let keys: Vec<String> = rows[0].as_object().expect("object").keys().cloned().collect();
    for metric in [
        "revenue",
        "growth_pct",
        "attainment_pct",
        "coverage_pct",
        "win_rate_pct",
        "sales_cycle_days",
        "dealreg_submitted",
        "approval_rate_pct",
        "dealreg_win_rate_pct",
        "time_to_approval_hours",
        "training_rate_pct",
        "active_certifications",
        "portal_logins_per_month",
        "portal_activity_pct",
        "events_attended",
        "mdf_allocated",
        "mdf_spent",
        "mdf_utilization_pct",
        "mdf_roi",
        "csat",
        "nps",
        "implementation_days",
        "fcr_rate_pct",
        "escalation_rate_pct",
        "partner_cost",
        "partner_margin",
        "health_score",
        "health_level",
    ] {
        assert!(keys.iter().any(|k| k == metric), "column {metric} missing");
        let present = rows.iter().filter(|r| !r[metric].is_null()).count();
        assert!(present * 2 >= rows.len(), "{metric}: only {present} of {} partners have a value", rows.len());
    }
    // Sensible ranges.
    for r in rows {
        let within = |metric: &str, lo: i64, hi: i64| {
            if let Some(v) = dec(&r[metric]) {
                assert!(v >= Decimal::from(lo) && v <= Decimal::from(hi), "{} {metric} = {v}", r["partner_id"]);
            }
        };
        for pct in [
            "win_rate_pct",
            "conversion_rate_pct",
            "approval_rate_pct",
            "training_rate_pct",
            "portal_activity_pct",
            "fcr_rate_pct",
            "escalation_rate_pct",
            "health_score",
            "health_coverage_pct",
        ] {
            within(pct, 0, 100);
        }
        within("csat", 1, 5);
        within("nps", -100, 100);
        let margin = dec(&r["partner_margin"]).expect("margin");
        let by_hand = dec(&r["revenue"]).expect("revenue") - dec(&r["partner_cost"]).expect("cost");
        assert!((margin - by_hand).abs() <= d("0.01"), "{} margin {margin} vs {by_hand}", r["partner_id"]);
    }
}

#[test]
fn health_score_recomputes_by_hand_from_explain() {
    let (_tmp, dir) = example_run();
    let rows = json(&dir, &["kpis", "--period", "FY2026-Q3"]);
    for partner in ["P001", "P003", "P027"] {
        let health = json(&dir, &["explain", "--partner", partner, "--metric", "health_score", "--period", "FY2026-Q3"]);
        let mut coverage = Decimal::ZERO;
        let mut weighted = Decimal::ZERO;
        for c in health["components"].as_array().expect("components") {
            let ratios: Vec<Decimal> = c["inputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .filter_map(|i| i["ratio"].as_str().map(d).or_else(|| dec(&i["ratio"])))
                .collect();
            if ratios.is_empty() {
                continue;
            }
            let mean = ratios.iter().sum::<Decimal>() / Decimal::from(ratios.len() as i64);
            let weight = c["weight"].as_str().map(d).or_else(|| dec(&c["weight"])).expect("weight");
            coverage += weight;
            weighted += mean * weight;
        }
        let kpi = dec(&row(&rows, partner)["health_score"]);
        if coverage < Decimal::from(50) {
            assert_eq!(kpi, None, "{partner}");
            continue;
        }
        let by_hand = weighted * Decimal::ONE_HUNDRED / coverage;
        let kpi = kpi.expect("score");
        assert!((by_hand - kpi).abs() <= d("0.01"), "{partner}: by hand {by_hand}, kpis {kpi}");
    }
}

#[test]
fn alerts_ranked_and_program_counts_each_deal_once() {
    let (_tmp, dir) = example_run();
    let alerts = json(&dir, &["alerts", "--period", "FY2026-Q3"]);
    let alerts = alerts.as_array().expect("array");
    assert!(!alerts.is_empty());
    let rank = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    let severities: Vec<i32> = alerts.iter().map(|a| rank(a["severity"].as_str().unwrap_or(""))).collect();
    assert!(severities.windows(2).all(|w| w[0] <= w[1]), "ranked by severity");
    assert!(alerts.iter().all(|a| !a["action"].as_str().unwrap_or("").is_empty() && !a["message"].as_str().unwrap_or("").is_empty()));
    let rules: HashSet<&str> = alerts.iter().filter_map(|a| a["rule"].as_str()).collect();
    assert!(rules.len() >= 4, "several rules fire on the example: {rules:?}");

    let program = json(&dir, &["kpis", "--period", "FY2026-Q3", "--program"]);
    let partners = json(&dir, &["kpis", "--period", "FY2026-Q3"]);
    let p = &program[0];
    let by_partner: Decimal = partners.as_array().expect("rows").iter().filter_map(|r| dec(&r["revenue"])).sum();
    let program_revenue = dec(&p["revenue"]).expect("revenue");
    assert!(program_revenue < by_partner, "deals credited to several partners count once in the program");
    assert!(dec(&p["revenue_sourced"]).expect("sourced") <= program_revenue);
    let by_tier = json(&dir, &["kpis", "--period", "FY2026-Q3", "--by", "tier"]);
    assert_eq!(by_tier.as_array().map(Vec::len), Some(3), "three tiers");
    let status = json(&dir, &["status"]);
    assert!(status["counts"]["partner_kpis"].as_i64().unwrap_or(0) >= 8 * 25, "{}", status["counts"]);
}

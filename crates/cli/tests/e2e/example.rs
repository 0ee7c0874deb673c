//! `watershed init --example` + `run` + `kpis`, checked against the generator's
//! ground truth (truth/deals.csv, truth/source_rows.csv), computed here independently.

use crate::common::*;
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

struct TruthDeal {
    stage: String,
    currency: String,
    amount_original: Decimal,
    created: Option<NaiveDate>,
    close: NaiveDate,
    links: Vec<(String, String, Decimal)>,
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("truth file");
    let headers = reader.headers().expect("headers").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn truth_deals(dir: &Path) -> Vec<TruthDeal> {
    read_csv(&dir.join("truth/deals.csv"))
        .into_iter()
        .map(|r| TruthDeal {
            stage: r["stage"].clone(),
            currency: r["currency"].clone(),
            amount_original: d(&r["amount_original"]),
            created: date(&r["created_date"]),
            close: date(&r["close_date"]).expect("close date"),
            links: r["partners"]
                .split(';')
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let parts: Vec<&str> = l.split(':').collect();
                    (parts[0].to_string(), parts[1].to_string(), d(parts[2]))
                })
                .collect(),
        })
        .collect()
}

fn fx_rates(dir: &Path) -> HashMap<(String, i32, u32), Decimal> {
    read_csv(&dir.join("mappings/fx_rates.csv"))
        .into_iter()
        .map(|r| {
            let month = date(&format!("{}-01", r["month"])).expect("month");
            ((r["currency"].clone(), month.year(), month.month()), d(&r["rate"]))
        })
        .collect()
}

/// Per partner: (revenue, won, lost, pipeline count, pipeline value) for a calendar quarter.
fn expected(dir: &Path, start: NaiveDate, end: NaiveDate) -> BTreeMap<String, (Decimal, i64, i64, i64, Decimal)> {
    let fx = fx_rates(dir);
    let mut out: BTreeMap<String, (Decimal, i64, i64, i64, Decimal)> = BTreeMap::new();
    for deal in truth_deals(dir) {
        let rate = if deal.currency == "USD" { Decimal::ONE } else { fx[&(deal.currency.clone(), deal.close.year(), deal.close.month())] };
        let amount = (deal.amount_original * rate).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let in_period = start <= deal.close && deal.close <= end;
        for (partner, _role, split) in &deal.links {
            let e = out.entry(partner.clone()).or_default();
            match deal.stage.as_str() {
                "closed_won" if in_period => {
                    e.0 += amount * split;
                    e.1 += 1;
                }
                "closed_lost" if in_period => e.2 += 1,
                "closed_won" | "closed_lost" => {}
                _ if deal.created.is_none_or(|c| c <= end) => {
                    e.3 += 1;
                    e.4 += amount * split;
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn example_program_end_to_end_against_ground_truth() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);

    // Run: every source balances, every bad row sits in quarantine with its reason.
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    for s in report["sources"].as_array().expect("sources") {
        let sum: u64 = ["new", "updated", "merged", "quarantined", "skipped"].iter().map(|k| s[k].as_u64().unwrap_or(0)).sum();
        assert_eq!(s["read"].as_u64(), Some(sum), "conservation for {}", s["name"]);
        assert!(s["read"].as_u64().unwrap_or(0) > 0, "source {} read nothing", s["name"]);
        assert!(s["error"].is_null(), "{}", s["error"]);
    }
    let rows = read_csv(&dir.join("truth/source_rows.csv"));
    let bad: HashSet<(String, u64)> =
        rows.iter().filter(|r| r["kind"] == "bad").map(|r| (r["file"].clone(), r["line"].parse().expect("line"))).collect();
    let quarantined: HashSet<(String, u64)> = json(&dir, &["quarantine", "list"])
        .as_array()
        .expect("array")
        .iter()
        .map(|q| (q["file"].as_str().unwrap_or("").to_string(), q["line"].as_u64().unwrap_or(0)))
        .collect();
    assert!(bad.len() >= 5, "the example has a handful of bad rows");
    let missing: Vec<_> = bad.difference(&quarantined).collect();
    assert!(missing.is_empty(), "bad rows not in quarantine: {missing:?}");
    let unexpected: Vec<_> = quarantined.difference(&bad).collect();
    assert!(unexpected.is_empty(), "good rows quarantined: {unexpected:?}");
    let skipped: u64 = report["sources"].as_array().expect("sources").iter().map(|s| s["skipped"].as_u64().unwrap_or(0)).sum();
    assert_eq!(skipped as usize, rows.iter().filter(|r| r["kind"] == "skipped").count());

    // Every deal of the truth is exactly one golden record.
    let deals = truth_deals(&dir);
    assert_eq!(report["golden_opportunities"].as_u64(), Some(deals.len() as u64));

    // KPIs against the truth, for two quarters.
    for (period, start, end) in [("FY2026-Q2", "2026-04-01", "2026-06-30"), ("FY2025-Q4", "2025-10-01", "2025-12-31")] {
        let (start, end) = (date(start).expect("date"), date(end).expect("date"));
        let want = expected(&dir, start, end);
        let got = json(&dir, &["kpis", "--period", period, "--as-of", &end.to_string()]);
        let mut checked = 0;
        for (partner, (revenue, won, lost, pipeline_count, pipeline_value)) in &want {
            let r = row(&got, partner);
            let close = |metric: &str, want: Decimal| {
                let got = dec(&r[metric]).expect(metric);
                assert!((got - want).abs() <= d("0.01"), "{partner} {period} {metric}: got {got}, truth {want}");
            };
            close("revenue", *revenue);
            close("pipeline_value", *pipeline_value);
            assert_eq!(r["won_count"].as_i64(), Some(*won), "{partner} {period} won_count");
            assert_eq!(r["lost_count"].as_i64(), Some(*lost), "{partner} {period} lost_count");
            assert_eq!(r["pipeline_count"].as_i64(), Some(*pipeline_count), "{partner} {period} pipeline_count");
            checked += 1;
        }
        assert!(checked >= 25, "{checked} partners checked");
    }

    // Idempotence: a second run changes nothing and the KPIs are identical.
    let kpis_before = ok(&dir, &["kpis", "--period", "FY2026-Q2", "--format", "csv"]);
    let counts_before = json(&dir, &["status"])["counts"].clone();
    let second = json(&dir, &["run"]);
    assert_eq!(second["status"], "up_to_date");
    assert_eq!(json(&dir, &["status"])["counts"], counts_before);
    assert_eq!(ok(&dir, &["kpis", "--period", "FY2026-Q2", "--format", "csv"]), kpis_before);
}

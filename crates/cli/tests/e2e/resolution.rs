//! Resolution without shared ids: the example program with the CRM id columns taken
//! out of the channel sheet and the partner files must give the same KPIs, and the
//! review queue may hold only pairs that are genuinely hard to tell apart.

use crate::common::{json, ok};
use std::collections::HashMap;
use std::path::Path;

/// A deal of the truth: its partners (sourced and influenced) and its customer.
type TruthDeal = (Vec<String>, String);

/// (source, file, line) of a source row.
type RowPlace = (String, String, u64);

/// `truth/source_rows.csv` as (source, file, line) → deal id, and `truth/deals.csv` as
/// deal id → (partners, customer).
fn truth(dir: &Path) -> (HashMap<RowPlace, String>, HashMap<String, TruthDeal>) {
    let mut rows = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("truth/source_rows.csv")).expect("source_rows.csv");
    for r in reader.records() {
        let r = r.expect("row");
        if !r[3].is_empty() {
            rows.insert((r[0].to_string(), r[1].to_string(), r[2].parse().expect("line")), r[3].to_string());
        }
    }
    let mut deals = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("truth/deals.csv")).expect("deals.csv");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (id, customer, partners) = (col("deal_id"), col("customer_name"), col("partners"));
    for r in reader.records() {
        let r = r.expect("row");
        // "P001:sourced:1;P007:influenced:0.5"
        let ids = r[partners].split(';').map(|link| link.split(':').next().unwrap_or("").to_string()).collect();
        deals.insert(r[id].to_string(), (ids, r[customer].to_string()));
    }
    (rows, deals)
}

#[test]
fn without_shared_ids_the_kpis_are_the_same_and_review_holds_only_hard_pairs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
    let program = ["--opportunities", "5000", "--partners", "30", "--seed", "42"];
    let mut args = vec!["generate", with.to_str().expect("path")];
    args.extend(program);
    ok(tmp.path(), &args);
    let mut args = vec!["generate", without.to_str().expect("path"), "--without-shared-ids"];
    args.extend(program);
    ok(tmp.path(), &args);

    // The shared-id columns are really gone.
    let header = |rel: &str, dir: &Path| {
        std::fs::read_to_string(dir.join(rel)).expect("file").lines().find(|l| l.contains("Partner")).unwrap_or("").to_string()
    };
    assert!(header("inbox/partners/tailspin_q_report.csv", &with).contains("CRM Opportunity ID"));
    assert!(!header("inbox/partners/tailspin_q_report.csv", &without).contains("CRM Opportunity ID"));
    assert!(!header("inbox/sheets/channel_pipeline.csv", &without).contains("SFDC ID"));

    let report_with = json(&with, &["run"]);
    let report_without = json(&without, &["run"]);
    assert_eq!(report_with["golden_opportunities"], report_without["golden_opportunities"]);
    let merged = |report: &serde_json::Value| report["matching"]["merged"].as_u64().unwrap_or(0);
    assert!(merged(&report_without) > 500, "scored matching found the re-reported deals: {}", report_without["matching"]);

    // Every quarter's KPIs, for every partner, are identical.
    for year in [2025, 2026] {
        for quarter in 1..=4 {
            let period = format!("FY{year}-Q{quarter}");
            let a = ok(&with, &["kpis", "--period", &period, "--format", "csv"]);
            let b = ok(&without, &["kpis", "--period", &period, "--format", "csv"]);
            assert!(a.lines().count() > 10, "{period} has KPI rows");
            assert_eq!(a, b, "KPIs of {period} differ without shared ids");
        }
    }

    // The review queue: only different deals of one customer that share a partner (the
    // generator's "sibling" deals, or a partner's own deal beside a CRM deal it was
    // involved in), which nothing but a person can tell apart for sure.
    let (rows, deals) = truth(&without);
    let review = json(&without, &["review", "list"]);
    let review = review.as_array().expect("array");
    let deal_of = |side: &serde_json::Value| -> String {
        let key = (
            side["source"].as_str().expect("source").to_string(),
            side["file"].as_str().expect("file").to_string(),
            side["line"].as_u64().expect("line"),
        );
        rows.get(&key).cloned().unwrap_or_else(|| panic!("no truth row for {key:?}"))
    };
    for pair in review {
        let (a, b) = (deal_of(&pair["left_row"]), deal_of(&pair["right_row"]));
        assert_ne!(a, b, "a duplicate was left in review instead of merged: {pair}");
        let (da, db) = (&deals[&a], &deals[&b]);
        let share_partner = da.0.iter().any(|p| db.0.contains(p));
        assert!(share_partner && da.1 == db.1, "review pair is not hard (other partner or customer): {pair}\n{da:?}\n{db:?}");
    }
}

#[test]
fn bench_resolve_prints_accuracy_against_the_truth_and_spares_other_folders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("bench");
    let out = json(tmp.path(), &["bench", "resolve", "--opportunities", "3000", "--dir", dir.to_str().expect("path")]);
    assert_eq!(out["shared_ids"], false);
    let (precision, recall) = (out["precision"].as_f64().expect("precision"), out["recall"].as_f64().expect("recall"));
    assert!(precision >= 0.97 && recall >= 0.95, "{out}");
    assert!(out["pairs"]["actual"].as_u64().expect("pairs") > 100, "the program re-reports deals: {out}");
    assert!(out["comparisons"].as_u64().expect("comparisons") > 0);
    assert_eq!(out["records_without_truth"], 0, "every stored record maps to a truth row");
    assert!(dir.join("truth/deals.csv").is_file());

    // A folder that is not a generated program is never replaced.
    let project = tmp.path().join("mine");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("watershed.toml"), "# mine\n").expect("write");
    let failed = crate::common::watershed(tmp.path())
        .args(["bench", "resolve", "--opportunities", "1000", "--dir", project.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("not a generated program"));
    assert!(project.join("watershed.toml").is_file(), "the folder is untouched");
}

//! Governance on the example program: the quarantine taken to zero through `map`
//! commands alone, each fix recovered by the next run and audited; every KPI explained
//! down to file and line.

use crate::common::*;

#[test]
fn quarantine_to_zero_through_map_commands_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    ok(&dir, &["run", "--quiet"]);
    let quarantine = json(&dir, &["quarantine", "list"]);
    let rows = quarantine.as_array().expect("array").clone();
    assert!(rows.len() >= 10);
    let product = std::fs::read_to_string(dir.join("mappings/products.csv")).expect("products");
    let product_id = product.lines().nth(1).and_then(|l| l.split(',').next()).expect("a product").to_string();
    for q in &rows {
        let field = q["field"].as_str().unwrap_or("");
        let value = q["value"].as_str().unwrap_or("").to_string();
        let record = q["record_id"].to_string();
        let source = q["source"].as_str().unwrap_or("").to_string();
        let reason = q["reason"].as_str().unwrap_or("");
        match field {
            "partner" if !q["suggestions"].as_array().is_none_or(|s| s.is_empty()) => {
                ok(&dir, &["map", "accept", &value]);
            }
            "partner" => {
                ok(&dir, &["map", "add", "partner-alias", &value, "P002"]);
            }
            "currency" => {
                let month = reason.split(" in ").nth(1).and_then(|r| r.get(..7)).expect("month in the reason");
                ok(&dir, &["map", "add", "fx", &value, month, "1.1"]);
            }
            "product" => {
                ok(&dir, &["map", "add", "product-alias", &value, &product_id]);
            }
            "stage" => {
                ok(&dir, &["map", "add", "stage", &source, &value, "negotiation"]);
            }
            "amount" => {
                ok(&dir, &["map", "correct", &record, "amount", "10000"]);
            }
            "close_date" => {
                ok(&dir, &["map", "correct", &record, "close_date", "2026-03-31"]);
            }
            "customer_name" => {
                ok(&dir, &["map", "correct", &record, "customer_name", "Corrected Customer"]);
            }
            other => panic!("no map command for a `{other}` problem: {q}"),
        }
    }
    let report = json(&dir, &["run"]);
    assert_eq!(report["recovered"].as_u64(), Some(rows.len() as u64), "every fixed record comes back");
    assert_eq!(report["quarantine_open"].as_u64(), Some(0));
    let audit = json(&dir, &["audit", "--limit", "100"]);
    let actions: Vec<&str> = audit.as_array().expect("array").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions.iter().filter(|a| a.starts_with("map ")).count(), rows.len(), "one audited change per fix");
    assert_eq!(actions.iter().filter(|a| **a == "run").count(), 2);
    let status = json(&dir, &["status"]);
    assert!(status["sources"].as_array().is_some_and(|s| s.iter().all(|x| !x["last_new_input"].is_null())));
    assert!(status["violations"].as_array().is_some_and(|v| v.iter().any(|x| x["rule"] == "stale_pipeline")), "{}", status["violations"]);
}

#[test]
fn every_number_explained_down_to_file_and_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    let report = json(&dir, &["run"]);
    // record_lineage holds the opportunities' source records, one row for each stored
    // one (new, updated or merged); a row of another entity carries its own record id.
    let stored: u64 = report["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter(|s| s["entity"] == "opportunities")
        .map(|s| ["new", "updated", "merged"].iter().map(|k| s[*k].as_u64().expect("count")).sum::<u64>())
        .sum();
    let store = watershed_store::Store::open(&dir.join("watershed.db")).expect("store");
    assert!(stored > 0);
    assert_eq!(store.count("record_lineage").expect("count") as u64, stored);
    drop(store);
    let kpis = json(&dir, &["kpis", "--period", "FY2026-Q2"]);
    for (partner, metric) in [("P001", "revenue"), ("P003", "revenue_influenced"), ("P002", "pipeline_value"), ("P005", "won_count")] {
        let x = json(&dir, &["explain", "--partner", partner, "--metric", metric, "--period", "FY2026-Q2"]);
        let total = d(x["total"].as_str().expect("total"));
        let want = dec(&row(&kpis, partner)[metric]).expect("metric");
        assert!((total - want).abs() <= d("0.01"), "{partner} {metric}: explain {total} vs kpis {want}");
        let records = x["records"].as_array().expect("records");
        assert!(!records.is_empty());
        for r in records {
            let sources = r["sources"].as_array().expect("sources");
            assert!(
                sources.iter().all(|s| s["file"].as_str().is_some_and(|f| f.starts_with("inbox/")) && s["line"].as_u64().unwrap_or(0) > 0),
                "{r}"
            );
        }
    }
    // Ratios: the formula, its parts and the target's source row.
    let x = json(&dir, &["explain", "--partner", "P001", "--metric", "attainment_pct", "--period", "FY2026-Q2"]);
    assert_eq!(x["formula"], "revenue / target × 100");
    assert!(x["target_source"].as_str().is_some_and(|s| s.starts_with("inbox/targets/targets.csv:")), "{x}");
    let value = d(x["value"].as_str().expect("value"));
    let by_hand = d(x["components"][0]["value"].as_str().expect("revenue")) / d(x["target"].as_str().expect("target")) * d("100");
    assert!((value - by_hand).abs() <= d("0.01"), "{value} vs {by_hand}");

    // A deal reported by several sources: members, ties and the survivorship per field.
    let x = json(&dir, &["explain", "--partner", "P001", "--metric", "revenue", "--period", "FY2026-Q2"]);
    let merged = x["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["sources"].as_array().is_some_and(|s| s.iter().any(|m| m["relation"] == "duplicate")))
        .expect("a merged deal");
    let id = merged["opportunity_id"].as_str().expect("id");
    let o = json(&dir, &["explain", "--opportunity", id]);
    assert!(o["members"].as_array().is_some_and(|m| m.len() >= 2));
    assert!(
        o["members"].as_array().is_some_and(|m| m.iter().any(|x| x["tie"].as_str().is_some_and(|t| t.starts_with("crm_opportunity_id"))))
    );
    let amount = o["survivorship"].as_array().expect("fields").iter().find(|f| f["field"] == "amount").expect("amount");
    assert_eq!(amount["rule"], "survivor");
    assert_eq!(amount["record_id"], o["members"][0]["record_id"], "the survivor is listed first");
}

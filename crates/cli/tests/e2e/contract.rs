//! A program written to DESIGN's contract by hand (tests/fixtures/contract): every
//! expected figure below is worked out from its files, not from Watershed's output.

use crate::common::*;

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("program");
    copy_dir(&fixture("contract"), &dir);
    (tmp, dir)
}

#[test]
fn run_balances_every_source_and_quarantines_bad_rows_with_reasons() {
    let (_tmp, dir) = project();
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    let crm = source(&report, "crm");
    // 9 rows: O1 twice (two partner links), O2–O6 new, O7 bad amount, O8 unknown partner.
    assert_eq!((crm["read"].as_u64(), crm["new"].as_u64(), crm["quarantined"].as_u64()), (Some(9), Some(7), Some(2)));
    let drop = source(&report, "partner_drop");
    // A-1 quotes O2 (merged), A-2 and A-3 are new, a blank line and a TOTAL line are skipped.
    assert_eq!(
        (drop["read"].as_u64(), drop["new"].as_u64(), drop["merged"].as_u64(), drop["skipped"].as_u64(), drop["quarantined"].as_u64()),
        (Some(5), Some(2), Some(1), Some(2), Some(0))
    );
    assert_eq!(source(&report, "quotas")["new"].as_u64(), Some(2));
    assert_eq!(report["golden_opportunities"].as_u64(), Some(8), "O1–O6, A-2, A-3 (A-1 is O2)");
    assert_eq!(report["quarantine_open"].as_u64(), Some(2));
    let quarantine = json(&dir, &["quarantine", "list"]);
    let reasons: Vec<(String, String, u64)> = quarantine
        .as_array()
        .expect("array")
        .iter()
        .map(|q| {
            (q["field"].as_str().unwrap_or("").to_string(), q["file"].as_str().unwrap_or("").to_string(), q["line"].as_u64().unwrap_or(0))
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("amount".to_string(), "inbox/crm/export.csv".to_string(), 9),
            ("partner".to_string(), "inbox/crm/export.csv".to_string(), 10)
        ]
    );
    let partner_reason = quarantine[1]["reason"].as_str().expect("reason");
    assert!(partner_reason.contains("Gama Consultng") && partner_reason.contains("P3"), "suggests Gamma Consulting: {partner_reason}");
    assert_eq!(quarantine[1]["row"][0], "O8", "the whole row is kept as received");
}

#[test]
fn a_second_run_counts_each_new_row_as_new_updated_or_merged() {
    let (_tmp, dir) = project();
    assert_eq!(json(&dir, &["run"])["status"], "succeeded");
    // CRM: a new version of O4 (updated) and a deal never seen (new).
    std::fs::write(
        dir.join("inbox/crm/update.csv"),
        "Opportunity ID,Account Name,Billing Country,Amount,Currency,Stage,Created Date,Close Date,Partner Account,Partner Role,Partner Split\n\
         O4,Umbrella,US,9000,USD,Closed Won,2026-08-01,2026-11-30,P1,sourced,\n\
         O9,Initrode,US,4000,USD,Proposal/Price Quote,2026-08-01,2026-12-15,P1,Sourced,\n",
    )
    .expect("write");
    // Partner drop: a new version of its own A-2 (updated), and A-4 quoting the CRM's O3,
    // a record of another source that existed before this run (merged).
    std::fs::write(
        dir.join("inbox/acme/more.csv"),
        "Deal-Nr.;Kunde;Betrag (EUR);Abschluss;Status;CRM Ref\nA-2;Müller KG;5.500,00;15.09.2026;Gewonnen;\nA-4;Hooli Inc;4.500,00;01.08.2026;Gewonnen;O3\n",
    )
    .expect("write");
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    let counts = |name: &str| {
        let s = source(&report, name);
        ["read", "new", "updated", "merged", "quarantined"].map(|k| s[k].as_u64().unwrap_or(u64::MAX))
    };
    assert_eq!(counts("crm"), [2, 1, 1, 0, 0], "O9 new, O4 updated");
    assert_eq!(counts("partner_drop"), [2, 0, 1, 1, 0], "A-2 updated, A-4 merged into O3");
    assert_eq!(report["golden_opportunities"].as_u64(), Some(9), "the first run's 8 and O9");
}

#[test]
fn kpis_match_the_catalog_worked_by_hand() {
    let (_tmp, dir) = project();
    ok(&dir, &["run", "--quiet"]);
    let rows = json(&dir, &["kpis", "--period", "FY2027-Q2", "--as-of", "2026-09-30"]);
    assert_eq!(rows.as_array().map(Vec::len), Some(3), "one row per partner of the master data");
    let keys: Vec<&str> = rows[0].as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(&keys[..3], &["partner_id", "period", "revenue"]);

    // P1: O1 won Jul 15 (10,000 sourced), O3 lost, O4 open (8,000), O5 won in Q1 (3,000).
    let p1 = row(&rows, "P1");
    let expect = |r: &serde_json::Value, metric: &str, value: Option<&str>| {
        assert_eq!(dec(&r[metric]), value.map(d), "{} {metric}", r["partner_id"]);
    };
    for (metric, value) in [
        ("revenue", Some("10000")),
        ("revenue_sourced", Some("10000")),
        ("revenue_influenced", Some("0")),
        ("revenue_prev", Some("3000")),
        ("revenue_ytd", Some("13000")),
        ("target", Some("20000")),
        ("growth_pct", Some("233.33")),
        ("attainment_pct", Some("50")),
        ("pipeline_count", Some("1")),
        ("pipeline_value", Some("8000")),
        ("coverage_pct", Some("40")),
        ("avg_deal_size", Some("8000")),
        ("won_count", Some("1")),
        ("lost_count", Some("1")),
        ("win_rate_pct", Some("50")),
        ("conversion_rate_pct", Some("50")),
        ("sales_cycle_days", Some("44")),
    ] {
        expect(p1, metric, value);
    }
    // P2: O2 20,000 EUR × 1.10 (Aug) = 22,000 (the CRM survives over A-1's 18,000);
    // A-2 5,000.50 EUR × 1.12 (Sep) = 5,600.56; A-3 open 2,000 EUR × 1.05 (Nov) = 2,100.
    let p2 = row(&rows, "P2");
    for (metric, value) in [
        ("revenue", Some("27600.56")),
        ("revenue_sourced", Some("27600.56")),
        ("revenue_prev", Some("0")),
        ("growth_pct", None),
        ("target", Some("25000")),
        ("attainment_pct", Some("110.4")),
        ("pipeline_count", Some("1")),
        ("pipeline_value", Some("2100")),
        ("coverage_pct", Some("8.4")),
        ("won_count", Some("2")),
        ("win_rate_pct", Some("100")),
        ("conversion_rate_pct", Some("100")),
        ("sales_cycle_days", Some("50")),
    ] {
        expect(p2, metric, value);
    }
    // P3: influenced on O1 with a 50 % split.
    let p3 = row(&rows, "P3");
    for (metric, value) in [
        ("revenue", Some("5000")),
        ("revenue_influenced", Some("5000")),
        ("revenue_sourced", Some("0")),
        ("target", None),
        ("attainment_pct", None),
        ("coverage_pct", None),
        ("avg_deal_size", None),
    ] {
        expect(p3, metric, value);
    }
}

#[test]
fn a_second_run_is_a_no_op_and_a_mapping_fix_recovers_quarantined_rows() {
    let (_tmp, dir) = project();
    ok(&dir, &["run", "--quiet"]);
    let before = ok(&dir, &["kpis", "--period", "FY2027-Q2", "--as-of", "2026-09-30", "--format", "csv"]);
    let status_before = json(&dir, &["status"]);
    let second = json(&dir, &["run"]);
    assert_eq!(second["status"], "up_to_date");
    assert_eq!(ok(&dir, &["kpis", "--period", "FY2027-Q2", "--as-of", "2026-09-30", "--format", "csv"]), before);
    let status_after = json(&dir, &["status"]);
    assert_eq!(status_after["counts"], status_before["counts"], "no table changed");

    // Teach the alias table the misspelling and run again: O8 leaves quarantine.
    let aliases = dir.join("mappings/partner_aliases.csv");
    let mut text = std::fs::read_to_string(&aliases).expect("read");
    text.push_str("Gama Consultng,P3\n");
    std::fs::write(&aliases, text).expect("write");
    let third = json(&dir, &["run"]);
    assert_eq!(third["status"], "succeeded");
    assert_eq!(third["recovered"].as_u64(), Some(1));
    assert_eq!(third["quarantine_open"].as_u64(), Some(1));
    let q3 = json(&dir, &["kpis", "--period", "FY2027-Q3", "--partner", "Gamma Consulting"]);
    assert_eq!(dec(&q3[0]["revenue"]), Some(d("700")));
}

#[test]
fn a_bad_configuration_exits_2_naming_file_line_and_fix() {
    let (_tmp, dir) = project();
    let path = dir.join("watershed.toml");
    let text = std::fs::read_to_string(&path).expect("read").replace("precedence =", "precedense =");
    std::fs::write(&path, text).expect("write");
    let out = watershed(&dir).arg("run").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("watershed.toml:33:1") && err.contains("unknown key `precedense`") && err.contains("did you mean `precedence`?"),
        "{err}"
    );
}

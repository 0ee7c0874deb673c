//! Publishing to the real PostgreSQL server (WATERSHED_TEST_POSTGRES_URL), exports, the
//! XLSX scorecard and the generated BI guide.

use crate::common::*;
use std::process::Command;

fn postgres_url() -> String {
    std::env::var("WATERSHED_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs SQL through psql and returns the unaligned, tuples-only output.
fn psql(sql: &str) -> String {
    let out =
        Command::new("psql").args([postgres_url().as_str(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]).output().expect("psql");
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

fn example() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    ok(&dir, &["run", "--quiet"]);
    (tmp, dir)
}

#[test]
fn publish_is_complete_documented_and_atomic() {
    let (_tmp, dir) = example();
    let schema = format!("ws_test_{}", std::process::id());
    let url = postgres_url();
    let report = json(&dir, &["publish", "--to", &url, "--schema", &schema]);
    assert!(report["rows"].as_u64().unwrap_or(0) > 20_000, "{report}");

    // Every number of the scorecard is there, with descriptions.
    let kpis = json(&dir, &["kpis", "--period", "FY2026-Q2"]);
    for partner in ["P001", "P010", "P030"] {
        let want = dec(&row(&kpis, partner)["revenue"]).expect("revenue");
        let got = d(&psql(&format!("SELECT revenue FROM {schema}.partner_kpis WHERE partner_id = '{partner}' AND period = 'FY2026-Q2'")));
        assert!((got - want).abs() <= d("0.01"), "{partner}: {got} vs {want}");
    }
    let undocumented = psql(&format!(
        "SELECT count(*) FROM information_schema.columns c WHERE c.table_schema = '{schema}'
         AND col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) IS NULL
         AND c.table_name NOT LIKE 'v\\_%'"
    ));
    assert_eq!(undocumented, "0", "every table column has a comment");
    assert_eq!(psql(&format!("SELECT count(*) FROM {schema}.v_partner_scorecard")), "30");
    let opportunities = psql(&format!("SELECT count(*) FROM {schema}.opportunities"));
    assert_eq!(opportunities, "5000");

    // An interrupted publish leaves the previous one intact and readable.
    let out = watershed(&dir)
        .args(["publish", "--to", &url, "--schema", &schema])
        .env("WATERSHED_PUBLISH_FAIL_AFTER", "3")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "the interrupted publish fails");
    assert_eq!(psql(&format!("SELECT count(*) FROM {schema}.opportunities")), opportunities);
    assert_eq!(psql(&format!("SELECT count(*) FROM {schema}.v_partner_scorecard")), "30");
    // The next publish replaces the leftover staging schema.
    ok(&dir, &["publish", "--to", &url, "--schema", &schema]);
    assert_eq!(psql(&format!("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '{schema}%'")), "1");
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
}

#[test]
fn export_and_scorecard_workbook() {
    let (tmp, dir) = example();
    let out = tmp.path().join("export");
    ok(&dir, &["export", "--out", out.to_str().expect("path")]);
    let mut reader = csv::Reader::from_path(out.join("partner_kpis.csv")).expect("partner_kpis.csv");
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "partner_id");
    assert!(headers.iter().any(|h| h == "health_score"));
    assert!(reader.records().count() >= 30 * 8);
    let opportunities = csv::Reader::from_path(out.join("opportunities.csv")).expect("opportunities.csv").records().count();
    assert_eq!(opportunities, 5000);

    let xlsx = tmp.path().join("scorecard.xlsx");
    ok(&dir, &["scorecard", "--period", "FY2026-Q3", "--out", xlsx.to_str().expect("path")]);
    // The workbook's parts, read back: three sheets, the partners, the headings, a frozen pane and a filter.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&xlsx).expect("xlsx")).expect("an XLSX is a zip");
    let mut part = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text).expect("utf-8");
        text
    };
    let workbook = part("xl/workbook.xml");
    for sheet in ["Scorecard", "Program", "Definitions"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "sheet {sheet} missing");
    }
    let strings = part("xl/sharedStrings.xml");
    for text in ["Northwind Traders", "Revenue sourced", "Revenue influenced", "health_score", "Excellent"] {
        assert!(strings.contains(text), "{text} missing from the workbook");
    }
    let sheet1 = part("xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<pane") && sheet1.contains("autoFilter"), "frozen header and filters");
}

#[test]
fn bi_guide_is_generated_from_the_model() {
    let generated = ok(std::path::Path::new("."), &["docs", "bi"]);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/BI.md");
    let head =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/BI.head.md")).expect("docs/BI.head.md");
    let want = format!("{head}{generated}");
    if std::env::var("WATERSHED_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, &want).expect("write docs/BI.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/BI.md is out of date: run WATERSHED_UPDATE_DOCS=1 cargo test -p watershed bi_guide");
}

//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The `watershed` binary, run in project `dir`.
pub fn watershed(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("watershed").expect("binary");
    cmd.arg("-C").arg(dir).env_remove("WATERSHED_PROJECT");
    cmd
}

/// Runs `watershed ARGS` in `dir`, asserts success, returns stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = watershed(dir).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "watershed {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs `watershed ARGS --format json` and parses the output.
pub fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(dir, &all)).expect("json output")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The fixture folder `name` under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A JSON number or null as a decimal.
pub fn dec(v: &serde_json::Value) -> Option<Decimal> {
    if v.is_null() {
        return None;
    }
    Some(Decimal::from_str(&v.to_string()).expect("number"))
}

/// Decimal from text.
pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// The KPI row of `partner` in a `kpis --format json` array.
pub fn row<'a>(rows: &'a serde_json::Value, partner: &str) -> &'a serde_json::Value {
    rows.as_array().expect("array").iter().find(|r| r["partner_id"] == partner).expect("partner row")
}

/// The source summary named `name` in a `run --format json` report.
pub fn source<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["sources"].as_array().expect("sources").iter().find(|s| s["name"] == name).expect("source")
}

/// The example program (`init --example`), already run once, in a temp folder that lives
/// as long as the returned guard.
pub fn example_run() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    ok(&dir, &["run", "--quiet"]);
    (tmp, dir)
}

/// The PostgreSQL server the tests use (`WATERSHED_TEST_POSTGRES_URL`).
pub fn postgres_url() -> String {
    std::env::var("WATERSHED_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs SQL through psql and returns the unaligned, tuples-only output.
pub fn psql(sql: &str) -> String {
    let out = std::process::Command::new("psql")
        .args([postgres_url().as_str(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql");
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

//! PostgreSQL as the primary store (`[store] url = "postgres://…"`, the real server at
//! WATERSHED_TEST_POSTGRES_URL): `run`, `kpis`, `explain`, `status`, the quarantine and
//! the review queue answer exactly as they do on the embedded SQLite store.

use crate::common::*;

/// Drops the test's schemas when the test ends, passed or not.
struct Schemas(Vec<String>);

impl Drop for Schemas {
    fn drop(&mut self) {
        for s in &self.0 {
            psql(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
        }
    }
}

/// A run's JSON report without what differs between two runs (times, ids).
fn comparable(mut report: serde_json::Value) -> serde_json::Value {
    if let Some(map) = report.as_object_mut() {
        for key in ["run_id", "elapsed_ms"] {
            map.remove(key);
        }
    }
    report
}

#[test]
fn the_postgres_store_answers_like_sqlite() {
    let pid = std::process::id();
    let schemas = Schemas(vec![format!("ws_e2e_store_{pid}"), format!("ws_e2e_report_{pid}")]);
    for s in &schemas.0 {
        psql(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let sqlite = tmp.path().join("sqlite");
    let pg = tmp.path().join("postgres");
    ok(tmp.path(), &["init", sqlite.to_str().expect("path"), "--example"]);
    ok(tmp.path(), &["init", pg.to_str().expect("path"), "--example"]);
    let toml = pg.join("watershed.toml");
    let text = std::fs::read_to_string(&toml).expect("toml");
    let old = "url = \"sqlite://watershed.db\"";
    assert!(text.contains(old));
    std::fs::write(&toml, text.replace(old, &format!("url = \"{}\"\nschema = \"{}\"", postgres_url(), schemas.0[0]))).expect("write");

    let on_sqlite = comparable(json(&sqlite, &["run"]));
    let on_postgres = comparable(json(&pg, &["run"]));
    assert_eq!(on_postgres["status"], "succeeded");
    assert_eq!(on_postgres, on_sqlite, "the run reports agree");
    assert!(!pg.join("watershed.db").exists(), "no SQLite file beside a PostgreSQL store");
    assert_eq!(psql(&format!("SELECT count(*) FROM {}.opportunities", schemas.0[0])), "5000");
    assert_eq!(json(&pg, &["run"])["status"], "up_to_date");

    for period in ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2", "FY2026-Q3", "FY2026-Q4"] {
        let args = ["kpis", "--period", period, "--format", "csv"];
        assert_eq!(ok(&pg, &args), ok(&sqlite, &args), "kpis {period}");
    }
    for args in [
        vec!["kpis", "--period", "FY2026-Q2", "--program", "--format", "csv"],
        vec!["explain", "--partner", "P001", "--metric", "revenue", "--period", "FY2026-Q2"],
        vec!["explain", "--partner", "P007", "--metric", "health_score", "--period", "FY2026-Q1"],
        vec!["quarantine", "list", "--format", "json"],
        vec!["review", "list", "--all", "--format", "json"],
    ] {
        assert_eq!(ok(&pg, &args), ok(&sqlite, &args), "{args:?}");
    }
    // `kpis` in CSV/JSON serves the scorecard the run stored; it is exactly what
    // computing it from the dataset gives, on both stores.
    for dir in [&sqlite, &pg] {
        for period in ["FY2025-Q3", "FY2026-Q2", "FY2026-Q4"] {
            for format in ["csv", "json"] {
                let args = ["kpis", "--period", period, "--format", format];
                let mut recompute = args.to_vec();
                recompute.push("--recompute");
                assert_eq!(ok(dir, &args), ok(dir, &recompute), "{args:?} in {}", dir.display());
            }
        }
        let args = ["kpis", "--period", "FY2026-Q2", "--partner", "P003", "--format", "csv"];
        assert_eq!(ok(dir, &args), ok(dir, &[&args[..], &["--recompute"]].concat()));
    }
    // It really is the stored table that answers …
    let store = &schemas.0[0];
    psql(&format!("UPDATE {store}.partner_kpis SET revenue = 123.45 WHERE partner_id = 'P001' AND period = 'FY2026-Q2'"));
    let served = json(&pg, &["kpis", "--period", "FY2026-Q2"]);
    assert_eq!(dec(&row(&served, "P001")["revenue"]), Some(d("123.45")));
    let recomputed = json(&pg, &["kpis", "--period", "FY2026-Q2", "--recompute"]);
    assert_ne!(dec(&row(&recomputed, "P001")["revenue"]), Some(d("123.45")));
    // … and only while it is current: another as-of date or changed settings recompute.
    let other_day = json(&pg, &["kpis", "--period", "FY2026-Q2", "--as-of", "2026-06-29"]);
    assert_ne!(dec(&row(&other_day, "P001")["revenue"]), Some(d("123.45")));
    let text = std::fs::read_to_string(&toml).expect("toml");
    assert!(text.contains("cycle_ceiling_days = 180"));
    std::fs::write(&toml, text.replace("cycle_ceiling_days = 180", "cycle_ceiling_days = 200")).expect("write");
    let changed = json(&pg, &["kpis", "--period", "FY2026-Q2"]);
    assert_eq!(changed, json(&pg, &["kpis", "--period", "FY2026-Q2", "--recompute"]));
    assert_ne!(dec(&row(&changed, "P001")["revenue"]), Some(d("123.45")));
    std::fs::write(&toml, text).expect("write");

    let opportunity = json(&sqlite, &["kpis", "--period", "FY2026-Q2"]);
    assert!(opportunity.as_array().map(|a| a.len()).unwrap_or(0) == 30, "30 partners");
    let explained = ok(&sqlite, &["explain", "--partner", "P001", "--metric", "revenue", "--period", "FY2026-Q2"]);
    let golden = explained.split_whitespace().find(|w| w.starts_with("crm:")).expect("a golden opportunity in the explanation");
    let args = ["explain", "--opportunity", golden];
    assert_eq!(ok(&pg, &args), ok(&sqlite, &args), "explain --opportunity {golden}");

    let status_pg = json(&pg, &["status"]);
    let status_sqlite = json(&sqlite, &["status"]);
    assert_eq!(status_pg["counts"], status_sqlite["counts"]);
    assert_eq!(status_pg["violations"], status_sqlite["violations"]);
    let runs = status_pg["runs"].as_array().map(|r| r.len()).unwrap_or(0);
    assert_eq!(runs, 2, "one committed run and one up-to-date run: {status_pg}");

    // Publishing over the store's own schema is refused, the store untouched.
    let out = watershed(&pg).args(["publish", "--to", &postgres_url(), "--schema", store]).output().expect("publish");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would replace the store's own schema"));
    assert_eq!(psql(&format!("SELECT count(*) FROM {store}.opportunities")), "5000");
    // The reporting schema is published from the PostgreSQL store as from SQLite.
    let report = json(&pg, &["publish", "--to", &postgres_url(), "--schema", &schemas.0[1]]);
    assert_eq!(report["rows"], json(&sqlite, &["publish", "--to", &postgres_url(), "--schema", &schemas.0[1]])["rows"]);
}

#[test]
fn an_unreachable_postgres_store_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    let toml = dir.join("watershed.toml");
    let text = std::fs::read_to_string(&toml).expect("toml");
    std::fs::write(&toml, text.replace("url = \"sqlite://watershed.db\"", "url = \"postgres://ws:secret@127.0.0.1:1/none\""))
        .expect("write");
    let out = watershed(&dir).args(["run"]).output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the store at postgres://ws:***@127.0.0.1:1/none"), "{err}");
    assert!(err.contains("[store] url"), "{err}");
    assert!(!err.contains("secret"), "the password never reaches a message: {err}");
}

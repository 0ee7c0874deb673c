//! Publishing to the real PostgreSQL server (WATERSHED_TEST_POSTGRES_URL), exports, the
//! XLSX scorecard and the generated BI guide.

use crate::common::*;
use std::process::Command;

#[test]
fn publish_is_complete_documented_and_atomic() {
    let (_tmp, dir) = example_run();
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
    let (tmp, dir) = example_run();
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

/// The python of `scripts/python-env.sh` (DuckDB, pandas and pyarrow at pinned versions,
/// installed if missing). Fails, never skips, when the script cannot provide them.
fn python_with_readers() -> std::path::PathBuf {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python-env.sh");
    let out = Command::new("bash").arg(&script).output().expect("bash");
    assert!(out.status.success(), "scripts/python-env.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    std::path::PathBuf::from(stdout.lines().last().expect("the script prints the python path").trim())
}

/// Reads a Parquet export with DuckDB and with pandas (pyarrow), as a BI developer would:
/// rows per table, column types, total amount, and one quarter's revenue through the
/// hive partitions. Prints one JSON object.
const READ_PARQUET_PY: &str = r#"
import decimal, json, os, sys
import duckdb, pandas as pd

root, period = sys.argv[1], sys.argv[2]
con = duckdb.connect()

def source(table):
    path = os.path.join(root, table)
    if os.path.isdir(path):
        return f"read_parquet('{path}/*/*.parquet', hive_partitioning = true)", path
    return f"read_parquet('{path}.parquet')", path + ".parquet"

def total(values):
    return str(sum((v for v in values if v is not None), decimal.Decimal(0)))

out = {"tables": {}, "types": {}}
names = sorted({n.removesuffix(".parquet") for n in os.listdir(root) if not n.startswith(".")})
for table in names:
    sql, path = source(table)
    duck = con.execute(f"SELECT count(*) FROM {sql}").fetchone()[0]
    frame = pd.read_parquet(path)
    out["tables"][table] = {"duckdb": duck, "pandas": len(frame), "pandas_columns": list(frame.columns)}
    out["types"][table] = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()}

sql, path = source("opportunities")
out["duckdb_amount"] = str(con.execute(f"SELECT sum(amount) FROM {sql}").fetchone()[0])
out["pandas_amount"] = total(pd.read_parquet(path)["amount"])
sql, path = source("partner_kpis")
out["duckdb_revenue"] = str(con.execute(f"SELECT sum(revenue) FROM {sql} WHERE period = ?", [period]).fetchone()[0])
out["duckdb_periods"] = con.execute(f"SELECT count(DISTINCT period) FROM {sql}").fetchone()[0]
quarter = pd.read_parquet(path, filters=[("period", "==", period)])
out["pandas_revenue"] = total(quarter["revenue"])
out["pandas_revenue_rows"] = len(quarter)
print(json.dumps(out))
"#;

#[test]
fn parquet_export_reads_in_duckdb_and_pandas() {
    let (tmp, dir) = example_run();
    let python = python_with_readers();
    let csv_dir = tmp.path().join("csv");
    let parquet_dir = tmp.path().join("parquet");
    ok(&dir, &["export", "--out", csv_dir.to_str().expect("path")]);
    let said = ok(&dir, &["export", "--format", "parquet", "--out", parquet_dir.to_str().expect("path")]);
    assert!(said.contains("Parquet files"), "{said}");

    // What the CSV export holds: rows per table, the total amount, one quarter's revenue.
    let period = "FY2026-Q2";
    let mut csv_rows = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(&csv_dir).expect("csv dir") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("name").to_string_lossy().into_owned();
        csv_rows.insert(name, csv::Reader::from_path(&path).expect("csv").records().count() as u64);
    }
    let column_sum = |file: &str, column: &str, only_period: Option<&str>| {
        let mut reader = csv::Reader::from_path(csv_dir.join(file)).expect(file);
        let headers = reader.headers().expect("headers").clone();
        let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (value, period_at) = (at(column), headers.iter().position(|h| h == "period"));
        let mut sum = d("0");
        for record in reader.records() {
            let record = record.expect("record");
            if only_period.is_some_and(|p| period_at.map(|i| &record[i]) != Some(p)) {
                continue;
            }
            if !record[value].is_empty() {
                sum += d(&record[value]);
            }
        }
        sum
    };
    let csv_amount = column_sum("opportunities.csv", "amount", None);
    let csv_revenue = column_sum("partner_kpis.csv", "revenue", Some(period));
    // And what `watershed kpis --format csv` prints for the quarter (rounded to cents per partner).
    let kpis_csv = ok(&dir, &["kpis", "--period", period, "--format", "csv"]);
    let mut kpis = csv::Reader::from_reader(kpis_csv.as_bytes());
    let revenue_at = kpis.headers().expect("headers").iter().position(|h| h == "revenue").expect("revenue column");
    let kpis_rows: Vec<csv::StringRecord> = kpis.records().map(|r| r.expect("record")).collect();
    let kpis_revenue: rust_decimal::Decimal = kpis_rows.iter().filter(|r| !r[revenue_at].is_empty()).map(|r| d(&r[revenue_at])).sum();

    let out = Command::new(&python).args(["-c", READ_PARQUET_PY, parquet_dir.to_str().expect("path"), period]).output().expect("python");
    assert!(out.status.success(), "reading the Parquet export failed: {}", String::from_utf8_lossy(&out.stderr));
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json from the reader script");

    // Every table, every row, in both readers.
    let tables = read["tables"].as_object().expect("tables");
    assert_eq!(
        tables.keys().cloned().collect::<Vec<_>>(),
        csv_rows.keys().cloned().collect::<Vec<_>>(),
        "the same tables as the CSV export"
    );
    for (table, want) in &csv_rows {
        assert_eq!(tables[table]["duckdb"].as_u64(), Some(*want), "{table}: DuckDB rows");
        assert_eq!(tables[table]["pandas"].as_u64(), Some(*want), "{table}: pandas rows");
    }
    assert_eq!(csv_rows["opportunities"], 5000);
    assert!(csv_rows["partner_kpis"] >= 30 * 8, "{csv_rows:?}");
    let kpi_columns = tables["partner_kpis"]["pandas_columns"].as_array().expect("columns");
    assert!(kpi_columns.iter().any(|c| c == "period"), "pandas restores the partition column: {kpi_columns:?}");

    // Types as DuckDB sees them.
    let types = &read["types"];
    for (table, column, want) in [
        ("opportunities", "amount", "DECIMAL(38,6)"),
        ("opportunities", "close_date", "DATE"),
        ("opportunities", "updated_at", "TIMESTAMP"),
        ("opportunities", "stage", "VARCHAR"),
        ("fiscal_periods", "fiscal_year", "BIGINT"),
        ("partner_kpis", "won_count", "BIGINT"),
        ("partner_kpis", "revenue", "DECIMAL(38,6)"),
        ("partner_kpis", "as_of", "DATE"),
        ("partner_kpis", "period", "VARCHAR"),
        ("tier_status", "mismatch", "BOOLEAN"),
    ] {
        assert_eq!(types[table][column], want, "{table}.{column}: {}", types[table]);
    }

    // The numbers: exactly the CSV export's, and the scorecard's to the cent per partner.
    for key in ["duckdb_amount", "pandas_amount"] {
        assert_eq!(d(read[key].as_str().expect(key)), csv_amount, "{key}");
    }
    for key in ["duckdb_revenue", "pandas_revenue"] {
        let got = d(read[key].as_str().expect(key));
        assert_eq!(got, csv_revenue, "{key} vs partner_kpis.csv");
        let tolerance = d("0.005") * rust_decimal::Decimal::from(kpis_rows.len());
        assert!((got - kpis_revenue).abs() <= tolerance, "{key}: {got} vs kpis {kpis_revenue}");
    }
    assert_eq!(read["pandas_revenue_rows"].as_u64(), Some(kpis_rows.len() as u64), "one row per partner in {period}");
    let periods = std::fs::read_dir(parquet_dir.join("partner_kpis")).expect("partitions").count() as u64;
    assert_eq!(read["duckdb_periods"].as_u64(), Some(periods), "one folder per quarter");

    // Both exports are in the audit log.
    let audit = json(&dir, &["audit"]);
    let exports: Vec<&str> =
        audit.as_array().expect("log").iter().filter(|e| e["action"] == "export").filter_map(|e| e["new"].as_str()).collect();
    assert!(exports.iter().any(|e| e.starts_with("parquet: ")) && exports.iter().any(|e| e.starts_with("csv: ")), "{exports:?}");
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

//! Ingestion as a user meets it: `inspect` on the example's partner files in their
//! own shapes, an unmapped required field named with its candidate headers, files
//! that cannot be read and archives quarantined as inputs, malformed rows quarantined
//! with line, column and raw text.

use crate::common::*;
use std::path::{Path, PathBuf};

fn example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    ok(tmp.path(), &["init", dir.to_str().expect("path"), "--example"]);
    (tmp, dir)
}

fn contract() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("program");
    copy_dir(&fixture("contract"), &dir);
    (tmp, dir)
}

fn inspect_json(dir: &Path, file: &str) -> serde_json::Value {
    let path = dir.join(file);
    json(dir, &["inspect", path.to_str().expect("path")])
}

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/corpus").join(rel)
}

fn quarantine(dir: &Path) -> Vec<(String, u64, String)> {
    json(dir, &["quarantine", "list"])
        .as_array()
        .expect("array")
        .iter()
        .map(|q| {
            (q["file"].as_str().unwrap_or("").to_string(), q["line"].as_u64().unwrap_or(0), q["reason"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn inspect_tells_what_it_saw_in_every_partner_shape() {
    let (_tmp, dir) = example();
    type Check = fn(&serde_json::Value);
    let cases: &[(&str, Check)] = &[
        ("inbox/partners/northwind_deals.xlsx", |j| {
            assert_eq!((j["format"].as_str(), j["header_row"].as_u64()), (Some("xlsx"), Some(4)));
            assert_eq!((j["delimiter"].is_null(), j["quote"].is_null()), (true, true));
            assert_eq!(j["locator"], "inbox/partners/northwind_deals.xlsx#Deals");
            assert_eq!(j["fields"]["Reseller"], "partner");
            assert_eq!(j["fields"]["Expected Close"], "close_date");
            let skipped: Vec<(u64, &str)> = j["skipped"]
                .as_array()
                .expect("skipped")
                .iter()
                .map(|s| (s["line"].as_u64().unwrap_or(0), s["reason"].as_str().unwrap_or("")))
                .collect();
            assert_eq!(skipped, vec![(1, "preamble"), (2, "preamble"), (3, "blank")]);
            assert!(j["types"]["Expected Close"].as_str().is_some_and(|t| t.starts_with("date")), "{}", j["types"]);
        }),
        ("inbox/partners/contoso_deals.tsv", |j| {
            assert_eq!((j["encoding"].as_str(), j["bom"].as_bool()), (Some("UTF-16LE"), Some(true)));
            assert_eq!((j["delimiter"].as_str(), j["quote"].as_str(), j["header_row"].as_u64()), (Some("\\t"), Some("\""), Some(1)));
            assert_eq!(j["fields"]["Deal Number"], "external_id");
        }),
        ("inbox/partners/bauer_systemhaus_export.csv", |j| {
            assert_eq!((j["encoding"].as_str(), j["delimiter"].as_str()), (Some("windows-1252"), Some(";")));
            for (header, field) in
                [("Kunde", "customer_name"), ("Betrag (EUR)", "amount"), ("Abschlussdatum", "close_date"), ("Land", "customer_country")]
            {
                assert_eq!(j["fields"][header], field, "{header}");
            }
            assert!(j["types"]["Betrag (EUR)"].as_str().is_some_and(|t| t.contains("decimal comma")), "{}", j["types"]);
            assert!(j["types"]["Abschlussdatum"].as_str().is_some_and(|t| t.contains("DD.MM.YYYY")), "{}", j["types"]);
        }),
        ("inbox/partners/tailspin_q_report.csv", |j| {
            assert_eq!(j["header_row"].as_u64(), Some(3));
            let reasons: Vec<&str> = j["skipped"].as_array().expect("skipped").iter().filter_map(|s| s["reason"].as_str()).collect();
            assert_eq!(reasons, vec!["comment", "comment", "blank", "total", "footnote"]);
        }),
    ];
    for (file, check) in cases {
        let j = inspect_json(&dir, file);
        for key in [
            "encoding",
            "delimiter",
            "quote",
            "header_row",
            "columns",
            "fields",
            "rows",
            "detection",
            "types",
            "skipped",
            "errors",
            "inputs",
        ] {
            assert!(j.get(key).is_some(), "{file}: no `{key}` in {j}");
        }
        assert!(j["rows"].as_array().is_some_and(|r| !r.is_empty()), "{file}: first rows shown");
        assert!(j["missing_required"].as_array().is_some_and(Vec::is_empty), "{file}: {}", j["missing_required"]);
        assert!(j["detection"].as_array().expect("detection").iter().all(|d| d["confidence"].as_f64().is_some()));
        check(&j);
    }
    let text = ok(&dir, &["inspect", dir.join("inbox/partners/northwind_deals.xlsx").to_str().expect("path")]);
    for part in ["header on line 4", "2 title lines above it skipped", "confidence", "First 10 rows as parsed"] {
        assert!(text.contains(part), "{part:?} not in\n{text}");
    }
}

#[test]
fn an_unmapped_required_field_names_the_file_and_the_candidate_headers() {
    let (_tmp, dir) = contract();
    std::fs::write(
        dir.join("inbox/acme/late.csv"),
        "Deal-Nr.;Kunde;Betrag (EUR);Closing Dt;Status\nA-7;Omega AG;1.000,00;20.08.2026;Gewonnen\n",
    )
    .expect("write");
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    let warnings: Vec<&str> = report["warnings"].as_array().expect("warnings").iter().filter_map(|w| w.as_str()).collect();
    let warning =
        warnings.iter().find(|w| w.starts_with("inbox/acme/late.csv:")).unwrap_or_else(|| panic!("no warning for the file: {warnings:?}"));
    for part in [
        "no column for close_date (required for opportunities)",
        "\"Closing Dt\" (",
        "[sources.columns] of source `partner_drop`",
        "e.g. \"Closing Dt\" = \"close_date\"",
    ] {
        assert!(warning.contains(part), "{part:?} not in {warning}");
    }
    let q = quarantine(&dir);
    assert!(
        q.iter().any(|(file, line, reason)| file == "inbox/acme/late.csv" && *line == 2 && reason.contains("no column maps to close_date")),
        "{q:?}"
    );
    let j = inspect_json(&dir, "inbox/acme/late.csv");
    assert_eq!(j["source"], "partner_drop", "inspect reads the file as its source does");
    assert_eq!(j["missing_required"][0]["field"], "close_date");
    assert_eq!(j["missing_required"][0]["candidates"][0]["header"], "Closing Dt");
}

#[test]
fn unreadable_files_and_archive_members_are_quarantined_as_inputs() {
    let (_tmp, dir) = contract();
    let mut config = std::fs::read_to_string(dir.join("watershed.toml")).expect("config");
    config.push_str(
        "\n[[sources]]\nname = \"drops\"\nkind = \"files\"\npath = \"inbox/drops/*\"\nentity = \"opportunities\"\npartner = \"P1\"\n",
    );
    std::fs::write(dir.join("watershed.toml"), config).expect("config");
    std::fs::create_dir_all(dir.join("inbox/drops")).expect("mkdir");
    std::fs::copy(corpus("containers/nested.zip"), dir.join("inbox/drops/bundle.zip")).expect("copy");
    std::fs::write(dir.join("inbox/drops/statement.pdf"), b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n").expect("write");

    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded", "an unreadable file does not fail the run");
    let drops = source(&report, "drops");
    assert_eq!(drops["inputs_new"].as_u64(), Some(5), "four archive members and the PDF: {drops}");
    let sum: u64 = ["new", "updated", "merged", "quarantined", "skipped"].iter().map(|k| drops[k].as_u64().unwrap_or(0)).sum();
    assert_eq!(drops["read"].as_u64(), Some(sum), "conservation: {drops}");
    let q = quarantine(&dir);
    let whole = |file: &str, what: &str| q.iter().any(|(f, line, reason)| f == file && *line == 0 && reason.contains(what));
    assert!(whole("inbox/drops/statement.pdf", "cannot read a PDF document"), "{q:?}");
    assert!(whole("inbox/drops/bundle.zip!readme.pdf", "cannot read a PDF document"), "{q:?}");
    assert!(q.iter().any(|(f, line, _)| f == "inbox/drops/bundle.zip!inner.zip!deals.csv" && *line == 2), "{q:?}");
    assert_eq!(json(&dir, &["run"])["status"], "up_to_date", "known files are not read again");
}

#[test]
fn a_malformed_row_is_quarantined_with_line_column_and_raw_text() {
    let (_tmp, dir) = contract();
    std::fs::write(
        dir.join("inbox/acme/broken.csv"),
        "Deal-Nr.;Kunde;Betrag (EUR);Abschluss;Status;CRM Ref\nA-8;Delta AG;1.000,00;20.08.2026;Gewonnen;\nA-9;Foo AG;2,00;21.08.2026;Gewonnen;;stray\n",
    )
    .expect("write");
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    let q = quarantine(&dir);
    let (_, _, reason) = q.iter().find(|(f, line, _)| f == "inbox/acme/broken.csv" && *line == 3).unwrap_or_else(|| panic!("{q:?}"));
    for part in ["column 7", "7 fields but the header has 6", "Raw line: `A-9;Foo AG;2,00;21.08.2026;Gewonnen;;stray`"] {
        assert!(reason.contains(part), "{part:?} not in {reason}");
    }
}

#[test]
fn a_copy_of_a_file_is_one_input_and_only_new_files_are_read_again() {
    let (_tmp, dir) = example_run();
    // The same content under another name in the same source, and a new delta export.
    let crm = dir.join("inbox/crm");
    std::fs::copy(crm.join("opportunities_2026-11-01.csv"), crm.join("opportunities_copy.csv")).expect("copy");
    let delta = std::fs::read_to_string(crm.join("opportunities_2026-11-15.csv")).expect("read");
    let header = delta.lines().next().expect("header");
    let row = delta.lines().nth(1).expect("a row").replacen(',', "X,", 1);
    std::fs::write(crm.join("opportunities_2026-11-30.csv"), format!("{header}\n{row}\n")).expect("write");
    let report = json(&dir, &["run"]);
    assert_eq!(report["status"], "succeeded");
    let crm_report = source(&report, "crm");
    // The two files of the first run are known by their hash, the copy is known content:
    // only the new export is an input.
    assert_eq!((crm_report["inputs_new"].as_u64(), crm_report["inputs_unchanged"].as_u64()), (Some(1), Some(3)), "{crm_report}");
    assert_eq!((crm_report["read"].as_u64(), crm_report["new"].as_u64()), (Some(1), Some(1)), "{crm_report}");
    assert!(crm_report["error"].is_null(), "{crm_report}");
    assert_eq!(source(&report, "sheets")["inputs_unchanged"].as_u64(), Some(1));
}

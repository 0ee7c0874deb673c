//! The readers end to end: a messy workbook built here (title, merged cells, two-row
//! header, totals, footnote, hidden and empty sheets), workbooks of other formats,
//! Salesforce responses, containers, and header detection on what they yield.

mod common;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::collections::BTreeMap;
use std::path::Path;
use watershed_ingest::{Format as InputFormat, InputFile, ParsedInput, ReadOptions, bind_columns, read_bytes, read_file};
use watershed_model::Entity;

fn corpus(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(rel)).expect("corpus file")
}

/// A channel manager's workbook as they come: every layout problem at once.
fn messy_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let d = |y, m, day| ExcelDateTime::from_ymd(y, m, day).expect("date");
    let s = wb.add_worksheet().set_name("Deals").expect("name");
    s.merge_range(0, 0, 0, 5, "Contoso \u{2014} Q3 pipeline", &bold).expect("title");
    s.write_string(1, 0, "Prepared by J. Doe").expect("cell");
    s.merge_range(3, 0, 3, 1, "Deal", &bold).expect("group");
    s.merge_range(3, 2, 3, 3, "Amount", &bold).expect("group");
    s.merge_range(3, 4, 3, 5, "Dates", &bold).expect("group");
    for (c, h) in ["Partner", "Customer", "EUR", "USD", "Close", "Created"].iter().enumerate() {
        s.write_string_with_format(4, c as u16, *h, &bold).expect("header");
    }
    s.merge_range(5, 0, 6, 0, "Contoso", &Format::new()).expect("vertical merge");
    s.write_string(5, 1, "Acme").expect("cell");
    s.write_number(5, 2, 1000.5).expect("cell");
    s.write_number(5, 3, 1100).expect("cell");
    s.write_datetime_with_format(5, 4, d(2026, 1, 2), &date).expect("cell");
    s.write_datetime_with_format(5, 5, d(2025, 12, 1), &date).expect("cell");
    s.write_string(6, 1, "Globex").expect("cell");
    s.write_number(6, 2, 2000).expect("cell");
    s.write_number(6, 3, 2200).expect("cell");
    s.write_datetime_with_format(6, 4, d(2026, 2, 3), &date).expect("cell");
    s.write_boolean(6, 5, true).expect("cell");
    s.write_string(7, 0, "Total").expect("cell");
    s.write_number(7, 2, 3000.5).expect("cell");
    s.write_number(7, 3, 3300).expect("cell");
    s.write_string(9, 0, "* preliminary figures").expect("cell");
    let lists = wb.add_worksheet().set_name("Lists").expect("name");
    lists.write_string(0, 0, "Stage").expect("cell");
    lists.write_string(1, 0, "Won").expect("cell");
    lists.set_hidden(true);
    wb.add_worksheet().set_name("Empty").expect("name");
    wb.save_to_buffer().expect("workbook")
}

fn one(inputs: &[(String, ParsedInput)]) -> (&str, &ParsedInput) {
    assert_eq!(inputs.len(), 1, "{:?}", inputs.iter().map(|(l, _)| l).collect::<Vec<_>>());
    (&inputs[0].0, &inputs[0].1)
}

#[test]
fn a_messy_workbook_reads_like_a_person_would() {
    let inputs = read_bytes("inbox/contoso.xlsx", &messy_workbook(), &ReadOptions::default());
    let (locator, p) = one(&inputs);
    common::check_invariants(locator, p);
    assert_eq!(locator, "inbox/contoso.xlsx#Deals", "hidden and empty sheets are not inputs");
    assert_eq!(p.format, InputFormat::Xlsx);
    assert_eq!(p.header_lines, vec![4, 5]);
    assert_eq!(p.headers, vec!["Deal › Partner", "Deal › Customer", "Amount › EUR", "Amount › USD", "Dates › Close", "Dates › Created"]);
    let rows: Vec<(u64, Vec<&str>)> = p.rows.iter().map(|r| (r.line, r.values.iter().collect())).collect();
    assert_eq!(
        rows,
        vec![
            (6, vec!["Contoso", "Acme", "1000.5", "1100", "2026-01-02", "2025-12-01"]),
            (7, vec!["Contoso", "Globex", "2000", "2200", "2026-02-03", "TRUE"]),
        ],
        "merged partner cell filled down; numbers and dates as people read them"
    );
    let skipped: Vec<(u64, &str)> = p.skipped.iter().map(|s| (s.line, s.reason)).collect();
    assert_eq!(skipped, vec![(1, "preamble"), (2, "preamble"), (3, "blank"), (8, "total"), (9, "blank"), (10, "footnote")]);
    assert!(p.warnings.iter().any(|w| w.contains("`Lists` is hidden")), "{:?}", p.warnings);
    assert!(p.notes.iter().any(|n| n.contains("merged cell ranges filled")), "{:?}", p.notes);

    let (binding, bound) = bind_columns(&p.headers, Entity::Opportunities, &BTreeMap::new());
    assert_eq!(
        binding.columns,
        vec![Some("partner"), Some("customer_name"), Some("amount"), None, Some("close_date"), Some("created_date")],
        "{bound:?}"
    );
    assert_eq!(binding.amount_currency.as_deref(), Some("EUR"));
    assert_eq!((bound[0].confidence, bound[1].confidence), (0.9, 0.86), "a column label alone is a little less sure");
    assert_eq!(bound[3].how, "other currency");
}

#[test]
fn named_sheets_are_read_and_missing_ones_are_unreadable_inputs() {
    let options = ReadOptions { sheets: Some(vec!["lists".into(), "Q4".into()]), ..ReadOptions::default() };
    let inputs = read_bytes("inbox/contoso.xlsx", &messy_workbook(), &options);
    let locators: Vec<&str> = inputs.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(locators, vec!["inbox/contoso.xlsx#Lists", "inbox/contoso.xlsx#Q4"]);
    assert_eq!(inputs[0].1.rows.len(), 1, "a hidden sheet is read when named (case-insensitively)");
    let missing = &inputs[1].1;
    assert_eq!(missing.format, InputFormat::Unreadable);
    assert!(missing.errors[0].message.contains("no sheet `Q4` (its sheets: `Deals`, `Lists`, `Empty`)"), "{}", missing.errors[0].message);
}

#[test]
fn every_workbook_format_fills_merges_and_keeps_row_numbers() {
    let cases: &[(&str, InputFormat, &[&str], usize)] = &[
        ("calamine/merge_cells.xls", InputFormat::Xls, &["Row Merge", "Row Merge (2)", "Not Merged", "Column D"], 1),
        ("calamine/merge_cells.xlsx", InputFormat::Xlsx, &["Row Merge", "Row Merge (2)", "Not Merged", "Column D"], 1),
        ("calamine/date.xlsb", InputFormat::Xlsb, &["2021-01-01", "15"], 2),
        ("calamine/number_rows_repeated.ods", InputFormat::Ods, &["A", "B"], 4),
    ];
    for (file, format, headers, rows) in cases {
        let inputs = read_bytes(file, &corpus(file), &ReadOptions::default());
        let p = &inputs[0].1;
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        assert_eq!((p.format, &p.headers, p.rows.len()), (*format, &headers, *rows), "{file}");
    }
    // The .xls merge of A2:A4 and B2:D4 is filled.
    let inputs = read_bytes("m.xls", &corpus("calamine/merge_cells.xls"), &ReadOptions::default());
    assert_eq!(inputs[0].1.rows[0].values, vec!["Column Merge", "Chunk Merged", "Chunk Merged", "Chunk Merged"]);
}

#[test]
fn salesforce_query_responses() {
    let p = &read_bytes("sf.json", &corpus("salesforce/query_success_response.json"), &ReadOptions::default())[0].1;
    assert_eq!(
        p.headers,
        vec![
            "Checkbox_Label",
            "Text_Label",
            "Date_Label",
            "DateTime_Label",
            "Picklist_Multiselect_Label",
            "ParentWhizbang__r.Name",
            "ParentWhizbang__r.Text_Label",
            "Whizbangs__r"
        ],
        "attributes left out, the parent flattened, the child sub-query one cell"
    );
    let row = &p.rows[0];
    assert_eq!(row.line, 4, "the record's line in the response");
    assert_eq!(row.values.iter().take(3).collect::<Vec<_>>(), ["false", "Hi there!", "2010-01-01"]);
    assert!(row.values[7].starts_with("{\"done\":true") || row.values[7].contains("\"records\""), "{}", &row.values[7]);
    let p = &read_bytes("sf.json", &corpus("salesforce/query_aggregate_success_response.json"), &ReadOptions::default())[0].1;
    let cells: Vec<&str> = p.rows.iter().map(|r| &r.values[1]).collect();
    assert_eq!(cells, vec!["300.0", "100.0", "400"], "numbers keep their exact text");
    assert_eq!(&p.rows[2].values[0], "", "null is empty");
    let p = &read_bytes("sf.json", &corpus("salesforce/query_paginated_first_page_response.json"), &ReadOptions::default())[0].1;
    assert!(p.warnings[0].contains("nextRecordsUrl `/services/data/v26.0/query/01gD`"), "{:?}", p.warnings);
    let p = &read_bytes("sf.json", &corpus("salesforce/expired_session_response.json"), &ReadOptions::default())[0].1;
    assert!(p.errors[0].message.contains("INVALID_SESSION_ID: Session expired or invalid"), "{}", p.errors[0].message);
    let p = &read_bytes("n.json", &corpus("json/numbers_exact.json"), &ReadOptions::default())[0].1;
    assert_eq!(p.rows[0].values, vec!["1", "123456789012345678901234567890.125", "1e-7", "-0.0"]);
}

#[test]
fn a_file_with_several_inputs_keys_them_apart() {
    let bytes = corpus("containers/nested.zip");
    let file = InputFile { locator: "inbox/nested.zip".into(), sha256: "f".repeat(64), size: bytes.len() as u64, bytes };
    let inputs = read_file(&file, &ReadOptions::default());
    let locators: Vec<&str> = inputs.iter().map(|i| i.locator.as_str()).collect();
    assert_eq!(
        locators,
        vec![
            "inbox/nested.zip!inner.zip!deals.csv",
            "inbox/nested.zip!inner.zip!more/records.ndjson",
            "inbox/nested.zip!readme.pdf",
            "inbox/nested.zip!deals.csv.gz"
        ]
    );
    assert_eq!(inputs[0].key, "f".repeat(64), "the first input carries the file's hash");
    let keys: std::collections::HashSet<&str> = inputs.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys.len(), 4);
    assert!(inputs[2].parsed.errors[0].message.contains("cannot read a PDF document"));
}

#[test]
fn a_workbook_that_makes_calamine_panic_is_an_unreadable_input() {
    // Found by the `workbook` fuzzer: a cell reference with many letters overflows
    // calamine's column arithmetic (a panic with overflow checks on).
    let inputs = read_bytes("x.xlsx", &corpus("sheets/overflowing_cell_reference.xlsx"), &ReadOptions::default());
    let (locator, p) = one(&inputs);
    common::check_invariants(locator, p);
    if cfg!(debug_assertions) {
        assert_eq!(p.format, InputFormat::Unreadable, "{p:?}");
        let message = &p.errors[0].message;
        assert!(message.contains("workbook") && message.contains("export the sheet as CSV"), "{message}");
    }
}

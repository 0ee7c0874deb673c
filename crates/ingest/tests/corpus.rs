//! The corpus of nasty files under `tests/corpus/` (also the fuzzers' seeds): every
//! file is read without a panic, every input satisfies the invariants, and what is
//! detected in each is pinned here, one line per input.

mod common;

use std::path::{Path, PathBuf};
use watershed_ingest::{Limits, ParsedInput, ReadOptions, read_bytes};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("corpus folder").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.file_name().is_some_and(|n| n != "README.md") {
            out.push(path);
        }
    }
}

/// One line per input: what was detected, in a form a person can check.
fn summary(locator: &str, p: &ParsedInput) -> String {
    let reasons: Vec<String> = p.skipped.iter().map(|s| format!("{}:{}", s.line, s.reason)).collect();
    let errors: Vec<String> =
        p.errors.iter().map(|e| format!("{}{}", e.line, e.column.map(|c| format!(".{c}")).unwrap_or_default())).collect();
    let mut headers: Vec<&str> = p.headers.iter().map(String::as_str).take(4).collect();
    if p.headers.len() > 4 {
        headers.push("…");
    }
    format!(
        "{locator} | {} {}{} {} | header {:?} {:?} | {} rows | skipped [{}] | errors [{}]",
        p.format.name(),
        p.encoding,
        if p.bom { "+BOM" } else { "" },
        p.delimiter.map(watershed_ingest::dialect::delimiter_name).unwrap_or_default(),
        p.header_lines,
        headers,
        p.rows.len(),
        reasons.join(" "),
        errors.join(" ")
    )
}

const EXPECTED: &[&str] = &[
    "calamine/any_sheets.ods#Visible | ods UTF-8 (XML)  | header [1] [\"1\", \"2\"] | 3 rows | skipped [4:blank] | errors []",
    "calamine/any_sheets.xls#Visible | xls BIFF (as declared by the file)  | header [1] [\"1\", \"2\"] | 3 rows | skipped [4:blank] | errors []",
    "calamine/date.xls#Sheet1 | xls BIFF (as declared by the file)  | header [1] [\"2021-01-01\", \"15\"] | 2 rows | skipped [] | errors []",
    "calamine/date.xlsb#Sheet1 | xlsb UTF-16LE (binary)  | header [1] [\"2021-01-01\", \"15\"] | 2 rows | skipped [] | errors []",
    "calamine/issue_594_dos.ods | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "calamine/merge_cells.xls#Sheet1 | xls BIFF (as declared by the file)  | header [1] [\"Row Merge\", \"Row Merge (2)\", \"Not Merged\", \"Column D\"] | 1 rows | skipped [] | errors []",
    "calamine/merge_cells.xlsx#Sheet1 | xlsx UTF-8 (XML)  | header [1] [\"Row Merge\", \"Row Merge (2)\", \"Not Merged\", \"Column D\"] | 1 rows | skipped [] | errors []",
    "calamine/merged_cells.ods#Sheet1 | ods UTF-8 (XML)  | header [1] [\"A\", \"B\", \"C\"] | 0 rows | skipped [2:repeated header 3:footnote] | errors []",
    "calamine/number_rows_repeated.ods#Sheet1 | ods UTF-8 (XML)  | header [1] [\"A\", \"B\"] | 4 rows | skipped [4:blank 5:blank 7:blank] | errors []",
    "calamine/number_rows_repeated.ods#Sheet2 | ods UTF-8 (XML)  | header [2] [\"A\", \"B\"] | 4 rows | skipped [5:blank 6:blank 8:blank] | errors []",
    "calamine/number_rows_repeated.ods#Sheet3 | ods UTF-8 (XML)  | header [3] [\"A\", \"B\"] | 4 rows | skipped [6:blank 7:blank 9:blank] | errors []",
    "calamine/too_small.xls | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "containers/deeply_nested.csv.gz | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "containers/nested.zip!inner.zip!deals.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\"] | 1 rows | skipped [] | errors []",
    "containers/nested.zip!inner.zip!more/records.ndjson | ndjson UTF-8  | header [] [\"Partner\", \"Amount\"] | 1 rows | skipped [] | errors []",
    "containers/nested.zip!readme.pdf | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "containers/nested.zip!deals.csv.gz | delimited text UTF-8 ; | header [1] [\"Partner\", \"Amount\"] | 1 rows | skipped [] | errors []",
    "containers/not_a_workbook.xlsx | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "containers/truncated.zip | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "containers/zeros.csv.gz | delimited text UTF-8 , | header [1] [\"\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0",
    "json/deep.json | json UTF-8  | header [] [] | 0 rows | skipped [] | errors [1]",
    "json/mixed.ndjson | ndjson UTF-8  | header [] [\"a\", \"b\", \"c.d\"] | 3 rows | skipped [2:blank] | errors [4.2 5]",
    "json/numbers_exact.json | json UTF-8  | header [] [\"id\", \"amount\", \"rate\", \"neg\"] | 1 rows | skipped [] | errors []",
    "json/records_not_objects.json | json UTF-8  | header [] [\"ok\"] | 1 rows | skipped [] | errors [1 1 1]",
    "json/single_object.json | json UTF-8  | header [] [\"Partner\", \"Amount\"] | 1 rows | skipped [] | errors []",
    "json/trailing_garbage.json | ndjson UTF-8  | header [] [] | 0 rows | skipped [] | errors [1.12]",
    "json/unicode_escapes.json | json UTF-8  | header [] [\"name\", \"k\\\"ey\"] | 1 rows | skipped [] | errors []",
    "json/utf16.json | json UTF-16LE+BOM  | header [] [\"Partner\", \"Amount\"] | 1 rows | skipped [] | errors []",
    "salesforce/expired_session_response.json | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "salesforce/query_aggregate_success_response.json | json UTF-8  | header [] [\"CampaignId\", \"expr0\"] | 3 rows | skipped [] | errors []",
    "salesforce/query_empty_response.json | json UTF-8  | header [] [] | 0 rows | skipped [] | errors []",
    "salesforce/query_paginated_first_page_response.json | json UTF-8  | header [] [\"Text_Label\"] | 1 rows | skipped [] | errors []",
    "salesforce/query_success_response.json | json UTF-8  | header [] [\"Checkbox_Label\", \"Text_Label\", \"Date_Label\", \"DateTime_Label\", \"…\"] | 1 rows | skipped [] | errors []",
    "sheets/huge_used_range.xlsx#Big | xlsx UTF-8 (XML)  | header [1] [\"Partner\", \"Amount\", \"Column C\", \"Column D\", \"…\"] | 2 rows | skipped [3:blank 4:blank 5:blank 6:blank 7:blank 8:blank 9:blank 10:blank 11:blank 12:blank 13:blank 14:blank 15:blank 16:blank 17:blank 18:blank 19:blank 20:blank 21:blank 22:blank 23:blank 24:blank 25:blank 26:blank 27:blank 28:blank 29:blank 30:blank 31:blank 32:blank 3",
    "sheets/northwind_deals.xlsx#Deals | xlsx UTF-8 (XML)  | header [4] [\"Reseller\", \"End Customer\", \"Deal Value\", \"Currency\", \"…\"] | 222 rows | skipped [1:preamble 2:preamble 3:blank] | errors []",
    "sheets/overflowing_cell_reference.xlsx | unreadable binary  | header [] [] | 0 rows | skipped [] | errors [0]",
    "text/backslash_escapes.csv | delimited text UTF-8 , | header [1] [\"name\", \"quote\", \"amount\"] | 3 rows | skipped [] | errors []",
    "text/binary_garbage.csv | delimited text windows-1252 , | header [2] [\"\\u{e}\\u{f}\\u{10}\\u{11}\\u{12}\\u{13}\\u{14}\\u{15}\\u{16}\\u{17}\\u{18}\\u{19}\\u{1a}\\u{1b}\\u{1c}\\u{1d}\\u{1e}\\u{1f} !\\\"#$%&'()*+\", \"-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\u{7f}€\\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\\u{8d}Ž\\u{8f}\\u{90}‘’“”•–—˜™š›œ\\u{9d}žŸ\\u{a0}¡¢£¤¥¦§¨©ª«¬\\u{ad}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑ",
    "text/blank_lines.csv | delimited text UTF-8 \\t | header [] [] | 0 rows | skipped [1:blank 2:blank 3:blank 4:blank] | errors []",
    "text/caret_delimited.dat | delimited text UTF-8 ^ | header [1] [\"Partner\", \"Customer\", \"Amount\"] | 2 rows | skipped [] | errors []",
    "text/comment_and_hash_ids.csv | delimited text UTF-8 , | header [2] [\"Deal #\", \"Partner\", \"Amount\"] | 2 rows | skipped [1:comment 5:comment] | errors []",
    "text/cr_only.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\"] | 2 rows | skipped [] | errors []",
    "text/empty.csv | delimited text UTF-8 , | header [] [] | 0 rows | skipped [] | errors []",
    "text/mixed_line_endings.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\"] | 1 rows | skipped [4:blank] | errors [3.3]",
    "text/nul_bytes.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\"] | 3 rows | skipped [] | errors []",
    "text/only_bom.csv | delimited text UTF-8+BOM , | header [] [] | 0 rows | skipped [] | errors []",
    "text/only_header.csv | delimited text UTF-8 ; | header [1] [\"Partner\", \"Customer\", \"Amount\"] | 0 rows | skipped [] | errors []",
    "text/pipe_delimited.txt | delimited text UTF-8 | | header [1] [\"Partner\", \"Customer\", \"Amount\"] | 2 rows | skipped [] | errors []",
    "text/quotes_everywhere.csv | delimited text UTF-8 , | header [1] [\"\\\"\\\"\"] | 1 rows | skipped [5:blank] | errors [3.2]",
    "text/ragged.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\", \"Stage\"] | 2 rows | skipped [5:blank] | errors [3.4]",
    "text/repeated_headers.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\"] | 2 rows | skipped [3:repeated header] | errors []",
    "text/single_quotes.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Customer\", \"Amount\"] | 2 rows | skipped [] | errors []",
    "text/title_two_row_header_totals.csv | delimited text UTF-8 , | header [4, 5] [\"Deal › Partner\", \"Deal › Customer\", \"Amount › EUR\", \"Amount › USD\", \"…\"] | 3 rows | skipped [1:preamble 2:preamble 3:blank 8:total 9:repeated header 11:total 12:blank 13:footnote 14:footnote] | errors []",
    "text/unterminated_quote.csv | delimited text UTF-8 , | header [1] [\"Partner\", \"Amount\", \"Note\"] | 1 rows | skipped [] | errors [3.3]",
    "text/utf16be_nobom.tsv | delimited text UTF-16BE \\t | header [1] [\"Partner\", \"Kunde\", \"Betrag (EUR)\"] | 1 rows | skipped [] | errors []",
    "text/utf16le_bom_odd_length.tsv | delimited text UTF-16LE+BOM \\t | header [1] [\"Partner\", \"Amount\"] | 2 rows | skipped [] | errors []",
    "text/wide_line.csv | delimited text UTF-8 , | header [1] [\"c0\", \"c1\", \"c2\", \"c3\", \"…\"] | 1 rows | skipped [] | errors []",
    "text/windows1252_semicolons.csv | delimited text windows-1252 ; | header [1] [\"Partner\", \"Kunde\", \"Betrag (EUR)\", \"Abschlussdatum\"] | 2 rows | skipped [4:total] | errors []",
];

#[test]
fn every_corpus_file_reads_without_panic_and_as_pinned() {
    let mut paths = Vec::new();
    files(&corpus(), &mut paths);
    assert!(paths.len() >= 40, "the corpus has {} files", paths.len());
    let options = ReadOptions { limits: Limits { max_member_bytes: 64 << 20, ..Limits::default() }, ..ReadOptions::default() };
    let mut got = Vec::new();
    for path in &paths {
        let name = path.strip_prefix(corpus()).expect("inside").to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(path).expect("read");
        for (locator, p) in read_bytes(&name, &bytes, &options) {
            common::check_invariants(&locator, &p);
            got.push(summary(&locator, &p).chars().take(400).collect::<String>());
        }
    }
    // Without overflow checks (release) calamine wraps instead of panicking on this file.
    let overflow = |line: &&str| cfg!(debug_assertions) || !line.starts_with("sheets/overflowing_cell_reference.xlsx");
    let got: Vec<&str> = got.iter().map(String::as_str).filter(overflow).collect();
    let want: Vec<&str> = EXPECTED.iter().copied().filter(overflow).collect();
    for (got, want) in got.iter().zip(&want) {
        assert_eq!(got, want);
    }
    assert_eq!(got.len(), want.len(), "inputs: {got:#?}");
}

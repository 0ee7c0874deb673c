//! Properties over arbitrary input: no reader panics, and every line read is a row out,
//! a quarantined row or a skipped line (rows read = rows out + quarantined + skipped).

mod common;

use proptest::prelude::*;
use watershed_ingest::layout::{Grid, GridRow, lay_out};
use watershed_ingest::{ReadOptions, parse_delimited, read_bytes};

/// Physical lines of text as the delimited reader counts them (LF; CR alone in a file
/// without LF).
fn physical_lines(bytes: &[u8]) -> u64 {
    let decoded = watershed_ingest::decode::decode(bytes);
    let text = decoded.text;
    let end = if text.contains('\n') { '\n' } else { '\r' };
    text.matches(end).count() as u64 + u64::from(!text.is_empty() && !text.ends_with(end))
}

/// Bytes that look like delimited text: delimiters, line ends, quotes, labels, numbers.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"|".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"#".to_vec()),
        Just(b" ".to_vec()),
        Just(b"Partner".to_vec()),
        Just(b"Amount".to_vec()),
        Just(b"Total".to_vec()),
        Just(b"12.500,00".to_vec()),
        Just(b"2026-03-04".to_vec()),
        Just("Müller".as_bytes().to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\x00".to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

/// Text without quotes: every record is exactly one physical line.
fn unquoted() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(","),
        Just(";"),
        Just("\n"),
        Just("\r\n"),
        Just("#"),
        Just(" "),
        Just("Partner"),
        Just("Customer"),
        Just("Total"),
        Just("Summe"),
        Just("* note"),
        Just("125000"),
        Just("1.250,50"),
        Just("2026-03-04"),
        Just("x"),
    ];
    prop::collection::vec(pieces, 0..200).prop_map(|v| v.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_read_without_panic_under_any_name(bytes in prop::collection::vec(any::<u8>(), 0..2048), ext in prop::sample::select(vec!["csv", "tsv", "json", "ndjson", "xlsx", "xls", "ods", "zip", "gz", "pdf", ""])) {
        let name = format!("inbox/f.{ext}");
        for (locator, p) in read_bytes(&name, &bytes, &ReadOptions::default()) {
            common::check_invariants(&locator, &p);
        }
    }

    #[test]
    fn delimited_text_accounts_for_every_record(bytes in texty()) {
        let p = parse_delimited(&bytes, None);
        common::check_invariants("t.csv", &p);
        let total = physical_lines(&bytes);
        let spanned: u64 = p.rows.iter().map(|r| 1 + r.values.iter().map(|v| v.matches('\n').count() as u64).sum::<u64>()).sum();
        prop_assert!(p.header_lines.len() as u64 + spanned + (p.errors.len() + p.skipped.len()) as u64 <= total);
        let lines = p.header_lines.iter().copied().chain(p.rows.iter().map(|r| r.line)).chain(p.skipped.iter().map(|s| s.line)).chain(p.errors.iter().map(|e| e.line));
        for line in lines {
            prop_assert!((1..=total).contains(&line), "line {} of {}", line, total);
        }
    }

    #[test]
    fn without_quotes_rows_read_equal_rows_out_plus_quarantined_plus_skipped(bytes in unquoted()) {
        let p = parse_delimited(&bytes, None);
        common::check_invariants("t.csv", &p);
        let lines = physical_lines(&bytes);
        let accounted = p.header_lines.len() as u64 + p.read_count();
        prop_assert_eq!(accounted, lines, "every physical line is a header, a row, an unreadable row or a skipped line: {:?}", p);
    }

    #[test]
    fn layout_places_every_grid_row_once(grid in prop::collection::vec(prop::collection::vec(prop_oneof![Just(String::new()), Just("Partner".to_string()), Just("Total".to_string()), Just("100".to_string()), Just("# c".to_string()), Just("x".to_string()), "[a-z0-9 ]{0,6}"], 0..6), 0..40)) {
        let rows: Vec<GridRow> = grid.into_iter().enumerate().map(|(i, cells)| GridRow { line: i as u64 + 1, lines: 1, cells: cells.into(), raw: None, unreadable: None }).collect();
        let n = rows.len();
        let laid = lay_out(Grid::sheet(rows, 0));
        let placed = laid.header_lines.len() + laid.rows.len() + laid.skipped.len() + laid.errors.len();
        prop_assert_eq!(placed, n);
        let mut lines: Vec<u64> = laid.header_lines.iter().copied().chain(laid.rows.iter().map(|r| r.line)).chain(laid.skipped.iter().map(|s| s.line)).chain(laid.errors.iter().map(|e| e.line)).collect();
        lines.sort_unstable();
        prop_assert_eq!(lines, (1..=n as u64).collect::<Vec<_>>());
    }

    #[test]
    fn ndjson_lines_are_rows_errors_or_blank(lines in prop::collection::vec(prop_oneof![Just("{\"a\":1}".to_string()), Just(String::new()), Just("{\"b\":{\"c\":[1,2]}}".to_string()), Just("nope".to_string()), Just("[1]".to_string()), "[{}\\[\\]\":,a-z0-9 ]{0,12}"], 0..30)) {
        let text = lines.join("\n");
        let p = watershed_ingest::json::parse_ndjson(text.as_bytes());
        common::check_invariants("t.ndjson", &p);
        prop_assert_eq!(p.read_count(), physical_lines(text.as_bytes()));
    }
}

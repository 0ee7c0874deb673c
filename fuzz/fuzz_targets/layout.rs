//! The layout detector on an arbitrary grid: lines split the input into rows, `|`
//! into cells; every row must be placed exactly once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watershed_ingest::layout::{Grid, GridRow, lay_out};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rows: Vec<GridRow> = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| GridRow {
            line: i as u64 + 1,
            lines: 1,
            cells: if line.is_empty() { Default::default() } else { line.split('|').collect() },
            raw: None,
            unreadable: None,
        })
        .collect();
    let n = rows.len();
    let letters = data.first().is_some_and(|b| b % 2 == 0);
    let grid = if letters { Grid::sheet(rows, 0) } else { Grid { letters: false, ..Grid::sheet(rows, 0) } };
    let laid = lay_out(grid);
    assert_eq!(laid.header_lines.len() + laid.rows.len() + laid.skipped.len() + laid.errors.len(), n);
    let mut names: Vec<String> = laid.headers.iter().map(|h| h.to_lowercase()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), laid.headers.len(), "header names are unique");
    assert!(laid.headers.iter().all(|h| !h.is_empty()), "every column has a name");
});

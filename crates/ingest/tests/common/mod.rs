//! Invariants every input must satisfy, whatever bytes it came from.
#![allow(dead_code)]

use std::collections::HashSet;
use watershed_ingest::{Format, ParsedInput};

/// Every record is in exactly one place: header lines, rows, unreadable rows and skipped
/// lines carry distinct line numbers, in order, and a whole-input error stands alone.
pub fn check_invariants(locator: &str, p: &ParsedInput) {
    let mut seen: HashSet<u64> = HashSet::new();
    let lines = p.header_lines.iter().copied().chain(p.rows.iter().map(|r| r.line)).chain(p.skipped.iter().map(|s| s.line));
    for line in lines.chain(p.errors.iter().filter(|e| e.line > 0 || p.format != Format::Unreadable).map(|e| e.line)) {
        if matches!(p.format, Format::Json) {
            continue; // several records of a JSON document may start on one line
        }
        assert!(line > 0, "{locator}: line 0 outside a whole-input error");
        assert!(seen.insert(line), "{locator}: line {line} accounted twice: {p:#?}");
    }
    assert!(p.rows.windows(2).all(|w| w[0].line < w[1].line) || p.format == Format::Json, "{locator}: rows out of order");
    assert_eq!(p.header_line, p.header_lines.first().copied().unwrap_or(0), "{locator}");
    for e in &p.errors {
        assert!(!e.message.is_empty(), "{locator}: an error without a message");
    }
    if p.format == Format::Unreadable {
        assert!(p.rows.is_empty() && p.errors.len() == 1 && p.errors[0].line == 0, "{locator}: {p:#?}");
    }
    assert_eq!(p.read_count(), (p.rows.len() + p.errors.len() + p.skipped.len()) as u64);
}

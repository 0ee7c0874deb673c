//! Shared by the fuzz targets: bounded read options and the invariants every input keeps.
#![allow(dead_code)]

use std::collections::HashSet;
use watershed_ingest::{Format, Limits, ParsedInput, ReadOptions};

/// Read options with small bounds, so a decompression or sheet bomb costs little.
pub fn options() -> ReadOptions {
    ReadOptions {
        limits: Limits { max_member_bytes: 8 << 20, max_total_bytes: 32 << 20, max_depth: 3, max_members: 64, max_sheet_cells: 200_000 },
        ..ReadOptions::default()
    }
}

/// Every record is in exactly one place (JSON documents may hold several records per line).
pub fn check(p: &ParsedInput) {
    if p.format == Format::Unreadable {
        assert!(p.rows.is_empty() && p.errors.len() == 1 && p.errors[0].line == 0);
        return;
    }
    if p.format != Format::Json {
        let mut seen = HashSet::new();
        let lines = p.header_lines.iter().copied().chain(p.rows.iter().map(|r| r.line)).chain(p.skipped.iter().map(|s| s.line));
        for line in lines.chain(p.errors.iter().map(|e| e.line)) {
            assert!(line > 0, "line 0 outside a whole-input error");
            assert!(seen.insert(line), "line {line} accounted twice");
        }
    }
    assert_eq!(p.header_line, p.header_lines.first().copied().unwrap_or(0));
    assert!(p.errors.iter().all(|e| !e.message.is_empty()));
}

/// Lets panics that Watershed contains (calamine panicking on a malformed workbook is
/// caught and turned into an unreadable input) unwind instead of aborting at once:
/// libfuzzer-sys's own hook aborts before `catch_unwind` can run. A panic that escapes
/// Watershed still reaches libfuzzer-sys's `catch_unwind` and aborts, so it is still a
/// crash. The first few contained panics are printed.
pub fn contain_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    static SHOWN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if SHOWN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 3 {
                eprintln!("panic (contained unless the run aborts next): {info}");
            }
        }));
    });
}

//! Delimited text: decoding, dialect sniffing, the CSV reader and layout detection.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let p = watershed_ingest::parse_delimited(data, None);
    common::check(&p);
    let q = watershed_ingest::parse_delimited(data, Some(b';'));
    common::check(&q);
});

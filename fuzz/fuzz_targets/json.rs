//! JSON documents and NDJSON lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::check(&watershed_ingest::json::parse_json(data));
    common::check(&watershed_ingest::json::parse_ndjson(data));
});

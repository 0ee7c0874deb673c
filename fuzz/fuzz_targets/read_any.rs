//! Any bytes under any file name: format recognition, containers, every reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const NAMES: &[&str] =
    &["f.csv", "f.tsv", "f.txt", "f.json", "f.ndjson", "f.xlsx", "f.xls", "f.xlsb", "f.ods", "f.zip", "f.csv.gz", "f.pdf", "f"];

fuzz_target!(|data: &[u8]| {
    common::contain_panics();
    let Some((&selector, bytes)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    for (_, p) in watershed_ingest::read_bytes(name, bytes, &common::options()) {
        common::check(&p);
    }
});

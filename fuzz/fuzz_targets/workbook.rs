//! Workbooks straight into calamine (xlsx, xlsb, xls, ods), past format recognition.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watershed_ingest::sheet::{Book, read_workbook};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::contain_panics();
    let Some((&selector, bytes)) = data.split_first() else { return };
    let book = [Book::Xlsx, Book::Xlsb, Book::Xls, Book::Ods][usize::from(selector) % 4];
    for (_, p) in read_workbook("f", bytes, book, &common::options()) {
        common::check(&p);
    }
});

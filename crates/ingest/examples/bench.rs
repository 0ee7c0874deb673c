//! Parse throughput of Watershed's readers against the bare crates on the same file:
//! a large CSV (Watershed's delimited reader vs the `csv` crate) and a large XLSX
//! (Watershed's workbook reader vs `calamine`). Both sides produce owned rows of
//! strings; Watershed also decodes, detects the dialect, header and layout, and keeps
//! line numbers. Prints MB/s, rows/s and the ratio. A benchmark, not a test:
//!
//! `cargo run --release -p watershed-ingest --example bench -- [CSV_ROWS] [XLSX_ROWS]`
//!
//! The files are generated once under `target/ingest-bench/` and reused.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use watershed_ingest::{ReadOptions, read_bytes};

const HEADER: [&str; 11] =
    ["Partner", "Customer", "Amount", "Currency", "Close Date", "Created", "Stage", "CRM Ref", "Deal #", "Product SKU", "Country"];
const PARTNERS: [&str; 5] =
    ["Northwind Traders", "Contoso Consulting", "Bauer Systemhaus GmbH", "Fabrikam Solutions", "Tailspin Integrators"];
const CUSTOMERS: [&str; 6] =
    ["Acme Manufacturing Inc", "Globex, Ltd", "Initech", "Umbrella \"Health\" Corp", "Stark Industries", "Wayne Enterprises"];
const STAGES: [&str; 6] = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"];

/// A deterministic pseudo-random deal row.
fn row(i: u64) -> [String; 11] {
    let h = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 11;
    let amount = 5_000 + h % 400_000;
    let close = 45_658 + (h % 700);
    [
        PARTNERS[(h % 5) as usize].to_string(),
        CUSTOMERS[(h % 6) as usize].to_string(),
        format!("{amount}.{:02}", h % 100),
        ["USD", "EUR", "GBP"][(h % 3) as usize].to_string(),
        iso(close),
        iso(close - 20 - h % 150),
        STAGES[(h % 6) as usize].to_string(),
        if h.is_multiple_of(3) { format!("006{:015}", h % 1_000_000_000) } else { String::new() },
        format!("NW-{i:07}"),
        format!("SKU-{}", 1000 + h % 12),
        ["US", "DE", "GB", "FR"][(h % 4) as usize].to_string(),
    ]
}

/// ISO date of an Excel serial day.
fn iso(serial: u64) -> String {
    let (y, m, d, ..) = calamine::ExcelDateTime::new(serial as f64, calamine::ExcelDateTimeType::DateTime, false).to_ymd_hms_milli();
    format!("{y:04}-{m:02}-{d:02}")
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ingest-bench")
}

fn csv_file(rows: u64) -> std::io::Result<PathBuf> {
    let path = bench_dir().join(format!("deals-{rows}.csv"));
    if !path.exists() {
        std::fs::create_dir_all(bench_dir())?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(&path)?));
        w.write_record(HEADER)?;
        for i in 0..rows {
            w.write_record(row(i))?;
        }
        w.flush()?;
    }
    Ok(path)
}

fn xlsx_file(rows: u64) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path = bench_dir().join(format!("deals-{rows}.xlsx"));
    if !path.exists() {
        std::fs::create_dir_all(bench_dir())?;
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let sheet = wb.add_worksheet_with_constant_memory()?;
        sheet.set_name("Deals")?;
        for (c, h) in HEADER.iter().enumerate() {
            sheet.write_string(0, c as u16, *h)?;
        }
        for i in 0..rows {
            let r = row(i);
            let at = i as u32 + 1;
            for (c, cell) in r.iter().enumerate() {
                match c {
                    2 => {
                        sheet.write_number(at, 2, cell.parse::<f64>()?)?;
                    }
                    4 | 5 => {
                        sheet.write_datetime_with_format(at, c as u16, &ExcelDateTime::parse_from_str(cell)?, &date)?;
                    }
                    _ if !cell.is_empty() => {
                        sheet.write_string(at, c as u16, cell)?;
                    }
                    _ => {}
                }
            }
        }
        wb.save(&path)?;
    }
    Ok(path)
}

/// The best of three runs of `f`, and what it returned.
fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut result = None;
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let out = f();
        fastest = fastest.min(start.elapsed());
        result = Some(out);
    }
    (fastest, result.unwrap_or_else(|| unreachable!("three runs")))
}

fn report(what: &str, bytes: usize, rows: usize, ours: Duration, bare: Duration, baseline: &str) {
    let mb = bytes as f64 / 1e6;
    let line = |who: &str, t: Duration| {
        println!(
            "  {who:<28} {:>8.1} ms  {:>8.1} MB/s  {:>10.0} rows/s",
            t.as_secs_f64() * 1e3,
            mb / t.as_secs_f64(),
            rows as f64 / t.as_secs_f64()
        )
    };
    println!("{what}: {mb:.1} MB, {rows} rows");
    line("watershed", ours);
    line(baseline, bare);
    println!(
        "  ratio watershed / {baseline}: {:.2}× the time ({:.0} % of the throughput)",
        ours.as_secs_f64() / bare.as_secs_f64(),
        100.0 * bare.as_secs_f64() / ours.as_secs_f64()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let csv_rows: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let xlsx_rows: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200_000);
    let options = ReadOptions::default();

    let path = csv_file(csv_rows)?;
    let bytes = std::fs::read(&path)?;
    let (ours, inputs) = best(|| read_bytes("deals.csv", &bytes, &options));
    let rows = inputs.first().map_or(0, |(_, p)| p.rows.len());
    assert_eq!(rows as u64, csv_rows, "every row read");
    let (bare, bare_rows) = best(|| {
        let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
        let mut out: Vec<Vec<String>> = Vec::new();
        for record in reader.records().flatten() {
            out.push(record.iter().map(str::to_string).collect());
        }
        out.len()
    });
    assert_eq!(bare_rows, rows);
    report("CSV", bytes.len(), rows, ours, bare, "csv crate");

    let path = xlsx_file(xlsx_rows)?;
    let bytes = std::fs::read(&path)?;
    let (ours, inputs) = best(|| read_bytes("deals.xlsx", &bytes, &options));
    let rows = inputs.first().map_or(0, |(_, p)| p.rows.len());
    assert_eq!(rows as u64, xlsx_rows, "every row read");
    let (bare, bare_rows) = best(|| -> Result<usize, calamine::XlsxError> {
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(&bytes[..]))?;
        let range = book.worksheet_range("Deals")?;
        let out: Vec<Vec<String>> =
            range.rows().map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect()).collect();
        Ok(out.len().saturating_sub(1))
    });
    assert_eq!(bare_rows?, rows);
    report("XLSX", bytes.len(), rows, ours, bare, "calamine");
    std::io::stdout().flush()?;
    Ok(())
}

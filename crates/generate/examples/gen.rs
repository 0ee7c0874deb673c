//! Generates a program and prints the summary and the time it took.
//!
//! `cargo run --release -p watershed-generate --example gen -- <dir> [opportunities] [seed]`

use std::path::PathBuf;
use std::time::Instant;

use watershed_generate::{GenerateOptions, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "example-program".to_owned()));
    let opportunities = match args.next() {
        Some(n) => n.parse()?,
        None => 5_000,
    };
    let seed = match args.next() {
        Some(s) => s.parse()?,
        None => 42,
    };
    let opts = GenerateOptions { opportunities, partners: None, seed, shared_ids: true };
    let start = Instant::now();
    let summary = generate(&dir, &opts)?;
    let elapsed = start.elapsed();
    println!(
        "{} partners, {} deals, {} source rows ({} bad), {} files in {:.2?}",
        summary.partners,
        summary.deals,
        summary.source_rows,
        summary.bad_rows,
        summary.files.len(),
        elapsed
    );
    Ok(())
}

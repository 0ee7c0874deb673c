//! Deterministic generator of a realistic, messy partner program.
//!
//! [`generate`] fills a project folder with what `watershed init --example` ships: a
//! `watershed.toml`, the `mappings/` reference tables, opportunity exports from a CRM, a
//! channel managers' sheet and five partners' own files in their own shapes (an XLSX
//! workbook with a title above the header, a UTF-16 TSV, a Windows-1252 semicolon file
//! with decimal commas and German headers, a CSV with a BOM, a CSV with comment lines,
//! a totals row and a footnote; duplicates across sources, a handful of bad rows),
//! one file per other entity (targets, deal registrations, trainings, …), and the ground
//! truth under `truth/` (every real deal and the physical line of every source row).
//!
//! The output is a pure function of [`GenerateOptions`]: the same options give
//! byte-identical files. "Now" is fixed at 2026-11-15 and the program spans the eight
//! quarters FY2025-Q1 … FY2026-Q4 (fiscal year = calendar year).

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

mod config;
mod csvout;
mod deals;
mod entities;
mod fmt;
mod master;
mod sheetout;
mod sources;
mod truth;
mod words;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of deals (opportunities) of the truth.
    pub opportunities: usize,
    /// Number of partners; `None` means `max(30, opportunities / 400)`. At least 10.
    pub partners: Option<usize>,
    /// Seed of every random choice.
    pub seed: u64,
    /// Whether the channel sheet and the partner files carry the CRM opportunity id of
    /// the deals they re-report. Without it, only scored matching can find those
    /// duplicates (the resolution benchmark's hard mode).
    pub shared_ids: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { opportunities: 5_000, partners: None, seed: 42, shared_ids: true }
    }
}

impl GenerateOptions {
    /// The program of `watershed init --example`: 5,000 opportunities, 30 partners, seed 42.
    pub fn example() -> Self {
        Self { opportunities: 5_000, partners: Some(30), seed: 42, shared_ids: true }
    }

    /// The number of partners these options produce.
    pub fn partner_count(&self) -> usize {
        self.partners.unwrap_or_else(|| (self.opportunities / 400).max(30))
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Partners in `mappings/partners.csv`.
    pub partners: usize,
    /// Deals of the truth (`truth/deals.csv` rows).
    pub deals: usize,
    /// Data rows written to the opportunity source files (deal rows and bad rows; blank,
    /// comment and TOTAL lines are not counted).
    pub source_rows: usize,
    /// Bad rows among `source_rows` (each with exactly one defect).
    pub bad_rows: usize,
    /// Every file written, relative to the project folder, in writing order.
    pub files: Vec<PathBuf>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Reading or writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The options cannot produce a program.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// A workbook could not be built or written.
    #[error("cannot write the workbook {path}: {message}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What rust_xlsxwriter reported.
        message: String,
    },
    /// A character cannot be written in a file's encoding (Windows-1252).
    #[error("{path}, line {line}: a character is not representable in Windows-1252")]
    Encoding {
        /// The file.
        path: PathBuf,
        /// The line that could not be written.
        line: u64,
    },
}

impl GenerateError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }
}

/// Minimum number of partners (the five partner files and the distributors need them).
const MIN_PARTNERS: usize = 10;

/// Writes a complete example program into `dir` (created if missing; existing files with
/// the same names are overwritten).
pub fn generate(dir: &Path, opts: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    let partners = opts.partner_count();
    if partners < MIN_PARTNERS {
        return Err(GenerateError::InvalidOptions(format!("at least {MIN_PARTNERS} partners are needed, got {partners}")));
    }
    if opts.opportunities > 50_000_000 {
        return Err(GenerateError::InvalidOptions(format!("at most 50,000,000 opportunities, got {}", opts.opportunities)));
    }
    std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
    let mut files: Vec<String> = Vec::new();

    config::write(dir)?;
    files.push("watershed.toml".to_owned());

    let m = master::build(opts.seed, partners, opts.opportunities);
    files.extend(master::write_mappings(dir, &m)?);

    let mut deals = deals::generate(opts.seed, &m, opts.opportunities);
    let stats = sources::write_sources(dir, opts.seed, &m, &mut deals, opts.shared_ids)?;
    files.extend(stats.files);

    files.extend(entities::write_entities(dir, opts.seed, &m, &deals)?);

    truth::write_deals(dir, &m, &deals)?;
    files.push("truth/deals.csv".to_owned());
    truth::write_readme(dir)?;
    files.push("truth/README.md".to_owned());

    Ok(GenerateSummary {
        partners,
        deals: deals.len(),
        source_rows: stats.rows,
        bad_rows: stats.bad,
        files: files.into_iter().map(PathBuf::from).collect(),
    })
}

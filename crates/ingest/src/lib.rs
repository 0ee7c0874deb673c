//! Ingestion: sources deliver files (a file, an API pull), and each file is read into
//! one or more inputs: decoded, its dialect and layout detected, its rows read as
//! received with their physical line.
//!
//! The design decision that matters: reading is split into *readers* that turn bytes
//! into a grid of records with positions (delimited text in [`parse`], workbooks in
//! [`sheet`], JSON in [`json`], containers in [`read`]) and one *detector*
//! ([`layout`]) that finds the header and classifies every record. Every record ends
//! up exactly once as a header line, a row, a skipped line or an unreadable row, so
//! `rows read = rows out + quarantined + skipped` holds for any bytes.
//!
//! A source is one type implementing [`Source`], in one folder (`files/` is the first).
//! A file whose content hash the store already holds is not parsed again: the raw
//! layer is content-addressed, so re-ingesting a file changes nothing.

#![warn(missing_docs)]

pub mod decode;
pub mod detect;
pub mod dialect;
pub mod files;
pub mod json;
pub mod layout;
pub mod parse;
pub mod read;
pub mod sheet;
pub mod types;

pub use detect::{BoundColumn, MissingField, UnmappedFields, bind_columns, header_key, missing_required};
pub use files::FilesSource;
pub use parse::{Format, ParsedInput, RawRow, RowError, SkippedLine, parse_delimited};
pub use read::{Input, Limits, ReadOptions, read_bytes, read_file, read_files};
pub use types::{ColumnType, infer_column_type};

use std::path::Path;

/// One input a source currently offers: where it came from and its content hash.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it came from, for people and lineage (a path relative to the project folder).
    pub locator: String,
    /// SHA-256 of the content, lower-case hex: the raw layer's key.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The content (read once: hashed and parsed from the same buffer).
    pub bytes: Vec<u8>,
}

/// Why a source could not deliver its inputs. The run reports it; other sources go on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The configured glob pattern is invalid.
    #[error("source `{source_name}`: invalid path pattern `{pattern}`: {message}")]
    Pattern {
        /// The source.
        source_name: String,
        /// The pattern.
        pattern: String,
        /// The glob error.
        message: String,
    },
    /// A file could not be read.
    #[error("source `{source_name}`: cannot read {path}: {error}")]
    Read {
        /// The source.
        source_name: String,
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

/// A source of inputs. Listing and reading are one step so that a file is read once.
pub trait Source {
    /// The source's configured name.
    fn name(&self) -> &str;

    /// Every input the source offers now, in a stable order, with its content (a file
    /// source must read a file to hash it; the same bytes are parsed later).
    fn inputs(&self, root: &Path) -> Result<Vec<InputFile>, SourceError>;
}

/// What a source offers in a run: the inputs the raw layer does not hold yet, with
/// their content, and how many it already holds (their content is dropped at once).
#[derive(Debug, Default)]
pub struct Offered {
    /// Inputs to parse, in the source's order.
    pub new: Vec<InputFile>,
    /// Inputs whose content hash the raw layer already holds.
    pub known: u64,
}

/// Every source's inputs, in the order of `sources`, the sources taken on all cores
/// (reading and hashing the files is the part of a run before parsing; one source's
/// large file would otherwise keep the other cores waiting). `is_known(source index,
/// input)` says whether the raw layer holds an input already.
pub fn inputs_of_all<S: Source + Sync>(
    sources: &[S],
    root: &Path,
    is_known: impl Fn(usize, &InputFile) -> bool + Sync,
) -> Vec<Result<Offered, SourceError>> {
    let offered = |i: usize| {
        sources[i].inputs(root).map(|files| {
            let mut out = Offered::default();
            for file in files {
                if is_known(i, &file) {
                    out.known += 1;
                } else {
                    out.new.push(file);
                }
            }
            out
        })
    };
    let order: Vec<usize> = (0..sources.len()).collect();
    read::on_all_cores(&order, offered)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source offering one input named after it, or failing when its name says so.
    struct Named(&'static str);

    impl Source for Named {
        fn name(&self) -> &str {
            self.0
        }

        fn inputs(&self, _root: &Path) -> Result<Vec<InputFile>, SourceError> {
            if self.0.starts_with("bad") {
                return Err(SourceError::Pattern { source_name: self.0.into(), pattern: "[".into(), message: "unclosed".into() });
            }
            // Uneven work, so that the workers finish out of order.
            std::thread::sleep(std::time::Duration::from_millis(if self.0.len().is_multiple_of(2) { 20 } else { 1 }));
            Ok(vec![InputFile { locator: self.0.into(), sha256: String::new(), size: 0, bytes: self.0.as_bytes().to_vec() }])
        }
    }

    #[test]
    fn every_sources_inputs_come_back_in_the_sources_order() {
        let sources = [Named("crm"), Named("sheets"), Named("bad_glob"), Named("partners"), Named("pos")];
        // The raw layer holds the partners' input already.
        let listed = inputs_of_all(&sources, Path::new("."), |i, file| i == 3 && file.locator == "partners");
        assert_eq!(listed.len(), sources.len());
        for (i, (source, offered)) in sources.iter().zip(&listed).enumerate() {
            match offered {
                Ok(offered) if i == 3 => assert!(offered.new.is_empty() && offered.known == 1),
                Ok(offered) => {
                    assert_eq!(offered.new.iter().map(|f| f.locator.as_str()).collect::<Vec<_>>(), [source.0]);
                    assert_eq!(offered.known, 0);
                }
                Err(e) => assert!(source.0.starts_with("bad") && e.to_string().contains("bad_glob"), "{e}"),
            }
        }
        assert!(listed[2].is_err());
    }
}

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
pub use read::{FileRead, Input, Limits, ReadOptions, read_bytes, read_file, read_files};
pub use types::{ColumnType, infer_column_type};

use std::path::{Path, PathBuf};

/// One input a source currently offers, read: where it came from, its content and its hash.
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

/// One file a source offers, listed but not read yet. [`read_files`] reads and hashes
/// it when its turn to be parsed comes, so a run never holds the contents of all its
/// files at once (at 1M opportunities, 118 MB of other files sat next to the CRM export
/// while it was parsed).
#[derive(Debug, Clone)]
pub struct OfferedFile {
    /// Where it comes from, for people and lineage (a path relative to the project folder).
    pub locator: String,
    /// Where to read it.
    pub path: PathBuf,
    /// Its size when listed, in bytes (it orders the reading; what is read is what counts).
    pub size: u64,
}

impl OfferedFile {
    /// Reads the file and hashes what was read.
    pub fn read(&self) -> std::io::Result<InputFile> {
        let (bytes, sha256) = files::read_and_hash(&self.path)?;
        Ok(InputFile { locator: self.locator.clone(), sha256, size: bytes.len() as u64, bytes })
    }
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

/// A source of inputs: it lists what it offers; reading is [`read_files`]'s, which reads
/// each file once (hashed and parsed from the same buffer).
pub trait Source {
    /// The source's configured name.
    fn name(&self) -> &str;

    /// Every file the source offers now, in a stable order, not read yet.
    fn offers(&self, root: &Path) -> Result<Vec<OfferedFile>, SourceError>;
}

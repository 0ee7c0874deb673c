//! Ingestion: sources deliver inputs (a file, an API pull), and each input is decoded,
//! its dialect and header detected, and its rows read as received.
//!
//! A source is one type implementing [`Source`], in one folder (`files/` is the first).
//! An input whose content hash the store already holds is not parsed again: the raw
//! layer is content-addressed, so re-ingesting a file changes nothing.

pub mod detect;
pub mod files;
pub mod parse;

pub use detect::{bind_columns, header_key};
pub use files::FilesSource;
pub use parse::{ParsedInput, RawRow, RowError, SkippedLine, parse_delimited};

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

    /// Every input the source offers now, in a stable order, with its content.
    /// `is_known` tells whether the raw layer already holds a content hash; a source may
    /// use it to avoid fetching what is known (a file source must read to hash).
    fn inputs(&self, root: &Path) -> Result<Vec<InputFile>, SourceError>;
}

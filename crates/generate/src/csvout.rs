//! A small delimited-text writer that knows which physical line it is on.
//!
//! The generator must report the exact line of every row it writes (truth/source_rows.csv),
//! write raw comment and blank lines between records, and re-encode one file as
//! Windows-1252 or UTF-16; a purpose-built writer keeps all of that exact and allocation-free.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::GenerateError;

/// Text encoding of an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Enc {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// Windows-1252 (every character must be representable).
    Win1252,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode Text").
    Utf16LeBom,
}

/// Writes delimited records, counting physical lines.
pub(crate) struct CsvOut {
    path: PathBuf,
    rel: String,
    out: BufWriter<File>,
    delim: char,
    crlf: bool,
    enc: Enc,
    lines: u64,
    buf: String,
}

impl CsvOut {
    /// Creates `dir/rel` (parent folders included).
    pub(crate) fn create(dir: &Path, rel: &str, delim: char, crlf: bool, enc: Enc) -> Result<Self, GenerateError> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| GenerateError::io(parent, e))?;
        }
        let file = File::create(&path).map_err(|e| GenerateError::io(&path, e))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        match enc {
            Enc::Utf8Bom => out.write_all(b"\xEF\xBB\xBF").map_err(|e| GenerateError::io(&path, e))?,
            Enc::Utf16LeBom => out.write_all(b"\xFF\xFE").map_err(|e| GenerateError::io(&path, e))?,
            Enc::Utf8 | Enc::Win1252 => {}
        }
        Ok(Self { path, rel: rel.to_owned(), out, delim, crlf, enc, lines: 0, buf: String::with_capacity(512) })
    }

    /// Writes one record; returns its 1-based physical line number.
    pub(crate) fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<u64, GenerateError> {
        self.buf.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push(self.delim);
            }
            let f = f.as_ref();
            let quote = f.chars().any(|c| c == self.delim || c == '"' || c == '\n' || c == '\r');
            if quote {
                self.buf.push('"');
                for c in f.chars() {
                    if c == '"' {
                        self.buf.push('"');
                    }
                    self.buf.push(c);
                }
                self.buf.push('"');
            } else {
                self.buf.push_str(f);
            }
        }
        self.finish_line()
    }

    /// Writes `text` verbatim as one line (a comment or a blank line); returns its line number.
    pub(crate) fn raw_line(&mut self, text: &str) -> Result<u64, GenerateError> {
        self.buf.clear();
        self.buf.push_str(text);
        self.finish_line()
    }

    fn finish_line(&mut self) -> Result<u64, GenerateError> {
        self.buf.push_str(if self.crlf { "\r\n" } else { "\n" });
        match self.enc {
            Enc::Utf8 | Enc::Utf8Bom => self.out.write_all(self.buf.as_bytes()),
            Enc::Win1252 => {
                let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(&self.buf);
                if had_errors {
                    return Err(GenerateError::Encoding { path: self.path.clone(), line: self.lines + 1 });
                }
                self.out.write_all(&bytes)
            }
            Enc::Utf16LeBom => {
                let bytes: Vec<u8> = self.buf.encode_utf16().flat_map(u16::to_le_bytes).collect();
                self.out.write_all(&bytes)
            }
        }
        .map_err(|e| GenerateError::io(&self.path, e))?;
        self.lines += 1;
        Ok(self.lines)
    }

    /// The file's path relative to the project folder, as written in the lineage.
    pub(crate) fn rel(&self) -> &str {
        &self.rel
    }

    /// Flushes the file to disk.
    pub(crate) fn finish(mut self) -> Result<(), GenerateError> {
        self.out.flush().map_err(|e| GenerateError::io(&self.path, e))
    }
}

/// A reusable row of cells, so formatting a record allocates nothing after warm-up.
pub(crate) struct Cells {
    cells: Vec<String>,
}

impl Cells {
    /// `n` empty cells.
    pub(crate) fn new(n: usize) -> Self {
        Self { cells: (0..n).map(|_| String::with_capacity(32)).collect() }
    }

    /// Empties every cell.
    pub(crate) fn clear(&mut self) {
        for c in &mut self.cells {
            c.clear();
        }
    }

    /// Mutable access to cell `i` (appending to it).
    pub(crate) fn at(&mut self, i: usize) -> &mut String {
        &mut self.cells[i]
    }

    /// Replaces cell `i` with `text`.
    pub(crate) fn set(&mut self, i: usize, text: &str) {
        let c = &mut self.cells[i];
        c.clear();
        c.push_str(text);
    }

    /// The cells, for [`CsvOut::record`].
    pub(crate) fn as_slice(&self) -> &[String] {
        &self.cells
    }
}

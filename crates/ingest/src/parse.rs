//! What reading an input produces ([`ParsedInput`]: header, rows as received, skipped
//! lines, unreadable rows, each with its physical line), and the delimited-text reader.

use crate::decode::decode;
use crate::dialect::{self, Dialect};
use crate::layout::{self, Grid, GridRow};
use std::borrow::Cow;
use watershed_model::Cells;

/// One data row as received, with the 1-based physical line (or spreadsheet row) it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based line number in the file (row number in a sheet, line of the record in JSON).
    pub line: u64,
    /// The cells, as text, untouched.
    pub values: Cells,
}

/// A line that is not a data row and why it was skipped (counted in the conservation equation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: u64,
    /// `blank`, `comment`, `preamble` (a title above the header), `total`, `footnote`
    /// or `repeated header`.
    pub reason: &'static str,
}

/// A row that could not be parsed: quarantined with where it is and its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number (0: the input as a whole).
    pub line: u64,
    /// 1-based column (field) at fault, when one is.
    pub column: Option<u64>,
    /// The cells as far as they were read.
    pub values: Vec<String>,
    /// The raw text of the row (possibly shortened), for people to see what arrived.
    pub raw: String,
    /// What is wrong, where, and what to do; includes the column and the raw text.
    pub message: String,
}

/// The kind of file an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (CSV, TSV, any single-character delimiter).
    Delimited,
    /// An Excel 2007+ workbook sheet.
    Xlsx,
    /// An Excel binary workbook sheet.
    Xlsb,
    /// An Excel 97–2003 workbook sheet.
    Xls,
    /// An OpenDocument spreadsheet sheet.
    Ods,
    /// A JSON document (an array of records, or an object holding one such as a
    /// Salesforce query response).
    Json,
    /// Newline-delimited JSON: one record per line.
    Ndjson,
    /// Something Watershed cannot read (the input is one error record).
    Unreadable,
}

impl Format {
    /// The name shown to people and stored in reports (`csv`, `xlsx`, `json`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Delimited => "delimited text",
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Unreadable => "unreadable",
        }
    }
}

/// An input decoded and split into a header and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInput {
    /// What kind of file it was.
    pub format: Format,
    /// The text encoding (`UTF-8`, `UTF-16LE`, `windows-1252`, …), or what a binary
    /// format stores its text in.
    pub encoding: &'static str,
    /// Whether a byte-order mark declared the encoding.
    pub bom: bool,
    /// The field delimiter (delimited text only).
    pub delimiter: Option<u8>,
    /// The quote character (delimited text only).
    pub quote: Option<u8>,
    /// The escape character inside quotes; `None` means quotes are doubled.
    pub escape: Option<u8>,
    /// 1-based line of the (first) header row; 0 when there is none (empty input, JSON).
    pub header_line: u64,
    /// Every header line (two for a two-row header).
    pub header_lines: Vec<u64>,
    /// The column names: trimmed, two-row headers combined, blank names filled in and
    /// duplicates made unique.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<RawRow>,
    /// Lines that were not rows.
    pub skipped: Vec<SkippedLine>,
    /// Rows that could not be parsed.
    pub errors: Vec<RowError>,
    /// What detection decided, for `watershed inspect` (title lines, two-row header, …).
    pub notes: Vec<String>,
    /// What a person should look at (undecodable bytes, a hidden sheet not read, …).
    pub warnings: Vec<String>,
}

impl ParsedInput {
    /// An empty input of `format`.
    pub fn empty(format: Format, encoding: &'static str) -> Self {
        ParsedInput {
            format,
            encoding,
            bom: false,
            delimiter: None,
            quote: None,
            escape: None,
            header_line: 0,
            header_lines: Vec::new(),
            headers: Vec::new(),
            rows: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Takes the header, rows, skipped lines, errors and notes that layout detection
    /// found (the same for delimited text and workbook sheets).
    pub(crate) fn take_layout(&mut self, laid: layout::Layout) {
        self.header_line = laid.header_lines.first().copied().unwrap_or(0);
        self.header_lines = laid.header_lines;
        self.headers = laid.headers;
        self.rows = laid.rows;
        self.skipped = laid.skipped;
        self.errors = laid.errors;
        self.notes.extend(laid.notes);
    }

    /// An input that cannot be read at all: one error record (line 0) carrying
    /// `message`, so the whole input is quarantined and the run reports it.
    pub fn unreadable(message: impl Into<String>) -> Self {
        let message = message.into();
        let mut p = ParsedInput::empty(Format::Unreadable, "binary");
        p.errors.push(RowError { line: 0, column: None, values: Vec::new(), raw: String::new(), message });
        p
    }

    /// Rows read in the sense of the conservation equation: data rows, unreadable rows
    /// and skipped lines.
    pub fn read_count(&self) -> u64 {
        (self.rows.len() + self.errors.len() + self.skipped.len()) as u64
    }
}

/// How many characters of a raw line an error message quotes.
const RAW_IN_MESSAGE: usize = 200;

/// `text` shortened to [`RAW_IN_MESSAGE`] characters for an error message.
pub(crate) fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(RAW_IN_MESSAGE) {
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
        None => Cow::Borrowed(text),
    }
}

/// The physical line a record starts on, and its byte offset. The CSV reader reports a
/// record that follows blank lines at the first blank line, so those are counted here.
fn start_of(text: &str, mut line: u64, mut i: usize) -> (u64, usize) {
    let bytes = text.as_bytes();
    // Records end at LF, so the blank lines the reader skipped are bare LFs; a CR starts
    // a record of its own (a blank CRLF line).
    while bytes.get(i) == Some(&b'\n') {
        line += 1;
        i += 1;
    }
    (line, i)
}

/// Whether `raw` (a record running to the end of the text) ends inside a quoted field:
/// the quote rules of the CSV reader (a quote opens a field only at its start; inside,
/// a doubled quote or an escaped one is literal) replayed over the record.
fn ends_inside_quotes(raw: &str, dialect: &Dialect) -> bool {
    let (mut quoted, mut field_start, mut bytes) = (false, true, raw.bytes().peekable());
    while let Some(b) = bytes.next() {
        if quoted {
            if Some(b) == dialect.escape {
                bytes.next();
            } else if b == dialect.quote {
                if dialect.escape.is_none() && bytes.peek() == Some(&dialect.quote) {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
        } else if field_start && b == dialect.quote {
            quoted = true;
            field_start = false;
        } else {
            field_start = b == dialect.delimiter || b == b'\n';
        }
    }
    quoted
}

/// Parses a delimited text input: decodes it, detects the dialect (or uses the
/// configured delimiter), reads every record with its physical line, and lays it out
/// into header, rows, skipped lines and errors (see [`crate::layout`]).
pub fn parse_delimited(bytes: &[u8], delimiter: Option<u8>) -> ParsedInput {
    let decoded = decode(bytes);
    let mut text = decoded.text;
    // Old Mac files end lines with a lone CR; the CSV reader counts lines by LF.
    if text.contains('\r') && !text.contains('\n') {
        text = Cow::Owned(text.replace('\r', "\n"));
    }
    let dialect = dialect::detect(&text, delimiter);
    let mut out = ParsedInput::empty(Format::Delimited, decoded.encoding.name());
    out.bom = decoded.bom;
    out.delimiter = Some(dialect.delimiter);
    out.quote = Some(dialect.quote);
    out.escape = dialect.escape;
    out.notes.push(format!("encoding {} ({})", decoded.encoding.name(), decoded.how));
    if decoded.malformed {
        out.warnings.push(format!(
            "some bytes are not valid {} and were replaced by `\u{fffd}`; save the file as UTF-8 or check its encoding",
            decoded.encoding.name()
        ));
    }
    let grid = read_records(&text, &dialect);
    out.take_layout(layout::lay_out(grid));
    out
}

/// Reads every record of `text` with its physical line, span and byte range; blank
/// lines (which the CSV reader skips) become empty records so every line is accounted.
///
/// A large text is read in parts on several threads: each part starts at a line that
/// looks like a record start (an even number of quotes before it). A part is used only
/// when the reader of the part before it ends a record exactly where the part starts,
/// which makes its records those a single reader would have read; otherwise the rest
/// is read on by the reader before it, so the result never depends on the split.
fn read_records<'t>(text: &'t str, dialect: &Dialect) -> Grid<'t> {
    let parts = std::thread::available_parallelism().map_or(1, usize::from).min(text.len() / PART_BYTES).clamp(1, MAX_PARTS);
    read_records_in_parts(text, dialect, parts)
}

/// [`read_records`] with the text split in (at most) `parts` parts.
fn read_records_in_parts<'t>(text: &'t str, dialect: &Dialect, parts: usize) -> Grid<'t> {
    let bytes = text.as_bytes();
    let newline_count = count_newlines(bytes) as u64;
    let total_lines = newline_count + u64::from(!text.is_empty() && !text.ends_with('\n'));
    // Every record and every blank line starts on its own line: the grid never holds
    // more rows than the text has lines, so it is allocated once.
    let mut rows: Vec<GridRow> = Vec::with_capacity(usize::try_from(total_lines).unwrap_or(0));
    let starts = part_starts(bytes, dialect.quote, parts);
    // The physical line each part starts on.
    let first_lines: Vec<u64> = starts.iter().map(|&s| 1 + count_newlines(&bytes[..s]) as u64).collect();
    let mut reader = Records::new(text, dialect, 0, 1, 1);
    let (end, mut expected_line) = if starts.is_empty() {
        reader.read_until(text.len(), &mut rows)
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..starts.len())
                .map(|i| {
                    let (from, first_line) = (starts[i], first_lines[i]);
                    let stop = starts.get(i + 1).copied().unwrap_or(text.len());
                    let lines = first_lines.get(i + 1).copied().unwrap_or(total_lines + 1) - first_line;
                    scope.spawn(move || {
                        let mut part = Records::new(text, dialect, from, first_line, first_line);
                        let mut part_rows = Vec::with_capacity(usize::try_from(lines).unwrap_or(0) + 1);
                        let (end, expected) = part.read_until(stop, &mut part_rows);
                        (part, part_rows, end, expected)
                    })
                })
                .collect();
            let (mut end, mut expected) = reader.read_until(starts[0], &mut rows);
            let mut used = true;
            for (i, worker) in workers.into_iter().enumerate() {
                // A worker that panicked (a bug) counts as a part not used.
                let result = worker.join().ok();
                if !used {
                    continue;
                }
                match result {
                    Some((part, mut part_rows, part_end, part_expected)) if end == starts[i] && expected == first_lines[i] => {
                        rows.append(&mut part_rows);
                        (reader, end, expected) = (part, part_end, part_expected);
                    }
                    _ => used = false,
                }
            }
            if used { (end, expected) } else { reader.read_until(text.len(), &mut rows) }
        })
    };
    if end < text.len() {
        expected_line = reader.read_until(text.len(), &mut rows).1;
    }
    // Blank lines at the very end are lines too.
    for blank in expected_line..=total_lines {
        rows.push(GridRow { line: blank, lines: 1, cells: Cells::default(), raw: None, unreadable: None });
    }
    let unterminated = rows.last().and_then(|r| r.raw).is_some_and(|(s, e)| e == text.len() && ends_inside_quotes(&text[s..e], dialect));
    // A quoted field that ran to the end holds the file's last line break too.
    if let Some(last) = rows.last_mut() {
        last.lines = last.lines.min(total_lines.saturating_sub(last.line) + 1).max(1);
    }
    Grid { rows, text: Some(text), delimiter: Some(dialect.delimiter), first_column: 0, letters: false, unterminated_last: unterminated }
}

/// The smallest part of a text read on a thread of its own, in bytes.
const PART_BYTES: usize = 4 << 20;
/// The most parts a text is read in.
const MAX_PARTS: usize = 8;
/// How far past its target a part start is looked for, in bytes.
const PART_SEARCH: usize = 1 << 20;

/// Where the parts after the first start (byte offsets, ascending): for each of
/// `parts - 1` targets spread over the text, the first line start at or after it that
/// follows a non-blank line, is preceded by an even number of `quote` bytes and does
/// not start with a byte-order mark (which a new reader would drop).
fn part_starts(bytes: &[u8], quote: u8, parts: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    // Quote bytes before `scanned`, modulo 2.
    let (mut odd, mut scanned) = (false, 0usize);
    for k in 1..parts {
        let target = (bytes.len() / parts * k).max(scanned);
        odd ^= bytes[scanned..target].iter().filter(|&&b| b == quote).count() % 2 == 1;
        scanned = target;
        let limit = target.saturating_add(PART_SEARCH).min(bytes.len());
        while let Some(offset) = bytes[scanned..limit].iter().position(|&b| b == b'\n') {
            let newline = scanned + offset;
            odd ^= bytes[scanned..newline].iter().filter(|&&b| b == quote).count() % 2 == 1;
            scanned = newline + 1;
            let start = newline + 1;
            if !odd && start < bytes.len() && newline > 0 && bytes[newline - 1] != b'\n' && !bytes[start..].starts_with(b"\xEF\xBB\xBF") {
                starts.push(start);
                break;
            }
        }
    }
    starts
}

/// A CSV reader over `text` from byte `from` (a record start), reporting physical
/// lines and byte offsets of the whole text.
struct Records<'t> {
    text: &'t str,
    reader: csv::Reader<&'t [u8]>,
    /// Where the reader starts in the text.
    from: usize,
    /// The physical line the reader starts on.
    first_line: u64,
    /// The line after the previous record ended, to find blank lines the reader skips.
    expected_line: u64,
    record: csv::StringRecord,
}

impl<'t> Records<'t> {
    fn new(text: &'t str, dialect: &Dialect, from: usize, first_line: u64, expected_line: u64) -> Self {
        let reader = dialect.reader_builder().from_reader(text.as_bytes().get(from..).unwrap_or_default());
        Records { text, reader, from, first_line, expected_line, record: csv::StringRecord::new() }
    }

    /// Where the reader is in the text.
    fn offset(&self) -> usize {
        self.from + self.reader.position().byte() as usize
    }

    /// Reads records into `rows` until one ends at or after byte `stop` (or the text
    /// ends). Returns where the reader stopped and the line after the last record.
    fn read_until(&mut self, stop: usize, rows: &mut Vec<GridRow>) -> (usize, u64) {
        let text = self.text;
        let line_of = |line: u64| line + self.first_line - 1;
        while self.offset() < stop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => break,
                Ok(true) => {
                    let (line, start) = match self.record.position() {
                        Some(p) => start_of(text, line_of(p.line()), self.from + p.byte() as usize),
                        None => (self.expected_line, 0),
                    };
                    for blank in self.expected_line..line {
                        rows.push(GridRow { line: blank, lines: 1, cells: Cells::default(), raw: None, unreadable: None });
                    }
                    let end = self.offset().clamp(start, text.len());
                    // The fields' bytes, concatenated: their line breaks counted in one pass.
                    let newlines = count_newlines(self.record.as_byte_record().as_slice()) as u64;
                    self.expected_line = line + newlines + 1;
                    // Cells hold a row of at most 4 GiB of text (u32 offsets): a longer record
                    // (in practice, a quote never closed in a huge file) is an error row.
                    let size = self.record.as_byte_record().as_slice().len();
                    if u32::try_from(size).is_err() {
                        let message = format!(
                            "a record of {size} bytes, more than the 4 GiB one row can hold; a quote opened on line {line} is probably never closed: check the quoting, or split the file"
                        );
                        rows.push(GridRow { line, lines: newlines + 1, cells: Cells::default(), raw: None, unreadable: Some(message) });
                        continue;
                    }
                    // A CRLF line end leaves its CR on the last field.
                    let crlf = text.as_bytes().get(start..end).is_some_and(|r| r.ends_with(b"\r\n") || r.ends_with(b"\r"));
                    let last = self.record.len().saturating_sub(1);
                    let cells = Cells::new(self.record.iter().enumerate().map(|(j, cell)| match cell.strip_suffix('\r') {
                        Some(stripped) if crlf && j == last => stripped,
                        _ => cell,
                    }));
                    rows.push(GridRow { line, lines: newlines + 1, cells, raw: Some((start, end)), unreadable: None });
                }
                Err(e) => {
                    // The reader works on valid UTF-8 text and allows ragged rows, so this is
                    // not expected; the record is kept as an error rather than lost.
                    let line = e.position().map_or(self.expected_line, |p| line_of(p.line()));
                    rows.push(GridRow {
                        line,
                        lines: 1,
                        cells: Cells::default(),
                        raw: None,
                        unreadable: Some(format!("unreadable record: {e}")),
                    });
                    self.expected_line = line + 1;
                }
            }
        }
        (self.offset(), self.expected_line)
    }
}

/// How many line feeds `bytes` hold (a plain byte count the compiler vectorizes).
fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_lines_and_skips() {
        let text = "# report\n# exported today\nPartner,Amount,Note\nA,1,\"multi\nline\"\n\nB,2,x\n,,\nTOTAL,3,\nC,3,x,extra\nD,4\n\n";
        let p = parse_delimited(text.as_bytes(), None);
        assert_eq!(p.header_line, 3);
        assert_eq!(p.headers, vec!["Partner", "Amount", "Note"]);
        let lines: Vec<u64> = p.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 7, 11]);
        assert_eq!(&p.rows[0].values[2], "multi\nline");
        let skipped: Vec<(u64, &str)> = p.skipped.iter().map(|s| (s.line, s.reason)).collect();
        assert_eq!(skipped, vec![(1, "comment"), (2, "comment"), (6, "blank"), (8, "blank"), (9, "total"), (12, "blank")]);
        assert_eq!(p.errors.len(), 1);
        let e = &p.errors[0];
        assert_eq!((e.line, e.column), (10, Some(4)));
        assert!(e.message.contains("4 fields") && e.message.contains("C,3,x,extra"), "{}", e.message);
        assert_eq!(e.raw, "C,3,x,extra");
    }

    #[test]
    fn dialect_and_encoding_are_reported() {
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for unit in "Partner\tAmount\r\nA\t1\r\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let p = parse_delimited(&utf16, None);
        assert_eq!((p.encoding, p.bom, p.delimiter, p.quote, p.escape), ("UTF-16LE", true, Some(b'\t'), Some(b'"'), None));
        assert_eq!(p.rows, vec![RawRow { line: 2, values: Cells::new(["A", "1"]) }]);
        let p = parse_delimited(b"a;b\r1;2\r3;4\r", None);
        assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3], "CR-only line ends");
    }

    #[test]
    fn an_unterminated_quote_is_an_error_not_a_swallowed_file() {
        let p = parse_delimited(b"a,b\n1,2\n3,\"oops\n4,5\n6,7\n", None);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.errors.len(), 1);
        let e = &p.errors[0];
        assert_eq!((e.line, e.column), (3, Some(2)));
        assert!(e.message.contains("never closed") && e.message.contains("lines 3–5"), "{}", e.message);
    }

    #[test]
    fn reading_in_parts_reads_what_one_reader_reads() {
        let texts = [
            "a,b\n1,2\n3,\"x\ny\"\n\n\n4,5\n\"q\"\"\n\",6\n7,8\r\n9,\"\n\n\"\n".repeat(7),
            "a,b\n1,\"open\n2,3\n4,5\n".repeat(5),
            "a;b\n\u{feff}1;2\n3;4\n\n".repeat(9),
            "x\n1\n2\n\n3\n\n\n".repeat(11),
            "a,b\n1,\"x \\\" y\n\"\n2,3\n".repeat(6),
            "a,b\n1,2x\"y\n3,4\n".repeat(8),
            String::new(),
        ];
        for text in &texts {
            for dialect in [
                Dialect::default(),
                Dialect { escape: Some(b'\\'), ..Dialect::default() },
                Dialect { delimiter: b';', ..Dialect::default() },
            ] {
                let one = read_records_in_parts(text, &dialect, 1);
                for parts in 2..9 {
                    let many = read_records_in_parts(text, &dialect, parts);
                    assert_eq!(many.rows, one.rows, "{parts} parts of {text:?}");
                    assert_eq!(many.unterminated_last, one.unterminated_last);
                }
            }
        }
    }

    #[test]
    fn never_panics_on_garbage() {
        for input in
            [&b""[..], b"\n\n\n", b"\"unterminated", b"\xFF\xFE\x00", b"a,b\n\"x\"y\",1\n", b"\x00\x01\x02\x03", b"\r", b"\"\r\"\n"]
        {
            let p = parse_delimited(input, None);
            assert!(p.read_count() < 10);
        }
    }
}

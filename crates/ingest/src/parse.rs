//! Reading a delimited text input: encoding, delimiter, header line, rows as received,
//! and the lines that are not rows (blank, comment, totals), each with its line number.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// One data row as received, with the 1-based physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based line number in the file.
    pub line: u64,
    /// The cells, as text, untouched.
    pub values: Vec<String>,
}

/// A line that is not a data row and why it was skipped (counted in the conservation equation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: u64,
    /// `blank`, `comment` or `total`.
    pub reason: &'static str,
}

/// A row that could not be parsed: quarantined with its raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number.
    pub line: u64,
    /// The cells as far as they were read.
    pub values: Vec<String>,
    /// What is wrong.
    pub message: String,
}

/// An input decoded and split into rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedInput {
    /// The detected (or BOM-declared) encoding's name.
    pub encoding: &'static str,
    /// The field delimiter.
    pub delimiter: u8,
    /// 1-based line of the header row (0 when the input is empty).
    pub header_line: u64,
    /// The header cells, trimmed.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<RawRow>,
    /// Lines that were not rows.
    pub skipped: Vec<SkippedLine>,
    /// Rows that could not be parsed.
    pub errors: Vec<RowError>,
}

/// Decodes `bytes`: BOM first (UTF-8, UTF-16 LE/BE), then valid UTF-8, then the
/// encoding chardetng finds most likely (Windows-1252 for most Western files).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, encoding);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text, encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), UTF_8);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text, encoding)
}

/// UTF-16 without a BOM shows as every other byte zero in ASCII-heavy text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 > pairs * 8 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 8 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Picks the delimiter among `,` `;` tab `|` from the first lines: the candidate that
/// splits the most lines into the same, largest number of fields.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).take(20).collect();
    let mut best = (b',', 0usize, 0usize);
    for candidate in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, candidate)).collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (candidate, consistent, first);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            count += 1;
        }
    }
    count
}

/// The physical line a record starts on. The CSV reader reports a record that follows
/// blank lines at the first blank line, so the line breaks before it are counted here.
fn start_line(text: &str, position: &csv::Position) -> u64 {
    let bytes = text.as_bytes();
    let mut line = position.line();
    let mut i = position.byte() as usize;
    while let Some(b) = bytes.get(i) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        i += 1;
    }
    line
}

/// The first non-empty cell of a totals row ("Total", "Grand Total", "Summe", …).
fn is_total_label(cell: &str) -> bool {
    let lower = cell.trim().to_lowercase();
    matches!(
        lower.as_str(),
        "total" | "totals" | "grand total" | "subtotal" | "sub-total" | "sum" | "summe" | "gesamt" | "gesamtsumme" | "total général"
    )
}

/// Parses a delimited text input. The header is the first line that is neither blank
/// nor a `#` comment; after it every record is a row, a skipped line, or an error.
pub fn parse_delimited(bytes: &[u8], delimiter: Option<u8>) -> ParsedInput {
    let (text, encoding) = decode(bytes);
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut out = ParsedInput {
        encoding: encoding.name(),
        delimiter,
        header_line: 0,
        headers: Vec::new(),
        rows: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
    };
    // The line after the previous record ended, to find blank lines the CSV reader skips.
    let mut expected_line: u64 = 1;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(expected_line, |p| start_line(&text, p));
                for blank in expected_line..line {
                    out.skipped.push(SkippedLine { line: blank, reason: "blank" });
                }
                let newlines: u64 = record.iter().map(|f| f.matches('\n').count() as u64).sum();
                expected_line = line + newlines + 1;
                let values: Vec<String> = record.iter().map(str::to_string).collect();
                let first = values.iter().map(|v| v.trim()).find(|v| !v.is_empty());
                let Some(first) = first else {
                    out.skipped.push(SkippedLine { line, reason: "blank" });
                    continue;
                };
                if first.starts_with('#') && values[0].trim_start().starts_with('#') {
                    out.skipped.push(SkippedLine { line, reason: "comment" });
                    continue;
                }
                if out.header_line == 0 {
                    out.header_line = line;
                    out.headers = values.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
                    continue;
                }
                if is_total_label(first) && values.iter().filter(|v| !v.trim().is_empty()).count() <= 3 {
                    out.skipped.push(SkippedLine { line, reason: "total" });
                    continue;
                }
                if values.len() > out.headers.len() && values[out.headers.len()..].iter().any(|v| !v.trim().is_empty()) {
                    out.errors.push(RowError {
                        line,
                        message: format!(
                            "row has {} fields but the header has {}; check quoting and the delimiter",
                            values.len(),
                            out.headers.len()
                        ),
                        values,
                    });
                    continue;
                }
                out.rows.push(RawRow { line, values });
            }
            Err(e) => {
                let line = e.position().map_or(expected_line, |p| p.line());
                out.errors.push(RowError { line, values: Vec::new(), message: format!("unreadable row: {e}") });
                expected_line = line + 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters() {
        for (text, expected) in [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\n1,5;2;3\n", b';'),
            ("a\tb\tc\n1\t2\t3\n", b'\t'),
            ("a|b\n1|2\n", b'|'),
            ("# note, with, commas\na;b\n1;2\n", b';'),
            ("\"x,y\";b\n\"1,2\";3\n", b';'),
        ] {
            assert_eq!(detect_delimiter(text) as char, expected as char, "{text:?}");
        }
    }

    #[test]
    fn decodes_boms_and_legacy_encodings() {
        let (t, e) = decode(b"\xEF\xBB\xBFa,b");
        assert_eq!((t.as_ref(), e.name()), ("a,b", "UTF-8"));
        let (t, e) = decode(b"\xFF\xFEa\x00,\x00b\x00");
        assert_eq!((t.as_ref(), e.name()), ("a,b", "UTF-16LE"));
        let (t, e) = decode(b"a\x00,\x00b\x00c\x00\n\x00");
        assert_eq!((t.as_ref(), e.name()), ("a,bc\n", "UTF-16LE"));
        let (encoded, _, _) = encoding_rs::WINDOWS_1252.encode("Kunde;Müller Söhne;Straße;Bäckerei Öztürk GmbH;Größe");
        let (t, e) = decode(&encoded);
        assert_eq!(t.as_ref(), "Kunde;Müller Söhne;Straße;Bäckerei Öztürk GmbH;Größe");
        assert_eq!(e.name(), "windows-1252");
    }

    #[test]
    fn rows_lines_and_skips() {
        let text = "# report\n# exported today\nPartner,Amount,Note\nA,1,\"multi\nline\"\n\nB,2,x\n,,\nTOTAL,3,\nC,3,x,extra\nD,4\n\n";
        let p = parse_delimited(text.as_bytes(), None);
        assert_eq!(p.header_line, 3);
        assert_eq!(p.headers, vec!["Partner", "Amount", "Note"]);
        let lines: Vec<u64> = p.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 7, 11]);
        assert_eq!(p.rows[0].values[2], "multi\nline");
        let skipped: Vec<(u64, &str)> = p.skipped.iter().map(|s| (s.line, s.reason)).collect();
        assert_eq!(skipped, vec![(1, "comment"), (2, "comment"), (6, "blank"), (8, "blank"), (9, "total")]);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 10);
        assert!(p.errors[0].message.contains("4 fields"), "{}", p.errors[0].message);
    }

    #[test]
    fn never_panics_on_garbage() {
        for input in [&b""[..], b"\n\n\n", b"\"unterminated", b"\xFF\xFE\x00", b"a,b\n\"x\"y\",1\n", b"\x00\x01\x02\x03"] {
            let p = parse_delimited(input, None);
            assert!(p.rows.len() + p.errors.len() + p.skipped.len() < 10);
        }
    }
}

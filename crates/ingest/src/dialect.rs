//! Dialect detection for delimited text: the field delimiter, the quote character and
//! how quotes are escaped inside quoted fields.
//!
//! Every plausible dialect parses a sample of the file; the one whose records most
//! consistently have the same (largest) number of fields wins. Ties go to the usual
//! choice: `,` before `;` before tab before `|`, `"` before `'`, doubled quotes before
//! backslash escapes.

/// How a delimited text file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// The field delimiter.
    pub delimiter: u8,
    /// The quote character.
    pub quote: u8,
    /// `None`: a quote inside a quoted field is doubled (`""`); `Some(b'\\')`: it is
    /// escaped with a backslash (`\"`).
    pub escape: Option<u8>,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect { delimiter: b',', quote: b'"', escape: None }
    }
}

impl Dialect {
    /// A CSV reader configured for this dialect (no header handling, ragged rows allowed,
    /// records ending at LF; a CRLF's CR stays at the end of the last field).
    pub fn reader_builder(&self) -> csv::ReaderBuilder {
        let mut b = csv::ReaderBuilder::new();
        // Records end at LF only, so a stray CR inside a line never splits it and line
        // numbers stay physical; the CR of a CRLF ending is removed by the reader.
        b.has_headers(false).flexible(true).delimiter(self.delimiter).quote(self.quote).terminator(csv::Terminator::Any(b'\n'));
        if let Some(escape) = self.escape {
            b.escape(Some(escape)).double_quote(false);
        }
        b
    }
}

/// Delimiters tried, in order of preference on ties.
pub const DELIMITERS: &[u8] = b",;\t|^~:";

/// How much text the detection looks at.
const SAMPLE_BYTES: usize = 64 * 1024;
/// How many records of the sample count.
const SAMPLE_RECORDS: usize = 200;

/// The sample the detection looks at: the start of `text`, cut after a line break.
pub fn sample(text: &str) -> &str {
    if text.len() <= SAMPLE_BYTES {
        return text;
    }
    let mut end = SAMPLE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    match head.rfind('\n') {
        Some(i) if i > 0 => &head[..=i],
        _ => head,
    }
}

/// Picks the dialect of `text`. A configured delimiter is kept; quote and escape are
/// still detected.
pub fn detect(text: &str, configured_delimiter: Option<u8>) -> Dialect {
    let sample = sample(text);
    let delimiters: Vec<u8> = match configured_delimiter {
        Some(d) => vec![d],
        None => DELIMITERS.iter().copied().filter(|d| sample.as_bytes().contains(d)).collect(),
    };
    if delimiters.is_empty() {
        return Dialect::default();
    }
    let mut quotes = vec![b'"'];
    if sample.contains('\'') && delimiters.iter().any(|d| quoted_with(sample, b'\'', *d)) {
        quotes.push(b'\'');
    }
    let mut escapes = vec![None];
    if sample.contains("\\\"") || sample.contains("\\'") {
        escapes.push(Some(b'\\'));
    }
    let mut best: Option<(Score, Dialect)> = None;
    for (di, &delimiter) in delimiters.iter().enumerate() {
        for (qi, &quote) in quotes.iter().enumerate() {
            for (ei, &escape) in escapes.iter().enumerate() {
                let dialect = Dialect { delimiter, quote, escape };
                let score = score(sample, &dialect, [di, qi, ei]);
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, dialect));
                }
            }
        }
    }
    best.map(|(_, d)| d).unwrap_or_else(|| Dialect { delimiter: delimiters[0], ..Dialect::default() })
}

/// Whether `quote` opens a field right after a delimiter and closes one right before one.
fn quoted_with(sample: &str, quote: u8, delimiter: u8) -> bool {
    let b = sample.as_bytes();
    let opens = b.first() == Some(&quote) || b.windows(2).any(|w| (w[0] == delimiter || w[0] == b'\n') && w[1] == quote);
    let closes = b.windows(2).any(|w| w[0] == quote && (w[1] == delimiter || w[1] == b'\n' || w[1] == b'\r'));
    opens && closes
}

/// Higher is better: (several fields?, share of records with the modal field count in
/// percent, that count, preference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    multi: bool,
    consistency: u32,
    fields: usize,
    preference: std::cmp::Reverse<[usize; 3]>,
}

fn score(sample: &str, dialect: &Dialect, preference: [usize; 3]) -> Score {
    let mut reader = dialect.reader_builder().from_reader(sample.as_bytes());
    let mut counts: Vec<usize> = Vec::new();
    let mut record = csv::StringRecord::new();
    while counts.len() < SAMPLE_RECORDS {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let first = record.get(0).unwrap_or("");
                if (record.len() == 1 && first.trim().is_empty()) || first.trim_start().starts_with('#') {
                    continue;
                }
                counts.push(record.len());
            }
            Ok(false) | Err(_) => break,
        }
    }
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for c in &counts {
        match tally.iter_mut().find(|(n, _)| n == c) {
            Some((_, k)) => *k += 1,
            None => tally.push((*c, 1)),
        }
    }
    // The modal field count, preferring more fields on equal frequency.
    let (fields, freq) = tally.iter().copied().max_by_key(|(n, k)| (*k, *n)).unwrap_or((1, 0));
    let consistency = if counts.is_empty() { 0 } else { (freq * 100 / counts.len()) as u32 };
    Score { multi: fields > 1, consistency, fields, preference: std::cmp::Reverse(preference) }
}

/// The printable name of a delimiter (`\t` for tab).
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "\\t".to_string(),
        d if d.is_ascii_graphic() || d == b' ' => (d as char).to_string(),
        d => format!("\\x{d:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiter_quote_and_escape() {
        let cases: &[(&str, u8, u8, Option<u8>)] = &[
            ("a,b,c\n1,2,3\n", b',', b'"', None),
            ("a;b;c\n1,5;2;3\n", b';', b'"', None),
            ("a\tb\tc\n1\t2\t3\n", b'\t', b'"', None),
            ("a|b\n1|2\n", b'|', b'"', None),
            ("a^b^c\n1^2^3\n", b'^', b'"', None),
            ("a~b\n1~2\n", b'~', b'"', None),
            ("# note, with, commas\na;b\n1;2\n", b';', b'"', None),
            ("\"x,y\";b\n\"1,2\";3\n", b';', b'"', None),
            ("Title only\nid;time;note\n1;10:15:00;x\n2;11:00:00;y\n", b';', b'"', None),
            ("name,amount\n'Acme, Inc',100\n'Globex, Ltd',200\n", b',', b'\'', None),
            ("name,quote\n\"A\",\"He said \\\"hi, there\\\"\"\n\"B\",\"x\"\n", b',', b'"', Some(b'\\')),
            ("name,quote\n\"A\",\"He said \"\"hi, there\"\"\"\n\"B\",\"x\"\n", b',', b'"', None),
            ("single column\nvalue\n", b',', b'"', None),
            ("", b',', b'"', None),
        ];
        for (text, delimiter, quote, escape) in cases {
            let d = detect(text, None);
            assert_eq!((d.delimiter as char, d.quote as char, d.escape), (*delimiter as char, *quote as char, *escape), "{text:?}");
        }
    }

    #[test]
    fn a_configured_delimiter_is_kept() {
        assert_eq!(detect("a,b;c\n1,2;3\n", Some(b';')).delimiter, b';');
    }

    #[test]
    fn the_sample_ends_on_a_line_break_and_a_char_boundary() {
        let text = "é,b\n".repeat(20_000);
        let s = sample(&text);
        assert!(s.len() <= SAMPLE_BYTES && s.ends_with('\n'));
        assert_eq!(delimiter_name(b'\t'), "\\t");
        assert_eq!(delimiter_name(0x1f), "\\x1f");
    }
}

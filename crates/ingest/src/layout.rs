//! Layout detection: which row of a grid (delimited text records or spreadsheet rows)
//! is the header, whether it spans two rows, what the columns are called, and which
//! rows are not data (titles above the header, blank and comment lines, repeated
//! headers, totals, subtotals and footnotes at the end).
//!
//! Every row of the grid ends up in exactly one place: a header line, a data row, a
//! skipped line (with its reason) or an unreadable row. Nothing is dropped, so the
//! conservation equation of a run holds by construction.

use crate::parse::{RawRow, RowError, SkippedLine, shorten};
use rust_decimal::Decimal;
use std::collections::HashSet;
use watershed_model::Cells;
use watershed_normalize::dates::{DateOrder, parse_date};
use watershed_normalize::money::{infer_decimal_comma, parse_amount};

/// One record of the grid: its physical position and its cells as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    /// 1-based line (or spreadsheet row) the record starts on.
    pub line: u64,
    /// Physical lines the record spans (a quoted field may hold line breaks).
    pub lines: u64,
    /// The cells.
    pub cells: Cells,
    /// Byte range of the record in the source text (delimited text only).
    pub raw: Option<(usize, usize)>,
    /// Why the record could not be read, when it could not: it becomes an error row
    /// (quarantined with this message), never data, a header or a skipped line.
    pub unreadable: Option<String>,
}

/// A grid to lay out, and what is known about where it came from.
#[derive(Debug, Clone)]
pub struct Grid<'t> {
    /// The records, in order.
    pub rows: Vec<GridRow>,
    /// The source text, to quote raw lines in error messages.
    pub text: Option<&'t str>,
    /// The delimiter, to rebuild a raw line when there is no text.
    pub delimiter: Option<u8>,
    /// The absolute column of the first cell (spreadsheets whose used range starts right of A).
    pub first_column: u32,
    /// Name generated columns with spreadsheet letters (`Column F`) instead of numbers.
    pub letters: bool,
    /// The last record ran into the end of the file inside an open quote.
    pub unterminated_last: bool,
}

impl Grid<'_> {
    /// A grid of spreadsheet rows whose first cell is in absolute column `first_column`.
    pub fn sheet(rows: Vec<GridRow>, first_column: u32) -> Grid<'static> {
        Grid { rows, text: None, delimiter: None, first_column, letters: true, unterminated_last: false }
    }
}

/// The result of laying out a grid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Lines of the header (two for a two-row header; empty when there is none).
    pub header_lines: Vec<u64>,
    /// Column names.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<RawRow>,
    /// Lines that are not data, in line order.
    pub skipped: Vec<SkippedLine>,
    /// Rows that cannot be read.
    pub errors: Vec<RowError>,
    /// What was decided, in words.
    pub notes: Vec<String>,
}

/// Joins a group label and a column label of a two-row header (`Amount › EUR`); header
/// binding falls back to the part after it.
pub const GROUP_SEPARATOR: char = '›';

/// How many non-blank rows the header search looks at.
const HEADER_SEARCH: usize = 30;
/// How many non-blank rows describe the typical width of the table.
const WIDTH_SAMPLE: usize = 50;
/// How many data rows below a header tell what the columns hold.
const TYPE_SAMPLE: usize = 20;

fn blank(cell: &str) -> bool {
    // Fast path: a cell that starts with a visible ASCII character is not blank (the
    // ASCII characters `trim` removes are space and TAB through CR).
    match cell.as_bytes().first() {
        None => true,
        Some(&b) if b.is_ascii() && !matches!(b, b' ' | b'\t'..=b'\r') => false,
        Some(_) => cell.trim().is_empty(),
    }
}

fn nonempty(cells: &Cells) -> usize {
    cells.iter().filter(|c| !blank(c)).count()
}

fn distinct(cells: &Cells) -> usize {
    let set: HashSet<&str> = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    set.len()
}

fn is_comment(cells: &Cells) -> bool {
    cells.get(0).is_some_and(|c| c.trim_start().starts_with('#'))
}

/// A value rather than a label: a number, an amount, a percentage or a date.
pub fn looks_like_value(cell: &str) -> bool {
    let t = cell.trim();
    // Every number, amount and date has a digit; labels mostly do not.
    if t.is_empty() || t.len() > 64 || !t.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let number = |s: &str| parse_amount(s, false).is_ok() || parse_amount(s, true).is_ok();
    number(t)
        || t.strip_suffix('%').is_some_and(|n| number(n.trim()))
        || parse_date(t, Some(DateOrder::DayFirst)).is_ok()
        || parse_date(t, Some(DateOrder::MonthFirst)).is_ok()
}

/// Share of the non-blank cells that are labels, in percent (100 when all are).
fn texty(cells: &Cells) -> usize {
    let values: Vec<&str> = cells.iter().filter(|c| !blank(c)).collect();
    if values.is_empty() {
        return 0;
    }
    values.iter().filter(|c| !looks_like_value(c)).count() * 100 / values.len()
}

/// "Total", "Grand total", "Subtotal Q3", "Summe", … in the first non-blank cell.
pub fn is_total_label(cell: &str) -> bool {
    let lower = cell.trim().trim_end_matches(':').trim().to_lowercase();
    let exact = [
        "total",
        "totals",
        "grand total",
        "subtotal",
        "sub-total",
        "sub total",
        "sum",
        "summe",
        "gesamt",
        "gesamtsumme",
        "zwischensumme",
        "total général",
        "sous-total",
        "totale",
    ];
    if exact.contains(&lower.as_str()) {
        return true;
    }
    // Prefixed forms only for words that cannot start a name: "Subtotal EMEA", "Grand total (USD)".
    ["subtotal ", "sub-total ", "sub total ", "grand total ", "zwischensumme ", "gesamtsumme ", "total:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Spreadsheet column letters of 0-based column `index` (0 → A, 27 → AB).
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Header,
    Row,
    Skip(&'static str),
    TooWide(usize),
    Unterminated,
}

/// Lays out `grid`: finds the header, names the columns and classifies every row.
pub fn lay_out(grid: Grid<'_>) -> Layout {
    let Grid { rows, text, delimiter, first_column, letters, unterminated_last } = grid;
    let mut out = Layout::default();
    let n = rows.len();
    let mut kinds: Vec<Kind> = vec![Kind::Row; n];

    // 1. The header: the first row about as wide as the table that reads as labels.
    let candidates: Vec<usize> = (0..n)
        .filter(|&i| nonempty(&rows[i].cells) > 0 && !is_comment(&rows[i].cells) && rows[i].unreadable.is_none())
        .take(WIDTH_SAMPLE)
        .collect();
    let Some(&first) = candidates.first() else {
        for (i, r) in rows.iter().enumerate() {
            kinds[i] = Kind::Skip(if nonempty(&r.cells) == 0 { "blank" } else { "comment" });
        }
        return finish(out, rows, kinds, text, delimiter);
    };
    let mut widths: Vec<usize> = candidates.iter().map(|&i| nonempty(&rows[i].cells)).collect();
    widths.sort_unstable();
    let typical = widths[widths.len() / 2];
    let threshold = if typical <= 1 { 1 } else { (6 * typical).div_ceil(10).max(2) };
    let key_value = |cells: &Cells| cells.iter().any(|c| c.trim().ends_with(':') && c.trim().len() > 1);
    // As wide as the table, and not one value repeated across merged cells (a title).
    let wide = |cells: &Cells| nonempty(cells) >= threshold && distinct(cells) >= threshold.min(2);
    let searched = &candidates[..candidates.len().min(HEADER_SEARCH)];
    let found = searched
        .iter()
        .copied()
        .find(|&i| wide(&rows[i].cells) && texty(&rows[i].cells) >= 50 && !key_value(&rows[i].cells))
        .or_else(|| searched.iter().copied().find(|&i| wide(&rows[i].cells)))
        .unwrap_or(first);
    // A row of group labels right above (or a row of column labels right below) makes a two-row header.
    let (header, second) = if found > 0 && grouped(&rows, found - 1, found) {
        (found - 1, Some(found))
    } else if grouped(&rows, found, found + 1) {
        (found, Some(found + 1))
    } else {
        (found, None)
    };
    for i in 0..header {
        kinds[i] = Kind::Skip(if nonempty(&rows[i].cells) == 0 {
            "blank"
        } else if is_comment(&rows[i].cells) {
            "comment"
        } else {
            "preamble"
        });
    }
    kinds[header] = Kind::Header;
    let preamble = (0..header).filter(|&i| kinds[i] == Kind::Skip("preamble")).count();
    if preamble > 0 {
        out.notes.push(format!(
            "header on line {}; {preamble} title line{} above it skipped",
            rows[header].line,
            if preamble == 1 { "" } else { "s" }
        ));
    }
    if texty(&rows[header].cells) < 50 {
        out.notes.push(format!("line {} is read as the header but looks like data: does the file have a header row?", rows[header].line));
    }
    out.header_lines.push(rows[header].line);

    // 2. A two-row header: group labels above, column labels below, combined per column.
    let mut names: Vec<String> = rows[header].cells.iter().map(|c| c.trim().trim_start_matches('\u{feff}').trim().to_string()).collect();
    let mut body_start = header + 1;
    if let Some(second) = second {
        let top = &rows[header].cells;
        let bottom = &rows[second].cells;
        let width = top.len().max(bottom.len());
        let mut group = String::new();
        let mut combined = Vec::with_capacity(width);
        for j in 0..width {
            let t = top.get(j).map_or("", |c| c.trim().trim_start_matches('\u{feff}'));
            let b = bottom.get(j).map_or("", |c| c.trim());
            if !t.is_empty() {
                group = t.to_string();
            }
            let upper = if t.is_empty() && !b.is_empty() { group.as_str() } else { t };
            combined.push(match (upper.is_empty(), b.is_empty()) {
                (true, _) => b.to_string(),
                (false, true) => upper.to_string(),
                (false, false) if upper == b => b.to_string(),
                (false, false) => format!("{upper} {GROUP_SEPARATOR} {b}"),
            });
        }
        kinds[second] = Kind::Header;
        out.header_lines.push(rows[second].line);
        out.notes.push(format!(
            "two-row header on lines {} and {}: names combined (`{}`, …)",
            rows[header].line,
            rows[second].line,
            combined.iter().filter(|c| !c.is_empty()).take(4).cloned().collect::<Vec<_>>().join("`, `")
        ));
        names = combined;
        body_start = second + 1;
    }

    // 3. Column names: trailing blank columns without data dropped, blanks named, duplicates numbered.
    let last_named = names.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1);
    let last_data =
        rows[body_start.min(n)..].iter().filter_map(|r| r.cells.iter().rposition(|c| !blank(c)).map(|p| p + 1)).max().unwrap_or(0);
    // Delimited text: a row wider than its header is a quoting problem. A sheet: data in
    // a column without a header name is a column without a name.
    let width = if letters { last_named.max(last_data) } else { last_named.max(last_data.min(names.len())) };
    names.resize(width, String::new());
    let label = |j: usize| {
        if letters { column_letters(first_column + j as u32) } else { (u64::from(first_column) + j as u64 + 1).to_string() }
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut unnamed = Vec::new();
    for (j, name) in names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("Column {}", label(j));
            unnamed.push(name.clone());
        }
        if !seen.insert(name.to_lowercase()) {
            let original = name.clone();
            let mut k = 2;
            while seen.contains(&format!("{original} ({k})").to_lowercase()) {
                k += 1;
            }
            *name = format!("{original} ({k})");
            seen.insert(name.to_lowercase());
            out.notes.push(format!("header `{original}` appears more than once: column {} is called `{name}`", label(j)));
        }
    }
    match unnamed.len() {
        0 => {}
        1..=5 => out.notes.push(format!("columns without a header name are called `{}`", unnamed.join("`, `"))),
        n => out.notes.push(format!("{n} columns have no header name: called `{}`, … `{}`", unnamed[0], unnamed[n - 1])),
    }
    // A header repeated further down (page breaks, concatenated exports) is either header row.
    let header_rows: Vec<Vec<String>> =
        std::iter::once(header).chain(second).map(|h| rows[h].cells.iter().map(|c| c.trim().to_string()).collect()).collect();
    let repeats_header = |cells: &Cells| {
        header_rows
            .iter()
            .any(|h| cells.len() >= h.len() && cells.iter().zip(h).all(|(c, h)| c.trim() == h) && cells.iter().skip(h.len()).all(blank))
    };

    // 4. Every row below the header.
    let width = names.len();
    for i in body_start..n {
        let cells = &rows[i].cells;
        let filled = nonempty(cells);
        kinds[i] = if filled == 0 {
            Kind::Skip("blank")
        } else if is_comment(cells) && filled <= (width / 2).max(1) {
            Kind::Skip("comment")
        } else if filled >= 2 && repeats_header(cells) {
            Kind::Skip("repeated header")
        } else if is_total_row(cells, width) {
            Kind::Skip("total")
        } else if let Some(extra) = cells.iter().enumerate().skip(width).find(|(_, c)| !blank(c)).map(|(j, _)| j) {
            Kind::TooWide(extra)
        } else if unterminated_last && i == n - 1 {
            Kind::Unterminated
        } else {
            Kind::Row
        };
    }

    // 5. Footnotes and unlabeled totals (a value that is the column's sum) at the end.
    for i in (body_start..n).rev() {
        match kinds[i] {
            Kind::Skip(_) => continue,
            Kind::Row => {}
            _ => break,
        }
        let cells = &rows[i].cells;
        let filled: Vec<(usize, &str)> = cells.iter().enumerate().filter(|(_, c)| !blank(c)).collect();
        if width >= 3 && filled.len() == 1 && !looks_like_value(filled[0].1) {
            kinds[i] = Kind::Skip("footnote");
            continue;
        }
        let numeric_only = !filled.is_empty() && filled.len() <= (width / 2).max(1) && filled.iter().all(|(_, c)| looks_like_value(c));
        if numeric_only
            && filled.iter().all(|(j, c)| {
                column_sum(&rows[body_start..i], &kinds[body_start..i], *j)
                    .is_some_and(|(sum, comma)| parse_amount(c, comma).ok().map(|p| p.value) == Some(sum))
            })
        {
            kinds[i] = Kind::Skip("total");
            continue;
        }
        break;
    }
    out.headers = names;
    let counts = |reason: &'static str| kinds.iter().filter(|k| **k == Kind::Skip(reason)).count();
    for (reason, what) in [("total", "totals row"), ("footnote", "footnote"), ("repeated header", "repeated header row")] {
        let k = counts(reason);
        if k > 0 {
            out.notes.push(format!("{k} {what}{} skipped", if k == 1 { "" } else { "s" }));
        }
    }
    finish(out, rows, kinds, text, delimiter)
}

/// A totals row: a total label first, few cells, the others numbers.
fn is_total_row(cells: &Cells, width: usize) -> bool {
    let mut filled = cells.iter().filter(|c| !blank(c));
    let Some(first) = filled.next() else { return false };
    let first_char = first.trim().chars().next().unwrap_or(' ').to_ascii_lowercase();
    if !matches!(first_char, 't' | 's' | 'g' | 'z') || !is_total_label(first) {
        return false;
    }
    let rest: Vec<&str> = filled.collect();
    rest.len() < (width / 2).max(3) && rest.iter().all(|c| looks_like_value(c))
}

/// The sum of column `j` over the data rows and whether it writes decimal commas,
/// when every non-blank value is an amount.
fn column_sum(rows: &[GridRow], kinds: &[Kind], j: usize) -> Option<(Decimal, bool)> {
    let values: Vec<&str> =
        rows.iter().zip(kinds).filter(|(_, k)| **k == Kind::Row).filter_map(|(r, _)| r.cells.get(j)).filter(|c| !blank(c)).collect();
    if values.is_empty() {
        return None;
    }
    let comma = infer_decimal_comma(values.iter().copied());
    let mut sum = Decimal::ZERO;
    for v in values {
        sum = sum.checked_add(parse_amount(v, comma).ok()?.value)?;
    }
    Some((sum, comma))
}

/// Whether row `top` holds group labels for the column labels of row `bottom`: both
/// labels only, the top naming a few groups over gaps (blank or merged cells) that
/// the bottom fills, above columns whose data are values.
fn grouped(rows: &[GridRow], top: usize, bottom: usize) -> bool {
    let (Some(t), Some(b)) = (rows.get(top), rows.get(bottom)) else { return false };
    let (t, b) = (&t.cells, &b.cells);
    let labels = |c: &Cells| nonempty(c) >= 1 && !is_comment(c) && texty(c) == 100 && !c.iter().any(|x| x.trim().ends_with(':'));
    if !labels(t) || !labels(b) || nonempty(b) < 2 || distinct(t) < 2 || distinct(t) * 10 < nonempty(b) * 3 {
        return false;
    }
    let gap = (0..b.len()).any(|j| {
        let above = t.get(j).map_or("", |c| c.trim());
        !blank(&b[j]) && (above.is_empty() || (j > 0 && t.get(j - 1).is_some_and(|p| p.trim() == above)))
    });
    if !gap {
        return false;
    }
    let data: Vec<&GridRow> =
        rows[bottom + 1..].iter().filter(|r| nonempty(&r.cells) > 0 && !is_comment(&r.cells)).take(TYPE_SAMPLE).collect();
    (0..b.len()).any(|j| {
        if blank(&b[j]) {
            return false;
        }
        let values: Vec<&str> = data.iter().filter_map(|r| r.cells.get(j)).map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
        !values.is_empty() && values.iter().filter(|v| looks_like_value(v)).count() * 10 >= values.len() * 6
    })
}

/// Moves the rows into their places.
fn finish(mut out: Layout, rows: Vec<GridRow>, kinds: Vec<Kind>, text: Option<&str>, delimiter: Option<u8>) -> Layout {
    let width = out.headers.len();
    out.rows.reserve(kinds.iter().filter(|k| **k == Kind::Row).count());
    for (mut row, kind) in rows.into_iter().zip(kinds) {
        if let Some(message) = row.unreadable.take() {
            out.errors.push(RowError { line: row.line, column: None, values: row.cells.to_vec(), raw: String::new(), message });
            continue;
        }
        match kind {
            Kind::Header => {}
            Kind::Row => out.rows.push(RawRow { line: row.line, values: row.cells }),
            Kind::Skip(reason) => out.skipped.push(SkippedLine { line: row.line, reason }),
            Kind::TooWide(extra) => {
                let raw = raw_text(&row, text, delimiter);
                let value = row.cells.get(extra).map(|c| c.trim().to_string()).unwrap_or_default();
                let message = format!(
                    "column {}: the row has {} fields but the header has {width} (extra value `{}`); check quoting and the delimiter. Raw line: `{}`",
                    extra + 1,
                    row.cells.len(),
                    shorten(&value),
                    shorten(&raw)
                );
                out.errors.push(RowError { line: row.line, column: Some(extra as u64 + 1), values: row.cells.to_vec(), raw, message });
            }
            Kind::Unterminated => {
                let raw = raw_text(&row, text, delimiter);
                let column = row.cells.iter().position(|c| c.contains('\n')).unwrap_or(row.cells.len().saturating_sub(1)) + 1;
                let end = row.line + row.lines.max(1) - 1;
                let message = format!(
                    "column {column}: a quote opened on line {} is never closed, so the field runs to the end of the file (lines {}–{end}); close the quote or remove it. Raw line: `{}`",
                    row.line,
                    row.line,
                    shorten(raw.lines().next().unwrap_or(""))
                );
                out.errors.push(RowError { line: row.line, column: Some(column as u64), values: row.cells.to_vec(), raw, message });
            }
        }
    }
    out.skipped.sort_by_key(|s| s.line);
    out
}

/// The raw text of a row: its slice of the source text, or its cells joined.
fn raw_text(row: &GridRow, text: Option<&str>, delimiter: Option<u8>) -> String {
    match (row.raw, text) {
        (Some((start, end)), Some(t)) => t.get(start..end).unwrap_or("").trim_end_matches(['\r', '\n']).to_string(),
        _ => row.cells.to_vec().join(&(delimiter.unwrap_or(b'\t') as char).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(lines: &[&str]) -> Grid<'static> {
        let rows = lines
            .iter()
            .enumerate()
            .map(|(i, l)| GridRow {
                line: i as u64 + 1,
                lines: 1,
                cells: if l.is_empty() { Cells::default() } else { l.split('|').collect() },
                raw: None,
                unreadable: None,
            })
            .collect();
        Grid { rows, text: None, delimiter: Some(b'|'), first_column: 0, letters: false, unterminated_last: false }
    }

    fn skipped(l: &Layout) -> Vec<(u64, &'static str)> {
        l.skipped.iter().map(|s| (s.line, s.reason)).collect()
    }

    #[test]
    fn an_unreadable_record_is_an_error_row_wherever_it_is() {
        // In the body, last (where a footnote would be skipped), or alone in the input.
        let mut g = grid(&["Partner|Amount|Note", "A|1|x", "", "B|2|y"]);
        g.rows[2].unreadable = Some("a record of 5000000000 bytes".into());
        g.rows.push(GridRow {
            line: 5,
            lines: 1,
            cells: Cells::default(),
            raw: None,
            unreadable: Some("unreadable record: at the end".into()),
        });
        let l = lay_out(g);
        assert_eq!(l.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        let errors: Vec<(u64, &str)> = l.errors.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(errors, vec![(3, "a record of 5000000000 bytes"), (5, "unreadable record: at the end")]);
        assert!(l.skipped.is_empty(), "{:?}", l.skipped);
        let mut alone = grid(&["x"]);
        alone.rows[0].unreadable = Some("too long".into());
        let l = lay_out(alone);
        assert_eq!((l.rows.len(), l.skipped.len(), l.errors.len(), l.headers.len()), (0, 0, 1, 0));
    }

    #[test]
    fn header_below_a_title_and_a_key_value_preamble() {
        let l = lay_out(grid(&[
            "Northwind Traders — deal register",
            "Exported:|2026-11-14",
            "",
            "Partner|Customer|Amount|Close Date",
            "Northwind|Acme|1000|2026-01-02",
            "Northwind|Globex|2000|2026-02-03",
        ]));
        assert_eq!(l.header_lines, vec![4]);
        assert_eq!(l.headers, vec!["Partner", "Customer", "Amount", "Close Date"]);
        assert_eq!(skipped(&l), vec![(1, "preamble"), (2, "preamble"), (3, "blank")]);
        assert_eq!(l.rows.len(), 2);
        assert!(l.notes[0].contains("2 title lines"), "{:?}", l.notes);
    }

    #[test]
    fn merged_title_cells_are_not_a_header() {
        let title = "Quarterly report|Quarterly report|Quarterly report|Quarterly report";
        let l = lay_out(grid(&[title, "A|B|C|D", "x|1|2|3"]));
        assert_eq!(l.header_lines, vec![2]);
    }

    #[test]
    fn two_row_headers_are_combined() {
        let l = lay_out(grid(&[
            "Deal||Amount||Dates|",
            "ID|Customer|EUR|USD|Close|Created",
            "D1|Acme|100|110|2026-01-02|2025-12-01",
            "D2|Globex|200|220|2026-02-03|2026-01-01",
        ]));
        assert_eq!(l.header_lines, vec![1, 2]);
        assert_eq!(l.headers, vec!["Deal › ID", "Deal › Customer", "Amount › EUR", "Amount › USD", "Dates › Close", "Dates › Created"]);
        assert_eq!(l.rows.len(), 2);
        // Merged group cells (filled across) read the same.
        let l = lay_out(grid(&["Deal|Deal|Amount|Amount", "ID|Customer|EUR|USD", "D1|Acme|100|110"]));
        assert_eq!(l.headers, vec!["Deal › ID", "Deal › Customer", "Amount › EUR", "Amount › USD"]);
        // A text-only first data row is data, not a second header.
        let l = lay_out(grid(&["Partner|Customer|Region", "Northwind|Acme|EMEA", "Contoso|Globex|APAC"]));
        assert_eq!((l.header_lines.len(), l.rows.len()), (1, 2));
    }

    #[test]
    fn blank_and_duplicate_header_names() {
        let l = lay_out(grid(&["Amount||Amount|Note|", "1|x|2|n|", "3|y|4|m|"]));
        assert_eq!(l.headers, vec!["Amount", "Column 2", "Amount (2)", "Note"]);
        let mut g = grid(&["A||C", "1|2|3"]);
        g.letters = true;
        g.first_column = 2;
        assert_eq!(lay_out(g).headers, vec!["A", "Column D", "C"]);
    }

    #[test]
    fn totals_subtotals_footnotes_and_repeated_headers() {
        let l = lay_out(grid(&[
            "Partner|Customer|Amount|Stage",
            "Northwind|Acme|1000|Won",
            "Subtotal EMEA||1000|",
            "Partner|Customer|Amount|Stage",
            "Contoso|Globex|2.500|Won",
            "Total||3.500|",
            "",
            "* amounts in EUR",
            "Source: partner portal",
        ]));
        assert_eq!(skipped(&l), vec![(3, "total"), (4, "repeated header"), (6, "total"), (7, "blank"), (8, "footnote"), (9, "footnote")]);
        assert_eq!(l.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 5]);
        // An unlabeled sum at the end is a total; a lone value that is not the sum is data.
        let l = lay_out(grid(&["Partner|Customer|Amount|Stage", "A|x|10|Won", "B|y|20|Won", "||30|"]));
        assert_eq!(skipped(&l), vec![(4, "total")]);
        let l = lay_out(grid(&["Partner|Customer|Amount|Stage", "A|x|10|Won", "B|y|20|Won", "||31|"]));
        assert_eq!((l.rows.len(), l.skipped.len()), (3, 0));
        // A partner called "Total …" with a full row is data.
        let l = lay_out(grid(&["Partner|Amount", "Total Networks|100", "Total|100"]));
        assert_eq!((l.rows.len(), skipped(&l)), (1, vec![(3, "total")]));
    }

    #[test]
    fn every_row_is_accounted_once() {
        let g = grid(&["t", "", "a|b|c", "1|2|3", "# c", "1|2|3|4", "", "x"]);
        let n = g.rows.len();
        let l = lay_out(g);
        assert_eq!(l.header_lines.len() + l.rows.len() + l.skipped.len() + l.errors.len(), n);
        assert_eq!(l.errors[0].column, Some(4));
        let empty = lay_out(grid(&["", "", "# only comments"]));
        assert_eq!((empty.headers.len(), empty.skipped.len()), (0, 3));
    }

    #[test]
    fn labels() {
        for (i, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")] {
            assert_eq!(column_letters(i), letters);
        }
        for (cell, total) in [
            ("TOTAL", true),
            ("Grand Total", true),
            ("Summe:", true),
            ("Subtotal EMEA", true),
            ("Total Networks", false),
            ("Totality", false),
        ] {
            assert_eq!(is_total_label(cell), total, "{cell}");
        }
        for (cell, value) in [
            ("125,000", true),
            ("12.500,00 €", true),
            ("15%", true),
            ("2026-03-04", true),
            ("03/04/2026", true),
            ("Amount", false),
            ("EUR", false),
            ("", false),
        ] {
            assert_eq!(looks_like_value(cell), value, "{cell}");
        }
    }
}

//! Workbooks (`.xlsx`, `.xlsb`, `.xls`, `.ods`) through calamine: every visible
//! worksheet, or the sheets a source names, becomes its own input (`file#Sheet`).
//!
//! Cells become text the way a person reads them: whole numbers without `.0`, dates
//! as ISO `YYYY-MM-DD` (with `THH:MM:SS` when there is a time), booleans `TRUE`/`FALSE`,
//! errors as Excel writes them (`#N/A`). Merged cells are filled with their value, so
//! a group label or a partner name merged over several rows applies to each of them.
//! The line of a row is its spreadsheet row number.
//!
//! `.xlsx` and `.xlsb` sheets are read cell by cell, so a file claiming a huge used
//! range cannot make Watershed allocate it; cell counts are capped by [`Limits`].

use crate::layout::{self, Grid, GridRow};
use crate::parse::{Format, ParsedInput};
use crate::read::{Limits, ReadOptions};
use calamine::{Data, DataRef, Dimensions, ExcelDateTime, Reader, SheetType, SheetVisible, Sheets, open_workbook_from_rs};
use std::io::Cursor;

/// Which workbook format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

impl Book {
    fn format(self) -> Format {
        match self {
            Book::Xlsx => Format::Xlsx,
            Book::Xlsb => Format::Xlsb,
            Book::Xls => Format::Xls,
            Book::Ods => Format::Ods,
        }
    }

    fn encoding(self) -> &'static str {
        match self {
            Book::Xlsx | Book::Ods => "UTF-8 (XML)",
            Book::Xlsb => "UTF-16LE (binary)",
            Book::Xls => "BIFF (as declared by the file)",
        }
    }
}

type Workbook<'a> = Sheets<Cursor<&'a [u8]>>;

fn open(bytes: &[u8], book: Book) -> Result<Workbook<'_>, String> {
    let cursor = Cursor::new(bytes);
    match book {
        Book::Xlsx => open_workbook_from_rs(cursor).map(Sheets::Xlsx).map_err(|e| e.to_string()),
        Book::Xlsb => open_workbook_from_rs(cursor).map(Sheets::Xlsb).map_err(|e| e.to_string()),
        Book::Xls => open_workbook_from_rs(cursor).map(Sheets::Xls).map_err(|e| e.to_string()),
        Book::Ods => open_workbook_from_rs(cursor).map(Sheets::Ods).map_err(|e| e.to_string()),
    }
}

/// Reads the worksheets of a workbook: one `(locator, input)` per sheet read.
///
/// A malformed workbook can make calamine panic (an integer overflow on an absurd cell
/// reference, found by fuzzing); the panic is contained and the file becomes one
/// unreadable input, so nothing panics on any input.
pub fn read_workbook(locator: &str, bytes: &[u8], book: Book, options: &ReadOptions) -> Vec<(String, ParsedInput)> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_workbook_unguarded(locator, bytes, book, options))) {
        Ok(inputs) => inputs,
        Err(panic) => {
            let what =
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            vec![(
                locator.to_string(),
                ParsedInput::unreadable(format!(
                    "the {} workbook is malformed and could not be read ({what}); save it again from the spreadsheet program, or export the sheet as CSV",
                    book.format().name()
                )),
            )]
        }
    }
}

fn read_workbook_unguarded(locator: &str, bytes: &[u8], book: Book, options: &ReadOptions) -> Vec<(String, ParsedInput)> {
    let mut wb = match open(bytes, book) {
        Ok(wb) => wb,
        Err(e) => {
            return vec![(
                locator.to_string(),
                ParsedInput::unreadable(format!(
                    "cannot open the {} workbook: {e}; if it is password-protected or damaged, save an unprotected copy (or export the sheet as CSV)",
                    book.format().name()
                )),
            )];
        }
    };
    // Reading merged ranges costs a second pass over a sheet's XML: skip it when no
    // worksheet of the file mentions a merge.
    let may_merge = book != Book::Xlsx || xlsx_mentions_merges(bytes);
    let sheets: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let names = || sheets.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    match &options.sheets {
        Some(wanted) => {
            for want in wanted {
                let found = sheets
                    .iter()
                    .find(|(n, _)| n == want)
                    .or_else(|| sheets.iter().find(|(n, _)| n.trim().eq_ignore_ascii_case(want.trim())));
                match found {
                    Some((name, _)) => out.push((format!("{locator}#{name}"), read_sheet(&mut wb, name, book, may_merge, &options.limits))),
                    None => out.push((
                        format!("{locator}#{want}"),
                        ParsedInput::unreadable(format!(
                            "the workbook has no sheet `{want}` (its sheets: {}); fix `sheets` of the source or the sheet's name",
                            names()
                        )),
                    )),
                }
            }
        }
        None => {
            for (name, visible) in &sheets {
                if *visible {
                    out.push((format!("{locator}#{name}"), read_sheet(&mut wb, name, book, may_merge, &options.limits)));
                } else {
                    warnings.push(format!("sheet `{name}` is hidden and was not read; name it in `sheets` of the source to read it"));
                }
            }
            // Empty sheets are not inputs, unless the workbook has nothing else.
            let empty = |p: &ParsedInput| p.read_count() == 0 && p.headers.is_empty();
            if out.iter().any(|(_, p)| !empty(p)) {
                out.retain(|(_, p)| !empty(p));
            } else {
                out.truncate(1);
            }
        }
    }
    if out.is_empty() {
        let mut p = ParsedInput::empty(book.format(), book.encoding());
        p.notes.push(format!("the workbook has no worksheet to read (sheets: {})", names()));
        out.push((locator.to_string(), p));
    }
    if let Some((_, first)) = out.first_mut() {
        first.warnings.extend(warnings);
        if sheets.len() > 1 {
            first.notes.push(format!("workbook sheets: {}", names()));
        }
    }
    out
}

/// Reads one worksheet into an input.
fn read_sheet(wb: &mut Workbook<'_>, name: &str, book: Book, may_merge: bool, limits: &Limits) -> ParsedInput {
    let mut p = ParsedInput::empty(book.format(), book.encoding());
    let (cells, merges) = match sheet_cells(wb, name, may_merge, limits) {
        Ok(found) => found,
        Err(e) => return ParsedInput::unreadable(format!("sheet `{name}` cannot be read: {e}")),
    };
    let grid = match dense(cells, &merges, limits) {
        Ok(g) => g,
        Err(e) => return ParsedInput::unreadable(format!("sheet `{name}`: {e}")),
    };
    let (rows, first_column, filled) = grid;
    if filled > 0 {
        p.notes.push(format!(
            "{filled} merged cell range{} filled with {} value",
            if filled == 1 { "" } else { "s" },
            if filled == 1 { "its" } else { "their" }
        ));
    }
    p.take_layout(layout::lay_out(Grid::sheet(rows, first_column)));
    p
}

/// Whether any worksheet part of an `.xlsx` mentions `mergeCell` (any namespace prefix);
/// `true` when the archive cannot be searched, so merges are then read the slow way.
fn xlsx_mentions_merges(bytes: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"mergeCell";
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return true };
    for i in 0..archive.len() {
        let Ok(mut part) = archive.by_index(i) else { return true };
        let name = part.name_raw();
        if !(name.starts_with(b"xl/worksheets/") && name.ends_with(b".xml")) {
            continue;
        }
        let mut window: Vec<u8> = Vec::with_capacity(64 * 1024 + NEEDLE.len());
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match std::io::Read::read(&mut part, &mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let keep = window.len().min(NEEDLE.len() - 1);
                    window.drain(..window.len() - keep);
                    window.extend_from_slice(&chunk[..n]);
                    if window.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
                        return true;
                    }
                }
                Err(_) => return true,
            }
        }
    }
    false
}

/// A non-empty cell: 0-based row, 0-based column, text.
type SparseCell = (u32, u32, String);

/// The non-empty cells of a sheet and its merged ranges.
fn sheet_cells(wb: &mut Workbook<'_>, name: &str, may_merge: bool, limits: &Limits) -> Result<(Vec<SparseCell>, Vec<Dimensions>), String> {
    let mut cells: Vec<SparseCell> = Vec::new();
    let mut push = |row: u32, col: u32, text: String| -> Result<(), String> {
        if !text.is_empty() {
            if cells.len() as u64 >= limits.max_sheet_cells {
                return Err(format!("it has more than {} cells; split it or export it as CSV", limits.max_sheet_cells));
            }
            cells.push((row, col, text));
        }
        Ok(())
    };
    let merges = match wb {
        Sheets::Xlsx(x) => {
            {
                let mut reader = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                    let (row, col) = cell.get_position();
                    push(row, col, data_ref_text(cell.get_value()))?;
                }
            }
            if may_merge { x.merge_cells_by_sheet_name(name).unwrap_or_default() } else { Vec::new() }
        }
        Sheets::Xlsb(x) => {
            let mut reader = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                let (row, col) = cell.get_position();
                push(row, col, data_ref_text(cell.get_value()))?;
            }
            Vec::new()
        }
        Sheets::Xls(x) => {
            let range = x.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                push(r0.saturating_add(r as u32), c0.saturating_add(c as u32), cell_text(v.clone()))?;
            }
            x.merge_cells_by_sheet_name(name).unwrap_or_default()
        }
        Sheets::Ods(x) => {
            let range = x.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                push(r0.saturating_add(r as u32), c0.saturating_add(c as u32), cell_text(v.clone()))?;
            }
            Vec::new()
        }
    };
    Ok((cells, merges))
}

/// Rows from the first to the last used row (blank rows in between included, so
/// every row is accounted), cells from the first used column; merged ranges filled.
/// Returns the rows, the absolute first column and how many merged ranges were filled.
fn dense(mut cells: Vec<SparseCell>, merges: &[Dimensions], limits: &Limits) -> Result<(Vec<GridRow>, u32, usize), String> {
    if cells.is_empty() {
        return Ok((Vec::new(), 0, 0));
    }
    // Readers stream cells row by row; sort only when a file stores them out of order.
    if !cells.windows(2).all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1)) {
        cells.sort_by_key(|(r, c, _)| (*r, *c));
    }
    let first_row = cells.first().map_or(0, |c| c.0);
    let last_row = cells.last().map_or(0, |c| c.0);
    let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let height = u64::from(last_row) - u64::from(first_row) + 1;
    if height > limits.max_sheet_cells {
        return Err(format!(
            "its used rows span {height} rows, more than the limit of {}; delete the empty rows or export the sheet as CSV",
            limits.max_sheet_cells
        ));
    }
    let mut size: u64 = 0;
    // Cells as strings while merged ranges are filled in; compact rows at the end.
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(height as usize);
    let mut iter = cells.into_iter().peekable();
    for r in first_row..=last_row {
        let mut row: Vec<String> = Vec::new();
        while let Some((_, c, text)) = iter.next_if(|(cr, _, _)| *cr == r) {
            let j = (c - first_col) as usize;
            size += (j + 1).saturating_sub(row.len()) as u64;
            if size > limits.max_sheet_cells.saturating_mul(2) {
                return Err(format!(
                    "its used range is larger than {} cells; delete the empty rows and columns or export the sheet as CSV",
                    limits.max_sheet_cells.saturating_mul(2)
                ));
            }
            if row.len() <= j {
                row.resize(j + 1, String::new());
            }
            row[j] = text;
        }
        rows.push(row);
    }
    let mut filled = 0;
    for m in merges {
        let (r0, c0) = m.start;
        let (r1, c1) = m.end;
        if r1 < r0 || c1 < c0 || r0 < first_row || r0 > last_row || c0 < first_col {
            continue;
        }
        let area = (u64::from(r1) - u64::from(r0) + 1).saturating_mul(u64::from(c1) - u64::from(c0) + 1);
        if area > 1_000_000 || size.saturating_add(area) > limits.max_sheet_cells.saturating_mul(2) {
            continue;
        }
        let (ri, ci) = ((r0 - first_row) as usize, (c0 - first_col) as usize);
        let Some(value) = rows.get(ri).and_then(|row| row.get(ci)).filter(|v| !v.is_empty()).cloned() else {
            continue;
        };
        for r in r0..=r1.min(last_row) {
            let row = &mut rows[(r - first_row) as usize];
            let end = (c1 - first_col) as usize;
            if row.len() <= end {
                size += (end + 1 - row.len()) as u64;
                row.resize(end + 1, String::new());
            }
            for cell in &mut row[ci..=end] {
                if cell.is_empty() {
                    cell.clone_from(&value);
                }
            }
        }
        filled += 1;
    }
    let rows = (first_row..=last_row)
        .zip(rows)
        .map(|(r, cells)| GridRow { line: u64::from(r) + 1, lines: 1, cells: cells.into(), raw: None, unreadable: None })
        .collect();
    Ok((rows, first_col, filled))
}

/// A cell as text, the way a person reads it in the spreadsheet.
pub fn cell_text(data: Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s,
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(f),
        Data::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => datetime_text(&dt),
        Data::Error(e) => e.to_string(),
    }
}

/// A streamed cell as text, like [`cell_text`] without copying the cell first.
fn data_ref_text(data: &DataRef<'_>) -> String {
    match data {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => datetime_text(dt),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A number without a spurious `.0`, otherwise in its shortest exact form.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// An Excel date/time as ISO text (a duration stays a number of days).
fn datetime_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if dt.is_duration() || !v.is_finite() || v < 0.0 {
        return float_text(v);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let time = if ms > 0 { format!("{h:02}:{mi:02}:{s:02}.{ms:03}") } else { format!("{h:02}:{mi:02}:{s:02}") };
    if v < 1.0 {
        time
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    #[test]
    fn cells_as_people_read_them() {
        let date = |v: f64| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        let cases: Vec<(Data, &str)> = vec![
            (Data::Empty, ""),
            (Data::String("Acme".into()), "Acme"),
            (Data::Int(42), "42"),
            (Data::Float(125000.0), "125000"),
            (Data::Float(1234567.89), "1234567.89"),
            (Data::Float(0.5), "0.5"),
            (Data::Float(f64::NAN), "NaN"),
            (Data::Bool(true), "TRUE"),
            (date(46085.0), "2026-03-04"),
            (date(46085.5), "2026-03-04T12:00:00"),
            (date(0.25), "06:00:00"),
            (Data::DateTimeIso("2026-03-04".into()), "2026-03-04"),
            (Data::Error(CellErrorType::NA), "#N/A"),
        ];
        for (data, text) in cases {
            assert_eq!(cell_text(data.clone()), text, "{data:?}");
        }
    }

    #[test]
    fn dense_rows_keep_row_numbers_and_fill_merges() {
        let cells = vec![(0, 1, "Title".to_string()), (2, 1, "A".into()), (2, 2, "B".into()), (3, 1, "x".into())];
        let merges = vec![Dimensions::new((0, 1), (0, 2)), Dimensions::new((3, 1), (4, 1))];
        let (rows, first_col, filled) = dense(cells, &merges, &Limits::default()).unwrap();
        assert_eq!(first_col, 1);
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(rows[0].cells, vec!["Title", "Title"]);
        assert!(rows[1].cells.is_empty());
        assert_eq!(rows[3].cells, vec!["x"]);
        assert_eq!(filled, 2);
        let limits = Limits { max_sheet_cells: 10, ..Limits::default() };
        assert!(dense(vec![(0, 0, "a".into()), (0, 16_000, "b".into())], &[], &limits).is_err());
    }
}

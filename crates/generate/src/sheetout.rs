//! An XLSX writer with the same shape as [`crate::csvout::CsvOut`]: it writes records
//! row by row, reports the spreadsheet row of each, and writes title lines (merged
//! across the table) above the header, as partners' Excel exports look.
//!
//! Cells are typed per column: amounts as numbers, dates as real Excel dates, the rest
//! as text; a value that does not parse as its column's type (a bad row's `TBD`) is
//! written as text, as a person would type it. A sheet that reaches Excel's row limit
//! continues on `Deals (2)`, `Deals (3)`, … with the header repeated.
//!
//! The workbook is byte-for-byte deterministic: its creation date is fixed and
//! rust_xlsxwriter writes fixed zip timestamps.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use crate::GenerateError;

/// How a column's cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// A string cell.
    Text,
    /// A number with two decimals shown.
    Amount,
    /// An Excel date (the text is ISO `YYYY-MM-DD`).
    Date,
}

/// Excel's row limit per sheet.
const MAX_ROWS: u32 = 1_048_576;

/// Writes one workbook, counting spreadsheet rows.
pub(crate) struct SheetOut {
    path: PathBuf,
    rel: String,
    workbook: Workbook,
    sheet_name: &'static str,
    /// Index of the current sheet in the workbook (sheets are only ever appended).
    sheet_index: usize,
    /// Sheets added so far.
    sheets: usize,
    locator: String,
    /// The next 0-based row of the current sheet.
    row: u32,
    kinds: &'static [CellKind],
    header: Vec<String>,
    amount: Format,
    date: Format,
    bold: Format,
    title: Format,
    /// Rows per sheet (Excel's limit; smaller in tests).
    max_rows: u32,
}

fn xlsx_error(path: &Path, e: XlsxError) -> GenerateError {
    GenerateError::Workbook { path: path.to_path_buf(), message: e.to_string() }
}

impl SheetOut {
    /// Creates `dir/rel` with a first sheet called `sheet_name`; `kinds` types the columns.
    pub(crate) fn create(dir: &Path, rel: &str, sheet_name: &'static str, kinds: &'static [CellKind]) -> Result<Self, GenerateError> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| GenerateError::io(parent, e))?;
        }
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(2026, 11, 14).map_err(|e| xlsx_error(&path, e))?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("Northwind PRM export"));
        let mut out = Self {
            rel: rel.to_owned(),
            workbook,
            sheet_name,
            sheet_index: 0,
            sheets: 0,
            locator: String::new(),
            row: 0,
            kinds,
            header: Vec::new(),
            amount: Format::new().set_num_format("#,##0.00"),
            date: Format::new().set_num_format("dd-mmm-yyyy"),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            max_rows: MAX_ROWS,
            path,
        };
        out.add_sheet()?;
        Ok(out)
    }

    fn add_sheet(&mut self) -> Result<(), GenerateError> {
        let name = if self.sheets == 0 { self.sheet_name.to_owned() } else { format!("{} ({})", self.sheet_name, self.sheets + 1) };
        let sheet = self.workbook.add_worksheet_with_constant_memory().map_err(|e| xlsx_error(&self.path, e))?;
        sheet.set_name(name.as_str()).map_err(|e| xlsx_error(&self.path, e))?;
        for col in 0..self.kinds.len() {
            sheet.set_column_width(col as u16, 16).map_err(|e| xlsx_error(&self.path, e))?;
        }
        self.sheet_index = self.sheets;
        self.sheets += 1;
        self.locator = format!("{}#{name}", self.rel);
        self.row = 0;
        Ok(())
    }

    /// Where the rows written now are: `path#sheet`.
    pub(crate) fn locator(&self) -> &str {
        &self.locator
    }

    /// The current spreadsheet row (1-based) of the last row written.
    fn finish_row(&mut self) -> u64 {
        self.row += 1;
        u64::from(self.row)
    }

    /// Writes a title line merged across the table's width; returns its row number.
    pub(crate) fn title(&mut self, text: &str) -> Result<u64, GenerateError> {
        let last = (self.kinds.len().max(1) - 1) as u16;
        let (row, title) = (self.row, self.title.clone());
        let sheet = self.workbook.worksheet_from_index(self.sheet_index).map_err(|e| xlsx_error(&self.path, e))?;
        sheet.merge_range(row, 0, row, last, text, &title).map_err(|e| xlsx_error(&self.path, e))?;
        Ok(self.finish_row())
    }

    /// Writes `text` in the first cell (an empty text leaves the row blank); returns its row number.
    pub(crate) fn raw_line(&mut self, text: &str) -> Result<u64, GenerateError> {
        if !text.is_empty() {
            let row = self.row;
            let sheet = self.workbook.worksheet_from_index(self.sheet_index).map_err(|e| xlsx_error(&self.path, e))?;
            sheet.write_string(row, 0, text).map_err(|e| xlsx_error(&self.path, e))?;
        }
        Ok(self.finish_row())
    }

    /// Writes the header row (bold), remembered for continuation sheets.
    pub(crate) fn header<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<u64, GenerateError> {
        self.header = fields.iter().map(|f| f.as_ref().to_owned()).collect();
        self.write_header()
    }

    fn write_header(&mut self) -> Result<u64, GenerateError> {
        let (row, bold) = (self.row, self.bold.clone());
        let sheet = self.workbook.worksheet_from_index(self.sheet_index).map_err(|e| xlsx_error(&self.path, e))?;
        for (col, text) in self.header.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, text, &bold).map_err(|e| xlsx_error(&self.path, e))?;
        }
        Ok(self.finish_row())
    }

    /// Writes one record, typing each cell by its column; returns its row number.
    pub(crate) fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<u64, GenerateError> {
        if self.row >= self.max_rows {
            self.add_sheet()?;
            self.write_header()?;
        }
        let row = self.row;
        let (amount, date) = (self.amount.clone(), self.date.clone());
        let kinds = self.kinds;
        let path = self.path.clone();
        let sheet = self.workbook.worksheet_from_index(self.sheet_index).map_err(|e| xlsx_error(&path, e))?;
        for (col, field) in fields.iter().enumerate() {
            let text = field.as_ref();
            if text.is_empty() {
                continue;
            }
            let col16 = col as u16;
            let written = match kinds.get(col).copied().unwrap_or(CellKind::Text) {
                CellKind::Amount => match text.parse::<f64>() {
                    Ok(n) => sheet.write_number_with_format(row, col16, n, &amount).map(|_| ()),
                    Err(_) => sheet.write_string(row, col16, text).map(|_| ()),
                },
                CellKind::Date => match ExcelDateTime::parse_from_str(text) {
                    Ok(d) if text.len() == 10 && text.as_bytes()[4] == b'-' => {
                        sheet.write_datetime_with_format(row, col16, &d, &date).map(|_| ())
                    }
                    _ => sheet.write_string(row, col16, text).map(|_| ()),
                },
                CellKind::Text => sheet.write_string(row, col16, text).map(|_| ()),
            };
            written.map_err(|e| xlsx_error(&path, e))?;
        }
        Ok(self.finish_row())
    }

    /// Writes the workbook to disk.
    pub(crate) fn finish(mut self) -> Result<(), GenerateError> {
        self.workbook.save(&self.path).map_err(|e| xlsx_error(&self.path, e))
    }

    #[cfg(test)]
    fn with_max_rows(mut self, rows: u32) -> Self {
        self.max_rows = rows;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: &[CellKind] = &[CellKind::Text, CellKind::Amount, CellKind::Date];

    #[test]
    fn rows_sheets_and_locators() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = SheetOut::create(dir.path(), "inbox/x.xlsx", "Deals", KINDS).unwrap().with_max_rows(4);
        assert_eq!(out.title("A title").unwrap(), 1);
        assert_eq!(out.raw_line("").unwrap(), 2);
        assert_eq!(out.header(&["Name", "Amount", "Close"]).unwrap(), 3);
        assert_eq!(out.record(&["a", "12.50", "2026-03-04"]).unwrap(), 4);
        assert_eq!(out.locator(), "inbox/x.xlsx#Deals");
        assert_eq!(out.record(&["b", "TBD", "soon"]).unwrap(), 2, "header repeated on the next sheet");
        assert_eq!(out.locator(), "inbox/x.xlsx#Deals (2)");
        out.finish().unwrap();
        let bytes = std::fs::read(dir.path().join("inbox/x.xlsx")).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}

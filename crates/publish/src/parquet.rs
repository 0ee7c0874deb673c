//! Parquet export of the reporting model: one file per table, typed for analytics
//! engines (DuckDB, pandas/pyarrow, Spark) rather than as text.
//!
//! | model type | Parquet (Arrow) type |
//! |---|---|
//! | `Text` | `UTF8` (`Utf8`) |
//! | `Numeric` | `DECIMAL(38, 6)` (`Decimal128(38, 6)`): exact, rounded half away from zero to 6 decimals |
//! | `Integer` | `INT64` |
//! | `Date` | `DATE` (`Date32`) |
//! | `Timestamp` | `TIMESTAMP(MICROS, isAdjustedToUTC = false)`: wall-clock time, no time zone |
//! | `Boolean` | `BOOLEAN` |
//!
//! A column is nullable exactly when the model declares it so ([`Column::nullable`]);
//! a null in any other column is an error, not a silent zero. Every field carries its
//! column comment as `description` metadata, every file its table's comment.
//!
//! The per-quarter tables ([`PARTITIONED_TABLES`]) are written hive-style,
//! `DIR/partner_kpis/period=FY2026-Q3/part-0.parquet`, with `period` in the folder
//! name only (as Spark and pyarrow write them), so a reader restores it from the path
//! and a dashboard reading one quarter reads one file. Every other table is a single
//! `DIR/<table>.parquet`.
//!
//! Rows stream through in batches of [`ParquetOptions::batch_rows`]: each batch becomes
//! one Arrow record batch and one row group, so besides the model itself at most one
//! batch of columns is held in memory. Each table is written under a hidden temporary
//! name and renamed into place when complete, so an interrupted export never leaves a
//! half-written table where a reader looks.

use crate::reporting::{Cell, Column, ColumnType, ReportTable};
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::properties::WriterProperties;
use arrow_array::types::Date32Type;
use arrow_array::{ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Precision of every `Numeric` column: 38 digits, the most a `Decimal128` holds, so
/// any value of the model fits (rust_decimal holds at most 29 integer digits).
pub const DECIMAL_PRECISION: u8 = 38;

/// Scale of every `Numeric` column: 6 decimals, as the scorecard values are rounded in
/// the model; money (2 decimals) and splits are exact.
pub const DECIMAL_SCALE: i8 = 6;

/// The tables with one row per partner and fiscal quarter, written one folder per
/// quarter by default.
pub const PARTITIONED_TABLES: &[&str] = &["partner_kpis", "health_scores", "alerts", "tier_status"];

/// The column the partitioned tables are split by.
pub const PARTITION_COLUMN: &str = "period";

/// The folder name hive readers use for a null partition value.
const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// How the Parquet export is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Rows per row group, and per Arrow batch held in memory while writing (at least 1).
    pub batch_rows: usize,
    /// Tables written hive-style, one `period=…` folder per value of their `period`
    /// column; the others are written as single files.
    pub partitioned: Vec<String>,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions { batch_rows: 65_536, partitioned: PARTITIONED_TABLES.iter().map(|t| t.to_string()).collect() }
    }
}

/// One Parquet file the export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The reporting table it belongs to.
    pub table: String,
    /// Its path relative to the export folder (`partners.parquet`, `partner_kpis/period=FY2026-Q3/part-0.parquet`).
    pub path: PathBuf,
    /// Rows in the file.
    pub rows: usize,
    /// Row groups in the file.
    pub row_groups: usize,
    /// Size on disk, bytes.
    pub bytes: u64,
}

/// What a Parquet export wrote, file by file in table order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParquetReport {
    /// Every file written.
    pub files: Vec<WrittenFile>,
    /// Tables written (including empty ones).
    pub tables: usize,
}

impl ParquetReport {
    /// Rows written, all files together.
    pub fn rows(&self) -> usize {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Bytes written, all files together.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }
}

/// Why the Parquet export failed.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// A file or folder could not be created, renamed or removed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The Parquet writer failed.
    #[error("{path}: parquet: {source}")]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// The writer's error.
        #[source]
        source: ::parquet::errors::ParquetError,
    },
    /// Arrow refused the columns of a batch.
    #[error("table {table}: arrow: {source}")]
    Arrow {
        /// The table.
        table: String,
        /// Arrow's error.
        #[source]
        source: ArrowError,
    },
    /// A cell does not have its column's type: a bug in the reporting model.
    #[error("table {table}, row {row}, column {column}: {found} value in a {expected} column")]
    CellType {
        /// The table.
        table: String,
        /// 0-based row index in the table.
        row: usize,
        /// The column.
        column: String,
        /// The column's type.
        expected: &'static str,
        /// What the cell holds.
        found: &'static str,
    },
    /// A null in a column the model declares not null: a bug in the reporting model.
    #[error("table {table}, row {row}: null in column {column}, which the reporting model declares not null")]
    Null {
        /// The table.
        table: String,
        /// 0-based row index in the table.
        row: usize,
        /// The column.
        column: String,
    },
    /// A row has fewer cells than the table has columns.
    #[error("table {table}, row {row}: {cells} cells for {columns} columns")]
    RowWidth {
        /// The table.
        table: String,
        /// 0-based row index in the table.
        row: usize,
        /// Cells in the row.
        cells: usize,
        /// Columns of the table.
        columns: usize,
    },
    /// A table to partition has no `period` column.
    #[error("table {table} cannot be partitioned: it has no `{column}` column")]
    NoPartitionColumn {
        /// The table.
        table: String,
        /// The missing column.
        column: &'static str,
    },
    /// The target of a partitioned table exists and holds something the export did not write.
    #[error("{path} exists and is not a Watershed Parquet export (it holds {entry}): remove it or choose another --out")]
    Foreign {
        /// The folder.
        path: PathBuf,
        /// The unexpected entry.
        entry: String,
    },
}

/// The Arrow type a model column is written as.
pub fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Numeric => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        ColumnType::Integer => DataType::Int64,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
        ColumnType::Boolean => DataType::Boolean,
    }
}

fn field(column: &Column) -> Field {
    Field::new(&column.name, arrow_type(column.ty), column.nullable)
        .with_metadata(HashMap::from([("description".to_string(), column.comment.clone())]))
}

/// The Arrow schema of `table`'s files: every column (less `without`, the partition
/// column of a partitioned table), with the descriptions as metadata.
pub fn arrow_schema(table: &ReportTable, without: Option<&str>) -> Schema {
    let fields: Vec<Field> = table.columns.iter().filter(|c| Some(c.name.as_str()) != without).map(field).collect();
    Schema::new(fields)
        .with_metadata(HashMap::from([("table".to_string(), table.name.clone()), ("description".to_string(), table.comment.clone())]))
}

/// A decimal as a `Decimal128` at [`DECIMAL_SCALE`]: rounded half away from zero when
/// it has more decimals. Cannot overflow: 29 digits of mantissa times 10⁶ stay below 10³⁸.
pub fn decimal_units(value: Decimal) -> i128 {
    let scale = DECIMAL_SCALE.unsigned_abs() as u32;
    let rounded = value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    rounded.mantissa() * 10i128.pow(scale.saturating_sub(rounded.scale()))
}

fn cell_kind(cell: &Cell) -> &'static str {
    match cell {
        Cell::Null => "null",
        Cell::Text(_) => "text",
        Cell::Numeric(_) => "numeric",
        Cell::Integer(_) => "integer",
        Cell::Date(_) => "date",
        Cell::Timestamp(_) => "timestamp",
        Cell::Bool(_) => "boolean",
    }
}

/// The rows of one batch: (row index in the table, cells).
type BatchRows<'a> = [(usize, &'a [Cell])];

/// The values of column `c` over `rows`, each checked against the column's type and
/// nullability; `pick` returns the value of a cell of the right variant, else None.
fn values<'a, T>(
    table: &ReportTable,
    c: usize,
    rows: &BatchRows<'a>,
    pick: impl Fn(&'a Cell) -> Option<T>,
) -> Result<Vec<Option<T>>, ParquetError> {
    let column = &table.columns[c];
    rows.iter()
        .map(|&(row, cells)| {
            let cell = cells.get(c).ok_or_else(|| ParquetError::RowWidth {
                table: table.name.clone(),
                row,
                cells: cells.len(),
                columns: table.columns.len(),
            })?;
            if *cell == Cell::Null {
                return if column.nullable {
                    Ok(None)
                } else {
                    Err(ParquetError::Null { table: table.name.clone(), row, column: column.name.clone() })
                };
            }
            pick(cell).map(Some).ok_or_else(|| ParquetError::CellType {
                table: table.name.clone(),
                row,
                column: column.name.clone(),
                expected: column.ty.sql(),
                found: cell_kind(cell),
            })
        })
        .collect()
}

/// The Arrow array of column `c` over `rows`.
fn column_array(table: &ReportTable, c: usize, rows: &BatchRows<'_>) -> Result<ArrayRef, ParquetError> {
    let array: ArrayRef = match table.columns[c].ty {
        ColumnType::Text => Arc::new(StringArray::from(values(table, c, rows, |cell| match cell {
            Cell::Text(s) => Some(s.as_str()),
            _ => None,
        })?)),
        ColumnType::Numeric => Arc::new(
            Decimal128Array::from(values(table, c, rows, |cell| match cell {
                Cell::Numeric(d) => Some(decimal_units(*d)),
                _ => None,
            })?)
            .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)
            .map_err(|source| ParquetError::Arrow { table: table.name.clone(), source })?,
        ),
        ColumnType::Integer => Arc::new(Int64Array::from(values(table, c, rows, |cell| match cell {
            Cell::Integer(i) => Some(*i),
            _ => None,
        })?)),
        ColumnType::Date => Arc::new(Date32Array::from(values(table, c, rows, |cell| match cell {
            Cell::Date(d) => Some(Date32Type::from_naive_date(*d)),
            _ => None,
        })?)),
        ColumnType::Timestamp => Arc::new(TimestampMicrosecondArray::from(values(table, c, rows, |cell| match cell {
            Cell::Timestamp(t) => Some(t.and_utc().timestamp_micros()),
            _ => None,
        })?)),
        ColumnType::Boolean => Arc::new(BooleanArray::from(values(table, c, rows, |cell| match cell {
            Cell::Bool(b) => Some(*b),
            _ => None,
        })?)),
    };
    Ok(array)
}

/// Writes the rows `rows` (indices into `table.rows`) of `table`'s columns `columns`
/// to the Parquet file `path`, `batch_rows` rows per row group.
fn write_file(
    table: &ReportTable,
    schema: &SchemaRef,
    columns: &[usize],
    rows: &[usize],
    path: &Path,
    batch_rows: usize,
) -> Result<(usize, u64), ParquetError> {
    let parquet_error = |source| ParquetError::Parquet { path: path.to_path_buf(), source };
    let io_error = |source| ParquetError::Io { path: path.to_path_buf(), source };
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(batch_rows))
        .set_created_by(format!("watershed {}", env!("CARGO_PKG_VERSION")))
        .build();
    let file = std::fs::File::create(path).map_err(io_error)?;
    let mut writer = ArrowWriter::try_new(std::io::BufWriter::new(file), Arc::clone(schema), Some(properties)).map_err(parquet_error)?;
    let mut batch: Vec<(usize, &[Cell])> = Vec::with_capacity(batch_rows.min(rows.len()));
    for chunk in rows.chunks(batch_rows) {
        batch.clear();
        batch.extend(chunk.iter().map(|&i| (i, table.rows[i].as_slice())));
        let arrays = columns.iter().map(|&c| column_array(table, c, &batch)).collect::<Result<Vec<_>, _>>()?;
        let record =
            RecordBatch::try_new(Arc::clone(schema), arrays).map_err(|source| ParquetError::Arrow { table: table.name.clone(), source })?;
        writer.write(&record).map_err(parquet_error)?;
        // One batch, one row group: what is written leaves memory.
        writer.flush().map_err(parquet_error)?;
    }
    let metadata = writer.close().map_err(parquet_error)?;
    let bytes = std::fs::metadata(path).map_err(io_error)?.len();
    Ok((metadata.num_row_groups(), bytes))
}

/// A partition value as a folder-name component: letters, digits, `-`, `_` and `.`
/// as they are, every other byte percent-encoded (as hive writers escape).
pub fn partition_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn remove_path(path: &Path) -> Result<(), ParquetError> {
    let result = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ParquetError::Io { path: path.to_path_buf(), source: e }),
        _ => Ok(()),
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), ParquetError> {
    std::fs::rename(from, to).map_err(|source| ParquetError::Io { path: to.to_path_buf(), source })
}

/// Refuses to replace a folder that holds anything but `period=…` folders.
fn check_ours(path: &Path) -> Result<(), ParquetError> {
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(ParquetError::Io { path: path.to_path_buf(), source }),
    };
    for entry in entries {
        let entry = entry.map_err(|source| ParquetError::Io { path: path.to_path_buf(), source })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&format!("{PARTITION_COLUMN}=")) || !entry.path().is_dir() {
            return Err(ParquetError::Foreign { path: path.to_path_buf(), entry: name });
        }
    }
    Ok(())
}

/// Writes one table: a single file, or one folder per partition value.
fn write_table(dir: &Path, table: &ReportTable, options: &ParquetOptions) -> Result<Vec<WrittenFile>, ParquetError> {
    let batch_rows = options.batch_rows.max(1);
    let mut written = Vec::new();
    if !options.partitioned.contains(&table.name) {
        let schema = Arc::new(arrow_schema(table, None));
        let columns: Vec<usize> = (0..table.columns.len()).collect();
        let rows: Vec<usize> = (0..table.rows.len()).collect();
        let name = format!("{}.parquet", table.name);
        let temporary = dir.join(format!(".{name}.tmp"));
        let (row_groups, bytes) = write_file(table, &schema, &columns, &rows, &temporary, batch_rows)?;
        rename(&temporary, &dir.join(&name))?;
        written.push(WrittenFile { table: table.name.clone(), path: PathBuf::from(name), rows: rows.len(), row_groups, bytes });
        return Ok(written);
    }
    let key = table
        .columns
        .iter()
        .position(|c| c.name == PARTITION_COLUMN)
        .ok_or(ParquetError::NoPartitionColumn { table: table.name.clone(), column: PARTITION_COLUMN })?;
    // Row indices by partition folder, quarters in order.
    let mut partitions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let folder = match row.get(key) {
            Some(Cell::Text(value)) => partition_value(value),
            Some(Cell::Null) => NULL_PARTITION.to_string(),
            Some(other) => {
                return Err(ParquetError::CellType {
                    table: table.name.clone(),
                    row: i,
                    column: PARTITION_COLUMN.into(),
                    expected: ColumnType::Text.sql(),
                    found: cell_kind(other),
                });
            }
            None => {
                return Err(ParquetError::RowWidth { table: table.name.clone(), row: i, cells: row.len(), columns: table.columns.len() });
            }
        };
        partitions.entry(folder).or_default().push(i);
    }
    let schema = Arc::new(arrow_schema(table, Some(PARTITION_COLUMN)));
    let columns: Vec<usize> = (0..table.columns.len()).filter(|&c| c != key).collect();
    let target = dir.join(&table.name);
    check_ours(&target)?;
    let temporary = dir.join(format!(".{}.tmp", table.name));
    remove_path(&temporary)?;
    for (folder, rows) in &partitions {
        let part = temporary.join(format!("{PARTITION_COLUMN}={folder}"));
        std::fs::create_dir_all(&part).map_err(|source| ParquetError::Io { path: part.clone(), source })?;
        let (row_groups, bytes) = write_file(table, &schema, &columns, rows, &part.join("part-0.parquet"), batch_rows)?;
        let path = Path::new(&table.name).join(format!("{PARTITION_COLUMN}={folder}")).join("part-0.parquet");
        written.push(WrittenFile { table: table.name.clone(), path, rows: rows.len(), row_groups, bytes });
    }
    std::fs::create_dir_all(&temporary).map_err(|source| ParquetError::Io { path: temporary.clone(), source })?;
    // Stale quarters of an earlier export go with the old folder.
    remove_path(&target)?;
    rename(&temporary, &target)?;
    Ok(written)
}

/// Writes every table of `tables` as Parquet under `dir` (created if missing),
/// replacing the files of an earlier export of the same tables.
pub fn write_parquet(dir: &Path, tables: &[ReportTable], options: &ParquetOptions) -> Result<ParquetReport, ParquetError> {
    std::fs::create_dir_all(dir).map_err(|source| ParquetError::Io { path: dir.to_path_buf(), source })?;
    let mut report = ParquetReport::default();
    for table in tables {
        report.files.extend(write_table(dir, table, options)?);
        report.tables += 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::reporting_tables;
    use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use ::parquet::basic::{DecimalType, LogicalType, Repetition, TimeUnit as ParquetTimeUnit, TimestampType};
    use ::parquet::file::reader::{FileReader, SerializedFileReader};
    use arrow_array::{Array, cast::AsArray, types::Decimal128Type};
    use chrono::NaiveDate;
    use std::str::FromStr;
    use watershed_metrics::{ScorecardSettings, scorecards};
    use watershed_model::{Dataset, FiscalCalendar, Opportunity, OpportunityPartner, Partner, PartnerRole, PartnerStatus, Stage, Target};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn partner(id: &str, name: &str, tier: Option<&str>) -> Partner {
        Partner {
            partner_id: id.into(),
            name: name.into(),
            tier: tier.map(Into::into),
            segment: None,
            region: Some("EMEA".into()),
            partner_type: Some("reseller".into()),
            partner_manager: None,
            account_manager: None,
            start_date: Some(date(2024, 1, 15)),
            contract_end_date: None,
            status: PartnerStatus::Active,
        }
    }

    fn opportunity(id: &str, amount: &str, stage: Stage, close: NaiveDate, updated: bool) -> Opportunity {
        Opportunity {
            opportunity_id: id.into(),
            name: Some(format!("deal {id}").into()),
            customer_name: format!("Customer {id}").into(),
            customer_country: None,
            region: Some("EMEA".into()),
            industry: None,
            product_id: None,
            product_family: None,
            amount: dec(amount),
            amount_original: dec(amount),
            currency: "USD".into(),
            stage,
            created_date: None,
            close_date: close,
            deal_registration_id: None,
            updated_at: updated.then(|| date(2026, 9, 1).and_hms_opt(13, 45, 30).unwrap()),
        }
    }

    fn link(opportunity: &str, partner: &str, role: PartnerRole, split: &str) -> OpportunityPartner {
        OpportunityPartner { opportunity_id: opportunity.into(), partner_id: partner.into(), role, split: dec(split) }
    }

    /// Two partners, three deals over two quarters, a target: every column type occurs.
    fn small() -> Vec<ReportTable> {
        let calendar = FiscalCalendar::default();
        let data = Dataset {
            partners: vec![partner("P001", "Northwind", Some("Gold")), partner("P002", "Contoso", None)],
            opportunities: vec![
                opportunity("crm:1", "1234.56", Stage::ClosedWon, date(2026, 8, 15), true),
                opportunity("crm:2", "999.99", Stage::ClosedWon, date(2026, 5, 10), false),
                opportunity("crm:3", "500", Stage::Proposal, date(2026, 9, 20), false),
            ],
            links: vec![
                link("crm:1", "P001", PartnerRole::Sourced, "1"),
                link("crm:2", "P002", PartnerRole::Sourced, "0.5"),
                // 500 × 0.333333333 = 166.6666665: a tie at 6 decimals, rounded away from zero.
                link("crm:3", "P001", PartnerRole::Influenced, "0.333333333"),
            ],
            targets: vec![Target { partner_id: "P001".into(), period: "FY2026-Q3".parse().unwrap(), amount: dec("2000") }],
            ..Dataset::default()
        };
        let periods = ["FY2026-Q2".parse().unwrap(), "FY2026-Q3".parse().unwrap()];
        let settings = ScorecardSettings { metrics: Default::default(), tiers: Vec::new(), alerts: Default::default() };
        let cards = scorecards(&calendar, &data, &periods, date(2026, 11, 1), None, &settings);
        reporting_tables(&calendar, &data, &cards)
    }

    fn table<'a>(tables: &'a [ReportTable], name: &str) -> &'a ReportTable {
        tables.iter().find(|t| t.name == name).unwrap()
    }

    /// A file read back with the parquet crate's Arrow reader, as one batch.
    fn read(path: &Path) -> (SchemaRef, RecordBatch) {
        let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap().with_batch_size(1024);
        let schema = Arc::clone(builder.schema());
        let mut batches = builder.build().unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(batches.len(), 1, "{}", path.display());
        (schema, batches.remove(0))
    }

    #[test]
    fn exports_typed_tables_that_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let tables = small();
        let options = ParquetOptions { batch_rows: 2, ..ParquetOptions::default() };
        let report = write_parquet(tmp.path(), &tables, &options).unwrap();
        assert_eq!(report.tables, tables.len());
        let paths: Vec<String> = report.files.iter().map(|f| f.path.display().to_string()).collect();
        for want in [
            "partners.parquet",
            "opportunities.parquet",
            "targets.parquet",
            "partner_kpis/period=FY2026-Q2/part-0.parquet",
            "partner_kpis/period=FY2026-Q3/part-0.parquet",
            "health_scores/period=FY2026-Q3/part-0.parquet",
        ] {
            assert!(paths.iter().any(|p| p == want), "{want} missing from {paths:?}");
        }
        for f in &report.files {
            assert!(tmp.path().join(&f.path).is_file() && f.bytes > 0, "{f:?}");
        }
        let row_sum: usize = tables.iter().map(|t| t.rows.len()).sum();
        assert_eq!(report.rows(), row_sum, "every row is written once");
        assert!(
            !std::fs::read_dir(tmp.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with('.')),
            "no temporary left"
        );

        // The Parquet-level types, as any reader sees them.
        let path = tmp.path().join("opportunities.parquet");
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let metadata = reader.metadata();
        assert_eq!(metadata.num_row_groups(), 2, "3 rows in batches of 2");
        let schema = metadata.file_metadata().schema_descr();
        let column = |name: &str| schema.columns().iter().find(|c| c.name() == name).unwrap().clone();
        let amount = column("amount");
        assert_eq!(amount.logical_type_ref(), Some(&LogicalType::Decimal(DecimalType { scale: 6, precision: 38 })));
        assert_eq!((amount.type_scale(), amount.type_precision()), (6, 38));
        assert_eq!(column("close_date").logical_type_ref(), Some(&LogicalType::Date));
        assert_eq!(
            column("updated_at").logical_type_ref(),
            Some(&LogicalType::Timestamp(TimestampType { is_adjusted_to_u_t_c: false, unit: ParquetTimeUnit::MICROS }))
        );
        assert_eq!(column("opportunity_id").logical_type_ref(), Some(&LogicalType::String));
        assert_eq!(column("opportunity_id").self_type().get_basic_info().repetition(), Repetition::REQUIRED);
        assert_eq!(column("name").self_type().get_basic_info().repetition(), Repetition::OPTIONAL);

        // Arrow types and values, read back.
        let (schema, all) = read(&path);
        assert_eq!(schema.field_with_name("amount").unwrap().data_type(), &DataType::Decimal128(38, 6));
        assert_eq!(schema.field_with_name("close_date").unwrap().data_type(), &DataType::Date32);
        assert_eq!(schema.field_with_name("updated_at").unwrap().data_type(), &DataType::Timestamp(TimeUnit::Microsecond, None));
        assert_eq!(
            schema.field_with_name("amount").unwrap().metadata().get("description").map(String::as_str),
            Some("amount in the reporting currency, converted at the close month's rate")
        );
        let amounts = all.column_by_name("amount").unwrap().as_primitive::<Decimal128Type>();
        assert_eq!(amounts.value(0), 1_234_560_000, "1234.56 at scale 6");
        assert_eq!(amounts.value_as_string(1), "999.990000");
        let close = all.column_by_name("close_date").unwrap().as_primitive::<Date32Type>();
        assert_eq!(close.value_as_date(0), Some(date(2026, 8, 15)));
        let updated = all.column_by_name("updated_at").unwrap().as_primitive::<arrow_array::types::TimestampMicrosecondType>();
        assert_eq!(updated.value_as_datetime(0), date(2026, 9, 1).and_hms_opt(13, 45, 30));
        assert!(updated.is_null(1));
        assert_eq!(all.column_by_name("stage").unwrap().as_string::<i32>().value(2), "proposal");

        let (_, links) = read(&tmp.path().join("opportunity_partners.parquet"));
        let credited = links.column_by_name("credited_amount").unwrap().as_primitive::<Decimal128Type>();
        assert_eq!(credited.value_as_string(1), "499.995000");
        assert_eq!(credited.value_as_string(2), "166.666667", "half away from zero");

        // A partition: no period column in the file, one row per partner, the model's values.
        let (schema, kpis) = read(&tmp.path().join("partner_kpis/period=FY2026-Q3/part-0.parquet"));
        assert!(schema.field_with_name("period").is_err(), "the period is in the folder name");
        assert_eq!(schema.field_with_name("as_of").unwrap().data_type(), &DataType::Date32);
        assert_eq!(schema.field_with_name("won_count").unwrap().data_type(), &DataType::Int64);
        assert_eq!(kpis.num_rows(), 2);
        let model = table(&tables, "partner_kpis");
        let revenue = model.columns.iter().position(|c| c.name == "revenue").unwrap();
        let want = model.rows.iter().find(|r| r[0] == Cell::Text("P001".into()) && r[1] == Cell::Text("FY2026-Q3".into())).unwrap();
        assert_eq!(want[revenue], Cell::Numeric(dec("1234.56")));
        let ids = kpis.column_by_name("partner_id").unwrap().as_string::<i32>();
        let p001 = (0..kpis.num_rows()).find(|&i| ids.value(i) == "P001").unwrap();
        assert_eq!(kpis.column_by_name("revenue").unwrap().as_primitive::<Decimal128Type>().value_as_string(p001), "1234.560000");
    }

    #[test]
    fn a_new_export_replaces_the_old_quarters() {
        let tmp = tempfile::tempdir().unwrap();
        let mut tables = small();
        write_parquet(tmp.path(), &tables, &ParquetOptions::default()).unwrap();
        assert!(tmp.path().join("partner_kpis/period=FY2026-Q2").is_dir());
        for t in &mut tables {
            t.rows.retain(|r| r.get(1) != Some(&Cell::Text("FY2026-Q2".into())));
        }
        write_parquet(tmp.path(), &tables, &ParquetOptions::default()).unwrap();
        assert!(!tmp.path().join("partner_kpis/period=FY2026-Q2").exists(), "a stale quarter would be read as current");
        assert!(tmp.path().join("partner_kpis/period=FY2026-Q3/part-0.parquet").is_file());
    }

    #[test]
    fn refuses_to_replace_a_folder_it_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("partner_kpis")).unwrap();
        std::fs::write(tmp.path().join("partner_kpis/notes.txt"), "mine").unwrap();
        let err = write_parquet(tmp.path(), &small(), &ParquetOptions::default()).unwrap_err();
        assert!(matches!(err, ParquetError::Foreign { .. }), "{err}");
        assert!(tmp.path().join("partner_kpis/notes.txt").is_file());
    }

    #[test]
    fn model_violations_are_errors_not_silent_values() {
        let tmp = tempfile::tempdir().unwrap();
        let mut tables = small();
        let partners = tables.iter_mut().find(|t| t.name == "partners").unwrap();
        partners.rows[1][0] = Cell::Null;
        let err = write_parquet(tmp.path(), std::slice::from_ref(partners), &ParquetOptions::default()).unwrap_err();
        assert_eq!(err.to_string(), "table partners, row 1: null in column partner_id, which the reporting model declares not null");
        partners.rows[1][0] = Cell::Integer(2);
        let err = write_parquet(tmp.path(), std::slice::from_ref(partners), &ParquetOptions::default()).unwrap_err();
        assert_eq!(err.to_string(), "table partners, row 1, column partner_id: integer value in a text column");
        partners.rows[1][0] = Cell::Text("P002".into());
        partners.rows[1].truncate(3);
        let err = write_parquet(tmp.path(), std::slice::from_ref(partners), &ParquetOptions::default()).unwrap_err();
        assert!(matches!(err, ParquetError::RowWidth { row: 1, cells: 3, columns: 11, .. }), "{err}");
    }

    #[test]
    fn the_model_declares_nulls_where_it_writes_them() {
        // Every table of a small dataset writes, so no not-null column holds a null.
        let tmp = tempfile::tempdir().unwrap();
        write_parquet(tmp.path(), &small(), &ParquetOptions::default()).unwrap();
    }

    #[test]
    fn decimals_at_scale_six() {
        for (value, units) in [
            ("0", 0),
            ("1234.56", 1_234_560_000),
            ("-0.0000005", -1),
            ("0.0000005", 1),
            ("0.00000049", 0),
            ("79228162514264337593543950335", 79_228_162_514_264_337_593_543_950_335_000_000),
        ] {
            assert_eq!(decimal_units(dec(value)), units, "{value}");
        }
    }

    #[test]
    fn partition_folder_names() {
        assert_eq!(partition_value("FY2026-Q3"), "FY2026-Q3");
        assert_eq!(partition_value("a/b c=é"), "a%2Fb%20c%3D%C3%A9");
    }
}

//! The store interface: the small SQL surface a database must offer so that the store's
//! logic (raw layer, governance tables, governed dataset, scorecards) is written once.
//!
//! Two backends implement it — [`crate::sqlite::SqliteBackend`] (the embedded default)
//! and [`crate::postgres::PostgresBackend`] — and one conformance suite
//! (`tests/conformance.rs`) runs every store test against both.
//!
//! Statements are written once, in the SQL both databases share, with `?1`, `?2`, …
//! placeholders (PostgreSQL's backend rewrites them to `$1`, `$2`, …). Where the two
//! differ (types in DDL, how the insertion order of a table is read, how to test that a
//! table exists) the store asks [`Backend::kind`].

use crate::{Result, StoreError};

/// A value bound to a statement, borrowed from the caller: no copy on the hot path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(&'a str),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a watershed_model::Text> for Param<'a> {
    fn from(text: &'a watershed_model::Text) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a Option<watershed_model::Text>> for Param<'a> {
    fn from(text: &'a Option<watershed_model::Text>) -> Self {
        text.as_deref().map_or(Param::Null, Param::Text)
    }
}

impl<'a> From<&'a watershed_model::Symbol> for Param<'a> {
    fn from(text: &'a watershed_model::Symbol) -> Self {
        Param::Text(text.as_str())
    }
}

impl<'a> From<&'a Option<watershed_model::Symbol>> for Param<'a> {
    fn from(text: &'a Option<watershed_model::Symbol>) -> Self {
        text.as_ref().map_or(Param::Null, |t| Param::Text(t.as_str()))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Param::Null, Param::Text)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(text: &'a Option<String>) -> Self {
        text.as_deref().map_or(Param::Null, Param::Text)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Param::Null, Param::Int)
    }
}

impl From<bool> for Param<'_> {
    fn from(b: bool) -> Self {
        Param::Int(i64::from(b))
    }
}

impl From<f64> for Param<'_> {
    fn from(x: f64) -> Self {
        Param::Real(x)
    }
}

/// A value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(String),
}

/// Rows produced when the backend gets to them (see [`Backend::append_from`]).
pub trait RowSource: Send {
    /// Hands every row (every column, in table order) to `row`, in order.
    fn rows(&self, row: &mut dyn FnMut(&[Param]) -> Result<()>) -> Result<()>;
}

/// Which database a backend speaks, for the few places where SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL schema.
    Postgres,
}

/// What a database must do for the store. Methods take `&self`: a backend serialises
/// its own access (the store is used from one thread).
pub trait Backend {
    /// Which database this is.
    fn kind(&self) -> BackendKind;
    /// Runs statements without parameters (DDL, several separated by `;`).
    fn batch(&self, sql: &str) -> Result<()>;
    /// Runs statements without parameters when the backend gets to them: a backend that
    /// inserts appended rows in the background (SQLite) runs them there after those rows,
    /// so that e.g. an index build overlaps with the caller's computing. A failure is
    /// reported by the next statement, like a failed append. By default: at once.
    fn batch_in_background(&self, sql: &str) -> Result<()> {
        self.batch(sql)
    }
    /// Runs one statement; returns the rows it changed.
    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64>;
    /// Runs a query and hands each row to `row`, streaming (a 1M-row table is not held
    /// twice). `row` must not use the backend itself (the query holds the connection).
    fn for_each(&self, sql: &str, params: &[Param], row: &mut dyn FnMut(&[Cell]) -> Result<()>) -> Result<()>;
    /// Appends a row (every column, in table order) to `table`. Backends may buffer:
    /// the row is visible to the next statement of this connection, not before.
    fn append(&self, table: &'static str, row: &[Param]) -> Result<()>;
    /// Appends every row of `rows` to `table`, like [`Backend::append`] for each. A backend
    /// that inserts in the background (SQLite) produces and inserts them there, so the
    /// caller goes on at once (e.g. normalizing the rows it shares with `rows`); a failure
    /// is reported by the next statement. By default: at once.
    fn append_from(&self, table: &'static str, rows: Box<dyn RowSource>) -> Result<()> {
        rows.rows(&mut |row| self.append(table, row))
    }
    /// The column names of table `name`, in table order (empty when it does not exist).
    fn columns(&self, table: &str) -> Result<Vec<String>>;
    /// Whether table `name` exists (every table has a column).
    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(!self.columns(name)?.is_empty())
    }
    /// Starts the one writing transaction (other writers wait; readers see the
    /// previous state until [`Backend::commit`]).
    fn begin_write(&self) -> Result<()>;
    /// Starts the writing transaction of a run, which writes millions of rows: like
    /// [`Backend::begin_write`], but a backend may check references (foreign keys) once,
    /// over whole tables, instead of on every row it inserts (SQLite: a lookup per row
    /// was seconds of a 1M-opportunity run); a broken reference still fails the commit.
    /// By default: [`Backend::begin_write`] (the database checks every row).
    fn begin_bulk_write(&self) -> Result<()> {
        self.begin_write()
    }
    /// In a bulk write, checks the references of the rows appended so far, in the
    /// background where the backend can (after the rows before it); a broken one fails
    /// the commit, which checks what was appended since. By default nothing to do.
    fn check_references_in_background(&self) -> Result<()> {
        Ok(())
    }
    /// Starts writing to disk, in the background, what the transaction has written so
    /// far, so that the commit's own sync has less left to wait for. Durability and
    /// atomicity are the commit's as before (the operating system may write those pages
    /// back at any time anyway). By default nothing to do.
    fn flush_in_background(&self) -> Result<()> {
        Ok(())
    }
    /// Makes the transaction durable.
    fn commit(&self) -> Result<()>;
    /// Called once a run's transaction has committed: a backend that stores a new
    /// store's first run differently (SQLite: see `SqliteBackend::open`) switches back.
    fn run_committed(&self) -> Result<()> {
        Ok(())
    }
    /// Abandons the transaction and anything buffered for it.
    fn rollback(&self) -> Result<()>;
}

/// Typed access to one result row, with errors that name the column.
pub(crate) struct Row<'a> {
    pub(crate) cells: &'a [Cell],
}

impl Row<'_> {
    fn cell(&self, i: usize) -> &Cell {
        self.cells.get(i).unwrap_or(&Cell::Null)
    }

    fn mismatch(&self, i: usize, expected: &'static str) -> StoreError {
        StoreError::Type { column: i, expected, found: format!("{:?}", self.cell(i)) }
    }

    /// Text or NULL (numbers are rendered as text).
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(match self.cell(i) {
            Cell::Null => None,
            Cell::Text(s) => Some(s.clone()),
            Cell::Int(n) => Some(n.to_string()),
            Cell::Real(x) => Some(x.to_string()),
        })
    }

    /// Text, required, borrowed (no copy; numbers are not text here).
    pub(crate) fn str(&self, i: usize) -> Result<&str> {
        match self.cell(i) {
            Cell::Text(s) => Ok(s),
            _ => Err(self.mismatch(i, "text")),
        }
    }

    /// Text, required.
    pub(crate) fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| self.mismatch(i, "text"))
    }

    /// Integer or NULL.
    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.cell(i) {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(*n)),
            Cell::Text(s) => s.parse().map(Some).map_err(|_| self.mismatch(i, "integer")),
            Cell::Real(_) => Err(self.mismatch(i, "integer")),
        }
    }

    /// Integer, required.
    pub(crate) fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| self.mismatch(i, "integer"))
    }

    /// A double, required.
    pub(crate) fn real(&self, i: usize) -> Result<f64> {
        match self.cell(i) {
            Cell::Real(x) => Ok(*x),
            Cell::Int(n) => Ok(*n as f64),
            _ => Err(self.mismatch(i, "real")),
        }
    }
}

/// Runs `sql` and converts every row with `convert`.
pub(crate) fn query<T>(db: &dyn Backend, sql: &str, params: &[Param], mut convert: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    db.for_each(sql, params, &mut |cells| {
        out.push(convert(&Row { cells })?);
        Ok(())
    })?;
    Ok(out)
}

/// The first row of `sql`, converted, if any.
pub(crate) fn query_opt<T>(db: &dyn Backend, sql: &str, params: &[Param], convert: impl FnMut(&Row) -> Result<T>) -> Result<Option<T>> {
    Ok(query(db, sql, params, convert)?.into_iter().next())
}

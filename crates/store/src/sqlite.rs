//! The embedded backend: one SQLite file in WAL mode. Statements are prepared once and
//! cached; appended rows are inserted at once through a cached prepared statement (inside
//! the run's transaction that is SQLite's fastest path).

use crate::Result;
use crate::backend::{Backend, BackendKind, Cell, Param};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

/// A SQLite store file.
pub struct SqliteBackend {
    conn: Connection,
    /// `INSERT INTO table VALUES (?1, …)` per (table, column count), so appends do not
    /// format SQL per row.
    insert_sql: RefCell<HashMap<(&'static str, usize), String>>,
}

impl SqliteBackend {
    /// Opens (creating if needed) the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<SqliteBackend> {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteBackend { conn, insert_sql: RefCell::new(HashMap::new()) })
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Null => ValueRef::Null,
            Param::Int(n) => ValueRef::Integer(*n),
            Param::Real(x) => ValueRef::Real(*x),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(n) => Cell::Int(n),
        ValueRef::Real(x) => Cell::Real(x),
        ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

impl Backend for SqliteBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Sqlite
    }

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn for_each(&self, sql: &str, params: &[Param], row: &mut dyn FnMut(&[Cell]) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut cells = Vec::with_capacity(columns);
        while let Some(r) = rows.next()? {
            cells.clear();
            for i in 0..columns {
                cells.push(cell(r.get_ref(i)?));
            }
            row(&cells)?;
        }
        Ok(())
    }

    fn append(&self, table: &'static str, row: &[Param]) -> Result<()> {
        let mut cache = self.insert_sql.borrow_mut();
        let sql = cache.entry((table, row.len())).or_insert_with(|| {
            let placeholders: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
            format!("INSERT INTO {table} VALUES ({})", placeholders.join(", "))
        });
        let mut stmt = self.conn.prepare_cached(sql)?;
        stmt.execute(rusqlite::params_from_iter(row))?;
        Ok(())
    }

    fn columns(&self, table: &str) -> Result<Vec<String>> {
        let mut names = Vec::new();
        self.for_each("SELECT name FROM pragma_table_info(?1) ORDER BY cid", &[Param::Text(table)], &mut |row| {
            if let Some(Cell::Text(name)) = row.first() {
                names.push(name.clone());
            }
            Ok(())
        })?;
        Ok(names)
    }

    fn begin_write(&self) -> Result<()> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn commit(&self) -> Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }
}

//! The PostgreSQL backend: the store's tables in one schema of a PostgreSQL database
//! (`[store] url = "postgres://…"`, `[store] schema = "watershed"`).
//!
//! Appended rows are buffered as COPY text and sent with `COPY … FROM STDIN` before the
//! next statement runs (or when the buffer passes 8 MB), so a run of a million records
//! is a few COPY streams instead of millions of round trips. Prepared statements are
//! cached per SQL text. The driver is tokio-postgres on a current-thread runtime owned by
//! the backend: the store stays synchronous.

use crate::backend::{Backend, BackendKind, Cell, Param};
use crate::{Result, StoreError};
use futures_util::{SinkExt, StreamExt, pin_mut};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::str::FromStr;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, NoTls, Statement};

/// Buffered COPY data is sent when it passes this size.
const FLUSH_BYTES: usize = 8 << 20;

/// A schema of a PostgreSQL database holding a store.
pub struct PostgresBackend {
    runtime: tokio::runtime::Runtime,
    client: Client,
    statements: RefCell<HashMap<String, Statement>>,
    pending: RefCell<Pending>,
}

/// COPY text waiting to be sent, per table in the order the tables were first appended to
/// on this connection (so that rows referencing earlier tables arrive after them).
#[derive(Default)]
struct Pending {
    tables: Vec<(&'static str, Vec<u8>)>,
    bytes: usize,
}

impl PostgresBackend {
    /// Connects to `url` and uses schema `schema` (created if missing).
    pub fn connect(url: &str, schema: &str) -> Result<PostgresBackend> {
        if !watershed_model::is_schema_name(schema) {
            return Err(StoreError::Config(format!("store schema `{schema}`: use lower-case letters, digits and _")));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Config(format!("cannot start the I/O runtime: {e}")))?;
        let client = runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
            tokio::spawn(async move {
                // The connection ends with an error only when the client's requests fail too,
                // and those errors reach the caller.
                let _ = connection.await;
            });
            client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}")).await?;
            Ok::<_, tokio_postgres::Error>(client)
        })?;
        Ok(PostgresBackend { runtime, client, statements: RefCell::new(HashMap::new()), pending: RefCell::new(Pending::default()) })
    }

    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.runtime.block_on(self.client.prepare(&dollar_placeholders(sql)))?;
        self.statements.borrow_mut().insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// Sends every buffered row, table by table in first-append order. The order is
    /// kept across flushes: a flush may fall between an opportunity and its partner
    /// links, and the links must still follow the opportunity.
    fn flush(&self) -> Result<()> {
        let batches: Vec<(&'static str, Vec<u8>)> = {
            let mut pending = self.pending.borrow_mut();
            pending.bytes = 0;
            pending.tables.iter_mut().filter(|(_, data)| !data.is_empty()).map(|(table, data)| (*table, std::mem::take(data))).collect()
        };
        for (table, data) in batches {
            self.runtime.block_on(async {
                let sink = self.client.copy_in::<_, std::io::Cursor<Vec<u8>>>(&format!("COPY {table} FROM STDIN")).await?;
                pin_mut!(sink);
                sink.send(std::io::Cursor::new(data)).await?;
                sink.finish().await?;
                Ok::<_, tokio_postgres::Error>(())
            })?;
        }
        Ok(())
    }
}

/// Rewrites `?N` placeholders to PostgreSQL's `$N` (outside quoted literals).
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Text as PostgreSQL accepts it: a NUL byte cannot be stored in `text`, so it becomes
/// U+FFFD (the rest of the value is kept).
fn storable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') { std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}")) } else { std::borrow::Cow::Borrowed(text) }
}

/// Appends `text` in COPY text format (backslash escapes for `\`, tab, newline, CR).
fn copy_text(out: &mut Vec<u8>, text: &str) {
    for &b in storable(text).as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// The column types the store writes and reads: integers, booleans, doubles, numerics
/// and text.
fn known_type(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::INT8
            | Type::INT4
            | Type::INT2
            | Type::BOOL
            | Type::FLOAT8
            | Type::FLOAT4
            | Type::NUMERIC
            | Type::TEXT
            | Type::VARCHAR
            | Type::BPCHAR
            | Type::NAME
    )
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, Box<dyn Error + Sync + Send>> {
        match (self, ty) {
            (Param::Null, _) => Ok(IsNull::Yes),
            (Param::Int(n), &Type::INT8) => n.to_sql(ty, out),
            (Param::Int(n), &Type::INT4) => i32::try_from(*n)?.to_sql(ty, out),
            (Param::Int(n), &Type::INT2) => i16::try_from(*n)?.to_sql(ty, out),
            (Param::Int(n), &Type::BOOL) => (*n != 0).to_sql(ty, out),
            (Param::Int(n), &Type::FLOAT8) => (*n as f64).to_sql(ty, out),
            (Param::Int(n), &Type::NUMERIC) => Decimal::from(*n).to_sql(ty, out),
            (Param::Int(n), _) => n.to_string().to_sql(ty, out),
            (Param::Real(x), &Type::FLOAT8) => x.to_sql(ty, out),
            (Param::Real(x), &Type::FLOAT4) => (*x as f32).to_sql(ty, out),
            (Param::Real(x), _) => x.to_string().to_sql(ty, out),
            (Param::Text(s), &Type::INT8) => s.parse::<i64>()?.to_sql(ty, out),
            (Param::Text(s), &Type::INT4) => s.parse::<i32>()?.to_sql(ty, out),
            (Param::Text(s), &Type::NUMERIC) => Decimal::from_str(s)?.to_sql(ty, out),
            (Param::Text(s), &Type::FLOAT8) => s.parse::<f64>()?.to_sql(ty, out),
            (Param::Text(s), _) => storable(s).as_ref().to_sql(&Type::TEXT, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::UNKNOWN || known_type(ty)
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Cell, Box<dyn Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Cell::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Cell::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Cell::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Cell::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Cell::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Cell::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => Cell::Text(Decimal::from_sql(ty, raw)?.normalize().to_string()),
            _ => Cell::Text(String::from_sql(&Type::TEXT, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Cell, Box<dyn Error + Sync + Send>> {
        Ok(Cell::Null)
    }

    fn accepts(ty: &Type) -> bool {
        known_type(ty)
    }
}

impl Backend for PostgresBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.flush()?;
        Ok(self.runtime.block_on(self.client.batch_execute(sql))?)
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64> {
        self.flush()?;
        let stmt = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.runtime.block_on(self.client.execute(&stmt, &params))?)
    }

    fn for_each(&self, sql: &str, params: &[Param], row: &mut dyn FnMut(&[Cell]) -> Result<()>) -> Result<()> {
        self.flush()?;
        let stmt = self.statement(sql)?;
        self.runtime.block_on(async {
            let stream = self.client.query_raw(&stmt, params.iter()).await?;
            pin_mut!(stream);
            let mut cells = Vec::with_capacity(stmt.columns().len());
            while let Some(r) = stream.next().await {
                let r = r?;
                cells.clear();
                for i in 0..r.len() {
                    cells.push(r.try_get::<_, Cell>(i)?);
                }
                row(&cells)?;
            }
            Ok(())
        })
    }

    fn append(&self, table: &'static str, row: &[Param]) -> Result<()> {
        let full = {
            let mut pending = self.pending.borrow_mut();
            let index = match pending.tables.iter().rposition(|(t, _)| *t == table) {
                Some(i) => i,
                None => {
                    pending.tables.push((table, Vec::new()));
                    pending.tables.len() - 1
                }
            };
            let data = &mut pending.tables[index].1;
            let before = data.len();
            for (i, p) in row.iter().enumerate() {
                if i > 0 {
                    data.push(b'\t');
                }
                match p {
                    Param::Null => data.extend_from_slice(b"\\N"),
                    Param::Int(n) => {
                        let _ = write!(data, "{n}");
                    }
                    Param::Real(x) => {
                        let _ = write!(data, "{x}");
                    }
                    Param::Text(s) => copy_text(data, s),
                }
            }
            data.push(b'\n');
            let added = data.len() - before;
            pending.bytes += added;
            pending.bytes >= FLUSH_BYTES
        };
        if full { self.flush() } else { Ok(()) }
    }

    fn columns(&self, table: &str) -> Result<Vec<String>> {
        let mut names = Vec::new();
        self.for_each(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            &[Param::Text(table)],
            &mut |row| {
                if let Some(Cell::Text(name)) = row.first() {
                    names.push(name.clone());
                }
                Ok(())
            },
        )?;
        Ok(names)
    }

    fn begin_write(&self) -> Result<()> {
        // SHARE ROW EXCLUSIVE on `runs` (when it exists: not yet while the store is set
        // up): a second writer waits, readers do not.
        let runs_exist = self.has_table("runs")?;
        self.batch("BEGIN")?;
        let locked = if runs_exist { self.batch("LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE") } else { Ok(()) };
        if let Err(e) = locked {
            // Leave no aborted transaction behind for the next statement to trip on.
            let _ = self.rollback();
            return Err(e);
        }
        Ok(())
    }

    fn commit(&self) -> Result<()> {
        self.batch("COMMIT")
    }

    fn rollback(&self) -> Result<()> {
        *self.pending.borrow_mut() = Pending::default();
        Ok(self.runtime.block_on(self.client.batch_execute("ROLLBACK"))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_literals() {
        assert_eq!(dollar_placeholders("SELECT ?1, '?2' FROM t WHERE a = ?12"), "SELECT $1, '?2' FROM t WHERE a = $12");
        assert_eq!(dollar_placeholders("SELECT 'it''s ?1', ?2"), "SELECT 'it''s ?1', $2");
    }

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut out = Vec::new();
        copy_text(&mut out, "a\\b\tc\nd\re\0f");
        assert_eq!(String::from_utf8(out).unwrap(), "a\\\\b\\tc\\nd\\re\u{FFFD}f");
    }
}

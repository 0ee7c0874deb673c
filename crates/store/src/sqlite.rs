//! The embedded backend: one SQLite file in WAL mode with 64 KiB pages. Statements are
//! prepared once and cached.
//!
//! Appended rows do not wait for SQLite: they are encoded into a batch (one byte buffer,
//! no allocation per row) that a writer thread inserts through cached prepared
//! statements, so a run's millions of inserts overlap with its normalizing, resolving and
//! metrics instead of following them. Every other statement first waits until the writer
//! has inserted everything appended before it (and reports the first insert that
//! failed), so the connection sees the rows in the order they were appended.

use crate::backend::{Backend, BackendKind, Cell, Param};
use crate::{Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// A batch is handed to the writer thread at this size.
const BATCH_BYTES: usize = 1 << 20;
/// Batches waiting for the writer thread at most: bounds the memory appends can hold.
const BATCHES_QUEUED: usize = 8;

/// A SQLite store file.
pub struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
    /// `INSERT INTO table VALUES (?1, …)` per (table, column count): the index of its SQL
    /// in `statements`, so appends do not format SQL per row.
    insert_sql: RefCell<HashMap<(&'static str, usize), u32>>,
    statements: RefCell<Vec<Arc<str>>>,
    /// The batch being filled and the writer thread (started by the first append).
    appends: RefCell<Appends>,
}

/// Appended rows not yet handed over, and the thread that inserts them.
#[derive(Default)]
struct Appends {
    batch: Vec<u8>,
    writer: Option<Writer>,
}

/// The writer thread and its queue.
struct Writer {
    queue: SyncSender<Message>,
    thread: JoinHandle<()>,
}

/// What the writer thread is asked to do, in order.
enum Message {
    /// Insert these rows (see [`encode_row`] for the layout).
    Rows { statements: Vec<Arc<str>>, rows: Vec<u8> },
    /// Run these statements (after the rows before them).
    Batch(String),
    /// Report the first failure since the last report, once everything before is done.
    Sync(mpsc::Sender<Option<StoreError>>),
}

impl SqliteBackend {
    /// Opens (creating if needed) the SQLite file at `path`. A new file gets 64 KiB pages:
    /// a run writes the dataset in bulk, and large pages make that, the index builds and
    /// the checkpoint markedly faster (an existing file keeps its page size).
    pub fn open(path: &Path) -> Result<SqliteBackend> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteBackend {
            conn: Arc::new(Mutex::new(conn)),
            insert_sql: RefCell::new(HashMap::new()),
            statements: RefCell::new(Vec::new()),
            appends: RefCell::new(Appends::default()),
        })
    }

    /// The connection, once the writer thread has inserted every row appended so far;
    /// the first insert that failed since the last call is returned as the error.
    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.sync()?;
        Ok(self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Hands the batch being filled to the writer thread (starting it if needed).
    fn send_batch(&self, appends: &mut Appends) -> Result<()> {
        if appends.batch.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut appends.batch);
        let statements = self.statements.borrow().clone();
        self.queue(appends, Message::Rows { statements, rows })
    }

    /// Sends `message` to the writer thread after the rows appended so far.
    fn send(&self, appends: &mut Appends, message: Message) -> Result<()> {
        self.send_batch(appends)?;
        self.queue(appends, message)
    }

    /// Puts `message` on the writer thread's queue, starting the thread if needed.
    fn queue(&self, appends: &mut Appends, message: Message) -> Result<()> {
        let writer = match &mut appends.writer {
            Some(writer) => writer,
            None => appends.writer.insert(spawn_writer(Arc::clone(&self.conn))?),
        };
        writer.queue.send(message).map_err(|_| writer_stopped())
    }

    /// Waits until the writer thread has inserted everything appended so far.
    fn sync(&self) -> Result<()> {
        let mut appends = self.appends.borrow_mut();
        if appends.writer.is_none() && appends.batch.is_empty() {
            return Ok(());
        }
        let (reply, answer) = mpsc::channel();
        self.send(&mut appends, Message::Sync(reply))?;
        match answer.recv() {
            Ok(None) => Ok(()),
            Ok(Some(error)) => Err(error),
            Err(_) => Err(writer_stopped()),
        }
    }
}

fn writer_stopped() -> StoreError {
    StoreError::Config("the SQLite writer thread stopped unexpectedly; nothing after its last insert was written".into())
}

fn spawn_writer(conn: Arc<Mutex<Connection>>) -> Result<Writer> {
    let (queue, messages) = mpsc::sync_channel(BATCHES_QUEUED);
    let thread = std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || write_batches(&conn, messages))
        .map_err(|e| StoreError::Config(format!("cannot start the SQLite writer thread: {e}")))?;
    Ok(Writer { queue, thread })
}

/// The writer thread: inserts batches in order; after a failure it skips rows until the
/// failure has been reported (the transaction is then rolled back by its owner).
fn write_batches(conn: &Mutex<Connection>, messages: Receiver<Message>) {
    let mut failure: Option<StoreError> = None;
    for message in messages {
        match message {
            Message::Rows { statements, rows } => {
                if failure.is_none() {
                    let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    failure = insert_rows(&conn, &statements, &rows).err();
                }
            }
            Message::Batch(sql) => {
                if failure.is_none() {
                    let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    failure = conn.execute_batch(&sql).err().map(StoreError::from);
                }
            }
            Message::Sync(reply) => {
                let _ = reply.send(failure.take());
            }
        }
    }
}

/// A value decoded from a batch, bound without copying (text is bound as the bytes it
/// was appended as, which were a `&str`).
enum Bound<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a [u8]),
}

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Bound::Null => ValueRef::Null,
            Bound::Int(n) => ValueRef::Integer(*n),
            Bound::Real(x) => ValueRef::Real(*x),
            Bound::Text(t) => ValueRef::Text(t),
        }))
    }
}

const TAG_NULL: u8 = 0;
const TAG_INT: u8 = 1;
const TAG_REAL: u8 = 2;
const TAG_TEXT: u8 = 3;

/// Appends one row to a batch: the statement's index (u32), the value count (u32), then
/// each value as a tag byte and its payload (8 bytes for numbers; a u32 length and the
/// bytes for text), all little-endian.
fn encode_row(batch: &mut Vec<u8>, statement: u32, row: &[Param]) {
    batch.extend_from_slice(&statement.to_le_bytes());
    batch.extend_from_slice(&(row.len() as u32).to_le_bytes());
    for value in row {
        match value {
            Param::Null => batch.push(TAG_NULL),
            Param::Int(n) => {
                batch.push(TAG_INT);
                batch.extend_from_slice(&n.to_le_bytes());
            }
            Param::Real(x) => {
                batch.push(TAG_REAL);
                batch.extend_from_slice(&x.to_le_bytes());
            }
            Param::Text(t) => {
                batch.push(TAG_TEXT);
                batch.extend_from_slice(&(t.len() as u32).to_le_bytes());
                batch.extend_from_slice(t.as_bytes());
            }
        }
    }
}

/// Reads a batch back (the reverse of [`encode_row`]) and inserts its rows.
fn insert_rows(conn: &Connection, statements: &[Arc<str>], mut rows: &[u8]) -> Result<()> {
    let corrupt = || StoreError::Config("internal error: a batch of appended rows is malformed".into());
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = bytes.split_at_checked(n)?;
        *bytes = rest;
        Some(head)
    }
    fn word<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
        take(bytes, N).and_then(|b| b.try_into().ok())
    }
    let mut values: Vec<Bound> = Vec::with_capacity(16);
    while !rows.is_empty() {
        let statement = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
        let count = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
        values.clear();
        for _ in 0..count {
            let tag = take(&mut rows, 1).ok_or_else(corrupt)?[0];
            values.push(match tag {
                TAG_NULL => Bound::Null,
                TAG_INT => Bound::Int(i64::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?)),
                TAG_REAL => Bound::Real(f64::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?)),
                TAG_TEXT => {
                    let len = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
                    Bound::Text(take(&mut rows, len).ok_or_else(corrupt)?)
                }
                _ => return Err(corrupt()),
            });
        }
        let sql = statements.get(statement).ok_or_else(corrupt)?;
        let mut stmt = conn.prepare_cached(sql)?;
        stmt.execute(rusqlite::params_from_iter(values.iter()))?;
    }
    Ok(())
}

impl Drop for SqliteBackend {
    fn drop(&mut self) {
        // Rows appended outside a transaction are inserted before the connection closes;
        // inside one, the transaction is abandoned with the connection anyway.
        let _ = self.sync();
        let appends = self.appends.get_mut();
        if let Some(Writer { queue, thread }) = appends.writer.take() {
            drop(queue);
            let _ = thread.join();
        }
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
        Ok(self.conn()?.execute_batch(sql)?)
    }

    fn batch_in_background(&self, sql: &str) -> Result<()> {
        self.send(&mut self.appends.borrow_mut(), Message::Batch(sql.to_string()))
    }

    fn execute(&self, sql: &str, params: &[Param]) -> Result<u64> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn for_each(&self, sql: &str, params: &[Param], row: &mut dyn FnMut(&[Cell]) -> Result<()>) -> Result<()> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(sql)?;
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
        let statement = *self.insert_sql.borrow_mut().entry((table, row.len())).or_insert_with(|| {
            let placeholders: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
            let mut statements = self.statements.borrow_mut();
            statements.push(format!("INSERT INTO {table} VALUES ({})", placeholders.join(", ")).into());
            (statements.len() - 1) as u32
        });
        let mut appends = self.appends.borrow_mut();
        encode_row(&mut appends.batch, statement, row);
        if appends.batch.len() >= BATCH_BYTES {
            self.send_batch(&mut appends)?;
        }
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
        Ok(self.conn()?.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn commit(&self) -> Result<()> {
        Ok(self.conn()?.execute_batch("COMMIT")?)
    }

    fn rollback(&self) -> Result<()> {
        // A failed insert is why the transaction is abandoned: it was reported already.
        let _ = self.sync();
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ws-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("store.db")
    }

    fn count(db: &SqliteBackend, table: &str) -> i64 {
        let mut n = -1;
        db.for_each(&format!("SELECT COUNT(*) FROM {table}"), &[], &mut |row| {
            if let Some(Cell::Int(c)) = row.first() {
                n = *c;
            }
            Ok(())
        })
        .unwrap();
        n
    }

    #[test]
    fn appended_rows_keep_their_values_and_order_across_batches() {
        let path = temp_file("order");
        let db = SqliteBackend::open(&path).unwrap();
        db.batch("CREATE TABLE t (n INTEGER, x REAL, s TEXT, z TEXT)").unwrap();
        db.begin_write().unwrap();
        let text = "ünïcode, \"quotes\", tab\there, a NUL \0 and a long tail ".repeat(4);
        for n in 0..30_000_i64 {
            db.append("t", &[Param::Int(n), Param::Real(n as f64 / 4.0), Param::Text(&text), Param::Null]).unwrap();
        }
        db.commit().unwrap();
        let mut seen = 0_i64;
        db.for_each("SELECT n, x, s, z FROM t ORDER BY rowid", &[], &mut |row| {
            assert_eq!(row, &[Cell::Int(seen), Cell::Real(seen as f64 / 4.0), Cell::Text(text.clone()), Cell::Null]);
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, 30_000);
        assert_eq!(db.conn.lock().unwrap().query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap(), 65536);
    }

    #[test]
    fn a_failed_background_batch_is_reported_by_the_next_statement() {
        let db = SqliteBackend::open(&temp_file("background")).unwrap();
        db.batch("CREATE TABLE t (n INTEGER)").unwrap();
        db.append("t", &[Param::Int(1)]).unwrap();
        db.batch_in_background("CREATE INDEX t_missing ON no_such_table(n)").unwrap();
        let error = db.execute("INSERT INTO t VALUES (2)", &[]).unwrap_err();
        assert!(error.to_string().contains("no_such_table"), "{error}");
        // Reported once; the connection goes on working.
        assert_eq!(count(&db, "t"), 1);
        db.batch_in_background("CREATE INDEX t_n ON t(n)").unwrap();
        assert_eq!(count(&db, "t"), 1);
    }

    #[test]
    fn rows_appended_outside_a_transaction_are_written_when_the_store_closes() {
        let path = temp_file("drop");
        {
            let db = SqliteBackend::open(&path).unwrap();
            db.batch("CREATE TABLE t (n INTEGER)").unwrap();
            for n in 0..3 {
                db.append("t", &[Param::Int(n)]).unwrap();
            }
        }
        assert_eq!(count(&SqliteBackend::open(&path).unwrap(), "t"), 3);
    }
}

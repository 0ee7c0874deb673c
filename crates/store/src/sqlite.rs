//! The embedded backend: one SQLite file in WAL mode with 64 KiB pages. Statements are
//! prepared once and cached.
//!
//! Appended rows do not wait for SQLite: they are encoded into a batch (one byte buffer,
//! no allocation per row) that a writer thread inserts through cached prepared
//! statements, so a run's millions of inserts overlap with its normalizing, resolving and
//! metrics instead of following them. Every other statement first waits until the writer
//! has inserted everything appended before it (and reports the first insert that
//! failed), so the connection sees the rows in the order they were appended.

use crate::backend::{Backend, BackendKind, Cell, Param, RowSource};
use crate::{Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::cell::{Cell as Flag, RefCell};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// A batch is handed to the writer thread at this size.
const BATCH_BYTES: usize = 1 << 20;
/// Bytes of batches waiting for the writer thread at most: bounds the memory appends can
/// hold (an appender waits for the writer beyond it). Rows handed over with
/// [`Backend::append_from`] are shared, not copied, and do not count.
const BYTES_QUEUED: usize = 8 << 20;

/// A SQLite store file.
pub struct SqliteBackend {
    conn: Arc<Mutex<Connection>>,
    /// `INSERT INTO table VALUES (?1, …)` per (table, column count): the index of its SQL
    /// in `statements`, so appends do not format SQL per row. Looked up on every append,
    /// so hashed with foldhash.
    insert_sql: RefCell<foldhash::HashMap<(&'static str, usize), u32>>,
    statements: RefCell<Vec<Arc<str>>>,
    /// The batch being filled and the writer thread (started by the first append).
    appends: RefCell<Appends>,
    /// Set while a query's rows are handed out: its callback must not use the backend.
    in_query: Flag<bool>,
    /// The store file was new when opened: it keeps a rollback journal until its first
    /// run commits (see [`SqliteBackend::open`]).
    bulk_load: Flag<bool>,
    /// In a bulk write (foreign keys off): what its commit must still check.
    references: RefCell<Option<ReferenceChecks>>,
    /// The store file, for [`Backend::flush_in_background`].
    path: std::path::PathBuf,
}

/// The references a bulk write has yet to check: those of the tables it appended to
/// since the last check (rows it did not write were checked when they were written).
#[derive(Default)]
struct ReferenceChecks {
    /// Tables appended to since the last check was queued.
    appended: std::collections::BTreeSet<&'static str>,
}

/// Appended rows not yet handed over, and the thread that inserts them.
#[derive(Default)]
struct Appends {
    batch: Vec<u8>,
    writer: Option<Writer>,
    /// The writer thread died during the transaction: it must be rolled back.
    failed: bool,
}

/// The writer thread, its queue and the bytes of batches in it.
struct Writer {
    queue: Sender<Message>,
    queued: Arc<Budget>,
    thread: JoinHandle<()>,
}

/// Bytes of batches queued for the writer thread, and whether the thread has stopped.
#[derive(Default)]
struct Budget {
    state: Mutex<(usize, bool)>,
    freed: Condvar,
}

impl Budget {
    /// Waits until `bytes` more fit under [`BYTES_QUEUED`] (or nothing is queued), then
    /// takes them; false when the writer thread has stopped (nothing will be freed).
    fn take(&self, bytes: usize) -> bool {
        let mut state = lock(&self.state);
        while !state.1 && state.0 > 0 && state.0 + bytes > BYTES_QUEUED {
            state = self.freed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        state.0 += bytes;
        !state.1
    }

    fn give_back(&self, bytes: usize) {
        let mut state = lock(&self.state);
        state.0 = state.0.saturating_sub(bytes);
        self.freed.notify_all();
    }

    /// The writer thread stopped (also when it panics): wake anyone waiting for room.
    fn close(&self) {
        lock(&self.state).1 = true;
        self.freed.notify_all();
    }
}

/// Closes the budget when the writer thread ends, however it ends.
struct CloseOnExit<'a>(&'a Budget);

impl Drop for CloseOnExit<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Marks a query's rows as being handed out until dropped (also by a panicking callback).
struct InQuery<'a>(&'a Flag<bool>);

impl<'a> InQuery<'a> {
    fn start(flag: &'a Flag<bool>) -> Self {
        flag.set(true);
        InQuery(flag)
    }
}

impl Drop for InQuery<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// What the writer thread is asked to do, in order.
enum Message {
    /// Insert these rows (see [`encode_row`] for the layout).
    Rows { statements: Vec<Arc<str>>, rows: Vec<u8> },
    /// Run these statements (after the rows before them).
    Batch(String),
    /// Insert the rows `source` produces into `table`.
    Source { table: &'static str, source: Box<dyn RowSource> },
    /// Check these tables' references (foreign keys), after the rows before.
    CheckReferences(Vec<&'static str>),
    /// Report the first failure, once everything before is done.
    Sync(mpsc::Sender<Option<StoreError>>),
    /// A new transaction (or none): forget the failure of the last one.
    Reset,
}

/// Puts the store in WAL mode (with the `synchronous` level WAL needs). Refused while a
/// new store's first run holds the file: the connection then keeps the rollback journal
/// (and its full syncs), and a later open switches the store.
fn switch_to_wal(conn: &Connection) -> Result<()> {
    match conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())) {
        Ok(()) => Ok(conn.execute_batch("PRAGMA synchronous=NORMAL;")?),
        Err(e) if crate::is_locked(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl SqliteBackend {
    /// Opens (creating if needed) the SQLite file at `path`. A new file gets 64 KiB pages:
    /// a run writes the dataset in bulk, and large pages make that, the index builds and
    /// the checkpoint markedly faster (an existing file keeps its page size).
    ///
    /// The store is in WAL mode, so that readers (the dashboard, `kpis`) read while a run
    /// writes; but a file that does not exist yet (or is empty) keeps a rollback journal
    /// until its first run commits. The first run's pages are all new: with a rollback
    /// journal they are written once, where WAL writes them twice (to the log, then to the
    /// file at the checkpoint), which at a million opportunities is over a gigabyte and
    /// several seconds more. The journal, synced in full, keeps that run atomic and safe
    /// from a crash or power loss all the same. The price: while that first run holds the
    /// lock, a reader sees the empty store until the run spills pages to the file, then
    /// waits (busy timeout) and is told a run holds the store ([`StoreError::Locked`]).
    pub fn open(path: &Path) -> Result<SqliteBackend> {
        let bulk_load = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
        let conn = Connection::open(path)?;
        if bulk_load {
            conn.execute_batch("PRAGMA page_size=65536; PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")?;
        } else {
            switch_to_wal(&conn)?;
        }
        conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteBackend {
            conn: Arc::new(Mutex::new(conn)),
            insert_sql: RefCell::default(),
            statements: RefCell::new(Vec::new()),
            appends: RefCell::new(Appends::default()),
            in_query: Flag::new(false),
            bulk_load: Flag::new(bulk_load),
            references: RefCell::new(None),
            path: path.to_path_buf(),
        })
    }

    /// Starts the writing transaction; a bulk one with foreign keys off (they cannot be
    /// switched inside a transaction), its references checked set-wise instead
    /// ([`Backend::check_references_in_background`], [`Backend::commit`]).
    fn begin_transaction(&self, bulk: bool) -> Result<()> {
        // A failure outside any transaction was reported (or is, here) and concerns no
        // transaction to come.
        let before = self.sync();
        self.reset()?;
        match before {
            Err(StoreError::TransactionFailed) => {}
            other => other?,
        }
        let conn = self.conn()?;
        conn.execute_batch(if bulk { "PRAGMA foreign_keys=OFF" } else { "PRAGMA foreign_keys=ON" })?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        *self.references.borrow_mut() = bulk.then(ReferenceChecks::default);
        Ok(())
    }

    /// Notes, in a bulk write, a table appended to: its references are checked by the
    /// next check (in the background, or at commit).
    fn appended_to(&self, table: &'static str) {
        if let Some(checks) = self.references.borrow_mut().as_mut() {
            checks.appended.insert(table);
        }
    }

    /// Refuses use of the backend from inside a query's row callback (it would deadlock).
    fn not_in_query(&self) -> Result<()> {
        if self.in_query.get() {
            return Err(StoreError::Config("internal error: the store was used while a query's rows were being read".into()));
        }
        Ok(())
    }

    /// The connection, once the writer thread has inserted every row appended so far;
    /// a failed insert of the transaction is returned as the error.
    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.sync()?;
        Ok(lock(&self.conn))
    }

    /// Hands the batch being filled to the writer thread (starting it if needed).
    fn send_batch(&self, appends: &mut Appends) -> Result<()> {
        if appends.batch.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut appends.batch);
        let statements = self.statements.borrow().clone();
        if !self.writer(appends)?.queued.take(rows.len()) {
            return Err(writer_stopped(appends));
        }
        self.queue(appends, Message::Rows { statements, rows })
    }

    /// Sends `message` to the writer thread after the rows appended so far.
    fn send(&self, appends: &mut Appends, message: Message) -> Result<()> {
        self.not_in_query()?;
        self.send_batch(appends)?;
        self.queue(appends, message)
    }

    /// The writer thread, started if needed.
    fn writer<'a>(&self, appends: &'a mut Appends) -> Result<&'a Writer> {
        if appends.writer.is_none() {
            appends.writer = Some(spawn_writer(Arc::clone(&self.conn))?);
        }
        appends.writer.as_ref().ok_or_else(|| StoreError::Config("internal error: no SQLite writer thread".into()))
    }

    /// Puts `message` on the writer thread's queue.
    fn queue(&self, appends: &mut Appends, message: Message) -> Result<()> {
        if self.writer(appends)?.queue.send(message).is_err() {
            return Err(writer_stopped(appends));
        }
        Ok(())
    }

    /// Waits until the writer thread has inserted everything appended so far.
    fn sync(&self) -> Result<()> {
        self.not_in_query()?;
        let mut appends = self.appends.borrow_mut();
        if appends.failed {
            return Err(StoreError::TransactionFailed);
        }
        if appends.writer.is_none() && appends.batch.is_empty() {
            return Ok(());
        }
        let (reply, answer) = mpsc::channel();
        self.send(&mut appends, Message::Sync(reply))?;
        match answer.recv() {
            Ok(None) => Ok(()),
            Ok(Some(error)) => Err(error),
            Err(_) => Err(writer_stopped(&mut appends)),
        }
    }

    /// Forgets a failed insert once its transaction is over (or a new one begins).
    fn reset(&self) -> Result<()> {
        let mut appends = self.appends.borrow_mut();
        appends.failed = false;
        if appends.writer.is_none() {
            return Ok(());
        }
        self.queue(&mut appends, Message::Reset)
    }
}

/// The writer thread died (a panic): what it said. Whatever it had not written is lost,
/// so the transaction fails until rolled back; a new thread starts with the next append.
fn writer_stopped(appends: &mut Appends) -> StoreError {
    appends.failed = true;
    appends.batch.clear();
    let why = match appends.writer.take().map(|w| w.thread.join()) {
        Some(Err(panic)) => panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into()),
        _ => "unknown".into(),
    };
    StoreError::Config(format!("the SQLite writer thread stopped ({why}); the transaction's later inserts were not written"))
}

fn spawn_writer(conn: Arc<Mutex<Connection>>) -> Result<Writer> {
    let (queue, messages) = mpsc::channel();
    let queued = Arc::new(Budget::default());
    let budget = Arc::clone(&queued);
    let thread = std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || write_batches(&conn, messages, &budget))
        .map_err(|e| StoreError::Config(format!("cannot start the SQLite writer thread: {e}")))?;
    Ok(Writer { queue, queued, thread })
}

/// The writer thread: inserts in order. After a failure it skips everything until
/// [`Message::Reset`] (the transaction is rolled back by its owner), and every sync
/// reports it, so that no later statement of that transaction, commit included, succeeds.
fn write_batches(conn: &Mutex<Connection>, messages: Receiver<Message>, queued: &Budget) {
    let _close = CloseOnExit(queued);
    let mut failure: Option<StoreError> = None;
    let mut failed = false;
    for message in messages {
        let outcome = match message {
            Message::Rows { statements, rows } => {
                let outcome = if failed { Ok(()) } else { insert_rows(&lock(conn), &statements, &rows) };
                queued.give_back(rows.len());
                outcome
            }
            Message::Source { table, source } if !failed => insert_from(&lock(conn), table, &*source),
            Message::Batch(sql) if !failed => lock(conn).execute_batch(&sql).map_err(StoreError::from),
            Message::CheckReferences(tables) if !failed => check_references(&lock(conn), &tables),
            Message::Source { .. } | Message::Batch(_) | Message::CheckReferences(_) => Ok(()),
            Message::Sync(reply) => {
                let report = match (&failure, failed) {
                    (_, false) => None,
                    (Some(_), true) => failure.take(),
                    (None, true) => Some(StoreError::TransactionFailed),
                };
                let _ = reply.send(report);
                Ok(())
            }
            Message::Reset => {
                (failure, failed) = (None, false);
                Ok(())
            }
        };
        if let Err(e) = outcome {
            (failure, failed) = (Some(e), true);
        }
    }
}

/// Checks that every row of `tables` refers (by its foreign keys) to existing rows:
/// `PRAGMA foreign_key_check` walks each table once (about 1 s for the dataset of a
/// 1M-opportunity run, where checking each inserted row cost several).
fn check_references(conn: &Connection, tables: &[&str]) -> Result<()> {
    // The first broken reference (table, row id, parent table), and how many there are.
    let mut first: Option<(String, i64, String)> = None;
    let mut count = 0usize;
    for table in tables {
        let mut stmt = conn.prepare(&format!("PRAGMA foreign_key_check(\"{}\")", table.replace('"', "\"\"")))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            count += 1;
            if first.is_none() {
                first = Some((row.get(0)?, row.get::<_, Option<i64>>(1)?.unwrap_or_default(), row.get(2)?));
            }
        }
    }
    match first {
        Some((table, rowid, parent)) => Err(StoreError::BrokenReference { table, rowid, parent, count }),
        None => Ok(()),
    }
}

/// A mutex's guard, also after a thread panicked holding it (the data stays usable: a
/// connection rolls back, a budget is a count).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `INSERT` of a row of `columns` values into `table`.
fn insert_sql(table: &str, columns: usize) -> String {
    let placeholders: Vec<String> = (1..=columns).map(|i| format!("?{i}")).collect();
    format!("INSERT INTO {table} VALUES ({})", placeholders.join(", "))
}

/// Inserts the rows `source` produces into `table` (on the writer thread).
fn insert_from(conn: &Connection, table: &str, source: &dyn RowSource) -> Result<()> {
    let mut statement: Option<(usize, rusqlite::CachedStatement<'_>)> = None;
    source.rows(&mut |row| {
        let stmt = match &mut statement {
            Some((columns, stmt)) if *columns == row.len() => stmt,
            _ => &mut statement.insert((row.len(), conn.prepare_cached(&insert_sql(table, row.len()))?)).1,
        };
        stmt.execute(rusqlite::params_from_iter(row))?;
        Ok(())
    })
}

const TAG_NULL: u8 = 0;
const TAG_INT: u8 = 1;
const TAG_REAL: u8 = 2;
const TAG_TEXT: u8 = 3;

/// Appends one row to a batch: the statement's index (u32), the value count (u32), then
/// each value as a tag byte and its payload (8 bytes for numbers; a u32 length and the
/// bytes for text), all little-endian. A text of 4 GiB or more is refused.
fn encode_row(batch: &mut Vec<u8>, statement: u32, row: &[Param]) -> Result<()> {
    let start = batch.len();
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
                let Ok(len) = u32::try_from(t.len()) else {
                    batch.truncate(start);
                    return Err(StoreError::Config(format!("a value of {} bytes is too large for the store", t.len())));
                };
                batch.push(TAG_TEXT);
                batch.extend_from_slice(&len.to_le_bytes());
                batch.extend_from_slice(t.as_bytes());
            }
        }
    }
    Ok(())
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
    // Decoded values are bound as they lie in the batch (text as the bytes of the `&str` it
    // was appended as), without a copy.
    let mut values: Vec<ToSqlOutput> = Vec::with_capacity(16);
    // Each statement taken from the connection's cache once per batch, not once per row
    // (the cache hashes the SQL text on every lookup).
    let mut prepared: Vec<Option<rusqlite::CachedStatement<'_>>> = Vec::new();
    while !rows.is_empty() {
        let statement = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
        let count = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
        values.clear();
        for _ in 0..count {
            let tag = take(&mut rows, 1).ok_or_else(corrupt)?[0];
            values.push(match tag {
                TAG_NULL => ToSqlOutput::Borrowed(ValueRef::Null),
                TAG_INT => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?))),
                TAG_REAL => ToSqlOutput::Borrowed(ValueRef::Real(f64::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?))),
                TAG_TEXT => {
                    let len = u32::from_le_bytes(word(&mut rows).ok_or_else(corrupt)?) as usize;
                    ToSqlOutput::Borrowed(ValueRef::Text(take(&mut rows, len).ok_or_else(corrupt)?))
                }
                _ => return Err(corrupt()),
            });
        }
        let sql = statements.get(statement).ok_or_else(corrupt)?;
        if prepared.len() <= statement {
            prepared.resize_with(statement + 1, || None);
        }
        let stmt = match &mut prepared[statement] {
            Some(stmt) => stmt,
            slot @ None => slot.insert(conn.prepare_cached(sql)?),
        };
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
        if let Some(Writer { queue, thread, .. }) = appends.writer.take() {
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

    fn append_from(&self, table: &'static str, rows: Box<dyn RowSource>) -> Result<()> {
        self.appended_to(table);
        self.send(&mut self.appends.borrow_mut(), Message::Source { table, source: rows })
    }

    fn batch_in_background(&self, sql: &str) -> Result<()> {
        self.send(&mut self.appends.borrow_mut(), Message::Batch(sql.to_string()))
    }

    fn begin_bulk_write(&self) -> Result<()> {
        self.begin_transaction(true)
    }

    /// Syncs the store file and its write-ahead log (when there is one) on a thread of
    /// its own, through handles of its own: at a 1M run's end the page cache holds over
    /// a gigabyte the commit would otherwise wait to see written (0.46–0.49 s of commit
    /// → 0.06 s). What the writer thread has not written yet is left to the commit; a
    /// failure here changes nothing (the commit syncs, and reports, all the same).
    fn flush_in_background(&self) -> Result<()> {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let files = [self.path.clone(), std::path::PathBuf::from(wal)];
        std::thread::Builder::new()
            .name("sqlite-flush".into())
            .spawn(move || {
                for file in files {
                    let _ = std::fs::File::open(file).and_then(|f| f.sync_data());
                }
            })
            .map_err(|e| StoreError::Config(format!("cannot start the SQLite flush thread: {e}")))?;
        Ok(())
    }

    fn check_references_in_background(&self) -> Result<()> {
        let mut references = self.references.borrow_mut();
        let Some(checks) = references.as_mut() else { return Ok(()) };
        let tables: Vec<&'static str> = std::mem::take(&mut checks.appended).into_iter().collect();
        drop(references);
        self.send(&mut self.appends.borrow_mut(), Message::CheckReferences(tables))
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
            let _in_query = InQuery::start(&self.in_query);
            row(&cells)?;
        }
        Ok(())
    }

    fn append(&self, table: &'static str, row: &[Param]) -> Result<()> {
        let statement = *self.insert_sql.borrow_mut().entry((table, row.len())).or_insert_with(|| {
            let mut statements = self.statements.borrow_mut();
            statements.push(insert_sql(table, row.len()).into());
            (statements.len() - 1) as u32
        });
        self.not_in_query()?;
        self.appended_to(table);
        let mut appends = self.appends.borrow_mut();
        encode_row(&mut appends.batch, statement, row)?;
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
        self.begin_transaction(false)
    }

    fn commit(&self) -> Result<()> {
        // A bulk write's references: of the tables appended to since the check queued in
        // the background (whose failure `conn` reports), or since it began.
        let checks = self.references.borrow_mut().take();
        let conn = self.conn()?;
        if let Some(checks) = checks {
            check_references(&conn, &checks.appended.into_iter().collect::<Vec<_>>())?;
        }
        conn.execute_batch("COMMIT")?;
        // Committed whatever this answers; the next transaction sets foreign keys anyway.
        let _ = conn.execute_batch("PRAGMA foreign_keys=ON");
        Ok(())
    }

    fn run_committed(&self) -> Result<()> {
        if self.bulk_load.replace(false) {
            // From here on readers may come: WAL lets them read while later runs write.
            switch_to_wal(&*self.conn()?)?;
        }
        Ok(())
    }

    fn rollback(&self) -> Result<()> {
        // A failed insert is why the transaction is abandoned: it was reported already.
        let _ = self.sync();
        self.reset()?;
        let conn = lock(&self.conn);
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        // Back from a bulk write: every later statement checks its references again.
        self.references.borrow_mut().take();
        conn.execute_batch("PRAGMA foreign_keys=ON")?;
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

    /// A new store file with one table.
    fn open_with(name: &str, ddl: &str) -> (std::path::PathBuf, SqliteBackend) {
        let path = temp_file(name);
        let db = SqliteBackend::open(&path).unwrap();
        db.batch(ddl).unwrap();
        (path, db)
    }

    fn remove(path: &Path) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// A command that opens a new store while its first run writes it is not refused: it
    /// reads the empty store (until the run holds the file: then it waits, and is told).
    #[test]
    fn a_reader_during_a_new_stores_first_run_reads_the_store_before_it() {
        let path = temp_file("first-run-reader");
        let run = SqliteBackend::open(&path).unwrap();
        run.batch("CREATE TABLE t (x INTEGER)").unwrap();
        run.begin_write().unwrap();
        run.append("t", &[Param::Int(1)]).unwrap();
        assert_eq!(count(&run, "t"), 1, "written inside the run's transaction");
        let reader = SqliteBackend::open(&path).unwrap();
        assert_eq!(journal_mode(&reader), "delete");
        assert_eq!(count(&reader, "t"), 0);
        run.commit().unwrap();
        run.run_committed().unwrap();
        assert_eq!(journal_mode(&run), "wal");
        assert_eq!(count(&reader, "t"), 1);
        drop((run, reader));
        remove(&path);
    }

    fn journal_mode(db: &SqliteBackend) -> String {
        let mut mode = String::new();
        db.for_each("PRAGMA journal_mode", &[], &mut |row| {
            if let Some(Cell::Text(m)) = row.first() {
                mode = m.clone();
            }
            Ok(())
        })
        .unwrap();
        mode
    }

    /// A new (or empty) store file is filled by its first run with a rollback journal
    /// (every page written once), then is a WAL store for good.
    #[test]
    fn a_new_store_is_bulk_loaded_then_switches_to_wal() {
        let path = temp_file("bulk");
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(journal_mode(&db), "delete");
        db.begin_write().unwrap();
        db.batch("CREATE TABLE t (x INTEGER)").unwrap();
        db.append("t", &[Param::Int(1)]).unwrap();
        db.commit().unwrap();
        assert_eq!(journal_mode(&db), "delete", "committed, but not yet as a run");
        db.run_committed().unwrap();
        assert_eq!(journal_mode(&db), "wal");
        drop(db);
        // An existing store opens in WAL from the start, and stays there.
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(journal_mode(&db), "wal");
        assert_eq!(count(&db, "t"), 1);
        db.run_committed().unwrap();
        assert_eq!(journal_mode(&db), "wal");
        drop(db);
        remove(&path);
        // An empty file (created by hand, say) is a new store.
        let empty = temp_file("bulk-empty");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(journal_mode(&SqliteBackend::open(&empty).unwrap()), "delete");
        remove(&empty);
    }

    /// A busy or locked store says what holds it and what to do, other errors keep
    /// SQLite's words.
    #[test]
    fn a_locked_store_says_who_holds_it() {
        let busy = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
        let message = StoreError::from(busy).to_string();
        assert!(message.contains("locked by another process") && message.contains("help: a run holds the lock"), "{message}");
        let other = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT), None);
        assert!(matches!(StoreError::from(other), StoreError::Sqlite(_)));
    }

    /// Syncing the file mid-transaction, from another handle, in both journal modes,
    /// changes nothing the transaction does: its rows commit whole, or roll back.
    #[test]
    fn a_background_flush_leaves_the_transaction_whole() {
        let (path, db) = open_with("flush", "CREATE TABLE t (n INTEGER, s TEXT)");
        let filler = "x".repeat(200);
        for (run, keep) in [(0_i64, true), (1, false), (2, true)] {
            // The first run on the new file has a rollback journal; later ones are in WAL.
            db.begin_bulk_write().unwrap();
            for n in 0..20_000 {
                db.append("t", &[Param::Int(run * 100_000 + n), Param::Text(&filler)]).unwrap();
            }
            db.flush_in_background().unwrap();
            for n in 20_000..40_000 {
                db.append("t", &[Param::Int(run * 100_000 + n), Param::Text(&filler)]).unwrap();
            }
            if keep {
                db.commit().unwrap();
                db.run_committed().unwrap();
            } else {
                db.rollback().unwrap();
            }
        }
        assert_eq!(journal_mode(&db), "wal");
        drop(db);
        let db = SqliteBackend::open(&path).unwrap();
        assert_eq!(count(&db, "t"), 80_000);
        assert_eq!(count(&db, "t WHERE n >= 100000 AND n < 200000"), 0, "the rolled back run left nothing");
        remove(&path);
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
        let (path, db) = open_with("order", "CREATE TABLE t (n INTEGER, x REAL, s TEXT, z TEXT)");
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
        drop(db);
        remove(&path);
    }

    #[test]
    fn a_failed_background_batch_is_reported_by_the_next_statement() {
        let (path, db) = open_with("background", "CREATE TABLE t (n INTEGER)");
        db.append("t", &[Param::Int(1)]).unwrap();
        db.batch_in_background("CREATE INDEX t_missing ON no_such_table(n)").unwrap();
        let error = db.execute("INSERT INTO t VALUES (2)", &[]).unwrap_err();
        assert!(error.to_string().contains("no_such_table"), "{error}");
        // Outside a transaction the failure concerns nothing to come: a transaction begins.
        db.begin_write().unwrap();
        db.batch_in_background("CREATE INDEX t_n ON t(n)").unwrap();
        db.commit().unwrap();
        assert_eq!(count(&db, "sqlite_master WHERE type = 'index' AND name = 't_n'"), 1);
        assert_eq!(count(&db, "t"), 1);
        remove(&path);
    }

    #[test]
    fn a_bulk_write_checks_references_once_and_fails_its_commit_on_a_broken_one() {
        let (path, db) = open_with(
            "references",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER REFERENCES parent(id)); CREATE TABLE other (id INTEGER REFERENCES parent(id));",
        );
        let foreign_keys = |db: &SqliteBackend| count(db, "pragma_foreign_keys WHERE foreign_keys = 1");
        // A broken reference written before the background check, then one after it.
        for after_check in [false, true] {
            db.begin_bulk_write().unwrap();
            assert_eq!(foreign_keys(&db), 0, "a bulk write checks references set-wise");
            db.append("parent", &[Param::Int(1)]).unwrap();
            db.append("child", &[Param::Int(1)]).unwrap();
            if !after_check {
                db.append("child", &[Param::Int(2)]).unwrap();
            }
            db.check_references_in_background().unwrap();
            if after_check {
                db.append("other", &[Param::Int(3)]).unwrap();
            }
            match db.commit() {
                Err(StoreError::BrokenReference { table, parent, count, .. }) => {
                    assert_eq!((table.as_str(), parent.as_str(), count), (if after_check { "other" } else { "child" }, "parent", 1));
                }
                other => panic!("expected a broken reference, got {other:?}"),
            }
            db.rollback().unwrap();
            assert_eq!((count(&db, "parent"), count(&db, "child"), count(&db, "other")), (0, 0, 0));
            assert_eq!(foreign_keys(&db), 1, "after a bulk write every statement checks its references again");
        }
        // Without a background check the commit checks every table appended to; a sound write commits.
        db.begin_bulk_write().unwrap();
        db.append("parent", &[Param::Int(1)]).unwrap();
        db.append("child", &[Param::Int(1)]).unwrap();
        db.commit().unwrap();
        assert_eq!(foreign_keys(&db), 1);
        assert_eq!(count(&db, "child"), 1);
        // An ordinary write checks each row as it goes.
        db.begin_write().unwrap();
        assert!(db.execute("INSERT INTO child VALUES (9)", &[]).unwrap_err().to_string().contains("FOREIGN KEY"));
        db.rollback().unwrap();
        remove(&path);
    }

    #[test]
    fn a_failed_insert_fails_every_later_statement_of_its_transaction() {
        let (path, db) = open_with("sticky", "CREATE TABLE t (n INTEGER PRIMARY KEY)");
        db.begin_write().unwrap();
        for n in [1, 1, 2, 3] {
            db.append("t", &[Param::Int(n)]).unwrap();
        }
        assert!(db.execute("INSERT INTO t VALUES (4)", &[]).unwrap_err().to_string().contains("UNIQUE"));
        // Ignoring the error does not let the transaction commit without rows 2 and 3.
        assert!(db.execute("INSERT INTO t VALUES (5)", &[]).is_err());
        assert!(db.commit().unwrap_err().to_string().contains("earlier insert"));
        db.rollback().unwrap();
        assert_eq!(count(&db, "t"), 0);
        db.begin_write().unwrap();
        db.append("t", &[Param::Int(7)]).unwrap();
        db.commit().unwrap();
        assert_eq!(count(&db, "t"), 1);
        remove(&path);
    }

    #[test]
    fn using_the_store_inside_a_query_callback_is_an_error_not_a_hang() {
        let (path, db) = open_with("reentry", "CREATE TABLE t (n INTEGER)");
        db.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
        let mut inner = Vec::new();
        db.for_each("SELECT n FROM t", &[], &mut |_| {
            inner.push(db.execute("INSERT INTO t VALUES (2)", &[]).is_err());
            inner.push(db.append("t", &[Param::Int(3)]).is_err());
            Ok(())
        })
        .unwrap();
        assert_eq!(inner, vec![true, true]);
        assert_eq!(count(&db, "t"), 1);
        remove(&path);
    }

    /// Rows whose production panics after a while, as a bug in a row source would.
    struct PanicsLater;

    impl RowSource for PanicsLater {
        fn rows(&self, _row: &mut dyn FnMut(&[Param]) -> Result<()>) -> Result<()> {
            std::thread::sleep(std::time::Duration::from_millis(200));
            panic!("row source bug")
        }
    }

    #[test]
    fn a_writer_thread_that_dies_under_load_fails_the_transaction_and_is_replaced() {
        // On a thread of its own, so that a hang fails the test instead of stalling it.
        let (done, outcome) = mpsc::channel();
        std::thread::spawn(move || {
            let (path, db) = open_with("panic", "CREATE TABLE t (n INTEGER, s TEXT)");
            db.begin_write().unwrap();
            db.append("t", &[Param::Int(1), Param::Text("first")]).unwrap();
            db.append_from("t", Box::new(PanicsLater)).unwrap();
            // 20+ MB of rows: more than the queue holds while the writer is stuck.
            let filler = "x".repeat(100);
            let error = (2..200_000)
                .find_map(|n| db.append("t", &[Param::Int(n), Param::Text(&filler)]).err())
                .unwrap_or_else(|| db.execute("INSERT INTO t VALUES (0, '')", &[]).unwrap_err());
            assert!(error.to_string().contains("row source bug"), "{error}");
            // Whatever the dead thread had not written is lost: the transaction cannot commit.
            assert!(matches!(db.execute("INSERT INTO t VALUES (0, '')", &[]), Err(StoreError::TransactionFailed)));
            assert!(db.commit().is_err());
            db.rollback().unwrap();
            assert_eq!(count(&db, "t"), 0);
            // A new writer thread takes over.
            db.begin_write().unwrap();
            db.append("t", &[Param::Int(7), Param::Null]).unwrap();
            db.commit().unwrap();
            assert_eq!(count(&db, "t"), 1);
            drop(db);
            remove(&path);
            done.send(()).unwrap();
        });
        outcome.recv_timeout(std::time::Duration::from_secs(120)).expect("the store hung after its writer thread died");
    }

    #[test]
    fn a_full_queue_makes_the_appender_wait_until_the_writer_frees_room_or_stops() {
        use std::time::Duration;
        let budget = Arc::new(Budget::default());
        assert!(budget.take(BYTES_QUEUED));
        let waiter = |budget: &Arc<Budget>| {
            let (sender, taken) = mpsc::channel();
            let budget = Arc::clone(budget);
            std::thread::spawn(move || sender.send(budget.take(1)).unwrap());
            taken
        };
        let taken = waiter(&budget);
        assert!(taken.recv_timeout(Duration::from_millis(300)).is_err(), "a full queue must make the appender wait");
        budget.give_back(BYTES_QUEUED);
        assert_eq!(taken.recv_timeout(Duration::from_secs(30)), Ok(true));
        budget.give_back(1);
        assert!(budget.take(BYTES_QUEUED));
        let taken = waiter(&budget);
        assert!(taken.recv_timeout(Duration::from_millis(300)).is_err());
        budget.close();
        assert_eq!(taken.recv_timeout(Duration::from_secs(30)), Ok(false), "a stopped writer must not leave the appender waiting");
    }

    #[test]
    fn a_panicking_query_callback_leaves_the_store_usable() {
        let (path, db) = open_with("callback", "CREATE TABLE t (n INTEGER)");
        db.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = db.for_each("SELECT n FROM t", &[], &mut |_| panic!("callback bug"));
        }));
        assert!(caught.is_err());
        db.execute("INSERT INTO t VALUES (2)", &[]).unwrap();
        assert_eq!(count(&db, "t"), 2);
        remove(&path);
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
        remove(&path);
    }
}

//! The Rust API, in the style of rusqlite.
//!
//! A [`Database`] is a handle to one database (cheap to clone, `Send` and `Sync`).
//! [`Database::connect`] gives a [`Connection`], which is `Send` but not `Sync`: use one
//! per thread. Connections run SQL with `$1`/`?` parameters, prepare reusable
//! statements, and open transactions that roll back when dropped.

mod convert;

pub use convert::{FromValue, Params, RowIndex, ToValue};

use crate::durability::vfs::Vfs;
use crate::durability::wal::SyncMode;
use crate::durability::DurabilityOptions;
use crate::engine::{Clock, Engine, EngineStats, SystemClock};
use crate::error::{Error, Result, SqlState};
use crate::session::{Prepared, Session, StatementResult};
use crate::types::{DataType, Value};
use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

/// Options for opening a database.
#[derive(Clone)]
pub struct Options {
    /// The clock used for `now()` and row expiry.
    pub clock: Arc<dyn Clock>,
    /// When a commit is durable: `Full` (fsync before returning, the default),
    /// `Normal` (fsync within 100 ms) or `Off`. On-disk databases only.
    pub sync: SyncMode,
    /// Log bytes after which a checkpoint runs automatically (64 MiB by default).
    pub checkpoint_bytes: u64,
    /// The file backend; tests substitute a fault-injecting one.
    pub vfs: Arc<dyn Vfs>,
}

impl Default for Options {
    fn default() -> Self {
        let d = DurabilityOptions::default();
        Options { clock: Arc::new(SystemClock), sync: d.sync, checkpoint_bytes: d.checkpoint_bytes, vfs: d.vfs }
    }
}

/// A database.
#[derive(Clone)]
pub struct Database {
    engine: Arc<Engine>,
}

impl Database {
    /// Opens a database that lives in memory only.
    pub fn open_in_memory() -> Result<Database> {
        Self::open_in_memory_with(Options::default())
    }

    /// Opens an in-memory database with options.
    pub fn open_in_memory_with(options: Options) -> Result<Database> {
        Ok(Database { engine: Engine::new(options.clock) })
    }

    /// Opens (or creates) a database stored in a directory.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Self::open_with(path, Options::default())
    }

    /// Opens an on-disk database with options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Database> {
        let d = DurabilityOptions {
            sync: options.sync,
            checkpoint_bytes: options.checkpoint_bytes,
            vfs: options.vfs,
            ..DurabilityOptions::default()
        };
        Ok(Database { engine: Engine::open(path.as_ref(), d, options.clock)? })
    }

    /// Writes a checkpoint now (on-disk databases; a no-op in memory).
    pub fn checkpoint(&self) -> Result<()> {
        self.engine.checkpoint().map(|_| ())
    }

    /// A new connection.
    pub fn connect(&self) -> Connection {
        Connection { session: RefCell::new(Session::new(self.engine.clone())) }
    }

    /// Engine counters (statements parsed, planned and executed).
    pub fn stats(&self) -> &EngineStats {
        &self.engine.stats
    }

    /// The engine, for servers built on the session API.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

/// A result column: name and type.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
}

/// A connection: one session.
pub struct Connection {
    session: RefCell<Session>,
}

impl Connection {
    fn run(&self, sql: &str, params: Vec<Value>) -> Result<StatementResult> {
        let mut s = self.session.borrow_mut();
        let mut results = s.execute(sql, &params)?;
        results.pop().ok_or_else(|| Error::new(SqlState::SYNTAX_ERROR, "empty statement"))
    }

    /// Runs one statement and returns the number of rows it affected.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<u64> {
        Ok(self.run(sql, params.into_values())?.affected)
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &str, params: impl Params) -> Result<Rows> {
        Ok(Rows::from_result(self.run(sql, params.into_values())?))
    }

    /// Runs a query and maps its first row; errors if there is none.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        let mut rows = self.query(sql, params)?;
        match rows.next() {
            Some(r) => f(&r),
            None => Err(Error::new(SqlState("P0002"), "query returned no rows")),
        }
    }

    /// Runs a script of statements separated by semicolons, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        self.session.borrow_mut().execute(sql, &[])?;
        Ok(())
    }

    /// Prepares a statement for repeated use. Preparing the same text again returns the
    /// cached statement, with its plan.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        let prepared = self.session.borrow_mut().prepare(sql)?;
        Ok(Statement { conn: self, prepared })
    }

    /// Starts a transaction that rolls back unless committed.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction { conn: self, done: false })
    }

    /// Runs `f` with the session, for callers that need the full session API.
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> T) -> T {
        f(&mut self.session.borrow_mut())
    }
}

/// A prepared statement.
pub struct Statement<'c> {
    conn: &'c Connection,
    prepared: Arc<Prepared>,
}

impl Statement<'_> {
    fn run(&mut self, params: Vec<Value>) -> Result<StatementResult> {
        self.conn.session.borrow_mut().execute_prepared(&self.prepared, &params)
    }

    /// Runs the statement; returns the rows affected.
    pub fn execute(&mut self, params: impl Params) -> Result<u64> {
        Ok(self.run(params.into_values())?.affected)
    }

    /// Runs the statement as a query.
    pub fn query(&mut self, params: impl Params) -> Result<Rows> {
        Ok(Rows::from_result(self.run(params.into_values())?))
    }

    /// Runs the query and maps its first row.
    pub fn query_row<T>(&mut self, params: impl Params, f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next() {
            Some(r) => f(&r),
            None => Err(Error::new(SqlState("P0002"), "query returned no rows")),
        }
    }

    /// The number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.prepared.param_types.len()
    }

    /// The inferred parameter types.
    pub fn parameter_types(&self) -> &[DataType] {
        &self.prepared.param_types
    }

    /// The names of the result columns.
    pub fn column_names(&self) -> Vec<&str> {
        self.prepared.columns.iter().flatten().map(|c| c.name.as_str()).collect()
    }
}

/// The rows of a query.
pub struct Rows {
    columns: Arc<[Column]>,
    rows: std::vec::IntoIter<Vec<Value>>,
}

impl Rows {
    fn from_result(r: StatementResult) -> Rows {
        let columns: Arc<[Column]> = r
            .columns
            .map(|c| c.iter().map(|c| Column { name: c.name.clone(), ty: c.ty.clone() }).collect())
            .unwrap_or_else(|| Arc::from(Vec::new()));
        Rows { columns, rows: r.rows.into_iter() }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

impl Iterator for Rows {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        self.rows.next().map(|values| Row { columns: self.columns.clone(), values })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

/// One row of a result.
#[derive(Clone, Debug)]
pub struct Row {
    columns: Arc<[Column]>,
    values: Vec<Value>,
}

impl Row {
    /// A typed column value, by position or name.
    pub fn get<T: FromValue>(&self, idx: impl RowIndex) -> Result<T> {
        let i = idx.index(&self.columns)?;
        T::from_value(&self.values[i])
            .map_err(|e| Error::new(e.code(), format!("column {} ({}): {}", i, self.columns[i].name, e.message())))
    }

    /// The raw value of a column.
    pub fn value(&self, idx: impl RowIndex) -> Result<&Value> {
        let i = idx.index(&self.columns)?;
        Ok(&self.values[i])
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A transaction; rolls back when dropped without commit.
pub struct Transaction<'c> {
    conn: &'c Connection,
    done: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

//! The adapter that runs sqllogictest files against Cachet.

use crate::db::{Cell, SltDatabase};
use cachet::{Connection, Database, Options, SyncMode, Value};

/// A Cachet database under test, with one connection.
pub struct CachetDb {
    conn: Connection,
    _db: Database,
    /// The directory of an on-disk database, removed when the database is dropped.
    _dir: Option<tempfile::TempDir>,
}

impl CachetDb {
    /// A fresh in-memory database.
    pub fn in_memory() -> Result<Self, String> {
        let db = Database::open_in_memory().map_err(|e| e.to_string())?;
        Ok(Self::from_database(db))
    }

    /// A fresh database in a temporary directory, with the given sync mode.
    pub fn on_disk(sync: SyncMode) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let options = Options { sync, ..Options::default() };
        let db = Database::open_with(dir.path(), options).map_err(|e| e.to_string())?;
        Ok(CachetDb { conn: db.connect(), _db: db, _dir: Some(dir) })
    }

    /// Wraps an open database.
    pub fn from_database(db: Database) -> Self {
        CachetDb { conn: db.connect(), _db: db, _dir: None }
    }

    fn run(&mut self, sql: &str) -> Result<cachet::StatementResult, String> {
        let mut results = self.conn.with_session(|s| s.execute(sql, &[])).map_err(|e| e.to_string())?;
        results.pop().ok_or_else(|| "empty statement".to_string())
    }
}

/// Maps a value to the cell the runner formats.
pub fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => Cell::Int(v.as_i64().unwrap_or_default()),
        // real has its own shortest output (0.1, not 0.10000000149011612).
        Value::Float4(_) => Cell::Text(cachet::types::format_value(v, &Default::default())),
        Value::Float8(f) => Cell::Float(*f),
        Value::Numeric(d) => Cell::Numeric(d.to_string()),
        Value::Text(s) => Cell::Text(s.to_string()),
        other => Cell::Text(cachet::types::format_value(other, &Default::default())),
    }
}

impl SltDatabase for CachetDb {
    fn statement(&mut self, sql: &str) -> Result<u64, String> {
        self.run(sql).map(|r| r.affected)
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
        let r = self.run(sql)?;
        Ok(r.rows.iter().map(|row| row.iter().map(cell).collect()).collect())
    }
}

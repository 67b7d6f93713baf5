//! SQLite through rusqlite (the `bundled` build), configured for equal durability and
//! given every advantage that does not change durability:
//!
//! - on disk: WAL mode with `synchronous=FULL` or `NORMAL`, matching Cachet's sync modes;
//! - in memory: a named in-memory database on the `memdb` VFS, so that several threads
//!   can each open their own connection to it (a plain `:memory:` database is private
//!   to one connection); one anchor connection keeps it alive;
//! - a 1 GiB page cache per connection, so reads never go to the operating system;
//! - `INTEGER PRIMARY KEY` for the 64-bit keys, which makes the key the rowid;
//! - `busy_timeout` of 10 s: concurrent writers wait for the write lock, and a
//!   writer that still finds the database busy is retried by the workload.

use crate::backend::{Backend, Config, Conn, Digest, OpenSpec, Param, Stmt};
use crate::error::{Error, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub struct SqliteDb {
    uri: String,
    config: Config,
    no_checkpoints: bool,
    /// Keeps a `memdb` database alive between connections; for a private `:memory:`
    /// database, the one connection, handed out once.
    anchor: Mutex<Option<Connection>>,
    private: bool,
}

static MEMDB_SEQ: AtomicU64 = AtomicU64::new(0);

impl SqliteDb {
    fn open_conn(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(&self.uri, OpenFlags::default())?;
        let sync = match self.config {
            Config::Memory => "OFF",
            Config::DiskFull => "FULL",
            Config::DiskNormal => "NORMAL",
        };
        let mut pragmas =
            format!("PRAGMA busy_timeout = 10000; PRAGMA cache_size = -1048576; PRAGMA synchronous = {sync};");
        if self.config.on_disk() {
            // journal_mode returns a row; execute_batch steps through it.
            pragmas.push_str(" PRAGMA journal_mode = WAL;");
        } else {
            pragmas.push_str(" PRAGMA journal_mode = MEMORY;");
        }
        if self.no_checkpoints {
            pragmas.push_str(" PRAGMA wal_autocheckpoint = 0;");
        }
        conn.execute_batch(&pragmas)?;
        Ok(conn)
    }
}

impl Backend for SqliteDb {
    type Conn = SqliteConn;
    const NAME: &'static str = "sqlite";
    const PK_TYPE: &'static str = "INTEGER";

    fn open(spec: &OpenSpec) -> Result<Self> {
        let uri = match (spec.config, spec.dir) {
            (Config::Memory, _) if spec.private_memory => ":memory:".to_string(),
            (Config::Memory, _) => format!(
                "file:/cachet-bench-{}-{}?vfs=memdb",
                std::process::id(),
                MEMDB_SEQ.fetch_add(1, Ordering::Relaxed)
            ),
            (_, Some(dir)) => {
                let path = dir.join("bench.sqlite");
                path.to_str().ok_or_else(|| Error::new("the database path is not UTF-8"))?.to_string()
            }
            (_, None) => return Err(Error::new("an on-disk configuration needs a directory")),
        };
        let db = SqliteDb {
            uri,
            config: spec.config,
            no_checkpoints: spec.no_checkpoints,
            anchor: Mutex::new(None),
            private: spec.config == Config::Memory && spec.private_memory,
        };
        if spec.config == Config::Memory {
            *db.anchor.lock().unwrap_or_else(|e| e.into_inner()) = Some(db.open_conn()?);
        }
        Ok(db)
    }

    fn connect(&self) -> Result<SqliteConn> {
        if self.private {
            let conn = self.anchor.lock().unwrap_or_else(|e| e.into_inner()).take();
            let conn = conn.ok_or_else(|| Error::new("a private in-memory database has only one connection"))?;
            return Ok(SqliteConn { conn });
        }
        Ok(SqliteConn { conn: self.open_conn()? })
    }

    fn close(self) -> Result<()> {
        if self.config.on_disk() {
            // The last connection to close checkpoints and deletes the WAL anyway;
            // doing it here surfaces errors.
            let conn = self.open_conn()?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            conn.close().map_err(|(_, e)| Error::from(e))?;
        }
        Ok(())
    }

    fn sql(text: &str) -> String {
        // `$n` -> `?n`: SQLite would read `$1` as a named parameter, numbered by first
        // appearance rather than by its digits.
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    }
}

pub struct SqliteConn {
    conn: Connection,
}

impl Conn for SqliteConn {
    type Stmt<'a> = SqliteStmt<'a>;

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn prepare(&self, sql: &str) -> Result<SqliteStmt<'_>> {
        let stmt = self.conn.prepare(sql)?;
        let cols = stmt.column_count();
        Ok(SqliteStmt { stmt, cols })
    }
}

pub struct SqliteStmt<'c> {
    stmt: rusqlite::Statement<'c>,
    cols: usize,
}

impl SqliteStmt<'_> {
    fn bind(&mut self, params: &[Param]) -> Result<()> {
        for (i, p) in params.iter().enumerate() {
            match *p {
                Param::Int(v) => self.stmt.raw_bind_parameter(i + 1, v)?,
                Param::Float(v) => self.stmt.raw_bind_parameter(i + 1, v)?,
                Param::Text(v) => self.stmt.raw_bind_parameter(i + 1, v)?,
            }
        }
        Ok(())
    }
}

impl Stmt for SqliteStmt<'_> {
    fn query(&mut self, params: &[Param]) -> Result<Digest> {
        self.bind(params)?;
        let cols = self.cols;
        let mut d = Digest::default();
        let mut rows = self.stmt.raw_query();
        while let Some(row) = rows.next()? {
            d.row();
            for i in 0..cols {
                match row.get_ref(i)? {
                    ValueRef::Null => d.null(i),
                    ValueRef::Integer(v) => d.number(i, v as f64),
                    ValueRef::Real(v) => d.number(i, v),
                    ValueRef::Text(t) | ValueRef::Blob(t) => d.text(i, t),
                }
            }
        }
        Ok(d)
    }

    fn execute(&mut self, params: &[Param]) -> Result<u64> {
        self.bind(params)?;
        Ok(self.stmt.raw_execute()? as u64)
    }
}

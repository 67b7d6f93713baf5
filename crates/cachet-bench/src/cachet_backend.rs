//! Cachet through its public Rust API (`cachet::{Database, Options, SyncMode}`), used
//! the way an application would: one `Connection` per thread, prepared statements,
//! parameters as `Value`s.

use crate::backend::{Backend, Config, Conn, Digest, OpenSpec, Param, Stmt};
use crate::error::{Error, Result};
use cachet::{Database, Options, SyncMode, Value};

pub struct CachetDb {
    db: Database,
}

impl Backend for CachetDb {
    type Conn = CachetConn;
    const NAME: &'static str = "cachet";
    const PK_TYPE: &'static str = "bigint";

    fn open(spec: &OpenSpec) -> Result<Self> {
        let mut options = Options::default();
        if spec.no_checkpoints {
            options.checkpoint_bytes = u64::MAX;
        }
        let db = match (spec.config, spec.dir) {
            (Config::Memory, _) => Database::open_in_memory_with(options)?,
            (Config::DiskFull, Some(dir)) => Database::open_with(dir, Options { sync: SyncMode::Full, ..options })?,
            (Config::DiskNormal, Some(dir)) => Database::open_with(dir, Options { sync: SyncMode::Normal, ..options })?,
            (_, None) => return Err(Error::new("an on-disk configuration needs a directory")),
        };
        Ok(CachetDb { db })
    }

    fn connect(&self) -> Result<CachetConn> {
        Ok(CachetConn { conn: self.db.connect() })
    }

    fn close(self) -> Result<()> {
        // Dropping the last handle checkpoints too, but reports failures only to the
        // log; an explicit checkpoint surfaces them.
        self.db.checkpoint()?;
        drop(self.db);
        Ok(())
    }
}

pub struct CachetConn {
    conn: cachet::Connection,
}

impl Conn for CachetConn {
    type Stmt<'a> = CachetStmt<'a>;

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn prepare(&self, sql: &str) -> Result<CachetStmt<'_>> {
        Ok(CachetStmt { stmt: self.conn.prepare(sql)? })
    }
}

pub struct CachetStmt<'c> {
    stmt: cachet::Statement<'c>,
}

fn values(params: &[Param]) -> Vec<Value> {
    params
        .iter()
        .map(|p| match *p {
            Param::Int(i) => Value::Int8(i),
            Param::Float(f) => Value::Float8(f),
            Param::Text(s) => Value::text(s),
        })
        .collect()
}

impl Stmt for CachetStmt<'_> {
    fn query(&mut self, params: &[Param]) -> Result<Digest> {
        let mut d = Digest::default();
        for row in self.stmt.query(values(params))? {
            d.row();
            for (i, v) in row.values().iter().enumerate() {
                match v {
                    Value::Null => d.null(i),
                    Value::Text(s) => d.text(i, s.as_bytes()),
                    v => match v.as_f64() {
                        Some(f) => d.number(i, f),
                        None => return Err(Error::new(format!("unexpected value type {}", v.data_type()))),
                    },
                }
            }
        }
        Ok(d)
    }

    fn execute(&mut self, params: &[Param]) -> Result<u64> {
        Ok(self.stmt.execute(values(params))?)
    }
}

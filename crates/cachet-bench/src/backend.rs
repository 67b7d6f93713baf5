//! The engines under test behind one small interface.
//!
//! Every workload is written once, generically over [`Backend`], so Cachet and SQLite
//! run exactly the same statements on exactly the same data. The interface is the
//! subset both libraries share: open a database in one of the three [`Config`]s, give
//! each thread its own connection, run scripts, and prepare statements that are run
//! many times with positional parameters.
//!
//! Statements are written once in PostgreSQL's spelling (`$1`, `bigint`, `double
//! precision`); [`Backend::sql`] rewrites the placeholders to `?1` for SQLite. Queries
//! read every column of every row (SQLite decodes columns lazily, so skipping that
//! would flatter it) into a [`Digest`], which also lets the harness check that both
//! engines return the same answers.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where a database lives and how durable its commits are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Config {
    /// Cachet `Database::open_in_memory()`; SQLite in memory.
    Memory,
    /// Cachet on disk with `SyncMode::Full`; SQLite in WAL mode with `synchronous=FULL`.
    DiskFull,
    /// Cachet on disk with `SyncMode::Normal`; SQLite in WAL mode with `synchronous=NORMAL`.
    DiskNormal,
}

impl Config {
    pub const ALL: [Config; 3] = [Config::Memory, Config::DiskFull, Config::DiskNormal];

    pub fn label(self) -> &'static str {
        match self {
            Config::Memory => "memory",
            Config::DiskFull => "disk-full",
            Config::DiskNormal => "disk-normal",
        }
    }

    pub fn parse(s: &str) -> Option<Config> {
        Config::ALL.into_iter().find(|c| c.label() == s)
    }

    pub fn on_disk(self) -> bool {
        self != Config::Memory
    }
}

/// A statement parameter.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
}

/// An order-independent fingerprint of query results: the number of rows and a sum of
/// per-value hashes. Numbers are compared as `f64` rounded to two decimals, because the
/// engines type aggregates differently (PostgreSQL's `sum(bigint)` is `numeric`,
/// SQLite's is an integer) and may add floating point numbers in different orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub rows: u64,
    pub hash: u64,
}

impl Digest {
    pub fn merge(&mut self, other: Digest) {
        self.rows += other.rows;
        self.hash = self.hash.wrapping_add(other.hash);
    }

    pub fn row(&mut self) {
        self.rows += 1;
    }

    fn add(&mut self, col: usize, key: u64) {
        self.hash = self.hash.wrapping_add(crate::data::mix(key ^ ((col as u64) << 56)));
    }

    pub fn null(&mut self, col: usize) {
        self.add(col, 0x6e75_6c6c);
    }

    pub fn number(&mut self, col: usize, v: f64) {
        self.add(col, (v * 100.0).round() as i64 as u64);
    }

    pub fn text(&mut self, col: usize, bytes: &[u8]) {
        // FNV-1a.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.add(col, h);
    }
}

/// How to open a database.
pub struct OpenSpec<'a> {
    pub config: Config,
    /// The directory (Cachet) or file's directory (SQLite) of an on-disk database.
    pub dir: Option<&'a Path>,
    /// Cachet: never checkpoint automatically (for the write-ahead-log recovery test).
    /// SQLite: `wal_autocheckpoint=0`.
    pub no_checkpoints: bool,
    /// In memory with a single connection (SQLite: a private `:memory:` database).
    pub private_memory: bool,
}

/// An engine with a database open.
pub trait Backend: Sync + Sized {
    type Conn: Conn;

    /// "cachet" or "sqlite".
    const NAME: &'static str;

    /// The column type of the integer primary keys (see `docs/benchmarks.md`: SQLite
    /// gets `INTEGER PRIMARY KEY`, its fastest layout, a 64-bit rowid alias).
    const PK_TYPE: &'static str;

    fn open(spec: &OpenSpec) -> Result<Self>;

    /// A new connection, for the calling thread.
    fn connect(&self) -> Result<Self::Conn>;

    /// Cleanly closes the database (Cachet writes a checkpoint; SQLite checkpoints and
    /// removes its WAL file).
    fn close(self) -> Result<()>;

    /// Rewrites a statement written with `$n` placeholders for this engine.
    fn sql(text: &str) -> String {
        text.to_string()
    }
}

/// A connection, used by one thread.
pub trait Conn {
    type Stmt<'a>: Stmt
    where
        Self: 'a;

    /// Runs statements without parameters (schema, BEGIN, COMMIT).
    fn batch(&self, sql: &str) -> Result<()>;

    /// Prepares a statement, already rewritten by [`Backend::sql`].
    fn prepare(&self, sql: &str) -> Result<Self::Stmt<'_>>;
}

/// A prepared statement.
pub trait Stmt {
    /// Runs a query and reads every value of every row.
    fn query(&mut self, params: &[Param]) -> Result<Digest>;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, params: &[Param]) -> Result<u64>;
}

//! A sqllogictest runner, independent of any engine.
//!
//! It runs SQLite's sqllogictest corpus (with the semantics of SQLite's own
//! C runner, which generated the corpus's expected results) and our own
//! `.slt` files, against any database that implements [`SltDatabase`].
//!
//! # How a run goes
//!
//! 1. [`Runner::run_dir`] collects every `*.test` and `*.slt` file under a
//!    directory ([`collect_files`]) and hands them to worker threads,
//!    biggest first ([`Config::threads`], default: all cores).
//! 2. Each file is parsed whole into [`Record`]s ([`parser`]), then run
//!    against a fresh database from the factory ([`runner`]).
//!    `skipif`/`onlyif` are matched against [`Config::engine`].
//! 3. Query results are rendered by the query's type letters ([`format`](mod@format)),
//!    sorted by its sort mode, and compared valuewise, by MD5 hash, or
//!    row-wise ([`runner`] explains the rule).
//! 4. Failing records listed in [`Config::expected_failures`] count as
//!    expected failures ([`expected`]); the rest as failures.
//! 5. The [`Summary`] holds per-file [`FileReport`]s; its `Display` ends
//!    with `N passed, M failed, K skipped`, and
//!    [`Summary::is_success`] is what a test asserts.
//!
//! # Example
//!
//! ```
//! use cachet_slt::{Cell, Config, Runner, SltDatabase};
//!
//! /// A toy database that knows one query.
//! struct Toy;
//! impl SltDatabase for Toy {
//!     fn statement(&mut self, sql: &str) -> Result<u64, String> {
//!         match sql {
//!             "CREATE TABLE t(x INT)" => Ok(0),
//!             _ => Err("ERROR: syntax error (SQLSTATE 42601)".into()),
//!         }
//!     }
//!     fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
//!         match sql {
//!             "SELECT 1, 'a'" => Ok(vec![vec![Cell::Int(1), Cell::Text("a".into())]]),
//!             _ => Err("ERROR: syntax error (SQLSTATE 42601)".into()),
//!         }
//!     }
//! }
//!
//! let runner = Runner::new(Config::new("postgresql"), || Ok(Toy));
//! let report = runner.run_script(
//!     "inline.slt",
//!     "statement ok\nCREATE TABLE t(x INT)\n\n\
//!      query IT nosort\nSELECT 1, 'a'\n----\n1\na\n\n\
//!      statement error 42601\nSELEC 1\n\n\
//!      skipif postgresql\nquery I nosort\nSELECT 2\n----\n2\n",
//! );
//! assert_eq!((report.passed, report.failed, report.skipped), (3, 0, 1));
//! // For a corpus: `let summary = runner.run_dir(path)?; println!("{summary}");`
//! ```

pub mod cachet_db;
pub mod db;
pub mod expected;
pub mod format;
pub mod parser;
pub mod report;
pub mod runner;

pub use cachet_db::CachetDb;
pub use db::{Cell, SltDatabase};
pub use expected::{ExpectedFailure, ExpectedFailures, ExpectedFailuresError};
pub use parser::{parse_script, ColumnType, Condition, Record, RecordKind, SortMode};
pub use report::{Failure, FileReport, Summary};
pub use runner::{collect_files, run_script_on, Config, Runner, DEFAULT_HASH_THRESHOLD};

//! Cachet: an embeddable SQL cache database with PostgreSQL semantics.
//!
//! ```
//! use cachet::{params, Database};
//!
//! let db = Database::open_in_memory().unwrap();
//! let conn = db.connect();
//! conn.execute_batch("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL)").unwrap();
//! conn.execute("INSERT INTO users VALUES ($1, $2)", params![1i64, "ada"]).unwrap();
//! let name: String = conn.query_row("SELECT name FROM users WHERE id = ?", params![1i64], |r| r.get(0)).unwrap();
//! assert_eq!(name, "ada");
//! ```

pub mod api;
pub mod catalog;
pub mod durability;
pub mod engine;
pub mod error;
pub mod session;
pub mod sql;
pub mod storage;
pub mod types;
pub(crate) mod util;

pub use api::{
    Column, Connection, Database, FromValue, Options, Params, Row, RowIndex, Rows, Statement, ToValue, Transaction,
};
pub use durability::wal::SyncMode;
pub use engine::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result, SqlState};
pub use session::{Session, StatementResult};
pub use storage::IsolationLevel;
pub use types::{DataType, Value};

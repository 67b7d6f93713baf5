//! Cachet: an embeddable SQL cache database with PostgreSQL semantics.

pub mod error;
pub mod types;

pub use error::{Error, Result, SqlState};
pub use types::{DataType, Value};

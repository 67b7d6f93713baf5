//! The catalog: table, index and view definitions.

mod catalog;
mod schema;

pub use catalog::Catalog;
pub use schema::{CheckDef, Column, IndexDef, Table, TableOptions, TableSchema, ViewDef, ROWID_COLUMN};

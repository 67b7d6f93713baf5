//! The catalog: table, index and view definitions.

mod schema;
mod snapshot;

pub use schema::{CheckDef, Column, IndexDef, Table, TableOptions, TableSchema, ViewDef, ROWID_COLUMN};
pub use snapshot::Catalog;

//! Definitions of tables, columns, indexes and views.
//!
//! Definitions are plain serializable data: defaults and CHECK constraints are kept as
//! SQL text and bound when a statement that needs them is planned. That keeps the
//! catalog independent of the SQL layer, and lets the write-ahead log and checkpoints
//! store definitions as they are.

use crate::storage::TableStore;
use crate::types::{DataType, Interval};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The name of the hidden row id column of tables without a primary key.
pub const ROWID_COLUMN: &str = "_rowid";

/// A column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
    pub nullable: bool,
    /// The DEFAULT expression, as SQL text.
    pub default: Option<String>,
    /// Hidden columns (the row id) are not part of `*` and cannot be inserted.
    pub hidden: bool,
}

/// A secondary index, or the index behind a UNIQUE constraint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    pub id: u32,
    pub name: String,
    pub columns: Vec<usize>,
    pub unique: bool,
    /// Whether the index implements a UNIQUE constraint (dropped with it).
    pub constraint: bool,
}

/// A CHECK constraint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckDef {
    pub name: String,
    /// The boolean expression, as SQL text.
    pub expr: String,
}

/// Cache options of a table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TableOptions {
    pub ttl: Option<Interval>,
    pub evictable: Option<bool>,
}

/// A table definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableSchema {
    pub id: u32,
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key constraint's name and columns; `None` means the table has a
    /// hidden row id column, the last one.
    pub primary_key: Option<(String, Vec<usize>)>,
    pub indexes: Vec<IndexDef>,
    pub checks: Vec<CheckDef>,
    pub options: TableOptions,
}

impl TableSchema {
    /// The columns whose values make up the storage key.
    pub fn key_columns(&self) -> Vec<usize> {
        match &self.primary_key {
            Some((_, cols)) => cols.clone(),
            None => vec![self.columns.len() - 1],
        }
    }

    /// The position of a column by name (hidden columns included).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The hidden row id column, if the table has one.
    pub fn rowid_column(&self) -> Option<usize> {
        self.primary_key.is_none().then(|| self.columns.len() - 1)
    }

    /// The columns a user sees, with their positions.
    pub fn visible_columns(&self) -> impl Iterator<Item = (usize, &Column)> {
        self.columns.iter().enumerate().filter(|(_, c)| !c.hidden)
    }

    /// The name of the primary key constraint.
    pub fn pk_name(&self) -> Option<&str> {
        self.primary_key.as_ref().map(|(n, _)| n.as_str())
    }
}

/// A table: its definition and its storage.
pub struct Table {
    pub schema: Arc<TableSchema>,
    pub store: Arc<TableStore>,
}

impl Table {
    pub fn new(schema: TableSchema, store: Arc<TableStore>) -> Arc<Table> {
        Arc::new(Table { schema: Arc::new(schema), store })
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({})", self.schema.name)
    }
}

/// A view: a named query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewDef {
    pub name: String,
    /// The query, as SQL text.
    pub sql: String,
    /// Column names given in `CREATE VIEW v (a, b)`.
    pub columns: Option<Vec<String>>,
    /// The tables and views the query reads, directly or through other views.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

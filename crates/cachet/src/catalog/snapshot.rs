//! The catalog of one database: an immutable snapshot, replaced as a whole by DDL.
//!
//! Statements bind against an `Arc<Catalog>` taken when they start, so a concurrent DDL
//! statement never changes what a running statement sees. DDL clones the catalog
//! (cheap: the maps hold `Arc`s), changes the copy, and publishes it when its
//! transaction commits; until then only its own transaction sees the change, which is
//! what makes DDL transactional. The version number lets prepared plans notice that
//! the catalog changed under them.

use super::schema::{Table, TableSchema, ViewDef};
use crate::error::{Error, Result, SqlState};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An immutable set of definitions.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub version: u64,
    tables: BTreeMap<String, Arc<Table>>,
    views: BTreeMap<String, Arc<ViewDef>>,
    next_id: u32,
}

impl Catalog {
    pub fn table(&self, name: &str) -> Option<&Arc<Table>> {
        self.tables.get(name)
    }

    pub fn view(&self, name: &str) -> Option<&Arc<ViewDef>> {
        self.views.get(name)
    }

    pub fn tables(&self) -> impl Iterator<Item = &Arc<Table>> {
        self.tables.values()
    }

    pub fn views(&self) -> impl Iterator<Item = &Arc<ViewDef>> {
        self.views.values()
    }

    /// The table with this id.
    pub fn table_by_id(&self, id: u32) -> Option<&Arc<Table>> {
        self.tables.values().find(|t| t.schema.id == id)
    }

    /// The table owning the index with this name.
    pub fn index_owner(&self, index: &str) -> Option<&Arc<Table>> {
        self.tables.values().find(|t| t.schema.indexes.iter().any(|i| i.name == index))
    }

    /// Whether a table, view or index has this name (they share one namespace, as
    /// relations do in PostgreSQL).
    pub fn relation_exists(&self, name: &str) -> bool {
        self.tables.contains_key(name) || self.views.contains_key(name) || self.index_owner(name).is_some()
    }

    /// Allocates an id for a table or an index.
    pub fn allocate_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Makes sure future ids are above `id` (used by recovery).
    pub fn reserve_id(&mut self, id: u32) {
        self.next_id = self.next_id.max(id);
    }

    pub fn next_id(&self) -> u32 {
        self.next_id
    }

    fn check_free(&self, name: &str) -> Result<()> {
        if self.relation_exists(name) {
            return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
        }
        Ok(())
    }

    /// Adds a new table.
    pub fn add_table(&mut self, table: Arc<Table>) -> Result<()> {
        self.check_free(&table.schema.name)?;
        self.reserve_id(table.schema.id);
        self.tables.insert(table.schema.name.clone(), table);
        self.version += 1;
        Ok(())
    }

    /// Replaces a table's definition (and maybe its storage), possibly under a new name.
    pub fn replace_table(&mut self, old_name: &str, table: Arc<Table>) {
        self.tables.remove(old_name);
        self.tables.insert(table.schema.name.clone(), table);
        self.version += 1;
    }

    pub fn remove_table(&mut self, name: &str) -> Option<Arc<Table>> {
        let t = self.tables.remove(name);
        self.version += 1;
        t
    }

    pub fn add_view(&mut self, view: ViewDef, replace: bool) -> Result<()> {
        if !(replace && self.views.contains_key(&view.name)) {
            self.check_free(&view.name)?;
        }
        self.views.insert(view.name.clone(), Arc::new(view));
        self.version += 1;
        Ok(())
    }

    pub fn remove_view(&mut self, name: &str) -> Option<Arc<ViewDef>> {
        let v = self.views.remove(name);
        self.version += 1;
        v
    }

    /// Updates the definition of a table whose storage stays the same.
    pub fn update_schema(&mut self, name: &str, schema: TableSchema) -> Result<Arc<Table>> {
        let Some(old) = self.tables.get(name) else {
            return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{name}\" does not exist")));
        };
        let table = Table::new(schema, old.store.clone());
        self.replace_table(name, table.clone());
        Ok(table)
    }
}

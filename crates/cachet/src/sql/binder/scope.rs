//! Name scopes: the columns visible to expressions at one level of a query.

use crate::error::{Error, Result, SqlState};
use crate::types::DataType;

/// A column visible in a scope.
#[derive(Clone, Debug)]
pub struct ScopeColumn {
    /// The table name or alias that qualifies it.
    pub qualifier: Option<String>,
    pub name: String,
    pub ty: DataType,
    /// Hidden columns (row ids) resolve by name but are not part of `*`.
    pub hidden: bool,
    /// Set on a column that a USING/NATURAL join merged away: it is reachable only by
    /// its qualified name, and is not part of `*`.
    pub merged_away: bool,
    /// For columns of a stored table: which FROM item they come from, and whether they
    /// belong to its primary key (for functional dependencies in GROUP BY).
    pub origin: Option<Origin>,
}

/// Where a column of a scope comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Distinguishes two FROM items reading the same table.
    pub instance: usize,
    pub primary_key: bool,
}

/// The columns of a row, in order.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    pub fn new(columns: Vec<ScopeColumn>) -> Self {
        Scope { columns }
    }

    /// A scope of unqualified columns.
    pub fn unqualified(names_types: impl IntoIterator<Item = (String, DataType)>) -> Self {
        Scope::new(
            names_types
                .into_iter()
                .map(|(name, ty)| ScopeColumn {
                    qualifier: None,
                    name,
                    ty,
                    hidden: false,
                    merged_away: false,
                    origin: None,
                })
                .collect(),
        )
    }

    /// Sets the qualifier of every column (a FROM-item alias).
    pub fn qualify(mut self, qualifier: &str) -> Self {
        for c in &mut self.columns {
            c.qualifier = Some(qualifier.to_string());
        }
        self
    }

    /// The concatenation of two scopes (a join's row).
    pub fn join(mut self, other: Scope) -> Self {
        self.columns.extend(other.columns);
        self
    }

    /// Finds a column: `Ok(None)` if absent, an error if ambiguous.
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Option<usize>> {
        let mut found = None;
        for (i, c) in self.columns.iter().enumerate() {
            if c.name != name {
                continue;
            }
            match qualifier {
                Some(q) if c.qualifier.as_deref() != Some(q) => continue,
                None if c.merged_away => continue,
                _ => {}
            }
            if found.is_some() {
                return Err(Error::new(
                    SqlState::AMBIGUOUS_COLUMN,
                    format!("column reference \"{name}\" is ambiguous"),
                ));
            }
            found = Some(i);
        }
        Ok(found)
    }

    /// Whether a qualifier names some FROM item of this scope.
    pub fn has_qualifier(&self, q: &str) -> bool {
        self.columns.iter().any(|c| c.qualifier.as_deref() == Some(q))
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

//! System relations (pg_catalog, information_schema, cachet views). Placeholder for
//! the catalog views that clients query; none exist yet.

use super::binder::{Binder, QueryPlan};
use crate::error::Result;

/// Binds a system relation by name, if it is one.
pub fn relation(_binder: &mut Binder, _name: &str) -> Result<Option<QueryPlan>> {
    Ok(None)
}

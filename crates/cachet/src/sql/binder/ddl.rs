//! Binding pieces of DDL: column definitions and defaults.

use super::expr::Aggs;
use super::scope::Scope;
use super::Binder;
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::Expr;
use crate::types::{CastContext, DataType};

/// Binds a column default given as SQL text, coerced to the column's type.
pub fn bind_column_default(b: &mut Binder, sql: &str, ty: &DataType) -> Result<Expr> {
    let e = crate::sql::parser::parse_expr(sql)?;
    let bound = b.bind_expr(&e, &Scope::default(), Aggs::Forbidden("DEFAULT expressions")).map_err(|e| {
        if e.code() == SqlState::UNDEFINED_COLUMN {
            Error::unsupported("cannot use column reference in DEFAULT expression")
        } else {
            e
        }
    })?;
    if bound.any(&mut |x| matches!(x, Expr::Subquery(_))) {
        return Err(Error::unsupported("cannot use subquery in DEFAULT expression"));
    }
    b.coerce(bound, ty, CastContext::Assignment)
}

//! STUB (to be replaced): casts between types.
use super::{DataType, TimeZone, Value};
use crate::error::Result;

/// Where PostgreSQL allows a cast to be applied without being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CastContext {
    /// Applied silently in expressions (`int4` to `int8`).
    Implicit,
    /// Applied when storing into a column (`int8` to `int4`).
    Assignment,
    /// Only when written with `CAST` or `::`.
    Explicit,
}

/// The least context in which `from` casts to `to`, or `None` if no cast exists.
pub fn cast_context(from: &DataType, to: &DataType) -> Option<CastContext> {
    if from == to || *from == DataType::Unknown {
        return Some(CastContext::Implicit);
    }
    if from.is_numeric() && to.is_numeric() {
        return Some(CastContext::Implicit);
    }
    Some(CastContext::Explicit)
}

/// Casts a value to a type. `context` says whether the cast was written (`Explicit`),
/// happens on storing into a column (`Assignment`) or was inserted by the binder
/// (`Implicit`); it matters for length limits, where an explicit cast truncates and an
/// assignment raises an error.
pub fn cast(v: Value, to: &DataType, _context: CastContext, tz: &TimeZone) -> Result<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    if &v.data_type() == to {
        return Ok(v);
    }
    let text = super::format_value(&v, tz);
    super::parse_value(&text, to, tz)
}

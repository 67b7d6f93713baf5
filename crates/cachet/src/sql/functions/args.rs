//! Helpers shared by the function modules: signature matching with PostgreSQL's
//! implicit casts, and typed access to argument values.
//!
//! Argument values reach `eval` already coerced to the resolved signature, so the
//! accessors here only fall back to a neutral value for a type the binder could not
//! have produced.

use super::Sig;
use crate::error::{Error, SqlState};
use crate::types::{cast_context, CastContext, DataType, Value};
use rust_decimal::Decimal;

use DataType as T;

/// Whether PostgreSQL converts `from` to `to` implicitly (an untyped literal converts
/// to anything).
pub fn implicit(from: &DataType, to: &DataType) -> bool {
    from == to || matches!(cast_context(from, to), Some(CastContext::Implicit))
}

/// The signature `params -> ret`, if every argument converts implicitly.
pub fn exact(args: &[DataType], params: &[DataType], ret: DataType) -> Option<Sig> {
    if args.len() != params.len() || !args.iter().zip(params).all(|(a, p)| implicit(a, p)) {
        return None;
    }
    Sig::new(params.to_vec(), ret)
}

/// A string type or an untyped literal.
pub fn is_text(t: &DataType) -> bool {
    t.is_string() || *t == T::Unknown
}

/// The argument type of a function with `double precision` and `numeric` overloads,
/// as PostgreSQL picks it: numeric stays numeric, every other number (and an untyped
/// literal) goes to the preferred type, float8.
pub fn float_or_numeric(t: &DataType) -> Option<DataType> {
    match t {
        T::Numeric(_) => Some(T::Numeric(None)),
        t if t.is_numeric() => Some(T::Float8),
        T::Unknown => Some(T::Float8),
        _ => None,
    }
}

/// `text[]`.
pub fn text_array() -> DataType {
    T::Array(Box::new(T::Text))
}

/// The type an argument of a polymorphic `any` parameter keeps: an untyped literal
/// becomes text.
pub fn any_arg(t: &DataType) -> DataType {
    if *t == T::Unknown {
        T::Text
    } else {
        t.clone()
    }
}

/// The string value of a text argument.
pub fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The value of an integer argument.
pub fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_default()
}

/// The value of a float argument.
pub fn float(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// The value of a numeric (or integer) argument.
pub fn numeric(v: &Value) -> Decimal {
    match v {
        Value::Numeric(d) => *d,
        v => v.as_i64().map(Decimal::from).unwrap_or_default(),
    }
}

/// The value of a boolean argument.
pub fn boolean(v: &Value) -> bool {
    v.as_bool().unwrap_or_default()
}

/// An error with a SQLSTATE.
pub fn err(code: SqlState, msg: impl Into<String>) -> Error {
    Error::new(code, msg)
}

/// 22023 invalid_parameter_value.
pub fn invalid_param(msg: impl Into<String>) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, msg)
}

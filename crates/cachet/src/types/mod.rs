//! SQL types and values with PostgreSQL semantics.

pub mod cast;
pub mod datatype;
pub mod datetime;
pub mod datetime_format;
pub mod datetime_parse;
pub mod io;
pub mod json;
pub mod numeric;
pub mod timezone;
pub mod value;

#[cfg(test)]
mod proptests;

pub use cast::{cast, cast_context, cast_from, CastContext};
pub use datatype::{DataType, NumericTypmod, TypeCategory};
pub use io::{format_value, parse_value, write_value};
pub use json::{JsonNumber, Jsonb};
pub use timezone::TimeZone;
pub use value::{Array, Interval, Value};

//! SQL types and values with PostgreSQL semantics.

pub mod cast;
pub mod datatype;
pub mod datetime;
pub mod io;
pub mod json;
pub mod numeric;
pub mod timezone;
pub mod value;

pub use cast::{cast, cast_context, CastContext};
pub use datatype::{DataType, NumericTypmod, TypeCategory};
pub use io::{format_value, parse_value};
pub use json::Jsonb;
pub use timezone::TimeZone;
pub use value::{Array, Interval, Value};

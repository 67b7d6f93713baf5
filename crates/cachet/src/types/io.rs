//! STUB (to be replaced): text input and output of values.
use super::{DataType, TimeZone, Value};
use crate::error::{Error, Result};

/// Formats a non-NULL value as PostgreSQL's output function does.
pub fn format_value(v: &Value, _tz: &TimeZone) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
        Value::Int2(i) => i.to_string(),
        Value::Int4(i) => i.to_string(),
        Value::Int8(i) => i.to_string(),
        Value::Float4(f) => f.to_string(),
        Value::Float8(f) => f.to_string(),
        Value::Numeric(d) => d.to_string(),
        Value::Text(s) | Value::Json(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

/// Parses text as a value of the given type, as PostgreSQL's input function does.
pub fn parse_value(s: &str, ty: &DataType, _tz: &TimeZone) -> Result<Value> {
    let t = s.trim();
    Ok(match ty {
        DataType::Bool => match t.to_ascii_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" => Value::Bool(true),
            "f" | "false" | "no" | "off" | "0" => Value::Bool(false),
            _ => return Err(Error::invalid_text("boolean", s)),
        },
        DataType::Int2 => Value::Int2(t.parse().map_err(|_| Error::invalid_text("smallint", s))?),
        DataType::Int4 => Value::Int4(t.parse().map_err(|_| Error::invalid_text("integer", s))?),
        DataType::Int8 => Value::Int8(t.parse().map_err(|_| Error::invalid_text("bigint", s))?),
        DataType::Float4 => Value::Float4(t.parse().map_err(|_| Error::invalid_text("real", s))?),
        DataType::Float8 => {
            Value::Float8(t.parse().map_err(|_| Error::invalid_text("double precision", s))?)
        }
        DataType::Numeric(_) => Value::Numeric(t.parse().map_err(|_| Error::invalid_text("numeric", s))?),
        DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown => Value::text(s),
        DataType::Json => Value::Json(s.into()),
        other => return Err(Error::unsupported(format!("input of type {other}"))),
    })
}

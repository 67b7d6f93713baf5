//! Converts SQL type names to [`DataType`]s.

use crate::error::{Error, Result, SqlState};
use crate::types::{DataType, NumericTypmod};
use sqlparser::ast::{self, ArrayElemTypeDef, CharacterLength, ExactNumberInfo, TimezoneInfo};

fn char_len(l: &Option<CharacterLength>) -> Result<Option<u32>> {
    match l {
        None => Ok(None),
        Some(CharacterLength::IntegerLength { length, .. }) => {
            if *length == 0 || *length > 10_485_760 {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "length for type varchar must be between 1 and 10485760",
                ));
            }
            Ok(Some(*length as u32))
        }
        Some(CharacterLength::Max) => Ok(None),
    }
}

fn numeric(info: &ExactNumberInfo) -> Result<DataType> {
    let typmod = match info {
        ExactNumberInfo::None => None,
        ExactNumberInfo::Precision(p) => Some(NumericTypmod { precision: *p as u16, scale: 0 }),
        ExactNumberInfo::PrecisionAndScale(p, s) => Some(NumericTypmod { precision: *p as u16, scale: *s as i16 }),
    };
    if let Some(m) = typmod {
        if m.precision < 1 || m.precision > 1000 {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("NUMERIC precision {} must be between 1 and 1000", m.precision),
            ));
        }
        if m.scale < -1000 || m.scale > 1000 {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("NUMERIC scale {} must be between -1000 and 1000", m.scale),
            ));
        }
    }
    Ok(DataType::Numeric(typmod))
}

/// Maps a type name in SQL to a data type. `serial` types map to their integer type;
/// the DDL binder handles their sequences.
pub fn convert_type(t: &ast::DataType) -> Result<DataType> {
    use ast::DataType as A;
    Ok(match t {
        A::Bool | A::Boolean => DataType::Bool,
        A::SmallInt(_) | A::Int2(_) => DataType::Int2,
        A::Int(_) | A::Integer(_) | A::Int4(_) => DataType::Int4,
        A::BigInt(_) | A::Int8(_) => DataType::Int8,
        A::Real | A::Float4 => DataType::Float4,
        A::Double(_) | A::DoublePrecision | A::Float8 | A::Float64 => DataType::Float8,
        A::Float(info) => match info {
            ExactNumberInfo::Precision(p) if *p <= 24 => DataType::Float4,
            _ => DataType::Float8,
        },
        A::Numeric(info) | A::Decimal(info) | A::Dec(info) => numeric(info)?,
        A::Text | A::String(None) => DataType::Text,
        A::Varchar(l) | A::CharacterVarying(l) | A::CharVarying(l) | A::Nvarchar(l) => DataType::Varchar(char_len(l)?),
        A::Char(l) | A::Character(l) => DataType::Char(Some(char_len(l)?.unwrap_or(1))),
        A::Bytea => DataType::Bytea,
        A::Date => DataType::Date,
        A::Time(_, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => {
                return Err(Error::unsupported("type time with time zone is not supported"))
            }
            _ => DataType::Time,
        },
        A::Timestamp(_, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => DataType::TimestampTz,
            _ => DataType::Timestamp,
        },
        A::Datetime(_) => DataType::Timestamp,
        A::Interval { .. } => DataType::Interval,
        A::Uuid => DataType::Uuid,
        A::JSON => DataType::Json,
        A::JSONB => DataType::Jsonb,
        A::Array(def) => match def {
            ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::Parenthesis(inner)
            | ArrayElemTypeDef::Qualified(inner, _) => {
                let e = convert_type(inner)?;
                if matches!(e, DataType::Array(_)) {
                    return Err(Error::unsupported("multidimensional arrays are not supported"));
                }
                DataType::Array(Box::new(e))
            }
            ArrayElemTypeDef::None => return Err(Error::syntax("array type needs an element type")),
        },
        A::Custom(name, mods) => {
            let n = super::object_name(name)?;
            let n = n.strip_prefix("pg_catalog.").unwrap_or(&n).to_string();
            match (n.as_str(), mods.as_slice()) {
                ("serial" | "serial4", _) => DataType::Int4,
                ("bigserial" | "serial8", _) => DataType::Int8,
                ("smallserial" | "serial2", _) => DataType::Int2,
                ("int2", _) => DataType::Int2,
                ("int4", _) => DataType::Int4,
                ("int8", _) => DataType::Int8,
                ("float4", _) => DataType::Float4,
                ("float8", _) => DataType::Float8,
                ("bool", _) => DataType::Bool,
                ("bpchar", []) => DataType::Char(None),
                ("bpchar", [n]) => DataType::Char(n.parse().ok()),
                ("varchar", [n]) => DataType::Varchar(n.parse().ok()),
                ("timestamptz", _) => DataType::TimestampTz,
                ("timetz", _) => return Err(Error::unsupported("type time with time zone is not supported")),
                ("decimal" | "numeric", [p]) => numeric(&ExactNumberInfo::Precision(p.parse().unwrap_or(0)))?,
                ("decimal" | "numeric", [p, s]) => {
                    numeric(&ExactNumberInfo::PrecisionAndScale(p.parse().unwrap_or(0), s.parse().unwrap_or(0)))?
                }
                ("name" | "regclass" | "regtype" | "regproc" | "oid", _) if n != "oid" => DataType::Text,
                ("oid", _) => DataType::Int8,
                _ => return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("type \"{n}\" does not exist"))),
            }
        }
        A::Regclass => DataType::Text,
        other => return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("type \"{other}\" does not exist"))),
    })
}

/// Whether a type name is one of the serial pseudo-types.
pub fn is_serial(t: &ast::DataType) -> bool {
    if let ast::DataType::Custom(name, _) = t {
        let n = name.to_string().to_lowercase();
        return matches!(n.as_str(), "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2");
    }
    false
}

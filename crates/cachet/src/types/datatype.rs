//! SQL data types, named and behaving as in PostgreSQL.
//!
//! A [`DataType`] is what the binder assigns to every expression and column. It
//! carries the type modifier where PostgreSQL has one (`numeric(p,s)`,
//! `varchar(n)`, `char(n)`), because the modifier changes what a cast does.
//! [`DataType::Unknown`] is PostgreSQL's `unknown`: the type of a quoted literal or a
//! bare NULL before context decides what it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A numeric type modifier: total significant digits and digits after the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumericTypmod {
    pub precision: u16,
    pub scale: i16,
}

/// A PostgreSQL data type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    /// `numeric`, optionally with precision and scale.
    Numeric(Option<NumericTypmod>),
    Text,
    /// `varchar(n)`; `None` means no length limit.
    Varchar(Option<u32>),
    /// `char(n)` (PostgreSQL's `bpchar`); `None` means `bpchar` without a length.
    Char(Option<u32>),
    Bytea,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    /// A one-dimensional array of the element type.
    Array(Box<DataType>),
    /// The type of an untyped literal or NULL whose type context has not resolved.
    Unknown,
}

/// The families that PostgreSQL's type-resolution rules work with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeCategory {
    Boolean,
    Numeric,
    String,
    DateTime,
    Timespan,
    UserDefined,
    Array,
    Unknown,
    Other,
}

impl DataType {
    /// PostgreSQL's name for the type, as `format_type` prints it.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The category used by implicit-cast resolution.
    pub fn category(&self) -> TypeCategory {
        use DataType::*;
        match self {
            Bool => TypeCategory::Boolean,
            Int2 | Int4 | Int8 | Float4 | Float8 | Numeric(_) => TypeCategory::Numeric,
            Text | Varchar(_) | Char(_) => TypeCategory::String,
            Date | Time | Timestamp | TimestampTz => TypeCategory::DateTime,
            Interval => TypeCategory::Timespan,
            Array(_) => TypeCategory::Array,
            Unknown => TypeCategory::Unknown,
            Bytea | Uuid | Json | Jsonb => TypeCategory::UserDefined,
        }
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, DataType::Int2 | DataType::Int4 | DataType::Int8)
    }

    pub fn is_float(&self) -> bool {
        matches!(self, DataType::Float4 | DataType::Float8)
    }

    pub fn is_numeric(&self) -> bool {
        self.category() == TypeCategory::Numeric
    }

    pub fn is_string(&self) -> bool {
        self.category() == TypeCategory::String
    }

    /// The type without its modifier: `varchar(10)` becomes `varchar`.
    pub fn without_typmod(&self) -> DataType {
        match self {
            DataType::Numeric(_) => DataType::Numeric(None),
            DataType::Varchar(_) => DataType::Varchar(None),
            DataType::Char(_) => DataType::Char(None),
            DataType::Array(e) => DataType::Array(Box::new(e.without_typmod())),
            t => t.clone(),
        }
    }

    /// The PostgreSQL type OID, for the wire protocol and pg_catalog.
    pub fn oid(&self) -> u32 {
        use DataType::*;
        match self {
            Bool => 16,
            Bytea => 17,
            Int8 => 20,
            Int2 => 21,
            Int4 => 23,
            Text => 25,
            Json => 114,
            Float4 => 700,
            Float8 => 701,
            Unknown => 705,
            Char(_) => 1042,
            Varchar(_) => 1043,
            Date => 1082,
            Time => 1083,
            Timestamp => 1114,
            TimestampTz => 1184,
            Interval => 1186,
            Numeric(_) => 1700,
            Uuid => 2950,
            Jsonb => 3802,
            Array(e) => match e.as_ref() {
                Bool => 1000,
                Bytea => 1001,
                Int2 => 1005,
                Int4 => 1007,
                Text => 1009,
                Char(_) => 1014,
                Varchar(_) => 1015,
                Int8 => 1016,
                Float4 => 1021,
                Float8 => 1022,
                Date => 1182,
                Time => 1183,
                Timestamp => 1115,
                TimestampTz => 1185,
                Interval => 1187,
                Numeric(_) => 1231,
                Uuid => 2951,
                Json => 199,
                Jsonb => 3807,
                _ => 1009,
            },
        }
    }

    /// The PostgreSQL type modifier (`atttypmod`), or -1 when there is none.
    pub fn typmod(&self) -> i32 {
        match self {
            DataType::Numeric(Some(m)) => ((m.precision as i32) << 16 | (m.scale as i32 & 0xffff)) + 4,
            DataType::Varchar(Some(n)) | DataType::Char(Some(n)) => *n as i32 + 4,
            _ => -1,
        }
    }

    /// The fixed size PostgreSQL reports for the type (`typlen`), or -1 when varying.
    pub fn typlen(&self) -> i16 {
        use DataType::*;
        match self {
            Bool => 1,
            Int2 => 2,
            Int4 | Float4 | Date => 4,
            Int8 | Float8 | Time | Timestamp | TimestampTz => 8,
            Interval | Uuid => 16,
            Unknown => -2,
            _ => -1,
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DataType::*;
        match self {
            Bool => f.write_str("boolean"),
            Int2 => f.write_str("smallint"),
            Int4 => f.write_str("integer"),
            Int8 => f.write_str("bigint"),
            Float4 => f.write_str("real"),
            Float8 => f.write_str("double precision"),
            Numeric(None) => f.write_str("numeric"),
            Numeric(Some(m)) => write!(f, "numeric({},{})", m.precision, m.scale),
            Text => f.write_str("text"),
            Varchar(None) => f.write_str("character varying"),
            Varchar(Some(n)) => write!(f, "character varying({n})"),
            Char(None) => f.write_str("bpchar"),
            Char(Some(n)) => write!(f, "character({n})"),
            Bytea => f.write_str("bytea"),
            Date => f.write_str("date"),
            Time => f.write_str("time without time zone"),
            Timestamp => f.write_str("timestamp without time zone"),
            TimestampTz => f.write_str("timestamp with time zone"),
            Interval => f.write_str("interval"),
            Uuid => f.write_str("uuid"),
            Json => f.write_str("json"),
            Jsonb => f.write_str("jsonb"),
            Array(e) => write!(f, "{e}[]"),
            Unknown => f.write_str("unknown"),
        }
    }
}

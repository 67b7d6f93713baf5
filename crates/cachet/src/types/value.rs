//! Runtime values.
//!
//! A [`Value`] is one SQL datum. It is 24 bytes: every payload is at most 16 bytes,
//! and variable-length payloads sit behind an `Arc`, so cloning a value out of a stored
//! row never allocates, which keeps the read path free of per-value allocation.
//!
//! Dates and timestamps count from PostgreSQL's epoch, 2000-01-01, as its binary wire
//! format does: dates in days, timestamps and times in microseconds. `timestamptz` is
//! stored in UTC and shown in the session's time zone. Infinite dates and timestamps are
//! the extreme values of the integer range.
//!
//! Two orders exist, on purpose:
//! - [`Value::sql_cmp`] is SQL comparison: NULL compares as unknown (`None`).
//! - `Ord`/`Eq`/`Hash` are the *grouping and sorting* order used by ORDER BY, DISTINCT,
//!   GROUP BY, set operations and hash joins: NULL equals NULL and sorts after every
//!   other value (PostgreSQL's default NULLS LAST for ascending order), NaN equals NaN
//!   and sorts above every other float, and `-0.0` equals `0.0`.

use super::datatype::DataType;
use super::json::Jsonb;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Microseconds per day.
pub const USECS_PER_DAY: i64 = 86_400_000_000;

/// A PostgreSQL interval: months, days and microseconds kept apart, as PostgreSQL does,
/// because a month and a day have no fixed length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    pub const fn new(months: i32, days: i32, micros: i64) -> Self {
        Interval { months, days, micros }
    }

    /// The span in microseconds, counting a month as 30 days and a day as 24 hours,
    /// which is how PostgreSQL compares intervals.
    pub fn total_micros(&self) -> i128 {
        (self.months as i128 * 30 + self.days as i128) * USECS_PER_DAY as i128 + self.micros as i128
    }
}

/// A one-dimensional array with its element type.
#[derive(Clone, Debug)]
pub struct Array {
    pub element_type: DataType,
    pub items: Vec<Value>,
}

/// One SQL value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int2(i16),
    Int4(i32),
    Int8(i64),
    Float4(f32),
    Float8(f64),
    Numeric(Decimal),
    /// text, varchar and char values.
    Text(Arc<str>),
    Bytea(Arc<[u8]>),
    /// Days since 2000-01-01.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since 2000-01-01 00:00:00.
    Timestamp(i64),
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    TimestampTz(i64),
    Interval(Interval),
    Uuid([u8; 16]),
    /// json keeps its input text, as in PostgreSQL.
    Json(Arc<str>),
    Jsonb(Arc<Jsonb>),
    Array(Arc<Array>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A text value.
    pub fn text(s: impl Into<Arc<str>>) -> Value {
        Value::Text(s.into())
    }

    /// The natural type of this value; NULL is `unknown`, and every string is `text`.
    pub fn data_type(&self) -> DataType {
        match self {
            Value::Null => DataType::Unknown,
            Value::Bool(_) => DataType::Bool,
            Value::Int2(_) => DataType::Int2,
            Value::Int4(_) => DataType::Int4,
            Value::Int8(_) => DataType::Int8,
            Value::Float4(_) => DataType::Float4,
            Value::Float8(_) => DataType::Float8,
            Value::Numeric(_) => DataType::Numeric(None),
            Value::Text(_) => DataType::Text,
            Value::Bytea(_) => DataType::Bytea,
            Value::Date(_) => DataType::Date,
            Value::Time(_) => DataType::Time,
            Value::Timestamp(_) => DataType::Timestamp,
            Value::TimestampTz(_) => DataType::TimestampTz,
            Value::Interval(_) => DataType::Interval,
            Value::Uuid(_) => DataType::Uuid,
            Value::Json(_) => DataType::Json,
            Value::Jsonb(_) => DataType::Jsonb,
            Value::Array(a) => DataType::Array(Box::new(a.element_type.clone())),
        }
    }

    /// The value as an i64, for any integer type.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int2(v) => Some(v as i64),
            Value::Int4(v) => Some(v as i64),
            Value::Int8(v) => Some(v),
            _ => None,
        }
    }

    /// The value as an f64, for any numeric type.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int2(v) => Some(v as f64),
            Value::Int4(v) => Some(v as f64),
            Value::Int8(v) => Some(v as f64),
            Value::Float4(v) => Some(v as f64),
            Value::Float8(v) => Some(v),
            Value::Numeric(d) => rust_decimal::prelude::ToPrimitive::to_f64(&d),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Json(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// SQL comparison: `None` when either side is NULL. Values of different numeric
    /// types compare by value; other mismatched types compare by type rank (the binder
    /// casts both sides to one type, so that only happens for internal callers).
    pub fn sql_cmp(&self, other: &Value) -> Option<Ordering> {
        if self.is_null() || other.is_null() {
            return None;
        }
        Some(self.cmp(other))
    }

    /// Rank used to order values of unrelated types, and NULL last.
    fn rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => 1,
            Value::Float4(_) | Value::Float8(_) => 1,
            Value::Numeric(_) => 1,
            Value::Text(_) => 2,
            Value::Bytea(_) => 3,
            Value::Date(_) => 4,
            Value::Time(_) => 5,
            Value::Timestamp(_) => 6,
            Value::TimestampTz(_) => 7,
            Value::Interval(_) => 8,
            Value::Uuid(_) => 9,
            Value::Json(_) => 10,
            Value::Jsonb(_) => 11,
            Value::Array(_) => 12,
            Value::Null => 255,
        }
    }
}

/// Compares two floats in PostgreSQL's order: NaN above everything, -0 equal to 0.
pub fn float_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn numeric_cmp(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Numeric(x), Numeric(y)) => x.cmp(y),
        (Float4(_) | Float8(_), _) | (_, Float4(_) | Float8(_)) => {
            float_cmp(a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN))
        }
        (Numeric(x), _) => b.as_i64().map_or(Ordering::Equal, |y| x.cmp(&Decimal::from(y))),
        (_, Numeric(y)) => a.as_i64().map_or(Ordering::Equal, |x| Decimal::from(x).cmp(y)),
        _ => a.as_i64().cmp(&b.as_i64()),
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        use Value::*;
        match (self, other) {
            (Int4(a), Int4(b)) => a.cmp(b),
            (Int8(a), Int8(b)) => a.cmp(b),
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Bool(a), Bool(b)) => a.cmp(b),
            (Float8(a), Float8(b)) => float_cmp(*a, *b),
            (Bytea(a), Bytea(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (Time(a), Time(b)) => a.cmp(b),
            (Timestamp(a), Timestamp(b)) | (TimestampTz(a), TimestampTz(b)) => a.cmp(b),
            (Interval(a), Interval(b)) => a.total_micros().cmp(&b.total_micros()),
            (Uuid(a), Uuid(b)) => a.cmp(b),
            (Json(a), Json(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Jsonb(a), Jsonb(b)) => a.cmp(b),
            (Array(a), Array(b)) => a.items.cmp(&b.items),
            _ => {
                let (ra, rb) = (self.rank(), other.rank());
                if ra == 1 && rb == 1 {
                    numeric_cmp(self, other)
                } else {
                    ra.cmp(&rb)
                }
            }
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        use Value::*;
        match self {
            Null => 0u8.hash(state),
            Bool(b) => b.hash(state),
            // All numbers hash by value so that equal numbers of different types collide:
            // integral values as i64, everything else through a normalized f64.
            Int2(_) | Int4(_) | Int8(_) => self.as_i64().hash(state),
            Float4(_) | Float8(_) | Numeric(_) => {
                let f = self.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    Some(f as i64).hash(state)
                } else if f.is_nan() {
                    u64::MAX.hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Text(s) | Json(s) => s.hash(state),
            Bytea(b) => b.hash(state),
            Date(d) => d.hash(state),
            Time(t) | Timestamp(t) | TimestampTz(t) => t.hash(state),
            Interval(i) => i.total_micros().hash(state),
            Uuid(u) => u.hash(state),
            Jsonb(j) => j.hash(state),
            Array(a) => a.items.hash(state),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i16> for Value {
    fn from(v: i16) -> Self {
        Value::Int2(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int4(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int8(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float4(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float8(v)
    }
}
impl From<Decimal> for Value {
    fn from(v: Decimal) -> Self {
        Value::Numeric(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.into())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v.into())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytea(v.into())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn grouping_order() {
        assert_eq!(Value::Null, Value::Null);
        assert!(Value::Int4(1) < Value::Null);
        assert_eq!(Value::Int4(2), Value::Int8(2));
        assert_eq!(Value::Float8(f64::NAN), Value::Float8(f64::NAN));
        assert!(Value::Float8(f64::NAN) > Value::Float8(f64::INFINITY));
        assert_eq!(Value::Float8(-0.0), Value::Float8(0.0));
        assert_eq!(Value::Int4(3).sql_cmp(&Value::Null), None);
        assert_eq!(Value::Numeric(Decimal::new(25, 1)).cmp(&Value::Int4(2)), Ordering::Greater);
    }
}

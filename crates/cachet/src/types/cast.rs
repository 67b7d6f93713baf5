//! Casts between types, with PostgreSQL's `pg_cast` semantics.
//!
//! [`cast_context`] answers *whether* a cast exists and in which context PostgreSQL
//! applies it on its own, exactly as `pg_cast.castcontext` does for the built-in types:
//!
//! - **implicit**: widening numerics (`int2 → int4 → int8 → numeric → real → double`),
//!   string types among themselves (`text ↔ varchar ↔ char`), `date → timestamp →
//!   timestamptz`, `time → interval`, the same type with another modifier, and
//!   `unknown` (an untyped literal) to anything;
//! - **assignment**: narrowing numerics (`int8 → int4`, `numeric → int`, `float →
//!   numeric`), `timestamp(tz) → date/time`, `timestamptz → timestamp`, `interval →
//!   time`, `json ↔ jsonb`, and every type to a string type (PostgreSQL's automatic
//!   I/O conversion casts);
//! - **explicit**: `bool ↔ int4`, `jsonb → bool/numbers`, and string types to every
//!   other type (I/O conversion through the input function).
//!
//! Arrays cast element by element, in the context of their element cast. Anything
//! else has no cast (`int4 → date`, `int8 → bool`): [`cast`] reports 42846
//! `cannot cast type bigint to boolean`.
//!
//! [`cast`] performs the conversion. The context matters only for length coercion:
//! an explicit cast to `varchar(n)`/`char(n)` truncates, while assignment and implicit
//! coercion raise 22001 unless the excess is spaces. It does not refuse a cast for
//! being used in too weak a context: that is the binder's decision, made with
//! [`cast_context`]. Numeric conversions round as PostgreSQL (NUMERIC half away from
//! zero, floats half to even) and report 22003 on overflow; timestamp conversions use
//! the given session zone. A value whose type already matches the target costs one
//! `match` and is returned as is.
//!
//! NB: a [`Value::Text`] does not know whether it came from `char(n)`; callers that
//! cast from `char(n)` to `text`/`varchar` and need PostgreSQL's trailing-space
//! trimming use [`cast_from`] with the source type.

use super::datetime::{
    date_to_timestamp, date_to_timestamptz, interval_to_time, time_to_interval, timestamp_to_date, timestamp_to_time,
    timestamp_to_timestamptz, timestamptz_to_date, timestamptz_to_time, timestamptz_to_timestamp,
};
use super::io::{coerce_length, format_value, parse_value};
use super::json::Jsonb;
use super::numeric::{
    apply_typmod, check_int_range, decimal_to_f32, decimal_to_f64, decimal_to_int, f32_to_decimal, f64_to_decimal,
    f64_to_f32, float_to_int,
};
use super::{Array, DataType, TimeZone, Value};
use crate::error::{Error, Result, SqlState};
use rust_decimal::Decimal;
use std::sync::Arc;

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
    use CastContext::*;
    use DataType::*;
    if *from == Unknown {
        return Some(Implicit);
    }
    if same_base(from, to) {
        return Some(Implicit);
    }
    let rank = |t: &DataType| match t {
        Int2 => Some(0),
        Int4 => Some(1),
        Int8 => Some(2),
        Numeric(_) => Some(3),
        Float4 => Some(4),
        Float8 => Some(5),
        _ => None,
    };
    if let (Some(a), Some(b)) = (rank(from), rank(to)) {
        return Some(if a < b { Implicit } else { Assignment });
    }
    Some(match (from, to) {
        (Array(a), Array(b)) => return cast_context(a, b),
        (f, Text | Varchar(_) | Char(_)) if f.is_string() => Implicit,
        (Unknown, _) => Implicit,
        (_, Text | Varchar(_) | Char(_)) => Assignment,
        (f, _) if f.is_string() => Explicit,
        (Bool, Int4) | (Int4, Bool) => Explicit,
        (Date, Timestamp | TimestampTz) => Implicit,
        (Timestamp, TimestampTz) => Implicit,
        (Timestamp, Date | Time) => Assignment,
        (TimestampTz, Date | Time | Timestamp) => Assignment,
        (Time, Interval) => Implicit,
        (Interval, Time) => Assignment,
        (Json, Jsonb) | (Jsonb, Json) => Assignment,
        (Jsonb, Bool | Int2 | Int4 | Int8 | Float4 | Float8 | Numeric(_)) => Explicit,
        _ => return None,
    })
}

/// Whether two types are the same apart from their modifiers.
fn same_base(a: &DataType, b: &DataType) -> bool {
    use DataType::*;
    match (a, b) {
        (Numeric(_), Numeric(_)) | (Varchar(_), Varchar(_)) | (Char(_), Char(_)) => true,
        (Array(x), Array(y)) => same_base(x, y),
        _ => a == b,
    }
}

fn cannot_cast(from: &DataType, to: &DataType) -> Error {
    Error::new(SqlState::CANNOT_COERCE, format!("cannot cast type {from} to {to}"))
}

/// Whether the value already has the target type, so that the cast is a no-op.
fn is_noop(v: &Value, to: &DataType) -> bool {
    use DataType as T;
    matches!(
        (v, to),
        (Value::Bool(_), T::Bool)
            | (Value::Int2(_), T::Int2)
            | (Value::Int4(_), T::Int4)
            | (Value::Int8(_), T::Int8)
            | (Value::Float4(_), T::Float4)
            | (Value::Float8(_), T::Float8)
            | (Value::Numeric(_), T::Numeric(None))
            | (Value::Text(_), T::Text | T::Varchar(None) | T::Char(None) | T::Unknown)
            | (Value::Bytea(_), T::Bytea)
            | (Value::Date(_), T::Date)
            | (Value::Time(_), T::Time)
            | (Value::Timestamp(_), T::Timestamp)
            | (Value::TimestampTz(_), T::TimestampTz)
            | (Value::Interval(_), T::Interval)
            | (Value::Uuid(_), T::Uuid)
            | (Value::Json(_), T::Json)
            | (Value::Jsonb(_), T::Jsonb)
    ) || matches!((v, to), (Value::Array(a), T::Array(e)) if a.element_type == **e && !has_typmod(e))
}

fn has_typmod(t: &DataType) -> bool {
    match t {
        DataType::Numeric(m) => m.is_some(),
        DataType::Varchar(n) | DataType::Char(n) => n.is_some(),
        DataType::Array(e) => has_typmod(e),
        _ => false,
    }
}

/// Casts a value to a type. `context` says whether the cast was written (`Explicit`),
/// happens on storing into a column (`Assignment`) or was inserted by the binder
/// (`Implicit`); it matters for length limits, where an explicit cast truncates and an
/// assignment raises an error. NULL casts to NULL.
pub fn cast(v: Value, to: &DataType, context: CastContext, tz: &TimeZone) -> Result<Value> {
    if v.is_null() || is_noop(&v, to) {
        return Ok(v);
    }
    let from = v.data_type();
    cast_from(v, &from, to, context, tz)
}

/// Like [`cast`], with the source type given: needed for `char(n)` sources, whose
/// trailing spaces are removed when cast to `text` or `varchar`, and to cast an
/// untyped literal (`unknown`) by its input function.
pub fn cast_from(v: Value, from: &DataType, to: &DataType, context: CastContext, tz: &TimeZone) -> Result<Value> {
    use DataType as T;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let strict = context != CastContext::Explicit;
    // char(n) to the other string types drops trailing spaces.
    if let (T::Char(_), T::Text | T::Varchar(_), Value::Text(s)) = (from, to, &v) {
        let trimmed = s.trim_end_matches(' ');
        let v = if trimmed.len() == s.len() { v.clone() } else { Value::text(trimmed) };
        return cast_from(v, &T::Text, to, context, tz);
    }
    if is_noop(&v, to) {
        return Ok(v);
    }
    Ok(match (v, to) {
        // To string types: text as is, anything else through its output function
        // (booleans as `true`/`false`), then length coercion.
        (v, T::Text | T::Varchar(_) | T::Char(_) | T::Unknown) => {
            let s: Arc<str> = match v {
                Value::Text(s) | Value::Json(s) => s,
                Value::Bool(b) => (if b { "true" } else { "false" }).into(),
                other => format_value(&other, tz).into(),
            };
            match to {
                T::Varchar(Some(n)) => Value::Text(coerce_length(&s, *n, false, strict)?),
                T::Char(Some(n)) => Value::Text(coerce_length(&s, *n, true, strict)?),
                _ => Value::Text(s),
            }
        }
        // From string types (and unknown literals): the target's input function.
        (Value::Text(s), to) => {
            if !(from.is_string() || *from == T::Unknown) {
                return Err(cannot_cast(from, to));
            }
            parse_value(&s, to, tz)?
        }

        // Integers.
        (Value::Int2(i), to) => int_to(i as i64, from, to)?,
        (Value::Int4(i), T::Bool) => Value::Bool(i != 0),
        (Value::Int4(i), to) => int_to(i as i64, from, to)?,
        (Value::Int8(i), to) => int_to(i, from, to)?,
        (Value::Bool(b), T::Int4) => Value::Int4(b as i32),

        // Floats.
        (Value::Float4(f), T::Float8) => Value::Float8(f as f64),
        (Value::Float4(f), T::Int2) => Value::Int2(float_to_int(f as f64, 16)? as i16),
        (Value::Float4(f), T::Int4) => Value::Int4(float_to_int(f as f64, 32)? as i32),
        (Value::Float4(f), T::Int8) => Value::Int8(float_to_int(f as f64, 64)?),
        (Value::Float4(f), T::Numeric(m)) => Value::Numeric(typmod(f32_to_decimal(f)?, m)?),
        (Value::Float8(f), T::Float4) => Value::Float4(f64_to_f32(f)?),
        (Value::Float8(f), T::Int2) => Value::Int2(float_to_int(f, 16)? as i16),
        (Value::Float8(f), T::Int4) => Value::Int4(float_to_int(f, 32)? as i32),
        (Value::Float8(f), T::Int8) => Value::Int8(float_to_int(f, 64)?),
        (Value::Float8(f), T::Numeric(m)) => Value::Numeric(typmod(f64_to_decimal(f)?, m)?),

        // NUMERIC.
        (Value::Numeric(d), T::Numeric(m)) => Value::Numeric(typmod(d, m)?),
        (Value::Numeric(d), T::Int2) => Value::Int2(decimal_to_int(&d, 16)? as i16),
        (Value::Numeric(d), T::Int4) => Value::Int4(decimal_to_int(&d, 32)? as i32),
        (Value::Numeric(d), T::Int8) => Value::Int8(decimal_to_int(&d, 64)?),
        (Value::Numeric(d), T::Float4) => Value::Float4(decimal_to_f32(&d)),
        (Value::Numeric(d), T::Float8) => Value::Float8(decimal_to_f64(&d)),

        // Dates and times.
        (Value::Date(d), T::Timestamp) => Value::Timestamp(date_to_timestamp(d)?),
        (Value::Date(d), T::TimestampTz) => Value::TimestampTz(date_to_timestamptz(d, tz)?),
        (Value::Timestamp(ts), T::Date) => Value::Date(timestamp_to_date(ts)?),
        (Value::Timestamp(ts), T::Time) => timestamp_to_time(ts).map_or(Value::Null, Value::Time),
        (Value::Timestamp(ts), T::TimestampTz) => Value::TimestampTz(timestamp_to_timestamptz(ts, tz)?),
        (Value::TimestampTz(ts), T::Date) => Value::Date(timestamptz_to_date(ts, tz)?),
        (Value::TimestampTz(ts), T::Time) => timestamptz_to_time(ts, tz).map_or(Value::Null, Value::Time),
        (Value::TimestampTz(ts), T::Timestamp) => Value::Timestamp(timestamptz_to_timestamp(ts, tz)?),
        (Value::Time(t), T::Interval) => Value::Interval(time_to_interval(t)),
        (Value::Interval(iv), T::Time) => Value::Time(interval_to_time(&iv)),

        // JSON.
        (Value::Json(s), T::Jsonb) => Value::Jsonb(Arc::new(Jsonb::parse(&s)?)),
        (Value::Jsonb(j), T::Json) => Value::Json(j.to_string().into()),
        (Value::Jsonb(j), to)
            if matches!(to, T::Bool | T::Int2 | T::Int4 | T::Int8 | T::Float4 | T::Float8 | T::Numeric(_)) =>
        {
            jsonb_to(&j, to)?
        }

        // Arrays, element by element.
        (Value::Array(a), T::Array(elem)) => {
            if cast_context(&a.element_type, elem).is_none() {
                return Err(cannot_cast(from, to));
            }
            let items = match Arc::try_unwrap(a) {
                Ok(arr) => arr.items,
                Err(shared) => shared.items.clone(),
            };
            let items = items.into_iter().map(|x| cast(x, elem, context, tz)).collect::<Result<Vec<_>>>()?;
            Value::Array(Arc::new(Array { element_type: (**elem).clone(), items }))
        }

        (v, to) => match cast_context(from, to) {
            // Any remaining cast that exists is an I/O conversion.
            Some(_) => parse_value(&format_value(&v, tz), to, tz)?,
            None => return Err(cannot_cast(from, to)),
        },
    })
}

fn typmod(d: Decimal, m: &Option<super::NumericTypmod>) -> Result<Decimal> {
    match m {
        Some(m) => apply_typmod(d, *m),
        None => Ok(d),
    }
}

fn int_to(i: i64, from: &DataType, to: &DataType) -> Result<Value> {
    Ok(match to {
        DataType::Int2 => Value::Int2(check_int_range(i, 16)? as i16),
        DataType::Int4 => Value::Int4(check_int_range(i, 32)? as i32),
        DataType::Int8 => Value::Int8(i),
        DataType::Float4 => Value::Float4(i as f32),
        DataType::Float8 => Value::Float8(i as f64),
        DataType::Numeric(m) => Value::Numeric(typmod(Decimal::from(i), m)?),
        _ => return Err(cannot_cast(from, to)),
    })
}

/// `jsonb` to `boolean` and the numeric types: the scalar must have the right type.
fn jsonb_to(j: &Jsonb, to: &DataType) -> Result<Value> {
    // NB: PostgreSQL calls a JSON number "numeric" here (jsonb_typeof says "number").
    let kind = if j.as_number().is_some() { "numeric" } else { j.type_name() };
    let wrong = || Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("cannot cast jsonb {kind} to type {to}"));
    if let DataType::Bool = to {
        return j.as_bool().map(Value::Bool).ok_or_else(wrong);
    }
    let n = j.as_number().ok_or_else(wrong)?;
    match to {
        DataType::Float4 => return Ok(Value::Float4(f64_to_f32(n.to_f64())?)),
        DataType::Float8 => {
            let f = n.to_f64();
            if f.is_infinite() {
                return Err(Error::out_of_range(format!("\"{n}\" is out of range for type double precision")));
            }
            return Ok(Value::Float8(f));
        }
        _ => {}
    }
    let d = n.as_decimal().ok_or_else(|| match to {
        DataType::Int2 => Error::out_of_range("smallint out of range"),
        DataType::Int4 => Error::out_of_range("integer out of range"),
        DataType::Int8 => Error::out_of_range("bigint out of range"),
        _ => Error::out_of_range("value overflows numeric format"),
    })?;
    Ok(match to {
        DataType::Int2 => Value::Int2(decimal_to_int(&d, 16)? as i16),
        DataType::Int4 => Value::Int4(decimal_to_int(&d, 32)? as i32),
        DataType::Int8 => Value::Int8(decimal_to_int(&d, 64)?),
        DataType::Numeric(m) => Value::Numeric(typmod(d, m)?),
        _ => return Err(wrong()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::NumericTypmod;
    use std::str::FromStr;
    use CastContext::*;

    fn utc() -> TimeZone {
        TimeZone::Utc
    }

    fn lit(s: &str, ty: &DataType) -> Value {
        parse_value(s, ty, &utc()).unwrap()
    }

    fn show(v: &Value) -> String {
        if v.is_null() {
            "NULL".into()
        } else {
            format_value(v, &utc())
        }
    }

    fn num(s: &str) -> Value {
        Value::Numeric(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn context_table_matches_pg_cast() {
        use DataType::*;
        let t = |from: DataType, to: DataType| cast_context(&from, &to);
        let nm = || Numeric(None);
        let cases: Vec<(DataType, DataType, Option<CastContext>)> = vec![
            (Int2, Int4, Some(Implicit)),
            (Int4, Int8, Some(Implicit)),
            (Int8, nm(), Some(Implicit)),
            (nm(), Float4, Some(Implicit)),
            (Float4, Float8, Some(Implicit)),
            (Int4, Float8, Some(Implicit)),
            (Int8, Int4, Some(Assignment)),
            (Int4, Int2, Some(Assignment)),
            (nm(), Int4, Some(Assignment)),
            (Float8, nm(), Some(Assignment)),
            (Float4, nm(), Some(Assignment)),
            (Float8, Float4, Some(Assignment)),
            (Float8, Int8, Some(Assignment)),
            (Bool, Int4, Some(Explicit)),
            (Int4, Bool, Some(Explicit)),
            (Int8, Bool, None),
            (Bool, nm(), None),
            (Text, Varchar(Some(3)), Some(Implicit)),
            (Varchar(None), Text, Some(Implicit)),
            (Char(Some(2)), Varchar(None), Some(Implicit)),
            (Varchar(Some(5)), Varchar(Some(3)), Some(Implicit)),
            (Numeric(None), Numeric(Some(NumericTypmod { precision: 5, scale: 2 })), Some(Implicit)),
            (Int4, Text, Some(Assignment)),
            (Bool, Varchar(Some(2)), Some(Assignment)),
            (Jsonb, Text, Some(Assignment)),
            (Text, Int4, Some(Explicit)),
            (Text, Json, Some(Explicit)),
            (Varchar(None), Date, Some(Explicit)),
            (Date, Timestamp, Some(Implicit)),
            (Date, TimestampTz, Some(Implicit)),
            (Timestamp, TimestampTz, Some(Implicit)),
            (TimestampTz, Timestamp, Some(Assignment)),
            (Timestamp, Date, Some(Assignment)),
            (TimestampTz, Time, Some(Assignment)),
            (Time, Interval, Some(Implicit)),
            (Interval, Time, Some(Assignment)),
            (Json, Jsonb, Some(Assignment)),
            (Jsonb, Json, Some(Assignment)),
            (Jsonb, Bool, Some(Explicit)),
            (Jsonb, Float8, Some(Explicit)),
            (Json, Int4, None),
            (Int4, Date, None),
            (Date, Int4, None),
            (Date, Time, None),
            (Bytea, Uuid, None),
            (Unknown, Date, Some(Implicit)),
            (Array(Box::new(Int4)), Array(Box::new(Int8)), Some(Implicit)),
            (Array(Box::new(Int8)), Array(Box::new(Int4)), Some(Assignment)),
            (Array(Box::new(Int4)), Array(Box::new(Date)), None),
            (Array(Box::new(Int4)), Text, Some(Assignment)),
            (Text, Array(Box::new(Int4)), Some(Explicit)),
        ];
        for (from, to, want) in cases {
            assert_eq!(t(from.clone(), to.clone()), want, "{from} -> {to}");
        }
        assert!(Implicit < Assignment && Assignment < Explicit);
    }

    #[test]
    fn casts_match_postgres() {
        use DataType::*;
        let tz = utc();
        let c = |v: Value, to: DataType, ctx: CastContext| -> String {
            show(&cast(v.clone(), &to, ctx, &tz).unwrap_or_else(|e| panic!("{v:?} -> {to}: {e}")))
        };
        assert_eq!(c(lit("infinity", &Timestamp), Date, Explicit), "infinity");
        assert_eq!(c(lit("-infinity", &TimestampTz), Date, Explicit), "-infinity");
        assert_eq!(c(lit("infinity", &Date), Timestamp, Explicit), "infinity");
        assert_eq!(c(lit("infinity", &Timestamp), Time, Explicit), "NULL");
        assert_eq!(c(num("2.5"), Int4, Explicit), "3");
        assert_eq!(c(num("-2.5"), Int4, Explicit), "-3");
        assert_eq!(c(Value::Float8(2.5), Int4, Explicit), "2");
        assert_eq!(c(Value::Float8(3.5), Int4, Explicit), "4");
        assert_eq!(c(lit("1.5", &Jsonb), Int4, Explicit), "2");
        assert_eq!(c(lit("1.5", &Jsonb), Float8, Explicit), "1.5");
        assert_eq!(c(lit("true", &Jsonb), Bool, Explicit), "t");
        assert_eq!(c(lit("1e300", &Jsonb), Float8, Explicit), "1e+300");
        assert_eq!(c(Value::Bool(true), Text, Explicit), "true");
        assert_eq!(c(Value::Bool(true), Varchar(Some(2)), Explicit), "tr");
        assert_eq!(c(Value::Int4(12345), Varchar(Some(2)), Explicit), "12");
        assert_eq!(c(Value::Int4(1), Bool, Explicit), "t");
        assert_eq!(c(Value::Int4(0), Bool, Explicit), "f");
        assert_eq!(c(Value::Bool(true), Int4, Explicit), "1");
        assert_eq!(c(lit("{1.5,2.5}", &Array(Box::new(Numeric(None)))), Array(Box::new(Int4)), Explicit), "{2,3}");
        assert_eq!(c(lit("{1,2}", &Array(Box::new(Int4))), Array(Box::new(Text)), Explicit), "{1,2}");
        assert_eq!(c(lit("{1,2}", &Array(Box::new(Text))), Array(Box::new(Int4)), Explicit), "{1,2}");
        assert_eq!(c(lit("{1,2}", &Array(Box::new(Int4))), Text, Assignment), "{1,2}");
        assert_eq!(c(num("1.23456"), Numeric(Some(NumericTypmod { precision: 4, scale: 2 })), Assignment), "1.23");
        assert_eq!(c(lit("1 day 25:00", &Interval), Time, Explicit), "01:00:00");
        assert_eq!(c(lit("13:00", &Time), Interval, Implicit), "13:00:00");
        assert_eq!(c(lit("2024-01-31 13:04:05", &Timestamp), TimestampTz, Implicit), "2024-01-31 13:04:05+00");
        assert_eq!(c(lit("2024-01-31 13:04:05+00", &TimestampTz), Timestamp, Assignment), "2024-01-31 13:04:05");
        assert_eq!(c(lit(r#"{"a":1}"#, &Json), Jsonb, Assignment), r#"{"a": 1}"#);
        assert_eq!(c(lit(r#"{"b":1, "a":2}"#, &Jsonb), Json, Assignment), r#"{"a": 2, "b": 1}"#);
        assert_eq!(c(Value::text("42"), Int8, Explicit), "42");
        assert_eq!(c(Value::text("2024-01-31"), Date, Explicit), "2024-01-31");
        assert_eq!(c(Value::Int4(5), Float4, Implicit), "5");
        assert_eq!(c(Value::Int8(1 << 53), Float8, Implicit), "9.007199254740992e+15");
        assert_eq!(c(Value::Float4(0.1), Float8, Implicit), "0.10000000149011612");
        assert_eq!(c(Value::Float8(0.1), Numeric(None), Assignment), "0.1");
        assert_eq!(c(num("0.1"), Float8, Implicit), "0.1");
        assert_eq!(c(Value::Int4(7), Numeric(Some(NumericTypmod { precision: 5, scale: 2 })), Assignment), "7.00");
        assert_eq!(
            c(lit("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &Uuid), Text, Assignment),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
        assert_eq!(c(Value::Null, Int4, Explicit), "NULL");

        // Time zones apply.
        let ny = TimeZone::parse("America/New_York").unwrap();
        let x = lit("2024-01-31 03:00:00+00", &TimestampTz);
        assert_eq!(show(&cast(x.clone(), &Date, Assignment, &ny).unwrap()), "2024-01-30");
        assert_eq!(show(&cast(x.clone(), &Time, Assignment, &ny).unwrap()), "22:00:00");
        assert_eq!(show(&cast(x, &Timestamp, Assignment, &ny).unwrap()), "2024-01-30 22:00:00");
        let d = lit("2024-07-01", &Date);
        assert_eq!(format_value(&cast(d, &TimestampTz, Implicit, &ny).unwrap(), &tz), "2024-07-01 04:00:00+00");
    }

    #[test]
    fn length_coercion() {
        use DataType::*;
        let tz = utc();
        let v = Value::text("abcd");
        assert_eq!(show(&cast(v.clone(), &Varchar(Some(3)), Explicit, &tz).unwrap()), "abc");
        let e = cast(v.clone(), &Varchar(Some(3)), Assignment, &tz).unwrap_err();
        assert_eq!(e.code(), SqlState::STRING_DATA_RIGHT_TRUNCATION);
        assert_eq!(e.message(), "value too long for type character varying(3)");
        let e = cast(v.clone(), &Char(Some(3)), Implicit, &tz).unwrap_err();
        assert_eq!(e.message(), "value too long for type character(3)");
        assert_eq!(show(&cast(Value::text("abc  "), &Varchar(Some(3)), Assignment, &tz).unwrap()), "abc");
        assert_eq!(show(&cast(Value::text("ab"), &Char(Some(4)), Assignment, &tz).unwrap()), "ab  ");
        assert_eq!(show(&cast(v, &Char(Some(2)), Explicit, &tz).unwrap()), "ab");
        let e = cast(Value::Int4(12345), &Varchar(Some(2)), Assignment, &tz).unwrap_err();
        assert_eq!(e.message(), "value too long for type character varying(2)");
        // char(n) to text drops the padding.
        let padded = Value::text("abc  ");
        let t = cast_from(padded.clone(), &Char(Some(5)), &Text, Explicit, &tz).unwrap();
        assert_eq!(show(&t), "abc");
        let t = cast_from(padded, &Char(Some(5)), &Varchar(None), Explicit, &tz).unwrap();
        assert_eq!(show(&t), "abc");
        // Multibyte characters count as one.
        assert_eq!(show(&cast(Value::text("éèà"), &Varchar(Some(2)), Explicit, &tz).unwrap()), "éè");
        assert!(cast(Value::text("éè"), &Varchar(Some(2)), Assignment, &tz).is_ok());
    }

    #[test]
    fn cast_errors_match_postgres() {
        use DataType::*;
        let tz = utc();
        let cases: Vec<(Value, DataType, SqlState, &str)> = vec![
            (Value::Float8(32767.5), Int2, SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range"),
            (Value::Float8(1e10), Int4, SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range"),
            (Value::Int4(40000), Int2, SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range"),
            (Value::Int8(1 << 40), Int4, SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range"),
            (lit("null", &Jsonb), Int4, SqlState::INVALID_PARAMETER_VALUE, "cannot cast jsonb null to type integer"),
            (lit("\"a\"", &Jsonb), Bool, SqlState::INVALID_PARAMETER_VALUE, "cannot cast jsonb string to type boolean"),
            (lit("1.5", &Jsonb), Bool, SqlState::INVALID_PARAMETER_VALUE, "cannot cast jsonb numeric to type boolean"),
            (
                lit("{}", &Jsonb),
                Numeric(None),
                SqlState::INVALID_PARAMETER_VALUE,
                "cannot cast jsonb object to type numeric",
            ),
            (
                lit("[1]", &Jsonb),
                Float8,
                SqlState::INVALID_PARAMETER_VALUE,
                "cannot cast jsonb array to type double precision",
            ),
            (Value::Int8(1), Bool, SqlState::CANNOT_COERCE, "cannot cast type bigint to boolean"),
            (lit("2024-01-01", &Date), Int4, SqlState::CANNOT_COERCE, "cannot cast type date to integer"),
            (
                Value::Float8(12345.6),
                Numeric(Some(NumericTypmod { precision: 4, scale: 1 })),
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "numeric field overflow",
            ),
            (
                Value::text("x"),
                Uuid,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type uuid: \"x\"",
            ),
            (Value::Float8(1e-50), Float4, SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow"),
            (Value::Bytea(vec![1u8].into()), Uuid, SqlState::CANNOT_COERCE, "cannot cast type bytea to uuid"),
        ];
        for (v, to, code, msg) in cases {
            let e = cast(v.clone(), &to, Explicit, &tz).unwrap_err();
            assert_eq!(e.message(), msg, "{v:?} -> {to}");
            assert_eq!(e.code(), code, "{v:?} -> {to}");
        }
    }

    #[test]
    fn same_type_is_a_no_op() {
        let tz = utc();
        let s: Arc<str> = "hello".into();
        let v = cast(Value::Text(s.clone()), &DataType::Text, CastContext::Implicit, &tz).unwrap();
        match v {
            Value::Text(t) => assert!(Arc::ptr_eq(&t, &s)),
            other => panic!("{other:?}"),
        }
        let a = Arc::new(Array { element_type: DataType::Int4, items: vec![Value::Int4(1)] });
        match cast(Value::Array(a.clone()), &DataType::Array(Box::new(DataType::Int4)), CastContext::Implicit, &tz)
            .unwrap()
        {
            Value::Array(b) => assert!(Arc::ptr_eq(&a, &b)),
            other => panic!("{other:?}"),
        }
    }
}

//! The built-in scalar functions.

use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::sql::expr::{AggFunc, BinOp};
use crate::types::{DataType, TimeZone, Value};
use rust_decimal::prelude::*;

use DataType as T;

/// Any numeric type; unknown literals count as numeric.
fn numeric_arg(t: &DataType) -> Option<DataType> {
    match t {
        t if t.is_numeric() => Some(t.without_typmod()),
        T::Unknown => Some(T::Numeric(None)),
        _ => None,
    }
}

fn text_arg(t: &DataType) -> bool {
    t.is_string() || *t == T::Unknown
}

fn r_numeric_same(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] => {
            let t = numeric_arg(t)?;
            Sig::new(vec![t.clone()], t)
        }
        _ => None,
    }
}

fn r_text_to_text(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] if text_arg(t) => Sig::new(vec![T::Text], T::Text),
        _ => None,
    }
}

fn r_text_to_int(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] if text_arg(t) => Sig::new(vec![T::Text], T::Int4),
        [T::Bytea] => Sig::new(vec![T::Bytea], T::Int4),
        _ => None,
    }
}

fn r_nothing_to_tstz(args: &[DataType]) -> Option<Sig> {
    args.is_empty().then(|| Sig { args: vec![], ret: T::TimestampTz })
}

fn r_nothing_to_f8(args: &[DataType]) -> Option<Sig> {
    args.is_empty().then(|| Sig { args: vec![], ret: T::Float8 })
}

fn r_variadic_common(args: &[DataType]) -> Option<Sig> {
    if args.is_empty() {
        return None;
    }
    let t = crate::sql::typing::common_type(args, "GREATEST/LEAST").ok()?;
    Sig::new(vec![t.clone(); args.len()], t)
}

fn e_abs(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Int2(i) => Value::Int2(i.checked_abs().ok_or_else(|| Error::out_of_range("smallint out of range"))?),
        Value::Int4(i) => Value::Int4(i.checked_abs().ok_or_else(|| Error::out_of_range("integer out of range"))?),
        Value::Int8(i) => Value::Int8(i.checked_abs().ok_or_else(|| Error::out_of_range("bigint out of range"))?),
        Value::Float4(f) => Value::Float4(f.abs()),
        Value::Float8(f) => Value::Float8(f.abs()),
        Value::Numeric(d) => Value::Numeric(d.abs()),
        v => return Err(Error::internal(format!("abs of {v:?}"))),
    })
}

fn e_lower(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(a[0].as_str().unwrap_or_default().to_lowercase()))
}

fn e_upper(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(a[0].as_str().unwrap_or_default().to_uppercase()))
}

fn e_length(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Bytea(b) => Value::Int4(b.len() as i32),
        v => Value::Int4(v.as_str().unwrap_or_default().chars().count() as i32),
    })
}

fn e_now(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::TimestampTz(unix_to_pg_micros(ctx.txn_start)))
}

fn e_random(_: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Float8(rand::random::<f64>()))
}

fn e_greatest(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(a.iter().filter(|v| !v.is_null()).max().cloned().unwrap_or(Value::Null))
}

fn e_least(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(a.iter().filter(|v| !v.is_null()).min().cloned().unwrap_or(Value::Null))
}

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
pub const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

/// Converts Unix-epoch microseconds to PostgreSQL-epoch microseconds.
pub fn unix_to_pg_micros(us: i64) -> i64 {
    us - PG_EPOCH_OFFSET_MICROS
}

fn e_bpchar_to_text(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = a[0].as_str().unwrap_or_default();
    Ok(Value::text(s.trim_end_matches(' ')))
}

fn r_bpchar(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] if t.is_string() || *t == T::Unknown => Sig::new(vec![t.clone()], T::Text),
        _ => None,
    }
}

/// char(n) to text: drops trailing spaces.
pub static BPCHAR_TO_TEXT: Func = Func {
    name: "rtrim_bpchar",
    resolve: r_bpchar,
    eval: e_bpchar_to_text,
    strict: true,
    volatile: false,
    stable: false,
};

pub static FUNCS: &[Func] = &[
    Func { name: "abs", resolve: r_numeric_same, eval: e_abs, strict: true, volatile: false, stable: false },
    Func { name: "lower", resolve: r_text_to_text, eval: e_lower, strict: true, volatile: false, stable: false },
    Func { name: "upper", resolve: r_text_to_text, eval: e_upper, strict: true, volatile: false, stable: false },
    Func { name: "length", resolve: r_text_to_int, eval: e_length, strict: true, volatile: false, stable: false },
    Func { name: "char_length", resolve: r_text_to_int, eval: e_length, strict: true, volatile: false, stable: false },
    Func {
        name: "character_length",
        resolve: r_text_to_int,
        eval: e_length,
        strict: true,
        volatile: false,
        stable: false,
    },
    Func { name: "now", resolve: r_nothing_to_tstz, eval: e_now, strict: false, volatile: false, stable: true },
    Func { name: "random", resolve: r_nothing_to_f8, eval: e_random, strict: false, volatile: true, stable: false },
    Func {
        name: "greatest",
        resolve: r_variadic_common,
        eval: e_greatest,
        strict: false,
        volatile: false,
        stable: false,
    },
    Func { name: "least", resolve: r_variadic_common, eval: e_least, strict: false, volatile: false, stable: false },
];

/// Date and time arithmetic: the operators `sql::typing` resolves for dates, times,
/// timestamps and intervals, with PostgreSQL's calendar rules.
pub fn datetime_arith(op: BinOp, l: Value, r: Value, tz: &TimeZone) -> Result<Value> {
    use crate::types::datetime as dt;
    use BinOp::{Add, Div, Mul, Sub};
    use Value::*;
    Ok(match (op, l, r) {
        (Add, Date(d), Int4(n)) | (Add, Int4(n), Date(d)) => Date(dt::date_add_days(d, n as i64)?),
        (Sub, Date(d), Int4(n)) => Date(dt::date_add_days(d, -(n as i64))?),
        (Sub, Date(a), Date(b)) => Int4(dt::date_diff(a, b)?),
        (Add, Date(d), Interval(iv)) | (Add, Interval(iv), Date(d)) => Timestamp(dt::date_add_interval(d, &iv)?),
        (Sub, Date(d), Interval(iv)) => Timestamp(dt::date_add_interval(d, &dt::interval_neg(&iv)?)?),
        (Add, Date(d), Time(t)) | (Add, Time(t), Date(d)) => Timestamp(dt::date_add_time(d, t)?),
        (Add, Timestamp(ts), Interval(iv)) | (Add, Interval(iv), Timestamp(ts)) => {
            Timestamp(dt::timestamp_add_interval(ts, &iv)?)
        }
        (Sub, Timestamp(ts), Interval(iv)) => Timestamp(dt::timestamp_sub_interval(ts, &iv)?),
        (Add, TimestampTz(ts), Interval(iv)) | (Add, Interval(iv), TimestampTz(ts)) => {
            TimestampTz(dt::timestamptz_add_interval(ts, &iv, tz)?)
        }
        (Sub, TimestampTz(ts), Interval(iv)) => TimestampTz(dt::timestamptz_sub_interval(ts, &iv, tz)?),
        (Add, Time(t), Interval(iv)) | (Add, Interval(iv), Time(t)) => Time(dt::time_add_interval(t, &iv)),
        (Sub, Time(t), Interval(iv)) => Time(dt::time_sub_interval(t, &iv)),
        (Sub, Timestamp(a), Timestamp(b)) | (Sub, TimestampTz(a), TimestampTz(b)) => {
            Interval(dt::timestamp_diff(a, b)?)
        }
        (Sub, Time(a), Time(b)) => Interval(dt::time_diff(a, b)),
        (Add, Interval(a), Interval(b)) => Interval(dt::interval_add(&a, &b)?),
        (Sub, Interval(a), Interval(b)) => Interval(dt::interval_sub(&a, &b)?),
        (Mul, Interval(iv), Float8(f)) | (Mul, Float8(f), Interval(iv)) => Interval(dt::interval_mul(&iv, f)?),
        (Div, Interval(iv), Float8(f)) => {
            if f == 0.0 {
                return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
            }
            Interval(dt::interval_div(&iv, f)?)
        }
        (op, l, r) => {
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("operator does not exist: {} {} {}", l.data_type(), op.symbol(), r.data_type()),
            ))
        }
    })
}

/// The result of array_agg, json_agg and jsonb_agg.
pub fn finish_collect(func: AggFunc, items: Vec<Value>, ty: &DataType) -> Result<Value> {
    match (func, ty) {
        (AggFunc::ArrayAgg, DataType::Array(e)) => {
            Ok(Value::Array(std::sync::Arc::new(crate::types::Array { element_type: (**e).clone(), items })))
        }
        _ => Err(Error::unsupported(format!("aggregate {}", func.name()))),
    }
}

/// The result of json_object_agg and jsonb_object_agg.
pub fn finish_object_agg(func: AggFunc, _items: Vec<(Value, Value)>) -> Result<Value> {
    Err(Error::unsupported(format!("aggregate {}", func.name())))
}

#[allow(dead_code)]
fn to_f64(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

#[allow(dead_code)]
fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Numeric(d) => Some(*d),
        _ => v.as_i64().map(Decimal::from),
    }
}

//! The registry's general-purpose entries (`greatest`, `least`, the `char(n)` to
//! `text` conversion the binder inserts), the date/time arithmetic behind the
//! operators, and the finishers of the collecting aggregates.

use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::sql::expr::{AggFunc, BinOp};
use crate::types::{DataType, TimeZone, Value};

use DataType as T;

fn r_variadic_common(args: &[DataType]) -> Option<Sig> {
    if args.is_empty() {
        return None;
    }
    let t = crate::sql::typing::common_type(args, "GREATEST/LEAST").ok()?;
    Sig::new(vec![t.clone(); args.len()], t)
}

fn e_greatest(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(a.iter().filter(|v| !v.is_null()).max().cloned().unwrap_or(Value::Null))
}

fn e_least(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(a.iter().filter(|v| !v.is_null()).min().cloned().unwrap_or(Value::Null))
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
    Func::new("greatest", r_variadic_common, e_greatest).lenient(),
    Func::new("least", r_variadic_common, e_least).lenient(),
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

/// The result of array_agg, json_agg and jsonb_agg over at least one row.
///
/// NB: json_agg and jsonb_agg format `timestamptz` items in UTC here: this entry
/// point does not receive the session time zone; [`finish_collect_in`] does.
pub fn finish_collect(func: AggFunc, items: Vec<Value>, ty: &DataType) -> Result<Value> {
    finish_collect_in(func, items, ty, &TimeZone::Utc)
}

/// [`finish_collect`] with the session time zone, for `timestamptz` items of
/// json_agg and jsonb_agg.
pub fn finish_collect_in(func: AggFunc, items: Vec<Value>, ty: &DataType, tz: &TimeZone) -> Result<Value> {
    match (func, ty) {
        (AggFunc::ArrayAgg, DataType::Array(e)) => {
            Ok(Value::Array(std::sync::Arc::new(crate::types::Array { element_type: (**e).clone(), items })))
        }
        (AggFunc::JsonAgg, _) => super::json::json_agg(&items, tz),
        (AggFunc::JsonbAgg, _) => super::json::jsonb_agg(&items, tz),
        _ => Err(Error::unsupported(format!("aggregate {}", func.name()))),
    }
}

/// The result of json_object_agg and jsonb_object_agg over at least one row (keys,
/// values). A NULL key fails with 22023, as in PostgreSQL. `timestamptz` values are
/// formatted in UTC; [`finish_object_agg_in`] takes the session time zone.
pub fn finish_object_agg(func: AggFunc, items: Vec<(Value, Value)>) -> Result<Value> {
    finish_object_agg_in(func, items, &TimeZone::Utc)
}

/// [`finish_object_agg`] with the session time zone.
pub fn finish_object_agg_in(func: AggFunc, items: Vec<(Value, Value)>, tz: &TimeZone) -> Result<Value> {
    match func {
        AggFunc::JsonObjectAgg => super::json::json_object_agg(&items, tz),
        AggFunc::JsonbObjectAgg => super::json::jsonb_object_agg(&items, tz),
        _ => Err(Error::unsupported(format!("aggregate {}", func.name()))),
    }
}

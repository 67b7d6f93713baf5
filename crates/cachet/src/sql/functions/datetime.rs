//! Date and time functions: the current time in its several flavours, `date_trunc`,
//! `extract`/`date_part`, `age`, the `make_*` constructors, `to_char`,
//! `to_timestamp`/`to_date`, `justify_*`, `isfinite`, `AT TIME ZONE` (`timezone`)
//! and `date_bin`. The calendar work is in [`crate::types::datetime`]; this module
//! resolves PostgreSQL's overloads (a `date` argument takes the `timestamptz`
//! overload, the preferred type of its category) and wires the session context in.
//!
//! The current-time functions read the statement context: `now()`,
//! `current_timestamp` and `transaction_timestamp()` are the transaction's start,
//! `statement_timestamp()` the statement's, `clock_timestamp()` and `timeofday()` the
//! engine clock at the call.
//!
//! Differences from PostgreSQL: `current_time` returns `time` (there is no
//! `timetz` type); `timezone(zone, time)` (`time AT TIME ZONE`) is not supported.
//! Time zone names in `AT TIME ZONE` are looked up as in PostgreSQL: the abbreviation
//! table first (`PST`, `CET`: fixed offsets), then IANA names, then POSIX specs (`+3`
//! is three hours *west*), but the abbreviation table is a snapshot of PostgreSQL's
//! default set, so abbreviations whose meaning PostgreSQL derives from a zone's
//! history use their current offset.

use super::args::{err, exact, float, int, invalid_param, text};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::types::datetime::{
    self as dt, DAY_NAMES, MONTH_NAMES, TS_NEG_INFINITY, TS_POS_INFINITY, USECS_PER_DAY, USECS_PER_SEC,
};
use crate::types::{format_value, DataType, Interval, TimeZone, Value};

use DataType as T;

/// Microseconds between the Unix epoch and PostgreSQL's.
const UNIX_TO_PG: i64 = dt::UNIX_TO_PG_MICROS;

fn is_infinite(ts: i64) -> bool {
    ts == TS_POS_INFINITY || ts == TS_NEG_INFINITY
}

fn ts_range() -> Error {
    Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

// ---------------------------------------------------------------------------
// The current time
// ---------------------------------------------------------------------------

fn r_none(args: &[DataType], ret: DataType) -> Option<Sig> {
    args.is_empty().then(|| Sig { args: vec![], ret })
}

fn txn_now(ctx: &ExecCtx) -> i64 {
    ctx.txn_start - UNIX_TO_PG
}

fn e_now(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::TimestampTz(txn_now(ctx)))
}

fn e_statement_timestamp(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    // NB: a statement never starts before its transaction; the session may take the
    // two readings in either order for the first statement of a transaction, where
    // PostgreSQL gives both the same value.
    Ok(Value::TimestampTz(ctx.stmt_start.max(ctx.txn_start) - UNIX_TO_PG))
}

fn e_clock_timestamp(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::TimestampTz(ctx.engine.now() - UNIX_TO_PG))
}

fn e_current_date(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::Date(dt::timestamptz_to_date(txn_now(ctx), ctx.tz)?))
}

fn e_current_time(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(dt::timestamptz_to_time(txn_now(ctx), ctx.tz).map_or(Value::Null, Value::Time))
}

fn e_localtimestamp(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::Timestamp(dt::timestamptz_to_timestamp(txn_now(ctx), ctx.tz)?))
}

/// `timeofday()`: the clock as text, `Wed Jan 17 12:34:56.123456 2024 UTC`.
fn e_timeofday(_: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let now = ctx.engine.now() - UNIX_TO_PG;
    let Some((f, _)) = dt::timestamptz_to_fields(now, ctx.tz) else {
        return Err(ts_range());
    };
    let day = &DAY_NAMES[f.weekday() as usize][..3];
    let month = &MONTH_NAMES[(f.month - 1) as usize][..3];
    Ok(Value::text(format!(
        "{day} {month} {:02} {:02}:{:02}:{:02}.{:06} {} {}",
        f.day,
        f.hour,
        f.minute,
        f.second,
        f.micros,
        f.year,
        ctx.tz.abbreviation_at(now)
    )))
}

// ---------------------------------------------------------------------------
// Time zones for AT TIME ZONE
// ---------------------------------------------------------------------------

/// PostgreSQL's default time zone abbreviations, with their offsets in seconds east.
#[rustfmt::skip]
const ZONE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("acdt", 37800), ("acsst", 37800), ("acst", 34200), ("act", -18000), ("acwst", 31500), ("adt", -10800),
    ("aedt", 39600), ("aesst", 39600), ("aest", 36000), ("aft", 16200), ("akdt", -28800), ("akst", -32400),
    ("almst", 25200), ("almt", 21600), ("amst", 14400), ("amt", -14400), ("anast", 43200), ("anat", 43200),
    ("arst", -10800), ("art", -10800), ("ast", -14400), ("awsst", 32400), ("awst", 28800), ("azost", 0),
    ("azot", -3600), ("azst", 14400), ("azt", 14400), ("bdst", 7200), ("bdt", 21600), ("bnt", 28800),
    ("bort", 28800), ("bot", -14400), ("bra", -10800), ("brst", -7200), ("brt", -10800), ("bst", 3600),
    ("btt", 21600), ("cadt", 37800), ("cast", 34200), ("cct", 28800), ("cdt", -18000), ("cest", 7200),
    ("cet", 3600), ("cetdst", 7200), ("chadt", 49500), ("chast", 45900), ("chut", 36000), ("ckt", -36000),
    ("clst", -10800), ("clt", -10800), ("cot", -18000), ("cst", -21600), ("cxt", 25200), ("davt", 25200),
    ("ddut", 36000), ("easst", -18000), ("east", -18000), ("eat", 10800), ("edt", -14400), ("eest", 10800),
    ("eet", 7200), ("eetdst", 10800), ("egst", 0), ("egt", -3600), ("est", -18000), ("fet", 10800), ("fjst", 46800),
    ("fjt", 43200), ("fkst", -10800), ("fkt", -10800), ("fnst", -3600), ("fnt", -7200), ("galt", -21600),
    ("gamt", -32400), ("gest", 14400), ("get", 14400), ("gft", -10800), ("gilt", 43200), ("gmt", 0),
    ("gyt", -14400), ("hkt", 28800), ("hst", -36000), ("ict", 25200), ("idt", 10800), ("iot", 21600),
    ("irkst", 28800), ("irkt", 28800), ("irt", 12600), ("ist", 7200), ("jayt", 32400), ("jst", 32400),
    ("kdt", 36000), ("kgst", 21600), ("kgt", 21600), ("kost", 39600), ("krast", 25200), ("krat", 25200),
    ("kst", 32400), ("lhdt", 39600), ("lhst", 37800), ("ligt", 36000), ("lint", 50400), ("lkt", 19800),
    ("magst", 39600), ("magt", 39600), ("mart", -34200), ("mawt", 18000), ("mdt", -21600), ("mest", 7200),
    ("mesz", 7200), ("met", 3600), ("metdst", 7200), ("mez", 3600), ("mht", 43200), ("mmt", 23400), ("mpt", 36000),
    ("msd", 14400), ("msk", 10800), ("mst", -25200), ("must", 18000), ("mut", 14400), ("mvt", 18000),
    ("myt", 28800), ("ndt", -9000), ("nft", -12600), ("novst", 25200), ("novt", 25200), ("npt", 20700),
    ("nst", -12600), ("nut", -39600), ("nzdt", 46800), ("nzst", 43200), ("nzt", 43200), ("omsst", 21600),
    ("omst", 21600), ("pdt", -25200), ("pet", -18000), ("petst", 43200), ("pett", 43200), ("pgt", 36000),
    ("pht", 28800), ("pkst", 21600), ("pkt", 18000), ("pmdt", -7200), ("pmst", -10800), ("pont", 39600),
    ("pst", -28800), ("pwt", 32400), ("pyst", -10800), ("pyt", -10800), ("ret", 14400), ("sadt", 37800),
    ("sast", 7200), ("sct", 14400), ("sgt", 28800), ("taht", -36000), ("tft", 18000), ("tjt", 18000),
    ("tkt", 46800), ("tmt", 18000), ("tot", 46800), ("trut", 36000), ("tvt", 43200), ("uct", 0), ("ulast", 32400),
    ("ulat", 28800), ("ut", 0), ("utc", 0), ("uyst", -7200), ("uyt", -10800), ("uzst", 21600), ("uzt", 18000),
    ("vet", -14400), ("vlast", 36000), ("vlat", 36000), ("volt", 10800), ("vut", 39600), ("wadt", 28800),
    ("wakt", 43200), ("wast", 25200), ("wat", 3600), ("wdt", 32400), ("wet", 0), ("wetdst", 3600), ("wft", 43200),
    ("wgst", -7200), ("wgt", -10800), ("xjt", 21600), ("yakst", 32400), ("yakt", 32400), ("yapt", 36000),
    ("yekst", 21600), ("yekt", 18000), ("z", 0), ("zulu", 0),
];

/// Looks a zone name up as `AT TIME ZONE` does (see the module docs).
pub fn parse_zone(name: &str) -> Result<TimeZone> {
    let lower = name.to_ascii_lowercase();
    if let Ok(i) = ZONE_ABBREVIATIONS.binary_search_by(|(a, _)| a.cmp(&lower.as_str())) {
        return Ok(TimeZone::fixed(ZONE_ABBREVIATIONS[i].1));
    }
    let not_recognized = || invalid_param(format!("time zone \"{name}\" not recognized"));
    let t = name.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == '.') {
        // A bare number is a POSIX offset: hours west of Greenwich.
        let hours: f64 = t.parse().map_err(|_| not_recognized())?;
        if !hours.is_finite() || hours.abs() > 168.0 {
            return Err(not_recognized());
        }
        return Ok(TimeZone::fixed(-(hours * 3600.0) as i32));
    }
    TimeZone::parse(name).map_err(|_| not_recognized())
}

/// The zone of `AT TIME ZONE`'s left operand: a name, or an interval offset (east).
fn zone_arg(v: &Value, ctx: &ExecCtx) -> Result<TimeZone> {
    match v {
        Value::Interval(iv) => {
            if iv.months != 0 || iv.days != 0 {
                return Err(invalid_param(format!(
                    "interval time zone \"{}\" must not include months or days",
                    format_value(v, ctx.tz)
                )));
            }
            let secs = i32::try_from(iv.micros / USECS_PER_SEC)
                .map_err(|_| invalid_param("interval time zone out of range"))?;
            Ok(TimeZone::fixed(secs))
        }
        v => parse_zone(text(v)),
    }
}

fn r_timezone(args: &[DataType]) -> Option<Sig> {
    let [z, v] = args else { return None };
    let z = match z {
        T::Interval => T::Interval,
        z if z.is_string() || *z == T::Unknown => T::Text,
        _ => return None,
    };
    match v {
        T::Timestamp => Sig::new(vec![z, T::Timestamp], T::TimestampTz),
        T::TimestampTz | T::Date | T::Unknown => Sig::new(vec![z, T::TimestampTz], T::Timestamp),
        _ => None,
    }
}

/// `timezone(zone, value)`: `timestamp AT TIME ZONE z` reads the wall-clock time in
/// `z`; `timestamptz AT TIME ZONE z` shows the instant's wall-clock time in `z`.
fn e_timezone(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let zone = zone_arg(&a[0], ctx)?;
    Ok(match a[1] {
        Value::Timestamp(ts) => Value::TimestampTz(dt::local_to_timestamptz(ts, &zone)?),
        Value::TimestampTz(ts) => Value::Timestamp(dt::timestamptz_to_timestamp(ts, &zone)?),
        ref v => return Err(Error::internal(format!("timezone of {v:?}"))),
    })
}

// ---------------------------------------------------------------------------
// date_trunc, extract, date_part
// ---------------------------------------------------------------------------

fn r_date_trunc(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, T::Timestamp] => exact(args, &[T::Text, T::Timestamp], T::Timestamp),
        [_, T::Interval] => exact(args, &[T::Text, T::Interval], T::Interval),
        _ => None,
    }
}

fn r_date_trunc_tz(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, T::TimestampTz | T::Date] => exact(args, &[T::Text, T::TimestampTz], T::TimestampTz),
        _ => None,
    }
}

fn r_date_trunc_zone(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, T::TimestampTz | T::Date | T::Timestamp, _] => {
            exact(args, &[T::Text, T::TimestampTz, T::Text], T::TimestampTz)
        }
        _ => None,
    }
}

fn e_date_trunc(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let unit = text(&a[0]);
    Ok(match (&a[1], a.get(2)) {
        (Value::Timestamp(ts), _) => Value::Timestamp(dt::date_trunc(unit, *ts)?),
        (Value::TimestampTz(ts), None) => Value::TimestampTz(dt::date_trunc_tz(unit, *ts, ctx.tz)?),
        (Value::TimestampTz(ts), Some(z)) => Value::TimestampTz(dt::date_trunc_tz(unit, *ts, &parse_zone(text(z))?)?),
        (Value::Interval(iv), _) => Value::Interval(dt::date_trunc_interval(unit, iv)?),
        (v, _) => return Err(Error::internal(format!("date_trunc of {v:?}"))),
    })
}

/// `extract`/`date_part` over a value type that does not depend on the zone.
fn r_part(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [_, t @ (T::Date | T::Time | T::Timestamp | T::Interval)] => exact(args, &[T::Text, t.clone()], ret),
        _ => None,
    }
}

fn r_part_tz(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [_, T::TimestampTz] => exact(args, &[T::Text, T::TimestampTz], ret),
        _ => None,
    }
}

fn e_extract(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(dt::extract(text(&a[0]), &a[1], ctx.tz)?.map_or(Value::Null, Value::Numeric))
}

fn e_date_part(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(dt::date_part(text(&a[0]), &a[1], ctx.tz)?.map_or(Value::Null, Value::Float8))
}

// ---------------------------------------------------------------------------
// age
// ---------------------------------------------------------------------------

/// Whether a set of datetime arguments resolves to the `timestamp` overload
/// (otherwise `timestamptz`, the preferred type).
fn all_timestamp(args: &[DataType]) -> Option<bool> {
    if !args.iter().all(|t| matches!(t, T::Timestamp | T::TimestampTz | T::Date | T::Unknown)) {
        return None;
    }
    if args.iter().all(|t| *t == T::Unknown) {
        return None;
    }
    Some(args.iter().all(|t| matches!(t, T::Timestamp | T::Unknown)))
}

fn r_age(args: &[DataType]) -> Option<Sig> {
    if !(1..=2).contains(&args.len()) || !all_timestamp(args)? {
        return None;
    }
    Sig::new(vec![T::Timestamp; args.len()], T::Interval)
}

fn r_age_tz(args: &[DataType]) -> Option<Sig> {
    if !(1..=2).contains(&args.len()) || all_timestamp(args)? {
        return None;
    }
    Sig::new(vec![T::TimestampTz; args.len()], T::Interval)
}

fn e_age(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let today = dt::timestamptz_to_date(txn_now(ctx), ctx.tz)?;
    Ok(Value::Interval(match (&a[0], a.get(1)) {
        (Value::Timestamp(x), Some(Value::Timestamp(y))) => dt::age(*x, *y)?,
        (Value::TimestampTz(x), Some(Value::TimestampTz(y))) => dt::age_tz(*x, *y, ctx.tz)?,
        (Value::Timestamp(x), None) => dt::age(dt::date_to_timestamp(today)?, *x)?,
        (Value::TimestampTz(x), None) => dt::age_tz(dt::date_to_timestamptz(today, ctx.tz)?, *x, ctx.tz)?,
        (v, _) => return Err(Error::internal(format!("age of {v:?}"))),
    }))
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

fn i32_arg(v: &Value) -> i32 {
    int(v) as i32
}

fn e_make_date(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Date(dt::make_date(i32_arg(&a[0]), i32_arg(&a[1]), i32_arg(&a[2]))?))
}

fn e_make_time(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Time(dt::make_time(i32_arg(&a[0]), i32_arg(&a[1]), float(&a[2]))?))
}

fn make_ts_args(a: &[Value]) -> (i32, i32, i32, i32, i32, f64) {
    (i32_arg(&a[0]), i32_arg(&a[1]), i32_arg(&a[2]), i32_arg(&a[3]), i32_arg(&a[4]), float(&a[5]))
}

fn e_make_timestamp(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (y, mo, d, h, mi, s) = make_ts_args(a);
    Ok(Value::Timestamp(dt::make_timestamp(y, mo, d, h, mi, s)?))
}

fn e_make_timestamptz(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let (y, mo, d, h, mi, s) = make_ts_args(a);
    let zone = match a.get(6) {
        Some(z) => parse_zone(text(z))?,
        None => ctx.tz.clone(),
    };
    Ok(Value::TimestampTz(dt::make_timestamptz(y, mo, d, h, mi, s, &zone)?))
}

fn r_make_interval(args: &[DataType]) -> Option<Sig> {
    let params = [T::Int4, T::Int4, T::Int4, T::Int4, T::Int4, T::Int4, T::Float8];
    exact(args, params.get(..args.len())?, T::Interval)
}

fn e_make_interval(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let i = |n: usize| a.get(n).map_or(0, i32_arg);
    let secs = a.get(6).map_or(0.0, float);
    Ok(Value::Interval(dt::make_interval(i(0), i(1), i(2), i(3), i(4), i(5), secs)?))
}

// ---------------------------------------------------------------------------
// Formatting and parsing
// ---------------------------------------------------------------------------

fn r_to_char(args: &[DataType]) -> Option<Sig> {
    let [v, _] = args else { return None };
    let t = match v {
        T::Timestamp | T::Interval | T::Int4 | T::Int8 | T::Float4 | T::Float8 => v.clone(),
        T::Int2 => T::Int4,
        T::Numeric(_) => T::Numeric(None),
        _ => return None,
    };
    exact(args, &[t, T::Text], T::Text)
}

fn r_to_char_tz(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::TimestampTz | T::Date, _] => exact(args, &[T::TimestampTz, T::Text], T::Text),
        _ => None,
    }
}

fn e_to_char(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let fmt = text(&a[1]);
    Ok(match &a[0] {
        Value::Timestamp(ts) => dt::to_char_timestamp(*ts, fmt, None).map_or(Value::Null, Value::text),
        Value::TimestampTz(ts) => dt::to_char_timestamp(*ts, fmt, Some(ctx.tz)).map_or(Value::Null, Value::text),
        Value::Interval(iv) => Value::text(dt::to_char_interval(iv, fmt)),
        v => Value::text(dt::to_char_number(v, fmt)?),
    })
}

fn r_to_timestamp(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] if t.is_numeric() || *t == T::Unknown => Sig::new(vec![T::Float8], T::TimestampTz),
        _ => None,
    }
}

fn e_to_timestamp(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::TimestampTz(match a {
        [secs] => dt::to_timestamp_epoch(float(secs))?,
        [s, f, ..] => dt::to_timestamp(text(s), text(f), ctx.tz)?,
        [] => return Err(Error::internal("to_timestamp without arguments")),
    }))
}

fn e_to_date(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Date(dt::to_date(text(&a[0]), text(&a[1]))?))
}

fn interval_arg(v: &Value) -> Interval {
    match v {
        Value::Interval(iv) => *iv,
        _ => Interval::default(),
    }
}

fn r_interval(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Interval], T::Interval)
}

fn r_isfinite(args: &[DataType]) -> Option<Sig> {
    match args {
        [t @ (T::Date | T::Timestamp | T::TimestampTz | T::Interval)] => Sig::new(vec![t.clone()], T::Bool),
        _ => None,
    }
}

fn e_isfinite(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Bool(match a[0] {
        Value::Date(d) => d != dt::DATE_POS_INFINITY && d != dt::DATE_NEG_INFINITY,
        Value::Timestamp(ts) | Value::TimestampTz(ts) => !is_infinite(ts),
        _ => true,
    }))
}

// ---------------------------------------------------------------------------
// date_bin
// ---------------------------------------------------------------------------

fn r_date_bin(args: &[DataType]) -> Option<Sig> {
    let [_, v, o] = args else { return None };
    let t = if all_timestamp(&[v.clone(), o.clone()])? { T::Timestamp } else { T::TimestampTz };
    exact(args, &[T::Interval, t.clone(), t.clone()], t)
}

/// `date_bin(stride, source, origin)`: the start of the stride-wide bin, counted from
/// `origin`, that holds `source`.
fn date_bin(stride: &Interval, ts: i64, origin: i64) -> Result<i64> {
    if is_infinite(ts) {
        return Ok(ts);
    }
    let out = |m: &str| Error::new(SqlState::DATETIME_FIELD_OVERFLOW, m.to_string());
    if is_infinite(origin) {
        return Err(out("origin out of range"));
    }
    if stride.months != 0 {
        return Err(Error::unsupported("timestamps cannot be binned into intervals containing months or years"));
    }
    let stride_us = (stride.days as i64)
        .checked_mul(USECS_PER_DAY)
        .and_then(|d| d.checked_add(stride.micros))
        .ok_or_else(|| out("interval out of range"))?;
    if stride_us <= 0 {
        return Err(out("stride must be greater than zero"));
    }
    let diff = ts.checked_sub(origin).ok_or_else(|| out("interval out of range"))?;
    let modulo = diff % stride_us;
    let mut result = origin + (diff - modulo);
    if modulo < 0 {
        result = result.checked_sub(stride_us).ok_or_else(ts_range)?;
    }
    if !dt::is_valid_timestamp(result) {
        return Err(ts_range());
    }
    Ok(result)
}

fn e_date_bin(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let stride = interval_arg(&a[0]);
    Ok(match (&a[1], &a[2]) {
        (Value::Timestamp(ts), Value::Timestamp(o)) => Value::Timestamp(date_bin(&stride, *ts, *o)?),
        (Value::TimestampTz(ts), Value::TimestampTz(o)) => Value::TimestampTz(date_bin(&stride, *ts, *o)?),
        (v, _) => return Err(err(SqlState::INTERNAL_ERROR, format!("date_bin of {v:?}"))),
    })
}

pub static FUNCS: &[Func] = &[
    Func::new("now", |a| r_none(a, T::TimestampTz), e_now).lenient().stable(),
    Func::new("current_timestamp", |a| r_none(a, T::TimestampTz), e_now).lenient().stable(),
    Func::new("transaction_timestamp", |a| r_none(a, T::TimestampTz), e_now).lenient().stable(),
    Func::new("statement_timestamp", |a| r_none(a, T::TimestampTz), e_statement_timestamp).lenient().stable(),
    Func::new("clock_timestamp", |a| r_none(a, T::TimestampTz), e_clock_timestamp).lenient().volatile(),
    Func::new("timeofday", |a| r_none(a, T::Text), e_timeofday).lenient().volatile(),
    Func::new("current_date", |a| r_none(a, T::Date), e_current_date).lenient().stable(),
    Func::new("current_time", |a| r_none(a, T::Time), e_current_time).lenient().stable(),
    Func::new("localtime", |a| r_none(a, T::Time), e_current_time).lenient().stable(),
    Func::new("localtimestamp", |a| r_none(a, T::Timestamp), e_localtimestamp).lenient().stable(),
    Func::new("date_trunc", r_date_trunc, e_date_trunc),
    Func::new("date_trunc", r_date_trunc_tz, e_date_trunc).stable(),
    Func::new("date_trunc", r_date_trunc_zone, e_date_trunc),
    Func::new("extract", |a| r_part(a, T::Numeric(None)), e_extract),
    Func::new("extract", |a| r_part_tz(a, T::Numeric(None)), e_extract).stable(),
    Func::new("date_part", |a| r_part(a, T::Float8), e_date_part),
    Func::new("date_part", |a| r_part_tz(a, T::Float8), e_date_part).stable(),
    Func::new("age", r_age, e_age).stable(),
    Func::new("age", r_age_tz, e_age).stable(),
    Func::new("make_date", |a| exact(a, &[T::Int4, T::Int4, T::Int4], T::Date), e_make_date),
    Func::new("make_time", |a| exact(a, &[T::Int4, T::Int4, T::Float8], T::Time), e_make_time),
    Func::new(
        "make_timestamp",
        |a| exact(a, &[T::Int4, T::Int4, T::Int4, T::Int4, T::Int4, T::Float8], T::Timestamp),
        e_make_timestamp,
    ),
    Func::new(
        "make_timestamptz",
        |a| exact(a, &[T::Int4, T::Int4, T::Int4, T::Int4, T::Int4, T::Float8], T::TimestampTz),
        e_make_timestamptz,
    )
    .stable(),
    Func::new(
        "make_timestamptz",
        |a| exact(a, &[T::Int4, T::Int4, T::Int4, T::Int4, T::Int4, T::Float8, T::Text], T::TimestampTz),
        e_make_timestamptz,
    ),
    Func::new("make_interval", r_make_interval, e_make_interval),
    Func::new("to_char", r_to_char, e_to_char),
    Func::new("to_char", r_to_char_tz, e_to_char).stable(),
    Func::new("to_timestamp", r_to_timestamp, e_to_timestamp),
    Func::new("to_timestamp", |a| exact(a, &[T::Text, T::Text], T::TimestampTz), e_to_timestamp).stable(),
    Func::new("to_date", |a| exact(a, &[T::Text, T::Text], T::Date), e_to_date),
    Func::new("justify_days", r_interval, |a, _, _| Ok(Value::Interval(dt::justify_days(&interval_arg(&a[0]))?))),
    Func::new("justify_hours", r_interval, |a, _, _| Ok(Value::Interval(dt::justify_hours(&interval_arg(&a[0]))?))),
    Func::new("justify_interval", r_interval, |a, _, _| {
        Ok(Value::Interval(dt::justify_interval(&interval_arg(&a[0]))?))
    }),
    Func::new("isfinite", r_isfinite, e_isfinite),
    Func::new("timezone", r_timezone, e_timezone),
    Func::new("date_bin", r_date_bin, e_date_bin),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_sorted() {
        assert!(ZONE_ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("PST").unwrap(), TimeZone::fixed(-8 * 3600));
        assert_eq!(parse_zone("+3").unwrap(), TimeZone::fixed(-3 * 3600));
        assert!(parse_zone("Europe/Paris").is_ok());
        assert_eq!(parse_zone("foo").unwrap_err().message(), "time zone \"foo\" not recognized");
    }

    #[test]
    fn bins() {
        let m = 60 * USECS_PER_SEC;
        let stride = Interval::new(0, 0, 15 * m);
        assert_eq!(date_bin(&stride, 44 * m + 17, 0).unwrap(), 30 * m);
        assert_eq!(date_bin(&stride, -m, 0).unwrap(), -15 * m);
        assert!(date_bin(&Interval::new(1, 0, 0), 0, 0).is_err());
        assert!(date_bin(&Interval::new(0, 0, -1), 0, 0).is_err());
    }
}

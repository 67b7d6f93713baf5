//! The rows of `generate_series`, PostgreSQL's set-returning function, for the
//! executor's table-function machinery: [`resolve_generate_series`] types a call,
//! [`generate_series_iter`] produces its values lazily (a series can be very long)
//! and [`generate_series`] collects them.
//!
//! Overloads, as PostgreSQL's: `(int4, int4 [, int4])`, `(int8, int8 [, int8])`,
//! `(numeric, numeric [, numeric])` and `(timestamp|timestamptz, same, interval)`. A
//! zero step fails with 22023 `step size cannot equal zero`; the series stops before
//! the first value past `stop` (or before an integer overflow). A NULL argument gives
//! no rows. Timestamptz steps in days and months follow the session time zone.

use super::Sig;
use crate::error::{Error, Result};
use crate::sql::typing::promote_numeric;
use crate::types::datetime as dt;
use crate::types::{DataType, Interval, TimeZone, Value};
use rust_decimal::Decimal;

use DataType as T;

/// The argument types to coerce to and the element type of a `generate_series`
/// call, or `None` if no overload matches.
pub fn resolve_generate_series(args: &[DataType]) -> Option<Sig> {
    if !(2..=3).contains(&args.len()) {
        return None;
    }
    let num = |t: &DataType| t.is_integer() || matches!(t, T::Numeric(_) | T::Unknown);
    if args.iter().all(num) {
        let t = args.iter().filter(|t| **t != T::Unknown).fold(T::Int4, |acc, t| promote_numeric(&acc, t));
        let t = if t == T::Int2 { T::Int4 } else { t.without_typmod() };
        return Sig::new(vec![t.clone(); args.len()], t);
    }
    let [a, b, step] = args else { return None };
    if !matches!(step, T::Interval | T::Unknown) {
        return None;
    }
    let dt = |t: &DataType| matches!(t, T::Timestamp | T::TimestampTz | T::Date | T::Unknown);
    if !dt(a) || !dt(b) || (*a == T::Unknown && *b == T::Unknown) {
        return None;
    }
    let t = if matches!(a, T::Timestamp | T::Unknown) && matches!(b, T::Timestamp | T::Unknown) {
        T::Timestamp
    } else {
        T::TimestampTz
    };
    Sig::new(vec![t.clone(), t.clone(), T::Interval], t)
}

fn zero_step() -> Error {
    Error::new(crate::error::SqlState::INVALID_PARAMETER_VALUE, "step size cannot equal zero")
}

/// The values of `generate_series(args)`, lazily. `args` are already coerced to the
/// types [`resolve_generate_series`] chose.
pub fn generate_series_iter(args: &[Value], tz: &TimeZone) -> Result<Box<dyn Iterator<Item = Result<Value>> + Send>> {
    if args.iter().any(Value::is_null) || args.len() < 2 {
        return Ok(Box::new(std::iter::empty()));
    }
    match (&args[0], &args[1]) {
        (Value::Int4(_) | Value::Int8(_) | Value::Int2(_), _) => {
            let (start, stop) = (args[0].as_i64().unwrap_or(0), args[1].as_i64().unwrap_or(0));
            let step = args.get(2).and_then(Value::as_i64).unwrap_or(1);
            if step == 0 {
                return Err(zero_step());
            }
            let wide = matches!(args[0], Value::Int8(_));
            let mut cur = Some(start);
            Ok(Box::new(std::iter::from_fn(move || {
                let c = cur?;
                if (step > 0 && c > stop) || (step < 0 && c < stop) {
                    return None;
                }
                cur = c.checked_add(step).filter(|n| wide || i32::try_from(*n).is_ok());
                Some(Ok(if wide { Value::Int8(c) } else { Value::Int4(c as i32) }))
            })))
        }
        (Value::Numeric(start), Value::Numeric(stop)) => {
            let step = match args.get(2) {
                Some(Value::Numeric(s)) => *s,
                _ => Decimal::ONE,
            };
            if step.is_zero() {
                return Err(zero_step());
            }
            let (stop, positive) = (*stop, step.is_sign_positive());
            let mut cur = Some(*start);
            Ok(Box::new(std::iter::from_fn(move || {
                let c = cur?;
                if (positive && c > stop) || (!positive && c < stop) {
                    return None;
                }
                cur = c.checked_add(step);
                Some(Ok(Value::Numeric(c)))
            })))
        }
        (Value::Timestamp(start), Value::Timestamp(stop)) | (Value::TimestampTz(start), Value::TimestampTz(stop)) => {
            let Some(Value::Interval(step)) = args.get(2) else {
                return Err(Error::internal("generate_series over timestamps needs an interval step"));
            };
            let step: Interval = *step;
            if step.total_micros() == 0 {
                return Err(zero_step());
            }
            let positive = step.total_micros() > 0;
            let with_tz = matches!(args[0], Value::TimestampTz(_));
            let (stop, tz) = (*stop, tz.clone());
            let mut cur = Some(*start);
            Ok(Box::new(std::iter::from_fn(move || {
                let c = cur?;
                if (positive && c > stop) || (!positive && c < stop) {
                    return None;
                }
                let next = if with_tz {
                    dt::timestamptz_add_interval(c, &step, &tz)
                } else {
                    dt::timestamp_add_interval(c, &step)
                };
                match next {
                    Ok(n) if n != c => cur = Some(n),
                    Ok(_) => cur = None,
                    Err(e) => {
                        cur = None;
                        return Some(Err(e));
                    }
                }
                Some(Ok(if with_tz { Value::TimestampTz(c) } else { Value::Timestamp(c) }))
            })))
        }
        (v, _) => Err(Error::internal(format!("generate_series over {v:?}"))),
    }
}

/// All values of `generate_series(args)`.
pub fn generate_series(args: &[Value], tz: &TimeZone) -> Result<Vec<Value>> {
    generate_series_iter(args, tz)?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: Vec<Value>) -> Vec<i64> {
        v.iter().map(|x| x.as_i64().unwrap()).collect()
    }

    #[test]
    fn integers() {
        let tz = TimeZone::Utc;
        assert_eq!(ints(generate_series(&[Value::Int4(1), Value::Int4(3)], &tz).unwrap()), vec![1, 2, 3]);
        assert_eq!(
            ints(generate_series(&[Value::Int4(10), Value::Int4(1), Value::Int4(-4)], &tz).unwrap()),
            vec![10, 6, 2]
        );
        assert!(generate_series(&[Value::Int4(1), Value::Int4(3), Value::Int4(0)], &tz).is_err());
        assert_eq!(
            generate_series(&[Value::Int4(i32::MAX - 1), Value::Int4(i32::MAX)], &tz).unwrap().len(),
            2,
            "stops before overflowing"
        );
        assert!(generate_series(&[Value::Int4(1), Value::Null], &tz).unwrap().is_empty());
    }

    #[test]
    fn resolution() {
        let s = resolve_generate_series(&[T::Int4, T::Int8]).unwrap();
        assert_eq!(s.ret, T::Int8);
        let s = resolve_generate_series(&[T::Int4, T::Numeric(None), T::Unknown]).unwrap();
        assert_eq!(s.ret, T::Numeric(None));
        let s = resolve_generate_series(&[T::Date, T::Date, T::Unknown]).unwrap();
        assert_eq!(s.ret, T::TimestampTz);
        assert!(resolve_generate_series(&[T::Float8, T::Int4]).is_none());
    }

    #[test]
    fn timestamps() {
        let tz = TimeZone::Utc;
        let day = Interval::new(0, 1, 0);
        let v =
            generate_series(&[Value::Timestamp(0), Value::Timestamp(2 * dt::USECS_PER_DAY), Value::Interval(day)], &tz)
                .unwrap();
        assert_eq!(v.len(), 3);
        assert!(generate_series(
            &[Value::Timestamp(0), Value::Timestamp(1), Value::Interval(Interval::default())],
            &tz
        )
        .is_err());
    }
}

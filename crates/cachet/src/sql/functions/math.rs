//! Mathematical functions, with PostgreSQL's overloads, result scales and errors.
//!
//! Functions that PostgreSQL defines for both `double precision` and `numeric`
//! resolve as it does: a `numeric` argument keeps the `numeric` overload, every other
//! number (integers included) and an untyped literal take `double precision`, the
//! preferred numeric type. So `round(5)` and `sqrt(2)` are float8, `round(5.0)` and
//! `sqrt(2.0)` numeric.
//!
//! NUMERIC results of `sqrt`, `exp`, `ln` and `log` get PostgreSQL's result scale
//! (`NUMERIC_MIN_SIG_DIGITS` = 16 significant digits, at least the input's scale),
//! computed here from the value's base-10000 weight exactly as `numeric.c` does, then
//! the value is rounded half away from zero. The computation itself uses the 28-digit
//! precision of `rust_decimal`; results that need more than 28 decimals (for example
//! `exp(-50.0)`) are rounded to 28, and results beyond about 7.9e28 overflow with
//! 22003, where PostgreSQL's numeric goes much further. `factorial` overflows past 27!.
//!
//! `random()` draws from a per-thread generator that `setseed()` reseeds, so a session
//! that calls `setseed` gets a repeatable sequence (not PostgreSQL's sequence).
//! `setseed` returns an empty text value where PostgreSQL returns `void`.

use super::args::{exact, float, float_or_numeric, int, numeric};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::eval::binary;
use crate::sql::exec::ExecCtx;
use crate::sql::expr::BinOp;
use crate::types::numeric::normalize_zero;
use crate::types::{DataType, Value};
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::*;
use rust_decimal::MathematicalOps;
use std::cell::RefCell;

use DataType as T;

const MIN_SIG_DIGITS: i64 = 16;
const MAX_SCALE: i64 = 28;

fn out_of_range(msg: &str) -> Error {
    Error::out_of_range(msg)
}

fn numeric_overflow() -> Error {
    Error::out_of_range("value overflows numeric format")
}

fn log_error(negative: bool) -> Error {
    Error::new(
        SqlState::INVALID_ARGUMENT_FOR_LOG,
        if negative { "cannot take logarithm of a negative number" } else { "cannot take logarithm of zero" },
    )
}

fn sqrt_error() -> Error {
    Error::new(SqlState::INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number")
}

fn width_bucket_error(msg: &str) -> Error {
    Error::new(SqlState("2201G"), msg)
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

/// `f(float8) -> float8` or `f(numeric) -> numeric`.
fn r_float_or_numeric(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] => {
            let t = float_or_numeric(t)?;
            Sig::new(vec![t.clone()], t)
        }
        _ => None,
    }
}

/// `f(float8) -> float8` only.
fn r_float(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Float8], T::Float8)
}

fn r_float2(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Float8, T::Float8], T::Float8)
}

/// `f(numeric, int4) -> numeric`.
fn r_numeric_int(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Numeric(None), T::Int4], T::Numeric(None))
}

/// `f(numeric) -> ret`.
fn r_numeric_to(args: &[DataType], ret: DataType) -> Option<Sig> {
    exact(args, &[T::Numeric(None)], ret)
}

/// Two arguments of one integer type (the larger of the two) or numeric.
fn r_int_or_numeric2(args: &[DataType]) -> Option<Sig> {
    let [a, b] = args else { return None };
    let num = |t: &DataType| t.is_integer() || matches!(t, T::Numeric(_) | T::Unknown);
    if !num(a) || !num(b) {
        return None;
    }
    let t = match (a, b) {
        (T::Numeric(_), _) | (_, T::Numeric(_)) => T::Numeric(None),
        (T::Unknown, T::Unknown) => T::Int4,
        (T::Unknown, t) | (t, T::Unknown) => t.clone(),
        (a, b) => crate::sql::typing::promote_numeric(a, b),
    };
    Sig::new(vec![t.clone(), t.clone()], t)
}

/// Like [`r_int_or_numeric2`] without `int2` (gcd, lcm).
fn r_gcd(args: &[DataType]) -> Option<Sig> {
    let sig = r_int_or_numeric2(args)?;
    if sig.ret == T::Int2 {
        return Sig::new(vec![T::Int4, T::Int4], T::Int4);
    }
    Some(sig)
}

fn r_abs(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::Unknown] => Sig::new(vec![T::Float8], T::Float8),
        [t] if t.is_numeric() => Sig::new(vec![t.without_typmod()], t.without_typmod()),
        _ => None,
    }
}

fn r_width_bucket(args: &[DataType]) -> Option<Sig> {
    let [a, b, c, _] = args else { return None };
    let t = if [a, b, c].iter().any(|t| matches!(t, T::Numeric(_)))
        && [a, b, c].iter().all(|t| t.is_integer() || matches!(t, T::Numeric(_) | T::Unknown))
    {
        T::Numeric(None)
    } else {
        T::Float8
    };
    exact(args, &[t.clone(), t.clone(), t, T::Int4], T::Int4)
}

fn r_nothing_f8(args: &[DataType]) -> Option<Sig> {
    args.is_empty().then(|| Sig { args: vec![], ret: T::Float8 })
}

// ---------------------------------------------------------------------------
// NUMERIC result scales, as numeric.c computes them
// ---------------------------------------------------------------------------

/// The decimal exponent of the leading digit: `floor(log10(|d|))`, for non-zero `d`.
fn dec_exponent(d: &Decimal) -> i64 {
    let m = d.mantissa().unsigned_abs();
    let digits = if m == 0 { 1 } else { m.ilog10() as i64 + 1 };
    digits - 1 - d.scale() as i64
}

/// The base-10000 weight of a non-zero value (numeric.c's `weight`).
fn nbase_weight(d: &Decimal) -> i64 {
    dec_exponent(d).div_euclid(4)
}

/// The first one or two base-10000 digits of a non-zero value, as numeric.c's
/// `estimate_ln_dweight` reads them: `(digits, dweight)` with `value ~ digits *
/// 10^dweight`.
fn leading_nbase_digits(d: &Decimal) -> (f64, i64) {
    let weight = nbase_weight(d);
    let m = d.mantissa().unsigned_abs();
    let scale = d.scale() as i64;
    // value = m * 10^-scale; the base-10000 digit at position k is
    // floor(value / 10000^k) mod 10000.
    let digit_at = |k: i64| -> (u128, bool) {
        let shift = 4 * k + scale; // divide m by 10^shift
        let (q, rem_nonzero) = if shift >= 0 {
            let p = 10u128.checked_pow(shift as u32);
            match p {
                Some(p) => (m / p, !m.is_multiple_of(p)),
                None => (0, m != 0),
            }
        } else {
            (m * 10u128.pow((-shift) as u32), false)
        };
        (q % 10_000, rem_nonzero)
    };
    let (d0, more) = digit_at(weight);
    if more {
        let (d1, _) = digit_at(weight - 1);
        ((d0 * 10_000 + d1) as f64, (weight - 1) * 4)
    } else {
        (d0 as f64, weight * 4)
    }
}

/// numeric.c's `estimate_ln_dweight`: the decimal weight of `ln(d)` for `d > 0`.
fn estimate_ln_dweight(d: &Decimal) -> i64 {
    let lo = Decimal::new(9, 1);
    let hi = Decimal::new(11, 1);
    if *d >= lo && *d <= hi {
        let x = *d - Decimal::ONE;
        if x.is_zero() {
            0
        } else {
            dec_exponent(&x)
        }
    } else {
        let (digits, dweight) = leading_nbase_digits(d);
        let ln_var = digits.ln() + dweight as f64 * std::f64::consts::LN_10;
        ln_var.abs().log10() as i64
    }
}

fn clamp_scale(rscale: i64) -> u32 {
    rscale.clamp(0, MAX_SCALE) as u32
}

/// Rounds half away from zero to `scale` decimals and shows exactly that many (as far
/// as the 96-bit mantissa allows).
fn to_scale(d: Decimal, scale: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(scale);
    normalize_zero(r)
}

fn numeric_sqrt(d: Decimal) -> Result<Decimal> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(sqrt_error());
    }
    let rscale = if d.is_zero() {
        MIN_SIG_DIGITS - 1
    } else {
        let sweight = (nbase_weight(&d) + 1) * 4 / 2 - 1;
        MIN_SIG_DIGITS - sweight
    };
    let rscale = clamp_scale(rscale.max(d.scale() as i64));
    let r = d.sqrt().ok_or_else(numeric_overflow)?;
    Ok(to_scale(r, rscale))
}

fn numeric_exp(d: Decimal) -> Result<Decimal> {
    let val = (d.to_f64().unwrap_or(0.0) * std::f64::consts::LOG10_E).clamp(-1000.0, 1000.0);
    let rscale = clamp_scale((MIN_SIG_DIGITS - val as i64).max(d.scale() as i64));
    if val < -(MAX_SCALE as f64) - 2.0 {
        // Below the smallest representable decimal.
        return Ok(to_scale(Decimal::ZERO, rscale));
    }
    let r = d.checked_exp().ok_or_else(numeric_overflow)?;
    Ok(to_scale(r, rscale))
}

fn check_log_arg(d: &Decimal) -> Result<()> {
    if d.is_zero() {
        return Err(log_error(false));
    }
    if d.is_sign_negative() {
        return Err(log_error(true));
    }
    Ok(())
}

fn numeric_ln(d: Decimal) -> Result<Decimal> {
    check_log_arg(&d)?;
    let rscale = clamp_scale((MIN_SIG_DIGITS - estimate_ln_dweight(&d)).max(d.scale() as i64));
    let r = d.checked_ln().ok_or_else(numeric_overflow)?;
    Ok(to_scale(r, rscale))
}

/// `log(base, num)` for numerics.
fn numeric_log(base: Decimal, num: Decimal) -> Result<Decimal> {
    check_log_arg(&base)?;
    check_log_arg(&num)?;
    let result_dweight = estimate_ln_dweight(&num) - estimate_ln_dweight(&base);
    let rscale = clamp_scale((MIN_SIG_DIGITS - result_dweight).max(base.scale() as i64).max(num.scale() as i64));
    let ln_base = base.checked_ln().ok_or_else(numeric_overflow)?;
    if ln_base.is_zero() {
        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
    }
    let ln_num = num.checked_ln().ok_or_else(numeric_overflow)?;
    let r = ln_num.checked_div(ln_base).ok_or_else(numeric_overflow)?;
    Ok(to_scale(r, rscale))
}

// ---------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------

/// `round(numeric, s)` / `trunc(numeric, s)`: `s` may be negative (round to tens,
/// hundreds, ...); the result shows `max(s, 0)` decimals.
fn round_numeric(d: Decimal, s: i64, strategy: RoundingStrategy) -> Result<Decimal> {
    if s >= 0 {
        let s = s.min(MAX_SCALE) as u32;
        let mut r = d.round_dp_with_strategy(s, strategy);
        r.rescale(s);
        return Ok(normalize_zero(r));
    }
    let p = -s;
    if p > 28 {
        return Ok(Decimal::ZERO);
    }
    let f = Decimal::from_i128_with_scale(10i128.pow(p as u32), 0);
    let q = d.checked_div(f).ok_or_else(numeric_overflow)?.round_dp_with_strategy(0, strategy);
    let r = q.checked_mul(f).ok_or_else(numeric_overflow)?;
    Ok(normalize_zero(r.trunc()))
}

fn e_round(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Float8(f) => Value::Float8(f.round_ties_even()),
        v => {
            let s = a.get(1).map_or(0, int);
            Value::Numeric(round_numeric(numeric(v), s, RoundingStrategy::MidpointAwayFromZero)?)
        }
    })
}

fn e_trunc(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Float8(f) => Value::Float8(f.trunc()),
        v => {
            let s = a.get(1).map_or(0, int);
            Value::Numeric(round_numeric(numeric(v), s, RoundingStrategy::ToZero)?)
        }
    })
}

fn e_ceil(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Float8(f) => Value::Float8(f.ceil()),
        v => Value::Numeric(normalize_zero(numeric(v).ceil())),
    })
}

fn e_floor(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Float8(f) => Value::Float8(f.floor()),
        v => Value::Numeric(normalize_zero(numeric(v).floor())),
    })
}

fn e_sign(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Float8(f) => Value::Float8(if *f > 0.0 {
            1.0
        } else if *f < 0.0 {
            -1.0
        } else {
            0.0
        }),
        v => {
            let d = numeric(v);
            Value::Numeric(if d.is_zero() {
                Decimal::ZERO
            } else if d.is_sign_negative() {
                Decimal::NEGATIVE_ONE
            } else {
                Decimal::ONE
            })
        }
    })
}

fn e_abs(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Int2(i) => Value::Int2(i.checked_abs().ok_or_else(|| out_of_range("smallint out of range"))?),
        Value::Int4(i) => Value::Int4(i.checked_abs().ok_or_else(|| out_of_range("integer out of range"))?),
        Value::Int8(i) => Value::Int8(i.checked_abs().ok_or_else(|| out_of_range("bigint out of range"))?),
        Value::Float4(f) => Value::Float4(f.abs()),
        Value::Float8(f) => Value::Float8(f.abs()),
        Value::Numeric(d) => Value::Numeric(d.abs()),
        v => return Err(Error::internal(format!("abs of {v:?}"))),
    })
}

// ---------------------------------------------------------------------------
// Powers and logarithms
// ---------------------------------------------------------------------------

/// Checks a float result as PostgreSQL's `float_overflow_error` and
/// `float_underflow_error` callers do.
fn check_float(r: f64, arg_inf: bool, zero_ok: bool) -> Result<Value> {
    if r.is_infinite() && !arg_inf {
        return Err(out_of_range("value out of range: overflow"));
    }
    if r == 0.0 && !zero_ok {
        return Err(out_of_range("value out of range: underflow"));
    }
    Ok(Value::Float8(r))
}

fn e_sqrt(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match &a[0] {
        Value::Float8(f) => {
            if *f < 0.0 {
                return Err(sqrt_error());
            }
            Ok(Value::Float8(f.sqrt()))
        }
        v => Ok(Value::Numeric(numeric_sqrt(numeric(v))?)),
    }
}

/// C's `frexp` for a finite non-zero value: `(m, e)` with `x = m * 2^e` and
/// `0.5 <= |m| < 1`.
fn frexp(x: f64) -> (f64, i32) {
    let (x, extra) = if x.abs() < f64::MIN_POSITIVE { (x * 2f64.powi(54), -54) } else { (x, 0) };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e - 1022 + extra)
}

/// The cube root as glibc's `cbrt` computes it (a polynomial first guess, one Halley
/// step, the exponent split by 3), which PostgreSQL's `cbrt` calls: it is not
/// correctly rounded (`cbrt(27)` is 3.0000000000000004), and Rust's `f64::cbrt` is.
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
fn glibc_cbrt(x: f64) -> f64 {
    const CBRT2: f64 = 1.2599210498948731648;
    const SQR_CBRT2: f64 = 1.5874010519681994748;
    const FACTOR: [f64; 5] = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return x + x;
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354895765043919860
        + ((1.50819193781584896
            + ((-2.11499494167371287
                + ((2.44693122563534430
                    + ((-1.83469277483613086 + (0.784932344976639262 - 0.145263899385486377 * xm) * xm) * xm))
                    * xm))
                * xm))
            * xm);
    let t2 = u * u * u;
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * FACTOR[(2 + xe % 3) as usize];
    // |xe / 3| is at most 358, so the power of two is exact and the product rounds
    // once, as C's ldexp.
    (if x > 0.0 { ym } else { -ym }) * 2f64.powi(xe / 3)
}

fn e_cbrt(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Float8(glibc_cbrt(float(&a[0]))))
}

fn e_exp(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match &a[0] {
        Value::Float8(f) => {
            if f.is_nan() {
                return Ok(Value::Float8(*f));
            }
            if f.is_infinite() {
                return Ok(Value::Float8(if *f > 0.0 { *f } else { 0.0 }));
            }
            check_float(f.exp(), false, false)
        }
        v => Ok(Value::Numeric(numeric_exp(numeric(v))?)),
    }
}

fn float_log(f: f64, log: fn(f64) -> f64) -> Result<Value> {
    if f == 0.0 {
        return Err(log_error(false));
    }
    if f < 0.0 {
        return Err(log_error(true));
    }
    check_float(log(f), f.is_infinite(), f == 1.0)
}

fn e_ln(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match &a[0] {
        Value::Float8(f) => float_log(*f, f64::ln),
        v => Ok(Value::Numeric(numeric_ln(numeric(v))?)),
    }
}

fn e_log10(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match &a[0] {
        Value::Float8(f) => float_log(*f, f64::log10),
        v => Ok(Value::Numeric(numeric_log(Decimal::TEN, numeric(v))?)),
    }
}

fn e_log2(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Numeric(numeric_log(numeric(&a[0]), numeric(&a[1]))?))
}

fn power_error(msg: &str) -> Error {
    Error::new(SqlState::INVALID_ARGUMENT_FOR_POWER, msg)
}

/// `numeric ^ numeric` with PostgreSQL's result scale (`power_var`): an integral
/// exponent shows `max(16, scale of the base)` decimals; otherwise 16 significant
/// digits, and at least the scale of either input.
pub fn numeric_power(base: Decimal, exp: Decimal) -> Result<Decimal> {
    if base.is_zero() && exp.is_sign_negative() && !exp.is_zero() {
        return Err(power_error("zero raised to a negative power is undefined"));
    }
    if exp.fract().is_zero() {
        if let Some(e) = exp.to_i32() {
            let rscale = clamp_scale(MIN_SIG_DIGITS.max(base.scale() as i64));
            let r = if e == 0 { Decimal::ONE } else { base.checked_powi(e as i64).ok_or_else(numeric_overflow)? };
            return Ok(to_scale(r, rscale));
        }
    }
    if base.is_zero() {
        return Ok(to_scale(Decimal::ZERO, MIN_SIG_DIGITS as u32));
    }
    if base.is_sign_negative() {
        return Err(power_error("a negative number raised to a non-integer power yields a complex result"));
    }
    let ln = base.checked_ln().ok_or_else(numeric_overflow)?.checked_mul(exp).ok_or_else(numeric_overflow)?;
    let val = ln.to_f64().unwrap_or(0.0) * std::f64::consts::LOG10_E;
    if val > MAX_SCALE as f64 + 0.5 {
        return Err(numeric_overflow());
    }
    let rscale = clamp_scale((MIN_SIG_DIGITS - val as i64).max(base.scale() as i64).max(exp.scale() as i64));
    if val < -(MAX_SCALE as f64) - 2.0 {
        return Ok(to_scale(Decimal::ZERO, rscale));
    }
    Ok(to_scale(ln.checked_exp().ok_or_else(numeric_overflow)?, rscale))
}

fn e_power(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    match (&a[0], &a[1]) {
        (Value::Numeric(x), Value::Numeric(y)) => Ok(Value::Numeric(numeric_power(*x, *y)?)),
        (x, y) => binary(BinOp::Pow, x.clone(), y.clone(), ctx.tz),
    }
}

fn r_power(args: &[DataType]) -> Option<Sig> {
    let [a, b] = args else { return None };
    let num = |t: &DataType| t.is_numeric() || *t == T::Unknown;
    if !num(a) || !num(b) {
        return None;
    }
    let t = if matches!(a, T::Numeric(_)) || matches!(b, T::Numeric(_)) {
        // Only when neither side is a float: float8 does not convert to numeric
        // implicitly.
        if a.is_float() || b.is_float() {
            T::Float8
        } else {
            T::Numeric(None)
        }
    } else {
        T::Float8
    };
    Sig::new(vec![t.clone(), t.clone()], t)
}

// ---------------------------------------------------------------------------
// Integer and numeric arithmetic
// ---------------------------------------------------------------------------

fn e_mod(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    binary(BinOp::Mod, a[0].clone(), a[1].clone(), ctx.tz)
}

fn e_div(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (x, y) = (numeric(&a[0]), numeric(&a[1]));
    if y.is_zero() {
        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
    }
    let q = x.checked_div(y).ok_or_else(numeric_overflow)?;
    Ok(Value::Numeric(normalize_zero(q.trunc())))
}

fn int_gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.abs()
}

fn decimal_gcd(mut a: Decimal, mut b: Decimal) -> Result<Decimal> {
    let scale = a.scale().max(b.scale());
    while !b.is_zero() {
        let t = a.checked_rem(b).ok_or_else(numeric_overflow)?;
        a = b;
        b = t;
    }
    let mut r = a.abs();
    r.rescale(scale);
    Ok(r)
}

fn int_result(v: i128, like: &Value) -> Result<Value> {
    Ok(match like {
        Value::Int8(_) => Value::Int8(i64::try_from(v).map_err(|_| out_of_range("bigint out of range"))?),
        _ => Value::Int4(i32::try_from(v).map_err(|_| out_of_range("integer out of range"))?),
    })
}

fn e_gcd(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match (&a[0], &a[1]) {
        (Value::Numeric(_), _) | (_, Value::Numeric(_)) => {
            Ok(Value::Numeric(decimal_gcd(numeric(&a[0]), numeric(&a[1]))?))
        }
        (x, y) => int_result(int_gcd(int(x) as i128, int(y) as i128), x),
    }
}

fn e_lcm(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match (&a[0], &a[1]) {
        (Value::Numeric(_), _) | (_, Value::Numeric(_)) => {
            let (x, y) = (numeric(&a[0]), numeric(&a[1]));
            let scale = x.scale().max(y.scale());
            let mut r = if x.is_zero() || y.is_zero() {
                Decimal::ZERO
            } else {
                let g = decimal_gcd(x, y)?;
                (x.checked_div(g).ok_or_else(numeric_overflow)?.checked_mul(y).ok_or_else(numeric_overflow)?).abs()
            };
            r.rescale(scale);
            Ok(Value::Numeric(r))
        }
        (x, y) => {
            let (p, q) = (int(x) as i128, int(y) as i128);
            let r = if p == 0 || q == 0 { 0 } else { (p / int_gcd(p, q) * q).abs() };
            int_result(r, x)
        }
    }
}

fn e_factorial(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let n = int(&a[0]);
    if n < 0 {
        return Err(out_of_range("factorial of a negative number is undefined"));
    }
    let mut r = Decimal::ONE;
    for i in 2..=n {
        r = r.checked_mul(Decimal::from(i)).ok_or_else(numeric_overflow)?;
    }
    Ok(Value::Numeric(r))
}

fn e_width_bucket(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let count = int(&a[3]);
    if count <= 0 {
        return Err(width_bucket_error("count must be greater than zero"));
    }
    let overflow = || out_of_range("integer out of range");
    if let Value::Float8(op) = a[0] {
        let (b1, b2) = (float(&a[1]), float(&a[2]));
        if op.is_nan() || b1.is_nan() || b2.is_nan() {
            return Err(width_bucket_error("operand, lower bound, and upper bound cannot be NaN"));
        }
        if b1.is_infinite() || b2.is_infinite() {
            return Err(width_bucket_error("lower and upper bounds must be finite"));
        }
        let c = count as f64;
        let bucket = |num: f64, den: f64, half: (f64, f64)| -> i64 {
            let q = if den.is_finite() { num / den } else { half.0 / half.1 };
            let r = (c * q) as i64;
            r.min(count - 1) + 1
        };
        let r = if b1 < b2 {
            if op < b1 {
                0
            } else if op >= b2 {
                count + 1
            } else {
                bucket(op - b1, b2 - b1, (op / 2.0 - b1 / 2.0, b2 / 2.0 - b1 / 2.0))
            }
        } else if b1 > b2 {
            if op > b1 {
                0
            } else if op <= b2 {
                count + 1
            } else {
                bucket(b1 - op, b1 - b2, (b1 / 2.0 - op / 2.0, b1 / 2.0 - b2 / 2.0))
            }
        } else {
            return Err(width_bucket_error("lower bound cannot equal upper bound"));
        };
        return Ok(Value::Int4(i32::try_from(r).map_err(|_| overflow())?));
    }
    let (op, b1, b2) = (numeric(&a[0]), numeric(&a[1]), numeric(&a[2]));
    let c = Decimal::from(count);
    let bucket = |num: Decimal, den: Decimal| -> Result<i64> {
        let q = num.checked_mul(c).ok_or_else(numeric_overflow)?.checked_div(den).ok_or_else(numeric_overflow)?;
        Ok(q.trunc().to_i64().unwrap_or(count - 1).min(count - 1) + 1)
    };
    let r = if b1 < b2 {
        if op < b1 {
            0
        } else if op >= b2 {
            count + 1
        } else {
            bucket(op - b1, b2 - b1)?
        }
    } else if b1 > b2 {
        if op > b1 {
            0
        } else if op <= b2 {
            count + 1
        } else {
            bucket(b1 - op, b1 - b2)?
        }
    } else {
        return Err(width_bucket_error("lower bound cannot equal upper bound"));
    };
    Ok(Value::Int4(i32::try_from(r).map_err(|_| overflow())?))
}

fn e_scale(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Int4(numeric(&a[0]).scale() as i32))
}

fn e_min_scale(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Int4(numeric(&a[0]).normalize().scale() as i32))
}

fn e_trim_scale(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Numeric(normalize_zero(numeric(&a[0]).normalize())))
}

// ---------------------------------------------------------------------------
// Trigonometry
// ---------------------------------------------------------------------------

fn input_out_of_range() -> Error {
    out_of_range("input is out of range")
}

/// A float8 function of one argument with PostgreSQL's checks: `inf_ok` says whether
/// an infinite input is allowed, `domain` bounds the finite inputs.
fn trig(f: f64, op: fn(f64) -> f64, inf_ok: bool, domain: (f64, f64)) -> Result<Value> {
    if f.is_nan() {
        return Ok(Value::Float8(f));
    }
    if (f.is_infinite() && !inf_ok) || f < domain.0 || f > domain.1 {
        return Err(input_out_of_range());
    }
    let r = op(f);
    if r.is_infinite() && f.is_finite() {
        return Err(out_of_range("value out of range: overflow"));
    }
    Ok(Value::Float8(r))
}

const ALL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
const UNIT: (f64, f64) = (-1.0, 1.0);

/// Radians per degree, as PostgreSQL's `RADIANS_PER_DEGREE`.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295;

fn e_cot(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let f = float(&a[0]);
    if f.is_nan() {
        return Ok(Value::Float8(f));
    }
    if f.is_infinite() {
        return Err(input_out_of_range());
    }
    // PostgreSQL computes 1 / tan(x), so cot(0) is Infinity.
    Ok(Value::Float8(1.0 / f.tan()))
}

fn e_atanh(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let f = float(&a[0]);
    if f.is_nan() {
        return Ok(Value::Float8(f));
    }
    if !(-1.0..=1.0).contains(&f) {
        return Err(input_out_of_range());
    }
    Ok(Value::Float8(f.atanh()))
}

fn e_cosh(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Float8(float(&a[0]).cosh()))
}

// ---------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------

thread_local! {
    static RNG: RefCell<Option<rand::rngs::StdRng>> = const { RefCell::new(None) };
}

fn e_random(_: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Float8(RNG.with(|r| match r.borrow_mut().as_mut() {
        Some(rng) => rng.random::<f64>(),
        None => rand::random::<f64>(),
    })))
}

fn e_setseed(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let seed = float(&a[0]);
    if !(-1.0..=1.0).contains(&seed) || seed.is_nan() {
        let mut s = String::new();
        crate::types::numeric::write_float8(&mut s, seed);
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("setseed parameter {s} is out of allowed range [-1,1]"),
        ));
    }
    RNG.with(|r| *r.borrow_mut() = Some(rand::rngs::StdRng::seed_from_u64(seed.to_bits())));
    Ok(Value::text(""))
}

pub static FUNCS: &[Func] = &[
    Func::new("abs", r_abs, e_abs),
    Func::new("round", r_float_or_numeric, e_round),
    Func::new("round", r_numeric_int, e_round),
    Func::new("trunc", r_float_or_numeric, e_trunc),
    Func::new("trunc", r_numeric_int, e_trunc),
    Func::new("ceil", r_float_or_numeric, e_ceil),
    Func::new("ceiling", r_float_or_numeric, e_ceil),
    Func::new("floor", r_float_or_numeric, e_floor),
    Func::new("sign", r_float_or_numeric, e_sign),
    Func::new("mod", r_int_or_numeric2, e_mod),
    Func::new("div", |a| exact(a, &[T::Numeric(None), T::Numeric(None)], T::Numeric(None)), e_div),
    Func::new("power", r_power, e_power),
    Func::new("pow", r_power, e_power),
    Func::new("sqrt", r_float_or_numeric, e_sqrt),
    Func::new("cbrt", r_float, e_cbrt),
    Func::new("exp", r_float_or_numeric, e_exp),
    Func::new("ln", r_float_or_numeric, e_ln),
    Func::new("log", r_float_or_numeric, e_log10),
    Func::new("log", |a| exact(a, &[T::Numeric(None), T::Numeric(None)], T::Numeric(None)), e_log2),
    Func::new("log10", r_float_or_numeric, e_log10),
    Func::new("gcd", r_gcd, e_gcd),
    Func::new("lcm", r_gcd, e_lcm),
    Func::new("factorial", |a| exact(a, &[T::Int8], T::Numeric(None)), e_factorial),
    Func::new("width_bucket", r_width_bucket, e_width_bucket),
    Func::new("scale", |a| r_numeric_to(a, T::Int4), e_scale),
    Func::new("min_scale", |a| r_numeric_to(a, T::Int4), e_min_scale),
    Func::new("trim_scale", |a| r_numeric_to(a, T::Numeric(None)), e_trim_scale),
    Func::new("pi", r_nothing_f8, |_, _, _| Ok(Value::Float8(std::f64::consts::PI))),
    Func::new("degrees", r_float, |a, _, _| Ok(Value::Float8(float(&a[0]) / RADIANS_PER_DEGREE))),
    Func::new("radians", r_float, |a, _, _| Ok(Value::Float8(float(&a[0]) * RADIANS_PER_DEGREE))),
    Func::new("sin", r_float, |a, _, _| trig(float(&a[0]), f64::sin, false, ALL)),
    Func::new("cos", r_float, |a, _, _| trig(float(&a[0]), f64::cos, false, ALL)),
    Func::new("tan", r_float, |a, _, _| trig(float(&a[0]), f64::tan, false, ALL)),
    Func::new("cot", r_float, e_cot),
    Func::new("asin", r_float, |a, _, _| trig(float(&a[0]), f64::asin, false, UNIT)),
    Func::new("acos", r_float, |a, _, _| trig(float(&a[0]), f64::acos, false, UNIT)),
    Func::new("atan", r_float, |a, _, _| trig(float(&a[0]), f64::atan, true, ALL)),
    Func::new("atan2", r_float2, |a, _, _| Ok(Value::Float8(float(&a[0]).atan2(float(&a[1]))))),
    Func::new("sinh", r_float, |a, _, _| Ok(Value::Float8(float(&a[0]).sinh()))),
    Func::new("cosh", r_float, e_cosh),
    Func::new("tanh", r_float, |a, _, _| Ok(Value::Float8(float(&a[0]).tanh()))),
    Func::new("asinh", r_float, |a, _, _| Ok(Value::Float8(float(&a[0]).asinh()))),
    Func::new("acosh", r_float, |a, _, _| trig(float(&a[0]), f64::acosh, true, (1.0, f64::INFINITY))),
    Func::new("atanh", r_float, e_atanh),
    Func::new("random", r_nothing_f8, e_random).volatile(),
    Func::new("setseed", r_float, e_setseed).volatile(),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn weights() {
        assert_eq!(nbase_weight(&d("2")), 0);
        assert_eq!(nbase_weight(&d("12345678901234567890")), 4);
        assert_eq!(nbase_weight(&d("0.0000000001")), -3);
        assert_eq!(leading_nbase_digits(&d("2")), (2.0, 0));
        assert_eq!(leading_nbase_digits(&d("12345.6")), (12345.0, 0));
        assert_eq!(estimate_ln_dweight(&d("1.05")), -2);
        assert_eq!(estimate_ln_dweight(&d("1e20")), 1);
    }

    #[test]
    fn numeric_results_match_postgres() {
        assert_eq!(numeric_sqrt(d("2")).unwrap().to_string(), "1.414213562373095");
        assert_eq!(numeric_sqrt(d("16")).unwrap().to_string(), "4.000000000000000");
        assert_eq!(numeric_sqrt(d("0.0000000001")).unwrap().to_string(), "0.000010000000000000000");
        assert_eq!(numeric_sqrt(d("12345678901234567890")).unwrap().to_string(), "3513641828.8201443");
        assert_eq!(numeric_exp(d("1")).unwrap().to_string(), "2.7182818284590452");
        assert_eq!(numeric_exp(d("-20")).unwrap().to_string(), "0.000000002061153622438558");
        assert_eq!(numeric_exp(d("50")).unwrap().to_string(), "5184705528587072464087");
        assert_eq!(numeric_ln(d("2")).unwrap().to_string(), "0.6931471805599453");
        assert_eq!(numeric_ln(d("1.05")).unwrap().to_string(), "0.048790164169432003");
        assert_eq!(numeric_ln(d("1e20")).unwrap().to_string(), "46.051701859880914");
        assert_eq!(numeric_log(Decimal::TEN, d("100")).unwrap().to_string(), "2.0000000000000000");
        assert_eq!(numeric_log(Decimal::TEN, d("2")).unwrap().to_string(), "0.3010299956639812");
        assert_eq!(numeric_log(d("2"), d("8")).unwrap().to_string(), "3.0000000000000000");
    }

    #[test]
    fn powers() {
        let p = |a: &str, b: &str| numeric_power(d(a), d(b)).unwrap().to_string();
        assert_eq!(p("2.0", "-2"), "0.2500000000000000");
        assert_eq!(p("1.5", "3"), "3.3750000000000000");
        assert_eq!(p("2.0", "0.5"), "1.4142135623730950");
        assert_eq!(p("1.000001", "1000000"), "2.7182804693193769");
        assert_eq!(p("0.5", "100"), "0.0000000000000000");
        assert_eq!(p("0.0", "2.5"), "0.0000000000000000");
        assert_eq!(p("100.0", "-0.5"), "0.10000000000000000");
        assert_eq!(p("3.0", "2.000"), "9.0000000000000000");
        assert!(numeric_power(d("-8.0"), d("0.5")).is_err());
        assert!(numeric_power(d("0.0"), d("-1")).is_err());
    }

    #[test]
    fn cube_roots_like_glibc() {
        assert_eq!(glibc_cbrt(27.0), 3.0000000000000004);
        assert_eq!(glibc_cbrt(2.0), 1.2599210498948734);
        assert_eq!(glibc_cbrt(-8.0), -2.0);
        assert_eq!(glibc_cbrt(123456.789), 49.79338592181746);
        assert_eq!(glibc_cbrt(1e-300), 1e-100);
    }

    #[test]
    fn rounding() {
        let r = |s: &str, n| round_numeric(d(s), n, RoundingStrategy::MidpointAwayFromZero).unwrap().to_string();
        assert_eq!(r("2.5", 0), "3");
        assert_eq!(r("-2.5", 0), "-3");
        assert_eq!(r("1234.567", -2), "1200");
        assert_eq!(r("2.5", 3), "2.500");
        assert_eq!(r("-0.4", 0), "0");
    }
}

//! Numeric helpers: NUMERIC input and typmods, float text I/O, and conversions
//! between numeric types with PostgreSQL's rounding and range errors.
//!
//! # NUMERIC
//!
//! NUMERIC values are [`rust_decimal::Decimal`]s: a 96-bit mantissa and a scale of at
//! most 28. The scale is the *display scale* (`2.50` keeps its trailing zero), which is
//! what PostgreSQL prints. [`parse_numeric`] follows `numeric_in`: surrounding
//! whitespace, a sign, digits with an optional point and an optional exponent, and the
//! display scale `digits after the point - exponent` (never below 0).
//!
//! Limits, compared with PostgreSQL's 131072 integer digits and 16383 fraction digits:
//! - a value whose integer part does not fit in the mantissa (about 7.9e28) is rejected
//!   with 22003 `value overflows numeric format`;
//! - digits beyond the 28th fraction digit, or beyond what the mantissa can hold, are
//!   rounded away (half away from zero), as a float would round;
//! - `NaN` and `Infinity` have no Decimal representation and are rejected with 0A000.
//!
//! [`apply_typmod`] is `numeric(p,s)` coercion: round half away from zero to `s`
//! places (a negative `s` rounds to tens, hundreds, ...) and reject values with more
//! than `p - s` integer digits with PostgreSQL's `numeric field overflow` error and
//! DETAIL. A scale above 28 is capped at 28.
//!
//! # Floats
//!
//! Output follows PostgreSQL 12+ with `extra_float_digits = 1`: the shortest decimal
//! string that reads back to the same float, as PostgreSQL's Ryu computes it. Rust's
//! `{:e}` gives nearly the same digits; two corner cases are corrected with exact
//! integer arithmetic: Ryu never picks a string lying exactly on the midpoint to a
//! neighbouring float (`1.2999999e+10`, not `1.3e+10`, for `13e9::real`), and when
//! the float lies exactly between two shortest candidates it picks the even digit
//! (`4.1244052e+06` for 4124405.25). Layout is like C's `%g`: plain notation for
//! decimal exponents in `-4..15` (`-4..6` for `real`), otherwise `1.5e-07` / `1e+20`
//! with at least two exponent digits. Input follows `float8in`: whitespace, `NaN`, `Infinity`, `inf` in
//! any case and sign, and an out-of-range error instead of a silent infinity or zero.
//!
//! # Conversions
//!
//! Float to integer rounds half to even (C's `rint`); NUMERIC to integer rounds half
//! away from zero; both report `integer out of range` (and the smallint/bigint
//! variants) with SQLSTATE 22003. Float to NUMERIC goes through 15 (`real`: 6)
//! significant digits as PostgreSQL's `float8_numeric` does.

use super::datatype::NumericTypmod;
use crate::error::{Error, Result, SqlState};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write as _;

/// The largest scale a [`Decimal`] can carry.
pub const MAX_SCALE: u32 = 28;

fn overflow_numeric() -> Error {
    Error::out_of_range("value overflows numeric format")
}

/// Whether `c` is whitespace in C's `isspace` sense, as PostgreSQL's input
/// functions use it.
pub fn is_pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Trims C-locale whitespace from both ends.
pub fn trim_pg(s: &str) -> &str {
    s.trim_matches(is_pg_space)
}

/// Normalizes negative zero, which rust_decimal can produce, to positive zero.
pub fn normalize_zero(mut d: Decimal) -> Decimal {
    if d.is_zero() && d.is_sign_negative() {
        d.set_sign_positive(true);
    }
    d
}

/// Parses text as NUMERIC, as PostgreSQL's `numeric_in` does (see the module docs for
/// the limits).
pub fn parse_numeric(input: &str) -> Result<Decimal> {
    let bad = || Error::invalid_text("numeric", input);
    let s = trim_pg(input);
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "nan" | "infinity" | "inf") && lower.len() - unsigned.len() <= 1 {
        return Err(Error::unsupported(format!(
            "numeric value \"{input}\" is not supported (NaN and infinity cannot be stored)"
        )));
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        negative = bytes[i] == b'-';
        i += 1;
    }
    let mut digits: Vec<u8> = Vec::new();
    let mut frac_digits: i64 = 0;
    let mut seen_point = false;
    let mut any_digit = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() {
            any_digit = true;
            if !(digits.is_empty() && c == b'0') {
                digits.push(c - b'0');
            }
            if seen_point {
                frac_digits += 1;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return Err(bad());
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        let mut exp_negative = false;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            exp_negative = bytes[i] == b'-';
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            // Clamp absurd exponents; the range check below rejects them anyway.
            exponent = (exponent * 10 + (bytes[i] - b'0') as i64).min(1_000_000_000);
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return Err(bad());
    }
    // Trailing zeros that are counted as fraction digits are significant for the
    // display scale, but the digits vector holds them too, so the scale arithmetic is
    // uniform: value = digits * 10^-scale.
    let scale = frac_digits - exponent;
    decimal_from_digits(negative, &digits, scale)
}

/// Builds a Decimal from significant decimal digits (no leading zeros) and a scale,
/// rounding away fraction digits that do not fit.
pub(crate) fn decimal_from_digits(negative: bool, digits: &[u8], scale: i64) -> Result<Decimal> {
    let mut digits: Vec<u8> = digits.to_vec();
    let mut scale = scale;
    if scale < 0 {
        // An integer with trailing zeros implied by the exponent.
        if digits.is_empty() {
            scale = 0;
        } else {
            if digits.len() as i64 - scale > 29 {
                return Err(overflow_numeric());
            }
            digits.extend(std::iter::repeat_n(0u8, (-scale) as usize));
            scale = 0;
        }
    }
    if digits.is_empty() {
        let z =
            Decimal::try_from_i128_with_scale(0, scale.min(MAX_SCALE as i64) as u32).map_err(|_| overflow_numeric())?;
        return Ok(z);
    }
    let n = digits.len() as i64;
    if n - scale > 29 {
        return Err(overflow_numeric());
    }
    // Digits to drop from the right: enough for scale <= 28 and at most 29 digits.
    let mut drop = (scale - MAX_SCALE as i64).max(0);
    if n - drop > 29 {
        drop = n - 29;
    }
    loop {
        let keep = (n - drop).max(0) as usize;
        let mut mantissa: u128 = 0;
        for &d in &digits[..keep] {
            mantissa = mantissa * 10 + d as u128;
        }
        if drop > 0 && (keep as i64) < n && digits[keep] >= 5 {
            mantissa += 1;
        }
        let new_scale = scale - drop;
        if mantissa < (1u128 << 96) {
            let m = if negative { -(mantissa as i128) } else { mantissa as i128 };
            let d = Decimal::try_from_i128_with_scale(m, new_scale as u32).map_err(|_| overflow_numeric())?;
            return Ok(normalize_zero(d));
        }
        if new_scale <= 0 {
            return Err(overflow_numeric());
        }
        drop += 1;
    }
}

/// Applies a `numeric(p,s)` type modifier: rounds half away from zero to `s` places
/// and checks that at most `p - s` integer digits remain.
pub fn apply_typmod(d: Decimal, typmod: NumericTypmod) -> Result<Decimal> {
    let precision = typmod.precision as i32;
    let scale = typmod.scale as i32;
    let rounded = if scale >= 0 {
        let s = (scale as u32).min(MAX_SCALE);
        let mut r = d.round_dp_with_strategy(s, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(s);
        r
    } else {
        // Negative scale: round to a multiple of 10^-scale.
        let factor = pow10(-scale).ok_or_else(overflow_numeric)?;
        let q = d.checked_div(factor).ok_or_else(overflow_numeric)?;
        let q = q.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let mut r = q.checked_mul(factor).ok_or_else(|| typmod_overflow(precision, scale))?;
        r.rescale(0);
        r
    };
    let rounded = normalize_zero(rounded);
    let max_digits = precision - scale;
    if !rounded.is_zero() {
        let int_digits = integer_digits(&rounded);
        if int_digits > max_digits {
            return Err(typmod_overflow(precision, scale));
        }
    }
    Ok(rounded)
}

fn typmod_overflow(precision: i32, scale: i32) -> Error {
    let max_digits = precision - scale;
    let bound = if max_digits != 0 { format!("10^{max_digits}") } else { "1".to_string() };
    Error::out_of_range("numeric field overflow").with_detail(format!(
        "A field with precision {precision}, scale {scale} must round to an absolute value less than {bound}."
    ))
}

/// 10^n as a Decimal, for 0 <= n <= 28.
fn pow10(n: i32) -> Option<Decimal> {
    if !(0..=28).contains(&n) {
        return None;
    }
    Some(Decimal::from_i128_with_scale(10i128.pow(n as u32), 0))
}

/// The number of digits before the decimal point, ignoring leading zeros (0 for
/// values below 1, and a negative count for values below 0.1 as PostgreSQL's weight
/// would give, e.g. -1 for 0.01).
fn integer_digits(d: &Decimal) -> i32 {
    let m = d.mantissa().unsigned_abs();
    if m == 0 {
        return 0;
    }
    let total = m.ilog10() as i32 + 1;
    total - d.scale() as i32
}

/// Appends a NUMERIC in PostgreSQL's output format (plain notation with the display
/// scale).
pub fn write_numeric(buf: &mut String, d: &Decimal) {
    let d = normalize_zero(*d);
    let _ = write!(buf, "{d}");
}

// ---------------------------------------------------------------------------
// Floats
// ---------------------------------------------------------------------------

/// A fixed-size stack buffer for formatting without allocating.
struct StackBuf {
    bytes: [u8; 64],
    len: usize,
}

impl StackBuf {
    fn new() -> Self {
        StackBuf { bytes: [0; 64], len: 0 }
    }
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        if self.len + b.len() > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..self.len + b.len()].copy_from_slice(b);
        self.len += b.len();
        Ok(())
    }
}

/// Lays out shortest digits `d.ddde±x` (from Rust's `{:e}`) like PostgreSQL: plain
/// notation when `-4 <= exponent < max_plain_exp`, else `%e`-style.
fn write_float_layout(buf: &mut String, sci: &str, max_plain_exp: i32) {
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    if negative {
        buf.push('-');
    }
    let digits: StackDigits = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let digits = digits.as_slice();
    if (-4..max_plain_exp).contains(&exp) {
        if exp < 0 {
            buf.push_str("0.");
            for _ in 0..(-exp - 1) {
                buf.push('0');
            }
            push_ascii(buf, digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                push_ascii(buf, digits);
                for _ in digits.len()..int_len {
                    buf.push('0');
                }
            } else {
                push_ascii(buf, &digits[..int_len]);
                buf.push('.');
                push_ascii(buf, &digits[int_len..]);
            }
        }
    } else {
        push_ascii(buf, &digits[..1]);
        if digits.len() > 1 {
            buf.push('.');
            push_ascii(buf, &digits[1..]);
        }
        buf.push('e');
        buf.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            buf.push('0');
        }
        let _ = write!(buf, "{a}");
    }
}

/// Up to 40 digit bytes on the stack.
struct StackDigits {
    d: [u8; 40],
    n: usize,
}

impl StackDigits {
    fn as_slice(&self) -> &[u8] {
        &self.d[..self.n]
    }
}

impl FromIterator<u8> for StackDigits {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        let mut s = StackDigits { d: [0; 40], n: 0 };
        for b in iter {
            if s.n < s.d.len() {
                s.d[s.n] = b;
                s.n += 1;
            }
        }
        if s.n == 0 {
            s.d[0] = b'0';
            s.n = 1;
        }
        s
    }
}

fn push_ascii(buf: &mut String, digits: &[u8]) {
    for &d in digits {
        buf.push(d as char);
    }
}

/// Whether the decimal `d * 10^k` equals exactly `odd * 2^e2` (`odd` odd).
// NB: `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
#[allow(clippy::manual_is_multiple_of)]
fn decimal_equals_dyadic(d: u128, k: i32, odd: u128, e2: i32) -> bool {
    if d == 0 {
        return false;
    }
    let mut d = d;
    if k < 0 {
        for _ in 0..(-k) {
            if d % 5 != 0 {
                return false;
            }
            d /= 5;
        }
    } else {
        for _ in 0..k {
            match d.checked_mul(5) {
                Some(v) => d = v,
                None => return false,
            }
        }
    }
    let tz = d.trailing_zeros() as i32;
    (d >> tz) == odd && k + tz == e2
}

/// Whether the shortest digits `sci` (`d.ddde±x`, as Rust prints them) for a finite
/// nonzero float `x = m * 2^e` (m with its implicit bit; `fraction_zero` when the
/// stored fraction is 0 and the float is normal and not the smallest normal) lie
/// exactly on the midpoint to a neighbour. Rust's shortest representation accepts such
/// midpoints for even mantissas (they read back by ties-to-even), but PostgreSQL's Ryu
/// excludes them and prints more digits.
fn on_rounding_boundary(sci: &str, m: u128, e: i32, lower_gap_halved: bool) -> bool {
    let (d, k, _) = sci_parts(sci);
    let upper = decimal_equals_dyadic(d, k, 2 * m + 1, e - 1);
    let lower = if lower_gap_halved {
        decimal_equals_dyadic(d, k, 4 * m - 1, e - 2)
    } else {
        decimal_equals_dyadic(d, k, 2 * m - 1, e - 1)
    };
    upper || lower
}

/// Splits `d.ddde±x` into its digits as an integer and the power of ten of the last
/// digit.
fn sci_parts(sci: &str) -> (u128, i32, i32) {
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, x)) => (m, x.parse::<i32>().unwrap_or(0)),
        None => (sci, 0),
    };
    let mut d: u128 = 0;
    let mut ndigits = 0i32;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        d = d * 10 + (b - b'0') as u128;
        ndigits += 1;
    }
    (d, exp - (ndigits - 1), ndigits)
}

/// When `x = m * 2^e` lies exactly halfway between the shortest digits `D` and a
/// neighbour `D ± 1` of the same length, PostgreSQL's Ryu picks the even one; Rust
/// may pick the odd one. Rewrites `tmp` to the even choice in that case.
fn round_ties_to_even_digits(tmp: &mut StackBuf, negative: bool, m: u128, e: i32) {
    let (d, k, _) = sci_parts(tmp.as_str());
    if d % 2 == 0 || m == 0 {
        return;
    }
    let tz = m.trailing_zeros() as i32;
    let (m_odd, e_odd) = (m >> tz, e + tz + 1);
    let replacement = if decimal_equals_dyadic(2 * d - 1, k, m_odd, e_odd) {
        d - 1
    } else if decimal_equals_dyadic(2 * d + 1, k, m_odd, e_odd) {
        d + 1
    } else {
        return;
    };
    // Rebuild `d.ddde±x` from the new digits.
    let digits = replacement.to_string();
    let exp = k + digits.len() as i32 - 1;
    let mut out = StackBuf::new();
    if negative {
        let _ = out.write_str("-");
    }
    let _ = out.write_str(&digits[..1]);
    let rest = digits[1..].trim_end_matches('0');
    if !rest.is_empty() {
        let _ = out.write_str(".");
        let _ = out.write_str(rest);
    }
    let _ = write!(out, "e{exp}");
    *tmp = out;
}

/// Appends a `double precision` value as PostgreSQL prints it.
pub fn write_float8(buf: &mut String, f: f64) {
    if f.is_nan() {
        buf.push_str("NaN");
    } else if f.is_infinite() {
        buf.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if f == 0.0 {
        buf.push_str(if f.is_sign_negative() { "-0" } else { "0" });
    } else {
        let mut tmp = StackBuf::new();
        let _ = write!(tmp, "{f:e}");
        let bits = f.abs().to_bits();
        let (exp_field, frac) = ((bits >> 52) as i32, (bits & ((1 << 52) - 1)) as u128);
        let (m, e) = if exp_field == 0 { (frac, -1074) } else { (frac | 1 << 52, exp_field - 1075) };
        if m % 2 == 0 && on_rounding_boundary(tmp.as_str(), m, e, frac == 0 && exp_field > 1) {
            for precision in 1..17 {
                tmp = StackBuf::new();
                let _ = write!(tmp, "{f:.precision$e}");
                if tmp.as_str().parse::<f64>() == Ok(f)
                    && !on_rounding_boundary(tmp.as_str(), m, e, frac == 0 && exp_field > 1)
                {
                    break;
                }
            }
        }
        round_ties_to_even_digits(&mut tmp, f < 0.0, m, e);
        write_float_layout(buf, tmp.as_str(), 15);
    }
}

/// Appends a `real` value as PostgreSQL prints it (shortest digits for an f32).
pub fn write_float4(buf: &mut String, f: f32) {
    if f.is_nan() {
        buf.push_str("NaN");
    } else if f.is_infinite() {
        buf.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if f == 0.0 {
        buf.push_str(if f.is_sign_negative() { "-0" } else { "0" });
    } else {
        let mut tmp = StackBuf::new();
        let _ = write!(tmp, "{f:e}");
        let bits = f.abs().to_bits();
        let (exp_field, frac) = ((bits >> 23) as i32, (bits & ((1 << 23) - 1)) as u128);
        let (m, e) = if exp_field == 0 { (frac, -149) } else { (frac | 1 << 23, exp_field - 150) };
        if m % 2 == 0 && on_rounding_boundary(tmp.as_str(), m, e, frac == 0 && exp_field > 1) {
            for precision in 1..9 {
                tmp = StackBuf::new();
                let _ = write!(tmp, "{f:.precision$e}");
                if tmp.as_str().parse::<f32>() == Ok(f)
                    && !on_rounding_boundary(tmp.as_str(), m, e, frac == 0 && exp_field > 1)
                {
                    break;
                }
            }
        }
        round_ties_to_even_digits(&mut tmp, f < 0.0, m, e);
        write_float_layout(buf, tmp.as_str(), 6);
    }
}

/// Formats a `double precision` value.
pub fn format_float8(f: f64) -> String {
    let mut s = String::new();
    write_float8(&mut s, f);
    s
}

/// Formats a `real` value.
pub fn format_float4(f: f32) -> String {
    let mut s = String::new();
    write_float4(&mut s, f);
    s
}

/// Checks the float syntax PostgreSQL's `strtod` accepts and returns the special value
/// for NaN/Infinity spellings, `Ok(None)` for an ordinary number, or `Err(())` for
/// garbage.
fn classify_float(s: &str) -> std::result::Result<Option<f64>, ()> {
    let lower = s.to_ascii_lowercase();
    let (sign, rest) = match lower.as_bytes().first() {
        Some(b'-') => (-1.0, &lower[1..]),
        Some(b'+') => (1.0, &lower[1..]),
        _ => (1.0, &lower[..]),
    };
    match rest {
        "nan" => return Ok(Some(f64::NAN)),
        "inf" | "infinity" => return Ok(Some(sign * f64::INFINITY)),
        _ => {}
    }
    // digits [. digits] [e [sign] digits], with at least one mantissa digit.
    let b = rest.as_bytes();
    let mut i = 0;
    let mut mant_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mant_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mant_digits += 1;
        }
    }
    if mant_digits == 0 {
        return Err(());
    }
    if i < b.len() && b[i] == b'e' {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(());
        }
    }
    if i != b.len() {
        return Err(());
    }
    Ok(None)
}

/// Whether the mantissa of a (syntactically valid) float literal has a nonzero digit.
fn has_nonzero_mantissa(s: &str) -> bool {
    s.bytes().take_while(|b| *b != b'e' && *b != b'E').any(|b| (b'1'..=b'9').contains(&b))
}

/// Parses `double precision` input as `float8in` does.
pub fn parse_float8(input: &str) -> Result<f64> {
    let s = trim_pg(input);
    match classify_float(s) {
        Err(()) => Err(Error::invalid_text("double precision", input)),
        Ok(Some(v)) => Ok(v),
        Ok(None) => {
            let v: f64 = s.parse().map_err(|_| Error::invalid_text("double precision", input))?;
            if v.is_infinite() || (v == 0.0 && has_nonzero_mantissa(s)) {
                return Err(Error::out_of_range(format!("\"{input}\" is out of range for type double precision")));
            }
            Ok(v)
        }
    }
}

/// Parses `real` input as `float4in` does.
pub fn parse_float4(input: &str) -> Result<f32> {
    let s = trim_pg(input);
    match classify_float(s) {
        Err(()) => Err(Error::invalid_text("real", input)),
        Ok(Some(v)) => Ok(v as f32),
        Ok(None) => {
            let v: f32 = s.parse().map_err(|_| Error::invalid_text("real", input))?;
            if v.is_infinite() || (v == 0.0 && has_nonzero_mantissa(s)) {
                return Err(Error::out_of_range(format!("\"{input}\" is out of range for type real")));
            }
            Ok(v)
        }
    }
}

/// Parses an integer as `int2in`/`int4in`/`int8in` do: whitespace around, an optional
/// sign, decimal digits only. `type_name` is used in messages.
pub fn parse_int(input: &str, min: i64, max: i64, type_name: &str) -> Result<i64> {
    let b = input.as_bytes();
    let invalid = || Error::invalid_text(type_name, input);
    let out_of_range = || Error::out_of_range(format!("value \"{input}\" is out of range for type {type_name}"));
    let mut i = 0;
    while i < b.len() && (b[i] as char).is_ascii() && is_pg_space(b[i] as char) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        negative = b[i] == b'-';
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return Err(invalid());
    }
    // Accumulate negatively so that the minimum parses. NB: as in PostgreSQL,
    // overflow is reported before trailing garbage ("99999999999x" is out of range).
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_sub((b[i] - b'0') as i64))
            .filter(|v| *v >= min)
            .ok_or_else(out_of_range)?;
        i += 1;
    }
    while i < b.len() && (b[i] as char).is_ascii() && is_pg_space(b[i] as char) {
        i += 1;
    }
    if i != b.len() {
        return Err(invalid());
    }
    let v = if negative { v } else { v.checked_neg().filter(|v| *v <= max).ok_or_else(out_of_range)? };
    Ok(v)
}

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

/// The error PostgreSQL reports when a value does not fit an integer type.
pub fn int_range_error(bits: u32) -> Error {
    Error::out_of_range(match bits {
        16 => "smallint out of range",
        32 => "integer out of range",
        _ => "bigint out of range",
    })
}

/// Rounds a NUMERIC half away from zero to an integer of `bits` (16, 32 or 64) bits.
pub fn decimal_to_int(d: &Decimal, bits: u32) -> Result<i64> {
    let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let v = r.to_i64().ok_or_else(|| int_range_error(bits))?;
    check_int_range(v, bits)
}

/// Checks that an i64 fits an integer type of `bits` bits.
pub fn check_int_range(v: i64, bits: u32) -> Result<i64> {
    let ok = match bits {
        16 => i16::try_from(v).is_ok(),
        32 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if ok {
        Ok(v)
    } else {
        Err(int_range_error(bits))
    }
}

/// Rounds a float half to even (C's `rint`) to an integer of `bits` bits.
pub fn float_to_int(f: f64, bits: u32) -> Result<i64> {
    let r = f.round_ties_even();
    // -2^63 is exactly representable; 2^63 is the first value out of range.
    if r.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r) {
        return Err(int_range_error(bits));
    }
    check_int_range(r as i64, bits)
}

/// NUMERIC to `double precision`, correctly rounded.
pub fn decimal_to_f64(d: &Decimal) -> f64 {
    let mut s = StackBuf::new();
    if write!(s, "{d}").is_ok() {
        if let Ok(v) = s.as_str().parse::<f64>() {
            return v;
        }
    }
    d.to_f64().unwrap_or(0.0)
}

/// NUMERIC to `real`, correctly rounded.
pub fn decimal_to_f32(d: &Decimal) -> f32 {
    let mut s = StackBuf::new();
    if write!(s, "{d}").is_ok() {
        if let Ok(v) = s.as_str().parse::<f32>() {
            return v;
        }
    }
    d.to_f32().unwrap_or(0.0)
}

fn float_digits_to_decimal(f: f64, sig_digits: usize) -> Result<Decimal> {
    if f.is_nan() {
        return Err(Error::unsupported("cannot convert NaN to numeric"));
    }
    if f.is_infinite() {
        return Err(Error::unsupported("cannot convert infinity to numeric"));
    }
    // `%.{n}g`: n significant digits, trailing zeros dropped.
    let mut tmp = StackBuf::new();
    let _ = write!(tmp, "{:.*e}", sig_digits - 1, f);
    let s = tmp.as_str();
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.iter().all(|d| *d == 0) {
        return Ok(Decimal::ZERO);
    }
    let scale = (digits.len() as i64 - 1) - exp;
    decimal_from_digits(negative, &digits, scale)
}

/// `double precision` to NUMERIC through 15 significant digits, as `float8_numeric`.
pub fn f64_to_decimal(f: f64) -> Result<Decimal> {
    float_digits_to_decimal(f, 15)
}

/// `real` to NUMERIC through 6 significant digits, as `float4_numeric`.
pub fn f32_to_decimal(f: f32) -> Result<Decimal> {
    float_digits_to_decimal(f as f64, 6)
}

/// `double precision` to `real`, with PostgreSQL's overflow and underflow errors.
pub fn f64_to_f32(f: f64) -> Result<f32> {
    let r = f as f32;
    if r.is_infinite() && !f.is_infinite() {
        return Err(Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow"));
    }
    if r == 0.0 && f != 0.0 {
        return Err(Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow"));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn float8_output_matches_postgres() {
        let cases: &[(f64, &str)] = &[
            (1e15, "1e+15"),
            (1e14, "100000000000000"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (100.0, "100"),
            (-0.0, "-0"),
            (0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::INFINITY, "Infinity"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (999999999999999.0, "999999999999999"),
            (0.000123, "0.000123"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-07"),
            (0.1, "0.1"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1e16, "1e+16"),
            (123456789012345.6, "123456789012345.6"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (-2.5, "-2.5"),
            (1e100, "1e+100"),
            // Rounding boundaries: PostgreSQL's Ryu excludes them.
            (18014398509481992.0, "1.8014398509481992e+16"),
            (18014398509481996.0, "1.8014398509481996e+16"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float8(*f), *want, "{f}");
        }
    }

    #[test]
    fn float4_output_matches_postgres() {
        let cases: &[(f32, &str)] = &[
            (1e6, "1e+06"),
            (1e5, "100000"),
            (123456.7, "123456.7"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.23456, "1.23456"),
            (0.1, "0.1"),
            (1e7, "1e+07"),
            (12345678.0, "1.2345678e+07"),
            (1.5e-7, "1.5e-07"),
            (3.4e38, "3.4e+38"),
            (1e-39, "1e-39"),
            (1e-45, "1e-45"),
            (123456.0, "123456"),
            (13e9, "1.2999999e+10"),
            (-93959535.0, "-9.3959536e+07"),
            (197969000.0, "1.9796899e+08"),
            (2462e6, "2.4620001e+09"),
            (4_124_405.0 + 0.25, "4.1244052e+06"),
            (-(3_665_083.0 + 0.25), "-3.6650832e+06"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float4(*f), *want, "{f}");
        }
    }

    #[test]
    fn float_input() {
        assert_eq!(parse_float8(" 1.5 ").unwrap(), 1.5);
        assert_eq!(parse_float8("Infinity").unwrap(), f64::INFINITY);
        assert_eq!(parse_float8("-inf").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_float8("+inf").unwrap(), f64::INFINITY);
        assert!(parse_float8("NaN").unwrap().is_nan());
        assert!(parse_float8("-NaN").unwrap().is_nan());
        assert_eq!(parse_float8("1.").unwrap(), 1.0);
        assert_eq!(parse_float8(".5").unwrap(), 0.5);
        assert_eq!(parse_float8("1E+5").unwrap(), 1e5);
        assert_eq!(parse_float8("5e-324").unwrap(), 5e-324);
        for bad in ["abc", "1e", "", " ", ".", "1.5x", "--1", "1 2", "e5", "0x10", "nan1"] {
            let e = parse_float8(bad).unwrap_err();
            assert_eq!(e.code(), SqlState::INVALID_TEXT_REPRESENTATION, "{bad}");
        }
        let e = parse_float8("1e309").unwrap_err();
        assert_eq!(e.code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(e.message(), "\"1e309\" is out of range for type double precision");
        assert_eq!(parse_float8("1e-400").unwrap_err().code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(parse_float8("0e-400").unwrap(), 0.0);
        assert_eq!(parse_float4("1e-39").unwrap(), 1e-39);
        assert_eq!(parse_float4("1e-46").unwrap_err().message(), "\"1e-46\" is out of range for type real");
        assert_eq!(parse_float4("1e39").unwrap_err().code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(parse_float4("Infinity").unwrap(), f32::INFINITY);
        assert_eq!(parse_float4("abc").unwrap_err().message(), "invalid input syntax for type real: \"abc\"");
    }

    #[test]
    fn int_input() {
        assert_eq!(parse_int("  12  ", i32::MIN as i64, i32::MAX as i64, "integer").unwrap(), 12);
        assert_eq!(parse_int("+12", i32::MIN as i64, i32::MAX as i64, "integer").unwrap(), 12);
        assert_eq!(parse_int("-0", i32::MIN as i64, i32::MAX as i64, "integer").unwrap(), 0);
        assert_eq!(parse_int("-9223372036854775808", i64::MIN, i64::MAX, "bigint").unwrap(), i64::MIN);
        let e = parse_int("99999999999", i32::MIN as i64, i32::MAX as i64, "integer").unwrap_err();
        assert_eq!(e.code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(e.message(), "value \"99999999999\" is out of range for type integer");
        let e = parse_int("9223372036854775808", i64::MIN, i64::MAX, "bigint").unwrap_err();
        assert_eq!(e.message(), "value \"9223372036854775808\" is out of range for type bigint");
        let e = parse_int("+2319390962.", i32::MIN as i64, i32::MAX as i64, "integer").unwrap_err();
        assert_eq!(e.message(), "value \"+2319390962.\" is out of range for type integer");
        assert_eq!(parse_int("-2147483648", i32::MIN as i64, i32::MAX as i64, "integer").unwrap(), i32::MIN as i64);
        assert!(parse_int("2147483648", i32::MIN as i64, i32::MAX as i64, "integer").is_err());
        assert_eq!(parse_int("-32768", i16::MIN as i64, i16::MAX as i64, "smallint").unwrap(), -32768);
        for bad in ["", "abc", "- 1", "1_000", "12.0", "1e3", "+", "-", "0x1"] {
            let e = parse_int(bad, i32::MIN as i64, i32::MAX as i64, "integer").unwrap_err();
            assert_eq!(e.code(), SqlState::INVALID_TEXT_REPRESENTATION, "{bad}");
            assert_eq!(e.message(), format!("invalid input syntax for type integer: \"{bad}\""));
        }
    }

    #[test]
    fn numeric_input() {
        let cases = [
            ("1.5", "1.5"),
            ("1e-3", "0.001"),
            ("1.5e3", "1500"),
            (" 12.50 ", "12.50"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-0", "0"),
            ("0.00", "0.00"),
            ("-0.00", "0.00"),
            ("1.0E-2", "0.010"),
            ("+7", "7"),
            ("00012.3400", "12.3400"),
            ("1e20", "100000000000000000000"),
            ("79228162514264337593543950335", "79228162514264337593543950335"),
            ("0.1234567890123456789012345678901", "0.1234567890123456789012345679"),
            ("1e-30", "0.0000000000000000000000000000"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_numeric(input).unwrap().to_string(), want, "{input}");
        }
        for bad in ["abc", "", "1e", "1.2.3", "--1", "1 2", "e1", "."] {
            let e = parse_numeric(bad).unwrap_err();
            assert_eq!(e.code(), SqlState::INVALID_TEXT_REPRESENTATION, "{bad}");
            assert_eq!(e.message(), format!("invalid input syntax for type numeric: \"{bad}\""));
        }
        for big in ["1e30", "99999999999999999999999999999999", "1e1000000000000"] {
            assert_eq!(parse_numeric(big).unwrap_err().code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "{big}");
        }
        assert_eq!(parse_numeric("NaN").unwrap_err().code(), SqlState::FEATURE_NOT_SUPPORTED);
        assert_eq!(parse_numeric("-Infinity").unwrap_err().code(), SqlState::FEATURE_NOT_SUPPORTED);
        assert_eq!(parse_numeric("1e-1000000").unwrap().to_string(), "0.0000000000000000000000000000");
    }

    fn tm(p: u16, s: i16) -> NumericTypmod {
        NumericTypmod { precision: p, scale: s }
    }

    #[test]
    fn typmod() {
        assert_eq!(apply_typmod(dec("1.5"), tm(5, 2)).unwrap().to_string(), "1.50");
        assert_eq!(apply_typmod(dec("123.456"), tm(5, 2)).unwrap().to_string(), "123.46");
        assert_eq!(apply_typmod(dec("-0.005"), tm(5, 2)).unwrap().to_string(), "-0.01");
        assert_eq!(apply_typmod(dec("0.004"), tm(5, 2)).unwrap().to_string(), "0.00");
        assert_eq!(apply_typmod(dec("-0.004"), tm(5, 2)).unwrap().to_string(), "0.00");
        assert_eq!(apply_typmod(dec("2.5"), tm(5, 0)).unwrap().to_string(), "3");
        assert_eq!(apply_typmod(dec("12.345"), tm(5, -1)).unwrap().to_string(), "10");
        assert_eq!(apply_typmod(dec("15"), tm(5, -1)).unwrap().to_string(), "20");
        assert_eq!(apply_typmod(dec("0.5"), tm(2, 2)).unwrap().to_string(), "0.50");
        let e = apply_typmod(dec("1234.5"), tm(5, 2)).unwrap_err();
        assert_eq!(e.code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(e.message(), "numeric field overflow");
        assert_eq!(
            e.detail(),
            Some("A field with precision 5, scale 2 must round to an absolute value less than 10^3.")
        );
        let e = apply_typmod(dec("99.995"), tm(4, 2)).unwrap_err();
        assert_eq!(
            e.detail(),
            Some("A field with precision 4, scale 2 must round to an absolute value less than 10^2.")
        );
        let e = apply_typmod(dec("1"), tm(2, 2)).unwrap_err();
        assert_eq!(e.detail(), Some("A field with precision 2, scale 2 must round to an absolute value less than 1."));
        assert!(apply_typmod(dec("0.995"), tm(2, 2)).is_err());
        assert_eq!(apply_typmod(dec("0.994"), tm(2, 2)).unwrap().to_string(), "0.99");
    }

    #[test]
    fn conversions() {
        assert_eq!(decimal_to_int(&dec("2.5"), 32).unwrap(), 3);
        assert_eq!(decimal_to_int(&dec("-2.5"), 32).unwrap(), -3);
        assert_eq!(decimal_to_int(&dec("2.4"), 32).unwrap(), 2);
        assert_eq!(decimal_to_int(&dec("32767.5"), 16).unwrap_err().message(), "smallint out of range");
        assert_eq!(decimal_to_int(&dec("2147483648"), 32).unwrap_err().message(), "integer out of range");
        assert_eq!(decimal_to_int(&dec("9223372036854775808"), 64).unwrap_err().message(), "bigint out of range");
        assert_eq!(float_to_int(2.5, 32).unwrap(), 2);
        assert_eq!(float_to_int(3.5, 32).unwrap(), 4);
        assert_eq!(float_to_int(-2.5, 32).unwrap(), -2);
        assert_eq!(float_to_int(f64::NAN, 32).unwrap_err().message(), "integer out of range");
        assert_eq!(float_to_int(2147483647.4, 32).unwrap(), 2147483647);
        assert!(float_to_int(2147483647.5, 32).is_err());
        assert!(float_to_int(9.3e18, 64).is_err());
        assert_eq!(float_to_int(-9.223_372_036_854_776e18, 64).unwrap(), i64::MIN);
        assert_eq!(f64_to_decimal(0.1).unwrap().to_string(), "0.1");
        assert_eq!(f64_to_decimal(1.0 / 3.0).unwrap().to_string(), "0.333333333333333");
        assert_eq!(f64_to_decimal(1.5e-7).unwrap().to_string(), "0.00000015");
        assert_eq!(f64_to_decimal(100.0).unwrap().to_string(), "100");
        assert_eq!(f64_to_decimal(1e20).unwrap().to_string(), "100000000000000000000");
        assert_eq!(f64_to_decimal(-0.0).unwrap().to_string(), "0");
        assert_eq!(f32_to_decimal(0.1).unwrap().to_string(), "0.1");
        assert_eq!(f32_to_decimal(1.234_567_8).unwrap().to_string(), "1.23457");
        assert!(f64_to_decimal(f64::NAN).is_err());
        assert_eq!(decimal_to_f64(&dec("0.1")), 0.1);
        assert_eq!(decimal_to_f32(&dec("0.1")), 0.1f32);
        assert_eq!(f64_to_f32(1e300).unwrap_err().message(), "value out of range: overflow");
        assert_eq!(f64_to_f32(1e-300).unwrap_err().message(), "value out of range: underflow");
        assert_eq!(f64_to_f32(f64::INFINITY).unwrap(), f32::INFINITY);
    }
}

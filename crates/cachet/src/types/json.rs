//! The `jsonb` type: parsing, canonical printing, PostgreSQL's ordering and the
//! lookup, containment and update helpers that the SQL operators build on; plus
//! validation for the text-preserving `json` type.
//!
//! # Representation
//!
//! A [`Jsonb`] is a tree. Objects are vectors of `(key, value)` pairs kept in
//! PostgreSQL's jsonb key order (shorter keys first, then bytewise) with unique keys:
//! on input, a duplicate key keeps its *last* value, as PostgreSQL does. Lookups use
//! binary search on that order.
//!
//! Numbers are [`JsonNumber`]s: exact decimals with PostgreSQL's display scale. Most
//! fit a [`Decimal`] (96-bit mantissa, scale up to 28); larger or finer numbers such as
//! `1e300` or `1e-40` fall back to an exact digit-string form, so every number
//! PostgreSQL's `numeric` accepts round-trips exactly. The limit is PostgreSQL's:
//! at most 131072 digits before the point and 16383 after (22003 otherwise).
//!
//! # Ordering
//!
//! `Ord`/`Eq`/`Hash` follow PostgreSQL's jsonb btree order: Object > Array > Boolean >
//! Number > String > Null; arrays compare by length first and objects by pair count
//! first, then element by element (for objects: key, then value, in key order);
//! numbers compare numerically (`1.0 = 1`), strings bytewise (the C collation). As in
//! PostgreSQL, a top-level scalar sorts like a one-element array, so the empty
//! top-level array sorts below every scalar.
//!
//! # Limits
//!
//! Nesting is limited to [`MAX_DEPTH`] levels (54001 `stack depth limit exceeded`
//! beyond), so that recursive operations (printing, comparing, dropping) stay well
//! within a thread's stack. PostgreSQL's limit depends on `max_stack_depth` and is a
//! few thousand levels by default.

use super::datetime::{write_timestamp_json, TS_NEG_INFINITY, TS_POS_INFINITY};
use super::numeric::{normalize_zero, write_float4, write_float8};
use super::timezone::TimeZone;
use super::value::Value;
use crate::error::{Error, Result, SqlState};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 1000;

/// PostgreSQL's `numeric` limits on digits before and after the decimal point.
const MAX_INT_DIGITS: i64 = 131_072;
const MAX_DSCALE: i64 = 16_383;

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// An exact JSON number (PostgreSQL `numeric` semantics, without NaN/Infinity).
#[derive(Clone, Debug)]
pub struct JsonNumber(NumRepr);

#[derive(Clone, Debug)]
enum NumRepr {
    Small(Decimal),
    Big(Arc<BigNum>),
}

/// A number that does not fit a Decimal: `0.d1d2d3... * 10^exp`, with significant
/// digits only (no leading or trailing zeros, never empty) and a display scale.
#[derive(Debug)]
struct BigNum {
    negative: bool,
    digits: Box<[u8]>,
    exp: i64,
    dscale: i64,
}

impl JsonNumber {
    /// The value as a Decimal, if it fits exactly.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match &self.0 {
            NumRepr::Small(d) => Some(*d),
            NumRepr::Big(_) => None,
        }
    }

    /// The nearest f64 (infinite for huge values, zero for tiny ones).
    pub fn to_f64(&self) -> f64 {
        let s = self.to_string();
        s.parse().unwrap_or(0.0)
    }

    /// Whether the value is integral.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            NumRepr::Small(d) => d.fract().is_zero(),
            NumRepr::Big(b) => b.exp >= b.digits.len() as i64,
        }
    }

    /// Parses a decimal number (`-12.5e3`); `None` when it is not numeric syntax.
    /// Values beyond PostgreSQL's numeric limits are an error.
    pub fn parse(s: &str) -> Result<Option<JsonNumber>> {
        let b = s.as_bytes();
        let mut i = 0;
        let negative = b.first() == Some(&b'-');
        if negative || b.first() == Some(&b'+') {
            i += 1;
        }
        let mut digits: Vec<u8> = Vec::new();
        let mut point_pos: Option<usize> = None;
        let mut frac_digits: i64 = 0;
        let mut any = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    any = true;
                    digits.push(c - b'0');
                    if point_pos.is_some() {
                        frac_digits += 1;
                    }
                }
                b'.' if point_pos.is_none() => point_pos = Some(digits.len()),
                _ => break,
            }
            i += 1;
        }
        if !any {
            return Ok(None);
        }
        let mut exponent: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                exponent = (exponent * 10 + (b[i] - b'0') as i64).min(1 << 40);
                i += 1;
            }
            if i == start {
                return Ok(None);
            }
            if eneg {
                exponent = -exponent;
            }
        }
        if i != b.len() {
            return Ok(None);
        }
        Ok(Some(Self::from_parts(negative, &digits, frac_digits, exponent)?))
    }

    /// Builds a number from all its digits (as written), the count of digits after the
    /// point, and an exponent.
    fn from_parts(negative: bool, digits: &[u8], frac_digits: i64, exponent: i64) -> Result<JsonNumber> {
        let overflow = || Error::out_of_range("value overflows numeric format");
        let dscale = (frac_digits - exponent).max(0);
        // Strip leading zeros; the position of the point relative to the digits is
        // `int_len = len - frac_digits + exponent`.
        let first = digits.iter().position(|d| *d != 0);
        let Some(first) = first else {
            // Zero keeps its display scale.
            if dscale > MAX_DSCALE {
                return Err(overflow());
            }
            return Ok(match Decimal::try_from_i128_with_scale(0, dscale as u32) {
                Ok(d) if dscale <= 28 => JsonNumber(NumRepr::Small(d)),
                _ => {
                    JsonNumber(NumRepr::Big(Arc::new(BigNum { negative: false, digits: Box::new([]), exp: 0, dscale })))
                }
            });
        };
        let sig = &digits[first..];
        let last = sig.iter().rposition(|d| *d != 0).map_or(0, |p| p + 1);
        let sig = &sig[..last];
        // Decimal exponent of the first significant digit, as 0.d1d2... * 10^exp.
        let exp = (digits.len() - first) as i64 - frac_digits + exponent;
        if exp > MAX_INT_DIGITS || dscale > MAX_DSCALE {
            return Err(overflow());
        }
        // Try the Decimal form: mantissa = sig * 10^(dscale - (len(sig) - exp)).
        let zeros = dscale - (sig.len() as i64 - exp);
        if dscale <= 28 && zeros >= 0 && sig.len() as i64 + zeros <= 29 {
            let mut m: u128 = 0;
            for d in sig {
                m = m * 10 + *d as u128;
            }
            for _ in 0..zeros {
                m *= 10;
            }
            if m < (1u128 << 96) {
                let v = if negative { -(m as i128) } else { m as i128 };
                if let Ok(d) = Decimal::try_from_i128_with_scale(v, dscale as u32) {
                    return Ok(JsonNumber(NumRepr::Small(normalize_zero(d))));
                }
            }
        }
        Ok(JsonNumber(NumRepr::Big(Arc::new(BigNum { negative, digits: sig.into(), exp, dscale }))))
    }

    /// Calls `f` with the normalized form: sign (-1, 0, 1), significant digits and
    /// the exponent (value = sign * 0.digits * 10^exp).
    fn with_normalized<R>(&self, f: impl FnOnce(i8, &[u8], i64) -> R) -> R {
        match &self.0 {
            NumRepr::Small(d) => {
                let m = d.mantissa().unsigned_abs();
                if m == 0 {
                    return f(0, &[], 0);
                }
                let mut buf = [0u8; 40];
                let mut n = 0;
                let mut x = m;
                while x > 0 {
                    buf[n] = (x % 10) as u8;
                    n += 1;
                    x /= 10;
                }
                buf[..n].reverse();
                let len = n as i64;
                let trimmed = buf[..n].iter().rposition(|d| *d != 0).map_or(0, |p| p + 1);
                let sign = if d.is_sign_negative() { -1 } else { 1 };
                f(sign, &buf[..trimmed], len - d.scale() as i64)
            }
            NumRepr::Big(b) => {
                if b.digits.is_empty() {
                    f(0, &[], 0)
                } else {
                    f(if b.negative { -1 } else { 1 }, &b.digits, b.exp)
                }
            }
        }
    }

    fn write_to(&self, buf: &mut String) {
        match &self.0 {
            NumRepr::Small(d) => super::numeric::write_numeric(buf, d),
            NumRepr::Big(b) => {
                if b.negative && !b.digits.is_empty() {
                    buf.push('-');
                }
                let len = b.digits.len() as i64;
                if b.exp <= 0 {
                    buf.push('0');
                } else {
                    for k in 0..b.exp {
                        buf.push(if k < len { (b'0' + b.digits[k as usize]) as char } else { '0' });
                    }
                }
                if b.dscale > 0 {
                    buf.push('.');
                    for k in 0..b.dscale {
                        let idx = b.exp + k;
                        buf.push(if (0..len).contains(&idx) { (b'0' + b.digits[idx as usize]) as char } else { '0' });
                    }
                }
            }
        }
    }
}

impl From<Decimal> for JsonNumber {
    fn from(d: Decimal) -> Self {
        JsonNumber(NumRepr::Small(normalize_zero(d)))
    }
}

impl From<i64> for JsonNumber {
    fn from(v: i64) -> Self {
        JsonNumber(NumRepr::Small(Decimal::from(v)))
    }
}

impl fmt::Display for JsonNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl Ord for JsonNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (NumRepr::Small(a), NumRepr::Small(b)) = (&self.0, &other.0) {
            return a.cmp(b);
        }
        self.with_normalized(|sa, da, ea| {
            other.with_normalized(|sb, db, eb| {
                if sa != sb {
                    return sa.cmp(&sb);
                }
                if sa == 0 {
                    return Ordering::Equal;
                }
                let magnitude = ea.cmp(&eb).then_with(|| da.cmp(db));
                if sa > 0 {
                    magnitude
                } else {
                    magnitude.reverse()
                }
            })
        })
    }
}

impl PartialOrd for JsonNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for JsonNumber {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for JsonNumber {}

impl Hash for JsonNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.with_normalized(|s, d, e| {
            s.hash(state);
            d.hash(state);
            if s != 0 {
                e.hash(state);
            }
        })
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// A parsed jsonb value. Object keys are unique and kept in PostgreSQL's jsonb order.
#[derive(Clone, Debug)]
pub enum Jsonb {
    Null,
    String(String),
    Number(JsonNumber),
    Bool(bool),
    Array(Vec<Jsonb>),
    Object(Vec<(String, Jsonb)>),
}

/// PostgreSQL's jsonb key order: shorter first, then bytewise.
pub fn key_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

impl Jsonb {
    /// Parses jsonb text (22P02 `invalid input syntax for type json` with a detail on
    /// bad input; 22P05 for `\u0000`).
    pub fn parse(s: &str) -> Result<Jsonb> {
        let mut p = Parser { s: s.as_bytes(), text: s, pos: 0, build: true };
        p.parse_document()
    }

    /// Builds an object from pairs: sorts keys into jsonb order and keeps the last
    /// value of a duplicated key.
    pub fn object(pairs: Vec<(String, Jsonb)>) -> Jsonb {
        let mut pairs = pairs;
        // Stable sort keeps input order among equal keys; then keep the last one.
        pairs.sort_by(|a, b| key_order(&a.0, &b.0));
        let mut out: Vec<(String, Jsonb)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        Jsonb::Object(out)
    }

    /// A number from a Decimal.
    pub fn number(d: Decimal) -> Jsonb {
        Jsonb::Number(d.into())
    }

    /// `jsonb_typeof`: `object`, `array`, `string`, `number`, `boolean` or `null`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::String(_) => "string",
            Jsonb::Number(_) => "number",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self, Jsonb::Array(_) | Jsonb::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Jsonb::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Jsonb::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&JsonNumber> {
        match self {
            Jsonb::Number(n) => Some(n),
            _ => None,
        }
    }

    /// `->` with a key: the value of an object's key.
    pub fn get(&self, key: &str) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(pairs) => pairs.binary_search_by(|(k, _)| key_order(k, key)).ok().map(|i| &pairs[i].1),
            _ => None,
        }
    }

    /// `->` with an integer: an array element, negative indexes counting from the end.
    pub fn index(&self, i: i64) -> Option<&Jsonb> {
        match self {
            Jsonb::Array(items) => {
                let len = items.len() as i64;
                let i = if i < 0 { i + len } else { i };
                if (0..len).contains(&i) {
                    items.get(i as usize)
                } else {
                    None
                }
            }
            // NB: PostgreSQL stores a top-level scalar as a one-element array, so
            // `'true'::jsonb -> 0` is `true`.
            Jsonb::Object(_) => None,
            scalar => (i == 0 || i == -1).then_some(scalar),
        }
    }

    /// `#>`: follows a path of keys and array indexes (integers as text).
    pub fn path(&self, path: &[&str]) -> Option<&Jsonb> {
        let mut cur = self;
        for step in path {
            cur = match cur {
                Jsonb::Object(_) => cur.get(step)?,
                Jsonb::Array(_) => cur.index(parse_index(step)?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// `?`: whether a string is a key of an object, a string element of an array, or
    /// equal to a string scalar.
    pub fn has_key(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(_) => self.get(key).is_some(),
            Jsonb::Array(items) => items.iter().any(|v| v.as_str() == Some(key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }

    /// `@>`: whether `self` contains `other`, with PostgreSQL's rules (objects contain
    /// subsets of their pairs, arrays contain elements regardless of order and
    /// repetition, and a top-level array contains a matching scalar).
    pub fn contains(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Array(_), o) if o.is_scalar() => deep_contains(self, &Jsonb::Array(vec![o.clone()])),
            _ => deep_contains(self, other),
        }
    }

    /// `jsonb_set(self, path, new, create_missing)`.
    pub fn set_path(&self, path: &[&str], new: Jsonb, create_missing: bool) -> Result<Jsonb> {
        if self.is_scalar() {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "cannot set path in scalar"));
        }
        let empty = matches!(self, Jsonb::Array(v) if v.is_empty()) || matches!(self, Jsonb::Object(v) if v.is_empty());
        // NB: an empty document is returned as is when nothing is to be created,
        // without checking the path.
        if path.is_empty() || (empty && !create_missing) {
            return Ok(self.clone());
        }
        let mut out = self.clone();
        set_path_in(&mut out, path, 0, new, create_missing)?;
        Ok(out)
    }

    /// The value as `->>` returns it: strings unquoted, other scalars as their text,
    /// containers as canonical text, JSON null as SQL NULL.
    pub fn to_value(&self) -> Value {
        match self {
            Jsonb::Null => Value::Null,
            Jsonb::String(s) => Value::Text(s.as_str().into()),
            Jsonb::Bool(b) => Value::Text(if *b { "true" } else { "false" }.into()),
            other => Value::Text(other.to_string().into()),
        }
    }

    /// Builds jsonb from a SQL value as `to_jsonb` does: numbers become numbers
    /// (non-finite floats become strings), text becomes a string, json is parsed,
    /// arrays become arrays, dates and timestamps use ISO 8601 (`2024-01-31T13:04:05`),
    /// other types their text output.
    pub fn from_value(v: &Value, tz: &TimeZone) -> Result<Jsonb> {
        Self::from_value_depth(v, tz, 0)
    }

    fn from_value_depth(v: &Value, tz: &TimeZone, depth: usize) -> Result<Jsonb> {
        if depth > MAX_DEPTH {
            return Err(depth_error());
        }
        let float_json = |text: String| -> Result<Jsonb> {
            match JsonNumber::parse(&text)? {
                Some(n) => Ok(Jsonb::Number(n)),
                None => Ok(Jsonb::String(text)),
            }
        };
        Ok(match v {
            Value::Null => Jsonb::Null,
            Value::Bool(b) => Jsonb::Bool(*b),
            Value::Int2(i) => Jsonb::Number((*i as i64).into()),
            Value::Int4(i) => Jsonb::Number((*i as i64).into()),
            Value::Int8(i) => Jsonb::Number((*i).into()),
            Value::Numeric(d) => Jsonb::number(*d),
            Value::Float4(f) => {
                let mut s = String::new();
                write_float4(&mut s, *f);
                float_json(s)?
            }
            Value::Float8(f) => {
                let mut s = String::new();
                write_float8(&mut s, *f);
                float_json(s)?
            }
            Value::Text(s) => Jsonb::String(s.to_string()),
            Value::Json(s) => Jsonb::parse(s)?,
            Value::Jsonb(j) => (**j).clone(),
            Value::Timestamp(ts) if *ts != TS_POS_INFINITY && *ts != TS_NEG_INFINITY => {
                let mut s = String::new();
                write_timestamp_json(&mut s, *ts, None);
                Jsonb::String(s)
            }
            Value::TimestampTz(ts) if *ts != TS_POS_INFINITY && *ts != TS_NEG_INFINITY => {
                let mut s = String::new();
                write_timestamp_json(&mut s, *ts, Some(tz));
                Jsonb::String(s)
            }
            Value::Array(a) => {
                Jsonb::Array(a.items.iter().map(|x| Self::from_value_depth(x, tz, depth + 1)).collect::<Result<_>>()?)
            }
            other => Jsonb::String(super::io::format_value(other, tz)),
        })
    }

    /// Appends the canonical text (`{"a": 1, "b": [1, 2]}`).
    pub fn write_to(&self, buf: &mut String) {
        match self {
            Jsonb::Null => buf.push_str("null"),
            Jsonb::Bool(b) => buf.push_str(if *b { "true" } else { "false" }),
            Jsonb::Number(n) => n.write_to(buf),
            Jsonb::String(s) => write_json_string(buf, s),
            Jsonb::Array(items) => {
                buf.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        buf.push_str(", ");
                    }
                    v.write_to(buf);
                }
                buf.push(']');
            }
            Jsonb::Object(pairs) => {
                buf.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        buf.push_str(", ");
                    }
                    write_json_string(buf, k);
                    buf.push_str(": ");
                    v.write_to(buf);
                }
                buf.push('}');
            }
        }
    }

    /// `jsonb_pretty`: four-space indentation, one element per line.
    pub fn to_pretty_string(&self) -> String {
        let mut s = String::new();
        self.write_pretty(&mut s, 0);
        s
    }

    fn write_pretty(&self, buf: &mut String, level: usize) {
        let indent = |buf: &mut String, n: usize| {
            for _ in 0..n {
                buf.push_str("    ");
            }
        };
        match self {
            // Empty containers still break the line, as jsonb_pretty does.
            Jsonb::Array(items) if items.is_empty() => {
                buf.push_str("[\n");
                indent(buf, level);
                buf.push(']');
            }
            Jsonb::Object(pairs) if pairs.is_empty() => {
                buf.push_str("{\n");
                indent(buf, level);
                buf.push('}');
            }
            Jsonb::Array(items) => {
                buf.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        buf.push_str(",\n");
                    }
                    indent(buf, level + 1);
                    v.write_pretty(buf, level + 1);
                }
                buf.push('\n');
                indent(buf, level);
                buf.push(']');
            }
            Jsonb::Object(pairs) => {
                buf.push_str("{\n");
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        buf.push_str(",\n");
                    }
                    indent(buf, level + 1);
                    write_json_string(buf, k);
                    buf.push_str(": ");
                    v.write_pretty(buf, level + 1);
                }
                buf.push('\n');
                indent(buf, level);
                buf.push('}');
            }
            other => other.write_to(buf),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Jsonb::Null => 0,
            Jsonb::String(_) => 1,
            Jsonb::Number(_) => 2,
            Jsonb::Bool(_) => 3,
            Jsonb::Array(_) => 4,
            Jsonb::Object(_) => 5,
        }
    }

    fn cmp_inner(&self, other: &Jsonb) -> Ordering {
        match (self, other) {
            (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
            (Jsonb::String(a), Jsonb::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Jsonb::Number(a), Jsonb::Number(b)) => a.cmp(b),
            (Jsonb::Bool(a), Jsonb::Bool(b)) => a.cmp(b),
            (Jsonb::Array(a), Jsonb::Array(b)) => a.len().cmp(&b.len()).then_with(|| {
                a.iter().zip(b).map(|(x, y)| x.cmp_inner(y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
            }),
            (Jsonb::Object(a), Jsonb::Object(b)) => a.len().cmp(&b.len()).then_with(|| {
                a.iter()
                    .zip(b)
                    .map(|((ka, va), (kb, vb))| ka.as_bytes().cmp(kb.as_bytes()).then_with(|| va.cmp_inner(vb)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// Parses an array index path element as PostgreSQL's `strtoint` would.
fn parse_index(s: &str) -> Option<i64> {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let v: i64 = t.parse().ok()?;
    i32::try_from(v).ok().map(|v| v as i64)
}

fn depth_error() -> Error {
    Error::new(SqlState::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded")
        .with_detail(format!("jsonb values may nest at most {MAX_DEPTH} levels."))
}

fn scalar_eq(a: &Jsonb, b: &Jsonb) -> bool {
    a.rank() == b.rank() && a.cmp_inner(b) == Ordering::Equal
}

fn deep_contains(a: &Jsonb, b: &Jsonb) -> bool {
    match (a, b) {
        (Jsonb::Object(_), Jsonb::Object(bp)) => bp.iter().all(|(k, bv)| match a.get(k) {
            None => false,
            Some(av) => {
                if bv.is_scalar() {
                    scalar_eq(av, bv)
                } else {
                    av.rank() == bv.rank() && deep_contains(av, bv)
                }
            }
        }),
        (Jsonb::Array(ai), Jsonb::Array(bi)) => bi.iter().all(|bv| {
            if bv.is_scalar() {
                ai.iter().any(|av| av.is_scalar() && scalar_eq(av, bv))
            } else {
                ai.iter().any(|av| av.rank() == bv.rank() && deep_contains(av, bv))
            }
        }),
        (x, y) if x.is_scalar() && y.is_scalar() => scalar_eq(x, y),
        _ => false,
    }
}

fn set_path_in(cur: &mut Jsonb, path: &[&str], level: usize, new: Jsonb, create: bool) -> Result<()> {
    let last = level == path.len() - 1;
    let step = path[level];
    match cur {
        Jsonb::Object(pairs) => match pairs.binary_search_by(|(k, _)| key_order(k, step)) {
            Ok(i) => {
                if last {
                    pairs[i].1 = new;
                } else {
                    set_path_in(&mut pairs[i].1, path, level + 1, new, create)?;
                }
            }
            Err(i) => {
                if last && create {
                    pairs.insert(i, (step.to_string(), new));
                }
            }
        },
        Jsonb::Array(items) => {
            let Some(idx) = parse_index(step).filter(|_| !step.is_empty()) else {
                return Err(Error::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("path element at position {} is not an integer: \"{step}\"", level + 1),
                ));
            };
            let n = items.len() as i64;
            let idx = if idx < 0 {
                if -idx > n {
                    None // before the start: prepend when creating
                } else {
                    Some(idx + n)
                }
            } else {
                Some(idx)
            };
            match idx {
                Some(i) if i < n => {
                    let i = i as usize;
                    if last {
                        items[i] = new;
                    } else {
                        set_path_in(&mut items[i], path, level + 1, new, create)?;
                    }
                }
                None if last && create => items.insert(0, new),
                Some(_) if last && create => items.push(new),
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

impl Ord for Jsonb {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // A top-level scalar is a one-element "raw scalar" array in PostgreSQL: it
            // sorts above the empty array and below every other array.
            (Jsonb::Array(a), b) if b.is_scalar() => {
                if a.is_empty() {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (a, Jsonb::Array(b)) if a.is_scalar() => {
                if b.is_empty() {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => self.cmp_inner(other),
        }
    }
}

impl PartialOrd for Jsonb {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Jsonb {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Jsonb {}

impl Hash for Jsonb {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Jsonb::Null => {}
            Jsonb::String(s) => s.hash(state),
            Jsonb::Number(n) => n.hash(state),
            Jsonb::Bool(b) => b.hash(state),
            Jsonb::Array(items) => {
                items.len().hash(state);
                for v in items {
                    v.hash(state);
                }
            }
            Jsonb::Object(pairs) => {
                pairs.len().hash(state);
                for (k, v) in pairs {
                    k.hash(state);
                    v.hash(state);
                }
            }
        }
    }
}

impl fmt::Display for Jsonb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

/// Appends a JSON string literal with PostgreSQL's escaping (`"`, `\`, control
/// characters; `/` and non-ASCII are kept).
pub fn write_json_string(buf: &mut String, s: &str) {
    buf.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        buf.push_str(&s[start..i]);
        match esc {
            Some(e) => buf.push_str(e),
            None => {
                let _ = fmt::Write::write_fmt(buf, format_args!("\\u{:04x}", c as u32));
            }
        }
        start = i + c.len_utf8();
    }
    buf.push_str(&s[start..]);
    buf.push('"');
}

/// Checks that text is valid JSON, as the `json` type's input function does (it
/// keeps the text as given, duplicate keys and all).
pub fn validate_json(s: &str) -> Result<()> {
    let mut p = Parser { s: s.as_bytes(), text: s, pos: 0, build: false };
    p.parse_document().map(|_| ())
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    /// False to validate only (the `json` type): no values are built and `\u0000` is
    /// allowed.
    build: bool,
}

fn syntax(detail: String) -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json").with_detail(detail)
}

/// What the lexer found next.
#[derive(Debug)]
enum Tok {
    End,
    Punct(u8),
    String,
    /// A number token, with the position just after it.
    Number(usize),
    True,
    False,
    Null,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    /// The text of the token starting at `start`, as PostgreSQL quotes it in errors.
    fn token_text(&self, start: usize) -> String {
        let b = self.s;
        if start >= b.len() {
            return String::new();
        }
        let mut end = start;
        match b[start] {
            b'{' | b'}' | b'[' | b']' | b',' | b':' => end += 1,
            b'"' => {
                end += 1;
                while end < b.len() && b[end] != b'"' {
                    if b[end] == b'\\' {
                        end += 1;
                    }
                    end += 1;
                }
                end = (end + 1).min(b.len());
            }
            _ => {
                while end < b.len()
                    && !matches!(b[end], b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"')
                {
                    end += 1;
                }
                if end == start {
                    end += 1;
                }
            }
        }
        let mut end = end.min(b.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        self.text[start..end].to_string()
    }

    /// Classifies the next token without consuming it; rejects invalid tokens.
    fn peek(&mut self) -> Result<(Tok, usize)> {
        self.skip_ws();
        let start = self.pos;
        let b = self.s;
        if start >= b.len() {
            return Ok((Tok::End, start));
        }
        let tok = match b[start] {
            c @ (b'{' | b'}' | b'[' | b']' | b',' | b':') => Tok::Punct(c),
            b'"' => Tok::String,
            b'-' | b'0'..=b'9' => {
                // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? not followed by an
                // identifier character.
                let mut i = start;
                let mut ok = true;
                if b[i] == b'-' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'0' {
                    i += 1;
                } else if i < b.len() && b[i].is_ascii_digit() {
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    ok = false;
                }
                if ok && i < b.len() && b[i] == b'.' {
                    i += 1;
                    let s2 = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    ok = i > s2;
                }
                if ok && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    i += 1;
                    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                        i += 1;
                    }
                    let s2 = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    ok = i > s2;
                }
                if !ok || (i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)) {
                    return Err(syntax(format!("Token \"{}\" is invalid.", self.token_text(start))));
                }
                Tok::Number(i)
            }
            _ => {
                let word = self.token_text(start);
                match word.as_str() {
                    "true" => Tok::True,
                    "false" => Tok::False,
                    "null" => Tok::Null,
                    _ => return Err(syntax(format!("Token \"{word}\" is invalid."))),
                }
            }
        };
        Ok((tok, start))
    }

    fn parse_document(&mut self) -> Result<Jsonb> {
        let v = self.parse_value(0)?;
        let (tok, start) = self.peek()?;
        if !matches!(tok, Tok::End) {
            return Err(syntax(format!("Expected end of input, but found \"{}\".", self.token_text(start))));
        }
        Ok(v)
    }

    fn unexpected_end() -> Error {
        syntax("The input string ended unexpectedly.".to_string())
    }

    fn parse_value(&mut self, depth: usize) -> Result<Jsonb> {
        let (tok, start) = self.peek()?;
        match tok {
            Tok::End => Err(Self::unexpected_end()),
            Tok::Punct(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(depth_error());
                }
                self.pos += 1;
                self.parse_object(depth + 1)
            }
            Tok::Punct(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(depth_error());
                }
                self.pos += 1;
                self.parse_array(depth + 1)
            }
            Tok::Punct(_) => Err(syntax(format!("Expected JSON value, but found \"{}\".", self.token_text(start)))),
            Tok::String => Ok(Jsonb::String(self.parse_string()?)),
            Tok::Number(end) => {
                self.pos = end;
                if !self.build {
                    return Ok(Jsonb::Null);
                }
                // NB: PostgreSQL lexes the next token before converting a number, so a
                // bad token after it wins over an out-of-range value.
                self.peek()?;
                match JsonNumber::parse(&self.text[start..end])? {
                    Some(n) => Ok(Jsonb::Number(n)),
                    None => Err(syntax(format!("Token \"{}\" is invalid.", &self.text[start..end]))),
                }
            }
            Tok::True => {
                self.pos += 4;
                Ok(Jsonb::Bool(true))
            }
            Tok::False => {
                self.pos += 5;
                Ok(Jsonb::Bool(false))
            }
            Tok::Null => {
                self.pos += 4;
                Ok(Jsonb::Null)
            }
        }
    }

    fn parse_array(&mut self, depth: usize) -> Result<Jsonb> {
        let mut items = Vec::new();
        let (tok, _) = self.peek()?;
        if matches!(tok, Tok::Punct(b']')) {
            self.pos += 1;
            return Ok(Jsonb::Array(items));
        }
        loop {
            let v = self.parse_value(depth)?;
            if self.build {
                items.push(v);
            }
            let (tok, start) = self.peek()?;
            match tok {
                Tok::Punct(b',') => self.pos += 1,
                Tok::Punct(b']') => {
                    self.pos += 1;
                    return Ok(Jsonb::Array(items));
                }
                Tok::End => return Err(Self::unexpected_end()),
                _ => return Err(syntax(format!("Expected \",\" or \"]\", but found \"{}\".", self.token_text(start)))),
            }
        }
    }

    fn parse_object(&mut self, depth: usize) -> Result<Jsonb> {
        let mut pairs = Vec::new();
        let mut first = true;
        loop {
            let (tok, start) = self.peek()?;
            match tok {
                Tok::Punct(b'}') if first => {
                    self.pos += 1;
                    return Ok(Jsonb::Object(pairs));
                }
                Tok::String => {}
                Tok::End => return Err(Self::unexpected_end()),
                _ => {
                    let found = self.token_text(start);
                    return Err(syntax(if first {
                        format!("Expected string or \"}}\", but found \"{found}\".")
                    } else {
                        format!("Expected string, but found \"{found}\".")
                    }));
                }
            }
            first = false;
            let key = self.parse_string()?;
            let (tok, start) = self.peek()?;
            match tok {
                Tok::Punct(b':') => self.pos += 1,
                Tok::End => return Err(Self::unexpected_end()),
                _ => return Err(syntax(format!("Expected \":\", but found \"{}\".", self.token_text(start)))),
            }
            let v = self.parse_value(depth)?;
            if self.build {
                pairs.push((key, v));
            }
            let (tok, start) = self.peek()?;
            match tok {
                Tok::Punct(b',') => self.pos += 1,
                Tok::Punct(b'}') => {
                    self.pos += 1;
                    return Ok(if self.build { Jsonb::object(pairs) } else { Jsonb::Null });
                }
                Tok::End => return Err(Self::unexpected_end()),
                _ => {
                    return Err(syntax(format!("Expected \",\" or \"}}\", but found \"{}\".", self.token_text(start))))
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.s.get(at..at + 4)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16)?;
        }
        Some(v)
    }

    /// Parses a string literal at the current position (which is a `"`).
    fn parse_string(&mut self) -> Result<String> {
        let b = self.s;
        let start = self.pos;
        let mut i = self.pos + 1;
        let mut out = String::new();
        let mut run = i;
        let mut hi_surrogate: Option<u32> = None;
        loop {
            if i >= b.len() {
                return Err(Self::unexpected_end());
            }
            let c = b[i];
            if c == b'"' {
                if hi_surrogate.is_some() {
                    return Err(syntax("Unicode low surrogate must follow a high surrogate.".into()));
                }
                if self.build {
                    out.push_str(&self.text[run..i]);
                }
                self.pos = i + 1;
                return Ok(out);
            }
            if c < 0x20 {
                return Err(syntax(format!("Character with value 0x{c:02x} must be escaped.")));
            }
            if c != b'\\' {
                if hi_surrogate.is_some() {
                    return Err(syntax("Unicode low surrogate must follow a high surrogate.".into()));
                }
                i += 1;
                continue;
            }
            if self.build {
                out.push_str(&self.text[run..i]);
            }
            let Some(&e) = b.get(i + 1) else {
                return Err(Self::unexpected_end());
            };
            if e != b'u' && hi_surrogate.is_some() {
                return Err(syntax("Unicode low surrogate must follow a high surrogate.".into()));
            }
            match e {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let Some(cp) = self.hex4(i + 2) else {
                        let _ = start;
                        return Err(syntax("\"\\u\" must be followed by four hexadecimal digits.".into()));
                    };
                    i += 6;
                    run = i;
                    if (0xD800..=0xDBFF).contains(&cp) {
                        if hi_surrogate.is_some() {
                            return Err(syntax("Unicode high surrogate must not follow a high surrogate.".into()));
                        }
                        hi_surrogate = Some(cp);
                        continue;
                    }
                    let cp = if (0xDC00..=0xDFFF).contains(&cp) {
                        let Some(hi) = hi_surrogate.take() else {
                            return Err(syntax("Unicode low surrogate must follow a high surrogate.".into()));
                        };
                        0x10000 + ((hi - 0xD800) << 10) + (cp - 0xDC00)
                    } else {
                        if hi_surrogate.is_some() {
                            return Err(syntax("Unicode low surrogate must follow a high surrogate.".into()));
                        }
                        cp
                    };
                    if cp == 0 && self.build {
                        return Err(Error::new(
                            SqlState::UNTRANSLATABLE_CHARACTER,
                            "unsupported Unicode escape sequence",
                        )
                        .with_detail("\\u0000 cannot be converted to text."));
                    }
                    if let Some(ch) = char::from_u32(cp) {
                        out.push(ch);
                    }
                    continue;
                }
                _ => {
                    let mut end = i + 2;
                    while !self.text.is_char_boundary(end.min(b.len())) {
                        end += 1;
                    }
                    let esc = &self.text[i + 1..end.min(b.len())];
                    return Err(syntax(format!("Escape sequence \"\\{esc}\" is invalid.")));
                }
            }
            i += 2;
            run = i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn j(s: &str) -> Jsonb {
        Jsonb::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn hash_of(v: &Jsonb) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn canonical_output_matches_postgres() {
        let cases = [
            (r#"{"b":1,"aa":2,"a":3}"#, r#"{"a": 3, "b": 1, "aa": 2}"#),
            (r#"[1.0e-5, 1.50, -0, 1E+2]"#, "[0.000010, 1.50, 0, 100]"),
            (r#"{"a":1, "a":2}"#, r#"{"a": 2}"#),
            (r#"  {"a" : [1, 2 ,{"b":null}] }  "#, r#"{"a": [1, 2, {"b": null}]}"#),
            (r#""\u00e9\t""#, "\"é\\t\""),
            ("\"é/\"", "\"é/\""),
            (r#""\/""#, r#""/""#),
            (r#""\ud83d\ude00""#, "\"😀\""),
            ("[]", "[]"),
            ("{}", "{}"),
            ("-0.0", "0.0"),
            ("0.0e5", "0"),
            ("[1e2, 1.0e2, -1.5E-3]", "[100, 100, -0.0015]"),
            (r#""\u0001""#, r#""\u0001""#),
            ("true", "true"),
            ("[null,false]", "[null, false]"),
            ("0.1234567890123456789012345678901", "0.1234567890123456789012345678901"),
            ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
            ("-1.5e-30", "-0.0000000000000000000000000000015"),
        ];
        for (input, want) in cases {
            assert_eq!(j(input).to_string(), want, "{input}");
        }
        assert_eq!(j("1e300").to_string(), format!("1{}", "0".repeat(300)));
        assert_eq!(j("1e-1000").to_string(), format!("0.{}1", "0".repeat(999)));
        assert_eq!(j("0e-40").to_string(), format!("0.{}", "0".repeat(40)));
        assert_eq!(Jsonb::parse("1e200000").unwrap_err().code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(
            j(r#"{"a":[1,{"b":2}]}"#).to_pretty_string(),
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ]\n}"
        );
    }

    #[test]
    fn errors_match_postgres() {
        let cases = [
            ("abc", "Token \"abc\" is invalid."),
            (r#"{"a" 1}"#, "Expected \":\", but found \"1\"."),
            ("[1,2", "The input string ended unexpectedly."),
            ("[1,2,]", "Expected JSON value, but found \"]\"."),
            ("[01]", "Token \"01\" is invalid."),
            ("1abc", "Token \"1abc\" is invalid."),
            ("[1.]", "Token \"1.\" is invalid."),
            ("-", "Token \"-\" is invalid."),
            (r#"{"a":1,}"#, "Expected string, but found \"}\"."),
            ("{1:2}", "Expected string or \"}\", but found \"1\"."),
            ("[1 2]", "Expected \",\" or \"]\", but found \"2\"."),
            (r#""\x""#, "Escape sequence \"\\x\" is invalid."),
            (r#""\u12""#, "\"\\u\" must be followed by four hexadecimal digits."),
            ("\"a\tb\"", "Character with value 0x09 must be escaped."),
            (r#""\udc00""#, "Unicode low surrogate must follow a high surrogate."),
            (r#""\ud800\ud800""#, "Unicode high surrogate must not follow a high surrogate."),
            ("1 2", "Expected end of input, but found \"2\"."),
            ("  ", "The input string ended unexpectedly."),
            (r#"{"a":1}x"#, "Token \"x\" is invalid."),
            ("nul", "Token \"nul\" is invalid."),
            ("truex", "Token \"truex\" is invalid."),
            ("1.5e", "Token \"1.5e\" is invalid."),
            ("", "The input string ended unexpectedly."),
            (r#"{"a":1 "b":2}"#, "Expected \",\" or \"}\", but found \"\"b\"\"."),
        ];
        for (input, detail) in cases {
            let e = Jsonb::parse(input).unwrap_err();
            assert_eq!(e.code(), SqlState::INVALID_TEXT_REPRESENTATION, "{input}");
            assert_eq!(e.message(), "invalid input syntax for type json", "{input}");
            assert_eq!(e.detail(), Some(detail), "{input}");
            assert_eq!(validate_json(input).unwrap_err().detail(), Some(detail), "json {input}");
        }
        let e = Jsonb::parse(r#""\u0000""#).unwrap_err();
        assert_eq!(e.code(), SqlState::UNTRANSLATABLE_CHARACTER);
        assert_eq!(e.message(), "unsupported Unicode escape sequence");
        validate_json(r#""\u0000""#).unwrap();
        validate_json(r#"{"a":1, "a":2}"#).unwrap();
    }

    #[test]
    fn ordering_matches_postgres() {
        // select a < b in PostgreSQL for each pair.
        let less = [
            ("[]", "null"),
            ("1", "[1]"),
            ("1", "[]"),
            ("\"a\"", "1"),
            ("null", "\"a\""),
            ("1", "true"),
            ("false", "true"),
            ("[1,2]", "{}"),
            ("[9]", "[1,2]"),
            (r#"{"aa":1}"#, r#"{"b":1}"#),
            (r#"{"a":1}"#, r#"{"a":2}"#),
            (r#"{"z":1}"#, r#"{"a":1,"b":1}"#),
            ("[null]", "[[]]"),
            ("1", "1.5"),
            ("-2", "-1"),
            ("\"a\"", "\"b\""),
            ("\"aa\"", "\"b\""),
            ("1e300", "1e301"),
            ("-1e301", "-1e300"),
            ("1", "1e300"),
            ("-1e300", "1"),
            ("0.1234567890123456789012345678901", "0.1234567890123456789012345679"),
        ];
        for (a, b) in less {
            if (a, b) == ("1", "[]") {
                // The empty array sorts below scalars.
                assert!(j(b) < j(a), "[] < 1");
                continue;
            }
            assert!(j(a) < j(b), "{a} < {b}");
            assert!(j(b) > j(a), "{b} > {a}");
        }
        let equal = [
            ("1.0", "1"),
            ("1e2", "100.00"),
            ("-0", "0"),
            (r#"{"a":1,"b":2}"#, r#"{"b":2.0,"a":1}"#),
            ("1e30", "1000000000000000000000000000000.0"),
        ];
        for (a, b) in equal {
            assert_eq!(j(a), j(b), "{a} = {b}");
            assert_eq!(hash_of(&j(a)), hash_of(&j(b)), "hash {a} = {b}");
        }
        assert_ne!(j("1"), j("\"1\""));
    }

    #[test]
    fn lookups() {
        let v = j(r#"{"a":[1,2,3],"b":{"c":"x"},"d":null}"#);
        assert_eq!(v.get("a").unwrap().to_string(), "[1, 2, 3]");
        assert!(v.get("zz").is_none());
        assert_eq!(v.path(&["a", "-1"]).unwrap().to_string(), "3");
        assert!(v.path(&["a", "x"]).is_none());
        assert_eq!(v.path(&["b", "c"]).unwrap().to_value(), Value::text("x"));
        assert_eq!(v.path(&[]).unwrap(), &v);
        assert_eq!(v.get("d").unwrap().to_value(), Value::Null);
        assert_eq!(j("[1,2,3]").index(-1).unwrap().to_string(), "3");
        assert!(j("[1,2,3]").index(-4).is_none());
        assert!(j("[1,2,3]").index(3).is_none());
        assert_eq!(j("[true]").index(0).unwrap().to_value(), Value::text("true"));
        // A top-level scalar acts as a one-element array for `->`, as in PostgreSQL.
        assert_eq!(j("true").index(0).unwrap().to_string(), "true");
        assert_eq!(j("true").index(-1).unwrap().to_string(), "true");
        assert!(j("true").index(1).is_none());
        assert!(j(r#"{"a":1}"#).index(0).is_none());
        assert!(j("true").path(&["0"]).is_none());
        assert_eq!(j("[1,2]").path(&[" 1"]).unwrap().to_string(), "2");
        assert_eq!(j("[1,2]").path(&["+1"]).unwrap().to_string(), "2");
        assert!(j("[1,2]").path(&["1 "]).is_none());
        assert_eq!(j("{}").to_pretty_string(), "{\n}");
        assert_eq!(j(r#"{"a":[]}"#).to_pretty_string(), "{\n    \"a\": [\n    ]\n}");
        assert_eq!(j(r#"[{"a":1}]"#).index(0).unwrap().to_value(), Value::text(r#"{"a": 1}"#));
        assert!(j(r#""foo""#).has_key("foo"));
        assert!(j(r#"["foo"]"#).has_key("foo"));
        assert!(v.has_key("d"));
        assert!(!j("[1]").has_key("1"));
        let types = [
            ("{}", "object"),
            ("[]", "array"),
            ("\"x\"", "string"),
            ("1", "number"),
            ("true", "boolean"),
            ("null", "null"),
        ];
        for (s, t) in types {
            assert_eq!(j(s).type_name(), t);
        }
    }

    #[test]
    fn containment_matches_postgres() {
        let cases = [
            ("[1,2]", "1", true),
            ("1", "[1]", false),
            (r#"{"a":{"b":1}}"#, r#"{"a":{}}"#, true),
            ("[1,[2,3]]", "[[3]]", true),
            ("[1,[2,3]]", "[3]", false),
            (r#"{"a":1,"b":2}"#, r#"{"a":1}"#, true),
            (r#"{"a":1}"#, r#"{"a":1,"b":2}"#, false),
            ("[1,2,3]", "[3,1,1]", true),
            ("[1,2]", "[]", true),
            (r#"{"a":[1,2]}"#, r#"{"a":[2]}"#, true),
            (r#"{"a":[1,2]}"#, r#"{"a":2}"#, false),
            ("1", "1.0", true),
            ("\"a\"", "\"a\"", true),
            ("[]", "{}", false),
            (r#"[{"a":1,"b":2}]"#, r#"[{"a":1}]"#, true),
        ];
        for (a, b, want) in cases {
            assert_eq!(j(a).contains(&j(b)), want, "{a} @> {b}");
        }
    }

    #[test]
    fn set_path_matches_postgres() {
        let cases: &[(&str, &[&str], &str, bool, &str)] = &[
            (r#"{"a":[1,2]}"#, &["a", "5"], "9", true, r#"{"a": [1, 2, 9]}"#),
            (r#"{"a":[1,2]}"#, &["a", "-5"], "9", true, r#"{"a": [9, 1, 2]}"#),
            (r#"{"a":[1,2]}"#, &["a", "-1"], "9", true, r#"{"a": [1, 9]}"#),
            (r#"{"a":[1,2]}"#, &["b", "c"], "9", true, r#"{"a": [1, 2]}"#),
            (r#"{"a":[1,2]}"#, &["b"], "9", false, r#"{"a": [1, 2]}"#),
            (r#"{"a":[1,2]}"#, &["b"], "9", true, r#"{"a": [1, 2], "b": 9}"#),
            ("[1,2]", &[], "9", true, "[1, 2]"),
            (r#"{"a":1}"#, &["a", "b"], "9", true, r#"{"a": 1}"#),
            (r#"{"a":{"b":1}}"#, &["a", "b"], "[1]", true, r#"{"a": {"b": [1]}}"#),
            ("[]", &["0"], "1", true, "[1]"),
            ("[]", &["3"], "1", false, "[]"),
        ];
        for (target, path, new, create, want) in cases {
            let got = j(target).set_path(path, j(new), *create).unwrap();
            assert_eq!(got.to_string(), *want, "jsonb_set({target}, {path:?}, {new})");
        }
        // An empty document is returned as is when nothing is created; otherwise a
        // bad array index is an error.
        assert_eq!(j("[]").set_path(&["c", "bb"], j("1"), false).unwrap().to_string(), "[]");
        assert!(j("[]").set_path(&["a"], j("9"), true).is_err());
        let e = j(r#"{"b": false, "1": []}"#).set_path(&["1", "x"], j("1.5"), false).unwrap_err();
        assert_eq!(e.message(), "path element at position 2 is not an integer: \"x\"");
        let e = j("1").set_path(&["a"], j("9"), true).unwrap_err();
        assert_eq!(e.message(), "cannot set path in scalar");
        let e = j("[1]").set_path(&["a"], j("9"), true).unwrap_err();
        assert_eq!(e.code(), SqlState::INVALID_TEXT_REPRESENTATION);
        assert_eq!(e.message(), "path element at position 1 is not an integer: \"a\"");
    }

    #[test]
    fn from_sql_values() {
        let tz = TimeZone::Utc;
        let cases: Vec<(Value, &str)> = vec![
            (Value::Float8(f64::NAN), "\"NaN\""),
            (Value::Float8(1.5), "1.5"),
            (Value::Float8(1e20), "100000000000000000000"),
            (Value::Float8(0.1), "0.1"),
            (Value::Int4(7), "7"),
            (Value::Bool(true), "true"),
            (Value::Null, "null"),
            (Value::text("a\"b"), "\"a\\\"b\""),
            (Value::Json(r#"{"b":1,"a":2}"#.into()), r#"{"a": 2, "b": 1}"#),
            (Value::Date(8796), "\"2024-01-31\""),
            (Value::Timestamp(760_021_445_500_000), "\"2024-01-31T13:04:05.5\""),
            (Value::TimestampTz(760_021_445_000_000), "\"2024-01-31T13:04:05+00:00\""),
            (Value::Timestamp(i64::MAX), "\"infinity\""),
            (Value::Bytea(vec![1u8].into()), "\"\\\\x01\""),
            (
                Value::Array(Arc::new(super::super::value::Array {
                    element_type: super::super::DataType::Int4,
                    items: vec![Value::Int4(1), Value::Null],
                })),
                "[1, null]",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(Jsonb::from_value(&v, &tz).unwrap().to_string(), want, "{v:?}");
        }
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            Jsonb::from_value(&Value::TimestampTz(760_021_445_000_000), &kolkata).unwrap().to_string(),
            "\"2024-01-31T18:34:05+05:30\""
        );
    }

    #[test]
    fn depth_is_limited() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        // Run on a small stack to check that every recursive operation fits.
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let v = Jsonb::parse(&ok).unwrap();
                let text = v.to_string();
                assert_eq!(text.len(), 2 * MAX_DEPTH);
                let w = v.clone();
                assert_eq!(v, w);
                assert_eq!(hash_of(&v), hash_of(&w));
                assert!(v.contains(&w));
                let _ = v.to_pretty_string();
                drop(v);
                let e = Jsonb::parse(&too_deep).unwrap_err();
                assert_eq!(e.code(), SqlState::STATEMENT_TOO_COMPLEX);
                assert!(validate_json(&too_deep).is_err());
                // Deep unclosed input is an error, not a crash.
                assert!(Jsonb::parse(&"[".repeat(100_000)).is_err());
            })
            .unwrap()
            .join()
            .unwrap();
    }
}

//! Text input and output of values: PostgreSQL's type input and output functions.
//!
//! Output ([`write_value`], [`format_value`]) is what PostgreSQL prints with
//! `DateStyle = ISO`, `IntervalStyle = postgres` and `extra_float_digits = 1`:
//! booleans as `t`/`f`, NUMERIC with its display scale, bytea in hex (`\x0102`),
//! timestamps with trailing fraction zeros trimmed, `timestamptz` in the given zone
//! with its offset, arrays as `{1,2,NULL,"a b"}`. [`write_value`] appends to a caller's
//! buffer: integers, text and the other fixed-size types are written directly, without
//! an intermediate `String`, because result encoding sits on the hot read path.
//!
//! Input ([`parse_value`]) follows the input functions, including their errors:
//! 22P02 `invalid input syntax for type integer: "abc"`, 22003 for out-of-range
//! numbers, 22001 `value too long for type character varying(3)`, 22007/22008 for
//! dates and times (see [`super::datetime_parse`]), `malformed array literal` with
//! PostgreSQL's detail messages.
//!
//! Design notes:
//! - `varchar(n)`/`char(n)` input is the *input function plus length coercion in an
//!   assignment context*: excess characters that are all spaces are cut silently,
//!   anything else is an error; `char(n)` pads with spaces.
//! - Arrays are one-dimensional: multidimensional literals (`{{1,2},{3,4}}`) and
//!   explicit bounds (`[1:2]={1,2}`) report 0A000.
//! - `unknown` input is kept as text, as PostgreSQL's `unknownin` does.

use super::datetime::{
    parse_date, parse_interval, parse_time, parse_timestamp, parse_timestamptz, write_date, write_interval, write_time,
    write_timestamp, write_timestamptz,
};
use super::json::{validate_json, Jsonb};
use super::numeric::{
    apply_typmod, parse_float4, parse_float8, parse_int, parse_numeric, write_float4, write_float8, write_numeric,
};
use super::{Array, DataType, TimeZone, Value};
use crate::error::{Error, Result, SqlState};
use std::fmt::Write as _;
use std::sync::Arc;

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a value as PostgreSQL's output function prints it. NULL appends nothing.
pub fn write_value(buf: &mut String, v: &Value, tz: &TimeZone) {
    match v {
        Value::Null => {}
        Value::Bool(b) => buf.push(if *b { 't' } else { 'f' }),
        Value::Int2(i) => {
            let _ = write!(buf, "{i}");
        }
        Value::Int4(i) => {
            let _ = write!(buf, "{i}");
        }
        Value::Int8(i) => {
            let _ = write!(buf, "{i}");
        }
        Value::Float4(f) => write_float4(buf, *f),
        Value::Float8(f) => write_float8(buf, *f),
        Value::Numeric(d) => write_numeric(buf, d),
        Value::Text(s) | Value::Json(s) => buf.push_str(s),
        Value::Bytea(b) => write_bytea(buf, b),
        Value::Date(d) => write_date(buf, *d),
        Value::Time(t) => write_time(buf, *t),
        Value::Timestamp(ts) => write_timestamp(buf, *ts),
        Value::TimestampTz(ts) => write_timestamptz(buf, *ts, tz),
        Value::Interval(iv) => write_interval(buf, iv),
        Value::Uuid(u) => write_uuid(buf, u),
        Value::Jsonb(j) => j.write_to(buf),
        Value::Array(a) => write_array(buf, a, tz),
    }
}

/// Formats a value as PostgreSQL's output function does (NULL gives `""`).
pub fn format_value(v: &Value, tz: &TimeZone) -> String {
    match v {
        Value::Text(s) | Value::Json(s) => s.to_string(),
        _ => {
            let mut s = String::new();
            write_value(&mut s, v, tz);
            s
        }
    }
}

/// Appends bytea in hex format: `\x` and two lowercase digits per byte.
pub fn write_bytea(buf: &mut String, b: &[u8]) {
    buf.reserve(2 + 2 * b.len());
    buf.push_str("\\x");
    for &byte in b {
        buf.push(HEX[(byte >> 4) as usize] as char);
        buf.push(HEX[(byte & 15) as usize] as char);
    }
}

/// Appends a UUID as lowercase `8-4-4-4-12` hex.
pub fn write_uuid(buf: &mut String, u: &[u8; 16]) {
    for (i, &byte) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            buf.push('-');
        }
        buf.push(HEX[(byte >> 4) as usize] as char);
        buf.push(HEX[(byte & 15) as usize] as char);
    }
}

fn array_isspace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Appends an array as `{...}`, quoting elements as PostgreSQL's `array_out` does.
pub fn write_array(buf: &mut String, a: &Array, tz: &TimeZone) {
    buf.push('{');
    let mut item = String::new();
    for (i, v) in a.items.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        if v.is_null() {
            buf.push_str("NULL");
            continue;
        }
        item.clear();
        write_value(&mut item, v, tz);
        let needs_quotes = item.is_empty()
            || item.eq_ignore_ascii_case("NULL")
            || item.chars().any(|c| matches!(c, '"' | '\\' | '{' | '}' | ',') || array_isspace(c));
        if needs_quotes {
            buf.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    buf.push('\\');
                }
                buf.push(c);
            }
            buf.push('"');
        } else {
            buf.push_str(&item);
        }
    }
    buf.push('}');
}

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/// Parses text as a value of the given type, as PostgreSQL's input function does
/// (including length and precision coercion to the type's modifier).
pub fn parse_value(s: &str, ty: &DataType, tz: &TimeZone) -> Result<Value> {
    Ok(match ty {
        DataType::Bool => Value::Bool(parse_bool(s)?),
        DataType::Int2 => Value::Int2(parse_int(s, i16::MIN as i64, i16::MAX as i64, "smallint")? as i16),
        DataType::Int4 => Value::Int4(parse_int(s, i32::MIN as i64, i32::MAX as i64, "integer")? as i32),
        DataType::Int8 => Value::Int8(parse_int(s, i64::MIN, i64::MAX, "bigint")?),
        DataType::Float4 => Value::Float4(parse_float4(s)?),
        DataType::Float8 => Value::Float8(parse_float8(s)?),
        DataType::Numeric(typmod) => {
            let d = parse_numeric(s)?;
            Value::Numeric(match typmod {
                Some(m) => apply_typmod(d, *m)?,
                None => d,
            })
        }
        DataType::Text | DataType::Unknown | DataType::Varchar(None) | DataType::Char(None) => Value::text(s),
        DataType::Varchar(Some(n)) => Value::Text(coerce_length(s, *n, false, true)?),
        DataType::Char(Some(n)) => Value::Text(coerce_length(s, *n, true, true)?),
        DataType::Bytea => Value::Bytea(parse_bytea(s)?.into()),
        DataType::Date => Value::Date(parse_date(s, tz)?),
        DataType::Time => Value::Time(parse_time(s, tz)?),
        DataType::Timestamp => Value::Timestamp(parse_timestamp(s, tz)?),
        DataType::TimestampTz => Value::TimestampTz(parse_timestamptz(s, tz)?),
        DataType::Interval => Value::Interval(parse_interval(s)?),
        DataType::Uuid => Value::Uuid(parse_uuid(s)?),
        DataType::Json => {
            validate_json(s)?;
            Value::Json(s.into())
        }
        DataType::Jsonb => Value::Jsonb(Arc::new(Jsonb::parse(s)?)),
        DataType::Array(elem) => Value::Array(Arc::new(parse_array(s, elem, tz)?)),
    })
}

/// Length coercion for `varchar(n)` (`pad = false`) and `char(n)` (`pad = true`).
/// In an assignment (`strict`), characters beyond `n` must all be spaces, else 22001;
/// otherwise (an explicit cast) the value is truncated. `char(n)` is padded to `n`.
pub fn coerce_length(s: &str, n: u32, pad: bool, strict: bool) -> Result<Arc<str>> {
    let n = n as usize;
    // Byte offset of the n-th character, if the string is longer than n characters.
    let cut = s.char_indices().nth(n).map(|(i, _)| i);
    match cut {
        Some(i) => {
            if strict && !s[i..].bytes().all(|b| b == b' ') {
                let type_name = if pad { format!("character({n})") } else { format!("character varying({n})") };
                return Err(Error::new(
                    SqlState::STRING_DATA_RIGHT_TRUNCATION,
                    format!("value too long for type {type_name}"),
                ));
            }
            Ok(s[..i].into())
        }
        None if pad => {
            let len = s.chars().count();
            if len == n {
                Ok(s.into())
            } else {
                let mut out = String::with_capacity(s.len() + n - len);
                out.push_str(s);
                out.extend(std::iter::repeat_n(' ', n - len));
                Ok(out.into())
            }
        }
        None => Ok(s.into()),
    }
}

/// `boolin`: `t`/`true`/`yes`/`on`/`1` and `f`/`false`/`no`/`off`/`0`, any unique
/// prefix, any case, surrounding whitespace ignored.
pub fn parse_bool(input: &str) -> Result<bool> {
    let s = super::numeric::trim_pg(input);
    let lower = s.to_ascii_lowercase();
    let prefix_of =
        |word: &str, min: usize| !lower.is_empty() && lower.len() >= min && word.starts_with(lower.as_str());
    let v = match lower.as_bytes().first() {
        Some(b't') if prefix_of("true", 1) => Some(true),
        Some(b'f') if prefix_of("false", 1) => Some(false),
        Some(b'y') if prefix_of("yes", 1) => Some(true),
        Some(b'n') if prefix_of("no", 1) => Some(false),
        Some(b'o') if prefix_of("on", 2) => Some(true),
        Some(b'o') if prefix_of("off", 2) => Some(false),
        Some(b'1') if lower.len() == 1 => Some(true),
        Some(b'0') if lower.len() == 1 => Some(false),
        _ => None,
    };
    v.ok_or_else(|| Error::invalid_text("boolean", input))
}

/// `byteain`: hex format (`\x0102`, whitespace allowed between bytes) or the escape
/// format (`\\` and `\ooo` octal escapes).
pub fn parse_bytea(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'\\' && b[1] == b'x' {
        let mut out = Vec::with_capacity((b.len() - 2) / 2);
        let mut i = 2;
        while i < b.len() {
            let c = b[i];
            if matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                i += 1;
                continue;
            }
            let hi = hex_digit(s, i)?;
            if i + 1 >= b.len() {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "invalid hexadecimal data: odd number of digits",
                ));
            }
            let lo = hex_digit(s, i + 1)?;
            out.push(hi << 4 | lo);
            i += 2;
        }
        return Ok(out);
    }
    let bad = || Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea");
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if i + 3 < b.len()
            && (b'0'..=b'3').contains(&b[i + 1])
            && (b'0'..=b'7').contains(&b[i + 2])
            && (b'0'..=b'7').contains(&b[i + 3])
        {
            out.push((b[i + 1] - b'0') << 6 | (b[i + 2] - b'0') << 3 | (b[i + 3] - b'0'));
            i += 4;
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}

fn hex_digit(s: &str, i: usize) -> Result<u8> {
    let c = s.as_bytes()[i];
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => {
            let ch = s.get(i..).and_then(|t| t.chars().next()).unwrap_or('?');
            Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid hexadecimal digit: \"{ch}\"")))
        }
    }
}

/// `uuid_in`: 32 hex digits, optionally in braces, with a hyphen allowed after any
/// group of four digits. No surrounding whitespace.
pub fn parse_uuid(s: &str) -> Result<[u8; 16]> {
    let bad = || Error::invalid_text("uuid", s);
    let b = s.as_bytes();
    let mut i = 0;
    let braces = b.first() == Some(&b'{');
    if braces {
        i += 1;
    }
    let mut out = [0u8; 16];
    for (k, byte) in out.iter_mut().enumerate() {
        let (Some(&h), Some(&l)) = (b.get(i), b.get(i + 1)) else {
            return Err(bad());
        };
        let (Some(h), Some(l)) = ((h as char).to_digit(16), (l as char).to_digit(16)) else {
            return Err(bad());
        };
        *byte = (h << 4 | l) as u8;
        i += 2;
        if b.get(i) == Some(&b'-') && k % 2 == 1 && k < 15 {
            i += 1;
        }
    }
    if braces {
        if b.get(i) != Some(&b'}') {
            return Err(bad());
        }
        i += 1;
    }
    if i != b.len() {
        return Err(bad());
    }
    Ok(out)
}

fn malformed(input: &str, detail: &str) -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("malformed array literal: \"{input}\""))
        .with_detail(detail.to_string())
}

/// `array_in` for one-dimensional arrays: `{1,2,NULL,"a b","x\"y"}`.
pub fn parse_array(s: &str, elem: &DataType, tz: &TimeZone) -> Result<Array> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && array_isspace(chars[*i]) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    // Explicit dimensions: `[1:3]={...}` or `[3]={...}`.
    let mut dims: Vec<(i64, i64)> = Vec::new();
    loop {
        skip_ws(&mut i);
        if chars.get(i) != Some(&'[') {
            break;
        }
        i += 1;
        let bound = |i: &mut usize| -> Option<i64> {
            let start = *i;
            while *i < chars.len() && (chars[*i].is_ascii_digit() || chars[*i] == '-' || chars[*i] == '+') {
                *i += 1;
            }
            if *i == start {
                return None;
            }
            // C atoi: an optional sign and the digits that follow it.
            let text: String = chars[start..*i].iter().collect();
            let (neg, digits) = match text.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, text.strip_prefix('+').unwrap_or(&text)),
            };
            let n: i64 = digits
                .chars()
                .take_while(char::is_ascii_digit)
                .fold(0i64, |a, c| a.saturating_mul(10).saturating_add(c as i64 - '0' as i64));
            Some(if neg { -n } else { n })
        };
        let Some(first) = bound(&mut i) else {
            return Err(malformed(s, "\"[\" must introduce explicitly-specified array dimensions."));
        };
        let (lower, upper) = if chars.get(i) == Some(&':') {
            i += 1;
            let Some(upper) = bound(&mut i) else {
                return Err(malformed(s, "Missing array dimension value."));
            };
            (first, upper)
        } else {
            (1, first)
        };
        if chars.get(i) != Some(&']') {
            return Err(malformed(s, "Missing \"]\" after array dimensions."));
        }
        i += 1;
        if upper < lower {
            return Err(Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound"));
        }
        dims.push((lower, upper));
    }
    if !dims.is_empty() {
        if chars.get(i) != Some(&'=') {
            return Err(malformed(s, "Missing \"=\" after array dimensions."));
        }
        i += 1;
        skip_ws(&mut i);
        if chars.get(i) != Some(&'{') {
            return Err(malformed(s, "Array contents must start with \"{\"."));
        }
    } else if chars.get(i) != Some(&'{') {
        return Err(malformed(s, "Array value must start with \"{\" or dimension information."));
    }
    // Validate the whole literal first, as PostgreSQL's ArrayCount does, so that a
    // structural error wins over a bad element. Errors inside the braces quote the
    // literal from its `{`.
    let body: String = chars[i..].iter().collect();
    let ndim = array_dimensions(&body, &chars[i..])?;
    if ndim > 1 || dims.len() > 1 {
        return Err(Error::unsupported("multidimensional arrays are not supported"));
    }
    if !dims.is_empty() && ndim != dims.len() {
        return Err(malformed(s, "Specified array dimensions do not match array contents."));
    }
    i += 1;
    let mut texts = Vec::new();
    let mut j = i;
    skip_ws(&mut j);
    if chars.get(j) != Some(&'}') {
        loop {
            let (item, delim, next) = read_array_element(&body, &chars, i)?;
            texts.push(item);
            i = next;
            if delim == '}' {
                break;
            }
        }
    }
    if let Some(&(lower, upper)) = dims.first() {
        if upper - lower + 1 != texts.len() as i64 {
            return Err(malformed(s, "Specified array dimensions do not match array contents."));
        }
        if lower != 1 {
            return Err(Error::unsupported("arrays with a lower bound other than 1 are not supported"));
        }
    }
    let items = texts
        .into_iter()
        .map(|t| match t {
            None => Ok(Value::Null),
            Some(text) => parse_value(&text, elem, tz),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Array { element_type: elem.clone(), items })
}

/// PostgreSQL's `ArrayCount`: checks the structure of an array literal starting at
/// its `{` (quotes, escapes, delimiters, braces, what may follow the closing brace)
/// and returns the number of dimensions (0 for `{}`).
fn array_dimensions(input: &str, chars: &[char]) -> Result<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        NoLevel,
        LevelStarted,
        ElemStarted,
        QuotedStarted,
        QuotedCompleted,
        ElemDelimited,
        LevelCompleted,
        LevelDelimited,
    }
    const MAXDIM: usize = 6;
    let mut state = P::NoLevel;
    let mut nest = 0usize;
    let mut ndim = 1usize;
    let mut in_quotes = false;
    let mut empty = true;
    let mut nelems = [1usize; MAXDIM];
    let mut nelems_last = [0usize; MAXDIM];
    let mut i = 0;
    let unexpected = |c: char| malformed(input, &format!("Unexpected \"{c}\" character."));
    loop {
        if matches!(state, P::ElemStarted | P::QuotedStarted) {
            empty = false;
        }
        let Some(&c) = chars.get(i) else {
            return Err(malformed(input, "Unexpected end of input."));
        };
        match c {
            '\\' => {
                if !matches!(state, P::LevelStarted | P::ElemStarted | P::QuotedStarted | P::ElemDelimited) {
                    return Err(unexpected('\\'));
                }
                if state != P::QuotedStarted {
                    state = P::ElemStarted;
                }
                if i + 1 >= chars.len() {
                    return Err(malformed(input, "Unexpected end of input."));
                }
                i += 1;
            }
            '"' => {
                if !matches!(state, P::LevelStarted | P::QuotedStarted | P::ElemDelimited) {
                    return Err(malformed(input, "Unexpected array element."));
                }
                in_quotes = !in_quotes;
                state = if in_quotes { P::QuotedStarted } else { P::QuotedCompleted };
            }
            '{' if !in_quotes => {
                if !matches!(state, P::NoLevel | P::LevelStarted | P::LevelDelimited) {
                    return Err(unexpected('{'));
                }
                state = P::LevelStarted;
                if nest >= MAXDIM {
                    return Err(Error::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        format!("number of array dimensions ({}) exceeds the maximum allowed ({MAXDIM})", nest + 1),
                    ));
                }
                nest += 1;
                ndim = ndim.max(nest);
            }
            '}' if !in_quotes => {
                if !(matches!(state, P::ElemStarted | P::QuotedCompleted | P::LevelCompleted)
                    || (nest == 1 && state == P::LevelStarted))
                {
                    return Err(unexpected('}'));
                }
                state = P::LevelCompleted;
                if nest == 0 {
                    return Err(malformed(input, "Unmatched \"}\" character."));
                }
                nest -= 1;
                if nelems_last[nest] != 0 && nelems[nest] != nelems_last[nest] {
                    return Err(malformed(
                        input,
                        "Multidimensional arrays must have sub-arrays with matching dimensions.",
                    ));
                }
                nelems_last[nest] = nelems[nest];
                nelems[nest] = 1;
                if nest == 0 {
                    i += 1;
                    break;
                }
            }
            ',' if !in_quotes => {
                if !matches!(state, P::ElemStarted | P::QuotedCompleted | P::LevelCompleted) {
                    return Err(unexpected(','));
                }
                state = if state == P::LevelCompleted { P::LevelDelimited } else { P::ElemDelimited };
                if nest > 0 {
                    nelems[nest - 1] += 1;
                }
            }
            c if !in_quotes && !array_isspace(c) => {
                if !matches!(state, P::LevelStarted | P::ElemStarted | P::ElemDelimited) {
                    return Err(malformed(input, "Unexpected array element."));
                }
                state = P::ElemStarted;
            }
            _ => {}
        }
        i += 1;
    }
    if chars[i..].iter().any(|c| !array_isspace(*c)) {
        return Err(malformed(input, "Junk after closing right brace."));
    }
    Ok(if empty { 0 } else { ndim })
}

/// Reads one array element starting at `i` (after `{` or `,`). Returns the element
/// text (`None` for an unquoted NULL), the delimiter that ended it (`,` or `}`) and
/// the position after the delimiter.
fn read_array_element(input: &str, chars: &[char], mut i: usize) -> Result<(Option<String>, char, usize)> {
    #[derive(PartialEq)]
    enum St {
        Start,
        Unquoted,
        InQuotes,
        QuotedDone,
    }
    let mut st = St::Start;
    let mut text = String::new();
    // Whether any character was quoted or escaped (such an element is never NULL),
    // and the text length that trailing-whitespace trimming must keep.
    let mut has_quoting = false;
    let mut keep = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(malformed(input, "Unexpected end of input."));
        };
        i += 1;
        match st {
            St::InQuotes => match c {
                '"' => st = St::QuotedDone,
                '\\' => {
                    let Some(&e) = chars.get(i) else {
                        return Err(malformed(input, "Unexpected end of input."));
                    };
                    i += 1;
                    text.push(e);
                }
                _ => text.push(c),
            },
            St::QuotedDone => match c {
                ',' | '}' => return Ok((Some(text), c, i)),
                c if array_isspace(c) => {}
                _ => return Err(malformed(input, "Unexpected array element.")),
            },
            St::Start | St::Unquoted => match c {
                '"' if st == St::Start => {
                    st = St::InQuotes;
                    has_quoting = true;
                }
                '"' => return Err(malformed(input, "Unexpected array element.")),
                '{' if st == St::Start => return Err(Error::unsupported("multidimensional arrays are not supported")),
                '{' => return Err(malformed(input, "Unexpected \"{\" character.")),
                '\\' => {
                    let Some(&e) = chars.get(i) else {
                        return Err(malformed(input, "Unexpected end of input."));
                    };
                    i += 1;
                    text.push(e);
                    has_quoting = true;
                    keep = text.len();
                    st = St::Unquoted;
                }
                ',' | '}' => {
                    if st == St::Start {
                        return Err(malformed(input, &format!("Unexpected \"{c}\" character.")));
                    }
                    let len = text.trim_end_matches(array_isspace).len().max(keep);
                    text.truncate(len);
                    if !has_quoting && text.eq_ignore_ascii_case("NULL") {
                        return Ok((None, c, i));
                    }
                    return Ok((Some(text), c, i));
                }
                c if array_isspace(c) && st == St::Start => {}
                _ => {
                    text.push(c);
                    st = St::Unquoted;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::NumericTypmod;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn utc() -> TimeZone {
        TimeZone::Utc
    }

    fn p(s: &str, ty: &DataType) -> Value {
        parse_value(s, ty, &utc()).unwrap_or_else(|e| panic!("{s} as {ty}: {e}"))
    }

    fn round(s: &str, ty: &DataType) -> String {
        format_value(&p(s, ty), &utc())
    }

    fn arr(elem: DataType, items: Vec<Value>) -> Value {
        Value::Array(Arc::new(Array { element_type: elem, items }))
    }

    #[test]
    fn output_matches_postgres() {
        let tz = utc();
        let cases: Vec<(Value, &str)> = vec![
            (Value::Bool(true), "t"),
            (Value::Bool(false), "f"),
            (Value::Int2(-5), "-5"),
            (Value::Int4(i32::MIN), "-2147483648"),
            (Value::Int8(i64::MAX), "9223372036854775807"),
            (Value::Float8(0.1), "0.1"),
            (Value::Float4(1e6), "1e+06"),
            (Value::Numeric(Decimal::from_str("2.50").unwrap()), "2.50"),
            (Value::text("a b"), "a b"),
            (Value::Bytea(vec![1u8, 2, 0xab].into()), "\\x0102ab"),
            (Value::Bytea(Vec::new().into()), "\\x"),
            (Value::Date(8796), "2024-01-31"),
            (
                Value::Uuid([
                    0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11,
                ]),
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            ),
            (Value::Json(r#"{"a" :1}"#.into()), r#"{"a" :1}"#),
            (Value::Null, ""),
            (arr(DataType::Int4, vec![Value::Int4(1), Value::Int4(2), Value::Null]), "{1,2,NULL}"),
            (
                arr(
                    DataType::Text,
                    ["1", "2", "a b", "", "NULL", "x\"y", "b\\c", " s ", "a,b", "{x}", "a\tb"]
                        .iter()
                        .map(|s| Value::text(*s))
                        .collect(),
                ),
                r#"{1,2,"a b","","NULL","x\"y","b\\c"," s ","a,b","{x}","a	b"}"#,
            ),
            (arr(DataType::Bool, vec![Value::Bool(true), Value::Bool(false)]), "{t,f}"),
            (arr(DataType::Timestamp, vec![p("2024-01-01 10:00", &DataType::Timestamp)]), r#"{"2024-01-01 10:00:00"}"#),
            (arr(DataType::Jsonb, vec![p(r#"{"a":1}"#, &DataType::Jsonb)]), r#"{"{\"a\": 1}"}"#),
            (arr(DataType::Bytea, vec![Value::Bytea(vec![1u8].into())]), r#"{"\\x01"}"#),
            (arr(DataType::Int4, vec![]), "{}"),
        ];
        for (v, want) in cases {
            assert_eq!(format_value(&v, &tz), want, "{v:?}");
        }
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        let ts = p("2024-01-31 13:04:05+00", &DataType::TimestampTz);
        assert_eq!(format_value(&ts, &kolkata), "2024-01-31 18:34:05+05:30");
        // write_value appends.
        let mut buf = String::from("x=");
        write_value(&mut buf, &Value::Int4(42), &tz);
        assert_eq!(buf, "x=42");
    }

    #[test]
    fn input_matches_postgres() {
        let cases: &[(&str, DataType, &str)] = &[
            (" 12 ", DataType::Int4, "12"),
            ("-32768", DataType::Int2, "-32768"),
            ("1.50", DataType::Numeric(None), "1.50"),
            ("1.555", DataType::Numeric(Some(NumericTypmod { precision: 5, scale: 2 })), "1.56"),
            ("1e3", DataType::Float8, "1000"),
            (" t", DataType::Bool, "t"),
            ("TRU", DataType::Bool, "t"),
            ("of", DataType::Bool, "f"),
            ("y", DataType::Bool, "t"),
            ("N", DataType::Bool, "f"),
            ("on", DataType::Bool, "t"),
            ("1", DataType::Bool, "t"),
            ("abc  ", DataType::Varchar(Some(3)), "abc"),
            ("ab", DataType::Char(Some(4)), "ab  "),
            ("abc  ", DataType::Char(Some(3)), "abc"),
            ("ab  ", DataType::Varchar(None), "ab  "),
            (r"ab\\c", DataType::Bytea, "\\x61625c63"),
            ("\\x 01 0a", DataType::Bytea, "\\x010a"),
            ("a\\001b", DataType::Bytea, "\\x610162"),
            ("\\x", DataType::Bytea, "\\x"),
            ("", DataType::Bytea, "\\x"),
            ("\\xABcd", DataType::Bytea, "\\xabcd"),
            ("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", DataType::Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            ("A0EEBC999C0B4EF8BB6D6BB9BD380A11", DataType::Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", DataType::Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            (r#" {"a" :1} "#, DataType::Json, r#" {"a" :1} "#),
            (r#"{"b":1,"a":[1, 2]}"#, DataType::Jsonb, r#"{"a": [1, 2], "b": 1}"#),
            ("whatever", DataType::Unknown, "whatever"),
            ("2024-01-31", DataType::Date, "2024-01-31"),
            ("13:04", DataType::Time, "13:04:00"),
            ("1 day", DataType::Interval, "1 day"),
            (
                r#"{1,2,NULL,"a b","","NULL","x\"y","b\\c", " s "}"#,
                DataType::Array(Box::new(DataType::Text)),
                r#"{1,2,NULL,"a b","","NULL","x\"y","b\\c"," s "}"#,
            ),
            (r#"{ a , b c ,"d" }"#, DataType::Array(Box::new(DataType::Text)), r#"{a,"b c",d}"#),
            ("{}", DataType::Array(Box::new(DataType::Int4)), "{}"),
            (" { } ", DataType::Array(Box::new(DataType::Int4)), "{}"),
            ("{null,NULL,Null}", DataType::Array(Box::new(DataType::Int4)), "{NULL,NULL,NULL}"),
            (r#"{\\x01}"#, DataType::Array(Box::new(DataType::Bytea)), r#"{"\\x01"}"#),
            (r#"{"a\\b"}"#, DataType::Array(Box::new(DataType::Text)), r#"{"a\\b"}"#),
            (r#"{a\,b}"#, DataType::Array(Box::new(DataType::Text)), r#"{"a,b"}"#),
            (r#"{ "a" , "b" }"#, DataType::Array(Box::new(DataType::Text)), "{a,b}"),
            (r#"{"2024-01-01 10:00"}"#, DataType::Array(Box::new(DataType::Timestamp)), r#"{"2024-01-01 10:00:00"}"#),
            (r#"{"abc  "}"#, DataType::Array(Box::new(DataType::Varchar(Some(3)))), "{abc}"),
        ];
        for (input, ty, want) in cases {
            assert_eq!(round(input, ty), *want, "{input} as {ty}");
        }
    }

    #[test]
    fn input_errors_match_postgres() {
        let cases: &[(&str, DataType, SqlState, &str)] = &[
            (
                "abc",
                DataType::Int4,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type integer: \"abc\"",
            ),
            (
                "99999999999",
                DataType::Int4,
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "value \"99999999999\" is out of range for type integer",
            ),
            (
                "40000",
                DataType::Int2,
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "value \"40000\" is out of range for type smallint",
            ),
            (
                "o",
                DataType::Bool,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type boolean: \"o\"",
            ),
            (
                "tr ue",
                DataType::Bool,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type boolean: \"tr ue\"",
            ),
            ("", DataType::Bool, SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type boolean: \"\""),
            (
                "truee",
                DataType::Bool,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type boolean: \"truee\"",
            ),
            (
                "abcd",
                DataType::Varchar(Some(3)),
                SqlState::STRING_DATA_RIGHT_TRUNCATION,
                "value too long for type character varying(3)",
            ),
            (
                "abcd",
                DataType::Char(Some(3)),
                SqlState::STRING_DATA_RIGHT_TRUNCATION,
                "value too long for type character(3)",
            ),
            ("\\x0g", DataType::Bytea, SqlState::INVALID_PARAMETER_VALUE, "invalid hexadecimal digit: \"g\""),
            (
                "\\x012",
                DataType::Bytea,
                SqlState::INVALID_PARAMETER_VALUE,
                "invalid hexadecimal data: odd number of digits",
            ),
            ("a\\9", DataType::Bytea, SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea"),
            ("a\\", DataType::Bytea, SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea"),
            (
                " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                DataType::Uuid,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type uuid: \" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"",
            ),
            (
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
                DataType::Uuid,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\"",
            ),
            (
                "a0eeb-c99",
                DataType::Uuid,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type uuid: \"a0eeb-c99\"",
            ),
            ("{x", DataType::Json, SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json"),
            (
                "1,2",
                DataType::Array(Box::new(DataType::Int4)),
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"1,2\"",
            ),
            (
                "{a}",
                DataType::Array(Box::new(DataType::Int4)),
                SqlState::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type integer: \"a\"",
            ),
            (
                "{{1,2},{3,4}}",
                DataType::Array(Box::new(DataType::Int4)),
                SqlState::FEATURE_NOT_SUPPORTED,
                "multidimensional arrays are not supported",
            ),
            ("abc", DataType::Date, SqlState::INVALID_DATETIME_FORMAT, "invalid input syntax for type date: \"abc\""),
        ];
        for (input, ty, code, msg) in cases {
            let e = parse_value(input, ty, &utc()).unwrap_err();
            assert_eq!(e.message(), *msg, "{input} as {ty}");
            assert_eq!(e.code(), *code, "{input} as {ty}");
        }
        let cases: &[(&str, SqlState, &str, Option<&str>)] = &[
            (
                "[0:1]={1,2}",
                SqlState::FEATURE_NOT_SUPPORTED,
                "arrays with a lower bound other than 1 are not supported",
                None,
            ),
            (
                "[1:2]={}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"[1:2]={}\"",
                Some("Specified array dimensions do not match array contents."),
            ),
            (
                "[1:2]={1,2,3}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"[1:2]={1,2,3}\"",
                Some("Specified array dimensions do not match array contents."),
            ),
            (
                "[1:2]x{1,2}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"[1:2]x{1,2}\"",
                Some("Missing \"=\" after array dimensions."),
            ),
            (
                "[a:2]={1,2}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"[a:2]={1,2}\"",
                Some("\"[\" must introduce explicitly-specified array dimensions."),
            ),
            ("[2:1]={1,2}", SqlState::ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound", None),
            (
                " {-2}x",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{-2}x\"",
                Some("Junk after closing right brace."),
            ),
            (
                "[1:2]={null, null}}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{null, null}}\"",
                Some("Junk after closing right brace."),
            ),
            (
                "{{}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{{}\"",
                Some("Unexpected \"}\" character."),
            ),
            (
                "{abc, \"a, \\,}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{abc, \"a, \\,}\"",
                Some("Unexpected end of input."),
            ),
            (
                "{3.5,abc}}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{3.5,abc}}\"",
                Some("Junk after closing right brace."),
            ),
            (
                "{1,3.5,a\"b}",
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed array literal: \"{1,3.5,a\"b}\"",
                Some("Unexpected array element."),
            ),
        ];
        for (input, code, msg, detail) in cases {
            let e = parse_value(input, &DataType::Array(Box::new(DataType::Int4)), &utc()).unwrap_err();
            assert_eq!(e.message(), *msg, "{input}");
            assert_eq!(e.code(), *code, "{input}");
            assert_eq!(e.detail(), *detail, "{input}");
        }
        assert_eq!(round("[1:2]={1,2}", &DataType::Array(Box::new(DataType::Int4))), "{1,2}");
        assert_eq!(round(" [2] = {1,2}", &DataType::Array(Box::new(DataType::Int4))), "{1,2}");
        let details = [
            ("1,2", "Array value must start with \"{\" or dimension information."),
            ("{1,2", "Unexpected end of input."),
            ("{1,2}x", "Junk after closing right brace."),
            ("{1,,2}", "Unexpected \",\" character."),
            ("{\"a}", "Unexpected end of input."),
            ("{ \"a\" b}", "Unexpected array element."),
            ("{", "Unexpected end of input."),
            ("{,}", "Unexpected \",\" character."),
        ];
        for (input, detail) in details {
            let e = parse_value(input, &DataType::Array(Box::new(DataType::Text)), &utc()).unwrap_err();
            assert_eq!(e.detail(), Some(detail), "{input}");
            assert_eq!(e.message(), format!("malformed array literal: \"{input}\""));
        }
    }
}

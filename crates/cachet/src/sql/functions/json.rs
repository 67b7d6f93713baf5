//! JSON functions and operators, for both `jsonb` (a parsed [`Jsonb`] tree) and
//! `json` (text, kept as written).
//!
//! `json` values keep their input text, so `->` on a `json` value returns the
//! element's text exactly as written (whitespace included) and duplicate keys stay;
//! [`JsonText`] is a small order-preserving parser over that text with byte spans.
//! Lookups in a `json` object with duplicate keys find the last one, as PostgreSQL.
//!
//! Building JSON from SQL values follows PostgreSQL's `datum_to_json`: numbers and
//! booleans as themselves (non-finite floats as strings), text as strings, `json`
//! verbatim, arrays as `[1,2]`, dates and timestamps in ISO 8601, everything else as
//! a string of its text output. The layouts of PostgreSQL's constructors are kept:
//! `json_build_object` writes `{"a" : 1, "b" : 2}`, `json_build_array` and `json_agg`
//! `[1, 2]`, `json_object_agg` `{ "a" : 1 }`.
//!
//! [`json_op`] evaluates the operators `->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`,
//! `?|`, `?&` and `||` on jsonb (and array containment), for the evaluator.

use super::args::{any_arg, boolean, err, invalid_param, is_text, text, text_array};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::sql::expr::BinOp;
use crate::types::json::{key_order, write_json_string, Jsonb};
use crate::types::{format_value, DataType, TimeZone, Value};
use std::sync::Arc;

use DataType as T;

fn invalid_json() -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json")
}

// ---------------------------------------------------------------------------
// json text, parsed with spans
// ---------------------------------------------------------------------------

/// A parsed `json` value that remembers its text.
#[derive(Debug)]
pub struct JsonText<'a> {
    /// The value's text, without surrounding whitespace.
    pub raw: &'a str,
    pub kind: JsonKind<'a>,
}

#[derive(Debug)]
pub enum JsonKind<'a> {
    Null,
    Bool,
    Number,
    String(String),
    Array(Vec<JsonText<'a>>),
    Object(Vec<(String, JsonText<'a>)>),
}

impl<'a> JsonText<'a> {
    /// Parses `json` text (already validated on input).
    pub fn parse(s: &'a str) -> Result<JsonText<'a>> {
        let mut p = TextParser { s, pos: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.pos != s.len() {
            return Err(invalid_json());
        }
        Ok(v)
    }

    fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool => "boolean",
            JsonKind::Number => "number",
            JsonKind::String(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }

    fn get(&self, key: &str) -> Option<&JsonText<'a>> {
        match &self.kind {
            JsonKind::Object(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn index(&self, i: i64) -> Option<&JsonText<'a>> {
        match &self.kind {
            JsonKind::Array(items) => {
                let i = if i < 0 { i + items.len() as i64 } else { i };
                usize::try_from(i).ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    fn path(&self, path: &[Option<&str>]) -> Option<&JsonText<'a>> {
        let mut cur = self;
        for step in path {
            let step = (*step)?;
            cur = match cur.kind {
                JsonKind::Object(_) => cur.get(step)?,
                JsonKind::Array(_) => cur.index(parse_index(step)?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The value as `->>` returns it: strings de-escaped, `null` as SQL NULL, the rest
    /// as written.
    fn to_text(&self) -> Value {
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::String(s) => Value::text(s.as_str()),
            _ => Value::text(self.raw),
        }
    }

    /// Writes the value compactly, dropping object fields whose value is null
    /// (`json_strip_nulls`).
    fn write_stripped(&self, buf: &mut String) {
        match &self.kind {
            JsonKind::String(s) => write_json_string(buf, s),
            JsonKind::Array(items) => {
                buf.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    v.write_stripped(buf);
                }
                buf.push(']');
            }
            JsonKind::Object(pairs) => {
                buf.push('{');
                let mut first = true;
                for (k, v) in pairs.iter().filter(|(_, v)| !matches!(v.kind, JsonKind::Null)) {
                    if !first {
                        buf.push(',');
                    }
                    first = false;
                    write_json_string(buf, k);
                    buf.push(':');
                    v.write_stripped(buf);
                }
                buf.push('}');
            }
            _ => buf.push_str(self.raw),
        }
    }
}

struct TextParser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> TextParser<'a> {
    fn ws(&mut self) {
        let b = self.s.as_bytes();
        while self.pos < b.len() && matches!(b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<JsonText<'a>> {
        if depth > crate::types::json::MAX_DEPTH {
            return Err(Error::new(SqlState::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded"));
        }
        self.ws();
        let start = self.pos;
        let kind = match self.peek().ok_or_else(invalid_json)? {
            b'{' => {
                self.pos += 1;
                let mut pairs = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return Err(invalid_json());
                        }
                        let key = self.string()?;
                        self.ws();
                        if self.peek() != Some(b':') {
                            return Err(invalid_json());
                        }
                        self.pos += 1;
                        let v = self.value(depth + 1)?;
                        pairs.push((key, v));
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(invalid_json()),
                        }
                    }
                }
                JsonKind::Object(pairs)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(invalid_json()),
                        }
                    }
                }
                JsonKind::Array(items)
            }
            b'"' => JsonKind::String(self.string()?),
            _ => {
                let b = self.s.as_bytes();
                while self.pos < b.len() && !matches!(b[self.pos], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    "null" => JsonKind::Null,
                    "true" | "false" => JsonKind::Bool,
                    "" => return Err(invalid_json()),
                    _ => JsonKind::Number,
                }
            }
        };
        Ok(JsonText { raw: &self.s[start..self.pos], kind })
    }

    /// Reads a string token, de-escaping it.
    fn string(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.s[self.pos..];
            let Some(i) = rest.find(['"', '\\']) else {
                return Err(invalid_json());
            };
            out.push_str(&rest[..i]);
            self.pos += i;
            if rest.as_bytes()[i] == b'"' {
                self.pos += 1;
                return Ok(out);
            }
            let esc = self.s.as_bytes().get(self.pos + 1).copied().ok_or_else(invalid_json)?;
            self.pos += 2;
            match esc {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        if self.s[self.pos..].starts_with("\\u") {
                            self.pos += 2;
                            let lo = self.hex4()?;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF))
                        } else {
                            None
                        }
                    } else if hi == 0 {
                        return Err(Error::new(
                            SqlState::UNTRANSLATABLE_CHARACTER,
                            "unsupported Unicode escape sequence",
                        )
                        .with_detail("\\u0000 cannot be converted to text."));
                    } else {
                        char::from_u32(hi)
                    };
                    out.push(c.ok_or_else(invalid_json)?);
                }
                _ => return Err(invalid_json()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self.s.get(self.pos..self.pos + 4).ok_or_else(invalid_json)?;
        let v = u32::from_str_radix(h, 16).map_err(|_| invalid_json())?;
        self.pos += 4;
        Ok(v)
    }
}

/// Parses an array index path element as PostgreSQL's `strtoint` would.
fn parse_index(s: &str) -> Option<i64> {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let v: i64 = t.parse().ok()?;
    i32::try_from(v).ok().map(|v| v as i64)
}

// ---------------------------------------------------------------------------
// SQL values to JSON
// ---------------------------------------------------------------------------

/// Appends a SQL value as JSON text, as PostgreSQL's `datum_to_json` does.
pub fn write_json(buf: &mut String, v: &Value, tz: &TimeZone) -> Result<()> {
    match v {
        Value::Null => buf.push_str("null"),
        Value::Bool(b) => buf.push_str(if *b { "true" } else { "false" }),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) => crate::types::write_value(buf, v, tz),
        Value::Float4(_) | Value::Float8(_) => {
            let s = format_value(v, tz);
            if v.as_f64().is_some_and(f64::is_finite) {
                buf.push_str(&s);
            } else {
                write_json_string(buf, &s);
            }
        }
        Value::Text(s) => write_json_string(buf, s),
        Value::Json(s) => buf.push_str(s),
        Value::Jsonb(j) => j.write_to(buf),
        Value::Array(a) => {
            buf.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                write_json(buf, item, tz)?;
            }
            buf.push(']');
        }
        other => Jsonb::from_value(other, tz)?.write_to(buf),
    }
    Ok(())
}

fn json_text(v: &Value, tz: &TimeZone) -> Result<String> {
    let mut s = String::new();
    write_json(&mut s, v, tz)?;
    Ok(s)
}

fn non_scalar_key() -> Error {
    invalid_param("key value must be scalar, not array, composite, or json")
}

/// The object key a scalar SQL value gives (`true`, `1.50`, `2020-01-01T10:00:00`).
fn json_key(v: &Value, tz: &TimeZone) -> Result<String> {
    Ok(match v {
        Value::Text(s) => s.to_string(),
        Value::Array(_) | Value::Json(_) | Value::Jsonb(_) => return Err(non_scalar_key()),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) | Value::Float4(_) | Value::Float8(_) => {
            format_value(v, tz)
        }
        Value::Bool(b) => (if *b { "true" } else { "false" }).to_string(),
        other => match Jsonb::from_value(other, tz)? {
            Jsonb::String(s) => s,
            j => j.to_string(),
        },
    })
}

fn jsonb_of(v: &Value, tz: &TimeZone) -> Result<Jsonb> {
    Jsonb::from_value(v, tz)
}

fn jsonb_value(j: Jsonb) -> Value {
    Value::Jsonb(Arc::new(j))
}

fn r_any_to(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [t] => Sig::new(vec![any_arg(t)], ret),
        _ => None,
    }
}

fn r_variadic_any(args: &[DataType], ret: DataType) -> Option<Sig> {
    Sig::new(args.iter().map(any_arg).collect(), ret)
}

fn e_to_json(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::Json(json_text(&a[0], ctx.tz)?.into()))
}

fn e_to_jsonb(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(jsonb_value(jsonb_of(&a[0], ctx.tz)?))
}

fn check_pairs(a: &[Value], func: &str) -> Result<()> {
    if !a.len().is_multiple_of(2) {
        return Err(invalid_param("argument list must have even number of elements")
            .with_hint(format!("The arguments of {func}() must consist of alternating keys and values.")));
    }
    Ok(())
}

fn e_json_build_object(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    check_pairs(a, "json_build_object")?;
    let mut s = String::from("{");
    for (i, pair) in a.chunks(2).enumerate() {
        if pair[0].is_null() {
            return Err(invalid_param(format!("argument {} cannot be null", 2 * i + 1))
                .with_hint("Object keys should be text."));
        }
        if i > 0 {
            s.push_str(", ");
        }
        write_json_string(&mut s, &json_key(&pair[0], ctx.tz)?);
        s.push_str(" : ");
        write_json(&mut s, &pair[1], ctx.tz)?;
    }
    s.push('}');
    Ok(Value::Json(s.into()))
}

fn e_jsonb_build_object(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    check_pairs(a, "jsonb_build_object")?;
    let mut pairs = Vec::with_capacity(a.len() / 2);
    for (i, pair) in a.chunks(2).enumerate() {
        if pair[0].is_null() {
            return Err(invalid_param(format!("argument {}: key must not be null", 2 * i + 1)));
        }
        pairs.push((json_key(&pair[0], ctx.tz)?, jsonb_of(&pair[1], ctx.tz)?));
    }
    Ok(jsonb_value(Jsonb::object(pairs)))
}

fn e_json_build_array(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let mut s = String::from("[");
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        write_json(&mut s, v, ctx.tz)?;
    }
    s.push(']');
    Ok(Value::Json(s.into()))
}

fn e_jsonb_build_array(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(jsonb_value(Jsonb::Array(a.iter().map(|v| jsonb_of(v, ctx.tz)).collect::<Result<_>>()?)))
}

// ---------------------------------------------------------------------------
// Inspecting and updating
// ---------------------------------------------------------------------------

fn jsonb_arg(v: &Value) -> Result<&Jsonb> {
    match v {
        Value::Jsonb(j) => Ok(j),
        v => Err(Error::internal(format!("expected jsonb, got {v:?}"))),
    }
}

fn r_jsonb(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [T::Jsonb | T::Unknown] => Sig::new(vec![T::Jsonb], ret),
        _ => None,
    }
}

fn r_json(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [T::Json | T::Unknown] => Sig::new(vec![T::Json], ret),
        _ => None,
    }
}

fn e_jsonb_typeof(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(jsonb_arg(&a[0])?.type_name()))
}

fn e_json_typeof(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(JsonText::parse(text(&a[0]))?.type_name()))
}

fn array_length_error(scalar: bool) -> Error {
    invalid_param(if scalar { "cannot get array length of a scalar" } else { "cannot get array length of a non-array" })
}

fn e_jsonb_array_length(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    match jsonb_arg(&a[0])? {
        Jsonb::Array(items) => Ok(Value::Int4(items.len() as i32)),
        j => Err(array_length_error(j.is_scalar())),
    }
}

fn e_json_array_length(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let j = JsonText::parse(text(&a[0]))?;
    match j.kind {
        JsonKind::Array(items) => Ok(Value::Int4(items.len() as i32)),
        JsonKind::Object(_) => Err(array_length_error(false)),
        _ => Err(array_length_error(true)),
    }
}

fn e_jsonb_pretty(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(jsonb_arg(&a[0])?.to_pretty_string()))
}

fn strip_nulls(j: &Jsonb) -> Jsonb {
    match j {
        Jsonb::Object(pairs) => Jsonb::Object(
            pairs.iter().filter(|(_, v)| !matches!(v, Jsonb::Null)).map(|(k, v)| (k.clone(), strip_nulls(v))).collect(),
        ),
        Jsonb::Array(items) => Jsonb::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

fn e_jsonb_strip_nulls(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(jsonb_value(strip_nulls(jsonb_arg(&a[0])?)))
}

fn e_json_strip_nulls(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let j = JsonText::parse(text(&a[0]))?;
    let mut s = String::new();
    j.write_stripped(&mut s);
    Ok(Value::Json(s.into()))
}

/// The elements of a `text[]` path (NULL elements as `None`).
fn path_arg(v: &Value) -> Vec<Option<&str>> {
    match v {
        Value::Array(a) => a.items.iter().map(|x| x.as_str()).collect(),
        _ => vec![],
    }
}

/// The path of `jsonb_set`/`jsonb_insert`: NULL elements are an error.
fn update_path(v: &Value) -> Result<Vec<&str>> {
    path_arg(v)
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.ok_or_else(|| {
                err(SqlState::NULL_VALUE_NOT_ALLOWED, format!("path element at position {} is null", i + 1))
            })
        })
        .collect()
}

fn e_jsonb_set(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let target = jsonb_arg(&a[0])?;
    let path = update_path(&a[1])?;
    let new = jsonb_arg(&a[2])?.clone();
    let create = a.get(3).is_none_or(boolean);
    Ok(jsonb_value(target.set_path(&path, new, create)?))
}

fn not_integer(level: usize, step: &str) -> Error {
    Error::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("path element at position {} is not an integer: \"{step}\"", level + 1),
    )
}

fn insert_path(cur: &mut Jsonb, path: &[&str], level: usize, new: &Jsonb, after: bool) -> Result<()> {
    let last = level + 1 == path.len();
    let step = path[level];
    match cur {
        Jsonb::Object(pairs) => match pairs.binary_search_by(|(k, _)| key_order(k, step)) {
            Ok(i) => {
                if last {
                    return Err(invalid_param("cannot replace existing key")
                        .with_hint("Try using the function jsonb_set to replace key value."));
                }
                insert_path(&mut pairs[i].1, path, level + 1, new, after)?;
            }
            Err(i) => {
                if last {
                    pairs.insert(i, (step.to_string(), new.clone()));
                }
            }
        },
        Jsonb::Array(items) => {
            let idx = parse_index(step).filter(|_| !step.is_empty()).ok_or_else(|| not_integer(level, step))?;
            let n = items.len() as i64;
            let idx = if idx < 0 { idx + n } else { idx };
            if last {
                let pos = if idx < 0 {
                    0
                } else if idx >= n {
                    n
                } else {
                    idx + after as i64
                };
                items.insert(pos as usize, new.clone());
            } else if (0..n).contains(&idx) {
                insert_path(&mut items[idx as usize], path, level + 1, new, after)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn e_jsonb_insert(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let target = jsonb_arg(&a[0])?;
    let path = update_path(&a[1])?;
    let new = jsonb_arg(&a[2])?;
    let after = a.get(3).is_some_and(boolean);
    if target.is_scalar() {
        return Err(invalid_param("cannot set path in scalar"));
    }
    let mut out = target.clone();
    if !path.is_empty() {
        insert_path(&mut out, &path, 0, new, after)?;
    }
    Ok(jsonb_value(out))
}

fn r_jsonb_set(args: &[DataType]) -> Option<Sig> {
    let params = [T::Jsonb, text_array(), T::Jsonb, T::Bool];
    if !(3..=4).contains(&args.len()) {
        return None;
    }
    super::args::exact(args, &params[..args.len()], T::Jsonb)
}

/// `f(json|jsonb, VARIADIC text)`.
fn r_extract_path(args: &[DataType], base: DataType, ret: DataType) -> Option<Sig> {
    let (first, rest) = args.split_first()?;
    if !(first == &base || *first == T::Unknown) || !rest.iter().all(is_text) {
        return None;
    }
    let mut v = vec![base];
    v.extend(rest.iter().map(|_| T::Text));
    Sig::new(v, ret)
}

fn e_jsonb_extract_path(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    if a[1..].iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let path: Vec<&str> = a[1..].iter().map(text).collect();
    let j = jsonb_arg(&a[0])?;
    Ok(match j.path(&path) {
        None => Value::Null,
        Some(v) if *ret == T::Text => v.to_value(),
        Some(v) => jsonb_value(v.clone()),
    })
}

fn e_json_extract_path(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let path: Vec<Option<&str>> = a[1..].iter().map(|v| v.as_str()).collect();
    let j = JsonText::parse(text(&a[0]))?;
    Ok(match j.path(&path) {
        None => Value::Null,
        Some(v) if *ret == T::Text => v.to_text(),
        Some(v) => Value::Json(v.raw.into()),
    })
}

// ---------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------

/// `a @> b` on arrays: every element of `b` equals some element of `a`; NULL
/// elements match nothing.
fn array_contains(a: &[Value], b: &[Value]) -> bool {
    b.iter().all(|x| !x.is_null() && a.iter().any(|y| !y.is_null() && y == x))
}

/// `jsonb || jsonb`, as PostgreSQL's `jsonb_concat`.
fn jsonb_concat(l: &Jsonb, r: &Jsonb) -> Jsonb {
    match (l, r) {
        (Jsonb::Object(a), Jsonb::Object(b)) => {
            let mut pairs = a.clone();
            pairs.extend(b.iter().cloned());
            Jsonb::object(pairs)
        }
        (Jsonb::Array(a), Jsonb::Array(b)) => Jsonb::Array(a.iter().chain(b).cloned().collect()),
        (Jsonb::Array(a), x) => Jsonb::Array(a.iter().cloned().chain([x.clone()]).collect()),
        (x, Jsonb::Array(b)) => Jsonb::Array([x.clone()].into_iter().chain(b.iter().cloned()).collect()),
        (x, y) => Jsonb::Array(vec![x.clone(), y.clone()]),
    }
}

/// Evaluates a JSON operator (and array containment) on two non-coerced values of
/// the types `sql::typing::resolve_binary` chose: `->`/`->>` with an int4 index or
/// a text key, `#>`/`#>>` with a `text[]` path (on json and jsonb), `@>`/`<@`,
/// `?`, `?|`, `?&` and `||` on jsonb, and `@>`/`<@` on arrays. NULL operands give
/// NULL.
pub fn json_op(op: BinOp, l: Value, r: Value) -> Result<Value> {
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Array(a), Value::Array(b)) = (&l, &r) {
        return match op {
            BinOp::Contains => Ok(Value::Bool(array_contains(&a.items, &b.items))),
            BinOp::ContainedBy => Ok(Value::Bool(array_contains(&b.items, &a.items))),
            _ => Err(bad_operator(op, &l, &r)),
        };
    }
    if let Value::Json(s) = &l {
        let j = JsonText::parse(s)?;
        let found = match (op, &r) {
            (BinOp::JsonGet | BinOp::JsonGetText, Value::Text(k)) => j.get(k),
            (BinOp::JsonGet | BinOp::JsonGetText, idx) if idx.as_i64().is_some() => j.index(idx.as_i64().unwrap_or(0)),
            (BinOp::JsonPath | BinOp::JsonPathText, path) => j.path(&path_arg(path)),
            _ => return Err(bad_operator(op, &l, &r)),
        };
        return Ok(match (found, op) {
            (None, _) => Value::Null,
            (Some(v), BinOp::JsonGet | BinOp::JsonPath) => Value::Json(v.raw.into()),
            (Some(v), _) => v.to_text(),
        });
    }
    let Value::Jsonb(j) = &l else {
        return Err(bad_operator(op, &l, &r));
    };
    Ok(match (op, &r) {
        (BinOp::JsonGet | BinOp::JsonGetText, r) => {
            let found = match r {
                Value::Text(k) => j.get(k),
                idx => match idx.as_i64() {
                    Some(i) => j.index(i),
                    None => return Err(bad_operator(op, &l, &r.clone())),
                },
            };
            match (found, op) {
                (None, _) => Value::Null,
                (Some(v), BinOp::JsonGet) => jsonb_value(v.clone()),
                (Some(v), _) => v.to_value(),
            }
        }
        (BinOp::JsonPath | BinOp::JsonPathText, path) => {
            let path = path_arg(path);
            let Some(path) = path.into_iter().collect::<Option<Vec<&str>>>() else {
                return Ok(Value::Null);
            };
            match (j.path(&path), op) {
                (None, _) => Value::Null,
                (Some(v), BinOp::JsonPath) => jsonb_value(v.clone()),
                (Some(v), _) => v.to_value(),
            }
        }
        (BinOp::Contains, Value::Jsonb(r)) => Value::Bool(j.contains(r)),
        (BinOp::ContainedBy, Value::Jsonb(r)) => Value::Bool(r.contains(j)),
        (BinOp::HasKey, Value::Text(k)) => Value::Bool(j.has_key(k)),
        (BinOp::HasAnyKey, keys) => Value::Bool(path_arg(keys).into_iter().flatten().any(|k| j.has_key(k))),
        (BinOp::HasAllKeys, keys) => Value::Bool(path_arg(keys).into_iter().flatten().all(|k| j.has_key(k))),
        (BinOp::Concat, Value::Jsonb(r)) => jsonb_value(jsonb_concat(j, r)),
        _ => return Err(bad_operator(op, &l, &r)),
    })
}

fn bad_operator(op: BinOp, l: &Value, r: &Value) -> Error {
    Error::new(
        SqlState::UNDEFINED_FUNCTION,
        format!("operator does not exist: {} {} {}", l.data_type(), op.symbol(), r.data_type()),
    )
}

// ---------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------

/// `json_agg`: `[a, b, c]`.
pub fn json_agg(items: &[Value], tz: &TimeZone) -> Result<Value> {
    let mut s = String::from("[");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        write_json(&mut s, v, tz)?;
    }
    s.push(']');
    Ok(Value::Json(s.into()))
}

/// `jsonb_agg`.
pub fn jsonb_agg(items: &[Value], tz: &TimeZone) -> Result<Value> {
    Ok(jsonb_value(Jsonb::Array(items.iter().map(|v| jsonb_of(v, tz)).collect::<Result<_>>()?)))
}

fn null_field_name() -> Error {
    invalid_param("field name must not be null")
}

/// `json_object_agg`: `{ "k" : v, ... }`, keeping duplicate keys.
pub fn json_object_agg(pairs: &[(Value, Value)], tz: &TimeZone) -> Result<Value> {
    let mut s = String::from("{ ");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if k.is_null() {
            return Err(null_field_name());
        }
        if i > 0 {
            s.push_str(", ");
        }
        write_json_string(&mut s, &json_key(k, tz)?);
        s.push_str(" : ");
        write_json(&mut s, v, tz)?;
    }
    s.push_str(" }");
    Ok(Value::Json(s.into()))
}

/// `jsonb_object_agg`: the last value of a duplicate key wins.
pub fn jsonb_object_agg(pairs: &[(Value, Value)], tz: &TimeZone) -> Result<Value> {
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        if k.is_null() {
            return Err(null_field_name());
        }
        out.push((json_key(k, tz)?, jsonb_of(v, tz)?));
    }
    Ok(jsonb_value(Jsonb::object(out)))
}

pub static FUNCS: &[Func] = &[
    Func::new("to_json", |a| r_any_to(a, T::Json), e_to_json).stable(),
    Func::new("to_jsonb", |a| r_any_to(a, T::Jsonb), e_to_jsonb).stable(),
    Func::new("json_build_object", |a| r_variadic_any(a, T::Json), e_json_build_object).lenient().stable(),
    Func::new("jsonb_build_object", |a| r_variadic_any(a, T::Jsonb), e_jsonb_build_object).lenient().stable(),
    Func::new("json_build_array", |a| r_variadic_any(a, T::Json), e_json_build_array).lenient().stable(),
    Func::new("jsonb_build_array", |a| r_variadic_any(a, T::Jsonb), e_jsonb_build_array).lenient().stable(),
    Func::new("jsonb_typeof", |a| r_jsonb(a, T::Text), e_jsonb_typeof),
    Func::new("json_typeof", |a| r_json(a, T::Text), e_json_typeof),
    Func::new("jsonb_array_length", |a| r_jsonb(a, T::Int4), e_jsonb_array_length),
    Func::new("json_array_length", |a| r_json(a, T::Int4), e_json_array_length),
    Func::new("jsonb_pretty", |a| r_jsonb(a, T::Text), e_jsonb_pretty),
    Func::new("jsonb_strip_nulls", |a| r_jsonb(a, T::Jsonb), e_jsonb_strip_nulls),
    Func::new("json_strip_nulls", |a| r_json(a, T::Json), e_json_strip_nulls),
    Func::new("jsonb_set", r_jsonb_set, e_jsonb_set),
    Func::new("jsonb_insert", r_jsonb_set, e_jsonb_insert),
    Func::new("jsonb_extract_path", |a| r_extract_path(a, T::Jsonb, T::Jsonb), e_jsonb_extract_path),
    Func::new("jsonb_extract_path_text", |a| r_extract_path(a, T::Jsonb, T::Text), e_jsonb_extract_path),
    Func::new("json_extract_path", |a| r_extract_path(a, T::Json, T::Json), e_json_extract_path),
    Func::new("json_extract_path_text", |a| r_extract_path(a, T::Json, T::Text), e_json_extract_path),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Array;

    fn jb(s: &str) -> Value {
        jsonb_value(Jsonb::parse(s).unwrap())
    }

    fn path(items: &[&str]) -> Value {
        let items = items.iter().map(|s| Value::text(*s)).collect();
        Value::Array(Arc::new(Array { element_type: T::Text, items }))
    }

    #[test]
    fn json_text_keeps_layout() {
        let j = JsonText::parse(r#" {"a": [1,  2], "a": {"b" : "x\ny"}} "#).unwrap();
        assert_eq!(j.get("a").unwrap().raw, r#"{"b" : "x\ny"}"#);
        assert_eq!(j.path(&[Some("a"), Some("b")]).unwrap().to_text(), Value::text("x\ny"));
        let mut s = String::new();
        JsonText::parse(r#"{"a": 1, "b": null, "c": [null, {"d": null, "e" : "x"}]}"#).unwrap().write_stripped(&mut s);
        assert_eq!(s, r#"{"a":1,"c":[null,{"e":"x"}]}"#);
        assert!(JsonText::parse("[1,").is_err());
    }

    #[test]
    fn operators() {
        let doc = jb(r#"{"a": {"b": [10, 20]}, "k": null}"#);
        assert_eq!(json_op(BinOp::JsonGet, doc.clone(), Value::text("a")).unwrap(), jb(r#"{"b": [10, 20]}"#));
        assert_eq!(json_op(BinOp::JsonPathText, doc.clone(), path(&["a", "b", "-1"])).unwrap(), Value::text("20"));
        assert_eq!(json_op(BinOp::JsonGetText, doc.clone(), Value::text("k")).unwrap(), Value::Null);
        assert_eq!(json_op(BinOp::HasAnyKey, doc.clone(), path(&["x", "k"])).unwrap(), Value::Bool(true));
        assert_eq!(json_op(BinOp::HasAllKeys, doc.clone(), path(&["x", "k"])).unwrap(), Value::Bool(false));
        let j = Value::Json(r#"[1, {"x": [1,  2]}]"#.into());
        assert_eq!(
            json_op(BinOp::JsonGet, j.clone(), Value::Int4(-1)).unwrap(),
            Value::Json(r#"{"x": [1,  2]}"#.into())
        );
        assert_eq!(json_op(BinOp::JsonPath, j, path(&["1", "x"])).unwrap(), Value::Json("[1,  2]".into()));
        assert_eq!(json_op(BinOp::Concat, jb("[1]"), jb(r#"{"a":1}"#)).unwrap(), jb(r#"[1, {"a": 1}]"#));
        assert_eq!(json_op(BinOp::Concat, jb(r#"{"a":1,"b":2}"#), jb(r#"{"a":3}"#)).unwrap(), jb(r#"{"a":3,"b":2}"#));
    }

    #[test]
    fn insert() {
        let mut j = Jsonb::parse(r#"{"a": [1, 2]}"#).unwrap();
        insert_path(&mut j, &["a", "-1"], 0, &Jsonb::parse("9").unwrap(), false).unwrap();
        assert_eq!(j.to_string(), r#"{"a": [1, 9, 2]}"#);
        assert!(insert_path(&mut j, &["a"], 0, &Jsonb::Null, false).is_err());
    }
}

//! String functions: lengths, case, substrings, trimming, padding, splitting,
//! quoting, `format`, `encode`/`decode` and friends, with PostgreSQL's semantics in a
//! UTF-8 database (lengths and positions count characters, not bytes).
//!
//! Case mapping is per character, as PostgreSQL's `towlower`/`towupper` under a
//! `C.UTF-8` locale: a character whose Unicode mapping expands to several characters
//! (`ß` to `SS`) is kept as is.

use super::args::{any_arg, err, exact, int, invalid_param, is_text, text, text_array};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::types::{format_value, Array, DataType, Value};
use std::sync::Arc;

use DataType as T;

const SUBSTRING_ERROR: SqlState = SqlState("22011");

/// The largest string a function may build, PostgreSQL's 1 GB allocation limit.
const MAX_ALLOC: usize = (1 << 30) - 1;

fn too_large() -> Error {
    err(SqlState::PROGRAM_LIMIT_EXCEEDED, "requested length too large")
}

fn r_text(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Text], T::Text)
}

fn r_text_int_text(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Text, T::Int4], T::Text)
}

fn r_len(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::Bytea] => Sig::new(vec![T::Bytea], T::Int4),
        _ => exact(args, &[T::Text], T::Int4),
    }
}

/// `octet_length`/`bit_length`: a `char(n)` value counts its padding, as PostgreSQL's
/// `bpcharoctetlen`.
fn r_octets(args: &[DataType]) -> Option<Sig> {
    match args {
        [t @ T::Char(_)] => Sig::new(vec![t.clone()], T::Int4),
        _ => r_len(args),
    }
}

fn r_text_len(args: &[DataType]) -> Option<Sig> {
    exact(args, &[T::Text], T::Int4)
}

fn r_variadic_any(args: &[DataType], min: usize, ret: DataType) -> Option<Sig> {
    if args.len() < min {
        return None;
    }
    Sig::new(args.iter().map(any_arg).collect(), ret)
}

fn chars_len(s: &str) -> i64 {
    s.chars().count() as i64
}

/// The byte offset of character `n` (0-based), or the length when past the end.
fn char_offset(s: &str, n: i64) -> usize {
    if n <= 0 {
        return 0;
    }
    s.char_indices().nth(n as usize).map_or(s.len(), |(i, _)| i)
}

/// PostgreSQL's `text_substring`: characters from `start` (1-based, may be below 1)
/// for `len` characters (`None`: to the end).
fn substring_chars(s: &str, start: i64, len: Option<i64>) -> Result<&str> {
    let from = start.max(1);
    let end = match len {
        None => None,
        Some(l) if l < 0 => return Err(err(SUBSTRING_ERROR, "negative substring length not allowed")),
        Some(l) => Some(start.saturating_add(l)),
    };
    match end {
        Some(e) if e <= from => Ok(""),
        Some(e) => {
            let b = char_offset(s, from - 1);
            let rest = &s[b..];
            Ok(&rest[..char_offset(rest, e - from)])
        }
        None => Ok(&s[char_offset(s, from - 1)..]),
    }
}

fn substring_bytes(b: &[u8], start: i64, len: Option<i64>) -> Result<&[u8]> {
    let from = start.max(1);
    let end = match len {
        None => i64::MAX,
        Some(l) if l < 0 => return Err(err(SUBSTRING_ERROR, "negative substring length not allowed")),
        Some(l) => start.saturating_add(l),
    };
    if end <= from || from as usize > b.len() {
        return Ok(&[]);
    }
    let a = (from - 1) as usize;
    let e = ((end - 1) as usize).min(b.len());
    Ok(&b[a..e])
}

fn e_substring(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let start = int(&a[1]);
    let len = a.get(2).map(int);
    Ok(match &a[0] {
        Value::Bytea(b) => Value::Bytea(substring_bytes(b, start, len)?.into()),
        v => Value::text(substring_chars(text(v), start, len)?),
    })
}

fn r_substring(args: &[DataType]) -> Option<Sig> {
    match args {
        // A string pattern selects the regular-expression overloads (pattern.rs).
        [t, p, ..] if *t != T::Bytea && is_text(p) => None,
        _ => r_substr(args),
    }
}

/// `substr`, which has no regular-expression form.
fn r_substr(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::Bytea, _] => exact(args, &[T::Bytea, T::Int4], T::Bytea),
        [T::Bytea, _, _] => exact(args, &[T::Bytea, T::Int4, T::Int4], T::Bytea),
        [_, _] => exact(args, &[T::Text, T::Int4], T::Text),
        [_, _, _] => exact(args, &[T::Text, T::Int4, T::Int4], T::Text),
        _ => None,
    }
}

fn e_length(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(match &a[0] {
        Value::Bytea(b) => Value::Int4(b.len() as i32),
        v => Value::Int4(chars_len(text(v)) as i32),
    })
}

fn byte_len(v: &Value) -> usize {
    match v {
        Value::Bytea(b) => b.len(),
        v => text(v).len(),
    }
}

/// Maps every character through `f`, keeping characters whose mapping is not a
/// single character.
fn map_chars<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mut m = f(c);
        match (m.next(), m.next()) {
            (Some(x), None) => out.push(x),
            _ => out.push(c),
        }
    }
    out
}

fn lower(s: &str) -> String {
    map_chars(s, char::to_lowercase)
}

fn upper(s: &str) -> String {
    map_chars(s, char::to_uppercase)
}

fn e_initcap(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = text(&a[0]);
    let mut out = String::with_capacity(s.len());
    let mut was_alnum = false;
    for c in s.chars() {
        let mapped = if was_alnum { lower(c.encode_utf8(&mut [0; 4])) } else { upper(c.encode_utf8(&mut [0; 4])) };
        out.push_str(&mapped);
        was_alnum = c.is_alphanumeric();
    }
    Ok(Value::text(out))
}

fn e_position(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (hay, needle) = (text(&a[0]), text(&a[1]));
    Ok(Value::Int4(match hay.find(needle) {
        Some(b) => hay[..b].chars().count() as i32 + 1,
        None => 0,
    }))
}

fn trim_set<'a>(s: &'a str, chars: Option<&str>, left: bool, right: bool) -> &'a str {
    let set = |c: char| match chars {
        Some(set) => set.contains(c),
        None => c == ' ',
    };
    let s = if left { s.trim_start_matches(set) } else { s };
    if right {
        s.trim_end_matches(set)
    } else {
        s
    }
}

fn r_trim(args: &[DataType]) -> Option<Sig> {
    match args {
        [_] => exact(args, &[T::Text], T::Text),
        [_, _] => exact(args, &[T::Text, T::Text], T::Text),
        _ => None,
    }
}

fn e_btrim(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(trim_set(text(&a[0]), a.get(1).map(text), true, true)))
}

fn e_ltrim(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(trim_set(text(&a[0]), a.get(1).map(text), true, false)))
}

fn e_rtrim(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(trim_set(text(&a[0]), a.get(1).map(text), false, true)))
}

fn e_replace(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, from, to) = (text(&a[0]), text(&a[1]), text(&a[2]));
    if from.is_empty() {
        return Ok(a[0].clone());
    }
    Ok(Value::text(s.replace(from, to)))
}

fn e_concat(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let mut out = String::new();
    for v in a.iter().filter(|v| !v.is_null()) {
        out.push_str(&format_value(v, ctx.tz));
    }
    Ok(Value::text(out))
}

fn e_concat_ws(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let sep = text(&a[0]);
    let parts: Vec<String> = a[1..].iter().filter(|v| !v.is_null()).map(|v| format_value(v, ctx.tz)).collect();
    Ok(Value::text(parts.join(sep)))
}

fn e_left(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, n) = (text(&a[0]), int(&a[1]));
    let n = if n < 0 { (chars_len(s) + n).max(0) } else { n };
    Ok(Value::text(&s[..char_offset(s, n)]))
}

fn e_right(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, n) = (text(&a[0]), int(&a[1]));
    let len = chars_len(s);
    let skip = if n < 0 { (-n).min(len) } else { (len - n).max(0) };
    Ok(Value::text(&s[char_offset(s, skip)..]))
}

fn r_pad(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _] => exact(args, &[T::Text, T::Int4], T::Text),
        [_, _, _] => exact(args, &[T::Text, T::Int4, T::Text], T::Text),
        _ => None,
    }
}

fn pad(a: &[Value], left: bool) -> Result<Value> {
    let s = text(&a[0]);
    let mut len = int(&a[1]).max(0);
    let fill = a.get(2).map_or(" ", text);
    let mut s1len = chars_len(s);
    if s1len > len {
        s1len = len;
    }
    if fill.is_empty() {
        len = s1len;
    }
    if len as usize * 4 > MAX_ALLOC {
        return Err(too_large());
    }
    let body = &s[..char_offset(s, s1len)];
    let padding: String = fill.chars().cycle().take((len - s1len) as usize).collect();
    Ok(Value::text(if left { padding + body } else { body.to_string() + &padding }))
}

fn e_lpad(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    pad(a, true)
}

fn e_rpad(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    pad(a, false)
}

fn e_split_part(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, delim, n) = (text(&a[0]), text(&a[1]), int(&a[2]));
    if n == 0 {
        return Err(invalid_param("field position must not be zero"));
    }
    if s.is_empty() {
        return Ok(Value::text(""));
    }
    if delim.is_empty() {
        return Ok(Value::text(if n == 1 || n == -1 { s } else { "" }));
    }
    let parts: Vec<&str> = s.split(delim).collect();
    let idx = if n > 0 { n - 1 } else { parts.len() as i64 + n };
    Ok(Value::text(usize::try_from(idx).ok().and_then(|i| parts.get(i).copied()).unwrap_or("")))
}

fn e_repeat(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, n) = (text(&a[0]), int(&a[1]));
    if n <= 0 || s.is_empty() {
        return Ok(Value::text(""));
    }
    if (n as u128) * (s.len() as u128) > MAX_ALLOC as u128 {
        return Err(too_large());
    }
    Ok(Value::text(s.repeat(n as usize)))
}

fn e_reverse(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(text(&a[0]).chars().rev().collect::<String>()))
}

fn e_starts_with(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Bool(text(&a[0]).starts_with(text(&a[1]))))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn e_md5(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    use md5::{Digest, Md5};
    let bytes: &[u8] = match &a[0] {
        Value::Bytea(b) => b,
        v => text(v).as_bytes(),
    };
    Ok(Value::text(hex(&Md5::digest(bytes))))
}

fn e_translate(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, from, to) = (text(&a[0]), text(&a[1]), text(&a[2]));
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match from.iter().position(|&f| f == c) {
            Some(i) => {
                if let Some(&t) = to.get(i) {
                    out.push(t);
                }
            }
            None => out.push(c),
        }
    }
    Ok(Value::text(out))
}

fn e_ascii(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Int4(text(&a[0]).chars().next().map_or(0, |c| c as i32)))
}

fn e_chr(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let n = int(&a[0]);
    if n < 0 {
        return Err(invalid_param("character number must be positive"));
    }
    if n == 0 {
        return Err(err(SqlState::PROGRAM_LIMIT_EXCEEDED, "null character not permitted"));
    }
    if n > 0x10FFFF {
        return Err(err(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("requested character too large for encoding: {n}")));
    }
    let c = char::from_u32(n as u32).ok_or_else(|| {
        err(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("requested character not valid for encoding: {n}"))
    })?;
    Ok(Value::text(c.to_string()))
}

/// PostgreSQL's keywords that are not unreserved: `quote_ident` quotes them.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// PostgreSQL's `quote_identifier`.
pub fn quote_ident(s: &str) -> String {
    let safe = s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && QUOTED_KEYWORDS.binary_search(&s).is_err();
    if safe {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// PostgreSQL's `quote_literal_cstr`: doubles quotes and backslashes, and uses the
/// `E'...'` form when there are backslashes.
pub fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    if s.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn r_quote_literal(args: &[DataType]) -> Option<Sig> {
    match args {
        [t] => Sig::new(vec![if is_text(t) { T::Text } else { t.clone() }], T::Text),
        _ => None,
    }
}

fn e_quote_ident(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(quote_ident(text(&a[0]))))
}

fn e_quote_literal(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    Ok(Value::text(quote_literal(&format_value(&a[0], ctx.tz))))
}

fn e_quote_nullable(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    if a[0].is_null() {
        return Ok(Value::text("NULL"));
    }
    e_quote_literal(a, &T::Text, ctx)
}

fn unterminated() -> Error {
    invalid_param("unterminated format() type specifier").with_hint("For a single \"%\" use \"%%\".")
}

/// PostgreSQL's `format()`: `%[argpos$][-][width|*[argpos$]]type` with types `s`,
/// `I` and `L`, and `%%`.
fn e_format(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let fmt: Vec<char> = text(&a[0]).chars().collect();
    let mut out = String::new();
    let mut arg = 1usize;
    let mut i = 0;
    let digits = |i: &mut usize| -> Result<Option<usize>> {
        let start = *i;
        let mut n: usize = 0;
        while *i < fmt.len() && fmt[*i].is_ascii_digit() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(fmt[*i] as usize - '0' as usize))
                .filter(|n| *n <= i32::MAX as usize)
                .ok_or_else(|| invalid_param("number is out of range"))?;
            *i += 1;
        }
        if *i >= fmt.len() {
            return Err(unterminated());
        }
        Ok((*i > start).then_some(n))
    };
    let advance = |i: &mut usize| -> Result<()> {
        *i += 1;
        if *i >= fmt.len() {
            return Err(unterminated());
        }
        Ok(())
    };
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if i >= fmt.len() {
            return Err(unterminated());
        }
        if fmt[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let (mut argpos, mut widthpos, mut minus, mut width) = (None, None, false, 0i64);
        let mut done = false;
        if let Some(n) = digits(&mut i)? {
            if fmt[i] != '$' {
                width = n as i64;
                done = true;
            } else {
                if n == 0 {
                    return Err(invalid_param("format specifies argument 0, but arguments are numbered from 1"));
                }
                argpos = Some(n);
                advance(&mut i)?;
            }
        }
        if !done {
            while fmt[i] == '-' {
                minus = true;
                advance(&mut i)?;
            }
            if fmt[i] == '*' {
                advance(&mut i)?;
                match digits(&mut i)? {
                    Some(n) => {
                        if fmt[i] != '$' {
                            return Err(invalid_param("width argument position must be ended by \"$\""));
                        }
                        if n == 0 {
                            return Err(invalid_param(
                                "format specifies argument 0, but arguments are numbered from 1",
                            ));
                        }
                        widthpos = Some(n);
                        advance(&mut i)?;
                    }
                    None => widthpos = Some(0),
                }
            } else if let Some(n) = digits(&mut i)? {
                width = n as i64;
            }
        }
        let conv = fmt[i];
        i += 1;
        if !matches!(conv, 's' | 'I' | 'L') {
            return Err(invalid_param(format!("unrecognized format() type specifier \"{conv}\""))
                .with_hint("For a single \"%\" use \"%%\"."));
        }
        let too_few = || invalid_param("too few arguments for format()");
        if let Some(wp) = widthpos {
            if wp > 0 {
                arg = wp;
            }
            let v = a.get(arg).ok_or_else(too_few)?;
            arg += 1;
            width = match v {
                Value::Null => 0,
                v => match v.as_i64() {
                    Some(n) => n,
                    None => crate::types::numeric::parse_int(
                        &format_value(v, ctx.tz),
                        i32::MIN as i64,
                        i32::MAX as i64,
                        "integer",
                    )?,
                },
            };
        }
        if let Some(p) = argpos {
            arg = p;
        }
        let v = a.get(arg).ok_or_else(too_few)?;
        arg += 1;
        let s = match (v, conv) {
            (Value::Null, 's') => String::new(),
            (Value::Null, 'L') => "NULL".to_string(),
            (Value::Null, _) => {
                return Err(err(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "null values cannot be formatted as an SQL identifier",
                ))
            }
            (v, 'I') => quote_ident(&format_value(v, ctx.tz)),
            (v, 'L') => quote_literal(&format_value(v, ctx.tz)),
            (v, _) => format_value(v, ctx.tz),
        };
        let (left, w) = if width < 0 { (true, width.unsigned_abs() as usize) } else { (minus, width as usize) };
        let n = s.chars().count();
        if n >= w {
            out.push_str(&s);
        } else if left {
            out.push_str(&s);
            out.extend(std::iter::repeat_n(' ', w - n));
        } else {
            out.extend(std::iter::repeat_n(' ', w - n));
            out.push_str(&s);
        }
    }
    Ok(Value::text(out))
}

fn r_format(args: &[DataType]) -> Option<Sig> {
    match args.first() {
        Some(t) if is_text(t) => {
            let mut v = vec![T::Text];
            v.extend(args[1..].iter().map(any_arg));
            Sig::new(v, T::Text)
        }
        _ => None,
    }
}

fn r_to_hex(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::Int8] => Sig::new(vec![T::Int8], T::Text),
        _ => exact(args, &[T::Int4], T::Text),
    }
}

fn e_to_hex(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(match a[0] {
        Value::Int8(v) => format!("{:x}", v as u64),
        ref v => format!("{:x}", int(v) as i32 as u32),
    }))
}

fn unrecognized_encoding(name: &str) -> Error {
    invalid_param(format!("unrecognized encoding: \"{name}\""))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() * 4 / 3 + 4);
    let mut line = 0;
    for chunk in b.chunks(3) {
        if line >= 76 {
            out.push('\n');
            line = 0;
        }
        let n =
            (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { B64[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { B64[n as usize & 63] as char } else { '=' });
        line += 4;
    }
    out
}

/// PostgreSQL's `pg_b64_decode`: whitespace is skipped, `=` may pad the third and
/// fourth symbols of a group.
fn base64_decode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut pos, mut end) = (0u32, 0, 0);
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        let b = if c == '=' {
            if end == 0 {
                end = match pos {
                    2 => 1,
                    3 => 2,
                    _ => return Err(invalid_param("unexpected \"=\" while decoding base64 sequence")),
                };
            }
            0
        } else {
            B64.iter()
                .position(|&x| x as char == c)
                .ok_or_else(|| invalid_param(format!("invalid symbol \"{c}\" found while decoding base64 sequence")))?
                as u32
        };
        buf = buf << 6 | b;
        pos += 1;
        if pos == 4 {
            out.push((buf >> 16) as u8);
            if end == 0 || end > 1 {
                out.push((buf >> 8) as u8);
            }
            if end == 0 || end > 2 {
                out.push(buf as u8);
            }
            buf = 0;
            pos = 0;
        }
    }
    if pos != 0 {
        return Err(invalid_param("invalid base64 end sequence")
            .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted."));
    }
    Ok(out)
}

fn escape_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for &c in b {
        if c == 0 || c >= 0x80 {
            out.push_str(&format!("\\{c:03o}"));
        } else if c == b'\\' {
            out.push_str("\\\\");
        } else {
            out.push(c as char);
        }
    }
    out
}

fn escape_decode(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let bad = || Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea");
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if i + 3 < b.len()
            && (b'0'..=b'3').contains(&b[i + 1])
            && (b'0'..=b'7').contains(&b[i + 2])
            && (b'0'..=b'7').contains(&b[i + 3])
        {
            out.push(((b[i + 1] - b'0') << 6) | ((b[i + 2] - b'0') << 3) | (b[i + 3] - b'0'));
            i += 4;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}

fn hex_decode(s: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut chars = s.chars().peekable();
    let digit = |c: char| -> Result<u8> {
        c.to_digit(16).map(|d| d as u8).ok_or_else(|| invalid_param(format!("invalid hexadecimal digit: \"{c}\"")))
    };
    while let Some(c) = chars.next() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        let hi = digit(c)?;
        let Some(c2) = chars.next() else {
            return Err(invalid_param("invalid hexadecimal data: odd number of digits"));
        };
        out.push(hi << 4 | digit(c2)?);
    }
    Ok(out)
}

fn e_encode(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let Value::Bytea(b) = &a[0] else {
        return Err(Error::internal("encode of a non-bytea value"));
    };
    let enc = text(&a[1]);
    Ok(Value::text(match enc.to_ascii_lowercase().as_str() {
        "hex" => hex(b),
        "base64" => base64_encode(b),
        "escape" => escape_encode(b),
        _ => return Err(unrecognized_encoding(enc)),
    }))
}

fn e_decode(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, enc) = (text(&a[0]), text(&a[1]));
    let bytes = match enc.to_ascii_lowercase().as_str() {
        "hex" => hex_decode(s)?,
        "base64" => base64_decode(s)?,
        "escape" => escape_decode(s)?,
        _ => return Err(unrecognized_encoding(enc)),
    };
    Ok(Value::Bytea(bytes.into()))
}

fn e_overlay(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let from = int(&a[2]);
    if from <= 0 {
        return Err(err(SUBSTRING_ERROR, "negative substring length not allowed"));
    }
    if let Value::Bytea(b) = &a[0] {
        let Value::Bytea(w) = &a[1] else {
            return Err(Error::internal("overlay of bytea with a non-bytea value"));
        };
        let n = a.get(3).map_or(w.len() as i64, int);
        let mut out = substring_bytes(b, 1, Some(from - 1))?.to_vec();
        out.extend_from_slice(w);
        let rest_from = from.checked_add(n).ok_or_else(|| Error::out_of_range("integer out of range"))?;
        out.extend_from_slice(substring_bytes(b, rest_from, None)?);
        return Ok(Value::Bytea(out.into()));
    }
    let (s, w) = (text(&a[0]), text(&a[1]));
    let n = a.get(3).map_or(chars_len(w), int);
    let rest_from = from.checked_add(n).ok_or_else(|| Error::out_of_range("integer out of range"))?;
    let mut out = substring_chars(s, 1, Some(from - 1))?.to_string();
    out.push_str(w);
    out.push_str(substring_chars(s, rest_from, None)?);
    Ok(Value::text(out))
}

fn r_overlay(args: &[DataType]) -> Option<Sig> {
    match args {
        [T::Bytea, _, _] => exact(args, &[T::Bytea, T::Bytea, T::Int4], T::Bytea),
        [T::Bytea, _, _, _] => exact(args, &[T::Bytea, T::Bytea, T::Int4, T::Int4], T::Bytea),
        [_, _, _] => exact(args, &[T::Text, T::Text, T::Int4], T::Text),
        [_, _, _, _] => exact(args, &[T::Text, T::Text, T::Int4, T::Int4], T::Text),
        _ => None,
    }
}

fn r_string_to_array(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _] => exact(args, &[T::Text, T::Text], text_array()),
        [_, _, _] => exact(args, &[T::Text, T::Text, T::Text], text_array()),
        _ => None,
    }
}

/// `string_to_array(text, delimiter [, null_string])`: a NULL delimiter splits into
/// characters, an empty one keeps the string whole, an empty string gives `{}`.
fn e_string_to_array(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let s = text(&a[0]);
    let null_str = a.get(2).and_then(|v| v.as_str());
    let parts: Vec<&str> = if s.is_empty() {
        vec![]
    } else {
        match a[1].as_str() {
            None => s.char_indices().map(|(i, c)| &s[i..i + c.len_utf8()]).collect(),
            Some("") => vec![s],
            Some(d) => s.split(d).collect(),
        }
    };
    let items = parts.into_iter().map(|p| if Some(p) == null_str { Value::Null } else { Value::text(p) }).collect();
    Ok(Value::Array(Arc::new(Array { element_type: T::Text, items })))
}

fn e_lower(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(lower(text(&a[0]))))
}

fn e_upper(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(upper(text(&a[0]))))
}

pub static FUNCS: &[Func] = &[
    Func::new("length", r_len, e_length),
    Func::new("char_length", r_text_len, e_length),
    Func::new("character_length", r_text_len, e_length),
    Func::new("octet_length", r_octets, |a, _, _| Ok(Value::Int4(byte_len(&a[0]) as i32))),
    Func::new("bit_length", r_octets, |a, _, _| Ok(Value::Int4(byte_len(&a[0]) as i32 * 8))),
    Func::new("lower", r_text, e_lower),
    Func::new("upper", r_text, e_upper),
    Func::new("initcap", r_text, e_initcap),
    Func::new("substring", r_substring, e_substring),
    Func::new("substr", r_substr, e_substring),
    Func::new("position", |a| exact(a, &[T::Text, T::Text], T::Int4), e_position),
    Func::new("strpos", |a| exact(a, &[T::Text, T::Text], T::Int4), e_position),
    Func::new("btrim", r_trim, e_btrim),
    Func::new("trim", r_trim, e_btrim),
    Func::new("ltrim", r_trim, e_ltrim),
    Func::new("rtrim", r_trim, e_rtrim),
    Func::new("replace", |a| exact(a, &[T::Text, T::Text, T::Text], T::Text), e_replace),
    Func::new("concat", |a| r_variadic_any(a, 1, T::Text), e_concat).lenient().stable(),
    Func::new("concat_ws", |a| r_variadic_any(a, 1, T::Text).filter(|_| is_text(&a[0])), e_concat_ws)
        .lenient()
        .stable(),
    Func::new("left", r_text_int_text, e_left),
    Func::new("right", r_text_int_text, e_right),
    Func::new("lpad", r_pad, e_lpad),
    Func::new("rpad", r_pad, e_rpad),
    Func::new("split_part", |a| exact(a, &[T::Text, T::Text, T::Int4], T::Text), e_split_part),
    Func::new("repeat", r_text_int_text, e_repeat),
    Func::new("reverse", r_text, e_reverse),
    Func::new("starts_with", |a| exact(a, &[T::Text, T::Text], T::Bool), e_starts_with),
    Func::new("md5", |a| if a == [T::Bytea] { Sig::new(vec![T::Bytea], T::Text) } else { r_text(a) }, e_md5),
    Func::new("translate", |a| exact(a, &[T::Text, T::Text, T::Text], T::Text), e_translate),
    Func::new("ascii", r_text_len, e_ascii),
    Func::new("chr", |a| exact(a, &[T::Int4], T::Text), e_chr),
    Func::new("quote_ident", r_text, e_quote_ident),
    Func::new("quote_literal", r_quote_literal, e_quote_literal).stable(),
    Func::new("quote_nullable", r_quote_literal, e_quote_nullable).lenient().stable(),
    Func::new("format", r_format, e_format).lenient().stable(),
    Func::new("to_hex", r_to_hex, e_to_hex),
    Func::new("encode", |a| exact(a, &[T::Bytea, T::Text], T::Text), e_encode),
    Func::new("decode", |a| exact(a, &[T::Text, T::Text], T::Bytea), e_decode),
    Func::new("overlay", r_overlay, e_overlay),
    Func::new("string_to_array", r_string_to_array, e_string_to_array).lenient(),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings() {
        assert_eq!(substring_chars("hello", -1, Some(3)).unwrap(), "h");
        assert_eq!(substring_chars("hello", 2, None).unwrap(), "ello");
        assert_eq!(substring_chars("héllo", 2, Some(2)).unwrap(), "él");
        assert_eq!(substring_chars("hello", 9, Some(2)).unwrap(), "");
        assert!(substring_chars("hello", 1, Some(-1)).is_err());
        assert_eq!(substring_bytes(b"hello", 0, Some(3)).unwrap(), b"he");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("foo_1"), "foo_1");
        assert_eq!(quote_ident("Foo"), "\"Foo\"");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident(""), "\"\"");
        assert_eq!(quote_literal("a\\b'c"), "E'a\\\\b''c'");
        let mut sorted = QUOTED_KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, QUOTED_KEYWORDS, "binary search needs sorted keywords");
    }

    #[test]
    fn codecs() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world, this is a longer text to wrap past 76 chars......"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), s.as_bytes(), "{enc}");
        }
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert!(base64_decode("YWI").is_err());
        assert!(base64_decode("Y!==").is_err());
        assert_eq!(hex_decode("0a 0B").unwrap(), vec![10, 11]);
        assert!(hex_decode("abc").is_err());
        assert_eq!(escape_encode(b"a\\\0\xff"), "a\\\\\\000\\377");
        assert_eq!(escape_decode("a\\\\\\000\\377").unwrap(), b"a\\\0\xff");
        assert!(escape_decode("\\9").is_err());
    }
}

//! Regular expressions (`~`, `regexp_*`, `substring(x FROM pattern)`) and SQL
//! `SIMILAR TO`.
//!
//! PostgreSQL's regular expressions are Spencer's "advanced regular expressions"
//! (AREs). They run here on the `regex` crate after [`translate`] rewrites the ARE
//! syntax that differs: `\m`/`\M`/`\y`/`\Y` word boundaries, `\Z`, `\b` (backspace) and
//! `\B` (backslash), `[[:<:]]`, a literal `{` that starts no bound, and `[`, `&`, `~`
//! inside brackets (set operators in the crate, ordinary characters in an ARE). As in
//! PostgreSQL, `.` matches a newline unless the `n` flag is given. Flags follow
//! `parse_re_flags`: `i`, `c`, `n`/`m`, `p`, `w`, `s`, `x`, `q`, `t`, `e`, and `g`
//! where the function allows it.
//!
//! Differences from PostgreSQL, all reported rather than silently wrong where
//! possible:
//! - back-references (`\1` in a pattern) and lookaround (`(?=`, `(?!`, `(?<=`) are
//!   not supported: 2201B (lookaround) or 0A000 (back-references);
//! - basic REs (flag `b`) are not supported (0A000);
//! - the crate matches leftmost-first like Perl, where an ARE prefers the longest
//!   match for the pattern as a whole: `regexp_match('abcd', 'a|ab')` gives `{a}`
//!   here and `{ab}` in PostgreSQL. Patterns whose alternatives cannot both match at
//!   one place (the usual case) behave the same.
//!
//! Compiled patterns are cached per thread, as PostgreSQL caches them per backend.

use super::args::{err, exact, int, invalid_param, is_text, text, text_array};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::types::{Array, DataType, Value};
use regex::Regex;
use std::cell::RefCell;
use std::sync::Arc;

use DataType as T;

/// Options parsed from a flags string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Flags {
    global: bool,
    icase: bool,
    /// `.` and bracket negations do not match a newline.
    nlstop: bool,
    /// `^` and `$` match at newlines.
    nlanch: bool,
    expanded: bool,
    quote: bool,
    basic: bool,
}

fn parse_flags(s: &str) -> Result<Flags> {
    let mut f = Flags::default();
    for c in s.chars() {
        match c {
            'g' => f.global = true,
            'b' => f.basic = true,
            'c' => f.icase = false,
            'e' => f.basic = false,
            'i' => f.icase = true,
            'm' | 'n' => {
                f.nlstop = true;
                f.nlanch = true;
            }
            'p' => {
                f.nlstop = true;
                f.nlanch = false;
            }
            'q' => f.quote = true,
            's' => {
                f.nlstop = false;
                f.nlanch = false;
            }
            't' => f.expanded = false,
            'w' => {
                f.nlstop = false;
                f.nlanch = true;
            }
            'x' => f.expanded = true,
            c => return Err(invalid_param(format!("invalid regular expression option: \"{c}\""))),
        }
    }
    Ok(f)
}

fn no_global(f: &Flags, func: &str) -> Result<()> {
    if f.global {
        let e = invalid_param(format!("{func}() does not support the \"global\" option"));
        return Err(if func == "regexp_match" { e.with_hint("Use the regexp_matches function instead.") } else { e });
    }
    Ok(())
}

fn bad_regex(msg: impl std::fmt::Display) -> Error {
    err(SqlState::INVALID_REGULAR_EXPRESSION, format!("invalid regular expression: {msg}"))
}

/// Rewrites an ARE into the `regex` crate's syntax (see the module docs).
fn translate(p: &str) -> Result<String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    // Position in the class: whether the next character is its first (where `]` is
    // literal).
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c == '\\' {
            let Some(&e) = chars.get(i) else {
                return Err(bad_regex("invalid escape \\ sequence"));
            };
            i += 1;
            class_start = false;
            match e {
                'm' if !in_class => out.push_str(r"\b{start}"),
                'M' if !in_class => out.push_str(r"\b{end}"),
                'y' if !in_class => out.push_str(r"\b"),
                'Y' if !in_class => out.push_str(r"\B"),
                'A' if !in_class => out.push_str(r"\A"),
                'Z' if !in_class => out.push_str(r"\z"),
                'b' => out.push_str(r"\x08"),
                'B' => out.push_str(r"\\"),
                'e' => out.push_str(r"\x1B"),
                '1'..='9' if !in_class => {
                    return Err(Error::unsupported("back-references in regular expressions are not supported"))
                }
                'c' => {
                    let Some(&x) = chars.get(i) else {
                        return Err(bad_regex("invalid escape \\ sequence"));
                    };
                    i += 1;
                    out.push_str(&format!(r"\x{{{:X}}}", (x as u32) & 0x1F));
                }
                'x' => {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_hexdigit() {
                        i += 1;
                    }
                    let digits: String = chars[start..i].iter().collect();
                    if digits.is_empty() {
                        return Err(bad_regex("invalid escape \\ sequence"));
                    }
                    out.push_str(&format!(r"\x{{{digits}}}"));
                }
                e if e.is_ascii_alphanumeric() => {
                    out.push('\\');
                    out.push(e);
                }
                e => push_literal(&mut out, e),
            }
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => {
                    in_class = false;
                    out.push(']');
                }
                '[' if matches!(chars.get(i), Some(':' | '.' | '=')) => {
                    // [:class:], [.coll.], [=equiv=]: copy through the closing pair.
                    let kind = chars[i];
                    let rest: String = chars[i + 1..].iter().collect();
                    let close = format!("{kind}]");
                    let Some(end) = rest.find(&close) else {
                        return Err(bad_regex("brackets [] not balanced"));
                    };
                    let name = &rest[..end];
                    i += 1 + name.chars().count() + 2;
                    match kind {
                        ':' => out.push_str(&format!("[:{name}:]")),
                        _ if name.chars().count() == 1 => {
                            push_literal(&mut out, name.chars().next().unwrap_or(' '));
                        }
                        _ => return Err(bad_regex("invalid collating element")),
                    }
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if matches!(chars.get(i), Some('-')) => out.push_str(r"\-"),
                c => out.push(c),
            }
            class_start = class_start && c == '^';
            continue;
        }
        match c {
            '[' => {
                // [[:<:]] and [[:>:]] are word boundaries.
                let rest: String = chars[i..].iter().take(6).collect();
                if rest.starts_with("[:<:]]") {
                    out.push_str(r"\b{start}");
                    i += 6;
                } else if rest.starts_with("[:>:]]") {
                    out.push_str(r"\b{end}");
                    i += 6;
                } else {
                    in_class = true;
                    class_start = true;
                    out.push('[');
                    if chars.get(i) == Some(&'^') {
                        out.push('^');
                        i += 1;
                    }
                }
            }
            '{' if !matches!(chars.get(i), Some(d) if d.is_ascii_digit()) => out.push_str(r"\{"),
            c => out.push(c),
        }
    }
    if in_class {
        return Err(bad_regex("brackets [] not balanced"));
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    let mut buf = [0; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// Compiles a pattern with flags, through a per-thread cache.
fn compile(pattern: &str, flags: &Flags) -> Result<Regex> {
    thread_local! {
        static CACHE: RefCell<Vec<(String, Flags, Regex)>> = const { RefCell::new(Vec::new()) };
    }
    const CACHE_SIZE: usize = 32;
    let key_flags = Flags { global: false, ..*flags };
    if let Some(re) = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let i = c.iter().position(|(p, f, _)| p == pattern && *f == key_flags)?;
        let entry = c.remove(i);
        let re = entry.2.clone();
        c.insert(0, entry);
        Some(re)
    }) {
        return Ok(re);
    }
    if flags.basic {
        return Err(Error::unsupported("basic regular expressions (flag \"b\") are not supported"));
    }
    let body = if flags.quote { regex::escape(pattern) } else { translate(pattern)? };
    let mut prefix = String::from("(?");
    if flags.icase {
        prefix.push('i');
    }
    if !flags.nlstop {
        prefix.push('s');
    }
    if flags.nlanch {
        prefix.push('m');
    }
    if flags.expanded && !flags.quote {
        prefix.push('x');
    }
    prefix.push(')');
    let full = if prefix == "(?)" { body } else { format!("{prefix}{body}") };
    let re = regex::RegexBuilder::new(&full).build().map_err(|e| match e {
        regex::Error::Syntax(s) => {
            let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("syntax error");
            bad_regex(last.trim().trim_start_matches("error: "))
        }
        regex::Error::CompiledTooBig(_) => bad_regex("regular expression is too complex"),
        e => bad_regex(e),
    })?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.insert(0, (pattern.to_string(), key_flags, re.clone()));
        c.truncate(CACHE_SIZE);
    });
    Ok(re)
}

/// The byte offset of 1-based character position `start`, or `None` when it lies
/// past the end of the string (one past the last character is the end itself).
fn start_offset(s: &str, start: i64) -> Option<usize> {
    let n = (start - 1) as usize;
    if n == 0 {
        return Some(0);
    }
    let mut count = 0;
    for (i, _) in s.char_indices() {
        if count == n {
            return Some(i);
        }
        count += 1;
    }
    (count == n).then_some(s.len())
}

fn check_param(name: &str, v: i64, min: i64) -> Result<()> {
    if v < min {
        return Err(invalid_param(format!("invalid value for parameter \"{name}\": {v}")));
    }
    Ok(())
}

/// The matches of `re` in `s` from byte `from` on, as PostgreSQL's
/// `setup_regexp_matches` finds them: after an empty match the search resumes one
/// character later; with `ignore_degenerate` (regexp_split), empty matches at the
/// start or end of the string are dropped.
fn find_matches<'s>(
    re: &Regex,
    s: &'s str,
    from: usize,
    global: bool,
    ignore_degenerate: bool,
) -> Vec<regex::Captures<'s>> {
    let mut out = Vec::new();
    let mut pos = from;
    while pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else { break };
        let m = caps.get(0).expect("group 0 always participates");
        let (so, eo) = (m.start(), m.end());
        if !ignore_degenerate || (so < s.len() && eo > 0) {
            out.push(caps);
        }
        if !global {
            break;
        }
        pos = eo;
        if so == eo {
            match s[eo..].chars().next() {
                Some(c) => pos += c.len_utf8(),
                None => break,
            }
        }
    }
    out
}

fn text_array_value(items: Vec<Value>) -> Value {
    Value::Array(Arc::new(Array { element_type: T::Text, items }))
}

fn group_value(caps: &regex::Captures, i: usize) -> Value {
    caps.get(i).map_or(Value::Null, |m| Value::text(m.as_str()))
}

fn flags_arg(a: &[Value], i: usize) -> Result<Flags> {
    parse_flags(a.get(i).map_or("", text))
}

fn e_regexp_like(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let flags = flags_arg(a, 2)?;
    no_global(&flags, "regexp_like")?;
    let re = compile(text(&a[1]), &flags)?;
    Ok(Value::Bool(re.is_match(text(&a[0]))))
}

fn e_regexp_match(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let flags = flags_arg(a, 2)?;
    no_global(&flags, "regexp_match")?;
    let re = compile(text(&a[1]), &flags)?;
    let Some(caps) = re.captures(text(&a[0])) else {
        return Ok(Value::Null);
    };
    let items = if caps.len() > 1 {
        (1..caps.len()).map(|i| group_value(&caps, i)).collect()
    } else {
        vec![group_value(&caps, 0)]
    };
    Ok(text_array_value(items))
}

/// Appends PostgreSQL's replacement text: `\1`..`\9` groups, `\&` the match, `\\`
/// a backslash; any other backslash is kept.
fn append_replacement(out: &mut String, repl: &str, caps: &regex::Captures) {
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(d @ '1'..='9') => {
                chars.next();
                if let Some(m) = caps.get(d as usize - '0' as usize) {
                    out.push_str(m.as_str());
                }
            }
            Some('&') => {
                chars.next();
                out.push_str(caps.get(0).map_or("", |m| m.as_str()));
            }
            Some('\\') => {
                chars.next();
                out.push('\\');
            }
            _ => out.push('\\'),
        }
    }
}

/// `regexp_replace`: replaces the `n`th match from character `start` on (`n = 0`:
/// every match).
fn regexp_replace(s: &str, re: &Regex, repl: &str, start: i64, n: i64) -> Value {
    let Some(from) = start_offset(s, start) else {
        return Value::text(s);
    };
    let matches = find_matches(re, s, from, n != 1, false);
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for (i, caps) in matches.iter().enumerate() {
        if n > 0 && i as i64 + 1 != n {
            continue;
        }
        let m = caps.get(0).expect("group 0 always participates");
        out.push_str(&s[copied..m.start()]);
        append_replacement(&mut out, repl, caps);
        copied = m.end();
        if n > 0 {
            break;
        }
    }
    out.push_str(&s[copied..]);
    Value::text(out)
}

fn e_regexp_replace(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, pat, repl) = (text(&a[0]), text(&a[1]), text(&a[2]));
    let flags = flags_arg(a, 3)?;
    let re = compile(pat, &flags)?;
    Ok(regexp_replace(s, &re, repl, 1, if flags.global { 0 } else { 1 }))
}

/// `regexp_replace(source, pattern, replacement, start [, n [, flags]])`.
fn e_regexp_replace_at(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let (s, pat, repl) = (text(&a[0]), text(&a[1]), text(&a[2]));
    let start = int(&a[3]);
    check_param("start", start, 1)?;
    let n = match a.get(4) {
        Some(v) => {
            let n = int(v);
            check_param("n", n, 0)?;
            Some(n)
        }
        None => None,
    };
    let flags = flags_arg(a, 5)?;
    let re = compile(pat, &flags)?;
    let n = n.unwrap_or(if flags.global { 0 } else { 1 });
    Ok(regexp_replace(s, &re, repl, start, n))
}

fn r_regexp_replace(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _, _] => exact(args, &[T::Text, T::Text, T::Text], T::Text),
        [_, _, _, t] if is_text(t) => exact(args, &[T::Text, T::Text, T::Text, T::Text], T::Text),
        _ => None,
    }
}

fn r_regexp_replace_at(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _, _, _] => exact(args, &[T::Text, T::Text, T::Text, T::Int4], T::Text),
        [_, _, _, _, _] => exact(args, &[T::Text, T::Text, T::Text, T::Int4, T::Int4], T::Text),
        [_, _, _, _, _, _] => exact(args, &[T::Text, T::Text, T::Text, T::Int4, T::Int4, T::Text], T::Text),
        _ => None,
    }
}

/// `regexp_count(string, pattern [, start [, flags]])`.
fn e_regexp_count(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = text(&a[0]);
    let start = a.get(2).map_or(1, int);
    check_param("start", start, 1)?;
    let flags = flags_arg(a, 3)?;
    no_global(&flags, "regexp_count")?;
    let re = compile(text(&a[1]), &flags)?;
    let n = start_offset(s, start).map_or(0, |from| find_matches(&re, s, from, true, false).len());
    Ok(Value::Int4(n as i32))
}

/// The `n`th match (1-based) of the pattern in `a[0]` from `start` on.
fn nth_match<'s>(s: &'s str, re: &Regex, start: i64, n: i64) -> Option<regex::Captures<'s>> {
    let from = start_offset(s, start)?;
    find_matches(re, s, from, true, false).into_iter().nth((n - 1) as usize)
}

fn char_pos(s: &str, byte: usize) -> i32 {
    s[..byte].chars().count() as i32 + 1
}

/// `regexp_instr(string, pattern [, start [, n [, endoption [, flags [, subexpr]]]]])`.
fn e_regexp_instr(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = text(&a[0]);
    let start = a.get(2).map_or(1, int);
    check_param("start", start, 1)?;
    let n = a.get(3).map_or(1, int);
    check_param("n", n, 1)?;
    let endoption = a.get(4).map_or(0, int);
    if endoption != 0 && endoption != 1 {
        return Err(invalid_param(format!("invalid value for parameter \"endoption\": {endoption}")));
    }
    let flags = flags_arg(a, 5)?;
    no_global(&flags, "regexp_instr")?;
    let subexpr = a.get(6).map_or(0, int);
    check_param("subexpr", subexpr, 0)?;
    let re = compile(text(&a[1]), &flags)?;
    let Some(caps) = nth_match(s, &re, start, n) else {
        return Ok(Value::Int4(0));
    };
    Ok(Value::Int4(match caps.get(subexpr as usize) {
        Some(m) => char_pos(s, if endoption == 1 { m.end() } else { m.start() }),
        None => 0,
    }))
}

/// `regexp_substr(string, pattern [, start [, n [, flags [, subexpr]]]])`.
fn e_regexp_substr(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = text(&a[0]);
    let start = a.get(2).map_or(1, int);
    check_param("start", start, 1)?;
    let n = a.get(3).map_or(1, int);
    check_param("n", n, 1)?;
    let flags = flags_arg(a, 4)?;
    no_global(&flags, "regexp_substr")?;
    let subexpr = a.get(5).map_or(0, int);
    check_param("subexpr", subexpr, 0)?;
    let re = compile(text(&a[1]), &flags)?;
    Ok(match nth_match(s, &re, start, n) {
        Some(caps) => group_value(&caps, subexpr as usize),
        None => Value::Null,
    })
}

fn e_regexp_split_to_array(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let s = text(&a[0]);
    let flags = flags_arg(a, 2)?;
    no_global(&flags, "regexp_split_to_array")?;
    let re = compile(text(&a[1]), &flags)?;
    let mut items = Vec::new();
    let mut prev = 0;
    for caps in find_matches(&re, s, 0, true, true) {
        let m = caps.get(0).expect("group 0 always participates");
        items.push(Value::text(&s[prev..m.start()]));
        prev = m.end();
    }
    items.push(Value::text(&s[prev..]));
    Ok(text_array_value(items))
}

/// `substring(string FROM pattern)`: the first parenthesized group of the match, or
/// the whole match.
fn substring_regex(s: &str, pat: &str) -> Result<Value> {
    let re = compile(pat, &Flags::default())?;
    Ok(match re.captures(s) {
        Some(caps) if caps.len() > 1 => group_value(&caps, 1),
        Some(caps) => group_value(&caps, 0),
        None => Value::Null,
    })
}

fn e_substring_regex(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    substring_regex(text(&a[0]), text(&a[1]))
}

/// `substring(string SIMILAR pattern ESCAPE escape)`.
fn e_substring_similar(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    substring_regex(text(&a[0]), &similar_to_regex(text(&a[1]), Some(text(&a[2])))?)
}

/// PostgreSQL's `similar_escape`: translates a SQL regular expression into a POSIX one
/// anchored at both ends. `escape` is `None` for the default backslash; an empty
/// escape disables escaping.
pub fn similar_to_regex(pat: &str, escape: Option<&str>) -> Result<String> {
    let esc = match escape {
        None => Some('\\'),
        Some("") => None,
        Some(e) => {
            let mut it = e.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Some(c),
                _ => {
                    return Err(err(SqlState::INVALID_ESCAPE_SEQUENCE, "invalid escape string")
                        .with_hint("Escape string must be empty or one character."))
                }
            }
        }
    };
    let mut out = String::from("^(?:");
    let (mut after_escape, mut in_class, mut nquotes) = (false, false, 0);
    for c in pat.chars() {
        if after_escape {
            if c == '"' && !in_class {
                match nquotes {
                    0 => out.push_str("){1,1}?("),
                    1 => out.push_str("){1,1}(?:"),
                    _ => {
                        return Err(err(
                            SqlState("2200B"),
                            "SQL regular expression may not contain more than two escape-double-quote separators",
                        ))
                    }
                }
                nquotes += 1;
            } else {
                out.push('\\');
                out.push(c);
            }
            after_escape = false;
        } else if Some(c) == esc {
            after_escape = true;
        } else if in_class {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
            if c == ']' {
                in_class = false;
            }
        } else {
            match c {
                '[' => {
                    out.push('[');
                    in_class = true;
                }
                '%' => out.push_str(".*"),
                '_' => out.push('.'),
                '(' => out.push_str("(?:"),
                '\\' | '.' | '^' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
    out.push_str(")$");
    Ok(out)
}

fn e_similar_to(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let pat = similar_to_regex(text(&a[1]), a.get(2).map(text))?;
    let re = compile(&pat, &Flags::default())?;
    Ok(Value::Bool(re.is_match(text(&a[0]))))
}

fn r_text_pattern(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [_, _] => exact(args, &[T::Text, T::Text], ret),
        [_, _, _] => exact(args, &[T::Text, T::Text, T::Text], ret),
        _ => None,
    }
}

fn r_regexp_count(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _] => exact(args, &[T::Text, T::Text], T::Int4),
        [_, _, _] => exact(args, &[T::Text, T::Text, T::Int4], T::Int4),
        [_, _, _, _] => exact(args, &[T::Text, T::Text, T::Int4, T::Text], T::Int4),
        _ => None,
    }
}

fn r_regexp_instr(args: &[DataType]) -> Option<Sig> {
    let params = [T::Text, T::Text, T::Int4, T::Int4, T::Int4, T::Text, T::Int4];
    if args.len() < 2 {
        return None;
    }
    exact(args, params.get(..args.len())?, T::Int4)
}

fn r_regexp_substr(args: &[DataType]) -> Option<Sig> {
    let params = [T::Text, T::Text, T::Int4, T::Int4, T::Text, T::Int4];
    if args.len() < 2 {
        return None;
    }
    exact(args, params.get(..args.len())?, T::Text)
}

fn r_substring_regex(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, p] if is_text(p) => exact(args, &[T::Text, T::Text], T::Text),
        _ => None,
    }
}

fn r_substring_similar(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, p, _] if is_text(p) => exact(args, &[T::Text, T::Text, T::Text], T::Text),
        _ => None,
    }
}

pub static FUNCS: &[Func] = &[
    Func::new("regexp_like", |a| r_text_pattern(a, T::Bool), e_regexp_like),
    Func::new("regexp_match", |a| r_text_pattern(a, text_array()), e_regexp_match),
    Func::new("regexp_replace", r_regexp_replace, e_regexp_replace),
    Func::new("regexp_replace", r_regexp_replace_at, e_regexp_replace_at),
    Func::new("regexp_count", r_regexp_count, e_regexp_count),
    Func::new("regexp_instr", r_regexp_instr, e_regexp_instr),
    Func::new("regexp_substr", r_regexp_substr, e_regexp_substr),
    Func::new("regexp_split_to_array", |a| r_text_pattern(a, text_array()), e_regexp_split_to_array),
    Func::new("similar_to", |a| r_text_pattern(a, T::Bool), e_similar_to),
    Func::new("substring", r_substring_regex, e_substring_regex),
    Func::new("substring", r_substring_similar, e_substring_similar),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str, f: &str) -> Regex {
        compile(p, &parse_flags(f).unwrap()).unwrap()
    }

    #[test]
    fn translation() {
        assert!(re(r"\mfoo\M", "").is_match("a foo b"));
        assert!(!re(r"\mfoo\M", "").is_match("afoob"));
        assert!(re("a.b", "").is_match("a\nb"));
        assert!(!re("a.b", "n").is_match("a\nb"));
        assert!(re("[[:digit:]]+", "").is_match("x12"));
        assert!(re("[a[]", "").is_match("["));
        assert!(re("a{", "").is_match("a{"));
        assert!(re("a{2}", "").is_match("aa"));
        assert!(re("ABC", "i").is_match("abc"));
        assert!(re("a.c", "q").is_match("a.c"));
        assert!(!re("a.c", "q").is_match("abc"));
        assert!(compile(r"(a)\1", &Flags::default()).is_err());
        assert!(compile("(", &Flags::default()).is_err());
        assert!(parse_flags("z").is_err());
    }

    #[test]
    fn matches_like_postgres() {
        let r = re("b*", "");
        assert_eq!(regexp_replace("ab", &r, "-", 1, 0), Value::text("-a--"));
        let r = re("x*", "");
        assert_eq!(regexp_replace("abc", &r, "-", 1, 0), Value::text("-a-b-c-"));
        let r = re("a", "");
        assert_eq!(regexp_replace("aaa", &r, "b", 2, 1), Value::text("aba"));
        let r = re("(b)", "");
        assert_eq!(regexp_replace("abc", &r, r"[\&\1\\\q]", 1, 1), Value::text(r"a[bb\\q]c"));
    }

    #[test]
    fn similar() {
        assert_eq!(similar_to_regex("a%b_", None).unwrap(), "^(?:a.*b.)$");
        assert_eq!(similar_to_regex("(a|b)*", None).unwrap(), "^(?:(?:a|b)*)$");
        assert_eq!(similar_to_regex(r"a\%", None).unwrap(), r"^(?:a\%)$");
        assert_eq!(similar_to_regex("a#\"b#\"c", Some("#")).unwrap(), "^(?:a){1,1}?(b){1,1}(?:c)$");
        assert!(similar_to_regex("a", Some("ab")).is_err());
    }
}

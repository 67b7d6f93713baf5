//! Expression evaluation.
//!
//! A tree walk over bound [`Expr`]s. The binder has already resolved names and types
//! and inserted casts, so operators here see operands of matching types; the
//! arithmetic follows PostgreSQL (checked integer arithmetic with 22003 on overflow,
//! 22012 on division by zero, numeric results with PostgreSQL's scales). `AND` and
//! `OR` use three-valued logic and short-circuit.

use super::{collect, Env, Frame, SubqueryResult};
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::{BinOp, Expr, Subquery, SubqueryKind, UnaryOp};
use crate::types::{cast, CastContext, DataType, Value};
use rust_decimal::prelude::*;
use std::cmp::Ordering;
use std::rc::Rc;

/// Evaluates an expression against a row.
#[inline]
pub fn eval(e: &Expr, row: &[Value], env: &Env) -> Result<Value> {
    match e {
        Expr::Const(v, _) => Ok(v.clone()),
        Expr::Column(i, _) => row.get(*i).cloned().ok_or_else(|| Error::internal(format!("column {i} out of range"))),
        _ => crate::util::with_stack(|| eval_node(e, row, env)),
    }
}

fn eval_node(e: &Expr, row: &[Value], env: &Env) -> Result<Value> {
    Ok(match e {
        Expr::Const(v, _) => v.clone(),
        Expr::Column(i, _) => {
            row.get(*i).cloned().ok_or_else(|| Error::internal(format!("column {i} out of range")))?
        }
        Expr::Outer(d, i, _) => env
            .outer_row(*d)
            .and_then(|r| r.get(*i))
            .cloned()
            .ok_or_else(|| Error::internal("outer reference out of range"))?,
        Expr::Param(i, ty) => {
            let v = env.ctx.params.get(*i).cloned().ok_or_else(|| {
                Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter ${}", i + 1))
            })?;
            if v.is_null() || v.data_type() == *ty || *ty == DataType::Unknown {
                v
            } else {
                cast(v, ty, CastContext::Assignment, env.ctx.tz)?
            }
        }
        Expr::Unary(op, inner, _) => unary(*op, eval(inner, row, env)?)?,
        Expr::Binary(BinOp::And, l, r, _) => {
            let l = eval_bool(l, row, env)?;
            if l == Some(false) {
                return Ok(Value::Bool(false));
            }
            match (l, eval_bool(r, row, env)?) {
                (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Binary(BinOp::Or, l, r, _) => {
            let l = eval_bool(l, row, env)?;
            if l == Some(true) {
                return Ok(Value::Bool(true));
            }
            match (l, eval_bool(r, row, env)?) {
                (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        Expr::Binary(op, l, r, _) => {
            let l = eval(l, row, env)?;
            let r = eval(r, row, env)?;
            binary(*op, l, r, env.ctx.tz)?
        }
        Expr::IsNull(inner, negated) => Value::Bool(eval(inner, row, env)?.is_null() != *negated),
        Expr::IsDistinct(l, r, negated) => {
            let l = eval(l, row, env)?;
            let r = eval(r, row, env)?;
            let distinct = match (l.is_null(), r.is_null()) {
                (true, true) => false,
                (true, false) | (false, true) => true,
                _ => l.cmp(&r) != Ordering::Equal,
            };
            Value::Bool(distinct != *negated)
        }
        Expr::IsBool(inner, value, negated) => {
            let b = eval_bool(inner, row, env)?;
            Value::Bool((b == Some(*value)) != *negated)
        }
        Expr::Cast(inner, ty) => cast(eval(inner, row, env)?, ty, CastContext::Explicit, env.ctx.tz)?,
        Expr::Like { expr, pattern, escape, case_insensitive, negated } => {
            let v = eval(expr, row, env)?;
            let p = eval(pattern, row, env)?;
            let esc = match escape {
                Some(e) => eval(e, row, env)?,
                None => Value::text("\\"),
            };
            let (Some(s), Some(p), Some(esc)) = (v.as_str(), p.as_str(), esc.as_str()) else {
                return Ok(Value::Null);
            };
            let esc = match esc.chars().count() {
                0 => None,
                1 => esc.chars().next(),
                _ => {
                    return Err(Error::new(SqlState::INVALID_ESCAPE_SEQUENCE, "invalid escape string")
                        .with_hint("Escape string must be empty or one character."))
                }
            };
            let m = if *case_insensitive { like(&s.to_lowercase(), &p.to_lowercase(), esc)? } else { like(s, p, esc)? };
            Value::Bool(m != *negated)
        }
        Expr::InList { expr, list, negated } => {
            let v = eval(expr, row, env)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for item in list {
                let x = eval(item, row, env)?;
                if x.is_null() {
                    saw_null = true;
                } else if v.cmp(&x) == Ordering::Equal {
                    return Ok(Value::Bool(!*negated));
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        Expr::Case { operand, whens, otherwise, .. } => {
            let subject = match operand {
                Some(o) => Some(eval(o, row, env)?),
                None => None,
            };
            for (when, then) in whens {
                let hit = match &subject {
                    Some(s) => {
                        let w = eval(when, row, env)?;
                        !s.is_null() && !w.is_null() && s.cmp(&w) == Ordering::Equal
                    }
                    None => eval_bool(when, row, env)? == Some(true),
                };
                if hit {
                    return eval(then, row, env);
                }
            }
            eval(otherwise, row, env)?
        }
        Expr::Coalesce(args, _) => {
            for a in args {
                let v = eval(a, row, env)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Expr::Func(f, args, ty) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                let v = eval(a, row, env)?;
                if f.strict && v.is_null() {
                    return Ok(Value::Null);
                }
                vals.push(v);
            }
            (f.eval)(&vals, ty, env.ctx)?
        }
        Expr::Subquery(s) => subquery(s, row, env)?,
        Expr::Agg(_) => return Err(Error::internal("aggregate evaluated outside of an aggregation")),
    })
}

/// Evaluates a boolean expression: `None` is NULL.
pub fn eval_bool(e: &Expr, row: &[Value], env: &Env) -> Result<Option<bool>> {
    match eval(e, row, env)? {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        v => Err(Error::new(
            SqlState::DATATYPE_MISMATCH,
            format!("argument must be type boolean, not type {}", v.data_type()),
        )),
    }
}

/// Whether a predicate holds (NULL counts as false).
#[inline]
pub fn holds(e: &Expr, row: &[Value], env: &Env) -> Result<bool> {
    Ok(eval_bool(e, row, env)? == Some(true))
}

fn unary(op: UnaryOp, v: Value) -> Result<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match (op, v) {
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Neg, Value::Int2(i)) => Value::Int2(i.checked_neg().ok_or_else(|| out_of_range("smallint"))?),
        (UnaryOp::Neg, Value::Int4(i)) => Value::Int4(i.checked_neg().ok_or_else(|| out_of_range("integer"))?),
        (UnaryOp::Neg, Value::Int8(i)) => Value::Int8(i.checked_neg().ok_or_else(|| out_of_range("bigint"))?),
        (UnaryOp::Neg, Value::Float4(f)) => Value::Float4(-f),
        (UnaryOp::Neg, Value::Float8(f)) => Value::Float8(-f),
        (UnaryOp::Neg, Value::Numeric(d)) => Value::Numeric(-d),
        (UnaryOp::Neg, Value::Interval(i)) => Value::Interval(crate::types::Interval::new(
            i.months.checked_neg().ok_or_else(|| out_of_range("interval"))?,
            i.days.checked_neg().ok_or_else(|| out_of_range("interval"))?,
            i.micros.checked_neg().ok_or_else(|| out_of_range("interval"))?,
        )),
        (UnaryOp::BitNot, Value::Int2(i)) => Value::Int2(!i),
        (UnaryOp::BitNot, Value::Int4(i)) => Value::Int4(!i),
        (UnaryOp::BitNot, Value::Int8(i)) => Value::Int8(!i),
        (op, v) => return Err(Error::internal(format!("bad operand for {op:?}: {v:?}"))),
    })
}

pub(crate) fn out_of_range(ty: &str) -> Error {
    Error::out_of_range(format!("{ty} out of range"))
}

pub(crate) fn division_by_zero() -> Error {
    Error::new(SqlState::DIVISION_BY_ZERO, "division by zero")
}

macro_rules! int_arith {
    ($op:expr, $a:expr, $b:expr, $variant:path, $name:expr) => {{
        let (a, b) = ($a, $b);
        let r = match $op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div => {
                if b == 0 {
                    return Err(division_by_zero());
                }
                a.checked_div(b)
            }
            BinOp::Mod => {
                if b == 0 {
                    return Err(division_by_zero());
                }
                Some(a.checked_rem(b).unwrap_or(0))
            }
            BinOp::BitAnd => Some(a & b),
            BinOp::BitOr => Some(a | b),
            BinOp::BitXor => Some(a ^ b),
            _ => return Err(Error::internal(format!("bad integer operator {:?}", $op))),
        };
        $variant(r.ok_or_else(|| out_of_range($name))?)
    }};
}

/// Applies a binary operator (not AND/OR) to two values. `ty` is the result type.
pub fn binary(op: BinOp, l: Value, r: Value, tz: &crate::types::TimeZone) -> Result<Value> {
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    if matches!(
        op,
        BinOp::JsonGet
            | BinOp::JsonGetText
            | BinOp::JsonPath
            | BinOp::JsonPathText
            | BinOp::Contains
            | BinOp::ContainedBy
            | BinOp::HasKey
            | BinOp::HasAnyKey
            | BinOp::HasAllKeys
    ) || (op == BinOp::Concat && matches!(l, Value::Jsonb(_)))
    {
        return crate::sql::functions::json_op(op, l, r);
    }
    if op == BinOp::Pow {
        if let (Value::Numeric(a), Value::Numeric(b)) = (&l, &r) {
            return Ok(Value::Numeric(crate::sql::functions::numeric_power(*a, *b)?));
        }
    }
    if op.is_comparison() {
        let ord = l.cmp(&r);
        return Ok(Value::Bool(match op {
            BinOp::Eq => ord == Ordering::Equal,
            BinOp::NotEq => ord != Ordering::Equal,
            BinOp::Lt => ord == Ordering::Less,
            BinOp::LtEq => ord != Ordering::Greater,
            BinOp::Gt => ord == Ordering::Greater,
            _ => ord != Ordering::Less,
        }));
    }
    use Value::*;
    Ok(match (op, l, r) {
        (BinOp::Concat, l, r) => {
            let mut s = String::new();
            for v in [&l, &r] {
                match v {
                    Text(t) => s.push_str(t),
                    other => crate::types::io::write_value(&mut s, other, &Default::default()),
                }
            }
            Value::text(s)
        }
        (BinOp::ShiftLeft | BinOp::ShiftRight, l, r) => {
            let n = r.as_i64().unwrap_or(0) as u32;
            let shl = op == BinOp::ShiftLeft;
            match l {
                Int2(a) => Int2(if shl { a.wrapping_shl(n) } else { a.wrapping_shr(n) }),
                Int4(a) => Int4(if shl { a.wrapping_shl(n) } else { a.wrapping_shr(n) }),
                Int8(a) => Int8(if shl { a.wrapping_shl(n) } else { a.wrapping_shr(n) }),
                v => return Err(Error::internal(format!("bad shift operand {v:?}"))),
            }
        }
        (op, Int2(a), Int2(b)) => int_arith!(op, a, b, Int2, "smallint"),
        (op, Int4(a), Int4(b)) => int_arith!(op, a, b, Int4, "integer"),
        (op, Int8(a), Int8(b)) => int_arith!(op, a, b, Int8, "bigint"),
        (op, Float4(a), Float4(b)) => Float4(float_arith(op, a as f64, b as f64)? as f32),
        (op, Float8(a), Float8(b)) => Float8(float_arith(op, a, b)?),
        (op, Numeric(a), Numeric(b)) => Numeric(numeric_arith(op, a, b)?),
        (op, l, r) => crate::sql::functions::datetime_arith(op, l, r, tz)?,
    })
}

fn float_arith(op: BinOp, a: f64, b: f64) -> Result<f64> {
    let r = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => {
            if b == 0.0 {
                return Err(division_by_zero());
            }
            a / b
        }
        BinOp::Mod => {
            if b == 0.0 {
                return Err(division_by_zero());
            }
            a % b
        }
        BinOp::Pow => {
            if a == 0.0 && b < 0.0 {
                return Err(Error::new(
                    SqlState::INVALID_ARGUMENT_FOR_POWER,
                    "zero raised to a negative power is undefined",
                ));
            }
            if a < 0.0 && b.fract() != 0.0 {
                return Err(Error::new(
                    SqlState::INVALID_ARGUMENT_FOR_POWER,
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            a.powf(b)
        }
        _ => return Err(Error::internal(format!("bad float operator {op:?}"))),
    };
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(Error::out_of_range("value out of range: overflow"));
    }
    // As PostgreSQL's float8_mul and float8_div: a zero result from non-zero inputs.
    let underflow = match op {
        BinOp::Mul => r == 0.0 && a != 0.0 && b != 0.0,
        BinOp::Div => r == 0.0 && a != 0.0 && !b.is_infinite(),
        _ => false,
    };
    if underflow {
        return Err(Error::out_of_range("value out of range: underflow"));
    }
    Ok(r)
}

fn numeric_overflow() -> Error {
    Error::out_of_range("value overflows numeric format")
}

/// Numeric arithmetic with PostgreSQL's result scales.
pub fn numeric_arith(op: BinOp, a: Decimal, b: Decimal) -> Result<Decimal> {
    Ok(match op {
        BinOp::Add => a.checked_add(b).ok_or_else(numeric_overflow)?,
        BinOp::Sub => a.checked_sub(b).ok_or_else(numeric_overflow)?,
        BinOp::Mul => a.checked_mul(b).ok_or_else(numeric_overflow)?,
        BinOp::Div => numeric_div(a, b)?,
        BinOp::Mod => {
            if b.is_zero() {
                return Err(division_by_zero());
            }
            a.checked_rem(b).ok_or_else(numeric_overflow)?
        }
        BinOp::Pow => {
            if a.is_zero() && b.is_sign_negative() {
                return Err(Error::new(
                    SqlState::INVALID_ARGUMENT_FOR_POWER,
                    "zero raised to a negative power is undefined",
                ));
            }
            let r = if b.fract().is_zero() && b.abs() < Decimal::from(1000) {
                a.checked_powi(b.to_i64().unwrap_or(0))
            } else {
                if a.is_sign_negative() {
                    return Err(Error::new(
                        SqlState::INVALID_ARGUMENT_FOR_POWER,
                        "a negative number raised to a non-integer power yields a complex result",
                    ));
                }
                a.checked_powd(b)
            };
            let r = r.ok_or_else(numeric_overflow)?;
            // PostgreSQL shows at least 16 significant digits for power.
            let scale = (16 - (r.abs().to_f64().unwrap_or(1.0).max(1e-300).log10().floor() as i64 + 1))
                .clamp(a.scale().max(b.scale()) as i64, 28);
            let mut r = r.round_dp_with_strategy(scale as u32, RoundingStrategy::MidpointAwayFromZero);
            r.rescale(scale as u32);
            r
        }
        _ => return Err(Error::internal(format!("bad numeric operator {op:?}"))),
    })
}

/// Numeric division with PostgreSQL's `select_div_scale`: at least 16 significant
/// digits, and no fewer decimals than either input shows.
pub fn numeric_div(a: Decimal, b: Decimal) -> Result<Decimal> {
    if b.is_zero() {
        return Err(division_by_zero());
    }
    // PostgreSQL works in base 10000 digits: weight and first digit of each input.
    fn weight_and_first(d: Decimal) -> (i64, i64) {
        if d.is_zero() {
            return (0, 0);
        }
        let f = d.abs().to_f64().unwrap_or(1.0);
        let digits10 = f.log10().floor() as i64;
        let weight = digits10.div_euclid(4);
        let first = (f / 10f64.powi((weight * 4) as i32)).floor() as i64;
        (weight, first)
    }
    let (w1, f1) = weight_and_first(a);
    let (w2, f2) = weight_and_first(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (16 - qweight * 4).max(a.scale() as i64).max(b.scale() as i64).clamp(0, 28) as u32;
    let q = a.checked_div(b).ok_or_else(numeric_overflow)?;
    let mut q = q.round_dp_with_strategy(rscale, RoundingStrategy::MidpointAwayFromZero);
    if q.scale() < rscale {
        q.rescale(rscale);
    }
    Ok(q)
}

/// SQL LIKE matching with `%`, `_` and an escape character.
pub fn like(s: &str, pattern: &str, escape: Option<char>) -> Result<bool> {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Lit(char),
        One,
        Any,
        /// An escape character ending the pattern: an error, but only if matching
        /// reaches it (as in PostgreSQL).
        DanglingEscape,
    }
    let mut toks = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if Some(c) == escape {
            match p.get(i + 1) {
                Some(&next) => toks.push(Tok::Lit(next)),
                None => toks.push(Tok::DanglingEscape),
            }
            i += 2;
            continue;
        }
        toks.push(match c {
            '%' => Tok::Any,
            '_' => Tok::One,
            c => Tok::Lit(c),
        });
        i += 1;
    }
    let dangling = || Error::new(SqlState::INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character");
    // Iterative wildcard matching with backtracking to the last '%'.
    let (mut si, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if ti < toks.len() {
            match toks[ti] {
                Tok::Any => {
                    star = Some((ti, si));
                    ti += 1;
                    continue;
                }
                Tok::One => {
                    si += 1;
                    ti += 1;
                    continue;
                }
                Tok::Lit(c) if c == s[si] => {
                    si += 1;
                    ti += 1;
                    continue;
                }
                Tok::DanglingEscape => return Err(dangling()),
                _ => {}
            }
        }
        match star {
            Some((st, ss)) => {
                ti = st + 1;
                si = ss + 1;
                star = Some((st, ss + 1));
            }
            None => return Ok(false),
        }
    }
    Ok(toks[ti..].iter().all(|t| *t == Tok::Any))
}

/// Evaluates a subquery expression.
fn subquery(s: &Subquery, row: &[Value], env: &Env) -> Result<Value> {
    // The lhs of IN/ANY/ALL belongs to the current query, not the subquery.
    let lhs = match &s.kind {
        SubqueryKind::Quantified { lhs, .. } => Some(eval(lhs, row, env)?),
        _ => None,
    };
    if !s.correlated {
        let cached = env.ctx.subqueries.borrow().get(&s.id).cloned();
        let result = match cached {
            Some(r) => r,
            None => {
                let r = Rc::new(materialize(s, row, env)?);
                env.ctx.subqueries.borrow_mut().insert(s.id, r.clone());
                r
            }
        };
        return apply(s, lhs, &result);
    }
    let frame = Frame { row, parent: env.outer };
    let inner = Env { ctx: env.ctx, outer: Some(&frame) };
    match &s.kind {
        SubqueryKind::Exists => {
            let mut op = super::build(&s.plan);
            Ok(Value::Bool(op.next(&inner)?.is_some()))
        }
        SubqueryKind::Scalar => {
            let mut op = super::build(&s.plan);
            let first = op.next(&inner)?;
            if first.is_some() && op.next(&inner)?.is_some() {
                return Err(more_than_one_row());
            }
            Ok(first.and_then(|r| r.into_iter().next()).unwrap_or(Value::Null))
        }
        SubqueryKind::Quantified { op, all, .. } => {
            let lhs = lhs.expect("quantified subquery has a lhs");
            let mut it = super::build(&s.plan);
            let mut saw_null = lhs.is_null();
            while let Some(r) = it.next(&inner)? {
                let v = r.into_iter().next().unwrap_or(Value::Null);
                match compare(*op, &lhs, &v) {
                    None => saw_null = true,
                    Some(b) if b != *all => return Ok(Value::Bool(b)),
                    Some(_) => {}
                }
            }
            Ok(if saw_null { Value::Null } else { Value::Bool(*all) })
        }
    }
}

fn more_than_one_row() -> Error {
    Error::new(SqlState::CARDINALITY_VIOLATION, "more than one row returned by a subquery used as an expression")
}

fn materialize(s: &Subquery, row: &[Value], env: &Env) -> Result<SubqueryResult> {
    let frame = Frame { row, parent: env.outer };
    let inner = Env { ctx: env.ctx, outer: Some(&frame) };
    let rows = match s.kind {
        // EXISTS needs one row at most.
        SubqueryKind::Exists => super::build(&s.plan).next(&inner)?.into_iter().collect(),
        _ => collect(&s.plan, &inner)?,
    };
    if matches!(s.kind, SubqueryKind::Scalar) && rows.len() > 1 {
        return Err(more_than_one_row());
    }
    let values: Vec<Value> = rows.into_iter().map(|r| r.into_iter().next().unwrap_or(Value::Null)).collect();
    let has_null = values.iter().any(Value::is_null);
    let set = match s.kind {
        SubqueryKind::Quantified { op: BinOp::Eq, .. } => values.iter().filter(|v| !v.is_null()).cloned().collect(),
        _ => Default::default(),
    };
    Ok(SubqueryResult { values, set, has_null })
}

fn apply(s: &Subquery, lhs: Option<Value>, r: &SubqueryResult) -> Result<Value> {
    Ok(match &s.kind {
        SubqueryKind::Exists => Value::Bool(!r.values.is_empty()),
        SubqueryKind::Scalar => r.values.first().cloned().unwrap_or(Value::Null),
        SubqueryKind::Quantified { op, all, .. } => {
            let lhs = lhs.expect("quantified subquery has a lhs");
            if r.values.is_empty() {
                return Ok(Value::Bool(*all));
            }
            if lhs.is_null() {
                return Ok(Value::Null);
            }
            if *op == BinOp::Eq && !*all {
                return Ok(if r.set.contains(&lhs) {
                    Value::Bool(true)
                } else if r.has_null {
                    Value::Null
                } else {
                    Value::Bool(false)
                });
            }
            let mut saw_null = false;
            for v in &r.values {
                match compare(*op, &lhs, v) {
                    None => saw_null = true,
                    Some(b) if b != *all => return Ok(Value::Bool(b)),
                    Some(_) => {}
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*all)
            }
        }
    })
}

/// A comparison under three-valued logic: `None` if either side is NULL.
pub fn compare(op: BinOp, l: &Value, r: &Value) -> Option<bool> {
    let ord = l.sql_cmp(r)?;
    Some(match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::NotEq => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::LtEq => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let cases = [
            ("abc", "abc", true),
            ("abc", "a%", true),
            ("abc", "%c", true),
            ("abc", "%b%", true),
            ("abc", "a_c", true),
            ("abc", "a_", false),
            ("", "%", true),
            ("", "_", false),
            ("a%c", "a\\%c", true),
            ("abc", "a\\%c", false),
            ("mississippi", "%iss%ppi", true),
            ("mississippi", "m%s%s%z", false),
        ];
        for (s, p, want) in cases {
            assert_eq!(like(s, p, Some('\\')).unwrap(), want, "{s} LIKE {p}");
        }
        assert!(like("ab", "a\\", Some('\\')).is_err());
        assert!(!like("a", "b\\", Some('\\')).unwrap());
    }

    #[test]
    fn numeric_division_scale() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(numeric_div(d("1"), d("3")).unwrap().to_string(), "0.33333333333333333333");
        assert_eq!(numeric_div(d("3"), d("2")).unwrap().to_string(), "1.5000000000000000");
        assert_eq!(numeric_div(d("10"), d("4")).unwrap().to_string(), "2.5000000000000000");
        assert_eq!(numeric_div(d("100000"), d("3")).unwrap().to_string(), "33333.333333333333");
    }
}

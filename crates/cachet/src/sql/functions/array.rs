//! Array functions: the `ARRAY[...]` constructor, sizes and bounds, appending,
//! searching and replacing, `array_to_string`, and the `op ANY/ALL (array)`
//! comparisons.
//!
//! Arrays are one-dimensional with a lower bound of 1, so `array_length(a, 2)` is
//! always NULL and a nested constructor (`ARRAY[ARRAY[1,2]]`) reports 0A000.
//! Polymorphic signatures follow PostgreSQL's `anycompatible` rules: the element
//! type is the common type of the array's element type and the other arguments
//! (`array_append(ARRAY[1], 2.5)` is `numeric[]`); untyped literals become text.
//! Searching (`array_position`, `array_remove`, `array_replace`) compares with IS NOT
//! DISTINCT FROM, so NULL finds NULL, as in PostgreSQL.

use super::args::{any_arg, err, exact, int, text};
use super::{Func, Sig};
use crate::error::{Error, Result, SqlState};
use crate::sql::exec::ExecCtx;
use crate::sql::typing::common_type;
use crate::types::{cast, format_value, Array, CastContext, DataType, Value};
use std::cmp::Ordering;
use std::sync::Arc;

use DataType as T;

fn array_type(e: DataType) -> DataType {
    T::Array(Box::new(e))
}

/// The element type of an array argument (an untyped literal has none yet).
fn elem_of(t: &DataType) -> Option<DataType> {
    match t {
        T::Array(e) => Some((**e).clone()),
        T::Unknown => Some(T::Unknown),
        _ => None,
    }
}

/// The common element type of array element types and element arguments.
fn common_elem(types: &[DataType]) -> Option<DataType> {
    let t = common_type(types.iter(), "ARRAY").ok()?;
    (!matches!(t, T::Array(_))).then_some(t)
}

fn arr(v: &Value) -> Option<&Arc<Array>> {
    match v {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

fn make_array(element_type: DataType, items: Vec<Value>) -> Value {
    Value::Array(Arc::new(Array { element_type, items }))
}

fn ret_elem(ret: &DataType) -> DataType {
    elem_of(ret).unwrap_or(T::Text)
}

// ---------------------------------------------------------------------------
// The constructor
// ---------------------------------------------------------------------------

fn r_array(args: &[DataType]) -> Option<Sig> {
    if args.is_empty() {
        // NB: only meaningful under a cast (`ARRAY[]::int[]`), which converts the
        // elementless unknown[] to the target type.
        return Sig::new(vec![], array_type(T::Unknown));
    }
    let t = common_type(args.iter(), "ARRAY").ok()?;
    Sig::new(vec![t.clone(); args.len()], array_type(t))
}

fn e_array(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let elem = ret_elem(ret);
    if matches!(elem, T::Array(_)) {
        return Err(Error::unsupported("multidimensional arrays are not supported"));
    }
    Ok(make_array(elem, a.to_vec()))
}

// ---------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------

fn r_array_int(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [a @ T::Array(_), _] => exact(args, &[a.clone(), T::Int4], ret),
        _ => None,
    }
}

fn r_array_only(args: &[DataType], ret: DataType) -> Option<Sig> {
    match args {
        [a @ T::Array(_)] => Sig::new(vec![a.clone()], ret),
        _ => None,
    }
}

fn len(v: &Value) -> usize {
    arr(v).map_or(0, |a| a.items.len())
}

/// The upper bound of dimension `dim`, or NULL when the array has no such dimension.
fn e_array_length(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let n = len(&a[0]);
    Ok(if int(&a[1]) == 1 && n > 0 { Value::Int4(n as i32) } else { Value::Null })
}

fn e_array_lower(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(if int(&a[1]) == 1 && len(&a[0]) > 0 { Value::Int4(1) } else { Value::Null })
}

fn e_cardinality(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::Int4(len(&a[0]) as i32))
}

fn e_array_ndims(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(if len(&a[0]) > 0 { Value::Int4(1) } else { Value::Null })
}

fn e_array_dims(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let n = len(&a[0]);
    Ok(if n > 0 { Value::text(format!("[1:{n}]")) } else { Value::Null })
}

fn e_trim_array(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let items = arr(&a[0]).map_or(&[][..], |a| &a.items[..]);
    let n = int(&a[1]);
    if n < 0 || n as usize > items.len() {
        return Err(err(
            SqlState::ARRAY_SUBSCRIPT_ERROR,
            format!("number of elements to trim must be between 0 and {}", items.len()),
        ));
    }
    Ok(make_array(ret_elem(ret), items[..items.len() - n as usize].to_vec()))
}

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

fn r_append(args: &[DataType]) -> Option<Sig> {
    let [a, x] = args else { return None };
    let e = common_elem(&[elem_of(a)?, x.clone()])?;
    Sig::new(vec![array_type(e.clone()), e.clone()], array_type(e))
}

fn r_prepend(args: &[DataType]) -> Option<Sig> {
    let [x, a] = args else { return None };
    let e = common_elem(&[x.clone(), elem_of(a)?])?;
    Sig::new(vec![e.clone(), array_type(e.clone())], array_type(e))
}

fn r_cat(args: &[DataType]) -> Option<Sig> {
    let [a, b] = args else { return None };
    let e = common_elem(&[elem_of(a)?, elem_of(b)?])?;
    Sig::new(vec![array_type(e.clone()), array_type(e.clone())], array_type(e))
}

fn items(v: &Value) -> Vec<Value> {
    arr(v).map_or_else(Vec::new, |a| a.items.clone())
}

fn e_array_append(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let mut v = items(&a[0]);
    v.push(a[1].clone());
    Ok(make_array(ret_elem(ret), v))
}

fn e_array_prepend(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let mut v = vec![a[0].clone()];
    v.extend(items(&a[1]));
    Ok(make_array(ret_elem(ret), v))
}

fn e_array_cat(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    match (&a[0], &a[1]) {
        (Value::Null, Value::Null) => Ok(Value::Null),
        (x, y) => {
            let mut v = items(x);
            v.extend(items(y));
            Ok(make_array(ret_elem(ret), v))
        }
    }
}

// ---------------------------------------------------------------------------
// Searching
// ---------------------------------------------------------------------------

fn r_search(args: &[DataType], ret: Option<DataType>, extra: &[DataType]) -> Option<Sig> {
    if args.len() < 2 || args.len() > 2 + extra.len() {
        return None;
    }
    let e = common_elem(&[elem_of(&args[0])?, args[1].clone()])?;
    let mut params = vec![array_type(e.clone()), e.clone()];
    params.extend_from_slice(&extra[..args.len() - 2]);
    let ret = ret.unwrap_or_else(|| array_type(e));
    exact(args, &params, ret)
}

fn e_array_position(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let Some(arr) = arr(&a[0]) else {
        return Ok(Value::Null);
    };
    let start = match a.get(2) {
        Some(Value::Null) => {
            return Err(err(SqlState::NULL_VALUE_NOT_ALLOWED, "initial position must not be null"));
        }
        Some(v) => int(v).max(1) as usize,
        None => 1,
    };
    Ok(arr
        .items
        .iter()
        .enumerate()
        .skip(start - 1)
        .find(|(_, x)| **x == a[1])
        .map_or(Value::Null, |(i, _)| Value::Int4(i as i32 + 1)))
}

fn e_array_positions(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let Some(arr) = arr(&a[0]) else {
        return Ok(Value::Null);
    };
    let found =
        arr.items.iter().enumerate().filter(|(_, x)| **x == a[1]).map(|(i, _)| Value::Int4(i as i32 + 1)).collect();
    Ok(make_array(T::Int4, found))
}

fn e_array_remove(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let Some(arr) = arr(&a[0]) else {
        return Ok(Value::Null);
    };
    Ok(make_array(ret_elem(ret), arr.items.iter().filter(|x| **x != a[1]).cloned().collect()))
}

fn e_array_replace(a: &[Value], ret: &DataType, _: &ExecCtx) -> Result<Value> {
    let Some(arr) = arr(&a[0]) else {
        return Ok(Value::Null);
    };
    let items = arr.items.iter().map(|x| if *x == a[1] { a[2].clone() } else { x.clone() }).collect();
    Ok(make_array(ret_elem(ret), items))
}

fn r_replace(args: &[DataType]) -> Option<Sig> {
    let [a, x, y] = args else { return None };
    let e = common_elem(&[elem_of(a)?, x.clone(), y.clone()])?;
    Sig::new(vec![array_type(e.clone()), e.clone(), e.clone()], array_type(e))
}

// ---------------------------------------------------------------------------
// array_to_string
// ---------------------------------------------------------------------------

fn r_array_to_string(args: &[DataType]) -> Option<Sig> {
    match args {
        [a @ T::Array(_), _] => exact(args, &[a.clone(), T::Text], T::Text),
        [a @ T::Array(_), _, _] => exact(args, &[a.clone(), T::Text, T::Text], T::Text),
        _ => None,
    }
}

fn e_array_to_string(a: &[Value], _: &DataType, ctx: &ExecCtx) -> Result<Value> {
    let (Some(arr), Some(delim)) = (arr(&a[0]), a[1].as_str()) else {
        return Ok(Value::Null);
    };
    let null_str = a.get(2).and_then(|v| v.as_str());
    let mut out = String::new();
    let mut first = true;
    for v in &arr.items {
        let s = match (v, null_str) {
            (Value::Null, None) => continue,
            (Value::Null, Some(n)) => n.to_string(),
            (v, _) => format_value(v, ctx.tz),
        };
        if !first {
            out.push_str(delim);
        }
        first = false;
        out.push_str(&s);
    }
    Ok(Value::text(out))
}

// ---------------------------------------------------------------------------
// op ANY/ALL (array)
// ---------------------------------------------------------------------------

/// Compares two non-NULL values with a comparison operator's symbol.
fn compare(op: &str, l: &Value, r: &Value, elem: &DataType, ctx: &ExecCtx) -> Result<bool> {
    let ord = match (l, r) {
        (Value::Text(a), Value::Text(b)) if matches!(elem, T::Char(_)) => {
            a.trim_end_matches(' ').cmp(b.trim_end_matches(' '))
        }
        (l, r) if std::mem::discriminant(l) == std::mem::discriminant(r) => l.cmp(r),
        (l, r) if l.data_type().is_numeric() && r.data_type().is_numeric() => l.cmp(r),
        (l, r) => match cast(r.clone(), &l.data_type(), CastContext::Explicit, ctx.tz) {
            Ok(r) => l.cmp(&r),
            Err(_) => l.cmp(r),
        },
    };
    Ok(match op {
        "=" => ord == Ordering::Equal,
        "<>" | "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        "<=" => ord != Ordering::Greater,
        ">" => ord == Ordering::Greater,
        ">=" => ord != Ordering::Less,
        op => return Err(Error::internal(format!("unknown comparison operator {op}"))),
    })
}

/// `lhs op ANY (arr)` (`all` false) or `lhs op ALL (arr)`, with three-valued logic:
/// an empty array gives false (ANY) or true (ALL) even for a NULL `lhs`.
fn quantified(a: &[Value], all: bool, ctx: &ExecCtx) -> Result<Value> {
    let Some(arr) = arr(&a[2]) else {
        return Ok(Value::Null);
    };
    if arr.items.is_empty() {
        return Ok(Value::Bool(all));
    }
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let op = text(&a[1]);
    let mut saw_null = false;
    for x in &arr.items {
        if x.is_null() {
            saw_null = true;
            continue;
        }
        if compare(op, &a[0], x, &arr.element_type, ctx)? != all {
            return Ok(Value::Bool(!all));
        }
    }
    Ok(if saw_null { Value::Null } else { Value::Bool(all) })
}

fn r_quantified(args: &[DataType]) -> Option<Sig> {
    match args {
        [_, _, T::Array(_) | T::Unknown] => Sig::new(args.iter().map(any_arg).collect(), T::Bool),
        _ => None,
    }
}

pub static FUNCS: &[Func] = &[
    Func::new("array", r_array, e_array).lenient(),
    Func::new("array_length", |a| r_array_int(a, T::Int4), e_array_length),
    Func::new("array_upper", |a| r_array_int(a, T::Int4), e_array_length),
    Func::new("array_lower", |a| r_array_int(a, T::Int4), e_array_lower),
    Func::new("cardinality", |a| r_array_only(a, T::Int4), e_cardinality),
    Func::new("array_ndims", |a| r_array_only(a, T::Int4), e_array_ndims),
    Func::new("array_dims", |a| r_array_only(a, T::Text), e_array_dims),
    Func::new("trim_array", |a| r_array_int(a, a.first().cloned().unwrap_or(T::Unknown)), e_trim_array),
    Func::new("array_append", r_append, e_array_append).lenient(),
    Func::new("array_prepend", r_prepend, e_array_prepend).lenient(),
    Func::new("array_cat", r_cat, e_array_cat).lenient(),
    Func::new("array_position", |a| r_search(a, Some(T::Int4), &[T::Int4]), e_array_position).lenient(),
    Func::new("array_positions", |a| r_search(a, Some(array_type(T::Int4)), &[]), e_array_positions).lenient(),
    Func::new("array_remove", |a| r_search(a, None, &[]), e_array_remove).lenient(),
    Func::new("array_replace", r_replace, e_array_replace).lenient(),
    Func::new("array_to_string", r_array_to_string, e_array_to_string).lenient().stable(),
    Func::new("array_any", r_quantified, |a, _, ctx| quantified(a, false, ctx)).lenient(),
    Func::new("array_all", r_quantified, |a, _, ctx| quantified(a, true, ctx)).lenient(),
];

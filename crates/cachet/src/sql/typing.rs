//! Type resolution: which operator a pair of operand types selects, the common type of
//! a set of expressions (UNION, CASE, IN, VALUES), and the coercions that follow.
//!
//! The rules are a compact rendering of PostgreSQL's (see "Type Conversion" in its
//! manual): an untyped literal (`unknown`) takes the type of the other operand;
//! numbers promote along int2 < int4 < int8 < numeric < float8 (float4 with
//! anything but float4 gives float8); strings resolve to text; date < timestamp <
//! timestamptz.

use super::expr::BinOp;
use crate::error::{Error, Result, SqlState};
use crate::types::{DataType, TypeCategory};

/// The numeric type two numeric operands promote to.
pub fn promote_numeric(a: &DataType, b: &DataType) -> DataType {
    use DataType::*;
    match (a, b) {
        (x, y) if x.without_typmod() == y.without_typmod() => x.without_typmod(),
        (Float8, _) | (_, Float8) => Float8,
        (Float4, _) | (_, Float4) => Float8,
        (Numeric(_), _) | (_, Numeric(_)) => Numeric(None),
        (Int8, _) | (_, Int8) => Int8,
        (Int4, _) | (_, Int4) => Int4,
        _ => Int2,
    }
}

fn datetime_rank(t: &DataType) -> Option<u8> {
    match t {
        DataType::Date => Some(0),
        DataType::Timestamp => Some(1),
        DataType::TimestampTz => Some(2),
        _ => None,
    }
}

/// The common type of two types for comparison and for UNION/CASE, or `None`.
pub fn common_pair(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType::*;
    Some(match (a, b) {
        (Unknown, Unknown) => Text,
        (Unknown, t) | (t, Unknown) => t.clone(),
        (x, y) if x == y => x.clone(),
        (x, y) if x.is_numeric() && y.is_numeric() => promote_numeric(x, y),
        (x, y) if x.is_string() && y.is_string() => {
            if x.without_typmod() == y.without_typmod() {
                x.without_typmod()
            } else {
                Text
            }
        }
        (x, y) if datetime_rank(x).is_some() && datetime_rank(y).is_some() => {
            if datetime_rank(x) > datetime_rank(y) {
                x.clone()
            } else {
                y.clone()
            }
        }
        (Json, Jsonb) | (Jsonb, Json) => Jsonb,
        (Array(x), Array(y)) => Array(Box::new(common_pair(x, y)?)),
        _ => return None,
    })
}

/// The common type of many types, PostgreSQL's UNION/CASE resolution. `what` names the
/// construct for the error ("CASE", "UNION", "COALESCE", ...).
pub fn common_type<'a>(types: impl IntoIterator<Item = &'a DataType>, what: &str) -> Result<DataType> {
    let mut acc = DataType::Unknown;
    for t in types.into_iter().filter(|t| **t != DataType::Unknown) {
        acc = match common_pair(&acc, t) {
            Some(c) => c,
            None => {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("{what} types {acc} and {t} cannot be matched"),
                ))
            }
        };
    }
    Ok(if acc == DataType::Unknown { DataType::Text } else { acc })
}

/// The operand types an operator needs and its result type, for the given operand
/// types; `None` if no such operator exists.
pub fn resolve_binary(op: BinOp, l: &DataType, r: &DataType) -> Option<(DataType, DataType, DataType)> {
    use DataType::*;
    let same = |t: DataType, res: DataType| Some((t.clone(), t, res));
    if op.is_comparison() {
        let c = common_pair(l, r)?;
        if matches!(c, Json) {
            return None;
        }
        // char(n) compares without its padding: as text, after trimming.
        let c = if matches!(c, Char(_)) { Text } else { c };
        return same(c, Bool);
    }
    match op {
        BinOp::And | BinOp::Or => same(Bool, Bool),
        BinOp::Concat => match (l, r) {
            (Jsonb, Jsonb | Unknown) | (Unknown, Jsonb) => same(Jsonb, Jsonb),
            (Bytea, Bytea | Unknown) | (Unknown, Bytea) => same(Bytea, Bytea),
            (Array(e), Array(_) | Unknown) | (Unknown, Array(e)) => same(Array(e.clone()), Array(e.clone())),
            (Array(e), x) if common_pair(e, x).is_some() => Some((l.clone(), (**e).clone(), l.clone())),
            (x, Array(e)) if common_pair(e, x).is_some() => Some(((**e).clone(), r.clone(), r.clone())),
            (x, y) if x.is_string() || y.is_string() || *x == Unknown || *y == Unknown => {
                let side = |t: &DataType| {
                    if t.is_string() || *t == Unknown {
                        Text
                    } else {
                        t.clone()
                    }
                };
                Some((side(x), side(y), Text))
            }
            _ => None,
        },
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => arith(op, l, r),
        BinOp::Pow => {
            let t = match (l, r) {
                (Numeric(_), x) | (x, Numeric(_)) if x.is_numeric() || *x == Unknown => Numeric(None),
                (x, y) if (x.is_numeric() || *x == Unknown) && (y.is_numeric() || *y == Unknown) => Float8,
                _ => return None,
            };
            same(t.clone(), t)
        }
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            let t = match (l, r) {
                (x, y) if x.is_integer() && y.is_integer() => promote_numeric(x, y),
                (x, Unknown) | (Unknown, x) if x.is_integer() => x.clone(),
                _ => return None,
            };
            same(t.clone(), t)
        }
        BinOp::ShiftLeft | BinOp::ShiftRight => {
            if l.is_integer() && (r.is_integer() || *r == Unknown) {
                Some((l.clone(), Int4, l.clone()))
            } else {
                None
            }
        }
        BinOp::JsonGet | BinOp::JsonGetText => {
            let base = json_base(l)?;
            let res = if op == BinOp::JsonGet { base.clone() } else { Text };
            match r {
                Int2 | Int4 | Int8 => Some((base, Int4, res)),
                Text | Varchar(_) | Char(_) | Unknown => Some((base, Text, res)),
                _ => None,
            }
        }
        BinOp::JsonPath | BinOp::JsonPathText => {
            let base = json_base(l)?;
            let res = if op == BinOp::JsonPath { base.clone() } else { Text };
            Some((base, Array(Box::new(Text)), res))
        }
        BinOp::Contains | BinOp::ContainedBy => match (l, r) {
            (Jsonb, Jsonb | Unknown) | (Unknown, Jsonb) => same(Jsonb, Bool),
            (Array(e), Array(_) | Unknown) | (Unknown, Array(e)) => same(Array(e.clone()), Bool),
            _ => None,
        },
        BinOp::HasKey => (json_base(l)? == Jsonb).then_some((Jsonb, Text, Bool)),
        BinOp::HasAnyKey | BinOp::HasAllKeys => {
            (json_base(l)? == Jsonb).then_some((Jsonb, Array(Box::new(Text)), Bool))
        }
        _ => None,
    }
}

fn json_base(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Json => Some(DataType::Json),
        DataType::Jsonb | DataType::Unknown => Some(DataType::Jsonb),
        _ => None,
    }
}

fn arith(op: BinOp, l: &DataType, r: &DataType) -> Option<(DataType, DataType, DataType)> {
    use DataType::*;
    let num = |t: &DataType| t.is_numeric();
    match (l, r) {
        (x, y) if num(x) && num(y) => {
            let t = promote_numeric(x, y);
            Some((t.clone(), t.clone(), t))
        }
        (x, Unknown) if num(x) => Some((x.without_typmod(), x.without_typmod(), x.without_typmod())),
        (Unknown, y) if num(y) => Some((y.without_typmod(), y.without_typmod(), y.without_typmod())),
        (Unknown, Unknown) => None,
        // Date and time arithmetic, as PostgreSQL's operator catalog has it.
        (Date, y) if y.is_integer() || *y == Unknown => match op {
            BinOp::Add | BinOp::Sub => Some((Date, Int4, Date)),
            _ => None,
        },
        (x, Date) if x.is_integer() && op == BinOp::Add => Some((Int4, Date, Date)),
        (Date, Date) if op == BinOp::Sub => Some((Date, Date, Int4)),
        (Date, Interval) if matches!(op, BinOp::Add | BinOp::Sub) => Some((Date, Interval, Timestamp)),
        (Interval, Date) if op == BinOp::Add => Some((Interval, Date, Timestamp)),
        (Date, Time) if op == BinOp::Add => Some((Date, Time, Timestamp)),
        (Time, Date) if op == BinOp::Add => Some((Time, Date, Timestamp)),
        (t @ (Timestamp | TimestampTz | Time), Interval | Unknown) if matches!(op, BinOp::Add | BinOp::Sub) => {
            Some((t.clone(), Interval, t.clone()))
        }
        (Interval, t @ (Timestamp | TimestampTz | Time)) if op == BinOp::Add => Some((Interval, t.clone(), t.clone())),
        (t @ (Timestamp | TimestampTz | Time), u) if op == BinOp::Sub && u == t => {
            Some((t.clone(), t.clone(), Interval))
        }
        (Timestamp, TimestampTz) | (TimestampTz, Timestamp) if op == BinOp::Sub => {
            Some((TimestampTz, TimestampTz, Interval))
        }
        (Interval, Interval | Unknown) | (Unknown, Interval) if matches!(op, BinOp::Add | BinOp::Sub) => {
            Some((Interval, Interval, Interval))
        }
        (Interval, y) if num(y) && matches!(op, BinOp::Mul | BinOp::Div) => Some((Interval, Float8, Interval)),
        (x, Interval) if num(x) && op == BinOp::Mul => Some((Float8, Interval, Interval)),
        _ => None,
    }
}

/// The error for a missing operator.
pub fn no_operator(op: BinOp, l: &DataType, r: &DataType) -> Error {
    Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: {l} {} {r}", op.symbol()))
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

/// Whether values of type `from` can be used as `to` without any conversion at run
/// time (same representation, and no length limit to enforce).
pub fn same_representation(from: &DataType, to: &DataType) -> bool {
    if from == to {
        return true;
    }
    let unlimited = matches!(to, DataType::Text | DataType::Varchar(None) | DataType::Numeric(None));
    (from.is_string() && !matches!(from, DataType::Char(_)) && to.is_string() && unlimited)
        || (matches!(from, DataType::Numeric(_)) && *to == DataType::Numeric(None))
}

/// Whether a type belongs to a category usable as a boolean condition.
pub fn is_bool(t: &DataType) -> bool {
    matches!(t, DataType::Bool | DataType::Unknown) || t.category() == TypeCategory::Boolean
}

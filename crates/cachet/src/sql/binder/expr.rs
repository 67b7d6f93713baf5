//! Binding expressions.

use super::scope::Scope;
use super::types::convert_type;
use super::{ident, Binder};
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::{AggCall, AggFunc, BinOp, Expr, SortKey, Subquery, SubqueryKind, UnaryOp};
use crate::sql::functions;
use crate::sql::typing::{common_pair, common_type, no_operator, resolve_binary, same_representation};
use crate::types::{cast, cast_context, parse_value, CastContext, DataType, Value};
use sqlparser::ast;

/// How deeply bound expressions may nest (long AND/OR chains count as deep). Every
/// later recursive pass over expressions relies on this bound.
pub const MAX_EXPR_DEPTH: usize = 1500;

/// Whether aggregate calls may appear in the expression being bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggs {
    Allowed,
    /// Forbidden, naming the clause for the error message.
    Forbidden(&'static str),
}

impl Binder<'_> {
    /// Binds an expression against a scope.
    pub fn bind_expr(&mut self, e: &ast::Expr, scope: &Scope, aggs: Aggs) -> Result<Expr> {
        self.depth += 1;
        let r = if self.depth > MAX_EXPR_DEPTH {
            Err(Error::new(SqlState::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded")
                .with_hint(format!("Expressions may nest at most {MAX_EXPR_DEPTH} levels deep.")))
        } else {
            crate::util::with_stack(|| self.bind_expr_inner(e, scope, aggs))
        };
        self.depth -= 1;
        r.map_err(self.at(e))
    }

    /// Binds a condition (WHERE, HAVING, ON, ...) and checks that it is boolean.
    pub fn bind_condition(&mut self, e: &ast::Expr, scope: &Scope, aggs: Aggs, clause: &str) -> Result<Expr> {
        let bound = self.bind_expr(e, scope, aggs)?;
        self.coerce_condition(bound, clause).map_err(self.at(e))
    }

    pub fn coerce_condition(&mut self, e: Expr, clause: &str) -> Result<Expr> {
        match e.ty() {
            DataType::Bool => Ok(e),
            DataType::Unknown => self.coerce(e, &DataType::Bool, CastContext::Implicit),
            t => Err(Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("argument of {clause} must be type boolean, not type {t}"),
            )),
        }
    }

    /// Converts an expression to a type, as PostgreSQL's coercion does in `context`.
    /// Untyped literals and parameters take the type directly; constants are cast now.
    pub fn coerce(&mut self, e: Expr, to: &DataType, context: CastContext) -> Result<Expr> {
        let from = e.ty();
        if from == *to || *to == DataType::Unknown {
            return Ok(e);
        }
        match e {
            Expr::Param(i, DataType::Unknown) => {
                self.params[i] = to.clone();
                Ok(Expr::Param(i, to.clone()))
            }
            Expr::Const(v, DataType::Unknown) => {
                let v = match v {
                    Value::Null => Value::Null,
                    Value::Text(s) => parse_value(&s, to, self.tz)?,
                    other => cast(other, to, CastContext::Explicit, self.tz)?,
                };
                Ok(Expr::Const(v, to.clone()))
            }
            e => {
                if matches!(from, DataType::Char(_)) && to.is_string() && !matches!(to, DataType::Char(_)) {
                    let trimmed = bpchar_to_text(e);
                    return if *to == DataType::Text { Ok(trimmed) } else { self.coerce(trimmed, to, context) };
                }
                if same_representation(&from, to) {
                    return Ok(e);
                }
                match cast_context(&from, to) {
                    Some(c) if c <= context => {}
                    _ => {
                        return Err(Error::new(
                            if context == CastContext::Explicit {
                                SqlState::CANNOT_COERCE
                            } else {
                                SqlState::DATATYPE_MISMATCH
                            },
                            format!("cannot cast type {from} to {to}"),
                        ))
                    }
                }
                if let Expr::Const(v, _) = e {
                    return Ok(Expr::Const(cast(v, to, context, self.tz)?, to.clone()));
                }
                Ok(Expr::Cast(Box::new(e), to.clone()))
            }
        }
    }

    /// Coerces expressions to their common type.
    pub fn coerce_all(&mut self, exprs: Vec<Expr>, what: &str) -> Result<(Vec<Expr>, DataType)> {
        let types: Vec<DataType> = exprs.iter().map(Expr::ty).collect();
        let t = common_type(&types, what)?;
        let out = exprs.into_iter().map(|e| self.coerce(e, &t, CastContext::Implicit)).collect::<Result<_>>()?;
        Ok((out, t))
    }

    fn bind_expr_inner(&mut self, e: &ast::Expr, scope: &Scope, aggs: Aggs) -> Result<Expr> {
        use ast::Expr as A;
        Ok(match e {
            A::Identifier(i) => self.bind_column(None, i, scope)?,
            A::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.bind_column(Some(&ident(q)), c, scope)?,
                [_, q, c] => self.bind_column(Some(&ident(q)), c, scope)?,
                _ => return Err(Error::syntax(format!("improper qualified name: {e}"))),
            },
            A::Value(v) => self.bind_literal(&v.value)?,
            A::Nested(inner) => self.bind_expr(inner, scope, aggs)?,
            A::TypedString(ts) => {
                let ty = convert_type(&ts.data_type)?;
                let text = literal_text(&ts.value.value)?;
                Expr::Const(parse_value(&text, &ty, self.tz)?, ty)
            }
            A::Interval(iv) => self.bind_interval(iv, scope)?,
            A::Cast { expr, data_type, .. } => {
                let ty = convert_type(data_type)?;
                if let (A::Array(arr), DataType::Array(_)) = (expr.as_ref(), &ty) {
                    if arr.elem.is_empty() {
                        let inner = self.call("array", vec![])?;
                        return self.explicit_cast(inner, &ty);
                    }
                }
                let inner = self.bind_expr(expr, scope, aggs)?;
                self.explicit_cast(inner, &ty)?
            }
            A::UnaryOp { op, expr } => self.bind_unary(op, expr, scope, aggs)?,
            A::BinaryOp { op: op @ (ast::BinaryOperator::And | ast::BinaryOperator::Or), .. } => {
                self.bind_logical_chain(e, op, scope, aggs)?
            }
            A::BinaryOp { left, op, right } => {
                let op = match binary_op(op) {
                    Some(op) => op,
                    None => return self.bind_special_binary(left, op, right, scope, aggs),
                };
                let l = self.bind_expr(left, scope, aggs)?;
                let r = self.bind_expr(right, scope, aggs)?;
                self.binary(op, l, r)?
            }
            A::IsNull(inner) => Expr::IsNull(Box::new(self.bind_expr(inner, scope, aggs)?), false),
            A::IsNotNull(inner) => Expr::IsNull(Box::new(self.bind_expr(inner, scope, aggs)?), true),
            A::IsTrue(inner) => self.is_bool(inner, true, false, scope, aggs)?,
            A::IsNotTrue(inner) => self.is_bool(inner, true, true, scope, aggs)?,
            A::IsFalse(inner) => self.is_bool(inner, false, false, scope, aggs)?,
            A::IsNotFalse(inner) => self.is_bool(inner, false, true, scope, aggs)?,
            A::IsUnknown(inner) => {
                let b = self.bind_expr(inner, scope, aggs)?;
                Expr::IsNull(Box::new(self.coerce_condition(b, "IS UNKNOWN")?), false)
            }
            A::IsNotUnknown(inner) => {
                let b = self.bind_expr(inner, scope, aggs)?;
                Expr::IsNull(Box::new(self.coerce_condition(b, "IS NOT UNKNOWN")?), true)
            }
            A::IsDistinctFrom(l, r) | A::IsNotDistinctFrom(l, r) => {
                let negated = matches!(e, A::IsNotDistinctFrom(..));
                let l = self.bind_expr(l, scope, aggs)?;
                let r = self.bind_expr(r, scope, aggs)?;
                let (lt, rt) = (l.ty(), r.ty());
                let Some((a, b, _)) = resolve_binary(BinOp::Eq, &lt, &rt) else {
                    return Err(no_operator(BinOp::Eq, &lt, &rt));
                };
                let l = self.coerce(l, &a, CastContext::Implicit)?;
                let r = self.coerce(r, &b, CastContext::Implicit)?;
                Expr::IsDistinct(Box::new(l), Box::new(r), negated)
            }
            A::InList { expr, list, negated } => {
                let lhs = self.bind_expr(expr, scope, aggs)?;
                let mut items = vec![lhs];
                for item in list {
                    items.push(self.bind_expr(item, scope, aggs)?);
                }
                let (mut items, _) = self.coerce_all(items, "IN")?;
                let lhs = items.remove(0);
                Expr::InList { expr: Box::new(lhs), list: items, negated: *negated }
            }
            A::InSubquery { expr, subquery, negated } => {
                let lhs = self.bind_expr(expr, scope, aggs)?;
                let sub = self.bind_quantified(lhs, BinOp::Eq, false, subquery, scope)?;
                if *negated {
                    Expr::Unary(UnaryOp::Not, Box::new(sub), DataType::Bool)
                } else {
                    sub
                }
            }
            A::AnyOp { left, compare_op, right, .. } | A::AllOp { left, compare_op, right } => {
                let all = matches!(e, A::AllOp { .. });
                let op = binary_op(compare_op)
                    .filter(BinOp::is_comparison)
                    .ok_or_else(|| Error::syntax(format!("operator {compare_op} is not a comparison for ANY/ALL")))?;
                let lhs = self.bind_expr(left, scope, aggs)?;
                match right.as_ref() {
                    A::Subquery(q) => self.bind_quantified(lhs, op, all, q, scope)?,
                    other => {
                        let arr = self.bind_expr(other, scope, aggs)?;
                        self.bind_array_quantified(lhs, op, all, arr)?
                    }
                }
            }
            A::Between { expr, negated, low, high } => {
                let x = self.bind_expr(expr, scope, aggs)?;
                let lo = self.bind_expr(low, scope, aggs)?;
                let hi = self.bind_expr(high, scope, aggs)?;
                let (ge, le) = if *negated { (BinOp::Lt, BinOp::Gt) } else { (BinOp::GtEq, BinOp::LtEq) };
                let a = self.binary(ge, x.clone(), lo)?;
                let b = self.binary(le, x, hi)?;
                let join = if *negated { BinOp::Or } else { BinOp::And };
                Expr::Binary(join, Box::new(a), Box::new(b), DataType::Bool)
            }
            A::Like { negated, expr, pattern, escape_char, any: false }
            | A::ILike { negated, expr, pattern, escape_char, any: false } => {
                let ci = matches!(e, A::ILike { .. });
                self.bind_like(expr, pattern, escape_char.as_deref(), ci, *negated, scope, aggs)?
            }
            A::Case { operand, conditions, else_result, .. } => {
                self.bind_case(operand.as_deref(), conditions, else_result.as_deref(), scope, aggs)?
            }
            A::Exists { subquery, negated } => {
                let sub = self.bind_subquery(subquery, SubqueryKind::Exists, scope)?;
                if *negated {
                    Expr::Unary(UnaryOp::Not, Box::new(sub), DataType::Bool)
                } else {
                    sub
                }
            }
            A::Subquery(q) => self.bind_subquery(q, SubqueryKind::Scalar, scope)?,
            A::Function(f) => self.bind_function(f, scope, aggs)?,
            A::Extract { field, expr, .. } => {
                let arg = self.bind_expr(expr, scope, aggs)?;
                let unit = Expr::Const(Value::text(field.to_string().to_lowercase()), DataType::Text);
                self.call("extract", vec![unit, arg])?
            }
            A::Ceil { expr, field } | A::Floor { expr, field } => {
                let name = if matches!(e, A::Ceil { .. }) { "ceil" } else { "floor" };
                let arg = self.bind_expr(expr, scope, aggs)?;
                match field {
                    ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) => self.call(name, vec![arg])?,
                    ast::CeilFloorKind::Scale(v) => {
                        let s = self.bind_literal(&v.value)?;
                        self.call(name, vec![arg, s])?
                    }
                    _ => return Err(Error::syntax(format!("{name} does not take a field"))),
                }
            }
            A::Position { expr, r#in } => {
                let needle = self.bind_expr(expr, scope, aggs)?;
                let hay = self.bind_expr(r#in, scope, aggs)?;
                self.call("position", vec![hay, needle])?
            }
            A::Substring { expr, substring_from, substring_for, shorthand, .. } => {
                let mut args = vec![self.bind_expr(expr, scope, aggs)?];
                match (substring_from, substring_for) {
                    (Some(f), Some(n)) => {
                        args.push(self.bind_expr(f, scope, aggs)?);
                        args.push(self.bind_expr(n, scope, aggs)?);
                    }
                    (Some(f), None) => args.push(self.bind_expr(f, scope, aggs)?),
                    (None, Some(n)) => {
                        args.push(Expr::Const(Value::Int4(1), DataType::Int4));
                        args.push(self.bind_expr(n, scope, aggs)?);
                    }
                    (None, None) => {}
                }
                self.call(if *shorthand { "substr" } else { "substring" }, args)?
            }
            A::Trim { trim_where, trim_what, expr, trim_characters } => {
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut args = vec![self.bind_expr(expr, scope, aggs)?];
                if let Some(w) = trim_what {
                    args.push(self.bind_expr(w, scope, aggs)?);
                } else if let Some(chars) = trim_characters {
                    for c in chars {
                        args.push(self.bind_expr(c, scope, aggs)?);
                    }
                }
                self.call(name, args)?
            }
            A::Overlay { expr, overlay_what, overlay_from, overlay_for } => {
                let mut args = vec![
                    self.bind_expr(expr, scope, aggs)?,
                    self.bind_expr(overlay_what, scope, aggs)?,
                    self.bind_expr(overlay_from, scope, aggs)?,
                ];
                if let Some(f) = overlay_for {
                    args.push(self.bind_expr(f, scope, aggs)?);
                }
                self.call("overlay", args)?
            }
            A::AtTimeZone { timestamp, time_zone } => {
                let ts = self.bind_expr(timestamp, scope, aggs)?;
                let tz = self.bind_expr(time_zone, scope, aggs)?;
                self.call("timezone", vec![tz, ts])?
            }
            A::Array(arr) if arr.elem.is_empty() => {
                return Err(Error::new(SqlState("42P18"), "cannot determine type of empty array")
                    .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[]."))
            }
            A::Array(arr) => {
                let mut items = Vec::new();
                for item in &arr.elem {
                    items.push(self.bind_expr(item, scope, aggs)?);
                }
                self.call("array", items)?
            }
            A::Collate { expr, collation } => {
                let c = collation.to_string().trim_matches('"').to_lowercase();
                if !matches!(
                    c.as_str(),
                    "c" | "posix"
                        | "default"
                        | "ucs_basic"
                        | "pg_catalog.default"
                        | "pg_catalog.\"c\""
                        | "pg_catalog.c"
                ) {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("collation \"{c}\" for encoding \"UTF8\" does not exist"),
                    ));
                }
                self.bind_expr(expr, scope, aggs)?
            }
            A::SimilarTo { negated, expr, pattern, escape_char } => {
                let mut args = vec![self.bind_expr(expr, scope, aggs)?, self.bind_expr(pattern, scope, aggs)?];
                if let Some(esc) = escape_char {
                    args.push(self.bind_expr(esc, scope, aggs)?);
                }
                let m = self.call("similar_to", args)?;
                if *negated {
                    Expr::Unary(UnaryOp::Not, Box::new(m), DataType::Bool)
                } else {
                    m
                }
            }
            A::Tuple(_) => return Err(Error::unsupported("row constructors are not supported")),
            other => return Err(Error::unsupported(format!("expression not supported: {other}"))),
        })
    }

    /// Binds a chain of ANDs (or ORs) as a balanced tree, so that a generated
    /// `a OR b OR ... OR z` of thousands of terms stays shallow.
    fn bind_logical_chain(
        &mut self,
        e: &ast::Expr,
        op: &ast::BinaryOperator,
        scope: &Scope,
        aggs: Aggs,
    ) -> Result<Expr> {
        let mut terms = Vec::new();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match x {
                ast::Expr::BinaryOp { left, op: o, right } if o == op => {
                    stack.push(right);
                    stack.push(left);
                }
                other => terms.push(other),
            }
        }
        let bop = if *op == ast::BinaryOperator::And { BinOp::And } else { BinOp::Or };
        let name = if bop == BinOp::And { "AND" } else { "OR" };
        let mut bound = Vec::with_capacity(terms.len());
        for t in terms {
            let b = self.bind_expr(t, scope, aggs)?;
            bound.push(self.coerce_condition(b, name).map_err(self.at(t))?);
        }
        Ok(balanced(bop, bound))
    }

    /// An explicit `CAST(x AS t)` or `x::t`.
    pub fn explicit_cast(&mut self, inner: Expr, ty: &DataType) -> Result<Expr> {
        let from = inner.ty();
        if from == *ty {
            return Ok(inner);
        }
        if matches!(from, DataType::Char(_)) && ty.is_string() && !matches!(ty, DataType::Char(_)) {
            // bpchar to text drops the padding.
            let trimmed = bpchar_to_text(inner);
            return if *ty == DataType::Text { Ok(trimmed) } else { self.explicit_cast(trimmed, ty) };
        }
        match inner {
            Expr::Const(Value::Text(s), DataType::Unknown) => {
                // Read the literal as the type without its modifier, then apply the
                // modifier as an explicit cast does ('abcdef'::varchar(3) truncates).
                let v = parse_value(&s, &ty.without_typmod(), self.tz)?;
                Ok(Expr::Const(cast(v, ty, CastContext::Explicit, self.tz)?, ty.clone()))
            }
            Expr::Const(Value::Null, _) => Ok(Expr::Const(Value::Null, ty.clone())),
            Expr::Param(i, DataType::Unknown) => {
                self.params[i] = ty.clone();
                Ok(Expr::Param(i, ty.clone()))
            }
            inner => {
                if cast_context(&from, ty).is_none() {
                    return Err(Error::new(SqlState::CANNOT_COERCE, format!("cannot cast type {from} to {ty}")));
                }
                if let Expr::Const(v, _) = inner {
                    return Ok(Expr::Const(cast(v, ty, CastContext::Explicit, self.tz)?, ty.clone()));
                }
                Ok(Expr::Cast(Box::new(inner), ty.clone()))
            }
        }
    }

    /// Resolves and types a binary operator.
    pub fn binary(&mut self, op: BinOp, l: Expr, r: Expr) -> Result<Expr> {
        let (lt, rt) = (l.ty(), r.ty());
        if matches!(op, BinOp::And | BinOp::Or) {
            let name = if op == BinOp::And { "AND" } else { "OR" };
            let l = self.coerce_condition(l, name)?;
            let r = self.coerce_condition(r, name)?;
            return Ok(Expr::Binary(op, Box::new(l), Box::new(r), DataType::Bool));
        }
        let Some((a, b, res)) = resolve_binary(op, &lt, &rt) else {
            return Err(no_operator(op, &lt, &rt));
        };
        // Comparing char(n): both sides are bpchar first (so a literal loses its padding
        // too), then trimmed text.
        let (l, r) = if op.is_comparison() && matches!(common_pair(&lt, &rt), Some(DataType::Char(_))) {
            let bpchar = DataType::Char(None);
            (self.coerce(l, &bpchar, CastContext::Implicit)?, self.coerce(r, &bpchar, CastContext::Implicit)?)
        } else {
            (l, r)
        };
        let l = self.coerce(l, &a, CastContext::Implicit)?;
        let r = self.coerce(r, &b, CastContext::Implicit)?;
        Ok(Expr::Binary(op, Box::new(l), Box::new(r), res))
    }

    fn bind_special_binary(
        &mut self,
        left: &ast::Expr,
        op: &ast::BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
        aggs: Aggs,
    ) -> Result<Expr> {
        use ast::BinaryOperator as B;
        let (name, negated, ci) = match op {
            B::PGLikeMatch => ("like", false, false),
            B::PGNotLikeMatch => ("like", true, false),
            B::PGILikeMatch => ("like", false, true),
            B::PGNotILikeMatch => ("like", true, true),
            B::PGRegexMatch => ("regex", false, false),
            B::PGRegexNotMatch => ("regex", true, false),
            B::PGRegexIMatch => ("regex", false, true),
            B::PGRegexNotIMatch => ("regex", true, true),
            B::PGStartsWith => {
                let l = self.bind_expr(left, scope, aggs)?;
                let r = self.bind_expr(right, scope, aggs)?;
                return self.call("starts_with", vec![l, r]);
            }
            other => return Err(Error::unsupported(format!("operator {other} is not supported"))),
        };
        if name == "like" {
            return self.bind_like(left, right, None, ci, negated, scope, aggs);
        }
        let l = self.bind_expr(left, scope, aggs)?;
        let r = self.bind_expr(right, scope, aggs)?;
        let flags = Expr::Const(Value::text(if ci { "i" } else { "" }), DataType::Text);
        let m = self.call("regexp_like", vec![l, r, flags])?;
        Ok(if negated { Expr::Unary(UnaryOp::Not, Box::new(m), DataType::Bool) } else { m })
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_like(
        &mut self,
        expr: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        case_insensitive: bool,
        negated: bool,
        scope: &Scope,
        aggs: Aggs,
    ) -> Result<Expr> {
        let x = self.bind_expr(expr, scope, aggs)?;
        let p = self.bind_expr(pattern, scope, aggs)?;
        let text_like = |t: &DataType| t.is_string() || *t == DataType::Unknown;
        if !text_like(&x.ty()) || !text_like(&p.ty()) {
            let op = if case_insensitive { "~~*" } else { "~~" };
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("operator does not exist: {} {op} {}", x.ty(), p.ty()),
            )
            .with_hint(
                "No operator matches the given name and argument types. You might need to add explicit type casts.",
            ));
        }
        let x = self.coerce(x, &DataType::Text, CastContext::Implicit)?;
        let p = self.coerce(p, &DataType::Text, CastContext::Implicit)?;
        let escape = match escape {
            Some(e) => {
                let b = self.bind_expr(e, scope, aggs)?;
                Some(Box::new(self.coerce(b, &DataType::Text, CastContext::Implicit)?))
            }
            None => None,
        };
        Ok(Expr::Like { expr: Box::new(x), pattern: Box::new(p), escape, case_insensitive, negated })
    }

    fn is_bool(&mut self, inner: &ast::Expr, value: bool, negated: bool, scope: &Scope, aggs: Aggs) -> Result<Expr> {
        let b = self.bind_expr(inner, scope, aggs)?;
        let b = self.coerce_condition(b, "IS TRUE")?;
        Ok(Expr::IsBool(Box::new(b), value, negated))
    }

    fn bind_unary(&mut self, op: &ast::UnaryOperator, expr: &ast::Expr, scope: &Scope, aggs: Aggs) -> Result<Expr> {
        use ast::UnaryOperator as U;
        match op {
            U::Not => {
                let b = self.bind_expr(expr, scope, aggs)?;
                let b = self.coerce_condition(b, "NOT")?;
                Ok(Expr::Unary(UnaryOp::Not, Box::new(b), DataType::Bool))
            }
            U::Minus => {
                // A negative number literal is one literal, so that -2147483648 is an int4.
                if let ast::Expr::Value(v) = expr {
                    if let ast::Value::Number(n, _) = &v.value {
                        return number_literal(&format!("-{n}"));
                    }
                }
                let x = self.bind_expr(expr, scope, aggs)?;
                let x = match x.ty() {
                    DataType::Unknown => self.coerce(x, &DataType::Numeric(None), CastContext::Implicit)?,
                    _ => x,
                };
                let t = x.ty();
                if !(t.is_numeric() || t == DataType::Interval) {
                    return Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: - {t}")));
                }
                // Constant operands are folded by the optimizer (keeping -0.0 for floats).
                Ok(Expr::Unary(UnaryOp::Neg, Box::new(x), t))
            }
            U::Plus => {
                let x = self.bind_expr(expr, scope, aggs)?;
                let t = x.ty();
                if t == DataType::Unknown {
                    return self.coerce(x, &DataType::Numeric(None), CastContext::Implicit);
                }
                if !(t.is_numeric() || t == DataType::Interval) {
                    return Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: + {t}")));
                }
                Ok(x)
            }
            U::BitwiseNot => {
                let x = self.bind_expr(expr, scope, aggs)?;
                let t = x.ty();
                if !t.is_integer() {
                    return Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: ~ {t}")));
                }
                Ok(Expr::Unary(UnaryOp::BitNot, Box::new(x), t))
            }
            U::PGAbs => {
                let x = self.bind_expr(expr, scope, aggs)?;
                self.call("abs", vec![x])
            }
            U::PGSquareRoot => {
                let x = self.bind_expr(expr, scope, aggs)?;
                self.call("sqrt", vec![x])
            }
            U::PGCubeRoot => {
                let x = self.bind_expr(expr, scope, aggs)?;
                self.call("cbrt", vec![x])
            }
            other => Err(Error::unsupported(format!("operator {other} is not supported"))),
        }
    }

    fn bind_case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        scope: &Scope,
        aggs: Aggs,
    ) -> Result<Expr> {
        let mut whens = Vec::new();
        let mut results = Vec::new();
        let operand = match operand {
            Some(o) => Some(self.bind_expr(o, scope, aggs)?),
            None => None,
        };
        for cw in conditions {
            let w = self.bind_expr(&cw.condition, scope, aggs)?;
            let w = if operand.is_some() {
                w
            } else {
                self.coerce_condition(w, "CASE/WHEN").map_err(self.at(&cw.condition))?
            };
            whens.push(w);
            results.push(self.bind_expr(&cw.result, scope, aggs)?);
        }
        let otherwise = match else_result {
            Some(e) => self.bind_expr(e, scope, aggs)?,
            None => Expr::null(),
        };
        results.push(otherwise);
        let (mut results, ty) = self.coerce_all(results, "CASE")?;
        let otherwise = results.pop().expect("else pushed");
        let operand = match operand {
            Some(o) => {
                let mut all = vec![o];
                all.extend(whens);
                let (mut all, _) = self.coerce_all(all, "CASE/WHEN")?;
                let o = all.remove(0);
                whens = all;
                Some(Box::new(o))
            }
            None => None,
        };
        Ok(Expr::Case { operand, whens: whens.into_iter().zip(results).collect(), otherwise: Box::new(otherwise), ty })
    }

    fn bind_interval(&mut self, iv: &ast::Interval, scope: &Scope) -> Result<Expr> {
        let v = self.bind_expr(&iv.value, scope, Aggs::Forbidden("interval"))?;
        let Expr::Const(value, _) = v else {
            return Err(Error::syntax("INTERVAL needs a constant"));
        };
        let mut text = match value {
            Value::Text(s) => s.to_string(),
            other => crate::types::format_value(&other, self.tz),
        };
        if let Some(field) = &iv.leading_field {
            if iv.last_field.is_none() && text.trim().parse::<f64>().is_ok() {
                text = format!("{text} {}", field.to_string().to_lowercase());
            }
        }
        Ok(Expr::Const(parse_value(&text, &DataType::Interval, self.tz)?, DataType::Interval))
    }

    /// A literal value.
    pub fn bind_literal(&mut self, v: &ast::Value) -> Result<Expr> {
        use ast::Value as V;
        Ok(match v {
            V::Number(n, _) => number_literal(n)?,
            V::SingleQuotedString(s)
            | V::EscapedStringLiteral(s)
            | V::UnicodeStringLiteral(s)
            | V::NationalStringLiteral(s)
            | V::TripleSingleQuotedString(s) => Expr::Const(Value::text(s.as_str()), DataType::Unknown),
            V::DollarQuotedString(d) => Expr::Const(Value::text(d.value.as_str()), DataType::Unknown),
            V::HexStringLiteral(h) => {
                let bytes = (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(h.get(i..i + 2).unwrap_or("0"), 16))
                    .collect::<std::result::Result<Vec<u8>, _>>()
                    .map_err(|_| Error::syntax(format!("invalid hexadecimal string: {h}")))?;
                Expr::Const(Value::Bytea(bytes.into()), DataType::Bytea)
            }
            V::Boolean(b) => Expr::Const(Value::Bool(*b), DataType::Bool),
            V::Null => Expr::null(),
            V::Placeholder(p) => {
                let n: usize =
                    p.trim_start_matches('$').parse().map_err(|_| Error::syntax(format!("invalid parameter {p}")))?;
                if n == 0 || n > 65535 {
                    return Err(Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter {p}")));
                }
                if self.params.len() < n {
                    self.params.resize(n, DataType::Unknown);
                }
                Expr::Param(n - 1, self.params[n - 1].clone())
            }
            other => return Err(Error::unsupported(format!("literal not supported: {other}"))),
        })
    }

    fn bind_column(&mut self, qualifier: Option<&str>, name: &ast::Ident, scope: &Scope) -> Result<Expr> {
        let col = ident(name);
        if let Some(i) = scope.resolve(qualifier, &col)? {
            return Ok(Expr::Column(i, scope.columns[i].ty.clone()));
        }
        for (depth, outer) in self.outer.iter().rev().enumerate() {
            if let Some(i) = outer.resolve(qualifier, &col)? {
                return Ok(Expr::Outer(depth + 1, i, outer.columns[i].ty.clone()));
            }
        }
        if qualifier.is_none() {
            // SQL-standard functions written without parentheses.
            if let Some(e) = self.keyword_function(&col)? {
                return Ok(e);
            }
        }
        let err = match qualifier {
            Some(q) if !scope.has_qualifier(q) && !self.outer.iter().any(|s| s.has_qualifier(q)) => {
                Error::new(SqlState::UNDEFINED_TABLE, format!("missing FROM-clause entry for table \"{q}\""))
            }
            Some(q) => Error::new(SqlState::UNDEFINED_COLUMN, format!("column {q}.{col} does not exist")),
            None => Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{col}\" does not exist")),
        };
        Err(err.map_location(self, name))
    }

    fn keyword_function(&mut self, name: &str) -> Result<Option<Expr>> {
        let f = match name {
            "current_timestamp" | "current_date" | "current_time" | "localtimestamp" | "localtime" | "current_user"
            | "session_user" | "user" | "current_role" | "current_schema" | "current_catalog" => name,
            _ => return Ok(None),
        };
        Ok(Some(self.call(f, vec![])?))
    }

    /// Calls a scalar function by name, coercing the arguments to its signature.
    pub fn call(&mut self, name: &str, args: Vec<Expr>) -> Result<Expr> {
        let types: Vec<DataType> = args.iter().map(Expr::ty).collect();
        let (func, sig) = functions::lookup(name, &types)?;
        let args = args
            .into_iter()
            .zip(sig.args.iter().chain(std::iter::repeat(sig.args.last().unwrap_or(&DataType::Unknown))))
            .map(|(a, t)| self.coerce(a, t, CastContext::Implicit))
            .collect::<Result<Vec<_>>>()?;
        Ok(Expr::Func(func, args, sig.ret))
    }

    fn bind_function(&mut self, f: &ast::Function, scope: &Scope, aggs: Aggs) -> Result<Expr> {
        let name = super::object_name(&f.name)?;
        let name = name.strip_prefix("pg_catalog.").unwrap_or(&name).to_string();
        if f.over.is_some() {
            return Err(Error::unsupported("window functions are not supported yet"));
        }
        let (list, distinct, clauses) = match &f.args {
            ast::FunctionArguments::None => {
                if let Some(e) = self.keyword_function(&name)? {
                    return Ok(e);
                }
                (Vec::new(), false, Vec::new())
            }
            ast::FunctionArguments::List(l) => (
                l.args.clone(),
                matches!(l.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct)),
                l.clauses.clone(),
            ),
            ast::FunctionArguments::Subquery(_) => return Err(Error::unsupported("function over a subquery")),
        };
        if let Some(func) = agg_func(&name) {
            return self.bind_aggregate(func, &name, &list, distinct, &clauses, f, scope, aggs);
        }
        if distinct {
            return Err(Error::syntax(format!("DISTINCT specified, but {name} is not an aggregate function")));
        }
        if f.filter.is_some() {
            return Err(Error::syntax(format!("FILTER specified, but {name} is not an aggregate function")));
        }
        let mut args = Vec::new();
        for a in &list {
            match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => args.push(self.bind_expr(e, scope, aggs)?),
                _ => return Err(Error::syntax(format!("unsupported argument in call to {name}"))),
            }
        }
        match name.as_str() {
            "pg_typeof" if args.len() == 1 => {
                let t = functions::regtype_name(&args[0].ty());
                Ok(Expr::Const(Value::text(t), DataType::Text))
            }
            "coalesce" => {
                if args.is_empty() {
                    return Err(Error::syntax("COALESCE needs at least one argument"));
                }
                let (args, ty) = self.coerce_all(args, "COALESCE")?;
                Ok(Expr::Coalesce(args, ty))
            }
            "nullif" => {
                let [a, b]: [Expr; 2] = args
                    .try_into()
                    .map_err(|_| Error::new(SqlState::UNDEFINED_FUNCTION, "function nullif requires two arguments"))?;
                // NULLIF(a, b) is CASE WHEN a = b THEN NULL ELSE a END, typed by the
                // common type of a and b, as in PostgreSQL.
                let (mut ab, ty) = self.coerce_all(vec![a, b], "NULLIF")?;
                let b = ab.pop().expect("two arguments");
                let a = ab.pop().expect("two arguments");
                let eq = self.binary(BinOp::Eq, a.clone(), b)?;
                Ok(Expr::Case {
                    operand: None,
                    whens: vec![(eq, Expr::Const(Value::Null, ty.clone()))],
                    otherwise: Box::new(a),
                    ty,
                })
            }
            _ => {
                if !functions::exists(&name) {
                    let types: Vec<String> = args.iter().map(|a| a.ty().to_string()).collect();
                    return Err(Error::new(
                        SqlState::UNDEFINED_FUNCTION,
                        format!("function {name}({}) does not exist", types.join(", ")),
                    )
                    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."));
                }
                self.call(&name, args)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_aggregate(
        &mut self,
        func: AggFunc,
        name: &str,
        list: &[ast::FunctionArg],
        distinct: bool,
        clauses: &[ast::FunctionArgumentClause],
        f: &ast::Function,
        scope: &Scope,
        aggs: Aggs,
    ) -> Result<Expr> {
        if let Aggs::Forbidden(clause) = aggs {
            return Err(Error::new(
                SqlState::GROUPING_ERROR,
                format!("aggregate functions are not allowed in {clause}"),
            ));
        }
        let inner = Aggs::Forbidden("aggregate function calls");
        let mut args = Vec::new();
        let mut star = false;
        for a in list {
            match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    let b = self.bind_expr(e, scope, inner).map_err(|e| {
                        if e.message().starts_with("aggregate functions are not allowed") {
                            Error::new(SqlState::GROUPING_ERROR, "aggregate function calls cannot be nested")
                        } else {
                            e
                        }
                    })?;
                    args.push(b);
                }
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard) => star = true,
                _ => return Err(Error::syntax(format!("unsupported argument in call to {name}"))),
            }
        }
        let func = if star {
            if func != AggFunc::Count || !args.is_empty() {
                return Err(Error::syntax(format!("{name}(*) is not supported")));
            }
            AggFunc::CountStar
        } else if func == AggFunc::Count && args.is_empty() {
            AggFunc::CountStar
        } else {
            func
        };
        let mut order_by = Vec::new();
        for c in clauses {
            if let ast::FunctionArgumentClause::OrderBy(keys) = c {
                for k in keys {
                    let e = self.bind_expr(&k.expr, scope, inner)?;
                    let desc = matches!(k.options.sort, Some(ast::OrderBySort::Desc));
                    order_by.push(SortKey::new(e, desc, k.options.nulls_first));
                }
            }
        }
        for k in &f.within_group {
            let e = self.bind_expr(&k.expr, scope, inner)?;
            let desc = matches!(k.options.sort, Some(ast::OrderBySort::Desc));
            order_by.push(SortKey::new(e, desc, k.options.nulls_first));
        }
        let filter = match &f.filter {
            Some(fe) => Some(self.bind_condition(fe, scope, inner, "FILTER")?),
            None => None,
        };
        let (args, ty) = self.type_aggregate(func, name, args)?;
        Ok(Expr::Agg(Box::new(AggCall { func, args, distinct, filter, order_by, ty })))
    }

    fn type_aggregate(&mut self, func: AggFunc, name: &str, args: Vec<Expr>) -> Result<(Vec<Expr>, DataType)> {
        use DataType as T;
        let arity = match func {
            AggFunc::CountStar => 0,
            AggFunc::StringAgg | AggFunc::JsonObjectAgg | AggFunc::JsonbObjectAgg => 2,
            _ => 1,
        };
        let types: Vec<DataType> = args.iter().map(Expr::ty).collect();
        let undefined = || {
            let list: Vec<String> = types.iter().map(|t| t.to_string()).collect();
            Error::new(SqlState::UNDEFINED_FUNCTION, format!("function {name}({}) does not exist", list.join(", ")))
                .with_hint(
                    "No function matches the given name and argument types. You might need to add explicit type casts.",
                )
        };
        if args.len() != arity {
            return Err(undefined());
        }
        let first = types.first().cloned().unwrap_or(T::Int8);
        let unknown_to = |t: DataType| {
            if first == T::Unknown {
                t
            } else {
                first.without_typmod()
            }
        };
        let (arg_ty, ret) = match func {
            AggFunc::CountStar | AggFunc::Count => (unknown_to(T::Text), T::Int8),
            AggFunc::Sum => {
                let t = unknown_to(T::Numeric(None));
                let ret = match t {
                    T::Int2 | T::Int4 => T::Int8,
                    T::Int8 | T::Numeric(_) => T::Numeric(None),
                    T::Float4 => T::Float4,
                    T::Float8 => T::Float8,
                    T::Interval => T::Interval,
                    _ => return Err(undefined()),
                };
                (t, ret)
            }
            AggFunc::Avg => {
                let t = unknown_to(T::Numeric(None));
                let ret = match t {
                    T::Int2 | T::Int4 | T::Int8 | T::Numeric(_) => T::Numeric(None),
                    T::Float4 | T::Float8 => T::Float8,
                    T::Interval => T::Interval,
                    _ => return Err(undefined()),
                };
                (t, ret)
            }
            AggFunc::Min | AggFunc::Max => {
                // PostgreSQL has min/max for numbers, strings, dates and times, and arrays.
                let t = unknown_to(T::Text);
                let ok = t.is_numeric()
                    || t.is_string()
                    || matches!(t, T::Date | T::Time | T::Timestamp | T::TimestampTz | T::Interval | T::Array(_));
                if !ok {
                    return Err(undefined());
                }
                (t.clone(), t)
            }
            AggFunc::BoolAnd | AggFunc::BoolOr => {
                if !matches!(first, T::Bool | T::Unknown) {
                    return Err(undefined());
                }
                (T::Bool, T::Bool)
            }
            AggFunc::StringAgg => {
                if first == T::Bytea {
                    (T::Bytea, T::Bytea)
                } else if first.is_string() || first == T::Unknown {
                    (T::Text, T::Text)
                } else {
                    return Err(undefined());
                }
            }
            AggFunc::ArrayAgg => {
                let t = unknown_to(T::Text);
                (t.clone(), T::Array(Box::new(t)))
            }
            AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop => {
                let t = unknown_to(T::Numeric(None));
                let ret = match &t {
                    T::Float4 | T::Float8 => T::Float8,
                    t if t.is_numeric() => T::Numeric(None),
                    _ => return Err(undefined()),
                };
                (t, ret)
            }
            AggFunc::JsonAgg | AggFunc::JsonObjectAgg => (unknown_to(T::Text), T::Json),
            AggFunc::JsonbAgg | AggFunc::JsonbObjectAgg => (unknown_to(T::Text), T::Jsonb),
        };
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.into_iter().enumerate() {
            let target = match (func, i) {
                (AggFunc::StringAgg, 1) => arg_ty.clone(),
                (AggFunc::JsonObjectAgg | AggFunc::JsonbObjectAgg, 1) => {
                    if a.ty() == T::Unknown {
                        T::Text
                    } else {
                        a.ty()
                    }
                }
                _ => arg_ty.clone(),
            };
            out.push(self.coerce(a, &target, CastContext::Implicit)?);
        }
        Ok((out, ret))
    }

    /// Binds a subquery used as an expression.
    pub fn bind_subquery(&mut self, q: &ast::Query, kind: SubqueryKind, scope: &Scope) -> Result<Expr> {
        self.outer.push(scope.clone());
        let bound = self.bind_query(q);
        self.outer.pop();
        let bound = bound?;
        if !matches!(kind, SubqueryKind::Exists) && bound.columns.len() != 1 {
            return Err(Error::syntax("subquery must return only one column"));
        }
        let ty = match kind {
            SubqueryKind::Scalar => bound.columns[0].ty.clone(),
            _ => DataType::Bool,
        };
        let correlated = bound.root.is_correlated();
        let id = self.next_subquery_id();
        Ok(Expr::Subquery(Box::new(Subquery { id, kind, plan: bound.root, correlated, ty })))
    }

    fn bind_quantified(&mut self, lhs: Expr, op: BinOp, all: bool, q: &ast::Query, scope: &Scope) -> Result<Expr> {
        self.outer.push(scope.clone());
        let bound = self.bind_query(q);
        self.outer.pop();
        let mut bound = bound?;
        if bound.columns.len() != 1 {
            let msg =
                if bound.columns.len() > 1 { "subquery has too many columns" } else { "subquery has too few columns" };
            return Err(Error::syntax(msg));
        }
        let (lt, rt) = (lhs.ty(), bound.columns[0].ty.clone());
        let Some((a, b, _)) = resolve_binary(op, &lt, &rt) else {
            return Err(no_operator(op, &lt, &rt));
        };
        let lhs = self.coerce(lhs, &a, CastContext::Implicit)?;
        if b != rt && !same_representation(&rt, &b) {
            let col = self.coerce(Expr::Column(0, rt), &b, CastContext::Implicit)?;
            bound.root = crate::sql::plan::Node::Project {
                input: Box::new(bound.root),
                exprs: vec![col],
                names: vec![bound.columns[0].name.clone()],
            };
        }
        let correlated = bound.root.is_correlated();
        let id = self.next_subquery_id();
        Ok(Expr::Subquery(Box::new(Subquery {
            id,
            kind: SubqueryKind::Quantified { lhs: Box::new(lhs), op, all },
            plan: bound.root,
            correlated,
            ty: DataType::Bool,
        })))
    }

    fn bind_array_quantified(&mut self, lhs: Expr, op: BinOp, all: bool, arr: Expr) -> Result<Expr> {
        let elem = match arr.ty() {
            DataType::Array(e) => *e,
            DataType::Unknown => {
                if lhs.ty() == DataType::Unknown {
                    DataType::Text
                } else {
                    lhs.ty()
                }
            }
            t => {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("op ANY/ALL (array) requires array on right side, not {t}"),
                ))
            }
        };
        let arr = self.coerce(arr, &DataType::Array(Box::new(elem.clone())), CastContext::Implicit)?;
        let lt = lhs.ty();
        let Some((a, _, _)) = resolve_binary(op, &lt, &elem) else {
            return Err(no_operator(op, &lt, &elem));
        };
        let lhs = self.coerce(lhs, &a, CastContext::Implicit)?;
        let op_name = Expr::Const(Value::text(op.symbol()), DataType::Text);
        let name = if all { "array_all" } else { "array_any" };
        let (func, _) = functions::lookup(name, &[lhs.ty(), DataType::Text, arr.ty()])?;
        Ok(Expr::Func(func, vec![lhs, op_name, arr], DataType::Bool))
    }
}

trait MapLocation {
    fn map_location(self, b: &Binder, node: &ast::Ident) -> Self;
}

impl MapLocation for Error {
    fn map_location(self, b: &Binder, node: &ast::Ident) -> Self {
        let span = node.span;
        if span.start.line > 0 {
            self.with_location(b.sql, span.start.line as u32, span.start.column as u32)
        } else {
            self
        }
    }
}

/// Converts a `char(n)` value to text, dropping the trailing padding as PostgreSQL does.
fn bpchar_to_text(e: Expr) -> Expr {
    Expr::Func(&functions::BPCHAR_TO_TEXT, vec![e], DataType::Text)
}

/// Joins boolean terms with AND/OR as a balanced tree (evaluation order is kept).
fn balanced(op: BinOp, mut terms: Vec<Expr>) -> Expr {
    if terms.len() == 1 {
        return terms.pop().expect("one term");
    }
    let right = terms.split_off(terms.len() / 2);
    Expr::Binary(op, Box::new(balanced(op, terms)), Box::new(balanced(op, right)), DataType::Bool)
}

/// Types a number literal as PostgreSQL does: int4 if it fits, then int8, else numeric.
pub fn number_literal(n: &str) -> Result<Expr> {
    let clean: String = n.chars().filter(|c| *c != '_').collect();
    if !clean.contains(['.', 'e', 'E']) {
        if let Ok(i) = clean.parse::<i32>() {
            return Ok(Expr::Const(Value::Int4(i), DataType::Int4));
        }
        if let Ok(i) = clean.parse::<i64>() {
            return Ok(Expr::Const(Value::Int8(i), DataType::Int8));
        }
    }
    let t = DataType::Numeric(None);
    match parse_value(&clean, &t, &Default::default()) {
        Ok(v) => Ok(Expr::Const(v, t)),
        // Beyond numeric's 28 digits: a literal written with an exponent (1e100) is
        // taken as double precision, its common meaning; plain digits are an error
        // rather than a silently rounded float.
        Err(e) => match clean.parse::<f64>() {
            Ok(f) if f.is_finite() && clean.contains(['e', 'E']) => Ok(Expr::Const(Value::Float8(f), DataType::Float8)),
            _ => Err(e),
        },
    }
}

/// The text of a string literal.
pub fn literal_text(v: &ast::Value) -> Result<String> {
    use ast::Value as V;
    match v {
        V::SingleQuotedString(s)
        | V::EscapedStringLiteral(s)
        | V::UnicodeStringLiteral(s)
        | V::NationalStringLiteral(s) => Ok(s.clone()),
        V::DollarQuotedString(d) => Ok(d.value.clone()),
        V::Number(n, _) => Ok(n.clone()),
        other => Err(Error::syntax(format!("expected a string literal, found {other}"))),
    }
}

fn binary_op(op: &ast::BinaryOperator) -> Option<BinOp> {
    use ast::BinaryOperator as B;
    Some(match op {
        B::Plus => BinOp::Add,
        B::Minus => BinOp::Sub,
        B::Multiply => BinOp::Mul,
        B::Divide => BinOp::Div,
        B::Modulo => BinOp::Mod,
        B::StringConcat => BinOp::Concat,
        B::Gt => BinOp::Gt,
        B::Lt => BinOp::Lt,
        B::GtEq => BinOp::GtEq,
        B::LtEq => BinOp::LtEq,
        B::Eq => BinOp::Eq,
        B::NotEq => BinOp::NotEq,
        B::And => BinOp::And,
        B::Or => BinOp::Or,
        B::BitwiseAnd => BinOp::BitAnd,
        B::BitwiseOr => BinOp::BitOr,
        B::PGBitwiseXor | B::BitwiseXor => BinOp::BitXor,
        B::PGBitwiseShiftLeft => BinOp::ShiftLeft,
        B::PGBitwiseShiftRight => BinOp::ShiftRight,
        B::PGExp => BinOp::Pow,
        B::Arrow => BinOp::JsonGet,
        B::LongArrow => BinOp::JsonGetText,
        B::HashArrow => BinOp::JsonPath,
        B::HashLongArrow => BinOp::JsonPathText,
        B::AtArrow => BinOp::Contains,
        B::ArrowAt => BinOp::ContainedBy,
        B::Question => BinOp::HasKey,
        B::QuestionPipe => BinOp::HasAnyKey,
        B::QuestionAnd => BinOp::HasAllKeys,
        _ => return None,
    })
}

fn agg_func(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "string_agg" => AggFunc::StringAgg,
        "array_agg" => AggFunc::ArrayAgg,
        "bool_and" | "every" => AggFunc::BoolAnd,
        "bool_or" => AggFunc::BoolOr,
        "stddev" | "stddev_samp" => AggFunc::StddevSamp,
        "stddev_pop" => AggFunc::StddevPop,
        "variance" | "var_samp" => AggFunc::VarSamp,
        "var_pop" => AggFunc::VarPop,
        "json_agg" => AggFunc::JsonAgg,
        "jsonb_agg" => AggFunc::JsonbAgg,
        "json_object_agg" => AggFunc::JsonObjectAgg,
        "jsonb_object_agg" => AggFunc::JsonbObjectAgg,
        _ => return None,
    })
}

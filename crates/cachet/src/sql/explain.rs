//! Rendering plans and expressions for EXPLAIN.

use super::expr::{Expr, SubqueryKind, UnaryOp};
use super::plan::{Access, KeyBound, KeyRange, Node};
use crate::catalog::Table;
use crate::types::Value;

/// Display names of a node's output columns.
pub fn output_names(node: &Node) -> Vec<String> {
    match node {
        Node::Scan(s) => s.table.schema.columns.iter().map(|c| format!("{}.{}", s.alias, c.name)).collect(),
        Node::Values { width, .. } | Node::Empty { width } => (1..=*width).map(|i| format!("column{i}")).collect(),
        Node::Project { input, exprs, names } => {
            let inner = output_names(input);
            exprs
                .iter()
                .zip(names)
                .map(|(e, n)| if n.is_empty() { show_expr(e, &inner) } else { show_expr_named(e, &inner, n) })
                .collect()
        }
        Node::NestedLoopJoin { left, right, kind, .. } | Node::HashJoin { left, right, kind, .. } => {
            let mut n = output_names(left);
            if kind.outputs_right() {
                n.extend(output_names(right));
            }
            n
        }
        Node::Aggregate { input, group_by, aggs } => {
            let inner = output_names(input);
            group_by
                .iter()
                .map(|g| show_expr(g, &inner))
                .chain(aggs.iter().map(|a| show_expr(&Expr::Agg(Box::new(a.clone())), &inner)))
                .collect()
        }
        Node::SetOp { left, .. } => output_names(left),
        Node::LockRows(l) => output_names(&l.input),
        Node::Filter { input, .. }
        | Node::Sort { input, .. }
        | Node::Limit { input, .. }
        | Node::Distinct { input } => output_names(input),
    }
}

/// A projected column shows as its expression, unless it is a plain reference.
fn show_expr_named(e: &Expr, inner: &[String], _name: &str) -> String {
    show_expr(e, inner)
}

/// Renders an expression with column names.
pub fn show_expr(e: &Expr, names: &[String]) -> String {
    crate::util::with_stack(|| show_expr_inner(e, names))
}

fn show_expr_inner(e: &Expr, names: &[String]) -> String {
    let s = |x: &Expr| show_expr(x, names);
    match e {
        Expr::Const(v, _) => match v {
            Value::Null => "NULL".into(),
            Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
            v => crate::types::format_value(v, &Default::default()),
        },
        Expr::Column(i, _) => names.get(*i).cloned().unwrap_or_else(|| format!("${i}")),
        Expr::Outer(d, i, _) => format!("outer{d}.#{i}"),
        Expr::Param(i, _) => format!("${}", i + 1),
        Expr::Unary(op, x, _) => match op {
            UnaryOp::Neg => format!("(- {})", s(x)),
            UnaryOp::Not => format!("(NOT {})", s(x)),
            UnaryOp::BitNot => format!("(~ {})", s(x)),
        },
        Expr::Binary(op, l, r, _) => format!("({} {} {})", s(l), op.symbol(), s(r)),
        Expr::IsNull(x, n) => format!("({} IS {}NULL)", s(x), if *n { "NOT " } else { "" }),
        Expr::IsDistinct(l, r, n) => format!("({} IS {}DISTINCT FROM {})", s(l), if *n { "NOT " } else { "" }, s(r)),
        Expr::IsBool(x, v, n) => {
            format!("({} IS {}{})", s(x), if *n { "NOT " } else { "" }, if *v { "TRUE" } else { "FALSE" })
        }
        Expr::Cast(x, t) => format!("({})::{t}", s(x)),
        Expr::Like { expr, pattern, negated, case_insensitive, .. } => format!(
            "({} {}{} {})",
            s(expr),
            if *negated { "NOT " } else { "" },
            if *case_insensitive { "ILIKE" } else { "LIKE" },
            s(pattern)
        ),
        Expr::InList { expr, list, negated } => format!(
            "({} {}IN ({}))",
            s(expr),
            if *negated { "NOT " } else { "" },
            list.iter().map(s).collect::<Vec<_>>().join(", ")
        ),
        Expr::Case { whens, otherwise, .. } => {
            let mut out = "CASE".to_string();
            for (w, t) in whens {
                out.push_str(&format!(" WHEN {} THEN {}", s(w), s(t)));
            }
            out.push_str(&format!(" ELSE {} END", s(otherwise)));
            out
        }
        Expr::Coalesce(args, _) => format!("COALESCE({})", args.iter().map(s).collect::<Vec<_>>().join(", ")),
        Expr::Func(f, args, _) => format!("{}({})", f.name, args.iter().map(s).collect::<Vec<_>>().join(", ")),
        Expr::Subquery(sub) => {
            let n = sub.id + 1;
            let kind = if sub.correlated { "SubPlan" } else { "InitPlan" };
            match &sub.kind {
                SubqueryKind::Scalar => format!("({kind} {n})"),
                SubqueryKind::Exists => format!("(EXISTS {kind} {n})"),
                SubqueryKind::Quantified { lhs, op, all } => {
                    format!("({} {} {}({kind} {n}))", s(lhs), op.symbol(), if *all { "ALL" } else { "ANY" })
                }
            }
        }
        Expr::Agg(a) => {
            let args: Vec<String> = a.args.iter().map(s).collect();
            let inner = if a.args.is_empty() { "*".to_string() } else { args.join(", ") };
            let mut out = format!("{}({}{inner})", a.func.name(), if a.distinct { "DISTINCT " } else { "" });
            if let Some(f) = &a.filter {
                out.push_str(&format!(" FILTER (WHERE {})", s(f)));
            }
            out
        }
    }
}

/// Renders one key range of an index scan.
pub fn show_range(r: &KeyRange, table: &Table, access: &Access) -> String {
    let cols: Vec<String> = match access {
        Access::Index { index, .. } => table
            .schema
            .indexes
            .iter()
            .find(|i| i.id == *index)
            .map(|i| i.columns.iter().map(|&c| table.schema.columns[c].name.clone()).collect())
            .unwrap_or_default(),
        _ => table.schema.key_columns().iter().map(|&c| table.schema.columns[c].name.clone()).collect(),
    };
    let none: Vec<String> = Vec::new();
    let show_vals = |v: &[Expr]| v.iter().map(|e| show_expr(e, &none)).collect::<Vec<_>>();
    if let Some(p) = r.as_point() {
        let vals = show_vals(p);
        return cols.iter().zip(vals).map(|(c, v)| format!("{c} = {v}")).collect::<Vec<_>>().join(" AND ");
    }
    let mut parts = Vec::new();
    let bound = |b: &KeyBound, lower: bool, parts: &mut Vec<String>| {
        let (vals, incl) = match b {
            KeyBound::Unbounded => return,
            KeyBound::Included(v) => (v, true),
            KeyBound::Excluded(v) => (v, false),
        };
        let vals = show_vals(vals);
        for (i, (c, v)) in cols.iter().zip(&vals).enumerate() {
            let last = i + 1 == vals.len();
            let op = match (last, lower, incl) {
                (false, _, _) => "=",
                (true, true, true) => ">=",
                (true, true, false) => ">",
                (true, false, true) => "<=",
                (true, false, false) => "<",
            };
            let p = format!("{c} {op} {v}");
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
    };
    bound(&r.lower, true, &mut parts);
    bound(&r.upper, false, &mut parts);
    parts.join(" AND ")
}

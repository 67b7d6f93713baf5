//! Bound expressions.
//!
//! The binder turns the parser's AST into [`Expr`] trees whose names are resolved and
//! whose types are known: a column is an index into the input row, an outer
//! (correlated) column is a depth and an index, every operator has operands of
//! matching types (the binder inserted the casts), and every node knows its result
//! type. Evaluation (`exec::eval`) is then a plain tree walk without lookups.

use super::functions::Func;
use super::plan::Node;
use crate::types::{DataType, Value};

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
    BitNot,
}

/// Binary operators, after type resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    And,
    Or,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    BitAnd,
    BitOr,
    BitXor,
    ShiftLeft,
    ShiftRight,
    /// jsonb `->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`, `?|`, `?&`.
    JsonGet,
    JsonGetText,
    JsonPath,
    JsonPathText,
    Contains,
    ContainedBy,
    HasKey,
    HasAnyKey,
    HasAllKeys,
}

impl BinOp {
    pub fn is_comparison(&self) -> bool {
        matches!(self, BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq)
    }

    /// The comparison with its operands swapped: `a < b` is `b > a`.
    pub fn flip(&self) -> BinOp {
        match self {
            BinOp::Lt => BinOp::Gt,
            BinOp::LtEq => BinOp::GtEq,
            BinOp::Gt => BinOp::Lt,
            BinOp::GtEq => BinOp::LtEq,
            op => *op,
        }
    }

    /// The negated comparison: NOT (a < b) is a >= b.
    pub fn negate(&self) -> Option<BinOp> {
        Some(match self {
            BinOp::Eq => BinOp::NotEq,
            BinOp::NotEq => BinOp::Eq,
            BinOp::Lt => BinOp::GtEq,
            BinOp::LtEq => BinOp::Gt,
            BinOp::Gt => BinOp::LtEq,
            BinOp::GtEq => BinOp::Lt,
            _ => return None,
        })
    }

    pub fn symbol(&self) -> &'static str {
        use BinOp::*;
        match self {
            And => "AND",
            Or => "OR",
            Eq => "=",
            NotEq => "<>",
            Lt => "<",
            LtEq => "<=",
            Gt => ">",
            GtEq => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Pow => "^",
            Concat => "||",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "#",
            ShiftLeft => "<<",
            ShiftRight => ">>",
            JsonGet => "->",
            JsonGetText => "->>",
            JsonPath => "#>",
            JsonPathText => "#>>",
            Contains => "@>",
            ContainedBy => "<@",
            HasKey => "?",
            HasAnyKey => "?|",
            HasAllKeys => "?&",
        }
    }
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggFunc {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    StringAgg,
    ArrayAgg,
    BoolAnd,
    BoolOr,
    StddevSamp,
    StddevPop,
    VarSamp,
    VarPop,
    JsonAgg,
    JsonbAgg,
    JsonObjectAgg,
    JsonbObjectAgg,
}

impl AggFunc {
    pub fn name(&self) -> &'static str {
        use AggFunc::*;
        match self {
            CountStar | Count => "count",
            Sum => "sum",
            Avg => "avg",
            Min => "min",
            Max => "max",
            StringAgg => "string_agg",
            ArrayAgg => "array_agg",
            BoolAnd => "bool_and",
            BoolOr => "bool_or",
            StddevSamp => "stddev_samp",
            StddevPop => "stddev_pop",
            VarSamp => "var_samp",
            VarPop => "var_pop",
            JsonAgg => "json_agg",
            JsonbAgg => "jsonb_agg",
            JsonObjectAgg => "json_object_agg",
            JsonbObjectAgg => "jsonb_object_agg",
        }
    }
}

/// A sort key.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub desc: bool,
    pub nulls_first: bool,
}

impl SortKey {
    /// PostgreSQL's default: NULLS LAST for ascending, NULLS FIRST for descending.
    pub fn new(expr: Expr, desc: bool, nulls_first: Option<bool>) -> Self {
        SortKey { expr, desc, nulls_first: nulls_first.unwrap_or(desc) }
    }
}

/// An aggregate call.
#[derive(Clone, Debug, PartialEq)]
pub struct AggCall {
    pub func: AggFunc,
    pub args: Vec<Expr>,
    pub distinct: bool,
    pub filter: Option<Expr>,
    pub order_by: Vec<SortKey>,
    pub ty: DataType,
}

/// What a subquery computes.
#[derive(Clone, Debug, PartialEq)]
pub enum SubqueryKind {
    /// A scalar subquery: at most one row of one column.
    Scalar,
    /// `EXISTS (...)`.
    Exists,
    /// `lhs IN (...)`, `lhs op ANY (...)` and `lhs op ALL (...)`. `IN` is `= ANY`.
    Quantified { lhs: Box<Expr>, op: BinOp, all: bool },
}

/// A subquery inside an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Subquery {
    /// Unique within a statement; keys the cache of uncorrelated results.
    pub id: usize,
    pub kind: SubqueryKind,
    pub plan: Node,
    /// Whether the plan refers to columns of enclosing queries.
    pub correlated: bool,
    pub ty: DataType,
}

/// A bound expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(Value, DataType),
    /// A column of the input row.
    Column(usize, DataType),
    /// A column of an enclosing query's row: depth 1 is the immediately enclosing one.
    Outer(usize, usize, DataType),
    /// A statement parameter, 0-based.
    Param(usize, DataType),
    Unary(UnaryOp, Box<Expr>, DataType),
    Binary(BinOp, Box<Expr>, Box<Expr>, DataType),
    IsNull(Box<Expr>, bool),
    IsDistinct(Box<Expr>, Box<Expr>, bool),
    /// `IS [NOT] TRUE/FALSE`: (expr, value, negated).
    IsBool(Box<Expr>, bool, bool),
    Cast(Box<Expr>, DataType),
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        case_insensitive: bool,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Box<Expr>,
        ty: DataType,
    },
    Coalesce(Vec<Expr>, DataType),
    Func(&'static Func, Vec<Expr>, DataType),
    Subquery(Box<Subquery>),
    /// An aggregate call; replaced by a column of the aggregate's output after binding.
    Agg(Box<AggCall>),
}

impl Expr {
    pub fn null() -> Expr {
        Expr::Const(Value::Null, DataType::Unknown)
    }

    pub fn bool(b: bool) -> Expr {
        Expr::Const(Value::Bool(b), DataType::Bool)
    }

    /// The result type.
    pub fn ty(&self) -> DataType {
        match self {
            Expr::Const(_, t) | Expr::Column(_, t) | Expr::Outer(_, _, t) | Expr::Param(_, t) => t.clone(),
            Expr::Unary(_, _, t) | Expr::Binary(_, _, _, t) | Expr::Cast(_, t) => t.clone(),
            Expr::IsNull(..) | Expr::IsDistinct(..) | Expr::IsBool(..) | Expr::Like { .. } | Expr::InList { .. } => {
                DataType::Bool
            }
            Expr::Case { ty, .. } | Expr::Coalesce(_, ty) | Expr::Func(_, _, ty) => ty.clone(),
            Expr::Subquery(s) => s.ty.clone(),
            Expr::Agg(a) => a.ty.clone(),
        }
    }

    /// The direct children.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(..) | Expr::Column(..) | Expr::Outer(..) | Expr::Param(..) => vec![],
            Expr::Unary(_, e, _) | Expr::IsNull(e, _) | Expr::IsBool(e, _, _) | Expr::Cast(e, _) => vec![e],
            Expr::Binary(_, l, r, _) | Expr::IsDistinct(l, r, _) => vec![l, r],
            Expr::Like { expr, pattern, escape, .. } => {
                let mut v = vec![expr.as_ref(), pattern.as_ref()];
                v.extend(escape.as_deref());
                v
            }
            Expr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
            Expr::Case { operand, whens, otherwise, .. } => {
                let mut v: Vec<&Expr> = operand.iter().map(|e| e.as_ref()).collect();
                for (w, t) in whens {
                    v.push(w);
                    v.push(t);
                }
                v.push(otherwise);
                v
            }
            Expr::Coalesce(args, _) | Expr::Func(_, args, _) => args.iter().collect(),
            Expr::Subquery(s) => match &s.kind {
                SubqueryKind::Quantified { lhs, .. } => vec![lhs],
                _ => vec![],
            },
            Expr::Agg(a) => {
                let mut v: Vec<&Expr> = a.args.iter().collect();
                v.extend(a.filter.iter());
                v.extend(a.order_by.iter().map(|k| &k.expr));
                v
            }
        }
    }

    /// Visits this expression and its descendants (not into subquery plans), pre-order.
    /// When `f` returns false, the node's children are skipped.
    pub fn walk(&self, f: &mut impl FnMut(&Expr) -> bool) {
        crate::util::with_stack(|| self.walk_inner(f))
    }

    fn walk_inner(&self, f: &mut impl FnMut(&Expr) -> bool) {
        if f(self) {
            for c in self.children() {
                c.walk(f);
            }
        }
    }

    /// Whether any node satisfies `pred` (not looking into subquery plans).
    pub fn any(&self, pred: &mut impl FnMut(&Expr) -> bool) -> bool {
        crate::util::with_stack(|| pred(self) || self.children().into_iter().any(|c| c.any(pred)))
    }

    /// Rewrites the tree bottom-up: children first, then `f` on the node.
    pub fn transform(self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        crate::util::with_stack(|| {
            let e = self.map_children(&mut |c| c.transform(f));
            f(e)
        })
    }

    /// Rewrites the tree top-down: `f` may replace a node (returning `Ok`) and then its
    /// children are not visited; `Err(node)` hands the node back to be descended into.
    pub fn transform_down(self, f: &mut impl FnMut(Expr) -> Result<Expr, Expr>) -> Expr {
        crate::util::with_stack(|| match f(self) {
            Ok(e) => e,
            Err(e) => e.map_children(&mut |c| c.transform_down(f)),
        })
    }

    /// Applies `f` to each direct child.
    pub fn map_children(self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        let mut b = |e: Box<Expr>| Box::new(f(*e));
        match self {
            e @ (Expr::Const(..) | Expr::Column(..) | Expr::Outer(..) | Expr::Param(..)) => e,
            Expr::Unary(op, e, t) => Expr::Unary(op, b(e), t),
            Expr::Binary(op, l, r, t) => {
                let l = b(l);
                Expr::Binary(op, l, b(r), t)
            }
            Expr::IsNull(e, n) => Expr::IsNull(b(e), n),
            Expr::IsDistinct(l, r, n) => {
                let l = b(l);
                Expr::IsDistinct(l, b(r), n)
            }
            Expr::IsBool(e, v, n) => Expr::IsBool(b(e), v, n),
            Expr::Cast(e, t) => Expr::Cast(b(e), t),
            Expr::Like { expr, pattern, escape, case_insensitive, negated } => {
                let expr = b(expr);
                let pattern = b(pattern);
                Expr::Like { expr, pattern, escape: escape.map(&mut b), case_insensitive, negated }
            }
            Expr::InList { expr, list, negated } => {
                let expr = b(expr);
                Expr::InList { expr, list: list.into_iter().map(&mut *f).collect(), negated }
            }
            Expr::Case { operand, whens, otherwise, ty } => {
                let operand = operand.map(&mut b);
                let whens = whens.into_iter().map(|(w, t)| (f(w), f(t))).collect();
                Expr::Case { operand, whens, otherwise: Box::new(f(*otherwise)), ty }
            }
            Expr::Coalesce(args, t) => Expr::Coalesce(args.into_iter().map(&mut *f).collect(), t),
            Expr::Func(func, args, t) => Expr::Func(func, args.into_iter().map(&mut *f).collect(), t),
            Expr::Subquery(mut s) => {
                if let SubqueryKind::Quantified { lhs, op, all } = s.kind {
                    s.kind = SubqueryKind::Quantified { lhs: Box::new(f(*lhs)), op, all };
                }
                Expr::Subquery(s)
            }
            Expr::Agg(mut a) => {
                a.args = a.args.into_iter().map(&mut *f).collect();
                a.filter = a.filter.map(&mut *f);
                a.order_by = a.order_by.into_iter().map(|k| SortKey { expr: f(k.expr), ..k }).collect();
                Expr::Agg(a)
            }
        }
    }

    /// Whether the expression refers to no column of its own row (it may still use
    /// outer columns, parameters and subqueries).
    pub fn is_row_independent(&self) -> bool {
        !self.any(&mut |e| matches!(e, Expr::Column(..)))
    }

    /// Whether the expression is a constant: no columns, outer references, parameters,
    /// subqueries, aggregates or volatile functions.
    pub fn is_constant(&self) -> bool {
        !self.any(&mut |e| match e {
            Expr::Column(..) | Expr::Outer(..) | Expr::Param(..) | Expr::Subquery(_) | Expr::Agg(_) => true,
            Expr::Func(f, _, _) => f.volatile || f.stable,
            _ => false,
        })
    }

    /// Whether the expression contains an aggregate call.
    pub fn has_agg(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::Agg(_)))
    }

    /// The input columns referenced, sorted and deduplicated. Includes columns used
    /// inside correlated subqueries (as their depth-1 outer references).
    pub fn columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_columns(0, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_columns(&self, depth: usize, out: &mut Vec<usize>) {
        self.walk(&mut |e| {
            match e {
                Expr::Column(i, _) if depth == 0 => out.push(*i),
                Expr::Outer(d, i, _) if *d == depth && depth > 0 => out.push(*i),
                Expr::Subquery(s) => s.plan.visit_exprs(&mut |e| e.collect_columns(depth + 1, out)),
                _ => {}
            }
            true
        });
    }

    /// Splits a conjunction into its conjuncts.
    pub fn conjuncts(self) -> Vec<Expr> {
        // Iterative, so that long AND chains cannot exhaust the stack.
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Binary(BinOp::And, l, r, _) => {
                    stack.push(*r);
                    stack.push(*l);
                }
                e => out.push(e),
            }
        }
        out
    }

    /// Joins conjuncts with AND; `None` for none.
    pub fn and_all(exprs: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        exprs.into_iter().reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b), DataType::Bool))
    }

    /// Renumbers input columns through `map` (old index to new), including the depth-1
    /// outer references inside subqueries, which point at this row.
    pub fn remap_columns(self, map: &impl Fn(usize) -> usize) -> Expr {
        self.remap_at_depth(0, map)
    }

    pub(crate) fn remap_at_depth(self, depth: usize, map: &impl Fn(usize) -> usize) -> Expr {
        self.transform(&mut |e| match e {
            Expr::Column(i, t) if depth == 0 => Expr::Column(map(i), t),
            Expr::Outer(d, i, t) if d == depth && depth > 0 => Expr::Outer(d, map(i), t),
            Expr::Subquery(mut s) => {
                s.plan = std::mem::replace(&mut s.plan, Node::Empty { width: 0 })
                    .map_exprs(&mut |e| e.remap_at_depth(depth + 1, map));
                Expr::Subquery(s)
            }
            e => e,
        })
    }
}

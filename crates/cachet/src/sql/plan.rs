//! Query plans.
//!
//! A [`Node`] tree is both the logical plan the binder builds and the physical plan the
//! executor runs: optimizer rules rewrite it in place, for instance turning a filtered
//! [`Node::Scan`] into an index lookup by setting its [`Access`] path, or a nested-loop
//! join on equalities into a [`Node::HashJoin`]. Every node produces rows of a fixed
//! width; expressions in a node refer to the columns of its input by position (for
//! joins, the left input's columns followed by the right's).

use super::expr::{AggCall, Expr, SortKey};
use crate::catalog::Table;
use crate::storage::table::{LockWait, RowLockMode};
use std::fmt::Write as _;
use std::sync::Arc;

/// A table referenced by a plan. Equality is identity.
#[derive(Clone)]
pub struct TableRef(pub Arc<Table>);

impl PartialEq for TableRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.schema.name)
    }
}

impl std::ops::Deref for TableRef {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.0
    }
}

/// One bound of a key range: a prefix of the key's columns, and whether it is
/// inclusive.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyBound {
    Unbounded,
    Included(Vec<Expr>),
    Excluded(Vec<Expr>),
}

/// A range of keys in an index, given as expressions evaluated at run time.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRange {
    pub lower: KeyBound,
    pub upper: KeyBound,
}

impl KeyRange {
    /// The range of keys equal to `prefix`.
    pub fn point(prefix: Vec<Expr>) -> Self {
        KeyRange { lower: KeyBound::Included(prefix.clone()), upper: KeyBound::Included(prefix) }
    }

    /// Whether this is an equality on a prefix.
    pub fn as_point(&self) -> Option<&[Expr]> {
        match (&self.lower, &self.upper) {
            (KeyBound::Included(a), KeyBound::Included(b)) if a == b => Some(a),
            _ => None,
        }
    }
}

/// How a scan reaches its rows.
#[derive(Clone, Debug, PartialEq)]
pub enum Access {
    /// Every row, in primary key order.
    Full,
    /// Ranges of the primary key. A point on the whole key is a lookup.
    Primary(Vec<KeyRange>),
    /// Ranges of a secondary index.
    Index { index: u32, name: String, ranges: Vec<KeyRange> },
}

/// A scan of a stored table.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub table: TableRef,
    pub alias: String,
    pub access: Access,
    /// Rows failing this are skipped. It is always the full predicate, even when the
    /// access path already implies part of it.
    pub filter: Option<Expr>,
}

/// SELECT ... FOR UPDATE/SHARE: locks the table row behind each input row.
#[derive(Clone, Debug, PartialEq)]
pub struct LockRows {
    pub input: Node,
    pub table: TableRef,
    /// Where the table's row starts in each input row.
    pub row_offset: usize,
    /// The WHERE clause over the table row, re-checked when a row changed.
    pub filter: Option<Expr>,
    /// The columns before `row_offset`, over the table row, recomputed for a changed row.
    pub exprs: Vec<Expr>,
    pub mode: RowLockMode,
    pub wait: LockWait,
}

/// Join types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    /// Left rows with at least one match; outputs the left columns only.
    Semi,
    /// Left rows with no match; outputs the left columns only.
    Anti,
}

impl JoinKind {
    pub fn name(&self) -> &'static str {
        match self {
            JoinKind::Inner => "Inner",
            JoinKind::Left => "Left",
            JoinKind::Right => "Right",
            JoinKind::Full => "Full",
            JoinKind::Semi => "Semi",
            JoinKind::Anti => "Anti",
        }
    }

    /// Whether the output has the right input's columns too.
    pub fn outputs_right(&self) -> bool {
        !matches!(self, JoinKind::Semi | JoinKind::Anti)
    }
}

/// Set operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOpKind {
    Union,
    Intersect,
    Except,
}

/// A plan node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Scan(Box<Scan>),
    /// Literal rows.
    Values {
        rows: Vec<Vec<Expr>>,
        width: usize,
    },
    Filter {
        input: Box<Node>,
        predicate: Expr,
    },
    Project {
        input: Box<Node>,
        exprs: Vec<Expr>,
        names: Vec<String>,
    },
    NestedLoopJoin {
        left: Box<Node>,
        right: Box<Node>,
        kind: JoinKind,
        on: Option<Expr>,
    },
    HashJoin {
        left: Box<Node>,
        right: Box<Node>,
        kind: JoinKind,
        left_keys: Vec<Expr>,
        right_keys: Vec<Expr>,
        /// Evaluated on joined rows that matched on the keys.
        on: Option<Expr>,
    },
    /// Groups by `group_by`; outputs the group values followed by the aggregates.
    Aggregate {
        input: Box<Node>,
        group_by: Vec<Expr>,
        aggs: Vec<AggCall>,
    },
    Sort {
        input: Box<Node>,
        keys: Vec<SortKey>,
    },
    Limit {
        input: Box<Node>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
    /// Removes duplicate rows (all columns).
    Distinct {
        input: Box<Node>,
    },
    SetOp {
        kind: SetOpKind,
        all: bool,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// Row locking for FOR UPDATE/SHARE.
    LockRows(Box<LockRows>),
    /// No rows.
    Empty {
        width: usize,
    },
}

impl Node {
    /// The number of columns of each output row.
    pub fn width(&self) -> usize {
        match self {
            Node::Scan(s) => s.table.schema.columns.len(),
            Node::Values { width, .. } | Node::Empty { width } => *width,
            Node::Filter { input, .. }
            | Node::Sort { input, .. }
            | Node::Limit { input, .. }
            | Node::Distinct { input } => input.width(),
            Node::Project { exprs, .. } => exprs.len(),
            Node::NestedLoopJoin { left, right, kind, .. } | Node::HashJoin { left, right, kind, .. } => {
                left.width() + if kind.outputs_right() { right.width() } else { 0 }
            }
            Node::Aggregate { group_by, aggs, .. } => group_by.len() + aggs.len(),
            Node::SetOp { left, .. } => left.width(),
            Node::LockRows(l) => l.input.width(),
        }
    }

    /// The inputs of this node.
    pub fn inputs(&self) -> Vec<&Node> {
        match self {
            Node::Scan(_) | Node::Values { .. } | Node::Empty { .. } => vec![],
            Node::Filter { input, .. }
            | Node::Project { input, .. }
            | Node::Aggregate { input, .. }
            | Node::Sort { input, .. }
            | Node::Limit { input, .. }
            | Node::Distinct { input } => vec![input],
            Node::NestedLoopJoin { left, right, .. }
            | Node::HashJoin { left, right, .. }
            | Node::SetOp { left, right, .. } => {
                vec![left, right]
            }
            Node::LockRows(l) => vec![&l.input],
        }
    }

    /// Visits every expression of this node and of the nodes below it.
    pub fn visit_exprs(&self, f: &mut impl FnMut(&Expr)) {
        self.visit_exprs_dyn(f)
    }

    fn visit_exprs_dyn(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Node::Scan(s) => {
                s.filter.iter().for_each(&mut *f);
                let ranges = match &s.access {
                    Access::Full => &[][..],
                    Access::Primary(r) | Access::Index { ranges: r, .. } => r,
                };
                for r in ranges {
                    for b in [&r.lower, &r.upper] {
                        if let KeyBound::Included(v) | KeyBound::Excluded(v) = b {
                            v.iter().for_each(&mut *f);
                        }
                    }
                }
            }
            Node::Values { rows, .. } => rows.iter().flatten().for_each(&mut *f),
            Node::Filter { predicate, .. } => f(predicate),
            Node::Project { exprs, .. } => exprs.iter().for_each(&mut *f),
            Node::NestedLoopJoin { on, .. } => on.iter().for_each(&mut *f),
            Node::HashJoin { left_keys, right_keys, on, .. } => {
                left_keys.iter().chain(right_keys).chain(on.iter()).for_each(&mut *f)
            }
            Node::Aggregate { group_by, aggs, .. } => {
                group_by.iter().for_each(&mut *f);
                for a in aggs {
                    a.args.iter().chain(a.filter.iter()).chain(a.order_by.iter().map(|k| &k.expr)).for_each(&mut *f);
                }
            }
            Node::Sort { keys, .. } => keys.iter().map(|k| &k.expr).for_each(&mut *f),
            Node::Limit { limit, offset, .. } => limit.iter().chain(offset.iter()).for_each(&mut *f),
            Node::LockRows(l) => l.filter.iter().chain(&l.exprs).for_each(&mut *f),
            Node::Distinct { .. } | Node::SetOp { .. } | Node::Empty { .. } => {}
        }
        for input in self.inputs() {
            input.visit_exprs_dyn(f);
        }
    }

    /// Rewrites every expression of this node and of the nodes below it.
    pub fn map_exprs(self, f: &mut impl FnMut(Expr) -> Expr) -> Node {
        self.map_exprs_dyn(f)
    }

    fn map_exprs_dyn(self, f: &mut dyn FnMut(Expr) -> Expr) -> Node {
        let mi = |n: Box<Node>, f: &mut dyn FnMut(Expr) -> Expr| Box::new(n.map_exprs_dyn(f));
        let map_range = |r: KeyRange, f: &mut dyn FnMut(Expr) -> Expr| {
            let b = |b: KeyBound, f: &mut dyn FnMut(Expr) -> Expr| match b {
                KeyBound::Unbounded => KeyBound::Unbounded,
                KeyBound::Included(v) => KeyBound::Included(v.into_iter().map(&mut *f).collect()),
                KeyBound::Excluded(v) => KeyBound::Excluded(v.into_iter().map(&mut *f).collect()),
            };
            let lower = b(r.lower, f);
            KeyRange { lower, upper: b(r.upper, f) }
        };
        match self {
            Node::Scan(mut s) => {
                s.filter = s.filter.map(&mut *f);
                s.access = match s.access {
                    Access::Full => Access::Full,
                    Access::Primary(rs) => Access::Primary(rs.into_iter().map(|r| map_range(r, f)).collect()),
                    Access::Index { index, name, ranges } => {
                        Access::Index { index, name, ranges: ranges.into_iter().map(|r| map_range(r, f)).collect() }
                    }
                };
                Node::Scan(s)
            }
            Node::Values { rows, width } => {
                Node::Values { rows: rows.into_iter().map(|r| r.into_iter().map(&mut *f).collect()).collect(), width }
            }
            Node::Filter { input, predicate } => {
                let input = mi(input, f);
                Node::Filter { input, predicate: f(predicate) }
            }
            Node::Project { input, exprs, names } => {
                let input = mi(input, f);
                Node::Project { input, exprs: exprs.into_iter().map(&mut *f).collect(), names }
            }
            Node::NestedLoopJoin { left, right, kind, on } => {
                let left = mi(left, f);
                let right = mi(right, f);
                Node::NestedLoopJoin { left, right, kind, on: on.map(&mut *f) }
            }
            Node::HashJoin { left, right, kind, left_keys, right_keys, on } => {
                let left = mi(left, f);
                let right = mi(right, f);
                Node::HashJoin {
                    left,
                    right,
                    kind,
                    left_keys: left_keys.into_iter().map(&mut *f).collect(),
                    right_keys: right_keys.into_iter().map(&mut *f).collect(),
                    on: on.map(&mut *f),
                }
            }
            Node::Aggregate { input, group_by, aggs } => {
                let input = mi(input, f);
                let group_by = group_by.into_iter().map(&mut *f).collect();
                let aggs = aggs
                    .into_iter()
                    .map(|mut a| {
                        a.args = a.args.into_iter().map(&mut *f).collect();
                        a.filter = a.filter.map(&mut *f);
                        a.order_by = a.order_by.into_iter().map(|k| SortKey { expr: f(k.expr), ..k }).collect();
                        a
                    })
                    .collect();
                Node::Aggregate { input, group_by, aggs }
            }
            Node::Sort { input, keys } => {
                let input = mi(input, f);
                Node::Sort { input, keys: keys.into_iter().map(|k| SortKey { expr: f(k.expr), ..k }).collect() }
            }
            Node::Limit { input, limit, offset } => {
                let input = mi(input, f);
                Node::Limit { input, limit: limit.map(&mut *f), offset: offset.map(&mut *f) }
            }
            Node::Distinct { input } => Node::Distinct { input: mi(input, f) },
            Node::SetOp { kind, all, left, right } => {
                let left = mi(left, f);
                Node::SetOp { kind, all, left, right: mi(right, f) }
            }
            Node::LockRows(mut l) => {
                let input = std::mem::replace(&mut l.input, Node::Empty { width: 0 });
                l.input = input.map_exprs_dyn(f);
                l.filter = l.filter.map(&mut *f);
                l.exprs = l.exprs.into_iter().map(&mut *f).collect();
                Node::LockRows(l)
            }
            e @ Node::Empty { .. } => e,
        }
    }

    /// Whether the tree refers to a column of any query enclosing it: the plan of a
    /// correlated subquery.
    pub fn is_correlated(&self) -> bool {
        self.escapes(0)
    }

    /// Whether an outer reference escapes this tree, which sits `level` subqueries deep
    /// inside the tree being asked about.
    fn escapes(&self, level: usize) -> bool {
        let mut found = false;
        self.visit_exprs(&mut |e| {
            found |= e.any(&mut |x| match x {
                Expr::Outer(d, _, _) => *d > level,
                Expr::Subquery(s) => s.plan.escapes(level + 1),
                _ => false,
            });
        });
        found
    }

    /// A PostgreSQL-style indented rendering of the plan, one operator per line.
    pub fn explain(&self) -> Vec<String> {
        let mut lines = Vec::new();
        self.explain_into(0, &mut lines, &|_, _| None);
        lines
    }

    /// Like [`Node::explain`], with a per-node annotation (EXPLAIN ANALYZE figures),
    /// looked up by the node's address and its depth.
    pub fn explain_with(&self, annotate: &dyn Fn(&Node, usize) -> Option<String>) -> Vec<String> {
        let mut lines = Vec::new();
        self.explain_into(0, &mut lines, annotate);
        lines
    }

    fn explain_into(&self, depth: usize, lines: &mut Vec<String>, annotate: &dyn Fn(&Node, usize) -> Option<String>) {
        let indent = if depth == 0 { String::new() } else { format!("{}->  ", "      ".repeat(depth - 1) + "  ") };
        let pad = "      ".repeat(depth) + if depth == 0 { "  " } else { "    " };
        let mut head = self.describe();
        if let Some(a) = annotate(self, depth) {
            let _ = write!(head, " {a}");
        }
        lines.push(format!("{indent}{head}"));
        for detail in self.details() {
            lines.push(format!("{pad}{detail}"));
        }
        for input in self.inputs() {
            input.explain_into(depth + 1, lines, annotate);
        }
        // Subquery plans, as PostgreSQL's SubPlans.
        let mut subs = Vec::new();
        self.own_exprs(&mut |e| {
            e.walk(&mut |x| {
                if let Expr::Subquery(s) = x {
                    subs.push((s.id, s.plan.clone(), s.correlated));
                }
                true
            });
        });
        for (id, plan, correlated) in subs {
            let kind = if correlated { "SubPlan" } else { "InitPlan" };
            lines.push(format!("{pad}{kind} {}", id + 1));
            plan.explain_into(depth + 1, lines, annotate);
        }
    }

    /// Visits the expressions of this node only.
    fn own_exprs(&self, f: &mut impl FnMut(&Expr)) {
        let mut copy = self.clone();
        // Detach inputs so that visit_exprs sees this node alone.
        match &mut copy {
            Node::Filter { input, .. }
            | Node::Project { input, .. }
            | Node::Aggregate { input, .. }
            | Node::Sort { input, .. }
            | Node::Limit { input, .. }
            | Node::Distinct { input } => **input = Node::Empty { width: 0 },
            Node::LockRows(l) => l.input = Node::Empty { width: 0 },
            Node::NestedLoopJoin { left, right, .. }
            | Node::HashJoin { left, right, .. }
            | Node::SetOp { left, right, .. } => {
                **left = Node::Empty { width: 0 };
                **right = Node::Empty { width: 0 };
            }
            _ => {}
        }
        copy.visit_exprs(f);
    }

    fn describe(&self) -> String {
        match self {
            Node::Scan(s) => {
                let name = &s.table.schema.name;
                let alias = if s.alias != *name { format!(" {}", s.alias) } else { String::new() };
                match &s.access {
                    Access::Full => format!("Seq Scan on {name}{alias}"),
                    Access::Primary(ranges) => {
                        let kind = if ranges
                            .iter()
                            .all(|r| r.as_point().is_some_and(|p| p.len() == s.table.schema.key_columns().len()))
                        {
                            "Index Lookup"
                        } else {
                            "Index Range Scan"
                        };
                        format!("{kind} using {name}_pkey on {name}{alias}")
                    }
                    Access::Index { name: index, ranges, .. } => {
                        let kind = if ranges.iter().all(|r| r.as_point().is_some()) {
                            "Index Scan"
                        } else {
                            "Index Range Scan"
                        };
                        format!("{kind} using {index} on {name}{alias}")
                    }
                }
            }
            Node::Values { rows, .. } => format!("Values Scan ({} rows)", rows.len()),
            Node::Filter { .. } => "Filter".into(),
            Node::Project { .. } => "Project".into(),
            Node::NestedLoopJoin { kind, .. } => format!("Nested Loop {} Join", kind.name()),
            Node::HashJoin { kind, .. } => format!("Hash {} Join", kind.name()),
            Node::Aggregate { group_by, .. } => {
                if group_by.is_empty() {
                    "Aggregate".into()
                } else {
                    "HashAggregate".into()
                }
            }
            Node::Sort { .. } => "Sort".into(),
            Node::Limit { .. } => "Limit".into(),
            Node::Distinct { .. } => "Distinct".into(),
            Node::SetOp { kind, all, .. } => {
                let op = match kind {
                    SetOpKind::Union => "Union",
                    SetOpKind::Intersect => "Intersect",
                    SetOpKind::Except => "Except",
                };
                format!("{op}{}", if *all { " All" } else { "" })
            }
            Node::LockRows(l) => {
                format!("LockRows ({})", if l.mode == RowLockMode::Exclusive { "FOR UPDATE" } else { "FOR SHARE" })
            }
            Node::Empty { .. } => "Result (no rows)".into(),
        }
    }

    fn details(&self) -> Vec<String> {
        use super::explain::{output_names, show_expr};
        let input_names: Vec<String> = match self {
            Node::Scan(_) => output_names(self),
            Node::NestedLoopJoin { left, right, .. } | Node::HashJoin { left, right, .. } => {
                let mut n = output_names(left);
                n.extend(output_names(right));
                n
            }
            _ => self.inputs().first().map(|i| output_names(i)).unwrap_or_default(),
        };
        let show = |e: &Expr| show_expr(e, &input_names);
        let mut out = Vec::new();
        match self {
            Node::Scan(s) => {
                let ranges = match &s.access {
                    Access::Full => None,
                    Access::Primary(r) | Access::Index { ranges: r, .. } => Some(r),
                };
                if let Some(ranges) = ranges {
                    let parts: Vec<String> =
                        ranges.iter().map(|r| super::explain::show_range(r, &s.table, &s.access)).collect();
                    out.push(format!("Index Cond: {}", parts.join(" OR ")));
                }
                if let Some(f) = &s.filter {
                    out.push(format!("Filter: {}", show(f)));
                }
            }
            Node::Filter { predicate, .. } => out.push(format!("Filter: {}", show(predicate))),
            Node::Project { exprs, .. } => {
                out.push(format!("Output: {}", exprs.iter().map(show).collect::<Vec<_>>().join(", ")))
            }
            Node::NestedLoopJoin { on: Some(on), .. } => out.push(format!("Join Filter: {}", show(on))),
            Node::HashJoin { left_keys, right_keys, on, .. } => {
                let right_names = match self {
                    Node::HashJoin { right, .. } => output_names(right),
                    _ => vec![],
                };
                let conds: Vec<String> = left_keys
                    .iter()
                    .zip(right_keys)
                    .map(|(l, r)| format!("{} = {}", show(l), show_expr(r, &right_names)))
                    .collect();
                out.push(format!("Hash Cond: {}", conds.join(" AND ")));
                if let Some(on) = on {
                    out.push(format!("Join Filter: {}", show(on)));
                }
            }
            Node::Aggregate { group_by, aggs, .. } => {
                if !group_by.is_empty() {
                    out.push(format!("Group Key: {}", group_by.iter().map(show).collect::<Vec<_>>().join(", ")));
                }
                if !aggs.is_empty() {
                    let a: Vec<String> = aggs.iter().map(|a| show(&Expr::Agg(Box::new(a.clone())))).collect();
                    out.push(format!("Aggregates: {}", a.join(", ")));
                }
            }
            Node::Sort { keys, .. } => {
                let k: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        let mut s = show(&k.expr);
                        if k.desc {
                            s.push_str(" DESC");
                        }
                        if k.nulls_first != k.desc {
                            s.push_str(if k.nulls_first { " NULLS FIRST" } else { " NULLS LAST" });
                        }
                        s
                    })
                    .collect();
                out.push(format!("Sort Key: {}", k.join(", ")));
            }
            Node::Limit { limit, offset, .. } => {
                if let Some(l) = limit {
                    out.push(format!("Count: {}", show(l)));
                }
                if let Some(o) = offset {
                    out.push(format!("Offset: {}", show(o)));
                }
            }
            _ => {}
        }
        out
    }
}

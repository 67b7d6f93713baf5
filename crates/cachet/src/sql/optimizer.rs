//! The rule-based optimizer.
//!
//! Rules run in a fixed order over every plan tree, including the plans of subqueries:
//!
//! 1. **Constant folding**: subexpressions without columns, parameters or volatile
//!    calls are evaluated once; `AND`/`OR` with constant sides simplify; a filter that
//!    folds to false or NULL makes its subtree empty.
//! 2. **Predicate pushdown**: a filter is split into conjuncts, and each moves as far
//!    down as it can: into a scan, to one side of a join, through projections and below
//!    aggregates when it only concerns grouping columns. A WHERE conjunct over both
//!    sides of an inner join becomes a join condition.
//! 3. **Join ordering**: a tree of inner joins is flattened and rebuilt left-deep,
//!    starting from the smallest estimated input and adding at each step the cheapest
//!    input connected to the ones already joined, so that cross products are avoided
//!    where a join condition exists.
//! 4. **Hash joins**: a join whose condition contains equalities between the two sides
//!    becomes a hash join on those keys.
//! 5. **Index selection**: a scan's filter is matched against the primary key and the
//!    secondary indexes: equalities (and IN lists) on a key prefix, optionally followed
//!    by a range on the next column. The best match becomes the scan's access path; the
//!    filter stays in place as a residual check.

use super::exec::eval::eval;
use super::exec::{Env, ExecCtx};
use super::expr::{BinOp, Expr, SubqueryKind};
use super::plan::{Access, JoinKind, KeyBound, KeyRange, Node, Scan};
use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::types::{DataType, TimeZone, Value};

/// Optimizes a plan tree.
pub fn optimize(node: Node, engine: &Engine, catalog: &Catalog, tz: &TimeZone) -> Node {
    let ctx = ExecCtx::constant(engine, catalog, tz);
    let node = fold_node(node, &ctx);
    let node = push_down(node);
    let node = order_joins(node);
    let node = hash_joins(node);
    let node = select_indexes(node);
    optimize_subqueries(node, engine, catalog, tz)
}

/// Optimizes the plans of subqueries inside a tree's expressions.
fn optimize_subqueries(node: Node, engine: &Engine, catalog: &Catalog, tz: &TimeZone) -> Node {
    node.map_exprs(&mut |e| {
        e.transform(&mut |x| match x {
            Expr::Subquery(mut s) => {
                let plan = std::mem::replace(&mut s.plan, Node::Empty { width: 0 });
                s.plan = optimize(plan, engine, catalog, tz);
                Expr::Subquery(s)
            }
            x => x,
        })
    })
}

// ---------------------------------------------------------------------------------
// Constant folding

/// Folds constant subexpressions.
pub fn fold(e: Expr, ctx: &ExecCtx) -> Expr {
    e.transform(&mut |x| fold_one(x, ctx))
}

fn fold_one(e: Expr, ctx: &ExecCtx) -> Expr {
    match e {
        Expr::Const(..) | Expr::Column(..) | Expr::Outer(..) | Expr::Param(..) | Expr::Subquery(_) | Expr::Agg(_) => e,
        Expr::Binary(BinOp::And, l, r, t) => match (as_bool(&l), as_bool(&r)) {
            (Some(Some(false)), _) | (_, Some(Some(false))) => Expr::bool(false),
            (Some(Some(true)), _) => *r,
            (_, Some(Some(true))) => *l,
            (Some(None), Some(None)) => Expr::Const(Value::Null, DataType::Bool),
            _ => Expr::Binary(BinOp::And, l, r, t),
        },
        Expr::Binary(BinOp::Or, l, r, t) => match (as_bool(&l), as_bool(&r)) {
            (Some(Some(true)), _) | (_, Some(Some(true))) => Expr::bool(true),
            (Some(Some(false)), _) => *r,
            (_, Some(Some(false))) => *l,
            (Some(None), Some(None)) => Expr::Const(Value::Null, DataType::Bool),
            _ => Expr::Binary(BinOp::Or, l, r, t),
        },
        Expr::Case { operand: None, whens, otherwise, ty } => {
            // Drop branches whose condition is constantly false or NULL; stop at a constant true.
            let mut kept = Vec::new();
            let mut otherwise = otherwise;
            for (w, t) in whens {
                match as_bool(&w) {
                    Some(Some(true)) => {
                        otherwise = Box::new(t);
                        break;
                    }
                    Some(_) => {}
                    None => kept.push((w, t)),
                }
            }
            if kept.is_empty() {
                return *otherwise;
            }
            Expr::Case { operand: None, whens: kept, otherwise, ty }
        }
        // Strict operators and functions return NULL for a NULL operand, without
        // evaluating the other operands (PostgreSQL folds `x / 0 = NULL` to NULL too).
        Expr::Binary(op, l, r, t)
            if !matches!(op, BinOp::And | BinOp::Or) && (is_null_const(&l) || is_null_const(&r)) =>
        {
            let _ = (l, r);
            Expr::Const(Value::Null, t)
        }
        Expr::Func(f, args, t) if f.strict && args.iter().any(is_null_const) => Expr::Const(Value::Null, t),
        e => {
            let all_const = e.children().iter().all(|c| matches!(c, Expr::Const(..)));
            let volatile = matches!(&e, Expr::Func(f, _, _) if f.volatile || f.stable);
            if !all_const || volatile {
                return e;
            }
            let env = Env::new(ctx);
            match eval(&e, &[], &env) {
                Ok(v) => Expr::Const(v, e.ty()),
                // Errors surface at run time, if that code runs at all.
                Err(_) => e,
            }
        }
    }
}

fn is_null_const(e: &Expr) -> bool {
    matches!(e, Expr::Const(Value::Null, _))
}

/// `Some(Some(b))` for a boolean constant, `Some(None)` for NULL, `None` otherwise.
fn as_bool(e: &Expr) -> Option<Option<bool>> {
    match e {
        Expr::Const(Value::Bool(b), _) => Some(Some(*b)),
        Expr::Const(Value::Null, _) => Some(None),
        _ => None,
    }
}

fn fold_node(node: Node, ctx: &ExecCtx) -> Node {
    let node = node.map_exprs(&mut |e| fold(e, ctx));
    prune_empty(node)
}

/// Replaces subtrees that cannot produce rows by `Empty`.
fn prune_empty(node: Node) -> Node {
    match node {
        Node::Filter { input, predicate } => {
            let input = prune_empty(*input);
            match as_bool(&predicate) {
                Some(Some(true)) => input,
                Some(_) => Node::Empty { width: input.width() },
                None => Node::Filter { input: Box::new(input), predicate },
            }
        }
        other => map_inputs(other, &mut prune_empty),
    }
}

/// Applies `f` to the inputs of a node.
fn map_inputs(node: Node, f: &mut impl FnMut(Node) -> Node) -> Node {
    let mut b = |n: Box<Node>| Box::new(f(*n));
    match node {
        Node::Filter { input, predicate } => Node::Filter { input: b(input), predicate },
        Node::Project { input, exprs, names } => Node::Project { input: b(input), exprs, names },
        Node::NestedLoopJoin { left, right, kind, on } => {
            let left = b(left);
            Node::NestedLoopJoin { left, right: b(right), kind, on }
        }
        Node::HashJoin { left, right, kind, left_keys, right_keys, on } => {
            let left = b(left);
            Node::HashJoin { left, right: b(right), kind, left_keys, right_keys, on }
        }
        Node::Aggregate { input, group_by, aggs } => Node::Aggregate { input: b(input), group_by, aggs },
        Node::Sort { input, keys } => Node::Sort { input: b(input), keys },
        Node::Limit { input, limit, offset } => Node::Limit { input: b(input), limit, offset },
        Node::Distinct { input } => Node::Distinct { input: b(input) },
        Node::SetOp { kind, all, left, right } => {
            let left = b(left);
            Node::SetOp { kind, all, left, right: b(right) }
        }
        Node::LockRows(mut l) => {
            let input = std::mem::replace(&mut l.input, Node::Empty { width: 0 });
            l.input = f(input);
            Node::LockRows(l)
        }
        leaf => leaf,
    }
}

// ---------------------------------------------------------------------------------
// Predicate pushdown

fn push_down(node: Node) -> Node {
    match node {
        Node::Filter { input, predicate } => {
            let input = push_down(*input);
            push_filter(input, predicate.conjuncts())
        }
        Node::NestedLoopJoin { left, right, kind: JoinKind::Inner, on: Some(on) } => {
            // Single-side conjuncts of an inner join's condition belong to that side.
            let join = Node::NestedLoopJoin { left, right, kind: JoinKind::Inner, on: None };
            push_filter(push_down(join), on.conjuncts())
        }
        other => map_inputs(other, &mut push_down),
    }
}

/// Whether a predicate may move below the node that evaluates it: volatile calls and
/// aggregates must stay where they are.
fn movable(e: &Expr) -> bool {
    !e.any(&mut |x| matches!(x, Expr::Func(f, _, _) if f.volatile) || matches!(x, Expr::Agg(_)))
}

/// Places conjuncts on top of (or into) `node`, pushing each as deep as possible.
fn push_filter(node: Node, conjuncts: Vec<Expr>) -> Node {
    if conjuncts.is_empty() {
        return node;
    }
    let (movable, fixed): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(movable);
    let node = if movable.is_empty() { node } else { push_movable(node, movable) };
    wrap_filter(node, fixed)
}

fn wrap_filter(node: Node, conjuncts: Vec<Expr>) -> Node {
    match Expr::and_all(conjuncts) {
        Some(p) => Node::Filter { input: Box::new(node), predicate: p },
        None => node,
    }
}

fn push_movable(node: Node, conjuncts: Vec<Expr>) -> Node {
    match node {
        Node::Scan(mut s) => {
            let mut all: Vec<Expr> = s.filter.take().map(Expr::conjuncts).unwrap_or_default();
            all.extend(conjuncts);
            s.filter = Expr::and_all(all);
            Node::Scan(s)
        }
        Node::Filter { input, predicate } => {
            let mut all = predicate.conjuncts();
            all.extend(conjuncts);
            push_filter(*input, all)
        }
        Node::NestedLoopJoin { left, right, kind, on } => {
            let lw = left.width();
            let (mut to_left, mut to_right, mut keep) = (Vec::new(), Vec::new(), Vec::new());
            for c in conjuncts {
                let cols = c.columns();
                let left_only = cols.iter().all(|&i| i < lw);
                let right_only = !cols.is_empty() && cols.iter().all(|&i| i >= lw);
                match kind {
                    JoinKind::Inner | JoinKind::Semi | JoinKind::Anti if left_only => to_left.push(c),
                    JoinKind::Inner if right_only => to_right.push(c.remap_columns(&|i| i - lw)),
                    JoinKind::Left if left_only => to_left.push(c),
                    JoinKind::Right if right_only => to_right.push(c.remap_columns(&|i| i - lw)),
                    _ => keep.push(c),
                }
            }
            let left = push_filter(*left, to_left);
            let right = push_filter(*right, to_right);
            if kind == JoinKind::Inner {
                // A condition over both sides of an inner join is a join condition.
                let mut all = on.map(Expr::conjuncts).unwrap_or_default();
                all.extend(keep);
                Node::NestedLoopJoin { left: Box::new(left), right: Box::new(right), kind, on: Expr::and_all(all) }
            } else {
                wrap_filter(Node::NestedLoopJoin { left: Box::new(left), right: Box::new(right), kind, on }, keep)
            }
        }
        Node::Project { input, exprs, names } => {
            // Substitute the projected expressions when they are safe to duplicate.
            let (mut down, mut keep) = (Vec::new(), Vec::new());
            for c in conjuncts {
                let ok = c.columns().iter().all(|&i| exprs.get(i).is_some_and(|e| movable(e) && !has_subquery(e)));
                if ok && !has_subquery(&c) {
                    down.push(c.transform(&mut |x| match x {
                        Expr::Column(i, _) => exprs[i].clone(),
                        x => x,
                    }));
                } else {
                    keep.push(c);
                }
            }
            let input = push_filter(*input, down);
            wrap_filter(Node::Project { input: Box::new(input), exprs, names }, keep)
        }
        Node::Aggregate { input, group_by, aggs } => {
            let n = group_by.len();
            let (mut down, mut keep) = (Vec::new(), Vec::new());
            for c in conjuncts {
                let cols = c.columns();
                if !cols.is_empty() && cols.iter().all(|&i| i < n) && !has_subquery(&c) {
                    down.push(c.transform(&mut |x| match x {
                        Expr::Column(i, _) => group_by[i].clone(),
                        x => x,
                    }));
                } else {
                    keep.push(c);
                }
            }
            let input = push_filter(*input, down);
            wrap_filter(Node::Aggregate { input: Box::new(input), group_by, aggs }, keep)
        }
        Node::Sort { input, keys } => Node::Sort { input: Box::new(push_movable(*input, conjuncts)), keys },
        Node::Empty { width } => Node::Empty { width },
        other => wrap_filter(other, conjuncts),
    }
}

fn has_subquery(e: &Expr) -> bool {
    e.any(&mut |x| matches!(x, Expr::Subquery(_)))
}

// ---------------------------------------------------------------------------------
// Join ordering

/// An input of a flattened inner-join tree, with its columns' offset in the original
/// (unreordered) row.
struct Relation {
    node: Node,
    offset: usize,
    width: usize,
    estimate: f64,
}

fn order_joins(node: Node) -> Node {
    match node {
        Node::NestedLoopJoin { kind: JoinKind::Inner, .. } => {
            let mut rels = Vec::new();
            let mut conds = Vec::new();
            flatten_inner(node, 0, &mut rels, &mut conds);
            let rels: Vec<Relation> = rels
                .into_iter()
                .map(|(n, offset)| {
                    let n = order_joins(n);
                    let width = n.width();
                    let estimate = estimate_rows(&n);
                    Relation { node: n, offset, width, estimate }
                })
                .collect();
            rebuild_joins(rels, conds)
        }
        other => map_inputs(other, &mut order_joins),
    }
}

/// Collects the inputs and conditions of a tree of inner nested-loop joins.
fn flatten_inner(node: Node, offset: usize, rels: &mut Vec<(Node, usize)>, conds: &mut Vec<Expr>) {
    match node {
        Node::NestedLoopJoin { left, right, kind: JoinKind::Inner, on } => {
            let lw = left.width();
            if let Some(on) = on {
                conds.extend(on.conjuncts().into_iter().map(|c| c.remap_columns(&|i| i + offset)));
            }
            flatten_inner(*left, offset, rels, conds);
            flatten_inner(*right, offset + lw, rels, conds);
        }
        Node::Filter { input, predicate }
            if matches!(input.as_ref(), Node::NestedLoopJoin { kind: JoinKind::Inner, .. }) =>
        {
            conds.extend(predicate.conjuncts().into_iter().map(|c| c.remap_columns(&|i| i + offset)));
            flatten_inner(*input, offset, rels, conds);
        }
        other => rels.push((other, offset)),
    }
}

/// Rebuilds a left-deep join tree in a good order, then restores the original column
/// order with a projection.
fn rebuild_joins(mut rels: Vec<Relation>, conds: Vec<Expr>) -> Node {
    let total: usize = rels.iter().map(|r| r.width).sum();
    // Which relation owns each original column.
    let owner = |col: usize, rels: &[Relation]| rels.iter().position(|r| col >= r.offset && col < r.offset + r.width);
    let cond_rels: Vec<Vec<usize>> = conds
        .iter()
        .map(|c| {
            let mut v: Vec<usize> = c.columns().into_iter().filter_map(|col| owner(col, &rels)).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    // Greedy order: start with the smallest input; then prefer inputs connected by a
    // condition, smallest first.
    let n = rels.len();
    let mut order: Vec<usize> = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let first = (0..n).min_by(|&a, &b| rels[a].estimate.total_cmp(&rels[b].estimate)).expect("a join has inputs");
    order.push(first);
    placed[first] = true;
    while order.len() < n {
        let connected = |r: usize| {
            cond_rels.iter().any(|rs| rs.contains(&r) && rs.iter().all(|&x| x == r || placed[x]) && rs.len() > 1)
        };
        let next = (0..n)
            .filter(|&r| !placed[r])
            .min_by(|&a, &b| {
                let ka = (!connected(a), rels[a].estimate);
                let kb = (!connected(b), rels[b].estimate);
                ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
            })
            .expect("an unplaced input remains");
        order.push(next);
        placed[next] = true;
    }
    // New position of every original column.
    let mut new_pos = vec![0usize; total];
    let mut pos = 0;
    for &r in &order {
        for k in 0..rels[r].width {
            new_pos[rels[r].offset + k] = pos + k;
        }
        pos += rels[r].width;
    }
    let mut conds: Vec<Option<Expr>> = conds.into_iter().map(|c| Some(c.remap_columns(&|i| new_pos[i]))).collect();
    // Build the tree, attaching each condition at the first join where all its inputs
    // are present.
    let mut slots: Vec<Option<Node>> =
        rels.iter_mut().map(|r| Some(std::mem::replace(&mut r.node, Node::Empty { width: 0 }))).collect();
    let mut present = vec![false; n];
    let mut iter = order.iter();
    let &first = iter.next().expect("non-empty");
    present[first] = true;
    let mut tree = slots[first].take().expect("each input used once");
    let mut width = rels[first].width;
    for &r in iter {
        present[r] = true;
        width += rels[r].width;
        let mut on = Vec::new();
        for (i, c) in conds.iter_mut().enumerate() {
            if c.is_some() && cond_rels[i].iter().all(|&x| present[x]) {
                on.push(c.take().expect("checked"));
            }
        }
        let right = slots[r].take().expect("each input used once");
        let _ = width;
        tree = Node::NestedLoopJoin {
            left: Box::new(tree),
            right: Box::new(right),
            kind: JoinKind::Inner,
            on: Expr::and_all(on),
        };
    }
    // Conditions referencing no input (constants) go on top.
    let rest: Vec<Expr> = conds.into_iter().flatten().collect();
    let tree = wrap_filter(tree, rest);
    if order.windows(2).all(|w| rels[w[0]].offset < rels[w[1]].offset) {
        return tree;
    }
    let exprs = (0..total).map(|i| Expr::Column(new_pos[i], DataType::Unknown)).collect::<Vec<_>>();
    let exprs = retype_columns(exprs, &tree);
    let names = vec![String::new(); total];
    Node::Project { input: Box::new(tree), exprs, names }
}

/// Gives column references the types of the columns they point at, where known.
fn retype_columns(exprs: Vec<Expr>, _input: &Node) -> Vec<Expr> {
    // Column types are not needed for evaluation; projections that only reorder keep
    // `Unknown`, which nothing downstream inspects.
    exprs
}

/// A rough estimate of the rows a subtree produces.
fn estimate_rows(node: &Node) -> f64 {
    match node {
        Node::Scan(s) => {
            let rows = s.table.store.approx_rows().max(1) as f64;
            let filters = s.filter.as_ref().map_or(0, |f| f.clone().conjuncts().len());
            let unique_eq = s.filter.as_ref().is_some_and(|f| {
                let eqs = equality_columns(f);
                let key = s.table.schema.key_columns();
                key.iter().all(|k| eqs.contains(k))
                    || s.table.schema.indexes.iter().any(|i| i.unique && i.columns.iter().all(|c| eqs.contains(c)))
            });
            if unique_eq {
                1.0
            } else {
                (rows / 3f64.powi(filters as i32)).max(1.0)
            }
        }
        Node::Values { rows, .. } => rows.len() as f64,
        Node::Filter { input, .. } => (estimate_rows(input) / 3.0).max(1.0),
        Node::Empty { .. } => 0.0,
        Node::Aggregate { input, group_by, .. } => {
            if group_by.is_empty() {
                1.0
            } else {
                (estimate_rows(input) / 2.0).max(1.0)
            }
        }
        Node::Limit { input, .. } => estimate_rows(input).min(100.0),
        Node::NestedLoopJoin { left, right, on, .. } | Node::HashJoin { left, right, on, .. } => {
            let l = estimate_rows(left);
            let r = estimate_rows(right);
            if on.is_some() || matches!(node, Node::HashJoin { .. }) {
                l.max(r)
            } else {
                l * r
            }
        }
        other => other.inputs().first().map_or(1.0, |i| estimate_rows(i)),
    }
}

/// Columns compared for equality with a row-independent value in a predicate.
fn equality_columns(pred: &Expr) -> Vec<usize> {
    pred.clone()
        .conjuncts()
        .into_iter()
        .filter_map(|c| match c {
            Expr::Binary(BinOp::Eq, l, r, _) => match (*l, *r) {
                (Expr::Column(i, _), e) | (e, Expr::Column(i, _)) if e.is_row_independent() => Some(i),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Hash joins

fn hash_joins(node: Node) -> Node {
    let node = map_inputs(node, &mut hash_joins);
    let Node::NestedLoopJoin { left, right, kind, on: Some(on) } = node else {
        return node;
    };
    let lw = left.width();
    let (mut lk, mut rk, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    for c in on.conjuncts() {
        if let Expr::Binary(BinOp::Eq, a, b, _) = &c {
            let side = |e: &Expr| {
                let cols = e.columns();
                if cols.is_empty() || has_subquery(e) || !movable(e) {
                    None
                } else if cols.iter().all(|&i| i < lw) {
                    Some(false)
                } else if cols.iter().all(|&i| i >= lw) {
                    Some(true)
                } else {
                    None
                }
            };
            match (side(a), side(b)) {
                (Some(false), Some(true)) => {
                    lk.push((**a).clone());
                    rk.push((**b).clone().remap_columns(&|i| i - lw));
                    continue;
                }
                (Some(true), Some(false)) => {
                    lk.push((**b).clone());
                    rk.push((**a).clone().remap_columns(&|i| i - lw));
                    continue;
                }
                _ => {}
            }
        }
        rest.push(c);
    }
    if lk.is_empty() {
        return Node::NestedLoopJoin { left, right, kind, on: Expr::and_all(rest) };
    }
    Node::HashJoin { left, right, kind, left_keys: lk, right_keys: rk, on: Expr::and_all(rest) }
}

// ---------------------------------------------------------------------------------
// Index selection

fn select_indexes(node: Node) -> Node {
    match node {
        Node::Scan(mut s) => {
            if let Some(f) = &s.filter {
                if let Some(access) = choose_access(&s, f) {
                    s.access = access;
                }
            }
            Node::Scan(s)
        }
        other => map_inputs(other, &mut select_indexes),
    }
}

/// What the filter says about one column.
#[derive(Default, Clone)]
struct ColumnConstraint {
    /// Equal to any of these values (one for `=`, several for IN).
    eq: Option<Vec<Expr>>,
    lower: Option<(Expr, bool)>,
    upper: Option<(Expr, bool)>,
}

/// Whether a value of type `value` can be looked up in an index on a column of type
/// `column`: their key encodings must agree.
fn key_compatible(column: &DataType, value: &DataType) -> bool {
    column.without_typmod() == value.without_typmod()
        || (column.is_integer() && value.is_integer())
        || (column.is_float() && value.is_float())
        || (column.is_string() && value.is_string())
}

fn constraints(s: &Scan, filter: &Expr) -> Vec<ColumnConstraint> {
    let cols = &s.table.schema.columns;
    let mut out = vec![ColumnConstraint::default(); cols.len()];
    for c in filter.clone().conjuncts() {
        match c {
            Expr::Binary(op, l, r, _) if op.is_comparison() && op != BinOp::NotEq => {
                let (col, val, op) = match (*l, *r) {
                    (Expr::Column(i, _), v) if v.is_row_independent() => (i, v, op),
                    (v, Expr::Column(i, _)) if v.is_row_independent() => (i, v, op.flip()),
                    _ => continue,
                };
                if col >= cols.len() || !key_compatible(&cols[col].ty, &val.ty()) || !movable(&val) {
                    continue;
                }
                let cc = &mut out[col];
                match op {
                    BinOp::Eq if cc.eq.is_none() => cc.eq = Some(vec![val]),
                    BinOp::Gt => cc.lower = Some((val, false)),
                    BinOp::GtEq => cc.lower = Some((val, true)),
                    BinOp::Lt => cc.upper = Some((val, false)),
                    BinOp::LtEq => cc.upper = Some((val, true)),
                    _ => {}
                }
            }
            Expr::InList { expr, list, negated: false } => {
                if let Expr::Column(i, _) = *expr {
                    if i < cols.len()
                        && list
                            .iter()
                            .all(|v| v.is_row_independent() && movable(v) && key_compatible(&cols[i].ty, &v.ty()))
                        && out[i].eq.is_none()
                        && !list.is_empty()
                    {
                        out[i].eq = Some(list);
                    }
                }
            }
            Expr::Subquery(sub) => {
                // `col IN (uncorrelated subquery)` could become lookups; left to the
                // executor's hashed probe for now.
                let _ = matches!(sub.kind, SubqueryKind::Quantified { .. });
            }
            _ => {}
        }
    }
    out
}

/// Builds key ranges for an index over `columns`; returns the ranges, the number of
/// equality columns matched, and whether a range column follows.
fn ranges_for(columns: &[usize], cons: &[ColumnConstraint]) -> Option<(Vec<KeyRange>, usize, bool)> {
    const MAX_RANGES: usize = 1024;
    let mut prefixes: Vec<Vec<Expr>> = vec![Vec::new()];
    let mut eq_count = 0;
    for &c in columns {
        let Some(vals) = &cons[c].eq else { break };
        if prefixes.len() * vals.len() > MAX_RANGES {
            break;
        }
        prefixes = prefixes
            .into_iter()
            .flat_map(|p| {
                vals.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
        eq_count += 1;
    }
    let next = columns.get(eq_count).map(|&c| &cons[c]);
    let has_range = next.is_some_and(|n| n.lower.is_some() || n.upper.is_some());
    if eq_count == 0 && !has_range {
        return None;
    }
    let ranges = prefixes
        .into_iter()
        .map(|p| {
            if !has_range {
                return KeyRange::point(p);
            }
            let n = next.expect("has_range implies a next column");
            let lower = match &n.lower {
                Some((v, incl)) => {
                    let mut k = p.clone();
                    k.push(v.clone());
                    if *incl {
                        KeyBound::Included(k)
                    } else {
                        KeyBound::Excluded(k)
                    }
                }
                None if p.is_empty() => KeyBound::Unbounded,
                None => KeyBound::Included(p.clone()),
            };
            let upper = match &n.upper {
                Some((v, incl)) => {
                    let mut k = p.clone();
                    k.push(v.clone());
                    if *incl {
                        KeyBound::Included(k)
                    } else {
                        KeyBound::Excluded(k)
                    }
                }
                None if p.is_empty() => KeyBound::Unbounded,
                None => KeyBound::Included(p),
            };
            KeyRange { lower, upper }
        })
        .collect();
    Some((ranges, eq_count, has_range))
}

fn choose_access(s: &Scan, filter: &Expr) -> Option<Access> {
    let cons = constraints(s, filter);
    let schema = &s.table.schema;
    // (score, access): full unique matches first, then more equality columns, then ranges.
    let mut best: Option<(u32, Access)> = None;
    let mut consider = |score: u32, access: Access| {
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, access));
        }
    };
    let key = schema.key_columns();
    if let Some((ranges, eq, range)) = ranges_for(&key, &cons) {
        let full = eq == key.len();
        consider(score(full, eq, range, true), Access::Primary(ranges));
    }
    for idx in &schema.indexes {
        if let Some((ranges, eq, range)) = ranges_for(&idx.columns, &cons) {
            let full = idx.unique && eq == idx.columns.len();
            consider(score(full, eq, range, false), Access::Index { index: idx.id, name: idx.name.clone(), ranges });
        }
    }
    best.map(|(_, a)| a)
}

fn score(full_unique: bool, eq: usize, range: bool, primary: bool) -> u32 {
    (full_unique as u32) * 10_000 + (eq as u32) * 100 + (range as u32) * 10 + primary as u32
}

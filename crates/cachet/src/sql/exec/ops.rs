//! The relational operators.

use super::agg::AggregateOp;
use super::eval::{eval, holds};
use super::sort::SortOp;
use super::{Env, Operator, Tuple};
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, JoinKind, KeyBound, KeyRange, LockRows, Node, Scan, SetOpKind};
use crate::storage::encoding::{encode_value, prefix_end};
use crate::storage::table::KeyRange as StoreRange;
use crate::storage::table::LockOutcome;
use crate::storage::{Key, Row};
use crate::types::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Bound;

/// Rows fetched from storage per batch.
const BATCH: usize = 256;

pub fn build(node: &Node) -> Box<dyn Operator + '_> {
    match node {
        Node::Scan(s) => Box::new(ScanOp::new(s)),
        Node::Values { rows, .. } => Box::new(ValuesOp { rows, pos: 0 }),
        Node::Filter { input, predicate } => Box::new(FilterOp { input: build(input), predicate }),
        Node::Project { input, exprs, .. } => Box::new(ProjectOp { input: build(input), exprs }),
        Node::NestedLoopJoin { left, right, kind, on } => Box::new(NestedLoopOp::new(left, right, *kind, on.as_ref())),
        Node::HashJoin { left, right, kind, left_keys, right_keys, on } => {
            Box::new(HashJoinOp::new(left, right, *kind, left_keys, right_keys, on.as_ref()))
        }
        Node::Aggregate { input, group_by, aggs } => Box::new(AggregateOp::new(build(input), group_by, aggs)),
        Node::Sort { input, keys } => Box::new(SortOp::new(build(input), keys)),
        Node::Limit { input, limit, offset } => {
            Box::new(LimitOp { input: build(input), limit: limit.as_ref(), offset: offset.as_ref(), state: None })
        }
        Node::Distinct { input } => Box::new(DistinctOp { input: build(input), seen: HashSet::new() }),
        Node::SetOp { kind, all, left, right } => Box::new(SetOpOp::new(*kind, *all, left, right)),
        Node::LockRows(l) => Box::new(LockRowsOp { input: build(&l.input), spec: l }),
        Node::Empty { .. } => Box::new(EmptyOp),
    }
}

struct EmptyOp;

impl Operator for EmptyOp {
    fn next(&mut self, _env: &Env) -> Result<Option<Tuple>> {
        Ok(None)
    }
}

/// Evaluates the bounds of key ranges into encoded storage ranges.
pub fn encode_ranges(ranges: &[KeyRange], env: &Env) -> Result<Vec<StoreRange>> {
    let mut out = Vec::with_capacity(ranges.len());
    'ranges: for r in ranges {
        let enc = |b: &[Expr]| -> Result<Option<Key>> {
            let mut key = Key::new();
            for e in b {
                let v = eval(e, &[], env)?;
                // A NULL bound matches nothing (comparisons with NULL are never true).
                if v.is_null() {
                    return Ok(None);
                }
                encode_value(&v, &mut key)?;
            }
            Ok(Some(key))
        };
        let lower = match &r.lower {
            KeyBound::Unbounded => Bound::Unbounded,
            KeyBound::Included(v) => match enc(v)? {
                Some(k) => Bound::Included(k),
                None => continue 'ranges,
            },
            // Skip every key that has this prefix.
            KeyBound::Excluded(v) => match enc(v)? {
                Some(k) => match prefix_end(&k) {
                    Some(end) => Bound::Included(end),
                    None => continue 'ranges,
                },
                None => continue 'ranges,
            },
        };
        let upper = match &r.upper {
            KeyBound::Unbounded => Bound::Unbounded,
            KeyBound::Included(v) => match enc(v)? {
                Some(k) => match prefix_end(&k) {
                    Some(end) => Bound::Excluded(end),
                    None => Bound::Unbounded,
                },
                None => continue 'ranges,
            },
            KeyBound::Excluded(v) => match enc(v)? {
                Some(k) => Bound::Excluded(k),
                None => continue 'ranges,
            },
        };
        out.push((lower, upper));
    }
    // Overlapping ranges (IN lists with duplicates) would return rows twice.
    out.sort_by(|a, b| cmp_lower(&a.0, &b.0));
    out.dedup_by(|b, a| a == b);
    Ok(out)
}

fn cmp_lower(a: &Bound<Key>, b: &Bound<Key>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Bound::Unbounded, Bound::Unbounded) => Equal,
        (Bound::Unbounded, _) => Less,
        (_, Bound::Unbounded) => Greater,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => x.cmp(y),
    }
}

/// Scans a table through its access path, applying the filter.
pub struct ScanOp<'p> {
    scan: &'p Scan,
    ranges: Option<VecDeque<StoreRange>>,
    batch: Vec<Row>,
    pos: usize,
}

impl<'p> ScanOp<'p> {
    pub fn new(scan: &'p Scan) -> Self {
        ScanOp { scan, ranges: None, batch: Vec::new(), pos: 0 }
    }

    /// Whether a range is a point lookup on the whole primary key.
    fn is_lookup(&self, r: &StoreRange) -> Option<Key> {
        if !matches!(self.scan.access, Access::Primary(_)) {
            return None;
        }
        // Point ranges on the full key come out as [k, prefix_end(k)).
        let n = self.scan.table.schema.key_columns().len();
        let Access::Primary(ranges) = &self.scan.access else {
            return None;
        };
        if ranges.iter().all(|r| r.as_point().is_some_and(|p| p.len() == n)) {
            if let Bound::Included(k) = &r.0 {
                return Some(k.clone());
            }
        }
        None
    }

    fn refill(&mut self, env: &Env) -> Result<bool> {
        env.ctx.check_cancel()?;
        let ssi = env.ctx.txn.and_then(|t| t.ssi.as_ref().map(|s| (t, s)));
        if self.ranges.is_none() {
            let ranges = match &self.scan.access {
                Access::Full => vec![(Bound::Unbounded, Bound::Unbounded)],
                Access::Primary(r) | Access::Index { ranges: r, .. } => encode_ranges(r, env)?,
            };
            // SERIALIZABLE: the ranges read are a predicate lock.
            if let Some((txn, s)) = ssi {
                let index = match &self.scan.access {
                    Access::Index { index, .. } => Some(*index),
                    _ => None,
                };
                txn.manager().ssi.on_read(s, self.scan.table.store.id, index, &ranges)?;
            }
            self.ranges = Some(ranges.into());
        }
        let store = &self.scan.table.store;
        let rv = &env.ctx.rv;
        let mut conflicts = Vec::new();
        loop {
            let Some(range) = self.ranges.as_ref().and_then(|r| r.front().cloned()) else {
                return Ok(false);
            };
            self.batch.clear();
            self.pos = 0;
            let resume = if let Some(key) = self.is_lookup(&range) {
                self.batch.extend(store.get_tracked(&key, rv, ssi.is_some().then_some(&mut conflicts)));
                None
            } else {
                match &self.scan.access {
                    Access::Index { index, .. } => {
                        let idx = store.index(*index).ok_or_else(|| Error::internal("index vanished"))?;
                        store.index_scan_batch(
                            &idx,
                            &range,
                            rv,
                            BATCH,
                            &mut self.batch,
                            ssi.is_some().then_some(&mut conflicts),
                        )?
                    }
                    _ => store.scan_batch(&range, rv, BATCH, &mut self.batch, ssi.is_some().then_some(&mut conflicts)),
                }
            };
            if let Some((txn, s)) = ssi {
                txn.manager().ssi.on_read_conflicts(s, &conflicts)?;
                conflicts.clear();
            }
            let ranges = self.ranges.as_mut().expect("initialized above");
            match resume {
                Some(k) => ranges[0].0 = Bound::Excluded(k),
                None => {
                    ranges.pop_front();
                }
            }
            if !self.batch.is_empty() {
                return Ok(true);
            }
        }
    }
}

impl Operator for ScanOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        loop {
            if self.pos >= self.batch.len() && !self.refill(env)? {
                return Ok(None);
            }
            let row = &self.batch[self.pos];
            self.pos += 1;
            if let Some(f) = &self.scan.filter {
                if !holds(f, row, env)? {
                    continue;
                }
            }
            return Ok(Some(row.to_vec()));
        }
    }
}

struct ValuesOp<'p> {
    rows: &'p [Vec<Expr>],
    pos: usize,
}

impl Operator for ValuesOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        let Some(row) = self.rows.get(self.pos) else {
            return Ok(None);
        };
        self.pos += 1;
        row.iter().map(|e| eval(e, &[], env)).collect::<Result<_>>().map(Some)
    }
}

struct FilterOp<'p> {
    input: Box<dyn Operator + 'p>,
    predicate: &'p Expr,
}

impl Operator for FilterOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        while let Some(row) = self.input.next(env)? {
            if holds(self.predicate, &row, env)? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

struct ProjectOp<'p> {
    input: Box<dyn Operator + 'p>,
    exprs: &'p [Expr],
}

impl Operator for ProjectOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        let Some(row) = self.input.next(env)? else {
            return Ok(None);
        };
        self.exprs.iter().map(|e| eval(e, &row, env)).collect::<Result<_>>().map(Some)
    }
}

/// Joins by comparing every pair of rows; the right side is materialized once.
struct NestedLoopOp<'p> {
    left: Box<dyn Operator + 'p>,
    right_node: &'p Node,
    right: Option<Vec<Tuple>>,
    right_matched: Vec<bool>,
    kind: JoinKind,
    on: Option<&'p Expr>,
    left_width: usize,
    right_width: usize,
    current: Option<(Tuple, usize, bool)>,
    tail: Option<usize>,
}

impl<'p> NestedLoopOp<'p> {
    fn new(left: &'p Node, right: &'p Node, kind: JoinKind, on: Option<&'p Expr>) -> Self {
        NestedLoopOp {
            left: build(left),
            right_node: right,
            right: None,
            right_matched: Vec::new(),
            kind,
            on,
            left_width: left.width(),
            right_width: right.width(),
            current: None,
            tail: None,
        }
    }
}

impl Operator for NestedLoopOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.right.is_none() {
            let rows = super::collect(self.right_node, env)?;
            self.right_matched = vec![false; rows.len()];
            self.right = Some(rows);
        }
        let right = self.right.as_ref().expect("materialized");
        loop {
            if let Some(i) = self.tail.as_mut() {
                // Unmatched right rows of a RIGHT or FULL join.
                while *i < right.len() {
                    let j = *i;
                    *i += 1;
                    if !self.right_matched[j] {
                        let mut row = vec![Value::Null; self.left_width];
                        row.extend(right[j].iter().cloned());
                        return Ok(Some(row));
                    }
                }
                return Ok(None);
            }
            if self.current.is_none() {
                match self.left.next(env)? {
                    Some(l) => self.current = Some((l, 0, false)),
                    None => {
                        if matches!(self.kind, JoinKind::Right | JoinKind::Full) {
                            self.tail = Some(0);
                            continue;
                        }
                        return Ok(None);
                    }
                }
            }
            let (left, pos, matched) = self.current.as_mut().expect("set above");
            while *pos < right.len() {
                let j = *pos;
                *pos += 1;
                let mut row = Vec::with_capacity(left.len() + self.right_width);
                row.extend(left.iter().cloned());
                row.extend(right[j].iter().cloned());
                if let Some(on) = self.on {
                    if !holds(on, &row, env)? {
                        continue;
                    }
                }
                *matched = true;
                self.right_matched[j] = true;
                match self.kind {
                    JoinKind::Semi => {
                        let l = std::mem::take(left);
                        self.current = None;
                        return Ok(Some(l));
                    }
                    JoinKind::Anti => {
                        self.current = None;
                        break;
                    }
                    _ => return Ok(Some(row)),
                }
            }
            let Some((left, _, matched)) = self.current.take() else {
                continue;
            };
            match self.kind {
                JoinKind::Left | JoinKind::Full if !matched => {
                    let mut row = left;
                    row.resize(self.left_width + self.right_width, Value::Null);
                    return Ok(Some(row));
                }
                JoinKind::Anti if !matched => return Ok(Some(left)),
                _ => {}
            }
        }
    }
}

/// An equi-join: builds a hash table on the right input, probes it with the left.
struct HashJoinOp<'p> {
    left: Box<dyn Operator + 'p>,
    right_node: &'p Node,
    kind: JoinKind,
    left_keys: &'p [Expr],
    right_keys: &'p [Expr],
    on: Option<&'p Expr>,
    table: Option<HashMap<Vec<Value>, Vec<usize>>>,
    right_rows: Vec<Tuple>,
    right_matched: Vec<bool>,
    left_width: usize,
    right_width: usize,
    /// The current left row and the matches still to try.
    current: Option<(Tuple, Vec<usize>, usize, bool)>,
    tail: Option<usize>,
}

impl<'p> HashJoinOp<'p> {
    fn new(
        left: &'p Node,
        right: &'p Node,
        kind: JoinKind,
        left_keys: &'p [Expr],
        right_keys: &'p [Expr],
        on: Option<&'p Expr>,
    ) -> Self {
        HashJoinOp {
            left: build(left),
            right_node: right,
            kind,
            left_keys,
            right_keys,
            on,
            table: None,
            right_rows: Vec::new(),
            right_matched: Vec::new(),
            left_width: left.width(),
            right_width: right.width(),
            current: None,
            tail: None,
        }
    }

    fn build_table(&mut self, env: &Env) -> Result<()> {
        let mut op = build(self.right_node);
        let mut table: HashMap<Vec<Value>, Vec<usize>> = HashMap::new();
        while let Some(row) = op.next(env)? {
            let key: Vec<Value> = self.right_keys.iter().map(|k| eval(k, &row, env)).collect::<Result<_>>()?;
            let idx = self.right_rows.len();
            self.right_rows.push(row);
            // NULL keys never match, but outer joins still emit the row.
            if !key.iter().any(Value::is_null) {
                table.entry(key).or_default().push(idx);
            }
        }
        self.right_matched = vec![false; self.right_rows.len()];
        self.table = Some(table);
        Ok(())
    }
}

impl Operator for HashJoinOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.table.is_none() {
            self.build_table(env)?;
        }
        loop {
            if let Some(i) = self.tail.as_mut() {
                while *i < self.right_rows.len() {
                    let j = *i;
                    *i += 1;
                    if !self.right_matched[j] {
                        let mut row = vec![Value::Null; self.left_width];
                        row.extend(self.right_rows[j].iter().cloned());
                        return Ok(Some(row));
                    }
                }
                return Ok(None);
            }
            if self.current.is_none() {
                let Some(left) = self.left.next(env)? else {
                    if matches!(self.kind, JoinKind::Right | JoinKind::Full) {
                        self.tail = Some(0);
                        continue;
                    }
                    return Ok(None);
                };
                let key: Vec<Value> = self.left_keys.iter().map(|k| eval(k, &left, env)).collect::<Result<_>>()?;
                let matches = if key.iter().any(Value::is_null) {
                    Vec::new()
                } else {
                    self.table.as_ref().expect("built").get(&key).cloned().unwrap_or_default()
                };
                self.current = Some((left, matches, 0, false));
            }
            let (left, matches, pos, matched) = self.current.as_mut().expect("set above");
            while *pos < matches.len() {
                let j = matches[*pos];
                *pos += 1;
                let mut row = Vec::with_capacity(self.left_width + self.right_width);
                row.extend(left.iter().cloned());
                row.extend(self.right_rows[j].iter().cloned());
                if let Some(on) = self.on {
                    if !holds(on, &row, env)? {
                        continue;
                    }
                }
                *matched = true;
                self.right_matched[j] = true;
                match self.kind {
                    JoinKind::Semi => {
                        let l = std::mem::take(left);
                        self.current = None;
                        return Ok(Some(l));
                    }
                    JoinKind::Anti => {
                        self.current = None;
                        break;
                    }
                    _ => return Ok(Some(row)),
                }
            }
            let Some((left, _, _, matched)) = self.current.take() else {
                continue;
            };
            match self.kind {
                JoinKind::Left | JoinKind::Full if !matched => {
                    let mut row = left;
                    row.resize(self.left_width + self.right_width, Value::Null);
                    return Ok(Some(row));
                }
                JoinKind::Anti if !matched => return Ok(Some(left)),
                _ => {}
            }
        }
    }
}

struct LimitOp<'p> {
    input: Box<dyn Operator + 'p>,
    limit: Option<&'p Expr>,
    offset: Option<&'p Expr>,
    /// Rows still to skip and rows still to return.
    state: Option<(u64, Option<u64>)>,
}

fn count_value(e: &Expr, env: &Env, what: &str, code: SqlState) -> Result<Option<u64>> {
    let v = eval(e, &[], env)?;
    if v.is_null() {
        return Ok(None);
    }
    let n = match crate::types::cast(
        v,
        &crate::types::DataType::Int8,
        crate::types::CastContext::Assignment,
        env.ctx.tz,
    )? {
        Value::Int8(n) => n,
        _ => 0,
    };
    if n < 0 {
        return Err(Error::new(code, format!("{what} must not be negative")));
    }
    Ok(Some(n as u64))
}

impl Operator for LimitOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.state.is_none() {
            let offset = match self.offset {
                Some(e) => count_value(e, env, "OFFSET", SqlState::INVALID_ROW_COUNT_IN_OFFSET)?.unwrap_or(0),
                None => 0,
            };
            let limit = match self.limit {
                Some(e) => count_value(e, env, "LIMIT", SqlState::INVALID_ROW_COUNT_IN_LIMIT)?,
                None => None,
            };
            self.state = Some((offset, limit));
        }
        let (skip, left) = self.state.as_mut().expect("set above");
        if *left == Some(0) {
            return Ok(None);
        }
        while *skip > 0 {
            if self.input.next(env)?.is_none() {
                return Ok(None);
            }
            *skip -= 1;
        }
        let row = self.input.next(env)?;
        if row.is_some() {
            if let Some(l) = left {
                *l -= 1;
            }
        }
        Ok(row)
    }
}

struct DistinctOp<'p> {
    input: Box<dyn Operator + 'p>,
    seen: HashSet<Tuple>,
}

impl Operator for DistinctOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        while let Some(row) = self.input.next(env)? {
            if !self.seen.contains(&row) {
                self.seen.insert(row.clone());
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// UNION, INTERSECT and EXCEPT, with multiset semantics for ALL.
struct SetOpOp<'p> {
    kind: SetOpKind,
    all: bool,
    left: &'p Node,
    right: &'p Node,
    output: Option<std::vec::IntoIter<Tuple>>,
}

impl<'p> SetOpOp<'p> {
    fn new(kind: SetOpKind, all: bool, left: &'p Node, right: &'p Node) -> Self {
        SetOpOp { kind, all, left, right, output: None }
    }

    fn compute(&self, env: &Env) -> Result<Vec<Tuple>> {
        let left = super::collect(self.left, env)?;
        let right = super::collect(self.right, env)?;
        let mut out = Vec::new();
        match (self.kind, self.all) {
            (SetOpKind::Union, true) => {
                out = left;
                out.extend(right);
            }
            (SetOpKind::Union, false) => {
                let mut seen = HashSet::new();
                for row in left.into_iter().chain(right) {
                    if seen.insert(row.clone()) {
                        out.push(row);
                    }
                }
            }
            (kind, all) => {
                let mut counts: HashMap<Tuple, usize> = HashMap::new();
                for row in right {
                    *counts.entry(row).or_default() += 1;
                }
                let mut emitted = HashSet::new();
                for row in left {
                    let c = counts.get_mut(&row);
                    let keep = match (kind, all) {
                        (SetOpKind::Intersect, true) => match c {
                            Some(n) if *n > 0 => {
                                *n -= 1;
                                true
                            }
                            _ => false,
                        },
                        (SetOpKind::Intersect, false) => c.is_some() && emitted.insert(row.clone()),
                        (SetOpKind::Except, true) => match c {
                            Some(n) if *n > 0 => {
                                *n -= 1;
                                false
                            }
                            _ => true,
                        },
                        _ => c.is_none() && emitted.insert(row.clone()),
                    };
                    if keep {
                        out.push(row);
                    }
                }
            }
        }
        Ok(out)
    }
}

impl Operator for SetOpOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.output.is_none() {
            self.output = Some(self.compute(env)?.into_iter());
        }
        Ok(self.output.as_mut().expect("computed").next())
    }
}

/// Locks the table row behind each input row (SELECT ... FOR UPDATE/SHARE). Under
/// READ COMMITTED a row changed by a later commit is re-checked against the WHERE
/// clause and, if it still qualifies, locked and returned in its new form.
struct LockRowsOp<'p> {
    input: Box<dyn Operator + 'p>,
    spec: &'p LockRows,
}

impl Operator for LockRowsOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        let txn = env.ctx.txn.ok_or_else(|| Error::internal("row locks need a transaction"))?;
        let table = &self.spec.table;
        'rows: while let Some(mut row) = self.input.next(env)? {
            let key = super::dml::row_key(&table.schema, &row[self.spec.row_offset..])?;
            let mut seen = None;
            loop {
                let outcome = table.store.lock_row(txn, &key, self.spec.mode, self.spec.wait, env.ctx.rv.now, seen)?;
                match outcome {
                    LockOutcome::Locked(_) => return Ok(Some(row)),
                    LockOutcome::Busy => {
                        return Err(Error::new(
                            SqlState::LOCK_NOT_AVAILABLE,
                            format!("could not obtain lock on row in relation \"{}\"", table.schema.name),
                        ))
                    }
                    LockOutcome::Skipped | LockOutcome::Gone => continue 'rows,
                    LockOutcome::Changed(newest, begin) => {
                        if let Some(f) = &self.spec.filter {
                            if !holds(f, &newest, env)? {
                                continue 'rows;
                            }
                        }
                        let mut fresh: Vec<Value> =
                            self.spec.exprs.iter().map(|e| eval(e, &newest, env)).collect::<Result<_>>()?;
                        fresh.extend(newest.iter().cloned());
                        row = fresh;
                        seen = Some(begin);
                    }
                }
            }
        }
        Ok(None)
    }
}

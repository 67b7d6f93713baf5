//! Query execution: pull-based operators over plan nodes.
//!
//! [`build`] turns a [`Node`] into a tree of [`Operator`]s. Each call to
//! [`Operator::next`] returns the next row, pulling rows from the inputs as it needs
//! them (the Volcano model). Scans read storage in batches, so a lock on a table is
//! never held across a call into another operator. Operators that need all their input
//! (sort, hash join build sides, aggregation) materialize it.
//!
//! Expressions are evaluated by [`eval::eval`] against the current row and an [`Env`]:
//! the statement's context plus the chain of enclosing rows that correlated subqueries
//! refer to.

pub mod agg;
pub mod dml;
pub mod eval;
pub mod ops;
pub mod sort;

use super::plan::Node;
use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::error::Result;
use crate::storage::{ReadView, Txn};
use crate::types::{TimeZone, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;

/// A row flowing between operators.
pub type Tuple = Vec<Value>;

/// The materialized result of an uncorrelated subquery.
pub struct SubqueryResult {
    /// The first column of every row.
    pub values: Vec<Value>,
    /// The same values, for `IN`/`= ANY` probes; NULLs excluded.
    pub set: HashSet<Value>,
    pub has_null: bool,
}

/// Everything a statement's execution needs besides the row.
pub struct ExecCtx<'a> {
    pub engine: &'a Engine,
    pub catalog: &'a Catalog,
    pub rv: ReadView,
    pub params: &'a [Value],
    pub tz: &'a TimeZone,
    /// The transaction's start time (`now()`), microseconds since the Unix epoch.
    pub txn_start: i64,
    /// The statement's start time.
    pub stmt_start: i64,
    pub(crate) subqueries: RefCell<HashMap<usize, Rc<SubqueryResult>>>,
    /// Set from another thread to cancel the statement.
    pub cancel: Option<&'a AtomicBool>,
    /// The transaction, for writes, row locks and SERIALIZABLE read tracking; `None`
    /// when evaluating constants at planning time.
    pub txn: Option<&'a Txn>,
    /// The session's identity, for current_user, current_database() and pg_backend_pid().
    pub user: &'a str,
    pub database: &'a str,
    pub backend_pid: i32,
}

impl<'a> ExecCtx<'a> {
    pub fn new(
        engine: &'a Engine,
        catalog: &'a Catalog,
        rv: ReadView,
        params: &'a [Value],
        tz: &'a TimeZone,
        txn_start: i64,
    ) -> Self {
        ExecCtx {
            engine,
            catalog,
            rv,
            params,
            tz,
            txn_start,
            stmt_start: rv.now,
            subqueries: RefCell::new(HashMap::new()),
            cancel: None,
            txn: None,
            user: "cachet",
            database: "cachet",
            backend_pid: 0,
        }
    }

    /// Fails with 57014 if the statement was cancelled. Operators call this once per
    /// batch of work, so cancellation takes effect within milliseconds.
    #[inline]
    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
            return Err(crate::error::Error::new(
                crate::error::SqlState::QUERY_CANCELED,
                "canceling statement due to user request",
            ));
        }
        Ok(())
    }
}

impl<'a> ExecCtx<'a> {
    /// A context for evaluating constants at planning time: no transaction, no
    /// parameters.
    pub fn constant(engine: &'a Engine, catalog: &'a Catalog, tz: &'a TimeZone) -> Self {
        let now = engine.now();
        let rv = ReadView { txn: 0, snapshot: 0, now };
        ExecCtx::new(engine, catalog, rv, &[], tz, now)
    }
}

/// The row of an enclosing query, for correlated references.
pub struct Frame<'a> {
    pub row: &'a [Value],
    pub parent: Option<&'a Frame<'a>>,
}

/// The evaluation environment: statement context and enclosing rows.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub ctx: &'a ExecCtx<'a>,
    pub outer: Option<&'a Frame<'a>>,
}

impl<'a> Env<'a> {
    pub fn new(ctx: &'a ExecCtx<'a>) -> Self {
        Env { ctx, outer: None }
    }

    /// The row of the enclosing query `depth` levels up.
    pub fn outer_row(&self, depth: usize) -> Option<&'a [Value]> {
        let mut frame = self.outer?;
        for _ in 1..depth {
            frame = frame.parent?;
        }
        Some(frame.row)
    }
}

/// A pull-based operator.
pub trait Operator {
    /// The next row, or `None` when done.
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>>;
}

/// Builds the operator tree of a plan.
pub fn build(node: &Node) -> Box<dyn Operator + '_> {
    ops::build(node)
}

/// Runs a plan to completion, collecting its rows.
pub fn collect(node: &Node, env: &Env) -> Result<Vec<Tuple>> {
    let mut op = build(node);
    let mut rows = Vec::new();
    while let Some(row) = op.next(env)? {
        rows.push(row);
    }
    Ok(rows)
}

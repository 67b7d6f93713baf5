//! Executing INSERT, UPDATE and DELETE.
//!
//! Every write statement first runs its source plan to completion and only then writes,
//! so a statement never sees its own writes (no Halloween problem). Each row is then
//! completed (defaults, row id), checked (NOT NULL, CHECK) and written through the
//! storage layer, which enforces uniqueness and row-level write conflicts.

use super::eval::{eval, eval_bool};
use super::{collect, Env, ExecCtx, Tuple};
use crate::catalog::TableSchema;
use crate::error::{Error, Result, SqlState};
use crate::sql::binder::{DeletePlan, InsertPlan, OnConflict, Returning, UpdatePlan};
use crate::storage::mvcc::{ReadView, TXN_FLAG};
use crate::storage::{encode_key, Key, Row, Txn, WriteOutcome, NEVER};
use crate::types::Value;
use std::collections::HashSet;
use std::sync::atomic::Ordering;

/// The result of a write statement.
#[derive(Debug, Default)]
pub struct DmlResult {
    pub count: u64,
    pub returning: Vec<Tuple>,
}

/// The storage key of a row.
pub fn row_key(schema: &TableSchema, row: &[Value]) -> Result<Key> {
    let vals: Vec<Value> = schema.key_columns().iter().map(|&c| row[c].clone()).collect();
    encode_key(&vals)
}

/// `(1, abc, null)`, as PostgreSQL's "Failing row contains" detail shows rows.
fn show_row(schema: &TableSchema, row: &[Value]) -> String {
    let vals: Vec<String> = schema
        .visible_columns()
        .map(|(i, _)| match &row[i] {
            Value::Null => "null".to_string(),
            v => crate::types::format_value(v, &Default::default()),
        })
        .collect();
    format!("({})", vals.join(", "))
}

/// Checks NOT NULL and CHECK constraints.
fn check_row(
    schema: &TableSchema,
    row: &[Value],
    checks: &[(String, crate::sql::expr::Expr)],
    env: &Env,
) -> Result<()> {
    for (c, col) in schema.columns.iter().enumerate() {
        if !col.nullable && row[c].is_null() {
            return Err(Error::new(
                SqlState::NOT_NULL_VIOLATION,
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    col.name, schema.name
                ),
            )
            .with_detail(format!("Failing row contains {}.", show_row(schema, row))));
        }
    }
    for (name, expr) in checks {
        if eval_bool(expr, row, env)? == Some(false) {
            return Err(Error::new(
                SqlState::CHECK_VIOLATION,
                format!("new row for relation \"{}\" violates check constraint \"{name}\"", schema.name),
            )
            .with_constraint(name.clone())
            .with_detail(format!("Failing row contains {}.", show_row(schema, row))));
        }
    }
    Ok(())
}

/// The columns of a unique constraint, by name.
fn constraint_columns(schema: &TableSchema, name: &str) -> Option<Vec<usize>> {
    if schema.pk_name() == Some(name) {
        return schema.primary_key.as_ref().map(|(_, c)| c.clone());
    }
    schema.indexes.iter().find(|i| i.name == name).map(|i| i.columns.clone())
}

/// Adds PostgreSQL's "Key (a)=(1) already exists." detail to a unique violation.
fn unique_detail(e: Error, schema: &TableSchema, row: &[Value]) -> Error {
    if e.code() != SqlState::UNIQUE_VIOLATION || e.detail().is_some() {
        return e;
    }
    let Some(cols) = e.constraint().and_then(|n| constraint_columns(schema, n)) else {
        return e;
    };
    let names: Vec<&str> = cols.iter().map(|&c| schema.columns[c].name.as_str()).collect();
    let vals: Vec<String> = cols.iter().map(|&c| crate::types::format_value(&row[c], &Default::default())).collect();
    e.with_detail(format!("Key ({})=({}) already exists.", names.join(", "), vals.join(", ")))
}

/// The expiry of a row written now: now plus the table's TTL, or never.
fn expiry(schema: &TableSchema, now: i64) -> i64 {
    match &schema.options.ttl {
        Some(ttl) => {
            let micros = ttl.total_micros();
            i64::try_from(now as i128 + micros).unwrap_or(NEVER)
        }
        None => NEVER,
    }
}

fn returning_row(r: &Option<Returning>, row: &[Value], env: &Env, out: &mut Vec<Tuple>) -> Result<()> {
    if let Some(r) = r {
        out.push(r.exprs.iter().map(|e| eval(e, row, env)).collect::<Result<_>>()?);
    }
    Ok(())
}

/// A view that sees the newest committed version of every row, and our own writes.
fn latest_view(txn: &Txn, now: i64) -> ReadView {
    ReadView { txn: txn.id, snapshot: TXN_FLAG - 1, now }
}

pub fn insert(plan: &InsertPlan, ctx: &ExecCtx) -> Result<DmlResult> {
    let txn = ctx.txn.ok_or_else(|| Error::internal("write outside a transaction"))?;
    let env = Env::new(ctx);
    let source = collect(&plan.source, &env)?;
    let table = &plan.table;
    let schema = &table.schema;
    let store = &table.store;
    let now = ctx.rv.now;
    let width = schema.columns.len();
    let mut result = DmlResult::default();
    // Keys this statement inserted or updated, for ON CONFLICT DO UPDATE.
    let mut touched: HashSet<Key> = HashSet::new();
    for src in source {
        let mut row = vec![Value::Null; width];
        let mut provided = vec![false; width];
        for (v, &c) in src.into_iter().zip(&plan.targets) {
            row[c] = v;
            provided[c] = true;
        }
        for c in 0..width {
            if !provided[c] {
                if let Some(d) = &plan.defaults[c] {
                    row[c] = eval(d, &[], &env)?;
                }
            }
        }
        if let Some(r) = schema.rowid_column() {
            row[r] = Value::Int8(store.next_rowid.fetch_add(1, Ordering::Relaxed));
        }
        check_row(schema, &row, &plan.checks, &env)?;
        let key = row_key(schema, &row)?;
        let expires = expiry(schema, now);
        let shared: Row = row.into();
        match store.insert(txn, key.clone(), shared.clone(), expires, now, schema.pk_name()) {
            Ok(()) => {
                touched.insert(key);
                result.count += 1;
                returning_row(&plan.returning, &shared, &env, &mut result.returning)?;
            }
            Err(e) if e.code() == SqlState::UNIQUE_VIOLATION && plan.on_conflict.is_some() => {
                let violated = e.constraint().and_then(|n| constraint_columns(schema, n)).map(|mut c| {
                    c.sort_unstable();
                    c
                });
                match plan.on_conflict.as_ref().expect("checked") {
                    OnConflict::DoNothing { target } => {
                        if target.is_some() && *target != violated {
                            return Err(unique_detail(e, schema, &shared));
                        }
                    }
                    OnConflict::DoUpdate { target, assignments, filter } => {
                        if Some(target) != violated.as_ref() {
                            return Err(unique_detail(e, schema, &shared));
                        }
                        upsert(
                            plan,
                            ctx,
                            txn,
                            &env,
                            &shared,
                            target,
                            assignments,
                            filter.as_ref(),
                            &mut touched,
                            &mut result,
                        )?;
                    }
                }
            }
            Err(e) => return Err(unique_detail(e, schema, &shared)),
        }
    }
    Ok(result)
}

/// The DO UPDATE branch: update the existing row that conflicts with `proposed`.
#[allow(clippy::too_many_arguments)]
fn upsert(
    plan: &InsertPlan,
    ctx: &ExecCtx,
    txn: &Txn,
    env: &Env,
    proposed: &Row,
    target: &[usize],
    assignments: &[(usize, crate::sql::expr::Expr)],
    filter: Option<&crate::sql::expr::Expr>,
    touched: &mut HashSet<Key>,
    result: &mut DmlResult,
) -> Result<()> {
    let table = &plan.table;
    let schema = &table.schema;
    let store = &table.store;
    let now = ctx.rv.now;
    // Find the existing row through the conflicting key.
    let latest = latest_view(txn, now);
    let existing = {
        let mut key_cols = schema.key_columns();
        key_cols.sort_unstable();
        if key_cols == target {
            store.get(&row_key(schema, proposed)?, &latest)
        } else {
            let idx = schema
                .indexes
                .iter()
                .find(|i| {
                    i.unique && {
                        let mut c = i.columns.clone();
                        c.sort_unstable();
                        c == target
                    }
                })
                .ok_or_else(|| Error::internal("conflict target index vanished"))?;
            let index = store.index(idx.id).ok_or_else(|| Error::internal("index vanished"))?;
            let k = index.key_of(proposed)?;
            let end = crate::storage::encoding::prefix_end(&k);
            let range =
                (std::ops::Bound::Included(k), end.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded));
            let mut rows = Vec::new();
            store.index_scan_batch(&index, &range, &latest, 2, &mut rows, None)?;
            rows.into_iter().next()
        }
    };
    let Some(existing) = existing else {
        return Err(Error::new(SqlState::SERIALIZATION_FAILURE, "could not serialize access due to concurrent update"));
    };
    let key = row_key(schema, &existing)?;
    if touched.contains(&key) {
        return Err(Error::new(
            SqlState::CARDINALITY_VIOLATION,
            "ON CONFLICT DO UPDATE command cannot affect row a second time",
        )
        .with_hint(
            "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
        ));
    }
    let mut both: Vec<Value> = existing.to_vec();
    both.extend(proposed.iter().cloned());
    if let Some(f) = filter {
        if eval_bool(f, &both, env)? != Some(true) {
            return Ok(());
        }
    }
    let mut new = existing.to_vec();
    for (c, e) in assignments {
        new[*c] = eval(e, &both, env)?;
    }
    check_row(schema, &new, &plan.checks, env)?;
    let new_key = row_key(schema, &new)?;
    let shared: Row = new.into();
    let expires = schema.options.ttl.as_ref().map(|_| expiry(schema, now));
    if new_key != key {
        return Err(Error::unsupported("ON CONFLICT DO UPDATE cannot change the primary key"));
    }
    match store.update(txn, &key, shared.clone(), expires, now, None) {
        Ok(WriteOutcome::Written) => {}
        Ok(_) => return Err(crate::storage::mvcc::serialization_failure()),
        Err(e) => return Err(unique_detail(e, schema, &shared)),
    }
    touched.insert(key);
    result.count += 1;
    returning_row(&plan.returning, &shared, env, &mut result.returning)
}

pub fn update(plan: &UpdatePlan, ctx: &ExecCtx) -> Result<DmlResult> {
    let txn = ctx.txn.ok_or_else(|| Error::internal("write outside a transaction"))?;
    let env = Env::new(ctx);
    let source = collect(&plan.source, &env)?;
    let table = &plan.table;
    let schema = &table.schema;
    let store = &table.store;
    let now = ctx.rv.now;
    let width = schema.columns.len();
    let mut result = DmlResult::default();
    let mut seen: HashSet<Key> = HashSet::new();
    let expires = schema.options.ttl.as_ref().map(|_| expiry(schema, now));
    for src in source {
        let key = row_key(schema, &src[..width])?;
        if !seen.insert(key.clone()) {
            // A row joined several times is updated once, as in PostgreSQL.
            continue;
        }
        let mut current = src;
        let mut seen_begin = None;
        loop {
            let mut new = current[..width].to_vec();
            for (c, e) in &plan.assignments {
                new[*c] = eval(e, &current, &env)?;
            }
            check_row(schema, &new, &plan.checks, &env)?;
            let new_key = row_key(schema, &new)?;
            let shared: Row = new.into();
            let outcome = if new_key == key {
                store.update(txn, &key, shared.clone(), expires, now, seen_begin)
            } else {
                // A new primary key: delete, then insert under the new key.
                match store.delete(txn, &key, now, seen_begin) {
                    Ok(WriteOutcome::Written) => store
                        .insert(txn, new_key.clone(), shared.clone(), expires.unwrap_or(NEVER), now, schema.pk_name())
                        .map(|_| WriteOutcome::Written),
                    other => other,
                }
            };
            match outcome.map_err(|e| unique_detail(e, schema, &shared))? {
                WriteOutcome::Written => {
                    result.count += 1;
                    if plan.returning.is_some() {
                        let mut r = shared.to_vec();
                        r.extend(current[width..].iter().cloned());
                        returning_row(&plan.returning, &r, &env, &mut result.returning)?;
                    }
                    break;
                }
                WriteOutcome::Gone => break,
                WriteOutcome::Changed(newest, begin) => {
                    // READ COMMITTED: re-evaluate against the newest version.
                    let mut r = newest.to_vec();
                    r.extend(current[width..].iter().cloned());
                    if let Some(p) = &plan.recheck {
                        if eval_bool(p, &r, &env)? != Some(true) {
                            break;
                        }
                    }
                    current = r;
                    seen_begin = Some(begin);
                }
            }
        }
    }
    Ok(result)
}

pub fn delete(plan: &DeletePlan, ctx: &ExecCtx) -> Result<DmlResult> {
    let txn = ctx.txn.ok_or_else(|| Error::internal("write outside a transaction"))?;
    let env = Env::new(ctx);
    let source = collect(&plan.source, &env)?;
    let table = &plan.table;
    let schema = &table.schema;
    let store = &table.store;
    let now = ctx.rv.now;
    let width = schema.columns.len();
    let mut result = DmlResult::default();
    let mut seen: HashSet<Key> = HashSet::new();
    for src in source {
        let key = row_key(schema, &src[..width])?;
        if !seen.insert(key.clone()) {
            continue;
        }
        let mut current = src;
        let mut seen_begin = None;
        loop {
            match store.delete(txn, &key, now, seen_begin)? {
                WriteOutcome::Written => {
                    result.count += 1;
                    returning_row(&plan.returning, &current, &env, &mut result.returning)?;
                    break;
                }
                WriteOutcome::Gone => break,
                WriteOutcome::Changed(newest, begin) => {
                    let mut r = newest.to_vec();
                    r.extend(current[width..].iter().cloned());
                    if let Some(p) = &plan.recheck {
                        if eval_bool(p, &r, &env)? != Some(true) {
                            break;
                        }
                    }
                    current = r;
                    seen_begin = Some(begin);
                }
            }
        }
    }
    Ok(result)
}

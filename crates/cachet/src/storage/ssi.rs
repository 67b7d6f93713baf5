//! Serializable snapshot isolation (SSI).
//!
//! SERIALIZABLE transactions run on snapshot isolation, and this module watches them
//! for the pattern that makes snapshot isolation non-serializable: a *pivot*, a
//! transaction with both an incoming and an outgoing read-write antidependency among
//! concurrent serializable transactions (Cahill et al.; PostgreSQL's SSI).
//!
//! - **Reads** register predicate locks: the key ranges a scan covers, on the primary
//!   key or on the index it used (a full scan locks the whole table). A scan that meets
//!   a version it cannot see because a concurrent serializable transaction wrote it
//!   records the edge *reader → writer* at once.
//! - **Writes** check the predicate locks of concurrent serializable transactions on
//!   the table: a lock covering the old or new row records *reader → writer*.
//! - A *dangerous structure* is `T_in → pivot → T_out` where `T_out` has already
//!   committed (PostgreSQL's refinement: the anomaly needs the out-side to commit
//!   first). A pivot fails at its commit; a reader that adds the in-edge to a pivot
//!   that already committed fails at once. So, as in PostgreSQL, write skew fails the
//!   second committer, not both.
//!
//! Edges are kept per transaction and dropped with an aborted transaction, so an abort
//! never dooms the transactions it conflicted with. Locks and edges of a committed
//! transaction are kept until no running serializable transaction is concurrent with it.

use super::encoding::Key;
use super::mvcc::{Ts, TxnId, TXN_FLAG};
use super::table::{KeyRange, TableStore};
use super::Row;
use crate::error::{Error, Result, SqlState};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;

/// A serializable transaction's handle.
#[derive(Debug)]
pub struct SsiTxn {
    pub id: TxnId,
}

#[derive(Debug)]
struct Entry {
    snapshot: Ts,
    commit: Option<Ts>,
    /// Transactions that read something this one overwrote (they → this).
    ins: Vec<TxnId>,
    /// Transactions that overwrote something this one read (this → they).
    outs: Vec<TxnId>,
}

/// A predicate lock: ranges of the primary key (`index: None`) or of an index.
#[derive(Debug)]
struct Predicate {
    txn: TxnId,
    index: Option<u32>,
    ranges: Vec<KeyRange>,
}

#[derive(Default)]
struct State {
    txns: HashMap<TxnId, Entry>,
    by_commit: HashMap<Ts, TxnId>,
    predicates: HashMap<u32, Vec<Predicate>>,
}

/// The SSI bookkeeping of one database.
#[derive(Default)]
pub struct Ssi {
    state: Mutex<State>,
}

fn failure() -> Error {
    Error::new(
        SqlState::SERIALIZATION_FAILURE,
        "could not serialize access due to read/write dependencies among transactions",
    )
    .with_detail("Reason code: Canceled on identification as a pivot.")
    .with_hint("The transaction might succeed if retried.")
}

fn in_range(key: &[u8], r: &KeyRange) -> bool {
    let lower = match &r.0 {
        Bound::Included(k) => key >= k.as_slice(),
        Bound::Excluded(k) => key > k.as_slice(),
        Bound::Unbounded => true,
    };
    let upper = match &r.1 {
        Bound::Included(k) => key <= k.as_slice(),
        Bound::Excluded(k) => key < k.as_slice(),
        Bound::Unbounded => true,
    };
    lower && upper
}

impl State {
    /// Whether two transactions overlapped in time.
    fn concurrent(&self, a: TxnId, b: TxnId) -> bool {
        let (Some(x), Some(y)) = (self.txns.get(&a), self.txns.get(&b)) else { return false };
        x.commit.is_none_or(|c| c > y.snapshot) && y.commit.is_none_or(|c| c > x.snapshot)
    }

    fn committed(&self, t: TxnId) -> Option<Ts> {
        self.txns.get(&t).and_then(|e| e.commit)
    }

    /// Whether `pivot` has an incoming edge and an outgoing edge to a transaction that
    /// committed before it (before now, if it has not committed).
    fn is_dangerous_pivot(&self, pivot: TxnId) -> bool {
        let Some(p) = self.txns.get(&pivot) else { return false };
        let limit = p.commit.unwrap_or(Ts::MAX);
        !p.ins.is_empty() && p.outs.iter().any(|o| self.committed(*o).is_some_and(|c| c < limit))
    }

    /// Records reader → writer. Fails if the reader (the caller) has just become the
    /// in-side of a dangerous structure whose pivot already committed.
    fn edge(&mut self, reader: TxnId, writer: TxnId) -> Result<()> {
        if reader == writer || !self.concurrent(reader, writer) {
            return Ok(());
        }
        if let Some(r) = self.txns.get_mut(&reader) {
            if !r.outs.contains(&writer) {
                r.outs.push(writer);
            }
        }
        if let Some(w) = self.txns.get_mut(&writer) {
            if !w.ins.contains(&reader) {
                w.ins.push(reader);
            }
        }
        if self.committed(writer).is_some() && self.is_dangerous_pivot(writer) && self.committed(reader).is_none() {
            return Err(failure());
        }
        Ok(())
    }

    fn forget(&mut self, gone: &[TxnId]) {
        for id in gone {
            if let Some(e) = self.txns.remove(id) {
                if let Some(c) = e.commit {
                    self.by_commit.remove(&c);
                }
            }
        }
        for e in self.txns.values_mut() {
            e.ins.retain(|t| !gone.contains(t));
            e.outs.retain(|t| !gone.contains(t));
        }
        for preds in self.predicates.values_mut() {
            preds.retain(|p| !gone.contains(&p.txn));
        }
        self.predicates.retain(|_, v| !v.is_empty());
    }

    /// Drops what no running serializable transaction can conflict with any more.
    fn cleanup(&mut self) {
        let oldest_active = self.txns.values().filter(|e| e.commit.is_none()).map(|e| e.snapshot).min();
        let gone: Vec<TxnId> = self
            .txns
            .iter()
            .filter(|(_, e)| e.commit.is_some_and(|c| oldest_active.is_none_or(|s| c <= s)))
            .map(|(id, _)| *id)
            .collect();
        if !gone.is_empty() {
            self.forget(&gone);
        }
    }
}

impl Ssi {
    pub fn begin(&self, id: TxnId, snapshot: Ts) -> Arc<SsiTxn> {
        let mut s = self.state.lock();
        s.txns.insert(id, Entry { snapshot, commit: None, ins: Vec::new(), outs: Vec::new() });
        Arc::new(SsiTxn { id })
    }

    /// Moves a transaction's snapshot (it is taken at its first statement).
    pub fn set_snapshot(&self, txn: &SsiTxn, snapshot: Ts) {
        if let Some(e) = self.state.lock().txns.get_mut(&txn.id) {
            e.snapshot = snapshot;
        }
    }

    /// A scan read these ranges of a table (of its primary key, or of `index`).
    pub fn on_read(&self, txn: &SsiTxn, table: u32, index: Option<u32>, ranges: &[KeyRange]) -> Result<()> {
        let mut s = self.state.lock();
        s.predicates.entry(table).or_default().push(Predicate { txn: txn.id, index, ranges: ranges.to_vec() });
        Ok(())
    }

    /// A scan met versions it cannot see, written by these writers (a running
    /// transaction's tagged id, or a commit timestamp).
    pub fn on_read_conflicts(&self, txn: &SsiTxn, writers: &[u64]) -> Result<()> {
        if writers.is_empty() {
            return Ok(());
        }
        let mut s = self.state.lock();
        for &w in writers {
            let writer = if w & TXN_FLAG != 0 { Some(w & !TXN_FLAG) } else { s.by_commit.get(&w).copied() };
            if let Some(writer) = writer {
                s.edge(txn.id, writer)?;
            }
        }
        Ok(())
    }

    /// `txn` wrote the row under `key` of `table` (old and new contents).
    pub fn on_write(
        &self,
        txn: &SsiTxn,
        table: &TableStore,
        key: &Key,
        old: Option<&Row>,
        new: Option<&Row>,
    ) -> Result<()> {
        let mut s = self.state.lock();
        let Some(preds) = s.predicates.get(&table.id) else { return Ok(()) };
        let mut readers = Vec::new();
        for p in preds.iter().filter(|p| p.txn != txn.id) {
            let hit = match p.index {
                None => p.ranges.iter().any(|r| in_range(key, r)),
                Some(ix) => match table.index(ix) {
                    Some(index) => [old, new]
                        .into_iter()
                        .flatten()
                        .any(|row| index.key_of(row).is_ok_and(|k| p.ranges.iter().any(|r| in_range(&k, r)))),
                    // The index is gone: count the predicate as covering everything.
                    None => true,
                },
            };
            if hit && !readers.contains(&p.txn) {
                readers.push(p.txn);
            }
        }
        for r in readers {
            s.edge(r, txn.id)?;
        }
        Ok(())
    }

    /// Checks, at commit, that committing does not complete a dangerous structure:
    /// the transaction is not a pivot whose out-side committed first, and it is not the
    /// in-side of a pivot that already committed.
    pub fn pre_commit(&self, txn: &SsiTxn) -> Result<()> {
        let s = self.state.lock();
        if s.is_dangerous_pivot(txn.id) {
            return Err(failure());
        }
        let outs = s.txns.get(&txn.id).map(|e| e.outs.clone()).unwrap_or_default();
        if outs.iter().any(|p| s.committed(*p).is_some() && s.is_dangerous_pivot(*p)) {
            return Err(failure());
        }
        Ok(())
    }

    pub fn committed(&self, txn: &SsiTxn, ts: Ts) {
        let mut s = self.state.lock();
        if let Some(e) = s.txns.get_mut(&txn.id) {
            e.commit = Some(ts);
            s.by_commit.insert(ts, txn.id);
        }
        s.cleanup();
    }

    pub fn aborted(&self, txn: &SsiTxn) {
        let mut s = self.state.lock();
        s.forget(&[txn.id]);
        s.cleanup();
    }

    /// Transactions tracked (running or retained), for tests and statistics.
    pub fn tracked(&self) -> usize {
        self.state.lock().txns.len()
    }
}

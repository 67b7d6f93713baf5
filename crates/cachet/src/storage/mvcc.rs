//! Multi-version concurrency control: transactions, timestamps and snapshots.
//!
//! Cachet's MVCC follows the timestamp design of in-memory engines such as Hekaton,
//! with PostgreSQL's visible behaviour:
//!
//! - A **commit timestamp** (`Ts`) comes from one global clock, assigned under the
//!   commit lock. The clock's value is the newest commit that readers may see.
//! - A **snapshot** is a read timestamp: a transaction sees exactly the versions whose
//!   creator committed at or before it and whose deleter did not.
//! - Each row version records its creator in `begin` and its deleter in `end`. While a
//!   transaction is running it writes its own id there, tagged with [`TXN_FLAG`]; on
//!   commit it replaces the tag with its commit timestamp (*stamping*), before the
//!   clock advances past that timestamp. So no reader whose snapshot includes the commit
//!   can ever meet an unstamped version, and readers never consult a transaction
//!   table: visibility is two integer comparisons.
//! - A writer that meets another transaction's tag on the newest version of a row waits
//!   for that transaction to finish, as PostgreSQL waits on a row lock.
//! - Versions that no snapshot can see any more are reclaimed: every commit that
//!   superseded versions queues the chains it touched, and the queue is drained once the
//!   oldest active snapshot has passed that commit (see [`TxnManager::vacuum`]).
//!
//! The redo log of a transaction is derived from its write set at commit: for every
//! row it touched, the row's final state (new contents, or deleted). That is what the
//! write-ahead log records, so the log is logical and compact.

use super::table::{Chain, TableStore};
use super::Key;
use crate::error::{Error, Result, SqlState};
use parking_lot::{Condvar, Mutex};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A commit timestamp.
pub type Ts = u64;
/// A transaction id.
pub type TxnId = u64;

/// Marks a `begin`/`end` field that holds a running transaction's id, not a timestamp.
pub const TXN_FLAG: u64 = 1 << 63;
/// The `end` of a version that has not been deleted.
pub const INFINITY: u64 = u64::MAX;

/// PostgreSQL's isolation levels. READ UNCOMMITTED behaves as READ COMMITTED, as in
/// PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IsolationLevel {
    ReadUncommitted,
    #[default]
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

impl IsolationLevel {
    /// The name `SHOW transaction_isolation` prints.
    pub fn name(&self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "read uncommitted",
            IsolationLevel::ReadCommitted => "read committed",
            IsolationLevel::RepeatableRead => "repeatable read",
            IsolationLevel::Serializable => "serializable",
        }
    }

    pub fn parse(s: &str) -> Option<IsolationLevel> {
        match s.trim().to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
            "read uncommitted" => Some(IsolationLevel::ReadUncommitted),
            "read committed" => Some(IsolationLevel::ReadCommitted),
            "repeatable read" => Some(IsolationLevel::RepeatableRead),
            "serializable" => Some(IsolationLevel::Serializable),
            _ => None,
        }
    }

    /// Whether one snapshot serves the whole transaction.
    pub fn uses_transaction_snapshot(&self) -> bool {
        matches!(self, IsolationLevel::RepeatableRead | IsolationLevel::Serializable)
    }
}

/// What a reader needs to decide visibility.
#[derive(Clone, Copy, Debug)]
pub struct ReadView {
    pub txn: TxnId,
    pub snapshot: Ts,
    /// The current time in microseconds since the Unix epoch, for row expiry.
    pub now: i64,
}

impl ReadView {
    /// Whether a version with these `begin` and `end` fields is visible.
    #[inline]
    pub fn sees(&self, begin: u64, end: u64) -> bool {
        let created = if begin & TXN_FLAG != 0 { begin == TXN_FLAG | self.txn } else { begin <= self.snapshot };
        created
            && (end == INFINITY
                || (end & TXN_FLAG != 0 && end != TXN_FLAG | self.txn)
                || (end & TXN_FLAG == 0 && end > self.snapshot))
    }
}

/// Signals the end of a transaction to the writers waiting on its rows.
struct WaitHandle {
    done: Mutex<bool>,
    cv: Condvar,
}

/// A chain whose versions may become reclaimable once a commit is older than every
/// snapshot.
pub(crate) struct GcItem {
    pub table: Arc<TableStore>,
    pub chain: Arc<Chain>,
    pub key: Key,
}

#[derive(Default)]
struct Active {
    /// Snapshots in use, as a multiset.
    snapshots: BTreeMap<Ts, usize>,
    /// Running transactions that have written, for waiters.
    writers: HashMap<TxnId, Arc<WaitHandle>>,
    /// Who waits for whom, for deadlock detection.
    waits_for: HashMap<TxnId, TxnId>,
}

/// Allocates transaction ids and timestamps, tracks active snapshots and reclaims old
/// versions.
pub struct TxnManager {
    next_txn: AtomicU64,
    clock: AtomicU64,
    commit_lock: Mutex<()>,
    active: Mutex<Active>,
    gc_queue: Mutex<VecDeque<(Ts, Vec<GcItem>)>>,
}

impl Default for TxnManager {
    fn default() -> Self {
        Self::new(1)
    }
}

impl TxnManager {
    /// A manager whose clock starts at `clock` (the newest timestamp recovered).
    pub fn new(clock: Ts) -> Self {
        TxnManager {
            next_txn: AtomicU64::new(1),
            clock: AtomicU64::new(clock),
            commit_lock: Mutex::new(()),
            active: Mutex::new(Active::default()),
            gc_queue: Mutex::new(VecDeque::new()),
        }
    }

    /// The newest visible commit timestamp.
    pub fn now(&self) -> Ts {
        self.clock.load(Ordering::Acquire)
    }

    /// Starts a transaction with a snapshot taken now.
    pub fn begin(self: &Arc<Self>, isolation: IsolationLevel) -> Txn {
        let id = self.next_txn.fetch_add(1, Ordering::Relaxed);
        let mut active = self.active.lock();
        let snapshot = self.now();
        *active.snapshots.entry(snapshot).or_default() += 1;
        drop(active);
        Txn { id, snapshot, isolation, writes: Vec::new(), mgr: self.clone(), handle: None, done: false }
    }

    /// Runs `f` with the commit lock held, passing the newest commit timestamp: no
    /// commit can happen meanwhile (checkpoints use this to pair a timestamp with a log
    /// position).
    pub fn with_commit_lock<R>(&self, f: impl FnOnce(Ts) -> R) -> R {
        let _guard = self.commit_lock.lock();
        f(self.now())
    }

    /// The oldest snapshot still in use: versions deleted at or before it are invisible
    /// to everyone.
    pub fn horizon(&self) -> Ts {
        let active = self.active.lock();
        active.snapshots.keys().next().copied().unwrap_or_else(|| self.now())
    }

    fn release_snapshot(&self, active: &mut Active, ts: Ts) {
        if let Some(n) = active.snapshots.get_mut(&ts) {
            *n -= 1;
            if *n == 0 {
                active.snapshots.remove(&ts);
            }
        }
    }

    /// Blocks until transaction `other` has finished. `me` is the waiting transaction,
    /// recorded for deadlock detection: a wait that would close a cycle fails at once
    /// with SQLSTATE 40P01.
    pub fn wait_for(&self, me: TxnId, other: TxnId) -> Result<()> {
        let handle = {
            let mut active = self.active.lock();
            let Some(handle) = active.writers.get(&other).cloned() else {
                return Ok(());
            };
            let mut cursor = other;
            while let Some(&next) = active.waits_for.get(&cursor) {
                if next == me {
                    return Err(Error::new(SqlState::DEADLOCK_DETECTED, "deadlock detected").with_detail(format!(
                        "Transaction {me} waits for transaction {other}, which waits for transaction {me}."
                    )));
                }
                cursor = next;
            }
            active.waits_for.insert(me, other);
            handle
        };
        let mut done = handle.done.lock();
        while !*done {
            handle.cv.wait(&mut done);
        }
        drop(done);
        self.active.lock().waits_for.remove(&me);
        Ok(())
    }

    /// Reclaims versions superseded by commits that every snapshot has passed.
    pub fn vacuum(&self) {
        let horizon = self.horizon();
        loop {
            let batch = {
                let mut queue = self.gc_queue.lock();
                match queue.front() {
                    Some((ts, _)) if *ts <= horizon => queue.pop_front().map(|(_, items)| items),
                    _ => None,
                }
            };
            let Some(items) = batch else { break };
            for item in items {
                item.table.prune(&item.chain, &item.key, horizon);
            }
        }
    }
}

/// One write made by a transaction: enough to stamp or undo it and to log it.
pub(crate) struct WriteEntry {
    pub table: Arc<TableStore>,
    pub chain: Arc<Chain>,
    pub key: Key,
}

/// A running transaction.
pub struct Txn {
    pub id: TxnId,
    pub snapshot: Ts,
    pub isolation: IsolationLevel,
    pub(crate) writes: Vec<WriteEntry>,
    mgr: Arc<TxnManager>,
    handle: Option<Arc<WaitHandle>>,
    done: bool,
}

/// The net effect of a transaction on one row, for the write-ahead log.
#[derive(Debug, Clone)]
pub struct RowChange {
    pub table: u32,
    pub key: Key,
    /// The new contents, or `None` if the row was deleted.
    pub row: Option<super::Row>,
    pub expires: i64,
}

impl Txn {
    /// The read view for a statement that starts now.
    pub fn read_view(&self, now: i64) -> ReadView {
        ReadView { txn: self.id, snapshot: self.snapshot, now }
    }

    pub fn manager(&self) -> &Arc<TxnManager> {
        &self.mgr
    }

    /// Whether the transaction has written anything.
    pub fn has_writes(&self) -> bool {
        !self.writes.is_empty()
    }

    /// Takes a fresh snapshot (READ COMMITTED does this for every statement).
    pub fn refresh_snapshot(&mut self) {
        let mut active = self.mgr.active.lock();
        let new = self.mgr.now();
        if new != self.snapshot {
            self.mgr.release_snapshot(&mut active, self.snapshot);
            *active.snapshots.entry(new).or_default() += 1;
            self.snapshot = new;
        }
    }

    /// Registers this transaction as a writer others may wait on; called before its
    /// first write becomes visible to other writers.
    pub(crate) fn register_writer(&mut self) {
        if self.handle.is_none() {
            let handle = Arc::new(WaitHandle { done: Mutex::new(false), cv: Condvar::new() });
            self.mgr.active.lock().writers.insert(self.id, handle.clone());
            self.handle = Some(handle);
        }
    }

    pub(crate) fn record_write(&mut self, table: &Arc<TableStore>, chain: &Arc<Chain>, key: &[u8]) {
        self.register_writer();
        self.writes.push(WriteEntry { table: table.clone(), chain: chain.clone(), key: key.into() });
    }

    /// The net changes this transaction made, one per row, in first-write order.
    pub fn changes(&self) -> Vec<RowChange> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for w in &self.writes {
            if seen.insert(Arc::as_ptr(&w.chain) as usize) {
                if let Some((row, expires)) = w.chain.own_final_state(self.id) {
                    out.push(RowChange { table: w.table.id, key: w.key.clone(), row, expires });
                }
            }
        }
        out
    }

    /// Commits: stamps every version this transaction wrote with a new commit
    /// timestamp, then makes that timestamp visible. `log` runs under the commit lock
    /// with the commit timestamp, before anything becomes visible; it is where the
    /// write-ahead log appends the transaction, and an error from it aborts. It runs
    /// when the transaction wrote rows, or when `force_log` says there is something else
    /// to log (a schema change); otherwise the commit is free and returns `None`.
    pub fn commit_with<R>(
        mut self,
        force_log: bool,
        log: impl FnOnce(Ts, &Txn) -> Result<R>,
    ) -> Result<(Ts, Option<R>)> {
        if self.writes.is_empty() && !force_log {
            self.finish();
            return Ok((self.mgr.now(), None));
        }
        let mgr = self.mgr.clone();
        let guard = mgr.commit_lock.lock();
        let ts = mgr.now() + 1;
        let logged = match log(ts, &self) {
            Ok(r) => r,
            Err(e) => {
                drop(guard);
                self.abort_writes();
                self.finish();
                return Err(e);
            }
        };
        let mut gc = Vec::new();
        for w in &self.writes {
            if w.chain.stamp(self.id, ts) {
                gc.push(GcItem { table: w.table.clone(), chain: w.chain.clone(), key: w.key.clone() });
            }
        }
        mgr.clock.store(ts, Ordering::Release);
        drop(guard);
        if !gc.is_empty() {
            mgr.gc_queue.lock().push_back((ts, gc));
        }
        self.writes.clear();
        self.finish();
        mgr.vacuum();
        Ok((ts, Some(logged)))
    }

    /// Commits without a log.
    pub fn commit(self) -> Result<Ts> {
        self.commit_with(false, |_, _| Ok(())).map(|(ts, _)| ts)
    }

    /// Rolls back every write.
    pub fn rollback(mut self) {
        self.abort_writes();
        self.finish();
    }

    /// Undoes the writes made after the first `mark` entries of the write set (for
    /// savepoints and failed statements).
    pub(crate) fn undo_to(&mut self, mark: usize) {
        while self.writes.len() > mark {
            let w = self.writes.pop().expect("len > mark");
            w.table.undo(&w.chain, &w.key, self.id);
        }
    }

    /// The current size of the write set, to pass to [`Txn::undo_to`] later.
    pub fn write_mark(&self) -> usize {
        self.writes.len()
    }

    /// Undoes the writes after `mark`.
    pub fn rollback_to(&mut self, mark: usize) {
        self.undo_to(mark);
    }

    fn abort_writes(&mut self) {
        self.undo_to(0);
    }

    fn finish(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        let mut active = self.mgr.active.lock();
        self.mgr.release_snapshot(&mut active, self.snapshot);
        active.writers.remove(&self.id);
        drop(active);
        if let Some(handle) = self.handle.take() {
            *handle.done.lock() = true;
            handle.cv.notify_all();
        }
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if !self.done {
            self.abort_writes();
            self.finish();
        }
    }
}

/// Fails with a serialization error, the PostgreSQL wording.
pub fn serialization_failure() -> Error {
    Error::new(SqlState::SERIALIZATION_FAILURE, "could not serialize access due to concurrent update")
}

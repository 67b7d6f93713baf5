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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

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

/// The snapshots in use at one moment, for deciding which versions can go.
pub struct Snapshots {
    /// Active snapshots, ascending.
    pub active: Vec<Ts>,
    /// The newest commit when the list was read. Snapshots taken later are at least
    /// this, so they need no version superseded by then; a version superseded after it
    /// (by a commit racing with the reclaimer) may be needed by one and is kept.
    pub at: Ts,
}

impl Snapshots {
    /// Whether some snapshot may see a committed version that lived from `begin` to `end`.
    pub fn need(&self, begin: Ts, end: Ts) -> bool {
        if end > self.at {
            return true;
        }
        let i = self.active.partition_point(|s| *s < begin);
        self.active.get(i).is_some_and(|s| *s < end)
    }
}

/// Signals the end of a transaction to the writers waiting on its rows.
struct WaitHandle {
    done: Mutex<bool>,
    cv: Condvar,
}

/// A chain that may hold versions no snapshot can see any more.
pub(crate) struct GcItem {
    pub table: Arc<TableStore>,
    pub chain: Arc<Chain>,
    pub key: Key,
}

#[derive(Default)]
struct Active {
    /// Snapshots in use, as a multiset.
    snapshots: BTreeMap<Ts, usize>,
    /// Running transactions that have written or locked rows, for waiters.
    writers: HashMap<TxnId, Arc<WaitHandle>>,
    /// Who waits for whom, for deadlock detection.
    waits_for: HashMap<TxnId, TxnId>,
}

/// How long a transaction may wait for a row lock, and what can interrupt the wait.
#[derive(Clone, Default)]
pub struct WaitPolicy {
    /// `lock_timeout`: give up with 55P03 after this long.
    pub lock_timeout: Option<Duration>,
    /// Set to cancel the running statement (57014).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// How much queued reclamation work a commit does.
const GC_STEP: usize = 64;

/// Allocates transaction ids and timestamps, tracks active snapshots, arbitrates row
/// lock waits (with deadlock detection) and reclaims old versions.
pub struct TxnManager {
    next_txn: AtomicU64,
    clock: AtomicU64,
    commit_lock: Mutex<()>,
    active: Mutex<Active>,
    gc_queue: Mutex<VecDeque<GcItem>>,
    pub(crate) ssi: super::ssi::Ssi,
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
            ssi: super::ssi::Ssi::default(),
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
        let ssi = (isolation == IsolationLevel::Serializable).then(|| self.ssi.begin(id, snapshot));
        Txn {
            id,
            snapshot,
            isolation,
            writes: Mutex::new(Vec::new()),
            locks: Mutex::new(Vec::new()),
            handle: OnceLock::new(),
            wait: Mutex::new(WaitPolicy::default()),
            ssi,
            mgr: self.clone(),
            done: false,
        }
    }

    /// Runs `f` with the commit lock held, passing the newest commit timestamp: no
    /// commit can happen meanwhile (checkpoints use this to pair a timestamp with a log
    /// position).
    pub fn with_commit_lock<R>(&self, f: impl FnOnce(Ts) -> R) -> R {
        let _guard = self.commit_lock.lock();
        f(self.now())
    }

    /// The snapshots in use, oldest first.
    pub fn snapshots(&self) -> Snapshots {
        let active = self.active.lock();
        Snapshots { active: active.snapshots.keys().copied().collect(), at: self.now() }
    }

    /// The oldest snapshot still in use.
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
    /// with SQLSTATE 40P01 (so a deadlock is reported as soon as it forms). The wait
    /// gives up after the policy's lock timeout (55P03) or when cancelled (57014).
    pub fn wait_for(&self, me: TxnId, other: TxnId, policy: &WaitPolicy) -> Result<()> {
        let handle = {
            let mut active = self.active.lock();
            let Some(handle) = active.writers.get(&other).cloned() else {
                return Ok(());
            };
            let mut cursor = other;
            while let Some(&next) = active.waits_for.get(&cursor) {
                if next == me {
                    return Err(Error::new(SqlState::DEADLOCK_DETECTED, "deadlock detected").with_detail(format!(
                        "Process {me} waits for ShareLock on transaction {other}; blocked by process {other}."
                    )));
                }
                cursor = next;
            }
            active.waits_for.insert(me, other);
            handle
        };
        let deadline = policy.lock_timeout.map(|t| Instant::now() + t);
        let mut result = Ok(());
        let mut done = handle.done.lock();
        while !*done {
            let slice = Duration::from_millis(20);
            handle.cv.wait_for(&mut done, slice);
            if *done {
                break;
            }
            if policy.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
                result = Err(Error::new(SqlState::QUERY_CANCELED, "canceling statement due to user request"));
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                result = Err(Error::new(SqlState::LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout"));
                break;
            }
        }
        drop(done);
        self.active.lock().waits_for.remove(&me);
        result
    }

    /// Reclaims versions that no snapshot can see, from the chains queued by commits.
    /// Does at most `limit` chains; chains that still hold versions some snapshot needs
    /// go back in the queue.
    pub fn vacuum_some(&self, limit: usize) {
        let snapshots = self.snapshots();
        let mut requeue = Vec::new();
        for _ in 0..limit {
            let Some(item) = self.gc_queue.lock().pop_front() else { break };
            if item.table.prune(&item.chain, &item.key, &snapshots) {
                requeue.push(item);
            }
        }
        if !requeue.is_empty() {
            self.gc_queue.lock().extend(requeue);
        }
    }

    /// Runs reclamation until the queue holds only chains some snapshot still needs.
    pub fn vacuum(&self) {
        let n = self.gc_queue.lock().len();
        self.vacuum_some(n);
    }

    /// Chains waiting for reclamation.
    pub fn gc_backlog(&self) -> usize {
        self.gc_queue.lock().len()
    }
}

/// One write made by a transaction: enough to stamp or undo it and to log it.
pub(crate) struct WriteEntry {
    pub table: Arc<TableStore>,
    pub chain: Arc<Chain>,
    pub key: Key,
}

/// A running transaction. Its write set, row locks and wait policy sit behind small
/// mutexes, so statements can share the transaction through `&Txn` while they read and
/// write; only snapshot refreshes and the end of the transaction need it by value.
pub struct Txn {
    pub id: TxnId,
    pub snapshot: Ts,
    pub isolation: IsolationLevel,
    writes: Mutex<Vec<WriteEntry>>,
    /// Chains this transaction holds FOR UPDATE/SHARE locks on.
    locks: Mutex<Vec<Arc<Chain>>>,
    handle: OnceLock<Arc<WaitHandle>>,
    wait: Mutex<WaitPolicy>,
    pub(crate) ssi: Option<Arc<super::ssi::SsiTxn>>,
    mgr: Arc<TxnManager>,
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
        !self.writes.lock().is_empty()
    }

    /// Sets how row-lock waits behave for the next statements.
    pub fn set_wait_policy(&self, policy: WaitPolicy) {
        *self.wait.lock() = policy;
    }

    /// Waits for transaction `other` to finish (a row lock wait).
    pub(crate) fn wait_for(&self, other: TxnId) -> Result<()> {
        let policy = self.wait.lock().clone();
        self.mgr.wait_for(self.id, other, &policy)
    }

    /// Takes a fresh snapshot: READ COMMITTED does this for every statement, the other
    /// levels once, at the transaction's first statement (as PostgreSQL does; BEGIN
    /// itself takes none).
    pub fn refresh_snapshot(&mut self) {
        let mut active = self.mgr.active.lock();
        let new = self.mgr.now();
        if new != self.snapshot {
            self.mgr.release_snapshot(&mut active, self.snapshot);
            *active.snapshots.entry(new).or_default() += 1;
            self.snapshot = new;
            if let Some(ssi) = &self.ssi {
                self.mgr.ssi.set_snapshot(ssi, new);
            }
        }
    }

    /// Changes the isolation level (before the first statement).
    pub fn set_isolation(&mut self, level: IsolationLevel) {
        if level == self.isolation {
            return;
        }
        self.isolation = level;
        match (level == IsolationLevel::Serializable, self.ssi.take()) {
            (true, None) => self.ssi = Some(self.mgr.ssi.begin(self.id, self.snapshot)),
            (true, Some(s)) => self.ssi = Some(s),
            (false, Some(s)) => self.mgr.ssi.aborted(&s),
            (false, None) => {}
        }
    }

    /// Registers this transaction as one others may wait on; called before its first
    /// write or row lock becomes visible to other writers.
    pub(crate) fn register_writer(&self) {
        self.handle.get_or_init(|| {
            let handle = Arc::new(WaitHandle { done: Mutex::new(false), cv: Condvar::new() });
            self.mgr.active.lock().writers.insert(self.id, handle.clone());
            handle
        });
    }

    pub(crate) fn record_write(&self, table: &Arc<TableStore>, chain: &Arc<Chain>, key: &[u8]) {
        self.register_writer();
        self.writes.lock().push(WriteEntry { table: table.clone(), chain: chain.clone(), key: key.into() });
    }

    pub(crate) fn record_lock(&self, chain: &Arc<Chain>) {
        self.register_writer();
        self.locks.lock().push(chain.clone());
    }

    /// The net changes this transaction made, one per row, in first-write order.
    pub fn changes(&self) -> Vec<RowChange> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for w in self.writes.lock().iter() {
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
    /// A SERIALIZABLE transaction that is part of a dangerous structure of
    /// read-write dependencies fails here with 40001 instead.
    pub fn commit_with<R>(
        mut self,
        force_log: bool,
        log: impl FnOnce(Ts, &Txn) -> Result<R>,
    ) -> Result<(Ts, Option<R>)> {
        if let Some(ssi) = &self.ssi {
            if let Err(e) = self.mgr.ssi.pre_commit(ssi) {
                self.abort_writes();
                self.finish();
                return Err(e);
            }
        }
        let has_writes = !self.writes.get_mut().is_empty();
        if !has_writes && !force_log {
            let now = self.mgr.now();
            self.finish_committed(now);
            return Ok((now, None));
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
        let writes = std::mem::take(self.writes.get_mut());
        let mut gc = Vec::new();
        for w in writes {
            if w.chain.stamp(self.id, ts) {
                gc.push(GcItem { table: w.table, chain: w.chain, key: w.key });
            }
        }
        mgr.clock.store(ts, Ordering::Release);
        drop(guard);
        self.finish_committed(ts);
        // Reclaim what this commit superseded, and a little of the backlog.
        if !gc.is_empty() {
            let snapshots = mgr.snapshots();
            let keep: Vec<GcItem> = gc.into_iter().filter(|g| g.table.prune(&g.chain, &g.key, &snapshots)).collect();
            if !keep.is_empty() {
                mgr.gc_queue.lock().extend(keep);
            }
        }
        mgr.vacuum_some(GC_STEP);
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
    pub(crate) fn undo_to(&self, mark: usize) {
        loop {
            let Some(w) = ({
                let mut writes = self.writes.lock();
                if writes.len() > mark {
                    writes.pop()
                } else {
                    None
                }
            }) else {
                break;
            };
            w.table.undo(&w.chain, &w.key, self.id);
        }
    }

    /// The current size of the write set, to pass to [`Txn::rollback_to`] later.
    pub fn write_mark(&self) -> usize {
        self.writes.lock().len()
    }

    /// Undoes the writes after `mark` (ROLLBACK TO SAVEPOINT).
    pub fn rollback_to(&self, mark: usize) {
        self.undo_to(mark);
    }

    fn abort_writes(&mut self) {
        self.undo_to(0);
    }

    fn finish_committed(&mut self, ts: Ts) {
        if let Some(ssi) = self.ssi.take() {
            self.mgr.ssi.committed(&ssi, ts);
        }
        self.finish();
    }

    fn finish(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        if let Some(ssi) = self.ssi.take() {
            self.mgr.ssi.aborted(&ssi);
        }
        for chain in std::mem::take(self.locks.get_mut()) {
            chain.unlock(self.id);
        }
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

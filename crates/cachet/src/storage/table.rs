//! In-memory tables: a primary ordered index of version chains, plus secondary indexes.
//!
//! A [`TableStore`] maps each encoded primary key (or hidden row id) to a [`Chain`]: the
//! row's versions, oldest first. A chain is guarded by its own small mutex, so writers
//! of different rows never contend, and the primary map's `RwLock` is taken for writing
//! only to add or remove a chain. Readers hold locks for nanoseconds, never across user
//! code: they copy the visible version's `Arc` row out and let go.
//!
//! Secondary indexes ([`IndexStore`]) map `index key ++ chain id` to the chain itself, so
//! an index lookup needs no second probe of the primary map. An index keeps an entry
//! for every distinct key that some retained version of the chain has; a reader checks
//! that the *visible* version really has the entry's key before returning the row, so
//! stale entries are harmless and are removed when their versions are reclaimed.
//!
//! Uniqueness is checked against the newest state of the table, not the snapshot, as in
//! PostgreSQL: a conflicting row written by a transaction still running makes the writer
//! wait for that transaction, then check again.
//!
//! Each version carries cache metadata: an expiry time (`expires`, microseconds since
//! the Unix epoch, `i64::MAX` for never). An expired version is invisible to every
//! reader and does not block inserting its key. Each chain carries its last access time.

use super::encoding::{encode_value, Key};
use super::mvcc::{serialization_failure, ReadView, Snapshots, Ts, Txn, TxnId, INFINITY, TXN_FLAG};
use crate::error::{Error, Result, SqlState};
use crate::types::Value;
use parking_lot::{Mutex, RwLock};
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// A stored row: shared, immutable values.
pub type Row = Arc<[Value]>;

/// Expiry value meaning "never".
pub const NEVER: i64 = i64::MAX;

/// One version of a row.
#[derive(Clone, Debug)]
pub struct Version {
    pub begin: u64,
    pub end: u64,
    pub row: Row,
    pub expires: i64,
}

#[derive(Default)]
struct ChainState {
    /// Oldest first.
    versions: SmallVec<[Version; 1]>,
    /// Set when the chain has been unlinked from the primary map.
    dead: bool,
    /// Row locks from SELECT ... FOR UPDATE/SHARE: (transaction, exclusive). Boxed so
    /// that unlocked rows, nearly all of them, pay one pointer.
    lockers: Option<Box<Lockers>>,
}

/// The row locks on one row: (transaction, exclusive).
type Lockers = SmallVec<[(TxnId, bool); 2]>;

/// The strength of a row lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowLockMode {
    /// FOR SHARE (and FOR KEY SHARE): blocks writers, not other sharers.
    Share,
    /// FOR UPDATE (and FOR NO KEY UPDATE): blocks writers and every other locker.
    Exclusive,
}

/// What a row-lock request does when the row is locked by someone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockWait {
    Block,
    /// NOWAIT: fail with 55P03.
    NoWait,
    /// SKIP LOCKED: pass over the row.
    SkipLocked,
}

/// The result of a row-lock request.
#[derive(Debug)]
pub enum LockOutcome {
    /// Locked; here is the row as locked (the newest version).
    Locked(Row),
    /// SKIP LOCKED passed over a locked row.
    Skipped,
    /// NOWAIT met a locked row (the caller reports 55P03).
    Busy,
    /// The row no longer exists.
    Gone,
    /// READ COMMITTED: the row changed after the snapshot; re-check it and retry.
    Changed(Row, u64),
}

/// The versions of one row.
pub struct Chain {
    pub id: u64,
    state: Mutex<ChainState>,
    /// Last access, microseconds since the Unix epoch.
    pub last_access: AtomicI64,
}

/// What a writer found at the head of a chain.
enum Head {
    /// Writable: the newest version is committed and live (or our own), at this index.
    Live(usize),
    /// The row does not exist for writing (deleted, expired or never committed).
    Gone,
    /// Another transaction holds the row.
    Wait(TxnId),
}

impl Chain {
    fn new(id: u64) -> Self {
        Chain { id, state: Mutex::new(ChainState::default()), last_access: AtomicI64::new(0) }
    }

    /// The version visible to a reader, with its expiry.
    pub fn visible(&self, rv: &ReadView) -> Option<Row> {
        let state = self.state.lock();
        let v = state.versions.iter().rev().find(|v| rv.sees(v.begin, v.end))?;
        (v.expires > rv.now).then(|| v.row.clone())
    }

    /// The visible version with its expiry time.
    pub fn visible_with_expiry(&self, rv: &ReadView) -> Option<(Row, i64)> {
        let state = self.state.lock();
        let v = state.versions.iter().rev().find(|v| rv.sees(v.begin, v.end))?;
        (v.expires > rv.now).then(|| (v.row.clone(), v.expires))
    }

    /// What a writer (or a row-lock request of `mode`) finds at the head of the chain.
    fn head(state: &ChainState, me: TxnId, now: i64) -> Head {
        Self::head_for(state, me, now, RowLockMode::Exclusive)
    }

    fn head_for(state: &ChainState, me: TxnId, now: i64, mode: RowLockMode) -> Head {
        let Some(idx) = state.versions.len().checked_sub(1) else {
            return Head::Gone;
        };
        if let Some(lockers) = &state.lockers {
            let blocking =
                lockers.iter().find(|(t, exclusive)| *t != me && (*exclusive || mode == RowLockMode::Exclusive));
            if let Some((t, _)) = blocking {
                return Head::Wait(*t);
            }
        }
        let v = &state.versions[idx];
        if v.begin & TXN_FLAG != 0 && v.begin != TXN_FLAG | me {
            return Head::Wait(v.begin & !TXN_FLAG);
        }
        if v.end == INFINITY {
            if v.expires <= now {
                return Head::Gone;
            }
            return Head::Live(idx);
        }
        if v.end & TXN_FLAG != 0 && v.end != TXN_FLAG | me {
            return Head::Wait(v.end & !TXN_FLAG);
        }
        Head::Gone
    }

    /// Replaces this transaction's id with `ts` in every version it wrote. Returns
    /// whether some version was superseded, making the chain worth vacuuming later.
    pub(crate) fn stamp(&self, me: TxnId, ts: Ts) -> bool {
        let tag = TXN_FLAG | me;
        let mut state = self.state.lock();
        let mut superseded = false;
        for v in state.versions.iter_mut() {
            if v.begin == tag {
                v.begin = ts;
            }
            if v.end == tag {
                v.end = ts;
                superseded = true;
            }
        }
        // A version created and superseded by the same transaction was never visible.
        state.versions.retain(|v| !(v.begin == ts && v.end == ts));
        superseded
    }

    /// This transaction's final effect on the row: `Some(Some(row))` for a new version,
    /// `Some(None)` for a deletion, `None` if it left the row as it was.
    pub(crate) fn own_final_state(&self, me: TxnId) -> Option<(Option<Row>, i64)> {
        let tag = TXN_FLAG | me;
        let state = self.state.lock();
        let v = state.versions.last()?;
        if v.begin == tag && v.end == INFINITY {
            Some((Some(v.row.clone()), v.expires))
        } else if v.end == tag {
            Some((None, NEVER))
        } else {
            None
        }
    }

    /// Releases the row locks of a finished transaction.
    pub(crate) fn unlock(&self, me: TxnId) {
        let mut state = self.state.lock();
        if let Some(lockers) = &mut state.lockers {
            lockers.retain(|(t, _)| *t != me);
            if lockers.is_empty() {
                state.lockers = None;
            }
        }
    }

    /// The visible version, and for a SERIALIZABLE reader the writers of versions it
    /// cannot see because they are too new (for read-write dependencies): a tagged
    /// transaction id or a commit timestamp.
    fn visible_tracked(&self, rv: &ReadView, conflicts: &mut Vec<u64>) -> Option<Row> {
        let state = self.state.lock();
        let mut found = None;
        for v in state.versions.iter().rev() {
            if rv.sees(v.begin, v.end) {
                // A deletion this reader cannot see yet is a write it does not see.
                if v.end != INFINITY && v.end != TXN_FLAG | rv.txn {
                    conflicts.push(v.end);
                }
                found = Some(v);
                break;
            }
            if v.begin != TXN_FLAG | rv.txn && (v.begin & TXN_FLAG != 0 || v.begin > rv.snapshot) {
                conflicts.push(v.begin);
            }
        }
        let v = found?;
        (v.expires > rv.now).then(|| v.row.clone())
    }

    fn version_count(&self) -> usize {
        self.state.lock().versions.len()
    }
}

/// A secondary index.
pub struct IndexStore {
    pub id: u32,
    pub name: String,
    pub columns: Vec<usize>,
    pub unique: bool,
    map: RwLock<BTreeMap<Key, Arc<Chain>>>,
}

impl IndexStore {
    /// The index key of a row, or `None` if a column is NULL and the index is unique
    /// (NULLs never conflict).
    pub fn key_of(&self, row: &[Value]) -> Result<Key> {
        let mut key = Key::new();
        for &c in &self.columns {
            encode_value(&row[c], &mut key)?;
        }
        Ok(key)
    }

    fn has_null(&self, row: &[Value]) -> bool {
        self.columns.iter().any(|&c| row[c].is_null())
    }

    fn entry(key: &[u8], chain: &Chain) -> Key {
        let mut k: Key = key.into();
        k.extend_from_slice(&chain.id.to_be_bytes());
        k
    }

    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per-table counters.
#[derive(Default)]
pub struct TableStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

/// The storage of one table.
pub struct TableStore {
    pub id: u32,
    primary: RwLock<BTreeMap<Key, Arc<Chain>>>,
    indexes: RwLock<Vec<Arc<IndexStore>>>,
    next_chain: AtomicU64,
    /// The next hidden row id, for tables without a primary key.
    pub next_rowid: AtomicI64,
    pub stats: TableStats,
}

/// A range of encoded keys.
pub type KeyRange = (Bound<Key>, Bound<Key>);

/// The result of an update or delete attempt.
#[derive(Debug)]
pub enum WriteOutcome {
    /// Done.
    Written,
    /// The row no longer exists (deleted concurrently, or expired).
    Gone,
    /// READ COMMITTED only: the row was changed by a transaction that committed after
    /// the statement's snapshot. Here is its newest version and that version's
    /// `begin`; re-evaluate and retry with `seen` set to it.
    Changed(Row, u64),
}

impl TableStore {
    pub fn new(id: u32) -> Arc<Self> {
        Arc::new(TableStore {
            id,
            primary: RwLock::new(BTreeMap::new()),
            indexes: RwLock::new(Vec::new()),
            next_chain: AtomicU64::new(1),
            next_rowid: AtomicI64::new(1),
            stats: TableStats::default(),
        })
    }

    /// The number of chains (live rows plus not yet reclaimed ones): the optimizer's
    /// size estimate.
    pub fn approx_rows(&self) -> usize {
        self.primary.read().len()
    }

    pub fn indexes(&self) -> Vec<Arc<IndexStore>> {
        self.indexes.read().clone()
    }

    pub fn index(&self, id: u32) -> Option<Arc<IndexStore>> {
        self.indexes.read().iter().find(|i| i.id == id).cloned()
    }

    /// Reads the visible version of the row with this key.
    pub fn get(&self, key: &[u8], rv: &ReadView) -> Option<Row> {
        self.get_tracked(key, rv, None)
    }

    /// [`TableStore::get`] that also reports writers of invisible newer versions (SSI).
    pub fn get_tracked(&self, key: &[u8], rv: &ReadView, track: Option<&mut Vec<u64>>) -> Option<Row> {
        let chain = self.primary.read().get(key).cloned();
        let row = chain.as_ref().and_then(|c| see(c, rv, track));
        let counter = if row.is_some() { &self.stats.hits } else { &self.stats.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(c) = chain {
            c.last_access.store(rv.now, Ordering::Relaxed);
        }
        row
    }

    /// Reads up to `limit` visible rows in key order from `range`, appending them to
    /// `out`. Returns the key to resume after, or `None` when the range is exhausted.
    /// Locks are held only while collecting the batch.
    /// With `track`, also collects the writers of versions too new to see (SSI).
    pub fn scan_batch(
        &self,
        range: &KeyRange,
        rv: &ReadView,
        limit: usize,
        out: &mut Vec<Row>,
        mut track: Option<&mut Vec<u64>>,
    ) -> Option<Key> {
        if is_empty_range(range) {
            return None;
        }
        let map = self.primary.read();
        let mut n = 0;
        for (key, chain) in map.range::<[u8], _>((as_ref_bound(&range.0), as_ref_bound(&range.1))) {
            if let Some(row) = see(chain, rv, track.as_deref_mut()) {
                out.push(row);
            }
            n += 1;
            if n >= limit {
                return Some(key.clone());
            }
        }
        None
    }

    /// Like [`TableStore::scan_batch`] over a secondary index: rows whose index key lies
    /// in `range` (a range over index keys, without the chain-id suffix).
    pub fn index_scan_batch(
        &self,
        index: &IndexStore,
        range: &KeyRange,
        rv: &ReadView,
        limit: usize,
        out: &mut Vec<Row>,
        mut track: Option<&mut Vec<u64>>,
    ) -> Result<Option<Key>> {
        if is_empty_range(range) {
            return Ok(None);
        }
        let map = index.map.read();
        let mut n = 0;
        for (entry, chain) in map.range::<[u8], _>((as_ref_bound(&range.0), as_ref_bound(&range.1))) {
            n += 1;
            if let Some(row) = see(chain, rv, track.as_deref_mut()) {
                // Only the entry matching the visible version counts.
                let key = index.key_of(&row)?;
                if entry.len() == key.len() + 8 && entry[..key.len()] == key[..] {
                    out.push(row);
                }
            }
            if n >= limit {
                return Ok(Some(entry.clone()));
            }
        }
        Ok(None)
    }

    fn new_chain(&self) -> Arc<Chain> {
        Arc::new(Chain::new(self.next_chain.fetch_add(1, Ordering::Relaxed)))
    }

    /// Inserts a new row under `key`. `pk_name` names the primary key constraint for the
    /// error if the key exists; `None` for tables with a hidden row id.
    pub fn insert(
        self: &Arc<Self>,
        txn: &Txn,
        key: Key,
        row: Row,
        expires: i64,
        now: i64,
        pk_name: Option<&str>,
    ) -> Result<()> {
        let mark = txn.write_mark();
        let chain = loop {
            let chain = {
                let existing = self.primary.read().get(&key).cloned();
                match existing {
                    Some(c) => c,
                    None => {
                        let mut map = self.primary.write();
                        map.entry(key.clone()).or_insert_with(|| self.new_chain()).clone()
                    }
                }
            };
            let mut state = chain.state.lock();
            if state.dead {
                drop(state);
                let mut map = self.primary.write();
                if map.get(&key).is_some_and(|c| Arc::ptr_eq(c, &chain)) {
                    map.remove(&key);
                }
                continue;
            }
            match Chain::head(&state, txn.id, now) {
                Head::Wait(other) => {
                    drop(state);
                    txn.wait_for(other)?;
                    continue;
                }
                Head::Live(_) => {
                    let name = pk_name.unwrap_or("pkey");
                    return Err(Error::new(
                        SqlState::UNIQUE_VIOLATION,
                        format!("duplicate key value violates unique constraint \"{name}\""),
                    )
                    .with_constraint(name));
                }
                Head::Gone => {
                    let tag = TXN_FLAG | txn.id;
                    // Supersede an expired (or own deleted) head so it stays invisible.
                    if let Some(v) = state.versions.last_mut() {
                        if v.end == INFINITY {
                            v.end = tag;
                        }
                    }
                    state.versions.push(Version { begin: tag, end: INFINITY, row: row.clone(), expires });
                }
            }
            drop(state);
            break chain;
        };
        txn.record_write(self, &chain, &key);
        let checked = self.add_index_entries(txn, &chain, &row, None, now).and_then(|_| match &txn.ssi {
            Some(s) => txn.manager().ssi.on_write(s, self, &key, None, Some(&row)),
            None => Ok(()),
        });
        if let Err(e) = checked {
            txn.undo_to(mark);
            return Err(e);
        }
        Ok(())
    }

    /// Replaces the row under `key` with `new` (`expires: None` keeps the expiry).
    ///
    /// `seen` is the `begin` of the version the caller evaluated, when it re-evaluated
    /// after [`WriteOutcome::Changed`]; `None` means "the version visible to my
    /// snapshot". If a transaction that committed after the snapshot changed the row,
    /// READ COMMITTED gets [`WriteOutcome::Changed`] and the stricter levels fail with
    /// 40001, as PostgreSQL does.
    pub fn update(
        self: &Arc<Self>,
        txn: &Txn,
        key: &[u8],
        new: Row,
        expires: Option<i64>,
        now: i64,
        seen: Option<u64>,
    ) -> Result<WriteOutcome> {
        self.write(txn, key, Some((new, expires)), now, seen)
    }

    /// Deletes the row under `key`; see [`TableStore::update`] for `seen`.
    pub fn delete(self: &Arc<Self>, txn: &Txn, key: &[u8], now: i64, seen: Option<u64>) -> Result<WriteOutcome> {
        self.write(txn, key, None, now, seen)
    }

    fn write(
        self: &Arc<Self>,
        txn: &Txn,
        key: &[u8],
        new: Option<(Row, Option<i64>)>,
        now: i64,
        seen: Option<u64>,
    ) -> Result<WriteOutcome> {
        let mark = txn.write_mark();
        let Some(chain) = self.primary.read().get(key).cloned() else {
            return Ok(WriteOutcome::Gone);
        };
        let tag = TXN_FLAG | txn.id;
        let old_row;
        loop {
            let mut state = chain.state.lock();
            if state.dead {
                return Ok(WriteOutcome::Gone);
            }
            match Chain::head(&state, txn.id, now) {
                Head::Wait(other) => {
                    drop(state);
                    txn.wait_for(other)?;
                    continue;
                }
                Head::Gone => {
                    // Deleted: by us, or by a transaction that committed.
                    let last = state.versions.last();
                    let deleted_after_snapshot =
                        last.is_some_and(|v| v.end & TXN_FLAG == 0 && v.end != INFINITY && v.end > txn.snapshot);
                    if deleted_after_snapshot && txn.isolation.uses_transaction_snapshot() {
                        return Err(serialization_failure());
                    }
                    return Ok(WriteOutcome::Gone);
                }
                Head::Live(idx) => {
                    let v = &state.versions[idx];
                    let committed_after = v.begin & TXN_FLAG == 0 && v.begin > txn.snapshot;
                    if committed_after && seen != Some(v.begin) {
                        if txn.isolation.uses_transaction_snapshot() {
                            return Err(serialization_failure());
                        }
                        return Ok(WriteOutcome::Changed(v.row.clone(), v.begin));
                    }
                    old_row = v.row.clone();
                    let old_expires = v.expires;
                    state.versions[idx].end = tag;
                    if let Some((row, expires)) = &new {
                        state.versions.push(Version {
                            begin: tag,
                            end: INFINITY,
                            row: row.clone(),
                            expires: expires.unwrap_or(old_expires),
                        });
                    }
                    break;
                }
            }
        }
        txn.record_write(self, &chain, key);
        let new_row = new.as_ref().map(|(r, _)| r);
        let checked = match new_row {
            Some(row) => self.add_index_entries(txn, &chain, row, Some(&old_row), now),
            None => Ok(()),
        }
        .and_then(|_| match &txn.ssi {
            Some(s) => txn.manager().ssi.on_write(s, self, &Key::from_slice(key), Some(&old_row), new_row),
            None => Ok(()),
        });
        if let Err(e) = checked {
            txn.undo_to(mark);
            return Err(e);
        }
        Ok(WriteOutcome::Written)
    }

    /// Locks the row under `key` for SELECT ... FOR UPDATE/SHARE. `seen` is as for
    /// [`TableStore::update`]: after [`LockOutcome::Changed`], READ COMMITTED re-checks
    /// the newest version and asks again with its `begin`.
    pub fn lock_row(
        &self,
        txn: &Txn,
        key: &[u8],
        mode: RowLockMode,
        wait: LockWait,
        now: i64,
        seen: Option<u64>,
    ) -> Result<LockOutcome> {
        let Some(chain) = self.primary.read().get(key).cloned() else {
            return Ok(LockOutcome::Gone);
        };
        loop {
            let mut state = chain.state.lock();
            if state.dead {
                return Ok(LockOutcome::Gone);
            }
            match Chain::head_for(&state, txn.id, now, mode) {
                Head::Wait(other) => {
                    drop(state);
                    match wait {
                        LockWait::SkipLocked => return Ok(LockOutcome::Skipped),
                        LockWait::NoWait => return Ok(LockOutcome::Busy),
                        LockWait::Block => txn.wait_for(other)?,
                    }
                }
                Head::Gone => {
                    let deleted_after = state
                        .versions
                        .last()
                        .is_some_and(|v| v.end & TXN_FLAG == 0 && v.end != INFINITY && v.end > txn.snapshot);
                    if deleted_after && txn.isolation.uses_transaction_snapshot() {
                        return Err(serialization_failure());
                    }
                    return Ok(LockOutcome::Gone);
                }
                Head::Live(idx) => {
                    let v = &state.versions[idx];
                    let committed_after = v.begin & TXN_FLAG == 0 && v.begin > txn.snapshot;
                    if committed_after && seen != Some(v.begin) {
                        if txn.isolation.uses_transaction_snapshot() {
                            return Err(serialization_failure());
                        }
                        return Ok(LockOutcome::Changed(v.row.clone(), v.begin));
                    }
                    let row = v.row.clone();
                    let exclusive = mode == RowLockMode::Exclusive;
                    let lockers = state.lockers.get_or_insert_with(Default::default);
                    match lockers.iter_mut().find(|(t, _)| *t == txn.id) {
                        Some(entry) => entry.1 |= exclusive,
                        None => lockers.push((txn.id, exclusive)),
                    }
                    drop(state);
                    txn.record_lock(&chain);
                    return Ok(LockOutcome::Locked(row));
                }
            }
        }
    }

    /// Adds the index entries for a new version, checking unique indexes.
    fn add_index_entries(&self, txn: &Txn, chain: &Arc<Chain>, row: &Row, old: Option<&Row>, now: i64) -> Result<()> {
        for index in self.indexes() {
            let key = index.key_of(row)?;
            if let Some(old) = old {
                if index.key_of(old)? == key {
                    continue;
                }
            }
            self.add_index_entry(txn, &index, chain, row, key, now)?;
        }
        Ok(())
    }

    fn add_index_entry(
        &self,
        txn: &Txn,
        index: &IndexStore,
        chain: &Arc<Chain>,
        row: &Row,
        key: Key,
        now: i64,
    ) -> Result<()> {
        let check = index.unique && !index.has_null(row);
        loop {
            let mut map = index.map.write();
            if check {
                let mut wait = None;
                let upper = IndexStore::entry(&key, &Chain::new(u64::MAX));
                let lower = IndexStore::entry(&key, &Chain::new(0));
                for (_, other) in map.range(lower..=upper) {
                    if Arc::ptr_eq(other, chain) {
                        continue;
                    }
                    let state = other.state.lock();
                    match Chain::head(&state, txn.id, now) {
                        Head::Wait(t) => {
                            let v = state.versions.last().expect("waiting on a version");
                            if index.key_of(&v.row)? == key
                                || (state.versions.len() > 1
                                    && index.key_of(&state.versions[state.versions.len() - 2].row)? == key)
                            {
                                wait = Some(t);
                                break;
                            }
                        }
                        Head::Live(i) => {
                            if index.key_of(&state.versions[i].row)? == key {
                                return Err(unique_violation(index, row));
                            }
                        }
                        Head::Gone => {}
                    }
                }
                if let Some(t) = wait {
                    drop(map);
                    txn.wait_for(t)?;
                    continue;
                }
            }
            map.insert(IndexStore::entry(&key, chain), chain.clone());
            return Ok(());
        }
    }

    /// Undoes the newest write of transaction `me` on a chain (the write-set entry
    /// being popped), removing index entries no version needs any more.
    pub(crate) fn undo(&self, chain: &Arc<Chain>, key: &[u8], me: TxnId) {
        let tag = TXN_FLAG | me;
        let mut removed = Vec::new();
        let dead;
        {
            let mut state = chain.state.lock();
            if state.versions.last().is_some_and(|v| v.begin == tag) {
                removed.push(state.versions.pop().expect("non-empty").row);
            }
            if let Some(v) = state.versions.last_mut() {
                if v.end == tag {
                    v.end = INFINITY;
                }
            }
            dead = state.versions.is_empty();
            if dead {
                state.dead = true;
            }
        }
        self.unlink(chain, key, &removed, dead);
    }

    /// Removes versions that no snapshot at or after `horizon` can see.
    ///
    /// A superseded version is needed only while some snapshot in `snapshots` (the ones
    /// in use, sorted) lies in `[begin, end)`: snapshots taken later see only newer
    /// versions. So a long-running reader keeps the versions it can see, not every
    /// version written since it started. Returns whether the chain still holds a
    /// superseded version some snapshot needs (to try again later).
    pub(crate) fn prune(&self, chain: &Arc<Chain>, key: &[u8], snapshots: &Snapshots) -> bool {
        let mut removed = Vec::new();
        let dead;
        let retained;
        {
            let mut state = chain.state.lock();
            if state.dead {
                return false;
            }
            let mut kept = SmallVec::new();
            for v in state.versions.drain(..) {
                let superseded = v.end & TXN_FLAG == 0 && v.end != INFINITY;
                if superseded && v.begin & TXN_FLAG == 0 && !snapshots.need(v.begin, v.end) {
                    removed.push(v.row);
                } else {
                    kept.push(v);
                }
            }
            state.versions = kept;
            retained = state.versions.iter().any(|v| v.end & TXN_FLAG == 0 && v.end != INFINITY);
            dead = state.versions.is_empty();
            if dead {
                state.dead = true;
            }
        }
        self.unlink(chain, key, &removed, dead);
        retained
    }

    /// Drops index entries of removed versions that no remaining version shares, and the
    /// chain itself from the primary map when it is dead.
    fn unlink(&self, chain: &Arc<Chain>, key: &[u8], removed: &[Row], dead: bool) {
        if removed.is_empty() && !dead {
            return;
        }
        let remaining: Vec<Row> = chain.state.lock().versions.iter().map(|v| v.row.clone()).collect();
        for index in self.indexes() {
            let mut keys: Vec<Key> = removed.iter().filter_map(|r| index.key_of(r).ok()).collect();
            keys.sort();
            keys.dedup();
            keys.retain(|k| !remaining.iter().any(|r| index.key_of(r).ok().as_ref() == Some(k)));
            if !keys.is_empty() {
                let mut map = index.map.write();
                for k in keys {
                    map.remove(&IndexStore::entry(&k, chain));
                }
            }
        }
        if dead {
            let mut map = self.primary.write();
            if map.get(key).is_some_and(|c| Arc::ptr_eq(c, chain)) {
                map.remove(key);
            }
        }
    }

    /// Adds a secondary index and fills it from every retained version. The caller
    /// holds the DDL lock, so no writer runs concurrently. With `unique`, fails if two
    /// live rows share a key.
    pub fn create_index(
        &self,
        id: u32,
        name: &str,
        columns: Vec<usize>,
        unique: bool,
        now: i64,
    ) -> Result<Arc<IndexStore>> {
        let index =
            Arc::new(IndexStore { id, name: name.to_string(), columns, unique, map: RwLock::new(BTreeMap::new()) });
        {
            let primary = self.primary.read();
            let mut map = index.map.write();
            let mut live: BTreeMap<Key, ()> = BTreeMap::new();
            for chain in primary.values() {
                let state = chain.state.lock();
                for (i, v) in state.versions.iter().enumerate() {
                    let key = index.key_of(&v.row)?;
                    let live_version = i + 1 == state.versions.len()
                        && v.end == INFINITY
                        && v.expires > now
                        && !index.has_null(&v.row);
                    if unique && live_version && live.insert(key.clone(), ()).is_some() {
                        {
                            return Err(Error::new(
                                SqlState::UNIQUE_VIOLATION,
                                format!("could not create unique index \"{name}\""),
                            )
                            .with_detail(format!("Key {} is duplicated.", describe_key(&v.row, &index.columns))));
                        }
                    }
                    map.insert(IndexStore::entry(&key, chain), chain.clone());
                }
            }
        }
        self.indexes.write().push(index.clone());
        Ok(index)
    }

    /// Removes a secondary index.
    pub fn drop_index(&self, id: u32) {
        self.indexes.write().retain(|i| i.id != id);
    }

    /// Total number of retained versions (for tests and statistics).
    pub fn version_count(&self) -> usize {
        self.primary.read().values().map(|c| c.version_count()).sum()
    }

    /// Up to `limit` rows visible to `rv` with their keys and expiry, in key order after
    /// `after` (exclusive). Returns the key to continue after, if any (checkpoints).
    pub fn snapshot_batch(
        &self,
        after: Option<&Key>,
        rv: &ReadView,
        limit: usize,
        out: &mut Vec<(Key, Row, i64)>,
    ) -> Option<Key> {
        let map = self.primary.read();
        let lower = match after {
            Some(k) => Bound::Excluded(k.as_slice()),
            None => Bound::Unbounded,
        };
        let mut n = 0;
        for (key, chain) in map.range::<[u8], _>((lower, Bound::Unbounded)) {
            if let Some((row, expires)) = chain.visible_with_expiry(rv) {
                out.push((key.clone(), row, expires));
            }
            n += 1;
            if n >= limit {
                return Some(key.clone());
            }
        }
        None
    }

    /// Installs a committed row directly, replacing any row under the key. Only for
    /// recovery and table rewrites, when no transaction can be looking.
    pub fn apply_put(&self, key: Key, row: Row, expires: i64, ts: Ts) {
        self.apply_delete(&key);
        let chain = self.new_chain();
        for index in self.indexes.read().iter() {
            if let Ok(k) = index.key_of(&row) {
                index.map.write().insert(IndexStore::entry(&k, &chain), chain.clone());
            }
        }
        chain.state.lock().versions.push(Version { begin: ts, end: INFINITY, row, expires });
        self.primary.write().insert(key, chain);
    }

    /// Removes the row under a key directly (recovery only).
    pub fn apply_delete(&self, key: &[u8]) {
        let Some(chain) = self.primary.write().remove(key) else { return };
        let rows: Vec<Row> = {
            let mut state = chain.state.lock();
            state.dead = true;
            state.versions.drain(..).map(|v| v.row).collect()
        };
        for index in self.indexes() {
            let mut map = index.map.write();
            for r in &rows {
                if let Ok(k) = index.key_of(r) {
                    map.remove(&IndexStore::entry(&k, &chain));
                }
            }
        }
    }

    /// Sets the hidden row id counter above the largest row id stored (recovery).
    pub fn reset_rowid_counter(&self) {
        let last = self.primary.read().keys().next_back().and_then(|k| super::encoding::decode_i64(k));
        if let Some(max) = last {
            self.next_rowid.fetch_max(max.saturating_add(1), Ordering::Relaxed);
        }
    }
}

/// The visible version of a chain, collecting too-new writers when tracking (SSI).
#[inline]
fn see(chain: &Chain, rv: &ReadView, track: Option<&mut Vec<u64>>) -> Option<Row> {
    match track {
        None => chain.visible(rv),
        Some(conflicts) => chain.visible_tracked(rv, conflicts),
    }
}

/// Whether a range holds no key; `BTreeMap::range` panics on such ranges.
fn is_empty_range(r: &KeyRange) -> bool {
    match (&r.0, &r.1) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b)) | (Bound::Excluded(a), Bound::Included(b)) => {
            a >= b
        }
        _ => false,
    }
}

fn as_ref_bound(b: &Bound<Key>) -> Bound<&[u8]> {
    match b {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The values of a key, as `(1, abc)`; the SQL layer adds column names.
fn describe_key(row: &[Value], columns: &[usize]) -> String {
    let vals: Vec<String> = columns.iter().map(|&c| crate::types::format_value(&row[c], &Default::default())).collect();
    format!("({})", vals.join(", "))
}

fn unique_violation(index: &IndexStore, _row: &[Value]) -> Error {
    Error::new(SqlState::UNIQUE_VIOLATION, format!("duplicate key value violates unique constraint \"{}\"", index.name))
        .with_constraint(index.name.clone())
}

//! Durability: the write-ahead log, checkpoints and recovery of an on-disk database.
//!
//! A database directory holds:
//!
//! - `LOCK`: locked exclusively while a process has the database open;
//! - `wal/wal-<seq>.log`: log segments ([`wal`]);
//! - `checkpoint-<seq>.ckpt`: checkpoints ([`checkpoint`]), the newest two kept.
//!
//! Every committed transaction that changed something appends one log frame while it
//! holds the commit lock, so the log is in commit order. Recovery loads the newest
//! valid checkpoint and replays the frames after it, truncating a torn tail and
//! refusing to open on damage before the tail. A checkpoint runs when the log has grown
//! past a threshold, on `CHECKPOINT`, and when the database closes; it is taken from an
//! MVCC snapshot while writers go on, and then lets old segments be deleted.
//!
//! All file I/O goes through [`vfs::Vfs`], so tests can inject failures.

pub mod checkpoint;
pub mod codec;
mod recovery;

pub use recovery::{salvage, SalvageReport};
pub mod vfs;
pub mod wal;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::storage::{ReadView, Txn, TxnManager};
use checkpoint::{checkpoint_name, checkpoint_seq, CheckpointWriter};
use codec::{put_op, LogOp};
use parking_lot::Mutex;
use recovery::list_segments;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use vfs::{OsVfs, Vfs};
use wal::{SyncMode, Wal, RECORD_COMMIT};

/// Durability settings.
#[derive(Clone)]
pub struct DurabilityOptions {
    pub sync: SyncMode,
    /// Log bytes after which a checkpoint runs automatically.
    pub checkpoint_bytes: u64,
    /// Size at which a log segment is closed and a new one started.
    pub segment_bytes: u64,
    pub vfs: Arc<dyn Vfs>,
}

impl Default for DurabilityOptions {
    fn default() -> Self {
        DurabilityOptions {
            sync: SyncMode::Full,
            checkpoint_bytes: 64 << 20,
            segment_bytes: 16 << 20,
            vfs: Arc::new(OsVfs),
        }
    }
}

/// What recovery found.
#[derive(Clone, Debug, Default)]
pub struct RecoveryReport {
    pub checkpoint: Option<PathBuf>,
    pub checkpoint_rows: u64,
    pub frames_replayed: u64,
    pub torn_tail_bytes: u64,
    pub elapsed: Duration,
}

/// The durable side of an open database.
pub struct Durability {
    dir: PathBuf,
    wal_dir: PathBuf,
    vfs: Arc<dyn Vfs>,
    pub wal: Wal,
    options: DurabilityOptions,
    _lock: std::fs::File,
    checkpointing: Mutex<()>,
    pub report: RecoveryReport,
}

/// Recovery's result: the database state to start from.
pub struct Recovered {
    pub catalog: Catalog,
    /// The newest commit timestamp.
    pub clock: u64,
    pub durability: Durability,
}

impl Durability {
    /// Opens (creating if needed) the database in `dir` and recovers its state.
    pub fn open(dir: &Path, options: DurabilityOptions, now: i64) -> Result<Recovered> {
        recovery::recover(dir, options, now)
    }

    /// Encodes a transaction's changes as a commit payload; the timestamp is filled in
    /// by [`Durability::append`].
    pub fn encode_commit(txn: &Txn, schema_change: Option<(&Catalog, &Catalog)>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(RECORD_COMMIT);
        out.extend_from_slice(&0u64.to_le_bytes());
        let changes = txn.changes();
        let ddl = schema_change.map(|(old, new)| codec::catalog_diff(old, new)).unwrap_or_default();
        codec::put_varint(&mut out, changes.len() as u64 + ddl.len() as u64);
        for op in &ddl {
            put_op(&mut out, op);
        }
        for ch in changes {
            let op = match ch.row {
                Some(row) => LogOp::Put { table: ch.table, key: ch.key, expires: ch.expires, row: row.to_vec() },
                None => LogOp::Delete { table: ch.table, key: ch.key },
            };
            put_op(&mut out, &op);
        }
        out
    }

    /// Appends a commit payload with its timestamp (under the commit lock).
    pub fn append(&self, ts: u64, payload: &mut [u8]) -> Result<u64> {
        payload[1..9].copy_from_slice(&ts.to_le_bytes());
        self.wal.append(payload)
    }

    /// Waits for a commit to be as durable as the sync mode (and the session) asks.
    pub fn wait_commit(&self, seq: u64, synchronous: bool) -> Result<()> {
        match (self.wal.mode(), synchronous) {
            (SyncMode::Full, true) => self.wal.wait(seq, true),
            (SyncMode::Full, false) => Ok(()),
            _ => self.wal.wait(seq, false),
        }
    }

    /// Background duty: write and sync what commits left pending.
    pub fn background_flush(&self) -> Result<()> {
        match self.wal.mode() {
            SyncMode::Off => self.wal.wait(self.wal.last_seq(), false),
            _ => self.wal.sync_all(),
        }
    }

    /// Whether the log has grown enough for an automatic checkpoint.
    pub fn wants_checkpoint(&self) -> bool {
        self.wal.since_checkpoint() >= self.options.checkpoint_bytes
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a checkpoint. `snapshot` runs with no commit in progress and returns the
    /// catalog and a transaction whose snapshot the checkpoint captures; the caller
    /// makes sure no schema change is half-published meanwhile. Readers and writers go
    /// on while the rows are written.
    pub fn checkpoint(
        &self,
        txns: &Arc<TxnManager>,
        snapshot: impl FnOnce() -> (Arc<Catalog>, Txn),
        now: i64,
    ) -> Result<PathBuf> {
        let _one = self.checkpointing.lock();
        if let Some(e) = self.wal.failed() {
            return Err(e);
        }
        self.wal.switch_segment()?;
        let logged = self.wal.since_checkpoint();
        let (catalog, txn, seq) = txns.with_commit_lock(|_| {
            let (catalog, txn) = snapshot();
            (catalog, txn, self.wal.last_seq())
        });
        let ts = txn.snapshot;
        let rv = ReadView { txn: txn.id, snapshot: ts, now };
        let mut w = CheckpointWriter::create(self.vfs.as_ref(), &self.dir, ts, seq)?;
        w.database(&catalog, &rv)?;
        let path = w.finish()?;
        drop(txn);
        self.wal.reset_since_checkpoint(logged);
        self.prune(seq)?;
        Ok(path)
    }

    /// Keeps the two newest checkpoints and the log after the older of them.
    fn prune(&self, newest: u64) -> Result<()> {
        let names = self.vfs.list(&self.dir)?;
        let mut ckpts: Vec<u64> = names.iter().filter_map(|n| checkpoint_seq(n)).filter(|s| *s <= newest).collect();
        ckpts.sort_unstable_by(|a, b| b.cmp(a));
        for old in ckpts.iter().skip(2) {
            self.vfs.remove(&self.dir.join(checkpoint_name(*old)))?;
        }
        let keep_from = ckpts.get(1).copied().unwrap_or(0);
        let segments = list_segments(self.vfs.as_ref(), &self.wal_dir)?;
        // A segment can go when the next one starts at or before the first frame needed.
        for w in segments.windows(2) {
            let (_, name) = &w[0];
            let (next_first, _) = &w[1];
            if *next_first <= keep_from + 1 {
                self.vfs.remove(&self.wal_dir.join(name))?;
            }
        }
        self.vfs.sync_dir(&self.wal_dir)?;
        Ok(())
    }
}

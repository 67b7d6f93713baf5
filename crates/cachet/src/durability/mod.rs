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
pub mod vfs;
pub mod wal;

use crate::catalog::{Catalog, Table, TableSchema};
use crate::error::{Error, Result, SqlState};
use crate::storage::{ReadView, Row, TableStore, Txn, TxnManager};
use checkpoint::{checkpoint_name, checkpoint_seq, read_checkpoint, CheckpointWriter};
use codec::{put_op, CatalogDefs, LogOp, Reader};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfs::{OsVfs, Vfs};
use wal::{parse_frame, parse_segment_header, segment_seq, SyncMode, Wal, RECORD_COMMIT, SEGMENT_HEADER};

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

fn corrupt_at(path: &Path, offset: u64, what: &str) -> Error {
    Error::new(
        SqlState::DATA_CORRUPTED,
        format!("write-ahead log file \"{}\" is corrupt at offset {offset}: {what}", path.display()),
    )
    .with_hint("Run `cachet recover DIR` to salvage the data before the damage.")
}

/// Rebuilds tables from logical operations.
struct Rebuild {
    catalog: Catalog,
    stores: HashMap<u32, Arc<TableStore>>,
    now: i64,
    rows: u64,
}

impl Rebuild {
    fn new(now: i64) -> Self {
        Rebuild { catalog: Catalog::default(), stores: HashMap::new(), now, rows: 0 }
    }

    fn apply(&mut self, op: LogOp, ts: u64) -> Result<()> {
        match op {
            LogOp::Catalog(defs) => self.apply_catalog(*defs)?,
            LogOp::PutTable(schema) => {
                let store = self.stores.get(&schema.id).cloned().unwrap_or_else(|| TableStore::new(schema.id));
                reconcile_indexes(&store, &schema, self.now)?;
                self.catalog.reserve_id(schema.id);
                for i in &schema.indexes {
                    self.catalog.reserve_id(i.id);
                }
                if let Some(old) = self.catalog.table_by_id(schema.id).map(|t| t.schema.name.clone()) {
                    self.catalog.remove_table(&old);
                }
                self.stores.insert(schema.id, store.clone());
                self.catalog.add_table(Table::new(*schema, store))?;
            }
            LogOp::DropTable(id) => {
                if let Some(name) = self.catalog.table_by_id(id).map(|t| t.schema.name.clone()) {
                    self.catalog.remove_table(&name);
                }
                self.stores.remove(&id);
            }
            LogOp::PutView(view) => self.catalog.add_view(*view, true)?,
            LogOp::DropView(name) => {
                self.catalog.remove_view(&name);
            }
            LogOp::Put { table, key, expires, row } => {
                let store = self.store(table)?;
                if expires <= self.now {
                    // Expired while the database was closed: never bring it back.
                    store.apply_delete(&key);
                } else {
                    store.apply_put(key, Row::from(row), expires, ts);
                    self.rows += 1;
                }
            }
            LogOp::Delete { table, key } => self.store(table)?.apply_delete(&key),
        }
        Ok(())
    }

    fn store(&self, id: u32) -> Result<&Arc<TableStore>> {
        self.stores
            .get(&id)
            .ok_or_else(|| Error::new(SqlState::DATA_CORRUPTED, format!("log refers to unknown table id {id}")))
    }

    /// Makes the definitions current, keeping the storage of tables that stay.
    fn apply_catalog(&mut self, defs: CatalogDefs) -> Result<()> {
        let mut catalog = Catalog::default();
        let mut stores = HashMap::new();
        for schema in defs.tables {
            let store = self.stores.get(&schema.id).cloned().unwrap_or_else(|| TableStore::new(schema.id));
            reconcile_indexes(&store, &schema, self.now)?;
            stores.insert(schema.id, store.clone());
            catalog.add_table(Table::new(schema, store))?;
        }
        for v in defs.views {
            catalog.add_view(v, true)?;
        }
        catalog.reserve_id(defs.next_id);
        self.catalog = catalog;
        self.stores = stores;
        Ok(())
    }

    fn finish(self, version: u64) -> Catalog {
        for store in self.stores.values() {
            store.reset_rowid_counter();
        }
        let mut catalog = self.catalog;
        catalog.version = version;
        catalog
    }
}

/// Makes a store's secondary indexes match a definition.
fn reconcile_indexes(store: &TableStore, schema: &TableSchema, now: i64) -> Result<()> {
    for existing in store.indexes() {
        if !schema.indexes.iter().any(|d| d.id == existing.id) {
            store.drop_index(existing.id);
        }
    }
    for def in &schema.indexes {
        if store.index(def.id).is_none() {
            store.create_index(def.id, &def.name, def.columns.clone(), def.unique, now)?;
        }
    }
    Ok(())
}

impl Durability {
    /// Opens (creating if needed) the database in `dir` and recovers its state.
    pub fn open(dir: &Path, options: DurabilityOptions, now: i64) -> Result<Recovered> {
        let started = Instant::now();
        let vfs = options.vfs.clone();
        let wal_dir = dir.join("wal");
        vfs.create_dir_all(&wal_dir)
            .map_err(|e| Error::io(format!("could not create database directory \"{}\": {e}", dir.display())))?;
        let lock = lock_dir(dir)?;
        let mut report = RecoveryReport::default();

        // The newest valid checkpoint.
        let names = vfs.list(dir)?;
        if names.iter().any(|n| n == "checkpoint.tmp") {
            let _ = vfs.remove(&dir.join("checkpoint.tmp"));
        }
        let mut ckpts: Vec<u64> = names.iter().filter_map(|n| checkpoint_seq(n)).collect();
        ckpts.sort_unstable_by(|a, b| b.cmp(a));
        let segments = list_segments(vfs.as_ref(), &wal_dir)?;
        let first_wal_seq = segments.first().map(|(s, _)| *s);
        if ckpts.is_empty() && first_wal_seq.is_some_and(|f| f > 1) {
            return Err(Error::new(
                SqlState::DATA_CORRUPTED,
                format!("database \"{}\" has log segments but no checkpoint covering their start", dir.display()),
            ));
        }
        let mut rebuild = Rebuild::new(now);
        let mut base_ts = 0;
        let mut base_seq = 0;
        let mut first_error = None;
        for seq in &ckpts {
            let path = dir.join(checkpoint_name(*seq));
            match read_checkpoint(vfs.as_ref(), &path) {
                Ok(ck) => {
                    // An older checkpoint is only usable if the log after it still exists.
                    if first_error.is_some() && first_wal_seq.is_none_or(|f| f > ck.seq + 1) {
                        break;
                    }
                    let mut r = Rebuild::new(now);
                    ck.for_each_op(|op| r.apply(op, ck.ts))?;
                    rebuild = r;
                    base_ts = ck.ts;
                    base_seq = ck.seq;
                    report.checkpoint = Some(path);
                    report.checkpoint_rows = rebuild.rows;
                    if let Some(e) = &first_error {
                        tracing::warn!("{e}; recovered from the previous checkpoint instead");
                    }
                    first_error = None;
                    break;
                }
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }

        // Replay the log after the checkpoint.
        let mut last_seq = base_seq;
        let mut clock = base_ts;
        let mut torn = false;
        for (i, (first, name)) in segments.iter().enumerate() {
            let path = wal_dir.join(name);
            if torn {
                // Nothing valid follows a torn tail (checked below): drop the rest.
                vfs.remove(&path)?;
                continue;
            }
            let is_last = i + 1 == segments.len();
            let mut file = vfs.open(&path, false)?;
            let buf = file.read_all()?;
            match parse_segment_header(&buf) {
                Some(s) if s == *first => {}
                _ if is_last && buf.len() < SEGMENT_HEADER + wal::FRAME_HEADER => {
                    // A segment whose creation was cut short.
                    vfs.remove(&path)?;
                    break;
                }
                _ => return Err(corrupt_at(&path, 0, "bad segment header")),
            }
            let mut offset = SEGMENT_HEADER;
            let mut expected = *first;
            while offset < buf.len() {
                let Some(frame) = parse_frame(&buf, offset) else {
                    // Damage: a torn tail only if nothing valid follows anywhere.
                    let later =
                        segments[i + 1..].iter().any(|(_, n)| segment_has_frames(vfs.as_ref(), &wal_dir.join(n)));
                    if later || valid_frame_after(&buf, offset + 1, expected.saturating_sub(1)) {
                        return Err(corrupt_at(&path, offset as u64, "invalid frame (checksum or length)"));
                    }
                    report.torn_tail_bytes = (buf.len() - offset) as u64;
                    file.truncate(offset as u64)?;
                    torn = true;
                    break;
                };
                if frame.seq != expected {
                    return Err(corrupt_at(
                        &path,
                        offset as u64,
                        &format!("frame sequence {} where {expected} was expected", frame.seq),
                    ));
                }
                if frame.seq > base_seq {
                    if frame.seq != last_seq + 1 {
                        return Err(corrupt_at(
                            &path,
                            offset as u64,
                            &format!("log frames {} to {} are missing", last_seq + 1, frame.seq - 1),
                        ));
                    }
                    let ts = apply_frame(&mut rebuild, frame.payload)
                        .map_err(|e| corrupt_at(&path, offset as u64, e.message()))?;
                    clock = clock.max(ts);
                    last_seq = frame.seq;
                    report.frames_replayed += 1;
                }
                expected += 1;
                offset += frame.len;
            }
        }
        vfs.sync_dir(&wal_dir)?;
        // Appending always starts a new segment after the last frame.
        let wal = Wal::new(vfs.clone(), wal_dir.clone(), options.sync, options.segment_bytes, None, last_seq + 1)?;
        report.elapsed = started.elapsed();
        let catalog = rebuild.finish(1);
        Ok(Recovered {
            catalog,
            clock: clock.max(1),
            durability: Durability {
                dir: dir.to_path_buf(),
                wal_dir,
                vfs,
                wal,
                options,
                _lock: lock,
                checkpointing: Mutex::new(()),
                report,
            },
        })
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
        w.op(&LogOp::Catalog(Box::new(CatalogDefs::of(&catalog))))?;
        let mut batch = Vec::with_capacity(1024);
        for table in catalog.tables() {
            let mut after = None;
            loop {
                batch.clear();
                let next = table.store.snapshot_batch(after.as_ref(), &rv, 1024, &mut batch);
                for (key, row, expires) in batch.drain(..) {
                    w.op(&LogOp::Put { table: table.schema.id, key, expires, row: row.to_vec() })?;
                }
                match next {
                    Some(k) => after = Some(k),
                    None => break,
                }
            }
        }
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

/// Applies a commit frame; returns its timestamp.
fn apply_frame(rebuild: &mut Rebuild, payload: &[u8]) -> Result<u64> {
    let mut r = Reader::new(payload);
    if r.u8()? != RECORD_COMMIT {
        return Err(Error::new(SqlState::DATA_CORRUPTED, "unknown record type"));
    }
    let ts = r.u64()?;
    let n = r.varint()?;
    for _ in 0..n {
        let op = r.op()?;
        rebuild.apply(op, ts)?;
    }
    Ok(ts)
}

/// Whether a valid frame with a sequence number above `after_seq` starts anywhere at
/// or after `from`.
fn valid_frame_after(buf: &[u8], from: usize, after_seq: u64) -> bool {
    let magic = wal::FRAME_MAGIC;
    let mut i = from;
    while let Some(pos) = buf.get(i..).and_then(|s| s.windows(4).position(|w| w == magic)) {
        let at = i + pos;
        if parse_frame(buf, at).is_some_and(|f| f.seq > after_seq) {
            return true;
        }
        i = at + 1;
    }
    false
}

fn segment_has_frames(vfs: &dyn Vfs, path: &Path) -> bool {
    let Ok(mut f) = vfs.open(path, false) else { return false };
    let Ok(buf) = f.read_all() else { return false };
    valid_frame_after(&buf, SEGMENT_HEADER.min(buf.len()), 0)
}

fn list_segments(vfs: &dyn Vfs, dir: &Path) -> Result<Vec<(u64, String)>> {
    let mut segs: Vec<(u64, String)> =
        vfs.list(dir)?.into_iter().filter_map(|n| segment_seq(&n).map(|s| (s, n))).collect();
    segs.sort();
    Ok(segs)
}

/// Takes the directory's lock file, so that a second process cannot open it.
fn lock_dir(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join("LOCK");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(format!("could not open lock file \"{}\": {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::new(
            SqlState("55006"),
            format!("database directory \"{}\" is in use by another process", dir.display()),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(format!("could not lock \"{}\": {e}", path.display()))),
    }
}

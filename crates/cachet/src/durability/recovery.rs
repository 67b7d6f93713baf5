//! Recovery: rebuilding the database from its checkpoint and log, and salvaging what
//! can be saved from a damaged directory.

use super::checkpoint::{checkpoint_name, checkpoint_seq, read_checkpoint};
use super::codec::{CatalogDefs, LogOp, Reader};
use super::vfs::Vfs;
use super::wal::{self, parse_frame, parse_segment_header, segment_seq, Wal, RECORD_COMMIT, SEGMENT_HEADER};
use super::{Durability, DurabilityOptions, Recovered, RecoveryReport};
use crate::catalog::{Catalog, Table, TableSchema};
use crate::error::{Error, Result, SqlState};
use crate::storage::{Row, TableStore};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

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

/// Opens (creating if needed) the database in `dir` and recovers its state.
pub(super) fn recover(dir: &Path, options: DurabilityOptions, now: i64) -> Result<Recovered> {
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
                let later = segments[i + 1..].iter().any(|(_, n)| segment_has_frames(vfs.as_ref(), &wal_dir.join(n)));
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

pub(super) fn list_segments(vfs: &dyn Vfs, dir: &Path) -> Result<Vec<(u64, String)>> {
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

/// What [`salvage`] saved and what it set aside.
#[derive(Debug, Clone)]
pub struct SalvageReport {
    /// The checkpoint it started from.
    pub from_checkpoint: Option<std::path::PathBuf>,
    /// Log frames replayed.
    pub frames: u64,
    /// Where the first damage was, if any: file and offset.
    pub damage: Option<(std::path::PathBuf, u64)>,
    /// Log bytes after the damage that could not be read.
    pub bytes_lost: u64,
    /// The checkpoint written from what was saved.
    pub new_checkpoint: std::path::PathBuf,
    /// The directory the old log and checkpoints were moved to.
    pub moved_to: std::path::PathBuf,
}

/// Saves everything readable from a damaged database directory: the newest readable
/// checkpoint and every log frame up to the first damage. It writes a new checkpoint of
/// that state and moves the old log segments and checkpoints into `salvage-<time>/`,
/// so nothing is deleted and the directory opens cleanly afterwards. `progress` gets
/// (bytes done, bytes total) as the log is read.
pub fn salvage(dir: &Path, now: i64, progress: &mut dyn FnMut(u64, u64)) -> Result<SalvageReport> {
    let vfs: Arc<dyn Vfs> = Arc::new(super::vfs::OsVfs);
    let _lock = lock_dir(dir)?;
    let wal_dir = dir.join("wal");
    vfs.create_dir_all(&wal_dir)?;
    let names = vfs.list(dir)?;
    let mut ckpts: Vec<u64> = names.iter().filter_map(|n| checkpoint_seq(n)).collect();
    ckpts.sort_unstable_by(|a, b| b.cmp(a));
    let mut rebuild = Rebuild::new(now);
    let (mut base_ts, mut base_seq, mut from_checkpoint) = (0, 0, None);
    for seq in &ckpts {
        let path = dir.join(checkpoint_name(*seq));
        if let Ok(ck) = read_checkpoint(vfs.as_ref(), &path) {
            let mut r = Rebuild::new(now);
            if ck.for_each_op(|op| r.apply(op, ck.ts)).is_ok() {
                rebuild = r;
                (base_ts, base_seq, from_checkpoint) = (ck.ts, ck.seq, Some(path));
                break;
            }
        }
    }
    let segments = list_segments(vfs.as_ref(), &wal_dir)?;
    let mut bufs = Vec::new();
    for (_, name) in &segments {
        bufs.push(vfs.open(&wal_dir.join(name), false)?.read_all()?);
    }
    let total: u64 = bufs.iter().map(|b| b.len() as u64).sum();
    let (mut done, mut frames, mut last_seq, mut clock) = (0u64, 0u64, base_seq, base_ts);
    let mut damage = None;
    'segments: for ((first, name), buf) in segments.iter().zip(&bufs) {
        let path = wal_dir.join(name);
        if parse_segment_header(buf) != Some(*first) {
            damage = Some((path, 0));
            break;
        }
        let mut offset = SEGMENT_HEADER;
        while offset < buf.len() {
            let frame = parse_frame(buf, offset);
            let ok = match &frame {
                Some(f) if f.seq <= base_seq => true,
                Some(f) if f.seq == last_seq + 1 => {
                    let mut trial = Vec::new();
                    let mut r = Reader::new(f.payload);
                    let decoded = (|| -> Result<u64> {
                        if r.u8()? != RECORD_COMMIT {
                            return Err(Error::new(SqlState::DATA_CORRUPTED, "unknown record type"));
                        }
                        let ts = r.u64()?;
                        for _ in 0..r.varint()? {
                            trial.push(r.op()?);
                        }
                        Ok(ts)
                    })();
                    match decoded {
                        Ok(ts) => {
                            for op in trial {
                                rebuild.apply(op, ts)?;
                            }
                            clock = clock.max(ts);
                            last_seq = f.seq;
                            frames += 1;
                            true
                        }
                        Err(_) => false,
                    }
                }
                _ => false,
            };
            if !ok {
                damage = Some((path, offset as u64));
                break 'segments;
            }
            let len = frame.map_or(0, |f| f.len);
            offset += len;
            done += len as u64;
            progress(done, total);
        }
        done += SEGMENT_HEADER as u64;
    }
    let bytes_lost = total.saturating_sub(done);
    progress(total, total);
    // Set the old files aside, then write the saved state as a checkpoint.
    let moved_to = dir.join(format!("salvage-{}", now / 1_000_000));
    vfs.create_dir_all(&moved_to)?;
    for (_, name) in &segments {
        vfs.rename(&wal_dir.join(name), &moved_to.join(name))?;
    }
    for seq in &ckpts {
        let n = checkpoint_name(*seq);
        vfs.rename(&dir.join(&n), &moved_to.join(&n))?;
    }
    vfs.sync_dir(&wal_dir)?;
    vfs.sync_dir(dir)?;
    let catalog = rebuild.finish(1);
    let mut w = super::checkpoint::CheckpointWriter::create(vfs.as_ref(), dir, clock.max(1), last_seq)?;
    let rv = crate::storage::ReadView { txn: 0, snapshot: clock.max(1), now };
    w.database(&catalog, &rv)?;
    let new_checkpoint = w.finish()?;
    Ok(SalvageReport { from_checkpoint, frames, damage, bytes_lost, new_checkpoint, moved_to })
}

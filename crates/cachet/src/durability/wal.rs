//! The write-ahead log.
//!
//! The log is a sequence of segment files `wal-<first seq>.log` in the `wal/`
//! directory. Each holds a header and then frames; each frame carries one committed
//! transaction as logical redo (see `codec`), a sequence number and a CRC32C over the
//! header and payload. The byte layout is in `docs/file-format.md`.
//!
//! **Group commit.** Committers append frames to an in-memory buffer while holding the
//! commit lock, so frames are in commit-timestamp order. Then, outside the lock, each
//! waits for its frame to be durable. The first waiter becomes the *leader*: it writes
//! the whole buffer, fsyncs once, and wakes everyone whose frame that covered. Writers
//! that arrive meanwhile append behind it and are served by the next leader.
//!
//! **Failure.** A failed write or fsync poisons the log: the failing commit returns the
//! error and every later commit fails too, until the database is reopened and recovery
//! decides from the files what is durable. Nothing acknowledged is ever lost, and there
//! is no retrying of an fsync whose failure may have dropped dirty pages
//! ("fsyncgate").
//!
//! **Recovery** reads frames in order. The first frame that is incomplete or fails its
//! checksum ends the log *if* no valid frame follows it anywhere: that is a torn tail,
//! and the log is truncated there. If a valid frame follows, the damage is in the
//! middle of the log and opening fails with the file and offset of the bad frame.

use super::vfs::{Vfs, VfsFile};
use crate::error::{Error, Result, SqlState};
use parking_lot::{Condvar, Mutex};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Segment header magic.
pub const SEGMENT_MAGIC: &[u8; 8] = b"CACHETWL";
/// The log format version.
pub const WAL_VERSION: u32 = 1;
/// Segment header size: magic, version, first sequence number, CRC.
pub const SEGMENT_HEADER: usize = 24;
/// Frame magic.
pub const FRAME_MAGIC: &[u8; 4] = b"CWR1";
/// Frame header size: magic, length, sequence number, CRC.
pub const FRAME_HEADER: usize = 20;
/// Payload type of a committed transaction.
pub const RECORD_COMMIT: u8 = 1;

/// How durable a commit is when it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// fsync before a commit returns (the default).
    #[default]
    Full,
    /// Write at commit, fsync at least every 100 ms in the background.
    Normal,
    /// Write at commit, never fsync (except for checkpoints).
    Off,
}

impl SyncMode {
    pub fn parse(s: &str) -> Option<SyncMode> {
        match s.to_ascii_lowercase().as_str() {
            "full" | "on" => Some(SyncMode::Full),
            "normal" => Some(SyncMode::Normal),
            "off" => Some(SyncMode::Off),
            _ => None,
        }
    }
}

/// The name of the segment that starts with `seq`.
pub fn segment_name(seq: u64) -> String {
    format!("wal-{seq:020}.log")
}

/// The first sequence number of a segment, from its name.
pub fn segment_seq(name: &str) -> Option<u64> {
    name.strip_prefix("wal-")?.strip_suffix(".log")?.parse().ok()
}

/// The bytes of a segment header.
pub fn segment_header(first_seq: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(SEGMENT_HEADER);
    h.extend_from_slice(SEGMENT_MAGIC);
    h.extend_from_slice(&WAL_VERSION.to_le_bytes());
    h.extend_from_slice(&first_seq.to_le_bytes());
    let crc = crc32c::crc32c(&h);
    h.extend_from_slice(&crc.to_le_bytes());
    h
}

/// Appends one frame.
pub fn put_frame(out: &mut Vec<u8>, seq: u64, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(FRAME_MAGIC);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    let crc = crc32c::crc32c_append(crc32c::crc32c(&out[start..start + 16]), payload);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
}

/// A frame parsed from a segment.
pub struct Frame<'a> {
    pub seq: u64,
    pub payload: &'a [u8],
    /// Offset of the frame in the segment.
    pub offset: usize,
    pub len: usize,
}

/// Parses the frame at `offset`, or `None` if there is no valid frame there.
pub fn parse_frame(buf: &[u8], offset: usize) -> Option<Frame<'_>> {
    let h = buf.get(offset..offset + FRAME_HEADER)?;
    if &h[0..4] != FRAME_MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(h[4..8].try_into().ok()?) as usize;
    let seq = u64::from_le_bytes(h[8..16].try_into().ok()?);
    let crc = u32::from_le_bytes(h[16..20].try_into().ok()?);
    let payload = buf.get(offset + FRAME_HEADER..(offset + FRAME_HEADER).checked_add(len)?)?;
    let actual = crc32c::crc32c_append(crc32c::crc32c(&h[0..16]), payload);
    (actual == crc).then_some(Frame { seq, payload, offset, len: FRAME_HEADER + len })
}

/// Checks a segment header; returns its first sequence number.
pub fn parse_segment_header(buf: &[u8]) -> Option<u64> {
    let h = buf.get(..SEGMENT_HEADER)?;
    if &h[0..8] != SEGMENT_MAGIC {
        return None;
    }
    let crc = u32::from_le_bytes(h[20..24].try_into().ok()?);
    if crc32c::crc32c(&h[..20]) != crc {
        return None;
    }
    let version = u32::from_le_bytes(h[8..12].try_into().ok()?);
    if version != WAL_VERSION {
        return None;
    }
    Some(u64::from_le_bytes(h[12..20].try_into().ok()?))
}

struct Inner {
    /// The open segment; taken by the leader while it does I/O.
    file: Option<Box<dyn VfsFile>>,
    segment_len: u64,
    next_seq: u64,
    /// Frames appended but not yet written.
    pending: Vec<u8>,
    pending_last: u64,
    written: u64,
    synced: u64,
    leader: bool,
    failed: Option<Error>,
    /// Bytes appended since the last checkpoint.
    since_checkpoint: u64,
}

/// The log writer.
pub struct Wal {
    vfs: Arc<dyn Vfs>,
    dir: PathBuf,
    mode: SyncMode,
    segment_size: u64,
    inner: Mutex<Inner>,
    done: Condvar,
}

impl Wal {
    /// Opens the log for appending after recovery: `file` is the open last segment (or
    /// `None` to start a new one), `next_seq` the next sequence number.
    pub fn new(
        vfs: Arc<dyn Vfs>,
        dir: PathBuf,
        mode: SyncMode,
        segment_size: u64,
        file: Option<(Box<dyn VfsFile>, u64)>,
        next_seq: u64,
    ) -> Result<Wal> {
        let (file, len) = match file {
            Some((f, len)) => (f, len),
            None => {
                let f = create_segment(vfs.as_ref(), &dir, next_seq)?;
                (f, SEGMENT_HEADER as u64)
            }
        };
        Ok(Wal {
            vfs,
            dir,
            mode,
            segment_size,
            inner: Mutex::new(Inner {
                file: Some(file),
                segment_len: len,
                next_seq,
                pending: Vec::new(),
                pending_last: next_seq - 1,
                written: next_seq - 1,
                synced: next_seq - 1,
                leader: false,
                failed: None,
                since_checkpoint: 0,
            }),
            done: Condvar::new(),
        })
    }

    pub fn mode(&self) -> SyncMode {
        self.mode
    }

    /// Appends a record; call with the commit lock held so that frames follow commit
    /// order. Returns its sequence number.
    pub fn append(&self, payload: &[u8]) -> Result<u64> {
        let mut g = self.inner.lock();
        if let Some(e) = &g.failed {
            return Err(e.clone());
        }
        let seq = g.next_seq;
        g.next_seq += 1;
        let before = g.pending.len();
        put_frame(&mut g.pending, seq, payload);
        g.since_checkpoint += (g.pending.len() - before) as u64;
        g.pending_last = seq;
        Ok(seq)
    }

    /// The sequence number of the last appended frame.
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().next_seq - 1
    }

    /// Bytes logged since the last checkpoint.
    pub fn since_checkpoint(&self) -> u64 {
        self.inner.lock().since_checkpoint
    }

    pub fn reset_since_checkpoint(&self, by: u64) {
        let mut g = self.inner.lock();
        g.since_checkpoint = g.since_checkpoint.saturating_sub(by);
    }

    /// Whether the log refuses writes after an I/O failure.
    pub fn failed(&self) -> Option<Error> {
        self.inner.lock().failed.clone()
    }

    /// Waits until frame `seq` is written to the operating system and, if `durable`,
    /// synced to stable storage. One caller at a time does the I/O for everyone.
    pub fn wait(&self, seq: u64, durable: bool) -> Result<()> {
        let mut g = self.inner.lock();
        loop {
            if let Some(e) = &g.failed {
                return Err(e.clone());
            }
            if (durable && g.synced >= seq) || (!durable && g.written >= seq) {
                return Ok(());
            }
            if g.leader {
                self.done.wait(&mut g);
                continue;
            }
            // Lead: write everything pending, sync once if anyone needs it.
            g.leader = true;
            let buf = std::mem::take(&mut g.pending);
            let last = g.pending_last;
            let mut file = g.file.take().expect("the leader owns the file");
            drop(g);
            let mut res = if buf.is_empty() { Ok(()) } else { file.append(&buf) };
            let sync = durable || self.mode == SyncMode::Full;
            if res.is_ok() && sync {
                res = file.sync();
            }
            g = self.inner.lock();
            g.file = Some(file);
            g.leader = false;
            match res {
                Ok(()) => {
                    g.segment_len += buf.len() as u64;
                    g.written = last;
                    if sync {
                        g.synced = last;
                    }
                    if g.segment_len >= self.segment_size && g.synced == g.written && g.pending.is_empty() {
                        if let Err(e) = self.rotate(&mut g) {
                            g.failed = Some(e);
                        }
                    }
                }
                Err(e) => {
                    tracing::error!("write-ahead log I/O failed, refusing further writes: {e}");
                    g.failed = Some(log_error(e));
                }
            }
            self.done.notify_all();
        }
    }

    /// Writes and syncs everything appended so far.
    pub fn sync_all(&self) -> Result<()> {
        let last = self.last_seq();
        self.wait(last, true)
    }

    fn rotate(&self, g: &mut Inner) -> Result<()> {
        let file = create_segment(self.vfs.as_ref(), &self.dir, g.next_seq)?;
        g.file = Some(file);
        g.segment_len = SEGMENT_HEADER as u64;
        Ok(())
    }

    /// Starts a new segment now (used by checkpoints, so that older segments can be
    /// deleted once covered). Returns the first sequence number of the new segment.
    pub fn switch_segment(&self) -> Result<u64> {
        self.sync_all()?;
        let mut g = self.inner.lock();
        while g.leader {
            self.done.wait(&mut g);
        }
        if g.segment_len > SEGMENT_HEADER as u64 && g.pending.is_empty() {
            self.rotate(&mut g)?;
        }
        Ok(g.next_seq)
    }
}

fn log_error(e: std::io::Error) -> Error {
    let err: Error = e.into();
    if err.code() == SqlState::DISK_FULL {
        return err.with_hint("Free disk space, then reopen the database.");
    }
    Error::new(SqlState::IO_ERROR, format!("could not write the write-ahead log: {}", err.message()))
        .with_hint("The database refuses writes until it is reopened.")
}

/// Creates a segment file with its header, durably.
pub fn create_segment(vfs: &dyn Vfs, dir: &Path, first_seq: u64) -> Result<Box<dyn VfsFile>> {
    let path = dir.join(segment_name(first_seq));
    let mut f = vfs.open(&path, true)?;
    f.truncate(0)?;
    f.append(&segment_header(first_seq))?;
    f.sync()?;
    vfs.sync_dir(dir)?;
    Ok(f)
}

//! Checkpoints: consistent snapshots of the whole database.
//!
//! A checkpoint is the catalog plus every row visible at one commit timestamp, written
//! as a stream of the same logical operations the log uses, cut into blocks of about
//! 1 MiB, each compressed with LZ4 and checksummed with CRC32C. It is written to a
//! temporary file, fsynced, renamed into place and the directory fsynced, so that a
//! checkpoint file either is complete or does not exist under its final name. The
//! header names the timestamp and the last log sequence number it covers; recovery
//! replays only the log after it. The layout is in `docs/file-format.md`.

use super::codec::{put_op, LogOp, Reader};
use super::vfs::Vfs;
use crate::error::{Error, Result, SqlState};
use std::path::{Path, PathBuf};

pub const CHECKPOINT_MAGIC: &[u8; 8] = b"CACHETCK";
pub const CHECKPOINT_VERSION: u32 = 1;
/// Header: magic, version, flags, timestamp, log sequence number, CRC.
pub const CHECKPOINT_HEADER: usize = 36;
/// Uncompressed size at which a block is cut.
const BLOCK: usize = 1 << 20;

/// The file name of the checkpoint covering the log up to `seq`.
pub fn checkpoint_name(seq: u64) -> String {
    format!("checkpoint-{seq:020}.ckpt")
}

pub fn checkpoint_seq(name: &str) -> Option<u64> {
    name.strip_prefix("checkpoint-")?.strip_suffix(".ckpt")?.parse().ok()
}

/// Streams operations into a checkpoint file.
pub struct CheckpointWriter<'v> {
    vfs: &'v dyn Vfs,
    dir: PathBuf,
    tmp: PathBuf,
    file: Box<dyn super::vfs::VfsFile>,
    block: Vec<u8>,
    ops: u64,
    seq: u64,
    header: Vec<u8>,
}

impl<'v> CheckpointWriter<'v> {
    pub fn create(vfs: &'v dyn Vfs, dir: &Path, ts: u64, seq: u64) -> Result<Self> {
        let tmp = dir.join("checkpoint.tmp");
        let mut file = vfs.open(&tmp, true)?;
        file.truncate(0)?;
        let mut header = Vec::with_capacity(CHECKPOINT_HEADER);
        header.extend_from_slice(CHECKPOINT_MAGIC);
        header.extend_from_slice(&CHECKPOINT_VERSION.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        header.extend_from_slice(&ts.to_le_bytes());
        header.extend_from_slice(&seq.to_le_bytes());
        let crc = crc32c::crc32c(&header);
        header.extend_from_slice(&crc.to_le_bytes());
        file.append(&header)?;
        Ok(CheckpointWriter {
            vfs,
            dir: dir.to_path_buf(),
            tmp,
            file,
            block: Vec::with_capacity(BLOCK + 4096),
            ops: 0,
            seq,
            header,
        })
    }

    pub fn op(&mut self, op: &LogOp) -> Result<()> {
        put_op(&mut self.block, op);
        self.ops += 1;
        if self.block.len() >= BLOCK {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        let compressed = lz4_flex::block::compress(&self.block);
        let mut frame = Vec::with_capacity(compressed.len() + 12);
        frame.extend_from_slice(&(self.block.len() as u32).to_le_bytes());
        frame.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        frame.extend_from_slice(&crc32c::crc32c(&compressed).to_le_bytes());
        frame.extend_from_slice(&compressed);
        self.file.append(&frame)?;
        self.block.clear();
        Ok(())
    }

    /// Writes the catalog and every row visible to `rv`.
    pub fn database(&mut self, catalog: &crate::catalog::Catalog, rv: &crate::storage::ReadView) -> Result<()> {
        self.op(&LogOp::Catalog(Box::new(super::codec::CatalogDefs::of(catalog))))?;
        let mut batch = Vec::with_capacity(1024);
        for table in catalog.tables() {
            let mut after = None;
            loop {
                batch.clear();
                let next = table.store.snapshot_batch(after.as_ref(), rv, 1024, &mut batch);
                for (key, row, expires) in batch.drain(..) {
                    self.op(&LogOp::Put { table: table.schema.id, key, expires, row: row.to_vec() })?;
                }
                match next {
                    Some(k) => after = Some(k),
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// Completes the file and moves it into place. Returns its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.flush_block()?;
        let mut trailer = Vec::with_capacity(24);
        trailer.extend_from_slice(&0u32.to_le_bytes());
        trailer.extend_from_slice(&0u32.to_le_bytes());
        trailer.extend_from_slice(&self.ops.to_le_bytes());
        let crc = crc32c::crc32c_append(crc32c::crc32c(&self.header), &self.ops.to_le_bytes());
        trailer.extend_from_slice(&crc.to_le_bytes());
        self.file.append(&trailer)?;
        self.file.sync()?;
        let path = self.dir.join(checkpoint_name(self.seq));
        self.vfs.rename(&self.tmp, &path)?;
        self.vfs.sync_dir(&self.dir)?;
        Ok(path)
    }
}

/// A checkpoint read back and verified.
pub struct Checkpoint {
    pub ts: u64,
    pub seq: u64,
    /// The decompressed blocks; operations never span blocks.
    pub blocks: Vec<Vec<u8>>,
}

fn bad(path: &Path, offset: usize, what: &str) -> Error {
    Error::new(
        SqlState::DATA_CORRUPTED,
        format!("checkpoint file \"{}\" is corrupt at offset {offset}: {what}", path.display()),
    )
}

/// Reads and verifies a whole checkpoint file.
pub fn read_checkpoint(vfs: &dyn Vfs, path: &Path) -> Result<Checkpoint> {
    let buf = vfs.open(path, false)?.read_all()?;
    let header = buf.get(..CHECKPOINT_HEADER).ok_or_else(|| bad(path, 0, "truncated header"))?;
    if &header[..8] != CHECKPOINT_MAGIC {
        return Err(bad(path, 0, "not a Cachet checkpoint"));
    }
    let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    if version != CHECKPOINT_VERSION {
        return Err(Error::new(
            SqlState::DATA_CORRUPTED,
            format!(
                "checkpoint file \"{}\" has format version {version}; this build reads version {CHECKPOINT_VERSION}",
                path.display()
            ),
        ));
    }
    let crc = u32::from_le_bytes(header[32..36].try_into().expect("4 bytes"));
    if crc32c::crc32c(&header[..32]) != crc {
        return Err(bad(path, 0, "header checksum mismatch"));
    }
    let ts = u64::from_le_bytes(header[16..24].try_into().expect("8 bytes"));
    let seq = u64::from_le_bytes(header[24..32].try_into().expect("8 bytes"));
    let mut pos = CHECKPOINT_HEADER;
    let mut blocks = Vec::new();
    loop {
        let h = buf.get(pos..pos + 12).ok_or_else(|| bad(path, pos, "truncated block header"))?;
        let raw = u32::from_le_bytes(h[0..4].try_into().expect("4 bytes")) as usize;
        let comp = u32::from_le_bytes(h[4..8].try_into().expect("4 bytes")) as usize;
        if raw == 0 && comp == 0 {
            // Trailer: operation count and a CRC over the header and count.
            let count = buf.get(pos + 8..pos + 16).ok_or_else(|| bad(path, pos, "truncated trailer"))?;
            let tcrc = buf.get(pos + 16..pos + 20).ok_or_else(|| bad(path, pos, "truncated trailer"))?;
            let expect = crc32c::crc32c_append(crc32c::crc32c(&header[..36]), count);
            if u32::from_le_bytes(tcrc.try_into().expect("4 bytes")) != expect {
                return Err(bad(path, pos, "trailer checksum mismatch"));
            }
            if pos + 20 != buf.len() {
                return Err(bad(path, pos + 20, "bytes after the trailer"));
            }
            break;
        }
        let crc = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
        let data = buf.get(pos + 12..pos + 12 + comp).ok_or_else(|| bad(path, pos, "truncated block"))?;
        if crc32c::crc32c(data) != crc {
            return Err(bad(path, pos, "block checksum mismatch"));
        }
        if raw > 64 << 20 {
            return Err(bad(path, pos, "implausible block size"));
        }
        let block =
            lz4_flex::block::decompress(data, raw).map_err(|e| bad(path, pos, &format!("decompression: {e}")))?;
        blocks.push(block);
        pos += 12 + comp;
    }
    Ok(Checkpoint { ts, seq, blocks })
}

impl Checkpoint {
    /// Calls `f` on every operation, in order.
    pub fn for_each_op(&self, mut f: impl FnMut(LogOp) -> Result<()>) -> Result<()> {
        for block in &self.blocks {
            let mut r = Reader::new(block);
            while !r.is_empty() {
                f(r.op()?)?;
            }
        }
        Ok(())
    }
}

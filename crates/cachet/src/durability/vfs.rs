//! The file backend: every byte Cachet writes to disk goes through [`Vfs`].
//!
//! The real backend ([`OsVfs`]) calls the operating system. The fault-injecting one
//! ([`FaultyVfs`]) wraps it for tests: it can fail (or tear) the Nth write, fail the
//! Nth sync, and "crash" — after which every operation fails, as if the process had
//! died at that moment, so a test can reopen the directory and check what survived.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// An open file.
pub trait VfsFile: Send + Sync {
    /// Appends bytes at the end of the file.
    fn append(&mut self, data: &[u8]) -> io::Result<()>;
    /// Reads the whole file.
    fn read_all(&mut self) -> io::Result<Vec<u8>>;
    /// Flushes data to stable storage.
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    fn len(&mut self) -> io::Result<u64>;
    fn is_empty(&mut self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }
}

/// A file system.
pub trait Vfs: Send + Sync {
    /// Opens a file for appending, creating it if asked.
    fn open(&self, path: &Path, create: bool) -> io::Result<Box<dyn VfsFile>>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// The file names in a directory.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Makes directory entries (creations, renames) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The operating system's file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsVfs;

struct OsFile {
    file: File,
}

impl VfsFile for OsFile {
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::End(0))?;
        self.file.write_all(data)
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.file.seek(SeekFrom::Start(0))?;
        self.file.read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)?;
        self.file.sync_all()
    }

    fn len(&mut self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

impl Vfs for OsVfs {
    fn open(&self, path: &Path, create: bool) -> io::Result<Box<dyn VfsFile>> {
        let file = OpenOptions::new().read(true).append(false).write(true).create(create).truncate(false).open(path)?;
        Ok(Box::new(OsFile { file }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir)? {
            out.push(e?.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        Ok(out)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// What the fault injector does when its counter runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The Nth write fails with an I/O error and writes nothing.
    FailWrite,
    /// The Nth write writes only its first half, then the process "crashes".
    TornWrite,
    /// The Nth sync fails (an fsyncgate-style error).
    FailSync,
    /// The process "crashes" right after the Nth sync: every later call fails.
    CrashAfterSync,
    /// The disk is full from the Nth write on.
    DiskFull,
}

/// A backend that injects one fault, for tests.
pub struct FaultyVfs {
    inner: Arc<dyn Vfs>,
    state: Arc<FaultState>,
}

struct FaultState {
    fault: Fault,
    /// Countdown to the fault, in writes or syncs depending on the fault.
    countdown: AtomicU64,
    crashed: AtomicBool,
    /// Set once a disk-full fault started: every later write fails too.
    full: AtomicBool,
    writes: AtomicU64,
    syncs: AtomicU64,
}

impl FaultState {
    fn dead() -> io::Error {
        io::Error::other("simulated crash: the process is gone")
    }

    fn check(&self) -> io::Result<()> {
        if self.crashed.load(Ordering::SeqCst) {
            return Err(Self::dead());
        }
        Ok(())
    }

    /// Counts one event; true when it is the one that must fail.
    fn tick(&self) -> bool {
        let prev = self.countdown.load(Ordering::SeqCst);
        if prev == 0 {
            return false;
        }
        self.countdown.fetch_sub(1, Ordering::SeqCst) == 1
    }
}

impl FaultyVfs {
    /// Injects `fault` at the `n`th write (or sync, for sync faults), counting from 1.
    pub fn new(inner: Arc<dyn Vfs>, fault: Fault, n: u64) -> Self {
        FaultyVfs {
            inner,
            state: Arc::new(FaultState {
                fault,
                countdown: AtomicU64::new(n),
                crashed: AtomicBool::new(false),
                full: AtomicBool::new(false),
                writes: AtomicU64::new(0),
                syncs: AtomicU64::new(0),
            }),
        }
    }

    /// Whether the simulated crash happened.
    pub fn crashed(&self) -> bool {
        self.state.crashed.load(Ordering::SeqCst)
    }

    /// Writes and syncs seen so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.state.writes.load(Ordering::SeqCst), self.state.syncs.load(Ordering::SeqCst))
    }
}

struct FaultyFile {
    inner: Box<dyn VfsFile>,
    state: Arc<FaultState>,
}

impl VfsFile for FaultyFile {
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        self.state.check()?;
        self.state.writes.fetch_add(1, Ordering::SeqCst);
        match self.state.fault {
            Fault::FailWrite if self.state.tick() => return Err(io::Error::other("injected write failure")),
            Fault::DiskFull if self.state.tick() || self.state.full.load(Ordering::SeqCst) => {
                self.state.full.store(true, Ordering::SeqCst);
                return Err(io::Error::from_raw_os_error(28));
            }
            Fault::TornWrite if self.state.tick() => {
                let half = data.len() / 2;
                let _ = self.inner.append(&data[..half]);
                let _ = self.inner.sync();
                self.state.crashed.store(true, Ordering::SeqCst);
                return Err(FaultState::dead());
            }
            _ => {}
        }
        self.inner.append(data)
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        self.state.check()?;
        self.inner.read_all()
    }

    fn sync(&mut self) -> io::Result<()> {
        self.state.check()?;
        self.state.syncs.fetch_add(1, Ordering::SeqCst);
        let sync_fault = matches!(self.state.fault, Fault::FailSync | Fault::CrashAfterSync);
        if sync_fault && self.state.tick() {
            if self.state.fault == Fault::FailSync {
                return Err(io::Error::other("injected fsync failure"));
            }
            self.inner.sync()?;
            self.state.crashed.store(true, Ordering::SeqCst);
            return Ok(());
        }
        self.inner.sync()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.state.check()?;
        self.inner.truncate(len)
    }

    fn len(&mut self) -> io::Result<u64> {
        self.state.check()?;
        self.inner.len()
    }
}

impl Vfs for FaultyVfs {
    fn open(&self, path: &Path, create: bool) -> io::Result<Box<dyn VfsFile>> {
        self.state.check()?;
        Ok(Box::new(FaultyFile { inner: self.inner.open(path, create)?, state: self.state.clone() }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.state.check()?;
        self.inner.rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.state.check()?;
        self.inner.remove(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.state.check()?;
        self.inner.list(dir)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.state.check()?;
        self.inner.create_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.state.check()?;
        self.state.syncs.fetch_add(1, Ordering::SeqCst);
        self.inner.sync_dir(dir)
    }
}

/// Joins a directory and a file name.
pub fn join(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

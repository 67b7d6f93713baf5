//! The engine shared by every session of one database.

use crate::catalog::Catalog;
use crate::durability::{Durability, DurabilityOptions};
use crate::error::{Error, Result};
use crate::storage::{IsolationLevel, TxnManager};
use arc_swap::ArcSwap;
use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Weak};
use std::time::Duration;

/// A source of the current time, in microseconds since the Unix epoch. Tests replace it
/// to make expiry deterministic.
pub trait Clock: Send + Sync {
    fn now_micros(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_micros(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock reading `micros` since the Unix epoch.
    pub fn new(micros: i64) -> Self {
        ManualClock(AtomicI64::new(micros))
    }

    pub fn set(&self, micros: i64) {
        self.0.store(micros, Ordering::SeqCst);
    }

    pub fn advance(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Counters about the engine's work.
#[derive(Debug, Default)]
pub struct EngineStats {
    /// SQL texts parsed.
    pub parses: AtomicU64,
    /// Statements bound and optimized.
    pub plans: AtomicU64,
    /// Statements executed.
    pub statements: AtomicU64,
}

/// The state shared by all sessions: catalog, transactions, clock and counters, and
/// for on-disk databases the durability machinery.
pub struct Engine {
    pub(crate) catalog: ArcSwap<Catalog>,
    pub(crate) txns: Arc<TxnManager>,
    /// Serializes DDL statements and the publication of catalog changes.
    pub(crate) ddl: Mutex<()>,
    catalog_versions: AtomicU64,
    pub stats: EngineStats,
    pub clock: Arc<dyn Clock>,
    pub(crate) durability: Option<Durability>,
    /// Dropping this stops the background worker.
    _stop: Mutex<Option<mpsc::Sender<()>>>,
}

impl Engine {
    /// An in-memory engine.
    pub fn new(clock: Arc<dyn Clock>) -> Arc<Engine> {
        Self::build(Catalog::default(), 1, None, clock)
    }

    fn build(catalog: Catalog, ts: u64, durability: Option<Durability>, clock: Arc<dyn Clock>) -> Arc<Engine> {
        let version = catalog.version;
        Arc::new(Engine {
            catalog: ArcSwap::from_pointee(catalog),
            txns: Arc::new(TxnManager::new(ts)),
            ddl: Mutex::new(()),
            catalog_versions: AtomicU64::new(version + 1),
            stats: EngineStats::default(),
            clock,
            durability,
            _stop: Mutex::new(None),
        })
    }

    /// Opens (or creates) an on-disk database, recovering its state, and starts its
    /// background worker (log flushing for the relaxed sync modes, and automatic
    /// checkpoints).
    pub fn open(dir: &Path, options: DurabilityOptions, clock: Arc<dyn Clock>) -> Result<Arc<Engine>> {
        let recovered = Durability::open(dir, options, clock.now_micros())?;
        let engine = Self::build(recovered.catalog, recovered.clock, Some(recovered.durability), clock);
        let (tx, rx) = mpsc::channel::<()>();
        *engine._stop.lock() = Some(tx);
        let weak = Arc::downgrade(&engine);
        std::thread::Builder::new()
            .name("cachet-background".into())
            .spawn(move || background(weak, rx))
            .map_err(|e| Error::io(format!("could not start the background worker: {e}")))?;
        Ok(engine)
    }

    /// The current published catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// The current time, microseconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        self.clock.now_micros()
    }

    /// A fresh, globally unique catalog version number.
    pub(crate) fn next_catalog_version(&self) -> u64 {
        self.catalog_versions.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn transactions(&self) -> &Arc<TxnManager> {
        &self.txns
    }

    /// The durability machinery, for on-disk databases.
    pub fn durability(&self) -> Option<&Durability> {
        self.durability.as_ref()
    }

    /// Writes a checkpoint now. Returns its path, or `None` for in-memory databases.
    pub fn checkpoint(&self) -> Result<Option<PathBuf>> {
        let Some(d) = &self.durability else { return Ok(None) };
        let path = d.checkpoint(
            &self.txns,
            || {
                // No schema change may be between its commit and its publication.
                let _ddl = self.ddl.lock();
                (self.catalog(), self.txns.begin(IsolationLevel::RepeatableRead))
            },
            self.now(),
        )?;
        Ok(Some(path))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // A clean shutdown leaves a checkpoint, so the next open replays nothing.
        if let Some(d) = &self.durability {
            if d.wal.failed().is_none() {
                if let Err(e) = self.checkpoint() {
                    tracing::warn!("checkpoint at shutdown failed: {e}");
                }
            }
        }
    }
}

/// The background worker of an on-disk database.
fn background(engine: Weak<Engine>, stop: mpsc::Receiver<()>) {
    loop {
        match stop.recv_timeout(Duration::from_millis(100)) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let Some(engine) = engine.upgrade() else { return };
        let Some(d) = engine.durability() else { return };
        if d.wal.failed().is_some() {
            continue;
        }
        if let Err(e) = d.background_flush() {
            tracing::error!("background log flush failed: {e}");
            continue;
        }
        if d.wants_checkpoint() {
            if let Err(e) = engine.checkpoint() {
                tracing::warn!("automatic checkpoint failed: {e}");
            }
        }
    }
}

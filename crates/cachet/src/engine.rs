//! The engine shared by every session of one database.

use crate::catalog::Catalog;
use crate::storage::TxnManager;
use arc_swap::ArcSwap;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

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
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0)
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

/// The state shared by all sessions: catalog, transactions, clock and counters.
pub struct Engine {
    pub(crate) catalog: ArcSwap<Catalog>,
    pub(crate) txns: Arc<TxnManager>,
    /// Serializes DDL statements and the publication of catalog changes.
    pub(crate) ddl: Mutex<()>,
    catalog_versions: AtomicU64,
    pub stats: EngineStats,
    pub clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(clock: Arc<dyn Clock>) -> Arc<Engine> {
        Arc::new(Engine {
            catalog: ArcSwap::from_pointee(Catalog::default()),
            txns: Arc::new(TxnManager::default()),
            ddl: Mutex::new(()),
            catalog_versions: AtomicU64::new(1),
            stats: EngineStats::default(),
            clock,
        })
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
}

//! Runs Cachet's own sqllogictest suites (`crates/cachet/tests/slt/*.slt`)
//! against a fresh Cachet database per file: in memory, and on disk with
//! fsync-on-commit durability.
//!
//! The expected results come from PostgreSQL 15 (see `scripts/slt_complete.py`
//! and `docs/testing.md`). Records where Cachet is known to differ are marked
//! `skipif postgresql` after a `# BUG:` comment, so this test stays green
//! while the bug is tracked; every other record must pass.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use cachet::SyncMode;
use cachet_slt::{CachetDb, Config, Runner};

fn suites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cachet/tests/slt")
}

fn run(factory: impl Fn() -> Result<CachetDb, String> + Sync) {
    let dir = suites_dir();
    let mut config = Config::new("postgresql");
    // Never hash: every expected result is written out.
    config.hash_threshold = 0;
    config.max_failures_per_file = usize::MAX;
    let runner = Runner::new(config, factory);
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    assert!(!summary.files.is_empty(), "no .slt files under {}", dir.display());
    assert!(summary.passed() > 0, "no record ran");
    assert!(summary.is_success(), "Cachet fails its own suites:\n{summary}");
}

#[test]
fn cachet_passes_its_own_suites_in_memory() {
    run(CachetDb::in_memory);
}

#[test]
fn cachet_passes_its_own_suites_on_disk() {
    run(|| CachetDb::on_disk(SyncMode::Full));
}

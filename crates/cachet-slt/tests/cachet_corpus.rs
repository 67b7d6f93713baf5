//! Runs SQLite's sqllogictest corpus against Cachet with the engine label
//! `postgresql`. Every record that is not skipped must pass, except the ones
//! listed, with reasons, in `cachet-expected-failures.txt` (behaviour that exists
//! only in SQLite, which PostgreSQL fails too).
//!
//! The corpus lives in `shared/sqllogictest` beside the repository; set
//! `CACHET_SLT_CORPUS` to use another directory. The test is skipped, with a
//! message, when the directory does not exist.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use cachet::SyncMode;
use cachet_slt::{CachetDb, Config, ExpectedFailures, Runner};

fn corpus_dir() -> PathBuf {
    match std::env::var_os("CACHET_SLT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sqllogictest"),
    }
}

#[test]
fn cachet_passes_the_corpus_in_memory() {
    run(CachetDb::in_memory);
}

/// The corpus on disk: every statement goes through the write-ahead log. Commits do
/// not wait for fsync here (the results do not depend on it, and thousands of
/// single-row INSERTs would take minutes with it).
#[test]
fn cachet_passes_the_corpus_on_disk() {
    run(|| CachetDb::on_disk(SyncMode::Off));
}

fn run(factory: impl Fn() -> Result<CachetDb, String> + Sync) {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("SKIPPED: sqllogictest corpus not found at {} (set CACHET_SLT_CORPUS)", dir.display());
        return;
    }
    let mut config = Config::new("postgresql");
    config.hash_threshold = 8;
    config.progress = true;
    config.expected_failures =
        ExpectedFailures::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cachet-expected-failures.txt"))
            .unwrap();
    config.max_failures_per_file = usize::MAX;
    let runner = Runner::new(config, factory);
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    if let Ok(path) = std::env::var("CACHET_SLT_WRITE_FAILURES") {
        let lines: Vec<String> =
            summary.failures().map(|f| format!("{}:{}  # {}", f.path, f.line, f.message.replace('\n', " "))).collect();
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }
    assert!(summary.files.len() >= 29, "too few files: {}", summary.files.len());
    assert!(summary.is_success(), "corpus failures against Cachet:\n{summary}");
}

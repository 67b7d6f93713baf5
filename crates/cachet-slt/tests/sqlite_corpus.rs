//! Runs SQLite's sqllogictest corpus against SQLite itself, with the engine
//! label `sqlite` and hash threshold 8 (as SQLite's runner does). SQLite
//! generated these results, so every record must pass: this proves the
//! runner's parsing, conditions, formatting, sorting and hashing.
//!
//! One record fails under SQLite itself (SQLite's own runner fails it too);
//! it is listed in `sqlite-expected-failures.txt`, which also exercises the
//! expected-failures machinery.
//!
//! The corpus lives in `shared/sqllogictest` beside the repository; set
//! `CACHET_SLT_CORPUS` to use another directory. The test is skipped, with a
//! message, when the directory does not exist.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use cachet_slt::{Config, ExpectedFailures, Runner};
use common::Sqlite;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("CACHET_SLT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sqllogictest"),
    }
}

#[test]
fn sqlite_passes_the_whole_corpus() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("SKIPPED: sqllogictest corpus not found at {} (set CACHET_SLT_CORPUS)", dir.display());
        return;
    }
    let mut config = Config::new("sqlite");
    config.hash_threshold = 8;
    config.progress = true;
    config.expected_failures =
        ExpectedFailures::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sqlite-expected-failures.txt"))
            .unwrap();
    let runner = Runner::new(config, Sqlite::open);
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    assert!(summary.files.len() >= 29, "too few files: {}", summary.files.len());
    assert!(summary.is_success(), "corpus failures against SQLite:\n{summary}");
    assert_eq!(summary.expected_failures(), 1);
    assert!(summary.unexpected_passes().is_empty());
    assert!(summary.stale_entries().is_empty());
    assert!(summary.passed() > 100_000, "too few records ran");
}

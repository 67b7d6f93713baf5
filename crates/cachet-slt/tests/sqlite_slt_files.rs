//! Runs the runner's own `.slt` files in `tests/slt/` against SQLite: they
//! use the features our files rely on (row-wise results, `query error`,
//! `statement count`, unsorted `rowsort` expectations, error regexes).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use cachet_slt::{Config, Runner};
use common::Sqlite;

#[test]
fn runner_feature_files_pass_on_sqlite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let runner = Runner::new(Config::new("sqlite"), Sqlite::open);
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    assert!(summary.is_success(), "{summary}");
    assert!(!summary.files.is_empty());
    let f = &summary.files[0];
    assert_eq!(f.path, "runner_features.slt");
    assert_eq!((f.failed, f.skipped), (0, 2));
    assert!(f.halted_at.is_some());
}

//! Running parsed scripts against a database, one file per thread.
//!
//! The life of a file: read it (lossily as UTF-8), parse it whole with
//! [`parse_script`], create a fresh database with the factory, then walk the
//! records in order. Conditions are checked first (a skipped `halt` does not
//! halt); `hash-threshold` sets the file's threshold; `halt` stops the file
//! and the remaining statements and queries count as skipped. Each
//! statement or query is executed and checked; a panic in the database is
//! caught and reported as that record's failure, and the file goes on.
//!
//! # Comparing query results
//!
//! The result is rendered valuewise by the type letters and sorted by the
//! sort mode ([`crate::format`]). Then, against the expected lines:
//!
//! 1. `N values hashing to <md5>` (a single line) is compared by count and
//!    MD5, whatever the threshold, as the corpus requires.
//! 2. Otherwise the lines are compared valuewise: one value per line, in the
//!    sorted order. If that fails and a sort mode is set, the expected
//!    lines are sorted the same way and compared again, so hand-written
//!    files need not list sorted results.
//! 3. If that fails too and the query has several columns, the lines are
//!    compared row-wise (sqllogictest-rs style): each actual row's values
//!    joined by single spaces, one row per line, trailing whitespace of the
//!    expected lines ignored; `rowsort` sorts both sides' lines,
//!    `valuesort` compares the sorted values from splitting lines at spaces.
//!
//! Row-wise matching can only accept a result whose rendered values are the
//! expected ones, so it never masks a wrong result; valuewise is the
//! canonical, unambiguous form (values may contain spaces).
//!
//! NB: the hash threshold therefore never makes a correct result fail: an
//! expected list of values is compared as values even above the threshold.
//! The threshold decides how an actual result is *shown* in a failure
//! report (its hash line is added when it is above the threshold).
//!
//! Labels (`label-N`) are not cross-checked: every record of the corpus
//! carries its own expected result, which is a stronger check.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::db::SltDatabase;
use crate::expected::ExpectedFailures;
use crate::format::{format_rows, hash_line, hash_values, sort_values};
use crate::parser::{parse_script, ColumnType, QueryExpect, Record, RecordKind, SortMode, StatementExpect};
use crate::report::{Failure, FileReport, Summary};

/// Hash threshold of SQLite's runner when a file sets none.
pub const DEFAULT_HASH_THRESHOLD: usize = 8;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Engine label matched by `skipif`/`onlyif` (case-insensitive);
    /// `postgresql` for Cachet.
    pub engine: String,
    /// Hash threshold for files without a `hash-threshold` line; 0 means
    /// never hash. See the module docs for its (display-only) role.
    pub hash_threshold: usize,
    /// Worker threads for directory runs; 0 means the available cores.
    pub threads: usize,
    /// Records known to fail.
    pub expected_failures: ExpectedFailures,
    /// How many failure details to keep per file (all are counted).
    pub max_failures_per_file: usize,
    /// Print each file's one-line report to stderr as it finishes.
    pub progress: bool,
}

impl Config {
    /// A configuration for `engine` with the defaults: threshold 8, all
    /// cores, no expected failures, 10 failure details per file, quiet.
    pub fn new(engine: impl Into<String>) -> Self {
        Config {
            engine: engine.into(),
            hash_threshold: DEFAULT_HASH_THRESHOLD,
            threads: 0,
            expected_failures: ExpectedFailures::new(),
            max_failures_per_file: 10,
            progress: false,
        }
    }
}

/// Runs sqllogictest files against databases made by a factory.
///
/// The factory is called once per file, on the thread that runs the file,
/// and must return a fresh, empty database.
pub struct Runner<F> {
    config: Config,
    factory: F,
}

impl<F, D> Runner<F>
where
    F: Fn() -> Result<D, String> + Sync,
    D: SltDatabase,
{
    /// A runner with a configuration and a database factory.
    pub fn new(config: Config, factory: F) -> Self {
        Runner { config, factory }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs a script given as text; `path` names it in reports and selects
    /// its expected failures.
    pub fn run_script(&self, path: &str, text: &str) -> FileReport {
        let start = Instant::now();
        let mut report = FileReport { path: path.to_string(), ..FileReport::default() };
        let records = parse_script(text);
        match catch_unwind(AssertUnwindSafe(|| (self.factory)())) {
            Ok(Ok(mut db)) => run_records(&self.config, &records, &mut db, &mut report),
            Ok(Err(e)) => report.error = Some(format!("cannot create database: {e}")),
            Err(panic) => report.error = Some(format!("database factory panicked: {}", panic_message(&*panic))),
        }
        report.elapsed = start.elapsed();
        report
    }

    /// Runs one file, reported under `name`.
    fn run_named_file(&self, path: &Path, name: String) -> FileReport {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                self.run_script(&name, &text)
            }
            Err(e) => FileReport { path: name, error: Some(format!("cannot read file: {e}")), ..FileReport::default() },
        }
    }

    /// Runs one file, reported under its path as given.
    pub fn run_file(&self, path: &Path) -> FileReport {
        self.run_named_file(path, path.to_string_lossy().into_owned())
    }

    /// Runs every `*.test` and `*.slt` file under `dir`, recursively, in
    /// parallel. Files are reported relative to `dir`, in path order.
    pub fn run_dir(&self, dir: &Path) -> io::Result<Summary> {
        let files = collect_files(dir)?;
        Ok(self.run_files(dir, &files))
    }

    /// Runs a directory (see [`Runner::run_dir`]) or a single file.
    pub fn run_path(&self, path: &Path) -> io::Result<Summary> {
        if path.is_dir() {
            self.run_dir(path)
        } else {
            let start = Instant::now();
            let report = self.run_file(path);
            if self.config.progress {
                eprintln!("{report}");
            }
            Ok(Summary { files: vec![report], elapsed: start.elapsed() })
        }
    }

    /// Runs `files` in parallel, naming each relative to `root` when it is
    /// under it. Reports come back in the order of `files`.
    pub fn run_files(&self, root: &Path, files: &[PathBuf]) -> Summary {
        let start = Instant::now();
        // Biggest files first, so that a large file does not start last and
        // leave the other threads idle.
        let mut order: Vec<(u64, usize)> =
            files.iter().enumerate().map(|(i, p)| (std::fs::metadata(p).map(|m| m.len()).unwrap_or(0), i)).collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let threads = match self.config.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .clamp(1, files.len().max(1));
        let next = AtomicUsize::new(0);
        let slots: Mutex<Vec<Option<FileReport>>> = Mutex::new(vec![None; files.len()]);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(_, i)) = order.get(k) else { break };
                    let path = &files[i];
                    let name = relative_name(root, path);
                    let report = self.run_named_file(path, name);
                    if self.config.progress {
                        eprintln!("{report}");
                    }
                    // NB: a poisoned lock only means another worker panicked
                    // outside catch_unwind; its slot stays empty.
                    let mut slots = slots.lock().unwrap_or_else(|p| p.into_inner());
                    slots[i] = Some(report);
                });
            }
        });
        let slots = slots.into_inner().unwrap_or_else(|p| p.into_inner());
        let files = slots
            .into_iter()
            .zip(files)
            .map(|(slot, path)| {
                slot.unwrap_or_else(|| FileReport {
                    path: relative_name(root, path),
                    error: Some("worker thread panicked".into()),
                    ..FileReport::default()
                })
            })
            .collect();
        Summary { files, elapsed: start.elapsed() }
    }
}

fn run_records<D: SltDatabase>(config: &Config, records: &[Record], db: &mut D, report: &mut FileReport) {
    let listed = config.expected_failures.for_file(&report.path);
    let mut seen = BTreeSet::new();
    let mut threshold = config.hash_threshold;
    for rec in records {
        if report.halted_at.is_some() || !rec.runs_on(&config.engine) {
            if rec.is_counted() {
                report.skipped += 1;
            }
            continue;
        }
        let outcome = match &rec.kind {
            RecordKind::HashThreshold(n) => {
                threshold = *n;
                continue;
            }
            RecordKind::Halt => {
                report.halted_at = Some(rec.line);
                continue;
            }
            RecordKind::Invalid(msg) => Err(Failed::new(format!("malformed record: {msg}"))),
            RecordKind::Statement { sql, expect } => check_statement(db, sql, expect),
            RecordKind::Query { sql, types, sort, expect, .. } => check_query(db, sql, types, *sort, expect, threshold),
        };
        let is_listed = listed.contains_key(&rec.line);
        if is_listed {
            seen.insert(rec.line);
        }
        match outcome {
            Ok(()) => {
                report.passed += 1;
                if is_listed {
                    report.unexpected_passes.push(rec.line);
                }
            }
            Err(_) if is_listed => report.expected_failures += 1,
            Err(failed) => {
                report.failed += 1;
                if report.failures.len() < config.max_failures_per_file {
                    report.failures.push(Failure {
                        path: report.path.clone(),
                        line: rec.line,
                        sql: rec.sql().unwrap_or("").to_string(),
                        message: failed.message,
                        expected: failed.expected,
                        actual: failed.actual,
                    });
                }
            }
        }
    }
    report.stale_entries = stale(&listed, &seen);
}

fn stale(listed: &BTreeMap<usize, String>, seen: &BTreeSet<usize>) -> Vec<usize> {
    listed.keys().filter(|l| !seen.contains(l)).copied().collect()
}

/// Every `*.test` and `*.slt` file under `dir`, recursively, sorted by path.
pub fn collect_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("test" | "slt")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `root` with `/` separators, or `path` as is.
fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

/// Why a record failed, before it is attached to a file and line.
struct Failed {
    message: String,
    expected: Vec<String>,
    actual: Vec<String>,
}

impl Failed {
    fn new(message: String) -> Self {
        Failed { message, expected: Vec::new(), actual: Vec::new() }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Calls the database, turning a panic into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(format!("database panicked: {}", panic_message(&*p))))
}

fn check_statement<D: SltDatabase>(db: &mut D, sql: &str, expect: &StatementExpect) -> Result<(), Failed> {
    let result = guarded(|| db.statement(sql));
    match (result, expect) {
        (Ok(_), StatementExpect::Ok) => Ok(()),
        (Ok(n), StatementExpect::Count(want)) if n == *want => Ok(()),
        (Ok(n), StatementExpect::Count(want)) => {
            Err(Failed::new(format!("statement affected {n} rows, expected {want}")))
        }
        (Ok(_), StatementExpect::Error(m)) => {
            Err(Failed::new(format!("statement succeeded, expected an error{}", describe_pattern(&m.source))))
        }
        (Err(e), StatementExpect::Ok | StatementExpect::Count(_)) => Err(Failed::new(format!("statement failed: {e}"))),
        (Err(e), StatementExpect::Error(m)) if m.matches(&e) => Ok(()),
        (Err(e), StatementExpect::Error(m)) => {
            Err(Failed::new(format!("statement error does not match /{}/: {e}", m.source)))
        }
    }
}

fn describe_pattern(source: &str) -> String {
    if source.is_empty() {
        String::new()
    } else {
        format!(" matching /{source}/")
    }
}

fn check_query<D: SltDatabase>(
    db: &mut D,
    sql: &str,
    types: &[ColumnType],
    sort: SortMode,
    expect: &QueryExpect,
    threshold: usize,
) -> Result<(), Failed> {
    let result = guarded(|| db.query(sql));
    if let QueryExpect::Error(m) = expect {
        return match result {
            Ok(rows) => Err(Failed::new(format!(
                "query returned {} rows, expected an error{}",
                rows.len(),
                describe_pattern(&m.source)
            ))),
            Err(e) if m.matches(&e) => Ok(()),
            Err(e) => Err(Failed::new(format!("query error does not match /{}/: {e}", m.source))),
        };
    }
    let rows = result.map_err(|e| Failed::new(format!("query failed: {e}")))?;
    if let Some(row) = rows.iter().find(|r| r.len() != types.len()) {
        return Err(Failed::new(format!("query returned {} columns, the type string has {}", row.len(), types.len())));
    }
    let values = format_rows(&rows, types, sort);
    match expect {
        QueryExpect::Hash { count, md5 } => {
            if values.len() == *count && hash_values(&values) == *md5 {
                return Ok(());
            }
            let mut actual = vec![hash_line(&values)];
            actual.extend(values.iter().cloned());
            Err(Failed {
                message: "result hash mismatch".into(),
                expected: vec![format!("{count} values hashing to {md5}")],
                actual,
            })
        }
        QueryExpect::Values(expected) => {
            if values_match(&values, expected, types.len(), sort) {
                return Ok(());
            }
            let ncols = types.len().max(1);
            let nrows = rows.len();
            let mut actual: Vec<String> = if ncols > 1 && expected.len() == nrows && nrows > 0 {
                values.chunks(ncols).map(|r| r.join(" ")).collect()
            } else {
                values.clone()
            };
            if threshold > 0 && values.len() > threshold {
                actual.insert(0, format!("({})", hash_line(&values)));
            }
            Err(Failed { message: "result mismatch".into(), expected: expected.clone(), actual })
        }
        QueryExpect::Error(_) => Ok(()),
    }
}

/// Steps 2 and 3 of the comparison in the module docs.
fn values_match(values: &[String], expected: &[String], ncols: usize, sort: SortMode) -> bool {
    if values == expected {
        return true;
    }
    if sort != SortMode::NoSort && values.len() == expected.len() {
        let mut sorted = expected.to_vec();
        sort_values(&mut sorted, ncols, sort);
        if values == sorted.as_slice() {
            return true;
        }
    }
    if ncols <= 1 || values.is_empty() {
        return false;
    }
    let lines: Vec<&str> = expected.iter().map(|l| l.trim_end()).collect();
    match sort {
        SortMode::ValueSort => {
            let mut split: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
            split.sort_unstable();
            split.len() == values.len() && split.iter().zip(values).all(|(a, b)| *a == b)
        }
        SortMode::NoSort | SortMode::RowSort => {
            if lines.len() * ncols != values.len() {
                return false;
            }
            let mut rows: Vec<String> = values.chunks(ncols).map(|r| r.join(" ")).collect();
            let mut lines = lines;
            if sort == SortMode::RowSort {
                rows.sort_unstable();
                lines.sort_unstable();
            }
            rows.iter().zip(&lines).all(|(a, b)| a == b)
        }
    }
}

/// Runs a script given as text against an existing database, without a
/// factory (threading settings are unused): handy for unit tests of an
/// adapter, or to run several scripts against one database in sequence.
pub fn run_script_on<D: SltDatabase>(config: &Config, db: &mut D, path: &str, text: &str) -> FileReport {
    let start = Instant::now();
    let mut report = FileReport { path: path.to_string(), ..FileReport::default() };
    run_records(config, &parse_script(text), db, &mut report);
    report.elapsed = start.elapsed();
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::db::Cell;
    use crate::expected::ExpectedFailure;

    /// Answers queries from a table of canned results; statements succeed
    /// unless their SQL starts with `FAIL` (error) or `PANIC` (panic).
    struct Mock;

    impl SltDatabase for Mock {
        fn statement(&mut self, sql: &str) -> Result<u64, String> {
            if sql.starts_with("FAIL") {
                Err("ERROR: relation \"x\" does not exist (SQLSTATE 42P01)".into())
            } else if sql.starts_with("PANIC") {
                panic!("mock panic")
            } else {
                Ok(2)
            }
        }

        fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
            match sql {
                "ONE" => Ok(vec![vec![Cell::Int(1)]]),
                "PAIRS" => {
                    Ok(vec![vec![Cell::Int(2), Cell::Text("b".into())], vec![Cell::Int(1), Cell::Text("a c".into())]])
                }
                "BOOLS" => Ok(vec![vec![Cell::Bool(true), Cell::Bool(false)]]),
                "WIDE" => Ok(vec![vec![Cell::Int(1), Cell::Int(2)]]),
                "PANIC" => panic!("mock query panic"),
                _ => Err("ERROR: division by zero (SQLSTATE 22012)".into()),
            }
        }
    }

    fn run(config: Config, text: &str) -> FileReport {
        Runner::new(config, || Ok(Mock)).run_script("dir/mock.slt", text)
    }

    #[test]
    fn counts_expected_failures_unexpected_passes_and_stale_entries() {
        let script = "\
statement ok
CREATE

statement ok
FAIL here

query I nosort
ONE
----
2

query I nosort
ONE
----
1

skipif postgresql
statement ok
FAIL skipped
";
        // Lines: FAIL here = 4, wrong query = 7, right query = 12.
        let mut config = Config::new("postgresql");
        for (line, reason) in [(4, "fails"), (12, "thought to fail"), (99, "gone")] {
            config.expected_failures.insert(ExpectedFailure { path: "mock.slt".into(), line, reason: reason.into() });
        }
        let r = run(config, script);
        assert_eq!((r.passed, r.failed, r.skipped, r.expected_failures), (2, 1, 1, 1));
        assert_eq!(r.unexpected_passes, vec![12]);
        assert_eq!(r.stale_entries, vec![99]);
        assert_eq!(r.failures.len(), 1);
        let f = &r.failures[0];
        assert_eq!((f.line, f.path.as_str()), (7, "dir/mock.slt"));
        assert_eq!(f.expected, ["2"]);
        assert_eq!(f.actual, ["1"]);
        assert!(!r.is_success());
        let shown = f.to_string();
        assert!(shown.starts_with("dir/mock.slt:7: result mismatch"), "{shown}");
        assert!(shown.contains("sql: ONE"), "{shown}");
    }

    #[test]
    fn statement_outcomes() {
        let r = run(
            Config::new("postgresql"),
            "statement error 42P01\nFAIL\n\n\
             statement error does not exist\nFAIL\n\n\
             statement error 42601\nFAIL\n\n\
             statement error\nCREATE\n\n\
             statement count 2\nDELETE\n\n\
             statement count 3\nDELETE\n",
        );
        assert_eq!((r.passed, r.failed), (3, 3));
        let lines: Vec<usize> = r.failures.iter().map(|f| f.line).collect();
        assert_eq!(lines, [7, 10, 16]);
        assert!(r.failures[0].message.contains("does not match /42601/"));
        assert!(r.failures[2].message.contains("affected 2 rows, expected 3"));
    }

    #[test]
    fn query_outcomes() {
        let r = run(
            Config::new("postgresql"),
            "query error 22012\nDIVIDE\n\n\
             query error\nONE\n\n\
             query IT rowsort\nPAIRS\n----\n1\na c\n2\nb\n\n\
             query IT nosort\nPAIRS\n----\n2 b\n1 a c\n\n\
             query IT rowsort\nPAIRS\n----\n2 b\n1 a c\n\n\
             query TI valuesort\nBOOLS\n----\nt 0\n\n\
             query I nosort\nWIDE\n----\n1\n\n\
             query I nosort\nDIVIDE\n----\n1\n",
        );
        // Passing: error 22012, rowsort values, row-wise nosort, row-wise
        // rowsort, valuesort row-wise (`t` and `0` are BOOLS as T and I).
        assert_eq!((r.passed, r.failed), (5, 3), "{:?}", r.failures);
        assert!(r.failures[0].message.contains("returned 1 rows, expected an error"));
        assert!(r.failures[1].message.contains("2 columns"));
        assert!(r.failures[2].message.contains("query failed: ERROR: division"));
    }

    #[test]
    fn panics_are_failures_and_the_file_goes_on() {
        let r = run(
            Config::new("postgresql"),
            "statement ok\nPANIC\n\nquery I nosort\nPANIC\n----\n1\n\nquery I nosort\nONE\n----\n1\n",
        );
        assert_eq!((r.passed, r.failed), (1, 2));
        assert!(r.failures[0].message.contains("mock panic"), "{:?}", r.failures);
    }

    #[test]
    fn halt_skips_the_rest_and_obeys_conditions() {
        let r = run(
            Config::new("postgresql"),
            "onlyif mssql\nhalt\n\nskipif postgresql\nhalt\n\n\
             query I nosort\nONE\n----\n1\n\nonlyif postgresql\nhalt\n\n\
             query I nosort\nONE\n----\n1\n\nstatement ok\nCREATE\n",
        );
        assert_eq!((r.passed, r.failed, r.skipped), (1, 0, 2));
        assert_eq!(r.halted_at, Some(13));
    }

    #[test]
    fn failure_details_are_capped_but_all_counted() {
        let mut config = Config::new("postgresql");
        config.max_failures_per_file = 2;
        let script = "statement ok\nFAIL\n\n".repeat(5);
        let r = run(config, &script);
        assert_eq!((r.failed, r.failures.len()), (5, 2));
    }

    #[test]
    fn factory_errors_fail_the_file() {
        let runner = Runner::new(Config::new("postgresql"), || Err::<Mock, _>("no memory".to_string()));
        let r = runner.run_script("x.slt", "statement ok\nCREATE\n");
        assert!(!r.is_success());
        assert!(r.error.unwrap().contains("no memory"));
    }

    #[test]
    fn directories_run_in_parallel_in_path_order() {
        let dir = std::env::temp_dir().join(format!("cachet-slt-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/c")).unwrap();
        let ok = "query I nosort\nONE\n----\n1\n";
        std::fs::write(dir.join("b/c/z.test"), ok).unwrap();
        std::fs::write(dir.join("b/a.slt"), ok).unwrap();
        std::fs::write(dir.join("a.test"), "statement ok\nFAIL\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a test").unwrap();
        let mut config = Config::new("postgresql");
        config.threads = 3;
        config.expected_failures = ExpectedFailures::parse("a.test:1 # fails\n").unwrap();
        let runner = Runner::new(config, || Ok(Mock));
        let summary = runner.run_dir(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let names: Vec<&str> = summary.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["a.test", "b/a.slt", "b/c/z.test"]);
        assert_eq!((summary.passed(), summary.failed(), summary.expected_failures()), (2, 0, 1));
        assert!(summary.is_success());
        let shown = summary.to_string();
        assert!(shown.ends_with("2 passed, 0 failed, 0 skipped"), "{shown}");
    }
}

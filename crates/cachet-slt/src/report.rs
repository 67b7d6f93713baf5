//! Results of a run: per-record failures, per-file reports and the summary.
//!
//! Counting rules: only statements and queries are counted (plus malformed
//! records, which fail). Each counted record is exactly one of *passed*,
//! *failed*, *skipped* (by `skipif`/`onlyif`, or because an earlier `halt`
//! stopped the file) or *expected failure* (failed, and listed in the
//! expected-failures list). A run succeeds when nothing failed unexpectedly
//! and every file could be read and given a database. Unexpected passes and
//! stale list entries are reported but do not fail the run.
//!
//! [`Summary`]'s `Display` prints failure details, one line per file, and
//! ends with the plain line `N passed, M failed, K skipped`.

use std::fmt;
use std::time::Duration;

/// How many characters of SQL a failure report shows.
const MAX_SQL_CHARS: usize = 2000;
/// How many result lines a failure report shows for each side.
const MAX_RESULT_LINES: usize = 24;

/// One failed record.
#[derive(Debug, Clone)]
pub struct Failure {
    /// File path as reported.
    pub path: String,
    /// Line of the record header.
    pub line: usize,
    /// The SQL of the record (empty for malformed records).
    pub sql: String,
    /// What went wrong, one line.
    pub message: String,
    /// Expected result lines, if the failure is a result mismatch.
    pub expected: Vec<String>,
    /// Actual result lines, if the failure is a result mismatch.
    pub actual: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:{}: {}", self.path, self.line, self.message)?;
        if !self.sql.is_empty() {
            let sql: String = self.sql.chars().take(MAX_SQL_CHARS).collect();
            let ellipsis = if sql.len() < self.sql.len() { " ..." } else { "" };
            writeln!(f, "  sql: {}{ellipsis}", sql.replace('\n', "\n       "))?;
        }
        if !self.expected.is_empty() || !self.actual.is_empty() {
            write_lines(f, "expected", &self.expected)?;
            write_lines(f, "actual", &self.actual)?;
        }
        Ok(())
    }
}

fn write_lines(f: &mut fmt::Formatter<'_>, what: &str, lines: &[String]) -> fmt::Result {
    writeln!(f, "  {what} ({} lines):", lines.len())?;
    for l in lines.iter().take(MAX_RESULT_LINES) {
        writeln!(f, "    {l}")?;
    }
    if lines.len() > MAX_RESULT_LINES {
        writeln!(f, "    ... {} more", lines.len() - MAX_RESULT_LINES)?;
    }
    Ok(())
}

/// The outcome of one file.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// Path as reported: relative to the run root for directory runs.
    pub path: String,
    /// Records that passed (including listed records that passed).
    pub passed: usize,
    /// Records that failed and are not listed as expected failures.
    pub failed: usize,
    /// Records skipped by conditions or after a `halt`.
    pub skipped: usize,
    /// Records that failed and are listed as expected failures.
    pub expected_failures: usize,
    /// Details of the first failures (see `Config::max_failures_per_file`).
    pub failures: Vec<Failure>,
    /// Lines of listed records that passed.
    pub unexpected_passes: Vec<usize>,
    /// Lines of list entries for this file that match no executed record.
    pub stale_entries: Vec<usize>,
    /// Line of the `halt` that stopped the file, if any.
    pub halted_at: Option<usize>,
    /// Set when the file could not be run at all (unreadable, or the
    /// database factory failed); the run then fails.
    pub error: Option<String>,
    /// Wall time spent on the file.
    pub elapsed: Duration,
}

impl FileReport {
    /// Whether the file ran and nothing failed unexpectedly.
    pub fn is_success(&self) -> bool {
        self.failed == 0 && self.error.is_none()
    }
}

impl fmt::Display for FileReport {
    /// One line: `path: N passed, M failed, K skipped[, ...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} passed, {} failed, {} skipped", self.path, self.passed, self.failed, self.skipped)?;
        if self.expected_failures > 0 {
            write!(f, ", {} expected failures", self.expected_failures)?;
        }
        if !self.unexpected_passes.is_empty() {
            write!(f, ", {} unexpected passes", self.unexpected_passes.len())?;
        }
        if let Some(line) = self.halted_at {
            write!(f, " (halted at line {line})")?;
        }
        if let Some(e) = &self.error {
            write!(f, " ERROR: {e}")?;
        }
        write!(f, " [{:.2}s]", self.elapsed.as_secs_f64())
    }
}

/// The outcome of a run over one or more files.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Per-file reports, in path order.
    pub files: Vec<FileReport>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Summary {
    /// Total passed records.
    pub fn passed(&self) -> usize {
        self.files.iter().map(|f| f.passed).sum()
    }

    /// Total unexpectedly failed records.
    pub fn failed(&self) -> usize {
        self.files.iter().map(|f| f.failed).sum()
    }

    /// Total skipped records.
    pub fn skipped(&self) -> usize {
        self.files.iter().map(|f| f.skipped).sum()
    }

    /// Total expected failures.
    pub fn expected_failures(&self) -> usize {
        self.files.iter().map(|f| f.expected_failures).sum()
    }

    /// Files that could not be run.
    pub fn file_errors(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.error.is_some())
    }

    /// Every recorded failure detail.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.files.iter().flat_map(|f| f.failures.iter())
    }

    /// `path:line` of every listed record that passed.
    pub fn unexpected_passes(&self) -> Vec<String> {
        self.files.iter().flat_map(|f| f.unexpected_passes.iter().map(move |l| format!("{}:{l}", f.path))).collect()
    }

    /// `path:line` of every list entry that matched no executed record.
    pub fn stale_entries(&self) -> Vec<String> {
        self.files.iter().flat_map(|f| f.stale_entries.iter().map(move |l| format!("{}:{l}", f.path))).collect()
    }

    /// Whether no record failed unexpectedly and every file ran.
    pub fn is_success(&self) -> bool {
        self.files.iter().all(FileReport::is_success)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for failure in self.failures() {
            writeln!(f, "FAILED {failure}")?;
        }
        for file in &self.files {
            writeln!(f, "{file}")?;
        }
        let unexpected = self.unexpected_passes();
        if !unexpected.is_empty() {
            writeln!(f, "listed as expected failures but passed (remove them from the list):")?;
            for p in &unexpected {
                writeln!(f, "  {p}")?;
            }
        }
        let stale = self.stale_entries();
        if !stale.is_empty() {
            writeln!(f, "expected-failure entries matching no executed record:")?;
            for p in &stale {
                writeln!(f, "  {p}")?;
            }
        }
        let errors = self.file_errors().count();
        writeln!(
            f,
            "{} files in {:.2}s; expected failures: {}; file errors: {errors}",
            self.files.len(),
            self.elapsed.as_secs_f64(),
            self.expected_failures()
        )?;
        write!(f, "{} passed, {} failed, {} skipped", self.passed(), self.failed(), self.skipped())
    }
}

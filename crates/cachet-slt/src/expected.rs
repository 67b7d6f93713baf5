//! Lists of records that are known to fail, with the reason.
//!
//! The file format is one record per line:
//!
//! ```text
//! # Comment lines and blank lines are ignored.
//! evidence/in1.test:123      # SQLite-only: IN () with an empty list
//! index/random/10/slt_good_0.test:4567  # DML on a view
//! ```
//!
//! The path is relative to the corpus root, with `/` separators, and the
//! number is the line of the record's header (`statement`/`query`, after any
//! `skipif`/`onlyif` lines). The reason after `#` is kept for reports.
//!
//! An entry applies to a file when the entry's path components are a suffix
//! of the file's path components. For a directory run the file's path is
//! relative to the directory, so the entry must name it exactly (or by a
//! shorter suffix); for a single-file run given as `/abs/corpus/evidence/in1.test`
//! the entry `evidence/in1.test` still applies.
//!
//! A listed record that fails counts as an *expected failure*; one that
//! passes counts as passed and is reported as an *unexpected pass* (the
//! entry is stale). Entries for run files that match no executed record
//! are reported as *stale* too.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// One entry of an expected-failures list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedFailure {
    /// Path relative to the corpus root, `/`-separated.
    pub path: String,
    /// Line of the record header.
    pub line: usize,
    /// The reason given after `#`, trimmed; may be empty.
    pub reason: String,
}

/// A parse error in an expected-failures file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedFailuresError {
    /// 1-based line number in the list.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExpectedFailuresError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ExpectedFailuresError {}

/// A set of expected failures, keyed by path.
#[derive(Debug, Clone, Default)]
pub struct ExpectedFailures {
    /// Path → (line → reason).
    by_path: BTreeMap<String, BTreeMap<usize, String>>,
}

impl ExpectedFailures {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a list (see the module docs for the format).
    pub fn parse(text: &str) -> Result<Self, ExpectedFailuresError> {
        let mut list = Self::new();
        for (i, raw) in text.lines().enumerate() {
            let (entry, reason) = raw.split_once('#').unwrap_or((raw, ""));
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let err = |message: String| ExpectedFailuresError { line: i + 1, message };
            let Some((path, line)) = entry.rsplit_once(':') else {
                return Err(err(format!("expected `path:line`, got `{entry}`")));
            };
            let line: usize = line.trim().parse().map_err(|_| err(format!("bad line number in `{entry}`")))?;
            let path = normalize(path.trim());
            if path.is_empty() {
                return Err(err(format!("empty path in `{entry}`")));
            }
            list.insert(ExpectedFailure { path, line, reason: reason.trim().to_string() });
        }
        Ok(list)
    }

    /// Reads and parses a list file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Adds an entry.
    pub fn insert(&mut self, entry: ExpectedFailure) {
        self.by_path.entry(normalize(&entry.path)).or_default().insert(entry.line, entry.reason);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_path.values().map(BTreeMap::len).sum()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// The entries that apply to a file, line → reason. `path` is the
    /// file's path as reported (relative to the run root, or as given).
    pub fn for_file(&self, path: &str) -> BTreeMap<usize, String> {
        let file = normalize(path);
        let mut out = BTreeMap::new();
        for (p, lines) in &self.by_path {
            if is_component_suffix(&file, p) {
                out.extend(lines.iter().map(|(l, r)| (*l, r.clone())));
            }
        }
        out
    }
}

/// `/`-separated path without `./` components.
fn normalize(path: &str) -> String {
    path.replace('\\', "/").split('/').filter(|c| !c.is_empty() && *c != ".").collect::<Vec<_>>().join("/")
}

/// Whether `suffix` equals `path` or ends it at a component boundary.
fn is_component_suffix(path: &str, suffix: &str) -> bool {
    path == suffix || (path.ends_with(suffix) && path[..path.len() - suffix.len()].ends_with('/'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_and_match() {
        let list = ExpectedFailures::parse(
            "# header\n\nevidence/in1.test:12  # empty IN list\n./evidence/in1.test:40\n\
             select1.test:7 # x\n",
        )
        .unwrap();
        assert_eq!(list.len(), 3);
        let m = list.for_file("evidence/in1.test");
        assert_eq!(m.len(), 2);
        assert_eq!(m[&12], "empty IN list");
        assert_eq!(m[&40], "");
        assert_eq!(list.for_file("/abs/corpus/evidence/in1.test").len(), 2);
        assert!(list.for_file("other/evidence_in1.test").is_empty());
        assert!(list.for_file("xevidence/in1.test").is_empty());
        assert_eq!(list.for_file("select1.test").len(), 1);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(ExpectedFailures::parse("no-line-number\n").unwrap_err().line, 1);
        assert!(ExpectedFailures::parse("\nfile.test:abc\n").is_err());
    }
}

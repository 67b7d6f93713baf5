//! Golden tests: `cachet` runs scripts and its output is compared with expected text.
//!
//! Each `tests/golden/*.txt` file holds cases separated by a line `====`. A case is an
//! input script, a line `----`, and the expected output:
//!
//! ```text
//! $ --mode csv          <- optional: command-line arguments (quotes group words)
//! SELECT 1 AS one;      <- the script, fed to cachet's stdin
//! ----
//! one                   <- stdout and stderr, merged in order
//! 1
//! [exit 1]              <- only when the exit status is not 0
//! ```
//!
//! Every case runs in a fresh process, in a fresh temporary directory holding a copy
//! of `tests/golden/data/`, with history disabled, once per storage configuration:
//! on an in-memory database, and on a new on-disk database (PATH `db`). Cases with
//! `$` arguments choose their own database and run once. The `.show` line that names
//! the database is the one line allowed to differ between the two.
//! Trailing whitespace and trailing blank lines are ignored, and timings (`Time: 0.123
//! ms`) are replaced by `Time: N ms`. Run with `UPDATE_GOLDEN=1` to rewrite the
//! expected output of every case from what cachet prints now; review the diff.

// Test helpers panic on failure by design; clippy.toml only exempts #[test] bodies.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CASE_SEPARATOR: &str = "====";
const OUTPUT_SEPARATOR: &str = "----";

struct Case {
    input: String,
    expected: String,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

fn parse_file(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut input = Vec::new();
    let mut expected = Vec::new();
    let mut in_output = false;
    let mut flush = |input: &mut Vec<&str>, expected: &mut Vec<&str>| {
        if !input.is_empty() || !expected.is_empty() {
            cases.push(Case { input: input.join("\n"), expected: expected.join("\n") });
        }
        input.clear();
        expected.clear();
    };
    for line in text.lines() {
        if line == CASE_SEPARATOR {
            flush(&mut input, &mut expected);
            in_output = false;
        } else if line == OUTPUT_SEPARATOR && !in_output {
            in_output = true;
        } else if in_output {
            expected.push(line);
        } else {
            input.push(line);
        }
    }
    flush(&mut input, &mut expected);
    cases
}

/// Splits `$ ...` arguments at whitespace; single or double quotes group.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    let Ok(entries) = fs::read_dir(from) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

fn normalize(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let l = l.trim_end();
            if l.starts_with(" database: ") {
                return " database: <db>".to_string();
            }
            match l.strip_prefix("Time: ").and_then(|r| r.strip_suffix(" ms")) {
                Some(n) if n.parse::<f64>().is_ok() => "Time: N ms".to_string(),
                _ => l.to_string(),
            }
        })
        .collect();
    lines.join("\n").trim_end_matches('\n').to_string()
}

/// The storage configurations a case without `$` arguments runs on.
#[derive(Clone, Copy, Debug)]
enum Storage {
    Memory,
    Disk,
}

fn run_case(case: &Case, storage: Storage) -> String {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    fs::create_dir_all(&work).unwrap();
    copy_dir(&golden_dir().join("data"), &work);
    let (args, script) = match case.input.strip_prefix("$ ") {
        Some(rest) => {
            let (first, script) = rest.split_once('\n').unwrap_or((rest, ""));
            (split_args(first), script.to_string())
        }
        None => {
            let args = match storage {
                Storage::Memory => Vec::new(),
                Storage::Disk => vec!["db".to_string()],
            };
            (args, case.input.clone())
        }
    };
    let out_path = dir.path().join("output");
    let out = fs::File::create(&out_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cachet"))
        .args(&args)
        .current_dir(&work)
        .env("CACHET_HISTORY", "")
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // The child may exit before reading everything (e.g. `.quit`).
        let _ = stdin.write_all(script.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let status = child.wait().unwrap();
    let mut output = fs::read_to_string(&out_path).unwrap();
    if !output.is_empty() && !output.ends_with('\n') {
        output.push('\n');
    }
    match status.code() {
        Some(0) => {}
        Some(code) => output.push_str(&format!("[exit {code}]\n")),
        None => output.push_str("[killed by a signal]\n"),
    }
    normalize(&output)
}

#[test]
fn golden() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0");
    let mut files: Vec<PathBuf> = fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden files in {}", golden_dir().display());
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let cases = parse_file(&text);
        let mut rewritten = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            count += 1;
            let actual = run_case(case, Storage::Memory);
            let mut runs = vec![(Storage::Memory, actual.clone())];
            if !case.input.starts_with("$ ") {
                runs.push((Storage::Disk, run_case(case, Storage::Disk)));
            }
            // When updating, the in-memory output becomes the expectation; the on-disk
            // run must still agree with it.
            let expected = if update { actual.clone() } else { normalize(&case.expected) };
            for (storage, output) in runs {
                if output != expected {
                    failures.push(format!(
                        "{} case {} on {storage:?} (input starts {:?}):\n--- expected\n{}\n--- actual\n{}\n",
                        file.file_name().unwrap().to_string_lossy(),
                        i + 1,
                        case.input.lines().next().unwrap_or(""),
                        expected,
                        output
                    ));
                }
            }
            rewritten.push(format!("{}\n{OUTPUT_SEPARATOR}\n{}\n", case.input, actual));
        }
        if update {
            fs::write(file, rewritten.join(&format!("{CASE_SEPARATOR}\n"))).unwrap();
        }
    }
    if update {
        eprintln!("rewrote {} golden files ({count} cases)", files.len());
    }
    assert!(failures.is_empty(), "{} of {count} golden cases failed:\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn golden_format() {
    let cases = parse_file("a\n----\nb\n====\n$ -m\nc\n----\n----\nd\n");
    assert_eq!(cases.len(), 2);
    assert_eq!((cases[0].input.as_str(), cases[0].expected.as_str()), ("a", "b"));
    assert_eq!((cases[1].input.as_str(), cases[1].expected.as_str()), ("$ -m\nc", "----\nd"));
    assert_eq!(split_args("-m 'SELECT 1' \"a b\" ''"), vec!["-m", "SELECT 1", "a b", ""]);
}

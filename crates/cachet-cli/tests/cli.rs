//! Command-line behaviour that golden files cannot pin down: messages that depend on
//! the engine's on-disk support, help text, the `shell` subcommand, and a large import.

// Test helpers panic on failure by design; clippy.toml only exempts #[test] bodies.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn cachet(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cachet"))
        .args(args)
        .current_dir(dir)
        .env("CACHET_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_database_that_cannot_be_opened_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain-file"), "not a directory").unwrap();
    // A directory inside a regular file can never be created.
    let out = cachet(dir.path(), &["plain-file/db", "SELECT 1"], "");
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.starts_with("Error: cannot open database \"plain-file/db\": "), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = cachet(dir.path(), &["--help"], "");
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in ["[PATH]", "[SQL]", "--memory", "--bail", "--mode", "--cmd", "--file", "shell", "Examples:"] {
        assert!(help.contains(needle), "help lacks {needle}:\n{help}");
    }
    let out = cachet(dir.path(), &["-version"], "");
    assert_eq!(text(&out.stdout).trim(), format!("cachet {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn shell_subcommand_and_script_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = cachet(dir.path(), &["shell", "-m", "--mode=csv", "SELECT 1 AS one"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "one\n1\n");

    std::fs::write(dir.path().join("s.sql"), "SELECT 2 AS two;\nSELECT nope;\n").unwrap();
    let out = cachet(dir.path(), &["--csv", "-f", "s.sql"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "two\n2\n");
    assert!(text(&out.stderr).starts_with("s.sql:2: ERROR:  column \"nope\" does not exist"), "{}", text(&out.stderr));
}

#[test]
fn large_import_uses_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,name,score\n");
    for i in 0..30_000 {
        csv.push_str(&format!("{i},\"name {i}, with comma\",{}.5\n", i % 100));
    }
    std::fs::write(dir.path().join("big.csv"), csv).unwrap();
    let script = ".import big.csv big\n.schema big\n.mode csv\nSELECT count(*), sum(id), max(name) FROM big;\n";
    let out = cachet(dir.path(), &[":memory:"], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Imported 30000 rows into \"big\" (created the table)."), "{stdout}");
    assert!(stdout.contains("    id bigint,\n    name text,\n    score double precision\n"), "{stdout}");
    assert!(stdout.contains("30000,449985000,\"name 9999, with comma\""), "{stdout}");
}

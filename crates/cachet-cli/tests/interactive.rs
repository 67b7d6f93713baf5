//! The interactive shell, driven through a pseudo-terminal as a person would use it.
//!
//! Each test starts `cachet` on a fresh pty with its own history file, types, and
//! waits for what the shell prints. Every wait is bounded by [`TIMEOUT_MS`], so a
//! broken shell fails the test instead of hanging it. Input is only sent once the
//! prompt is on screen: rustyline switches the terminal to raw mode before drawing the
//! prompt, and before that a Ctrl-C would be a signal rather than a key.
//!
//! Escape sequences are stripped from the output, but rustyline still redraws the
//! line being edited, so the tests look for text that only the *result* contains
//! (`(1 row)`, a table cell) rather than for what was typed.

// Test helpers panic on failure by design; clippy.toml only exempts #[test] bodies.
#![allow(clippy::unwrap_used)]

use rexpect::process::wait::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};
use std::path::Path;
use std::process::Command;

/// The longest wait for any expected output.
const TIMEOUT_MS: u64 = 10_000;

const PROMPT: &str = "cachet> ";
const CONTINUATION: &str = "   ...> ";

/// Starts the shell on an in-memory database with history in `dir`, and waits for the
/// first prompt.
fn start(dir: &Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachet"));
    cmd.env("CACHET_HISTORY", dir.join("history"))
        .env("HOME", dir)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    let options = Options { timeout_ms: Some(TIMEOUT_MS), strip_ansi_escape_codes: true };
    let mut p = spawn_with_options(cmd, options).expect("spawn cachet on a pty");
    p.exp_string("transient in-memory database").expect("banner says the database is in memory");
    p.exp_string(PROMPT).expect("first prompt");
    p
}

/// Sends a line and waits until its result or an error shows; returns which.
fn run(p: &mut PtySession, line: &str) -> String {
    p.send_line(line).unwrap();
    let (_, matched) = p.exp_regex(r"\(\d+ rows?\)|ERROR|CREATE TABLE|INSERT 0 \d+").unwrap();
    p.exp_string(PROMPT).unwrap();
    matched
}

/// Ends the shell with Ctrl-D on an empty line and checks that it exits cleanly.
fn quit(mut p: PtySession) {
    p.send_control('d').unwrap();
    p.exp_eof().expect("Ctrl-D exits");
    match p.process.wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0, "exit status after Ctrl-D"),
        other => panic!("unexpected end of the shell: {other:?}"),
    }
}

#[test]
fn query_and_ctrl_d_exits() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    p.send_line("SELECT 40 + 2 AS answer;").unwrap();
    p.exp_regex(r"\|\s+42 \|").expect("the result row");
    p.exp_string("(1 row)").unwrap();
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn multi_line_statement() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    p.send_line("SELECT").unwrap();
    p.exp_string(CONTINUATION).expect("continuation prompt");
    p.send_line("  'multi' || 'line; still in a string'").unwrap();
    p.exp_string(CONTINUATION).unwrap();
    p.send_line("  AS joined").unwrap();
    p.exp_string(CONTINUATION).unwrap();
    p.send_line(";").unwrap();
    p.exp_string("multiline; still in a string").expect("the joined value");
    p.exp_string("(1 row)").unwrap();
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn ctrl_c_clears_the_input_and_does_not_exit() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    // Ctrl-C in the middle of a line.
    p.send("SELECT 'abandoned").unwrap();
    p.flush().unwrap();
    p.send_control('c').unwrap();
    p.exp_string(PROMPT).expect("a fresh prompt after Ctrl-C");
    // Ctrl-C on a continuation line forgets the whole statement.
    p.send_line("SELECT").unwrap();
    p.exp_string(CONTINUATION).unwrap();
    p.send_control('c').unwrap();
    p.exp_string(PROMPT).expect("the primary prompt after Ctrl-C");
    assert_eq!(run(&mut p, "SELECT 'still here' AS status;"), "(1 row)", "the shell lives on with a clean buffer");
    quit(p);
}

#[test]
fn ctrl_c_during_a_statement_keeps_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    assert_eq!(run(&mut p, "CREATE TABLE a (x integer);"), "CREATE TABLE");
    assert_eq!(run(&mut p, "INSERT INTO a VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10);"), "INSERT 0 10");
    // Ten million rows: long enough to be running when Ctrl-C arrives on most
    // machines. If it finished first, Ctrl-C lands on the prompt, which is fine too.
    p.send_line("SELECT count(*) AS slow FROM a, a b, a c, a d, a e, a f, a g; SELECT 'skipped' AS s;").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_control('c').unwrap();
    let (_, what) = p.exp_regex(r"Interrupted|\(1 row\)").unwrap();
    if what == "Interrupted" {
        p.exp_string(PROMPT).unwrap();
    }
    assert_eq!(run(&mut p, "SELECT 'alive' AS status;"), "(1 row)");
    quit(p);
}

#[test]
fn tab_completes_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    assert_eq!(run(&mut p, "CREATE TABLE customers (id bigint PRIMARY KEY, full_name text);"), "CREATE TABLE");
    // A table name after FROM; the query fails unless "cust" became "customers".
    p.send("SELECT count(*) AS n FROM cust").unwrap();
    p.send("\t").unwrap();
    assert_eq!(run(&mut p, ";"), "(1 row)", "table name completed");
    // A column name, and a key word in the case it was typed.
    p.send("sel").unwrap();
    p.send("\t").unwrap();
    p.send(" full_").unwrap();
    p.send("\t").unwrap();
    assert_eq!(run(&mut p, " FROM customers;"), "(0 rows)", "key word and column name completed");
    quit(p);
}

#[test]
fn line_editing_and_persistent_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    // Left arrow twice, then insert: "SELECT 1;" becomes "SELECT 21;".
    p.send("SELECT 1;").unwrap();
    p.send("\x1b[D\x1b[D").unwrap();
    p.send("2").unwrap();
    p.send_line("").unwrap();
    p.exp_regex(r"\|\s+21 \|").expect("the edited statement ran");
    p.exp_string(PROMPT).unwrap();
    // Ctrl-A (start of line), then insert.
    p.send("13 AS edited;").unwrap();
    p.send_control('a').unwrap();
    assert_eq!(run(&mut p, "SELECT "), "(1 row)", "Ctrl-A moved to the start of the line");
    // A multi-line statement is one history entry.
    p.send_line("SELECT").unwrap();
    p.exp_string(CONTINUATION).unwrap();
    assert_eq!(run(&mut p, "'two lines' AS recalled;"), "(1 row)");
    // Up recalls it, and Enter runs it again.
    p.send("\x1b[A").unwrap();
    assert_eq!(run(&mut p, ""), "(1 row)", "Up recalled the last statement");
    quit(p);

    let history = std::fs::read_to_string(dir.path().join("history")).expect("history file written");
    assert!(history.contains("SELECT 21;"), "history: {history}");
    assert!(history.contains("SELECT 13 AS edited;"), "history: {history}");

    // A new shell finds the history: Ctrl-P (previous entry; Up would first move
    // within the recalled two-line entry) twice recalls the edited statement.
    let mut p = start(dir.path());
    p.send_control('p').unwrap();
    p.send_control('p').unwrap();
    p.send_line("").unwrap();
    p.exp_regex(r"\|\s+13 \|").expect("the statement from the previous session ran");
    p.exp_string(PROMPT).unwrap();
    quit(p);
}

#[test]
fn dot_commands_interactively() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    p.send_line(".mode csv").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("SELECT 'x,y' AS quoted;").unwrap();
    p.exp_string("\"x,y\"").expect("csv output");
    p.exp_string(PROMPT).unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().expect(".quit exits");
}

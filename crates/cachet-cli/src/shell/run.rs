//! `cachet [PATH] [SQL]...`: the shell's command line and its ways of running.
//!
//! 1. Open the database: in memory with no PATH, with `:memory:` or with `--memory`;
//!    otherwise the directory PATH.
//! 2. Run each `--cmd` command (settings, usually).
//! 3. Then exactly one of:
//!    - SQL arguments: run each one (it may hold several statements or a dot command)
//!      and exit, like `sqlite3 DB "SQL"` or `psql -c`;
//!    - `--file FILE`: run the script and exit;
//!    - a terminal on stdin (or `--interactive`): the interactive shell;
//!    - otherwise: run stdin as a script and exit.
//!
//! Scripts go on after an error, as sqlite3 and psql do, unless `--bail` (or
//! `.bail on`) stops them at the first one. The exit status is 0 when no error was
//! reported, 1 otherwise (an interactive session exits with 0 unless the database
//! could not be opened), and 2 for invalid arguments.

use super::editor::{history_path, new_editor};
use super::input::StatementBuffer;
use super::output::Mode;
use super::state::{Flow, Origin, Shell};
use cachet::session::TxnStatus;
use cachet::Database;
use clap::Args;
use rustyline::error::ReadlineError;
use std::cell::RefCell;
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

/// The PATH that means "in memory", as in sqlite3.
pub const MEMORY: &str = ":memory:";

/// Options of the shell.
#[derive(Args, Debug, Default)]
pub struct ShellArgs {
    /// Database directory; `:memory:` (or no PATH) for a transient in-memory database.
    #[arg(value_name = "PATH")]
    pub path: Option<String>,

    /// SQL statements or dot commands to run; the shell exits after running them.
    #[arg(value_name = "SQL")]
    pub sql: Vec<String>,

    /// Use a transient in-memory database; every positional argument is then SQL.
    #[arg(short, long)]
    pub memory: bool,

    /// Run the commands in FILE, then exit.
    #[arg(short, long, value_name = "FILE", conflicts_with = "sql")]
    pub file: Option<PathBuf>,

    /// Stop at the first error (scripts and SQL arguments go on by default).
    #[arg(long)]
    pub bail: bool,

    /// Run COMMAND before anything else (repeatable), e.g. --cmd ".mode csv".
    #[arg(long, value_name = "COMMAND")]
    pub cmd: Vec<String>,

    /// The output mode.
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Option<Mode>,

    /// Show column names (the default).
    #[arg(long, overrides_with = "no_header")]
    pub header: bool,

    /// Do not show column names.
    #[arg(long, overrides_with = "header")]
    pub no_header: bool,

    /// The text shown for NULL.
    #[arg(long, value_name = "TEXT")]
    pub nullvalue: Option<String>,

    /// Print each command before running it.
    #[arg(long)]
    pub echo: bool,

    /// No banner and no command tags (CREATE TABLE, INSERT 0 1, ...).
    #[arg(short, long)]
    pub quiet: bool,

    /// Run the interactive shell even when stdin is not a terminal.
    #[arg(short, long, conflicts_with = "batch")]
    pub interactive: bool,

    /// Read stdin as a script even when it is a terminal.
    #[arg(long)]
    pub batch: bool,
}

/// Rewrites sqlite3-style options (`-bail`, `-csv`, `-header`, ...) into this
/// command's (`--bail`, `--mode=csv`, `--header`, ...). Arguments after `--`, and
/// anything that is not one of these words, are left alone.
pub fn sqlite_style_args(args: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut rest = false;
    for a in args {
        if rest || a == "--" {
            rest = true;
            out.push(a);
            continue;
        }
        let word = a.strip_prefix("--").or_else(|| a.strip_prefix('-')).unwrap_or("");
        let mapped = match word {
            "table" | "box" | "csv" | "tsv" | "tabs" | "json" | "line" | "markdown" => {
                let m = if word == "tabs" { "tsv" } else { word };
                Some(format!("--mode={m}"))
            }
            "noheader" => Some("--no-header".to_string()),
            "headers" => Some("--header".to_string()),
            "bail" | "batch" | "cmd" | "echo" | "header" | "interactive" | "memory" | "mode" | "nullvalue"
            | "quiet" | "version" | "help" => Some(format!("--{word}")),
            _ => None,
        };
        out.push(mapped.unwrap_or(a));
    }
    out
}

/// Runs the shell; returns the process exit status.
pub fn run(mut args: ShellArgs) -> ExitCode {
    if args.memory {
        if let Some(p) = args.path.take() {
            args.sql.insert(0, p);
        }
    }
    let in_memory = args.memory || args.path.as_deref().is_none_or(|p| p == MEMORY);
    let (db, location) = if in_memory {
        match Database::open_in_memory() {
            Ok(db) => (db, "a transient in-memory database".to_string()),
            Err(e) => {
                eprintln!("Error: cannot create an in-memory database: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let path = args.path.clone().unwrap_or_default();
        match Database::open(&path) {
            Ok(db) => (db, format!("the database at \"{path}\"")),
            Err(e) => {
                eprintln!("Error: cannot open database \"{path}\": {}", e.message());
                return ExitCode::FAILURE;
            }
        }
    };

    let mut shell = Shell::new(db, location);
    if let Some(m) = args.mode {
        shell.format.mode = m;
    }
    shell.format.headers = !args.no_header;
    if let Some(n) = &args.nullvalue {
        shell.format.null = n.clone();
    }
    shell.bail = args.bail;
    shell.echo = args.echo;
    shell.quiet = args.quiet;
    let interactive =
        args.sql.is_empty() && args.file.is_none() && (args.interactive || (!args.batch && io::stdin().is_terminal()));
    shell.interactive = interactive;

    let arg_origin = Origin { name: None };
    for c in &args.cmd {
        if run_text(&mut shell, c, &arg_origin) != Flow::Continue {
            return status(&shell);
        }
    }
    if !args.sql.is_empty() {
        for sql in &args.sql {
            if run_text(&mut shell, sql, &arg_origin) != Flow::Continue {
                break;
            }
        }
        return status(&shell);
    }
    if let Some(file) = &args.file {
        let name = file.display().to_string();
        shell.read_file(&name, &arg_origin, 0);
        return status(&shell);
    }
    if interactive {
        run_interactive(&mut shell, in_memory);
        return ExitCode::SUCCESS;
    }
    let origin = Origin { name: Some("<stdin>".into()) };
    shell.run_script(&mut io::stdin().lock(), &origin);
    status(&shell)
}

fn status(shell: &Shell) -> ExitCode {
    if shell.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs a command-line argument: lines of SQL and dot commands.
fn run_text(shell: &mut Shell, text: &str, origin: &Origin) -> Flow {
    let mut buf = StatementBuffer::new();
    for (i, line) in text.lines().enumerate() {
        let flow = shell.handle_line(&mut buf, line, i + 1, origin);
        if flow != Flow::Continue {
            return flow;
        }
    }
    shell.finish_input(&mut buf, origin)
}

/// The prompt: `cachet> `, with `*` inside a transaction and `!` inside a failed one
/// (as psql marks them), and `   ...> ` while a statement continues.
fn prompt(shell: &Shell, buf: &StatementBuffer) -> &'static str {
    if !buf.is_empty() {
        return "   ...> ";
    }
    match shell.conn.with_session(|s| s.status()) {
        TxnStatus::Idle => "cachet> ",
        TxnStatus::InTransaction => "cachet*> ",
        TxnStatus::Failed => "cachet!> ",
    }
}

/// The interactive loop.
fn run_interactive(shell: &mut Shell, in_memory: bool) {
    if let Err(e) = shell.interrupt.install() {
        shell.report(&format!("Warning: Ctrl-C will end the shell while a statement runs: {e}\n"));
    }
    let pending = Rc::new(RefCell::new(String::new()));
    let mut editor = match new_editor(shell.conn.clone(), pending.clone()) {
        Ok(e) => e,
        Err(e) => {
            shell.report(&format!("Error: cannot start line editing: {e}\n"));
            return;
        }
    };
    let history = history_path();
    if let Some(h) = &history {
        // A missing file is the normal first run.
        let _ = editor.load_history(h);
    }
    if !shell.quiet {
        println!(
            "cachet {} (PostgreSQL dialect). Enter \".help\" for help, Ctrl-D to exit.",
            env!("CARGO_PKG_VERSION")
        );
        if in_memory {
            println!("Connected to a transient in-memory database: nothing is saved when you exit.");
        } else {
            println!("Connected to {}.", shell.location);
        }
    }
    let origin = Origin { name: None };
    let mut buf = StatementBuffer::new();
    // The lines of the statement being entered, for one history entry.
    let mut entry = String::new();
    let mut line_no = 0;
    loop {
        *pending.borrow_mut() = buf.pending().to_string();
        let input = match editor.readline(prompt(shell, &buf)) {
            Ok(input) => input,
            Err(ReadlineError::Interrupted) => {
                buf.clear();
                entry.clear();
                continue;
            }
            Err(ReadlineError::Eof) => {
                // Leave the terminal's next prompt on a line of its own.
                println!();
                break;
            }
            Err(e) => {
                shell.report(&format!("Error: cannot read input: {e}\n"));
                break;
            }
        };
        shell.interrupt.clear();
        if !entry.is_empty() {
            entry.push('\n');
        }
        entry.push_str(&input);
        let mut flow = Flow::Continue;
        // A pasted or recalled entry may hold several lines.
        for line in input.split('\n') {
            line_no += 1;
            flow = shell.handle_line(&mut buf, line.trim_end_matches('\r'), line_no, &origin);
            if flow != Flow::Continue {
                break;
            }
        }
        if buf.is_empty() || flow != Flow::Continue {
            if !entry.trim().is_empty() {
                let _ = editor.add_history_entry(entry.as_str());
                if let Some(h) = &history {
                    if let Err(e) = editor.append_history(h) {
                        shell.report(&format!("Warning: cannot save history to \"{}\": {e}\n", h.display()));
                    }
                }
            }
            entry.clear();
        }
        match flow {
            Flow::Quit => break,
            Flow::Stop => buf.clear(),
            Flow::Continue => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_style() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            sqlite_style_args(args(&["cachet", "-bail", "-csv", "-noheader", "x", "--", "-bail"])),
            args(&["cachet", "--bail", "--mode=csv", "--no-header", "x", "--", "-bail"])
        );
        assert_eq!(
            sqlite_style_args(args(&["cachet", "-m", "-q", "--json"])),
            args(&["cachet", "-m", "-q", "--mode=json"])
        );
    }
}

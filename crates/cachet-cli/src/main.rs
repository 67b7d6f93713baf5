//! The `cachet` command.
//!
//! `cachet [PATH] [SQL]...` opens the shell (see [`shell`]); other faces of Cachet are
//! subcommands. To add one (`serve`, `bench`, `slt`, `recover`, ...): write a module
//! with a clap `Args` struct and a `run(args) -> ExitCode` function, add a variant to
//! [`Command`] and an arm to the `match` in `main`. Subcommand names take precedence
//! over a database PATH, so a database directory named like a subcommand must be
//! given as `./NAME`.

mod recover;
mod shell;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Cachet: an embeddable SQL cache database with PostgreSQL semantics.
#[derive(Parser, Debug)]
#[command(
    name = "cachet",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  cachet                       interactive shell on an in-memory database\n  cachet mydb                  interactive shell on the database in directory mydb\n  cachet :memory: \"SELECT 1\"   run SQL and exit (also: cachet -m \"SELECT 1\")\n  cachet mydb < script.sql     run a script (goes on after errors unless --bail)\n\nsqlite3-style options are accepted too: -bail, -csv, -json, -box, -header, -noheader, ..."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    shell: shell::ShellArgs,
}

/// The subcommands. With none, `cachet` runs the shell.
#[derive(Subcommand, Debug)]
enum Command {
    /// The SQL shell (the default when no subcommand is given).
    Shell(shell::ShellArgs),
    /// Benchmarks Cachet side by side with SQLite (crate cachet-bench).
    Bench(cachet_bench::BenchArgs),
    // -- cachet serve (crate cachet-pg) --
    /// Serve the database over the PostgreSQL wire protocol.
    Serve(cachet_pg::cli::ServeArgs),
    // -- end cachet serve --
    // Future subcommands go here, each with its own module:
    //   Redis protocol server (a flag of `serve`)
    //   Slt(slt::SltArgs)           sqllogictest runner
    /// Salvage a damaged on-disk database: keep everything up to the damage.
    Recover(recover::RecoverArgs),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    // `bench` has options of its own (its --json is not the shell's -json).
    let args = if args.get(1).is_some_and(|a| a == "bench") { args } else { shell::sqlite_style_args(args) };
    let cli = Cli::parse_from(args);
    match cli.command {
        None => shell::run(cli.shell),
        Some(Command::Shell(args)) => shell::run(args),
        // Child processes of the benchmark run `cachet bench --child ...`.
        Some(Command::Bench(args)) => cachet_bench::main_with(args, &["bench"]),
        Some(Command::Recover(args)) => recover::run(args),
        Some(Command::Serve(args)) => cachet_pg::cli::run(args), // cachet serve (crate cachet-pg)
    }
}

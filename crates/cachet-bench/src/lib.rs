//! Cachet's benchmark harness: the same workloads on Cachet and on SQLite, in one run,
//! on identical data, with equal durability settings, reporting the ratio.
//!
//! Run it as `cargo run --release -p cachet-bench -- [OPTIONS]` or `cachet bench
//! [OPTIONS]`; `--quick` is a smoke test, `--json`, `--svg` and `--markdown` write the
//! results (see `docs/benchmarks.md` for the latest figures and how to read them).
//!
//! How a run works:
//!
//! 1. The parent process ([`cli`]) plans child jobs ([`job`]). It never opens a
//!    database itself, so every figure, peak memory above all, belongs to one engine.
//! 2. Each *suite* child opens one engine in one [`Config`] (in memory; on disk with
//!    full sync; on disk with normal sync), bulk-loads the tables (the bulk insert
//!    workload), runs the read workloads and then the write workloads ([`workloads`]).
//!    Recovery runs in two children: one loads and then closes cleanly or calls
//!    `abort()`, the next times reopening. Memory per row runs in its own child.
//! 3. Workloads are written once against the [`Backend`] trait, which Cachet
//!    ([`cachet_backend`]) and SQLite ([`sqlite_backend`]) implement with their
//!    ordinary public APIs: prepared statements, one connection per thread.
//! 4. Each timed workload checks first that both engines return the same results
//!    (a [`backend::Digest`] of the first operations), warms up, then runs for a fixed
//!    time recording every operation's latency ([`measure`]).
//! 5. The parent pairs the figures up ([`report`]): ratios greater than 1 mean Cachet
//!    is better; it prints a Markdown table and writes JSON and an SVG chart ([`svg`]).
//!
//! Speed is measured here and never asserted: the only test runs `--quick` and checks
//! that every workload reported.

pub mod backend;
pub mod cachet_backend;
pub mod cli;
pub mod data;
pub mod error;
pub mod job;
pub mod measure;
pub mod report;
pub mod sqlite_backend;
pub mod svg;
pub mod workloads;

pub use backend::{Backend, Config};
pub use cli::{run, BenchArgs};
pub use error::{Error, Result};
pub use job::SelfCommand;
pub use report::Report;
pub use workloads::{Sizes, Workload};

/// Runs the benchmark from a binary whose arguments after `prefix` (e.g. `["bench"]`
/// for `cachet bench`) are [`BenchArgs`].
pub fn main_with(args: BenchArgs, prefix: &[&str]) -> std::process::ExitCode {
    match SelfCommand::current(prefix) {
        Ok(me) => run(args, me),
        Err(e) => {
            eprintln!("cachet bench: cannot find this executable: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

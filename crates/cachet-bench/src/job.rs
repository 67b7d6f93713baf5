//! Child processes: every measurement runs in a fresh process.
//!
//! The parent never opens a database. It serializes a [`Job`] to JSON, runs its own
//! executable again with the hidden `--child JOB` option (after any prefix arguments,
//! e.g. `cachet bench`), and reads one line starting with [`RESULT_PREFIX`] from the
//! child's standard output. That way each engine's peak memory is its own, allocator
//! state left by one engine cannot slow the other, and recovery can be measured after
//! a real `abort()`. Progress lines go to standard error, which children inherit.

use crate::backend::{Backend, Config};
use crate::cachet_backend::CachetDb;
use crate::error::{Error, Result};
use crate::sqlite_backend::SqliteDb;
use crate::workloads::{self, EngineResult, Sizes, Workload};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Marks the result line on a child's standard output.
pub const RESULT_PREFIX: &str = "CACHET-BENCH-RESULT ";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Cachet,
    Sqlite,
}

impl Engine {
    pub const ALL: [Engine; 2] = [Engine::Cachet, Engine::Sqlite];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Cachet => CachetDb::NAME,
            Engine::Sqlite => SqliteDb::NAME,
        }
    }

    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == s)
    }
}

/// What a child process does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// Loads the data and runs the selected read and write workloads of one config.
    Suite { engine: Engine, config: Config, dir: Option<PathBuf>, sizes: Sizes, workloads: Vec<Workload> },
    /// Loads `t` on disk, then closes cleanly or aborts.
    Prepare { engine: Engine, dir: PathBuf, sizes: Sizes, crash: bool },
    /// Times reopening what `Prepare` left.
    Reopen { engine: Engine, dir: PathBuf, sizes: Sizes, workload: Workload },
    /// Measures resident memory per row.
    MemoryPerRow { engine: Engine, sizes: Sizes },
}

fn dispatch<B: Backend>(job: &Job) -> Result<Vec<EngineResult>> {
    match job {
        Job::Suite { config, dir, sizes, workloads, .. } => {
            workloads::run_suite::<B>(*config, dir.as_deref(), sizes, workloads)
        }
        Job::Prepare { dir, sizes, crash, .. } => workloads::prepare_recovery::<B>(dir, sizes, *crash).map(|()| vec![]),
        Job::Reopen { dir, sizes, workload, .. } => Ok(vec![workloads::reopen::<B>(dir, sizes, *workload)?]),
        Job::MemoryPerRow { sizes, .. } => Ok(vec![workloads::memory_per_row::<B>(sizes)?]),
    }
}

impl Job {
    fn engine(&self) -> Engine {
        match self {
            Job::Suite { engine, .. }
            | Job::Prepare { engine, .. }
            | Job::Reopen { engine, .. }
            | Job::MemoryPerRow { engine, .. } => *engine,
        }
    }

    /// Runs the job in this process (the child side).
    pub fn run_here(&self) -> Result<Vec<EngineResult>> {
        match self.engine() {
            Engine::Cachet => dispatch::<CachetDb>(self),
            Engine::Sqlite => dispatch::<SqliteDb>(self),
        }
    }
}

/// The child side of `--child JOB`: runs the job and prints its results.
pub fn child_main(job_json: &str) -> Result<()> {
    let job: Job = serde_json::from_str(job_json)?;
    let results = job.run_here()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{RESULT_PREFIX}{}", serde_json::to_string(&results)?)?;
    out.flush()?;
    Ok(())
}

/// How to run this program again: the executable and the arguments that lead to the
/// benchmark's options (none for `cachet-bench`, `bench` for `cachet bench`).
#[derive(Clone, Debug)]
pub struct SelfCommand {
    pub program: PathBuf,
    pub prefix: Vec<OsString>,
}

impl SelfCommand {
    /// The running executable, with the given prefix arguments.
    pub fn current(prefix: &[&str]) -> Result<SelfCommand> {
        Ok(SelfCommand { program: std::env::current_exe()?, prefix: prefix.iter().map(OsString::from).collect() })
    }

    /// Runs `job` in a child process and returns its results. A `Prepare` job that
    /// crashes on purpose is expected to die.
    pub fn run(&self, job: &Job) -> Result<Vec<EngineResult>> {
        let output = Command::new(&self.program)
            .args(&self.prefix)
            .arg("--child")
            .arg(serde_json::to_string(job)?)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Error::new(format!("cannot run {}: {e}", self.program.display())))?;
        if let Job::Prepare { crash: true, .. } = job {
            return Ok(vec![]);
        }
        if !output.status.success() {
            return Err(Error::new(format!("a benchmark child process failed ({})", output.status)));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let Some(line) = stdout.lines().find_map(|l| l.strip_prefix(RESULT_PREFIX)) else {
            return Err(Error::new("a benchmark child process printed no result"));
        };
        Ok(serde_json::from_str(line)?)
    }
}

/// Removes a database directory, ignoring one that is not there.
pub fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

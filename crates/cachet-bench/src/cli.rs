//! The command line (shared by `cachet-bench` and `cachet bench`) and the parent
//! process's plan: which child jobs run, in which order, and what is written at the end.

use crate::backend::Config;
use crate::error::{Error, Result};
use crate::job::{child_main, remove_dir, Engine, Job, SelfCommand};
use crate::report::{machine, Report};
use crate::workloads::{EngineResult, Kind, Sizes, Workload};
use std::path::PathBuf;
use std::process::ExitCode;

/// Benchmarks Cachet side by side with SQLite (same workloads, same data, equal
/// durability), and reports throughput, latency, peak memory and the Cachet/SQLite
/// ratio (greater than 1: Cachet is better).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct BenchArgs {
    /// Shrink every size about 100 times (a smoke test, not a measurement).
    #[arg(long)]
    pub quick: bool,
    /// Rows of the main table t (default 1000000).
    #[arg(long)]
    pub rows: Option<u64>,
    /// Rows of the join's other table d (default 100000).
    #[arg(long)]
    pub dim_rows: Option<u64>,
    /// Rows per range scan (default 100).
    #[arg(long)]
    pub range_len: Option<u64>,
    /// Seconds per timed workload (default 2).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Workloads to run, comma-separated (default: all). Names as in the report.
    #[arg(long, value_delimiter = ',')]
    pub workloads: Vec<String>,
    /// Configurations, comma-separated: memory, disk-full, disk-normal (default: all).
    #[arg(long, value_delimiter = ',')]
    pub configs: Vec<String>,
    /// Engines, comma-separated: cachet, sqlite (default: both; one is for profiling).
    #[arg(long, value_delimiter = ',')]
    pub engines: Vec<String>,
    /// Where on-disk databases are created (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a chart of the ratios as SVG to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the results table (Markdown) and machine description to this file.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Run nothing: print the table and write --svg/--markdown from a file written by --json.
    #[arg(long, value_name = "FILE")]
    pub render: Option<PathBuf>,
    /// Internal: run one job (JSON) and print its results.
    #[arg(long, hide = true, value_name = "JOB")]
    pub child: Option<String>,
}

fn parse_list<T: Copy>(items: &[String], all: &[T], parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>> {
    if items.is_empty() {
        return Ok(all.to_vec());
    }
    items.iter().map(|s| parse(s.trim()).ok_or_else(|| Error::new(format!("unknown {what} \"{s}\"")))).collect()
}

impl BenchArgs {
    /// The sizes: the defaults or `--quick`'s, with explicit options on top.
    pub fn sizes(&self) -> Sizes {
        let mut s = if self.quick { Sizes::quick() } else { Sizes::full() };
        if let Some(v) = self.rows {
            s.rows = v.max(1);
        }
        if let Some(v) = self.dim_rows {
            s.dim_rows = v.max(1);
        }
        if let Some(v) = self.range_len {
            s.range_len = v.max(1);
        }
        if let Some(v) = self.seconds {
            s.seconds = v.max(0.0);
        }
        s
    }
}

/// Runs the benchmark (or, with `--child`, one job of it); `me` says how to run this
/// program again for the child processes.
pub fn run(args: BenchArgs, me: SelfCommand) -> ExitCode {
    let result = match (&args.child, &args.render) {
        (Some(job), _) => child_main(job),
        (None, Some(json)) => render(&args, json),
        (None, None) => run_parent(&args, &me),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cachet bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_parent(args: &BenchArgs, me: &SelfCommand) -> Result<()> {
    let sizes = args.sizes();
    let workloads = parse_list(&args.workloads, &Workload::ALL, Workload::parse, "workload")?;
    let configs = parse_list(&args.configs, &Config::ALL, Config::parse, "configuration")?;
    let engines = parse_list(&args.engines, &Engine::ALL, Engine::parse, "engine")?;
    let tmp;
    let root = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            tmp = tempfile::Builder::new().prefix("cachet-bench-").tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let machine = machine(&root);
    eprintln!("cachet bench: {} rows, {} s per workload, databases in {}", sizes.rows, sizes.seconds, root.display());
    let mut results: Vec<EngineResult> = Vec::new();

    // Suites: one child per engine and configuration.
    for &config in &configs {
        let suite: Vec<Workload> = workloads
            .iter()
            .copied()
            .filter(|w| matches!(w.kind(), Kind::Read | Kind::Write) && w.configs().contains(&config))
            .collect();
        if suite.is_empty() {
            continue;
        }
        for &engine in &engines {
            let dir = config.on_disk().then(|| root.join(format!("{}-{}", engine.name(), config.label())));
            if let Some(d) = &dir {
                remove_dir(d)?;
                std::fs::create_dir_all(d)?;
            }
            let job = Job::Suite { engine, config, dir: dir.clone(), sizes: sizes.clone(), workloads: suite.clone() };
            results.extend(me.run(&job)?);
            if let Some(d) = &dir {
                remove_dir(d)?;
            }
        }
    }

    // Recovery: load (and close or abort) in one child, reopen in another.
    if configs.contains(&Config::DiskFull) {
        for (w, crash) in [(Workload::RecoveryCheckpoint, false), (Workload::RecoveryWal, true)] {
            if !workloads.contains(&w) {
                continue;
            }
            for &engine in &engines {
                let dir = root.join(format!("{}-{}", engine.name(), w.id()));
                remove_dir(&dir)?;
                std::fs::create_dir_all(&dir)?;
                me.run(&Job::Prepare { engine, dir: dir.clone(), sizes: sizes.clone(), crash })?;
                results.extend(me.run(&Job::Reopen { engine, dir: dir.clone(), sizes: sizes.clone(), workload: w })?);
                remove_dir(&dir)?;
            }
        }
    }

    if configs.contains(&Config::Memory) && workloads.contains(&Workload::MemoryPerRow) {
        for &engine in &engines {
            results.extend(me.run(&Job::MemoryPerRow { engine, sizes: sizes.clone() })?);
        }
    }

    output(args, &Report::new(command, machine, sizes, &results))
}

fn render(args: &BenchArgs, json: &std::path::Path) -> Result<()> {
    let report: Report = serde_json::from_str(&std::fs::read_to_string(json)?)?;
    output(args, &report)
}

/// Prints the table and writes the requested files; fails if the engines disagreed.
fn output(args: &BenchArgs, report: &Report) -> Result<()> {
    let table = report.table();
    println!("\n{}\n{table}", report.preamble());
    let differ: Vec<String> = report
        .results
        .iter()
        .filter(|c| c.results_match == Some(false))
        .map(|c| format!("{} ({})", c.workload.id(), c.config.label()))
        .collect();
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(report)?)?;
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, crate::svg::chart(report))?;
    }
    if let Some(path) = &args.markdown {
        std::fs::write(path, format!("{}\n{table}", report.preamble()))?;
    }
    if !differ.is_empty() {
        return Err(Error::new(format!("the engines returned different results for: {}", differ.join(", "))));
    }
    Ok(())
}

//! Putting the two engines' figures side by side: ratios, a text (Markdown) table, the
//! JSON file and a description of the machine.
//!
//! Every ratio is oriented so that **greater than 1 means Cachet is better**: Cachet's
//! throughput over SQLite's for the timed workloads and for recovery (opens per
//! second, i.e. SQLite's time over Cachet's), SQLite's bytes per row over Cachet's
//! for memory.

use crate::backend::{Config, Digest};
use crate::measure::Figures;
use crate::workloads::{EngineResult, Kind, Sizes, Workload};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// One engine's side of a comparison.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Side {
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_row: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<Digest>,
}

/// A workload in one configuration on both engines.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    pub workload: Workload,
    pub config: Config,
    pub description: String,
    /// What `ops_per_sec` counts.
    pub unit: String,
    pub cachet: Option<Side>,
    pub sqlite: Option<Side>,
    /// Greater than 1: Cachet is better.
    pub ratio: Option<f64>,
    /// The goal for the ratio, where the project set one.
    pub target: Option<f64>,
    /// Whether both engines returned the same results (reads, recovery, memory).
    pub results_match: Option<bool>,
}

/// The project's goals (not tests): Cachet/SQLite throughput ratios.
pub fn target(w: Workload) -> Option<f64> {
    match w {
        Workload::PointSelect => Some(3.0),
        Workload::RangeScan | Workload::GroupBy => Some(2.0),
        Workload::BulkInsert => Some(1.0),
        Workload::Commit16 => Some(3.0),
        _ => None,
    }
}

/// The machine the figures come from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gib: f64,
    pub os: String,
    pub kernel: String,
    pub disk: String,
    pub rustc: String,
    pub profile: String,
    pub sqlite: String,
    /// The load average (1, 5, 15 minutes) when the run started: other processes on
    /// the machine make the figures noisier.
    pub load_average: String,
}

/// A whole run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub command: String,
    pub machine: Machine,
    pub sizes: Sizes,
    pub results: Vec<Comparison>,
}

fn side(r: &EngineResult) -> Side {
    Side { figures: r.figures.clone(), bytes_per_row: r.bytes_per_row, detail: r.detail.clone(), check: r.check }
}

impl Report {
    /// Pairs up the engines' results.
    pub fn new(command: String, machine: Machine, sizes: Sizes, results: &[EngineResult]) -> Report {
        let mut keys: Vec<(Workload, Config)> = results.iter().map(|r| (r.workload, r.config)).collect();
        keys.sort_by_key(|&(w, c)| (Workload::ALL.iter().position(|&x| x == w), c));
        keys.dedup();
        let find = |w: Workload, c: Config, engine: &str| {
            results.iter().find(|r| r.workload == w && r.config == c && r.engine == engine).map(side)
        };
        let comparisons = keys
            .into_iter()
            .map(|(w, c)| {
                let (cachet, sqlite) = (find(w, c, "cachet"), find(w, c, "sqlite"));
                let ratio = match (&cachet, &sqlite) {
                    (Some(a), Some(b)) => match (a.bytes_per_row, b.bytes_per_row) {
                        (Some(x), Some(y)) if x > 0.0 => Some(y / x),
                        _ if b.figures.ops_per_sec > 0.0 => Some(a.figures.ops_per_sec / b.figures.ops_per_sec),
                        _ => None,
                    },
                    _ => None,
                };
                let results_match = match (&cachet, &sqlite) {
                    (Some(Side { check: Some(a), .. }), Some(Side { check: Some(b), .. })) => Some(a == b),
                    _ => None,
                };
                let unit = match w.kind() {
                    Kind::Memory => "bytes/row",
                    Kind::Recovery => "opens/s",
                    _ if w == Workload::BulkInsert => "rows/s",
                    _ => "ops/s",
                };
                Comparison {
                    workload: w,
                    config: c,
                    description: w.describe(&sizes),
                    unit: unit.to_string(),
                    cachet,
                    sqlite,
                    ratio,
                    target: target(w),
                    results_match,
                }
            })
            .collect();
        Report { command, machine, sizes, results: comparisons }
    }

    /// The results as a Markdown table (also readable in a terminal).
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "| workload | config | Cachet | SQLite | ratio | target | Cachet p50 / p99 / p99.9 (µs) | SQLite p50 / p99 / p99.9 (µs) | peak RSS Cachet / SQLite (MiB) |\n",
        );
        out.push_str("|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
        for c in &self.results {
            let value = |s: &Option<Side>| match s {
                Some(Side { bytes_per_row: Some(b), .. }) => format!("{b:.0} B/row"),
                Some(s) if c.workload.kind() == Kind::Recovery => format!("{:.0} ms", s.figures.seconds * 1e3),
                Some(s) => format!("{}/s", si(s.figures.ops_per_sec)),
                None => "-".into(),
            };
            let lat = |s: &Option<Side>| match s {
                Some(s) if c.workload.kind() == Kind::Read || c.workload.kind() == Kind::Write => {
                    format!("{} / {} / {}", us(s.figures.p50_us), us(s.figures.p99_us), us(s.figures.p999_us))
                }
                _ => "-".into(),
            };
            let mib =
                |s: &Option<Side>| s.as_ref().map_or("-".into(), |s| format!("{}", s.figures.peak_rss_bytes >> 20));
            let ratio = match c.ratio {
                Some(r) => {
                    let mark = if c.results_match == Some(false) { " (results differ!)" } else { "" };
                    format!("**{}**{mark}", ratio(r))
                }
                None => "-".into(),
            };
            let target = match (c.target, c.ratio) {
                (Some(t), Some(r)) => format!("{t:.0}x {}", if r >= t { "met" } else { "missed" }),
                (Some(t), None) => format!("{t:.0}x"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
                c.workload.id(),
                c.config.label(),
                value(&c.cachet),
                value(&c.sqlite),
                ratio,
                target,
                lat(&c.cachet),
                lat(&c.sqlite),
                mib(&c.cachet),
                mib(&c.sqlite),
            );
        }
        out
    }

    /// The machine, sizes and command, as Markdown.
    pub fn preamble(&self) -> String {
        let m = &self.machine;
        let s = &self.sizes;
        format!(
            "- Command: `{}`\n- CPU: {} ({} cores available), RAM {:.1} GiB; load average at the start: {}\n\
             - Disk (benchmark directory): {}\n\
             - OS: {} (kernel {})\n- Compiler: {}, `{}` profile; SQLite {} (rusqlite, bundled)\n\
             - Sizes: t = {} rows, d = {} rows, range = {} rows, {} s per timed workload \
             (+10% warm-up), at least {} operations, mixed workload on {} threads\n",
            self.command,
            m.cpu,
            m.cores,
            m.ram_gib,
            m.load_average,
            m.disk,
            m.os,
            m.kernel,
            m.rustc,
            m.profile,
            m.sqlite,
            s.rows,
            s.dim_rows,
            s.range_len,
            s.seconds,
            s.min_ops,
            s.mixed_threads
        )
    }
}

/// A ratio for people: `2.35x`, or `1/480x` when small.
pub fn ratio(r: f64) -> String {
    if r >= 0.095 || r <= 0.0 {
        format!("{r:.2}x")
    } else {
        format!("1/{:.0}x", 1.0 / r)
    }
}

/// A number with an SI suffix: 1.23M, 45.6k.
pub fn si(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn us(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn first_line_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':').or_else(|| l.split_once('='))?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Describes this machine (Linux; fields it cannot find say "unknown").
pub fn machine(bench_dir: &std::path::Path) -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = first_line_value(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into());
    let cpu = match first_line_value(&cpuinfo, "cpu MHz") {
        Some(mhz) => format!("{cpu} @ {mhz} MHz"),
        None => cpu,
    };
    let ram_kb: f64 = first_line_value(&read("/proc/meminfo"), "MemTotal")
        .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ram_gib: ram_kb / (1024.0 * 1024.0),
        os: first_line_value(&read("/etc/os-release"), "PRETTY_NAME").unwrap_or_else(|| std::env::consts::OS.into()),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        disk: disk(bench_dir),
        rustc: env!("CACHET_BENCH_RUSTC").to_string(),
        profile: if cfg!(debug_assertions) { "debug" } else { "release" }.to_string(),
        sqlite: rusqlite::version().to_string(),
        load_average: read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    }
}

/// The file system and block device that hold `dir`.
fn disk(dir: &std::path::Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let best = mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?, f.next()?, f.next()?))
        })
        .filter(|(_, mp, _)| dir.starts_with(mp))
        .max_by_key(|(_, mp, _)| mp.len());
    let Some((dev, mp, fs)) = best else { return "unknown".into() };
    let name = dev.rsplit('/').next().unwrap_or(dev);
    let queue = |p: String| std::fs::read_to_string(p).ok().map(|s| s.trim().to_string());
    let rotational = queue(format!("/sys/class/block/{name}/queue/rotational"))
        .or_else(|| queue(format!("/sys/class/block/{name}/../queue/rotational")));
    let kind = match rotational.as_deref() {
        Some("0") => "non-rotational",
        Some("1") => "reported rotational",
        _ => "type unknown",
    };
    format!("{dev} ({kind}), {fs} mounted at {mp}")
}

//! Measuring: timed loops with per-operation latencies, percentiles, and memory read
//! from `/proc/self/status`.
//!
//! A workload runs operations until its time budget is spent (and at least a minimum
//! number ran), timing each one with `Instant::now()` into a preallocated vector; the
//! percentiles are exact (nearest rank over the sorted samples). Peak memory is the
//! kernel's high-water mark of resident memory (`VmHWM`); writing `5` to
//! `/proc/self/clear_refs` resets it to the current resident size, so each workload of
//! a child process gets its own peak. Where `/proc` is missing the figures are 0.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Latency samples of one workload (all threads).
#[derive(Default, Debug)]
pub struct Samples {
    pub latencies_ns: Vec<u64>,
    /// Wall time from the start of the first operation to the end of the last.
    pub elapsed: Duration,
    /// Operations retried because the engine said the database was busy.
    pub retries: u64,
}

impl Samples {
    pub fn merge(&mut self, other: Samples) {
        self.latencies_ns.extend(other.latencies_ns);
        self.elapsed = self.elapsed.max(other.elapsed);
        self.retries += other.retries;
    }
}

/// When a timed loop stops.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub seconds: f64,
    pub min_ops: u64,
}

/// Runs `op(i)` for `i = start, start + 1, ...` until the budget is spent. `op` returns
/// the number of retries it needed.
pub fn timed(budget: Budget, start: u64, mut op: impl FnMut(u64) -> Result<u64>) -> Result<Samples> {
    let limit = Duration::from_secs_f64(budget.seconds.max(0.0));
    let mut s = Samples { latencies_ns: Vec::with_capacity(4096), ..Samples::default() };
    let t0 = Instant::now();
    let mut i = start;
    let mut last = t0;
    loop {
        let elapsed = last - t0;
        if elapsed >= limit && s.latencies_ns.len() as u64 >= budget.min_ops {
            s.elapsed = elapsed;
            return Ok(s);
        }
        s.retries += op(i)?;
        let now = Instant::now();
        s.latencies_ns.push((now - last).as_nanos() as u64);
        last = now;
        i += 1;
    }
}

/// Summary figures of a workload on one engine.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    pub ops: u64,
    pub seconds: f64,
    pub ops_per_sec: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    /// Peak resident memory of the process while the workload ran.
    pub peak_rss_bytes: u64,
    pub retries: u64,
}

impl Figures {
    /// Figures from samples, with `ops` operations (which may differ from the number
    /// of samples, e.g. rows of a bulk insert).
    pub fn from_samples(mut s: Samples, ops: Option<u64>) -> Figures {
        s.latencies_ns.sort_unstable();
        let ops = ops.unwrap_or(s.latencies_ns.len() as u64);
        let secs = s.elapsed.as_secs_f64();
        let pct = |q: f64| percentile(&s.latencies_ns, q) as f64 / 1000.0;
        Figures {
            ops,
            seconds: secs,
            ops_per_sec: if secs > 0.0 { ops as f64 / secs } else { 0.0 },
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            p999_us: pct(0.999),
            peak_rss_bytes: 0,
            retries: s.retries,
        }
    }

    /// Figures of one timed operation (recovery).
    pub fn single(elapsed: Duration) -> Figures {
        Figures::from_samples(Samples { latencies_ns: vec![elapsed.as_nanos() as u64], elapsed, retries: 0 }, Some(1))
    }
}

/// The nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Resident memory now and its high-water mark, in bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
}

pub fn memory() -> Memory {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return Memory::default() };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Memory { rss: field("VmRSS:"), peak: field("VmHWM:") }
}

/// Resets the peak resident memory to the current resident memory.
pub fn reset_peak() {
    // NB: failure only makes the next peak include earlier ones; not worth failing on.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 0.5), 500);
        assert_eq!(percentile(&v, 0.99), 990);
        assert_eq!(percentile(&v, 0.999), 999);
        assert_eq!(percentile(&[7], 0.999), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn timed_runs_at_least_min_ops() {
        let mut n = 0;
        let s = timed(Budget { seconds: 0.0, min_ops: 5 }, 10, |i| {
            assert_eq!(i, 10 + n);
            n += 1;
            Ok(0)
        })
        .unwrap();
        assert_eq!(s.latencies_ns.len(), 5);
    }
}

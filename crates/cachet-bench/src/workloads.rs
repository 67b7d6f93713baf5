//! The workloads, written once and run on any [`Backend`].
//!
//! A suite (one engine in one [`Config`], in one child process) creates the schema,
//! bulk-loads `t` (the bulk insert workload) and `d`, runs the read workloads, then the
//! write workloads, which change the data the reads would see. Recovery and memory per
//! row need processes of their own and have their own entry points
//! ([`prepare_recovery`], [`reopen`], [`memory_per_row`]).
//!
//! Every timed workload first runs [`CHECK_OPS`] operations whose results are summed
//! into a [`Digest`] (reads only; the parent compares the two engines' digests), then
//! warms up for a tenth of its budget, then is timed. Operation `i` always uses the
//! same parameters, derived from `i` by hashing, so both engines see the same sequence.

use crate::backend::{Backend, Config, Conn, Digest, OpenSpec, Param, Stmt};
use crate::data::{self, mix, TRows};
use crate::error::Result;
use crate::measure::{self, timed, Budget, Figures, Samples};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

/// A workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Workload {
    #[serde(rename = "point_select")]
    PointSelect,
    #[serde(rename = "secondary_lookup")]
    SecondaryLookup,
    #[serde(rename = "range_scan")]
    RangeScan,
    #[serde(rename = "full_scan_filter")]
    FullScanFilter,
    #[serde(rename = "group_by")]
    GroupBy,
    #[serde(rename = "join")]
    Join,
    #[serde(rename = "top_k")]
    TopK,
    #[serde(rename = "bulk_insert")]
    BulkInsert,
    #[serde(rename = "commit_1t")]
    Commit1,
    #[serde(rename = "commit_4t")]
    Commit4,
    #[serde(rename = "commit_16t")]
    Commit16,
    #[serde(rename = "update_pk")]
    UpdatePk,
    #[serde(rename = "mixed_90_10")]
    Mixed,
    #[serde(rename = "recovery_checkpoint")]
    RecoveryCheckpoint,
    #[serde(rename = "recovery_wal")]
    RecoveryWal,
    #[serde(rename = "memory_per_row")]
    MemoryPerRow,
}

/// What kind of figure a workload produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
    Recovery,
    Memory,
}

const READS: [Workload; 7] = [
    Workload::PointSelect,
    Workload::SecondaryLookup,
    Workload::RangeScan,
    Workload::FullScanFilter,
    Workload::GroupBy,
    Workload::Join,
    Workload::TopK,
];

impl Workload {
    pub const ALL: [Workload; 16] = [
        Workload::PointSelect,
        Workload::SecondaryLookup,
        Workload::RangeScan,
        Workload::FullScanFilter,
        Workload::GroupBy,
        Workload::Join,
        Workload::TopK,
        Workload::BulkInsert,
        Workload::Commit1,
        Workload::Commit4,
        Workload::Commit16,
        Workload::UpdatePk,
        Workload::Mixed,
        Workload::RecoveryCheckpoint,
        Workload::RecoveryWal,
        Workload::MemoryPerRow,
    ];

    /// The name used on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Workload::PointSelect => "point_select",
            Workload::SecondaryLookup => "secondary_lookup",
            Workload::RangeScan => "range_scan",
            Workload::FullScanFilter => "full_scan_filter",
            Workload::GroupBy => "group_by",
            Workload::Join => "join",
            Workload::TopK => "top_k",
            Workload::BulkInsert => "bulk_insert",
            Workload::Commit1 => "commit_1t",
            Workload::Commit4 => "commit_4t",
            Workload::Commit16 => "commit_16t",
            Workload::UpdatePk => "update_pk",
            Workload::Mixed => "mixed_90_10",
            Workload::RecoveryCheckpoint => "recovery_checkpoint",
            Workload::RecoveryWal => "recovery_wal",
            Workload::MemoryPerRow => "memory_per_row",
        }
    }

    pub fn parse(s: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.id() == s)
    }

    /// A one-line description, with the sizes.
    pub fn describe(self, s: &Sizes) -> String {
        match self {
            Workload::PointSelect => format!("point select by primary key, prepared, {} rows", s.rows),
            Workload::SecondaryLookup => "secondary index lookup (k = $1, one row)".into(),
            Workload::RangeScan => format!("primary key range scan of {} rows", s.range_len),
            Workload::FullScanFilter => "full scan with a filter (val < $1, ~0.1% of rows)".into(),
            Workload::GroupBy => format!("GROUP BY grp ({} groups): count(*), sum(k), sum(val)", data::GROUPS),
            Workload::Join => format!("join d ({}) x t ({}), one category of d, aggregated", s.dim_rows, s.rows),
            Workload::TopK => "ORDER BY val DESC LIMIT 10 over t".into(),
            Workload::BulkInsert => format!("bulk insert of {} rows in one transaction (rows/s)", s.rows),
            Workload::Commit1 => "single-row commits, 1 thread".into(),
            Workload::Commit4 => "single-row commits, 4 threads".into(),
            Workload::Commit16 => "single-row commits, 16 threads".into(),
            Workload::UpdatePk => "update by primary key, one row per commit".into(),
            Workload::Mixed => format!("90% point select / 10% update, {} threads", s.mixed_threads),
            Workload::RecoveryCheckpoint => format!("reopen {} rows from a checkpoint + first query", s.rows),
            Workload::RecoveryWal => format!("reopen {} rows from the log only (after abort) + first query", s.rows),
            Workload::MemoryPerRow => format!("resident memory per row of t, {} rows", s.rows),
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            w if READS.contains(&w) => Kind::Read,
            Workload::RecoveryCheckpoint | Workload::RecoveryWal => Kind::Recovery,
            Workload::MemoryPerRow => Kind::Memory,
            _ => Kind::Write,
        }
    }

    /// The configurations a workload runs in. Reads do not depend on the sync mode, so
    /// they run in memory and in one on-disk mode; recovery is about disk; memory per
    /// row about memory.
    pub fn configs(self) -> &'static [Config] {
        match self.kind() {
            Kind::Read => &[Config::Memory, Config::DiskFull],
            Kind::Write => &Config::ALL,
            Kind::Recovery => &[Config::DiskFull],
            Kind::Memory => &[Config::Memory],
        }
    }
}

/// Sizes and time budgets.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sizes {
    /// Rows of `t` (the bulk insert, point selects, recovery, memory per row).
    pub rows: u64,
    /// Rows of `d`, the other side of the join.
    pub dim_rows: u64,
    /// Rows per range scan.
    pub range_len: u64,
    /// Seconds each timed workload runs (plus a tenth of that to warm up).
    pub seconds: f64,
    /// Operations each timed workload runs at least.
    pub min_ops: u64,
    /// Threads of the mixed workload.
    pub mixed_threads: usize,
}

impl Sizes {
    pub fn full() -> Sizes {
        Sizes { rows: 1_000_000, dim_rows: 100_000, range_len: 100, seconds: 2.0, min_ops: 3, mixed_threads: 4 }
    }

    /// About 100 times smaller, for a smoke test.
    pub fn quick() -> Sizes {
        Sizes { rows: 10_000, dim_rows: 1_000, range_len: 100, seconds: 0.02, min_ops: 2, mixed_threads: 4 }
    }

    fn budget(&self) -> Budget {
        Budget { seconds: self.seconds, min_ops: self.min_ops }
    }

    fn warmup(&self) -> Budget {
        Budget { seconds: self.seconds / 10.0, min_ops: 1 }
    }
}

/// One workload's figures on one engine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EngineResult {
    pub workload: Workload,
    pub config: Config,
    pub engine: String,
    pub figures: Figures,
    /// A digest of the first results (reads), or of the data (recovery).
    pub check: Option<Digest>,
    /// Memory per row only.
    pub bytes_per_row: Option<f64>,
    /// Anything else worth reporting (file sizes before recovery).
    pub detail: Option<String>,
}

/// Operations whose results are digested before timing starts.
pub const CHECK_OPS: u64 = 3;

const POINT_SELECT: &str = "SELECT name, val FROM t WHERE id = $1";
const UPDATE_PK: &str = "UPDATE t SET val = val + 1 WHERE id = $1";
const INSERT_W: &str = "INSERT INTO w VALUES ($1, $2, $3)";
const PAYLOAD: &str = "a single-row durable commit of about sixty-four bytes of text...";

fn read_sql(w: Workload) -> &'static str {
    match w {
        Workload::PointSelect => POINT_SELECT,
        Workload::SecondaryLookup => "SELECT id, name, val FROM t WHERE k = $1",
        Workload::RangeScan => "SELECT id, name, val FROM t WHERE id >= $1 AND id < $2",
        Workload::FullScanFilter => "SELECT id, name FROM t WHERE val < $1",
        Workload::GroupBy => "SELECT grp, count(*), sum(k), sum(val) FROM t GROUP BY grp",
        Workload::Join => {
            "SELECT count(*), sum(t.k), max(t.val), min(d.label) FROM d JOIN t ON t.id = d.t_id WHERE d.cat = $1"
        }
        Workload::TopK => "SELECT id, name, val FROM t ORDER BY val DESC, id LIMIT 10",
        _ => "",
    }
}

/// The parameters of read operation `i`; returns how many there are.
fn read_params(w: Workload, i: u64, s: &Sizes, p: &mut [Param<'static>; 2]) -> usize {
    let h = mix(i ^ (w as u64) << 40);
    let rows = s.rows.max(1);
    match w {
        Workload::PointSelect => {
            p[0] = Param::Int((1 + h % rows) as i64);
            1
        }
        Workload::SecondaryLookup => {
            p[0] = Param::Int((h % rows) as i64);
            1
        }
        Workload::RangeScan => {
            let start = 1 + h % rows.saturating_sub(s.range_len).max(1);
            p[0] = Param::Int(start as i64);
            p[1] = Param::Int((start + s.range_len) as i64);
            2
        }
        Workload::FullScanFilter => {
            p[0] = Param::Float(5.0 + (h % 10) as f64);
            1
        }
        Workload::Join => {
            p[0] = Param::Int((h % data::CATEGORIES) as i64);
            1
        }
        _ => 0,
    }
}

/// Runs `f` until it succeeds or fails for a reason other than contention; returns
/// its value and the number of retries.
fn retry<T>(mut f: impl FnMut() -> Result<T>) -> Result<(T, u64)> {
    let mut retries = 0;
    loop {
        match f() {
            Ok(v) => return Ok((v, retries)),
            Err(e) if e.retryable && retries < 1_000_000 => retries += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Inserts rows 1..=rows of `t` in one transaction; one sample per row, the commit
/// counted in the elapsed time.
fn bulk_insert<B: Backend>(conn: &B::Conn, rows: u64) -> Result<Samples> {
    let mut gen = TRows::new(rows);
    let mut s = Samples { latencies_ns: Vec::with_capacity(rows as usize), ..Samples::default() };
    let t0 = Instant::now();
    conn.batch("BEGIN")?;
    {
        let mut stmt = conn.prepare(&B::sql(data::INSERT_T))?;
        let mut last = Instant::now();
        for id in 1..=rows {
            let r = gen.row(id);
            stmt.execute(&[
                Param::Int(r.id),
                Param::Int(r.k),
                Param::Int(r.grp),
                Param::Float(r.val),
                Param::Text(&gen.name),
            ])?;
            let now = Instant::now();
            s.latencies_ns.push((now - last).as_nanos() as u64);
            last = now;
        }
    }
    conn.batch("COMMIT")?;
    s.elapsed = t0.elapsed();
    Ok(s)
}

fn load_d<B: Backend>(conn: &B::Conn, s: &Sizes) -> Result<()> {
    conn.batch("BEGIN")?;
    {
        let mut stmt = conn.prepare(&B::sql(data::INSERT_D))?;
        let mut label = String::new();
        for id in 1..=s.dim_rows {
            let (id, t_id, cat) = data::d_row(id, s.rows, &mut label);
            stmt.execute(&[Param::Int(id), Param::Int(t_id), Param::Int(cat), Param::Text(&label)])?;
        }
    }
    conn.batch("COMMIT")
}

fn run_read<B: Backend>(conn: &B::Conn, w: Workload, s: &Sizes) -> Result<(Figures, Digest)> {
    let mut stmt = conn.prepare(&B::sql(read_sql(w)))?;
    let mut p = [Param::Int(0); 2];
    let mut check = Digest::default();
    for i in 0..CHECK_OPS {
        let n = read_params(w, i, s, &mut p);
        check.merge(stmt.query(&p[..n])?);
    }
    let mut op = |i: u64| -> Result<u64> {
        let n = read_params(w, i, s, &mut p);
        let (d, retries) = retry(|| stmt.query(&p[..n]))?;
        std::hint::black_box(d);
        Ok(retries)
    };
    let warm = timed(s.warmup(), CHECK_OPS, &mut op)?;
    let samples = timed(s.budget(), CHECK_OPS + warm.latencies_ns.len() as u64, &mut op)?;
    Ok((Figures::from_samples(samples, None), check))
}

/// Lets threads start their timed loops together; a thread that fails before it is
/// ready still arrives (when its [`Ticket`] drops), so the others never wait forever.
struct StartGate {
    waiting: Mutex<usize>,
    cv: Condvar,
}

impl StartGate {
    fn arrive(&self) {
        let mut n = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.cv.notify_all();
        }
        while *n > 0 {
            n = self.cv.wait(n).unwrap_or_else(|e| e.into_inner());
        }
    }
}

pub struct Ticket<'g> {
    gate: &'g StartGate,
    used: Cell<bool>,
}

impl Ticket<'_> {
    /// Waits until every thread is ready.
    fn wait(&self) {
        if !self.used.replace(true) {
            self.gate.arrive();
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.wait();
    }
}

/// Runs `body(thread, conn, ticket)` on `threads` threads, each with its own
/// connection; `body` prepares, warms up, calls `ticket.wait()`, and runs its timed
/// loop.
fn threaded<B, F>(db: &B, threads: usize, body: F) -> Result<Samples>
where
    B: Backend,
    F: Fn(usize, &B::Conn, &Ticket) -> Result<Samples> + Sync,
{
    let gate = StartGate { waiting: Mutex::new(threads), cv: Condvar::new() };
    let results: Vec<Result<Samples>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (gate, body) = (&gate, &body);
                scope.spawn(move || {
                    let ticket = Ticket { gate, used: Cell::new(false) };
                    let conn = db.connect()?;
                    body(t, &conn, &ticket)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(crate::error::Error::new("a benchmark thread panicked"))))
            .collect()
    });
    let mut all = Samples::default();
    for r in results {
        all.merge(r?);
    }
    Ok(all)
}

fn commits<B: Backend>(db: &B, threads: usize, base: i64, s: &Sizes) -> Result<Samples> {
    threaded(db, threads, |t, conn, ticket| {
        let mut stmt = conn.prepare(&B::sql(INSERT_W))?;
        let id0 = base + ((t as i64) << 32);
        let mut op = |i: u64| -> Result<u64> {
            let params = [Param::Int(id0 + i as i64), Param::Int(t as i64), Param::Text(PAYLOAD)];
            Ok(retry(|| stmt.execute(&params))?.1)
        };
        let warm = timed(s.warmup(), 0, &mut op)?;
        ticket.wait();
        timed(s.budget(), warm.latencies_ns.len() as u64, &mut op)
    })
}

fn mixed<B: Backend>(db: &B, s: &Sizes) -> Result<Samples> {
    threaded(db, s.mixed_threads, |t, conn, ticket| {
        let mut select = conn.prepare(&B::sql(POINT_SELECT))?;
        let mut update = conn.prepare(&B::sql(UPDATE_PK))?;
        let seed = 0x006d_6978_6564 ^ ((t as u64) << 48);
        let rows = s.rows.max(1);
        let mut op = |i: u64| -> Result<u64> {
            let h = mix(seed ^ i);
            let id = [Param::Int((1 + (h >> 8) % rows) as i64)];
            // One operation in ten writes.
            Ok(match h % 10 {
                0 => retry(|| update.execute(&id))?.1,
                _ => retry(|| select.query(&id))?.1,
            })
        };
        let warm = timed(s.warmup(), 0, &mut op)?;
        ticket.wait();
        timed(s.budget(), warm.latencies_ns.len() as u64, &mut op)
    })
}

fn update_pk<B: Backend>(conn: &B::Conn, s: &Sizes) -> Result<Samples> {
    let mut stmt = conn.prepare(&B::sql(UPDATE_PK))?;
    let rows = s.rows.max(1);
    let mut op = |i: u64| -> Result<u64> {
        let id = [Param::Int((1 + mix(i ^ 0x7570_6461_7465) % rows) as i64)];
        Ok(retry(|| stmt.execute(&id))?.1)
    };
    let warm = timed(s.warmup(), 0, &mut op)?;
    timed(s.budget(), warm.latencies_ns.len() as u64, &mut op)
}

/// Records one workload: resets the peak memory, runs it, and reads the peak.
fn record<B: Backend>(
    w: Workload,
    config: Config,
    f: impl FnOnce() -> Result<(Figures, Option<Digest>)>,
) -> Result<EngineResult> {
    measure::reset_peak();
    let (mut figures, check) = f().map_err(|e| e.context(format_args!("{} {} {}", B::NAME, config.label(), w.id())))?;
    figures.peak_rss_bytes = measure::memory().peak;
    eprintln!(
        "  {:<7} {:<11} {:<20} {:>14.1} ops/s  p50 {:>9.1} us  p99 {:>9.1} us",
        B::NAME,
        config.label(),
        w.id(),
        figures.ops_per_sec,
        figures.p50_us,
        figures.p99_us
    );
    Ok(EngineResult {
        workload: w,
        config,
        engine: B::NAME.to_string(),
        figures,
        check,
        bytes_per_row: None,
        detail: None,
    })
}

/// Runs the workloads of `selected` that belong to `config` on a fresh database.
pub fn run_suite<B: Backend>(
    config: Config,
    dir: Option<&Path>,
    s: &Sizes,
    selected: &[Workload],
) -> Result<Vec<EngineResult>> {
    let wants = |w: Workload| selected.contains(&w) && w.configs().contains(&config);
    let db = B::open(&OpenSpec { config, dir, no_checkpoints: false, private_memory: false })?;
    let mut out = Vec::new();
    {
        let conn = db.connect()?;
        conn.batch(&data::schema(B::PK_TYPE))?;
        let bulk = record::<B>(Workload::BulkInsert, config, || {
            Ok((Figures::from_samples(bulk_insert::<B>(&conn, s.rows)?, Some(s.rows)), None))
        })?;
        if wants(Workload::BulkInsert) {
            out.push(bulk);
        }
        load_d::<B>(&conn, s)?;
        for w in READS.into_iter().filter(|&w| wants(w)) {
            out.push(record::<B>(w, config, || {
                let (f, check) = run_read::<B>(&conn, w, s)?;
                Ok((f, Some(check)))
            })?);
        }
        if wants(Workload::UpdatePk) {
            out.push(record::<B>(Workload::UpdatePk, config, || {
                Ok((Figures::from_samples(update_pk::<B>(&conn, s)?, None), None))
            })?);
        }
    }
    if wants(Workload::Mixed) {
        out.push(record::<B>(Workload::Mixed, config, || Ok((Figures::from_samples(mixed(&db, s)?, None), None)))?);
    }
    for (w, threads, base) in
        [(Workload::Commit1, 1, 1i64 << 40), (Workload::Commit4, 4, 2 << 40), (Workload::Commit16, 16, 3 << 40)]
    {
        if wants(w) {
            out.push(record::<B>(w, config, || {
                Ok((Figures::from_samples(commits(&db, threads, base, s)?, None), None))
            })?);
        }
    }
    db.close()?;
    Ok(out)
}

/// Loads `t` into an on-disk database, then either closes it cleanly (leaving a
/// checkpoint) or, with `crash`, aborts the process right after the commit with
/// automatic checkpoints off, so the data is only in the write-ahead log.
pub fn prepare_recovery<B: Backend>(dir: &Path, s: &Sizes, crash: bool) -> Result<()> {
    let db =
        B::open(&OpenSpec { config: Config::DiskFull, dir: Some(dir), no_checkpoints: crash, private_memory: false })?;
    let conn = db.connect()?;
    conn.batch(&data::schema(B::PK_TYPE))?;
    bulk_insert::<B>(&conn, s.rows)?;
    if crash {
        // NB: no destructor may run, not even the connection's: closing SQLite's last
        // connection checkpoints the WAL into the database file.
        std::process::abort();
    }
    drop(conn);
    db.close()
}

/// Sizes of the files in a directory tree: (log bytes, other bytes).
fn dir_sizes(dir: &Path) -> (u64, u64) {
    let mut sizes = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else { return sizes };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            let (l, o) = dir_sizes(&path);
            sizes = (sizes.0 + l, sizes.1 + o);
        } else if let Ok(m) = e.metadata() {
            let name = path.to_string_lossy();
            if name.ends_with(".log") || name.ends_with("-wal") {
                sizes.0 += m.len();
            } else {
                sizes.1 += m.len();
            }
        }
    }
    sizes
}

/// Times opening a database prepared by [`prepare_recovery`] plus its first query (a
/// point select), then checks that every row is there.
pub fn reopen<B: Backend>(dir: &Path, s: &Sizes, w: Workload) -> Result<EngineResult> {
    let (log, other) = dir_sizes(dir);
    let t0 = Instant::now();
    let db =
        B::open(&OpenSpec { config: Config::DiskFull, dir: Some(dir), no_checkpoints: false, private_memory: false })?;
    let check;
    {
        let conn = db.connect()?;
        let first = conn.prepare(&B::sql(POINT_SELECT))?.query(&[Param::Int((s.rows / 2).max(1) as i64)])?;
        let elapsed = t0.elapsed();
        let all = conn.prepare("SELECT count(*), sum(k), sum(val) FROM t")?.query(&[])?;
        if first.rows != 1 {
            return Err(crate::error::Error::new(format!("{}: the first query found {} rows", B::NAME, first.rows)));
        }
        check = (elapsed, all);
    }
    let mut figures = Figures::single(check.0);
    figures.peak_rss_bytes = measure::memory().peak;
    db.close()?;
    eprintln!(
        "  {:<7} {:<11} {:<20} {:>11.1} ms",
        B::NAME,
        Config::DiskFull.label(),
        w.id(),
        check.0.as_secs_f64() * 1e3
    );
    Ok(EngineResult {
        workload: w,
        config: Config::DiskFull,
        engine: B::NAME.to_string(),
        figures,
        check: Some(check.1),
        bytes_per_row: None,
        detail: Some(format!("before opening: log files {} KiB, other files {} KiB", log / 1024, other / 1024)),
    })
}

/// Loads `t` into a fresh in-memory database and reports the growth of resident
/// memory per row.
pub fn memory_per_row<B: Backend>(s: &Sizes) -> Result<EngineResult> {
    let db = B::open(&OpenSpec { config: Config::Memory, dir: None, no_checkpoints: false, private_memory: true })?;
    let conn = db.connect()?;
    conn.batch(&data::schema(B::PK_TYPE))?;
    let before = measure::memory().rss;
    let samples = bulk_insert::<B>(&conn, s.rows)?;
    let after = measure::memory();
    let mut figures = Figures::from_samples(samples, Some(s.rows));
    figures.peak_rss_bytes = after.peak;
    let per_row = after.rss.saturating_sub(before) as f64 / s.rows.max(1) as f64;
    let all = conn.prepare("SELECT count(*), sum(k), sum(val) FROM t")?.query(&[])?;
    eprintln!("  {:<7} {:<11} {:<20} {:>11.1} bytes/row", B::NAME, Config::Memory.label(), "memory_per_row", per_row);
    Ok(EngineResult {
        workload: Workload::MemoryPerRow,
        config: Config::Memory,
        engine: B::NAME.to_string(),
        figures,
        check: Some(all),
        bytes_per_row: Some(per_row),
        detail: Some(format!("resident {} MiB before loading, {} MiB after", before >> 20, after.rss >> 20)),
    })
}

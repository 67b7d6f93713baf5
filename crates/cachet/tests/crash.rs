//! Crash test: a child process runs concurrent transactions (inserts, updates,
//! deletes and DDL) against an on-disk database and prints each commit right after it
//! is acknowledged. The parent SIGKILLs it at a random moment, reopens the database
//! and checks that every acknowledged commit is there and that no transaction is
//! partly visible. The same directory goes through every cycle, so recovery,
//! checkpoints (made frequent by a small threshold) and log pruning all get crashed
//! into. `CACHET_CRASH_CYCLES` sets the number of cycles (25 by default).
#![allow(clippy::unwrap_used)]

use cachet::{params, Database, Options};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: i64 = 4;

fn options() -> Options {
    Options { checkpoint_bytes: 256 * 1024, ..Options::default() }
}

/// The child: writers loop forever; each transaction is all-or-nothing by design:
/// - `INS w i`: inserts log row (w, i) and bumps the writer's counter to i;
/// - `DEL w i j`: deletes log row (w, j) and records it in `deleted`, bumping the counter;
/// - `DDL w i`: creates table `d_w_i` with one row, bumping the counter.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os("CACHET_CRASH_CHILD") else { return };
    let db = Database::open_with(&dir, options()).unwrap();
    let c = db.connect();
    let _ = c.execute_batch(
        "CREATE TABLE IF NOT EXISTS log (w int, i bigint, payload text, PRIMARY KEY (w, i));
         CREATE TABLE IF NOT EXISTS counters (w int PRIMARY KEY, n bigint NOT NULL);
         CREATE TABLE IF NOT EXISTS deleted (w int, i bigint, PRIMARY KEY (w, i));",
    );
    for w in 0..WRITERS {
        c.execute("INSERT INTO counters VALUES ($1, 0) ON CONFLICT (w) DO NOTHING", params![w]).unwrap();
    }
    let out = Arc::new(Mutex::new(std::io::stdout()));
    {
        // Not println!: the test harness may capture that.
        let mut o = out.lock().unwrap();
        writeln!(o, "READY").unwrap();
        o.flush().unwrap();
    }
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let db = db.clone();
            let out = out.clone();
            std::thread::spawn(move || {
                let c = db.connect();
                let mut i: i64 = c.query_row("SELECT n FROM counters WHERE w = $1", params![w], |r| r.get(0)).unwrap();
                let mut rng = ((w as u64 + 1) * 0x9E37_79B9_7F4A_7C15) ^ i as u64;
                loop {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    i += 1;
                    let (kind, line) = match rng % 20 {
                        0 => ("DDL", format!("DDL {w} {i}")),
                        1..=4 if i > 2 => {
                            let j = (rng >> 8) as i64 % (i - 1) + 1;
                            ("DEL", format!("DEL {w} {i} {j}"))
                        }
                        _ => ("INS", format!("INS {w} {i}")),
                    };
                    let r = (|| {
                        c.execute_batch("BEGIN")?;
                        match kind {
                            "INS" => {
                                c.execute(
                                    "INSERT INTO log VALUES ($1, $2, $3)",
                                    params![w, i, "x".repeat((rng % 200) as usize)],
                                )?;
                            }
                            "DEL" => {
                                let j: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
                                let n = c.execute("DELETE FROM log WHERE w = $1 AND i = $2", params![w, j])?;
                                if n == 1 {
                                    c.execute("INSERT INTO deleted VALUES ($1, $2)", params![w, j])?;
                                }
                            }
                            _ => {
                                c.execute_batch(&format!(
                                    "CREATE TABLE d_{w}_{i} (x int); INSERT INTO d_{w}_{i} VALUES ({i})"
                                ))?;
                            }
                        }
                        c.execute("UPDATE counters SET n = $2 WHERE w = $1", params![w, i])?;
                        c.execute_batch("COMMIT")
                    })();
                    match r {
                        Ok(()) => {
                            let mut o = out.lock().unwrap();
                            writeln!(o, "{line}").unwrap();
                            o.flush().unwrap();
                        }
                        Err(e) => {
                            let _ = c.execute_batch("ROLLBACK");
                            panic!("child transaction failed: {e}");
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// Checks the database against what the child acknowledged.
fn verify(dir: &std::path::Path, acked: &[String]) {
    let db = Database::open_with(dir, options()).unwrap();
    let c = db.connect();
    let counters: HashMap<i64, i64> =
        c.query("SELECT w, n FROM counters", ()).unwrap().map(|r| (r.get(0).unwrap(), r.get(1).unwrap())).collect();
    let log: HashSet<(i64, i64)> =
        c.query("SELECT w, i FROM log", ()).unwrap().map(|r| (r.get(0).unwrap(), r.get(1).unwrap())).collect();
    let deleted: HashSet<(i64, i64)> =
        c.query("SELECT w, i FROM deleted", ()).unwrap().map(|r| (r.get(0).unwrap(), r.get(1).unwrap())).collect();
    // Every acknowledged commit is present.
    for line in acked {
        let f: Vec<i64> = line.split(' ').skip(1).map(|x| x.parse().unwrap()).collect();
        let (w, i) = (f[0], f[1]);
        assert!(counters[&w] >= i, "acknowledged {line} but counter of {w} is {}", counters[&w]);
        match &line[..3] {
            "INS" => assert!(log.contains(&(w, i)) || deleted.contains(&(w, i)), "acknowledged {line} missing"),
            "DEL" => assert!(!log.contains(&(w, f[2])), "acknowledged {line} but row still there"),
            _ => {
                let x: i64 = c.query_row(&format!("SELECT x FROM d_{w}_{i}"), (), |r| r.get(0)).unwrap();
                assert_eq!(x, i, "acknowledged {line}");
            }
        }
    }
    // No transaction is partly visible: each writer's effects match its counter exactly.
    for (&w, &n) in &counters {
        for &(lw, li) in log.iter().chain(deleted.iter()) {
            if lw == w {
                assert!(li <= n, "row ({lw}, {li}) committed beyond the counter {n}");
            }
        }
        for &(dw, di) in &deleted {
            assert!(!log.contains(&(dw, di)), "row ({dw}, {di}) both deleted and present");
        }
        let tables: Vec<String> = db
            .engine()
            .catalog()
            .tables()
            .map(|t| t.schema.name.clone())
            .filter(|n| n.starts_with(&format!("d_{w}_")))
            .collect();
        for t in tables {
            let i: i64 = t.rsplit('_').next().unwrap().parse().unwrap();
            assert!(i <= n, "table {t} committed beyond the counter {n}");
            let rows: i64 = c.query_row(&format!("SELECT count(*) FROM {t}"), (), |r| r.get(0)).unwrap();
            assert_eq!(rows, 1, "table {t} without its row");
        }
    }
}

#[test]
fn sigkill_never_loses_acknowledged_commits() {
    let cycles: usize = std::env::var("CACHET_CRASH_CYCLES").ok().and_then(|s| s.parse().ok()).unwrap_or(25);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut acked_total = 0usize;
    let started = Instant::now();
    for cycle in 0..cycles {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("CACHET_CRASH_CHILD", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let ready = Arc::new(AtomicBool::new(false));
        let reader = {
            let lines = lines.clone();
            let ready = ready.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    // The harness may print "test crash_child ... " before it.
                    if line.ends_with("READY") {
                        ready.store(true, Ordering::SeqCst);
                    } else if line.starts_with("INS ") || line.starts_with("DEL ") || line.starts_with("DDL ") {
                        lines.lock().unwrap().push(line);
                    }
                }
            })
        };
        let t0 = Instant::now();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !ready.load(Ordering::SeqCst) && Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("cycle {cycle}: child exited early with {status}");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(20 + rng % 300));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let acked = lines.lock().unwrap().clone();
        acked_total += acked.len();
        let t1 = Instant::now();
        verify(dir.path(), &acked);
        if std::env::var_os("CACHET_CRASH_VERBOSE").is_some() {
            eprintln!("cycle {cycle}: {} acked, child {:?}, verify {:?}", acked.len(), t1 - t0, t1.elapsed());
        }
    }
    eprintln!("{cycles} crash cycles, {acked_total} acknowledged commits verified, {:?}", started.elapsed());
}

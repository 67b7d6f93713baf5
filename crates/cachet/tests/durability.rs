//! Durability: every type survives close and reopen; DDL is durable; the directory
//! lock keeps a second opener out; injected I/O faults (failed fsync, full disk,
//! torn writes, crashes after the Nth write or sync) never lose an acknowledged commit
//! and never expose half a transaction; flipped bits are detected.
#![allow(clippy::unwrap_used)]

use cachet::durability::vfs::{Fault, FaultyVfs, OsVfs};
use cachet::{params, Database, Options, SqlState, Value};
use std::path::Path;
use std::sync::Arc;

fn rows(db: &Database, sql: &str) -> Vec<Vec<String>> {
    db.connect()
        .query(sql, ())
        .unwrap()
        .map(|r| {
            r.values()
                .iter()
                .map(|v| if v.is_null() { "NULL".into() } else { cachet::types::format_value(v, &Default::default()) })
                .collect()
        })
        .collect()
}

const ALL_TYPES: &str = "CREATE TABLE every (
    id int PRIMARY KEY, b boolean, i2 smallint, i8 bigint, r real, d double precision, n numeric(10,3),
    t text, vc varchar(5), c char(3), by bytea, dt date, tm time, ts timestamp, tz timestamptz,
    iv interval, u uuid, j json, jb jsonb)";

const ALL_VALUES: &str = "INSERT INTO every VALUES
    (1, true, -3, 9223372036854775807, 1.5, -2.25e100, 12.345, 'héllo ''q''', 'abc', 'x', '\\x00ff',
     '2024-02-29', '13:04:05.25', '1999-12-31 23:59:59.5', '2024-01-01 00:00:00+02', '1 year 2 mons 3 days 04:05:06',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"b\": [1, 2], \"a\": null}', '{\"b\": [1, 2], \"a\": null}'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

#[test]
fn every_type_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let db = Database::open(dir.path()).unwrap();
        db.connect().execute_batch(ALL_TYPES).unwrap();
        db.connect().execute_batch(ALL_VALUES).unwrap();
        rows(&db, "SELECT * FROM every ORDER BY id")
    };
    // Closed cleanly: recovered from the shutdown checkpoint.
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(rows(&db, "SELECT * FROM every ORDER BY id"), expected);
    drop(db);
    // And again after more changes replayed from the log only.
    let db = Database::open(dir.path()).unwrap();
    db.connect().execute("UPDATE every SET t = 'changed' WHERE id = 1", ()).unwrap();
    db.connect().execute("DELETE FROM every WHERE id = 2", ()).unwrap();
    let after = rows(&db, "SELECT * FROM every ORDER BY id");
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(rows(&db, "SELECT * FROM every ORDER BY id"), after);
}

#[test]
fn ddl_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        let c = db.connect();
        c.execute_batch(
            "CREATE TABLE a (k int PRIMARY KEY, v text UNIQUE);
             CREATE INDEX a_v ON a (v);
             CREATE TABLE gone (x int);
             CREATE VIEW av AS SELECT k FROM a WHERE k > 1;
             INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three');
             DROP TABLE gone;
             BEGIN; CREATE TABLE rolled_back (x int); ROLLBACK;",
        )
        .unwrap();
    }
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(rows(&db, "SELECT * FROM av ORDER BY k"), vec![vec!["2"], vec!["3"]]);
    let c = db.connect();
    assert_eq!(c.execute("SELECT * FROM gone", ()).unwrap_err().code(), SqlState::UNDEFINED_TABLE);
    assert_eq!(c.execute("SELECT * FROM rolled_back", ()).unwrap_err().code(), SqlState::UNDEFINED_TABLE);
    assert_eq!(c.execute("INSERT INTO a VALUES (9, 'one')", ()).unwrap_err().code(), SqlState::UNIQUE_VIOLATION);
    let plan: Vec<String> =
        c.query("EXPLAIN SELECT * FROM a WHERE v = 'two'", ()).unwrap().map(|r| r.get(0).unwrap()).collect();
    assert!(plan.join("\n").contains("a_v"), "{plan:?}");
    // Tables without a primary key keep issuing fresh row ids after recovery.
    c.execute_batch("CREATE TABLE nopk (x int); INSERT INTO nopk VALUES (1), (2);").unwrap();
    drop(c);
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    db.connect().execute("INSERT INTO nopk VALUES (3)", ()).unwrap();
    assert_eq!(rows(&db, "SELECT count(*), count(DISTINCT _rowid) FROM nopk"), vec![vec!["3", "3"]]);
}

#[test]
fn a_second_opener_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _db = Database::open(dir.path()).unwrap();
    let e = Database::open(dir.path()).err().unwrap();
    assert_eq!(e.code().code(), "55006");
    assert!(e.message().contains("in use"), "{e}");
}

#[test]
fn checkpoint_statement_and_log_pruning() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let c = db.connect();
    c.execute_batch("CREATE TABLE t (k int PRIMARY KEY, v text)").unwrap();
    for round in 0..3 {
        for i in 0..100 {
            c.execute(
                "INSERT INTO t VALUES ($1, 'x') ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                params![round * 100 + i],
            )
            .unwrap();
        }
        c.execute_batch("CHECKPOINT").unwrap();
    }
    let ckpts = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".ckpt"))
        .count();
    assert_eq!(ckpts, 2, "the two newest checkpoints are kept");
    drop(c);
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(rows(&db, "SELECT count(*) FROM t"), vec![vec!["300"]]);
}

/// Opens a database on a fault-injecting backend.
fn faulty(dir: &Path, fault: Fault, n: u64) -> (Database, Arc<FaultyVfs>) {
    let vfs = Arc::new(FaultyVfs::new(Arc::new(OsVfs), fault, n));
    let options = Options { vfs: vfs.clone(), ..Options::default() };
    (Database::open_with(dir, options).unwrap(), vfs)
}

/// Runs numbered single-row commits until one fails; returns the acknowledged ones.
fn commit_until_failure(db: &Database, limit: i64) -> (Vec<i64>, Option<cachet::Error>) {
    let c = db.connect();
    let mut acked = Vec::new();
    for i in 0..limit {
        match c.execute("INSERT INTO t VALUES ($1, $2)", params![i, format!("row {i}")]) {
            Ok(_) => acked.push(i),
            Err(e) => return (acked, Some(e)),
        }
    }
    (acked, None)
}

fn setup(dir: &Path) {
    let db = Database::open(dir).unwrap();
    db.connect().execute_batch("CREATE TABLE t (k bigint PRIMARY KEY, v text)").unwrap();
}

fn present(dir: &Path) -> Vec<i64> {
    let db = Database::open(dir).unwrap();
    db.connect().query("SELECT k FROM t ORDER BY k", ()).unwrap().map(|r| r.get(0).unwrap()).collect()
}

#[test]
fn failed_fsync_refuses_writes_and_loses_nothing_acknowledged() {
    // Opening syncs once (the new log segment); the commits come after.
    for n in [2u64, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let (db, _vfs) = faulty(dir.path(), Fault::FailSync, n);
        let (acked, err) = commit_until_failure(&db, 50);
        let err = err.expect("the fsync failure surfaces");
        assert!(err.message().contains("write-ahead log") || err.code() == SqlState::IO_ERROR, "{err}");
        // Further writes are refused, reads still work.
        let c = db.connect();
        assert!(c.execute("INSERT INTO t VALUES (1000, 'no')", ()).is_err());
        assert!(c.query("SELECT count(*) FROM t", ()).is_ok());
        drop(c);
        drop(db);
        let got = present(dir.path());
        for k in &acked {
            assert!(got.contains(k), "acknowledged commit {k} lost (fault at sync {n})");
        }
        assert!(!got.contains(&1000));
    }
}

#[test]
fn full_disk_fails_the_commit_with_53100() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let (db, _vfs) = faulty(dir.path(), Fault::DiskFull, 5);
    let (acked, err) = commit_until_failure(&db, 50);
    assert_eq!(err.unwrap().code(), SqlState::DISK_FULL);
    drop(db);
    let got = present(dir.path());
    assert!(acked.iter().all(|k| got.contains(k)));
}

#[test]
fn crashes_after_the_nth_write_or_sync_keep_every_acknowledged_commit() {
    for (fault, n) in [
        (Fault::TornWrite, 2),
        (Fault::TornWrite, 6),
        (Fault::CrashAfterSync, 2),
        (Fault::CrashAfterSync, 9),
        (Fault::FailWrite, 4),
    ] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let (db, vfs) = faulty(dir.path(), fault, n);
        let (acked, _) = commit_until_failure(&db, 40);
        drop(db);
        let got = present(dir.path());
        for k in &acked {
            assert!(got.contains(k), "{fault:?} at {n}: acknowledged commit {k} lost");
        }
        // Commits are single rows, so whatever survived is a prefix of the attempts.
        let expect: Vec<i64> = (0..got.len() as i64).collect();
        assert_eq!(got, expect, "{fault:?} at {n}: not a prefix");
        let _ = vfs.crashed();
    }
}

fn wal_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("wal")).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// Makes a database whose last changes are only in the log (the process "dies"
/// without the shutdown checkpoint, by leaking the handle's engine through a child).
fn log_only_database(dir: &Path) {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writes_then_aborts", "--nocapture", "--test-threads=1"])
        .env("CACHET_DURABILITY_CHILD", dir)
        .status()
        .unwrap();
    assert!(!status.success(), "the child aborts");
}

#[test]
fn child_writes_then_aborts() {
    let Some(dir) = std::env::var_os("CACHET_DURABILITY_CHILD") else { return };
    let db = Database::open(&dir).unwrap();
    let c = db.connect();
    c.execute_batch("CREATE TABLE t (k bigint PRIMARY KEY, v text)").unwrap();
    for i in 0..20i64 {
        c.execute("INSERT INTO t VALUES ($1, $2)", params![i, "v".repeat(50)]).unwrap();
    }
    std::process::abort();
}

#[test]
fn torn_log_tail_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    log_only_database(dir.path());
    let last = wal_files(dir.path()).pop().unwrap();
    let len = std::fs::metadata(&last).unwrap().len();
    // Cut the last frame in half.
    let f = std::fs::OpenOptions::new().write(true).open(&last).unwrap();
    f.set_len(len - 40).unwrap();
    drop(f);
    let got = present(dir.path());
    assert_eq!(got, (0..19).collect::<Vec<i64>>());
    // The database is usable and stays consistent afterwards.
    let db = Database::open(dir.path()).unwrap();
    db.connect().execute("INSERT INTO t VALUES (100, 'after')", ()).unwrap();
    drop(db);
    assert_eq!(present(dir.path()).len(), 20);
}

#[test]
fn flipped_bit_in_the_log_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    log_only_database(dir.path());
    let last = wal_files(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&last).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(&last, &bytes).unwrap();
    let e = Database::open(dir.path()).err().expect("corruption is detected");
    assert_eq!(e.code(), SqlState::DATA_CORRUPTED);
    assert!(e.message().contains(&last.display().to_string()), "{e}");
    assert!(e.message().contains("offset"), "{e}");
}

#[test]
fn flipped_bit_in_a_checkpoint_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        let c = db.connect();
        c.execute_batch("CREATE TABLE t (k bigint PRIMARY KEY, v text)").unwrap();
        for i in 0..200i64 {
            c.execute("INSERT INTO t VALUES ($1, 'some text to compress')", params![i]).unwrap();
        }
    }
    let ckpt = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ckpt"))
        .unwrap();
    let mut bytes = std::fs::read(&ckpt).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&ckpt, &bytes).unwrap();
    let e = Database::open(dir.path()).err().expect("corruption is detected");
    assert_eq!(e.code(), SqlState::DATA_CORRUPTED);
    assert!(e.message().contains("checkpoint"), "{e}");
}

#[test]
fn in_memory_and_value_round_trip_sanity() {
    // The in-memory database ignores CHECKPOINT.
    let db = Database::open_in_memory().unwrap();
    db.connect().execute_batch("CHECKPOINT").unwrap();
    assert_eq!(Value::Int4(1), Value::Int4(1));
}

#[test]
fn salvage_keeps_everything_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    log_only_database(dir.path());
    let last = wal_files(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&last).unwrap();
    let at = bytes.len() * 2 / 3;
    bytes[at] ^= 0x40;
    std::fs::write(&last, &bytes).unwrap();
    assert!(Database::open(dir.path()).is_err());
    let mut calls = 0;
    let report = cachet::durability::salvage(dir.path(), 0, &mut |_, _| calls += 1).unwrap();
    assert!(calls > 0);
    assert!(report.damage.is_some(), "{report:?}");
    assert!(report.bytes_lost > 0);
    assert!(report.moved_to.join(last.file_name().unwrap()).exists(), "the damaged log is kept aside");
    // Everything before the damage is there; the table itself (created first) too.
    let got = present(dir.path());
    assert!(!got.is_empty() && got.len() < 20, "{got:?}");
    assert_eq!(got, (0..got.len() as i64).collect::<Vec<_>>());
}

#[test]
fn synchronous_commit_off_returns_before_the_fsync() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    // A fault that never fires: the backend only counts.
    let (db, vfs) = faulty(dir.path(), Fault::FailSync, u64::MAX);
    let c = db.connect();
    let (_, before) = vfs.counts();
    for i in 0..20i64 {
        c.execute("INSERT INTO t VALUES ($1, 'sync')", params![i]).unwrap();
    }
    let (_, synced) = vfs.counts();
    assert!(synced - before >= 20, "each durable commit syncs ({} syncs)", synced - before);
    c.execute_batch("SET synchronous_commit = off").unwrap();
    for i in 100..120i64 {
        c.execute("INSERT INTO t VALUES ($1, 'async')", params![i]).unwrap();
    }
    let (_, after) = vfs.counts();
    assert!(after - synced <= 2, "asynchronous commits do not wait for fsync ({} syncs)", after - synced);
    // The background worker makes them durable within about 100 ms.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let (_, later) = vfs.counts();
    assert!(later > after, "the background worker synced the log");
    drop(c);
    drop(db);
    assert_eq!(present(dir.path()).len(), 40);
}

//! Transaction control and row locking: savepoints, aborted transactions, SELECT FOR
//! UPDATE/SHARE with NOWAIT and SKIP LOCKED, lock waits, deadlock detection,
//! lock_timeout, and reclamation of old versions under a long-running reader.
#![allow(clippy::unwrap_used)]

use cachet::{params, Connection, Database, SqlState};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn db() -> Database {
    let db = Database::open_in_memory().unwrap();
    db.connect()
        .execute_batch(
            "CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL);
             INSERT INTO acct VALUES (1, 100), (2, 100), (3, 100);
             CREATE TABLE jobs (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false);
             INSERT INTO jobs (id) VALUES (1), (2), (3), (4);",
        )
        .unwrap();
    db
}

fn ints(c: &Connection, sql: &str) -> Vec<i64> {
    c.query(sql, ()).unwrap().map(|r| r.get(0).unwrap()).collect()
}

#[test]
fn savepoints_roll_back_part_of_a_transaction() {
    let db = db();
    let c = db.connect();
    c.execute_batch(
        "BEGIN;
         UPDATE acct SET balance = 1 WHERE id = 1;
         SAVEPOINT a;
         UPDATE acct SET balance = 2 WHERE id = 2;
         SAVEPOINT b;
         UPDATE acct SET balance = 3 WHERE id = 3;
         ROLLBACK TO SAVEPOINT b;
         UPDATE acct SET balance = 33 WHERE id = 3;
         ROLLBACK TO a;",
    )
    .unwrap();
    assert_eq!(ints(&c, "SELECT balance FROM acct ORDER BY id"), vec![1, 100, 100]);
    // A failed statement aborts the transaction; ROLLBACK TO recovers it.
    c.execute_batch("SAVEPOINT c").unwrap();
    assert!(c.execute("INSERT INTO acct VALUES (1, 0)", ()).is_err());
    assert_eq!(c.execute("SELECT 1", ()).unwrap_err().code(), SqlState::IN_FAILED_SQL_TRANSACTION);
    c.execute_batch("ROLLBACK TO SAVEPOINT c; RELEASE SAVEPOINT c").unwrap();
    assert_eq!(c.execute("RELEASE SAVEPOINT c", ()).unwrap_err().code().code(), "3B001");
    // The failed RELEASE aborted the transaction again; ROLLBACK TO a recovers it and
    // the work before `a` commits.
    c.execute_batch("ROLLBACK TO a; COMMIT").unwrap();
    assert_eq!(ints(&c, "SELECT balance FROM acct ORDER BY id"), vec![1, 100, 100]);
    // DDL inside a rolled-back savepoint disappears too.
    c.execute_batch("BEGIN; SAVEPOINT s; CREATE TABLE tmp (x int); ROLLBACK TO s; COMMIT").unwrap();
    assert_eq!(c.execute("SELECT * FROM tmp", ()).unwrap_err().code(), SqlState::UNDEFINED_TABLE);
    assert_eq!(c.execute("SAVEPOINT x", ()).unwrap_err().code(), SqlState::NO_ACTIVE_SQL_TRANSACTION);
}

/// Runs `sql` on a new connection in a thread; the receiver gets its result.
fn spawn(db: &Database, setup: &'static str, sql: &'static str) -> mpsc::Receiver<Result<u64, cachet::Error>> {
    let (tx, rx) = mpsc::channel();
    let db = db.clone();
    std::thread::spawn(move || {
        let c = db.connect();
        c.execute_batch(setup).unwrap();
        let r = c.execute(sql, ());
        let _ = c.execute_batch("COMMIT");
        tx.send(r).unwrap();
    });
    rx
}

#[test]
fn for_update_blocks_writers_until_commit() {
    let db = db();
    let c = db.connect();
    c.execute_batch("BEGIN").unwrap();
    assert_eq!(ints(&c, "SELECT balance FROM acct WHERE id = 1 FOR UPDATE"), vec![100]);
    let rx = spawn(&db, "BEGIN", "UPDATE acct SET balance = balance + 1 WHERE id = 1");
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err(), "the writer waits for the row lock");
    c.execute("UPDATE acct SET balance = 50 WHERE id = 1", ()).unwrap();
    c.execute_batch("COMMIT").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap().unwrap(), 1);
    // READ COMMITTED re-read the row after the wait: 50 + 1.
    assert_eq!(ints(&c, "SELECT balance FROM acct WHERE id = 1"), vec![51]);
}

#[test]
fn nowait_and_skip_locked() {
    let db = db();
    let c = db.connect();
    c.execute_batch("BEGIN").unwrap();
    assert_eq!(ints(&c, "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"), vec![1]);
    let other = db.connect();
    other.execute_batch("BEGIN").unwrap();
    let e = other.execute("SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::LOCK_NOT_AVAILABLE);
    other.execute_batch("ROLLBACK; BEGIN").unwrap();
    // A second worker takes the next free job, without waiting.
    assert_eq!(ints(&other, "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"), vec![2]);
    assert_eq!(ints(&other, "SELECT id FROM jobs ORDER BY id FOR SHARE SKIP LOCKED"), vec![2, 3, 4]);
    other.execute_batch("COMMIT").unwrap();
    // Shared locks do not block each other, but block writers.
    let a = db.connect();
    let b = db.connect();
    a.execute_batch("BEGIN").unwrap();
    b.execute_batch("BEGIN").unwrap();
    assert_eq!(ints(&a, "SELECT id FROM jobs WHERE id = 3 FOR SHARE"), vec![3]);
    assert_eq!(ints(&b, "SELECT id FROM jobs WHERE id = 3 FOR SHARE NOWAIT"), vec![3]);
    // A writer must wait for a shared lock held by another transaction.
    b.execute_batch("SET lock_timeout = '50ms'").unwrap();
    let e = b.execute("UPDATE jobs SET done = true WHERE id = 3", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::LOCK_NOT_AVAILABLE);
    c.execute_batch("COMMIT").unwrap();
    a.execute_batch("COMMIT").unwrap();
    b.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn deadlocks_are_detected_within_a_second() {
    let db = db();
    let a = db.connect();
    a.execute_batch("BEGIN; UPDATE acct SET balance = 0 WHERE id = 1").unwrap();
    let (tx, rx) = mpsc::channel();
    let db2 = db.clone();
    let t = std::thread::spawn(move || {
        let b = db2.connect();
        b.execute_batch("BEGIN; UPDATE acct SET balance = 0 WHERE id = 2").unwrap();
        tx.send(()).unwrap();
        let r = b.execute("UPDATE acct SET balance = 0 WHERE id = 1", ());
        let _ = b.execute_batch("ROLLBACK");
        r
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let mine = a.execute("UPDATE acct SET balance = 0 WHERE id = 2", ());
    let theirs = if mine.is_ok() { t.join().unwrap() } else { Ok(0) };
    let deadlock = |r: &Result<u64, cachet::Error>| r.as_ref().is_err_and(|e| e.code() == SqlState::DEADLOCK_DETECTED);
    assert!(deadlock(&mine) || deadlock(&theirs), "one side fails with 40P01: {mine:?} {theirs:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    a.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn lock_timeout_gives_up() {
    let db = db();
    let a = db.connect();
    a.execute_batch("BEGIN; UPDATE acct SET balance = 0 WHERE id = 1").unwrap();
    let b = db.connect();
    b.execute_batch("SET lock_timeout = '100ms'").unwrap();
    let started = Instant::now();
    let e = b.execute("UPDATE acct SET balance = 1 WHERE id = 1", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::LOCK_NOT_AVAILABLE);
    assert!(started.elapsed() >= Duration::from_millis(100) && started.elapsed() < Duration::from_secs(2));
    a.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn repeatable_read_fails_on_concurrent_update() {
    let db = db();
    let a = db.connect();
    let b = db.connect();
    a.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ").unwrap();
    assert_eq!(ints(&a, "SELECT balance FROM acct WHERE id = 1"), vec![100]);
    b.execute("UPDATE acct SET balance = 200 WHERE id = 1", ()).unwrap();
    assert_eq!(ints(&a, "SELECT balance FROM acct WHERE id = 1"), vec![100], "one snapshot");
    let e = a.execute("UPDATE acct SET balance = balance + 1 WHERE id = 1", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::SERIALIZATION_FAILURE);
    assert!(e.is_retryable());
    a.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn isolation_settings() {
    let db = db();
    let c = db.connect();
    let show = |c: &Connection| -> String { c.query_row("SHOW transaction_isolation", (), |r| r.get(0)).unwrap() };
    assert_eq!(show(&c), "read committed");
    c.execute_batch("SET default_transaction_isolation = 'serializable'").unwrap();
    assert_eq!(show(&c), "serializable");
    c.execute_batch("BEGIN; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").unwrap();
    assert_eq!(show(&c), "repeatable read");
    c.execute_batch("COMMIT; BEGIN ISOLATION LEVEL READ COMMITTED").unwrap();
    assert_eq!(show(&c), "read committed");
    c.execute_batch("COMMIT").unwrap();
}

#[test]
fn a_long_reader_keeps_only_the_versions_it_can_see() {
    let db = db();
    let reader = db.connect();
    reader.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ").unwrap();
    assert_eq!(ints(&reader, "SELECT balance FROM acct WHERE id = 1"), vec![100]);
    let writer = db.connect();
    for i in 0..1000 {
        writer.execute("UPDATE acct SET balance = $1 WHERE id = 1", params![i]).unwrap();
    }
    let table = db.engine().catalog().table("acct").unwrap().clone();
    let versions = table.store.version_count();
    // 3 rows, plus the version the reader sees and the newest: not 1000 versions.
    assert!(versions <= 5, "{versions} versions retained");
    assert_eq!(ints(&reader, "SELECT balance FROM acct WHERE id = 1"), vec![100]);
    reader.execute_batch("COMMIT").unwrap();
    writer.execute("UPDATE acct SET balance = 0 WHERE id = 1", ()).unwrap();
    db.engine().transactions().vacuum();
    assert_eq!(table.store.version_count(), 3);
}

/// Concurrent read-modify-write UPDATEs of one row under READ COMMITTED: each waits for
/// the one before it and re-evaluates against the newest version, so no update is lost.
#[test]
fn contended_increments_lose_no_update() {
    const THREADS: i64 = 8;
    const EACH: i64 = 300;
    let db = db();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let c = db.connect();
            std::thread::spawn(move || {
                let mut counted = 0;
                for _ in 0..EACH {
                    c.execute_batch("BEGIN").unwrap();
                    counted += c.execute("UPDATE acct SET balance = balance + 1 WHERE id = 1", ()).unwrap();
                    c.execute_batch("COMMIT").unwrap();
                }
                counted
            })
        })
        .collect();
    let counted: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(counted as i64, THREADS * EACH, "every UPDATE found its row");
    assert_eq!(ints(&db.connect(), "SELECT balance FROM acct WHERE id = 1"), vec![100 + THREADS * EACH]);
    // No snapshot outlived its transaction: once idle, one version per row remains.
    db.engine().transactions().vacuum();
    assert_eq!(db.engine().catalog().table("acct").unwrap().store.version_count(), 3);
}

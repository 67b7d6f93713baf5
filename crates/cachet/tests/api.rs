//! The Rust API: connections, parameters, prepared statements, transactions, and the
//! guarantees the engine-core issue asks for (plans are cached, EXPLAIN shows index
//! access, errors carry SQLSTATEs and positions).
#![allow(clippy::unwrap_used)]

use cachet::{params, Database, SqlState, Value};
use std::sync::atomic::Ordering;

fn db_with_users() -> (Database, cachet::Connection) {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int);
         CREATE INDEX users_age ON users (age);
         INSERT INTO users VALUES (1, 'ada', 36), (2, 'bob', 25), (3, 'cyd', NULL);",
    )
    .unwrap();
    (db, conn)
}

#[test]
fn handles_are_send_and_sync() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Database>();
    sync::<Database>();
    send::<cachet::Connection>();
    fn clone<T: Clone>() {}
    clone::<Database>();
}

#[test]
fn execute_returns_rows_affected() {
    let (_db, conn) = db_with_users();
    assert_eq!(conn.execute("UPDATE users SET age = age + 1 WHERE age IS NOT NULL", ()).unwrap(), 2);
    assert_eq!(conn.execute("DELETE FROM users WHERE id = $1", params![3i64]).unwrap(), 1);
    assert_eq!(conn.execute("INSERT INTO users VALUES (?, ?, ?)", params![4i64, "dee", None::<i32>]).unwrap(), 1);
}

#[test]
fn rows_have_names_types_and_typed_getters() {
    let (_db, conn) = db_with_users();
    let rows: Vec<_> = conn.query("SELECT id, name, age FROM users ORDER BY id", ()).unwrap().collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].get::<i64>(0).unwrap(), 1);
    assert_eq!(rows[0].get::<String>("name").unwrap(), "ada");
    assert_eq!(rows[2].get::<Option<i32>>("age").unwrap(), None);
    assert_eq!(rows[0].columns()[2].ty, cachet::DataType::Int4);
    assert!(rows[0].get::<i64>("nope").is_err());
    assert!(rows[0].get::<bool>(0).is_err());
}

#[test]
fn prepared_point_query_is_parsed_and_planned_once() {
    let (db, conn) = db_with_users();
    let mut stmt = conn.prepare("SELECT name FROM users WHERE id = $1").unwrap();
    let parses = db.stats().parses.load(Ordering::Relaxed);
    let plans = db.stats().plans.load(Ordering::Relaxed);
    for i in 0..100i64 {
        let name: Option<String> = stmt.query(params![i % 4]).unwrap().next().map(|r| r.get(0).unwrap());
        assert_eq!(name.is_some(), (1..=3).contains(&(i % 4)));
    }
    assert_eq!(db.stats().parses.load(Ordering::Relaxed), parses, "re-parsed");
    assert_eq!(db.stats().plans.load(Ordering::Relaxed), plans, "re-planned");
    // The same text through Connection::query hits the statement cache too.
    for i in 0..10i64 {
        conn.query("SELECT name FROM users WHERE id = $1", params![i]).unwrap();
    }
    assert_eq!(db.stats().parses.load(Ordering::Relaxed), parses);
    assert_eq!(db.stats().plans.load(Ordering::Relaxed), plans);
    // A schema change invalidates the plan once.
    conn.execute_batch("CREATE INDEX users_name ON users (name)").unwrap();
    stmt.query(params![1i64]).unwrap();
    stmt.query(params![1i64]).unwrap();
    assert_eq!(db.stats().plans.load(Ordering::Relaxed), plans + 1);
}

fn explain(conn: &cachet::Connection, sql: &str) -> String {
    conn.query(&format!("EXPLAIN {sql}"), ())
        .unwrap()
        .map(|r| r.get::<String>(0).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn explain_shows_index_lookups_and_range_scans() {
    let (_db, conn) = db_with_users();
    let plan = explain(&conn, "SELECT name FROM users WHERE id = $1");
    assert!(plan.contains("Index Lookup using users_pkey on users"), "{plan}");
    let plan = explain(&conn, "SELECT name FROM users WHERE age BETWEEN 20 AND 30");
    assert!(plan.contains("Index Range Scan using users_age on users"), "{plan}");
    assert!(plan.contains("age >= 20 AND age <= 30"), "{plan}");
    let plan = explain(&conn, "SELECT name FROM users WHERE name = 'ada'");
    assert!(plan.contains("Seq Scan on users"), "{plan}");
}

#[test]
fn syntax_errors_have_sqlstate_and_position() {
    let (_db, conn) = db_with_users();
    let e = conn.execute("SELECT * FORM users", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::SYNTAX_ERROR);
    assert!(e.position().is_some(), "{e}");
    let e = conn.execute("SELECT x FROM users", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::UNDEFINED_COLUMN);
    assert_eq!(e.message(), "column \"x\" does not exist");
    assert_eq!(e.line_column(), Some((1, 8)));
    assert_eq!(e.position(), Some(8));
    let e = conn.execute("SELECT 1;\nSELECT name,\n  nope FROM users", ()).unwrap_err();
    assert_eq!(e.line_column(), Some((3, 3)), "{e}");
}

#[test]
fn transactions_commit_and_roll_back() {
    let (_db, mut conn) = db_with_users();
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO users VALUES (10, 'tx', 1)", ()).unwrap();
        tx.commit().unwrap();
    }
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO users VALUES (11, 'gone', 1)", ()).unwrap();
        tx.rollback().unwrap();
    }
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO users VALUES (12, 'dropped', 1)", ()).unwrap();
        // Dropped without commit: rolled back.
    }
    let ids: Vec<i64> =
        conn.query("SELECT id FROM users ORDER BY id", ()).unwrap().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3, 10]);
}

#[test]
fn transaction_sees_its_own_writes_and_others_do_not() {
    let (db, conn) = db_with_users();
    let other = db.connect();
    conn.execute_batch("BEGIN").unwrap();
    conn.execute("UPDATE users SET name = 'changed' WHERE id = 1", ()).unwrap();
    let mine: String = conn.query_row("SELECT name FROM users WHERE id = 1", (), |r| r.get(0)).unwrap();
    let theirs: String = other.query_row("SELECT name FROM users WHERE id = 1", (), |r| r.get(0)).unwrap();
    assert_eq!((mine.as_str(), theirs.as_str()), ("changed", "ada"));
    conn.execute_batch("COMMIT").unwrap();
    let theirs: String = other.query_row("SELECT name FROM users WHERE id = 1", (), |r| r.get(0)).unwrap();
    assert_eq!(theirs, "changed");
}

#[test]
fn failed_statement_aborts_the_transaction() {
    let (_db, conn) = db_with_users();
    conn.execute_batch("BEGIN").unwrap();
    assert!(conn.execute("INSERT INTO users VALUES (1, 'dup', 0)", ()).is_err());
    let e = conn.execute("SELECT 1", ()).unwrap_err();
    assert_eq!(e.code(), SqlState::IN_FAILED_SQL_TRANSACTION);
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(conn.query("SELECT 1", ()).unwrap().count(), 1);
}

#[test]
fn parameters_are_converted_to_the_inferred_types() {
    let (_db, conn) = db_with_users();
    // An i64 parameter for an int column, and text parsed by the column's input function.
    let n = conn.execute("UPDATE users SET age = $1 WHERE id = $2", params![40i64, "2"]).unwrap();
    assert_eq!(n, 1);
    let age: i32 = conn.query_row("SELECT age FROM users WHERE id = 2", (), |r| r.get(0)).unwrap();
    assert_eq!(age, 40);
    let e = conn.execute("UPDATE users SET age = $1 WHERE id = 2", params![10_000_000_000i64]).unwrap_err();
    assert_eq!(e.code(), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
    let e = conn.execute("SELECT * FROM users WHERE id = $1", params![1i64, 2i64]).unwrap_err();
    assert_eq!(e.code().code(), "08P01");
    let v: Value = conn.query_row("SELECT $1::text || 'x'", params!["a"], |r| r.get(0)).unwrap();
    assert_eq!(v, Value::text("ax"));
}

#[test]
fn connections_work_from_many_threads() {
    let (db, _conn) = db_with_users();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let conn = db.connect();
                for i in 0..200i64 {
                    conn.execute("INSERT INTO users VALUES ($1, 'x', 1)", params![1000 + t * 1000 + i]).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let n: i64 = db.connect().query_row("SELECT count(*) FROM users", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 3 + 800);
}

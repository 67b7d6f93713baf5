//! Property tests: random, garbled and hostile SQL, and random parameters, must give
//! results or errors, never panics. Set `PROPTEST_CASES` for longer runs.
#![allow(clippy::unwrap_used)]

use cachet::{Connection, Database, Value};
use proptest::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn setup() -> (Database, Connection) {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch(
        "CREATE TABLE t (a int PRIMARY KEY, b text, c double precision, d numeric(10,2), e boolean, f date);
         CREATE TABLE u (x bigint, y text UNIQUE, z int CHECK (z > 0));
         CREATE INDEX t_b ON t (b, c);
         CREATE VIEW v AS SELECT a, b FROM t WHERE a > 1;
         INSERT INTO t VALUES (1, 'one', 1.5, 1.25, true, '2024-01-01'), (2, 'two', NULL, 2.5, false, NULL),
                              (3, NULL, -3.25, NULL, NULL, '1999-12-31');
         INSERT INTO u VALUES (1, 'p', 1), (2, 'q', 2), (NULL, NULL, NULL);",
    )
    .unwrap();
    (db, conn)
}

/// Runs SQL and fails the property if the engine panics.
fn no_panic(conn: &Connection, sql: &str, params: &[Value]) -> Result<(), TestCaseError> {
    let r = catch_unwind(AssertUnwindSafe(|| conn.with_session(|s| s.execute(sql, params).map(|_| ()))));
    match r {
        Ok(_) => {
            // Leave no transaction half-open for the next case.
            let _ = conn.with_session(|s| s.execute("ROLLBACK", &[]));
            Ok(())
        }
        Err(_) => Err(TestCaseError::fail(format!("panic on: {sql}"))),
    }
}

const TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "DISTINCT",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "EXISTS",
    "BETWEEN",
    "LIKE",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "JOIN",
    "ON",
    "CROSS JOIN",
    "UNION",
    "UNION ALL",
    "INTERSECT",
    "EXCEPT",
    "INSERT INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE FROM",
    "CREATE TABLE",
    "CREATE INDEX",
    "DROP TABLE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "CAST",
    "::",
    "(",
    ")",
    ",",
    "*",
    "+",
    "-",
    "/",
    "%",
    "=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "||",
    "t",
    "u",
    "v",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "x",
    "y",
    "z",
    "t.a",
    "count(*)",
    "sum(a)",
    "avg(c)",
    "min(b)",
    "max(d)",
    "coalesce(a, 1)",
    "nullif(a, 2)",
    "abs(c)",
    "lower(b)",
    "0",
    "1",
    "-1",
    "2147483647",
    "9223372036854775807",
    "1.5",
    "1e308",
    "'x'",
    "''",
    "'2024-02-30'",
    "int",
    "text",
    "numeric(3,1)",
    "varchar(2)",
    "date",
    "timestamp",
    "interval",
    "jsonb",
    "uuid",
    "bytea",
    "$1",
    "?",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "ALL",
    "ANY",
    "'{\"a\":1}'",
    ";",
];

const VALID: &[&str] = &[
    "SELECT a, b FROM t WHERE a > 1 ORDER BY a DESC",
    "SELECT count(*), sum(d), avg(c) FROM t GROUP BY e HAVING count(*) > 0",
    "SELECT * FROM t JOIN u ON t.a = u.x WHERE u.y LIKE 'p%'",
    "SELECT a FROM t WHERE a IN (SELECT x FROM u) AND EXISTS (SELECT 1 FROM u WHERE u.x = t.a)",
    "SELECT (SELECT max(z) FROM u), CASE WHEN a = 1 THEN 'x' ELSE b END FROM t",
    "INSERT INTO u VALUES (10, 'r', 5)",
    "UPDATE t SET c = c * 2, b = b || 'x' WHERE a BETWEEN 1 AND 2",
    "DELETE FROM u WHERE z IS NULL",
    "SELECT a::text, CAST(c AS int), d + 1, f + 1 FROM t",
    "SELECT DISTINCT b FROM t UNION SELECT y FROM u ORDER BY 1 LIMIT 2 OFFSET 1",
    "CREATE TABLE w (k int PRIMARY KEY, v text DEFAULT 'z')",
    "SELECT * FROM v WHERE a = $1",
    "SELECT a, b FROM t WHERE b = $1 AND c > $2",
];

fn garble(sql: &str, ops: &[(u8, usize, usize)]) -> String {
    let mut s: Vec<char> = sql.chars().collect();
    for &(op, pos, tok) in ops {
        if s.is_empty() {
            break;
        }
        let p = pos % (s.len() + 1);
        match op % 5 {
            0 => {
                if p < s.len() {
                    s.remove(p);
                }
            }
            1 => {
                let t: Vec<char> = format!(" {} ", TOKENS[tok % TOKENS.len()]).chars().collect();
                s.splice(p..p, t);
            }
            2 => s.truncate(p),
            3 => {
                let c = ['(', ')', '\'', '"', ',', ';', '$', '?', '\\', '\u{0}', 'é', '-'][tok % 12];
                s.insert(p, c);
            }
            _ => {
                if p + 1 < s.len() {
                    s.swap(p, p + 1);
                }
            }
        }
    }
    s.into_iter().collect()
}

fn value_strategy() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::Int4),
        any::<i64>().prop_map(Value::Int8),
        any::<f64>().prop_map(Value::Float8),
        ".{0,12}".prop_map(|s: String| Value::text(s)),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in proptest::collection::vec(0..TOKENS.len(), 1..24)) {
        let (_db, conn) = setup();
        let sql: Vec<&str> = tokens.iter().map(|&i| TOKENS[i]).collect();
        no_panic(&conn, &sql.join(" "), &[])?;
    }

    #[test]
    fn garbled_statements_never_panic(
        which in 0..VALID.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..5),
    ) {
        let (_db, conn) = setup();
        no_panic(&conn, &garble(VALID[which], &ops), &[])?;
    }

    #[test]
    fn random_parameters_never_panic(
        which in 0..VALID.len(),
        params in proptest::collection::vec(value_strategy(), 0..4),
    ) {
        let (_db, conn) = setup();
        no_panic(&conn, VALID[which], &params)?;
    }
}

#[test]
fn hostile_inputs_give_errors() {
    let (_db, conn) = setup();
    let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
    let long_or = format!("SELECT 1 FROM t WHERE {}", vec!["a = 1"; 5000].join(" OR "));
    let long_sum = format!("SELECT {}", vec!["a"; 5000].join(" + "));
    for sql in [
        deep.as_str(),
        long_or.as_str(),
        long_sum.as_str(),
        "SELECT 'unterminated",
        "SELECT $99999999999",
        "SELECT 1e999999",
        "SELECT -9223372036854775808 - 1",
        "SELECT '2024-13-45'::date",
        "SELECT 'x'::int",
        "SELECT 1/0",
        "\u{0}",
        "",
        ";;;",
    ] {
        let r = catch_unwind(AssertUnwindSafe(|| conn.with_session(|s| s.execute(sql, &[]).map(|_| ()))));
        assert!(r.is_ok(), "panic on {}", &sql[..sql.len().min(60)]);
    }
}

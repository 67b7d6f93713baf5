//! The server as tokio-postgres sees it: every type in binary and text formats,
//! portals, COPY, cancel, concurrent clients, limits, timeouts and shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::err_expect)]

mod common;

use cachet_pg::Config;
use common::{connect, connect_str, TestServer};
use futures::{SinkExt, StreamExt};
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::types::Type;
use tokio_postgres::SimpleQueryMessage;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn every_type_round_trips_in_binary_and_text() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute(
            "CREATE TABLE ty (id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, \
             n numeric(12,3), t text, vc varchar(10), bc char(4), by bytea, d date, tm time, ts timestamp, \
             tz timestamptz, u uuid, j json, jb jsonb, ai int4[], at text[])",
        )
        .await
        .unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let time = chrono::NaiveTime::from_hms_micro_opt(13, 14, 15, 123_456).unwrap();
        let ts = date.and_time(time);
        let tz = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(ts, chrono::Utc);
        let uuid = uuid::Uuid::from_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").unwrap();
        let json = serde_json::json!({"a": [1, 2, {"b": null}]});
        let num = rust_decimal::Decimal::from_str("-12345.678").unwrap();
        let ai: Vec<Option<i32>> = vec![Some(1), None, Some(-3)];
        let at: Vec<String> = vec!["x".into(), "y z".into(), "".into()];
        // Binary parameters (types inferred from the columns).
        let n = c
            .execute(
                "INSERT INTO ty VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
                &[
                    &1i32,
                    &true,
                    &-7i16,
                    &i32::MIN,
                    &i64::MAX,
                    &1.5f32,
                    &-0.1f64,
                    &num,
                    &"héllo",
                    &"short",
                    &"ab",
                    &vec![0u8, 1, 255],
                    &date,
                    &time,
                    &ts,
                    &tz,
                    &uuid,
                    &json,
                    &json,
                    &ai,
                    &at,
                ],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        // Binary results.
        let row = c.query_one("SELECT * FROM ty WHERE id = $1", &[&1i32]).await.unwrap();
        assert!(row.get::<_, bool>("b"));
        assert_eq!(row.get::<_, i16>("i2"), -7);
        assert_eq!(row.get::<_, i32>("i4"), i32::MIN);
        assert_eq!(row.get::<_, i64>("i8"), i64::MAX);
        assert_eq!(row.get::<_, f32>("f4"), 1.5);
        assert_eq!(row.get::<_, f64>("f8"), -0.1);
        assert_eq!(row.get::<_, rust_decimal::Decimal>("n"), num);
        assert_eq!(row.get::<_, String>("t"), "héllo");
        assert_eq!(row.get::<_, String>("vc"), "short");
        assert_eq!(row.get::<_, String>("bc"), "ab  ");
        assert_eq!(row.get::<_, Vec<u8>>("by"), vec![0u8, 1, 255]);
        assert_eq!(row.get::<_, chrono::NaiveDate>("d"), date);
        assert_eq!(row.get::<_, chrono::NaiveTime>("tm"), time);
        assert_eq!(row.get::<_, chrono::NaiveDateTime>("ts"), ts);
        assert_eq!(row.get::<_, chrono::DateTime<chrono::Utc>>("tz"), tz);
        assert_eq!(row.get::<_, uuid::Uuid>("u"), uuid);
        assert_eq!(row.get::<_, serde_json::Value>("j"), json);
        assert_eq!(row.get::<_, serde_json::Value>("jb"), json);
        assert_eq!(row.get::<_, Vec<Option<i32>>>("ai"), ai);
        assert_eq!(row.get::<_, Vec<String>>("at"), at);
        let types: Vec<Type> = row.columns().iter().map(|c| c.type_().clone()).collect();
        assert_eq!(types[7], Type::NUMERIC);
        assert_eq!(types[9], Type::VARCHAR);
        assert_eq!(types[10], Type::BPCHAR);
        assert_eq!(types[19], Type::INT4_ARRAY);
        // Text results of the same row.
        let msgs = c.simple_query("SELECT b, n, by, d, tm, ts, tz, ai, at FROM ty").await.unwrap();
        let SimpleQueryMessage::Row(r) = &msgs[1] else { panic!("{msgs:?}") };
        let texts: Vec<&str> = (0..r.len()).map(|i| r.get(i).unwrap()).collect();
        assert_eq!(
            texts,
            [
                "t",
                "-12345.678",
                "\\x0001ff",
                "2024-02-29",
                "13:14:15.123456",
                "2024-02-29 13:14:15.123456",
                "2024-02-29 13:14:15.123456+00",
                "{1,NULL,-3}",
                "{x,\"y z\",\"\"}"
            ]
        );
        // Interval, NULLs and numeric edge cases through binary.
        let row = c
            .query_one("SELECT '1 year 2 mons 3 days 04:05:06.5'::interval::text, NULL::int, 0.0001::numeric, 1e20::numeric", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "1 year 2 mons 3 days 04:05:06.5");
        assert_eq!(row.get::<_, Option<i32>>(1), None);
        assert_eq!(row.get::<_, rust_decimal::Decimal>(2), rust_decimal::Decimal::from_str("0.0001").unwrap());
        assert_eq!(row.get::<_, rust_decimal::Decimal>(3), rust_decimal::Decimal::from_str("100000000000000000000").unwrap());
    });
}

#[test]
fn explicit_parameter_types_win() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, v text)").await.unwrap();
        // The client declares int4 for a bigint column (as JDBC's setInt does).
        let stmt = c.prepare_typed("INSERT INTO t VALUES ($1, $2)", &[Type::INT4, Type::VARCHAR]).await.unwrap();
        assert_eq!(stmt.params(), &[Type::INT4, Type::VARCHAR]);
        c.execute(&stmt, &[&7i32, &"seven"]).await.unwrap();
        let stmt = c.prepare("SELECT v FROM t WHERE id = $1").await.unwrap();
        assert_eq!(stmt.params(), &[Type::INT8]);
        let row = c.query_one(&stmt, &[&7i64]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "seven");
        // Unconstrained parameters default to text.
        let stmt = c.prepare("SELECT $1").await.unwrap();
        assert_eq!(stmt.params(), &[Type::TEXT]);
    });
}

#[test]
fn portals_fetch_in_batches() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let mut c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)").await.unwrap();
        let ins = c.prepare("INSERT INTO t VALUES ($1)").await.unwrap();
        for i in 0..25 {
            c.execute(&ins, &[&i]).await.unwrap();
        }
        let tx = c.transaction().await.unwrap();
        let portal = tx.bind("SELECT id FROM t ORDER BY id", &[]).await.unwrap();
        let mut seen = Vec::new();
        loop {
            let rows = tx.query_portal(&portal, 10).await.unwrap();
            if rows.is_empty() {
                break;
            }
            assert!(rows.len() <= 10);
            seen.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
        }
        assert_eq!(seen, (0..25).collect::<Vec<_>>());
        tx.commit().await.unwrap();
    });
}

#[test]
fn copy_in_and_out() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE c (id int PRIMARY KEY, name text, score float8)").await.unwrap();
        let sink = c.copy_in("COPY c (id, name, score) FROM STDIN WITH (FORMAT csv)").await.unwrap();
        let mut sink = Box::pin(sink);
        let mut data = String::new();
        for i in 0..1000 {
            data.push_str(&format!("{i},\"name, {i}\",{}\n", i as f64 / 4.0));
        }
        sink.send(bytes::Bytes::from(data)).await.unwrap();
        let n = sink.as_mut().finish().await.unwrap();
        assert_eq!(n, 1000);
        let row = c.query_one("SELECT count(*), sum(score) FROM c", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 1000);
        assert_eq!(row.get::<_, f64>(1), 124875.0);
        let stream = c.copy_out("COPY (SELECT id, name FROM c WHERE id < 3 ORDER BY id) TO STDOUT").await.unwrap();
        let chunks: Vec<bytes::Bytes> = stream.map(|r| r.unwrap()).collect().await;
        let text: String = chunks.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
        assert_eq!(text, "0\tname, 0\n1\tname, 1\n2\tname, 2\n");
        // A COPY inside the client's transaction is part of it.
        c.batch_execute("BEGIN").await.unwrap();
        let sink = c.copy_in("COPY c FROM STDIN").await.unwrap();
        let mut sink = Box::pin(sink);
        sink.send(bytes::Bytes::from_static(b"5000\tx\t1\n")).await.unwrap();
        sink.as_mut().finish().await.unwrap();
        c.batch_execute("ROLLBACK").await.unwrap();
        let row = c.query_one("SELECT count(*) FROM c", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 1000);
    });
}

#[test]
fn cancel_stops_a_running_query() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE big (id int PRIMARY KEY)").await.unwrap();
        let digits = "(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9))";
        c.batch_execute(&format!(
            "INSERT INTO big SELECT a.x * 100 + b.x * 10 + c.x FROM {digits} a(x), {digits} b(x), {digits} c(x)"
        ))
        .await
        .unwrap();
        let token = c.cancel_token();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            token.cancel_query(tokio_postgres::NoTls).await.unwrap();
        });
        let started = std::time::Instant::now();
        // A correlated subquery scans `big` once per outer row: 10^9 rows in all, far
        // longer than the test waits, and scans are where the engine checks for cancel.
        let err = c
            .query(
                "SELECT count(*) FROM big a, big b WHERE (SELECT count(*) FROM big c WHERE c.id >= a.id) > b.id",
                &[],
            )
            .await
            .unwrap_err();
        canceller.await.unwrap();
        assert_eq!(err.code(), Some(&tokio_postgres::error::SqlState::QUERY_CANCELED), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "cancel took {:?}", started.elapsed());
        // The session goes on.
        let row = c.query_one("SELECT 1", &[]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 1);
    });
}

#[test]
fn concurrent_clients() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE counter (id int PRIMARY KEY, n int); INSERT INTO counter VALUES (1, 0); CREATE TABLE log (c int, i int)").await.unwrap();
        let mut tasks = Vec::new();
        for client in 0..8 {
            let conn = server.conn_str("alice");
            tasks.push(tokio::spawn(async move {
                let c = connect_str(&conn).await.unwrap();
                let bump = c.prepare("UPDATE counter SET n = n + 1 WHERE id = 1").await.unwrap();
                let log = c.prepare("INSERT INTO log VALUES ($1, $2)").await.unwrap();
                for i in 0..50 {
                    c.batch_execute("BEGIN").await.unwrap();
                    c.execute(&bump, &[]).await.unwrap();
                    c.execute(&log, &[&client, &i]).await.unwrap();
                    c.batch_execute("COMMIT").await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let row = c.query_one("SELECT n, (SELECT count(*) FROM log) FROM counter", &[]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 400);
        assert_eq!(row.get::<_, i64>(1), 400);
    });
}

#[test]
fn too_many_connections() {
    let server = TestServer::start(Config { max_connections: 2, ..Config::default() });
    rt().block_on(async {
        let a = connect(&server, "alice").await;
        let _b = connect(&server, "alice").await;
        let err = connect_str(&server.conn_str("alice")).await.err().expect("the third connection is refused");
        assert_eq!(err.code(), Some(&tokio_postgres::error::SqlState::TOO_MANY_CONNECTIONS));
        drop(a);
        // The slot frees when the connection ends.
        let mut ok = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if connect_str(&server.conn_str("alice")).await.is_ok() {
                ok = true;
                break;
            }
        }
        assert!(ok);
    });
}

#[test]
fn idle_sessions_time_out() {
    let server = TestServer::start(Config { idle_timeout: Some(Duration::from_millis(300)), ..Config::default() });
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.simple_query("SELECT 1").await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert!(c.simple_query("SELECT 1").await.is_err());
        assert!(c.is_closed());
    });
}

#[test]
fn shutdown_waits_for_sessions_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let db = cachet::Database::open(dir.path()).unwrap();
    let server = TestServer::start_with(db, Config::default());
    rt().block_on(async {
        let c = connect(&server, "alice").await;
        c.batch_execute("CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept VALUES (1), (2)").await.unwrap();
        // An open transaction is rolled back by the shutdown.
        c.batch_execute("BEGIN; INSERT INTO kept VALUES (3)").await.unwrap();
    });
    server.stop();
    let db = cachet::Database::open(dir.path()).unwrap();
    let n: i64 = db.connect().query_row("SELECT count(*) FROM kept", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
}

#[test]
fn idle_clients_are_told_at_shutdown() {
    let server = TestServer::start(Config::default());
    let runtime = rt();
    let c = runtime.block_on(async { connect(&server, "alice").await });
    server.stop();
    runtime.block_on(async {
        assert!(c.simple_query("SELECT 1").await.is_err());
    });
}

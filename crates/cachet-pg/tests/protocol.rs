//! The wire protocol, message by message: a raw client checks what drivers hide,
//! tokio-postgres checks that a real driver gets what it expects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cachet_pg::Config;
use common::{status, tags, Raw, TestServer};

#[test]
fn startup_reports_parameters_and_key() {
    let server = TestServer::start(Config::default());
    let raw = Raw::connect(server.addr, "alice");
    let p = &raw.parameters;
    assert_eq!(p["server_version"].split_whitespace().next(), Some("15.0"));
    assert_eq!(p["server_encoding"], "UTF8");
    assert_eq!(p["client_encoding"], "UTF8");
    assert_eq!(p["DateStyle"], "ISO, MDY");
    assert_eq!(p["integer_datetimes"], "on");
    assert_eq!(p["standard_conforming_strings"], "on");
    assert_eq!(p["TimeZone"], "UTC");
    assert_eq!(p["application_name"], "raw-test");
    assert_eq!(p["session_authorization"], "alice");
    assert_eq!(p["is_superuser"], "on");
    assert!(raw.pid != 0);
}

#[test]
fn simple_query_messages_tags_and_status() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    let m = raw.simple("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, NULL); SELECT * FROM t ORDER BY id; UPDATE t SET v = 'b' WHERE id = 2; DELETE FROM t WHERE id = 9");
    assert_eq!(tags(&m), "CCTDDCCCZ");
    let cc: Vec<String> = m.iter().filter(|m| m.tag == b'C').map(|m| m.tag_text()).collect();
    assert_eq!(cc, ["CREATE TABLE", "INSERT 0 2", "SELECT 2", "UPDATE 1", "DELETE 0"]);
    let rows: Vec<Vec<Option<String>>> = m.iter().filter(|m| m.tag == b'D').map(|m| m.text_row()).collect();
    assert_eq!(rows, vec![vec![Some("1".into()), Some("a".into())], vec![Some("2".into()), None]]);
    assert_eq!(status(&m), 'I');

    // Empty queries.
    assert_eq!(tags(&raw.simple("")), "IZ");
    assert_eq!(tags(&raw.simple(" ; -- nothing\n")), "IZ");

    // Transaction status: in a block, failed, back to idle.
    assert_eq!(status(&raw.simple("BEGIN")), 'T');
    let m = raw.simple("SELECT 1/0");
    assert_eq!(tags(&m), "EZ");
    assert_eq!(m[0].fields()[&b'C'], "22012");
    assert_eq!(status(&m), 'E');
    let m = raw.simple("SELECT 1");
    assert_eq!(m[0].fields()[&b'C'], "25P02");
    assert_eq!(status(&raw.simple("ROLLBACK")), 'I');
}

#[test]
fn an_error_stops_the_rest_of_a_simple_query() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.simple("CREATE TABLE t (id int PRIMARY KEY)");
    let m = raw.simple("INSERT INTO t VALUES (1); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)");
    assert_eq!(tags(&m), "CEZ");
    let e = m[1].fields();
    assert_eq!(e[&b'C'], "23505");
    assert_eq!(e[&b'S'], "ERROR");
    let m = raw.simple("SELECT count(*) FROM t");
    assert_eq!(m[1].text_row(), vec![Some("1".to_string())]);
    // A syntax error anywhere means nothing runs, as PostgreSQL parses the whole string first.
    let m = raw.simple("INSERT INTO t VALUES (5); SELEC 1");
    assert_eq!(tags(&m), "EZ");
    let e = m[0].fields();
    assert_eq!(e[&b'C'], "42601");
    assert_eq!(e[&b'P'], "27", "the position counts from the start of the whole query");
    let m = raw.simple("SELECT count(*) FROM t");
    assert_eq!(m[1].text_row(), vec![Some("1".to_string())]);
}

#[test]
fn error_fields_position_and_detail() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    let m = raw.simple("SELECT 1;\nSELECT nosuch FROM (SELECT 1) s");
    let e = m.iter().find(|m| m.tag == b'E').unwrap().fields();
    assert_eq!(e[&b'C'], "42703");
    assert_eq!(e[&b'M'], "column \"nosuch\" does not exist");
    assert_eq!(e[&b'P'], "18");
    raw.simple("CREATE TABLE u (id int PRIMARY KEY)");
    raw.simple("INSERT INTO u VALUES (1)");
    let m = raw.simple("INSERT INTO u VALUES (1)");
    let e = m[0].fields();
    assert_eq!(e[&b'C'], "23505");
    assert!(e.contains_key(&b'D'), "unique violations carry a detail: {e:?}");
}

#[test]
fn notices_and_warnings() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    let m = raw.simple("ROLLBACK");
    assert_eq!(tags(&m), "NCZ");
    let n = m[0].fields();
    assert_eq!(n[&b'S'], "WARNING");
    assert_eq!(n[&b'C'], "25P01");
    assert_eq!(n[&b'M'], "there is no transaction in progress");
    let m = raw.simple("DROP TABLE IF EXISTS nothing_here");
    assert_eq!(tags(&m), "NCZ");
}

#[test]
fn row_description_types_and_typmods() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.simple("CREATE TABLE ty (a int2, b int4, c int8, d float4, e float8, f numeric(10,2), g text, h varchar(20), i char(5), j bytea, k date, l time, m timestamp, n timestamptz, o interval, p uuid, q json, r jsonb, s int4[], t bool)");
    let m = raw.simple("SELECT * FROM ty");
    let fields = m[0].row_description();
    let got: Vec<(u32, i16, i32)> = fields.iter().map(|f| (f.oid, f.typlen, f.typmod)).collect();
    let want = vec![
        (21, 2, -1),
        (23, 4, -1),
        (20, 8, -1),
        (700, 4, -1),
        (701, 8, -1),
        (1700, -1, (10 << 16 | 2) + 4),
        (25, -1, -1),
        (1043, -1, 24),
        (1042, -1, 9),
        (17, -1, -1),
        (1082, 4, -1),
        (1083, 8, -1),
        (1114, 8, -1),
        (1184, 8, -1),
        (1186, 16, -1),
        (2950, 16, -1),
        (114, -1, -1),
        (3802, -1, -1),
        (1007, -1, -1),
        (16, 1, -1),
    ];
    assert_eq!(got, want);
    assert!(fields.iter().all(|f| f.format == 0));
}

#[test]
fn extended_protocol_named_statements_portals_and_close() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.simple("CREATE TABLE t (id int PRIMARY KEY, v text)");
    raw.simple("INSERT INTO t SELECT x, 'v' || x FROM (VALUES (1),(2),(3),(4),(5)) AS s(x)");
    // Parse a named statement with an inferred parameter, describe it.
    raw.send(&[
        Raw::parse("by_min", "SELECT id, v FROM t WHERE id >= $1 ORDER BY id", &[]),
        Raw::describe(b'S', "by_min"),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "1tTZ");
    assert_eq!(&m[1].body, &[0, 1, 0, 0, 0, 23], "one int4 parameter");
    // A portal fetched two rows at a time: PortalSuspended between batches.
    raw.send(&[
        Raw::bind("p1", "by_min", &[], &[Some(b"2")], &[]),
        Raw::execute("p1", 2),
        Raw::execute("p1", 2),
        Raw::execute("p1", 2),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "2DDsDDsCZ");
    assert_eq!(m.iter().find(|m| m.tag == b'C').unwrap().tag_text(), "SELECT 0");
    // Unnamed statement and portal, binary parameter, binary result for one column.
    raw.send(&[
        Raw::parse("", "SELECT id, v FROM t WHERE id = $1", &[20]),
        Raw::bind("", "", &[1], &[Some(&5i64.to_be_bytes())], &[1, 0]),
        Raw::describe(b'P', ""),
        Raw::execute("", 0),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "12TDCZ");
    let f = m[2].row_description();
    assert_eq!((f[0].format, f[1].format), (1, 0));
    assert_eq!(m[3].data_row(), vec![Some(5i32.to_be_bytes().to_vec()), Some(b"v5".to_vec())]);
    assert_eq!(m[4].tag_text(), "SELECT 1");
    // Close the named statement; binding it again fails with 26000, and the rest is
    // skipped until Sync.
    raw.send(&[
        Raw::close(b'S', "by_min"),
        Raw::bind("", "by_min", &[], &[Some(b"1")], &[]),
        Raw::execute("", 0),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "3EZ");
    assert_eq!(m[1].fields()[&b'C'], "26000");
    // Empty statement: EmptyQueryResponse; statements without rows: NoData.
    raw.send(&[
        Raw::parse("", "", &[]),
        Raw::bind("", "", &[], &[], &[]),
        Raw::describe(b'P', ""),
        Raw::execute("", 0),
        Raw::parse("ins", "INSERT INTO t VALUES ($1, $2)", &[]),
        Raw::describe(b'S', "ins"),
        Raw::bind("", "ins", &[], &[Some(b"10"), None], &[]),
        Raw::execute("", 0),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "12nI1tn2CZ");
    assert_eq!(m[m.len() - 2].tag_text(), "INSERT 0 1");
    // Transaction status through the extended protocol.
    raw.send(&[Raw::parse("", "BEGIN", &[]), Raw::bind("", "", &[], &[], &[]), Raw::execute("", 0), Raw::sync()]);
    assert_eq!(status(&raw.until_ready()), 'T');
    raw.send(&[Raw::parse("", "SELECT 1/0", &[]), Raw::bind("", "", &[], &[], &[]), Raw::execute("", 0), Raw::sync()]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "12EZ");
    assert_eq!(status(&m), 'E');
    assert_eq!(status(&raw.simple("ROLLBACK")), 'I');
}

#[test]
fn wrong_parameter_count_is_a_protocol_error() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.send(&[
        Raw::parse("", "SELECT $1::int + $2::int", &[]),
        Raw::bind("", "", &[], &[Some(b"1")], &[]),
        Raw::sync(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "1EZ");
    assert_eq!(m[1].fields()[&b'C'], "08P01");
}

#[test]
fn set_show_reset_and_parameter_status() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    let m = raw.simple("SET TimeZone = 'Europe/Paris'");
    let s: Vec<&common::Msg> = m.iter().filter(|m| m.tag == b'S').collect();
    assert_eq!(s.len(), 1, "one ParameterStatus for the changed parameter");
    assert!(String::from_utf8_lossy(&s[0].body).starts_with("TimeZone\0Europe/Paris"));
    let m = raw.simple("SHOW TimeZone");
    assert_eq!(m[1].text_row(), vec![Some("Europe/Paris".to_string())]);
    let m = raw.simple("SELECT '2024-01-01 12:00:00+00'::timestamptz");
    assert_eq!(m[1].text_row(), vec![Some("2024-01-01 13:00:00+01".to_string())]);
    let m = raw.simple("RESET TimeZone");
    assert!(m.iter().any(|m| m.tag == b'S'));
    let m = raw.simple("SHOW application_name");
    assert_eq!(m[1].text_row(), vec![Some("raw-test".to_string())]);
}

#[test]
fn copy_through_the_raw_protocol() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.simple("CREATE TABLE c (id int PRIMARY KEY, v text, n numeric)");
    // COPY in the middle of a multi-statement query: the rest runs after CopyDone.
    raw.send(&[Raw::query("SELECT 1; COPY c FROM STDIN; SELECT count(*) FROM c")]);
    let m = raw.read();
    assert_eq!(m.tag, b'T');
    let mut m = raw.read();
    while m.tag != b'G' {
        m = raw.read();
    }
    raw.send(&[
        Raw::copy_data(b"1\tone\t1.5\n2\t"),
        Raw::copy_data(b"\\N\t\\N\n3\ttab\\there\t-2\n\\.\n"),
        Raw::copy_done(),
    ]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "CTDCZ");
    assert_eq!(m[0].tag_text(), "COPY 3");
    assert_eq!(m[2].text_row(), vec![Some("3".to_string())]);
    let m = raw.simple("SELECT v FROM c WHERE id = 3");
    assert_eq!(m[1].text_row(), vec![Some("tab\there".to_string())]);
    // A bad value: the error names the line and column, and nothing is kept.
    raw.send(&[Raw::query("COPY c FROM STDIN (FORMAT csv)")]);
    assert_eq!(raw.read().tag, b'G');
    raw.send(&[Raw::copy_data(b"10,x,1\n11,y,notanumber\n"), Raw::copy_done()]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "EZ");
    let e = m[0].fields();
    assert_eq!(e[&b'C'], "22P02");
    assert_eq!(e[&b'W'], "COPY c, line 2, column n: \"notanumber\"");
    let m = raw.simple("SELECT count(*) FROM c");
    assert_eq!(m[1].text_row(), vec![Some("3".to_string())]);
    // CopyFail from the client.
    raw.send(&[Raw::query("COPY c FROM STDIN")]);
    assert_eq!(raw.read().tag, b'G');
    raw.send(&[Raw::copy_data(b"20\tz\t1\n"), Raw::copy_fail("client gave up")]);
    let m = raw.until_ready();
    assert_eq!(tags(&m), "EZ");
    assert_eq!(m[0].fields()[&b'C'], "57014");
    // COPY TO STDOUT in CSV with a header.
    let m = raw.simple("COPY (SELECT id, v FROM c ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)");
    assert_eq!(tags(&m), "HddddcCZ", "one CopyData per row");
    let data: Vec<String> =
        m.iter().filter(|m| m.tag == b'd').map(|m| String::from_utf8_lossy(&m.body).into_owned()).collect();
    assert_eq!(data, ["id,v\n", "1,one\n", "2,\n", "3,tab\there\n"]);
    assert_eq!(m[6].tag_text(), "COPY 3");
}

#[test]
fn cancel_request_with_wrong_key_is_ignored() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    // A CancelRequest for a pid that does not exist, then one with a wrong key.
    for (pid, key) in [(raw.pid + 1000, raw.secret), (raw.pid, raw.secret.wrapping_add(1))] {
        let mut s = std::net::TcpStream::connect(server.addr).unwrap();
        let mut m = 16i32.to_be_bytes().to_vec();
        m.extend_from_slice(&80877102i32.to_be_bytes());
        m.extend_from_slice(&pid.to_be_bytes());
        m.extend_from_slice(&key.to_be_bytes());
        std::io::Write::write_all(&mut s, &m).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let m = raw.simple("SELECT 1");
    assert_eq!(tags(&m), "TDCZ");
}

#[test]
fn session_identity_reaches_the_engine() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    let m = raw.simple("SELECT current_user, session_user, pg_backend_pid()");
    assert_eq!(m[1].text_row(), vec![Some("alice".to_string()), Some("alice".to_string()), Some(raw.pid.to_string())]);
    // No database name in the start-up packet: libpq's default, the user name.
    let m = raw.simple("SELECT current_database()");
    assert_eq!(m[1].text_row(), vec![Some("alice".to_string())]);
    let m = raw.simple("SHOW is_superuser");
    assert_eq!(m[1].text_row(), vec![Some("on".to_string())]);
}

#[test]
fn deallocate_and_discard_act_on_protocol_statements() {
    let server = TestServer::start(Config::default());
    let mut raw = Raw::connect(server.addr, "alice");
    raw.send(&[Raw::parse("s1", "SELECT 1", &[]), Raw::parse("S2", "SELECT 2", &[]), Raw::sync()]);
    assert_eq!(tags(&raw.until_ready()), "11Z");
    let m = raw.simple("DEALLOCATE s1");
    assert_eq!(m[0].tag_text(), "DEALLOCATE");
    let m = raw.simple("DEALLOCATE s1");
    assert_eq!(m[0].fields()[&b'C'], "26000");
    let m = raw.simple("DEALLOCATE PREPARE \"S2\"");
    assert_eq!(tags(&m), "CZ");
    raw.send(&[Raw::parse("s3", "SELECT 3", &[]), Raw::sync()]);
    raw.until_ready();
    assert_eq!(raw.simple("DEALLOCATE ALL")[0].tag_text(), "DEALLOCATE ALL");
    raw.send(&[Raw::bind("", "s3", &[], &[], &[]), Raw::sync()]);
    assert_eq!(raw.until_ready()[0].fields()[&b'C'], "26000");
    raw.simple("SET TimeZone = 'Asia/Tokyo'");
    let m = raw.simple("DISCARD ALL");
    assert!(m.iter().any(|m| m.tag == b'C' && m.tag_text() == "DISCARD ALL"));
    let m = raw.simple("SHOW TimeZone");
    assert_eq!(m[1].text_row(), vec![Some("UTC".to_string())]);
}

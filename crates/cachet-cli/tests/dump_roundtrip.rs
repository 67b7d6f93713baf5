//! `.dump` round trip: a database with many types, NULLs, awkward strings, constraints,
//! indexes, cache options and views is dumped, the dump is loaded into a fresh
//! database and dumped again. Both dumps must be equal, and the same queries must
//! return the same rows from both databases.

// Test helpers panic on failure by design; clippy.toml only exempts #[test] bodies.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const SCHEMA_AND_DATA: &str = r#"
CREATE TABLE kinds (
  id integer PRIMARY KEY,
  b boolean, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric, n2 numeric(8,3),
  t text, vc varchar(12), ch char(4), by bytea, d date, tm time, ts timestamp, tz timestamptz,
  iv interval, u uuid, j json, jb jsonb, ia integer[], ta text[]
);
INSERT INTO kinds VALUES
  (1, true, -32768, -9223372036854775808, 1.25, 'NaN', 12.5000, -3.142,
   'it''s "quoted"; -- not a comment', 'back\slash', 'ab', '\x00ff10', '2024-02-29', '23:59:59.5',
   '2024-01-01 00:00:00', '2024-01-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2], "s": "x''y"}', '{"b": null}', '{1,2,NULL}', '{"a b","c,d",NULL,""}'),
  (2, false, 32767, 9223372036854775807, '-Infinity', '-0', -0.001, 0,
   E'line\nbreak\ttab', '', '', '\x', '0001-01-01', '00:00:00', '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00',
   '-1 days', '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE "Mixed Case" ("select" text NOT NULL DEFAULT 'dflt', "Col" integer, CONSTRAINT mixed_check CHECK ("Col" > 0), UNIQUE ("select"));
INSERT INTO "Mixed Case" VALUES ('a', 1), ('b', NULL), ('ünï''cødé', 3);
CREATE TABLE cached (k text PRIMARY KEY, v bigint) WITH (ttl = '5 minutes', evictable = false);
INSERT INTO cached VALUES ('one', 1), ('two', 2);
CREATE TABLE empty (a integer, b text);
CREATE INDEX kinds_t ON kinds (t, d);
CREATE UNIQUE INDEX cached_v ON cached (v);
CREATE VIEW z_base AS SELECT id, t FROM kinds WHERE id < 3;
CREATE VIEW a_on_top (ident, txt) AS SELECT id, t FROM z_base WHERE id > 1;
"#;

const QUERIES: &str = r#"
.mode csv
SELECT * FROM kinds ORDER BY id;
SELECT * FROM "Mixed Case" ORDER BY "select";
SELECT * FROM cached ORDER BY k;
SELECT count(*) FROM empty;
SELECT * FROM a_on_top ORDER BY ident;
SELECT id, f4::text, f8::text, n::text FROM kinds ORDER BY id;
"#;

/// Runs cachet on `script` in `dir`; returns its output, failing on any error.
fn cachet(dir: &Path, script: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cachet"))
        .args(["--quiet", "--bail", ":memory:"])
        .current_dir(dir)
        .env("CACHET_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "cachet failed ({}):\n{stderr}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn dump_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let original = cachet(dir.path(), &format!("{SCHEMA_AND_DATA}\n.output first.sql\n.dump\n.output\n{QUERIES}"));
    let reloaded = cachet(dir.path(), &format!(".read first.sql\n.output second.sql\n.dump\n.output\n{QUERIES}"));
    let first = fs::read_to_string(dir.path().join("first.sql")).unwrap();
    let second = fs::read_to_string(dir.path().join("second.sql")).unwrap();
    assert_eq!(first, second, "the dump of the reloaded database differs");
    assert_eq!(original, reloaded, "queries differ after reloading the dump");

    // The dump holds what it should, in an order that loads.
    for needle in [
        "CREATE TABLE kinds (",
        "CONSTRAINT \"Mixed Case_select_key\" UNIQUE (\"select\")",
        "CONSTRAINT mixed_check CHECK (\"Col\" > 0)",
        "WITH (ttl = '00:05:00', evictable = false)",
        "CREATE INDEX kinds_t ON kinds (t, d);",
        "CREATE UNIQUE INDEX cached_v ON cached (v);",
        "INSERT INTO \"Mixed Case\" VALUES ('ünï''cødé', 3);",
    ] {
        assert!(first.contains(needle), "dump lacks {needle:?}:\n{first}");
    }
    let base = first.find("CREATE VIEW z_base").expect("view z_base dumped");
    let on_top = first.find("CREATE VIEW a_on_top").expect("view a_on_top dumped");
    assert!(base < on_top, "a view must follow the views it uses:\n{first}");
    assert!(first.trim_end().ends_with("COMMIT;"));
    // Sanity: the queries saw the data.
    assert!(original.contains("9223372036854775807"), "{original}");
    assert!(original.contains("ünï'cødé,3"), "{original}");
}

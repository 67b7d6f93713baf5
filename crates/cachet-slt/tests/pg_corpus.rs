//! Runs SQLite's sqllogictest corpus against a real PostgreSQL server and checks
//! that every record in Cachet's expected-failures list fails under PostgreSQL
//! too: the list may only hold behaviour PostgreSQL does not have. Needs
//! `CACHET_TEST_PG`, a connection string such as
//! `host=localhost user=postgres password=postgres`; skipped without it. Writes
//! PostgreSQL's failing records to the file named by `CACHET_SLT_WRITE_FAILURES`,
//! if set.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use cachet_slt::{Cell, Config, Runner, SltDatabase};

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

struct Pg {
    client: postgres::Client,
    admin: postgres::Client,
    name: String,
}

impl Pg {
    fn open(conn: &str) -> Result<Pg, String> {
        let mut admin = postgres::Client::connect(conn, postgres::NoTls).map_err(|e| e.to_string())?;
        let name = format!("slt_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).map_err(|e| e.to_string())?;
        let client =
            postgres::Client::connect(&format!("{conn} dbname={name}"), postgres::NoTls).map_err(|e| e.to_string())?;
        Ok(Pg { client, admin, name })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn err(e: postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

impl SltDatabase for Pg {
    fn statement(&mut self, sql: &str) -> Result<u64, String> {
        self.client.batch_execute(sql).map(|_| 0).map_err(err)
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
        let msgs = self.client.simple_query(sql).map_err(err)?;
        let mut rows = Vec::new();
        for m in msgs {
            if let postgres::SimpleQueryMessage::Row(r) = m {
                rows.push((0..r.len()).map(|i| r.get(i).map_or(Cell::Null, |s| Cell::Text(s.to_string()))).collect());
            }
        }
        Ok(rows)
    }
}

#[test]
fn postgres_on_the_corpus() {
    let Ok(conn) = std::env::var("CACHET_TEST_PG") else {
        eprintln!("SKIPPED: set CACHET_TEST_PG to a PostgreSQL connection string to run this test");
        return;
    };
    let dir = match std::env::var_os("CACHET_SLT_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sqllogictest"),
    };
    let mut config = Config::new("postgresql");
    config.max_failures_per_file = usize::MAX;
    let runner = Runner::new(config, || Pg::open(&conn));
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    if let Ok(path) = std::env::var("CACHET_SLT_WRITE_FAILURES") {
        let mut out = String::new();
        for f in summary.failures() {
            out.push_str(&format!("{}:{}  # {}\n", f.path, f.line, f.message.replace('\n', " ")));
        }
        std::fs::write(path, out).unwrap();
    }
    let failed: std::collections::HashSet<String> =
        summary.failures().map(|f| format!("{}:{}", f.path, f.line)).collect();
    let listed =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cachet-expected-failures.txt"))
            .unwrap();
    let mut passing_in_pg = Vec::new();
    for line in listed.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let record = line.split_whitespace().next().unwrap();
        if !failed.iter().any(|f| f.ends_with(record)) {
            passing_in_pg.push(record.to_string());
        }
    }
    assert!(passing_in_pg.is_empty(), "listed as expected failures but PostgreSQL passes them: {passing_in_pg:?}");
}

//! The project's `.slt` suites over the wire: each file runs against a fresh
//! in-memory database served by an in-process server. Statements go through the
//! simple query protocol; queries through the extended protocol with text results,
//! so that each value is typed by its column's OID (which is how the runner's cells
//! are made).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cachet_pg::Config;
use cachet_slt::{Cell, Config as SltConfig, Runner, SltDatabase};
use common::{Msg, Raw, TestServer};
use std::path::PathBuf;

struct WireDb {
    raw: Raw,
    _server: TestServer,
}

fn error_text(m: &Msg) -> String {
    let f = m.fields();
    let mut s = format!(
        "{} (SQLSTATE {})",
        f.get(&b'M').cloned().unwrap_or_default(),
        f.get(&b'C').cloned().unwrap_or_default()
    );
    if let Some(d) = f.get(&b'D') {
        s.push_str(&format!("\nDETAIL: {d}"));
    }
    s
}

/// The cell for a text value of a column type, as the in-process adapter makes it.
fn cell(oid: u32, v: Option<String>) -> Cell {
    let Some(s) = v else { return Cell::Null };
    match oid {
        16 => Cell::Bool(s == "t"),
        20 | 21 | 23 => s.parse().map(Cell::Int).unwrap_or(Cell::Text(s)),
        701 => match s.as_str() {
            "NaN" => Cell::Float(f64::NAN),
            "Infinity" => Cell::Float(f64::INFINITY),
            "-Infinity" => Cell::Float(f64::NEG_INFINITY),
            _ => s.parse().map(Cell::Float).unwrap_or(Cell::Text(s)),
        },
        1700 => Cell::Numeric(s),
        _ => Cell::Text(s),
    }
}

impl SltDatabase for WireDb {
    fn statement(&mut self, sql: &str) -> Result<u64, String> {
        let msgs = self.raw.simple(sql);
        if let Some(e) = msgs.iter().find(|m| m.tag == b'E') {
            return Err(error_text(e));
        }
        let last = msgs.iter().rev().find(|m| m.tag == b'C');
        Ok(last.and_then(|m| m.tag_text().rsplit(' ').next().and_then(|n| n.parse().ok())).unwrap_or(0))
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
        self.raw.send(&[
            Raw::parse("", sql, &[]),
            Raw::bind("", "", &[], &[], &[]),
            Raw::describe(b'P', ""),
            Raw::execute("", 0),
            Raw::sync(),
        ]);
        let msgs = self.raw.until_ready();
        if let Some(e) = msgs.iter().find(|m| m.tag == b'E') {
            return Err(error_text(e));
        }
        let oids: Vec<u32> = msgs
            .iter()
            .find(|m| m.tag == b'T')
            .map(|m| m.row_description().iter().map(|f| f.oid).collect())
            .unwrap_or_default();
        Ok(msgs
            .iter()
            .filter(|m| m.tag == b'D')
            .map(|m| {
                m.text_row().into_iter().enumerate().map(|(i, v)| cell(oids.get(i).copied().unwrap_or(25), v)).collect()
            })
            .collect())
    }
}

#[test]
fn cachet_suites_pass_over_the_wire() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cachet/tests/slt");
    let mut config = SltConfig::new("postgresql");
    config.hash_threshold = 0;
    config.max_failures_per_file = usize::MAX;
    let runner = Runner::new(config, || {
        let server = TestServer::start(Config::default());
        let raw = Raw::connect(server.addr, "slt");
        Ok(WireDb { raw, _server: server })
    });
    let summary = runner.run_dir(&dir).unwrap();
    println!("{summary}");
    assert!(!summary.files.is_empty(), "no .slt files under {}", dir.display());
    assert!(summary.passed() > 0, "no record ran");
    assert!(summary.is_success(), "the suites fail over the wire:\n{summary}");
}

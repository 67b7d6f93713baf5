//! Runs the whole harness in `--quick` mode, as CI does, and checks that every workload
//! reported in every configuration it belongs to, on both engines, with matching
//! results. Speed is not checked: this is a smoke test of the harness.
#![allow(clippy::unwrap_used)]

use cachet_bench::{Report, Workload};
use std::process::Command;

#[test]
fn quick_run_reports_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    let (json, svg, md) = (dir.path().join("out.json"), dir.path().join("out.svg"), dir.path().join("out.md"));
    let output = Command::new(env!("CARGO_BIN_EXE_cachet-bench"))
        .arg("--quick")
        .arg("--dir")
        .arg(dir.path().join("db"))
        .arg("--json")
        .arg(&json)
        .arg("--svg")
        .arg(&svg)
        .arg("--markdown")
        .arg(&md)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cachet-bench --quick failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let report: Report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for w in Workload::ALL {
        for &config in w.configs() {
            let c = report
                .results
                .iter()
                .find(|c| c.workload == w && c.config == config)
                .unwrap_or_else(|| panic!("no result for {} ({})", w.id(), config.label()));
            let (cachet, sqlite) = (c.cachet.as_ref().unwrap(), c.sqlite.as_ref().unwrap());
            assert!(cachet.figures.ops > 0 && sqlite.figures.ops > 0, "{} ({}) ran nothing", w.id(), config.label());
            assert!(c.ratio.is_some_and(|r| r > 0.0), "{} ({}) has no ratio", w.id(), config.label());
            assert_ne!(c.results_match, Some(false), "{} ({}): the engines disagree", w.id(), config.label());
        }
    }
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("point_select"));
    assert!(std::fs::read_to_string(&md).unwrap().contains("| point_select | memory |"));
}

#[test]
fn rewrites_placeholders_for_sqlite() {
    use cachet_bench::Backend;
    assert_eq!(
        cachet_bench::sqlite_backend::SqliteDb::sql("SELECT $1, $12 FROM t WHERE a = $2"),
        "SELECT ?1, ?12 FROM t WHERE a = ?2"
    );
}

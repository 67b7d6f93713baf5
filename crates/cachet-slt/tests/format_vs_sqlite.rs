//! Checks the `R` rendering against SQLite's own `printf('%.3f', x)`, the
//! function that produced the corpus's expected values.
//!
//! NB: only magnitudes below 1e21 are compared. Above that SQLite's decimal
//! conversion (`sqlite3FpDecode`, double-double arithmetic truncated to 18-19
//! digits) is itself inexact and sometimes rounds the 16th digit differently
//! from the exact value; the corpus has no such values.
#![allow(clippy::unwrap_used)]

use cachet_slt::format::format_value;
use cachet_slt::{Cell, ColumnType};
use rusqlite::Connection;

/// Deterministic pseudo-random doubles of many magnitudes (xorshift).
fn samples() -> Vec<f64> {
    let mut v = vec![
        0.0,
        0.5,
        1.0,
        -1.0,
        0.0005,
        0.0015,
        0.0625,
        0.1875,
        0.3125,
        2.5625,
        -0.0625,
        0.9995,
        0.9996,
        0.0004,
        0.0007,
        1e-10,
        -1e-10,
        123.4565,
        1e12 + 0.0625,
        1e13 + 0.0625,
        9_999_999_999_999_998.0,
        1e16,
        1e17 + 3.0,
        1.2345678901234567e20,
        1e22,
        1e300,
        -1e300,
        4503599627370495.5,
        9007199254740993.0,
        -9223372036854775808.0,
        -18446744073709551616.0,
        1.0 / 3.0,
        2.0 / 3.0,
        -2.0 / 3.0,
        0.1 + 0.2,
        1.005,
        2.675,
        1.0005,
        1.0015,
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mantissa = (x >> 11) as f64 / (1u64 << 53) as f64;
        let scale = 10f64.powi((i % 34) - 12);
        let sign = if x & 1 == 0 { 1.0 } else { -1.0 };
        v.push(sign * mantissa * scale);
        // Exact sixteenths: the only doubles that tie at the 4th decimal.
        v.push(sign * ((x >> 40) as f64) / 16.0);
    }
    v
}

#[test]
fn real_rendering_matches_sqlite_printf() {
    let conn = Connection::open_in_memory().unwrap();
    let mut stmt = conn.prepare("SELECT printf('%.3f', ?1)").unwrap();
    let mut mismatches = Vec::new();
    for x in samples().into_iter().filter(|x| x.abs() < 1e21) {
        let want: String = stmt.query_row([x], |r| r.get(0)).unwrap();
        let got = format_value(&Cell::Float(x), ColumnType::Real);
        if got != want {
            mismatches.push(format!("{x:e}: sqlite {want}, ours {got}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}

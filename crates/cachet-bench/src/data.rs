//! The benchmark's data: a schema valid for both engines and rows generated
//! deterministically from their keys, so both engines (and every child process) load
//! identical tables without sharing files.
//!
//! - `t` (`rows` rows): `id` 1..=rows; `k`, a permutation of 0..rows with a secondary
//!   index; `grp`, one of 1000 groups; `val`, a double in [0, 10000) with two decimals;
//!   `name`, 15 bytes of text.
//! - `d` (`dim_rows` rows): the other side of the join; `t_id` points at a row of `t`,
//!   `cat` is one of 100 categories.
//! - `w`: empty, filled by the single-row commit workloads.

use std::fmt::Write;

/// SplitMix64's finalizer: a cheap, well-mixed hash of a 64-bit value.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Number of distinct `grp` values.
pub const GROUPS: u64 = 1000;
/// Number of distinct `d.cat` values.
pub const CATEGORIES: u64 = 100;

/// The schema, with the primary key column type of the engine.
pub fn schema(pk_type: &str) -> String {
    format!(
        "CREATE TABLE t (id {pk_type} PRIMARY KEY, k bigint NOT NULL, grp bigint NOT NULL, \
             val double precision NOT NULL, name text NOT NULL);
         CREATE INDEX t_k ON t (k);
         CREATE TABLE d (id {pk_type} PRIMARY KEY, t_id bigint NOT NULL, cat bigint NOT NULL, label text NOT NULL);
         CREATE TABLE w (id {pk_type} PRIMARY KEY, thread bigint NOT NULL, payload text NOT NULL);"
    )
}

pub const INSERT_T: &str = "INSERT INTO t VALUES ($1, $2, $3, $4, $5)";
pub const INSERT_D: &str = "INSERT INTO d VALUES ($1, $2, $3, $4)";

/// Generates the rows of `t`.
pub struct TRows {
    rows: u64,
    /// A multiplier coprime with `rows`, so `id * mult % rows` is a permutation.
    mult: u64,
    /// The text of the last row's `name`.
    pub name: String,
}

/// One row of `t` (the name is in [`TRows::name`]).
#[derive(Clone, Copy, Debug)]
pub struct TRow {
    pub id: i64,
    pub k: i64,
    pub grp: i64,
    pub val: f64,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl TRows {
    pub fn new(rows: u64) -> TRows {
        let rows = rows.max(1);
        let mut mult = 2_654_435_761 % rows;
        while rows > 1 && (mult == 0 || gcd(mult, rows) != 1) {
            mult += 1;
        }
        TRows { rows, mult: mult.max(1), name: String::with_capacity(16) }
    }

    /// Row `id` (1-based); its name is left in `self.name`.
    pub fn row(&mut self, id: u64) -> TRow {
        let h = mix(id);
        self.name.clear();
        let _ = write!(self.name, "user-{:010}", mix(id ^ 0x5eed) % 10_000_000_000);
        TRow {
            id: id as i64,
            k: ((id as u128 * self.mult as u128) % self.rows as u128) as i64,
            grp: (h % GROUPS) as i64,
            val: ((h >> 16) % 1_000_000) as f64 / 100.0,
        }
    }
}

/// One row of `d`: (id, t_id, cat, label).
pub fn d_row(id: u64, t_rows: u64, label: &mut String) -> (i64, i64, i64) {
    label.clear();
    let _ = write!(label, "label-{}", id % 1000);
    (id as i64, (1 + mix(id ^ 0xd1) % t_rows.max(1)) as i64, (id % CATEGORIES) as i64)
}

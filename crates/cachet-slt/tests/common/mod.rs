//! A [`SltDatabase`] adapter for SQLite through rusqlite, used to prove the
//! runner against the corpus SQLite generated. Values map by storage class:
//! INTEGER → `Int`, REAL → `Float`, TEXT → `Text`, NULL → `Null` (BLOBs,
//! absent from the corpus, become lossy `Text`).

use cachet_slt::{Cell, SltDatabase};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// A fresh in-memory SQLite database.
pub struct Sqlite(Connection);

impl Sqlite {
    pub fn open() -> Result<Sqlite, String> {
        Connection::open_in_memory().map(Sqlite).map_err(|e| e.to_string())
    }
}

impl SltDatabase for Sqlite {
    fn statement(&mut self, sql: &str) -> Result<u64, String> {
        self.0.execute_batch(sql).map_err(|e| e.to_string())?;
        Ok(self.0.changes())
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
        let mut stmt = self.0.prepare(sql).map_err(|e| e.to_string())?;
        let ncols = stmt.column_count();
        let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            let mut cells = Vec::with_capacity(ncols);
            for i in 0..ncols {
                let v = row.get_ref(i).map_err(|e| e.to_string())?;
                cells.push(match v {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Int(i),
                    ValueRef::Real(f) => Cell::Float(f),
                    ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                });
            }
            out.push(cells);
        }
        Ok(out)
    }
}

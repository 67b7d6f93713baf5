//! The interface between the runner and the database under test.
//!
//! The runner knows nothing about any engine: it sends SQL text through
//! [`SltDatabase`] and gets back rows of [`Cell`]s, which it renders by the
//! query's type letters (see [`crate::format`]). An adapter should map its
//! values to the closest cell without formatting them itself:
//! integers to [`Cell::Int`], binary floats to [`Cell::Float`], exact
//! decimals to [`Cell::Numeric`] (their text), booleans to [`Cell::Bool`],
//! everything else to [`Cell::Text`] in the engine's text output form.

/// One value of a query result.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer of any width up to 64 bits.
    Int(i64),
    /// A binary floating-point number.
    Float(f64),
    /// An exact decimal, as its text (`-12.50`).
    Numeric(String),
    /// Text, or any other value in its text form.
    Text(String),
}

/// A database under test. The runner creates one per file through a factory
/// and drives it from a single thread; it need not be `Send` or `Sync`.
pub trait SltDatabase {
    /// Runs a statement. Returns the number of affected rows (0 when the
    /// notion does not apply), or the error text. The error text should
    /// include the SQLSTATE when there is one, so that `statement error`
    /// regexes can match it.
    fn statement(&mut self, sql: &str) -> Result<u64, String>;

    /// Runs a query and returns its rows, or the error text (with SQLSTATE).
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String>;
}

impl<T: SltDatabase + ?Sized> SltDatabase for Box<T> {
    fn statement(&mut self, sql: &str) -> Result<u64, String> {
        (**self).statement(sql)
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
        (**self).query(sql)
    }
}

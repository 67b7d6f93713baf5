//! Storage: in-memory versioned tables and MVCC transactions.

pub mod encoding;
pub mod mvcc;
pub mod ssi;
pub mod table;

pub use encoding::{encode_key, Key};
pub use mvcc::{IsolationLevel, ReadView, Ts, Txn, TxnId, TxnManager};
pub use table::{IndexStore, Row, TableStore, WriteOutcome, NEVER};

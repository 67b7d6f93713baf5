//! STUB (to be replaced): jsonb values.
use rust_decimal::Decimal;

/// A parsed jsonb value. Object keys are unique and kept in PostgreSQL's jsonb order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Jsonb {
    Null,
    String(String),
    Number(Decimal),
    Bool(bool),
    Array(Vec<Jsonb>),
    Object(Vec<(String, Jsonb)>),
}

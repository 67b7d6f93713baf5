//! The SQL layer: from text to results.
//!
//! The life of a statement:
//!
//! 1. **Parse** ([`parser`]): `sqlparser` with the PostgreSQL dialect turns the text into
//!    an AST. The text is split into statements first, so each knows its own source;
//!    `?` placeholders are renumbered as `$n`. Syntax errors are SQLSTATE 42601 with a
//!    position.
//! 2. **Dispatch** ([`crate::session`]): transaction control, SET/SHOW and DDL are run by
//!    the session directly ([`ddl`] for CREATE/DROP); queries and writes go on.
//! 3. **Bind** ([`binder`]): names resolve against the catalog and the query's scopes,
//!    every expression gets a type and the casts PostgreSQL would add, parameter types
//!    are inferred, and a [`plan::Node`] tree is built.
//! 4. **Optimize** ([`optimizer`]): constant folding, predicate pushdown, join ordering,
//!    hash joins and index selection rewrite the tree.
//! 5. **Cache**: the session keeps the optimized plan with the prepared statement, keyed
//!    by the catalog version, so the next execution skips steps 1 to 4.
//! 6. **Execute** ([`exec`]): pull-based operators produce rows; writes are applied by
//!    [`exec::dml`] through the storage layer inside the session's transaction.

pub mod binder;
pub mod ddl;
pub mod exec;
pub mod explain;
pub mod expr;
pub mod functions;
pub mod optimizer;
pub mod parser;
pub mod plan;
pub mod system;
pub mod typing;

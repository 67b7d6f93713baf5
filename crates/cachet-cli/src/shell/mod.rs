//! The interactive shell and script runner behind `cachet [PATH] [SQL]...`.
//!
//! The shell is a thin client of the engine's `Session` API: it owns no SQL semantics.
//! Its parts, in the order input flows through them:
//!
//! - [`run`]: the command line (`ShellArgs`), opening the database, and choosing
//!   between SQL arguments, a script on stdin and the interactive loop;
//! - [`editor`]: rustyline line editing, persistent history and tab completion;
//! - [`input`]: splitting lines into complete statements (quotes, dollar quotes,
//!   comments), which decides the continuation prompt;
//! - [`state`]: the `Shell` itself, which runs each statement or dot command;
//! - [`dot`]: the dot commands and their psql-style aliases;
//! - [`output`]: the output modes; [`report`]: psql-style errors with a caret;
//! - [`import`] (`.import`, CSV) and [`dump`] (`.dump`, `.schema`).

pub mod dot;
pub mod dump;
pub mod editor;
pub mod import;
pub mod input;
pub mod output;
pub mod report;
pub mod run;
pub mod state;

pub use run::{run, sqlite_style_args, ShellArgs};

//! Scalar functions.
//!
//! Every function is a static [`Func`]: a name, a `resolve` hook that picks the
//! argument types to coerce to and the result type for the given argument types (or
//! rejects them), and an `eval` hook. Overloads are several `Func`s with one name,
//! tried in order, so an overload list reproduces PostgreSQL's choice by putting the
//! overload PostgreSQL prefers first (for example `round(int)` resolves to
//! `round(double precision)`, because `float8` is the preferred numeric type, and an
//! untyped literal picks the `text` overload of `substring`). Strict functions return
//! NULL on any NULL argument without being called, as PostgreSQL's strict functions do.
//!
//! The library is split by area: [`builtin`] (the registry's odds and ends, date/time
//! arithmetic and the aggregate finishers), `string`, `pattern` (regular expressions
//! and SIMILAR TO), `math`, `datetime`, `json`, `array` and `misc`. `series` holds
//! the row generator of the set-returning `generate_series`, which the executor calls
//! directly.

mod args;
mod array;
mod builtin;
mod datetime;
mod json;
mod math;
mod misc;
mod pattern;
mod series;
mod string;

use super::exec::ExecCtx;
use crate::error::{Error, Result, SqlState};
use crate::types::{DataType, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A resolved signature: argument types to coerce to, and the result type.
pub struct Sig {
    pub args: Vec<DataType>,
    pub ret: DataType,
}

impl Sig {
    pub fn new(args: Vec<DataType>, ret: DataType) -> Option<Sig> {
        Some(Sig { args, ret })
    }
}

/// The signature of an `eval` hook: argument values, the resolved result type, and the
/// statement context.
pub type EvalFn = fn(&[Value], &DataType, &ExecCtx) -> Result<Value>;

/// The signature of a `resolve` hook.
pub type ResolveFn = fn(&[DataType]) -> Option<Sig>;

/// A scalar function.
pub struct Func {
    pub name: &'static str,
    pub resolve: ResolveFn,
    pub eval: EvalFn,
    pub strict: bool,
    /// Whether results may differ between calls with equal arguments (random(),
    /// clock_timestamp()); volatile calls are never folded or moved.
    pub volatile: bool,
    /// Whether results depend on the statement's context (now(), current_user, the
    /// session time zone): such calls are not folded at planning time, because plans
    /// are reused.
    pub stable: bool,
}

impl Func {
    /// A strict, immutable function.
    pub const fn new(name: &'static str, resolve: ResolveFn, eval: EvalFn) -> Func {
        Func { name, resolve, eval, strict: true, volatile: false, stable: false }
    }

    /// The same function, called even when arguments are NULL.
    pub const fn lenient(self) -> Func {
        Func { strict: false, ..self }
    }

    /// The same function, marked as depending on the statement's context.
    pub const fn stable(self) -> Func {
        Func { stable: true, ..self }
    }

    /// The same function, marked volatile.
    pub const fn volatile(self) -> Func {
        Func { volatile: true, ..self }
    }
}

impl PartialEq for Func {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn registry() -> &'static HashMap<&'static str, Vec<&'static Func>> {
    static REG: OnceLock<HashMap<&'static str, Vec<&'static Func>>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static Func>> = HashMap::new();
        let all = [
            builtin::FUNCS,
            string::FUNCS,
            pattern::FUNCS,
            math::FUNCS,
            datetime::FUNCS,
            json::FUNCS,
            array::FUNCS,
            misc::FUNCS,
        ];
        for f in all.into_iter().flatten() {
            m.entry(f.name).or_default().push(f);
        }
        m
    })
}

/// Whether a scalar function of this name exists.
pub fn exists(name: &str) -> bool {
    registry().contains_key(name)
}

/// Finds the function overload for these argument types.
pub fn lookup(name: &str, args: &[DataType]) -> Result<(&'static Func, Sig)> {
    let Some(overloads) = registry().get(name) else {
        return Err(undefined(name, args));
    };
    for f in overloads {
        if let Some(sig) = (f.resolve)(args) {
            return Ok((f, sig));
        }
    }
    Err(undefined(name, args))
}

fn undefined(name: &str, args: &[DataType]) -> Error {
    let list: Vec<String> = args.iter().map(|t| t.to_string()).collect();
    Error::new(SqlState::UNDEFINED_FUNCTION, format!("function {name}({}) does not exist", list.join(", ")))
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

pub use builtin::{
    datetime_arith, finish_collect, finish_collect_in, finish_object_agg, finish_object_agg_in, BPCHAR_TO_TEXT,
};
pub use json::json_op;
pub use math::numeric_power;
pub use misc::regtype_name;
pub use series::{generate_series, generate_series_iter, resolve_generate_series};

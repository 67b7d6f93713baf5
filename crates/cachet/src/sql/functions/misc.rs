//! System information and miscellaneous functions: `version()`, the session's
//! identity (`current_user`, `current_database()`, `pg_backend_pid()`, ...),
//! `gen_random_uuid()`, `pg_typeof`, `num_nulls` and `num_nonnulls`.
//!
//! NB: `pg_typeof` must report the *static* type of its argument expression (a NULL
//! integer is still `integer`), which only the binder knows: the binder replaces
//! `pg_typeof(x)` by the constant [`regtype_name`] of `x`'s type. The function
//! registered here is the fallback that reads the type of the value.

use super::args::any_arg;
use super::{Func, Sig};
use crate::error::Result;
use crate::sql::exec::ExecCtx;
use crate::types::{Array, DataType, Value};
use std::sync::Arc;

use DataType as T;

/// A type's name as PostgreSQL's `regtype` output prints it: `integer`,
/// `character varying`, `timestamp with time zone`, `integer[]` (no modifiers).
pub fn regtype_name(t: &DataType) -> String {
    match t {
        T::Numeric(_) => "numeric".to_string(),
        T::Varchar(_) => "character varying".to_string(),
        T::Char(_) => "character".to_string(),
        T::Array(e) => format!("{}[]", regtype_name(e)),
        t => t.to_string(),
    }
}

fn r_none(args: &[DataType], ret: DataType) -> Option<Sig> {
    args.is_empty().then(|| Sig { args: vec![], ret })
}

fn r_variadic_any(args: &[DataType]) -> Option<Sig> {
    if args.is_empty() {
        return None;
    }
    Sig::new(args.iter().map(any_arg).collect(), T::Int4)
}

/// `version()`.
pub fn version_string() -> String {
    let os = match std::env::consts::OS {
        "linux" => "pc-linux-gnu",
        "macos" => "apple-darwin",
        "windows" => "pc-windows-msvc",
        other => other,
    };
    format!("PostgreSQL 15.0 (Cachet {}) on {}-{os}, 64-bit", env!("CARGO_PKG_VERSION"), std::env::consts::ARCH)
}

fn e_gen_random_uuid(_: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::Uuid(b))
}

fn e_current_schemas(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    let mut items = Vec::new();
    if a[0].as_bool() == Some(true) {
        items.push(Value::text("pg_catalog"));
    }
    items.push(Value::text("public"));
    Ok(Value::Array(Arc::new(Array { element_type: T::Text, items })))
}

fn e_pg_typeof(a: &[Value], _: &DataType, _: &ExecCtx) -> Result<Value> {
    Ok(Value::text(regtype_name(&a[0].data_type())))
}

pub static FUNCS: &[Func] = &[
    Func::new("version", |a| r_none(a, T::Text), |_, _, _| Ok(Value::text(version_string()))),
    Func::new("gen_random_uuid", |a| r_none(a, T::Uuid), e_gen_random_uuid).lenient().volatile(),
    Func::new("current_database", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.database))).stable(),
    Func::new("current_catalog", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.database))).stable(),
    Func::new("current_schema", |a| r_none(a, T::Text), |_, _, _| Ok(Value::text("public"))).stable(),
    Func::new("current_schemas", |a| super::args::exact(a, &[T::Bool], super::args::text_array()), e_current_schemas)
        .stable(),
    Func::new("current_user", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.user))).stable(),
    Func::new("current_role", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.user))).stable(),
    Func::new("session_user", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.user))).stable(),
    Func::new("user", |a| r_none(a, T::Text), |_, _, ctx| Ok(Value::text(ctx.user))).stable(),
    Func::new("pg_backend_pid", |a| r_none(a, T::Int4), |_, _, ctx| Ok(Value::Int4(ctx.backend_pid))).stable(),
    Func::new("pg_client_encoding", |a| r_none(a, T::Text), |_, _, _| Ok(Value::text("UTF8"))),
    Func::new("pg_typeof", |a| (a.len() == 1).then(|| Sig { args: vec![any_arg(&a[0])], ret: T::Text }), e_pg_typeof)
        .lenient(),
    Func::new("num_nulls", r_variadic_any, |a, _, _| Ok(Value::Int4(a.iter().filter(|v| v.is_null()).count() as i32)))
        .lenient(),
    Func::new("num_nonnulls", r_variadic_any, |a, _, _| {
        Ok(Value::Int4(a.iter().filter(|v| !v.is_null()).count() as i32))
    })
    .lenient(),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regtype_names() {
        assert_eq!(regtype_name(&T::Int4), "integer");
        assert_eq!(regtype_name(&T::Varchar(Some(3))), "character varying");
        assert_eq!(regtype_name(&T::Array(Box::new(T::Numeric(None)))), "numeric[]");
        assert_eq!(regtype_name(&T::TimestampTz), "timestamp with time zone");
        assert!(version_string().starts_with("PostgreSQL 15.0 (Cachet "));
    }
}

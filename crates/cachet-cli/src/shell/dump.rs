//! SQL text that recreates the schema (`.schema`) or the whole database (`.dump`).
//!
//! The catalog keeps definitions as plain data (column types, constraint columns,
//! defaults and CHECK expressions as SQL text, view queries as SQL text), so the shell
//! rebuilds the DDL from it rather than asking the engine for stored DDL text:
//!
//! - a table becomes one `CREATE TABLE` with its columns (type, NOT NULL, DEFAULT),
//!   then its primary key, UNIQUE and CHECK constraints as named table constraints, so
//!   that constraint and index names survive a round trip, then its cache options
//!   (`WITH (ttl = ..., evictable = ...)`);
//! - an index that does not implement a constraint becomes `CREATE [UNIQUE] INDEX`;
//! - a view becomes `CREATE VIEW name (columns) AS query`.
//!
//! A dump is `BEGIN; CREATE TABLE ...; INSERT ...; CREATE INDEX ...; CREATE VIEW ...;
//! COMMIT;`: indexes come after the rows because building an index once is cheaper than
//! maintaining it row by row, and views come last, ordered so that a view follows the
//! views it mentions. Rows are read in one REPEATABLE READ snapshot (or in the open
//! transaction), so a dump is consistent even while other sessions write.
//!
//! Values are written as literals that the target column's type reads back exactly:
//! numbers and booleans bare, everything else as a quoted string in the engine's text
//! format, which PostgreSQL coerces to the column type on INSERT.

use cachet::catalog::{Catalog, IndexDef, TableSchema, ViewDef};
use cachet::types::{format_value, TimeZone};
use cachet::{Connection, DataType, Value};
use std::collections::BTreeSet;
use std::io::{self, Write};

/// PostgreSQL's reserved key words, which must be quoted to be used as names.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// A name as it must be written in SQL: bare when it is a lowercase identifier and not a
/// reserved word, otherwise double-quoted.
pub fn quote_ident(name: &str) -> String {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&name);
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A standard-conforming string literal.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A value as a SQL literal that reads back as the same value in a column of its type.
pub fn value_literal(v: &Value, tz: &TimeZone) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) | Value::Float4(_) | Value::Float8(_) => {
            let s = format_value(v, tz);
            // NaN and the infinities only exist as quoted input. A bare `-0` would be
            // minus integer zero, which loses the sign of a float's negative zero.
            if s != "-0" && s.parse::<f64>().is_ok_and(f64::is_finite) {
                s
            } else {
                quote_literal(&s)
            }
        }
        v => quote_literal(&format_value(v, tz)),
    }
}

fn type_sql(ty: &DataType) -> String {
    match ty {
        // `bpchar` without a length is PostgreSQL's internal name; `character` reads
        // back as char(1), so the unbounded form is spelled as the catalog shows it.
        DataType::Char(None) => "bpchar".into(),
        ty => ty.to_string(),
    }
}

fn column_list(schema: &TableSchema, cols: &[usize]) -> String {
    cols.iter()
        .map(|&c| schema.columns.get(c).map_or_else(|| format!("column{c}"), |col| quote_ident(&col.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE TABLE ...;` for a table, with its constraints and options.
pub fn create_table_sql(schema: &TableSchema, tz: &TimeZone) -> String {
    let mut items = Vec::new();
    for (_, c) in schema.visible_columns() {
        let mut item = format!("    {} {}", quote_ident(&c.name), type_sql(&c.ty));
        if !c.nullable {
            item.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            item.push_str(&format!(" DEFAULT {d}"));
        }
        items.push(item);
    }
    if let Some((name, cols)) = &schema.primary_key {
        items.push(format!("    CONSTRAINT {} PRIMARY KEY ({})", quote_ident(name), column_list(schema, cols)));
    }
    for idx in schema.indexes.iter().filter(|i| i.constraint) {
        items.push(format!("    CONSTRAINT {} UNIQUE ({})", quote_ident(&idx.name), column_list(schema, &idx.columns)));
    }
    for check in &schema.checks {
        items.push(format!("    CONSTRAINT {} CHECK ({})", quote_ident(&check.name), check.expr));
    }
    let mut sql = format!("CREATE TABLE {} (\n{}\n)", quote_ident(&schema.name), items.join(",\n"));
    let mut options = Vec::new();
    if let Some(ttl) = &schema.options.ttl {
        options.push(format!("ttl = {}", quote_literal(&format_value(&Value::Interval(*ttl), tz))));
    }
    if let Some(e) = schema.options.evictable {
        options.push(format!("evictable = {e}"));
    }
    if !options.is_empty() {
        sql.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    sql.push(';');
    sql
}

/// `CREATE INDEX ...;` for an index that is not a constraint's.
pub fn create_index_sql(schema: &TableSchema, idx: &IndexDef) -> String {
    format!(
        "CREATE {}INDEX {} ON {} ({});",
        if idx.unique { "UNIQUE " } else { "" },
        quote_ident(&idx.name),
        quote_ident(&schema.name),
        column_list(schema, &idx.columns)
    )
}

/// `CREATE VIEW ...;`.
pub fn create_view_sql(view: &ViewDef) -> String {
    let cols = match &view.columns {
        Some(c) => format!(" ({})", c.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    };
    format!("CREATE VIEW {}{} AS {};", quote_ident(&view.name), cols, view.sql.trim_end_matches(';'))
}

/// Views in an order that creates each after the views its query mentions. The catalog
/// records no dependencies, so mentions are found by scanning the query's words; a
/// cycle (impossible for valid views) falls back to name order.
pub fn ordered_views(catalog: &Catalog) -> Vec<&ViewDef> {
    let mut pending: Vec<&ViewDef> = catalog.views().map(|v| &**v).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let names: BTreeSet<&str> = pending.iter().map(|v| v.name.as_str()).collect();
        let ready = pending.iter().position(|v| {
            words(&v.sql).iter().all(|w| w == &v.name || !names.contains(w.as_str()) || done.contains(w.as_str()))
        });
        let v = pending.remove(ready.unwrap_or(0));
        done.insert(v.name.as_str());
        out.push(v);
    }
    out
}

/// The identifier-like words of SQL text, lowercased unless double-quoted.
fn words(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut w = String::new();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                    } else {
                        break;
                    }
                }
                w.push(c);
            }
            out.push(w);
        } else if c.is_alphabetic() || c == '_' {
            let mut w: String = c.to_lowercase().collect();
            while let Some(&c) = chars.peek() {
                if !(c.is_alphanumeric() || c == '_' || c == '$') {
                    break;
                }
                w.extend(c.to_lowercase());
                chars.next();
            }
            out.push(w);
        }
    }
    out
}

/// Whether a name matches a `.tables`-style pattern: `%` or `*` match any run of
/// characters, `_` or `?` any one character; no pattern matches everything.
pub fn name_matches(pattern: Option<&str>, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('%' | '*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('_' | '?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first().is_some_and(|x| x == c) && go(rest, &n[1..]),
        }
    }
    match pattern {
        None => true,
        Some(p) => {
            let p: Vec<char> = p.chars().collect();
            let n: Vec<char> = name.chars().collect();
            go(&p, &n)
        }
    }
}

/// The CREATE statements for tables (with their indexes) and views whose names match.
pub fn schema_sql(catalog: &Catalog, pattern: Option<&str>, tz: &TimeZone) -> Vec<String> {
    let mut out = Vec::new();
    for t in catalog.tables().filter(|t| name_matches(pattern, &t.schema.name)) {
        out.push(create_table_sql(&t.schema, tz));
        for idx in t.schema.indexes.iter().filter(|i| !i.constraint) {
            out.push(create_index_sql(&t.schema, idx));
        }
    }
    for v in ordered_views(catalog).into_iter().filter(|v| name_matches(pattern, &v.name)) {
        out.push(create_view_sql(v));
    }
    out
}

/// Writes a dump of the tables (and, without a pattern, views) matching `pattern`.
/// Returns an error message if reading the data failed.
pub fn dump(w: &mut dyn Write, conn: &Connection, pattern: Option<&str>) -> Result<(), String> {
    let idle = conn.with_session(|s| s.status() == cachet::session::TxnStatus::Idle);
    if idle {
        conn.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ").map_err(|e| e.to_string())?;
    }
    let result = dump_in_transaction(w, conn, pattern);
    if idle {
        let _ = conn.execute_batch("COMMIT");
    }
    result
}

fn dump_in_transaction(w: &mut dyn Write, conn: &Connection, pattern: Option<&str>) -> Result<(), String> {
    let (catalog, tz) = conn.with_session(|s| (s.catalog(), s.settings.time_zone.clone()));
    let io = |e: io::Error| e.to_string();
    writeln!(w, "-- Cachet database dump").map_err(io)?;
    writeln!(w, "BEGIN;").map_err(io)?;
    let tables: Vec<_> = catalog.tables().filter(|t| name_matches(pattern, &t.schema.name)).collect();
    for t in &tables {
        let schema = &t.schema;
        writeln!(w, "{}", create_table_sql(schema, &tz)).map_err(io)?;
        let select = format!("SELECT * FROM {}", quote_ident(&schema.name));
        let mut results = conn.with_session(|s| s.execute(&select, &[])).map_err(|e| e.to_string())?;
        let rows = results.pop().map(|r| r.rows).unwrap_or_default();
        let name = quote_ident(&schema.name);
        for row in rows {
            if row.is_empty() {
                writeln!(w, "INSERT INTO {name} DEFAULT VALUES;").map_err(io)?;
                continue;
            }
            let values: Vec<String> = row.iter().map(|v| value_literal(v, &tz)).collect();
            writeln!(w, "INSERT INTO {name} VALUES ({});", values.join(", ")).map_err(io)?;
        }
    }
    for t in &tables {
        for idx in t.schema.indexes.iter().filter(|i| !i.constraint) {
            writeln!(w, "{}", create_index_sql(&t.schema, idx)).map_err(io)?;
        }
    }
    if pattern.is_none() {
        for v in ordered_views(&catalog) {
            writeln!(w, "{}", create_view_sql(v)).map_err(io)?;
        }
    }
    writeln!(w, "COMMIT;").map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("abc", "abc"),
            ("a_1$", "a_1$"),
            ("Abc", "\"Abc\""),
            ("select", "\"select\""),
            ("a b", "\"a b\""),
            ("q\"x", "\"q\"\"x\""),
            ("1a", "\"1a\""),
        ];
        for (name, want) in cases {
            assert_eq!(quote_ident(name), want);
        }
        assert_eq!(quote_literal("it's"), "'it''s'");
        let tz = TimeZone::Utc;
        let cases = [
            (Value::Int8(-5), "-5"),
            (Value::Float8(-0.0), "'-0'"),
            (Value::Int4(7), "7"),
            (Value::Float8(f64::NAN), "'NaN'"),
            (Value::Float8(1.5), "1.5"),
            (Value::Bool(true), "true"),
            (Value::Null, "NULL"),
            (Value::text("a'b"), "'a''b'"),
        ];
        for (v, want) in cases {
            assert_eq!(value_literal(&v, &tz), want, "{v:?}");
        }
    }

    #[test]
    fn patterns() {
        let cases = [
            (None, "x", true),
            (Some("us%"), "users", true),
            (Some("us*"), "users", true),
            (Some("u_ers"), "users", true),
            (Some("u?ers"), "users", true),
            (Some("users"), "user", false),
            (Some("%s"), "users", true),
        ];
        for (p, name, want) in cases {
            assert_eq!(name_matches(p, name), want, "{p:?} {name}");
        }
    }
}

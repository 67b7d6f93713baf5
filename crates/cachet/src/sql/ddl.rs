//! Executing DDL: CREATE/DROP TABLE, INDEX and VIEW.
//!
//! DDL works on the transaction's private copy of the catalog (see
//! [`crate::catalog::Catalog`]); it becomes visible to others when the transaction
//! commits. Changes to shared storage that cannot wait for the commit (building a new
//! index) register an undo action, and changes that must wait (dropping an index from
//! storage) register a commit action.

use super::binder::convert_type;
use super::binder::{ident, object_name, table_scope, Binder};
use crate::catalog::{Catalog, CheckDef, Column, IndexDef, Table, TableOptions, TableSchema, ViewDef, ROWID_COLUMN};
use crate::error::{Error, Result, SqlState};
use crate::storage::TableStore;
use crate::types::{DataType, TimeZone};
use sqlparser::ast;
use std::sync::Arc;

/// Deferred work of a DDL statement.
pub type Action = Box<dyn FnOnce() + Send>;

/// What DDL execution needs.
pub struct DdlContext<'a> {
    pub catalog: &'a mut Catalog,
    pub tz: &'a TimeZone,
    /// The current time, microseconds since the Unix epoch.
    pub now: i64,
    /// Run if the transaction rolls back.
    pub undo: &'a mut Vec<Action>,
    /// Run when the transaction commits.
    pub on_commit: &'a mut Vec<Action>,
    /// Notices for the client (e.g. "relation already exists, skipping").
    pub notices: &'a mut Vec<String>,
}

/// Whether a statement is DDL handled here.
pub fn is_ddl(stmt: &ast::Statement) -> bool {
    matches!(
        stmt,
        ast::Statement::CreateTable(_)
            | ast::Statement::CreateIndex(_)
            | ast::Statement::CreateView(_)
            | ast::Statement::Drop { .. }
    )
}

/// Runs a DDL statement; returns its command tag.
pub fn execute(stmt: &ast::Statement, cx: &mut DdlContext) -> Result<String> {
    match stmt {
        ast::Statement::CreateTable(ct) => create_table(ct, cx),
        ast::Statement::CreateIndex(ci) => create_index(ci, cx),
        ast::Statement::CreateView(cv) => create_view(cv, cx),
        ast::Statement::Drop { object_type, if_exists, names, cascade, .. } => {
            drop(*object_type, *if_exists, names, *cascade, cx)
        }
        other => Err(Error::unsupported(format!("statement not supported: {}", super::binder::first_words(other)))),
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.len() > 63 {
        return Err(Error::new(
            SqlState::NAME_TOO_LONG,
            format!("identifier \"{name}\" is too long (maximum 63 bytes)"),
        ));
    }
    if name.is_empty() {
        return Err(Error::new(SqlState::INVALID_NAME, "zero-length delimited identifier"));
    }
    Ok(())
}

fn create_table(ct: &ast::CreateTable, cx: &mut DdlContext) -> Result<String> {
    let name = object_name(&ct.name)?;
    check_name(&name)?;
    if cx.catalog.relation_exists(&name) {
        if ct.if_not_exists {
            cx.notices.push(format!("relation \"{name}\" already exists, skipping"));
            return Ok("CREATE TABLE".into());
        }
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    if ct.query.is_some() {
        return Err(Error::unsupported("CREATE TABLE AS is not supported yet"));
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut pk: Option<(String, Vec<usize>)> = None;
    let mut uniques: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut checks: Vec<(Option<String>, String, Option<String>)> = Vec::new();
    let set_pk = |pk: &mut Option<(String, Vec<usize>)>, pk_name: String, cols: Vec<usize>| -> Result<()> {
        if pk.is_some() {
            return Err(Error::new(
                SqlState::INVALID_TABLE_DEFINITION,
                format!("multiple primary keys for table \"{name}\" are not allowed"),
            ));
        }
        *pk = Some((pk_name, cols));
        Ok(())
    };
    for cd in &ct.columns {
        let cname = ident(&cd.name);
        check_name(&cname)?;
        if columns.iter().any(|c| c.name == cname) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{cname}\" specified more than once")));
        }
        if super::binder::is_serial(&cd.data_type) {
            return Err(Error::unsupported("serial columns are not supported yet"));
        }
        let ty = convert_type(&cd.data_type)?;
        let idx = columns.len();
        let mut col = Column { name: cname.clone(), ty, nullable: true, default: None, hidden: false };
        for opt in &cd.options {
            let cons_name = opt.name.as_ref().map(ident);
            match &opt.option {
                ast::ColumnOption::Null => {}
                ast::ColumnOption::NotNull => col.nullable = false,
                ast::ColumnOption::Default(e) => col.default = Some(e.to_string()),
                ast::ColumnOption::PrimaryKey(_) => {
                    set_pk(&mut pk, cons_name.unwrap_or_else(|| format!("{name}_pkey")), vec![idx])?;
                }
                ast::ColumnOption::Unique(_) => uniques.push((cons_name, vec![idx])),
                ast::ColumnOption::Check(c) => {
                    checks.push((cons_name.or(c.name.as_ref().map(ident)), c.expr.to_string(), Some(cname.clone())))
                }
                ast::ColumnOption::ForeignKey(_) => return Err(Error::unsupported("FOREIGN KEY is not supported yet")),
                ast::ColumnOption::Collation(c) => {
                    let c = c.to_string().trim_matches('"').to_lowercase();
                    if !matches!(c.as_str(), "c" | "posix" | "default") {
                        return Err(Error::new(
                            SqlState::UNDEFINED_OBJECT,
                            format!("collation \"{c}\" for encoding \"UTF8\" does not exist"),
                        ));
                    }
                }
                other => return Err(Error::unsupported(format!("column option not supported: {other}"))),
            }
        }
        columns.push(col);
    }
    let col_index = |columns: &[Column], c: &ast::IndexColumn| -> Result<usize> {
        let n = match &c.column.expr {
            ast::Expr::Identifier(i) => ident(i),
            other => return Err(Error::unsupported(format!("expressions in constraints are not supported: {other}"))),
        };
        columns.iter().position(|x| x.name == n).ok_or_else(|| {
            Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{n}\" named in key does not exist"))
        })
    };
    for tc in &ct.constraints {
        match tc {
            ast::TableConstraint::PrimaryKey(p) => {
                let cols = p.columns.iter().map(|c| col_index(&columns, c)).collect::<Result<Vec<_>>>()?;
                set_pk(&mut pk, p.name.as_ref().map(ident).unwrap_or_else(|| format!("{name}_pkey")), cols)?;
            }
            ast::TableConstraint::Unique(u) => {
                let cols = u.columns.iter().map(|c| col_index(&columns, c)).collect::<Result<Vec<_>>>()?;
                uniques.push((u.name.as_ref().map(ident), cols));
            }
            ast::TableConstraint::Check(c) => checks.push((c.name.as_ref().map(ident), c.expr.to_string(), None)),
            ast::TableConstraint::ForeignKey(_) => return Err(Error::unsupported("FOREIGN KEY is not supported yet")),
            other => return Err(Error::unsupported(format!("constraint not supported: {other}"))),
        }
    }
    if let Some((_, cols)) = &pk {
        let mut seen = Vec::new();
        for &c in cols {
            if seen.contains(&c) {
                return Err(Error::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{}\" appears twice in primary key constraint", columns[c].name),
                ));
            }
            seen.push(c);
            columns[c].nullable = false;
        }
    }
    for (_, cols) in pk.iter().map(|(n, c)| (n, c)) {
        for &c in cols {
            if matches!(columns[c].ty, DataType::Json | DataType::Array(_)) {
                return Err(Error::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("data type {} has no default operator class for access method \"btree\"", columns[c].ty),
                ));
            }
        }
    }
    let id = cx.catalog.allocate_id();
    if pk.is_none() {
        columns.push(Column {
            name: ROWID_COLUMN.into(),
            ty: DataType::Int8,
            nullable: false,
            default: None,
            hidden: true,
        });
    }
    let options = table_options(&ct.table_options)?;
    let store = TableStore::new(id);
    let mut indexes = Vec::new();
    for (cons_name, cols) in uniques {
        let iname = cons_name.unwrap_or_else(|| default_index_name(&name, &columns, &cols, "key"));
        let iname = unique_relation_name(cx.catalog, &indexes, &iname);
        let iid = cx.catalog.allocate_id();
        store.create_index(iid, &iname, cols.clone(), true, cx.now)?;
        indexes.push(IndexDef { id: iid, name: iname, columns: cols, unique: true, constraint: true });
    }
    let mut check_defs = Vec::new();
    for (i, (cons_name, expr, col)) in checks.into_iter().enumerate() {
        let n = cons_name.unwrap_or_else(|| match &col {
            Some(c) => format!("{name}_{c}_check"),
            None if i == 0 => format!("{name}_check"),
            None => format!("{name}_check{i}"),
        });
        check_defs.push(CheckDef { name: n, expr });
    }
    let schema = TableSchema { id, name: name.clone(), columns, primary_key: pk, indexes, checks: check_defs, options };
    let table = Table::new(schema, store);
    validate_expressions(&table, cx)?;
    cx.catalog.add_table(table)?;
    Ok("CREATE TABLE".into())
}

/// Binds defaults and CHECK constraints once, so that mistakes fail at CREATE time.
fn validate_expressions(table: &Arc<Table>, cx: &mut DdlContext) -> Result<()> {
    let catalog = cx.catalog.clone();
    let mut b = Binder::new(&catalog, "", cx.tz);
    b.bind_defaults(table)?;
    b.bind_checks(table)?;
    if !b.params.is_empty() {
        return Err(Error::syntax("parameters are not allowed in table definitions"));
    }
    let _ = table_scope(table, &table.schema.name);
    Ok(())
}

fn table_options(opts: &ast::CreateTableOptions) -> Result<TableOptions> {
    let list = match opts {
        ast::CreateTableOptions::None => return Ok(TableOptions::default()),
        ast::CreateTableOptions::With(l)
        | ast::CreateTableOptions::Options(l)
        | ast::CreateTableOptions::Plain(l)
        | ast::CreateTableOptions::TableProperties(l) => l,
    };
    let mut out = TableOptions::default();
    for o in list {
        let ast::SqlOption::KeyValue { key, value } = o else {
            return Err(Error::unsupported(format!("table option not supported: {o}")));
        };
        let k = ident(key);
        let v = match value {
            ast::Expr::Value(v) => {
                super::binder::literal_text(&v.value).or_else(|_| Ok::<_, Error>(v.value.to_string()))?
            }
            ast::Expr::Identifier(i) => ident(i),
            other => other.to_string(),
        };
        match k.as_str() {
            "ttl" => {
                let iv = crate::types::parse_value(&v, &DataType::Interval, &Default::default())?;
                let crate::types::Value::Interval(iv) = iv else {
                    return Err(Error::internal("interval input did not produce an interval"));
                };
                out.ttl = Some(iv);
            }
            "evictable" => {
                out.evictable = Some(match v.to_lowercase().as_str() {
                    "true" | "on" | "yes" | "1" => true,
                    "false" | "off" | "no" | "0" => false,
                    _ => {
                        return Err(Error::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            format!("invalid value for boolean option \"evictable\": {v}"),
                        ))
                    }
                })
            }
            _ => return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unrecognized parameter \"{k}\""))),
        }
    }
    Ok(out)
}

fn default_index_name(table: &str, columns: &[Column], cols: &[usize], suffix: &str) -> String {
    let names: Vec<&str> = cols.iter().map(|&c| columns[c].name.as_str()).collect();
    let mut n = format!("{table}_{}_{suffix}", names.join("_"));
    n.truncate(63);
    n
}

/// Picks a name not used by any relation, appending a number if needed.
fn unique_relation_name(catalog: &Catalog, pending: &[IndexDef], base: &str) -> String {
    let taken = |n: &str| catalog.relation_exists(n) || pending.iter().any(|i| i.name == n);
    if !taken(base) {
        return base.to_string();
    }
    (1..).map(|i| format!("{base}{i}")).find(|n| !taken(n)).expect("an unused name exists")
}

fn create_index(ci: &ast::CreateIndex, cx: &mut DdlContext) -> Result<String> {
    let tname = object_name(&ci.table_name)?;
    let Some(table) = cx.catalog.table(&tname).cloned() else {
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{tname}\" does not exist")));
    };
    if ci.predicate.is_some() {
        return Err(Error::unsupported("partial indexes are not supported"));
    }
    let mut cols = Vec::new();
    for c in &ci.columns {
        let n = match &c.column.expr {
            ast::Expr::Identifier(i) => ident(i),
            other => return Err(Error::unsupported(format!("expression indexes are not supported: {other}"))),
        };
        let Some(i) = table.schema.column_index(&n).filter(|&i| !table.schema.columns[i].hidden) else {
            return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{n}\" does not exist")));
        };
        if matches!(table.schema.columns[i].ty, DataType::Json | DataType::Array(_)) {
            return Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!(
                    "data type {} has no default operator class for access method \"btree\"",
                    table.schema.columns[i].ty
                ),
            ));
        }
        cols.push(i);
    }
    let name = match &ci.name {
        Some(n) => {
            let n = object_name(n)?;
            check_name(&n)?;
            if cx.catalog.relation_exists(&n) {
                if ci.if_not_exists {
                    cx.notices.push(format!("relation \"{n}\" already exists, skipping"));
                    return Ok("CREATE INDEX".into());
                }
                return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{n}\" already exists")));
            }
            n
        }
        None => unique_relation_name(cx.catalog, &[], &default_index_name(&tname, &table.schema.columns, &cols, "idx")),
    };
    let id = cx.catalog.allocate_id();
    table.store.create_index(id, &name, cols.clone(), ci.unique, cx.now)?;
    let store = table.store.clone();
    cx.undo.push(Box::new(move || store.drop_index(id)));
    let mut schema = (*table.schema).clone();
    schema.indexes.push(IndexDef { id, name, columns: cols, unique: ci.unique, constraint: false });
    cx.catalog.update_schema(&tname, schema)?;
    Ok("CREATE INDEX".into())
}

fn create_view(cv: &ast::CreateView, cx: &mut DdlContext) -> Result<String> {
    if cv.materialized {
        return Err(Error::unsupported("materialized views are not supported"));
    }
    let name = object_name(&cv.name)?;
    check_name(&name)?;
    if cx.catalog.view(&name).is_none() && cx.catalog.relation_exists(&name)
        || (cx.catalog.view(&name).is_some() && !cv.or_replace)
    {
        if cv.if_not_exists {
            cx.notices.push(format!("relation \"{name}\" already exists, skipping"));
            return Ok("CREATE VIEW".into());
        }
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let sql = cv.query.to_string();
    let columns: Option<Vec<String>> =
        if cv.columns.is_empty() { None } else { Some(cv.columns.iter().map(|c| ident(&c.name)).collect()) };
    // Bind once to check the query and the column list.
    let catalog = cx.catalog.clone();
    let mut b = Binder::new(&catalog, &sql, cx.tz);
    let plan = b.bind_query(&cv.query)?;
    if !b.params.is_empty() {
        return Err(Error::syntax("parameters are not allowed in a view definition"));
    }
    if let Some(cols) = &columns {
        if cols.len() > plan.columns.len() {
            return Err(Error::syntax("CREATE VIEW specifies more column names than columns"));
        }
    }
    let mut names: Vec<String> = plan.columns.iter().map(|c| c.name.clone()).collect();
    if let Some(cols) = &columns {
        for (n, c) in names.iter_mut().zip(cols) {
            *n = c.clone();
        }
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{n}\" specified more than once")));
        }
    }
    let depends_on = b.relations.clone();
    cx.catalog.add_view(ViewDef { name, sql, columns, depends_on }, cv.or_replace)?;
    Ok("CREATE VIEW".into())
}

fn drop(
    kind: ast::ObjectType,
    if_exists: bool,
    names: &[ast::ObjectName],
    cascade: bool,
    cx: &mut DdlContext,
) -> Result<String> {
    let (tag, what) = match kind {
        ast::ObjectType::Table => ("DROP TABLE", "table"),
        ast::ObjectType::View => ("DROP VIEW", "view"),
        ast::ObjectType::Index => ("DROP INDEX", "index"),
        other => return Err(Error::unsupported(format!("DROP {other} is not supported"))),
    };
    // Check every name first, so that a failing DROP of several objects drops none.
    let mut found = Vec::new();
    for n in names {
        let name = object_name(n)?;
        let exists = match kind {
            ast::ObjectType::Table => cx.catalog.table(&name).is_some(),
            ast::ObjectType::View => cx.catalog.view(&name).is_some(),
            _ => cx.catalog.index_owner(&name).is_some(),
        };
        if exists {
            found.push(name);
            continue;
        }
        let wrong_kind = cx.catalog.relation_exists(&name);
        if wrong_kind {
            let hint = if cx.catalog.table(&name).is_some() {
                "Use DROP TABLE to remove a table."
            } else if cx.catalog.view(&name).is_some() {
                "Use DROP VIEW to remove a view."
            } else {
                "Use DROP INDEX to remove an index."
            };
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{name}\" is not a {what}")).with_hint(hint));
        }
        if if_exists {
            cx.notices.push(format!("{what} \"{name}\" does not exist, skipping"));
        } else {
            let code =
                if kind == ast::ObjectType::Index { SqlState::UNDEFINED_OBJECT } else { SqlState::UNDEFINED_TABLE };
            return Err(Error::new(code, format!("{what} \"{name}\" does not exist")));
        }
    }
    if kind != ast::ObjectType::Index {
        // Views that read a dropped relation block the drop, or go with it (CASCADE).
        let mut dropping = found.clone();
        loop {
            let dependents: Vec<(String, String)> = cx
                .catalog
                .views()
                .filter(|v| !dropping.contains(&v.name))
                .filter_map(|v| v.depends_on.iter().find(|d| dropping.contains(d)).map(|d| (v.name.clone(), d.clone())))
                .collect();
            let Some((view, on)) = dependents.first().cloned() else { break };
            if !cascade {
                let on_kind = if cx.catalog.table(&on).is_some() { "table" } else { "view" };
                return Err(Error::new(
                    SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop {what} {on} because other objects depend on it"),
                )
                .with_detail(format!("view {view} depends on {on_kind} {on}"))
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            for (v, _) in dependents {
                cx.notices.push(format!("drop cascades to view {v}"));
                cx.catalog.remove_view(&v);
                dropping.push(v);
            }
        }
    }
    for name in found {
        match kind {
            ast::ObjectType::Table => {
                cx.catalog.remove_table(&name);
            }
            ast::ObjectType::View => {
                cx.catalog.remove_view(&name);
            }
            _ => {
                let table = cx.catalog.index_owner(&name).cloned().expect("checked above");
                let def = table.schema.indexes.iter().find(|i| i.name == name).cloned().expect("index found");
                if def.constraint {
                    return Err(Error::new(
                        SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                        format!(
                            "cannot drop index {name} because constraint {name} on table {} requires it",
                            table.schema.name
                        ),
                    )
                    .with_hint(format!("You can drop constraint {name} on table {} instead.", table.schema.name)));
                }
                let mut schema = (*table.schema).clone();
                schema.indexes.retain(|i| i.name != name);
                let tname = schema.name.clone();
                cx.catalog.update_schema(&tname, schema)?;
                let store = table.store.clone();
                cx.on_commit.push(Box::new(move || store.drop_index(def.id)));
            }
        }
    }
    Ok(tag.into())
}

//! Binding INSERT, UPDATE and DELETE.
//!
//! Each write statement becomes a *source* plan producing the rows to write, plus what
//! the executor needs to finish each row: target columns, bound defaults and CHECK
//! constraints, assignments, and RETURNING. For UPDATE and DELETE the source rows start
//! with the target table's columns (including the hidden row id), followed by the
//! columns of any FROM/USING tables; the WHERE predicate is kept too, so that READ
//! COMMITTED can re-check it against a row a concurrent transaction changed.

use super::expr::Aggs;
use super::scope::{Scope, ScopeColumn};
use super::{ident, object_name, Binder, OutputColumn};
use crate::catalog::Table;
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, JoinKind, Node, Scan, TableRef};
use crate::types::{CastContext, DataType};
use sqlparser::ast;
use std::sync::Arc;

/// RETURNING: expressions over the written row.
#[derive(Clone, Debug)]
pub struct Returning {
    pub exprs: Vec<Expr>,
    pub columns: Vec<OutputColumn>,
}

/// ON CONFLICT.
#[derive(Clone, Debug)]
pub enum OnConflict {
    /// Skip rows that conflict (on the given columns' unique index, or any).
    DoNothing { target: Option<Vec<usize>> },
    /// Update the existing row instead. Assignments and the filter see the existing
    /// row followed by the proposed one (`excluded`).
    DoUpdate { target: Vec<usize>, assignments: Vec<(usize, Expr)>, filter: Option<Expr> },
}

#[derive(Clone, Debug)]
pub struct InsertPlan {
    pub table: TableRef,
    /// Rows whose columns go to `targets`, already of the target columns' types.
    pub source: Node,
    pub targets: Vec<usize>,
    /// For each column of the table: its default, evaluated per row.
    pub defaults: Vec<Option<Expr>>,
    pub checks: Vec<(String, Expr)>,
    pub on_conflict: Option<OnConflict>,
    pub returning: Option<Returning>,
}

#[derive(Clone, Debug)]
pub struct UpdatePlan {
    pub table: TableRef,
    pub source: Node,
    /// The WHERE clause over the source row, for re-checks.
    pub recheck: Option<Expr>,
    /// (table column, new value over the source row).
    pub assignments: Vec<(usize, Expr)>,
    pub checks: Vec<(String, Expr)>,
    pub returning: Option<Returning>,
}

#[derive(Clone, Debug)]
pub struct DeletePlan {
    pub table: TableRef,
    pub source: Node,
    pub recheck: Option<Expr>,
    pub returning: Option<Returning>,
}

/// The scope of a table's row, qualified by its name or alias.
pub fn table_scope(table: &Table, qualifier: &str) -> Scope {
    Scope::new(
        table
            .schema
            .columns
            .iter()
            .map(|c| ScopeColumn {
                qualifier: Some(qualifier.to_string()),
                name: c.name.clone(),
                ty: c.ty.clone(),
                hidden: c.hidden,
                merged_away: false,
                origin: None,
            })
            .collect(),
    )
}

impl Binder<'_> {
    fn target_table(&self, name: &ast::ObjectName) -> Result<Arc<Table>> {
        let n = object_name(name)?;
        match self.catalog.table(&n) {
            Some(t) => Ok(t.clone()),
            None if self.catalog.view(&n).is_some() => {
                Err(Error::new(SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE, format!("cannot change view \"{n}\""))
                    .with_detail(
                        "Views that do not select from a single table or view are not automatically updatable.",
                    ))
            }
            None => Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{n}\" does not exist"))),
        }
        .map_err(self.at(name))
    }

    /// Binds the defaults of every column of a table.
    pub fn bind_defaults(&mut self, table: &Table) -> Result<Vec<Option<Expr>>> {
        table
            .schema
            .columns
            .iter()
            .map(|c| match &c.default {
                Some(sql) => super::ddl::bind_column_default(self, sql, &c.ty).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    /// Binds the CHECK constraints of a table against its row.
    pub fn bind_checks(&mut self, table: &Table) -> Result<Vec<(String, Expr)>> {
        let scope = table_scope(table, &table.schema.name);
        let mut out = Vec::new();
        for c in &table.schema.checks {
            let e = crate::sql::parser::parse_expr(&c.expr)?;
            let b = self.bind_condition(&e, &scope, Aggs::Forbidden("check constraints"), "CHECK")?;
            if b.any(&mut |x| matches!(x, Expr::Subquery(_))) {
                return Err(Error::unsupported("cannot use subquery in check constraint"));
            }
            out.push((c.name.clone(), b));
        }
        Ok(out)
    }

    fn bind_returning(&mut self, items: &Option<Vec<ast::SelectItem>>, scope: &Scope) -> Result<Option<Returning>> {
        let Some(items) = items else { return Ok(None) };
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for item in items {
            match item {
                ast::SelectItem::UnnamedExpr(e) => {
                    let b = self.bind_expr(e, scope, Aggs::Forbidden("RETURNING"))?;
                    columns.push(OutputColumn { name: super::query::column_name(e), ty: b.ty() });
                    exprs.push(b);
                }
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    let b = self.bind_expr(expr, scope, Aggs::Forbidden("RETURNING"))?;
                    columns.push(OutputColumn { name: ident(alias), ty: b.ty() });
                    exprs.push(b);
                }
                ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                    for (i, c) in scope.columns.iter().enumerate() {
                        if !c.hidden {
                            exprs.push(Expr::Column(i, c.ty.clone()));
                            columns.push(OutputColumn { name: c.name.clone(), ty: c.ty.clone() });
                        }
                    }
                }
                ast::SelectItem::ExprWithAliases { .. } => return Err(Error::unsupported("multiple aliases")),
            }
        }
        Ok(Some(Returning { exprs, columns }))
    }

    /// Coerces a value for a column on assignment, with PostgreSQL's error wording.
    fn assign(&mut self, e: Expr, table: &Table, col: usize) -> Result<Expr> {
        let c = &table.schema.columns[col];
        let from = e.ty();
        self.coerce(e, &c.ty, CastContext::Assignment).map_err(|err| {
            if err.code() == SqlState::DATATYPE_MISMATCH || err.code() == SqlState::CANNOT_COERCE {
                Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("column \"{}\" is of type {} but expression is of type {from}", c.name, c.ty),
                )
                .with_hint("You will need to rewrite or cast the expression.")
            } else {
                err
            }
        })
    }

    fn column_of(&self, table: &Table, name: &str) -> Result<usize> {
        match table.schema.column_index(name) {
            Some(i) if !table.schema.columns[i].hidden => Ok(i),
            _ => Err(Error::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{name}\" of relation \"{}\" does not exist", table.schema.name),
            )),
        }
    }

    pub(super) fn bind_insert(&mut self, ins: &ast::Insert) -> Result<InsertPlan> {
        let ast::TableObject::TableName(name) = &ins.table else {
            return Err(Error::unsupported("INSERT into a table function"));
        };
        let table = self.target_table(name)?;
        let targets: Vec<usize> = if ins.columns.is_empty() {
            table.schema.visible_columns().map(|(i, _)| i).collect()
        } else {
            let mut t = Vec::new();
            for c in &ins.columns {
                let n = object_name(c)?;
                let i = self.column_of(&table, &n).map_err(self.at(c))?;
                if t.contains(&i) {
                    return Err(Error::new(
                        SqlState::DUPLICATE_COLUMN,
                        format!("column \"{n}\" specified more than once"),
                    )
                    .map_err_at(self, c));
                }
                t.push(i);
            }
            t
        };
        let defaults = self.bind_defaults(&table)?;
        let Some(source) = &ins.source else {
            // INSERT ... DEFAULT VALUES: one row of defaults.
            if !ins.columns.is_empty() || !ins.assignments.is_empty() {
                return Err(Error::unsupported("INSERT without a source"));
            }
            let checks = self.bind_checks(&table)?;
            let scope = table_scope(&table, &table.schema.name);
            let returning = self.bind_returning(&ins.returning, &scope)?;
            let on_conflict = match &ins.on {
                Some(ast::OnInsert::OnConflict(oc)) => Some(self.bind_on_conflict(oc, &table, &scope)?),
                _ => None,
            };
            return Ok(InsertPlan {
                table: TableRef(table),
                source: Node::Values { rows: vec![vec![]], width: 0 },
                targets: Vec::new(),
                defaults,
                checks,
                on_conflict,
                returning,
            });
        };
        let source_node = match (source.body.as_ref(), &source.order_by, &source.limit_clause) {
            (ast::SetExpr::Values(values), None, None) => {
                let mut rows = Vec::new();
                for r in &values.rows {
                    if r.content.len() != values.rows[0].content.len() {
                        return Err(Error::syntax("VALUES lists must all be the same length"));
                    }
                    if r.content.len() > targets.len() {
                        return Err(Error::syntax("INSERT has more expressions than target columns"));
                    }
                    if r.content.len() < targets.len() && !ins.columns.is_empty() {
                        return Err(Error::syntax("INSERT has more target columns than expressions"));
                    }
                    let mut row = Vec::new();
                    for (e, &col) in r.content.iter().zip(&targets) {
                        let is_default = matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
                        let bound = if is_default {
                            defaults[col].clone().unwrap_or_else(|| {
                                Expr::Const(crate::types::Value::Null, table.schema.columns[col].ty.clone())
                            })
                        } else {
                            let b = self.bind_expr(e, &Scope::default(), Aggs::Forbidden("VALUES"))?;
                            self.assign(b, &table, col).map_err(self.at(e))?
                        };
                        row.push(bound);
                    }
                    rows.push(row);
                }
                let width = rows.first().map_or(targets.len(), Vec::len);
                Node::Values { rows, width }
            }
            _ => {
                let q = self.bind_query(source)?;
                if q.columns.len() > targets.len() {
                    return Err(Error::syntax("INSERT has more expressions than target columns"));
                }
                if q.columns.len() < targets.len() && !ins.columns.is_empty() {
                    return Err(Error::syntax("INSERT has more target columns than expressions"));
                }
                let mut exprs = Vec::new();
                for (i, c) in q.columns.iter().enumerate() {
                    exprs.push(self.assign(Expr::Column(i, c.ty.clone()), &table, targets[i])?);
                }
                let names = q.columns.iter().map(|c| c.name.clone()).collect();
                Node::Project { input: Box::new(q.root), exprs, names }
            }
        };
        let targets = targets[..source_node.width()].to_vec();
        let checks = self.bind_checks(&table)?;
        let qualifier = ins.table_alias.as_ref().map(|a| ident(&a.alias)).unwrap_or_else(|| table.schema.name.clone());
        let scope = table_scope(&table, &qualifier);
        let on_conflict = match &ins.on {
            None => None,
            Some(ast::OnInsert::OnConflict(oc)) => Some(self.bind_on_conflict(oc, &table, &scope)?),
            Some(other) => return Err(Error::unsupported(format!("{other}"))),
        };
        let returning = self.bind_returning(&ins.returning, &scope)?;
        Ok(InsertPlan {
            table: TableRef(table),
            source: source_node,
            targets,
            defaults,
            checks,
            on_conflict,
            returning,
        })
    }

    fn bind_on_conflict(&mut self, oc: &ast::OnConflict, table: &Arc<Table>, scope: &Scope) -> Result<OnConflict> {
        let target = match &oc.conflict_target {
            None => None,
            Some(ast::ConflictTarget::Columns(cols)) => {
                let mut t = Vec::new();
                for c in cols {
                    t.push(self.column_of(table, &ident(c))?);
                }
                t.sort_unstable();
                Some(t)
            }
            Some(ast::ConflictTarget::OnConstraint(name)) => {
                let n = object_name(name)?;
                let schema = &table.schema;
                let cols = if schema.pk_name() == Some(n.as_str()) {
                    schema.primary_key.as_ref().map(|(_, c)| c.clone())
                } else {
                    schema.indexes.iter().find(|i| i.name == n && i.unique).map(|i| i.columns.clone())
                };
                let Some(mut cols) = cols else {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("constraint \"{n}\" for table \"{}\" does not exist", schema.name),
                    ));
                };
                cols.sort_unstable();
                Some(cols)
            }
        };
        if let Some(t) = &target {
            let schema = &table.schema;
            let matches_pk = schema.primary_key.as_ref().is_some_and(|(_, c)| {
                let mut c = c.clone();
                c.sort_unstable();
                c == *t
            });
            let matches_unique = schema.indexes.iter().any(|i| {
                let mut c = i.columns.clone();
                c.sort_unstable();
                i.unique && c == *t
            });
            if !matches_pk && !matches_unique {
                return Err(Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                ));
            }
        }
        match &oc.action {
            ast::OnConflictAction::DoNothing => Ok(OnConflict::DoNothing { target }),
            ast::OnConflictAction::DoUpdate(du) => {
                let Some(target) = target else {
                    return Err(Error::syntax(
                        "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    )
                    .with_hint("For example, ON CONFLICT (column_name)."));
                };
                let both = scope.clone().join(table_scope(table, "excluded"));
                let mut assignments = Vec::new();
                for a in &du.assignments {
                    for (col, value) in self.bind_assignment(a, table, &both)? {
                        assignments.push((col, value));
                    }
                }
                let filter = match &du.selection {
                    Some(w) => Some(self.bind_condition(w, &both, Aggs::Forbidden("WHERE"), "WHERE")?),
                    None => None,
                };
                Ok(OnConflict::DoUpdate { target, assignments, filter })
            }
        }
    }

    /// Binds `col = value` (or `(a, b) = (x, y)`) against a scope.
    fn bind_assignment(
        &mut self,
        a: &ast::Assignment,
        table: &Arc<Table>,
        scope: &Scope,
    ) -> Result<Vec<(usize, Expr)>> {
        let names: Vec<&ast::ObjectName> = match &a.target {
            ast::AssignmentTarget::ColumnName(n) => vec![n],
            ast::AssignmentTarget::Tuple(ns) => ns.iter().collect(),
        };
        let values: Vec<&ast::Expr> = match (&a.value, names.len()) {
            (ast::Expr::Tuple(vs), n) if n > 1 => vs.iter().collect(),
            (v, 1) => vec![v],
            _ => return Err(Error::syntax("number of columns does not match number of values")),
        };
        if values.len() != names.len() {
            return Err(Error::syntax("number of columns does not match number of values"));
        }
        let mut out = Vec::new();
        for (n, v) in names.into_iter().zip(values) {
            let col_name = match n.0.last() {
                Some(ast::ObjectNamePart::Identifier(i)) => ident(i),
                _ => object_name(n)?,
            };
            let col = self.column_of(table, &col_name).map_err(self.at(n))?;
            let is_default = matches!(v, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
            let bound = if is_default {
                let d = table.schema.columns[col].default.clone();
                match d {
                    Some(sql) => super::ddl::bind_column_default(self, &sql, &table.schema.columns[col].ty)?,
                    None => Expr::Const(crate::types::Value::Null, table.schema.columns[col].ty.clone()),
                }
            } else {
                let b = self.bind_expr(v, scope, Aggs::Forbidden("UPDATE"))?;
                self.assign(b, table, col).map_err(self.at(v))?
            };
            out.push((col, bound));
        }
        Ok(out)
    }

    /// The target table scanned with its alias, joined with extra FROM/USING tables.
    fn write_source(
        &mut self,
        table: &Arc<Table>,
        alias: Option<&ast::TableAlias>,
        extra: &[ast::TableWithJoins],
    ) -> Result<(Node, Scope)> {
        let qualifier = alias.map(|a| ident(&a.name)).unwrap_or_else(|| table.schema.name.clone());
        let scan = Node::Scan(Box::new(Scan {
            table: TableRef(table.clone()),
            alias: qualifier.clone(),
            access: Access::Full,
            filter: None,
        }));
        let scope = table_scope(table, &qualifier);
        if extra.is_empty() {
            return Ok((scan, scope));
        }
        let (other, other_scope) = self.bind_from(extra)?;
        Ok((
            Node::NestedLoopJoin { left: Box::new(scan), right: Box::new(other), kind: JoinKind::Inner, on: None },
            scope.join(other_scope),
        ))
    }

    pub(super) fn bind_update(&mut self, up: &ast::Update) -> Result<UpdatePlan> {
        let ast::TableFactor::Table { name, alias, .. } = &up.table.relation else {
            return Err(Error::unsupported("UPDATE of this kind of table"));
        };
        if !up.table.joins.is_empty() {
            return Err(Error::syntax("UPDATE cannot have joins on the target table"));
        }
        let table = self.target_table(name)?;
        let extra: Vec<ast::TableWithJoins> = match &up.from {
            None => Vec::new(),
            Some(ast::UpdateTableFromKind::BeforeSet(f)) | Some(ast::UpdateTableFromKind::AfterSet(f)) => f.clone(),
        };
        let (mut source, scope) = self.write_source(&table, alias.as_ref(), &extra)?;
        let recheck = match &up.selection {
            Some(w) => Some(self.bind_condition(w, &scope, Aggs::Forbidden("WHERE"), "WHERE")?),
            None => None,
        };
        if let Some(p) = &recheck {
            source = Node::Filter { input: Box::new(source), predicate: p.clone() };
        }
        let mut assignments: Vec<(usize, Expr)> = Vec::new();
        for a in &up.assignments {
            for (col, value) in self.bind_assignment(a, &table, &scope)? {
                if assignments.iter().any(|(c, _)| *c == col) {
                    return Err(Error::syntax(format!(
                        "multiple assignments to same column \"{}\"",
                        table.schema.columns[col].name
                    )));
                }
                assignments.push((col, value));
            }
        }
        let checks = self.bind_checks(&table)?;
        let returning = self.bind_returning(&up.returning, &scope)?;
        Ok(UpdatePlan { table: TableRef(table), source, recheck, assignments, checks, returning })
    }

    pub(super) fn bind_delete(&mut self, del: &ast::Delete) -> Result<DeletePlan> {
        let from = match &del.from {
            ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
        };
        let [twj] = from.as_slice() else {
            return Err(Error::syntax("DELETE needs exactly one target table"));
        };
        let ast::TableFactor::Table { name, alias, .. } = &twj.relation else {
            return Err(Error::unsupported("DELETE from this kind of table"));
        };
        let table = self.target_table(name)?;
        let extra = del.using.clone().unwrap_or_default();
        let (mut source, scope) = self.write_source(&table, alias.as_ref(), &extra)?;
        let recheck = match &del.selection {
            Some(w) => Some(self.bind_condition(w, &scope, Aggs::Forbidden("WHERE"), "WHERE")?),
            None => None,
        };
        if let Some(p) = &recheck {
            source = Node::Filter { input: Box::new(source), predicate: p.clone() };
        }
        let returning = self.bind_returning(&del.returning, &scope)?;
        Ok(DeletePlan { table: TableRef(table), source, recheck, returning })
    }
}

trait MapErrAt {
    fn map_err_at(self, b: &Binder, node: &ast::ObjectName) -> Self;
}

impl MapErrAt for Error {
    fn map_err_at(self, b: &Binder, node: &ast::ObjectName) -> Self {
        (b.at(node))(self)
    }
}

#[allow(dead_code)]
fn unknown_to_text(t: DataType) -> DataType {
    if t == DataType::Unknown {
        DataType::Text
    } else {
        t
    }
}

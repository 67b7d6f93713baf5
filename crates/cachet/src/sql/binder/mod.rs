//! The binder: from the parser's AST to typed plans.
//!
//! Binding resolves every name against the catalog and the scopes of the query, gives
//! every expression a type (inserting the casts PostgreSQL would), infers the types of
//! `$n` parameters from their context, and builds the logical [`Node`] tree. Errors
//! carry the position of the offending AST node.

mod ddl;
mod dml;
mod expr;
mod query;
mod scope;
mod types;

pub use ddl::bind_column_default;
pub use dml::{table_scope, DeletePlan, InsertPlan, OnConflict, Returning, UpdatePlan};
pub use expr::{literal_text, Aggs};
pub use scope::{Scope, ScopeColumn};
pub use types::{convert_type, is_serial};

use super::plan::Node;
use crate::catalog::Catalog;
use crate::error::{Error, Result, SqlState};
use crate::types::{DataType, TimeZone};
use sqlparser::ast::{self, Spanned};

/// A column of a result set.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputColumn {
    pub name: String,
    pub ty: DataType,
}

/// A bound query.
#[derive(Clone, Debug)]
pub struct QueryPlan {
    pub root: Node,
    pub columns: Vec<OutputColumn>,
}

/// A bound statement that the executor runs.
#[derive(Clone, Debug)]
pub enum Bound {
    Query(QueryPlan),
    Insert(Box<InsertPlan>),
    Update(Box<UpdatePlan>),
    Delete(Box<DeletePlan>),
}

impl Bound {
    /// The columns the statement returns (a query's, or RETURNING's).
    pub fn columns(&self) -> &[OutputColumn] {
        match self {
            Bound::Query(q) => &q.columns,
            Bound::Insert(p) => p.returning.as_ref().map_or(&[], |r| &r.columns),
            Bound::Update(p) => p.returning.as_ref().map_or(&[], |r| &r.columns),
            Bound::Delete(p) => p.returning.as_ref().map_or(&[], |r| &r.columns),
        }
    }

    /// Applies a rewrite to every plan tree in the statement.
    pub fn map_nodes(self, f: &mut impl FnMut(Node) -> Node) -> Bound {
        match self {
            Bound::Query(mut q) => {
                q.root = f(q.root);
                Bound::Query(q)
            }
            Bound::Insert(mut p) => {
                p.source = f(p.source);
                Bound::Insert(p)
            }
            Bound::Update(mut p) => {
                p.source = f(p.source);
                Bound::Update(p)
            }
            Bound::Delete(mut p) => {
                p.source = f(p.source);
                Bound::Delete(p)
            }
        }
    }
}

/// Binds statements against one catalog snapshot.
pub struct Binder<'a> {
    pub catalog: &'a Catalog,
    pub sql: &'a str,
    pub tz: &'a TimeZone,
    /// Parameter types inferred so far; `Unknown` until context decides.
    pub params: Vec<DataType>,
    next_subquery: usize,
    /// Scopes of the enclosing queries, innermost last, for correlated references.
    outer: Vec<Scope>,
    /// Nesting depth of views being expanded, to stop recursive definitions.
    view_depth: usize,
    /// Nesting depth of the expression being bound.
    depth: usize,
    /// Every table and view name the statement reads (for view dependencies).
    pub relations: Vec<String>,
}

impl<'a> Binder<'a> {
    pub fn new(catalog: &'a Catalog, sql: &'a str, tz: &'a TimeZone) -> Self {
        Binder {
            catalog,
            sql,
            tz,
            params: Vec::new(),
            next_subquery: 0,
            outer: Vec::new(),
            view_depth: 0,
            depth: 0,
            relations: Vec::new(),
        }
    }

    /// Binds a query or DML statement.
    pub fn bind(&mut self, stmt: &ast::Statement) -> Result<Bound> {
        let bound = match stmt {
            ast::Statement::Query(q) => Bound::Query(self.bind_query(q)?),
            ast::Statement::Insert(i) => Bound::Insert(Box::new(self.bind_insert(i)?)),
            ast::Statement::Update(u) => Bound::Update(Box::new(self.bind_update(u)?)),
            ast::Statement::Delete(d) => Bound::Delete(Box::new(self.bind_delete(d)?)),
            other => return Err(Error::unsupported(format!("statement not supported: {}", first_words(other)))),
        };
        // Parameters nothing constrained default to text, as in PostgreSQL's clients.
        for p in &mut self.params {
            if *p == DataType::Unknown {
                *p = DataType::Text;
            }
        }
        Ok(bound)
    }

    /// Attaches the position of an AST node to an error that has none.
    pub(crate) fn at<'n>(&'n self, node: &'n impl Spanned) -> impl Fn(Error) -> Error + 'n {
        move |e: Error| {
            if e.position().is_some() {
                return e;
            }
            // sqlparser computes spans recursively; give it room on deep trees.
            let span = stacker::grow(16 * 1024 * 1024, || node.span());
            if span.start.line > 0 {
                e.with_location(self.sql, span.start.line as u32, span.start.column as u32)
            } else {
                e
            }
        }
    }

    fn next_subquery_id(&mut self) -> usize {
        self.next_subquery += 1;
        self.next_subquery - 1
    }
}

/// The first words of a statement, for "not supported" messages.
pub fn first_words(stmt: &ast::Statement) -> String {
    let s = stmt.to_string();
    s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Folds an identifier as PostgreSQL does: unquoted names are lower-cased.
pub fn ident(i: &ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// Resolves a possibly schema-qualified object name to the object's name. Only the
/// `public` schema exists for user objects.
pub fn object_name(name: &ast::ObjectName) -> Result<String> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => Ok(ident(i)),
            other => Err(Error::syntax(format!("unsupported name part {other}"))),
        })
        .collect::<Result<_>>()?;
    match parts.as_slice() {
        [n] => Ok(n.clone()),
        [s, n] if s == "public" || s == "pg_catalog" || s == "information_schema" => {
            if s == "public" {
                Ok(n.clone())
            } else {
                Ok(format!("{s}.{n}"))
            }
        }
        [_, s, n] if s == "public" => Ok(n.clone()),
        [s, _] => Err(Error::new(SqlState::UNDEFINED_SCHEMA, format!("schema \"{s}\" does not exist"))),
        _ => Err(Error::syntax(format!("improper qualified name (too many dotted names): {name}"))),
    }
}

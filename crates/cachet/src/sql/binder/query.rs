//! Binding queries: SELECT, set operations, VALUES, FROM items, ORDER BY and LIMIT.

use super::expr::Aggs;
use super::scope::{Origin, Scope, ScopeColumn};
use super::{ident, object_name, Binder, OutputColumn, QueryPlan};
use crate::error::{Error, Result, SqlState};
use crate::sql::expr::{AggCall, Expr, SortKey};
use crate::sql::plan::{Access, JoinKind, LockRows, Node, Scan, SetOpKind, TableRef};
use crate::storage::table::{LockWait, RowLockMode};
use crate::types::{CastContext, DataType, Value};
use sqlparser::ast;

/// A bound ORDER BY item before it is attached to the plan.
enum OrderItem {
    /// An output column, by position.
    Output(usize),
    /// An expression over the query's input.
    Input(Expr),
}

impl Binder<'_> {
    /// Binds a whole query: WITH, the body, ORDER BY, LIMIT and OFFSET.
    pub fn bind_query(&mut self, q: &ast::Query) -> Result<QueryPlan> {
        if q.with.is_some() {
            return Err(Error::unsupported("WITH queries are not supported yet"));
        }
        if !q.locks.is_empty() {
            // Row locks (FOR UPDATE/SHARE) need concurrency control; reads are still right
            // without them in a single session.
        }
        let order_by: &[ast::OrderByExpr] = match &q.order_by {
            Some(ob) => match &ob.kind {
                ast::OrderByKind::Expressions(e) => e,
                ast::OrderByKind::All(_) => return Err(Error::unsupported("ORDER BY ALL")),
            },
            None => &[],
        };
        let (limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(ast::LimitClause::LimitOffset { limit, offset, .. }) => {
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => (Some(limit), Some(offset)),
        };
        let limit = match (limit, &q.fetch) {
            (Some(l), _) => Some(l),
            (None, Some(f)) => f.quantity.as_ref(),
            (None, None) => None,
        };
        let mut plan = match q.body.as_ref() {
            ast::SetExpr::Select(s) => self.bind_select(s, order_by, row_lock(&q.locks)?)?,
            body => {
                if !q.locks.is_empty() {
                    return Err(Error::unsupported("FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT"));
                }
                let mut p = self.bind_set_expr(body)?;
                if !order_by.is_empty() {
                    let scope = Scope::unqualified(p.columns.iter().map(|c| (c.name.clone(), c.ty.clone())));
                    let mut keys = Vec::new();
                    for ob in order_by {
                        let item = self.bind_order_item(ob, &p.columns, &scope, None)?;
                        let expr = match item {
                            OrderItem::Output(i) => Expr::Column(i, p.columns[i].ty.clone()),
                            OrderItem::Input(e) => e,
                        };
                        keys.push(sort_key(expr, ob));
                    }
                    p.root = Node::Sort { input: Box::new(p.root), keys };
                }
                p
            }
        };
        if limit.is_some() || offset.is_some() {
            let bind_count = |b: &mut Self, e: &ast::Expr, what: &'static str| -> Result<Expr> {
                let x = b.bind_expr(e, &Scope::default(), Aggs::Forbidden(what))?;
                if matches!(x, Expr::Const(Value::Null, DataType::Unknown)) {
                    return Ok(Expr::Const(Value::Null, DataType::Int8));
                }
                b.coerce(x, &DataType::Int8, CastContext::Assignment).map_err(b.at(e))
            };
            let limit = match limit {
                Some(l) => Some(bind_count(self, l, "LIMIT")?),
                None => None,
            };
            let offset = match offset {
                Some(o) => Some(bind_count(self, o, "OFFSET")?),
                None => None,
            };
            plan.root = Node::Limit { input: Box::new(plan.root), limit, offset };
        }
        Ok(plan)
    }

    fn bind_set_expr(&mut self, body: &ast::SetExpr) -> Result<QueryPlan> {
        match body {
            ast::SetExpr::Select(s) => self.bind_select(s, &[], None),
            ast::SetExpr::Query(q) => self.bind_query(q),
            ast::SetExpr::Values(v) => self.bind_values(v),
            ast::SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let l = self.bind_set_expr(left)?;
                let r = self.bind_set_expr(right)?;
                let kind = match op {
                    ast::SetOperator::Union => SetOpKind::Union,
                    ast::SetOperator::Intersect => SetOpKind::Intersect,
                    ast::SetOperator::Except | ast::SetOperator::Minus => SetOpKind::Except,
                };
                let all = matches!(set_quantifier, ast::SetQuantifier::All);
                let name = match kind {
                    SetOpKind::Union => "UNION",
                    SetOpKind::Intersect => "INTERSECT",
                    SetOpKind::Except => "EXCEPT",
                };
                if l.columns.len() != r.columns.len() {
                    return Err(Error::syntax(format!("each {name} query must have the same number of columns")));
                }
                let mut types = Vec::new();
                for (a, b) in l.columns.iter().zip(&r.columns) {
                    types.push(crate::sql::typing::common_type([&a.ty, &b.ty], name)?);
                }
                let left = self.cast_columns(l.root, &l.columns, &types)?;
                let right = self.cast_columns(r.root, &r.columns, &types)?;
                let columns =
                    l.columns.iter().zip(types).map(|(c, ty)| OutputColumn { name: c.name.clone(), ty }).collect();
                Ok(QueryPlan { root: Node::SetOp { kind, all, left: Box::new(left), right: Box::new(right) }, columns })
            }
            ast::SetExpr::Table(t) => {
                let name = t.table_name.clone().ok_or_else(|| Error::syntax("TABLE needs a name"))?;
                let name = ast::ObjectName::from(vec![ast::Ident::new(name)]);
                let (node, scope) = self.bind_relation(&name, None)?;
                let cols: Vec<(usize, &ScopeColumn)> =
                    scope.columns.iter().enumerate().filter(|(_, c)| !c.hidden).collect();
                let exprs = cols.iter().map(|(i, c)| Expr::Column(*i, c.ty.clone())).collect();
                let names: Vec<String> = cols.iter().map(|(_, c)| c.name.clone()).collect();
                let columns =
                    cols.iter().map(|(_, c)| OutputColumn { name: c.name.clone(), ty: c.ty.clone() }).collect();
                Ok(QueryPlan { root: Node::Project { input: Box::new(node), exprs, names }, columns })
            }
            other => Err(Error::unsupported(format!("query form not supported: {other}"))),
        }
    }

    /// Adds a projection casting columns to the given types, where needed.
    fn cast_columns(&mut self, root: Node, columns: &[OutputColumn], types: &[DataType]) -> Result<Node> {
        if columns.iter().zip(types).all(|(c, t)| c.ty == *t || crate::sql::typing::same_representation(&c.ty, t)) {
            return Ok(root);
        }
        let mut exprs = Vec::new();
        for (i, (c, t)) in columns.iter().zip(types).enumerate() {
            exprs.push(self.coerce(Expr::Column(i, c.ty.clone()), t, CastContext::Implicit)?);
        }
        let names = columns.iter().map(|c| c.name.clone()).collect();
        Ok(Node::Project { input: Box::new(root), exprs, names })
    }

    fn bind_values(&mut self, v: &ast::Values) -> Result<QueryPlan> {
        let width = v.rows.first().map_or(0, |r| r.content.len());
        let mut rows = Vec::new();
        for r in &v.rows {
            if r.content.len() != width {
                return Err(Error::syntax("VALUES lists must all be the same length"));
            }
            let mut row = Vec::new();
            for e in &r.content {
                row.push(self.bind_expr(e, &Scope::default(), Aggs::Forbidden("VALUES"))?);
            }
            rows.push(row);
        }
        let mut types = Vec::new();
        for c in 0..width {
            let col: Vec<DataType> = rows.iter().map(|r: &Vec<Expr>| r[c].ty()).collect();
            types.push(crate::sql::typing::common_type(&col, "VALUES")?);
        }
        for row in &mut rows {
            for (c, e) in row.iter_mut().enumerate() {
                let x = std::mem::replace(e, Expr::null());
                *e = self.coerce(x, &types[c], CastContext::Implicit)?;
            }
        }
        let columns = types
            .into_iter()
            .enumerate()
            .map(|(i, ty)| OutputColumn { name: format!("column{}", i + 1), ty })
            .collect();
        Ok(QueryPlan { root: Node::Values { rows, width }, columns })
    }

    /// Binds the FROM clause: the cross product of its items, with their joins.
    pub fn bind_from(&mut self, from: &[ast::TableWithJoins]) -> Result<(Node, Scope)> {
        // Each FROM item needs a distinct name (alias or table name).
        let mut names = Vec::new();
        for twj in from {
            twj_names(twj, &mut names);
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::new(
                    SqlState::DUPLICATE_ALIAS,
                    format!("table name \"{n}\" specified more than once"),
                ));
            }
        }
        let mut acc: Option<(Node, Scope)> = None;
        for twj in from {
            let item = self.bind_table_with_joins(twj)?;
            acc = Some(match acc {
                None => item,
                Some((ln, ls)) => (
                    Node::NestedLoopJoin {
                        left: Box::new(ln),
                        right: Box::new(item.0),
                        kind: JoinKind::Inner,
                        on: None,
                    },
                    ls.join(item.1),
                ),
            });
        }
        Ok(acc.unwrap_or_else(|| (Node::Values { rows: vec![vec![]], width: 0 }, Scope::default())))
    }

    fn bind_table_with_joins(&mut self, twj: &ast::TableWithJoins) -> Result<(Node, Scope)> {
        let (mut node, mut scope) = self.bind_table_factor(&twj.relation)?;
        for j in &twj.joins {
            let (rn, rs) = self.bind_table_factor(&j.relation)?;
            use ast::JoinOperator as J;
            let (kind, constraint) = match &j.join_operator {
                J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
                J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
                J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
                J::FullOuter(c) => (JoinKind::Full, c),
                J::CrossJoin(c) => (JoinKind::Inner, c),
                other => return Err(Error::unsupported(format!("join type not supported: {other:?}"))),
            };
            let left_width = scope.len();
            let mut joined = scope.join(rs);
            let on = match constraint {
                ast::JoinConstraint::On(e) => {
                    Some(self.bind_condition(e, &joined, Aggs::Forbidden("JOIN conditions"), "JOIN/ON")?)
                }
                ast::JoinConstraint::None => None,
                ast::JoinConstraint::Using(cols) => {
                    let names = cols.iter().map(object_name).collect::<Result<Vec<_>>>()?;
                    Some(self.using_condition(&mut joined, left_width, &names, kind)?)
                }
                ast::JoinConstraint::Natural => {
                    let left_names: Vec<String> = joined.columns[..left_width]
                        .iter()
                        .filter(|c| !c.hidden && !c.merged_away)
                        .map(|c| c.name.clone())
                        .collect();
                    let names: Vec<String> = joined.columns[left_width..]
                        .iter()
                        .filter(|c| !c.hidden && left_names.contains(&c.name))
                        .map(|c| c.name.clone())
                        .collect();
                    if names.is_empty() {
                        None
                    } else {
                        Some(self.using_condition(&mut joined, left_width, &names, kind)?)
                    }
                }
            };
            node = Node::NestedLoopJoin { left: Box::new(node), right: Box::new(rn), kind, on };
            scope = joined;
        }
        Ok((node, scope))
    }

    /// Builds the equality condition of USING/NATURAL and hides the right-hand copies of
    /// the join columns from unqualified references and `*`.
    fn using_condition(
        &mut self,
        joined: &mut Scope,
        left_width: usize,
        names: &[String],
        kind: JoinKind,
    ) -> Result<Expr> {
        let mut conds = Vec::new();
        for name in names {
            let find = |cols: &[ScopeColumn], offset: usize| -> Result<usize> {
                let hits: Vec<usize> = cols
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.name == *name && !c.merged_away && !c.hidden)
                    .map(|(i, _)| i + offset)
                    .collect();
                match hits.as_slice() {
                    [i] => Ok(*i),
                    [] => Err(Error::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!(
                            "column \"{name}\" specified in USING clause does not exist in {} table",
                            if offset == 0 { "left" } else { "right" }
                        ),
                    )),
                    _ => Err(Error::new(
                        SqlState::AMBIGUOUS_COLUMN,
                        format!("common column name \"{name}\" appears more than once in left table"),
                    )),
                }
            };
            let l = find(&joined.columns[..left_width], 0)?;
            let r = find(&joined.columns[left_width..], left_width)?;
            let le = Expr::Column(l, joined.columns[l].ty.clone());
            let re = Expr::Column(r, joined.columns[r].ty.clone());
            conds.push(self.binary(crate::sql::expr::BinOp::Eq, le, re)?);
            // The merged column: the left one for inner/left joins, the right one for right
            // joins. FULL joins would need COALESCE; they keep the left one.
            let hide = if kind == JoinKind::Right { l } else { r };
            joined.columns[hide].merged_away = true;
        }
        Ok(Expr::and_all(conds).unwrap_or_else(|| Expr::bool(true)))
    }

    fn bind_table_factor(&mut self, tf: &ast::TableFactor) -> Result<(Node, Scope)> {
        match tf {
            ast::TableFactor::Table { name, alias, args: None, .. } => {
                let (node, scope) = self.bind_relation(name, alias.as_ref()).map_err(self.at(name))?;
                Ok((node, scope))
            }
            ast::TableFactor::Derived { subquery, alias, lateral, .. } => {
                if *lateral {
                    return Err(Error::unsupported("LATERAL is not supported"));
                }
                // A derived table cannot see the scope it appears in (no LATERAL).
                let plan = self.bind_query(subquery)?;
                let qualifier = alias.as_ref().map(|a| ident(&a.name));
                let scope = self.alias_scope(&plan.columns, alias.as_ref(), qualifier)?;
                Ok((plan.root, scope))
            }
            ast::TableFactor::NestedJoin { table_with_joins, alias } => {
                let (node, scope) = self.bind_table_with_joins(table_with_joins)?;
                let scope = match alias {
                    Some(a) => scope.qualify(&ident(&a.name)),
                    None => scope,
                };
                Ok((node, scope))
            }
            other => Err(Error::unsupported(format!("FROM item not supported: {other}"))),
        }
    }

    /// The scope of a FROM item with an alias and optional column aliases.
    fn alias_scope(
        &self,
        columns: &[OutputColumn],
        alias: Option<&ast::TableAlias>,
        qualifier: Option<String>,
    ) -> Result<Scope> {
        let mut names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        if let Some(a) = alias {
            if a.columns.len() > names.len() {
                return Err(Error::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    format!(
                        "table \"{}\" has {} columns available but {} columns specified",
                        ident(&a.name),
                        names.len(),
                        a.columns.len()
                    ),
                ));
            }
            for (n, c) in names.iter_mut().zip(&a.columns) {
                *n = ident(&c.name);
            }
        }
        Ok(Scope::new(
            names
                .into_iter()
                .zip(columns)
                .map(|(name, c)| ScopeColumn {
                    qualifier: qualifier.clone(),
                    name,
                    ty: c.ty.clone(),
                    hidden: false,
                    merged_away: false,
                    origin: None,
                })
                .collect(),
        ))
    }

    /// Binds a table or view name.
    pub fn bind_relation(&mut self, name: &ast::ObjectName, alias: Option<&ast::TableAlias>) -> Result<(Node, Scope)> {
        let n = object_name(name)?;
        let qualifier = alias.map(|a| ident(&a.name)).unwrap_or_else(|| n.rsplit('.').next().unwrap_or(&n).to_string());
        if !self.relations.contains(&n) {
            self.relations.push(n.clone());
        }
        if let Some(table) = self.catalog.table(&n) {
            let instance = self.next_subquery_id();
            let key = table.schema.key_columns();
            let mut columns: Vec<ScopeColumn> = table
                .schema
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ScopeColumn {
                    qualifier: Some(qualifier.clone()),
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    hidden: c.hidden,
                    merged_away: false,
                    origin: Some(Origin { instance, primary_key: key.contains(&i) }),
                })
                .collect();
            if let Some(a) = alias {
                let visible: Vec<usize> =
                    columns.iter().enumerate().filter(|(_, c)| !c.hidden).map(|(i, _)| i).collect();
                if a.columns.len() > visible.len() {
                    return Err(Error::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!(
                            "table \"{qualifier}\" has {} columns available but {} columns specified",
                            visible.len(),
                            a.columns.len()
                        ),
                    ));
                }
                for (i, c) in visible.into_iter().zip(&a.columns) {
                    columns[i].name = ident(&c.name);
                }
            }
            let scan = Scan { table: TableRef(table.clone()), alias: qualifier, access: Access::Full, filter: None };
            return Ok((Node::Scan(Box::new(scan)), Scope::new(columns)));
        }
        if let Some(view) = self.catalog.view(&n).cloned() {
            if self.view_depth > 32 {
                return Err(Error::new(
                    SqlState::INVALID_OBJECT_DEFINITION,
                    format!("infinite recursion detected in view \"{n}\""),
                ));
            }
            let stmts = crate::sql::parser::parse(&view.sql)?;
            let Some(ast::Statement::Query(q)) = stmts.first().map(|s| &s.ast) else {
                return Err(Error::internal(format!("view \"{n}\" has no query")));
            };
            // A view's query binds on its own, outside of the referencing query's scopes.
            let saved_outer = std::mem::take(&mut self.outer);
            self.view_depth += 1;
            let plan = self.bind_query(q);
            self.view_depth -= 1;
            self.outer = saved_outer;
            let mut plan = plan?;
            if let Some(cols) = &view.columns {
                for (c, name) in plan.columns.iter_mut().zip(cols) {
                    c.name = name.clone();
                }
            }
            let scope = self.alias_scope(&plan.columns, alias, Some(qualifier))?;
            return Ok((plan.root, scope));
        }
        if let Some(sys) = crate::sql::system::relation(self, &n)? {
            let scope = self.alias_scope(&sys.columns, alias, Some(qualifier))?;
            return Ok((sys.root, scope));
        }
        Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{n}\" does not exist")))
    }

    /// Binds a SELECT with the ORDER BY of its query.
    fn bind_select(
        &mut self,
        s: &ast::Select,
        order_by: &[ast::OrderByExpr],
        lock: Option<(RowLockMode, LockWait)>,
    ) -> Result<QueryPlan> {
        let (mut node, scope) = self.bind_from(&s.from)?;
        // FOR UPDATE/SHARE locks rows of the one table the query reads.
        let locked_table = match (&lock, &node) {
            (None, _) => None,
            (Some(_), Node::Scan(scan)) => Some(scan.table.clone()),
            (Some(_), _) => {
                return Err(Error::unsupported("FOR UPDATE/SHARE is supported on queries of a single table only"))
            }
        };
        let mut where_pred = None;
        if let Some(w) = &s.selection {
            let pred = self.bind_condition(w, &scope, Aggs::Forbidden("WHERE"), "WHERE")?;
            where_pred = Some(pred.clone());
            node = Node::Filter { input: Box::new(node), predicate: pred };
        }
        // The select list.
        let mut items: Vec<Expr> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => {
                    items.push(self.bind_expr(e, &scope, Aggs::Allowed)?);
                    names.push(column_name(e));
                }
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    items.push(self.bind_expr(expr, &scope, Aggs::Allowed)?);
                    names.push(ident(alias));
                }
                ast::SelectItem::Wildcard(_) => {
                    let before = items.len();
                    for (i, c) in scope.columns.iter().enumerate() {
                        if !c.hidden && !c.merged_away {
                            items.push(Expr::Column(i, c.ty.clone()));
                            names.push(c.name.clone());
                        }
                    }
                    if items.len() == before && s.from.is_empty() {
                        return Err(Error::syntax("SELECT * with no tables specified is not valid"));
                    }
                }
                ast::SelectItem::QualifiedWildcard(kind, _) => {
                    let q = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n) => object_name(n)?,
                        ast::SelectItemQualifiedWildcardKind::Expr(e) => e.to_string(),
                    };
                    let q = q.rsplit('.').next().unwrap_or(&q).to_string();
                    if !scope.has_qualifier(&q) {
                        return Err(Error::new(
                            SqlState::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{q}\""),
                        ));
                    }
                    for (i, c) in scope.columns.iter().enumerate() {
                        if !c.hidden && c.qualifier.as_deref() == Some(q.as_str()) {
                            items.push(Expr::Column(i, c.ty.clone()));
                            names.push(c.name.clone());
                        }
                    }
                }
                ast::SelectItem::ExprWithAliases { .. } => return Err(Error::unsupported("multiple aliases")),
            }
        }
        let output_cols: Vec<OutputColumn> =
            names.iter().zip(&items).map(|(n, e)| OutputColumn { name: n.clone(), ty: e.ty() }).collect();
        // GROUP BY: ordinals and output names refer to the select list, as in PostgreSQL.
        let mut group_by = Vec::new();
        match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(Error::unsupported("GROUP BY modifiers are not supported"));
                }
                for g in exprs {
                    group_by.push(self.bind_group_item(g, &scope, &items, &names)?);
                }
            }
            ast::GroupByExpr::All(_) => return Err(Error::unsupported("GROUP BY ALL")),
        }
        let having = match &s.having {
            Some(h) => Some(self.bind_condition(h, &scope, Aggs::Allowed, "HAVING")?),
            None => None,
        };
        // ORDER BY items, bound against the output first, then the input.
        let distinct = match &s.distinct {
            None | Some(ast::Distinct::All) => false,
            Some(ast::Distinct::Distinct) => true,
            Some(ast::Distinct::On(_)) => return Err(Error::unsupported("DISTINCT ON is not supported yet")),
        };
        let mut order_items = Vec::new();
        for ob in order_by {
            order_items.push(self.bind_order_item(ob, &output_cols, &scope, Some(&items))?);
        }
        let is_grouped = !group_by.is_empty()
            || having.is_some()
            || items.iter().any(Expr::has_agg)
            || order_items.iter().any(|o| matches!(o, OrderItem::Input(e) if e.has_agg()));
        if lock.is_some() && (is_grouped || distinct) {
            let what = if distinct { "DISTINCT clause" } else { "GROUP BY clause or aggregate functions" };
            return Err(Error::unsupported(format!("FOR UPDATE is not allowed with {what}")));
        }
        let mut having = having;
        if is_grouped {
            // Collect the distinct aggregate calls.
            let mut aggs: Vec<AggCall> = Vec::new();
            let mut collect = |e: &Expr| {
                e.walk(&mut |x| {
                    if let Expr::Agg(a) = x {
                        if !aggs.contains(a) {
                            aggs.push((**a).clone());
                        }
                        return false;
                    }
                    true
                });
            };
            items.iter().for_each(&mut collect);
            having.iter().for_each(&mut collect);
            for o in &order_items {
                if let OrderItem::Input(e) = o {
                    collect(e);
                }
            }
            // Every column outside an aggregate must be grouped, or functionally
            // dependent on grouped primary-key columns (then it joins the grouping).
            let mut ungrouped = Vec::new();
            {
                let inputs = items.iter().chain(having.iter()).chain(order_items.iter().filter_map(|o| match o {
                    OrderItem::Input(e) => Some(e),
                    OrderItem::Output(_) => None,
                }));
                for e in inputs {
                    find_ungrouped(e, &group_by, &mut ungrouped);
                }
            }
            for (c, in_subquery) in ungrouped {
                if group_by.contains(&Expr::Column(c, scope.columns[c].ty.clone())) {
                    continue;
                }
                if functionally_dependent(&scope, c, &group_by) {
                    group_by.push(Expr::Column(c, scope.columns[c].ty.clone()));
                    continue;
                }
                let col = &scope.columns[c];
                let name = match &col.qualifier {
                    Some(q) => format!("{q}.{}", col.name),
                    None => col.name.clone(),
                };
                return Err(if in_subquery {
                    Error::new(
                        SqlState::GROUPING_ERROR,
                        format!("subquery uses ungrouped column \"{name}\" from outer query"),
                    )
                } else {
                    Error::new(
                        SqlState::GROUPING_ERROR,
                        format!(
                            "column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function"
                        ),
                    )
                });
            }
            let rewrite = |e: Expr| rewrite_grouped(e, &group_by, &aggs);
            items = items.into_iter().map(rewrite).collect();
            having = having.map(rewrite);
            order_items = order_items
                .into_iter()
                .map(|o| match o {
                    OrderItem::Input(e) => OrderItem::Input(rewrite(e)),
                    o => o,
                })
                .collect();
            node = Node::Aggregate { input: Box::new(node), group_by, aggs };
            if let Some(h) = having.take() {
                node = Node::Filter { input: Box::new(node), predicate: h };
            }
        }
        // Projection, with extra hidden columns for ORDER BY expressions not in the list.
        let visible = items.len();
        let mut keys = Vec::new();
        for (o, ob) in order_items.into_iter().zip(order_by) {
            let idx = match o {
                OrderItem::Output(i) => i,
                OrderItem::Input(e) => match items.iter().position(|x| *x == e) {
                    Some(i) => i,
                    None => {
                        if distinct {
                            return Err(Error::new(
                                SqlState::INVALID_COLUMN_REFERENCE,
                                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                            )
                            .map_to(self, &ob.expr));
                        }
                        items.push(e);
                        names.push(String::new());
                        items.len() - 1
                    }
                },
            };
            keys.push(sort_key(Expr::Column(idx, items[idx].ty()), ob));
        }
        let columns: Vec<OutputColumn> =
            names.iter().zip(&items).take(visible).map(|(n, e)| OutputColumn { name: n.clone(), ty: e.ty() }).collect();
        // Row locking carries the table row behind the output, to find the row and to
        // recompute the output when READ COMMITTED re-checks a changed row.
        let recompute = items.clone();
        let row_offset = items.len();
        if locked_table.is_some() {
            for (i, c) in scope.columns.iter().enumerate() {
                items.push(Expr::Column(i, c.ty.clone()));
                names.push(String::new());
            }
        }
        let width = items.len();
        node = Node::Project { input: Box::new(node), exprs: items, names: names.clone() };
        if distinct {
            node = Node::Distinct { input: Box::new(node) };
        }
        if !keys.is_empty() {
            node = Node::Sort { input: Box::new(node), keys };
        }
        if let (Some(table), Some((mode, wait))) = (locked_table, lock) {
            node = Node::LockRows(Box::new(LockRows {
                input: node,
                table,
                row_offset,
                filter: where_pred,
                exprs: recompute,
                mode,
                wait,
            }));
        }
        if width > visible {
            let exprs = columns.iter().enumerate().map(|(i, c)| Expr::Column(i, c.ty.clone())).collect();
            node = Node::Project { input: Box::new(node), exprs, names: names[..visible].to_vec() };
        }
        Ok(QueryPlan { root: node, columns })
    }

    fn bind_group_item(&mut self, g: &ast::Expr, scope: &Scope, items: &[Expr], names: &[String]) -> Result<Expr> {
        if let ast::Expr::Value(v) = g {
            if let ast::Value::Number(n, _) = &v.value {
                let k: usize = n.parse().map_err(|_| Error::syntax("non-integer constant in GROUP BY"))?;
                if k == 0 || k > items.len() {
                    return Err(Error::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("GROUP BY position {k} is not in select list"),
                    )
                    .map_to(self, g));
                }
                let e = items[k - 1].clone();
                if e.has_agg() {
                    return Err(Error::new(
                        SqlState::GROUPING_ERROR,
                        "aggregate functions are not allowed in GROUP BY",
                    )
                    .map_to(self, g));
                }
                return Ok(e);
            }
        }
        if let ast::Expr::Identifier(i) = g {
            let n = ident(i);
            // An input column takes precedence over an output name in GROUP BY.
            if scope.resolve(None, &n)?.is_none() {
                if let Some(k) = names.iter().position(|x| *x == n) {
                    let e = items[k].clone();
                    if e.has_agg() {
                        return Err(Error::new(
                            SqlState::GROUPING_ERROR,
                            "aggregate functions are not allowed in GROUP BY",
                        )
                        .map_to(self, g));
                    }
                    return Ok(e);
                }
            }
        }
        self.bind_expr(g, scope, Aggs::Forbidden("GROUP BY"))
    }

    /// Binds one ORDER BY item: an ordinal, an output column name, or an expression.
    fn bind_order_item(
        &mut self,
        ob: &ast::OrderByExpr,
        outputs: &[OutputColumn],
        scope: &Scope,
        items: Option<&[Expr]>,
    ) -> Result<OrderItem> {
        if let ast::Expr::Value(v) = &ob.expr {
            if let ast::Value::Number(n, _) = &v.value {
                return match n.parse::<usize>() {
                    Ok(k) if k >= 1 && k <= outputs.len() => Ok(OrderItem::Output(k - 1)),
                    _ => Err(Error::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("ORDER BY position {n} is not in select list"),
                    )
                    .map_to(self, &ob.expr)),
                };
            }
        }
        if let ast::Expr::Identifier(i) = &ob.expr {
            let n = ident(i);
            let hits: Vec<usize> = outputs.iter().enumerate().filter(|(_, c)| c.name == n).map(|(k, _)| k).collect();
            match hits.as_slice() {
                [k] => return Ok(OrderItem::Output(*k)),
                [k, rest @ ..] => {
                    // Several output columns of that name: fine if they are the same expression.
                    if let Some(items) = items {
                        if rest.iter().all(|r| items[*r] == items[*k]) {
                            return Ok(OrderItem::Output(*k));
                        }
                    }
                    return Err(Error::new(SqlState::AMBIGUOUS_COLUMN, format!("ORDER BY \"{n}\" is ambiguous"))
                        .map_to(self, &ob.expr));
                }
                [] => {}
            }
        }
        if items.is_none() {
            // Set operations: only output columns can be referenced.
            let e = self.bind_expr(&ob.expr, scope, Aggs::Forbidden("ORDER BY"))?;
            return Ok(OrderItem::Input(e));
        }
        Ok(OrderItem::Input(self.bind_expr(&ob.expr, scope, Aggs::Allowed)?))
    }
}

/// The names FROM items introduce (aliases, or table names), for duplicate checks.
fn twj_names(twj: &ast::TableWithJoins, out: &mut Vec<String>) {
    factor_names(&twj.relation, out);
    for j in &twj.joins {
        factor_names(&j.relation, out);
    }
}

fn factor_names(tf: &ast::TableFactor, out: &mut Vec<String>) {
    match tf {
        ast::TableFactor::Table { alias: Some(a), .. }
        | ast::TableFactor::Derived { alias: Some(a), .. }
        | ast::TableFactor::NestedJoin { alias: Some(a), .. } => out.push(ident(&a.name)),
        ast::TableFactor::Table { name, alias: None, .. } => {
            if let Ok(n) = object_name(name) {
                out.push(n.rsplit('.').next().unwrap_or(&n).to_string());
            }
        }
        ast::TableFactor::NestedJoin { table_with_joins, alias: None } => twj_names(table_with_joins, out),
        _ => {}
    }
}

/// The row lock a query's FOR UPDATE/SHARE clauses ask for (the strongest).
fn row_lock(locks: &[ast::LockClause]) -> Result<Option<(RowLockMode, LockWait)>> {
    let mut out: Option<(RowLockMode, LockWait)> = None;
    for l in locks {
        if l.of.is_some() {
            // A single table is locked anyway; OF just names it.
        }
        let mode = match l.lock_type {
            ast::LockType::Update => RowLockMode::Exclusive,
            ast::LockType::Share => RowLockMode::Share,
        };
        let wait = match l.nonblock {
            None => LockWait::Block,
            Some(ast::NonBlock::Nowait) => LockWait::NoWait,
            Some(ast::NonBlock::SkipLocked) => LockWait::SkipLocked,
        };
        out = Some(match out {
            None => (mode, wait),
            Some((m, w)) => {
                (if m == RowLockMode::Exclusive { m } else { mode }, if w == LockWait::Block { wait } else { w })
            }
        });
    }
    Ok(out)
}

fn sort_key(expr: Expr, ob: &ast::OrderByExpr) -> SortKey {
    let desc = matches!(ob.options.sort, Some(ast::OrderBySort::Desc));
    SortKey::new(expr, desc, ob.options.nulls_first)
}

/// Collects the input columns an expression of a grouped query uses outside aggregate
/// calls and grouped expressions, with whether the use is inside a subquery.
fn find_ungrouped(e: &Expr, group_by: &[Expr], out: &mut Vec<(usize, bool)>) {
    if matches!(e, Expr::Agg(_)) || (!matches!(e, Expr::Const(..)) && group_by.contains(e)) {
        return;
    }
    match e {
        Expr::Column(i, _) => out.push((*i, false)),
        Expr::Subquery(s) => {
            let mut refs = Vec::new();
            s.plan.visit_exprs(&mut |y| collect_depth(y, 1, &mut refs));
            out.extend(refs.into_iter().map(|i| (i, true)));
            for c in e.children() {
                find_ungrouped(c, group_by, out);
            }
        }
        _ => {
            for c in e.children() {
                find_ungrouped(c, group_by, out);
            }
        }
    }
}

/// Whether column `c` is determined by grouped columns: all primary-key columns of its
/// table (the same FROM item) are grouped.
fn functionally_dependent(scope: &Scope, c: usize, group_by: &[Expr]) -> bool {
    let Some(origin) = scope.columns[c].origin else { return false };
    let pk: Vec<usize> = (0..scope.columns.len())
        .filter(|&i| scope.columns[i].origin.is_some_and(|o| o.instance == origin.instance && o.primary_key))
        .collect();
    !pk.is_empty() && pk.iter().all(|&i| group_by.iter().any(|g| matches!(g, Expr::Column(j, _) if *j == i)))
}

/// Rewrites an expression of a grouped query over the aggregate's output: aggregate
/// calls and grouped expressions become columns of it (`find_ungrouped` has checked
/// that nothing else refers to the input).
fn rewrite_grouped(e: Expr, group_by: &[Expr], aggs: &[AggCall]) -> Expr {
    let ngroup = group_by.len();
    e.transform_down(&mut |x| {
        if let Expr::Agg(a) = &x {
            let i = aggs.iter().position(|y| y == a.as_ref()).expect("aggregate collected");
            return Ok(Expr::Column(ngroup + i, a.ty.clone()));
        }
        if !matches!(x, Expr::Const(..)) {
            if let Some(k) = group_by.iter().position(|g| *g == x) {
                return Ok(Expr::Column(k, x.ty()));
            }
        }
        match x {
            // Outer references of subqueries point at this row: renumber them too.
            Expr::Subquery(mut s) => {
                let map =
                    |i: usize| group_by.iter().position(|g| matches!(g, Expr::Column(j, _) if *j == i)).unwrap_or(i);
                s.plan = std::mem::replace(&mut s.plan, Node::Empty { width: 0 })
                    .map_exprs(&mut |y| y.remap_at_depth(1, &map));
                Err(Expr::Subquery(s))
            }
            x => Err(x),
        }
    })
}

fn collect_depth(e: &Expr, depth: usize, out: &mut Vec<usize>) {
    e.walk(&mut |x| {
        match x {
            Expr::Outer(d, i, _) if *d == depth => out.push(*i),
            Expr::Subquery(s) => s.plan.visit_exprs(&mut |y| collect_depth(y, depth + 1, out)),
            _ => {}
        }
        true
    });
}

/// The name PostgreSQL gives an unaliased select-list expression.
pub fn column_name(e: &ast::Expr) -> String {
    use ast::Expr as A;
    match e {
        A::Identifier(i) => ident(i),
        A::CompoundIdentifier(parts) => parts.last().map(ident).unwrap_or_default(),
        A::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident).unwrap_or_else(|| "?column?".into()),
        A::Cast { expr, data_type, .. } => match expr.as_ref() {
            A::Identifier(_) | A::CompoundIdentifier(_) | A::Function(_) | A::Cast { .. } | A::Nested(_) => {
                column_name(expr)
            }
            _ => cast_type_name(data_type),
        },
        A::Nested(inner) => column_name(inner),
        A::Case { .. } => "case".into(),
        A::Exists { .. } => "exists".into(),
        A::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::UnnamedExpr(e)) => column_name(e),
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => ident(alias),
                _ => "?column?".into(),
            },
            _ => "?column?".into(),
        },
        A::Extract { .. } => "extract".into(),
        A::Substring { .. } => "substring".into(),
        A::Trim { .. } => "btrim".into(),
        A::Position { .. } => "position".into(),
        A::Ceil { .. } => "ceil".into(),
        A::Floor { .. } => "floor".into(),
        A::TypedString(ts) => cast_type_name(&ts.data_type),
        A::Interval(_) => "interval".into(),
        A::Array(_) => "array".into(),
        A::AtTimeZone { .. } => "timezone".into(),
        A::Overlay { .. } => "overlay".into(),
        _ => "?column?".into(),
    }
}

fn cast_type_name(t: &ast::DataType) -> String {
    match super::types::convert_type(t) {
        Ok(dt) => match dt {
            DataType::Int2 => "int2".into(),
            DataType::Int4 => "int4".into(),
            DataType::Int8 => "int8".into(),
            DataType::Float4 => "float4".into(),
            DataType::Float8 => "float8".into(),
            DataType::Bool => "bool".into(),
            DataType::Varchar(_) => "varchar".into(),
            DataType::Char(_) => "bpchar".into(),
            DataType::Timestamp => "timestamp".into(),
            DataType::TimestampTz => "timestamptz".into(),
            DataType::Time => "time".into(),
            DataType::Numeric(_) => "numeric".into(),
            DataType::Array(_) => "?column?".into(),
            other => other.to_string(),
        },
        Err(_) => "?column?".into(),
    }
}

/// Attaches an AST node's position to an error.
pub(crate) trait MapTo {
    fn map_to(self, b: &Binder, node: &ast::Expr) -> Self;
}

impl MapTo for Error {
    fn map_to(self, b: &Binder, node: &ast::Expr) -> Self {
        (b.at(node))(self)
    }
}

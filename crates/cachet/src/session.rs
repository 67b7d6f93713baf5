//! Sessions: one per client connection or embedded `Connection`.
//!
//! The session owns what PostgreSQL keeps per backend: the current transaction (with
//! its snapshot, its private catalog copy after DDL, and whether it failed), the
//! settings changed with SET, and a cache of prepared statements keyed by their text.
//! Every face of Cachet drives the engine through this type.
//!
//! Statements outside BEGIN ... COMMIT run in their own transaction. Inside an explicit
//! transaction, a failed statement leaves the transaction aborted (25P02) until
//! ROLLBACK, as in PostgreSQL. READ COMMITTED takes a new snapshot per statement;
//! REPEATABLE READ and SERIALIZABLE keep the first one.

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::error::{Error, Result, SqlState};
use crate::sql::binder::{Binder, Bound, OutputColumn};
use crate::sql::ddl::{self, Action, DdlContext};
use crate::sql::exec::{self, dml, Env, ExecCtx};
use crate::sql::optimizer::optimize;
use crate::sql::parser::{self, ParsedStatement};
use crate::storage::{IsolationLevel, Txn};
use crate::types::{cast, parse_value, CastContext, DataType, TimeZone, Value};
use parking_lot::Mutex;
use sqlparser::ast;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// How many prepared statements a session keeps by text.
const STATEMENT_CACHE: usize = 256;

/// The result of one statement.
#[derive(Clone, Debug)]
pub struct StatementResult {
    /// The columns, for statements that return rows (even zero rows).
    pub columns: Option<Arc<Vec<OutputColumn>>>,
    pub rows: Vec<Vec<Value>>,
    /// PostgreSQL's command tag: `SELECT 3`, `INSERT 0 1`, `CREATE TABLE`, ...
    pub tag: String,
    /// Rows affected (or returned).
    pub affected: u64,
}

impl StatementResult {
    fn command(tag: impl Into<String>) -> Self {
        StatementResult { columns: None, rows: Vec::new(), tag: tag.into(), affected: 0 }
    }
}

/// The transaction state PostgreSQL reports in ReadyForQuery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnStatus {
    Idle,
    InTransaction,
    Failed,
}

/// A prepared statement: parsed once, planned once per catalog version.
pub struct Prepared {
    pub sql: String,
    pub(crate) stmt: Option<ParsedStatement>,
    pub param_types: Vec<DataType>,
    pub columns: Option<Vec<OutputColumn>>,
    plan: Mutex<Option<(u64, Arc<Bound>)>>,
}

impl Prepared {
    /// Whether the statement is empty (only whitespace or comments).
    pub fn is_empty(&self) -> bool {
        self.stmt.is_none()
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prepared({:?})", self.sql)
    }
}

/// Session settings changed with SET.
#[derive(Clone, Debug)]
pub struct Settings {
    pub time_zone: TimeZone,
    pub default_isolation: IsolationLevel,
    /// Who is connected (current_user) and to which database (current_database()).
    pub user: String,
    pub database: String,
    /// The number `pg_backend_pid()` reports.
    pub backend_pid: i32,
    /// Other parameters, by name, for SHOW.
    pub other: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: TimeZone::Utc,
            default_isolation: IsolationLevel::ReadCommitted,
            user: "cachet".into(),
            database: "cachet".into(),
            backend_pid: std::process::id() as i32,
            other: default_parameters(),
        }
    }
}

fn default_parameters() -> BTreeMap<String, String> {
    [
        ("application_name", ""),
        ("client_encoding", "UTF8"),
        ("server_encoding", "UTF8"),
        ("datestyle", "ISO, MDY"),
        ("intervalstyle", "postgres"),
        ("extra_float_digits", "1"),
        ("search_path", "\"$user\", public"),
        ("standard_conforming_strings", "on"),
        ("integer_datetimes", "on"),
        ("client_min_messages", "notice"),
        ("statement_timeout", "0"),
        ("lock_timeout", "0"),
        ("idle_in_transaction_session_timeout", "0"),
        ("synchronous_commit", "on"),
        ("bytea_output", "hex"),
        ("server_version", "15.0 (Cachet)"),
        ("server_version_num", "150000"),
        ("max_identifier_length", "63"),
        ("default_transaction_read_only", "off"),
        ("transaction_read_only", "off"),
        ("is_superuser", "on"),
        ("row_security", "on"),
        ("work_mem", "4MB"),
        ("max_connections", "100"),
        ("join_collapse_limit", "8"),
        ("enable_seqscan", "on"),
        ("jit", "off"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

struct ActiveTxn {
    txn: Txn,
    explicit: bool,
    failed: bool,
    read_only: bool,
    /// The transaction's own catalog after DDL, and the published version it started from.
    catalog: Option<(Arc<Catalog>, u64)>,
    undo: Vec<Action>,
    on_commit: Vec<Action>,
    /// Start time, microseconds since the Unix epoch (`now()`).
    start: i64,
    /// Whether a statement has run (SET TRANSACTION must come first).
    used: bool,
    savepoints: Vec<Savepoint>,
}

/// A SAVEPOINT: where to roll back to.
struct Savepoint {
    name: String,
    write_mark: usize,
    catalog: Option<(Arc<Catalog>, u64)>,
    undo_len: usize,
    on_commit_len: usize,
}

/// A session.
pub struct Session {
    engine: Arc<Engine>,
    txn: Option<ActiveTxn>,
    pub settings: Settings,
    cache: HashMap<String, Arc<Prepared>>,
    cache_order: VecDeque<String>,
    notices: Vec<String>,
    cancel: Arc<AtomicBool>,
}

impl Session {
    pub fn new(engine: Arc<Engine>) -> Self {
        Session {
            engine,
            txn: None,
            settings: Settings::default(),
            cache: HashMap::new(),
            cache_order: VecDeque::new(),
            notices: Vec::new(),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A flag another thread may set to cancel the statement this session is running
    /// (PostgreSQL's CancelRequest, Ctrl-C in the shell). It is cleared when the next
    /// statement starts.
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The transaction status, for the wire protocol.
    pub fn status(&self) -> TxnStatus {
        match &self.txn {
            Some(t) if t.explicit && t.failed => TxnStatus::Failed,
            Some(t) if t.explicit => TxnStatus::InTransaction,
            _ => TxnStatus::Idle,
        }
    }

    /// Notices raised by the last statements; taking them clears them.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// The catalog statements of this session see.
    pub fn catalog(&self) -> Arc<Catalog> {
        match &self.txn {
            Some(ActiveTxn { catalog: Some((c, _)), .. }) => c.clone(),
            _ => self.engine.catalog(),
        }
    }

    /// Runs every statement in `sql`, returning one result per statement. Stops at the
    /// first error.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<Vec<StatementResult>> {
        let r = self.execute_inner(sql, params);
        if r.is_err() {
            self.statement_failed();
        }
        r
    }

    /// After any failed statement: an explicit transaction is aborted until it ends, an
    /// implicit one rolls back.
    fn statement_failed(&mut self) {
        match &mut self.txn {
            Some(t) if t.explicit => t.failed = true,
            Some(_) => {
                let _ = self.finish(false);
            }
            None => {}
        }
    }

    /// Fails with 25P02 if the transaction is aborted and `stmt` cannot end it.
    fn check_not_failed(&self, stmt: &ast::Statement) -> Result<()> {
        let ends = matches!(stmt, ast::Statement::Commit { .. } | ast::Statement::Rollback { .. });
        if self.txn.as_ref().is_some_and(|t| t.failed) && !ends {
            return Err(Error::new(
                SqlState::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        Ok(())
    }

    fn execute_inner(&mut self, sql: &str, params: &[Value]) -> Result<Vec<StatementResult>> {
        if let Some(p) = self.cache.get(sql).cloned() {
            return Ok(vec![self.execute_prepared(&p, params)?]);
        }
        self.engine.stats.parses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stmts = parser::parse(sql)?;
        if stmts.len() == 1 && params_allowed(&stmts[0].ast) {
            let stmt = stmts.into_iter().next().expect("one statement");
            let p = self.prepare_parsed(sql, Some(stmt))?;
            self.remember(sql, &p);
            return Ok(vec![self.execute_prepared(&p, params)?]);
        }
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            let p = self.prepare_parsed(&stmt.text.clone(), Some(stmt))?;
            out.push(self.execute_prepared(&p, params)?);
        }
        Ok(out)
    }

    /// Prepares one statement (or none, for an empty string). The statement is parsed
    /// now and planned lazily, once per catalog version.
    pub fn prepare(&mut self, sql: &str) -> Result<Arc<Prepared>> {
        let r = self.prepare_inner(sql);
        if r.is_err() {
            self.statement_failed();
        }
        r
    }

    fn prepare_inner(&mut self, sql: &str) -> Result<Arc<Prepared>> {
        if let Some(p) = self.cache.get(sql) {
            return Ok(p.clone());
        }
        self.engine.stats.parses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut stmts = parser::parse(sql)?;
        if stmts.len() > 1 {
            return Err(Error::syntax("cannot insert multiple commands into a prepared statement"));
        }
        let p = self.prepare_parsed(sql, stmts.pop())?;
        self.remember(sql, &p);
        Ok(p)
    }

    fn remember(&mut self, sql: &str, p: &Arc<Prepared>) {
        if self.cache.insert(sql.to_string(), p.clone()).is_none() {
            self.cache_order.push_back(sql.to_string());
            if self.cache_order.len() > STATEMENT_CACHE {
                if let Some(old) = self.cache_order.pop_front() {
                    self.cache.remove(&old);
                }
            }
        }
    }

    fn prepare_parsed(&mut self, sql: &str, stmt: Option<ParsedStatement>) -> Result<Arc<Prepared>> {
        if let Some(s) = &stmt {
            self.check_not_failed(&s.ast)?;
        }
        let mut prepared =
            Prepared { sql: sql.to_string(), stmt, param_types: Vec::new(), columns: None, plan: Mutex::new(None) };
        if let Some(stmt) = &prepared.stmt {
            match &stmt.ast {
                ast::Statement::Query(_)
                | ast::Statement::Insert(_)
                | ast::Statement::Update(_)
                | ast::Statement::Delete(_) => {
                    let catalog = self.catalog();
                    let (bound, params) = self.plan(&catalog, stmt)?;
                    prepared.param_types = params;
                    prepared.columns = match &*bound {
                        Bound::Query(q) => Some(q.columns.clone()),
                        b if !b.columns().is_empty() => Some(b.columns().to_vec()),
                        _ => None,
                    };
                    *prepared.plan.lock() = Some((catalog.version, bound));
                }
                ast::Statement::Explain { .. } => {
                    prepared.columns = Some(vec![OutputColumn { name: "QUERY PLAN".into(), ty: DataType::Text }]);
                }
                ast::Statement::ShowVariable { variable } => {
                    let name = variable.iter().map(|i| i.value.to_lowercase()).collect::<Vec<_>>().join(" ");
                    prepared.columns = Some(vec![OutputColumn { name: show_name(&name), ty: DataType::Text }]);
                }
                _ => {}
            }
        }
        Ok(Arc::new(prepared))
    }

    /// Binds and optimizes a statement against a catalog.
    fn plan(&self, catalog: &Catalog, stmt: &ParsedStatement) -> Result<(Arc<Bound>, Vec<DataType>)> {
        self.engine.stats.plans.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut binder = Binder::new(catalog, &stmt.text, &self.settings.time_zone);
        let bound = binder.bind(&stmt.ast).map_err(|e| e.resolve_location(&stmt.text))?;
        let bound = bound.map_nodes(&mut |n| optimize(n, &self.engine, catalog, &self.settings.time_zone));
        Ok((Arc::new(bound), binder.params))
    }

    /// The plan of a prepared statement for the current catalog.
    fn plan_of(&self, p: &Prepared) -> Result<Arc<Bound>> {
        let catalog = self.catalog();
        if let Some((v, b)) = &*p.plan.lock() {
            if *v == catalog.version {
                return Ok(b.clone());
            }
        }
        let stmt = p.stmt.as_ref().ok_or_else(|| Error::internal("empty statement has no plan"))?;
        let (bound, _) = self.plan(&catalog, stmt)?;
        *p.plan.lock() = Some((catalog.version, bound.clone()));
        Ok(bound)
    }

    /// Runs a prepared statement.
    pub fn execute_prepared(&mut self, p: &Prepared, params: &[Value]) -> Result<StatementResult> {
        let Some(stmt) = &p.stmt else {
            return Ok(StatementResult::command(""));
        };
        self.engine.stats.statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.check_not_failed(&stmt.ast)?;
        let result = self.dispatch(p, stmt, params);
        match &result {
            Ok(_) => {
                if self.txn.as_ref().is_some_and(|t| !t.explicit) {
                    self.finish(true)?;
                }
            }
            Err(_) => self.statement_failed(),
        }
        result.map_err(|e| e.resolve_location(&stmt.text))
    }

    fn dispatch(&mut self, p: &Prepared, stmt: &ParsedStatement, params: &[Value]) -> Result<StatementResult> {
        use ast::Statement as S;
        match &stmt.ast {
            S::StartTransaction { modes, .. } => self.begin(modes),
            S::Commit { .. } => self.commit(),
            S::Rollback { savepoint: None, .. } => self.rollback(),
            S::Savepoint { name } => self.savepoint(&crate::sql::binder::ident(name)),
            S::Rollback { savepoint: Some(name), .. } => self.rollback_to(&crate::sql::binder::ident(name)),
            S::ReleaseSavepoint { name } => self.release(&crate::sql::binder::ident(name)),
            S::Set(set) => self.set(set),
            S::ShowVariable { variable } => self.show(variable),
            S::Reset(r) => self.reset(r),
            S::Pragma { name, value: None, .. } if name.to_string().eq_ignore_ascii_case("checkpoint") => {
                self.engine.checkpoint()?;
                Ok(StatementResult::command("CHECKPOINT"))
            }
            S::Explain { statement, analyze, .. } => self.explain(stmt, statement, *analyze, params),
            S::Query(_) | S::Insert(_) | S::Update(_) | S::Delete(_) => {
                let bound = self.plan_of(p)?;
                let params = self.convert_params(&p.param_types, params)?;
                self.run(&bound, &params)
            }
            s if ddl::is_ddl(s) => self.ddl(s),
            s => Err(Error::unsupported(format!("statement not supported: {}", crate::sql::binder::first_words(s)))),
        }
    }

    /// Converts parameters to the types the statement expects, as PostgreSQL's input
    /// functions do for text parameters.
    fn convert_params(&self, types: &[DataType], params: &[Value]) -> Result<Vec<Value>> {
        if params.len() != types.len() {
            return Err(Error::new(
                SqlState("08P01"),
                format!(
                    "bind message supplies {} parameters, but prepared statement requires {}",
                    params.len(),
                    types.len()
                ),
            ));
        }
        params
            .iter()
            .zip(types)
            .map(|(v, t)| match v {
                Value::Null => Ok(Value::Null),
                v if v.data_type() == *t || *t == DataType::Unknown => Ok(v.clone()),
                Value::Text(s) => parse_value(s, t, &self.settings.time_zone),
                v => cast(v.clone(), t, CastContext::Explicit, &self.settings.time_zone),
            })
            .collect()
    }

    /// Ensures a transaction is open (an implicit one if needed) and returns it.
    fn ensure_txn(&mut self) -> &mut ActiveTxn {
        if self.txn.is_none() {
            let txn = self.engine.txns.begin(self.settings.default_isolation);
            self.txn = Some(ActiveTxn {
                txn,
                explicit: false,
                failed: false,
                read_only: false,
                catalog: None,
                undo: Vec::new(),
                on_commit: Vec::new(),
                start: self.engine.now(),
                used: false,
                savepoints: Vec::new(),
            });
        }
        self.txn.as_mut().expect("just ensured")
    }

    /// Runs a bound query or write.
    fn run(&mut self, bound: &Bound, params: &[Value]) -> Result<StatementResult> {
        let catalog = self.catalog();
        let engine = self.engine.clone();
        let now = engine.now();
        self.cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        self.ensure_txn();
        // Disjoint borrows of the session's fields.
        let Session { txn, settings, cancel, .. } = self;
        let active = txn.as_mut().expect("ensured above");
        // READ COMMITTED: a snapshot per statement; the others: one, at the first.
        if !active.txn.isolation.uses_transaction_snapshot() || !active.used {
            active.txn.refresh_snapshot();
        }
        active.used = true;
        let is_write = !matches!(bound, Bound::Query(_));
        if is_write && active.read_only {
            let verb = match bound {
                Bound::Insert(_) => "INSERT",
                Bound::Update(_) => "UPDATE",
                _ => "DELETE",
            };
            return Err(Error::new(
                SqlState::READ_ONLY_SQL_TRANSACTION,
                format!("cannot execute {verb} in a read-only transaction"),
            ));
        }
        active.txn.set_wait_policy(crate::storage::mvcc::WaitPolicy {
            lock_timeout: settings.other.get("lock_timeout").and_then(|v| parse_duration(v)),
            cancel: Some(cancel.clone()),
        });
        let rv = active.txn.read_view(now);
        let mut ctx = ExecCtx::new(&engine, &catalog, rv, params, &settings.time_zone, active.start);
        ctx.cancel = Some(cancel);
        ctx.txn = Some(&active.txn);
        ctx.user = &settings.user;
        ctx.database = &settings.database;
        ctx.backend_pid = settings.backend_pid;
        let columns = Some(Arc::new(bound.columns().to_vec()));
        match bound {
            Bound::Query(q) => {
                let rows = exec::collect(&q.root, &Env::new(&ctx))?;
                let n = rows.len() as u64;
                Ok(StatementResult { columns, rows, tag: format!("SELECT {n}"), affected: n })
            }
            Bound::Insert(plan) => {
                let r = dml::insert(plan, &ctx)?;
                Ok(write_result(columns.filter(|_| plan.returning.is_some()), r, "INSERT 0"))
            }
            Bound::Update(plan) => {
                let r = dml::update(plan, &ctx)?;
                Ok(write_result(columns.filter(|_| plan.returning.is_some()), r, "UPDATE"))
            }
            Bound::Delete(plan) => {
                let r = dml::delete(plan, &ctx)?;
                Ok(write_result(columns.filter(|_| plan.returning.is_some()), r, "DELETE"))
            }
        }
    }

    fn explain(
        &mut self,
        outer: &ParsedStatement,
        inner: &ast::Statement,
        analyze: bool,
        params: &[Value],
    ) -> Result<StatementResult> {
        if analyze {
            return Err(Error::unsupported("EXPLAIN ANALYZE is not supported yet"));
        }
        let stmt = ParsedStatement { ast: inner.clone(), text: outer.text.clone() };
        let catalog = self.catalog();
        let (bound, types) = self.plan(&catalog, &stmt)?;
        let _ = self.convert_params(&types, params).ok();
        let mut lines = Vec::new();
        let mut push_tree = |root: &crate::sql::plan::Node, head: Option<String>| {
            let depth_shift = head.is_some();
            if let Some(h) = head {
                lines.push(h);
            }
            for l in root.explain() {
                lines.push(if depth_shift { format!("  ->  {l}") } else { l });
            }
        };
        match &*bound {
            Bound::Query(q) => push_tree(&q.root, None),
            Bound::Insert(p) => push_tree(&p.source, Some(format!("Insert on {}", p.table.schema.name))),
            Bound::Update(p) => push_tree(&p.source, Some(format!("Update on {}", p.table.schema.name))),
            Bound::Delete(p) => push_tree(&p.source, Some(format!("Delete on {}", p.table.schema.name))),
        }
        let n = lines.len() as u64;
        Ok(StatementResult {
            columns: Some(Arc::new(vec![OutputColumn { name: "QUERY PLAN".into(), ty: DataType::Text }])),
            rows: lines.into_iter().map(|l| vec![Value::text(l)]).collect(),
            tag: "EXPLAIN".into(),
            affected: n,
        })
    }

    fn ddl(&mut self, stmt: &ast::Statement) -> Result<StatementResult> {
        let engine = self.engine.clone();
        let _guard = engine.ddl.lock();
        let tz = self.settings.time_zone.clone();
        let now = engine.now();
        let published = engine.catalog();
        let active = self.ensure_txn();
        if active.read_only {
            return Err(Error::new(
                SqlState::READ_ONLY_SQL_TRANSACTION,
                "cannot execute DDL in a read-only transaction",
            ));
        }
        active.used = true;
        let (base, base_version) = match &active.catalog {
            Some((c, v)) => ((**c).clone(), *v),
            None => ((*published).clone(), published.version),
        };
        let mut catalog = base;
        let mut notices = Vec::new();
        let mut cx = DdlContext {
            catalog: &mut catalog,
            tz: &tz,
            now,
            undo: &mut active.undo,
            on_commit: &mut active.on_commit,
            notices: &mut notices,
        };
        let tag = ddl::execute(stmt, &mut cx)?;
        catalog.version = engine.next_catalog_version();
        active.catalog = Some((Arc::new(catalog), base_version));
        self.notices.extend(notices);
        Ok(StatementResult::command(tag))
    }

    fn savepoint(&mut self, name: &str) -> Result<StatementResult> {
        let Some(t) = self.txn.as_mut().filter(|t| t.explicit) else {
            return Err(Error::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                "SAVEPOINT can only be used in transaction blocks",
            ));
        };
        t.savepoints.push(Savepoint {
            name: name.to_string(),
            write_mark: t.txn.write_mark(),
            catalog: t.catalog.clone(),
            undo_len: t.undo.len(),
            on_commit_len: t.on_commit.len(),
        });
        Ok(StatementResult::command("SAVEPOINT"))
    }

    fn find_savepoint(&self, name: &str, verb: &str) -> Result<usize> {
        let Some(t) = self.txn.as_ref().filter(|t| t.explicit) else {
            return Err(Error::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                format!("{verb} can only be used in transaction blocks"),
            ));
        };
        t.savepoints
            .iter()
            .rposition(|s| s.name == name)
            .ok_or_else(|| Error::new(SqlState("3B001"), format!("savepoint \"{name}\" does not exist")))
    }

    /// ROLLBACK TO SAVEPOINT: undoes what followed the savepoint, keeps the savepoint,
    /// and clears the aborted state.
    fn rollback_to(&mut self, name: &str) -> Result<StatementResult> {
        let i = self.find_savepoint(name, "ROLLBACK TO SAVEPOINT")?;
        let t = self.txn.as_mut().expect("found above");
        t.savepoints.truncate(i + 1);
        let sp = &t.savepoints[i];
        t.txn.rollback_to(sp.write_mark);
        while t.undo.len() > sp.undo_len {
            if let Some(undo) = t.undo.pop() {
                undo();
            }
        }
        t.on_commit.truncate(sp.on_commit_len);
        t.catalog = sp.catalog.clone();
        t.failed = false;
        Ok(StatementResult::command("ROLLBACK"))
    }

    fn release(&mut self, name: &str) -> Result<StatementResult> {
        let i = self.find_savepoint(name, "RELEASE SAVEPOINT")?;
        let t = self.txn.as_mut().expect("found above");
        t.savepoints.truncate(i);
        Ok(StatementResult::command("RELEASE"))
    }

    fn begin(&mut self, modes: &[ast::TransactionMode]) -> Result<StatementResult> {
        if let Some(t) = &self.txn {
            if t.explicit {
                self.notices.push("there is already a transaction in progress".into());
                return Ok(StatementResult::command("BEGIN"));
            }
        }
        let (isolation, read_only) = transaction_modes(modes, self.settings.default_isolation)?;
        let txn = self.engine.txns.begin(isolation);
        self.txn = Some(ActiveTxn {
            txn,
            explicit: true,
            failed: false,
            read_only: read_only.unwrap_or(false),
            catalog: None,
            undo: Vec::new(),
            on_commit: Vec::new(),
            start: self.engine.now(),
            used: false,
            savepoints: Vec::new(),
        });
        Ok(StatementResult::command("BEGIN"))
    }

    fn commit(&mut self) -> Result<StatementResult> {
        match &self.txn {
            None => {
                self.notices.push("there is no transaction in progress".into());
                Ok(StatementResult::command("COMMIT"))
            }
            Some(t) if t.failed => {
                self.finish(false)?;
                Ok(StatementResult::command("ROLLBACK"))
            }
            Some(_) => {
                self.finish(true)?;
                Ok(StatementResult::command("COMMIT"))
            }
        }
    }

    fn rollback(&mut self) -> Result<StatementResult> {
        if self.txn.is_none() {
            self.notices.push("there is no transaction in progress".into());
        }
        self.finish(false)?;
        Ok(StatementResult::command("ROLLBACK"))
    }

    /// Ends the current transaction.
    fn finish(&mut self, commit: bool) -> Result<()> {
        let Some(active) = self.txn.take() else {
            return Ok(());
        };
        if !commit {
            active.txn.rollback();
            for undo in active.undo.into_iter().rev() {
                undo();
            }
            return Ok(());
        }
        let engine = self.engine.clone();
        let synchronous = self.settings.other.get("synchronous_commit").is_none_or(|v| v != "off" && v != "local");
        // Only a schema change needs the DDL lock held through commit and publication.
        let _ddl = active.catalog.is_some().then(|| engine.ddl.lock());
        if let Some((_, base)) = &active.catalog {
            if engine.catalog().version != *base {
                active.txn.rollback();
                for undo in active.undo.into_iter().rev() {
                    undo();
                }
                return Err(Error::new(
                    SqlState::SERIALIZATION_FAILURE,
                    "could not serialize access due to concurrent schema change",
                ));
            }
        }
        let new_catalog = active.catalog.as_ref().map(|(c, _)| c.clone());
        let committed = match engine.durability() {
            None => active.txn.commit_with(false, |_, _| Ok(0)),
            Some(d) => {
                let published = engine.catalog();
                let change = new_catalog.as_deref().map(|new| (published.as_ref(), new));
                let mut payload = crate::durability::Durability::encode_commit(&active.txn, change);
                active.txn.commit_with(new_catalog.is_some(), |ts, _| d.append(ts, &mut payload))
            }
        };
        let (_, seq) = match committed {
            Ok(c) => c,
            Err(e) => {
                for undo in active.undo.into_iter().rev() {
                    undo();
                }
                return Err(e);
            }
        };
        for action in active.on_commit {
            action();
        }
        if let Some(c) = new_catalog {
            engine.catalog.store(c);
        }
        drop(_ddl);
        if let (Some(d), Some(seq)) = (engine.durability(), seq) {
            d.wait_commit(seq, synchronous)?;
        }
        Ok(())
    }

    fn set(&mut self, set: &ast::Set) -> Result<StatementResult> {
        match set {
            ast::Set::SingleAssignment { variable, values, .. } => {
                let name = variable.to_string().to_lowercase();
                let value = values.iter().map(set_value).collect::<Vec<_>>().join(", ");
                self.set_parameter(&name, &value)?;
            }
            ast::Set::SetTimeZone { value, .. } => {
                self.set_parameter("timezone", &set_value(value))?;
            }
            ast::Set::SetTransaction { modes, session, .. } => {
                let (isolation, read_only) = transaction_modes(modes, self.settings.default_isolation)?;
                if *session {
                    self.settings.default_isolation = isolation;
                } else {
                    let Some(t) = self.txn.as_mut().filter(|t| t.explicit) else {
                        self.notices.push("SET TRANSACTION can only be used in transaction blocks".into());
                        return Ok(StatementResult::command("SET"));
                    };
                    if t.used {
                        return Err(Error::new(
                            SqlState::ACTIVE_SQL_TRANSACTION,
                            "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                        ));
                    }
                    t.txn.set_isolation(isolation);
                    if let Some(r) = read_only {
                        t.read_only = r;
                    }
                }
            }
            ast::Set::SetNames { charset_name, .. } => {
                self.set_parameter("client_encoding", &charset_name.value)?;
            }
            other => return Err(Error::unsupported(format!("{other}"))),
        }
        Ok(StatementResult::command("SET"))
    }

    /// Sets a configuration parameter by name.
    pub fn set_parameter(&mut self, name: &str, value: &str) -> Result<()> {
        let name = name.trim().to_lowercase();
        let value = value.trim();
        match name.as_str() {
            "timezone" | "time zone" | "time_zone" => {
                let v = value.trim_matches('\'');
                self.settings.time_zone = if v.eq_ignore_ascii_case("default") || v.eq_ignore_ascii_case("local") {
                    TimeZone::Utc
                } else {
                    TimeZone::parse(v)?
                };
            }
            "default_transaction_isolation" | "transaction_isolation" => {
                let level = IsolationLevel::parse(value.trim_matches('\'')).ok_or_else(|| {
                    Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("invalid value for parameter \"{name}\": \"{value}\""),
                    )
                })?;
                if name == "transaction_isolation" {
                    if let Some(t) = self.txn.as_mut().filter(|t| t.explicit) {
                        t.txn.set_isolation(level);
                        return Ok(());
                    }
                }
                self.settings.default_isolation = level;
            }
            _ => {
                if !self.settings.other.contains_key(&name) && !name.contains('.') {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{name}\""),
                    ));
                }
                let v = value.trim_matches('\'').to_string();
                let v = if v.eq_ignore_ascii_case("default") {
                    default_parameters().get(&name).cloned().unwrap_or_default()
                } else {
                    v
                };
                self.settings.other.insert(name, v);
            }
        }
        Ok(())
    }

    /// The value of a configuration parameter, as SHOW prints it.
    pub fn parameter(&self, name: &str) -> Result<String> {
        let name = name.trim().to_lowercase();
        Ok(match name.as_str() {
            "timezone" | "time zone" | "time_zone" => self.settings.time_zone.name(),
            "transaction_isolation" | "transaction isolation level" => match &self.txn {
                Some(t) => t.txn.isolation.name().to_string(),
                None => self.settings.default_isolation.name().to_string(),
            },
            "default_transaction_isolation" => self.settings.default_isolation.name().to_string(),
            "transaction_read_only" => match &self.txn {
                Some(t) if t.read_only => "on".into(),
                _ => "off".into(),
            },
            _ => self.settings.other.get(&name).cloned().ok_or_else(|| {
                Error::new(SqlState::UNDEFINED_OBJECT, format!("unrecognized configuration parameter \"{name}\""))
            })?,
        })
    }

    fn show(&mut self, variable: &[ast::Ident]) -> Result<StatementResult> {
        let name = variable.iter().map(|i| i.value.to_lowercase()).collect::<Vec<_>>().join(" ");
        if name == "all" {
            let mut rows = vec![
                vec![Value::text("TimeZone"), Value::text(self.settings.time_zone.name())],
                vec![Value::text("default_transaction_isolation"), Value::text(self.settings.default_isolation.name())],
            ];
            for (k, v) in &self.settings.other {
                rows.push(vec![Value::text(k.as_str()), Value::text(v.as_str())]);
            }
            let n = rows.len() as u64;
            return Ok(StatementResult {
                columns: Some(Arc::new(vec![
                    OutputColumn { name: "name".into(), ty: DataType::Text },
                    OutputColumn { name: "setting".into(), ty: DataType::Text },
                ])),
                rows,
                tag: "SHOW".into(),
                affected: n,
            });
        }
        let value = self.parameter(&name)?;
        Ok(StatementResult {
            columns: Some(Arc::new(vec![OutputColumn { name: show_name(&name), ty: DataType::Text }])),
            rows: vec![vec![Value::text(value)]],
            tag: "SHOW".into(),
            affected: 1,
        })
    }

    fn reset(&mut self, r: &ast::ResetStatement) -> Result<StatementResult> {
        let name = r.to_string();
        let name = name.trim_start_matches("RESET").trim().to_lowercase();
        if name == "all" {
            self.settings = Settings::default();
        } else {
            let default = Settings::default();
            match name.as_str() {
                "timezone" | "time zone" => self.settings.time_zone = default.time_zone,
                "default_transaction_isolation" => self.settings.default_isolation = default.default_isolation,
                _ => {
                    let v = default.other.get(&name).cloned().ok_or_else(|| {
                        Error::new(
                            SqlState::UNDEFINED_OBJECT,
                            format!("unrecognized configuration parameter \"{name}\""),
                        )
                    })?;
                    self.settings.other.insert(name, v);
                }
            }
        }
        Ok(StatementResult::command("RESET"))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.finish(false);
    }
}

/// Parses a duration setting as PostgreSQL does: a number with an optional unit
/// (ms by default); 0 means none.
fn parse_duration(v: &str) -> Option<std::time::Duration> {
    let v = v.trim().trim_matches('\'').to_ascii_lowercase();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let ms = match unit.trim() {
        "" | "ms" => n,
        "s" => n * 1000.0,
        "min" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        "d" => n * 86_400_000.0,
        "us" => n / 1000.0,
        _ => return None,
    };
    (ms > 0.0).then(|| std::time::Duration::from_micros((ms * 1000.0) as u64))
}

fn write_result(columns: Option<Arc<Vec<OutputColumn>>>, r: dml::DmlResult, verb: &str) -> StatementResult {
    StatementResult { columns, rows: r.returning, tag: format!("{verb} {}", r.count), affected: r.count }
}

/// Whether a statement can take parameters (and so be cached as one prepared statement).
fn params_allowed(stmt: &ast::Statement) -> bool {
    matches!(
        stmt,
        ast::Statement::Query(_) | ast::Statement::Insert(_) | ast::Statement::Update(_) | ast::Statement::Delete(_)
    )
}

/// The column name SHOW uses.
fn show_name(name: &str) -> String {
    match name {
        "timezone" | "time zone" => "TimeZone".into(),
        "transaction isolation level" => "transaction_isolation".into(),
        n => n.to_string(),
    }
}

fn set_value(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

fn transaction_modes(
    modes: &[ast::TransactionMode],
    default: IsolationLevel,
) -> Result<(IsolationLevel, Option<bool>)> {
    let mut isolation = default;
    let mut read_only = None;
    for m in modes {
        match m {
            ast::TransactionMode::IsolationLevel(l) => {
                isolation = match l {
                    ast::TransactionIsolationLevel::ReadUncommitted => IsolationLevel::ReadUncommitted,
                    ast::TransactionIsolationLevel::ReadCommitted => IsolationLevel::ReadCommitted,
                    ast::TransactionIsolationLevel::RepeatableRead => IsolationLevel::RepeatableRead,
                    ast::TransactionIsolationLevel::Serializable => IsolationLevel::Serializable,
                    other => return Err(Error::unsupported(format!("isolation level {other}"))),
                }
            }
            ast::TransactionMode::AccessMode(a) => read_only = Some(matches!(a, ast::TransactionAccessMode::ReadOnly)),
        }
    }
    Ok((isolation, read_only))
}

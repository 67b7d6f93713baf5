//! The protocol state of one connection after authentication.
//!
//! A [`Backend`] owns the connection's engine [`Session`], its named and unnamed
//! prepared statements and portals, and the COPY state. It turns each frontend
//! message into backend messages, synchronously: it runs on the connection's own
//! session thread (see [`crate::worker`]), because engine calls block (a writer may
//! wait for another transaction's row lock). The async side only moves bytes.
//!
//! Simple query: the query string is split into statements ([`crate::split`]); every
//! statement is syntax-checked before any runs (as PostgreSQL parses the whole string
//! first), then each runs and sends RowDescription, DataRows and CommandComplete; the
//! first error stops the rest. COPY FROM STDIN pauses the query until the client's
//! CopyDone, then the remaining statements run.
//!
//! Extended query: Parse prepares through the session (the engine infers parameter
//! types; types the client declares win), Bind decodes parameters (text is handed to
//! the engine to parse with the parameter's type, binary is decoded here), Execute
//! runs the portal to completion on its first call and then hands out rows in
//! `max_rows` batches with PortalSuspended in between. After an error, messages are
//! skipped until Sync, which answers ReadyForQuery with the session's transaction
//! status.
//!
//! Statements the engine does not know are handled here: CREATE/ALTER/DROP ROLE and
//! USER ([`crate::roles`]), COPY ([`crate::copy`]), and DEALLOCATE and DISCARD ALL,
//! which act on the protocol's prepared statements (the server's, not the engine's).

use crate::copy::{self, CopySource, CopyStatement, Record, RowReader};
use crate::errors::{error_response, notice_response, protocol_error, Severity};
use crate::roles::{self, RoleCommand};
use crate::split;
use crate::values::{self, BINARY, TEXT};
use bytes::{BufMut, Bytes, BytesMut};
use cachet::session::{Prepared, TxnStatus};
use cachet::sql::binder::OutputColumn;
use cachet::types::{format_value, parse_value, DataType, TimeZone};
use cachet::{Error, Session, SqlState, StatementResult, Value};
use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::data::{DataRow, FieldDescription, NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{BindComplete, CloseComplete, ParseComplete, PortalSuspended};
use pgwire::messages::response::{CommandComplete, EmptyQueryResponse, ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::ParameterStatus;
use pgwire::messages::{extendedquery, PgWireBackendMessage as B, PgWireFrontendMessage as F};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

/// Parameters PostgreSQL reports to the client with ParameterStatus, at start-up and
/// whenever they change.
const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// What the connection should do after a batch of messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The client sent Terminate.
    Terminate,
}

/// What a statement is, for the server.
enum Kind {
    Empty,
    Engine(Arc<Prepared>),
    Copy(CopyStatement),
    Role(RoleCommand),
    Statements(StatementCommand),
}

/// Statements about the protocol's prepared statements, which the server owns:
/// `DEALLOCATE [PREPARE] name | ALL` and `DISCARD ALL`.
#[derive(Clone, Debug, PartialEq)]
enum StatementCommand {
    Deallocate(Option<String>),
    DiscardAll,
}

/// Parses DEALLOCATE and DISCARD ALL; `None` for any other statement.
fn statement_command(text: &str) -> Option<cachet::Result<StatementCommand>> {
    let words = split::first_words(text, 3);
    match words.first().map(String::as_str) {
        Some("deallocate") => {}
        Some("discard") => {
            return Some(match words.get(1).map(String::as_str) {
                Some("all") if words.len() == 2 => Ok(StatementCommand::DiscardAll),
                _ => Err(Error::unsupported("only DISCARD ALL is supported")),
            })
        }
        _ => return None,
    }
    // The name, as written: after DEALLOCATE and an optional PREPARE.
    let rest = text.trim_start();
    let rest = rest[rest.to_lowercase().find("deallocate").map_or(0, |i| i + "deallocate".len())..].trim();
    let rest = match rest.get(..7) {
        Some(w) if w.eq_ignore_ascii_case("prepare") && rest[7..].starts_with(char::is_whitespace) => rest[7..].trim(),
        _ => rest,
    };
    let rest = rest.trim_end_matches(';').trim();
    if rest.is_empty() {
        return Some(Err(Error::syntax("syntax error at end of input")));
    }
    if rest.eq_ignore_ascii_case("all") {
        return Some(Ok(StatementCommand::Deallocate(None)));
    }
    Some(Ok(StatementCommand::Deallocate(Some(fold_ident(rest)))))
}

/// A prepared statement of the protocol (named, or the unnamed one).
struct Statement {
    kind: Kind,
    /// Parameter types: the client's declared types where given, else the engine's.
    param_types: Vec<DataType>,
    param_oids: Vec<u32>,
    columns: Option<Vec<OutputColumn>>,
    /// First words, lower-cased (`set`, `copy`, ...).
    words: Vec<String>,
}

enum PortalState {
    Ready,
    Rows { columns: Option<Arc<Vec<OutputColumn>>>, rows: std::vec::IntoIter<Vec<Value>>, tag: String },
    Done { tag: String },
}

struct Portal {
    stmt: Arc<Statement>,
    params: Vec<Value>,
    /// Result formats as the client asked (empty: all text; one: all the same).
    formats: Vec<i16>,
    state: PortalState,
}

/// A statement of a simple query still to run.
struct Pending {
    text: String,
    offset: usize,
}

struct CopyIn {
    table: String,
    insert: Arc<Prepared>,
    types: Vec<DataType>,
    names: Vec<String>,
    force_not_null: Vec<bool>,
    force_null: Vec<bool>,
    reader: RowReader,
    rows: u64,
    /// Whether the server opened the transaction the rows go into.
    began: bool,
    extended: bool,
}

/// The state of one client connection.
pub struct Backend {
    pub session: Session,
    pub user: String,
    pub superuser: bool,
    statements: HashMap<String, Arc<Statement>>,
    portals: HashMap<String, Portal>,
    out: Vec<B>,
    ignore_till_sync: bool,
    pending: VecDeque<Pending>,
    copy_in: Option<CopyIn>,
    reported: BTreeMap<&'static str, String>,
}

fn status(s: TxnStatus) -> TransactionStatus {
    match s {
        TxnStatus::Idle => TransactionStatus::Idle,
        TxnStatus::InTransaction => TransactionStatus::Transaction,
        TxnStatus::Failed => TransactionStatus::Error,
    }
}

/// The type a column is described with: `unknown` results go out as text.
fn described(ty: &DataType) -> DataType {
    match ty {
        DataType::Unknown => DataType::Text,
        t => t.clone(),
    }
}

fn format_of(formats: &[i16], i: usize) -> i16 {
    match formats {
        [] => TEXT,
        [f] => *f,
        fs => fs.get(i).copied().unwrap_or(TEXT),
    }
}

fn row_description(columns: &[OutputColumn], formats: &[i16]) -> B {
    let fields = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let ty = described(&c.ty);
            FieldDescription::new(c.name.clone(), 0, 0, ty.oid(), ty.typlen(), ty.typmod(), format_of(formats, i))
        })
        .collect();
    B::RowDescription(RowDescription::new(fields))
}

fn data_row(row: &[Value], columns: &[OutputColumn], formats: &[i16], tz: &TimeZone) -> B {
    let mut data = BytesMut::with_capacity(row.len() * 8);
    for (i, v) in row.iter().enumerate() {
        let ty = columns.get(i).map(|c| described(&c.ty)).unwrap_or(DataType::Text);
        match values::encode(v, &ty, format_of(formats, i), tz) {
            None => data.put_i32(-1),
            Some(bytes) => {
                data.put_i32(bytes.len() as i32);
                data.put_slice(&bytes);
            }
        }
    }
    B::DataRow(DataRow::new(data, row.len() as i16))
}

fn command_complete(tag: impl Into<String>) -> B {
    B::CommandComplete(CommandComplete::new(tag.into()))
}

/// Quotes an identifier for generated SQL.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Folds an identifier as written in SQL (quoted or not) to its name.
fn fold_ident(sql: &str) -> String {
    match sql.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => sql.to_lowercase(),
    }
}

impl Backend {
    pub fn new(session: Session, user: String, superuser: bool) -> Self {
        Backend {
            session,
            user,
            superuser,
            statements: HashMap::new(),
            portals: HashMap::new(),
            out: Vec::new(),
            ignore_till_sync: false,
            pending: VecDeque::new(),
            copy_in: None,
            reported: BTreeMap::new(),
        }
    }

    /// The messages produced so far.
    pub fn take_output(&mut self) -> Vec<B> {
        std::mem::take(&mut self.out)
    }

    fn tz(&self) -> TimeZone {
        self.session.settings.time_zone.clone()
    }

    fn ready(&mut self) {
        let s = status(self.session.status());
        self.out.push(B::ReadyForQuery(ReadyForQuery::new(s)));
    }

    fn error(&mut self, e: &Error, offset: usize, context: Option<&str>) {
        self.out.push(error_response(e, Severity::Error, offset, context));
    }

    fn notices(&mut self) {
        for n in self.session.take_notices() {
            self.out.push(notice_response(&n));
        }
    }

    /// The current value of a reported parameter.
    fn reported_value(&self, name: &str) -> String {
        match name {
            "session_authorization" => self.user.clone(),
            "is_superuser" => if self.superuser { "on" } else { "off" }.to_string(),
            "in_hot_standby" => "off".to_string(),
            n => self.session.parameter(n).unwrap_or_default(),
        }
    }

    /// Sends ParameterStatus for every reported parameter whose value changed.
    pub fn report_parameters(&mut self) {
        for name in REPORTED {
            let v = self.reported_value(name);
            if self.reported.get(name) != Some(&v) {
                self.out.push(B::ParameterStatus(ParameterStatus::new(name.to_string(), v.clone())));
                self.reported.insert(name, v);
            }
        }
    }

    /// Handles one frontend message.
    pub fn handle(&mut self, msg: F) -> Flow {
        if self.copy_in.is_some() {
            match msg {
                F::CopyData(d) => self.copy_data(&d.data),
                F::CopyDone(_) => self.copy_done(),
                F::CopyFail(f) => {
                    let e = Error::new(SqlState::QUERY_CANCELED, format!("COPY from stdin failed: {}", f.message));
                    self.copy_failed(e, None);
                }
                // Clients may send Flush or Sync right after the Execute that starts COPY.
                F::Flush(_) | F::Sync(_) => {}
                F::Terminate(_) => return Flow::Terminate,
                other => {
                    let e =
                        protocol_error("08P01", format!("unexpected message type during COPY from stdin: {other:?}"));
                    self.copy_failed(e, None);
                }
            }
            return Flow::Continue;
        }
        match msg {
            F::Query(q) => self.simple_query(q.query),
            F::Sync(_) => {
                self.ignore_till_sync = false;
                self.ready();
            }
            F::Terminate(_) => return Flow::Terminate,
            // Left over after a failed COPY: dropped, as PostgreSQL does.
            F::CopyData(_) | F::CopyDone(_) | F::CopyFail(_) | F::Flush(_) => {}
            _ if self.ignore_till_sync => {}
            F::Parse(p) => {
                let r = self.parse(p);
                self.extended_result(r);
            }
            F::Bind(b) => {
                let r = self.bind(b);
                self.extended_result(r);
            }
            F::Describe(d) => {
                let r = self.describe(d);
                self.extended_result(r);
            }
            F::Execute(e) => {
                let r = self.execute(e);
                self.extended_result(r);
            }
            F::Close(c) => {
                let name = c.name.unwrap_or_default();
                if c.target_type == b'S' {
                    self.statements.remove(&name);
                } else {
                    self.portals.remove(&name);
                }
                self.out.push(B::CloseComplete(CloseComplete::new()));
            }
            other => {
                let e = protocol_error("08P01", format!("unexpected message {other:?}"));
                self.error(&e, 0, None);
                self.ignore_till_sync = true;
            }
        }
        Flow::Continue
    }

    fn extended_result(&mut self, r: cachet::Result<()>) {
        if let Err(e) = r {
            self.notices();
            self.error(&e, 0, None);
            self.ignore_till_sync = true;
        }
    }

    /// Classifies and prepares one statement.
    fn prepare(&mut self, text: &str) -> cachet::Result<Statement> {
        let words = split::first_words(text, 2);
        let kind = if words.first().map(String::as_str) == Some("copy") {
            Kind::Copy(copy::parse(text)?)
        } else if roles::is_role_statement(&words) {
            Kind::Role(roles::parse(text)?)
        } else if let Some(cmd) = statement_command(text) {
            Kind::Statements(cmd?)
        } else {
            let p = self.session.prepare(text)?;
            if p.is_empty() {
                Kind::Empty
            } else {
                Kind::Engine(p)
            }
        };
        let (param_types, columns) = match &kind {
            Kind::Engine(p) => (p.param_types.clone(), p.columns.clone()),
            _ => (Vec::new(), None),
        };
        let param_oids = param_types.iter().map(|t| described(t).oid()).collect();
        Ok(Statement { kind, param_types, param_oids, columns, words })
    }

    // ---------------------------------------------------------------------------
    // Simple query
    // ---------------------------------------------------------------------------

    fn simple_query(&mut self, sql: String) {
        self.portals.remove("");
        self.statements.remove("");
        let pieces: Vec<Pending> = split::split(&sql)
            .into_iter()
            .filter(|p| !p.empty)
            .map(|p| Pending { text: p.text.to_string(), offset: p.char_offset })
            .collect();
        if pieces.is_empty() {
            self.out.push(B::EmptyQueryResponse(EmptyQueryResponse::new()));
            self.ready();
            return;
        }
        // PostgreSQL parses the whole string before running any of it.
        if pieces.len() > 1 {
            for p in &pieces {
                let words = split::first_words(&p.text, 2);
                let r = if words.first().map(String::as_str) == Some("copy") {
                    copy::parse(&p.text).map(|_| ())
                } else if roles::is_role_statement(&words) {
                    roles::parse(&p.text).map(|_| ())
                } else if let Some(cmd) = statement_command(&p.text) {
                    cmd.map(|_| ())
                } else {
                    cachet::sql::parser::parse(&p.text).map(|_| ())
                };
                if let Err(e) = r {
                    self.error(&e, p.offset, None);
                    self.ready();
                    return;
                }
            }
        }
        self.pending = pieces.into();
        self.run_pending();
    }

    /// Runs the remaining statements of a simple query, then sends ReadyForQuery
    /// (unless a COPY FROM STDIN is waiting for data).
    fn run_pending(&mut self) {
        while let Some(p) = self.pending.pop_front() {
            let r = self.run_simple(&p);
            self.notices();
            match r {
                Ok(()) => {
                    if self.copy_in.is_some() {
                        return;
                    }
                }
                Err(e) => {
                    self.error(&e, p.offset, None);
                    self.pending.clear();
                }
            }
        }
        self.ready();
    }

    fn run_simple(&mut self, p: &Pending) -> cachet::Result<()> {
        let words = split::first_words(&p.text, 2);
        if words.first().map(String::as_str) == Some("copy") {
            let c = copy::parse(&p.text)?;
            return self.run_copy(&c, false);
        }
        if roles::is_role_statement(&words) {
            let cmd = roles::parse(&p.text)?;
            return self.run_role(&cmd);
        }
        if let Some(cmd) = statement_command(&p.text) {
            return self.run_statement_command(&cmd?);
        }
        let results = self.session.execute(&p.text, &[])?;
        self.notices();
        let tz = self.tz();
        for r in results {
            self.send_result(r, &[], true, &tz);
        }
        if matches!(
            words.first().map(String::as_str),
            Some("set" | "reset" | "begin" | "start" | "commit" | "rollback" | "end" | "abort")
        ) {
            self.report_parameters();
        }
        Ok(())
    }

    fn send_result(&mut self, r: StatementResult, formats: &[i16], describe: bool, tz: &TimeZone) {
        if let Some(cols) = &r.columns {
            if describe {
                self.out.push(row_description(cols, formats));
            }
            for row in &r.rows {
                self.out.push(data_row(row, cols, formats, tz));
            }
        }
        if r.tag.is_empty() {
            self.out.push(B::EmptyQueryResponse(EmptyQueryResponse::new()));
        } else {
            self.out.push(command_complete(r.tag));
        }
    }

    fn run_role(&mut self, cmd: &RoleCommand) -> cachet::Result<()> {
        let actor = roles::Actor { user: &self.user, superuser: self.superuser };
        let (tag, notices) = roles::execute(&mut self.session, cmd, &actor)?;
        for n in notices {
            self.out.push(notice_response(&n));
        }
        self.out.push(command_complete(tag));
        Ok(())
    }

    fn run_statement_command(&mut self, cmd: &StatementCommand) -> cachet::Result<()> {
        match cmd {
            StatementCommand::Deallocate(None) => {
                self.statements.retain(|name, _| name.is_empty());
                self.out.push(command_complete("DEALLOCATE ALL"));
            }
            StatementCommand::Deallocate(Some(name)) => {
                if self.statements.remove(name).is_none() {
                    return Err(protocol_error("26000", format!("prepared statement \"{name}\" does not exist")));
                }
                self.out.push(command_complete("DEALLOCATE"));
            }
            StatementCommand::DiscardAll => {
                if self.session.status() != TxnStatus::Idle {
                    return Err(protocol_error("25001", "DISCARD ALL cannot run inside a transaction block"));
                }
                self.session.execute("RESET ALL", &[])?;
                self.statements.clear();
                self.portals.clear();
                self.report_parameters();
                self.out.push(command_complete("DISCARD ALL"));
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------------------
    // Extended query
    // ---------------------------------------------------------------------------

    fn parse(&mut self, p: extendedquery::Parse) -> cachet::Result<()> {
        let name = p.name.unwrap_or_default();
        if !name.is_empty() && self.statements.contains_key(&name) {
            return Err(protocol_error("42P05", format!("prepared statement \"{name}\" already exists")));
        }
        let mut stmt = self.prepare(&p.query)?;
        for (i, oid) in p.type_oids.iter().enumerate() {
            if *oid == 0 {
                continue;
            }
            let Some(ty) = values::type_for_oid(*oid) else {
                return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("type with OID {oid} does not exist")));
            };
            if i >= stmt.param_types.len() {
                stmt.param_types.resize(i + 1, DataType::Text);
                stmt.param_oids.resize(i + 1, DataType::Text.oid());
            }
            stmt.param_types[i] = ty;
            stmt.param_oids[i] = *oid;
        }
        self.statements.insert(name, Arc::new(stmt));
        self.out.push(B::ParseComplete(ParseComplete::new()));
        Ok(())
    }

    fn statement(&self, name: &str) -> cachet::Result<Arc<Statement>> {
        self.statements
            .get(name)
            .cloned()
            .ok_or_else(|| protocol_error("26000", format!("prepared statement \"{name}\" does not exist")))
    }

    fn bind(&mut self, b: extendedquery::Bind) -> cachet::Result<()> {
        let portal = b.portal_name.unwrap_or_default();
        let stmt_name = b.statement_name.unwrap_or_default();
        let stmt = self.statement(&stmt_name)?;
        if !portal.is_empty() && self.portals.contains_key(&portal) {
            return Err(protocol_error("42P03", format!("cursor \"{portal}\" already exists")));
        }
        if b.parameters.len() != stmt.param_types.len() {
            return Err(protocol_error(
                "08P01",
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{stmt_name}\" requires {}",
                    b.parameters.len(),
                    stmt.param_types.len()
                ),
            ));
        }
        let fcodes = &b.parameter_format_codes;
        if fcodes.len() > 1 && fcodes.len() != b.parameters.len() {
            return Err(protocol_error(
                "08P01",
                format!("bind message has {} parameter formats but {} parameters", fcodes.len(), b.parameters.len()),
            ));
        }
        let tz = self.tz();
        let mut params = Vec::with_capacity(b.parameters.len());
        for (i, (data, ty)) in b.parameters.iter().zip(&stmt.param_types).enumerate() {
            let v = match data {
                None => Value::Null,
                Some(bytes) if format_of(fcodes, i) == BINARY => values::decode_binary(bytes, ty, &tz)
                    .map_err(|e| Error::new(e.code(), format!("{} (parameter ${})", e.message(), i + 1)))?,
                Some(bytes) => {
                    let s = std::str::from_utf8(bytes).map_err(|_| {
                        Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\"")
                    })?;
                    // The engine parses text with the parameter's type when it runs;
                    // a declared type that differs from the engine's is applied now.
                    match &stmt.kind {
                        Kind::Engine(p) if p.param_types.get(i).is_some_and(|t| t != ty) => parse_value(s, ty, &tz)?,
                        _ => Value::text(s),
                    }
                }
            };
            params.push(v);
        }
        let formats = b.result_column_format_codes;
        if let Some(cols) = &stmt.columns {
            if formats.len() > 1 && formats.len() != cols.len() {
                return Err(protocol_error(
                    "08P01",
                    format!("bind message has {} result formats but query has {} columns", formats.len(), cols.len()),
                ));
            }
        }
        self.portals.insert(portal, Portal { stmt, params, formats, state: PortalState::Ready });
        self.out.push(B::BindComplete(BindComplete::new()));
        Ok(())
    }

    fn describe(&mut self, d: extendedquery::Describe) -> cachet::Result<()> {
        let name = d.name.unwrap_or_default();
        if d.target_type == b'S' {
            let stmt = self.statement(&name)?;
            self.out.push(B::ParameterDescription(ParameterDescription::new(stmt.param_oids.clone())));
            match &stmt.columns {
                Some(cols) => self.out.push(row_description(cols, &[])),
                None => self.out.push(B::NoData(NoData::new())),
            }
        } else {
            let Some(portal) = self.portals.get(&name) else {
                return Err(protocol_error("34000", format!("portal \"{name}\" does not exist")));
            };
            match &portal.stmt.columns {
                Some(cols) => {
                    let m = row_description(cols, &portal.formats);
                    self.out.push(m);
                }
                None => self.out.push(B::NoData(NoData::new())),
            }
        }
        Ok(())
    }

    fn execute(&mut self, e: extendedquery::Execute) -> cachet::Result<()> {
        let name = e.name.unwrap_or_default();
        let Some(portal) = self.portals.get_mut(&name) else {
            return Err(protocol_error("34000", format!("portal \"{name}\" does not exist")));
        };
        if matches!(portal.state, PortalState::Ready) {
            let stmt = portal.stmt.clone();
            let params = std::mem::take(&mut portal.params);
            match &stmt.kind {
                Kind::Empty => {
                    portal.state = PortalState::Done { tag: String::new() };
                    self.out.push(B::EmptyQueryResponse(EmptyQueryResponse::new()));
                    return Ok(());
                }
                Kind::Copy(c) => {
                    portal.state = PortalState::Done { tag: String::new() };
                    return self.run_copy(c, true);
                }
                Kind::Role(cmd) => {
                    portal.state = PortalState::Done { tag: String::new() };
                    return self.run_role(cmd);
                }
                Kind::Statements(cmd) => {
                    portal.state = PortalState::Done { tag: String::new() };
                    return self.run_statement_command(cmd);
                }
                Kind::Engine(p) => {
                    let r = self.session.execute_prepared(p, &params);
                    self.notices();
                    let r = r?;
                    if matches!(stmt.words.first().map(String::as_str), Some("set" | "reset")) {
                        self.report_parameters();
                    }
                    let Some(portal) = self.portals.get_mut(&name) else {
                        return Ok(());
                    };
                    portal.state = PortalState::Rows { columns: r.columns, rows: r.rows.into_iter(), tag: r.tag };
                }
            }
        }
        let tz = self.tz();
        let Some(portal) = self.portals.get_mut(&name) else {
            return Ok(());
        };
        let limit = if e.max_rows > 0 { e.max_rows as usize } else { usize::MAX };
        match &mut portal.state {
            PortalState::Ready => {}
            PortalState::Done { tag } => {
                if tag.is_empty() {
                    self.out.push(B::EmptyQueryResponse(EmptyQueryResponse::new()));
                } else {
                    let tag = if tag.starts_with("SELECT") { "SELECT 0".to_string() } else { tag.clone() };
                    self.out.push(command_complete(tag));
                }
            }
            PortalState::Rows { columns, rows, tag } => {
                let mut sent = 0usize;
                if let Some(cols) = columns.clone() {
                    while sent < limit {
                        let Some(row) = rows.next() else { break };
                        self.out.push(data_row(&row, &cols, &portal.formats, &tz));
                        sent += 1;
                    }
                }
                // As in PostgreSQL, a batch that fills the row limit suspends the
                // portal even when no row is left: only the next Execute finds the end.
                if sent == limit {
                    self.out.push(B::PortalSuspended(PortalSuspended::new()));
                } else {
                    let tag = if tag.starts_with("SELECT ") { format!("SELECT {sent}") } else { tag.clone() };
                    let out_tag = if tag.is_empty() { None } else { Some(tag.clone()) };
                    portal.state = PortalState::Done { tag: tag.clone() };
                    match out_tag {
                        Some(t) => self.out.push(command_complete(t)),
                        None => self.out.push(B::EmptyQueryResponse(EmptyQueryResponse::new())),
                    }
                }
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------------------
    // COPY
    // ---------------------------------------------------------------------------

    fn run_copy(&mut self, c: &CopyStatement, extended: bool) -> cachet::Result<()> {
        if c.from {
            self.start_copy_in(c, extended)
        } else {
            self.copy_out(c)
        }
    }

    /// The columns of a table for COPY: the listed ones, or all visible ones.
    fn copy_columns(&mut self, name: &str, columns: &[String]) -> cachet::Result<Vec<OutputColumn>> {
        let p = self.session.prepare(&format!("SELECT * FROM {name} LIMIT 0"))?;
        let all = p.columns.clone().unwrap_or_default();
        if columns.is_empty() {
            return Ok(all);
        }
        columns
            .iter()
            .map(|c| {
                let folded = fold_ident(c);
                all.iter().find(|a| a.name == folded).cloned().ok_or_else(|| {
                    Error::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{folded}\" of relation \"{}\" does not exist", fold_ident(name)),
                    )
                })
            })
            .collect()
    }

    fn start_copy_in(&mut self, c: &CopyStatement, extended: bool) -> cachet::Result<()> {
        let CopySource::Table { name, columns } = &c.source else {
            return Err(Error::syntax("COPY FROM needs a table"));
        };
        let cols = self.copy_columns(name, columns)?;
        let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
        let list = names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ");
        let placeholders = (1..=names.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let insert = self.session.prepare(&format!("INSERT INTO {name} ({list}) VALUES ({placeholders})"))?;
        let flags = |list: &[String]| -> cachet::Result<Vec<bool>> {
            let folded: Vec<String> = list.iter().map(|c| fold_ident(c)).collect();
            for f in &folded {
                if !names.contains(f) {
                    return Err(Error::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        format!("column \"{f}\" is not referenced by COPY"),
                    ));
                }
            }
            Ok(names.iter().map(|n| folded.contains(n)).collect())
        };
        let force_not_null = flags(&c.options.force_not_null)?;
        let force_null = flags(&c.options.force_null)?;
        let began = if self.session.status() == TxnStatus::Idle {
            self.session.execute("BEGIN", &[])?;
            true
        } else {
            false
        };
        let n = names.len();
        self.copy_in = Some(CopyIn {
            table: fold_ident(name.rsplit('.').next().unwrap_or(name)),
            types: insert.param_types.clone(),
            insert,
            names,
            force_not_null,
            force_null,
            reader: RowReader::new(c.options.clone()),
            rows: 0,
            began,
            extended,
        });
        self.out.push(B::CopyInResponse(CopyInResponse::new(0, n as i16, vec![0; n])));
        Ok(())
    }

    fn copy_data(&mut self, data: &[u8]) {
        if let Some(c) = &mut self.copy_in {
            c.reader.push(data);
        }
        if let Err((e, ctx)) = self.copy_rows(false) {
            self.copy_failed(e, ctx);
        }
    }

    /// Inserts every complete row buffered so far.
    fn copy_rows(&mut self, eof: bool) -> Result<(), (Error, Option<String>)> {
        let tz = self.tz();
        loop {
            let Some(c) = &mut self.copy_in else { return Ok(()) };
            let record = c.reader.next_record(eof).map_err(|e| {
                let ctx = format!("COPY {}, line {}", c.table, c.reader.line + 1);
                (e, Some(ctx))
            })?;
            let fields = match record {
                None | Some(Record::End) => return Ok(()),
                Some(Record::Row(f)) => f,
            };
            let line = c.reader.line;
            let ctx = |c: &CopyIn| format!("COPY {}, line {line}", c.table);
            if fields.len() > c.names.len() {
                return Err((Error::new(SqlState("22P04"), "extra data after last expected column"), Some(ctx(c))));
            }
            if fields.len() < c.names.len() {
                let missing = &c.names[fields.len()];
                return Err((
                    Error::new(SqlState("22P04"), format!("missing data for column \"{missing}\"")),
                    Some(ctx(c)),
                ));
            }
            let quoted = c.reader.quoted.clone();
            let csv = c.reader.options.csv;
            let null = c.reader.options.null.clone();
            let params: Vec<Value> = fields
                .into_iter()
                .enumerate()
                .map(|(i, f)| match f {
                    None if c.force_not_null[i] => Value::text(""),
                    None => Value::Null,
                    Some(s) if csv && c.force_null[i] && quoted.get(i).copied().unwrap_or(false) && s == null => {
                        Value::Null
                    }
                    Some(s) => Value::text(s),
                })
                .collect();
            let insert = c.insert.clone();
            if let Err(e) = self.session.execute_prepared(&insert, &params) {
                let Some(c) = &self.copy_in else { return Err((e, None)) };
                // Name the column whose value the engine could not take.
                let mut context = ctx(c);
                for (i, p) in params.iter().enumerate() {
                    if let (Some(s), Some(ty)) = (p.as_str(), c.types.get(i)) {
                        if parse_value(s, ty, &tz).is_err() {
                            context = format!("COPY {}, line {line}, column {}: \"{s}\"", c.table, c.names[i]);
                            break;
                        }
                    }
                }
                return Err((e, Some(context)));
            }
            if let Some(c) = &mut self.copy_in {
                c.rows += 1;
            }
        }
    }

    fn copy_done(&mut self) {
        if let Err((e, ctx)) = self.copy_rows(true) {
            self.copy_failed(e, ctx);
            return;
        }
        let Some(c) = self.copy_in.take() else { return };
        if c.began {
            if let Err(e) = self.session.execute("COMMIT", &[]) {
                self.notices();
                self.error(&e, 0, None);
                self.after_copy_error(c.extended);
                return;
            }
        }
        self.notices();
        self.out.push(command_complete(format!("COPY {}", c.rows)));
        if !c.extended {
            self.run_pending();
        }
    }

    fn copy_failed(&mut self, e: Error, context: Option<String>) {
        let Some(c) = self.copy_in.take() else { return };
        if c.began {
            let _ = self.session.execute("ROLLBACK", &[]);
        }
        self.session.take_notices();
        self.error(&e, 0, context.as_deref());
        self.after_copy_error(c.extended);
    }

    fn after_copy_error(&mut self, extended: bool) {
        if extended {
            self.ignore_till_sync = true;
        } else {
            self.pending.clear();
            self.ready();
        }
    }

    fn copy_out(&mut self, c: &CopyStatement) -> cachet::Result<()> {
        let query = match &c.source {
            CopySource::Query(q) => q.clone(),
            CopySource::Table { name, columns } => {
                let cols = self.copy_columns(name, columns)?;
                let list = cols.iter().map(|c| quote_ident(&c.name)).collect::<Vec<_>>().join(", ");
                format!("SELECT {list} FROM {name}")
            }
        };
        let mut results = self.session.execute(&query, &[])?;
        let Some(r) = results.pop() else {
            return Err(Error::syntax("COPY needs a query"));
        };
        let Some(cols) = r.columns else {
            return Err(Error::unsupported("COPY (query) TO needs a query that returns rows"));
        };
        let tz = self.tz();
        let quote_cols: Vec<bool> = match &c.options.force_quote {
            Some(list) => {
                let folded: Vec<String> = list.iter().map(|c| fold_ident(c)).collect();
                cols.iter().map(|c| folded.contains(&c.name)).collect()
            }
            None => Vec::new(),
        };
        let n = cols.len();
        self.out.push(B::CopyOutResponse(CopyOutResponse::new(0, n as i16, vec![0; n])));
        // One CopyData message per row, as PostgreSQL sends them: clients such as
        // psycopg parse each message as one row.
        let mut buf = Vec::new();
        if c.options.header {
            let names: Vec<Option<String>> = cols.iter().map(|c| Some(c.name.clone())).collect();
            copy::format_row(&c.options, &names, &[], &mut buf);
            self.out.push(B::CopyData(CopyData::new(Bytes::from(std::mem::take(&mut buf)))));
        }
        let count = r.rows.len();
        for row in &r.rows {
            let fields: Vec<Option<String>> =
                row.iter().map(|v| if v.is_null() { None } else { Some(format_value(v, &tz)) }).collect();
            copy::format_row(&c.options, &fields, &quote_cols, &mut buf);
            self.out.push(B::CopyData(CopyData::new(Bytes::from(std::mem::take(&mut buf)))));
        }
        self.out.push(B::CopyDone(CopyDone::new()));
        self.out.push(command_complete(format!("COPY {count}")));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_statement_commands() {
        assert_eq!(statement_command("SELECT 1").map(|r| r.is_ok()), None);
        assert_eq!(statement_command("DEALLOCATE ALL").unwrap().unwrap(), StatementCommand::Deallocate(None));
        assert_eq!(
            statement_command("deallocate prepare \"_pg3_0\"").unwrap().unwrap(),
            StatementCommand::Deallocate(Some("_pg3_0".into()))
        );
        assert_eq!(
            statement_command("DEALLOCATE S_1").unwrap().unwrap(),
            StatementCommand::Deallocate(Some("s_1".into()))
        );
        assert_eq!(statement_command("DISCARD ALL").unwrap().unwrap(), StatementCommand::DiscardAll);
        assert!(statement_command("DISCARD PLANS").unwrap().is_err());
    }
}

//! Roles and SCRAM-SHA-256 authentication.
//!
//! The engine has no roles, so the server keeps them: in an ordinary table of the
//! database, `cachet_roles (name text PRIMARY KEY, verifier text, superuser boolean,
//! login boolean)`, created by the first CREATE ROLE (or by the bootstrap user of
//! `cachet serve --user`). Keeping them in a table makes them durable, logged and
//! transactional like everything else: `BEGIN; CREATE ROLE ...; ROLLBACK` leaves no
//! role. `pg_catalog.pg_roles` and `pg_user` read the same table, and the table is
//! listed in `pg_class` under the `pg_catalog` schema (as PostgreSQL lists
//! `pg_authid`), so `\dt` does not show it among the user's tables.
//!
//! NB: the engine has no privileges yet, so any authenticated user can read or write
//! `cachet_roles` with plain SQL. It holds SCRAM verifiers, never passwords, so a
//! reader cannot log in with what it reads; but a writer can change who may log in.
//!
//! Passwords are stored as PostgreSQL stores them: the SCRAM-SHA-256 verifier
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5803), so a
//! verifier copied from PostgreSQL's `pg_authid` works here too, and CREATE ROLE
//! accepts one in place of a password. Authentication follows RFC 5802/7677 with the
//! server's key material only; channel binding is not offered.
//!
//! CREATE/ALTER/DROP ROLE (and USER) statements are intercepted by the server before
//! they reach the engine, and run as ordinary statements on `cachet_roles` in the
//! client's session (so inside its transaction).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use cachet::session::TxnStatus;
use cachet::{Error, Session, SqlState, Value};
use ring::{digest, hmac, pbkdf2, rand::SecureRandom};
use sqlparser::ast;
use std::num::NonZeroU32;

/// The table the roles live in.
pub const ROLES_TABLE: &str = "cachet_roles";

const ITERATIONS: u32 = 4096;

/// A stored SCRAM-SHA-256 verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    // SystemRandom only fails if the OS has no randomness at all.
    ring::rand::SystemRandom::new().fill(&mut v).expect("the operating system provides randomness");
    v
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&k, data).as_ref().to_vec()
}

fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}

/// Compares without an early exit, so timing does not reveal where keys differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SASLprep as PostgreSQL applies it: the normalized password, or the raw bytes if
/// the password is not valid for SASLprep.
fn normalize(password: &str) -> String {
    stringprep::saslprep(password).map(|c| c.into_owned()).unwrap_or_else(|_| password.to_string())
}

impl Verifier {
    /// A new verifier for a password, with a random salt.
    pub fn new(password: &str) -> Verifier {
        Verifier::with_salt(password, random_bytes(16), ITERATIONS)
    }

    pub fn with_salt(password: &str, salt: Vec<u8>, iterations: u32) -> Verifier {
        let mut salted = [0u8; 32];
        let n = NonZeroU32::new(iterations.max(1)).expect("at least one iteration");
        pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, n, &salt, normalize(password).as_bytes(), &mut salted);
        let client_key = hmac_sha256(&salted, b"Client Key");
        Verifier { iterations, salt, stored_key: sha256(&client_key), server_key: hmac_sha256(&salted, b"Server Key") }
    }

    /// Parses PostgreSQL's text form.
    pub fn parse(s: &str) -> Option<Verifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (iter_salt, keys) = rest.split_once('$')?;
        let (iterations, salt) = iter_salt.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let v = Verifier {
            iterations: iterations.parse().ok()?,
            salt: B64.decode(salt).ok()?,
            stored_key: B64.decode(stored).ok()?,
            server_key: B64.decode(server).ok()?,
        };
        (v.stored_key.len() == 32 && v.server_key.len() == 32 && v.iterations > 0).then_some(v)
    }

    /// Whether `password` is the one this verifier was made from.
    pub fn matches(&self, password: &str) -> bool {
        let v = Verifier::with_salt(password, self.salt.clone(), self.iterations);
        constant_time_eq(&v.stored_key, &self.stored_key)
    }

    /// A verifier nobody can match, for unknown users: the exchange looks the same.
    pub fn mock() -> Verifier {
        Verifier {
            iterations: ITERATIONS,
            salt: random_bytes(16),
            stored_key: random_bytes(32),
            server_key: random_bytes(32),
        }
    }
}

impl std::fmt::Display for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            B64.encode(&self.salt),
            B64.encode(&self.stored_key),
            B64.encode(&self.server_key)
        )
    }
}

/// Why a SCRAM exchange failed.
#[derive(Debug, PartialEq, Eq)]
pub enum ScramError {
    /// The client sent something malformed (protocol violation, 08P01).
    Protocol(String),
    /// The proof did not match (28P01).
    BadPassword,
}

/// The server side of one SCRAM-SHA-256 exchange.
pub struct ScramServer {
    verifier: Verifier,
    client_first_bare: String,
    server_first: String,
    gs2_header: String,
    nonce: String,
}

fn proto(msg: &str) -> ScramError {
    ScramError::Protocol(msg.to_string())
}

impl ScramServer {
    /// Handles the client-first message; returns the server-first message.
    pub fn start(verifier: Verifier, client_first: &[u8]) -> Result<(ScramServer, String), ScramError> {
        let msg = std::str::from_utf8(client_first).map_err(|_| proto("malformed SCRAM message"))?;
        // gs2-header: channel-binding flag, optional authzid, then the bare message.
        let mut parts = msg.splitn(3, ',');
        let cb = parts.next().ok_or_else(|| proto("malformed SCRAM message"))?;
        let authzid = parts.next().ok_or_else(|| proto("malformed SCRAM message"))?;
        let bare = parts.next().ok_or_else(|| proto("malformed SCRAM message"))?;
        match cb {
            // "y": the client supports channel binding but thinks the server does not.
            "n" | "y" => {}
            _ if cb.starts_with("p=") => return Err(proto("channel binding is not supported")),
            _ => return Err(proto("malformed SCRAM message (unexpected channel-binding flag)")),
        }
        if !authzid.is_empty() {
            return Err(proto("client uses authorization identity, but it is not supported"));
        }
        let client_nonce = bare
            .split(',')
            .find_map(|a| a.strip_prefix("r="))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| proto("malformed SCRAM message (nonce missing)"))?;
        let nonce = format!("{client_nonce}{}", B64.encode(random_bytes(18)));
        let server_first = format!("r={nonce},s={},i={}", B64.encode(&verifier.salt), verifier.iterations);
        let gs2_header = format!("{cb},{authzid},");
        let s = ScramServer {
            verifier,
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            gs2_header,
            nonce,
        };
        Ok((s, server_first))
    }

    /// Checks the client-final message; returns the server-final message.
    pub fn finish(self, client_final: &[u8]) -> Result<String, ScramError> {
        let msg = std::str::from_utf8(client_final).map_err(|_| proto("malformed SCRAM message"))?;
        let (without_proof, proof) =
            msg.rsplit_once(",p=").ok_or_else(|| proto("malformed SCRAM message (proof missing)"))?;
        let mut binding = None;
        let mut nonce = None;
        for attr in without_proof.split(',') {
            if let Some(c) = attr.strip_prefix("c=") {
                binding = Some(c);
            } else if let Some(r) = attr.strip_prefix("r=") {
                nonce = Some(r);
            }
        }
        let binding = binding.ok_or_else(|| proto("malformed SCRAM message (channel binding missing)"))?;
        if B64.decode(binding).ok().as_deref() != Some(self.gs2_header.as_bytes()) {
            return Err(proto("SCRAM channel binding check failed"));
        }
        if nonce != Some(self.nonce.as_str()) {
            return Err(proto("SCRAM nonce does not match"));
        }
        let proof = B64.decode(proof).map_err(|_| proto("malformed SCRAM message (invalid proof)"))?;
        let auth_message = format!("{},{},{}", self.client_first_bare, self.server_first, without_proof);
        let signature = hmac_sha256(&self.verifier.stored_key, auth_message.as_bytes());
        if proof.len() != signature.len() {
            return Err(ScramError::BadPassword);
        }
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(a, b)| a ^ b).collect();
        if !constant_time_eq(&sha256(&client_key), &self.verifier.stored_key) {
            return Err(ScramError::BadPassword);
        }
        let server_signature = hmac_sha256(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

/// A stored role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub verifier: Option<String>,
    pub superuser: bool,
    pub login: bool,
}

fn roles_table_exists(session: &Session) -> bool {
    session.catalog().table(ROLES_TABLE).is_some()
}

/// Looks a role up. `Ok(None)` when it does not exist (or no role exists at all).
pub fn lookup(session: &mut Session, name: &str) -> cachet::Result<Option<Role>> {
    if !roles_table_exists(session) {
        return Ok(None);
    }
    let r = session
        .execute("SELECT name, verifier, superuser, login FROM cachet_roles WHERE name = $1", &[Value::text(name)])?;
    Ok(r.into_iter().next().and_then(|r| r.rows.into_iter().next()).map(row_to_role))
}

fn row_to_role(row: Vec<Value>) -> Role {
    let text = |v: &Value| v.as_str().map(str::to_string);
    Role {
        name: row.first().and_then(text).unwrap_or_default(),
        verifier: row.get(1).and_then(text),
        superuser: row.get(2).and_then(Value::as_bool).unwrap_or(false),
        login: row.get(3).and_then(Value::as_bool).unwrap_or(false),
    }
}

/// Whether any role exists: while none does, loopback clients are trusted.
pub fn any_role(session: &mut Session) -> cachet::Result<bool> {
    if !roles_table_exists(session) {
        return Ok(false);
    }
    let r = session.execute("SELECT 1 FROM cachet_roles LIMIT 1", &[])?;
    Ok(r.first().is_some_and(|r| !r.rows.is_empty()))
}

fn ensure_table(session: &mut Session) -> cachet::Result<()> {
    if !roles_table_exists(session) {
        session.execute(
            "CREATE TABLE cachet_roles (name text PRIMARY KEY, verifier text, \
             superuser boolean NOT NULL DEFAULT false, login boolean NOT NULL DEFAULT true)",
            &[],
        )?;
    }
    Ok(())
}

/// Creates or updates the bootstrap superuser, keeping a verifier that already
/// matches the password (so restarts do not rewrite it).
pub fn bootstrap(session: &mut Session, name: &str, password: &str) -> cachet::Result<()> {
    ensure_table(session)?;
    match lookup(session, name)? {
        Some(r) => {
            let current = r.verifier.as_deref().and_then(Verifier::parse);
            if !current.is_some_and(|v| v.matches(password)) || !r.superuser || !r.login {
                session.execute(
                    "UPDATE cachet_roles SET verifier = $2, superuser = true, login = true WHERE name = $1",
                    &[Value::text(name), Value::text(Verifier::new(password).to_string())],
                )?;
            }
        }
        None => {
            session.execute(
                "INSERT INTO cachet_roles (name, verifier, superuser, login) VALUES ($1, $2, true, true)",
                &[Value::text(name), Value::text(Verifier::new(password).to_string())],
            )?;
        }
    }
    Ok(())
}

/// A role statement, intercepted before the engine sees it.
#[derive(Clone, Debug)]
pub enum RoleCommand {
    Create { name: String, if_not_exists: bool, options: RoleOptions },
    Alter { name: String, options: RoleOptions, rename: Option<String> },
    Drop { names: Vec<String>, if_exists: bool },
}

/// The role attributes Cachet keeps. Other attributes (CREATEDB, INHERIT, ...) are
/// accepted and have no effect: the engine has no privileges for them to govern.
#[derive(Clone, Debug, Default)]
pub struct RoleOptions {
    /// `Some(None)` is PASSWORD NULL.
    pub password: Option<Option<String>>,
    pub superuser: Option<bool>,
    pub login: Option<bool>,
}

/// Rewrites `CREATE USER` into `CREATE ROLE ... LOGIN` (sqlparser parses CREATE USER
/// with another dialect's grammar). Returns the text to parse and whether it was a
/// CREATE USER.
fn normalize_statement(text: &str) -> (String, bool) {
    let words = crate::split::first_words(text, 2);
    if words.len() == 2 && words[0] == "create" && (words[1] == "user" || words[1] == "group") {
        // Find the second word's position (after CREATE and any comments).
        let lower = text.to_lowercase();
        let create = lower.find("create").unwrap_or(0) + "create".len();
        if let Some(rel) = lower[create..].find(&words[1]) {
            let at = create + rel;
            let rewritten = format!("{}ROLE{}", &text[..at], &text[at + words[1].len()..]);
            return (rewritten, words[1] == "user");
        }
    }
    (text.to_string(), false)
}

/// Whether a statement (by its first words) is a role statement.
pub fn is_role_statement(words: &[String]) -> bool {
    matches!(
        (words.first().map(String::as_str), words.get(1).map(String::as_str)),
        (Some("create" | "alter" | "drop"), Some("role" | "user" | "group"))
    )
}

fn ident_name(name: &ast::ObjectName) -> cachet::Result<String> {
    match name.0.as_slice() {
        [ast::ObjectNamePart::Identifier(i)] => Ok(cachet::sql::binder::ident(i)),
        _ => Err(Error::syntax(format!("invalid role name: {name}"))),
    }
}

fn password_of(p: &ast::Password) -> cachet::Result<Option<String>> {
    match p {
        ast::Password::NullPassword => Ok(None),
        ast::Password::Password(ast::Expr::Value(v)) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => Ok(Some(s.clone())),
            ast::Value::Null => Ok(None),
            other => Err(Error::syntax(format!("syntax error at or near \"{other}\""))),
        },
        ast::Password::Password(other) => Err(Error::syntax(format!("syntax error at or near \"{other}\""))),
    }
}

/// Parses a role statement.
pub fn parse(text: &str) -> cachet::Result<RoleCommand> {
    let (sql, is_user) = normalize_statement(text);
    let mut stmts = cachet::sql::parser::parse(&sql)?;
    let Some(stmt) = stmts.pop() else {
        return Err(Error::syntax("syntax error at end of input"));
    };
    match stmt.ast {
        ast::Statement::CreateRole(c) => {
            let [name] = c.names.as_slice() else {
                return Err(Error::syntax("CREATE ROLE takes one role name"));
            };
            let options = RoleOptions {
                password: c.password.as_ref().map(password_of).transpose()?,
                superuser: c.superuser,
                login: c.login.or(Some(is_user)),
            };
            Ok(RoleCommand::Create { name: ident_name(name)?, if_not_exists: c.if_not_exists, options })
        }
        ast::Statement::AlterRole { name, operation } => {
            let name = cachet::sql::binder::ident(&name);
            match operation {
                ast::AlterRoleOperation::WithOptions { options } => {
                    let mut o = RoleOptions::default();
                    for opt in options {
                        match opt {
                            ast::RoleOption::Password(p) => o.password = Some(password_of(&p)?),
                            ast::RoleOption::SuperUser(b) => o.superuser = Some(b),
                            ast::RoleOption::Login(b) => o.login = Some(b),
                            _ => {}
                        }
                    }
                    Ok(RoleCommand::Alter { name, options: o, rename: None })
                }
                ast::AlterRoleOperation::RenameRole { role_name } => Ok(RoleCommand::Alter {
                    name,
                    options: RoleOptions::default(),
                    rename: Some(cachet::sql::binder::ident(&role_name)),
                }),
                _ => Err(Error::unsupported("ALTER ROLE ... SET/RESET is not supported")),
            }
        }
        ast::Statement::Drop {
            object_type: ast::ObjectType::Role | ast::ObjectType::User, if_exists, names, ..
        } => Ok(RoleCommand::Drop { names: names.iter().map(ident_name).collect::<cachet::Result<_>>()?, if_exists }),
        other => Err(Error::unsupported(format!("statement not supported: {other}"))),
    }
}

/// The verifier text to store for a PASSWORD clause.
fn verifier_for(password: &Option<String>) -> cachet::Result<Option<String>> {
    match password {
        None => Ok(None),
        Some(p) if p.starts_with("SCRAM-SHA-256$") => match Verifier::parse(p) {
            Some(v) => Ok(Some(v.to_string())),
            None => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid SCRAM-SHA-256 verifier")),
        },
        Some(p) if p.len() == 35 && p.starts_with("md5") => Err(Error::unsupported(
            "MD5 password hashes are not supported; give the password or a SCRAM-SHA-256 verifier",
        )),
        Some(p) if p.is_empty() => Ok(None),
        Some(p) => Ok(Some(Verifier::new(p).to_string())),
    }
}

/// Who runs a role statement.
pub struct Actor<'a> {
    pub user: &'a str,
    pub superuser: bool,
}

/// Runs a role statement on the client's session. Returns the command tag and notices.
pub fn execute(session: &mut Session, cmd: &RoleCommand, actor: &Actor) -> cachet::Result<(String, Vec<String>)> {
    let denied = |what: &str| Error::new(SqlState::INSUFFICIENT_PRIVILEGE, format!("permission denied to {what}"));
    let mut notices = Vec::new();
    if session.status() == TxnStatus::Failed {
        return Err(Error::new(
            SqlState::IN_FAILED_SQL_TRANSACTION,
            "current transaction is aborted, commands ignored until end of transaction block",
        ));
    }
    match cmd {
        RoleCommand::Create { name, if_not_exists, options } => {
            if !actor.superuser {
                return Err(denied("create role"));
            }
            let first = !any_role(session)?;
            ensure_table(session)?;
            if lookup(session, name)?.is_some() {
                if *if_not_exists {
                    notices.push(format!("role \"{name}\" already exists, skipping"));
                    return Ok(("CREATE ROLE".into(), notices));
                }
                return Err(Error::new(SqlState::DUPLICATE_OBJECT, format!("role \"{name}\" already exists")));
            }
            let verifier = verifier_for(options.password.as_ref().unwrap_or(&None))?;
            session.execute(
                "INSERT INTO cachet_roles (name, verifier, superuser, login) VALUES ($1, $2, $3, $4)",
                &[
                    Value::text(name.as_str()),
                    verifier.map_or(Value::Null, Value::text),
                    Value::Bool(options.superuser.unwrap_or(false)),
                    Value::Bool(options.login.unwrap_or(false)),
                ],
            )?;
            if first {
                notices.push(
                    "the first role exists now: from the next connection on, every client must log in with a role's password"
                        .to_string(),
                );
            }
            Ok(("CREATE ROLE".into(), notices))
        }
        RoleCommand::Alter { name, options, rename } => {
            let own_password_only =
                name == actor.user && rename.is_none() && options.superuser.is_none() && options.login.is_none();
            if !actor.superuser && !own_password_only {
                return Err(denied("alter role"));
            }
            if lookup(session, name)?.is_none() {
                return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("role \"{name}\" does not exist")));
            }
            if let Some(new) = rename {
                if name == actor.user {
                    return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "session user cannot be renamed"));
                }
                if lookup(session, new)?.is_some() {
                    return Err(Error::new(SqlState::DUPLICATE_OBJECT, format!("role \"{new}\" already exists")));
                }
                session.execute(
                    "UPDATE cachet_roles SET name = $2 WHERE name = $1",
                    &[Value::text(name.as_str()), Value::text(new.as_str())],
                )?;
            }
            if let Some(p) = &options.password {
                session.execute(
                    "UPDATE cachet_roles SET verifier = $2 WHERE name = $1",
                    &[Value::text(name.as_str()), verifier_for(p)?.map_or(Value::Null, Value::text)],
                )?;
            }
            if let Some(s) = options.superuser {
                session.execute(
                    "UPDATE cachet_roles SET superuser = $2 WHERE name = $1",
                    &[Value::text(name.as_str()), Value::Bool(s)],
                )?;
            }
            if let Some(l) = options.login {
                session.execute(
                    "UPDATE cachet_roles SET login = $2 WHERE name = $1",
                    &[Value::text(name.as_str()), Value::Bool(l)],
                )?;
            }
            Ok(("ALTER ROLE".into(), notices))
        }
        RoleCommand::Drop { names, if_exists } => {
            if !actor.superuser {
                return Err(denied("drop role"));
            }
            for name in names {
                if name == actor.user {
                    return Err(Error::new(SqlState("55006"), "current user cannot be dropped"));
                }
                if lookup(session, name)?.is_none() {
                    if *if_exists {
                        notices.push(format!("role \"{name}\" does not exist, skipping"));
                        continue;
                    }
                    return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("role \"{name}\" does not exist")));
                }
                session.execute("DELETE FROM cachet_roles WHERE name = $1", &[Value::text(name.as_str())])?;
            }
            Ok(("DROP ROLE".into(), notices))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_round_trips_and_matches() {
        let v = Verifier::new("secret");
        let parsed = Verifier::parse(&v.to_string()).unwrap();
        assert_eq!(parsed, v);
        assert!(v.matches("secret"));
        assert!(!v.matches("Secret"));
    }

    #[test]
    fn rfc7677_example() {
        // RFC 7677 section 3: user "user", password "pencil".
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let v = Verifier::with_salt("pencil", salt, 4096);
        let client_first = b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
        let (mut server, _) = ScramServer::start(v, client_first).unwrap();
        // Use the RFC's server nonce.
        server.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".into();
        server.server_first = format!("r={},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", server.nonce);
        let client_final = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        let server_final = server.finish(client_final).unwrap();
        assert_eq!(server_final, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    #[test]
    fn parses_role_statements() {
        match parse("CREATE USER bob WITH PASSWORD 'x' SUPERUSER").unwrap() {
            RoleCommand::Create { name, options, .. } => {
                assert_eq!(name, "bob");
                assert_eq!(options.password, Some(Some("x".into())));
                assert_eq!((options.superuser, options.login), (Some(true), Some(true)));
            }
            other => panic!("{other:?}"),
        }
        match parse("create role r").unwrap() {
            RoleCommand::Create { options, .. } => assert_eq!(options.login, Some(false)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("ALTER USER bob PASSWORD NULL").unwrap(), RoleCommand::Alter { .. }));
        assert!(matches!(parse("DROP USER IF EXISTS a, b").unwrap(), RoleCommand::Drop { if_exists: true, .. }));
    }
}

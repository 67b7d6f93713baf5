//! Listening, connection start-up, authentication and the message loop.
//!
//! Each accepted connection is one tokio task. It negotiates TLS (pgwire's
//! `negotiate_tls` answers SSLRequest and accepts direct TLS), reads the start-up
//! packet (or a CancelRequest), checks the connection limit and TLS requirement,
//! authenticates, then loops: read the messages the client has sent (all that are
//! already buffered, so a pipelined Parse/Bind/Execute/Sync costs one trip to the
//! session thread), hand them to the [`Backend`] on the session thread, write out
//! what it produced.
//!
//! Authentication: while no role exists, loopback clients are trusted and connect as
//! superusers under whatever user name they give; remote clients are refused. Once
//! a role exists (the bootstrap user of `--user/--password`, or one made with CREATE
//! ROLE), every client authenticates with SCRAM-SHA-256 against the stored verifier.
//! Unknown users go through the same exchange with a mock verifier and fail the
//! same way (28P01), so the exchange does not reveal which users exist.
//!
//! Shutdown: the server stops accepting, idle connections are told 57P01 and closed,
//! busy ones finish their current messages first; after a grace period the running
//! statements are cancelled. [`Server::run`] returns when every session is gone, so
//! the caller can drop the database (which writes a checkpoint).

use crate::backend::{Backend, Flow};
use crate::errors::{error_response, Severity};
use crate::roles::{self, ScramError, ScramServer, Verifier};
use crate::tls::{self, TlsSource};
use crate::worker::Worker;
use cachet::{Database, Error, Session, SqlState};
use futures::{FutureExt, SinkExt, StreamExt};
use parking_lot::Mutex;
use pgwire::api::PgWireConnectionState;
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{Authentication, BackendKeyData, NegotiateProtocolVersion, SecretKey, Startup};
use pgwire::messages::{PgWireBackendMessage as B, PgWireFrontendMessage as F, ProtocolVersion};
use pgwire::tokio::server::{negotiate_tls, MaybeTls, PgWireMessageServerCodec};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::codec::Framed;

type Socket = Framed<MaybeTls, PgWireMessageServerCodec<()>>;

/// How long a client may take to start up and authenticate.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// At most this many buffered messages go to the session thread in one trip.
const BATCH: usize = 1024;

/// Server settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (`127.0.0.1:5433` by default).
    pub addr: String,
    /// Connections beyond this many are refused with 53300.
    pub max_connections: usize,
    /// Close sessions idle for this long (57P05). `None`: never.
    pub idle_timeout: Option<Duration>,
    pub tls: Option<TlsSource>,
    /// Refuse clients that do not use TLS.
    pub require_tls: bool,
    /// A superuser made (or updated) at start: name and password.
    pub bootstrap_user: Option<(String, String)>,
    /// At shutdown, how long running statements may go on before they are cancelled.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:5433".into(),
            max_connections: 100,
            idle_timeout: None,
            tls: None,
            require_tls: false,
            bootstrap_user: None,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// State shared by the connections.
struct Shared {
    db: Database,
    config: Config,
    tls: Option<pgwire::tokio::TlsAcceptor>,
    /// Cancel keys: backend pid to (secret, the session's cancel flag).
    cancel: Mutex<HashMap<i32, (i32, Arc<AtomicBool>)>>,
    next_pid: AtomicI32,
    connections: AtomicUsize,
    shutdown: watch::Receiver<bool>,
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown_tx: watch::Sender<bool>,
    certificate_pem: Option<String>,
}

/// Fails a start-up step.
fn setup_error(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::other(msg.into())
}

impl Server {
    /// Binds the listening socket, loads TLS and creates the bootstrap user.
    pub async fn bind(db: Database, config: Config) -> std::io::Result<Server> {
        let (tls, certificate_pem) = match &config.tls {
            Some(src) => {
                let t = tls::load(src).map_err(setup_error)?;
                (Some(pgwire::tokio::TlsAcceptor::from(t.config)), Some(t.certificate_pem))
            }
            None => (None, None),
        };
        if config.require_tls && tls.is_none() {
            return Err(setup_error("--require-tls needs a certificate (--tls-cert/--tls-key or --tls-self-signed)"));
        }
        if let Some((user, password)) = config.bootstrap_user.clone() {
            let engine = db.engine().clone();
            tokio::task::spawn_blocking(move || {
                let mut s = Session::new(engine);
                roles::bootstrap(&mut s, &user, &password)
            })
            .await
            .map_err(|e| setup_error(e.to_string()))?
            .map_err(|e| setup_error(format!("cannot create the bootstrap user: {e}")))?;
        }
        let listener = TcpListener::bind(&config.addr).await?;
        let (shutdown_tx, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            db,
            config,
            tls,
            cancel: Mutex::new(HashMap::new()),
            next_pid: AtomicI32::new(std::process::id() as i32 % 100_000 * 10_000 + 1),
            connections: AtomicUsize::new(0),
            shutdown,
        });
        Ok(Server { listener, shared, shutdown_tx, certificate_pem })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The TLS certificate in PEM form, when TLS is on.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Serves until `shutdown` completes, then closes every session and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => {
                    match accepted {
                        Ok((tcp, peer)) => {
                            let shared = self.shared.clone();
                            tasks.spawn(async move {
                                if let Err(e) = connection(shared, tcp, peer).await {
                                    tracing::debug!("connection from {peer} ended: {e}");
                                }
                            });
                        }
                        Err(e) => {
                            tracing::warn!("accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(self.listener);
        let _ = self.shutdown_tx.send(true);
        let grace = tokio::time::sleep(self.shared.config.shutdown_grace);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { break },
                _ = &mut grace => {
                    // Cancel what still runs; the sessions then end at their next message.
                    for (_, flag) in self.shared.cancel.lock().values() {
                        flag.store(true, Ordering::Relaxed);
                    }
                    grace.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(3600));
                }
            }
        }
        Ok(())
    }
}

/// Counts a connection while it lives.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn send_fatal(socket: &mut Socket, e: &Error) -> std::io::Result<()> {
    socket.send(error_response(e, Severity::Fatal, 0, None)).await?;
    Ok(())
}

fn fatal(code: &'static str, msg: impl Into<String>) -> Error {
    Error::new(SqlState(code), msg)
}

/// The next message, failing on end of stream.
async fn next_message(socket: &mut Socket) -> std::io::Result<F> {
    match socket.next().await {
        Some(Ok(m)) => Ok(m),
        Some(Err(e)) => Err(std::io::Error::other(e.to_string())),
        None => Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "client closed the connection")),
    }
}

async fn connection(shared: Arc<Shared>, tcp: TcpStream, peer: SocketAddr) -> std::io::Result<()> {
    let socket = tokio::time::timeout(STARTUP_TIMEOUT, negotiate_tls::<()>(tcp, shared.tls.clone()))
        .await
        .map_err(|_| setup_error("TLS negotiation timed out"))??;
    let Some(mut socket) = socket else { return Ok(()) };
    socket.codec_mut().client_info.protocol_version = ProtocolVersion::PROTOCOL3_0;
    let first = tokio::time::timeout(STARTUP_TIMEOUT, next_message(&mut socket))
        .await
        .map_err(|_| setup_error("start-up timed out"))??;
    let startup = match first {
        F::CancelRequest(c) => {
            cancel_request(&shared, c.pid, &c.secret_key);
            return Ok(());
        }
        F::Startup(s) => s,
        _ => return Ok(()),
    };
    socket.codec_mut().client_info.state = PgWireConnectionState::AuthenticationInProgress;
    if startup.protocol_number_major != 3 {
        let e = fatal(
            "0A000",
            format!(
                "unsupported frontend protocol {}.{}",
                startup.protocol_number_major, startup.protocol_number_minor
            ),
        );
        return send_fatal(&mut socket, &e).await;
    }
    if startup.protocol_number_minor > 0 || startup.parameters.keys().any(|k| k.starts_with("_pq_.")) {
        let unsupported = startup.parameters.keys().filter(|k| k.starts_with("_pq_.")).cloned().collect();
        socket.send(B::NegotiateProtocolVersion(NegotiateProtocolVersion::new(0, unsupported))).await?;
    }
    let secure = socket.codec().client_info.is_secure;
    let user = startup.parameters.get("user").cloned().unwrap_or_default();
    if user.is_empty() {
        return send_fatal(&mut socket, &fatal("28000", "no PostgreSQL user name specified in startup packet")).await;
    }
    if shared.config.require_tls && !secure {
        let e = fatal(
            "28000",
            format!("connection for user \"{user}\" refused: the server requires TLS (sslmode=require)"),
        );
        return send_fatal(&mut socket, &e).await;
    }
    if *shared.shutdown.borrow() {
        return send_fatal(&mut socket, &fatal("57P03", "the database system is shutting down")).await;
    }
    let count = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
    let _slot = Slot(&shared.connections);
    if count > shared.config.max_connections {
        return send_fatal(&mut socket, &fatal("53300", "sorry, too many clients already")).await;
    }

    let session = Session::new(shared.db.engine().clone());
    let cancel_flag = session.cancel_handle();
    let worker = Worker::spawn(Backend::new(session, user.clone(), false))?;
    let result = serve(&shared, &mut socket, &worker, &startup, &user, peer, cancel_flag).await;
    worker.shutdown().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    shared: &Arc<Shared>,
    socket: &mut Socket,
    worker: &Worker,
    startup: &Startup,
    user: &str,
    peer: SocketAddr,
    cancel_flag: Arc<AtomicBool>,
) -> std::io::Result<()> {
    let gone = || setup_error("session thread ended");
    // Authentication.
    let u = user.to_string();
    let lookup = worker
        .call(move |b| -> cachet::Result<(bool, Option<roles::Role>)> {
            let any = roles::any_role(&mut b.session)?;
            let role = if any { roles::lookup(&mut b.session, &u)? } else { None };
            Ok((any, role))
        })
        .await
        .map_err(|_| gone())?;
    let (any_role, role) = match lookup {
        Ok(r) => r,
        Err(e) => return send_fatal(socket, &e).await,
    };
    let superuser = if !any_role {
        if !peer.ip().is_loopback() {
            let e = fatal(
                "28000",
                format!(
                    "no roles exist, so only loopback connections are trusted: connection from {} refused (start the server with --user and --password)",
                    peer.ip()
                ),
            );
            return send_fatal(socket, &e).await;
        }
        true
    } else {
        let verifier = role.as_ref().and_then(|r| r.verifier.as_deref()).and_then(Verifier::parse);
        let ok = verifier.is_some();
        match scram(socket, verifier.unwrap_or_else(Verifier::mock)).await? {
            Ok(()) if ok => {}
            Ok(()) | Err(ScramError::BadPassword) => {
                let e = fatal("28P01", format!("password authentication failed for user \"{user}\""));
                return send_fatal(socket, &e).await;
            }
            Err(ScramError::Protocol(m)) => return send_fatal(socket, &fatal("08P01", m)).await,
        }
        let role = role.unwrap_or_else(|| roles::Role {
            name: user.to_string(),
            verifier: None,
            superuser: false,
            login: false,
        });
        if !role.login {
            let e = fatal("28000", format!("role \"{user}\" is not permitted to log in"));
            return send_fatal(socket, &e).await;
        }
        role.superuser
    };
    socket.feed(B::Authentication(Authentication::Ok)).await?;

    // Session settings from the start-up packet, then the parameter reports.
    let mut settings: Vec<(String, String)> = Vec::new();
    for (k, v) in &startup.parameters {
        match k.as_str() {
            "user" | "database" | "replication" => {}
            "options" => settings.extend(parse_options(v)),
            k if k.starts_with("_pq_.") => {}
            k => settings.push((k.to_string(), v.clone())),
        }
    }
    let pid = shared.next_pid.fetch_add(1, Ordering::Relaxed);
    let secret = i32::from_ne_bytes(rand_bytes());
    // One database is served, under whatever name the client asks for (libpq's
    // default is the user name).
    let database =
        startup.parameters.get("database").filter(|d| !d.is_empty()).cloned().unwrap_or_else(|| user.to_string());
    let user_name = user.to_string();
    let out = worker
        .call(move |b| {
            b.superuser = superuser;
            b.session.settings.user = user_name;
            b.session.settings.database = database;
            b.session.settings.backend_pid = pid;
            let on = if superuser { "on" } else { "off" };
            let _ = b.session.set_parameter("is_superuser", on);
            for (k, v) in settings {
                // Unknown or invalid settings are ignored, as drivers send a few
                // PostgreSQL-only ones.
                let _ = b.session.set_parameter(&k, &v);
            }
            b.report_parameters();
            b.take_output()
        })
        .await
        .map_err(|_| gone())?;
    for m in out {
        socket.feed(m).await?;
    }
    socket.feed(B::BackendKeyData(BackendKeyData::new(pid, SecretKey::I32(secret)))).await?;
    socket.send(B::ReadyForQuery(ReadyForQuery::new(TransactionStatus::Idle))).await?;
    socket.codec_mut().client_info.state = PgWireConnectionState::ReadyForQuery;
    shared.cancel.lock().insert(pid, (secret, cancel_flag));
    let r = message_loop(shared, socket, worker).await;
    shared.cancel.lock().remove(&pid);
    r
}

fn rand_bytes() -> [u8; 4] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 4];
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b
}

/// `-c name=value` and `--name=value` pairs of the `options` start-up parameter.
fn parse_options(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut words = s.split_whitespace();
    while let Some(w) = words.next() {
        let kv = if w == "-c" {
            words.next()
        } else if let Some(rest) = w.strip_prefix("-c") {
            Some(rest)
        } else {
            w.strip_prefix("--")
        };
        if let Some((k, v)) = kv.and_then(|kv| kv.split_once('=')) {
            out.push((k.replace('-', "_"), v.to_string()));
        }
    }
    out
}

/// One SCRAM-SHA-256 exchange. The outer error is I/O; the inner one says why the
/// client failed.
async fn scram(socket: &mut Socket, verifier: Verifier) -> std::io::Result<Result<(), ScramError>> {
    socket.send(B::Authentication(Authentication::SASL(vec!["SCRAM-SHA-256".to_string()]))).await?;
    let proto = |m: &str| Ok(Err(ScramError::Protocol(m.to_string())));
    let F::PasswordMessageFamily(msg) = next_message(socket).await? else {
        return proto("expected SASL response");
    };
    let Ok(initial) = msg.into_sasl_initial_response() else {
        return proto("malformed SASLInitialResponse");
    };
    if initial.auth_method != "SCRAM-SHA-256" {
        return proto("client selected an invalid SASL authentication mechanism");
    }
    let data = initial.data.unwrap_or_default();
    let (server, server_first) = match ScramServer::start(verifier, &data) {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    socket.send(B::Authentication(Authentication::SASLContinue(server_first.into_bytes().into()))).await?;
    let F::PasswordMessageFamily(msg) = next_message(socket).await? else {
        return proto("expected SASL response");
    };
    let Ok(response) = msg.into_sasl_response() else {
        return proto("malformed SASLResponse");
    };
    match server.finish(&response.data) {
        Ok(server_final) => {
            socket.feed(B::Authentication(Authentication::SASLFinal(server_final.into_bytes().into()))).await?;
            Ok(Ok(()))
        }
        Err(e) => Ok(Err(e)),
    }
}

fn cancel_request(shared: &Shared, pid: i32, key: &SecretKey) {
    let map = shared.cancel.lock();
    if let Some((secret, flag)) = map.get(&pid) {
        if key.as_i32() == Some(*secret) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

async fn message_loop(shared: &Arc<Shared>, socket: &mut Socket, worker: &Worker) -> std::io::Result<()> {
    let mut shutdown = shared.shutdown.clone();
    let idle = shared.config.idle_timeout;
    loop {
        if *shutdown.borrow() {
            let e = fatal("57P01", "terminating connection due to administrator command");
            return send_fatal(socket, &e).await;
        }
        let first = tokio::select! {
            m = socket.next() => m,
            _ = shutdown.changed() => continue,
            _ = async {
                match idle {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            } => {
                let e = fatal("57P05", "terminating connection due to idle-session timeout");
                return send_fatal(socket, &e).await;
            }
        };
        let msg = match first {
            None => return Ok(()),
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                let e = fatal("08P01", format!("invalid frontend message: {e}"));
                return send_fatal(socket, &e).await;
            }
        };
        let mut batch = vec![msg];
        let mut decode_error = None;
        while batch.len() < BATCH {
            match socket.next().now_or_never() {
                Some(Some(Ok(m))) => batch.push(m),
                Some(Some(Err(e))) => {
                    decode_error = Some(e);
                    break;
                }
                _ => break,
            }
        }
        let (out, flow) = worker
            .call(move |b| {
                let mut flow = Flow::Continue;
                for m in batch {
                    flow = b.handle(m);
                    if flow == Flow::Terminate {
                        break;
                    }
                }
                (b.take_output(), flow)
            })
            .await
            .map_err(|_| setup_error("session thread ended"))?;
        for m in out {
            socket.feed(m).await?;
        }
        socket.flush().await?;
        if flow == Flow::Terminate {
            return Ok(());
        }
        if let Some(e) = decode_error {
            let e = fatal("08P01", format!("invalid frontend message: {e}"));
            return send_fatal(socket, &e).await;
        }
    }
}

//! `cachet serve`: the command-line face of the server.

use crate::server::{Config, Server};
use crate::tls::TlsSource;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Serve a database over the PostgreSQL wire protocol.
#[derive(clap::Args, Debug, Clone)]
#[command(
    after_help = "Examples:\n  cachet serve                       in-memory database on 127.0.0.1:5433\n  cachet serve mydb --pg-addr 0.0.0.0:5433 --user admin --password secret --tls-self-signed\n  psql -h 127.0.0.1 -p 5433 -U admin\n\nWhile no role exists, clients on the loopback address are trusted. Once one does\n(--user/--password, or CREATE ROLE ... PASSWORD), every client logs in with\nSCRAM-SHA-256. CACHET_PASSWORD sets the bootstrap password without putting it on\nthe command line."
)]
pub struct ServeArgs {
    /// Database directory (created if missing). Without it the database lives in memory.
    pub data_dir: Option<PathBuf>,
    /// Address for the PostgreSQL protocol.
    #[arg(long, default_value = "127.0.0.1:5433", value_name = "HOST:PORT")]
    pub pg_addr: String,
    /// Refuse connections beyond this many (SQLSTATE 53300).
    #[arg(long, default_value_t = 100)]
    pub max_connections: usize,
    /// Close sessions idle for this many seconds (0: never).
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Bootstrap superuser, created or updated at start (needs --password or CACHET_PASSWORD).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Password of the bootstrap user (CACHET_PASSWORD is read when this is absent).
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// TLS certificate chain (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Make a self-signed certificate for localhost at start.
    #[arg(long, conflicts_with = "tls_cert")]
    pub tls_self_signed: bool,
    /// Refuse clients that do not use TLS.
    #[arg(long)]
    pub require_tls: bool,
}

impl ServeArgs {
    /// The server configuration these arguments describe.
    pub fn config(&self) -> Result<Config, String> {
        let password =
            self.password.clone().or_else(|| std::env::var("CACHET_PASSWORD").ok().filter(|p| !p.is_empty()));
        let bootstrap_user = match (&self.user, password) {
            (Some(u), Some(p)) => Some((u.clone(), p)),
            (None, Some(p)) => Some(("cachet".to_string(), p)),
            (Some(_), None) => return Err("--user needs --password (or CACHET_PASSWORD)".into()),
            (None, None) => None,
        };
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsSource::Files { cert: cert.clone(), key: key.clone() }),
            _ if self.tls_self_signed => Some(TlsSource::SelfSigned),
            _ => None,
        };
        Ok(Config {
            addr: self.pg_addr.clone(),
            max_connections: self.max_connections,
            idle_timeout: (self.idle_timeout > 0).then(|| Duration::from_secs(self.idle_timeout)),
            tls,
            require_tls: self.require_tls,
            bootstrap_user,
            ..Config::default()
        })
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `cachet serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cachet serve: {e}");
            return ExitCode::from(2);
        }
    };
    let db = match &args.data_dir {
        Some(dir) => cachet::Database::open(dir),
        None => cachet::Database::open_in_memory(),
    };
    let db = match db {
        Ok(db) => db,
        Err(e) => {
            eprintln!("cachet serve: cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cachet serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let server = Server::bind(db, config).await?;
        let addr = server.local_addr()?;
        let tls = if server.certificate_pem().is_some() { ", TLS on" } else { "" };
        let place = args.data_dir.as_ref().map_or("in memory".to_string(), |d| d.display().to_string());
        eprintln!("cachet: serving {place} over the PostgreSQL protocol on {addr}{tls}");
        server.run(signal()).await
    });
    // The database is dropped here, after every session: it writes a checkpoint.
    drop(runtime);
    match result {
        Ok(()) => {
            eprintln!("cachet: shut down");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cachet serve: {e}");
            ExitCode::FAILURE
        }
    }
}

//! The PostgreSQL wire protocol server of Cachet.
//!
//! A thin layer over the engine's [`cachet::Session`]: it translates the protocol
//! (version 3.0) and owns no SQL semantics. Messages are encoded and decoded with
//! `pgwire`'s message types and codec; the protocol state machine is this crate's
//! own, because it must drive a synchronous, possibly blocking session.
//!
//! How a connection runs:
//!
//! 1. [`server`]: a tokio task per connection negotiates TLS ([`tls`]), reads the
//!    start-up packet (or a CancelRequest, which sets the target session's cancel
//!    flag), enforces the connection limit, and authenticates: trust for loopback
//!    clients while no role exists, SCRAM-SHA-256 against stored verifiers after
//!    that ([`roles`]).
//! 2. [`worker`]: each connection gets one OS thread owning its [`backend::Backend`]
//!    and engine session. Engine calls block (row-lock waits, long queries), so they
//!    never run on tokio's threads; the task sends batches of messages to the thread
//!    and writes back what comes out.
//! 3. [`backend`]: simple and extended query, portals with row limits, COPY
//!    ([`copy`]), role statements, parameter reports, errors and notices
//!    ([`errors`]), values in text and binary formats ([`values`]).
//!
//! What the server does itself, because the engine has no such statement: COPY FROM
//! STDIN / TO STDOUT (built from prepared INSERTs and queries), CREATE/ALTER/DROP
//! ROLE and USER (stored in the `cachet_roles` table), and the splitting of a
//! multi-statement simple query ([`split`]). Everything else goes to the session.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let db = cachet::Database::open_in_memory().expect("open");
//! let server = cachet_pg::Server::bind(db, cachet_pg::Config::default()).await?;
//! println!("listening on {}", server.local_addr()?);
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod backend;
pub mod cli;
pub mod copy;
pub mod errors;
pub mod roles;
pub mod server;
pub mod split;
pub mod tls;
pub mod values;
pub mod worker;

pub use server::{Config, Server};
pub use tls::TlsSource;

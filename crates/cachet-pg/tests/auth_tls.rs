//! Authentication (trust, SCRAM-SHA-256, roles) and TLS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::err_expect)]

mod common;

use cachet_pg::{Config, TlsSource};
use common::{connect, connect_str, TestServer};
use std::sync::Arc;
use tokio_postgres::error::SqlState;
use tokio_rustls::rustls;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn with_password(server: &TestServer, user: &str, password: &str) -> String {
    format!("{} password={password}", server.conn_str(user))
}

fn code(e: &tokio_postgres::Error) -> Option<&SqlState> {
    e.code()
}

#[test]
fn trust_while_no_role_exists_then_scram() {
    let server = TestServer::start(Config::default());
    rt().block_on(async {
        // No roles: any user name on loopback, no password.
        let c = connect(&server, "whoever").await;
        let rows = c.query("SELECT rolname FROM pg_roles", &[]).await.unwrap();
        assert!(rows.is_empty());
        let msgs = c.simple_query("CREATE USER admin WITH SUPERUSER PASSWORD 'adm1n'").await.unwrap();
        assert!(!msgs.is_empty());
        // The open session goes on; new ones need a password.
        c.simple_query("SELECT 1").await.unwrap();
        // tokio-postgres gives up before sending anything: it has no password to offer.
        assert!(connect_str(&server.conn_str("whoever")).await.is_err(), "a password is required now");
        let e = connect_str(&with_password(&server, "whoever", "guess")).await.err().expect("no such role");
        assert_eq!(code(&e), Some(&SqlState::INVALID_PASSWORD), "{e}");
        let admin = connect_str(&with_password(&server, "admin", "adm1n")).await.unwrap();
        let row = admin.query_one("SELECT rolname, rolsuper, rolcanlogin FROM pg_roles", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "admin");
        assert!(row.get::<_, bool>(1));
        assert!(row.get::<_, bool>(2));
        // The verifier, not the password, is stored.
        let row = admin.query_one("SELECT verifier FROM cachet_roles WHERE name = 'admin'", &[]).await.unwrap();
        let verifier: String = row.get(0);
        assert!(verifier.starts_with("SCRAM-SHA-256$4096:"), "{verifier}");
        assert!(!verifier.contains("adm1n"));
    });
}

#[test]
fn bootstrap_user_and_role_statements() {
    let server =
        TestServer::start(Config { bootstrap_user: Some(("admin".into(), "s3cret".into())), ..Config::default() });
    rt().block_on(async {
        let wrong = connect_str(&with_password(&server, "admin", "nope")).await.err().expect("wrong password");
        assert_eq!(code(&wrong), Some(&SqlState::INVALID_PASSWORD), "{wrong}");
        let unknown = connect_str(&with_password(&server, "ghost", "s3cret")).await.err().expect("unknown user");
        assert_eq!(code(&unknown), Some(&SqlState::INVALID_PASSWORD), "{unknown}");
        let admin = connect_str(&with_password(&server, "admin", "s3cret")).await.unwrap();

        admin.batch_execute("CREATE ROLE bob LOGIN PASSWORD 'b0b'").await.unwrap();
        let dup = admin.batch_execute("CREATE ROLE bob").await.unwrap_err();
        assert_eq!(code(&dup), Some(&SqlState::DUPLICATE_OBJECT));
        admin.batch_execute("CREATE ROLE nologin PASSWORD 'x'").await.unwrap();
        let e = connect_str(&with_password(&server, "nologin", "x")).await.err().expect("NOLOGIN");
        assert_eq!(code(&e), Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION), "{e}");

        // Role statements are transactional.
        admin.batch_execute("BEGIN; CREATE ROLE temp LOGIN PASSWORD 't'; ROLLBACK").await.unwrap();
        assert!(connect_str(&with_password(&server, "temp", "t")).await.is_err());

        let bob = connect_str(&with_password(&server, "bob", "b0b")).await.unwrap();
        let denied = bob.batch_execute("CREATE ROLE eve").await.unwrap_err();
        assert_eq!(code(&denied), Some(&SqlState::INSUFFICIENT_PRIVILEGE));
        let denied = bob.batch_execute("ALTER ROLE admin PASSWORD 'mine'").await.unwrap_err();
        assert_eq!(code(&denied), Some(&SqlState::INSUFFICIENT_PRIVILEGE));
        // A user may change their own password.
        bob.batch_execute("ALTER USER bob WITH PASSWORD 'n3w'").await.unwrap();
        assert!(connect_str(&with_password(&server, "bob", "b0b")).await.is_err());
        connect_str(&with_password(&server, "bob", "n3w")).await.unwrap();
        // A verifier can be given instead of a password.
        let v = cachet_pg::roles::Verifier::new("fromverifier").to_string();
        admin.batch_execute(&format!("ALTER ROLE bob PASSWORD '{v}'")).await.unwrap();
        connect_str(&with_password(&server, "bob", "fromverifier")).await.unwrap();

        let e = admin.batch_execute("DROP ROLE admin").await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::OBJECT_IN_USE));
        admin.batch_execute("DROP USER bob").await.unwrap();
        assert!(connect_str(&with_password(&server, "bob", "fromverifier")).await.is_err());
        let e = admin.batch_execute("DROP ROLE bob").await.unwrap_err();
        assert_eq!(code(&e), Some(&SqlState::UNDEFINED_OBJECT));
        admin.batch_execute("DROP ROLE IF EXISTS bob").await.unwrap();
        let users: Vec<String> = admin
            .query("SELECT usename FROM pg_user ORDER BY 1", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(users, ["admin"]);
    });
}

#[test]
fn roles_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { bootstrap_user: Some(("admin".into(), "pw".into())), ..Config::default() };
    let server = TestServer::start_with(cachet::Database::open(dir.path()).unwrap(), config.clone());
    rt().block_on(async {
        let admin = connect_str(&with_password(&server, "admin", "pw")).await.unwrap();
        admin.batch_execute("CREATE USER carol PASSWORD 'c'").await.unwrap();
    });
    server.stop();
    let server = TestServer::start_with(cachet::Database::open(dir.path()).unwrap(), Config::default());
    rt().block_on(async {
        connect_str(&with_password(&server, "carol", "c")).await.unwrap();
        assert!(connect_str(&server.conn_str("carol")).await.is_err());
    });
}

fn client_tls(cert_pem: &str) -> tokio_postgres_rustls::MakeRustlsConnect {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let cert = rustls_pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap();
    roots.add(cert).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

async fn connect_tls(
    conn: &str,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(conn, tls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

#[test]
fn tls_with_a_self_signed_certificate() {
    let server = TestServer::start(Config {
        tls: Some(TlsSource::SelfSigned),
        require_tls: true,
        bootstrap_user: Some(("admin".into(), "pw".into())),
        ..Config::default()
    });
    let pem = server.cert_pem.clone().unwrap();
    rt().block_on(async {
        let conn = format!("{} sslmode=require", with_password(&server, "admin", "pw"));
        let c = connect_tls(&conn, client_tls(&pem)).await.unwrap();
        let row = c.query_one("SELECT 40 + 2", &[]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);
        // Without TLS the server refuses.
        let e = connect_str(&with_password(&server, "admin", "pw")).await.err().expect("TLS is required");
        assert_eq!(code(&e), Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION), "{e}");
    });
}

#[test]
fn ssl_request_is_refused_when_tls_is_off() {
    let server = TestServer::start(Config::default());
    // Any certificate will do for the client: the server answers 'N' before a handshake.
    let pem = cachet_pg::tls::load(&TlsSource::SelfSigned).unwrap().certificate_pem;
    rt().block_on(async {
        let prefer = format!("{} sslmode=prefer", server.conn_str("alice"));
        let c = connect_tls(&prefer, client_tls(&pem)).await.unwrap();
        c.simple_query("SELECT 1").await.unwrap();
        let require = format!("{} sslmode=require", server.conn_str("alice"));
        assert!(connect_tls(&require, client_tls(&pem)).await.is_err());
    });
}

#[test]
fn tls_with_certificate_files() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    let server = TestServer::start(Config { tls: Some(TlsSource::Files { cert, key }), ..Config::default() });
    assert_eq!(server.cert_pem.as_deref(), Some(ck.cert.pem().as_str()));
    rt().block_on(async {
        let conn = format!("{} sslmode=require", server.conn_str("alice"));
        let c = connect_tls(&conn, client_tls(&ck.cert.pem())).await.unwrap();
        c.simple_query("SELECT 1").await.unwrap();
        // TLS is offered, not required: plain connections still work.
        connect(&server, "alice").await.simple_query("SELECT 1").await.unwrap();
    });
    let bad = cachet_pg::tls::load(&TlsSource::Files {
        cert: dir.path().join("missing.crt"),
        key: dir.path().join("server.key"),
    });
    assert!(bad.is_err());
}

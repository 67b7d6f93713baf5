//! TLS set-up: certificates from PEM files, or a self-signed one made at start.
//!
//! rustls with the ring provider, as everywhere in Cachet. Clients ask for TLS with
//! an SSLRequest (answered `S` when TLS is configured, `N` otherwise) or, since
//! PostgreSQL 17, with a direct TLS handshake using ALPN `postgresql`; both are
//! accepted.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::rustls;

/// Where the server's certificate comes from.
#[derive(Clone, Debug)]
pub enum TlsSource {
    /// PEM files: a certificate chain and a private key.
    Files { cert: PathBuf, key: PathBuf },
    /// A self-signed certificate for `localhost`, `127.0.0.1` and `::1`, made now.
    SelfSigned,
}

/// A TLS configuration ready to accept connections.
pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// The certificate in PEM form (the first of the chain).
    pub certificate_pem: String,
}

/// Builds the rustls configuration.
pub fn load(source: &TlsSource) -> Result<Tls, String> {
    let (certs, key, pem) = match source {
        TlsSource::Files { cert, key } => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .map_err(|e| format!("cannot read certificate {}: {e}", cert.display()))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("cannot parse certificate {}: {e}", cert.display()))?;
            if certs.is_empty() {
                return Err(format!("no certificate found in {}", cert.display()));
            }
            let k = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("cannot read private key {}: {e}", key.display()))?;
            let pem = std::fs::read_to_string(cert).map_err(|e| format!("cannot read {}: {e}", cert.display()))?;
            (certs, k, pem)
        }
        TlsSource::SelfSigned => {
            let names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
            let ck =
                rcgen::generate_simple_self_signed(names).map_err(|e| format!("cannot make a certificate: {e}"))?;
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.key_pair.serialize_der()));
            (vec![ck.cert.der().clone()], key, ck.cert.pem())
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Tls { config: Arc::new(config), certificate_pem: pem })
}

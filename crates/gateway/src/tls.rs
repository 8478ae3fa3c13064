//! HTTPS on the gateway's own port (rustls with the ring provider). Handshakes run in each
//! connection's own task, bounded by `server.header_timeout_secs` (see `server`).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;
use crate::error::{GatewayError, Result};

pub(crate) fn acceptor(config: &TlsConfig) -> Result<TlsAcceptor> {
    let bad = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        GatewayError::Config(format!("tls {what} {}: {e}", path.display()))
    };
    let certs = CertificateDer::pem_file_iter(&config.cert_file)
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| bad("certificate", &config.cert_file, &e))?;
    let key = PrivateKeyDer::from_pem_file(&config.key_file)
        .map_err(|e| bad("key", &config.key_file, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| GatewayError::Config(format!("tls: {e}")))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server)))
}

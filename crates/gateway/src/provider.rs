//! What the HTTP providers (Twilio for SMS, Postmark for mail) share: a small HTTPS client
//! that trusts the public roots (ring, as everywhere else in the gateway), reading a
//! credential from the configuration, a file or the environment, the rule that a provider's
//! address is https unless it is on this machine, and recording a message it could not
//! deliver.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Request, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::GatewayError;
use crate::store::MessageBounce;
use crate::Shared;

/// Answers larger than this are cut off: providers answer with a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// A provider's answer.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Bytes,
}

/// One request per connection: providers are called for each message, a few per second at
/// most, so pooling would buy nothing worth its complexity.
pub(crate) struct HttpClient {
    tls: tokio_rustls::TlsConnector,
    timeout: Duration,
}

impl HttpClient {
    pub fn new(timeout: Duration) -> Result<Self, GatewayError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| GatewayError::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            timeout,
        })
    }

    /// POSTs `body` to `url`. An error means the request may not have arrived (no answer, a
    /// timeout, a broken connection): the caller retries.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(HeaderName, String)],
        body: Vec<u8>,
    ) -> Result<HttpAnswer, String> {
        match tokio::time::timeout(self.timeout, self.post_inner(url, headers, body)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs())),
        }
    }

    async fn post_inner(
        &self,
        url: &str,
        headers: &[(HeaderName, String)],
        body: Vec<u8>,
    ) -> Result<HttpAnswer, String> {
        let uri: Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("bad URL {url}: not http(s)")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("bad URL {url}: no host"))?
            .clone();
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let mut request = Request::post(path)
            .header(header::HOST, authority.as_str())
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::USER_AGENT, "orgdesk-gateway");
        for (name, value) in headers {
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header {name} holds characters a header cannot carry"))?;
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("building the request: {e}"))?;
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("connecting to {host}:{port}: {e}"))?;
        if https {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| format!("bad host name {host}: {e}"))?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS with {host}: {e}"))?;
            exchange(tls, request).await
        } else {
            exchange(tcp, request).await
        }
    }
}

async fn exchange<S>(io: S, request: Request<Full<Bytes>>) -> Result<HttpAnswer, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let answer = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("HTTP request: {e}"))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        Ok(HttpAnswer { status, body })
    }
    .await;
    driver.abort();
    answer
}

/// `Basic base64(user:password)`.
pub(crate) fn basic_auth(user: &str, password: &str) -> String {
    use base64ct::{Base64, Encoding};
    format!(
        "Basic {}",
        Base64::encode_string(format!("{user}:{password}").as_bytes())
    )
}

/// A credential given in exactly one way: in the file (`inline`), in a file of its own
/// (`file`, trimmed), or in an environment variable (`env`).
pub(crate) fn read_secret(
    what: &str,
    inline: Option<&String>,
    file: Option<&PathBuf>,
    env: Option<&String>,
) -> Result<String, GatewayError> {
    let value = match (inline, file, env) {
        (Some(v), None, None) => v.clone(),
        (None, Some(path), None) => std::fs::read_to_string(path)
            .map_err(|e| GatewayError::Config(format!("{what}_file {}: {e}", path.display())))?
            .trim()
            .to_owned(),
        (None, None, Some(var)) => std::env::var(var).map_err(|_| {
            GatewayError::Config(format!(
                "the environment variable {var} ({what}) is not set"
            ))
        })?,
        (None, None, None) => {
            return Err(GatewayError::Config(format!(
                "{what} is required: give {what}, {what}_file or {what}_env"
            )))
        }
        _ => {
            return Err(GatewayError::Config(format!(
                "give only one of {what}, {what}_file and {what}_env"
            )))
        }
    };
    if value.is_empty() {
        return Err(GatewayError::Config(format!("{what} is empty")));
    }
    Ok(value)
}

/// [`read_secret`] of the credential `$field` of a configuration section (`$section`, as
/// messages name it), which gives it as `$field`, `${field}_file` or `${field}_env`.
macro_rules! config_secret {
    ($section:literal, $config:expr, $field:ident) => {
        pastey::paste! {
            $crate::provider::read_secret(
                concat!($section, ".", stringify!($field)),
                $config.$field.as_ref(),
                $config.[<$field _file>].as_ref(),
                $config.[<$field _env>].as_ref(),
            )
        }
    };
}
pub(crate) use config_secret;

/// Records a provider's report that it could not deliver a message (`message_id`, the
/// provider's id for it), with `reason` cleared of control characters and cut to `max_chars`.
/// The invitation reported bounced, once the event feed was rung; `None` when the message is
/// not one of ours or was reported already.
pub(crate) async fn record_undelivered(
    state: &Shared,
    message_id: String,
    reason: &str,
    max_chars: usize,
) -> Result<Option<String>, GatewayError> {
    let reason = reason
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect();
    let bounce = MessageBounce { message_id, reason };
    let bounced = state
        .store
        .record_bounce(bounce, state.clock.now_secs())
        .await?;
    if bounced.is_some() {
        state.ring_events();
    }
    Ok(bounced)
}

/// Provider addresses carry credentials: https, except for a stand-in on this machine.
pub(crate) fn check_base_url(what: &str, url: &str) -> Result<(), GatewayError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| GatewayError::Config(format!("{what} is not a URL: {url}")))?;
    let host = uri.host().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if loopback => Ok(()),
        _ => Err(GatewayError::Config(format!(
            "{what} must be an https:// address (http:// only on loopback): {url}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_beyond_loopback() {
        assert!(check_base_url("u", "https://api.twilio.com").is_ok());
        assert!(check_base_url("u", "http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("u", "http://[::1]:8080").is_ok());
        assert!(check_base_url("u", "http://localhost:1").is_ok());
        assert!(check_base_url("u", "http://api.twilio.com").is_err());
        assert!(check_base_url("u", "ftp://x").is_err());
    }

    #[test]
    fn a_secret_comes_from_exactly_one_place() {
        let v = "s3cret".to_owned();
        assert_eq!(read_secret("t", Some(&v), None, None).unwrap(), "s3cret");
        assert!(read_secret("t", None, None, None).is_err());
        let var = "ORGDESK_TEST_SECRET_THAT_IS_NOT_SET".to_owned();
        assert!(read_secret("t", Some(&v), None, Some(&var)).is_err());
        assert!(read_secret("t", None, None, Some(&var)).is_err());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "from-file\n").unwrap();
        assert_eq!(
            read_secret("t", None, Some(&path), None).unwrap(),
            "from-file"
        );
    }

    #[test]
    fn basic_auth_is_base64_of_user_colon_password() {
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}

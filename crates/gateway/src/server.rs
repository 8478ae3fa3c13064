//! The gateway's own accept loop, so that no client can hold it hostage: a cap on open
//! connections in all and per client address, a deadline for each request's headers, an
//! idle timeout between requests, a deadline and a size limit for each request's body, and
//! a stop that waits for requests in flight only a bounded time. Also the middleware every
//! request passes through (the client's address, the bounded body, the security headers),
//! layered in `routes.rs`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::ServerConfig;
use crate::i18n::{Lang, Texts};
use crate::limits::{client_key, TrustedProxies};
use crate::pages::{message, pick_lang};
use crate::{PeerAddr, Shared};

/// What the accept loop enforces.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    header_timeout: Duration,
    idle_timeout: Duration,
    max_connections: usize,
    max_connections_per_client: usize,
    grace: Duration,
    trusted: TrustedProxies,
}

impl Settings {
    pub(crate) fn new(config: &ServerConfig, trusted: TrustedProxies) -> Self {
        Self {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            max_connections: config.max_connections,
            max_connections_per_client: config.max_connections_per_client,
            grace: Duration::from_secs(config.shutdown_grace_secs),
            trusted,
        }
    }
}

/// Serves `app` on `listener` (over TLS with `acceptor`) until `shutdown` turns true; then
/// stops accepting, asks every connection to finish its request, and drops those still
/// open after the grace period.
pub(crate) fn spawn(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    app: Router,
    settings: Settings,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(accept_loop(
        listener,
        acceptor,
        app,
        Arc::new(settings),
        shutdown,
    ))
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    app: Router,
    settings: Arc<Settings>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(settings.max_connections));
    let per_client: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|stop| *stop) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tracing::debug!(%peer, "connection refused: max_connections reached");
            continue;
        };
        let slot = if settings.trusted.trusts(peer.ip()) {
            None
        } else {
            let slot = ClientSlot::take(
                &per_client,
                client_key(peer.ip()),
                settings.max_connections_per_client,
            );
            if slot.is_none() {
                tracing::debug!(%peer, "connection refused: max_connections_per_client reached");
                continue;
            }
            slot
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            peer,
            acceptor.clone(),
            app.clone(),
            Arc::clone(&settings),
            shutdown.clone(),
            (permit, slot),
        ));
    }
    drop(listener);
    let drained = tokio::time::timeout(settings.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            open = connections.len(),
            "dropping connections still open after the shutdown grace period"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
    Ok(())
}

/// One open connection counted against its client address; given back when dropped.
struct ClientSlot {
    map: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl ClientSlot {
    fn take(map: &Arc<Mutex<HashMap<String, usize>>>, key: String, max: usize) -> Option<Self> {
        let mut counts = map.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Self {
            map: Arc::clone(map),
            key,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut counts = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: Option<TlsAcceptor>,
    app: Router,
    settings: Arc<Settings>,
    mut shutdown: watch::Receiver<bool>,
    _held: (OwnedSemaphorePermit, Option<ClientSlot>),
) {
    let Some(acceptor) = acceptor else {
        return serve_connection(stream, peer, app, &settings, shutdown).await;
    };
    let handshake = tokio::select! {
        h = tokio::time::timeout(settings.header_timeout, acceptor.accept(stream)) => h,
        _ = shutdown.wait_for(|stop| *stop) => return,
    };
    match handshake {
        Ok(Ok(tls)) => serve_connection(tls, peer, app, &settings, shutdown).await,
        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// When the connection last moved a byte, and how many of its requests are being answered.
struct Activity {
    epoch: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        Some(self.epoch.elapsed().saturating_sub(last))
    }
}

struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A stream that records when it last carried data.
struct Tracked<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    settings: &Settings,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity {
        epoch: Instant::now(),
        last_ms: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
    });
    let io = TokioIo::new(Tracked {
        inner: io,
        activity: Arc::clone(&activity),
    });
    let requests = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(PeerAddr(peer)));
        let in_flight = InFlight::new(&requests);
        let app = app.clone();
        async move {
            let response = app.oneshot(request.map(Body::new)).await;
            drop(in_flight);
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .keep_alive(true);
    let conn = http.serve_connection(io, service);
    tokio::pin!(conn);
    let tick = (settings.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let mut ticks = tokio::time::interval(tick);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            _ = shutdown.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = ticks.tick(), if !stopping => {
                if activity.idle_for().is_some_and(|idle| idle >= settings.idle_timeout) {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Replaces the TCP peer in `ConnectInfo<PeerAddr>` by the client's address when the peer
/// is a trusted proxy, so that every limit and lockout sees the client, not the proxy.
pub(crate) async fn client_address(
    State(state): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(PeerAddr(peer))) =
        request.extensions().get::<ConnectInfo<PeerAddr>>().copied()
    {
        let client: IpAddr = state.trusted.client_ip(peer.ip(), request.headers());
        let port = if client == peer.ip() { peer.port() } else { 0 };
        request
            .extensions_mut()
            .insert(ConnectInfo(PeerAddr(SocketAddr::new(client, port))));
    }
    next.run(request).await
}

/// The largest body a request may have and how long it may take to arrive: team mode's
/// snapshots have limits of their own.
fn body_limits(state: &Shared, request: &Request) -> (usize, Duration) {
    let srv = &state.config.server;
    let snapshot = request.method() == axum::http::Method::PUT
        && request.uri().path() == orgdesk_protocol::SNAPSHOT_PATH;
    if snapshot {
        (
            srv.max_snapshot_bytes,
            Duration::from_secs(srv.snapshot_timeout_secs),
        )
    } else {
        (
            srv.max_body_bytes,
            Duration::from_secs(srv.body_timeout_secs),
        )
    }
}

/// Reads the whole body before the handler runs: at most `max_body_bytes` (else 413) within
/// `body_timeout_secs` (else 408), so a slow or endless body holds nothing for long.
pub(crate) async fn bounded_body(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let (limit, timeout) = body_limits(&state, &request);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refused(&state, &request, StatusCode::PAYLOAD_TOO_LARGE, limit);
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await;
    let status = match read {
        Ok(Ok(collected)) => {
            let request = Request::from_parts(parts, Body::from(collected.to_bytes()));
            return next.run(request).await;
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        Ok(Err(_)) => StatusCode::BAD_REQUEST,
        Err(_) => StatusCode::REQUEST_TIMEOUT,
    };
    let request = Request::from_parts(parts, Body::empty());
    let mut response = refused(&state, &request, status, limit);
    // The rest of the body is not read: the connection cannot carry another request.
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// A refusal in the caller's terms: the API's JSON error, or a page.
fn refused(state: &Shared, request: &Request, status: StatusCode, limit: usize) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        let (code, text) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => (
                "request_too_large",
                format!("the request body is larger than the gateway accepts ({limit} bytes)"),
            ),
            StatusCode::REQUEST_TIMEOUT => (
                "request_timeout",
                "the request body did not arrive in time".to_owned(),
            ),
            _ => (
                "invalid_request",
                "the request body could not be read".to_owned(),
            ),
        };
        let body = orgdesk_protocol::ApiError {
            code: code.to_owned(),
            message: text,
        };
        return (status, Json(body)).into_response();
    }
    let lang: Lang = pick_lang(None, request.headers());
    let (title, body) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large_title", "too_large_body"),
        StatusCode::REQUEST_TIMEOUT => ("slow_title", "slow_body"),
        _ => ("error_title", "error_body"),
    };
    // Nothing of the request's address goes onto the page.
    message(
        state,
        lang,
        status,
        "",
        "error",
        lang.t(title),
        lang.t(body),
    )
}

/// Strict headers on every answer. Pages use no scripts, no inline styles and no frames;
/// token pages must not leak their URL through Referer; nothing personal is cached.
pub(crate) async fn security_headers(
    axum::extract::State(state): axum::extract::State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.public_url.starts_with("https://") {
        // Browsers that have seen the gateway over https never try plain http again.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

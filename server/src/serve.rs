//! Serving connections, with the limits a server on the open internet needs: a client that
//! stalls while sending its headers or its body is cut off, a request that takes too long is
//! answered 503, and the process may hold as many connections as the system allows.
//!
//! Our own accept loop rather than `axum::serve`, which has no header read timeout: HTTP/1.1
//! (what browsers and integrations speak to a server behind a proxy, or directly), with
//! graceful shutdown that lets requests in flight finish.

use app::error::AppError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// How long the server waits for clients, and for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// A client must send a request's headers within this once it starts one (or after
    /// connecting, or between requests on a kept-alive connection); then it is disconnected.
    pub header_read: Duration,
    /// A request body may pause this long between two chunks before the request fails.
    pub body_idle: Duration,
    /// A request must be answered (its status and headers) within this, or it gets a 503.
    /// Uploads of imports are exempt (they are bounded by `body_idle` and their size).
    pub request: Duration,
    /// On shutdown, how long requests in flight may take to finish before they are cut off.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: Duration::from_secs(10),
            body_idle: Duration::from_secs(30),
            request: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then waits (up to
/// `timeouts.shutdown_grace`, 30 s by default) for the
/// requests in flight. Every request carries the client's address (`ConnectInfo`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a client gone before it was accepted: the
                    // server keeps serving the connections it has and tries again.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // Timeouts and clients that hang up: theirs, not ours.
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(timeouts.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = timeouts.shutdown_grace.as_secs(),
            "requests still running when the shutdown grace ended were cut off"
        );
    }
}

/// Makes a stalled upload fail: the body must keep coming, at most `body_idle` apart.
pub(crate) async fn body_timeout(
    State(timeouts): State<Timeouts>,
    req: Request,
    next: Next,
) -> Response {
    let req = req.map(|body| Body::new(TimeoutBody::new(timeouts.body_idle, body)));
    next.run(req).await
}

/// Answers 503 when a request is not answered within `request` (a frozen database, a lock
/// held too long), instead of holding the client for as long as the cause lasts.
pub(crate) async fn deadline(
    State(timeouts): State<Timeouts>,
    req: Request,
    next: Next,
) -> Response {
    if is_upload(&req) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(timeouts.request, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, limit = ?timeouts.request, "request took too long: answered 503");
            too_slow(&path)
        }
    }
}

/// Imports: large documents whose upload alone may take longer than a request may.
fn is_upload(req: &Request) -> bool {
    req.uri().path() == "/api/v1/projects/import"
}

/// The 503 in the shape the path answers errors in (see `guard::refusal`), to retry.
fn too_slow(path: &str) -> Response {
    let err = AppError::Unavailable;
    let mut response = crate::guard::refusal(path, err.status(), err);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

/// Raises this process's open-file limit to the most the system allows (each connection
/// is a file), and logs what it is.
pub fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
}

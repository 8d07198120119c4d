//! Operations hooks: a request id on every request and answer, Prometheus metrics (on their
//! own listen address, `CADENCE_METRICS_ADDR`, never on the public one), and the log format.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header::HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id: the one a proxy in front sent (`X-Request-Id`, when it is a plain token
/// of at most 64 characters), else a new one. The log line of the request carries it, and
/// so does the answer.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn usable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| usable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let value = HeaderValue::from_str(&id).expect("a request id is a plain token");
    req.headers_mut().insert(REQUEST_ID, value.clone());
    req.extensions_mut().insert(RequestId(id));
    let mut response = next.run(req).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

/// The route pattern a request matched (`/p/{slug}/backlog`), carried out on the answer so
/// the outer [`track`] can name it: routing happens inside it.
#[derive(Clone, Debug)]
struct Route(String);

/// Inside routing (a route layer): notes the matched route on the answer.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| Route(m.as_str().to_owned()));
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Counts every request and times it until its answer starts (a stream's length is not
/// its latency), by method, route pattern and status. Requests that matched no route share
/// one label, so a scanner cannot grow the metrics without bound.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "cadence_http_requests_total",
        "method" => method.clone(), "route" => route.clone(), "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "cadence_http_request_duration_seconds",
        "method" => method, "route" => route
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// The process's metrics recorder, installed on first use (once per process).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("cadence_http_request_duration_seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed")
    })
}

/// What the metrics page reads at each scrape, besides the counters.
#[derive(Clone)]
pub struct Gauges {
    pub pool: sqlx::PgPool,
    pub hub: crate::live::Hub,
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
    pub export_limit: usize,
    pub imports: crate::Imports,
}

/// `GET /metrics` on the metrics address: Prometheus text format.
async fn metrics_page(State(gauges): State<Gauges>) -> Response {
    let handle = recorder();
    let size = gauges.pool.size() as f64;
    let idle = gauges.pool.num_idle() as f64;
    metrics::gauge!("cadence_db_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("cadence_db_connections", "state" => "idle").set(idle);
    metrics::gauge!("cadence_event_streams_open").set(gauges.hub.open_streams() as f64);
    let exporting = gauges
        .export_limit
        .saturating_sub(gauges.exports.available_permits());
    let importing =
        crate::Imports::AT_ONCE.saturating_sub(gauges.imports.running.available_permits());
    metrics::gauge!("cadence_transfers_in_progress", "kind" => "export").set(exporting as f64);
    metrics::gauge!("cadence_transfers_in_progress", "kind" => "import").set(importing as f64);
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The metrics listener's router (served apart from the application's).
pub fn metrics_router(gauges: Gauges) -> Router {
    recorder();
    Router::new()
        .route("/metrics", get(metrics_page))
        .with_state(gauges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_short_ids_from_outside_are_kept() {
        assert!(usable("0af7651916cd43dd8448eb211c80319c"));
        assert!(usable("req-1.2_3"));
        assert!(!usable(""));
        assert!(!usable(&"a".repeat(65)));
        assert!(!usable("a b"));
        assert!(!usable("a\"b"));
    }
}

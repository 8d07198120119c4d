//! Operations hooks: request ids, the metrics (counted per route, served apart), a page's
//! caching, a graceful stop that waits for a request in flight but not forever.

use crate::support::spawn;
use reqwest::StatusCode;
use sqlx::PgPool;
use tower::ServiceExt;

#[sqlx::test(migrations = "../migrations")]
async fn every_answer_carries_a_request_id_and_a_proxys_is_kept(pool: PgPool) {
    let app = spawn(pool).await;
    let anon = app.anonymous();
    let a = anon.get("/login").await;
    let b = anon.get("/login").await;
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (first, second) = (id(&a).unwrap(), id(&b).unwrap());
    assert_eq!(first.len(), 32);
    assert_ne!(first, second, "each request has its own id");
    // A page is asked for again each time; it is never cached as is.
    assert_eq!(a.headers()["cache-control"], "no-cache");

    let kept = anon
        .http
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "edge-7f3a")
        .send()
        .await
        .unwrap();
    assert_eq!(id(&kept).as_deref(), Some("edge-7f3a"));
    // Something that is not a plain short token is replaced, not echoed.
    let replaced = anon
        .http
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "a b <script>")
        .send()
        .await
        .unwrap();
    assert_eq!(id(&replaced).unwrap().len(), 32);
}

async fn scrape(pool: &PgPool, hub: &server::live::Hub) -> String {
    let gauges = server::observe::Gauges {
        pool: pool.clone(),
        hub: hub.clone(),
        exports: server::AppState::export_limit(6),
        export_limit: server::AppState::export_permits(6),
        imports: server::Imports::new(1024),
    };
    let res = server::observe::metrics_router(gauges)
        .oneshot(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

/// The count of requests on `route` with `status`, as the metrics page says.
fn count(metrics: &str, route: &str, status: u16) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("cadence_http_requests_total{"))
        .filter(|l| {
            l.contains(&format!("route=\"{route}\"")) && l.contains(&format!("status=\"{status}\""))
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

/// The pool hands out a connection it has just had back without a round trip to check it,
/// but checks one that has sat idle, and replaces it when the database has ended it.
#[sqlx::test(migrations = "../migrations")]
async fn an_idle_connection_the_database_ended_is_replaced(pool: PgPool) {
    use std::time::Duration;
    let ours = server::pool_with(
        (*pool.connect_options()).clone(),
        1,
        server::DbTimeouts::default(),
    );
    let pid: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&ours)
        .await
        .unwrap();
    // Once the pool has it back (and has checked it), the database ends it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ended: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(ended);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let again: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&ours)
        .await
        .expect("a fresh connection in place of the ended one");
    assert_ne!(again, pid);
}

#[sqlx::test(migrations = "../migrations")]
async fn requests_are_counted_by_route_pattern_and_the_pool_is_shown(pool: PgPool) {
    server::observe::recorder();
    let hub = server::live::Hub::start(pool.clone());
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("metrics@example.com", "Metrics").await;
    // Other tests in this process count too: compare before and after.
    let before = scrape(&pool, &hub).await;
    for _ in 0..3 {
        assert_eq!(owner.get(&format!("/p/{slug}/backlog")).await.status(), 200);
    }
    assert_eq!(owner.get("/no/such/page").await.status(), 404);
    let after = scrape(&pool, &hub).await;
    assert_eq!(
        count(&after, "/p/{slug}/backlog", 200) - count(&before, "/p/{slug}/backlog", 200),
        3.0,
        "{after}"
    );
    // Unknown paths share one label: a scanner cannot grow the metrics.
    assert!(count(&after, "(unmatched)", 404) >= 1.0);
    assert!(!after.contains("/no/such/page"));
    assert!(after.contains("cadence_http_request_duration_seconds_bucket{"));
    assert!(after.contains("cadence_db_connections{state=\"idle\"}"));
    assert!(after.contains("cadence_event_streams_open"));
    assert!(after.contains("cadence_transfers_in_progress{kind=\"export\"} 0"));
    // The application's own address does not serve them.
    assert_ne!(owner.get("/metrics").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stop_waits_for_a_request_in_flight_within_its_grace() {
    use std::time::{Duration, Instant};
    // A handler that takes a second, behind the server's own accept loop with a 5 s grace.
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            "finished"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let timeouts = server::serve::Timeouts {
        shutdown_grace: Duration::from_secs(5),
        ..Default::default()
    };
    let server = tokio::spawn(server::serve::serve(listener, app, timeouts, async {
        let _ = stopped.await;
    }));
    let request = tokio::spawn(async move {
        reqwest::get(format!("http://{addr}/slow"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = Instant::now();
    stop.send(()).unwrap();
    assert_eq!(
        request.await.unwrap(),
        "finished",
        "the request in flight finished"
    );
    server.await.unwrap();
    assert!(began.elapsed() < Duration::from_secs(4));

    // A request longer than the grace is cut off when the grace ends.
    let app = axum::Router::new().route(
        "/stuck",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "never"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let timeouts = server::serve::Timeouts {
        shutdown_grace: Duration::from_secs(1),
        ..Default::default()
    };
    let server = tokio::spawn(server::serve::serve(listener, app, timeouts, async {
        let _ = stopped.await;
    }));
    let _request = tokio::spawn(reqwest::get(format!("http://{addr}/stuck")));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = Instant::now();
    stop.send(()).unwrap();
    server.await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

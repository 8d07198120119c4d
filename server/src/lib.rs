//! The Cadence server: router, state, health checks, start-up and shutdown. `main.rs` only
//! parses the command line; everything here is reused by the HTTP tests.

pub mod assets;
pub mod config;
pub mod email;
pub mod guard;
pub mod hooks;
pub mod live;
pub mod observe;
pub mod rest;
pub mod serve;
pub mod theme;

use app::auth::AuthConfig;
use app::clock::Clock;
use app::{shell, App};
use axum::{
    extract::{Request, State},
    http::{Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::{postgres::PgPoolOptions, PgPool};
use std::time::Duration;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer},
    LatencyUnit,
};
use tracing::Level;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What every request's handlers share, behind one reference count: a request clones the
/// state for each extractor and layer that asks for it, and the site options alone are a
/// dozen reference-counted strings (their clones and drops were 3% of an items request).
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl From<Shared> for AppState {
    fn from(shared: Shared) -> Self {
        AppState(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl axum::extract::FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub auth: AuthConfig,
    /// The one clock every service reads (the system's, or a test's).
    pub clock: Clock,
    /// How many project exports may stream at once (each holds a database connection).
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
    /// How large an import may be, and how many run at once.
    pub imports: Imports,
    /// How long the server waits for clients and for itself (`serve`).
    pub timeouts: serve::Timeouts,
    /// This process's `LISTEN` connection and the live event streams it feeds.
    pub hub: live::Hub,
    /// Whether this process sends notification email (`CADENCE_SMTP_URL`).
    pub email: app::service::email::EmailAvailable,
}

/// Imports hold their document in memory (up to about twice its size while it is read) and
/// a database connection while they write: the body has a size limit, and only so many
/// imports run at once; one more is answered 503 with Retry-After before its body is read.
#[derive(Clone, Debug)]
pub struct Imports {
    /// The largest document accepted, in bytes (`CADENCE_IMPORT_LIMIT_MB`).
    pub max_bytes: usize,
    pub running: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Imports {
    /// How many imports may run at once: each may hold two of its documents in memory.
    pub const AT_ONCE: usize = 2;

    pub fn new(max_bytes: usize) -> Imports {
        Imports {
            max_bytes,
            running: std::sync::Arc::new(tokio::sync::Semaphore::new(Self::AT_ONCE)),
        }
    }
}

impl AppState {
    /// Exports may use a third of the pool (at least one connection).
    pub fn export_permits(pool_size: u32) -> usize {
        (pool_size / 3).max(1) as usize
    }

    pub fn export_limit(pool_size: u32) -> std::sync::Arc<tokio::sync::Semaphore> {
        std::sync::Arc::new(tokio::sync::Semaphore::new(Self::export_permits(pool_size)))
    }
}

/// The app's page routes, listed once per process.
///
/// Listing them renders the app once with every resource held back, and Leptos holds them
/// back with a flag the whole process shares (`leptos_server::SuppressResourceLoad`): a
/// resource that a page being served starts while the flag is up waits for ever, and so
/// does that page (leptos-rs/leptos#4773). A process that made a second router while
/// serving (the HTTP tests make one per test, two tests at a time) left a page unfinished
/// now and then. Listed once, before the first router serves anything, the flag is never
/// raised again.
pub fn routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application: pages, server functions, health checks, static files.
pub fn router(mut state: Shared) -> Router {
    let routes = routes();
    let pool = state.pool.clone();
    let auth = state.auth.clone();
    let clock = state.clock.clone();
    let email = state.email;
    let context = move || {
        provide_context(pool.clone());
        provide_context(auth.clone());
        provide_context(clock.clone());
        provide_context(email);
        guard::provide_request_nonce();
    };
    // A release binary carries its browser half (see `assets`): pages name its files in the
    // bundle's directory, /pkg/BUNDLE/cadence.{js,wasm,css}.
    if let Some(bundle) = assets::bundle() {
        state.leptos_options.output_name = format!("{bundle}/cadence").into();
    }
    let options = state.leptos_options.clone();
    let state = AppState::from(state);

    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/hooks/{id}", axum::routing::post(hooks::receive))
        .route("/unsubscribe", get(email::confirm).post(email::unsubscribe))
        .route("/theme", axum::routing::post(theme::choose))
        .route("/sidebar", axum::routing::post(theme::sidebar));
    let router = if assets::bundle().is_some() {
        router.route("/pkg/{bundle}/{name}", get(assets::serve))
    } else {
        router
    };
    router
        .merge(rest::routes(&state))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        // Every route so far is named in the metrics (see `observe`); what falls through is not.
        .route_layer(middleware::from_fn(observe::mark_route))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_sign_in,
        ))
        // The edge (see `guard`), innermost first: server functions' statuses, then bodies
        // and URLs, then cross-site requests; the headers go on every answer, refusals too.
        .layer(middleware::from_fn(guard::server_fn_status))
        .layer(middleware::from_fn(guard::bodies))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .layer(middleware::from_fn(guard::headers))
        // A request that takes too long is a 503; a body that stalls fails the request.
        .layer(middleware::from_fn_with_state(
            state.timeouts,
            serve::deadline,
        ))
        .layer(middleware::from_fn_with_state(
            state.timeouts,
            serve::body_timeout,
        ))
        .layer(CompressionLayer::new())
        // A panic in a handler is our bug: it is logged, and the client gets a 500 that says
        // so instead of a dropped connection.
        .layer(CatchPanicLayer::custom(panicked))
        .layer(
            // One line per request at INFO: the span names method, path and request id,
            // the event gives status and latency.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get(&observe::REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        uri = %req.uri(),
                        request_id = %id,
                    )
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                )
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        // Outermost: every request gets its id first, and is counted and timed whole.
        .layer(middleware::from_fn(observe::track))
        .layer(middleware::from_fn(observe::request_id))
        .with_state(state)
}

/// The answer to a request whose handler panicked.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = what, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "something went wrong on our side; it has been logged",
    )
        .into_response()
}

/// The start page is the project list. Pages that only make sense signed in send an
/// anonymous visitor to the sign-in page, which brings them back here afterwards. (Server functions check the caller themselves.)
async fn require_sign_in(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Whoever asks who is calling during this request (this check, the extractors, every
    // server function a page calls) shares one look-up.
    let caller = app::auth::RequestCaller::for_path(req.uri().path());
    req.extensions_mut().insert(caller);
    let path = req.uri().path();
    if req.method() == Method::GET && path == "/" {
        return Redirect::to("/projects").into_response();
    }
    let protected = req.method() == Method::GET
        && (path == "/projects" || path == "/account" || path.starts_with("/p/"));
    if protected {
        match app::auth::caller_of(&state.pool, req.headers(), req.extensions(), &state.clock).await
        {
            Ok(Some(_)) => {}
            // A database failure is left to the page, which says what went wrong.
            Err(e) if e != app::error::AppError::Unauthorized => {}
            _ => {
                let target = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = format!("/login?next={}", app::words::urlencode(target));
                return Redirect::to(&to).into_response();
            }
        }
    }
    next.run(req).await
}

/// The process is alive and serving.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers. 503 while it does not; the pool reconnects by itself.
async fn readyz(State(pool): State<PgPool>) -> (StatusCode, &'static str) {
    let ping = tokio::time::timeout(Duration::from_secs(2), app::service::ready(&pool));
    match ping.await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer within 2 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// How long one statement may run, and wait for a lock, on the pool's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbTimeouts {
    pub statement: Duration,
    pub lock: Duration,
}

impl Default for DbTimeouts {
    fn default() -> Self {
        DbTimeouts {
            statement: Duration::from_secs(30),
            lock: Duration::from_secs(10),
        }
    }
}

/// A pool that does not connect until first used, so the server starts (and reports
/// not-ready) while the database is away, and recovers when it returns. Every connection
/// has a statement and a lock timeout, so a frozen database or a lock held too long ends
/// in a 503 instead of holding the request.
pub fn lazy_pool(
    database_url: &str,
    max_connections: u32,
    timeouts: DbTimeouts,
) -> Result<PgPool, sqlx::Error> {
    Ok(pool_with(database_url.parse()?, max_connections, timeouts))
}

/// [`lazy_pool`] for connect options already read (tests build pools on their database).
pub fn pool_with(
    options: sqlx::postgres::PgConnectOptions,
    max_connections: u32,
    timeouts: DbTimeouts,
) -> PgPool {
    let options = options.options([
        (
            "statement_timeout",
            format!("{}ms", timeouts.statement.as_millis()),
        ),
        ("lock_timeout", format!("{}ms", timeouts.lock.as_millis())),
        // Every statement is prepared once per connection and then run with the plan made
        // for any parameters. Left to choose, PostgreSQL kept planning the backlog's page
        // query afresh for each request (3 ms of planning for 0.7 ms of work), because a
        // plan for known parameters looks cheaper than one for any.
        ("plan_cache_mode", "force_generic_plan".to_owned()),
        // A random read costs about what a sequential one does once the data is cached or on
        // an SSD (PostgreSQL's default of 4 is for spinning disks). With 4, the planner read
        // all 200 epics' roll-ups (two pages) for each epic on a page rather than look one up
        // by its key: a third of the page statement's time.
        ("random_page_cost", "1.1".to_owned()),
    ]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx checks a connection with a round trip to the database each time it is taken
        // from the pool (and again, unconditionally, when it is put back): two of the items
        // endpoint's six round trips. One that was put back less than a second ago, and
        // checked then, is taken as it is; one idle for longer (the database may have
        // restarted, or ended it) is still checked, and replaced if it does not answer.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                use sqlx::Connection;
                Ok(meta.idle_for < Duration::from_secs(1) || conn.ping().await.is_ok())
            })
        })
        .connect_lazy_with(options)
}

/// Applies the embedded migrations, retrying for a while if the database is still starting.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut attempt = 1;
    loop {
        match MIGRATOR.run(pool).await {
            Err(sqlx::migrate::MigrateError::Execute(e))
                if attempt < 10 && is_connect_error(&e) =>
            {
                tracing::warn!(attempt, error = %e, "database not reachable yet; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_connect_error(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_)
    )
}

/// Resolves on Ctrl-C or SIGTERM; the server then stops accepting and lets requests finish.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_is_answered_with_a_500_not_a_dropped_connection() {
        let app: Router = Router::new()
            .route(
                "/boom",
                get(|| async {
                    let numbers: Vec<u8> = Vec::new();
                    numbers
                        .iter()
                        .map(|n| n.to_string())
                        .next()
                        .expect("a bug of ours")
                }),
            )
            .layer(CatchPanicLayer::custom(panicked));
        let res = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("it has been logged"));
    }
}

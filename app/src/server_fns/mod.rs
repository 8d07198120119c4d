//! Server functions (the browser's endpoints under `/api/fn`), grouped by aggregate. Each is
//! a public HTTP endpoint and one call into `service`, which checks who is calling and
//! whether they may; the types they exchange are in `model`. The JSON API (`/api/v1`) is
//! `server/src/rest`, over the same services.

pub mod accounts;
pub mod comments;
pub mod hooks;
pub mod items;
pub mod parking_lot;
pub mod poker;
pub mod projects;
pub mod reflection;
pub mod sprints;
pub mod standup;

// Every project-scoped server function must also be listed in the authorization table in
// `server/tests/http/authz.rs`; that test fails when a registered function is missing from it.

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::auth::{self, AuthConfig, Caller};
    use crate::clock::Clock;
    use crate::error::AppError;
    use leptos::prelude::*;
    use sqlx::PgPool;
    use uuid::Uuid;

    /// The pool provided by the server for every request (`leptos_routes_with_context`).
    pub fn pool() -> Result<PgPool, AppError> {
        use_context::<PgPool>()
            .ok_or_else(|| AppError::broken("no database pool in the request context"))
    }

    /// Who is calling (session cookie or API token), resolved from the request once for all
    /// the server functions a page calls while it renders.
    pub async fn caller() -> Result<Option<Caller>, AppError> {
        let pool = pool()?;
        let parts = use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::broken("no request in the server function's context"))?;
        auth::caller_of(
            &pool,
            &parts.headers,
            &parts.extensions,
            &use_context::<Clock>().unwrap_or_default(),
        )
        .await
    }

    pub fn auth_config() -> AuthConfig {
        use_context::<AuthConfig>().unwrap_or_default()
    }

    /// The client's address, for throttling failed log-ins.
    pub fn client_addr() -> String {
        let parts = use_context::<http::request::Parts>();
        let peer = parts.as_ref().and_then(|p| {
            p.extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0)
        });
        let headers = parts.map(|p| p.headers).unwrap_or_default();
        auth::client_addr(&headers, peer, auth_config().trust_proxy)
    }

    /// Starts a session for the account, sets its cookie and sends the browser on.
    pub async fn sign_in_as(
        pool: &PgPool,
        user_id: Uuid,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        let config = auth_config();
        let secret = auth::start_session(pool, user_id, &config).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&auth::session_cookie(&secret, &config))
                .map_err(|e| AppError::internal("session cookie not a header value", e))?,
        );
        leptos_axum::redirect(&crate::domain::account::safe_next(next));
        Ok(())
    }

    /// One server function's work, given the request's pool and caller; a failure gets its
    /// real HTTP status (see [`finish`]). Every server function that needs nothing more from
    /// the request is this one line around a service call.
    pub async fn serve<T>(
        work: impl AsyncFnOnce(PgPool, Option<Caller>) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        finish(
            async {
                let pool = pool()?;
                let caller = caller().await?;
                work(pool, caller).await
            }
            .await,
        )
    }

    /// Gives a failed call its real HTTP status. Only a call of the function itself: a page
    /// rendered on the server calls the same function for its data and shows the error in
    /// the page, whose status must not depend on whether that data arrived before the
    /// page's headers went out. A plain HTML form post (JavaScript off) is left alone too:
    /// Leptos answers it with a redirect back to the page, carrying the error.
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(err) = &result {
            let parts = use_context::<http::request::Parts>();
            let called = parts
                .as_ref()
                .is_some_and(|p| p.uri.path().starts_with("/api/fn/"));
            let form_post = parts
                .and_then(|parts| {
                    parts
                        .headers
                        .get(http::header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.contains("text/html"))
                })
                .unwrap_or(false);
            if called && !form_post {
                if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                    response.set_status(err.status());
                    if let Some(seconds) = err.retry_after() {
                        response.insert_header(
                            http::header::RETRY_AFTER,
                            http::HeaderValue::from(seconds),
                        );
                    }
                }
            }
        }
        result
    }
}

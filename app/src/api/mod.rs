//! Server functions, grouped by aggregate. Each is a public HTTP endpoint and reads like a
//! sentence: who is calling, may they, do it, return a DTO. SQL lives in `db`, rules in
//! `domain`.

pub mod parking_lot;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use leptos::prelude::*;
    use sqlx::PgPool;

    /// The pool provided by the server for every request (`leptos_routes_with_context`).
    pub fn pool() -> Result<PgPool, AppError> {
        use_context::<PgPool>().ok_or_else(|| {
            tracing::error!("no database pool in the request context");
            AppError::Internal
        })
    }

    /// Gives a failed call its real HTTP status. A plain HTML form post (JavaScript off) is
    /// left alone: Leptos answers it with a redirect back to the page, carrying the error.
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(err) = &result {
            let form_post = use_context::<http::request::Parts>()
                .and_then(|parts| {
                    parts
                        .headers
                        .get(http::header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.contains("text/html"))
                })
                .unwrap_or(false);
            if !form_post {
                if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                    response.set_status(err.status());
                }
            }
        }
        result
    }
}

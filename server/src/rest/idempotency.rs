//! `Idempotency-Key` on the API's creating requests (see `app::service::idempotency`): the
//! first answer is kept for a day and given again to a retry with the same key and request.

use super::error::ApiError;
use crate::AppState;
use app::error::AppError;
use app::service::idempotency::{self, Begun};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Creating requests carry small JSON bodies; imports (large documents) are not covered.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The answers kept are items, sprints, projects: small.
const ANSWER_LIMIT: usize = 4 * 1024 * 1024;

pub(super) async fn remembered(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(key) = req.headers().get(idempotency::HEADER).cloned() else {
        return next.run(req).await;
    };
    if req.method() != Method::POST || req.uri().path() == "/api/v1/projects/import" {
        return next.run(req).await;
    }
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return ApiError(AppError::validation(
            "Idempotency-Key",
            "a key is visible ASCII characters, such as a UUID",
        ))
        .into_response();
    };
    let caller = match app::auth::caller_of(
        &state.pool,
        req.headers(),
        req.extensions(),
        &state.clock,
    )
    .await
    {
        Ok(Some(caller)) => caller,
        // The handler answers who may call it.
        Ok(None) => return next.run(req).await,
        Err(e) => return ApiError(e).into_response(),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return ApiError(AppError::Request(
            "the body could not be read, or is larger than 2 MB".into(),
        ))
        .into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let begun = idempotency::begin(
        &state.pool,
        &caller,
        &key,
        parts.method.as_str(),
        &path,
        &bytes,
    )
    .await;
    match begun {
        Err(e) => ApiError(e).into_response(),
        Ok(Begun::Replay {
            status,
            content_type,
            body,
        }) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
            if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(Begun::Fresh) => {
            // Run to the end even if the client hangs up: the answer is kept for its retry.
            let request = Request::from_parts(parts, Body::from(bytes));
            let work = tokio::spawn(async move {
                let response = next.run(request).await;
                let (parts, body) = response.into_parts();
                let answer = to_bytes(body, ANSWER_LIMIT).await;
                let kept = match &answer {
                    Ok(bytes) => {
                        let content_type = parts
                            .headers
                            .get(header::CONTENT_TYPE)
                            .and_then(|v| v.to_str().ok());
                        idempotency::finish(
                            &state.pool,
                            &caller,
                            &key,
                            parts.status.as_u16(),
                            content_type,
                            bytes,
                        )
                        .await
                    }
                    Err(_) => idempotency::finish(&state.pool, &caller, &key, 500, None, b"").await,
                };
                if let Err(e) = kept {
                    tracing::warn!(error = %e, "an idempotent answer could not be kept");
                }
                match answer {
                    Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
                    Err(e) => {
                        ApiError(AppError::internal("reading an answer to keep", e)).into_response()
                    }
                }
            });
            work.await.unwrap_or_else(|e| {
                ApiError(AppError::internal("an idempotent request's task failed", e))
                    .into_response()
            })
        }
    }
}

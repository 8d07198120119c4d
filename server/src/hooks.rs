//! `POST /hooks/{id}`: where a project's CI and code host deliver their webhooks (see
//! `app::service::hooks`). Outside the JSON API: no session or token, the delivery proves
//! itself with its integration's secret. Answered with `{"outcome": …}` or the API's error
//! shape.

use crate::rest::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The largest delivery accepted (the edge answers 413 beyond it, before reading it).
pub const LIMIT: usize = app::service::hooks::MAX_BODY;

/// Where deliveries are sent.
pub const PREFIX: &str = "/hooks/";

pub async fn receive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match app::service::hooks::deliver(&state.pool, &state.clock, &id, &headers, &body).await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
            (
                status,
                Json(serde_json::json!({ "outcome": answer.outcome })),
            )
                .into_response()
        }
        Err(err) => ApiError(err).into_response(),
    }
}

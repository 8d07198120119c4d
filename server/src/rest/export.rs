//! The whole project as one JSON document (streamed), and importing one as a new project.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::ApiCaller;
use crate::AppState;
use app::error::AppError;
use app::model::export::{ExportDoc, Imported};
use app::service::export;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The project as one versioned JSON document, streamed from the database.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/export", tag = "export",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = ExportDoc), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 503, body = ErrorBody,
               description = "As many exports as the server allows are running (Retry-After)")))]
pub async fn export_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let mut chunks = export::export(&state.pool, caller.as_ref(), &slug, &state.exports).await?;
    // A stream over the channel that keeps answering "finished" once it has finished: the
    // compression layer polls the body again after its end, which an `unfold` stream
    // answers with a panic (and a cut-off download in every browser).
    let stream = futures_util::stream::poll_fn(move |cx| {
        chunks.poll_recv(cx).map(|next| {
            next.map(|chunk| {
                chunk
                    .map(Bytes::from)
                    .map_err(|e| std::io::Error::other(e.to_string()))
            })
        })
    });
    let disposition = format!("attachment; filename=\"{slug}.cadence.json\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// Creates a new project (the caller owns it) from an exported document. A malformed or
/// wrong-version document is refused, naming what is wrong, and nothing is created.
#[utoipa::path(post, path = "/api/v1/projects/import", tag = "export",
    request_body = ExportDoc,
    responses((status = 201, body = Imported), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Imported>)> {
    app::service::signed_in(caller.as_ref())?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
        });
    if !json {
        return Err(ApiError(AppError::Request(
            "send the document with Content-Type: application/json".into(),
        )));
    }
    let body = body.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    let doc = export::parse_document(&body)?;
    let imported = export::import(&state.pool, caller.as_ref(), &doc).await?;
    Ok((StatusCode::CREATED, Json(imported)))
}

//! The whole project as one JSON document (streamed), and importing one as a new project.

use super::error::{ApiError, ErrorBody};
use super::extract::ApiCaller;
use crate::AppState;
use app::error::AppError;
use app::model::export::{ExportDoc, Imported};
use app::service::export;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;

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
/// wrong-version document is refused, naming what is wrong, and nothing is created. People
/// the document lists as members are invited: they join when they accept.
#[utoipa::path(post, path = "/api/v1/projects/import", tag = "export",
    request_body = ExportDoc,
    responses((status = 201, body = Imported), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody,
               description = "Larger than the server's import limit (CADENCE_IMPORT_LIMIT_MB)"),
              (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody,
               description = "As many imports as the server allows are running (Retry-After)")))]
pub async fn import_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Imported>), Response> {
    let refuse = |e: AppError| ApiError(e).into_response();
    app::service::signed_in(caller.as_ref()).map_err(refuse)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
        });
    if !json {
        return Err(refuse(AppError::Request(
            "send the document with Content-Type: application/json".into(),
        )));
    }
    // Before a byte of the document is read: only so many imports hold one at once.
    let _running = state
        .imports
        .running
        .clone()
        .try_acquire_owned()
        .map_err(|_| refuse(AppError::Busy))?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = read_document(body, declared, state.imports.max_bytes).await?;
    let imported = export::import(&state.pool, caller.as_ref(), &bytes)
        .await
        .map_err(refuse)?;
    Ok((StatusCode::CREATED, Json(imported)))
}

/// Reads the body into one buffer of its declared size (so it is held once, not as chunks
/// and then a copy), refusing it with 413 as soon as it is known to pass `limit`.
async fn read_document(
    body: Body,
    declared: Option<u64>,
    limit: usize,
) -> Result<Vec<u8>, Response> {
    let too_large = || {
        let size = if limit >= 1024 * 1024 {
            format!("{} MB", limit / (1024 * 1024))
        } else {
            format!("{} kB", limit / 1024)
        };
        let mut answer = ApiError(AppError::Request(format!(
            "the document is larger than this server's import limit of {size}: \
             ask its administrator to raise CADENCE_IMPORT_LIMIT_MB"
        )))
        .into_response();
        *answer.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        answer
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut document = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError(AppError::Request(format!("the upload broke off: {e}"))).into_response()
        })?;
        if document.len() + chunk.len() > limit {
            return Err(too_large());
        }
        document.extend_from_slice(&chunk);
    }
    Ok(document)
}

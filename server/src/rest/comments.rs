//! Comments on items: the thread, adding, editing one's own, deleting.

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::model::comments::{Comment, CommentInput, Thread};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// An item's comments, oldest first (deleted ones keep their place, without their text).
/// Mentions read as `@email`; `body_html` shows them as names.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/items/{number}/comments", tag = "comments",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    responses((status = 200, body = Thread), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(
        app::service::comments::thread(&state.pool, caller.as_ref(), &slug, number).await?,
    ))
}

/// Adds a comment (markdown, at most 64 KB; `@email` of a member mentions them).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items/{number}/comments", tag = "comments",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    request_body = CommentInput,
    responses((status = 201, body = Comment), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    Body(input): Body<CommentInput>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let comment =
        app::service::comments::add(&state.pool, caller.as_ref(), &slug, number, &input.body)
            .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Edits one's own comment.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/items/{number}/comments/{id}",
    tag = "comments",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number"),
           ("id" = i64, Path, description = "The comment's id")),
    request_body = CommentInput,
    responses((status = 200, body = Comment), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn edit_comment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number, id)): Path<(String, i32, i64)>,
    Body(input): Body<CommentInput>,
) -> ApiResult<Json<Comment>> {
    Ok(Json(
        app::service::comments::edit(&state.pool, caller.as_ref(), &slug, number, id, &input.body)
            .await?,
    ))
}

/// Deletes a comment's text (its author, an owner or a scrum master); "comment deleted"
/// stays in its place.
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/items/{number}/comments/{id}",
    tag = "comments",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number"),
           ("id" = i64, Path, description = "The comment's id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number, id)): Path<(String, i32, i64)>,
) -> ApiResult<StatusCode> {
    app::service::comments::delete(&state.pool, caller.as_ref(), &slug, number, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

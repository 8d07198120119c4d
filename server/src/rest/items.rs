//! Backlog items: listing, creating, reading, editing (with a stale-version answer),
//! trashing and moving.

use super::error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::error::AppError;
use app::model::items::{
    BulkDone, BulkEdit, ChildrenChoice, Item, ItemDetail, ItemPage, ItemPatch, ItemQuery, MoveTo,
    NewItem,
};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Items in rank order, filtered like the backlog page, a page at a time.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/items", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"), ItemQuery),
    responses((status = 200, body = ItemPage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_items(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    query: Result<Query<ItemQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ItemPage>> {
    let Query(query) = query.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    Ok(Json(
        app::service::items::list_filtered(&state.pool, caller.as_ref(), &slug, &query, false)
            .await?,
    ))
}

/// Creates an item at the bottom (or top) of the backlog.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = NewItem,
    responses((status = 201, body = Item), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<NewItem>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let item = app::service::items::create(&state.pool, caller.as_ref(), &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One item with its children (for epics) and its history.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    responses((status = 200, body = ItemDetail), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
) -> ApiResult<Json<ItemDetail>> {
    Ok(Json(
        app::service::items::detail(&state.pool, caller.as_ref(), &slug, number).await?,
    ))
}

/// The answer to an edit made against an old version: the error and the item as it is now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StaleItem {
    pub error: ErrorDetail,
    pub current: Item,
}

/// Changes an item. `version` must be the one the caller saw: a stale one gets 409 with
/// the current item, and nothing is changed.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    request_body = ItemPatch,
    responses((status = 200, body = Item), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = StaleItem),
              (status = 422, body = ErrorBody)))]
pub async fn patch_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    Body(patch): Body<ItemPatch>,
) -> Result<Json<Item>, Response> {
    use app::service::items;
    match items::update(&state.pool, caller.as_ref(), &slug, number, &patch).await {
        Ok(item) => Ok(Json(item)),
        Err(AppError::Conflict(message)) => {
            let current = items::detail(&state.pool, caller.as_ref(), &slug, number)
                .await
                .map_err(|e| ApiError(e).into_response())?
                .item;
            let body = StaleItem {
                error: ErrorDetail {
                    code: "conflict".into(),
                    message,
                    fields: BTreeMap::new(),
                },
                current,
            };
            Err((StatusCode::CONFLICT, Json(body)).into_response())
        }
        Err(e) => Err(ApiError(e).into_response()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteParams {
    /// For an epic with children: `delete` them too or `detach` them.
    pub children: Option<ChildrenChoice>,
}

/// Moves an item to the trash (an epic with children needs `children`).
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number"), DeleteParams),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    params: Result<Query<DeleteParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<StatusCode> {
    let Query(params) = params.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    app::service::items::delete(&state.pool, caller.as_ref(), &slug, number, params.children)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Several changes to items at once (the backlog's bulk bar), applied in order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkRequest {
    pub edits: Vec<BulkEdit>,
}

/// Makes changes to several items in one transaction, all or nothing: each item's history
/// records its own change, and a refusal names every item that refused. The reply carries
/// the edits that undo it (send them back as `edits` to undo). At most 200 items; committing
/// to an increment (`{"increment": id}`) or taking items out (`{"uncommit": id}`) needs the
/// planning role.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items/bulk", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = BulkRequest,
    responses((status = 200, body = BulkDone), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<BulkRequest>,
) -> ApiResult<Json<BulkDone>> {
    Ok(Json(
        app::service::items::bulk(&state.pool, caller.as_ref(), &slug, &input.edits).await?,
    ))
}

/// Moves an item before or after another, or to the top or bottom.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items/{number}/move", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    request_body = MoveTo,
    responses((status = 200, body = Item), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn move_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    Body(to): Body<MoveTo>,
) -> ApiResult<Json<Item>> {
    Ok(Json(
        app::service::items::move_to(&state.pool, caller.as_ref(), &slug, number, &to).await?,
    ))
}

//! Sprints, increments, planning commitments and the reports behind the charts.

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::domain::burndown::Report;
use app::model::sprints::{
    Closing, Commitment, ForecastReport, Increment, IncrementPatch, IncrementReport, NewSprint,
    Sprint, SprintPatch, VelocityReport,
};
use app::service::sprints;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/projects/{slug}/sprints", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = Vec<Sprint>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_sprints(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<Sprint>>> {
    Ok(Json(
        sprints::list(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Creates a sprint; its increments are generated to tile it (the last may be shorter).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/sprints", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = NewSprint,
    responses((status = 201, body = Sprint), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_sprint(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<NewSprint>,
) -> ApiResult<(StatusCode, Json<Sprint>)> {
    let sprint = sprints::create(&state.pool, caller.as_ref(), &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(sprint)))
}

#[utoipa::path(patch, path = "/api/v1/projects/{slug}/sprints/{id}", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The sprint's id")),
    request_body = SprintPatch,
    responses((status = 200, body = Sprint), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_sprint(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
    Body(patch): Body<SprintPatch>,
) -> ApiResult<Json<Sprint>> {
    Ok(Json(
        sprints::rename(&state.pool, caller.as_ref(), &slug, id, &patch).await?,
    ))
}

/// Every increment of the project, by start date.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/increments", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = Vec<Increment>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_increments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<Increment>>> {
    let mut all: Vec<Increment> = sprints::list(&state.pool, caller.as_ref(), &slug)
        .await?
        .into_iter()
        .flat_map(|s| s.increments)
        .collect();
    all.sort_by_key(|i| (i.starts_on, i.id));
    Ok(Json(all))
}

/// An increment, its items, and its report (frozen once closed).
#[utoipa::path(get, path = "/api/v1/projects/{slug}/increments/{id}", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    responses((status = 200, body = IncrementReport), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_increment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
) -> ApiResult<Json<IncrementReport>> {
    Ok(Json(
        sprints::report(&state.pool, caller.as_ref(), &slug, id).await?,
    ))
}

/// New dates for an increment that is not closed; they may not overlap another.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/increments/{id}", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    request_body = IncrementPatch,
    responses((status = 200, body = Increment), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn patch_increment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
    Body(patch): Body<IncrementPatch>,
) -> ApiResult<Json<Increment>> {
    Ok(Json(
        sprints::edit_increment(&state.pool, caller.as_ref(), &slug, id, &patch).await?,
    ))
}

/// Commits items (by number) to the increment.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/increments/{id}/items", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    request_body = Commitment,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn commit_items(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
    Body(items): Body<Commitment>,
) -> ApiResult<StatusCode> {
    sprints::commit(&state.pool, caller.as_ref(), &slug, id, &items).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an item out of the increment, back to the backlog.
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/increments/{id}/items/{number}",
    tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id"),
           ("number" = i32, Path, description = "The item's number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn uncommit_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id, number)): Path<(String, i64, i32)>,
) -> ApiResult<StatusCode> {
    let items = Commitment {
        items: vec![number],
    };
    sprints::uncommit(&state.pool, caller.as_ref(), &slug, id, &items).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a planned increment and records its commitment.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/increments/{id}/start", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    responses((status = 200, body = Increment), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn start_increment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
) -> ApiResult<Json<Increment>> {
    Ok(Json(
        sprints::start(&state.pool, caller.as_ref(), &slug, id).await?,
    ))
}

/// Closes the active increment: freezes its report and carries unfinished items to the
/// next planned increment or the top of the backlog.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/increments/{id}/close", tag = "sprints",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    request_body = Closing,
    responses((status = 200, body = IncrementReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn close_increment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
    Body(closing): Body<Closing>,
) -> ApiResult<Json<IncrementReport>> {
    Ok(Json(
        sprints::close(&state.pool, caller.as_ref(), &slug, id, &closing).await?,
    ))
}

/// The numbers behind an increment's burndown chart.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Burndown {
    pub increment: Increment,
    /// Closed increments' numbers are frozen; the active one's run up to today.
    pub frozen: bool,
    /// Every business day of the increment (the chart's x axis).
    pub business_days: Vec<NaiveDate>,
    /// Absent until the increment starts.
    pub report: Option<Report>,
}

#[utoipa::path(get, path = "/api/v1/projects/{slug}/increments/{id}/burndown", tag = "reports",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("id" = i64, Path, description = "The increment's id")),
    responses((status = 200, body = Burndown), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn burndown(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
) -> ApiResult<Json<Burndown>> {
    let found = sprints::report(&state.pool, caller.as_ref(), &slug, id).await?;
    Ok(Json(Burndown {
        increment: found.increment,
        frozen: found.frozen,
        business_days: found.business_days,
        report: found.report,
    }))
}

/// Per closed increment: committed, added, removed and completed points and the velocity;
/// plus the team velocity over the project's window.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/reports/velocity", tag = "reports",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = VelocityReport), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn velocity(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<VelocityReport>> {
    Ok(Json(
        sprints::velocity(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Remaining points ÷ team velocity → a date, for the backlog and each open epic.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/reports/forecast", tag = "reports",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = ForecastReport), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn forecast(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<ForecastReport>> {
    Ok(Json(
        sprints::forecast(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

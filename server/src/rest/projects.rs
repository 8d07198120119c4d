//! Projects: the caller's list, creating one, one project with its settings, and replacing
//! the settings.

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::model::projects::{ProjectInfo, ProjectSettings, ProjectSummary};
use app::service::projects;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewProject {
    pub name: String,
}

/// The caller's projects, each with their role on it.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    responses((status = 200, body = Vec<ProjectSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_projects(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<ProjectSummary>>> {
    Ok(Json(projects::mine(&state.pool, caller.as_ref()).await?))
}

/// Creates a project; the caller becomes its owner. The slug is derived from the name.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectSummary), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Body(input): Body<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectSummary>)> {
    let created = projects::create(&state.pool, caller.as_ref(), &input.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A project with its settings.
#[utoipa::path(get, path = "/api/v1/projects/{slug}", tag = "projects",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = ProjectInfo), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<ProjectInfo>> {
    Ok(Json(
        projects::detail(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Replaces the project's settings as a whole (owners and scrum masters).
#[utoipa::path(put, path = "/api/v1/projects/{slug}/settings", tag = "projects",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = ProjectSettings,
    responses((status = 200, body = ProjectSettings), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<ProjectSettings>,
) -> ApiResult<Json<ProjectSettings>> {
    Ok(Json(
        projects::update_settings(&state.pool, caller.as_ref(), &slug, &input).await?,
    ))
}

/// `GET /projects/import` is the project whose slug is "import".
pub async fn get_project_named_import(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<ProjectInfo>> {
    Ok(Json(
        projects::detail(&state.pool, caller.as_ref(), "import").await?,
    ))
}

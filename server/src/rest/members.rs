//! A project's members and their roles.

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::model::projects::Member;
use app::service::projects;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewMember {
    pub email: String,
    /// owner, scrum_master, member or viewer.
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberChange {
    /// owner, scrum_master, member or viewer.
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/projects/{slug}/members", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = Vec<Member>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<Member>>> {
    Ok(Json(
        projects::members(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Adds an existing account to the project (owners).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/members", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = NewMember,
    responses((status = 201, body = Member), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<NewMember>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let member = projects::add_member(
        &state.pool,
        caller.as_ref(),
        &slug,
        &input.email,
        &input.role,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// Changes a member's role (owners). The last owner cannot be demoted.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/members/{email}", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("email" = String, Path, description = "The member's email")),
    request_body = MemberChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, email)): Path<(String, String)>,
    Body(input): Body<MemberChange>,
) -> ApiResult<StatusCode> {
    projects::set_member_role(&state.pool, caller.as_ref(), &slug, &email, &input.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owners). The last owner cannot be removed.
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/members/{email}", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("email" = String, Path, description = "The member's email")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, email)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    projects::remove_member(&state.pool, caller.as_ref(), &slug, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

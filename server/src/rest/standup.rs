//! The stand-up summary for a day.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiCaller, Path};
use crate::AppState;
use app::model::standup::Standup;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StandupParams {
    /// `YYYY-MM-DD`; today when absent.
    pub date: Option<String>,
}

/// The stand-up summary for a day: per member, the previous business day's work (from the
/// history), items in progress, blockers and notes.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/standup", tag = "reports",
    params(("slug" = String, Path, description = "The project's URL name"), StandupParams),
    responses((status = 200, body = Standup), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn standup(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    params: Result<Query<StandupParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Standup>> {
    let Query(params) =
        params.map_err(|e| ApiError(app::error::AppError::Request(e.body_text())))?;
    Ok(Json(
        app::service::standup::standup(&state.pool, caller.as_ref(), &slug, params.date.as_deref())
            .await?,
    ))
}

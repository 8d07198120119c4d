//! The account making the request.

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiCaller;
use app::model::accounts::Account;
use axum::Json;

/// The account making the request.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Account), (status = 401, body = ErrorBody)))]
pub async fn me(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Account>> {
    let caller = app::service::signed_in(caller.as_ref())?;
    let account = app::service::accounts::me(&state.pool, Some(caller))
        .await?
        .ok_or(app::error::AppError::Unauthorized)?;
    Ok(Json(account))
}

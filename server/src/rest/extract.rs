//! Extractors shared by the handlers: the caller and a JSON body whose rejections are
//! answered in the API's error shape.

use super::error::{ApiError, ApiResult};
use crate::AppState;
use app::auth::Caller;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Json;

/// The caller, from `Authorization: Bearer` or the session cookie; anonymous is `None` and
/// each operation decides (every one here needs a caller).
pub struct ApiCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        Ok(ApiCaller(
            app::auth::resolve(&state.pool, &parts.headers, &state.clock).await?,
        ))
    }
}

/// A JSON body whose rejections are answered in the API's error shape: malformed JSON is
/// 400, well-formed JSON of the wrong shape is 422 naming the problem.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError(AppError::validation("body", e.body_text())))
            }
            Err(e) => Err(ApiError(AppError::Request(e.body_text()))),
        }
    }
}

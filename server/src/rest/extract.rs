//! Extractors shared by the handlers: the caller and a JSON body whose rejections are
//! answered in the API's error shape.

use super::error::{error_answer, ApiError, ApiResult};
use crate::AppState;
use app::auth::Caller;
use app::error::AppError;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

/// The caller, from `Authorization: Bearer` or the session cookie; anonymous is `None` and
/// each operation decides (every one here needs a caller).
pub struct ApiCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        Ok(ApiCaller(
            app::auth::caller_of(&state.pool, &parts.headers, &parts.extensions, &state.clock)
                .await?,
        ))
    }
}

/// A JSON body whose rejections are answered in the API's error shape: malformed JSON is
/// 400, well-formed JSON of the wrong shape is 422 naming the problem, a body that is not
/// JSON 415, one over the limit 413.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError(AppError::validation("body", e.body_text())).into_response())
            }
            Err(e) => Err(error_answer(e.status(), AppError::Request(e.body_text()))),
        }
    }
}

/// The URL's parameters, whose rejection (`/items/seven`) is answered in the API's shape,
/// naming the part that is wrong.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let names = RawPathParams::from_request_parts(parts, state).await.ok();
                let name = |index: usize| {
                    names
                        .as_ref()
                        .and_then(|n| n.iter().nth(index).map(|(k, _)| k.to_owned()))
                        .unwrap_or_else(|| "part".to_owned())
                };
                let message = match e.kind() {
                    ErrorKind::ParseErrorAtIndex {
                        index,
                        value,
                        expected_type,
                    } => url_part_message(&name(*index), value, expected_type),
                    ErrorKind::ParseErrorAtKey {
                        key,
                        value,
                        expected_type,
                    } => url_part_message(key, value, expected_type),
                    ErrorKind::ParseError {
                        value,
                        expected_type,
                    } => url_part_message(&name(0), value, expected_type),
                    _ => e.body_text(),
                };
                Err(ApiError(AppError::Request(message)))
            }
            Err(e) => Err(ApiError(AppError::Request(e.body_text()))),
        }
    }
}

fn url_part_message(name: &str, value: &str, expected_type: &str) -> String {
    let number = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize",
    ]
    .contains(&expected_type);
    if number {
        format!("the URL's {name} must be a whole number, not `{value}`")
    } else {
        format!("the URL's {name} `{value}` is not valid")
    }
}

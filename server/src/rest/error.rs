//! The API's error shape: every failure is answered as [`ErrorBody`] with the status of the
//! underlying [`AppError`].

use app::error::AppError;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `{ "error": { "code": …, "message": …, "fields": {…} } }`
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// not_found, unauthorized, forbidden, validation, conflict, too_many_requests,
    /// bad_request, busy, unavailable, method_not_allowed, payload_too_large,
    /// unsupported_media_type or internal.
    pub code: String,
    pub message: String,
    /// For validation errors: the message for each field that is wrong.
    pub fields: BTreeMap<String, String>,
}

pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let code = match &err {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden | AppError::Refused(_) => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Busy => "busy",
            AppError::Unavailable | AppError::Contended => "unavailable",
            AppError::Internal => "internal",
            AppError::Request(_) => "bad_request",
        };
        let (message, fields) = match &err {
            AppError::Validation(f) => ("some fields are not valid".to_owned(), f.0.clone()),
            AppError::Request(m) => (m.clone(), BTreeMap::new()),
            other => (other.to_string(), BTreeMap::new()),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                fields,
            },
        };
        let mut response = (err.status(), Json(body)).into_response();
        if err == AppError::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(seconds) = err.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// `err` in the API's shape, answered with `status`: the error's own, or one it has no
/// variant for (413, 415). The edge's refusals (`crate::guard`) are answered with it.
pub fn error_answer(status: StatusCode, err: AppError) -> Response {
    if status == err.status() {
        return ApiError(err).into_response();
    }
    let message = match err {
        AppError::Request(m) => m,
        other => other.to_string(),
    };
    answer_with_code(status, code_of_status(status), message)
}

/// The code of an answer whose status is all there is to go by.
fn code_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Every error the API answers is in its shape, including those axum makes before a handler
/// runs (a URL part of the wrong type, a method the route does not have, a body over the
/// limit): their text becomes the message, and their headers (`Allow`) stay.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let response = next.run(req).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        // axum adds the `Allow` header after every layer of a route has run.
        format!("this URL does not take {method}: its Allow header lists the methods it takes")
    } else if text.is_empty() {
        let reason = status.canonical_reason().unwrap_or("error");
        reason.to_lowercase()
    } else {
        text
    };
    let mut answer = answer_with_code(status, code_of_status(status), message);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

fn answer_with_code(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
            fields: BTreeMap::new(),
        },
    };
    (status, Json(body)).into_response()
}

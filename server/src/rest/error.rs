//! The API's error shape: every failure is answered as [`ErrorBody`] with the status of the
//! underlying [`AppError`].

use app::error::AppError;
use axum::http::header;
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
    /// bad_request or internal.
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
            AppError::Forbidden => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Busy => "busy",
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
        if matches!(err, AppError::Busy | AppError::TooManyRequests) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

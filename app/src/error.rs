//! The one error type of the application. It crosses the wire from server functions to
//! the browser, so it carries only what the user may see: database text is logged on the
//! server and replaced by an opaque `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Validation messages by field name, so a form can show each next to its input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn one(field: &str, message: impl fmt::Display) -> Self {
        let mut map = BTreeMap::new();
        map.insert(field.to_owned(), message.to_string());
        FieldErrors(map)
    }

    pub fn add(&mut self, field: &str, message: impl fmt::Display) {
        self.0.insert(field.to_owned(), message.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("please sign in")]
    Unauthorized,
    #[error("you are not allowed to do that")]
    Forbidden,
    #[error("{0}")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts: wait a minute and try again")]
    TooManyRequests,
    /// Work the server limits (a project export) is already running as often as it may.
    #[error("the server is busy with other exports: try again in a minute")]
    Busy,
    #[error("something went wrong on our side; it has been logged")]
    Internal,
    /// The request never reached the function or its answer could not be read
    /// (network down, malformed arguments).
    #[error("the request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    pub fn validation(field: &str, message: impl fmt::Display) -> Self {
        AppError::Validation(FieldErrors::one(field, message))
    }

    /// Our own fault: logs what went wrong with its cause, and answers the opaque 500 (the
    /// cause may describe internals, so it never leaves the server).
    pub fn internal(what: &str, cause: impl fmt::Display) -> Self {
        tracing::error!(cause = %cause, "{what}");
        AppError::Internal
    }

    /// Our own fault with no underlying error: an invariant that did not hold.
    pub fn broken(what: &str) -> Self {
        tracing::error!("{what}");
        AppError::Internal
    }

    /// The message for one form field, when this is a validation error about it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors.get(field).map(str::to_owned),
            _ => None,
        }
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotFound => S::NOT_FOUND,
            AppError::Unauthorized => S::UNAUTHORIZED,
            AppError::Forbidden => S::FORBIDDEN,
            AppError::Validation(_) => S::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::TooManyRequests => S::TOO_MANY_REQUESTS,
            AppError::Busy => S::SERVICE_UNAVAILABLE,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
            AppError::Request(_) => S::BAD_REQUEST,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Text from the server side is never shown: it may describe internals.
            ServerFnErrorErr::ServerError(_) | ServerFnErrorErr::MiddlewareError(_) => {
                AppError::Internal
            }
            other => AppError::Request(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// A unique or check constraint the user's input broke, as a message for the field it is
/// about: `(constraint, field, message)`. Any other failure is ours (logged, a 500).
#[cfg(feature = "ssr")]
pub fn from_constraint(err: sqlx::Error, known: &[(&str, &str, &str)]) -> AppError {
    let broken = err.as_database_error().and_then(|d| d.constraint());
    match known.iter().find(|(name, _, _)| Some(*name) == broken) {
        Some((_, field, message)) => AppError::validation(field, message),
        None => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_json_with_their_fields() {
        let err = AppError::validation("title", "a title is required");
        let json = serde_json::to_string(&err).unwrap();
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back.field("title").as_deref(), Some("a title is required"));
        assert_eq!(back.status(), http::StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn server_side_text_is_not_passed_on() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation \"secret_table\" does not exist".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("secret_table"));
    }
}

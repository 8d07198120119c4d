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

/// On the wire `{"code": "validation", "detail": {"title": "…"}}` (serialized by serde's
/// adjacent tagging; read back by hand, see the `Deserialize` below).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("please sign in")]
    Unauthorized,
    #[error("you are not allowed to do that")]
    Forbidden,
    /// Not allowed, for a reason the caller can act on (the message says what to do).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts: wait a minute and try again")]
    TooManyRequests,
    /// Work the server limits (a project export) is already running as often as it may.
    #[error("the server is busy with other exports or imports: try again in a minute")]
    Busy,
    /// The database is unreachable, every connection is taken, or the work waited too long
    /// for a lock: nothing was changed, and the same request can simply be sent again.
    #[error("the server is too busy to answer right now: try again in a moment")]
    Unavailable,
    /// The transaction lost a race with another (a serialization failure or a deadlock the
    /// database broke): the service runs it again a few times before answering this 503.
    #[error("the server is too busy to answer right now: try again in a moment")]
    Contended,
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

    /// For a refusal that is about timing, when to try again (the `Retry-After` seconds).
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            AppError::Busy | AppError::TooManyRequests => Some(60),
            AppError::Unavailable | AppError::Contended => Some(2),
            _ => None,
        }
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotFound => S::NOT_FOUND,
            AppError::Unauthorized => S::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused(_) => S::FORBIDDEN,
            AppError::Validation(_) => S::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::TooManyRequests => S::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::Unavailable | AppError::Contended => S::SERVICE_UNAVAILABLE,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
            AppError::Request(_) => S::BAD_REQUEST,
        }
    }
}

// Read by hand rather than derived: serde's reader for an adjacently tagged enum buffers
// and matches every shape, several kilobytes of the browser's first download for a type
// whose details are only ever a text or a map of texts.
impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            code: String,
            #[serde(default)]
            detail: Option<Detail>,
        }
        enum Detail {
            Text(String),
            Fields(BTreeMap<String, String>),
        }
        impl<'de> Deserialize<'de> for Detail {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Detail;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a text or a map of texts")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Detail, E> {
                        Ok(Detail::Text(v.to_owned()))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Detail, A::Error> {
                        let mut fields = BTreeMap::new();
                        while let Some((k, v)) = map.next_entry::<String, String>()? {
                            fields.insert(k, v);
                        }
                        Ok(Detail::Fields(fields))
                    }
                }
                d.deserialize_any(V)
            }
        }
        let wire = Wire::deserialize(d)?;
        let (text, fields) = match wire.detail {
            Some(Detail::Text(t)) => (t, BTreeMap::new()),
            Some(Detail::Fields(f)) => (String::new(), f),
            None => (String::new(), BTreeMap::new()),
        };
        Ok(match wire.code.as_str() {
            "not_found" => AppError::NotFound,
            "unauthorized" => AppError::Unauthorized,
            "forbidden" => AppError::Forbidden,
            "refused" => AppError::Refused(text),
            "validation" => AppError::Validation(FieldErrors(fields)),
            "conflict" => AppError::Conflict(text),
            "too_many_requests" => AppError::TooManyRequests,
            "busy" => AppError::Busy,
            "unavailable" => AppError::Unavailable,
            "contended" => AppError::Contended,
            "request" => AppError::Request(text),
            _ => AppError::Internal,
        })
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
            ref e if is_retryable(e) => {
                tracing::info!(error = %e, "transaction lost a race; it may be run again");
                AppError::Contended
            }
            // A NUL character (or other text PostgreSQL cannot store) that got past the
            // edge's check (`server/src/guard.rs`), as in an import: the user's input.
            ref e if is_unstorable_text(e) => {
                tracing::info!(error = %e, "text the database cannot store");
                AppError::validation(
                    "text",
                    "text cannot contain the NUL character (\\0): remove it and try again",
                )
            }
            ref e if is_transient(e) => {
                tracing::warn!(error = %e, "database busy or unreachable: answering 503");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// A failure that says nothing about the request: no connection to be had (the pool is
/// exhausted or the database is away), or the transaction lost a race it may win when tried
/// again (serialization failure, deadlock, lock or statement timeout). These are 503s.
#[cfg(feature = "ssr")]
pub fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(d) => matches!(
            d.code().as_deref(),
            // serialization_failure, deadlock_detected, lock_not_available, query_canceled
            // (statement_timeout), admin/crash shutdown, cannot_connect_now
            Some("40001" | "40P01" | "55P03" | "57014" | "57P01" | "57P02" | "57P03")
        ),
        _ => false,
    }
}

/// Text the database cannot store: character_not_in_repertoire (a NUL byte, "invalid byte
/// sequence for encoding UTF8: 0x00") or untranslatable_character.
#[cfg(feature = "ssr")]
fn is_unstorable_text(err: &sqlx::Error) -> bool {
    matches!(
        err.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("22021" | "22P05")
    )
}

/// Whether a failed attempt may succeed when the whole transaction is run again (a
/// serialization failure or a deadlock the database broke by aborting us).
#[cfg(feature = "ssr")]
pub fn is_retryable(err: &sqlx::Error) -> bool {
    matches!(
        err.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("40001" | "40P01")
    )
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
    fn every_error_reads_back_as_it_was_sent() {
        let all = [
            AppError::NotFound,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::Refused("archived".into()),
            AppError::validation("title", "a title is required"),
            AppError::Conflict("changed meanwhile".into()),
            AppError::TooManyRequests,
            AppError::Busy,
            AppError::Unavailable,
            AppError::Contended,
            AppError::Internal,
            AppError::Request("offline".into()),
        ];
        for err in &all {
            let json = serde_json::to_string(err).unwrap();
            let back: AppError = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, err, "{json}");
        }
        // No wildcard: a new variant stops this compiling until it is in the list above
        // and in the reader.
        for err in &all {
            match err {
                AppError::NotFound
                | AppError::Unauthorized
                | AppError::Forbidden
                | AppError::Refused(_)
                | AppError::Validation(_)
                | AppError::Conflict(_)
                | AppError::TooManyRequests
                | AppError::Busy
                | AppError::Unavailable
                | AppError::Contended
                | AppError::Internal
                | AppError::Request(_) => {}
            }
        }
        let odd: AppError = serde_json::from_str(r#"{"code":"from_the_future"}"#).unwrap();
        assert_eq!(odd, AppError::Internal);
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

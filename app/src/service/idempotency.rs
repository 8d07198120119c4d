//! Safe retries for the JSON API's creating requests. A client (or an integration) that
//! sends `Idempotency-Key: <anything unique>` with a POST and then loses the answer (a reset
//! connection, a timeout) sends the same request with the same key again: the first answer
//! comes back instead of a second copy being made. Keys are per account and kept a day.

use crate::auth::Caller;
use crate::db::idempotency as db;
use crate::error::AppError;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// The header's name.
pub const HEADER: &str = "idempotency-key";
/// The longest key accepted.
pub const KEY_MAX_CHARS: usize = 255;

/// How a request with a key goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// The key is new: run the request, then [`finish`] with its answer.
    Fresh,
    /// The same request was answered before: send this answer again.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
}

fn request_hash(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", body] {
        hash.update(part);
    }
    hash.finalize().to_vec()
}

/// Checks the key and claims it for this request, or finds the answer it already had.
pub async fn begin(
    pool: &PgPool,
    caller: &Caller,
    key: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Begun, AppError> {
    let usable =
        !key.is_empty() && key.len() <= KEY_MAX_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
    if !usable {
        return Err(AppError::validation(
            "Idempotency-Key",
            format!("a key is 1 to {KEY_MAX_CHARS} visible ASCII characters, such as a UUID"),
        ));
    }
    let hash = request_hash(method, path, body);
    if db::claim(pool, caller.id, key, &hash).await? {
        return Ok(Begun::Fresh);
    }
    match db::find(pool, caller.id, key).await? {
        Some(row) if row.request_hash != hash => Err(AppError::validation(
            "Idempotency-Key",
            "this key was used with a different request in the last day: use a new key for a new request",
        )),
        Some(db::KeyRow {
            status: Some(status),
            content_type,
            body,
            ..
        }) => Ok(Begun::Replay {
            status: u16::try_from(status).unwrap_or(500),
            content_type,
            body: body.unwrap_or_default(),
        }),
        // Still running, or freed a moment ago by a failure: the client tries again.
        _ => Err(AppError::Conflict(
            "a request with this Idempotency-Key is still being processed: try again in a moment"
                .into(),
        )),
    }
}

/// Keeps the answer to a fresh request for its retries. A failure on our side (5xx) frees
/// the key instead, so a retry runs the request again.
pub async fn finish(
    pool: &PgPool,
    caller: &Caller,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), AppError> {
    if status >= 500 {
        db::release(pool, caller.id, key).await?;
    } else {
        let status = i16::try_from(status).map_err(|e| AppError::internal("status", e))?;
        db::store(pool, caller.id, key, status, content_type, body).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_tells_requests_apart_by_method_path_and_body() {
        let a = request_hash("POST", "/api/v1/projects", b"{\"name\":\"A\"}");
        assert_eq!(
            a,
            request_hash("POST", "/api/v1/projects", b"{\"name\":\"A\"}")
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/projects", b"{\"name\":\"B\"}")
        );
        assert_ne!(
            a,
            request_hash("PUT", "/api/v1/projects", b"{\"name\":\"A\"}")
        );
        assert_ne!(
            a,
            request_hash("POST", "/api/v1/project", b"s{\"name\":\"A\"}")
        );
    }
}

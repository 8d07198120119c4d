//! Idempotency keys of the JSON API (see `service::idempotency`).

use sqlx::PgPool;
use uuid::Uuid;

/// A key already used by the account within the last day.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub request_hash: Vec<u8>,
    /// None while the first request is still running.
    pub status: Option<i16>,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
}

/// Claims the key for a new request: true when it was free (never used, or used more
/// than a day ago). Keys older than a day are forgotten on the way.
#[tracing::instrument(skip(pool, request_hash), err(level = "debug"))]
pub async fn claim(
    pool: &PgPool,
    account_id: Uuid,
    key: &str,
    request_hash: &[u8],
) -> Result<bool, sqlx::Error> {
    sqlx::query!(
        "delete from idempotency_key where account_id = $1 and created_at < now() - interval '1 day'",
        account_id
    )
    .execute(pool)
    .await?;
    let claimed = sqlx::query_scalar!(
        r#"insert into idempotency_key (account_id, key, request_hash) values ($1, $2, $3)
           on conflict (account_id, key) do nothing
           returning true as "claimed!""#,
        account_id,
        key,
        request_hash
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.is_some())
}

/// What is stored for a key that was already claimed.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn find(
    pool: &PgPool,
    account_id: Uuid,
    key: &str,
) -> Result<Option<KeyRow>, sqlx::Error> {
    sqlx::query_as!(
        KeyRow,
        r#"select request_hash, status, content_type, body from idempotency_key
           where account_id = $1 and key = $2"#,
        account_id,
        key
    )
    .fetch_optional(pool)
    .await
}

/// Keeps the first answer, to give again on a retry.
#[tracing::instrument(skip(pool, body), err(level = "debug"))]
pub async fn store(
    pool: &PgPool,
    account_id: Uuid,
    key: &str,
    status: i16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update idempotency_key set status = $3, content_type = $4, body = $5
           where account_id = $1 and key = $2"#,
        account_id,
        key,
        status,
        content_type,
        body
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Frees the key: the request failed on our side (or never finished), so a retry runs it.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn release(pool: &PgPool, account_id: Uuid, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from idempotency_key where account_id = $1 and key = $2 and status is null",
        account_id,
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

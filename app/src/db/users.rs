//! Accounts, browser sessions, API tokens and failed log-ins.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(skip(pool, password_hash), err)]
pub async fn insert(
    pool: &PgPool,
    email: &str,
    email_normalized: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<UserRow, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"insert into app_user (id, email, email_normalized, display_name, password_hash)
           values ($1, $2, $3, $4, $5)
           returning id, email, display_name, created_at"#,
        Uuid::now_v7(),
        email,
        email_normalized,
        display_name,
        password_hash,
    )
    .fetch_one(pool)
    .await
}

/// The account and its password hash, for signing in.
#[tracing::instrument(skip(pool), err)]
pub async fn find_with_hash(
    pool: &PgPool,
    email_normalized: &str,
) -> Result<Option<(UserRow, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select id, email, display_name, created_at, password_hash
           from app_user where email_normalized = $1"#,
        email_normalized,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            UserRow {
                id: r.id,
                email: r.email,
                display_name: r.display_name,
                created_at: r.created_at,
            },
            r.password_hash,
        )
    }))
}

#[tracing::instrument(skip(pool), err)]
pub async fn find_by_email(
    pool: &PgPool,
    email_normalized: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"select id, email, display_name, created_at from app_user
           where email_normalized = $1"#,
        email_normalized,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip(pool), err)]
pub async fn password_hash(pool: &PgPool, user_id: Uuid) -> Result<String, sqlx::Error> {
    let row = sqlx::query!("select password_hash from app_user where id = $1", user_id)
        .fetch_one(pool)
        .await?;
    Ok(row.password_hash)
}

#[tracing::instrument(skip(pool, password_hash), err)]
pub async fn set_password(
    pool: &PgPool,
    user_id: Uuid,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set password_hash = $2 where id = $1",
        user_id,
        password_hash
    )
    .execute(pool)
    .await?;
    Ok(())
}

// --- sessions -------------------------------------------------------------------------

#[tracing::instrument(skip(pool, token_hash), err)]
pub async fn create_session(
    pool: &PgPool,
    token_hash: &[u8],
    user_id: Uuid,
    days: i64,
) -> Result<(), sqlx::Error> {
    // Expired sessions are swept here rather than by a timer: sign-ins are frequent enough.
    sqlx::query!("delete from user_session where expires_at < now()")
        .execute(pool)
        .await?;
    sqlx::query!(
        r#"insert into user_session (token_hash, user_id, expires_at)
           values ($1, $2, now() + make_interval(days => $3))"#,
        token_hash,
        user_id,
        i32::try_from(days).unwrap_or(i32::MAX),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The account behind a live session.
#[tracing::instrument(skip(pool, token_hash), err)]
pub async fn session_user(
    pool: &PgPool,
    token_hash: &[u8],
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"select u.id, u.email, u.display_name, u.created_at
           from user_session s join app_user u on u.id = s.user_id
           where s.token_hash = $1 and s.expires_at > now()"#,
        token_hash,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip(pool, token_hash), err)]
pub async fn delete_session(pool: &PgPool, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from user_session where token_hash = $1", token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Signs the account out everywhere except (optionally) the session making the change.
#[tracing::instrument(skip(pool, keep), err)]
pub async fn delete_other_sessions(
    pool: &PgPool,
    user_id: Uuid,
    keep: Option<&[u8]>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "delete from user_session where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
        user_id,
        keep,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

// --- API tokens -----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip(pool, token_hash), err)]
pub async fn create_token(
    pool: &PgPool,
    user_id: Uuid,
    name: &str,
    token_hash: &[u8],
    prefix: &str,
) -> Result<TokenRow, sqlx::Error> {
    sqlx::query_as!(
        TokenRow,
        r#"insert into api_token (id, user_id, name, token_hash, prefix)
           values ($1, $2, $3, $4, $5)
           returning id, name, prefix, created_at, last_used_at"#,
        Uuid::now_v7(),
        user_id,
        name,
        token_hash,
        prefix,
    )
    .fetch_one(pool)
    .await
}

#[tracing::instrument(skip(pool), err)]
pub async fn tokens(pool: &PgPool, user_id: Uuid) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as!(
        TokenRow,
        r#"select id, name, prefix, created_at, last_used_at from api_token
           where user_id = $1 order by created_at desc, id desc"#,
        user_id,
    )
    .fetch_all(pool)
    .await
}

/// Whether a token of this user was revoked (false: no such token of theirs).
#[tracing::instrument(skip(pool), err)]
pub async fn revoke_token(pool: &PgPool, user_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "delete from api_token where id = $1 and user_id = $2",
        id,
        user_id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The account behind an API token, noting when the token was last used.
#[tracing::instrument(skip(pool, token_hash), err)]
pub async fn token_user(pool: &PgPool, token_hash: &[u8]) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"with used as (
               update api_token set last_used_at = now() where token_hash = $1
               returning user_id
           )
           select u.id, u.email, u.display_name, u.created_at
           from used join app_user u on u.id = used.user_id"#,
        token_hash,
    )
    .fetch_optional(pool)
    .await
}

// --- failed log-ins -------------------------------------------------------------------

/// Failed log-ins in the last `window_secs` for this account and for this client address.
#[tracing::instrument(skip(pool), err)]
pub async fn recent_failures(
    pool: &PgPool,
    email_normalized: &str,
    client_addr: &str,
    window_secs: f64,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"select
             (select count(*) from login_failure
               where email_normalized = $1 and at > now() - make_interval(secs => $3)) as "by_email!",
             (select count(*) from login_failure
               where client_addr = $2 and at > now() - make_interval(secs => $3)) as "by_addr!""#,
        email_normalized,
        client_addr,
        window_secs,
    )
    .fetch_one(pool)
    .await?;
    Ok((row.by_email, row.by_addr))
}

#[tracing::instrument(skip(pool), err)]
pub async fn record_failure(
    pool: &PgPool,
    email_normalized: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_failure where at < now() - interval '1 hour'")
        .execute(pool)
        .await?;
    sqlx::query!(
        "insert into login_failure (email_normalized, client_addr) values ($1, $2)",
        email_normalized,
        client_addr,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A successful sign-in forgives the account's earlier failures (not the address's).
#[tracing::instrument(skip(pool), err)]
pub async fn clear_failures(pool: &PgPool, email_normalized: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from login_failure where email_normalized = $1",
        email_normalized
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn user(pool: &PgPool) -> UserRow {
        insert(
            pool,
            "ada@example.com",
            "ada@example.com",
            "Ada",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
        )
        .await
        .unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_session_stops_working_when_it_expires(pool: PgPool) {
        let ada = user(&pool).await;
        let hash = [7u8; 32];
        create_session(&pool, &hash, ada.id, 1).await.unwrap();
        assert_eq!(session_user(&pool, &hash).await.unwrap(), Some(ada.clone()));
        sqlx::query(
            "update user_session set created_at = now() - interval '2 days',
                                     expires_at = now() - interval '1 second'",
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(session_user(&pool, &hash).await.unwrap(), None);
        // The next sign-in sweeps it away.
        create_session(&pool, &[8u8; 32], ada.id, 1).await.unwrap();
        let left: i64 = sqlx::query_scalar("select count(*) from user_session")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn failures_are_counted_in_the_window_per_account_and_address(pool: PgPool) {
        record_failure(&pool, "ada@example.com", "10.0.0.1")
            .await
            .unwrap();
        record_failure(&pool, "ada@example.com", "10.0.0.2")
            .await
            .unwrap();
        record_failure(&pool, "bob@example.com", "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(
            recent_failures(&pool, "ada@example.com", "10.0.0.1", 60.0)
                .await
                .unwrap(),
            (2, 2)
        );
        sqlx::query("update login_failure set at = now() - interval '2 minutes'")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            recent_failures(&pool, "ada@example.com", "10.0.0.1", 60.0)
                .await
                .unwrap(),
            (0, 0)
        );
    }
}

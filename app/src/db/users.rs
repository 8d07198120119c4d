//! Accounts, browser sessions, API tokens and throttled attempts (password guesses,
//! registrations).

use super::projects::{Membership, ProjectRow};
use crate::domain::Role;
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

#[tracing::instrument(skip(pool, password_hash), err(level = "debug"))]
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
#[tracing::instrument(skip(pool), err(level = "debug"))]
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

#[tracing::instrument(skip(pool), err(level = "debug"))]
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

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn password_hash(pool: &PgPool, user_id: Uuid) -> Result<String, sqlx::Error> {
    let row = sqlx::query!("select password_hash from app_user where id = $1", user_id)
        .fetch_one(pool)
        .await?;
    Ok(row.password_hash)
}

/// What a password change revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedOut {
    pub sessions: u64,
    pub tokens: u64,
}

/// Sets a new password hash and, in the same transaction, signs the account out everywhere
/// (except the session `keep`, the one making the change) and revokes all its API tokens:
/// whoever may have learnt the old password may also have made a token with it.
#[tracing::instrument(skip(pool, password_hash, keep), err(level = "debug"))]
pub async fn replace_password(
    pool: &PgPool,
    user_id: Uuid,
    password_hash: &str,
    keep: Option<&[u8]>,
) -> Result<SignedOut, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "update app_user set password_hash = $2 where id = $1",
        user_id,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    let sessions = sqlx::query!(
        "delete from user_session where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
        user_id,
        keep,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let tokens = sqlx::query!("delete from api_token where user_id = $1", user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(SignedOut { sessions, tokens })
}

// --- sessions -------------------------------------------------------------------------

#[tracing::instrument(skip(pool, token_hash), err(level = "debug"))]
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
#[tracing::instrument(skip(pool, token_hash), err(level = "debug"))]
pub async fn session_user(
    pool: &PgPool,
    token_hash: &[u8],
) -> Result<Option<UserRow>, sqlx::Error> {
    Ok(caller(pool, Credential::Session(token_hash), None)
        .await?
        .map(|(user, _)| user))
}

#[tracing::instrument(skip(pool, token_hash), err(level = "debug"))]
pub async fn delete_session(pool: &PgPool, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from user_session where token_hash = $1", token_hash)
        .execute(pool)
        .await?;
    Ok(())
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

#[tracing::instrument(skip(pool, token_hash), err(level = "debug"))]
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

#[tracing::instrument(skip(pool), err(level = "debug"))]
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
#[tracing::instrument(skip(pool), err(level = "debug"))]
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

/// The account behind an API token, noting when the token was last used (see [`caller`]).
#[tracing::instrument(skip(pool, token_hash), err(level = "debug"))]
pub async fn token_user(pool: &PgPool, token_hash: &[u8]) -> Result<Option<UserRow>, sqlx::Error> {
    Ok(caller(pool, Credential::Token(token_hash), None)
        .await?
        .map(|(user, _)| user))
}

/// What a request shows to say who it is: the SHA-256 of its session cookie or API token.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    Session(&'a [u8]),
    Token(&'a [u8]),
}

/// The account behind a session or an API token and, when the request is about a project
/// (`slug`), their membership of it: one statement for what every project page and API call
/// needs first. A token's last use is noted to the minute, so a busy integration does not
/// write a row on every request (the write happens only when the last note is a minute
/// old, in the same statement).
#[tracing::instrument(skip(pool, credential), err(level = "debug"))]
pub async fn caller(
    pool: &PgPool,
    credential: Credential<'_>,
    slug: Option<&str>,
) -> Result<Option<(UserRow, Option<Membership>)>, sqlx::Error> {
    let (session, token) = match credential {
        Credential::Session(hash) => (Some(hash), None),
        Credential::Token(hash) => (None, Some(hash)),
    };
    let row = sqlx::query!(
        r#"with token as (
               select id, user_id, last_used_at from api_token
               where $2::bytea is not null and token_hash = $2
           ), used as (
               update api_token t set last_used_at = now()
               from token
               where t.id = token.id
                 and (token.last_used_at is null
                      or token.last_used_at < now() - interval '1 minute')
           ), who as (
               select user_id from token
               union all
               select user_id from user_session
               where $1::bytea is not null and token_hash = $1 and expires_at > now()
           )
           select u.id, u.email, u.display_name, u.created_at,
                  p.id as "project_id?", p.slug as "slug?", p.name as "project_name?",
                  p.archived_at, p.working_days as "working_days?",
                  p.velocity_window as "velocity_window?",
                  p.created_at as "project_created_at?", m.role as "role?: Role",
                  array(select e.points from effort_chart_entry e
                        where e.project_id = p.id order by e.points) as "points!",
                  array(select e.label from effort_chart_entry e
                        where e.project_id = p.id order by e.points) as "labels!",
                  coalesce((select t.last_event from project_tally t where t.project_id = p.id),
                           0) as "latest_change!"
           from who join app_user u on u.id = who.user_id
           left join project p on p.slug = $3
           left join project_member m on m.project_id = p.id and m.user_id = u.id
           limit 1"#,
        session,
        token,
        slug,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        let membership = match (
            r.project_id,
            r.slug,
            r.project_name,
            r.working_days,
            r.velocity_window,
            r.project_created_at,
            r.role,
        ) {
            (
                Some(id),
                Some(slug),
                Some(name),
                Some(working_days),
                Some(velocity_window),
                Some(created_at),
                Some(role),
            ) => Some(Membership {
                project: ProjectRow {
                    id,
                    slug,
                    name,
                    archived_at: r.archived_at,
                    working_days,
                    velocity_window,
                    created_at,
                },
                role,
                chart: r.points.into_iter().zip(r.labels).collect(),
                latest_change: r.latest_change,
            }),
            _ => None,
        };
        let user = UserRow {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            created_at: r.created_at,
        };
        (user, membership)
    }))
}

// --- throttled attempts ---------------------------------------------------------------

/// Password attempts still counted against a client (failed, or still being checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordAttempts {
    /// For this account from this address, in the short window.
    pub pair: i64,
    /// From this address for any account, in the short window.
    pub address: i64,
    /// For this account from any address, in the long window.
    pub account: i64,
}

/// Counts the password attempts for `account` and from `client_addr` and, if `allow` says
/// so, records a new one, all in one transaction that holds advisory locks on the account
/// and on the address: concurrent attempts are counted one after another, so a burst cannot
/// get past the limit. Returns the new attempt's id, or `None` when `allow` refused.
///
/// The locks are taken account first, then address, always in that order (no deadlock).
#[tracing::instrument(skip(pool, allow), err(level = "debug"))]
pub async fn reserve_password_attempt(
    pool: &PgPool,
    account: &str,
    client_addr: &str,
    short_window_secs: f64,
    long_window_secs: f64,
    allow: impl FnOnce(&PasswordAttempts) -> bool,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"select pg_advisory_xact_lock(hashtextextended('cadence.password.account:' || $1, 0)),
                  pg_advisory_xact_lock(hashtextextended('cadence.password.address:' || $2, 0))"#,
        account,
        client_addr,
    )
    .fetch_one(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"select
             count(*) filter (where account = $1 and client_addr = $2
                                and at > now() - make_interval(secs => $3)) as "pair!",
             count(*) filter (where client_addr = $2
                                and at > now() - make_interval(secs => $3)) as "address!",
             count(*) filter (where account = $1
                                and at > now() - make_interval(secs => $4)) as "account!"
           from auth_attempt
           where kind = 'password' and (account = $1 or client_addr = $2)
             and at > now() - make_interval(secs => greatest($3, $4))"#,
        account,
        client_addr,
        short_window_secs,
        long_window_secs,
    )
    .fetch_one(&mut *tx)
    .await?;
    let counts = PasswordAttempts {
        pair: row.pair,
        address: row.address,
        account: row.account,
    };
    if !allow(&counts) {
        return Ok(None);
    }
    prune_attempts(&mut tx).await?;
    let id = sqlx::query_scalar!(
        r#"insert into auth_attempt (kind, account, client_addr) values ('password', $1, $2)
           returning id"#,
        account,
        client_addr,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// A password was right: forgives this address's attempts for the account (other
/// addresses' attempts still count towards the account's ceiling).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn forgive_password_attempts(
    pool: &PgPool,
    account: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"delete from auth_attempt
           where kind = 'password' and account = $1 and client_addr = $2"#,
        account,
        client_addr,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Like [`reserve_password_attempt`] for registrations from `client_addr`: records one if
/// fewer than `limit` were made in the last `window_secs`. Whether the registration then
/// succeeds does not matter; each one counts.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn reserve_registration(
    pool: &PgPool,
    client_addr: &str,
    window_secs: f64,
    limit: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('cadence.register.address:' || $1, 0))",
        client_addr,
    )
    .fetch_one(&mut *tx)
    .await?;
    let recent = sqlx::query_scalar!(
        r#"select count(*) as "n!" from auth_attempt
           where kind = 'register' and client_addr = $1
             and at > now() - make_interval(secs => $2)"#,
        client_addr,
        window_secs,
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent >= limit {
        return Ok(false);
    }
    prune_attempts(&mut tx).await?;
    sqlx::query!(
        "insert into auth_attempt (kind, client_addr) values ('register', $1)",
        client_addr,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Attempts older than the longest window (an hour) are swept as new ones arrive.
async fn prune_attempts(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from auth_attempt where at < now() - interval '1 hour'")
        .execute(tx)
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

    /// A token's last use is written at most once a minute: a busy integration reads its
    /// account without writing a row each time.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_tokens_last_use_is_noted_at_most_once_a_minute(pool: PgPool) {
        let ada = user(&pool).await;
        let hash = [9u8; 32];
        create_token(&pool, ada.id, "ci", &hash, "cad_0000")
            .await
            .unwrap();
        let last_used = || async {
            sqlx::query_scalar::<_, Option<DateTime<Utc>>>("select last_used_at from api_token")
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        assert_eq!(last_used().await, None);
        assert_eq!(token_user(&pool, &hash).await.unwrap(), Some(ada.clone()));
        let first = last_used().await.expect("the first use is noted");
        // Thirty seconds later: still the same note.
        sqlx::query("update api_token set last_used_at = last_used_at - interval '30 seconds'")
            .execute(&pool)
            .await
            .unwrap();
        let moved = last_used().await.unwrap();
        assert_eq!(token_user(&pool, &hash).await.unwrap(), Some(ada.clone()));
        assert_eq!(last_used().await, Some(moved));
        assert!(moved < first);
        // Over a minute later: noted again.
        sqlx::query("update api_token set last_used_at = last_used_at - interval '31 seconds'")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(token_user(&pool, &hash).await.unwrap(), Some(ada.clone()));
        assert!(last_used().await.unwrap() >= first);
        // A wrong token is nobody, and notes nothing.
        assert_eq!(token_user(&pool, &[1u8; 32]).await.unwrap(), None);
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

    /// Allows everything; the counts it saw are returned through `seen`.
    async fn reserve(pool: &PgPool, account: &str, addr: &str) -> PasswordAttempts {
        let mut seen = None;
        reserve_password_attempt(pool, account, addr, 60.0, 900.0, |c| {
            seen = Some(*c);
            true
        })
        .await
        .unwrap()
        .expect("allowed");
        seen.unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn attempts_are_counted_per_pair_address_and_account(pool: PgPool) {
        reserve(&pool, "ada@example.com", "10.0.0.1").await;
        reserve(&pool, "ada@example.com", "10.0.0.2").await;
        reserve(&pool, "bob@example.com", "10.0.0.1").await;
        // Counted before the new one is recorded.
        let seen = reserve(&pool, "ada@example.com", "10.0.0.1").await;
        assert_eq!(
            seen,
            PasswordAttempts {
                pair: 1,
                address: 2,
                account: 2
            }
        );
        // Two minutes on, the short windows are empty; the account's long one is not.
        sqlx::query("update auth_attempt set at = now() - interval '2 minutes'")
            .execute(&pool)
            .await
            .unwrap();
        let seen = reserve(&pool, "ada@example.com", "10.0.0.1").await;
        assert_eq!(
            seen,
            PasswordAttempts {
                pair: 0,
                address: 0,
                account: 3
            }
        );
        // A right password forgives that address's attempts for the account, no others.
        forgive_password_attempts(&pool, "ada@example.com", "10.0.0.1")
            .await
            .unwrap();
        let seen = reserve(&pool, "ada@example.com", "10.0.0.3").await;
        assert_eq!(seen.account, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_refused_attempt_is_not_recorded(pool: PgPool) {
        let got =
            reserve_password_attempt(&pool, "ada@example.com", "10.0.0.1", 60.0, 900.0, |_| false)
                .await
                .unwrap();
        assert_eq!(got, None);
        let rows: i64 = sqlx::query_scalar("select count(*) from auth_attempt")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn registrations_are_limited_per_address(pool: PgPool) {
        for _ in 0..3 {
            assert!(reserve_registration(&pool, "10.0.0.1", 3600.0, 3)
                .await
                .unwrap());
        }
        assert!(!reserve_registration(&pool, "10.0.0.1", 3600.0, 3)
            .await
            .unwrap());
        assert!(reserve_registration(&pool, "10.0.0.2", 3600.0, 3)
            .await
            .unwrap());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_new_password_revokes_sessions_and_tokens_but_the_kept_session(pool: PgPool) {
        let ada = user(&pool).await;
        create_session(&pool, &[1u8; 32], ada.id, 1).await.unwrap();
        create_session(&pool, &[2u8; 32], ada.id, 1).await.unwrap();
        create_token(&pool, ada.id, "CI", &[3u8; 32], "cad_0000")
            .await
            .unwrap();
        let out = replace_password(&pool, ada.id, "$argon2id$new", Some(&[1u8; 32][..]))
            .await
            .unwrap();
        assert_eq!(
            out,
            SignedOut {
                sessions: 1,
                tokens: 1
            }
        );
        assert!(session_user(&pool, &[1u8; 32]).await.unwrap().is_some());
        assert!(session_user(&pool, &[2u8; 32]).await.unwrap().is_none());
        assert!(token_user(&pool, &[3u8; 32]).await.unwrap().is_none());
        assert_eq!(password_hash(&pool, ada.id).await.unwrap(), "$argon2id$new");
    }
}

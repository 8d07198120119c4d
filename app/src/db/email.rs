//! Notification email: each person's muted kinds, the notifications waiting to be sent, the
//! per-person sending state, and the server's own keys (see the `email` migration).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The kinds a person gets no email for.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn muted(pool: &PgPool, user_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select email_muted as "muted!" from app_user where id = $1"#,
        user_id
    )
    .fetch_optional(pool)
    .await
    .map(Option::unwrap_or_default)
}

/// Sets the kinds a person gets no email for. Notifications already waiting of a kind now
/// muted are not sent.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn set_muted(pool: &PgPool, user_id: Uuid, kinds: &[String]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"update app_user set email_muted = $2 where id = $1"#,
        user_id,
        kinds
    )
    .execute(&mut *tx)
    .await?;
    forget_kinds(&mut tx, user_id, kinds).await?;
    tx.commit().await
}

/// Notifications of these kinds waiting for a person are not sent (the kinds are muted).
async fn forget_kinds(
    conn: &mut PgConnection,
    user_id: Uuid,
    kinds: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update notification set email_due = false
           where user_id = $1 and email_due and kind = any($2)"#,
        user_id,
        kinds
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds kinds to the ones a person gets no email for (an unsubscribe link).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn mute(pool: &PgPool, user_id: Uuid, kinds: &[String]) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let found = sqlx::query!(
        r#"update app_user
           set email_muted = array(select distinct k from unnest(email_muted || $2) as k order by k)
           where id = $1"#,
        user_id,
        kinds
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    forget_kinds(&mut tx, user_id, kinds).await?;
    tx.commit().await?;
    Ok(found)
}

/// The people with notifications waiting whose turn it is: nothing sent to them after
/// `sent_before`, and no retry (or another process's lease) pending at `now`.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn due(
    pool: &PgPool,
    now: DateTime<Utc>,
    sent_before: DateTime<Utc>,
    oldest: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select n.user_id from notification n
           left join email_recipient r on r.user_id = n.user_id
           where n.email_due and n.created_at > $3
             and (r.retry_at is null or r.retry_at <= $1)
             and (r.last_sent_at is null or r.last_sent_at <= $2)
           group by n.user_id
           order by min(n.id)
           limit $4"#,
        now,
        sent_before,
        oldest,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Takes a person's turn for `lease` (so no other process sends to them meanwhile).
/// Returns how many sends to them had failed in a row, or `None` when it is not their turn
/// any more (another process took it, or sent).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn claim(
    pool: &PgPool,
    user_id: Uuid,
    now: DateTime<Utc>,
    sent_before: DateTime<Utc>,
    lease: DateTime<Utc>,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into email_recipient as r (user_id, retry_at) values ($1, $4)
           on conflict (user_id) do update set retry_at = $4
           where (r.retry_at is null or r.retry_at <= $2)
             and (r.last_sent_at is null or r.last_sent_at <= $3)
           returning attempts"#,
        user_id,
        now,
        sent_before,
        lease
    )
    .fetch_optional(pool)
    .await
}

/// Who a person is, for the email's greeting and address.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub display_name: String,
    pub muted: Vec<String>,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn recipient(pool: &PgPool, user_id: Uuid) -> Result<Option<Recipient>, sqlx::Error> {
    sqlx::query_as!(
        Recipient,
        r#"select email, display_name, email_muted as muted from app_user where id = $1"#,
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// A notification waiting to be sent, and whether its reader may still see it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: i64,
    pub kind: String,
    pub summary: String,
    pub slug: String,
    pub project_name: String,
    pub item_number: Option<i32>,
    pub comment_id: Option<i64>,
    /// Still a member of the project: otherwise it is never sent.
    pub visible: bool,
}

/// A person's notifications waiting to be sent (made after `oldest`), oldest first.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn waiting(
    pool: &PgPool,
    user_id: Uuid,
    oldest: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Waiting>, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"select n.id, n.kind, n.summary, p.slug, p.name as project_name,
                  w.number as "item_number?", n.comment_id,
                  (m.user_id is not null) as "visible!"
           from notification n
           join project p on p.id = n.project_id
           left join project_member m on m.project_id = n.project_id and m.user_id = n.user_id
           left join work_item w on w.id = n.item_id
           where n.user_id = $1 and n.email_due and n.created_at > $2
           order by n.id
           limit $3"#,
        user_id,
        oldest,
        limit
    )
    .fetch_all(pool)
    .await
}

/// These notifications are sent (or never will be): no longer waiting.
#[tracing::instrument(skip(conn, ids), err(level = "debug"))]
pub async fn done(conn: &mut PgConnection, ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update notification set email_due = false where id = any($1)"#,
        ids
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The email went: the person's next batch waits for the window from `at`.
#[tracing::instrument(skip(pool, ids), err(level = "debug"))]
pub async fn sent(
    pool: &PgPool,
    user_id: Uuid,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    done(&mut tx, ids).await?;
    sqlx::query!(
        r#"update email_recipient
           set last_sent_at = $2, retry_at = null, attempts = 0, last_error = null
           where user_id = $1"#,
        user_id,
        at
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Nothing was sent this turn (nothing left to send): the lease ends.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn release(pool: &PgPool, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update email_recipient set retry_at = null where user_id = $1 and attempts = 0"#,
        user_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Sending failed: try again at `retry_at`.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn failed(
    pool: &PgPool,
    user_id: Uuid,
    attempts: i32,
    retry_at: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update email_recipient set attempts = $2, retry_at = $3, last_error = $4
           where user_id = $1"#,
        user_id,
        attempts,
        retry_at,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Sending failed too often: these notifications are given up, and the next ones start
/// afresh.
#[tracing::instrument(skip(pool, ids), err(level = "debug"))]
pub async fn given_up(
    pool: &PgPool,
    user_id: Uuid,
    ids: &[i64],
    error: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    done(&mut tx, ids).await?;
    sqlx::query!(
        r#"update email_recipient set attempts = 0, retry_at = null, last_error = $2
           where user_id = $1"#,
        user_id,
        error
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Notifications made before `oldest` are never emailed (a server without SMTP settings
/// leaves them flagged; one that gets settings later does not send old news).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn forget_before(pool: &PgPool, oldest: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"update notification set email_due = false where email_due and created_at <= $1"#,
        oldest
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A person's sending state, for tests and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingState {
    pub last_sent_at: Option<DateTime<Utc>>,
    pub retry_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn sending_state(
    pool: &PgPool,
    user_id: Uuid,
) -> Result<Option<SendingState>, sqlx::Error> {
    sqlx::query_as!(
        SendingState,
        r#"select last_sent_at, retry_at, attempts, last_error
           from email_recipient where user_id = $1"#,
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// The server's key of this name, made (`fresh`) the first time it is asked for; every
/// process gets the same one.
#[tracing::instrument(skip(pool, fresh), err(level = "debug"))]
pub async fn server_secret(
    pool: &PgPool,
    name: &str,
    fresh: &[u8],
) -> Result<Vec<u8>, sqlx::Error> {
    sqlx::query!(
        r#"insert into server_secret (name, value) values ($1, $2) on conflict (name) do nothing"#,
        name,
        fresh
    )
    .execute(pool)
    .await?;
    sqlx::query_scalar!(r#"select value from server_secret where name = $1"#, name)
        .fetch_one(pool)
        .await
}

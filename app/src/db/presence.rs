//! Who has a project's page open (see the `presence` migration): a row per open event
//! stream that names its page.

use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentRow {
    pub user_id: Uuid,
    pub display_name: String,
    pub page: String,
}

/// A stream opened on `page`.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn join(
    pool: &PgPool,
    stream_id: Uuid,
    project_id: Uuid,
    user_id: Uuid,
    page: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into project_presence (stream_id, project_id, user_id, page)
         values ($1, $2, $3, $4)",
        stream_id,
        project_id,
        user_id,
        page,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A stream ended.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn leave(pool: &PgPool, stream_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from project_presence where stream_id = $1",
        stream_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// These streams are still open.
#[tracing::instrument(skip(pool, stream_ids), fields(streams = stream_ids.len()), err(level = "debug"))]
pub async fn refresh(pool: &PgPool, stream_ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update project_presence set seen_at = now() where stream_id = any($1)",
        stream_ids
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets streams not refreshed for `seconds` (their process is gone).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn sweep(pool: &PgPool, seconds: i32) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "delete from project_presence where seen_at < now() - make_interval(secs => $1)",
        f64::from(seconds)
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// Everyone with a page of the project open, once per person and page, by name.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn present(pool: &PgPool, project_id: Uuid) -> Result<Vec<PresentRow>, sqlx::Error> {
    sqlx::query_as!(
        PresentRow,
        "select distinct p.user_id, u.display_name, p.page
         from project_presence p join app_user u on u.id = p.user_id
         where p.project_id = $1
         order by u.display_name, p.user_id, p.page",
        project_id
    )
    .fetch_all(pool)
    .await
}

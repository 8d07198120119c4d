//! The project's event log (see the `project_events` migration): what changed, numbered per
//! project in commit order, written by triggers. Read by the live streams to catch a client
//! up on what it missed.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub numbers: Option<Vec<i32>>,
}

/// The project's events after `after`, in order, at most `limit`.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn since(
    pool: &PgPool,
    project_id: Uuid,
    after: i64,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"select seq as "seq!", at, kind, numbers from project_event
           where project_id = $1 and seq > $2 order by seq limit $3"#,
        project_id,
        after,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// The number of the project's latest event (0 before the first).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn latest(pool: &PgPool, project_id: Uuid) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "select last_event from project_tally where project_id = $1",
        project_id
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(0))
}

/// Forgets events older than `hours`; a client that was away longer reloads its data.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn prune(pool: &PgPool, hours: i32) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "delete from project_event where at < now() - make_interval(hours => $1)",
        hours
    )
    .execute(pool)
    .await?
    .rows_affected())
}

//! Stand-up notes and the history the stand-up reads.

use crate::domain::history::Change;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub user_id: Uuid,
    pub yesterday: String,
    pub today: String,
    pub blockers: String,
    pub updated_at: DateTime<Utc>,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn notes(
    pool: &PgPool,
    project_id: Uuid,
    day: NaiveDate,
) -> Result<Vec<NoteRow>, sqlx::Error> {
    sqlx::query_as!(
        NoteRow,
        r#"select user_id, yesterday, today, blockers, updated_at from standup_note
           where project_id = $1 and day = $2"#,
        project_id,
        day
    )
    .fetch_all(pool)
    .await
}

#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(pool, yesterday, today, blockers), err(level = "debug"))]
pub async fn save_note(
    pool: &PgPool,
    project_id: Uuid,
    user_id: Uuid,
    day: NaiveDate,
    yesterday: &str,
    today: &str,
    blockers: &str,
    at: DateTime<Utc>,
) -> Result<NoteRow, sqlx::Error> {
    sqlx::query_as!(
        NoteRow,
        r#"insert into standup_note (project_id, user_id, day, yesterday, today, blockers,
                                    updated_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (project_id, day, user_id) do update
              set yesterday = excluded.yesterday, today = excluded.today,
                  blockers = excluded.blockers, updated_at = excluded.updated_at
           returning user_id, yesterday, today, blockers, updated_at"#,
        project_id,
        user_id,
        day,
        yesterday,
        today,
        blockers,
        at
    )
    .fetch_one(pool)
    .await
}

/// A change someone made to a live item in a time window.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkRow {
    pub actor_id: Uuid,
    pub item_id: Uuid,
    pub field: String,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
}

impl WorkRow {
    pub fn change(&self) -> Option<Change> {
        super::items::decode(
            &self.field,
            self.old_value.as_ref(),
            self.new_value.as_ref(),
        )
    }
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn work(
    pool: &PgPool,
    project_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<WorkRow>, sqlx::Error> {
    sqlx::query_as!(
        WorkRow,
        r#"select e.actor_id as "actor_id!", e.item_id, e.field, e.old_value, e.new_value
           from item_event e join work_item w on w.id = e.item_id
           where e.project_id = $1 and e.at >= $2 and e.at < $3 and e.actor_id is not null
             and w.deleted_at is null
           order by e.at, e.id"#,
        project_id,
        from,
        to
    )
    .fetch_all(pool)
    .await
}

/// Live items that are in progress or blocked now (what the stand-up walks).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn active_ids(pool: &PgPool, project_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id from work_item
           where project_id = $1 and deleted_at is null and kind <> 'epic'
             and state <> 'done' and (state = 'doing' or blocked)
           order by rank, id"#,
        project_id
    )
    .fetch_all(pool)
    .await
}

/// A change to an item, with the value it replaced (what walking back in time needs).
#[derive(Debug, Clone, PartialEq)]
pub struct PastChange {
    pub item_id: Uuid,
    pub at: DateTime<Utc>,
    pub field: String,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
}

impl PastChange {
    pub fn change(&self) -> Option<Change> {
        super::items::decode(
            &self.field,
            self.old_value.as_ref(),
            self.new_value.as_ref(),
        )
    }
}

/// When the project's first item was made (its oldest history row), if it has any.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn first_change_at(
    pool: &PgPool,
    project_id: Uuid,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select min(at) from item_event where project_id = $1",
        project_id
    )
    .fetch_one(pool)
    .await
}

/// The changes since a moment to what the stand-up shows of an item, newest first per item.
/// Descriptions and ranks are left out: the stand-up does not show them.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn changes_since(
    pool: &PgPool,
    project_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<PastChange>, sqlx::Error> {
    sqlx::query_as!(
        PastChange,
        r#"select item_id, at, field, old_value, new_value from item_event
           where project_id = $1 and at >= $2
             and field in ('created', 'deleted', 'restored', 'state', 'kind', 'title',
                           'estimate', 'assignee', 'blocked')
           order by item_id, at desc, id desc"#,
        project_id,
        since
    )
    .fetch_all(pool)
    .await
}

/// When each of these items last became blocked (a new reason does not restart the clock),
/// counting only changes before `before` when it is given.
#[tracing::instrument(skip(pool, ids), err(level = "debug"))]
pub async fn blocked_since(
    pool: &PgPool,
    ids: &[Uuid],
    before: Option<DateTime<Utc>>,
) -> Result<Vec<(Uuid, DateTime<Utc>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select distinct on (item_id) item_id, at from item_event
           where item_id = any($1) and field = 'blocked'
             and ($2::timestamptz is null or at < $2)
             and coalesce((new_value ->> 'blocked')::boolean, false)
             and not coalesce((old_value ->> 'blocked')::boolean, false)
           order by item_id, at desc"#,
        ids,
        before
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.item_id, r.at)).collect())
}

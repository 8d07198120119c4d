//! Sprints, their increments, commitments and frozen reports.

use crate::domain::history::Change;
use crate::domain::{IncrementState, ItemKind, ItemState};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct SprintRow {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub increment_weeks: i16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncrementRow {
    pub id: i64,
    pub sprint_id: i64,
    pub sprint_name: String,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: IncrementState,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub committed_points: Option<i32>,
    pub report: Option<Value>,
    /// Live items in it now (epics excepted), their points and the points done.
    pub item_count: i64,
    pub points: i64,
    pub done_points: i64,
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn insert_sprint(
    conn: &mut PgConnection,
    project_id: Uuid,
    name: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    weeks: i16,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into sprint (project_id, name, starts_on, ends_on, increment_weeks)
           values ($1, $2, $3, $4, $5) returning id"#,
        project_id,
        name,
        starts_on,
        ends_on,
        weeks
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn insert_increment(
    conn: &mut PgConnection,
    project_id: Uuid,
    sprint_id: i64,
    number: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into increment (project_id, sprint_id, number, starts_on, ends_on)
           values ($1, $2, $3, $4, $5) returning id"#,
        project_id,
        sprint_id,
        number,
        starts_on,
        ends_on
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn sprints(pool: &PgPool, project_id: Uuid) -> Result<Vec<SprintRow>, sqlx::Error> {
    sqlx::query_as!(
        SprintRow,
        r#"select id, name, starts_on, ends_on, increment_weeks from sprint
           where project_id = $1 order by starts_on, id"#,
        project_id
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn rename_sprint(
    conn: &mut PgConnection,
    project_id: Uuid,
    id: i64,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update sprint set name = $3 where project_id = $1 and id = $2",
        project_id,
        id,
        name
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The project's increments (all, or one), by start date, with what is in them now.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn increments(
    conn: &mut PgConnection,
    project_id: Uuid,
    only: Option<i64>,
) -> Result<Vec<IncrementRow>, sqlx::Error> {
    sqlx::query_as!(
        IncrementRow,
        r#"select i.id, i.sprint_id, s.name as sprint_name, i.number, i.starts_on, i.ends_on,
                  i.state as "state: _", i.started_at, i.closed_at, i.committed_points, i.report,
                  coalesce(t.item_count, 0) as "item_count!",
                  coalesce(t.points, 0) as "points!",
                  coalesce(t.done_points, 0) as "done_points!"
           from increment i
           join sprint s on s.id = i.sprint_id
           left join lateral (
               select count(*) as item_count, sum(w.estimate)::bigint as points,
                      (sum(w.estimate) filter (where w.state = 'done'))::bigint as done_points
               from work_item w
               where w.increment_id = i.id and w.deleted_at is null and w.kind <> 'epic'
           ) t on true
           where i.project_id = $1 and ($2::bigint is null or i.id = $2)
           order by i.starts_on, i.id"#,
        project_id,
        only
    )
    .fetch_all(conn)
    .await
}

/// One increment, locked for the rest of the transaction when asked.
pub async fn increment(
    conn: &mut PgConnection,
    project_id: Uuid,
    id: i64,
    lock: bool,
) -> Result<Option<IncrementRow>, sqlx::Error> {
    if lock {
        let found = sqlx::query_scalar!(
            "select id from increment where project_id = $1 and id = $2 for update",
            project_id,
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            return Ok(None);
        }
    }
    Ok(increments(conn, project_id, Some(id)).await?.pop())
}

/// Increments of the project whose dates overlap the span (other than `except`).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn overlapping(
    conn: &mut PgConnection,
    project_id: Uuid,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    except: Option<i64>,
) -> Result<Vec<(String, i32, NaiveDate, NaiveDate)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.name, i.number, i.starts_on, i.ends_on
           from increment i join sprint s on s.id = i.sprint_id
           where i.project_id = $1 and i.starts_on <= $3 and i.ends_on >= $2
             and ($4::bigint is null or i.id <> $4)
           order by i.starts_on"#,
        project_id,
        starts_on,
        ends_on,
        except
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.name, r.number, r.starts_on, r.ends_on))
        .collect())
}

/// New dates for an increment; its sprint widens to cover all of its increments.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_dates(
    conn: &mut PgConnection,
    id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update increment set starts_on = $2, ends_on = $3 where id = $1",
        id,
        starts_on,
        ends_on
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"update sprint s set starts_on = b.lo, ends_on = b.hi
           from (select sprint_id, min(starts_on) as lo, max(ends_on) as hi
                 from increment where sprint_id = (select sprint_id from increment where id = $1)
                 group by sprint_id) b
           where s.id = b.sprint_id"#,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Points the committed items carried at the start.
#[tracing::instrument(skip(conn, commitment), err(level = "debug"))]
pub async fn mark_started(
    conn: &mut PgConnection,
    id: i64,
    committed_points: i32,
    commitment: Value,
    at: DateTime<Utc>,
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"update increment set state = 'active', started_at = $4,
                  committed_points = $2, commitment = $3
           where id = $1 returning started_at as "at!""#,
        id,
        committed_points,
        commitment,
        at
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip(conn, report), err(level = "debug"))]
pub async fn mark_closed(
    conn: &mut PgConnection,
    id: i64,
    closed_at: DateTime<Utc>,
    report: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update increment set state = 'closed', closed_at = $2, report = $3 where id = $1",
        id,
        closed_at,
        report
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Live items in an increment, in rank order.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn item_ids(
    conn: &mut PgConnection,
    increment_id: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id from work_item where increment_id = $1 and deleted_at is null
           order by rank, id"#,
        increment_id
    )
    .fetch_all(conn)
    .await
}

/// Live items in an increment, locked for the rest of the transaction (closing reads them
/// once and moves the unfinished ones; nobody changes them in between).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn lock_items(
    conn: &mut PgConnection,
    increment_id: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id from work_item where increment_id = $1 and deleted_at is null
           order by rank, id for update"#,
        increment_id
    )
    .fetch_all(conn)
    .await
}

/// Open backlog items in no increment (epics excepted), in rank order.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn candidate_ids(
    conn: &mut PgConnection,
    project_id: Uuid,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select id from work_item
           where project_id = $1 and deleted_at is null and increment_id is null
             and kind <> 'epic' and state <> 'done'
           order by rank, id limit $2"#,
        project_id,
        limit
    )
    .fetch_all(conn)
    .await
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_increment(
    conn: &mut PgConnection,
    item_id: Uuid,
    increment_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update work_item set increment_id = $2, version = version + 1 where id = $1",
        item_id,
        increment_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the burndown needs about an item now.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsRow {
    pub id: Uuid,
    pub kind: ItemKind,
    pub estimate: Option<i16>,
    pub state: ItemState,
    pub increment_id: Option<i64>,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub item_id: Uuid,
    pub at: DateTime<Utc>,
    pub field: String,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
}

impl ChangeRow {
    pub fn change(&self) -> Option<Change> {
        super::items::decode(
            &self.field,
            self.old_value.as_ref(),
            self.new_value.as_ref(),
        )
    }
}

/// Every item that is or ever was in the increment, with the history that matters to its
/// burndown (oldest first).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn tracks(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: i64,
) -> Result<(Vec<FactsRow>, Vec<ChangeRow>), sqlx::Error> {
    let id_text = increment_id.to_string();
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        r#"select id as "id!" from work_item where increment_id = $2 and project_id = $1
           union
           select item_id from item_event
           where project_id = $1 and field = 'increment'
             and (old_value ->> 'id' = $3 or new_value ->> 'id' = $3)"#,
        project_id,
        increment_id,
        id_text
    )
    .fetch_all(&mut *conn)
    .await?;
    let facts = sqlx::query_as!(
        FactsRow,
        r#"select id, kind as "kind: _", estimate, state as "state: _", increment_id, deleted_at is not null as "deleted!"
           from work_item where id = any($1)"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let changes = sqlx::query_as!(
        ChangeRow,
        r#"select item_id, at, field, old_value, new_value from item_event
           where item_id = any($1)
             and field in ('created', 'kind', 'estimate', 'state', 'increment', 'deleted',
                           'restored')
           order by item_id, at, id"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok((facts, changes))
}

/// Takes the project's row lock: sprint and increment changes that check for overlapping
/// dates, or for another active increment, run one after the other.
pub async fn lock_project(conn: &mut PgConnection, project_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "select id from project where id = $1 for update",
        project_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Points not yet done on the whole backlog, an epic counted by its own size only until one
/// of its children is estimated.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn remaining_points(pool: &PgPool, project_id: Uuid) -> Result<i64, sqlx::Error> {
    // Open tasks and bugs, plus the own size of open epics none of whose children is
    // estimated yet (domain::EpicPoints: until then the epic's size is all that is known).
    sqlx::query_scalar!(
        r#"select (coalesce(sum(estimate) filter (where kind <> 'epic'), 0)
                 + coalesce(sum(estimate) filter (
                       where kind = 'epic' and not exists (
                           select 1 from work_item c where c.parent_id = work_item.id
                             and c.deleted_at is null and c.estimate is not null)), 0))::bigint
                  as "points!"
           from work_item
           where project_id = $1 and deleted_at is null and state <> 'done'"#,
        project_id
    )
    .fetch_one(pool)
    .await
}

/// An open epic for the forecast: its own size, and its children's points.
pub struct EpicRemaining {
    pub number: i32,
    pub title: String,
    pub own_size: Option<i16>,
    /// Children (any state) with an estimate.
    pub estimated_children: i64,
    /// Points of its children not done.
    pub children_remaining: i64,
}

/// Open epics in rank order with their own size and the points their children have left.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn epics_remaining(
    pool: &PgPool,
    project_id: Uuid,
    limit: i64,
) -> Result<Vec<EpicRemaining>, sqlx::Error> {
    sqlx::query_as!(
        EpicRemaining,
        r#"select e.number, e.title, e.estimate as own_size,
                  (select count(*) from work_item c
                   where c.parent_id = e.id and c.deleted_at is null
                     and c.estimate is not null) as "estimated_children!",
                  coalesce((select sum(c.estimate) from work_item c
                            where c.parent_id = e.id and c.deleted_at is null
                              and c.state <> 'done'), 0)::bigint as "children_remaining!"
           from work_item e
           where e.project_id = $1 and e.kind = 'epic' and e.deleted_at is null
             and e.state <> 'done'
           order by e.rank, e.id limit $2"#,
        project_id,
        limit
    )
    .fetch_all(pool)
    .await
}

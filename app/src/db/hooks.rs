//! Integrations (CI and code hosts), their deliveries, the bugs failing pipelines filed and
//! the commits and pull requests linked to items (see the `integrations` migration).

use crate::domain::ItemState;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub provider: String,
    pub name: String,
    pub hmac_key: Option<String>,
    pub token_hash: Option<Vec<u8>>,
    pub secret_hint: String,
    pub branches: Vec<String>,
    pub close_on_fixes: bool,
    pub done_on_green: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// How a secret is kept: the HMAC key itself, or the SHA-256 of a token.
pub enum Kept<'a> {
    HmacKey(&'a str),
    TokenHash(&'a [u8]),
}

impl Kept<'_> {
    fn columns(&self) -> (Option<&str>, Option<&[u8]>) {
        match self {
            Kept::HmacKey(key) => (Some(key), None),
            Kept::TokenHash(hash) => (None, Some(hash)),
        }
    }
}

pub struct NewIntegration<'a> {
    pub project_id: Uuid,
    pub provider: &'a str,
    pub name: &'a str,
    pub secret: Kept<'a>,
    pub secret_hint: &'a str,
    pub created_by: Uuid,
}

#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn insert_integration(
    conn: &mut PgConnection,
    new: NewIntegration<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let (key, hash) = new.secret.columns();
    sqlx::query!(
        r#"insert into integration (id, project_id, provider, name, hmac_key, token_hash,
                                    secret_hint, created_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        id,
        new.project_id,
        new.provider,
        new.name,
        key,
        hash,
        new.secret_hint,
        new.created_by,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The project's integrations, oldest first.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn integrations(
    pool: &PgPool,
    project_id: Uuid,
) -> Result<Vec<IntegrationRow>, sqlx::Error> {
    sqlx::query_as!(
        IntegrationRow,
        r#"select i.id, i.project_id, i.provider, i.name, i.hmac_key, i.token_hash,
                  i.secret_hint, i.branches, i.close_on_fixes, i.done_on_green,
                  u.display_name as "created_by?", i.created_at
           from integration i left join app_user u on u.id = i.created_by
           where i.project_id = $1
           order by i.created_at, i.id"#,
        project_id
    )
    .fetch_all(pool)
    .await
}

/// One integration by its id; `lock` holds it until the transaction ends (deliveries to
/// one integration are handled one at a time, so two failures of a pipeline that arrive
/// together file one bug).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn integration(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<Option<IntegrationRow>, sqlx::Error> {
    if lock {
        sqlx::query!("select id from integration where id = $1 for update", id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    sqlx::query_as!(
        IntegrationRow,
        r#"select i.id, i.project_id, i.provider, i.name, i.hmac_key, i.token_hash,
                  i.secret_hint, i.branches, i.close_on_fixes, i.done_on_green,
                  u.display_name as "created_by?", i.created_at
           from integration i left join app_user u on u.id = i.created_by
           where i.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// A new secret for the integration (the old one stops working at once).
#[tracing::instrument(skip(conn, secret), err(level = "debug"))]
pub async fn set_secret(
    conn: &mut PgConnection,
    id: Uuid,
    secret: Kept<'_>,
    hint: &str,
) -> Result<(), sqlx::Error> {
    let (key, hash) = secret.columns();
    sqlx::query!(
        "update integration set hmac_key = $2, token_hash = $3, secret_hint = $4 where id = $1",
        id,
        key,
        hash,
        hint
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn update_settings(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    branches: &[String],
    close_on_fixes: bool,
    done_on_green: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update integration set name = $2, branches = $3, close_on_fixes = $4,
                  done_on_green = $5
           where id = $1"#,
        id,
        name,
        branches,
        close_on_fixes,
        done_on_green
    )
    .execute(&mut *conn)
    .await?;
    // The bugs it filed say where they came from by the name it has now.
    sqlx::query!(
        "update ci_bug set integration_name = $2 where integration_id = $1",
        id,
        name
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes an integration with its deliveries. The links and bugs it made stay on the items,
/// and a bug keeps its provider and the integration's name (its `integration_id` is cleared).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn delete_integration(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("delete from integration where id = $1", id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

// --- deliveries ----------------------------------------------------------------------------

pub struct NewDelivery<'a> {
    pub integration_id: Uuid,
    pub delivery_id: Option<&'a str>,
    pub event: &'a str,
    /// Whether it proved it comes from the provider; an attempt that did not keeps no body
    /// (the table's check refuses one).
    pub authentic: bool,
    pub accepted: bool,
    pub outcome: &'a str,
    pub error: Option<&'a str>,
    pub body: &'a str,
}

/// Records a delivery. An accepted one whose delivery id was accepted before is not
/// recorded again: `None` (a provider's retry).
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn record_delivery(
    conn: &mut PgConnection,
    new: NewDelivery<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into integration_delivery
               (integration_id, delivery_id, event, authentic, accepted, outcome, error, body)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (integration_id, delivery_id) where accepted and delivery_id is not null
           do nothing
           returning id"#,
        new.integration_id,
        new.delivery_id,
        new.event,
        new.authentic,
        new.accepted,
        new.outcome,
        new.error,
        new.body,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_outcome(
    conn: &mut PgConnection,
    id: i64,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update integration_delivery set outcome = $2 where id = $1",
        id,
        outcome
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps the integration's latest `keep` deliveries of one kind (authentic ones, or the
/// attempts that were not) and drops the older ones of that kind.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn prune_deliveries(
    conn: &mut PgConnection,
    integration_id: Uuid,
    authentic: bool,
    keep: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"delete from integration_delivery
           where integration_id = $1 and authentic = $2
             and id < (select id from integration_delivery
                       where integration_id = $1 and authentic = $2
                       order by id desc offset $3 limit 1)"#,
        integration_id,
        authentic,
        keep - 1
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub integration_id: Uuid,
    pub delivery_id: Option<String>,
    pub event: String,
    pub at: DateTime<Utc>,
    pub accepted: bool,
    pub outcome: String,
    pub error: Option<String>,
}

/// Of each of the project's integrations, the latest `per` authentic deliveries and the
/// latest `per` attempts that were not, newest first (a stream of forged attempts does not
/// hide the genuine deliveries).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn recent_deliveries(
    pool: &PgPool,
    project_id: Uuid,
    per: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        r#"select d.integration_id as "integration_id!", d.delivery_id, d.event as "event!",
                  d.at as "at!", d.accepted as "accepted!", d.outcome as "outcome!", d.error
           from integration i
           cross join (values (true), (false)) k (authentic)
           cross join lateral (
               select * from integration_delivery
               where integration_id = i.id and authentic = k.authentic
               order by id desc limit $2
           ) d
           where i.project_id = $1
           order by d.id desc"#,
        project_id,
        per
    )
    .fetch_all(pool)
    .await
}

// --- bugs filed by failing pipelines -------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct CiBugRow {
    pub item_id: Uuid,
    pub number: i32,
    pub version: i32,
    pub occurrences: i32,
    pub runs: Value,
}

/// The open bug (not done, not in the trash) that this pipeline's failures on this branch
/// filed, if any (through this integration: a bug whose integration was removed and made
/// again is not counted on).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn open_ci_bug(
    conn: &mut PgConnection,
    integration_id: Uuid,
    pipeline: &str,
    branch: &str,
) -> Result<Option<CiBugRow>, sqlx::Error> {
    sqlx::query_as!(
        CiBugRow,
        r#"select b.item_id, w.number, w.version, b.occurrences, b.runs
           from ci_bug b join work_item w on w.id = b.item_id
           where b.integration_id = $1 and b.pipeline = $2 and b.branch = $3
             and w.state <> 'done' and w.deleted_at is null
           order by w.created_at desc
           limit 1"#,
        integration_id,
        pipeline,
        branch
    )
    .fetch_optional(conn)
    .await
}

pub struct NewCiBug<'a> {
    pub item_id: Uuid,
    /// The integration that reported the failure, with its provider and name (kept on the
    /// bug, which outlives it).
    pub integration: &'a IntegrationRow,
    pub pipeline: &'a str,
    pub branch: &'a str,
    pub at: DateTime<Utc>,
    pub runs: &'a Value,
}

#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn insert_ci_bug(conn: &mut PgConnection, new: NewCiBug<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into ci_bug (item_id, integration_id, provider, integration_name, pipeline,
                               branch, last_seen, runs)
           values ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        new.item_id,
        new.integration.id,
        new.integration.provider,
        new.integration.name,
        new.pipeline,
        new.branch,
        new.at,
        new.runs
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Another run of the bug's pipeline: the count (for a failure), when, and the runs.
#[tracing::instrument(skip(conn, runs), err(level = "debug"))]
pub async fn note_run(
    conn: &mut PgConnection,
    item_id: Uuid,
    occurrences: i32,
    at: DateTime<Utc>,
    runs: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update ci_bug set occurrences = $2, last_seen = $3, runs = $4 where item_id = $1",
        item_id,
        occurrences,
        at,
        runs
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct CiOriginRow {
    pub provider: String,
    pub integration: String,
    /// Whether the integration was removed since (no further runs arrive).
    pub removed: bool,
    pub pipeline: String,
    pub branch: String,
    pub occurrences: i32,
    pub last_seen: DateTime<Utc>,
    pub runs: Value,
}

/// Where a bug came from, when a failing pipeline filed it.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn ci_origin(pool: &PgPool, item_id: Uuid) -> Result<Option<CiOriginRow>, sqlx::Error> {
    sqlx::query_as!(
        CiOriginRow,
        r#"select b.provider, b.integration_name as integration,
                  b.integration_id is null as "removed!", b.pipeline, b.branch,
                  b.occurrences, b.last_seen, b.runs
           from ci_bug b
           where b.item_id = $1"#,
        item_id
    )
    .fetch_optional(pool)
    .await
}

/// Of these items, the ones a failing pipeline filed (for the backlog's badge).
#[tracing::instrument(skip(conn, ids), err(level = "debug"))]
pub async fn filed_by_ci(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select item_id from ci_bug where item_id = any($1)", ids)
        .fetch_all(conn)
        .await
}

// --- commits and pull requests ---------------------------------------------------------------

pub struct NewLink<'a> {
    pub item_id: Uuid,
    pub integration_id: Uuid,
    pub kind: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub author: Option<&'a str>,
    pub url: Option<&'a str>,
    pub branch: Option<&'a str>,
}

/// Links a commit or pull request to an item. False when it was linked already (its title
/// and address are brought up to date).
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn link(conn: &mut PgConnection, new: NewLink<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query_scalar!(
        r#"insert into item_link (item_id, integration_id, kind, ref, title, author, url, branch)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (item_id, kind, ref) do update
               set title = excluded.title, url = coalesce(excluded.url, item_link.url)
           returning (xmax = 0) as "inserted!""#,
        new.item_id,
        new.integration_id,
        new.kind,
        new.reference,
        new.title,
        new.author,
        new.url,
        new.branch,
    )
    .fetch_one(conn)
    .await?;
    Ok(inserted)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub kind: String,
    pub reference: String,
    pub title: String,
    pub author: Option<String>,
    pub url: Option<String>,
    pub branch: Option<String>,
    pub at: DateTime<Utc>,
}

/// The commits and pull requests linked to an item, newest first.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn links(pool: &PgPool, item_id: Uuid) -> Result<Vec<LinkRow>, sqlx::Error> {
    sqlx::query_as!(
        LinkRow,
        r#"select kind, ref as reference, title, author, url, branch, at
           from item_link where item_id = $1
           order by at desc, id desc"#,
        item_id
    )
    .fetch_all(pool)
    .await
}

/// An item of the project by number, as a reference needs it: id, state, version, whether
/// it is in the trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referenced {
    pub id: Uuid,
    pub number: i32,
    pub state: ItemState,
    pub deleted: bool,
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn referenced(
    conn: &mut PgConnection,
    project_id: Uuid,
    numbers: &[i32],
) -> Result<Vec<Referenced>, sqlx::Error> {
    sqlx::query_as!(
        Referenced,
        r#"select id, number, state as "state: _", deleted_at is not null as "deleted!"
           from work_item where project_id = $1 and number = any($2)
           order by number"#,
        project_id,
        numbers
    )
    .fetch_all(conn)
    .await
}

//! Reading a whole project for the export, and writing one back for the import.

use crate::domain::reflection::CardKind;
use crate::domain::{IncrementState, ItemKind, ItemState, Role};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct IncrementFull {
    pub id: i64,
    pub sprint_id: i64,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: IncrementState,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub committed_points: Option<i32>,
    pub commitment: Option<Value>,
    pub report: Option<Value>,
}

pub async fn increments(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<IncrementFull>, sqlx::Error> {
    sqlx::query_as!(
        IncrementFull,
        r#"select id, sprint_id, number, starts_on, ends_on, state as "state: _", started_at, closed_at,
                  committed_points, commitment, report
           from increment where project_id = $1 order by starts_on, id"#,
        project_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, PartialEq)]
pub struct SprintFull {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub increment_weeks: i16,
}

pub async fn sprints(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<SprintFull>, sqlx::Error> {
    sqlx::query_as!(
        SprintFull,
        r#"select id, name, starts_on, ends_on, increment_weeks from sprint
           where project_id = $1 order by starts_on, id"#,
        project_id
    )
    .fetch_all(conn)
    .await
}

/// A read-only transaction that sees one moment of the database throughout, so a long
/// export is consistent however the project changes meanwhile. Its statements may run
/// longer than the pool's statement timeout: the items are one statement streamed at the
/// pace the client reads (a client that stops reading is dropped after a minute).
pub async fn snapshot(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    sqlx::query("set local statement_timeout = '1h'")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

pub async fn members(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<(String, String, Role)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.email, u.display_name, m.role as "role: Role" from project_member m
           join app_user u on u.id = m.user_id where m.project_id = $1 order by u.email"#,
        project_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.email, r.display_name, r.role))
        .collect())
}

/// One item with everything the export writes, its history as a JSON array.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFull {
    pub number: i32,
    pub kind: ItemKind,
    pub parent_number: Option<i32>,
    pub title: String,
    pub description: String,
    pub estimate: Option<i16>,
    pub assignee_email: Option<String>,
    pub state: ItemState,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
    pub rank: i64,
    pub version: i32,
    pub creator_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub increment_id: Option<i64>,
    pub history: Value,
    /// Its comments as a JSON array, oldest first, bodies as stored (`@{uuid}` mentions).
    pub comments: Value,
}

/// Every item of the project, streamed in number order, one row (with its history) at a
/// time: memory stays flat however large the project is.
pub fn items<'c>(
    conn: &'c mut PgConnection,
    project_id: Uuid,
) -> futures_util::stream::BoxStream<'c, Result<ItemFull, sqlx::Error>> {
    sqlx::query_as!(
        ItemFull,
        r#"select w.number, w.kind as "kind: _", p.number as "parent_number?", w.title, w.description,
                  w.estimate, a.email as "assignee_email?", w.state as "state: _", w.blocked,
                  w.blocked_reason, w.rank, w.version, c.email as "creator_email?",
                  w.created_at, w.updated_at, w.done_at, w.deleted_at, w.increment_id,
                  coalesce((select json_agg(json_build_object(
                                'actor', u.email, 'at', e.at, 'field', e.field,
                                'old', e.old_value, 'new', e.new_value) order by e.at, e.id)
                            from item_event e left join app_user u on u.id = e.actor_id
                            where e.item_id = w.id), '[]'::json)::jsonb as "history!",
                  coalesce((select json_agg(json_build_object(
                                'author', u.email, 'body', c.body, 'created_at', c.created_at,
                                'edited_at', c.edited_at, 'deleted_at', c.deleted_at)
                                order by c.id)
                            from item_comment c left join app_user u on u.id = c.author_id
                            where c.item_id = w.id), '[]'::json)::jsonb as "comments!"
           from work_item w
           left join work_item p on p.id = w.parent_id
           left join app_user a on a.id = w.assignee_id
           left join app_user c on c.id = w.creator_id
           where w.project_id = $1
           order by w.number"#,
        project_id
    )
    .fetch(conn)
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteFull {
    pub email: String,
    pub day: NaiveDate,
    pub yesterday: String,
    pub today: String,
    pub blockers: String,
    pub updated_at: DateTime<Utc>,
}

pub async fn notes(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<NoteFull>, sqlx::Error> {
    sqlx::query_as!(
        NoteFull,
        r#"select u.email, n.day, n.yesterday, n.today, n.blockers, n.updated_at
           from standup_note n join app_user u on u.id = n.user_id
           where n.project_id = $1 order by n.day, u.email"#,
        project_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardFull {
    pub increment_id: i64,
    pub week: i16,
    pub kind: CardKind,
    pub body: String,
    pub author_email: Option<String>,
    pub group_name: Option<String>,
    pub position: i32,
    pub item_number: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub votes: Vec<String>,
}

pub async fn cards(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<CardFull>, sqlx::Error> {
    sqlx::query_as!(
        CardFull,
        r#"select c.increment_id, c.week, c.kind as "kind: _", c.body, u.email as "author_email?",
                  c.group_name, c.position, w.number as "item_number?", c.created_at,
                  coalesce((select array_agg(vu.email order by vu.email)
                            from reflection_vote v join app_user vu on vu.id = v.user_id
                            where v.card_id = c.id), '{}') as "votes!"
           from reflection_card c
           left join app_user u on u.id = c.author_id
           left join work_item w on w.id = c.item_id
           where c.project_id = $1
           order by c.increment_id, c.week, c.kind, c.position, c.id"#,
        project_id
    )
    .fetch_all(conn)
    .await
}

// --- import -----------------------------------------------------------------------------

/// Account ids by normalised email, for the emails that have one.
pub async fn users_by_email(
    conn: &mut PgConnection,
    emails: &[String],
) -> Result<Vec<(String, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select email_normalized, id from app_user where email_normalized = any($1)",
        emails
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.email_normalized, r.id))
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_increment(
    conn: &mut PgConnection,
    project_id: Uuid,
    sprint_id: i64,
    number: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    state: &str,
    started_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    committed_points: Option<i32>,
    commitment: Option<Value>,
    report: Option<Value>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into increment (project_id, sprint_id, number, starts_on, ends_on, state,
                                  started_at, closed_at, committed_points, commitment, report)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id"#,
        project_id,
        sprint_id,
        number,
        starts_on,
        ends_on,
        state,
        started_at,
        closed_at,
        committed_points,
        commitment,
        report
    )
    .fetch_one(conn)
    .await
}

/// An item as the import writes it.
pub struct ItemImport<'a> {
    pub id: Uuid,
    pub number: i32,
    pub kind: &'a str,
    pub parent_id: Option<Uuid>,
    pub title: &'a str,
    pub description: &'a str,
    pub estimate: Option<i16>,
    pub assignee_id: Option<Uuid>,
    pub state: &'a str,
    pub blocked: bool,
    pub blocked_reason: Option<&'a str>,
    pub rank: i64,
    pub version: i32,
    pub creator_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub increment_id: Option<i64>,
}

/// The project's members by account, with their emails (mentions in comments name them).
pub async fn member_emails(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.email from project_member m join app_user u on u.id = m.user_id
           where m.project_id = $1"#,
        project_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.email)).collect())
}

/// Comments of many items in one statement.
pub struct CommentImport<'a> {
    pub item_id: Uuid,
    pub author_id: Option<Uuid>,
    pub body: &'a str,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

pub async fn insert_comments(
    conn: &mut PgConnection,
    project_id: Uuid,
    comments: &[CommentImport<'_>],
) -> Result<(), sqlx::Error> {
    let items: Vec<Uuid> = comments.iter().map(|c| c.item_id).collect();
    let authors: Vec<Option<Uuid>> = comments.iter().map(|c| c.author_id).collect();
    let bodies: Vec<&str> = comments.iter().map(|c| c.body).collect();
    let created: Vec<DateTime<Utc>> = comments.iter().map(|c| c.created_at).collect();
    let edited: Vec<Option<DateTime<Utc>>> = comments.iter().map(|c| c.edited_at).collect();
    let deleted: Vec<Option<DateTime<Utc>>> = comments.iter().map(|c| c.deleted_at).collect();
    sqlx::query!(
        r#"insert into item_comment (project_id, item_id, author_id, body, created_at,
                                     edited_at, deleted_at)
           select $1, t.item_id, t.author_id, t.body, t.created_at, t.edited_at, t.deleted_at
           from unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[],
                       $6::timestamptz[], $7::timestamptz[])
                with ordinality as t(item_id, author_id, body, created_at, edited_at,
                                     deleted_at, n)
           order by t.n"#,
        project_id,
        &items,
        &authors as &[Option<Uuid>],
        &bodies as &[&str],
        &created,
        &edited as &[Option<DateTime<Utc>>],
        &deleted as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Many items in one statement (the import sends them a batch at a time).
pub async fn insert_items(
    conn: &mut PgConnection,
    project_id: Uuid,
    items: &[ItemImport<'_>],
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let numbers: Vec<i32> = items.iter().map(|i| i.number).collect();
    let kinds: Vec<&str> = items.iter().map(|i| i.kind).collect();
    let parents: Vec<Option<Uuid>> = items.iter().map(|i| i.parent_id).collect();
    let titles: Vec<&str> = items.iter().map(|i| i.title).collect();
    let descriptions: Vec<&str> = items.iter().map(|i| i.description).collect();
    let estimates: Vec<Option<i16>> = items.iter().map(|i| i.estimate).collect();
    let assignees: Vec<Option<Uuid>> = items.iter().map(|i| i.assignee_id).collect();
    let states: Vec<&str> = items.iter().map(|i| i.state).collect();
    let blocked: Vec<bool> = items.iter().map(|i| i.blocked).collect();
    let reasons: Vec<Option<String>> = items
        .iter()
        .map(|i| i.blocked_reason.map(str::to_owned))
        .collect();
    let ranks: Vec<i64> = items.iter().map(|i| i.rank).collect();
    let versions: Vec<i32> = items.iter().map(|i| i.version).collect();
    let creators: Vec<Option<Uuid>> = items.iter().map(|i| i.creator_id).collect();
    let created: Vec<DateTime<Utc>> = items.iter().map(|i| i.created_at).collect();
    let updated: Vec<DateTime<Utc>> = items.iter().map(|i| i.updated_at).collect();
    let done: Vec<Option<DateTime<Utc>>> = items.iter().map(|i| i.done_at).collect();
    let deleted: Vec<Option<DateTime<Utc>>> = items.iter().map(|i| i.deleted_at).collect();
    let increments: Vec<Option<i64>> = items.iter().map(|i| i.increment_id).collect();
    sqlx::query!(
        r#"insert into work_item (id, project_id, number, kind, parent_id, title, description,
                                  estimate, assignee_id, state, blocked, blocked_reason, rank,
                                  version, creator_id, created_at, updated_at, done_at,
                                  deleted_at, increment_id)
           select t.id, $1, t.number, t.kind, t.parent_id, t.title, t.description, t.estimate,
                  t.assignee_id, t.state, t.blocked, t.blocked_reason, t.rank, t.version,
                  t.creator_id, t.created_at, t.updated_at, t.done_at, t.deleted_at,
                  t.increment_id
           from unnest($2::uuid[], $3::int4[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                       $8::int2[], $9::uuid[], $10::text[], $11::bool[], $12::text[],
                       $13::int8[], $14::int4[], $15::uuid[], $16::timestamptz[],
                       $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::int8[])
                as t(id, number, kind, parent_id, title, description, estimate, assignee_id,
                     state, blocked, blocked_reason, rank, version, creator_id, created_at,
                     updated_at, done_at, deleted_at, increment_id)"#,
        project_id,
        &ids,
        &numbers,
        &kinds as &[&str],
        &parents as &[Option<Uuid>],
        &titles as &[&str],
        &descriptions as &[&str],
        &estimates as &[Option<i16>],
        &assignees as &[Option<Uuid>],
        &states as &[&str],
        &blocked,
        &reasons as &[Option<String>],
        &ranks,
        &versions,
        &creators as &[Option<Uuid>],
        &created,
        &updated,
        &done as &[Option<DateTime<Utc>>],
        &deleted as &[Option<DateTime<Utc>>],
        &increments as &[Option<i64>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// History rows of many items in one statement.
#[allow(clippy::too_many_arguments)]
pub async fn insert_events(
    conn: &mut PgConnection,
    project_id: Uuid,
    items: &[Uuid],
    actors: &[Option<Uuid>],
    ats: &[DateTime<Utc>],
    fields: &[String],
    olds: &[Option<Value>],
    news: &[Option<Value>],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into item_event (project_id, item_id, actor_id, at, field, old_value, new_value)
           select $1, * from unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[],
                                    $6::jsonb[], $7::jsonb[])"#,
        project_id,
        items,
        actors as &[Option<Uuid>],
        ats,
        fields,
        olds as &[Option<Value>],
        news as &[Option<Value>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn finish_items(conn: &mut PgConnection, project_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update project set next_item_number =
               coalesce((select max(number) + 1 from work_item where project_id = $1), 1)
           where id = $1"#,
        project_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_note(
    conn: &mut PgConnection,
    project_id: Uuid,
    user_id: Uuid,
    day: NaiveDate,
    yesterday: &str,
    today: &str,
    blockers: &str,
    updated_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into standup_note (project_id, user_id, day, yesterday, today, blockers,
                                     updated_at)
           values ($1, $2, $3, $4, $5, $6, $7)"#,
        project_id,
        user_id,
        day,
        yesterday,
        today,
        blockers,
        updated_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct CardImport<'a> {
    pub project_id: Uuid,
    pub increment_id: i64,
    pub week: i16,
    pub kind: &'a str,
    pub body: &'a str,
    pub author_id: Option<Uuid>,
    pub group_name: Option<&'a str>,
    pub position: i32,
    pub item_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_card(conn: &mut PgConnection, c: &CardImport<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into reflection_card (project_id, increment_id, week, kind, body, author_id,
                                        group_name, position, item_id, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id"#,
        c.project_id,
        c.increment_id,
        c.week,
        c.kind,
        c.body,
        c.author_id,
        c.group_name,
        c.position,
        c.item_id,
        c.created_at
    )
    .fetch_one(conn)
    .await
}

pub async fn insert_votes(
    conn: &mut PgConnection,
    card: i64,
    users: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into reflection_vote (card_id, user_id) select $1, unnest($2::uuid[])",
        card,
        users
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_archived(
    conn: &mut PgConnection,
    project_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update project set archived_at = $2 where id = $1",
        project_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

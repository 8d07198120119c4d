//! Comments on items, who watches an item, and notifications (see the `comments`
//! migration).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    pub id: i64,
    pub item_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An item's comments, oldest first (deleted ones too: they keep their place).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn of_item(
    conn: &mut PgConnection,
    item_id: Uuid,
) -> Result<Vec<CommentRow>, sqlx::Error> {
    sqlx::query_as!(
        CommentRow,
        r#"select c.id, c.item_id, c.author_id, u.display_name as "author_name?", c.body,
                  c.created_at, c.edited_at, c.deleted_at
           from item_comment c left join app_user u on u.id = c.author_id
           where c.item_id = $1
           order by c.id"#,
        item_id
    )
    .fetch_all(conn)
    .await
}

/// One comment of an item, locked for a change.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn one(
    conn: &mut PgConnection,
    item_id: Uuid,
    id: i64,
) -> Result<Option<CommentRow>, sqlx::Error> {
    sqlx::query_as!(
        CommentRow,
        r#"select c.id, c.item_id, c.author_id, u.display_name as "author_name?", c.body,
                  c.created_at, c.edited_at, c.deleted_at
           from item_comment c left join app_user u on u.id = c.author_id
           where c.item_id = $1 and c.id = $2
           for update of c"#,
        item_id,
        id
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip(conn, body), err(level = "debug"))]
pub async fn insert(
    conn: &mut PgConnection,
    project_id: Uuid,
    item_id: Uuid,
    author_id: Option<Uuid>,
    body: &str,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into item_comment (project_id, item_id, author_id, body, created_at)
           values ($1, $2, $3, $4, $5) returning id"#,
        project_id,
        item_id,
        author_id,
        body,
        at
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip(conn, body), err(level = "debug"))]
pub async fn edit(
    conn: &mut PgConnection,
    id: i64,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update item_comment set body = $2, edited_at = $3 where id = $1",
        id,
        body,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a comment's text; it keeps its place in the thread.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn delete(
    conn: &mut PgConnection,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update item_comment set body = '', deleted_at = $2 where id = $1",
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

// --- watchers ------------------------------------------------------------------------------

/// Adds watchers to an item (those watching already stay as they were).
#[tracing::instrument(skip(conn, users), err(level = "debug"))]
pub async fn watch(
    conn: &mut PgConnection,
    item_id: Uuid,
    users: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into item_watcher (item_id, user_id)
           select $1, u from unnest($2::uuid[]) u
           on conflict do nothing"#,
        item_id,
        users
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn unwatch(
    conn: &mut PgConnection,
    item_id: Uuid,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from item_watcher where item_id = $1 and user_id = $2",
        item_id,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Who watches an item and is still a member of its project.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn watchers(
    conn: &mut PgConnection,
    project_id: Uuid,
    item_id: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select w.user_id from item_watcher w
           join project_member m on m.user_id = w.user_id and m.project_id = $1
           where w.item_id = $2
           order by w.since"#,
        project_id,
        item_id
    )
    .fetch_all(conn)
    .await
}

/// The project's members: account, display name, email (for mentions).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn members(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.display_name, u.email from project_member m
           join app_user u on u.id = m.user_id
           where m.project_id = $1"#,
        project_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.display_name, r.email))
        .collect())
}

/// Titles of the project's live items with these numbers.
#[tracing::instrument(skip(conn, numbers), err(level = "debug"))]
pub async fn titles(
    conn: &mut PgConnection,
    project_id: Uuid,
    numbers: &[i32],
) -> Result<Vec<(i32, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select number, title from work_item
           where project_id = $1 and number = any($2) and deleted_at is null"#,
        project_id,
        numbers
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.number, r.title)).collect())
}

// --- notifications ---------------------------------------------------------------------------

pub struct NewNotification<'a> {
    pub user_id: Uuid,
    pub project_id: Uuid,
    pub item_id: Option<Uuid>,
    pub kind: &'a str,
    pub actor_id: Option<Uuid>,
    pub comment_id: Option<i64>,
    pub summary: &'a str,
}

/// Records a notification; it waits to go out by email unless its reader muted its kind.
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn notify(conn: &mut PgConnection, n: NewNotification<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into notification (user_id, project_id, item_id, kind, actor_id, comment_id,
                                     summary, email_due)
           select $1, $2, $3, $4, $5, $6, $7, not ($4 = any(u.email_muted))
           from app_user u where u.id = $1"#,
        n.user_id,
        n.project_id,
        n.item_id,
        n.kind,
        n.actor_id,
        n.comment_id,
        n.summary
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub kind: String,
    pub summary: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub slug: String,
    pub project_name: String,
    pub item_number: Option<i32>,
    pub comment_id: Option<i64>,
}

/// A person's latest notifications, newest first, from projects they are still a member
/// of (nothing reveals a project they have left).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn inbox(
    pool: &PgPool,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as!(
        NotificationRow,
        r#"select n.id, n.kind, n.summary, n.created_at, n.read_at, p.slug,
                  p.name as project_name, w.number as "item_number?", n.comment_id
           from notification n
           join project p on p.id = n.project_id
           join project_member m on m.project_id = n.project_id and m.user_id = n.user_id
           left join work_item w on w.id = n.item_id
           where n.user_id = $1
           order by n.id desc
           limit $2"#,
        user_id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// How many unread notifications a person has (from projects they are still in).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn unread(pool: &PgPool, user_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from notification n
           join project_member m on m.project_id = n.project_id and m.user_id = n.user_id
           where n.user_id = $1 and n.read_at is null"#,
        user_id
    )
    .fetch_one(pool)
    .await
}

/// Marks one (or, with `None`, every) notification of the person read.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn mark_read(
    pool: &PgPool,
    user_id: Uuid,
    id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"update notification set read_at = $3
           where user_id = $1 and read_at is null and ($2::bigint is null or id = $2)"#,
        user_id,
        id,
        at
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

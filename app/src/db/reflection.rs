//! Reflection cards and their votes.

use crate::domain::reflection::CardKind;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    pub id: i64,
    pub increment_id: i64,
    pub week: i16,
    pub kind: CardKind,
    pub body: String,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub group_name: Option<String>,
    pub position: i32,
    pub item_number: Option<i32>,
    pub votes: i64,
    pub voted: bool,
    pub created_at: DateTime<Utc>,
}

/// One board's cards (an increment's week) in the scrum master's order, with votes as
/// `user` sees them.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn cards(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: i64,
    week: Option<i16>,
    user: Uuid,
) -> Result<Vec<CardRow>, sqlx::Error> {
    cards_where(conn, project_id, Some(increment_id), week, None, user).await
}

async fn cards_where(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: Option<i64>,
    week: Option<i16>,
    id: Option<i64>,
    user: Uuid,
) -> Result<Vec<CardRow>, sqlx::Error> {
    sqlx::query_as!(
        CardRow,
        r#"select c.id, c.increment_id, c.week, c.kind as "kind: _", c.body, c.author_id,
                  u.display_name as "author_name?", c.group_name, c.position,
                  w.number as "item_number?",
                  (select count(*) from reflection_vote v where v.card_id = c.id) as "votes!",
                  exists (select 1 from reflection_vote v
                          where v.card_id = c.id and v.user_id = $4) as "voted!",
                  c.created_at
           from reflection_card c
           left join app_user u on u.id = c.author_id
           left join work_item w on w.id = c.item_id
           where c.project_id = $1 and ($2::bigint is null or c.increment_id = $2)
             and ($3::smallint is null or c.week = $3) and ($5::bigint is null or c.id = $5)
           order by c.week, c.kind, c.position, c.id"#,
        project_id,
        increment_id,
        week,
        user,
        id
    )
    .fetch_all(conn)
    .await
}

/// One card, locked until the transaction ends.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn card(
    conn: &mut PgConnection,
    project_id: Uuid,
    id: i64,
    user: Uuid,
) -> Result<Option<CardRow>, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "select id from reflection_card where project_id = $1 and id = $2 for update",
        project_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = found else { return Ok(None) };
    Ok(cards_where(conn, project_id, None, None, Some(found), user)
        .await?
        .pop())
}

#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(conn, body), err(level = "debug"))]
pub async fn insert(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: i64,
    week: i16,
    kind: &str,
    body: &str,
    author: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into reflection_card (project_id, increment_id, week, kind, body, author_id,
                                        position)
           values ($1, $2, $3, $4, $5, $6,
                   (select coalesce(max(position), 0) + 1 from reflection_card
                    where increment_id = $2 and week = $3 and kind = $4))
           returning id"#,
        project_id,
        increment_id,
        week,
        kind,
        body,
        author
    )
    .fetch_one(conn)
    .await
}

pub async fn set_body(conn: &mut PgConnection, id: i64, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update reflection_card set body = $2 where id = $1",
        id,
        body
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn arrange(
    conn: &mut PgConnection,
    id: i64,
    group: Option<&str>,
    position: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update reflection_card set group_name = $2, position = $3 where id = $1",
        id,
        group,
        position
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn link_item(conn: &mut PgConnection, id: i64, item: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update reflection_card set item_id = $2 where id = $1",
        id,
        item
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the increment's row lock, so one person's votes on its boards are counted one
/// vote at a time (the limit holds under double clicks).
pub async fn lock_increment(conn: &mut PgConnection, increment_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "select id from increment where id = $1 for update",
        increment_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

pub async fn votes_used(
    conn: &mut PgConnection,
    increment_id: i64,
    week: i16,
    user: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from reflection_vote v
           join reflection_card c on c.id = v.card_id
           where c.increment_id = $1 and c.week = $2 and v.user_id = $3"#,
        increment_id,
        week,
        user
    )
    .fetch_one(conn)
    .await
}

pub async fn set_vote(
    conn: &mut PgConnection,
    card: i64,
    user: Uuid,
    on: bool,
) -> Result<(), sqlx::Error> {
    if on {
        sqlx::query!(
            "insert into reflection_vote (card_id, user_id) values ($1, $2) on conflict do nothing",
            card,
            user
        )
        .execute(conn)
        .await?;
    } else {
        sqlx::query!(
            "delete from reflection_vote where card_id = $1 and user_id = $2",
            card,
            user
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

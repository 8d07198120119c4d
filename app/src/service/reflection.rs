//! The weekly reflection's boards: cards, votes, arrangement, and action items turned into
//! backlog items.

use super::{access, Access};
use crate::auth::Caller;
use crate::db::reflection::{self as db, CardRow};
use crate::domain::reflection::{
    may_vote, parse_card, parse_group, week_of, weeks_in, CardKind, VOTES_PER_PERSON,
};
use crate::domain::IncrementState;
use crate::domain::{Permission, Title};
use crate::error::AppError;
use crate::model::reflection::{Card, Reflection};
use sqlx::PgPool;
use uuid::Uuid;

/// The most cards one board (an increment's week) holds: a team's week fits many times
/// over, and reading a board stays quick.
pub const MAX_CARDS_PER_BOARD: usize = 300;
/// The most group headings on one board.
pub const MAX_GROUPS_PER_BOARD: usize = 30;
/// Card positions lie within ± this: a new card goes after the last one (position + 1),
/// which must not overflow.
pub const MAX_POSITION: i32 = 1_000_000;

fn to_card(row: &CardRow, me: Uuid) -> Result<Card, AppError> {
    Ok(Card {
        id: row.id,
        week: row.week.clamp(1, 52) as u8,
        kind: row.kind,
        body: row.body.clone(),
        author: row.author_name.clone(),
        mine: row.author_id == Some(me),
        votes: row.votes,
        voted: row.voted,
        group_name: row.group_name.clone(),
        position: row.position,
        item: row.item_number,
    })
}

/// The board of an increment's week. By default the running increment (else the latest
/// closed one) and the week of today within it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn board(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: Option<i64>,
    week: Option<u8>,
) -> Result<Reflection, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let all = super::sprints::increments_with_velocity(pool, &access).await?;
    let started: Vec<_> = all
        .iter()
        .filter(|(i, _)| i.state != IncrementState::Planned)
        .collect();
    let index = match increment {
        Some(id) => all
            .iter()
            .position(|(i, _)| i.id == id)
            .ok_or(AppError::NotFound)?,
        None => all
            .iter()
            .position(|(i, _)| i.state == IncrementState::Active)
            .or_else(|| {
                all.iter()
                    .rposition(|(i, _)| i.state == IncrementState::Closed)
            })
            .ok_or_else(|| {
                AppError::Conflict(
                    "there is no increment to reflect on yet: start one first".into(),
                )
            })?,
    };
    let (increment, velocity) = all[index].clone();
    let weeks = weeks_in(increment.starts_on, increment.ends_on);
    let week = match week {
        Some(w) if (1..=weeks).contains(&w) => w,
        Some(w) => {
            return Err(AppError::validation(
                "week",
                format!("{} has weeks 1 to {weeks}, not {w}", increment.label()),
            ))
        }
        None => week_of(
            increment.starts_on,
            increment.ends_on,
            access.caller.clock.today(),
        ),
    };
    let previous = all[..index]
        .iter()
        .rev()
        .find(|(i, _)| i.state == IncrementState::Closed)
        .map(|(i, v)| (i.label(), *v));
    let me = access.caller.id;
    let mut conn = pool.acquire().await?;
    let rows = db::cards(
        &mut conn,
        access.project.id,
        increment.id,
        Some(i16::from(week)),
        me,
    )
    .await?;
    let used = db::votes_used(&mut conn, increment.id, i16::from(week), me).await?;
    Ok(Reflection {
        cards: rows
            .iter()
            .map(|r| to_card(r, me))
            .collect::<Result<_, _>>()?,
        votes_left: VOTES_PER_PERSON.saturating_sub(used.clamp(0, i64::from(u32::MAX)) as u32),
        votes_per_person: VOTES_PER_PERSON,
        can_write: writable(&access),
        can_arrange: access.role.allows(Permission::Plan) && access.project.archived_at.is_none(),
        increments: started.into_iter().map(|(i, _)| i.clone()).collect(),
        increment,
        week,
        weeks,
        velocity,
        previous,
    })
}

fn writable(access: &Access) -> bool {
    access.role.allows(Permission::Contribute) && access.project.archived_at.is_none()
}

async fn read_card(pool: &PgPool, access: &Access, id: i64) -> Result<Card, AppError> {
    let mut conn = pool.acquire().await?;
    let row = db::card(&mut conn, access.project.id, id, access.caller.id)
        .await?
        .ok_or(AppError::NotFound)?;
    to_card(&row, access.caller.id)
}

#[tracing::instrument(skip(pool, caller, body), err(level = "info"))]
pub async fn add(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: i64,
    week: u8,
    kind: &str,
    body: &str,
) -> Result<Card, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let kind = CardKind::parse(kind).ok_or_else(|| {
        AppError::validation("kind", "a card goes under went_well, went_badly or action")
    })?;
    let body = parse_card(body).map_err(|e| AppError::validation("body", e))?;
    let mut tx = pool.begin().await?;
    let row = crate::db::sprints::increment(&mut tx, access.project.id, increment, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let weeks = weeks_in(row.starts_on, row.ends_on);
    if !(1..=weeks).contains(&week) {
        return Err(AppError::validation(
            "week",
            format!("this increment has weeks 1 to {weeks}"),
        ));
    }
    // Counted under the increment's lock, so two people adding at once cannot pass the limit.
    db::lock_increment(&mut tx, increment).await?;
    let board = db::cards(
        &mut tx,
        access.project.id,
        increment,
        Some(i16::from(week)),
        access.caller.id,
    )
    .await?;
    if board.len() >= MAX_CARDS_PER_BOARD {
        return Err(AppError::validation(
            "body",
            format!(
                "this board already holds {MAX_CARDS_PER_BOARD} cards, the most it takes: \
                 vote, group or remove some instead"
            ),
        ));
    }
    let id = db::insert(
        &mut tx,
        access.project.id,
        increment,
        i16::from(week),
        kind.as_str(),
        &body,
        access.caller.id,
    )
    .await?;
    tx.commit().await?;
    read_card(pool, &access, id).await
}

/// Edits the text of one's own card.
#[tracing::instrument(skip(pool, caller, body), err(level = "info"))]
pub async fn edit(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    body: &str,
) -> Result<Card, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let body = parse_card(body).map_err(|e| AppError::validation("body", e))?;
    let mut tx = pool.begin().await?;
    let card = db::card(&mut tx, access.project.id, id, access.caller.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if card.author_id != Some(access.caller.id) {
        return Err(AppError::Forbidden);
    }
    db::set_body(&mut tx, id, &body).await?;
    tx.commit().await?;
    read_card(pool, &access, id).await
}

/// Casts or takes back the caller's vote on a card, within their votes for the board.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn vote(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    on: bool,
) -> Result<Card, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let me = access.caller.id;
    let mut tx = pool.begin().await?;
    let card = db::card(&mut tx, access.project.id, id, me)
        .await?
        .ok_or(AppError::NotFound)?;
    db::lock_increment(&mut tx, card.increment_id).await?;
    if on && !card.voted {
        let used = db::votes_used(&mut tx, card.increment_id, card.week, me).await?;
        may_vote(used.clamp(0, i64::from(u32::MAX)) as u32)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
    }
    db::set_vote(&mut tx, id, me, on).await?;
    tx.commit().await?;
    read_card(pool, &access, id).await
}

/// The scrum master groups cards under a heading and orders them.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn arrange(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    group: &str,
    position: i32,
) -> Result<Card, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let group = parse_group(group).map_err(|e| AppError::validation("group_name", e))?;
    if !(-MAX_POSITION..=MAX_POSITION).contains(&position) {
        return Err(AppError::validation(
            "position",
            format!("a position lies between -{MAX_POSITION} and {MAX_POSITION}"),
        ));
    }
    let mut tx = pool.begin().await?;
    let card = db::card(&mut tx, access.project.id, id, access.caller.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(name) = group.as_deref() {
        db::lock_increment(&mut tx, card.increment_id).await?;
        let board = db::cards(
            &mut tx,
            access.project.id,
            card.increment_id,
            Some(card.week),
            access.caller.id,
        )
        .await?;
        let groups: std::collections::HashSet<&str> = board
            .iter()
            .filter_map(|c| c.group_name.as_deref())
            .collect();
        if !groups.contains(name) && groups.len() >= MAX_GROUPS_PER_BOARD {
            return Err(AppError::validation(
                "group_name",
                format!(
                    "a board has at most {MAX_GROUPS_PER_BOARD} groups: put the card under one \
                     that exists"
                ),
            ));
        }
    }
    db::arrange(&mut tx, id, group.as_deref(), position).await?;
    tx.commit().await?;
    read_card(pool, &access, id).await
}

/// Turns an action item into a task at the top of the backlog, linked both ways: the card
/// names the item, the item's description names the card's increment and week.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn to_item(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
) -> Result<Card, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let mut tx = pool.begin().await?;
    let card = db::card(&mut tx, access.project.id, id, access.caller.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if card.kind != CardKind::Action {
        return Err(AppError::Conflict(
            "only action items become backlog items".into(),
        ));
    }
    if let Some(n) = card.item_number {
        return Err(AppError::Conflict(format!(
            "this action item is already #{n} in the backlog"
        )));
    }
    let increment =
        crate::db::sprints::increment(&mut tx, access.project.id, card.increment_id, false)
            .await?
            .ok_or_else(|| AppError::broken("card without its increment"))?;
    let title: String = card
        .body
        .chars()
        .take(crate::domain::title::TITLE_MAX_CHARS)
        .collect();
    let title = Title::parse(&title).map_err(|e| AppError::validation("body", e))?;
    let description = format!(
        "Action item from the reflection on {} · {}, week {}:\n\n> {}",
        increment.sprint_name, increment.number, card.week, card.body
    );
    let (item_id, _) = super::items::insert_task_at_top(
        &mut tx,
        access.project.id,
        access.caller.id,
        &access.caller.clock,
        &title,
        &description,
    )
    .await?;
    db::link_item(&mut tx, id, item_id).await?;
    tx.commit().await?;
    read_card(pool, &access, id).await
}

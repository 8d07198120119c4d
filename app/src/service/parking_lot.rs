//! The parking lot: topics raised in a meeting, to talk about after it.

use super::access;
use crate::auth::Caller;
use crate::db::parking_lot::{self as db, TopicRow};
use crate::domain::{Permission, Title};
use crate::error::AppError;
use crate::model::parking_lot::{ParkingLot, Topic, SHOWN_TOPICS};
use sqlx::PgPool;

/// The most recent topics and how many there are.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn topics(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<ParkingLot, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let topics = db::recent(pool, access.project.id, SHOWN_TOPICS).await?;
    let total = db::count(pool, access.project.id).await?;
    Ok(ParkingLot {
        topics: topics.into_iter().map(topic).collect(),
        total,
    })
}

/// Parks a topic.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn add(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    title: &str,
) -> Result<Topic, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let title = Title::parse(title).map_err(|e| AppError::validation("title", e))?;
    Ok(topic(db::add(pool, access.project.id, &title).await?))
}

fn topic(row: TopicRow) -> Topic {
    Topic {
        id: row.id,
        title: row.title,
        created_at: row.created_at,
    }
}

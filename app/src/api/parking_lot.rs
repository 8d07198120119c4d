//! The parking lot: topics raised in a meeting, to talk about after it. One per project.
//!
//! Listed in the authorization table in `server/tests/authz.rs`.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many topics the page shows.
pub const SHOWN_TOPICS: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkingLot {
    pub topics: Vec<Topic>,
    pub total: i64,
}

#[server(prefix = "/api/fn", endpoint = "parking_lot/list")]
pub async fn list_topics(slug: String) -> Result<ParkingLot, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::db::parking_lot as db;
    use crate::domain::Permission;
    use crate::service::access;
    finish(
        async {
            let pool = pool()?;
            let access = access(&pool, caller().await?.as_ref(), &slug, Permission::Read).await?;
            let topics = db::recent(&pool, access.project.id, SHOWN_TOPICS).await?;
            let total = db::count(&pool, access.project.id).await?;
            Ok(ParkingLot {
                topics: topics.into_iter().map(Topic::from).collect(),
                total,
            })
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "parking_lot/add")]
pub async fn add_topic(slug: String, title: String) -> Result<Topic, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::db::parking_lot as db;
    use crate::domain::{Permission, Title};
    use crate::service::access;
    finish(
        async {
            let pool = pool()?;
            let access = access(
                &pool,
                caller().await?.as_ref(),
                &slug,
                Permission::Contribute,
            )
            .await?;
            let title = Title::parse(&title).map_err(|e| AppError::validation("title", e))?;
            Ok(db::add(&pool, access.project.id, &title).await?.into())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
impl From<crate::db::parking_lot::TopicRow> for Topic {
    fn from(row: crate::db::parking_lot::TopicRow) -> Self {
        Topic {
            id: row.id,
            title: row.title,
            created_at: row.created_at,
        }
    }
}

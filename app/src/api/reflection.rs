//! The weekly reflection: cards under "went well", "didn't go well" and "action items"
//! per increment and week, votes (a few per person), grouping and order by the scrum
//! master, and action items turned into backlog items.
//!
//! Every function here is project-scoped and listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use super::sprints::Increment;
use crate::domain::reflection::CardKind;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Card {
    pub id: i64,
    pub week: u8,
    pub kind: CardKind,
    pub body: String,
    pub author: Option<String>,
    /// The caller wrote it (and may edit it).
    pub mine: bool,
    pub votes: i64,
    /// The caller voted for it.
    pub voted: bool,
    pub group_name: Option<String>,
    pub position: i32,
    /// The backlog item an action item became.
    pub item: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reflection {
    pub increment: Increment,
    /// Increments that have started, for the chooser.
    pub increments: Vec<Increment>,
    pub week: u8,
    pub weeks: u8,
    /// Points per business day of this increment (so far, while it runs).
    pub velocity: Option<f64>,
    /// The increment before it, and its velocity.
    pub previous: Option<(String, Option<f64>)>,
    pub cards: Vec<Card>,
    pub votes_left: u32,
    pub votes_per_person: u32,
    pub can_write: bool,
    pub can_arrange: bool,
}

#[server(prefix = "/api/fn", endpoint = "reflection")]
pub async fn get_reflection(
    slug: String,
    increment: Option<i64>,
    week: Option<u8>,
) -> Result<Reflection, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::board(&pool, caller().await?.as_ref(), &slug, increment, week).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "reflection/add")]
pub async fn add_card(
    slug: String,
    increment: i64,
    week: u8,
    kind: String,
    body: String,
) -> Result<Card, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::add(
                &pool,
                caller().await?.as_ref(),
                &slug,
                increment,
                week,
                &kind,
                &body,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "reflection/edit")]
pub async fn edit_card(slug: String, id: i64, body: String) -> Result<Card, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::edit(&pool, caller().await?.as_ref(), &slug, id, &body).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "reflection/vote")]
pub async fn vote_card(slug: String, id: i64, on: bool) -> Result<Card, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::vote(&pool, caller().await?.as_ref(), &slug, id, on).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "reflection/arrange")]
pub async fn arrange_card(
    slug: String,
    id: i64,
    group_name: String,
    position: i32,
) -> Result<Card, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::arrange(
                &pool,
                caller().await?.as_ref(),
                &slug,
                id,
                &group_name,
                position,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "reflection/to_item")]
pub async fn card_to_item(slug: String, id: i64) -> Result<Card, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::reflection;
    finish(
        async {
            let pool = pool()?;
            reflection::to_item(&pool, caller().await?.as_ref(), &slug, id).await
        }
        .await,
    )
}

//! The weekly reflection: cards under "went well", "didn't go well" and "action items"
//! per increment and week, votes (a few per person), grouping and order by the scrum
//! master, and action items turned into backlog items.
//!
//! Every function here is project-scoped and listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use crate::error::AppError;
use crate::model::reflection::*;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "reflection")]
pub async fn get_reflection(
    slug: String,
    increment: Option<i64>,
    week: Option<u8>,
) -> Result<Reflection, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| {
        reflection::board(&pool, caller.as_ref(), &slug, increment, week).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "reflection/add")]
pub async fn add_card(
    slug: String,
    increment: i64,
    week: u8,
    kind: String,
    body: String,
) -> Result<Card, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| {
        reflection::add(&pool, caller.as_ref(), &slug, increment, week, &kind, &body).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "reflection/edit")]
pub async fn edit_card(slug: String, id: i64, body: String) -> Result<Card, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| reflection::edit(&pool, caller.as_ref(), &slug, id, &body).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "reflection/vote")]
pub async fn vote_card(slug: String, id: i64, on: bool) -> Result<Card, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| reflection::vote(&pool, caller.as_ref(), &slug, id, on).await).await
}

#[server(prefix = "/api/fn", endpoint = "reflection/arrange")]
pub async fn arrange_card(
    slug: String,
    id: i64,
    group_name: String,
    position: i32,
) -> Result<Card, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| {
        reflection::arrange(&pool, caller.as_ref(), &slug, id, &group_name, position).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "reflection/to_item")]
pub async fn card_to_item(slug: String, id: i64) -> Result<Card, AppError> {
    use super::ssr::serve;
    use crate::service::reflection;
    serve(async |pool, caller| reflection::to_item(&pool, caller.as_ref(), &slug, id).await).await
}

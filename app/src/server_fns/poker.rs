//! Planning poker (see `service::poker`): the session page's calls.
//!
//! Listed in the authorization table in `server/tests/http/authz.rs`.

use crate::error::AppError;
use crate::model::poker::PokerState;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "poker/state")]
pub async fn get_poker(slug: String) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::state(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "poker/start")]
pub async fn begin_poker(
    slug: String,
    increment: Option<i64>,
    countdown_secs: Option<i32>,
    /// Item numbers, "3,5,8" (a selection from the backlog); absent: the default queue.
    items: Option<String>,
) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::error::FieldErrors;
    use crate::service::poker;
    let items = match items.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        None => None,
        Some(list) => Some(crate::model::poker::parse_numbers(list).ok_or_else(|| {
            AppError::Validation(FieldErrors::one(
                "items",
                "item numbers separated by commas",
            ))
        })?),
    };
    let input = crate::model::poker::StartPoker {
        items,
        increment,
        countdown_secs,
    };
    serve(async |pool, caller| poker::start(&pool, caller.as_ref(), &slug, &input).await).await
}

#[server(prefix = "/api/fn", endpoint = "poker/vote")]
pub async fn poker_vote(
    slug: String,
    position: i32,
    round: i32,
    card: String,
) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| {
        poker::vote(&pool, caller.as_ref(), &slug, position, round, &card).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "poker/reveal")]
pub async fn poker_reveal(slug: String, position: i32) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::reveal(&pool, caller.as_ref(), &slug, position).await).await
}

#[server(prefix = "/api/fn", endpoint = "poker/round")]
pub async fn poker_new_round(slug: String, position: i32) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::new_round(&pool, caller.as_ref(), &slug, position).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "poker/accept")]
pub async fn poker_accept(
    slug: String,
    position: i32,
    points: i64,
) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::accept(&pool, caller.as_ref(), &slug, position, points).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "poker/skip")]
pub async fn poker_skip(slug: String, position: i32) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::skip(&pool, caller.as_ref(), &slug, position).await).await
}

#[server(prefix = "/api/fn", endpoint = "poker/end")]
pub async fn poker_end(slug: String) -> Result<PokerState, AppError> {
    use super::ssr::serve;
    use crate::service::poker;
    serve(async |pool, caller| poker::end(&pool, caller.as_ref(), &slug).await).await
}

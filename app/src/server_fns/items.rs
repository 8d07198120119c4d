//! Work items: the backlog, epics and their children, editing with versions, moving,
//! deleting with undo, and history.
//!
//! Every function here is project-scoped and listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use crate::error::AppError;
use crate::model::items::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A page of the backlog, or of items matching a filter; its items come without their
/// descriptions (`get_item` has them).
#[server(prefix = "/api/fn", endpoint = "items/list", input = Json)]
pub async fn list_items(slug: String, query: ItemQuery) -> Result<ItemPage, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::list(&pool, caller.as_ref(), &slug, &query).await).await
}

#[server(prefix = "/api/fn", endpoint = "items/detail")]
pub async fn get_item(slug: String, number: i32) -> Result<ItemDetail, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::detail(&pool, caller.as_ref(), &slug, number).await).await
}

/// A description as it will show once saved (the edit form's preview).
#[server(prefix = "/api/fn", endpoint = "items/preview", input = Json)]
pub async fn preview_description(slug: String, text: String) -> Result<String, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::preview(&pool, caller.as_ref(), &slug, &text).await).await
}

#[server(prefix = "/api/fn", endpoint = "items/create", input = Json)]
pub async fn create_item(slug: String, item: NewItem) -> Result<Item, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::create(&pool, caller.as_ref(), &slug, &item).await).await
}

#[server(prefix = "/api/fn", endpoint = "items/update", input = Json)]
pub async fn update_item(slug: String, number: i32, patch: ItemPatch) -> Result<Item, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::update(&pool, caller.as_ref(), &slug, number, &patch).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "items/move", input = Json)]
pub async fn move_item(slug: String, number: i32, to: MoveTo) -> Result<Item, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::move_to(&pool, caller.as_ref(), &slug, number, &to).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "items/delete", input = Json)]
pub async fn delete_item(
    slug: String,
    number: i32,
    children: Option<ChildrenChoice>,
) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::delete(&pool, caller.as_ref(), &slug, number, children).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "items/restore", input = Json)]
pub async fn restore_item(slug: String, number: i32) -> Result<Item, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::restore(&pool, caller.as_ref(), &slug, number).await).await
}

// Plain-form twins of `items/create`, `items/move` and a board move: the backlog's and the
// board's controls are HTML forms posting here, so they work with JavaScript off (Leptos
// answers a plain form post with a redirect back to the page, carrying any error in the
// URL). With JavaScript on, the pages call the JSON functions above instead.

/// A form field that may be left empty ("" is absent).
#[cfg(feature = "ssr")]
fn filled(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A number from a form field that may be left empty.
#[cfg(feature = "ssr")]
fn number_in<T: std::str::FromStr>(
    field: &str,
    value: Option<String>,
) -> Result<Option<T>, AppError> {
    filled(value)
        .map(|v| {
            v.parse()
                .map_err(|_| AppError::validation(field, format!("{v:?} is not a number")))
        })
        .transpose()
}

#[server(prefix = "/api/fn", endpoint = "items/add")]
pub async fn add_item_form(
    slug: String,
    title: String,
    kind: Option<String>,
    estimate: Option<String>,
    parent: Option<String>,
    position: Option<String>,
) -> Result<Item, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::items;
    finish(
        async {
            let item = NewItem {
                kind: filled(kind),
                title,
                description: None,
                estimate: number_in("estimate", estimate)?,
                parent: number_in("parent", parent)?,
                assignee: None,
                position: filled(position),
            };
            let pool = pool()?;
            items::create(&pool, caller().await?.as_ref(), &slug, &item).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "items/move-form")]
pub async fn move_item_form(
    slug: String,
    number: i32,
    before: Option<i32>,
    after: Option<i32>,
    to: Option<String>,
) -> Result<Item, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::items;
    finish(
        async {
            let to = MoveTo {
                before,
                after,
                to: filled(to),
            };
            let pool = pool()?;
            items::move_to(&pool, caller().await?.as_ref(), &slug, number, &to).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "items/state")]
pub async fn set_state_form(
    slug: String,
    number: i32,
    version: i32,
    state: String,
) -> Result<Item, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::items;
    finish(
        async {
            let patch = ItemPatch {
                version,
                state: Some(state),
                ..ItemPatch::default()
            };
            let pool = pool()?;
            items::update(&pool, caller().await?.as_ref(), &slug, number, &patch).await
        }
        .await,
    )
}

/// Makes one or more changes to several items at once, all or nothing (the backlog's
/// selection, and Undo sending back what the reply said).
#[server(prefix = "/api/fn", endpoint = "items/bulk", input = Json)]
pub async fn edit_many(slug: String, edits: Vec<BulkEdit>) -> Result<BulkDone, AppError> {
    use super::ssr::serve;
    use crate::service::items;
    serve(async |pool, caller| items::bulk(&pool, caller.as_ref(), &slug, &edits).await).await
}

/// The plain-form twin of `items/bulk`: the backlog's selection (checkboxes named
/// `items[]`) and one choice of its bulk menu (see [`BulkChange::from_choice`]).
#[server(prefix = "/api/fn", endpoint = "items/bulk-form")]
pub async fn edit_many_form(
    slug: String,
    items: Option<Vec<i32>>,
    change: String,
) -> Result<BulkDone, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::items;
    finish(
        async {
            let pool = pool()?;
            let items = items.unwrap_or_default();
            items::bulk_choice(&pool, caller().await?.as_ref(), &slug, items, &change).await
        }
        .await,
    )
}

//! Comments on items, watching, and the caller's notifications.
//!
//! The project-scoped functions here are listed in the authorization table in
//! `server/tests/http/authz.rs`; the inbox's are the caller's own (account level).

use crate::error::AppError;
use crate::model::comments::*;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "comments/thread")]
pub async fn comment_thread(slug: String, number: i32) -> Result<Thread, AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::thread(&pool, caller.as_ref(), &slug, number).await).await
}

#[server(prefix = "/api/fn", endpoint = "comments/add")]
pub async fn add_comment(slug: String, number: i32, body: String) -> Result<Comment, AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::add(&pool, caller.as_ref(), &slug, number, &body).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "comments/edit")]
pub async fn edit_comment(
    slug: String,
    number: i32,
    id: i64,
    body: String,
) -> Result<Comment, AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| {
        comments::edit(&pool, caller.as_ref(), &slug, number, id, &body).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "comments/delete")]
pub async fn delete_comment(slug: String, number: i32, id: i64) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::delete(&pool, caller.as_ref(), &slug, number, id).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "items/watch")]
pub async fn watch_item(slug: String, number: i32, watching: bool) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| {
        comments::set_watching(&pool, caller.as_ref(), &slug, number, watching).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "inbox")]
pub async fn my_inbox() -> Result<Inbox, AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::inbox(&pool, caller.as_ref()).await).await
}

#[server(prefix = "/api/fn", endpoint = "inbox/unread")]
pub async fn unread_count() -> Result<i64, AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::unread(&pool, caller.as_ref()).await).await
}

/// Marks one notification read, or all of them when `id` is absent.
#[server(prefix = "/api/fn", endpoint = "inbox/read")]
pub async fn mark_read(id: Option<i64>) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::comments;
    serve(async |pool, caller| comments::mark_read(&pool, caller.as_ref(), id).await).await
}

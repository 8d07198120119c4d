//! The daily stand-up: per member, what they did on the previous business day (from the
//! history), what they are doing, what blocks them, and their note for the day.
//!
//! Every function here is project-scoped and listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use crate::error::AppError;
use crate::model::standup::*;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "standup")]
pub async fn get_standup(slug: String, date: Option<String>) -> Result<Standup, AppError> {
    use super::ssr::serve;
    use crate::service::standup;
    serve(async |pool, caller| {
        standup::standup(&pool, caller.as_ref(), &slug, date.as_deref()).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "standup/note")]
pub async fn save_note(
    slug: String,
    date: String,
    yesterday: String,
    today: String,
    blockers: String,
) -> Result<Note, AppError> {
    use super::ssr::serve;
    use crate::service::standup;
    serve(async |pool, caller| {
        let note = NoteInput {
            yesterday,
            today,
            blockers,
        };
        standup::save_note(&pool, caller.as_ref(), &slug, &date, &note).await
    })
    .await
}

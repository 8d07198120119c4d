//! Sprints and their increments: planning with capacity, the task board, starting and
//! closing (which freezes the report), and the velocity, burndown and forecast reports.
//!
//! Every function here is project-scoped and listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use crate::error::AppError;
use crate::model::sprints::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api/fn", endpoint = "sprints/list")]
pub async fn list_sprints(slug: String) -> Result<Vec<Sprint>, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::list(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "sprints/create")]
pub async fn create_sprint(slug: String, sprint: NewSprint) -> Result<Sprint, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::create(&pool, caller.as_ref(), &slug, &sprint).await).await
}

#[server(prefix = "/api/fn", endpoint = "sprints/rename")]
pub async fn rename_sprint(slug: String, id: i64, name: String) -> Result<Sprint, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| {
        let patch = SprintPatch { name };
        sprints::rename(&pool, caller.as_ref(), &slug, id, &patch).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "increments/edit")]
pub async fn edit_increment(
    slug: String,
    id: i64,
    starts_on: String,
    ends_on: String,
) -> Result<Increment, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| {
        let patch = IncrementPatch {
            starts_on: Some(starts_on),
            ends_on: Some(ends_on),
        };
        sprints::edit_increment(&pool, caller.as_ref(), &slug, id, &patch).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "increments/report")]
pub async fn get_increment_report(slug: String, id: i64) -> Result<IncrementReport, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::report(&pool, caller.as_ref(), &slug, id).await).await
}

#[server(prefix = "/api/fn", endpoint = "increments/commit", input = Json)]
pub async fn commit_items(
    slug: String,
    id: i64,
    items: Vec<i32>,
    commit: bool,
) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| {
        let items = Commitment { items };
        if commit {
            sprints::commit(&pool, caller.as_ref(), &slug, id, &items).await
        } else {
            sprints::uncommit(&pool, caller.as_ref(), &slug, id, &items).await
        }
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "increments/start")]
pub async fn start_increment(slug: String, id: i64) -> Result<Increment, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::start(&pool, caller.as_ref(), &slug, id).await).await
}

#[server(prefix = "/api/fn", endpoint = "increments/close", input = Json)]
pub async fn close_increment(
    slug: String,
    id: i64,
    close: Closing,
) -> Result<IncrementReport, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::close(&pool, caller.as_ref(), &slug, id, &close).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "planning")]
pub async fn get_planning(
    slug: String,
    increment: Option<i64>,
    velocity: Option<String>,
) -> Result<Planning, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| {
        sprints::planning(
            &pool,
            caller.as_ref(),
            &slug,
            increment,
            velocity.as_deref(),
        )
        .await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "board")]
pub async fn get_board(slug: String, increment: Option<i64>) -> Result<Board, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::board(&pool, caller.as_ref(), &slug, increment).await).await
}

#[server(prefix = "/api/fn", endpoint = "reports/velocity")]
pub async fn get_velocity(slug: String) -> Result<VelocityReport, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::velocity(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "reports/forecast")]
pub async fn get_forecast(slug: String) -> Result<ForecastReport, AppError> {
    use super::ssr::serve;
    use crate::service::sprints;
    serve(async |pool, caller| sprints::forecast(&pool, caller.as_ref(), &slug).await).await
}

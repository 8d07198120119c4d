//! The JSON API under `/api/v1`, for integrations and report tools. Handlers are thin: they
//! resolve the caller (API token or session cookie) and call the same `app::service`
//! operations as the server functions, so validation and authorization are one copy.
//!
//! Every route is listed in [`ApiDoc`]; the document is served at `/api/v1/openapi.json`.

mod account;
mod error;
mod export;
mod extract;
mod items;
mod members;
mod openapi;
mod projects;
mod sprints;
mod standup;

pub use openapi::ApiDoc;

use crate::AppState;
use app::error::AppError;
use axum::routing::get;
use axum::Router;
use error::ApiError;

/// The largest document an import accepts: about 150,000 items with a short history (the
/// export of 100,000 such items measured 83 MB). It is parsed in memory.
const IMPORT_LIMIT: usize = 128 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(account::me))
        .route(
            "/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route("/projects/{slug}", get(projects::get_project))
        .route(
            "/projects/import",
            axum::routing::post(export::import_project)
                .get(projects::get_project_named_import)
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/projects/{slug}/export", get(export::export_project))
        .route("/projects/{slug}/standup", get(standup::standup))
        .route(
            "/projects/{slug}/settings",
            axum::routing::put(projects::put_settings),
        )
        .route(
            "/projects/{slug}/members",
            get(members::list_members).post(members::add_member),
        )
        .route(
            "/projects/{slug}/members/{email}",
            axum::routing::patch(members::update_member).delete(members::remove_member),
        )
        .route(
            "/projects/{slug}/items",
            get(items::list_items).post(items::create_item),
        )
        .route(
            "/projects/{slug}/items/{number}",
            get(items::get_item)
                .patch(items::patch_item)
                .delete(items::delete_item),
        )
        .route(
            "/projects/{slug}/items/{number}/move",
            axum::routing::post(items::move_item),
        )
        .route(
            "/projects/{slug}/sprints",
            get(sprints::list_sprints).post(sprints::create_sprint),
        )
        .route(
            "/projects/{slug}/sprints/{id}",
            axum::routing::patch(sprints::patch_sprint),
        )
        .route("/projects/{slug}/increments", get(sprints::list_increments))
        .route(
            "/projects/{slug}/increments/{id}",
            get(sprints::get_increment).patch(sprints::patch_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/items",
            axum::routing::post(sprints::commit_items),
        )
        .route(
            "/projects/{slug}/increments/{id}/items/{number}",
            axum::routing::delete(sprints::uncommit_item),
        )
        .route(
            "/projects/{slug}/increments/{id}/start",
            axum::routing::post(sprints::start_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/close",
            axum::routing::post(sprints::close_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/burndown",
            get(sprints::burndown),
        )
        .route("/projects/{slug}/reports/velocity", get(sprints::velocity))
        .route("/projects/{slug}/reports/forecast", get(sprints::forecast))
        .fallback(|| async { ApiError(AppError::NotFound) });
    Router::new().nest("/api/v1", api)
}

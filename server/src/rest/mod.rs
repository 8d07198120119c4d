//! The JSON API under `/api/v1`, for integrations and report tools. Handlers are thin: they
//! resolve the caller (API token or session cookie) and call the same `app::service`
//! operations as the server functions, so validation and authorization are one copy.
//!
//! Every route is listed in [`ApiDoc`]; the document is served at `/api/v1/openapi.json`.

mod account;
mod comments;
mod error;
mod events;
mod export;
mod extract;
mod idempotency;
mod items;
mod members;
mod openapi;
mod poker;
mod projects;
mod sprints;
mod standup;

pub use error::{error_answer, ApiError};
pub use openapi::ApiDoc;

use crate::AppState;
use app::error::AppError;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

/// The most any import may send (the highest `CADENCE_IMPORT_LIMIT_MB`): what the edge
/// lets through to the import, which then holds the body to the configured limit
/// (`AppState::imports`, 128 MB by default: about 150,000 items with a short history).
pub(crate) const IMPORT_LIMIT: usize = crate::config::IMPORT_LIMIT_MB_MAX as usize * 1024 * 1024;

/// Where the API is served.
pub const PREFIX: &str = "/api/v1";

/// The API's routes, declared once: each `.get`/`.post`/… both serves its handler and notes
/// what it serves. axum's `Router` cannot list its routes, so the authorization table and
/// the OpenAPI check read [`route_list`], which comes from this same declaration and so
/// cannot drift from what is served.
struct Api {
    router: Router<AppState>,
    served: Vec<(Method, &'static str)>,
}

impl Api {
    fn new() -> Api {
        Api {
            router: Router::new(),
            served: Vec::new(),
        }
    }

    /// Serves `method` at `path` (under [`PREFIX`]) with `handler`, wrapped by `wrap` (for a
    /// layer on this one route).
    fn serve<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        handler: H,
        wrap: fn(MethodRouter<AppState>) -> MethodRouter<AppState>,
    ) -> Api
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a method axum can route");
        // A second method on a path already served joins the first (axum merges them).
        self.router = self.router.route(path, wrap(on(filter, handler)));
        self.served.push((method, path));
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Api {
        self.serve(Method::GET, path, handler, |route| route)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Api {
        self.serve(Method::POST, path, handler, |route| route)
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Api {
        self.serve(Method::PUT, path, handler, |route| route)
    }

    fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Api {
        self.serve(Method::PATCH, path, handler, |route| route)
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Api {
        self.serve(Method::DELETE, path, handler, |route| route)
    }
}

/// Every route of the API, without its layers.
fn declared() -> Api {
    Api::new()
        .get("/openapi.json", openapi::document)
        .get("/me", account::me)
        .get("/projects", projects::list_projects)
        .post("/projects", projects::create_project)
        .get("/projects/{slug}", projects::get_project)
        .serve(
            Method::POST,
            "/projects/import",
            export::import_project,
            // The import reads its body itself, within `AppState::imports`.
            |route| route.layer(axum::extract::DefaultBodyLimit::disable()),
        )
        // The project whose URL name is `import` (the path above takes it otherwise).
        .get("/projects/import", projects::get_project_named_import)
        .get("/projects/{slug}/export", export::export_project)
        .get("/projects/{slug}/standup", standup::standup)
        .get("/projects/{slug}/events", events::events)
        .get("/projects/{slug}/poker", poker::get_poker)
        .post("/projects/{slug}/poker", poker::start_poker)
        .post("/projects/{slug}/poker/vote", poker::vote)
        .post("/projects/{slug}/poker/reveal", poker::reveal)
        .post("/projects/{slug}/poker/round", poker::new_round)
        .post("/projects/{slug}/poker/accept", poker::accept)
        .post("/projects/{slug}/poker/skip", poker::skip)
        .post("/projects/{slug}/poker/end", poker::end)
        .get("/projects/{slug}/increments/{id}/poker", poker::kept)
        .put("/projects/{slug}/settings", projects::put_settings)
        .get("/projects/{slug}/members", members::list_members)
        .post("/projects/{slug}/members", members::add_member)
        .patch("/projects/{slug}/members/{email}", members::update_member)
        .delete("/projects/{slug}/members/{email}", members::remove_member)
        .get("/projects/{slug}/items", items::list_items)
        .post("/projects/{slug}/items", items::create_item)
        .get("/projects/{slug}/items/{number}", items::get_item)
        .patch("/projects/{slug}/items/{number}", items::patch_item)
        .delete("/projects/{slug}/items/{number}", items::delete_item)
        .post("/projects/{slug}/items/{number}/move", items::move_item)
        .post("/projects/{slug}/items/bulk", items::bulk)
        .get(
            "/projects/{slug}/items/{number}/comments",
            comments::list_comments,
        )
        .post(
            "/projects/{slug}/items/{number}/comments",
            comments::add_comment,
        )
        .patch(
            "/projects/{slug}/items/{number}/comments/{id}",
            comments::edit_comment,
        )
        .delete(
            "/projects/{slug}/items/{number}/comments/{id}",
            comments::delete_comment,
        )
        .get("/projects/{slug}/sprints", sprints::list_sprints)
        .post("/projects/{slug}/sprints", sprints::create_sprint)
        .patch("/projects/{slug}/sprints/{id}", sprints::patch_sprint)
        .get("/projects/{slug}/increments", sprints::list_increments)
        .get("/projects/{slug}/increments/{id}", sprints::get_increment)
        .patch("/projects/{slug}/increments/{id}", sprints::patch_increment)
        .post(
            "/projects/{slug}/increments/{id}/items",
            sprints::commit_items,
        )
        .delete(
            "/projects/{slug}/increments/{id}/items/{number}",
            sprints::uncommit_item,
        )
        .post(
            "/projects/{slug}/increments/{id}/start",
            sprints::start_increment,
        )
        .post(
            "/projects/{slug}/increments/{id}/close",
            sprints::close_increment,
        )
        .get(
            "/projects/{slug}/increments/{id}/burndown",
            sprints::burndown,
        )
        .get("/projects/{slug}/reports/velocity", sprints::velocity)
        .get("/projects/{slug}/reports/forecast", sprints::forecast)
}

/// Every method and path the API serves, the path in full (`/api/v1/projects/{slug}`), in
/// the order declared.
pub fn route_list() -> Vec<(Method, String)> {
    declared()
        .served
        .into_iter()
        .map(|(method, path)| (method, format!("{PREFIX}{path}")))
        .collect()
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let api = declared()
        .router
        // A POST with an `Idempotency-Key` is answered once, however often it is sent.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::remembered,
        ))
        .fallback(|| async { ApiError(AppError::NotFound) });
    Router::new()
        .nest(PREFIX, api)
        .layer(axum::middleware::from_fn(error::json_errors))
}

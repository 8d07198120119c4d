//! Who may call what: every project-scoped server function and JSON API route, called by
//! every kind of caller. Anonymous → 401; not a member → 404 (no hint the project exists);
//! a role lacking the permission → 403; otherwise it succeeds.
//!
//! A new project-scoped server function or route must get a row in `cases()`;
//! `every_server_function_is_in_a_table` and `every_rest_route_is_in_a_table` fail until it
//! has one (the routes come from the router's own declaration, `server::rest::route_list`).
//!
//! A refused call must change nothing: every table's rows are digested before and after it
//! ([`snapshot`]), not just a count.

use super::support::{spawn, Client, TestApp};
use app::domain::{Permission, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// What one case needs to build its request.
struct Ctx {
    slug: String,
    name: String,
    /// A member the call may act on (not the caller).
    target: String,
    /// An account that is not in the project yet.
    newcomer: String,
    /// A live item's number.
    item: i32,
    /// An item in the trash.
    trashed: i32,
    /// A sprint with two planned increments; `committed` is an item in the second.
    sprint: i64,
    first: i64,
    second: i64,
    committed: i32,
    /// An action item on the first increment's reflection, written by the owner.
    card: i64,
    /// A GitHub integration of the project.
    integration: String,
    /// A comment by the owner on `item`.
    comment: i64,
}

pub(super) enum Req {
    /// A server function with form-encoded arguments.
    Form(&'static str, Vec<(&'static str, String)>),
    /// A server function with a JSON body.
    Json(&'static str, Value),
    /// A JSON API route.
    Rest(Method, String, Option<Value>),
}

struct Case {
    name: &'static str,
    needs: Permission,
    /// What the owner does first, in order, on the fresh project (e.g. start an increment
    /// to close).
    before: &'static [fn(&Ctx) -> Req],
    request: fn(&Ctx) -> Req,
}

fn settings_body() -> Value {
    json!({
        "effort_chart": [{"points": 1, "label": "S"}, {"points": 3, "label": "M"}],
        "working_days": [1, 2, 3, 4],
        "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
        "velocity_window": 4
    })
}

fn cases() -> Vec<Case> {
    use Req::*;
    vec![
        // Server functions.
        Case {
            name: "comments/thread",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "comments/thread",
                    vec![("slug", c.slug.clone()), ("number", c.item.to_string())],
                )
            },
        },
        Case {
            name: "comments/add",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "comments/add",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("body", "Agreed".into()),
                    ],
                )
            },
        },
        // Only its author edits a comment: the owner wrote this one.
        Case {
            name: "comments/edit",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "comments/edit",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("id", c.comment.to_string()),
                        ("body", "Second thoughts".into()),
                    ],
                )
            },
        },
        // Its author, an owner or a scrum master deletes a comment.
        Case {
            name: "comments/delete",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "comments/delete",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("id", c.comment.to_string()),
                    ],
                )
            },
        },
        Case {
            name: "items/watch",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "items/watch",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("watching", "false".into()),
                    ],
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/items/{number}/comments",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/items/{}/comments", c.slug, c.item),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/items/{number}/comments",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/items/{}/comments", c.slug, c.item),
                    Some(json!({"body": "Agreed"})),
                )
            },
        },
        Case {
            name: "PATCH /api/v1/projects/{slug}/items/{number}/comments/{id}",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Rest(
                    Method::PATCH,
                    format!(
                        "/api/v1/projects/{}/items/{}/comments/{}",
                        c.slug, c.item, c.comment
                    ),
                    Some(json!({"body": "Second thoughts"})),
                )
            },
        },
        Case {
            name: "DELETE /api/v1/projects/{slug}/items/{number}/comments/{id}",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::DELETE,
                    format!(
                        "/api/v1/projects/{}/items/{}/comments/{}",
                        c.slug, c.item, c.comment
                    ),
                    None,
                )
            },
        },
        Case {
            name: "hooks/list",
            needs: Permission::Administer,
            before: &[],
            request: |c| Form("hooks/list", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "hooks/create",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "hooks/create",
                    vec![
                        ("slug", c.slug.clone()),
                        ("provider", "gitlab".into()),
                        ("name", "infra".into()),
                    ],
                )
            },
        },
        Case {
            name: "hooks/rotate",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "hooks/rotate",
                    vec![("slug", c.slug.clone()), ("id", c.integration.clone())],
                )
            },
        },
        Case {
            name: "hooks/update",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Json(
                    "hooks/update",
                    json!({"slug": c.slug, "id": c.integration, "settings": {
                        "name": "renamed", "branches": "main", "close_on_fixes": false,
                        "done_on_green": false}}),
                )
            },
        },
        Case {
            name: "hooks/remove",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "hooks/remove",
                    vec![("slug", c.slug.clone()), ("id", c.integration.clone())],
                )
            },
        },
        Case {
            name: "project/detail",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("project/detail", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "project/members",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("project/members", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "parking_lot/list",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("parking_lot/list", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "parking_lot/add",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "parking_lot/add",
                    vec![("slug", c.slug.clone()), ("title", "A topic".into())],
                )
            },
        },
        Case {
            name: "project/settings",
            needs: Permission::EditSettings,
            before: &[],
            request: |c| {
                Json(
                    "project/settings",
                    json!({"slug": c.slug, "settings": settings_body()}),
                )
            },
        },
        Case {
            name: "project/rename",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/rename",
                    vec![("slug", c.slug.clone()), ("name", "Renamed".into())],
                )
            },
        },
        Case {
            name: "project/archive",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/archive",
                    vec![("slug", c.slug.clone()), ("archived", "true".into())],
                )
            },
        },
        Case {
            name: "project/delete",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/delete",
                    vec![("slug", c.slug.clone()), ("confirm_name", c.name.clone())],
                )
            },
        },
        Case {
            name: "project/members/add",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/members/add",
                    vec![
                        ("slug", c.slug.clone()),
                        ("email", c.newcomer.clone()),
                        ("role", "member".into()),
                    ],
                )
            },
        },
        Case {
            name: "project/members/role",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/members/role",
                    vec![
                        ("slug", c.slug.clone()),
                        ("email", c.target.clone()),
                        ("role", "viewer".into()),
                    ],
                )
            },
        },
        Case {
            name: "project/members/remove",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "project/members/remove",
                    vec![("slug", c.slug.clone()), ("email", c.target.clone())],
                )
            },
        },
        Case {
            name: "items/list",
            needs: Permission::Read,
            before: &[],
            request: |c| Json("items/list", json!({"slug": c.slug, "query": {}})),
        },
        Case {
            name: "items/detail",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "items/detail",
                    vec![("slug", c.slug.clone()), ("number", c.item.to_string())],
                )
            },
        },
        Case {
            name: "items/preview",
            needs: Permission::Contribute,
            before: &[],
            request: |c| Json("items/preview", json!({"slug": c.slug, "text": "See #1"})),
        },
        Case {
            name: "items/create",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Json(
                    "items/create",
                    json!({"slug": c.slug, "item": {"title": "New"}}),
                )
            },
        },
        Case {
            name: "items/update",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Json(
                    "items/update",
                    json!({"slug": c.slug, "number": c.item, "patch": {"version": 1, "title": "Edited"}}),
                )
            },
        },
        Case {
            name: "items/move",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Json(
                    "items/move",
                    json!({"slug": c.slug, "number": c.item, "to": {"to": "top"}}),
                )
            },
        },
        Case {
            name: "items/add",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "items/add",
                    vec![
                        ("slug", c.slug.clone()),
                        ("title", "New".into()),
                        ("estimate", "".into()),
                    ],
                )
            },
        },
        Case {
            name: "items/move-form",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "items/move-form",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("to", "top".into()),
                    ],
                )
            },
        },
        Case {
            name: "items/state",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "items/state",
                    vec![
                        ("slug", c.slug.clone()),
                        ("number", c.item.to_string()),
                        ("version", "1".into()),
                        ("state", "doing".into()),
                    ],
                )
            },
        },
        Case {
            name: "items/bulk",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Json(
                    "items/bulk",
                    json!({"slug": c.slug, "edits": [{"items": [c.item], "change": {"estimate": 3}}]}),
                )
            },
        },
        Case {
            name: "items/bulk-form",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "items/bulk-form",
                    vec![
                        ("slug", c.slug.clone()),
                        ("items[]", c.item.to_string()),
                        ("change", "state:doing".into()),
                    ],
                )
            },
        },
        Case {
            name: "items/delete",
            needs: Permission::Contribute,
            before: &[],
            request: |c| Json("items/delete", json!({"slug": c.slug, "number": c.item})),
        },
        Case {
            name: "items/restore",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Json(
                    "items/restore",
                    json!({"slug": c.slug, "number": c.trashed}),
                )
            },
        },
        // Sprints and increments.
        Case {
            name: "sprints/list",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("sprints/list", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "sprints/create",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "sprints/create",
                    vec![
                        ("slug", c.slug.clone()),
                        ("sprint[name]", "Q2".into()),
                        ("sprint[starts_on]", "2030-04-01".into()),
                        ("sprint[ends_on]", "2030-04-28".into()),
                        ("sprint[increment_weeks]", "2".into()),
                    ],
                )
            },
        },
        Case {
            name: "sprints/rename",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "sprints/rename",
                    vec![
                        ("slug", c.slug.clone()),
                        ("id", c.sprint.to_string()),
                        ("name", "Renamed".into()),
                    ],
                )
            },
        },
        Case {
            name: "increments/edit",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "increments/edit",
                    vec![
                        ("slug", c.slug.clone()),
                        ("id", c.second.to_string()),
                        ("starts_on", "2030-01-21".into()),
                        ("ends_on", "2030-02-10".into()),
                    ],
                )
            },
        },
        Case {
            name: "increments/report",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "increments/report",
                    vec![("slug", c.slug.clone()), ("id", c.first.to_string())],
                )
            },
        },
        Case {
            name: "increments/commit",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Json(
                    "increments/commit",
                    json!({"slug": c.slug, "id": c.first, "items": [c.item], "commit": true}),
                )
            },
        },
        Case {
            name: "increments/start",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "increments/start",
                    vec![("slug", c.slug.clone()), ("id", c.first.to_string())],
                )
            },
        },
        Case {
            name: "increments/close",
            needs: Permission::Plan,
            before: &[start_first],
            request: |c| {
                Json(
                    "increments/close",
                    json!({"slug": c.slug, "id": c.first, "close": {"carry": "next"}}),
                )
            },
        },
        Case {
            name: "planning",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "planning",
                    vec![("slug", c.slug.clone()), ("increment", c.first.to_string())],
                )
            },
        },
        Case {
            name: "board",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("board", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "reports/velocity",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("reports/velocity", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "reports/forecast",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("reports/forecast", vec![("slug", c.slug.clone())]),
        },
        // Stand-up and reflection.
        Case {
            name: "standup",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("standup", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "standup/note",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "standup/note",
                    vec![
                        ("slug", c.slug.clone()),
                        ("date", "2030-01-08".into()),
                        ("yesterday", "Cart".into()),
                        ("today", "Pics".into()),
                        ("blockers", String::new()),
                    ],
                )
            },
        },
        Case {
            name: "reflection",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Form(
                    "reflection",
                    vec![("slug", c.slug.clone()), ("increment", c.first.to_string())],
                )
            },
        },
        Case {
            name: "reflection/add",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "reflection/add",
                    vec![
                        ("slug", c.slug.clone()),
                        ("increment", c.first.to_string()),
                        ("week", "1".into()),
                        ("kind", "went_well".into()),
                        ("body", "Pairing".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/edit",
            // Only a card's author may edit it, and the card here is the owner's: every
            // other role is refused (members editing their own cards: `export.rs`).
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Form(
                    "reflection/edit",
                    vec![
                        ("slug", c.slug.clone()),
                        ("id", c.card.to_string()),
                        ("body", "Edited".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/vote",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "reflection/vote",
                    vec![
                        ("slug", c.slug.clone()),
                        ("id", c.card.to_string()),
                        ("on", "true".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/arrange",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Form(
                    "reflection/arrange",
                    vec![
                        ("slug", c.slug.clone()),
                        ("id", c.card.to_string()),
                        ("group_name", "Process".into()),
                        ("position", "3".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/to_item",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Form(
                    "reflection/to_item",
                    vec![("slug", c.slug.clone()), ("id", c.card.to_string())],
                )
            },
        },
        // The JSON API.
        Case {
            name: "GET /api/v1/projects/{slug}",
            needs: Permission::Read,
            before: &[],
            request: |c| Rest(Method::GET, format!("/api/v1/projects/{}", c.slug), None),
        },
        Case {
            name: "PUT /api/v1/projects/{slug}/settings",
            needs: Permission::EditSettings,
            before: &[],
            request: |c| {
                Rest(
                    Method::PUT,
                    format!("/api/v1/projects/{}/settings", c.slug),
                    Some(settings_body()),
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/members",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/members", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/members",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/members", c.slug),
                    Some(json!({"email": c.newcomer, "role": "viewer"})),
                )
            },
        },
        Case {
            name: "PATCH /api/v1/projects/{slug}/members/{email}",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Rest(
                    Method::PATCH,
                    format!("/api/v1/projects/{}/members/{}", c.slug, c.target),
                    Some(json!({"role": "scrum_master"})),
                )
            },
        },
        Case {
            name: "DELETE /api/v1/projects/{slug}/members/{email}",
            needs: Permission::Administer,
            before: &[],
            request: |c| {
                Rest(
                    Method::DELETE,
                    format!("/api/v1/projects/{}/members/{}", c.slug, c.target),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/items",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/items?limit=5", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/events",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/events", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/items",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/items", c.slug),
                    Some(json!({"title": "Via API"})),
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/items/{number}",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/items/{}", c.slug, c.item),
                    None,
                )
            },
        },
        Case {
            name: "PATCH /api/v1/projects/{slug}/items/{number}",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::PATCH,
                    format!("/api/v1/projects/{}/items/{}", c.slug, c.item),
                    Some(json!({"version": 1, "state": "doing"})),
                )
            },
        },
        Case {
            name: "DELETE /api/v1/projects/{slug}/items/{number}",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::DELETE,
                    format!("/api/v1/projects/{}/items/{}", c.slug, c.item),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/items/{number}/move",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/items/{}/move", c.slug, c.item),
                    Some(json!({"to": "bottom"})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/items/bulk",
            needs: Permission::Contribute,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/items/bulk", c.slug),
                    Some(json!({"edits": [{"items": [c.item], "change": {"state": "doing"}}]})),
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/sprints",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/sprints", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/sprints",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/sprints", c.slug),
                    Some(json!({"name": "Q3", "starts_on": "2030-07-01", "ends_on": "2030-07-14"})),
                )
            },
        },
        Case {
            name: "PATCH /api/v1/projects/{slug}/sprints/{id}",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::PATCH,
                    format!("/api/v1/projects/{}/sprints/{}", c.slug, c.sprint),
                    Some(json!({"name": "Renamed"})),
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/increments",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/increments", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/increments/{id}",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/increments/{}", c.slug, c.first),
                    None,
                )
            },
        },
        Case {
            name: "PATCH /api/v1/projects/{slug}/increments/{id}",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::PATCH,
                    format!("/api/v1/projects/{}/increments/{}", c.slug, c.second),
                    Some(json!({"ends_on": "2030-02-10"})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/increments/{id}/items",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/increments/{}/items", c.slug, c.first),
                    Some(json!({"items": [c.item]})),
                )
            },
        },
        Case {
            name: "DELETE /api/v1/projects/{slug}/increments/{id}/items/{number}",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::DELETE,
                    format!(
                        "/api/v1/projects/{}/increments/{}/items/{}",
                        c.slug, c.second, c.committed
                    ),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/increments/{id}/start",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/increments/{}/start", c.slug, c.first),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/increments/{id}/close",
            needs: Permission::Plan,
            before: &[start_first],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/increments/{}/close", c.slug, c.first),
                    Some(json!({"carry": "backlog"})),
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/increments/{id}/burndown",
            needs: Permission::Read,
            before: &[start_first],
            request: |c| {
                Rest(
                    Method::GET,
                    format!(
                        "/api/v1/projects/{}/increments/{}/burndown",
                        c.slug, c.first
                    ),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/reports/velocity",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/reports/velocity", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/reports/forecast",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/reports/forecast", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/export",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/export", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "poker/state",
            needs: Permission::Read,
            before: &[],
            request: |c| Form("poker/state", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "poker/start",
            needs: Permission::Plan,
            before: &[],
            request: |c| Form("poker/start", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "poker/vote",
            needs: Permission::Contribute,
            before: &[poker_start],
            request: |c| {
                Form(
                    "poker/vote",
                    vec![
                        ("slug", c.slug.clone()),
                        ("position", "0".into()),
                        ("round", "1".into()),
                        ("card", "3".into()),
                    ],
                )
            },
        },
        Case {
            name: "poker/reveal",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| {
                Form(
                    "poker/reveal",
                    vec![("slug", c.slug.clone()), ("position", "0".into())],
                )
            },
        },
        Case {
            name: "poker/round",
            needs: Permission::Plan,
            before: &[poker_start, poker_reveal],
            request: |c| {
                Form(
                    "poker/round",
                    vec![("slug", c.slug.clone()), ("position", "0".into())],
                )
            },
        },
        Case {
            name: "poker/accept",
            needs: Permission::Plan,
            before: &[poker_start, poker_reveal],
            request: |c| {
                Form(
                    "poker/accept",
                    vec![
                        ("slug", c.slug.clone()),
                        ("position", "0".into()),
                        ("points", "3".into()),
                    ],
                )
            },
        },
        Case {
            name: "poker/skip",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| {
                Form(
                    "poker/skip",
                    vec![("slug", c.slug.clone()), ("position", "0".into())],
                )
            },
        },
        Case {
            name: "poker/end",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| Form("poker/end", vec![("slug", c.slug.clone())]),
        },
        Case {
            name: "GET /api/v1/projects/{slug}/poker",
            needs: Permission::Read,
            before: &[poker_start],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/poker", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker",
            needs: Permission::Plan,
            before: &[],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker", c.slug),
                    Some(json!({"countdown_secs": 30})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/vote",
            needs: Permission::Contribute,
            before: &[poker_start],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/vote", c.slug),
                    Some(json!({"position": 0, "round": 1, "card": "?"})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/reveal",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/reveal", c.slug),
                    Some(json!({"position": 0})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/round",
            needs: Permission::Plan,
            before: &[poker_start, poker_reveal],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/round", c.slug),
                    Some(json!({"position": 0})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/accept",
            needs: Permission::Plan,
            before: &[poker_start, poker_reveal],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/accept", c.slug),
                    Some(json!({"position": 0, "points": 5})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/skip",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/skip", c.slug),
                    Some(json!({"position": 0})),
                )
            },
        },
        Case {
            name: "POST /api/v1/projects/{slug}/poker/end",
            needs: Permission::Plan,
            before: &[poker_start],
            request: |c| {
                Rest(
                    Method::POST,
                    format!("/api/v1/projects/{}/poker/end", c.slug),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/increments/{id}/poker",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/increments/{}/poker", c.slug, c.first),
                    None,
                )
            },
        },
        Case {
            name: "GET /api/v1/projects/{slug}/standup",
            needs: Permission::Read,
            before: &[],
            request: |c| {
                Rest(
                    Method::GET,
                    format!("/api/v1/projects/{}/standup?date=2030-01-08", c.slug),
                    None,
                )
            },
        },
    ]
}

fn poker_start(c: &Ctx) -> Req {
    Req::Form("poker/start", vec![("slug", c.slug.clone())])
}

fn poker_reveal(c: &Ctx) -> Req {
    Req::Form(
        "poker/reveal",
        vec![("slug", c.slug.clone()), ("position", "0".into())],
    )
}

fn start_first(c: &Ctx) -> Req {
    Req::Form(
        "increments/start",
        vec![("slug", c.slug.clone()), ("id", c.first.to_string())],
    )
}

/// Server functions that are not project-scoped: each resolves the caller itself (tested in
/// `accounts.rs`).
const ACCOUNT_LEVEL: [&str; 19] = [
    "me",
    "shell",
    "register",
    "registration",
    "log_in",
    "log_out",
    "account/password",
    "account/tokens",
    "account/tokens/create",
    "account/tokens/revoke",
    "account/email",
    "account/email/set",
    "projects/mine",
    "projects/create",
    "projects/invitations",
    "projects/invitations/answer",
    "inbox",
    "inbox/unread",
    "inbox/read",
];

pub(super) async fn send(client: &Client, req: &Req) -> reqwest::Response {
    match req {
        Req::Form(endpoint, args) => {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.call(endpoint, &args).await
        }
        Req::Json(endpoint, body) => client.call_json(endpoint, body).await,
        Req::Rest(method, path, body) => {
            let mut builder = client
                .http
                .request(method.clone(), format!("{}{path}", client.base));
            if let Some(body) = body {
                builder = builder.json(body);
            }
            builder.send().await.unwrap()
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Outsider,
    Has(Role),
}

struct Cast {
    anonymous: Client,
    outsider: Client,
    owner: Client,
    scrum_master: Client,
    member: Client,
    viewer: Client,
    target: Client,
    newcomer: Client,
}

impl Cast {
    async fn new(app: &TestApp) -> Cast {
        Cast {
            anonymous: app.anonymous(),
            outsider: app.user("outsider@example.com", "Otto Outsider").await,
            owner: app.user("owner@example.com", "Olive Owner").await,
            scrum_master: app.user("sm@example.com", "Sam Master").await,
            member: app.user("member@example.com", "Mia Member").await,
            viewer: app.user("viewer@example.com", "Vic Viewer").await,
            target: app.user("target@example.com", "Tara Target").await,
            newcomer: app.user("newcomer@example.com", "Ned Newcomer").await,
        }
    }

    fn client(&self, who: Who) -> &Client {
        match who {
            Who::Anonymous => &self.anonymous,
            Who::Outsider => &self.outsider,
            Who::Has(Role::Owner) => &self.owner,
            Who::Has(Role::ScrumMaster) => &self.scrum_master,
            Who::Has(Role::Member) => &self.member,
            Who::Has(Role::Viewer) => &self.viewer,
        }
    }

    /// A fresh project with one member of each role (and the target), so each call starts
    /// from the same state.
    async fn project(&self, n: usize) -> Ctx {
        let name = format!("Authz {n}");
        let res = self.owner.call("projects/create", &[("name", &name)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let slug = res.json::<Value>().await.unwrap()["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        self.owner
            .add_member(&slug, &self.scrum_master, "scrum_master")
            .await;
        self.owner.add_member(&slug, &self.member, "member").await;
        self.owner.add_member(&slug, &self.viewer, "viewer").await;
        self.owner.add_member(&slug, &self.target, "member").await;
        let mut numbers = Vec::new();
        for title in ["Live item", "Trashed item", "Committed item"] {
            let res = self
                .owner
                .call_json(
                    "items/create",
                    &json!({"slug": slug, "item": {"title": title}}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            numbers.push(
                res.json::<Value>().await.unwrap()["number"]
                    .as_i64()
                    .unwrap() as i32,
            );
        }
        let res = self
            .owner
            .call_json("items/delete", &json!({"slug": slug, "number": numbers[1]}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = self
            .owner
            .call(
                "sprints/create",
                &[
                    ("slug", slug.as_str()),
                    ("sprint[name]", "Q1"),
                    ("sprint[starts_on]", "2030-01-07"),
                    ("sprint[ends_on]", "2030-02-03"),
                    ("sprint[increment_weeks]", "2"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let sprint: Value = res.json().await.unwrap();
        let increment = |i: usize| sprint["increments"][i]["id"].as_i64().unwrap();
        let (first, second) = (increment(0), increment(1));
        let res = self
            .owner
            .call_json(
                "increments/commit",
                &json!({"slug": slug, "id": second, "items": [numbers[2]], "commit": true}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = self
            .owner
            .call(
                "reflection/add",
                &[
                    ("slug", slug.as_str()),
                    ("increment", &first.to_string()),
                    ("week", "1"),
                    ("kind", "action"),
                    ("body", "Automate the deploy"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let card = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = self
            .owner
            .call(
                "hooks/create",
                &[
                    ("slug", slug.as_str()),
                    ("provider", "github"),
                    ("name", "store"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let integration = res.json::<Value>().await.unwrap()["integration"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = self
            .owner
            .call(
                "comments/add",
                &[
                    ("slug", slug.as_str()),
                    ("number", &numbers[0].to_string()),
                    ("body", "First thoughts"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let comment = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        Ctx {
            comment,
            integration,
            card,
            sprint: sprint["id"].as_i64().unwrap(),
            first,
            second,
            committed: numbers[2],
            item: numbers[0],
            trashed: numbers[1],
            slug,
            name,
            target: self.target.email.clone(),
            newcomer: self.newcomer.email.clone(),
        }
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_project_scoped_call_checks_the_caller_and_their_role(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let cast = Cast::new(&app).await;
    let callers = [
        Who::Anonymous,
        Who::Outsider,
        Who::Has(Role::Viewer),
        Who::Has(Role::Member),
        Who::Has(Role::ScrumMaster),
        Who::Has(Role::Owner),
    ];
    let mut n = 0;
    let mut failures = Vec::new();
    for case in cases() {
        for who in callers {
            n += 1;
            let ctx = cast.project(n).await;
            for before in case.before {
                let res = send(&cast.owner, &before(&ctx)).await;
                assert!(res.status().is_success(), "{}: before", case.name);
            }
            let request = (case.request)(&ctx);
            if let Req::Rest(method, path, _) = &request {
                assert!(
                    names_route(case.name, method, path),
                    "{}: the row sends {method} {path}",
                    case.name
                );
            }
            let was = snapshot(&pool).await;
            let res = send(cast.client(who), &request).await;
            let status = res.status();
            // An event stream does not end by itself: its status is the answer.
            let streaming = res
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
            let body = if streaming {
                String::new()
            } else {
                res.text().await.unwrap()
            };
            let expected = match who {
                Who::Anonymous => Some(StatusCode::UNAUTHORIZED),
                Who::Outsider => Some(StatusCode::NOT_FOUND),
                Who::Has(role) if !role.allows(case.needs) => Some(StatusCode::FORBIDDEN),
                Who::Has(_) => None,
            };
            let ok = match expected {
                Some(code) => status == code,
                None => status.is_success(),
            };
            if !ok {
                failures.push(format!(
                    "{} as {who:?}: got {status}, expected {}: {body}",
                    case.name,
                    expected.map_or("success".to_owned(), |c| c.to_string())
                ));
            }
            // A refused call changed nothing, in any table.
            if expected.is_some() {
                let changed = changes(&was, &snapshot(&pool).await);
                if !changed.is_empty() {
                    failures.push(format!(
                        "{} as {who:?} was refused ({status}) but changed {changed:?}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_server_function_is_in_a_table() {
    let scoped: Vec<&str> = cases()
        .iter()
        .map(|c| c.name)
        .filter(|n| !n.contains(' '))
        .collect();
    let registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/fn/"))
        .collect();
    let missing: Vec<&&str> = registered
        .iter()
        .filter(|name| !scoped.contains(name) && !ACCOUNT_LEVEL.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the authorization table: {missing:?}"
    );
    // And the tables name only functions that exist (a renamed endpoint is noticed).
    let stale: Vec<&&str> = scoped
        .iter()
        .chain(ACCOUNT_LEVEL.iter())
        .filter(|name| !registered.contains(name))
        .collect();
    assert!(stale.is_empty(), "not registered: {stale:?}");
}

/// JSON API routes that are not project-scoped, each with what an anonymous call gets and
/// what it sends (tested in `api.rs`; here: anonymous callers are refused and change
/// nothing, see `account_level_routes_refuse_anonymous_callers`).
const ACCOUNT_LEVEL_REST: [(&str, Option<StatusCode>); 5] = [
    // The API's description is public.
    ("GET /api/v1/openapi.json", None),
    ("GET /api/v1/me", Some(StatusCode::UNAUTHORIZED)),
    ("GET /api/v1/projects", Some(StatusCode::UNAUTHORIZED)),
    ("POST /api/v1/projects", Some(StatusCode::UNAUTHORIZED)),
    (
        "POST /api/v1/projects/import",
        Some(StatusCode::UNAUTHORIZED),
    ),
];

/// Routes that are another row's route under a fixed name: `GET /api/v1/projects/import` is
/// the project whose slug is "import" (`projects_named_import_are_guarded_like_the_rest`).
const ALIASES: [(&str, &str); 1] = [("GET /api/v1/projects/import", "GET /api/v1/projects/{slug}")];

/// Whether `method path` is the route a row is named after: the same method, and the path
/// (less its query) matching the route's segments, `{…}` standing for any one segment.
fn names_route(name: &str, method: &Method, path: &str) -> bool {
    let Some((route_method, route)) = name.split_once(' ') else {
        return false;
    };
    let path = path.split('?').next().unwrap();
    let route: Vec<&str> = route.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    route_method == method.as_str()
        && route.len() == path.len()
        && route
            .iter()
            .zip(&path)
            .all(|(r, p)| r == p || (r.starts_with('{') && !p.is_empty()))
}

/// A digest of every table's rows, by table: two snapshots are equal only if no row was
/// added, removed or changed anywhere (every project, account, session and token).
pub(super) async fn snapshot(pool: &PgPool) -> BTreeMap<String, String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(tables.len() > 10, "only {tables:?}");
    // One round trip: a digest per table, of its rows as text in a fixed order.
    let query = tables
        .iter()
        .map(|t| {
            format!(
                "select '{t}'::text, md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) from \"{t}\" r"
            )
        })
        .collect::<Vec<_>>()
        .join(" union all ");
    sqlx::query_as::<_, (String, String)>(&query)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// The tables whose rows differ between two snapshots.
pub(super) fn changes(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    before
        .keys()
        .chain(after.keys())
        .filter(|t| before.get(*t) != after.get(*t))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn every_rest_route_is_in_a_table() {
    let rows: Vec<&str> = cases()
        .iter()
        .map(|c| c.name)
        .filter(|n| n.contains(' '))
        .collect();
    let account_level: Vec<&str> = ACCOUNT_LEVEL_REST.iter().map(|(n, _)| *n).collect();
    let aliases: Vec<&str> = ALIASES.iter().map(|(n, _)| *n).collect();
    let served: Vec<String> = server::rest::route_list()
        .into_iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let missing: Vec<&String> = served
        .iter()
        .filter(|r| {
            let r = r.as_str();
            !rows.contains(&r) && !account_level.contains(&r) && !aliases.contains(&r)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "JSON API routes missing from the authorization table: {missing:?}"
    );
    // And every row names a route that is served (a renamed route is noticed).
    let stale: Vec<&&str> = rows
        .iter()
        .chain(&account_level)
        .chain(&aliases)
        .chain(ALIASES.iter().map(|(_, of)| of))
        .filter(|r| !served.iter().any(|s| s == **r))
        .collect();
    assert!(stale.is_empty(), "not served: {stale:?}");
}

#[test]
fn the_route_matcher_tells_routes_apart() {
    let name = "PATCH /api/v1/projects/{slug}/items/{number}";
    assert!(names_route(
        name,
        &Method::PATCH,
        "/api/v1/projects/a/items/3"
    ));
    assert!(!names_route(
        name,
        &Method::DELETE,
        "/api/v1/projects/a/items/3"
    ));
    assert!(!names_route(
        name,
        &Method::PATCH,
        "/api/v1/projects/a/items/3/move"
    ));
    assert!(!names_route(
        name,
        &Method::PATCH,
        "/api/v1/projects/a/items/"
    ));
    assert!(names_route(
        "GET /api/v1/projects/{slug}/items",
        &Method::GET,
        "/api/v1/projects/a/items?limit=5"
    ));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn account_level_routes_refuse_anonymous_callers(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let owner = app.user("owner@example.com", "Olive Owner").await;
    let res = owner.call("projects/create", &[("name", "Shop")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let export = owner.get("/api/v1/projects/shop/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    let document: Value = export.json().await.unwrap();
    let anonymous = app.anonymous();
    for (name, refusal) in ACCOUNT_LEVEL_REST {
        let (method, path) = name.split_once(' ').unwrap();
        let method: Method = method.parse().unwrap();
        let body = match (name, method.clone()) {
            ("POST /api/v1/projects/import", _) => Some(document.clone()),
            (_, Method::POST) => Some(json!({"name": "Sneaky"})),
            _ => None,
        };
        let was = snapshot(&pool).await;
        let res = send(&anonymous, &Req::Rest(method, path.to_owned(), body)).await;
        let status = res.status();
        match refusal {
            Some(code) => assert_eq!(status, code, "{name}: {}", res.text().await.unwrap()),
            None => assert!(status.is_success(), "{name}: {status}"),
        }
        assert_eq!(
            changes(&was, &snapshot(&pool).await),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn projects_named_import_are_guarded_like_the_rest(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let owner = app.user("owner@example.com", "Olive Owner").await;
    let viewer = app.user("viewer@example.com", "Vic Viewer").await;
    let outsider = app.user("outsider@example.com", "Otto Outsider").await;
    let res = owner.call("projects/create", &[("name", "Import")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let slug = res.json::<Value>().await.unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(slug, "import");
    owner.add_member(&slug, &viewer, "viewer").await;
    let path = "/api/v1/projects/import";
    assert!(names_route(ALIASES[0].0, &Method::GET, path));
    for (client, expected) in [
        (app.anonymous(), StatusCode::UNAUTHORIZED),
        (outsider, StatusCode::NOT_FOUND),
        (viewer, StatusCode::OK),
    ] {
        let was = snapshot(&pool).await;
        let res = client.get(path).await;
        assert_eq!(res.status(), expected, "{}", client.email);
        if expected == StatusCode::OK {
            assert_eq!(res.json::<Value>().await.unwrap()["slug"], "import");
        }
        assert_eq!(changes(&was, &snapshot(&pool).await), Vec::<String>::new());
    }
    // The snapshot does see a change: a rename shows in the project's table, and as an
    // event for the live streams (with the project's event counter).
    let was = snapshot(&pool).await;
    let res = owner
        .call("project/rename", &[("slug", "import"), ("name", "Imports")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        changes(&was, &snapshot(&pool).await),
        vec!["project", "project_event", "project_tally"]
    );
}

//! Ids from another project, sent through a project of one's own: another project's sprint,
//! increment or reflection card (and another account's API token) named in a call on
//! `/projects/{mine}/…`. Each must be answered 404, as if the id did not exist, and change
//! nothing in either project (every table is compared, `authz::snapshot`).
//!
//! Each call is made twice: while the caller is not in the other project, and again once
//! they own it too, so that being allowed there is not mistaken for the id being
//! reachable here.

use super::authz::{changes, send, snapshot, Req};
use super::support::{spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

/// One project's ids, as its owner set it up.
struct Side {
    slug: String,
    /// An item on the backlog (its number: numbers are per project).
    item: i32,
    sprint: i64,
    /// Started: the increment to close and to chart.
    first: i64,
    /// Planned, with `committed` in it: the increment to edit and start.
    second: i64,
    committed: i32,
    /// An action card on the first increment's reflection.
    card: i64,
}

/// What a case sends, from the caller's project (`mine`) and the other one (`theirs`).
struct Case {
    name: &'static str,
    request: fn(&Side, &Side) -> Req,
}

fn form(endpoint: &'static str, args: Vec<(&'static str, String)>) -> Req {
    Req::Form(endpoint, args)
}

fn api(method: Method, path: String, body: Option<Value>) -> Req {
    Req::Rest(method, format!("/api/v1{path}"), body)
}

fn cases() -> Vec<Case> {
    vec![
        // The JSON API.
        Case {
            name: "PATCH sprints/{their sprint}",
            request: |m, t| {
                api(
                    Method::PATCH,
                    format!("/projects/{}/sprints/{}", m.slug, t.sprint),
                    Some(json!({"name": "Taken over"})),
                )
            },
        },
        Case {
            name: "GET increments/{their increment}",
            request: |m, t| {
                api(
                    Method::GET,
                    format!("/projects/{}/increments/{}", m.slug, t.first),
                    None,
                )
            },
        },
        Case {
            name: "PATCH increments/{their increment}",
            request: |m, t| {
                api(
                    Method::PATCH,
                    format!("/projects/{}/increments/{}", m.slug, t.second),
                    Some(json!({"ends_on": "2030-02-10"})),
                )
            },
        },
        Case {
            name: "POST increments/{their increment}/items (my item)",
            request: |m, t| {
                api(
                    Method::POST,
                    format!("/projects/{}/increments/{}/items", m.slug, t.second),
                    Some(json!({"items": [m.item]})),
                )
            },
        },
        Case {
            name: "DELETE increments/{their increment}/items/{their committed number}",
            request: |m, t| {
                api(
                    Method::DELETE,
                    format!(
                        "/projects/{}/increments/{}/items/{}",
                        m.slug, t.second, t.committed
                    ),
                    None,
                )
            },
        },
        Case {
            name: "POST increments/{their increment}/start",
            request: |m, t| {
                api(
                    Method::POST,
                    format!("/projects/{}/increments/{}/start", m.slug, t.second),
                    None,
                )
            },
        },
        Case {
            name: "POST increments/{their increment}/close",
            request: |m, t| {
                api(
                    Method::POST,
                    format!("/projects/{}/increments/{}/close", m.slug, t.first),
                    Some(json!({"carry": "backlog"})),
                )
            },
        },
        Case {
            name: "GET increments/{their increment}/burndown",
            request: |m, t| {
                api(
                    Method::GET,
                    format!("/projects/{}/increments/{}/burndown", m.slug, t.first),
                    None,
                )
            },
        },
        // Server functions.
        Case {
            name: "sprints/rename",
            request: |m, t| {
                form(
                    "sprints/rename",
                    vec![
                        ("slug", m.slug.clone()),
                        ("id", t.sprint.to_string()),
                        ("name", "Taken over".into()),
                    ],
                )
            },
        },
        Case {
            name: "increments/edit",
            request: |m, t| {
                form(
                    "increments/edit",
                    vec![
                        ("slug", m.slug.clone()),
                        ("id", t.second.to_string()),
                        ("starts_on", "2030-01-21".into()),
                        ("ends_on", "2030-02-10".into()),
                    ],
                )
            },
        },
        Case {
            name: "increments/report",
            request: |m, t| {
                form(
                    "increments/report",
                    vec![("slug", m.slug.clone()), ("id", t.first.to_string())],
                )
            },
        },
        Case {
            name: "increments/commit (my item)",
            request: |m, t| {
                Req::Json(
                    "increments/commit",
                    json!({"slug": m.slug, "id": t.second, "items": [m.item], "commit": true}),
                )
            },
        },
        Case {
            name: "increments/commit (take their item out)",
            request: |m, t| {
                Req::Json(
                    "increments/commit",
                    json!({"slug": m.slug, "id": t.second, "items": [t.committed], "commit": false}),
                )
            },
        },
        Case {
            name: "increments/start",
            request: |m, t| {
                form(
                    "increments/start",
                    vec![("slug", m.slug.clone()), ("id", t.second.to_string())],
                )
            },
        },
        Case {
            name: "increments/close",
            request: |m, t| {
                Req::Json(
                    "increments/close",
                    json!({"slug": m.slug, "id": t.first, "close": {"carry": "next"}}),
                )
            },
        },
        Case {
            name: "planning",
            request: |m, t| {
                form(
                    "planning",
                    vec![
                        ("slug", m.slug.clone()),
                        ("increment", t.second.to_string()),
                    ],
                )
            },
        },
        Case {
            name: "board",
            request: |m, t| {
                form(
                    "board",
                    vec![("slug", m.slug.clone()), ("increment", t.first.to_string())],
                )
            },
        },
        Case {
            name: "reflection",
            request: |m, t| {
                form(
                    "reflection",
                    vec![("slug", m.slug.clone()), ("increment", t.first.to_string())],
                )
            },
        },
        Case {
            name: "reflection/add",
            request: |m, t| {
                form(
                    "reflection/add",
                    vec![
                        ("slug", m.slug.clone()),
                        ("increment", t.first.to_string()),
                        ("week", "1".into()),
                        ("kind", "went_well".into()),
                        ("body", "Planted".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/edit",
            request: |m, t| {
                form(
                    "reflection/edit",
                    vec![
                        ("slug", m.slug.clone()),
                        ("id", t.card.to_string()),
                        ("body", "Defaced".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/vote",
            request: |m, t| {
                form(
                    "reflection/vote",
                    vec![
                        ("slug", m.slug.clone()),
                        ("id", t.card.to_string()),
                        ("on", "true".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/arrange",
            request: |m, t| {
                form(
                    "reflection/arrange",
                    vec![
                        ("slug", m.slug.clone()),
                        ("id", t.card.to_string()),
                        ("group_name", "Moved".into()),
                        ("position", "1".into()),
                    ],
                )
            },
        },
        Case {
            name: "reflection/to_item",
            request: |m, t| {
                form(
                    "reflection/to_item",
                    vec![("slug", m.slug.clone()), ("id", t.card.to_string())],
                )
            },
        },
    ]
}

/// A project owned by `owner`: two items, a sprint of two increments (the first started,
/// the second with an item committed) and an action card on the first's reflection.
async fn side(owner: &Client, name: &str) -> Side {
    let res = owner.call("projects/create", &[("name", name)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let slug = json_of(res).await["slug"].as_str().unwrap().to_owned();
    let mut numbers = Vec::new();
    for title in ["Backlog item", "Committed item"] {
        let res = owner
            .call_json(
                "items/create",
                &json!({"slug": slug, "item": {"title": title}}),
            )
            .await;
        numbers.push(json_of(res).await["number"].as_i64().unwrap() as i32);
    }
    let sprint = json_of(
        owner
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
            .await,
    )
    .await;
    let increment = |i: usize| sprint["increments"][i]["id"].as_i64().unwrap();
    let (first, second) = (increment(0), increment(1));
    json_of(
        owner
            .call_json(
                "increments/commit",
                &json!({"slug": slug, "id": second, "items": [numbers[1]], "commit": true}),
            )
            .await,
    )
    .await;
    json_of(
        owner
            .call(
                "increments/start",
                &[("slug", slug.as_str()), ("id", &first.to_string())],
            )
            .await,
    )
    .await;
    let card = json_of(
        owner
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
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    Side {
        slug,
        item: numbers[0],
        sprint: sprint["id"].as_i64().unwrap(),
        first,
        second,
        committed: numbers[1],
        card,
    }
}

async fn json_of(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Runs every case as `caller`; what went wrong, one line each.
async fn refused_everywhere(
    pool: &PgPool,
    caller: &Client,
    mine: &Side,
    theirs: &Side,
    when: &str,
) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases() {
        let was = snapshot(pool).await;
        let res = send(caller, &(case.request)(mine, theirs)).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        if status != StatusCode::NOT_FOUND {
            failures.push(format!(
                "{} ({when}): got {status}, expected 404: {body}",
                case.name
            ));
        }
        let changed = changes(&was, &snapshot(pool).await);
        if !changed.is_empty() {
            failures.push(format!("{} ({when}) changed {changed:?}", case.name));
        }
    }
    failures
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn another_projects_ids_are_not_found_through_ones_own_project(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let alice = app.user("alice@example.com", "Alice Able").await;
    let bob = app.user("bob@example.com", "Bob Builder").await;
    let mine = side(&alice, "Mine").await;
    let theirs = side(&bob, "Theirs").await;
    // The two projects' ids differ, or a case would not be crossing over.
    assert_ne!(mine.sprint, theirs.sprint);
    assert_ne!((mine.first, mine.second), (theirs.first, theirs.second));
    assert_ne!(mine.card, theirs.card);

    let mut failures = refused_everywhere(&pool, &alice, &mine, &theirs, "not in theirs").await;
    bob.add_member(&theirs.slug, &alice, "owner").await;
    failures.extend(refused_everywhere(&pool, &alice, &mine, &theirs, "owning both").await);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The same calls through the project the ids belong to are found (the cases are sound:
    // their 404 above came from crossing over, not from a malformed request). A call may
    // still be refused for what it finds: an increment already running (409), an item the
    // previous case took out (422), a card only its author may edit (403).
    let mut unsound = Vec::new();
    for case in cases() {
        let res = send(&alice, &(case.request)(&theirs, &theirs)).await;
        let status = res.status();
        if status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST {
            let body = res.text().await.unwrap();
            unsound.push(format!("{} in its own project: {status} {body}", case.name));
        }
    }
    assert!(unsound.is_empty(), "{}", unsound.join("\n"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn another_accounts_token_cannot_be_revoked(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let alice = app.user("alice@example.com", "Alice Able").await;
    let bob = app.user("bob@example.com", "Bob Builder").await;
    let token = bob.token("ci").await;
    let listed = json_of(bob.call("account/tokens", &[]).await).await;
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let was = snapshot(&pool).await;
    let res = alice.call("account/tokens/revoke", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(changes(&was, &snapshot(&pool).await), Vec::<String>::new());
    // Bob's token still works.
    let res = app
        .anonymous()
        .http
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

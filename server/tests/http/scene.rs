//! A team and its work, set up over the JSON API the way an integration would: the common
//! ground of the stand-up, reflection and export tests.

use super::support::{rest, Client, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

pub async fn ok(client: &Client, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, value) = rest(client, method.clone(), path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

pub async fn task(client: &Client, slug: &str, body: Value) -> i64 {
    ok(
        client,
        Method::POST,
        &format!("/projects/{slug}/items"),
        Some(body),
    )
    .await["number"]
        .as_i64()
        .unwrap()
}

pub async fn patch(client: &Client, slug: &str, number: i64, change: Value) -> Value {
    let item = ok(
        client,
        Method::GET,
        &format!("/projects/{slug}/items/{number}"),
        None,
    )
    .await;
    let mut body = change;
    body["version"] = item["item"]["version"].clone();
    ok(
        client,
        Method::PATCH,
        &format!("/projects/{slug}/items/{number}"),
        Some(body),
    )
    .await
}

pub async fn work_every_day(client: &Client, slug: &str) {
    let (_, mut project) = rest(client, Method::GET, &format!("/projects/{slug}"), None).await;
    let mut settings = project["settings"].take();
    settings["working_days"] = json!([1, 2, 3, 4, 5, 6, 7]);
    ok(
        client,
        Method::PUT,
        &format!("/projects/{slug}/settings"),
        Some(settings),
    )
    .await;
}

/// Alice owns the project; Bob is a member.
pub async fn team(app: &TestApp) -> (Client, Client, String) {
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    let bob = app.user("bob@example.com", "Bob Builder").await;
    alice.add_member(&slug, &bob, "member").await;
    (alice, bob, slug)
}

pub async fn started_increment(alice: &Client, slug: &str) -> i64 {
    let sprint = ok(
        alice,
        Method::POST,
        &format!("/projects/{slug}/sprints"),
        Some(json!({"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-30"})),
    )
    .await;
    let first = sprint["increments"][0]["id"].as_i64().unwrap();
    ok(
        alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{first}/start"),
        None,
    )
    .await;
    first
}

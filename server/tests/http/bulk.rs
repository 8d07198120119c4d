//! Bulk edits (`items/bulk`, and its plain-form twin): one request changes several items,
//! all or nothing, with one history entry per item, and its reply undoes it.

use super::sprints::{ids, Api};
use super::support::{spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn bulk(client: &Client, slug: &str, edits: Value) -> (StatusCode, Value) {
    let res = client
        .call_json("items/bulk", &json!({"slug": slug, "edits": edits}))
        .await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Each item's estimate and how many estimate entries its history has.
async fn estimates(api: &Api<'_>, numbers: &[i64]) -> Vec<(Value, usize)> {
    let mut out = Vec::new();
    for n in numbers {
        let detail = api.ok(Method::GET, &format!("/items/{n}"), None).await;
        let entries = detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["field"] == "estimate")
            .count();
        out.push((detail["item"]["estimate"].clone(), entries));
    }
    out
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bulk_estimate_of_five_items_writes_one_entry_each_and_undo_puts_them_back(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let mut numbers = Vec::new();
    for (i, title) in ["Cart", "Pay", "Ship", "Mail", "Refund"].iter().enumerate() {
        let n = if i < 2 {
            api.task(title, 2).await
        } else {
            super::support::create_item(&owner, &slug, title).await
        };
        numbers.push(n);
    }
    let (status, done) = bulk(
        &owner,
        &slug,
        json!([{"items": numbers, "change": {"estimate": 5}}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["changed"], 5);
    // Two had 2 points (their creation recorded no estimate entry), three none.
    for (estimate, entries) in estimates(&api, &numbers).await {
        assert_eq!(estimate, 5);
        assert_eq!(entries, 1, "one history entry per item");
    }

    // Undo, as the page's toast sends it: the reply's edits, in one request.
    let (status, undone) = bulk(&owner, &slug, done["undo"].clone()).await;
    assert_eq!(status, StatusCode::OK, "{undone}");
    let after: Vec<Value> = estimates(&api, &numbers)
        .await
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    assert_eq!(
        after,
        [json!(2), json!(2), Value::Null, Value::Null, Value::Null]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bulk_edit_is_all_or_nothing_and_names_the_items_that_refused(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let a = api.task("Cart", 1).await;
    let b = api.task("Pay", 1).await;
    // 4 is not on the effort chart: every item refuses, and the message says which.
    let (status, err) = bulk(
        &owner,
        &slug,
        json!([{"items": [a, b], "change": {"estimate": 4}}]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("#{a}")) && message.contains(&format!("#{b}")),
        "{message}"
    );

    // One missing item among good ones: nothing changes, and the reply names it.
    let (status, err) = bulk(
        &owner,
        &slug,
        json!([{"items": [a, b, 999], "change": {"state": "doing"}}]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err.to_string().contains("#999"), "{err}");
    // Two edits in one request: the second refuses, so the first is not kept either.
    let (status, _) = bulk(
        &owner,
        &slug,
        json!([{"items": [a], "change": {"state": "doing"}},
               {"items": [b], "change": {"assignee": "nobody@example.com"}}]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for n in [a, b] {
        let detail = api.ok(Method::GET, &format!("/items/{n}"), None).await;
        assert_eq!(detail["item"]["state"], "todo");
        assert_eq!(detail["item"]["version"], 1, "#{n} was not touched");
    }
    // No items, or too many, are refused before anything is read.
    let (status, _) = bulk(&owner, &slug, json!([{"items": [], "change": "delete"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let many: Vec<i64> = (1..=201).collect();
    let (status, err) = bulk(&owner, &slug, json!([{"items": many, "change": "delete"}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err.to_string().contains("at most 200"), "{err}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn committing_in_bulk_is_planning_and_undo_takes_the_items_back_out(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let sprint = api.sprint("Sprint 1", "2030-01-07", "2030-01-18").await;
    let increment = ids(&sprint)[0];
    let items = [api.task("Cart", 1).await, api.task("Pay", 2).await];
    let bob = app.user("bob@example.com", "Bob").await;
    owner.add_member(&slug, &bob, "member").await;
    let commit = json!([{"items": items, "change": {"increment": increment}}]);
    // A member edits items but does not plan.
    let (status, _) = bulk(&bob, &slug, commit.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(api.increment_of(items[0]).await, None);

    let (status, done) = bulk(&owner, &slug, commit).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    for n in items {
        assert_eq!(api.increment_of(n).await, Some(increment));
    }
    assert_eq!(
        done["undo"],
        json!([{"items": items, "change": {"uncommit": increment}}])
    );
    let (status, _) = bulk(&owner, &slug, done["undo"].clone()).await;
    assert_eq!(status, StatusCode::OK);
    for n in items {
        assert_eq!(api.increment_of(n).await, None);
    }
}

/// The numbers the backlog lists (items not in the trash).
async fn listed(api: &Api<'_>) -> Vec<i64> {
    let page = api.ok(Method::GET, "/items", None).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_plain_bulk_form_deletes_the_checked_items_and_undo_restores_them(pool: PgPool) {
    // What the backlog's bulk form posts with JavaScript off: checkboxes named `items[]`.
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let epic = api
        .ok(
            Method::POST,
            "/items",
            Some(json!({"kind": "epic", "title": "Checkout"})),
        )
        .await["number"]
        .as_i64()
        .unwrap();
    api.ok(
        Method::POST,
        "/items",
        Some(json!({"title": "Cart", "parent": epic})),
    )
    .await;
    let (a, b) = (api.task("Pay", 1).await, api.task("Ship", 1).await);
    let backlog = format!("{}/p/{slug}/backlog", app.base);
    let post = |form: Vec<(&'static str, String)>| {
        owner
            .http
            .post(format!("{}/api/fn/items/bulk-form", app.base))
            .header("accept", "text/html")
            .header("referer", &backlog)
            .form(&form)
            .send()
    };
    // An epic with children is deleted on its own page, where its children are chosen for.
    let res = post(vec![
        ("slug", slug.clone()),
        ("items[]", epic.to_string()),
        ("items[]", a.to_string()),
        ("change", "delete".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let page = owner
        .http
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("is an epic with child items"),
        "the backlog shows why"
    );
    assert!(listed(&api).await.contains(&a), "nothing was deleted");

    let res = post(vec![
        ("slug", slug.clone()),
        ("items[]", a.to_string()),
        ("items[]", b.to_string()),
        ("change", "delete".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(!location.contains("__err="), "{location}");
    let left = listed(&api).await;
    assert!(
        !left.contains(&a) && !left.contains(&b),
        "in the trash: {left:?}"
    );
    // Nothing checked: the page says so.
    let res = post(vec![
        ("slug", slug.clone()),
        ("change", "state:done".into()),
    ])
    .await
    .unwrap();
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("__err="));

    let (status, _) = bulk(
        &owner,
        &slug,
        json!([{"items": [a, b], "change": "restore"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for n in [a, b] {
        let detail = api.ok(Method::GET, &format!("/items/{n}"), None).await;
        let last = &detail["history"][0]["field"];
        assert_eq!(last, "restored", "#{n}: {detail}");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn twenty_bulk_edits_at_once_over_the_same_items_all_succeed(pool: PgPool) {
    // A busy team: overlapping selections edited at the same moment, named in different
    // orders. Rows are locked in one order, so none deadlocks or fails.
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let mut numbers = Vec::new();
    for t in ["A", "B", "C", "D", "E", "F"] {
        numbers.push(api.task(t, 1).await);
    }
    let calls = (0..20).map(|i| {
        let mut items = numbers.clone();
        if i % 2 == 1 {
            items.reverse();
        }
        items.truncate(3 + i % 4);
        let change = if i % 3 == 0 {
            json!({"estimate": 3})
        } else if i % 3 == 1 {
            json!({"state": "doing"})
        } else {
            json!({"assignee": "olive@example.com"})
        };
        let (owner, slug) = (&owner, &slug);
        async move { bulk(owner, slug, json!([{"items": items, "change": change}])).await }
    });
    let results = futures_util::future::join_all(calls).await;
    for (status, body) in results {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let detail = api
        .ok(Method::GET, &format!("/items/{}", numbers[0]), None)
        .await;
    assert_eq!(detail["item"]["estimate"], 3);
    assert_eq!(detail["item"]["state"], "doing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_json_api_makes_bulk_edits_too(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let (a, b) = (api.task("Cart", 1).await, api.task("Pay", 1).await);
    let body = json!({"edits": [{"items": [a, b], "change": {"assignee": "olive@example.com"}}]});
    let done = api.ok(Method::POST, "/items/bulk", Some(body)).await;
    assert_eq!(done["changed"], 2);
    assert_eq!(
        done["undo"],
        json!([{"items": [a, b], "change": {"assignee": null}}])
    );
    for n in [a, b] {
        let detail = api.ok(Method::GET, &format!("/items/{n}"), None).await;
        assert_eq!(detail["item"]["assignee"]["email"], "olive@example.com");
    }
    // Refused in the API's error shape, naming the field and the items.
    let (status, err) = api
        .send(
            Method::POST,
            "/items/bulk",
            Some(json!({"edits": [{"items": [a, 404], "change": "delete"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err["error"]["fields"]["items"]
            .as_str()
            .unwrap()
            .contains("#404"),
        "{err}"
    );
    let (status, _) = api
        .send(Method::POST, "/items/bulk", Some(json!({"edits": "all"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

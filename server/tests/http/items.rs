//! The backlog over the JSON API: epics and their roll-ups, estimates on the chart,
//! versions and conflicts, moves, history, the trash, filters and paging.

use super::support::{spawn, Client, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

struct Api<'a> {
    client: &'a Client,
    slug: String,
}

impl Api<'_> {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let path = format!("/projects/{}{path}", self.slug);
        super::support::rest(self.client, method, &path, body).await
    }

    async fn create(&self, body: Value) -> Value {
        let (status, item) = self.send(Method::POST, "/items", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        item
    }

    async fn get(&self, number: i64) -> Value {
        let (status, detail) = self
            .send(Method::GET, &format!("/items/{number}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        detail
    }

    async fn patch(&self, number: i64, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, &format!("/items/{number}"), Some(body))
            .await
    }

    async fn titles(&self, query: &str) -> Vec<String> {
        let (status, page) = self
            .send(Method::GET, &format!("/items{query}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn setup(app: &TestApp) -> (Client, String) {
    app.owner_of("olive@example.com", "Web shop").await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_articles_epic_breaks_into_five_tasks_of_eleven_points(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    let epic = api
        .create(json!({"kind": "epic", "title": "Web shop"}))
        .await;
    let n = epic["number"].as_i64().unwrap();
    let mut children = Vec::new();
    for (title, points) in [
        ("Display items", 1),
        ("Display prices", 1),
        ("Item database", 3),
        ("Pics storage", 1),
        ("Cart", 5),
    ] {
        let child = api
            .create(json!({"title": title, "parent": n, "estimate": points}))
            .await;
        assert_eq!(child["parent"], n);
        children.push(child);
    }
    assert_eq!(children[4]["estimate_label"], "5 · LG");
    let detail = api.get(n).await;
    let rollup = &detail["item"]["rollup"];
    assert_eq!(rollup["total_points"], 11);
    assert_eq!(rollup["remaining_points"], 11);
    assert_eq!(rollup["children"], 5);
    let titles: Vec<&str> = detail["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Display items",
            "Display prices",
            "Item database",
            "Pics storage",
            "Cart"
        ]
    );

    let db = &children[2];
    let (status, done) = api
        .patch(
            db["number"].as_i64().unwrap(),
            json!({"version": db["version"], "state": "done"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["done_at"].is_string());
    let rollup = api.get(n).await["item"]["rollup"].clone();
    assert_eq!(
        (
            rollup["done_points"].as_i64(),
            rollup["remaining_points"].as_i64()
        ),
        (Some(3), Some(8))
    );

    // The backlog's top level shows the epic (carrying its children), not the children.
    assert_eq!(api.titles("").await.len(), 6, "the API lists every item");
    let (_, backlog) = api.send(Method::GET, "/items?epic=1", None).await;
    assert_eq!(backlog["total_count"], 5);
    assert_eq!(backlog["total_points"], 11);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn estimates_must_be_on_the_effort_chart_and_not_estimated_is_not_zero(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    let (status, err) = api
        .send(
            Method::POST,
            "/items",
            Some(json!({"title": "Four", "estimate": 4})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["estimate"]
        .as_str()
        .unwrap()
        .contains("4 is not on this project's effort chart"));
    let (status, _) = api
        .send(
            Method::POST,
            "/items",
            Some(json!({"title": "Zero", "estimate": 0})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "0 is not on the default chart"
    );
    let plain = api.create(json!({"title": "Unsized"})).await;
    assert!(plain["estimate"].is_null());
    let big = api.create(json!({"title": "Huge", "estimate": 13})).await;
    assert_eq!(big["consider_splitting"], true);
    assert_eq!(api.titles("?unestimated=true").await, ["Unsized"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_stale_edit_gets_409_with_the_current_item_and_changes_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let bob = app.user("bob@example.com", "Bob Builder").await;
    owner.add_member(&slug, &bob, "member").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let bob_api = Api { client: &bob, slug };
    let item = api.create(json!({"title": "Cart"})).await;
    let n = item["number"].as_i64().unwrap();
    let (status, _) = bob_api.patch(n, json!({"version": 1, "estimate": 5})).await;
    assert_eq!(status, StatusCode::OK);
    // Olive still holds version 1.
    let (status, body) = api.patch(n, json!({"version": 1, "title": "Basket"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("changed by Bob Builder a moment ago"),
        "{message}"
    );
    assert_eq!(body["current"]["title"], "Cart");
    assert_eq!(body["current"]["estimate"], 5);
    assert_eq!(body["current"]["version"], 2);
    let (status, _) = api.patch(n, json!({"version": 2, "title": "Basket"})).await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_change_writes_an_event_with_who_old_and_new(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    let epic = api
        .create(json!({"kind": "epic", "title": "Checkout"}))
        .await;
    let item = api.create(json!({"title": "Cart"})).await;
    let n = item["number"].as_i64().unwrap();
    let (status, _) = api
        .patch(
            n,
            json!({"version": 1, "title": "Basket", "estimate": 3, "state": "doing",
                   "assignee": "olive@example.com", "parent": epic["number"],
                   "blocked": true, "blocked_reason": "waiting for the payment API"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, same) = api.patch(n, json!({"version": 2, "title": "Basket"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        same["version"], 2,
        "a change that changes nothing writes nothing"
    );
    let history = api.get(n).await["history"].clone();
    let fields: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    let mut sorted = fields.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["assignee", "blocked", "created", "estimate", "parent", "state", "title"]
    );
    assert_eq!(*fields.last().unwrap(), "created");
    let estimate = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "estimate")
        .unwrap();
    assert_eq!(estimate["old"], Value::Null);
    assert_eq!(estimate["new"], 3);
    assert_eq!(estimate["actor"], "Olive Owner");
    let state = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "state")
        .unwrap();
    assert_eq!(state["summary"], "state: todo → doing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn moves_write_one_row_and_the_order_is_the_same_for_everyone(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    for t in ["A", "B", "C", "D"] {
        api.create(json!({"title": t})).await;
    }
    let ranks = || async {
        sqlx::query_as::<_, (i32, i64)>("select number, rank from work_item order by number")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    let before = ranks().await;
    let (status, _) = api
        .send(Method::POST, "/items/4/move", Some(json!({"to": "top"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = ranks().await;
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!(changed, 1, "one row written");
    assert_eq!(api.titles("").await, ["D", "A", "B", "C"]);
    api.send(Method::POST, "/items/1/move", Some(json!({"after": 3})))
        .await;
    assert_eq!(api.titles("").await, ["D", "B", "C", "A"]);
    api.send(Method::POST, "/items/1/move", Some(json!({"before": 2})))
        .await;
    assert_eq!(api.titles("").await, ["D", "A", "B", "C"]);
    api.send(Method::POST, "/items/4/move", Some(json!({"to": "bottom"})))
        .await;
    assert_eq!(api.titles("").await, ["A", "B", "C", "D"]);
    // Another member sees the same order.
    let bob = app.user("bob@example.com", "Bob").await;
    owner.add_member(&slug, &bob, "viewer").await;
    let bob_api = Api { client: &bob, slug };
    assert_eq!(bob_api.titles("").await, ["A", "B", "C", "D"]);

    let (status, err) = api
        .send(
            Method::POST,
            "/items/1/move",
            Some(json!({"before": 2, "to": "top"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = api
        .send(Method::POST, "/items/1/move", Some(json!({"before": 99})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn repeated_moves_into_one_gap_spread_the_ranks_and_keep_the_order(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    for t in ["first", "last"] {
        api.create(json!({"title": t})).await;
    }
    // Each new item goes right after "first": the gap halves every time, until the ranks
    // must be spread out (after about twenty).
    let mut expected = vec!["first".to_owned()];
    for i in 0..30 {
        let item = api.create(json!({"title": format!("n{i}")})).await;
        let n = item["number"].as_i64().unwrap();
        let (status, _) = api
            .send(
                Method::POST,
                &format!("/items/{n}/move"),
                Some(json!({"after": 1})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        expected.insert(1, format!("n{i}"));
    }
    expected.push("last".into());
    assert_eq!(api.titles("?limit=200").await, expected);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deleting_an_epic_asks_about_its_children_and_undo_brings_all_back(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    let epic = api
        .create(json!({"kind": "epic", "title": "Checkout"}))
        .await;
    for t in ["Cart", "Pay"] {
        api.create(json!({"title": t, "parent": epic["number"]}))
            .await;
    }
    let (status, err) = api.send(Method::DELETE, "/items/1", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["children"]
        .as_str()
        .unwrap()
        .contains("2 child items"));
    assert_eq!(api.titles("").await.len(), 3, "nothing deleted");

    let (status, _) = api
        .send(Method::DELETE, "/items/1?children=delete", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(api.titles("").await.is_empty());
    let res = owner
        .call_json("items/restore", &json!({"slug": api.slug, "number": 1}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(api.titles("").await, ["Checkout", "Cart", "Pay"]);

    let (status, _) = api
        .send(Method::DELETE, "/items/1?children=detach", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, cart) = api.send(Method::GET, "/items/2", None).await;
    assert!(cart["item"]["parent"].is_null());
    assert_eq!(api.titles("").await, ["Cart", "Pay"]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn filters_and_cursor_paging_walk_the_whole_backlog_once(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    for i in 0..45 {
        let kind = if i % 3 == 0 { "bug" } else { "task" };
        let estimate = if i % 5 == 0 { Value::Null } else { json!(2) };
        let assignee = if i % 2 == 0 {
            json!("olive@example.com")
        } else {
            Value::Null
        };
        api.create(
            json!({"title": format!("Item {i:02}"), "kind": kind, "estimate": estimate,
                          "assignee": assignee}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("/items?limit=10&cursor={c}"),
            None => "/items?limit=10".to_owned(),
        };
        let (status, page) = api.send(Method::GET, &query, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total_count"], 45);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["title"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..45).map(|i| format!("Item {i:02}")).collect();
    assert_eq!(seen, expected);

    let (_, bugs) = api
        .send(Method::GET, "/items?kind=bug&limit=200", None)
        .await;
    assert_eq!(bugs["total_count"], 15);
    let (_, mine) = api
        .send(
            Method::GET,
            "/items?assignee=OLIVE@example.com&limit=200",
            None,
        )
        .await;
    assert_eq!(mine["total_count"], 23);
    let (_, nobody) = api
        .send(Method::GET, "/items?assignee=none&limit=200", None)
        .await;
    assert_eq!(nobody["total_count"], 22);
    let (_, unestimated) = api.send(Method::GET, "/items?unestimated=true", None).await;
    assert_eq!(unestimated["total_count"], 9);
    assert_eq!(
        api.titles("?q=item%204").await,
        ["Item 40", "Item 41", "Item 42", "Item 43", "Item 44"]
    );
    let (_, all) = api.send(Method::GET, "/items?limit=1", None).await;
    assert_eq!(all["total_points"], 72, "36 estimated items of 2 points");
    let (status, err) = api.send(Method::GET, "/items?kind=story", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["kind"].is_string());
    let (status, _) = api.send(Method::GET, "/items?cursor=garbage", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn hostile_descriptions_are_rendered_harmless(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let item = api
        .create(json!({"title": "XSS", "description":
            "**bold** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> </textarea><script>alert(4)</script>"}))
        .await;
    let html = item["description_html"].as_str().unwrap();
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    // The item page renders the same safe HTML.
    let page = owner
        .get(&format!("/p/{slug}/items/1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>bold</strong>"), "{page}");
    // Nowhere in the page, not even in the edit form's textarea, is the text left raw.
    assert!(!page.contains("<script>alert("), "{page}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_description_preview_renders_as_saved_and_stores_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    api.create(json!({"title": "Checkout"})).await;
    let preview = |text: &'static str| {
        let (owner, slug) = (&owner, slug.clone());
        async move {
            let res = owner
                .call_json("items/preview", &json!({"slug": slug, "text": text}))
                .await;
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (status, html) = preview("**Needs** #1 <script>alert(1)</script>").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let html = html.as_str().unwrap();
    assert!(html.contains("<strong>Needs</strong>"), "{html}");
    // An item mentioned by number links to it, as in the saved description.
    assert!(html.contains(&format!("/p/{slug}/items/1")), "{html}");
    assert!(!html.contains("<script"), "{html}");
    // Too long is refused with the field's message, like a save.
    let long = "x".repeat(20_001);
    let res = owner
        .call_json("items/preview", &json!({"slug": slug, "text": long}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("description"));
    // Nothing was stored: the item has no description and no history of one.
    let detail = api.get(1).await;
    assert_eq!(detail["item"]["description"], "");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_child_restored_after_its_epic_is_gone_comes_back_on_its_own_with_history(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = setup(&app).await;
    let api = Api {
        client: &owner,
        slug,
    };
    api.create(json!({"kind": "epic", "title": "Checkout"}))
        .await;
    api.create(json!({"title": "Cart", "parent": 1})).await;
    let (status, _) = api.send(Method::DELETE, "/items/2", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.send(Method::DELETE, "/items/1", None).await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "no live children left to ask about"
    );
    let res = owner
        .call_json("items/restore", &json!({"slug": api.slug, "number": 2}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail = api.get(2).await;
    assert!(detail["item"]["parent"].is_null());
    let parent_event = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "parent")
        .expect("the detach is in the history");
    assert_eq!(parent_event["old"], 1);
    assert!(parent_event["new"].is_null());
}

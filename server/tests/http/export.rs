//! The stand-up summary, the reflection, and the project export and import over HTTP.

use super::support::{noon_today, rest, spawn, spawn_at, Client, TestApp};
use app::clock::Clock;
use chrono::{Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn ok(client: &Client, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, value) = rest(client, method.clone(), path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

async fn task(client: &Client, slug: &str, body: Value) -> i64 {
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

async fn patch(client: &Client, slug: &str, number: i64, change: Value) -> Value {
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

/// Tomorrow, in a project that works every day (so the test does not depend on the
/// weekday it runs on; weekends and holidays are the calendar's unit tests).
fn tomorrow(clock: &Clock) -> NaiveDate {
    clock.today() + Duration::days(1)
}

async fn work_every_day(client: &Client, slug: &str) {
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
async fn team(app: &TestApp) -> (Client, Client, String) {
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    let bob = app.user("bob@example.com", "Bob Builder").await;
    alice.add_member(&slug, &bob, "member").await;
    (alice, bob, slug)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn yesterdays_work_shows_on_the_next_business_days_stand_up(pool: PgPool) {
    let clock = noon_today();
    let app = spawn_at(pool, clock.clone()).await;
    let (alice, bob, slug) = team(&app).await;
    work_every_day(&alice, &slug).await;
    let cart = task(
        &alice,
        &slug,
        json!({"title": "Cart", "estimate": 5, "assignee": "alice@example.com"}),
    )
    .await;
    let search = task(
        &alice,
        &slug,
        json!({"title": "Search", "estimate": 3, "assignee": "bob@example.com"}),
    )
    .await;
    let pay = task(&alice, &slug, json!({"title": "Pay"})).await;
    // Today: Alice finishes the cart; Bob starts on search and is blocked; nobody has Pay.
    patch(&alice, &slug, cart, json!({"state": "done"})).await;
    patch(
        &bob,
        &slug,
        search,
        json!({"state": "doing", "blocked": true, "blocked_reason": "API down"}),
    )
    .await;
    patch(&alice, &slug, pay, json!({"state": "doing"})).await;
    // Bob writes his note for tomorrow's meeting.
    let day = tomorrow(&clock);
    let res = bob
        .call(
            "standup/note",
            &[
                ("slug", &slug),
                ("date", &day.to_string()),
                ("yesterday", "Search index"),
                ("today", "More search"),
                ("blockers", "The API is down"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let standup = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/standup?date={day}"),
        None,
    )
    .await;
    assert_eq!(standup["previous_business_day"], clock.today().to_string());
    let person = |email: &str| {
        standup["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"]["email"] == email)
            .unwrap()
            .clone()
    };
    let (a, b) = (person("alice@example.com"), person("bob@example.com"));
    // Alice: finished the cart yesterday (and touched Pay), nothing in progress herself.
    let worked: Vec<(i64, bool)> = a["yesterday"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["number"].as_i64().unwrap(),
                w["finished"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(worked.contains(&(cart, true)), "{worked:?}");
    assert!(a["today"].as_array().unwrap().is_empty());
    // Bob: worked on search (state and blocked), is doing it, and it blocks him.
    assert_eq!(b["yesterday"][0]["number"], search);
    assert_eq!(b["yesterday"][0]["finished"], false);
    assert_eq!(b["yesterday"][0]["fields"], json!(["state", "blocked"]));
    assert_eq!(b["today"][0]["number"], search);
    assert_eq!(b["blockers"][0]["blocked_reason"], "API down");
    assert_eq!(b["note"]["blockers"], "The API is down");
    assert_eq!(b["me"], false);
    // Pay is in progress with nobody on it.
    assert_eq!(standup["unassigned_doing"][0]["number"], pay);
    // Blocked for less than a day: not called out yet.
    assert!(standup["long_blocked"].as_array().unwrap().is_empty());

    // Today's stand-up knows nothing of today's work yet.
    let earlier = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/standup"),
        None,
    )
    .await;
    assert!(earlier["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["yesterday"].as_array().unwrap().is_empty()));
    // A bad date is named.
    let (status, err) = rest(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/standup?date=tomorrow"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]["fields"]["date"]
        .as_str()
        .unwrap()
        .contains("tomorrow"));
}

/// A past day's stand-up shows the board as it was at the end of that day, rebuilt from the
/// history, while today's shows it as it is now.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_past_stand_up_shows_the_board_as_it_was_that_day(pool: PgPool) {
    let clock = noon_today();
    let app = spawn_at(pool.clone(), clock.clone()).await;
    let (alice, bob, slug) = team(&app).await;
    let cart = task(
        &alice,
        &slug,
        json!({"title": "Cart", "estimate": 5, "assignee": "alice@example.com"}),
    )
    .await;
    let search = task(
        &alice,
        &slug,
        json!({"title": "Search", "assignee": "bob@example.com"}),
    )
    .await;
    let old = task(
        &alice,
        &slug,
        json!({"title": "Old banner", "assignee": "alice@example.com"}),
    )
    .await;
    let logo = task(
        &alice,
        &slug,
        json!({"title": "Logo", "assignee": "alice@example.com"}),
    )
    .await;
    // Three days ago: Alice was on the cart and the banner; Bob's search was blocked.
    patch(&alice, &slug, cart, json!({"state": "doing"})).await;
    patch(&alice, &slug, old, json!({"state": "doing"})).await;
    patch(
        &bob,
        &slug,
        search,
        json!({"state": "doing", "blocked": true, "blocked_reason": "API down"}),
    )
    .await;
    // (Moving the history back three days is the test's set-up.)
    sqlx::query("update item_event set at = at - interval '3 days'")
        .execute(&pool)
        .await
        .unwrap();
    // Today: the cart is done, the banner is binned, search is unblocked and handed to
    // Alice, and Alice starts on the logo.
    patch(&alice, &slug, cart, json!({"state": "done"})).await;
    let (status, _) = rest(
        &alice,
        Method::DELETE,
        &format!("/projects/{slug}/items/{old}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    patch(
        &alice,
        &slug,
        search,
        json!({"blocked": false, "assignee": "alice@example.com", "title": "Search box"}),
    )
    .await;
    patch(&alice, &slug, logo, json!({"state": "doing"})).await;

    let standup = |date: String| {
        let alice = alice.clone();
        let slug = slug.clone();
        async move {
            ok(
                &alice,
                Method::GET,
                &format!("/projects/{slug}/standup?date={date}"),
                None,
            )
            .await
        }
    };
    let numbers = |list: &Value| -> Vec<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_i64().unwrap())
            .collect()
    };
    let person = |standup: &Value, email: &str| -> Value {
        standup["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"]["email"] == email)
            .unwrap()
            .clone()
    };

    // The day before yesterday, as it ended: the work of three days ago, nothing of today's.
    let today = clock.today();
    let day = today - Duration::days(2);
    let past = standup(day.to_string()).await;
    let end_of_day = format!("{}T00:00:00Z", day + Duration::days(1));
    assert_eq!(past["as_of"], end_of_day);
    assert_eq!(past["is_today"], false);
    let (a, b) = (
        person(&past, "alice@example.com"),
        person(&past, "bob@example.com"),
    );
    assert_eq!(numbers(&a["today"]), vec![cart, old]);
    assert!(a["blockers"].as_array().unwrap().is_empty());
    assert_eq!(numbers(&b["today"]), vec![search]);
    assert_eq!(b["blockers"][0]["title"], "Search");
    assert_eq!(b["blockers"][0]["blocked_reason"], "API down");
    assert_eq!(b["blockers"][0]["assignee"]["display_name"], "Bob Builder");
    // Blocked since three days ago: more than a day by the end of that day.
    assert_eq!(numbers(&past["long_blocked"]), vec![search]);

    // Today: the board as it is now.
    let now = standup(today.to_string()).await;
    assert_eq!(now["as_of"], Value::Null);
    let (a, b) = (
        person(&now, "alice@example.com"),
        person(&now, "bob@example.com"),
    );
    assert_eq!(numbers(&a["today"]), vec![search, logo]);
    assert!(b["today"].as_array().unwrap().is_empty());
    assert!(b["blockers"].as_array().unwrap().is_empty());
    assert!(now["long_blocked"].as_array().unwrap().is_empty());

    // The page says which board it shows.
    let html = alice
        .get(&format!("/p/{slug}/standup?date={day}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("as it was at the end of that day"), "{html}");
    assert!(html.contains("Old banner"));

    // Before anything existed, nothing was in progress.
    let before = standup((today - Duration::days(5)).to_string()).await;
    assert!(before["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["today"].as_array().unwrap().is_empty()));
}

async fn started_increment(alice: &Client, slug: &str) -> i64 {
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

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reflection_card_is_voted_up_and_becomes_a_backlog_item(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, bob, slug) = team(&app).await;
    let increment = started_increment(&alice, &slug).await.to_string();
    let add = |client: &Client, kind: &'static str, body: &'static str| {
        let (client, slug, increment) = (client.clone(), slug.clone(), increment.clone());
        async move {
            let res = client
                .call(
                    "reflection/add",
                    &[
                        ("slug", slug.as_str()),
                        ("increment", increment.as_str()),
                        ("week", "1"),
                        ("kind", kind),
                        ("body", body),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let action = add(&bob, "action", "Automate the deploy").await;
    let good = add(&alice, "went_well", "Pairing on checkout").await;
    let vote = |client: &Client, id: i64, on: bool| {
        let (client, slug) = (client.clone(), slug.clone());
        async move {
            client
                .call(
                    "reflection/vote",
                    &[
                        ("slug", slug.as_str()),
                        ("id", &id.to_string()),
                        ("on", &on.to_string()),
                    ],
                )
                .await
        }
    };
    assert_eq!(vote(&alice, action, true).await.status(), StatusCode::OK);
    assert_eq!(vote(&bob, action, true).await.status(), StatusCode::OK);
    // Voting twice for the same card counts once.
    let card: Value = vote(&bob, action, true).await.json().await.unwrap();
    assert_eq!(card["votes"], 2);
    assert_eq!(card["voted"], true);

    // Only the author edits a card.
    let res = alice
        .call(
            "reflection/edit",
            &[
                ("slug", &slug),
                ("id", &action.to_string()),
                ("body", "Mine now"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = bob
        .call(
            "reflection/edit",
            &[
                ("slug", &slug),
                ("id", &action.to_string()),
                ("body", "Automate the deploy pipeline"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Five votes each on a board: the sixth is refused until one is taken back.
    let mut extra = Vec::new();
    for body in ["One", "Two", "Three", "Four"] {
        let id = add(&alice, "went_badly", body).await;
        extra.push(id);
    }
    for id in &extra[..3] {
        assert_eq!(vote(&bob, *id, true).await.status(), StatusCode::OK);
    }
    assert_eq!(vote(&bob, good, true).await.status(), StatusCode::OK);
    let res = vote(&bob, extra[3], true).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("all 5"));
    assert_eq!(vote(&bob, good, false).await.status(), StatusCode::OK);
    assert_eq!(vote(&bob, extra[3], true).await.status(), StatusCode::OK);

    // Grouping and order belong to the scrum master (here the owner).
    let grouped_id = extra[0].to_string();
    let arrange = |client: &Client| {
        let (client, slug, id) = (client.clone(), slug.clone(), grouped_id.clone());
        async move {
            client
                .call(
                    "reflection/arrange",
                    &[
                        ("slug", slug.as_str()),
                        ("id", id.as_str()),
                        ("group_name", "Process"),
                        ("position", "0"),
                    ],
                )
                .await
                .status()
        }
    };
    assert_eq!(arrange(&bob).await, StatusCode::FORBIDDEN);
    assert_eq!(arrange(&alice).await, StatusCode::OK);

    // The action item becomes a backlog item at the top, linked both ways, once.
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &action.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let card: Value = res.json().await.unwrap();
    let number = card["item"].as_i64().unwrap();
    let item = ok(
        &bob,
        Method::GET,
        &format!("/projects/{slug}/items/{number}"),
        None,
    )
    .await;
    assert_eq!(item["item"]["title"], "Automate the deploy pipeline");
    assert!(item["item"]["description"]
        .as_str()
        .unwrap()
        .contains("Q1 · 1, week 1"));
    let page = ok(
        &bob,
        Method::GET,
        &format!("/projects/{slug}/items?limit=1"),
        None,
    )
    .await;
    assert_eq!(page["items"][0]["number"], number);
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &action.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &good.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The board as Bob sees it, with the velocity beside the (absent) previous one.
    let res = bob
        .call(
            "reflection",
            &[("slug", &slug), ("increment", &increment), ("week", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let board: Value = res.json().await.unwrap();
    assert_eq!(board["votes_left"], 0);
    assert!(board["previous"].is_null());
    let grouped = board["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == extra[0])
        .unwrap();
    assert_eq!(grouped["group_name"], "Process");
    let res = bob
        .call(
            "reflection",
            &[("slug", &slug), ("increment", &increment), ("week", "9")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Drops what the document says differs between an export and the export of its import.
fn comparable(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("exported_at");
    doc["project"].as_object_mut().unwrap().remove("slug");
    doc
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn export_import_export_gives_the_same_document(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, bob, slug) = team(&app).await;
    // Settings, an epic with children, estimates, assignees, history, a trashed item.
    let (_, mut project) = rest(&alice, Method::GET, &format!("/projects/{slug}"), None).await;
    let mut settings = project["settings"].take();
    settings["holidays"] = json!([{"date": "2026-01-06", "name": "Epiphany"}]);
    settings["velocity_window"] = json!(4);
    ok(
        &alice,
        Method::PUT,
        &format!("/projects/{slug}/settings"),
        Some(settings),
    )
    .await;
    let epic = task(&alice, &slug, json!({"kind": "epic", "title": "Web shop"})).await;
    let cart = task(
        &alice,
        &slug,
        json!({"title": "Cart", "estimate": 5, "parent": epic, "assignee": "bob@example.com"}),
    )
    .await;
    let pics = task(
        &alice,
        &slug,
        json!({"title": "Pics", "estimate": 1, "parent": epic, "description": "**bold**"}),
    )
    .await;
    let old = task(&alice, &slug, json!({"title": "Old idea"})).await;
    ok(
        &alice,
        Method::DELETE,
        &format!("/projects/{slug}/items/{old}"),
        None,
    )
    .await;
    // A closed increment with a report, then an active one; notes; a reflection.
    let first = started_increment(&alice, &slug).await;
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{first}/items"),
        Some(json!({"items": [cart, pics]})),
    )
    .await;
    patch(&bob, &slug, cart, json!({"state": "done"})).await;
    patch(
        &bob,
        &slug,
        pics,
        json!({"blocked": true, "blocked_reason": "No camera"}),
    )
    .await;
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{first}/close"),
        Some(json!({"carry": "next"})),
    )
    .await;
    let increments = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/increments"),
        None,
    )
    .await;
    let second = increments[1]["id"].as_i64().unwrap();
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{second}/start"),
        None,
    )
    .await;
    bob.call(
        "standup/note",
        &[
            ("slug", &slug),
            ("date", "2026-01-07"),
            ("yesterday", "Cart"),
            ("today", "Pics"),
            ("blockers", ""),
        ],
    )
    .await;
    let res = bob
        .call(
            "reflection/add",
            &[
                ("slug", &slug),
                ("increment", &first.to_string()),
                ("week", "2"),
                ("kind", "action"),
                ("body", "Buy a camera"),
            ],
        )
        .await;
    let card: Value = res.json().await.unwrap();
    alice
        .call(
            "reflection/vote",
            &[
                ("slug", &slug),
                ("id", &card["id"].to_string()),
                ("on", "true"),
            ],
        )
        .await;
    bob.call(
        "reflection/to_item",
        &[("slug", &slug), ("id", &card["id"].to_string())],
    )
    .await;

    // Export with an API token (no cookie).
    let token = alice.token("export").await;
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/api/v1/projects/{slug}/export", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("{slug}.cadence.json")));
    let exported: Value = res.json().await.unwrap();
    assert_eq!(exported["schema"], "cadence.project");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["items"].as_array().unwrap().len(), 5);
    assert_eq!(exported["members"].as_array().unwrap().len(), 2);
    assert_eq!(exported["sprints"][0]["increments"][0]["state"], "closed");
    assert!(exported["sprints"][0]["increments"][0]["report"]["committed"].is_number());
    let cart_doc = exported["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == cart)
        .unwrap();
    assert_eq!(cart_doc["assignee"], "bob@example.com");
    assert_eq!(cart_doc["parent"], epic);
    // History refers to increments by key, never by database id.
    let moved: Vec<&Value> = cart_doc["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "increment")
        .collect();
    assert_eq!(moved[0]["new"]["key"], 1);
    assert!(moved[0]["new"].get("id").is_none());
    assert_eq!(
        exported["reflections"][0]["votes"],
        json!(["alice@example.com"])
    );

    // A wrong token is refused.
    let res = http
        .get(format!("{}/api/v1/projects/{slug}/export", app.base))
        .bearer_auth("cad_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Import as a new project, then export that.
    let (status, imported) = rest(
        &alice,
        Method::POST,
        "/projects/import",
        Some(exported.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let new_slug = imported["slug"].as_str().unwrap().to_owned();
    assert_ne!(new_slug, slug);
    assert_eq!(imported["skipped_members"], json!([]));
    let again = ok(
        &alice,
        Method::GET,
        &format!("/projects/{new_slug}/export"),
        None,
    )
    .await;
    assert_eq!(comparable(again.clone()), comparable(exported.clone()));
    // The copy works like the original: its frozen report, its board, new numbers go on.
    let report = ok(
        &alice,
        Method::GET,
        &format!("/projects/{new_slug}/reports/velocity"),
        None,
    )
    .await;
    let original = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/reports/velocity"),
        None,
    )
    .await;
    assert_eq!(
        report["increments"][0]["completed"],
        original["increments"][0]["completed"]
    );
    let next = task(&alice, &new_slug, json!({"title": "After import"})).await;
    assert_eq!(next, 6);
    // Bob is a member of the copy too.
    let (status, _) = rest(&bob, Method::GET, &format!("/projects/{new_slug}"), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bad_document_is_named_and_creates_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, _bob, slug) = team(&app).await;
    task(&alice, &slug, json!({"title": "Cart", "estimate": 5})).await;
    let good = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/export"),
        None,
    )
    .await;
    let projects_before = ok(&alice, Method::GET, "/projects", None).await;

    // Not JSON at all.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/import", app.base))
        .header("content-type", "application/json")
        .body("{\"schema\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    // A good document that does not say it is JSON.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/import", app.base))
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Content-Type: application/json"));

    let mut cases: Vec<(Value, &str, &str)> = vec![
        (
            {
                let mut d = good.clone();
                d["version"] = json!(2);
                d
            },
            "version",
            "version 2 is not supported",
        ),
        (
            {
                let mut d = good.clone();
                d.as_object_mut().unwrap().remove("version");
                d
            },
            "version",
            "missing",
        ),
        (
            {
                let mut d = good.clone();
                d["schema"] = json!("trello.board");
                d
            },
            "schema",
            "trello.board",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0].as_object_mut().unwrap().remove("title");
                d
            },
            "items[0]",
            "title",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["estimate"] = json!(4);
                d
            },
            "items[0].estimate",
            "Fibonacci",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["parent"] = json!(99);
                d
            },
            "items[0].parent",
            "#99",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["kind"] = json!("story");
                d
            },
            "items[0].kind",
            "story",
        ),
    ];
    let increment = json!({"key": 1, "number": 1, "starts_on": "2026-01-05",
        "ends_on": "2026-01-18", "state": "planned", "started_at": null, "closed_at": null,
        "committed_points": null, "commitment": null, "report": null});
    let mut twice = good.clone();
    twice["sprints"] = json!([{"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-31",
        "increment_weeks": 2, "increments": [increment.clone(), increment]}]);
    cases.push((twice, "sprints", "two increments have the key 1"));
    cases.push((json!([good.clone()]), "document", "a JSON object"));
    for (doc, field, words) in cases {
        let (status, err) = rest(&alice, Method::POST, "/projects/import", Some(doc)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        let message = err["error"]["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {err}"));
        assert!(message.contains(words), "{field}: {message}");
    }
    let projects_after = ok(&alice, Method::GET, "/projects", None).await;
    assert_eq!(projects_before, projects_after);
    // Anonymous callers cannot import.
    let (status, _) = rest(
        &app.anonymous(),
        Method::POST,
        "/projects/import",
        Some(good),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Each export holds a database connection while it streams, so only so many run at once
/// (two here): one more is refused with 503 and Retry-After until one of them ends.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_so_many_exports_stream_at_once(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, _bob, slug) = team(&app).await;
    // A document far larger than the socket buffers (2,000 items of 10 kB of random hex,
    // still 10 MB compressed), so a client that does not read keeps its export waiting,
    // and holding its connection.
    sqlx::query(
        r#"insert into work_item (id, project_id, number, kind, title, description, rank, creator_id)
           select gen_random_uuid(), p.id, n, 'task', 'Item ' || n,
                  (select string_agg(md5(random()::text || g || n), '') from generate_series(1, 300) g),
                  n::bigint * 1024, p.owner_id
           from (select id, (select user_id from project_member m
                             where m.project_id = project.id and role = 'owner') as owner_id
                 from project where slug = $1) p, generate_series(1, 2000) n"#,
    )
    .bind(&slug)
    .execute(&pool)
    .await
    .unwrap();
    let export = || {
        alice
            .http
            .get(format!("{}/api/v1/projects/{slug}/export", alice.base))
            .send()
    };
    let first = export().await.unwrap();
    let second = export().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = export().await.unwrap();
    assert_eq!(third.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(third.headers()["retry-after"], "60");
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"]["code"], "busy");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("try again"));

    // The first client reads its document to the end: that frees a place.
    let document: Value = first.json().await.unwrap();
    assert_eq!(document["items"].as_array().unwrap().len(), 2000);
    // (The export task ends just after its last chunk; give it a moment to let go.)
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        let next = export().await.unwrap();
        status = next.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK);
    drop(second);
}

/// Browsers always ask for a compressed answer: the export streams to its end in gzip and
/// in brotli (the stream used to panic when the compression layer polled it after its end,
/// cutting every browser download off), and it really is compressed.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_export_downloads_whole_when_compressed(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, _bob, slug) = team(&app).await;
    for n in 0..30 {
        task(
            &alice,
            &slug,
            json!({"title": format!("Item {n}"), "estimate": 3}),
        )
        .await;
    }
    let url = format!("{}/api/v1/projects/{slug}/export", alice.base);
    // A token, so plain clients with their own settings can ask.
    let token = alice.token("export").await;
    for encoding in ["gzip", "br"] {
        // Left encoded: the answer is compressed and arrives whole (a cut-off chunked body
        // is an error here).
        let res = super::support::undecoded()
            .get(&url)
            .bearer_auth(&token)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
        let bytes = res.bytes().await.expect("the whole compressed body");
        assert!(!bytes.is_empty());
        // Decoded as a browser decodes it: the whole document.
        let decoding = reqwest::Client::builder()
            .gzip(encoding == "gzip")
            .brotli(encoding == "br")
            .build()
            .unwrap();
        let doc: Value = decoding
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .expect("the whole document, decoded");
        assert_eq!(doc["schema"], "cadence.project");
        assert_eq!(doc["items"].as_array().unwrap().len(), 30);
    }
}

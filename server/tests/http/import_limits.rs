//! What an import or a client's list may hold: every list has a maximum refused with a 422
//! that names it, numbers that would break something later are refused where they enter,
//! a document over the server's limit is 413, and only so many imports run at once.

use super::scene::{ok, started_increment, team};
use super::support::{rest, spawn, spawn_with_imports};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// A small valid document: one sprint with one increment, `items` tasks numbered from 1.
fn document(items: usize) -> Value {
    json!({
        "schema": "cadence.project", "version": 1, "exported_at": "2026-11-30T12:00:00Z",
        "project": {"name": "Imported", "slug": "imported", "archived": false,
            "settings": {"effort_chart": [{"points": 1, "label": "S"}, {"points": 2, "label": "M"}],
                         "working_days": [1, 2, 3, 4, 5], "holidays": [], "velocity_window": 3}},
        "members": [],
        "sprints": [{"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-30",
            "increment_weeks": 2, "increments": [{"key": 1, "number": 1,
            "starts_on": "2026-01-05", "ends_on": "2026-01-16", "state": "closed",
            "started_at": "2026-01-05T09:00:00Z", "closed_at": "2026-01-16T17:00:00Z",
            "committed_points": 8, "commitment": [{"number": 1, "points": 8}],
            "report": {"committed": 8, "added": 0, "removed": 0, "completed": 8,
                       "business_days": 10, "velocity": 0.8, "days": []}}]}],
        "items": (1..=items).map(|n| json!({"number": n, "kind": "task", "parent": null,
            "title": format!("Item {n}"), "description": "", "estimate": null,
            "assignee": null, "state": "todo", "blocked": false, "blocked_reason": null,
            "rank": n * 1024, "version": 1, "creator": null,
            "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z",
            "done_at": null, "deleted_at": null, "increment": null, "history": []}))
            .collect::<Vec<_>>(),
        "standup_notes": [],
        "reflections": []
    })
}

async fn refused(client: &super::support::Client, doc: Value, field: &str, words: &str) {
    let (status, err) = rest(client, Method::POST, "/projects/import", Some(doc)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
    let message = err["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {err}"));
    assert!(message.contains(words), "{field}: {message}");
}

/// An item number of 2147483647 was a 500 (the next number overflowed), and 2147483646
/// blocked every new item; a frozen velocity of 1e-320 made the velocity page panic.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn numbers_that_would_break_the_project_later_are_refused(pool: PgPool) {
    let app = spawn(pool).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let projects_before = ok(&alice, Method::GET, "/projects", None).await;
    for number in [2_147_483_647_i64, 2_147_483_646, 1_000_001, 0, -5] {
        let mut doc = document(2);
        doc["items"][1]["number"] = json!(number);
        refused(&alice, doc, "items[1].number", "1 to 1000000").await;
    }
    for velocity in [json!(1e-320), json!(1e300), json!(-0.8), json!(0.7)] {
        let mut doc = document(1);
        doc["sprints"][0]["increments"][0]["report"]["velocity"] = velocity.clone();
        refused(&alice, doc, "sprints[0].increments[0].report", "velocity").await;
    }
    let cases: [(&str, Value, &str, &str); 6] = [
        (
            "/sprints/0/increments/0/number",
            json!(2_147_483_647),
            "sprints[0].increments[0].number",
            "1 to 100000",
        ),
        (
            "/sprints/0/increments/0/committed_points",
            json!(2_147_483_647),
            "sprints[0].increments[0].committed_points",
            "between 0 and",
        ),
        (
            "/sprints/0/increments/0/report/completed",
            json!(4_000_000_000_u32),
            "sprints[0].increments[0].report",
            "at most",
        ),
        (
            "/items/0/version",
            json!(2_147_483_647),
            "items[0].version",
            "1 to 1000000000",
        ),
        ("/items/0/rank", json!(i64::MAX), "items[0].rank", "rank"),
        (
            "/items/0/created_at",
            json!("9999-01-01T00:00:00Z"),
            "items[0].created_at",
            "1900-01-01",
        ),
    ];
    for (pointer, value, field, words) in cases {
        let mut doc = document(1);
        *doc.pointer_mut(pointer).unwrap() = value;
        refused(&alice, doc, field, words).await;
    }
    // Nothing was created; the largest number allowed is fine, and new items count on.
    assert_eq!(
        ok(&alice, Method::GET, "/projects", None).await,
        projects_before
    );
    let mut doc = document(2);
    doc["items"][1]["number"] = json!(1_000_000);
    let (status, imported) = rest(&alice, Method::POST, "/projects/import", Some(doc)).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let slug = imported["slug"].as_str().unwrap();
    let next = ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/items"),
        Some(json!({"title": "Next"})),
    )
    .await;
    assert_eq!(next["number"], 1_000_001);
}

/// Whatever a stored report holds, the velocity page draws: a subnormal velocity (which an
/// import can no longer bring in) used to ask the chart for usize::MAX axis ticks.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_velocity_page_draws_odd_numbers(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let (status, imported) =
        rest(&alice, Method::POST, "/projects/import", Some(document(1))).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let slug = imported["slug"].as_str().unwrap().to_owned();
    for velocity in ["1e-320", "5e-324", "1e300", "0"] {
        sqlx::query(
            "update increment set report = jsonb_set(report, '{velocity}', $1::jsonb)
             where project_id = (select id from project where slug = $2)",
        )
        .bind(velocity)
        .bind(&slug)
        .execute(&pool)
        .await
        .unwrap();
        let res = alice.get(&format!("/p/{slug}/velocity")).await;
        assert_eq!(res.status(), StatusCode::OK, "{velocity}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Velocity"), "{velocity}");
    }
}

/// Every list a document holds has a maximum, refused where it is passed and named.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_lists_of_a_document_have_maximums(pool: PgPool) {
    let app = spawn(pool).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let event = json!({"actor": null, "at": "2026-01-05T09:00:00Z", "field": "restored",
                       "old": null, "new": null});
    let mut doc = document(1);
    doc["items"][0]["history"] = Value::Array(vec![event; 10_001]);
    refused(&alice, doc, "items[0].history", "at most 10000").await;

    let mut doc = document(1);
    doc["members"] = (0..1001)
        .map(|n| json!({"email": format!("p{n}@example.com"), "display_name": "P", "role": "member"}))
        .collect();
    refused(&alice, doc, "members", "at most 1000").await;

    let mut doc = document(1);
    doc["reflections"] = (0..301)
        .map(|n| {
            json!({"increment": 1, "week": 1, "kind": "went_well", "body": format!("Card {n}"),
                        "author": null, "group_name": null, "position": n, "item": null,
                        "created_at": "2026-01-06T09:00:00Z", "votes": []})
        })
        .collect();
    refused(&alice, doc, "reflections[300].week", "at most 300 cards").await;

    let mut doc = document(1);
    doc["sprints"][0]["increments"][0]["report"]["days"] = (0..11)
        .map(|_| {
            json!({"date": "2026-01-05", "remaining": 8, "scope": 8, "done": 0,
                        "ideal": 8.0, "scope_added": 0})
        })
        .collect();
    refused(&alice, doc, "sprints[0].increments[0].report", "more days").await;

    // A document of a thousand bad items is refused after the first few faults.
    let mut doc = document(1000);
    for item in doc["items"].as_array_mut().unwrap() {
        item["estimate"] = json!(4);
    }
    let (status, err) = rest(&alice, Method::POST, "/projects/import", Some(doc)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let faults = err["error"]["fields"].as_object().unwrap().len();
    assert!((1..=20).contains(&faults), "{faults} faults named");
}

/// The lists a client sends in settings and on reflection boards have maximums too.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn settings_and_boards_have_maximums(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, _bob, slug) = team(&app).await;
    let path = format!("/projects/{slug}");
    let mut settings: Value = ok(&alice, Method::GET, &path, None).await["settings"].take();
    let original = settings.clone();
    settings["effort_chart"] = (0..20_000)
        .map(|n| json!({"points": 1, "label": format!("L{n}")}))
        .collect();
    settings["working_days"] = json!(vec![1; 100_000]);
    let (status, err) = rest(
        &alice,
        Method::PUT,
        &format!("{path}/settings"),
        Some(settings),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["effort_chart"]
        .as_str()
        .unwrap()
        .contains("at most 11 values"));
    assert!(err["error"]["fields"]["working_days"]
        .as_str()
        .unwrap()
        .contains("7 days"));
    assert_eq!(
        ok(&alice, Method::GET, &path, None).await["settings"],
        original
    );

    // A board takes 300 cards; the 301st is refused. A board has at most 30 groups.
    let increment = started_increment(&alice, &slug).await;
    sqlx::query(
        "insert into reflection_card (project_id, increment_id, week, kind, body, position,
                                      group_name)
         select i.project_id, i.id, 1, 'went_well', 'Card ' || n, n, 'Group ' || (n % 30)
         from increment i, generate_series(1, 300) n where i.id = $1",
    )
    .bind(increment)
    .execute(&pool)
    .await
    .unwrap();
    let inc = increment.to_string();
    let res = alice
        .call(
            "reflection/add",
            &[
                ("slug", &slug),
                ("increment", &inc),
                ("week", "1"),
                ("kind", "action"),
                ("body", "One more"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("300 cards"));
    let res = alice
        .call(
            "reflection/add",
            &[
                ("slug", &slug),
                ("increment", &inc),
                ("week", "2"),
                ("kind", "action"),
                ("body", "Next week's board has room"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let card: i64 = sqlx::query_scalar(
        "select id from reflection_card where increment_id = $1 and week = 1 limit 1",
    )
    .bind(increment)
    .fetch_one(&pool)
    .await
    .unwrap();
    let arrange = |group: &'static str, position: &'static str| {
        let (alice, slug) = (alice.clone(), slug.clone());
        async move {
            alice
                .call(
                    "reflection/arrange",
                    &[
                        ("slug", slug.as_str()),
                        ("id", &card.to_string()),
                        ("group_name", group),
                        ("position", position),
                    ],
                )
                .await
        }
    };
    let res = arrange("A new heading", "0").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("at most 30 groups"));
    assert_eq!(arrange("Group 7", "0").await.status(), StatusCode::OK);
    // A position at the end of i32 would make the next card's position overflow.
    let res = arrange("Group 7", "2147483647").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A document over the server's limit is refused with 413, whether it says its length or
/// not; the limit is the server's setting.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_document_over_the_limit_is_413(pool: PgPool) {
    let app = spawn_with_imports(pool, server::Imports::new(64 * 1024)).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let big = document(400).to_string();
    assert!(big.len() > 64 * 1024);
    let (status, err) = rest(
        &alice,
        Method::POST,
        "/projects/import",
        Some(document(400)),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("import limit"));
    // Sent in chunks without a length: refused as soon as it passes the limit.
    let token = alice.token("import").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/projects/import HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    for chunk in big.as_bytes().chunks(8 * 1024) {
        // The server may answer and stop reading before the last chunk.
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if conn.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = conn.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::io::AsyncReadExt::read(&mut conn, &mut answer),
    )
    .await
    .unwrap()
    .unwrap();
    let status_line = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    // A document within the limit is imported.
    let (status, _) = rest(&alice, Method::POST, "/projects/import", Some(document(20))).await;
    assert_eq!(status, StatusCode::CREATED);
}

/// Only so many imports run at once (one here): while one is still sending its document,
/// another is answered 503 with Retry-After before its body is read; then there is room.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_so_many_imports_run_at_once(pool: PgPool) {
    let running = Arc::new(tokio::sync::Semaphore::new(1));
    let imports = server::Imports {
        max_bytes: 1024 * 1024,
        running: running.clone(),
    };
    let app = spawn_with_imports(pool, imports).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let token = alice.token("import").await;
    // A client that announces a document and sends only its first bytes.
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/projects/import HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"schema\""
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.flush().await.unwrap();
    // Its import has its place (the test watches the server's semaphore, so it does not
    // race the slow client's headers).
    for _ in 0..100 {
        if running.available_permits() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        running.available_permits(),
        0,
        "the slow import holds the place"
    );
    let (status, err) = rest(&alice, Method::POST, "/projects/import", Some(document(1))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{err}");
    assert_eq!(err["error"]["code"], "busy");
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/import", app.base))
        .json(&document(1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "60");
    // The slow client gives up: its place is free again.
    drop(slow);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        let (s, _) = rest(&alice, Method::POST, "/projects/import", Some(document(1))).await;
        status = s;
        if s == StatusCode::CREATED {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::CREATED);
}

/// Ranks are unique in a project: a document that gives two items one rank (written by
/// hand, or exported before ranks were unique) is imported with its order kept, ties in
/// the document's order, and every rank distinct.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn items_sharing_a_rank_are_imported_in_order(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let alice = app.user("alice@example.com", "Alice").await;
    let mut doc = document(3);
    for (i, rank) in [5, 5, 1].into_iter().enumerate() {
        doc["items"][i]["rank"] = json!(rank);
    }
    let (status, imported) = rest(&alice, Method::POST, "/projects/import", Some(doc)).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let numbers: Vec<i32> = sqlx::query_scalar(
        "select number from work_item where project_id = (select id from project where slug = $1)
         order by rank",
    )
    .bind(imported["slug"].as_str().unwrap())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(numbers, [3, 1, 2]);
}

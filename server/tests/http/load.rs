//! A busy team on one item, one rank spot, a small pool; clients that stall; a database
//! that holds a request too long. Every answer is a 2xx, a 409 or (when the server is
//! overloaded on purpose) a 503 that says to retry: never a 500, never a lost update.

use super::scene::{ok, task};
use super::support::{rest, spawn, spawn_with_timeouts, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::serve::Timeouts;
use server::DbTimeouts;
use sqlx::PgPool;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A pool on the test's database like the server's, with `size` connections.
fn small_pool(pool: &PgPool, size: u32, timeouts: DbTimeouts) -> PgPool {
    server::pool_with((*pool.connect_options()).clone(), size, timeouts)
}

async fn version_of(client: &Client, slug: &str, number: i64) -> i64 {
    ok(
        client,
        Method::GET,
        &format!("/projects/{slug}/items/{number}"),
        None,
    )
    .await["item"]["version"]
        .as_i64()
        .unwrap()
}

/// Under the old code the edit holding the item's row lock asked the pool for a second
/// connection (the assignee look-up, the "changed by" look-up) while the edits waiting
/// for that lock held all the others: everyone waited out the pool's 5 s and got a 500.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn twenty_edits_of_one_item_through_three_connections_get_200_or_409(pool: PgPool) {
    let app = spawn_with_timeouts(
        small_pool(&pool, 3, DbTimeouts::default()),
        Timeouts::default(),
    )
    .await;
    let (alice, slug) = app.owner_of("alice@example.com", "Shop").await;
    let number = task(&alice, &slug, json!({"title": "Contested"})).await;
    let version = version_of(&alice, &slug, number).await;
    let path = format!("/projects/{slug}/items/{number}");
    let edits = (0..20).map(|i| {
        let (alice, path) = (alice.clone(), path.clone());
        async move {
            let body = json!({"version": version, "title": format!("Edit {i}"),
                              "assignee": "alice@example.com"});
            rest(&alice, Method::PATCH, &path, Some(body)).await
        }
    });
    let started = std::time::Instant::now();
    let answers = futures_util::future::join_all(edits).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "one edit wins: {statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        19,
        "the others were made against the old version: {statuses:?}"
    );
    let (_, conflict) = answers
        .iter()
        .find(|(s, _)| *s == StatusCode::CONFLICT)
        .unwrap();
    assert!(
        conflict["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed by Olive Owner"),
        "{conflict}"
    );
    // Nobody waited out the pool's acquire timeout.
    assert!(started.elapsed() < Duration::from_secs(5), "{started:?}");
    assert_eq!(version_of(&alice, &slug, number).await, version + 1);
}

/// Free-running: each client reads the item and edits it, again and again. Every edit is
/// accepted or refused as stale, and the item's version counts exactly the accepted ones.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_team_hammering_one_item_loses_no_update_and_sees_no_5xx(pool: PgPool) {
    let app = spawn_with_timeouts(
        small_pool(&pool, 10, DbTimeouts::default()),
        Timeouts::default(),
    )
    .await;
    let (alice, slug) = app.owner_of("alice@example.com", "Shop").await;
    let number = task(&alice, &slug, json!({"title": "Busy"})).await;
    let first = version_of(&alice, &slug, number).await;
    let path = format!("/projects/{slug}/items/{number}");
    let clients = (0..25).map(|c| {
        let (alice, path, slug) = (alice.clone(), path.clone(), slug.clone());
        async move {
            let mut statuses = Vec::new();
            for round in 0..4 {
                let version = version_of(&alice, &slug, number).await;
                let body = json!({"version": version, "title": format!("Client {c} round {round}"),
                                  "assignee": "alice@example.com", "estimate": 3});
                let (status, body) = rest(&alice, Method::PATCH, &path, Some(body)).await;
                assert!(
                    status == StatusCode::OK || status == StatusCode::CONFLICT,
                    "{status} {body}"
                );
                statuses.push(status);
            }
            statuses
        }
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(clients)
        .await
        .into_iter()
        .flatten()
        .collect();
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count() as i64;
    assert!(accepted >= 1, "{statuses:?}");
    assert_eq!(version_of(&alice, &slug, number).await, first + accepted);
}

/// Moves into one spot at once: no deadlock, no 5xx, every rank distinct, every item still
/// listed once.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn concurrent_moves_into_one_spot_keep_a_consistent_order(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Shop").await;
    let mut numbers = Vec::new();
    for i in 0..12 {
        numbers.push(task(&alice, &slug, json!({"title": format!("Item {i}")})).await);
    }
    let anchor = numbers[0];
    let moves = numbers[1..]
        .iter()
        .cycle()
        .take(40)
        .enumerate()
        .map(|(i, &n)| {
            let (alice, slug) = (alice.clone(), slug.clone());
            async move {
                let to = match i % 4 {
                    0 => json!({"before": anchor}),
                    1 => json!({"after": anchor}),
                    2 => json!({"to": "top"}),
                    _ => json!({"to": "bottom"}),
                };
                let path = format!("/projects/{slug}/items/{n}/move");
                rest(&alice, Method::POST, &path, Some(to)).await
            }
        });
    for (status, body) in futures_util::future::join_all(moves).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let listed: Value = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/items?limit=100"),
        None,
    )
    .await;
    let mut seen: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, numbers, "every item listed exactly once");
    let (items, ranks): (i64, i64) =
        sqlx::query_as("select count(*), count(distinct rank) from work_item")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(items, ranks, "no two items share a rank");
}

/// A client that starts a request and stops sending is disconnected after the header
/// timeout, and the server answers everyone else meanwhile.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_stalled_client_is_cut_off_and_others_are_served(pool: PgPool) {
    let timeouts = Timeouts {
        header_read: Duration::from_millis(700),
        body_idle: Duration::from_millis(700),
        ..Timeouts::default()
    };
    let app = spawn_with_timeouts(pool, timeouts).await;
    let addr = app.base.trim_start_matches("http://").to_owned();

    // Half a request line, then nothing; and a connection that sends nothing at all.
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();

    let others = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(others.status(), StatusCode::OK);

    for (what, stream) in [("half a request", &mut half), ("nothing", &mut silent)] {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("a client that sent {what} was still connected after 5 s"));
        assert!(
            read.is_ok(),
            "a client that sent {what}: the connection closed"
        );
        // Nothing was answered to a request that never arrived.
        assert!(!String::from_utf8_lossy(&buf).contains("200 OK"), "{what}");
    }

    // A body that stops halfway fails the request instead of holding it.
    let mut body = tokio::net::TcpStream::connect(&addr).await.unwrap();
    body.write_all(
        b"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":",
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), body.read_to_end(&mut buf))
        .await
        .expect("a stalled body was still held after 5 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4") || answer.starts_with("HTTP/1.1 5"),
        "{answer}"
    );
}

/// A lock held longer than the lock timeout is a 503 to retry, not a 500 and not a wait
/// as long as the lock; a request that outlasts the request timeout is a 503 too.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_request_stuck_behind_a_lock_is_answered_503_in_time(pool: PgPool) {
    let short_locks = DbTimeouts {
        lock: Duration::from_millis(500),
        ..DbTimeouts::default()
    };
    let app = spawn_with_timeouts(small_pool(&pool, 5, short_locks), Timeouts::default()).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Shop").await;
    let number = task(&alice, &slug, json!({"title": "Locked"})).await;
    let version = version_of(&alice, &slug, number).await;
    let path = format!("/projects/{slug}/items/{number}");

    // Someone else (a stuck transaction) holds the item's row.
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("select 1 from work_item where number = $1 for update")
        .bind(number as i32)
        .execute(&mut *holder)
        .await
        .unwrap();

    let res = alice
        .http
        .patch(format!("{}/api/v1{path}", alice.base))
        .json(&json!({"version": version, "title": "Mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "2");
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unavailable", "{err}");

    // With a long lock timeout, the request timeout answers instead.
    let slow = spawn_with_timeouts(
        small_pool(&pool, 5, DbTimeouts::default()),
        Timeouts {
            request: Duration::from_millis(800),
            ..Timeouts::default()
        },
    )
    .await;
    let mut alice_there = alice.clone();
    alice_there.base = slow.base.clone();
    let started = std::time::Instant::now();
    let (status, err) = rest(
        &alice_there,
        Method::PATCH,
        &path,
        Some(json!({"version": version, "title": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{err}");
    assert_eq!(err["error"]["code"], "unavailable", "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    holder.rollback().await.unwrap();
    let (status, body) = rest(
        &alice,
        Method::PATCH,
        &path,
        Some(json!({"version": version, "title": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "Mine");
}

/// A client that lost the answer to a create sends it again with the same key: the first
/// answer comes back and nothing is made twice, even when the retries race the original.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_create_retried_with_its_idempotency_key_is_made_once(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Shop").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let url = format!("{}/api/v1/projects/{slug}/items", alice.base);
    let send = |client: &Client, key: &str, title: &str| {
        client
            .http
            .post(&url)
            .header("Idempotency-Key", key)
            .json(&json!({"title": title}))
            .send()
    };

    let first = send(&alice, "key-1", "Once").await.unwrap();
    let status = first.status();
    assert!(status.is_success(), "{status}");
    assert!(first.headers().get("idempotent-replayed").is_none());
    let created: Value = first.json().await.unwrap();
    let again = send(&alice, "key-1", "Once").await.unwrap();
    assert_eq!(again.status(), status);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), created);

    // The same key with another request is a mistake the client hears about.
    let other = send(&alice, "key-1", "Something else").await.unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = other.json().await.unwrap();
    assert!(
        err["error"]["fields"]["Idempotency-Key"].is_string(),
        "{err}"
    );
    // A key that is not one.
    let bad = send(&alice, &"k".repeat(300), "Long").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Keys are per account: Bob's "key-1" is his own (and he may not write here: 404).
    let bobs = send(&bob, "key-1", "Once").await.unwrap();
    assert_eq!(bobs.status(), StatusCode::NOT_FOUND);

    // Five copies at once: one is made; the others get its answer or "still running".
    let racing = (0..5).map(|_| send(&alice, "key-2", "Raced"));
    for res in futures_util::future::join_all(racing).await {
        let res = res.unwrap();
        assert!(
            res.status().is_success() || res.status() == StatusCode::CONFLICT,
            "{}",
            res.status()
        );
    }
    let titles: Vec<String> = sqlx::query_scalar("select title from work_item order by number")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(titles, ["Once", "Raced"]);
}

//! Planning poker over the JSON API (issue 14): who may do what, votes hidden until the
//! reveal (in answers and in the event stream), the accepted value written with its
//! history, one session at a time, and nothing lost when the server restarts.

use super::support::{rest, spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

/// A task named `title` (through the JSON API); its number.
async fn create(client: &Client, slug: &str, title: &str) -> i64 {
    super::scene::task(client, slug, json!({"title": title})).await
}

async fn poker(client: &Client, slug: &str, action: &str, body: Value) -> (StatusCode, Value) {
    rest(
        client,
        Method::POST,
        &format!("/projects/{slug}/poker{action}"),
        Some(body),
    )
    .await
}

async fn state(client: &Client, slug: &str) -> Value {
    let (status, state) = rest(
        client,
        Method::GET,
        &format!("/projects/{slug}/poker"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    state
}

fn round(state: &Value) -> &Value {
    state["session"]["current"]["rounds"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
}

/// Two members vote, a viewer watches; until the reveal each sees only their own card; the
/// scrum master reveals, the team needs a second round on the first item, accepts, and the
/// item's estimate, version and history say so; the second item agrees at once; the
/// summary counts it all and stays with the increment.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_team_estimates_two_items_and_votes_stay_hidden_until_the_reveal(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Poker night").await;
    let sam = app.user("sam@example.com", "Sam Scrum").await;
    let mia = app.user("mia@example.com", "Mia Member").await;
    let max = app.user("max@example.com", "Max Member").await;
    let vic = app.user("vic@example.com", "Vic Viewer").await;
    owner.add_member(&slug, &sam, "scrum_master").await;
    owner.add_member(&slug, &mia, "member").await;
    owner.add_member(&slug, &max, "member").await;
    owner.add_member(&slug, &vic, "viewer").await;
    let cart = create(&owner, &slug, "Cart").await;
    let search = create(&owner, &slug, "Search").await;
    let (_, sprint) = rest(
        &owner,
        Method::POST,
        &format!("/projects/{slug}/sprints"),
        Some(json!({"name": "Q1", "starts_on": "2030-01-07", "ends_on": "2030-01-18"})),
    )
    .await;
    let increment = sprint["increments"][0]["id"].as_i64().unwrap();

    // Nobody is running a session; members cannot start one.
    assert!(state(&mia, &slug).await["session"].is_null());
    let (status, _) = poker(&mia, &slug, "", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, started) = poker(
        &sam,
        &slug,
        "",
        json!({"items": [cart, search], "increment": increment}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["session"]["queue"].as_array().unwrap().len(), 2);
    assert_eq!(started["session"]["current"]["number"], json!(cart));
    // A second session is refused, clearly.
    let (status, refused) = poker(&owner, &slug, "", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already running"),
        "{refused}"
    );

    // An event stream of Vic's is open through all of it: it never carries a card.
    let mut events = vic
        .http
        .get(format!("{}/api/v1/projects/{slug}/events", vic.base))
        .send()
        .await
        .unwrap();

    let vote =
        |card: &'static str, round: i64| json!({"position": 0, "round": round, "card": card});
    assert_eq!(
        poker(&mia, &slug, "/vote", vote("3", 1)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        poker(&max, &slug, "/vote", vote("8", 1)).await.0,
        StatusCode::OK
    );
    // Max changes his mind before the reveal.
    let (_, seen_by_max) = poker(&max, &slug, "/vote", vote("13", 1)).await;
    assert_eq!(round(&seen_by_max)["my_card"], json!("13"));
    // Only chart values, "?" and "break"; viewers watch.
    let (status, bad) = poker(&mia, &slug, "/vote", vote("4", 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(
        poker(&vic, &slug, "/vote", vote("3", 1)).await.0,
        StatusCode::FORBIDDEN
    );

    // Before the reveal: names of who voted, only one's own card, no votes, no spread.
    for (who, own) in [
        (&mia, json!("3")),
        (&max, json!("13")),
        (&vic, Value::Null),
        (&sam, Value::Null),
    ] {
        let s = state(who, &slug).await;
        let r = round(&s);
        assert_eq!(r["revealed"], json!(false));
        assert_eq!(r["voted"], json!(["Max Member", "Mia Member"]));
        assert_eq!(r["my_card"], own);
        assert_eq!(r["votes"], json!([]));
        assert!(r["spread"].is_null());
        let text = s.to_string();
        let other = if own == json!("3") { "\"13\"" } else { "\"3\"" };
        if own.is_null() {
            assert!(!text.contains("\"my_card\":\""), "{text}");
        } else {
            assert!(!text.contains(&format!("\"my_card\":{other}")), "{text}");
        }
    }
    // Only the scrum master (or an owner) reveals; not before that can anyone accept.
    assert_eq!(
        poker(&mia, &slug, "/reveal", json!({"position": 0}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, early) = poker(&sam, &slug, "/accept", json!({"position": 0, "points": 5})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{early}");
    let (status, shown) = poker(&sam, &slug, "/reveal", json!({"position": 0})).await;
    assert_eq!(status, StatusCode::OK);
    let r = round(&shown);
    assert_eq!(r["revealed"], json!(true));
    assert_eq!(
        r["votes"],
        json!([{"name": "Max Member", "card": "13", "outlier": "highest"},
               {"name": "Mia Member", "card": "3", "outlier": "lowest"}])
    );
    assert_eq!(r["spread"]["agreed"], Value::Null);
    // A vote after the reveal is refused.
    assert_eq!(
        poker(&mia, &slug, "/vote", vote("5", 1)).await.0,
        StatusCode::CONFLICT
    );

    // They talk; a second round agrees on 5.
    assert_eq!(
        poker(&sam, &slug, "/round", json!({"position": 0})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        poker(&mia, &slug, "/vote", vote("5", 2)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        poker(&max, &slug, "/vote", vote("5", 2)).await.0,
        StatusCode::OK
    );
    // A vote for the past round is not counted in this one.
    assert_eq!(
        poker(&max, &slug, "/vote", vote("8", 1)).await.0,
        StatusCode::CONFLICT
    );
    poker(&sam, &slug, "/reveal", json!({"position": 0})).await;
    let before: Value = rest(
        &owner,
        Method::GET,
        &format!("/projects/{slug}/items/{cart}"),
        None,
    )
    .await
    .1;
    let (status, accepted) =
        poker(&sam, &slug, "/accept", json!({"position": 0, "points": 5})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    // A second click on accept is about an item that is no longer up: refused, not applied
    // to the next one.
    let (status, _) = poker(&sam, &slug, "/accept", json!({"position": 0, "points": 8})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let after: Value = rest(
        &owner,
        Method::GET,
        &format!("/projects/{slug}/items/{cart}"),
        None,
    )
    .await
    .1;
    assert_eq!(after["item"]["estimate"], json!(5));
    assert_eq!(
        after["item"]["version"].as_i64().unwrap(),
        before["item"]["version"].as_i64().unwrap() + 1
    );
    let history: Vec<String> = after["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        history.contains(&"estimated in planning poker, round 2: 5, 5".to_owned()),
        "{history:?}"
    );
    assert!(
        history.contains(&"estimate: none → 5".to_owned()),
        "{history:?}"
    );

    // The second item: everyone agrees in the first round.
    assert_eq!(accepted["session"]["current"]["number"], json!(search));
    let vote2 = |card: &'static str| json!({"position": 1, "round": 1, "card": card});
    poker(&mia, &slug, "/vote", vote2("3")).await;
    poker(&max, &slug, "/vote", vote2("3")).await;
    poker(&owner, &slug, "/reveal", json!({"position": 1})).await;
    let (_, done) = poker(
        &owner,
        &slug,
        "/accept",
        json!({"position": 1, "points": 3}),
    )
    .await;
    assert!(done["session"]["current"].is_null(), "{done}");
    assert_eq!(
        done["session"]["summary"],
        json!({"items_estimated": 2, "points_added": 8, "rounds": 3, "agreed_first_round": 1})
    );
    let (status, ended) = poker(&sam, &slug, "/end", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ended["session"].is_null());
    let (_, kept) = rest(
        &vic,
        Method::GET,
        &format!("/projects/{slug}/increments/{increment}/poker"),
        None,
    )
    .await;
    assert_eq!(kept[0]["summary"]["points_added"], json!(8));
    assert_eq!(kept[0]["started_by"], json!("Sam Scrum"));
    // The planning page's data for that increment carries it too.
    let res = vic
        .call(
            "planning",
            &[("slug", &slug), ("increment", &increment.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let planning: Value = res.json().await.unwrap();
    assert_eq!(planning["poker"], kept);

    // What Vic's stream carried: poker changes, never a card.
    let mut seen = String::new();
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(std::time::Duration::from_millis(500), events.chunk()).await
    {
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(seen.contains("\"kind\":\"poker\""), "{seen}");
    assert!(!seen.contains("card") && !seen.contains("\"13\""), "{seen}");
}

/// The session lives in the database: a new server process over it shows the same
/// session, round and votes, and the session goes on.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_session_survives_a_server_restart(pool: PgPool) {
    let first = spawn(pool.clone()).await;
    let (owner, slug) = first.owner_of("olive@example.com", "Restart").await;
    create(&owner, &slug, "Cart").await;
    let (status, started) = poker(&owner, &slug, "", json!({"countdown_secs": 600})).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    poker(
        &owner,
        &slug,
        "/vote",
        json!({"position": 0, "round": 1, "card": "?"}),
    )
    .await;
    let before = state(&owner, &slug).await;
    drop(first);

    let second = spawn(pool.clone()).await;
    let mut again = owner.clone();
    again.base = second.base.clone();
    let after = state(&again, &slug).await;
    assert_eq!(after["session"]["id"], before["session"]["id"]);
    assert_eq!(round(&after)["my_card"], json!("?"));
    assert!(round(&after)["reveals_in_ms"].as_i64().unwrap() > 590_000);
    let (status, _) = poker(&again, &slug, "/reveal", json!({"position": 0})).await;
    assert_eq!(status, StatusCode::OK);
}

/// A countdown reveals the round by itself: before it ends nobody sees another's vote,
/// after it the votes are shown and no vote is taken.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_countdown_reveals_the_round_by_itself(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Countdown").await;
    let mia = app.user("mia@example.com", "Mia Member").await;
    owner.add_member(&slug, &mia, "member").await;
    create(&owner, &slug, "Cart").await;
    let (status, started) = poker(&owner, &slug, "", json!({"countdown_secs": 5})).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let left = round(&started)["reveals_in_ms"].as_i64().unwrap();
    assert!((4_000..=5_000).contains(&left), "{left}");
    let (status, _) = poker(
        &mia,
        &slug,
        "/vote",
        json!({"position": 0, "round": 1, "card": "5"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(round(&state(&owner, &slug).await)["votes"], json!([]));
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    let after = state(&owner, &slug).await;
    assert_eq!(round(&after)["revealed"], json!(true));
    assert_eq!(round(&after)["votes"][0]["card"], json!("5"));
    assert!(round(&after)["reveals_in_ms"].is_null());
    let (status, _) = poker(
        &mia,
        &slug,
        "/vote",
        json!({"position": 0, "round": 1, "card": "8"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Accepting works as after a reveal by hand.
    let (status, _) = poker(
        &owner,
        &slug,
        "/accept",
        json!({"position": 0, "points": 5}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// A selection from the backlog: the page's start form sends the numbers as "3,5,8"; they
/// are the queue, in that order. A list that is not one, or a number not in the project,
/// is refused and nothing starts.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_selection_from_the_backlog_is_the_queue(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Selection").await;
    let cart = create(&owner, &slug, "Cart").await;
    create(&owner, &slug, "Search").await;
    let prices = create(&owner, &slug, "Prices").await;
    for (items, field) in [
        ("3,x", "item numbers separated by commas"),
        ("3,99", "#99 is not an item"),
    ] {
        let res = owner
            .call("poker/start", &[("slug", &slug), ("items", items)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = res.text().await.unwrap();
        assert!(body.contains(field), "{body}");
    }
    assert!(state(&owner, &slug).await["session"].is_null());
    let list = format!("{prices},{cart}");
    let res = owner
        .call("poker/start", &[("slug", &slug), ("items", &list)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let started: Value = res.json().await.unwrap();
    let queue: Vec<i64> = started["session"]["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_i64().unwrap())
        .collect();
    assert_eq!(queue, vec![prices, cart]);
}

//! The daily stand-up over HTTP: yesterday's work, today's board, and past days rebuilt
//! from the history.

use super::scene::{ok, patch, task, team, work_every_day};
use super::support::{noon_today, rest, spawn_at};
use app::clock::Clock;
use chrono::{Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

/// Tomorrow, in a project that works every day (so the test does not depend on the
/// weekday it runs on; weekends and holidays are the calendar's unit tests).
fn tomorrow(clock: &Clock) -> NaiveDate {
    clock.today() + Duration::days(1)
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

    // Before anything existed, nothing was in progress: days ago, or in 1900 (answered
    // without reading the history back that far).
    for day in [(today - Duration::days(5)).to_string(), "1900-01-02".into()] {
        let before = standup(day).await;
        assert!(before["people"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["today"].as_array().unwrap().is_empty()));
        assert!(before["unassigned_doing"].as_array().unwrap().is_empty());
    }
}

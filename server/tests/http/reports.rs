//! The forecast, and the sprint pages (sprints, board, planning, velocity) as a browser
//! first receives them.

use super::sprints::{ids, Api};
use super::support::spawn;
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_forecast_divides_remaining_points_by_the_team_velocity(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug,
    };
    let forecast = api.ok(Method::GET, "/reports/forecast", None).await;
    assert!(forecast["team"].is_null());
    assert!(forecast["backlog"]["forecast"].is_null());

    let sprint = api.sprint("Q1", "2026-01-05", "2026-01-16").await;
    let [only] = ids(&sprint)[..] else {
        panic!("one increment expected: {sprint}")
    };
    // 20 points done in 10 business days: 2 a day.
    let done = [
        api.task("A", 13).await,
        api.task("B", 5).await,
        api.task("C", 2).await,
    ];
    api.commit(only, &done).await;
    api.ok(Method::POST, &format!("/increments/{only}/start"), None)
        .await;
    for n in done {
        api.finish(n).await;
    }
    api.ok(
        Method::POST,
        &format!("/increments/{only}/close"),
        Some(json!({"carry": "backlog"})),
    )
    .await;
    // 21 points left in an epic's children, plus 8 outside it: 29 in all.
    let epic = api
        .ok(
            Method::POST,
            "/items",
            Some(json!({"kind": "epic", "title": "Checkout"})),
        )
        .await["number"]
        .as_i64()
        .unwrap();
    for points in [13, 8] {
        api.ok(
            Method::POST,
            "/items",
            Some(json!({"title": "Part", "estimate": points, "parent": epic})),
        )
        .await;
    }
    api.task("Loose", 8).await;
    let forecast = api.ok(Method::GET, "/reports/forecast", None).await;
    assert_eq!(forecast["team"]["average"], 2.0);
    assert_eq!(forecast["backlog"]["remaining_points"], 29);
    // 29 / 2 = 14.5 → 15 business days.
    assert_eq!(forecast["backlog"]["forecast"]["business_days"], 15);
    let checkout = &forecast["epics"][0];
    assert_eq!(checkout["epic"], epic);
    assert_eq!(checkout["remaining_points"], 21);
    assert_eq!(checkout["forecast"]["business_days"], 11);
    let from = NaiveDate::parse_from_str(forecast["from"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let date =
        NaiveDate::parse_from_str(checkout["forecast"]["date"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    // Eleven business days (Mon–Fri) span at least two weekends' worth of calendar days.
    assert!(date - from >= Duration::days(12), "{from} → {date}");
    assert!(date.weekday().num_days_from_monday() < 5);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_pages_show_sprints_board_planning_and_velocity(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug: slug.clone(),
    };
    let sprint = api.sprint("Q1", "2026-01-05", "2026-01-16").await;
    let [only] = ids(&sprint)[..] else {
        panic!("one increment expected: {sprint}")
    };
    let a = api.task("Checkout <script>", 5).await;
    api.commit(only, &[a]).await;
    api.ok(Method::POST, &format!("/increments/{only}/start"), None)
        .await;
    api.finish(a).await;
    api.ok(
        Method::POST,
        &format!("/increments/{only}/close"),
        Some(json!({"carry": "backlog"})),
    )
    .await;
    for (path, expect) in [
        (format!("/p/{slug}/sprints"), "Q1 · 1"),
        (
            format!("/p/{slug}/board?increment={only}"),
            "Checkout &lt;script",
        ),
        // Its only increment is closed: nothing left to plan, and the page says what to do.
        (format!("/p/{slug}/planning"), "create a sprint first"),
        (format!("/p/{slug}/increments/{only}"), "Burndown"),
        // Drawn on the server: the SVG and its numbers are in the page without JavaScript.
        (format!("/p/{slug}/velocity"), "<svg"),
    ] {
        let res = owner.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(expect), "{path} lacks {expect}");
    }
    let html = owner
        .get(&format!("/p/{slug}/velocity"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Team velocity: 0.5 points per business day"),
        "velocity 5 / 10 = 0.5 is shown"
    );

    // The board grouped by person, and filtered to nobody.
    let next = api.sprint("Q2", "2026-02-02", "2026-02-13").await;
    let [planned] = ids(&next)[..] else {
        panic!("one increment expected: {next}")
    };
    let logo = api
        .ok(
            Method::POST,
            "/items",
            Some(json!({"title": "Logo", "estimate": 2, "assignee": "sam@example.com"})),
        )
        .await["number"]
        .as_i64()
        .unwrap();
    api.commit(planned, &[logo]).await;
    let board = |query: String| {
        let path = format!("/p/{slug}/board?increment={planned}{query}");
        let owner = owner.clone();
        async move { owner.get(&path).await.text().await.unwrap() }
    };
    let grouped = board("&group=person".into()).await;
    assert!(
        grouped.contains("Olive Owner · 2 points"),
        "a lane per person"
    );
    assert!(grouped.contains("To Do: 1 item, 2 points"));
    // Not started yet: the board shows what is committed, and nothing on it moves (the
    // default board between increments is this one too).
    assert!(grouped.contains("has not started"), "{grouped}");
    assert!(
        !grouped.contains("Move #"),
        "no move buttons before the start"
    );
    let default_board = owner
        .get(&format!("/p/{slug}/board"))
        .await
        .text()
        .await
        .unwrap();
    assert!(default_board.contains("Q2 · 1") && default_board.contains("has not started"));
    assert!(!default_board.contains("Move #"));
    // A card's link reads "#N title" (followed by a hydration marker, not by "</a>").
    let has_card = |html: &str, title: &str| {
        html.split("class=\"card-title\">#").skip(1).any(|rest| {
            rest.split('<')
                .next()
                .unwrap_or("")
                .ends_with(&format!(" {title}"))
        })
    };
    assert!(
        has_card(&grouped, "Logo"),
        "the card is on the board: {grouped}"
    );
    let nobody = board("&assignee=none".into()).await;
    assert!(!has_card(&nobody, "Logo"), "filtered out");
    assert!(nobody.contains("To Do: 0 items, 0 points"));

    // The settings page offers the export as a download.
    let settings = owner
        .get(&format!("/p/{slug}/settings"))
        .await
        .text()
        .await
        .unwrap();
    assert!(settings.contains(&format!("href=\"/api/v1/projects/{slug}/export\"")));
}

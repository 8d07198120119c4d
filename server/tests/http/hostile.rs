//! Input an attacker or a broken client sends: every one gets a clear answer, never a
//! panic or a dropped connection, and changes nothing.

use super::scene::ok;
use super::support::{rest, spawn, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn dates_outside_the_range_are_refused_where_they_enter(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    // A year no calendar arithmetic survives, a date before 1900, one after 2200.
    for date in ["+262142-12-31", "1899-12-31", "2201-01-01", "-4714-01-01"] {
        let path = format!("/projects/{slug}/standup?date={}", date.replace('+', "%2B"));
        let (status, err) = rest(&alice, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {err}");
        assert!(err["error"]["fields"]["date"].is_string(), "{date}: {err}");
    }
    let (status, err) = rest(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/sprints"),
        Some(
            json!({"name": "Far", "starts_on": "1800-01-06", "ends_on": "1800-01-31",
                    "increment_weeks": "2"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err["error"]["fields"]["starts_on"]
            .as_str()
            .is_some_and(|m| m.contains("1900-01-01 to 2200-12-31")),
        "{err}"
    );

    let path = format!("/projects/{slug}");
    let mut settings: Value = ok(&alice, Method::GET, &path, None).await["settings"].take();
    settings["holidays"] = json!([{"date": "1066-10-14", "name": "Hastings"}]);
    let (status, err) = rest(
        &alice,
        Method::PUT,
        &format!("{path}/settings"),
        Some(settings.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["holidays"]
        .as_str()
        .unwrap()
        .contains("1066-10-14"));
    let after: Value = ok(&alice, Method::GET, &path, None).await;
    assert_eq!(after["settings"]["holidays"], json!([]));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_long_list_of_holidays_is_refused_at_once(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    let path = format!("/projects/{slug}");
    let mut settings: Value = ok(&alice, Method::GET, &path, None).await["settings"].take();
    let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    settings["holidays"] = (0..45_000)
        .map(|n| json!({"date": day + chrono::Duration::days(n % 70_000), "name": "Day off"}))
        .collect();
    let (status, err) = rest(
        &alice,
        Method::PUT,
        &format!("{path}/settings"),
        Some(settings),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["holidays"]
        .as_str()
        .unwrap()
        .contains("at most 1000"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sign_in_never_sends_people_off_the_site(pool: PgPool) {
    let app = spawn(pool).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    // A tab or newline is dropped by browsers: `/\t/evil.example` reads as `//evil.example`.
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/a\r\nSet-Cookie: x=1",
        " //evil",
    ] {
        let res = anon
            .call(
                "log_in",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.headers()["location"], "/projects", "{next:?}");
    }
}

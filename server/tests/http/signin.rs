//! The throttles on password guesses and registrations, and closed registration: guesses
//! are counted before the password is checked (so a burst cannot slip past the limit), per
//! account and address first (so a stranger cannot lock the owner out), under a higher
//! per-account ceiling.

use super::support::{spawn, spawn_with, TestApp, PASSWORD};
use app::auth::AuthConfig;
use app::model::accounts::Registration;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

/// Behind a trusted proxy, so each request can come from the address the test names.
fn behind_proxy() -> AuthConfig {
    AuthConfig {
        trust_proxy: true,
        ..Default::default()
    }
}

/// Calls a server function as a browser at `addr` (without cookies).
async fn call_from(
    app: &TestApp,
    addr: &str,
    endpoint: &str,
    args: &[(&str, &str)],
) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/api/fn/{endpoint}", app.base))
        .header("x-forwarded-for", addr)
        .form(args)
        .send()
        .await
        .unwrap()
}

async fn log_in_from(app: &TestApp, addr: &str, email: &str, password: &str) -> StatusCode {
    call_from(
        app,
        addr,
        "log_in",
        &[("email", email), ("password", password)],
    )
    .await
    .status()
}

async fn attempts(pool: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from auth_attempt where kind = $1")
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn concurrent_wrong_passwords_are_checked_at_most_five_times(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    let guesses = (0..24).map(|i| {
        let anon = anon.clone();
        async move {
            let guess = format!("wrong password {i}");
            anon.call(
                "log_in",
                &[("email", "ada@example.com"), ("password", &guess)],
            )
            .await
            .status()
        }
    });
    let statuses = join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 19), "{statuses:?}");
    assert_eq!(attempts(&pool, "password").await, 5);
    // And the right password waits too: otherwise the throttle would confirm a guess.
    assert_eq!(
        anon.call(
            "log_in",
            &[("email", "ada@example.com"), ("password", PASSWORD)]
        )
        .await
        .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_throttled_address_does_not_lock_the_owner_out(pool: PgPool) {
    let app = spawn_with(pool, behind_proxy()).await;
    app.user("ada@example.com", "Ada").await;
    let stranger = "203.0.113.66";
    for _ in 0..5 {
        assert_eq!(
            log_in_from(&app, stranger, "ada@example.com", "a guess at it").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        log_in_from(&app, stranger, "ada@example.com", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Ada, at home, is not affected; a typo of hers counts for her address only.
    let home = "198.51.100.7";
    assert_eq!(
        log_in_from(&app, home, "ada@example.com", "a typo of mine").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        log_in_from(&app, home, "ADA@example.com", PASSWORD).await,
        StatusCode::OK
    );
    // The stranger still waits.
    assert_eq!(
        log_in_from(&app, stranger, "ada@example.com", "another guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_account_ceiling_holds_against_guesses_from_many_addresses(pool: PgPool) {
    let app = spawn_with(pool.clone(), behind_proxy()).await;
    app.user("ada@example.com", "Ada").await;
    // 99 wrong guesses in the last quarter hour, three from each of 33 addresses (each
    // under its own limit): the ceiling (100) is one guess away.
    sqlx::query(
        "insert into auth_attempt (kind, account, client_addr, at)
         select 'password', 'ada@example.com', '192.0.2.' || (n % 33),
                now() - interval '5 minutes'
         from generate_series(1, 99) n",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        log_in_from(&app, "198.51.100.1", "ada@example.com", "guess 100").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Now nobody gets a guess in, from anywhere, right password or not.
    assert_eq!(
        log_in_from(&app, "198.51.100.2", "ada@example.com", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Once the guesses are older than the window, Ada signs in again.
    sqlx::query("update auth_attempt set at = now() - interval '16 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        log_in_from(&app, "198.51.100.2", "ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn checking_the_current_password_is_throttled_like_signing_in(pool: PgPool) {
    let app = spawn(pool).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let change = |current: &'static str| {
        let ada = ada.clone();
        async move {
            ada.call(
                "account/password",
                &[
                    ("current_password", current),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await
            .status()
        }
    };
    for _ in 0..5 {
        assert_eq!(
            change("is it this one").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    // A stolen session cannot go on guessing, even with concurrent requests …
    let burst = join_all((0..6).map(|_| change("or this one"))).await;
    assert!(
        burst.iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{burst:?}"
    );
    assert_eq!(change(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // … nor switch to guessing on the sign-in form from the same address.
    let res = app
        .anonymous()
        .call(
            "log_in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn registrations_are_limited_per_address(pool: PgPool) {
    let app = spawn_with(pool.clone(), behind_proxy()).await;
    let register = |addr: &'static str, n: usize| {
        let email = format!("user{n}@example.com");
        let app = &app;
        async move {
            call_from(
                app,
                addr,
                "register",
                &[
                    ("email", email.as_str()),
                    ("display_name", "Someone"),
                    ("password", PASSWORD),
                ],
            )
            .await
            .status()
        }
    };
    for n in 0..20 {
        assert_eq!(register("203.0.113.5", n).await, StatusCode::OK, "{n}");
    }
    assert_eq!(
        register("203.0.113.5", 20).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(register("198.51.100.9", 21).await, StatusCode::OK);
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 21);
    assert_eq!(attempts(&pool, "register").await, 21);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn closed_registration_refuses_strangers_but_not_the_administrator(pool: PgPool) {
    let config = AuthConfig {
        registration: Registration::Closed,
        ..Default::default()
    };
    let app = spawn_with(pool.clone(), config).await;
    let anon = app.anonymous();
    let res = anon
        .call(
            "register",
            &[
                ("email", "eve@example.com"),
                ("display_name", "Eve"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["detail"]
            .as_str()
            .is_some_and(|m| m.contains("registration is closed")),
        "{err}"
    );
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
    // The page says so, and how to get an account, instead of showing the form.
    let status: Value = anon.call("registration", &[]).await.json().await.unwrap();
    assert_eq!(status, "closed");
    let page = anon.get("/register").await.text().await.unwrap();
    assert!(page.contains("Registration is closed"), "{page}");
    assert!(page.contains("Ask them to create one for you"), "{page}");
    assert!(!page.contains("name=\"password\""), "{page}");
    let login = anon.get("/login").await.text().await.unwrap();
    assert!(
        login.contains("Ask the person who runs this Cadence"),
        "{login}"
    );
    assert!(!login.contains("href=\"/register"), "{login}");
    // `server create-user` still makes accounts, and they sign in.
    app::service::accounts::register(&pool, "ada@example.com", "Ada", PASSWORD)
        .await
        .unwrap();
    let res = anon
        .call(
            "log_in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn open_registration_shows_the_form(pool: PgPool) {
    let app = spawn(pool).await;
    let anon = app.anonymous();
    let status: Value = anon.call("registration", &[]).await.json().await.unwrap();
    assert_eq!(status, "open");
    let page = anon.get("/register").await.text().await.unwrap();
    assert!(page.contains("name=\"password\""), "{page}");
    assert!(!page.contains("Registration is closed"), "{page}");
    let login = anon.get("/login").await.text().await.unwrap();
    assert!(login.contains("href=\"/register\""), "{login}");
}

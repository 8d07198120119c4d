//! Registering, signing in and out, throttling, cookies, passwords and API tokens.

use super::support::{spawn, spawn_with, Client, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

fn session_cookie_of(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cadence_session="))
        .expect("a session cookie is set")
}

async fn log_in(client: &Client, email: &str, password: &str) -> reqwest::Response {
    client
        .call("log_in", &[("email", email), ("password", password)])
        .await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_session_cookie_is_http_only_and_same_site_lax(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app
        .anonymous()
        .call(
            "register",
            &[
                ("email", "ada@example.com"),
                ("display_name", "Ada"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie_of(&res);
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(cookie.contains("; Max-Age="), "sessions expire: {cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    // The secret is long and random, and only its hash is stored.
    let secret = cookie
        .trim_start_matches("cadence_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(secret.len(), 64);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_session_cookie_is_secure_when_configured(pool: PgPool) {
    let config = app::auth::AuthConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let app = spawn_with(pool, config).await;
    let user = app.user("ada@example.com", "Ada").await;
    let res = log_in(&user, "ada@example.com", PASSWORD).await;
    assert!(session_cookie_of(&res).ends_with("; Secure"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn emails_are_unique_whatever_their_case(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    app.user("Ada@Example.com", "Ada").await;
    let res = app
        .anonymous()
        .call(
            "register",
            &[
                ("email", "ada@EXAMPLE.com"),
                ("display_name", "Ada again"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        err["detail"]["email"],
        "an account with this email already exists"
    );
    // Signing in works with any case.
    let res = log_in(&app.anonymous(), "ADA@example.COM", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn registering_reports_every_bad_field_and_creates_nothing(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let res = app
        .anonymous()
        .call(
            "register",
            &[
                ("email", "not-an-email"),
                ("display_name", " "),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    let fields = err["detail"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["display_name", "email", "password"]
    );
    let users: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer(pool: PgPool) {
    let app = spawn(pool).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    let wrong_password = log_in(&anon, "ada@example.com", "not the password").await;
    let unknown = log_in(&anon, "nobody@example.com", "not the password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status(), wrong_password.status());
    let a: Value = wrong_password.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b);
    assert!(a["detail"]["password"]
        .as_str()
        .unwrap()
        .contains("do not match"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn failed_log_ins_are_throttled_per_account_and_address(pool: PgPool) {
    let app = spawn(pool).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    for _ in 0..5 {
        let res = log_in(&anon, "ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Now even the right password waits: otherwise the throttle would confirm a guess.
    let res = log_in(&anon, "ADA@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "too_many_requests");
    // Other accounts are not affected.
    app.user("bob@example.com", "Bob").await;
    assert_eq!(
        log_in(&anon, "bob@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn failed_log_ins_are_throttled_per_client_address(pool: PgPool) {
    let app = spawn(pool).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    // Twenty guesses spread over many accounts, four each: no account reaches its limit.
    for i in 0..20 {
        let res = log_in(
            &anon,
            &format!("guess{}@example.com", i / 4),
            "wrong password!",
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = log_in(&anon, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signing_in_sends_people_where_they_were_going_and_only_on_this_site(pool: PgPool) {
    let app = spawn(pool).await;
    app.user("ada@example.com", "Ada").await;
    let anon = app.anonymous();
    let res = anon
        .call(
            "log_in",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "/p/shop/settings"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/p/shop/settings");
    let res = anon
        .call(
            "log_in",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/projects");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signing_out_revokes_the_session_on_the_server(pool: PgPool) {
    let app = spawn(pool).await;
    let anon = app.anonymous();
    let res = anon
        .call(
            "register",
            &[
                ("email", "ada@example.com"),
                ("display_name", "Ada"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = session_cookie_of(&res);
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = |pair: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/api/v1/me"))
                .header("cookie", pair)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(pair.clone()).await, StatusCode::OK);
    let res = anon.call("log_out", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(session_cookie_of(&res).contains("Max-Age=0"));
    // Replaying the old cookie does not work: the session is gone, not just forgotten.
    assert_eq!(me(pair).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn changing_the_password_signs_out_other_sessions(pool: PgPool) {
    let app = spawn(pool).await;
    let laptop = app.user("ada@example.com", "Ada").await;
    let phone = app.anonymous();
    assert_eq!(
        log_in(&phone, "ada@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    let res = laptop
        .call(
            "account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::OK);

    let res = laptop
        .call(
            "account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(laptop.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        phone.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.anonymous();
    assert_eq!(
        log_in(&fresh, "ada@example.com", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        log_in(&fresh, "ada@example.com", "a brand new passphrase")
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn api_tokens_are_shown_once_stored_hashed_and_revocable(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let ada = app.user("ada@example.com", "Ada Lovelace").await;
    let res = ada
        .call("account/tokens/create", &[("name", "Weekly report")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("cad_") && token.len() == 68, "{token}");

    let api = reqwest::Client::new();
    let me = api
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["initials"], "AL");

    // The list names the token and its first characters, never the secret.
    let list = ada.call("account/tokens", &[]).await.text().await.unwrap();
    assert!(list.contains("Weekly report"));
    assert!(list.contains(&token[..12]));
    assert!(!list.contains(&token));
    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from api_token")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!token.as_bytes().windows(32).any(|w| w == stored.as_slice()));

    let id = created["info"]["id"].as_str().unwrap();
    let res = ada.call("account/tokens/revoke", &[("id", id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = api
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn nobody_can_revoke_someone_elses_token(pool: PgPool) {
    let app = spawn(pool).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let created: Value = ada
        .call("account/tokens/create", &[("name", "CI")])
        .await
        .json()
        .await
        .unwrap();
    let id = created["info"]["id"].as_str().unwrap();
    let res = bob.call("account/tokens/revoke", &[("id", id)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list = ada.call("account/tokens", &[]).await.text().await.unwrap();
    assert!(list.contains("\"CI\""), "{list}");
}

/// `GET /api/v1/me` with a bearer token; its status.
async fn me_with_token(app: &super::support::TestApp, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn changing_the_password_revokes_api_tokens(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let ci = ada.token("CI").await;
    let report = ada.token("Weekly report").await;
    assert_eq!(me_with_token(&app, &ci).await, StatusCode::OK);
    let res = ada
        .call(
            "account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for token in [&ci, &report] {
        assert_eq!(me_with_token(&app, token).await, StatusCode::UNAUTHORIZED);
    }
    let left: i64 = sqlx::query_scalar("select count(*) from api_token")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    // The session that made the change stays, and can make new tokens.
    let fresh = ada.token("CI").await;
    assert_eq!(me_with_token(&app, &fresh).await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn resetting_the_password_signs_out_sessions_and_revokes_tokens(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let token = ada.token("CI").await;
    let bobs = bob.token("CI").await;
    // What `server reset-password` does.
    let out = app::service::accounts::reset_password(&pool, "ADA@example.com", "a new passphrase")
        .await
        .unwrap();
    assert_eq!((out.sessions, out.tokens), (1, 1));
    assert_eq!(me_with_token(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ada.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Nobody else's.
    assert_eq!(me_with_token(&app, &bobs).await, StatusCode::OK);
    assert_eq!(bob.get("/api/v1/me").await.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_api_token_cannot_create_tokens(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let token = ada.token("CI").await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/fn/account/tokens/create", app.base))
        .bearer_auth(&token)
        .form(&[("name", "Another")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: Value = res.json().await.unwrap();
    let message = err["detail"].as_str().unwrap_or_default();
    assert!(
        message.contains("account page") && message.contains("server create-token"),
        "{err}"
    );
    let tokens: i64 = sqlx::query_scalar("select count(*) from api_token")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tokens, 1);
    // The JSON API has no way to make tokens at all.
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/tokens", app.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Another"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from api_token")
            .fetch_one(&pool)
            .await
            .unwrap(),
        1
    );
}

/// What the server logs while the test runs on this thread (`sqlx::test` runs the test and
/// the server it spawns on one current-thread runtime).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A wrong password, a refused page and a bad form are answers, not server faults: they
/// are logged below ERROR (which is kept for our own failures).
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn refusals_are_not_logged_as_errors(pool: PgPool) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("ada@example.com", "Logs").await;
    let wrong = log_in(&app.anonymous(), "ada@example.com", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = app.user("eve@example.com", "Eve").await;
    let hidden = stranger
        .call("project/detail", &[("slug", slug.as_str())])
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let empty = owner.call("projects/create", &[("name", "")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    // The refusals were seen (so this capture works) …
    assert!(text.contains(" INFO "), "{text}");
    // … and none was logged as an error.
    assert!(!text.contains("ERROR"), "{text}");
}

/// The app shell: the account, its projects, and the open project's increment with its
/// business days left, never a project the caller is not in.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_shell_shows_the_open_projects_increment_and_only_to_its_members(pool: PgPool) {
    // Wednesday 9 January 2030: the first two-week increment runs 7 to 20 January.
    let wednesday = chrono::NaiveDate::from_ymd_opt(2030, 1, 9)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    let app =
        super::support::spawn_at(pool.clone(), app::clock::Clock::starting_at(wednesday)).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Shop").await;
    let shell = |client: &Client, slug: &str| {
        let slug = slug.to_owned();
        let client = client.clone();
        async move {
            let res = client.call("shell", &[("slug", slug.as_str())]).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let before = shell(&owner, &slug).await;
    assert_eq!(before["account"]["display_name"], "Olive Owner");
    assert_eq!(before["projects"][0][1], "Shop");
    assert_eq!(before["increment"], Value::Null, "no sprint yet");
    let projects = before["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0][0], slug.as_str());

    let res = owner
        .call(
            "sprints/create",
            &[
                ("slug", slug.as_str()),
                ("sprint[name]", "Q1"),
                ("sprint[starts_on]", "2030-01-07"),
                ("sprint[ends_on]", "2030-02-03"),
                ("sprint[increment_weeks]", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = shell(&owner, &slug).await;
    assert_eq!(now["increment"]["label"], "Q1 · 1");
    // Wednesday to Friday, then a full week: 8 business days, today counted.
    assert_eq!(now["increment"]["days_left"], 8);
    // A holiday in what is left counts out; one after the increment's end does not.
    let settings = serde_json::json!({"slug": slug, "settings": {
        "effort_chart": [{"points": 1, "label": "S"}, {"points": 3, "label": "M"}],
        "working_days": [1, 2, 3, 4, 5],
        "holidays": [{"date": "2030-01-15", "name": "Team day"}, {"date": "2030-01-22", "name": "Later"}],
        "velocity_window": 4
    }});
    let res = owner.call_json("project/settings", &settings).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(shell(&owner, &slug).await["increment"]["days_left"], 7);

    // Started, it is still the one shown.
    let first = now["increment"]["id"].as_i64().unwrap().to_string();
    let res = owner
        .call(
            "increments/start",
            &[("slug", slug.as_str()), ("id", first.as_str())],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(shell(&owner, &slug).await["increment"]["label"], "Q1 · 1");

    // Someone else sees their own account and projects, not this project's increment nor
    // this project; an archived project of theirs is not offered either.
    let stranger = app.user("sam@example.com", "Sam").await;
    let res = stranger.call("projects/create", &[("name", "Own")]).await;
    let own: Value = res.json().await.unwrap();
    let res = stranger.call("projects/create", &[("name", "Old")]).await;
    let old: Value = res.json().await.unwrap();
    let res = stranger
        .call(
            "project/archive",
            &[
                ("slug", old["slug"].as_str().unwrap()),
                ("archived", "true"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let theirs = shell(&stranger, &slug).await;
    assert_eq!(theirs["account"]["display_name"], "Sam");
    assert_eq!(theirs["increment"], Value::Null);
    assert_eq!(
        theirs["projects"],
        serde_json::json!([[own["slug"], "Own"]])
    );
    // And nobody signed in gets nothing.
    let anon = shell(&app.anonymous(), &slug).await;
    assert_eq!(anon, Value::Null);

    // On the Saturday before its last day (a Sunday) no working day is left, and it has
    // not ended; on the Monday after, still running, it is past its last day.
    for (day, left, ended) in [(19, 0, false), (21, 0, true)] {
        let at = chrono::NaiveDate::from_ymd_opt(2030, 1, day)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc();
        let later =
            super::support::spawn_at(pool.clone(), app::clock::Clock::starting_at(at)).await;
        let olive = later.anonymous();
        assert_eq!(
            log_in(&olive, "olive@example.com", PASSWORD).await.status(),
            StatusCode::OK
        );
        let then = shell(&olive, &slug).await;
        assert_eq!(then["increment"]["label"], "Q1 · 1", "on the {day}th");
        assert_eq!(then["increment"]["days_left"], left, "on the {day}th");
        assert_eq!(then["increment"]["ended"], ended, "on the {day}th");
    }
}

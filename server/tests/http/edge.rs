//! The HTTP edge (`server/src/guard.rs`): security headers, cross-site requests, content
//! types, NUL characters, body limits, and the statuses and shapes of refusals.

use super::scene::ok;
use super::support::{rest, spawn, spawn_with, Client, PASSWORD};
use reqwest::header::{CONTENT_TYPE, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};

/// The nonce a Content-Security-Policy allows scripts with.
fn nonce_of(policy: &str) -> String {
    let start = policy.find("'nonce-").expect(policy) + "'nonce-".len();
    let len = policy[start..].find('\'').unwrap();
    policy[start..start + len].to_owned()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_allow_only_their_own_scripts_with_a_fresh_nonce(pool: PgPool) {
    let app = spawn(pool).await;
    let anon = app.anonymous();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = anon.get("/login").await;
        assert_eq!(res.status(), StatusCode::OK);
        let headers = res.headers().clone();
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        for part in [
            "default-src 'none'",
            "script-src 'self' 'nonce-",
            "'wasm-unsafe-eval'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(part), "{part} missing from {policy}");
        }
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe") || scripts.ends_with("'wasm-unsafe-eval'"));
        assert!(!scripts.contains('*') && !scripts.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        let nonce = nonce_of(&policy);
        let html = res.text().await.unwrap();
        // Every script on the page (hydration, resources streamed in) carries the nonce.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{html}");
        assert_eq!(
            html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count()
                + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
            scripts,
            "{html}"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");

    // A page the router does not know is a page too.
    let res = anon.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let policy = res.headers()["content-security-policy"].to_str().unwrap();
    let nonce = nonce_of(policy);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(&format!("nonce=\"{nonce}\"")));

    // Answers that are not pages run nothing and are not sniffed.
    let res = anon.get("/api/v1/me").await;
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

/// How many projects the user sees.
async fn projects(client: &Client) -> usize {
    ok(client, Method::GET, "/projects", None)
        .await
        .as_array()
        .unwrap()
        .len()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_page_of_another_site_changes_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, _) = app.owner_of("alice@example.com", "Web shop").await;
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut req = alice
            .http
            .post(format!("{}/api/fn/projects/create", app.base))
            .form(&[("name", "Planted")]);
        if let Some(origin) = origin {
            req = req.header(ORIGIN, origin);
        }
        if let Some(site) = fetch_site {
            req = req.header("sec-fetch-site", site);
        }
        req.send()
    };
    // Another site, a sibling port of ours, an opaque origin, a browser that names only
    // the kind of site.
    let sibling = app.base.replace("127.0.0.1", "localhost");
    for (origin, site) in [
        (Some("http://evil.example"), None),
        (Some(sibling.as_str()), None),
        (Some("null"), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let res = post(origin, site).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["code"], "forbidden");
    }
    assert_eq!(projects(&alice).await, 1, "nothing was created");
    // Our own page, and a client that is no browser, are served.
    let res = post(Some(&app.base), Some("same-origin")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(None, None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(projects(&alice).await, 3);

    // The JSON API answers in its own shape; a bearer token is no ambient credential.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects", app.base))
        .header(ORIGIN, "http://evil.example")
        .json(&json!({"name": "Planted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "forbidden", "{err}");
    let token = alice.token("ci").await;
    let res = app
        .anonymous()
        .http
        .post(format!("{}/api/v1/projects", app.base))
        .header(ORIGIN, "http://evil.example")
        .bearer_auth(token)
        .json(&json!({"name": "Scripted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    // Nobody is signed in or out by another site.
    let anon = app.anonymous();
    let res = anon
        .http
        .post(format!("{}/api/fn/log_in", app.base))
        .header(ORIGIN, "http://evil.example")
        .form(&[("email", "alice@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("set-cookie").is_none());
    let res = alice
        .http
        .post(format!("{}/api/fn/log_out", app.base))
        .header(ORIGIN, "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(projects(&alice).await, 4, "still signed in");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn behind_a_trusted_proxy_the_forwarded_host_is_ours(pool: PgPool) {
    let auth = app::auth::AuthConfig {
        trust_proxy: true,
        ..Default::default()
    };
    let app = spawn_with(pool, auth).await;
    let (alice, _) = app.owner_of("alice@example.com", "Web shop").await;
    let post = |forwarded: &str| {
        alice
            .http
            .post(format!("{}/api/fn/projects/create", app.base))
            .header(ORIGIN, "https://cadence.example")
            .header("x-forwarded-host", forwarded)
            .form(&[("name", "Proxied")])
            .send()
    };
    assert_eq!(
        post("cadence.example").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        post("elsewhere.example").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn bodies_of_a_type_nobody_reads_are_refused(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    let send = |path: &str, content_type: Option<&str>, body: String| {
        let mut req = alice.http.post(format!("{}{path}", app.base)).body(body);
        if let Some(t) = content_type {
            req = req.header(CONTENT_TYPE, t);
        }
        req.send()
    };
    let item = json!({"slug": slug, "item": {"title": "Smuggled"}}).to_string();
    for content_type in [Some("text/plain"), Some("text/plain;charset=UTF-8"), None] {
        let res = send("/api/fn/items/create", content_type, item.clone())
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["code"], "request", "{err}");

        let body = json!({"title": "Smuggled"}).to_string();
        let res = send(
            &format!("/api/v1/projects/{slug}/items"),
            content_type,
            body,
        )
        .await
        .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "unsupported_media_type", "{err}");
    }
    let page = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/items"),
        None,
    )
    .await;
    assert_eq!(page["items"], json!([]), "nothing was created");
    // The right type is served.
    let res = send("/api/fn/items/create", Some("application/json"), item)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_nul_character_is_refused_wherever_text_enters(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;

    // A form (server function): the field is named.
    let res = alice
        .call("parking_lot/add", &[("slug", &slug), ("title", "a\0b")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["detail"]["title"].as_str().unwrap().contains("NUL"),
        "{err}"
    );

    // JSON, to a server function and to the API.
    let res = alice
        .call_json(
            "items/create",
            &json!({"slug": slug, "item": {"title": "T", "description": "x\u{0}y"}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, err) = rest(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/items"),
        Some(json!({"title": "T", "description": "x\u{0}y"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["body"].is_string(), "{err}");

    // The query string (search) and the path (a slug).
    let (status, err) = rest(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/items?q=a%00b"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["q"].is_string(), "{err}");
    let (status, _) = rest(&alice, Method::GET, "/projects/web%00shop/items", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/items"),
        None,
    )
    .await;
    assert_eq!(page["items"], json!([]), "nothing was created");

    // A backslash before `u0000` is text, not a NUL.
    let (status, item) = rest(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/items"),
        Some(json!({"title": "Escapes", "description": "C:\\u0000"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn text_the_database_cannot_store_is_the_users_mistake(pool: PgPool) {
    // The backstop behind the edge (an import's document is not scanned there).
    let err = sqlx::query("select $1::text")
        .bind("a\0b")
        .execute(&pool)
        .await
        .unwrap_err();
    let err = app::error::AppError::from(err);
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY, "{err:?}");
    assert!(err.field("text").unwrap().contains("NUL"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn malformed_and_oversized_requests_are_the_clients_errors(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;

    // Arguments that do not deserialize: a 400 naming the problem, not a 500.
    let res = alice.call("projects/create", &[("nmae", "Typo")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "request", "{err}");
    let res = alice
        .call_json("items/create", &json!({"slug": slug}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Over the limit: refused on the declared length, and on a stream that runs over.
    let big = "a".repeat(3 * 1024 * 1024);
    let res = alice.call("projects/create", &[("name", &big)]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let err: Value = res.json().await.unwrap();
    assert!(err["detail"].as_str().unwrap().contains("2 MB"), "{err}");
    // (A chunked body that runs over while read: the unit test in `guard.rs`.)
    let (status, err) = rest(
        &alice,
        Method::POST,
        "/projects",
        Some(json!({ "name": big })),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert_eq!(err["error"]["code"], "payload_too_large");
    assert_eq!(projects(&alice).await, 1);

    // A server function that does not exist is a 404 like any unknown URL.
    let res = alice.call("no/such/function", &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "not_found");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_api_answers_every_error_in_its_shape(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;

    let (status, err) = rest(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/items/seven"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["code"], "bad_request", "{err}");
    assert_eq!(
        err["error"]["message"],
        "the URL's number must be a whole number, not `seven`"
    );
    let (status, err) = rest(
        &alice,
        Method::DELETE,
        &format!("/projects/{slug}/increments/x/items/1"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"]["message"].as_str().unwrap().contains("id"),
        "{err}"
    );

    // A method the route does not have: 405, saying which it has.
    let res = alice
        .http
        .put(format!("{}/api/v1/projects/{slug}/items/1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("PATCH") && allow.contains("GET"), "{allow}");
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "method_not_allowed");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("PUT"),
        "{err}"
    );

    // Malformed JSON stays a 400 in the shape.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/{slug}/items", app.base))
        .header(CONTENT_TYPE, "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "bad_request");
}

/// Every log line written on this thread while the guard lives (the test server runs on the
/// test's own single-threaded runtime, so its lines are among them).
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(lines.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    (lines, tracing::subscriber::set_default(subscriber))
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn refusals_are_not_logged_as_errors(pool: PgPool) {
    let (lines, _guard) = capture_logs();
    let app = spawn(pool).await;
    let (alice, slug) = app.owner_of("alice@example.com", "Web shop").await;
    let stranger = app.user("eve@example.com", "Eve").await;
    let refusals = [
        rest(
            &stranger,
            Method::GET,
            &format!("/projects/{slug}/items"),
            None,
        )
        .await
        .0,
        rest(&app.anonymous(), Method::GET, "/projects", None)
            .await
            .0,
        rest(
            &alice,
            Method::GET,
            &format!("/projects/{slug}/items/99"),
            None,
        )
        .await
        .0,
        rest(
            &alice,
            Method::GET,
            &format!("/projects/{slug}/items?q=%00"),
            None,
        )
        .await
        .0,
        rest(
            &alice,
            Method::POST,
            &format!("/projects/{slug}/items"),
            Some(json!({"title": ""})),
        )
        .await
        .0,
        rest(
            &alice,
            Method::GET,
            &format!("/projects/{slug}/items/x"),
            None,
        )
        .await
        .0,
        alice
            .call("projects/create", &[("nmae", "Typo")])
            .await
            .status(),
        stranger
            .call("parking_lot/add", &[("slug", &slug), ("title", "Hi")])
            .await
            .status(),
        alice
            .http
            .post(format!("{}/api/fn/projects/create", app.base))
            .header(ORIGIN, "http://evil.example")
            .form(&[("name", "Planted")])
            .send()
            .await
            .unwrap()
            .status(),
    ];
    for status in refusals {
        assert!(status.is_client_error(), "{status}");
    }
    let log = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
    assert!(log.contains("refused a cross-site request"), "{log}");
    let errors: Vec<&str> = log.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert!(
        errors.is_empty(),
        "refusals logged as errors:\n{}",
        errors.join("\n")
    );
}

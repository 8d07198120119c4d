//! Health checks, pages rendered on the server, and the no-JavaScript form path.

use super::support::{spawn, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn healthz_answers_ok(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.anonymous().get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn readyz_is_ok_when_the_database_answers(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.anonymous().get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ready");
}

fn unreachable_pool() -> PgPool {
    // Port 9 (discard) on loopback: nothing listens there, so every connect is refused.
    server::lazy_pool(
        "postgres://cadence@127.0.0.1:9/cadence",
        1,
        server::DbTimeouts::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_unreachable() {
    let app = spawn(unreachable_pool()).await;
    let client = app.anonymous();
    assert_eq!(client.get("/healthz").await.status(), StatusCode::OK);
    let res = client.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// readyz follows the database: refused while it is away, ready once it is back, with no
/// restart. "Away" is a loopback port nobody listens on; "back" is a proxy on that port to
/// the test's real database.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn readyz_recovers_by_itself_when_the_database_comes_back(
    _pool_options: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let db_name = connect.get_database().unwrap().to_owned();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(std::time::Duration::from_secs(1))
        .connect_lazy_with(
            connect
                .clone()
                .host("127.0.0.1")
                .port(port)
                .database(&db_name),
        );
    let app = spawn(pool).await;
    let client = app.anonymous();
    assert_eq!(
        client.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let upstream = format!("{}:{}", connect.get_host(), connect.get_port());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let mut server = tokio::net::TcpStream::connect(upstream).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });

    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..40 {
        status = client.get("/readyz").await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(status, StatusCode::OK, "readyz did not recover");
}

#[tokio::test]
async fn a_page_says_what_went_wrong_when_the_database_is_away() {
    let app = spawn(unreachable_pool()).await;
    let res = app
        .anonymous()
        .http
        .get(format!("{}/projects", app.base))
        .header("cookie", "cadence_session=abc")
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    // Not our fault and nothing lost: the page says so, and to try again.
    assert!(body.contains("Cadence is busy"), "{body}");
    assert!(body.contains("try again in a moment"), "{body}");
    // The cause (connection refused to 127.0.0.1:9) stays in the server log.
    assert!(
        !body.contains("refused") && !body.contains("127.0.0.1:9"),
        "{body}"
    );
    // The rest of the page still works: the form is there to retry.
    assert!(body.contains("Create project"), "{body}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_url_gets_a_404_page(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.anonymous().get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = res.text().await.unwrap();
    assert!(body.contains("Page not found"), "{body}");
    assert!(
        body.contains("id=\"app-nav\""),
        "the 404 keeps the app shell"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn signed_out_visitors_are_sent_to_sign_in_and_back(pool: PgPool) {
    let app = spawn(pool).await;
    let anon = app.anonymous();
    let res = anon.get("/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/projects");
    let res = anon.get("/projects").await;
    assert_eq!(res.headers()["location"], "/login?next=/projects");
    let res = anon.get("/p/shop/settings?tab=chart").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/login?next=/p/shop/settings%3Ftab%3Dchart"
    );
    // The sign-in form carries the destination through.
    let page = anon
        .get("/login?next=/p/shop/settings")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in"), "{page}");
}

async fn project_with_topic_form(app: &TestApp) -> (super::support::Client, String) {
    app.owner_of("olive@example.com", "Web shop").await
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_project_page_is_rendered_on_the_server_with_its_topics(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = project_with_topic_form(&app).await;
    assert_eq!(slug, "web-shop");
    let res = owner
        .call(
            "parking_lot/add",
            &[("slug", &slug), ("title", "Release checklist")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = owner.get("/p/web-shop").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("Web shop"), "{body}");
    assert!(body.contains("Parking lot"), "{body}");
    assert!(
        body.contains("Release checklist"),
        "server-rendered list: {body}"
    );
    assert!(body.contains("1 · XS"), "the default effort chart: {body}");
    assert!(
        body.contains("/pkg/cadence.js"),
        "hydration script is linked"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_topic_is_stored_in_its_project_and_invalid_ones_are_refused(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = project_with_topic_form(&app).await;
    let res = owner
        .call(
            "parking_lot/add",
            &[("slug", &slug), ("title", "  Flaky CI on main ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let topic: Value = res.json().await.unwrap();
    assert_eq!(topic["title"], "Flaky CI on main");

    let res = owner
        .call("parking_lot/add", &[("slug", &slug), ("title", "   ")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "validation");
    assert_eq!(err["detail"]["title"], "a title is required");

    let lot: Value = owner
        .call("parking_lot/list", &[("slug", &slug)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lot["total"], 1);
    assert_eq!(lot["topics"][0]["title"], "Flaky CI on main");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_plain_form_post_redirects_back_to_the_page(pool: PgPool) {
    // What a browser with JavaScript off does: post the form, follow the redirect.
    let app = spawn(pool).await;
    let (owner, slug) = project_with_topic_form(&app).await;
    let page_url = format!("{}/p/{slug}", app.base);
    let res = owner
        .http
        .post(format!("{}/api/fn/parking_lot/add", app.base))
        .header("accept", "text/html")
        .header("referer", &page_url)
        .form(&[("slug", slug.as_str()), ("title", "No-JS topic")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap();
    // Leptos strips its own error parameters from the referer, which may leave a bare '?'.
    assert_eq!(location.trim_end_matches('?'), page_url);
    let page = owner.get(&format!("/p/{slug}")).await.text().await.unwrap();
    assert!(page.contains("No-JS topic"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_plain_form_post_with_an_error_carries_it_back_to_the_page(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = project_with_topic_form(&app).await;
    let res = owner
        .http
        .post(format!("{}/api/fn/parking_lot/add", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/p/{slug}", app.base))
        .form(&[("slug", slug.as_str()), ("title", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    // The page the browser lands on renders the message next to the field.
    let page = owner
        .http
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("a title is required"), "{page}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_are_compressed_for_clients_that_ask(pool: PgPool) {
    let app = spawn(pool).await;
    let res = super::support::undecoded()
        .get(format!("{}/login", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
}

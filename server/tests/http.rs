//! The real router on a real port, with its own fresh database, driven over HTTP the way a
//! browser or an integration would.

use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

struct TestApp {
    base: String,
    client: reqwest::Client,
}

async fn spawn(pool: PgPool) -> TestApp {
    let leptos_options = LeptosOptions::builder()
        .output_name("cadence")
        .site_root("target/site")
        .build();
    let app = server::router(server::AppState {
        leptos_options,
        pool,
        auth: Default::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        client,
    }
}

impl TestApp {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn add_topic(&self, title: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/fn/parking_lot/add", self.base))
            .form(&[("title", title)])
            .send()
            .await
            .unwrap()
    }

    async fn list_topics(&self) -> Value {
        let res = self
            .client
            .post(format!("{}/api/fn/parking_lot/list", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn healthz_answers_ok(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn readyz_is_ok_when_the_database_answers(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_unreachable() {
    // Port 9 (discard) on loopback: nothing listens there, so every connect is refused.
    let pool = server::lazy_pool("postgres://cadence@127.0.0.1:9/cadence", 1).unwrap();
    let app = spawn(pool).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let res = app.get("/readyz").await;
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
    assert_eq!(
        app.get("/readyz").await.status(),
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
        status = app.get("/readyz").await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(status, StatusCode::OK, "readyz did not recover");
}

#[tokio::test]
async fn the_home_page_says_what_went_wrong_when_the_database_is_away() {
    let pool = server::lazy_pool("postgres://cadence@127.0.0.1:9/cadence", 1).unwrap();
    let app = spawn(pool).await;
    let body = app.get("/").await.text().await.unwrap();
    assert!(body.contains("Something went wrong"), "{body}");
    assert!(body.contains("it has been logged"), "{body}");
    // The cause (connection refused to 127.0.0.1:9) stays in the server log.
    assert!(
        !body.contains("refused") && !body.contains("127.0.0.1:9"),
        "{body}"
    );
    // The rest of the page still works: the form is there to retry.
    assert!(body.contains("Add topic"), "{body}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_url_gets_a_404_page(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = res.text().await.unwrap();
    assert!(body.contains("Page not found"), "{body}");
    assert!(
        body.contains("<header class=\"app-header\""),
        "the 404 keeps the app shell"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_home_page_is_rendered_on_the_server_with_the_topics(pool: PgPool) {
    let app = spawn(pool).await;
    assert_eq!(
        app.add_topic("Release checklist").await.status(),
        StatusCode::OK
    );
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("Parking lot"), "{body}");
    assert!(
        body.contains("Release checklist"),
        "server-rendered list: {body}"
    );
    assert!(
        body.contains("/pkg/cadence.js"),
        "hydration script is linked"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_add_topic_server_function_writes_and_the_list_reads_it(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let res = app.add_topic("  Flaky CI on main ").await;
    assert_eq!(res.status(), StatusCode::OK);
    let topic: Value = res.json().await.unwrap();
    assert_eq!(topic["title"], "Flaky CI on main");

    let lot = app.list_topics().await;
    assert_eq!(lot["total"], 1);
    assert_eq!(lot["topics"][0]["title"], "Flaky CI on main");
    let stored: i64 = sqlx::query_scalar("select count(*) from parking_lot_topic")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_invalid_topic_is_refused_with_a_field_error_and_nothing_stored(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let res = app.add_topic("   ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "validation");
    assert_eq!(err["detail"]["title"], "a title is required");

    let res = app.add_topic(&"x".repeat(201)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.list_topics().await["total"], 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_plain_form_post_redirects_back_to_the_page(pool: PgPool) {
    // What a browser with JavaScript off does: post the form, follow the redirect.
    let app = spawn(pool).await;
    let res = app
        .client
        .post(format!("{}/api/fn/parking_lot/add", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/", app.base))
        .form(&[("title", "No-JS topic")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap();
    // Leptos strips its own error parameters from the referer, which may leave a bare '?'.
    assert_eq!(location.trim_end_matches('?'), format!("{}/", app.base));
    let page = app.get("/").await.text().await.unwrap();
    assert!(page.contains("No-JS topic"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_plain_form_post_with_an_error_carries_it_back_to_the_page(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app
        .client
        .post(format!("{}/api/fn/parking_lot/add", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/", app.base))
        .form(&[("title", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    // The page the browser lands on renders the message next to the field.
    let page = app
        .client
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("a title is required"), "{page}");
    assert_eq!(app.list_topics().await["total"], 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_are_compressed_for_clients_that_ask(pool: PgPool) {
    let app = spawn(pool).await;
    let res = app
        .client
        .get(format!("{}/", app.base))
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

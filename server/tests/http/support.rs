//! The real router on a real port with its own fresh database, and clients that keep
//! cookies the way a browser does.

use app::clock::Clock;
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
}

pub async fn spawn(pool: PgPool) -> TestApp {
    spawn_with(pool, app::auth::AuthConfig::default()).await
}

pub async fn spawn_with(pool: PgPool, auth: app::auth::AuthConfig) -> TestApp {
    spawn_full(pool, auth, Clock::system()).await
}

/// A clock started at noon UTC of the day the test starts: the server's "today" and the
/// test's stay the same day however long the run takes, even across midnight.
pub fn noon_today() -> Clock {
    let noon = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    Clock::starting_at(noon.and_utc())
}

/// A server whose clock the test holds (the team's "today" stays put across midnight).
pub async fn spawn_at(pool: PgPool, clock: Clock) -> TestApp {
    spawn_full(pool, app::auth::AuthConfig::default(), clock).await
}

/// A server with these timeouts (for tests of stalled clients and slow requests).
pub async fn spawn_with_timeouts(pool: PgPool, timeouts: server::serve::Timeouts) -> TestApp {
    spawn_full_with(
        pool,
        app::auth::AuthConfig::default(),
        Clock::system(),
        timeouts,
        server::Imports::new(128 * 1024 * 1024),
    )
    .await
}

/// A server with these import limits (for tests of large and concurrent imports).
pub async fn spawn_with_imports(pool: PgPool, imports: server::Imports) -> TestApp {
    spawn_full_with(
        pool,
        app::auth::AuthConfig::default(),
        Clock::system(),
        server::serve::Timeouts::default(),
        imports,
    )
    .await
}

async fn spawn_full(pool: PgPool, auth: app::auth::AuthConfig, clock: Clock) -> TestApp {
    spawn_full_with(
        pool,
        auth,
        clock,
        server::serve::Timeouts::default(),
        server::Imports::new(128 * 1024 * 1024),
    )
    .await
}

async fn spawn_full_with(
    pool: PgPool,
    auth: app::auth::AuthConfig,
    clock: Clock,
    timeouts: server::serve::Timeouts,
    imports: server::Imports,
) -> TestApp {
    trace_to_file();
    let leptos_options = LeptosOptions::builder()
        .output_name("cadence")
        .site_root("target/site")
        .build();
    let pool_for_hub = pool.clone();
    let app = server::router(server::Shared {
        leptos_options,
        pool,
        auth,
        clock,
        // Room for two exports at once, as with a pool of six.
        exports: server::AppState::export_limit(6),
        imports,
        timeouts,
        hub: server::live::Hub::start(pool_for_hub),
        email: app::service::email::EmailAvailable(true),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The server's own accept loop, with its timeouts, as `server serve` runs it.
    tokio::spawn(server::serve::serve(
        listener,
        app,
        timeouts,
        std::future::pending(),
    ));
    TestApp {
        base: format!("http://{addr}"),
    }
}

/// With `CADENCE_TEST_TRACE=DIR`, each test's server writes its log to `DIR/<test>.log`:
/// every request, service call and statement, when each began and ended (how a page that
/// never finished was traced to the resource it waited for). Off otherwise.
fn trace_to_file() {
    let Ok(dir) = std::env::var("CADENCE_TEST_TRACE") else {
        return;
    };
    // libtest names each test's thread after the test; the server runs on that thread.
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "-");
    let file = std::sync::Arc::new(std::fs::File::create(format!("{dir}/{name}.log")).unwrap());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(
            tracing_subscriber::fmt::format::FmtSpan::NEW
                | tracing_subscriber::fmt::format::FmtSpan::CLOSE,
        )
        .with_ansi(false)
        .with_writer(file)
        .finish();
    // For the rest of the test's thread.
    std::mem::forget(tracing::subscriber::set_default(subscriber));
}

/// How long a page or a server function may take, body included, before its test fails
/// (with the address in the error) rather than waiting for ever: a stalled answer is a bug.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// One browser (or script): its own cookie jar; redirects are not followed so tests see them.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub email: String,
}

impl TestApp {
    pub fn anonymous(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            email: String::new(),
        }
    }

    /// Registers through the register server function and keeps the session cookie.
    pub async fn user(&self, email: &str, name: &str) -> Client {
        let mut client = self.anonymous();
        let res = client
            .call(
                "register",
                &[
                    ("email", email),
                    ("display_name", name),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        client.email = email.to_owned();
        client
    }

    /// A user owning a new project named `name`; returns the client and the project slug.
    pub async fn owner_of(&self, email: &str, name: &str) -> (Client, String) {
        let owner = self.user(email, "Olive Owner").await;
        let res = owner.call("projects/create", &[("name", name)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let created: Value = res.json().await.unwrap();
        let slug = created["slug"].as_str().unwrap().to_owned();
        (owner, slug)
    }
}

impl Client {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .timeout(ANSWER_WITHIN)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function with form-encoded arguments, as an `ActionForm` does.
    pub async fn call(&self, endpoint: &str, args: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/fn/{endpoint}", self.base))
            .form(args)
            .timeout(ANSWER_WITHIN)
            .send()
            .await
            .unwrap()
    }

    /// A new API token of this user (`cad_…`), made through the account page's function.
    pub async fn token(&self, name: &str) -> String {
        let created: Value = self
            .call("account/tokens/create", &[("name", name)])
            .await
            .json()
            .await
            .unwrap();
        created["token"].as_str().unwrap().to_owned()
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(&self, endpoint: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}/api/fn/{endpoint}", self.base))
            .json(body)
            .timeout(ANSWER_WITHIN)
            .send()
            .await
            .unwrap()
    }

    /// Adds `other` to the project with `role` (this client must be an owner).
    pub async fn add_member(&self, slug: &str, other: &Client, role: &str) {
        let res = self
            .call(
                "project/members/add",
                &[("slug", slug), ("email", &other.email), ("role", role)],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }
}

/// A client that asks for nothing compressed and leaves a compressed body as it came, so
/// a test can read `Content-Encoding` (the test clients otherwise decode as browsers do).
pub fn undecoded() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

/// Calls the JSON API (`path` after `/api/v1`) as this client; the status and the body as
/// JSON (`null` when it is not JSON).
pub async fn rest(
    client: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = client
        .http
        .request(method, format!("{}/api/v1{path}", client.base));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates an item through the JSON API as `client`; its number.
pub async fn create_item(client: &Client, slug: &str, title: &str) -> i64 {
    let (status, made) = rest(
        client,
        reqwest::Method::POST,
        &format!("/projects/{slug}/items"),
        Some(serde_json::json!({ "title": title })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["number"].as_i64().unwrap()
}

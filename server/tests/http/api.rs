//! The JSON API under /api/v1: token auth, the error shape, projects, settings, members,
//! the OpenAPI document, and the admin command line that hands out tokens.

use super::support::{spawn, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn for_new_user(app: &TestApp, email: &str) -> Api {
        let user = app.user(email, "Api User").await;
        Api {
            base: app.base.clone(),
            http: reqwest::Client::new(),
            token: user.token("tests").await,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn without_credentials_the_api_answers_401_in_its_error_shape(pool: PgPool) {
    let app = spawn(pool).await;
    let res = reqwest::get(format!("{}/api/v1/projects", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"].is_string());
    assert_eq!(body["error"]["fields"], json!({}));

    // A wrong token is refused outright, not treated as anonymous.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth("cad_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn projects_are_created_listed_and_read_with_their_settings(pool: PgPool) {
    let app = spawn(pool).await;
    let api = Api::for_new_user(&app, "ada@example.com").await;
    let (status, created) = api
        .send(
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "Web Shop"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["slug"], "web-shop");
    assert_eq!(created["role"], "owner");
    // Same name again: a new slug, not an error.
    let (_, second) = api
        .send(
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "Web shop"})),
        )
        .await;
    assert_eq!(second["slug"], "web-shop-2");

    let (status, list) = api.send(Method::GET, "/api/v1/projects", None).await;
    assert_eq!(status, StatusCode::OK);
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs.len(), 2);
    assert!(slugs.contains(&"web-shop") && slugs.contains(&"web-shop-2"));

    let (status, project) = api
        .send(Method::GET, "/api/v1/projects/web-shop", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["name"], "Web Shop");
    let settings = &project["settings"];
    assert_eq!(settings["working_days"], json!([1, 2, 3, 4, 5]));
    assert_eq!(settings["velocity_window"], 3);
    assert_eq!(
        settings["effort_chart"][3],
        json!({"points": 5, "label": "LG"})
    );
    assert_eq!(settings["effort_chart"].as_array().unwrap().len(), 7);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn settings_are_replaced_whole_and_bad_ones_change_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let api = Api::for_new_user(&app, "ada@example.com").await;
    api.send(
        Method::POST,
        "/api/v1/projects",
        Some(json!({"name": "Shop"})),
    )
    .await;
    let dogs = json!({
        "effort_chart": [
            {"points": 1, "label": "Chihuahua"}, {"points": 2, "label": "Dachshund"},
            {"points": 3, "label": "Schnauzer"}, {"points": 5, "label": "Labrador"},
            {"points": 8, "label": "Pitbull"}, {"points": 13, "label": "Rottweiler"},
            {"points": 21, "label": "Great Dane"}
        ],
        "working_days": [5, 1, 2, 3, 4],
        "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
        "velocity_window": 4
    });
    let (status, saved) = api
        .send(Method::PUT, "/api/v1/projects/shop/settings", Some(dogs))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["effort_chart"][3]["label"], "Labrador");
    assert_eq!(saved["working_days"], json!([1, 2, 3, 4, 5]));
    assert_eq!(saved["holidays"][0]["name"], "Christmas Day");

    // Every wrong field is named; nothing is written.
    let bad = json!({
        "effort_chart": [{"points": 4, "label": "Four"}, {"points": 5, "label": "Five"}],
        "working_days": [],
        "holidays": [{"date": "2026-12-25", "name": " "}],
        "velocity_window": 0
    });
    let (status, err) = api
        .send(Method::PUT, "/api/v1/projects/shop/settings", Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["code"], "validation");
    let fields = err["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        [
            "effort_chart",
            "holidays",
            "velocity_window",
            "working_days"
        ]
    );
    assert!(fields["effort_chart"].as_str().unwrap().contains('4'));
    let (_, project) = api.send(Method::GET, "/api/v1/projects/shop", None).await;
    assert_eq!(project["settings"]["effort_chart"][3]["label"], "Labrador");
    assert_eq!(project["settings"]["velocity_window"], 4);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn malformed_and_mistyped_bodies_get_400_and_422(pool: PgPool) {
    let app = spawn(pool).await;
    let api = Api::for_new_user(&app, "ada@example.com").await;
    let res = api
        .http
        .post(format!("{}/api/v1/projects", api.base))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");

    let (status, body) = api
        .send(
            Method::POST,
            "/api/v1/projects",
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["body"]
        .as_str()
        .unwrap()
        .contains("name"));

    let (status, body) = api.send(Method::GET, "/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn owners_manage_members_and_the_last_owner_stays(pool: PgPool) {
    let app = spawn(pool).await;
    let api = Api::for_new_user(&app, "ada@example.com").await;
    app.user("Bob@Example.com", "Bob").await;
    api.send(
        Method::POST,
        "/api/v1/projects",
        Some(json!({"name": "Shop"})),
    )
    .await;

    let (status, member) = api
        .send(
            Method::POST,
            "/api/v1/projects/shop/members",
            Some(json!({"email": "bob@example.com", "role": "member"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["email"], "Bob@Example.com");
    assert_eq!(member["role"], "member");

    let (status, err) = api
        .send(
            Method::POST,
            "/api/v1/projects/shop/members",
            Some(json!({"email": "BOB@example.com", "role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "conflict");

    let (status, err) = api
        .send(
            Method::POST,
            "/api/v1/projects/shop/members",
            Some(json!({"email": "nobody@example.com", "role": "chief"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = err["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("role"));

    // The only owner can be neither demoted nor removed.
    let (status, err) = api
        .send(
            Method::PATCH,
            "/api/v1/projects/shop/members/ada@example.com",
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("needs an owner"));
    let (status, _) = api
        .send(
            Method::DELETE,
            "/api/v1/projects/shop/members/ada@example.com",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // With a second owner, the first may step down.
    let (status, _) = api
        .send(
            Method::PATCH,
            "/api/v1/projects/shop/members/bob@example.com",
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api
        .send(
            Method::PATCH,
            "/api/v1/projects/shop/members/ada@example.com",
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, members) = api
        .send(Method::GET, "/api/v1/projects/shop/members", None)
        .await;
    let roles: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("Bob@Example.com".to_owned(), "owner".to_owned()),
            ("ada@example.com".to_owned(), "viewer".to_owned())
        ]
    );
    // Now a viewer, Ada can read but not change members.
    let (status, _) = api
        .send(
            Method::DELETE,
            "/api/v1/projects/shop/members/bob@example.com",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn archived_projects_are_read_only_until_unarchived(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Shop").await;
    let res = owner
        .call("project/archive", &[("slug", &slug), ("archived", "true")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = owner
        .call("parking_lot/add", &[("slug", &slug), ("title", "Too late")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        owner
            .call("project/detail", &[("slug", &slug)])
            .await
            .status(),
        StatusCode::OK
    );
    let res = owner
        .call("project/archive", &[("slug", &slug), ("archived", "false")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = owner
        .call(
            "parking_lot/add",
            &[("slug", &slug), ("title", "Back again")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deleting_a_project_needs_its_name_typed_and_takes_everything(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Shop").await;
    owner
        .call("parking_lot/add", &[("slug", &slug), ("title", "A topic")])
        .await;
    let res = owner
        .call(
            "project/delete",
            &[("slug", &slug), ("confirm_name", "shop")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = owner
        .call(
            "project/delete",
            &[("slug", &slug), ("confirm_name", "Shop")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        owner
            .call("project/detail", &[("slug", &slug)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let left: i64 = sqlx::query_scalar(
        "select (select count(*) from project) + (select count(*) from parking_lot_topic)
              + (select count(*) from project_member) + (select count(*) from effort_chart_entry)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_openapi_document_describes_every_route(pool: PgPool) {
    let app = spawn(pool).await;
    let res = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // The document and the router agree both ways: every route served is documented, and
    // every documented operation is served (the list comes from the router's own
    // declaration, `server::rest::route_list`).
    let served = served_routes();
    let documented = documented_routes(&doc);
    let undocumented: Vec<&String> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in openapi.json: {undocumented:?}"
    );
    let unserved: Vec<&String> = documented.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "in openapi.json but not served: {unserved:?}"
    );
    assert!(served.len() >= 30, "only {} routes listed", served.len());
    // Every $ref points at a schema the document defines.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    for piece in text.split("#/components/schemas/").skip(1) {
        let name: String = piece.chars().take_while(|c| *c != '"').collect();
        assert!(schemas.contains_key(&name), "undefined schema {name}");
    }
    let security = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(security.contains_key("bearer") && security.contains_key("session"));
}

/// The admin commands, run as a self-hoster would: the real binary against this test's
/// database.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_admin_commands_create_users_and_tokens_and_reset_passwords(pool: PgPool) {
    let options = pool.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap()
    );
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("CADENCE_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(
        &[
            "create-user",
            "--email",
            "root@example.com",
            "--name",
            "Root",
        ],
        "initial passphrase\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("created account root@example.com"), "{out}");

    let (ok, _, err) = run(
        &[
            "create-user",
            "--email",
            "ROOT@example.com",
            "--name",
            "Again",
        ],
        "initial passphrase\n",
    );
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");

    let (ok, _, err) = run(
        &[
            "create-user",
            "--email",
            "short@example.com",
            "--name",
            "Short",
        ],
        "short\n",
    );
    assert!(!ok);
    assert!(err.contains("at least 10 characters"), "{err}");

    let (ok, out, err) = run(
        &[
            "create-token",
            "--email",
            "root@example.com",
            "--name",
            "ci",
        ],
        "",
    );
    assert!(ok, "{err}");
    let token = out.trim().to_owned();
    assert!(token.starts_with("cad_"), "{out}");

    // The token works against the running server.
    let app = spawn(pool).await;
    let me = |token: String| {
        let url = format!("{}/api/v1/me", app.base);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let res = me(token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["display_name"], "Root");

    // A reset signs the account out everywhere: its tokens too. The new password signs in.
    let (ok, out, err) = run(
        &["reset-password", "--email", "root@example.com"],
        "a fresh passphrase\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("1 API token(s) revoked"), "{out}");
    assert_eq!(me(token).await.status(), StatusCode::UNAUTHORIZED);
    let anon = app.anonymous();
    let res = anon
        .call(
            "log_in",
            &[
                ("email", "root@example.com"),
                ("password", "a fresh passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (ok, _, err) = run(
        &[
            "create-token",
            "--email",
            "nobody@example.com",
            "--name",
            "x",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("no account"), "{err}");
}

/// Routes the router serves that the OpenAPI document rightly leaves out, each with why.
const NOT_DOCUMENTED: [(&str, &str); 2] = [
    // The document itself.
    ("GET", "/api/v1/openapi.json"),
    // The project whose URL name is `import`: documented as `GET /api/v1/projects/{slug}`.
    ("GET", "/api/v1/projects/import"),
];

/// "METHOD /path" of every route the router declares, less `NOT_DOCUMENTED`.
fn served_routes() -> std::collections::BTreeSet<String> {
    server::rest::route_list()
        .into_iter()
        .filter(|(method, path)| !NOT_DOCUMENTED.contains(&(method.as_str(), path.as_str())))
        .map(|(method, path)| format!("{method} {path}"))
        .collect()
}

/// "METHOD /path" of every operation in the OpenAPI document.
fn documented_routes(doc: &Value) -> std::collections::BTreeSet<String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut routes = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (key, _) in item.as_object().unwrap() {
            if METHODS.contains(&key.as_str()) {
                routes.insert(format!("{} {path}", key.to_uppercase()));
            }
        }
    }
    routes
}

//! The DevOps loop over HTTP: deliveries shaped like each provider's documented payloads
//! (`server/tests/fixtures/hooks`, see its NOTES.md), signed here the way the provider signs
//! them, sent to `/hooks/{id}`; what they did is read back through the JSON API and the
//! settings' server function.

use super::support::{create_item, noon_today, rest, spawn, spawn_at, Client, TestApp};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::PgPool;

fn fixture(name: &str) -> Value {
    let text = match name {
        "github/workflow_run" => include_str!("../fixtures/hooks/github/workflow_run.json"),
        "github/push" => include_str!("../fixtures/hooks/github/push.json"),
        "github/pull_request" => include_str!("../fixtures/hooks/github/pull_request.json"),
        "github/ping" => include_str!("../fixtures/hooks/github/ping.json"),
        "gitlab/pipeline" => include_str!("../fixtures/hooks/gitlab/pipeline.json"),
        "gitlab/push" => include_str!("../fixtures/hooks/gitlab/push.json"),
        "gitlab/merge_request" => include_str!("../fixtures/hooks/gitlab/merge_request.json"),
        "azure/build_complete" => include_str!("../fixtures/hooks/azure/build_complete.json"),
        "azure/git_push" => include_str!("../fixtures/hooks/azure/git_push.json"),
        "azure/pull_request" => include_str!("../fixtures/hooks/azure/pull_request.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

fn hmac_hex(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An integration as its owner made it.
struct Hook {
    path: String,
    secret: String,
}

async fn integration(owner: &Client, slug: &str, provider: &str) -> Hook {
    let res = owner
        .call(
            "hooks/create",
            &[
                ("slug", slug),
                ("provider", provider),
                ("name", "dunder/store"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let made: Value = res.json().await.unwrap();
    Hook {
        path: made["integration"]["path"].as_str().unwrap().to_owned(),
        secret: made["secret"].as_str().unwrap().to_owned(),
    }
}

/// A delivery as a provider sends it: `headers` beside the JSON body.
async fn send(
    app: &TestApp,
    hook: &Hook,
    headers: &[(&str, String)],
    body: &[u8],
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{}", app.base, hook.path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A GitHub delivery of `event`, signed with the hook's secret.
async fn github(
    app: &TestApp,
    hook: &Hook,
    event: &str,
    delivery: &str,
    body: &Value,
) -> (StatusCode, Value) {
    github_bytes(
        app,
        hook,
        event,
        delivery,
        &serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// A GitHub delivery of a body as it is (not made from a `Value`), signed.
async fn github_bytes(
    app: &TestApp,
    hook: &Hook,
    event: &str,
    delivery: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let signature = format!("sha256={}", hmac_hex(&hook.secret, bytes));
    let headers = [
        ("x-github-event", event.to_owned()),
        ("x-github-delivery", delivery.to_owned()),
        ("x-hub-signature-256", signature),
    ];
    send(app, hook, &headers, bytes).await
}

fn outcome(answer: &(StatusCode, Value)) -> &str {
    answer.1["outcome"].as_str().unwrap_or("")
}

async fn items(client: &Client, slug: &str) -> Vec<Value> {
    let (status, page) = rest(
        client,
        Method::GET,
        &format!("/projects/{slug}/items"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    page["items"].as_array().unwrap().clone()
}

async fn item(client: &Client, slug: &str, number: i64) -> Value {
    let (status, detail) = rest(
        client,
        Method::GET,
        &format!("/projects/{slug}/items/{number}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    detail
}

async fn deliveries(owner: &Client, slug: &str) -> Vec<Value> {
    let res = owner.call("hooks/list", &[("slug", slug)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Vec<Value> = res.json().await.unwrap();
    list[0]["deliveries"].as_array().unwrap().clone()
}

/// The outcomes of the project's first integration's deliveries, newest first.
async fn outcomes(owner: &Client, slug: &str) -> Vec<String> {
    deliveries(owner, slug)
        .await
        .iter()
        .map(|d| d["outcome"].as_str().unwrap().to_owned())
        .collect()
}

fn summaries(detail: &Value) -> Vec<String> {
    detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap().to_owned())
        .collect()
}

async fn team(app: &TestApp) -> (Client, String, Client) {
    let (owner, slug) = app.owner_of("olive@example.com", "Online store").await;
    let jim = app.user("jim@dundermifflin.com", "Jim Halpert").await;
    owner.add_member(&slug, &jim, "member").await;
    (owner, slug, jim)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_failed_pipeline_files_one_bug_counts_repeats_and_closes_when_green(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _jim) = team(&app).await;
    create_item(&owner, &slug, "Cart").await;
    let hook = integration(&owner, &slug, "github").await;
    let failure = fixture("github/workflow_run");

    let first = github(&app, &hook, "workflow_run", "d-1", &failure).await;
    assert_eq!((first.0, outcome(&first)), (StatusCode::OK, "filed #2"));
    let list = items(&owner, &slug).await;
    assert_eq!(list[0]["number"], 2, "the bug is at the top of the backlog");
    assert_eq!(list[0]["kind"], "bug");
    assert_eq!(list[0]["title"], "CI failed: build on main");
    assert_eq!(
        list[0]["from_ci"], "GitHub",
        "the backlog says where it came from"
    );
    assert_eq!(
        list[1]["from_ci"],
        Value::Null,
        "an item made by hand did not come from CI"
    );
    assert_eq!(
        list[0]["assignee"]["email"], "jim@dundermifflin.com",
        "assigned to the commit author, a member"
    );
    let detail = item(&owner, &slug, 2).await;
    let description = detail["item"]["description"].as_str().unwrap();
    assert!(
        description.contains("https://github.com/dunder/store/actions/runs/9123456789"),
        "{description}"
    );
    assert!(
        description.contains("6113728") && description.contains("Fix the cart total"),
        "{description}"
    );
    assert_eq!(detail["ci"]["occurrences"], 1);
    assert_eq!(detail["ci"]["pipeline"], "build");

    // The same pipeline fails again (a new delivery): an occurrence, not a second bug.
    let again = github(&app, &hook, "workflow_run", "d-2", &failure).await;
    assert_eq!((again.0, outcome(&again)), (StatusCode::OK, "updated #2"));
    let list = items(&owner, &slug).await;
    assert_eq!(list.iter().filter(|i| i["kind"] == "bug").count(), 1);
    let detail = item(&owner, &slug, 2).await;
    assert_eq!(detail["ci"]["occurrences"], 2);
    assert_eq!(detail["ci"]["runs"].as_array().unwrap().len(), 2);
    assert!(
        summaries(&detail).contains(&"CI: build on main failed again (2 times in all)".to_owned())
    );

    // Another branch that does not count is ignored.
    let mut feature = failure.clone();
    feature["workflow_run"]["head_branch"] = json!("feature/x");
    let ignored = github(&app, &hook, "workflow_run", "d-3", &feature).await;
    assert_eq!(ignored.0, StatusCode::ACCEPTED);
    assert_eq!(
        outcome(&ignored),
        "ignored: branch feature/x does not count"
    );

    // Green again: "passing again", and the bug is done.
    let mut success = failure.clone();
    success["workflow_run"]["conclusion"] = json!("success");
    let green = github(&app, &hook, "workflow_run", "d-4", &success).await;
    assert_eq!(
        (green.0, outcome(&green)),
        (StatusCode::OK, "passing again: #2 done")
    );
    let detail = item(&owner, &slug, 2).await;
    assert_eq!(detail["item"]["state"], "done");
    let history = summaries(&detail);
    assert!(
        history.contains(&"CI: build on main passing again".to_owned()),
        "{history:?}"
    );
    assert!(
        history.contains(&"state: todo → done".to_owned()),
        "{history:?}"
    );

    // A new failure after that files a new bug.
    let next = github(&app, &hook, "workflow_run", "d-5", &failure).await;
    assert_eq!(outcome(&next), "filed #3");

    let recorded = outcomes(&owner, &slug).await;
    assert_eq!(
        recorded,
        vec![
            "filed #3",
            "passing again: #2 done",
            "ignored: branch feature/x does not count",
            "updated #2",
            "filed #2"
        ]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_replayed_delivery_does_nothing_the_second_time(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;
    let failure = fixture("github/workflow_run");
    let first = github(&app, &hook, "workflow_run", "same-id", &failure).await;
    assert_eq!(outcome(&first), "filed #1");
    let replay = github(&app, &hook, "workflow_run", "same-id", &failure).await;
    assert_eq!(replay.0, StatusCode::OK);
    assert_eq!(outcome(&replay), "already handled: nothing done again");
    assert_eq!(items(&owner, &slug).await.len(), 1);
    assert_eq!(item(&owner, &slug, 1).await["ci"]["occurrences"], 1);
    assert_eq!(
        deliveries(&owner, &slug).await.len(),
        1,
        "the replay is not a delivery"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pushes_and_pull_requests_link_and_fixes_closes_on_a_counted_branch(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    for title in ["Cart", "Totals", "Checkout"] {
        create_item(&owner, &slug, title).await;
    }
    let hook = integration(&owner, &slug, "github").await;

    // A feature branch: mentions link, "fixes" does not close.
    let mut push = fixture("github/push");
    push["ref"] = json!("refs/heads/fix-cart");
    push["commits"][0]["message"] = json!("Round the totals (#1)\n\nfixes #2, see #999");
    let linked = github(&app, &hook, "push", "p-1", &push).await;
    assert_eq!(
        (linked.0, outcome(&linked)),
        (StatusCode::OK, "linked #1, #2")
    );
    assert_eq!(item(&owner, &slug, 2).await["item"]["state"], "todo");

    // The default branch: "fixes #2" closes it, with the commit in its history.
    push["ref"] = json!("refs/heads/main");
    let closed = github(&app, &hook, "push", "p-2", &push).await;
    assert_eq!(outcome(&closed), "closed #2");
    let detail = item(&owner, &slug, 2).await;
    assert_eq!(detail["item"]["state"], "done");
    let history = summaries(&detail);
    assert!(
        history.contains(&"closed by commit 6113728: Round the totals (#1)".to_owned()),
        "{history:?}"
    );
    let links = detail["links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "one commit, linked once: {links:?}");
    assert_eq!(links[0]["kind"], "commit");
    assert_eq!(links[0]["author"], "Jim Halpert");
    assert_eq!(links[0]["branch"], "fix-cart");
    assert!(links[0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://github.com/"));

    // A pull request mentioning #3 links it; merged into main with "closes #3" closes it.
    let mut pr = fixture("github/pull_request");
    pr["pull_request"]["title"] = json!("Checkout: closes #3");
    let opened = github(&app, &hook, "pull_request", "r-1", &pr).await;
    assert_eq!(outcome(&opened), "linked #3");
    assert_eq!(item(&owner, &slug, 3).await["item"]["state"], "todo");
    pr["action"] = json!("closed");
    pr["pull_request"]["merged"] = json!(true);
    let merged = github(&app, &hook, "pull_request", "r-2", &pr).await;
    assert_eq!(outcome(&merged), "closed #3");
    let detail = item(&owner, &slug, 3).await;
    assert_eq!(detail["item"]["state"], "done");
    assert_eq!(detail["links"][0]["kind"], "pull_request");
    assert_eq!(detail["links"][0]["reference"], "7");

    // With "fixes closes items" off, a fix on main only links.
    create_item(&owner, &slug, "Coupons").await;
    let res = owner.call("hooks/list", &[("slug", &slug)]).await;
    let list: Vec<Value> = res.json().await.unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let res = owner
        .call_json(
            "hooks/update",
            &json!({"slug": slug, "id": id, "settings": {"name": "store", "branches": "",
                    "close_on_fixes": false, "done_on_green": true}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    push["commits"][0]["id"] = json!("aaaaaaa1111111");
    push["commits"][0]["message"] = json!("fixes #4");
    let only_linked = github(&app, &hook, "push", "p-3", &push).await;
    assert_eq!(outcome(&only_linked), "linked #4");
    assert_eq!(item(&owner, &slug, 4).await["item"]["state"], "todo");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bad_or_missing_signature_is_refused_and_recorded(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;
    let body = serde_json::to_vec(&fixture("github/workflow_run")).unwrap();
    let forged = format!("sha256={}", hmac_hex("not the secret", &body));
    let cases: [Vec<(&str, String)>; 3] = [
        vec![
            ("x-github-event", "workflow_run".into()),
            ("x-hub-signature-256", forged),
        ],
        vec![("x-github-event", "workflow_run".into())],
        vec![
            ("x-github-event", "workflow_run".into()),
            ("x-hub-signature-256", "sha256=zz".into()),
        ],
    ];
    for headers in &cases {
        let answer = send(&app, &hook, headers, &body).await;
        assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{headers:?}");
    }
    assert!(items(&owner, &slug).await.is_empty(), "nothing written");
    let recorded = outcomes(&owner, &slug).await;
    assert_eq!(
        recorded,
        vec![
            "refused: bad signature",
            "refused: no signature",
            "refused: bad signature"
        ]
    );

    // A body changed after signing does not pass either.
    let signature = format!("sha256={}", hmac_hex(&hook.secret, &body));
    let mut tampered = body.clone();
    tampered.push(b' ');
    let answer = send(
        &app,
        &hook,
        &[
            ("x-github-event", "workflow_run".into()),
            ("x-hub-signature-256", signature),
        ],
        &tampered,
    )
    .await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn odd_deliveries_are_answered_without_writing(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;

    let ping = github(&app, &hook, "ping", "x-1", &fixture("github/ping")).await;
    assert_eq!((ping.0, outcome(&ping)), (StatusCode::OK, "pong"));
    let unknown = github(&app, &hook, "star", "x-2", &json!({"action": "created"})).await;
    assert_eq!(unknown.0, StatusCode::ACCEPTED);
    assert_eq!(outcome(&unknown), "ignored: unknown event \"star\"");

    // Not JSON: 400, recorded.
    let body = b"{not json".to_vec();
    let signature = format!("sha256={}", hmac_hex(&hook.secret, &body));
    let malformed = send(
        &app,
        &hook,
        &[
            ("x-github-event", "workflow_run".into()),
            ("x-hub-signature-256", signature),
        ],
        &body,
    )
    .await;
    assert_eq!(malformed.0, StatusCode::BAD_REQUEST);
    // JSON, but not a workflow run.
    let wrong = github(
        &app,
        &hook,
        "workflow_run",
        "x-3",
        &json!({"action": "completed"}),
    )
    .await;
    assert_eq!(wrong.0, StatusCode::BAD_REQUEST);

    // Over 1 MB: 413 before it is read.
    let mut big = fixture("github/push");
    big["padding"] = json!("x".repeat(1024 * 1024));
    let oversize = github(&app, &hook, "push", "x-4", &big).await;
    assert_eq!(oversize.0, StatusCode::PAYLOAD_TOO_LARGE);

    // No such integration: 404.
    let nowhere = Hook {
        path: "/hooks/0190c5a4-0000-7000-8000-000000000000".into(),
        secret: hook.secret.clone(),
    };
    let missing = github(
        &app,
        &nowhere,
        "workflow_run",
        "x-5",
        &fixture("github/workflow_run"),
    )
    .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);

    assert!(items(&owner, &slug).await.is_empty(), "nothing written");
    let recorded = outcomes(&owner, &slug).await;
    assert_eq!(
        recorded,
        vec![
            "refused: malformed",
            "refused: malformed",
            "ignored: unknown event \"star\"",
            "pong"
        ]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn nothing_crosses_projects(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    create_item(&owner, &slug, "Cart").await;
    let (other, other_slug) = app.owner_of("dwight@example.com", "Beets").await;
    let theirs = integration(&other, &other_slug, "github").await;
    let mine = integration(&owner, &slug, "github").await;

    // Their integration, "fixes #1": their project has no #1, ours is untouched.
    let mut push = fixture("github/push");
    push["commits"][0]["message"] = json!("fixes #1");
    let answer = github(&app, &theirs, "push", "c-1", &push).await;
    assert_eq!(outcome(&answer), "no items mentioned");
    let ours = item(&owner, &slug, 1).await;
    assert_eq!(ours["item"]["state"], "todo");
    assert!(ours["links"].as_array().unwrap().is_empty());

    // Signed with our secret, sent to their address: refused.
    let forged = Hook {
        path: theirs.path.clone(),
        secret: mine.secret.clone(),
    };
    let answer = github(&app, &forged, "push", "c-2", &push).await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED);

    // They cannot see, change or remove our integration.
    let res = other.call("hooks/list", &[("slug", &slug)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let id = mine.path.trim_start_matches("/hooks/");
    let res = other
        .call("hooks/remove", &[("slug", &other_slug), ("id", id)])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not an integration of their project"
    );
    let answer = github(&app, &mine, "push", "c-3", &push).await;
    assert_eq!(outcome(&answer), "linked #1; closed #1", "ours still works");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rotated_secret_replaces_the_old_one_and_a_removed_integration_is_gone(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;
    let id = hook.path.trim_start_matches("/hooks/").to_owned();
    let res = owner
        .call("hooks/rotate", &[("slug", &slug), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.unwrap();
    let new = Hook {
        path: hook.path.clone(),
        secret: rotated["secret"].as_str().unwrap().to_owned(),
    };
    assert_ne!(new.secret, hook.secret);
    let ping = fixture("github/ping");
    assert_eq!(
        github(&app, &hook, "ping", "r-1", &ping).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        github(&app, &new, "ping", "r-2", &ping).await.0,
        StatusCode::OK
    );
    let res = owner
        .call("hooks/remove", &[("slug", &slug), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        github(&app, &new, "ping", "r-3", &ping).await.0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn gitlab_sends_its_token_and_names_the_failing_jobs(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    create_item(&owner, &slug, "Cart").await;
    let hook = integration(&owner, &slug, "gitlab").await;
    let send_gitlab = |event: &'static str, token: String, key: &'static str, body: Value| {
        let app = &app;
        let hook = &hook;
        async move {
            let bytes = serde_json::to_vec(&body).unwrap();
            let headers = [
                ("x-gitlab-event", event.to_owned()),
                ("x-gitlab-token", token),
                ("idempotency-key", key.to_owned()),
            ];
            send(app, hook, &headers, &bytes).await
        }
    };
    let pipeline = fixture("gitlab/pipeline");
    let wrong = send_gitlab("Pipeline Hook", "nope".into(), "g-0", pipeline.clone()).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    let filed = send_gitlab(
        "Pipeline Hook",
        hook.secret.clone(),
        "g-1",
        pipeline.clone(),
    )
    .await;
    assert_eq!((filed.0, outcome(&filed)), (StatusCode::OK, "filed #2"));
    let detail = item(&owner, &slug, 2).await;
    let description = detail["item"]["description"].as_str().unwrap();
    assert!(description.contains("Failing jobs:"), "{description}");
    let failing: Vec<&str> = pipeline["builds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "failed" && b["allow_failure"] != true)
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(!failing.is_empty());
    for job in failing {
        assert!(description.contains(job), "{job} in {description}");
    }

    let mut push = fixture("gitlab/push");
    push["ref"] = json!("refs/heads/main");
    push["project"]["default_branch"] = json!("main");
    push["commits"][0]["message"] = json!("Fix the cart\n\nCloses #1");
    let closed = send_gitlab("Push Hook", hook.secret.clone(), "g-2", push).await;
    assert_eq!(outcome(&closed), "linked #1; closed #1");
    assert_eq!(item(&owner, &slug, 1).await["item"]["state"], "done");

    let mut mr = fixture("gitlab/merge_request");
    mr["object_attributes"]["title"] = json!("Fix the bug in #2");
    let linked = send_gitlab("Merge Request Hook", hook.secret.clone(), "g-3", mr).await;
    assert_eq!(outcome(&linked), "linked #2");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn azure_devops_sends_basic_auth_or_a_header(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    create_item(&owner, &slug, "Cart").await;
    let hook = integration(&owner, &slug, "azure").await;
    let basic = |password: &str| {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("cadence:{password}"));
        ("authorization", format!("Basic {encoded}"))
    };
    let build = serde_json::to_vec(&fixture("azure/build_complete")).unwrap();
    let refused = send(&app, &hook, &[basic("wrong")], &build).await;
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED);
    let filed = send(&app, &hook, &[basic(&hook.secret)], &build).await;
    assert_eq!((filed.0, outcome(&filed)), (StatusCode::OK, "filed #2"));
    let bug = item(&owner, &slug, 2).await;
    assert_eq!(bug["item"]["kind"], "bug");
    assert!(bug["item"]["title"]
        .as_str()
        .unwrap()
        .starts_with("CI failed: build on main"));
    // The same event again (Azure DevOps retries with the same id): nothing more.
    let replay = send(&app, &hook, &[basic(&hook.secret)], &build).await;
    assert_eq!(outcome(&replay), "already handled: nothing done again");

    let mut push = fixture("azure/git_push");
    push["id"] = json!("push-1");
    push["resource"]["commits"][0]["comment"] = json!("Fixes #1");
    let bytes = serde_json::to_vec(&push).unwrap();
    let closed = send(
        &app,
        &hook,
        &[("x-cadence-token", hook.secret.clone())],
        &bytes,
    )
    .await;
    assert_eq!(outcome(&closed), "linked #1; closed #1");

    let mut pr = fixture("azure/pull_request");
    pr["id"] = json!("pr-1");
    pr["resource"]["title"] = json!("Cart fix for #2");
    let bytes = serde_json::to_vec(&pr).unwrap();
    let linked = send(
        &app,
        &hook,
        &[("x-cadence-token", hook.secret.clone())],
        &bytes,
    )
    .await;
    assert_eq!(outcome(&linked), "linked #2");
    let links = item(&owner, &slug, 2).await["links"].clone();
    assert_eq!(links[0]["kind"], "pull_request");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_generic_json_is_signed_like_github(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "generic").await;
    let body = serde_json::to_vec(&json!({
        "status": "failed", "pipeline": "nightly", "branch": "main",
        "url": "https://ci.example/runs/7", "failing_jobs": ["e2e"],
        "commit": {"id": "abcdef1234567", "message": "Nightly", "author_email": "jim@dundermifflin.com"}
    }))
    .unwrap();
    let signature = format!("sha256={}", hmac_hex(&hook.secret, &body));
    let headers = [
        ("x-cadence-signature", signature),
        ("x-cadence-delivery", "n-1".to_owned()),
    ];
    let filed = send(&app, &hook, &headers, &body).await;
    assert_eq!((filed.0, outcome(&filed)), (StatusCode::OK, "filed #1"));
    let list = items(&owner, &slug).await;
    assert_eq!(list[0]["title"], "CI failed: nightly on main");
    assert_eq!(list[0]["assignee"]["email"], "jim@dundermifflin.com");
    let unsigned = send(
        &app,
        &hook,
        &[("x-cadence-delivery", "n-2".to_owned())],
        &body,
    )
    .await;
    assert_eq!(unsigned.0, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_owners_manage_integrations_and_bad_settings_are_refused(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, jim) = team(&app).await;
    let res = jim
        .call(
            "hooks/create",
            &[("slug", &slug), ("provider", "github"), ("name", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = owner
        .call(
            "hooks/create",
            &[("slug", &slug), ("provider", "svn"), ("name", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let hook = integration(&owner, &slug, "github").await;
    let id = hook.path.trim_start_matches("/hooks/");
    let res = owner
        .call_json(
            "hooks/update",
            &json!({"slug": slug, "id": id, "settings": {"name": "store",
                    "branches": "main, has space", "close_on_fixes": true, "done_on_green": true}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list: Vec<Value> = owner
        .call("hooks/list", &[("slug", &slug)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "dunder/store", "nothing changed");
    assert!(
        list[0].get("secret").is_none(),
        "the secret is never listed"
    );
    assert_eq!(
        list[0]["secret_hint"].as_str().unwrap(),
        &hook.secret[hook.secret.len() - 4..]
    );

    // A release branch pattern: runs on main no longer count.
    let res = owner
        .call_json(
            "hooks/update",
            &json!({"slug": slug, "id": id, "settings": {"name": "store",
                    "branches": "release/*", "close_on_fixes": true, "done_on_green": false}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let failure = fixture("github/workflow_run");
    let ignored = github(&app, &hook, "workflow_run", "b-1", &failure).await;
    assert_eq!(ignored.0, StatusCode::ACCEPTED);
    let mut release = failure.clone();
    release["workflow_run"]["head_branch"] = json!("release/1.0");
    assert_eq!(
        outcome(&github(&app, &hook, "workflow_run", "b-2", &release).await),
        "filed #1"
    );
    release["workflow_run"]["conclusion"] = json!("success");
    let green = github(&app, &hook, "workflow_run", "b-3", &release).await;
    assert_eq!(
        outcome(&green),
        "passing again: #1",
        "not moved to done: the setting is off"
    );
    assert_eq!(item(&owner, &slug, 1).await["item"]["state"], "todo");
}

/// A credential as a delivery carries it: the integration's own, another, or none.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Credential {
    Right,
    Wrong,
    Missing,
}

/// A pipeline run as `provider` reports it, failed or green, from its fixture (the generic
/// JSON is the README's).
fn run_payload(provider: &str, failed: bool) -> Value {
    match provider {
        "github" => {
            let mut run = fixture("github/workflow_run");
            if !failed {
                run["workflow_run"]["conclusion"] = json!("success");
            }
            run
        }
        "gitlab" => {
            let mut pipeline = fixture("gitlab/pipeline");
            if !failed {
                pipeline["object_attributes"]["status"] = json!("success");
            }
            pipeline
        }
        "azure" => {
            let mut build = fixture("azure/build_complete");
            if !failed {
                build["resource"]["result"] = json!("succeeded");
            }
            build
        }
        "generic" => json!({
            "status": if failed { "failed" } else { "success" },
            "pipeline": "build", "branch": "main", "url": "https://ci.example/runs/42",
            "commit": {"id": "6113728f27ae", "message": "Fix the cart total",
                       "author_email": "jim@dundermifflin.com"}
        }),
        other => panic!("no provider {other}"),
    }
}

/// A pipeline delivery sent the way `provider` sends it: its event and delivery id where it
/// puts them (Azure DevOps in the body), its secret by its own scheme.
async fn run_delivery(
    app: &TestApp,
    provider: &str,
    hook: &Hook,
    delivery: &str,
    credential: Credential,
    mut body: Value,
) -> (StatusCode, Value) {
    if provider == "azure" {
        body["id"] = json!(delivery);
    }
    let bytes = serde_json::to_vec(&body).unwrap();
    let secret = match credential {
        Credential::Right => Some(hook.secret.clone()),
        Credential::Wrong => Some("not the secret".to_owned()),
        Credential::Missing => None,
    };
    let signature = |secret: &str| format!("sha256={}", hmac_hex(secret, &bytes));
    let mut headers: Vec<(&str, String)> = Vec::new();
    match provider {
        "github" => {
            headers.push(("x-github-event", "workflow_run".into()));
            headers.push(("x-github-delivery", delivery.into()));
            if let Some(secret) = secret {
                headers.push(("x-hub-signature-256", signature(&secret)));
            }
        }
        "gitlab" => {
            headers.push(("x-gitlab-event", "Pipeline Hook".into()));
            headers.push(("idempotency-key", delivery.into()));
            if let Some(secret) = secret {
                headers.push(("x-gitlab-token", secret));
            }
        }
        "azure" => {
            if let Some(secret) = secret {
                let basic =
                    base64::engine::general_purpose::STANDARD.encode(format!("cadence:{secret}"));
                headers.push(("authorization", format!("Basic {basic}")));
            }
        }
        "generic" => {
            headers.push(("x-cadence-delivery", delivery.into()));
            if let Some(secret) = secret {
                headers.push(("x-cadence-signature", signature(&secret)));
            }
        }
        other => panic!("no provider {other}"),
    }
    send(app, hook, &headers, &bytes).await
}

/// The opening tag of the link in the item page's history whose text is `text`, if that
/// line is a link.
fn history_link<'a>(page: &'a str, text: &str) -> Option<&'a str> {
    let history = &page[page.find(r#"aria-label="History""#)?..];
    let at = history.find(text)?;
    let start = history[..at].rfind("<a ")?;
    let tag = &history[start..at];
    (tag.ends_with('>') && tag.contains(r#"class="history-link""#)).then_some(tag)
}

fn last_seen(detail: &Value) -> chrono::DateTime<chrono::Utc> {
    detail["ci"]["last_seen"].as_str().unwrap().parse().unwrap()
}

/// The same loop through each provider's own payloads and scheme: a failure files a bug, a
/// second one counts on it, a green run says "passing again" and moves it to done; a wrong
/// or missing secret is refused and writes nothing.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_provider_files_counts_and_closes_its_bug_and_refuses_a_bad_secret(pool: PgPool) {
    let clock = noon_today();
    let app = spawn_at(pool, clock.clone()).await;
    let cases = [
        ("github", "GitHub"),
        ("gitlab", "GitLab"),
        ("azure", "Azure DevOps"),
        ("generic", "Generic JSON"),
    ];
    for (provider, label) in cases {
        let (owner, slug) = app
            .owner_of(
                &format!("{provider}@example.com"),
                &format!("Store {provider}"),
            )
            .await;
        let hook = integration(&owner, &slug, provider).await;
        let deliver = |delivery: &'static str, credential: Credential, failed: bool| {
            run_delivery(
                &app,
                provider,
                &hook,
                delivery,
                credential,
                run_payload(provider, failed),
            )
        };

        for credential in [Credential::Wrong, Credential::Missing] {
            let refused = deliver("bad", credential, true).await;
            assert_eq!(
                refused.0,
                StatusCode::UNAUTHORIZED,
                "{provider} {credential:?}: {:?}",
                refused.1
            );
        }
        assert!(
            items(&owner, &slug).await.is_empty(),
            "{provider}: nothing written"
        );

        let filed = deliver("d-1", Credential::Right, true).await;
        assert_eq!(
            (filed.0, outcome(&filed)),
            (StatusCode::OK, "filed #1"),
            "{provider}"
        );
        let list = items(&owner, &slug).await;
        assert_eq!(list[0]["kind"], "bug", "{provider}");
        assert!(
            list[0]["title"]
                .as_str()
                .unwrap()
                .starts_with("CI failed: build on main"),
            "{provider}: {}",
            list[0]["title"]
        );
        assert_eq!(list[0]["from_ci"], label, "{provider}");
        let first = item(&owner, &slug, 1).await;
        assert_eq!(first["ci"]["occurrences"], 1, "{provider}");

        // Later, the same pipeline fails again: an occurrence of the same bug.
        clock.advance(chrono::Duration::minutes(5));
        let again = deliver("d-2", Credential::Right, true).await;
        assert_eq!(
            (again.0, outcome(&again)),
            (StatusCode::OK, "updated #1"),
            "{provider}"
        );
        assert_eq!(items(&owner, &slug).await.len(), 1, "{provider}: one bug");
        let second = item(&owner, &slug, 1).await;
        assert_eq!(second["ci"]["occurrences"], 2, "{provider}");
        assert!(
            last_seen(&second) >= last_seen(&first) + chrono::Duration::minutes(5),
            "{provider}: last seen {} then {}",
            first["ci"]["last_seen"],
            second["ci"]["last_seen"]
        );

        // Green again: "passing again" in its history, and done.
        clock.advance(chrono::Duration::minutes(5));
        let green = deliver("d-3", Credential::Right, false).await;
        assert_eq!(
            (green.0, outcome(&green)),
            (StatusCode::OK, "passing again: #1 done"),
            "{provider}"
        );
        let done = item(&owner, &slug, 1).await;
        assert_eq!(done["item"]["state"], "done", "{provider}");
        let history = summaries(&done);
        assert!(
            history.contains(&"CI: build on main passing again".to_owned()),
            "{provider}: {history:?}"
        );
        assert!(
            history.contains(&"state: todo → done".to_owned()),
            "{provider}: {history:?}"
        );

        // The item page links the "passing again" line to the green run.
        let run = done["ci"]["runs"][0]["url"].as_str().unwrap().to_owned();
        assert_eq!(done["ci"]["runs"][0]["status"], "passed", "{provider}");
        let page = owner
            .get(&format!("/p/{slug}/items/1"))
            .await
            .text()
            .await
            .unwrap();
        let link = history_link(&page, "CI: build on main passing again")
            .unwrap_or_else(|| panic!("{provider}: not a link in {page}"));
        assert!(
            link.contains(&format!(r#"href="{}""#, run.replace('&', "&amp;"))),
            "{provider}: {link}"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bug_still_says_where_it_came_from_after_its_integration_is_removed(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;
    let id = hook.path.trim_start_matches("/hooks/").to_owned();
    let failure = fixture("github/workflow_run");
    assert_eq!(
        outcome(&github(&app, &hook, "workflow_run", "o-1", &failure).await),
        "filed #1"
    );
    // A rename shows on the bugs it filed.
    let res = owner
        .call_json(
            "hooks/update",
            &json!({"slug": slug, "id": id, "settings": {"name": "dunder/shop",
                    "branches": "", "close_on_fixes": true, "done_on_green": true}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        item(&owner, &slug, 1).await["ci"]["integration"],
        "dunder/shop"
    );

    let res = owner
        .call("hooks/remove", &[("slug", &slug), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The items API and the item still say where the bug came from.
    let list = items(&owner, &slug).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["from_ci"], "GitHub", "the backlog's badge stays");
    let detail = item(&owner, &slug, 1).await;
    assert_eq!(detail["item"]["state"], "todo", "still open");
    assert_eq!(detail["item"]["from_ci"], "GitHub");
    assert_eq!(detail["ci"]["provider"], "GitHub");
    assert_eq!(detail["ci"]["integration"], "dunder/shop");
    assert_eq!(detail["ci"]["removed"], true);
    assert_eq!(detail["ci"]["occurrences"], 1);
    assert_eq!(detail["ci"]["runs"].as_array().unwrap().len(), 1);
    let page = owner
        .get(&format!("/p/{slug}/items/1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("From CI"), "{page}");
    assert!(
        page.contains("Filed by GitHub CI (dunder/shop) when build failed on main"),
        "{page}"
    );
    assert!(
        page.contains("The integration has been removed since"),
        "{page}"
    );

    // The same repository connected again: its failure is a new bug, the old one is not
    // counted on (it belongs to no integration now).
    let again = integration(&owner, &slug, "github").await;
    assert_eq!(
        outcome(&github(&app, &again, "workflow_run", "o-2", &failure).await),
        "filed #2"
    );
    assert_eq!(item(&owner, &slug, 1).await["ci"]["occurrences"], 1);
    assert_eq!(item(&owner, &slug, 2).await["ci"]["removed"], false);
}

/// Counts of the integration's recorded deliveries: (authentic, refused for the secret).
async fn recorded(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "select count(*) filter (where authentic), count(*) filter (where not authentic)
         from integration_delivery",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn forged_attempts_keep_no_body_and_cannot_push_real_deliveries_out(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;
    let ping = fixture("github/ping");
    let answer = github(&app, &hook, "ping", "real-1", &ping).await;
    assert_eq!(outcome(&answer), "pong");

    let forger = Hook {
        path: hook.path.clone(),
        secret: "not the secret".into(),
    };
    for n in 0..30 {
        let answer = github(&app, &forger, "ping", &format!("forged-{n}"), &ping).await;
        assert_eq!(answer.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        recorded(&pool).await,
        (1, 20),
        "the latest 20 refused are kept, apart from the real one"
    );
    let bodies: Vec<String> =
        sqlx::query_scalar("select body from integration_delivery where not authentic")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(bodies.iter().all(String::is_empty), "{bodies:?}");
    let real: String =
        sqlx::query_scalar("select body from integration_delivery where delivery_id = 'real-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(real.contains("Keep it logically awesome"), "{real}");

    // The owner sees the real delivery beside the latest refused attempts.
    let list = deliveries(&owner, &slug).await;
    let ids: Vec<&str> = list
        .iter()
        .map(|d| d["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 21, "{ids:?}");
    assert_eq!(ids[0], "forged-29", "newest first");
    assert_eq!(ids[20], "real-1", "{ids:?}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_latest_200_deliveries_are_kept_and_a_body_its_first_4_kb(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug, _) = team(&app).await;
    let hook = integration(&owner, &slug, "github").await;

    // A body over 4 kB that starts with two-byte characters from its 14th byte on: byte
    // 4096 falls inside one.
    let ping = serde_json::to_string(&fixture("github/ping")).unwrap();
    let body = format!("{{\"padding\":\"x{}\",{}", "é".repeat(3000), &ping[1..]);
    let bytes = body.as_bytes();
    assert!(!body.is_char_boundary(4096) && body.is_char_boundary(4095));
    let answer = github_bytes(&app, &hook, "ping", "long", bytes).await;
    assert_eq!(outcome(&answer), "pong");
    let kept: String =
        sqlx::query_scalar("select body from integration_delivery where delivery_id = 'long'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kept.len(), 4095, "the split character is left out whole");
    assert_eq!(kept.as_bytes(), &bytes[..4095]);

    // 200 more: the oldest goes.
    let small = fixture("github/ping");
    for n in 0..200 {
        let answer = github(&app, &hook, "ping", &format!("p-{n}"), &small).await;
        assert_eq!(answer.0, StatusCode::OK);
    }
    assert_eq!(recorded(&pool).await, (200, 0));
    let oldest: Vec<String> =
        sqlx::query_scalar("select delivery_id from integration_delivery order by id limit 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(oldest, vec!["p-0".to_owned()], "the long one was pruned");
    assert_eq!(
        deliveries(&owner, &slug).await.len(),
        20,
        "the settings show 20"
    );
}

/// Two integrations on the settings page: each card's fields and error lines have ids of
/// their own, and each input names its error line.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn each_integrations_settings_have_ids_of_their_own(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug, _) = team(&app).await;
    let mut made = Vec::new();
    for provider in ["github", "azure"] {
        let hook = integration(&owner, &slug, provider).await;
        made.push(hook.path.trim_start_matches("/hooks/").to_owned());
    }
    let page = owner
        .get(&format!("/p/{slug}/settings"))
        .await
        .text()
        .await
        .unwrap();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for part in page.split(" id=\"").skip(1) {
        *seen.entry(part.split('"').next().unwrap()).or_default() += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "ids used twice: {repeated:?}");
    for id in &made {
        for field in ["name-error", "branches-error"] {
            let error = format!("integration-{id}-{field}");
            assert!(page.contains(&format!(r#"id="{error}""#)), "{error}");
            assert!(
                page.contains(&format!(r#"aria-describedby="{error}""#))
                    || page.contains(&format!(r#" {error}""#)),
                "an input names {error}"
            );
        }
    }
    // Azure DevOps's branches say why to name them.
    assert!(
        page.contains(&format!(
            r#"aria-describedby="integration-{}-branches-help integration-{}-branches-error""#,
            made[1], made[1]
        )),
        "{page}"
    );
    assert!(page.contains("Azure DevOps builds do not say which branch is the default"));
}

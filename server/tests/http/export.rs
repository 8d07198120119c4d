//! The project export and import over HTTP.

use super::scene::{ok, patch, started_increment, task, team};
use super::support::{rest, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

/// Drops what the document says differs between an export and the export of its import.
fn comparable(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("exported_at");
    doc["project"].as_object_mut().unwrap().remove("slug");
    doc
}

/// The document as its import by `importer` keeps it: nothing is attributed to anyone else
/// (they are invited, and are members only once they accept).
fn as_imported_by(mut doc: Value, importer: &str) -> Value {
    let theirs = |v: &Value| v.as_str() == Some(importer);
    doc["members"]
        .as_array_mut()
        .unwrap()
        .retain(|m| theirs(&m["email"]));
    for item in doc["items"].as_array_mut().unwrap() {
        for field in ["assignee", "creator"] {
            if !theirs(&item[field]) {
                item[field] = Value::Null;
            }
        }
        for event in item["history"].as_array_mut().unwrap() {
            if !theirs(&event["actor"]) {
                event["actor"] = Value::Null;
            }
        }
        let comments = item.get_mut("comments").and_then(Value::as_array_mut);
        for comment in comments.into_iter().flatten() {
            if !theirs(&comment["author"]) {
                comment["author"] = Value::Null;
            }
        }
    }
    doc["standup_notes"]
        .as_array_mut()
        .unwrap()
        .retain(|n| theirs(&n["email"]));
    for card in doc["reflections"].as_array_mut().unwrap() {
        if !theirs(&card["author"]) {
            card["author"] = Value::Null;
        }
        card["votes"].as_array_mut().unwrap().retain(theirs);
    }
    doc
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn export_import_export_gives_the_same_document(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, bob, slug) = team(&app).await;
    // Settings, an epic with children, estimates, assignees, history, a trashed item.
    let (_, mut project) = rest(&alice, Method::GET, &format!("/projects/{slug}"), None).await;
    let mut settings = project["settings"].take();
    settings["holidays"] = json!([{"date": "2026-01-06", "name": "Epiphany"}]);
    settings["velocity_window"] = json!(4);
    ok(
        &alice,
        Method::PUT,
        &format!("/projects/{slug}/settings"),
        Some(settings),
    )
    .await;
    let epic = task(&alice, &slug, json!({"kind": "epic", "title": "Web shop"})).await;
    let cart = task(
        &alice,
        &slug,
        json!({"title": "Cart", "estimate": 5, "parent": epic, "assignee": "bob@example.com"}),
    )
    .await;
    let pics = task(
        &alice,
        &slug,
        json!({"title": "Pics", "estimate": 1, "parent": epic, "description": "**bold**"}),
    )
    .await;
    let old = task(&alice, &slug, json!({"title": "Old idea"})).await;
    ok(
        &alice,
        Method::DELETE,
        &format!("/projects/{slug}/items/{old}"),
        None,
    )
    .await;
    // A closed increment with a report, then an active one; notes; a reflection.
    let first = started_increment(&alice, &slug).await;
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{first}/items"),
        Some(json!({"items": [cart, pics]})),
    )
    .await;
    patch(&bob, &slug, cart, json!({"state": "done"})).await;
    patch(
        &bob,
        &slug,
        pics,
        json!({"blocked": true, "blocked_reason": "No camera"}),
    )
    .await;
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{first}/close"),
        Some(json!({"carry": "next"})),
    )
    .await;
    let increments = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/increments"),
        None,
    )
    .await;
    let second = increments[1]["id"].as_i64().unwrap();
    ok(
        &alice,
        Method::POST,
        &format!("/projects/{slug}/increments/{second}/start"),
        None,
    )
    .await;
    bob.call(
        "standup/note",
        &[
            ("slug", &slug),
            ("date", "2026-01-07"),
            ("yesterday", "Cart"),
            ("today", "Pics"),
            ("blockers", ""),
        ],
    )
    .await;
    let res = bob
        .call(
            "reflection/add",
            &[
                ("slug", &slug),
                ("increment", &first.to_string()),
                ("week", "2"),
                ("kind", "action"),
                ("body", "Buy a camera"),
            ],
        )
        .await;
    let card: Value = res.json().await.unwrap();
    alice
        .call(
            "reflection/vote",
            &[
                ("slug", &slug),
                ("id", &card["id"].to_string()),
                ("on", "true"),
            ],
        )
        .await;
    bob.call(
        "reflection/to_item",
        &[("slug", &slug), ("id", &card["id"].to_string())],
    )
    .await;

    // Comments on Cart: Alice's mentioning Bob and herself (edited), Bob's linking #pics,
    // and one of Bob's that Alice deleted.
    let comments = format!("/projects/{slug}/items/{cart}/comments");
    let (status, mine) = rest(
        &alice,
        Method::POST,
        &comments,
        Some(json!({"body": "@bob@example.com the totals?"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let (status, _) = rest(
        &alice,
        Method::PATCH,
        &format!("{comments}/{}", mine["id"]),
        Some(json!({"body": "@bob@example.com the totals? cc @alice@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for body in [format!("Fixed, see #{pics}"), "Oops, wrong item".to_owned()] {
        let (status, _) = rest(&bob, Method::POST, &comments, Some(json!({"body": body}))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, thread) = rest(&alice, Method::GET, &comments, None).await;
    let oops = thread["comments"][2]["id"].clone();
    let (status, _) = rest(&alice, Method::DELETE, &format!("{comments}/{oops}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Planning poker for the active increment: Cart in two rounds, then the session ends.
    let poker = |action: &'static str, body: Value| {
        let (alice, bob, slug) = (alice.clone(), bob.clone(), slug.clone());
        async move {
            let who = if action == "/vote-bob" { &bob } else { &alice };
            let action = action.trim_end_matches("-bob");
            let (status, answer) = rest(
                who,
                Method::POST,
                &format!("/projects/{slug}/poker{action}"),
                Some(body),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{action}: {answer}");
        }
    };
    poker("", json!({"items": [cart], "increment": second})).await;
    poker("/vote", json!({"position": 0, "round": 1, "card": "5"})).await;
    poker("/vote-bob", json!({"position": 0, "round": 1, "card": "2"})).await;
    poker("/reveal", json!({"position": 0})).await;
    poker("/round", json!({"position": 0})).await;
    poker("/vote", json!({"position": 0, "round": 2, "card": "3"})).await;
    poker("/vote-bob", json!({"position": 0, "round": 2, "card": "3"})).await;
    poker("/reveal", json!({"position": 0})).await;
    poker("/accept", json!({"position": 0, "points": 3})).await;
    poker("/end", json!({})).await;

    // Export with an API token (no cookie).
    let token = alice.token("export").await;
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/api/v1/projects/{slug}/export", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("{slug}.cadence.json")));
    let exported: Value = res.json().await.unwrap();
    assert_eq!(exported["schema"], "cadence.project");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["items"].as_array().unwrap().len(), 5);
    assert_eq!(exported["members"].as_array().unwrap().len(), 2);
    assert_eq!(exported["sprints"][0]["increments"][0]["state"], "closed");
    assert!(exported["sprints"][0]["increments"][0]["report"]["committed"].is_number());
    let cart_doc = exported["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == cart)
        .unwrap();
    assert_eq!(cart_doc["assignee"], "bob@example.com");
    // Comments with mentions as people write them, the deleted one without its text.
    let said: Vec<(&str, &str)> = cart_doc["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["author"].as_str().unwrap(), c["body"].as_str().unwrap()))
        .collect();
    let fixed = format!("Fixed, see #{pics}");
    assert_eq!(
        said,
        vec![
            (
                "alice@example.com",
                "@bob@example.com the totals? cc @alice@example.com"
            ),
            ("bob@example.com", fixed.as_str()),
            ("bob@example.com", ""),
        ]
    );
    assert!(cart_doc["comments"][0]["edited_at"].is_string());
    assert!(cart_doc["comments"][2]["deleted_at"].is_string());
    // An item without comments has no list.
    assert!(exported["items"][0].get("comments").is_none());
    assert_eq!(cart_doc["parent"], epic);
    // History refers to increments by key, never by database id.
    let moved: Vec<&Value> = cart_doc["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "increment")
        .collect();
    assert_eq!(moved[0]["new"]["key"], 1);
    assert!(moved[0]["new"].get("id").is_none());
    assert_eq!(
        exported["reflections"][0]["votes"],
        json!(["alice@example.com"])
    );
    // The poker session with its summary; its votes are not in the document.
    let session = &exported["poker_sessions"][0];
    assert_eq!(session["increment"], json!(2));
    assert_eq!(
        session["summary"],
        json!({"items_estimated": 1, "points_added": 3, "rounds": 2, "agreed_first_round": 0})
    );
    assert_eq!(
        session["items"],
        json!([{"item": cart, "outcome": "accepted", "points": 3}])
    );
    assert!(!exported["poker_sessions"]
        .to_string()
        .contains("bob@example.com"));

    // A wrong token is refused.
    let res = http
        .get(format!("{}/api/v1/projects/{slug}/export", app.base))
        .bearer_auth("cad_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Import as a new project, then export that.
    let (status, imported) = rest(
        &alice,
        Method::POST,
        "/projects/import",
        Some(exported.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let new_slug = imported["slug"].as_str().unwrap().to_owned();
    assert_ne!(new_slug, slug);
    assert_eq!(imported["members_invited"], 1);
    let again = ok(
        &alice,
        Method::GET,
        &format!("/projects/{new_slug}/export"),
        None,
    )
    .await;
    assert_eq!(
        comparable(again.clone()),
        comparable(as_imported_by(exported.clone(), "alice@example.com"))
    );
    // Alice's own import of her own project: everything of hers is back, nobody else's.
    assert_ne!(
        as_imported_by(exported.clone(), "alice@example.com")["standup_notes"],
        exported["standup_notes"],
        "the scene has things of Bob's to leave out"
    );
    // The copy works like the original: its frozen report, its board, new numbers go on.
    let report = ok(
        &alice,
        Method::GET,
        &format!("/projects/{new_slug}/reports/velocity"),
        None,
    )
    .await;
    let original = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/reports/velocity"),
        None,
    )
    .await;
    assert_eq!(
        report["increments"][0]["completed"],
        original["increments"][0]["completed"]
    );
    let next = task(&alice, &new_slug, json!({"title": "After import"})).await;
    assert_eq!(next, 6);
    // Bob is invited to the copy, not a member of it until he accepts.
    let (status, _) = rest(&bob, Method::GET, &format!("/projects/{new_slug}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    answer(&bob, &new_slug, true).await;
    let (status, project) = rest(&bob, Method::GET, &format!("/projects/{new_slug}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["role"], "member");
}

/// The invitations `client` has: (slug, role) pairs.
async fn invitations(client: &super::support::Client) -> Vec<(String, String)> {
    let res = client.call("projects/invitations", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["slug"].as_str().unwrap().to_owned(),
                i["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn answer(client: &super::support::Client, slug: &str, accept: bool) {
    let res = client
        .call(
            "projects/invitations/answer",
            &[
                ("slug", slug),
                ("accept", if accept { "true" } else { "false" }),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

/// The slugs of the projects in `client`'s list.
async fn my_slugs(client: &super::support::Client) -> Vec<String> {
    ok(client, Method::GET, "/projects", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_owned())
        .collect()
}

/// A document naming `members` (email, role) besides its importer, with an item assigned
/// to and created by the first, a history row by them, a note and a voted card of theirs.
fn document_naming(members: &[(&str, &str)]) -> Value {
    let victim = members[0].0;
    json!({
        "schema": "cadence.project", "version": 1, "exported_at": "2026-11-30T12:00:00Z",
        "project": {"name": "Surprise", "slug": "surprise", "archived": false,
            "settings": {"effort_chart": [{"points": 1, "label": "S"}, {"points": 2, "label": "M"}],
                         "working_days": [1, 2, 3, 4, 5], "holidays": [], "velocity_window": 3}},
        "members": members.iter().map(|(e, r)| json!({"email": e, "display_name": "X", "role": r}))
            .collect::<Vec<_>>(),
        "sprints": [{"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-30",
            "increment_weeks": 2, "increments": [{"key": 1, "number": 1,
            "starts_on": "2026-01-05", "ends_on": "2026-01-16", "state": "active",
            "started_at": "2026-01-05T09:00:00Z", "closed_at": null, "committed_points": 0,
            "commitment": [], "report": null}]}],
        "items": [{"number": 1, "kind": "task", "parent": null, "title": "Signed by you",
            "description": "", "estimate": null, "assignee": victim, "state": "todo",
            "blocked": false, "blocked_reason": null, "rank": 0, "version": 1,
            "creator": victim, "created_at": "2026-01-05T09:00:00Z",
            "updated_at": "2026-01-05T09:00:00Z", "done_at": null, "deleted_at": null,
            "increment": 1, "history": [{"actor": victim, "at": "2026-01-05T09:00:00Z",
                "field": "title", "old": "a", "new": "Signed by you"}]}],
        "standup_notes": [{"email": victim, "day": "2026-01-06", "yesterday": "I agree",
            "today": "", "blockers": "", "updated_at": "2026-01-06T09:00:00Z"}],
        "reflections": [{"increment": 1, "week": 1, "kind": "action", "body": "Pay Mallory",
            "author": victim, "group_name": null, "position": 1, "item": null,
            "created_at": "2026-01-06T09:00:00Z", "votes": [victim]}]
    })
}

/// A stranger's import that names you does not make you a member of anything, nor the
/// author of anything: you get an invitation, which you may accept (you join with the role
/// the document gave) or decline (it is gone).
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_strangers_import_only_invites_you(pool: PgPool) {
    let app = super::support::spawn(pool).await;
    let mallory = app.user("mallory@example.com", "Mallory").await;
    let alice = app.user("alice@example.com", "Alice").await;
    let doc = document_naming(&[("Alice@Example.com", "owner")]);
    let (status, imported) = rest(
        &mallory,
        Method::POST,
        "/projects/import",
        Some(doc.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let slug = imported["slug"].as_str().unwrap().to_owned();
    // Not Alice's project: not in her list, not readable by her.
    assert!(my_slugs(&alice).await.is_empty());
    let (status, _) = rest(&alice, Method::GET, &format!("/projects/{slug}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing in it is attributed to her; Mallory is its only member, and its owner.
    let copy = ok(
        &mallory,
        Method::GET,
        &format!("/projects/{slug}/export"),
        None,
    )
    .await;
    assert_eq!(copy["members"].as_array().unwrap().len(), 1);
    assert_eq!(copy["members"][0]["email"], "mallory@example.com");
    assert_eq!(copy["members"][0]["role"], "owner");
    assert_eq!(copy["items"][0]["assignee"], Value::Null);
    assert_eq!(copy["items"][0]["creator"], Value::Null);
    assert_eq!(copy["items"][0]["history"][0]["actor"], Value::Null);
    assert_eq!(copy["standup_notes"], json!([]));
    assert_eq!(copy["reflections"][0]["author"], Value::Null);
    assert_eq!(copy["reflections"][0]["votes"], json!([]));
    // She sees the invitation, with the role the document gives her, on her projects page.
    let page = alice.get("/projects").await.text().await.unwrap();
    assert!(
        page.contains("Invitations") && page.contains("Surprise"),
        "{page}"
    );
    assert!(page.contains("Accept") && page.contains("Decline"));
    assert_eq!(
        invitations(&alice).await,
        vec![(slug.clone(), "owner".to_owned())]
    );
    assert!(invitations(&mallory).await.is_empty());
    // Declining removes it and changes nothing else.
    answer(&alice, &slug, false).await;
    assert!(invitations(&alice).await.is_empty());
    assert!(my_slugs(&alice).await.is_empty());
    let res = alice
        .call(
            "projects/invitations/answer",
            &[("slug", &slug), ("accept", "true")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a declined invitation cannot be accepted"
    );

    // A second import invites her again; this time she accepts and is an owner.
    let (status, imported) = rest(&mallory, Method::POST, "/projects/import", Some(doc)).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let slug = imported["slug"].as_str().unwrap().to_owned();
    answer(&alice, &slug, true).await;
    assert_eq!(my_slugs(&alice).await, vec![slug.clone()]);
    let project = ok(&alice, Method::GET, &format!("/projects/{slug}"), None).await;
    assert_eq!(project["role"], "owner");
    assert!(invitations(&alice).await.is_empty());
}

/// The answer to an import is the same whether or not the emails it names have accounts
/// here: it tells nobody who is registered.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_import_does_not_tell_which_emails_have_accounts(pool: PgPool) {
    let app = super::support::spawn(pool).await;
    let mallory = app.user("mallory@example.com", "Mallory").await;
    app.user("alice@example.com", "Alice").await;
    let mut answers = Vec::new();
    for email in ["alice@example.com", "nobody@example.com"] {
        let doc = document_naming(&[(email, "member"), ("mallory@example.com", "viewer")]);
        let (status, mut imported) =
            rest(&mallory, Method::POST, "/projects/import", Some(doc)).await;
        assert_eq!(status, StatusCode::CREATED, "{imported}");
        imported.as_object_mut().unwrap().remove("slug");
        answers.push(imported);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0]["members_invited"], 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_bad_document_is_named_and_creates_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, _bob, slug) = team(&app).await;
    task(&alice, &slug, json!({"title": "Cart", "estimate": 5})).await;
    let good = ok(
        &alice,
        Method::GET,
        &format!("/projects/{slug}/export"),
        None,
    )
    .await;
    let projects_before = ok(&alice, Method::GET, "/projects", None).await;

    // Not JSON at all.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/import", app.base))
        .header("content-type", "application/json")
        .body("{\"schema\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    // A good document that does not say it is JSON.
    let res = alice
        .http
        .post(format!("{}/api/v1/projects/import", app.base))
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let err: Value = res.json().await.unwrap();
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Content-Type: application/json"));

    let mut cases: Vec<(Value, &str, &str)> = vec![
        (
            {
                let mut d = good.clone();
                d["poker_sessions"] = json!([{"increment": null, "started_at": "2026-01-05T09:00:00Z",
                    "ended_at": null, "countdown_secs": null,
                    "summary": {"items_estimated": 0, "points_added": 0, "rounds": 1, "agreed_first_round": 0},
                    "items": [{"item": 99, "outcome": null, "points": null}]}]);
                d
            },
            "poker_sessions[0].items[0].item",
            "there is no item #99",
        ),
        (
            {
                let mut d = good.clone();
                d["poker_sessions"] = json!([{"increment": 7, "started_at": "2026-01-05T09:00:00Z",
                    "ended_at": null, "countdown_secs": 1,
                    "summary": {"items_estimated": 0, "points_added": 0, "rounds": 0, "agreed_first_round": 0},
                    "items": []}]);
                d
            },
            "poker_sessions[0].increment",
            "no increment has key 7",
        ),
        (
            {
                let mut d = good.clone();
                d["version"] = json!(2);
                d
            },
            "version",
            "version 2 is not supported",
        ),
        (
            {
                let mut d = good.clone();
                d.as_object_mut().unwrap().remove("version");
                d
            },
            "version",
            "missing",
        ),
        (
            {
                let mut d = good.clone();
                d["schema"] = json!("trello.board");
                d
            },
            "schema",
            "trello.board",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0].as_object_mut().unwrap().remove("title");
                d
            },
            "items[0]",
            "title",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["estimate"] = json!(4);
                d
            },
            "items[0].estimate",
            "Fibonacci",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["parent"] = json!(99);
                d
            },
            "items[0].parent",
            "#99",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["kind"] = json!("story");
                d
            },
            "items[0].kind",
            "story",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["history"][0]["new"]["state"] = json!("finished");
                d
            },
            "items[0].history[0]",
            "finished",
        ),
        (
            {
                let mut d = good.clone();
                d["items"][0]["history"][0]["field"] = json!("renamed");
                d
            },
            "items[0].history[0]",
            "renamed",
        ),
    ];
    let increment = json!({"key": 1, "number": 1, "starts_on": "2026-01-05",
        "ends_on": "2026-01-18", "state": "planned", "started_at": null, "closed_at": null,
        "committed_points": null, "commitment": null, "report": null});
    let mut twice = good.clone();
    twice["sprints"] = json!([{"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-31",
        "increment_weeks": 2, "increments": [increment.clone(), increment]}]);
    cases.push((twice, "sprints", "two increments have the key 1"));
    cases.push((json!([good.clone()]), "document", "a JSON object"));
    for (doc, field, words) in cases {
        let (status, err) = rest(&alice, Method::POST, "/projects/import", Some(doc)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        let message = err["error"]["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {err}"));
        assert!(message.contains(words), "{field}: {message}");
    }
    let projects_after = ok(&alice, Method::GET, "/projects", None).await;
    assert_eq!(projects_before, projects_after);
    // Anonymous callers cannot import.
    let (status, _) = rest(
        &app.anonymous(),
        Method::POST,
        "/projects/import",
        Some(good),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Each export holds a database connection while it streams, so only so many run at once
/// (two here): one more is refused with 503 and Retry-After until one of them ends.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_so_many_exports_stream_at_once(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, _bob, slug) = team(&app).await;
    // A document far larger than the socket buffers (2,000 items of 10 kB of random hex,
    // still 10 MB compressed), so a client that does not read keeps its export waiting,
    // and holding its connection.
    sqlx::query(
        r#"insert into work_item (id, project_id, number, kind, title, description, rank, creator_id)
           select gen_random_uuid(), p.id, n, 'task', 'Item ' || n,
                  (select string_agg(md5(random()::text || g || n), '') from generate_series(1, 300) g),
                  n::bigint * 1024, p.owner_id
           from (select id, (select user_id from project_member m
                             where m.project_id = project.id and role = 'owner') as owner_id
                 from project where slug = $1) p, generate_series(1, 2000) n"#,
    )
    .bind(&slug)
    .execute(&pool)
    .await
    .unwrap();
    let export = || {
        alice
            .http
            .get(format!("{}/api/v1/projects/{slug}/export", alice.base))
            .send()
    };
    let first = export().await.unwrap();
    let second = export().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = export().await.unwrap();
    assert_eq!(third.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(third.headers()["retry-after"], "60");
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"]["code"], "busy");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("try again"));

    // The first client reads its document to the end: that frees a place.
    let document: Value = first.json().await.unwrap();
    assert_eq!(document["items"].as_array().unwrap().len(), 2000);
    // (The export task ends just after its last chunk; give it a moment to let go.)
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        let next = export().await.unwrap();
        status = next.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK);
    drop(second);
}

/// Browsers always ask for a compressed answer: the export streams to its end in gzip and
/// in brotli (the stream used to panic when the compression layer polled it after its end,
/// cutting every browser download off), and it really is compressed.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_export_downloads_whole_when_compressed(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (alice, _bob, slug) = team(&app).await;
    for n in 0..30 {
        task(
            &alice,
            &slug,
            json!({"title": format!("Item {n}"), "estimate": 3}),
        )
        .await;
    }
    let url = format!("{}/api/v1/projects/{slug}/export", alice.base);
    // A token, so plain clients with their own settings can ask.
    let token = alice.token("export").await;
    for encoding in ["gzip", "br"] {
        // Left encoded: the answer is compressed and arrives whole (a cut-off chunked body
        // is an error here).
        let res = super::support::undecoded()
            .get(&url)
            .bearer_auth(&token)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
        let bytes = res.bytes().await.expect("the whole compressed body");
        assert!(!bytes.is_empty());
        // Decoded as a browser decodes it: the whole document.
        let decoding = reqwest::Client::builder()
            .gzip(encoding == "gzip")
            .brotli(encoding == "br")
            .build()
            .unwrap();
        let doc: Value = decoding
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .expect("the whole document, decoded");
        assert_eq!(doc["schema"], "cadence.project");
        assert_eq!(doc["items"].as_array().unwrap().len(), 30);
    }
}

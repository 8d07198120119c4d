//! Comments, mentions, watching and the inbox over HTTP: who may add, edit and delete;
//! mentions stored by account (non-members notify nobody); who watches and who hears of
//! what; unread counts; a project one has left reveals nothing.

use super::support::{create_item, rest, spawn, Client, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

struct Team {
    slug: String,
    olive: Client,
    jim: Client,
    pam: Client,
    sam: Client,
    vic: Client,
}

async fn team(app: &TestApp) -> Team {
    let (olive, slug) = app.owner_of("olive@example.com", "Online store").await;
    let jim = app.user("jim@example.com", "Jim Halpert").await;
    let pam = app.user("pam@example.com", "Pam Beesly").await;
    let sam = app.user("sam@example.com", "Sam Scrum").await;
    let vic = app.user("vic@example.com", "Vic Viewer").await;
    olive.add_member(&slug, &jim, "member").await;
    olive.add_member(&slug, &pam, "member").await;
    olive.add_member(&slug, &sam, "scrum_master").await;
    olive.add_member(&slug, &vic, "viewer").await;
    Team {
        slug,
        olive,
        jim,
        pam,
        sam,
        vic,
    }
}

async fn comment(client: &Client, slug: &str, number: i64, body: &str) -> (StatusCode, Value) {
    rest(
        client,
        Method::POST,
        &format!("/projects/{slug}/items/{number}/comments"),
        Some(json!({ "body": body })),
    )
    .await
}

async fn thread(client: &Client, slug: &str, number: i64) -> Value {
    let (status, thread) = rest(
        client,
        Method::GET,
        &format!("/projects/{slug}/items/{number}/comments"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    thread
}

async fn inbox(client: &Client) -> Value {
    let res = client.call("inbox", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn summaries(inbox: &Value) -> Vec<String> {
    inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["summary"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn who_may_add_edit_and_delete_comments(pool: PgPool) {
    let app = spawn(pool).await;
    let t = team(&app).await;
    let n = create_item(&t.olive, &t.slug, "Cart").await;

    let (status, jims) = comment(&t.jim, &t.slug, n, "  Looks **good**  ").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(jims["body"], "Looks **good**");
    assert!(jims["body_html"]
        .as_str()
        .unwrap()
        .contains("<strong>good</strong>"));
    let jims = jims["id"].as_i64().unwrap();
    let (status, _) = comment(&t.vic, &t.slug, n, "Viewers read only").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, olives) = comment(&t.olive, &t.slug, n, "Thanks").await;
    assert_eq!(status, StatusCode::CREATED);
    let olives = olives["id"].as_i64().unwrap();

    let path = |id: i64| format!("/projects/{}/items/{n}/comments/{id}", t.slug);
    let edit = json!({"body": "Looks great"});
    let (status, edited) = rest(&t.jim, Method::PATCH, &path(jims), Some(edit.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(edited["edited_at"].is_string());
    let (status, _) = rest(&t.sam, Method::PATCH, &path(jims), Some(edit.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the author edits");
    let (status, _) = rest(&t.pam, Method::DELETE, &path(olives), None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member deletes only their own"
    );
    let (status, _) = rest(&t.sam, Method::DELETE, &path(jims), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "a scrum master deletes any");

    let shown = thread(&t.pam, &t.slug, n).await;
    let comments = shown["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "a deleted comment keeps its place");
    assert_eq!(comments[0]["deleted"], true);
    assert_eq!(comments[0]["body"], "", "its text is gone");
    assert_eq!(comments[0]["body_html"], "");
    assert_eq!(comments[1]["body"], "Thanks");
    assert_eq!(shown["can_comment"], true);
    assert_eq!(thread(&t.vic, &t.slug, n).await["can_comment"], false);
    let (status, _) = rest(&t.jim, Method::PATCH, &path(jims), Some(edit)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a deleted comment is not edited"
    );

    // Too long: refused with a clear message, nothing written.
    let (status, body) = comment(&t.jim, &t.slug, n, &"x".repeat(64 * 1024 + 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("64 KB"),
        "{body}"
    );
    let (status, _) = comment(&t.jim, &t.slug, n, "   ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        thread(&t.jim, &t.slug, n).await["comments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn mentions_are_stored_by_account_and_reach_members_only(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let t = team(&app).await;
    let outsider = app.user("dwight@example.com", "Dwight Schrute").await;
    let cart = create_item(&t.olive, &t.slug, "Cart").await;
    let n = create_item(&t.olive, &t.slug, "Totals").await;

    let (status, made) = comment(
        &t.jim,
        &t.slug,
        n,
        "@Pam@example.com see #1, and ask @dwight@example.com",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        made["body"], "@pam@example.com see #1, and ask @dwight@example.com",
        "the editor gets mentions back as addresses"
    );
    let html = made["body_html"].as_str().unwrap();
    assert!(html.contains("@Pam Beesly"), "{html}");
    assert!(
        html.contains(&format!(
            r#"href="/p/{}/items/{cart}" title="Cart">#1</a>"#,
            t.slug
        )),
        "{html}"
    );
    assert!(
        !html.contains("Dwight"),
        "a non-member is not resolved: {html}"
    );

    let pams = inbox(&t.pam).await;
    assert_eq!(pams["unread"], 1);
    assert_eq!(
        summaries(&pams),
        vec!["Jim Halpert mentioned you on #2 Totals"]
    );
    assert!(pams["notifications"][0]["link"]
        .as_str()
        .unwrap()
        .starts_with(&format!("/p/{}/items/{n}#comment-", t.slug)));
    assert_eq!(
        inbox(&outsider).await["unread"],
        0,
        "the outsider hears nothing"
    );

    // The mention survives a rename: it is stored by account.
    sqlx::query("update app_user set display_name = 'Pam Halpert' where email = 'pam@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let html = thread(&t.olive, &t.slug, n).await["comments"][0]["body_html"].clone();
    assert!(html.as_str().unwrap().contains("@Pam Halpert"), "{html}");

    // An edit that mentions Sam tells Sam (and Pam, mentioned before, not again).
    let id = made["id"].as_i64().unwrap();
    let (status, _) = rest(
        &t.jim,
        Method::PATCH,
        &format!("/projects/{}/items/{n}/comments/{id}", t.slug),
        Some(json!({"body": "@pam@example.com and @sam@example.com, see #1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inbox(&t.sam).await["unread"], 1);
    assert_eq!(inbox(&t.pam).await["unread"], 1);

    // A description links `#1` the same way on the item's page; a number that is no item
    // stays text.
    let (status, _) = rest(
        &t.olive,
        Method::PATCH,
        &format!("/projects/{}/items/{n}", t.slug),
        Some(json!({"version": 1, "description": "Needs #1 first, not #99."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let res = t
        .jim
        .call(
            "items/detail",
            &[("slug", &t.slug), ("number", &n.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    let html = detail["item"]["description_html"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            r#"href="/p/{}/items/{cart}" title="Cart">#1</a>"#,
            t.slug
        )),
        "{html}"
    );
    assert!(html.contains("not #99."), "{html}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn watchers_hear_of_comments_assignments_blocks_and_done(pool: PgPool) {
    let app = spawn(pool).await;
    let t = team(&app).await;
    let n = create_item(&t.olive, &t.slug, "Cart").await;
    let item = format!("/projects/{}/items/{n}", t.slug);

    // Olive made it, so she watches it: Jim's comment reaches her, not Jim himself.
    comment(&t.jim, &t.slug, n, "First").await;
    assert_eq!(
        summaries(&inbox(&t.olive).await),
        vec!["Jim Halpert commented on #1 Cart"]
    );
    assert_eq!(
        inbox(&t.jim).await["unread"],
        0,
        "nobody hears of their own doing"
    );
    // Jim commented, so he watches now; Olive stops watching by hand.
    assert_eq!(thread(&t.jim, &t.slug, n).await["watching"], true);
    let res = t
        .olive
        .call(
            "items/watch",
            &[
                ("slug", &t.slug),
                ("number", &n.to_string()),
                ("watching", "false"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    comment(&t.sam, &t.slug, n, "Second").await;
    assert_eq!(inbox(&t.olive).await["unread"], 1, "no longer watching");
    assert_eq!(
        summaries(&inbox(&t.jim).await),
        vec!["Sam Scrum commented on #1 Cart"]
    );

    // Assigned to Pam: she is told and watches; blocked and done reach the watchers.
    let (_, current) = rest(&t.olive, Method::GET, &item, None).await;
    let version = current["item"]["version"].as_i64().unwrap();
    let (status, updated) = rest(
        &t.olive,
        Method::PATCH,
        &item,
        Some(json!({"version": version, "assignee": "pam@example.com"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        summaries(&inbox(&t.pam).await),
        vec!["Olive Owner assigned #1 Cart to you"]
    );
    let version = updated["version"].as_i64().unwrap();
    let (status, updated) = rest(
        &t.pam,
        Method::PATCH,
        &item,
        Some(json!({"version": version, "blocked": true, "blocked_reason": "waiting for the API"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let jims = summaries(&inbox(&t.jim).await);
    assert_eq!(jims[0], "#1 Cart is blocked: waiting for the API");
    assert_eq!(inbox(&t.pam).await["unread"], 1, "Pam blocked it herself");
    let version = updated["version"].as_i64().unwrap();
    let (status, _) = rest(
        &t.pam,
        Method::PATCH,
        &item,
        Some(json!({"version": version, "state": "done"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        summaries(&inbox(&t.sam).await)[0],
        "Pam Beesly moved #1 Cart to done"
    );
    assert_eq!(inbox(&t.olive).await["unread"], 1, "Olive stopped watching");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_inbox_counts_marks_read_and_forgets_projects_left(pool: PgPool) {
    let app = spawn(pool).await;
    let t = team(&app).await;
    let a = create_item(&t.olive, &t.slug, "Cart").await;
    let b = create_item(&t.olive, &t.slug, "Totals").await;
    comment(&t.jim, &t.slug, a, "@pam@example.com one").await;
    comment(&t.jim, &t.slug, b, "@pam@example.com two").await;
    let pams = inbox(&t.pam).await;
    assert_eq!(pams["unread"], 2);
    let (_, me) = rest(&t.pam, Method::GET, "/me", None).await;
    assert_eq!(me["unread"], 2, "the header's count comes with the account");
    let first = pams["notifications"][0]["id"].as_i64().unwrap();
    let res = t
        .pam
        .call("inbox/read", &[("id", &first.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pams = inbox(&t.pam).await;
    assert_eq!(pams["unread"], 1);
    assert_eq!(pams["notifications"][0]["read"], true);
    let res = t.pam.call("inbox/unread", &[]).await;
    assert_eq!(res.json::<Value>().await.unwrap(), 1);
    // Someone else cannot mark Pam's notification read.
    let second = pams["notifications"][1]["id"].as_i64().unwrap();
    t.jim
        .call("inbox/read", &[("id", &second.to_string())])
        .await;
    assert_eq!(inbox(&t.pam).await["unread"], 1);
    let res = t.pam.call("inbox/read", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox(&t.pam).await["unread"], 0);

    // Removed from the project: its notifications are not shown at all.
    comment(&t.jim, &t.slug, a, "@pam@example.com three").await;
    assert_eq!(inbox(&t.pam).await["unread"], 1);
    let res = t
        .olive
        .call(
            "project/members/remove",
            &[("slug", &t.slug), ("email", "pam@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pams = inbox(&t.pam).await;
    assert_eq!(pams["unread"], 0);
    assert!(pams["notifications"].as_array().unwrap().is_empty());
    // And she is mentioned no more: her address stays text.
    let (_, made) = comment(&t.jim, &t.slug, a, "@pam@example.com four").await;
    assert!(!made["body_html"].as_str().unwrap().contains("Pam Beesly"));
    let anonymous = app.anonymous();
    assert_eq!(
        anonymous.call("inbox", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

//! What the server does per request (issue 19): the backlog's totals and each epic's
//! roll-up come from figures the database keeps, which must agree with a count after every
//! kind of change (and under concurrent changes); a page runs and embeds each of its
//! resources once.

use super::support::{rest, spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

/// The tally's four figures and the same counted from the items, for one project.
async fn tally_and_count(pool: &PgPool, slug: &str) -> (Vec<i64>, Vec<i64>) {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "select t.live_items, t.live_points, t.open_items, t.open_points,
                count(w.id), coalesce(sum(w.estimate), 0)::bigint,
                count(w.id) filter (where w.state <> 'done'),
                coalesce(sum(w.estimate) filter (where w.state <> 'done'), 0)::bigint
         from project p join project_tally t on t.project_id = p.id
         left join work_item w on w.project_id = p.id and w.deleted_at is null
                              and w.kind <> 'epic'
         where p.slug = $1
         group by t.live_items, t.live_points, t.open_items, t.open_points",
    )
    .bind(slug)
    .fetch_one(pool)
    .await
    .unwrap();
    (
        vec![row.0, row.1, row.2, row.3],
        vec![row.4, row.5, row.6, row.7],
    )
}

/// Each epic's kept roll-up (children, done, not estimated, points, done points) and the same
/// counted from its live children, for one project's epics that have any.
type Rollups = Vec<(i32, Vec<i64>)>;

async fn rollups_and_counts(pool: &PgPool, slug: &str) -> (Rollups, Rollups) {
    let kept: Vec<(i32, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "select e.number, r.children::bigint, r.done_children::bigint, r.unestimated::bigint,
                r.total_points, r.done_points
         from epic_rollup r join work_item e on e.id = r.epic_id
         join project p on p.id = e.project_id
         where p.slug = $1 and r.children > 0 order by e.number",
    )
    .bind(slug)
    .fetch_all(pool)
    .await
    .unwrap();
    let counted: Vec<(i32, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "select e.number, count(*), count(*) filter (where k.state = 'done'),
                count(*) filter (where k.estimate is null), coalesce(sum(k.estimate), 0)::bigint,
                coalesce(sum(k.estimate) filter (where k.state = 'done'), 0)::bigint
         from work_item k join work_item e on e.id = k.parent_id
         join project p on p.id = e.project_id
         where p.slug = $1 and k.deleted_at is null
         group by e.number order by e.number",
    )
    .bind(slug)
    .fetch_all(pool)
    .await
    .unwrap();
    let shape = |rows: Vec<(i32, i64, i64, i64, i64, i64)>| {
        rows.into_iter()
            .map(|r| (r.0, vec![r.1, r.2, r.3, r.4, r.5]))
            .collect::<Rollups>()
    };
    (shape(kept), shape(counted))
}

async fn send(client: &Client, method: Method, path: String, body: Option<Value>) -> Value {
    let (status, answer) = rest(client, method.clone(), &path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// The backlog's first page, unfiltered, as its server function answers.
async fn backlog_list(client: &Client, slug: &str) -> Value {
    client
        .call_json("items/list", &json!({"slug": slug, "query": {}}))
        .await
        .json()
        .await
        .unwrap()
}

/// The unfiltered totals (the tally) of the backlog and of the items list.
async fn totals(client: &Client, slug: &str) -> (Value, Value) {
    let backlog = backlog_list(client, slug).await;
    let all = send(client, Method::GET, format!("/projects/{slug}/items"), None).await;
    (
        json!([backlog["total_count"], backlog["total_points"]]),
        json!([all["total_count"], all["total_points"]]),
    )
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_backlog_totals_agree_with_a_count_after_every_kind_of_change(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let items = format!("/projects/{slug}/items");
    let check = |step: &'static str| {
        let (pool, slug) = (pool.clone(), slug.clone());
        async move {
            let (tally, count) = tally_and_count(&pool, &slug).await;
            assert_eq!(tally, count, "after {step}: the tally differs from a count");
            let (kept, counted) = rollups_and_counts(&pool, &slug).await;
            assert_eq!(
                kept, counted,
                "after {step}: the epics' roll-ups differ from a count"
            );
            tally
        }
    };
    assert_eq!(check("creating the project").await, vec![0, 0, 0, 0]);

    let epic = send(
        &owner,
        Method::POST,
        items.clone(),
        Some(json!({"kind": "epic", "title": "Shop"})),
    )
    .await;
    let epic_n = epic["number"].as_i64().unwrap();
    let mut numbers = Vec::new();
    for (title, points) in [("Cart", 5), ("Prices", 1), ("Pics", 3)] {
        let child = send(
            &owner,
            Method::POST,
            items.clone(),
            Some(json!({"title": title, "estimate": points, "parent": epic_n})),
        )
        .await;
        numbers.push(child["number"].as_i64().unwrap());
    }
    let bug = send(
        &owner,
        Method::POST,
        items.clone(),
        Some(json!({"kind": "bug", "title": "Login fails", "estimate": 8})),
    )
    .await;
    let bug_n = bug["number"].as_i64().unwrap();
    send(
        &owner,
        Method::POST,
        items.clone(),
        Some(json!({"title": "Not estimated"})),
    )
    .await;
    // The epic's own estimate is not counted: its children carry the points.
    assert_eq!(check("creating items").await, vec![5, 17, 5, 17]);
    let (backlog, all) = totals(&owner, &slug).await;
    assert_eq!(backlog, json!([5, 17]));
    assert_eq!(all, json!([5, 17]));

    let item = |n: i64| format!("{items}/{n}");
    send(
        &owner,
        Method::PATCH,
        item(bug_n),
        Some(json!({"version": 1, "estimate": 13})),
    )
    .await;
    check("changing an estimate").await;
    send(
        &owner,
        Method::PATCH,
        item(bug_n),
        Some(json!({"version": 2, "state": "done"})),
    )
    .await;
    assert_eq!(check("finishing an item").await, vec![5, 22, 4, 9]);
    let (backlog, all) = totals(&owner, &slug).await;
    assert_eq!(backlog, json!([4, 9]), "the backlog leaves done items out");
    assert_eq!(all, json!([5, 22]));
    send(
        &owner,
        Method::PATCH,
        item(bug_n),
        Some(json!({"version": 3, "state": "doing"})),
    )
    .await;
    check("reopening it").await;
    send(
        &owner,
        Method::PATCH,
        item(bug_n),
        Some(json!({"version": 4, "estimate": null})),
    )
    .await;
    check("clearing an estimate").await;

    // Children moving between epics, and out of one.
    let second = send(
        &owner,
        Method::POST,
        items.clone(),
        Some(json!({"kind": "epic", "title": "Payments"})),
    )
    .await;
    let second_n = second["number"].as_i64().unwrap();
    send(
        &owner,
        Method::PATCH,
        item(numbers[1]),
        Some(json!({"version": 1, "parent": second_n})),
    )
    .await;
    let (kept, _) = rollups_and_counts(&pool, &slug).await;
    assert_eq!(
        kept,
        vec![
            (epic_n as i32, vec![2, 0, 0, 8, 0]),
            (second_n as i32, vec![1, 0, 0, 1, 0])
        ],
        "a child moved to another epic"
    );
    check("moving a child to another epic").await;
    send(
        &owner,
        Method::PATCH,
        item(numbers[1]),
        Some(json!({"version": 2, "parent": null, "state": "done"})),
    )
    .await;
    check("taking a child out of its epic").await;
    send(
        &owner,
        Method::PATCH,
        item(numbers[2]),
        Some(json!({"version": 1, "state": "done", "estimate": null})),
    )
    .await;
    let (kept, _) = rollups_and_counts(&pool, &slug).await;
    assert_eq!(
        kept,
        vec![(epic_n as i32, vec![2, 1, 1, 5, 0])],
        "a child done, unestimated"
    );
    check("finishing a child").await;

    send(&owner, Method::DELETE, item(numbers[0]), None).await;
    check("putting an item in the trash").await;
    let restored = owner
        .call_json(
            "items/restore",
            &json!({"slug": slug, "number": numbers[0]}),
        )
        .await;
    assert_eq!(restored.status(), StatusCode::OK);
    check("restoring it").await;
    send(
        &owner,
        Method::DELETE,
        format!("{}?children=delete", item(epic_n)),
        None,
    )
    .await;
    assert_eq!(
        check("deleting an epic with its children").await,
        vec![3, 1, 2, 0]
    );

    // A change that is rolled back changes nothing, the tally included.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("update work_item set estimate = 89 where number = $1")
        .bind(bug_n as i32)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(check("a rolled-back change").await, vec![3, 1, 2, 0]);

    // A whole project imported: its tally is right from the start; the export's own stays.
    let export = send(
        &owner,
        Method::GET,
        format!("/projects/{slug}/export"),
        None,
    )
    .await;
    let imported = send(
        &owner,
        Method::POST,
        "/projects/import".into(),
        Some(export),
    )
    .await;
    let copy_slug = imported["slug"].as_str().unwrap().to_owned();
    let (tally, count) = tally_and_count(&pool, &copy_slug).await;
    assert_eq!(tally, count, "an imported project's tally");
    let (kept, counted) = rollups_and_counts(&pool, &copy_slug).await;
    assert_eq!(kept, counted, "an imported project's roll-ups");
    assert_eq!(tally, vec![3, 1, 2, 0]);

    // Deleting a project takes its tally with it.
    let deleted = owner
        .call(
            "project/delete",
            &[("slug", &copy_slug), ("confirm_name", "Web shop")],
        )
        .await;
    assert!(deleted.status().is_success() || deleted.status().is_redirection());
    let left: i64 = sqlx::query_scalar(
        "select count(*) from project_tally t left join project p on p.id = t.project_id
         where p.id is null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0, "no tally outlives its project");
    let gone: i64 = sqlx::query_scalar("select count(*) from project where slug = $1")
        .bind(&copy_slug)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(gone, 0, "the copy was deleted");
}

/// A filter narrows the totals to what it matches; the tally is only for the whole list.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn filtered_totals_count_what_the_filter_matches(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let items = format!("/projects/{slug}/items");
    for (title, kind, points) in [
        ("Cart", "task", 5),
        ("Crash", "bug", 3),
        ("Card", "task", 2),
    ] {
        send(
            &owner,
            Method::POST,
            items.clone(),
            Some(json!({"title": title, "kind": kind, "estimate": points})),
        )
        .await;
    }
    let page = send(&owner, Method::GET, format!("{items}?kind=bug"), None).await;
    assert_eq!(
        (page["total_count"].clone(), page["total_points"].clone()),
        (json!(1), json!(3))
    );
    let page = send(&owner, Method::GET, format!("{items}?q=car"), None).await;
    assert_eq!(
        (page["total_count"].clone(), page["total_points"].clone()),
        (json!(2), json!(7))
    );
    let page = send(
        &owner,
        Method::GET,
        format!("{items}?q=nothing+like+this"),
        None,
    )
    .await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(
        (page["total_count"].clone(), page["total_points"].clone()),
        (json!(0), json!(0))
    );
    // The whole list, a page at a time: every page carries the whole list's totals.
    let first = send(&owner, Method::GET, format!("{items}?limit=2"), None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (first["total_count"].clone(), first["total_points"].clone()),
        (json!(3), json!(10))
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest_page = send(
        &owner,
        Method::GET,
        format!("{items}?limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(rest_page["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest_page["total_count"], json!(3));
}

/// Each `__RESOLVED_RESOURCES[id] = "…"` a page streams: (id, data).
fn resources(html: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("__RESOLVED_RESOURCES[") {
        rest = &rest[at + "__RESOLVED_RESOURCES[".len()..];
        let Some(close) = rest.find("] = \"") else {
            continue;
        };
        let id = rest[..close].to_owned();
        let data = &rest[close + 5..];
        // The data is a quoted string ending at the first unescaped quote.
        let mut end = 0;
        let mut escaped = false;
        for (i, c) in data.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        found.push((id, data[..end].to_owned()));
    }
    found
}

/// The backlog once rendered its list twice (the list's resource was made again when the
/// view waiting for the project and its members ran again): the query ran twice and its
/// answer went to the browser twice. Each page's resources go out once each, every time,
/// and each page arrives drawn whole (the item page once sent "Loading…" in place of the
/// item now and then: its form read a local resource).
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_page_runs_and_sends_each_resource_once(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let items = format!("/projects/{slug}/items");
    for n in 0..30 {
        send(
            &owner,
            Method::POST,
            items.clone(),
            Some(json!({"title": format!("Distinctive item {n}"), "estimate": 3})),
        )
        .await;
    }
    send(
        &owner,
        Method::POST,
        format!("/projects/{slug}/sprints"),
        Some(json!({
        "name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-03-27"})),
    )
    .await;
    let pages = [
        format!("/p/{slug}/backlog"),
        format!("/p/{slug}"),
        format!("/p/{slug}/items/1"),
        format!("/p/{slug}/planning"),
        format!("/p/{slug}/sprints"),
        format!("/p/{slug}/board"),
    ];
    for path in &pages {
        // Many at once: when each part of a page arrives depends on the timing. A page that
        // never finishes (a render that panicked in a task the answer waits for) fails here
        // instead of holding the suite.
        let fetch = |_| async {
            let res = owner.get(path).await;
            let status = res.status();
            (status, res.text().await.unwrap())
        };
        let answers = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            futures_util::future::join_all((0..24).map(fetch)),
        )
        .await
        .unwrap_or_else(|_| panic!("{path}: 24 renders at once did not all finish in 60 s"));
        for (attempt, (status, html)) in answers.into_iter().enumerate() {
            assert_eq!(status, StatusCode::OK, "{path}");
            // A local resource read while the server renders makes a `Suspense` give up and
            // send its fallback ("Loading…") for the browser to fill in; which wins depends on
            // the timing. Every part of every page is drawn on the server.
            assert!(
                html.contains("__INCOMPLETE_CHUNKS=[];"),
                "{path} (request {attempt}): a part of the page was left for the browser"
            );
            let sent = resources(&html);
            assert!(!sent.is_empty(), "{path} sends its data for hydration");
            let mut ids: Vec<&str> = sent.iter().map(|(id, _)| id.as_str()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), sent.len(), "{path}: a resource id sent twice");
            let listed = sent
                .iter()
                .filter(|(_, data)| data.contains("Distinctive item 7"))
                .count();
            if path.ends_with("/backlog") {
                assert_eq!(
                    listed, 1,
                    "{path} (request {attempt}): the list is sent {listed} times"
                );
            }
            let mut datas: Vec<&str> = sent
                .iter()
                .map(|(_, d)| d.as_str())
                .filter(|d| d.len() > 40)
                .collect();
            let all = datas.len();
            datas.sort();
            datas.dedup();
            assert_eq!(
                datas.len(),
                all,
                "{path} (request {attempt}): the same data sent twice"
            );
        }
    }
}

/// Moving a child from one epic to another changes two roll-ups in one transaction. Twenty
/// moves at once, half from the first epic to the second and half back, take those two rows
/// in opposite orders: every move must still succeed (the project's tally row is taken
/// first, so they queue instead of deadlocking), and the roll-ups must add up afterwards.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn children_crossing_between_epics_at_once_keep_the_rollups_right(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let items = format!("/projects/{slug}/items");
    let mut epics = Vec::new();
    for title in ["Shop", "Payments"] {
        let epic = send(
            &owner,
            Method::POST,
            items.clone(),
            Some(json!({"kind": "epic", "title": title})),
        )
        .await;
        epics.push(epic["number"].as_i64().unwrap());
    }
    let mut children = Vec::new();
    for i in 0..20 {
        let child = send(
            &owner,
            Method::POST,
            items.clone(),
            Some(json!({"title": format!("Child {i}"), "estimate": 3, "parent": epics[i % 2]})),
        )
        .await;
        children.push((child["number"].as_i64().unwrap(), epics[(i + 1) % 2]));
    }
    let moves = children.iter().map(|(number, to)| {
        let (owner, path) = (owner.clone(), format!("{items}/{number}"));
        let body = json!({"version": 1, "parent": to});
        async move { rest(&owner, Method::PATCH, &path, Some(body)).await }
    });
    for (status, body) in futures_util::future::join_all(moves).await {
        assert_eq!(status, StatusCode::OK, "a move between epics: {body}");
    }
    let (kept, counted) = rollups_and_counts(&pool, &slug).await;
    assert_eq!(kept, counted, "the roll-ups after the crossing moves");
    assert_eq!(
        kept,
        vec![
            (epics[0] as i32, vec![10, 0, 0, 30, 0]),
            (epics[1] as i32, vec![10, 0, 0, 30, 0])
        ]
    );
}

/// Making a router lists the app's routes, which Leptos does by rendering the app with
/// every resource held back by a flag the whole process shares: a page that another
/// router served meanwhile waited for ever on a resource it started then (the item page
/// in about one run of the hook tests in fifteen, the board once in CI). The routes are
/// listed once per process: pages keep finishing while other servers are being made.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_finish_while_other_servers_are_made(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    send(
        &owner,
        Method::POST,
        format!("/projects/{slug}/items"),
        Some(json!({"title": "Checkout", "estimate": 3})),
    )
    .await;
    // Other servers made one after another on a thread of their own, as the tests do.
    let options = (*pool.connect_options()).clone();
    let making = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let pool = server::pool_with(options, 4, server::DbTimeouts::default());
                for _ in 0..30 {
                    spawn(pool.clone()).await;
                }
            })
    });
    let mut rendered = 0;
    while !making.is_finished() || rendered < 10 {
        for path in [format!("/p/{slug}/items/1"), format!("/p/{slug}/board")] {
            let html = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                owner.get(&path).await.text().await.unwrap()
            })
            .await
            .unwrap_or_else(|_| {
                panic!("{path} did not finish in 10 s while another server was made")
            });
            assert!(html.contains("__INCOMPLETE_CHUNKS=[];"), "{path}");
            rendered += 1;
        }
    }
    making.join().unwrap();
    assert!(rendered >= 10);
}

/// The pages' lists carry no descriptions (none of them shows one), so a long description is
/// neither rendered from markdown nor sent with every backlog row; the JSON API's list, and
/// an item's own page, still have it.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_backlog_sends_no_descriptions(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let items = format!("/projects/{slug}/items");
    let words = "Steps to reproduce: **open the cart** with forty-two items in it";
    let made = send(
        &owner,
        Method::POST,
        items.clone(),
        Some(json!({"title": "Cart is slow", "kind": "bug", "description": words})),
    )
    .await;
    let n = made["number"].as_i64().unwrap();

    let listed = backlog_list(&owner, &slug).await;
    assert_eq!(listed["items"][0]["title"], json!("Cart is slow"));
    assert_eq!(listed["items"][0]["description"], json!(""));
    assert_eq!(listed["items"][0]["description_html"], json!(""));
    let backlog = owner
        .get(&format!("/p/{slug}/backlog"))
        .await
        .text()
        .await
        .unwrap();
    assert!(backlog.contains("Cart is slow"), "{backlog}");
    assert!(!backlog.contains("forty-two"), "{backlog}");

    let all = send(&owner, Method::GET, items, None).await;
    assert_eq!(all["items"][0]["description"], json!(words));
    assert!(all["items"][0]["description_html"]
        .as_str()
        .unwrap()
        .contains("<strong>open the cart</strong>"));
    let page = owner
        .get(&format!("/p/{slug}/items/{n}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("forty-two"),
        "the item's page shows its description"
    );
}

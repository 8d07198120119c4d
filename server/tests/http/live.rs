//! Live updates (issue 13): a project's event stream over HTTP, fed by PostgreSQL's NOTIFY.

use super::support::{rest, spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;

/// One server-sent event: its name, its id and its data.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    event: String,
    id: Option<i64>,
    data: String,
}

impl Sse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

/// An open event stream, read as a browser's EventSource reads it.
struct Stream {
    res: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(client: &Client, slug: &str, last: Option<i64>) -> Result<Stream, StatusCode> {
        Stream::open_on(client, slug, last, "").await
    }

    /// A stream of a listener who has `page` open ("" for none).
    async fn open_on(
        client: &Client,
        slug: &str,
        last: Option<i64>,
        page: &str,
    ) -> Result<Stream, StatusCode> {
        let mut req = client.http.get(format!(
            "{}/api/v1/projects/{slug}/events?page={page}",
            client.base
        ));
        if let Some(last) = last {
            req = req.header("Last-Event-ID", last.to_string());
        }
        let res = req.send().await.unwrap();
        if res.status() != StatusCode::OK {
            return Err(res.status());
        }
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        assert_eq!(res.headers()["x-accel-buffering"], "no");
        Ok(Stream {
            res,
            buf: String::new(),
        })
    }

    /// The next event within `wait`; `None` when the stream ends first; a panic when nothing
    /// comes at all.
    async fn next_within(&mut self, wait: Duration) -> Option<Sse> {
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut sse = Sse {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        sse.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        sse.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        sse.data.push_str(v.trim_start());
                        any = true;
                    }
                }
                // Heartbeats are comments only.
                if any {
                    return Some(sse);
                }
            }
            match tokio::time::timeout(wait, self.res.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(std::str::from_utf8(&bytes).unwrap()),
                Ok(_) => return None,
                Err(_) => panic!("no event within {wait:?}; so far: {:?}", self.buf),
            }
        }
    }

    async fn next(&mut self) -> Option<Sse> {
        self.next_within(Duration::from_secs(5)).await
    }

    /// Nothing but heartbeats arrives for a while.
    async fn quiet(&mut self, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), self.next())
            .await
            .is_err()
    }

    async fn hello(&mut self) -> i64 {
        let hello = self.next().await.expect("the stream says hello");
        assert_eq!(hello.event, "hello");
        hello.data.parse().unwrap()
    }
}

/// A task named `title` (through the JSON API); its number.
async fn create(client: &Client, slug: &str, title: &str) -> i64 {
    super::scene::task(client, slug, json!({"title": title})).await
}

async fn rename(client: &Client, slug: &str, number: i64, title: &str) {
    let path = format!("/projects/{slug}/items/{number}");
    let (_, detail) = rest(client, Method::GET, &path, None).await;
    let version = detail["item"]["version"].clone();
    let (status, answer) = rest(
        client,
        Method::PATCH,
        &path,
        Some(json!({"version": version, "title": title})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_committed_change_reaches_every_member_and_a_rolled_back_one_nobody(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let viewer = app.user("vic@example.com", "Vic Viewer").await;
    owner.add_member(&slug, &viewer, "viewer").await;
    let cart = create(&owner, &slug, "Cart").await;

    let mut mine = Stream::open(&owner, &slug, None).await.unwrap();
    let mut theirs = Stream::open(&viewer, &slug, None).await.unwrap();
    let start = mine.hello().await;
    assert_eq!(theirs.hello().await, start);

    // Rolled back: no event, and no number taken.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("update work_item set title = 'Never' where number = $1")
        .bind(cart as i32)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(mine.quiet(300).await, "a rolled-back change sent an event");

    rename(&owner, &slug, cart, "Shopping cart").await;
    for stream in [&mut mine, &mut theirs] {
        let change = stream.next().await.unwrap();
        assert_eq!(change.event, "change");
        assert_eq!(change.id, Some(start + 1));
        assert_eq!(
            change.json(),
            json!({"seq": start + 1, "kind": "items", "numbers": [cart]})
        );
    }
    // A change made with SQL by hand is seen too (triggers, not the services, publish).
    sqlx::query("update work_item set blocked = true, blocked_reason = 'Vendor' where number = $1")
        .bind(cart as i32)
        .execute(&pool)
        .await
        .unwrap();
    let change = theirs.next().await.unwrap();
    assert_eq!(change.id, Some(start + 2));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_returning_client_gets_exactly_what_it_missed(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let mut stream = Stream::open(&owner, &slug, None).await.unwrap();
    let seen = stream.hello().await;
    drop(stream);
    let a = create(&owner, &slug, "Cart").await;
    let b = create(&owner, &slug, "Prices").await;
    rename(&owner, &slug, a, "Shopping cart").await;

    let mut back = Stream::open(&owner, &slug, Some(seen)).await.unwrap();
    back.hello().await;
    let mut numbers = Vec::new();
    for expected in 1..=3 {
        let change = back.next().await.unwrap();
        assert_eq!(change.id, Some(seen + expected));
        numbers.push(change.json()["numbers"][0].as_i64().unwrap());
    }
    assert_eq!(numbers, vec![a, b, a]);
    assert!(back.quiet(300).await, "nothing twice");

    // The same from a first connection that knows where its page was read (`?after=`).
    let res = owner
        .http
        .get(format!(
            "{}/api/v1/projects/{slug}/events?after={}",
            owner.base,
            seen + 2
        ))
        .send()
        .await
        .unwrap();
    let mut after = Stream {
        res,
        buf: String::new(),
    };
    after.hello().await;
    assert_eq!(after.next().await.unwrap().id, Some(seen + 3));

    // Longer away than events are kept: reload.
    sqlx::query("delete from project_event")
        .execute(&pool)
        .await
        .unwrap();
    let mut late = Stream::open(&owner, &slug, Some(seen)).await.unwrap();
    late.hello().await;
    let reload = late.next().await.unwrap();
    assert_eq!(reload.event, "reload");
    assert_eq!(reload.id, Some(seen + 3));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_members_may_listen_and_an_integration_may_with_a_token(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let outsider = app.user("oscar@example.com", "Oscar Outsider").await;
    assert_eq!(
        Stream::open(&app.anonymous(), &slug, None).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        Stream::open(&outsider, &slug, None).await.err(),
        Some(StatusCode::NOT_FOUND)
    );
    let token = owner.token("listener").await;
    let res = app
        .anonymous()
        .http
        .get(format!("{}/api/v1/projects/{slug}/events", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = Stream {
        res,
        buf: String::new(),
    };
    stream.hello().await;
    create(&owner, &slug, "Cart").await;
    assert_eq!(stream.next().await.unwrap().event, "change");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_removed_member_and_a_signed_out_session_lose_the_stream_at_once(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("olive@example.com", "Web shop").await;
    let dev = app.user("dev@example.com", "Dana Dev").await;
    let leaver = app.user("lee@example.com", "Lee Leaver").await;
    owner.add_member(&slug, &dev, "member").await;
    owner.add_member(&slug, &leaver, "member").await;

    let mut removed = Stream::open(&dev, &slug, None).await.unwrap();
    removed.hello().await;
    let res = owner
        .call(
            "project/members/remove",
            &[("slug", &slug), ("email", "dev@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut ended = false;
    for _ in 0..3 {
        if removed.next().await.is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the removed member's stream stays open");

    let mut signed_out = Stream::open(&leaver, &slug, None).await.unwrap();
    signed_out.hello().await;
    leaver.call("log_out", &[]).await;
    assert_eq!(
        signed_out.next().await,
        None,
        "a signed-out session's stream stays open"
    );

    // The owner's stream is unaffected.
    let mut staying = Stream::open(&owner, &slug, None).await.unwrap();
    staying.hello().await;
    create(&owner, &slug, "Cart").await;
    assert_eq!(staying.next().await.unwrap().event, "change");
}

/// Two servers on one database (each with its own LISTEN connection, as two processes
/// behind a load balancer): a change through one reaches a stream on the other. When the
/// second's LISTEN connection is killed, it reconnects and its stream catches up, with no
/// gap and nothing twice.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn streams_on_another_server_see_changes_and_survive_a_lost_listen_connection(pool: PgPool) {
    let a = spawn(pool.clone()).await;
    let b = spawn(pool.clone()).await;
    let (owner, slug) = a.owner_of("olive@example.com", "Web shop").await;
    // The same account, its session used against the other server.
    let mut on_b = owner.clone();
    on_b.base = b.base.clone();
    let mut stream = Stream::open(&on_b, &slug, None).await.unwrap();
    let start = stream.hello().await;
    let cart = create(&owner, &slug, "Cart").await;
    assert_eq!(stream.next().await.unwrap().id, Some(start + 1));

    // Kill every LISTEN connection of this database (both servers'), then change things
    // while they reconnect.
    let killed: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query ilike 'listen%') t",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(killed >= 2, "both servers listen ({killed})");
    rename(&owner, &slug, cart, "Shopping cart").await;
    create(&owner, &slug, "Prices").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            stream
                .next_within(Duration::from_secs(10))
                .await
                .unwrap()
                .id
                .unwrap(),
        );
    }
    assert_eq!(ids, vec![start + 2, start + 3]);
    // Listening again: the next change arrives live, and nothing came twice.
    create(&owner, &slug, "Pics").await;
    assert_eq!(stream.next().await.unwrap().id, Some(start + 4));
    assert!(stream.quiet(300).await);
}

/// Who has a page open, as the stream's `presence` events say it.
fn names(sse: &Sse) -> Vec<String> {
    assert_eq!(sse.event, "presence", "{sse:?}");
    sse.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let you = if p["you"] == json!(true) {
                " (you)"
            } else {
                ""
            };
            format!(
                "{} {}{you}",
                p["initials"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// Who is here: a stream that names its page is present on it for every member with that
/// page open, on any server of the database; leaving (the stream ends) is seen at once, and
/// other pages' listeners are not told about it. A page name that is not one is refused.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_page_shows_who_has_it_open_on_any_server_and_who_left(pool: PgPool) {
    let a = spawn(pool.clone()).await;
    let b = spawn(pool.clone()).await;
    let (ann, slug) = a.owner_of("ann@example.com", "Board room").await;
    let bob = a.user("bob@example.com", "Bob Builder").await;
    ann.add_member(&slug, &bob, "viewer").await;
    let mut bob_on_b = bob.clone();
    bob_on_b.base = b.base.clone();

    let mut ann_board = Stream::open_on(&ann, &slug, None, "board").await.unwrap();
    ann_board.hello().await;
    assert_eq!(
        names(&ann_board.next().await.unwrap()),
        ["OO Olive Owner (you)"]
    );
    // Ann also has the backlog open in another tab: only that tab's page counts there.
    let mut ann_backlog = Stream::open_on(&ann, &slug, None, "backlog").await.unwrap();
    ann_backlog.hello().await;
    assert_eq!(
        names(&ann_backlog.next().await.unwrap()),
        ["OO Olive Owner (you)"]
    );

    // Bob opens the board through the other server; both boards say so.
    let mut bob_board = Stream::open_on(&bob_on_b, &slug, None, "board")
        .await
        .unwrap();
    bob_board.hello().await;
    assert_eq!(
        names(&bob_board.next().await.unwrap()),
        ["BB Bob Builder (you)", "OO Olive Owner"]
    );
    assert_eq!(
        names(&ann_board.next().await.unwrap()),
        ["BB Bob Builder", "OO Olive Owner (you)"]
    );
    // The backlog's listener hears nothing of it.
    assert!(ann_backlog.quiet(300).await);

    // A second board tab of Bob's shows him once.
    let mut bob_again = Stream::open_on(&bob, &slug, None, "board").await.unwrap();
    bob_again.hello().await;
    assert_eq!(names(&bob_again.next().await.unwrap()).len(), 2);
    assert!(ann_board.quiet(300).await, "nothing new to say");

    // Bob closes both tabs: Ann's board shows her alone again.
    drop(bob_board);
    drop(bob_again);
    assert_eq!(
        names(&ann_board.next().await.unwrap()),
        ["OO Olive Owner (you)"]
    );
    let left: i64 = sqlx::query_scalar("select count(*) from project_presence")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 2, "Ann's two tabs are all that is left");

    assert_eq!(
        Stream::open_on(&ann, &slug, None, "Board%20room")
            .await
            .err(),
        Some(StatusCode::BAD_REQUEST)
    );
}

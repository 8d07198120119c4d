//! Sprints and increments over the JSON API: tiling and overlaps, business days, planning
//! capacity, starting (the commitment is recorded), closing (the report is frozen and the
//! unfinished items carried over), and the velocity and burndown reports.

use super::support::{noon_today, spawn, spawn_at, Client};
use app::clock::Clock;
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

pub(super) struct Api<'a> {
    pub(super) client: &'a Client,
    pub(super) slug: String,
}

impl Api<'_> {
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let path = format!("/projects/{}{path}", self.slug);
        super::support::rest(self.client, method, &path, body).await
    }

    pub(super) async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.send(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    /// Creates a task with this estimate; returns its number.
    pub(super) async fn task(&self, title: &str, estimate: i64) -> i64 {
        let item = self
            .ok(
                Method::POST,
                "/items",
                Some(json!({"title": title, "estimate": estimate})),
            )
            .await;
        item["number"].as_i64().unwrap()
    }

    pub(super) async fn sprint(&self, name: &str, starts: &str, ends: &str) -> Value {
        self.ok(
            Method::POST,
            "/sprints",
            Some(json!({"name": name, "starts_on": starts, "ends_on": ends})),
        )
        .await
    }

    pub(super) async fn commit(&self, increment: i64, items: &[i64]) {
        self.ok(
            Method::POST,
            &format!("/increments/{increment}/items"),
            Some(json!({ "items": items })),
        )
        .await;
    }

    pub(super) async fn finish(&self, number: i64) {
        let item = self
            .ok(Method::GET, &format!("/items/{number}"), None)
            .await;
        let version = item["item"]["version"].as_i64().unwrap();
        self.ok(
            Method::PATCH,
            &format!("/items/{number}"),
            Some(json!({"version": version, "state": "done"})),
        )
        .await;
    }

    pub(super) async fn increment_of(&self, number: i64) -> Option<i64> {
        let item = self
            .ok(Method::GET, &format!("/items/{number}"), None)
            .await;
        item["item"]["increment"].as_i64()
    }
}

pub(super) fn ids(sprint: &Value) -> Vec<i64> {
    sprint["increments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// The Monday `weeks` weeks before the current week's Monday.
fn monday_weeks_ago(clock: &Clock, weeks: i64) -> NaiveDate {
    let today = clock.today();
    today
        - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        - Duration::weeks(weeks)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_articles_sprint_is_six_two_week_increments_and_dates_never_overlap(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug,
    };
    // A holiday inside the first increment takes a business day off it.
    let (_, mut settings) = api.send(Method::GET, "", None).await;
    settings = settings["settings"].clone();
    settings["holidays"] = json!([{"date": "2026-01-06", "name": "Epiphany"}]);
    api.ok(Method::PUT, "/settings", Some(settings)).await;

    let sprint = api.sprint("Q1", "2026-01-05", "2026-03-27").await;
    let increments = sprint["increments"].as_array().unwrap();
    assert_eq!(increments.len(), 6);
    let spans: Vec<(String, String, i64)> = increments
        .iter()
        .map(|i| {
            (
                i["starts_on"].as_str().unwrap().to_owned(),
                i["ends_on"].as_str().unwrap().to_owned(),
                i["business_days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans[0], ("2026-01-05".into(), "2026-01-18".into(), 9));
    assert_eq!(spans[1], ("2026-01-19".into(), "2026-02-01".into(), 10));
    // The last one is shorter (12 days) and ends with the sprint.
    assert_eq!(spans[5], ("2026-03-16".into(), "2026-03-27".into(), 10));
    assert!(increments.iter().all(|i| i["state"] == "planned"));
    let numbers: Vec<i64> = increments
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);

    // A second sprint overlapping the first is refused, naming the clash; nothing is made.
    let (status, err) = api
        .send(
            Method::POST,
            "/sprints",
            Some(json!({"name": "Q2", "starts_on": "2026-03-01", "ends_on": "2026-04-30"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let message = err["error"]["fields"]["starts_on"].as_str().unwrap();
    assert!(message.contains("Q1 · 4"), "{message}");
    assert!(message.contains("2026-02-16 – 2026-03-01"), "{message}");
    let listed = api.ok(Method::GET, "/sprints", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Editing an increment into its neighbour is refused the same way.
    let second = increments[1]["id"].as_i64().unwrap();
    let (status, err) = api
        .send(
            Method::PATCH,
            &format!("/increments/{second}"),
            Some(json!({"starts_on": "2026-01-12"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["starts_on"]
        .as_str()
        .unwrap()
        .contains("Q1 · 1"));
    // Bad dates are named too.
    let (status, err) = api
        .send(
            Method::POST,
            "/sprints",
            Some(json!({"name": " ", "starts_on": "2026-13-01", "ends_on": "soon"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = err["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("name") && fields.contains_key("starts_on"));
    assert!(fields.contains_key("ends_on"));

    // Shortening the last increment is fine, and the sprint follows.
    let last = increments[5]["id"].as_i64().unwrap();
    let edited = api
        .ok(
            Method::PATCH,
            &format!("/increments/{last}"),
            Some(json!({"ends_on": "2026-03-20"})),
        )
        .await;
    assert_eq!(edited["business_days"], 5);
    let listed = api.ok(Method::GET, "/sprints", None).await;
    assert_eq!(listed[0]["ends_on"], "2026-03-20");

    // Renaming: the increments follow the new name; an empty one is refused.
    let id = sprint["id"].as_i64().unwrap();
    let renamed = api
        .ok(
            Method::PATCH,
            &format!("/sprints/{id}"),
            Some(json!({"name": " Q1 2026 "})),
        )
        .await;
    assert_eq!(renamed["name"], "Q1 2026");
    assert_eq!(renamed["increments"][0]["sprint_name"], "Q1 2026");
    let (status, _) = api
        .send(
            Method::PATCH,
            &format!("/sprints/{id}"),
            Some(json!({"name": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_hundred_points_in_ten_business_days_is_twenty_a_day(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug,
    };
    let sprint = api.sprint("Q1", "2026-01-05", "2026-02-01").await;
    let [first, second] = ids(&sprint)[..] else {
        panic!("two increments expected: {sprint}")
    };

    // Nine tasks of 21 plus 8 and 3: the article's 200 points.
    let mut numbers = Vec::new();
    for (i, points) in [21, 21, 21, 21, 21, 21, 21, 21, 21, 8, 3]
        .iter()
        .enumerate()
    {
        numbers.push(api.task(&format!("Task {i}"), *points).await);
    }
    // With no closed increment there is no velocity to plan with.
    let plan = get_planning(&owner, &api.slug, first, None).await;
    assert!(
        plan["team"].is_null() && plan["capacity"].is_null(),
        "{plan}"
    );

    api.commit(first, &numbers).await;
    let started = api
        .ok(Method::POST, &format!("/increments/{first}/start"), None)
        .await;
    assert_eq!(started["state"], "active");
    assert_eq!(started["committed_points"], 200);
    for n in &numbers {
        api.finish(*n).await;
    }
    let closed = api
        .ok(
            Method::POST,
            &format!("/increments/{first}/close"),
            Some(json!({"carry": "next"})),
        )
        .await;
    let report = &closed["report"];
    assert_eq!(closed["frozen"], true);
    assert_eq!(report["committed"], 200);
    assert_eq!(report["completed"], 200);
    assert_eq!(report["business_days"], 10);
    assert_eq!(report["velocity"], 20.0);

    let velocity = api.ok(Method::GET, "/reports/velocity", None).await;
    assert_eq!(velocity["increments"].as_array().unwrap().len(), 1);
    assert_eq!(velocity["increments"][0]["velocity"], 20.0);
    assert_eq!(velocity["team"]["average"], 20.0);

    // The next increment's capacity: 20 points a day × its 10 business days.
    let plan = get_planning(&owner, &api.slug, second, None).await;
    assert_eq!(plan["capacity"], 200.0, "{plan}");
    assert_eq!(plan["capacity_low"], 200.0);
    // A typed velocity replaces the team's.
    let plan = get_planning(&owner, &api.slug, second, Some("12.5")).await;
    assert_eq!(plan["capacity"], 125.0);
    assert_eq!(plan["typed"], true);
    let res = owner
        .call("planning", &[("slug", &api.slug), ("velocity", "fast")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn get_planning(
    client: &Client,
    slug: &str,
    increment: i64,
    velocity: Option<&str>,
) -> Value {
    let increment = increment.to_string();
    let mut args = vec![("slug", slug), ("increment", increment.as_str())];
    if let Some(v) = velocity {
        args.push(("velocity", v));
    }
    let res = client.call("planning", &args).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn closing_freezes_the_report_and_carries_unfinished_items(pool: PgPool) {
    let clock = noon_today();
    let app = spawn_at(pool, clock.clone()).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug,
    };
    let start = monday_weeks_ago(&clock, 1);
    let sprint = api
        .sprint(
            "Now",
            &start.to_string(),
            &(start + Duration::days(41)).to_string(),
        )
        .await;
    let [first, second, _third] = ids(&sprint)[..] else {
        panic!("three increments expected: {sprint}")
    };
    let a = api.task("A", 5).await;
    let b = api.task("B", 3).await;
    let c = api.task("C", 8).await;
    let d = api.task("D", 2).await;
    let epic = api
        .ok(
            Method::POST,
            "/items",
            Some(json!({"kind": "epic", "title": "Epic"})),
        )
        .await["number"]
        .as_i64()
        .unwrap();

    // Epics are containers: committing one is refused, and nothing is committed.
    let (status, err) = api
        .send(
            Method::POST,
            &format!("/increments/{first}/items"),
            Some(json!({"items": [a, epic]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["items"]
        .as_str()
        .unwrap()
        .contains("epic"));
    assert_eq!(api.increment_of(a).await, None);
    // Closing before starting is a conflict.
    let (status, _) = api
        .send(
            Method::POST,
            &format!("/increments/{first}/close"),
            Some(json!({"carry": "backlog"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    api.commit(first, &[a, b, d]).await;
    // D goes back out before the start: not part of the commitment.
    api.ok(
        Method::DELETE,
        &format!("/increments/{first}/items/{d}"),
        None,
    )
    .await;
    let started = api
        .ok(Method::POST, &format!("/increments/{first}/start"), None)
        .await;
    assert_eq!(started["committed_points"], 8);
    // Only one increment runs at a time.
    let (status, err) = api
        .send(Method::POST, &format!("/increments/{second}/start"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Now · 1"));

    // Scope added after the start, and one item done.
    api.commit(first, &[c]).await;
    api.finish(a).await;

    // The active increment's burndown runs up to today.
    let burndown = api
        .ok(Method::GET, &format!("/increments/{first}/burndown"), None)
        .await;
    assert_eq!(burndown["frozen"], false);
    let days = burndown["report"]["days"].as_array().unwrap();
    assert!(!days.is_empty());
    let today = clock.today().to_string();
    assert!(days
        .iter()
        .all(|d| d["date"].as_str().unwrap() <= today.as_str()));
    assert_eq!(burndown["report"]["added"], 8);
    assert_eq!(days.last().unwrap()["remaining"], 11);

    // Per item: B goes back to the backlog, everything else (C) to the next increment.
    let closed = api
        .ok(
            Method::POST,
            &format!("/increments/{first}/close"),
            Some(json!({"carry": "next", "items": [{"number": b, "carry": "backlog"}]})),
        )
        .await;
    let report = closed["report"].clone();
    assert_eq!(report["committed"], 8);
    assert_eq!(report["added"], 8);
    assert_eq!(report["removed"], 0);
    assert_eq!(report["completed"], 5);
    assert_eq!(closed["increment"]["state"], "closed");
    assert_eq!(api.increment_of(b).await, None);
    assert_eq!(api.increment_of(c).await, Some(second));
    assert_eq!(api.increment_of(a).await, Some(first));
    // B is at the top of the backlog again.
    let (_, page) = api.send(Method::GET, "/items?limit=1", None).await;
    assert_eq!(page["items"][0]["number"], b);

    // Whatever happens to its items later, a closed increment's numbers stay.
    let item = api.ok(Method::GET, &format!("/items/{a}"), None).await;
    let version = item["item"]["version"].as_i64().unwrap();
    api.ok(
        Method::PATCH,
        &format!("/items/{a}"),
        Some(json!({"version": version, "state": "todo", "estimate": 13})),
    )
    .await;
    api.ok(Method::DELETE, &format!("/items/{c}"), None).await;
    // Reopened, A is planned again into the next increment; its history says where from.
    api.commit(second, &[a, a]).await;
    let detail = api.ok(Method::GET, &format!("/items/{a}"), None).await;
    let latest = &detail["history"][0];
    assert_eq!(latest["summary"], "increment: Now · 1 → Now · 2");
    assert_eq!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["field"] == "increment")
            .count(),
        2
    );
    let again = api
        .ok(Method::GET, &format!("/increments/{first}"), None)
        .await;
    assert_eq!(again["report"], report);
    let velocity = api.ok(Method::GET, "/reports/velocity", None).await;
    assert_eq!(velocity["increments"][0]["completed"], 5);
    // And it cannot be closed, edited or planned into again.
    let (status, _) = api
        .send(
            Method::POST,
            &format!("/increments/{first}/close"),
            Some(json!({"carry": "backlog"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = api
        .send(
            Method::PATCH,
            &format!("/increments/{first}"),
            Some(json!({"ends_on": "2040-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = api
        .send(
            Method::POST,
            &format!("/increments/{first}/items"),
            Some(json!({"items": [d]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The history says where the items went.
    let detail = api.ok(Method::GET, &format!("/items/{c}"), None).await;
    let moves: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "increment")
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        ["increment: Now · 1 → Now · 2", "increment: none → Now · 1"]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn carrying_to_a_next_increment_that_does_not_exist_changes_nothing(pool: PgPool) {
    let app = spawn(pool).await;
    let (owner, slug) = app.owner_of("sam@example.com", "Web shop").await;
    let api = Api {
        client: &owner,
        slug,
    };
    let sprint = api.sprint("Solo", "2026-01-05", "2026-01-16").await;
    let [only] = ids(&sprint)[..] else {
        panic!("one increment expected: {sprint}")
    };
    let a = api.task("A", 5).await;
    api.commit(only, &[a]).await;
    api.ok(Method::POST, &format!("/increments/{only}/start"), None)
        .await;
    let (status, err) = api
        .send(
            Method::POST,
            &format!("/increments/{only}/close"),
            Some(json!({"carry": "next"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err["error"]["fields"]["carry"]
        .as_str()
        .unwrap()
        .contains("no planned increment"));
    let still = api
        .ok(Method::GET, &format!("/increments/{only}"), None)
        .await;
    assert_eq!(still["increment"]["state"], "active");
    assert_eq!(still["frozen"], false);
    assert_eq!(api.increment_of(a).await, Some(only));
}

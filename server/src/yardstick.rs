//! `server yardstick`: the benchmark's measuring stick (`scripts/bench-server`). A bare axum
//! handler that runs only the backlog's page query with sqlx (the first 50 open top-level
//! items of a project in rank order, with their assignees and increments) and answers them
//! as JSON: no sign-in, no membership check, no totals, no Leptos. It serves through the
//! same accept loop as Cadence, so the two differ only in the work each request does.
//!
//! A second route, `GET /page/{project_id}`, runs the items endpoint's own statement
//! (`app::db::items::page`, with the endpoint's default filter: one statement that reads the
//! page, the totals and each epic's roll-up) and answers its rows as JSON: the same query,
//! still without sign-in, membership, rules or framework. Against it, what the endpoint adds
//! on top of its query is measured; against the first, also what its query reads beyond a
//! plain page (the epics' roll-ups, the totals).
//!
//! Not part of the product (hidden from `--help`), and the one place outside `app/src/db`
//! with SQL (and outside the services calling `db`): the point is to have nothing of Cadence
//! around the query.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sqlx::PgPool;

#[derive(sqlx::FromRow, serde::Serialize)]
struct Row {
    number: i32,
    kind: String,
    parent_number: Option<i32>,
    title: String,
    description: String,
    estimate: Option<i16>,
    assignee_name: Option<String>,
    assignee_email: Option<String>,
    state: String,
    blocked: bool,
    blocked_reason: Option<String>,
    rank: i64,
    version: i32,
    creator_name: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    increment_label: Option<String>,
}

const PAGE: &str = "
    select w.number, w.kind, p.number as parent_number, w.title, w.description, w.estimate,
           a.display_name as assignee_name, a.email as assignee_email, w.state, w.blocked,
           w.blocked_reason, w.rank, w.version, c.display_name as creator_name, w.created_at,
           w.updated_at, s.name || ' · ' || i.number as increment_label
    from work_item w
    left join increment i on i.id = w.increment_id
    left join sprint s on s.id = i.sprint_id
    left join work_item p on p.id = w.parent_id
    left join app_user a on a.id = w.assignee_id
    left join app_user c on c.id = w.creator_id
    where w.project_id = (select id from project where slug = $1)
      and w.deleted_at is null and w.state <> 'done' and w.parent_id is null
    order by w.rank, w.id
    limit 51";

async fn page(
    State(pool): State<PgPool>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Row>>, StatusCode> {
    sqlx::query_as::<_, Row>(PAGE)
        .bind(slug)
        .fetch_all(&pool)
        .await
        .map(|mut rows| {
            rows.truncate(50);
            Json(rows)
        })
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

/// One row of the items endpoint's statement, as it came from the database.
#[derive(serde::Serialize)]
struct SameRow<'a> {
    number: i32,
    kind: &'static str,
    parent_number: Option<i32>,
    title: &'a str,
    description: &'a str,
    estimate: Option<i16>,
    assignee_name: Option<&'a str>,
    assignee_email: Option<&'a str>,
    state: &'static str,
    blocked: bool,
    blocked_reason: Option<&'a str>,
    rank: i64,
    version: i32,
    creator_name: Option<&'a str>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    increment_label: Option<&'a str>,
    ci_provider: Option<&'a str>,
    /// An epic's children: count, done, not estimated, points, done points.
    rollup: Option<[i64; 5]>,
}

/// The answer of `/page/{project_id}`, serialized as it stands (as the endpoint's is).
#[derive(serde::Serialize)]
struct SamePage<'a> {
    items: Vec<SameRow<'a>>,
    total_count: i64,
    total_points: i64,
}

/// The items endpoint's statement for its first page, unfiltered, and its rows as JSON.
async fn same_page(
    State(pool): State<PgPool>,
    Path(project): Path<uuid::Uuid>,
) -> Result<axum::response::Response, StatusCode> {
    use axum::response::IntoResponse;
    let filter = app::db::items::Filter::default();
    let (mut rows, count, points) = app::db::items::page(&pool, project, &filter, None, 51, true)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    rows.truncate(50);
    let items: Vec<SameRow> = rows
        .iter()
        .map(|r| SameRow {
            number: r.item.number,
            kind: r.item.kind.as_str(),
            parent_number: r.item.parent_number,
            title: &r.item.title,
            description: &r.item.description,
            estimate: r.item.estimate,
            assignee_name: r.item.assignee_name.as_deref(),
            assignee_email: r.item.assignee_email.as_deref(),
            state: r.item.state.as_str(),
            blocked: r.item.blocked,
            blocked_reason: r.item.blocked_reason.as_deref(),
            rank: r.item.rank,
            version: r.item.version,
            creator_name: r.item.creator_name.as_deref(),
            created_at: r.item.created_at,
            updated_at: r.item.updated_at,
            increment_label: r.item.increment_label.as_deref(),
            ci_provider: r.item.ci_provider.as_deref(),
            rollup: r.rollup.map(|t| {
                [
                    i64::from(t.children),
                    i64::from(t.done_children),
                    i64::from(t.unestimated),
                    t.total_points,
                    t.done_points,
                ]
            }),
        })
        .collect();
    Ok(Json(SamePage {
        items,
        total_count: count,
        total_points: points,
    })
    .into_response())
}

/// Serves `GET /items/{slug}` and `GET /page/{project_id}` on `addr` until interrupted.
pub async fn run(pool: PgPool, addr: std::net::SocketAddr) -> Result<(), String> {
    let app = Router::new()
        .route("/items/{slug}", get(page))
        .route("/page/{project}", get(same_page))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("yardstick listening on http://{addr}/items/{{slug}} and /page/{{project_id}}");
    server::serve::serve(
        listener,
        app,
        server::serve::Timeouts::default(),
        server::shutdown_signal(),
    )
    .await;
    Ok(())
}

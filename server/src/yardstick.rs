//! `server yardstick`: the benchmark's measuring stick (`scripts/bench-server`). A bare axum
//! handler that runs only the backlog's page query with sqlx (the first 50 open top-level
//! items of a project in rank order, with their assignees and increments) and answers them
//! as JSON: no sign-in, no membership check, no totals, no Leptos. It serves through the
//! same accept loop as Cadence, so the two differ only in the work each request does.
//!
//! Not part of the product (hidden from `--help`), and the one place outside `app/src/db`
//! with SQL: the point is to have nothing of Cadence around the query.

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

/// Serves `GET /items/{slug}` on `addr` until interrupted.
pub async fn run(pool: PgPool, addr: std::net::SocketAddr) -> Result<(), String> {
    let app = Router::new()
        .route("/items/{slug}", get(page))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("yardstick listening on http://{addr}/items/{{slug}}");
    server::serve::serve(
        listener,
        app,
        server::serve::Timeouts::default(),
        server::shutdown_signal(),
    )
    .await;
    Ok(())
}

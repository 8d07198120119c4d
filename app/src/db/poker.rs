//! Planning poker sessions (see the `planning_poker` migration).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: i64,
    pub increment_id: Option<i64>,
    pub increment_label: Option<String>,
    pub started_by: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub current: Option<i32>,
    pub countdown_secs: Option<i32>,
    pub summary: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub position: i32,
    pub item_id: Uuid,
    pub number: i32,
    pub title: String,
    pub estimate: Option<i16>,
    pub outcome: Option<String>,
    pub points: Option<i16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRow {
    pub id: i64,
    pub position: i32,
    pub number: i32,
    pub reveal_at: Option<DateTime<Utc>>,
    pub revealed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRow {
    pub round_id: i64,
    pub user_id: Uuid,
    pub name: String,
    pub card: String,
}

/// The project's open session; `lock` holds it until the transaction ends (every change
/// to a session goes through this lock, so two changes never interleave).
pub async fn open_session(
    conn: &mut PgConnection,
    project_id: Uuid,
    lock: bool,
) -> Result<Option<SessionRow>, sqlx::Error> {
    if lock {
        sqlx::query!(
            "select id from poker_session where project_id = $1 and ended_at is null for update",
            project_id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    sqlx::query_as!(
        SessionRow,
        r#"select s.id, s.increment_id, sp.name || ' · ' || i.number as "increment_label?",
                  u.display_name as "started_by?", s.started_at, s.ended_at, s.current,
                  s.countdown_secs, s.summary
           from poker_session s
           left join increment i on i.id = s.increment_id
           left join sprint sp on sp.id = i.sprint_id
           left join app_user u on u.id = s.started_by
           where s.project_id = $1 and s.ended_at is null"#,
        project_id
    )
    .fetch_optional(&mut *conn)
    .await
}

/// The sessions kept with an increment, oldest first.
pub async fn sessions_of_increment(
    pool: &PgPool,
    project_id: Uuid,
    increment_id: i64,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        r#"select s.id, s.increment_id, sp.name || ' · ' || i.number as "increment_label?",
                  u.display_name as "started_by?", s.started_at, s.ended_at, s.current,
                  s.countdown_secs, s.summary
           from poker_session s
           left join increment i on i.id = s.increment_id
           left join sprint sp on sp.id = i.sprint_id
           left join app_user u on u.id = s.started_by
           where s.project_id = $1 and s.increment_id = $2
           order by s.started_at, s.id"#,
        project_id,
        increment_id
    )
    .fetch_all(pool)
    .await
}

pub struct NewSession<'a> {
    pub project_id: Uuid,
    pub increment_id: Option<i64>,
    pub started_by: Uuid,
    pub countdown_secs: Option<i32>,
    pub items: &'a [Uuid],
    pub now: DateTime<Utc>,
}

/// A new session with its queue and the first item's first round. `None` when another
/// session of the project is open (the unique index).
pub async fn insert_session(
    conn: &mut PgConnection,
    new: NewSession<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "insert into poker_session (project_id, increment_id, started_by, started_at, current,
                                    countdown_secs)
         values ($1, $2, $3, $4, 0, $5)
         on conflict (project_id) where ended_at is null do nothing
         returning id",
        new.project_id,
        new.increment_id,
        new.started_by,
        new.now,
        new.countdown_secs,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    sqlx::query!(
        "insert into poker_entry (session_id, position, project_id, item_id)
         select $1, (n - 1)::int, $2, item from unnest($3::uuid[]) with ordinality as q(item, n)",
        id,
        new.project_id,
        new.items,
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// The session's queue in order, with the items as they are now.
pub async fn entries(
    conn: &mut PgConnection,
    session_id: i64,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    sqlx::query_as!(
        EntryRow,
        "select e.position, e.item_id, w.number, w.title, w.estimate, e.outcome, e.points
         from poker_entry e join work_item w on w.id = e.item_id
         where e.session_id = $1 order by e.position",
        session_id
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every round of the session, in order.
pub async fn rounds(
    conn: &mut PgConnection,
    session_id: i64,
) -> Result<Vec<RoundRow>, sqlx::Error> {
    sqlx::query_as!(
        RoundRow,
        "select id, position, number, reveal_at, revealed_at from poker_round
         where session_id = $1 order by position, number",
        session_id
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every vote of the session's rounds, by voter name.
pub async fn votes(conn: &mut PgConnection, session_id: i64) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as!(
        VoteRow,
        "select v.round_id, v.user_id, u.display_name as name, v.card
         from poker_vote v join poker_round r on r.id = v.round_id
         join app_user u on u.id = v.user_id
         where r.session_id = $1 order by u.display_name, v.user_id",
        session_id
    )
    .fetch_all(&mut *conn)
    .await
}

/// Starts round `number` of the item at `position`.
pub async fn insert_round(
    conn: &mut PgConnection,
    project_id: Uuid,
    session_id: i64,
    position: i32,
    number: i32,
    now: DateTime<Utc>,
    reveal_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into poker_round (session_id, position, project_id, number, started_at, reveal_at)
         values ($1, $2, $3, $4, $5, $6)",
        session_id,
        position,
        project_id,
        number,
        now,
        reveal_at,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A vote, or a changed vote.
pub async fn upsert_vote(
    conn: &mut PgConnection,
    project_id: Uuid,
    round_id: i64,
    user_id: Uuid,
    card: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into poker_vote (round_id, project_id, user_id, card, voted_at)
         values ($1, $2, $3, $4, $5)
         on conflict (round_id, user_id) do update set card = excluded.card,
                                                       voted_at = excluded.voted_at",
        round_id,
        project_id,
        user_id,
        card,
        now,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn reveal(
    conn: &mut PgConnection,
    round_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update poker_round set revealed_at = $2 where id = $1 and revealed_at is null",
        round_id,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the item's outcome and moves the session to `next` (none: the queue is done).
pub async fn decide(
    conn: &mut PgConnection,
    session_id: i64,
    position: i32,
    outcome: &str,
    points: Option<i16>,
    next: Option<i32>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update poker_entry set outcome = $3, points = $4 where session_id = $1 and position = $2",
        session_id,
        position,
        outcome,
        points,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update poker_session set current = $2 where id = $1",
        session_id,
        next
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the session with its summary frozen.
pub async fn end(
    conn: &mut PgConnection,
    session_id: i64,
    now: DateTime<Utc>,
    summary: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update poker_session set ended_at = $2, current = null, summary = $3 where id = $1",
        session_id,
        now,
        summary
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Item ids by number in the project (live items only), in the order asked; a number not
/// found is left out.
pub async fn items_by_number(
    conn: &mut PgConnection,
    project_id: Uuid,
    numbers: &[i32],
) -> Result<Vec<(i32, Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select number, id, kind from work_item
         where project_id = $1 and number = any($2) and deleted_at is null",
        project_id,
        numbers
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(numbers
        .iter()
        .filter_map(|n| {
            rows.iter()
                .find(|r| r.number == *n)
                .map(|r| (r.number, r.id, r.kind.clone()))
        })
        .collect())
}

/// The default queue: the tasks and bugs committed to an increment (not done), or with no
/// increment the unestimated ones at the top of the backlog; at most `limit`.
pub async fn default_queue(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from work_item
         where project_id = $1 and deleted_at is null and kind <> 'epic' and state <> 'done'
           and case when $2::bigint is null then estimate is null and increment_id is null
                    else increment_id = $2 end
         order by rank, id limit $3",
        project_id,
        increment_id,
        limit
    )
    .fetch_all(&mut *conn)
    .await
}

/// Whether the increment belongs to the project and is not closed.
pub async fn increment_open(
    conn: &mut PgConnection,
    project_id: Uuid,
    increment_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        "select exists (select 1 from increment where project_id = $1 and id = $2
                        and state <> 'closed') as \"open!\"",
        project_id,
        increment_id
    )
    .fetch_one(&mut *conn)
    .await
}

/// Every session of the project, oldest first (the export).
pub async fn sessions(
    conn: &mut PgConnection,
    project_id: Uuid,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        r#"select s.id, s.increment_id, sp.name || ' · ' || i.number as "increment_label?",
                  u.display_name as "started_by?", s.started_at, s.ended_at, s.current,
                  s.countdown_secs, s.summary
           from poker_session s
           left join increment i on i.id = s.increment_id
           left join sprint sp on sp.id = i.sprint_id
           left join app_user u on u.id = s.started_by
           where s.project_id = $1
           order by s.started_at, s.id"#,
        project_id
    )
    .fetch_all(&mut *conn)
    .await
}

/// A session from an export document: ended, with its frozen summary and its queue's
/// outcomes (no rounds or votes).
pub struct ImportedSession<'a> {
    pub project_id: Uuid,
    pub increment_id: Option<i64>,
    pub started_by: Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub countdown_secs: Option<i32>,
    pub summary: &'a serde_json::Value,
    pub items: &'a [Uuid],
    pub outcomes: &'a [Option<String>],
    pub points: &'a [Option<i16>],
}

pub async fn insert_imported(
    conn: &mut PgConnection,
    s: ImportedSession<'_>,
) -> Result<(), sqlx::Error> {
    let id = sqlx::query_scalar!(
        "insert into poker_session (project_id, increment_id, started_by, started_at, ended_at,
                                    countdown_secs, summary)
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
        s.project_id,
        s.increment_id,
        s.started_by,
        s.started_at,
        s.ended_at,
        s.countdown_secs,
        s.summary,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into poker_entry (session_id, position, project_id, item_id, outcome, points)
         select $1, (n - 1)::int, $2, item, outcome, points
         from unnest($3::uuid[], $4::text[], $5::smallint[]) with ordinality as q(item, outcome, points, n)",
        id,
        s.project_id,
        s.items,
        s.outcomes as &[Option<String>],
        s.points as &[Option<i16>],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

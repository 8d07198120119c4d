//! Projects, their members and their settings.

use crate::domain::Role;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub working_days: Vec<i16>,
    pub velocity_window: i16,
    pub created_at: DateTime<Utc>,
}

/// Inserts the project unless the slug is taken (then `None`, nothing written).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn insert(
    conn: &mut PgConnection,
    slug: &str,
    name: &str,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    sqlx::query_as!(
        ProjectRow,
        r#"insert into project (id, slug, name) values ($1, $2, $3)
           on conflict on constraint project_slug_key do nothing
           returning id, slug, name, archived_at, working_days, velocity_window, created_at"#,
        Uuid::now_v7(),
        slug,
        name,
    )
    .fetch_optional(conn)
    .await
}

/// A member's standing on a project: the project, their role, and its effort chart (which
/// most work on the project needs), read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub project: ProjectRow,
    pub role: Role,
    /// (points, label), in ascending points.
    pub chart: Vec<(i16, String)>,
    /// The number of the project's latest change (see the `project_events` migration).
    pub latest_change: i64,
}

/// The project and the caller's role on it, if they are a member, with its effort chart: one
/// statement.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn membership(
    pool: &PgPool,
    slug: &str,
    user_id: Uuid,
) -> Result<Option<Membership>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select p.id, p.slug, p.name, p.archived_at, p.working_days, p.velocity_window,
                  p.created_at, m.role as "role: Role",
                  array(select e.points from effort_chart_entry e
                        where e.project_id = p.id order by e.points) as "points!",
                  array(select e.label from effort_chart_entry e
                        where e.project_id = p.id order by e.points) as "labels!",
                  coalesce((select t.last_event from project_tally t where t.project_id = p.id),
                           0) as "latest_change!"
           from project p join project_member m on m.project_id = p.id
           where p.slug = $1 and m.user_id = $2"#,
        slug,
        user_id,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Membership {
        project: ProjectRow {
            id: r.id,
            slug: r.slug,
            name: r.name,
            archived_at: r.archived_at,
            working_days: r.working_days,
            velocity_window: r.velocity_window,
            created_at: r.created_at,
        },
        role: r.role,
        chart: r.points.into_iter().zip(r.labels).collect(),
        latest_change: r.latest_change,
    }))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyProjectRow {
    pub slug: String,
    pub name: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub role: Role,
    pub members: i64,
}

/// The user's projects, active ones first, then by name.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn for_user(pool: &PgPool, user_id: Uuid) -> Result<Vec<MyProjectRow>, sqlx::Error> {
    sqlx::query_as!(
        MyProjectRow,
        r#"select p.slug, p.name, p.archived_at, m.role as "role: _",
                  (select count(*) from project_member x where x.project_id = p.id) as "members!"
           from project p join project_member m on m.project_id = p.id
           where m.user_id = $1
           order by p.archived_at is not null, lower(p.name), p.slug"#,
        user_id,
    )
    .fetch_all(pool)
    .await
}

/// What the app shell shows around every page, in one round trip: the user's unread
/// notifications (as `comments::unread` counts them), their projects still in use by name,
/// and, for the project open (its id, once the caller's membership was checked), the
/// increment it is in on `today` (its running one, else a planned one whose dates hold
/// `today`) with the project's holidays from `today` to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRow {
    pub unread: i64,
    pub slugs: Vec<String>,
    pub names: Vec<String>,
    pub increment_id: Option<i64>,
    pub sprint_name: Option<String>,
    pub number: Option<i32>,
    pub ends_on: Option<NaiveDate>,
    pub holidays: Option<Vec<NaiveDate>>,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn shell(
    pool: &PgPool,
    user_id: Uuid,
    project_id: Option<Uuid>,
    today: NaiveDate,
) -> Result<ShellRow, sqlx::Error> {
    sqlx::query_as!(
        ShellRow,
        r#"select
             (select count(*) from notification n
              join project_member m on m.project_id = n.project_id and m.user_id = n.user_id
              where n.user_id = $1 and n.read_at is null) as "unread!",
             array(select p.slug from project p join project_member m on m.project_id = p.id
                   where m.user_id = $1 and p.archived_at is null
                   order by lower(p.name), p.slug) as "slugs!",
             array(select p.name from project p join project_member m on m.project_id = p.id
                   where m.user_id = $1 and p.archived_at is null
                   order by lower(p.name), p.slug) as "names!",
             c.id as "increment_id?", c.sprint_name as "sprint_name?", c.number as "number?",
             c.ends_on as "ends_on?", c.holidays as "holidays?"
           from (select 1) one
           left join lateral (
               select i.id, s.name as sprint_name, i.number, i.ends_on,
                      array(select h.day from project_holiday h
                            where h.project_id = i.project_id and h.day between $3 and i.ends_on
                            order by h.day) as holidays
               from increment i join sprint s on s.id = i.sprint_id
               where i.project_id = $2
                 and (i.state = 'active'
                      or (i.state = 'planned' and i.starts_on <= $3 and $3 <= i.ends_on))
               order by i.state = 'active' desc, i.starts_on
               limit 1
           ) c on true"#,
        user_id,
        project_id,
        today
    )
    .fetch_one(pool)
    .await
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn rename(pool: &PgPool, id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("update project set name = $2 where id = $1", id, name)
        .execute(pool)
        .await?;
    Ok(())
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn set_archived(
    pool: &PgPool,
    id: Uuid,
    archived: bool,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update project set archived_at = case when $2 then coalesce(archived_at, $3) end
           where id = $1"#,
        id,
        archived,
        at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Everything in the project goes with it (foreign keys cascade).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn delete(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from project where id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

// --- members --------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn members(pool: &PgPool, project_id: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(
        MemberRow,
        r#"select u.id as user_id, u.email, u.display_name, m.role as "role: _"
           from project_member m join app_user u on u.id = m.user_id
           where m.project_id = $1
           order by case m.role when 'owner' then 0 when 'scrum_master' then 1
                                when 'member' then 2 else 3 end,
                    lower(u.display_name), u.email_normalized"#,
        project_id,
    )
    .fetch_all(pool)
    .await
}

/// Adds a member; `false` if they already were one (nothing changed).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn add_member(
    conn: &mut PgConnection,
    project_id: Uuid,
    user_id: Uuid,
    role: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"insert into project_member (project_id, user_id, role) values ($1, $2, $3)
           on conflict (project_id, user_id) do nothing"#,
        project_id,
        user_id,
        role,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the project's row lock, so concurrent member changes (two owners demoting each
/// other) run one after the other and the last-owner rule holds; returns the member's role.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn lock_member(
    conn: &mut PgConnection,
    project_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Role>, sqlx::Error> {
    sqlx::query!(
        "select id from project where id = $1 for update",
        project_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let row = sqlx::query!(
        r#"select role as "role: Role" from project_member where project_id = $1 and user_id = $2"#,
        project_id,
        user_id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.role))
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn owner_count(conn: &mut PgConnection, project_id: Uuid) -> Result<i64, sqlx::Error> {
    let row = sqlx::query!(
        r#"select count(*) as "n!" from project_member where project_id = $1 and role = 'owner'"#,
        project_id,
    )
    .fetch_one(conn)
    .await?;
    Ok(row.n)
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_role(
    conn: &mut PgConnection,
    project_id: Uuid,
    user_id: Uuid,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update project_member set role = $3 where project_id = $1 and user_id = $2",
        project_id,
        user_id,
        role,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn remove_member(
    conn: &mut PgConnection,
    project_id: Uuid,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from project_member where project_id = $1 and user_id = $2",
        project_id,
        user_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

// --- settings -------------------------------------------------------------------------

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn chart(pool: &PgPool, project_id: Uuid) -> Result<Vec<(i16, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select points, label from effort_chart_entry where project_id = $1 order by points",
        project_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.points, r.label)).collect())
}

/// Replaces the whole chart; run it in the caller's transaction.
#[tracing::instrument(skip(conn, entries), err(level = "debug"))]
pub async fn replace_chart(
    conn: &mut PgConnection,
    project_id: Uuid,
    entries: &[(i16, String)],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from effort_chart_entry where project_id = $1",
        project_id
    )
    .execute(&mut *conn)
    .await?;
    let points: Vec<i16> = entries.iter().map(|e| e.0).collect();
    let labels: Vec<String> = entries.iter().map(|e| e.1.clone()).collect();
    sqlx::query!(
        r#"insert into effort_chart_entry (project_id, points, label)
           select $1, * from unnest($2::smallint[], $3::text[])"#,
        project_id,
        &points,
        &labels,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_calendar(
    conn: &mut PgConnection,
    project_id: Uuid,
    working_days: &[i16],
    velocity_window: i16,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update project set working_days = $2, velocity_window = $3 where id = $1",
        project_id,
        working_days,
        velocity_window,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub day: NaiveDate,
    pub name: String,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn holidays(pool: &PgPool, project_id: Uuid) -> Result<Vec<HolidayRow>, sqlx::Error> {
    sqlx::query_as!(
        HolidayRow,
        "select day, name from project_holiday where project_id = $1 order by day",
        project_id,
    )
    .fetch_all(pool)
    .await
}

/// Replaces the holiday list; run it in the caller's transaction.
#[tracing::instrument(skip(conn, holidays), err(level = "debug"))]
pub async fn replace_holidays(
    conn: &mut PgConnection,
    project_id: Uuid,
    holidays: &[(NaiveDate, String)],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from project_holiday where project_id = $1",
        project_id
    )
    .execute(&mut *conn)
    .await?;
    let days: Vec<NaiveDate> = holidays.iter().map(|h| h.0).collect();
    let names: Vec<String> = holidays.iter().map(|h| h.1.clone()).collect();
    sqlx::query!(
        r#"insert into project_holiday (project_id, day, name)
           select $1, * from unnest($2::date[], $3::text[])"#,
        project_id,
        &days,
        &names,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// --- invitations (memberships an import names, pending until accepted) ------------------

/// Pending invitations for many people at once (an import's members); one already there is
/// left as it is.
#[tracing::instrument(skip(conn, users, roles), err(level = "debug"))]
pub async fn invite_many(
    conn: &mut PgConnection,
    project_id: Uuid,
    invited_by: Uuid,
    users: &[Uuid],
    roles: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into project_invitation (project_id, user_id, role, invited_by)
           select $1, t.user_id, t.role, $2 from unnest($3::uuid[], $4::text[]) as t(user_id, role)
           on conflict (project_id, user_id) do nothing"#,
        project_id,
        invited_by,
        users,
        roles,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub slug: String,
    pub name: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The user's pending invitations, newest first.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn invitations_for(
    pool: &PgPool,
    user_id: Uuid,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        r#"select p.slug, p.name, i.role as "role: _", u.display_name as "invited_by?",
                  i.created_at
           from project_invitation i
           join project p on p.id = i.project_id
           left join app_user u on u.id = i.invited_by
           where i.user_id = $1
           order by i.created_at desc, p.slug"#,
        user_id,
    )
    .fetch_all(pool)
    .await
}

/// Removes the user's invitation to the project named `slug`; the project and the role it
/// offered, when there was one.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn take_invitation(
    conn: &mut PgConnection,
    slug: &str,
    user_id: Uuid,
) -> Result<Option<(Uuid, Role)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"delete from project_invitation i using project p
           where p.id = i.project_id and p.slug = $1 and i.user_id = $2
           returning i.project_id, i.role as "role: Role""#,
        slug,
        user_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.project_id, r.role)))
}

/// Whether the account is a member of the project.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn is_member(
    pool: &PgPool,
    project_id: Uuid,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from project_member where project_id = $1 and user_id = $2)
           as "member!""#,
        project_id,
        user_id,
    )
    .fetch_one(pool)
    .await
}

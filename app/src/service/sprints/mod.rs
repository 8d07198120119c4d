//! Sprints and increments: creating and editing them, planning, the board, starting,
//! closing with a frozen report, and the velocity, burndown and forecast reports.

mod board;
mod reports;

pub use board::{board, planning};
pub(crate) use reports::increments_with_velocity;
use reports::*;
pub use reports::{close, forecast, report, velocity};

use super::items::{place_at_top, to_items};
use super::{access, Access};
use crate::auth::Caller;
use crate::db::items as items_db;
use crate::db::projects as projects_db;
use crate::db::sprints::{self as db, ChangeRow, FactsRow, IncrementRow};
use crate::domain::burndown::{self, Report, Track};
use crate::domain::calendar::Calendar;
use crate::domain::history::{BurnFacts, Change, IncrementRef};
use crate::domain::sprint::{
    self, tile, SprintName, TeamVelocity, DEFAULT_INCREMENT_WEEKS, MAX_INCREMENT_WEEKS,
};
use crate::domain::{Carry, IncrementState, ItemKind, ItemState};
use crate::domain::{EffortChart, EpicPoints, Permission, StoryPoints, WorkingWeek};
use crate::error::{AppError, FieldErrors};
use crate::model::items::Item;
use crate::model::sprints::{
    Board, Closing, Commitment, ForecastLine, ForecastReport, Increment, IncrementPatch,
    IncrementReport, NewSprint, Planning, Sprint, SprintPatch, VelocityPoint, VelocityReport,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// How many backlog items the planning page lists as candidates.
const CANDIDATES: i64 = 100;
/// How many epics the forecast lists.
const FORECAST_EPICS: i64 = 50;

/// The project's working calendar: its working weekdays and holidays.
pub(crate) async fn calendar(pool: &PgPool, access: &Access) -> Result<Calendar, AppError> {
    let holidays = projects_db::holidays(pool, access.project.id).await?;
    calendar_with(access, holidays.into_iter().map(|h| h.day))
}

/// The project's working calendar with these holidays (all of them, or the ones in the span
/// the caller counts).
pub(crate) fn calendar_with(
    access: &Access,
    holidays: impl IntoIterator<Item = NaiveDate>,
) -> Result<Calendar, AppError> {
    let days: Vec<i64> = access
        .project
        .working_days
        .iter()
        .map(|&d| i64::from(d))
        .collect();
    let week = WorkingWeek::parse(&days)
        .map_err(|e| AppError::internal("stored working week invalid", e))?;
    Ok(Calendar::new(week, holidays))
}

fn to_increment(row: &IncrementRow, calendar: &Calendar) -> Result<Increment, AppError> {
    Ok(Increment {
        id: row.id,
        sprint_id: row.sprint_id,
        sprint_name: row.sprint_name.clone(),
        number: row.number,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        business_days: calendar.count_business_days(row.starts_on, row.ends_on),
        state: row.state,
        started_at: row.started_at,
        closed_at: row.closed_at,
        committed_points: row.committed_points.map(|p| p.max(0) as u32),
        item_count: row.item_count,
        points: row.points,
        done_points: row.done_points,
    })
}

fn label(row: &IncrementRow) -> String {
    format!("{} · {}", row.sprint_name, row.number)
}

fn span_text(starts_on: NaiveDate, ends_on: NaiveDate) -> String {
    format!("{starts_on} – {ends_on}")
}

fn parse_date(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.add(field, "pick a date");
        return None;
    }
    match crate::domain::calendar::parse_date(raw) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add(field, e);
            None
        }
    }
}

/// Refuses dates that overlap another increment of the project, naming the clash.
async fn check_overlap(
    conn: &mut PgConnection,
    project_id: Uuid,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    except: Option<i64>,
) -> Result<(), AppError> {
    let clashes = db::overlapping(conn, project_id, starts_on, ends_on, except).await?;
    if let Some((sprint, number, s, e)) = clashes.first() {
        let more = match clashes.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        return Err(AppError::validation(
            "starts_on",
            format!(
                "{} overlaps {sprint} · {number} ({}){more}: increments of a project cannot overlap",
                span_text(starts_on, ends_on),
                span_text(*s, *e)
            ),
        ));
    }
    Ok(())
}

async fn increments_of(
    pool: &PgPool,
    access: &Access,
    calendar: &Calendar,
) -> Result<Vec<(IncrementRow, Increment)>, AppError> {
    let mut conn = pool.acquire().await?;
    let rows = db::increments(&mut conn, access.project.id, None).await?;
    rows.into_iter()
        .map(|r| {
            let inc = to_increment(&r, calendar)?;
            Ok((r, inc))
        })
        .collect()
}

/// The project's sprints with their increments, by date.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn list(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<Vec<Sprint>, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    sprints_of(pool, &access).await
}

async fn sprints_of(pool: &PgPool, access: &Access) -> Result<Vec<Sprint>, AppError> {
    let calendar = calendar(pool, access).await?;
    let mut by_sprint: HashMap<i64, Vec<Increment>> = HashMap::new();
    for (_, inc) in increments_of(pool, access, &calendar).await? {
        by_sprint.entry(inc.sprint_id).or_default().push(inc);
    }
    Ok(db::sprints(pool, access.project.id)
        .await?
        .into_iter()
        .map(|s| Sprint {
            increments: by_sprint.remove(&s.id).unwrap_or_default(),
            id: s.id,
            name: s.name,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            increment_weeks: s.increment_weeks.clamp(1, 8) as u8,
        })
        .collect())
}

async fn sprint_by_id(pool: &PgPool, access: &Access, id: i64) -> Result<Sprint, AppError> {
    sprints_of(pool, access)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)
}

/// Creates a sprint and the increments that tile it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn create(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    input: &NewSprint,
) -> Result<Sprint, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let mut errors = FieldErrors::default();
    let name = SprintName::parse(&input.name)
        .map_err(|e| errors.add("name", e))
        .ok();
    let starts_on = parse_date(&mut errors, "starts_on", &input.starts_on);
    let ends_on = parse_date(&mut errors, "ends_on", &input.ends_on);
    let weeks = match input
        .increment_weeks
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        None => Some(DEFAULT_INCREMENT_WEEKS),
        Some(w) => match w.parse::<u8>() {
            Ok(n) if (1..=MAX_INCREMENT_WEEKS).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "increment_weeks",
                    format!("an increment lasts 1 to {MAX_INCREMENT_WEEKS} weeks"),
                );
                None
            }
        },
    };
    let (Some(name), Some(starts_on), Some(ends_on), Some(weeks)) =
        (name, starts_on, ends_on, weeks)
    else {
        return Err(AppError::Validation(errors));
    };
    let spans = tile(starts_on, ends_on, weeks).map_err(|e| AppError::validation("ends_on", e))?;
    let project_id = access.project.id;
    let mut tx = pool.begin().await?;
    db::lock_project(&mut tx, project_id).await?;
    check_overlap(&mut tx, project_id, starts_on, ends_on, None).await?;
    let id = db::insert_sprint(
        &mut tx,
        project_id,
        name.as_str(),
        starts_on,
        ends_on,
        i16::from(weeks),
    )
    .await?;
    for (n, span) in spans.iter().enumerate() {
        db::insert_increment(
            &mut tx,
            project_id,
            id,
            n as i32 + 1,
            span.starts_on,
            span.ends_on,
        )
        .await?;
    }
    tx.commit().await?;
    sprint_by_id(pool, &access, id).await
}

#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn rename(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    patch: &SprintPatch,
) -> Result<Sprint, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let name = SprintName::parse(&patch.name).map_err(|e| AppError::validation("name", e))?;
    let mut conn = pool.acquire().await?;
    if !db::rename_sprint(&mut conn, access.project.id, id, name.as_str()).await? {
        return Err(AppError::NotFound);
    }
    drop(conn);
    sprint_by_id(pool, &access, id).await
}

async fn locked_increment(
    conn: &mut PgConnection,
    project_id: Uuid,
    id: i64,
) -> Result<IncrementRow, AppError> {
    db::increment(conn, project_id, id, true)
        .await?
        .ok_or(AppError::NotFound)
}

async fn read_increment(
    pool: &PgPool,
    access: &Access,
    calendar: &Calendar,
    id: i64,
) -> Result<Increment, AppError> {
    let mut conn = pool.acquire().await?;
    let row = db::increment(&mut conn, access.project.id, id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    to_increment(&row, calendar)
}

/// New dates for an increment that is not closed; they may not overlap another one.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn edit_increment(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    patch: &IncrementPatch,
) -> Result<Increment, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let project_id = access.project.id;
    let calendar = calendar(pool, &access).await?;
    let mut tx = pool.begin().await?;
    db::lock_project(&mut tx, project_id).await?;
    let row = locked_increment(&mut tx, project_id, id).await?;
    if row.state == IncrementState::Closed {
        return Err(AppError::Conflict(format!(
            "{} is closed: its dates and report stay as they were",
            label(&row)
        )));
    }
    let mut errors = FieldErrors::default();
    let starts_on = match &patch.starts_on {
        Some(raw) => parse_date(&mut errors, "starts_on", raw),
        None => Some(row.starts_on),
    };
    let ends_on = match &patch.ends_on {
        Some(raw) => parse_date(&mut errors, "ends_on", raw),
        None => Some(row.ends_on),
    };
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return Err(AppError::Validation(errors));
    };
    if ends_on < starts_on {
        return Err(AppError::validation(
            "ends_on",
            "the end date is before the start date",
        ));
    }
    if (ends_on - starts_on).num_days() >= sprint::MAX_SPRINT_DAYS {
        return Err(AppError::validation(
            "ends_on",
            "an increment lasts at most two years",
        ));
    }
    check_overlap(&mut tx, project_id, starts_on, ends_on, Some(id)).await?;
    db::set_dates(&mut tx, id, starts_on, ends_on).await?;
    tx.commit().await?;
    read_increment(pool, &access, &calendar, id).await
}

fn increment_value(row: &IncrementRow) -> IncrementRef {
    IncrementRef {
        id: Some(row.id),
        name: label(row),
    }
}

/// For planning changes: the caller may plan, and the increment (locked) is not closed.
async fn open_increment<'p>(
    pool: &'p PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    if_closed: &str,
) -> Result<(Access, sqlx::Transaction<'p, sqlx::Postgres>, IncrementRow), AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let mut tx = pool.begin().await?;
    // Locks in the same order as start, close and edit: project, then increment.
    db::lock_project(&mut tx, access.project.id).await?;
    let target = open_increment_in(&mut tx, &access, id, if_closed).await?;
    Ok((access, tx, target))
}

/// An increment that is not closed, locked, in a transaction holding the project's lock.
pub(crate) async fn open_increment_in(
    tx: &mut PgConnection,
    access: &Access,
    id: i64,
    if_closed: &str,
) -> Result<IncrementRow, AppError> {
    let target = locked_increment(tx, access.project.id, id).await?;
    if target.state == IncrementState::Closed {
        return Err(AppError::Conflict(format!(
            "{} is closed: {if_closed}",
            label(&target)
        )));
    }
    Ok(target)
}

/// Puts an item in an increment (or none) and records the move in its history.
async fn move_item(
    tx: &mut PgConnection,
    access: &Access,
    item_id: Uuid,
    to: Option<i64>,
    old: Option<IncrementRef>,
    new: Option<IncrementRef>,
) -> Result<(), AppError> {
    db::set_increment(tx, item_id, to).await?;
    let change = Change::Increment { old, new };
    items_db::record(
        tx,
        access.project.id,
        item_id,
        access.caller.id,
        access.caller.clock.now(),
        &change,
    )
    .await?;
    Ok(())
}

/// Commits items to an increment that is not closed (moving them from another open one).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn commit(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    items: &Commitment,
) -> Result<(), AppError> {
    let (access, mut tx, target) =
        open_increment(pool, caller, slug, id, "plan the next increment instead").await?;
    within_limit(items)?;
    commit_in(&mut tx, &access, &target, &items.items).await?;
    tx.commit().await?;
    Ok(())
}

/// Commits items to `target` (open, locked with the project) inside the caller's
/// transaction. Returns the items it moved that can go back where they were, with the
/// increment each came from (none: the backlog); not those from a closed increment.
pub(crate) async fn commit_in(
    tx: &mut PgConnection,
    access: &Access,
    target: &IncrementRow,
    numbers: &[i32],
) -> Result<Vec<(i32, Option<i64>)>, AppError> {
    let id = target.id;
    let project_id = access.project.id;
    let increments: HashMap<i64, IncrementRow> = db::increments(&mut *tx, project_id, None)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let mut back = Vec::new();
    for &number in &numbers {
        let Some(item) = items_db::by_number(&mut *tx, project_id, number, true)
            .await?
            .filter(|r| r.deleted_at.is_none())
        else {
            errors.push(format!("there is no item #{number} in this project"));
            continue;
        };
        if item.kind == ItemKind::Epic {
            errors.push(format!(
                "#{number} is an epic: commit its child tasks instead"
            ));
        } else if item.state == ItemState::Done {
            errors.push(format!("#{number} is already done"));
        } else if item.increment_id == Some(id) {
            // Already there: nothing to do.
        } else {
            // From the backlog, another open increment, or (reopened) a closed one.
            let came_from = item.increment_id.and_then(|i| increments.get(&i));
            if came_from.is_none_or(|i| i.state != IncrementState::Closed) {
                back.push((number, item.increment_id));
            }
            changes.push((item.id, came_from.map(increment_value)));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", listed(&errors)));
    }
    let new = increment_value(target);
    for (item_id, old) in changes {
        move_item(tx, access, item_id, Some(id), old, Some(new.clone())).await?;
    }
    Ok(back)
}

/// A commitment names at most [`sprint::MAX_COMMITTED_AT_ONCE`] items: each is looked up
/// and locked while the project's lock is held.
fn within_limit(items: &Commitment) -> Result<(), AppError> {
    if items.items.len() > sprint::MAX_COMMITTED_AT_ONCE {
        return Err(AppError::validation(
            "items",
            format!(
                "at most {} items at a time ({} were sent): send them in smaller groups",
                sprint::MAX_COMMITTED_AT_ONCE,
                items.items.len()
            ),
        ));
    }
    Ok(())
}

/// Problems with a list of items, the first few in full.
pub(crate) fn listed(errors: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = errors[..errors.len().min(SHOWN)].join("; ");
    if errors.len() > SHOWN {
        text.push_str(&format!("; and {} more", errors.len() - SHOWN));
    }
    text
}

/// Takes items out of an increment that is not closed, back to the backlog.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn uncommit(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    items: &Commitment,
) -> Result<(), AppError> {
    let (access, mut tx, target) =
        open_increment(pool, caller, slug, id, "its items stay in its report").await?;
    within_limit(items)?;
    uncommit_in(&mut tx, &access, &target, &items.items).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes items out of `target` (open, locked with the project) inside the caller's
/// transaction, back to the backlog.
pub(crate) async fn uncommit_in(
    tx: &mut PgConnection,
    access: &Access,
    target: &IncrementRow,
    numbers: &[i32],
) -> Result<(), AppError> {
    let project_id = access.project.id;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    for &number in &numbers {
        match items_db::by_number(&mut *tx, project_id, number, true).await? {
            Some(item) if item.increment_id == Some(target.id) => ids.push(item.id),
            _ => errors.push(format!("#{number} is not in {}", label(target))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", listed(&errors)));
    }
    let old = increment_value(target);
    for item_id in ids {
        move_item(tx, access, item_id, None, Some(old.clone()), None).await?;
    }
    Ok(())
}

/// Starts a planned increment, recording its commitment; one runs at a time.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn start(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
) -> Result<Increment, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let project_id = access.project.id;
    let calendar = calendar(pool, &access).await?;
    let mut tx = pool.begin().await?;
    db::lock_project(&mut tx, project_id).await?;
    let row = locked_increment(&mut tx, project_id, id).await?;
    if row.state != IncrementState::Planned {
        return Err(AppError::Conflict(format!(
            "{} has already been started",
            label(&row)
        )));
    }
    let active = db::increments(&mut tx, project_id, None)
        .await?
        .into_iter()
        .find(|r| r.state == IncrementState::Active);
    if let Some(active) = active {
        return Err(AppError::Conflict(format!(
            "{} is still running: close it before starting {}",
            label(&active),
            label(&row)
        )));
    }
    let ids = db::item_ids(&mut tx, id).await?;
    let items = items_db::by_ids(&mut tx, &ids).await?;
    let counted: Vec<_> = items.iter().filter(|i| i.kind != ItemKind::Epic).collect();
    let points: i32 = counted
        .iter()
        .map(|i| i32::from(i.estimate.unwrap_or(0)))
        .sum();
    let commitment = json!(counted
        .iter()
        .map(|i| json!({"number": i.number, "points": i.estimate}))
        .collect::<Vec<_>>());
    db::mark_started(&mut tx, id, points, commitment, access.caller.clock.now()).await?;
    let mut people: Vec<_> = items.iter().filter_map(|i| i.assignee_id).collect();
    people.sort_unstable();
    people.dedup();
    let summary = format!("{} started", label(&row));
    crate::service::comments::increment_moved(
        &mut tx,
        &access,
        &people,
        "increment_started",
        &summary,
    )
    .await?;
    tx.commit().await?;
    read_increment(pool, &access, &calendar, id).await
}

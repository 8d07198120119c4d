//! Sprints and increments: creating and editing them, planning, the board, starting,
//! closing with a frozen report, and the velocity, burndown and forecast reports.

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
    let days: Vec<i64> = access
        .project
        .working_days
        .iter()
        .map(|&d| i64::from(d))
        .collect();
    let week = WorkingWeek::parse(&days)
        .map_err(|e| AppError::internal("stored working week invalid", e))?;
    let holidays = projects_db::holidays(pool, access.project.id).await?;
    Ok(Calendar::new(week, holidays.into_iter().map(|h| h.day)))
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
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, format!("{raw:?} is not a date (YYYY-MM-DD)"));
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
    let target = locked_increment(&mut tx, access.project.id, id).await?;
    if target.state == IncrementState::Closed {
        return Err(AppError::Conflict(format!(
            "{} is closed: {if_closed}",
            label(&target)
        )));
    }
    Ok((access, tx, target))
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
    items_db::record(tx, access.project.id, item_id, access.caller.id, &change).await?;
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
    let project_id = access.project.id;
    let increments: HashMap<i64, IncrementRow> = db::increments(&mut tx, project_id, None)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut numbers = items.items.clone();
    numbers.sort_unstable();
    numbers.dedup();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for &number in &numbers {
        let Some(item) = items_db::by_number(&mut tx, project_id, number, true)
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
            let from = item
                .increment_id
                .and_then(|i| increments.get(&i))
                .map(increment_value);
            changes.push((item.id, from));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", errors.join("; ")));
    }
    let new = increment_value(&target);
    for (item_id, old) in changes {
        move_item(&mut tx, &access, item_id, Some(id), old, Some(new.clone())).await?;
    }
    tx.commit().await?;
    Ok(())
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
    let project_id = access.project.id;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    let mut numbers = items.items.clone();
    numbers.sort_unstable();
    numbers.dedup();
    for &number in &numbers {
        match items_db::by_number(&mut tx, project_id, number, true).await? {
            Some(item) if item.increment_id == Some(id) => ids.push(item.id),
            _ => errors.push(format!("#{number} is not in {}", label(&target))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", errors.join("; ")));
    }
    let old = increment_value(&target);
    for item_id in ids {
        move_item(&mut tx, &access, item_id, None, Some(old.clone()), None).await?;
    }
    tx.commit().await?;
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
    db::mark_started(&mut tx, id, points, commitment).await?;
    tx.commit().await?;
    read_increment(pool, &access, &calendar, id).await
}

// --- reports ---------------------------------------------------------------------------

/// Rebuilds each item's track through the increment by walking its history backwards
/// from what it is now.
fn build_tracks(increment: i64, facts: &[FactsRow], changes: &[ChangeRow]) -> Vec<Track> {
    let mut by_item: HashMap<Uuid, Vec<(DateTime<Utc>, Change)>> = HashMap::new();
    for row in changes {
        if let Some(change) = row.change() {
            by_item
                .entry(row.item_id)
                .or_default()
                .push((row.at, change));
        }
    }
    facts
        .iter()
        .map(|f| {
            let now = BurnFacts {
                exists: true,
                kind: f.kind,
                estimate: f.estimate.and_then(|e| StoryPoints::parse_extended(e).ok()),
                state: f.state,
                increment_id: f.increment_id,
                deleted: f.deleted,
            };
            now.track(increment, by_item.get(&f.id).map_or(&[], Vec::as_slice))
        })
        .collect()
}

async fn compute_report(
    conn: &mut PgConnection,
    project_id: Uuid,
    row: &IncrementRow,
    calendar: &Calendar,
    until: DateTime<Utc>,
) -> Result<Option<Report>, AppError> {
    let Some(started_at) = row.started_at else {
        return Ok(None);
    };
    let (facts, changes) = db::tracks(conn, project_id, row.id).await?;
    let tracks = build_tracks(row.id, &facts, &changes);
    let days = calendar.business_days(row.starts_on, row.ends_on);
    Ok(Some(burndown::report(&tracks, started_at, until, &days)))
}

fn frozen(row: &IncrementRow) -> Result<Option<Report>, AppError> {
    row.report
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| AppError::internal("stored increment report unreadable", e))
}

async fn items_in(
    pool: &PgPool,
    chart: &EffortChart,
    increment_id: i64,
) -> Result<Vec<Item>, AppError> {
    let mut conn = pool.acquire().await?;
    let ids = db::item_ids(&mut conn, increment_id).await?;
    let rows = items_db::by_ids(&mut conn, &ids).await?;
    drop(conn);
    to_items(pool, &rows, chart).await
}

/// The first planned increment that starts after this one.
fn next_after<'a>(
    all: &'a [(IncrementRow, Increment)],
    row: &IncrementRow,
) -> Option<&'a Increment> {
    all.iter()
        .filter(|(r, _)| {
            r.state == IncrementState::Planned && r.id != row.id && r.starts_on > row.starts_on
        })
        .map(|(_, i)| i)
        .next()
}

/// An increment with its report: frozen once closed, from history up to now while active.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn report(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
) -> Result<IncrementReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    report_of(pool, &access, id).await
}

async fn report_of(pool: &PgPool, access: &Access, id: i64) -> Result<IncrementReport, AppError> {
    let calendar = calendar(pool, access).await?;
    let chart = super::projects::effort_chart(pool, &access.project).await?;
    let all = increments_of(pool, access, &calendar).await?;
    let (row, increment) = all
        .iter()
        .find(|(r, _)| r.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let report = match row.state.as_str() {
        "closed" => frozen(&row)?,
        _ => {
            let mut conn = pool.acquire().await?;
            let now = db::now(&mut conn).await?;
            compute_report(&mut conn, access.project.id, &row, &calendar, now).await?
        }
    };
    Ok(IncrementReport {
        business_days: calendar.business_days(row.starts_on, row.ends_on),
        frozen: row.state == IncrementState::Closed,
        next: next_after(&all, &row).cloned(),
        items: items_in(pool, &chart, id).await?,
        increment,
        report,
    })
}

/// Closes the active increment: freezes its report, then carries the unfinished items to
/// the next planned increment or back to the top of the backlog.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn close(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    closing: &Closing,
) -> Result<IncrementReport, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let project_id = access.project.id;
    let calendar = calendar(pool, &access).await?;
    let all = increments_of(pool, &access, &calendar).await?;
    let mut tx = pool.begin().await?;
    db::lock_project(&mut tx, project_id).await?;
    let row = locked_increment(&mut tx, project_id, id).await?;
    match row.state.as_str() {
        "planned" => {
            return Err(AppError::Conflict(format!(
                "{} has not been started yet",
                label(&row)
            )))
        }
        "closed" => {
            return Err(AppError::Conflict(format!(
                "{} is already closed",
                label(&row)
            )))
        }
        _ => {}
    }
    // Its items are locked before the report is computed: a card moved to Done meanwhile
    // is either in the report or waits for the close, never lost between the two.
    let ids = db::lock_items(&mut tx, id).await?;
    let now = db::now(&mut tx).await?;
    let report = compute_report(&mut tx, project_id, &row, &calendar, now)
        .await?
        .ok_or_else(|| AppError::broken("active increment without a start"))?;
    let frozen = serde_json::to_value(&report)
        .map_err(|e| AppError::internal("report not serialisable", e))?;
    db::mark_closed(&mut tx, id, now, frozen).await?;

    let unfinished: Vec<_> = items_db::by_ids(&mut tx, &ids)
        .await?
        .into_iter()
        .filter(|i| i.state != ItemState::Done)
        .collect();
    let mut errors = Vec::new();
    for exception in &closing.items {
        if !unfinished.iter().any(|i| i.number == exception.number) {
            errors.push(format!(
                "#{} is not an unfinished item of {}",
                exception.number,
                label(&row)
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", errors.join("; ")));
    }
    let next = next_after(&all, &row);
    let old = increment_value(&row);
    // Back to the backlog in their current order, above everything else.
    for item in unfinished.iter().rev() {
        let carry = closing
            .items
            .iter()
            .find(|e| e.number == item.number)
            .map_or(closing.carry, |e| e.carry);
        let (to, new) = match (carry, next) {
            (Carry::Next, Some(next)) => (
                Some(next.id),
                Some(IncrementRef {
                    id: Some(next.id),
                    name: next.label(),
                }),
            ),
            (Carry::Next, None) => {
                return Err(AppError::validation(
                    "carry",
                    format!(
                        "there is no planned increment after {}: send the items back to the backlog, or create the next sprint first",
                        label(&row)
                    ),
                ))
            }
            (Carry::Backlog, _) => {
                let rank = place_at_top(&mut tx, project_id, item.id).await?;
                items_db::set_rank(&mut tx, item.id, rank).await?;
                (None, None)
            }
        };
        move_item(&mut tx, &access, item.id, to, Some(old.clone()), new).await?;
    }
    tx.commit().await?;
    report_of(pool, &access, id).await
}

/// Every increment with its velocity: frozen once closed, so far while active, none while
/// planned. For the reflection, which shows an increment's velocity beside the one before.
pub(crate) async fn increments_with_velocity(
    pool: &PgPool,
    access: &Access,
) -> Result<Vec<(Increment, Option<f64>)>, AppError> {
    let calendar = calendar(pool, access).await?;
    let mut out = Vec::new();
    for (row, increment) in increments_of(pool, access, &calendar).await? {
        let velocity = match row.state.as_str() {
            "closed" => frozen(&row)?.and_then(|r| r.velocity),
            "active" => {
                let mut conn = pool.acquire().await?;
                let now = db::now(&mut conn).await?;
                compute_report(&mut conn, access.project.id, &row, &calendar, now)
                    .await?
                    .and_then(|r| r.velocity)
            }
            _ => None,
        };
        out.push((increment, velocity));
    }
    Ok(out)
}

/// Velocity of each closed increment (from their frozen reports) and the team's.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn velocity(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<VelocityReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    velocity_of(pool, &access).await
}

async fn velocity_of(pool: &PgPool, access: &Access) -> Result<VelocityReport, AppError> {
    let mut conn = pool.acquire().await?;
    let rows = db::increments(&mut conn, access.project.id, None).await?;
    drop(conn);
    let mut points = Vec::new();
    for row in rows.iter().filter(|r| r.state == IncrementState::Closed) {
        let Some(report) = frozen(row)? else { continue };
        points.push(VelocityPoint {
            increment_id: row.id,
            label: label(row),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            committed: report.committed,
            added: report.added,
            removed: report.removed,
            completed: report.completed,
            business_days: report.business_days,
            velocity: report.velocity,
        });
    }
    let window = access.project.velocity_window.clamp(1, 12) as u8;
    let newest_first: Vec<f64> = points.iter().rev().filter_map(|p| p.velocity).collect();
    Ok(VelocityReport {
        team: sprint::team_velocity(&newest_first, usize::from(window)),
        increments: points,
        window,
    })
}

/// Remaining points ÷ team velocity, for the whole backlog and each open epic.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn forecast(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<ForecastReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let calendar = calendar(pool, &access).await?;
    let team = velocity_of(pool, &access).await?.team;
    let from = Utc::now().date_naive();
    let points = |p: i64| p.clamp(0, i64::from(u32::MAX)) as u32;
    let line = |label: String, epic: Option<i32>, remaining: u32| ForecastLine {
        label,
        epic,
        remaining_points: remaining,
        forecast: team
            .as_ref()
            .and_then(|t| sprint::forecast(remaining, t, &calendar, from)),
        own_size: None,
        children_remaining: None,
        counted: None,
    };
    let backlog = line(
        "Whole backlog".into(),
        None,
        points(db::remaining_points(pool, access.project.id).await?),
    );
    let epics = db::epics_remaining(pool, access.project.id, FORECAST_EPICS)
        .await?
        .into_iter()
        .map(|e| {
            let own = e.own_size.map(|p| points(i64::from(p)));
            let children = points(e.children_remaining);
            let counted = EpicPoints::of(own, points(e.estimated_children));
            ForecastLine {
                own_size: own,
                children_remaining: Some(children),
                counted: Some(counted),
                ..line(e.title, Some(e.number), counted.remaining(own, children))
            }
        })
        .collect();
    Ok(ForecastReport {
        team,
        from,
        backlog,
        epics,
    })
}

fn parse_velocity(raw: Option<&str>) -> Result<Option<f64>, AppError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 && n <= 10_000.0 => Ok(Some(n)),
            _ => Err(AppError::validation(
                "velocity",
                format!("{v:?} is not a velocity: give points per business day, like 12.5"),
            )),
        },
    }
}

/// The planning session for an increment (by default the next one to run): capacity from
/// the team's velocity (or a typed one), what is committed, and the backlog to pick from.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn planning(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: Option<i64>,
    typed: Option<&str>,
) -> Result<Planning, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let typed = parse_velocity(typed)?;
    let calendar = calendar(pool, &access).await?;
    let chart = super::projects::effort_chart(pool, &access.project).await?;
    let all = increments_of(pool, &access, &calendar).await?;
    let plannable: Vec<Increment> = all
        .iter()
        .filter(|(r, _)| r.state != IncrementState::Closed)
        .map(|(_, i)| i.clone())
        .collect();
    let chosen = match increment {
        Some(id) => all
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, i)| i.clone())
            .ok_or(AppError::NotFound)?,
        None => plannable
            .iter()
            .find(|i| i.state == IncrementState::Planned)
            .or_else(|| plannable.first())
            .cloned()
            .ok_or_else(|| {
                AppError::Conflict("there is no increment to plan: create a sprint first".into())
            })?,
    };
    let team = velocity_of(pool, &access).await?.team;
    let days = chosen.business_days;
    let velocity = typed.or(team.map(|t| t.average));
    let range = |t: &TeamVelocity, fast: bool| {
        sprint::capacity(if fast { t.fastest } else { t.slowest }, days)
    };
    let mut conn = pool.acquire().await?;
    let mut candidate_ids = db::candidate_ids(&mut conn, access.project.id, CANDIDATES + 1).await?;
    let more_candidates = candidate_ids.len() as i64 > CANDIDATES;
    candidate_ids.truncate(CANDIDATES as usize);
    let candidate_rows = items_db::by_ids(&mut conn, &candidate_ids).await?;
    drop(conn);
    Ok(Planning {
        committed: items_in(pool, &chart, chosen.id).await?,
        candidates: to_items(pool, &candidate_rows, &chart).await?,
        more_candidates,
        capacity: velocity.map(|v| sprint::capacity(v, days)),
        capacity_low: team
            .as_ref()
            .filter(|_| typed.is_none())
            .map(|t| range(t, false)),
        capacity_high: team
            .as_ref()
            .filter(|_| typed.is_none())
            .map(|t| range(t, true)),
        typed: typed.is_some(),
        velocity,
        team,
        increment: chosen,
        plannable,
    })
}

/// The task board of an increment: the one asked for, else the active one, else the next
/// planned one.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn board(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: Option<i64>,
) -> Result<Board, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let calendar = calendar(pool, &access).await?;
    let chart = super::projects::effort_chart(pool, &access.project).await?;
    let all: Vec<Increment> = increments_of(pool, &access, &calendar)
        .await?
        .into_iter()
        .map(|(_, i)| i)
        .collect();
    let chosen = match increment {
        Some(id) => Some(
            all.iter()
                .find(|i| i.id == id)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => all
            .iter()
            .find(|i| i.state == IncrementState::Active)
            .or_else(|| all.iter().find(|i| i.state == IncrementState::Planned))
            .cloned(),
    };
    let items = match &chosen {
        Some(inc) => items_in(pool, &chart, inc.id).await?,
        None => Vec::new(),
    };
    Ok(Board {
        increment: chosen,
        increments: all,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_velocity_must_be_a_positive_number() {
        assert_eq!(parse_velocity(Some(" 12,5 ")).unwrap(), Some(12.5));
        assert_eq!(parse_velocity(Some("")).unwrap(), None);
        assert!(parse_velocity(Some("fast")).is_err());
        assert!(parse_velocity(Some("0")).is_err());
        assert!(parse_velocity(Some("NaN")).is_err());
    }
}

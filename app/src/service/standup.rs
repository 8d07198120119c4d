//! The daily stand-up, read from the board and the history; members' notes per day.

use super::{access, Access};
use crate::api::items::Person;
use crate::api::standup::{Note, NoteInput, Standup, StandupItem, StandupPerson, Worked};
use crate::auth::Caller;
use crate::db::items::{self as items_db, ItemRow};
use crate::db::projects as projects_db;
use crate::db::standup::{self as db, NoteRow};
use crate::domain::account::initials_of;
use crate::domain::{Action, EffortChart, ItemState, Role, StoryPoints};
use crate::error::{AppError, FieldErrors};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// How long a note's part may be.
const NOTE_MAX_CHARS: usize = 1000;

fn internal(what: &str) -> AppError {
    tracing::error!("{what}");
    AppError::Internal
}

/// `YYYY-MM-DD`, or today when absent.
fn parse_day(raw: Option<&str>) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(Utc::now().date_naive()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::validation("date", format!("{d:?} is not a date (YYYY-MM-DD)"))),
    }
}

fn to_note(row: &NoteRow) -> Note {
    Note {
        yesterday: row.yesterday.clone(),
        today: row.today.clone(),
        blockers: row.blockers.clone(),
        updated_at: row.updated_at,
    }
}

fn person(name: &str, email: &str) -> Person {
    Person {
        email: email.to_owned(),
        display_name: name.to_owned(),
        initials: initials_of(name),
    }
}

fn to_item(
    row: &ItemRow,
    chart: &EffortChart,
    since: Option<chrono::DateTime<Utc>>,
) -> StandupItem {
    StandupItem {
        number: row.number,
        title: row.title.clone(),
        estimate_label: row
            .estimate
            .and_then(|e| StoryPoints::parse_extended(e).ok())
            .map(|p| chart.display(p)),
        state: ItemState::parse(&row.state).unwrap_or(ItemState::Todo),
        assignee: match (&row.assignee_name, &row.assignee_email) {
            (Some(n), Some(e)) => Some(person(n, e)),
            _ => None,
        },
        blocked_reason: row.blocked_reason.clone(),
        blocked_since: since.filter(|_| row.blocked),
    }
}

/// The stand-up for a day (default today): each member's previous business day from the
/// history, their items in progress and blocked, and their note.
#[tracing::instrument(skip(pool, caller), err)]
pub async fn standup(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    date: Option<&str>,
) -> Result<Standup, AppError> {
    let access = access(pool, caller, slug, Action::Read).await?;
    let day = parse_day(date)?;
    summary(pool, &access, day).await
}

async fn summary(pool: &PgPool, access: &Access, day: NaiveDate) -> Result<Standup, AppError> {
    let project_id = access.project.id;
    let calendar = super::sprints::calendar(pool, access).await?;
    let chart = super::projects::effort_chart(pool, &access.project).await?;
    let previous = calendar.previous_business_day(day);
    let members = projects_db::members(pool, project_id).await?;

    // Yesterday: what each member changed on the previous business day, per item.
    let mut worked: HashMap<Uuid, BTreeMap<Uuid, (bool, Vec<String>)>> = HashMap::new();
    if let Some(prev) = previous {
        let from = prev.and_time(NaiveTime::MIN).and_utc();
        for change in db::work(pool, project_id, from, from + Duration::days(1)).await? {
            let entry = worked
                .entry(change.actor_id)
                .or_default()
                .entry(change.item_id)
                .or_default();
            if change.field == "state"
                && change.new_value.as_ref().and_then(|v| v.as_str()) == Some("done")
            {
                entry.0 = true;
            }
            if !entry.1.contains(&change.field) {
                entry.1.push(change.field);
            }
        }
    }
    let worked_ids: Vec<Uuid> = worked
        .values()
        .flat_map(|items| items.keys().copied())
        .collect();
    let active_ids = db::active_ids(pool, project_id).await?;
    let mut conn = pool.acquire().await?;
    let rows: HashMap<Uuid, ItemRow> =
        items_db::by_ids(&mut conn, &[worked_ids, active_ids.clone()].concat())
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    drop(conn);
    let since: HashMap<Uuid, chrono::DateTime<Utc>> = db::blocked_since(pool, &active_ids)
        .await?
        .into_iter()
        .collect();
    let active: Vec<&ItemRow> = active_ids.iter().filter_map(|id| rows.get(id)).collect();
    let notes: HashMap<Uuid, Note> = db::notes(pool, project_id, day)
        .await?
        .iter()
        .map(|n| (n.user_id, to_note(n)))
        .collect();

    let item = |row: &ItemRow| to_item(row, &chart, since.get(&row.id).copied());
    let people = members
        .iter()
        .map(|m| {
            let role = Role::parse(&m.role).map_err(|_| internal("unknown role stored"))?;
            let yesterday = worked
                .get(&m.user_id)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|(id, (finished, fields))| {
                            rows.get(id).map(|r| Worked {
                                number: r.number,
                                title: r.title.clone(),
                                finished: *finished,
                                fields: fields.clone(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mine = |r: &&&ItemRow| r.assignee_id == Some(m.user_id);
            Ok(StandupPerson {
                person: person(&m.display_name, &m.email),
                role,
                yesterday,
                today: active
                    .iter()
                    .filter(mine)
                    .filter(|r| r.state == "doing")
                    .map(|r| item(r))
                    .collect(),
                blockers: active
                    .iter()
                    .filter(mine)
                    .filter(|r| r.blocked)
                    .map(|r| item(r))
                    .collect(),
                note: notes.get(&m.user_id).cloned(),
                me: m.user_id == access.caller.id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let day_ago = Utc::now() - Duration::days(1);
    Ok(Standup {
        date: day,
        previous_business_day: previous,
        is_today: day == Utc::now().date_naive(),
        people,
        unassigned_doing: active
            .iter()
            .filter(|r| r.state == "doing" && r.assignee_id.is_none())
            .map(|r| item(r))
            .collect(),
        long_blocked: active
            .iter()
            .filter(|r| r.blocked && since.get(&r.id).is_some_and(|at| *at < day_ago))
            .map(|r| item(r))
            .collect(),
        can_note: access.role.allows(Action::Contribute) && access.project.archived_at.is_none(),
        can_run: access.role.allows(Action::Plan),
    })
}

/// Writes the caller's own note for a day.
#[tracing::instrument(skip(pool, caller, input), err)]
pub async fn save_note(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    date: &str,
    input: &NoteInput,
) -> Result<Note, AppError> {
    let access = access(pool, caller, slug, Action::Contribute).await?;
    let day = parse_day(Some(date))?;
    let mut errors = FieldErrors::default();
    let mut part = |field: &str, text: &str| {
        let text = text.trim();
        if text.chars().count() > NOTE_MAX_CHARS {
            errors.add(field, format!("keep it to {NOTE_MAX_CHARS} characters"));
        }
        text.to_owned()
    };
    let (yesterday, today, blockers) = (
        part("yesterday", &input.yesterday),
        part("today", &input.today),
        part("blockers", &input.blockers),
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let row = db::save_note(
        pool,
        access.project.id,
        access.caller.id,
        day,
        &yesterday,
        &today,
        &blockers,
    )
    .await?;
    Ok(to_note(&row))
}

//! The daily stand-up, read from the board and the history; members' notes per day.

use super::{access, Access};
use crate::auth::Caller;
use crate::db::items::{self as items_db, ItemRow};
use crate::db::projects as projects_db;
use crate::db::standup::{self as db, NoteRow, PastChange};
use crate::domain::account::initials_of;
use crate::domain::calendar::parse_date;
use crate::domain::history::{AssigneeRef, Blocking, Change, StandupCard};
use crate::domain::{EffortChart, ItemState, Permission, StoryPoints};
use crate::error::{AppError, FieldErrors};
use crate::model::items::Person;
use crate::model::standup::{Note, NoteInput, Standup, StandupItem, StandupPerson, Worked};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// How long a note's part may be.
const NOTE_MAX_CHARS: usize = 1000;

/// `YYYY-MM-DD`, or today when absent.
fn parse_day(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(d) => parse_date(d).map_err(|e| AppError::validation("date", e)),
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
    shown_at: chrono::DateTime<Utc>,
) -> StandupItem {
    let since = since.filter(|_| row.blocked);
    StandupItem {
        number: row.number,
        title: row.title.clone(),
        estimate_label: row
            .estimate
            .and_then(|e| StoryPoints::parse_extended(e).ok())
            .map(|p| chart.display(p)),
        state: row.state,
        assignee: match (&row.assignee_name, &row.assignee_email) {
            (Some(n), Some(e)) => Some(person(n, e)),
            _ => None,
        },
        blocked_reason: row.blocked_reason.clone(),
        blocked_since: since,
        blocked_hours: since.map(|at| (shown_at - at).num_hours().max(0)),
    }
}

/// In progress or blocked, and not finished: what the stand-up walks through.
fn on_the_board(row: &ItemRow) -> bool {
    card_of(row).on_the_board()
}

fn card_of(row: &ItemRow) -> StandupCard {
    StandupCard {
        kind: row.kind,
        title: row.title.clone(),
        estimate: row
            .estimate
            .and_then(|e| StoryPoints::parse_extended(e).ok()),
        state: row.state,
        assignee: row.assignee_id.map(|id| AssigneeRef {
            id: Some(id),
            name: row.assignee_name.clone(),
            email: row.assignee_email.clone(),
        }),
        blocked: Blocking {
            blocked: row.blocked,
            reason: row.blocked_reason.clone(),
        },
        deleted: row.deleted_at.is_some(),
    }
}

/// What an item was at a moment, from what it is now and its changes since then (newest
/// first). `None` when it did not exist yet or was in the trash. Assignees are named by
/// their current member names, or by the name the history kept for former members.
fn as_it_was(
    mut row: ItemRow,
    changes: &[&PastChange],
    members: &HashMap<Uuid, (&str, &str)>,
) -> Option<ItemRow> {
    let changes: Vec<Change> = changes.iter().filter_map(|c| c.change()).collect();
    let card = card_of(&row).walked_back(&changes)?;
    row.kind = card.kind;
    row.title = card.title;
    row.estimate = card.estimate.map(|p| i16::from(p.value()));
    row.state = card.state;
    row.blocked = card.blocked.blocked;
    row.blocked_reason = card.blocked.reason;
    row.deleted_at = None;
    if changes.iter().any(|c| matches!(c, Change::Assignee { .. })) {
        row.assignee_id = card.assignee.as_ref().and_then(|a| a.id);
        (row.assignee_name, row.assignee_email) =
            match row.assignee_id.and_then(|id| members.get(&id)) {
                Some((name, email)) => (Some((*name).to_owned()), Some((*email).to_owned())),
                None => card.assignee.map_or((None, None), |a| (a.name, a.email)),
            };
    }
    Some(row)
}

/// The stand-up for a day (default today): each member's previous business day from the
/// history, their items in progress and blocked, and their note.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn standup(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    date: Option<&str>,
) -> Result<Standup, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let day = parse_day(date, access.caller.clock.today())?;
    summary(pool, &access, day).await
}

async fn summary(pool: &PgPool, access: &Access, day: NaiveDate) -> Result<Standup, AppError> {
    let project_id = access.project.id;
    let calendar = super::sprints::calendar(pool, access).await?;
    let chart = access.chart()?;
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
            if change.change().is_some_and(|c| c.finishes()) {
                entry.0 = true;
            }
            if !entry.1.contains(&change.field) {
                entry.1.push(change.field);
            }
        }
    }
    // In progress and blocked: the board now for today (and later days); for a past day,
    // the board as it was at the end of that day, walked back from now through the history.
    let now = access.caller.clock.now();
    let end_of_day = (day + Duration::days(1)).and_time(NaiveTime::MIN).and_utc();
    let as_of = (end_of_day < now).then_some(end_of_day);
    // A day before the project's first item had nothing on the board: no need to read the
    // whole history back to it.
    let before_anything = match as_of {
        Some(at) => db::first_change_at(pool, project_id)
            .await?
            .is_none_or(|first| at <= first),
        None => false,
    };
    let changes = match as_of {
        Some(at) if !before_anything => db::changes_since(pool, project_id, at).await?,
        _ => Vec::new(),
    };
    let mut changes_of: HashMap<Uuid, Vec<&PastChange>> = HashMap::new();
    for change in &changes {
        changes_of.entry(change.item_id).or_default().push(change);
    }
    let mut candidates = if before_anything {
        Vec::new()
    } else {
        db::active_ids(pool, project_id).await?
    };
    candidates.extend(changes_of.keys().copied());
    candidates.sort_unstable();
    candidates.dedup();
    let worked_ids: Vec<Uuid> = worked
        .values()
        .flat_map(|items| items.keys().copied())
        .collect();
    let mut conn = pool.acquire().await?;
    let rows: HashMap<Uuid, ItemRow> =
        items_db::by_ids(&mut conn, &[worked_ids, candidates.clone()].concat())
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    drop(conn);
    let names: HashMap<Uuid, (&str, &str)> = members
        .iter()
        .map(|m| (m.user_id, (m.display_name.as_str(), m.email.as_str())))
        .collect();
    let mut active: Vec<ItemRow> = candidates
        .iter()
        .filter_map(|id| rows.get(id))
        .filter_map(|row| {
            let past = changes_of
                .get(&row.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            as_it_was(row.clone(), past, &names)
        })
        .filter(on_the_board)
        .collect();
    active.sort_by_key(|r| (r.rank, r.id));
    let active_ids: Vec<Uuid> = active.iter().map(|r| r.id).collect();
    let since: HashMap<Uuid, chrono::DateTime<Utc>> = db::blocked_since(pool, &active_ids, as_of)
        .await?
        .into_iter()
        .collect();
    let notes: HashMap<Uuid, Note> = db::notes(pool, project_id, day)
        .await?
        .iter()
        .map(|n| (n.user_id, to_note(n)))
        .collect();

    let shown_at = as_of.unwrap_or(now);
    let item = |row: &ItemRow| to_item(row, &chart, since.get(&row.id).copied(), shown_at);
    let people = members
        .iter()
        .map(|m| {
            let role = m.role;
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
            let mine = |r: &&ItemRow| r.assignee_id == Some(m.user_id);
            Ok(StandupPerson {
                person: person(&m.display_name, &m.email),
                role,
                yesterday,
                today: active
                    .iter()
                    .filter(mine)
                    .filter(|r| r.state == ItemState::Doing)
                    .map(&item)
                    .collect(),
                blockers: active
                    .iter()
                    .filter(mine)
                    .filter(|r| r.blocked)
                    .map(&item)
                    .collect(),
                note: notes.get(&m.user_id).cloned(),
                me: m.user_id == access.caller.id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let day_ago = shown_at - Duration::days(1);
    Ok(Standup {
        date: day,
        previous_business_day: previous,
        is_today: day == now.date_naive(),
        as_of,
        people,
        unassigned_doing: active
            .iter()
            .filter(|r| r.state == ItemState::Doing && r.assignee_id.is_none())
            .map(&item)
            .collect(),
        long_blocked: active
            .iter()
            .filter(|r| r.blocked && since.get(&r.id).is_some_and(|at| *at < day_ago))
            .map(&item)
            .collect(),
        can_note: access.role.allows(Permission::Contribute)
            && access.project.archived_at.is_none(),
        can_run: access.role.allows(Permission::Plan),
    })
}

/// Writes the caller's own note for a day.
#[tracing::instrument(skip(pool, caller, input), err(level = "info"))]
pub async fn save_note(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    date: &str,
    input: &NoteInput,
) -> Result<Note, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let day = parse_day(Some(date), access.caller.clock.today())?;
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
        access.caller.clock.now(),
    )
    .await?;
    Ok(to_note(&row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemKind;
    use chrono::{DateTime, TimeZone};
    use serde_json::{json, Value};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn row() -> ItemRow {
        ItemRow {
            id: Uuid::from_u128(1),
            number: 7,
            kind: ItemKind::Task,
            parent_id: None,
            parent_number: None,
            title: "Checkout".into(),
            description: String::new(),
            estimate: Some(8),
            assignee_id: Some(Uuid::from_u128(20)),
            assignee_name: Some("Alice Archer".into()),
            assignee_email: Some("alice@example.com".into()),
            state: ItemState::Done,
            blocked: false,
            blocked_reason: None,
            rank: 1,
            version: 9,
            creator_name: None,
            created_at: at(2, 9),
            updated_at: at(6, 9),
            done_at: Some(at(6, 9)),
            deleted_at: None,
            increment_id: None,
            increment_label: None,
            ci_provider: None,
        }
    }

    fn change(day: u32, field: &str, old: Value) -> PastChange {
        PastChange {
            item_id: Uuid::from_u128(1),
            at: at(day, 10),
            field: field.into(),
            // The walk reads old values; a new one makes the row whole, as written.
            new_value: match field {
                "created" => Some(json!({"kind": "task", "title": "Cart", "estimate": null,
                                         "state": "todo", "parent": null})),
                _ => (!old.is_null()).then_some(old.clone()),
            },
            old_value: (!old.is_null()).then_some(old),
        }
    }

    fn members() -> HashMap<Uuid, (&'static str, &'static str)> {
        HashMap::from([
            (Uuid::from_u128(20), ("Alice Archer", "alice@example.com")),
            (Uuid::from_u128(21), ("Bob Builder", "bob@example.com")),
        ])
    }

    #[test]
    fn an_item_without_later_changes_is_as_it_is_now() {
        assert_eq!(as_it_was(row(), &[], &members()), Some(row()));
    }

    #[test]
    fn later_changes_are_undone_newest_first() {
        // Now: done, Alice's, 8 points, unblocked, "Checkout". Since the moment: Bob handed it
        // to Alice, it was re-estimated and renamed, unblocked, and finished.
        let changes = [
            change(6, "state", json!("doing")),
            change(5, "blocked", json!({"blocked": true, "reason": "API down"})),
            change(5, "title", json!("Check out")),
            change(4, "estimate", json!(5)),
            change(
                4,
                "assignee",
                json!({"id": Uuid::from_u128(21), "name": "Bobby", "email": "bob@example.com"}),
            ),
            change(3, "state", json!("todo")),
        ];
        let refs: Vec<&PastChange> = changes.iter().collect();
        let then = as_it_was(row(), &refs, &members()).unwrap();
        assert_eq!(then.state, ItemState::Todo);
        assert!(then.blocked);
        assert_eq!(then.blocked_reason.as_deref(), Some("API down"));
        assert_eq!(then.title, "Check out");
        assert_eq!(then.estimate, Some(5));
        assert_eq!(then.assignee_id, Some(Uuid::from_u128(21)));
        // A member is named as the team knows them now, not as the history spelled it.
        assert_eq!(then.assignee_name.as_deref(), Some("Bob Builder"));
        // Only the changes up to a point: before the state change on the 6th alone.
        let then = as_it_was(row(), &refs[..1], &members()).unwrap();
        assert_eq!((then.state.as_str(), then.blocked), ("doing", false));
        assert!(on_the_board(&then));
        assert!(!on_the_board(&row()));
    }

    #[test]
    fn a_former_member_keeps_the_name_from_the_history_and_nobody_is_nobody() {
        let gone = [change(
            4,
            "assignee",
            json!({"id": Uuid::from_u128(99), "name": "Carol", "email": "carol@example.com"}),
        )];
        let then = as_it_was(row(), &gone.iter().collect::<Vec<_>>(), &members()).unwrap();
        assert_eq!(then.assignee_name.as_deref(), Some("Carol"));
        assert_eq!(then.assignee_email.as_deref(), Some("carol@example.com"));
        let nobody = [change(4, "assignee", Value::Null)];
        let then = as_it_was(row(), &nobody.iter().collect::<Vec<_>>(), &members()).unwrap();
        assert_eq!(
            (then.assignee_id, then.assignee_name, then.assignee_email),
            (None, None, None)
        );
    }

    #[test]
    fn items_created_later_or_in_the_trash_then_are_not_there() {
        let created = [
            change(4, "state", json!("todo")),
            change(3, "created", Value::Null),
        ];
        assert_eq!(
            as_it_was(row(), &created.iter().collect::<Vec<_>>(), &members()),
            None
        );
        // In the trash now, but deleted after the moment: it was there.
        let mut trashed = row();
        trashed.deleted_at = Some(at(6, 10));
        let deleted = [change(6, "deleted", Value::Null)];
        assert!(as_it_was(
            trashed.clone(),
            &deleted.iter().collect::<Vec<_>>(),
            &members()
        )
        .is_some());
        assert_eq!(as_it_was(trashed, &[], &members()), None);
        // Restored since: it was in the trash then.
        let restored = [change(5, "restored", Value::Null)];
        assert_eq!(
            as_it_was(row(), &restored.iter().collect::<Vec<_>>(), &members()),
            None
        );
    }

    #[test]
    fn epics_and_finished_or_idle_items_are_not_walked() {
        let mut item = row();
        item.state = ItemState::Todo;
        assert!(!on_the_board(&item));
        item.blocked = true;
        assert!(on_the_board(&item));
        item.kind = ItemKind::Epic;
        assert!(!on_the_board(&item));
    }
}

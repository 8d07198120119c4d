//! The backlog's operations, shared by the server functions and the JSON API.

mod bulk;
mod list;
mod ranks;
mod trash;

pub use bulk::{bulk, bulk_choice};
pub use list::{list, list_filtered};
pub use ranks::move_to;
use ranks::*;
pub(crate) use ranks::{lock_ranks, place_at_top};
pub use trash::{delete, restore};

use super::{access, Access};
use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::items::{self as db, Filter, ItemRow};
use crate::domain::account::initials_of;
use crate::domain::edit::{Edit, OwnFields};
use crate::domain::history::{self, AssigneeRef, Blocking, Change, Recorded, Snapshot};
use crate::domain::item::parse_description;
use crate::domain::rank;
use crate::domain::{
    ChildSummary, EffortChart, Email, ItemKind, ItemState, Permission, Rollup, StoryPoints, Title,
};
use crate::error::{AppError, FieldErrors};
use crate::model::items::{
    ChildrenChoice, Item, ItemDetail, ItemEvent, ItemPage, ItemPatch, ItemQuery, MoveTo, NewItem,
    Person, MAX_PAGE_SIZE, PAGE_SIZE,
};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

fn points_of(estimate: Option<i16>) -> Option<StoryPoints> {
    estimate.and_then(|e| StoryPoints::parse_extended(e).ok())
}

fn person(name: Option<&String>, email: Option<&String>) -> Option<Person> {
    match (name, email) {
        (Some(name), Some(email)) => Some(Person {
            email: email.clone(),
            display_name: name.clone(),
            initials: initials_of(name),
        }),
        _ => None,
    }
}

fn to_item(row: &ItemRow, chart: &EffortChart, rollup: Option<Rollup>) -> Result<Item, AppError> {
    item_of(row, chart, rollup, true)
}

/// An item as [`to_item`] makes it, with its description (as written and as HTML) or,
/// for a list that shows none, without (both empty).
fn item_of(
    row: &ItemRow,
    chart: &EffortChart,
    rollup: Option<Rollup>,
    described: bool,
) -> Result<Item, AppError> {
    let kind = row.kind;
    let points = points_of(row.estimate);
    let (description, description_html) = if described {
        (
            row.description.clone(),
            crate::markdown::to_safe_html(&row.description),
        )
    } else {
        Default::default()
    };
    Ok(Item {
        id: row.id,
        number: row.number,
        kind,
        parent: row.parent_number,
        title: row.title.clone(),
        description,
        description_html,
        estimate: points.map(StoryPoints::value),
        estimate_label: points.map(|p| chart.display(p)),
        consider_splitting: kind != ItemKind::Epic
            && points.is_some_and(|p| p.suggests_splitting()),
        assignee: person(row.assignee_name.as_ref(), row.assignee_email.as_ref()),
        state: row.state,
        blocked: row.blocked,
        blocked_reason: row.blocked_reason.clone(),
        version: row.version,
        creator: row.creator_name.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        done_at: row.done_at,
        deleted: row.deleted_at.is_some(),
        increment: row.increment_id,
        increment_label: row.increment_label.clone(),
        rollup: (kind == ItemKind::Epic).then(|| rollup.unwrap_or_default()),
        from_ci: row.ci_provider.as_deref().map(|p| {
            crate::domain::hooks::Provider::parse(p)
                .map(|p| p.label().to_owned())
                .unwrap_or_else(|_| p.to_owned())
        }),
    })
}

/// Items for rows, with the roll-ups of the epics among them. On the caller's connection:
/// inside a transaction, everything goes through that transaction's connection (a request
/// that holds a row lock and waits for a second connection can starve the pool).
pub(crate) async fn to_items(
    conn: &mut PgConnection,
    rows: &[ItemRow],
    chart: &EffortChart,
) -> Result<Vec<Item>, AppError> {
    let epics: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.kind == ItemKind::Epic)
        .map(|r| r.id)
        .collect();
    let mut children: HashMap<Uuid, Vec<ChildSummary>> = HashMap::new();
    if !epics.is_empty() {
        for (parent, estimate, state) in db::children_of(conn, &epics).await? {
            children.entry(parent).or_default().push(ChildSummary {
                estimate: points_of(estimate),
                state,
            });
        }
    }
    rows.iter()
        .map(|r| {
            let rollup = children.get(&r.id).map(|c| Rollup::of(c));
            to_item(r, chart, rollup)
        })
        .collect()
}

fn cursor_of(row: &ItemRow) -> String {
    format!("{}.{}", row.rank, row.id)
}

fn parse_cursor(raw: &str) -> Result<(i64, Uuid), AppError> {
    let bad = || AppError::validation("cursor", "not a cursor this API gave out");
    let (rank, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok((
        rank.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// The member with this email, or a message for the field. A failure to look is ours
/// (the outer error), never a message about the input.
async fn member(
    conn: &mut PgConnection,
    project_id: Uuid,
    email: &str,
) -> Result<Result<Option<Uuid>, String>, AppError> {
    let email = match Email::parse(email) {
        Ok(email) => email,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(Ok(
        db::member_id(conn, project_id, &email.normalized()).await?
    ))
}

async fn live_item(
    conn: &mut PgConnection,
    project_id: Uuid,
    number: i32,
    lock: bool,
) -> Result<ItemRow, AppError> {
    db::by_number(conn, project_id, number, lock)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)
}

/// The epic with this number, or a message for the field. A failure to look is ours (the
/// outer error).
async fn epic(
    conn: &mut PgConnection,
    project_id: Uuid,
    number: i32,
) -> Result<Result<ItemRow, String>, AppError> {
    Ok(
        match db::by_number(conn, project_id, number, false).await? {
            Some(row) if row.deleted_at.is_none() && row.kind == ItemKind::Epic => Ok(row),
            Some(row) if row.deleted_at.is_none() => Err(format!("#{number} is not an epic")),
            _ => Err(format!("there is no item #{number} in this project")),
        },
    )
}

#[tracing::instrument(skip(pool, caller), err(level = "info"))]
/// A description rendered as it will show once saved (mentions of items linked), for the
/// editor's preview. Only those who may edit items ask for it; nothing is stored.
pub async fn preview(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    source: &str,
) -> Result<String, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let source = parse_description(source).map_err(|e| AppError::validation("description", e))?;
    let mut conn = pool.acquire().await?;
    super::comments::linked_description(&mut conn, &access, &source).await
}

pub async fn detail(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
) -> Result<ItemDetail, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let chart = access.chart()?;
    let mut conn = pool.acquire().await?;
    let row = db::by_number(&mut conn, access.project.id, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let children = if row.kind == ItemKind::Epic {
        let ids = db::child_ids(&mut conn, row.id).await?;
        db::by_ids(&mut conn, &ids).await?
    } else {
        Vec::new()
    };
    let mut item = to_items(&mut conn, std::slice::from_ref(&row), &chart)
        .await?
        .pop()
        .ok_or_else(|| AppError::broken("item vanished"))?;
    item.description_html =
        super::comments::linked_description(&mut conn, &access, &row.description).await?;
    let children = to_items(&mut conn, &children, &chart).await?;
    drop(conn);
    let history = db::history(pool, row.id)
        .await?
        .into_iter()
        .map(|e| ItemEvent {
            summary: db::decode(&e.field, e.old_value.as_ref(), e.new_value.as_ref())
                .map_or_else(|| format!("{} changed", e.field), |change| change.summary()),
            actor: e.actor_name,
            at: e.at,
            field: e.field,
            old: e.old_value,
            new: e.new_value,
        })
        .collect();
    let (links, ci) = super::hooks::item_links(pool, row.id).await?;
    Ok(ItemDetail {
        item,
        children,
        history,
        links,
        ci,
    })
}

/// Reads the item back inside the transaction, commits, and returns it as callers see it.
async fn commit_and_read(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    id: Uuid,
    chart: &EffortChart,
) -> Result<Item, AppError> {
    let row = db::by_ids(&mut tx, &[id])
        .await?
        .pop()
        .ok_or_else(|| AppError::broken("changed item vanished"))?;
    let item = to_items(&mut tx, &[row], chart)
        .await?
        .pop()
        .ok_or_else(|| AppError::broken("no item"))?;
    tx.commit().await?;
    Ok(item)
}

/// The history's record of a new item: every item starts in To do.
fn created(kind: ItemKind, title: &Title, estimate: Option<i16>, parent: Option<i32>) -> Change {
    Change::Created(Snapshot {
        kind,
        title: title.as_str().to_owned(),
        estimate: points_of(estimate),
        state: ItemState::Todo,
        parent,
    })
}

/// The fields of a row an edit changes without looking anything up.
fn own_fields(row: &ItemRow) -> OwnFields {
    OwnFields {
        title: row.title.clone(),
        description: row.description.clone(),
        kind: row.kind,
        estimate: row.estimate,
        state: row.state,
        done_at: row.done_at,
        blocked: row.blocked,
        blocked_reason: row.blocked_reason.clone(),
    }
}

fn set_own_fields(row: &mut ItemRow, own: OwnFields) {
    row.title = own.title;
    row.description = own.description;
    row.kind = own.kind;
    row.estimate = own.estimate;
    row.state = own.state;
    row.done_at = own.done_at;
    row.blocked = own.blocked;
    row.blocked_reason = own.blocked_reason;
}

/// An item row as its history records it.
fn recorded(row: &ItemRow) -> Recorded {
    Recorded {
        title: row.title.clone(),
        description: row.description.clone(),
        kind: row.kind,
        estimate: points_of(row.estimate),
        state: row.state,
        assignee: row.assignee_id.map(|id| AssigneeRef {
            id: Some(id),
            name: row.assignee_name.clone(),
            email: row.assignee_email.clone(),
        }),
        parent: row.parent_number,
        blocked: Blocking {
            blocked: row.blocked,
            reason: row.blocked_reason.clone(),
        },
    }
}

/// Sets an item's estimate inside the caller's transaction (planning poker's accept), with
/// its history: the estimate change (when it is one) and `note` beside it. The version goes
/// up as with any edit. The value was checked against the chart by the caller.
pub(crate) async fn estimate_in(
    conn: &mut PgConnection,
    access: &Access,
    chart: &EffortChart,
    item_id: Uuid,
    points: i64,
    note: &Change,
) -> Result<(), AppError> {
    let old = db::by_ids(conn, &[item_id])
        .await?
        .pop()
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let edit = Edit {
        estimate: Some(Some(points)),
        ..Edit::default()
    };
    let (own, refusals) = own_fields(&old).edited(&edit, chart, access.caller.clock.now());
    if let Some((field, message)) = refusals.into_iter().next() {
        return Err(AppError::Validation(FieldErrors::one(field, message)));
    }
    let mut new = old.clone();
    set_own_fields(&mut new, own);
    let mut changes = history::changes(&recorded(&old), &recorded(&new));
    changes.push(note.clone());
    db::save(conn, &new).await?;
    for change in &changes {
        db::record(
            conn,
            access.project.id,
            old.id,
            access.caller.id,
            access.caller.clock.now(),
            change,
        )
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip(pool, caller, input), err(level = "info"))]
pub async fn create(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    input: &NewItem,
) -> Result<Item, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let project_id = access.project.id;
    let chart = access.chart()?;
    let mut errors = FieldErrors::default();
    let kind = match input.kind.as_deref().filter(|k| !k.is_empty()) {
        None => Some(ItemKind::Task),
        Some(k) => ItemKind::parse(k).map_err(|e| errors.add("kind", e)).ok(),
    };
    let title = Title::parse(&input.title)
        .map_err(|e| errors.add("title", e))
        .ok();
    let description = parse_description(input.description.as_deref().unwrap_or(""))
        .map_err(|e| errors.add("description", e))
        .ok();
    let estimate = match input.estimate {
        None => Some(None),
        Some(v) => chart
            .estimate(v)
            .map(|p| Some(i16::from(p.value())))
            .map_err(|e| errors.add("estimate", e))
            .ok(),
    };
    let assignee = match input
        .assignee
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => Some(None),
        Some(email) => match member(&mut *pool.acquire().await?, project_id, email).await? {
            Ok(Some(id)) => Some(Some(id)),
            Ok(None) => {
                errors.add(
                    "assignee",
                    format!("{email} is not a member of this project"),
                );
                None
            }
            Err(e) => {
                errors.add("assignee", e);
                None
            }
        },
    };
    let top = match input.position.as_deref() {
        None | Some("") | Some("bottom") => false,
        Some("top") => true,
        Some(other) => {
            errors.add("position", format!("{other:?} is not top or bottom"));
            false
        }
    };
    let mut tx = pool.begin().await?;
    let parent = match input.parent {
        None => Some(None),
        Some(_) if kind == Some(ItemKind::Epic) => {
            errors.add("parent", "an epic cannot have a parent");
            None
        }
        Some(n) => epic(&mut tx, project_id, n)
            .await?
            .map(|row| Some(row.id))
            .map_err(|e| errors.add("parent", e))
            .ok(),
    };
    let (Some(kind), Some(title), Some(description), Some(estimate), Some(assignee), Some(parent)) =
        (kind, title, description, estimate, assignee, parent)
    else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let number = db::next_number(&mut tx, project_id).await?;
    let target = if top { Target::Top } else { Target::Bottom };
    let rank = place(&mut tx, project_id, None, &target).await?;
    let id = db::insert(
        &mut tx,
        db::NewItemRow {
            project_id,
            number,
            kind: kind.as_str(),
            parent_id: parent,
            title: title.as_str(),
            description: &description,
            estimate,
            assignee_id: assignee,
            rank,
            creator_id: Some(access.caller.id),
        },
    )
    .await?;
    let change = created(kind, &title, estimate, input.parent);
    db::record(
        &mut tx,
        project_id,
        id,
        access.caller.id,
        access.caller.clock.now(),
        &change,
    )
    .await?;
    crate::db::comments::watch(&mut tx, id, &[access.caller.id]).await?;
    if let Some(person) = assignee {
        let label = format!("#{number} {}", title.as_str());
        let actor = (access.caller.id, access.caller.display_name.as_str());
        super::comments::item_changed(
            &mut tx,
            project_id,
            id,
            &label,
            Some(actor),
            Some(person),
            None,
            None,
        )
        .await?;
    }
    commit_and_read(tx, id, &chart).await
}

/// Adds a task at the top of the backlog inside the caller's transaction (for items made
/// from something else, like a reflection's action item). The caller checked access.
pub(crate) async fn insert_task_at_top(
    tx: &mut PgConnection,
    project_id: Uuid,
    actor: Uuid,
    clock: &Clock,
    title: &Title,
    description: &str,
) -> Result<(Uuid, i32), AppError> {
    let at_top = AtTop {
        kind: ItemKind::Task,
        title,
        description,
        assignee: None,
    };
    insert_at_top(tx, project_id, Some(actor), clock.now(), at_top).await
}

/// What [`insert_at_top`] adds.
pub(crate) struct AtTop<'a> {
    pub kind: ItemKind,
    pub title: &'a Title,
    pub description: &'a str,
    pub assignee: Option<Uuid>,
}

/// Adds an item at the top of the backlog inside the caller's transaction, made by `actor`
/// (`None`: an integration, such as a failing pipeline filing its bug). The caller checked
/// whoever asked for it.
pub(crate) async fn insert_at_top(
    tx: &mut PgConnection,
    project_id: Uuid,
    actor: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
    new: AtTop<'_>,
) -> Result<(Uuid, i32), AppError> {
    let number = db::next_number(tx, project_id).await?;
    let rank = place(tx, project_id, None, &Target::Top).await?;
    let id = db::insert(
        tx,
        db::NewItemRow {
            project_id,
            number,
            kind: new.kind.as_str(),
            parent_id: None,
            title: new.title.as_str(),
            description: new.description,
            estimate: None,
            assignee_id: new.assignee,
            rank,
            creator_id: actor,
        },
    )
    .await?;
    let change = created(new.kind, new.title, None, None);
    db::record_by(tx, project_id, id, actor, now, &change).await?;
    if let Some(actor) = actor {
        crate::db::comments::watch(tx, id, &[actor]).await?;
    }
    if let Some(person) = new.assignee {
        let label = format!("#{number} {}", new.title.as_str());
        super::comments::item_changed(tx, project_id, id, &label, None, Some(person), None, None)
            .await?;
    }
    Ok((id, number))
}

/// Moves an item to `state` for an integration (a commit that fixes it, its pipeline green
/// again) inside the caller's transaction, with `notes` beside the change in its history
/// (recorded even when the item was in that state already). Nobody made the change: the
/// rows have no actor. Whether the item moved.
pub(crate) async fn set_state_for_integration(
    conn: &mut PgConnection,
    project_id: Uuid,
    number: i32,
    state: ItemState,
    now: chrono::DateTime<chrono::Utc>,
    notes: &[Change],
) -> Result<bool, AppError> {
    let old = live_item(conn, project_id, number, true).await?;
    let mut changes = Vec::new();
    if old.state != state {
        let edit = Edit {
            state: Some(state.as_str()),
            ..Edit::default()
        };
        let (own, refusals) = own_fields(&old).edited(&edit, &EffortChart::default(), now);
        if let Some((field, message)) = refusals.into_iter().next() {
            return Err(AppError::Validation(FieldErrors::one(field, message)));
        }
        let mut new = old.clone();
        set_own_fields(&mut new, own);
        changes = history::changes(&recorded(&old), &recorded(&new));
        db::save(conn, &new).await?;
    }
    let moved = !changes.is_empty();
    changes.extend(notes.iter().cloned());
    for change in &changes {
        db::record_by(conn, project_id, old.id, None, now, change).await?;
    }
    tell(conn, project_id, &old, None, &changes).await?;
    Ok(moved)
}

/// Tells the people around an item what a change means for them (see
/// `comments::item_changed`), inside the change's transaction.
async fn tell(
    conn: &mut PgConnection,
    project_id: Uuid,
    row: &ItemRow,
    actor: Option<(Uuid, &str)>,
    changes: &[Change],
) -> Result<(), AppError> {
    let mut assigned = None;
    let mut blocked = None;
    let mut state = None;
    for change in changes {
        match change {
            Change::Assignee { new: Some(a), .. } => assigned = a.id,
            Change::Blocked { new, .. } if new.blocked => {
                blocked = Some(new.reason.clone().unwrap_or_default())
            }
            Change::State { new, .. } => state = Some(*new),
            _ => {}
        }
    }
    if assigned.is_none() && blocked.is_none() && state != Some(ItemState::Done) {
        return Ok(());
    }
    let label = format!("#{} {}", row.number, row.title);
    super::comments::item_changed(
        conn,
        project_id,
        row.id,
        &label,
        actor,
        assigned,
        blocked.as_deref(),
        state,
    )
    .await
}

/// The message for an edit made against an old version.
async fn stale(conn: &mut PgConnection, row: &ItemRow, clock: &Clock) -> AppError {
    let who = match db::last_change(conn, row.id).await {
        Ok(Some(db::LastChange { name, at })) => {
            let ago = (clock.now() - at).num_seconds().max(0);
            let when = match ago {
                0..=59 => "a moment ago".to_owned(),
                60..=3599 => format!("{} min ago", ago / 60),
                _ => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            };
            format!("by {} {when}", name.unwrap_or_else(|| "someone".into()))
        }
        _ => "by someone else".to_owned(),
    };
    AppError::Conflict(format!(
        "#{} was changed {who}: reload to see the change, then make yours again",
        row.number
    ))
}

#[tracing::instrument(skip(pool, caller, patch), err(level = "info"))]
pub async fn update(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    patch: &ItemPatch,
) -> Result<Item, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let project_id = access.project.id;
    let chart = access.chart()?;
    let mut tx = pool.begin().await?;
    let old = live_item(&mut tx, project_id, number, true).await?;
    if old.version != patch.version {
        let err = stale(&mut tx, &old, &access.caller.clock).await;
        return Err(err);
    }
    apply(&mut tx, &access, &chart, &old, patch).await?;
    commit_and_read(tx, old.id, &chart).await
}

/// Makes an edit to an item (locked by the caller) inside the caller's transaction: checks
/// it, saves it, records its history and tells who it concerns. Refused edits are field errors.
pub(crate) async fn apply(
    tx: &mut PgConnection,
    access: &Access,
    chart: &EffortChart,
    old: &ItemRow,
    patch: &ItemPatch,
) -> Result<(), AppError> {
    let project_id = access.project.id;
    let mut new = old.clone();
    let mut errors = FieldErrors::default();

    let edit = Edit {
        title: patch.title.as_deref(),
        description: patch.description.as_deref(),
        kind: patch.kind.as_deref(),
        estimate: patch.estimate,
        state: patch.state.as_deref(),
        blocked: patch.blocked,
        blocked_reason: patch.blocked_reason.as_deref(),
    };
    let (own, refusals) = own_fields(old).edited(&edit, chart, access.caller.clock.now());
    for (field, message) in refusals {
        errors.add(field, message);
    }
    set_own_fields(&mut new, own);
    let mut new_assignee = None;
    if let Some(assignee) = &patch.assignee {
        match assignee.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => new.assignee_id = None,
            Some(email) => match member(tx, project_id, email).await? {
                Ok(Some(id)) => {
                    new.assignee_id = Some(id);
                    new_assignee = Some(email.to_owned());
                }
                Ok(None) => errors.add(
                    "assignee",
                    format!("{email} is not a member of this project"),
                ),
                Err(e) => errors.add("assignee", e),
            },
        }
    }
    if let Some(parent) = patch.parent {
        match parent {
            None => new.parent_id = None,
            Some(n) if n == old.number => errors.add("parent", "an item cannot be its own epic"),
            Some(n) => match epic(tx, project_id, n).await? {
                Ok(row) => new.parent_id = Some(row.id),
                Err(e) => errors.add("parent", e),
            },
        }
    }
    if new.kind == ItemKind::Epic && new.parent_id.is_some() {
        errors.add("parent", "an epic cannot have a parent");
    }
    if old.kind == ItemKind::Epic
        && new.kind != ItemKind::Epic
        && !db::child_ids(tx, old.id).await?.is_empty()
    {
        errors.add(
            "kind",
            "an epic with child items stays an epic: move or detach them first",
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let mut after = recorded(&new);
    if new.assignee_id != old.assignee_id {
        after.assignee = match new.assignee_id {
            Some(id) => Some(AssigneeRef {
                id: Some(id),
                name: db::display_name(tx, id).await?,
                email: new_assignee,
            }),
            None => None,
        };
    }
    if new.parent_id != old.parent_id {
        after.parent = new.parent_id.and(patch.parent.flatten());
    }
    let changes = history::changes(&recorded(old), &after);
    if !changes.is_empty() {
        db::save(tx, &new).await?;
        for change in &changes {
            db::record(
                tx,
                project_id,
                old.id,
                access.caller.id,
                access.caller.clock.now(),
                change,
            )
            .await?;
        }
        let actor = (access.caller.id, access.caller.display_name.as_str());
        tell(tx, project_id, &new, Some(actor), &changes).await?;
    }
    Ok(())
}

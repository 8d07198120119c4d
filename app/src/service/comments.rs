//! Comments on items, who watches them, and the notifications people get.
//!
//! You watch an item when you create it, are assigned it, comment on it or are mentioned in
//! it, and can watch or stop watching by hand. Notifications: a mention, an assignment to
//! you, a comment on an item you watch, an item you watch blocked or done, an increment
//! with your items starting or closing. Nobody is notified of their own doing; only the
//! project's members are notified, and the inbox shows nothing of a project its reader has
//! left.

use super::{access, signed_in, Access};
use crate::auth::Caller;
use crate::db::comments::{self as db, CommentRow, NewNotification};
use crate::db::items as items_db;
use crate::domain::comment::{self as rules, CommentBody};
use crate::domain::{ItemState, Permission};
use crate::error::AppError;
use crate::markdown::{to_safe_html_linked, Links};
use crate::model::comments::{Comment, Inbox, Mentionable, Notification, Thread};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// The inbox lists this many notifications.
const INBOX_SIZE: i64 = 100;

/// The project's members, by account and by email (lower case).
struct People {
    by_id: HashMap<Uuid, (String, String)>,
}

impl People {
    async fn of(conn: &mut PgConnection, project_id: Uuid) -> Result<People, AppError> {
        let by_id = db::members(conn, project_id)
            .await?
            .into_iter()
            .map(|(id, name, email)| (id, (name, email.to_lowercase())))
            .collect();
        Ok(People { by_id })
    }

    fn by_email(&self, email: &str) -> Option<Uuid> {
        self.by_id
            .iter()
            .find(|(_, (_, e))| e == email)
            .map(|(id, _)| *id)
    }

    fn names(&self) -> HashMap<Uuid, String> {
        self.by_id
            .iter()
            .map(|(id, (name, _))| (*id, name.clone()))
            .collect()
    }
}

/// A body as stored (mentions of members by account), checked.
fn stored_body(text: &str, people: &People) -> Result<String, AppError> {
    let body = CommentBody::parse(text).map_err(|e| AppError::validation("body", e.to_string()))?;
    let stored = rules::store_mentions(body.as_str(), |email| people.by_email(email));
    // Mentions are longer stored than written: the limit holds for both.
    CommentBody::parse(&stored).map_err(|e| AppError::validation("body", e.to_string()))?;
    Ok(stored)
}

/// The titles of the project's items that these stored bodies mention (`#12`), in one query.
async fn titles(
    conn: &mut PgConnection,
    access: &Access,
    bodies: &[&str],
) -> Result<HashMap<i32, String>, AppError> {
    let mut numbers: Vec<i32> = bodies
        .iter()
        .flat_map(|b| crate::domain::hooks::references(b))
        .map(|r| r.number)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(db::titles(conn, access.project.id, &numbers)
        .await?
        .into_iter()
        .collect())
}

/// Renders a stored body: mentions as names, `#12` linked to the project's items.
fn render(access: &Access, people: &People, items: &HashMap<i32, String>, body: &str) -> String {
    let names = people.names();
    to_safe_html_linked(
        body,
        &Links {
            people: &names,
            items,
            slug: &access.project.slug,
        },
    )
}

/// An item's description as its page shows it: `#12` linked to the project's item 12 with
/// its title on hover (references to other numbers stay text).
pub(crate) async fn linked_description(
    conn: &mut PgConnection,
    access: &Access,
    source: &str,
) -> Result<String, AppError> {
    let items = titles(conn, access, &[source]).await?;
    Ok(to_safe_html_linked(
        source,
        &Links {
            people: &HashMap::new(),
            items: &items,
            slug: &access.project.slug,
        },
    ))
}

fn may_delete(access: &Access, row: &CommentRow) -> bool {
    row.deleted_at.is_none()
        && (row.author_id == Some(access.caller.id) || access.role.allows(Permission::Plan))
}

fn to_comment(
    access: &Access,
    people: &People,
    items: &HashMap<i32, String>,
    row: CommentRow,
) -> Result<Comment, AppError> {
    let body_html = if row.deleted_at.is_some() {
        String::new()
    } else {
        render(access, people, items, &row.body)
    };
    Ok(Comment {
        id: row.id,
        author: row.author_name.clone(),
        body: rules::editable(&row.body, |id| {
            people.by_id.get(&id).map(|(_, email)| email.clone())
        }),
        body_html,
        created_at: row.created_at,
        edited_at: row.edited_at,
        deleted: row.deleted_at.is_some(),
        mine: row.author_id == Some(access.caller.id) && row.deleted_at.is_none(),
        can_delete: may_delete(access, &row),
        // `row` ends here.
    })
}

/// "#12 Cart".
fn item_label(number: i32, title: &str) -> String {
    format!("#{number} {title}")
}

/// An item's thread.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn thread(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
) -> Result<Thread, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let mut conn = pool.acquire().await?;
    let item = items_db::by_number(&mut conn, access.project.id, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = People::of(&mut conn, access.project.id).await?;
    let rows = db::of_item(&mut conn, item.id).await?;
    let bodies: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
    let items = titles(&mut conn, &access, &bodies).await?;
    let comments = rows
        .into_iter()
        .map(|row| to_comment(&access, &people, &items, row))
        .collect::<Result<Vec<_>, _>>()?;
    let watching = db::watchers(&mut conn, access.project.id, item.id)
        .await?
        .contains(&access.caller.id);
    let mut mentionable: Vec<Mentionable> = people
        .by_id
        .values()
        .map(|(name, email)| Mentionable {
            name: name.clone(),
            email: email.clone(),
        })
        .collect();
    mentionable.sort_by_key(|a| a.name.to_lowercase());
    Ok(Thread {
        comments,
        watching,
        can_comment: access.role.allows(Permission::Contribute)
            && access.project.archived_at.is_none()
            && item.deleted_at.is_none(),
        people: mentionable,
        now: access.caller.clock.now(),
    })
}

/// Adds a comment: the author and the people it mentions watch the item from now on; the
/// people mentioned, and the other watchers, are notified.
#[tracing::instrument(skip(pool, caller, body), err(level = "info"))]
pub async fn add(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    body: &str,
) -> Result<Comment, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let project_id = access.project.id;
    let now = access.caller.clock.now();
    let mut tx = pool.begin().await?;
    let item = items_db::by_number(&mut tx, project_id, number, false)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let people = People::of(&mut tx, project_id).await?;
    let stored = stored_body(body, &people)?;
    let me = access.caller.id;
    let id = db::insert(&mut tx, project_id, item.id, Some(me), &stored, now).await?;
    let mentioned: Vec<Uuid> = rules::mentioned(&stored)
        .into_iter()
        .filter(|id| people.by_id.contains_key(id))
        .collect();
    let watchers = db::watchers(&mut tx, project_id, item.id).await?;
    let label = item_label(item.number, &item.title);
    let who = &access.caller.display_name;
    for person in mentioned.iter().filter(|p| **p != me) {
        let summary = format!("{who} mentioned you on {label}");
        notify(
            &mut tx,
            &access,
            *person,
            Some(item.id),
            "mention",
            Some(id),
            &summary,
        )
        .await?;
    }
    for person in watchers
        .iter()
        .filter(|p| **p != me && !mentioned.contains(p))
    {
        let summary = format!("{who} commented on {label}");
        notify(
            &mut tx,
            &access,
            *person,
            Some(item.id),
            "comment",
            Some(id),
            &summary,
        )
        .await?;
    }
    let mut new_watchers = mentioned.clone();
    new_watchers.push(me);
    db::watch(&mut tx, item.id, &new_watchers).await?;
    let row = db::one(&mut tx, item.id, id)
        .await?
        .ok_or_else(|| AppError::broken("new comment vanished"))?;
    let items = titles(&mut tx, &access, &[row.body.as_str()]).await?;
    let comment = to_comment(&access, &people, &items, row)?;
    tx.commit().await?;
    Ok(comment)
}

/// Edits one's own comment. People newly mentioned are notified and watch the item.
#[tracing::instrument(skip(pool, caller, body), err(level = "info"))]
pub async fn edit(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    id: i64,
    body: &str,
) -> Result<Comment, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let project_id = access.project.id;
    let now = access.caller.clock.now();
    let mut tx = pool.begin().await?;
    let item = items_db::by_number(&mut tx, project_id, number, false)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let old = db::one(&mut tx, item.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.deleted_at.is_some() {
        return Err(AppError::Conflict("this comment was deleted".into()));
    }
    if old.author_id != Some(access.caller.id) {
        return Err(AppError::Forbidden);
    }
    let people = People::of(&mut tx, project_id).await?;
    let stored = stored_body(body, &people)?;
    db::edit(&mut tx, id, &stored, now).await?;
    let before = rules::mentioned(&old.body);
    let me = access.caller.id;
    let label = item_label(item.number, &item.title);
    let newly: Vec<Uuid> = rules::mentioned(&stored)
        .into_iter()
        .filter(|p| people.by_id.contains_key(p) && !before.contains(p))
        .collect();
    for person in newly.iter().filter(|p| **p != me) {
        let summary = format!("{} mentioned you on {label}", access.caller.display_name);
        notify(
            &mut tx,
            &access,
            *person,
            Some(item.id),
            "mention",
            Some(id),
            &summary,
        )
        .await?;
    }
    db::watch(&mut tx, item.id, &newly).await?;
    let row = db::one(&mut tx, item.id, id)
        .await?
        .ok_or_else(|| AppError::broken("edited comment vanished"))?;
    let items = titles(&mut tx, &access, &[row.body.as_str()]).await?;
    let comment = to_comment(&access, &people, &items, row)?;
    tx.commit().await?;
    Ok(comment)
}

/// Deletes a comment's text (its place stays: "comment deleted"). Its author, an owner or
/// a scrum master.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn delete(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    id: i64,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let mut tx = pool.begin().await?;
    let item = items_db::by_number(&mut tx, access.project.id, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = db::one(&mut tx, item.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.deleted_at.is_some() {
        return Ok(());
    }
    if !may_delete(&access, &row) {
        return Err(AppError::Forbidden);
    }
    db::delete(&mut tx, id, access.caller.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Watches an item, or stops watching it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn set_watching(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    watching: bool,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let mut conn = pool.acquire().await?;
    let item = items_db::by_number(&mut conn, access.project.id, number, false)
        .await?
        .ok_or(AppError::NotFound)?;
    if watching {
        db::watch(&mut conn, item.id, &[access.caller.id]).await?;
    } else {
        db::unwatch(&mut conn, item.id, access.caller.id).await?;
    }
    Ok(())
}

// --- notifications -----------------------------------------------------------------------------

/// Notifies a member (checked: nobody outside the project hears of it).
async fn notify(
    conn: &mut PgConnection,
    access: &Access,
    user: Uuid,
    item: Option<Uuid>,
    kind: &str,
    comment: Option<i64>,
    summary: &str,
) -> Result<(), AppError> {
    db::notify(
        conn,
        NewNotification {
            user_id: user,
            project_id: access.project.id,
            item_id: item,
            kind,
            actor_id: Some(access.caller.id),
            comment_id: comment,
            summary,
        },
    )
    .await?;
    Ok(())
}

/// What an item's change means for the people around it, inside the change's transaction:
/// a new assignee watches it and is told (unless they assigned themselves); its watchers
/// hear when it is blocked or done. `actor` is who changed it (`None`: an integration).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn item_changed(
    conn: &mut PgConnection,
    project_id: Uuid,
    item_id: Uuid,
    label: &str,
    actor: Option<(Uuid, &str)>,
    assigned: Option<Uuid>,
    blocked: Option<&str>,
    state: Option<ItemState>,
) -> Result<(), AppError> {
    let actor_id = actor.map(|(id, _)| id);
    let by = actor.map_or("An integration".to_owned(), |(_, name)| name.to_owned());
    let mut send = Vec::new();
    if let Some(person) = assigned {
        db::watch(conn, item_id, &[person]).await?;
        if Some(person) != actor_id {
            send.push((person, "assigned", format!("{by} assigned {label} to you")));
        }
    }
    let watchers = db::watchers(conn, project_id, item_id).await?;
    let others = watchers.iter().filter(|w| Some(**w) != actor_id);
    if let Some(reason) = blocked {
        for w in others.clone() {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            send.push((*w, "blocked", format!("{label} is blocked{reason}")));
        }
    }
    if state == Some(ItemState::Done) {
        for w in others {
            send.push((*w, "done", format!("{by} moved {label} to done")));
        }
    }
    for (user, kind, summary) in send {
        db::notify(
            conn,
            NewNotification {
                user_id: user,
                project_id,
                item_id: Some(item_id),
                kind,
                actor_id,
                comment_id: None,
                summary: &summary,
            },
        )
        .await?;
    }
    Ok(())
}

/// The people with items in an increment are told it started or closed.
pub(crate) async fn increment_moved(
    conn: &mut PgConnection,
    access: &Access,
    people: &[Uuid],
    kind: &str,
    summary: &str,
) -> Result<(), AppError> {
    for person in people.iter().filter(|p| **p != access.caller.id) {
        notify(conn, access, *person, None, kind, None, summary).await?;
    }
    Ok(())
}

/// Where a notification leads: its comment, its item, or (an increment's) the sprints.
pub(crate) fn notification_link(slug: &str, item: Option<i32>, comment: Option<i64>) -> String {
    match (item, comment) {
        (Some(n), Some(c)) => format!("/p/{slug}/items/{n}#comment-{c}"),
        (Some(n), None) => format!("/p/{slug}/items/{n}"),
        (None, _) => format!("/p/{slug}/sprints"),
    }
}

fn to_notification(row: db::NotificationRow) -> Notification {
    let link = notification_link(&row.slug, row.item_number, row.comment_id);
    Notification {
        id: row.id,
        kind: row.kind,
        summary: row.summary,
        project: row.project_name,
        created_at: row.created_at,
        read: row.read_at.is_some(),
        link,
    }
}

/// The caller's inbox.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn inbox(pool: &PgPool, caller: Option<&Caller>) -> Result<Inbox, AppError> {
    let caller = signed_in(caller)?;
    let rows = db::inbox(pool, caller.id, INBOX_SIZE).await?;
    Ok(Inbox {
        notifications: rows.into_iter().map(to_notification).collect(),
        unread: db::unread(pool, caller.id).await?,
    })
}

/// How many unread notifications the caller has (for the header).
pub async fn unread(pool: &PgPool, caller: Option<&Caller>) -> Result<i64, AppError> {
    let caller = signed_in(caller)?;
    Ok(db::unread(pool, caller.id).await?)
}

/// Marks one notification (or, with `None`, all) of the caller read.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn mark_read(
    pool: &PgPool,
    caller: Option<&Caller>,
    id: Option<i64>,
) -> Result<(), AppError> {
    let caller = signed_in(caller)?;
    db::mark_read(pool, caller.id, id, caller.clock.now()).await?;
    Ok(())
}

//! Export a whole project as one versioned JSON document, streamed from the database; and
//! import such a document as a new project, all or nothing.

mod import;

pub use import::{
    import, MAX_CARDS, MAX_HISTORY_PER_ITEM, MAX_ITEMS, MAX_ITEM_NUMBER, MAX_MEMBERS, MAX_NOTES,
    MAX_SPRINTS,
};

use super::{access, signed_in};
use crate::auth::Caller;
use crate::db::export::{self as db, CardImport, ItemFull, ItemImport};
use crate::db::projects as projects_db;
use crate::domain::item::{parse_blocked, parse_description};
use crate::domain::reflection::parse_card;
use crate::domain::IncrementState;
use crate::domain::{Email, ItemKind, Permission, ProjectName, Role, StoryPoints, Title};
use crate::error::{AppError, FieldErrors};
use crate::model::export::{
    ExportCard, ExportComment, ExportEvent, ExportIncrement, ExportItem, ExportMember, ExportNote,
    ExportProject, ExportSprint, Imported, SCHEMA, VERSION,
};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{mpsc, Semaphore};
use uuid::Uuid;

/// How many chunks may wait for a slow client before the export pauses.
const BUFFERED_CHUNKS: usize = 16;

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::internal("export", e))
}

/// History values carry database ids; the document names increments by key and people by
/// email instead, so a re-import gives the same document.
fn export_value(field: &str, value: Option<Value>, keys: &HashMap<i64, u32>) -> Option<Value> {
    match (field, value) {
        ("increment", Some(Value::Object(mut o))) => {
            let key = o
                .remove("id")
                .and_then(|id| id.as_i64())
                .and_then(|id| keys.get(&id).copied());
            o.insert("key".into(), json!(key));
            Some(Value::Object(o))
        }
        ("assignee", Some(Value::Object(mut o))) => {
            o.remove("id");
            Some(Value::Object(o))
        }
        (_, v) => v,
    }
}

/// Comments as the document has them: mentions as `@email` (`emails`: the members').
fn export_comments(
    stored: Value,
    emails: &HashMap<Uuid, String>,
) -> Result<Vec<ExportComment>, AppError> {
    let comments: Vec<ExportComment> =
        serde_json::from_value(stored).map_err(|e| AppError::internal("comments", e))?;
    Ok(comments
        .into_iter()
        .map(|c| ExportComment {
            body: crate::domain::comment::editable(&c.body, |id| emails.get(&id).cloned()),
            ..c
        })
        .collect())
}

fn export_item(
    row: ItemFull,
    keys: &HashMap<i64, u32>,
    emails: &HashMap<Uuid, String>,
) -> Result<ExportItem, AppError> {
    let history: Vec<ExportEvent> =
        serde_json::from_value(row.history).map_err(|e| AppError::internal("history", e))?;
    let comments = export_comments(row.comments, emails)?;
    Ok(ExportItem {
        number: row.number,
        kind: row.kind,
        parent: row.parent_number,
        title: row.title,
        description: row.description,
        estimate: row.estimate.map(|e| e.clamp(0, 255) as u8),
        assignee: row.assignee_email,
        state: row.state,
        blocked: row.blocked,
        blocked_reason: row.blocked_reason,
        rank: row.rank,
        version: row.version,
        creator: row.creator_email,
        created_at: row.created_at,
        updated_at: row.updated_at,
        done_at: row.done_at,
        deleted_at: row.deleted_at,
        increment: row.increment_id.and_then(|i| keys.get(&i).copied()),
        history: history
            .into_iter()
            .map(|e| ExportEvent {
                old: export_value(&e.field, e.old, keys),
                new: export_value(&e.field, e.new, keys),
                ..e
            })
            .collect(),
        comments,
    })
}

/// How long the export waits for a client that stopped reading before it gives up (and
/// gives its database connection back).
const STALLED_CLIENT: std::time::Duration = std::time::Duration::from_secs(60);

/// Hands a chunk to the response; false when the client went away or stalled.
async fn send(sender: &mpsc::Sender<Result<String, AppError>>, chunk: String) -> bool {
    match tokio::time::timeout(STALLED_CLIENT, sender.send(Ok(chunk))).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(_) => {
            tracing::warn!("export client stopped reading; export abandoned");
            false
        }
    }
}

/// Starts the export: checks the caller, reads the small parts in a repeatable-read
/// transaction, and streams the rest (items one at a time) through a bounded channel, so
/// memory stays flat for large projects. Errors after the first chunk end the stream early
/// (the client sees incomplete JSON); they are logged.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn export(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    limit: &Arc<Semaphore>,
) -> Result<mpsc::Receiver<Result<String, AppError>>, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    // Each export holds a connection while it streams: only so many at once, so the rest
    // of the app keeps its connections. The permit goes with the streaming task.
    let permit = limit
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy)?;
    let project = access.project.clone();
    let settings = super::projects::settings_of(pool, &project).await?;
    let mut tx = db::snapshot(pool).await?;
    let members = db::members(&mut tx, project.id)
        .await?
        .into_iter()
        .map(|(email, display_name, role)| {
            Ok(ExportMember {
                email,
                display_name,
                role,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let emails: HashMap<Uuid, String> = db::member_emails(&mut tx, project.id)
        .await?
        .into_iter()
        .collect();
    let increments = db::increments(&mut tx, project.id).await?;
    let sprints = db::sprints(&mut tx, project.id).await?;
    let mut keys: HashMap<i64, u32> = HashMap::new();
    let mut export_sprints = Vec::new();
    for sprint in &sprints {
        let mut list = Vec::new();
        for inc in increments.iter().filter(|i| i.sprint_id == sprint.id) {
            let key = keys.len() as u32 + 1;
            keys.insert(inc.id, key);
            list.push(ExportIncrement {
                key,
                number: inc.number,
                starts_on: inc.starts_on,
                ends_on: inc.ends_on,
                state: inc.state,
                started_at: inc.started_at,
                closed_at: inc.closed_at,
                committed_points: inc.committed_points,
                commitment: inc.commitment.clone(),
                report: inc
                    .report
                    .clone()
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(|e| AppError::internal("stored report unreadable", e))?,
            });
        }
        export_sprints.push(ExportSprint {
            name: sprint.name.clone(),
            starts_on: sprint.starts_on,
            ends_on: sprint.ends_on,
            increment_weeks: sprint.increment_weeks.clamp(1, 8) as u8,
            increments: list,
        });
    }
    let head = format!(
        r#"{{"schema":{},"version":{},"exported_at":{},"project":{},"members":{},"sprints":{},"items":["#,
        to_json(&SCHEMA)?,
        VERSION,
        to_json(&access.caller.clock.now())?,
        to_json(&ExportProject {
            name: project.name.clone(),
            slug: project.slug.clone(),
            archived: project.archived_at.is_some(),
            settings,
        })?,
        to_json(&members)?,
        to_json(&export_sprints)?,
    );
    let (sender, receiver) = mpsc::channel(BUFFERED_CHUNKS);
    let project_id = project.id;
    tokio::spawn(async move {
        let _permit = permit;
        let result = async {
            if !send(&sender, head).await {
                return Ok(());
            }
            let mut first = true;
            {
                let mut rows = db::items(&mut tx, project_id);
                while let Some(row) = rows.try_next().await? {
                    let mut chunk = if first { String::new() } else { ",".to_owned() };
                    first = false;
                    chunk.push_str(&to_json(&export_item(row, &keys, &emails)?)?);
                    if !send(&sender, chunk).await {
                        return Ok(());
                    }
                }
            }
            let notes: Vec<ExportNote> = db::notes(&mut tx, project_id)
                .await?
                .into_iter()
                .map(|n| ExportNote {
                    email: n.email,
                    day: n.day,
                    yesterday: n.yesterday,
                    today: n.today,
                    blockers: n.blockers,
                    updated_at: n.updated_at,
                })
                .collect();
            let cards = db::cards(&mut tx, project_id)
                .await?
                .into_iter()
                .map(|c| {
                    Ok(ExportCard {
                        increment: keys
                            .get(&c.increment_id)
                            .copied()
                            .ok_or_else(|| AppError::broken("card of an unknown increment"))?,
                        week: c.week.clamp(1, 52) as u8,
                        kind: c.kind,
                        body: c.body,
                        author: c.author_email,
                        group_name: c.group_name,
                        position: c.position,
                        item: c.item_number,
                        created_at: c.created_at,
                        votes: c.votes,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let poker = crate::service::poker::exported(&mut tx, project_id, &keys).await?;
            let tail = format!(
                r#"],"standup_notes":{},"reflections":{},"poker_sessions":{}}}"#,
                to_json(&notes)?,
                to_json(&cards)?,
                to_json(&poker)?
            );
            send(&sender, tail).await;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "export stopped");
            let _ = sender.send(Err(e)).await;
        }
    });
    Ok(receiver)
}

//! Bulk edits: one change to several items at once (the backlog's selection). All or
//! nothing, in one transaction; each item's history records its own change, as if it had
//! been edited alone. The reply carries the edits that undo it.

use super::trash::{delete_in, restore_in};
use super::*;
use crate::db::sprints::lock_project;
use crate::model::items::{BulkChange, BulkDone, BulkEdit, MAX_BULK};
use crate::service::sprints::{commit_in, listed, open_increment_in, uncommit_in};

/// Makes `edits`, in order, to the items they name; none if any item refuses its change.
#[tracing::instrument(skip(pool, caller, edits), err(level = "info"))]
pub async fn bulk(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    edits: &[BulkEdit],
) -> Result<BulkDone, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    bulk_with(pool, &access, edits).await
}

/// A bulk edit from the backlog's plain form: the selected items and one choice of its
/// menu (see [`BulkChange::from_choice`]).
pub async fn bulk_choice(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    items: Vec<i32>,
    choice: &str,
) -> Result<BulkDone, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let Some(change) = BulkChange::from_choice(choice) else {
        return Err(AppError::validation(
            "change",
            "choose what to do with the selected items",
        ));
    };
    bulk_with(pool, &access, &[BulkEdit { items, change }]).await
}

async fn bulk_with(
    pool: &PgPool,
    access: &Access,
    edits: &[BulkEdit],
) -> Result<BulkDone, AppError> {
    let total: usize = edits.iter().map(|e| e.items.len()).sum();
    if total == 0 {
        return Err(AppError::validation("items", "select at least one item"));
    }
    if total > MAX_BULK {
        return Err(AppError::validation(
            "items",
            format!("at most {MAX_BULK} items at a time ({total} were selected)"),
        ));
    }
    // Committing to an increment is planning, as it is one item at a time.
    let plans = edits
        .iter()
        .any(|e| matches!(e.change, BulkChange::Increment(_) | BulkChange::Uncommit(_)));
    if plans && !access.role.allows(Permission::Plan) {
        return Err(AppError::Forbidden);
    }
    let chart = access.chart()?;
    let mut tx = pool.begin().await?;
    if plans {
        // Locks in the same order as committing does: the project, then the items.
        lock_project(&mut tx, access.project.id).await?;
    }
    // Every item of every edit, in number order, before any is read: the undo of an earlier
    // bulk edit names several groups, whose numbers interleave.
    let mut all: Vec<i32> = edits.iter().flat_map(|e| e.items.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    db::lock_numbers(&mut tx, access.project.id, &all).await?;
    let mut changed = 0;
    let mut undo = Vec::new();
    for edit in edits {
        let mut numbers = edit.items.clone();
        numbers.sort_unstable();
        numbers.dedup();
        changed += numbers.len() as u32;
        let mut back = one(&mut tx, access, &chart, &numbers, &edit.change).await?;
        // Undone in the reverse order.
        back.append(&mut undo);
        undo = back;
    }
    tx.commit().await?;
    Ok(BulkDone { changed, undo })
}

/// Adds `number` to the edit in `undo` that makes `change`, or a new one.
fn put_back(undo: &mut Vec<BulkEdit>, change: BulkChange, number: i32) {
    match undo.iter_mut().find(|e| e.change == change) {
        Some(edit) => edit.items.push(number),
        None => undo.push(BulkEdit {
            items: vec![number],
            change,
        }),
    }
}

/// Makes one change to the items `numbers` (sorted, each once: the order rows are locked
/// in) inside the transaction; returns the edits that undo it.
async fn one(
    tx: &mut PgConnection,
    access: &Access,
    chart: &EffortChart,
    numbers: &[i32],
    change: &BulkChange,
) -> Result<Vec<BulkEdit>, AppError> {
    let mut errors = Vec::new();
    let mut undo = Vec::new();
    match change {
        BulkChange::Increment(id) => {
            let target =
                open_increment_in(tx, access, *id, "plan the next increment instead").await?;
            for (n, from) in commit_in(tx, access, &target, numbers).await? {
                let back = match from {
                    None => BulkChange::Uncommit(*id),
                    Some(from) => BulkChange::Increment(from),
                };
                put_back(&mut undo, back, n);
            }
        }
        BulkChange::Uncommit(id) => {
            let target = open_increment_in(tx, access, *id, "its items stay in its report").await?;
            uncommit_in(tx, access, &target, numbers).await?;
            undo.push(BulkEdit {
                items: numbers.to_vec(),
                change: BulkChange::Increment(*id),
            });
        }
        BulkChange::Restore => {
            for &n in numbers {
                match restore_in(tx, access, n).await {
                    Ok(_) => put_back(&mut undo, BulkChange::Delete, n),
                    Err(AppError::NotFound) => {
                        errors.push(format!("there is no item #{n} in this project"))
                    }
                    Err(AppError::Conflict(message)) => errors.push(message),
                    Err(e) => return Err(e),
                }
            }
        }
        _ => {
            for &n in numbers {
                let old = match live_item(tx, access.project.id, n, true).await {
                    Ok(row) => row,
                    Err(AppError::NotFound) => {
                        errors.push(format!("there is no item #{n} in this project"));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let mut patch = ItemPatch {
                    version: old.version,
                    ..ItemPatch::default()
                };
                let was = match change {
                    BulkChange::Estimate(points) => {
                        patch.estimate = Some(*points);
                        BulkChange::Estimate(old.estimate.map(i64::from))
                    }
                    BulkChange::Assignee(email) => {
                        patch.assignee = Some(email.clone());
                        BulkChange::Assignee(old.assignee_email.clone())
                    }
                    BulkChange::State(state) => {
                        patch.state = Some(state.clone());
                        BulkChange::State(old.state.as_str().to_owned())
                    }
                    _ => {
                        // Delete: an epic's children need a choice made on its own page.
                        if !db::child_ids(&mut *tx, old.id).await?.is_empty() {
                            errors.push(format!(
                                "#{n} is an epic with child items: delete it from its own page, which asks what happens to them"
                            ));
                        } else {
                            delete_in(tx, access, &old).await?;
                            put_back(&mut undo, BulkChange::Restore, n);
                        }
                        continue;
                    }
                };
                match apply(tx, access, chart, &old, &patch).await {
                    Ok(()) => put_back(&mut undo, was, n),
                    Err(AppError::Validation(fields)) => {
                        let why: Vec<&str> = fields.0.values().map(String::as_str).collect();
                        errors.push(format!("#{n}: {}", why.join("; ")));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", listed(&errors)));
    }
    Ok(undo)
}

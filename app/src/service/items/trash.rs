//! The trash: deleting an item (an epic with its children, or leaving them in the backlog)
//! and restoring it with the children that went with it.

use super::*;

/// Moves an item (and, when asked, an epic's children) to the trash; `restore` undoes it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn delete(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    children: Option<ChildrenChoice>,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let project_id = access.project.id;
    let mut tx = pool.begin().await?;
    let item = live_item(&mut tx, project_id, number, true).await?;
    let child_ids = db::child_ids(&mut tx, item.id).await?;
    let now = access.caller.clock.now();
    if !child_ids.is_empty() {
        let rows = db::by_ids(&mut tx, &child_ids).await?;
        match children {
            None => {
                return Err(AppError::validation(
                    "children",
                    format!(
                        "this epic has {} child item{}: delete them too, or detach them to keep them in the backlog",
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" }
                    ),
                ))
            }
            Some(ChildrenChoice::Delete) => {
                for mut child in rows {
                    child.deleted_at = Some(now);
                    let change = Change::Deleted {
                        with_epic: Some(number),
                    };
                    save_with(&mut tx, &access, &child, &change).await?;
                }
            }
            Some(ChildrenChoice::Detach) => {
                for mut child in rows {
                    child.parent_id = None;
                    let change = Change::Parent {
                        old: Some(number),
                        new: None,
                    };
                    save_with(&mut tx, &access, &child, &change).await?;
                }
            }
        }
    }
    let mut item = item;
    item.deleted_at = Some(now);
    save_with(
        &mut tx,
        &access,
        &item,
        &Change::Deleted { with_epic: None },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Brings an item back from the trash, with the children deleted along with it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn restore(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
) -> Result<Item, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let chart = access.chart()?;
    let mut tx = pool.begin().await?;
    let id = restore_in(&mut tx, &access, number).await?;
    commit_and_read(tx, id, &chart).await
}

/// Brings an item back from the trash inside the caller's transaction (see `restore`).
pub(crate) async fn restore_in(
    tx: &mut PgConnection,
    access: &Access,
    number: i32,
) -> Result<Uuid, AppError> {
    let project_id = access.project.id;
    let actor = access.caller.id;
    let mut item = db::by_number(&mut *tx, project_id, number, true)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(deleted_at) = item.deleted_at else {
        return Err(AppError::Conflict(format!("#{number} is not in the trash")));
    };
    if let Some(parent) = item.parent_number {
        if live_item(tx, project_id, parent, false).await.is_err() {
            // Its epic is gone: it comes back on its own, and the history says so.
            item.parent_id = None;
            let change = Change::Parent {
                old: Some(parent),
                new: None,
            };
            db::record(
                &mut *tx,
                project_id,
                item.id,
                actor,
                access.caller.clock.now(),
                &change,
            )
            .await?;
        }
    }
    item.deleted_at = None;
    save_with(tx, access, &item, &Change::Restored).await?;
    let together = db::trashed_with(&mut *tx, item.id, deleted_at).await?;
    for mut child in db::by_ids(&mut *tx, &together).await? {
        child.deleted_at = None;
        save_with(tx, access, &child, &Change::Restored).await?;
    }
    Ok(item.id)
}

/// Moves an item without children to the trash inside the caller's transaction.
pub(crate) async fn delete_in(
    tx: &mut PgConnection,
    access: &Access,
    item: &ItemRow,
) -> Result<(), AppError> {
    let mut item = item.clone();
    item.deleted_at = Some(access.caller.clock.now());
    save_with(tx, access, &item, &Change::Deleted { with_epic: None }).await
}

/// Saves an item and records the change in its history, stamped now.
async fn save_with(
    tx: &mut PgConnection,
    access: &Access,
    row: &ItemRow,
    change: &Change,
) -> Result<(), AppError> {
    db::save(tx, row).await?;
    let at = access.caller.clock.now();
    db::record(tx, access.project.id, row.id, access.caller.id, at, change).await?;
    Ok(())
}

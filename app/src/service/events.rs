//! Live updates: who may listen to a project's changes, and what a returning client missed.

use super::{access, Access};
use crate::auth::Caller;
use crate::db::events as db;
use crate::domain::Permission;
use crate::error::AppError;
use crate::model::events::LiveEvent;
use sqlx::PgPool;

/// At most this many missed changes are sent one by one; further behind, a client reloads.
pub const MAX_CATCH_UP: i64 = 1000;

/// What a returning client missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUp {
    /// These changes, in order (none: it missed nothing).
    Events(Vec<LiveEvent>),
    /// Too much, or no longer kept: read everything again. The latest change's number.
    Reload(i64),
}

/// Opening a project's stream: members only, any role.
pub async fn open(pool: &PgPool, caller: Option<&Caller>, slug: &str) -> Result<Access, AppError> {
    access(pool, caller, slug, Permission::Read).await
}

/// The number of the project's latest change.
pub async fn latest(pool: &PgPool, access: &Access) -> Result<i64, AppError> {
    Ok(db::latest(pool, access.project.id).await?)
}

/// The changes after `after`, or that the client must reload.
pub async fn missed(pool: &PgPool, access: &Access, after: i64) -> Result<CatchUp, AppError> {
    let latest = db::latest(pool, access.project.id).await?;
    if after == latest {
        return Ok(CatchUp::Events(Vec::new()));
    }
    // From the future (a database restored from a backup), or too far behind.
    if after > latest || latest - after > MAX_CATCH_UP {
        return Ok(CatchUp::Reload(latest));
    }
    let rows = db::since(pool, access.project.id, after, MAX_CATCH_UP).await?;
    // Numbers have no gaps: a first one other than the next means the rest was pruned.
    if rows.first().map(|r| r.seq) != Some(after + 1) {
        return Ok(CatchUp::Reload(latest));
    }
    Ok(CatchUp::Events(
        rows.into_iter()
            .map(|r| LiveEvent {
                seq: r.seq,
                kind: r.kind,
                numbers: r.numbers,
            })
            .collect(),
    ))
}

/// Whether the stream's caller is still a member of its project.
pub async fn still_member(pool: &PgPool, access: &Access) -> bool {
    matches!(
        crate::db::projects::is_member(pool, access.project.id, access.caller.id).await,
        Ok(true)
    )
}

/// Forgets events older than `hours`.
pub async fn prune(pool: &PgPool, hours: i32) -> Result<u64, AppError> {
    Ok(db::prune(pool, hours).await?)
}

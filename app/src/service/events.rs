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

/// Someone with a page of a project open, as the hub reads it for all its streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Here {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub page: String,
}

/// The stream (numbered `stream_id`) of this caller is open on `page`. A page name that is
/// not one is refused.
pub async fn arrive(
    pool: &PgPool,
    access: &Access,
    stream_id: uuid::Uuid,
    page: &str,
) -> Result<(), AppError> {
    if !crate::domain::project::is_page_name(page) {
        return Err(AppError::Request(
            "page: a page name is lower-case letters".into(),
        ));
    }
    crate::db::presence::join(pool, stream_id, access.project.id, access.caller.id, page).await?;
    Ok(())
}

/// The stream has ended.
pub async fn depart(pool: &PgPool, stream_id: uuid::Uuid) -> Result<(), AppError> {
    Ok(crate::db::presence::leave(pool, stream_id).await?)
}

/// Streams still open (refreshed so they are not swept).
pub async fn still_here(pool: &PgPool, stream_ids: &[uuid::Uuid]) -> Result<(), AppError> {
    Ok(crate::db::presence::refresh(pool, stream_ids).await?)
}

/// Forgets streams not refreshed for `seconds`.
pub async fn sweep_presence(pool: &PgPool, seconds: i32) -> Result<u64, AppError> {
    Ok(crate::db::presence::sweep(pool, seconds).await?)
}

/// Everyone with a page of project `project_id` open. For the hub, which sends each of its
/// streams of that project (whose access was checked when it opened) its page's part.
pub async fn here(pool: &PgPool, project_id: uuid::Uuid) -> Result<Vec<Here>, AppError> {
    Ok(crate::db::presence::present(pool, project_id)
        .await?
        .into_iter()
        .map(|r| Here {
            user_id: r.user_id,
            name: r.display_name,
            page: r.page,
        })
        .collect())
}

/// What one stream's listener is told: the people on `page`, once each, `me` marked.
pub fn present_on(here: &[Here], page: &str, me: uuid::Uuid) -> Vec<crate::model::events::Present> {
    let mut seen = std::collections::HashSet::new();
    here.iter()
        .filter(|h| h.page == page && seen.insert(h.user_id))
        .map(|h| crate::model::events::Present {
            name: h.name.clone(),
            initials: crate::domain::account::initials_of(&h.name),
            you: h.user_id == me,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_shows_each_person_on_it_once_and_marks_the_listener() {
        let (ann, bob) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let here = vec![
            Here {
                user_id: ann,
                name: "Ann Lee".into(),
                page: "board".into(),
            },
            Here {
                user_id: ann,
                name: "Ann Lee".into(),
                page: "board".into(),
            },
            Here {
                user_id: bob,
                name: "Bob Builder".into(),
                page: "backlog".into(),
            },
        ];
        let board = present_on(&here, "board", bob);
        assert_eq!(board.len(), 1);
        assert_eq!((board[0].initials.as_str(), board[0].you), ("AL", false));
        let backlog = present_on(&here, "backlog", bob);
        assert_eq!(
            (backlog[0].name.as_str(), backlog[0].you),
            ("Bob Builder", true)
        );
        assert!(present_on(&here, "planning", bob).is_empty());
    }

    #[test]
    fn page_names_are_short_lower_case_words() {
        use crate::domain::project::is_page_name;
        assert!(is_page_name("board") && is_page_name("parking-lot"));
        assert!(!is_page_name("") && !is_page_name("Board") && !is_page_name("a/b"));
        assert!(!is_page_name(&"a".repeat(33)));
    }
}

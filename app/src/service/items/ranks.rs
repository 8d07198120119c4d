//! Where an item sits in the backlog: ranks with gaps between them, re-spread when a gap
//! runs out, and moving an item up, down, to the top or bottom, or next to another.

use super::*;

/// A rank for a new position, spreading the project's ranks first when there is no room.
/// Holds the project's rank lock from here to the end of the transaction (a transaction
/// that also locks items takes it earlier, with [`lock_ranks`]).
pub(super) async fn place(
    conn: &mut PgConnection,
    project_id: Uuid,
    moving: Option<Uuid>,
    target: &Target,
) -> Result<i64, AppError> {
    db::lock_ranks(conn, project_id).await?;
    for _ in 0..2 {
        let (prev, next) = match target {
            Target::Top => (None, db::end_rank(conn, project_id, false, moving).await?),
            Target::Bottom => (db::end_rank(conn, project_id, true, moving).await?, None),
            Target::Before(id) | Target::After(id) => {
                let other = db::by_ids(conn, &[*id])
                    .await?
                    .pop()
                    .ok_or(AppError::NotFound)?;
                let before = matches!(target, Target::Before(_));
                let neighbour = db::neighbour_rank(
                    conn,
                    project_id,
                    other.rank,
                    before,
                    moving.unwrap_or(Uuid::nil()),
                )
                .await?;
                if before {
                    (neighbour, Some(other.rank))
                } else {
                    (Some(other.rank), neighbour)
                }
            }
        };
        if let Some(r) = rank::between(prev, next) {
            return Ok(r);
        }
        let moved = db::spread(conn, project_id).await?;
        tracing::info!(moved, "ranks spread out");
    }
    Err(AppError::broken("no rank found even after spreading"))
}

/// A rank above every other live item of the project (for items going back to the
/// backlog's top).
pub(crate) async fn place_at_top(
    conn: &mut PgConnection,
    project_id: Uuid,
    moving: Uuid,
) -> Result<i64, AppError> {
    place(conn, project_id, Some(moving), &Target::Top).await
}

/// Takes the project's rank lock (see `db::items::lock_ranks`): before any item's row lock.
pub(crate) async fn lock_ranks(conn: &mut PgConnection, project_id: Uuid) -> Result<(), AppError> {
    Ok(db::lock_ranks(conn, project_id).await?)
}

pub(super) enum Target {
    Top,
    Bottom,
    Before(Uuid),
    After(Uuid),
}

#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn move_to(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    number: i32,
    to: &MoveTo,
) -> Result<Item, AppError> {
    let access = access(pool, caller, slug, Permission::Contribute).await?;
    let given = [to.before.is_some(), to.after.is_some(), to.to.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(AppError::validation(
            "to",
            "give exactly one of before, after, or to (top or bottom)",
        ));
    }
    let chart = access.chart()?;
    let mut retry = crate::service::Retry::default();
    loop {
        match move_once(pool, &access, number, to, &chart).await {
            Err(e) if retry.again(&e).await => continue,
            done => return done,
        }
    }
}

/// One attempt at a move, in its own transaction.
async fn move_once(
    pool: &PgPool,
    access: &Access,
    number: i32,
    to: &MoveTo,
    chart: &EffortChart,
) -> Result<Item, AppError> {
    let project_id = access.project.id;
    let mut tx = pool.begin().await?;
    lock_ranks(&mut tx, project_id).await?;
    let item = live_item(&mut tx, project_id, number, true).await?;
    let target = match (to.before, to.after, to.to.as_deref()) {
        (_, _, Some("top")) => Target::Top,
        (_, _, Some("bottom")) => Target::Bottom,
        (_, _, Some(other)) => {
            return Err(AppError::validation(
                "to",
                format!("{other:?} is not top or bottom"),
            ))
        }
        (Some(n), _, _) | (_, Some(n), _) => {
            if n == number {
                return Err(AppError::validation(
                    "to",
                    "an item cannot move next to itself",
                ));
            }
            let other = live_item(&mut tx, project_id, n, false)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => {
                        AppError::validation("to", format!("there is no item #{n} here"))
                    }
                    other => other,
                })?;
            if to.before.is_some() {
                Target::Before(other.id)
            } else {
                Target::After(other.id)
            }
        }
        (None, None, None) => unreachable!("exactly one was given"),
    };
    let rank = place(&mut tx, project_id, Some(item.id), &target).await?;
    db::set_rank(&mut tx, item.id, rank).await?;
    commit_and_read(tx, item.id, chart).await
}

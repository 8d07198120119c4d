//! Planning an increment against the team's capacity, and its task board.

use super::*;

/// The planning session for an increment (by default the next one to run): capacity from
/// the team's velocity (or a typed one), what is committed, and the backlog to pick from.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn planning(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: Option<i64>,
    typed: Option<&str>,
) -> Result<Planning, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let typed = parse_velocity(typed)?;
    let calendar = calendar(pool, &access).await?;
    let chart = access.chart()?;
    let all = increments_of(pool, &access, &calendar).await?;
    let plannable: Vec<Increment> = all
        .iter()
        .filter(|(r, _)| r.state != IncrementState::Closed)
        .map(|(_, i)| i.clone())
        .collect();
    let chosen = match increment {
        Some(id) => all
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, i)| i.clone())
            .ok_or(AppError::NotFound)?,
        None => plannable
            .iter()
            .find(|i| i.state == IncrementState::Planned)
            .or_else(|| plannable.first())
            .cloned()
            .ok_or_else(|| {
                AppError::Conflict("there is no increment to plan: create a sprint first".into())
            })?,
    };
    let team = velocity_of(pool, &access).await?.team;
    let days = chosen.business_days;
    let velocity = typed.or(team.map(|t| t.average));
    let range = |t: &TeamVelocity, fast: bool| {
        sprint::capacity(if fast { t.fastest } else { t.slowest }, days)
    };
    let mut conn = pool.acquire().await?;
    let mut candidate_ids = db::candidate_ids(&mut conn, access.project.id, CANDIDATES + 1).await?;
    let more_candidates = candidate_ids.len() as i64 > CANDIDATES;
    candidate_ids.truncate(CANDIDATES as usize);
    let candidate_rows = items_db::by_ids(&mut conn, &candidate_ids).await?;
    let candidates = to_items(&mut conn, &candidate_rows, &chart).await?;
    let committed_ids = db::item_ids(&mut conn, chosen.id).await?;
    let committed_rows = items_db::by_ids(&mut conn, &committed_ids).await?;
    let committed = to_items(&mut conn, &committed_rows, &chart).await?;
    drop(conn);
    let mut ranked: Vec<(i64, i32)> = candidate_rows
        .iter()
        .chain(&committed_rows)
        .map(|r| (r.rank, r.number))
        .collect();
    ranked.sort_unstable();
    Ok(Planning {
        poker: crate::service::poker::kept_of(pool, &access, chosen.id).await?,
        committed,
        candidates,
        more_candidates,
        order: ranked.into_iter().map(|(_, n)| n).collect(),
        capacity: velocity.map(|v| sprint::capacity(v, days)),
        capacity_low: team
            .as_ref()
            .filter(|_| typed.is_none())
            .map(|t| range(t, false)),
        capacity_high: team
            .as_ref()
            .filter(|_| typed.is_none())
            .map(|t| range(t, true)),
        typed: typed.is_some(),
        velocity,
        team,
        increment: chosen,
        plannable,
    })
}

/// The task board of an increment: the one asked for, else the active one, else the next
/// planned one.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn board(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: Option<i64>,
) -> Result<Board, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let calendar = calendar(pool, &access).await?;
    let chart = access.chart()?;
    let all: Vec<Increment> = increments_of(pool, &access, &calendar)
        .await?
        .into_iter()
        .map(|(_, i)| i)
        .collect();
    let chosen = match increment {
        Some(id) => Some(
            all.iter()
                .find(|i| i.id == id)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => all
            .iter()
            .find(|i| i.state == IncrementState::Active)
            .or_else(|| all.iter().find(|i| i.state == IncrementState::Planned))
            .cloned(),
    };
    let items = match &chosen {
        Some(inc) => items_in(pool, &chart, inc.id).await?,
        None => Vec::new(),
    };
    Ok(Board {
        increment: chosen,
        increments: all,
        items,
    })
}

//! The reports: an increment's burndown (frozen when it closes), closing with its carry
//! over, the team's velocity and the forecast.

use super::*;

/// Rebuilds each item's track through the increment by walking its history backwards
/// from what it is now.
pub(super) fn build_tracks(
    increment: i64,
    facts: &[FactsRow],
    changes: &[ChangeRow],
) -> Vec<Track> {
    let mut by_item: HashMap<Uuid, Vec<(DateTime<Utc>, Change)>> = HashMap::new();
    for row in changes {
        if let Some(change) = row.change() {
            by_item
                .entry(row.item_id)
                .or_default()
                .push((row.at, change));
        }
    }
    facts
        .iter()
        .map(|f| {
            let now = BurnFacts {
                exists: true,
                kind: f.kind,
                estimate: f.estimate.and_then(|e| StoryPoints::parse_extended(e).ok()),
                state: f.state,
                increment_id: f.increment_id,
                deleted: f.deleted,
            };
            now.track(increment, by_item.get(&f.id).map_or(&[], Vec::as_slice))
        })
        .collect()
}

pub(super) async fn compute_report(
    conn: &mut PgConnection,
    project_id: Uuid,
    row: &IncrementRow,
    calendar: &Calendar,
    until: DateTime<Utc>,
) -> Result<Option<Report>, AppError> {
    let Some(started_at) = row.started_at else {
        return Ok(None);
    };
    let (facts, changes) = db::tracks(conn, project_id, row.id).await?;
    let tracks = build_tracks(row.id, &facts, &changes);
    let days = calendar.business_days(row.starts_on, row.ends_on);
    Ok(Some(burndown::report(&tracks, started_at, until, &days)))
}

pub(super) fn frozen(row: &IncrementRow) -> Result<Option<Report>, AppError> {
    row.report
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| AppError::internal("stored increment report unreadable", e))
}

pub(super) async fn items_in(
    pool: &PgPool,
    chart: &EffortChart,
    increment_id: i64,
) -> Result<Vec<Item>, AppError> {
    let mut conn = pool.acquire().await?;
    let ids = db::item_ids(&mut conn, increment_id).await?;
    let rows = items_db::by_ids(&mut conn, &ids).await?;
    to_items(&mut conn, &rows, chart).await
}

/// The first planned increment that starts after this one.
pub(super) fn next_after<'a>(
    all: &'a [(IncrementRow, Increment)],
    row: &IncrementRow,
) -> Option<&'a Increment> {
    all.iter()
        .filter(|(r, _)| {
            r.state == IncrementState::Planned && r.id != row.id && r.starts_on > row.starts_on
        })
        .map(|(_, i)| i)
        .next()
}

/// An increment with its report: frozen once closed, from history up to now while active.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn report(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
) -> Result<IncrementReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    report_of(pool, &access, id).await
}

pub(super) async fn report_of(
    pool: &PgPool,
    access: &Access,
    id: i64,
) -> Result<IncrementReport, AppError> {
    let calendar = calendar(pool, access).await?;
    let chart = access.chart()?;
    let all = increments_of(pool, access, &calendar).await?;
    let (row, increment) = all
        .iter()
        .find(|(r, _)| r.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let report = match row.state {
        IncrementState::Closed => frozen(&row)?,
        _ => {
            let mut conn = pool.acquire().await?;
            let now = access.caller.clock.now();
            compute_report(&mut conn, access.project.id, &row, &calendar, now).await?
        }
    };
    Ok(IncrementReport {
        business_days: calendar.business_days(row.starts_on, row.ends_on),
        frozen: row.state == IncrementState::Closed,
        next: next_after(&all, &row).cloned(),
        items: items_in(pool, &chart, id).await?,
        increment,
        report,
    })
}

/// Closes the active increment: freezes its report, then carries the unfinished items to
/// the next planned increment or back to the top of the backlog.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn close(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: i64,
    closing: &Closing,
) -> Result<IncrementReport, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let project_id = access.project.id;
    let calendar = calendar(pool, &access).await?;
    let all = increments_of(pool, &access, &calendar).await?;
    let mut tx = pool.begin().await?;
    db::lock_project(&mut tx, project_id).await?;
    // Unfinished items may go back to the backlog's top: the rank lock before any item's.
    crate::service::items::lock_ranks(&mut tx, project_id).await?;
    let row = locked_increment(&mut tx, project_id, id).await?;
    match row.state {
        IncrementState::Planned => {
            return Err(AppError::Conflict(format!(
                "{} has not been started yet",
                label(&row)
            )))
        }
        IncrementState::Closed => {
            return Err(AppError::Conflict(format!(
                "{} is already closed",
                label(&row)
            )))
        }
        IncrementState::Active => {}
    }
    // Its items are locked before the report is computed: a card moved to Done meanwhile
    // is either in the report or waits for the close, never lost between the two.
    let ids = db::lock_items(&mut tx, id).await?;
    let now = access.caller.clock.now();
    let report = compute_report(&mut tx, project_id, &row, &calendar, now)
        .await?
        .ok_or_else(|| AppError::broken("active increment without a start"))?;
    let frozen = serde_json::to_value(&report)
        .map_err(|e| AppError::internal("report not serialisable", e))?;
    db::mark_closed(&mut tx, id, now, frozen).await?;
    let mut people: Vec<_> = items_db::by_ids(&mut tx, &ids)
        .await?
        .iter()
        .filter_map(|i| i.assignee_id)
        .collect();
    people.sort_unstable();
    people.dedup();
    let summary = format!("{} closed", label(&row));
    crate::service::comments::increment_moved(
        &mut tx,
        &access,
        &people,
        "increment_closed",
        &summary,
    )
    .await?;

    let unfinished: Vec<_> = items_db::by_ids(&mut tx, &ids)
        .await?
        .into_iter()
        .filter(|i| i.state != ItemState::Done)
        .collect();
    let mut errors = Vec::new();
    for exception in &closing.items {
        if !unfinished.iter().any(|i| i.number == exception.number) {
            errors.push(format!(
                "#{} is not an unfinished item of {}",
                exception.number,
                label(&row)
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation("items", errors.join("; ")));
    }
    let next = next_after(&all, &row);
    let old = increment_value(&row);
    // Back to the backlog in their current order, above everything else.
    for item in unfinished.iter().rev() {
        let carry = closing
            .items
            .iter()
            .find(|e| e.number == item.number)
            .map_or(closing.carry, |e| e.carry);
        let (to, new) = match (carry, next) {
            (Carry::Next, Some(next)) => (
                Some(next.id),
                Some(IncrementRef {
                    id: Some(next.id),
                    name: next.label(),
                }),
            ),
            (Carry::Next, None) => {
                return Err(AppError::validation(
                    "carry",
                    format!(
                        "there is no planned increment after {}: send the items back to the backlog, or create the next sprint first",
                        label(&row)
                    ),
                ))
            }
            (Carry::Backlog, _) => {
                let rank = place_at_top(&mut tx, project_id, item.id).await?;
                items_db::set_rank(&mut tx, item.id, rank).await?;
                (None, None)
            }
        };
        move_item(&mut tx, &access, item.id, to, Some(old.clone()), new).await?;
    }
    tx.commit().await?;
    report_of(pool, &access, id).await
}

/// Every increment with its velocity: frozen once closed, so far while active, none while
/// planned. For the reflection, which shows an increment's velocity beside the one before.
pub(crate) async fn increments_with_velocity(
    pool: &PgPool,
    access: &Access,
) -> Result<Vec<(Increment, Option<f64>)>, AppError> {
    let calendar = calendar(pool, access).await?;
    let mut out = Vec::new();
    for (row, increment) in increments_of(pool, access, &calendar).await? {
        let velocity = match row.state {
            IncrementState::Closed => frozen(&row)?.and_then(|r| r.velocity),
            IncrementState::Active => {
                let mut conn = pool.acquire().await?;
                let now = access.caller.clock.now();
                compute_report(&mut conn, access.project.id, &row, &calendar, now)
                    .await?
                    .and_then(|r| r.velocity)
            }
            _ => None,
        };
        out.push((increment, velocity));
    }
    Ok(out)
}

/// Velocity of each closed increment (from their frozen reports) and the team's.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn velocity(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<VelocityReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    velocity_of(pool, &access).await
}

pub(super) async fn velocity_of(
    pool: &PgPool,
    access: &Access,
) -> Result<VelocityReport, AppError> {
    let mut conn = pool.acquire().await?;
    let rows = db::increments(&mut conn, access.project.id, None).await?;
    drop(conn);
    let mut points = Vec::new();
    for row in rows.iter().filter(|r| r.state == IncrementState::Closed) {
        let Some(report) = frozen(row)? else { continue };
        points.push(VelocityPoint {
            increment_id: row.id,
            label: label(row),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            committed: report.committed,
            added: report.added,
            removed: report.removed,
            completed: report.completed,
            business_days: report.business_days,
            velocity: report.velocity,
        });
    }
    let window = access.project.velocity_window.clamp(1, 12) as u8;
    let newest_first: Vec<f64> = points.iter().rev().filter_map(|p| p.velocity).collect();
    Ok(VelocityReport {
        team: sprint::team_velocity(&newest_first, usize::from(window)),
        increments: points,
        window,
    })
}

/// Remaining points ÷ team velocity, for the whole backlog and each open epic.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn forecast(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<ForecastReport, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let calendar = calendar(pool, &access).await?;
    let team = velocity_of(pool, &access).await?.team;
    let from = access.caller.clock.today();
    let points = |p: i64| p.clamp(0, i64::from(u32::MAX)) as u32;
    let line = |label: String, epic: Option<i32>, remaining: u32| ForecastLine {
        label,
        epic,
        remaining_points: remaining,
        forecast: team
            .as_ref()
            .and_then(|t| sprint::forecast(remaining, t, &calendar, from)),
        own_size: None,
        children_remaining: None,
        counted: None,
    };
    let backlog = line(
        "Whole backlog".into(),
        None,
        points(db::remaining_points(pool, access.project.id).await?),
    );
    let epics = db::epics_remaining(pool, access.project.id, FORECAST_EPICS)
        .await?
        .into_iter()
        .map(|e| {
            let own = e.own_size.map(|p| points(i64::from(p)));
            let children = points(e.children_remaining);
            let counted = EpicPoints::of(own, points(e.estimated_children));
            ForecastLine {
                own_size: own,
                children_remaining: Some(children),
                counted: Some(counted),
                ..line(e.title, Some(e.number), counted.remaining(own, children))
            }
        })
        .collect();
    Ok(ForecastReport {
        team,
        from,
        backlog,
        epics,
    })
}

pub(super) fn parse_velocity(raw: Option<&str>) -> Result<Option<f64>, AppError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 && n <= 10_000.0 => Ok(Some(n)),
            _ => Err(AppError::validation(
                "velocity",
                format!("{v:?} is not a velocity: give points per business day, like 12.5"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_velocity_must_be_a_positive_number() {
        assert_eq!(parse_velocity(Some(" 12,5 ")).unwrap(), Some(12.5));
        assert_eq!(parse_velocity(Some("")).unwrap(), None);
        assert!(parse_velocity(Some("fast")).is_err());
        assert!(parse_velocity(Some("0")).is_err());
        assert!(parse_velocity(Some("NaN")).is_err());
    }
}

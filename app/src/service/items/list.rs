//! The backlog's list: filters, search, keyset pages, and the totals over every page.

use super::*;

pub(super) async fn filter_from(
    pool: &PgPool,
    access: &Access,
    q: &ItemQuery,
    backlog: bool,
) -> Result<Filter, AppError> {
    let mut errors = FieldErrors::default();
    let mut filter = Filter::default();
    let project_id = access.project.id;
    if let Some(n) = q.epic {
        let mut conn = pool.acquire().await?;
        match epic(&mut conn, project_id, n).await? {
            Ok(row) => filter.epic_id = Some(row.id),
            Err(e) => errors.add("epic", e),
        }
    }
    if let Some(kind) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        match ItemKind::parse(kind) {
            Ok(k) => filter.kind = Some(k.as_str().to_owned()),
            Err(e) => errors.add("kind", e),
        }
    }
    if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
        match ItemState::parse(state) {
            Ok(s) => filter.state = Some(s.as_str().to_owned()),
            Err(e) => errors.add("state", e),
        }
    }
    match q
        .assignee
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => {}
        Some("none") => filter.assignee_id = Some(None),
        Some(email) => match member(&mut *pool.acquire().await?, project_id, email).await? {
            Ok(Some(id)) => filter.assignee_id = Some(Some(id)),
            Ok(None) => errors.add(
                "assignee",
                format!("{email} is not a member of this project"),
            ),
            Err(e) => errors.add("assignee", e),
        },
    }
    filter.text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(200).collect());
    filter.unestimated = q.unestimated.unwrap_or(false);
    if backlog {
        filter.open_only = true;
        filter.top_level = filter.epic_id.is_none()
            && filter.kind.is_none()
            && filter.assignee_id.is_none()
            && filter.text.is_none()
            && !filter.unestimated
            && filter.state.is_none();
    }
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A page of items in rank order. `backlog` leaves out done items and, with no other
/// filter, lists only top-level items (epics carry their children); and its items come
/// without their descriptions: the pages' lists (the backlog, an epic's children, the
/// command palette) show none, and each row's description was in the page twice, as
/// written and as HTML, and rendered from markdown on every request.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn list_filtered(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    q: &ItemQuery,
    backlog: bool,
) -> Result<ItemPage, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let filter = filter_from(pool, &access, q, backlog).await?;
    let limit = q.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let (mut rows, total_count, total_points) =
        db::page(pool, access.project.id, &filter, after, limit + 1, !backlog).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| cursor_of(&r.item))
    } else {
        None
    };
    let chart = access.chart()?;
    let items = rows
        .iter()
        .map(|r| {
            let rollup = r.rollup.map(|t| {
                Rollup::from_totals(
                    t.children.into(),
                    t.done_children.into(),
                    t.unestimated.into(),
                    t.total_points,
                    t.done_points,
                )
            });
            item_of(&r.item, &chart, rollup, !backlog)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ItemPage {
        items,
        total_count,
        total_points,
        next_cursor,
    })
}

/// The backlog page's list (items without descriptions: see [`list_filtered`]).
pub async fn list(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    q: &ItemQuery,
) -> Result<ItemPage, AppError> {
    list_filtered(pool, caller, slug, q, true).await
}

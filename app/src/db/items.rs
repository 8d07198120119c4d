//! Work items, their ranks and their history.

use crate::domain::history::Change;
use crate::domain::{ItemKind, ItemState};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: Uuid,
    pub number: i32,
    pub kind: ItemKind,
    pub parent_id: Option<Uuid>,
    pub parent_number: Option<i32>,
    pub title: String,
    pub description: String,
    pub estimate: Option<i16>,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub assignee_email: Option<String>,
    pub state: ItemState,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
    pub rank: i64,
    pub version: i32,
    pub creator_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub increment_id: Option<i64>,
    /// "Q1 · 2".
    pub increment_label: Option<String>,
    /// For a bug a failing pipeline filed: the provider that reported it (`github`, …), kept
    /// on the bug when the integration is removed.
    pub ci_provider: Option<String>,
}

/// Takes the next item number of the project (and its row lock until the transaction ends).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn next_number(conn: &mut PgConnection, project_id: Uuid) -> Result<i32, sqlx::Error> {
    let row = sqlx::query!(
        r#"update project set next_item_number = next_item_number + 1 where id = $1
           returning next_item_number - 1 as "n!""#,
        project_id
    )
    .fetch_one(conn)
    .await?;
    Ok(row.n)
}

pub struct NewItemRow<'a> {
    pub project_id: Uuid,
    pub number: i32,
    pub kind: &'a str,
    pub parent_id: Option<Uuid>,
    pub title: &'a str,
    pub description: &'a str,
    pub estimate: Option<i16>,
    pub assignee_id: Option<Uuid>,
    pub rank: i64,
    /// Nobody: an integration filed it (a failing pipeline's bug).
    pub creator_id: Option<Uuid>,
}

#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn insert(conn: &mut PgConnection, new: NewItemRow<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"insert into work_item (id, project_id, number, kind, parent_id, title, description,
                                  estimate, assignee_id, rank, creator_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#,
        id,
        new.project_id,
        new.number,
        new.kind,
        new.parent_id,
        new.title,
        new.description,
        new.estimate,
        new.assignee_id,
        new.rank,
        new.creator_id,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// One item by its number (including items in the trash).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn by_number(
    conn: &mut PgConnection,
    project_id: Uuid,
    number: i32,
    lock: bool,
) -> Result<Option<ItemRow>, sqlx::Error> {
    let id = if lock {
        sqlx::query_scalar!(
            "select id from work_item where project_id = $1 and number = $2 for update",
            project_id,
            number
        )
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query_scalar!(
            "select id from work_item where project_id = $1 and number = $2",
            project_id,
            number
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    match id {
        Some(id) => by_ids(conn, &[id]).await.map(|mut v| v.pop()),
        None => Ok(None),
    }
}

/// Locks the project's items with these numbers (in the trash or not), in number order: a
/// change to several items takes every lock first, in one order, so two such changes never
/// wait on each other crosswise.
pub async fn lock_numbers(
    conn: &mut PgConnection,
    project_id: Uuid,
    numbers: &[i32],
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "select id from work_item where project_id = $1 and number = any($2)
         order by number for update",
        project_id,
        numbers
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(())
}

/// Items by id, in rank order.
#[tracing::instrument(skip(conn, ids), err(level = "debug"))]
pub async fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        r#"select w.id, w.number, w.kind as "kind: _", w.parent_id, p.number as "parent_number?",
                  w.title, w.description, w.estimate, w.assignee_id,
                  a.display_name as "assignee_name?", a.email as "assignee_email?",
                  w.state as "state: _", w.blocked, w.blocked_reason, w.rank, w.version,
                  c.display_name as "creator_name?", w.created_at, w.updated_at, w.done_at,
                  w.deleted_at, w.increment_id,
                  s.name || ' · ' || i.number as "increment_label?",
                  (select b.provider from ci_bug b where b.item_id = w.id) as "ci_provider?"
           from work_item w
           left join increment i on i.id = w.increment_id
           left join sprint s on s.id = i.sprint_id
           left join work_item p on p.id = w.parent_id
           left join app_user a on a.id = w.assignee_id
           left join app_user c on c.id = w.creator_id
           where w.id = any($1)
           order by w.rank, w.id"#,
        ids,
    )
    .fetch_all(conn)
    .await
}

/// What the backlog and the items API filter by. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only the children of this epic.
    pub epic_id: Option<Uuid>,
    pub kind: Option<String>,
    /// `Some(None)`: unassigned.
    pub assignee_id: Option<Option<Uuid>>,
    pub state: Option<String>,
    /// Leave out done items (the backlog).
    pub open_only: bool,
    /// Only items without a parent (the backlog's top level).
    pub top_level: bool,
    pub unestimated: bool,
    /// Words that must all appear in the title (case-insensitive).
    pub text: Option<String>,
}

impl Filter {
    /// Whether anything narrows the list beyond the backlog's own view (open items, top
    /// level): then its totals are counted; otherwise they are the project's tally.
    pub fn narrows(&self) -> bool {
        self.epic_id.is_some()
            || self.kind.is_some()
            || self.assignee_id.is_some()
            || self.state.is_some()
            || self.unestimated
            || self.text.is_some()
    }
}

/// An epic's live children summed up: how many, done, not estimated, and their points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildTotals {
    pub children: i32,
    pub done_children: i32,
    pub unestimated: i32,
    pub total_points: i64,
    pub done_points: i64,
}

/// One listed item, with its live children's totals when it is an epic that has some.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub item: ItemRow,
    pub rollup: Option<ChildTotals>,
}

/// One page of what the filter matches, in rank order after the cursor, with the count and
/// points of everything it matches and each epic's children: one statement. Epics are
/// listed but their own estimates are left out of the totals (their children carry the
/// points), and the top-level view lists only items without an epic while its totals still
/// count the children. With nothing narrowing the list the totals are the project's tally
/// (kept by triggers, see the `project_tally` migration) and the page is read from the rank
/// index up to its end ([`plain_page`]); otherwise they are counted, with the same filter as
/// the page ([`filtered_page`]). Without `described`, the items' descriptions are left
/// empty (the pages' lists show none).
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn page(
    pool: &PgPool,
    project_id: Uuid,
    filter: &Filter,
    after: Option<(i64, Uuid)>,
    limit: i64,
    described: bool,
) -> Result<(Vec<PageRow>, i64, i64), sqlx::Error> {
    // The first page starts after the lowest possible position, so the query needs no case
    // for "no cursor" (which would hide the rank order from the planner).
    let after = after.unwrap_or((i64::MIN, Uuid::nil()));
    let records = if filter.narrows() {
        filtered_page(pool, project_id, filter, after, limit, described).await?
    } else {
        plain_page(pool, project_id, filter, after, limit, described).await?
    };
    let (count, points) = records
        .first()
        .map(|r| (r.total_count, r.total_points))
        .unwrap_or_default();
    Ok((
        records.into_iter().filter_map(PageRecord::row).collect(),
        count,
        points,
    ))
}

/// One row of a page's statement: the totals (on every row), and an item unless the page
/// is empty (then the one row carries only the totals).
struct PageRecord {
    total_count: i64,
    total_points: i64,
    id: Option<Uuid>,
    number: Option<i32>,
    kind: Option<ItemKind>,
    parent_id: Option<Uuid>,
    parent_number: Option<i32>,
    title: Option<String>,
    description: Option<String>,
    estimate: Option<i16>,
    assignee_id: Option<Uuid>,
    assignee_name: Option<String>,
    assignee_email: Option<String>,
    state: Option<ItemState>,
    blocked: Option<bool>,
    blocked_reason: Option<String>,
    rank: Option<i64>,
    version: Option<i32>,
    creator_name: Option<String>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    increment_id: Option<i64>,
    increment_label: Option<String>,
    ci_provider: Option<String>,
    /// An epic's roll-up: children, done, not estimated, points, done points.
    rollup: Option<Vec<i64>>,
}

impl PageRecord {
    fn row(self) -> Option<PageRow> {
        let rollup = match self.rollup.as_deref() {
            Some(&[children, done_children, unestimated, total_points, done_points]) => {
                Some(ChildTotals {
                    children: i32::try_from(children).ok()?,
                    done_children: i32::try_from(done_children).ok()?,
                    unestimated: i32::try_from(unestimated).ok()?,
                    total_points,
                    done_points,
                })
            }
            _ => None,
        };
        Some(PageRow {
            item: ItemRow {
                id: self.id?,
                number: self.number?,
                kind: self.kind?,
                parent_id: self.parent_id,
                parent_number: self.parent_number,
                title: self.title?,
                description: self.description?,
                estimate: self.estimate,
                assignee_id: self.assignee_id,
                assignee_name: self.assignee_name,
                assignee_email: self.assignee_email,
                state: self.state?,
                blocked: self.blocked?,
                blocked_reason: self.blocked_reason,
                rank: self.rank?,
                version: self.version?,
                creator_name: self.creator_name,
                created_at: self.created_at?,
                updated_at: self.updated_at?,
                done_at: self.done_at,
                deleted_at: self.deleted_at,
                increment_id: self.increment_id,
                increment_label: self.increment_label,
                ci_provider: self.ci_provider,
            },
            rollup,
        })
    }
}

/// The page with nothing narrowing it: the project's tally, and the rank index read in
/// order up to the page's end. Each epic's roll-up is looked up by its key
/// (`epic_rollup`, kept by the tally's trigger) rather than joined: a join hashed every
/// epic of every project on each page.
async fn plain_page(
    pool: &PgPool,
    project_id: Uuid,
    filter: &Filter,
    (after_rank, after_id): (i64, Uuid),
    limit: i64,
    described: bool,
) -> Result<Vec<PageRecord>, sqlx::Error> {
    sqlx::query_as!(
        PageRecord,
        r#"select case when $2 then t.open_items else t.live_items end as "total_count!",
                  case when $2 then t.open_points else t.live_points end as "total_points!",
                  w.id as "id?", w.number as "number?", w.kind as "kind?: ItemKind",
                  w.parent_id as "parent_id?",
                  (select p.number from work_item p where p.id = w.parent_id)
                    as "parent_number?",
                  w.title as "title?",
                  case when $7 then w.description else '' end as "description?",
                  w.estimate as "estimate?", w.assignee_id as "assignee_id?",
                  a.display_name as "assignee_name?", a.email as "assignee_email?",
                  w.state as "state?: ItemState", w.blocked as "blocked?",
                  w.blocked_reason as "blocked_reason?", w.rank as "rank?",
                  w.version as "version?", c.display_name as "creator_name?",
                  w.created_at as "created_at?", w.updated_at as "updated_at?",
                  w.done_at as "done_at?", w.deleted_at as "deleted_at?",
                  w.increment_id as "increment_id?",
                  s.name || ' · ' || i.number as "increment_label?",
                  b.provider as "ci_provider?",
                  case when w.kind = 'epic' then
                    (select array[r.children, r.done_children, r.unestimated,
                                  r.total_points, r.done_points]::bigint[]
                     from epic_rollup r where r.epic_id = w.id and r.children > 0)
                  end as "rollup?"
           from project_tally t
           left join lateral (
             select * from work_item w
             where w.project_id = t.project_id and w.deleted_at is null
               and (w.state <> 'done' or not $2) and (w.parent_id is null or not $3)
               and (w.rank, w.id) > ($4, $5::uuid)
             order by w.rank, w.id
             limit $6
           ) w on true
           left join increment i on i.id = w.increment_id
           left join sprint s on s.id = i.sprint_id
           left join ci_bug b on b.item_id = w.id
           left join app_user a on a.id = w.assignee_id
           left join app_user c on c.id = w.creator_id
           where t.project_id = $1
           order by w.rank, w.id"#,
        project_id,
        filter.open_only,
        filter.top_level,
        after_rank,
        after_id,
        limit,
        described,
    )
    .fetch_all(pool)
    .await
}

/// The page of what a filter matches, in rank order, with the count and points of all of it.
async fn filtered_page(
    pool: &PgPool,
    project_id: Uuid,
    filter: &Filter,
    (after_rank, after_id): (i64, Uuid),
    limit: i64,
    described: bool,
) -> Result<Vec<PageRecord>, sqlx::Error> {
    sqlx::query_as!(
        PageRecord,
        r#"with totals as (
             select count(*) as n, coalesce(sum(m.estimate), 0)::bigint as points
             from work_item m
             where m.project_id = $1 and m.deleted_at is null and m.kind <> 'epic'
               and ($2::uuid is null or m.parent_id = $2)
               and ($3::text is null or m.kind = $3)
               and (not $4 or m.assignee_id is not distinct from $5)
               and ($6::text is null or m.state = $6)
               and (not $7 or m.state <> 'done')
               and (not $9 or m.estimate is null)
               and ($10::text is null or m.title ilike '%' || $10 || '%')
           ), shown as (
             select w.* from work_item w
             where w.project_id = $1 and w.deleted_at is null
               and ($2::uuid is null or w.parent_id = $2)
               and ($3::text is null or w.kind = $3)
               and (not $4 or w.assignee_id is not distinct from $5)
               and ($6::text is null or w.state = $6)
               and (not $7 or w.state <> 'done')
               and (not $8 or w.parent_id is null)
               and (not $9 or (w.estimate is null and w.kind <> 'epic'))
               and ($10::text is null or w.title ilike '%' || $10 || '%')
               and (w.rank, w.id) > ($11, $12::uuid)
             order by w.rank, w.id
             limit $13
           )
           select t.n as "total_count!", t.points as "total_points!",
                  w.id as "id?", w.number as "number?", w.kind as "kind?: ItemKind",
                  w.parent_id as "parent_id?",
                  (select p.number from work_item p where p.id = w.parent_id)
                    as "parent_number?",
                  w.title as "title?",
                  case when $14 then w.description else '' end as "description?",
                  w.estimate as "estimate?", w.assignee_id as "assignee_id?",
                  a.display_name as "assignee_name?", a.email as "assignee_email?",
                  w.state as "state?: ItemState", w.blocked as "blocked?",
                  w.blocked_reason as "blocked_reason?", w.rank as "rank?",
                  w.version as "version?", c.display_name as "creator_name?",
                  w.created_at as "created_at?", w.updated_at as "updated_at?",
                  w.done_at as "done_at?", w.deleted_at as "deleted_at?",
                  w.increment_id as "increment_id?",
                  s.name || ' · ' || i.number as "increment_label?",
                  b.provider as "ci_provider?",
                  case when w.kind = 'epic' then
                    (select array[r.children, r.done_children, r.unestimated,
                                  r.total_points, r.done_points]::bigint[]
                     from epic_rollup r where r.epic_id = w.id and r.children > 0)
                  end as "rollup?"
           from totals t
           left join shown w on true
           left join increment i on i.id = w.increment_id
           left join sprint s on s.id = i.sprint_id
           left join ci_bug b on b.item_id = w.id
           left join app_user a on a.id = w.assignee_id
           left join app_user c on c.id = w.creator_id
           order by w.rank, w.id"#,
        project_id,
        filter.epic_id,
        filter.kind,
        filter.assignee_id.is_some(),
        filter.assignee_id.flatten(),
        filter.state,
        filter.open_only,
        filter.top_level,
        filter.unestimated,
        filter.text.as_deref().map(escape_like),
        after_rank,
        after_id,
        limit,
        described,
    )
    .fetch_all(pool)
    .await
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// (estimate, state) of the live children of each epic.
#[tracing::instrument(skip(conn, epic_ids), err(level = "debug"))]
pub async fn children_of(
    conn: &mut PgConnection,
    epic_ids: &[Uuid],
) -> Result<Vec<(Uuid, Option<i16>, ItemState)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select parent_id as "parent_id!", estimate, state as "state: ItemState" from work_item
           where parent_id = any($1) and deleted_at is null"#,
        epic_ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.parent_id, r.estimate, r.state))
        .collect())
}

/// Ids of an epic's live children, in rank order.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn child_ids(conn: &mut PgConnection, epic_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from work_item where parent_id = $1 and deleted_at is null order by rank, id",
        epic_id
    )
    .fetch_all(conn)
    .await
}

/// Writes an item's editable fields and bumps its version.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn save(conn: &mut PgConnection, row: &ItemRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"update work_item set kind = $2, parent_id = $3, title = $4, description = $5,
                  estimate = $6, assignee_id = $7, state = $8, blocked = $9,
                  blocked_reason = $10, rank = $11, done_at = $12, deleted_at = $13,
                  version = version + 1
           where id = $1"#,
        row.id,
        row.kind.as_str(),
        row.parent_id,
        row.title,
        row.description,
        row.estimate,
        row.assignee_id,
        row.state.as_str(),
        row.blocked,
        row.blocked_reason,
        row.rank,
        row.done_at,
        row.deleted_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The rank of the first or last item of the project (other than `except`). Items in the
/// trash count too: they keep their ranks, which stay unique, for when they come back.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn end_rank(
    conn: &mut PgConnection,
    project_id: Uuid,
    last: bool,
    except: Option<Uuid>,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select min(rank) as lo, max(rank) as hi from work_item
           where project_id = $1 and ($2::uuid is null or id <> $2)"#,
        project_id,
        except
    )
    .fetch_one(conn)
    .await?;
    Ok(if last { row.hi } else { row.lo })
}

/// Serializes every change of ranks in one project until the transaction ends: two moves
/// into one spot (or a move and a renumbering) would otherwise read the same neighbours and
/// deadlock or share a rank. Taken after the project's row lock and before any item's row
/// lock, so the order is the same everywhere.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn lock_ranks(conn: &mut PgConnection, project_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('work_item.rank:' || $1::uuid::text, 0))",
        project_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The rank of the item just before (or just after) `rank`, skipping `except`. Items in
/// the trash count (see [`end_rank`]); ranks are unique in a project, so the rank alone
/// orders.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn neighbour_rank(
    conn: &mut PgConnection,
    project_id: Uuid,
    rank: i64,
    before: bool,
    except: Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    if before {
        sqlx::query_scalar!(
            r#"select rank from work_item
               where project_id = $1 and id <> $3 and rank < $2
               order by rank desc limit 1"#,
            project_id,
            rank,
            except
        )
        .fetch_optional(conn)
        .await
    } else {
        sqlx::query_scalar!(
            r#"select rank from work_item
               where project_id = $1 and id <> $3 and rank > $2
               order by rank limit 1"#,
            project_id,
            rank,
            except
        )
        .fetch_optional(conn)
        .await
    }
}

#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn set_rank(conn: &mut PgConnection, id: Uuid, rank: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("update work_item set rank = $2 where id = $1", id, rank)
        .execute(conn)
        .await?;
    Ok(())
}

/// Leaves the check that ranks are unique in a project to the end of the transaction (an
/// import writes ranks as its document gives them, then renumbers them with [`spread`]).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn defer_rank_check(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("set constraints work_item_rank_unique deferred")
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether two items of the project share a rank.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn ranks_shared(conn: &mut PgConnection, project_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from work_item where project_id = $1
                          group by rank having count(*) > 1) as "shared!""#,
        project_id
    )
    .fetch_one(conn)
    .await
}

/// Renumbers the whole project with even gaps, keeping the order. Rare: only when two
/// neighbours have no room between them.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn spread(conn: &mut PgConnection, project_id: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"update work_item w set rank = s.new_rank
           from (select id, (row_number() over (order by rank, id) - 1) * $2 as new_rank
                 from work_item where project_id = $1) s
           where w.id = s.id and w.rank <> s.new_rank"#,
        project_id,
        crate::domain::rank::GAP,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

// --- history --------------------------------------------------------------------------

/// A history row read back as its change. A row none of our writers produced (an imported
/// document may hold any JSON) is logged and left out, so one bad row cannot hide the rest.
pub fn decode(field: &str, old: Option<&Value>, new: Option<&Value>) -> Option<Change> {
    Change::from_stored(field, old, new)
        .map_err(|err| tracing::warn!(error = %err, "unreadable history row left out"))
        .ok()
}

/// Marks an item as changed without changing a field (its version stays): something about
/// it changed elsewhere (a CI run, a linked commit), and open pages hear of it.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn touch(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("update work_item set updated_at = now() where id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records one change of an item in its history, stamped `at` (the clock read when it is
/// written, after any lock the change waited for).
#[tracing::instrument(skip(conn, change), fields(field = change.field()), err(level = "debug"))]
pub async fn record(
    conn: &mut PgConnection,
    project_id: Uuid,
    item_id: Uuid,
    actor_id: Uuid,
    at: DateTime<Utc>,
    change: &Change,
) -> Result<(), sqlx::Error> {
    record_by(conn, project_id, item_id, Some(actor_id), at, change).await
}

/// [`record`] for a change nobody made by hand (`None`: an integration made it).
#[tracing::instrument(skip(conn, change), fields(field = change.field()), err(level = "debug"))]
pub async fn record_by(
    conn: &mut PgConnection,
    project_id: Uuid,
    item_id: Uuid,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    change: &Change,
) -> Result<(), sqlx::Error> {
    let (field, old, new) = change.to_stored();
    sqlx::query!(
        r#"insert into item_event (project_id, item_id, actor_id, at, field, old_value, new_value)
           values ($1, $2, $3, $4, $5, $6, $7)"#,
        project_id,
        item_id,
        actor_id,
        at,
        field,
        old,
        new,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The children of an epic that went to the trash with it (at the same moment).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn trashed_with(
    conn: &mut PgConnection,
    epic_id: Uuid,
    deleted_at: DateTime<Utc>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from work_item where parent_id = $1 and deleted_at = $2",
        epic_id,
        deleted_at
    )
    .fetch_all(conn)
    .await
}

/// An account's display name, for the record of who an item was assigned to.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn display_name(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select display_name from app_user where id = $1", user_id)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    pub field: String,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
}

/// An item's history, newest first.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn history(pool: &PgPool, item_id: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"select e.id, u.display_name as "actor_name?", e.at, e.field, e.old_value, e.new_value
           from item_event e left join app_user u on u.id = e.actor_id
           where e.item_id = $1
           order by e.at desc, e.id desc"#,
        item_id
    )
    .fetch_all(pool)
    .await
}

/// Who last changed an item, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    pub name: Option<String>,
    pub at: DateTime<Utc>,
}

/// Who last changed the item and when (for a conflict message).
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn last_change(
    conn: &mut PgConnection,
    item_id: Uuid,
) -> Result<Option<LastChange>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select u.display_name as "name?", e.at from item_event e
           left join app_user u on u.id = e.actor_id
           where e.item_id = $1 order by e.at desc, e.id desc limit 1"#,
        item_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LastChange {
        name: r.name,
        at: r.at,
    }))
}

/// The user id of a project member by email, if they are one.
#[tracing::instrument(skip(conn), err(level = "debug"))]
pub async fn member_id(
    conn: &mut PgConnection,
    project_id: Uuid,
    email_normalized: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select u.id from app_user u join project_member m on m.user_id = u.id
           where m.project_id = $1 and u.email_normalized = $2"#,
        project_id,
        email_normalized
    )
    .fetch_optional(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::project;

    /// History rows are stamped when they are written, not when their transaction began: a
    /// change that waited (here a quarter of a second, as behind a lock) is dated after it.
    #[sqlx::test(migrations = "../migrations")]
    async fn history_is_stamped_when_it_is_written(pool: PgPool) {
        let project_id = project(&pool, "shop").await;
        let user: Uuid = sqlx::query_scalar(
            "insert into app_user (id, email, email_normalized, display_name, password_hash)
             values (gen_random_uuid(), 'ada@example.com', 'ada@example.com', 'Ada',
                     '$argon2id$test') returning id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let item: Uuid = sqlx::query_scalar(
            "insert into work_item (id, project_id, number, kind, title, rank, creator_id)
             values (gen_random_uuid(), $1, 1, 'task', 'Cart', 1, $2) returning id",
        )
        .bind(project_id)
        .bind(user)
        .fetch_one(&pool)
        .await
        .unwrap();
        let mut tx = pool.begin().await.unwrap();
        let began: DateTime<Utc> = sqlx::query_scalar("select now()")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        sqlx::query("select pg_sleep(0.25)")
            .execute(&mut *tx)
            .await
            .unwrap();
        let change = Change::State {
            old: ItemState::Todo,
            new: ItemState::Doing,
        };
        record(&mut tx, project_id, item, user, Utc::now(), &change)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let at: DateTime<Utc> = sqlx::query_scalar("select at from item_event where item_id = $1")
            .bind(item)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(
            at - began >= chrono::Duration::milliseconds(250),
            "began {began}, stamped {at}"
        );
    }
}

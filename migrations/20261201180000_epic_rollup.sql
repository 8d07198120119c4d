-- An epic's roll-up without reading its children: per epic, its live children (not deleted)
-- counted, done, not estimated, and their points, all and done. The backlog and the items
-- list show it for every epic of a page; counting it read every child of every epic shown
-- (about 1,000 rows for a page of 50 epics). Kept by the same deferred trigger as the
-- project's tally, so every way of writing items keeps it right.
create table epic_rollup (
    epic_id uuid primary key references work_item (id) on delete cascade,
    children integer not null default 0,
    done_children integer not null default 0,
    unestimated integer not null default 0,
    total_points bigint not null default 0,
    done_points bigint not null default 0
);

insert into epic_rollup (epic_id, children, done_children, unestimated, total_points, done_points)
select parent_id,
       count(*),
       count(*) filter (where state = 'done'),
       count(*) filter (where estimate is null),
       coalesce(sum(estimate), 0),
       coalesce(sum(estimate) filter (where state = 'done'), 0)
from work_item
where deleted_at is null and parent_id is not null
group by parent_id;

-- Every epic has its row from the moment it is one (made at once, in the transaction that
-- makes the epic): the trigger below then only ever updates an existing row at commit, and
-- never takes the key-share lock a new row's foreign key check would take on an epic that
-- another transaction may hold for update while it waits for the tally.
insert into epic_rollup (epic_id)
select id from work_item where kind = 'epic'
on conflict (epic_id) do nothing;

create function epic_rollup_row() returns trigger language plpgsql as $$
begin
    insert into epic_rollup (epic_id) values (new.id) on conflict (epic_id) do nothing;
    return null;
end $$;

create trigger epic_rollup_row after insert or update of kind on work_item
    for each row when (new.kind = 'epic') execute function epic_rollup_row();

-- What one row adds to its epic's roll-up: (children, done, not estimated, points, done points).
create function epic_rollup_share(w work_item) returns bigint[] language sql immutable as $$
    select case when w.deleted_at is null and w.parent_id is not null then
        array[1,
              case when w.state = 'done' then 1 else 0 end,
              case when w.estimate is null then 1 else 0 end,
              coalesce(w.estimate, 0),
              case when w.state = 'done' then coalesce(w.estimate, 0) else 0 end]::bigint[]
    else array[0, 0, 0, 0, 0]::bigint[] end
$$;

-- Adds `d` to the epic's roll-up (its row is there since it became an epic; a parent that
-- is not an epic gets one here). An epic removed in the same transaction (its row gone with
-- it) gets nothing.
create function epic_rollup_add(epic uuid, d bigint[]) returns void language sql as $$
    insert into epic_rollup as r (epic_id, children, done_children, unestimated, total_points,
                                  done_points)
    select epic, d[1], d[2], d[3], d[4], d[5]
    where exists (select 1 from work_item w where w.id = epic)
    on conflict (epic_id) do update
    set children = r.children + excluded.children,
        done_children = r.done_children + excluded.done_children,
        unestimated = r.unestimated + excluded.unestimated,
        total_points = r.total_points + excluded.total_points,
        done_points = r.done_points + excluded.done_points
$$;

-- The tally's trigger function, now also keeping the roll-ups. A change to a roll-up takes
-- the project's tally row lock first (when the tally itself does not change, by locking it
-- alone): every roll-up of a project changes under that one lock, so two transactions
-- changing children of two epics in opposite orders wait for each other instead of closing
-- a cycle.
create or replace function project_tally_apply() returns trigger language plpgsql as $$
declare
    before bigint[] := array[0, 0, 0, 0];
    after bigint[] := array[0, 0, 0, 0];
    project uuid;
    was bigint[] := array[0, 0, 0, 0, 0];
    now_ bigint[] := array[0, 0, 0, 0, 0];
    old_epic uuid;
    new_epic uuid;
begin
    if tg_op <> 'INSERT' then
        before := project_tally_share(old);
        was := epic_rollup_share(old);
        old_epic := old.parent_id;
        project := old.project_id;
    end if;
    if tg_op <> 'DELETE' then
        after := project_tally_share(new);
        now_ := epic_rollup_share(new);
        new_epic := new.parent_id;
        project := new.project_id;
    end if;
    if before <> after then
        update project_tally
        set live_items = live_items + after[1] - before[1],
            live_points = live_points + after[2] - before[2],
            open_items = open_items + after[3] - before[3],
            open_points = open_points + after[4] - before[4]
        where project_id = project;
    end if;
    if old_epic is not distinct from new_epic and was = now_ then
        return null;
    end if;
    if before = after then
        perform 1 from project_tally where project_id = project for update;
    end if;
    if old_epic is not distinct from new_epic then
        perform epic_rollup_add(new_epic, array[now_[1] - was[1], now_[2] - was[2],
            now_[3] - was[3], now_[4] - was[4], now_[5] - was[5]]);
    else
        if old_epic is not null and was <> array[0, 0, 0, 0, 0]::bigint[] then
            perform epic_rollup_add(old_epic, array[-was[1], -was[2], -was[3], -was[4], -was[5]]);
        end if;
        if new_epic is not null and now_ <> array[0, 0, 0, 0, 0]::bigint[] then
            perform epic_rollup_add(new_epic, now_);
        end if;
    end if;
    return null;
end $$;

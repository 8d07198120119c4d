-- The backlog's totals without counting: per project, the live tasks and bugs (not deleted,
-- not epics; an epic's points are its children's) and their points, all and open (not
-- done). Kept by triggers, so every way of writing items (the services, an import, the
-- admin CLI) keeps it right.
create table project_tally (
    project_id uuid primary key references project (id) on delete cascade,
    live_items bigint not null default 0,
    live_points bigint not null default 0,
    open_items bigint not null default 0,
    open_points bigint not null default 0
);

insert into project_tally (project_id, live_items, live_points, open_items, open_points)
select p.id,
       count(w.id) filter (where w.id is not null),
       coalesce(sum(w.estimate), 0),
       count(w.id) filter (where w.state <> 'done'),
       coalesce(sum(w.estimate) filter (where w.state <> 'done'), 0)
from project p
left join work_item w on w.project_id = p.id and w.deleted_at is null and w.kind <> 'epic'
group by p.id;

create function project_tally_new_project() returns trigger language plpgsql as $$
begin
    insert into project_tally (project_id) values (new.id);
    return null;
end $$;

create trigger project_tally_new_project after insert on project
    for each row execute function project_tally_new_project();

-- What one row adds to the tally: (live items, live points, open items, open points).
create function project_tally_share(w work_item) returns bigint[] language sql immutable as $$
    select case when w.deleted_at is null and w.kind <> 'epic' then
        array[1, coalesce(w.estimate, 0),
              case when w.state <> 'done' then 1 else 0 end,
              case when w.state <> 'done' then coalesce(w.estimate, 0) else 0 end]::bigint[]
    else array[0, 0, 0, 0]::bigint[] end
$$;

-- Deferred to the commit: the tally's row is locked only while a change commits (changes
-- to one project's totals wait for each other that long), after every item lock the
-- transaction takes, so it cannot close a cycle of waits with them. A rolled-back change
-- never runs it. Rows of a deleted project find no tally and change nothing.
create function project_tally_apply() returns trigger language plpgsql as $$
declare
    before bigint[] := array[0, 0, 0, 0];
    after bigint[] := array[0, 0, 0, 0];
    project uuid;
begin
    if tg_op <> 'INSERT' then
        before := project_tally_share(old);
        project := old.project_id;
    end if;
    if tg_op <> 'DELETE' then
        after := project_tally_share(new);
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
    return null;
end $$;

create constraint trigger project_tally_apply
    after insert or update or delete on work_item
    deferrable initially deferred
    for each row execute function project_tally_apply();

-- An epic's roll-up reads its live children's estimates and states from this index alone.
create index work_item_live_children_idx on work_item (parent_id) include (estimate, state)
    where deleted_at is null and parent_id is not null;

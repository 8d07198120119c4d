-- Live updates: every committed change to a project's data is an event, numbered per
-- project in commit order, and announced with NOTIFY. Written by triggers, so every way of
-- changing data (the services, an import, the admin CLI, SQL by hand) is seen.
--
-- A statement that changes rows adds one event row (kind, and for items their numbers) with
-- no number yet. At commit, a deferred trigger numbers it from the project's counter, whose
-- row lock it holds until the commit ends: numbers become visible in order, with no gaps,
-- so a client that knows the last number it saw gets exactly what it missed. A rolled-back
-- change never reaches the deferred trigger: no number, no NOTIFY, no event.
alter table project_tally add column last_event bigint not null default 0;

create table project_event (
    id bigserial primary key,
    project_id uuid not null references project (id) on delete cascade,
    -- The event's number in its project (set at commit).
    seq bigint,
    at timestamptz not null default now(),
    -- items, sprints, standup, reflection, parking_lot, project, members
    kind text not null,
    -- For items: the numbers of the items changed (null: too many to list).
    numbers integer[]
);
create unique index project_event_seq_idx on project_event (project_id, seq);
create index project_event_at_idx on project_event (at);

create function project_event_number() returns trigger language plpgsql as $$
declare
    n bigint;
begin
    update project_tally set last_event = last_event + 1
    where project_id = new.project_id
    returning last_event into n;
    if not found then
        -- The project was deleted in the same transaction.
        return null;
    end if;
    update project_event set seq = n where id = new.id;
    perform pg_notify('cadence_events', json_build_object(
        'project', new.project_id, 'seq', n, 'kind', new.kind, 'numbers', new.numbers)::text);
    return null;
end $$;

create constraint trigger project_event_number
    after insert on project_event
    deferrable initially deferred
    for each row execute function project_event_number();

-- Whether changes to a project are events: not when it is being deleted (its rows go with
-- it), and not when it was made in this very transaction (an import: nobody watches it yet,
-- and its thousands of inserts need no events). `now()` is the transaction's start; a
-- project's `created_at` is set from it and never changed.
create function project_event_wanted(p uuid) returns boolean language sql stable as $$
    select exists (select 1 from project where id = p and created_at <> now())
$$;

-- Items: one event per statement and project, with the numbers of the items (up to 200).
create function project_event_items() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into project_event (project_id, kind, numbers)
        select project_id, 'items',
               case when count(*) <= 200 then array_agg(number order by number) end
        from old_rows group by project_id having project_event_wanted(project_id);
    else
        insert into project_event (project_id, kind, numbers)
        select project_id, 'items',
               case when count(*) <= 200 then array_agg(number order by number) end
        from new_rows group by project_id having project_event_wanted(project_id);
    end if;
    return null;
end $$;

create trigger project_event_items_insert after insert on work_item
    referencing new table as new_rows
    for each statement execute function project_event_items();
create trigger project_event_items_update after update on work_item
    referencing new table as new_rows
    for each statement execute function project_event_items();
create trigger project_event_items_delete after delete on work_item
    referencing old table as old_rows
    for each statement execute function project_event_items();

-- Everything else with a project_id: one event per statement and project, of the kind named
-- by the trigger's argument.
create function project_event_rows() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into project_event (project_id, kind)
        select distinct project_id, tg_argv[0] from old_rows
        where project_event_wanted(project_id);
    else
        insert into project_event (project_id, kind)
        select distinct project_id, tg_argv[0] from new_rows
        where project_event_wanted(project_id);
    end if;
    return null;
end $$;

do $$
declare
    t record;
begin
    for t in select * from (values
        ('sprint', 'sprints'), ('increment', 'sprints'), ('standup_note', 'standup'),
        ('reflection_card', 'reflection'), ('parking_lot_topic', 'parking_lot'),
        ('project_member', 'members'), ('effort_chart_entry', 'project'),
        ('project_holiday', 'project')) as v(tab, kind)
    loop
        execute format('create trigger project_event_insert after insert on %I
            referencing new table as new_rows for each statement
            execute function project_event_rows(%L)', t.tab, t.kind);
        execute format('create trigger project_event_update after update on %I
            referencing new table as new_rows for each statement
            execute function project_event_rows(%L)', t.tab, t.kind);
        execute format('create trigger project_event_delete after delete on %I
            referencing old table as old_rows for each statement
            execute function project_event_rows(%L)', t.tab, t.kind);
    end loop;
end $$;

-- Votes belong to a card, the card to a project.
create function project_event_votes() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into project_event (project_id, kind)
        select distinct c.project_id, 'reflection' from old_rows v
        join reflection_card c on c.id = v.card_id where project_event_wanted(c.project_id);
    else
        insert into project_event (project_id, kind)
        select distinct c.project_id, 'reflection' from new_rows v
        join reflection_card c on c.id = v.card_id where project_event_wanted(c.project_id);
    end if;
    return null;
end $$;

create trigger project_event_insert after insert on reflection_vote
    referencing new table as new_rows
    for each statement execute function project_event_votes();
create trigger project_event_delete after delete on reflection_vote
    referencing old table as old_rows
    for each statement execute function project_event_votes();

-- The project's own row: its name, settings, archiving (not its item counter, which every
-- new item moves).
create function project_event_project() returns trigger language plpgsql as $$
begin
    if new.created_at <> now() then
        insert into project_event (project_id, kind) values (new.id, 'project');
    end if;
    return null;
end $$;

create trigger project_event_update after update on project
    for each row
    when ((old.slug, old.name, old.archived_at, old.working_days, old.velocity_window)
          is distinct from
          (new.slug, new.name, new.archived_at, new.working_days, new.velocity_window))
    execute function project_event_project();

-- A session or token that ends ends its streams: NOTIFY names the account.
create function account_access_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('cadence_access', old.user_id::text);
    return null;
end $$;

create trigger user_session_ended after delete on user_session
    for each row execute function account_access_changed();
create trigger api_token_ended after delete on api_token
    for each row execute function account_access_changed();

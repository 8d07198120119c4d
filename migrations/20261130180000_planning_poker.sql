-- Planning poker (issue 14): a scrum master's estimating session. One open session per
-- project; a queue of items; rounds of votes per item; each vote hidden from everyone but
-- its voter until the round is revealed (by the scrum master, or when its countdown ends).
-- Every table carries the project's id, so the live-update triggers announce any change as
-- a `poker` event (what changed, never a vote's value).
create table poker_session (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    -- The increment being planned: the session's summary is kept with it.
    increment_id bigint references increment (id) on delete set null,
    started_by uuid references app_user (id) on delete set null,
    started_at timestamptz not null default now(),
    ended_at timestamptz,
    -- The queue position being estimated; null once the queue is done.
    current integer,
    -- Rounds reveal by themselves this many seconds after they start (null: by hand).
    countdown_secs integer check (countdown_secs between 5 and 600),
    -- Frozen when the session ends (domain::poker::Summary); never recomputed. An imported
    -- session has only this (its votes were other people's).
    summary jsonb
);
-- One open session per project.
create unique index poker_session_open_idx on poker_session (project_id) where ended_at is null;
create index poker_session_increment_idx on poker_session (increment_id);

create table poker_entry (
    session_id bigint not null references poker_session (id) on delete cascade,
    position integer not null check (position >= 0),
    project_id uuid not null references project (id) on delete cascade,
    item_id uuid not null references work_item (id) on delete cascade,
    outcome text check (outcome in ('accepted', 'skipped')),
    -- The value accepted.
    points smallint check (points >= 0),
    primary key (session_id, position),
    unique (session_id, item_id)
);

create table poker_round (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    position integer not null,
    project_id uuid not null references project (id) on delete cascade,
    number integer not null check (number >= 1),
    started_at timestamptz not null default now(),
    -- When the countdown reveals it.
    reveal_at timestamptz,
    revealed_at timestamptz,
    foreign key (session_id, position) references poker_entry (session_id, position)
        on delete cascade,
    unique (session_id, position, number)
);

create table poker_vote (
    round_id bigint not null references poker_round (id) on delete cascade,
    project_id uuid not null references project (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    -- Points on the project's effort chart, "?" (no idea) or "break" (needs a pause).
    card text not null check (card ~ '^([0-9]{1,3}|\?|break)$'),
    voted_at timestamptz not null default now(),
    primary key (round_id, user_id)
);

do $$
declare
    t text;
begin
    foreach t in array array['poker_session', 'poker_entry', 'poker_round', 'poker_vote']
    loop
        execute format('create trigger project_event_insert after insert on %I
            referencing new table as new_rows for each statement
            execute function project_event_rows(%L)', t, 'poker');
        execute format('create trigger project_event_update after update on %I
            referencing new table as new_rows for each statement
            execute function project_event_rows(%L)', t, 'poker');
        execute format('create trigger project_event_delete after delete on %I
            referencing old table as old_rows for each statement
            execute function project_event_rows(%L)', t, 'poker');
    end loop;
end $$;

-- An estimate taken in planning poker says so in the item's history ("estimated in
-- planning poker, round 2: 3, 5, 5, 8"), in a row beside the estimate change.
alter table item_event drop constraint item_event_field_check;
alter table item_event add constraint item_event_field_check check (field in (
    'created', 'title', 'description', 'kind', 'estimate', 'state', 'assignee', 'parent',
    'increment', 'blocked', 'deleted', 'restored', 'poker'
));

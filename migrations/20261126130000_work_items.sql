-- The backlog: work items (epics, tasks, bugs), ranked, versioned, with a history of changes.

create table work_item (
    id uuid primary key,
    project_id uuid not null references project (id) on delete cascade,
    -- A short per-project number people can say out loud: "#12".
    number integer not null check (number > 0),
    kind text not null check (kind in ('epic', 'task', 'bug')),
    parent_id uuid,
    title text not null check (char_length(title) between 1 and 200 and title = btrim(title)),
    description text not null default '' check (char_length(description) <= 20000),
    -- Story points on the Fibonacci scale; null means not estimated (distinct from 0).
    estimate smallint check (estimate in (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)),
    assignee_id uuid references app_user (id) on delete set null,
    state text not null default 'todo' check (state in ('todo', 'doing', 'done')),
    blocked boolean not null default false,
    blocked_reason text check (char_length(blocked_reason) <= 500),
    -- Gapped ranks: a move writes one row; a full renumbering happens only when two
    -- neighbours have no room left between them.
    rank bigint not null,
    version integer not null default 1 check (version > 0),
    creator_id uuid references app_user (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    done_at timestamptz,
    -- In the trash (restorable) since then.
    deleted_at timestamptz,
    constraint work_item_number_key unique (project_id, number),
    constraint work_item_project_id_key unique (project_id, id),
    -- A parent is in the same project.
    constraint work_item_parent_fkey foreign key (project_id, parent_id)
        references work_item (project_id, id) on delete cascade,
    constraint work_item_epic_has_no_parent check (kind <> 'epic' or parent_id is null),
    constraint work_item_done_at_check check ((state = 'done') = (done_at is not null)),
    constraint work_item_reason_only_when_blocked check (blocked or blocked_reason is null)
);

create index work_item_rank_idx on work_item (project_id, rank, id) where deleted_at is null;
create index work_item_parent_idx on work_item (parent_id) where parent_id is not null;
create index work_item_assignee_idx on work_item (project_id, assignee_id);

create trigger work_item_updated_at
    before update on work_item
    for each row execute function set_updated_at();

-- The next item number per project.
alter table project add column next_item_number integer not null default 1;

-- Every change to an item, field by field: who, when, old and new value (JSON). The
-- stand-up, burndown and committed-scope reports read this table, so it is indexed by
-- project and time as well as by item.
create table item_event (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    item_id uuid not null references work_item (id) on delete cascade,
    actor_id uuid references app_user (id) on delete set null,
    at timestamptz not null default now(),
    field text not null check (field in (
        'created', 'title', 'description', 'kind', 'estimate', 'state', 'assignee', 'parent',
        'increment', 'blocked', 'deleted', 'restored'
    )),
    old_value jsonb,
    new_value jsonb
);

create index item_event_item_idx on item_event (item_id, at, id);
create index item_event_project_idx on item_event (project_id, at, id);

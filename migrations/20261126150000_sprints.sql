-- Sprints split into increments; items committed to an increment; frozen reports.

create table sprint (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    name text not null check (char_length(name) between 1 and 100 and name = btrim(name)),
    starts_on date not null,
    ends_on date not null,
    increment_weeks smallint not null check (increment_weeks between 1 and 8),
    created_at timestamptz not null default now(),
    check (ends_on >= starts_on)
);

create index sprint_project_idx on sprint (project_id, starts_on);

create table increment (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    sprint_id bigint not null references sprint (id) on delete cascade,
    number integer not null check (number > 0),
    starts_on date not null,
    ends_on date not null,
    state text not null default 'planned' check (state in ('planned', 'active', 'closed')),
    started_at timestamptz,
    closed_at timestamptz,
    -- Recorded when the increment starts: the points committed, and which items carried them.
    committed_points integer,
    commitment jsonb,
    -- Frozen when the increment closes (domain::burndown::Report); never recomputed.
    report jsonb,
    check (ends_on >= starts_on),
    check ((state = 'planned') = (started_at is null)),
    check ((state = 'closed') = (closed_at is not null)),
    check ((state = 'closed') = (report is not null)),
    constraint increment_project_id_key unique (project_id, id)
);

create index increment_project_idx on increment (project_id, starts_on);
-- At most one increment of a project is running at a time.
create unique index increment_one_active on increment (project_id) where state = 'active';

alter table work_item add column increment_id bigint;
alter table work_item add constraint work_item_increment_fkey
    foreign key (project_id, increment_id) references increment (project_id, id);
create index work_item_increment_idx on work_item (increment_id) where increment_id is not null;
-- The burndown finds every item that ever was in an increment through its history.
create index item_event_increment_idx on item_event (project_id)
    where field = 'increment';

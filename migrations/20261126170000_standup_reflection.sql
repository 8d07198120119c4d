-- The daily stand-up's notes, and the weekly reflection's cards and votes.

create table standup_note (
    project_id uuid not null references project (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    day date not null,
    yesterday text not null default '' check (char_length(yesterday) <= 1000),
    today text not null default '' check (char_length(today) <= 1000),
    blockers text not null default '' check (char_length(blockers) <= 1000),
    updated_at timestamptz not null default now(),
    primary key (project_id, day, user_id)
);

create table reflection_card (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    increment_id bigint not null,
    -- The week of the increment (1, 2…), so a team can reflect weekly within it.
    week smallint not null check (week between 1 and 52),
    kind text not null check (kind in ('went_well', 'went_badly', 'action')),
    body text not null check (char_length(body) between 1 and 500 and body = btrim(body)),
    author_id uuid references app_user (id) on delete set null,
    -- Set by the scrum master: a heading cards are grouped under, and their order.
    group_name text check (char_length(group_name) <= 60),
    position integer not null default 0,
    -- The backlog item an action item became.
    item_id uuid references work_item (id) on delete set null,
    created_at timestamptz not null default now(),
    constraint reflection_card_increment_fkey foreign key (project_id, increment_id)
        references increment (project_id, id) on delete cascade
);

create index reflection_card_board_idx on reflection_card (increment_id, week);

create table reflection_vote (
    card_id bigint not null references reflection_card (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    primary key (card_id, user_id)
);

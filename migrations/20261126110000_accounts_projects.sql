-- Accounts, sessions, API tokens, projects with members and roles, project settings.

create table app_user (
    id uuid primary key,
    -- As typed, for display; uniqueness is on the lower-cased form (emails are compared
    -- case-insensitively).
    email text not null check (char_length(email) between 3 and 254),
    email_normalized text not null
        check (email_normalized = lower(email_normalized)),
    display_name text not null
        check (char_length(display_name) between 1 and 80 and display_name = btrim(display_name)),
    -- PHC string: algorithm, parameters and the per-user salt travel with the hash.
    password_hash text not null check (password_hash like '$argon2id$%'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint app_user_email_key unique (email_normalized)
);

create trigger app_user_updated_at
    before update on app_user
    for each row execute function set_updated_at();

-- A browser session. The cookie holds a random token; only its SHA-256 is stored, so a
-- leaked table cannot be replayed.
create table user_session (
    token_hash bytea primary key check (octet_length(token_hash) = 32),
    user_id uuid not null references app_user (id) on delete cascade,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null,
    check (expires_at > created_at)
);

create index user_session_user_id_idx on user_session (user_id);
create index user_session_expires_at_idx on user_session (expires_at);

-- Personal API tokens for the JSON API: shown once, stored as SHA-256.
create table api_token (
    id uuid primary key,
    user_id uuid not null references app_user (id) on delete cascade,
    name text not null check (char_length(name) between 1 and 80 and name = btrim(name)),
    token_hash bytea not null check (octet_length(token_hash) = 32),
    -- The first characters of the token, so a person can tell their tokens apart.
    prefix text not null,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    constraint api_token_hash_key unique (token_hash),
    constraint api_token_user_name_key unique (user_id, name)
);

-- Failed log-ins, for throttling by account and by client address. Rows older than an
-- hour are pruned as new ones arrive.
create table login_failure (
    id bigint generated always as identity primary key,
    email_normalized text not null,
    client_addr text not null,
    at timestamptz not null default now()
);

create index login_failure_email_idx on login_failure (email_normalized, at);
create index login_failure_addr_idx on login_failure (client_addr, at);

create table project (
    id uuid primary key,
    slug text not null
        check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 60),
    name text not null
        check (char_length(name) between 1 and 80 and name = btrim(name)),
    archived_at timestamptz,
    -- ISO weekday numbers, Monday = 1.
    working_days smallint[] not null default '{1,2,3,4,5}'
        check (cardinality(working_days) between 1 and 7 and working_days <@ '{1,2,3,4,5,6,7}'),
    velocity_window smallint not null default 3 check (velocity_window between 1 and 12),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint project_slug_key unique (slug)
);

create trigger project_updated_at
    before update on project
    for each row execute function set_updated_at();

create table project_member (
    project_id uuid not null references project (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    role text not null check (role in ('owner', 'scrum_master', 'member', 'viewer')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (project_id, user_id)
);

create index project_member_user_id_idx on project_member (user_id);

create trigger project_member_updated_at
    before update on project_member
    for each row execute function set_updated_at();

-- The project's effort chart: which Fibonacci values are on its scale, each with a label.
create table effort_chart_entry (
    project_id uuid not null references project (id) on delete cascade,
    points smallint not null check (points in (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)),
    label text not null check (char_length(label) between 1 and 30 and label = btrim(label)),
    primary key (project_id, points)
);

create table project_holiday (
    project_id uuid not null references project (id) on delete cascade,
    day date not null,
    name text not null check (char_length(name) between 1 and 80 and name = btrim(name)),
    primary key (project_id, day)
);

-- The parking lot moves inside a project. Topics raised before projects existed belonged
-- to nobody and cannot be shown to anyone under the new rules, so they go.
delete from parking_lot_topic;
alter table parking_lot_topic
    add column project_id uuid not null references project (id) on delete cascade;
drop index parking_lot_topic_created_at_idx;
create index parking_lot_topic_project_idx on parking_lot_topic (project_id, created_at desc, id desc);

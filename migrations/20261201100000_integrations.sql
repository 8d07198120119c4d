-- The DevOps loop: a project's CI and code host report to Cadence (a failed pipeline files a
-- bug; commits and pull requests that mention #12 link to item 12).
--
-- An integration is one webhook address (/hooks/{id}) with a secret of its provider's
-- scheme. GitHub and generic JSON sign each body with HMAC-SHA256, so their key is kept as
-- given (`hmac_key`); GitLab and Azure DevOps send the secret itself, so only its SHA-256 is
-- kept (`token_hash`). Exactly one of the two is set.
create table integration (
    id uuid primary key,
    project_id uuid not null references project (id) on delete cascade,
    provider text not null check (provider in ('github', 'gitlab', 'azure', 'generic')),
    name text not null check (length(name) between 1 and 80),
    hmac_key text,
    token_hash bytea,
    -- The secret's last four characters, to tell secrets apart after a rotation.
    secret_hint text not null,
    -- Branches whose runs and pushes count (a trailing * matches a prefix); empty: the
    -- repository's default branch.
    branches text[] not null default '{}',
    close_on_fixes boolean not null default true,
    done_on_green boolean not null default true,
    created_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null default now(),
    check ((hmac_key is null) <> (token_hash is null))
);
create index integration_project_idx on integration (project_id);

-- Every delivery, accepted or refused: what came, when, and what Cadence did with it. A
-- provider's retry of an accepted delivery (the same delivery id) finds it here and does
-- nothing; a refused one (a bad signature) does not stand in the way of a genuine one.
create table integration_delivery (
    id bigint generated always as identity primary key,
    integration_id uuid not null references integration (id) on delete cascade,
    delivery_id text,
    event text not null,
    at timestamptz not null default clock_timestamp(),
    accepted boolean not null,
    -- "filed #37", "updated #37", "linked #12", "ignored: unknown event", "refused: bad signature"
    outcome text not null,
    error text,
    -- The start of the body (4 kB at most).
    body text not null default ''
);
create unique index integration_delivery_once_idx on integration_delivery (integration_id, delivery_id)
    where accepted and delivery_id is not null;
create index integration_delivery_recent_idx on integration_delivery (integration_id, id desc);

-- The bug a failing pipeline filed. While it is open (not done, not in the trash), further
-- failures of the same pipeline and branch are occurrences of it.
create table ci_bug (
    item_id uuid primary key references work_item (id) on delete cascade,
    integration_id uuid not null references integration (id) on delete cascade,
    pipeline text not null,
    branch text not null,
    occurrences integer not null default 1,
    last_seen timestamptz not null,
    -- The latest runs, newest first (at most 10): {url, commit, at, status}.
    runs jsonb not null default '[]'
);
create index ci_bug_pipeline_idx on ci_bug (integration_id, pipeline, branch);

-- Commits and pull requests that mention an item.
create table item_link (
    id bigint generated always as identity primary key,
    item_id uuid not null references work_item (id) on delete cascade,
    integration_id uuid references integration (id) on delete set null,
    kind text not null check (kind in ('commit', 'pull_request')),
    -- The commit's SHA, the pull request's number.
    ref text not null,
    title text not null,
    author text,
    url text,
    branch text,
    at timestamptz not null default clock_timestamp(),
    unique (item_id, kind, ref)
);

-- The history says what CI reported ("failed again", "passing again") and which commit or
-- pull request mentioned or closed an item.
alter table item_event drop constraint item_event_field_check;
alter table item_event add constraint item_event_field_check check (field in (
    'created', 'title', 'description', 'kind', 'estimate', 'state', 'assignee', 'parent',
    'increment', 'blocked', 'deleted', 'restored', 'poker', 'ci', 'link'
));


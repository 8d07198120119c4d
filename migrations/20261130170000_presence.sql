-- Who has a project's page open (live updates: "who is here" on the board and planning).
-- One row per open event stream that names its page; the stream writes it when it opens
-- and deletes it when it ends. Each server process refreshes its streams' rows every 30 s
-- and deletes rows not refreshed for 90 s, so a process that died leaves nobody behind for
-- long. Every arrival, departure and change of page notifies `cadence_presence` with the
-- project's id; each process then reads the project's list once for all its streams.
create table project_presence (
    stream_id uuid primary key,
    project_id uuid not null references project (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    page text not null check (page ~ '^[a-z-]{1,32}$'),
    seen_at timestamptz not null default now()
);

create index project_presence_project_idx on project_presence (project_id);
create index project_presence_seen_idx on project_presence (seen_at);

create function project_presence_notify() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('cadence_presence', old.project_id::text);
    else
        perform pg_notify('cadence_presence', new.project_id::text);
    end if;
    return null;
end;
$$;

create trigger project_presence_changed
    after insert or delete or update of page on project_presence
    for each row execute function project_presence_notify();

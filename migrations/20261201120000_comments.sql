-- Comments on items, with mentions; who watches an item; and each person's notifications.

-- A comment's body is markdown; a mention is stored by account as `@{uuid}` and shown as
-- the person's name as it is now. A deleted comment keeps its place in the thread with its
-- text gone.
create table item_comment (
    id bigint generated always as identity primary key,
    project_id uuid not null references project (id) on delete cascade,
    item_id uuid not null references work_item (id) on delete cascade,
    author_id uuid references app_user (id) on delete set null,
    body text not null check (octet_length(body) <= 65536),
    created_at timestamptz not null default clock_timestamp(),
    edited_at timestamptz,
    deleted_at timestamptz,
    check (deleted_at is null or body = '')
);
create index item_comment_item_idx on item_comment (item_id, id);

-- Who watches an item: its creator, assignees, commenters and the people mentioned, and
-- whoever chose to. Removed when they stop watching by hand.
create table item_watcher (
    item_id uuid not null references work_item (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    since timestamptz not null default clock_timestamp(),
    primary key (item_id, user_id)
);
create index item_watcher_user_idx on item_watcher (user_id);

create table notification (
    id bigint generated always as identity primary key,
    user_id uuid not null references app_user (id) on delete cascade,
    project_id uuid not null references project (id) on delete cascade,
    item_id uuid references work_item (id) on delete cascade,
    kind text not null check (kind in ('mention', 'assigned', 'comment', 'blocked', 'done',
                                       'increment_started', 'increment_closed')),
    -- Who caused it (null: an integration, or an account since deleted).
    actor_id uuid references app_user (id) on delete set null,
    comment_id bigint references item_comment (id) on delete cascade,
    -- One line for people: "Jim Halpert mentioned you on #12 Cart".
    summary text not null,
    created_at timestamptz not null default clock_timestamp(),
    read_at timestamptz
);
create index notification_user_idx on notification (user_id, id desc);
create index notification_unread_idx on notification (user_id) where read_at is null;

-- A comment changes its item's page: an `items` event naming the item, as any change to it.
create function project_event_comments() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into project_event (project_id, kind, numbers)
        select c.project_id, 'items', array_agg(distinct w.number)
        from old_rows c join work_item w on w.id = c.item_id
        group by c.project_id having project_event_wanted(c.project_id);
    else
        insert into project_event (project_id, kind, numbers)
        select c.project_id, 'items', array_agg(distinct w.number)
        from new_rows c join work_item w on w.id = c.item_id
        group by c.project_id having project_event_wanted(c.project_id);
    end if;
    return null;
end $$;

create trigger project_event_insert after insert on item_comment
    referencing new table as new_rows
    for each statement execute function project_event_comments();
create trigger project_event_update after update on item_comment
    referencing new table as new_rows
    for each statement execute function project_event_comments();

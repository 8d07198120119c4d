-- Shared plumbing: every table with an updated_at column keeps it current with this trigger.
create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- The parking lot: topics raised during a meeting to be discussed after it.
-- The first page reads and writes it, proving the whole path (browser → server → database).
create table parking_lot_topic (
    id uuid primary key,
    title text not null
        constraint parking_lot_topic_title_check
        check (char_length(title) between 1 and 200 and title = btrim(title)),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create index parking_lot_topic_created_at_idx on parking_lot_topic (created_at desc, id desc);

create trigger parking_lot_topic_updated_at
    before update on parking_lot_topic
    for each row execute function set_updated_at();

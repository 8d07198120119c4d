-- Idempotency keys of the JSON API: a client that sends `Idempotency-Key` with a creating
-- request (POST) gets the first answer again when it retries with the same key, instead of
-- a second copy. Kept per account for a day.
create table idempotency_key (
    account_id uuid not null references app_user (id) on delete cascade,
    key text not null check (length(key) between 1 and 255),
    -- SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash bytea not null,
    -- Null while the first request is still running.
    status smallint,
    content_type text,
    body bytea,
    created_at timestamptz not null default now(),
    primary key (account_id, key)
);

create index idempotency_key_created_idx on idempotency_key (created_at);

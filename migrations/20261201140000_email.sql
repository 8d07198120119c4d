-- Notifications by email: which kinds each person turned off, which notifications wait to
-- be sent, each person's sending state (batching and retries), and the server's signing key
-- for unsubscribe links.

-- The kinds of notification a person gets no email for (all on by default).
alter table app_user add column email_muted text[] not null default '{}';

-- Whether a notification still waits to go out by email: set when it is made (unless its
-- kind is muted), cleared when it is sent, dropped or given up on. Only servers with SMTP
-- settings send; the others leave the flag, and rows older than a day are never sent.
alter table notification add column email_due boolean not null default false;
create index notification_email_due_idx on notification (user_id, id) where email_due;

-- One row per person who has been emailed (or is being): when the last email went, and
-- while sending fails, how often it failed and when to try again. `retry_at` is also the
-- lease a server process takes while it sends, so two processes never send the same batch.
create table email_recipient (
    user_id uuid primary key references app_user (id) on delete cascade,
    last_sent_at timestamptz,
    retry_at timestamptz,
    attempts integer not null default 0 check (attempts >= 0),
    last_error text
);

-- Keys the server makes for itself, shared by all its processes (the unsubscribe links'
-- HMAC key).
create table server_secret (
    name text primary key,
    value bytea not null check (octet_length(value) >= 32),
    created_at timestamptz not null default now()
);

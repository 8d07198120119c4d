-- Attempts a guesser would repeat, counted for throttling: password checks (signing in and
-- the current password when changing it) and registrations.
--
-- A password attempt is written *before* the password is hashed and checked, in a
-- transaction holding advisory locks on the account and on the client address, so
-- concurrent guesses cannot all slip past the count. A successful check deletes the
-- attempts of that account from that address; failed ones stay until they age out.
-- Registrations are kept (whether or not they succeeded): they are limited per address.
--
-- Replaces login_failure, which was counted before hashing and written after, so a burst of
-- concurrent guesses was never throttled. Rows older than an hour (the longest window) are
-- pruned as new ones arrive.
create table auth_attempt (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('password', 'register')),
    -- The normalised email a password was tried for (any text: unknown emails count too);
    -- null for registrations.
    account text check ((kind = 'password') = (account is not null)),
    client_addr text not null,
    at timestamptz not null default now()
);

create index auth_attempt_account_idx on auth_attempt (kind, account, at);
create index auth_attempt_addr_idx on auth_attempt (kind, client_addr, at);
create index auth_attempt_at_idx on auth_attempt (at);

drop table login_failure;

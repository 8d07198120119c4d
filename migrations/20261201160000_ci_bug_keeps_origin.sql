-- A bug a failing pipeline filed keeps saying where it came from when its integration is
-- removed: the bug is the team's work, the integration only the address that reported it.
-- The provider and the integration's name are kept on the bug itself (the name follows a
-- rename while the integration exists); the link to the integration is cleared on removal,
-- and with it the bug stops counting further failures (none can arrive).
alter table ci_bug
    add column provider text,
    add column integration_name text;

update ci_bug b set provider = g.provider, integration_name = g.name
from integration g
where g.id = b.integration_id;

alter table ci_bug
    alter column provider set not null,
    alter column integration_name set not null,
    add constraint ci_bug_provider_check
        check (provider in ('github', 'gitlab', 'azure', 'generic')),
    add constraint ci_bug_integration_name_check
        check (length(integration_name) between 1 and 80),
    alter column integration_id drop not null,
    drop constraint ci_bug_integration_id_fkey;

alter table ci_bug
    add constraint ci_bug_integration_id_fkey
        foreign key (integration_id) references integration (id) on delete set null;

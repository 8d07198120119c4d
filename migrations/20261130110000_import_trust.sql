-- Imports name people by email. Nobody is put into a project by someone else's import:
-- everyone the document names besides the importer gets a pending invitation, and becomes a
-- member (with the role the document gives) only when they accept it. Until then the
-- project does not appear in their list and nothing in it is theirs.
create table project_invitation (
    project_id uuid not null references project (id) on delete cascade,
    user_id uuid not null references app_user (id) on delete cascade,
    role text not null check (role in ('owner', 'scrum_master', 'member', 'viewer')),
    invited_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null default now(),
    primary key (project_id, user_id)
);

-- "My invitations" on the projects page.
create index project_invitation_user_idx on project_invitation (user_id);

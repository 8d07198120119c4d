-- Attempts that do not prove they come from the provider (a bad or missing signature or
-- secret) are written by anyone who knows an integration's address: they keep no body and
-- are pruned on their own (the latest 20 per integration), so a stream of them cannot push
-- the genuine deliveries (the latest 200) out of the record.
alter table integration_delivery add column authentic boolean not null default true;

update integration_delivery
set authentic = false, body = ''
where not accepted
  and (outcome like 'refused: % signature' or outcome like 'refused: % secret');

alter table integration_delivery
    add constraint integration_delivery_refused_body_check check (authentic or body = '');

-- Each kind is listed and pruned newest first on its own.
drop index integration_delivery_recent_idx;
create index integration_delivery_recent_idx
    on integration_delivery (integration_id, authentic, id desc);

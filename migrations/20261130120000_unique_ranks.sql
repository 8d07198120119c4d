-- Ranks are unique within a project (items in the trash included: they keep their ranks for
-- when they come back). Concurrent moves could leave two items sharing one; rank changes are
-- now serialized per project, and this makes a shared rank impossible.

-- Projects where two items share a rank are renumbered first, keeping their order.
update work_item w set rank = s.new_rank
from (select id, (row_number() over (partition by project_id order by rank, id) - 1)
                 * 1048576 as new_rank
      from work_item
      where project_id in (select project_id from work_item
                           group by project_id, rank having count(*) > 1)) s
where w.id = s.id and w.rank <> s.new_rank;

-- Deferrable so a renumbering in one statement is checked once, at its end.
alter table work_item add constraint work_item_rank_unique
    unique (project_id, rank) deferrable initially immediate;

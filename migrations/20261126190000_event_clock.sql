-- History rows are stamped when they are written, not when their transaction began: a change
-- that waited on a lock (say, behind an increment being started) is dated after what it
-- waited for, so the burndown and the stand-up read the order things really happened in.
alter table item_event alter column at set default clock_timestamp();

#!/usr/bin/env bash
# Measures the export of a large project: fills a project with N items (two history rows
# each) straight in PostgreSQL, exports it over HTTP, and reports the server's resident
# memory before, at its peak during, and after the export, with the time taken. Then imports
# the document again as a new project and reports the same for the import.
#
#   scripts/bench-export.sh [N]        (default 50000)
#
# Needs a running server (CADENCE_URL, default http://127.0.0.1:3000) on the database in
# DATABASE_URL, and its PID in SERVER_PID (or the only `target/*/server` process); uses
# curl, psql (installed with PostgreSQL by ./x) and python3.
set -euo pipefail

N=${1:-50000}
URL=${CADENCE_URL:-http://127.0.0.1:3000}
: "${DATABASE_URL:?set DATABASE_URL to the database of the server}"
PID=${SERVER_PID:-$(pgrep -f 'target/.*/server' | head -1)}
[ -n "$PID" ] || { echo "no server process found: set SERVER_PID" >&2; exit 1; }

jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
email="bench-$(date +%s)@example.com"
curl -sf -c "$jar" -X POST "$URL/api/fn/register" \
  --data-urlencode "email=$email" --data-urlencode "display_name=Bench Mark" \
  --data-urlencode "password=correct horse battery" >/dev/null
slug=$(curl -sf -b "$jar" -X POST "$URL/api/fn/projects/create" \
  --data-urlencode "name=Bench $N" | python3 -c 'import json, sys; print(json.load(sys.stdin)["slug"])')

psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
with p as (select id from project where slug = '$slug'),
     u as (select id from app_user where email = '$email'),
     items as (
       insert into work_item (id, project_id, number, kind, title, description, estimate,
                              state, rank, creator_id, done_at)
       select gen_random_uuid(), p.id, n, 'task', 'Item ' || n,
              repeat('Some description text. ', 10), (array[1,2,3,5,8])[1 + n % 5],
              case when n % 3 = 0 then 'done' else 'todo' end, n::bigint * 1048576, u.id,
              case when n % 3 = 0 then now() end
       from p, u, generate_series(1, $N) n
       returning id, project_id, creator_id, state)
insert into item_event (project_id, item_id, actor_id, field, old_value, new_value)
select project_id, id, creator_id, 'created', null, '{"kind":"task"}'::jsonb from items
union all
select project_id, id, creator_id, 'state', '"todo"'::jsonb, to_jsonb(state) from items;
update project set next_item_number = $N + 1 where slug = '$slug';
SQL

rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
out=$(mktemp)
trap 'rm -f "$jar" "$out"' EXIT

# measure LABEL CURL-ARGS...: runs curl in the background, sampling the server's memory.
measure() {
  local label=$1; shift
  local before peak now start end after
  before=$(rss); peak=$before
  start=$(date +%s.%N)
  curl -sf -b "$jar" "$@" &
  local curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do
    now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  wait "$curl_pid"
  end=$(date +%s.%N)
  after=$(rss)
  awk -v label="$label" -v start="$start" -v end="$end" \
    'BEGIN { printf "%s: %.1f s\n", label, end - start }'
  printf '  server RSS: before %d MB, peak %d MB, after %d MB\n' $((before / 1024)) \
    $((peak / 1024)) $((after / 1024))
}

measure "export" "$URL/api/v1/projects/$slug/export" -o "$out"
size=$(stat -c %s "$out")
items=$(grep -o '"number":' "$out" | wc -l)
awk -v items="$items" -v size="$size" \
  'BEGIN { printf "  items %s, document %.1f MB\n", items, size / 1048576 }'
imported=$(mktemp)
trap 'rm -f "$jar" "$out" "$imported"' EXIT
measure "import" -o "$imported" -X POST -H 'content-type: application/json' \
  --data-binary "@$out" "$URL/api/v1/projects/import"
# The copy exports as the same document, apart from when it was exported and its slug.
copy=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["slug"])' "$imported")
curl -sf -b "$jar" "$URL/api/v1/projects/$copy/export" -o "$imported"
python3 - "$out" "$imported" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("exported_at"); d["project"].pop("slug")
print("  round trip:", "the same document" if a == b else "DIFFERENT")
sys.exit(a != b)
PY

#!/usr/bin/env bash
# Measures a busy team on one item: C clients (default 50) each read the item and edit it,
# R rounds each (default 20), all at once, through the JSON API with a session cookie.
# Every answer must be 200 (the edit landed) or 409 (someone else's landed first); the
# table gives the count of each status and the latency of the edits.
#
#   scripts/bench-contention.sh [CLIENTS] [ROUNDS]
#
# Needs a running server (CADENCE_URL, default http://127.0.0.1:3000); uses curl and
# python3 (the standard library only).
set -euo pipefail

CLIENTS=${1:-50}
ROUNDS=${2:-20}
URL=${CADENCE_URL:-http://127.0.0.1:3000}

jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
email="contention-$(date +%s%N)@example.com"
curl -sf -c "$jar" -X POST "$URL/api/fn/register" \
  --data-urlencode "email=$email" --data-urlencode "display_name=Busy Team" \
  --data-urlencode "password=correct horse battery" >/dev/null
slug=$(curl -sf -b "$jar" -X POST "$URL/api/fn/projects/create" \
  --data-urlencode "name=Contention" | python3 -c 'import json, sys; print(json.load(sys.stdin)["slug"])')
number=$(curl -sf -b "$jar" -X POST "$URL/api/v1/projects/$slug/items" \
  -H 'content-type: application/json' -d '{"title": "Everyone edits this"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["number"])')
cookie=$(awk '$6 == "cadence_session" { print $6 "=" $7 }' "$jar")

python3 - "$URL" "$slug" "$number" "$cookie" "$CLIENTS" "$ROUNDS" "$email" <<'PY'
import http.client, json, sys, threading, time, urllib.parse
from collections import Counter

url, slug, number, cookie, clients, rounds, email = sys.argv[1:8]
clients, rounds = int(clients), int(rounds)
host = urllib.parse.urlparse(url)
path = f"/api/v1/projects/{slug}/items/{number}"
headers = {"Cookie": cookie, "Content-Type": "application/json"}
statuses, latencies, lock = Counter(), [], threading.Lock()
start = threading.Barrier(clients)

def client(c):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    start.wait()
    for r in range(rounds):
        conn.request("GET", path, headers=headers)
        res = conn.getresponse()
        version = json.loads(res.read())["item"]["version"]
        body = json.dumps({"version": version, "title": f"Client {c} round {r}",
                           "assignee": email, "estimate": 3})
        t0 = time.perf_counter()
        conn.request("PATCH", path, body=body, headers=headers)
        res = conn.getresponse()
        res.read()
        took = (time.perf_counter() - t0) * 1000
        with lock:
            statuses[res.status] += 1
            latencies.append(took)

t0 = time.perf_counter()
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - t0
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"{clients} clients x {rounds} rounds on one item ({wall:.1f} s)")
print(f"{'status':>8} {'count':>7}")
for status, count in sorted(statuses.items()):
    print(f"{status:>8} {count:>7}")
print(f"{'edit p50':>8} {pct(0.50):>6.0f} ms\n{'edit p95':>8} {pct(0.95):>6.0f} ms\n"
      f"{'edit p99':>8} {pct(0.99):>6.0f} ms\n{'max':>8} {latencies[-1]:>6.0f} ms")
bad = sum(n for s, n in statuses.items() if s not in (200, 409))
sys.exit(1 if bad else 0)
PY

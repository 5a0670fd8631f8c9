#!/usr/bin/env bash
# Storage benchmark on the release build (prints figures, not a test): the meeting list of a
# coordinator with 50 upcoming meetings and a calendar feed of 1,000 events, on SQLite and on
# PostgreSQL (a throw-away server from scripts/pg.sh), same data, same run; then two server
# processes on the PostgreSQL database, each loaded by its own wrk, against one.
# CPU per request: the server processes' own, and "all but wrk" (the whole machine's busy time
# minus wrk's, so PostgreSQL's processes count: they run the queries SQLite runs inside the
# server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
cargo leptos build --release --split 2>&1 | tail -n 1
WORK=$(mktemp -d)
PIDS=()
eval "$(bash scripts/pg.sh start)"
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  bash scripts/pg.sh stop "$CONCERTO_PG_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
PG_SERVER=${CONCERTO_TEST_DATABASE_URL%/*}
psql -q "$CONCERTO_TEST_DATABASE_URL" -c "CREATE DATABASE bench"
PG_URL="$PG_SERVER/bench"
TICK=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy_ticks() { # the whole machine's busy time (user + nice + system + irq + softirq)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}

start_server() { # database URL → sets SERVER (pid) and BASE
  local port; port=$(free_port)
  BASE="http://127.0.0.1:$port"
  CONCERTO_LOG=warn target/release/concerto serve --demo --bind "127.0.0.1:$port" --database-url "$1" \
    --outbox-dir "$WORK/outbox-$port" > "$WORK/server-$port.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
}

sign_in() { # base, e-mail → prints the Cookie header value
  local jar="$WORK/jar-$RANDOM" token
  token=$(curl -s -c "$jar" "$1/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$2" \
    --data-urlencode password=concerto-demo --data-urlencode csrf_token="$token" "$1/auth/login"
  echo "concerto_session=$(grep concerto_session "$jar" | awk '{print $7}'); concerto_csrf=$(grep concerto_csrf "$jar" | awk '{print $7}')"
}

seed() { # base: 42 more weekly staffs (through the API), then 1,000 feed events (SQL)
  local cookie csrf next
  cookie=$(sign_in "$1" coordination@demo.concerto.test)
  csrf=${cookie##*concerto_csrf=}
  next=$(date -d "+1 day" +%Y-%m-%d)
  curl -s -H "Cookie: $cookie" -o /dev/null --data-urlencode "draft[kind]=staff" --data-urlencode "draft[title]=Staff de charge" \
    --data-urlencode "draft[date]=$next" --data-urlencode "draft[start_time]=12:30" --data-urlencode "draft[end_time]=14:00" \
    --data-urlencode "draft[mode]=video" --data-urlencode "draft[repeat]=weekly" --data-urlencode "draft[interval]=1" \
    --data-urlencode "draft[end_kind]=count" --data-urlencode "draft[count]=42" --data-urlencode csrf_token="$csrf" \
    "$1/api/meetings/create"
}

# 1,000 single RCPs the GP is invited to, written directly (same rows on both databases).
seed_feed_sqlite() {
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
INSERT INTO meetings (organisation_id, uid, kind, title, description_md, start_utc, start_local, time_zone,
    duration_minutes, mode, submission_deadline, created_by, created_at, updated_at)
  WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 999)
  SELECT o.id, 'bench-' || n || '@concerto', 'rcp', 'RCP de charge ' || n, 'Description de charge',
    strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+' || (n % 365) || ' days', '+' || (n % 7) || ' hours'),
    strftime('%Y-%m-%dT%H:%M:%S', 'now', '+' || (n % 365) || ' days', '+' || (n % 7) || ' hours'),
    'Europe/Paris', 60, 'video',
    strftime('%Y-%m-%dT%H:%M:%S', 'now', '+' || (n % 365) || ' days', '+' || (n % 7) || ' hours'),
    u.id, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'), strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
  FROM c, organisations o, users u
  WHERE o.name = 'CPTS Démo Touraine' AND u.email = 'coordination@demo.concerto.test';
INSERT INTO invitations (meeting_id, user_id, invited_at)
  SELECT m.id, u.id, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now') FROM meetings m, users u
  WHERE m.uid LIKE 'bench-%' AND u.email = 'generaliste@demo.concerto.test';
""")
db.commit()
PY
}
seed_feed_postgres() {
  psql -q "$1" <<'SQL'
INSERT INTO meetings (organisation_id, uid, kind, title, description_md, start_utc, start_local, time_zone,
    duration_minutes, mode, submission_deadline, created_by, created_at, updated_at)
  SELECT o.id, 'bench-' || n || '@concerto', 'rcp', 'RCP de charge ' || n, 'Description de charge',
    date_trunc('second', now()) + (n % 365) * interval '1 day' + (n % 7) * interval '1 hour',
    LOCALTIMESTAMP(0) + (n % 365) * interval '1 day' + (n % 7) * interval '1 hour',
    'Europe/Paris', 60, 'video',
    LOCALTIMESTAMP(0) + (n % 365) * interval '1 day' + (n % 7) * interval '1 hour',
    u.id, now(), now()
  FROM generate_series(0, 999) AS n, organisations o, users u
  WHERE o.name = 'CPTS Démo Touraine' AND u.email = 'coordination@demo.concerto.test';
INSERT INTO invitations (meeting_id, user_id, invited_at)
  SELECT m.id, u.id, now() FROM meetings m, users u
  WHERE m.uid LIKE 'bench-%' AND u.email = 'generaliste@demo.concerto.test';
SQL
}

measure() { # label, database kind, cookie, then one base URL per server (each gets its own wrk)
  local label=$1 kind=$2 cookie=$3; shift 3
  local bases=("$@") before=() after=() i busy_before busy_after
  local connections=$(( 64 / ${#bases[@]} ))
  for i in "${!bases[@]}"; do before[$i]=$(ticks "${SERVER_OF[${bases[$i]}]}"); done
  busy_before=$(busy_ticks)
  local loaders=()
  for i in "${!bases[@]}"; do
    /usr/bin/time -f "%U %S" -o "$WORK/wrk-cpu-$i.txt" \
      wrk -t1 -c"$connections" -d10s --latency -s scripts/bench/distinct.lua -H "Cookie: $cookie" "${bases[$i]}$PATH_UNDER_TEST" > "$WORK/wrk-$i.txt" &
    loaders+=($!)
  done
  wait "${loaders[@]}"
  for i in "${!bases[@]}"; do after[$i]=$(ticks "${SERVER_OF[${bases[$i]}]}"); done
  busy_after=$(busy_ticks)
  local requests=0 rps=0 p99s="" server_ticks=0 wrk_seconds=0
  for i in "${!bases[@]}"; do
    requests=$(( requests + $(grep -E "^\s+[0-9]+ requests in" "$WORK/wrk-$i.txt" | awk '{print $1}') ))
    rps=$(python3 -c "print($rps + $(grep 'Requests/sec' "$WORK/wrk-$i.txt" | awk '{print $2}'))")
    p99s="$p99s $(grep -E '^\s+99%' "$WORK/wrk-$i.txt" | awk '{print $2}')"
    server_ticks=$(( server_ticks + after[$i] - before[$i] ))
    wrk_seconds=$(python3 -c "print($wrk_seconds + sum(map(float, open('$WORK/wrk-cpu-$i.txt').read().split()[-2:])))")
  done
  python3 - "$label" "$rps" "$p99s" "$server_ticks" "$(( busy_after - busy_before ))" "$wrk_seconds" "$requests" "$TICK" <<'PY'
import sys
label, rps, p99s, server, busy, wrk_seconds, requests, tick = sys.argv[1:]
per_request = lambda seconds: seconds * 1000 / max(int(requests), 1)
server_ms = per_request(int(server) / int(tick))
all_ms = per_request(int(busy) / int(tick) - float(wrk_seconds))
print(f"{label:<46} {float(rps):>6.0f} req/s  p99 {p99s.strip():>16}  server CPU {server_ms:.3f} ms/req, all but wrk {all_ms:.3f} ms/req")
PY
}
declare -A SERVER_OF
feed_time() { # base, cookie → median of 10 feed requests (ms)
  for _ in $(seq 1 10); do curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $2" "$1/me/calendar.ics"; done \
    | sort -n | sed -n 5p | python3 -c 'import sys; print("%.1f ms" % (float(sys.stdin.read()) * 1000))'
}

echo "wrk: 64 connections in all, 10 s, every request a different URL"
for kind in sqlite postgres; do
  if [ "$kind" = sqlite ]; then URL="sqlite://$WORK/bench.db"; else URL="$PG_URL"; fi
  start_server "$URL"
  SERVER_OF[$BASE]=$SERVER
  seed "$BASE"
  COOKIE=$(sign_in "$BASE" coordination@demo.concerto.test)
  GP_COOKIE=$(sign_in "$BASE" generaliste@demo.concerto.test)
  ROWS=$(curl -s -H "Cookie: $COOKIE" "$BASE/reunions" | grep -o 'class="meeting-line' | wc -l)
  PATH_UNDER_TEST=/reunions measure "/reunions ($ROWS meetings), $kind, one process" "$kind" "$COOKIE" "$BASE"
  if [ "$kind" = postgres ]; then
    FIRST=$BASE
    start_server "$URL"
    SERVER_OF[$BASE]=$SERVER
    PATH_UNDER_TEST=/reunions measure "/reunions, postgres, two processes (32 + 32)" postgres "$COOKIE" "$FIRST" "$BASE"
    BASE=$FIRST
  fi
  if [ "$kind" = sqlite ]; then seed_feed_sqlite "$WORK/bench.db"; else seed_feed_postgres "$PG_URL"; fi
  EVENTS=$(curl -s -H "Cookie: $GP_COOKIE" "$BASE/me/calendar.ics" | grep -c "BEGIN:VEVENT")
  PATH_UNDER_TEST=/me/calendar.ics measure "feed ($EVENTS events), $kind, one process" "$kind" "$GP_COOKIE" "$BASE"
  echo "  feed alone: median $(feed_time "$BASE" "$GP_COOKIE") per request on $kind (10 requests, nothing else running)"
done

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
source scripts/bench/common.sh
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

#!/usr/bin/env bash
# Benchmarks on the release build; prints figures (not a test).
# - the meeting list page of a coordinator whose organisation has 50 upcoming meetings:
#   throughput, p50/p99 latency at 64 connections (wrk), page size, server CPU per request
#   (from /proc/PID/stat over the run), next to /healthz in the same run;
# - the time to serve a calendar feed of 1,000 events;
# - the video SFU (`concerto sfu-bench`) and, in Chromium, join → first remote frame;
# - the first-load bytes (js + wasm, brotli) of the meeting list and of the pages with the
#   identifier editor, and the time to interactive of the meeting page in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
cargo leptos build --release --split 2>&1 | tail -n 2  # a no-op when up to date
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DB="$WORK/bench.db"
CONCERTO_LOG=warn target/release/concerto serve --demo --bind "127.0.0.1:$PORT" --database-url "sqlite://$DB" \
  --outbox-dir "$WORK/outbox" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

JAR="$WORK/jar"
TOKEN=$(curl -s -c "$JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode email=coordination@demo.concerto.test \
  --data-urlencode password=concerto-demo --data-urlencode csrf_token="$TOKEN" "$BASE/auth/login"
# 47 more upcoming meetings (the demo has 8): one weekly series of 47 sessions. The anti-forgery
# token is rotated at sign-in: forms send the new one.
TOKEN=$(grep concerto_csrf "$JAR" | awk '{print $7}')
NEXT=$(date -d "+1 day" +%Y-%m-%d)
curl -s -b "$JAR" -o /dev/null --data-urlencode "draft[kind]=staff" --data-urlencode "draft[title]=Staff de charge" \
  --data-urlencode "draft[date]=$NEXT" --data-urlencode "draft[start_time]=12:30" --data-urlencode "draft[end_time]=14:00" \
  --data-urlencode "draft[mode]=video" --data-urlencode "draft[repeat]=weekly" --data-urlencode "draft[interval]=1" \
  --data-urlencode "draft[end_kind]=count" --data-urlencode "draft[count]=42" --data-urlencode csrf_token="$TOKEN" \
  "$BASE/api/meetings/create"
SESSION=$(grep concerto_session "$JAR" | awk '{print $7}')
CSRF=$(grep concerto_csrf "$JAR" | awk '{print $7}')
COOKIE="concerto_session=$SESSION; concerto_csrf=$CSRF"
ROWS=$(curl -s -H "Cookie: $COOKIE" "$BASE/reunions" | grep -o 'class="meeting-line' | wc -l)
SIZE=$(curl -s -H "Cookie: $COOKIE" "$BASE/reunions" | wc -c)
SIZE_GZ=$(curl -s -H "Cookie: $COOKIE" "$BASE/reunions" | gzip -9 | wc -c)
echo "meeting list: $ROWS meetings listed, page $SIZE bytes ($SIZE_GZ gzip)"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
run_wrk() { # path, label[, pid, base]: wrk against the server, CPU read from its /proc/PID/stat
  local pid=${3:-$SERVER} base=${4:-$BASE}
  local before after requests
  before=$(cpu_ticks "$pid")
  wrk -t2 -c64 -d10s --latency -s scripts/bench/distinct.lua -H "Cookie: $COOKIE" "$base$1" > "$WORK/wrk.txt"
  after=$(cpu_ticks "$pid")
  requests=$(grep -E "^\s+[0-9]+ requests in" "$WORK/wrk.txt" | awk '{print $1}')
  local rps p50 p99
  rps=$(grep "Requests/sec" "$WORK/wrk.txt" | awk '{print $2}')
  p50=$(grep -E "^\s+50%" "$WORK/wrk.txt" | awk '{print $2}')
  p99=$(grep -E "^\s+99%" "$WORK/wrk.txt" | awk '{print $2}')
  python3 - "$2" "$rps" "$p50" "$p99" "$before" "$after" "$requests" "$TICK" "$WORK/cpu_ms" <<'PY'
import sys
label, rps, p50, p99, before, after, requests, tick, _ = sys.argv[1:]
cpu_ms = (int(after) - int(before)) / int(tick) * 1000 / max(int(requests), 1)
print(f"{label:<28} {float(rps):>10.0f} req/s   p50 {p50:>8}   p99 {p99:>8}   server CPU {cpu_ms:.3f} ms/request")
open(sys.argv[9], "w").write(f"{cpu_ms:.4f}")
PY
  LAST_CPU_MS=$(cat "$WORK/cpu_ms")
}
echo "wrk: 2 threads, 64 connections, 10 s each, every request a different URL (no cache exists:"
echo "each request resolves the session and renders the page)"
run_wrk /healthz "/healthz"
run_wrk /reunions "/reunions (50 meetings)"
python3 -c "print('/reunions render cost: %.1f µs of server CPU per KB of HTML' % ($LAST_CPU_MS * 1000 / ($SIZE / 1024)))"

# A feed of 1,000 events: 1,000 single meetings the GP is invited to, inserted directly.
python3 - "$DB" <<'PY'
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
org, creator = db.execute("SELECT organisation_id, created_by FROM meetings LIMIT 1").fetchone()
gp = db.execute("SELECT id FROM users WHERE email = 'generaliste@demo.concerto.test'").fetchone()[0]
now = datetime.datetime.utcnow()
for n in range(1000):
    start = now + datetime.timedelta(days=n % 365, hours=n % 7)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    cur = db.execute(
        "INSERT INTO meetings (organisation_id, uid, kind, title, description_md, start_utc, start_local, time_zone, "
        "duration_minutes, mode, submission_deadline, created_by, created_at, updated_at) VALUES "
        "(?, ?, 'rcp', ?, 'Description de charge', ?, ?, 'Europe/Paris', 60, 'video', ?, ?, ?, ?)",
        (org, f"bench-{n}@concerto", f"RCP de charge {n}", start.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
         start.strftime("%Y-%m-%dT%H:%M:%S"), start.strftime("%Y-%m-%dT%H:%M:%S"), creator, stamp, stamp))
    db.execute("INSERT INTO invitations (meeting_id, user_id, invited_at) VALUES (?, ?, ?)", (cur.lastrowid, gp, stamp))
db.commit()
PY
GP_JAR="$WORK/gp"
TOKEN=$(curl -s -c "$GP_JAR" "$BASE/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$GP_JAR" -c "$GP_JAR" -o /dev/null --data-urlencode email=generaliste@demo.concerto.test \
  --data-urlencode password=concerto-demo --data-urlencode csrf_token="$TOKEN" "$BASE/auth/login"
EVENTS=$(curl -s -b "$GP_JAR" "$BASE/me/calendar.ics" | grep -c "BEGIN:VEVENT")
TIMES=$(for _ in $(seq 1 10); do curl -s -o /dev/null -w '%{time_total}\n' -b "$GP_JAR" "$BASE/me/calendar.ics"; done | sort -n)
MEDIAN=$(echo "$TIMES" | sed -n 5p)
BYTES=$(curl -s -b "$GP_JAR" "$BASE/me/calendar.ics" | wc -c)
python3 -c "print('calendar feed: $EVENTS VEVENTs, $BYTES bytes, median %.1f ms per request (query + render + transfer, 10 runs)' % (float('$MEDIAN') * 1000))"

# The identifier detector's throughput (release, one core).
DEV=../shared/data/pii/dev.jsonl
[ -f "$DEV" ] && target/release/concerto pii-bench "$DEV"
# The video rooms' SFU alone (child process) with bots publishing VP8 ~500 kbit/s + Opus, on
# loopback: one 15-person room, then 25 people (loss), then three rooms of 5.
echo "sfu-bench (JSON: forwarded packets/s, SFU CPU % of one core, loss %, memory):"
target/release/concerto sfu-bench --rooms 1 --participants 15 --seconds 10 --runs 3
target/release/concerto sfu-bench --rooms 1 --participants 25 --seconds 10
target/release/concerto sfu-bench --rooms 3 --participants 5 --seconds 10
# One deliberately slow subscriber among 15: the others' loss must stay at 0 %.
# (The slow bot's own connection logs every packet it cannot take: silenced.)
CONCERTO_LOG="error,webrtc=off" target/release/concerto sfu-bench --rooms 1 --participants 15 --seconds 10 --slow 1
# Simulcast: each bot sends three layers and wants the speaker in high, the others in low.
target/release/concerto sfu-bench --rooms 1 --participants 15 --seconds 10 --simulcast
# The same bots against Janus (Debian package, videoroom plugin), side by side: its figures
# under "janus", and the ratios ours / Janus.
if ! command -v janus >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq janus >/dev/null || echo "  (janus could not be installed)"
fi
command -v janus >/dev/null 2>&1 && \
  CONCERTO_LOG="error,webrtc=off" target/release/concerto sfu-bench --rooms 1 --participants 15 --seconds 10 --janus
# First-load bytes and time to interactive in headless Chromium on loopback (load event, plus
# the islands' hydration where the page has islands).
if [ -x /usr/bin/chromium ] && [ -d end2end/node_modules/playwright-core ]; then
  (cd end2end && CONCERTO_BENCH_URL="$BASE" node bench/tti.cjs) || echo "  (time to interactive not measured)"
  # Join → first remote frame in the video room (fake camera, loopback).
  (cd end2end && CONCERTO_BENCH_URL="$BASE" node bench/video.cjs) || echo "  (video join not measured)"
fi

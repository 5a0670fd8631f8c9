#!/usr/bin/env bash
# Cases benchmark on the release build (prints figures, not a test). With 2,000 submitted cases
# in one organisation (SQLite):
# - the psychiatrist's case list (/cas) and a case page (/cas/ID, each request a different case,
#   so every request reads, renders and writes its audit row), next to the meeting list in the
#   same run: server CPU per request and p99 at 64 connections (wrk);
# - the autosave round trip as one person typing sees it (300 saves in a row, each from the
#   version the previous one returned): p50 and p99;
# - what the audit log costs a read: the same case page with 200,000 rows in the log, and one
#   audit insert alone (the statement the server runs, through Python's sqlite3 on the same
#   file, WAL) against the page's CPU per request.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/env.sh
cargo leptos build --release --split 2>&1 | tail -n 1
WORK=$(mktemp -d)
PIDS=()
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
source scripts/bench/common.sh
DB="$WORK/bench.db"
start_server "sqlite://$DB"
SERVER_OF[$BASE]=$SERVER

# 2,000 submitted written requests by the GP, each with a full PHQ-9 and ~1.5 KB of text.
read -r CASE_FIRST CASE_LAST < <(python3 - "$DB" <<'PY'
import json, sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
org = db.execute("SELECT id FROM organisations WHERE name = 'CPTS Démo Touraine'").fetchone()[0]
gp = db.execute("SELECT id FROM users WHERE email = 'generaliste@demo.concerto.test'").fetchone()[0]
year = datetime.date.today().year
text = "Humeur triste, anhédonie et insomnie d'endormissement depuis quatre mois, retentissement professionnel. " * 3
content = json.dumps({
    "question_types": ["pharmacological", "conduct"],
    "question": "Faut-il changer d'antidépresseur après huit semaines sans effet ?",
    "reason": "Épisode dépressif résistant.", "symptoms": text, "hypotheses": "Épisode dépressif caractérisé.",
    "history": text, "treatment": "Sertraline 100 mg depuis 8 semaines.", "expectations": "Un avis sur le traitement.",
    "somatic_follow_up": "Bilan thyroïdien normal.", "treating_doctor_known": True, "age": "45-54", "sex": "f",
    "narrative_md": "## Contexte\n\n" + text,
})
scales = json.dumps([{"scale": "phq9", "answers": [2, 2, 1, 1, 1, 1, 1, 1, 0]}, {"scale": "gad7", "answers": [None] * 7}])
now = datetime.datetime.utcnow()
ids = []
for n in range(2000):
    stamp = (now - datetime.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    code = f"C-{year}-{1000 + n}"
    cur = db.execute(
        "INSERT INTO cases (organisation_id, code_year, code_number, patient_code, author_id, status, request_status,"
        " content, scales, question_types, missing_count, ready, suicidal, version, created_at, updated_at, submitted_at)"
        " VALUES (?, ?, ?, ?, ?, 'submitted', 'pending', ?, ?, 'pharmacological,conduct', 0, 1, 0, 2, ?, ?, ?)",
        (org, year, 1000 + n, code, gp, content, scales, stamp, stamp, stamp))
    ids.append(cur.lastrowid)
db.commit()
print(min(ids), max(ids))
PY
)
export CASE_FIRST CASE_LAST
PSY=$(sign_in "$BASE" psychiatre@demo.concerto.test)
COORD=$(sign_in "$BASE" coordination@demo.concerto.test)
LIST_BYTES=$(curl -s -H "Cookie: $PSY" "$BASE/cas" | wc -c)
LIST_ROWS=$(curl -s -H "Cookie: $PSY" "$BASE/cas" | grep -o 'class="case-line' | wc -l)
PAGE_BYTES=$(curl -s -H "Cookie: $PSY" "$BASE/cas/$CASE_FIRST" | wc -c)
echo "2,000 cases; /cas shows $LIST_ROWS lines ($LIST_BYTES bytes); a case page is $PAGE_BYTES bytes"
echo "wrk: 64 connections, 10 s each"
PATH_UNDER_TEST=/reunions measure "/reunions (coordinator, demo meetings)" sqlite "$COORD" "$BASE"
PATH_UNDER_TEST=/cas measure "/cas (psychiatrist, $LIST_ROWS lines)" sqlite "$PSY" "$BASE"
PATH_UNDER_TEST=/cas WRK_SCRIPT=scripts/bench/case_pages.lua \
  measure "/cas/ID (a different case each request)" sqlite "$PSY" "$BASE"

# Autosave: one GP typing, 300 saves in a row.
GP=$(sign_in "$BASE" generaliste@demo.concerto.test)
GP_CSRF=${GP##*concerto_csrf=}
# The new draft's id: the answer's body, or its redirect (/cas/ID/modifier).
ANSWER=$(curl -s -D "$WORK/new-case-headers" -H "Cookie: $GP" -H "Accept: application/json" \
  --data-urlencode csrf_token="$GP_CSRF" --data-urlencode meeting_id= "$BASE/api/cases/new")
DRAFT=$( (echo "$ANSWER"; grep -i '^location:' "$WORK/new-case-headers" | grep -o '/cas/[0-9]*' | cut -d/ -f3) | grep -o '^[0-9]*$' | head -1)
python3 - "$BASE" "$GP" "$GP_CSRF" "$DRAFT" <<'PY'
import json, sys, time, urllib.parse, http.client
base, cookie, csrf, draft = sys.argv[1:]
host = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(host.hostname, host.port)
version, times = 1, []
for n in range(300):
    body = urllib.parse.urlencode({
        "csrf_token": csrf, "id": draft, "version": version, "intent": "autosave",
        "case[q_pharmacological]": "on", "case[question]": "Faut-il changer de traitement ?",
        "case[symptoms]": "Humeur triste, anhédonie, insomnie. " * (1 + n % 20), "case[age]": "45-54", "case[sex]": "f",
    })
    start = time.perf_counter()
    conn.request("POST", "/api/cases/save", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    answer = conn.getresponse(); data = answer.read()
    times.append((time.perf_counter() - start) * 1000)
    if answer.status != 200:
        sys.exit(f"autosave failed: {answer.status} {data[:200]}")
    version = json.loads(data)["version"]
times.sort()
print(f"autosave round trip (one client, 300 saves): p50 {times[149]:.2f} ms, p99 {times[296]:.2f} ms, max {times[-1]:.2f} ms")
PY

# The audit log: 200,000 more rows, then the case pages again; and one insert alone.
AUDIT_ROWS=$(python3 - "$DB" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
org, user = db.execute("SELECT organisation_id, author_id FROM cases LIMIT 1").fetchone()
db.execute("BEGIN")
db.executemany("INSERT INTO audit_log (at, user_id, organisation_id, action, case_id, client_ip, detail) VALUES (?, ?, ?, 'case.read', NULL, '127.0.0.1', '')",
               (("2026-01-01T00:00:00.000000Z", user, org) for _ in range(200000)))
db.execute("COMMIT")
start = time.perf_counter()
for _ in range(2000):
    db.execute("INSERT INTO audit_log (at, user_id, organisation_id, action, case_id, client_ip, detail) VALUES (?, ?, ?, 'case.read', 1, '127.0.0.1', '')",
               ("2026-01-01T00:00:00.000000Z", user, org))
per = (time.perf_counter() - start) / 2000 * 1e6
print(db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0], f"{per:.1f}")
PY
)
read -r ROWS INSERT_US <<< "$AUDIT_ROWS"
PATH_UNDER_TEST=/cas WRK_SCRIPT=scripts/bench/case_pages.lua \
  measure "/cas/ID with $ROWS audit rows" sqlite "$PSY" "$BASE"
echo "one audit insert alone (autocommit, WAL, synchronous=NORMAL): $INSERT_US µs"

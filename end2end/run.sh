#!/usr/bin/env bash
# Starts the release server with demo data on a free port and a fresh database, runs the
# Playwright journeys against it, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/concerto serve --demo --bind "127.0.0.1:$PORT" \
  --database-url "sqlite://$WORK/e2e.db" --outbox-dir "$WORK/outbox" > "$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
cd end2end
status=0
CONCERTO_E2E_URL="http://127.0.0.1:$PORT" CONCERTO_E2E_OUTBOX="$WORK/outbox" npx playwright test "$@" || status=$?
# The whole server log stays in target/ (the last lines are shown on failure).
cp "$WORK/server.log" ../target/e2e-server.log 2>/dev/null || true
if [ $status -ne 0 ]; then echo "--- server log (all of it in target/e2e-server.log)"; tail -n 50 "$WORK/server.log"; fi
exit $status

#!/usr/bin/env bash
# Runs every test: lints (rustfmt, clippy with warnings as errors), unit and integration (cargo
# test) on SQLite, the integration suite again on PostgreSQL (a throw-away server started by
# scripts/pg.sh, or the one CONCERTO_TEST_DATABASE_URL names), then the browser journeys (Playwright in Debian Chromium against the release build,
# with axe-core accessibility checks). Installs what is missing first. Prints the time
# each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
stage() { STAGE_NAME=$1; STAGE_START=$(date +%s); echo; echo "=== $1"; }
stage_done() { echo "=== $STAGE_NAME took $(( $(date +%s) - STAGE_START ))s"; }

# A one-shot build gains nothing from incremental data, which CI's disk would have to hold.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

stage "set-up"
bash scripts/setup.sh
source scripts/env.sh
stage_done

stage "lints (cargo fmt --check, cargo clippy -D warnings)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features app/ssr -- -D warnings
stage_done

stage "unit and integration tests on SQLite (cargo test)"
mkdir -p target
PG_URL=${CONCERTO_TEST_DATABASE_URL:-}
unset CONCERTO_TEST_DATABASE_URL
cargo test --workspace --features app/ssr -- --nocapture 2>&1 | tee target/cargo-test.log
stage_done

stage "integration tests on PostgreSQL"
if [ -z "$PG_URL" ]; then
  eval "$(bash scripts/pg.sh start)"
  trap 'bash scripts/pg.sh stop "$CONCERTO_PG_DIR" >/dev/null 2>&1 || true' EXIT
  PG_URL=$CONCERTO_TEST_DATABASE_URL
fi
echo "on $PG_URL (one new database per test)"
CONCERTO_TEST_DATABASE_URL=$PG_URL cargo test --workspace --features app/ssr --test '*' -- --nocapture 2>&1 \
  | tee target/cargo-test-pg.log
stage_done

stage "release build (cargo leptos build --release --split)"
cargo leptos build --release --split 2>&1 | tail -n 5
stage_done

stage "browser tests (Playwright + /usr/bin/chromium)"
bash end2end/run.sh 2>&1 | tee target/e2e.log
stage_done

CARGO_PASSED=$(grep -E "^test result: ok" target/cargo-test.log | awk '{s += $4} END {print s + 0}')
PG_PASSED=$(grep -E "^test result: ok" target/cargo-test-pg.log | awk '{s += $4} END {print s + 0}')
BROWSER_PASSED=$(grep -oE "^ +[0-9]+ passed" target/e2e.log | awk '{s += $1} END {print s + 0}')
echo
echo "All tests passed in $(( $(date +%s) - START ))s: $CARGO_PASSED cargo tests (SQLite), $PG_PASSED integration tests on PostgreSQL, $BROWSER_PASSED browser tests."
echo "tests: $(( CARGO_PASSED + PG_PASSED + BROWSER_PASSED )) passed, 0 failed"

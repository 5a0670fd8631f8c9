#!/usr/bin/env bash
# Runs every test: lints (rustfmt, clippy with warnings as errors), unit and integration (cargo
# test), then the browser journeys (Playwright in Debian Chromium against the release build,
# with axe-core accessibility checks). Installs what is missing first. Prints the time
# each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
stage() { STAGE_NAME=$1; STAGE_START=$(date +%s); echo; echo "=== $1"; }
stage_done() { echo "=== $STAGE_NAME took $(( $(date +%s) - STAGE_START ))s"; }

stage "set-up"
bash scripts/setup.sh
source scripts/env.sh
stage_done

stage "lints (cargo fmt --check, cargo clippy -D warnings)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features app/ssr -- -D warnings
stage_done

stage "unit and integration tests (cargo test)"
mkdir -p target
cargo test --workspace --features app/ssr -- --nocapture 2>&1 | tee target/cargo-test.log
stage_done

stage "release build (cargo leptos build --release --split)"
cargo leptos build --release --split 2>&1 | tail -n 5
stage_done

stage "browser tests (Playwright + /usr/bin/chromium)"
bash end2end/run.sh 2>&1 | tee target/e2e.log
stage_done

CARGO_PASSED=$(grep -E "^test result: ok" target/cargo-test.log | awk '{s += $4} END {print s + 0}')
BROWSER_PASSED=$(grep -oE "^ +[0-9]+ passed" target/e2e.log | awk '{s += $1} END {print s + 0}')
echo
echo "All tests passed in $(( $(date +%s) - START ))s: $CARGO_PASSED cargo tests, $BROWSER_PASSED browser tests."
echo "tests: $(( CARGO_PASSED + BROWSER_PASSED )) passed, 0 failed"

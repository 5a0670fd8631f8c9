#!/usr/bin/env bash
# Installs what is missing, builds the release app and starts it with demo data on
# http://127.0.0.1:3000 (accounts in README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
cargo leptos build --release --split  # islands load lazily, each from its own chunk
exec target/release/concerto serve --demo "$@"

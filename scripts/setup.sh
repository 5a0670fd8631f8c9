#!/usr/bin/env bash
# Installs what is missing on a fresh machine (idempotent, no prompts): the wasm target, rustfmt
# and clippy,
# cargo-leptos, wasm-bindgen-cli (same version as the crate), npm packages (Playwright, a recent
# binaryen for wasm-opt), Debian's Chromium and wrk. Prints the time each step took.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(grep -E '^wasm-bindgen = "=' Cargo.toml | sed -E 's/.*"=([0-9.]+)".*/\1/')
CARGO_LEPTOS_VERSION=0.3.10

step() { STEP_NAME=$1; STEP_START=$(date +%s); echo "==> $1"; }
done_step() { echo "    ($STEP_NAME: $(( $(date +%s) - STEP_START ))s)"; }

export PATH="$HOME/.cargo/bin:$PATH"

step "wasm32 target"
if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
done_step

step "rustfmt and clippy"
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
done_step

step "cargo-leptos $CARGO_LEPTOS_VERSION"
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi
done_step

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
done_step

step "Debian packages (chromium, wrk, postgresql for the tests on PostgreSQL)"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
done_step

step "npm packages (end2end: Playwright; binaryen for wasm-opt)"
if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/binaryen ] || [ ! -d end2end/node_modules/axe-core ]; then
  (cd end2end && npm ci --no-audit --no-fund)
fi
done_step

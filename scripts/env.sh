# Sourced by the scripts: tools on PATH (cargo's, and npm's binaryen for a wasm-opt that does
# not break hydration; Debian's binaryen 108 does).
export PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/end2end/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"

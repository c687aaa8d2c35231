#!/usr/bin/env bash
# Step 3 of action.yml, on a cache miss: build ramguard from the action's own checkout (the
# version `uses:` pinned) into $RAMGUARD_ROOT, with the locked dependency versions.
set -euo pipefail
: "${GITHUB_ACTION_PATH:?run by GitHub Actions, which sets GITHUB_ACTION_PATH}"
: "${RAMGUARD_ROOT:?set by action.yml from the locate step}"

if ! command -v cargo >/dev/null; then
  echo "::error title=ramguard::cargo is not installed; add a Rust toolchain step (e.g. dtolnay/rust-toolchain@stable) before this action"
  exit 2
fi
cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$RAMGUARD_ROOT" --bin ramguard

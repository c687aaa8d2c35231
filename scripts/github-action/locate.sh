#!/usr/bin/env bash
# Step 1 of action.yml: where this version of ramguard is installed, and its cache key.
#
# The key hashes the sources the binary is built from (in the action's own checkout), so a
# tag, a branch or a commit in `uses:` each get the build they name, and nothing stale.
# Writes `root` and `key` to $GITHUB_OUTPUT and puts `root/bin` on $GITHUB_PATH.
set -euo pipefail
: "${GITHUB_ACTION_PATH:?run by GitHub Actions, which sets GITHUB_ACTION_PATH}"
: "${GITHUB_OUTPUT:?run by GitHub Actions, which sets GITHUB_OUTPUT}"
: "${GITHUB_PATH:?run by GitHub Actions, which sets GITHUB_PATH}"

# macOS runners have shasum, not sha256sum.
if command -v sha256sum >/dev/null; then
  sha256=(sha256sum)
else
  sha256=(shasum -a 256)
fi
cd "$GITHUB_ACTION_PATH"
# Each file's name and digest, then the digest of that list.
sources=$(find Cargo.toml Cargo.lock src -type f | LC_ALL=C sort | xargs "${sha256[@]}" | "${sha256[@]}")
hash=${sources%% *}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/ramguard/$version-${hash:0:16}"

{
  echo "root=$root"
  echo "key=ramguard-$version-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$hash"
} >> "$GITHUB_OUTPUT"
echo "$root/bin" >> "$GITHUB_PATH"
echo "ramguard $version (sources ${hash:0:16}) lives in $root"

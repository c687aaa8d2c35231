#!/usr/bin/env bash
# Step 4 of action.yml: run `ramguard check` twice, for the job's log (text, coloured) and for
# code scanning (SARIF); record the exit status. Findings do not fail this step, so that the
# upload still runs; the action's last step fails the job on them. Unusable input (a missing
# path, bad arguments) fails here.
#
# RAMGUARD_PATHS and RAMGUARD_ARGS are split on white space and never glob-expanded by the
# shell: ramguard expands globs itself, the same way on every platform.
set -uo pipefail
: "${GITHUB_OUTPUT:?run by GitHub Actions, which sets GITHUB_OUTPUT}"

set -f
# shellcheck disable=SC2206 # splitting on white space is the documented input format
paths=(${RAMGUARD_PATHS:-policies/})
# shellcheck disable=SC2206
args=(${RAMGUARD_ARGS:-})
set +f
sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ramguard.sarif"

ramguard --version
ramguard check --color always "${args[@]}" "${paths[@]}"
status=$?
if [ "$status" -ge 2 ]; then
  echo "::error title=ramguard::ramguard check could not use its input (exit $status); see the message above"
  echo "exit-code=$status" >> "$GITHUB_OUTPUT"
  exit "$status"
fi
# Same input, same findings: the exit status is the one above; only the report matters here.
ramguard check --format sarif "${args[@]}" "${paths[@]}" > "$sarif" || true
{
  echo "sarif-file=$sarif"
  echo "exit-code=$status"
} >> "$GITHUB_OUTPUT"

#!/usr/bin/env bash
# The whole suite: typecheck every package, run every package's tests (one package at a time: the
# full-stack and hypervisor suites want the machine to themselves), then print the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
rm -rf var/test-results
npx turbo run typecheck test --concurrency=1 --continue --output-logs=new-only
rc=$?
node --import tsx scripts/test-summary.ts
exit $rc

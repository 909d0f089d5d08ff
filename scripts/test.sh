#!/usr/bin/env bash
# The whole suite: typecheck every package, run every package's tests (one package at a time: the
# full-stack and hypervisor suites want the machine to themselves), then print the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
rm -rf var/test-results
# The import plan of the house (.dependency-cruiser.cjs): a forbidden import fails the suite.
npm run --silent lint:imports
imports_rc=$?
# One `tsc -b` over every package (project references): core and Prisma's client are checked once,
# and each package against the declarations of those it imports (measured in docs/development.md, Tests).
npm run --silent typecheck
typecheck_rc=$?
npx turbo run test --concurrency=1 --continue --output-logs=new-only
rc=$?
[ "$typecheck_rc" -ne 0 ] && rc=$typecheck_rc
[ "$imports_rc" -ne 0 ] && rc=$imports_rc
node --import tsx scripts/test-summary.ts
exit $rc

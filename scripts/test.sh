#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm deps, lint (Prettier +
# typescript-eslint), build (tsc -b), the tests' type check, then Jest's three tiers (unit,
# integration, container; test/tiers.js). Tests start and stop their own servers on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-packages.sh
bash scripts/install.sh --always
npm run lint
bash scripts/build.sh
# ts-jest only transpiles: type errors in tests (which tsc -b does not build) fail here.
npx tsc -p tsconfig.test.json --noEmit
# --forceExit: a run once sat for 45 min after its summary on esbuild's service child
# (held by Jest's module registry); Jest still names such handles when it force-exits.
NODE_OPTIONS=--experimental-vm-modules npx jest --ci --forceExit "$@"

#!/usr/bin/env bash
# Builds every workspace (tsc -b through lerna, plus each package's own build steps).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
npx lerna run build --stream

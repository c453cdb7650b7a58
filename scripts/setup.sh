#!/usr/bin/env bash
# Installs npm dependencies and builds every workspace. Arguments go to install.sh:
# --if-changed skips `npm ci` when package-lock.json has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh "$@"
bash scripts/build.sh

#!/usr/bin/env bash
# Installs npm dependencies from the lockfile. With --if-changed, only when package-lock.json (or
# Node's version) differs from the last install this script made, recorded in a stamp inside
# node_modules (deleting node_modules forgets it); --always installs regardless (CI, npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:---always}"
case "$mode" in --always | --if-changed) ;; *) echo "usage: install.sh [--always|--if-changed]" >&2; exit 2 ;; esac
stamp=node_modules/.model-service-install
wanted="$(node --version) $( (cat package-lock.json 2>/dev/null || true) | sha256sum | cut -d' ' -f1)"
if [ "$mode" = --if-changed ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "npm dependencies are up to date with package-lock.json (skipping npm ci)"
  exit 0
fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
mkdir -p node_modules && echo "$wanted" > "$stamp"

#!/usr/bin/env bash
# Sets up and serves the iris example on 127.0.0.1:${PORT:-8080}; no AWS account needed.
# npm ci runs only when package-lock.json changed since the last install (scripts/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --if-changed
port="${PORT:-8080}"
host="${HOST:-127.0.0.1}"
# A wildcard bind is reached through loopback; print an address a browser can open.
case "$host" in 0.0.0.0 | :: | '[::]') url_host=127.0.0.1 ;; *) url_host="$host" ;; esac
base="http://${url_host}:${port}"
cat <<MSG

Serving examples/iris on ${base}  (Ctrl-C stops it)
API docs: ${base}/docs
Try:
  curl -s ${base}/ping
  curl -s -X POST ${base}/invocations -H 'content-type: application/json' \\
       -d '{"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}'

MSG
cd examples/iris
# exec all the way down (npm -> exec node): a signal sent to `npm start` reaches the server.
HOST="$host" PORT="$port" exec npm start

#!/usr/bin/env bash
# Sets up and serves the iris example on 127.0.0.1:${PORT:-8080}; no AWS account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
port="${PORT:-8080}"
cat <<MSG

Serving examples/iris on http://127.0.0.1:${port}  (Ctrl-C stops it)
Try:
  curl -s -X POST http://127.0.0.1:${port}/invocations -H 'content-type: application/json' \\
       -d '{"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}'
  curl -s http://127.0.0.1:${port}/ping ; open http://127.0.0.1:${port}/docs

MSG
cd examples/iris
HOST="${HOST:-127.0.0.1}" PORT="$port" exec npm start

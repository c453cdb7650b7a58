#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real, when missing:
# redis-server (cache tier), buildah + debootstrap (container image built and run without a Docker engine),
# python3-sklearn + python3-onnx + libonnx-testdata (real exported models the ONNX tests serve).
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
for pkg in python3-sklearn python3-onnx libonnx-testdata; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "Need root to apt-get install ${missing[*]}; install them and rerun." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

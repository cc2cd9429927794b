#!/usr/bin/env bash
# Makes a minimal Debian root (mmdebstrap's minbase, the machine's own
# release and apt sources) in DIR, for the package's install test: a place
# to install, run, remove and purge pcappush as on a fresh machine. The
# packages pcappush depends on are downloaded into the root's apt cache
# but not installed, so that installing the package there pulls them in
# without the network. Made once: the test copies it for each run.
# Usage: scripts/debian-root.sh DIR
set -euo pipefail
dir=$1
[ -e "$dir/.complete" ] && exit 0
rm -rf "$dir" "$dir.tmp"
mkdir -p "$(dirname "$dir")"
. /etc/os-release
sources=/etc/apt/sources.list.d/debian.sources
[ -e "$sources" ] || sources=/etc/apt/sources.list
echo "debian-root: making a minimal Debian $VERSION_CODENAME in $dir (once)" >&2
mmdebstrap --quiet --variant=minbase --skip=cleanup/apt/lists --skip=cleanup/apt/cache \
  --customize-hook='chroot "$1" apt-get install --download-only -y -qq libpcap0.8 >/dev/null' \
  "$VERSION_CODENAME" "$dir.tmp" "$sources"
touch "$dir.tmp/.complete"
mv "$dir.tmp" "$dir"

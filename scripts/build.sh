#!/bin/sh
# Configures (once) and builds fwvet in the given folder.
#   scripts/build.sh DIR [meson options...]
set -eu
dir=${1:-build}
shift || true
cd "$(dirname "$0")/.."
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null

#!/bin/sh
# make demo: builds a sample router firmware with real tools and shows what
# fwvet makes of it.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p "$build/demo"
fw=$build/demo/router.bin
scripts/mkfirmware.sh "$fw"
echo "== fwvet identify $fw"
"$build/fwvet" identify "$fw"
echo
echo "== fwvet extract $fw -C $build/demo/router.extracted"
rm -rf "$build/demo/router.extracted"
"$build/fwvet" extract "$fw" -C "$build/demo/router.extracted"
echo
echo "== the root filesystem, as extracted"
find "$build/demo/router.extracted" -path '*squashfs/etc/*' | sort | sed 's/^/  /'
echo
echo "== fwvet scan $fw"
"$build/fwvet" scan "$fw"
echo
echo "== fwvet equiv $fw $build/demo/router-rebuilt.bin   (the same sources, built again on another day)"
scripts/mkfirmware.sh "$build/demo/router-rebuilt.bin" rebuild
"$build/fwvet" equiv "$fw" "$build/demo/router-rebuilt.bin" || true
echo
echo "== fwvet diff $fw $build/demo/router-v2.bin   (the next release)"
scripts/mkfirmware.sh "$build/demo/router-v2.bin" update
"$build/fwvet" diff "$fw" "$build/demo/router-v2.bin"

#!/bin/sh
# make demo: builds a sample router firmware with real tools and shows what
# fwvet makes of it.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p "$build/demo"
# The demo's scans go to a store of its own, not to the user's data folder.
export FWVET_DB="$build/demo/fwvet.db"
rm -f "$FWVET_DB" "$FWVET_DB-wal" "$FWVET_DB-shm"
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
echo "== fwvet db list   (every scan is recorded in the store, here $FWVET_DB)"
"$build/fwvet" db list
echo
echo "== reports for others: SARIF for code scanning, one HTML page, and signed evidence"
"$build/fwvet" scan --no-store --format sarif -o "$build/demo/router.sarif" "$fw"
"$build/fwvet" scan --no-store --format html -o "$build/demo/router.html" "$fw"
echo "wrote $build/demo/router.sarif and $build/demo/router.html (open it in a browser; it works offline)"
rm -f "$build/demo/demo-key.key" "$build/demo/demo-key.pub"
"$build/fwvet" keygen "$build/demo/demo-key"
"$build/fwvet" scan --no-store --format json -o "$build/demo/router.json" --sign "$build/demo/demo-key.key" "$fw"
echo "== fwvet verify $build/demo/router.json --key $build/demo/demo-key.pub --image $fw"
"$build/fwvet" verify "$build/demo/router.json" --key "$build/demo/demo-key.pub" --image "$fw"
echo
echo "== fwvet equiv $fw $build/demo/router-rebuilt.bin   (the same sources, built again on another day)"
scripts/mkfirmware.sh "$build/demo/router-rebuilt.bin" rebuild
"$build/fwvet" equiv "$fw" "$build/demo/router-rebuilt.bin" || true
echo
echo "== fwvet diff $fw $build/demo/router-v2.bin   (the next release)"
scripts/mkfirmware.sh "$build/demo/router-v2.bin" update
"$build/fwvet" diff "$fw" "$build/demo/router-v2.bin"
echo
echo "== fwvet -v scan $build/demo/router-v2.bin   (the files it shares with router.bin are not analysed again)"
"$build/fwvet" -v scan -o /dev/null "$build/demo/router-v2.bin" 2>&1 | grep "stored as"
echo
echo "== fwvet monitor   (every stored image against today's rules and vulnerability data)"
"$build/fwvet" monitor || true

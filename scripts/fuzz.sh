#!/bin/sh
# make fuzz: builds the libFuzzer harnesses with clang, ASan and UBSan, makes
# seed inputs with the real tools, and runs each harness for a short while
# (FUZZ_SECONDS, default 20).  Crashes are left in build-fuzz/crashes/.
set -eu
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-20}
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null
fi
ninja -C "$dir" >/dev/null

seeds=$dir/seeds
tests/fuzz/make-seeds.sh "$seeds"
mkdir -p "$dir/crashes"
status=0
for h in "$dir"/tests/fuzz/fuzz_*; do
	[ -f "$h" ] && [ -x "$h" ] || continue # not the .p object folders
	name=$(basename "$h")
	f=${name#fuzz_}
	corpus=$dir/corpus/$f
	mkdir -p "$corpus"
	[ -d "$seeds/$f" ] && cp -n "$seeds/$f"/* "$corpus"/ 2>/dev/null || true
	[ "$f" = scan ] && cp -n "$seeds"/*/* "$corpus"/ 2>/dev/null || true
	case $f in elfparse | flow | elfcmp) cp -n "$seeds"/elf/* "$corpus"/ 2>/dev/null || true ;; esac
	printf '%-10s ' "$f"
	if "$h" -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=8192 -timeout=10 \
		-artifact_prefix="$dir/crashes/$f-" "$corpus" >"$dir/$f.log" 2>&1; then
		grep -Eo 'cov: [0-9]+' "$dir/$f.log" | tail -1 || true
	else
		echo "FAILED: see $dir/$f.log and $dir/crashes/"
		status=1
	fi
done
exit $status

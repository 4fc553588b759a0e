#!/bin/sh
# Builds and runs every test twice: a normal build, then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer.  Ends with the
# plain line "N passed, N failed" and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0

# run_suite BUILD-DIR LABEL [meson options...]
run_suite() {
	dir=$1
	label=$2
	shift 2
	if ! scripts/build.sh "$dir" "$@"; then
		echo "fwvet: $label build failed" >&2
		failed=$((failed + 1))
		return
	fi
	meson test -C "$dir" --print-errorlogs --num-processes 2
	status=$?
	log="$dir/meson-logs/testlog.json"
	if ! p=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log") ||
		! f=$(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")] | length' "$log") ||
		! s=$(jq -s '[.[] | select(.result == "SKIP")] | length' "$log"); then
		echo "fwvet: $label: cannot read the test log $log" >&2
		p=0 f=1 s=0
	fi
	# meson's own verdict counts too: a run it failed is never all passed.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	echo "$label: $p passed, $f failed, $s skipped"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# Read only by the sanitizer build; -fno-sanitize-recover makes every UBSan
# report fatal, so a test notices it.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_suite build "default build"
run_suite build-asan "ASan+UBSan build" -Dbuildtype=debug -Db_sanitize=address,undefined \
	-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

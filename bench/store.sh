#!/bin/bash
# make bench, the store part (bench/run.sh calls it): what a store saves and
# what workers give.  Not a test: nothing here asserts a time.
#   bench/store.sh BUILD-DIR WORK-DIR SHIPPED REBUILT
#     SHIPPED, REBUILT: the router image of run.sh and its rebuild on another day
#     (the same files, so every content of REBUILT is known once SHIPPED is stored)
# 1. The cost of scanning an image whose files are all known, against a first
#    scan, into SQLite and into PostgreSQL.
# 2. Images per minute with 1, 2 and 4 workers over one PostgreSQL store.
set -eu
build=$1 work=$2 shipped=$3 rebuilt=$4
fwvet=$(cd "$build" && pwd)/fwvet
export FWVET=$fwvet FV_SRCDIR=$(cd "$(dirname "$0")/.." && pwd) FV_BUILDDIR=$work
fail() { echo "bench/store.sh: $*" >&2; exit 1; }
. "$FV_SRCDIR/tests/pg.sh"
trap fv_pg_stop EXIT

# secs CMD...: wall seconds of one run (output discarded).
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > /dev/null 2>&1 || true
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.1f", a / b }'; }

fv_pg_start > /dev/null
echo
echo "store: a first scan against scans of images whose files are all known ($(basename "$shipped"))"
for kind in sqlite postgresql; do
	if [ "$kind" = sqlite ]; then
		db=$work/bench-store.db
		rm -f "$db" "$db-wal" "$db-shm"
	else
		db=$(fv_pg_new_db)
	fi
	first=$(secs "$fwvet" scan --db "$db" --vulndb none -o /dev/null "$shipped")
	again=$(secs "$fwvet" scan --db "$db" --vulndb none -o /dev/null "$shipped")
	other=$(secs "$fwvet" scan --db "$db" --vulndb none -o /dev/null "$rebuilt")
	none=$(secs "$fwvet" scan --no-store --vulndb none -o /dev/null "$rebuilt")
	echo "  $kind: first scan $first s; the same image again $again s ($(ratio "$first" "$again")x less);" \
		"the rebuild (all files known) $other s ($(ratio "$first" "$other")x less); without a store $none s"
done

# Eight distinct images of about 600 files each, from this machine's libraries:
# no content is shared, so the workers' cache saves nothing and the figure is throughput.
imgs=$work/worker-images
if [ ! -f "$imgs/8.sqfs" ]; then
	rm -rf "$imgs"
	mkdir -p "$imgs"
	find /usr/lib/x86_64-linux-gnu /usr/bin -maxdepth 1 -type f -size -400k | sort > "$imgs/list"
	for i in 1 2 3 4 5 6 7 8; do
		mkdir -p "$imgs/root$i/usr/lib"
		awk -v i="$i" 'NR % 8 == i % 8' "$imgs/list" | head -600 | xargs -r cp -t "$imgs/root$i/usr/lib" 2>/dev/null || true
		mksquashfs "$imgs/root$i" "$imgs/$i.sqfs" -comp xz -noappend -quiet > /dev/null
		rm -rf "$imgs/root$i"
	done
fi
echo
echo "workers: 8 distinct images ($(du -sh "$imgs" | cut -f1) of squashfs, no content shared), one PostgreSQL store"
base=
for n in 1 2 4; do
	db=$(fv_pg_new_db)
	"$fwvet" submit --db "$db" "$imgs"/*.sqfs > /dev/null
	t0=$(date +%s.%N)
	pids=()
	# The cores shared out: each worker analyses on its share of them.
	threads=$(( $(nproc) / n )); [ "$threads" -ge 1 ] || threads=1
	for w in $(seq 1 "$n"); do
		"$fwvet" worker --db "$db" --vulndb none --threads "$threads" > /dev/null 2>&1 &
		pids+=($!)
	done
	# Timed until the queue is done, not until the workers notice (they look every 2 s when idle).
	tries=0
	# (psql, much lighter than a fwvet process, so that watching steals little of the two cores)
	while [ "$("$FV_PG_BIN/psql" -X -tA -d "$db" -c "SELECT count(*) FROM jobs WHERE state IN ('done', 'failed')")" -lt 8 ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 3000 ] || fail "$n workers did not finish 8 images in 10 minutes"
		sleep 0.2
	done
	t1=$(date +%s.%N)
	kill -TERM "${pids[@]}" 2> /dev/null || true
	wait "${pids[@]}" || true
	done=$("$fwvet" db status --db "$db" --format json | jq '.jobs.done')
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	per=$(awk -v d="$done" -v s="$s" 'BEGIN { printf "%.1f", d * 60 / s }')
	[ -n "$base" ] || base=$per
	echo "  $n worker(s): $done images in $s s: $per images/min ($(ratio "$per" "$base")x one worker)"
done

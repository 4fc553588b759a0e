#!/bin/bash
# The job queue: fwvet submit, fwvet worker, fwvet db status.
#  (a) SQLite: 6 images, 2 workers at once: every job done, exactly one scan
#      per job; an image gone before its turn fails with its error; a job
#      abandoned on every allowed claim is failed, not claimed again; SIGTERM
#      during a job finishes that job, takes no other, and exits 0.
#  (b) PostgreSQL 15 (a real server, tests/pg.sh): 20 images, 4 workers with
#      a 4 s lease, one killed with SIGKILL while it holds a job: all 20 done,
#      each exactly once and complete, the killed worker's job taken again.
#      (b2) a scan longer than its 3 s lease: renewed, not taken by another.
#  (c) PostgreSQL stopped while a scan runs: exit 2 naming the store, and
#      nothing of that image in the store once the server is back.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v sqlite3 > /dev/null || fail "needs the sqlite3 program (scripts/deps.sh installs it)"
cd "$FV_WORK"
# Everything that could hang is bounded: a worker that never exits fails the test.
T="timeout -k 10 300"
. "$FV_SRCDIR/tests/pg.sh"
# The timeouts started in the background (bg): those still running are killed on the
# way out, with the program each runs.
bg=()
cleanup() {
	local p running
	running=" $(jobs -p | tr '\n' ' ') "
	for p in "${bg[@]}"; do
		case $running in
		*" $p "*)
			pkill -KILL -P "$p" 2> /dev/null || true
			kill -KILL "$p" 2> /dev/null || true
			;;
		esac
	done
	fv_pg_stop
}
trap cleanup EXIT

# Distinct small images: the root of lib.sh with a file of its own each.
make_rootfs root
mkimages() { # N PREFIX
	local i
	for i in $(seq 1 "$1"); do
		printf 'release %s-%s\n' "$2" "$i" > root/etc/version
		seq 1 "$((i * 97))" > root/usr/lib/table.txt
		mksquashfs root "$2$i.sqfs" -comp gzip -all-root -noappend -quiet -no-progress > /dev/null
	done
	[ "$(sha256sum "$2"*.sqfs | cut -d' ' -f1 | sort -u | wc -l)" = "$1" ] || fail "the $1 $2 images are not distinct"
}
mkimages 6 a
mkimages 20 b


# The process timeout started (signals for the program must not go to timeout).
child_of() { # PID
	local i c
	for i in $(seq 1 200); do
		c=$(pgrep -P "$1" | head -n 1) && [ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.05
	done
	fail "process $1 started no program"
}

# ---- (a) SQLite ----------------------------------------------------------------------
DB=$FV_WORK/q.db
expect_rc 2 "submit of a missing image" "$FWVET" submit --db "$DB" a1.sqfs missing.sqfs
grep -q "missing.sqfs: cannot queue it: No such file" err.txt && ok "submit of a missing image: names it" \
	|| fail "submit of a missing image: $(cat err.txt)"
R=none.json
"$FWVET" db status --db "$DB" --format json > none.json
check "submit of a missing image: nothing queued" '.jobs | add == 0'

cp a1.sqfs gone.sqfs
expect_rc 0 "submit 6 images and one that will be gone" "$FWVET" submit --db "$DB" a1.sqfs a2.sqfs a3.sqfs \
	a4.sqfs a5.sqfs a6.sqfs gone.sqfs
assert_eq 7 "$(wc -l < out.txt)" "submit: one line per image"
assert_eq "1 $FV_WORK/a1.sqfs" "$(head -n 1 out.txt)" "submit: job id and absolute path"
expect_rc 0 "submit a queued image again" "$FWVET" submit --db "$DB" a2.sqfs
assert_eq "2 $FV_WORK/a2.sqfs" "$(cat out.txt)" "submit again: the job already queued"
grep -q "already queued as job 2, not queued again" err.txt && ok "submit again: says so" \
	|| fail "submit again: $(cat err.txt)"
rm gone.sqfs
"$FWVET" db status --db "$DB" > status.txt
grep -q ": 7 queued, 0 running, 0 done, 0 failed$" status.txt && ok "db status: 7 queued" \
	|| fail "db status: $(cat status.txt)"

# A job abandoned on each of its 3 claims (as if every worker that took it
# died): failed at the next claim, never run a fourth time.
sqlite3 "$DB" "INSERT INTO jobs(image_path, state, submitted, worker, lease_until, attempts)
	VALUES('$FV_WORK/a1.sqfs', 'running', '2023-11-14T22:13:20Z', 'dead:1', 1, 3)"

pids=()
for w in wa wb; do
	$T "$FWVET" worker --db "$DB" --exit-when-empty --vulndb none --threads 2 --name "$w" > "$w.out" 2> "$w.err" &
	pids+=("$!")
	bg+=("$!")
done
wrc=0
for p in "${pids[@]}"; do
	wait "$p" || wrc=$?
done
[ "$wrc" = 0 ] || cat wa.err wb.err >&2
assert_eq 0 "$wrc" "2 SQLite workers exit 0 once the queue is empty"
assert_eq "done|6" "$(sqlite3 "$DB" "SELECT state, count(*) FROM jobs
	WHERE image_path LIKE '%/a_.sqfs' AND state = 'done'")" \
	"SQLite: the 6 jobs are done"
assert_eq 6 "$(sqlite3 "$DB" 'SELECT count(*) FROM scans')" "SQLite: 6 scans"
assert_eq 6 "$(sqlite3 "$DB" 'SELECT count(DISTINCT job_id) FROM scans WHERE job_id IS NOT NULL')" \
	"SQLite: one scan per job"
assert_eq 0 "$(sqlite3 "$DB" "SELECT count(*) FROM jobs j WHERE state = 'done' AND scan_id NOT IN
	(SELECT id FROM scans s WHERE s.job_id = j.id AND s.image_path = j.image_path)")" \
	"SQLite: each done job names its own scan"
assert_eq 0 "$(sqlite3 "$DB" "SELECT count(*) FROM jobs WHERE state = 'done' AND attempts != 1")" \
	"SQLite: no job run twice"
[ -n "$(cat wa.out)" ] && [ -n "$(cat wb.out)" ] && ok "SQLite: both workers did jobs" \
	|| echo "# one worker did every job (the other started late): $(wc -l < wa.out) and $(wc -l < wb.out)"
"$FWVET" db status --db "$DB" --format json > status.json
R=status.json
check "db status: 6 done, 2 failed, none waiting" \
	'.jobs == {"queued": 0, "running": 0, "done": 6, "failed": 2} and .running == []'
check "db status: the vanished image failed with its error" \
	'[.failed[] | select(.image_path | endswith("/gone.sqfs")) | select(.error | test("gone.sqfs"))
	 | select(.attempts == 1)] | length == 1'
check "db status: the abandoned job failed after 3 claims, naming its last worker" \
	'[.failed[] | select(.attempts == 3 and (.error | test("abandoned 3 times.*dead:1")))] | length == 1'
"$FWVET" db status --db "$DB" > status.txt
grep -q ": 0 queued, 0 running, 6 done, 2 failed$" status.txt && ok "db status (text): 6 done" \
	|| fail "db status (text): $(cat status.txt)"
expect_rc 2 "db status --format xml" "$FWVET" db status --db "$DB" --format xml
expect_rc 0 "db status of a store never written" "$FWVET" db status --db "$FV_WORK/none.db"
[ ! -e "$FV_WORK/none.db" ] && ok "db status creates no store" || fail "db status created none.db"
# SIGTERM while a job runs: that job is finished and written, the next one is left queued, exit 0.
expect_rc 0 "submit 2 images again" "$FWVET" submit --db "$DB" a3.sqfs a4.sqfs
$T "$FWVET" worker --db "$DB" --vulndb none --threads 2 --name wt > wt.out 2> wt.err &
tpid=$!
bg+=("$tpid")
wt=$(child_of "$tpid")
held=
for i in $(seq 1 600); do
	if [ -n "$(sqlite3 "$DB" "SELECT id FROM jobs WHERE state = 'running' AND worker = 'wt'")" ]; then
		kill -STOP "$wt"
		held=$(sqlite3 "$DB" "SELECT id FROM jobs WHERE state = 'running' AND worker = 'wt'")
		[ -n "$held" ] && break
		kill -CONT "$wt"
	fi
	kill -0 "$wt" 2> /dev/null || fail "worker wt exited: $(cat wt.err)"
	sleep 0.05
done
[ -n "$held" ] || fail "worker wt never held a job"
kill -TERM "$wt"
kill -CONT "$wt"
trc=0
wait "$tpid" || trc=$?
assert_eq 0 "$trc" "SIGTERM during a job: exit 0"
assert_eq "done|1" "$(sqlite3 "$DB" "SELECT j.state, count(s.id) FROM jobs j JOIN scans s ON s.job_id = j.id
	WHERE j.id = $held GROUP BY j.id")" \
	"SIGTERM during a job: the job was finished and written"
assert_eq 1 "$(sqlite3 "$DB" "SELECT count(*) FROM jobs WHERE state = 'queued'")" \
	"SIGTERM during a job: no further job taken"
grep -q "stopping" wt.err && ok "SIGTERM: the worker says it stops" || fail "wt.err: $(cat wt.err)"

expect_rc 2 "worker --lease 0" "$FWVET" worker --db "$DB" --lease 0
expect_rc 2 "worker with an argument" "$FWVET" worker --db "$DB" a1.sqfs

# ---- (b) PostgreSQL: 4 workers, one killed -------------------------------------------
wpids=()
fv_pg_start
U=$FWVET_PG_URI
psql_q() { "$FV_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$U" -c "$1"; }

expect_rc 0 "submit 20 images to PostgreSQL" "$FWVET" submit --db "$U" b*.sqfs
assert_eq 20 "$(psql_q "SELECT count(*) FROM jobs WHERE state = 'queued'")" "PostgreSQL: 20 queued"

worker() { # NAME
	$T "$FWVET" worker --db "$U" --lease 4 --exit-when-empty --vulndb none --threads 2 --name "$1" \
		> "$1.out" 2> "$1.err" &
	wpids+=("$!")
	bg+=("$!")
}
worker w1
victim=$(child_of "${wpids[0]}")
# w1 first, until it runs a job; then the other three.  It is stopped, then
# asked which job it holds: that job is the one it holds when it is killed.
held=
for i in $(seq 1 600); do
	if "$FWVET" db status --db "$U" --format json 2> /dev/null \
		| jq -e '[.running[] | select(.worker == "w1")] | length > 0' > /dev/null; then
		kill -STOP "$victim"
		held=$(psql_q "SELECT id FROM jobs WHERE state = 'running' AND worker = 'w1'")
		[ -n "$held" ] && break
		kill -CONT "$victim"
	fi
	kill -0 "$victim" 2> /dev/null || fail "w1 exited before it was killed: $(cat w1.err)"
	sleep 0.05
done
[ -n "$held" ] || fail "w1 never held a job"
for w in w2 w3 w4; do
	worker "$w"
done
kill -KILL "$victim"
{ wait "${wpids[0]}"; } 2> /dev/null || true
ok "w1 killed with SIGKILL while it held job $held"
wrc=0
for p in "${wpids[@]:1}"; do
	wait "$p" || wrc=$?
done
[ "$wrc" = 0 ] || cat w2.err w3.err w4.err >&2
assert_eq 0 "$wrc" "the 3 other workers exit 0 once the queue is empty"
assert_eq 20 "$(psql_q "SELECT count(*) FROM jobs WHERE state = 'done'")" "PostgreSQL: all 20 jobs done"
assert_eq "20 20 20" "$(psql_q "SELECT count(*) || ' ' || count(DISTINCT job_id) || ' ' || count(job_id) FROM scans")" \
	"PostgreSQL: 20 scans, one per job"
assert_eq 0 "$(psql_q "SELECT count(*) FROM jobs j WHERE scan_id IS NULL OR scan_id NOT IN
	(SELECT id FROM scans s WHERE s.job_id = j.id AND s.image_path = j.image_path)")" \
	"PostgreSQL: each job names its own scan"
assert_eq "" "$(psql_q "SELECT id FROM jobs WHERE attempts > 1 AND id != $held")" \
	"PostgreSQL: no job but the killed worker's was taken twice"
assert_eq "2" "$(psql_q "SELECT attempts FROM jobs WHERE id = $held AND worker != 'w1'")" \
	"PostgreSQL: the killed worker's job was taken again by another worker after its lease ran out"
"$FWVET" db status --db "$U" --format json > pgstatus.json
R=pgstatus.json
check "db status (PostgreSQL): 20 done" '.jobs == {"queued": 0, "running": 0, "done": 20, "failed": 0}'
# Each scan complete: its files are those of a scan of the same image that stores nothing.
"$FWVET" db list --db "$U" --format json > pglist.json
"$FWVET" scan --no-store --vulndb none --format json -o ref.json "$FV_WORK"/b*.sqfs
R=pglist.json
check "PostgreSQL: 20 stored scans" 'length == 20'
incomplete=0
for f in b*.sqfs; do
	jq -e --arg p "$FV_WORK/$f" --slurpfile r ref.json \
		'($r[0][] | select(.image.path == $p)) as $s | [.[] | select(.image.path == $p)]
		 | length == 1 and .[0].files == ($s.files | length) and .[0].files > 0
		 and (.[0].findings | add) == ($s.findings | length)' pglist.json > /dev/null ||
		{ echo "incomplete or missing scan of $f" >&2; incomplete=$((incomplete + 1)); }
done
assert_eq 0 "$incomplete" "PostgreSQL: every scan complete (files and findings as scan --no-store reports)"

# ---- (b2) a job longer than its lease stays with its worker ---------------------------
# A larger image (random data, many files) whose scan outlasts a 3 s lease: the worker
# renews it, and a second worker waiting for the queue to empty does not take it.
rm -rf big && mkdir -p big/etc big/data
printf 'root:x:0:0::/root:/bin/sh\n' > big/etc/passwd
for i in 1 2 3 4; do
	head -c 32M /dev/urandom > "big/data/blob$i"
done
for i in $(seq 1 4000); do
	printf 'record %s\n' "$i" > "big/data/r$i.txt"
done
mksquashfs big big.sqfs -comp gzip -all-root -noappend -quiet -no-progress > /dev/null
expect_rc 0 "submit the larger image" "$FWVET" submit --db "$U" big.sqfs
bigjob=$(cut -d' ' -f1 out.txt)
$T "$FWVET" worker --db "$U" --lease 3 --exit-when-empty --vulndb none --name long > long.out 2> long.err &
lpid=$!
bg+=("$lpid")
lease0=
for i in $(seq 1 600); do
	lease0=$(psql_q "SELECT lease_until FROM jobs WHERE id = $bigjob AND worker = 'long'")
	[ -n "$lease0" ] && break
	sleep 0.05
done
[ -n "$lease0" ] || fail "worker long never claimed the larger image"
$T "$FWVET" worker --db "$U" --lease 3 --exit-when-empty --vulndb none --name other > other.out 2> other.err
lrc=0
wait "$lpid" || lrc=$?
assert_eq 0 "$lrc" "the worker of the long job exits 0"
assert_eq "done|long|1|1" "$(psql_q "SELECT j.state || '|' || j.worker || '|' || j.attempts || '|' || count(s.id)
	FROM jobs j JOIN scans s ON s.job_id = j.id WHERE j.id = $bigjob GROUP BY j.id")" \
	"the long job: done by its worker, claimed once, one scan"
took=$(psql_q "SELECT elapsed_ms FROM scans WHERE job_id = $bigjob")
echo "# the long job's scan took $took ms with a 3 s lease"
# Renewed every second: a scan of more than a second ends with a later lease than its claim gave.
if [ "$took" -gt 1500 ]; then
	lease1=$(psql_q "SELECT lease_until FROM jobs WHERE id = $bigjob")
	[ "$lease1" -gt "$lease0" ] && ok "the long job's lease was renewed ($lease0 -> $lease1)" \
		|| fail "the long job's lease was not renewed: $lease0 -> $lease1"
fi

# ---- (c) PostgreSQL stopped during a scan --------------------------------------------
U2=$(fv_pg_new_db)
mkdir -p tmpc
TMPDIR=$FV_WORK/tmpc $T "$FWVET" scan --db "$U2" --vulndb none --format json -o big.json big.sqfs \
	> scan.out 2> scan.err &
tspid=$!
bg+=("$tspid")
spid=$(child_of "$tspid")
# Its store is open before it unpacks: the temporary folder shows the scan is under way.
for i in $(seq 1 600); do
	[ -n "$(ls tmpc)" ] && break
	kill -0 "$spid" 2> /dev/null || break
	sleep 0.05
done
kill -STOP "$spid" 2> /dev/null || fail "the scan of big.sqfs ended before the server could be stopped"
fv_pg_as_owner "$FV_PG_BIN/pg_ctl" -D "$FV_PG_DIR/data" -m fast -w -t 60 stop > /dev/null
kill -CONT "$spid"
src=0
wait "$tspid" || src=$?
assert_eq 2 "$src" "scan while the database is stopped exits 2"
grep -qF "not stored: $U2" scan.err && ok "the message names the store" || fail "scan.err: $(cat scan.err)"
fv_pg_as_owner "$FV_PG_BIN/pg_ctl" -D "$FV_PG_DIR/data" -l "$FV_PG_DIR/server.log" -w -t 60 \
	-o "-c listen_addresses='' -p $FV_PG_PORT -k $FV_PG_SOCK -c fsync=off -c full_page_writes=off" \
	start > /dev/null || fail "PostgreSQL did not start again"
U=$U2
assert_eq "0 0 0" "$(psql_q "SELECT (SELECT count(*) FROM scans) || ' ' || (SELECT count(*) FROM images)
	|| ' ' || (SELECT count(*) FROM files)")" "after the restart: no scan, image or file of it"
expect_rc 0 "the store works again after the restart" "$FWVET" scan --db "$U2" --vulndb none -o /dev/null b1.sqfs
assert_eq 1 "$(psql_q "SELECT count(*) FROM scans")" "after the restart: a new scan is stored"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

# The PostgreSQL driver of the store (src/store/db_pg.c) against a real
# PostgreSQL 15 server started here: the driver tests of test_db, which run
# the same checks on SQLite, and a server stopped in the middle of a
# transaction, which must give a clear error and not a hang.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
. "$FV_SRCDIR/tests/pg.sh"

trap fv_pg_stop EXIT
fv_pg_start
cluster=$FV_PG_DIR
postmaster=$(head -n 1 "$cluster/data/postmaster.pid")

TEST_DB="$FV_BUILDDIR/tests/test_db"
[ -x "$TEST_DB" ] || fail "expected the unit test executable $TEST_DB (build the tests first)"

# 1. Every driver test on both drivers; the PostgreSQL group must have run.
if ! timeout 120 "$TEST_DB" > "$FV_WORK/test_db.out" 2>&1; then
	cat "$FV_WORK/test_db.out" >&2
	fail "test_db failed against $FWVET_PG_URI"
fi
grep -q '^# postgresql: the driver tests on FWVET_PG_URI' "$FV_WORK/test_db.out" || {
	cat "$FV_WORK/test_db.out" >&2
	fail "expected test_db to run its 11 PostgreSQL tests"
}
sed -n '/^# postgresql: the driver tests/,$p' "$FV_WORK/test_db.out" > "$FV_WORK/pg.out"
pg_run=$(grep -c '^\[ RUN      \]' "$FV_WORK/pg.out" || true)
pg_ok=$(grep -c '^\[       OK \]' "$FV_WORK/pg.out" || true)
[ "$pg_run" -ge 12 ] || fail "expected at least 12 PostgreSQL driver tests, found $pg_run"
assert_eq "$pg_run" "$pg_ok" "all $pg_run PostgreSQL driver tests passed (and the SQLite ones)"

# 2. A database made afresh starts empty (a second database of the same server).
uri2=$(fv_pg_new_db)
n=$("$FV_PG_BIN/psql" -X -Atq "$uri2" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
assert_eq 0 "$n" "a new database has no tables"

# 3. The server stopped in the middle of a transaction: the next statement
# fails at once with the lost connection named, no hang, no crash.
LOST="$FV_WORK/lost"
mkdir -p "$LOST"
FWVET_PG_URI=$uri2 FV_TEST_DB_LOST=$LOST timeout 20 "$TEST_DB" > "$FV_WORK/lost.out" 2>&1 &
client=$!
for _ in $(seq 1 100); do
	[ -f "$LOST/ready" ] && break
	kill -0 "$client" 2>/dev/null || break
	sleep 0.1
done
[ -f "$LOST/ready" ] || { cat "$FV_WORK/lost.out" >&2; fail "the client never reached its transaction"; }
fv_pg_kill
touch "$LOST/stopped"
rc=0
wait "$client" || rc=$?
cat "$FV_WORK/lost.out"
[ "$rc" != 124 ] || fail "the client hung after the server stopped"
assert_eq 0 "$rc" "a lost server gives errors, not a hang or a crash"
grep -q '# step: the connection to the store was lost' "$FV_WORK/lost.out" ||
	fail "expected the step's error to name the lost connection"
ok "the error names the lost connection"

# 4. Stopping leaves no server (a zombie waiting for its reaper has stopped) and no folder.
fv_pg_stop
state=$(ps -o stat= -p "$postmaster" || true)
case $state in "" | Z*) ok "no server process is left" ;; *) fail "the server $postmaster still runs ($state)" ;; esac
[ ! -d "$cluster" ] || fail "the cluster folder $cluster is still there"
ok "the cluster folder is removed"
finish

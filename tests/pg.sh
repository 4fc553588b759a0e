# A real PostgreSQL 15 server for the integration tests, in a temporary
# folder of its own.  Source it after tests/lib.sh:
#   . "$FV_SRCDIR/tests/pg.sh"
#   trap fv_pg_stop EXIT
#   fv_pg_start                 # exports FWVET_PG_URI, a fresh database
#   uri=$(fv_pg_new_db)         # another empty database
# The server refuses to run as root: as root, the cluster belongs to the
# postgres user and the server tools run as that user.  It listens on its
# socket folder only (no TCP), so tests running at once do not meet.

FV_PG_BIN=${FV_PG_BIN:-/usr/lib/postgresql/15/bin}
FV_PG_DIR=
FV_PG_PORT=
FV_PG_SOCK=

# Runs a server tool as the cluster's owner, from a folder that user can read.
fv_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd "$FV_PG_DIR" && runuser -u postgres -- "$@")
	else
		(cd "$FV_PG_DIR" && "$@")
	fi
}

# A port nobody listens on (the socket file is named after it).
fv_pg_free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	fail "no free local port for PostgreSQL"
}

fv_pg_start() {
	local t
	for t in initdb pg_ctl pg_isready psql; do
		[ -x "$FV_PG_BIN/$t" ] ||
			fail "PostgreSQL 15 is not installed ($FV_PG_BIN/$t is missing): run scripts/deps.sh (packages postgresql, libpq-dev)"
	done
	if [ "$(id -u)" -eq 0 ] && ! id postgres > /dev/null 2>&1; then
		fail "running as root needs the postgres user to run the server: run scripts/deps.sh (package postgresql)"
	fi
	# In /tmp whatever TMPDIR says: the postgres user must reach it, and a
	# socket path has to fit in 107 bytes.
	FV_PG_DIR=$(mktemp -d /tmp/fv-pg-XXXXXX)
	FV_PG_SOCK=$FV_PG_DIR
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$FV_PG_DIR"
	fi
	fv_pg_watch
	fv_pg_as_owner "$FV_PG_BIN/initdb" -D "$FV_PG_DIR/data" --auth=trust -U postgres --no-sync \
		-E UTF8 --locale=C > "$FV_PG_DIR/initdb.log" 2>&1 ||
		{ cat "$FV_PG_DIR/initdb.log" >&2; fail "initdb of a PostgreSQL cluster in $FV_PG_DIR failed"; }
	FV_PG_PORT=$(fv_pg_free_port)
	# fsync off: a test cluster is thrown away, and a crash of it is what a test may cause.
	if ! fv_pg_as_owner "$FV_PG_BIN/pg_ctl" -D "$FV_PG_DIR/data" -l "$FV_PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -p $FV_PG_PORT -k $FV_PG_SOCK -c fsync=off -c full_page_writes=off" \
		start > /dev/null; then
		cat "$FV_PG_DIR/server.log" >&2 || true
		fail "PostgreSQL did not start in $FV_PG_DIR"
	fi
	local i
	for i in $(seq 1 100); do
		"$FV_PG_BIN/pg_isready" -q -h "$FV_PG_SOCK" -p "$FV_PG_PORT" -U postgres && break
		[ "$i" -lt 100 ] || fail "PostgreSQL in $FV_PG_DIR is not ready"
		sleep 0.1
	done
	FWVET_PG_URI=$(fv_pg_new_db)
	export FWVET_PG_URI
	echo "# PostgreSQL 15 on socket $FV_PG_SOCK port $FV_PG_PORT"
}

# The EXIT trap stops the server, but nothing runs in a test killed with
# SIGKILL (a runner's timeout): a watcher outside the test's process group
# stops the server and removes the folder once the test's shell is gone.
# It ends by itself within a second of fv_pg_stop removing the folder.
fv_pg_watch() {
	local asroot=0
	[ "$(id -u)" -ne 0 ] || asroot=1
	# shellcheck disable=SC2016
	setsid bash -c '
		owner=$1 dir=$2 bin=$3 asroot=$4
		while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
		[ -d "$dir" ] || exit 0
		cd "$dir" || exit 0
		if [ -f "$dir/data/postmaster.pid" ] && [ "$asroot" = 1 ]; then
			runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop
		elif [ -f "$dir/data/postmaster.pid" ]; then
			"$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop
		fi
		cd / && rm -rf "$dir"' fv-pg-watch "$$" "$FV_PG_DIR" "$FV_PG_BIN" "$asroot" \
		< /dev/null > /dev/null 2>&1 &
}

# Prints the URI of a new, empty database (names from a counter kept in the folder).
fv_pg_new_db() {
	local n=0 name
	[ -f "$FV_PG_DIR/ndb" ] && n=$(cat "$FV_PG_DIR/ndb")
	n=$((n + 1))
	echo "$n" > "$FV_PG_DIR/ndb"
	name=fwvet$n
	"$FV_PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$FV_PG_SOCK" -p "$FV_PG_PORT" -U postgres -d postgres \
		-c "CREATE DATABASE $name" > /dev/null || fail "cannot create database $name"
	echo "postgresql://postgres@/$name?host=$FV_PG_SOCK&port=$FV_PG_PORT"
}

# Stops the server at once, as a crash would, and keeps the folder: a test
# of what the clients see.  fv_pg_stop still cleans up afterwards.
fv_pg_kill() {
	[ -n "$FV_PG_DIR" ] && [ -d "$FV_PG_DIR/data" ] || return 0
	fv_pg_as_owner "$FV_PG_BIN/pg_ctl" -D "$FV_PG_DIR/data" -m immediate -w -t 60 stop > /dev/null 2>&1 || true
}

# Stops the server and removes the folder; safe to call twice, and from a trap.
fv_pg_stop() {
	[ -n "$FV_PG_DIR" ] && [ -d "$FV_PG_DIR" ] || return 0
	local pid=
	[ -f "$FV_PG_DIR/data/postmaster.pid" ] && pid=$(head -n 1 "$FV_PG_DIR/data/postmaster.pid" 2>/dev/null || true)
	fv_pg_kill
	# pg_ctl waits for the postmaster; should it have failed, the server is killed here.
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$FV_PG_DIR"
	FV_PG_DIR=
	return 0
}

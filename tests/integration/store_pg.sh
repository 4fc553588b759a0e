#!/bin/bash
# The store on PostgreSQL, a real server started for the test (tests/pg.sh):
# the same scans read back the same as from SQLite (db list, db show,
# report), the analysis results of known contents are reused, concurrent
# scans each land whole, monitor finds a newly published CVE, and a store
# URI's password never reaches a message.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
. "$FV_SRCDIR/tests/pg.sh"
trap fv_pg_stop EXIT
cd "$FV_WORK"
fv_pg_start
PG=$FWVET_PG_URI
SQ=$FV_WORK/s.db

# Rules from before Heartbleed, so that monitor has a CVE to find later.
RULES=$FV_WORK/rules
cp -r "$FV_SRCDIR/rules" "$RULES"
grep -v '^CVE-2014-0160 ' "$FV_SRCDIR/rules/vulns/openssl.txt" > "$RULES/vulns/openssl.txt"
export FWVET_RULES=$RULES

noise() { head -c "$1" /dev/zero | tr '\0' '\001'; }
for v in A B; do
	make_rootfs "root$v"
	{ noise 64; printf '\0OpenSSL 1.0.1f 6 Jan 2014\0'; noise 64; } > "root$v/usr/lib/libcrypto.so.1.0.0"
done
printf 'ftp:x:0:0::/:/bin/sh\n' >> rootB/etc/passwd
for v in A B; do
	mksquashfs "root$v" "$v.sqfs" -comp gzip -all-root -noappend -quiet -no-progress > /dev/null
done

run() { # RC MESSAGE COMMAND...: stdout in out.txt, stderr in err.txt
	local want=$1 msg=$2 rc=0
	shift 2
	"$@" > out.txt 2> err.txt || rc=$?
	[ "$rc" = "$want" ] || { cat err.txt >&2; fail "$msg: expected exit $want, got $rc"; }
	ok "$msg (exit $rc)"
}

# The same two scans into each store.
for db in "$SQ" "$PG"; do
	tag=$([ "$db" = "$PG" ] && echo pg || echo sq)
	for v in A B; do
		run 0 "$tag: scan $v" "$FWVET" -v scan --db "$db" --vulndb none --format json -o "$tag$v.json" "$v.sqfs"
		cp err.txt "$tag$v.err"
	done
	run 0 "$tag: db list" "$FWVET" db list --db "$db" --format json
	jq -S 'map(del(.id))' out.txt > "$tag.list"
	for id in 1 2; do
		run 0 "$tag: db show $id" "$FWVET" db show --db "$db" "$id"
		jq -S 'del(.scan, .summary.elapsed_ms)' out.txt > "$tag.show$id"
	done
done
grep -q "stored as scan 2 in postgresql://postgres@/" pgB.err && ok "pg: the store is named by its URI" \
	|| fail "pg: $(cat pgB.err)"
diff sq.list pg.list >&2 && ok "db list: PostgreSQL and SQLite agree" || fail "db list differs between the stores"
for id in 1 2; do
	diff "sq.show$id" "pg.show$id" >&2 && ok "db show $id: PostgreSQL and SQLite agree" \
		|| fail "db show $id differs between the stores"
done
R=pg.show2
check "pg: scan 2 is B, with its second root account" \
	'.image.path == "B.sqfs" and ([.accounts[] | select(.name == "ftp" and .uid == 0)] | length) == 1'
check "pg: files, findings and vulnerabilities stored" \
	'(.files | length) > 10 and (.findings | length) > 5 and (.vulnerabilities | length) > 5'

if "$FWVET" report --help > /dev/null 2>&1; then
	run 0 "pg: report 1 as JSON" "$FWVET" report --db "$PG" --format json 1
	if diff <(jq -S 'del(.scan, .summary.elapsed_ms)' pgA.json) <(jq -S 'del(.scan, .summary.elapsed_ms)' out.txt) >&2; then
		ok "pg: report 1 is the scan's report"
	else
		fail "pg: report 1 differs from the scan's report"
	fi
fi

# Reuse: a scan of a known image analyses nothing.
run 0 "pg: scan A again" "$FWVET" -v scan --db "$PG" --vulndb none -o /dev/null A.sqfs
grep -q "([1-9][0-9]* analyses reused, 0 made)" err.txt && ok "pg: every analysis of A reused" \
	|| fail "pg: scan A again: $(cat err.txt)"

# Four scans at once, each whole.
pids=()
for v in A B A B; do
	"$FWVET" scan --db "$PG" --vulndb none -o /dev/null "$v.sqfs" 2>> concurrent.err &
	pids+=($!)
done
crc=0
for p in "${pids[@]}"; do
	wait "$p" || crc=$?
done
[ "$crc" = 0 ] || cat concurrent.err >&2
assert_eq 0 "$crc" "pg: 4 concurrent scans all exit 0"
run 0 "pg: db list after the concurrent scans" "$FWVET" db list --db "$PG" --format json
R=out.txt
check "pg: 7 scans, each with its image's files and findings" \
	'length == 7 and all(.[]; (if .image.path == "A.sqfs" then $a[0] else $b[0] end) as $s
	 | .files == ($s.files | length) and (.findings | add) == ($s.findings | length))' \
	--slurpfile a pgA.json --slurpfile b pgB.json

# Heartbleed is published: monitor finds it in both images, from the store alone.
cp "$FV_SRCDIR/rules/vulns/openssl.txt" "$RULES/vulns/openssl.txt"
rm A.sqfs B.sqfs
run 1 "pg: monitor after a new CVE" "$FWVET" monitor --db "$PG" --vulndb none --format json
R=out.txt
check "pg: monitor: both images re-evaluated, Heartbleed new in each" \
	'(.images | length) == 2 and all(.images[]; .status == "re-evaluated"
	 and ([.new_vulnerabilities[].id] == ["CVE-2014-0160"]) and .new_scan != null)'
run 0 "pg: monitor again: nothing new" "$FWVET" monitor --db "$PG" --vulndb none --format json
R=out.txt
check "pg: monitor again: current" 'all(.images[]; .status == "current")'

# File names are bytes, PostgreSQL text is UTF-8: a name that is not UTF-8, and one that
# holds a private-use character the driver's escape uses, are stored and read back exactly.
make_rootfs rootC
printf 'x' > "rootC/etc/raw-$(printf '\xff\xfe')-name"
printf 'y' > "rootC/etc/pua-$(printf '\xef\x9c\x80')-name"
mksquashfs rootC C.sqfs -comp gzip -all-root -noappend -quiet -no-progress > /dev/null
PC=$(fv_pg_new_db)
for db in "$SQ" "$PC"; do
	run 0 "a scan of odd file names into $([ "$db" = "$PC" ] && echo PostgreSQL || echo SQLite)" \
		"$FWVET" scan --db "$db" --vulndb none --format json -o C.json C.sqfs
done
idC=$("$FWVET" db list --db "$SQ" --format json | jq '[.[] | select(.image.path == "C.sqfs")][0].id')
"$FWVET" db show --db "$SQ" "$idC" | jq -S 'del(.scan, .summary.elapsed_ms)' > sqC.json
"$FWVET" db show --db "$PC" 1 | jq -S 'del(.scan, .summary.elapsed_ms)' > pgC.json
cmp -s sqC.json pgC.json && ok "odd file names: PostgreSQL reads back what SQLite does" \
	|| { diff sqC.json pgC.json >&2; fail "odd file names differ between the stores"; }
jq -e '[.files[].path | select(test("raw-") or test("pua-"))] | length == 2' pgC.json > /dev/null \
	&& ok "odd file names: both files stored" || fail "odd file names: a file is missing"
run 0 "report of the odd names from PostgreSQL" "$FWVET" report --db "$PC" --format json 1
if cmp -s <(jq -S 'del(.scan, .summary.elapsed_ms)' C.json) <(jq -S 'del(.scan, .summary.elapsed_ms)' out.txt); then
	ok "odd file names: the report from PostgreSQL is the scan's"
else
	fail "odd file names: the report from PostgreSQL differs from the scan's"
fi

# A server that is not there, and a password that must not be repeated.
run 2 "a store URI that refuses" "$FWVET" db list --db "postgresql://fv:s3cret-pw@127.0.0.1:1/none"
grep -q "127.0.0.1" err.txt && ! grep -q "s3cret-pw" err.txt && ok "refused: names the server, not the password" \
	|| fail "refused: $(cat err.txt)"

finish

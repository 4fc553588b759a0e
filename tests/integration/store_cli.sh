#!/bin/bash
# The store from the command line: `fwvet scan` records every scan (--db,
# --no-store), `fwvet sbom` records none, `fwvet db list` and `fwvet db show`
# read back what the scan reported, concurrent scans into one SQLite file
# leave it whole, and a store that cannot be used exits 2 with a message.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v sqlite3 > /dev/null || fail "needs the sqlite3 program (scripts/deps.sh installs it)"
cd "$FV_WORK"

# Two different images: the small root of lib.sh, and the same with one more
# uid 0 account and one more script.
make_rootfs rootA
make_rootfs rootB
printf 'ftp:x:0:0::/:/bin/sh\n' >> rootB/etc/passwd
printf '#!/bin/sh\necho extra\n' > rootB/bin/extra.sh
for v in A B; do
	mksquashfs "root$v" "$v.sqfs" -comp gzip -all-root -noappend -quiet -no-progress > /dev/null
done
sha_A=$(sha256sum < A.sqfs | cut -d' ' -f1)
sha_B=$(sha256sum < B.sqfs | cut -d' ' -f1)
[ "$sha_A" != "$sha_B" ] || fail "the two images are the same"

# stored DB: the number of scans in store DB
stored() { "$FWVET" db list --db "$1" --format json | jq length; }

DB=$FV_WORK/s.db
expect_rc 0 "scan A into a fresh store" "$FWVET" scan --db "$DB" --format json -o A.json A.sqfs
expect_rc 0 "scan B into the same store" "$FWVET" scan --db "$DB" --format json -o B.json B.sqfs
"$FWVET" db list --db "$DB" --format json > list.json
R=list.json
check "db list: 2 scans" 'length == 2'
check "db list: newest first" '.[0].id > .[1].id'
check "db list: A by its sha256" '[.[] | select(.image.sha256 == $s and .image.path == "A.sqfs")] | length == 1' \
	--arg s "$sha_A"
check "db list: B by its sha256" '[.[] | select(.image.sha256 == $s and .image.path == "B.sqfs")] | length == 1' \
	--arg s "$sha_B"
check "db list: started is SOURCE_DATE_EPOCH" 'all(.[]; .started == "2023-11-14T22:13:20Z")'
check "db list: the tool version" 'all(.[]; .tool_version == $v)' --arg v "$("$FWVET" --version | cut -d' ' -f2)"
for v in A B; do
	check "db list: $v's files, components, vulnerabilities and findings are its report's" \
		'(.[] | select(.image.path == $p)) as $r | $rep[0] as $s
		 | $r.files == ($s.files | length) and $r.components == ($s.components | length)
		 and $r.vulnerabilities == ($s.vulnerabilities | length)
		 and ($r.findings | add) == ($s.findings | length)
		 and $r.findings.high == ([$s.findings[] | select(.severity == "high")] | length)' \
		--arg p "$v.sqfs" --slurpfile rep "$v.json"
done
check "db list: A has findings (the test can fail)" '.[] | select(.image.path == "A.sqfs") | .findings | add > 0'

"$FWVET" db list --db "$DB" > list.txt
for v in A B; do
	sha=sha_$v
	if grep -q "^ *[0-9]\+  2023-11-14T22:13:20Z  ${!sha:0:12} .* $v\.sqfs\$" list.txt; then
		ok "db list (text): a line for $v"
	else
		echo "FAIL: db list (text) lacks a line for $v:" >&2
		cat list.txt >&2
		fv_failures=$((fv_failures + 1))
	fi
done

for v in A B; do
	id=$(jq -r --arg p "$v.sqfs" '.[] | select(.image.path == $p) | .id' list.json)
	expect_rc 0 "db show $id ($v)" "$FWVET" db show "$id" --db "$DB"
	mv out.txt "show$v.json"
	R=show$v.json
	check "db show $v: findings as many as the scan reported" '.findings | length == ($rep[0].findings | length)' \
		--slurpfile rep "$v.json"
	check "db show $v: the same rules and severities" \
		'[.findings[] | [.rule, .severity]] | sort == ($rep[0].findings | map([.rule, .severity]) | sort)' \
		--slurpfile rep "$v.json"
	check "db show $v: files as many as the scan reported" '.files | length == ($rep[0].files | length)' \
		--slurpfile rep "$v.json"
	check "db show $v: its image" '.image.sha256 == $s' --arg s "$(eval echo "\$sha_$v")"
done

# --no-store, and sbom, leave the store as it was, even as the default store.
expect_rc 0 "scan --no-store" env FWVET_DB="$DB" "$FWVET" scan --no-store A.sqfs
assert_eq 2 "$(stored "$DB")" "scan --no-store records nothing"
expect_rc 0 "sbom" env FWVET_DB="$DB" "$FWVET" sbom -o A.cdx.json A.sqfs
assert_eq 2 "$(stored "$DB")" "sbom records nothing"
expect_rc 2 "sbom --db is refused" "$FWVET" sbom --db "$DB" A.sqfs
grep -q -- "--db is an option of fwvet scan" err.txt && ok "sbom --db: says why" || fail "sbom --db: $(cat err.txt)"
# $FWVET_DB is the default store.
expect_rc 0 "scan into \$FWVET_DB" env FWVET_DB="$FV_WORK/env.db" "$FWVET" scan B.sqfs
assert_eq 1 "$(stored "$FV_WORK/env.db")" "\$FWVET_DB names the default store"

# Four scans at once into one SQLite file: four complete scans, an intact file.
C=$FV_WORK/concurrent.db
pids=()
for v in A B A B; do
	"$FWVET" scan --db "$C" --format json -o /dev/null "$v.sqfs" 2>> concurrent.err &
	pids+=($!)
done
crc=0
for p in "${pids[@]}"; do
	wait "$p" || crc=$?
done
[ "$crc" = 0 ] || cat concurrent.err >&2
assert_eq 0 "$crc" "4 concurrent scans all exit 0"
assert_eq 4 "$(stored "$C")" "4 concurrent scans: 4 stored"
assert_eq ok "$(sqlite3 "$C" 'PRAGMA integrity_check')" "4 concurrent scans: integrity_check ok"
"$FWVET" db list --db "$C" --format json > clist.json
R=clist.json
check "4 concurrent scans: each complete (its findings and files are its report's)" \
	'all(.[]; (if .image.path == "A.sqfs" then $a[0] else $b[0] end) as $s
	 | .files == ($s.files | length) and (.findings | add) == ($s.findings | length))' \
	--slurpfile a A.json --slurpfile b B.json
for id in $(jq -r '.[].id' clist.json); do
	"$FWVET" db show --db "$C" "$id" > cshow.json || fail "db show $id of the concurrent store"
	R=cshow.json
	check "4 concurrent scans: scan $id shows all its findings" \
		'(.findings | length) == (if .image.sha256 == $sa then $a[0] else $b[0] end | .findings | length)' \
		--arg sa "$sha_A" --slurpfile a A.json --slurpfile b B.json
done

# A store that cannot be opened: exit 2 before any work, with a message naming it.
expect_rc 2 "scan --db /proc/fwvet.db" "$FWVET" scan --db /proc/fwvet.db A.sqfs
grep -q "/proc/fwvet.db" err.txt && ok "unwritable store: the message names it" \
	|| fail "unwritable store: message lacks the path: $(cat err.txt)"
printf 'not a database\n' > bad.db
expect_rc 2 "db list of a file that is no store" "$FWVET" db list --db bad.db
grep -q "bad.db" err.txt && ok "no store: the message names it" || fail "no store: $(cat err.txt)"
expect_rc 2 "scan into a file that is no store" "$FWVET" scan --db bad.db A.sqfs
[ ! -s out.txt ] && ok "scan into a file that is no store: no report, nothing done" \
	|| fail "scan into a file that is no store wrote a report"
[ ! -e "$FV_WORK/none.db" ] || fail "none.db exists before the test"
expect_rc 0 "db list of a store never written" "$FWVET" db list --db "$FV_WORK/none.db" --format json
assert_eq "[]" "$(jq -c . out.txt)" "db list of a store never written: []"
[ ! -e "$FV_WORK/none.db" ] && ok "db list creates no store" || fail "db list created $FV_WORK/none.db"

# A store that fails while a scan is written (a trigger refuses its findings,
# after its image, files and the rest went in): the report is still written,
# then exit 2 with a message, and nothing of that scan stays in the store.
F=$FV_WORK/fail.db
expect_rc 0 "scan A into the store that will fail" "$FWVET" scan --db "$F" A.sqfs
files_before=$(sqlite3 "$F" 'SELECT count(*) FROM files')
sqlite3 "$F" "CREATE TRIGGER refuse BEFORE INSERT ON findings BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
expect_rc 2 "a scan whose recording fails" "$FWVET" scan --db "$F" --format json -o failed.json B.sqfs
jq -e '.image.path == "B.sqfs" and (.findings | length) > 0' failed.json > /dev/null \
	&& ok "a scan whose recording fails: its report is written" || fail "no report for the failed recording"
grep -q "B.sqfs: not stored: .*refused by the test" err.txt && ok "a scan whose recording fails: says why" \
	|| fail "a scan whose recording fails: $(cat err.txt)"
assert_eq 1 "$(stored "$F")" "a scan whose recording fails: no scan stored"
assert_eq "$files_before" "$(sqlite3 "$F" 'SELECT count(*) FROM files')" "a scan whose recording fails: no file of it stored"
assert_eq 1 "$(sqlite3 "$F" 'SELECT count(*) FROM images')" "a scan whose recording fails: no image of it stored"

# A store written by an older fwvet (schema version 1, tests/data/store/v1.sql) is
# migrated when opened: its scan reads back whole, and new scans go in beside it.
O=$FV_WORK/old.db
sqlite3 "$O" < "$FV_SRCDIR/tests/data/store/v1.sql"
assert_eq 1 "$(sqlite3 "$O" 'PRAGMA user_version')" "the old store is at schema version 1"
expect_rc 0 "db list of the old store" "$FWVET" db list --db "$O" --format json
R=out.txt
check "old store: its scan, whole" 'length == 1 and .[0].id == 1 and .[0].files == 20
	and .[0].vulnerabilities == 18 and (.[0].findings | add) == 22 and .[0].started == "2023-11-14T22:13:20Z"'
assert_eq 3 "$(sqlite3 "$O" 'PRAGMA user_version')" "old store: migrated to schema version 3"
expect_rc 0 "db show of the old scan" "$FWVET" db show 1 --db "$O"
R=out.txt
check "old store: db show reads the old scan" '(.files | length) == 20 and (.findings | length) == 22
	and ([.vulnerabilities[] | select(.id == "CVE-2014-0160")] | length) == 1'
expect_rc 0 "scan into the migrated store" "$FWVET" scan --db "$O" A.sqfs
assert_eq 2 "$(stored "$O")" "migrated store: the old scan and the new one"
assert_eq ok "$(sqlite3 "$O" 'PRAGMA integrity_check')" "migrated store: integrity_check ok"

# Usage errors of db.
expect_rc 2 "db show of a missing id" "$FWVET" db show 999999 --db "$DB"
[ -s err.txt ] && [ ! -s out.txt ] && ok "db show of a missing id: a message, no output" \
	|| fail "db show of a missing id: stdout [$(cat out.txt)] stderr [$(cat err.txt)]"
expect_rc 2 "db show of a non-number" "$FWVET" db show 12x --db "$DB"
grep -q "expected a scan id" err.txt && ok "db show 12x: says what was expected" || fail "db show 12x: $(cat err.txt)"
expect_rc 2 "db show without an id" "$FWVET" db show --db "$DB"
expect_rc 2 "db list with an argument" "$FWVET" db list --db "$DB" extra
expect_rc 2 "db list --format xml" "$FWVET" db list --db "$DB" --format xml
expect_rc 2 "db frobnicate" "$FWVET" db frobnicate
expect_rc 2 "scan --db with --no-store" "$FWVET" scan --db "$DB" --no-store A.sqfs

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

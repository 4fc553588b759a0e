#!/bin/bash
# Stored scans rendered and compared again, from the store alone:
# `fwvet report ID` prints what `fwvet scan` printed for that scan, in every
# format, byte for byte; `fwvet diff ID1 ID2` gives the security delta that
# `fwvet diff OLD NEW` gives on the images (less the ELF deltas, which need
# the files' bytes a store does not keep, and says so once); a missing id or
# a store whose values were tampered with exits 2 with a message, never a
# crash.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v sqlite3 > /dev/null || fail "needs the sqlite3 program (scripts/deps.sh installs it)"
cd "$FV_WORK"

# The demo's router image and its next release (a root account, a daemon started at boot).
"$FV_SRCDIR/scripts/mkfirmware.sh" v1.bin
"$FV_SRCDIR/scripts/mkfirmware.sh" v2.bin update

DB=$FV_WORK/r.db
# same EXPECTED ACTUAL MESSAGE: two files byte for byte
same() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		echo "FAIL: $3: $1 and $2 differ:" >&2
		diff -u "$1" "$2" | head -40 >&2
		fv_failures=$((fv_failures + 1))
	fi
}
# last_id: the newest scan of the store (db list lists newest first; the times are all SOURCE_DATE_EPOCH)
last_id() { "$FWVET" db list --db "$DB" --format json | jq '[.[].id] | max'; }

# Each format from a scan of its own: the time a scan took is in its report, and is what was stored.
declare -A ids
for f in json text cyclonedx spdx; do
	"$FWVET" scan --db "$DB" --vulndb none --format "$f" -o "scan.$f" v1.bin
	ids[$f]=$(last_id)
	expect_rc 0 "report ${ids[$f]} --format $f" "$FWVET" report "${ids[$f]}" --db "$DB" --format "$f" -o "report.$f"
	same "scan.$f" "report.$f" "report --format $f: the scan's $f, byte for byte"
done
id1=${ids[json]}
R=scan.json
check "the image has binaries, call counts, components, accounts, services and findings (the test can fail)" \
	'([.files[] | select(.hardening)] | length) > 0 and (.unsafe_calls | length) > 0 and (.components | length) > 0
	 and (.accounts | length) > 0 and (.services | length) > 0 and (.findings | length) > 0'
"$FWVET" report "$id1" --db "$DB" --format json > stdout.json
same scan.json stdout.json "report to stdout: the same bytes as -o"
"$FWVET" scan --db "$DB" --vulndb none -v v1.bin > scanv.txt
expect_rc 0 "report -v" "$FWVET" report "$(last_id)" --db "$DB" -v
same scanv.txt out.txt "report -v: the scan's text with info findings"
# Without SOURCE_DATE_EPOCH an SBOM names the scan's time, which was stored.
env -u SOURCE_DATE_EPOCH "$FWVET" report "${ids[spdx]}" --db "$DB" --format spdx -o nosde.spdx
same scan.spdx nosde.spdx "report --format spdx without SOURCE_DATE_EPOCH: the stored scan's time"
# --fail-on judges the stored findings as scan judged the image's.
for sev in info high critical; do
	want=0
	"$FWVET" scan --no-store --vulndb none --fail-on "$sev" --format json -o /dev/null v1.bin || want=$?
	expect_rc "$want" "report --fail-on $sev: as scan" "$FWVET" report "$id1" --db "$DB" --fail-on "$sev" -o /dev/null
done

# diff of two stored scans against diff of the two images.
"$FWVET" scan --db "$DB" --vulndb none --format json -o scan2.json v2.bin
id2=$(last_id)
"$FWVET" diff --vulndb none --format json v1.bin v2.bin > img.json
expect_rc 0 "diff $id1 $id2 (stored)" "$FWVET" diff --db "$DB" --format json "$id1" "$id2"
mv out.txt stored.json
# What needs the files' bytes: ELF deltas, and the socket-server imports of added programs.
strip='del(.stored) | del(.files.changed[].elf, .files.changed[].elf_error, .files.changed[].listens)
	| del(.files.added[].listens) | .listening |= map(select(.reason | startswith("started at boot")))'
jq -S "$strip" img.json > img.cmp
jq -S "$strip" stored.json > stored.cmp
same img.cmp stored.cmp "diff of stored scans: the images' diff less the ELF parts"
R=stored.json
check "diff of stored scans: the delta is not empty (the test can fail)" \
	'(.accounts.added | length) == 1 and (.services.added | length) >= 1 and (.findings.new | length) > 0
	 and (.files.added | length) > 0 and (.files.changed | length) > 0'
check "diff of stored scans: which sides are stored, said once" \
	'.stored.old == $a and .stored.new == $b and (.stored.note | test("keep no file bytes"))' \
	--argjson a "$id1" --argjson b "$id2"
check "diff of stored scans: no per-file ELF error" '[.files.changed[] | select(.elf_error or .elf)] == []'
# A stored scan against an image: the same delta too.
expect_rc 0 "diff $id1 v2.bin (stored against an image)" \
	"$FWVET" diff --db "$DB" --vulndb none --format json "$id1" v2.bin
jq -S "$strip" out.txt > mixed.cmp
same img.cmp mixed.cmp "diff of a stored scan and an image: the images' diff less the ELF parts"
R=out.txt
check "stored against an image: only OLD is stored, said once" \
	'.stored.old == $a and .stored.new == null and (.stored.note | test("^OLD is stored scan [0-9]+, which keeps no file bytes"))' \
	--argjson a "$id1"
"$FWVET" diff --db "$DB" "$id1" "$id2" > stored.txt
"$FWVET" diff --vulndb none v1.bin v2.bin > img.txt
assert_eq 1 "$(grep -c '^Note: OLD and NEW are stored scans' stored.txt)" "diff (text) of stored scans: says so once"
# The images' text less what needs the bytes (here: diagd's socket-server imports), the stored one less its note.
sed '/^May newly listen/,/^$/d' img.txt > img.cmp.txt
sed '/^$/{N;/\nNote: /d}' stored.txt > stored.cmp.txt
same img.cmp.txt stored.cmp.txt "diff (text) of stored scans: the images' text otherwise"

# A changed program: compared by content only, counted in the note, never an error per file.
CC=cc
make_rootfs fa
cp -a fa fb
printf 'int main(void) { return 0; }\n' > p1.c
printf '#include <stdio.h>\nint main(void) { puts("two"); return 0; }\n' > p2.c
"$CC" -O2 -o fa/bin/prog p1.c
"$CC" -O2 -o fb/bin/prog p2.c
"$FWVET" scan --db "$DB" --vulndb none --format json -o fa.json fa
ida=$(last_id)
"$FWVET" scan --db "$DB" --vulndb none --format json -o fb.json fb
idb=$(last_id)
expect_rc 0 "diff of two stored folder scans" "$FWVET" diff --db "$DB" --format json "$ida" "$idb"
R=out.txt
check "a changed ELF program: changed content, no ELF delta, counted once" \
	'[.files.changed[] | select(.key == "/bin/prog") | .changes] == [["content"]]
	 and .files.changed[0].elf == null and .stored.changed_elf_without_delta == 1'
expect_rc 0 "report of a folder scan" "$FWVET" report "$ida" --db "$DB" --format json -o fa.report.json
same fa.json fa.report.json "report of a folder scan: the scan's JSON"
expect_rc 2 "diff of a stored folder against a stored image" "$FWVET" diff --db "$DB" "$ida" "$id2"
grep -q "give two images or two folders" err.txt && ok "folder against image: says why" \
	|| fail "folder against image: $(cat err.txt)"

# Missing ids and bad arguments: exit 2 with a message, nothing on stdout.
expect_rc 2 "report of a missing id" "$FWVET" report 999999 --db "$DB"
grep -q "no scan 999999 in $DB" err.txt && [ ! -s out.txt ] && ok "report of a missing id: says so" \
	|| fail "report of a missing id: stdout [$(cat out.txt)] stderr [$(cat err.txt)]"
expect_rc 2 "diff with a missing id" "$FWVET" diff --db "$DB" "$id1" 999999
grep -q "NEW 999999: no scan 999999 in" err.txt && ok "diff with a missing id: names it" \
	|| fail "diff with a missing id: $(cat err.txt)"
expect_rc 2 "report 12x" "$FWVET" report 12x --db "$DB"
expect_rc 2 "report without an id" "$FWVET" report --db "$DB"
expect_rc 2 "report --format xml" "$FWVET" report "$id1" --db "$DB" --format xml
expect_rc 2 "report from a store that is not there" "$FWVET" report 1 --db "$FV_WORK/none.db"
[ ! -e "$FV_WORK/none.db" ] && ok "report makes no store" || fail "report made $FV_WORK/none.db"
expect_rc 2 "diff of a missing file that is no number" "$FWVET" diff --db "$DB" "$id1" missing.bin
grep -q "NEW missing.bin" err.txt && ok "diff of a missing file: names it" \
	|| fail "diff of a missing file: $(cat err.txt)"

# Tampered values: each is found, named (table, rowid, column) and refused, never a crash.
# tamper NAME SQL PATTERN: on a copy of the store, SQL (with $ID for the scan) makes report and diff exit 2
tamper() {
	local name=$1 sql=${2//\$ID/$id1} pattern=$3
	cp "$DB" "bad-$name.db"
	sqlite3 "bad-$name.db" "$sql"
	expect_rc 2 "tampered $name: report" "$FWVET" report "$id1" --db "bad-$name.db" --format json
	if grep -q -- "$pattern" err.txt && [ ! -s out.txt ]; then
		ok "tampered $name: the message names it"
	else
		echo "FAIL: tampered $name: expected /$pattern/, stderr [$(cat err.txt)]," \
			"stdout $(wc -c < out.txt) bytes" >&2
		fv_failures=$((fv_failures + 1))
	fi
	expect_rc 2 "tampered $name: diff" "$FWVET" diff --db "bad-$name.db" "$id1" "$id2"
}
# first TABLE [CONDITION]: the rowid of the scan's first row in TABLE, for SQL
first() { echo "(SELECT min(rowid) FROM $1 WHERE scan_id = \$ID ${2:-})"; }
tamper binary-json "UPDATE binaries SET record = '{\"nx\": tru' WHERE rowid = $(first binaries)" \
	"binaries rowid [0-9]*, column record: expected a JSON object (a binary record), found '{\"nx\": tru'"
tamper binary-field "UPDATE binaries SET record = json_set(record, '\$.relro', 7) WHERE scan_id = \$ID" \
	'column record: expected "relro" to be a string, found an integer'
tamper binary-count "UPDATE binaries SET record = json_set(record, '\$.calls.strcpy', -1) WHERE scan_id = \$ID" \
	'expected "calls"."strcpy" to be a count of call sites'
tamper paths "UPDATE components SET paths = '[1, 2]' WHERE scan_id = \$ID" \
	'components rowid [0-9]*, column paths: expected a JSON array of strings'
tamper finding-null "UPDATE findings SET evidence = NULL WHERE rowid = $(first findings)" \
	'findings rowid [0-9]*, column evidence: expected text, found NULL'
tamper severity "UPDATE findings SET severity = 'apocalyptic' WHERE scan_id = \$ID" \
	"column severity: expected one of info, low, medium, high, critical, found 'apocalyptic'"
tamper mode "UPDATE files SET mode = 99999999999 WHERE scan_id = \$ID" \
	'files rowid [0-9]*, column mode: expected an integer from 0 to 4294967295, found 99999999999'
tamper sha "UPDATE files SET sha256 = 'zz' WHERE rowid = $(first files 'AND sha256 IS NOT NULL')" \
	"column sha256: expected a SHA-256 (64 lower-case hex digits), found 'zz'"
tamper content "PRAGMA foreign_keys = OFF; DELETE FROM contents" 'which contents lacks'
tamper status "UPDATE entries SET status = 'weird' WHERE scan_id = \$ID" \
	"column status: expected one of ok, partial, failed, found 'weird'"
tamper started "UPDATE scans SET started = 'yesterday' WHERE id = \$ID" "column started: expected a time"
tamper inputs "UPDATE scans SET inputs = '[' WHERE id = \$ID" 'column inputs: expected a JSON object'

# The same from PostgreSQL: report and diff read through the one SQL interface.
. "$FV_SRCDIR/tests/pg.sh"
trap fv_pg_stop EXIT
fv_pg_start
PG=$FWVET_PG_URI
"$FWVET" scan --db "$PG" --vulndb none --format json -o pg1.json v1.bin
"$FWVET" scan --db "$PG" --vulndb none --format json -o pg2.json v2.bin
pid1=$("$FWVET" db list --db "$PG" --format json | jq '[.[] | select(.image.path == "v1.bin") | .id] | max')
pid2=$("$FWVET" db list --db "$PG" --format json | jq '[.[] | select(.image.path == "v2.bin") | .id] | max')
expect_rc 0 "PostgreSQL: report $pid1 --format json" "$FWVET" report "$pid1" --db "$PG" --format json -o pg1.report.json
same pg1.json pg1.report.json "PostgreSQL: report --format json: the scan's JSON, byte for byte"
expect_rc 0 "PostgreSQL: diff $pid1 $pid2" "$FWVET" diff --db "$PG" --format json "$pid1" "$pid2"
jq -S "$strip" out.txt > pg.cmp
same img.cmp pg.cmp "PostgreSQL: diff of stored scans: the images' diff less the ELF parts"
"$FV_PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -d "$PG" \
	-c "UPDATE binaries SET record = '[]' WHERE scan_id = $pid1" > /dev/null || fail "psql could not tamper"
expect_rc 2 "PostgreSQL: a tampered binary record" "$FWVET" report "$pid1" --db "$PG" --format json
grep -q "binaries rowid [0-9]*, column record: expected a JSON object (a binary record), found '\[\]'" err.txt \
	&& ok "PostgreSQL: a tampered binary record: named" || fail "PostgreSQL: tampered: $(cat err.txt)"
expect_rc 2 "PostgreSQL: report of a missing id" "$FWVET" report 999999 --db "$PG"
grep -q "no scan 999999 in" err.txt && ok "PostgreSQL: a missing id: says so" || fail "PostgreSQL: $(cat err.txt)"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

#!/bin/bash
# fwvet vulndb: importing the NVD, OSV and KEV fixtures of tests/data/vulndb
# (plain, gzipped, zipped), re-importing (no change), malformed files (exit
# 2, the record named, nothing imported), the default path, and a scan of a
# file holding "OpenSSL 1.0.1f" before and after the import.  Every database
# is a temporary one: never the user's.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

D=$FV_SRCDIR/tests/data/vulndb
W=$FV_WORK
DB=$W/v.db
# Anything that forgets --db lands here, not in the user's data.
export FWVET_VULNDB=$W/env/sub/default.db

info() { "$FWVET" vulndb info --db "$1"; }
count() { info "$1" | sed -n "s/^$2: \([0-9]*\).*/\1/p"; }

# Usage.
"$FWVET" vulndb --help | grep -q 'fwvet vulndb import' || fail "vulndb --help"
ok "vulndb --help"
rc=0; "$FWVET" vulndb 2>/dev/null || rc=$?
assert_eq 2 "$rc" "vulndb without a command exits 2"
rc=0; "$FWVET" vulndb frobnicate 2>/dev/null || rc=$?
assert_eq 2 "$rc" "an unknown vulndb command exits 2"
rc=0; "$FWVET" vulndb import --db "$DB" 2>/dev/null || rc=$?
assert_eq 2 "$rc" "import without files exits 2"
info "$DB" | grep -q 'nothing imported' || fail "info on a missing database"
ok "info on a missing database"
[ ! -e "$DB" ] || fail "info created the database"

# Import each fixture.
out=$("$FWVET" vulndb import --db "$DB" "$D/nvd_sample.json")
assert_eq "$D/nvd_sample.json: nvd, 6 records: 6 added, 0 changed, 0 unchanged" "$out" "NVD feed"
out=$("$FWVET" vulndb import --db "$DB" "$D/kev_sample.json")
assert_eq "$D/kev_sample.json: kev, 3 records: 3 added, 0 changed, 0 unchanged" "$out" "KEV catalogue"
out=$("$FWVET" vulndb import --db "$DB" "$D/osv_single.json" "$D/osv_array.json")
assert_eq "$D/osv_single.json: osv, 1 records: 1 added, 0 changed, 0 unchanged
$D/osv_array.json: osv, 2 records: 2 added, 0 changed, 0 unchanged" "$out" "OSV record and array"
assert_eq 6 "$(count "$DB" nvd)" "nvd count"
assert_eq 3 "$(count "$DB" osv)" "osv count"
assert_eq 3 "$(count "$DB" kev)" "kev count"
assert_eq "data date: 2025-01-14" "$(info "$DB" | grep '^data date')" "data date"
info "$DB" > "$W/info1"

# Again: nothing changes.
out=$("$FWVET" vulndb import --db "$DB" "$D/nvd_sample.json" "$D/kev_sample.json" "$D/osv_single.json" "$D/osv_array.json")
[ "$(echo "$out" | grep -c ' 0 added, 0 changed, ')" = 4 ] || fail "re-import changed something: $out"
ok "re-import changes nothing"
info "$DB" > "$W/info2"
diff -u "$W/info1" "$W/info2" >&2 || fail "info differs after re-import"
ok "info unchanged after re-import"

# Gzipped NVD and a zip of OSV records, into a second database.
gzip -n -c "$D/nvd_sample.json" > "$W/nvdcve-2.0-sample.json.gz"
(cd "$D" && zip -q -X "$W/osv.zip" osv_single.json osv_array.json)
out=$("$FWVET" vulndb import --db "$W/two.db" "$W/nvdcve-2.0-sample.json.gz" "$W/osv.zip")
assert_eq "$W/nvdcve-2.0-sample.json.gz: nvd, 6 records: 6 added, 0 changed, 0 unchanged
$W/osv.zip: osv-zip, 3 records: 3 added, 0 changed, 0 unchanged" "$out" "gzipped NVD and OSV zip"

# Malformed files: exit 2, the record named, nothing of that file imported,
# the other files of the command still imported.
bad() { # FILE EXPECTED-MESSAGE-PART
	local rc=0
	"$FWVET" vulndb import --db "$W/bad.db" "$1" > "$W/bad.out" 2> "$W/bad.err" || rc=$?
	[ "$rc" = 2 ] || fail "$1: expected exit 2, got $rc"
	grep -qF -- "$2" "$W/bad.err" || fail "$1: expected [$2] in: $(cat "$W/bad.err")"
	ok "malformed $(basename "$1"): $2"
}
bad "$D/nvd_no_id.json" 'nvd_no_id.json: record 2: expected a string "id"'
bad "$D/nvd_bad_criteria.json" 'record 4 (CVE-2017-14491): expected a string "criteria" in "cpeMatch", found the number 42'
bad "$D/osv_bad_range.json" 'record 2 (GHSA-p6mc-m468-83gw): expected a semantic version in "events", found "soon"'
bad "$D/kev_bad_date.json" 'record 2 (CVE-2014-6271): expected a date "dateAdded"'
head -c 5000 "$D/nvd_sample.json" > "$W/truncated.json"
bad "$W/truncated.json" 'truncated.json: record 1: line 132: expected valid JSON, found the end of the file'
for s in nvd osv kev ranges; do
	assert_eq 0 "$(count "$W/bad.db" "$s")" "nothing imported from malformed files ($s)"
done
rc=0
"$FWVET" vulndb import --db "$W/bad.db" "$D/nvd_no_id.json" "$D/kev_sample.json" > "$W/mixed.out" 2>/dev/null || rc=$?
assert_eq 2 "$rc" "a bad file among good ones exits 2"
assert_eq 3 "$(count "$W/bad.db" kev)" "the good file is still imported"
assert_eq 0 "$(count "$W/bad.db" nvd)" "the bad file is not"

# Default path from $FWVET_VULNDB, parent folders made.
"$FWVET" vulndb import "$D/kev_sample.json" > /dev/null
assert_file "$FWVET_VULNDB"

# A scan: the curated rules find Heartbleed with no import at all; the import
# adds NVD-only CVEs and KEV from the catalogue.
mkdir -p "$W/fw"
printf '\x7fjunk\0OpenSSL 1.0.1f 6 Jan 2014\0more junk\0' > "$W/fw/libcrypto.so.1.0.0"
# An NVD CVE of 1.0.1f that the curated rules do not list.
nvd_only=
for c in CVE-2014-0198; do
	grep -q "^$c " "$FV_SRCDIR/rules/vulns/openssl.txt" 2>/dev/null || nvd_only=$c
done
rc=0
"$FWVET" scan --format json --vulndb none -o "$W/before.json" "$W/fw/libcrypto.so.1.0.0" || rc=$?
[ "$rc" -le 1 ] || fail "scan without a database: exit $rc"
assert_eq true "$(jq '[.vulnerabilities[] | select(.id == "CVE-2014-0160")] | length == 1' "$W/before.json")" \
	"CVE-2014-0160 from the curated rules, no import"
if [ -n "$nvd_only" ]; then
	assert_eq 0 "$(jq --arg c "$nvd_only" '[.vulnerabilities[] | select(.id == $c)] | length' "$W/before.json")" \
		"$nvd_only absent before the import"
fi
rc=0
"$FWVET" scan --format json --vulndb "$DB" -o "$W/after.json" "$W/fw/libcrypto.so.1.0.0" || rc=$?
[ "$rc" -le 1 ] || fail "scan with a database: exit $rc"
assert_eq true "$(jq '[.vulnerabilities[] | select(.id == "CVE-2014-0160" and .kev == true)] | length == 1' "$W/after.json")" \
	"CVE-2014-0160 once, with kev true"
if [ -n "$nvd_only" ]; then
	assert_eq 1 "$(jq --arg c "$nvd_only" '[.vulnerabilities[] | select(.id == $c)] | length' "$W/after.json")" \
		"$nvd_only present after the import"
fi
assert_eq 2025-01-14 "$(jq -r '.tool.vulndb_date' "$W/after.json")" "the report names the data date"

finish

#!/bin/bash
# The JSON report against its schema (docs/report.schema.json, a public
# interface): the reports of many real images validate -- the planted and
# the clean router flash, a uImage + squashfs flash, squashfs with every
# compressor, a multi-image scan (an array), a folder (no image hash), a scan
# with an imported vulnerability database, a stored scan rendered again by
# `fwvet report`, hostile names (invalid UTF-8, quotes, markup, control
# bytes), escaping and damaged archives.  Every object of the schema is
# closed, so together with a check that the validated reports exercise every
# optional field, a field the writer adds without the schema fails here.
# Then the schema must bite: a real report with a field removed, a field
# added, a bad severity, a bad SHA-256 (and more) must each fail.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

V=$FV_SRCDIR/tests/schemas/validate.sh
D=$FV_SRCDIR/tests/data/vulndb
export FWVET_DB=$FV_WORK/store.db   # nothing lands in the user's store
export FWVET_VULNDB=$FV_WORK/none.db # nor is the user's vulnerability data read

# scan NAME ARGS...: fwvet scan --format json -o NAME.json ARGS (exit 0 or 1: findings are fine).
scan() {
	local name=$1 rc=0
	shift
	"$FWVET" scan --no-store --format json -o "$name.json" "$@" 2> "$name.err" || rc=$?
	[ "$rc" -le 1 ] || { cat "$name.err" >&2; fail "scan $name: exit $rc"; }
	[ -s "$name.json" ] || fail "scan $name wrote no report"
	reports+=("$name.json")
}
reports=()

# ---- the planted and the clean router flash (real mipsel busybox, dropbear, glibc) ----
for kind in planted clean; do
	"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" "$kind" "$FV_FIXTURES/scan/$kind.bin"
	cp "$FV_FIXTURES/scan/$kind.bin" "$kind.bin"
done
scan planted planted.bin
scan clean clean.bin
ok "planted and clean images scanned"

# ---- a flash dump: uImage (lzma) kernel, 0xFF, squashfs root, 0xFF ----
make_rootfs "$FV_WORK/rootfs"
seq -f 'fake kernel text line %g' 1 4000 > kernel.bin
xz --format=lzma -9 -c kernel.bin > kernel.lzma
mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000400 -n "MIPS OpenWrt Linux-5.10.161" \
	-d kernel.lzma uImage > /dev/null
mksquashfs rootfs root.sqfs -comp xz -noappend -quiet -no-progress > /dev/null
ff() { head -c "$1" /dev/zero | tr '\0' '\377'; }
ksize=$(stat -c %s uImage)
sqoff=$(((ksize + 65535) / 65536 * 65536))
{ cat uImage; ff $((sqoff - ksize)); cat root.sqfs; ff 65536; } > flash.bin
scan flash flash.bin

# ---- squashfs with every compressor mksquashfs has, one multi-image scan: an array ----
multi=()
for comp in gzip xz lzo lz4 zstd; do
	mksquashfs rootfs "sq-$comp.sqfs" -comp "$comp" -noappend -quiet -no-progress -all-root > /dev/null
	multi+=("sq-$comp.sqfs")
done
scan multi "${multi[@]}"
assert_eq "array 5" "$(jq -r '"\(type) \(length)"' multi.json)" "several images give an array of reports"

# ---- a folder: an unpacked root, no image hash ----
scan folder rootfs
assert_eq null "$(jq -r '.image.sha256' folder.json)" "a folder has no image hash"

# ---- hostile names and damaged or escaping archives ----
mkdir -p hostile/etc
for n in $'bad-utf8-\xff\xfe\xc3' $'quote"and\\backslash' '"><script>alert(1)<' '<img src=x onerror=alert(1)>' $'ctl-\x01\x1b[31m-\x7f' \
	$'new\nline' $'\xe2\x80\xae-rtl-override' "$(printf 'lat\303\251-valid-utf8')"; do
	printf 'password=hunter2\nhttp://203.0.113.9/x\n' > "hostile/etc/$n"
done
ln -s $'/\xff/target' hostile/etc/badlink
mksquashfs hostile hostile.sqfs -noappend -quiet -no-progress -all-root > /dev/null
scan hostile hostile.sqfs
# A tar with names escaping the tree (FV-EXTR), an invalid UTF-8 name, and a truncated squashfs.
/usr/bin/python3 - <<'EOF'
import io, tarfile
with tarfile.open("escape.tar", "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as t:
    for name in ["../../escape.txt", "/etc/abs.txt", "ok/\udcff\udcfename.txt"]:
        data = b"root:x:0:0::/:/bin/sh\n"
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
EOF
head -c $(($(stat -c %s sq-gzip.sqfs) * 2 / 3)) sq-gzip.sqfs > truncated.sqfs
scan damaged escape.tar truncated.sqfs

# ---- supply chain with an imported vulnerability database (NVD, OSV, KEV test data) ----
mklib() { # OUT SONAME STRING
	printf 'const char fv_version_text[] = "%s";\nconst char *fv_version(void) { return fv_version_text; }\n' \
		"$3" > lib.c
	mipsel-linux-gnu-gcc -shared -fPIC -O2 -Wl,-soname,"$2" -Wl,-rpath,/opt/lib -o "$1" lib.c
}
mkprog() { # OUT STRING
	printf '#include <stdio.h>\n#include <string.h>\nint main(int c, char **v) { char b[16]; strcpy(b, v[0]); puts(c > 1 ? b : "%s"); return 0; }\n' \
		"$2" > prog.c
	mipsel-linux-gnu-gcc -O2 -o "$1" prog.c
}
sup=$FV_WORK/supply
mkdir -p "$sup"/{bin,usr/lib,usr/sbin}
mklib "$sup/usr/lib/libcrypto.so.1.0.0" libcrypto.so.1.0.0 "OpenSSL 1.0.1f 6 Jan 2014"
mkprog "$sup/bin/busybox" "BusyBox v1.24.1 (2016-02-11 10:22:43 CST) multi-call binary."
mkprog "$sup/usr/sbin/dropbear" "SSH-2.0-dropbear_2016.74"
find "$sup" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs "$sup" supply.sqfs -all-root -noappend -quiet -no-progress > /dev/null
"$FWVET" vulndb import --db vulns.db "$D/nvd_sample.json" "$D/kev_sample.json" "$D/osv_single.json" \
	"$D/osv_array.json" > /dev/null
scan supply --vulndb vulns.db supply.sqfs
R=supply.json
check "the imported database is named: tool.vulndb_sha256 and vulndb_date set" \
	'(.tool.vulndb_sha256 | test("^[0-9a-f]{64}$")) and (.tool.vulndb_date | type == "string")'

# ---- a stored scan rendered again: fwvet report ID --format json ----
"$FWVET" scan --db "$FV_WORK/report.db" --vulndb vulns.db --format json -o stored-scan.json supply.sqfs 2> /dev/null ||
	[ $? = 1 ] || fail "scan into a store"
id=$("$FWVET" db list --db "$FV_WORK/report.db" --format json | jq '[.[].id] | max')
rc=0
"$FWVET" report "$id" --db "$FV_WORK/report.db" --format json -o stored.json || rc=$?
assert_eq 0 "$rc" "report $id --format json exits 0"
reports+=(stored.json)
"$FWVET" scan --db "$FV_WORK/report.db" --format json -o /dev/null planted.bin 2> /dev/null || [ $? = 1 ] ||
	fail "scan planted into a store"
id=$("$FWVET" db list --db "$FV_WORK/report.db" --format json | jq '[.[].id] | max')
"$FWVET" report "$id" --db "$FV_WORK/report.db" --format json -o stored-planted.json
reports+=(stored-planted.json)

# ---- the schema documents the interface: every property described, every fixed-key object closed ----
R=$FV_SRCDIR/docs/report.schema.json
check "every property of the schema has a description" \
	'[.. | objects | select(has("properties")) | .properties | to_entries[] | select(.value.description == null)] == []'
check "every object of the schema with fixed keys is closed (additionalProperties: false)" \
	'[.. | objects | select(has("properties")) | select(.additionalProperties != false)] == []'

# ---- every report validates ----
for r in "${reports[@]}"; do
	if "$V" fwvet "$r" > "$r.errors"; then
		ok "$r validates against docs/report.schema.json"
	else
		head -20 "$r.errors" >&2
		fail "$r does not validate against docs/report.schema.json ($(wc -l < "$r.errors") errors)"
	fi
done

# ---- the validated reports exercise every optional field and nullable branch ----
# (so that additionalProperties: false sees every key the writer can write)
jq -s '[.[] | if type == "array" then .[] else . end]' "${reports[@]}" > all.json
R=all.json
check "some files[] have hardening, with an rpath or runpath set, and none" \
	'[.[].files[].hardening | select(.)] | (length > 0) and any(.rpath != null or .runpath != null)
	 and any(.rpath == null and .runpath == null)'
check "some files[] have code with call counts" '[.[].files[].code | select(.) | .calls | length] | any(. > 0)'
check "files[] with sha256, type, arch and link, and without" \
	'[.[].files[]] | any(.sha256) and any(.sha256 == null) and any(.type) and any(.arch) and any(.link)
	 and any(.link == null)'
check "files[] of setuid or sticky mode" '[.[].files[].mode] | any(test("^[1-7]"))'
check "components[] with detail and without, with eol true, eol_date and cpe set and null" \
	'[.[].components[]] | any(.detail) and any(.detail == null) and any(.eol) and any(.eol_date != null)
	 and any(.eol_date == null) and any(.cpe != null)'
check "vulnerabilities[] with cvss a number and null, kev true and false, from rules and a database" \
	'[.[].vulnerabilities[]] | any(.cvss | type == "number") and any(.cvss == null) and any(.kev) and any(.kev | not)
	 and any(.source == "rules") and any(.source != "rules")'
check "extraction[] ok with error null, and partial or failed with an error" \
	'[.[].extraction[]] | any(.status == "ok" and .error == null) and any(.status != "ok" and (.error | type == "string"))'
check "image.sha256 set and null; tool.vulndb_* set and null" \
	'any(.[]; .image.sha256 == null) and any(.[]; .image.sha256 != null) and any(.[]; .tool.vulndb_sha256 != null)
	 and any(.[]; .tool.vulndb_sha256 == null) and any(.[]; .tool.vulndb_date == null)'
check "accounts, services, endpoints and unsafe_calls rows present; a password known and unknown" \
	'([.[].accounts[]] | any(.password != null) and any(.password == null)) and ([.[].services[]] | length > 0)
	 and ([.[].endpoints[]] | length > 0) and ([.[].unsafe_calls[]] | length > 0)'
check "findings of every severity and of the extraction category" \
	'[.[].findings[]] | (map(.severity) | unique | length == 5) and any(.category == "extraction")'
check "a name with invalid UTF-8 bytes, as \\u00XX code points" \
	'[.[].files[].path] | any(test("bad-utf8-\u00ff\u00fe\u00c3"))'
[ "$fv_failures" = 0 ] || fail "$fv_failures coverage checks failed"

# ---- the schema bites: a real report, broken one way at a time, must fail ----
bites() { # MESSAGE JQ-FILTER [FILE]
	jq "$2" "${3:-planted.json}" > broken.json
	if "$V" fwvet broken.json > broken.errors; then
		fail "the schema accepts a report with $1"
	fi
	ok "the schema refuses a report with $1: $(head -n 1 broken.errors | cut -c1-150)"
}
bites "a required field deleted (tool.rules_sha256)" 'del(.tool.rules_sha256)'
bites "a required field of a finding deleted (evidence)" 'del(.findings[0].evidence)'
bites "an unknown top-level field" '. + {extra: 1}'
bites "an unknown field in a file's hardening" '(.files[] | select(.hardening) | .hardening) += {pie2: true}'
bites "an unknown field in a finding" '.findings[0].reference = "x"'
bites "a bad severity" '.findings[0].severity = "severe"'
bites "a bad sha256 (upper case)" '.image.sha256 |= ascii_upcase'
bites "a bad sha256 (63 digits)" '(.files[] | select(.sha256) | .sha256) |= .[1:]'
bites "a finding id of 15 digits" '.findings[0].id |= .[1:]'
bites "a rule id with a space" '.findings[0].rule = "FV ACCT 001"'
bites "an unknown category" '.findings[0].category = "malware"'
bites "a negative offset" '.findings[0].offset = -1'
bites "a mode of three digits" '.files[0].mode = "755"'
bites "a string where a count belongs" '.summary.files |= tostring'
bites "a missing severity count" 'del(.summary.findings_by_severity.info)'
bites "an unknown extraction status" '.extraction[0].status = "maybe"'
bites "schema 2" '.schema = 2'
bites "a cvss above 10" '.vulnerabilities[0].cvss = 11' supply.json
bites "a bad element in an array of reports" '.[2].files[0].size = "big"' multi.json
# A key written twice: jq cannot write it, so sed does.
sed '0,/"schema": 1,/s//"schema": 1, "schema": 1,/' planted.json > broken.json
if "$V" fwvet broken.json > broken.errors; then fail "the validator accepts a key written twice"; fi
ok "the validator refuses a key written twice"
# And the validator itself: the existing kinds still work and an unknown one is refused.
"$FWVET" scan --no-store --format cyclonedx -o flash.cdx.json flash.bin 2> /dev/null || [ $? = 1 ]
"$V" cyclonedx flash.cdx.json > /dev/null || fail "validate.sh cyclonedx no longer works"
ok "validate.sh cyclonedx still works"
if "$V" nosuchkind planted.json > /dev/null 2>&1; then fail "validate.sh accepts an unknown kind"; fi
ok "validate.sh refuses an unknown kind"

finish

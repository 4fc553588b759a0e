#!/bin/bash
# --fail-on SEV behaves the same in every format: for `fwvet scan` and for
# `fwvet report ID` from a store, in text, json, sarif, html, cyclonedx and
# spdx, the exit status is 1 exactly when a finding is at or above SEV and 0
# otherwise, for SEV above, at and below the image's worst finding; the
# report written with -o is complete whatever the status (the JSON formats
# parse and hold every finding, the text ends with its summary line, the page
# with </html>).  An unknown SEV exits 2 and says what was expected.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"
export FWVET_DB=$FV_WORK/unused.db FWVET_VULNDB=$FV_WORK/none.db

formats="text json sarif html cyclonedx spdx"
sevs="critical high medium low info"
sev_rank() { case $1 in info) echo 0 ;; low) echo 1 ;; medium) echo 2 ;; high) echo 3 ;; critical) echo 4 ;; esac; }

# Two images: a flash dump whose worst finding is critical (a root shell on
# telnet), and a mild root whose worst is below it, so that some SEV is above.
make_rootfs "$FV_WORK/rootfs"
seq -f 'fake kernel text line %g' 1 4000 > kernel.bin
xz --format=lzma -9 -c kernel.bin > kernel.lzma
mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000400 -n "MIPS Linux" -d kernel.lzma uImage > /dev/null
mksquashfs rootfs root.sqfs -comp xz -noappend -quiet -no-progress > /dev/null
{ cat uImage; head -c $((65536 - $(stat -c %s uImage))) /dev/zero | tr '\0' '\377'; cat root.sqfs; } > flash.bin
mkdir -p mild/usr/bin mild/etc
printf '#include <stdio.h>\n#include <string.h>\nint main(int c, char **v) { char b[8]; strcpy(b, v[0]); puts(b); return c; }\n' > p.c
mipsel-linux-gnu-gcc -O0 -fno-stack-protector -no-pie -z execstack -o mild/usr/bin/tool p.c
printf 'update_url=http://198.51.100.20/fw\n' > mild/etc/update.conf
find mild -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs mild mild.sqfs -all-root -noappend -quiet -no-progress > /dev/null

# complete FORMAT FILE REF.json: whether FILE is a whole report of that format (REF: the JSON report).
complete() {
	local n
	n=$(jq '.findings | length' "$3")
	case $1 in
	text) tail -n 1 "$2" | grep -Eq "^$n findings: " ;;
	json) jq -e --slurpfile ref "$3" '.findings == $ref[0].findings' "$2" > /dev/null ;;
	sarif) jq -e --argjson n "$n" '.version == "2.1.0" and (.runs | length == 1) and (.runs[0].results | length == $n)' \
		"$2" > /dev/null ;;
	html) grep -qi '<html' "$2" && [ "$(tr -d ' \t\r\n' < "$2" | tail -c 7)" = "</html>" ] ;;
	cyclonedx) jq -e '.bomFormat == "CycloneDX" and (.components | type == "array")' "$2" > /dev/null ;;
	spdx) jq -e '(.spdxVersion | startswith("SPDX-")) and (.packages | type == "array")' "$2" > /dev/null ;;
	esac
}

# run_all LABEL REF.json CMD...: CMD --fail-on SEV --format F -o FILE for every SEV and F.
run_all() {
	local label=$1 ref=$2 worst sev f rc want statuses
	shift 2
	worst=$(jq -r '.summary.findings_by_severity | to_entries | map(select(.value > 0) | .key)
		| if length == 0 then "none" else (map({critical: 4, high: 3, medium: 2, low: 1, info: 0}[.]) | max) end' "$ref")
	for sev in $sevs; do
		want=0
		[ "$worst" != none ] && [ "$worst" -ge "$(sev_rank "$sev")" ] && want=1
		statuses=
		for f in $formats; do
			rc=0
			"$@" --fail-on "$sev" --format "$f" -o "out.$f" 2> err.txt || rc=$?
			statuses="$statuses $rc"
			if [ "$rc" != "$want" ]; then
				echo "FAIL: $label --fail-on $sev --format $f: exit $rc, expected $want (worst $worst)" >&2
				sed -n 1,3p err.txt >&2
				fv_failures=$((fv_failures + 1))
			elif ! complete "$f" "out.$f" "$ref"; then
				echo "FAIL: $label --fail-on $sev --format $f: exit $rc but the report is incomplete" >&2
				fv_failures=$((fv_failures + 1))
			else
				ok "$label --fail-on $sev --format $f: exit $rc, report complete"
			fi
		done
		assert_eq "$(printf " $want%.0s" $formats)" "$statuses" "$label --fail-on $sev: the same status in every format"
	done
}

for img in flash.bin mild.sqfs; do
	rc=0
	"$FWVET" scan --no-store --format json -o "$img.json" "$img" || rc=$?
	assert_eq 0 "$rc" "scan $img without --fail-on exits 0"
done
# Each SEV lies above, at or below some image's worst: the test can tell them apart.
R=flash.bin.json
check "flash.bin's worst finding is critical" '.summary.findings_by_severity.critical > 0'
R=mild.sqfs.json
check "mild.sqfs's worst finding is medium or low (so high is above it)" \
	'.summary.findings_by_severity as $s | $s.critical == 0 and $s.high == 0 and ($s.medium + $s.low) > 0'

for img in flash.bin mild.sqfs; do
	run_all "scan $img" "$img.json" "$FWVET" scan --no-store "$img"
done

# The same from a store: fwvet report ID judges the stored findings.
for img in flash.bin mild.sqfs; do
	"$FWVET" scan --db "$FV_WORK/s.db" --format json -o "stored-$img.json" "$img"
	id=$("$FWVET" db list --db "$FV_WORK/s.db" --format json | jq '[.[].id] | max')
	run_all "report $id ($img)" "$img.json" "$FWVET" report "$id" --db "$FV_WORK/s.db"
done

# An unknown severity: exit 2, naming what was expected and what was given.
for bad in severe HIGH "" "high "; do
	for cmd in "scan --no-store flash.bin" "report 1 --db $FV_WORK/s.db"; do
		rc=0
		# shellcheck disable=SC2086
		"$FWVET" $cmd --fail-on "$bad" --format json -o bad.json 2> err.txt || rc=$?
		if [ "$rc" = 2 ] && grep -q "critical, high, medium, low or info" err.txt && grep -qF "'$bad'" err.txt; then
			ok "${cmd%% *} --fail-on '$bad': exit 2, naming the severities expected"
		else
			echo "FAIL: ${cmd%% *} --fail-on '$bad': exit $rc, stderr: $(head -c 200 err.txt)" >&2
			fv_failures=$((fv_failures + 1))
		fi
	done
done

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

#!/bin/bash
# `fwvet scan` end to end on a router flash with one of every item planted
# (tests/fixtures/mkscanimage.sh says which rule finds each): every item is
# found with its rule, at its path and offset, with evidence a reviewer can
# check; secrets stay masked; the records list the accounts, boot services
# and endpoints; --fail-on and the text summary agree with the JSON.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

img=$FV_FIXTURES/scan/planted.bin
"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" planted "$img"
cd "$FV_WORK"
cp "$img" planted.bin

rc=0
"$FWVET" scan --format json -o r.json -C tree planted.bin || rc=$?
assert_eq 0 "$rc" "scan exits 0 without --fail-on"
R=$FV_WORK/r.json
root=$(find tree -maxdepth 1 -name '0x*.squashfs' | head -n 1)
[ -n "$root" ] && [ -f "$root/etc/shadow" ] || fail "scan -C kept no squashfs root under tree/"
ok "root filesystem kept in $root"

# When a check fails, every finding of the report is listed at the end.
show_findings() {
	jq -r '.findings[] | "  \(.rule) \(.severity)/\(.confidence) \(.path) @\(.offset): \(.evidence)"' "$R" >&2
}
# check_eq EXPECTED ACTUAL MESSAGE: like assert_eq, but counts a failure and goes on.
check_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		echo "FAIL: $3: expected [$1], got [$2]" >&2
		fv_failures=$((fv_failures + 1))
	fi
}

# The findings of rule $rule at a path ending in "!$path" whose evidence
# holds $ev (case aside).
sel='[.findings[] | select(.rule == $rule and (.path | endswith("!" + $path))
	and (.evidence | ascii_downcase | contains($ev | ascii_downcase)))]'
# expect RULE SEVERITY PATH EVIDENCE: one such finding with that severity
# ("" for any).
expect() {
	local rule=$1 sev=$2 path=$3 ev=$4
	check "$rule at $path ($ev)" "$sel | map(select(\$sev == \"\" or .severity == \$sev)) | length >= 1" \
		--arg rule "$rule" --arg path "$path" --arg ev "$ev" --arg sev "$sev"
}

# ---- accounts ----
expect FV-ACCT-001 high /etc/passwd "toor"
expect FV-ACCT-002 critical /etc/shadow "guest"
check "FV-ACCT-003 daemon with /bin/sh (low or medium)" \
	"$sel | map(select(.severity == \"low\" or .severity == \"medium\")) | length >= 1" \
	--arg rule FV-ACCT-003 --arg path /etc/passwd --arg ev daemon
expect FV-ACCT-004 medium /etc/passwd "support"
expect FV-ACCT-005 medium /etc/shadow- "mgmt"

# ---- credentials ----
expect FV-CRED-001 critical /etc/shadow "xc3511"
check "FV-CRED-001 names root with the Mirai password" \
	"$sel | map(select(.evidence | contains(\"root\"))) | length >= 1" \
	--arg rule FV-CRED-001 --arg path /etc/shadow --arg ev xc3511
check "FV-CRED-001 admin/admin is high (uid 1000)" \
	"[.findings[] | select(.rule == \"FV-CRED-001\" and (.path | endswith(\"!/etc/shadow\"))
		and .severity == \"high\" and (.evidence | test(\"admin.*admin\")))] | length == 1"
expect FV-CRED-001 "" /www/.htpasswd "admin"
expect FV-CRED-002 high /etc/config/ddns "password"
expect FV-CRED-003 high /usr/sbin/mgmt_login "admin"

# ---- secrets ----
expect FV-SECR-001 high /etc/ssl/private/server.key "PRIVATE KEY"
check "FV-SECR-001 server key is not low confidence" \
	"[.findings[] | select(.rule == \"FV-SECR-001\" and (.path | endswith(\"!/etc/ssl/private/server.key\")))
		| .confidence] | length >= 1 and all(. != \"low\")"
check "FV-SECR-001 example key in an SDK's docs is low confidence" \
	"[.findings[] | select(.rule == \"FV-SECR-001\"
		and (.path | endswith(\"!/usr/share/doc/mbedtls/examples/ec_key.pem\"))) | .confidence]
		| length >= 1 and all(. == \"low\")"
expect FV-SECR-002 high /etc/ssl/certs/server.crt ""
expect FV-SECR-004 high /etc/cloudagent.conf "AKIA"

# ---- services ----
expect FV-SVC-001 critical /etc/init.d/rcS "telnetd -l /bin/sh -p 2323"
expect FV-SVC-002 critical /etc/init.d/diag.sh "nc -l -p 4444 -e /bin/sh"
expect FV-SVC-003 medium /etc/inetd.conf "tftpd"
expect FV-SVC-005 medium /etc/inittab "ttyS0::respawn:/bin/sh"

# ---- backdoors and espionage ----
check "FV-BKDR-* D-Link User-Agent backdoor in /usr/sbin/webs (critical or high, category backdoor)" \
	'[.findings[] | select((.rule | startswith("FV-BKDR-")) and (.path | endswith("!/usr/sbin/webs"))
		and .category == "backdoor" and (.severity == "critical" or .severity == "high")
		and (.evidence | contains("xmlset_roodkcableoj28840ybtide")))] | length >= 1'
expect FV-NET-002 critical /usr/bin/support.sh "/dev/tcp/45.33.32.156/443"
expect FV-NET-003 high /usr/sbin/cloudagent "45.33.32.156"

# ---- offsets: each points into the line its evidence quotes ----
# offset_in RULE PATH-SUFFIX FILE-IN-ROOT FIXED-STRING: a finding of RULE has its
# offset inside the line of the file that holds STRING (its first line with it).
offset_in() {
	local rule=$1 path=$2 file=$root$3 s=$4 n start end
	n=$(grep -naF -- "$s" "$file" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || fail "offset_in: [$s] is not in $file"
	start=$(head -n $((n - 1)) "$file" | wc -c)
	end=$(head -n "$n" "$file" | wc -c)
	check "$rule offset in $path is in line $n [$s] ($start..$end)" \
		"[.findings[] | select(.rule == \$rule and (.path | endswith(\"!\" + \$path)))
			| select(.offset >= $start and .offset < $end)] | length >= 1" \
		--arg rule "$rule" --arg path "$path"
}
offset_in FV-SVC-001 /etc/init.d/rcS /etc/init.d/rcS "telnetd -l /bin/sh -p 2323"
offset_in FV-SVC-002 /etc/init.d/diag.sh /etc/init.d/diag.sh "nc -l -p 4444"
offset_in FV-SVC-005 /etc/inittab /etc/inittab "ttyS0::respawn:/bin/sh"
offset_in FV-ACCT-001 /etc/passwd /etc/passwd "toor:"
offset_in FV-CRED-001 /etc/shadow /etc/shadow "root:"
offset_in FV-ACCT-005 /etc/shadow- /etc/shadow- "mgmt:"
offset_in FV-CRED-002 /etc/config/ddns /etc/config/ddns "option password"
offset_in FV-SECR-001 /etc/ssl/private/server.key /etc/ssl/private/server.key "-----BEGIN RSA PRIVATE KEY-----"
offset_in FV-SECR-004 /etc/cloudagent.conf /etc/cloudagent.conf "AKIA"
offset_in FV-NET-002 /usr/bin/support.sh /usr/bin/support.sh "bash -i"
check "FV-BKDR-* offset is the magic string's offset in webs" \
	"[.findings[] | select((.rule | startswith(\"FV-BKDR-\")) and (.path | endswith(\"!/usr/sbin/webs\")))
		| select(.offset == $(grep -boaF xmlset_roodkcableoj28840ybtide "$root/usr/sbin/webs" | head -n 1 | cut -d: -f1))]
		| length >= 1"

# ---- evidence keeps secrets masked ----
aws_secret=$(sed -n 's/^aws_secret_access_key = //p' "$root/etc/cloudagent.conf")
aws_id=$(sed -n 's/^aws_access_key_id = //p' "$root/etc/cloudagent.conf")
key_line=$(sed -n 3p "$root/etc/ssl/private/server.key")
[ -n "$aws_secret" ] && [ -n "$aws_id" ] && [ -n "$key_line" ] || fail "planted secrets not found in the tree"
for s in "$aws_secret" "$aws_id" "$key_line"; do
	if grep -qF -- "$s" r.json; then
		echo "FAIL: the report discloses the secret ${s:0:6}... in full" >&2
		fv_failures=$((fv_failures + 1))
	else
		ok "secret ${s:0:6}... masked in the report"
	fi
done

# ---- every finding is complete and categorised by its area ----
check "every finding has id, title, evidence, a known severity and confidence" \
	'[.findings[] | select((.id // "") == "" or (.title // "") == "" or (.evidence // "") == ""
		or (.severity | IN("critical","high","medium","low","info") | not)
		or (.confidence | IN("high","medium","low") | not))] | length == 0'
check "areas map to categories (ACCT account, CRED credential, SECR secret or, for a cloud token, credential, SVC service or, for a shell on a port, backdoor)" \
	'[.findings[] | select(
		((.rule | startswith("FV-ACCT-")) and .category != "account") or
		((.rule | startswith("FV-CRED-")) and .category != "credential") or
		((.rule | startswith("FV-SECR-")) and .category != "secret"
			and (.rule != "FV-SECR-004" or .category != "credential")) or
		((.rule | startswith("FV-SVC-")) and .category != "service"
			and (.rule != "FV-SVC-002" or .category != "backdoor")))] | length == 0'
check "finding ids are unique" '[.findings[].id] | length == (unique | length)'
check "summary.findings_by_severity counts the findings" \
	'.summary.findings_by_severity as $s | [.findings[].severity] as $f
		| all("critical","high","medium","low","info"; . as $k | ($s[$k] // 0) == ([$f[] | select(. == $k)] | length))'

# ---- records ----
check "accounts: toor uid 0 gid 0 with /bin/sh, from /etc/passwd" \
	'[.accounts[] | select(.name == "toor" and .uid == 0 and .gid == 0 and .shell == "/bin/sh"
		and (.path | endswith("!/etc/passwd")))] | length >= 1'
check "accounts: root's md5crypt password recovered as xc3511" \
	'[.accounts[] | select(.name == "root" and .hash_type == "md5crypt" and .password == "xc3511")] | length >= 1'
check "accounts: admin's sha512crypt password recovered as admin" \
	'[.accounts[] | select(.name == "admin" and .hash_type == "sha512crypt" and .password == "admin")] | length >= 1'
check "accounts: guest has an empty password" \
	'[.accounts[] | select(.name == "guest" and .hash_type == "empty")] | length >= 1'
check "accounts: toor's strong hash is not recovered" \
	'[.accounts[] | select(.name == "toor" and .password != null)] | length == 0'
telnet_line=$(grep -n 'telnetd -l' "$root/etc/init.d/rcS" | cut -d: -f1)
check "services: telnetd -l /bin/sh -p 2323 from rcS line $telnet_line" \
	"[.services[] | select((.program | endswith(\"telnetd\")) and .args == \"-l /bin/sh -p 2323\"
		and (.path | endswith(\"!/etc/init.d/rcS\")) and .line == $telnet_line)] | length == 1"
check "services: nc -l -p 4444 -e /bin/sh from the sourced diag.sh" \
	'[.services[] | select((.program | endswith("nc")) and (.args | startswith("-l -p 4444 -e /bin/sh"))
		and (.path | endswith("!/etc/init.d/diag.sh")))] | length >= 1'
check "services: a shell respawned on ttyS0 by inittab" \
	'[.services[] | select(.program == "/bin/sh" and (.path | endswith("!/etc/inittab")))] | length >= 1'
check "services: tftpd through inetd" \
	'[.services[] | select((.program | endswith("tftpd")) and (.how | startswith("inetd")))] | length >= 1'
check "services: dropbear -p 22" \
	'[.services[] | select((.program | endswith("dropbear")) and (.args | startswith("-p 22")))] | length >= 1'
check "endpoints: 45.33.32.156 (ipv4, outside) in cloudagent" \
	'[.endpoints[] | select(.value == "45.33.32.156" and .kind == "ipv4" and .outside == true
		and (.path | endswith("!/usr/sbin/cloudagent")))] | length >= 1'
check "endpoints: c2.update-check.net (host, outside)" \
	'[.endpoints[] | select((.value | contains("c2.update-check.net")) and .outside == true)] | length >= 1'
check "endpoints: 192.168.1.1 is never outside" \
	'[.endpoints[] | select(.value == "192.168.1.1" and .outside != false)] | length == 0'

# ---- exit codes and text output ----
for sev in critical high; do
	rc=0
	"$FWVET" scan --fail-on "$sev" planted.bin > /dev/null 2>&1 || rc=$?
	check_eq 1 "$rc" "--fail-on $sev exits 1"
done
rc=0
"$FWVET" scan --fail-on severe planted.bin > /dev/null 2>&1 || rc=$?
check_eq 2 "$rc" "--fail-on with an unknown severity exits 2"
rc=0
"$FWVET" scan --format json "$FV_WORK/no-such-image.bin" > /dev/null 2>&1 || rc=$?
check_eq 2 "$rc" "a missing image exits 2"

"$FWVET" scan planted.bin > r.txt
# One line per category, with the counts of the JSON report:
#   "  account       1 critical, 1 high, 3 medium"
for cat in $(jq -r '[.findings[].category] | unique | .[]' "$R"); do
	want=$(jq -r --arg c "$cat" '[.findings[] | select(.category == $c) | .severity] as $s
		| [("critical","high","medium","low","info") as $k | ($s | map(select(. == $k)) | length) as $n
		   | select($n > 0) | "\($n) \($k)"] | join(", ")' "$R")
	if sed -n '/^By category:/,/^$/p' r.txt | grep -qE "^  $cat +$want\$"; then
		ok "text summary line for $cat: $want"
	else
		echo "FAIL: text summary has no line [$cat $want]" >&2
		fv_failures=$((fv_failures + 1))
	fi
done
for cat in account credential secret service backdoor exfiltration; do
	grep -qE "^  $cat " r.txt || { echo "FAIL: text summary lacks category $cat" >&2; fv_failures=$((fv_failures + 1)); }
done

# The same image gives the same report, whichever analysis thread finishes first: each
# finding at one copy with that copy's offset (a vulnerability's path and offset once came
# from two different copies, which changed from run to run).
jq -S 'del(.summary.elapsed_ms)' r.json > once.json
for i in 1 2 3; do
	"$FWVET" scan --no-store --format json planted.bin | jq -S 'del(.summary.elapsed_ms)' > again.json
	cmp -s once.json again.json || { diff once.json again.json | head >&2; fail "scan $i of the same image gave another report"; }
done
ok "three more scans give the same report"

if [ "$fv_failures" -gt 0 ]; then
	echo "The report's findings:" >&2
	show_findings
	fail "$fv_failures checks failed"
fi
finish

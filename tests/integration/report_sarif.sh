#!/bin/bash
# `fwvet scan --format sarif` and `fwvet report ID --format sarif` on real
# images: the planted router flash (one of every finding), the clean one, and
# a squashfs whose paths hold every byte a URI must escape (blanks, quotes,
# '%', '#', '?', ':', bytes that are not UTF-8, a member climbing out with
# '..').  Each log must pass the official SARIF 2.1.0 schema and say what the
# JSON report of the same scan says: one result per finding, with its rule,
# level, offset and a URI that decodes back to the finding's path.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v mksquashfs > /dev/null || fail "needs mksquashfs (scripts/deps.sh installs squashfs-tools)"
command -v openssl > /dev/null || fail "needs openssl"

"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" planted "$FV_FIXTURES/scan/planted.bin"
"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" clean "$FV_FIXTURES/scan/clean.bin"
cd "$FV_WORK"
cp "$FV_FIXTURES/scan/planted.bin" planted.bin
cp "$FV_FIXTURES/scan/clean.bin" clean.bin

# ---- the hostile image: a squashfs (mksquashfs stores names as raw bytes) ----
odd=$'we ird "q" 100% #h ?q :c \xff\xfe <x>'
mkdir -p "root/etc/$odd" "root/keys"
printf 'root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0:backdoor:/root:/bin/sh\n' > "root/etc/$odd/passwd"
openssl genrsa -out "root/keys/k \"1\" %41 #?.pem" 2048 2> /dev/null
printf 'root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n' > "root/keys/passwd"
find root -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs root hostile.sqfs -all-root -noappend -no-progress > /dev/null
# the image's own name is hostile too
hostile=$'hostile #1 %.sqfs'
mv hostile.sqfs "$hostile"

images=(planted.bin clean.bin "$hostile")
# One scan of the three images, recorded: the JSON report and the SARIF run of each image are then
# rendered from the same stored scan (two scans of one image may pick another copy as a
# vulnerability's first location), and `fwvet report ID --format sarif` must give the scan's run.
DB=$FV_WORK/r.db
"$FWVET" scan --db "$DB" --vulndb none --format sarif -o all.sarif "${images[@]}"
mapfile -t ids < <("$FWVET" db list --db "$DB" --format json | jq '.[].id' | sort -n)
[ "${#ids[@]}" = 3 ] || fail "expected 3 stored scans, got ${#ids[@]}"
for i in 0 1 2; do
	"$FWVET" report "${ids[$i]}" --db "$DB" --format json -o "rep$i.json"
	"$FWVET" report "${ids[$i]}" --db "$DB" --format sarif -o "run$i.sarif"
	if cmp -s <(jq ".runs[$i]" all.sarif) <(jq '.runs[0]' "run$i.sarif") &&
		[ "$(jq -c 'del(.runs)' all.sarif)" = "$(jq -c 'del(.runs)' "run$i.sarif")" ]; then
		ok "report ${ids[$i]} --format sarif is the scan's run $i (${images[$i]})"
	else
		diff -u <(jq ".runs[$i]" all.sarif) <(jq '.runs[0]' "run$i.sarif") | head -30 >&2
		fail "report ${ids[$i]} --format sarif differs from the scan's run $i"
	fi
done
jq -s . rep0.json rep1.json rep2.json > all.json
R=$FV_WORK/all.sarif

# ---- the official schema ----
if out=$(sh "$FV_SRCDIR/tests/schemas/validate.sh" sarif all.sarif 2>&1); then
	ok "all.sarif passes the SARIF 2.1.0 schema"
else
	fail "all.sarif fails the SARIF 2.1.0 schema: $out"
fi
# the validator itself rejects what the schema forbids (so the check above can fail)
jq '.runs[0].results[0].level = "fatal"' all.sarif > broken.sarif
if sh "$FV_SRCDIR/tests/schemas/validate.sh" sarif broken.sarif > /dev/null 2>&1; then
	fail "validate.sh sarif accepted a result with level \"fatal\""
fi
ok "validate.sh sarif rejects a level the schema does not have"

check "one run per image, in order" '.version == "2.1.0" and (.runs | length) == 3'
check "the hostile image's run has results" '.runs[2].results | length >= 3'
check "every run names fwvet and its version" \
	'[.runs[].tool.driver | select(.name == "fwvet" and (.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+")))] | length == 3'

# ---- the log against the JSON report, run by run (python: URIs are decoded byte by byte) ----
if out=$(python3 - all.json all.sarif "${#images[@]}" << 'EOF'
import codecs, json, re, sys, urllib.parse

reports = json.load(open(sys.argv[1], encoding="utf-8"))
log = json.load(open(sys.argv[2], encoding="utf-8"))
n = int(sys.argv[3])
bad = []
def need(cond, msg):
    if not cond:
        bad.append(msg)

# fwvet's JSON writer shows a byte that is not UTF-8 as the code point of the same value
def as_json_writer(b):
    out, i = [], 0
    while i < len(b):
        try:
            out.append(b[i:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            out.append(b[i:i + e.start].decode("utf-8"))
            out.append(chr(b[i + e.start]))
            i += e.start + 1
    return "".join(out)

level_of = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
score_of = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
uri_ok = re.compile(r"^(?:[A-Za-z0-9\-._~!/]|%[0-9A-F]{2})+$")
sev_rank = ["info", "low", "medium", "high", "critical"]

need(len(reports) == n and len(log["runs"]) == n, "expected %d reports and runs" % n)
levels = set()
for i, (rep, run) in enumerate(zip(reports, log["runs"])):
    fs, rs = rep["findings"], run["results"]
    need(len(fs) == len(rs), "run %d: %d findings, %d results" % (i, len(fs), len(rs)))
    key = lambda id_, path, off: (id_, path, off)
    want = sorted(key(f["id"], f["path"], f["offset"]) for f in fs)
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    need(len(ids) == len(set(ids)), "run %d: a rule listed twice" % i)
    need(set(ids) == set(f["rule"] for f in fs), "run %d: rules are not exactly those of the findings" % i)
    need(run["properties"]["image"]["sha256"] == rep["image"]["sha256"], "run %d: image sha256" % i)
    need(run["properties"]["rules_sha256"] == rep["tool"]["rules_sha256"], "run %d: rules_sha256" % i)
    need(run["tool"]["driver"]["version"] == rep["fwvet"], "run %d: driver version" % i)
    need("IMAGE" in run["originalUriBaseIds"], "run %d: no IMAGE base id" % i)
    need(run["invocations"][0]["executionSuccessful"] ==
         all(e["status"] != "failed" for e in rep["extraction"]), "run %d: executionSuccessful" % i)
    byfid = {}
    for f in fs:
        byfid.setdefault(key(f["id"], f["path"], f["offset"]), f)
    got = []
    worst = {}
    for r in rs:
        loc = r["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        need(loc["artifactLocation"]["uriBaseId"] == "IMAGE", "run %d: uriBaseId" % i)
        need(bool(uri_ok.match(uri)) and not uri.startswith("/"), "run %d: not a clean relative URI: %r" % (i, uri))
        need(all(s not in (".", "..") for s in uri.split("/")), "run %d: dot segment in %r" % (i, uri))
        path = as_json_writer(urllib.parse.unquote_to_bytes(uri))
        need(path == r["properties"]["path"], "run %d: %r decodes to %r, not %r" % (i, uri, path, r["properties"]["path"]))
        need(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == path, "run %d: logical location" % i)
        off = loc["region"]["byteOffset"]
        k = key(r["partialFingerprints"]["fwvet/v1"], path, off)
        got.append(k)
        f = byfid.get(k)
        need(f is not None, "run %d: result %r matches no finding" % (i, k))
        if f is None:
            continue
        need(r["ruleId"] == f["rule"] and ids[r["ruleIndex"]] == f["rule"], "run %d: rule of %r" % (i, k))
        need(r["level"] == level_of[f["severity"]], "run %d: level %s for %s" % (i, r["level"], f["severity"]))
        need(r["message"]["text"].startswith(f["title"]) and f["title"], "run %d: message of %r" % (i, k))
        need(r["properties"]["evidence"] == f["evidence"], "run %d: evidence of %r" % (i, k))
        need(len(r["ruleId"]) <= 255, "run %d: ruleId too long" % i)
        levels.add(r["level"])
        w = worst.get(f["rule"])
        worst[f["rule"]] = f["severity"] if w is None or sev_rank.index(f["severity"]) > sev_rank.index(w) else w
    need(sorted(got) == want, "run %d: results are not the findings one to one" % i)
    for rule in rules:
        need(rule["properties"]["security-severity"] == score_of[worst[rule["id"]]],
             "run %d: security-severity of %s" % (i, rule["id"]))
        need(rule["defaultConfiguration"]["level"] == level_of[worst[rule["id"]]], "run %d: default level of %s" % (i, rule["id"]))
        if rule["id"].startswith("FV-"):
            need(rule.get("name") and rule.get("help", {}).get("text") and rule.get("help", {}).get("markdown")
                 and rule["shortDescription"]["text"], "run %d: %s lacks catalogue text" % (i, rule["id"]))
need(levels == {"error", "warning", "note"}, "levels seen: %s" % sorted(levels))

# the hostile image: findings at hostile paths, encoded and decoded back
hrun, hrep = log["runs"][2], reports[2]
paths = {r["properties"]["path"]: r for r in hrun["results"]}
acct = [p for p, r in paths.items() if r["ruleId"] == "FV-ACCT-001" and "\u00ff\u00fe" in p and '"q" 100% #h ?q :c' in p]
need(len(acct) == 1, "FV-ACCT-001 at the hostile passwd path: %r" % list(paths))
if acct:
    u = paths[acct[0]]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    need("%FF%FE" in u and "%22q%22%20100%25%20%23h%20%3Fq%20%3Ac" in u and u.startswith("hostile%20%231%20%25.sqfs!"),
         "hostile passwd URI: %r" % u)
key = [r for r in hrun["results"] if r["ruleId"] == "FV-SECR-001"]
need(len(key) == 1 and key[0]["properties"]["path"].endswith('!/keys/k "1" %41 #?.pem'), "FV-SECR-001 at the hostile key name")
if bad:
    print("\n".join(bad[:40]))
    sys.exit(1)
EOF
); then
	ok "every run: results one to one with the JSON report's findings (ids, rules, levels, offsets, URIs, evidence)"
else
	echo "$out" >&2
	fail "the SARIF log does not match the JSON report"
fi

# ---- a member path that climbs out with '..': no dot segment survives in its URI ----
mkdir -p dots && printf 'toor:x:0:0::/:/bin/sh\n' > dots/passwd
tar -cf dots.tar -P --transform 's,^dots/,../../,' dots/passwd
"$FWVET" scan --no-store --vulndb none --format sarif -o dots.sarif dots.tar
R=$FV_WORK/dots.sarif
check "the '..' member gives FV-EXTR-001" '[.runs[0].results[] | select(.ruleId == "FV-EXTR-001")] | length >= 1'
check "its URI has no '.' or '..' segment, and the path is kept in logicalLocations" \
	'[.runs[0].results[].locations[0] | (.physicalLocation.artifactLocation.uri | split("/") | any(. == ".." or . == "."))] | any | not'
check "the '..' is written %2E%2E" \
	'[.runs[0].results[] | select(.ruleId == "FV-EXTR-001") | .locations[0].physicalLocation.artifactLocation.uri
	  | contains("/%2E%2E/")] | any'
if out=$(sh "$FV_SRCDIR/tests/schemas/validate.sh" sarif dots.sarif 2>&1); then ok "dots.sarif passes the schema"; else fail "$out"; fi

# ---- a single image from the store: `fwvet report ID --format sarif` is the scan's file, byte for byte ----
"$FWVET" scan --db "$DB" --vulndb none --format sarif -o scan.sarif "$hostile"
id=$("$FWVET" db list --db "$DB" --format json | jq '[.[].id] | max')
"$FWVET" report "$id" --db "$DB" --format sarif -o report.sarif
if cmp -s scan.sarif report.sarif; then
	ok "report $id --format sarif equals the scan's file"
else
	diff -u scan.sarif report.sarif | head -30 >&2
	fail "report $id --format sarif differs from the scan's file"
fi

# ---- no catalogue entry (a user's YARA rule): the title describes the rule ----
mkdir -p user
cat > user/mine.yar << 'EOF'
rule acme_marker
{
    meta:
        id = "ACME-MARK-1"
        description = "ACME marker string"
    strings:
        $m = "toor:x:0:0"
    condition:
        $m
}
EOF
"$FWVET" scan --no-store --vulndb none --rules user --format sarif -o user.sarif dots.tar
R=$FV_WORK/user.sarif
check "a user's rule without a catalogue entry is described by its results' title" \
	'[.runs[0].tool.driver.rules[] | select(.id == "ACME-MARK-1") | .shortDescription.text | startswith("ACME marker string")] == [true]'
# and a user's catalogue entry for it is used
mkdir -p user/findings
printf 'ACME-MARK-1 AcmeMarker\nsummary: The ACME marker.\nhelp: What the marker means.\nref: https://example.com/acme\n' > user/findings/acme.txt
"$FWVET" scan --no-store --vulndb none --rules user --format sarif -o user.sarif dots.tar
check "a user's catalogue entry describes the user's rule" \
	'[.runs[0].tool.driver.rules[] | select(.id == "ACME-MARK-1") | [.name, .shortDescription.text, .helpUri]]
	 == [["AcmeMarker", "The ACME marker.", "https://example.com/acme"]]'
# a malformed user catalogue stops the scan with file:line
printf 'ACME-MARK-1 AcmeMarker\nsummary The ACME marker.\n' > user/findings/acme.txt
rc=0
"$FWVET" scan --no-store --vulndb none --rules user --format sarif -o user.sarif dots.tar 2> err.txt || rc=$?
assert_eq 2 "$rc" "a malformed catalogue file exits 2"
grep -q 'findings/acme.txt:2: expected' err.txt || fail "the error names file:line: $(cat err.txt)"
ok "the error names findings/acme.txt:2"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

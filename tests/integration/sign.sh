#!/bin/bash
# Signed evidence end to end: fwvet keygen, fwvet scan --sign on the demo's
# router image, fwvet verify with and without the image.  The signature is
# checked by OpenSSL's own command line too (Ed25519 over the RFC 8785 form
# of the signature document), so it is a real signature and not only one
# fwvet agrees with.  Then every kind of tampering: a byte of the report
# anywhere, a re-formatted report, another key, another image, a byte of the
# image, a forged claim, a swapped signature.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

"$FV_SRCDIR/scripts/mkfirmware.sh" fw.bin
"$FV_SRCDIR/scripts/mkfirmware.sh" fw2.bin update

# says TEXT MESSAGE: err.txt holds TEXT
says() {
	if grep -qF -- "$1" err.txt; then ok "$2"; else
		echo "FAIL: $2: expected '$1' on stderr, got:" >&2
		cat err.txt >&2
		fv_failures=$((fv_failures + 1))
	fi
}

# ---- keys ------------------------------------------------------------------------------
expect_rc 0 "keygen makes a key pair" "$FWVET" keygen ca
assert_eq "600" "$(stat -c %a ca.key)" "the private key is mode 0600"
openssl pkey -in ca.key -noout -text 2> /dev/null | grep -q ED25519 || fail "ca.key is no Ed25519 key OpenSSL reads"
ok "OpenSSL reads ca.key as an Ed25519 private key"
id=$(openssl pkey -pubin -in ca.pub -outform DER | sha256sum | cut -d' ' -f1)
grep -q "key id       $id" out.txt || fail "keygen's key id is not the SHA-256 of the DER public key ($id)"
ok "the key id is the SHA-256 of the DER public key"
cp ca.key ca.key.before
expect_rc 2 "keygen never overwrites a key" "$FWVET" keygen ca
says "never overwrites" "and says so"
cmp -s ca.key ca.key.before || fail "keygen changed an existing key"
"$FWVET" keygen other > /dev/null

# ---- sign and verify -----------------------------------------------------------------
expect_rc 0 "scan --sign writes the report and its signature" \
	"$FWVET" scan --no-store --format json -o r.json --sign ca.key fw.bin
assert_file r.json.sig
R=r.json.sig
check "the signature names the image, tool, rules and data" \
	'.claims.image_sha256 == $sha and .claims.fwvet == "0.1.0" and .claims.rules_sha256 == $rules
	 and .algorithm == "Ed25519" and .canonicalization == "RFC 8785" and (.signature | length) == 88' \
	--arg sha "$(sha256sum fw.bin | cut -d' ' -f1)" --arg rules "$(jq -r .tool.rules_sha256 r.json)"
R=r.json
"$FWVET" scan --no-store --format json -o unsigned.json fw.bin
check "the report is the same as an unsigned scan's" \
	'del(.summary.elapsed_ms) == ($u[0] | del(.summary.elapsed_ms))' --slurpfile u unsigned.json

expect_rc 0 "verify: a signed report verifies" "$FWVET" verify r.json --key ca.pub
grep -q "report        the exact bytes signed" out.txt || fail "verify does not say the bytes are the ones signed"
expect_rc 0 "verify --image: the report is that image's" "$FWVET" verify r.json --key ca.pub --image fw.bin
grep -q "(matches the image)" out.txt || fail "verify --image does not say the image matches"
expect_rc 0 "the private key's public half verifies too" "$FWVET" verify r.json --key ca.key

# OpenSSL, on its own: Ed25519 over the signature document without "signature", in RFC 8785 form
# (its members are ASCII names and integers, where sorted compact JSON is that form).
python3 -c '
import json, sys
d = json.load(open("r.json.sig")); del d["signature"]
sys.stdout.write(json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False))' > msg.bin
jq -r .signature r.json.sig | base64 -d > sig.bin
openssl pkeyutl -verify -pubin -inkey ca.pub -rawin -in msg.bin -sigfile sig.bin > /dev/null ||
	fail "OpenSSL does not accept the Ed25519 signature over the canonical signature document"
ok "OpenSSL verifies the signature independently"
assert_eq "$(sha256sum r.json | cut -d' ' -f1)" "$(jq -r .report.file_sha256 r.json.sig)" "the signature names the report's SHA-256"

# With imported vulnerability data the signature names it: SHA-256 over the SHA-256 of each file
# imported, in import order (each with a NUL after it), computed here on its own.
D=$FV_SRCDIR/tests/data/vulndb
"$FWVET" vulndb import --db v.db "$D/nvd_sample.json" "$D/kev_sample.json" > /dev/null
want=$(for f in "$D/nvd_sample.json" "$D/kev_sample.json"; do printf '%s\0' "$(sha256sum "$f" | cut -d' ' -f1)"; done |
	sha256sum | cut -d' ' -f1)
"$FWVET" scan --db s.db --vulndb v.db --format json -o rv.json --sign ca.key fw.bin
assert_eq "$want" "$(jq -r .claims.vulndb_sha256 rv.json.sig)" "the signature names the imported data's SHA-256"
assert_eq "$want" "$(jq -r .tool.vulndb_sha256 rv.json)" "so does the report"
# The store keeps it: the stored scan renders to the report that was signed, which verifies.
"$FWVET" report 1 --db s.db --format json -o stored.json
cmp -s rv.json stored.json || { diff rv.json stored.json | head >&2; fail "the stored scan renders another report"; }
ok "fwvet report of the stored scan gives the signed report, byte for byte"
expect_rc 0 "and it verifies against the scan's signature" "$FWVET" verify stored.json --sig rv.json.sig --key ca.pub

# ---- tampering ------------------------------------------------------------------------
expect_rc 1 "another key: not verified" "$FWVET" verify r.json --key other.pub
says "signed by another key" "and says which key signed"
expect_rc 1 "another image: not verified" "$FWVET" verify r.json --key ca.pub --image fw2.bin
says "not the report of this image" "and says the report is another image's"

# A byte of the report, at the start, in a value, in the middle, in whitespace, at the end.
size=$(stat -c %s r.json)
sev=$(grep -bo '"severity": "high"' r.json | head -1 | cut -d: -f1)
for pos in 0 $((sev + 14)) $((size / 2)) 1 $((size - 1)); do
	cp r.json t.json
	orig=$(dd if=t.json bs=1 skip=$pos count=1 2> /dev/null | od -An -tx1 | tr -d ' ')
	new=$(printf '%02x' $(((16#$orig) ^ 1)))
	printf "\\x$new" | dd of=t.json bs=1 seek=$pos conv=notrunc 2> /dev/null
	cmp -s r.json t.json && fail "byte $pos was not changed"
	expect_rc 1 "report byte $pos changed (0x$orig -> 0x$new): not verified" \
		"$FWVET" verify t.json --sig r.json.sig --key ca.pub
	grep -qF "NOT VERIFIED" err.txt || fail "verify does not say NOT VERIFIED"
done
# Re-formatted: the same content, other bytes; --canonical accepts it, and nothing else.
jq -c . r.json > flat.json
expect_rc 1 "a re-formatted report: not verified by default" "$FWVET" verify flat.json --sig r.json.sig --key ca.pub
says "re-formatted" "and says it was re-formatted"
expect_rc 0 "a re-formatted report verifies with --canonical" \
	"$FWVET" verify flat.json --sig r.json.sig --key ca.pub --canonical --image fw.bin
jq -c '.findings[0].severity = "low"' r.json > lowered.json
expect_rc 1 "a finding lowered: not verified even with --canonical" \
	"$FWVET" verify lowered.json --sig r.json.sig --key ca.pub --canonical
says "changed after it was signed" "and says the report changed"
jq -c 'del(.findings[0])' r.json > dropped.json
expect_rc 1 "a finding deleted: not verified even with --canonical" \
	"$FWVET" verify dropped.json --sig r.json.sig --key ca.pub --canonical

# A byte of the image.
cp fw.bin t.bin
printf '\x00' | dd of=t.bin bs=1 seek=$(($(stat -c %s fw.bin) / 3)) conv=notrunc 2> /dev/null
cmp -s fw.bin t.bin && printf '\x01' | dd of=t.bin bs=1 seek=$(($(stat -c %s fw.bin) / 3)) conv=notrunc 2> /dev/null
expect_rc 1 "one byte of the image changed: not verified" "$FWVET" verify r.json --key ca.pub --image t.bin
says "not the report of this image" "and says the image is not the report's"

# The signature document forged: another claim, another digest, a signature of another report.
jq '.claims.image_sha256 = "'"$(sha256sum fw2.bin | cut -d' ' -f1)"'"' r.json.sig > forged.sig
expect_rc 1 "a claim changed in the signature: not verified" "$FWVET" verify r.json --sig forged.sig --key ca.pub
says "signature does not match" "and says the signature does not match"
"$FWVET" scan --no-store --format json -o r2.json --sign ca.key fw2.bin
expect_rc 1 "another report's signature: not verified" "$FWVET" verify r.json --sig r2.json.sig --key ca.pub
says "changed after it was signed" "and says the report is not the one signed"
jq '.signature = "'"$(jq -r .signature r2.json.sig)"'"' r.json.sig > swapped.sig
expect_rc 1 "another signature value: not verified" "$FWVET" verify r.json --sig swapped.sig --key ca.pub
jq '.signature = "AAAA"' r.json.sig > short.sig
expect_rc 1 "a malformed signature value: not verified" "$FWVET" verify r.json --sig short.sig --key ca.pub
says "expected 64 bytes in base64" "and says what was expected"
echo '[1,2' > broken.sig
expect_rc 1 "a signature that is not JSON: not verified" "$FWVET" verify r.json --sig broken.sig --key ca.pub

# ---- usage ---------------------------------------------------------------------------
expect_rc 2 "verify without a signature file exits 2" "$FWVET" verify fw.bin --key ca.pub
expect_rc 2 "verify without --key exits 2" "$FWVET" verify r.json
expect_rc 2 "scan --sign with a public key exits 2" "$FWVET" scan --no-store --format json -o x.json --sign ca.pub fw.bin
says "expected a PEM private key" "and says a private key was expected"
expect_rc 2 "scan --sign without --format json exits 2" "$FWVET" scan --no-store -o x.txt --sign ca.key fw.bin
expect_rc 2 "scan --sign without -o exits 2" "$FWVET" scan --no-store --format json --sign ca.key fw.bin
expect_rc 2 "scan --sign of two images exits 2" "$FWVET" scan --no-store --format json -o x.json --sign ca.key fw.bin fw2.bin
mkdir -p root/etc && cp "$FV_SRCDIR/rules/credentials/10-mirai.txt" root/etc/notes
expect_rc 2 "a folder's report has no image to sign for" \
	"$FWVET" scan --no-store --format json -o dir.json --sign ca.key root
says "image.sha256" "and says the image SHA-256 is missing"
[ ! -e dir.json.sig ] || fail "a signature was written for a folder's report"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

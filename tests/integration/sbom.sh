#!/bin/bash
# `fwvet sbom` (CycloneDX 1.5 by default, SPDX 2.3) and `fwvet scan --format
# cyclonedx|spdx` on a squashfs built here, whose files carry version strings
# as the real software embeds them and an opkg database.  Every document is
# checked against the official schema kept in tests/schemas (offline), then
# for what it must say: each component with its version, purl, CPE and every
# path that holds it, the image's hash, the vulnerabilities tied to the
# component they affect.  An image without components still gives valid
# documents, and the same image gives the same bytes twice.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

VALIDATE=$FV_SRCDIR/tests/schemas/validate.sh
cd "$FV_WORK"

failures=0
check() { # MESSAGE FILE JQ-BOOLEAN-FILTER [jq args...]
	local msg=$1 file=$2 filter=$3
	shift 3
	if jq -e "$@" "$filter" "$file" > /dev/null; then
		ok "$msg"
	else
		echo "FAIL: $msg" >&2
		failures=$((failures + 1))
	fi
}
valid() { # cyclonedx|spdx FILE...: one validator run for all (it takes half a second to start)
	if "$VALIDATE" "$@" >&2; then
		ok "${*:2} valid $1"
	else
		echo "FAIL: ${*:2}: not valid $1" >&2
		failures=$((failures + 1))
	fi
}
expect_rc() { # RC MESSAGE COMMAND...
	local want=$1 msg=$2 rc=0
	shift 2
	"$@" > /dev/null 2> err.txt || rc=$?
	assert_eq "$want" "$rc" "$msg"
}

# ---- the image -------------------------------------------------------------
R=$FV_WORK/root
mkdir -p "$R/bin" "$R/usr/lib/opkg" "$R/usr/sbin" "$R/opt/vendor/lib" "$R/etc"
noise() { head -c "$1" /dev/zero | tr '\0' '\001'; }
{ noise 64; printf '\0OpenSSL 1.0.1f 6 Jan 2014\0'; noise 64; } > "$R/usr/lib/libcrypto.so.1.0.0"
cp "$R/usr/lib/libcrypto.so.1.0.0" "$R/opt/vendor/lib/libcrypto.so.1.0.0"
{ noise 32; printf '\0BusyBox v1.24.1 (2016-01-01 00:00:00 UTC) multi-call binary.\0'; noise 32; } \
	> "$R/bin/busybox"
{ noise 32; printf '\0SSH-2.0-dropbear_2016.74\0'; noise 32; } > "$R/usr/sbin/dropbear"
cat > "$R/usr/lib/opkg/status" <<'EOF'
Package: dnsmasq
Version: 2.78-1
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1500000000

Package: vendor-webui
Version: 3.2.1-4
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1500000000

EOF
printf 'hello\n' > "$R/etc/banner"
find "$R" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs "$R" fw.bin -comp gzip -noappend -quiet -no-progress -all-root > /dev/null
SHA=$(sha256sum fw.bin | cut -d' ' -f1)

# ---- CycloneDX ---------------------------------------------------------------
expect_rc 0 "fwvet sbom exits 0" "$FWVET" sbom --vulndb none -o cdx.json fw.bin
check "CycloneDX 1.5, serial number a name-based UUID" cdx.json \
	'.bomFormat == "CycloneDX" and .specVersion == "1.5" and .version == 1
	 and (.serialNumber | test("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))'
check "timestamp is SOURCE_DATE_EPOCH" cdx.json '.metadata.timestamp == "2023-11-14T22:13:20Z"'
check "tool: fwvet" cdx.json '.metadata.tools.components[0].name == "fwvet"'
check "the image: firmware, its name and SHA-256" cdx.json \
	'.metadata.component | .type == "firmware" and .name == "fw.bin"
	 and .hashes == [{"alg": "SHA-256", "content": $sha}]' --arg sha "$SHA"

# component NAME VERSION PURL CPE-or-null PATH...: exactly one entry, with these paths.
component() {
	local name=$1 version=$2 purl=$3 cpe=$4
	shift 4
	local paths
	paths=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	check "component $name $version: purl, cpe, paths $*" cdx.json \
		'[.components[] | select(.name == $n and .version == $v)] | length == 1 and
		 (.[0] | .purl == $purl and .cpe == (if $cpe == "null" then null else $cpe end) and
		  ([.evidence.occurrences[].location | sub("^.*!"; "")] | sort) == ($paths | sort))' \
		--arg n "$name" --arg v "$version" --arg purl "$purl" --arg cpe "$cpe" \
		--argjson paths "$paths"
}
component openssl 1.0.1f pkg:generic/openssl@1.0.1f "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*" \
	/opt/vendor/lib/libcrypto.so.1.0.0 /usr/lib/libcrypto.so.1.0.0
component busybox 1.24.1 pkg:generic/busybox@1.24.1 "cpe:2.3:a:busybox:busybox:1.24.1:*:*:*:*:*:*:*" \
	/bin/busybox
component dropbear 2016.74 pkg:generic/dropbear@2016.74 \
	"cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2016.74:*:*:*:*:*:*:*" /usr/sbin/dropbear
component dnsmasq 2.78 pkg:generic/dnsmasq@2.78 "cpe:2.3:a:thekelleys:dnsmasq:2.78:*:*:*:*:*:*:*" \
	/usr/lib/opkg/status
check "a package no rule knows is listed, with a purl and no CPE" cdx.json \
	'[.components[] | select(.name == "vendor-webui" and (.version | startswith("3.2.1"))
	  and (.purl | startswith("pkg:generic/vendor-webui@3.2.1")) and .cpe == null)] | length == 1'
check "types: openssl a library, busybox an application" cdx.json \
	'([.components[] | select(.name == "openssl") | .type] | unique == ["library"])
	 and ([.components[] | select(.name == "busybox") | .type] == ["application"])'
check "bom-refs are unique" cdx.json '[.components[]."bom-ref"] | length == (unique | length)'
check "the image depends on every component" cdx.json \
	'(.dependencies[0].ref == "firmware") and
	 (.dependencies[0].dependsOn | sort) == ([.components[]."bom-ref"] | sort)'
check "CVE-2014-0160 (Heartbleed) affects OpenSSL 1.0.1f, known exploited" cdx.json \
	'([.components[] | select(.name == "openssl" and .version == "1.0.1f") | ."bom-ref"]) as $r |
	 [.vulnerabilities[] | select(.id == "CVE-2014-0160")] | length == 1 and
	 (.[0] | ([.affects[].ref] | index($r[0])) != null and .ratings[0].severity == "high"
	  and .ratings[0].score == 7.5 and .source.name == "NVD"
	  and ([.properties[] | select(.name == "fwvet:kev") | .value] == ["true"]))'
check "every vulnerability affects a component of the document" cdx.json \
	'([.components[]."bom-ref"]) as $refs | all(.vulnerabilities[].affects[].ref; . as $x | $refs | index($x))'
check "each vulnerability id is listed once" cdx.json '[.vulnerabilities[].id] | length == (unique | length)'

expect_rc 0 "fwvet sbom again" "$FWVET" sbom --vulndb none -o cdx2.json fw.bin
if cmp -s cdx.json cdx2.json; then ok "the same image gives the same bytes"; else
	echo "FAIL: two runs differ" >&2; failures=$((failures + 1)); fi

# ---- SPDX --------------------------------------------------------------------
expect_rc 0 "fwvet sbom --format spdx exits 0" "$FWVET" sbom --vulndb none --format spdx -o spdx.json fw.bin
check "SPDX 2.3 header" spdx.json \
	'.spdxVersion == "SPDX-2.3" and .dataLicense == "CC0-1.0" and .SPDXID == "SPDXRef-DOCUMENT"
	 and (.documentNamespace | startswith("https://spdx.org/spdxdocs/fwvet-"))
	 and .creationInfo.created == "2023-11-14T22:13:20Z"
	 and (.creationInfo.creators[0] | startswith("Tool: fwvet-"))'
check "the firmware package with its SHA256" spdx.json \
	'.packages[0] | .SPDXID == "SPDXRef-Firmware" and .checksums == [{"algorithm": "SHA256", "checksumValue": $sha}]' \
	--arg sha "$SHA"
check "the same components as the CycloneDX document" spdx.json \
	'[.packages[1:][] | "\(.name)@\(.versionInfo // "")"] | sort == $c' \
	--argjson c "$(jq -c '[.components[] | "\(.name)@\(.version // "")"] | sort' cdx.json)"
check "OpenSSL 1.0.1f: cpe23Type, purl, the Heartbleed advisory, both paths in its comment" spdx.json \
	'[.packages[] | select(.name == "openssl" and .versionInfo == "1.0.1f")] | length == 1 and (.[0] |
	 ([.externalRefs[] | select(.referenceType == "cpe23Type") | .referenceLocator]
	   == ["cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"])
	 and ([.externalRefs[] | select(.referenceType == "purl") | .referenceLocator] == ["pkg:generic/openssl@1.0.1f"])
	 and ([.externalRefs[] | select(.referenceType == "advisory") | .referenceLocator]
	   | index("https://nvd.nist.gov/vuln/detail/CVE-2014-0160") != null)
	 and (.comment | contains("/usr/lib/libcrypto.so.1.0.0") and contains("/opt/vendor/lib/libcrypto.so.1.0.0")))'
check "SPDXIDs are unique" spdx.json '[.packages[].SPDXID] | length == (unique | length)'
check "DOCUMENT DESCRIBES the firmware, which CONTAINS every package" spdx.json \
	'(.relationships[0] == {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
				"relatedSpdxElement": "SPDXRef-Firmware"})
	 and ([.relationships[1:][] | select(.spdxElementId == "SPDXRef-Firmware" and .relationshipType == "CONTAINS")
	       | .relatedSpdxElement] | sort) == ([.packages[1:][].SPDXID] | sort)'

# ---- scan --format cyclonedx|spdx: the same documents from the full scan -------
expect_rc 0 "fwvet scan --format cyclonedx exits 0" "$FWVET" scan --vulndb none --format cyclonedx -o scan.cdx.json fw.bin
check "scan and sbom list the same components" scan.cdx.json \
	'[.components[] | "\(.name)@\(.version // "")"] | sort == $c' \
	--argjson c "$(jq -c '[.components[] | "\(.name)@\(.version // "")"] | sort' cdx.json)"
expect_rc 0 "fwvet scan --format spdx exits 0" "$FWVET" scan --vulndb none --format spdx -o scan.spdx.json fw.bin

# ---- an image without components ----------------------------------------------
head -c 4096 /dev/zero | tr '\0' 'x' > empty.bin
expect_rc 0 "sbom of a file without components" "$FWVET" sbom --vulndb none -o empty.cdx.json empty.bin
check "no components, no vulnerabilities" empty.cdx.json '.components == [] and .vulnerabilities == []'
expect_rc 0 "spdx of a file without components" "$FWVET" sbom --vulndb none --format spdx -o empty.spdx.json empty.bin
check "only the firmware package" empty.spdx.json '(.packages | length) == 1 and (.relationships | length) == 1'

# ---- every document against its schema ------------------------------------------
valid cyclonedx cdx.json scan.cdx.json empty.cdx.json
valid spdx spdx.json scan.spdx.json empty.spdx.json

# ---- the validator itself fails on a broken document ---------------------------
jq '.components[0].type = "gadget"' cdx.json > broken.cdx.json
if "$VALIDATE" cyclonedx broken.cdx.json > /dev/null 2>&1; then
	echo "FAIL: a component of type gadget passed the schema" >&2; failures=$((failures + 1))
else ok "the CycloneDX schema rejects an unknown component type"; fi
jq 'del(.packages[0].downloadLocation)' spdx.json > broken.spdx.json
if "$VALIDATE" spdx broken.spdx.json > /dev/null 2>&1; then
	echo "FAIL: a package without downloadLocation passed the schema" >&2; failures=$((failures + 1))
else ok "the SPDX schema rejects a package without downloadLocation"; fi

# ---- usage --------------------------------------------------------------------
expect_rc 2 "sbom refuses --format json" "$FWVET" sbom --format json fw.bin
expect_rc 2 "sbom refuses --fail-on" "$FWVET" sbom --fail-on high fw.bin
expect_rc 2 "one SBOM describes one image" "$FWVET" scan --format spdx fw.bin empty.bin

[ "$failures" = 0 ] || fail "$failures checks failed"
finish

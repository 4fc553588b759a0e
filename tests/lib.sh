# Shared helpers for the integration tests.  Source it from a test script:
#   . "$FV_SRCDIR/tests/lib.sh"
# The test runner (meson) sets FWVET, FV_SRCDIR, FV_BUILDDIR and FV_CORPUS.
set -eu

: "${FWVET:?run through meson test}"
: "${FV_BUILDDIR:?run through meson test}"
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C

FV_TEST_NAME=$(basename "$0" .sh)
# A scratch folder per test, emptied at the start of each run.
FV_WORK="$FV_BUILDDIR/test-work/$FV_TEST_NAME"
rm -rf "$FV_WORK"
mkdir -p "$FV_WORK"
# Fixtures are cached across tests in one build folder.
FV_FIXTURES="$FV_BUILDDIR/fixtures"
mkdir -p "$FV_FIXTURES"

fv_checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { fv_checks=$((fv_checks + 1)); echo "ok - $*"; }
assert_eq() { # expected actual message
	[ "$1" = "$2" ] || fail "$3: expected [$1], got [$2]"
	ok "$3"
}
assert_file() { [ -f "$1" ] || fail "expected file $1"; ok "file ${1#$FV_WORK/}"; }

# tree_manifest DIR: one line per entry below DIR, sorted: path, type, the
# permission bits (without setuid/setgid/sticky), and the link target or
# content hash.  Two trees are equal when their manifests are.
tree_manifest() {
	(cd "$1" && find . -mindepth 1 -printf '%P\n' | sort | while IFS= read -r p; do
		if [ -L "$p" ]; then
			printf '%s l %s\n' "$p" "$(readlink "$p")"
		elif [ -d "$p" ]; then
			printf '%s d %s\n' "$p" "$(printf '%o' $((0$(stat -c %a "$p") & 0777)))"
		else
			printf '%s f %s %s\n' "$p" "$(printf '%o' $((0$(stat -c %a "$p") & 0777)))" \
				"$(sha256sum < "$p" | cut -d' ' -f1)"
		fi
	done)
}

# assert_same_tree EXPECTED ACTUAL MESSAGE
assert_same_tree() {
	tree_manifest "$1" > "$FV_WORK/expected.manifest"
	tree_manifest "$2" > "$FV_WORK/actual.manifest"
	if ! diff -u "$FV_WORK/expected.manifest" "$FV_WORK/actual.manifest" >&2; then
		fail "$3: trees differ"
	fi
	ok "$3 ($(wc -l < "$FV_WORK/expected.manifest") entries)"
}

# A small but real root filesystem tree, built the same way every time.
make_rootfs() { # DIR
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/bin" "$d/etc/init.d" "$d/usr/lib" "$d/www/cgi-bin" "$d/var" "$d/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' > "$d/etc/passwd"
	printf 'root:$1$abcdefgh$U4R0ux7Q2EsnYQKkW5yqN1:19000:0:99999:7:::\n' > "$d/etc/shadow"
	printf '#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh -p 2323 &\n' > "$d/etc/init.d/rcS"
	head -c 200000 /dev/zero | tr '\0' 'A' > "$d/usr/lib/libbig.so"
	seq 1 20000 > "$d/usr/lib/numbers.txt"
	printf '<html>router</html>\n' > "$d/www/index.html"
	printf '#!/bin/sh\necho ok\n' > "$d/www/cgi-bin/status.cgi"
	ln -s busybox "$d/bin/sh"
	printf 'BusyBox v1.36.1 (2023-01-01) multi-call binary\n' > "$d/bin/busybox"
	ln -s ../tmp/resolv.conf "$d/etc/resolv.conf"
	chmod 0755 "$d/bin/busybox" "$d/etc/init.d/rcS" "$d/www/cgi-bin/status.cgi"
	chmod 0600 "$d/etc/shadow"
	chmod 0644 "$d/etc/passwd" "$d/usr/lib/libbig.so" "$d/usr/lib/numbers.txt" "$d/www/index.html"
	chmod 1777 "$d/tmp"
	chmod 0755 "$d" "$d/bin" "$d/etc" "$d/etc/init.d" "$d/usr" "$d/usr/lib" "$d/www" "$d/www/cgi-bin" "$d/var"
	find "$d" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
}

# check MESSAGE JQ-BOOLEAN-FILTER [jq args...]: one check of the JSON report
# in $R.  A failure is counted in fv_failures and the script goes on, so that
# one run shows every broken check; the script ends with
# [ "$fv_failures" = 0 ] || fail "$fv_failures checks failed".
fv_failures=0
check() {
	local msg=$1 filter=$2
	shift 2
	if jq -e "$@" "$filter" "$R" > /dev/null; then
		ok "$msg"
	else
		echo "FAIL: $msg" >&2
		fv_failures=$((fv_failures + 1))
	fi
}

# expect_rc WANT MESSAGE COMMAND...: the exit status of COMMAND (stdout in out.txt, stderr in
# err.txt, in the current folder); a wrong one is counted in fv_failures with COMMAND's stderr.
expect_rc() {
	local want=$1 msg=$2 rc=0
	shift 2
	"$@" > out.txt 2> err.txt || rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$msg (exit $rc)"
	else
		echo "FAIL: $msg: expected exit $want, got $rc; stderr:" >&2
		cat err.txt >&2
		fv_failures=$((fv_failures + 1))
	fi
}

# json_get FILE JQ-FILTER
json_get() { jq -r "$2" "$1"; }

finish() { echo "$fv_checks checks passed in $FV_TEST_NAME"; }

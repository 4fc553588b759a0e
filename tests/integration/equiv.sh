# fwvet equiv: one small router firmware built several times from the same
# sources, the way a vendor and an evaluator each would: a MIPS daemon and
# library compiled by Debian's cross compiler, a squashfs root, a gzip'd tar
# of settings and a uImage kernel.  Builds differ in SOURCE_DATE_EPOCH, the
# build folder and the build id, which must come out equivalent with each
# normalisation named; a changed string constant and a changed instruction
# must come out different, naming the file, the section and the function.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
fv_failures=0

src=$FV_WORK/src
mkdir -p "$src"
cat > "$src/agentd.c" <<'C'
#include <assert.h>
#include <stdio.h>
#include <string.h>
static const char banner[] = "agentd 2.1 built " __DATE__ " " __TIME__;
__attribute__((noinline)) int scale(int x)
{
#ifdef CHANGED_INSN
	return x * 7 + 3;
#else
	return x * 7 + 2;
#endif
}
__attribute__((noinline)) int check(const char *req)
{
	assert(req != NULL);
#ifdef CHANGED_STRING
	return strcmp(req, "status-Query") == 0;
#else
	return strcmp(req, "status-query") == 0;
#endif
}
int main(int argc, char **argv)
{
	puts(banner);
	return argc > 1 ? check(argv[1]) + scale(argc) : 0;
}
C
printf 'int lib_answer(void) { return 42; }\nconst char *lib_when(void) { return __DATE__ " " __TIME__; }\n' > "$src/libagent.c"

# build_fw OUT EPOCH BUILD_ROOT BUILD_ID [CFLAGS...]: one firmware image.
# BUILD_ROOT is where the sources are compiled (it ends up in debug info and
# in assert()'s file name); roots of one length keep the layout the same.
build_fw() {
	local out=$1 epoch=$2 root=$3 bid=$4
	shift 4
	rm -rf "$root"
	mkdir -p "$root/src" "$root/rootfs/usr/sbin" "$root/rootfs/usr/lib" "$root/rootfs/etc" "$root/cfg/etc"
	cp "$src"/*.c "$root/src/"
	(
		cd "$root"
		export SOURCE_DATE_EPOCH=$epoch
		mipsel-linux-gnu-gcc -O2 -g "$@" -Wl,--build-id=0x$bid -o rootfs/usr/sbin/agentd "$root/src/agentd.c"
		mipsel-linux-gnu-gcc -O2 -fPIC -shared -Wl,--build-id=0x$bid -o rootfs/usr/lib/libagent.so \
			"$root/src/libagent.c"
		mipsel-linux-gnu-strip --strip-unneeded rootfs/usr/lib/libagent.so
		printf 'VERSION=2.1\nBUILD_DATE=%s\n' "$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S')" \
			> rootfs/etc/version
		printf 'root:x:0:0:root:/root:/bin/sh\n' > rootfs/etc/passwd
		printf 'config system\n\toption hostname router\n' > cfg/etc/system
		touch -d "@$epoch" cfg/etc/system cfg/etc cfg
		mksquashfs rootfs root.sqfs -comp xz -noappend -quiet -all-root > /dev/null
		tar -C cfg --mtime="@$epoch" --owner=0 --group=0 -cf cfg.tar etc
		touch -d "@$epoch" cfg.tar
		gzip -9 -c cfg.tar > cfg.tgz
		head -c 200000 /dev/zero | tr '\0' 'K' > kernel
		mkimage -A mips -O linux -T kernel -C none -a 0x80060000 -e 0x80060000 -n "Linux-5.15" \
			-d kernel uImage > /dev/null
		cp uImage "$out"
		truncate -s 256K "$out"
		cat root.sqfs >> "$out"
		truncate -s $((1024 * 1024)) "$out"
		cat cfg.tgz >> "$out"
	)
}

fw=$FV_WORK/fw
mkdir -p "$fw"
# Two builders, two days, two folders of one length, two build ids.
build_fw "$fw/a.bin" 1700000000 "$FV_WORK/build-aaaa" 1111111111111111
build_fw "$fw/b.bin" 1710000000 "$FV_WORK/build-bbbb" 2222222222222222
build_fw "$fw/str.bin" 1710000000 "$FV_WORK/build-cccc" 2222222222222222 -DCHANGED_STRING
build_fw "$fw/insn.bin" 1710000000 "$FV_WORK/build-dddd" 2222222222222222 -DCHANGED_INSN
cmp -s "$fw/a.bin" "$fw/b.bin" && fail "the two builds are byte-identical; the test needs them to differ"

R=$FV_WORK/same.json
rc=0
"$FWVET" equiv --format json "$fw/a.bin" "$fw/a.bin" > "$R" || rc=$?
assert_eq 0 "$rc" "an image against itself: exit 0"
check "an image against itself is identical" '.verdict == "identical" and .summary.different == 0'

R=$FV_WORK/equiv.json
rc=0
"$FWVET" equiv --format json "$fw/a.bin" "$fw/b.bin" > "$R" || rc=$?
assert_eq 0 "$rc" "two reproducible builds: exit 0"
check "two builds are equivalent" '.verdict == "equivalent" and .missing == [] and .extra == []'
for n in build-id debug-sections timestamp build-path fs-metadata gzip-header archive-metadata container-header; do
	check "normalisation $n is named" '.normalisations | index($n) != null' --arg n "$n"
done
check "the daemon is equivalent by its build id, debug sections, timestamp and build path" \
	'[.files[] | select(.key == "squashfs!/usr/sbin/agentd")][0]
	 | .verdict == "equivalent" and (.normalisations | index("build-id") and index("debug-sections")
	   and index("timestamp") and index("build-path"))'
check "the stripped library is equivalent by its build id and timestamp only" \
	'[.files[] | select(.key == "squashfs!/usr/lib/libagent.so")][0]
	 | .verdict == "equivalent" and .normalisations == ["build-id", "timestamp"]'
check "/etc/version is equivalent by its build date" \
	'[.files[] | select(.key == "squashfs!/etc/version")][0] | .normalisations == ["timestamp"]'
check "unchanged files are identical" \
	'[.files[] | select(.key == "squashfs!/etc/passwd")][0].verdict == "identical"'

# Every normalisation can be refused, and then the difference it hid is shown.
R=$FV_WORK/nots.json
rc=0
"$FWVET" equiv --format json --no-normalise timestamp,build-path "$fw/a.bin" "$fw/b.bin" > "$R" || rc=$?
assert_eq 1 "$rc" "without timestamp and build-path: exit 1"
check "without the timestamp normalisation /etc/version differs in its content" \
	'[.files[] | select(.key == "squashfs!/etc/version")][0]
	 | .verdict == "different" and (.differences[0].what == "content")'
check "without them the daemon differs in .rodata" \
	'[.files[] | select(.key == "squashfs!/usr/sbin/agentd")][0].differences | map(.what) | index("section .rodata") != null'
check "refused normalisations are listed" '.normalisations_refused == ["timestamp", "build-path"]'
R=$FV_WORK/strict.json
rc=0
"$FWVET" equiv --format json --strict "$fw/a.bin" "$fw/b.bin" > "$R" || rc=$?
assert_eq 1 "$rc" "--strict: exit 1"
check "--strict applies no normalisation" '.verdict == "different" and .normalisations == []'

# One byte of a string constant.
R=$FV_WORK/str.json
rc=0
"$FWVET" equiv --format json "$fw/b.bin" "$fw/str.bin" > "$R" || rc=$?
assert_eq 1 "$rc" "a changed string constant: exit 1"
check "a changed string constant makes the daemon different" \
	'.verdict == "different" and ([.files[] | select(.verdict == "different") | .key]
	 | index("squashfs!/usr/sbin/agentd") != null)'
check "... in section .rodata, one byte" \
	'[.files[] | select(.key == "squashfs!/usr/sbin/agentd")][0].differences
	 | map(select(.what == "section .rodata")) | length == 1 and .[0].size == 1'
check "... and the library is identical" \
	'[.files[] | select(.key == "squashfs!/usr/lib/libagent.so")][0].verdict == "identical"'
check "the root filesystem holding it differs by that member" \
	'[.files[] | select(.verdict == "different") | .key] | all(. == "squashfs!/usr/sbin/agentd")'

# One instruction.
R=$FV_WORK/insn.json
rc=0
"$FWVET" equiv --format json "$fw/b.bin" "$fw/insn.bin" > "$R" || rc=$?
assert_eq 1 "$rc" "a changed instruction: exit 1"
check "a changed instruction is in section .text of function scale" \
	'[.files[] | select(.key == "squashfs!/usr/sbin/agentd")][0].differences
	 | map(select(.what == "section .text")) | length >= 1 and (.[0].functions | index("scale") != null)'

# Text output names the same things for a person.
"$FWVET" equiv "$fw/b.bin" "$fw/insn.bin" > "$FV_WORK/insn.txt" || true
grep -q '^  verdict   DIFFERENT' "$FV_WORK/insn.txt" && ok "text: verdict line" ||
	{ echo "FAIL: text verdict" >&2; fv_failures=$((fv_failures + 1)); }
grep -q 'section .text, bytes 0x[0-9a-f]*\.\.0x[0-9a-f]*, in scale' "$FV_WORK/insn.txt" && ok "text: section and function" ||
	{ echo "FAIL: text names the section and function" >&2; cat "$FV_WORK/insn.txt" >&2; fv_failures=$((fv_failures + 1)); }

# Folders: the two unpacked root filesystems, as a rebuilt tree is often delivered.
R=$FV_WORK/dirs.json
rc=0
"$FWVET" equiv --format json "$FV_WORK/build-aaaa/rootfs" "$FV_WORK/build-bbbb/rootfs" > "$R" || rc=$?
assert_eq 0 "$rc" "two root folders: exit 0"
check "two root folders are equivalent" '.verdict == "equivalent" and (.files | length) >= 5'

# A missing file makes the image different.
build_fw "$fw/less.bin" 1700000000 "$FV_WORK/build-aaaa" 1111111111111111
rm "$FV_WORK/build-aaaa/rootfs/etc/passwd"
R=$FV_WORK/missing.json
rc=0
"$FWVET" equiv --format json "$FV_WORK/build-bbbb/rootfs" "$FV_WORK/build-aaaa/rootfs" > "$R" || rc=$?
assert_eq 1 "$rc" "a missing file: exit 1"
check "a missing file is listed and makes it different" \
	'.verdict == "different" and (.missing | length == 1) and (.missing[0] | endswith("!/etc/passwd"))'

# Bad input: exit 2 with a clear message.
rc=0
"$FWVET" equiv "$fw/a.bin" "$FV_WORK/nonexistent.bin" 2> "$FV_WORK/err1" > /dev/null || rc=$?
assert_eq 2 "$rc" "an unreadable image: exit 2"
grep -q 'REBUILT' "$FV_WORK/err1" && ok "the message names the unreadable side" || fail "message: $(cat "$FV_WORK/err1")"
(cd "$src" && zip -q -X "$FV_WORK/other.zip" agentd.c)
rc=0
"$FWVET" equiv "$fw/a.bin" "$FV_WORK/other.zip" 2> "$FV_WORK/err2" > /dev/null || rc=$?
assert_eq 2 "$rc" "different formats: exit 2"
grep -q 'no format in common' "$FV_WORK/err2" && ok "the message says the formats differ" || fail "message: $(cat "$FV_WORK/err2")"
rc=0
"$FWVET" equiv "$fw/a.bin" "$FV_WORK/build-bbbb/rootfs" 2> "$FV_WORK/err3" > /dev/null || rc=$?
assert_eq 2 "$rc" "an image against a folder: exit 2"
rc=0
"$FWVET" equiv --no-normalise bogus "$fw/a.bin" "$fw/b.bin" 2> /dev/null > /dev/null || rc=$?
assert_eq 2 "$rc" "an unknown normalisation: exit 2"

[ "$fv_failures" -eq 0 ] || fail "$fv_failures checks failed"
finish

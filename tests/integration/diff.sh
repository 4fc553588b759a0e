# fwvet diff on an update pair built with the real tools, laid out as
# scripts/mkfirmware.sh lays out NOR flash: uImage (LZMA kernel), 0xFF to
# the next 64 KiB block, squashfs root.  v2 adds an account (passwd and
# shadow lines), a telnetd line in rcS and a new program, and its kernel is
# bigger, so the root filesystem moves to another 64 KiB offset: pairing
# must survive the move and the diff must show exactly those changes.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

cd "$FV_WORK"
CC=mipsel-linux-gnu-gcc
command -v "$CC" > /dev/null || CC=cc

# A small daemon, and the program v2 adds: a TCP server (bind, listen, accept).
cat > agent.c <<'C'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--status") == 0)
		puts("agent ok");
	return 0;
}
C
cat > newd.c <<'C'
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8081) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0)
		return 1;
	for (;;) {
		int c = accept(s, 0, 0);
		if (c >= 0)
			close(c);
	}
}
C
"$CC" -O2 -s -o agent agent.c
"$CC" -O2 -s -o newd newd.c

# rootfs DIR VERSION
rootfs() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/bin" "$d/etc/init.d" "$d/usr/sbin" "$d/www" "$d/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:*:65534:65534:nobody:/var:/bin/false\n' > "$d/etc/passwd"
	printf 'root:%s:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt abcdefgh 'Vq8#lmT2-rootpw')" > "$d/etc/shadow"
	printf '#!/bin/sh\nmount -t proc proc /proc\n/usr/sbin/agent --status &\n' > "$d/etc/init.d/rcS"
	printf 'BusyBox v1.36.1 (2023-11-14 22:13:20 UTC) multi-call binary.\n' > "$d/bin/busybox"
	ln -s busybox "$d/bin/sh"
	ln -s ../../bin/busybox "$d/usr/sbin/telnetd"
	printf '<html><body>Router</body></html>\n' > "$d/www/index.html"
	cp agent "$d/usr/sbin/agent"
	if [ "$2" = 2 ]; then
		echo 'service:x:0:0:Service:/tmp:/bin/sh' >> "$d/etc/passwd"
		printf 'service:%s:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt 12345678 'Pq4!zzT9-svc')" >> "$d/etc/shadow"
		echo '/usr/sbin/telnetd -l /bin/sh -p 2323 &' >> "$d/etc/init.d/rcS"
		cp newd "$d/usr/sbin/newd"
		chmod 0755 "$d/usr/sbin/newd"
	fi
	chmod 0755 "$d/bin/busybox" "$d/etc/init.d/rcS" "$d/usr/sbin/agent"
	chmod 0600 "$d/etc/shadow"
	chmod 1777 "$d/tmp"
	find "$d" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
}

# image OUT VERSION KERNEL-BYTES KERNEL-NAME
image() {
	rootfs "root$2" "$2"
	head -c "$3" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 > "vmlinux$2"
	lzma -9 -c "vmlinux$2" > "vmlinux$2.lzma"
	mkimage -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 -n "$4" \
		-d "vmlinux$2.lzma" "uImage$2" > /dev/null
	mksquashfs "root$2" "root$2.sqfs" -comp xz -all-root -noappend -quiet -no-progress > /dev/null
	cp "uImage$2" "$1"
	local end=$(( ($(stat -c %s "$1") + 65535) / 65536 * 65536 ))
	head -c $((end - $(stat -c %s "$1"))) /dev/zero | tr '\0' '\377' >> "$1"
	cat "root$2.sqfs" >> "$1"
}

image v1.bin 1 60000 Linux-5.15.137
image v2.bin 2 200000 Linux-5.15.150
# The premise of the pairing check: the root filesystem moved.
"$FWVET" identify --json v1.bin > id1.json
"$FWVET" identify --json v2.bin > id2.json
off1=$(jq '[.chunks[] | select(.format == "squashfs")][0].offset' id1.json)
off2=$(jq '[.chunks[] | select(.format == "squashfs")][0].offset' id2.json)
[ "$off1" != "$off2" ] || fail "the squashfs did not move ($off1)"
ok "the squashfs moved from $off1 to $off2"

rc=0
"$FWVET" diff --vulndb none --format json v1.bin v2.bin > d.json || rc=$?
assert_eq 0 "$rc" "diff exits 0 without --fail-on"
R=d.json
check "old and new images named" '.old.path == "v1.bin" and .new.path == "v2.bin" and (.old.format_chain | index("squashfs"))'
check "one file added: the new program" '[.files.added[] | select(.kind != "dir") | .key] == ["squashfs!/usr/sbin/newd"]'
check "no folder added or removed" '[.files.added[], .files.removed[] | select(.kind == "dir")] == []'
check "nothing removed" '.files.removed == []'
check "nothing renamed" '.files.renamed == []'
check "changed: the kernel, passwd, shadow, rcS; nothing else" \
	'[.files.changed[].key] | sort == ["squashfs!/etc/init.d/rcS", "squashfs!/etc/passwd", "squashfs!/etc/shadow", "uimage!/Linux-5.15.150"]'
check "files of the root changed in content only" \
	'[.files.changed[] | select(.key | startswith("squashfs!")) | .changes] | all(. == ["content"])'
check "the kernel, the uImage's one file, renamed with the image name and changed" \
	'.files.changed[] | select(.key == "uimage!/Linux-5.15.150") | .changes == ["name", "content"] and .old.key == "uimage!/Linux-5.15.137"'
check "changed paths are the new report paths" \
	'.files.changed[] | select(.key == "squashfs!/etc/passwd") | (.path | endswith("squashfs!/etc/passwd")) and .path != .old_path'
check "the new program may listen" '.files.added[0].listens == true and ([.listening[] | select(.key == "squashfs!/usr/sbin/newd")] | length == 1)'
check "one account added: service, uid 0" \
	'[.accounts.added[] | {name, uid, key}] == [{"name": "service", "uid": 0, "key": "squashfs!/etc/passwd"}]'
check "no account removed or changed" '.accounts.removed == [] and .accounts.changed == []'
check "one service added: telnetd with its arguments" \
	'[.services.added[] | {program, args}] == [{"program": "/usr/sbin/telnetd", "args": "-l /bin/sh -p 2323"}]'
check "telnetd was not started before" '.services.added[0].new_program == true'
check "no service removed or changed" '.services.removed == [] and .services.changed == []'
check "components unchanged" '.components.added == [] and .components.removed == [] and .components.changed == []'
check "new findings are about the added account, telnetd and the new program" \
	'[.findings.new[] | .path | test("/etc/(passwd|shadow)$|/etc/init.d/rcS$|/usr/sbin/(newd|telnetd)$")] | all'
check "new findings include the account" '[.findings.new[] | select(.category == "account")] | length > 0'
check "nothing resolved" '.findings.resolved == []'
check "summary counts the lists" \
	'.summary.files_added == 1 and .summary.files_changed == 4 and .summary.accounts_added == 1 and .summary.services_added == 1'

# --fail-on applies to new findings only.
check "a new critical finding: telnetd giving a shell" '[.findings.new[] | select(.severity == "critical" and .rule == "FV-SVC-001")] | length == 1'
rc=0
"$FWVET" diff --vulndb none --fail-on critical v1.bin v2.bin > /dev/null || rc=$?
assert_eq 1 "$rc" "--fail-on critical: exit 1 on a new critical finding"
rc=0
"$FWVET" diff --vulndb none --fail-on info --format json v2.bin v1.bin > rev.json || rc=$?
assert_eq 0 "$rc" "--fail-on info: exit 0 when the update only resolves findings (v2 to v1)"
R=rev.json
check "v2 to v1: the findings are resolved, the account removed" \
	'.findings.new == [] and (.findings.resolved | length) == 4 and [.accounts.removed[].name] == ["service"]'
rc=0
"$FWVET" diff --vulndb none --fail-on info v1.bin v1.bin > /dev/null || rc=$?
assert_eq 0 "$rc" "--fail-on info: exit 0 when nothing is new (v1 has findings of its own)"

# The same image twice: an empty diff.
"$FWVET" diff --vulndb none --format json -o same.json v1.bin v1.bin > stdout.txt
[ ! -s stdout.txt ] || fail "-o: the report went to stdout"
R=same.json
check "identical images: empty diff" \
	'([.files[], .accounts[], .services[], .endpoints[], .components[], .findings[] | length] | all(. == 0)) and .listening == []'

# Text: the security delta first, then files.
"$FWVET" diff --vulndb none v1.bin v2.bin > d.txt
grep -q '^  + service  uid 0' d.txt || fail "text: the added account"
grep -q '^  + /usr/sbin/telnetd -l /bin/sh -p 2323' d.txt || fail "text: the added service"
acc=$(grep -n '^Accounts:' d.txt | cut -d: -f1)
fil=$(grep -n '^Files:' d.txt | cut -d: -f1)
[ -n "$acc" ] && [ -n "$fil" ] && [ "$acc" -lt "$fil" ] || fail "text: accounts before files"
ok "text report: account and service listed, security delta before files"
"$FWVET" diff --vulndb none v1.bin v1.bin | grep -q '^No differences\.$' || fail "text: identical images"
ok "text report: identical images say so"

# Two unpacked roots: a program that gained a hidden command, a password
# changed in /etc/shadow, busybox made setuid.
cat > agent2.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--status") == 0)
		puts("agent ok");
	if (argc > 1 && strcmp(argv[1], "--debug-shell") == 0)
		return system("/bin/sh");
	return 0;
}
C
cp -a root1 fa
cp -a root1 fb
"$CC" -O2 -s -o fb/usr/sbin/agent agent2.c
sed -i "s|^root:[^:]*:|root:$(openssl passwd -1 -salt zzzzzzzz 'Xy7!other-pw'):|" fb/etc/shadow
chmod 4755 fb/bin/busybox
"$FWVET" diff --vulndb none --format json fa fb > f.json
R=f.json
check "folders: three files changed, none added or removed" \
	'[.files.changed[].key] == ["/bin/busybox", "/etc/shadow", "/usr/sbin/agent"] and .files.added == [] and .files.removed == []'
check "folders: busybox became setuid" '.files.changed[0].changes == ["mode 0755 -> 04755"]'
check "folders: the program's new import and comparison string" \
	'.files.changed[2].elf | (.imports_added == ["system"]) and (.strings_added | index("--debug-shell")) and (.functions_changed | length > 0)'
check "folders: root's password hash changed, read from the shadow file" \
	'[.accounts.changed[] | {name, changes}] == [{"name": "root", "changes": ["password hash changed"]}]'

# Bad input: exit 2 with a clear message.
rc=0
"$FWVET" diff v1.bin missing.bin 2> err.txt || rc=$?
assert_eq 2 "$rc" "a missing input: exit 2"
grep -q 'NEW missing.bin' err.txt || fail "the message names the missing input: $(cat err.txt)"
ok "the message names the missing input"
mkdir -p other
printf 'unrelated notes\n' > other/README.txt
(cd other && zip -q -X ../other.zip README.txt)
rc=0
"$FWVET" diff --vulndb none v1.bin other.zip 2> err.txt || rc=$?
assert_eq 2 "$rc" "an image against an unrelated zip: exit 2"
grep -q 'OLD (.*) is uimage squashfs, NEW (.*) is zip: no format in common' err.txt || fail "message: $(cat err.txt)"
ok "the message names both layouts"
rc=0
"$FWVET" diff --vulndb none root1 v2.bin 2> err.txt || rc=$?
assert_eq 2 "$rc" "a folder against an image: exit 2"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed"
finish

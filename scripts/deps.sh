#!/bin/sh
# Installs the Debian 12 packages fwvet needs to build, test, fuzz and
# benchmark, and nothing else.  Idempotent: only missing packages are
# installed.  `make demo` and `make test` both call it.
set -eu

PACKAGES="
build-essential
meson
ninja-build
pkg-config
clang
libclang-rt-14-dev
libvectorscan-dev
libpcre2-dev
zlib1g-dev
liblzma-dev
libbz2-dev
libzstd-dev
liblz4-dev
libarchive-dev
libsquashfs-dev
libfdt-dev
libssl-dev
libcmocka-dev
libmagic-dev
libcrypt-dev
libyara-dev
libcapstone-dev
libsqlite3-dev
libpq-dev
postgresql
sqlite3
libjansson-dev
jq
python3-jsonschema
chromium
squashfs-tools
squashfs-tools-ng
u-boot-tools
device-tree-compiler
cpio
xorriso
7zip
srecord
lzop
zstd
lz4
xz-utils
bzip2
gzip
openssl
perl
binutils
arj
libarchive-tools
e2fsprogs
libext2fs-dev
dosfstools
mtools
util-linux
cramfsswap
genromfs
android-sdk-libsparse-utils
mtd-utils
unyaffs
openssh-client
gcc-mipsel-linux-gnu
libc6-dev-mipsel-cross
gcc-arm-linux-gnueabi
libc6-dev-armel-cross
gcc-aarch64-linux-gnu
libc6-dev-arm64-cross
gcc-mips-linux-gnu
libc6-dev-mips-cross
gcc-powerpc-linux-gnu
libc6-dev-powerpc-cross
gcc-riscv64-linux-gnu
libc6-dev-riscv64-cross
gcc-i686-linux-gnu
libc6-dev-i386-cross
checksec
binutils-multiarch
"

# Only `make bench` needs the peer tools it compares against.
if [ "${1:-}" = "--bench" ]; then
	PACKAGES="binwalk time unyaffs 7zip squashfs-tools e2fsprogs dosfstools mtools util-linux xorriso diffoscope-minimal"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "fwvet: these packages are missing:$missing" >&2
	echo "fwvet: run 'sudo $0' or install them with apt-get" >&2
	exit 1
fi

echo "fwvet: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

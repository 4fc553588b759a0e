#!/bin/sh
# Small seed inputs for the fuzzers, one folder per format, made with the
# real tools, plus the peer corpus.
set -eu
out=$1
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/tree/d"
printf 'hello firmware\n' > "$t/tree/a.txt"
printf '#!/bin/sh\necho hi\n' > "$t/tree/d/run.sh"
ln -s a.txt "$t/tree/link"
seq 1 300 > "$t/plain"
seed() { mkdir -p "$out/$1"; cp "$2" "$out/$1/$(basename "$2")"; }
gzip -nc "$t/plain" > "$t/s.gz" && seed gzip "$t/s.gz"
xz -c "$t/plain" > "$t/s.xz" && seed xz "$t/s.xz"
lzma -c "$t/plain" > "$t/s.lzma" && seed lzma "$t/s.lzma"
bzip2 -c "$t/plain" > "$t/s.bz2" && seed bzip2 "$t/s.bz2"
zstd -qc "$t/plain" > "$t/s.zst" && seed zstd "$t/s.zst"
lz4 -qc "$t/plain" > "$t/s.lz4" && seed lz4 "$t/s.lz4"
lzop -c "$t/plain" > "$t/s.lzo" && seed lzop "$t/s.lzo"
(cd "$t/tree" && tar cf "$t/s.tar" .) && seed tar "$t/s.tar"
(cd "$t/tree" && find . | cpio -o -H newc 2>/dev/null > "$t/s.cpio") && seed cpio "$t/s.cpio"
(cd "$t/tree" && 7zz a -tzip "$t/s.zip" . >/dev/null) && seed zip "$t/s.zip"
(cd "$t/tree" && 7zz a -t7z "$t/s.7z" . >/dev/null) && seed 7z "$t/s.7z"
ar rc "$t/s.a" "$t/plain" "$t/tree/a.txt" && seed ar "$t/s.a"
xorriso -as mkisofs -quiet -r -o "$t/s.iso" "$t/tree" 2>/dev/null && seed iso9660 "$t/s.iso"
mksquashfs "$t/tree" "$t/s.sqfs" -comp gzip -noappend -quiet >/dev/null && seed squashfs "$t/s.sqfs"
mksquashfs "$t/tree" "$t/x.sqfs" -comp xz -noappend -quiet >/dev/null && seed squashfs "$t/x.sqfs"
mkfs.ubifs -r "$t/tree" -m 512 -e 15360 -c 64 -x lzo -o "$t/s.ubifs" && seed ubifs "$t/s.ubifs"
printf '[fs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' "$t/s.ubifs" > "$t/s.ini"
ubinize -o "$t/s.ubi" -p 16KiB -m 512 "$t/s.ini" >/dev/null 2>&1 && seed ubi "$t/s.ubi"
mkfs.jffs2 -l -r "$t/tree" -o "$t/s.jffs2" && seed jffs2 "$t/s.jffs2"
mkfs.jffs2 -b -x zlib -r "$t/tree" -o "$t/b.jffs2" && seed jffs2 "$t/b.jffs2"
mkfs.cramfs "$t/tree" "$t/s.cramfs" >/dev/null && seed cramfs "$t/s.cramfs"
genromfs -f "$t/s.romfs" -d "$t/tree" && seed romfs "$t/s.romfs"
head -c 65536 /dev/zero > "$t/z.raw" && cat "$t/plain" >> "$t/z.raw" && truncate -s 131072 "$t/z.raw" && img2simg "$t/z.raw" "$t/s.simg" && seed android-sparse "$t/s.simg"
mkimage -A arm -O linux -T kernel -C gzip -a 0 -e 0 -n seed -d "$t/s.gz" "$t/s.uimg" >/dev/null && seed uimage "$t/s.uimg"
printf '/dts-v1/;\n/ { model = "seed"; compatible = "seed"; };\n' > "$t/s.dts"
dtc -q -I dts -O dtb -o "$t/s.dtb" "$t/s.dts" && seed dtb "$t/s.dtb"
cat > "$t/s.its" <<ITS
/dts-v1/;
/ { description = "seed"; #address-cells = <1>;
  images { kernel-1 { data = /incbin/("$t/plain"); type = "kernel"; arch = "arm"; os = "linux";
    compression = "none"; load = <0>; entry = <0>; hash-1 { algo = "crc32"; }; }; };
  configurations { default = "conf-1"; conf-1 { kernel = "kernel-1"; }; }; };
ITS
mkimage -f "$t/s.its" "$t/s.fit" >/dev/null 2>&1 && seed fit "$t/s.fit"
objcopy -I binary -O ihex "$t/plain" "$t/s.hex" && seed ihex "$t/s.hex"
objcopy -I binary -O srec "$t/plain" "$t/s.srec" && seed srec "$t/s.srec"
seed elf /bin/true
# Small programs of every architecture the lifters read, for fuzz_flow and fuzz_elfparse.
for cc in mipsel-linux-gnu-gcc mips-linux-gnu-gcc arm-linux-gnueabi-gcc aarch64-linux-gnu-gcc \
	powerpc-linux-gnu-gcc riscv64-linux-gnu-gcc; do
	printf 'int puts(const char *);\nint main(int c, char **v) { return c > 1 && puts(v[1]) ? 0 : 1; }\n' > "$t/p.c"
	command -v "$cc" >/dev/null && "$cc" -Os -s -o "$t/p-$cc" "$t/p.c" 2>/dev/null && seed elf "$t/p-$cc"
done
mke2fs -q -F -t ext4 -b 1024 -N 16 -O ^has_journal -d "$t/tree" "$t/s.ext" 128 && seed ext "$t/s.ext"
mkfs.fat -C "$t/s.fat" 64 >/dev/null && MTOOLS_SKIP_CHECK=1 mcopy -s -i "$t/s.fat" "$t/tree"/* :: && seed fat "$t/s.fat"
head -c 8448 "$(dirname "$0")/../../../shared/corpus/binwalk-v3/yaffs2.bin" > "$t/s.yaffs2" 2>/dev/null && seed yaffs2 "$t/s.yaffs2"
corpus=$(dirname "$0")/../../../shared/corpus/binwalk-v3
for f in "$corpus"/*.bin; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .bin)
	case $b in zip_truncated) b=zip ;; squashfs_v2) b=squashfs ;; esac
	seed "$b" "$f"
done
# A report, a NUL, and a signature document of the shape fwvet scan --sign writes.
mkdir -p "$out/verify"
{
	printf '{"fwvet":"0.1.0","schema":1,"image":{"path":"fw.bin","sha256":"%064d","size":4096},' 0
	printf '"tool":{"rules_sha256":"%064d","vulndb_date":null},"findings":[{"cvss":9.8,"n":1e21}]}\0' 1
	printf '{"fwvet_signature":1,"algorithm":"Ed25519","canonicalization":"RFC 8785","key_id":"%064d",' 2
	printf '"signed":"2026-11-29T00:00:00Z","report":{"canonical_sha256":"%064d","file_sha256":"%064d",' 3 4
	printf '"file_size":1},"claims":{},"signature":"%086d=="}' 5
} > "$out/verify/signed"

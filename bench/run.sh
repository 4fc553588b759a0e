#!/bin/sh
# make bench: fwvet against Debian's binwalk 2.3.4 on the same inputs, side by
# side in one run, reported as ratios.  Not a test: nothing here asserts a time.
#   bench/run.sh [BUILD-DIR]
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
scripts/deps.sh --bench
fwvet=$(cd "$build" && pwd)/fwvet
work=$(cd "$build" && pwd)/bench
FV_CORPUS_DIR=$(cd .. && pwd)/shared/corpus/binwalk-v3
mkdir -p "$work"
export LC_ALL=C

# measure CMD...: runs once, prints "seconds peak-KiB".
measure() {
	/usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>&1 || true
	tail -1 "$work/time.out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.1f", a / b }'; }
mbps() { awk -v s="$1" -v t="$2" 'BEGIN { if (t <= 0) t = 0.001; printf "%.0f", s / t / 1048576 }'; }

echo "fwvet $($fwvet --version | cut -d' ' -f2) vs binwalk $(dpkg-query -W -f '${Version}' binwalk) on $(nproc) cores"
echo

# 1. identify on data without signatures.
if [ ! -f "$work/random-1g.bin" ]; then
	head -c 1G /dev/zero | openssl enc -aes-128-ctr -nosalt \
		-K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 > "$work/random-1g.bin"
	head -c 256M "$work/random-1g.bin" > "$work/random-256m.bin"
fi
cat "$work/random-1g.bin" > /dev/null # warm the page cache for both tools
set -- $(measure "$fwvet" identify "$work/random-1g.bin")
echo "identify, 1 GiB of random bytes: fwvet $1 s ($(mbps 1073741824 "$1") MiB/s), peak memory $(($2 / 1024)) MiB"
set -- $(measure "$fwvet" identify "$work/random-256m.bin"); f=$1
set -- $(measure binwalk "$work/random-256m.bin"); b=$1
echo "identify, 256 MiB of random bytes: fwvet $f s, binwalk $b s: fwvet is $(ratio "$b" "$f")x faster"

# 2. 32 MiB router images: uImage kernel, squashfs root of real programs, padding;
# the root compressed with xz (as OpenWrt does) and with gzip.
# mkimage_router OUT COMP
mkimage_router() {
	t=$(mktemp -d)
	mkdir -p "$t/root/usr/bin" "$t/root/etc"
	# About 70 MiB of this machine's programs: a root of 20-28 MiB.  "many"
	# takes programs and libraries of every size instead: about 1,000 files.
	total=0 count=0
	if [ "${3:-}" = many ]; then
		files=$(find /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -size -200k | sort)
	else
		files=$(find /usr/bin -maxdepth 1 -type f -size +16k | sort)
	fi
	for f in $files; do
		cp "$f" "$t/root/usr/bin/" 2>/dev/null || continue
		total=$((total + $(stat -c %s "$f"))) count=$((count + 1))
		[ $total -lt 73400320 ] && [ $count -lt 1000 ] || break
	done
	cp /etc/passwd /etc/group "$t/root/etc/"
	mksquashfs "$t/root" "$t/root.sqfs" -comp "$2" -noappend -quiet >/dev/null
	cp "$t/root.sqfs" "$1.root.sqfs" # the root alone, for the extraction floor below
	head -c 2M /dev/zero | openssl enc -aes-128-ctr -nosalt -K 00000000000000000000000000000000 \
		-iv 00000000000000000000000000000000 > "$t/k"
	lzma -c "$t/k" > "$t/k.lzma"
	mkimage -A mips -O linux -T kernel -C lzma -a 0 -e 0 -n bench -d "$t/k.lzma" "$t/uImage" >/dev/null
	cp "$t/uImage" "$1"
	sz=$(stat -c %s "$1"); head -c $((0x300000 - sz)) /dev/zero | tr '\0' '\377' >> "$1"
	cat "$t/root.sqfs" >> "$1"
	sz=$(stat -c %s "$1")
	if [ "$sz" -lt 33554432 ]; then
		head -c $((33554432 - sz)) /dev/zero | tr '\0' '\377' >> "$1"
	fi
	rm -rf "$t"
}

# binwalk 2.3 refuses to extract as root unless told to.
asroot=""
[ "$(id -u)" -ne 0 ] || asroot=--run-as=root
for comp in xz gzip many; do
	img=$work/router-$comp.bin
	if [ "$comp" = many ]; then
		[ -f "$img" ] && [ -f "$img.root.sqfs" ] || mkimage_router "$img" xz many
		label="xz root of many small files"
	else
		[ -f "$img" ] && [ -f "$img.root.sqfs" ] || mkimage_router "$img" "$comp"
		label="$comp root"
	fi
	rm -rf "$work/fv.out" "$work/bw.out"
	set -- $(measure "$fwvet" extract "$img" -C "$work/fv.out"); f=$1; fm=$2
	set -- $(measure binwalk -Me -q $asroot -C "$work/bw.out" "$img"); b=$1; bm=$2
	echo "extract, $(($(stat -c %s "$img") / 1048576)) MiB router image, $label: fwvet $f s ($((fm / 1024)) MiB peak), binwalk -Me $b s ($((bm / 1024)) MiB peak): fwvet is $(ratio "$b" "$f")x faster"
	echo "  files extracted: fwvet $(find "$work/fv.out" -type f | wc -l), binwalk $(find "$work/bw.out" -type f 2>/dev/null | wc -l)"
	# The floor: the root filesystem alone, decompressed by squashfs-tools' own
	# extractor (multi-threaded, no hashing, no scanning).  No extractor of the
	# image can be much faster than this; binwalk -Me calls it too.
	if [ -f "$img.root.sqfs" ]; then
		rm -rf "$work/us.out"
		set -- $(measure unsquashfs -q -n -d "$work/us.out" "$img.root.sqfs"); u=$1
		echo "  the root alone, by unsquashfs (decompression only): $u s; fwvet's whole image takes $(ratio "$f" "$u")x that, binwalk -Me $(ratio "$b" "$u")x"
		rm -rf "$work/us.out"
	fi
	# The whole evaluation (unpack, inventory, every analyzer) beside binwalk's unpacking alone.
	set -- $(measure "$fwvet" scan --no-store --format json -o "$work/scan.json" "$img"); s=$1; sm=$2
	echo "  scan (unpack + inventory + every analyzer, binaries included): fwvet $s s ($((sm / 1024)) MiB peak), $(jq '.summary.files' "$work/scan.json") files; binwalk -Me alone $b s (ratio $(ratio "$b" "$s"))"
	rm -rf "$work/fv.out" "$work/bw.out"
done

# 3. One root tree of real programs in each filesystem, fwvet extract against the
# reference extractor Debian has for it.
tree=$work/fs-tree
if [ ! -d "$tree" ]; then
	mkdir -p "$tree/usr/bin" "$tree/etc"
	total=0
	for f in $(find /usr/bin -maxdepth 1 -type f -size +16k | sort); do
		cp "$f" "$tree/usr/bin/"
		total=$((total + $(stat -c %s "$f")))
		[ $total -lt 31457280 ] || break
	done
	cp /etc/passwd /etc/group "$tree/etc/"
fi
fs=$work/fs
mkdir -p "$fs"
[ -f "$fs/root.sqfs" ] || mksquashfs "$tree" "$fs/root.sqfs" -comp gzip -noappend -quiet >/dev/null
[ -f "$fs/root.ext4" ] || mke2fs -q -t ext4 -d "$tree" "$fs/root.ext4" 64M
[ -f "$fs/root.fat" ] || { mkfs.fat -C -F 32 "$fs/root.fat" 65536 >/dev/null &&
	mcopy -s -i "$fs/root.fat" "$tree"/* ::; }
[ -f "$fs/root.cramfs" ] || mkfs.cramfs "$tree" "$fs/root.cramfs" >/dev/null
[ -f "$fs/root.iso" ] || xorriso -as mkisofs -quiet -r -o "$fs/root.iso" "$tree" 2>/dev/null

# vs NAME IMAGE REFERENCE-COMMAND...: the reference writes into $work/ref.out
vs() {
	name=$1 img=$2
	shift 2
	rm -rf "$work/fv.out" "$work/ref.out"
	mkdir -p "$work/ref.out"
	set -- $(measure "$fwvet" extract "$img" -C "$work/fv.out") "$@"
	f=$1
	shift 2
	r=$(cd "$work/ref.out" && measure "$@" | cut -d' ' -f1)
	printf '%-8s fwvet %6s s  %-22s %6s s  ratio %sx\n' "$name" "$f" "$1" "$r" "$(ratio "$r" "$f")"
	rm -rf "$work/fv.out" "$work/ref.out"
}
echo
echo "extract, one 30 MiB tree of programs in each filesystem (reference tool: higher ratio = fwvet faster)"
vs squashfs "$fs/root.sqfs" unsquashfs -q -d "$work/ref.out/x" "$fs/root.sqfs"
vs ext4 "$fs/root.ext4" 7zz x -y -bso0 "$fs/root.ext4"
vs fat32 "$fs/root.fat" 7zz x -y -bso0 "$fs/root.fat"
vs cramfs "$fs/root.cramfs" 7zz x -y -bso0 "$fs/root.cramfs"
vs iso9660 "$fs/root.iso" 7zz x -y -bso0 "$fs/root.iso"
vs yaffs2 "$FV_CORPUS_DIR/yaffs2.bin" unyaffs "$FV_CORPUS_DIR/yaffs2.bin"

# 4. Binary analysis: hardening and call sites of every ELF in Debian's
# busybox-static, dropbear, libssl3 and libc6 for mipsel, armel and arm64,
# against checksec (hardening) and objdump -d from binutils-multiarch (the
# disassembly call sites are counted from), on the same files.  fwvet's time
# is its whole scan of the folder (inventory and every analyzer, not only the
# binary analysis), so the ratio understates it.
echo
echo "binaries: hardening and call sites of Debian's busybox-static, dropbear, libssl3, libc6"
for arch in mipsel armel arm64; do
	dir=$work/debs-$arch
	if [ ! -d "$dir" ]; then
		FV_BUILDDIR=$(cd "$build" && pwd) tests/fixtures/foreign-debs.sh "$arch" "$dir" \
			busybox-static dropbear-bin libssl3 libc6 >/dev/null
	fi
	find "$dir" -type f -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print | sort > "$work/elfs"
	n=$(wc -l < "$work/elfs")
	bytes=$(xargs cat < "$work/elfs" | wc -c)
	xargs cat < "$work/elfs" > /dev/null # warm the page cache
	set -- $(measure "$fwvet" scan --format json -o "$work/scan-$arch.json" "$dir"); f=$1
	set -- $(measure sh -c 'while read -r e; do checksec --output=json --file="$e"; done < "$1"' _ "$work/elfs"); c=$1
	set -- $(measure sh -c 'while read -r e; do objdump -d "$e"; done < "$1"' _ "$work/elfs"); o=$1
	echo "  $arch: $n ELF files, $(($bytes / 1048576)) MiB: fwvet scan $f s; checksec $c s ($(ratio "$c" "$f")x);" \
		"objdump -d $o s ($(ratio "$o" "$f")x)"
done

# 5. Components: the component pass on the xz router image's unpacked tree
# (fwvet sbom on the folder: inventory, component fingerprints, package
# databases, vulnerability and end-of-life matching), beside the inventory
# alone, and the number of fingerprint rules beside the checker counts that
# cve-bin-tool (365) and EMBA (529) document.
echo
echo "components: the 32 MiB xz router image, unpacked"
tree=$work/router-tree
if [ ! -d "$tree" ]; then
	"$fwvet" extract "$work/router-xz.bin" -C "$tree" >/dev/null
fi
set -- $(measure "$fwvet" sbom --format cyclonedx -o "$work/sbom.json" "$tree"); s=$1
n=$(jq '.components | length' "$work/sbom.json")
bytes=$(du -sb "$tree" | cut -f1)
echo "  fwvet sbom of the tree ($((bytes / 1048576)) MiB): $s s, $n components ($(mbps "$bytes" "$s") MiB/s)"
set -- $(measure "$fwvet" sbom --format cyclonedx -o "$work/sbom.json" "$work/router-xz.bin"); s=$1
echo "  fwvet sbom of the image (unpacking included): $s s"
rules=$(ls rules/components/*.txt | wc -l)
patterns=$(cat rules/components/*.txt | grep -cE '^[[:space:]]*(string|file|soname)[[:space:]]')
echo "  rules: $rules components, $patterns patterns; cve-bin-tool documents 365 checkers, EMBA 529"

# 6. Equivalence: the xz router image rebuilt from the same tree on another
# day (other squashfs and uImage times), fwvet equiv against diffoscope,
# which shows the differences but leaves the verdict to a person.
echo
echo "equivalence: the 32 MiB xz router image against a rebuild of it on another day"
# Both built now, from this machine's programs as they are today.
shipped=$work/router-equiv-a.bin rebuilt=$work/router-equiv-b.bin
SOURCE_DATE_EPOCH=1700000000 mkimage_router "$shipped" xz
SOURCE_DATE_EPOCH=1710000000 mkimage_router "$rebuilt" xz
set -- $(measure "$fwvet" equiv --format json -o "$work/equiv.json" "$shipped" "$rebuilt"); f=$1; fm=$2
echo "  fwvet equiv: $f s ($((fm / 1024)) MiB peak), verdict $(jq -r .verdict "$work/equiv.json"), normalisations $(jq -r '.normalisations | join(",")' "$work/equiv.json")"
set -- $(measure timeout 3600 diffoscope --no-progress --text "$work/diffoscope.txt" "$shipped" "$rebuilt"); d=$1; dm=$2
echo "  diffoscope $(dpkg-query -W -f '${Version}' diffoscope-minimal): $d s ($((dm / 1024)) MiB peak), $(wc -l < "$work/diffoscope.txt") lines of differences, no verdict: fwvet is $(ratio "$d" "$f")x faster"

# 7. The store: the cost of an image whose files are all known, and workers.
bench/store.sh "$build" "$work" "$shipped" "$rebuilt"

# Truncated and bit-flipped copies of every fixture: fwvet must never
# crash, hang or write outside its output folder, whatever the damage.
#
# Inputs: fixtures built here with the real tools (so the test stands
# alone), whatever other tests have left in $FV_FIXTURES, and the binwalk
# peer samples.  Each input gets truncated copies (header only, 1/4, 1/2,
# 3/4, all but the last byte) and 8 copies with 1-16 bytes flipped at
# positions drawn from a generator seeded by the input's name, some inside
# the first 64 bytes (where the headers are) and some in the last 64 (where
# trailers such as a zip's central directory are).  Every copy is run
# through `extract --json` (and the originals, cuts and header flips also
# through `identify --json`) in a sandbox folder of its own; the run must exit 0 or 2 (not a signal, an ASan abort or a
# timeout), print JSON that parses, and leave nothing in the sandbox but
# the output folder, with no symlink in it that resolves outside.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

W="$FV_WORK"
FX="$W/fixtures"
mkdir -p "$FX"
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- fixtures
ROOT="$W/rootfs"
make_rootfs "$ROOT"
TAR="tar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner"
$TAR -cf "$FX/rootfs.tar" -C "$ROOT" .
gzip -9 -n -c "$FX/rootfs.tar" > "$FX/rootfs.tar.gz"
xz -6 -c "$FX/rootfs.tar" > "$FX/rootfs.tar.xz"
xz --format=lzma -c "$FX/rootfs.tar" > "$FX/rootfs.tar.lzma"
bzip2 -9 -c "$FX/rootfs.tar" > "$FX/rootfs.tar.bz2"
have zstd && zstd -q -19 -c "$FX/rootfs.tar" > "$FX/rootfs.tar.zst"
have lz4 && lz4 -q -9 -c "$FX/rootfs.tar" > "$FX/rootfs.tar.lz4"
have lzop && lzop -q -c "$FX/rootfs.tar" > "$FX/rootfs.tar.lzo"
perl -MCompress::Zlib -e 'local $/; print compress(<STDIN>)' < "$FX/rootfs.tar" > "$FX/rootfs.zlib"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible) > "$FX/rootfs.cpio"
(cd "$ROOT" && find . | LC_ALL=C sort | cpio --quiet -o -H odc --reproducible) > "$FX/rootfs-odc.cpio"
if have 7zz; then
	(cd "$ROOT" && 7zz a -snl -bso0 -bsp0 -tzip "$FX/rootfs.zip" . >/dev/null)
	(cd "$ROOT" && 7zz a -snl -bso0 -bsp0 -t7z "$FX/rootfs.7z" . >/dev/null)
fi
if have mksquashfs; then
	for c in xz gzip; do
		mksquashfs "$ROOT" "$FX/rootfs-$c.squashfs" -comp "$c" -noappend -all-root -quiet -no-progress \
			>/dev/null
	done
fi
have xorriso && xorriso -as mkisofs -quiet -R -J -V FWVET -o "$FX/rootfs.iso" "$ROOT" 2>/dev/null

# A "kernel", a device tree, and the images that carry them.
cat > "$W/prog.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) { printf("%s: %d\n", argv[0], argc); return 0; }
EOF
gcc -O2 -o "$FX/prog.elf" "$W/prog.c"
gzip -9 -n -c "$FX/prog.elf" > "$W/vmlinux.gz"
objcopy -O ihex "$FX/prog.elf" "$FX/prog.hex"
objcopy -O srec "$FX/prog.elf" "$FX/prog.srec"
ar rcD "$FX/prog.a" "$W/prog.c" "$ROOT/etc/passwd"
if have dtc; then
	printf '/dts-v1/;\n/ { model = "fwvet board"; compatible = "fwvet,test"; memory { reg = <0x0 0x8000000>; }; };\n' \
		> "$W/board.dts"
	dtc -q -I dts -O dtb -o "$FX/board.dtb" "$W/board.dts"
fi
if have mkimage; then
	mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 -n fwvet-kernel \
		-d "$W/vmlinux.gz" "$FX/kernel.uimage" >/dev/null
	if [ -f "$FX/board.dtb" ]; then
		mkimage -A arm -O linux -T multi -C none -a 0 -e 0 -n fwvet-multi \
			-d "$W/vmlinux.gz:$FX/board.dtb" "$FX/multi.uimage" >/dev/null
		cat > "$W/fit.its" <<EOF
/dts-v1/;
/ {
	description = "fwvet FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			data = /incbin/("$W/vmlinux.gz");
			type = "kernel"; arch = "mips"; os = "linux"; compression = "gzip";
			load = <0x80000000>; entry = <0x80000000>;
			hash-1 { algo = "crc32"; };
		};
		fdt-1 {
			data = /incbin/("$FX/board.dtb");
			type = "flat_dt"; arch = "mips"; compression = "none";
		};
	};
	configurations { default = "conf-1"; conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; }; };
};
EOF
		mkimage -f "$W/fit.its" "$FX/fit.itb" >/dev/null
	fi
	# A router flash: kernel, 0xFF padding to 64 KiB, squashfs root.
	if [ -f "$FX/rootfs-xz.squashfs" ]; then
		k=$(stat -c %s "$FX/kernel.uimage")
		pad=$(((k + 65535) / 65536 * 65536 - k))
		{ cat "$FX/kernel.uimage"; head -c "$pad" /dev/zero | tr '\0' '\377'; cat "$FX/rootfs-xz.squashfs"; } \
			> "$FX/flash.bin"
	fi
fi
nfix=$(find "$FX" -type f | wc -l)
[ "$nfix" -ge 15 ] || fail "only $nfix fixtures built"
ok "$nfix fixtures built with the real tools"

# ---------------------------------------------------------------- inputs
# Fixtures other tests built (bombs are left to their own tests: a mutated
# bomb only measures the limits again, slowly), and the peer corpus.
LIST="$W/inputs.list"
find "$FX" -type f > "$LIST"
find "$FV_FIXTURES" -type f -size +63c -size -4097k ! -name '*bomb*' 2>/dev/null | LC_ALL=C sort | head -n 15 >> "$LIST"
if [ -d "$FV_CORPUS/binwalk-v3" ]; then
	find "$FV_CORPUS/binwalk-v3" -name '*.bin' -type f | LC_ALL=C sort >> "$LIST"
fi

VAR="$W/variants"
mkdir -p "$VAR"
i=0
while IFS= read -r f; do
	i=$((i + 1))
	name="$(printf '%03d' "$i")-$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')"
	cp "$f" "$VAR/$name"
	perl - "$f" "$VAR" "$name" <<'EOF'
use strict; use warnings;
my ($src, $out, $name) = @ARGV;
open(my $fh, '<:raw', $src) or die "$src: $!";
my $d = do { local $/; <$fh> };
close $fh;
my $n = length $d;
exit 0 if $n < 2;
sub put { my ($file, $data) = @_; open(my $o, '>:raw', "$out/$file") or die; print $o $data; close $o; }
# Cuts: header only, quarters, all but the last byte.
my %seen;
for my $cut (64, int($n / 4), int($n / 2), int(3 * $n / 4), $n - 1) {
	next if $cut <= 0 || $cut >= $n || $seen{$cut}++;
	put("$name.cut$cut", substr($d, 0, $cut));
}
# Flips from xorshift32 seeded by the name (FNV-1a): the same copies every run.
my $s = 2166136261;
$s = (($s ^ $_) * 16777619) % 4294967296 for unpack('C*', $name);
$s ||= 1;
sub rnd {
	$s ^= ($s << 13) & 0xffffffff; $s ^= $s >> 17; $s ^= ($s << 5) & 0xffffffff;
	return $s;
}
my $edge = $n < 64 ? $n : 64;
for my $v (0 .. 7) {
	my $m = $d;
	my $k = 1 + rnd() % 16;
	for my $j (1 .. $k) {
		my $pos = $v < 4 && $j <= 2 ? rnd() % $edge          # in the header
			: $v == 7 && $j <= 2 ? $n - 1 - rnd() % $edge  # in a trailer
			: rnd() % $n;
		substr($m, $pos, 1) = chr(ord(substr($m, $pos, 1)) ^ (1 + rnd() % 255));
	}
	put("$name.flip$v", $m);
}
EOF
done < "$LIST"
nvar=$(find "$VAR" -type f | wc -l)
ok "$nvar inputs from $i files (originals, truncated and bit-flipped copies)"

# ---------------------------------------------------------------- runs
SB="$W/sandbox"
JS="$W/json"
FAILS="$W/failures"
mkdir -p "$SB" "$JS"
: > "$FAILS"
export FWVET SB JS FAILS

# One input: extract then identify, each checked.  Always returns 0; a
# problem is a line in $FAILS.
run_one() {
	local in=$1 id sb run rc extra mode modes out
	id=$(basename "$in")
	# Two levels of sandbox around the output folder, so that an escape
	# through "../" or "../.." lands somewhere this function looks.
	sb="$SB/$id"
	run="$sb/run"
	mkdir -p "$run"
	# identify adds only the nested probes to what extract runs: it gets
	# the originals, the cuts and the header flips.
	modes=extract
	case $id in *.flip[2-7]) ;; *) modes="extract identify" ;; esac
	# A damaged image against the one it came from: every container and ELF comparison of equiv.
	case $id in *.cut* | *.flip0 | *.flip1) modes="$modes equiv" ;; esac
	for mode in $modes; do
		out="$JS/$id@$mode"
		if [ $mode = extract ]; then
			(cd "$run" && exec timeout -k 5 60 "$FWVET" extract --json "$in" -C "$run/out") \
				> "$out.json" 2> "$out.err"
		elif [ $mode = equiv ]; then
			(cd "$run" && TMPDIR="$run" exec timeout -k 5 60 "$FWVET" equiv --format json "${in%.*}" "$in") \
				> "$out.json" 2> "$out.err"
		else
			(cd "$run" && exec timeout -k 5 60 "$FWVET" identify --json "$in") > "$out.json" 2> "$out.err"
		fi
		rc=$?
		# equiv: 1 is the verdict "different".
		[ $mode = equiv ] && [ $rc = 1 ] && rc=0
		case $rc in
		0) jq -e 'type == "object"' "$out.json" >/dev/null 2>&1 ||
			echo "$id: $mode: the JSON output does not parse" >> "$FAILS" ;;
		2) [ ! -s "$out.json" ] || jq -e . "$out.json" >/dev/null 2>&1 ||
			echo "$id: $mode: exit 2 with output that is not JSON" >> "$FAILS" ;;
		124 | 137) echo "$id: $mode: timed out" >> "$FAILS" ;;
		*) echo "$id: $mode: exit status $rc: $(tail -c 400 "$out.err" | tr '\n' ' ')" >> "$FAILS" ;;
		esac
		extra=$( (ls -A "$run" | grep -vx out; ls -A "$sb" | grep -vx run) || true)
		[ -z "$extra" ] || echo "$id: $mode: wrote outside the output folder: $extra" >> "$FAILS"
	done
	if [ -d "$run/out" ]; then
		find "$run/out" -type l | while IFS= read -r l; do
			case "$(realpath -m "$l")" in
			"$run/out"/*) ;;
			*) echo "$id: symlink ${l#$run/} resolves outside the output folder" >> "$FAILS" ;;
			esac
		done
	fi
	rm -rf "$sb"
	if ! grep -qF "$id: " "$FAILS"; then
		rm -f "$JS/$id"@*
	fi
	return 0
}
export -f run_one

find "$VAR" -type f | LC_ALL=C sort | xargs -P 2 -n 1 bash -c 'run_one "$1"' _
if [ -s "$FAILS" ]; then
	sort "$FAILS" | head -n 50 >&2
	fail "$(wc -l < "$FAILS") problems in $nvar runs (outputs kept in $JS)"
fi
# Escapes further up would land in $SB or in this test's folder.
[ -z "$(ls -A "$SB")" ] || fail "left in the sandbox folder: $(ls -A "$SB" | head)"
for e in "$W"/*; do
	case "${e#$W/}" in
	fixtures | variants | sandbox | json | failures | inputs.list | rootfs | prog.c | vmlinux.gz | board.dts | fit.its) ;;
	*) fail "unexpected entry in the test folder: $e" ;;
	esac
done
ok "$nvar damaged inputs: no crash, no hang, JSON parses, nothing written outside the output folder"
finish

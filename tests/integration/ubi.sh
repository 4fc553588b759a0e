# UBIFS images from mkfs.ubifs with every compressor, bare and inside UBI
# images from ubinize in two flash geometries, extracted and compared with
# the tree that built them; raw UBI volumes compared byte for byte.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
# A hard link, a multi-block file, an empty file and a file with a hole.
ln "$ROOT/etc/passwd" "$ROOT/etc/passwd.hard"
seq 1 60000 > "$ROOT/usr/lib/multiblock.txt"
: > "$ROOT/var/empty"
truncate -s 300000 "$ROOT/var/sparse"
printf 'end' >> "$ROOT/var/sparse"
chmod 0644 "$ROOT/usr/lib/multiblock.txt" "$ROOT/var/empty" "$ROOT/var/sparse"
find "$ROOT" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
# The sink records the sticky bit of /tmp but does not apply it.
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"

# Bare mkfs.ubifs images, one per compressor.
for comp in lzo zlib zstd none; do
	img="$FV_WORK/rootfs-$comp.ubifs"
	mkfs.ubifs -r "$ROOT" -m 2048 -e 129024 -c 200 -x "$comp" -o "$img"
	out="$FV_WORK/out-$comp"
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$comp.json"
	assert_eq "ubifs ok" "$(json_get "$FV_WORK/$comp.json" '.extraction[0] | "\(.format) \(.status)"')" "$comp: extracted"
	assert_eq "$(stat -c %s "$img")" "$(json_get "$FV_WORK/$comp.json" '.extraction[0].size')" "$comp: size is the image"
	case "$(json_get "$FV_WORK/$comp.json" '.extraction[0].description')" in
	"UBIFS image, format version "*", LEB size 129024, "*" LEBs (max 200), min I/O 2048, $comp, fanout 8, UUID "*) ok "$comp: description" ;;
	*) fail "$comp: description: $(json_get "$FV_WORK/$comp.json" '.extraction[0].description')" ;;
	esac
	assert_same_tree "$EXPECTED" "$out/0x0.ubifs" "$comp: tree"
	assert_eq "01777" "$(json_get "$FV_WORK/$comp.json" '.files[] | select(.path | endswith("!/tmp")) | .mode' | sed 's/^0*/0/')" "$comp: /tmp mode recorded"
done

# ubinize: a UBIFS rootfs, a static raw "kernel" and a dynamic raw "config".
head -c 300000 /dev/zero | tr '\0' 'K' > "$FV_WORK/kernel.bin"
seq 1 400 > "$FV_WORK/config.bin"
geom() { # NAME PEB-KIB MIN-IO SUB-PAGE LEB UBIFS-MIN-IO
	local name=$1 peb=$2 mio=$3 sub=$4 leb=$5 fmio=$6
	mkfs.ubifs -r "$ROOT" -m "$fmio" -e "$leb" -c 300 -x zlib -o "$FV_WORK/$name-root.ubifs"
	cat > "$FV_WORK/$name.ini" <<-INI
	[rootfs]
	mode=ubi
	image=$FV_WORK/$name-root.ubifs
	vol_id=0
	vol_type=dynamic
	vol_name=rootfs
	[kernel]
	mode=ubi
	image=$FV_WORK/kernel.bin
	vol_id=1
	vol_type=static
	vol_name=kernel
	[config]
	mode=ubi
	image=$FV_WORK/config.bin
	vol_id=2
	vol_type=dynamic
	vol_name=config
	INI
	ubinize -o "$FV_WORK/$name.ubi" -p "${peb}KiB" -m "$mio" -s "$sub" -Q 1234 "$FV_WORK/$name.ini" 2>/dev/null
	local img="$FV_WORK/$name.ubi" out="$FV_WORK/out-$name"
	"$FWVET" identify --json "$img" > "$FV_WORK/$name-id.json"
	assert_eq "0 ubi high $(stat -c %s "$img")" "$(json_get "$FV_WORK/$name-id.json" '.chunks[0] | "\(.offset) \(.format) \(.confidence) \(.size)"')" "$name: identified"
	case "$(json_get "$FV_WORK/$name-id.json" '.chunks[0].description')" in
	"UBI image, PEB size $((peb * 1024)), "*"image sequence 0x000004d2, 3 volumes: rootfs (dynamic), kernel (static), config (dynamic)") ok "$name: description" ;;
	*) fail "$name: description: $(json_get "$FV_WORK/$name-id.json" '.chunks[0].description')" ;;
	esac
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$name.json"
	assert_eq "ubi ok" "$(json_get "$FV_WORK/$name.json" '.extraction[0] | "\(.format) \(.status)"')" "$name: extracted"
	cmp "$FV_WORK/kernel.bin" "$out/0x0.ubi/kernel.bin" || fail "$name: static volume bytes"
	ok "$name: static volume byte for byte"
	# A dynamic volume holds whole LEBs: the data, then erased flash.
	local cs n
	cs=$(stat -c %s "$FV_WORK/config.bin")
	assert_eq "$leb" "$(stat -c %s "$out/0x0.ubi/config.bin")" "$name: dynamic volume is one LEB"
	cmp -n "$cs" "$FV_WORK/config.bin" "$out/0x0.ubi/config.bin" || fail "$name: dynamic volume bytes"
	n=$(tail -c +$((cs + 1)) "$out/0x0.ubi/config.bin" | tr -d '\377' | wc -c)
	assert_eq 0 "$n" "$name: dynamic volume padded with 0xff"
	assert_same_tree "$EXPECTED" "$out/0x0.ubi/rootfs.ubifs.extracted/0x0.ubifs" "$name: rootfs tree"
}
geom nand 128 2048 512 129024 2048
geom nor 64 1 1 65408 8

# For tests/hostile/mutate.sh, which damages every fixture it finds.
cp "$FV_WORK/nor.ubi" "$FV_FIXTURES/ubi-nor.ubi"
cp "$FV_WORK/rootfs-zstd.ubifs" "$FV_FIXTURES/rootfs-zstd.ubifs"

# Cut short inside a PEB: still identified, extraction partial.
head -c $((1024 * 1024 + 5000)) "$FV_WORK/nor.ubi" > "$FV_WORK/cut.ubi"
"$FWVET" extract --json "$FV_WORK/cut.ubi" -C "$FV_WORK/out-cut" > "$FV_WORK/cut.json"
assert_eq "ubi partial" "$(json_get "$FV_WORK/cut.json" '.extraction[0] | "\(.format) \(.status)"')" "truncated UBI: partial"
finish

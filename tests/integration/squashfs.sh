# squashfs 4.0 with every compressor mksquashfs offers, extracted and
# compared with the tree that built it; plus the binwalk peer sample.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
# A hard link, a file spanning several blocks with a tail in a fragment,
# an empty file and a sparse file.
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

for comp in gzip lzma xz lzo lz4 zstd; do
	img="$FV_WORK/rootfs-$comp.squashfs"
	mksquashfs "$ROOT" "$img" -comp "$comp" -b 65536 -noappend -quiet -no-progress >/dev/null
	out="$FV_WORK/out-$comp"
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$comp.json"
	assert_eq "squashfs" "$(json_get "$FV_WORK/$comp.json" '.extraction[0].format')" "$comp: format"
	assert_eq "ok" "$(json_get "$FV_WORK/$comp.json" '.extraction[0].status')" "$comp: status"
	used=$(od -An -tu8 -j40 -N8 "$img" | tr -d ' ')
	assert_eq "$used" "$(json_get "$FV_WORK/$comp.json" '.extraction[0].size')" "$comp: size is bytes_used"
	case "$(json_get "$FV_WORK/$comp.json" '.extraction[0].description')" in
	"squashfs 4.0 little endian, $comp, block size 65536, "*" inodes, "*", created 2023-11-14") ok "$comp: description" ;;
	*) fail "$comp: description: $(json_get "$FV_WORK/$comp.json" '.extraction[0].description')" ;;
	esac
	assert_same_tree "$EXPECTED" "$out/0x0.squashfs" "$comp: tree"
	# Owners are recorded; the sticky bit of /tmp is recorded, not applied.
	assert_eq "01777" "$(json_get "$FV_WORK/$comp.json" '.files[] | select(.path | endswith("!/tmp")) | .mode' | sed 's/^0*/0/')" "$comp: /tmp mode recorded"
done

# identify agrees with extract on offset, size and confidence.
"$FWVET" identify --json "$FV_WORK/rootfs-xz.squashfs" > "$FV_WORK/id.json"
assert_eq "0 squashfs high" "$(json_get "$FV_WORK/id.json" '.chunks[0] | "\(.offset) \(.format) \(.confidence)"')" "identify xz image"

# Big endian 4.0: no tool writes one, so swap the superblock of a real
# image: identified with a full description, extraction refused clearly.
be="$FV_WORK/be.squashfs"
perl -e 'local $/; $_ = <STDIN>;
	my @f = unpack("a4 V4 v6 Q<8", substr($_, 0, 96));
	print pack("a4 N4 n6 Q>8", "sqsh", @f[1 .. 18]), substr($_, 96)' \
	< "$FV_WORK/rootfs-xz.squashfs" > "$be"
"$FWVET" identify --json "$be" > "$FV_WORK/be-id.json"
case "$(json_get "$FV_WORK/be-id.json" '.chunks[0].description')" in
"squashfs 4.0 big endian, xz, block size 65536, "*) ok "big endian identified" ;;
*) fail "big endian description: $(json_get "$FV_WORK/be-id.json" '.chunks[0].description')" ;;
esac
used=$(od -An -tu8 -j40 -N8 "$FV_WORK/rootfs-xz.squashfs" | tr -d " ")
assert_eq "$used" "$(json_get "$FV_WORK/be-id.json" '.chunks[0].size')" "big endian size"
"$FWVET" extract --json "$be" -C "$FV_WORK/out-be" > "$FV_WORK/be.json"
assert_eq "failed" "$(json_get "$FV_WORK/be.json" '.extraction[0].status')" "big endian superblock over little-endian tables: refused"
json_get "$FV_WORK/be.json" '.extraction[0].error' | grep -q 'big-endian' || fail "big endian error text"
ok "big endian error names the byte order"

# The peer sample from binwalk's tests.
if [ -f "$FV_CORPUS/binwalk-v3/squashfs.bin" ]; then
	"$FWVET" extract --json "$FV_CORPUS/binwalk-v3/squashfs.bin" -C "$FV_WORK/out-peer" > "$FV_WORK/peer.json"
	assert_eq "squashfs ok" "$(json_get "$FV_WORK/peer.json" '.extraction[0] | "\(.format) \(.status)"')" "peer sample extracted"
	n=$(find "$FV_WORK/out-peer/0x0.squashfs" -type f -size +0 | wc -l)
	[ "$n" -ge 1 ] || fail "peer sample: no file with content"
	ok "peer sample: $n files with content"
	# squashfs 2.0 big endian: identified and sized, not extracted.
	"$FWVET" identify --json "$FV_CORPUS/binwalk-v3/squashfs_v2.bin" > "$FV_WORK/v2.json"
	assert_eq "0 squashfs 2587654" "$(json_get "$FV_WORK/v2.json" '.chunks[0] | "\(.offset) \(.format) \(.size)"')" "squashfs 2.0 identified"
fi
finish

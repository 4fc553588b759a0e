# ext2/3/4 images made by mke2fs -d from the rootfs tree, extracted through
# libext2fs and compared with the tree; plus an ext4 image at an offset
# inside a larger flash dump.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH

ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
# A hard link, a slow symlink (target longer than 60 bytes), a FIFO, nested
# folders and a file of many blocks.
ln "$ROOT/etc/passwd" "$ROOT/etc/passwd.hard"
long=usr/share/a/b/directory-with-a-name-long-enough-to-need-a-slow-symlink
mkdir -p "$ROOT/$long"
long=$long/leaf
printf 'deep\n' > "$ROOT/$long"
ln -s "../$long" "$ROOT/bin/longlink"
mkfifo "$ROOT/var/fifo"
seq 1 90000 > "$ROOT/usr/lib/multiblock.txt"
chmod 0644 "$ROOT/usr/lib/multiblock.txt" "$ROOT/$long"
chmod 0755 "$ROOT/usr/share" "$ROOT/usr/share/a" "$ROOT/usr/share/a/b" "$(dirname "$ROOT/$long")"
find "$ROOT" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
# The sink records the sticky bit of /tmp but does not apply it; FIFOs are
# recorded, not created; mke2fs adds lost+found.
EXPECTED="$FV_WORK/expected"
cp -a "$ROOT" "$EXPECTED"
chmod 0777 "$EXPECTED/tmp"
rm "$EXPECTED/var/fifo"
mkdir -m 0700 "$EXPECTED/lost+found"

UUID=0badc0de-1234-5678-9abc-def012345678
for t in ext2 ext3 ext4; do
	img="$FV_WORK/rootfs.$t"
	mke2fs -q -F -t "$t" -b 1024 -d "$ROOT" -E root_owner=0:0,hash_seed=$UUID -U "$UUID" -L "fw-$t" "$img" 8M
	out="$FV_WORK/out-$t"
	"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/$t.json"
	assert_eq "ext ok 8388608" "$(json_get "$FV_WORK/$t.json" '.extraction[0] | "\(.format) \(.status) \(.size)"')" "$t: format, status, size"
	case "$(json_get "$FV_WORK/$t.json" '.extraction[0].description')" in
	"$t filesystem, block size 1024, 8.0 MiB, 2048 inodes"*", volume \"fw-$t\", UUID $UUID") ok "$t: description" ;;
	*) fail "$t: description: $(json_get "$FV_WORK/$t.json" '.extraction[0].description')" ;;
	esac
	assert_same_tree "$EXPECTED" "$out/0x0.ext" "$t: tree"
	assert_eq "01777" "$(json_get "$FV_WORK/$t.json" '.files[] | select(.path | endswith("!/tmp")) | .mode' | sed 's/^0*/0/')" "$t: /tmp mode recorded"
	assert_eq "fifo" "$(json_get "$FV_WORK/$t.json" '.files[] | select(.path | endswith("!/var/fifo")) | .type')" "$t: FIFO recorded"
	assert_eq "../$long" "$(json_get "$FV_WORK/$t.json" '.files[] | select(.path | endswith("!/bin/longlink")) | .link')" "$t: slow symlink target"
done

# 32-bit owners: uid/gid above 65535 come from i_uid_high.
mkdir -p "$FV_WORK/own"
printf 'x\n' > "$FV_WORK/own/f"
touch -d @"$SOURCE_DATE_EPOCH" "$FV_WORK/own/f" "$FV_WORK/own"
mke2fs -q -F -t ext4 -d "$FV_WORK/own" -U "$UUID" -E hash_seed=$UUID "$FV_WORK/own.ext4" 2M
debugfs -w -R "sif /f uid 70000" "$FV_WORK/own.ext4" 2>/dev/null
debugfs -w -R "sif /f gid 80001" "$FV_WORK/own.ext4" 2>/dev/null
"$FWVET" extract --json "$FV_WORK/own.ext4" -C "$FV_WORK/out-own" > "$FV_WORK/own.json"
assert_eq "70000 80001" "$(json_get "$FV_WORK/own.json" '.files[] | select(.path | endswith("!/f")) | "\(.uid) \(.gid)"')" "32-bit uid and gid"

# An ext4 image at 0x20000 inside a flash dump, between random filler.
flash="$FV_WORK/flash.bin"
head -c 131072 /dev/urandom > "$flash"
cat "$FV_WORK/rootfs.ext4" >> "$flash"
head -c 65536 /dev/urandom >> "$flash"
"$FWVET" identify --json "$flash" > "$FV_WORK/flash-id.json"
assert_eq "131072 ext high 8388608" "$(json_get "$FV_WORK/flash-id.json" '.chunks[] | select(.format == "ext") | "\(.offset) \(.format) \(.confidence) \(.size)"')" "embedded ext4 identified"
"$FWVET" extract "$flash" -C "$FV_WORK/out-flash" > /dev/null
assert_same_tree "$EXPECTED" "$FV_WORK/out-flash/0x20000.ext" "embedded ext4: tree"

# Truncated: identified as such, extraction partial or failed, no crash.
head -c 3000000 "$FV_WORK/rootfs.ext2" > "$FV_WORK/cut.ext2"
"$FWVET" extract --json "$FV_WORK/cut.ext2" -C "$FV_WORK/out-cut" > "$FV_WORK/cut.json"
case "$(json_get "$FV_WORK/cut.json" '.extraction[0].status')" in
partial|failed) ok "truncated image: $(json_get "$FV_WORK/cut.json" '.extraction[0].status')" ;;
*) fail "truncated image: status $(json_get "$FV_WORK/cut.json" '.extraction[0].status')" ;;
esac
finish

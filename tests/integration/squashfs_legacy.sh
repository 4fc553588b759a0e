# squashfs 2.x/3.x: the binwalk peer sample (2.0, big endian, LZMA blocks
# with a 5-byte header as Broadcom's SDK wrote them, 431 inodes) extracted
# whole.  Its metadata is stored uncompressed, so Debian's unsquashfs can
# list it (though not read its LZMA data): that listing is the reference
# for every entry's name, type, permissions, size and link target.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

img="$FV_CORPUS/binwalk-v3/squashfs_v2.bin"
[ -f "$img" ] || fail "peer sample $img missing"
"$FWVET" identify --json "$img" > "$FV_WORK/id.json"
case "$(json_get "$FV_WORK/id.json" '.chunks[0].description')" in
"squashfs 2.0 big endian, lzma, block size 65536, 431 inodes"*) ok "identify names version, byte order and LZMA" ;;
*) fail "identify: $(json_get "$FV_WORK/id.json" '.chunks[0].description')" ;;
esac
out="$FV_WORK/out"
"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/x.json"
assert_eq "squashfs ok 2587654" \
	"$(json_get "$FV_WORK/x.json" '.extraction[0] | "\(.format) \(.status) \(.size)"')" "chunk extracted ok"
assert_eq 0 "$(json_get "$FV_WORK/x.json" '[.extraction[] | select(.status != "ok")] | length')" \
	"no partial or failed chunk anywhere (nested ELF files whole)"

# Members of the squashfs itself: 430 plus the root folder = 431 inodes.
jq -r '.files[] | select(.path | test("^squashfs_v2.bin!0x0.squashfs!/[^!]*$"))
	| [(.path | sub("^squashfs_v2.bin!0x0.squashfs!"; "")),
	   ({"file":"-","dir":"d","symlink":"l","char":"c","block":"b","fifo":"p","socket":"s"}[.type]),
	   .mode[-3:], (if .type == "file" then .size else "-" end), (.link // "-")] | join(" ")' \
	"$FV_WORK/x.json" | sort > "$FV_WORK/ours.txt"
assert_eq 430 "$(wc -l < "$FV_WORK/ours.txt")" "430 members + root = 431 inodes"
assert_eq "263 28 68 34 36 1" \
	"$(for t in - d l c b p; do awk -v t="$t" '$2 == t' "$FV_WORK/ours.txt" | wc -l; done | tr '\n' ' ' | sed 's/ $//')" \
	"files, dirs, symlinks, char and block devices, fifos"

if command -v unsquashfs >/dev/null && unsquashfs -lln "$img" > "$FV_WORK/ref.raw" 2>/dev/null; then
	awk '{
		perm = $1; t = substr(perm, 1, 1); m = 0
		for (i = 2; i <= 10; i++) { c = substr(perm, i, 1); m = m * 2 + (c != "-" && c != "S" && c != "T") }
		# Device numbers take one or two fields; the path follows the time.
		for (p = 3; p < NF; p++) if ($p ~ /^[0-9][0-9]:[0-9][0-9]$/) break
		p++
		path = $p; sub(/^squashfs-root/, "", path)
		if (path == "") next
		link = (t == "l") ? $(p + 2) : "-"
		printf "%s %s %03o %s %s\n", path, t, m, (t == "-") ? $3 : "-", link
	}' "$FV_WORK/ref.raw" | sort > "$FV_WORK/ref.txt"
	if ! diff -u "$FV_WORK/ref.txt" "$FV_WORK/ours.txt" >&2; then
		fail "listing differs from unsquashfs -lln"
	fi
	ok "same names, types, permissions, sizes and links as unsquashfs -lln"
else
	echo "unsquashfs cannot list the sample: cross-check skipped"
fi

# Known contents (computed once from this extraction; text checked by eye,
# ELF files parse whole, see above).
member() { json_get "$FV_WORK/x.json" ".files[] | select(.path == \"squashfs_v2.bin!0x0.squashfs!$1\") | \"\(.size) \(.sha256)\""; }
assert_eq "224756 a891b4b65721232d12b384488e695f3f432d7ac24773c15d03bec75656c46b51" \
	"$(member /bin/busybox)" "/bin/busybox: 4 LZMA blocks"
assert_eq "101 5604805eae4399f8cf02204699e8b88cca8dc21dc163dc81d697e54a5b748629" \
	"$(member /etc/inittab)" "/etc/inittab"
head -n 1 "$out/0x0.squashfs/etc/inittab" | grep -qx '::sysinit:/etc/init.d/rcS' || fail "inittab text"
ok "inittab text"
assert_eq "busybox" "$(json_get "$FV_WORK/x.json" '.files[] | select(.path | endswith("!/bin/sh")) | .link')" \
	"/bin/sh -> busybox"
case "$(json_get "$FV_WORK/x.json" '.extraction[] | select(.path | endswith("!/bin/busybox!0x0.elf")) | .description')" in
"ELF 32-bit MSB executable, MIPS"*) ok "busybox is a whole MIPS ELF" ;;
*) fail "busybox not recognised as a MIPS ELF" ;;
esac

# Cut short: the chunk is partial, never a crash, and what is whole comes out.
head -c 1000000 "$img" > "$FV_WORK/cut.bin"
"$FWVET" extract --json "$FV_WORK/cut.bin" -C "$FV_WORK/cut" > "$FV_WORK/cut.json" || true
case "$(json_get "$FV_WORK/cut.json" '.extraction[0].status')" in
partial | failed) ok "truncated image reported $(json_get "$FV_WORK/cut.json" '.extraction[0].status')" ;;
*) fail "truncated image not reported" ;;
esac
finish

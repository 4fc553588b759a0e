# YAFFS2: the binwalk peer sample (mkyaffs2image, 2048+64, little endian),
# identified at 0 with its geometry and extracted whole; Debian's unyaffs,
# an independent reader, must produce the same tree.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

img="$FV_CORPUS/binwalk-v3/yaffs2.bin"
[ -f "$img" ] || fail "peer sample $img missing"

"$FWVET" identify --json "$img" > "$FV_WORK/id.json"
assert_eq "0 yaffs2 135168 high" \
	"$(json_get "$FV_WORK/id.json" '.chunks[0] | "\(.offset) \(.format) \(.size) \(.confidence)"')" \
	"identify: one chunk at 0 covering the image"
case "$(json_get "$FV_WORK/id.json" '.chunks[0].description')" in
*"little endian, page 2048, spare 64"*"13 object headers"*) ok "identify: geometry and object count" ;;
*) fail "identify: unexpected description $(json_get "$FV_WORK/id.json" '.chunks[0].description')" ;;
esac

out="$FV_WORK/out"
"$FWVET" extract --json "$img" -C "$out" > "$FV_WORK/x.json"
assert_eq "ok" "$(json_get "$FV_WORK/x.json" '.extraction[0].status')" "extract: status"
assert_eq 13 "$(json_get "$FV_WORK/x.json" '[.files[] | select(.type == "file")] | length')" \
	"extract: 13 files"
# Known members: a header whose size is not a multiple of the page, and the
# largest file, spanning 14 data chunks.
assert_eq "844 d17b77b186792ba473247dce5f2de9916b70f79667a4b77ded186a4425296b52" \
	"$(json_get "$FV_WORK/x.json" '.files[] | select(.path | endswith("!/yutilsenv.h")) | "\(.size) \(.sha256)"')" \
	"yutilsenv.h size and content"
assert_eq "27266 4e2568ade2817ec84dfbfa6ff199093c5f72569d0cad8d66dedcdd59091d08d6" \
	"$(json_get "$FV_WORK/x.json" '.files[] | select(.path | endswith("!/yaffs_guts.h")) | "\(.size) \(.sha256)"')" \
	"yaffs_guts.h size and content"
head -n 2 "$out/0x0.yaffs2/mkyaffs2image.c" | grep -q 'YAFFS: Yet Another Flash File System' ||
	fail "mkyaffs2image.c does not start with the YAFFS banner"
ok "mkyaffs2image.c content"

if command -v unyaffs >/dev/null; then
	mkdir "$FV_WORK/ref"
	(cd "$FV_WORK/ref" && unyaffs "$img" >/dev/null)
	assert_same_tree "$FV_WORK/ref" "$out/0x0.yaffs2" "same tree as unyaffs"
else
	echo "unyaffs not installed (scripts/deps.sh): cross-check skipped"
fi

# Cut short in the middle of a data chunk: what is whole still comes out.
head -c 70000 "$img" > "$FV_WORK/cut.bin"
"$FWVET" extract --json "$FV_WORK/cut.bin" -C "$FV_WORK/cut" > "$FV_WORK/cut.json"
assert_eq "yaffs2" "$(json_get "$FV_WORK/cut.json" '.extraction[0].format')" "truncated: still yaffs2"
assert_eq "844 d17b77b186792ba473247dce5f2de9916b70f79667a4b77ded186a4425296b52" \
	"$(json_get "$FV_WORK/cut.json" '.files[] | select(.path | endswith("!/yutilsenv.h")) | "\(.size) \(.sha256)"')" \
	"truncated: first file intact"
finish

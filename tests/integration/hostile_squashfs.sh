# Hostile squashfs images: names with '..' and '/', an absolute symlink to
# /etc with a folder of the same name holding a file, device nodes, a FIFO
# and a setuid file; then truncated and bit-flipped copies of real images.
# Nothing may be written outside the output folder, no device node or
# setuid bit may reach the disk, and nothing may crash.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

cd "$FV_WORK"
# Markers an escape would create; gone before we start.
rm -f /tmp/fvhostile1 /etc/fwvet-hostile-probe
S=src
mkdir -p $S/XX/XX $S/lnk2
echo escaped > $S/XX/XX/escaped
ln -s /etc $S/lnk1
echo probe > $S/lnk2/fwvet-hostile-probe
echo climb > $S/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ
echo suid > $S/suid
chmod 4755 $S/suid
find $S -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
# Uncompressed metadata, so that names can be rewritten in place below.
mksquashfs $S plain.sqfs -noI -noD -noF -noX -noappend -quiet -no-progress \
	-p 'dev d 755 0 0' -p 'dev/console c 600 0 0 5 1' -p 'dev/sda b 640 0 0 8 0' \
	-p 'dev/initctl i 600 0 0 f' -p 'dev/log i 666 0 0 s' > /dev/null
# Same-length renames: XX -> '..', lnk2 -> lnk1 (a folder named like the
# symlink), 32 Z -> a path climbing to /tmp.
perl -0777 -pe 's/XX/../g; s/lnk2/lnk1/g; s/Z{32}/..\/..\/..\/..\/..\/..\/tmp\/fvhostile1/' plain.sqfs > evil.sqfs
[ "$(grep -a -c 'tmp/fvhostile1' evil.sqfs)" -ge 1 ] || fail "fixture: rename did not apply"
ok "hostile names written into the image"

mkdir sandbox
rc=0
"$FWVET" extract --json evil.sqfs -C sandbox/out > evil.json || rc=$?
assert_eq 0 "$rc" "hostile image: exit status"
[ ! -e /tmp/fvhostile1 ] || { rm -f /tmp/fvhostile1; fail "a member escaped to /tmp"; }
[ ! -e /etc/fwvet-hostile-probe ] || { rm -f /etc/fwvet-hostile-probe; fail "a member was written through the symlink to /etc"; }
assert_eq "" "$(find sandbox -mindepth 1 -maxdepth 1 ! -name out)" "nothing beside the output folder"
assert_eq "" "$(find . -name escaped ! -path './sandbox/out/*' ! -path './src/*')" "'..' names stay inside"
assert_eq "" "$(find sandbox/out \( -type b -o -type c -o -type p -o -type s \))" "no device node, FIFO or socket created"
assert_eq "" "$(find sandbox/out -perm /6000)" "no setuid or setgid bit on disk"
assert_eq "char 0600 null" "$(json_get evil.json '.files[] | select(.path | endswith("!/dev/console")) | "\(.type) \(.mode) \(.disk)"')" \
	"device node recorded, not created"
assert_eq "block" "$(json_get evil.json '.files[] | select(.path | endswith("!/dev/sda")) | .type')" "block device recorded"
assert_eq "fifo" "$(json_get evil.json '.files[] | select(.path | endswith("!/dev/initctl")) | .type')" "FIFO recorded"
assert_eq "4755" "$(json_get evil.json '.files[] | select(.path | endswith("!/suid")) | .mode')" "setuid recorded"
assert_eq "/etc" "$(json_get evil.json '.files[] | select(.path | endswith("!/lnk1")) | .link')" "absolute symlink recorded as stored"
[ "$(json_get evil.json '[.findings[] | select(.rule == "FV-EXTR-001")] | length')" -ge 1 ] || fail "no finding for '..'"
ok "'..' names reported as findings"
[ "$(json_get evil.json '[.findings[] | select(.rule == "FV-EXTR-004")] | length')" -ge 1 ] || fail "no finding for writing through a symlink"
ok "write through a symlink reported"
assert_eq "escaped" "$(cat sandbox/out/0x0.squashfs/escaped)" "member under '..' kept, inside"

# Truncated and bit-flipped copies of real images, every compressor.
ROOT="$FV_WORK/rootfs"
make_rootfs "$ROOT"
runs=0
check_run() { # IMAGE OUTDIR
	local rc=0
	"$FWVET" extract --json "$1" -C "$2" > "$2.json" 2> "$2.err" || rc=$?
	case $rc in
	0) jq -e '.extraction' "$2.json" > /dev/null || fail "$1: exit 0 without a report" ;;
	2) ;;
	*) cat "$2.err" >&2; fail "$1: exit status $rc (crash?)" ;;
	esac
	! grep -q -E "runtime error|Sanitizer" "$2.err" || { cat "$2.err" >&2; fail "$1: sanitizer report"; }
	runs=$((runs + 1))
}
for comp in gzip lzma xz lzo lz4 zstd; do
	img="$comp.sqfs"
	mksquashfs "$ROOT" "$img" -comp "$comp" -b 16384 -noappend -quiet -no-progress > /dev/null
	used=$(od -An -tu8 -j40 -N8 "$img" | tr -d ' ')
	for cut in $((used / 4)) $((used / 2)) $((used * 3 / 4)) $((used - 1)); do
		head -c "$cut" "$img" > "cut-$comp-$cut.sqfs"
		check_run "cut-$comp-$cut.sqfs" "out-cut-$comp-$cut"
		st=$(json_get "out-cut-$comp-$cut.json" '.extraction[] | select(.format == "squashfs") | .status')
		case "$st" in partial|failed) ;; *) fail "cut-$comp-$cut: squashfs status [$st], expected partial or failed" ;; esac
	done
	for round in 1 2 3 4 5 6; do
		perl -0777 -e '
			my ($seed, $used) = @ARGV; local $/; my $b = <STDIN>;
			srand($seed);
			for (1 .. 6) { my $at = 96 + int(rand($used - 96)); substr($b, $at, 1) = chr(ord(substr($b, $at, 1)) ^ (1 << int(rand(8)))); }
			print $b' "$round" "$used" < "$img" > "flip-$comp-$round.sqfs"
		check_run "flip-$comp-$round.sqfs" "out-flip-$comp-$round"
	done
done
ok "$runs damaged images: no crash, every run reported"
assert_eq "" "$(find . -maxdepth 1 -type d -name 'out-*' -newer evil.json -exec find {} \( -type b -o -type c -o -perm /6000 \) \; )" \
	"damaged images: no device node or setuid bit"
finish

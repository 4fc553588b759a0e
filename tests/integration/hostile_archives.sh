# Hostile archives: tar, cpio and zip with '..' names that aim at a canary
# beside the output folder, absolute names, a symlink to /etc (and one
# climbing out of the tree) followed by members written through them, device
# nodes, a FIFO and a setuid file; a zip bomb; then truncated and bit-flipped
# copies of every archive format.  Nothing may be written outside the output
# folder, no device node or setuid bit may reach the disk, every neutralised
# path is reported, and nothing may crash.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

cd "$FV_WORK"
rm -f /tmp/fvha-abs /etc/fwvet-hostile-probe

# ---- the hostile tree, in two stages: links first, then members through them --
A=stage/a
B=stage/b
mkdir -p $A/dev $B/evil $B/up
echo EVIL > $A/payload                      # stored as ../../canary
echo ABS > $A/abs                           # stored as /tmp/fvha-abs
echo suid > $A/suid
chmod 4755 $A/suid
ln -s /etc $A/evil
ln -s ../.. $A/up                           # from DIR/0x0.F: the sandbox
echo through > $B/evil/fwvet-hostile-probe  # would land in /etc
echo climbed > $B/up/canary                 # would overwrite the canary
root=0
if [ "$(id -u)" = 0 ]; then
	root=1
	mknod $A/dev/console c 5 1
	mknod $A/dev/sda b 8 0
fi
mkfifo $A/dev/initctl
find stage -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +

subst="-s ,^payload\$,../../canary, -s ,^abs\$,/tmp/fvha-abs,"
# shellcheck disable=SC2086
bsdtar -c --format pax -P -f evil.tar $subst -C $A payload abs suid dev evil up -C ../b evil/fwvet-hostile-probe up/canary
# shellcheck disable=SC2086
bsdtar -c --format newc -P -f evil.cpio $subst -C $A payload abs suid dev evil up -C ../b evil/fwvet-hostile-probe up/canary
# zip has no device nodes
# shellcheck disable=SC2086
bsdtar -c --format zip -P -f evil.zip $subst -C $A payload abs suid evil up -C ../b evil/fwvet-hostile-probe up/canary
# GNU tar's own spelling of the same tricks
tar -c -P -f gnu.tar --transform='s,^payload$,../../canary,' --transform='s,^abs$,/tmp/fvha-abs,' \
	-C $A payload abs suid dev evil up -C ../b evil/fwvet-hostile-probe up/canary
for f in evil.tar evil.cpio evil.zip gnu.tar; do
	case "$(bsdtar -tf "$f" | tr '\n' ' ')" in
	*'../../canary'*'/tmp/fvha-abs'*'evil/fwvet-hostile-probe'*) ;;
	*) fail "fixture $f lacks the hostile names: $(bsdtar -tf "$f" | tr '\n' ' ')" ;;
	esac
done
ok "hostile names written into tar, cpio, zip and GNU tar"

for f in evil.tar evil.cpio evil.zip gnu.tar; do
	fmt=${f#*.}
	sb="sandbox-$f"
	mkdir -p "$sb"
	echo CANARY > "$sb/canary"
	rc=0
	"$FWVET" extract --json "$f" -C "$sb/out" > "$f.json" 2> "$f.err" || rc=$?
	case $rc in 0|2) ;; *) cat "$f.err" >&2; fail "$f: exit status $rc" ;; esac
	assert_eq 0 "$rc" "$f: exit status"
	assert_eq CANARY "$(cat "$sb/canary")" "$f: canary beside the output folder unchanged"
	assert_eq "canary out" "$(ls "$sb" | tr '\n' ' ' | sed 's/ $//')" "$f: nothing else beside the output folder"
	[ ! -e /tmp/fvha-abs ] || { rm -f /tmp/fvha-abs; fail "$f: an absolute name escaped to /tmp"; }
	[ ! -e /etc/fwvet-hostile-probe ] || { rm -f /etc/fwvet-hostile-probe; fail "$f: a member was written through the symlink to /etc"; }
	ok "$f: /etc and /tmp untouched"
	assert_eq "" "$(find "$sb/out" \( -type b -o -type c -o -type p -o -type s \))" "$f: no device node or FIFO created"
	assert_eq "" "$(find "$sb/out" -perm /6000)" "$f: no setuid or setgid bit on disk"
	# the neutralised members are kept, inside
	n=$(grep -rlx EVIL "$sb/out" | wc -l)
	[ "$n" -ge 1 ] || fail "$f: the '..' member was dropped instead of kept inside"
	n=$(grep -rlx ABS "$sb/out" | wc -l)
	[ "$n" -ge 1 ] || fail "$f: the absolute member was dropped instead of kept inside"
	ok "$f: neutralised members kept inside the output folder"
	for rule in FV-EXTR-001 FV-EXTR-002; do
		[ "$(json_get "$f.json" "[.findings[] | select(.rule == \"$rule\" and .category == \"extraction\")] | length")" -ge 1 ] ||
			fail "$f: no $rule finding"
	done
	ok "$f: '..' and absolute names reported (FV-EXTR-001, FV-EXTR-002)"
	[ "$(json_get "$f.json" '[.findings[] | select(.category == "extraction" and (.rule == "FV-EXTR-003" or .rule == "FV-EXTR-004"))] | length')" -ge 1 ] ||
		fail "$f: no finding for the symlinks out of the tree"
	ok "$f: symlinks out of the tree reported"
	assert_eq "/etc" "$(json_get "$f.json" '.files[] | select(.path | endswith("!/evil")) | .link')" "$f: symlink to /etc recorded as stored"
	assert_eq "4755" "$(json_get "$f.json" '.files[] | select(.path | endswith("!/suid")) | .mode' | sed 's/^0*//')" "$f: setuid recorded"
	if [ "$fmt" != zip ]; then
		assert_eq "fifo" "$(json_get "$f.json" '.files[] | select(.path | endswith("!/dev/initctl")) | .type')" "$f: FIFO recorded"
		if [ $root = 1 ]; then
			assert_eq "block char" "$(json_get "$f.json" '[.files[] | select(.path | endswith("!/dev/console") or endswith("!/dev/sda")) | .type] | sort | join(" ")')" \
				"$f: device nodes recorded"
		fi
	fi
done

# ---- a zip bomb: 512 MiB of zeros in half a megabyte --------------------------
BOMB="$FV_FIXTURES/bomb-512m.zip"
if [ ! -s "$BOMB" ]; then
	head -c 512M /dev/zero | 7zz a -tzip -mx1 -sizeros.bin -bso0 -bd "$BOMB.tmp.zip"
	mv "$BOMB.tmp.zip" "$BOMB"
fi
declared=$(unzip -l "$BOMB" | awk '$NF == "zeros.bin" { print $1 }')
assert_eq 536870912 "$declared" "bomb: declares 512 MiB"
for lim in default ratio; do
	rm -rf "bomb-$lim"
	rc=0
	if [ $lim = default ]; then
		"$FWVET" extract --json "$BOMB" -C "bomb-$lim" > "bomb-$lim.json" || rc=$?
		max=$((64 << 20))
	else
		"$FWVET" extract --json --max-ratio 20 "$BOMB" -C "bomb-$lim" > "bomb-$lim.json" || rc=$?
		max=$((20 * $(stat -c %s "$BOMB")))
	fi
	assert_eq 0 "$rc" "bomb ($lim limits): exit status"
	written=$(find "bomb-$lim" -type f -printf "%s\n" | awk "{ s += \$1 } END { print s + 0 }")
	[ "$written" -le "$max" ] || fail "bomb ($lim limits): wrote $written bytes, limit $max"
	ok "bomb ($lim limits): wrote $written of $declared bytes"
	assert_eq partial "$(json_get "bomb-$lim.json" '.extraction[] | select(.format == "zip") | .status')" "bomb ($lim limits): zip partial"
	[ "$(json_get "bomb-$lim.json" '[.findings[] | select(.rule == "FV-EXTR-005")] | length')" -ge 1 ] ||
		fail "bomb ($lim limits): no limit finding"
	ok "bomb ($lim limits): limit reported"
done

# ---- truncated and bit-flipped copies of every archive format ----------------
make_rootfs rootfs
tar --sort=name --owner=0 --group=0 --numeric-owner -C rootfs -cf fx.tar .
(cd rootfs && find . | sort | cpio -o -H newc --reproducible --quiet) > fx-newc.cpio
(cd rootfs && find . | sort | cpio -o -H odc --reproducible --quiet) > fx-odc.cpio
(cd rootfs && find . | sort | cpio -o -H bin --reproducible --quiet) > fx-bin.cpio
(cd rootfs && 7zz a -tzip -snl -bd -bso0 ../fx.zip .)
(cd rootfs && 7zz a -t7z -snl -bd -bso0 ../fx.7z .)
xorriso -as mkisofs -R -o fx.iso rootfs 2>/dev/null
(cd rootfs/etc && ar rcU ../../fx.a passwd shadow)
rm -rf arjsrc && cp -a rootfs arjsrc && find arjsrc -type l -delete
(cd arjsrc && arj a -r -y -m1 ../fx-m1.arj '*' > /dev/null && arj a -r -y -m4 ../fx-m4.arj '*' > /dev/null)
runs=0
check_run() { # IMAGE OUTDIR
	local rc=0
	"$FWVET" extract --json "$1" -C "$2" > "$2.json" 2> "$2.err" || rc=$?
	case $rc in
	0) jq -e '.extraction' "$2.json" > /dev/null || fail "$1: exit 0 without a report" ;;
	2) ;;
	*) cat "$2.err" >&2; fail "$1: exit status $rc (crash?)" ;;
	esac
	runs=$((runs + 1))
}
for img in fx.tar fx-newc.cpio fx-odc.cpio fx-bin.cpio fx.zip fx.7z fx.iso fx.a fx-m1.arj fx-m4.arj; do
	size=$(stat -c %s "$img")
	for cut in $((size / 4)) $((size / 2)) $((size * 3 / 4)) $((size - 1)); do
		head -c "$cut" "$img" > "cut-$cut-$img"
		check_run "cut-$cut-$img" "out-cut-$cut-$img"
		st=$(json_get "out-cut-$cut-$img.json" '[.extraction[] | select(.offset == 0 and (.path | split("!") | length) == 2)] | .[0].status')
		case "$st" in partial|failed|unknown|null) ;; ok)
			# a cut inside trailing padding loses nothing
			[ "$cut" = $((size - 1)) ] || fail "cut-$cut-$img: status ok for a cut archive" ;;
		*) fail "cut-$cut-$img: status [$st]" ;; esac
	done
	for round in 1 2 3 4 5 6; do
		perl -0777 -e '
			my ($seed) = @ARGV; local $/; my $b = <STDIN>; my $n = length($b);
			srand($seed);
			for (1 .. 8) { my $at = int(rand($n)); substr($b, $at, 1) = chr(ord(substr($b, $at, 1)) ^ (1 << int(rand(8)))); }
			print $b' "$round" < "$img" > "flip-$round-$img"
		check_run "flip-$round-$img" "out-flip-$round-$img"
	done
done
ok "$runs damaged archives: no crash, every run reported"
assert_eq "" "$(find . -maxdepth 1 -type d \( -name 'out-cut-*' -o -name 'out-flip-*' \) -exec find {} \( -type b -o -type c -o -type p -o -perm /6000 \) \;)" \
	"damaged archives: no device node or setuid bit"
finish

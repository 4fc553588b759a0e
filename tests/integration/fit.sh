# A FIT image made by mkimage from an .its: a gzip-compressed kernel, a
# device tree compiled by dtc and a ramdisk; every image node extracted and
# equal to its source, with the data inside the tree and outside it (-E).
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

cd "$FV_WORK"
seq -f 'fake arm kernel %g' 1 30000 > Image
gzip -9n -c Image > Image.gz
cat > board.dts <<'DTS'
/dts-v1/;
/ {
	model = "Acme Router R1";
	compatible = "acme,r1", "mediatek,mt7621";
	#address-cells = <1>;
	#size-cells = <1>;
	memory@0 { device_type = "memory"; reg = <0x0 0x8000000>; };
	chosen { bootargs = "console=ttyS0,115200"; };
};
DTS
dtc -I dts -O dtb -o board.dtb board.dts 2>/dev/null
seq -f 'initrd %g' 1 2000 > ramdisk.img
cat > fit.its <<'ITS'
/dts-v1/;
/ {
	description = "Acme R1 firmware";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "Linux kernel";
			data = /incbin/("./Image.gz");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
			load = <0x80008000>; entry = <0x80008000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		fdt-1 {
			description = "board tree";
			data = /incbin/("./board.dtb");
			type = "flat_dt"; arch = "arm"; compression = "none";
			hash-1 { algo = "sha1"; };
		};
		ramdisk-1 {
			description = "initrd";
			data = /incbin/("./ramdisk.img");
			type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; ramdisk = "ramdisk-1"; };
	};
};
ITS
mkimage -f fit.its fit.itb > /dev/null
mkimage -E -f fit.its fit-ext.itb > /dev/null

for img in fit.itb fit-ext.itb; do
	"$FWVET" identify --json "$img" > "$img.id.json"
	assert_eq "fit high" "$(json_get "$img.id.json" '.chunks[0] | "\(.format) \(.confidence)"')" "$img: identified"
	desc=$(json_get "$img.id.json" '.chunks[0].description')
	case "$desc" in
	'FIT "Acme R1 firmware", 3 images ('*'), 1 configuration (default conf-1)') ok "$img: description" ;;
	*) fail "$img: description [$desc]" ;;
	esac
	"$FWVET" extract --json "$img" -C "out-$img" > "$img.x.json"
	assert_eq "ok" "$(json_get "$img.x.json" '.extraction[0].status')" "$img: status"
	cmp -s Image "out-$img/0x0.fit/kernel-1" || fail "$img: kernel-1 differs"
	cmp -s board.dtb "out-$img/0x0.fit/fdt-1" || fail "$img: fdt-1 differs"
	cmp -s ramdisk.img "out-$img/0x0.fit/ramdisk-1" || fail "$img: ramdisk-1 differs"
	ok "$img: kernel (decompressed), fdt and ramdisk equal their sources"
done

# The device tree extracted from the FIT is recognised in turn.
"$FWVET" identify --json out-fit.itb/0x0.fit/fdt-1 > dtb.json
case "$(json_get dtb.json '.chunks[0].description')" in
*'model "Acme Router R1", compatible "acme,r1"'*) ok "fdt-1 described as a device tree" ;;
*) fail "fdt-1 description: $(json_get dtb.json '.chunks[0].description')" ;;
esac

# A changed byte in the ramdisk: still extracted, the hash mismatch reported.
perl -0777 -pe 's/initrd 1999\n/initrd 1990\n/' fit.itb > fit-bad.itb
"$FWVET" extract --json fit-bad.itb -C out-bad > bad.json
assert_eq "partial" "$(json_get bad.json '.extraction[0].status')" "hash mismatch marks the chunk partial"
case "$(json_get bad.json '.extraction[0].error')" in
*ramdisk-1*sha256*) ok "hash mismatch names the image and the algorithm" ;;
*) fail "hash mismatch error: $(json_get bad.json '.extraction[0].error')" ;;
esac
finish

#!/bin/bash
# The PowerPC lifter (src/analyze/elf/lift_ppc.c) on programs built by
# Debian's cross compiler: 32-bit big-endian (callsites.c with Debian's libc,
# -O0 and -O2, PIE, -no-pie, and the old BSS-PLT both ways), and 64-bit
# ELFv1 big-endian, ELFv2 big-endian and ELFv2 little-endian
# (liftmp_nolibc.c linked against a stub library, since Debian has no libc
# for them).  Against truth from binutils on the same files:
#   (a) per function, the calls objdump -d shows (bl, bctrl, blrl and the
#       other branches with LK set, less `bcl 20,31` to the next words, which
#       only takes the PC) = the CALLs liftdump prints;
#   (b) per import, the call sites (calls and tail calls) whose slot names it
#       (slot=, else stub-slot=, named by objdump -R's JMP_SLOT relocations)
#       = the REL24/PLTREL24 relocations against it in the object the binary
#       was linked from;
#   (c) constant arguments: strcmp gets "QUIT" and "status-report", popen
#       "uptime", system "reboot".
# ELFv1 function symbols are descriptors in .opd, so those binaries are
# lifted per function from objdump's `.name` entry labels.  Then liftdump
# must survive random code, a random GOT or .opd and a cut file.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
: "${FV_LIFTDUMP:?run through meson test}"

SRC=$FV_SRCDIR/tests/fixtures/src
cd "$FV_WORK"
IMPORTS="strcpy strncpy sprintf snprintf strcmp memcmp popen system recv"

failures=0
check_eq() { # EXPECTED ACTUAL MESSAGE: counts a failure and goes on
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		echo "FAIL: $3: expected [$1], got [$2]" >&2
		failures=$((failures + 1))
	fi
}

# slots BIN: "ADDR NAME" for each slot objdump -R names.
slots() {
	objdump -R "$1" 2>/dev/null | awk '$2 ~ /JUMP_SLOT|JMP_SLOT|GLOB_DAT/ {
		a = $1; sub(/^0+/, "", a); n = $3; sub(/@.*/, "", n); print "0x" a, n }'
}

# calls SLOTS LIFT: one line per CALL, and per JUMP through a named slot (a
# tail call): FUNCTION KIND NAME then the string arguments a0..a3 ("-" when
# none), tab-separated.  The name is slot=, else stub-slot=, looked up.
calls() {
	awk -F'\t' -v OFS='\t' 'NR == FNR { split($0, f, " "); name[f[1]] = f[2]; next }
	/^function / { split($0, f, " "); fn = f[2]; next }
	{
		split($0, f, " "); kind = f[2]
		if (kind != "call" && kind != "jump") next
		s = ""; ss = ""
		for (i = 3; i in f; i++) {
			if (f[i] ~ /^slot=/) s = substr(f[i], 6)
			if (f[i] ~ /^stub-slot=/) ss = substr(f[i], 11)
		}
		if (s == "") s = ss
		n = (s in name) ? name[s] : "-"
		if (kind == "jump" && n == "-") next
		line = fn OFS kind OFS n
		for (a = 0; a < 4; a++) {
			str = "-"
			if (match($0, "a" a "=0x[0-9a-f]+ \"[^\"]*\"")) {
				str = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", str); sub(/"$/, "", str)
			}
			line = line OFS str
		}
		print line
	}' "$1" "$2"
}

# objdump_calls BIN: "FUNCTION COUNT" of call instructions under each symbol of objdump -d.
objdump_calls() {
	objdump -d "$1" | awk -F'\t' '
	function hex(s,   i, c, v) { v = 0
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (!c) break; v = v * 16 + c - 1 }
		return v }
	/^[0-9a-f]+ <.*>:$/ { l = $0; sub(/^[^<]*</, "", l); sub(/>:$/, "", l)
		if (l !~ /^[$.]L/) { fn = l; n[fn] += 0 }   # local labels ($L24, .L3) stay in their function
		next }
	NF >= 3 { split($3, w, " ")
		if (w[1] !~ /^b.*(l|la|lrl|ctrl)[+-]?$/) next
		if (w[1] == "bcl" && split(w[2], o, ",") == 3 && o[1] == 20) {
			a = $1; sub(/^ */, "", a); sub(/:$/, "", a); d = hex(o[3]) - hex(a)
			if (d > 0 && d <= 64) next
		}
		n[fn]++ }
	END { for (f in n) print f, n[f] }' | sort
}

# lifted_calls LIFT: "FUNCTION COUNT" of CALLs per function liftdump printed.
lifted_calls() {
	awk '/^function / { fn = $2; n[fn] += 0; next } $2 == "call" { n[fn]++ } END { for (f in n) print f, n[f] }' "$1" | sort
}

# reloc_calls OBJ: "NAME COUNT" of the branches the object's relocations mark against each symbol.
reloc_calls() {
	objdump -r "$1" | awk '$2 ~ /^R_PPC(64)?_(PLT)?REL24/ { v = $3; sub(/[@+].*/, "", v); c[v]++ }
		END { for (n in c) print n, c[n] }'
}

# lift_entries BIN: liftdump per `.name` label of objdump -d in .text (ELFv1 entry points).
lift_entries() {
	local end
	end=$(readelf -SW "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == ".text") { print "0x" $(i + 2), "0x" $(i + 4); exit } }' |
		while read -r a s; do printf '0x%x\n' $((a + s)); done)
	objdump -d -j .text "$1" | awk '/^[0-9a-f]+ <.*>:$/ { n = $2; sub(/^</, "", n); sub(/>:$/, "", n); print "0x" $1, n }' |
		awk -v end="$end" 'NR > 1 { print a, $1, n } { a = $1; n = $2 } END { print a, end, n }' |
		while read -r s e n; do
			case $n in .*) ;; *) continue ;; esac
			"$FV_LIFTDUMP" "$1" "$s" "$e" | sed "1s/^function range /function $n /" || return 1
		done
}

# check_binary TAG BIN OBJ [v1]: every check of the header on one binary.
check_binary() {
	local tag=$1 bin=$2 obj=$3 rc=0
	if [ "${4:-}" = v1 ]; then
		lift_entries "$bin" > "$tag.lift" 2> "$tag.err" || rc=$?
	else
		"$FV_LIFTDUMP" "$bin" > "$tag.lift" 2> "$tag.err" || rc=$?
	fi
	[ "$rc" = 0 ] || cat "$tag.err" >&2
	check_eq 0 "$rc" "$tag: liftdump exits 0"
	slots "$bin" > "$tag.slots"
	calls "$tag.slots" "$tag.lift" > "$tag.calls"

	# (a) calls per function, for the functions both list.
	objdump_calls "$bin" > "$tag.truth-a"
	lifted_calls "$tag.lift" > "$tag.lifted-a"
	local f p=
	[ "${4:-}" = v1 ] && p=.
	for f in main copy_names copy_bounded format_all handle; do
		grep -q "^$p$f " "$tag.lifted-a" || check_eq "$p$f" "(absent)" "$tag: liftdump lists function $p$f"
	done
	local diffs
	diffs=$(join "$tag.truth-a" "$tag.lifted-a" | awk '$2 != $3 { printf "%s objdump %s liftdump %s; ", $1, $2, $3 }')
	check_eq "" "$diffs" "$tag: calls per function equal objdump's ($(join "$tag.truth-a" "$tag.lifted-a" | wc -l) functions, $(awk '{s += $2} END {print s}' "$tag.lifted-a") calls)"

	# (b) call sites per import.
	local name want got all=""
	reloc_calls "$obj" > "$tag.truth-b"
	for name in $IMPORTS; do
		want=$(awk -v n="$name" '$1 == n { print $2 } END { if (!NR) print 0 }' "$tag.truth-b")
		want=${want:-0}
		got=$(awk -F'\t' -v n="$name" '$3 == n { c++ } END { print c + 0 }' "$tag.calls")
		[ "$want" = "$got" ] || all="$all $name: relocations $want, resolved $got;"
	done
	check_eq "" "$all" "$tag: call sites per import equal the object's relocations ($(awk -F'\t' '$3 != "-"' "$tag.calls" | wc -l) resolved)"

	# (c) constant string arguments.
	check_eq "QUIT status-report" \
		"$(awk -F'\t' '$3 == "strcmp" && ($5 == "QUIT" || $5 == "status-report") { print $5 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: strcmp's second argument is \"QUIT\" and \"status-report\""
	check_eq "uptime" "$(awk -F'\t' '$3 == "popen" { print $4 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: popen's first argument is \"uptime\""
	check_eq "reboot" "$(awk -F'\t' '$3 == "system" { print $4 }' "$tag.calls" | sort -u | xargs)" \
		"$tag: system's first argument is \"reboot\""
}

command -v powerpc-linux-gnu-gcc > /dev/null 2>&1 || fail "powerpc-linux-gnu-gcc is missing (scripts/deps.sh installs it)"

# 32-bit, with Debian's libc: secure PLT (the default) and the old BSS PLT.
for opt in O0 O2; do
	for mode in pie nopie bssplt bssplt-pie; do
		case $mode in
		pie) cf=-fPIE lf=-pie ;;
		nopie) cf=-fno-pie lf=-no-pie ;;
		bssplt) cf="-fno-pie -mbss-plt" lf="-no-pie -Wl,--bss-plt" ;;
		bssplt-pie) cf="-fPIE -mbss-plt" lf="-pie -Wl,--bss-plt" ;;
		esac
		tag=ppc32-$opt-$mode
		# shellcheck disable=SC2086
		powerpc-linux-gnu-gcc -$opt $cf -c "$SRC/callsites.c" -o "$tag.o" &&
			powerpc-linux-gnu-gcc $cf $lf "$tag.o" -o "$tag" 2> "$tag.ld" || fail "$tag: cross compiler failed"
		check_binary "$tag" "$tag" "$tag.o"
	done
done

# 64-bit: the same program against a stub library of the same ABI.
for abi in v1 v2 v2le; do
	case $abi in
	v1) af="-m64 -mabi=elfv1" ;;
	v2) af="-m64 -mabi=elfv2" ;;
	v2le) af="-m64 -mlittle-endian -mabi=elfv2" ;;
	esac
	lib=libstub-ppc64$abi.so
	# shellcheck disable=SC2086
	powerpc-linux-gnu-gcc $af -O2 -fno-builtin -fPIC -shared -nostdlib -DLIFTMP_LIBC \
		"$SRC/liftmp_nolibc.c" -o "$lib" || fail "$lib: cross compiler failed"
	for opt in O0 O2; do
		for mode in pie nopie; do
			case $mode in
			pie) cf=-fPIE lf=-pie ;;
			nopie) cf=-fno-pie lf=-no-pie ;;
			esac
			tag=ppc64$abi-$opt-$mode
			# shellcheck disable=SC2086
			powerpc-linux-gnu-gcc $af -$opt $cf -c "$SRC/liftmp_nolibc.c" -o "$tag.o" &&
				powerpc-linux-gnu-gcc $af $cf $lf -nostdlib -Wl,-e,main "$tag.o" "$lib" -o "$tag" ||
				fail "$tag: cross compiler failed"
			if [ $abi = v1 ]; then
				check_binary "$tag" "$tag" "$tag.o" v1
			else
				check_binary "$tag" "$tag" "$tag.o"
			fi
		done
	done
done

# Hostile: random code, a random GOT or .opd, a cut file.  The input that broke it stays in $FV_WORK.
section() { # BIN NAME -> "OFFSET SIZE" in decimal, nothing when absent
	readelf -SW "$1" | awk -v n="$2" '{ for (i = 1; i < NF; i++) if ($i == n) { print $(i + 3), $(i + 4); exit } }' |
		while read -r off size; do echo $((16#$off)) $((16#$size)); done
}
hostile() { # TAG FILE EXPECTED-RCS
	local rc=0
	"$FV_LIFTDUMP" "$2" > "$1.lift" 2> "$1.err" || rc=$?
	case " $3 " in
	*" $rc "*) ;;
	*) check_eq "$3" "$rc" "$1: liftdump exit status ($(grep -m1 -E 'ERROR|runtime error' "$1.err"))"; return ;;
	esac
	check_eq "" "$(grep -m1 -E 'AddressSanitizer|runtime error' "$1.err")" "$1: liftdump survives ($(grep -c '' "$1.lift") lines)"
}
for base in ppc32-O2-pie ppc32-O0-nopie ppc64v1-O2-pie ppc64v2-O2-nopie ppc64v2le-O2-pie; do
	for round in 1 2 3; do
		for sec in .text .got2 .got .opd; do
			where=$(section "$base" "$sec")
			[ -n "$where" ] || continue
			h=hostile-$base-${sec#.}-$round
			cp "$base" "$h"
			read -r off size <<< "$where"
			dd if=/dev/urandom of="$h" bs=4096 seek="$off" count="$size" oflag=seek_bytes iflag=count_bytes,fullblock \
				conv=notrunc status=none
			hostile "$h" "$h" 0
		done
	done
	h=hostile-$base-cut
	head -c $(($(stat -c %s "$base") / 3)) "$base" > "$h"
	hostile "$h" "$h" "0 2"
done

[ "$failures" = 0 ] || fail "$failures checks failed"
finish

# The RISC-V lifter (src/analyze/elf/lift_riscv.c, our own decoder) against
# objdump on the same files, with the checks of lift_x86.sh (sourced for
# them): tests/fixtures/src/callsites.c built by Debian's riscv64-linux-gnu-gcc
# at -O0 and -O2, PIE and not (non-PIE code reaches data through gp), with
# and without the compressed instructions and linker relaxation (which turns
# `auipc ra; jalr ra` calls into `jal`); and RV32 shared objects from the
# same compiler (-march=rv32gc, -nostdlib: Debian ships no RV32 libc, but a
# shared object may leave its imports undefined, so it still has a PLT of
# `lw t3` stubs and calls through c.jal).  Every call objdump shows is a CALL,
# each call to the listed functions resolves to its JUMP_SLOT, and the
# constant arguments are the strings in the source.  Random code: exit 0.
set -eu
: "${FV_SRCDIR:?run through meson test}"
FV_LIFT_LIB=1
. "$FV_SRCDIR/tests/integration/lift_x86.sh"

CC=riscv64-linux-gnu-gcc
command -v $CC > /dev/null || fail "$CC missing: run scripts/deps.sh"

B=$FV_WORK/bin
mkdir -p "$B" "$FV_WORK/inc/gnu"
# glibc's headers include the stubs list of the ABI they are used for; Debian
# ships only LP64D's.  The list is empty for a build that links no libc.
: > "$FV_WORK/inc/gnu/stubs-ilp32d.h"
for o in O0 O2; do
	$CC -$o -o "$B/rv64-$o-pie" "$LIFT_SRC"
	$CC -$o -no-pie -o "$B/rv64-$o-nopie" "$LIFT_SRC"
	$CC -$o -march=rv64g -o "$B/rv64-$o-norvc" "$LIFT_SRC"
	# Calls as the compiler writes them (auipc ra; jalr ra), not relaxed to jal.
	$CC -$o -mno-relax -Wl,--no-relax -o "$B/rv64-$o-norelax" "$LIFT_SRC"
	$CC -$o -march=rv32gc -mabi=ilp32d -I"$FV_WORK/inc" -fPIC -shared -nostdlib -o "$B/rv32-$o.so" "$LIFT_SRC"
done

# The variants hold what they are meant to test.
objdump -d "$B/rv64-O0-nopie" | grep -q 'gp,-' || fail "rv64-O0-nopie: no gp-relative address"
objdump -d "$B/rv64-O2-norelax" | grep -q 'jalr	.*(ra) # .*<strcmp@plt>' ||
	fail "rv64-O2-norelax: no jalr ra to strcmp"
objdump -d "$B/rv32-O2.so" | grep -q 'lw	t3' || fail "rv32-O2.so: no lw t3 PLT stub"
readelf -h "$B/rv32-O2.so" | grep -q 'ELF32' || fail "rv32-O2.so: not ELF32"
# c.jal exists only in RV32: a 2-byte jal.
objdump -d "$B/rv32-O2.so" | grep -Eq '^ *[0-9a-f]+:	[0-9a-f]{4} +	jal	' ||
	fail "rv32-O2.so: no c.jal"
# Without the C extension every instruction of the program's own code is 4 bytes.
objdump -d "$B/rv64-O2-norvc" |
	awk '/<main>:/ { m = 1 } m && /^ *[0-9a-f]+:	[0-9a-f]{4} / { exit 1 } m && /^$/ { exit }' ||
	fail "rv64-O2-norvc: compressed instructions in main"
ok "fixtures: gp-relative data, auipc ra; jalr ra calls, RV32 lw PLT stubs and c.jal, no RVC"

for b in "$B"/*; do
	lift_check "$(basename "$b")" "$b" riscv
done
lift_garbage rv64 "$B/rv64-O2-pie"
lift_garbage rv32 "$B/rv32-O2.so"

finish

#!/bin/bash
# The binary analyzer end to end, on every architecture a cross compiler of
# Debian builds for: daemons with hidden magic strings that are in no rule
# list (a shell on a TCP connection, telnetd behind a comparison wrapper and
# a helper function, a master password in a login check) must be reported
# as backdoors with their string; an ordinary daemon that compares requests
# with HTTP methods and command words, some of which run commands, must not
# be ranked; and the call sites of callsites.c are counted exactly.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

SRC=$FV_SRCDIR/tests/fixtures/src
root=$FV_WORK/rootfs
targets="native mipsel-linux-gnu mips-linux-gnu arm-linux-gnueabi aarch64-linux-gnu powerpc-linux-gnu riscv64-linux-gnu"
progs="bd_shell bd_wrapper bd_auth clean_daemon callsites"
for t in $targets; do
	cc=$t-gcc
	[ "$t" = native ] && cc=gcc
	for o in O0 O2; do
		mkdir -p "$root/$t-$o"
		for p in $progs; do
			$cc -$o -w -o "$root/$t-$o/$p" "$SRC/$p.c" || fail "$cc -$o $p.c did not build"
		done
	done
done
# A program that reads no network is a backdoor only when something starts it:
# the same console helper once started from inittab and once lying unused.
mkdir -p "$root/usr/sbin" "$root/usr/bin" "$root/etc"
gcc -O2 -w -o "$root/usr/sbin/bd_local" "$SRC/bd_local.c"
gcc -O0 -w -o "$root/usr/bin/bd_local_idle" "$SRC/bd_local.c"
printf '::sysinit:/etc/init.d/rcS\nttyS0::respawn:/usr/sbin/bd_local\n' > "$root/etc/inittab"
ok "built $(ls "$root"/*/* | wc -l) programs"

R=$FV_WORK/r.json
rc=0
"$FWVET" scan --format json -o "$R" --fail-on critical "$root" || rc=$?
assert_eq 1 "$rc" "--fail-on critical exits 1"

# One finding of rule R at severity S on program P whose evidence holds the magic string M.
has() { # DIR PROG RULE SEVERITY MAGIC
	check "$1/$2: $3 $4 naming \"$5\"" \
		'[.findings[] | select((.path | endswith("!/" + $d + "/" + $p)) and .rule == $r
			and .severity == $s and (.evidence | contains($m)))] | length >= 1' \
		--arg d "$1" --arg p "$2" --arg r "$3" --arg s "$4" --arg m "$5"
}

for t in $targets; do
	for o in O0 O2; do
		d=$t-$o
		has "$d" bd_shell FV-BIN-001 critical 'k3Yq!9zRw'
		has "$d" bd_wrapper FV-BIN-001 critical 'Gd7#uX2m-Lq8'
		has "$d" bd_auth FV-BIN-002 high 'Zx81*vT4pQ'
		for p in clean_daemon callsites bd_shell; do
			check "$d/$p: no comparison with a keyword ranked medium or above" \
				'[.findings[] | select((.path | endswith("!/" + $d + "/" + $p)) and
					(.rule | startswith("FV-BIN-")) and .severity != "low" and
					(.evidence | test("\"(GET|HEAD|POST|QUIT|HELP|STAT|reboot|restart|status|quit|--foreground|--debug)\"")))]
					| length == 0' --arg d "$d" --arg p "$p"
		done
		check "$d/clean_daemon: no backdoor finding above low" \
			'[.findings[] | select((.path | endswith("!/" + $d + "/clean_daemon")) and
				.category == "backdoor" and .severity != "low")] | length == 0' --arg d "$d"
		check "$d/callsites: hardening recorded" \
			'[.files[] | select((.path | endswith("!/" + $d + "/callsites")) and
				(.hardening.relro | type) == "string")] | length == 1' --arg d "$d"
	done
	# At -O0 gcc keeps every call of the source: the counts are the source's.
	d=$t-O0
	check "$d/callsites: strcpy 3, strncpy 2, sprintf 2, snprintf 3, system 1, popen 1" \
		'[.files[] | select(.path | endswith("!/" + $d + "/callsites")) | .code.calls
			| select(.strcpy == 3 and .strncpy == 2 and .sprintf == 2 and .snprintf == 3
				and .system == 1 and .popen == 1)] | length == 1' --arg d "$d"
	check "$d/callsites: FV-CODE-001 counts 5 unsafe call sites" \
		'[.findings[] | select((.path | endswith("!/" + $d + "/callsites")) and .rule == "FV-CODE-001"
			and (.title | startswith("5 call sites")))] | length == 1' --arg d "$d"
done

check "bd_local started from inittab: FV-BIN-001 high" \
	'[.findings[] | select((.path | endswith("!/usr/sbin/bd_local")) and .rule == "FV-BIN-001"
		and .severity == "high" and (.evidence | contains("pR0d#Dbg7")))] | length == 1'
check "bd_local_idle, started by nothing: no backdoor finding" \
	'[.findings[] | select((.path | endswith("!/usr/bin/bd_local_idle")) and .category == "backdoor")] | length == 0'
check "the unsafe-call table counts strcpy in every callsites build" \
	'[.unsafe_calls[] | select(.family == "strcpy" and .unsafe_binaries >= 14)] | length == 1'
check "the summary counts the binaries' hardening" \
	'.summary.hardening.binaries >= 70 and .summary.hardening.nx >= 1'

if [ "$fv_failures" -gt 0 ]; then
	echo "The report's binary findings:" >&2
	jq -r '.findings[] | select(.rule | test("^FV-(BIN|CODE)-")) | "  \(.rule) \(.severity) \(.path): \(.evidence)"' "$R" >&2
	fail "$fv_failures checks failed"
fi
finish

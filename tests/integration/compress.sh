# The single-stream compressors, made by the real tools: each file is
# identified at offset 0 with its exact size and decompresses to the
# original bytes under the member name the stream or the file name gives.
# Also: streams embedded at odd offsets, a truncated stream, the peer
# samples, and a gzip bomb stopped by a limit.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"
cd "$FV_WORK"

sha() { sha256sum < "$1" | cut -d' ' -f1; }

# Text, a run of zeros and pseudo-random bytes, the same on every run.
perl -e 'srand(42); print map { chr(int(rand(256))) } 1 .. 100000' > rand.bin
{ seq 1 40000; head -c 50000 /dev/zero; cat rand.bin; seq 1 40000 | tr 0-9 a-j; } > payload.bin
touch -d @"$SOURCE_DATE_EPOCH" payload.bin
ORIG=$(sha payload.bin)

# check FILE FORMAT MEMBER: identify and extract a file holding one stream.
check() {
	local f=$1 fmt=$2 member=$3 size
	size=$(stat -c %s "$f")
	"$FWVET" identify --json "$f" > "$f.id.json"
	assert_eq "$fmt $size" \
		"$(json_get "$f.id.json" '.chunks[] | select(.offset == 0 and .parent == null) | "\(.format) \(.size)"')" \
		"$f: identified as $fmt at 0 with its size"
	"$FWVET" extract --json "$f" -C "out-$f" > "$f.x.json"
	assert_eq ok "$(json_get "$f.x.json" ".extraction[] | select(.path == \"$f!0x0.$fmt\") | .status")" \
		"$f: extraction ok"
	assert_eq "$ORIG" "$(json_get "$f.x.json" ".files[] | select(.path == \"$f!0x0.$fmt!/$member\") | .sha256")" \
		"$f: member $member reported with the original content"
	[ -f "out-$f/0x0.$fmt/$member" ] || fail "$f: out-$f/0x0.$fmt/$member not written"
	assert_eq "$ORIG" "$(sha "out-$f/0x0.$fmt/$member")" "$f: $member on disk"
}

gzip -n -c payload.bin > payload.bin.gz
check payload.bin.gz gzip payload.bin
# The name stored in the stream wins over the file name.
cp -p payload.bin inner-name.dat
gzip -c inner-name.dat > renamed.gz
check renamed.gz gzip inner-name.dat
gzip -n -c payload.bin > archive.tgz
check archive.tgz gzip archive.tar
gzip -n -c payload.bin > noext.bin
check noext.bin gzip decompressed

xz -c payload.bin > payload.bin.xz
check payload.bin.xz xz payload.bin
xz --format=lzma -c payload.bin > payload.bin.lzma
check payload.bin.lzma lzma payload.bin
bzip2 -c payload.bin > payload.bin.bz2
check payload.bin.bz2 bzip2 payload.bin
zstd -q -c payload.bin > payload.bin.zst
check payload.bin.zst zstd payload.bin
lz4 -q -c payload.bin > payload.bin.lz4
check payload.bin.lz4 lz4 payload.bin
lz4 -q -l -c payload.bin > legacy.lz4
check legacy.lz4 lz4 legacy
lzop -c payload.bin > stored-name.lzo
check stored-name.lzo lzop payload.bin
lzop -9 < payload.bin > piped.lzo
check piped.lzo lzop piped
lzop -1 < payload.bin > fast.lzo
check fast.lzo lzop fast

# A gzip stream at an odd offset inside random bytes.
head -c 1001 rand.bin > embedded.bin
cat payload.bin.gz >> embedded.bin
tail -c 777 rand.bin >> embedded.bin
"$FWVET" identify --json embedded.bin > emb.json
assert_eq "$(stat -c %s payload.bin.gz)" \
	"$(json_get emb.json '.chunks[] | select(.format == "gzip") | select(.offset == 1001) | .size')" \
	"gzip found at offset 1001 with its size"
"$FWVET" extract --json embedded.bin -C out-embedded > emb.x.json
assert_eq "$ORIG" "$(sha out-embedded/0x3e9.gzip/decompressed)" "embedded gzip extracted"

# A zlib stream anywhere, validated by a full decode.
perl -MCompress::Zlib -e 'binmode STDIN; binmode STDOUT; local $/; print compress(<STDIN>, 9)' \
	< payload.bin > payload.zlib
{ head -c 333 rand.bin; cat payload.zlib; tail -c 100 rand.bin; } > zlib.bin
"$FWVET" identify --json zlib.bin > zlib.json
assert_eq "zlib $(stat -c %s payload.zlib) medium" \
	"$(json_get zlib.json '.chunks[] | select(.offset == 333) | "\(.format) \(.size) \(.confidence)"')" \
	"zlib found at offset 333 with its size"
"$FWVET" extract --json zlib.bin -C out-zlib > zlib.x.json
assert_eq "$ORIG" "$(sha out-zlib/0x14d.zlib/decompressed)" "embedded zlib extracted"

# Cut short: identified as truncated, extracted partially, and what comes out is right.
head -c 60000 payload.bin.xz > cut.xz
"$FWVET" extract --json cut.xz -C out-cut > cut.json
assert_eq partial "$(json_get cut.json '.extraction[] | select(.path == "cut.xz!0x0.xz") | .status')" \
	"truncated xz is partial"
json_get cut.json '.extraction[] | select(.path == "cut.xz!0x0.xz") | .error' | grep -q 'expected' ||
	fail "truncated xz: the error does not say what was expected"
ok "truncated xz error says what was expected"
n=$(stat -c %s out-cut/0x0.xz/cut)
[ "$n" -gt 0 ] || fail "truncated xz: nothing extracted"
cmp -s -n "$n" out-cut/0x0.xz/cut payload.bin || fail "truncated xz: output is not a prefix of the original"
ok "truncated xz: $n bytes recovered"

# The peer samples of binwalk v3.
P="$FV_CORPUS/binwalk-v3"
cp "$P/gzip.bin" "$P/bzip2.bin" .
"$FWVET" extract --json gzip.bin -C out-peer-gzip > pg.json
assert_eq ok "$(json_get pg.json '.extraction[] | select(.path == "gzip.bin!0x0.gzip") | .status')" "peer gzip.bin extracted"
assert_eq "$(gzip -dc gzip.bin | sha256sum | cut -d' ' -f1)" \
	"$(json_get pg.json '.files[] | select(.path == "gzip.bin!0x0.gzip!/lsb-release") | .sha256')" \
	"peer gzip.bin: member lsb-release with its content"
grep -q '^DISTRIB_ID=Ubuntu' out-peer-gzip/0x0.gzip/lsb-release || fail "lsb-release content"
ok "lsb-release on disk"
"$FWVET" extract --json bzip2.bin -C out-peer-bzip2 > pb.json
assert_eq ok "$(json_get pb.json '.extraction[] | select(.path == "bzip2.bin!0x0.bzip2") | .status')" "peer bzip2.bin extracted"
assert_eq "$( (bzip2 -dc bzip2.bin 2> /dev/null || true) | sha256sum | cut -d' ' -f1)" \
	"$(sha out-peer-bzip2/0x0.bzip2/decompressed)" "peer bzip2.bin content"

# A gzip bomb: 1 GiB of zeros in about 1 MiB, stopped by a limit.
BOMB="$FV_FIXTURES/bomb-1g.gz"
if [ ! -f "$BOMB" ]; then
	head -c 1G /dev/zero | gzip -n > "$BOMB.tmp"
	mv "$BOMB.tmp" "$BOMB"
fi
cp "$BOMB" bomb.gz
"$FWVET" extract --json bomb.gz -C out-bomb > bomb.json
st=$(json_get bomb.json '.extraction[] | select(.path == "bomb.gz!0x0.gzip") | .status')
case "$st" in partial | failed) ok "bomb: status $st" ;; *) fail "bomb: status [$st]" ;; esac
json_get bomb.json '.extraction[] | select(.path == "bomb.gz!0x0.gzip") | .error' | grep -qi 'limit' ||
	fail "bomb: the error does not mention the limit"
ok "bomb: the error names the limit"
written=$(du -sb out-bomb | cut -f1)
[ "$written" -lt $((256 << 20)) ] || fail "bomb: $written bytes written"
ok "bomb: only $written bytes written"

finish

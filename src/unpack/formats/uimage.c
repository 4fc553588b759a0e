/*
 * Legacy U-Boot images ("uImage"): a 64-byte big-endian header with CRCs of
 * itself and of the payload, then the payload, compressed as the header
 * says.  Multi-file and script images start their payload with a table of
 * big-endian part sizes ended by a zero, then the parts, each padded to 4.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/format.h"
#include "unpack/sink.h"

#define HDR 64
#define MAX_PARTS 64 /* U-Boot's own table has no limit; real images hold 2 or 3 */

enum { T_MULTI = 4, T_SCRIPT = 6 };

struct hdr {
	uint32_t hcrc, time, size, load, ep, dcrc;
	uint8_t os, arch, type, comp;
	char name[33];
};

static const char *const os_names[] = {
	"invalid", "OpenBSD", "NetBSD", "FreeBSD", "4.4BSD", "Linux", "SVR4", "Esix", "Solaris",
	"Irix", "SCO", "Dell", "NCR", "LynxOS", "VxWorks", "pSOS", "QNX", "U-Boot", "RTEMS",
	"ARTOS", "Unity OS", "INTEGRITY", "OSE", "Plan 9", "OpenRTOS", "ARM Trusted Firmware",
	"TEE", "OpenSBI", "EFI",
};
static const char *const arch_names[] = {
	"invalid", "Alpha", "ARM", "x86", "IA64", "MIPS", "MIPS64", "PowerPC", "S390", "SuperH",
	"SPARC", "SPARC64", "M68K", "Nios", "MicroBlaze", "Nios-II", "Blackfin", "AVR32", "ST200",
	"Sandbox", "NDS32", "OpenRISC", "AArch64", "ARC", "x86_64", "Xtensa", "RISC-V",
};
/* Also the member names when the header's name is empty. */
static const char *const type_names[] = {
	"invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script",
	"filesystem", "flat_dt", "kwbimage", "imximage", "ublimage", "omapimage", "aisimage",
	"kernel_noload", "pblimage", "mxsimage", "gpimage", "atmelimage", "socfpgaimage",
	"x86_setup", "lpc32xximage", "loadable", "rkimage", "rksd", "rkspi", "zynqimage",
	"zynqmpimage", "zynqmpbif", "fpga", "vybridimage", "tee", "firmware_ivt", "pmmc",
	"stm32image", "socfpgaimage_v1", "mtk_image", "copro", "sunxi_egon", "sunxi_toc0",
};
static const char *const comp_names[] = { "none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd" };
static const enum fv_codec comp_codecs[] = {
	FV_CODEC_NONE, FV_CODEC_GZIP, FV_CODEC_BZIP2, FV_CODEC_LZMA,
	FV_CODEC_LZO,  FV_CODEC_LZ4F, FV_CODEC_ZSTD,
};

#define NAME_OF(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) ? tab[i] : "unknown")

static void parse(const uint8_t *p, struct hdr *h)
{
	struct fv_cur c = fv_cur_make(p, HDR);
	fv_cur_skip(&c, 4);
	h->hcrc = fv_cur_be32(&c);
	h->time = fv_cur_be32(&c);
	h->size = fv_cur_be32(&c);
	h->load = fv_cur_be32(&c);
	h->ep = fv_cur_be32(&c);
	h->dcrc = fv_cur_be32(&c);
	h->os = fv_cur_u8(&c);
	h->arch = fv_cur_u8(&c);
	h->type = fv_cur_u8(&c);
	h->comp = fv_cur_u8(&c);
	memcpy(h->name, p + 32, 32);
	h->name[32] = 0;
}

static uint32_t header_crc(const uint8_t *p)
{
	uint8_t tmp[HDR];
	memcpy(tmp, p, HDR);
	memset(tmp + 4, 0, 4);
	return (uint32_t)crc32(0, tmp, HDR);
}

/* zlib's crc32 takes a uInt length. */
static uint32_t data_crc(const uint8_t *p, size_t n)
{
	uLong c = crc32(0, Z_NULL, 0);
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k, n -= k;
	}
	return (uint32_t)c;
}

/* Part sizes of a multi-file or script payload; 0 if the table is bad. */
static size_t parts(const uint8_t *d, size_t n, uint32_t *sz, size_t max, size_t *data_off)
{
	struct fv_cur c = fv_cur_make(d, n);
	size_t k = 0;
	for (;;) {
		uint32_t v = fv_cur_be32(&c);
		if (!fv_cur_ok(&c))
			return 0;
		if (v == 0)
			break;
		if (k == max)
			return 0;
		sz[k++] = v;
	}
	*data_off = c.pos;
	return k;
}

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, len, "%.1f MiB", n / (1024.0 * 1024));
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < HDR)
		return FV_ETRUNC;
	struct hdr h;
	parse(p, &h);
	if (header_crc(p) != h.hcrc)
		return FV_ECRC;
	out->conf = FV_CONF_HIGH;
	out->size = (uint64_t)HDR + h.size;
	int crc_bad = 0;
	uint32_t got = 0;
	if (out->size > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	} else if ((got = data_crc(p + HDR, h.size)) != h.dcrc) {
		crc_bad = 1;
		out->conf = FV_CONF_LOW;
	}

	char when[40], sz[32];
	time_t t = (time_t)h.time;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof when, "?");
	human_size(h.size, sz, sizeof sz);
	fv_probe_desc(out, "uImage \"%.32s\", %s, %s, %s, load 0x%08x, entry 0x%08x, %s, %s, %s",
		      h.name, NAME_OF(os_names, h.os), NAME_OF(arch_names, h.arch),
		      NAME_OF(type_names, h.type), h.load, h.ep, NAME_OF(comp_names, h.comp), sz,
		      when);
	if (h.type == T_MULTI && !out->truncated) {
		uint32_t s[MAX_PARTS];
		size_t off;
		size_t n = parts(p + HDR, h.size, s, MAX_PARTS, &off);
		fv_probe_desc(out, ", %zu parts", n);
	}
	if (out->truncated)
		fv_probe_desc(out, ", truncated: %llu of %u data bytes",
			      (unsigned long long)(avail - HDR), h.size);
	if (crc_bad)
		fv_probe_desc(out, ", data CRC mismatch: header says 0x%08x, data has 0x%08x",
			      h.dcrc, got);
	return 0;
}

/* The header's name as a file name: "MIPS OpenWrt Linux" -> "MIPS_OpenWrt_Linux". */
static void member_name(const struct hdr *h, char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; h->name[i] && k + 1 < len; i++) {
		unsigned char ch = (unsigned char)h->name[i];
		int okc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '+' ||
			  (ch == '.' && k > 0);
		out[k++] = okc ? (char)ch : '_';
	}
	while (k > 0 && out[k - 1] == '_')
		k--;
	out[k] = 0;
	size_t lead = strspn(out, "_");
	if (out[lead] == 0)
		snprintf(out, len, "%s", NAME_OF(type_names, h->type));
}

static int write_part(struct fv_xctx *x, const struct hdr *h, enum fv_codec codec,
		      const uint8_t *d, size_t n, const char *name)
{
	if (codec != FV_CODEC_NONE)
		return fv_decode_to_sink(x, codec, d, n, name);
	struct fv_attr a = { S_IFREG | 0644, 0, 0, h->time };
	return fv_sink_file(x, name, &a, d, n);
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	if (size < HDR)
		return FV_ETRUNC;
	struct hdr h;
	parse(p, &h);
	const uint8_t *d = p + HDR;
	size_t n = size - HDR;
	int trunc = n < h.size;
	if (!trunc)
		n = h.size;

	char name[40];
	member_name(&h, name, sizeof name);
	enum fv_codec codec = FV_CODEC_NONE;
	int rc = 0;
	if (h.comp < sizeof comp_codecs / sizeof comp_codecs[0]) {
		codec = comp_codecs[h.comp];
	} else {
		fv_xctx_error(x, "header at 0x1f: compression %u unknown; payload written as stored",
			      h.comp);
		rc = FV_EUNSUP;
	}

	if (h.type == T_MULTI || h.type == T_SCRIPT) {
		uint32_t s[MAX_PARTS];
		size_t off = 0;
		size_t k = parts(d, n, s, MAX_PARTS, &off);
		if (k == 0) {
			fv_xctx_error(x, "part table at 0x40: expected up to %d big-endian sizes ended "
					 "by 0, found none or no end within %zu bytes",
				      MAX_PARTS, n);
			return FV_EFORMAT;
		}
		for (size_t i = 0; i < k; i++) {
			size_t left = n - off;
			size_t want = s[i];
			if (want > left) {
				fv_xctx_error(x, "part %zu at 0x%zx: %zu bytes declared, %zu left", i,
					      HDR + off, want, left);
				want = left;
				rc = FV_ETRUNC;
			}
			char pname[72];
			if (k == 1)
				snprintf(pname, sizeof pname, "%s", name);
			else
				snprintf(pname, sizeof pname, "%s-%zu", name, i);
			/* U-Boot decompresses the first part (the kernel) only. */
			int r = write_part(x, &h, i == 0 ? codec : FV_CODEC_NONE, d + off, want, pname);
			if (r == FV_ELIMIT)
				return r;
			if (r && !rc)
				rc = r;
			size_t adv = (want + 3) & ~(size_t)3;
			if (adv > n - off)
				break;
			off += adv;
		}
	} else {
		int r = write_part(x, &h, codec, d, n, name);
		if (r)
			rc = r;
	}
	if (trunc) {
		fv_xctx_error(x, "payload at 0x40: %u bytes declared, the input ends after %zu",
			      h.size, n);
		if (!rc)
			rc = FV_ETRUNC;
	}
	return rc;
}

static const struct fv_magic magics[] = {
	{ "\\x27\\x05\\x19\\x56", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_uimage = {
	"uimage",
	"legacy U-Boot image: header and data CRCs, payload decompressed, multi-file split",
	magics, probe, extract,
	0,
};

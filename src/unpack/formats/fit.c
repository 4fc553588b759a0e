/*
 * U-Boot FIT images: a flattened device tree whose /images node holds the
 * payloads, either inside the tree ("data") or after it ("data-offset" from
 * the end of the tree rounded up to 4, or "data-position" from its start,
 * with "data-size"), each with optional "compression" and hash subnodes.
 * libfdt reads the tree once fdt_check_full() has vouched for it inside the
 * bytes we have.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/codec/stream.h"
#include "unpack/format.h"
#include "unpack/sink.h"

/* Exported by Debian's libfdt 1.6.1 but missing from its header. */
int fdt_check_full(const void *fdt, size_t bufsize);

#define FDT_HDR 40

/* A string property, NUL-terminated within its value, or NULL. */
static const char *str_prop(const void *fdt, int node, const char *name)
{
	int len = 0;
	const char *v = fdt_getprop(fdt, node, name, &len);
	if (!v || len <= 0 || strnlen(v, (size_t)len) >= (size_t)len)
		return NULL;
	return v;
}

static int u32_prop(const void *fdt, int node, const char *name, uint32_t *out)
{
	int len = 0;
	const uint8_t *v = fdt_getprop(fdt, node, name, &len);
	if (!v || len != 4)
		return 0;
	*out = fv_get_be32(v);
	return 1;
}

/* Validates the tree in the first avail bytes; returns its totalsize or 0. */
static size_t valid_fdt(const uint8_t *p, size_t avail)
{
	if (avail < FDT_HDR || fv_get_be32(p) != FDT_MAGIC)
		return 0;
	uint32_t total = fv_get_be32(p + 4);
	if (total < FDT_HDR || total > avail || total > INT_MAX)
		return 0;
	/* libfdt 1.6.1 crashes on some pre-v16 trees; nothing since 2008 writes them. */
	if (fv_get_be32(p + 20) < 16 || fv_get_be32(p + 24) > 17)
		return 0;
	if (fdt_check_header(p) != 0 || fdt_check_full(p, total) != 0)
		return 0;
	return total;
}

struct img {
	const uint8_t *data; /* NULL if outside the bytes we have */
	uint64_t start, len; /* from the start of the FIT */
	int external;
};

/* Where an image node's data lies; 0 if it has none. */
static int image_data(const uint8_t *p, size_t total, size_t avail, int node, struct img *im)
{
	int len = 0;
	const uint8_t *d = fdt_getprop(p, node, "data", &len);
	memset(im, 0, sizeof *im);
	if (d && len >= 0) {
		im->data = d;
		im->start = (uint64_t)(d - p);
		im->len = (uint64_t)len;
		return 1;
	}
	uint32_t size, off;
	if (!u32_prop(p, node, "data-size", &size))
		return 0;
	if (u32_prop(p, node, "data-position", &off))
		im->start = off;
	else if (u32_prop(p, node, "data-offset", &off))
		im->start = ((total + 3) & ~(uint64_t)3) + off;
	else
		return 0;
	im->len = size;
	im->external = 1;
	if (im->start <= avail && im->len <= avail - im->start)
		im->data = p + im->start;
	return 1;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	size_t total = valid_fdt(p, avail);
	if (!total)
		return FV_EFORMAT;
	int images = fdt_path_offset(p, "/images");
	if (images < 0)
		return FV_EFORMAT;
	uint64_t end = total;
	int n = 0, node;
	char list[160] = "";
	size_t used = 0;
	fdt_for_each_subnode(node, p, images) {
		struct img im;
		if (!image_data(p, total, avail, node, &im))
			continue;
		n++;
		if (im.external && im.start + im.len > end)
			end = im.start + im.len;
		const char *name = fdt_get_name(p, node, NULL);
		const char *type = str_prop(p, node, "type");
		const char *comp = str_prop(p, node, "compression");
		if (used < sizeof list) {
			int k = snprintf(list + used, sizeof list - used, "%s%s: %s%s%s", n > 1 ? "; " : "",
					 name ? name : "?", type ? type : "?",
					 comp && strcmp(comp, "none") ? ", " : "",
					 comp && strcmp(comp, "none") ? comp : "");
			if (k > 0)
				used += (size_t)k;
		}
	}
	if (n == 0)
		return FV_EFORMAT;
	int confs = 0, cnode = fdt_path_offset(p, "/configurations");
	const char *def = NULL;
	if (cnode >= 0) {
		fdt_for_each_subnode(node, p, cnode)
			confs++;
		def = str_prop(p, cnode, "default");
	}
	out->conf = FV_CONF_HIGH;
	out->size = end;
	if (end > avail) {
		out->size = avail;
		out->truncated = 1;
		out->conf = FV_CONF_LOW;
	}
	const char *desc = str_prop(p, 0, "description");
	fv_probe_desc(out, "FIT \"%.60s\", %d image%s (%s), %d configuration%s", desc ? desc : "",
		      n, n == 1 ? "" : "s", list, confs, confs == 1 ? "" : "s");
	if (def)
		fv_probe_desc(out, " (default %.32s)", def);
	if (out->truncated)
		fv_probe_desc(out, ", truncated: %llu bytes declared", (unsigned long long)end);
	return 0;
}

static void hex(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 3 <= outlen; i++)
		k += (size_t)snprintf(out + k, outlen - k, "%02x", b[i]);
	if (outlen)
		out[k < outlen ? k : outlen - 1] = 0;
}

/* Checks every hash subnode of an image; returns the number of mismatches. */
static int check_hashes(struct fv_xctx *x, const uint8_t *p, int node, const char *name,
			const struct img *im)
{
	int bad = 0, h;
	fdt_for_each_subnode(h, p, node) {
		const char *hn = fdt_get_name(p, h, NULL);
		if (!hn || strncmp(hn, "hash", 4) != 0)
			continue;
		const char *algo = str_prop(p, h, "algo");
		int vlen = 0;
		const uint8_t *val = fdt_getprop(p, h, "value", &vlen);
		if (!algo || !val || vlen <= 0)
			continue;
		uint8_t md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;
		if (strcmp(algo, "crc32") == 0) {
			uLong c = crc32(0, Z_NULL, 0);
			const uint8_t *q = im->data;
			uint64_t left = im->len;
			while (left > 0) {
				uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
				c = crc32(c, q, k);
				q += k, left -= k;
			}
			md[0] = (uint8_t)(c >> 24), md[1] = (uint8_t)(c >> 16);
			md[2] = (uint8_t)(c >> 8), md[3] = (uint8_t)c;
			mdlen = 4;
		} else {
			const EVP_MD *t = EVP_get_digestbyname(algo);
			if (!t || EVP_Digest(im->data, (size_t)im->len, md, &mdlen, t, NULL) != 1)
				continue; /* an algorithm we cannot check is not a mismatch */
		}
		if ((unsigned)vlen != mdlen || memcmp(md, val, mdlen) != 0) {
			char want[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];
			hex(val, (size_t)vlen, want, sizeof want);
			hex(md, mdlen, got, sizeof got);
			fv_xctx_error(x, "image %s, %s at 0x%llx: %s expected %s, data has %s", name, hn,
				      (unsigned long long)im->start, algo, want, got);
			bad++;
		}
	}
	return bad;
}

static const struct {
	const char *name;
	enum fv_codec codec;
} codecs[] = {
	{ "none", FV_CODEC_NONE }, { "gzip", FV_CODEC_GZIP }, { "bzip2", FV_CODEC_BZIP2 },
	{ "lzma", FV_CODEC_LZMA }, { "lzo", FV_CODEC_LZO },   { "lz4", FV_CODEC_LZ4F },
	{ "zstd", FV_CODEC_ZSTD },
};

static void member_name(const char *node, char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; node[i] && k + 1 < len; i++) {
		unsigned char ch = (unsigned char)node[i];
		int okc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '+' ||
			  ch == '@' || ch == ',' || (ch == '.' && k > 0);
		out[k++] = okc ? (char)ch : '_';
	}
	out[k] = 0;
	if (k == 0)
		snprintf(out, len, "image");
}

static int extract(struct fv_xctx *x, const uint8_t *p, size_t size)
{
	size_t total = valid_fdt(p, size);
	if (!total) {
		fv_xctx_error(x, "header at 0x0: expected a valid flattened device tree");
		return FV_EFORMAT;
	}
	int images = fdt_path_offset(p, "/images");
	if (images < 0) {
		fv_xctx_error(x, "tree at 0x0: expected an /images node, found none");
		return FV_EFORMAT;
	}
	int rc = 0, hash_bad = 0, node;
	fdt_for_each_subnode(node, p, images) {
		const char *nn = fdt_get_name(p, node, NULL);
		char name[64];
		member_name(nn ? nn : "", name, sizeof name);
		struct img im;
		if (!image_data(p, total, size, node, &im))
			continue;
		if (!im.data) {
			fv_xctx_error(x, "image %s: data at 0x%llx, %llu bytes, lies beyond the input "
					 "(0x%zx bytes)",
				      name, (unsigned long long)im.start, (unsigned long long)im.len,
				      size);
			rc = FV_ETRUNC;
			continue;
		}
		hash_bad += check_hashes(x, p, node, name, &im);
		const char *comp = str_prop(p, node, "compression");
		enum fv_codec codec = FV_CODEC_NONE;
		if (comp) {
			size_t i;
			for (i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
				if (strcmp(comp, codecs[i].name) == 0)
					break;
			if (i < sizeof codecs / sizeof codecs[0]) {
				codec = codecs[i].codec;
			} else {
				fv_xctx_error(x, "image %s: compression \"%.32s\" unknown; written as stored",
					      name, comp);
				rc = rc ? rc : FV_EUNSUP;
			}
		}
		int r;
		if (codec == FV_CODEC_NONE) {
			struct fv_attr a = { S_IFREG | 0644, 0, 0, 0 };
			uint32_t ts;
			if (u32_prop(p, 0, "timestamp", &ts))
				a.mtime = ts;
			r = fv_sink_file(x, name, &a, im.data, (size_t)im.len);
		} else {
			r = fv_decode_to_sink(x, codec, im.data, (size_t)im.len, name);
		}
		if (r == FV_ELIMIT)
			return r;
		if (r && !rc)
			rc = r;
	}
	if (hash_bad && !rc)
		rc = FV_ECRC;
	return rc;
}

static const struct fv_magic magics[] = {
	{ "\\xd0\\x0d\\xfe\\xed", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_fit = {
	"fit",
	"U-Boot FIT image: every image node extracted (decompressed), hashes verified",
	magics, probe, extract,
	0,
};

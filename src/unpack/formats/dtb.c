/*
 * Flattened device tree blobs.  A plain DTB is a leaf: it is identified,
 * sized and described (model, compatible), not unpacked.  A tree with
 * /images payloads is a FIT and left to fit.c.
 */
#include <limits.h>
#include <string.h>

#include <libfdt.h>

#include "core/cursor.h"
#include "core/err.h"
#include "unpack/format.h"

/* Exported by Debian's libfdt 1.6.1 but missing from its header. */
int fdt_check_full(const void *fdt, size_t bufsize);

#define FDT_HDR 40

static const char *str_prop(const void *fdt, int node, const char *name)
{
	int len = 0;
	const char *v = fdt_getprop(fdt, node, name, &len);
	if (!v || len <= 0 || strnlen(v, (size_t)len) >= (size_t)len)
		return NULL;
	return v;
}

static int is_fit(const void *fdt)
{
	int images = fdt_path_offset(fdt, "/images"), node;
	if (images < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, images) {
		if (fdt_getprop(fdt, node, "data", NULL) || fdt_getprop(fdt, node, "data-size", NULL))
			return 1;
	}
	return 0;
}

static int probe(const uint8_t *p, size_t avail, struct fv_probe *out)
{
	if (avail < FDT_HDR)
		return FV_ETRUNC;
	uint32_t total = fv_get_be32(p + 4);
	if (total < FDT_HDR || total > INT_MAX)
		return FV_EFORMAT;
	if (total > avail)
		return FV_ETRUNC; /* libfdt cannot read a tree cut short */
	/* libfdt 1.6.1 crashes on some pre-v16 trees; nothing since 2008 writes them. */
	if (fv_get_be32(p + 20) < 16 || fv_get_be32(p + 24) > 17)
		return FV_EUNSUP;
	if (fdt_check_header(p) != 0 || fdt_check_full(p, total) != 0)
		return FV_EFORMAT;
	if (is_fit(p))
		return FV_EFORMAT;
	int nodes = 0, depth = 0;
	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(p, node, &depth))
		nodes++;
	out->conf = FV_CONF_HIGH;
	out->size = total;
	const char *model = str_prop(p, 0, "model");
	const char *compat = str_prop(p, 0, "compatible");
	fv_probe_desc(out, "device tree blob v%u, %d nodes", fdt_version(p), nodes);
	if (model)
		fv_probe_desc(out, ", model \"%.64s\"", model);
	if (compat)
		fv_probe_desc(out, ", compatible \"%.64s\"", compat);
	fv_probe_desc(out, ", %u bytes", total);
	return 0;
}

static const struct fv_magic magics[] = {
	{ "\\xd0\\x0d\\xfe\\xed", 4, 0 },
	{ NULL, 0, 0 },
};

const struct fv_format fv_format_dtb = {
	"dtb",
	"flattened device tree blob: identified and described, not unpacked",
	magics, probe, NULL,
	0,
};

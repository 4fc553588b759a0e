/*
 * fwvet diff: the delta between two images.  Files are paired by key
 * (pair.c); records are sorted by their keys on both sides and merged, so
 * the cost is a sort, whatever the number of accounts or findings.
 */
#include "integrity/diff.h"
#include "report/report.h"

#include "analyze/elf/elf.h"
#include "analyze/run.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/map.h"
#include "integrity/pair.h"
#include "inventory/inventory.h"
#include "unpack/engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX

/* Within one group of equal keys, pairs are matched by content only up to this many candidates. */
#define MATCH_MAX 4096

static int push(struct fv_dlist *l, size_t a, size_t b, unsigned change)
{
	if (fv_grow(&l->v, &l->cap, l->n, sizeof *l->v))
		return FV_ENOMEM;
	l->v[l->n++] = (struct fv_drec){ .a = a, .b = b, .change = change };
	return FV_OK;
}

static int streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int strcmp0(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

const struct fv_finding *fv_diff_finding(const struct fv_side *s, size_t i)
{
	size_t na = s->res ? s->res->findings.n : 0;
	return i < na ? &s->res->findings.v[i] : &s->u->findings.v[i - na];
}

static size_t nfindings(const struct fv_side *s)
{
	return (s->res ? s->res->findings.n : 0) + s->u->findings.n;
}

/* ---- records: sorted on both sides by key, then merged ------------------------ */

/*
 * One record under its key: k1 (owned: a file key, or a copy) and k2 make
 * the group; k3 is part of the group only for set-like lists (endpoints,
 * findings) and otherwise orders the group (component versions).
 */
struct item {
	char *k1;
	const char *k2, *k3;
	size_t idx;
	char *own3; /* k3 when it was rewritten (findings' evidence) */
};

struct items {
	struct item *v;
	size_t n;
};

static int cmp_item(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int c = strcmp(a->k1, b->k1);
	if (!c)
		c = strcmp0(a->k2, b->k2);
	if (!c)
		c = strcmp0(a->k3, b->k3);
	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].k1);
		free(it->v[i].own3);
	}
	free(it->v);
	it->v = NULL;
	it->n = 0;
}

/* A key for a report path of side s, or a copy of a plain string (path NULL: ""). */
static char *side_key(const struct fv_side *s, const char *path)
{
	return fv_side_key(s, path ? path : "");
}

enum mode {
	M_PAIR,     /* each record is matched with one of its group: accounts, services */
	M_SET,      /* a group is there or not: endpoints, findings */
	M_VERSIONS, /* a group's k3 values are compared as a set: components */
};

struct matcher {
	enum mode mode;
	const struct fv_side *old, *new;
	/* M_PAIR: what differs between old record a and new record b (0: the same). */
	unsigned (*change)(const struct matcher *m, size_t a, size_t b);
	struct fv_dlist *added, *removed, *changed;
};

static int same_group(const struct matcher *m, const struct item *a, const struct item *b)
{
	return !strcmp(a->k1, b->k1) && streq(a->k2, b->k2) && (m->mode != M_SET || streq(a->k3, b->k3));
}

static int cmp_group(const struct matcher *m, const struct item *a, const struct item *b)
{
	int c = strcmp(a->k1, b->k1);
	if (!c)
		c = strcmp0(a->k2, b->k2);
	if (!c && m->mode == M_SET)
		c = strcmp0(a->k3, b->k3);
	return c;
}

/* Pairs the records of one group present on both sides. */
static int pair_group(const struct matcher *m, const struct item *a, size_t na, const struct item *b, size_t nb)
{
	if (na == 1 && nb == 1) {
		unsigned c = m->change(m, a->idx, b->idx);
		return c ? push(m->changed, a->idx, b->idx, c) : FV_OK;
	}
	unsigned char *used = calloc(na + nb + 1, 1);
	if (!used)
		return FV_ENOMEM;
	unsigned char *ua = used, *ub = used + na;
	/* Identical records first, so that a reordered script is no change. */
	if (na * nb <= MATCH_MAX)
		for (size_t i = 0; i < na; i++)
			for (size_t k = 0; k < nb; k++)
				if (!ub[k] && !m->change(m, a[i].idx, b[k].idx)) {
					ua[i] = ub[k] = 1;
					break;
				}
	size_t i = 0, k = 0;
	int rc = FV_OK;
	for (;;) {
		while (i < na && ua[i])
			i++;
		while (k < nb && ub[k])
			k++;
		if (i == na || k == nb)
			break;
		unsigned c = m->change(m, a[i].idx, b[k].idx);
		if (c && (rc = push(m->changed, a[i].idx, b[k].idx, c)))
			break;
		ua[i] = ub[k] = 1;
	}
	for (i = 0; !rc && i < na; i++)
		if (!ua[i])
			rc = push(m->removed, a[i].idx, NONE, 0);
	for (k = 0; !rc && k < nb; k++)
		if (!ub[k])
			rc = push(m->added, NONE, b[k].idx, 0);
	free(used);
	return rc;
}

static int versions_differ(const struct item *a, size_t na, const struct item *b, size_t nb)
{
	if (na != nb)
		return 1;
	for (size_t i = 0; i < na; i++)
		if (!streq(a[i].k3, b[i].k3))
			return 1;
	return 0;
}

static int merge(const struct matcher *m, struct items *ia, struct items *ib)
{
	qsort(ia->v, ia->n, sizeof *ia->v, cmp_item);
	qsort(ib->v, ib->n, sizeof *ib->v, cmp_item);
	size_t i = 0, k = 0;
	int rc = FV_OK;
	while (!rc && (i < ia->n || k < ib->n)) {
		size_t ei = i, ek = k;
		int c = i == ia->n ? 1 : k == ib->n ? -1 : cmp_group(m, &ia->v[i], &ib->v[k]);
		if (c <= 0)
			while (ei < ia->n && same_group(m, &ia->v[i], &ia->v[ei]))
				ei++;
		if (c >= 0)
			while (ek < ib->n && same_group(m, &ib->v[k], &ib->v[ek]))
				ek++;
		size_t ga = ei - i, gb = ek - k;
		if (c < 0) {
			if (m->mode == M_PAIR)
				for (size_t x = i; !rc && x < ei; x++)
					rc = push(m->removed, ia->v[x].idx, NONE, 0);
			else
				rc = push(m->removed, ia->v[i].idx, NONE, 0);
			if (!rc && m->mode == M_VERSIONS)
				m->removed->v[m->removed->n - 1].na = ga;
		} else if (c > 0) {
			if (m->mode == M_PAIR)
				for (size_t x = k; !rc && x < ek; x++)
					rc = push(m->added, NONE, ib->v[x].idx, 0);
			else
				rc = push(m->added, NONE, ib->v[k].idx, 0);
			if (!rc && m->mode == M_VERSIONS)
				m->added->v[m->added->n - 1].nb = gb;
		} else if (m->mode == M_PAIR) {
			rc = pair_group(m, &ia->v[i], ga, &ib->v[k], gb);
		} else if (m->mode == M_VERSIONS && versions_differ(&ia->v[i], ga, &ib->v[k], gb)) {
			if (!(rc = push(m->changed, ia->v[i].idx, ib->v[k].idx, 0))) {
				m->changed->v[m->changed->n - 1].na = ga;
				m->changed->v[m->changed->n - 1].nb = gb;
			}
		}
		i = ei;
		k = ek;
	}
	return rc;
}

/* ---- accounts ------------------------------------------------------------------ */

static unsigned account_change(const struct matcher *m, size_t ia, size_t ib)
{
	const struct fv_account *a = &m->old->res->accounts[ia], *b = &m->new->res->accounts[ib];
	unsigned c = 0;
	if (a->uid != b->uid)
		c |= FV_DA_UID;
	if (a->gid != b->gid)
		c |= FV_DA_GID;
	if (!streq(a->home, b->home))
		c |= FV_DA_HOME;
	if (!streq(a->shell, b->shell))
		c |= FV_DA_SHELL;
	if (!streq(a->hash_type, b->hash_type))
		c |= FV_DA_HASH_TYPE;
	if (!streq(a->password, b->password))
		c |= FV_DA_PASSWORD;
	if (a->hash && b->hash && strcmp(a->hash, b->hash))
		c |= FV_DA_HASH;
	return c;
}

static unsigned service_change(const struct matcher *m, size_t ia, size_t ib)
{
	const struct fv_service *a = &m->old->res->services[ia], *b = &m->new->res->services[ib];
	return (streq(a->args, b->args) ? 0 : FV_DS_ARGS) | (streq(a->how, b->how) ? 0 : FV_DS_HOW);
}

/* Fills it with one item per record of a list; 0 or FV_ENOMEM. */
static int items_alloc(struct items *it, size_t n)
{
	it->n = 0;
	it->v = calloc(n + 1, sizeof *it->v);
	return it->v ? FV_OK : FV_ENOMEM;
}

static int items_add(struct items *it, char *k1, const char *k2, const char *k3, size_t idx)
{
	if (!k1)
		return FV_ENOMEM;
	it->v[it->n++] = (struct item){ k1, k2, k3, idx, NULL };
	return FV_OK;
}

/*
 * A finding's evidence with the report paths of its own image in it (a key
 * named "at fw.bin!0x50000.squashfs!/etc/key.pem") rewritten as keys, so
 * that the same finding in a moved chunk is the same finding.  *out is NULL
 * when the evidence holds no such path.  0 or FV_ENOMEM.
 */
static int evidence_key(const struct fv_side *s, const char *ev, char **out)
{
	*out = NULL;
	const char *p0 = s->inv->nfiles ? s->inv->files[0].x->path : NULL, *bang = p0 ? strchr(p0, '!') : NULL;
	if (!ev || !bang)
		return FV_OK;
	size_t pl = (size_t)(bang - p0) + 1;
	const char *hit = memmem(ev, strlen(ev), p0, pl);
	if (!hit)
		return FV_OK;
	struct fv_buf b = { 0 };
	int rc = FV_OK;
	while (hit && !rc) {
		size_t tl = strcspn(hit, " \t;,)\"'");
		char *tok = strndup(hit, tl), *key = tok ? fv_side_key(s, tok) : NULL;
		if (!key || fv_buf_append(&b, ev, (size_t)(hit - ev)) || fv_buf_append(&b, key, strlen(key)))
			rc = FV_ENOMEM;
		free(tok);
		free(key);
		ev = hit + tl;
		hit = memmem(ev, strlen(ev), p0, pl);
	}
	if (!rc && (fv_buf_append(&b, ev, strlen(ev)) || fv_buf_append(&b, "", 1)))
		rc = FV_ENOMEM;
	if (rc)
		fv_buf_free(&b);
	else
		*out = (char *)b.data;
	return rc;
}

/* The items of one kind of record of side s. */
enum kind { K_ACCOUNT, K_SERVICE, K_ENDPOINT, K_COMPONENT, K_FINDING };

static int side_items(const struct fv_side *s, enum kind k, struct items *it)
{
	const struct fv_results *r = s->res;
	static const struct fv_results none;
	if (!r)
		r = &none;
	size_t n = k == K_ACCOUNT ? r->naccounts : k == K_SERVICE ? r->nservices : k == K_ENDPOINT ? r->nendpoints
		   : k == K_COMPONENT ? r->ncomponents : nfindings(s);
	int rc = items_alloc(it, n);
	for (size_t i = 0; !rc && i < n; i++) {
		switch (k) {
		case K_ACCOUNT:
			rc = items_add(it, side_key(s, r->accounts[i].path), r->accounts[i].name, NULL, i);
			break;
		case K_SERVICE:
			rc = items_add(it, side_key(s, r->services[i].path), r->services[i].program, NULL, i);
			break;
		case K_ENDPOINT:
			rc = items_add(it, strdup(r->endpoints[i].kind ? r->endpoints[i].kind : ""),
				       r->endpoints[i].value, NULL, i);
			break;
		case K_COMPONENT:
			rc = items_add(it, strdup(r->components[i].name ? r->components[i].name : ""), NULL,
				       r->components[i].version, i);
			break;
		case K_FINDING: {
			const struct fv_finding *f = fv_diff_finding(s, i);
			char *ev;
			rc = evidence_key(s, f->evidence, &ev);
			if (!rc && !(rc = items_add(it, side_key(s, f->path), f->rule, ev ? ev : f->evidence, i)))
				it->v[it->n - 1].own3 = ev;
			else
				free(ev);
			break;
		}
		}
	}
	return rc;
}

static int diff_kind(const struct fv_side *old, const struct fv_side *new, enum kind k, const struct matcher *m)
{
	struct items ia = { 0 }, ib = { 0 };
	int rc = side_items(old, k, &ia);
	if (!rc)
		rc = side_items(new, k, &ib);
	if (!rc)
		rc = merge(m, &ia, &ib);
	items_free(&ia);
	items_free(&ib);
	return rc;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* An added service whose program no old service started: a program newly run at boot. */
static int mark_new_programs(struct fv_diff *d)
{
	const struct fv_results *ro = d->old->res, *rn = d->new->res;
	const char **progs = malloc((ro->nservices + 1) * sizeof *progs);
	size_t n = 0;
	if (!progs)
		return FV_ENOMEM;
	for (size_t k = 0; k < ro->nservices; k++)
		if (ro->services[k].program)
			progs[n++] = ro->services[k].program;
	qsort(progs, n, sizeof *progs, cmp_str);
	for (size_t i = 0; i < d->services_added.n; i++) {
		const char *p = rn->services[d->services_added.v[i].b].program;
		d->services_added.v[i].listens = p && !bsearch(&p, progs, n, sizeof *progs, cmp_str);
	}
	free(progs);
	return FV_OK;
}

static int cmp_sev_desc(const void *x, const void *y)
{
	const struct fv_drec *a = x, *b = y;
	if (a->change != b->change)
		return a->change > b->change ? -1 : 1;
	size_t ia = a->a != NONE ? a->a : a->b, ib = b->a != NONE ? b->a : b->b;
	return (ia > ib) - (ia < ib);
}

int fv_diff_records(const struct fv_side *old, const struct fv_side *new, struct fv_diff *d)
{
	d->old = old;
	d->new = new;
	d->analysed = old->res && new->res;
	struct matcher m = { .mode = M_PAIR, .old = old, .new = new };
	int rc = FV_OK;
	if (d->analysed) {
		m.change = account_change;
		m.added = &d->accounts_added, m.removed = &d->accounts_removed, m.changed = &d->accounts_changed;
		rc = diff_kind(old, new, K_ACCOUNT, &m);
		m.change = service_change;
		m.added = &d->services_added, m.removed = &d->services_removed, m.changed = &d->services_changed;
		if (!rc)
			rc = diff_kind(old, new, K_SERVICE, &m);
		m.mode = M_SET;
		m.added = &d->endpoints_added, m.removed = &d->endpoints_removed, m.changed = NULL;
		if (!rc)
			rc = diff_kind(old, new, K_ENDPOINT, &m);
		m.mode = M_VERSIONS;
		m.added = &d->components_added, m.removed = &d->components_removed;
		m.changed = &d->components_changed;
		if (!rc)
			rc = diff_kind(old, new, K_COMPONENT, &m);
		if (!rc)
			rc = mark_new_programs(d);
	}
	/* Extraction findings exist without analysis, so findings are always compared. */
	m.mode = M_SET;
	m.added = &d->findings_new, m.removed = &d->findings_resolved, m.changed = NULL;
	if (!rc)
		rc = diff_kind(old, new, K_FINDING, &m);
	if (!rc) {
		/* Worst first: the severity rides in `change`. */
		for (size_t i = 0; i < d->findings_new.n; i++)
			d->findings_new.v[i].change = fv_diff_finding(new, d->findings_new.v[i].b)->severity;
		for (size_t i = 0; i < d->findings_resolved.n; i++)
			d->findings_resolved.v[i].change = fv_diff_finding(old, d->findings_resolved.v[i].a)->severity;
		if (d->findings_new.n)
			qsort(d->findings_new.v, d->findings_new.n, sizeof *d->findings_new.v, cmp_sev_desc);
		if (d->findings_resolved.n)
			qsort(d->findings_resolved.v, d->findings_resolved.n, sizeof *d->findings_resolved.v,
			      cmp_sev_desc);
	}
	return rc;
}

int fv_diff_worst_new(const struct fv_diff *d)
{
	int w = -1;
	for (size_t i = 0; i < d->findings_new.n; i++)
		if ((int)d->findings_new.v[i].change > w)
			w = (int)d->findings_new.v[i].change;
	return w;
}

/* ---- files --------------------------------------------------------------------- */

static const char *const server_calls[] = { "bind", "listen", "accept", "accept4", NULL };

static int names_has(const struct fv_names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	return 0;
}

/* Both files regular ELF of different content: what the update changed in the program. */
static int elf_delta(const struct fv_diff *d, struct fv_dfile *c)
{
	const struct fv_file *fa = &d->old->inv->files[c->a], *fb = &d->new->inv->files[c->b];
	struct fv_map ma, mb;
	char err[256] = "";
	if (fv_inventory_map(d->old->inv, fa, &ma) != FV_OK) {
		c->elf_error = strdup("the old file cannot be read back");
		return FV_OK;
	}
	if (fv_inventory_map(d->new->inv, fb, &mb) != FV_OK) {
		fv_map_close(&ma);
		c->elf_error = strdup("the new file cannot be read back");
		return FV_OK;
	}
	int rc = FV_OK;
	if (!(c->elf = calloc(1, sizeof *c->elf))) {
		rc = FV_ENOMEM;
	} else {
		int r = fv_elfcmp_delta(ma.data, ma.size, mb.data, mb.size, c->elf, err, sizeof err);
		if (r) {
			fv_elf_delta_free(c->elf);
			free(c->elf);
			c->elf = NULL;
			if (r == FV_ENOMEM)
				rc = FV_ENOMEM;
			else
				c->elf_error = strdup(err[0] ? err : "not an ELF file the reader accepts");
		} else {
			for (size_t i = 0; server_calls[i]; i++)
				c->listens |= names_has(&c->elf->imports_added, server_calls[i]);
		}
	}
	fv_map_close(&ma);
	fv_map_close(&mb);
	return rc;
}

/* A new program that imports a socket server call. */
static int elf_listens(const struct fv_inventory *inv, const struct fv_file *f)
{
	struct fv_map m;
	if (f->kind != FV_KIND_ELF || f->x->type != FV_FT_FILE || fv_inventory_map(inv, f, &m) != FV_OK)
		return 0;
	struct fv_elf e;
	int l = 0;
	if (m.data && fv_elf_parse(m.data, m.size, &e) == FV_OK) {
		for (size_t i = 0; server_calls[i] && !l; i++)
			l = fv_elf_imports(&e, server_calls[i]);
		fv_elf_free(&e);
	}
	fv_map_close(&m);
	return l;
}

static unsigned file_change(const struct fv_xfile *a, const struct fv_xfile *b)
{
	if (a->type != b->type)
		return FV_DF_TYPE;
	unsigned c = 0;
	if (a->type == FV_FT_FILE && strcmp(a->sha256, b->sha256))
		c |= FV_DF_CONTENT;
	if ((a->mode & 07777) != (b->mode & 07777))
		c |= FV_DF_MODE;
	if (a->uid != b->uid || a->gid != b->gid)
		c |= FV_DF_OWNER;
	if (a->type == FV_FT_SYMLINK && !streq(a->link, b->link))
		c |= FV_DF_LINK;
	if ((a->type == FV_FT_CHAR || a->type == FV_FT_BLOCK) && a->rdev != b->rdev)
		c |= FV_DF_DEVICE;
	return c;
}

struct byhash {
	const char *sha256;
	size_t pos; /* in the added or removed list */
};

static int cmp_byhash(const void *x, const void *y)
{
	const struct byhash *a = x, *b = y;
	int c = strcmp(a->sha256, b->sha256);
	return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* Regular, non-empty files of a list, by content. */
static struct byhash *by_hash(const struct fv_side *s, const struct fv_dlist *l, int old, size_t *n)
{
	struct byhash *v = malloc((l->n + 1) * sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct fv_xfile *x = s->inv->files[old ? l->v[i].a : l->v[i].b].x;
		if (x->type == FV_FT_FILE && x->size > 0)
			v[(*n)++] = (struct byhash){ x->sha256, i };
	}
	qsort(v, *n, sizeof *v, cmp_byhash);
	return v;
}

/* A removed and an added file of one content are one file renamed; both leave their lists. */
static int find_renames(struct fv_diff *d)
{
	size_t nr, na;
	struct byhash *r = by_hash(d->old, &d->files_removed, 1, &nr), *a = by_hash(d->new, &d->files_added, 0, &na);
	int rc = r && a ? FV_OK : FV_ENOMEM;
	for (size_t i = 0, k = 0; !rc && i < nr && k < na;) {
		int c = strcmp(r[i].sha256, a[k].sha256);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			k++;
		} else {
			struct fv_drec *dr = &d->files_removed.v[r[i].pos], *da = &d->files_added.v[a[k].pos];
			rc = push(&d->files_renamed, dr->a, da->b, 0);
			dr->change = da->change = 1; /* taken */
			i++, k++;
		}
	}
	free(r);
	free(a);
	struct fv_dlist *lists[] = { &d->files_removed, &d->files_added };
	for (size_t l = 0; l < 2; l++) {
		size_t w = 0;
		for (size_t i = 0; i < lists[l]->n; i++)
			if (!lists[l]->v[i].change)
				lists[l]->v[w++] = lists[l]->v[i];
		lists[l]->n = w;
	}
	return rc;
}

/* A file key's container part ("uimage" of "uimage!/Linux-5.15.137"), by length; NONE without one. */
static size_t container_len(const char *key)
{
	const char *bang = strrchr(key, '!');
	return bang ? (size_t)(bang - key) : NONE;
}

struct cont {
	const char *key;
	size_t len, file;
};

static int cmp_cont(const void *x, const void *y)
{
	const struct cont *a = x, *b = y;
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Every file of s under its container, sorted, so that a container's files are found by bsearch. */
static struct cont *containers(const struct fv_side *s, size_t *n)
{
	struct cont *v = malloc((s->inv->nfiles + 1) * sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->inv->nfiles; i++) {
		size_t l = container_len(s->keys[i]);
		if (l != NONE)
			v[(*n)++] = (struct cont){ s->keys[i], l, i };
	}
	if (*n)
		qsort(v, *n, sizeof *v, cmp_cont);
	return v;
}

/* The one file of container c in v, or NONE when it holds none or several. */
static size_t sole_file(const struct cont *v, size_t n, const struct cont *c)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_cont(&v[mid], c) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= n || cmp_cont(&v[lo], c) || (lo + 1 < n && !cmp_cont(&v[lo + 1], c)))
		return NONE;
	return v[lo].file;
}

/*
 * A container that holds one regular file on each side, under two names: one
 * file, renamed and changed.  A uImage names its payload after the image
 * name and a gzip stream its member after the stored name, and updates
 * change both with the version, so the kernel would otherwise be a removed
 * and an added file.
 */
static int sole_members(struct fv_diff *d)
{
	if (!d->files_removed.n || !d->files_added.n)
		return FV_OK;
	size_t no, nn;
	struct cont *co = containers(d->old, &no), *cn = containers(d->new, &nn);
	size_t *pos = malloc((d->new->inv->nfiles + 1) * sizeof *pos);
	int rc = co && cn && pos ? FV_OK : FV_ENOMEM;
	for (size_t i = 0; !rc && i < d->new->inv->nfiles; i++)
		pos[i] = NONE;
	for (size_t i = 0; !rc && i < d->files_added.n; i++)
		pos[d->files_added.v[i].b] = i;
	for (size_t i = 0; !rc && i < d->files_removed.n; i++) {
		size_t fa = d->files_removed.v[i].a;
		struct cont c = { d->old->keys[fa], container_len(d->old->keys[fa]), fa };
		size_t fb = c.len == NONE || sole_file(co, no, &c) != fa ? NONE : sole_file(cn, nn, &c);
		if (fb == NONE || pos[fb] == NONE)
			continue;
		const struct fv_file *xa = &d->old->inv->files[fa], *xb = &d->new->inv->files[fb];
		if (xa->x->type != FV_FT_FILE || xb->x->type != FV_FT_FILE)
			continue;
		if (fv_grow(&d->files_changed, &d->capchanged, d->nchanged, sizeof *d->files_changed)) {
			rc = FV_ENOMEM;
			break;
		}
		struct fv_dfile *df = &d->files_changed[d->nchanged++];
		memset(df, 0, sizeof *df);
		df->a = fa;
		df->b = fb;
		df->change = FV_DF_NAME | file_change(xa->x, xb->x);
		d->files_removed.v[i].change = d->files_added.v[pos[fb]].change = 1; /* taken */
		if ((df->change & FV_DF_CONTENT) && xa->kind == FV_KIND_ELF && xb->kind == FV_KIND_ELF)
			rc = elf_delta(d, df);
	}
	free(co);
	free(cn);
	free(pos);
	struct fv_dlist *lists[] = { &d->files_removed, &d->files_added };
	for (size_t l = 0; l < 2; l++) {
		size_t w = 0;
		for (size_t i = 0; i < lists[l]->n; i++)
			if (!lists[l]->v[i].change)
				lists[l]->v[w++] = lists[l]->v[i];
		lists[l]->n = w;
	}
	return rc;
}

static int files(struct fv_diff *d)
{
	struct fv_pair *p;
	size_t n;
	if (fv_pair_files(d->old, d->new, &p, &n))
		return FV_ENOMEM;
	int rc = FV_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		if (p[i].a == NONE) {
			rc = push(&d->files_added, NONE, p[i].b, 0);
			continue;
		}
		if (p[i].b == NONE) {
			rc = push(&d->files_removed, p[i].a, NONE, 0);
			continue;
		}
		const struct fv_file *fa = &d->old->inv->files[p[i].a], *fb = &d->new->inv->files[p[i].b];
		unsigned c = file_change(fa->x, fb->x);
		if (!c)
			continue;
		if (fv_grow(&d->files_changed, &d->capchanged, d->nchanged, sizeof *d->files_changed)) {
			rc = FV_ENOMEM;
			break;
		}
		struct fv_dfile *df = &d->files_changed[d->nchanged++];
		memset(df, 0, sizeof *df);
		df->a = p[i].a;
		df->b = p[i].b;
		df->change = c;
		if ((c & FV_DF_CONTENT) && fa->kind == FV_KIND_ELF && fb->kind == FV_KIND_ELF)
			rc = elf_delta(d, df);
	}
	free(p);
	if (!rc)
		rc = find_renames(d);
	if (!rc)
		rc = sole_members(d);
	for (size_t i = 0; !rc && i < d->files_added.n; i++)
		d->files_added.v[i].listens = elf_listens(d->new->inv, &d->new->inv->files[d->files_added.v[i].b]);
	return rc;
}

int fv_diff_compute(const struct fv_side *old, const struct fv_side *new, struct fv_diff *d)
{
	int rc = fv_diff_records(old, new, d);
	return rc ? rc : files(d);
}

static void dlist_free(struct fv_dlist *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void fv_diff_free(struct fv_diff *d)
{
	free(d->note);
	d->note = NULL;
	for (size_t i = 0; i < d->nchanged; i++) {
		if (d->files_changed[i].elf) {
			fv_elf_delta_free(d->files_changed[i].elf);
			free(d->files_changed[i].elf);
		}
		free(d->files_changed[i].elf_error);
	}
	free(d->files_changed);
	struct fv_dlist *l[] = {
		&d->files_added, &d->files_removed, &d->files_renamed, &d->accounts_added, &d->accounts_removed,
		&d->accounts_changed, &d->services_added, &d->services_removed, &d->services_changed,
		&d->endpoints_added, &d->endpoints_removed, &d->components_added, &d->components_removed,
		&d->components_changed, &d->findings_new, &d->findings_resolved,
	};
	for (size_t i = 0; i < sizeof l / sizeof *l; i++)
		dlist_free(l[i]);
	memset(d, 0, sizeof *d);
}

/* ---- what changed, in words --------------------------------------------------- */

/* The changes of a changed file: "content", "mode 0755 -> 04755", ...; returns how many went into out. */
static size_t file_words(const struct fv_dfile *c, const struct fv_xfile *a, const struct fv_xfile *b,
			 char out[][64])
{
	size_t n = 0;
	if (c->change & FV_DF_NAME)
		snprintf(out[n++], 64, "name");
	if (c->change & FV_DF_TYPE)
		snprintf(out[n++], 64, "type %s -> %s", fv_ftype_name(a->type), fv_ftype_name(b->type));
	if (c->change & FV_DF_CONTENT)
		snprintf(out[n++], 64, "content");
	if (c->change & FV_DF_MODE)
		snprintf(out[n++], 64, "mode 0%03o -> 0%03o", (unsigned)(a->mode & 07777), (unsigned)(b->mode & 07777));
	if (c->change & FV_DF_OWNER)
		snprintf(out[n++], 64, "owner %u:%u -> %u:%u", (unsigned)a->uid, (unsigned)a->gid, (unsigned)b->uid,
			 (unsigned)b->gid);
	if (c->change & FV_DF_LINK)
		snprintf(out[n++], 64, "link");
	if (c->change & FV_DF_DEVICE)
		snprintf(out[n++], 64, "device numbers");
	return n;
}

#define WORD_MAX 384

/* The changes of an account or a service, "uid 0 -> 1000", into out; returns how many. */
static size_t account_words(unsigned c, const struct fv_account *a, const struct fv_account *b, char out[][WORD_MAX])
{
	size_t n = 0;
	if (c & FV_DA_UID)
		snprintf(out[n++], WORD_MAX, "uid %lld -> %lld", (long long)a->uid, (long long)b->uid);
	if (c & FV_DA_GID)
		snprintf(out[n++], WORD_MAX, "gid %lld -> %lld", (long long)a->gid, (long long)b->gid);
	if (c & FV_DA_HOME)
		snprintf(out[n++], WORD_MAX, "home %.160s -> %.160s", a->home ? a->home : "-", b->home ? b->home : "-");
	if (c & FV_DA_SHELL)
		snprintf(out[n++], WORD_MAX, "shell %.160s -> %.160s", a->shell ? a->shell : "-",
			 b->shell ? b->shell : "-");
	if (c & FV_DA_HASH_TYPE)
		snprintf(out[n++], WORD_MAX, "hash type %.80s -> %.80s", a->hash_type ? a->hash_type : "-",
			 b->hash_type ? b->hash_type : "-");
	if (c & FV_DA_HASH)
		snprintf(out[n++], WORD_MAX, "password hash changed");
	if (c & FV_DA_PASSWORD)
		snprintf(out[n++], WORD_MAX, "password %.160s -> %.160s", a->password ? a->password : "(unknown)",
			 b->password ? b->password : "(unknown)");
	return n;
}

static size_t service_words(unsigned c, const struct fv_service *a, const struct fv_service *b, char out[][WORD_MAX])
{
	size_t n = 0;
	if (c & FV_DS_ARGS)
		snprintf(out[n++], WORD_MAX, "args '%.170s' -> '%.170s'", a->args ? a->args : "",
			 b->args ? b->args : "");
	if (c & FV_DS_HOW)
		snprintf(out[n++], WORD_MAX, "how %.160s -> %.160s", a->how ? a->how : "-", b->how ? b->how : "-");
	return n;
}

static const char *file_key(const struct fv_side *s, size_t i)
{
	return s->keys[i];
}

/* What a person reads for a file: its key, or its path when the key is empty (a lone file). */
static const char *file_name(const struct fv_side *s, size_t i)
{
	return s->keys[i][0] ? s->keys[i] : s->inv->files[i].x->path;
}

static size_t count_dirs(const struct fv_side *s, const struct fv_dlist *l, int old)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += s->inv->files[old ? l->v[i].a : l->v[i].b].x->type == FV_FT_DIR;
	return n;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void words_json(struct fv_json *j, const char *key, char words[][WORD_MAX], size_t n)
{
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		fv_json_str(j, words[i]);
	fv_json_arr_end(j);
}

static void image_json(struct fv_json *j, const char *key, const struct fv_side *s)
{
	char formats[512];
	fv_side_formats(s, formats, sizeof formats);
	fv_json_key(j, key);
	fv_json_obj_begin(j);
	fv_json_kstr(j, "path", s->u->image_path);
	fv_json_kstr(j, "sha256", s->u->image_sha256[0] ? s->u->image_sha256 : NULL);
	fv_json_kuint(j, "size", s->u->image_size);
	fv_json_key(j, "format_chain");
	fv_json_arr_begin(j);
	for (const char *p = formats; *p;) {
		size_t l = strcspn(p, " ");
		fv_json_strn(j, p, l);
		p += l;
		p += *p == ' ';
	}
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

static void file_fields(struct fv_json *j, const struct fv_side *s, size_t i)
{
	const struct fv_file *f = &s->inv->files[i];
	const struct fv_xfile *x = f->x;
	char mode[8];
	snprintf(mode, sizeof mode, "0%03o", (unsigned)(x->mode & 07777));
	fv_json_kstr(j, "key", file_key(s, i));
	fv_json_kstr(j, "path", x->path);
	fv_json_kstr(j, "kind", x->type == FV_FT_FILE ? fv_kind_name(f->kind) : fv_ftype_name(x->type));
	fv_json_kuint(j, "size", x->size);
	fv_json_kstr(j, "mode", mode);
	fv_json_kuint(j, "uid", x->uid);
	fv_json_kuint(j, "gid", x->gid);
	if (x->type == FV_FT_FILE)
		fv_json_kstr(j, "sha256", x->sha256);
	if (x->link)
		fv_json_kstr(j, "link", x->link);
}

static void names_json(struct fv_json *j, const char *key, const struct fv_names *s)
{
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	for (size_t i = 0; i < s->n; i++)
		fv_json_str(j, s->v[i]);
	fv_json_arr_end(j);
}

static void elf_json(struct fv_json *j, const struct fv_elf_delta *e)
{
	fv_json_key(j, "elf");
	fv_json_obj_begin(j);
	names_json(j, "imports_added", &e->imports_added);
	names_json(j, "imports_removed", &e->imports_removed);
	names_json(j, "exports_added", &e->exports_added);
	names_json(j, "exports_removed", &e->exports_removed);
	names_json(j, "needed_added", &e->needed_added);
	names_json(j, "needed_removed", &e->needed_removed);
	names_json(j, "strings_added", &e->strings_added);
	names_json(j, "strings_removed", &e->strings_removed);
	fv_json_kbool(j, "code", e->code);
	names_json(j, "functions_changed", &e->functions_changed);
	names_json(j, "functions_added", &e->functions_added);
	names_json(j, "functions_removed", &e->functions_removed);
	fv_json_obj_end(j);
}

static void files_json(struct fv_json *j, const struct fv_diff *d)
{
	fv_json_key(j, "files");
	fv_json_obj_begin(j);
	fv_json_key(j, "added");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->files_added.n; i++) {
		fv_json_obj_begin(j);
		file_fields(j, d->new, d->files_added.v[i].b);
		if (d->files_added.v[i].listens)
			fv_json_kbool(j, "listens", 1);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "removed");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->files_removed.n; i++) {
		fv_json_obj_begin(j);
		file_fields(j, d->old, d->files_removed.v[i].a);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "changed");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->nchanged; i++) {
		const struct fv_dfile *c = &d->files_changed[i];
		const struct fv_xfile *a = d->old->inv->files[c->a].x, *b = d->new->inv->files[c->b].x;
		char words[8][64];
		size_t n = file_words(c, a, b, words);
		fv_json_obj_begin(j);
		file_fields(j, d->new, c->b);
		fv_json_kstr(j, "old_path", a->path);
		fv_json_key(j, "changes");
		fv_json_arr_begin(j);
		for (size_t k = 0; k < n; k++)
			fv_json_str(j, words[k]);
		fv_json_arr_end(j);
		fv_json_key(j, "old");
		fv_json_obj_begin(j);
		file_fields(j, d->old, c->a);
		fv_json_obj_end(j);
		if (c->elf)
			elf_json(j, c->elf);
		if (c->elf_error)
			fv_json_kstr(j, "elf_error", c->elf_error);
		if (c->listens)
			fv_json_kbool(j, "listens", 1);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "renamed");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->files_renamed.n; i++) {
		const struct fv_drec *r = &d->files_renamed.v[i];
		fv_json_obj_begin(j);
		file_fields(j, d->new, r->b);
		fv_json_kstr(j, "old_key", file_key(d->old, r->a));
		fv_json_kstr(j, "old_path", d->old->inv->files[r->a].x->path);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

/* A record's key (its file's pairing key), then the scan report's fields. */
static void key_json(struct fv_json *j, const struct fv_side *s, const char *path)
{
	char *k = side_key(s, path);
	fv_json_kstr(j, "key", k);
	free(k);
}

static void versions_json(struct fv_json *j, const char *key, const struct fv_results *r, const char *name)
{
	fv_json_key(j, key);
	fv_json_arr_begin(j);
	for (size_t i = 0; i < r->ncomponents; i++)
		if (streq(r->components[i].name, name))
			fv_json_str(j, r->components[i].version);
	fv_json_arr_end(j);
}

enum rec { R_ACCOUNT, R_SERVICE, R_ENDPOINT, R_COMPONENT };

/* One side's record as a JSON object (the side's own fields). */
static void rec_json(struct fv_json *j, const struct fv_side *s, enum rec k, size_t i, const char *vkey)
{
	const struct fv_results *r = s->res;
	fv_json_obj_begin(j);
	switch (k) {
	case R_ACCOUNT:
		key_json(j, s, r->accounts[i].path);
		fv_report_account_fields(j, &r->accounts[i]);
		break;
	case R_SERVICE:
		key_json(j, s, r->services[i].path);
		fv_report_service_fields(j, &r->services[i]);
		break;
	case R_ENDPOINT: fv_report_endpoint_fields(j, &r->endpoints[i]); break;
	case R_COMPONENT:
		fv_json_kstr(j, "name", r->components[i].name);
		fv_json_kstr(j, "title", r->components[i].title);
		versions_json(j, vkey, r, r->components[i].name);
		break;
	}
}

static void records_json(struct fv_json *j, const struct fv_diff *d, const char *name, enum rec k,
			 const struct fv_dlist *added, const struct fv_dlist *removed, const struct fv_dlist *changed)
{
	fv_json_key(j, name);
	fv_json_obj_begin(j);
	fv_json_key(j, "added");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < added->n; i++) {
		rec_json(j, d->new, k, added->v[i].b, "versions");
		if (k == R_SERVICE)
			fv_json_kbool(j, "new_program", added->v[i].listens);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	fv_json_key(j, "removed");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < removed->n; i++) {
		rec_json(j, d->old, k, removed->v[i].a, "versions");
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
	if (changed) {
		fv_json_key(j, "changed");
		fv_json_arr_begin(j);
		for (size_t i = 0; i < changed->n; i++) {
			const struct fv_drec *c = &changed->v[i];
			char words[8][WORD_MAX];
			size_t n = 0;
			if (k == R_ACCOUNT)
				n = account_words(c->change, &d->old->res->accounts[c->a], &d->new->res->accounts[c->b],
						  words);
			else if (k == R_SERVICE)
				n = service_words(c->change, &d->old->res->services[c->a], &d->new->res->services[c->b],
						  words);
			rec_json(j, d->new, k, c->b, "new_versions");
			if (k == R_COMPONENT) {
				versions_json(j, "old_versions", d->old->res, d->new->res->components[c->b].name);
			} else {
				words_json(j, "changes", words, n);
				fv_json_key(j, "old");
				rec_json(j, d->old, k, c->a, "versions");
				fv_json_obj_end(j);
			}
			fv_json_obj_end(j);
		}
		fv_json_arr_end(j);
	}
	fv_json_obj_end(j);
}

static void findings_json(struct fv_json *j, const struct fv_diff *d)
{
	fv_json_key(j, "findings");
	fv_json_obj_begin(j);
	fv_json_key(j, "new");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->findings_new.n; i++)
		fv_finding_json(j, fv_diff_finding(d->new, d->findings_new.v[i].b));
	fv_json_arr_end(j);
	fv_json_key(j, "resolved");
	fv_json_arr_begin(j);
	for (size_t i = 0; i < d->findings_resolved.n; i++)
		fv_finding_json(j, fv_diff_finding(d->old, d->findings_resolved.v[i].a));
	fv_json_arr_end(j);
	fv_json_obj_end(j);
}

static const char *const listen_reason_service = "started at boot; no old service started this program";
static const char *const listen_reason_new = "new program that imports a socket server call (bind, listen or accept)";
static const char *const listen_reason_changed = "the update adds socket server imports (bind, listen or accept)";

/* Programs that may newly listen: cheap signals, each with its reason. */
static void listening_json(struct fv_json *j, const struct fv_diff *d)
{
	fv_json_key(j, "listening");
	fv_json_arr_begin(j);
	for (size_t i = 0; d->analysed && i < d->services_added.n; i++) {
		const struct fv_service *s = &d->new->res->services[d->services_added.v[i].b];
		if (!d->services_added.v[i].listens)
			continue;
		fv_json_obj_begin(j);
		fv_json_kstr(j, "program", s->program);
		fv_json_kstr(j, "path", s->path);
		fv_json_kstr(j, "reason", listen_reason_service);
		fv_json_obj_end(j);
	}
	for (size_t i = 0; i < d->files_added.n; i++) {
		if (!d->files_added.v[i].listens)
			continue;
		fv_json_obj_begin(j);
		fv_json_kstr(j, "key", file_key(d->new, d->files_added.v[i].b));
		fv_json_kstr(j, "path", d->new->inv->files[d->files_added.v[i].b].x->path);
		fv_json_kstr(j, "reason", listen_reason_new);
		fv_json_obj_end(j);
	}
	for (size_t i = 0; i < d->nchanged; i++) {
		if (!d->files_changed[i].listens)
			continue;
		fv_json_obj_begin(j);
		fv_json_kstr(j, "key", file_key(d->new, d->files_changed[i].b));
		fv_json_kstr(j, "path", d->new->inv->files[d->files_changed[i].b].x->path);
		fv_json_kstr(j, "reason", listen_reason_changed);
		fv_json_obj_end(j);
	}
	fv_json_arr_end(j);
}

static void summary_json(struct fv_json *j, const struct fv_diff *d)
{
	size_t bysev[5] = { 0 };
	for (size_t i = 0; i < d->findings_new.n; i++)
		bysev[d->findings_new.v[i].change]++;
	fv_json_key(j, "summary");
	fv_json_obj_begin(j);
	fv_json_kuint(j, "files_added", d->files_added.n);
	fv_json_kuint(j, "files_removed", d->files_removed.n);
	fv_json_kuint(j, "files_changed", d->nchanged);
	fv_json_kuint(j, "files_renamed", d->files_renamed.n);
	fv_json_kuint(j, "folders_added", count_dirs(d->new, &d->files_added, 0));
	fv_json_kuint(j, "folders_removed", count_dirs(d->old, &d->files_removed, 1));
	fv_json_kuint(j, "accounts_added", d->accounts_added.n);
	fv_json_kuint(j, "accounts_removed", d->accounts_removed.n);
	fv_json_kuint(j, "accounts_changed", d->accounts_changed.n);
	fv_json_kuint(j, "services_added", d->services_added.n);
	fv_json_kuint(j, "services_removed", d->services_removed.n);
	fv_json_kuint(j, "services_changed", d->services_changed.n);
	fv_json_kuint(j, "endpoints_added", d->endpoints_added.n);
	fv_json_kuint(j, "endpoints_removed", d->endpoints_removed.n);
	fv_json_kuint(j, "components_added", d->components_added.n);
	fv_json_kuint(j, "components_removed", d->components_removed.n);
	fv_json_kuint(j, "components_changed", d->components_changed.n);
	fv_json_kuint(j, "findings_new", d->findings_new.n);
	fv_json_kuint(j, "findings_resolved", d->findings_resolved.n);
	fv_json_key(j, "new_findings_by_severity");
	fv_json_obj_begin(j);
	for (int s = FV_SEV_CRITICAL; s >= FV_SEV_INFO; s--)
		fv_json_kuint(j, fv_severity_name((enum fv_severity)s), bysev[s]);
	fv_json_obj_end(j);
	fv_json_obj_end(j);
}

void fv_diff_json(struct fv_json *j, const struct fv_diff *d)
{
	static const struct fv_dlist empty;
	fv_json_obj_begin(j);
	fv_json_kstr(j, "fwvet", FV_VERSION);
	image_json(j, "old", d->old);
	image_json(j, "new", d->new);
	fv_json_kbool(j, "analysed", d->analysed);
	summary_json(j, d);
	files_json(j, d);
	int an = d->analysed;
	records_json(j, d, "accounts", R_ACCOUNT, an ? &d->accounts_added : &empty,
		     an ? &d->accounts_removed : &empty, an ? &d->accounts_changed : &empty);
	records_json(j, d, "services", R_SERVICE, an ? &d->services_added : &empty,
		     an ? &d->services_removed : &empty, an ? &d->services_changed : &empty);
	listening_json(j, d);
	records_json(j, d, "endpoints", R_ENDPOINT, an ? &d->endpoints_added : &empty,
		     an ? &d->endpoints_removed : &empty, NULL);
	records_json(j, d, "components", R_COMPONENT, an ? &d->components_added : &empty,
		     an ? &d->components_removed : &empty, an ? &d->components_changed : &empty);
	findings_json(j, d);
	if (d->stored[0] || d->stored[1]) {
		fv_json_key(j, "stored");
		fv_json_obj_begin(j);
		for (int i = 0; i < 2; i++) {
			fv_json_key(j, i ? "new" : "old");
			if (d->stored[i])
				fv_json_int(j, d->stored[i]);
			else
				fv_json_null(j);
		}
		fv_json_kuint(j, "changed_elf_without_delta", d->elf_unread);
		fv_json_kstr(j, "note", d->note);
		fv_json_obj_end(j);
	}
	fv_json_obj_end(j);
}

/* ---- text ------------------------------------------------------------------------ */

/* How many of a list a person sees without -v. */
static size_t shown(size_t n, int verbose)
{
	return verbose || n <= 40 ? n : 30;
}

static void more(FILE *f, size_t shown_n, size_t n)
{
	if (shown_n < n)
		fprintf(f, "    ... %zu more (all with -v or --format json)\n", n - shown_n);
}

static void words_text(FILE *f, char words[][WORD_MAX], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : ": ", f);
		fv_report_put_safe(f, words[i], WORD_MAX);
	}
}

static void account_text(FILE *f, const struct fv_side *s, const struct fv_account *a, char mark)
{
	fprintf(f, "  %c ", mark);
	fv_report_put_safe(f, a->name, 64);
	fprintf(f, "  uid %lld  ", (long long)a->uid);
	fv_report_put_safe(f, a->shell, 64);
	fputs("  ", f);
	fv_report_put_safe(f, a->hash_type, 32);
	if (a->password) {
		fputs(" = ", f);
		fv_report_put_safe(f, a->password, 64);
	}
	char *k = side_key(s, a->path);
	fputs("  (", f);
	fv_report_put_safe(f, k ? k : a->path, 200);
	fputs(")\n", f);
	free(k);
}

static void service_text(FILE *f, const struct fv_side *s, const struct fv_service *v, char mark)
{
	fprintf(f, "  %c ", mark);
	fv_report_put_safe(f, v->program, 128);
	if (v->args && v->args[0]) {
		fputc(' ', f);
		fv_report_put_safe(f, v->args, 160);
	}
	char *k = side_key(s, v->path);
	fputs("  [", f);
	fv_report_put_safe(f, v->how, 40);
	fputs(", ", f);
	fv_report_put_safe(f, k ? k : v->path, 200);
	fprintf(f, ":%llu]", (unsigned long long)v->line);
	free(k);
}

static void versions_text(FILE *f, const struct fv_results *r, const char *name)
{
	int first = 1;
	for (size_t i = 0; i < r->ncomponents; i++) {
		if (!streq(r->components[i].name, name))
			continue;
		fputs(first ? "" : ", ", f);
		fv_report_put_safe(f, r->components[i].version && *r->components[i].version ? r->components[i].version
										 : "(version unknown)", 64);
		first = 0;
	}
}

static void security_text(FILE *f, const struct fv_diff *d, int verbose)
{
	const struct fv_results *ro = d->old->res, *rn = d->new->res;
	char words[8][WORD_MAX];
	if (d->accounts_added.n + d->accounts_removed.n + d->accounts_changed.n) {
		fputs("\nAccounts:\n", f);
		for (size_t i = 0; i < d->accounts_added.n; i++)
			account_text(f, d->new, &rn->accounts[d->accounts_added.v[i].b], '+');
		for (size_t i = 0; i < d->accounts_removed.n; i++)
			account_text(f, d->old, &ro->accounts[d->accounts_removed.v[i].a], '-');
		for (size_t i = 0; i < d->accounts_changed.n; i++) {
			const struct fv_drec *c = &d->accounts_changed.v[i];
			const struct fv_account *b = &rn->accounts[c->b];
			fputs("  ~ ", f);
			fv_report_put_safe(f, b->name, 64);
			words_text(f, words, account_words(c->change, &ro->accounts[c->a], b, words));
			char *k = side_key(d->new, b->path);
			fputs("  (", f);
			fv_report_put_safe(f, k ? k : b->path, 200);
			fputs(")\n", f);
			free(k);
		}
	}
	if (d->services_added.n + d->services_removed.n + d->services_changed.n) {
		fputs("\nStarted at boot:\n", f);
		for (size_t i = 0; i < d->services_added.n; i++) {
			service_text(f, d->new, &rn->services[d->services_added.v[i].b], '+');
			fputs(d->services_added.v[i].listens ? "  (a program not started before)\n" : "\n", f);
		}
		for (size_t i = 0; i < d->services_removed.n; i++) {
			service_text(f, d->old, &ro->services[d->services_removed.v[i].a], '-');
			fputc('\n', f);
		}
		for (size_t i = 0; i < d->services_changed.n; i++) {
			const struct fv_drec *c = &d->services_changed.v[i];
			fputs("  ~ ", f);
			fv_report_put_safe(f, rn->services[c->b].program, 128);
			words_text(f, words, service_words(c->change, &ro->services[c->a], &rn->services[c->b], words));
			fputc('\n', f);
		}
	}
	size_t nl = 0;
	for (size_t i = 0; i < d->files_added.n; i++)
		nl += d->files_added.v[i].listens != 0;
	for (size_t i = 0; i < d->nchanged; i++)
		nl += d->files_changed[i].listens != 0;
	if (nl) {
		fputs("\nMay newly listen (socket server imports):\n", f);
		for (size_t i = 0; i < d->files_added.n; i++)
			if (d->files_added.v[i].listens) {
				fputs("  + ", f);
				fv_report_put_safe(f, file_name(d->new, d->files_added.v[i].b), 300);
				fputs("  (new program)\n", f);
			}
		for (size_t i = 0; i < d->nchanged; i++)
			if (d->files_changed[i].listens) {
				fputs("  ~ ", f);
				fv_report_put_safe(f, file_name(d->new, d->files_changed[i].b), 300);
				fputs("  (imports added by the update)\n", f);
			}
	}
	if (d->endpoints_added.n + d->endpoints_removed.n) {
		fputs("\nEndpoints:\n", f);
		const struct fv_dlist *l[2] = { &d->endpoints_added, &d->endpoints_removed };
		for (size_t s = 0; s < 2; s++) {
			size_t m = shown(l[s]->n, verbose);
			for (size_t i = 0; i < m; i++) {
				const struct fv_endpoint *e = s ? &ro->endpoints[l[s]->v[i].a]
								: &rn->endpoints[l[s]->v[i].b];
				fprintf(f, "  %c ", s ? '-' : '+');
				fv_report_put_safe(f, e->value, 160);
				fprintf(f, "  (%s%s) in ", e->kind ? e->kind : "?", e->outside ? ", outside" : "");
				char *k = side_key(s ? d->old : d->new, e->path);
				fv_report_put_safe(f, k ? k : e->path, 200);
				free(k);
				fputc('\n', f);
			}
			more(f, m, l[s]->n);
		}
	}
	if (d->components_added.n + d->components_removed.n + d->components_changed.n) {
		fputs("\nComponents:\n", f);
		for (size_t i = 0; i < d->components_added.n; i++) {
			const struct fv_component *c = &rn->components[d->components_added.v[i].b];
			fputs("  + ", f);
			fv_report_put_safe(f, c->title ? c->title : c->name, 64);
			fputc(' ', f);
			versions_text(f, rn, c->name);
			fputc('\n', f);
		}
		for (size_t i = 0; i < d->components_removed.n; i++) {
			const struct fv_component *c = &ro->components[d->components_removed.v[i].a];
			fputs("  - ", f);
			fv_report_put_safe(f, c->title ? c->title : c->name, 64);
			fputc(' ', f);
			versions_text(f, ro, c->name);
			fputc('\n', f);
		}
		for (size_t i = 0; i < d->components_changed.n; i++) {
			const struct fv_component *c = &rn->components[d->components_changed.v[i].b];
			fputs("  ~ ", f);
			fv_report_put_safe(f, c->title ? c->title : c->name, 64);
			fputc(' ', f);
			versions_text(f, ro, c->name);
			fputs(" -> ", f);
			versions_text(f, rn, c->name);
			fputc('\n', f);
		}
	}
}

static void finding_text(FILE *f, const struct fv_side *s, const struct fv_finding *x)
{
	fprintf(f, "    %-13s %-13s ", x->category, x->rule);
	fv_report_put_safe(f, x->title, 200);
	char *k = side_key(s, x->path);
	fputs("\n        ", f);
	fv_report_put_safe(f, k ? k : x->path, 300);
	free(k);
	fprintf(f, " @ 0x%llx: ", (unsigned long long)x->offset);
	fv_report_put_safe(f, x->evidence, 160);
	fputc('\n', f);
}

static void findings_text(FILE *f, const struct fv_diff *d, int verbose)
{
	static const char *const sev[] = { "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	if (d->findings_new.n) {
		fprintf(f, "\nNew findings (%zu):\n", d->findings_new.n);
		int cur = -1;
		size_t info = 0;
		for (size_t i = 0; i < d->findings_new.n; i++) {
			const struct fv_finding *x = fv_diff_finding(d->new, d->findings_new.v[i].b);
			if (x->severity == FV_SEV_INFO && !verbose) {
				info++;
				continue;
			}
			if ((int)x->severity != cur) {
				cur = (int)x->severity;
				fprintf(f, "  %s\n", sev[cur]);
			}
			finding_text(f, d->new, x);
		}
		if (info)
			fprintf(f, "  and %zu info finding%s (listed with -v)\n", info, info == 1 ? "" : "s");
	}
	if (d->findings_resolved.n) {
		fprintf(f, "\nResolved findings (%zu):\n", d->findings_resolved.n);
		size_t m = shown(d->findings_resolved.n, verbose);
		for (size_t i = 0; i < m; i++) {
			const struct fv_finding *x = fv_diff_finding(d->old, d->findings_resolved.v[i].a);
			fprintf(f, "  %-8s ", fv_severity_name(x->severity));
			fprintf(f, "%-13s ", x->rule);
			fv_report_put_safe(f, x->title, 160);
			fputc('\n', f);
		}
		more(f, m, d->findings_resolved.n);
	}
}

static void names_text(FILE *f, const char *what, const struct fv_names *add, const struct fv_names *del, int verbose)
{
	if (!add->n && !del->n)
		return;
	fprintf(f, "      %-10s", what);
	size_t ma = verbose ? add->n : add->n < 12 ? add->n : 10, md = verbose ? del->n : del->n < 12 ? del->n : 10;
	for (size_t i = 0; i < ma; i++) {
		fputs(" +", f);
		fv_report_put_safe(f, add->v[i], 80);
	}
	if (ma < add->n)
		fprintf(f, " (+%zu more)", add->n - ma);
	for (size_t i = 0; i < md; i++) {
		fputs(" -", f);
		fv_report_put_safe(f, del->v[i], 80);
	}
	if (md < del->n)
		fprintf(f, " (-%zu more)", del->n - md);
	fputc('\n', f);
}

static void funcs_text(FILE *f, const char *what, const struct fv_names *s, int verbose)
{
	if (!s->n)
		return;
	fprintf(f, "      functions %s (%zu):", what, s->n);
	size_t m = verbose ? s->n : s->n < 12 ? s->n : 10;
	for (size_t i = 0; i < m; i++) {
		fputc(' ', f);
		fv_report_put_safe(f, s->v[i], 80);
	}
	if (m < s->n)
		fputs(" ...", f);
	fputc('\n', f);
}

static void file_line(FILE *f, const struct fv_side *s, size_t i, char mark)
{
	const struct fv_file *x = &s->inv->files[i];
	char hs[32];
	fprintf(f, "  %c ", mark);
	fv_report_put_safe(f, file_name(s, i), 300);
	fprintf(f, "  (%s", x->x->type == FV_FT_FILE ? fv_kind_name(x->kind) : fv_ftype_name(x->x->type));
	if (x->x->type == FV_FT_FILE)
		fprintf(f, ", %s", fv_human_size(x->x->size, hs, sizeof hs));
	if (x->x->mode & 07000)
		fprintf(f, ", mode 0%03o", (unsigned)(x->x->mode & 07777));
	fputs(")\n", f);
}

static void files_text(FILE *f, const struct fv_diff *d, int verbose)
{
	size_t dirs_added = count_dirs(d->new, &d->files_added, 0);
	size_t dirs_removed = count_dirs(d->old, &d->files_removed, 1);
	if (d->files_added.n + d->files_removed.n + d->nchanged + d->files_renamed.n == 0)
		return;
	fputs("\nFiles:\n", f);
	const struct fv_dlist *l[2] = { &d->files_added, &d->files_removed };
	for (size_t s = 0; s < 2; s++) {
		const struct fv_side *side = s ? d->old : d->new;
		size_t m = 0, total = 0;
		for (size_t i = 0; i < l[s]->n; i++) {
			size_t k = s ? l[s]->v[i].a : l[s]->v[i].b;
			if (side->inv->files[k].x->type == FV_FT_DIR && !verbose)
				continue;
			total++;
			if (m < shown(l[s]->n, verbose)) {
				file_line(f, side, k, s ? '-' : '+');
				m++;
			}
		}
		more(f, m, total);
	}
	for (size_t i = 0; i < d->files_renamed.n; i++) {
		fputs("  > ", f);
		fv_report_put_safe(f, file_name(d->old, d->files_renamed.v[i].a), 300);
		fputs(" -> ", f);
		fv_report_put_safe(f, file_name(d->new, d->files_renamed.v[i].b), 300);
		fputc('\n', f);
	}
	size_t m = shown(d->nchanged, verbose);
	for (size_t i = 0; i < m; i++) {
		const struct fv_dfile *c = &d->files_changed[i];
		const struct fv_xfile *a = d->old->inv->files[c->a].x, *b = d->new->inv->files[c->b].x;
		char words[8][64];
		size_t n = file_words(c, a, b, words);
		fputs("  ~ ", f);
		fv_report_put_safe(f, file_name(d->new, c->b), 300);
		for (size_t k = 0; k < n; k++)
			fprintf(f, "%s%s", k ? ", " : ": ", words[k]);
		if (c->change & FV_DF_NAME) {
			fputs(" (was ", f);
			fv_report_put_safe(f, file_name(d->old, c->a), 300);
			fputc(')', f);
		}
		if (c->change & FV_DF_LINK) {
			fputs(" (", f);
			fv_report_put_safe(f, a->link, 120);
			fputs(" -> ", f);
			fv_report_put_safe(f, b->link, 120);
			fputc(')', f);
		}
		fputc('\n', f);
		if (c->elf_error) {
			fputs("      ELF not compared: ", f);
			fv_report_put_safe(f, c->elf_error, 200);
			fputc('\n', f);
		}
		if (!c->elf)
			continue;
		const struct fv_elf_delta *e = c->elf;
		names_text(f, "imports", &e->imports_added, &e->imports_removed, verbose);
		names_text(f, "exports", &e->exports_added, &e->exports_removed, verbose);
		names_text(f, "needed", &e->needed_added, &e->needed_removed, verbose);
		names_text(f, "strings", &e->strings_added, &e->strings_removed, verbose);
		funcs_text(f, "changed", &e->functions_changed, verbose);
		funcs_text(f, "added", &e->functions_added, verbose);
		funcs_text(f, "removed", &e->functions_removed, verbose);
	}
	more(f, m, d->nchanged);
	if (!verbose && dirs_added + dirs_removed)
		fprintf(f, "  folders: %zu added, %zu removed (listed with -v)\n", dirs_added, dirs_removed);
}

void fv_diff_text(FILE *f, const struct fv_diff *d, int color, int verbose)
{
	char formats[512], hs[32];
	size_t bysev[5] = { 0 };
	for (size_t i = 0; i < d->findings_new.n; i++)
		bysev[d->findings_new.v[i].change]++;
	fprintf(f, "%sfwvet %s diff%s\n", color ? "\033[1m" : "", FV_VERSION, color ? "\033[0m" : "");
	const struct fv_side *sides[2] = { d->old, d->new };
	for (int s = 0; s < 2; s++) {
		fv_side_formats(sides[s], formats, sizeof formats);
		fprintf(f, "  %s  ", s ? "new" : "old");
		fv_report_put_safe(f, sides[s]->u->image_path, 300);
		if (!sides[s]->u->image_sha256[0])
			fputs("  (folder)\n", f);
		else
			fprintf(f, "  (%s, %s)\n", fv_human_size(sides[s]->u->image_size, hs, sizeof hs),
				formats[0] ? formats : "no container");
	}
	fprintf(f, "\n  files       %zu added, %zu removed, %zu changed, %zu renamed",
		d->files_added.n - count_dirs(d->new, &d->files_added, 0),
		d->files_removed.n - count_dirs(d->old, &d->files_removed, 1), d->nchanged, d->files_renamed.n);
	fprintf(f, " (folders: %zu added, %zu removed)\n", count_dirs(d->new, &d->files_added, 0),
		count_dirs(d->old, &d->files_removed, 1));
	if (d->analysed) {
		fprintf(f, "  accounts    %zu added, %zu removed, %zu changed\n", d->accounts_added.n,
			d->accounts_removed.n, d->accounts_changed.n);
		fprintf(f, "  services    %zu added, %zu removed, %zu changed\n", d->services_added.n,
			d->services_removed.n, d->services_changed.n);
		fprintf(f, "  endpoints   %zu added, %zu removed\n", d->endpoints_added.n, d->endpoints_removed.n);
		fprintf(f, "  components  %zu added, %zu removed, %zu changed\n", d->components_added.n,
			d->components_removed.n, d->components_changed.n);
	} else {
		fputs("  (not analysed: accounts, services, endpoints and components not compared)\n", f);
	}
	fprintf(f, "  findings    %zu new (%zu critical, %zu high, %zu medium, %zu low, %zu info), %zu resolved\n",
		d->findings_new.n, bysev[4], bysev[3], bysev[2], bysev[1], bysev[0], d->findings_resolved.n);
	if (d->analysed)
		security_text(f, d, verbose);
	findings_text(f, d, verbose);
	files_text(f, d, verbose);
	if (!d->files_added.n && !d->files_removed.n && !d->nchanged && !d->files_renamed.n &&
	    !d->findings_new.n && !d->findings_resolved.n && (!d->analysed ||
	    !(d->accounts_added.n + d->accounts_removed.n + d->accounts_changed.n + d->services_added.n +
	      d->services_removed.n + d->services_changed.n + d->endpoints_added.n + d->endpoints_removed.n +
	      d->components_added.n + d->components_removed.n + d->components_changed.n)))
		fputs("\nNo differences.\n", f);
	if (d->note)
		fprintf(f, "\nNote: %s\n", d->note);
}

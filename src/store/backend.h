/*
 * What a store backend provides (store.c dispatches to it).  A backend's
 * own handle starts with struct fv_store, so one pointer serves both.
 */
#ifndef FV_STORE_BACKEND_H
#define FV_STORE_BACKEND_H

#include "store/store.h"

struct fv_store_ops {
	const char *name;
	void (*close)(struct fv_store *s);
	int (*record)(struct fv_store *s, const struct fv_unpack *u, const struct fv_inventory *inv,
		      const struct fv_results *res, const struct fv_store_meta *m, int64_t *id, char *err,
		      size_t errlen);
	int (*list)(struct fv_store *s, int (*fn)(void *ctx, const struct fv_store_row *r), void *ctx,
		    char *err, size_t errlen);
	int (*show_json)(struct fv_store *s, int64_t id, struct fv_json *j, char *err, size_t errlen);
};

struct fv_store {
	const struct fv_store_ops *ops;
	int schema;
};

/* The SQLite backend: path is a file, made (and its folder) when missing. */
int fv_store_sqlite_open(const char *path, struct fv_store **out, char *err, size_t errlen);

#endif

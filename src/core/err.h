/*
 * Error codes shared by every stage.  Functions return 0 (FV_OK) or a
 * negative fv_err; the human-readable detail (offset, what was expected,
 * what was found) travels separately, in the caller's message buffer.
 */
#ifndef FV_CORE_ERR_H
#define FV_CORE_ERR_H

enum fv_err {
	FV_OK = 0,
	FV_ENOMEM = -1,   /* allocation failed */
	FV_EIO = -2,      /* reading or writing a file failed */
	FV_ETRUNC = -3,   /* input ends before the structure does */
	FV_EFORMAT = -4,  /* input is not what its header claims */
	FV_ECRC = -5,     /* checksum mismatch */
	FV_EUNSUP = -6,   /* valid, but a variant we do not read */
	FV_ELIMIT = -7,   /* an extraction limit was reached */
	FV_EUSAGE = -8,   /* bad arguments */
	FV_EEXIST = -9,   /* the sink refused a path that is already taken */
	FV_ELOST = -10,   /* a queued job's lease ran out and another worker holds it */
};

const char *fv_strerror(int err);

#endif

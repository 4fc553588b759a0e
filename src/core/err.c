#include "core/err.h"

const char *fv_strerror(int err)
{
	switch (err) {
	case FV_OK: return "success";
	case FV_ENOMEM: return "out of memory";
	case FV_EIO: return "input/output error";
	case FV_ETRUNC: return "truncated input";
	case FV_EFORMAT: return "malformed input";
	case FV_ECRC: return "checksum mismatch";
	case FV_EUNSUP: return "unsupported variant";
	case FV_ELIMIT: return "extraction limit reached";
	case FV_EUSAGE: return "invalid usage";
	case FV_EEXIST: return "path already exists";
	case FV_ELOST: return "the job's lease was lost";
	}
	return "unknown error";
}

/*
 * The analyzer table.  Each analyzer lives in its own file and is listed
 * here once; the order is the order in which they run and report.
 */
#include "analyze/analyze.h"

#include <stddef.h>

/* One declaration per analyzer. */
extern const struct fv_analyzer fv_analyzer_accounts;
extern const struct fv_analyzer fv_analyzer_backdoor;
extern const struct fv_analyzer fv_analyzer_binary;
extern const struct fv_analyzer fv_analyzer_credentials;
extern const struct fv_analyzer fv_analyzer_secrets;
extern const struct fv_analyzer fv_analyzer_network;
extern const struct fv_analyzer fv_analyzer_services;
extern const struct fv_analyzer fv_analyzer_components;
extern const struct fv_analyzer fv_analyzer_supply;

const struct fv_analyzer *const fv_analyzers[] = {
	/* One entry per analyzer, in run order. */
	&fv_analyzer_accounts,
	&fv_analyzer_credentials,
	&fv_analyzer_backdoor,
	&fv_analyzer_secrets,
	&fv_analyzer_network,
	&fv_analyzer_services,
	&fv_analyzer_binary, /* after services: its finish() asks what starts at boot */
	&fv_analyzer_components,
	&fv_analyzer_supply, /* after components: its finish() groups their copies */
	NULL,
};

/*
 * Comparing version strings as embedded software writes them: OpenSSL's
 * letter releases (1.0.1f < 1.0.1g < 1.0.2), Dropbear's 2014.63, BusyBox and
 * kernel dotted numbers (2.6.36.4), pre-releases (1.0.2-beta1 < 1.0.2,
 * 2.0rc1 < 2.0), and distribution suffixes after a '-' or '+'.
 */
#ifndef FV_VULN_VERSION_H
#define FV_VULN_VERSION_H

/* <0, 0 or >0 as a is older than, the same as, or newer than b. */
int fv_version_cmp(const char *a, const char *b);

/*
 * Whether version v lies in a range; a bound that is NULL is open.  Both
 * bounds NULL with exact set: v equals exact.
 */
struct fv_vrange {
	const char *start, *end; /* NULL: unbounded */
	int start_incl, end_incl;
	const char *exact;       /* when the range is one version */
};
int fv_version_in_range(const char *v, const struct fv_vrange *r);

#endif

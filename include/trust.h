/*
 * trust.h - is this message authenticated, and may its sender change a
 * case?  (SPEC 3.2, 5.3)
 *
 * Owns: the parsing of Authentication-Results (RFC 8601) and the
 * matching of client addresses against InternalHosts and sender domains
 * against TrustedSenderDomains patterns ("*.sch.test").
 */
#ifndef CME_TRUST_H
#define CME_TRUST_H

#include "strlist.h"

struct trust_context {
	const struct strlist *trusted_authserv_ids;
	const struct strlist *internal_hosts;      /* CIDR strings */
	const struct strlist *trusted_sender_domains;
	const char *client_addr;    /* SMTP client IP or NULL */
	const char *auth_authen;    /* {auth_authen} macro or NULL */
};

/* 1 if an Authentication-Results header value (one of possibly many) is
 * from a trusted authserv-id and reports dkim=pass with header.d aligned
 * to `from_domain`, or dmarc=pass with header.from aligned. */
int trust_auth_results_pass(const char *header_value,
                            const struct strlist *trusted_ids,
                            const char *from_domain);

/* 1 if `ip` (v4 or v6 text) lies in any CIDR of `nets`. */
int trust_ip_in_list(const char *ip, const struct strlist *nets);

/* 1 if `domain` matches a TrustedSenderDomains entry. */
int trust_domain_allowed(const char *domain, const struct strlist *patterns);

/* Domain part of an address, or NULL. */
const char *trust_domain_of(const char *addr);

#endif

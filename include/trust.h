/*
 * trust.h - is this message authenticated, and may its sender change a
 * case?  (SPEC 3.2, 5.3, 8)
 *
 * Owns: the parsing of Authentication-Results (RFC 8601), the choice of
 * which of them to believe, organisational-domain alignment (Public
 * Suffix List through libpsl, plus PublicSuffixes), and the matching of
 * client addresses against InternalHosts and sender domains against
 * TrustedSenderDomains patterns ("*.sch.test").
 */
#ifndef CME_TRUST_H
#define CME_TRUST_H

#include "strlist.h"

struct trust_context {
	const struct strlist *trusted_authserv_ids;
	const struct strlist *internal_hosts;      /* CIDR strings */
	const struct strlist *trusted_sender_domains;
	const struct strlist *public_suffixes;     /* PublicSuffixes, or NULL */
	const char *client_addr;    /* SMTP client IP or NULL */
	const char *auth_authen;    /* {auth_authen} macro or NULL */
};

/* What one Authentication-Results header value says. */
enum trust_ar {
	TRUST_AR_FOREIGN = -1,  /* authserv-id not ours (or unreadable) */
	TRUST_AR_NO_PASS = 0,   /* ours, but no aligned dkim/dmarc pass */
	TRUST_AR_PASS = 1       /* ours: dkim=pass with header.d aligned to
	                           from_domain, or dmarc=pass with
	                           header.from (or header.d) aligned */
};

/* Parse one header value as RFC 8601: authserv-id, optional version,
 * resinfos "; method[/version]=result [reason=value] ptype.property=value
 * ...", values as tokens, quoted-strings or addresses, CFWS (nested
 * comments, quoted-pairs) anywhere.  Only a real ';' separates clauses.
 * A resinfo that breaks the grammar is ignored; an unterminated quoted
 * string or comment makes the whole header NO_PASS.  A resinfo counts
 * only with exactly one domain property. */
enum trust_ar trust_auth_results(const char *header_value,
                                 const struct trust_context *tc,
                                 const char *from_domain);

/*
 * Which Authentication-Results headers are believed (RFC 8601 section 5):
 * only those our own border added, and those are above anything the
 * sender wrote.  Feed every top-level header, topmost first:
 *   - Received headers above the first Authentication-Results are our own
 *     hops and are passed over;
 *   - the first Authentication-Results must carry a trusted authserv-id,
 *     else nothing is believed;
 *   - it and the trusted ones that follow it count, up to the next
 *     Received (the hop where the message came from outside) or the first
 *     untrusted Authentication-Results, whichever comes first; everything
 *     below is the sender's and is not read.
 * pass is 1 when a counted header is TRUST_AR_PASS.
 */
struct trust_ar_walk {
	int state;
	int pass;
};

void trust_ar_walk_init(struct trust_ar_walk *w);
void trust_ar_walk_header(struct trust_ar_walk *w, const char *name,
                          const char *value, const struct trust_context *tc,
                          const char *from_domain);

/* DMARC relaxed alignment: 1 if `a` and `b` are the same domain or have
 * the same organisational domain (the public suffix plus one label, the
 * public suffix being the longest of the PSL's and any of `extra` that
 * ends the name).  A domain that is itself a public suffix aligns only
 * with itself. */
int trust_aligned(const char *a, const char *b, const struct strlist *extra);

/* 1 if `ip` (v4 or v6 text) lies in any CIDR of `nets`. */
int trust_ip_in_list(const char *ip, const struct strlist *nets);

/* 1 if `domain` matches a TrustedSenderDomains entry. */
int trust_domain_allowed(const char *domain, const struct strlist *patterns);

/* Domain part of an address, or NULL. */
const char *trust_domain_of(const char *addr);

struct cme_message;

/* The one place that decides whether a message is authenticated: SMTP
 * AUTH, a client in InternalHosts, or a believed Authentication-Results
 * pass aligned with the From domain.  1 or 0. */
int trust_message_authenticated(const struct cme_message *m, const char *from_addr,
                                const struct trust_context *tc);

/* May this sender change a case (SPEC 5.3)?  Authenticated, and from a
 * TrustedSenderDomains domain or the case's own referrer.  1 or 0. */
int trust_may_change(int authenticated, const char *from_addr, const char *case_referrer,
                     const struct strlist *trusted_sender_domains);

#endif

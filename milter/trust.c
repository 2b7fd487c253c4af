/*
 * trust.c - authentication evidence and sender trust.  See trust.h.
 *
 * Authentication-Results (RFC 8601) is believed only when its authserv-id
 * (the first token) is one of ours: anyone can write the header, only our
 * own border MTA writes it with our name, and it strips forged copies.
 * A dkim pass counts when header.d aligns with the From domain (equal,
 * or From is a subdomain of it: relaxed alignment); a dmarc pass counts
 * when header.from aligns likewise.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust.h"

const char *trust_domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return (at && at[1]) ? at + 1 : NULL;
}

/* Relaxed alignment: `from` equals `d` or is a subdomain of it. */
static int domain_aligned(const char *from, const char *d, size_t dlen)
{
	size_t fl = strlen(from);

	if (dlen == 0 || dlen > fl)
		return 0;
	if (strncasecmp(from + fl - dlen, d, dlen) != 0)
		return 0;
	return fl == dlen || from[fl - dlen - 1] == '.';
}

/* Copy the next token (up to space, ';' or '=') lower-cased. */
static const char *next_token(const char *p, char *out, size_t outlen)
{
	size_t o = 0;

	while (*p && (isspace((unsigned char)*p)))
		p++;
	while (*p && !isspace((unsigned char)*p) && *p != ';' && *p != '=') {
		if (o + 1 < outlen)
			out[o++] = (char)tolower((unsigned char)*p);
		p++;
	}
	out[o] = '\0';
	return p;
}

/* Skip an RFC 5322 comment "(...)" run. */
static const char *skip_cfws(const char *p)
{
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p != '(')
			return p;
		for (int depth = 0; *p; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

int trust_auth_results_pass(const char *hv, const struct strlist *ids,
                            const char *from_domain)
{
	char tok[256];
	const char *p;
	int trusted = 0;

	if (hv == NULL || ids == NULL || from_domain == NULL)
		return 0;
	p = next_token(skip_cfws(hv), tok, sizeof tok);
	for (size_t i = 0; i < ids->n; i++)
		if (strcasecmp(ids->v[i], tok) == 0)
			trusted = 1;
	if (!trusted)
		return 0;

	/* Walk "; method=result prop=value ..." resinfo clauses. */
	while ((p = strchr(p, ';')) != NULL) {
		char method[32], result[32];
		const char *clause_end;
		int pass;

		p = next_token(skip_cfws(p + 1), method, sizeof method);
		if (*p != '=')
			continue;
		p = next_token(p + 1, result, sizeof result);
		pass = strcmp(result, "pass") == 0;
		clause_end = strchr(p, ';');
		if (clause_end == NULL)
			clause_end = p + strlen(p);
		if (!pass || (strcmp(method, "dkim") != 0 && strcmp(method, "dmarc") != 0))
			continue;
		/* Find header.d= (dkim) or header.from= (dmarc) in this clause. */
		const char *want = strcmp(method, "dkim") == 0 ? "header.d=" : "header.from=";
		size_t wl = strlen(want);

		for (const char *q = p; q + wl <= clause_end; q++) {
			if (strncasecmp(q, want, wl) == 0 &&
			    (q == p || isspace((unsigned char)q[-1]))) {
				const char *v = q + wl;
				size_t vl = strcspn(v, " \t;()\r\n");

				if (v + vl > clause_end)
					vl = (size_t)(clause_end - v);
				/* header.from may be a whole address */
				const char *at = memchr(v, '@', vl);

				if (at) {
					vl -= (size_t)(at + 1 - v);
					v = at + 1;
				}
				if (domain_aligned(from_domain, v, vl))
					return 1;
			}
		}
	}
	return 0;
}

/* Parse "a.b.c.d/len" or "v6/len" and test `ip`. */
static int ip_in_cidr(const char *ip, const char *cidr)
{
	unsigned char want[16], have[16];
	char net[64];
	const char *slash = strchr(cidr, '/');
	size_t nl = slash ? (size_t)(slash - cidr) : strlen(cidr);
	int family, bits, maxbits;

	if (nl >= sizeof net)
		return 0;
	memcpy(net, cidr, nl);
	net[nl] = '\0';
	family = strchr(net, ':') ? AF_INET6 : AF_INET;
	maxbits = family == AF_INET6 ? 128 : 32;
	bits = slash ? atoi(slash + 1) : maxbits;
	if (bits < 0 || bits > maxbits)
		return 0;
	if (inet_pton(family, net, want) != 1 || inet_pton(family, ip, have) != 1)
		return 0;
	for (int i = 0; i < bits; i++) {
		int byte = i / 8, bit = 7 - i % 8;

		if (((want[byte] >> bit) & 1) != ((have[byte] >> bit) & 1))
			return 0;
	}
	return 1;
}

int trust_ip_in_list(const char *ip, const struct strlist *nets)
{
	if (ip == NULL || nets == NULL)
		return 0;
	/* "IPv6:::1" as Postfix may hand it over */
	if (strncasecmp(ip, "ipv6:", 5) == 0)
		ip += 5;
	for (size_t i = 0; i < nets->n; i++)
		if (ip_in_cidr(ip, nets->v[i]))
			return 1;
	return 0;
}

int trust_domain_allowed(const char *domain, const struct strlist *patterns)
{
	if (domain == NULL || patterns == NULL)
		return 0;
	for (size_t i = 0; i < patterns->n; i++) {
		const char *pat = patterns->v[i];

		if (strncmp(pat, "*.", 2) == 0) {
			size_t pl = strlen(pat + 1), dl = strlen(domain);

			/* "*.sch.test" matches "x.sch.test", not "sch.test" */
			if (dl > pl && strcasecmp(domain + dl - pl, pat + 1) == 0)
				return 1;
		} else if (strcasecmp(domain, pat) == 0) {
			return 1;
		}
	}
	return 0;
}

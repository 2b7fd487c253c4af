/*
 * trust.c - authentication evidence and sender trust.  See trust.h.
 *
 * Authentication-Results (RFC 8601) is read with a small lexer that knows
 * CFWS (nested comments, quoted-pairs) and quoted-strings, so that text
 * the sender chose and the border copied into a header (a quoted
 * local-part in smtp.mailfrom, a reason, a comment, a selector) is never
 * read as a clause.  Which headers are believed is trust_ar_walk's rule
 * (trust.h).  Alignment is by organisational domain (DMARC relaxed
 * alignment, RFC 7489 3.2): the Public Suffix List that libpsl loads with
 * psl_latest() - the system's /usr/share/publicsuffix list or libpsl's
 * built-in copy, whichever is newer - plus PublicSuffixes from the
 * configuration.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "message.h"
#include "trust.h"

const char *trust_domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return (at && at[1]) ? at + 1 : NULL;
}

/* ------------------------------------------------------------------ */
/* Organisational domains.                                             */

/* A domain name as a DKIM d= or From domain can be: at most 253 bytes,
 * labels of 1..63 bytes of letters, digits, '-', '_' or UTF-8. */
#define DOMAIN_MAX 253

static const psl_ctx_t *the_psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void psl_load(void)
{
	/* psl_latest(NULL): the distribution's list file or the built-in
	 * list, whichever is newer; psl_builtin() if there is no file. */
	the_psl = psl_latest(NULL);
	if (the_psl == NULL)
		the_psl = psl_builtin();
}

/* Lower-case `in` into out[DOMAIN_MAX + 1], dropping one trailing dot.
 * Returns the length, or 0 if `in` is not a domain name. */
static size_t domain_norm(const char *in, size_t n, char *out)
{
	size_t label = 0;

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_' || c >= 0x80) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return label ? n : 0;
}

/* Where the public suffix of d (normalised, dlen bytes) starts: the
 * longest of the PSL's and the matching `extra` entries. */
static size_t public_suffix_at(const char *d, size_t dlen, const struct strlist *extra)
{
	size_t at = dlen;
	const char *u, *dot;

	(void)pthread_once(&psl_once, psl_load);
	u = the_psl ? psl_unregistrable_domain(the_psl, d) : NULL;
	if (u != NULL && u >= d && u < d + dlen)
		at = (size_t)(u - d);
	else if ((dot = strrchr(d, '.')) != NULL)
		at = (size_t)(dot + 1 - d);     /* no list: the PSL's "*" rule */
	else
		at = 0;
	for (size_t i = 0; extra && i < extra->n; i++) {
		const char *e = extra->v[i];
		size_t el;

		while (*e == '*' || *e == '.')
			e++;            /* "*.sch.test" and ".sch.test" mean sch.test */
		el = strlen(e);
		if (el == 0 || el > dlen || strcasecmp(d + dlen - el, e) != 0)
			continue;
		if ((el == dlen || d[dlen - el - 1] == '.') && dlen - el < at)
			at = dlen - el;
	}
	return at;
}

/* The organisational domain of d (normalised): a pointer into d, or NULL
 * when d is itself a public suffix. */
static const char *org_domain(const char *d, size_t dlen, const struct strlist *extra)
{
	size_t at = public_suffix_at(d, dlen, extra);

	if (at < 2)
		return NULL;
	at--;                   /* the dot before the suffix */
	while (at > 0 && d[at - 1] != '.')
		at--;
	return d + at;
}

int trust_aligned(const char *a, const char *b, const struct strlist *extra)
{
	char na[DOMAIN_MAX + 1], nb[DOMAIN_MAX + 1];
	size_t la, lb;
	const char *oa, *ob;

	if (a == NULL || b == NULL)
		return 0;
	la = domain_norm(a, strlen(a), na);
	lb = domain_norm(b, strlen(b), nb);
	if (la == 0 || lb == 0)
		return 0;
	if (strcmp(na, nb) == 0)
		return 1;
	oa = org_domain(na, la, extra);
	ob = org_domain(nb, lb, extra);
	return oa && ob && strcmp(oa, ob) == 0;
}

/* ------------------------------------------------------------------ */
/* RFC 8601 lexer.                                                      */

#define AR_TOKEN_MAX 256

enum ar_tok { AR_END, AR_WORD, AR_QSTR, AR_SEMI, AR_EQ, AR_BAD };

struct ar_lex {
	const char *p;
	enum ar_tok tok;
	char text[AR_TOKEN_MAX];    /* WORD or QSTR content, unquoted */
	size_t len;
	int cut;                    /* text was longer than the buffer */
	int spaced;                 /* CFWS came before this token */
};

static void lex_put(struct ar_lex *lx, char c)
{
	if (lx->len + 1 < sizeof lx->text)
		lx->text[lx->len++] = c;
	else
		lx->cut = 1;
}

/* Skip white space and comments (nested, with quoted-pairs).  Returns 0,
 * or -1 at an unterminated comment. */
static int lex_cfws(struct ar_lex *lx)
{
	const char *p = lx->p;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '(')
			break;
		for (size_t depth = 0;; p++) {
			if (*p == '\0')
				return -1;
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
	lx->spaced = p != lx->p;
	lx->p = p;
	return 0;
}

/* Characters that end a word: CFWS, the separators, a quote. */
static int word_char(unsigned char c)
{
	return c > ' ' && c != 0x7F && strchr("();=\"", c) == NULL;
}

static void lex_next(struct ar_lex *lx)
{
	const char *p;

	lx->len = 0;
	lx->cut = 0;
	lx->text[0] = '\0';
	if (lx->tok == AR_BAD || lex_cfws(lx) != 0) {
		lx->tok = AR_BAD;
		return;
	}
	p = lx->p;
	switch (*p) {
	case '\0':
		lx->tok = AR_END;
		return;
	case ';':
		lx->tok = AR_SEMI;
		lx->p = p + 1;
		return;
	case '=':
		lx->tok = AR_EQ;
		lx->p = p + 1;
		return;
	case '"':
		for (p++; *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\0') {
				lx->tok = AR_BAD;
				return;
			}
			lex_put(lx, *p);
		}
		lx->tok = AR_QSTR;
		break;
	default:
		if (!word_char((unsigned char)*p)) {      /* a stray ')' */
			lx->tok = AR_BAD;
			return;
		}
		while (word_char((unsigned char)p[1]))
			lex_put(lx, *p++);
		lex_put(lx, *p);
		lx->tok = AR_WORD;
		break;
	}
	lx->text[lx->len] = '\0';
	lx->p = p + 1;
}

/* ------------------------------------------------------------------ */
/* RFC 8601 parser.                                                     */

/* Methods whose pass authenticates the From domain, and the property
 * that names the domain they vouch for (an address is accepted for
 * header.from, whose value RFC 8601 allows to be the whole From). */
static const struct {
	const char *method, *property;
	int address_ok;
} domain_props[] = {
	{ "dkim",  "header.d",    0 },
	{ "dmarc", "header.from", 1 },
	{ "dmarc", "header.d",    0 },  /* what older OpenDMARC writes */
};

#define NPROPS (sizeof domain_props / sizeof domain_props[0])

struct resinfo {
	char method[32], result[32];
	char domain[AR_TOKEN_MAX];
	int ndomains;               /* domain properties seen */
};

static void lower_copy(char *out, size_t outlen, const char *in)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* A Keyword (RFC 8601 ldh-str) lower-cased into out; -1 if it is not
 * one or does not fit. */
static int read_keyword(char *out, size_t outlen, const struct ar_lex *lx, size_t n)
{
	if (lx->tok != AR_WORD || lx->cut || n == 0 || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)lx->text[i]) && lx->text[i] != '-')
			return -1;
	lower_copy(out, n + 1, lx->text);
	return 0;
}

/* "method[/version]" into ri->method. */
static int read_method(struct resinfo *ri, const struct ar_lex *lx)
{
	const char *slash = strchr(lx->text, '/');
	size_t n = slash ? (size_t)(slash - lx->text) : lx->len;

	if (read_keyword(ri->method, sizeof ri->method, lx, n) != 0)
		return -1;
	if (slash && (slash[1] == '\0' || strspn(slash + 1, "0123456789") != strlen(slash + 1)))
		return -1;
	return 0;
}

static int domain_property(const struct resinfo *ri, const char *prop)
{
	for (size_t i = 0; i < NPROPS; i++)
		if (strcmp(ri->method, domain_props[i].method) == 0 &&
		    strcasecmp(prop, domain_props[i].property) == 0)
			return (int)i;
	return -1;
}

/* One "ptype.property=pvalue" or "reason=value", the lexer on its name;
 * leaves the lexer after the value.  pvalue: a word, a quoted-string, or
 * a quoted local-part followed directly by "@domain". */
static int read_property(struct resinfo *ri, struct ar_lex *lx)
{
	char prop[64], value[AR_TOKEN_MAX];
	const char *dot, *at;
	int cut, k;

	if (lx->tok != AR_WORD || lx->cut || lx->len >= sizeof prop)
		return -1;
	memcpy(prop, lx->text, lx->len + 1);
	lex_next(lx);
	if (lx->tok != AR_EQ)
		return -1;
	lex_next(lx);
	if (lx->tok != AR_WORD && lx->tok != AR_QSTR)
		return -1;
	memcpy(value, lx->text, lx->len + 1);
	cut = lx->cut;
	if (lx->tok == AR_QSTR) {
		lex_next(lx);
		if (lx->tok == AR_WORD && !lx->spaced && lx->text[0] == '@') {
			memcpy(value, lx->text, lx->len + 1);
			cut = lx->cut;
			lex_next(lx);
		}
	} else {
		lex_next(lx);
	}
	if (strcasecmp(prop, "reason") == 0)
		return 0;
	dot = strchr(prop, '.');
	if (dot == NULL || dot == prop || dot[1] == '\0')
		return -1;
	if ((k = domain_property(ri, prop)) < 0)
		return 0;
	ri->ndomains++;
	at = strrchr(value, '@');
	if (cut || (at && !domain_props[k].address_ok))
		ri->domain[0] = '\0';       /* never aligns */
	else
		snprintf(ri->domain, sizeof ri->domain, "%s", at ? at + 1 : value);
	return 0;
}

/* One resinfo, the lexer just past its ';'.  Leaves the lexer on the
 * next ';' or the end.  Returns 1 if it is a pass aligned with
 * from_domain, 0 if not, -1 if it breaks the grammar. */
static int read_resinfo(struct ar_lex *lx, const struct trust_context *tc,
                        const char *from_domain)
{
	struct resinfo ri;
	int bad = 0;

	memset(&ri, 0, sizeof ri);
	lex_next(lx);
	if (read_method(&ri, lx) != 0)
		bad = 1;
	else {
		lex_next(lx);
		if (lx->tok != AR_EQ)
			bad = 1;
		else {
			lex_next(lx);
			if (read_keyword(ri.result, sizeof ri.result, lx, lx->len) != 0)
				bad = 1;
			else
				lex_next(lx);
		}
	}
	while (!bad && lx->tok != AR_SEMI && lx->tok != AR_END)
		if (read_property(&ri, lx) != 0)
			bad = 1;
	/* A resinfo the grammar does not allow is skipped whole: the lexer
	 * still knows quoted-strings and comments, so its end is a real ';'. */
	while (lx->tok != AR_SEMI && lx->tok != AR_END && lx->tok != AR_BAD)
		lex_next(lx);
	if (bad || lx->tok == AR_BAD)
		return -1;
	return strcmp(ri.result, "pass") == 0 && ri.ndomains == 1 && from_domain &&
	       trust_aligned(ri.domain, from_domain, tc->public_suffixes);
}

static int authserv_trusted(const char *id, const struct strlist *ids)
{
	for (size_t i = 0; ids && i < ids->n; i++)
		if (strcasecmp(ids->v[i], id) == 0)
			return 1;
	return 0;
}

enum trust_ar trust_auth_results(const char *hv, const struct trust_context *tc,
                                 const char *from_domain)
{
	struct ar_lex lx;
	int pass = 0;

	if (hv == NULL || tc == NULL)
		return TRUST_AR_FOREIGN;
	memset(&lx, 0, sizeof lx);
	lx.p = hv;
	lex_next(&lx);
	if ((lx.tok != AR_WORD && lx.tok != AR_QSTR) || lx.cut ||
	    !authserv_trusted(lx.text, tc->trusted_authserv_ids))
		return TRUST_AR_FOREIGN;
	lex_next(&lx);
	if (lx.tok == AR_WORD && strspn(lx.text, "0123456789") == lx.len)
		lex_next(&lx);          /* authres-version */
	while (lx.tok == AR_SEMI)
		if (read_resinfo(&lx, tc, from_domain) == 1)
			pass = 1;
	/* Anything but the end here (an unterminated quoted-string or
	 * comment, text between the authserv-id and the first ';') means the
	 * header was not read as its writer meant: nothing in it counts. */
	if (lx.tok != AR_END)
		return TRUST_AR_NO_PASS;
	return pass ? TRUST_AR_PASS : TRUST_AR_NO_PASS;
}

/* ------------------------------------------------------------------ */
/* Which headers are believed.                                          */

enum { WALK_ABOVE, WALK_TOP_BLOCK, WALK_DONE };

void trust_ar_walk_init(struct trust_ar_walk *w)
{
	w->state = WALK_ABOVE;
	w->pass = 0;
}

void trust_ar_walk_header(struct trust_ar_walk *w, const char *name,
                          const char *value, const struct trust_context *tc,
                          const char *from_domain)
{
	if (w->state == WALK_DONE || name == NULL)
		return;
	if (strcasecmp(name, "Authentication-Results") == 0) {
		enum trust_ar r = trust_auth_results(value, tc, from_domain);

		if (r == TRUST_AR_FOREIGN) {
			w->state = WALK_DONE;
			return;
		}
		w->state = WALK_TOP_BLOCK;
		if (r == TRUST_AR_PASS)
			w->pass = 1;
	} else if (w->state == WALK_TOP_BLOCK && strcasecmp(name, "Received") == 0) {
		w->state = WALK_DONE;
	}
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

int trust_message_authenticated(const struct cme_message *m, const char *from_addr,
                                const struct trust_context *tc)
{
	const char *dom = trust_domain_of(from_addr);
	struct trust_ar_walk w;
	const char *name, *value;

	if (tc->auth_authen && *tc->auth_authen)
		return 1;
	if (tc->client_addr && trust_ip_in_list(tc->client_addr, tc->internal_hosts))
		return 1;
	/* Headers topmost first: trust.h says which are believed. */
	trust_ar_walk_init(&w);
	for (size_t i = 0; (value = message_header_at(m, i, &name)) != NULL; i++)
		trust_ar_walk_header(&w, name, value, tc, dom);
	return w.pass;
}

int trust_may_change(int authenticated, const char *from_addr, const char *case_referrer,
                     const struct strlist *trusted_sender_domains)
{
	if (authenticated != 1 || from_addr == NULL)
		return 0;
	if (trust_domain_allowed(trust_domain_of(from_addr), trusted_sender_domains))
		return 1;
	return case_referrer && case_referrer[0] && strcasecmp(case_referrer, from_addr) == 0;
}

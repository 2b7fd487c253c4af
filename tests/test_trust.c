/*
 * test_trust - Authentication-Results (RFC 8601) and alignment (SPEC 8).
 *
 * Every attack below was believed by the parser this one replaced, which
 * split the header on every ';' and matched "header.d=" anywhere after
 * white space, took header.d=sch.test as aligned with northgate.sch.test,
 * and believed any Authentication-Results with a trusted authserv-id,
 * wherever it stood in the header block.
 */
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "strlist.h"
#include "tap.h"
#include "tap_vocab.h"
#include "trust.h"

#define FROM "northgate.sch.test"

static struct strlist ids = STRLIST_INIT, suffixes = STRLIST_INIT;
static struct trust_context tc;

/* One header value: is it an aligned pass for `from`? */
static int ar(const char *hv, const char *from)
{
	return trust_auth_results(hv, &tc, from) == TRUST_AR_PASS;
}

/* A whole message from head.teacher@northgate.sch.test with `headers`
 * (topmost first) above From: is its sender authenticated? */
static int message_authenticated(const char *headers)
{
	char raw[4096];
	struct message_limits lim;
	struct extract_options o;
	struct cme_message *m;
	struct cme_referral r;
	int auth = -2;

	snprintf(raw, sizeof raw, "%sFrom: Head Teacher <head.teacher@" FROM ">\n"
	         "To: cme@la.test\nSubject: RE: CME-2026-00001\n"
	         "Message-ID: <t@" FROM ">\n\nOutcome: located\n", headers);
	message_limits_default(&lim);
	extract_options_default(&o);
	o.trust = &tc;
	referral_init(&r);
	m = message_parse(raw, strlen(raw), &lim);
	if (m != NULL && extract_referral(m, &o, &r) == 0)
		auth = r.authenticated;
	referral_free(&r);
	message_free(m);
	return auth;
}

/* Attacks: header values that must NOT authenticate FROM and that the old
 * parser believed.  Text the sender chose, copied by the border into a
 * quoted string, a comment or a reason; a public suffix as header.d;
 * headers that cannot be read as their writer meant them. */
static const struct {
	const char *hv, *what;
} attacks[] = {
	{ "mx.la.test; spf=pass smtp.mailfrom=\"x;dkim=pass header.d=" FROM " x\"@evil.test",
	  "a ';' inside a quoted local-part in smtp.mailfrom is not a clause" },
	{ "mx.la.test; dkim=fail (bad signature; dkim=pass header.d=" FROM " x) header.d=evil.test",
	  "a ';' inside a comment is not a clause" },
	{ "mx.la.test; dkim=fail reason=\"bad; dkim=pass header.d=" FROM " x\" header.d=evil.test",
	  "a ';' inside a quoted reason is not a clause" },
	{ "mx.la.test; dkim=pass header.s=\"sel\theader.d=" FROM " x\" header.d=evil.test",
	  "header.d= after a tab inside a quoted header.s is not a property" },
	{ "mx.la.test; dkim=fail (a (nested) comment; dkim=pass header.d=" FROM ") header.d=evil.test",
	  "a ';' inside a nested comment is not a clause" },
	{ "mx.la.test; dkim=fail (a \\) quoted-pair; dkim=pass header.d=" FROM ") header.d=evil.test",
	  "an escaped ')' does not end a comment" },
	{ "mx.la.test; dkim=fail reason=\"a \\\"; dkim=pass header.d=" FROM " \\\"\" header.d=evil.test",
	  "an escaped '\"' does not end a quoted string" },
	{ "mx.la.test; dkim=pass header.d=sch.test",
	  "header.d=sch.test (a public suffix) is not aligned with " FROM },
	{ "mx.la.test; dkim=pass header.d=evil.test header.d=" FROM,
	  "a resinfo naming two domains is not believed" },
	{ "mx.la.test; dkim=pass header.d=" FROM " (unterminated",
	  "an unterminated comment voids the header" },
	{ "mx.la.test junk; dkim=pass header.d=" FROM,
	  "text between the authserv-id and the first ';' voids the header" },
};

/* Header values that must not authenticate FROM either; the old parser
 * refused these too. */
static const struct {
	const char *hv, *what;
} refused[] = {
	{ "mx.la.test; dkim=pass header.d=evil.test",
	  "header.d=evil.test is not aligned with " FROM },
	{ "mx.la.test; dkim=pass header.d=xnorthgate.sch.test",
	  "a lookalike suffix is not aligned" },
	{ "evil.test; dkim=pass header.d=" FROM,
	  "an untrusted authserv-id is not believed" },
	{ "mx.la.test; dkim=fail header.d=" FROM, "dkim=fail is not a pass" },
	{ "mx.la.test; spf=pass smtp.mailfrom=" FROM, "spf=pass is not enough" },
	{ "mx.la.test; dkim=pass header.d=\"" FROM,
	  "an unterminated quoted string voids the header" },
};

/* Header values that must authenticate FROM. */
static const struct {
	const char *hv, *what;
} legitimate[] = {
	{ "mx.la.test; dkim=pass header.d=" FROM, "dkim=pass header.d=" FROM },
	{ "mx.la.test; dmarc=pass header.from=" FROM, "dmarc=pass header.from=" FROM },
	{ "mx.la.test; dmarc=pass (p=none dis=none) header.from=head.teacher@" FROM,
	  "dmarc=pass with header.from as an address and a comment" },
	{ "mx.la.test; dmarc=pass header.d=" FROM, "dmarc=pass header.d= (older OpenDMARC)" },
	{ "mx.la.test 1; dkim=pass header.d=" FROM, "a version after the authserv-id" },
	{ "\"mx.la.test\"; dkim=pass header.d=" FROM, "a quoted authserv-id" },
	{ "MX.LA.TEST; DKIM=Pass header.D=NORTHGATE.SCH.TEST", "case does not matter" },
	{ "mx.la.test; spf=fail smtp.mailfrom=a@evil.test; dkim=pass (2048-bit key; "
	  "unprotected) header.d=" FROM " header.i=@" FROM " header.a=rsa-sha256 "
	  "header.s=sel header.b=AbC+/9xY; dmarc=pass header.from=" FROM,
	  "several resinfos, an OpenDKIM comment with a ';' in it" },
	{ "mx.la.test; dkim/1=pass header.d=" FROM, "a method version" },
	{ " (comment) mx.la.test (c) ; (c) dkim (c) = (c) pass (c) header.d (c) = (c) " FROM " (c)",
	  "CFWS everywhere the grammar allows it" },
	{ "mx.la.test; dkim=fail reason=\"a; b\" header.d=evil.test; dkim=pass header.d=" FROM,
	  "a real ';' after a quoted reason still separates clauses" },
	{ "mx.la.test; x-odd=pass action=none; dkim=pass header.d=" FROM,
	  "a resinfo the grammar does not allow is skipped, the next one read" },
	{ "mx.la.test; dkim=pass header.d=\"" FROM "\"", "a quoted domain" },
	{ "mx.la.test; dkim=pass header.d=mail." FROM,
	  "header.d=mail." FROM " aligns (same organisational domain)" },
};

int main(void)
{
	tap_vocabulary();
	strlist_add(&ids, "mx.la.test");
	strlist_add(&suffixes, "sch.test");
	memset(&tc, 0, sizeof tc);
	tc.trusted_authserv_ids = &ids;
	tc.public_suffixes = &suffixes;

	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		CHECK(!ar(attacks[i].hv, FROM), attacks[i].what);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		CHECK(!ar(refused[i].hv, FROM), refused[i].what);
	for (size_t i = 0; i < sizeof legitimate / sizeof legitimate[0]; i++)
		CHECK(ar(legitimate[i].hv, FROM), legitimate[i].what);
	CHECK_INT(trust_auth_results("evil.test; dkim=pass header.d=" FROM, &tc, FROM),
	          TRUST_AR_FOREIGN, "an untrusted header is foreign, not just a fail");
	CHECK_INT(trust_auth_results("mx.la.test; none", &tc, FROM),
	          TRUST_AR_NO_PASS, "'none' is ours and no pass");

	/* Alignment (SPEC 8: the Public Suffix List). */
	CHECK(!trust_aligned("sch.test", FROM, &suffixes),
	      "sch.test does not align with " FROM " when sch.test is a suffix");
	CHECK(trust_aligned("sch.test", FROM, NULL),
	      "... and does without it (.test is no suffix in the PSL)");
	CHECK(trust_aligned(FROM, "mail." FROM, &suffixes), FROM " aligns with mail." FROM);
	CHECK(trust_aligned("mail." FROM, FROM, &suffixes), "and the other way round");
	CHECK(!trust_aligned("evil.test", FROM, &suffixes), "evil.test does not align");
	CHECK(!trust_aligned("oakfield.sch.test", FROM, &suffixes),
	      "another school under sch.test does not align");
	CHECK(!trust_aligned("co.uk", "school.co.uk", NULL),
	      "co.uk does not align with school.co.uk (PSL)");
	CHECK(trust_aligned("example.co.uk", "mail.example.co.uk", NULL),
	      "example.co.uk aligns with mail.example.co.uk (PSL)");
	CHECK(!trust_aligned("a.blogspot.com", "b.blogspot.com", NULL),
	      "two blogs under a private PSL suffix do not align");
	CHECK(trust_aligned("sch.test", "sch.test", &suffixes),
	      "a suffix aligns with itself only");
	CHECK(!trust_aligned("evil..test", "evil..test", NULL), "a malformed name never aligns");

	/* Which headers are believed: the top block only (trust.h). */
	CHECK_INT(message_authenticated("Received: from mx.la.test by cme.la.test\n"
	          "Authentication-Results: mx.la.test; dkim=pass header.d=" FROM "\n"
	          "Received: from mail.northgate.sch.test by mx.la.test\n"),
	          1, "our border's header, below our own Received, is believed");
	CHECK_INT(message_authenticated(
	          "Authentication-Results: mx.la.test; spf=pass smtp.mailfrom=" FROM "\n"
	          "Received-SPF: pass\n"
	          "Authentication-Results: mx.la.test; dmarc=pass header.from=" FROM "\n"
	          "Received: from mail.northgate.sch.test by mx.la.test\n"),
	          1, "several headers of ours at the top all count");
	CHECK_INT(message_authenticated(
	          "Authentication-Results: evil.test; none\n"
	          "Authentication-Results: mx.la.test; dkim=pass header.d=" FROM "\n"),
	          0, "a trusted header below an untrusted one is not believed");
	CHECK_INT(message_authenticated(
	          "Authentication-Results: mx.la.test; dkim=fail header.d=evil.test\n"
	          "Received: from evil.test by mx.la.test\n"
	          "Authentication-Results: mx.la.test; dkim=pass header.d=" FROM "\n"),
	          0, "a header below the Received from outside is the sender's");
	CHECK_INT(message_authenticated(
	          "Authentication-Results: mx.la.test; spf=pass smtp.mailfrom=\"=?utf-8?q?x=22=3B"
	          "_dkim=3Dpass_header.d=3D" FROM "_x?=\"@evil.test\n"),
	          0, "an encoded word is not decoded into syntax");
	CHECK_INT(message_authenticated(""), 0, "no header: not authenticated");

	strlist_free(&ids);
	strlist_free(&suffixes);
	return tap_done();
}

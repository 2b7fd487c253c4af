/*
 * fuzz_message.c - libFuzzer target for stage 1 and 2 of the pipeline:
 * raw bytes -> message_parse -> extract_referral -> referral_to_json.
 *
 * Owns nothing between runs.  This is the path every byte from the
 * internet takes (SPEC 8: malformed MIME, huge parts, binary junk and
 * hostile text must never crash the milter), so it is the target to run
 * longest.  A trust context with lists is passed so the
 * Authentication-Results and CIDR code is reached too.  See README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "strlist.h"
#include "trust.h"
#include "vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct strlist authserv = STRLIST_INIT;
static struct strlist hosts = STRLIST_INIT;
static struct strlist domains = STRLIST_INIT;
static struct strlist suffixes = STRLIST_INIT;
static int ready;

static void setup(void)
{
	/* what a real configuration holds; failures only lose coverage */
	(void)strlist_add(&authserv, "mx.la.test");
	(void)strlist_add(&hosts, "192.0.2.0/24");
	(void)strlist_add(&hosts, "2001:db8::/32");
	(void)strlist_add(&domains, "*.sch.test");
	(void)strlist_add(&suffixes, "sch.test");
	/* fuzz/build.sh sets CME_PKGDATADIR to the source tree */
	{
		struct strlist problems = STRLIST_INIT;

		if (vocab_load(CME_PKGDATADIR "/vocabulary", NULL, &problems) != 0)
			abort();
		strlist_free(&problems);
	}
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_limits lim;
	struct extract_options eo;
	struct trust_context tc;
	struct cme_message *m;
	struct cme_referral r;
	char *json;

	if (!ready)
		setup();
	message_limits_default(&lim);
	/* the default limits, but smaller parts keep each run fast enough
	 * to explore; the limit code itself is still exercised */
	lim.max_bytes = 1024 * 1024;
	lim.max_text_bytes = 256 * 1024;
	m = message_parse((const char *)data, size, &lim);
	if (m == NULL)
		return 0;
	memset(&tc, 0, sizeof(tc));
	tc.trusted_authserv_ids = &authserv;
	tc.internal_hosts = &hosts;
	tc.trusted_sender_domains = &domains;
	tc.public_suffixes = &suffixes;
	tc.client_addr = "198.51.100.7";
	extract_options_default(&eo);
	eo.immediate_flags = ~0UL;
	eo.trust = &tc;
	referral_init(&r);
	if (extract_referral(m, &eo, &r) == 0) {
		json = referral_to_json(&r);
		free(json);
	}
	referral_free(&r);
	message_free(m);
	return 0;
}

/*
 * tap_extract.h - the extractor unit tests' message reader: parses and
 * extracts a message written in the test into the one referral `r` the
 * checks read (test_extract.c, test_extract_senders.c).
 */
#ifndef CME_TAP_EXTRACT_H
#define CME_TAP_EXTRACT_H

#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "vocab.h"

static struct cme_referral r;

/* Parse + extract `text` (LF line ends are fine). */
static void read_message(const char *text)
{
	struct message_limits lim;
	struct extract_options o;
	struct cme_message *m;

	referral_free(&r);
	referral_init(&r);
	message_limits_default(&lim);
	extract_options_default(&o);
	o.immediate_flags = 1UL << vocab_flag_index("child-protection-plan");
	m = message_parse(text, strlen(text), &lim);
	if (m == NULL || extract_referral(m, &o, &r) != 0)
		abort();
	message_free(m);
}

#endif

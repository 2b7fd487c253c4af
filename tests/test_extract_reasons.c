/*
 * test_extract_reasons - the reason a referral gives and the SEN flags a
 * pupil record's status code sets, rules found by corpus I (fixtures
 * 1000-1018), one behaviour per check, on small messages written here.
 * The fixtures are run by tests/accuracy.
 */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "message.h"
#include "referral.h"
#include "tap.h"
#include "tap_extract.h"
#include "tap_vocab.h"
#include "vocab.h"

#define HDR "From: Ann Lee <a.lee@school.test>\nTo: cme@la.test\n" \
	"Subject: CME referral\nDate: Thu, 26 Nov 2026 10:00:00 +0000\n" \
	"Message-ID: <t@school.test>\n"
#define PLAIN "Content-Type: text/plain; charset=utf-8\n\n"
#define CHILD "Name: Mia Clark\nDOB: 03/04/2016\nAddress: 2 Elm Road, Eastmere EM1 2AB\n"

static const char *reason0(void)
{
	return r.n_children ? r.children[0].reason : NULL;
}

/* The family has gone and nobody knows where: the post comes back, they
 * told nobody. */
static void test_moved_away_unknown(void)
{
	read_message(HDR PLAIN CHILD "\nOur letters have been returned marked \"not known at"
		" this address\".\n");
	CHECK_STR(reason0(), "moved-away-unknown", "letters returned 'not known at this address'");
	read_message(HDR PLAIN CHILD "\nNeighbours say Ms Clark and the children left a month ago and"
		" did not say where they were going.\n");
	CHECK_STR(reason0(), "moved-away-unknown", "left and 'did not say where'");
	read_message(HDR PLAIN CHILD "\nMia has not attended since 2 October. The welfare letter came back"
		" marked 'return to sender'.\n");
	CHECK_STR(reason0(), "moved-away-unknown", "a letter come back 'return to sender'");
	read_message(HDR PLAIN CHILD "\nThe landlord says Mia's mother is no longer at this address.\n");
	CHECK_STR(reason0(), "moved-away-unknown", "'no longer at this address'");
}

int main(void)
{
	tap_vocabulary();
	test_moved_away_unknown();
	referral_free(&r);
	return tap_done();
}

/*
 * test_extract_followups - reading rules found by corpus H (fixtures
 * 950-969: follow-ups to an existing case - visit records, checks-made
 * lists, located on roll, EHE, moves abroad, closures), one behaviour per
 * check, on small messages written here.  The fixtures are run by
 * tests/accuracy.
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

#define HDR "From: Ann Lee <a.lee@ews.la.test>\nTo: cme@la.test\n" \
	"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t@ews.la.test>\n"
#define PLAIN "Content-Type: text/plain; charset=utf-8\n\n"

static const char *ref0(void)
{
	return r.case_refs.n ? r.case_refs.v[0] : NULL;
}

/* Case references as people type them: the hyphens retyped. */
static void test_case_refs(void)
{
	read_message(HDR "Subject: Home visit\n" PLAIN "Your ref: CME 2026 00232\n\nNotes.\n");
	CHECK_STR(ref0(), "CME-2026-00232", "a reference typed with spaces");
	read_message(HDR "Subject: Child located - your ref CME/2026/00234\n" PLAIN "Hi.\n");
	CHECK_STR(ref0(), "CME-2026-00234", "a reference typed with slashes");
	read_message(HDR "Subject: =?utf-8?Q?RE=3A_CME=E2=80=932026=E2=80=9300242?=\n" PLAIN
		"Hi.\n");
	CHECK_STR(ref0(), "CME-2026-00242", "a reference whose hyphens became en dashes");
	read_message(HDR "Subject: x\n" PLAIN "ref: cme2026-00237\n");
	CHECK_STR(ref0(), "CME-2026-00237", "lower case, no separator after CME");
	read_message(HDR "Subject: x\n" PLAIN "CME 2026 and 00231 pupils; ACME-2026-00231;"
		" CME-2026-002310; CME-26-00231\n");
	CHECK_INT((long)r.case_refs.n, 0, "no reference from near misses");
}

int main(void)
{
	tap_vocabulary();
	test_case_refs();
	referral_free(&r);
	return tap_done();
}

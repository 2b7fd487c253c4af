/*
 * test_extract_reasons - the reason a referral gives and the SEN flags a
 * pupil record's status code sets, rules found by corpus I (fixtures
 * 1000-1018), one behaviour per check, on small messages written here.
 * The fixtures are run by tests/accuracy.
 */
#include <stdio.h>
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

/* Each body is read under CHILD: the reason the first child gets. */
static const struct {
	const char *body, *want, *what;
} reasons[] = {
	/* the family has gone and nobody knows where: the post comes
	 * back, they told nobody */
	{ "Our letters have been returned marked \"not known at this address\".\n",
	  "moved-away-unknown", "letters returned 'not known at this address'" },
	{ "Neighbours say Ms Clark and the children left a month ago and did not say where"
	  " they were going.\n",
	  "moved-away-unknown", "left and 'did not say where'" },
	{ "Mia has not attended since 2 October. The welfare letter came back marked"
	  " 'return to sender'.\n",
	  "moved-away-unknown", "a letter come back 'return to sender'" },
	{ "The landlord says Mia's mother is no longer at this address.\n",
	  "moved-away-unknown", "'no longer at this address'" },
	/* a move to a town the tables do not know is out of area, unless
	 * the sentence names the country it is in */
	{ "Where is the pupil going?\nReturning to Poland permanently - family moving back to"
	  " Gda\xc5\x84sk\n",
	  "moved-abroad", "a town whose sentence names its country" },
	{ "The family have moved to Kielce, Poland.\n",
	  "moved-abroad", "'moved to <town>, <country>'" },
	{ "The family have moved to Bexhill.\n",
	  "moved-out-of-area", "... an unknown town alone is out of area" },
	{ "The family came from Poland in 2019 and have now moved to Bexhill.\n",
	  "moved-out-of-area", "... a country they came 'from' is not it" },
	/* a trip abroad not come back from is the leave */
	{ "Reason: Family said they were going to Romania for a wedding (two weeks) and have"
	  " not come back. Leave was not authorised.\n",
	  "not-returned-from-leave", "a trip 'going to' a country, not come back" },
	{ "The family have moved to Romania and have not come back.\n",
	  "moved-abroad", "... 'moved to' a country is still the move" },
	/* a bare non-return is no leave: the family gone is the reason */
	{ "Mia did not return after half term. Home visit 2/11: house empty, neighbour says"
	  " the family left in a van last week.\n",
	  "moved-away-unknown", "not back after half term, the house empty" },
	{ "Mia went on holiday in October and did not return. Home visit: house empty.\n",
	  "not-returned-from-leave", "... not back from a holiday stays the leave" },
	/* "moved to X from Y": who writes it writes from X (corpus M, N) */
	{ "The family moved to Westmere from Peterborough at the end of August and mum has"
	  " not applied for a school place.\n",
	  "moved-into-area-no-school", "'moved to <town> from <town>' is an arrival" },
	{ "We moved to Brayford on 19th October from Birmingham because of work.\n",
	  "moved-into-area-no-school", "... with the date between" },
	{ "Moving to: Carlisle - family renting there from December.\n",
	  "moved-out-of-area", "... 'from <month>' is when, not where" },
	{ "The family have moved to Leeds.\n",
	  "moved-out-of-area", "... a move with no 'from' is a departure" },
	{ "Please note the child below who has been placed in your area by Northshire"
	  " County Council and has no school place.\n",
	  "moved-into-area-no-school", "another authority's 'placed in your area'" },
};

static void test_reasons(void)
{
	char msg[2048];

	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		snprintf(msg, sizeof msg, "%s%s%s\n%s", HDR, PLAIN, CHILD, reasons[i].body);
		read_message(msg);
		CHECK_STR(reason0(), reasons[i].want, reasons[i].what);
	}
}

static int flag(const char *name)
{
	int i = vocab_flag_index(name);

	return i >= 0 && (r.flags & (1UL << i)) != 0;
}

/* A pupil record's SEN status is the DfE provision code: K SEN support,
 * E an EHC plan, N none. */
static void test_sen_codes(void)
{
	read_message(HDR PLAIN "Legal Surname\tCLARK\nLegal Forename\tMia\n"
		"Date of Birth\t03/04/2016\nLAC Status\tNot Applicable\n"
		"SEN Status\tK - SEN Support\n");
	CHECK_INT(flag("sen"), 1, "a pupil record's 'SEN Status<TAB>K - SEN Support' is sen");
	read_message(HDR PLAIN CHILD "CP plan: No\nSEN provision: E\n");
	CHECK_INT(flag("ehcp"), 1, "'SEN provision: E' is an EHC plan");
	read_message(HDR PLAIN CHILD "LAC: No\nSEN Status: N\n");
	CHECK_INT(flag("sen"), 0, "'SEN Status: N' is no SEN");
	CHECK_INT(flag("ehcp"), 0, "... and no plan");
	read_message(HDR PLAIN CHILD "SEN contact: E-mail the SENCo\n");
	CHECK_INT(flag("ehcp"), 0, "'E-mail' is no code");
}

/* A pupil record printed from the MIS: its school and deletion ground
 * labels. */
static void test_mis_labels(void)
{
	read_message("From: Ann Lee <a.lee@school.test>\nTo: cme@la.test\n"
		"Subject: Pupil record - off roll, destination unknown\n"
		"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t@school.test>\n" PLAIN
		"Legal Surname\tCLARK\nLegal Forename\tMia\nDate of Birth\t03/04/2016\n"
		"Base School\tHillside Academy\nOff Roll Reason\tCME - whereabouts unknown\n");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Hillside Academy",
	          "'Base School' is the school");
	CHECK_STR(reason0(), "moved-away-unknown", "'Off Roll Reason' is the reason, over the subject");
}

int main(void)
{
	tap_vocabulary();
	test_reasons();
	test_sen_codes();
	test_mis_labels();
	referral_free(&r);
	return tap_done();
}

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

/* Visit records as officers write them: the cue words, bookings. */
static void test_visits(void)
{
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"I called at 14 Hawthorn Road on Tuesday 24th November at 4.10pm. No answer.\n");
	CHECK_STR(r.visit_date, "2026-11-24", "'called at' an address, a date with no year");
	CHECK_INT(r.visit_found, 0, "... no answer");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Visit 23.11.26, 11:20. Property appears empty. Tyler not seen.\n");
	CHECK_STR(r.visit_date, "2026-11-23", "a record opening 'Visit 23.11.26'");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"A safe and well check was completed on 22/11/2026 at 18:40. Both children were\n"
		"seen and spoken to.\n");
	CHECK_STR(r.visit_date, "2026-11-22", "the police's safe and well check is a visit");
	CHECK_INT(r.visit_found, 1, "... the children seen");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Visit 25/11/2026 at 11:00. Mum answered and I saw all three children.\n");
	CHECK_INT(r.visit_found, 1, "'I saw all three children' is found");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Home visit this afternoon. Mum and Tia both at home; Tia seen and looked well.\n");
	CHECK_INT(r.visit_found, 1, "'Tia seen' in a visit note is found");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Home educating now. A home visit is booked for 3rd December 2026.\n");
	CHECK(r.visit_date == NULL, "a visit booked for a date to come is no visit");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Mum has moved. I will do a home visit to the new address on 20/11.\n");
	CHECK(r.visit_date == NULL, "'I will do a home visit ... on 20/11' is no visit (no year)");
}

/* Outcomes: not located, a receiving LA's own record, provision kinds. */
static void test_outcomes(void)
{
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"All reasonable enquiries are complete and Kayden has not been located.\n");
	CHECK_STR(r.outcome, "not-located", "'has not been located' after all checks");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"The family now live in our area. We have opened a CME record our side;\n"
		"please close yours.\n");
	CHECK_STR(r.outcome, "moved-out-of-area", "a receiving LA 'opened a CME record'");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Ellis is now attending The Bridge, our alternative provision academy.\n");
	CHECK_STR(r.outcome, "located-other-provision",
	          "'now attending' an alternative provision academy is other provision");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Ellis is now attending Hillside Academy.\n");
	CHECK_STR(r.outcome, "located-on-roll", "... 'now attending' a school is on roll");
	read_message(HDR "Subject: FW: Chidera Obi - CME-2026-00760\n" PLAIN
		"We have decided to withdraw our son from school as he is now receiving education\n"
		"otherwise than at school.\n");
	CHECK_STR(r.outcome, "located-ehe", "a deregistration letter's 'otherwise than at school'");
}

/* A closure notice's labelled lines under its outcome. */
static void test_closure_labels(void)
{
	read_message(HDR "Subject: Case closure - CME-2026-00001\n" PLAIN
		"Child: Ruby Stone\nOutcome: located on roll\n"
		"School: Holy Cross Catholic College, Bury\nStart date: 09.11.2026\n\n"
		"This case is now closed.\n");
	CHECK_STR(r.new_school, "Holy Cross Catholic College",
	          "'School:' under 'Outcome: located on roll' is the new school");
	CHECK_STR(r.new_school_start, "2026-11-09", "... 'Start date:' a dotted date");
	read_message(HDR "Subject: CME-2026-00001\n" PLAIN
		"Child: Ruby Stone\nSchool: Holy Cross Catholic College\n"
		"Outcome: not located\n");
	CHECK(r.new_school == NULL, "a 'School:' with another outcome is no new school");
}

/* A parent's reply naming the school the child goes to now. */
static void test_named_school(void)
{
	read_message(HDR "Subject: Re: CME-2026-00001\n" PLAIN
		"We have moved to my sister's in Leeds and we are going to find a school.\n");
	CHECK(r.outcome == NULL || strcmp(r.outcome, "located-on-roll") != 0,
	      "'going to' with no school named is not on roll");
	CHECK(r.new_school == NULL, "... and names none");
	read_message(HDR "Subject: Re: CME-2026-00001\n" PLAIN
		"We have moved to my sister's in Cardiff and Mia is going to Ysgol Glan Taf\n"
		"now, she started there on Monday.\n");
	CHECK_STR(r.outcome, "located-on-roll",
	          "'is going to' a named school outranks a move to a town");
	CHECK_STR(r.new_school, "Ysgol Glan Taf", "... a Welsh 'Ysgol ...' is a school's name");
	/* the school the child was going to is the one it left: a false
	 * located-on-roll would close a case whose child is still missing */
	read_message(HDR "Subject: Re: CME-2026-00001\n" PLAIN
		"Home visit today, no answer. A neighbour said Mia was going to Oak Lane\n"
		"Primary School until the summer but has not been seen since.\n");
	CHECK(r.outcome == NULL || strcmp(r.outcome, "located-on-roll") != 0,
	      "'was going to' a named school is not on roll there");
	CHECK(r.new_school == NULL, "... and is no new school");
}

/* A school's reply naming the school that took the child's CTF. */
static void test_ctf_school(void)
{
	read_message("From: Office <office@elm.sch.test>\nTo: cme@la.test\n"
		"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t2@elm.sch.test>\n"
		"Subject: RE: CME-2026-00001\n" PLAIN
		"The CTF was collected by Brook Lane Academy on 20/11/2026 and she is on roll\n"
		"with them. We will take her off our roll.\n\nThanks\nJo Bell\n"
		"Office Manager, Elm Tree Primary School\n");
	CHECK_STR(r.new_school, "Brook Lane Academy",
	          "'the CTF was collected by' a school outranks the replying school");
	CHECK(r.new_school_start == NULL, "... the date the CTF was taken is no start");
}

/* A new sibling carried in an update: its reason and year group. */
static void test_update_sibling(void)
{
	read_message(HDR "Subject: RE: CME-2026-00001 Leo Hart\n" PLAIN
		"Visited 24/11/2026, Leo seen with mum.\n\n"
		"Leo has a little brother who has never been registered with a school:\n\n"
		"Name: Finn Hart\nDOB: 03/05/2019\n\nThanks\n");
	CHECK_STR(r.children[0].reason, "never-registered",
	          "the sentence naming the sibling gives its reason");
	CHECK_INT(r.children[0].year_group, 3, "... and its DOB its year group");
	read_message(HDR "Subject: RE: CME-2026-00001\n" PLAIN
		"Visited 24/11/2026, no answer. Neighbours say Leo has moved to Leeds.\n\n"
		"Name: Leo Hart\nDOB: 03/05/2017\n");
	CHECK(r.children[0].reason == NULL, "a reason told of no sibling is not the child's");
}

int main(void)
{
	tap_vocabulary();
	test_case_refs();
	test_visits();
	test_outcomes();
	test_closure_labels();
	test_named_school();
	test_ctf_school();
	test_update_sibling();
	referral_free(&r);
	return tap_done();
}

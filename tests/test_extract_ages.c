/*
 * test_extract_ages - children the public name in prose with an
 * approximate age and no date of birth (prose_age.c): "Name who is 11",
 * "Name (about 9)", "Name is maybe 6", "Name ..., he's about 10", and the
 * names and numbers that are no child's.  Small messages written here;
 * the fixtures themselves are run by tests/accuracy.
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

#define HDR "From: Pat Lowe <pat@mailbox.test>\nTo: cme@la.test\n" \
	"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t@mailbox.test>\n" \
	"Subject: kids not in school\n" \
	"Content-Type: text/plain; charset=utf-8\n\n"

static const char *fore(size_t i)
{
	return i < r.n_children ? r.children[i].forename : NULL;
}

static const char *sur(size_t i)
{
	return i < r.n_children ? r.children[i].surname : NULL;
}

static void test_ages_read(void)
{
	read_message(HDR "Hello,\n\nthe two lads at 3 Mill Lane, Ashby AB1 2CD, Tomasz Nowak who is 12 "
	             "and his brother Piotr Nowak who's 7, have not been at school since Easter.\n\nPat\n");
	CHECK(r.kind == KIND_REFERRAL, "'Name who is 12': a referral");
	CHECK_INT((long)r.n_children, 2, "... two children");
	CHECK_STR(fore(0), "Tomasz", "'Tomasz Nowak who is 12': the forename");
	CHECK_STR(sur(0), "Nowak", "... the surname");
	CHECK_STR(fore(1), "Piotr", "'his brother Piotr Nowak who's 7': a sibling word is no adult's");
	CHECK(r.n_children && r.children[0].dob == NULL, "no date of birth is made up");

	read_message(HDR "Hi, the girl over the road is Lily (roughly 8) and her sister Ava is "
	             "around 5. Never at school.\n\nPat\n");
	CHECK_INT((long)r.n_children, 2, "'Lily (roughly 8)', 'Ava is around 5'");
	CHECK_STR(fore(0), "Lily", "... a bracketed age: the forename alone");
	CHECK(sur(0) == NULL, "... no surname");
	CHECK_STR(fore(1), "Ava", "... 'is around 5'");

	read_message(HDR "Hi, the boy at number 9, Jayden (JJ) Price, is out every day and not at "
	             "school, he's nearly 11.\n\nPat\n");
	CHECK_STR(fore(0), "Jayden", "'..., he's nearly 11': the name before it in the sentence");
	CHECK_STR(sur(0), "Price", "... over a bracketed known-as name");
}

static void test_ages_not_children(void)
{
	read_message(HDR "Hello,\n\nmy Callum is 9 and goes to school every day. Nobody else "
	             "knows anything.\n\nPat\n");
	CHECK(r.kind == KIND_UNRECOGNISED, "'my Callum is 9': the writer's own, no child referred");

	read_message(HDR "Hello,\n\nHe is 10 and never at school.\n\nPat\n");
	CHECK(r.kind == KIND_UNRECOGNISED, "'He is 10': a capitalised pronoun is no name");

	read_message(HDR "Hello,\n\nthe family moved from Leeds, she is about 9.\n\nPat\n");
	CHECK(r.kind == KIND_UNRECOGNISED, "'from Leeds, she is about 9': a place is no name");

	read_message(HDR "Hello,\n\nSaid Tom Hardy is 6 weeks behind with rent.\n\nPat\n");
	CHECK(r.kind == KIND_UNRECOGNISED, "'is 6 weeks': a number with a unit is no age");

	read_message(HDR "Hello,\n\nthe mum Kerry Dunn is 16 and not in school.\n\nPat\n");
	CHECK(r.kind == KIND_UNRECOGNISED, "'the mum Kerry Dunn is 16': a parent's name");
}

int main(void)
{
	tap_vocabulary();
	test_ages_read();
	test_ages_not_children();
	referral_free(&r);
	return tap_done();
}

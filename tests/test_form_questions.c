/*
 * test_form_questions - online-form submission emails (corpus I,
 * fixtures 1000-1019): a label written as the form's question ("What is
 * the pupil's surname?") is the field its words after the question
 * name, with the answer on the next line or in the next paragraph.
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

#define HDR "From: Forms <noreply@forms.la.test>\nTo: cme@la.test\n" \
	"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <q@forms.la.test>\n" \
	"Subject: Form submitted: pupil leaving school\n"

static void label_is(const char *label, enum field want)
{
	char what[160];

	snprintf(what, sizeof what, "'%s' is %s", label, vocab_field_name(want));
	CHECK(vocab_label(label, strlen(label)) == want, what);
}

static void test_question_labels(void)
{
	label_is("What is the pupil's surname?", F_SURNAME);
	label_is("What is the child's first name?", F_FORENAME);
	label_is("What is the child's date of birth?", F_DOB);
	label_is("Please give the child's date of birth", F_DOB);
	label_is("When did the child last attend?", F_LAST_ATTENDED);
	label_is("When did the pupil last attend school?", F_LAST_ATTENDED);
	label_is("What is their postcode?", F_POSTCODE);
	/* a question about something else is still no field */
	label_is("What is the name of the new school's town?", F_NONE);
	label_is("What is the reason", F_REASON);
}

static void test_question_form(void)
{
	read_message(HDR "\nWhat is the name of your school?\nSt Aidan's RC Primary School\n\n"
	             "What is the pupil's surname?\nNowak\n\n"
	             "What is the pupil's first name?\nOliwia\n\n"
	             "What is the pupil's date of birth?\n11 January 2018\n");
	CHECK(r.kind == KIND_REFERRAL, "a form of questions is a referral");
	CHECK(r.n_children == 1, "one child");
	if (r.n_children == 1) {
		CHECK_STR(r.children[0].forename, "Oliwia", "forename from its question");
		CHECK_STR(r.children[0].surname, "Nowak", "surname from its question");
		CHECK_STR(r.children[0].school, "St Aidan's RC Primary School",
		          "'What is the name of your school?' is the referrer's school, the pupil's");
	}
}

int main(void)
{
	tap_vocabulary();
	test_question_labels();
	test_question_form();
	referral_free(&r);
	return tap_done();
}

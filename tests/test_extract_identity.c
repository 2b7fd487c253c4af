/*
 * test_extract_identity - the child's identity in layouts the held-out
 * corpora found unread (tests/fixtures/referrals/KNOWN-GAPS): a child
 * named only in the Subject, in a letter's heading line or a contact
 * record's "Person:", one behaviour per check, on small messages
 * written here.  The fixtures themselves are run by tests/accuracy.
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

#define HDR "From: Office <office@school.test>\nTo: cme@la.test\n" \
	"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t@school.test>\n"
#define PLAIN "Content-Type: text/plain; charset=utf-8\n\n"
#define BODY "Hello,\n\nDOB 14.05.2017. Has not attended since 2nd November; the family\n" \
	"told us they were moving away.\n\nThanks\nAnn Hale\n"

static const char *child_str(size_t i, int which)
{
	if (i >= r.n_children)
		return NULL;
	return which == 0 ? r.children[i].forename : which == 1 ? r.children[i].surname :
	       r.children[i].dob;
}

/* "CME referral - Name Y6": the Subject names the child the body does
 * not. */
static void test_subject_names_child(void)
{
	read_message(HDR "Subject: CME referral - Lena Kowalska Y4\n" PLAIN BODY);
	CHECK(r.kind == KIND_REFERRAL, "a child named in the Subject only: a referral");
	CHECK_STR(child_str(0, 0), "Lena", "the Subject's name after 'referral -': the forename");
	CHECK_STR(child_str(0, 1), "Kowalska", "... the surname");
	CHECK_INT(r.n_children ? r.children[0].year_group : -2, 4, "'Y4' after it: the year group");
	CHECK_STR(child_str(0, 2), "2017-05-14", "the body's 'DOB 14.05.2017' is the child's");

	read_message(HDR "Subject: Children Missing Education: Tom REED (DOB 02/03/2016)\n"
	             PLAIN "Hello,\n\nHas not attended since 2nd November.\n\nAnn Hale\n");
	CHECK_STR(child_str(0, 1), "REED", "'Children Missing Education: Tom REED (DOB ...)'");
	CHECK_STR(child_str(0, 2), "2016-03-02", "... the Subject's date of birth");

	read_message(HDR "Subject: Fwd: CME referral \xe2\x80\x93 Amira Haddad\n" PLAIN BODY);
	CHECK_STR(child_str(0, 0), "Amira", "an en dash, nothing after the name");

	read_message(HDR "Subject: CME referral - Riverside Junior School\n" PLAIN BODY);
	CHECK(r.kind == KIND_UNRECOGNISED, "a school's name in the Subject is no child");

	read_message(HDR "Subject: CME referral - Urgent Please Read today\n" PLAIN BODY);
	CHECK(r.kind == KIND_UNRECOGNISED, "capitalised words going on into a phrase are no name");

	read_message(HDR "Subject: RE: CME referral - Lena Kowalska Y4\n"
	             "In-Reply-To: <x@la.test>\n" PLAIN BODY);
	CHECK(r.n_children == 0, "a reply's Subject repeats a case's child: nobody referred");

	read_message(HDR "Subject: CME referral - Lena Kowalska Y4\n" PLAIN
	             "Child's name: Maja Nowak\nDate of birth: 01/02/2016\n");
	CHECK(r.n_children == 1, "the body names a child: the Subject is not read");
	CHECK_STR(child_str(0, 0), "Maja", "... the body's child kept");

	read_message(HDR "Subject: CME referral - Lena Kowalska Y4\n" PLAIN
	             "Hello,\n\nMum DOB 01/02/1985. Has not attended since 2nd November.\n");
	CHECK(r.n_children == 1 && r.children[0].dob == NULL,
	      "an adult's date of birth in the body is not the child's");
}

/* A health letter's heading line: "RE: Name  D.O.B. dd.mm.yyyy", the
 * child's name and date of birth on one line. */
static void test_letter_heading(void)
{
	static const char *const heads[] = {
		"RE: Sophie Anderson  D.O.B. 22.11.2011",
		"Re: Sophie Anderson (D.O.B. 22.11.2011)",
		"Patient: Sophie Anderson  DOB: 22/11/2011",
	};

	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		char msg[1024];

		snprintf(msg, sizeof msg, HDR "Subject: Letter\n" PLAIN "Dear colleague,\n\n%s\n\n"
		         "She was not brought to her appointment. Her father told us the family\n"
		         "were moving to Cardiff, and her school, Eastmere High School, says she\n"
		         "has not attended since September.\n\nKind regards,\n\nRuth Adeyemi\n"
		         "Clinical Nurse Specialist\n", heads[i]);
		read_message(msg);
		CHECK_STR(child_str(0, 0), "Sophie", heads[i]);
		CHECK_STR(child_str(0, 1), "Anderson", "... the surname");
		CHECK_STR(child_str(0, 2), "2011-11-22", "... the date of birth");
		CHECK_STR(r.n_children ? r.children[0].school : NULL, "Eastmere High School",
		          "'her school, Eastmere High School, says': the school");
	}
}

/* A contact record's subject: "Person:", "Subject:" as a line of the
 * body, never the mail's Subject header nor a forward's quoted one. */
static void test_contact_record_person(void)
{
	read_message(HDR "Subject: Contact 771204\n" PLAIN "CONTACT RECORD\n\n"
	             "Contact ID: 771204\nPerson: Riley Dawson\nDate of birth: 18/03/2015\n"
	             "Summary: has not been to school for weeks.\n");
	CHECK_STR(child_str(0, 0), "Riley", "'Person: Riley Dawson' in a contact record");
	CHECK_STR(child_str(0, 1), "Dawson", "... the surname");

	read_message(HDR "Subject: Contact\n" PLAIN "Subject: Riley Dawson\n"
	             "DOB: 18/03/2015\nNot in school for weeks.\n");
	CHECK_STR(child_str(0, 0), "Riley", "'Subject: Riley Dawson' as a body line");

	read_message(HDR "Subject: FW: Concern\n" PLAIN "Please see below.\n\n"
	             "---------- Forwarded message ---------\nFrom: Ann Hale <ann@o.test>\n"
	             "Date: Wed, 25 Nov 2026 09:00\nSubject: Concern about attendance\n"
	             "To: Head <head@school.test>\n\nHello,\n\n"
	             "Leo Grant (DOB 02/03/2016) has not been in since October.\n");
	CHECK_STR(child_str(0, 0), "Leo", "a forward's quoted 'Subject:' line is no child's name");
}

static const char *parent_name(size_t i)
{
	return i < r.n_parents ? r.parents[i].name : NULL;
}

/* People's names and a child line's gender as police notices, health
 * visitors' letters and admissions officers write them (corpus M). */
static void test_names_as_written(void)
{
	read_message(HDR "Subject: PPN\n" PLAIN "SUBJECT:  FLYNN, Jordan\nDOB:  21/01/2011\n"
	             "SCHOOL:   Castlegate Academy - NOT ATTENDING (mother states since September)\n"
	             "MOTHER:   FLYNN, Lisa  07700 900413\n");
	CHECK_STR(parent_name(0), "Lisa FLYNN", "'FLYNN, Lisa': surname in capitals, comma, forename");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Castlegate Academy",
	          "a shouted note after a school's dash is no part of its name");

	read_message(HDR "Subject: Referral\n" PLAIN "Child's name:  Viktoria Petrova\n"
	             "Date of birth:  22/10/2020\n"
	             "Mother:  Elena Petrova \xe2\x80\x93 07700 900405\n\nKind regards\n\n"
	             "Siobhan O\xe2\x80\x99Rourke\nHealth Visitor\n");
	CHECK_STR(parent_name(0), "Elena Petrova", "a name ends at a spaced en dash");
	CHECK_STR(r.referrer.name, "Siobhan O'Rourke", "a typographic apostrophe is the ASCII one");

	read_message(HDR "Subject: Possible CME\n" PLAIN "Passing these two to you.\n\n"
	             "Child 1: Tayo Adeyemi    DOB 14/03/2018   Male\n"
	             "Child 2: Simi Adeyemi    DOB 30/10/2019   Female\n");
	CHECK_STR(r.n_children ? r.children[0].gender : NULL, "M", "'Male' on a child's line");
	CHECK_STR(r.n_children > 1 ? r.children[1].gender : NULL, "F", "'Female' on the next");

	/* corpus N: a parent's words about her children */
	read_message(HDR "Subject: School places\n" PLAIN "The children are:\n"
	             "Mohammed Al-Hassan, born 14th Feb 2016, he was in Year 6 at Heathfield Park"
	             " Primary School\nin Birmingham\nAya Al-Hassan, born 03/09/2019, she was in"
	             " Year 2\n\nMy mobile is +44 7700 900612 and their dad Yusuf Al-Hassan is on"
	             " 07700900613.\n");
	CHECK_STR(r.n_children > 1 ? r.children[1].forename : NULL, "Aya",
	          "over a hard wrap, 'in Birmingham' is no part of the next child's name");
	CHECK_STR(parent_name(0), "Yusuf Al-Hassan", "the dad named with his number");
	CHECK_STR(r.n_parents ? r.parents[0].phone : NULL, "07700 900613",
	          "a mobile typed without its space is written as officers dial it");

	read_message(HDR "Subject: Ward children\n" PLAIN "Children:\n"
	             "Mary-Kate Ward - 14/2/16 - base school was St Paul's Primary but mum says\n"
	             "Johnny Ward - 2/9/2013 - has not been to secondary school at all\n");
	CHECK_STR(child_str(0, 0), "Mary-Kate",
	          "'mum says' after a child's date of birth does not make the line a parent's");

	/* a police notification's names in capitals, in sentences */
	read_message(HDR "Subject: Notification\n" PLAIN "NOTIFICATION TO CHILDREN MISSING EDUCATION\n\n"
	             "JAYDEN VAN DER BERG, date of birth 05/06/2014, and SKYE VAN DER BERG, date"
	             " of birth\n21/11/2017, were identified during a police attendance.\n\n"
	             "The father, MARCO VAN DER BERG (07700 900645), stated the children have not"
	             " been in school.\nBoth children last went to school on 23/10/2026.\n");
	CHECK_STR(child_str(0, 0), "JAYDEN", "four words with particles: the forename");
	CHECK_STR(child_str(0, 1), "VAN DER BERG", "... and the surname");
	CHECK_STR(parent_name(0), "MARCO VAN DER BERG", "the father's four words");
	CHECK_STR(r.n_children ? r.children[0].last_attended : NULL, "2026-10-23",
	          "'last went to school on' is the last day attended");
}

int main(void)
{
	tap_vocabulary();
	test_subject_names_child();
	test_letter_heading();
	test_contact_record_person();
	test_names_as_written();
	referral_free(&r);
	return tap_done();
}

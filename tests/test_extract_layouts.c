/*
 * test_extract_layouts - form layouts corpus G found (fixtures 900-949,
 * tests/fixtures/referrals/KNOWN-GAPS): where a label ends and whose
 * fields follow, one behaviour per check, on small messages written here.
 * The fixtures themselves are run by tests/accuracy.
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

#define HDR "From: Office <office@school.test>\nTo: cme@la.test\n" \
	"Date: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <t@school.test>\n" \
	"Subject: Pupil missing\n"
#define PLAIN "Content-Type: text/plain; charset=utf-8\n\n"

static const char *child_str(size_t i, int which)
{
	if (i >= r.n_children)
		return NULL;
	return which == 0 ? r.children[i].forename : which == 1 ? r.children[i].surname :
	       which == 2 ? r.children[i].dob : r.children[i].gender;
}

static const char *parent_str(size_t i, int which)
{
	if (i >= r.n_parents)
		return NULL;
	return which == 0 ? r.parents[i].name : which == 1 ? r.parents[i].relationship :
	       r.parents[i].phone;
}

/* "Label / value": a slash between spaces standing for the colon, as a
 * form pasted from a PDF writes it; labels with a slash in them kept. */
static void test_slash_labels(void)
{
	read_message(HDR PLAIN
		"Child's name / Tom Reed\n"
		"Date of birth / 02.03.2016\n"
		"Gender / M\n"
		"Who has parental responsibility? / Jo Reed\n"
		"What is their relationship to child? / Mother\n\n"
		"Tom has not attended since half term.\n\n"
		"Form completed by / Ann Hale\n"
		"Position in school / Attendance Officer\n");
	CHECK_STR(child_str(0, 0), "Tom", "'Child's name / Tom Reed': the forename");
	CHECK_STR(child_str(0, 1), "Reed", "... the surname");
	CHECK_STR(child_str(0, 2), "2016-03-02", "'Date of birth / 02.03.2016'");
	CHECK_STR(child_str(0, 3), "M", "'Gender / M': a one-letter answer");
	CHECK_STR(parent_str(0, 0), "Jo Reed", "a question label, then ' / ' and its answer");
	CHECK_STR(parent_str(0, 1), "mother", "'What is their relationship to child? / Mother'");
	CHECK_STR(r.referrer.name, "Ann Hale", "'Form completed by / Ann Hale'");
	CHECK_STR(r.referrer.role, "Attendance Officer", "'Position in school / ...'");

	read_message(HDR PLAIN
		"Child's name: Tom Reed\n"
		"Parent / Carer name  Jo Reed\n"
		"Gender / M / F\n");
	CHECK_STR(parent_str(0, 0), "Jo Reed", "'Parent / Carer name' is one label, not 'Parent'");
	CHECK(r.n_children == 1 && r.children[0].gender == NULL,
	      "'Gender / M / F' lists the options: no answer");

	read_message(HDR PLAIN
		"Child's name: Tom Reed\n"
		"Name of Parents / Carers\n"
		"Jo Reed (mother)\n");
	CHECK_STR(parent_str(0, 0), "Jo Reed", "'Name of Parents / Carers' alone: its value below");

	read_message(HDR PLAIN
		"Child's name: Tom Reed\n\n"
		"School / Staff completing form\n"
		"School: Hill Primary School\n"
		"Name: Ann Hale\n");
	CHECK_STR(r.referrer.name, "Ann Hale", "'School / Staff completing form' is a heading");
	CHECK(r.n_children == 1 && (r.children[0].school == NULL ||
	      strcmp(r.children[0].school, "Staff completing form") != 0),
	      "... not a school named 'Staff completing form'");
}

/* Section headings, numbered or not, any case, say whose fields follow:
 * a multi-agency form's "1. REFERRAL DETAILS" is the referrer's. */
static void test_section_headings(void)
{
	read_message(HDR PLAIN
		"1. REFERRAL DETAILS\n"
		"Name: Sam Hirst\n"
		"Job title: Family Support Worker\n\n"
		"2. DETAILS OF CHILD / YOUNG PERSON\n"
		"Child's Name: Ava Booth\n"
		"DOB / EDD: 11/04/2015\n\n"
		"4. REASON\n"
		"Ava is at home with her mum. She was taken off roll at\n"
		"Moor End School in September and the family say they are home educating.\n");
	CHECK_STR(r.referrer.name, "Sam Hirst", "the name under '1. REFERRAL DETAILS' is the referrer");
	CHECK_STR(child_str(0, 0), "Ava", "the child's block after 'DETAILS OF CHILD / YOUNG PERSON'");
	CHECK(r.n_children == 1, "... one child, not the referrer too");
	CHECK_STR(child_str(0, 2), "2015-04-11", "'DOB / EDD:' is the date of birth");
	CHECK_STR(r.n_children ? r.children[0].school : NULL, "Moor End School",
	          "the school named in the reason paragraph under 'REASON'");
	CHECK_STR(r.n_children ? r.children[0].reason : NULL, "ehe-unsuitable",
	          "'the family say they are home educating'");

	read_message(HDR PLAIN
		"Referral details\n"
		"Name: Sam Hirst\n\n"
		"Details of the child\n"
		"Name: Ava Booth\n"
		"Date of birth: 11/04/2015\n");
	CHECK_STR(r.referrer.name, "Sam Hirst", "'Referral details' unnumbered, in lower case");
	CHECK_STR(child_str(0, 1), "Booth", "'Details of the child': a plain 'Name:' is the child's");
}

/* A parent's name, relationship and phone in one value, whichever of
 * them the label asks for. */
static void test_parent_in_one_value(void)
{
	read_message(HDR PLAIN
		"Child's name: Kemi Ade\n"
		"Contact telephone of parents: Mrs Folake Ade (mother) 07700 900901\n");
	CHECK_STR(parent_str(0, 0), "Folake Ade", "a phone label's value names the parent first");
	CHECK_STR(parent_str(0, 1), "mother", "... and the relationship");
	CHECK_STR(parent_str(0, 2), "07700 900901", "... and the phone");

	read_message(HDR PLAIN
		"Child's name: Kemi Ade\n"
		"Parent name: Jo Ade\n"
		"Parent phone: Daytime 07700 900902\n");
	CHECK(r.n_parents == 1, "'Daytime' before a phone names nobody");
	CHECK_STR(parent_str(0, 2), "07700 900902", "... the phone is the parent's above");

	read_message(HDR PLAIN
		"Child's name: Tom Marsh\n"
		"Name of Parents / Carers\n"
		"Shannon Marsh (mother) 07700 900903\n");
	CHECK_STR(parent_str(0, 2), "07700 900903", "the phone after a parent's name under its label");
}

int main(void)
{
	tap_vocabulary();
	test_parent_in_one_value();
	test_slash_labels();
	test_section_headings();
	referral_free(&r);
	return tap_done();
}
